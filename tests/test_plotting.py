"""plot_history draws the training curves."""

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

from sklearn_rnn import RNNClassifier  # noqa: E402
from sklearn_rnn.plotting import plot_history  # noqa: E402


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
