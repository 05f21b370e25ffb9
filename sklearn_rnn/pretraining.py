"""Start a classifier from a fitted language model (semi-supervised, Dai & Le 2015).

A language model trained on unlabeled text has learned word vectors and a recurrent
layer that reads the text's structure; a classifier that starts from them needs fewer
labels. :func:`init_from_language_model` returns the :class:`~sklearn_rnn.RNNClassifier`
parameters that do it, through the classifier's public parameters only: the embedding
rows go in as pretrained ``embeddings`` (matched by token, so the two vocabularies may
differ), the recurrent weights through the :class:`RecurrentInit` callback.
"""

from __future__ import annotations

import numpy as np
import torch
from sklearn.utils.validation import check_is_fitted
from skorch.callbacks import Callback

from sklearn_rnn.language_model._corpus import SPECIAL_TOKENS


class RecurrentInit(Callback):
    """Copy recurrent weights into the network's ``core.rnn`` when a fresh fit begins.

    Parameters
    ----------
    weights : dict of str to ndarray
        ``nn.LSTM``/``nn.GRU``/``nn.RNN`` parameter names (``weight_ih_l0``, ...) and values.

    Examples
    --------
    >>> from sklearn_rnn import RNNClassifier
    >>> w = {"weight_hh_l0": np.zeros((4, 4), np.float32)}
    >>> clf = RNNClassifier(cell="rnn", hidden_size=4, bidirectional=False, max_epochs=0,
    ...                     callbacks=[RecurrentInit(w)])
    >>> float(clf.fit(["a", "b"], [0, 1]).module_.core.rnn.weight_hh_l0.detach().abs().sum())
    0.0
    """

    def __init__(self, weights: dict):
        self.weights = weights

    def initialize(self):
        self.pending_ = True  # a fresh fit (initialize_callbacks); continued training: no
        return self

    def on_train_begin(self, net, **kwargs):
        if not getattr(self, "pending_", False):
            return
        self.pending_ = False
        rnn = getattr(getattr(net.module_, "core", None), "rnn", None)
        if not isinstance(rnn, torch.nn.RNNBase):
            raise ValueError(
                "RecurrentInit needs the built-in unidirectional network (module=None, "
                "bidirectional=False): its recurrent layers are module_.core.rnn."
            )
        own = dict(rnn.named_parameters())
        for name, value in self.weights.items():
            value = torch.as_tensor(value)
            if name not in own or own[name].shape != value.shape:
                expected = tuple(own[name].shape) if name in own else "no such weight"
                raise ValueError(
                    f"The classifier's recurrent layer does not match the language model's: "
                    f"{name} is {expected} here, {tuple(value.shape)} in the language model; "
                    "use the same cell, hidden_size and num_layers (and embedding_dim)."
                )
            with torch.no_grad():
                own[name].copy_(value)


def init_from_language_model(lm) -> dict:
    """``RNNClassifier`` parameters that start it from a fitted ``RNNLanguageModel``.

    The classifier gets the language model's architecture (``cell``, ``hidden_size``,
    ``num_layers``, ``embedding_dim``, ``single_bias``, unidirectional), its tokenizer
    and lowercasing, its word vectors as ``embeddings`` and its recurrent weights by a
    :class:`RecurrentInit` callback. Add the classifier's own settings (``pooling``,
    ``dropout``, ``lr``, ...) next to them; to add callbacks, extend the list. To save
    the fitted classifier with :func:`sklearn_rnn.persistence.save`, set
    ``callbacks=None`` first (the callback is needed only when training starts).

    Parameters
    ----------
    lm : RNNLanguageModel
        A fitted language model with the built-in network.

    Returns
    -------
    dict

    Examples
    --------
    >>> from sklearn_rnn import RNNClassifier, RNNLanguageModel
    >>> from sklearn_rnn.pretraining import init_from_language_model
    >>> texts = ["a good film", "a bad film", "good", "bad"] * 8
    >>> lm = RNNLanguageModel(tokenizer="word", hidden_size=8, embedding_dim=4, bptt=4,
    ...                       max_epochs=1, random_state=0).fit(texts)
    >>> clf = RNNClassifier(**init_from_language_model(lm), max_epochs=2, random_state=0)
    >>> clf.fit(texts, [1, 0, 1, 0] * 8).hidden_size
    8
    """
    check_is_fitted(lm)
    tokens = lm.encoder_.vocabulary_.tokens
    kept = [i for i, t in enumerate(tokens) if t not in SPECIAL_TOKENS]
    table = lm.module_.input_layer.embedding.weight.detach().cpu().numpy()
    weights = {
        name: p.detach().cpu().numpy().copy() for name, p in lm.module_.rnn.named_parameters()
    }
    return {
        "cell": lm.cell,
        "hidden_size": lm.hidden_size,
        "num_layers": lm.num_layers,
        "bidirectional": False,
        "embedding_dim": lm.embedding_dim,
        "single_bias": lm.single_bias,
        "tokenizer": lm.tokenizer,
        "lowercase": lm.lowercase,
        "embeddings": (np.ascontiguousarray(table[kept]), [tokens[i] for i in kept]),
        "callbacks": [RecurrentInit(weights)],
    }
