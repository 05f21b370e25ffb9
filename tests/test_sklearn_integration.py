"""The estimators inside scikit-learn: clone, Pipeline, searches, CV, pickling, seeds."""

import pickle

import joblib
import numpy as np
import pytest
from conftest import LEARNS  # tests/ is on sys.path
from sklearn.base import clone
from sklearn.exceptions import DataConversionWarning
from sklearn.linear_model import LinearRegression
from sklearn.model_selection import (
    GridSearchCV,
    RandomizedSearchCV,
    TimeSeriesSplit,
    cross_val_score,
)
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, MinMaxScaler

from sklearn_rnn import RNNClassifier, RNNRegressor


def test_clone_gives_unfitted_estimator_with_same_params(texts):
    clf = RNNClassifier(optimizer__weight_decay=1e-4, **LEARNS).fit(*texts)
    fresh = clone(clf)
    assert fresh.get_params(deep=False).keys() == clf.get_params(deep=False).keys()
    assert fresh.get_params(deep=False)["optimizer__weight_decay"] == 1e-4
    assert not hasattr(fresh, "classes_") and not hasattr(fresh, "module_")
    assert not fresh.__sklearn_is_fitted__()


def test_pipeline_with_transformer_before_rnn(digits):
    X, y = digits[0][:100], digits[1][:100]  # 64-step series: 100 are enough to compare
    flatten = FunctionTransformer(lambda a: a.reshape(len(a), -1))
    pipe = make_pipeline(flatten, MinMaxScaler(), RNNClassifier(**LEARNS))
    pipe.fit(X, y)
    # The same as the steps by hand: a (n, 64) table read as 64-step univariate series.
    scaled = MinMaxScaler().fit(X.reshape(len(X), -1))
    by_hand = RNNClassifier(**LEARNS).fit(scaled.transform(X.reshape(len(X), -1)), y)
    np.testing.assert_array_equal(
        pipe.predict_proba(X[:5]), by_hand.predict_proba(scaled.transform(X[:5].reshape(5, -1)))
    )


@pytest.mark.parametrize(
    "column",
    [
        np.array([[0], [1]] * 6),
        np.array([["neg"], ["pos"]] * 6, dtype=object),
        [["neg"], ["pos"]] * 6,
    ],
    ids=["int array", "object array", "list of one-label lists"],
)
def test_classifier_column_vector_y_warns_and_is_raveled(column):
    # As scikit-learn's classifiers: a (n, 1) y is one label per sample, with a warning.
    X = np.random.RandomState(0).randn(12, 4, 2)
    with pytest.warns(DataConversionWarning, match="column-vector y"):
        clf = RNNClassifier(**LEARNS).fit(X, column)
    labels = np.asarray(column).ravel()
    assert clf.classes_.tolist() == sorted(set(labels.tolist()))
    assert clf.predict(X).shape == (12,)
    assert set(clf.predict(X).tolist()) <= set(labels.tolist())


def test_regressor_column_vector_y_gives_one_output_column():
    # As LinearRegression (a multi-output regressor): a (n, 1) y is one output, kept 2D.
    X = np.random.RandomState(0).randn(12, 4, 2)
    y = np.random.RandomState(1).randn(12, 1)
    reg = RNNRegressor(**LEARNS).fit(X, y)
    reference = LinearRegression().fit(X.reshape(12, -1), y)
    assert reg.predict(X).shape == reference.predict(X.reshape(12, -1)).shape == (12, 1)
    assert reg.n_outputs_ == 1


def test_grid_search_over_cell_parallel(texts):
    grid = GridSearchCV(
        RNNClassifier(**LEARNS),
        {"cell": ["rnn", "lstm", "gru"], "hidden_size": [8, 16]},
        cv=2,
        n_jobs=2,
    )
    grid.fit(*texts)
    assert len(grid.cv_results_["params"]) == 6
    assert grid.best_score_ > 0.8  # the words give the label away
    assert grid.predict(["great fun", "awful mess"]).tolist() == ["pos", "neg"]


def test_grid_search_on_ragged_multivariate_series():
    rng = np.random.RandomState(0)
    X = [rng.randn(rng.randint(3, 15), 2) + (i % 2) for i in range(40)]
    y = np.arange(40) % 2
    grid = GridSearchCV(RNNClassifier(**LEARNS), {"cell": ["rnn", "gru"]}, cv=2).fit(X, y)
    assert grid.best_score_ > 0.7


def test_randomized_search_parallel(digits):
    X, y = digits
    search = RandomizedSearchCV(
        RNNClassifier(**LEARNS),
        {"hidden_size": [8, 16, 32], "bidirectional": [True, False]},
        n_iter=3,
        cv=2,
        n_jobs=2,
        random_state=0,
    )
    search.fit(X, y)
    assert search.best_score_ > 0.3


