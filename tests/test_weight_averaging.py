"""``average_epochs``: a classifier ends its fit with the mean of its last epochs' weights."""

import numpy as np
import pytest
import torch
from skorch.callbacks import Callback

from sklearn_rnn import RNNClassifier

TINY = dict(hidden_size=6, embedding_dim=5, max_epochs=5, lr=0.05, batch_size=8, random_state=0)


class EpochWeights(Callback):
    """Record ``weights_``: the network's weights at each epoch's end, before any other
    callback (the averaging) runs at train end."""

    def on_train_begin(self, net, **kwargs):
        self.weights_ = []

    def on_epoch_end(self, net, **kwargs):
        self.weights_.append([p.detach().clone().double() for p in net.module_.parameters()])


def _fit(texts, **params):
    recorder = EpochWeights()
    clf = RNNClassifier(**{**TINY, **params}, callbacks=[recorder]).fit(*texts)
    return clf, recorder.weights_


@pytest.mark.parametrize("last", [1, 2, 5, 8])
def test_the_fit_ends_with_the_mean_of_its_last_epochs_weights(texts, last):
    clf, epochs = _fit(texts, average_epochs=last)
    window = epochs[-min(last, len(epochs)) :]
    for i, param in enumerate(clf.module_.parameters()):
        mean = torch.stack([weights[i] for weights in window]).mean(0)
        torch.testing.assert_close(param.detach().double(), mean, rtol=1e-6, atol=1e-7)


def test_none_keeps_the_last_epoch_and_averaging_changes_the_model(texts):
    plain, epochs = _fit(texts, average_epochs=None)
    for param, last in zip(plain.module_.parameters(), epochs[-1], strict=True):
        torch.testing.assert_close(param.detach().double(), last)
    averaged, _ = _fit(texts, average_epochs=3)
    assert not np.allclose(plain.predict_proba(texts[0]), averaged.predict_proba(texts[0]))
    assert averaged.score(*texts) > 0.9  # the average of a learning fit still predicts


def test_auto_averages_text_but_not_series_nor_under_early_stopping(texts):
    clf = RNNClassifier(**TINY).fit(*texts)
    assert clf.average_epochs_ == 3 and "weight_averaging" in dict(clf.callbacks_)
    series = np.random.RandomState(0).randn(20, 6, 2).astype(np.float32)
    numeric = RNNClassifier(**TINY).fit(series, [0, 1] * 10)
    assert numeric.average_epochs_ is None and "weight_averaging" not in dict(numeric.callbacks_)
    stopped = RNNClassifier(**TINY, early_stopping=True, validation_fraction=0.25).fit(*texts)
    assert "weight_averaging" not in dict(stopped.callbacks_)


def test_partial_fit_averages_within_each_call(texts):
    clf = RNNClassifier(**TINY, average_epochs=3)  # max_epochs=5: five epochs a call
    for calls in (1, 2):
        clf.partial_fit(*texts, classes=["neg", "pos"])
        assert len(clf.history_) == 5 * calls
        assert dict(clf.callbacks_)["weight_averaging"].averaged_ == 3
    one_epoch = RNNClassifier(**{**TINY, "max_epochs": "auto"}, average_epochs=3)
    one_epoch.partial_fit(*texts, classes=["neg", "pos"])  # "auto": one epoch a call
    assert len(one_epoch.history_) == 1
    assert dict(one_epoch.callbacks_)["weight_averaging"].averaged_ == 1


def test_explicit_average_with_early_stopping_is_a_value_error(texts):
    with pytest.raises(ValueError, match="average_epochs"):
        RNNClassifier(**TINY, average_epochs=3, early_stopping=True).fit(*texts)


@pytest.mark.parametrize("value", [0, -1, 2.5, "last", True])
def test_bad_average_epochs_is_a_value_error_naming_it(texts, value):
    with pytest.raises(ValueError, match="average_epochs"):
        RNNClassifier(**TINY, average_epochs=value).fit(*texts)
