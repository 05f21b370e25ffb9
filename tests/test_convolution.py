"""The convolution branch (``conv_blocks``): padding harmless, statistics of real steps,
the defaults by input kind, bad values, and the round trips (save/load, ONNX)."""

import numpy as np
import pytest
import torch
from conftest import TINY  # tests/ is on sys.path
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone

from sklearn_rnn import RNNClassifier, RNNRegressor, load
from sklearn_rnn.nn._convolution import FCN_BLOCKS, ConvBranch, MaskedBatchNorm1d

SMALL_BLOCKS = ((6, 5), (4, 3))
# Three epochs: batch invariance must hold for trained weights, not only initial ones.
FAST = {**TINY[RNNClassifier], "max_epochs": 3, "conv_blocks": SMALL_BLOCKS}


def _ragged_series(n=24, seed=0):
    rng = np.random.RandomState(seed)
    X = [rng.randn(rng.randint(1, 15), 2).astype(np.float32) for _ in range(n)]
    y = np.array([int(x[:, 0].sum() > 0) for x in X])
    return X, y


@pytest.fixture(scope="module")
def fitted():
    X, y = _ragged_series()
    return RNNClassifier(**FAST).fit(X, y), X


@settings(max_examples=20, deadline=None)
@given(st.lists(st.integers(0, 23), min_size=1, max_size=8))
def test_a_series_prediction_does_not_depend_on_its_batch(fitted, rows):
    clf, X = fitted
    batch = [X[i] for i in rows]
    alone = np.concatenate([clf.predict_proba([x]) for x in batch])
    np.testing.assert_allclose(clf.predict_proba(batch), alone, rtol=0, atol=1e-6)


def test_more_padding_leaves_the_branch_output_unchanged():
    torch.manual_seed(0)
    branch = ConvBranch(3, blocks=((5, 8), (4, 3))).eval()
    x = torch.randn(1, 6, 3)
    padded = torch.cat([x, torch.randn(1, 10, 3) * 100], dim=1)  # garbage after the end
    short = branch(x, torch.tensor([6]))
    long = branch(padded, torch.tensor([6]))
    torch.testing.assert_close(short, long, rtol=0, atol=1e-6)


def test_training_statistics_count_real_steps_only():
    torch.manual_seed(0)
    values = torch.randn(2, 3, 7)
    lengths = torch.tensor([7, 4])
    mask = (torch.arange(7)[None, :] < lengths[:, None])[:, None, :]
    masked = MaskedBatchNorm1d(3, momentum=1.0)
    out = masked(values.masked_fill(~mask, 1e3), mask)  # padding holds huge values
    real = torch.cat([values[0], values[1, :, :4]], dim=1)  # (C, 11): the real steps
    reference = torch.nn.BatchNorm1d(3, momentum=1.0)
    expected = reference(real[None])[0]
    torch.testing.assert_close(torch.cat([out[0], out[1, :, :4]], dim=1), expected)
    torch.testing.assert_close(masked.running_mean, reference.running_mean)
    torch.testing.assert_close(masked.running_var, reference.running_var)


def test_auto_adds_the_fcn_blocks_for_classifying_series_only():
    X, y = _ragged_series()
    series = RNNClassifier(hidden_size=4, max_epochs=1, random_state=0).fit(X, y)
    assert series.conv_blocks_ == FCN_BLOCKS
    assert series.transform(X).shape == (len(X), 2 * 4 + FCN_BLOCKS[-1][0])
    texts = ["good film", "bad film", "fine", "awful"] * 3
    text = RNNClassifier(hidden_size=4, max_epochs=1, random_state=0).fit(texts, [1, 0] * 6)
    assert text.conv_blocks_ is None
    assert text.module_.conv is None
    regressor = RNNRegressor(hidden_size=4, max_epochs=1, random_state=0)
    assert regressor.fit(X, y.astype(float)).conv_blocks_ is None  # the regressor's "auto"
    assert regressor.module_.conv is None
    assert len(regressor.get_feature_names_out()) == 2 * 4
    forced = RNNRegressor(hidden_size=4, max_epochs=1, conv_blocks=SMALL_BLOCKS, random_state=0)
    assert forced.fit(X, y.astype(float)).transform(X).shape == (len(X), 2 * 4 + 4)


@pytest.mark.parametrize(
    "value", [[], [(0, 3)], [(3,)], [(3, 2.5)], [(True, 3)], "fcn", 128, [(4, 3), None]]
)
def test_bad_conv_blocks_raise_value_error_naming_it(value):
    X, y = _ragged_series()
    with pytest.raises(ValueError, match="conv_blocks"):
        RNNClassifier(hidden_size=4, max_epochs=1, conv_blocks=value).fit(X, y)


def test_the_branch_learns_a_local_shape_the_order_of_steps_hides():
    # Class 1 holds a short bump somewhere in noise; where varies, so only its shape tells.
    rng = np.random.RandomState(0)
    X = rng.randn(80, 40, 1).astype(np.float32) * 0.3
    y = np.arange(80) % 2
    for i in np.flatnonzero(y):
        start = rng.randint(0, 34)
        X[i, start : start + 6, 0] += np.array([1, 2, 3, 3, 2, 1], dtype=np.float32)
    clf = RNNClassifier(hidden_size=4, max_epochs=30, random_state=0, conv_blocks=((8, 5),))
    clf.fit(X[:60], y[:60])
    assert clf.score(X[60:], y[60:]) >= 0.9  # chance: 0.5


def test_clone_save_and_onnx_round_trips(fitted, tmp_path):
    pytest.importorskip("onnxruntime")
    from sklearn_rnn.serving import ONNXPredictor

    clf, X = fitted
    assert clone(clf).get_params()["conv_blocks"] == SMALL_BLOCKS
    clf.save(tmp_path / "model.zip")
    loaded = load(tmp_path / "model.zip")
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))
    assert loaded.conv_blocks_ == SMALL_BLOCKS
    clf.export_onnx(tmp_path / "model.onnx")
    served = ONNXPredictor(tmp_path / "model.onnx")
    np.testing.assert_allclose(served.predict_proba(X), clf.predict_proba(X), atol=1e-5)


def test_summary_rows_add_up_to_the_parameter_count(fitted):
    clf, _ = fitted
    summary = clf.summary(show=False)
    assert sum(count for *_, count in summary.rows) == summary.total_params
    conv_rows = [row for row in summary.rows if row[0].startswith("conv.")]
    assert sorted(kind for _, kind, _, _ in conv_rows) == ["Conv1d"] * 2 + ["MaskedBatchNorm1d"] * 2
    assert conv_rows[0][2] == "(None, 6, steps)"
