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
    """Turn sequences as users hold them into :class:`EncodedSequences` (torch tensors).

    :class:`~sklearn_rnn.encoding.ArrayEncoder` does the work and documents the
    parameters, the fitted attributes and the input kinds; this class only wraps its
    arrays in tensors (token features as :mod:`sklearn_rnn._base._token_features`).

    Every method takes user input, or input already validated by
    :func:`sklearn_rnn.encoding._validation.check_sequences`, which is not checked again.

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
