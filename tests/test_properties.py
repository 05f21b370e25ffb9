"""Property tests: random shapes, widths, label sets and unicode text never break fit/predict."""

import numpy as np
from conftest import tiny  # tests/ is on sys.path
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sklearn_rnn import RNNClassifier, RNNRegressor

PROPERTY_SETTINGS = settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@PROPERTY_SETTINGS
@given(
    lengths=st.lists(st.integers(1, 50), min_size=2, max_size=10),
    width=st.integers(1, 4),
    batch_size=st.integers(1, 8),
    n_classes=st.integers(2, 4),
)
def test_ragged_series_classifier_outputs(lengths, width, batch_size, n_classes):
    rng = np.random.RandomState(len(lengths))
    X = [rng.randn(n, width) for n in lengths]
    y = [f"class {i % n_classes}" for i in range(len(X))]
    clf = tiny(RNNClassifier, batch_size=batch_size).fit(X, y)
    proba = clf.predict_proba(X)
    assert proba.shape == (len(X), len(set(y)))
    assert np.isfinite(proba).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert set(clf.predict(X)) <= set(y)
    np.testing.assert_allclose(clf.predict_proba(X[-1:]), proba[-1:], atol=1e-5)


@PROPERTY_SETTINGS
@given(
    texts=st.lists(st.text(max_size=30), min_size=2, max_size=10),
    unseen=st.lists(st.text(max_size=30), min_size=1, max_size=3),
)
def test_unicode_text_classifier_never_fails(texts, unseen):
    y = [i % 2 for i in range(len(texts))]
    clf = tiny(RNNClassifier).fit(texts, y)
    proba = clf.predict_proba(texts + unseen)
    assert proba.shape == (len(texts) + len(unseen), 2) and np.isfinite(proba).all()


@PROPERTY_SETTINGS
@given(
    n_samples=st.integers(2, 12),
    steps=st.integers(1, 20),
    width=st.integers(1, 3),
    n_targets=st.integers(1, 3),
)
def test_regressor_shapes(n_samples, steps, width, n_targets):
    rng = np.random.RandomState(n_samples)
    X = rng.randn(n_samples, steps, width)
    y = rng.randn(n_samples, n_targets) * 100
    reg = tiny(RNNRegressor).fit(X, y)
    pred = reg.predict(X)
    assert pred.shape == (n_samples, n_targets) and np.isfinite(pred).all()


@settings(max_examples=200, deadline=None)
@given(token=st.text(max_size=40))
def test_word_shape_keeps_only_case_classes_and_punctuation(token):
    from sklearn_rnn.encoding import word_shape

    shape = word_shape(token)
    assert len(shape) <= len(token)
    # No letter or digit of the token survives: only the class symbols and the rest.
    assert all(c in "Xxda" or (not c.isalnum() and c in token) for c in shape)
    # Runs are cut at four, so a longer word of the same classes has the same shape.
    assert word_shape(token + token[-1:] * 10) == word_shape(token + token[-1:] * 11)
