"""Text defaults against TF-IDF + LogisticRegression on MR and Subj, 10-fold CV, one run.

Per dataset and fold, in the same process and on the same split: ``RNNClassifier()``
(the defaults; and the same fit with its naive Bayes table zeroed, which is the network
alone, as naive Bayes never changes training), on MR ``RNNClassifier(**BEFORE_28)`` too
(the defaults before the wide n-gram branch of issue #28, for the fit-time and accuracy
comparison; on Subj as well with ``--before-everywhere``), and the two baselines a
scikit-learn user fits first, TF-IDF word unigrams and unigrams + bigrams under
``LogisticRegression()``. Accuracy (mean ± standard deviation over the folds) and mean
fit seconds per fold.

==========  ==============================================================  =============
data        file(s)                                                         published
==========  ==============================================================  =============
MR          ``rt-polarity.pos``/``.neg`` (Pang & Lee 2005) or ``mr_utf8.tsv``  NBSVM-bi 79.4
Subj        ``subj.all``, ``label sentence`` lines (Pang & Lee 2004)           NBSVM-bi 93.2
==========  ==============================================================  =============

Usage::

    python benchmarks/text.py --mr ../shared/data/MR --subj ../shared/data/subj/subj.all
    python benchmarks/text.py --mr ../shared/data/MR --folds 2 --arms defaults tfidf
    python benchmarks/text.py ... --json results.json   # rewritten after every fold

Torch runs on ``--threads`` threads (default 1). Folds: ``StratifiedKFold(10,
shuffle=True, random_state=0)``; the networks are seeded with the fold's index.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

import numpy as np
import torch
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sklearn_rnn import RNNClassifier  # noqa: E402
from sklearn_rnn.datasets import (  # noqa: E402
    load_labeled_sentences,
    load_polarity,
    load_tsv_sentences,
)

#: The token-input defaults before issue #28 (the wide n-gram branch).
BEFORE_28 = {"wide_ngrams": None}

ARMS = {
    "defaults": lambda seed: RNNClassifier(random_state=seed),
    "before #28": lambda seed: RNNClassifier(random_state=seed, **BEFORE_28),
    "TF-IDF + LR": lambda seed: make_pipeline(TfidfVectorizer(), LogisticRegression()),
    "TF-IDF (1-2 grams) + LR": lambda seed: make_pipeline(
        TfidfVectorizer(ngram_range=(1, 2)), LogisticRegression()
    ),
}
#: The defaults' own fit scored with its naive Bayes table zeroed: naive Bayes never
#: changes training, so this is the network alone, on the same draws.
SAME_FIT = "defaults, naive Bayes off"

ARM_GROUPS = {
    "defaults": ["defaults"],
    "before": ["before #28"],
    "tfidf": ["TF-IDF + LR", "TF-IDF (1-2 grams) + LR"],
}


def load_mr(path) -> tuple[list[str], np.ndarray]:
    """MR from a folder (``rt-polarity.pos``/``.neg`` or ``mr_utf8.tsv``) or either file."""
    path = Path(path)
    if path.is_file():
        return load_tsv_sentences(path) if path.suffix == ".tsv" else load_labeled_sentences(path)
    if (path / "rt-polarity.pos").is_file():
        return load_polarity(path / "rt-polarity.pos", path / "rt-polarity.neg")
    if (path / "mr_utf8.tsv").is_file():
        return load_tsv_sentences(path / "mr_utf8.tsv")
    raise FileNotFoundError(f"no rt-polarity.pos/.neg or mr_utf8.tsv in {path}")


def load_subj(path) -> tuple[list[str], np.ndarray]:
    """Subj from ``subj.all`` or the folder holding it."""
    path = Path(path)
    return load_labeled_sentences(path / "subj.all" if path.is_dir() else path)


def cross_validate(datasets, arms, folds, report):
    """Fit and score every arm of every dataset, fold after fold; fill ``report``.

    Folds alternate between the datasets (MR fold 1, Subj fold 1, MR fold 2, ...), so a
    run cut short holds as many folds of each. Yields after each dataset's fold.
    """
    splits = {}
    for name, (texts, labels) in datasets.items():
        texts = np.asarray(texts, dtype=object)
        folds_of = list(StratifiedKFold(10, shuffle=True, random_state=0).split(texts, labels))
        splits[name] = (texts, labels, folds_of)
        scored = [
            a for arm in arms[name] for a in ([arm, SAME_FIT] if arm == "defaults" else [arm])
        ]
        report[name] = {arm: {"accuracy": [], "fit_seconds": []} for arm in scored}
    for i in range(folds):
        for name, (texts, labels, folds_of) in splits.items():
            train, test = folds_of[i]
            result = report[name]
            for arm in arms[name]:
                model = ARMS[arm](i)
                start = time.perf_counter()
                model.fit(list(texts[train]), labels[train])
                seconds = time.perf_counter() - start
                accuracy = float(model.score(list(texts[test]), labels[test]))
                result[arm]["accuracy"].append(accuracy)
                result[arm]["fit_seconds"].append(seconds)
                if arm == "defaults":
                    alone = score_without_naive_bayes(model, list(texts[test]), labels[test])
                    result[SAME_FIT]["accuracy"].append(alone)
                    result[SAME_FIT]["fit_seconds"].append(seconds)
            line = ", ".join(
                f"{arm} {r['accuracy'][-1]:.4f} ({r['fit_seconds'][-1]:.0f} s)"
                for arm, r in result.items()
            )
            print(f"  {name} fold {i + 1}/{folds}: {line}", flush=True)
            yield


def score_without_naive_bayes(model, texts, labels) -> float:
    """``model``'s accuracy with its naive Bayes table (``naive_bayes``) zeroed."""
    wide = getattr(model.module_, "wide", None)
    table = None if wide is None else wide.naive_bayes
    if table is None:
        return float(model.score(texts, labels))
    kept = table.clone()
    table.zero_()
    try:
        return float(model.score(texts, labels))
    finally:
        table.copy_(kept)


