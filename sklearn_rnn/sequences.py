"""The two data types the library passes around: a vocabulary and ragged sequences.

:class:`Vocabulary` maps tokens to integer ids (0 is padding, 1 the unknown token);
:class:`EncodedSequences` holds a ragged batch of sequences without padding: every step
of every sequence concatenated into one tensor, plus each sequence's length.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import torch

if TYPE_CHECKING:
    from sklearn_rnn.token_features import TokenFeatures

PAD_ID = 0
UNK_ID = 1
PAD_TOKEN = "<pad>"
UNK_TOKEN = "<unk>"


class Vocabulary:
    """A mapping between tokens and integer ids, with padding (0) and unknown (1).

    Parameters
    ----------
    tokens : sequence of str
        The known tokens, most frequent first; they get ids 2, 3, ...

    Examples
    --------
    >>> vocab = Vocabulary.from_corpus([["a", "b", "a"]], min_freq=1)
    >>> vocab.encode(["a", "zzz"]).tolist()
    [2, 1]
    >>> len(vocab)
    4
    """

    def __init__(self, tokens: Sequence[str]):
        self.tokens = [PAD_TOKEN, UNK_TOKEN, *tokens]
        self.index = {token: i for i, token in enumerate(self.tokens)}
        if len(self.index) != len(self.tokens):
            raise ValueError("Vocabulary tokens must be unique.")

    @classmethod
    def from_corpus(
        cls,
        token_lists: Iterable[Sequence[str]],
        min_freq: int = 1,
        max_size: int | None = None,
    ) -> Vocabulary:
        """Build the vocabulary of the tokens seen at least ``min_freq`` times.

        Ties in frequency are broken alphabetically so the ids are reproducible.
        """
        counts = Counter()
        for tokens in token_lists:
            counts.update(tokens)
        counts.pop(PAD_TOKEN, None)
        counts.pop(UNK_TOKEN, None)
        kept = sorted(
            (t for t, c in counts.items() if c >= min_freq), key=lambda t: (-counts[t], t)
        )
        if max_size is not None:
            kept = kept[:max_size]
        return cls(kept)

    def __len__(self) -> int:
        return len(self.tokens)

    def encode(self, tokens: Sequence[str]) -> np.ndarray:
        """Return the ids of ``tokens`` (unknown tokens map to 1)."""
        index = self.index
        return np.fromiter(
            (index.get(t, UNK_ID) for t in tokens), dtype=np.int64, count=len(tokens)
        )


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
