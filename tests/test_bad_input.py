"""Malformed input fails with a ValueError/TypeError naming the argument, never deeper."""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from conftest import tiny  # tests/ is on sys.path
from sklearn.exceptions import NotFittedError

from sklearn_rnn import RNNClassifier, RNNRegressor

rng = np.random.RandomState(0)
SERIES = rng.randn(6, 5, 2)
TEXTS = ["good film", "bad film", "fine", "awful", "great", "poor"]
LABELS = [1, 0, 1, 0, 1, 0]

# (case id, X, y, exception, message pattern) for fit.
FIT_CASES = [
    ("X None", None, LABELS, ValueError, "X is None"),
    ("X empty list", [], [], ValueError, "0 sample"),
    ("X empty array", np.empty((0, 5)), [], ValueError, "0 sample"),
    ("X single string", "good film", [1], TypeError, "single string"),
    ("X flat numbers", [0.1, 0.2, 0.3], [1, 0, 1], ValueError, "Reshape your data"),
    ("X 1D array", np.arange(6.0), LABELS, ValueError, "Reshape your data"),
    ("X 4D array", rng.randn(6, 2, 2, 2), LABELS, ValueError, "4 dimension"),
    ("X 0 steps", np.empty((6, 0, 2)), LABELS, ValueError, "at least 1"),
    ("empty sequence", [[1.0, 2.0], [], [3.0]], [1, 0, 1], ValueError, r"X\[1\] is an empty"),
    ("empty token list", [["a"], [], ["b"]], [1, 0, 1], ValueError, r"X\[1\] is an empty"),
    ("NaN in series", np.where(SERIES > 1.5, np.nan, SERIES), LABELS, ValueError, "NaN"),
    ("inf in series", np.where(SERIES > 1.5, np.inf, SERIES), LABELS, ValueError, "inf"),
    ("NaN in ragged", [np.array([[1.0], [np.nan]]), np.ones((2, 1))], [1, 0], ValueError, "NaN"),
    ("NaN in table", np.array([[1.0, np.nan], [1.0, 2.0]]), [1, 0], ValueError, "NaN"),
    ("ragged widths", [np.ones((3, 2)), np.ones((4, 3))], [1, 0], ValueError, "features"),
    ("None inside X", ["good", None, "bad"], [1, 0, 1], TypeError, r"X\[1\]"),
    ("mixed X", ["good", ["bad"], "ok"], [1, 0, 1], TypeError, r"X\[1\]"),
    ("None token", [["a", None], ["b"]], [1, 0], TypeError, r"X\[0\]"),
    ("sparse X", sp.csr_matrix(np.ones((6, 3))), LABELS, TypeError, "[Ss]parse"),
    ("complex X", np.ones((6, 3)) + 1j, LABELS, ValueError, "[Cc]omplex"),
    ("X y mismatch", TEXTS, LABELS[:4], ValueError, "inconsistent numbers of samples"),
    ("y None", TEXTS, None, ValueError, "requires y"),
    ("string as tokens", [["a", "b"], "c d"], [1, 0], TypeError, r"X\[1\] is a string"),
    ("dict X", {"a": 1}, [1], TypeError, "X must be"),
]


@pytest.mark.parametrize("Estimator", [RNNClassifier, RNNRegressor])
@pytest.mark.parametrize("case", FIT_CASES, ids=[c[0] for c in FIT_CASES])
def test_bad_X_in_fit(Estimator, case):
    _, X, y, exception, match = case
    with pytest.raises(exception, match=match):
        tiny(Estimator).fit(X, y)


@pytest.mark.parametrize(
    "y, exception, match",
    [
        ([1, 1, 1, 1, 1, 1], ValueError, "only one class"),
        (np.linspace(0, 1, 6) + 0.01, ValueError, "Unknown label type"),
        (["a", 1, "b", 2, "a", 1], TypeError, "one type"),
        (["a", None, "b", "a", "b", "a"], TypeError, "one type"),
        # 0/1 columns are a multilabel indicator matrix; other label lists are not.
        ([[1, 2], [0, 1]] * 3, TypeError, "binary indicator matrix"),
    ],
    ids=["single class", "continuous", "mixed types", "None label", "2D labels"],
)
def test_bad_classifier_targets(y, exception, match):
    with pytest.raises(exception, match=match):
        tiny(RNNClassifier).fit(SERIES, y)


@pytest.mark.parametrize(
    "y, exception, match",
    [
        (rng.randn(6, 2, 2), ValueError, "y"),
        (np.array([1.0, np.nan, 2, 3, 4, 5]), ValueError, "NaN"),
        (["a", "b", "c", "d", "e", "f"], ValueError, "y|float"),
    ],
    ids=["3D y", "NaN y", "string y"],
)
def test_bad_regressor_targets(y, exception, match):
    with pytest.raises(exception, match=match):
        tiny(RNNRegressor).fit(SERIES, y)


