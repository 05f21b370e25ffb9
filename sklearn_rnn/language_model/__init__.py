""":class:`RNNLanguageModel`: learn a text's distribution, score text, write text.

The estimator, its corpus and token streams, its network, and how it reads text.
"""

from sklearn_rnn.language_model._estimator import RNNLanguageModel

__all__ = ["RNNLanguageModel"]
