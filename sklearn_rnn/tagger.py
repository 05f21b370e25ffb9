"""RNNTagger: one label per token or time step (POS tagging, NER, segmentation)."""

from __future__ import annotations

import inspect

import numpy as np
import pandas as pd
import torch
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted

from sklearn_rnn._base import _docs, _parameters
from sklearn_rnn._base._batches import IGNORE_INDEX
from sklearn_rnn._base._encoded_sequences import EncodedSequences
from sklearn_rnn._base._sample_weight import check_sample_weight, weighted_loss
from sklearn_rnn._base._sequence_encoder import SequenceEncoder
from sklearn_rnn._base._sequence_estimator import SequenceEstimator
from sklearn_rnn._base._tagger_prediction import PerStepPredictionMixin
from sklearn_rnn._targets import StepLabels
from sklearn_rnn.callbacks import ValidAccuracy
from sklearn_rnn.encoding import _validation as v
from sklearn_rnn.encoding._vocabulary import Vocabulary
from sklearn_rnn.metrics import token_accuracy
from sklearn_rnn.nn._networks import TaggerModel

# The shared word-embedding parameters; tokenizer and the rest are the tagger's own.
# The tagger's own parameters, and shared ones whose meaning differs here.
_PARAMETERS = {
    "char_embedding_dim": (
        "int",
        (
            "Character-level word features (token inputs): each word's characters are read\n"
            "by a small bidirectional LSTM with embeddings and hidden states of this size,\n"
            "and its two final states are joined to the word embedding. They give rare and\n"
            "unseen words a representation from their spelling (case, suffixes, digits).\n"
            "0 turns them off."
        ),
    ),
    "shape_embedding_dim": (
        "int",
        (
            "Word-shape feature (token inputs): each token's shape, its characters mapped to\n"
            "``X`` (upper case), ``x`` (lower case) and ``d`` (digit) with runs cut at four\n"
            '(``"Paris"`` -> ``Xxxxx``, ``"U.S."`` -> ``X.X.``, ``"1,000"`` -> ``d,ddd``; see\n'
            ":func:`sklearn_rnn.encoding.word_shape`), is\n"
            "embedded in this many dimensions and joined to the word embedding. It keeps the\n"
            "case that ``lowercase`` removes and gives unseen words a cheap description;\n"
            "shapes seen once in ``fit`` share the unknown shape. 0 turns it off."
        ),
    ),
    "word_dropout": (
        "float in [0, 1)",
        (
            "During training, replace each occurrence of a word seen only once in ``fit`` by\n"
            "the unknown word with this probability, so the unknown word's vector learns\n"
            "what unseen words look like. Token and id inputs only."
        ),
    ),
    "crf": (
        "bool",
        (
            "Put a linear-chain CRF over the tags: trained on the sequence log-likelihood,\n"
            "``predict`` returns the best tag path (Viterbi) and ``predict_proba`` the\n"
            "per-step marginal probabilities (forward-backward). Without it the loss is\n"
            "cross-entropy over real steps and each step is predicted on its own."
        ),
    ),
    "lowercase": (
        "bool",
        (
            "Lowercase tokens before the word lookup. The character features always see the\n"
            "tokens as given, so case is not lost."
        ),
    ),
    "max_vocab": (
        "int or None",
        ("Keep only the most frequent words; the others map to the unknown word."),
    ),
    "min_freq": (
        "int",
        ("Keep only words seen at least this often in ``fit``."),
    ),
    "max_len": (
        "int or None",
        (
            "Train on the first ``max_len`` steps of each sequence (and their labels) only, to\n"
            "bound training cost. Prediction always labels every step of its input."
        ),
    ),
    "standardize": (
        "bool",
        (
            "Standardize numeric features with the per-feature mean and standard deviation\n"
            "seen in ``fit``."
        ),
    ),
    "module": (
        "torch.nn.Module class or None",
        (
            "Your own network instead of the built-in one. It is built with\n"
            "``n_outputs``, ``n_ids`` (vocabulary size, or None for numeric input) and\n"
            "``n_features`` (or None for token input), plus any ``module__name=value``\n"
            "arguments, and its ``forward(inputs, lengths)`` receives the padded batch (and\n"
            "``chars``, ``char_lengths``, ``char_index`` for token input unless\n"
            "``char_embedding_dim=0``, and ``shapes`` unless ``shape_embedding_dim=0``; see\n"
            ":class:`~sklearn_rnn.nn.TaggerModel`). With ``crf=True`` it must hold a\n"
            ":class:`~sklearn_rnn.nn.LinearChainCRF` as ``crf``."
        ),
    ),
}

