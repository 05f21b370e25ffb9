"""RNNTagger: one label per token or time step (POS tagging, NER, segmentation)."""

from __future__ import annotations

import inspect
import itertools

import numpy as np
import pandas as pd
import torch
from sklearn.preprocessing import LabelEncoder
from sklearn.utils import check_array
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted
from skorch.utils import to_tensor

from sklearn_rnn import _docs
from sklearn_rnn import _validation as v
from sklearn_rnn._base import RNNBase
from sklearn_rnn.callbacks import ValidAccuracy
from sklearn_rnn.data import IGNORE_INDEX, BatchIterator, SequenceDataset, pad_batch
from sklearn_rnn.encoding import EncodedSequences, SequenceEncoder, Vocabulary, word_shape
from sklearn_rnn.metrics import token_accuracy
from sklearn_rnn.modules import TaggerModel, step_mask

# Words longer than this are read by the character encoder as their first and last
# MAX_WORD_CHARS // 2 characters (URLs and the like; 99.9 % of EWT words have <= 24).
MAX_WORD_CHARS = 32

# The shared word-embedding parameters; tokenizer and the rest are the tagger's own.
_INPUT_PARAMETERS = (
    _docs.INPUT_PARAMETERS.split("\n    tokenizer :")[0]
    + """
    char_embedding_dim : int, default=30
        Character-level word features (token inputs): each word's characters are read
        by a small bidirectional LSTM with embeddings and hidden states of this size,
        and its two final states are joined to the word embedding. They give rare and
        unseen words a representation from their spelling (case, suffixes, digits).
        0 turns them off.
    shape_embedding_dim : int, default=8
        Word-shape feature (token inputs): each token's shape, its characters mapped to
        ``X`` (upper case), ``x`` (lower case) and ``d`` (digit) with runs cut at four
        (``"Paris"`` -> ``Xxxxx``, ``"U.S."`` -> ``X.X.``, ``"1,000"`` -> ``d,ddd``; see
        :func:`sklearn_rnn.encoding.word_shape`), is
        embedded in this many dimensions and joined to the word embedding. It keeps the
        case that ``lowercase`` removes and gives unseen words a cheap description;
        shapes seen once in ``fit`` share the unknown shape. 0 turns it off.
    word_dropout : float in [0, 1), default=0.25
        During training, replace each occurrence of a word seen only once in ``fit`` by
        the unknown word with this probability, so the unknown word's vector learns
        what unseen words look like. Token and id inputs only.
    crf : bool, default=False
        Put a linear-chain CRF over the tags: trained on the sequence log-likelihood,
        ``predict`` returns the best tag path (Viterbi) and ``predict_proba`` the
        per-step marginal probabilities (forward-backward). Without it the loss is
        cross-entropy over real steps and each step is predicted on its own.
    lowercase : bool, default=True
        Lowercase tokens before the word lookup. The character features always see the
        tokens as given, so case is not lost.
    max_vocab : int or None, default=None
        Keep only the most frequent words; the others map to the unknown word.
    min_freq : int, default=1
        Keep only words seen at least this often in ``fit``.
    max_len : int or None, default=None
        Train on the first ``max_len`` steps of each sequence (and their labels) only, to
        bound training cost. Prediction always labels every step of its input.
    standardize : bool, default=True
        Standardize numeric features with the per-feature mean and standard deviation
        seen in ``fit``."""
)

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
    {model}{inputs}{training}{common}

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The tags seen in ``fit``, sorted; the columns of ``predict_proba``.
    n_features_in_ : int
        Features per step for numeric input; not set for tokens.
    encoder_ : SequenceEncoder
        The fitted input encoder (word vocabulary or scaling statistics).
    char_vocabulary_ : Vocabulary or None
        The characters seen in ``fit`` (when character features are used).
    shape_vocabulary_ : Vocabulary or None
        The word shapes seen more than once in ``fit`` (when the shape feature is used).
    module_ : torch.nn.Module
        The trained network (:class:`~sklearn_rnn.modules.TaggerModel` by default).
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


