"""Verbose output, progress bar and validation metrics recorded per epoch."""

import numpy as np
import pytest
from sklearn.metrics import accuracy_score, r2_score
from sklearn.model_selection import train_test_split

from sklearn_rnn import RNNClassifier, RNNRegressor

rng = np.random.RandomState(0)
X = rng.randn(120, 6, 2)
y_reg = X.sum(axis=(1, 2)) * 3 + 7
y_clf = (X[:, :, 0].mean(axis=1) > 0).astype(int)


def _valid_split(y, stratify):
    return train_test_split(
        np.arange(len(y)), test_size=0.2, random_state=0, stratify=y if stratify else None
    )[1]


def test_valid_r2_equals_sklearn_r2_on_held_out_data():
    params = dict(hidden_size=8, max_epochs=4, lr=0.01, early_stopping=True, random_state=0)
    reg = RNNRegressor(validation_fraction=0.2, patience=10, **params).fit(X, y_reg)
    valid = _valid_split(y_reg, stratify=False)
    expected = r2_score(y_reg[valid], reg.predict(X[valid]))
    assert reg.history[-1, "valid_r2"] == pytest.approx(expected, abs=1e-4)


def test_valid_acc_equals_accuracy_on_held_out_data():
    params = dict(hidden_size=8, max_epochs=4, lr=0.01, early_stopping=True, random_state=0)
    clf = RNNClassifier(validation_fraction=0.2, patience=10, **params).fit(X, y_clf)
    valid = _valid_split(y_clf, stratify=True)
    expected = accuracy_score(y_clf[valid], clf.predict(X[valid]))
    assert clf.history[-1, "valid_acc"] == pytest.approx(expected)


def test_verbose_prints_epoch_table(capsys):
    RNNClassifier(hidden_size=4, max_epochs=2, verbose=1, early_stopping=True).fit(X, y_clf)
    out = capsys.readouterr().out
    for column in ("epoch", "train_loss", "valid_loss", "valid_acc", "dur"):
        assert column in out


def test_silent_by_default(capsys):
    RNNClassifier(hidden_size=4, max_epochs=2).fit(X, y_clf)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


def test_progress_bar_over_batches(capsys):
    pytest.importorskip("tqdm")
    RNNClassifier(hidden_size=4, max_epochs=1, progress_bar=True, batch_size=16).fit(X, y_clf)
    captured = capsys.readouterr()
    assert "/8 " in captured.out + captured.err  # 120 samples / 16 per batch = 8 batches
