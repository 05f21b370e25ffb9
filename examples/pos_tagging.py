"""Part-of-speech tagging: universal POS tags of English web text (UD English-EWT).

Trains an ``RNNTagger`` (a bidirectional LSTM over word embeddings and
character-level word features) on the EWT training sentences and reports UPOS
accuracy on the test sentences, overall and on words never seen in training.
A few minutes on 2 cores.

    python examples/pos_tagging.py
    python examples/pos_tagging.py --crf --max-epochs 5
    python examples/pos_tagging.py --data-dir /path/to/UD_English-EWT
"""

import argparse
import time
from pathlib import Path

from sklearn_rnn.datasets import load_conllu
from sklearn_rnn.metrics import token_accuracy
from sklearn_rnn.tagger import RNNTagger

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description="UPOS tagging of UD English-EWT.")
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=Path("../shared/data/UD_English-EWT"),
        help="folder with en_ewt-ud-{train,test}.conllu, relative to the repository root",
    )
    parser.add_argument("--max-epochs", type=int, default=10)
    parser.add_argument("--crf", action="store_true", help="add a CRF output layer")
    parser.add_argument(
        "--no-chars", action="store_true", help="word embeddings only (no character features)"
    )
    args = parser.parse_args()
    data_dir = args.data_dir if args.data_dir.is_absolute() else REPO / args.data_dir

    X_train, y_train = load_conllu(data_dir / "en_ewt-ud-train.conllu", tag_column="upos")
    X_test, y_test = load_conllu(data_dir / "en_ewt-ud-test.conllu", tag_column="upos")
    print(f"{len(X_train)} training sentences, {len(X_test)} test sentences")

    tagger = RNNTagger(
        char_embedding_dim=0 if args.no_chars else 30,
        crf=args.crf,
        max_epochs=args.max_epochs,
        random_state=0,
        verbose=1,
    )
    start = time.perf_counter()
    tagger.fit(X_train, y_train)
    elapsed = time.perf_counter() - start

    predicted = tagger.predict(X_test)
    seen = {word for sentence in X_train for word in sentence}
    unseen_true, unseen_pred = [], []
    for sentence, tags, guesses in zip(X_test, y_test, predicted, strict=True):
        for word, tag, guess in zip(sentence, tags, guesses, strict=True):
            if word not in seen:
                unseen_true.append(tag)
                unseen_pred.append(guess)
    print(f"\nUPOS test accuracy: {token_accuracy(y_test, predicted):.4f}")
    print(
        f"on the {len(unseen_true)} test words unseen in training: "
        f"{token_accuracy([unseen_true], [unseen_pred]):.4f}"
    )
    print(f"training took {elapsed / 60:.1f} min")
    sentence = "The quick brown fox jumped over the lazy dog .".split()
    print(list(zip(sentence, tagger.predict([sentence])[0], strict=True)))


if __name__ == "__main__":
    main()
