"""Truncated backpropagation through time: one token stream cut into parallel streams.

The training corpus is one stream of ids. :class:`StreamBatches` cuts it into
``n_streams`` equal consecutive pieces, laid side by side as the rows of a
``(n_streams, L)`` table, and serves its columns ``bptt`` at a time: batch ``k`` holds
steps ``k * bptt ...`` of every stream, so the hidden state each row ends a batch with is
the state the same row starts the next batch from (the estimator carries it and cuts its
gradient at the border). No sequence per character is ever built: the batches are views.
"""

from __future__ import annotations

from collections.abc import Iterator

import torch
from torch.utils.data import Dataset


class TokenStream(Dataset):
    """The training corpus as one ``(N,)`` int64 tensor of ids (a torch Dataset for skorch).

    Examples
    --------
    >>> len(TokenStream(torch.arange(5)))
    5
    """

    def __init__(self, ids: torch.Tensor):
        self.ids = ids

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, index):
        return self.ids[index]


def n_streams_for(n_tokens: int, batch_size: int, bptt: int) -> int:
    """How many parallel streams: ``batch_size``, fewer when each would be under ``bptt``.

    Examples
    --------
    >>> n_streams_for(10_000, 64, 100), n_streams_for(501, 64, 100)
    (64, 5)
    """
    return max(1, min(batch_size, (n_tokens - 1) // bptt))


class StreamBatches:
    """Consecutive ``(B, T <= bptt)`` chunks of ``B`` parallel streams, with targets.

    Each batch is ``({"inputs": (B, T) ids, "fresh": (B,) bool}, (B, T) next ids)``;
    ``fresh`` is True on an epoch's first batch, where the hidden state starts from
    zeros. With a ``generator`` (training), every pass starts the streams at a random
    offset below ``bptt``, so chunk borders fall elsewhere each epoch.

    Examples
    --------
    >>> batches = list(StreamBatches(TokenStream(torch.arange(11)), n_streams=2, bptt=3))
    >>> [x["inputs"].tolist() for x, _ in batches]
    [[[0, 1, 2], [5, 6, 7]], [[3, 4], [8, 9]]]
    >>> [y.tolist() for _, y in batches][0], [bool(x["fresh"][0]) for x, _ in batches]
    ([[1, 2, 3], [6, 7, 8]], [True, False])
    """

    def __init__(
        self,
        dataset: TokenStream,
        n_streams: int,
        bptt: int,
        generator: torch.Generator | None = None,
    ):
        self.ids = dataset.ids
        self.n_streams = n_streams
        self.bptt = bptt
        self.generator = generator

    def _table(self) -> tuple[torch.Tensor, torch.Tensor]:
        ids = self.ids
        spare = len(ids) - 1 - self.n_streams * self.bptt  # tokens an offset may skip
        if self.generator is not None and spare > 0:
            high = min(self.bptt, spare + 1)
            offset = int(torch.randint(high, (), generator=self.generator))
            ids = ids[offset:]
        length = (len(ids) - 1) // self.n_streams
        used = self.n_streams * length
        inputs = ids[:used].view(self.n_streams, length)  # (B, L)
        targets = ids[1 : used + 1].view(self.n_streams, length)  # (B, L), one step ahead
        return inputs, targets

    def __iter__(self) -> Iterator[tuple[dict, torch.Tensor]]:
        inputs, targets = self._table()
        fresh = torch.ones(self.n_streams, dtype=torch.bool)
        for start in range(0, inputs.shape[1], self.bptt):
            stop = start + self.bptt
            yield {"inputs": inputs[:, start:stop], "fresh": fresh}, targets[:, start:stop]
            fresh = torch.zeros(self.n_streams, dtype=torch.bool)

    def __len__(self) -> int:
        length = (len(self.ids) - 1) // self.n_streams
        return -(-length // self.bptt)
