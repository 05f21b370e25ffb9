"""UPOS tagging accuracy and training time of RNNTagger on UD English-EWT.

Trains on ``en_ewt-ud-train.conllu`` (12,544 sentences, 204,577 tokens) and reports
UPOS token accuracy on dev and test, the accuracy on test tokens never seen in
training (9 % of them), and the training time, for four configurations:

    words        word embeddings and word shapes (char_embedding_dim=0, crf=False)
    chars        + character-BiLSTM word features (char_embedding_dim=30, crf=False)
    words+crf    words, with a CRF output layer
    chars+crf    chars, with a CRF output layer

The four share ``SETTINGS`` below (two layers, 40 epochs, word dropout 0.5) and a cosine
decay of the learning rate towards 0 over the epochs (``--lr-schedule``), chosen on the dev
split; every other setting is RNNTagger's default (all printed with the table), including
the word-shape feature (``shape_embedding_dim=8``); override any of them with ``--set
name=value``. Targets on 2 cores: >= 93.5 % test accuracy for words (here: word
embeddings and shapes, no character encoder), >= 95.5 % with character features, each
trained within 20 minutes. Published reference: Plank et al.
(2016), BiLSTM without pretrained embeddings, 94.6 %.

What was tried (dev / test UPOS accuracy, seed 0, one thread on a busy 2-core machine).
Rows above the line ran with length-sorted pools of 50 batches instead of today's 100, and
only those naming it use the shape feature:

=============================================================  ===============  ========
settings (RNNTagger defaults unless named)                     dev / test       train
=============================================================  ===============  ========
words: defaults (1 layer, 10 epochs)                           92.10 / 92.37    0.7 min
words: 30 epochs                                               93.01 / 93.29    2.4 min
words: 30 epochs, ``lowercase=False``                          92.90 / 92.99    2.5 min
words: 30 epochs, ``hidden_size=256``                          93.17 / 93.19    5.2 min
words: 30 epochs, 2 layers                                     93.18 / 93.44    5.7 min
words: 40 epochs, 2 layers                                     93.39 / 93.48    5.8 min
words: 40 epochs, 2 layers, ``embedding_dim=200``              93.26 / 93.51    7.9 min
words: 40 epochs, 2 layers, ``dropout=0.5``                    92.99 / 93.38    6.1 min
words: 40 epochs, 2 layers, ``word_dropout=0.5`` (W)           93.62 / 93.47    6.1 min
words: W + cosine decay                                        93.24 / 93.34    6.4 min
chars: W                                                       95.53 / 95.48    9.5 min
chars: W + cosine decay                                        95.79 / 95.66    9.4 min
words: W + shape feature                                       94.72 / 95.23    6.5 min
chars: W + shape feature                                       95.34 / 95.44   13.8 min
-------------------------------------------------------------  ---------------  --------
words: W + cosine decay, no shape feature                      92.99 / 93.33    6.1 min
words: W + shape feature + cosine decay (chosen)               94.73 / 94.86    5.8 min
chars: W + shape feature + cosine decay (chosen)               95.58 / 95.82    8.9 min
=============================================================  ===============  ========

The shape feature is the largest gain for words alone (unseen test words: 65 % -> 75 %):
``lowercase=True`` removes case from the word lookup, and the shape gives it back. Without
it (``--set shape_embedding_dim=0``) word ids alone stay just under 93.5 %. With the defaults
(10 epochs), character features gave 94.91 / 95.03 and a CRF layer 92.29 / 92.36 (words)
and 95.05 / 95.16 (chars).

Usage::

    python benchmarks/tagging.py                           # all four (~50 min, 1 thread)
    python benchmarks/tagging.py --configs words chars     # pick configurations
    python benchmarks/tagging.py --train-limit 2000 --max-epochs 3   # a quick try
    python benchmarks/tagging.py --set hidden_size=256 --set dropout=0.5
    python benchmarks/tagging.py --threads 2               # default: 1 (see below)

``--threads 1`` is the default: these networks are small, one thread is nearly as fast
as two, and on a machine shared with other processes two threads can be many times
slower (OpenMP threads wait for each other while the other process holds a core).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

import torch
from skorch.callbacks import LRScheduler

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from sklearn_rnn.datasets import load_conllu  # noqa: E402
from sklearn_rnn.metrics import token_accuracy  # noqa: E402
from sklearn_rnn.tagger import RNNTagger  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO / ".." / "shared" / "data" / "UD_English-EWT"

CONFIGS = {
    "words": {"char_embedding_dim": 0, "crf": False},
    "chars": {"char_embedding_dim": 30, "crf": False},
    "words+crf": {"char_embedding_dim": 0, "crf": True},
    "chars+crf": {"char_embedding_dim": 30, "crf": True},
}
#: Shared by the four configurations (chosen on dev; see the table above).
SETTINGS = {"num_layers": 2, "max_epochs": 40, "word_dropout": 0.5}
#: The learning rate decays towards 0 along a cosine over the epochs (skorch's LRScheduler;
#: it drives the main optimizer, not the SparseAdam of ``sparse_embeddings=True``).
LR_SCHEDULE = "cosine"
SHOWN = (
    "cell", "hidden_size", "num_layers", "embedding_dim", "char_embedding_dim",
    "shape_embedding_dim", "word_dropout", "dropout", "lowercase", "lr", "batch_size",
    "max_epochs", "clip_grad_norm", "crf",
)  # fmt: skip


def parse_value(text: str):
    """``--set`` values: JSON where possible (numbers, true/false, null), else a string."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def load(data_dir: Path, train_limit: int | None):
    splits = {}
    for split in ("train", "dev", "test"):
        path = data_dir / f"en_ewt-ud-{split}.conllu"
        if not path.is_file():
            sys.exit(f"missing {path}; pass --data-dir pointing at UD_English-EWT")
        splits[split] = load_conllu(path, tag_column="upos")
    if train_limit:
        X, y = splits["train"]
        splits["train"] = (X[:train_limit], y[:train_limit])
    return splits


