"""Looking inside a fitted estimator: its layers, its training curves, its hidden units."""

from sklearn_rnn.inspection._plots import plot_hidden_states, plot_history
from sklearn_rnn.inspection._summary import summarize
from sklearn_rnn.inspection._units import rank_units

__all__ = ["plot_hidden_states", "plot_history", "rank_units", "summarize"]
