"""RNNLanguageModel: learn a text's distribution, score new text, write text of its own.

It derives from the training core (:class:`~sklearn_rnn._base._training.TrainingCore`:
the one fit path, the random stream per fit, the parameter checks, callbacks, saving)
and declares the hooks a language model needs, because it has no ``y`` and reads
streams, not sequences: its encoder is a
:class:`~sklearn_rnn.language_model._corpus.CorpusEncoder`, its training data one token
stream served by :class:`~sklearn_rnn.language_model._streams.StreamBatches`
(truncated backpropagation through time over parallel streams), and its forward pass
carries the recurrent state from one batch to the next (:meth:`RNNLanguageModel._forward`).
Scoring, next-token probabilities and hidden states read documents through the core's
prediction loop, batched by length (:mod:`sklearn_rnn.language_model._reading`).
"""

from __future__ import annotations

import math

import numpy as np
import torch
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted
from skorch import NeuralNet

from sklearn_rnn._base import _docs, _parameters
from sklearn_rnn._base._random import draw_seed
from sklearn_rnn._base._training import TrainingCore
from sklearn_rnn.language_model import _reading as reading
from sklearn_rnn.language_model._corpus import (
    BOUNDARY_ID,
    SPECIAL_IDS,
    CorpusEncoder,
    check_corpus,
    stream_of,
)
from sklearn_rnn.language_model._docs import DOC, OVERRIDES
from sklearn_rnn.language_model._network import LanguageModelNetwork
from sklearn_rnn.language_model._sampling import check_sample_arguments
from sklearn_rnn.language_model._streams import StreamBatches, TokenStream, n_streams_for

# Word vectors start at N(0, 0.1) (Zaremba et al., 2014), small enough for the text to
# shape them: a word's row is updated only where the word occurs, and from nn.Embedding's
# N(0, 1) the rows barely moved under Adam, so a classifier started from them got the
# random draw back (MR, benchmarks/pretraining_mr.py). Characters keep N(0, 1): every
# row is trained at almost every step, and N(0, 0.1) slowed tiny-shakespeare's start.
WORD_VECTOR_STD = 0.1


def _no_predict(estimator) -> bool:
    return False


