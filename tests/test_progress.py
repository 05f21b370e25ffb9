"""Verbose output, progress bar and validation metrics recorded per epoch."""

import numpy as np
import pytest
from sklearn.metrics import accuracy_score, r2_score
from skorch.callbacks import Callback

from sklearn_rnn import RNNClassifier, RNNRegressor

rng = np.random.RandomState(0)
X = rng.randn(120, 6, 2)
y_reg = X.sum(axis=(1, 2)) * 3 + 7
y_clf = (X[:, :, 0].mean(axis=1) > 0).astype(int)


class _CaptureValidation(Callback):
    """Keeps the validation dataset the estimator held out."""

    def on_epoch_begin(self, net, dataset_train=None, dataset_valid=None, **kwargs):
        self.dataset_valid_ = dataset_valid


def test_valid_r2_equals_sklearn_r2_on_held_out_data():
    params = dict(hidden_size=8, max_epochs=4, lr=0.01, early_stopping=True, random_state=0)
    capture = _CaptureValidation()
    reg = RNNRegressor(validation_fraction=0.2, patience=10, callbacks=[capture], **params).fit(
        X, y_reg
    )
    valid = capture.dataset_valid_
    assert len(valid) == 24  # ceil(0.2 * 120)
    # forward() gives the module's outputs in scaled target units, rows in dataset order
    outputs = reg.forward(valid).numpy().ravel()
    predicted = outputs * reg.target_scale_[0] + reg.target_mean_[0]
    expected = r2_score(valid.y, predicted)
    assert reg.history[-1, "valid_r2"] == pytest.approx(expected, abs=1e-4)


def test_valid_acc_equals_accuracy_on_held_out_data():
    params = dict(hidden_size=8, max_epochs=4, lr=0.01, early_stopping=True, random_state=0)
    capture = _CaptureValidation()
    clf = RNNClassifier(validation_fraction=0.2, patience=10, callbacks=[capture], **params).fit(
        X, y_clf
    )
    valid = capture.dataset_valid_
    # stratified: both classes held out in proportion
    assert np.bincount(valid.y).tolist() == pytest.approx(
        (np.bincount(y_clf) * 0.2).round().tolist(), abs=1
    )
    predicted = clf.classes_[clf.forward(valid).numpy().argmax(axis=1)]
    expected = accuracy_score(valid.y, predicted)
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


def test_progress_bar_stays_after_each_epoch(capsys):
    """skorch's bar is erased at the end of each epoch; ours leaves one line per epoch."""
    pytest.importorskip("tqdm")
    RNNClassifier(hidden_size=4, max_epochs=3, progress_bar=True, batch_size=16).fit(X, y_clf)
    err = capsys.readouterr().err
    finished = [line.split("\r")[-1] for line in err.split("\n") if line.strip()]
    assert [line.split(":")[0] for line in finished] == ["epoch 1", "epoch 2", "epoch 3"]
    assert all("8/8" in line for line in finished)  # each line shows the epoch's end
