#!/usr/bin/env python3
"""Write the golden fixtures Fixtures/golden/{fastformer,mhsa}/ from the PyTorch reference.

Contract: docs/ARCHITECTURE.md, "Contract: golden fixture from PyTorch". Per encoder directory:
  model.safetensors, config.json, vocab.txt   checkpoint (F32, PyTorch layout)
  batch.json                                  titles [N × L], histories [B × T] (-1 pad), candidates [B × 5]
  expected.safetensors                        news_vectors, user_vectors, scores, loss, grad.<p>, adam2.<p>

All expectations are computed in float64 from the F32-rounded stored weights, with dropout off
(eval-mode dropout) and gradients on, then stored as F32.

Usage: python3 Tools/reference/make_golden.py [--out Fixtures/golden] [--seed 20240601]
"""

from __future__ import annotations

import argparse
import json
import os
import sys

import torch
from safetensors.torch import save_file

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import nrms  # noqa: E402

WORDS = [
    "stocks", "rally", "as", "fed", "holds", "rates", "storm", "hits", "coast", ",", "thousands",
    "lose", "power", "new", "iphone", "review", ":", "fast", "!", "team", "wins", "title",
]
# Only the "[\w]+|[.,!?;|]" tokens can appear in vocab; ":" is replaced by "?" below.
WORDS = [w if w != ":" else "?" for w in WORDS]

# Title token ids (L = 6). 0 = [PAD], 1 = [UNK].
TITLES = [
    [5, 6, 7, 8, 0, 0],        # 0  right padding
    [2, 3, 4, 5, 6, 7],        # 1  full length
    [0, 0, 0, 0, 0, 0],        # 2  EMPTY title (all padding) -> zero news vector
    [9, 1, 10, 0, 0, 0],       # 3  contains [UNK]
    [11, 12, 13, 14, 15, 0],   # 4
    [16, 17, 0, 0, 0, 0],      # 5
    [18, 19, 20, 21, 22, 23],  # 6  full length
    [23, 2, 9, 0, 0, 0],       # 7
    [3, 0, 0, 0, 0, 0],        # 8  single token
    [12, 19, 7, 1, 0, 0],      # 9
    [21, 14, 0, 0, 0, 0],      # 10
    [4, 4, 8, 17, 0, 0],       # 11 repeated token
]
# History indices into TITLES (T = 5), oldest first, -1 padding at the FRONT.
HISTORIES = [
    [-1, -1, 0, 2, 3],         # front padding; contains the empty title (a real, zero-vector entry)
    [-1, -1, -1, -1, -1],      # EMPTY history -> zero user vector -> all scores 0
    [1, 4, 5, 6, 7],           # full
]
# Candidates (1 positive at column 0 + 4 negatives), indices into TITLES.
CANDIDATES = [
    [8, 9, 2, 10, 1],
    [11, 3, 5, 0, 6],
    [9, 7, 10, 11, 2],
]

TINY = dict(vocab_size=24, word_dim=12, hidden=8, heads=2, pooling_dim=6, title_length=6,
            history_length=5, dropout=0.2)
LINEAR_STD, BIAS_STD, EMBEDDING_STD = 0.4, 0.2, 1.0
ADAM_LR = 1e-3


def build_model(encoder: str, seed: int) -> nrms.NRMS:
    torch.manual_seed(seed)
    cfg = nrms.Config(encoder=encoder, **TINY)
    model = nrms.NRMS(cfg)
    model.reset_parameters(linear_std=LINEAR_STD, embedding_std=EMBEDDING_STD, bias_std=BIAS_STD)
    return model


def batch_tensors():
    return (torch.tensor(TITLES, dtype=torch.long), torch.tensor(HISTORIES, dtype=torch.long),
            torch.tensor(CANDIDATES, dtype=torch.long))


def gradcheck_loss(model: nrms.NRMS, titles, histories, candidates) -> None:
    """torch.autograd.gradcheck (float64) of the loss w.r.t. every parameter tensor."""
    names = [n for n, _ in model.named_parameters()]
    base = {n: p.detach().clone() for n, p in model.named_parameters()}

    def loss_of(*params):
        state = dict(base)
        state.update(zip(names, params))
        _, _, scores = torch.func.functional_call(model, state, (titles, histories, candidates))
        return nrms.loss_fn(scores)

    inputs = tuple(base[n].clone().requires_grad_(True) for n in names)
    ok = torch.autograd.gradcheck(loss_of, inputs, eps=1e-6, atol=1e-7, rtol=1e-5)
    assert ok


