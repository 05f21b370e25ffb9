"""max_epochs="auto", early_stopping="auto" and the training-loss convergence test."""

import math

import numpy as np
import pytest

from sklearn_rnn import RNNClassifier, RNNRegressor
from sklearn_rnn._training_budget import (
    AUTO_EARLY_STOPPING_MIN_SAMPLES,
    AUTO_MAX_EPOCHS,
    AUTO_MIN_EPOCHS,
    AUTO_MIN_STEPS,
)

rng = np.random.RandomState(0)
X = rng.randn(60, 4, 1).astype(np.float32)
y = (X[:, :, 0].sum(axis=1) > 0).astype(int)
TINY = dict(hidden_size=4, random_state=0)


def test_auto_epochs_make_the_step_budget_on_small_data():
    clf = RNNClassifier(batch_size=16, n_iter_no_change=None, **TINY).fit(X, y)
    steps_per_epoch = math.ceil(len(X) / 16)  # 4
    assert clf.max_epochs_ == math.ceil(AUTO_MIN_STEPS / steps_per_epoch)
    assert len(clf.history) == clf.max_epochs_
    assert len(clf.history) * steps_per_epoch >= AUTO_MIN_STEPS


@pytest.mark.parametrize(
    "n, batch_size, expected",
    [(1, 32, AUTO_MAX_EPOCHS), (64_000, 32, AUTO_MIN_EPOCHS), (1_600, 32, 10), (800, 32, 20)],
)
def test_auto_epochs_are_bounded(n, batch_size, expected):
    from sklearn_rnn._training_budget import resolve_max_epochs

    assert resolve_max_epochs("auto", n, batch_size, one_epoch=False) == expected


def test_an_explicit_max_epochs_is_trained_in_full():
    clf = RNNClassifier(max_epochs=3, **TINY).fit(X, y)
    assert clf.max_epochs_ == 3 and len(clf.history) == 3


def test_training_stops_when_the_training_loss_stops_improving():
    # No improvement can reach a tol of 10 nats: the fit stops after n_iter_no_change
    # epochs that do not beat the first.
    clf = RNNClassifier(max_epochs=50, tol=10.0, n_iter_no_change=3, **TINY).fit(X, y)
    assert len(clf.history) == 4
    unlimited = RNNClassifier(max_epochs=6, tol=10.0, n_iter_no_change=None, **TINY).fit(X, y)
    assert len(unlimited.history) == 6


def test_auto_early_stopping_is_off_on_small_data():
    clf = RNNClassifier(max_epochs=2, **TINY).fit(X, y)
    assert clf.early_stopping_ is False
    assert "valid_loss" not in clf.history[-1] or clf.history[-1, "valid_loss"] is None


def test_auto_early_stopping_holds_data_out_on_large_data():
    n = AUTO_EARLY_STOPPING_MIN_SAMPLES
    X_large = np.random.RandomState(1).randn(n, 2, 1).astype(np.float32)
    y_large = X_large[:, 0, 0]
    reg = RNNRegressor(max_epochs=1, batch_size=512, **TINY).fit(X_large, y_large)
    assert reg.early_stopping_ is True
    assert np.isfinite(reg.history[-1, "valid_loss"])
    assert "early_stopping" in dict(reg.callbacks_)
    small = RNNRegressor(max_epochs=1, batch_size=512, **TINY).fit(X_large[:-1], y_large[:-1])
    assert small.early_stopping_ is False


def test_partial_fit_with_auto_settings_trains_one_epoch_per_call_without_holding_out():
    clf = RNNClassifier(**TINY)
    clf.partial_fit(X, y)
    clf.partial_fit(X, y)
    assert len(clf.history) == 2
    assert clf.early_stopping_ is False


def test_explicit_early_stopping_still_refuses_partial_fit():
    with pytest.raises(ValueError, match="early_stopping=True cannot be combined"):
        RNNClassifier(early_stopping=True, **TINY).partial_fit(X, y)


@pytest.mark.parametrize(
    "params, name",
    [
        ({"max_epochs": "many"}, "max_epochs"),
        ({"early_stopping": "yes"}, "early_stopping"),
        ({"tol": -1.0}, "tol"),
        ({"n_iter_no_change": 0}, "n_iter_no_change"),
    ],
)
def test_bad_budget_parameters_are_named(params, name):
    with pytest.raises(ValueError, match=f"parameter '{name}'"):
        RNNClassifier(**params).fit(X, y)


def test_zero_epochs_with_early_stopping_leave_an_untrained_fitted_model():
    clf = RNNClassifier(max_epochs=0, early_stopping=True, **TINY).fit(X, y)
    assert len(clf.history) == 0
    assert clf.predict(X).shape == (len(X),)