def table(report) -> str:
    lines = [f"{'data':6} {'model':26} {'folds':>5} {'accuracy':>16} {'fit s/fold':>10}"]
    for name, arms in report.items():
        for arm, r in arms.items():
            acc = np.array(r["accuracy"])
            if not len(acc):
                continue
            lines.append(
                f"{name:6} {arm:26} {len(acc):5d} {acc.mean():8.4f} ± {acc.std():.4f} "
                f"{np.mean(r['fit_seconds']):10.1f}"
            )
    return "\n".join(lines)


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mr", help="MR folder (rt-polarity.pos/.neg or mr_utf8.tsv)")
    parser.add_argument("--subj", help="Subj's subj.all (or its folder)")
    parser.add_argument("--folds", type=int, default=10, help="the first K of 10 folds")
    parser.add_argument("--arms", nargs="+", choices=list(ARM_GROUPS), default=list(ARM_GROUPS))
    parser.add_argument(
        "--before-everywhere",
        action="store_true",
        help="fit the defaults before #28 on Subj too (default: on MR only)",
    )
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--json", help="write the results here (after every fold)")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    chosen = [arm for group in args.arms for arm in ARM_GROUPS[group]]
    print(
        f"# torch {torch.__version__}, {args.threads} thread(s), {platform.processor() or ''}",
        flush=True,
    )
    loaders = {"MR": (args.mr, load_mr), "Subj": (args.subj, load_subj)}
    datasets = {name: load(path) for name, (path, load) in loaders.items() if path is not None}
    # The defaults before #28 are the fit-time reference, measured on MR.
    before = set(datasets) if args.before_everywhere else {"MR"}
    arms = {
        name: [arm for arm in chosen if arm != "before #28" or name in before] for name in datasets
    }
    report: dict = {}
    for _ in cross_validate(datasets, arms, args.folds, report):
        if args.json:
            Path(args.json).write_text(json.dumps(report, indent=1))
    print(table(report), flush=True)
    return report


if __name__ == "__main__":
    main()
