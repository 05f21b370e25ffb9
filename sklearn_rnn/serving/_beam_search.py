"""Beam search in numpy over a served decoder step: the served side of RNNSeq2Seq's ``predict``.

The same search as the estimator's (:func:`sklearn_rnn.seq2seq._network.beam_search`),
decision for decision: all sources of a batch and all their beams advance together one
decoder step at a time; a finished hypothesis extends with padding at no cost; at
``max_output_len`` symbols only the end of sequence may follow; each step keeps the
``beam_size`` best totals of each source, best first. Exact ties of two totals (which
float scores practically never meet) go to the lower candidate index.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from sklearn_rnn._targets._sequences import BOS_ID, EOS_ID
from sklearn_rnn.encoding._vocabulary import PAD_ID


def top_k(total: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` largest values of each row of ``total`` and their columns, best first.

    Examples
    --------
    >>> top_k(np.array([[0.5, -np.inf, 2.0, 0.5]]), 3)
    (array([[2. , 0.5, 0.5]]), array([[2, 0, 3]]))
    """
    if k < total.shape[1]:
        columns = np.argpartition(-total, k - 1, axis=1)[:, :k]
    else:
        columns = np.broadcast_to(np.arange(total.shape[1]), total.shape)
    values = np.take_along_axis(total, columns, axis=1)
    order = np.lexsort((columns, -values), axis=-1)  # by value, ties by column
    return np.take_along_axis(values, order, 1), np.take_along_axis(columns, order, 1)


def beam_search(
    step: Callable,
    context: dict[str, np.ndarray],
    states: list[np.ndarray],
    beam_size: int,
    max_output_len: int,
) -> tuple[np.ndarray, np.ndarray]:
    """The ``beam_size`` best outputs of each source and their log-probabilities.

    Parameters
    ----------
    step : callable
        ``step(tokens (N,), context, states) -> (log_probs (N, V) float64, states)``: one
        decoder step for ``N`` rows; ``context`` holds per-row arrays (the source's
        memory, keys, lengths) and ``states`` the recurrent state arrays ``(L, N, H)``.
    context, states : per source, as the encoder returned them (``B`` rows).
    beam_size, max_output_len : int
        As the estimator's.

    Returns
    -------
    tokens : ndarray of shape (B, K, T)
        Output ids, best hypothesis first; ``EOS_ID`` then ``PAD_ID`` after the end.
    scores : ndarray of shape (B, K)
        float64 log-probabilities; ``-inf`` for empty slots.
    """
    n_sources, K = len(next(iter(context.values()))), beam_size
    rows = np.repeat(np.arange(n_sources), K)  # (B * K,)
    context = {name: value[rows] for name, value in context.items()}
    states = [state[:, rows] for state in states]
    scores = np.full((n_sources, K), -np.inf)
    scores[:, 0] = 0.0  # one live hypothesis per source at the start
    previous = np.full(n_sources * K, BOS_ID, dtype=np.int64)
    outputs = np.empty((n_sources * K, 0), dtype=np.int64)
    finished = np.zeros(n_sources * K, dtype=bool)
    offsets = (np.arange(n_sources) * K)[:, None]  # (B, 1)
    for position in range(max_output_len + 1):  # + 1: the end after the last symbol
        log_probs, states = step(previous, context, states)  # (B * K, V)
        n_outputs = log_probs.shape[1]
        if position == max_output_len:  # the longest output allowed: it ends here
            log_probs[:, :EOS_ID] = -np.inf
            log_probs[:, EOS_ID + 1 :] = -np.inf
        log_probs[finished] = -np.inf
        log_probs[finished, PAD_ID] = 0.0  # a finished hypothesis stays as it is
        total = (scores.reshape(-1, 1) + log_probs).reshape(n_sources, K * n_outputs)
        scores, best = top_k(total, K)  # (B, K), best first
        chosen = (offsets + best // n_outputs).reshape(-1)  # (B * K,) rows they extend
        symbols = (best % n_outputs).reshape(-1)  # (B * K,)
        outputs = np.concatenate([outputs[chosen], symbols[:, None]], axis=1)
        finished = finished[chosen] | (symbols == EOS_ID)
        states = [state[:, chosen] for state in states]
        previous = symbols
        if finished.all():
            break
    return outputs.reshape(n_sources, K, -1), scores
