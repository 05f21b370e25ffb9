"""Batches for training and prediction: a Dataset over ragged sequences, padding per
batch, and batch orders grouped by length.

Sequences live unpadded in :class:`~sklearn_rnn._base._encoded_sequences.EncodedSequences`; a
batch is padded only to its own longest member, with vectorized indexing (no
per-sample Python). Training batches group sequences of similar length so
little padding is computed; prediction batches are sorted by length and the
outputs put back in the caller's order.
"""

from __future__ import annotations

from collections.abc import Iterator

import skorch.dataset
import torch

from sklearn_rnn._base._encoded_sequences import EncodedSequences
from sklearn_rnn._base._sample_weight import SAMPLE_WEIGHT
from sklearn_rnn._base._token_features import TokenFeatures
from sklearn_rnn.encoding._batching import length_sorted_batches

IGNORE_INDEX = -100  # per-step targets at padded positions (torch's cross-entropy default)


def pad_batch(sequences: EncodedSequences, indices: torch.Tensor, fill=0) -> torch.Tensor:
    """Pad the sequences at ``indices`` to their longest member.

    Returns ``(B, T)`` or ``(B, T, F)``; positions past a sequence's end hold ``fill``.

    Examples
    --------
    >>> import numpy as np
    >>> seqs = EncodedSequences.from_arrays([np.array([2, 3, 4]), np.array([5])])
    >>> pad_batch(seqs, torch.tensor([1, 0])).tolist()
    [[5, 0, 0], [2, 3, 4]]
    >>> pad_batch(seqs, torch.tensor([1, 0]), fill=-100).tolist()
    [[5, -100, -100], [2, 3, 4]]
    """
    lengths = sequences.lengths[indices]  # (B,)
    steps = torch.arange(int(lengths.max()))  # (T,)
    positions = sequences.offsets[indices][:, None] + steps[None, :]  # (B, T)
    if int(lengths.min()) == len(steps):  # nothing to pad (one sequence, equal-length series)
        return sequences.values[positions]
    mask = steps[None, :] < lengths[:, None]  # (B, T)
    padded = sequences.values[torch.where(mask, positions, 0)]  # (B, T) or (B, T, F)
    padded[~mask] = fill
    return padded


