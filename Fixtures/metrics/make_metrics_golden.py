#!/usr/bin/env python3
"""Writes Fixtures/metrics/golden.json: per-impression AUC/MRR/nDCG@5/nDCG@10 from an implementation that is
independent of the Swift code, for the Metrics tests (compared to 1e-9).

AUC comes from sklearn.metrics.roc_auc_score (ties count one half); MRR and nDCG follow the formulas of MIND's
evaluate.py (gain 2^y - 1, discount log2(rank + 1), MRR over all clicks), with candidates ordered by score
descending and ties broken by candidate order (a stable sort), the convention newsrec documents.
The "leaderboard" block scores y_score = 1/rank over the two-class impressions, as evaluate.py does with a
prediction file (ranks are distinct, so numpy's unstable argsort cannot disagree).

Run (sklearn is a fixture-only dependency):  python3 -m venv /tmp/v && /tmp/v/bin/pip install scikit-learn
    && /tmp/v/bin/python Fixtures/metrics/make_metrics_golden.py
"""
import json
import os

import numpy as np
from sklearn.metrics import roc_auc_score


def order_by_score(scores):
    return sorted(range(len(scores)), key=lambda i: -scores[i])  # Python's sort is stable


def dcg(labels, order, k):
    top = [labels[i] for i in order[:k]]
    return sum((2.0 ** y - 1.0) / np.log2(position + 2.0) for position, y in enumerate(top))


def ndcg(labels, scores, k):
    ideal = sorted(range(len(labels)), key=lambda i: -labels[i])
    return dcg(labels, order_by_score(scores), k) / dcg(labels, ideal, k)


def mrr(labels, scores):
    order = order_by_score(scores)
    return sum(labels[i] / (position + 1.0) for position, i in enumerate(order)) / sum(labels)


def ranks(scores):
    result = [0] * len(scores)
    for position, i in enumerate(order_by_score(scores)):
        result[i] = position + 1
    return result


def evaluate_style(labels, rank_list):
    """evaluate.py's path for one prediction line: y_score = 1/rank, numpy argsort order."""
    y_true = np.array(labels, dtype="float32")
    y_score = np.array([1.0 / r for r in rank_list])
    order = np.argsort(y_score)[::-1]

    def dcg_np(y, o, k):
        taken = np.take(y, o[:k])
        return np.sum((2 ** taken - 1) / np.log2(np.arange(len(taken)) + 2))

    ideal = np.argsort(y_true)[::-1]
    taken = np.take(y_true, order)
    return (roc_auc_score(y_true, y_score),
            float(np.sum(taken / (np.arange(len(taken)) + 1)) / np.sum(y_true)),
            float(dcg_np(y_true, order, 5) / dcg_np(y_true, ideal, 5)),
            float(dcg_np(y_true, order, 10) / dcg_np(y_true, ideal, 10)))


def main():
    rng = np.random.default_rng(20191115)
    impressions = []
    for index in range(50):
        n = int(rng.integers(2, 61))
        if index == 7:
            labels = [0] * n                      # no click: every metric undefined
        elif index == 19:
            labels = [1] * n                      # all clicks: no AUC, MRR/nDCG defined
        else:
            clicks = int(rng.integers(1, max(2, n // 4) + 1))
            labels = [0] * n
            for i in rng.choice(n, size=min(clicks, n - 1), replace=False):
                labels[int(i)] = 1
        if index % 5 == 3:
            scores = [round(float(x), 1) for x in rng.random(n)]   # many ties
        else:
            scores = [float(x) for x in rng.normal(size=n)]
        two_class = 0 < sum(labels) < n
        impressions.append({
            "labels": labels,
            "scores": scores,
            "ranks": ranks(scores),
            "auc": float(roc_auc_score(labels, scores)) if two_class else None,
            "mrr": mrr(labels, scores) if sum(labels) > 0 else None,
            "ndcg5": ndcg(labels, scores, 5) if sum(labels) > 0 else None,
            "ndcg10": ndcg(labels, scores, 10) if sum(labels) > 0 else None,
        })

    def mean(key):
        values = [imp[key] for imp in impressions if imp[key] is not None]
        return float(np.mean(values))

    board = [evaluate_style(imp["labels"], imp["ranks"]) for imp in impressions
             if 0 < sum(imp["labels"]) < len(imp["labels"])]
    golden = {
        "impressions": impressions,
        "summary": {
            "auc": mean("auc"), "mrr": mean("mrr"), "ndcg5": mean("ndcg5"), "ndcg10": mean("ndcg10"),
            "impressions": len(impressions),
            "skipped": sum(1 for imp in impressions if imp["auc"] is None),
            "withoutClick": sum(1 for imp in impressions if imp["mrr"] is None),
        },
        "leaderboard": {
            "auc": float(np.mean([b[0] for b in board])), "mrr": float(np.mean([b[1] for b in board])),
            "ndcg5": float(np.mean([b[2] for b in board])), "ndcg10": float(np.mean([b[3] for b in board])),
            "impressions": len(board),
        },
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "golden.json")
    with open(path, "w") as out:
        json.dump(golden, out, separators=(",", ":"))
        out.write("\n")
    print(path, golden["summary"], golden["leaderboard"])


if __name__ == "__main__":
    main()