def lr_schedule_callbacks(schedule: str, max_epochs: int) -> list:
    """skorch callbacks for ``--lr-schedule``: a cosine decay towards 0, or none (constant lr)."""
    if schedule == "constant":
        return []
    return [("lr_schedule", LRScheduler(policy="CosineAnnealingLR", T_max=max_epochs))]


def benchmark_params(config: str, seed: int, overrides: dict | None = None) -> dict:
    """RNNTagger parameters of one configuration: ``SETTINGS``, the config, the seed."""
    return {**SETTINGS, **CONFIGS[config], "random_state": seed, **(overrides or {})}


def run(name: str, params: dict, splits: dict, schedule: str = LR_SCHEDULE) -> dict:
    X_train, y_train = splits["train"]
    callbacks = lr_schedule_callbacks(schedule, params.get("max_epochs", RNNTagger().max_epochs))
    tagger = RNNTagger(**params, callbacks=callbacks)
    start = time.perf_counter()
    tagger.fit(X_train, y_train)
    train_time = time.perf_counter() - start
    X_test, y_test = splits["test"]
    start = time.perf_counter()
    predicted = tagger.predict(X_test)
    predict_time = time.perf_counter() - start
    seen = {word for sentence in X_train for word in sentence}
    pairs = [
        (word in seen, true == guess)
        for sentence, tags, guesses in zip(X_test, y_test, predicted, strict=True)
        for word, true, guess in zip(sentence, tags, guesses, strict=True)
    ]
    unseen = [correct for known, correct in pairs if not known]
    settings = tagger.get_params(deep=False)
    return {
        "config": name,
        # token_accuracy rather than score: a small --train-limit may miss rare tags.
        "dev": token_accuracy(splits["dev"][1], tagger.predict(splits["dev"][0])),
        "test": token_accuracy(y_test, predicted),
        "test_unseen": sum(unseen) / max(len(unseen), 1),
        "unseen_share": len(unseen) / len(pairs),
        "train_s": train_time,
        "epoch_s": train_time / max(len(tagger.history_), 1),
        "predict_test_s": predict_time,
        "settings": {**{k: settings[k] for k in SHOWN}, "lr_schedule": schedule},
    }


def main(argv=None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--configs", nargs="+", choices=list(CONFIGS), default=list(CONFIGS))
    parser.add_argument("--max-epochs", type=int, default=None, help="default: RNNTagger's")
    parser.add_argument("--train-limit", type=int, default=None, help="first N sentences")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--lr-schedule", choices=["cosine", "constant"], default=LR_SCHEDULE)
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override an RNNTagger parameter (repeatable)",
    )
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)

    torch.set_num_threads(args.threads)
    overrides = {}
    for item in args.set:
        name, _, value = item.partition("=")
        overrides[name] = parse_value(value)
    if args.max_epochs is not None:
        overrides["max_epochs"] = args.max_epochs
    splits = load(args.data_dir, args.train_limit)
    n_tokens = sum(map(len, splits["train"][0]))
    print(
        f"UD English-EWT UPOS: train {len(splits['train'][0])} sentences / {n_tokens} tokens; "
        f"torch {torch.__version__}, {args.threads} thread(s) of {os.cpu_count()} cores, "
        f"{platform.processor() or platform.machine()}",
        flush=True,
    )

    results = []
    for name in args.configs:
        params = benchmark_params(name, args.seed, overrides)
        result = run(name, params, splits, args.lr_schedule)
        results.append(result)
        print(
            f"{name:<10} dev {result['dev']:.4f}  test {result['test']:.4f}  "
            f"unseen {result['test_unseen']:.4f}  {result['train_s']:.0f} s",
            flush=True,
        )

    print()
    print("| config | dev acc | test acc | test acc, unseen words | train time | s/epoch |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for r in results:
        print(
            f"| {r['config']} | {100 * r['dev']:.2f} % | {100 * r['test']:.2f} % | "
            f"{100 * r['test_unseen']:.2f} % | {r['train_s'] / 60:.1f} min | {r['epoch_s']:.1f} |"
        )
    print()
    varied = ("crf", "char_embedding_dim")
    common = {k: v for k, v in results[0]["settings"].items() if k not in varied}
    print("settings:", ", ".join(f"{k}={v}" for k, v in common.items()))
    print(f"unseen test tokens: {100 * results[0]['unseen_share']:.1f} %")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return results


if __name__ == "__main__":
    main()