def test_regressor_y_columns_differ_in_partial_fit():
    reg = tiny(RNNRegressor).fit(SERIES, rng.randn(6, 2))
    with pytest.raises(ValueError, match="target columns"):
        reg.partial_fit(SERIES, rng.randn(6, 3))


@pytest.mark.parametrize(
    "Estimator, method",
    [
        (RNNClassifier, "predict"),
        (RNNClassifier, "score"),
        (RNNClassifier, "predict_proba"),
        (RNNRegressor, "predict"),
        (RNNRegressor, "score"),
    ],
)
def test_not_fitted(Estimator, method):
    est = tiny(Estimator)
    args = (SERIES, LABELS) if method == "score" else (SERIES,)
    with pytest.raises(NotFittedError):
        getattr(est, method)(*args)


def test_regressor_has_no_predict_proba():
    assert not hasattr(RNNRegressor(), "predict_proba")


@pytest.mark.parametrize("Estimator", [RNNClassifier, RNNRegressor])
def test_different_number_of_features_at_predict(Estimator):
    est = tiny(Estimator).fit(SERIES, LABELS)
    with pytest.raises(ValueError, match="3 features per step, but .* fitted with 2"):
        est.predict(rng.randn(2, 5, 3))
    table = tiny(Estimator).fit(SERIES[:, :, 0], LABELS)
    with pytest.raises(ValueError, match="X has 4 features, but .* expecting 5"):
        table.predict(rng.randn(2, 4))


@pytest.mark.parametrize("Estimator", [RNNClassifier, RNNRegressor])
def test_other_input_kind_at_predict(Estimator):
    est = tiny(Estimator).fit(TEXTS, LABELS)
    with pytest.raises(ValueError, match="fitted on text"):
        est.predict(SERIES)


def test_labels_unseen_in_fit_at_score():
    clf = tiny(RNNClassifier).fit(SERIES, LABELS)
    # Scoring against a label the model never saw is allowed (it is simply never right).
    assert clf.score(SERIES, [2, 2, 2, 2, 2, 2]) == 0.0
    right = int((clf.predict(SERIES)[3:] == LABELS[3:]).sum())
    assert clf.score(SERIES, [2, 2, 2] + LABELS[3:]) == pytest.approx(right / 6)
    with pytest.raises(ValueError, match="not seen in fit"):
        clf.partial_fit(SERIES, [2, 2, 2, 2, 2, 2])


HYPERPARAMETER_CASES = [
    ("cell", "transformer"),
    ("hidden_size", 0),
    ("hidden_size", -3),
    ("hidden_size", 2.5),
    ("num_layers", 0),
    ("dropout", 1.0),
    ("dropout", -0.1),
    ("batch_size", 0),
    ("pooling", "attention"),
    ("tokenizer", "bpe"),
    ("lr", 0.0),
    ("lr", float("nan")),
    ("max_epochs", -1),
    ("clip_grad_norm", 0),
    ("embedding_dim", 0),
    ("min_freq", 0),
    ("max_len", 0),
    ("validation_fraction", 1.5),
    ("patience", 0),
    ("random_state", "seed"),
    ("bidirectional", "yes"),
]


@pytest.mark.parametrize("Estimator", [RNNClassifier, RNNRegressor])
@pytest.mark.parametrize("name, value", HYPERPARAMETER_CASES)
def test_invalid_hyperparameter_names_parameter(Estimator, name, value):
    est = tiny(Estimator).set_params(**{name: value})  # init and set_params never raise
    with pytest.raises(ValueError, match=f"'{name}'"):
        est.fit(SERIES, LABELS)


def test_class_weight_for_unknown_label():
    with pytest.raises(ValueError, match="class_weight"):
        tiny(RNNClassifier, class_weight={7: 2.0}).fit(SERIES, LABELS)


def test_cuda_requested_without_cuda():
    import torch

    if torch.cuda.is_available():
        pytest.skip("CUDA is available here")
    with pytest.raises(ValueError, match="'device'.*CUDA is not available"):
        tiny(RNNClassifier, device="cuda").fit(SERIES, LABELS)


def test_valid_unusual_text_works():
    X = ["", "🎬🍿", "naïve café", "   ", "x" * 500, "日本語のテキスト"]
    clf = tiny(RNNClassifier).fit(X, LABELS)
    assert clf.predict(X + ["never seen"]).shape == (7,)


def test_dataframe_inputs_not_modified():
    X = pd.DataFrame(rng.randn(6, 4))
    y = pd.Series(LABELS, index=list("abcdef"))
    X_copy, y_copy = X.copy(), y.copy()
    tiny(RNNClassifier).fit(X, y)
    pd.testing.assert_frame_equal(X, X_copy)
    pd.testing.assert_series_equal(y, y_copy)