_DOC = """Recurrent neural network sequence tagger: one label per token or time step.

    Takes token lists (``[["The", "cat", "sat"], ...]``), id lists, or numeric series
    (a ragged list of ``(T_i, F)`` or ``(T_i,)`` arrays, an ``(n, T, F)`` or ``(n, T)``
    array), and ``y`` as one label list per sequence, of the same length as it. Raw
    strings are rejected: tokenization would change the number of steps.

    It is not a classifier in scikit-learn's sense (``y`` is ragged), so model
    selection uses plain, unstratified folds; ``score`` is token accuracy and refuses
    tags never seen in ``fit``. Where a rare tag may be missing from a training fold,
    cross-validate with ``scoring=sklearn_rnn.metrics.token_accuracy_scorer``, which
    counts such tags as errors.

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The tags seen in ``fit``, sorted; the columns of ``predict_proba``.
    {n_features_in}
    encoder_ : SequenceEncoder
        The fitted input encoder (word vocabulary or scaling statistics).
    target_encoder_ : StepLabels
        The fitted target encoder: label lists to tag ids, and the per-step scores
        back to labels (argmax, or the CRF's best path).
    char_vocabulary_ : Vocabulary or None
        The characters seen in ``fit`` (when character features are used).
    shape_vocabulary_ : Vocabulary or None
        The word shapes seen more than once in ``fit`` (when the shape feature is used).
    module_ : torch.nn.Module
        The trained network (:class:`~sklearn_rnn.nn.TaggerModel` by default).
    history_ : skorch.History
        Per-epoch losses and metrics.

    See Also
    --------
    sklearn_rnn.metrics.token_accuracy_scorer, sklearn_rnn.metrics.entity_f1_scorer :
        Scorers for ``GridSearchCV``/``cross_val_score`` with ragged ``y``.

    Examples
    --------
    >>> from sklearn_rnn.tagger import RNNTagger
    >>> X = [["the", "dog", "runs"], ["a", "cat", "sleeps"], ["dogs", "run"], ["a", "cat"]] * 8
    >>> y = [["DET", "NOUN", "VERB"], ["DET", "NOUN", "VERB"], ["NOUN", "VERB"],
    ...      ["DET", "NOUN"]] * 8
    >>> tagger = RNNTagger(hidden_size=16, char_embedding_dim=8, max_epochs=10, lr=0.01,
    ...                    random_state=0).fit(X, y)
    >>> tagger.predict([["the", "dog", "sleeps"], ["a", "dog"]])
    [['DET', 'NOUN', 'VERB'], ['DET', 'NOUN']]
    >>> tagger.classes_.tolist()
    ['DET', 'NOUN', 'VERB']
    >>> tagger.predict_proba([["a", "dog"]])[0].shape
    (2, 3)
    >>> tagger.score(X, y)
    1.0
    """


