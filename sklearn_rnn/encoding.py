"""From user input to model input: tokenizers and the sequence encoder.

The encoder turns any accepted ``X`` (strings, token lists, id lists, 2D/3D
arrays, ragged arrays, pandas) into :class:`EncodedSequences`: every step of
every sequence concatenated into one tensor, plus each sequence's length. No
padding is stored; batches are padded on the fly (see :mod:`sklearn_rnn.data`).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import torch

from sklearn_rnn import _validation as v
from sklearn_rnn.sequences import (
    PAD_ID,
    PAD_TOKEN,
    UNK_ID,
    UNK_TOKEN,
    EncodedSequences,
    Vocabulary,
)
from sklearn_rnn.token_features import (
    TokenFeatures,
    char_vocabulary,
    shape_vocabulary,
    token_shapes,
    word_shape,
)

__all__ = [
    "PAD_ID",
    "PAD_TOKEN",
    "TOKENIZERS",
    "UNK_ID",
    "UNK_TOKEN",
    "EncodedSequences",
    "SequenceEncoder",
    "Vocabulary",
    "char_tokenize",
    "whitespace_tokenize",
    "word_shape",
    "word_tokenize",
]

_WORD_PATTERN = re.compile(r"\w+|[^\w\s]", re.UNICODE)


def word_tokenize(text: str) -> list[str]:
    """Split ``text`` into words and punctuation marks.

    Examples
    --------
    >>> word_tokenize("A great film, really!")
    ['A', 'great', 'film', ',', 'really', '!']
    """
    return _WORD_PATTERN.findall(text)


def char_tokenize(text: str) -> list[str]:
    """Split ``text`` into characters.

    Examples
    --------
    >>> char_tokenize("abc")
    ['a', 'b', 'c']
    """
    return list(text)


def whitespace_tokenize(text: str) -> list[str]:
    """Split ``text`` on whitespace (for already tokenized corpora).

    Examples
    --------
    >>> whitespace_tokenize("it 's good")
    ['it', "'s", 'good']
    """
    return text.split()


TOKENIZERS: dict[str, Callable[[str], list[str]]] = {
    "word": word_tokenize,
    "char": char_tokenize,
    "whitespace": whitespace_tokenize,
}


class SequenceEncoder:
    """Turn sequences as users hold them into :class:`EncodedSequences`.

    The kind of input is detected once in :meth:`fit` and held to in
    :meth:`transform`: text becomes token ids through a vocabulary learned in
    ``fit`` (unknown tokens at transform time map to the unknown id), id lists
    are shifted past the padding and unknown ids, and numeric steps are
    standardized per feature with statistics learned in ``fit``. Token lists can
    also carry each token's characters and shape (see
    :mod:`sklearn_rnn.token_features`), read from the tokens as given, before
    lowercasing.

    Every method takes user input, or input already validated by
    :func:`sklearn_rnn._validation.check_sequences`, which is not checked again.

    Parameters
    ----------
    tokenizer : {"word", "char", "whitespace"} or callable, default="word"
        How strings are split into tokens.
    lowercase : bool, default=True
        Lowercase strings and tokens before the vocabulary lookup.
    max_vocab : int or None, default=None
        Keep only the ``max_vocab`` most frequent tokens.
    min_freq : int, default=1
        Keep only tokens seen at least ``min_freq`` times in ``fit``.
    max_len : int or None, default=None
        Keep only the first ``max_len`` steps of each sequence.
    standardize : bool, default=True
        Standardize numeric features with the mean and standard deviation seen in ``fit``.
    char_features : bool, default=False
        Token lists only: encode each token's characters too.
    shape_features : bool, default=False
        Token lists only: encode each token's shape too; shapes seen once in ``fit``
        share the unknown shape.

    Attributes
    ----------
    kind_ : str
        The input kind seen in fit: ``"text"``, ``"tokens"``, ``"ids"``, ``"table"`` or
        ``"numeric"``.
    vocabulary_ : Vocabulary or None
        The vocabulary (text and token inputs).
    n_ids_ : int or None
        The number of distinct ids the model's embedding must hold.
    n_features_ : int or None
        The number of features per step (numeric inputs).
    mean_, scale_ : ndarray or None
        Per-feature standardization statistics (numeric inputs).
    char_vocabulary_, shape_vocabulary_ : Vocabulary or None
        The characters and the word shapes seen in ``fit`` (token features).

    Examples
    --------
    >>> enc = SequenceEncoder().fit(["a good film", "a bad one"])
    >>> enc.transform(["a good one", "unseen"]).lengths.tolist()
    [3, 1]
    >>> enc = SequenceEncoder(shape_features=True).fit([["Rome", "is", "in", "Oslo"]])
    >>> enc.transform([["Nice"]]).features.shapes.values.tolist()  # Xxxx, seen twice in fit
    [2]
    """

    def __init__(
        self,
        tokenizer: str | Callable[[str], list[str]] = "word",
        lowercase: bool = True,
        max_vocab: int | None = None,
        min_freq: int = 1,
        max_len: int | None = None,
        standardize: bool = True,
        char_features: bool = False,
        shape_features: bool = False,
    ):
        self.tokenizer = tokenizer
        self.lowercase = lowercase
        self.max_vocab = max_vocab
        self.min_freq = min_freq
        self.max_len = max_len
        self.standardize = standardize
        self.char_features = char_features
        self.shape_features = shape_features

    # -- public API -------------------------------------------------------------

    def fit(self, X) -> SequenceEncoder:
        """Learn the input kind and the vocabulary or scaling statistics of ``X``."""
        self.fit_transform(X)
        return self

    def fit_transform(self, X) -> EncodedSequences:
        """Fit to ``X`` and return it encoded."""
        X = _checked(X)
        self.kind_ = X.kind
        self.vocabulary_ = self.n_ids_ = self.n_features_ = None
        self.mean_ = self.scale_ = None
        self.char_vocabulary_ = self.shape_vocabulary_ = None
        if X.kind == v.IDS:
            ids, lengths = self._flat_ids(X.data)
            self.n_ids_ = int(ids.max()) + 1 + UNK_ID + 1  # + pad, unk
            return self._encode_ids(ids, lengths)
        sequences, written = self._as_sequences(X)
        shape_of = None
        if X.kind in (v.TEXT, v.TOKENS):
            self.vocabulary_ = Vocabulary.from_corpus(sequences, self.min_freq, self.max_vocab)
            self.n_ids_ = len(self.vocabulary_)
        else:
            self.n_features_ = sequences[0].shape[1]
            if self.standardize:
                steps = np.concatenate(sequences)
                self.mean_ = steps.mean(axis=0, dtype=np.float64).astype(np.float32)
                scale = steps.std(axis=0, dtype=np.float64)
                # Constant features keep their values centred rather than divide by zero.
                self.scale_ = np.where(scale > 1e-12, scale, 1.0).astype(np.float32)
        if written is not None:
            if self.char_features:
                self.char_vocabulary_ = char_vocabulary(written)
            if self.shape_features:
                shape_of = token_shapes(written)  # reused for the encoding below
                self.shape_vocabulary_ = shape_vocabulary(shape_of, written)
        return self._encode(sequences, written, shape_of)

    def transform(self, X) -> EncodedSequences:
        """Encode ``X`` with what was learned in :meth:`fit`."""
        X = _checked(X)
        self._check_same_kind(X.kind)
        if X.kind == v.IDS:
            return self._encode_ids(*self._flat_ids(X.data))
        return self._encode(*self._as_sequences(X))

    # -- internals --------------------------------------------------------------

    def _check_same_kind(self, kind: str) -> None:
        compatible = {
            self.kind_,
            *((v.TABLE, v.NUMERIC) if self.kind_ in (v.TABLE, v.NUMERIC) else ()),
        }
        if kind not in compatible:
            raise ValueError(
                f"X holds {kind} sequences, but the estimator was fitted on {self.kind_} "
                "sequences; pass the same kind of input as in fit."
            )

    def _cut(self, sequences: list) -> list:
        if self.max_len is None:
            return sequences
        return [seq[: self.max_len] for seq in sequences]

    def _as_sequences(self, X: v.CheckedSequences) -> tuple[list, list | None]:
        """Per-sequence token lists (lowercased as asked) or float arrays, cut to max_len.

        The second item is the token lists as written (cut, not lowercased), which the
        character and shape features read; None for other kinds of input.
        """
        if X.kind == v.TOKENS:
            written = self._cut(X.data)
            if not self.lowercase:
                return written, written
            return [[t.lower() for t in seq] for seq in written], written
        if X.kind == v.TEXT:
            tokenize = (
                TOKENIZERS[self.tokenizer] if isinstance(self.tokenizer, str) else self.tokenizer
            )
            texts = [t.lower() for t in X.data] if self.lowercase else X.data
            sequences = [list(tokenize(t)) for t in texts]
        elif X.kind == v.TABLE:
            sequences = list(X.data[:, :, None])  # one univariate series per row
        else:
            sequences = X.data
        return self._cut(sequences), None

    def _flat_ids(self, data: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """Id lists kept flat (all ids, lengths), cut to ``max_len``."""
        # Ids stay one flat array from the user's lists to the tensor: no per-sequence arrays.
        ids, lengths = data
        if self.max_len is not None and lengths.max() > self.max_len:
            starts = np.repeat(np.cumsum(lengths) - lengths, lengths)
            ids = ids[np.arange(len(ids)) - starts < self.max_len]
            lengths = np.minimum(lengths, self.max_len)
        return ids, lengths

    def _encode_ids(self, ids: np.ndarray, lengths: np.ndarray) -> EncodedSequences:
        # Shift past the padding and unknown ids; ids beyond those seen in fit are unknown.
        ids = ids + (UNK_ID + 1)
        ids[ids >= self.n_ids_] = UNK_ID
        return EncodedSequences.from_flat(ids, lengths)

    def _encode(
        self, sequences: list, written: list | None, shape_of: dict | None = None
    ) -> EncodedSequences:
        if self.kind_ in (v.TEXT, v.TOKENS):
            # Strings that tokenize to nothing (e.g. "" or only spaces) become one unknown step,
            # so that every sequence has at least one step.
            arrays = [
                self.vocabulary_.encode(seq) if seq else np.array([UNK_ID]) for seq in sequences
            ]
        else:
            n_features = sequences[0].shape[1]
            if n_features != self.n_features_:
                raise ValueError(
                    f"X has {n_features} features per step, but the estimator was fitted with "
                    f"{self.n_features_} features per step."
                )
            arrays = sequences
        encoded = EncodedSequences.from_arrays(arrays)
        if self.mean_ is not None:
            encoded.values = (encoded.values - torch.from_numpy(self.mean_)) / torch.from_numpy(
                self.scale_
            )
        if written is not None and (self.char_vocabulary_ or self.shape_vocabulary_):
            encoded.features = TokenFeatures.encode(
                written, self.char_vocabulary_, self.shape_vocabulary_, shape_of
            )
        return encoded


def _checked(X) -> v.CheckedSequences:
    return X if isinstance(X, v.CheckedSequences) else v.check_sequences(X)