class SequenceDataset(skorch.dataset.Dataset):
    """Ragged sequences with optional targets, served as padded batches.

    A :class:`skorch.dataset.Dataset`, so skorch's scoring callbacks find the data:
    ``X`` is the dataset itself (the estimators predict on it directly, rows in order)
    and ``y`` the targets as the user gave them.

    Parameters
    ----------
    sequences : EncodedSequences
        The model inputs. When they carry token features (characters and shapes of
        each step's token, the tagger's word features), a batch with characters holds
        the characters of its distinct word forms once (``chars``, ``char_lengths``)
        and, per step, the row of its form (``char_index``), so the character encoder
        runs once per distinct word; with shapes, each step's shape id (``shapes``, 0
        past each end).
    targets : torch.Tensor, EncodedSequences or None
        One target row per sequence (classification/regression), one target per
        step (tagging), or None at prediction time.
    y : ndarray or None, default=None
        The targets in the user's form, one entry per sequence (what skorch's scoring
        callbacks compare predictions with).
    weights : torch.Tensor of shape (n_samples,) or None, default=None
        The training weight of each sequence (:mod:`sklearn_rnn._base._sample_weight`); a batch
        carries its rows as ``"sample_weight"``, which the loss reads and the module
        never sees.

    Examples
    --------
    >>> import numpy as np
    >>> seqs = EncodedSequences.from_arrays([np.array([2, 3]), np.array([4])])
    >>> X, y = SequenceDataset(seqs).batch(torch.tensor([0, 1]))
    >>> X["inputs"].tolist(), X["lengths"].tolist()
    ([[2, 3], [4, 0]], [2, 1])
    >>> forms = EncodedSequences.from_arrays([np.array([1, 2]), np.array([1])])  # form ids
    >>> chars = torch.tensor([[0, 0], [4, 5], [6, 0]])  # characters of forms 0 (padding), 1, 2
    >>> shapes = EncodedSequences.from_arrays([np.array([2, 3]), np.array([2])])  # shape ids
    >>> seqs.features = TokenFeatures(forms, chars, torch.tensor([1, 2, 1]), shapes)
    >>> X, _ = SequenceDataset(seqs).batch(torch.tensor([0, 1]))
    >>> X["char_index"].tolist(), X["chars"].shape  # 3 distinct forms as (B=2, k=2) rows
    ([[1, 2], [1, 0]], torch.Size([2, 2, 2]))
    >>> X["shapes"].tolist()
    [[2, 3], [2, 0]]
    """

    def __init__(self, sequences: EncodedSequences, targets=None, y=None, weights=None):
        # skorch's own __init__ would store and index X and y itself; nothing of it is used.
        self.sequences = sequences
        self.targets = targets
        self._y = y
        self.weights = weights

    def __len__(self) -> int:
        return len(self.sequences)

    @property
    def X(self) -> SequenceDataset:
        return self

    @property
    def y(self):
        return self._y

    @property
    def lengths(self) -> torch.Tensor:
        return self.sequences.lengths

    def batch(self, indices: torch.Tensor):
        """The padded batch ``({"inputs", "lengths", ...}, targets)`` for ``indices``."""
        X = {"inputs": pad_batch(self.sequences, indices), "lengths": self.lengths[indices]}
        features = self.sequences.features
        if features is not None and features.forms is not None:
            X.update(_char_batch(features, indices))
        if features is not None and features.shapes is not None:
            X["shapes"] = pad_batch(features.shapes, indices)  # (B, T)
        if self.weights is not None:
            X[SAMPLE_WEIGHT] = self.weights[indices]  # (B,)
        if self.targets is None:
            y = None
        elif isinstance(self.targets, EncodedSequences):
            y = pad_batch(self.targets, indices, fill=IGNORE_INDEX)
        else:
            y = self.targets[indices]
        return X, y

    def __getitem__(self, index: int):
        return self.batch(torch.tensor([index]))

    def subset(self, indices) -> SequenceDataset:
        """A new dataset holding only the samples at ``indices``."""
        indices = torch.as_tensor(indices, dtype=torch.int64)
        targets = self.targets
        if isinstance(targets, EncodedSequences):
            targets = targets.select(indices)
        elif targets is not None:
            targets = targets[indices]
        y = None if self._y is None else self._y[indices.numpy()]
        weights = None if self.weights is None else self.weights[indices]
        return SequenceDataset(self.sequences.select(indices), targets, y, weights)


