"""Pictures of a fitted estimator: training curves, and hidden states over a text
(matplotlib, an optional extra)."""

from __future__ import annotations

import numpy as np
from sklearn.utils.validation import check_is_fitted

from sklearn_rnn.encoding._tokenizers import resolve_tokenizer
from sklearn_rnn.encoding._validation import _is_integer

_METRICS = ("valid_acc", "valid_r2")


def plot_history(estimator, ax=None):
    """Draw train/validation loss per epoch, and the validation metric when recorded.

    Parameters
    ----------
    estimator : fitted RNNClassifier, RNNRegressor or RNNTagger
        Its skorch ``history`` is read.
    ax : matplotlib Axes or None, default=None
        Where to draw the losses; a new figure when None. A validation metric goes on
        a twin y-axis.

    Returns
    -------
    matplotlib.axes.Axes
        The axes holding the loss curves.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn_rnn import RNNClassifier
    >>> from sklearn_rnn import plot_history
    >>> clf = RNNClassifier(hidden_size=4, max_epochs=3).fit(["good", "bad"] * 5, [1, 0] * 5)
    >>> ax = plot_history(clf)
    >>> [line.get_label() for line in ax.get_lines()]
    ['train loss']
    """
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("plot_history needs matplotlib: pip install 'sklearn_rnn[plot]'") from exc
    check_is_fitted(estimator)
    history = [row for row in estimator.history if "train_loss" in row]
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4), layout="constrained")  # room for the legend
    epochs = [row["epoch"] for row in history]
    ax.plot(epochs, [row["train_loss"] for row in history], marker="o", label="train loss")
    if any("valid_loss" in row for row in history):
        points = [(row["epoch"], row["valid_loss"]) for row in history if "valid_loss" in row]
        ax.plot(*zip(*points, strict=True), marker="o", label="validation loss")
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    handles, labels = ax.get_legend_handles_labels()
    for metric in _METRICS:
        points = [(row["epoch"], row[metric]) for row in history if metric in row]
        if points:
            twin = ax.twinx()
            twin.plot(*zip(*points, strict=True), color="tab:green", marker="s", label=metric)
            twin.set_ylabel(metric.replace("_", " "))
            more_handles, more_labels = twin.get_legend_handles_labels()
            handles, labels = handles + more_handles, labels + more_labels
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # epochs are whole numbers
    # Above the plot, titled: inside, the twin axis (drawn over this one) or a curve would
    # cross it.
    ax.legend(
        handles,
        labels,
        title=f"{type(estimator).__name__} training history",
        loc="lower center",
        bbox_to_anchor=(0.5, 1.0),
        ncols=len(labels),
        frameon=False,
    )
    return ax


# Characters that would print as nothing under a cell.
_VISIBLE = {"\n": "\u21b5", "\t": "\u21e5", "": "\u2205"}


