"""Sparse against dense embedding updates: accuracy and training time, same settings.

``sparse_embeddings=True`` gives the embedding table sparse gradients and a SparseAdam
optimizer that updates only the rows a batch used ("lazy" Adam: a row's moments decay
only when it is seen); every other parameter keeps the chosen optimizer. This script
trains the same model both ways, on the same splits and seeds, and reports accuracy and
training time per epoch:

* ``text``: the speed benchmark's synthetic text workload (``benchmarks/speed.py``:
  10,000 id sequences, vocabulary 20,000, Zipf tokens, mean length ~20; the label is
  the sign of the mean of per-token weights), LSTM 128, embedding 100, batch 64,
  Adam lr 1e-3, last-step pooling, 5 epochs; stratified 80/20 split, three seeds.
* ``MR``: ``examples/sentiment_mr.py``'s documented settings (BiLSTM 128, embedding
  300, 7 epochs, ...), stratified 10-fold cross-validation (shuffled, seed 0) as in
  ``benchmarks/accuracy.py``; ``--mr-folds N`` runs the first N folds.

The epoch time here is each fit's wall time over its epochs, measured one fit after
the other (for ratios measured interleaved with a hand-written loop, see the
``sparse`` table of ``benchmarks/speed.py``).

Usage::

    python benchmarks/sparse_embeddings.py                    # text (3 seeds) + MR (10 folds)
    python benchmarks/sparse_embeddings.py --mr-folds 3 --text-seeds 1
    python benchmarks/sparse_embeddings.py --datasets text
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import sys
import time

import numpy as np
import torch
from sklearn.model_selection import StratifiedKFold, train_test_split

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, os.path.join(HERE, "..", "examples"))
sys.path.insert(0, HERE)

import sentiment_mr  # noqa: E402
import speed  # noqa: E402

from sklearn_rnn import RNNClassifier  # noqa: E402

TEXT_SETTINGS = dict(
    cell="lstm",
    hidden_size=128,
    embedding_dim=100,
    pooling="last",
    batch_size=64,
    lr=1e-3,
    max_epochs=5,
)


def fit_score(params: dict, X_train, y_train, X_test, y_test) -> tuple[float, float]:
    """Test accuracy and training seconds per epoch of one fit."""
    model = RNNClassifier(**params)
    start = time.perf_counter()
    model.fit(X_train, y_train)
    per_epoch = (time.perf_counter() - start) / len(model.history_)
    return float(model.score(X_test, y_test)), per_epoch


def compare(name: str, splits, base: dict) -> dict:
    """Dense and sparse fits on every split; per-split results and their summary."""
    result = {"dataset": name, "dense": [], "sparse": [], "dense_s": [], "sparse_s": []}
    for i, (seed, X_train, y_train, X_test, y_test) in enumerate(splits, 1):
        for kind in ("dense", "sparse"):
            params = {**base, "random_state": seed, "sparse_embeddings": kind == "sparse"}
            accuracy, per_epoch = fit_score(params, X_train, y_train, X_test, y_test)
            result[kind].append(accuracy)
            result[f"{kind}_s"].append(per_epoch)
        print(
            f"  {name} split {i}: dense {result['dense'][-1]:.4f} ({result['dense_s'][-1]:.2f} "
            f"s/epoch), sparse {result['sparse'][-1]:.4f} ({result['sparse_s'][-1]:.2f} s/epoch)",
            file=sys.stderr,
            flush=True,
        )
    return result


def text_splits(n_seeds: int):
    X, y = speed.make_text(**speed.WORKLOADS["text"])
    for seed in range(n_seeds):
        X_train, X_test, y_train, y_test = train_test_split(
            X, y, test_size=0.2, stratify=y, random_state=seed
        )
        yield seed, X_train, y_train, X_test, y_test


def mr_splits(data_dir, n_folds: int):
    texts, labels = sentiment_mr.load_mr(data_dir)
    texts = np.asarray(texts, dtype=object)
    folds = StratifiedKFold(n_splits=10, shuffle=True, random_state=0).split(texts, labels)
    # fold i trains with random_state=i, as benchmarks/accuracy.py does
    for seed, (train, test) in enumerate(itertools.islice(folds, n_folds)):
        yield seed, list(texts[train]), labels[train], list(texts[test]), labels[test]


def mean_std(values) -> str:
    std = statistics.stdev(values) if len(values) > 1 else 0.0
    return f"{statistics.mean(values):.4f} ± {std:.4f}"


def main(argv=None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", nargs="+", choices=["text", "MR"], default=["text", "MR"])
    parser.add_argument("--text-seeds", type=int, default=3)
    parser.add_argument("--mr-folds", type=int, default=10)
    parser.add_argument("--data-dir", default=sentiment_mr.SHARED_DATA)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)

    results = []
    if "text" in args.datasets:
        results.append(compare("text", text_splits(args.text_seeds), TEXT_SETTINGS))
    if "MR" in args.datasets:
        base = {k: v for k, v in sentiment_mr.SETTINGS.items() if k != "sparse_embeddings"}
        results.append(compare("MR", mr_splits(args.data_dir, args.mr_folds), base))

    print(f"torch {torch.__version__}, {args.threads} thread(s) of {os.cpu_count()} CPUs\n")
    print(
        "| data | splits | accuracy dense | accuracy sparse | sparse − dense (points) | "
        "s/epoch dense | s/epoch sparse | sparse/dense time |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for r in results:
        diff = 100 * (statistics.mean(r["sparse"]) - statistics.mean(r["dense"]))
        dense_s, sparse_s = statistics.median(r["dense_s"]), statistics.median(r["sparse_s"])
        print(
            f"| {r['dataset']} | {len(r['dense'])} | {mean_std(r['dense'])} | "
            f"{mean_std(r['sparse'])} | {diff:+.2f} | {dense_s:.2f} | {sparse_s:.2f} | "
            f"{sparse_s / dense_s:.2f} |"
        )
    print(f"\ntext settings: {TEXT_SETTINGS}\nMR settings: {sentiment_mr.SETTINGS}")
    return results


if __name__ == "__main__":
    main()