def _char_batch(features: TokenFeatures, indices: torch.Tensor) -> dict:
    forms = pad_batch(features.forms, indices)  # (B, T); 0 past each end
    unique, char_index = torch.unique(forms, return_inverse=True)  # (U,), (B, T)
    # skorch counts a batch by the first dimension of each entry, so the U distinct
    # words are laid out as (B, k) rows, the last ones filled with the padding form 0.
    batch = len(indices)
    per_row = -(-len(unique) // batch)
    unique = torch.cat([unique, unique.new_zeros(batch * per_row - len(unique))])
    char_lengths = features.char_lengths[unique]  # (B * k,)
    chars = features.chars[unique, : int(char_lengths.max())]  # (B * k, L)
    return {
        "chars": chars.reshape(batch, per_row, -1),  # (B, k, L)
        "char_lengths": char_lengths.reshape(batch, per_row),  # (B, k)
        "char_index": char_index,  # (B, T), rows of the flattened chars
    }


def length_grouped_batches(
    lengths: torch.Tensor,
    batch_size: int,
    pool_factor: int = 100,
    generator: torch.Generator | None = None,
) -> list[torch.Tensor]:
    """Shuffled batches of indices in which sequences have similar lengths.

    Samples are shuffled, cut into pools of ``pool_factor * batch_size``, each pool
    sorted by length and cut into batches, and the batches shuffled. Every sample
    appears exactly once; randomness comes from ``generator`` (torch's global one when
    None), so a seeded fit is reproducible. Pools of 100 batches (torchtext's BucketIterator
    uses the same) keep padding near that of one global sort (1.8 % against 0.9 %
    on movie-review-like lengths; 3.4 % with pools of 50) while each epoch still
    draws new batch neighbours.

    Examples
    --------
    >>> _ = torch.manual_seed(0)
    >>> lengths = torch.tensor([5, 1, 4, 2, 6, 3])
    >>> batches = length_grouped_batches(lengths, batch_size=2)
    >>> sorted(lengths[batch].tolist() for batch in batches)  # batches come in random order
    [[1, 2], [3, 4], [5, 6]]
    >>> sorted(torch.cat(batches).tolist())
    [0, 1, 2, 3, 4, 5]
    """
    order = torch.randperm(len(lengths), generator=generator)
    pool_size = batch_size * pool_factor
    batches = []
    for pool in torch.split(order, pool_size):
        pool = pool[torch.argsort(lengths[pool], stable=True)]
        batches.extend(torch.split(pool, batch_size))
    return [batches[i] for i in torch.randperm(len(batches), generator=generator).tolist()]


def sorted_batches(
    lengths: torch.Tensor, batch_size: int
) -> tuple[list[torch.Tensor], torch.Tensor]:
    """Batches over samples sorted by length, and the permutation that sorted them.

    Examples
    --------
    >>> batches, order = sorted_batches(torch.tensor([3, 1, 2]), batch_size=2)
    >>> [batch.tolist() for batch in batches], order.tolist()
    ([[1, 2], [0]], [1, 2, 0])
    """
    batches, order = length_sorted_batches(lengths.numpy(), batch_size)  # as served models do
    return [torch.from_numpy(batch) for batch in batches], torch.from_numpy(order)


class BatchIterator:
    """Iterate over a :class:`SequenceDataset` in padded batches.

    ``shuffle=True`` (training) draws length-grouped batches anew each epoch from
    ``generator``; ``shuffle=False`` yields batches sorted by length (their
    concatenated outputs come in the order of :attr:`order`), or in the dataset's
    order with ``sort=False``.

    Examples
    --------
    >>> import numpy as np
    >>> seqs = EncodedSequences.from_arrays([np.array([2, 3, 4]), np.array([5]), np.array([6, 7])])
    >>> batches = BatchIterator(SequenceDataset(seqs), batch_size=2, shuffle=False)
    >>> len(batches), batches.order.tolist()
    (2, [1, 2, 0])
    >>> [X["inputs"].tolist() for X, y in batches]
    [[[5, 0], [6, 7]], [[2, 3, 4]]]
    """

    def __init__(
        self,
        dataset: SequenceDataset,
        batch_size: int,
        shuffle: bool,
        generator: torch.Generator | None = None,
        sort: bool = True,
    ):
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.generator = generator
        if not shuffle and sort:
            self._batches, self.order = sorted_batches(dataset.lengths, batch_size)
        elif not shuffle:
            self.order = torch.arange(len(dataset))
            self._batches = list(torch.split(self.order, batch_size))

    def __len__(self) -> int:
        return -(-len(self.dataset) // self.batch_size)

    def index_batches(self) -> list[torch.Tensor]:
        """The batches' rows of the dataset (drawn anew at each call when shuffling)."""
        if self.shuffle:
            return length_grouped_batches(
                self.dataset.lengths, self.batch_size, generator=self.generator
            )
        return self._batches

    def __iter__(self) -> Iterator:
        for indices in self.index_batches():
            yield self.dataset.batch(indices)
