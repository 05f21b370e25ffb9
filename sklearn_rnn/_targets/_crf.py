"""The linear-chain CRF's decoding in numpy: Viterbi paths and forward-backward marginals.

The one implementation of CRF inference: :meth:`sklearn_rnn.nn.LinearChainCRF.decode`,
the tagger's ``predict`` and the served tagger all call :func:`viterbi`. The training
loss (the sequence log-likelihood) stays in torch, in :mod:`sklearn_rnn.nn._crf`.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np


class CRFScores(NamedTuple):
    """A trained CRF's scores: ``transitions (C, C)``, start and end scores ``(C,)``.

    Examples
    --------
    >>> scores = CRFScores.checked(np.zeros((2, 2)), np.zeros(2), np.zeros(2), n_tags=2)
    >>> scores.transitions.shape
    (2, 2)
    """

    transitions: np.ndarray
    start_transitions: np.ndarray
    end_transitions: np.ndarray

    @classmethod
    def checked(cls, transitions, start_transitions, end_transitions, n_tags: int) -> CRFScores:
        """The scores as float arrays, checked to fit ``n_tags`` tags (``ValueError`` if not)."""
        scores = cls(*(np.asarray(s) for s in (transitions, start_transitions, end_transitions)))
        shapes = [s.shape for s in scores]
        if shapes != [(n_tags, n_tags), (n_tags,), (n_tags,)] or any(
            s.dtype.kind != "f" for s in scores
        ):
            raise ValueError(f"CRF scores of shapes {shapes} do not fit {n_tags} tags")
        return scores


def _logsumexp(a: np.ndarray, axis: int) -> np.ndarray:
    top = a.max(axis=axis, keepdims=True)
    top = np.where(np.isfinite(top), top, 0.0)
    return np.log(np.exp(a - top).sum(axis=axis)) + np.squeeze(top, axis)


def viterbi(emissions: np.ndarray, mask: np.ndarray, crf: CRFScores) -> np.ndarray:
    """Best tag path of each sequence, ``(B, T)`` int64 (0 at padded steps).

    ``emissions`` ``(B, T, C)``; ``mask`` ``(B, T)`` True on each sequence's real steps,
    which come first. Arithmetic follows the dtypes given (float32 scores on float64
    emissions compute in float64); ties go to the lowest tag id.

    Examples
    --------
    >>> crf = CRFScores(np.array([[0.0, -10.0], [0.0, 0.0]]), np.zeros(2), np.zeros(2))
    >>> emissions = np.array([[[2.0, 0.0], [0.0, 1.0], [0.0, 0.0]]])
    >>> viterbi(emissions, np.array([[True, True, False]]), crf).tolist()
    [[0, 0, 0]]
    """
    batch, steps, num_tags = emissions.shape
    transitions = crf.transitions[None]  # (1, C, C)
    identity = np.broadcast_to(np.arange(num_tags), (batch, num_tags))
    score = crf.start_transitions + emissions[:, 0]  # (B, C)
    backpointers = []
    for t in range(1, steps):
        candidates = score[:, :, None] + transitions  # (B, C_prev, C)
        best_prev = candidates.argmax(axis=1)  # (B, C)
        best = np.take_along_axis(candidates, best_prev[:, None, :], axis=1)[:, 0]
        step = mask[:, t, None]  # (B, 1)
        score = np.where(step, best + emissions[:, t], score)
        # Padded steps point each tag to itself, carrying the last real tag back unchanged.
        backpointers.append(np.where(step, best_prev, identity))
    tag = (score + crf.end_transitions).argmax(axis=1)  # (B,)
    path = [tag]
    for pointers in reversed(backpointers):
        tag = np.take_along_axis(pointers, tag[:, None], axis=1)[:, 0]
        path.append(tag)
    return np.where(mask, np.stack(path[::-1], axis=1), 0).astype(np.int64)


def marginals(emissions: np.ndarray, mask: np.ndarray, crf: CRFScores) -> np.ndarray:
    """Each real step's tag probabilities, ``(B, T, C)`` (zeros at padded steps).

    Examples
    --------
    >>> crf = CRFScores(np.zeros((3, 3)), np.zeros(3), np.zeros(3))
    >>> emissions = np.log(np.array([[[1.0, 1.0, 2.0], [1.0, 3.0, 4.0]]]))
    >>> marginals(emissions, np.array([[True, True]]), crf).round(3).tolist()
    [[[0.25, 0.25, 0.5], [0.125, 0.375, 0.5]]]
    """
    batch, steps, num_tags = emissions.shape
    emissions = np.where(mask[:, :, None], emissions, 0.0)
    transitions = crf.transitions[None]  # (1, C, C)
    alphas = [crf.start_transitions + emissions[:, 0]]  # (B, C) per step
    for t in range(1, steps):
        scores = alphas[-1][:, :, None] + transitions + emissions[:, t, None, :]
        alphas.append(np.where(mask[:, t, None], _logsumexp(scores, 1), alphas[-1]))
    # beta[t]: log-sum of the scores after step t; at a sequence's last step, the end score.
    betas = [np.broadcast_to(crf.end_transitions, (batch, num_tags))]
    for t in range(steps - 1, 0, -1):
        scores = transitions + (emissions[:, t] + betas[0])[:, None, :]  # (B, C, C)
        betas.insert(0, np.where(mask[:, t, None], _logsumexp(scores, 2), betas[0]))
    log_z = _logsumexp(alphas[-1] + crf.end_transitions, 1)  # (B,)
    result = np.exp(np.stack(alphas, 1) + np.stack(betas, 1) - log_z[:, None, None])
    return np.where(mask[:, :, None], result, 0.0)
