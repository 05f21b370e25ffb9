"""Recurrent neural networks (SimpleRNN, LSTM, GRU) as scikit-learn estimators."""

from sklearn_rnn._version import __version__
from sklearn_rnn.classifier import RNNClassifier
from sklearn_rnn.exceptions import DownloadError, ModelFileError, TrainingDivergedError
from sklearn_rnn.persistence import load
from sklearn_rnn.plotting import plot_history
from sklearn_rnn.regressor import RNNRegressor
from sklearn_rnn.seq2seq import RNNSeq2Seq
from sklearn_rnn.tagger import RNNTagger

__all__ = [
    "DownloadError",
    "ModelFileError",
    "RNNClassifier",
    "RNNRegressor",
    "RNNSeq2Seq",
    "RNNTagger",
    "TrainingDivergedError",
    "__version__",
    "load",
    "plot_history",
]