def plot_hidden_states(
    estimator,
    x,
    units=None,
    *,
    layer: int = -1,
    cell_state: bool = False,
    wrap: int | str | None = None,
    ax=None,
    cmap: str = "RdBu_r",
):
    """A heatmap of hidden units over the steps of one sequence, its text under the cells.

    Each row is a unit, each column a step (token, character or time step), coloured by
    the unit's state there, as in the figures of Karpathy et al. (2015); the tokens are
    written under their columns. :func:`sklearn_rnn.inspection.rank_units` finds the
    units worth showing.

    Parameters
    ----------
    estimator : fitted estimator with a ``hidden_states`` method
        Any of the library's estimators (for text, the encoder's ``tokenizer`` and
        ``lowercase`` give the tokens under the cells).
    x : str, list of str or array of shape (T,) or (T, F)
        One sequence of the kind the estimator was fitted on.
    units : int, sequence of int or None, default=None
        The units to show, top to bottom; None shows all.
    layer : int, default=-1
        The recurrent layer, as in ``hidden_states``.
    cell_state : bool, default=False
        Show an LSTM's cell states (coloured on their own symmetric scale) instead of
        its hidden states (on [-1, 1], the range of tanh).
    wrap : int, "newline" or None, default=None
        Steps per line, so long texts continue on further lines; ``"newline"`` starts a
        line after each newline token, as the text itself is laid out.
    ax : matplotlib Axes or None, default=None
        Where to draw; a new figure sized to the sequence when None.
    cmap : str, default="RdBu_r"
        A diverging matplotlib colormap (negative blue, positive red by default).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn_rnn import RNNClassifier
    >>> from sklearn_rnn.inspection import plot_hidden_states
    >>> clf = RNNClassifier(hidden_size=4, tokenizer="char", max_epochs=2, random_state=0)
    >>> clf = clf.fit(["good", "bad", "so good", "so bad"] * 4, [1, 0, 1, 0] * 4)
    >>> ax = plot_hidden_states(clf, "so good", units=[0, 2])
    >>> ax.images[0].get_array().shape  # (units, characters)
    (2, 7)
    >>> "".join(text.get_text() for text in ax.texts)
    'so good'
    """
    plt = _pyplot("plot_hidden_states")
    check_is_fitted(estimator)
    states = estimator.hidden_states([x], layer=layer, cell_state=cell_state)[0]  # (T, D)
    n_steps, n_units = states.shape
    units = _check_units(units, n_units)
    labels = _step_labels(estimator, x, n_steps)
    lines = _lines(wrap, n_steps, labels)
    width = max(stop - start for start, stop in lines)
    values = states[:, units].T.astype(np.float64)  # (U, T)
    # Hidden states lie in [-1, 1] (tanh); cell states get a symmetric scale of their own.
    limit = max(float(np.abs(values).max()), 1e-12) if cell_state else 1.0
    words = labels is not None and max(map(len, labels)) > 1
    label_height = 0.0 if labels is None else (0.25 * max(map(len, labels)) + 0.6 if words else 1)
    block = len(units) + label_height + 0.4  # a line's unit rows, its text, a margin
    n_lines = len(lines)
    if ax is None:
        size = (min(0.24 * width + 2.5, 24.0), min(0.28 * n_lines * block + 1.2, 30.0))
        _, ax = plt.subplots(figsize=size)
    for line, (start, stop) in enumerate(lines):
        top = line * block
        bottom = top + len(units) - 0.5
        image = ax.imshow(
            values[:, start:stop],
            cmap=cmap,
            vmin=-limit,
            vmax=limit,
            aspect="auto",
            interpolation="nearest",
            extent=(-0.5, stop - start - 0.5, bottom, top - 0.5),
        )
        for column, label in enumerate(labels[start:stop] if labels is not None else []):
            ax.text(
                column,
                bottom + label_height / 2,
                label,
                ha="center",
                va="center",
                rotation=90 if words else 0,
                fontsize=8 if words else 9,
                family="monospace",
            )
    ax.set_xlim(-0.5, width - 0.5)
    ax.set_ylim(n_lines * block - 0.5, -0.5)
    rows = [line * block + r for line in range(n_lines) for r in range(len(units))]
    ax.set_yticks(rows, [f"unit {u}" for _ in range(n_lines) for u in units], fontsize=8)
    if labels is not None:
        ax.set_xticks([])
    else:
        ax.set_xlabel("step")
    ax.figure.colorbar(image, ax=ax, label="cell state" if cell_state else "hidden state")
    ax.set_title(f"{type(estimator).__name__}, layer {layer}")
    return ax


def _pyplot(function: str):
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(f"{function} needs matplotlib: pip install 'sklearn_rnn[plot]'") from exc
    return plt


def _lines(wrap, n_steps: int, labels: list[str] | None) -> list[tuple[int, int]]:
    """The ``(start, stop)`` steps of each line of the picture."""
    if wrap is None:
        return [(0, n_steps)]
    if wrap == "newline" and labels is not None:
        ends = [i + 1 for i, label in enumerate(labels) if label == _VISIBLE["\n"]]
        bounds = [0, *[end for end in ends if end < n_steps], n_steps]
        return list(zip(bounds[:-1], bounds[1:], strict=True))
    if not _is_integer(wrap) or wrap < 1:
        raise ValueError(
            f"Invalid value for parameter 'wrap': expected an int >= 1, \"newline\" (for text) "
            f"or None, got {wrap!r}."
        )
    return [(start, min(start + wrap, n_steps)) for start in range(0, n_steps, wrap)]


def _check_units(units, n_units: int) -> list[int]:
    if units is None:
        return list(range(n_units))
    chosen = [units] if np.ndim(units) == 0 else list(units)
    if not chosen or not all(_is_integer(u) and -n_units <= u < n_units for u in chosen):
        raise ValueError(
            f"Invalid value for parameter 'units': expected ints in [0, {n_units}) (the layer "
            f"has {n_units} units), got {units!r}."
        )
    return [int(u) % n_units for u in chosen]


def _step_labels(estimator, x, n_steps: int) -> list[str] | None:
    """The text under each step: the tokens the estimator read (None for numbers)."""
    if isinstance(x, str):
        encoder = estimator.encoder_
        tokenizer = getattr(encoder, "tokenizer", "word")
        tokenize = resolve_tokenizer(tokenizer)
        tokens = list(tokenize(x))  # as written; the encoder may have lowercased them
        if len(tokens) != n_steps and getattr(encoder, "lowercase", False):
            tokens = list(tokenize(x.lower()))
        tokens = tokens[:n_steps] if tokens else [""]  # cut as max_len cut them
    elif isinstance(x, (list, tuple)) and all(isinstance(t, str) for t in x):
        tokens = list(x)[:n_steps]
    else:
        return None
    if len(tokens) != n_steps:
        return None  # a tokenizer whose steps cannot be matched: no text, rather than wrong text
    return [_VISIBLE.get(t, t) for t in tokens]
