"""sample_weight: the weighted loss, its normalization, and the scikit-learn paths to it."""

import numpy as np
import pytest
import sklearn
from conftest import TINY  # tests/ is on sys.path
from sklearn.model_selection import GridSearchCV, KFold, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from sklearn_rnn import RNNClassifier, RNNRegressor, RNNTagger
from sklearn_rnn._base._sample_weight import check_sample_weight

# Eight units, three epochs at lr=0.01: the model learns the data, so weights visibly move
# it; no early stopping, which would hold out (weighted) samples.
FAST = {
    **TINY[RNNClassifier],
    "hidden_size": 8,
    "max_epochs": 3,
    "lr": 0.01,
    "early_stopping": False,
}


@pytest.fixture(scope="module")
def series():
    rng = np.random.RandomState(0)
    X = rng.randn(80, 6, 2).astype(np.float32)
    y = (X[:, :, 0].mean(1) > 0).astype(int)
    return X, y


@pytest.mark.parametrize("weights", [np.ones(48), np.full(48, 2.5)])
def test_constant_weights_give_the_unweighted_model_bit_for_bit(texts, weights):
    plain = RNNClassifier(**FAST).fit(*texts)
    weighted = RNNClassifier(**FAST).fit(*texts, sample_weight=weights)
    assert np.array_equal(plain.predict_proba(texts[0]), weighted.predict_proba(texts[0]))


def test_ones_with_class_weight_and_on_the_regressor_and_tagger(series):
    X, y = series
    kw = dict(FAST, class_weight={0: 3.0})
    a = RNNClassifier(**kw).fit(X, y).predict_proba(X)
    b = RNNClassifier(**kw).fit(X, y, sample_weight=np.ones(len(y))).predict_proba(X)
    assert np.array_equal(a, b)
    target = X.sum((1, 2))
    a = RNNRegressor(**FAST).fit(X, target).predict(X)
    b = RNNRegressor(**FAST).fit(X, target, sample_weight=np.ones(len(y))).predict(X)
    assert np.array_equal(a, b)
    tokens, tags = [["a", "b"], ["c"]] * 6, [["X", "Y"], ["Y"]] * 6
    a = RNNTagger(**FAST).fit(tokens, tags).predict_proba(tokens)
    b = RNNTagger(**FAST).fit(tokens, tags, sample_weight=np.ones(12)).predict_proba(tokens)
    assert all(np.array_equal(p, q) for p, q in zip(a, b, strict=True))


def test_weights_change_the_model(texts):
    weights = np.linspace(0.1, 3.0, 48)
    plain = RNNClassifier(**FAST).fit(*texts).predict_proba(texts[0])
    weighted = RNNClassifier(**FAST).fit(*texts, sample_weight=weights).predict_proba(texts[0])
    assert not np.allclose(plain, weighted)


def test_up_weighting_a_class_shifts_predictions_towards_it(series):
    X, y = series
    # Without the convolutions: they fit these 80 series exactly in 5 epochs, and a model
    # that separates its training data has no errors left for weights to trade off.
    kw = dict(FAST, max_epochs=5, conv_blocks=None)
    plain = RNNClassifier(**kw).fit(X, y).predict_proba(X)[:, 1].mean()
    heavy = np.where(y == 1, 10.0, 1.0)
    weighted = RNNClassifier(**kw).fit(X, y, sample_weight=heavy).predict_proba(X)[:, 1].mean()
    assert weighted > plain + 0.1


def test_wrong_labels_with_weight_zero_do_not_hurt(digits):
    X, y = digits
    X_test, y_test, X, y = X[200:], y[200:], X[:200], y[:200]
    rng = np.random.RandomState(0)
    wrong = (y + rng.randint(1, 10, size=len(y))) % 10  # every label wrong
    X_all, y_all = np.concatenate([X, X]), np.concatenate([y, wrong])
    weights = np.r_[np.ones(len(y)), np.zeros(len(y))]
    # 10 epochs: clean 0.82, ignored 0.82, noisy 0.73 (15 epochs: 0.83, 0.82, 0.75).
    kw = dict(hidden_size=32, max_epochs=10, lr=0.01, random_state=0, early_stopping=False)
    clean = RNNClassifier(**kw).fit(X, y).score(X_test, y_test)
    ignored = RNNClassifier(**kw).fit(X_all, y_all, sample_weight=weights).score(X_test, y_test)
    noisy = RNNClassifier(**kw).fit(X_all, y_all).score(X_test, y_test)
    assert abs(ignored - clean) <= 0.05 and ignored > noisy + 0.05, (clean, ignored, noisy)


def test_tagger_weights_per_sequence():
    # The same tokens tagged two ways: the heavier sequences decide.
    X = [["a", "b"]] * 20
    y = [["X", "Y"]] * 10 + [["Y", "X"]] * 10
    weights = np.r_[np.full(10, 5.0), np.ones(10)]
    tagger = RNNTagger(hidden_size=8, max_epochs=15, lr=0.02, random_state=0, early_stopping=False)
    assert tagger.fit(X, y, sample_weight=weights).predict([["a", "b"]]) == [["X", "Y"]]
    assert tagger.fit(X, y, sample_weight=weights[::-1]).predict([["a", "b"]]) == [["Y", "X"]]
    # score: each tag of a sequence counts with the sequence's weight.
    score = tagger.score([["a", "b"], ["a"]], [["Y", "X"], ["X"]], sample_weight=[3.0, 1.0])
    assert score == pytest.approx(6 / 7)