class RNNTagger(PerStepPredictionMixin, SequenceEstimator):
    _parameter_constraints: dict = {
        name: _parameters.HYPERPARAMETER_CHECKS[name]
        for name in ("char_embedding_dim", "shape_embedding_dim", "word_dropout", "crf")
    }
    # Composed after the class: the parameters are read from __init__'s signature.

    _default_criterion = torch.nn.CrossEntropyLoss
    _early_stopping_scores = (("valid_acc", False), ("valid_loss", True))

    def __init__(
        self,
        *,
        cell: str = "lstm",
        hidden_size: int = 128,
        num_layers: int = 1,
        bidirectional: bool = True,
        dropout: float = 0.33,
        single_bias: bool = False,
        embedding_dim: int = 100,
        embeddings=None,
        freeze_embeddings: bool = False,
        sparse_embeddings: bool = False,
        char_embedding_dim: int = 30,
        shape_embedding_dim: int = 8,
        word_dropout: float = 0.25,
        crf: bool = False,
        lowercase: bool = True,
        max_vocab: int | None = None,
        min_freq: int = 1,
        max_len: int | None = None,
        standardize: bool = True,
        clip_grad_norm: float | None = 5.0,
        lr: float = 0.002,
        lr_schedule: str = "auto",
        max_epochs: int | str = "auto",
        batch_size: int = 32,
        optimizer=torch.optim.Adam,
        early_stopping: bool | str = "auto",
        validation_fraction: float = 0.1,
        patience: int = 5,
        tol: float = 1e-4,
        n_iter_no_change: int | None = None,
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

    # -- X and y ----------------------------------------------------------------------

    def _check_kind(self, kind: str) -> None:
        if kind == v.TEXT:
            raise TypeError(
                "X[0] is a string; RNNTagger needs token lists: split your text into tokens "
                "first, e.g. text.split() (tokenizing here would change the number of labels "
                "each sequence needs)."
            )

    def _check_y(self, y, X: v.CheckedSequences) -> np.ndarray:
        """One label array per sequence, each as long as its sequence (an object array)."""
        y = v.check_target_length(len(X), y)
        if isinstance(y, pd.DataFrame):
            y = y.to_numpy()
        unit = "tokens" if X.kind == v.TOKENS else "steps"
        labels = np.empty(len(X), dtype=object)
        for i, (row, n_steps) in enumerate(zip(y, X.lengths().tolist(), strict=True)):
            if isinstance(row, (str, bytes)) or not hasattr(row, "__len__"):
                raise TypeError(
                    f"y[{i}] is a {type(row).__name__}; y must hold one list of labels per "
                    f"sequence, e.g. y[{i}] = {['LABEL'] * min(n_steps, 3)!r}."
                )
            if len(row) != n_steps:
                raise ValueError(
                    f"y[{i}] has {len(row)} labels but X[{i}] has {n_steps} {unit}; each "
                    "sequence needs exactly one label per step."
                )
            labels[i] = row
        flat = v.check_labels([label for row in labels for label in row])
        check_classification_targets(flat)
        lengths = np.fromiter(map(len, labels), dtype=np.int64, count=len(labels))
        for i, row in enumerate(np.split(flat, np.cumsum(lengths)[:-1])):
            labels[i] = row
        return labels

    def _training_view(self, X: v.CheckedSequences, y):
        # Training sees the first max_len steps and their labels; prediction every step.
        if self.max_len is None:
            return X, y
        cut = np.empty(len(y), dtype=object)
        for i, row in enumerate(y):
            cut[i] = row[: self.max_len]
        return X.truncated(self.max_len), cut

    def _fit_targets(self, y: np.ndarray, classes) -> EncodedSequences:
        if classes is not None:
            classes = v.check_labels(classes, "classes")
        self.target_encoder_ = StepLabels().fit(y, classes)
        self.classes_ = self.target_encoder_.classes_
        self.n_outputs_ = len(self.classes_)
        return self._encode_targets(y)

    def _encode_targets(self, y: np.ndarray) -> EncodedSequences:
        return EncodedSequences.from_flat(*self.target_encoder_.transform(y))

    def _make_encoder(self) -> SequenceEncoder:
        # Tokens are given; truncation to max_len is the training view's, on X and y together.
        return SequenceEncoder(
            tokenizer="whitespace",
            lowercase=self.lowercase,
            max_vocab=self.max_vocab,
            min_freq=self.min_freq,
            max_len=None,
            standardize=self.standardize,
            char_features=self.char_embedding_dim > 0,
            shape_features=self.shape_embedding_dim > 0,
        )

    def _fit_input_statistics(self, sequences: EncodedSequences) -> None:
        # The words seen once in fit: word dropout reads them as unknown now and then.
        self.rare_ids_ = None
        if self.encoder_.n_ids_ is not None:
            counts = np.bincount(sequences.values.numpy(), minlength=self.encoder_.n_ids_)
            self.rare_ids_ = torch.from_numpy(counts == 1)

    @property
    def char_vocabulary_(self) -> Vocabulary | None:
        """The characters seen in ``fit`` (None without character features)."""
        check_is_fitted(self, "encoder_")
        return getattr(self.encoder_, "char_vocabulary_", None)

    @property
    def shape_vocabulary_(self) -> Vocabulary | None:
        """The word shapes seen more than once in ``fit`` (None without the shape feature)."""
        check_is_fitted(self, "encoder_")
        return getattr(self.encoder_, "shape_vocabulary_", None)

    # -- skorch extension points --------------------------------------------------------

    def _build_module(self, data_kwargs: dict, kwargs: dict) -> torch.nn.Module:
        chars, shapes = self.char_vocabulary_, self.shape_vocabulary_
        return TaggerModel(
            **data_kwargs,
            **self._network_kwargs(),
            n_chars=len(chars) if chars is not None else None,
            char_embedding_dim=self.char_embedding_dim,
            n_shapes=len(shapes) if shapes is not None else None,
            shape_embedding_dim=self.shape_embedding_dim,
            word_dropout=self.word_dropout,
            rare_ids=self.rare_ids_,
            crf=self.crf,
            **kwargs,
        )

    def _check_module(self) -> None:
        if self.crf and getattr(self.module_, "crf", None) is None:
            raise ValueError(
                "crf=True needs a module with a LinearChainCRF as its 'crf' attribute; the "
                f"given module {type(self.module_).__name__} has none."
            )
        if self.module is not None:
            self._check_module_accepts_features()

    def _check_module_accepts_features(self) -> None:
        """A custom module's ``forward`` must take the token features its batches carry."""
        features = {
            "char_embedding_dim": (self.char_vocabulary_, ("chars", "char_lengths", "char_index")),
            "shape_embedding_dim": (self.shape_vocabulary_, ("shapes",)),
        }
        parameters = inspect.signature(self.module_.forward).parameters.values()
        if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters):
            return
        accepted = {p.name for p in parameters}
        for name, (vocabulary, keys) in features.items():
            missing = [key for key in keys if key not in accepted]
            if vocabulary is not None and missing:
                raise ValueError(
                    f"The given module {type(self.module_).__name__}.forward does not take "
                    f"{', '.join(repr(k) for k in missing)}, which the batches carry with "
                    f"{name}={getattr(self, name)!r}; set {name}=0, or add these arguments."
                )

    def _criterion_kwargs(self) -> dict:
        return {"ignore_index": IGNORE_INDEX}

    def _loss(self, y_pred, y_true, weights) -> torch.Tensor:
        # y_pred: (B, T, C) emissions; y_true: (B, T) tag ids, IGNORE_INDEX past each end;
        # weights: (B,) per sequence, or None.
        crf = getattr(self.module_, "crf", None)
        if crf is not None:
            mask = y_true != IGNORE_INDEX  # (B, T)
            # Summed sequence NLL per real step: on the scale of the cross-entropy, so the
            # same lr and clip_grad_norm suit both.
            nll = crf(y_pred, y_true, mask)  # (B,)
            if weights is not None:
                nll = weights.to(nll.device) * nll
            return nll.sum() / mask.sum()
        y_pred, y_flat = y_pred.reshape(-1, y_pred.shape[-1]), y_true.reshape(-1)
        if weights is None:
            return self.criterion_(y_pred, y_flat)
        mass = self._loss_mass(y_true)
        return weighted_loss(self.criterion_, y_pred, y_flat, weights, mass)

    def _loss_mass(self, targets) -> torch.Tensor:
        # The per-step mean: each sequence counts its real steps.
        if isinstance(targets, EncodedSequences):
            return targets.lengths
        return (targets != IGNORE_INDEX).sum(1)

    def _metric_callbacks(self):
        return [("valid_acc", ValidAccuracy())] if self.early_stopping_ else []

    # -- scoring ------------------------------------------------------------------------

    def score(self, X, y, sample_weight=None) -> float:
        """Token accuracy: the share of all steps whose tag is predicted correctly.

        Parameters
        ----------
        X : sequences
            Token lists or numeric series.
        y : list of label lists
            The true tags, one list per sequence and as long as it.
        sample_weight : array-like of shape (n_samples,), default=None
            One weight per sequence: each of its tags counts with that weight.

        Returns
        -------
        float
            Correct tags over all tags. Tags never seen in ``fit`` raise a ``ValueError``
            (use :func:`sklearn_rnn.metrics.token_accuracy` to count them as errors).
        """
        check_is_fitted(self)
        checked = self._check_X(X, reset=False)
        labels = self._check_y(y, checked)
        weights = check_sample_weight(sample_weight, len(checked))
        unseen = np.setdiff1d(np.unique(np.concatenate(list(labels))), self.classes_)
        if len(unseen):
            raise ValueError(
                f"y contains labels not seen in fit: {unseen.tolist()[:5]}; the tags are "
                f"{self.classes_.tolist()}. To count them as errors instead, use "
                "sklearn_rnn.metrics.token_accuracy(y, tagger.predict(X))."
            )
        if weights is None:
            return token_accuracy(list(labels), self.predict(checked))
        lengths = np.fromiter(map(len, labels), dtype=np.int64, count=len(labels))
        predicted = np.concatenate([np.asarray(p, dtype=object) for p in self.predict(checked)])
        right = np.concatenate(list(labels)).astype(object) == predicted
        step_weights = np.repeat(weights, lengths)
        return float((step_weights * right).sum() / step_weights.sum())

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.estimator_type = None
        tags.target_tags.required = True
        return tags


RNNTagger.__doc__ = _DOC.format(
    parameters=_docs.parameters_section(
        RNNTagger.__init__, _PARAMETERS, stratified="", score="token accuracy, ties by loss"
    ),
    n_features_in=_docs.N_FEATURES_IN,
)
