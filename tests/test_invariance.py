"""A sequence's prediction must not depend on what else is in its batch."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from sklearn_rnn import RNNClassifier, RNNRegressor

CELLS = ["rnn", "lstm", "gru"]
POOLINGS = ["last", "mean", "max"]


def _ragged_series(rng, lengths, n_features=3):
    return [rng.randn(n, n_features).astype(np.float32) for n in lengths]


@pytest.fixture(scope="module")
def series_data():
    rng = np.random.RandomState(1)
    X = _ragged_series(rng, rng.randint(1, 30, size=40))
    y = rng.randn(40)
    return X, y


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("pooling", POOLINGS)
def test_prediction_independent_of_batch_neighbours(series_data, cell, bidirectional, pooling):
    X, y = series_data
    reg = RNNRegressor(
        cell=cell,
        hidden_size=8,
        num_layers=2,
        bidirectional=bidirectional,
        pooling=pooling,
        max_epochs=1,
        random_state=0,
    ).fit(X, y)
    rng = np.random.RandomState(2)
    short = rng.randn(3, 3).astype(np.float32)
    alone = reg.predict([short])
    for batch_size in (1, 2, 5, 64):
        reg.set_params(batch_size=batch_size)
        long_neighbours = _ragged_series(rng, [200, 150, 3, 90, 1])
        batch = long_neighbours[:2] + [short] + long_neighbours[2:]
        np.testing.assert_allclose(reg.predict(batch)[2], alone[0], rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("bidirectional", [False, True])
def test_text_prediction_independent_of_batch_neighbours(texts, cell, bidirectional):
    clf = RNNClassifier(
        cell=cell, hidden_size=8, bidirectional=bidirectional, max_epochs=1, random_state=0
    ).fit(*texts)
    short = "great unseen acting"
    alone = clf.predict_proba([short])[0]
    long_text = " ".join(["a dull film truly awful acting"] * 40)
    for batch_size in (1, 3, 32):
        clf.set_params(batch_size=batch_size)
        proba = clf.predict_proba([long_text, short, long_text + " great"])
        np.testing.assert_allclose(proba[1], alone, rtol=1e-5, atol=1e-6)


@settings(max_examples=15, deadline=None)
@given(
    lengths=st.lists(st.integers(1, 50), min_size=1, max_size=12),
    batch_size=st.integers(1, 16),
    position=st.integers(0, 11),
)
def test_invariance_property(lengths, batch_size, position):
    reg = _fitted_property_model()
    rng = np.random.RandomState(len(lengths))
    X = _ragged_series(rng, lengths, n_features=2)
    reg.set_params(batch_size=batch_size)
    together = reg.predict(X)
    i = position % len(X)
    np.testing.assert_allclose(together[i], reg.predict([X[i]])[0], rtol=1e-5, atol=1e-5)
    assert np.isfinite(together).all() and together.shape == (len(X),)


_PROPERTY_MODEL = {}


def _fitted_property_model():
    if "model" not in _PROPERTY_MODEL:
        rng = np.random.RandomState(0)
        X = _ragged_series(rng, rng.randint(1, 20, size=20), n_features=2)
        with torch.random.fork_rng():
            _PROPERTY_MODEL["model"] = RNNRegressor(
                cell="gru",
                hidden_size=8,
                bidirectional=True,
                pooling="mean",
                max_epochs=1,
                random_state=0,
            ).fit(X, rng.randn(20))
    return _PROPERTY_MODEL["model"]
