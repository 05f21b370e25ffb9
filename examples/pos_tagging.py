"""Part-of-speech tagging: universal POS tags of English web text (UD English-EWT)
===============================================================================

12,544 training sentences of blogs, reviews, e-mails and newsgroups, tagged with the
17 universal POS tags (UPOS). An ``RNNTagger`` reads each sentence with a bidirectional
LSTM over word embeddings (trained from scratch, no pretrained vectors) joined to
character-level word features and word shapes, and labels every token. Trained on the training file,
scored on the test file: overall UPOS accuracy and the accuracy on the 9 % of test
words never seen in training. About 5 minutes on 2 cores; ``benchmarks/tagging.py``
compares words (with shapes), character features and a CRF layer. The treebank (r2.16,
checksums pinned) is downloaded once into the cache with
:func:`~sklearn_rnn.datasets.fetch_ud_treebank`.
Times are for an idle 2-core machine; where other programs share the cores,
``--threads 1`` keeps them (with torch's default of one thread per core, runs on a
busy machine were measured 2-10x slower). Run it with::

    python examples/pos_tagging.py                            # fetch (cached) or ../shared/data
    python examples/pos_tagging.py --crf
    python examples/pos_tagging.py --data-dir ../shared/data --max-epochs 5

Result with the settings below (``benchmarks/tagging.py``): 95.82 % UPOS accuracy on the
test file with character features, 94.86 % with words and shapes only (UDPipe 1.2:
94.4 %).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import torch

from sklearn_rnn.datasets import fetch_ud_treebank, load_conllu
from sklearn_rnn.metrics import token_accuracy
from sklearn_rnn.tagger import RNNTagger

#: The project's shared data folder (``<repo>/../shared/data``), used when downloading fails.
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
NAME = "UD_English-EWT"

#: The settings used here; everything else is RNNTagger's default.
SETTINGS = {
    "char_embedding_dim": 30,  # character BiLSTM word features (benchmarks/tagging.py: +1 point)
    "max_epochs": 15,
    "random_state": 0,
}


def load_ewt(data_dir: str | Path | None = None):
    """``X_train, y_train, X_test, y_test``: token lists and their UPOS tags.

    From ``data_dir`` (``<dir>/UD_English-EWT/``, the fetch cache's
    ``<dir>/ud/UD_English-EWT/r2.16/``, or the treebank folder itself), else the fetch
    cache (downloading once), else ``SHARED_DATA`` when offline.
    """
    if data_dir is None:
        try:
            splits = fetch_ud_treebank(NAME, splits=("train", "test"))
            return (*splits["train"], *splits["test"])
        except OSError as exc:
            if not (SHARED_DATA / NAME).is_dir():
                raise
            print(f"fetch_ud_treebank failed ({type(exc).__name__}); reading {SHARED_DATA}")
            data_dir = SHARED_DATA
    folder = Path(data_dir)
    for candidate in (folder / NAME, folder / "ud" / NAME / "r2.16", folder):
        train, test = candidate / "en_ewt-ud-train.conllu", candidate / "en_ewt-ud-test.conllu"
        if train.is_file() and test.is_file():
            return (*load_conllu(train, tag_column="upos"), *load_conllu(test, tag_column="upos"))
    raise FileNotFoundError(f"no {NAME}/en_ewt-ud-train.conllu and -test.conllu under {folder}")


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description="UPOS tagging of UD English-EWT.")
    parser.add_argument(
        "--data-dir",
        default=None,
        help=f"folder holding {NAME}/en_ewt-ud-train.conllu and -test.conllu (default: fetch "
        "into the cache, falling back to ../shared/data when offline)",
    )
    parser.add_argument("--max-epochs", type=int, default=SETTINGS["max_epochs"])
    parser.add_argument("--limit", type=int, default=None, help="train on the first N sentences")
    parser.add_argument("--crf", action="store_true", help="add a CRF output layer")
    parser.add_argument(
        "--no-chars", action="store_true", help="no character features (words and shapes)"
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="torch threads (default: torch's, one per core); 1 on a machine others share",
    )
    args = parser.parse_args(argv)
    if args.threads is not None:
        torch.set_num_threads(args.threads)

    X_train, y_train, X_test, y_test = load_ewt(args.data_dir)
    X_train, y_train = X_train[: args.limit], y_train[: args.limit]
    print(f"{len(X_train)} training sentences, {len(X_test)} test sentences")

    settings = {**SETTINGS, "max_epochs": args.max_epochs, "crf": args.crf}
    if args.no_chars:
        settings["char_embedding_dim"] = 0
    tagger = RNNTagger(**settings, verbose=1)
    start = time.perf_counter()
    tagger.fit(X_train, y_train)
    train_time = time.perf_counter() - start

    predicted = tagger.predict(X_test)
    seen = {word for sentence in X_train for word in sentence}
    unseen_true, unseen_pred = [], []
    for sentence, tags, guesses in zip(X_test, y_test, predicted, strict=True):
        for word, tag, guess in zip(sentence, tags, guesses, strict=True):
            if word not in seen:
                unseen_true.append(tag)
                unseen_pred.append(guess)
    accuracy = token_accuracy(y_test, predicted)
    unseen_accuracy = token_accuracy([unseen_true], [unseen_pred]) if unseen_true else None
    print(f"\nUPOS test accuracy: {accuracy:.4f}")
    if unseen_true:
        print(f"on the {len(unseen_true)} test words unseen in training: {unseen_accuracy:.4f}")
    print(f"training took {train_time / 60:.1f} min")
    sentence = "The new Mayor of Springfield unveiled 3 proposals yesterday .".split()
    print(list(zip(sentence, tagger.predict([sentence])[0], strict=True)))
    return {
        "accuracy": accuracy,
        "unseen_accuracy": unseen_accuracy,
        "train_time": train_time,
        "n_train": len(X_train),
    }


if __name__ == "__main__":
    main()
