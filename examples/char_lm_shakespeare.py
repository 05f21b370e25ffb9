"""A character-level language model of Shakespeare, and a cell that tracks the line
================================================================================

:class:`~sklearn_rnn.RNNLanguageModel` reads tiny-shakespeare one character at a time
(first 90 % for training, last 10 % held out, nanoGPT's split) with truncated
backpropagation through time, then:

1. scores the held-out text in nats and bits per character,
2. writes 500 characters after a prompt,
3. ranks its LSTM cells by how well they follow the position in the line (characters
   since the last newline) on held-out text, with
   :func:`~sklearn_rnn.inspection.rank_units`, as Karpathy, Johnson and Fei-Fei (2015)
   found such cells, and
4. draws the best cell over a passage with :func:`~sklearn_rnn.inspection.plot_hidden_states`.

The text (pinned, checksum checked) is downloaded once into the cache with
:func:`~sklearn_rnn.datasets.fetch_tiny_shakespeare`. The default settings train a
smaller model on a third of the text (a few minutes on 2 cores); ``--full`` trains the
library's defaults on all of it, as ``benchmarks/language_model.py`` does (15 minutes on
2 cores: 1.515 nats, 2.185 bits per character). Times are for an idle 2-core machine;
where other programs share the cores, ``--threads 1`` keeps them. Run it with::

    python examples/char_lm_shakespeare.py --plot line_position.png  # fetch (cached)
    python examples/char_lm_shakespeare.py --data-dir ../shared/data --threads 1
    python examples/char_lm_shakespeare.py --full

Result of the default run (one thread, on a 2-core machine that other programs shared;
the sample cut short):

.. code-block:: text

    RNNLanguageModel(hidden_size=256, max_epochs=3, random_state=0)
    trained on 300,000 characters in 293 s
    held-out text: 2.190 nats/char, 3.160 bits/char (perplexity 8.94 of 62 characters)

    ROMEO:
    KI Craast not not misath noul care bast ore now Dius Eutht lat qut fould weat se not ...

    BUCANIUS:
    Then I me wery thoue wilt onte busterech chome?

    cells that follow the position in the line (Pearson r on held-out text):
      cell 246: r = +0.89
      cell 33: r = +0.89
      cell 0: r = +0.88
"""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path

import numpy as np
import torch

from sklearn_rnn import RNNLanguageModel
from sklearn_rnn.datasets import TINY_SHAKESPEARE_URL, fetch_tiny_shakespeare

#: The project's shared data folder (``<repo>/../shared/data``), used when downloading fails.
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"

#: A smaller model than the defaults, for a quick run (``--full``: the defaults).
SETTINGS = {"hidden_size": 256, "max_epochs": 3}
QUICK_TRAIN_CHARS = 300_000


def load_shakespeare(data_dir: str | Path | None = None) -> tuple[str, str]:
    """The first 90 % of tiny-shakespeare and the last 10 %.

    From ``data_dir`` (the folder holding ``tinyshakespeare/input.txt``), else the fetch
    cache (downloading once), else ``SHARED_DATA`` when offline.
    """
    if data_dir is None:
        try:
            text = fetch_tiny_shakespeare()
        except OSError as exc:
            if not (SHARED_DATA / "tinyshakespeare" / "input.txt").is_file():
                raise
            print(f"fetch_tiny_shakespeare failed ({type(exc).__name__}); reading {SHARED_DATA}")
            data_dir = SHARED_DATA
    if data_dir is not None:
        path = Path(data_dir) / "tinyshakespeare" / "input.txt"
        if not path.is_file():
            raise FileNotFoundError(
                f"no tinyshakespeare/input.txt under {data_dir}: save {TINY_SHAKESPEARE_URL} "
                "there, or leave --data-dir out to download it into the cache"
            )
        text = path.read_text(encoding="utf-8")
    cut = int(0.9 * len(text))
    return text[:cut], text[cut:]


def line_position(text: str) -> np.ndarray:
    """Characters since the last newline, at each character (0 at a newline)."""
    position, out = 0, np.empty(len(text))
    for i, char in enumerate(text):
        position = 0 if char == "\n" else position + 1
        out[i] = position
    return out


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", default=None, help="the folder holding tinyshakespeare/")
    parser.add_argument("--full", action="store_true", help="library defaults, all the text")
    parser.add_argument("--train-chars", type=int, default=None)
    parser.add_argument("--max-epochs", type=int, default=None)
    parser.add_argument("--plot", default=None, help="save the heatmap to this file")
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="torch threads (default: torch's, one per core); 1 on a machine others share",
    )
    args = parser.parse_args(argv)
    if args.threads is not None:
        torch.set_num_threads(args.threads)

    train, valid = load_shakespeare(args.data_dir)
    settings = {} if args.full else dict(SETTINGS)
    if args.max_epochs is not None:
        settings["max_epochs"] = args.max_epochs
    limit = args.train_chars or (None if args.full else QUICK_TRAIN_CHARS)
    train = train[:limit] if limit else train
    lm = RNNLanguageModel(**settings, random_state=0)
    start = time.perf_counter()
    lm.fit(train)
    seconds = time.perf_counter() - start
    print(f"{lm!r}\ntrained on {len(train):,} characters in {seconds:.0f} s")

    nats = -lm.score(valid)
    print(
        f"held-out text: {nats:.3f} nats/char, {nats / math.log(2):.3f} bits/char "
        f"(perplexity {math.exp(nats):.2f} of {len(lm.classes_) - 2} characters)"
    )
    text = lm.sample(500, prompt="ROMEO:\n", temperature=0.8, random_state=0)
    print("\n" + text + "\n")

    from sklearn_rnn.inspection import rank_units  # noqa: PLC0415

    passage = valid[:5000]
    units, correlations = rank_units(lm, [passage], [line_position(passage)], cell_state=True)
    print("cells that follow the position in the line (Pearson r on held-out text):")
    for unit, r in zip(units[:3], correlations[:3], strict=True):
        print(f"  cell {unit}: r = {r:+.2f}")
    if args.plot:
        import matplotlib  # noqa: PLC0415

        matplotlib.use("Agg")
        from sklearn_rnn.inspection import plot_hidden_states  # noqa: PLC0415

        ax = plot_hidden_states(
            lm, passage[:400], units=[int(units[0])], cell_state=True, wrap="newline"
        )
        ax.figure.savefig(args.plot, dpi=120, bbox_inches="tight")
        print(f"heatmap of cell {units[0]} written to {args.plot}")
    return {
        "nats": nats,
        "sample": text,
        "units": units,
        "correlations": correlations,
        "seconds": seconds,
    }


if __name__ == "__main__":
    main()
