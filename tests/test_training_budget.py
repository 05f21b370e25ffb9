"""max_epochs="auto", early_stopping="auto" and the training-loss convergence test."""

import math

import numpy as np
import pytest
from conftest import tiny  # tests/ is on sys.path

from sklearn_rnn import RNNClassifier, RNNRegressor
from sklearn_rnn._base._training_budget import (
    AUTO_EARLY_STOPPING_MIN_SAMPLES,
    AUTO_MAX_EPOCHS,
    AUTO_MIN_EPOCHS,
    AUTO_MIN_STEPS,
)

rng = np.random.RandomState(0)
X = rng.randn(60, 4, 1).astype(np.float32)
y = (X[:, :, 0].sum(axis=1) > 0).astype(int)


def test_auto_epochs_make_the_step_budget_on_small_data():
    clf = tiny(RNNClassifier, max_epochs="auto", batch_size=16, n_iter_no_change=None).fit(X, y)
    steps_per_epoch = math.ceil(len(X) / 16)  # 4
    assert clf.max_epochs_ == math.ceil(AUTO_MIN_STEPS / steps_per_epoch)
    assert len(clf.history) == clf.max_epochs_
    assert len(clf.history) * steps_per_epoch >= AUTO_MIN_STEPS


@pytest.mark.parametrize(
    "n, batch_size, expected",
    [(1, 32, AUTO_MAX_EPOCHS), (64_000, 32, AUTO_MIN_EPOCHS), (1_600, 32, 10), (800, 32, 20)],
)
def test_auto_epochs_are_bounded(n, batch_size, expected):
    from sklearn_rnn._base._training_budget import resolve_max_epochs

    assert resolve_max_epochs("auto", n, batch_size, one_epoch=False) == expected


def test_an_explicit_max_epochs_is_trained_in_full():
    clf = tiny(RNNClassifier, max_epochs=3).fit(X, y)
    assert clf.max_epochs_ == 3 and len(clf.history) == 3


def test_training_stops_when_the_training_loss_stops_improving():
    # No improvement can reach a tol of 10 nats: the fit stops after n_iter_no_change
    # epochs that do not beat the first.
    clf = tiny(RNNClassifier, max_epochs=50, tol=10.0, n_iter_no_change=3).fit(X, y)
    assert len(clf.history) == 4
    unlimited = tiny(RNNClassifier, max_epochs=6, tol=10.0, n_iter_no_change=None).fit(X, y)
    assert len(unlimited.history) == 6


def test_auto_early_stopping_is_off_on_small_data():
    clf = tiny(RNNClassifier, max_epochs=2).fit(X, y)
    assert clf.early_stopping_ is False
    assert "valid_loss" not in clf.history[-1] or clf.history[-1, "valid_loss"] is None


def test_auto_early_stopping_holds_data_out_on_large_data():
    n = AUTO_EARLY_STOPPING_MIN_SAMPLES
    X_large = np.random.RandomState(1).randn(n, 2, 1).astype(np.float32)
    y_large = X_large[:, 0, 0]
    reg = tiny(RNNRegressor, max_epochs=1, batch_size=512).fit(X_large, y_large)
    assert reg.early_stopping_ is True
    assert np.isfinite(reg.history[-1, "valid_loss"])
    assert "early_stopping" in dict(reg.callbacks_)
    small = tiny(RNNRegressor, max_epochs=1, batch_size=512).fit(X_large[:-1], y_large[:-1])
    assert small.early_stopping_ is False


def test_partial_fit_with_auto_settings_trains_one_epoch_per_call_without_holding_out():
    clf = tiny(RNNClassifier, max_epochs="auto")
    clf.partial_fit(X, y)
    clf.partial_fit(X, y)
    assert len(clf.history) == 2
    assert clf.early_stopping_ is False


def test_explicit_early_stopping_still_refuses_partial_fit():
    with pytest.raises(ValueError, match="early_stopping=True cannot be combined"):
        tiny(RNNClassifier, max_epochs="auto", early_stopping=True).partial_fit(X, y)


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
    clf = tiny(RNNClassifier, max_epochs=0, early_stopping=True).fit(X, y)
    assert len(clf.history) == 0
    assert clf.predict(X).shape == (len(X),)


# -- lr_schedule ---------------------------------------------------------------------------


def _epoch_lrs(estimator) -> list[float]:
    return [lr / estimator.lr_ for lr in estimator.history[:, "lr"]]


def test_cosine_schedule_decays_to_zero_over_the_fit_and_leaves_lr_as_set():
    clf = tiny(RNNClassifier, max_epochs=6, batch_size=16).fit(X, y)  # 4 steps per epoch
    assert clf.lr_schedule_ == "cosine"
    steps = 6 * 4
    expected = [0.5 * (1 + math.cos(math.pi * (4 * e + 3) / steps)) for e in range(6)]
    np.testing.assert_allclose(_epoch_lrs(clf), expected, rtol=1e-6)
    assert clf.optimizer_.param_groups[0]["lr"] == clf.lr_  # a next fit starts from lr


