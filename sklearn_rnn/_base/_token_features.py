"""Word features from a token's spelling, encoded for the network: :class:`TokenFeatures`.

The features themselves (a token's characters and its shape, their vocabularies) are
computed by the torch-free :mod:`sklearn_rnn.encoding._spelling`, whose functions are importable
from here as well. :class:`~sklearn_rnn._base._sequence_encoder.SequenceEncoder` learns their
vocabularies in ``fit`` and encodes them with the word ids.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from sklearn_rnn._base._encoded_sequences import EncodedSequences
from sklearn_rnn.encoding._spelling import (
    MAX_WORD_CHARS,
    char_vocabulary,
    clip_word,
    shape_vocabulary,
    token_feature_arrays,
    token_shapes,
    word_shape,
)
from sklearn_rnn.encoding._vocabulary import Vocabulary

__all__ = [
    "MAX_WORD_CHARS",
    "TokenFeatures",
    "char_vocabulary",
    "clip_word",
    "shape_vocabulary",
    "token_shapes",
    "word_shape",
]


@dataclass
class TokenFeatures:
    """The characters and shapes of every step's token, aligned with the word ids.

    Attributes
    ----------
    forms : EncodedSequences or None
        Each step's word-form id (0 is padding): the row of ``chars`` holding its
        characters. None without character features.
    chars : torch.Tensor or None
        ``(U + 1, L)`` character ids of each distinct word form, padded with 0.
    char_lengths : torch.Tensor or None
        ``(U + 1,)`` the number of characters of each form (1 for the padding form).
    shapes : EncodedSequences or None
        Each step's word-shape id. None without the shape feature.

    Examples
    --------
    >>> chars, shapes = Vocabulary(list("abc")), Vocabulary(["xx"])
    >>> features = TokenFeatures.encode([["ab", "c"], ["ab"]], chars, shapes)
    >>> features.forms.values.tolist(), features.chars.tolist()
    ([1, 2, 1], [[0, 0], [2, 3], [4, 0]])
    >>> features.shapes.values.tolist()  # "c" has shape "x", unseen: the unknown shape
    [2, 1, 2]
    """

    forms: EncodedSequences | None
    chars: torch.Tensor | None
    char_lengths: torch.Tensor | None
    shapes: EncodedSequences | None

    @classmethod
    def encode(
        cls,
        token_lists: list[list[str]],
        char_vocabulary: Vocabulary | None,
        shape_vocabulary: Vocabulary | None,
        shape_of: dict[str, str] | None = None,
    ) -> TokenFeatures:
        """Encode the tokens as given (case kept); ``shape_of`` may hold known shapes."""
        arrays = token_feature_arrays(token_lists, char_vocabulary, shape_vocabulary, shape_of)
        lengths = np.fromiter(map(len, token_lists), dtype=np.int64, count=len(token_lists))
        return cls.from_arrays(arrays, lengths)

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], lengths: np.ndarray) -> TokenFeatures:
        """Wrap the arrays of :func:`~sklearn_rnn.encoding._spelling.token_feature_arrays`."""
        forms = chars = char_lengths = shapes = None
        if "forms" in arrays:
            forms = EncodedSequences.from_flat(arrays["forms"], lengths)
            chars = torch.from_numpy(arrays["chars"])
            char_lengths = torch.from_numpy(arrays["char_lengths"])
        if "shapes" in arrays:
            shapes = EncodedSequences.from_flat(arrays["shapes"], lengths)
        return cls(forms, chars, char_lengths, shapes)

    def select(self, indices) -> TokenFeatures:
        """The features of the sequences at ``indices`` (the character table is shared)."""
        forms = None if self.forms is None else self.forms.select(indices)
        shapes = None if self.shapes is None else self.shapes.select(indices)
        return TokenFeatures(forms, self.chars, self.char_lengths, shapes)