def test_crf_tagger_takes_weights():
    X, y = [["a", "b"]] * 12, [["X", "Y"]] * 6 + [["Y", "X"]] * 6
    weights = np.r_[np.full(6, 5.0), np.ones(6)]
    tagger = RNNTagger(
        hidden_size=8, crf=True, max_epochs=15, lr=0.02, random_state=0, early_stopping=False
    )
    assert tagger.fit(X, y, sample_weight=weights).predict([["a", "b"]]) == [["X", "Y"]]


def test_validation_loss_uses_the_held_out_weights(series):
    X, y = series
    kw = dict(FAST, early_stopping=True, validation_fraction=0.25, max_epochs=2)
    plain = RNNClassifier(**kw).fit(X, y)
    weights = np.where(np.arange(len(y)) % 2 == 0, 4.0, 0.5)
    weighted = RNNClassifier(**kw).fit(X, y, sample_weight=weights)
    # Same split (seeded), same first-epoch start; only the weighting of the losses differs.
    assert weighted.history[0, "valid_loss"] != plain.history[0, "valid_loss"]
    # One sample of weight 1, the rest 0: the seeded split holds out 8 zero-weight samples,
    # which cannot score a validation epoch.
    one = np.r_[1.0, np.zeros(len(y) - 1)]
    with pytest.raises(ValueError, match="validation data .* all zero"):
        RNNClassifier(**dict(kw, validation_fraction=0.1)).fit(X, y, sample_weight=one)


def test_partial_fit_takes_weights(series):
    X, y = series
    clf = RNNClassifier(**FAST)
    clf.partial_fit(X, y, classes=[0, 1], sample_weight=np.linspace(0.5, 2, len(y)))
    clf.partial_fit(X, y, sample_weight=np.linspace(2, 0.5, len(y)))
    assert len(clf.history) == 2 * FAST["max_epochs"]


def _fold_model(X, y, weights, train):
    return RNNClassifier(**FAST).fit(X[train], y[train], sample_weight=weights[train])


def test_pipeline_grid_search_and_cross_validate(series):
    X, y = series
    weights = np.where(y == 1, 3.0, 1.0)
    pipe = make_pipeline(FunctionTransformer(), RNNClassifier(**FAST))
    pipe.fit(X, y, rnnclassifier__sample_weight=weights)
    direct = RNNClassifier(**FAST).fit(X, y, sample_weight=weights)
    assert np.array_equal(pipe.predict_proba(X), direct.predict_proba(X))

    cv = KFold(2)
    train, test = next(iter(cv.split(X)))
    by_hand = _fold_model(X, y, weights, train)
    search = GridSearchCV(RNNClassifier(**FAST), {"hidden_size": [8]}, cv=cv)
    search.fit(X, y, sample_weight=weights)
    # The fold's weights reached the fold's fit (and, as scikit-learn does, its score).
    expected = by_hand.score(X[test], y[test], sample_weight=weights[test])
    assert search.cv_results_["split0_test_score"][0] == expected

    result = cross_validate(
        RNNClassifier(**FAST), X, y, cv=cv, params={"sample_weight": weights}, return_estimator=True
    )
    fold_model = result["estimator"][0]
    assert np.array_equal(fold_model.predict_proba(X), by_hand.predict_proba(X))


def test_metadata_routing(series):
    X, y = series
    weights = np.where(y == 1, 3.0, 1.0)
    cv = KFold(2)
    train, test = next(iter(cv.split(X)))
    with sklearn.config_context(enable_metadata_routing=True):
        clf = RNNClassifier(**FAST).set_fit_request(sample_weight=True)
        clf.set_score_request(sample_weight=True)
        result = cross_validate(
            clf, X, y, cv=cv, params={"sample_weight": weights}, return_estimator=True
        )
    by_hand = _fold_model(X, y, weights, train)
    assert np.array_equal(result["estimator"][0].predict_proba(X), by_hand.predict_proba(X))
    expected = by_hand.score(X[test], y[test], sample_weight=weights[test])
    assert result["test_score"][0] == expected
    unweighted = RNNClassifier(**FAST).fit(X[train], y[train]).predict_proba(X)
    assert not np.array_equal(by_hand.predict_proba(X), unweighted)


def test_bad_weights_are_rejected(series):
    X, y = series
    clf = RNNClassifier(**FAST)
    with pytest.raises(ValueError, match="79 weights but X has 80"):
        clf.fit(X, y, sample_weight=np.ones(79))
    with pytest.raises(ValueError, match="non-negative"):
        clf.fit(X, y, sample_weight=np.r_[-1.0, np.ones(79)])
    with pytest.raises(ValueError, match="NaN or infinity"):
        clf.fit(X, y, sample_weight=np.r_[np.nan, np.ones(79)])
    with pytest.raises(ValueError, match="at least one non-zero"):
        clf.fit(X, y, sample_weight=np.zeros(80))
    with pytest.raises(ValueError, match="1D"):
        clf.fit(X, y, sample_weight=np.ones((80, 1)))
    with pytest.raises(TypeError, match="array-like of numbers"):
        clf.fit(X, y, sample_weight=["a"] * 80)


def test_weights_are_not_modified():
    weights = np.array([1.0, 2.0, 0.0])
    checked = check_sample_weight(weights, 3)
    checked[0] = 5.0
    assert weights[0] == 1.0