def test_cosine_schedule_spans_the_auto_epochs_and_the_training_part_only():
    big = rng.randn(AUTO_EARLY_STOPPING_MIN_SAMPLES, 2, 1).astype(np.float32)
    labels = (big[:, 0, 0] > 0).astype(int)
    clf = tiny(RNNClassifier, max_epochs=2, batch_size=1000, patience=10).fit(big, labels)
    assert clf.early_stopping_
    train_batches = math.ceil((len(big) - clf._n_validation(len(big))) / 1000)  # 9
    last = 0.5 * (1 + math.cos(math.pi * (2 * train_batches - 1) / (2 * train_batches)))
    assert _epoch_lrs(clf)[-1] == pytest.approx(last)


def test_constant_schedule_and_incremental_training_keep_lr():
    constant = tiny(RNNClassifier, max_epochs=3, lr_schedule="constant").fit(X, y)
    assert constant.lr_schedule_ == "constant"
    assert "lr" not in constant.history[-1]
    incremental = tiny(RNNClassifier, max_epochs=2).partial_fit(X, y, classes=[0, 1])
    assert incremental.lr_schedule_ == "constant"
    warm = tiny(RNNClassifier, max_epochs=2, warm_start=True).fit(X, y)
    assert warm.lr_schedule_ == "constant"
    assert (
        tiny(RNNClassifier, max_epochs=2, warm_start=True, lr_schedule="cosine")
        .fit(X, y)
        .fit(X, y)
        .lr_schedule_
        == "cosine"
    )


def test_the_schedule_changes_the_fit_and_is_reproducible():
    cosine = tiny(RNNRegressor, max_epochs=4).fit(X, y.astype(float))
    again = tiny(RNNRegressor, max_epochs=4).fit(X, y.astype(float))
    constant = tiny(RNNRegressor, max_epochs=4, lr_schedule="constant").fit(X, y.astype(float))
    np.testing.assert_array_equal(cosine.predict(X), again.predict(X))
    assert not np.allclose(cosine.predict(X), constant.predict(X))


@pytest.mark.parametrize("value", ["linear", None, 1.0, "Cosine"])
def test_bad_lr_schedule_is_named(value):
    with pytest.raises(ValueError, match="lr_schedule"):
        tiny(RNNClassifier, max_epochs="auto", lr_schedule=value).fit(X, y)


def test_a_users_lr_scheduler_callback_takes_over_from_auto():
    import torch
    from skorch.callbacks import LRScheduler

    halve = LRScheduler(policy=torch.optim.lr_scheduler.StepLR, step_size=1, gamma=0.5)
    clf = tiny(RNNClassifier, max_epochs=3, callbacks=[("halve", halve)]).fit(X, y)
    assert clf.lr_schedule_ == "constant"
    assert clf.optimizer_.param_groups[0]["lr"] == pytest.approx(clf.lr_ * 0.5**3)
    with pytest.raises(ValueError, match="lr_schedule"):
        tiny(RNNClassifier, max_epochs=1, lr_schedule="cosine", callbacks=[halve]).fit(X, y)


def test_auto_schedule_is_constant_for_text():
    texts = ["good film", "bad film", "fine", "awful"] * 4
    clf = tiny(RNNClassifier, max_epochs=2).fit(texts, [1, 0] * 8)
    assert clf.lr_schedule_ == "constant"
    forced = tiny(RNNClassifier, max_epochs=2, lr_schedule="cosine").fit(texts, [1, 0] * 8)
    assert forced.lr_schedule_ == "cosine"


def test_auto_epochs_leave_room_for_early_stopping_on_large_data():
    from sklearn_rnn._base._training_budget import (
        AUTO_EPOCHS_WITH_EARLY_STOPPING,
        resolve_max_epochs,
    )

    n = AUTO_EARLY_STOPPING_MIN_SAMPLES
    X_large = np.random.RandomState(2).randn(n, 2, 1).astype(np.float32)
    reg = tiny(RNNRegressor, max_epochs="auto", batch_size=128, patience=1).fit(
        X_large, X_large[:, 0, 0]
    )
    assert reg.early_stopping_ and reg.max_epochs_ == AUTO_EPOCHS_WITH_EARLY_STOPPING
    assert len(reg.history) <= reg.max_epochs_
    # The same data without early stopping: the step budget's 10 epochs (71 steps each).
    assert resolve_max_epochs("auto", n - n // 10, 128, one_epoch=False) == AUTO_MIN_EPOCHS
