#!/usr/bin/env python3
"""Straightforward PyTorch training reference of NRMS (Fastformer or MHSA) on MIND-format data.

Reference-only, for comparing newsrec's trainer (speed and quality). Deliberately plain:
- reads DATA/train/{news,behaviors}.tsv and DATA/dev/{news,behaviors}.tsv directly;
- tokenizer: lowercase + re.findall(r"[\\w]+|[.,!?;|]"); vocabulary from the titles of all news files
  (train then dev), id 0 [PAD], 1 [UNK], words in order of first appearance; optional GloVe text init;
- every title padded/cut to 30 tokens, no deduplication inside a batch (64 × 55 titles per batch);
  with --dedup-trim, the best a PyTorch user would write instead (same math, see `dedup_trim_scores`):
  each distinct news of the batch encoded once (torch.unique + index map; autograd sums the gradients of
  its uses), the distinct titles sorted by length and encoded in --buckets groups each cut to its own
  longest title, histories cut to the batch's longest real history;
- history = last 50 clicks, front padded; one sample per clicked news of each training impression;
  4 negatives drawn from the same impression's non-clicks without replacement (with replacement if fewer
  than 4, uniformly random news if none), re-drawn every epoch; samples shuffled every epoch;
- Adam lr 1e-4, batch 64, dropout 0.2, softmax cross-entropy with the positive at column 0;
- dev evaluation: every news encoded once, every impression's user once, all candidates scored by dot
  product; per-impression AUC / MRR / nDCG@5 / nDCG@10 as in MIND's evaluate.py, averaged with equal
  weight (AUC skips single-class impressions; MRR/nDCG skip impressions without a click). Ties are broken
  by candidate position (stable sort), where evaluate.py's np.argsort leaves them arbitrary.

Usage:
  python3 Tools/reference/train_reference.py --data DIR [--encoder fastformer|mhsa] [--epochs 3]
      [--threads N] [--max-samples N] [--seed 42] [--glove glove.6B.300d.txt] [--save CKPT_DIR] [--json]
      [--dedup-trim [--buckets 8]] [--warmup-batches N]
  python3 Tools/reference/train_reference.py --data DIR --check-equivalence [--check-batches 2]
      (dropout off, the same weights: loss and gradients of the first batches in both pipelines; exits 1
      when a loss differs by more than 1e-5 relative)
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import nrms  # noqa: E402


class DataError(Exception):
    def __init__(self, path: str, line: int, expected: str):
        super().__init__(f"{path}:{line}: expected {expected}")


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------
# Data


def read_news(paths: list[str]) -> tuple[list[str], list[str]]:
    """News ids and titles in order of first appearance over `paths` (duplicates keep the first)."""
    ids, titles, seen = [], [], set()
    for path in paths:
        with open(path, encoding="utf-8") as f:
            for lineno, line in enumerate(f, 1):
                cols = line.rstrip("\n").split("\t")
                if len(cols) < 4:
                    raise DataError(path, lineno, f"at least 4 tab-separated columns, found {len(cols)}")
                if cols[0] in seen:
                    continue
                seen.add(cols[0])
                ids.append(cols[0])
                titles.append(cols[3])
    return ids, titles


def read_behaviors(path: str, news_index: dict[str, int], history_length: int):
    """Yields (history [history_length] news rows, front padded with 0; candidates [rows]; labels [0/1])."""
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            cols = line.rstrip("\n").split("\t")
            if len(cols) != 5:
                raise DataError(path, lineno, f"5 tab-separated columns, found {len(cols)}")
            try:
                hist = [news_index[n] for n in cols[3].split()][-history_length:]
                cands, labels = [], []
                for item in cols[4].split():
                    nid, _, label = item.rpartition("-")
                    if label not in ("0", "1") or not nid:
                        raise DataError(path, lineno, f"impression item 'NewsID-0|1', found {item!r}")
                    cands.append(news_index[nid])
                    labels.append(int(label))
            except KeyError as e:
                raise DataError(path, lineno, f"news id {e.args[0]} to be in a news.tsv") from None
            yield [0] * (history_length - len(hist)) + hist, cands, labels


def make_samples(impressions, num_news: int, negatives: int, rng: random.Random):
    """One sample per click: (history rows, [positive] + negatives rows)."""
    samples = []
    for hist, cands, labels in impressions:
        non_clicks = [c for c, y in zip(cands, labels) if y == 0]
        for c, y in zip(cands, labels):
            if y != 1:
                continue
            if len(non_clicks) >= negatives:
                negs = rng.sample(non_clicks, negatives)
            elif non_clicks:
                negs = rng.choices(non_clicks, k=negatives)
            else:
                negs = [rng.randrange(1, num_news) for _ in range(negatives)]
            samples.append((hist, [c] + negs))
    return samples


def load_glove(path: str, vocab: list[str], embedding: torch.Tensor) -> int:
    index = {w: i for i, w in enumerate(vocab)}
    found = 0
    with open(path, encoding="utf-8") as f, torch.no_grad():
        for lineno, line in enumerate(f, 1):
            parts = line.rstrip().split(" ")
            i = index.get(parts[0])
            if i is None or i < 2:
                continue
            if len(parts) - 1 != embedding.shape[1]:
                raise DataError(path, lineno, f"{embedding.shape[1]} values after the word, found {len(parts) - 1}")
            embedding[i] = torch.tensor([float(v) for v in parts[1:]])
            found += 1
    return found


def glove_dimension(path: str) -> int:
    with open(path, encoding="utf-8") as f:
        return len(f.readline().rstrip().split(" ")) - 1


# ---------------------------------------------------------------------------------------------
# Metrics (MIND evaluate.py definitions)


def auc_score(labels: np.ndarray, scores: np.ndarray) -> float:
    """ROC AUC with ½ credit for ties (= sklearn.roc_auc_score)."""
    order = np.argsort(scores, kind="mergesort")
    ranks = np.empty(len(scores))
    sorted_scores = scores[order]
    i = 0
    while i < len(scores):  # average ranks over ties
        j = i
        while j + 1 < len(scores) and sorted_scores[j + 1] == sorted_scores[i]:
            j += 1
        ranks[order[i:j + 1]] = (i + j) / 2 + 1
        i = j + 1
    pos = labels == 1
    n_pos, n_neg = pos.sum(), (~pos).sum()
    return float((ranks[pos].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def mrr_score(labels: np.ndarray, order: np.ndarray) -> float:
    y = labels[order]
    return float(np.sum(y / (np.arange(len(y)) + 1)) / np.sum(labels))


def dcg_score(labels: np.ndarray, order: np.ndarray, k: int) -> float:
    y = labels[order[:k]]
    return float(np.sum((2.0 ** y - 1) / np.log2(np.arange(len(y)) + 2)))


def ndcg_score(labels: np.ndarray, order: np.ndarray, k: int) -> float:
    ideal = np.argsort(-labels, kind="stable")
    return dcg_score(labels, order, k) / dcg_score(labels, ideal, k)


# ---------------------------------------------------------------------------------------------
# Training and evaluation


def title_tensor(titles: torch.Tensor, rows) -> torch.Tensor:
    return titles[torch.as_tensor(rows, dtype=torch.long)]


def batch_rows(chunk) -> tuple[torch.Tensor, torch.Tensor]:
    """History rows [B × T] (front padded with news row 0) and candidate rows [B × C] of a list of samples."""
    return (torch.tensor([s[0] for s in chunk], dtype=torch.long),
            torch.tensor([s[1] for s in chunk], dtype=torch.long))


def plain_scores(model, titles, hist_rows, cand_rows, stats=None) -> torch.Tensor:
    """The plain pipeline: every history slot and candidate gets its own title, padded to the full length."""
    hist_titles = titles[hist_rows]  # [B × T × L]
    cand_titles = titles[cand_rows]  # [B × C × L]
    if stats is not None:
        stats["titles"] += hist_titles.shape[0] * hist_titles.shape[1] + cand_titles.shape[0] * cand_titles.shape[1]
        stats["positions"] += hist_titles.numel() + cand_titles.numel()
        stats["history_slots"] += hist_rows.numel()
    return model.forward_tokens(hist_titles, cand_titles, hist_rows != 0)


def bucket_bounds(n: int, sorted_lengths: torch.Tensor, buckets: int) -> list[tuple[int, int]]:
    """[start, end) ranges of the length-sorted titles: `buckets` groups of equal count, or, with 0, one group
    per distinct length."""
    if n == 0:
        return []
    if buckets == 0:
        _, counts = torch.unique_consecutive(sorted_lengths, return_counts=True)
        ends = torch.cumsum(counts, 0).tolist()
        return list(zip([0] + ends[:-1], ends))
    k = min(buckets, n)
    edges = [round(i * n / k) for i in range(k + 1)]
    return [(a, b) for a, b in zip(edges[:-1], edges[1:]) if b > a]


def dedup_trim_scores(model, titles, title_lengths, hist_rows, cand_rows, buckets: int,
                      stats=None) -> torch.Tensor:
    """The same scores as `plain_scores`, with the work a careful PyTorch user would keep:

    - histories cut to the batch's longest real history (they are front padded: the last columns);
    - each distinct news of the batch once: torch.unique(return_inverse=True) over history and candidate rows,
      and its vector indexed back for every use (autograd adds up the gradients of all uses);
    - padding trimmed: the distinct titles sorted by length, cut into `buckets` groups (0: one per length),
      each encoded at its own longest title. Titles are right padded and the model has no positions, so a title
      cut to a length ≥ its real length gives exactly the masked result; titles without a real token (the
      padding news row 0) encode to the zero vector, as in the padded pipeline (all-masked pooling), and are
      not computed.
    """
    hist_mask_full = hist_rows != 0
    t = max(int(hist_mask_full.sum(1).max()), 1)
    hist_rows = hist_rows[:, -t:]
    b, c = cand_rows.shape
    unique, inverse = torch.unique(torch.cat([hist_rows.reshape(-1), cand_rows.reshape(-1)]), return_inverse=True)
    lengths = title_lengths[unique]
    sorted_lengths, order = torch.sort(lengths, stable=True)
    empty = int((sorted_lengths == 0).sum())
    parts = [torch.zeros(empty, model.cfg.hidden)] if empty else []
    positions = 0
    for start, end in bucket_bounds(len(unique) - empty, sorted_lengths[empty:], buckets):
        start, end = start + empty, end + empty
        width = int(sorted_lengths[end - 1])
        parts.append(model.encode_news(titles[unique[order[start:end]], :width]))
        positions += (end - start) * width
    news_sorted = torch.cat(parts)  # [U × H], rows in the order of `order`
    rank = torch.empty_like(order)
    rank[order] = torch.arange(len(order))
    uses = rank[inverse]  # row of news_sorted for every history slot and candidate
    hist = news_sorted[uses[:b * t]].view(b, t, -1)
    cand = news_sorted[uses[b * t:]].view(b, c, -1)
    if stats is not None:
        stats["titles"] += len(unique) - empty
        stats["positions"] += positions
        stats["history_slots"] += hist_rows.numel()
    users = model.encode_users(hist, hist_rows != 0)
    return torch.einsum("bch,bh->bc", cand, users)


def batch_scores(model, titles, title_lengths, chunk, args, stats=None) -> torch.Tensor:
    hist_rows, cand_rows = batch_rows(chunk)
    if args.dedup_trim:
        return dedup_trim_scores(model, titles, title_lengths, hist_rows, cand_rows, args.buckets, stats)
    return plain_scores(model, titles, hist_rows, cand_rows, stats)


def train_epoch(model, opt, titles, title_lengths, samples, args, epoch: int) -> dict:
    model.train()
    b = args.batch_size
    n_batches = math.ceil(len(samples) / b)
    t0 = time.perf_counter()
    last_t, last_n, total_loss, seen = t0, 0, 0.0, 0
    work = {"titles": 0, "positions": 0, "history_slots": 0}
    # Timed part: after the first --warmup-batches batches (all of them when the epoch is not longer).
    warmup = args.warmup_batches if args.warmup_batches < n_batches else 0
    timed_t0, timed_n = t0, 0
    for bi in range(n_batches):
        if bi == warmup:
            timed_t0, timed_n = time.perf_counter(), seen
        chunk = samples[bi * b:(bi + 1) * b]
        opt.zero_grad(set_to_none=True)
        loss = nrms.loss_fn(batch_scores(model, titles, title_lengths, chunk, args, work))
        loss.backward()
        opt.step()
        total_loss += loss.item() * len(chunk)
        seen += len(chunk)
        now = time.perf_counter()
        if now - last_t >= args.log_every or bi == n_batches - 1:
            rate = (seen - last_n) / (now - last_t)
            log(f"epoch {epoch} batch {bi + 1}/{n_batches} loss {total_loss / seen:.4f} "
                f"{rate:.1f} samples/s")
            last_t, last_n = now, seen
    end = time.perf_counter()
    elapsed, timed = end - t0, end - timed_t0
    return {"epoch": epoch, "samples": seen, "loss": total_loss / max(seen, 1), "seconds": elapsed,
            "warmup_batches": warmup, "timed_samples": seen - timed_n, "timed_seconds": timed,
            "samples_per_s": (seen - timed_n) / timed if timed > 0 else None,
            # per batch: titles through the news encoder, token positions computed, history slots
            "titles_per_batch": work["titles"] / max(n_batches, 1),
            "token_positions_per_batch": work["positions"] / max(n_batches, 1),
            "history_slots_per_batch": work["history_slots"] / max(n_batches, 1)}


def cut_histories(chunk, keep: int):
    """The samples of `chunk` with each history cut to its last ≤ `keep` clicks (front padded with row 0)."""
    out = []
    for hist, cands in chunk:
        real = [r for r in hist if r != 0][-keep:]
        out.append(([0] * (len(hist) - len(real)) + real, cands))
    return out


def check_equivalence(model, titles, title_lengths, samples, args) -> bool:
    """Dropout off, the same weights: loss and gradients of the first batches through both pipelines.

    Weights: the spec init (scores near 0, loss ≈ ln 5), then a wider init (Linear weights and biases
    N(0, 0.1²)) whose scores spread. Histories: as sampled (the longest in a batch is usually the full 50, so
    nothing to trim), then cut to their last ≤ 10 clicks, which exercises the history trim. Gradients are
    compared over all parameters at once (‖Δg‖/‖g‖) and per parameter, skipping parameters whose gradient norm
    is below 1e-6 of the whole (the biases of the attention scores, whose gradient is 0 up to rounding: a
    softmax does not change when every score moves by the same amount).
    """
    model.eval()
    ok = True
    results = []
    inits = [("spec init", None), ("init std 0.1", 0.1)]
    for init_name, std in inits:
        torch.manual_seed(args.seed)
        if std is None:
            model.reset_parameters()
        else:
            model.reset_parameters(linear_std=std, bias_std=std)
        for bi in range(args.check_batches):
            base = samples[bi * args.batch_size:(bi + 1) * args.batch_size]
            if not base:
                break
            for hist_name, chunk in (("histories as sampled", base), ("histories cut to ≤ 10", cut_histories(base, 10))):
                grads, losses, works = [], [], []
                for dedup in (False, True):
                    args.dedup_trim = dedup
                    work = {"titles": 0, "positions": 0, "history_slots": 0}
                    model.zero_grad(set_to_none=True)
                    loss = nrms.loss_fn(batch_scores(model, titles, title_lengths, chunk, args, work))
                    loss.backward()
                    losses.append(loss.item())
                    works.append(work)
                    grads.append({n: p.grad.detach().clone() for n, p in model.named_parameters()
                                  if p.grad is not None})
                rel = abs(losses[1] - losses[0]) / abs(losses[0])
                names = sorted(set(grads[0]) & set(grads[1]))
                missing = sorted(set(grads[0]) ^ set(grads[1]))
                total = math.sqrt(sum(float(grads[0][n].norm()) ** 2 for n in names))
                delta = math.sqrt(sum(float((grads[1][n] - grads[0][n]).norm()) ** 2 for n in names))
                per_param = {n: float((grads[1][n] - grads[0][n]).norm() / grads[0][n].norm()) for n in names
                             if float(grads[0][n].norm()) >= 1e-6 * total}
                worst = max(per_param, key=per_param.get)
                batch_ok = rel <= 1e-5 and not missing
                ok &= batch_ok
                results.append({"init": init_name, "histories": hist_name, "batch": bi, "loss_plain": losses[0],
                                "loss_dedup_trim": losses[1], "loss_rel_diff": rel,
                                "grad_rel_diff": delta / total, "max_param_grad_rel_diff": per_param[worst],
                                "max_param": worst, "params_compared": len(per_param), "params": len(names),
                                "plain": works[0], "dedup_trim": works[1], "ok": batch_ok})
                log(f"{init_name}, {hist_name}, batch {bi}: loss plain {losses[0]:.9f} dedup+trim {losses[1]:.9f} "
                    f"(relative difference {rel:.1e}); gradients ‖Δg‖/‖g‖ {delta / total:.1e}, worst parameter "
                    f"{per_param[worst]:.1e} ({worst}; {len(per_param)} of {len(names)} compared)"
                    f"{'' if not missing else f'; gradients only in one pipeline: {missing}'}; titles encoded "
                    f"{works[0]['titles']} → {works[1]['titles']}, token positions {works[0]['positions']} → "
                    f"{works[1]['positions']}, history slots {works[0]['history_slots']} → "
                    f"{works[1]['history_slots']}: {'ok' if batch_ok else 'MISMATCH'}")
    log(f"equivalence ({args.encoder}, --buckets {args.buckets}): "
        f"{'every loss within 1e-5 relative' if ok else 'FAILED'}; largest loss difference "
        f"{max(r['loss_rel_diff'] for r in results):.1e}, largest gradient difference "
        f"{max(r['grad_rel_diff'] for r in results):.1e}")
    summary = {"check_equivalence": results, "encoder": args.encoder, "buckets": args.buckets, "ok": ok,
               "torch": torch.__version__}
    if args.json:
        print(json.dumps(summary, indent=2))
    return ok


@torch.no_grad()
def evaluate(model, titles, impressions, args) -> dict:
    model.eval()
    t0 = time.perf_counter()
    news_vecs = torch.cat([model.encode_news(titles[i:i + 1024]) for i in range(0, len(titles), 1024)])
    t_news = time.perf_counter() - t0
    aucs, mrrs, ndcg5s, ndcg10s, skipped_auc, skipped_rank = [], [], [], [], 0, 0
    for i in range(0, len(impressions), 256):
        chunk = impressions[i:i + 256]
        hist_rows = torch.tensor([imp[0] for imp in chunk], dtype=torch.long)
        users = model.encode_users(news_vecs[hist_rows], hist_rows != 0)  # [B × H]
        for (_, cands, labels), user in zip(chunk, users):
            scores = (news_vecs[torch.tensor(cands)] @ user).double().numpy()
            y = np.array(labels, dtype=np.float64)
            order = np.argsort(-scores, kind="stable")
            if y.sum() == 0:
                skipped_rank += 1
                skipped_auc += 1
                continue
            if y.sum() == len(y):
                skipped_auc += 1
            else:
                aucs.append(auc_score(y, scores))
            mrrs.append(mrr_score(y, order))
            ndcg5s.append(ndcg_score(y, order, 5))
            ndcg10s.append(ndcg_score(y, order, 10))
    mean = lambda xs: float(np.mean(xs)) if xs else float("nan")  # noqa: E731
    return {"auc": mean(aucs), "mrr": mean(mrrs), "ndcg@5": mean(ndcg5s), "ndcg@10": mean(ndcg10s),
            "impressions": len(impressions), "skipped_auc": skipped_auc, "skipped_no_click": skipped_rank,
            "news_encode_seconds": t_news, "seconds": time.perf_counter() - t0}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True, help="directory with train/ and dev/ (news.tsv, behaviors.tsv)")
    ap.add_argument("--encoder", choices=["fastformer", "mhsa"], default="fastformer")
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--max-samples", type=int, default=None, help="train on the first N samples of each epoch")
    ap.add_argument("--max-dev", type=int, default=None, help="evaluate on the first N dev impressions")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--glove", default=None, help="GloVe text file; word_dim becomes its dimension")
    ap.add_argument("--word-dim", type=int, default=300)
    ap.add_argument("--hidden", type=int, default=256)
    ap.add_argument("--heads", type=int, default=16)
    ap.add_argument("--pooling-dim", type=int, default=200)
    ap.add_argument("--title-length", type=int, default=30)
    ap.add_argument("--history-length", type=int, default=50)
    ap.add_argument("--negatives", type=int, default=4)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--lr", type=float, default=1e-4)
    ap.add_argument("--dropout", type=float, default=0.2)
    ap.add_argument("--warmup-batches", type=int, default=0,
                    help="batches at the start of each epoch left out of its samples/s (trained all the same)")
    ap.add_argument("--log-every", type=float, default=10.0, help="seconds between progress lines")
    ap.add_argument("--save", default=None, help="write a checkpoint directory after training")
    ap.add_argument("--json", action="store_true", help="print a JSON summary to stdout")
    ap.add_argument("--dedup-trim", action="store_true",
                    help="encode each distinct news of a batch once, titles trimmed by length buckets and histories "
                         "to the batch's longest (same math as the plain pipeline; see the module docstring)")
    ap.add_argument("--buckets", type=int, default=8,
                    help="with --dedup-trim: groups of the length-sorted distinct titles, each encoded at its own "
                         "longest title (1 = trim the batch to its longest title; 0 = one group per length)")
    ap.add_argument("--check-equivalence", action="store_true",
                    help="instead of training: dropout off, the first --check-batches batches through both "
                         "pipelines with the same weights; prints losses and gradient differences, exits 1 when a "
                         "loss differs by more than 1e-5 relative")
    ap.add_argument("--check-batches", type=int, default=2)
    args = ap.parse_args()
    if args.buckets < 0:
        ap.error("--buckets must be ≥ 0")

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    t_start = time.perf_counter()

    news_paths = [os.path.join(args.data, s, "news.tsv") for s in ("train", "dev")]
    news_ids, news_titles = read_news(news_paths)
    vocab = nrms.build_vocab(news_titles)
    word_index = {w: i for i, w in enumerate(vocab)}
    # Row 0 = padding news (all-zero title); news i of the files is row i + 1.
    news_index = {nid: i + 1 for i, nid in enumerate(news_ids)}
    titles = torch.zeros(len(news_ids) + 1, args.title_length, dtype=torch.long)
    for i, title in enumerate(news_titles):
        titles[i + 1] = torch.tensor(nrms.encode_title(title, word_index, args.title_length))
    train_imps = list(read_behaviors(os.path.join(args.data, "train", "behaviors.tsv"), news_index,
                                     args.history_length))
    dev_imps = list(read_behaviors(os.path.join(args.data, "dev", "behaviors.tsv"), news_index,
                                   args.history_length))
    if args.max_dev is not None:
        dev_imps = dev_imps[:args.max_dev]
    t_load = time.perf_counter() - t_start
    log(f"loaded {len(news_ids)} news, vocab {len(vocab)}, {len(train_imps)} train / {len(dev_imps)} dev "
        f"impressions in {t_load:.1f} s")

    word_dim = glove_dimension(args.glove) if args.glove else args.word_dim
    cfg = nrms.Config(encoder=args.encoder, word_dim=word_dim, hidden=args.hidden, heads=args.heads,
                      pooling_dim=args.pooling_dim, title_length=args.title_length,
                      history_length=args.history_length, vocab_size=len(vocab), dropout=args.dropout)
    model = nrms.NRMS(cfg)
    if args.glove:
        found = load_glove(args.glove, vocab, model.word_embedding.weight)
        log(f"GloVe: {found} of {len(vocab) - 2} words found")
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    title_lengths = (titles != 0).sum(1)  # titles are right padded

    if args.check_equivalence:
        samples = make_samples(train_imps, len(titles), args.negatives, rng)
        rng.shuffle(samples)
        sys.exit(0 if check_equivalence(model, titles, title_lengths, samples, args) else 1)

    epochs, dev = [], None
    for epoch in range(1, args.epochs + 1):
        samples = make_samples(train_imps, len(titles), args.negatives, rng)
        rng.shuffle(samples)
        if args.max_samples is not None:
            samples = samples[:args.max_samples]
        stats = train_epoch(model, opt, titles, title_lengths, samples, args, epoch)
        warm = f" after {stats['warmup_batches']} warm-up batches" if stats["warmup_batches"] else ""
        log(f"epoch {epoch}: {stats['samples']} samples, loss {stats['loss']:.4f}, {stats['seconds']:.1f} s, "
            f"{stats['samples_per_s']:.1f} samples/s{warm}")
        dev = evaluate(model, titles, dev_imps, args)
        stats["dev"] = dev
        epochs.append(stats)
        log(f"epoch {epoch} dev: AUC {dev['auc']:.4f} MRR {dev['mrr']:.4f} nDCG@5 {dev['ndcg@5']:.4f} "
            f"nDCG@10 {dev['ndcg@10']:.4f} ({dev['impressions']} impressions, {dev['seconds']:.1f} s)")

    if args.save:
        nrms.save_checkpoint(model, vocab, args.save)
        log(f"checkpoint written to {args.save}")

    summary = {"encoder": args.encoder, "pipeline": "dedup-trim" if args.dedup_trim else "plain",
               "buckets": args.buckets if args.dedup_trim else None,
               "config": cfg.to_json(), "threads": args.threads, "seed": args.seed,
               "lr": args.lr, "batch_size": args.batch_size, "max_samples": args.max_samples,
               "news": len(news_ids), "train_impressions": len(train_imps), "dev_impressions": len(dev_imps),
               "load_seconds": t_load, "epochs": epochs, "dev": dev,
               "total_seconds": time.perf_counter() - t_start, "torch": torch.__version__}
    if args.json:
        print(json.dumps(summary, indent=2))
    elif dev is not None:
        print(f"dev AUC {dev['auc']:.4f} MRR {dev['mrr']:.4f} nDCG@5 {dev['ndcg@5']:.4f} "
              f"nDCG@10 {dev['ndcg@10']:.4f}")


if __name__ == "__main__":
    try:
        main()
    except DataError as e:
        log(f"error: {e}")
        sys.exit(1)