def test_cross_val_score_beats_chance(digits):
    X, y = digits
    scores = cross_val_score(RNNClassifier(**{**LEARNS, "max_epochs": 8}), X, y, cv=3)
    assert scores.mean() > 0.5  # 10 classes: chance is 0.1


def test_time_series_split_with_regressor():
    t = np.arange(300, dtype=np.float32)
    series = np.sin(t / 6)
    X = np.stack([series[i : i + 12] for i in range(280)])[:, :, None]
    y = series[12:292]
    scores = cross_val_score(
        RNNRegressor(**{**LEARNS, "max_epochs": 10}), X, y, cv=TimeSeriesSplit(n_splits=3)
    )
    assert scores.shape == (3,) and np.all(np.isfinite(scores))
    assert scores.mean() > 0.5


@pytest.mark.parametrize("dump_load", ["pickle", "joblib"])
def test_pickle_round_trip_predicts_identically(fitted_text_classifier, texts, tmp_path, dump_load):
    clf = fitted_text_classifier
    if dump_load == "pickle":
        restored = pickle.loads(pickle.dumps(clf))
    else:
        joblib.dump(clf, tmp_path / "clf.joblib")
        restored = joblib.load(tmp_path / "clf.joblib")
    np.testing.assert_array_equal(restored.predict_proba(texts[0]), clf.predict_proba(texts[0]))


@pytest.mark.parametrize("Estimator", [RNNClassifier, RNNRegressor])
def test_random_state_gives_identical_fits(digits, Estimator):
    X, y = digits
    a = Estimator(**LEARNS, dropout=0.3).fit(X, y).predict(X)
    b = Estimator(**LEARNS, dropout=0.3).fit(X, y).predict(X)
    np.testing.assert_array_equal(a, b)


def test_different_random_states_differ(digits):
    X, y = digits
    a = RNNRegressor(**{**LEARNS, "random_state": 0}).fit(X, y).predict(X)
    b = RNNRegressor(**{**LEARNS, "random_state": 1}).fit(X, y).predict(X)
    assert not np.allclose(a, b)


def test_set_params_takes_effect_on_next_fit(texts):
    clf = RNNClassifier(**{**LEARNS, "bidirectional": False, "cell": "lstm"}).fit(*texts)
    assert type(clf.module_.core.rnn).__name__ == "LSTM"
    clf.set_params(hidden_size=4, cell="gru")
    clf.fit(*texts)
    assert clf.module_.core.rnn.hidden_size == 4
    assert type(clf.module_.core.rnn).__name__ == "GRU"


def test_callback_parameters_reach_the_callbacks_of_the_fit(texts):
    # As in skorch: callbacks__<name>__<param>, before fit, on a callback the estimator adds.
    params = dict(LEARNS, early_stopping=True, max_epochs=2, validation_fraction=0.25)
    clf = RNNClassifier(**params).set_params(callbacks__early_stopping__patience=1)
    assert clf.get_params()["callbacks__early_stopping__patience"] == 1
    assert clone(clf).get_params()["callbacks__early_stopping__patience"] == 1
    clf.fit(*texts)
    assert dict(clf.callbacks_)["early_stopping"].patience == 1
    grid = GridSearchCV(
        RNNClassifier(**params), {"callbacks__early_stopping__patience": [1, 2]}, cv=2
    ).fit(*texts)
    assert dict(grid.best_estimator_.callbacks_)["early_stopping"].patience in (1, 2)
    with pytest.raises(ValueError, match="callbacks__no_such_callback__patience"):
        RNNClassifier(**LEARNS, callbacks__no_such_callback__patience=1).fit(*texts)


def test_skorch_prefixed_parameters_reach_optimizer(texts):
    clf = RNNClassifier(optimizer__weight_decay=0.5, **LEARNS).fit(*texts)
    assert clf.optimizer_.param_groups[0]["weight_decay"] == 0.5
    clf.set_params(optimizer__weight_decay=0.25)
    clf.fit(*texts)
    assert clf.optimizer_.param_groups[0]["weight_decay"] == 0.25
    assert clf.get_params(deep=True)["optimizer__weight_decay"] == 0.25


def test_unknown_prefixed_parameter_is_rejected_at_fit(texts):
    with pytest.raises(ValueError, match="optimizr__lr"):
        RNNClassifier(optimizr__lr=1.0, **LEARNS).fit(*texts)


def test_history_and_skorch_callbacks(texts):
    from skorch.callbacks import Callback

    class CountEpochs(Callback):
        def initialize(self):
            self.epochs_ = 0
            return self

        def on_epoch_end(self, net, **kwargs):
            self.epochs_ += 1

    counter = CountEpochs()
    clf = RNNClassifier(callbacks=[counter], **LEARNS).fit(*texts)
    assert counter.epochs_ == LEARNS["max_epochs"]
    assert len(clf.history) == LEARNS["max_epochs"]
    assert all(np.isfinite(clf.history[:, "train_loss"]))


