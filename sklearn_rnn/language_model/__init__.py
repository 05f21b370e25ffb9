""":class:`RNNLanguageModel`: learn a text's distribution, score text, write text.

The estimator, its corpus and token streams, its network, and how it reads text.
"""

import importlib

__all__ = ["RNNLanguageModel"]


def __getattr__(name: str):
    # Imported on first use: the served model (sklearn_rnn.serving) reads the torch-free
    # corpus encoder and sampling of this package without importing torch.
    if name == "RNNLanguageModel":
        value = importlib.import_module("sklearn_rnn.language_model._estimator").RNNLanguageModel
        globals()[name] = value
        return value
    raise AttributeError(f"module 'sklearn_rnn.language_model' has no attribute {name!r}")
