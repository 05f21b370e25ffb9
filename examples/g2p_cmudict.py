"""Grapheme-to-phoneme conversion: spell a word, get its pronunciation (CMUdict)
=============================================================================

An :class:`~sklearn_rnn.RNNSeq2Seq` reads a word's letters with a bidirectional LSTM
encoder and writes its ARPAbet phones with an attentional LSTM decoder, one phone at a
time, until it decides the pronunciation is complete: input and output have lengths of
their own. It is trained on the training side of a word-grouped split of the CMU
Pronouncing Dictionary (:func:`~sklearn_rnn.datasets.split_pronunciations`, stress digits
removed) with the estimator's defaults, and scored on held-out words by word error rate
(the share of words whose pronunciation is wrong anywhere) and phone error rate, decoded
by beam search. The dictionary (pinned, checksum checked) is downloaded once into the
cache with :func:`~sklearn_rnn.datasets.fetch_cmudict`.

By default the example trains on a sample of 20,000 entries for 3 epochs;
``--limit 0 --max-epochs auto`` trains the defaults on all ~122k training entries, as
``benchmarks/g2p.py`` does. Where other programs share the cores, ``--threads 1`` keeps
them. Run it with::

    python examples/g2p_cmudict.py                            # fetch (cached) or ../shared/data
    python examples/g2p_cmudict.py --data-dir ../shared/data --threads 1
    python examples/g2p_cmudict.py --limit 0 --max-epochs auto  # all entries, the defaults

Result of the default run (20,000 entries, 3 epochs, one thread; the training time is
from a 2-core machine that about ten other programs shared, and the epoch log is left out):

.. code-block:: text

    20000 training entries, 2000 test words

    word error rate 0.502, phone error rate 0.138 on 2000 test words
    training took 24.5 min
       sklearn  S K K L IH R N  (log-probability -4.31)
       pytorch  P AY T ER CH  (log-probability -2.62)
     recurrent  R EH K ER AH N T  (log-probability -2.48)
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import torch

from sklearn_rnn import RNNSeq2Seq
from sklearn_rnn.datasets import (
    CMUDICT_URL,
    fetch_cmudict,
    load_cmudict,
    split_pronunciations,
)
from sklearn_rnn.metrics import edit_distance, sequence_error_rate, token_error_rate

#: The project's shared data folder (``<repo>/../shared/data``), used when downloading fails.
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def load_pronunciations(data_dir: str | Path | None = None) -> tuple[list, list]:
    """CMUdict's words and their phones without stress digits.

    From ``data_dir`` (the folder holding ``cmudict/cmudict.dict``), else the fetch cache
    (downloading once), else ``SHARED_DATA`` when offline.
    """
    if data_dir is None:
        try:
            return fetch_cmudict(stress=False)
        except OSError as exc:
            if not (SHARED_DATA / "cmudict" / "cmudict.dict").is_file():
                raise
            print(f"fetch_cmudict failed ({type(exc).__name__}); reading {SHARED_DATA}")
            data_dir = SHARED_DATA
    path = Path(data_dir) / "cmudict" / "cmudict.dict"
    if not path.is_file():
        raise FileNotFoundError(
            f"no cmudict/cmudict.dict under {data_dir}: save {CMUDICT_URL} there, or leave "
            "--data-dir out to download it into the cache"
        )
    return load_cmudict(path, stress=False)


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", default=None, help="the folder holding cmudict/")
    parser.add_argument(
        "--max-epochs",
        type=lambda text: text if text == "auto" else int(text),
        default=3,
        help='training epochs, or "auto" (the default of RNNSeq2Seq)',
    )
    parser.add_argument("--limit", type=int, default=20_000, help="training entries; 0 for all")
    parser.add_argument("--test-limit", type=int, default=2_000, help="test words; 0 for all")
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="torch threads (default: torch's, one per core); 1 on a machine others share",
    )
    args = parser.parse_args(argv)
    if args.threads is not None:
        torch.set_num_threads(args.threads)

    words, phones = load_pronunciations(args.data_dir)
    w_train, w_test, p_train, p_test = split_pronunciations(words, phones, test_size=0.1)
    references = {}  # a test word is right when it matches any of its pronunciations
    for word, pronunciation in zip(w_test, p_test, strict=True):
        references.setdefault(word, []).append(pronunciation)
    w_test = list(references)[: args.test_limit or None]
    w_train, p_train = w_train[: args.limit or None], p_train[: args.limit or None]
    print(f"{len(w_train)} training entries, {len(w_test)} test words", flush=True)

    model = RNNSeq2Seq(max_epochs=args.max_epochs, random_state=0, verbose=1)
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
