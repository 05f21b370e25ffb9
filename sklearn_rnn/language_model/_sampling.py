"""How a language model draws its next token, without torch: shared by the estimator and
the served model (:mod:`sklearn_rnn.serving`), so that both draw the same text.

Each token is drawn by inverting the cumulative distribution of the next-token scores
(divided by the temperature, cut to the ``top_k`` best, the special tokens banned) at one
uniform number. The uniforms of one call are drawn up front from a seed:
:func:`seeded_uniforms` gives the very numbers of ``torch.rand(n, dtype=torch.float64)``
on a CPU generator seeded with ``torch.Generator().manual_seed(seed)``, from numpy's
Mersenne Twister (the same generator, the same 53 bits of two 32-bit draws).
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from sklearn_rnn.encoding._validation import _is_integer, _is_real


def check_sample_arguments(n_tokens, temperature, top_k) -> None:
    """Reject bad ``sample`` arguments with a ValueError naming the argument."""
    checks = [
        (
            "n_tokens",
            n_tokens,
            _is_integer(n_tokens) and n_tokens >= 0,
            "an int >= 0",
        ),
        (
            "temperature",
            temperature,
            _is_real(temperature) and 0 < temperature < math.inf,
            "a positive float",
        ),
        (
            "top_k",
            top_k,
            top_k is None or (_is_integer(top_k) and top_k >= 1),
            "an int >= 1 or None",
        ),
    ]
    for name, value, ok, expected in checks:
        if not ok:
            raise ValueError(
                f"Invalid value for parameter {name!r}: expected {expected}, got {value!r}."
            )


def draw_column(
    scores: np.ndarray, banned: np.ndarray, temperature: float, top_k: int | None, uniform: float
) -> int:
    """The output column drawn from the ``(V,)`` float64 ``scores`` at ``uniform`` in [0, 1).

    Examples
    --------
    >>> scores = np.log(np.array([0.5, 0.25, 0.25]))
    >>> [draw_column(scores, np.array([], dtype=int), 1.0, None, u) for u in (0.1, 0.6, 0.9)]
    [0, 1, 2]
    >>> draw_column(scores, np.array([0]), 1.0, None, 0.1)  # column 0 is never drawn
    1
    """
    scores = scores / temperature
    scores[banned] = -np.inf
    if top_k is not None and top_k < len(scores):
        kth = np.partition(scores, len(scores) - top_k)[len(scores) - top_k]
        scores[scores < kth] = -np.inf
    cumulative = np.cumsum(np.exp(scores - scores.max()))
    column = int(np.searchsorted(cumulative, uniform * cumulative[-1], side="right"))
    return min(column, len(cumulative) - 1)


def seed_of(random_state) -> int:
    """The seed of one ``sample`` call, as the estimator draws it, for an int or RandomState.

    None draws a fresh seed from numpy (the estimator draws it from torch's global
    generator: unseeded calls are not repeatable either way).
    """
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        return int(random_state)
    if isinstance(random_state, np.random.RandomState):
        return int(random_state.randint(np.iinfo(np.int32).max))
    if random_state is None:
        return int(np.random.default_rng().integers(2**62))
    raise ValueError(
        "Invalid value for parameter 'random_state': expected an int, a "
        f"numpy.random.RandomState or None, got {random_state!r}."
    )


def seeded_uniforms(seed: int, n: int) -> np.ndarray:
    """``torch.rand(n, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)``.

    Examples
    --------
    >>> seeded_uniforms(0, 3).round(6).tolist()
    [0.970053, 0.70782, 0.459383]
    """
    # torch seeds its Mersenne Twister with the seed's low 32 bits, as numpy's legacy seeding.
    key, pos = np.random.RandomState(seed & 0xFFFFFFFF).get_state()[1:3]
    generator = np.random.MT19937()
    generator.state = {"bit_generator": "MT19937", "state": {"key": key, "pos": pos}}
    raw = generator.random_raw(2 * n).astype(np.uint64)
    bits = ((raw[0::2] << np.uint64(32)) | raw[1::2]) & np.uint64((1 << 53) - 1)
    return bits.astype(np.float64) * 2.0**-53
