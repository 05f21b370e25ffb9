"""plot_history draws the training curves."""

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

from sklearn_rnn import RNNClassifier  # noqa: E402
from sklearn_rnn.inspection import plot_history  # noqa: E402


def test_plot_history_draws_train_and_validation_curves(tmp_path):
    X = np.random.RandomState(0).randn(60, 5, 2)
    y = np.arange(60) % 2
    clf = RNNClassifier(hidden_size=4, max_epochs=4, early_stopping=True, random_state=0)
    ax = plot_history(clf.fit(X, y))
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels == ["train loss", "validation loss"]
    train = ax.get_lines()[0]
    np.testing.assert_allclose(train.get_ydata(), clf.history[:, "train_loss"])
    twin_lines = [line for axes in ax.figure.axes for line in axes.get_lines()]
    assert "valid_acc" in [line.get_label() for line in twin_lines]
    ax.figure.savefig(tmp_path / "history.png")
    assert (tmp_path / "history.png").stat().st_size > 0


def test_plot_history_needs_fitted_estimator():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        plot_history(RNNClassifier())


def test_plot_history_epoch_ticks_are_whole_and_legend_is_clear_of_the_curves():
    X = np.random.RandomState(0).randn(40, 5, 2)
    y = np.arange(40) % 2
    clf = RNNClassifier(hidden_size=4, max_epochs=3, early_stopping=True, random_state=0)
    ax = plot_history(clf.fit(X, y))
    figure = ax.figure
    figure.canvas.draw()
    low, high = ax.get_xlim()
    ticks = [t for t in ax.get_xticks() if low <= t <= high]
    assert ticks and all(float(t).is_integer() for t in ticks)  # 3 epochs: no 1.5, 2.5
    # The legend sits above the plotting area of both y-axes, so no line crosses it.
    legend = ax.get_legend().get_window_extent()
    for axes in figure.axes:
        assert legend.y0 >= axes.get_window_extent().y1 - 1
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "train loss",
        "validation loss",
        "valid_acc",
    ]
    # ... and inside the saved figure.
    assert figure.bbox.contains(legend.x0, legend.y1 - 1) and legend.y1 <= figure.bbox.y1
