"""Prediction batches without torch: sequences sorted by length, cut into batches.

Sorting first puts sequences of similar lengths together, so little padding is
computed; the estimators' prediction loop (:mod:`sklearn_rnn._base._batches`) and the
served models (:mod:`sklearn_rnn.serving`) batch with this same function.
"""

from __future__ import annotations

import numpy as np


def length_sorted_batches(
    lengths: np.ndarray, batch_size: int
) -> tuple[list[np.ndarray], np.ndarray]:
    """Batches of indices over the samples sorted by length, and the sorting permutation.

    The sort is stable: sequences of equal length keep their order.

    Examples
    --------
    >>> batches, order = length_sorted_batches(np.array([3, 1, 2]), batch_size=2)
    >>> [batch.tolist() for batch in batches], order.tolist()
    ([[1, 2], [0]], [1, 2, 0])
    """
    order = np.argsort(lengths, kind="stable")
    return [order[start : start + batch_size] for start in range(0, len(order), batch_size)], order
