"""The sequence encoder, torch-free: user input -> flat numpy arrays.

:class:`ArrayEncoder` does all of the estimators' encoding of ``X`` (input kinds,
tokenizing, the vocabulary, id shifting, standardization, the token features) and
returns :class:`EncodedArrays`; the estimators' ``SequenceEncoder``
(``sklearn_rnn._base._sequence_encoder``) only wraps those arrays in torch tensors. The
served models (:mod:`sklearn_rnn.serving`) encode their input with this same code,
without torch.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from sklearn_rnn.encoding import _validation as v
from sklearn_rnn.encoding._spelling import (
    char_vocabulary,
    shape_vocabulary,
    token_feature_arrays,
    token_shapes,
)
from sklearn_rnn.encoding._tokenizers import resolve_tokenizer
from sklearn_rnn.encoding._vocabulary import UNK_ID, Vocabulary

__all__ = ["ArrayEncoder", "EncodedArrays"]


@dataclass
class EncodedArrays:
    """A ragged batch as flat arrays: every step of every sequence, and the lengths.

    Attributes
    ----------
    values : ndarray
        ``(total_steps,)`` int64 ids or ``(total_steps, n_features)`` float32 values.
    lengths : ndarray
        ``(n_sequences,)`` int64.
    features : dict of str to ndarray
        The token features of :func:`~sklearn_rnn.encoding._spelling.token_feature_arrays`
        (``forms``, ``chars``, ``char_lengths``, ``shapes``), when the encoder makes them.
    """

    values: np.ndarray
    lengths: np.ndarray
    features: dict[str, np.ndarray] = field(default_factory=dict)

    @classmethod
    def from_arrays(cls, arrays: list[np.ndarray]) -> EncodedArrays:
        """Concatenate a list of per-sequence arrays."""
        lengths = np.fromiter((len(a) for a in arrays), dtype=np.int64, count=len(arrays))
        return cls(np.concatenate(arrays), lengths)


class ArrayEncoder:
    """Turn sequences as users hold them into flat arrays of ids or values (no torch).

    The kind of input is detected once in :meth:`fit` and held to in :meth:`encode`:
    text becomes token ids through a vocabulary learned in ``fit`` (unknown tokens at
    encode time map to the unknown id 1; 0 is padding), id lists are shifted past the
    padding and unknown ids, and numeric steps are standardized per feature with
    statistics learned in ``fit``. Token lists can also carry each token's characters
    and shape, read from the tokens as given, before lowercasing. This is the encoder
    the estimators use for ``X``, and the served models too.

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
    >>> enc = ArrayEncoder()
    >>> enc.fit_encode(["a good film", "a bad one"]).values.tolist()
    [2, 5, 4, 2, 3, 6]
    >>> encoded = enc.encode(["a good one", "unseen"])
    >>> encoded.values.tolist(), encoded.lengths.tolist()
    ([2, 5, 6, 1], [3, 1])
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

    def fit(self, X) -> ArrayEncoder:
        """Learn the input kind and the vocabulary or scaling statistics of ``X``.

        Parameters
        ----------
        X : sequence of str, sequence of sequences, array-like or DataFrame
            Texts, token lists, id lists, or numeric sequences (a 2D or 3D array, a
            ragged list of arrays, pandas).

        Returns
        -------
        self : ArrayEncoder
            The fitted encoder.
        """
        self.fit_encode(X)
        return self

    def fit_encode(self, X) -> EncodedArrays:
        """Fit to ``X`` and return it encoded.

        Parameters
        ----------
        X : sequence of str, sequence of sequences, array-like or DataFrame
            The input, as for :meth:`fit`.

        Returns
        -------
        encoded : EncodedArrays
            Every step of every sequence (``values``), each sequence's length
            (``lengths``) and the token features (``features``), as numpy arrays.
        """
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

    def encode(self, X) -> EncodedArrays:
        """Encode ``X`` with what was learned in :meth:`fit`.

        Parameters
        ----------
        X : sequence of str, sequence of sequences, array-like or DataFrame
            Input of the kind seen in :meth:`fit`.

        Returns
        -------
        encoded : EncodedArrays
            Every step of every sequence (``values``), each sequence's length
            (``lengths``) and the token features (``features``), as numpy arrays.

        Raises
        ------
        ValueError
            If ``X`` is malformed or of another kind than in :meth:`fit`.
        """
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
            tokenize = resolve_tokenizer(self.tokenizer)
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

    def _encode_ids(self, ids: np.ndarray, lengths: np.ndarray) -> EncodedArrays:
        # Shift past the padding and unknown ids; ids beyond those seen in fit are unknown.
        ids = ids + (UNK_ID + 1)
        ids[ids >= self.n_ids_] = UNK_ID
        return EncodedArrays(ids, lengths)

    def _encode(
        self, sequences: list, written: list | None, shape_of: dict | None = None
    ) -> EncodedArrays:
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
        encoded = EncodedArrays.from_arrays(arrays)
        if self.mean_ is not None:
            encoded.values = (encoded.values - self.mean_) / self.scale_  # float32
        if written is not None and (self.char_vocabulary_ or self.shape_vocabulary_):
            encoded.features = token_feature_arrays(
                written, self.char_vocabulary_, self.shape_vocabulary_, shape_of
            )
        return encoded


def _checked(X) -> v.CheckedSequences:
    return X if isinstance(X, v.CheckedSequences) else v.check_sequences(X)
