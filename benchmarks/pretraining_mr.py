"""MR polarity: an RNNClassifier from random weights against the same classifier started
from an RNNLanguageModel pretrained on the training fold's own sentences (Dai & Le 2015).

Run through ``python benchmarks/language_model.py --task mr --folds K`` (the first K of
10 stratified folds; the pretraining sees only the training fold's sentences, no test
text). A third arm, the control, starts the classifier from the same language model
before any training (``max_epochs=0``): what it gains over random init comes from the
starting weights' shape and scale, and only what the pretrained arm gains beyond it
comes from the text. Prints per-fold accuracies, their means and the paired differences.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.model_selection import StratifiedKFold

from sklearn_rnn import RNNClassifier, RNNLanguageModel
from sklearn_rnn.pretraining import init_from_language_model

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples"))
from sentiment_mr import load_mr  # noqa: E402

#: Shared by both arms: a unidirectional LSTM (what a language model can initialise).
ARCHITECTURE = dict(cell="lstm", hidden_size=128, embedding_dim=100, num_layers=1)
CLASSIFIER = dict(
    bidirectional=False,
    pooling="max",
    dropout=0.5,
    lr=2e-3,
    max_epochs=5,
    batch_size=64,
    tokenizer="whitespace",
    lowercase=True,
    min_freq=2,
)
LANGUAGE_MODEL = dict(
    tokenizer="whitespace",
    lowercase=True,
    max_vocab=5000,
    bptt=35,
    batch_size=32,
    dropout=0.2,
    lr=2e-3,
    max_epochs=4,
)


def run_mr(args) -> None:
    classifier = {**CLASSIFIER, "pooling": args.pooling}
    language_model = {**LANGUAGE_MODEL, "max_epochs": args.lm_epochs}
    texts, labels = load_mr(args.data_dir)
    texts, labels = np.asarray(texts, dtype=object), np.asarray(labels)
    folds = list(StratifiedKFold(10, shuffle=True, random_state=0).split(texts, labels))
    print(f"# MR, {len(texts):,} sentences, first {args.folds} of 10 stratified folds")
    print(f"classifier {ARCHITECTURE | classifier}\nlanguage model {language_model}", flush=True)
    scores = {"random init": [], "untrained-LM init": [], "LM init": []}
    for k, (train, test) in enumerate(folds[: args.folds]):
        t = time.perf_counter()
        lm = RNNLanguageModel(**ARCHITECTURE, **language_model, random_state=k)
        lm.fit(list(texts[train]))
        lm_seconds = time.perf_counter() - t
        untrained = RNNLanguageModel(**ARCHITECTURE, **{**language_model, "max_epochs": 0})
        untrained.set_params(random_state=k).fit(list(texts[train]))
        arms = {
            "random init": RNNClassifier(**ARCHITECTURE, **classifier),
            "untrained-LM init": RNNClassifier(
                **{**classifier, **init_from_language_model(untrained)}
            ),
            "LM init": RNNClassifier(**{**classifier, **init_from_language_model(lm)}),
        }
        for name, clf in arms.items():
            clf.set_params(random_state=k).fit(list(texts[train]), labels[train])
            scores[name].append(clf.score(list(texts[test]), labels[test]))
        perplexity = lm.perplexity(list(texts[train][:500]))
        print(
            f"fold {k}: random {scores['random init'][-1]:.4f}  "
            f"untrained-LM {scores['untrained-LM init'][-1]:.4f}  "
            f"LM-init {scores['LM init'][-1]:.4f}  (LM pretraining {lm_seconds:.0f} s, "
            f"perplexity on 500 of its sentences {perplexity:.0f}; "
            f"fold {time.perf_counter() - t:.0f} s)",
            flush=True,
        )
    print("\n| classifier | mean accuracy | folds |")
    print("| --- | --- | --- |")
    for name, values in scores.items():
        spread = f" ± {statistics.stdev(values):.3f}" if len(values) > 1 else ""
        print(f"| {name} | {np.mean(values):.4f}{spread} | {len(values)} |")
    for better, worse in (("LM init", "random init"), ("LM init", "untrained-LM init")):
        diff = np.subtract(scores[better], scores[worse])
        print(
            f"\n{better} - {worse}, paired per fold: mean {diff.mean():+.4f}, "
            f"{int((diff > 0).sum())} of {len(diff)} folds better"
        )