class RNNTagger(RNNBase):
    __doc__ = _DOC.format(
        model=_docs.MODEL_PARAMETERS.format(bidirectional=True, dropout=0.33),
        inputs=_INPUT_PARAMETERS,
        training=_docs.TRAINING_PARAMETERS.format(
            lr=0.002, max_epochs=10, batch_size=32, stratified=""
        )
        .replace("default=1.0", "default=5.0")
        .replace("accuracy for the classifier, loss otherwise", "token accuracy"),
        common=_docs.COMMON_PARAMETERS.replace(
            "receives the padded batch.",
            "receives the padded batch\n        (and ``chars``, ``char_lengths``, ``char_index`` "
            "for token input unless\n        ``char_embedding_dim=0``, and ``shapes`` unless "
            "``shape_embedding_dim=0``; see "
            ":class:`~sklearn_rnn.modules.TaggerModel`).\n        With ``crf=True`` it must "
            "hold a :class:`~sklearn_rnn.crf.LinearChainCRF` as ``crf``.",
        ),
    )

    _per_step_targets = True
    _early_stopping_monitor = ("valid_acc", False)

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
        max_epochs: int = 10,
        batch_size: int = 32,
        optimizer=torch.optim.Adam,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        patience: int = 5,
        random_state: int | None = None,
        device: str = "cpu",
        verbose: int = 0,
        progress_bar: bool = False,
        module=None,
        callbacks=None,
        warm_start: bool = False,
        **kwargs,
    ):
        self._store_init_params(locals())

    # -- parameters -------------------------------------------------------------------

    def _check_params(self) -> None:
        super()._check_params()
        p = self.word_dropout
        if not (v._is_real(p) and 0.0 <= p < 1.0):
            raise ValueError(
                f"Invalid value for parameter 'word_dropout': expected a float in [0.0, 1.0), "
                f"got {p!r}."
            )

    # -- X and y ----------------------------------------------------------------------

    def _validate_X(self, X) -> tuple[list, str]:
        """Per-sequence token lists, id arrays or ``(T_i, F)`` float arrays, and the kind."""
        X = v.as_container(X)
        kind = v.detect_input_kind(X)
        if kind == v.TEXT:
            raise TypeError(
                "X[0] is a string; RNNTagger needs token lists: split your text into tokens "
                "first, e.g. text.split() (tokenizing here would change the number of labels "
                "each sequence needs)."
            )
        if kind == v.TOKENS:
            return v.check_token_lists(X), kind
        if kind == v.IDS:
            return v.check_id_lists(X), kind
        if kind == v.TABLE:
            if isinstance(X, np.ndarray) and X.dtype.kind in "US":  # a 2D array of tokens
                return v.check_token_lists(X.tolist()), v.TOKENS
            # One univariate series per row, one label per column.
            X = check_array(X, dtype=np.float32, input_name="X")
            return list(X[:, :, None]), v.NUMERIC
        return v.check_numeric_sequences(X), v.NUMERIC

    def _validate_y(self, y, sequences: list) -> list[np.ndarray]:
        """One label array per sequence, each as long as its sequence."""
        y = v.check_target_length(len(sequences), y)
        if isinstance(y, pd.DataFrame):
            y = y.to_numpy()
        unit = "tokens" if sequences and isinstance(sequences[0], list) else "steps"
        labels = []
        for i, (row, seq) in enumerate(zip(y, sequences, strict=True)):
            if isinstance(row, (str, bytes)) or not hasattr(row, "__len__"):
                raise TypeError(
                    f"y[{i}] is a {type(row).__name__}; y must hold one list of labels per "
                    f"sequence, e.g. y[{i}] = {['LABEL'] * min(len(seq), 3)!r}."
                )
            if len(row) != len(seq):
                raise ValueError(
                    f"y[{i}] has {len(row)} labels but X[{i}] has {len(seq)} {unit}; each "
                    "sequence needs exactly one label per step."
                )
            labels.append(row)
        flat = list(itertools.chain.from_iterable(labels))
        types = {type(label) for label in flat}
        if type(None) in types or len({_label_family(t) for t in types}) > 1:
            raise TypeError(
                "y must hold labels of one type (all strings or all numbers); got "
                f"{sorted(t.__name__ for t in types)}."
            )
        flat = np.asarray(flat)
        check_classification_targets(flat)
        lengths = np.fromiter((len(row) for row in labels), dtype=np.int64, count=len(labels))
        return np.split(flat, np.cumsum(lengths)[:-1])

    def _truncate(self, sequences: list, labels: list | None):
        """Training data cut to ``max_len`` steps; prediction input (no labels) is kept whole."""
        if self.max_len is None or labels is None:
            return sequences, labels
        sequences = [seq[: self.max_len] for seq in sequences]
        return sequences, [row[: self.max_len] for row in labels]

    def _encode_labels(self, labels: list[np.ndarray]) -> EncodedSequences:
        flat = np.concatenate(labels)
        unseen = np.setdiff1d(np.unique(flat), self.classes_)
        if len(unseen):
            raise ValueError(
                f"y contains labels not seen in fit: {unseen.tolist()[:5]}; the tags are "
                f"{self.classes_.tolist()}."
            )
        ids = self.label_encoder_.transform(flat).astype(np.int64)
        return EncodedSequences.from_arrays(np.split(ids, np.cumsum([len(r) for r in labels])[:-1]))

    # -- character features -------------------------------------------------------------

    def _uses_chars(self, kind: str) -> bool:
        return kind == v.TOKENS and self.char_embedding_dim > 0

    def _char_table(self, token_lists: list[list[str]]):
        """Each step's word-form id, and the padded characters of each distinct form.

        Form 0 stands for padding. Returns ``(form_ids (N,), chars (U + 1, L),
        char_lengths (U + 1,))``; the characters of each form are encoded once.
        """
        index: dict[str, int] = {}
        steps = itertools.chain.from_iterable(token_lists)
        form_ids = np.fromiter((index.setdefault(t, len(index) + 1) for t in steps), np.int64)
        forms = [_clip_word(w) for w in index]
        char_lengths = np.array([1] + [len(w) for w in forms], dtype=np.int64)
        chars = np.zeros((len(forms) + 1, char_lengths.max()), dtype=np.int64)
        vocab_index = self.char_vocabulary_.index
        for row, word in enumerate(forms, start=1):
            chars[row, : len(word)] = [vocab_index.get(c, 1) for c in word]
        return torch.from_numpy(form_ids), torch.from_numpy(chars), torch.from_numpy(char_lengths)

    def _uses_shapes(self, kind: str) -> bool:
        return kind == v.TOKENS and self.shape_embedding_dim > 0

    def _shape_ids(self, token_lists: list[list[str]], shape_of: dict | None) -> torch.Tensor:
        """Each step's word-shape id in ``shape_vocabulary_`` (1 for an unknown shape).

        ``shape_of`` maps each distinct token to its shape when the caller has it already.
        """
        if shape_of is None:
            shape_of = _token_shapes(token_lists)
        steps = [shape_of[t] for t in itertools.chain.from_iterable(token_lists)]
        return torch.from_numpy(self.shape_vocabulary_.encode(steps))

    def _make_dataset(
        self, raw: list, kind: str, sequences: EncodedSequences, targets=None, shape_of=None
    ):
        # The fitted state decides, not the current parameters (set_params after fit).
        if kind != v.TOKENS or (self.char_vocabulary_ is None and self.shape_vocabulary_ is None):
            return SequenceDataset(sequences, targets)
        forms = chars = char_lengths = shapes = None
        if self.char_vocabulary_ is not None:
            form_ids, chars, char_lengths = self._char_table(raw)
            forms = EncodedSequences(form_ids, sequences.lengths, sequences.offsets)
        if self.shape_vocabulary_ is not None:
            shape_ids = self._shape_ids(raw, shape_of)
            shapes = EncodedSequences(shape_ids, sequences.lengths, sequences.offsets)
        return TaggingDataset(sequences, targets, forms, chars, char_lengths, shapes)

    # -- fitting ------------------------------------------------------------------------

    def _make_encoder(self) -> SequenceEncoder:
        # Truncation to max_len happens here, on X and y together, and only in fit.
        return SequenceEncoder(
            tokenizer="whitespace",
            lowercase=self.lowercase,
            max_vocab=self.max_vocab,
            min_freq=self.min_freq,
            max_len=None,
            standardize=self.standardize,
        )

    def _fit_new(self, X, y, classes=None) -> SequenceDataset:
        self.initialized_ = False
        self.torch_rng_state_ = None
        if "n_features_in_" in vars(self):
            del self.n_features_in_
        raw, kind = self._validate_X(X)
        labels = self._validate_y(y, raw)
        raw, labels = self._truncate(raw, labels)

        self.encoder_ = self._make_encoder()
        sequences = self.encoder_.fit_transform(raw, kind)
        if kind == v.NUMERIC:
            self.n_features_in_ = self.encoder_.n_features_
        self.char_vocabulary_ = None
        if self._uses_chars(kind):
            words = set(itertools.chain.from_iterable(raw))
            self.char_vocabulary_ = Vocabulary.from_corpus(_clip_word(w) for w in words)
        self.shape_vocabulary_ = shape_of = None
        if self._uses_shapes(kind):
            shape_of = _token_shapes(raw)  # reused for the dataset's shape ids below
            shapes = [shape_of[t] for t in itertools.chain.from_iterable(raw)]
            self.shape_vocabulary_ = Vocabulary.from_corpus([shapes], min_freq=2)
        self.rare_ids_ = None
        if kind != v.NUMERIC:
            counts = np.bincount(sequences.values.numpy(), minlength=self.encoder_.n_ids_)
            self.rare_ids_ = torch.from_numpy(counts == 1)

        known = np.concatenate(labels) if classes is None else np.asarray(classes)
        self.label_encoder_ = LabelEncoder().fit(known)
        self.classes_ = self.label_encoder_.classes_
        self.n_outputs_ = len(self.classes_)
        targets = self._encode_labels(labels)
        with self._random_context():
            self.initialize()
        return self._make_dataset(raw, kind, sequences, targets, shape_of)

    def _transform_dataset(self, X, y) -> SequenceDataset:
        raw, kind = self._validate_X(X)
        labels = None if y is None else self._validate_y(y, raw)
        raw, labels = self._truncate(raw, labels)
        sequences = self.encoder_.transform(raw, kind)
        targets = None if labels is None else self._encode_labels(labels)
        return self._make_dataset(raw, kind, sequences, targets)

    # -- skorch extension points --------------------------------------------------------

    def _build_module(self, data_kwargs: dict, kwargs: dict) -> torch.nn.Module:
        chars, shapes = self.char_vocabulary_, self.shape_vocabulary_
        module = TaggerModel(
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
        self._set_pretrained_embeddings(module.input_layer.embedding)
        return module

    def initialize_module(self):
        super().initialize_module()
        if self.crf and getattr(self.module_, "crf", None) is None:
            raise ValueError(
                "crf=True needs a module with a LinearChainCRF as its 'crf' attribute; the "
                f"given module {type(self.module_).__name__} has none."
            )
        if self.module is not None:
            self._check_module_accepts_features()
        return self

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

    def initialize_criterion(self):
        self.criterion_ = torch.nn.CrossEntropyLoss(ignore_index=IGNORE_INDEX)
        return self

    def get_loss(self, y_pred, y_true, X=None, training=False):
        # y_pred: (B, T, C) emissions; y_true: (B, T) tag ids, IGNORE_INDEX past each end.
        y_true = to_tensor(y_true, device=self.device)
        crf = getattr(self.module_, "crf", None)
        if crf is not None:
            mask = y_true != IGNORE_INDEX  # (B, T)
            # Summed sequence NLL per real step: on the scale of the cross-entropy, so the
            # same lr and clip_grad_norm suit both.
            return crf(y_pred, y_true, mask).sum() / mask.sum()
        return self.criterion_(y_pred.reshape(-1, y_pred.shape[-1]), y_true.reshape(-1))

    def _metric_callbacks(self):
        return [("valid_acc", ValidAccuracy())] if self.early_stopping else []

    # -- prediction ---------------------------------------------------------------------

    def _per_step(self, X, output: str) -> tuple[torch.Tensor, torch.Tensor]:
        """One row per real step of ``X``, concatenated in the caller's order.

        ``output`` is ``"proba"`` (``(N, n_classes)`` float64) or ``"labels"`` (``(N,)``
        tag ids). Returns the rows and each sequence's length.
        """
        check_is_fitted(self)
        dataset = self._transform_dataset(X, None)
        sequences = dataset.sequences
        iterator = BatchIterator(dataset, self.batch_size, shuffle=False)
        total = int(sequences.lengths.sum())
        shape = (total, self.n_outputs_) if output == "proba" else (total,)
        rows = torch.empty(shape, dtype=torch.float64 if output == "proba" else torch.int64)
        crf = getattr(self.module_, "crf", None)
        self._set_training(False)
        start = 0
        for batch_X, _ in iterator:
            lengths = batch_X["lengths"]
            indices = iterator.order[start : start + len(lengths)]
            start += len(lengths)
            with torch.no_grad():
                emissions = self.infer(batch_X).double()  # (B, T, C)
            mask = step_mask(lengths.to(emissions.device), emissions.shape[1])  # (B, T)
            if output == "labels":
                out = crf.decode(emissions, mask) if crf is not None else emissions.argmax(2)
            elif crf is not None:
                out = _crf_marginals(crf, emissions, mask)  # (B, T, C)
            else:
                out = torch.softmax(emissions, dim=2)  # (B, T, C)
            mask = mask.cpu()
            positions = sequences.offsets[indices][:, None] + torch.arange(mask.shape[1])  # (B, T)
            rows[positions[mask]] = out.cpu()[mask]
        return rows, sequences.lengths

    def predict_proba(self, X) -> list[np.ndarray]:
        """Per-step tag probabilities, columns ordered as ``classes_``.

        Without a CRF each step's softmax; with ``crf=True`` the CRF's marginal
        probability of each tag at each step (forward-backward), whose argmax may
        differ from the best path that :meth:`predict` returns.

        Parameters
        ----------
        X : sequences
            The same kind of input as in ``fit``: token lists or numeric series.

        Returns
        -------
        list of ndarray of shape (T_i, n_classes)
            One array per sequence, as long as the sequence.
        """
        rows, lengths = self._per_step(X, "proba")
        return np.split(rows.numpy(), np.cumsum(lengths.numpy())[:-1])

    def predict(self, X) -> list[list]:
        """The most probable tag of each step (the best path with ``crf=True``).

        Parameters
        ----------
        X : sequences
            The same kind of input as in ``fit``: token lists or numeric series.

        Returns
        -------
        list of list
            One list of tags per sequence, as long as the sequence (``max_len`` does
            not apply to prediction).
        """
        rows, lengths = self._per_step(X, "labels")
        labels = self.classes_[rows.numpy()].tolist()
        ends = np.cumsum(lengths.numpy()).tolist()
        return [labels[end - n : end] for end, n in zip(ends, lengths.tolist(), strict=True)]

    def score(self, X, y, sample_weight=None) -> float:
        """Token accuracy: the share of all steps whose tag is predicted correctly.

        Parameters
        ----------
        X : sequences
            Token lists or numeric series.
        y : list of label lists
            The true tags, one list per sequence and as long as it.
        sample_weight : None
            Not supported; present for scikit-learn's signature.

        Returns
        -------
        float
            Correct tags over all tags. Tags never seen in ``fit`` raise a ``ValueError``
            (use :func:`sklearn_rnn.metrics.token_accuracy` to count them as errors).
        """
        check_is_fitted(self)
        if sample_weight is not None:
            raise ValueError("RNNTagger.score does not support sample_weight.")
        raw, _ = self._validate_X(X)
        labels = self._validate_y(y, raw)
        unseen = np.setdiff1d(np.unique(np.concatenate(labels)), self.classes_)
        if len(unseen):
            raise ValueError(
                f"y contains labels not seen in fit: {unseen.tolist()[:5]}; the tags are "
                f"{self.classes_.tolist()}. To count them as errors instead, use "
                "sklearn_rnn.metrics.token_accuracy(y, tagger.predict(X))."
            )
        return token_accuracy(labels, self.predict(raw))

    def _summary_batch(self) -> dict:
        if self.char_vocabulary_ is None and self.shape_vocabulary_ is None:
            return super()._summary_batch()
        # The example batch needs the characters and shapes of its words too.
        batch, _ = self._transform_dataset([["a", "b", "c"]], None).batch(torch.tensor([0]))
        return to_tensor(batch, device=self.device)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.estimator_type = None
        tags.target_tags.required = True
        return tags


class TaggingDataset(SequenceDataset):
    """A :class:`SequenceDataset` whose batches also carry word characters and shapes.

    With character features every step has a word-form id; a batch holds the
    characters of its distinct forms once (``chars``, ``char_lengths``) and, per step,
    the row of its form (``char_index``), so the character encoder runs once per
    distinct word. With the shape feature a batch carries each step's shape id
    (``shapes``, 0 past each end).

    Examples
    --------
    >>> words = EncodedSequences.from_arrays([np.array([2, 3]), np.array([2])])  # word ids
    >>> forms = EncodedSequences.from_arrays([np.array([1, 2]), np.array([1])])  # form ids
    >>> chars = torch.tensor([[0, 0], [4, 5], [6, 0]])  # characters of forms 0 (padding), 1, 2
    >>> shapes = EncodedSequences.from_arrays([np.array([2, 3]), np.array([2])])  # shape ids
    >>> dataset = TaggingDataset(words, None, forms, chars, torch.tensor([1, 2, 1]), shapes)
    >>> X, y = dataset.batch(torch.tensor([0, 1]))
    >>> X["char_index"].tolist(), X["chars"].shape  # 3 distinct forms as (B=2, k=2) rows
    ([[1, 2], [1, 0]], torch.Size([2, 2, 2]))
    >>> X["shapes"].tolist()
    [[2, 3], [2, 0]]
    """

    def __init__(
        self,
        sequences: EncodedSequences,
        targets,
        forms: EncodedSequences | None = None,
        chars: torch.Tensor | None = None,
        char_lengths: torch.Tensor | None = None,
        shapes: EncodedSequences | None = None,
    ):
        super().__init__(sequences, targets)
        self.forms = forms
        self.chars = chars
        self.char_lengths = char_lengths
        self.shapes = shapes

    def batch(self, indices: torch.Tensor):
        X, y = super().batch(indices)
        if self.forms is not None:
            X.update(self._char_batch(indices))
        if self.shapes is not None:
            X["shapes"] = pad_batch(self.shapes, indices)  # (B, T)
        return X, y

    def _char_batch(self, indices: torch.Tensor) -> dict:
        forms = pad_batch(self.forms, indices)  # (B, T); 0 past each end
        unique, char_index = torch.unique(forms, return_inverse=True)  # (U,), (B, T)
        # skorch counts a batch by the first dimension of each entry, so the U distinct
        # words are laid out as (B, k) rows, the last ones filled with the padding form 0.
        batch = len(indices)
        per_row = -(-len(unique) // batch)
        unique = torch.cat([unique, unique.new_zeros(batch * per_row - len(unique))])
        char_lengths = self.char_lengths[unique]  # (B * k,)
        chars = self.chars[unique, : int(char_lengths.max())]  # (B * k, L)
        return {
            "chars": chars.reshape(batch, per_row, -1),  # (B, k, L)
            "char_lengths": char_lengths.reshape(batch, per_row),  # (B, k)
            "char_index": char_index,  # (B, T), rows of the flattened chars
        }

    def subset(self, indices) -> TaggingDataset:
        indices = torch.as_tensor(indices, dtype=torch.int64)
        base = super().subset(indices)
        forms = None if self.forms is None else self.forms.select(indices)
        shapes = None if self.shapes is None else self.shapes.select(indices)
        return TaggingDataset(
            base.sequences, base.targets, forms, self.chars, self.char_lengths, shapes
        )


def _label_family(label_type: type) -> str:
    if issubclass(label_type, (str, np.str_)):
        return "str"
    if issubclass(label_type, (bool, np.bool_)):
        return "bool"
    return "number"


def _token_shapes(token_lists: list[list[str]]) -> dict[str, str]:
    """The shape of each distinct token (computed once per token, not per step)."""
    return {token: word_shape(token) for token in set(itertools.chain.from_iterable(token_lists))}


def _clip_word(word: str) -> str:
    if len(word) <= MAX_WORD_CHARS:
        return word
    half = MAX_WORD_CHARS // 2
    return word[:half] + word[-half:]


def _crf_marginals(crf, emissions: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """``(B, T, C)`` marginal tag probabilities: the gradient of ``log Z`` w.r.t. the emissions.

    Backpropagating through the forward algorithm is the backward algorithm, so this is
    exact forward-backward; padded steps get zeros.
    """
    with torch.enable_grad():
        emissions = emissions.detach().requires_grad_(True)  # (B, T, C)
        log_z = crf.log_partition(emissions, mask)  # (B,)
        (marginals,) = torch.autograd.grad(log_z.sum(), emissions)
    return marginals
