"""Training curves from a fitted estimator's history (matplotlib, an optional extra)."""

from __future__ import annotations

from sklearn.utils.validation import check_is_fitted

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
    >>> from sklearn_rnn.plotting import plot_history
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
