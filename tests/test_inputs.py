"""Every accepted input kind works, is held to at predict, and is never modified."""

import copy

import numpy as np
import pandas as pd
import pytest
from conftest import tiny  # tests/ is on sys.path
from sklearn.linear_model import LogisticRegression

from sklearn_rnn import RNNClassifier, RNNRegressor

LABELS = ["pos", "neg", "pos", "neg"]


def _inputs():
    rng = np.random.RandomState(0)
    return {
        "strings": ["a good film", "a bad film", "good 😀 fun", ""],
        "numpy strings": np.array(["a good film", "a bad film", "good fun", "bad"]),
        "series of strings": pd.Series(
            ["a good film", "a bad film", "good fun", "bad"], index=[10, 3, 7, 99]
        ),
        "token lists": [["a", "good"], ["bad"], ["good", "fun", "!"], ["a"]],
        "id lists": [[3, 4, 5], [6], [3, 3], [7, 8]],
        "2D array": rng.randn(4, 6),
        "wide DataFrame": pd.DataFrame(rng.randn(4, 6), index=["w", "x", "y", "z"]),
        "3D array": rng.randn(4, 6, 2).astype(np.float32),
        "ragged 2D arrays": [rng.randn(n, 2) for n in (3, 9, 1, 5)],
        "ragged 1D arrays": [rng.randn(n) for n in (3, 9, 1, 5)],
        "ragged lists of floats": [[0.1, 0.2], [0.3], [0.5, 0.1, 0.2], [1.0]],
    }


@pytest.mark.parametrize("kind", list(_inputs()))
def test_classifier_accepts_input_kind(kind):
    X = _inputs()[kind]
    before = copy.deepcopy(X)
    clf = tiny(RNNClassifier).fit(X, LABELS)
    proba = clf.predict_proba(X)
    assert proba.shape == (4, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert set(clf.predict(X)) <= {"pos", "neg"}
    _assert_unchanged(X, before)


@pytest.mark.parametrize("kind", ["2D array", "3D array", "ragged 2D arrays", "token lists"])
def test_regressor_accepts_input_kind(kind):
    X = _inputs()[kind]
    y = np.array([0.5, -1.0, 2.0, 10.0])
    reg = tiny(RNNRegressor).fit(X, y)
    assert reg.predict(X).shape == (4,)


def _assert_unchanged(X, before):
    if isinstance(X, (pd.Series, pd.DataFrame)):
        assert X.equals(before)
    elif isinstance(X, np.ndarray):
        np.testing.assert_array_equal(X, before)
    else:
        for a, b in zip(X, before, strict=True):
            np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


def test_unknown_tokens_and_empty_strings_at_predict(fitted_text_classifier):
    proba = fitted_text_classifier.predict_proba(["never seen words", "", "   ", "ünïcödé ✨ 🎬"])
    assert proba.shape == (4, 2) and np.isfinite(proba).all()
    # An empty text and a blank one have the same (empty) token list.
    np.testing.assert_allclose(proba[2], proba[1])


def test_unseen_ids_map_to_unknown():
    clf = tiny(RNNClassifier).fit([[1, 2], [3], [2, 2], [1]], LABELS)
    np.testing.assert_allclose(
        clf.predict_proba([[10_000]]), clf.predict_proba([[9_999]]), rtol=1e-6
    )


def _cut(X, n):
    if isinstance(X, np.ndarray) and X.ndim >= 2:
        return X[:, :n]
    return [seq[:n] for seq in X]


@pytest.mark.parametrize(
    "kind", ["token lists", "id lists", "id arrays", "3D array", "ragged 2D arrays"]
)
def test_max_len_keeps_the_first_steps(kind):
    inputs = _inputs()
    inputs["id arrays"] = [np.array(seq, dtype=np.int32) for seq in inputs["id lists"]]
    X = inputs[kind]
    cut = tiny(RNNClassifier, max_len=2).fit(X, LABELS)
    manual = tiny(RNNClassifier).fit(_cut(X, 2), LABELS)
    assert cut.encoder_.transform(X).lengths.max() == 2
    np.testing.assert_allclose(cut.predict_proba(X), manual.predict_proba(_cut(X, 2)), rtol=1e-5)


def test_numeric_series_of_other_lengths_at_predict():
    rng = np.random.RandomState(0)
    reg = tiny(RNNRegressor).fit(rng.randn(8, 10, 3), rng.randn(8))
    assert reg.predict([rng.randn(40, 3), rng.randn(2, 3)]).shape == (2,)


def test_standardization_statistics_are_stored():
    X = np.random.RandomState(0).randn(20, 5, 2) * [10.0, 0.1] + [100.0, -3.0]
    reg = tiny(RNNRegressor).fit(X, np.arange(20.0))
    np.testing.assert_allclose(reg.encoder_.mean_, [100.0, -3.0], atol=3)
    np.testing.assert_allclose(reg.encoder_.scale_, [10.0, 0.1], rtol=0.3)


def test_regressor_multi_output_in_user_units():
    rng = np.random.RandomState(0)
    X = rng.randn(64, 6, 1).astype(np.float32)
    y = np.stack([X.sum(axis=(1, 2)) * 1000 + 5000, X[:, -1, 0]], axis=1)
    reg = RNNRegressor(hidden_size=16, max_epochs=40, lr=0.01, random_state=0).fit(X, y)
    pred = reg.predict(X)
    assert pred.shape == (64, 2)
    assert abs(pred[:, 0].mean() - 5000) < 500  # returned in the units of y
    assert reg.score(X, y) > 0.5


@pytest.mark.parametrize(
    "labels", [[0, 1, 2, 0], [True, False, True, False], [1.0, 2.0, 1.0, 2.0], ["b", "a", "c", "a"]]
)
def test_any_hashable_label_type(labels):
    X = np.random.RandomState(0).randn(4, 5, 1)
    clf = tiny(RNNClassifier).fit(X, labels)
    assert clf.classes_.tolist() == sorted(set(labels))
    assert clf.predict(X).dtype == np.asarray(labels).dtype


@pytest.mark.parametrize(
    "labels",
    [
        ["b", "a", "c", "a"],
        np.array(["b", "a", "c", "a"]),
        np.array(["b", "a", "c", "a"], dtype=object),
        pd.Series(["b", "a", "c", "a"]),
        pd.Series(["b", "a", "c", "a"], dtype="category"),
        pd.Series([3, 1, 2, 1], dtype="category"),
    ],
    ids=["list", "numpy strings", "object array", "string Series", "categorical", "int category"],
)
def test_label_dtype_kept_as_logistic_regression_keeps_it(labels):
    # classes_ and predict in the dtype LogisticRegression gives: object labels stay object.
    X = np.random.RandomState(0).randn(4, 5, 1)
    clf = tiny(RNNClassifier).fit(X, labels)
    reference = LogisticRegression().fit(X[:, :, 0], labels)
    assert clf.classes_.dtype == reference.classes_.dtype
    assert clf.predict(X).dtype == reference.predict(X[:, :, 0]).dtype
    assert clf.classes_.tolist() == reference.classes_.tolist()


def test_feature_names_in_from_dataframe():
    X = pd.DataFrame(np.random.RandomState(0).randn(6, 4), columns=["t0", "t1", "t2", "t3"])
    clf = tiny(RNNClassifier).fit(X, LABELS + LABELS[:2])
    assert clf.feature_names_in_.tolist() == ["t0", "t1", "t2", "t3"]
    assert clf.n_features_in_ == 4
