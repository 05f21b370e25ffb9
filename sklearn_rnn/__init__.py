"""Recurrent neural networks (SimpleRNN, LSTM, GRU) as scikit-learn estimators."""

import importlib

from sklearn_rnn._version import __version__
from sklearn_rnn.exceptions import DownloadError, ModelFileError, TrainingDivergedError

# The estimators, load and plot_history import torch (or matplotlib): they are imported on
# first use, so that the torch-free parts (sklearn_rnn.serving) load without torch.
_LAZY = {
    "RNNClassifier": "sklearn_rnn.classifier",
    "RNNForecaster": "sklearn_rnn.forecasting._forecaster",
    "RNNLanguageModel": "sklearn_rnn.language_model",
    "RNNRegressor": "sklearn_rnn.regressor",
    "RNNSeq2Seq": "sklearn_rnn.seq2seq",
    "RNNTagger": "sklearn_rnn.tagger",
    "load": "sklearn_rnn.persistence",
    "plot_history": "sklearn_rnn.inspection._plots",
}

__all__ = [
    "DownloadError",
    "ModelFileError",
    "RNNClassifier",
    "RNNForecaster",
    "RNNLanguageModel",
    "RNNRegressor",
    "RNNSeq2Seq",
    "RNNTagger",
    "TrainingDivergedError",
    "__version__",
    "load",
    "plot_history",
]


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value  # later lookups skip this function
        return value
    raise AttributeError(f"module 'sklearn_rnn' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})
