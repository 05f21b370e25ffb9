"""From user input to model input: tokenizers and the sequence encoder.

The encoder turns any accepted ``X`` (strings, token lists, id lists, 2D/3D
arrays, ragged arrays, pandas) into :class:`EncodedSequences`: every step of
every sequence concatenated into one tensor, plus each sequence's length. No
padding is stored; batches are padded on the fly (see :mod:`sklearn_rnn._base._batches`).
The work is done torch-free by :class:`~sklearn_rnn.encoding.ArrayEncoder`
(which the served models share); this module adds the tensors.
"""

from __future__ import annotations

from sklearn_rnn._base._encoded_sequences import EncodedSequences
from sklearn_rnn._base._token_features import TokenFeatures
from sklearn_rnn.encoding._array_encoder import ArrayEncoder, EncodedArrays
from sklearn_rnn.encoding._spelling import word_shape
from sklearn_rnn.encoding._tokenizers import (
    TOKENIZERS,
    char_tokenize,
    whitespace_tokenize,
    word_tokenize,
)
from sklearn_rnn.encoding._vocabulary import PAD_ID, PAD_TOKEN, UNK_ID, UNK_TOKEN, Vocabulary

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


class SequenceEncoder(ArrayEncoder):
    """Turn sequences as users hold them into :class:`EncodedSequences`.

    The kind of input is detected once in :meth:`fit` and held to in
    :meth:`transform`: text becomes token ids through a vocabulary learned in
    ``fit`` (unknown tokens at transform time map to the unknown id), id lists
    are shifted past the padding and unknown ids, and numeric steps are
    standardized per feature with statistics learned in ``fit``. Token lists can
    also carry each token's characters and shape (see
    :mod:`sklearn_rnn._base._token_features`), read from the tokens as given, before
    lowercasing.

    Every method takes user input, or input already validated by
    :func:`sklearn_rnn.encoding._validation.check_sequences`, which is not checked again.

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

    def fit_transform(self, X) -> EncodedSequences:
        """Fit to ``X`` and return it encoded."""
        return _as_tensors(self.fit_encode(X))

    def transform(self, X) -> EncodedSequences:
        """Encode ``X`` with what was learned in :meth:`fit`."""
        return _as_tensors(self.encode(X))


def _as_tensors(encoded: EncodedArrays) -> EncodedSequences:
    sequences = EncodedSequences.from_flat(encoded.values, encoded.lengths)
    if encoded.features:
        sequences.features = TokenFeatures.from_arrays(encoded.features, encoded.lengths)
    return sequences