@pytest.mark.parametrize("early_stopping", [False, True])
def test_skorch_scoring_callbacks_on_training_data(texts, early_stopping):
    # As skorch documents them: EpochScoring and BatchScoring with on_train=True.
    from skorch.callbacks import BatchScoring, EpochScoring

    callbacks = [
        EpochScoring("accuracy", on_train=True, name="train_acc", lower_is_better=False),
        BatchScoring("accuracy", on_train=True, name="train_batch_acc", lower_is_better=False),
    ]
    clf = RNNClassifier(callbacks=callbacks, early_stopping=early_stopping, **LEARNS)
    clf.fit(*texts)
    for key in ("train_acc", "train_batch_acc"):
        scores = clf.history[:, key]
        assert len(scores) == len(clf.history) and all(0 <= s <= 1 for s in scores)
    # The last epoch's training accuracy is the accuracy of the weights it ended with.
    X, y = texts
    train = clf.history[-1, "train_acc"]
    assert early_stopping or train == pytest.approx(clf.score(X, y), abs=0.1)


def test_skorch_batch_scoring_sees_regression_targets_in_user_units():
    from skorch.callbacks import BatchScoring

    rng = np.random.RandomState(0)
    X = rng.randn(40, 4, 1)
    y = 1000 + 100 * X.sum(axis=(1, 2))
    mae = BatchScoring("neg_mean_absolute_error", on_train=True, name="train_mae")
    reg = RNNRegressor(callbacks=[mae], **{**LEARNS, "max_epochs": 2}).fit(X, y)
    # Predictions and targets both in the units of y: an error of the order of its spread.
    assert 0 < -reg.history[-1, "train_mae"] < 3 * np.abs(y - y.mean()).mean()


def test_warm_start_continues_training(texts):
    clf = RNNClassifier(warm_start=True, **LEARNS).fit(*texts)
    weights = clf.module_.head.linear.weight.detach().clone()
    clf.fit(*texts)
    assert len(clf.history) == 2 * LEARNS["max_epochs"]
    assert not np.allclose(weights, clf.module_.head.linear.weight.detach())


def test_partial_fit_matches_one_longer_fit(digits):
    X, y = digits
    # A constant learning rate: a fit's cosine schedule would span its own epochs only.
    params = {**LEARNS, "max_epochs": 1, "lr_schedule": "constant"}
    stepwise = RNNClassifier(**params)
    for _ in range(3):
        stepwise.partial_fit(X, y)
    once = RNNClassifier(**{**params, "max_epochs": 3}).fit(X, y)
    np.testing.assert_allclose(stepwise.predict_proba(X), once.predict_proba(X), atol=1e-6)


def test_fit_loop_on_raw_X_trains_as_partial_fit(texts):
    # skorch's public fit_loop, on the user's own X and y: encoded as partial_fit would.
    X, y = texts
    params = {**LEARNS, "max_epochs": 1, "lr_schedule": "constant"}
    looped = RNNClassifier(**params).fit(X, y)
    looped.fit_loop(X, y, epochs=2)
    stepwise = RNNClassifier(**params).fit(X, y)
    stepwise.partial_fit(X, y).partial_fit(X, y)
    assert len(looped.history) == len(stepwise.history) == 3
    np.testing.assert_allclose(looped.predict_proba(X), stepwise.predict_proba(X), atol=1e-6)


def test_early_stopping_holds_out_validation_data(digits):
    X, y = digits
    clf = RNNClassifier(
        **{**LEARNS, "max_epochs": 50}, early_stopping=True, patience=2, validation_fraction=0.2
    ).fit(X, y)
    history = clf.history
    assert "valid_loss" in history[-1] and "valid_acc" in history[-1]
    # It stopped: the last `patience` epochs did not beat the best validation accuracy.
    accuracy = history[:, "valid_acc"]
    assert len(history) < 50 and max(accuracy[-2:]) <= max(accuracy[:-2]) * (1 + 1e-4)
    # Every epoch trains on 80 % of the 300 sequences and validates on the other 20 %.
    assert sum(history[-1, "batches", :, "train_batch_size"]) == 240
    assert sum(history[-1, "batches", :, "valid_batch_size"]) == 60


def test_no_validation_split_by_default(fitted_text_classifier, texts):
    history = fitted_text_classifier.history
    assert "valid_loss" not in history[-1]
    assert sum(history[-1, "batches", :, "train_batch_size"]) == len(texts[0])


def test_skorch_batch_scoring_sees_multilabel_targets_as_indicator_rows():
    from skorch.callbacks import BatchScoring

    texts = ["good fun", "bad fun", "good sad", "bad sad"] * 6
    y = np.array([[1, 1], [0, 1], [1, 0], [0, 0]] * 6)
    scoring = BatchScoring("f1_micro", on_train=True, name="train_f1")
    clf = RNNClassifier(hidden_size=8, max_epochs=2, random_state=0, callbacks=[scoring])
    clf.fit(texts, y)
    assert 0.0 <= clf.history[-1, "train_f1"] <= 1.0
