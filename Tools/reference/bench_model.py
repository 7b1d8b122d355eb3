#!/usr/bin/env python3
"""Micro-benchmarks of the PyTorch reference NRMS (CPU), for comparison with newsrec.

Per encoder (fastformer, mhsa), one training batch = 64 samples × (50 history + 5 candidates) titles of 30 tokens:
  news encoder:  3520 titles [3520 × 30] → [3520 × 256] (embedding 50k × 300, dropout, attention, pooling)
  user encoder:  64 histories [64 × 50 × 256] → [64 × 256]
  train step:    the whole model (news + user encoder, scores, loss, backward, Adam step)
"forward" is inference (eval mode, torch.no_grad); "fwd+bwd" is training mode (dropout on) forward plus
backward of a scalar loss, with gradients set to None before each repetition (dense embedding gradient, the
PyTorch default). Times are the median of --reps repetitions after --warmup runs.

Scaling table: one attention layer (D_in = hidden = 256, 16 heads, no pooling), forward+backward, sequence
length 32 … 4096 with batch = --tokens / length. MHSA points whose [batch × heads × L × L] score tensor would
exceed --max-attn-mb are skipped (memory).

Usage: python3 Tools/reference/bench_model.py [--threads N] [--reps 5] [--warmup 1] [--json]
       [--only model|scaling] [--encoders fastformer,mhsa]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import nrms  # noqa: E402


def timeit(fn, reps: int, warmup: int) -> dict:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return {"median_s": statistics.median(times), "min_s": min(times), "reps": reps}


def bench_model(encoder: str, args) -> list[dict]:
    torch.manual_seed(0)
    cfg = nrms.Config(encoder=encoder, word_dim=args.word_dim, hidden=args.hidden, heads=args.heads,
                      pooling_dim=args.pooling_dim, title_length=args.title_length,
                      history_length=args.history_length, vocab_size=args.vocab)
    model = nrms.NRMS(cfg)
    b, t, c, l = args.batch, args.history_length, 1 + args.negatives, args.title_length
    n_titles = b * (t + c)
    g = torch.Generator().manual_seed(1)
    # Titles of realistic length: 5…15 real tokens, rest padding (MIND average ≈ 11.5 words).
    lengths = torch.randint(5, 16, (n_titles,), generator=g)
    titles = torch.randint(2, args.vocab, (n_titles, l), generator=g)
    titles[torch.arange(l).unsqueeze(0) >= lengths.unsqueeze(1)] = 0
    hist_vectors = torch.randn(b, t, args.hidden, generator=g)
    hist_lengths = torch.randint(10, t + 1, (b,), generator=g)  # front padding, real entries at the end
    hist_mask = torch.arange(t).unsqueeze(0) >= (t - hist_lengths).unsqueeze(1)
    proj_news = torch.randn(args.hidden, generator=g)

    rows = []

    def record(part, mode, shape, res):
        rows.append({"encoder": encoder, "part": part, "mode": mode, "shape": shape, **res})
        log(f"  {encoder:10s} {part:13s} {mode:8s} {res['median_s'] * 1e3:10.1f} ms")

    def news_forward():
        with torch.no_grad():
            model.encode_news(titles)

    def news_train():
        model.zero_grad(set_to_none=True)
        (model.encode_news(titles) @ proj_news).sum().backward()

    def user_forward():
        with torch.no_grad():
            model.encode_users(hist_vectors, hist_mask)

    def user_train():
        model.zero_grad(set_to_none=True)
        (model.encode_users(hist_vectors, hist_mask) @ proj_news).sum().backward()

    model.eval()
    record("news_encoder", "forward", f"{n_titles}x{l}", timeit(news_forward, args.reps, args.warmup))
    record("user_encoder", "forward", f"{b}x{t}x{args.hidden}", timeit(user_forward, args.reps, args.warmup))
    model.train()
    record("news_encoder", "fwd+bwd", f"{n_titles}x{l}", timeit(news_train, args.reps, args.warmup))
    record("user_encoder", "fwd+bwd", f"{b}x{t}x{args.hidden}", timeit(user_train, args.reps, args.warmup))

    opt = torch.optim.Adam(model.parameters(), lr=1e-4)
    hist_titles = titles[: b * t].view(b, t, l)
    cand_titles = titles[b * t:].view(b, c, l)

    def train_step():
        opt.zero_grad(set_to_none=True)
        loss = nrms.loss_fn(model.forward_tokens(hist_titles, cand_titles, hist_mask))
        loss.backward()
        opt.step()

    res = timeit(train_step, args.reps, args.warmup)
    res["samples_per_s"] = b / res["median_s"]
    record("train_step", "step", f"batch {b}", res)
    return rows


def bench_scaling(args) -> list[dict]:
    rows = []
    lengths = [32 << i for i in range(8)]  # 32 … 4096
    for length in lengths:
        batch = max(1, args.tokens // length)
        for encoder in args.encoders:
            row = {"length": length, "batch": batch, "encoder": encoder}
            attn_mb = batch * args.heads * length * length * 4 / 2**20
            if encoder == "mhsa" and attn_mb > args.max_attn_mb:
                row.update({"median_s": None, "skipped": f"score tensor {attn_mb:.0f} MB > --max-attn-mb"})
                rows.append(row)
                log(f"  L={length:5d} B={batch:4d} {encoder:10s}  skipped ({attn_mb:.0f} MB scores)")
                continue
            torch.manual_seed(0)
            cls = nrms.FastformerAttention if encoder == "fastformer" else nrms.MultiHeadSelfAttention
            layer = cls(args.hidden, args.hidden, args.heads, args.dropout)
            layer.train()
            x = torch.randn(batch, length, args.hidden, requires_grad=True)
            mask = torch.ones(batch, length, dtype=torch.bool)
            mask[:, length - length // 8:] = False  # some padding so the masking path is exercised

            def step():
                layer.zero_grad(set_to_none=True)
                x.grad = None
                layer(x, mask).sum().backward()

            row.update(timeit(step, args.reps, args.warmup))
            rows.append(row)
            log(f"  L={length:5d} B={batch:4d} {encoder:10s} {row['median_s'] * 1e3:10.1f} ms")
            del layer, x
    return rows


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--json", action="store_true", help="print one JSON object to stdout instead of tables")
    ap.add_argument("--only", choices=["model", "scaling"], default=None)
    ap.add_argument("--encoders", default="fastformer,mhsa")
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--negatives", type=int, default=4)
    ap.add_argument("--history-length", type=int, default=50)
    ap.add_argument("--title-length", type=int, default=30)
    ap.add_argument("--hidden", type=int, default=256)
    ap.add_argument("--heads", type=int, default=16)
    ap.add_argument("--word-dim", type=int, default=300)
    ap.add_argument("--pooling-dim", type=int, default=200)
    ap.add_argument("--vocab", type=int, default=50000)
    ap.add_argument("--dropout", type=float, default=0.2)
    ap.add_argument("--tokens", type=int, default=16384, help="batch × length in the scaling table")
    ap.add_argument("--max-attn-mb", type=float, default=512.0,
                    help="skip MHSA scaling points whose score tensor exceeds this many MB")
    args = ap.parse_args()
    args.encoders = [e for e in args.encoders.split(",") if e]
    torch.set_num_threads(args.threads)

    result = {"threads": args.threads, "torch": torch.__version__, "reps": args.reps, "warmup": args.warmup,
              "config": {k: getattr(args, k) for k in ("batch", "negatives", "history_length", "title_length",
                                                     "hidden", "heads", "word_dim", "pooling_dim", "vocab")}}
    if args.only in (None, "model"):
        log(f"model benchmarks (threads={args.threads})")
        result["model"] = [r for e in args.encoders for r in bench_model(e, args)]
    if args.only in (None, "scaling"):
        log(f"attention scaling, fwd+bwd, batch × length = {args.tokens}")
        result["scaling"] = bench_scaling(args)

    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"torch {torch.__version__}, threads {args.threads}, median of {args.reps} after {args.warmup} warm-up")
    if "model" in result:
        print(f"\n{'encoder':10s} {'part':13s} {'mode':8s} {'shape':14s} {'median ms':>10s} {'min ms':>10s}")
        for r in result["model"]:
            extra = f"  ({r['samples_per_s']:.1f} samples/s)" if "samples_per_s" in r else ""
            print(f"{r['encoder']:10s} {r['part']:13s} {r['mode']:8s} {r['shape']:14s} "
                  f"{r['median_s'] * 1e3:10.1f} {r['min_s'] * 1e3:10.1f}{extra}")
    if "scaling" in result:
        print(f"\none attention layer, fwd+bwd, hidden {args.hidden}, {args.heads} heads, "
              f"batch × length = {args.tokens} (ms)")
        print(f"{'length':>7s} {'batch':>6s} " + " ".join(f"{e:>11s}" for e in args.encoders))
        by_key = {(r["length"], r["encoder"]): r for r in result["scaling"]}
        for length in sorted({r["length"] for r in result["scaling"]}):
            batch = by_key[(length, args.encoders[0])]["batch"]
            cells = []
            for e in args.encoders:
                m = by_key[(length, e)]["median_s"]
                cells.append(f"{m * 1e3:11.1f}" if m is not None else f"{'skipped':>11s}")
            print(f"{length:7d} {batch:6d} " + " ".join(cells))


if __name__ == "__main__":
    main()
