"""Part-of-speech tagging: universal POS tags of English web text (UD English-EWT).

12,544 training sentences of blogs, reviews, e-mails and newsgroups, tagged with the
17 universal POS tags (UPOS). An ``RNNTagger`` reads each sentence with a bidirectional
LSTM over word embeddings (trained from scratch, no pretrained vectors) joined to
character-level word features and word shapes, and labels every token. Trained on the training file,
scored on the test file: overall UPOS accuracy and the accuracy on the 9 % of test
words never seen in training. About 5 minutes on 2 cores; ``benchmarks/tagging.py``
compares words (with shapes), character features and a CRF layer.

    python examples/pos_tagging.py
    python examples/pos_tagging.py --crf
    python examples/pos_tagging.py --data-dir /path/to/UD_English-EWT --max-epochs 5
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from sklearn_rnn.datasets import load_conllu
from sklearn_rnn.metrics import token_accuracy
from sklearn_rnn.tagger import RNNTagger

REPO = Path(__file__).resolve().parents[1]

#: The settings used here; everything else is RNNTagger's default.
SETTINGS = {
    "char_embedding_dim": 30,  # character BiLSTM word features (benchmarks/tagging.py: +1 point)
    "max_epochs": 15,
    "random_state": 0,
}


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description="UPOS tagging of UD English-EWT.")
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=Path("../shared/data/UD_English-EWT"),
        help="folder with en_ewt-ud-{train,test}.conllu; a relative path is read from the "
        "repository root",
    )
    parser.add_argument("--max-epochs", type=int, default=SETTINGS["max_epochs"])
    parser.add_argument("--limit", type=int, default=None, help="train on the first N sentences")
    parser.add_argument("--crf", action="store_true", help="add a CRF output layer")
    parser.add_argument(
        "--no-chars", action="store_true", help="no character features (words and shapes)"
    )
    args = parser.parse_args(argv)
    data_dir = args.data_dir if args.data_dir.is_absolute() else REPO / args.data_dir

    X_train, y_train = load_conllu(data_dir / "en_ewt-ud-train.conllu", tag_column="upos")
    X_test, y_test = load_conllu(data_dir / "en_ewt-ud-test.conllu", tag_column="upos")
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
