"""Recurrent neural networks (SimpleRNN, LSTM, GRU) as scikit-learn estimators."""

from sklearn_rnn.classifier import RNNClassifier
from sklearn_rnn.persistence import load
from sklearn_rnn.plotting import plot_history
from sklearn_rnn.regressor import RNNRegressor
from sklearn_rnn.tagger import RNNTagger

__version__ = "0.1.0"

__all__ = [
    "RNNClassifier",
    "RNNRegressor",
    "RNNTagger",
    "load",
    "plot_history",
    "__version__",
]
