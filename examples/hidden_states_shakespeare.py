"""Find the LSTM unit that counts the position in the line, on tiny-shakespeare
==============================================================================

Karpathy, Johnson and Fei-Fei ("Visualizing and Understanding Recurrent Networks",
2015) trained character-level LSTMs on text and found single cells that follow things a
person can name, such as how far the current line has got. This script repeats the
experiment at laptop size: an :class:`~sklearn_rnn.RNNTagger` reads 100-character
chunks of Shakespeare and tags each character with the *next* one (a character-level
language model: unidirectional, so it never sees what it predicts), then

1. :meth:`~sklearn_rnn.RNNTagger.hidden_states` gives every unit's cell state at every
   character of held-out text (the last 10 % of the corpus),
2. :func:`~sklearn_rnn.inspection.rank_units` correlates each unit with the position in
   the line (characters since the last newline), and
3. :func:`~sklearn_rnn.inspection.plot_hidden_states` draws the best unit over a passage.

It prints the next-character accuracy (against always guessing the most frequent
character) and the best units' correlations. About a minute on 2 cores. The text (pinned,
checksum checked) is downloaded once into the cache with
:func:`~sklearn_rnn.datasets.fetch_tiny_shakespeare`. Times are for an idle 2-core
machine; where other programs share the cores, ``--threads 1`` keeps them. Run it with::

    python examples/hidden_states_shakespeare.py --plot units.png   # fetch (cached)
    python examples/hidden_states_shakespeare.py --data-dir ../shared/data --threads 1

Result with the settings below (one thread, on a 2-core machine that other programs
shared; the cell of README's picture is unit 56):

.. code-block:: text

    next-character accuracy 0.391 (most frequent character 0.152)
    after 800 chunks x 8 epochs in 38 s
    cell states most correlated with the position in the line:
      unit  56: r = +0.712
      unit  42: r = +0.678
      unit  17: r = -0.665
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import torch

from sklearn_rnn import RNNTagger
from sklearn_rnn.datasets import TINY_SHAKESPEARE_URL, fetch_tiny_shakespeare
from sklearn_rnn.inspection import plot_hidden_states, rank_units
from sklearn_rnn.metrics import token_accuracy

#: The project's shared data folder (``<repo>/../shared/data``), used when downloading fails.
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"

CHUNK = 100  # characters per training sequence

#: A small character LSTM: no word features (each token is one character), no lowercasing.
SETTINGS = {
    "cell": "lstm",
    "hidden_size": 64,
    "bidirectional": False,
    "embedding_dim": 32,
    "dropout": 0.0,
    "char_embedding_dim": 0,
    "shape_embedding_dim": 0,
    "word_dropout": 0.0,
    "lowercase": False,
    "lr": 0.01,
    "batch_size": 32,
    "max_epochs": 8,
    "early_stopping": False,
}


def load_text(data_dir: str | Path | None = None) -> str:
    """The corpus: from ``data_dir`` (the folder holding ``tinyshakespeare/input.txt``),
    else the fetch cache (downloading once), else ``SHARED_DATA`` when offline."""
    if data_dir is None:
        try:
            return fetch_tiny_shakespeare()
        except OSError as exc:
            if not (SHARED_DATA / "tinyshakespeare" / "input.txt").is_file():
                raise
            print(f"fetch_tiny_shakespeare failed ({type(exc).__name__}); reading {SHARED_DATA}")
            data_dir = SHARED_DATA
    folder = Path(data_dir)
    for path in (folder / "tinyshakespeare" / "input.txt", folder / "input.txt"):
        if path.is_file():
            return path.read_text(encoding="utf-8")
    raise FileNotFoundError(
        f"no tinyshakespeare/input.txt under {folder}: save {TINY_SHAKESPEARE_URL} there, or "
        "leave --data-dir out to download it into the cache"
    )


def next_character_task(text: str, n_chunks: int) -> tuple[list, list]:
    """``n_chunks`` consecutive chunks as character lists, each tagged with the next one."""
    chunks = [text[i : i + CHUNK + 1] for i in range(0, len(text) - CHUNK - 1, CHUNK)]
    chunks = chunks[:n_chunks]
    return [list(c[:-1]) for c in chunks], [list(c[1:]) for c in chunks]


def position_in_line(chars: list[str]) -> np.ndarray:
    """Characters since the last newline (0 at a line's first character)."""
    positions, position = [], 0
    for char in chars:
        positions.append(position)
        position = 0 if char == "\n" else position + 1
    return np.asarray(positions, dtype=np.float64)


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=None, help="folder holding tinyshakespeare/")
    parser.add_argument("--limit", type=int, default=800, help="training chunks of 100 chars")
    parser.add_argument("--max-epochs", type=int, default=SETTINGS["max_epochs"])
    parser.add_argument("--plot", default=None, help="write the heatmap to this PNG file")
    parser.add_argument("--random-state", type=int, default=0)
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="torch threads (default: torch's, one per core); 1 on a machine others share",
    )
    args = parser.parse_args(argv)
    if args.threads is not None:
        torch.set_num_threads(args.threads)

    text = load_text(args.data_dir)
    split = int(0.9 * len(text))
    X_train, y_train = next_character_task(text[:split], args.limit)
    X_test, y_test = next_character_task(text[split:], 100)
    settings = {**SETTINGS, "max_epochs": args.max_epochs}
    tagger = RNNTagger(**settings, random_state=args.random_state)
    start = time.perf_counter()
    tagger.fit(X_train, y_train)
    seconds = time.perf_counter() - start
    accuracy = token_accuracy(y_test, tagger.predict(X_test))  # unseen characters count wrong
    chars, counts = np.unique(np.concatenate(y_train), return_counts=True)
    baseline = float(np.mean(np.concatenate(y_test) == chars[counts.argmax()]))
    print(
        f"next-character accuracy {accuracy:.3f} (most frequent character {baseline:.3f})\n"
        f"after {len(X_train)} chunks x {args.max_epochs} epochs in {seconds:.0f} s"
    )

    signal = [position_in_line(x) for x in X_test]
    units, r = rank_units(tagger, X_test, signal, cell_state=True)
    print("cell states most correlated with the position in the line:")
    for unit, value in zip(units[:3], r[:3], strict=True):
        print(f"  unit {unit:3d}: r = {value:+.3f}")

    if args.plot:
        import matplotlib

        matplotlib.use("Agg")
        start = text.index("\n\n", split + 2000) + 2  # a few whole lines of held-out text
        passage = list(text[start : text.index("\n", start + 250) + 1])
        unit = int(units[0])
        ax = plot_hidden_states(tagger, passage, units=[unit], cell_state=True, wrap="newline")
        ax.set_title(
            f"LSTM cell {units[0]} over held-out Shakespeare: r = {r[0]:+.2f} with the "
            "position in the line"
        )
        ax.figure.savefig(args.plot, dpi=80, bbox_inches="tight")
        print(f"wrote {args.plot}")
    return {
        "accuracy": accuracy,
        "baseline": baseline,
        "units": units,
        "correlations": r,
        "seconds": seconds,
    }


if __name__ == "__main__":
    main()
