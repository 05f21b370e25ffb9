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

The default settings train a smaller model on a third of the text (a few minutes on 2
cores); ``--full`` trains the library's defaults on all of it, as
``benchmarks/language_model.py`` does.

    python examples/char_lm_shakespeare.py --plot line_position.png
    python examples/char_lm_shakespeare.py --full
"""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path

import numpy as np

from sklearn_rnn import RNNLanguageModel

#: The project's shared data folder (``<repo>/../shared/data``).
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"

#: A smaller model than the defaults, for a quick run (``--full``: the defaults).
SETTINGS = {"hidden_size": 256, "max_epochs": 3}
QUICK_TRAIN_CHARS = 300_000


def load_shakespeare(data_dir: str | Path = SHARED_DATA) -> tuple[str, str]:
    """The first 90 % of tiny-shakespeare and the last 10 %."""
    text = (Path(data_dir) / "tinyshakespeare" / "input.txt").read_text(encoding="utf-8")
    cut = int(0.9 * len(text))
    return text[:cut], text[cut:]


def line_position(text: str) -> np.ndarray:
    """Characters since the last newline, at each character (0 at a newline)."""
    position, out = 0, np.empty(len(text))
    for i, char in enumerate(text):
        position = 0 if char == "\n" else position + 1
        out[i] = position
    return out


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", default=str(SHARED_DATA))
    parser.add_argument("--full", action="store_true", help="library defaults, all the text")
    parser.add_argument("--train-chars", type=int, default=None)
    parser.add_argument("--max-epochs", type=int, default=None)
    parser.add_argument("--plot", default=None, help="save the heatmap to this file")
    args = parser.parse_args(argv)

    train, valid = load_shakespeare(args.data_dir)
    settings = {} if args.full else dict(SETTINGS)
    if args.max_epochs is not None:
        settings["max_epochs"] = args.max_epochs
    limit = args.train_chars or (None if args.full else QUICK_TRAIN_CHARS)
    train = train[:limit] if limit else train
    lm = RNNLanguageModel(**settings, random_state=0)
    start = time.perf_counter()
    lm.fit(train)
    print(f"trained on {len(train):,} characters in {time.perf_counter() - start:.0f} s: {lm!r}")

    nats = -lm.score(valid)
    print(
        f"held-out text: {nats:.3f} nats/char, {nats / math.log(2):.3f} bits/char "
        f"(perplexity {math.exp(nats):.2f} of {len(lm.classes_) - 2} characters)"
    )
    print("\n" + lm.sample(500, prompt="ROMEO:\n", temperature=0.8, random_state=0) + "\n")

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


if __name__ == "__main__":
    main()