def self_checks(model: nrms.NRMS, titles, histories, candidates, news, users) -> None:
    h = model.cfg.hidden
    # Empty title -> zero news vector; empty history -> zero user vector.
    assert torch.count_nonzero(news[2]) == 0, "empty title must encode to zero"
    assert torch.count_nonzero(users[1]) == 0, "empty history must give a zero user vector"
    assert torch.all(torch.isfinite(news)) and torch.all(torch.isfinite(users))
    with torch.no_grad():
        # Title padding invariance: trimming trailing padding does not change the vector.
        trimmed = model.encode_news(titles[:, :4])
        for row in range(titles.shape[0]):
            if torch.count_nonzero(titles[row, 4:]) == 0:
                assert torch.allclose(trimmed[row], news[row], atol=1e-12), f"title {row} not trim invariant"
        # History front padding invariance: history 0 without its padding.
        real = histories[0][histories[0] >= 0]
        u0 = model.encode_users(news[real].unsqueeze(0), torch.ones(1, len(real), dtype=torch.bool))
        assert torch.allclose(u0[0], users[0], atol=1e-12), "history padding changes the user vector"
        # Garbage in padded history slots must not matter.
        hist = news[histories.clamp(min=0)] + 7.0 * (histories < 0).unsqueeze(-1)
        u = model.encode_users(hist, histories >= 0)
        assert torch.allclose(u, users, atol=1e-12), "padded history slots leak into the user vector"
    assert users.shape[1] == h


def make_one(encoder: str, out_dir: str, seed: int) -> dict:
    model = build_model(encoder, seed)
    vocab = [nrms.PAD_TOKEN, nrms.UNK_TOKEN] + WORDS
    assert len(vocab) == TINY["vocab_size"]
    os.makedirs(out_dir, exist_ok=True)
    nrms.save_checkpoint(model, vocab, out_dir)  # F32 weights; expectations use exactly these

    reloaded, vocab2 = nrms.load_checkpoint(out_dir)
    assert vocab2 == vocab
    for (n1, p1), (n2, p2) in zip(model.state_dict().items(), reloaded.state_dict().items()):
        assert n1 == n2 and torch.equal(p1, p2), f"checkpoint round trip differs at {n1}"

    model = reloaded.double()
    model.eval()  # dropout off; gradients stay on
    titles, histories, candidates = batch_tensors()

    with open(os.path.join(out_dir, ".batch.json.tmp"), "w") as f:
        json.dump({"titles": TITLES, "histories": HISTORIES, "candidates": CANDIDATES}, f)
        f.write("\n")
    os.replace(os.path.join(out_dir, ".batch.json.tmp"), os.path.join(out_dir, "batch.json"))

    news, users, scores = model.forward_indexed(titles, histories, candidates)
    loss = nrms.loss_fn(scores)
    model.zero_grad()
    loss.backward()
    self_checks(model, titles, histories, candidates, news.detach(), users.detach())

    expected = {
        "news_vectors": news.detach(),
        "user_vectors": users.detach(),
        "scores": scores.detach(),
        "loss": loss.detach().reshape(1),
    }
    grads = {}
    for name, p in model.named_parameters():
        grads[name] = p.grad.detach().clone()
        expected[f"grad.{name}"] = grads[name]

    gradcheck_loss(model, titles, histories, candidates)

    # Two Adam steps on the same batch, dropout off.
    opt = torch.optim.Adam(model.parameters(), lr=ADAM_LR, betas=(0.9, 0.999), eps=1e-8)
    losses = []
    for _ in range(2):
        opt.zero_grad()
        _, _, s = model.forward_indexed(titles, histories, candidates)
        step_loss = nrms.loss_fn(s)
        losses.append(step_loss.item())
        step_loss.backward()
        opt.step()
    for name, p in model.named_parameters():
        expected[f"adam2.{name}"] = p.detach().clone()

    tensors = {k: v.to(torch.float32).contiguous() for k, v in expected.items()}
    tmp = os.path.join(out_dir, ".expected.safetensors.tmp")
    save_file(tensors, tmp, metadata={"format": "pt", "generator": "Tools/reference/make_golden.py",
                                      "seed": str(seed), "encoder": encoder})
    os.replace(tmp, os.path.join(out_dir, "expected.safetensors"))

    nonzero = torch.cat([g.flatten() for g in grads.values()])
    nonzero = nonzero[nonzero != 0].abs()
    return {
        "encoder": encoder,
        "loss": loss.item(),
        "loss_step1": losses[0],
        "loss_step2": losses[1],
        "params": sum(p.numel() for p in model.parameters()),
        "min_abs_nonzero_grad": nonzero.min().item(),
        "median_abs_grad": nonzero.median().item(),
        "max_abs_grad": nonzero.max().item(),
        "tensors": len(tensors),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    root = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
    ap.add_argument("--out", default=os.path.join(root, "Fixtures", "golden"))
    ap.add_argument("--seed", type=int, default=20240601)
    args = ap.parse_args()
    torch.set_default_dtype(torch.float32)
    torch.set_num_threads(1)  # bit-for-bit reproducible reductions
    for encoder in ("fastformer", "mhsa"):
        info = make_one(encoder, os.path.join(args.out, encoder), args.seed)
        print(json.dumps(info))


if __name__ == "__main__":
    main()
