"""Divergence, interruption and resumption, determinism."""

import numpy as np
import pytest
from conftest import LEARNS  # tests/ is on sys.path
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV
from skorch.callbacks import Callback

from sklearn_rnn import RNNClassifier, RNNRegressor
from sklearn_rnn.callbacks import TrainingDivergedError


@pytest.fixture(scope="module")
def digits(digits):
    """The first 200 of the shared digits sequences."""
    X, y = digits
    return X[:200], y[:200]


def test_divergence_stops_with_clear_error_and_leaves_estimator_unfitted(digits):
    X, y = digits
    reg = RNNRegressor(
        cell="rnn",
        hidden_size=64,
        lr=1e6,
        clip_grad_norm=None,
        max_epochs=5,
        scale_target=False,
        random_state=0,
    )
    with pytest.raises(TrainingDivergedError, match="lr=.*clip_grad_norm"):
        reg.fit(X, y * 1e30)
    assert isinstance(TrainingDivergedError("x"), ValueError)
    with pytest.raises(NotFittedError):
        reg.predict(X)


class InterruptAfter(Callback):
    """Simulates Ctrl-C at the start of the epoch after ``finished`` finished epochs."""

    def __init__(self, finished):
        self.finished = finished

    def on_epoch_begin(self, net, **kwargs):
        if len(net.history) > self.finished:  # skorch has already opened the new epoch's row
            raise KeyboardInterrupt


def test_keyboard_interrupt_keeps_last_finished_epoch_and_resumes(digits):
    X, y = digits
    params = {**LEARNS, "max_epochs": 4, "lr_schedule": "constant"}  # resumable epoch by epoch
    interrupted = RNNClassifier(callbacks=[InterruptAfter(2)], **params).fit(X, y)
    # Epochs 1 and 2 finished; epoch 3 started and was interrupted before any batch.
    finished = [row for row in interrupted.history if "train_loss" in row]
    assert len(finished) == 2
    assert interrupted.predict(X).shape == (len(X),)

    # Resume for the remaining 2 epochs: the same model as 4 uninterrupted epochs.
    interrupted.set_params(callbacks=[], max_epochs=2)
    interrupted.partial_fit(X, y)
    straight = RNNClassifier(**params).fit(X, y)
    np.testing.assert_allclose(interrupted.predict_proba(X), straight.predict_proba(X), atol=1e-5)


def test_bit_identical_predictions_with_same_seed(digits):
    X, y = digits
    params = {**LEARNS, "dropout": 0.2, "bidirectional": True}
    a = RNNClassifier(**params).fit(X, y).predict_proba(X)
    b = RNNClassifier(**params).fit(X, y).predict_proba(X)
    assert np.array_equal(a, b)


def test_seeded_fit_does_not_touch_global_torch_rng(digits):
    import torch

    X, y = digits
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    RNNClassifier(**LEARNS).fit(X, y)
    assert torch.equal(torch.rand(3), expected)


def test_grid_search_parallel_is_deterministic(digits):
    X, y = digits
    grid = {"cell": ["gru", "lstm"]}
    first = GridSearchCV(RNNClassifier(**LEARNS), grid, cv=2, n_jobs=2).fit(X, y)
    second = GridSearchCV(RNNClassifier(**LEARNS), grid, cv=2, n_jobs=2).fit(X, y)
    serial = GridSearchCV(RNNClassifier(**LEARNS), grid, cv=2, n_jobs=1).fit(X, y)
    np.testing.assert_array_equal(
        first.cv_results_["mean_test_score"], second.cv_results_["mean_test_score"]
    )
    np.testing.assert_array_equal(
        first.cv_results_["mean_test_score"], serial.cv_results_["mean_test_score"]
    )
    assert np.array_equal(first.predict_proba(X), serial.predict_proba(X))
