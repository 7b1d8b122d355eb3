#!/usr/bin/env python3
"""Straightforward PyTorch training reference of NRMS (Fastformer or MHSA) on MIND-format data.

Reference-only, for comparing newsrec's trainer (speed and quality). Deliberately plain:
- reads DATA/train/{news,behaviors}.tsv and DATA/dev/{news,behaviors}.tsv directly;
- tokenizer: lowercase + re.findall(r"[\\w]+|[.,!?;|]"); vocabulary from the titles of all news files
  (train then dev), id 0 [PAD], 1 [UNK], words in order of first appearance; optional GloVe text init;
- every title padded/cut to 30 tokens, no deduplication inside a batch (64 × 55 titles per batch);
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


def train_epoch(model, opt, titles, samples, args, epoch: int) -> dict:
    model.train()
    b = args.batch_size
    n_batches = math.ceil(len(samples) / b)
    t0 = time.perf_counter()
    last_t, last_n, total_loss, seen = t0, 0, 0.0, 0
    for bi in range(n_batches):
        chunk = samples[bi * b:(bi + 1) * b]
        hist_rows = torch.tensor([s[0] for s in chunk], dtype=torch.long)  # [B × T]
        cand_rows = torch.tensor([s[1] for s in chunk], dtype=torch.long)  # [B × C]
        hist_titles = titles[hist_rows]  # [B × T × L]
        cand_titles = titles[cand_rows]  # [B × C × L]
        hist_mask = hist_rows != 0
        opt.zero_grad(set_to_none=True)
        loss = nrms.loss_fn(model.forward_tokens(hist_titles, cand_titles, hist_mask))
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
    elapsed = time.perf_counter() - t0
    return {"epoch": epoch, "samples": seen, "loss": total_loss / max(seen, 1), "seconds": elapsed,
            "samples_per_s": seen / elapsed if elapsed > 0 else None}


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
    ap.add_argument("--log-every", type=float, default=10.0, help="seconds between progress lines")
    ap.add_argument("--save", default=None, help="write a checkpoint directory after training")
    ap.add_argument("--json", action="store_true", help="print a JSON summary to stdout")
    args = ap.parse_args()

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

    epochs, dev = [], None
    for epoch in range(1, args.epochs + 1):
        samples = make_samples(train_imps, len(titles), args.negatives, rng)
        rng.shuffle(samples)
        if args.max_samples is not None:
            samples = samples[:args.max_samples]
        stats = train_epoch(model, opt, titles, samples, args, epoch)
        log(f"epoch {epoch}: {stats['samples']} samples, loss {stats['loss']:.4f}, {stats['seconds']:.1f} s, "
            f"{stats['samples_per_s']:.1f} samples/s")
        dev = evaluate(model, titles, dev_imps, args)
        stats["dev"] = dev
        epochs.append(stats)
        log(f"epoch {epoch} dev: AUC {dev['auc']:.4f} MRR {dev['mrr']:.4f} nDCG@5 {dev['ndcg@5']:.4f} "
            f"nDCG@10 {dev['ndcg@10']:.4f} ({dev['impressions']} impressions, {dev['seconds']:.1f} s)")

    if args.save:
        nrms.save_checkpoint(model, vocab, args.save)
        log(f"checkpoint written to {args.save}")

    summary = {"encoder": args.encoder, "config": cfg.to_json(), "threads": args.threads, "seed": args.seed,
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
