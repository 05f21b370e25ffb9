"""Grapheme-to-phoneme conversion: spell a word, get its pronunciation (CMUdict)
=============================================================================

An ``RNNSeq2Seq`` reads a word's letters with a two-layer bidirectional LSTM and writes
its ARPAbet phones with an attentional two-layer LSTM decoder, one phone at a time, until
it decides the pronunciation is complete: input and output have lengths of their own.
Trained on the training side of a word-grouped split of the CMU Pronouncing Dictionary
(stress digits removed), scored on held-out words by word error rate (the share of words
whose pronunciation is wrong anywhere) and phone error rate, with beam search. The full run
(~122k training entries) is ``benchmarks/g2p.py``; by default this example trains on a
sample of 20,000 entries for a few minutes.

    python examples/g2p_cmudict.py
    python examples/g2p_cmudict.py --limit 0 --max-epochs 12    # all entries: README's run
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from sklearn_rnn import RNNSeq2Seq
from sklearn_rnn.datasets import load_cmudict, split_pronunciations
from sklearn_rnn.metrics import edit_distance, sequence_error_rate, token_error_rate

REPO = Path(__file__).resolve().parents[1]

#: The settings of the README's CMUdict figures (there with 12 epochs); everything else
#: is RNNSeq2Seq's default. Label smoothing goes through skorch's ``criterion__`` prefix.
SETTINGS = {
    "num_layers": 2,
    "hidden_size": 192,
    "dropout": 0.1,
    "criterion__label_smoothing": 0.1,
    "lr_schedule": "cosine",
    "max_epochs": 3,
    "random_state": 0,
}


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description="Grapheme-to-phoneme conversion on CMUdict.")
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=Path("../shared/data/cmudict"),
        help="folder with cmudict.dict; a relative path is read from the repository root",
    )
    parser.add_argument("--max-epochs", type=int, default=SETTINGS["max_epochs"])
    parser.add_argument("--hidden-size", type=int, default=SETTINGS["hidden_size"])
    parser.add_argument("--limit", type=int, default=20_000, help="training entries; 0 for all")
    parser.add_argument("--test-limit", type=int, default=2_000, help="test words; 0 for all")
    args = parser.parse_args(argv)
    data_dir = args.data_dir if args.data_dir.is_absolute() else REPO / args.data_dir

    words, phones = load_cmudict(data_dir / "cmudict.dict", stress=False)
    w_train, w_test, p_train, p_test = split_pronunciations(words, phones, test_size=0.1)
    references = {}  # a test word is right when it matches any of its pronunciations
    for word, pronunciation in zip(w_test, p_test, strict=True):
        references.setdefault(word, []).append(pronunciation)
    w_test = list(references)[: args.test_limit or None]
    w_train, p_train = w_train[: args.limit or None], p_train[: args.limit or None]
    print(f"{len(w_train)} training entries, {len(w_test)} test words")

    settings = {**SETTINGS, "max_epochs": args.max_epochs, "hidden_size": args.hidden_size}
    model = RNNSeq2Seq(**settings, verbose=1)
    start = time.perf_counter()
    model.fit(w_train, p_train)
    train_time = time.perf_counter() - start

    predicted = model.predict(w_test)
    closest = [
        min(references[word], key=lambda ref: edit_distance(ref, guess))
        for word, guess in zip(w_test, predicted, strict=True)
    ]
    wer = sequence_error_rate(closest, predicted)
    per = token_error_rate(closest, predicted)
    print(f"\nword error rate {wer:.3f}, phone error rate {per:.3f} on {len(w_test)} test words")
    print(f"training took {train_time / 60:.1f} min")
    for word in ["sklearn", "pytorch", "recurrent"]:
        (best, log_prob), *_ = model.predict_nbest([word], n=1)[0]
        print(f"{word:>10}  {' '.join(best)}  (log-probability {log_prob:.2f})")
    return {"wer": wer, "per": per, "n_train": len(w_train), "n_test": len(w_test)}


if __name__ == "__main__":
    main()
