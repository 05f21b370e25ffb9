"""The two data types the library passes around: a vocabulary and ragged sequences.

:class:`Vocabulary` maps tokens to integer ids (0 is padding, 1 the unknown token; it
lives in the torch-free :mod:`sklearn_rnn.encoding._vocabulary`); :class:`EncodedSequences` holds
a ragged batch of sequences without padding: every step of every sequence concatenated
into one tensor, plus each sequence's length.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import torch

# Defined torch-free in sklearn_rnn.encoding._vocabulary; importable from here as before.
from sklearn_rnn.encoding._vocabulary import PAD_ID, PAD_TOKEN, UNK_ID, UNK_TOKEN, Vocabulary

if TYPE_CHECKING:
    from sklearn_rnn._base._token_features import TokenFeatures

__all__ = ["PAD_ID", "PAD_TOKEN", "UNK_ID", "UNK_TOKEN", "EncodedSequences", "Vocabulary"]


@dataclass
class EncodedSequences:
    """A ragged batch of sequences stored without padding.

    Attributes
    ----------
    values : torch.Tensor
        All steps of all sequences, concatenated: ``(total_steps,)`` int64 ids or
        ``(total_steps, n_features)`` float32 values.
    lengths : torch.Tensor
        ``(n_sequences,)`` int64, the length of each sequence.
    offsets : torch.Tensor
        ``(n_sequences,)`` int64, where each sequence starts in ``values``.
    features : TokenFeatures or None
        The characters and shapes of each step's token, when the encoder makes them.

    Examples
    --------
    >>> seqs = EncodedSequences.from_arrays([np.array([2, 3, 4]), np.array([5])])
    >>> seqs.values.tolist(), seqs.lengths.tolist(), seqs.offsets.tolist()
    ([2, 3, 4, 5], [3, 1], [0, 3])
    >>> [s.tolist() for s in seqs.select([1, 0]).split()]
    [[5], [2, 3, 4]]
    """

    values: torch.Tensor
    lengths: torch.Tensor
    offsets: torch.Tensor
    features: TokenFeatures | None = None

    @classmethod
    def from_arrays(cls, arrays: Sequence[np.ndarray]) -> EncodedSequences:
        """Concatenate a list of per-sequence arrays."""
        lengths = np.fromiter((len(a) for a in arrays), dtype=np.int64, count=len(arrays))
        return cls.from_flat(np.concatenate(arrays), lengths)

    @classmethod
    def from_flat(cls, values: np.ndarray, lengths: np.ndarray) -> EncodedSequences:
        """Wrap steps already concatenated, sequence after sequence, and their lengths."""
        offsets = np.zeros_like(lengths)
        np.cumsum(lengths[:-1], out=offsets[1:])
        values = torch.from_numpy(np.ascontiguousarray(values))
        return cls(values, torch.from_numpy(lengths), torch.from_numpy(offsets))

    def __len__(self) -> int:
        return len(self.lengths)

    def select(self, indices) -> EncodedSequences:
        """Return the sequences at ``indices``, as a new compact ragged batch."""
        indices = torch.as_tensor(indices, dtype=torch.int64)
        lengths = self.lengths[indices]
        starts = self.offsets[indices]
        # Step positions of the selected sequences, computed without a Python loop.
        seq_of_step = torch.repeat_interleave(torch.arange(len(indices)), lengths)
        new_offsets = torch.zeros_like(lengths)
        new_offsets[1:] = torch.cumsum(lengths, 0)[:-1]
        within = torch.arange(int(lengths.sum())) - new_offsets[seq_of_step]
        values = self.values[starts[seq_of_step] + within]
        features = None if self.features is None else self.features.select(indices)
        return EncodedSequences(values, lengths, new_offsets, features)

    def split(self) -> list[torch.Tensor]:
        """Return one tensor per sequence (views into ``values``)."""
        return list(torch.split(self.values, self.lengths.tolist()))