class RNNLanguageModel(TrainingCore):
    # Composed after the class: the parameters are read from __init__'s signature.

    _default_criterion = torch.nn.CrossEntropyLoss
    _exports_to_onnx = True
    # A language model reads its own kind of parameters: no "auto" values.
    _parameter_constraints: dict = {
        "hidden_size": _parameters.int_at_least(1),
        "dropout": _parameters.real_in(0.0, 1.0, high_inclusive=False),
        "lr": _parameters.positive_real(),
        "max_epochs": _parameters.int_at_least(0),
        "bptt": _parameters.HYPERPARAMETER_CHECKS["bptt"],
    }
    # The recurrent state carried from one training batch to the next (detached).
    _carry = None

    def __init__(
        self,
        *,
        cell: str = "lstm",
        hidden_size: int = 512,
        num_layers: int = 1,
        dropout: float = 0.1,
        single_bias: bool = False,
        embedding_dim: int = 64,
        tokenizer="char",
        lowercase: bool = False,
        max_vocab: int | None = None,
        min_freq: int = 1,
        bptt: int = 128,
        clip_grad_norm: float | None = 1.0,
        lr: float = 0.002,
        lr_schedule: str = "auto",
        max_epochs: int = 10,
        batch_size: int = 64,
        optimizer=torch.optim.Adam,
        random_state: int | None = None,
        device: str = "cpu",
        verbose: int = 0,
        progress_bar: bool = False,
        module=None,
        callbacks=None,
        warm_start: bool = False,
        distributed: bool | str = "auto",
        **kwargs,
    ):
        self._store_init_params(locals())

    # -- fitting ----------------------------------------------------------------------

    def fit(self, X, y=None, **fit_params):
        """Learn the vocabulary of ``X`` and train the network on it.

        Every call starts from nothing, unless ``warm_start=True`` and the model is
        fitted: then training continues (tokens new to the vocabulary read as unknown).

        Parameters
        ----------
        X : str, list of str or list of list of str
            One long text, documents, or token lists.
        y : None
            Ignored.
        **fit_params : dict
            Passed on to skorch's fit loop.

        Returns
        -------
        self
        """
        return self._fit(X, None, continue_training=self.warm_start, fit_params=fit_params)

    def partial_fit(self, X, y=None, classes=None, **fit_params):
        """Train ``max_epochs`` more epochs on ``X``, fitting first if not fitted yet.

        Parameters
        ----------
        X : str, list of str or list of list of str
            As in :meth:`fit`.
        y, classes : None
            Ignored.
        **fit_params : dict
            Passed on to skorch's fit loop.

        Returns
        -------
        self
        """
        return self._fit(X, None, continue_training=True, fit_params=fit_params)

    def _check_X(self, X, *, reset: bool):
        return check_corpus(X)

    def _fit_encoders(self, X, y=None, **_) -> TokenStream:
        self.encoder_ = CorpusEncoder(self.tokenizer, self.lowercase, self.max_vocab, self.min_freq)
        documents = self.encoder_.fit_transform(X)
        self.classes_ = np.array(self.encoder_.vocabulary_.tokens[1:], dtype=object)
        self.n_outputs_ = len(self.classes_)
        return self._stream(documents)

    def _make_dataset(self, X, y=None, training=False, **_) -> TokenStream:
        return self._stream(self.encoder_.transform(X))

    def _stream(self, documents: list[np.ndarray]) -> TokenStream:
        ids = stream_of(documents)
        if len(ids) - 1 < self.bptt:
            raise ValueError(
                f"X holds {len(ids) - len(documents)} tokens, too few for one training chunk "
                f"of bptt={self.bptt} tokens (it needs at least {self.bptt + 1 - len(documents)}"
                "); pass more text or lower bptt."
            )
        return TokenStream(torch.from_numpy(ids))

    def _build_module(self, data_kwargs: dict, kwargs: dict) -> torch.nn.Module:
        return LanguageModelNetwork(
            **data_kwargs,
            cell=self.cell,
            hidden_size=self.hidden_size,
            num_layers=self.num_layers,
            dropout=self.dropout,
            embedding_dim=self.embedding_dim,
            single_bias=self.single_bias,
            embedding_std=None if self.tokenizer == "char" else WORD_VECTOR_STD,
            **kwargs,
        )

    def _train(self, dataset: TokenStream, fit_params: dict, one_epoch: bool) -> None:
        self._carry = None  # the hidden state carried between chunks, within this fit only
        try:
            super()._train(dataset, fit_params, one_epoch)
        finally:
            self._carry = None

    def _training_batches(self, dataset: TokenStream, generator) -> StreamBatches:
        n_streams = n_streams_for(len(dataset), self._training_batch_size(), self.bptt)
        return StreamBatches(dataset, n_streams, self.bptt, generator)

    def _forward(self, x, **fit_params):
        # x: {"inputs": (B, T) ids, "fresh": (B,) bool}. The state of the previous chunk
        # of the same streams goes in, detached: its gradient is cut at the chunk border.
        state = None if bool(x["fresh"][0]) else self._carry
        logits, state = self.module_(x["inputs"].to(self.device), state, **fit_params)
        self._carry = _detached(state)
        return logits

    def _loss(self, y_pred, y_true, weights) -> torch.Tensor:
        # (B, T, n_outputs) logits and (B, T) ids; output k predicts id k + 1.
        logits = y_pred.reshape(-1, y_pred.shape[-1])
        return super()._loss(logits, y_true.reshape(-1) - 1, weights)

    def _prediction_batches(self, documents: list[np.ndarray]):
        return reading.document_batches(documents, self.batch_size)

    # -- reading text -------------------------------------------------------------------

    def _log_likelihood(self, X) -> tuple[float, int]:
        check_is_fitted(self)
        corpus = check_corpus(X)
        documents = self.encoder_.transform(corpus)
        return reading.total_log_likelihood(self, documents)

    def score(self, X, y=None) -> float:
        """Mean log-likelihood per token of ``X``, in nats (higher is better).

        Each document is read from the start (after a boundary), every one of its
        tokens predicted from the ones before it, so ``GridSearchCV`` can compare
        models by the likelihood of held-out documents. Tokens never seen in ``fit``
        (or cut by ``max_vocab``/``min_freq``) are scored as ``"<unk>"``, so any text
        gets a score; the model learned ``"<unk>"``'s probability only from the tokens
        that ``max_vocab`` and ``min_freq`` cut, so with none cut an unseen token costs
        many nats. :meth:`sample` rejects such tokens in its prompt instead, which it
        returns as text.

        Parameters
        ----------
        X : str, list of str or list of list of str
            The same kind of corpus as in ``fit``.
        y : None
            Ignored.

        Returns
        -------
        float
        """
        total, count = self._log_likelihood(X)
        return total / count

    def perplexity(self, X) -> float:
        """``exp(-score(X))``: the model's average branching factor per token.

        Parameters
        ----------
        X : str, list of str or list of list of str
            The same kind of corpus as in ``fit``.

        Returns
        -------
        float
        """
        return math.exp(-self.score(X))

    def bits_per_char(self, X) -> float:
        """Negative log-likelihood of ``X`` in bits per character of the text as written.

        For ``tokenizer="char"`` it is ``-score(X) / ln 2``; for words, the total over
        the characters of the strings (token lists: of their tokens), so models with
        different tokenizers compare.

        Parameters
        ----------
        X : str, list of str or list of list of str
            The same kind of corpus as in ``fit``.

        Returns
        -------
        float
        """
        total, _ = self._log_likelihood(X)
        return -total / math.log(2) / max(1, self.encoder_.n_characters(X))

    def predict_proba_next(self, prefix) -> np.ndarray:
        """The distribution of the token after ``prefix``, columns ordered as ``classes_``.

        Parameters
        ----------
        prefix : str, list of str or list of list of str
            One prefix (a string, read as one document) or a list of them; ``""`` gives
            the distribution of a document's first token.

        Returns
        -------
        ndarray of shape (n_classes,) for one string, (n_prefixes, n_classes) otherwise
        """
        check_is_fitted(self)
        one = isinstance(prefix, str)
        corpus = check_corpus([prefix] if one else prefix, "prefix")
        logits = reading.last_logits(self, self.encoder_.transform(corpus))
        proba = torch.softmax(logits, dim=-1).numpy()
        return proba[0] if one else proba

    def hidden_states(self, X, layer: int = -1, cell_state: bool = False) -> list[np.ndarray]:
        """The recurrent state after each token of each document, ``(T_i, H)`` arrays.

        Row ``t`` is the state of layer ``layer`` once token ``t`` has been read, so a
        heatmap of one unit over the text shows what it tracks (Karpathy et al., 2015);
        :func:`sklearn_rnn.inspection.plot_hidden_states` draws it.

        Parameters
        ----------
        X : str, list of str or list of list of str
            One text or a list of documents, the same kind as in ``fit``.
        layer : int, default=-1
            Which recurrent layer (negative counts from the top).
        cell_state : bool, default=False
            The LSTM's cell state instead of its hidden state (output).

        Returns
        -------
        list of ndarray of shape (T_i, hidden_size), one per document
        """
        check_is_fitted(self)
        if not isinstance(self.module_, LanguageModelNetwork):
            raise ValueError("hidden_states needs the built-in network (module=None).")
        n_layers = self.module_.rnn.num_layers
        if not (isinstance(layer, int) and -n_layers <= layer < n_layers):
            raise ValueError(
                f"Invalid value for parameter 'layer': expected an int in [{-n_layers}, "
                f"{n_layers - 1}] (the model has {n_layers} layers), got {layer!r}."
            )
        if cell_state and self.cell != "lstm":
            raise ValueError(
                f"cell_state=True needs cell='lstm'; this model's cell is {self.cell!r}, whose "
                "hidden state is its only state."
            )
        corpus = check_corpus([X] if isinstance(X, str) else X)
        documents = self.encoder_.transform(corpus)
        return reading.layer_states(self, documents, layer % n_layers, cell_state)

    def tokenize(self, X) -> list[list[str]]:
        """Split each document into the tokens the model reads.

        The tokens are aligned with :meth:`hidden_states`.

        Parameters
        ----------
        X : str, list of str or list of list of str
            One text or a list of documents.

        Returns
        -------
        list of list of str
        """
        check_is_fitted(self)
        return self.encoder_.tokenize(check_corpus([X] if isinstance(X, str) else X))

    def sample(
        self,
        n_tokens: int,
        prompt="",
        temperature: float = 1.0,
        top_k: int | None = None,
        random_state=None,
    ):
        """Write ``n_tokens`` new tokens after ``prompt``.

        Each token is drawn from the model's next-token distribution divided by
        ``temperature`` and cut to the ``top_k`` most probable tokens. The unknown and
        boundary tokens are never drawn. The same ``random_state`` gives the same text.
        A prompt holding tokens never seen in ``fit`` is a ``ValueError``: the prompt
        comes back as the start of the text, which ``"<unk>"`` could not write back
        (:meth:`score` reads such tokens as ``"<unk>"``).

        Parameters
        ----------
        n_tokens : int
            How many tokens to write.
        prompt : str or list of str, default=""
            The text to continue (a token list if the model was fitted on token lists);
            every one of its tokens must be in the vocabulary.
        temperature : float, default=1.0
            Below 1 the text is more conservative, above 1 more varied.
        top_k : int or None, default=None
            Draw only among the ``top_k`` most probable tokens.
        random_state : int, RandomState instance or None, default=None
            Seeds the draws.

        Returns
        -------
        str or list of str
            The prompt followed by the new tokens: a string for text models (characters
            joined without separator for ``tokenizer="char"``, with spaces otherwise), a
            token list for models fitted on token lists.
        """
        check_is_fitted(self)
        check_sample_arguments(n_tokens, temperature, top_k)
        is_tokens = self.encoder_.kind_ == "tokens"
        corpus = check_corpus([list(prompt)] if is_tokens else [prompt], "prompt")
        unknown = self.encoder_.unknown_tokens(corpus)
        if unknown:
            raise ValueError(
                f"prompt holds tokens never seen in fit: {unknown[:10]}; the model can only "
                "continue text made of its vocabulary (see classes_), which it returns with "
                "the prompt. (score reads unseen tokens as '<unk>'.)"
            )
        prompt_ids = self.encoder_.transform(corpus)[0]
        generator = torch.Generator().manual_seed(draw_seed(random_state))
        new_ids = reading.sample_ids(
            self, prompt_ids, n_tokens, temperature, top_k, generator, SPECIAL_IDS
        )
        return self.encoder_.decode(np.concatenate([prompt_ids, new_ids]))

    # -- not a predictor ------------------------------------------------------------------

    # skorch's predict and predict_proba make no sense for a language model; hidden, so
    # that scikit-learn does not take it for a classifier or regressor.
    predict = available_if(_no_predict)(NeuralNet.predict)
    predict_proba = available_if(_no_predict)(NeuralNet.predict_proba)
    forward = available_if(_no_predict)(NeuralNet.forward)
    forward_iter = available_if(_no_predict)(NeuralNet.forward_iter)

    def _summary_batch(self) -> dict:
        inputs = torch.full((1, 3), BOUNDARY_ID, dtype=torch.int64, device=self.device)
        return {"inputs": inputs}

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = False
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        return tags


def _detached(state):
    if isinstance(state, tuple):
        return tuple(s.detach() for s in state)
    return state.detach()


RNNLanguageModel.__doc__ = DOC.format(
    parameters=_docs.parameters_section(RNNLanguageModel.__init__, OVERRIDES)
)
