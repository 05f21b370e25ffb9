"""Looking inside a fitted network: which hidden units follow a signal you can name.

Karpathy, Johnson and Fei-Fei ("Visualizing and Understanding Recurrent Networks",
2015) found single LSTM cells that track the position in a line or whether the text is
inside quotes. :func:`rank_units` finds such units in any fitted estimator with a
``hidden_states`` method: it correlates every unit's state with a per-step signal you
define, over all steps of ``X``; :func:`sklearn_rnn.inspection.plot_hidden_states` then
shows the best ones over a text.
"""

from __future__ import annotations

import numpy as np


def rank_units(
    estimator, X, signal, *, layer: int = -1, cell_state: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Rank hidden units by how strongly their state correlates with a per-step signal.

    Parameters
    ----------
    estimator : fitted estimator with a ``hidden_states`` method
        E.g. :class:`~sklearn_rnn.RNNClassifier`, :class:`~sklearn_rnn.RNNTagger`.
    X : sequences
        Input the estimator accepts; every step of every sequence counts once.
    signal : sequence of array-like
        One 1D array of numbers per sequence of ``X``, one value per step of its hidden
        states (per token, character or time step as the estimator encodes it), e.g.
        ``1.0`` inside quotes and ``0.0`` outside, or the position in the line.
    layer : int, default=-1
        The recurrent layer, as in ``hidden_states``.
    cell_state : bool, default=False
        Rank an LSTM's cell states instead of its hidden states.

    Returns
    -------
    units : ndarray of int, shape (n_units,)
        The units, strongest absolute correlation first.
    correlations : ndarray of float, shape (n_units,)
        Their Pearson correlations with ``signal``, with sign (0 for a unit that is
        constant over ``X``).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_rnn import RNNRegressor
    >>> from sklearn_rnn.inspection import rank_units
    >>> X = np.random.RandomState(0).rand(40, 6, 1).astype("float32")
    >>> reg = RNNRegressor(cell="lstm", bidirectional=False, hidden_size=8, max_epochs=10,
    ...                    random_state=0).fit(X, X.sum((1, 2)))
    >>> running_sum = [np.cumsum(x[:, 0]) for x in X]  # what a summing unit would hold
    >>> units, r = rank_units(reg, X, running_sum)
    >>> units.shape, bool(abs(r[0]) >= abs(r[-1]))
    ((8,), True)
    """
    states = estimator.hidden_states(X, layer=layer, cell_state=cell_state)
    if isinstance(signal, np.ndarray) and signal.ndim == 1 and len(states) == 1:
        signal = [signal]  # one sequence: its signal may come as a bare array
    if len(signal) != len(states):
        raise ValueError(
            f"signal has {len(signal)} entries but X has {len(states)} sequences; pass one "
            "array of per-step values per sequence."
        )
    values = []
    for i, (steps, row) in enumerate(zip(states, signal, strict=True)):
        row = np.asarray(row, dtype=np.float64)
        if row.shape != (len(steps),):
            raise ValueError(
                f"signal[{i}] has shape {row.shape} but sequence {i} has {len(steps)} steps "
                f"in the estimator's encoding; pass one value per step, shape ({len(steps)},)."
            )
        values.append(row)
    target = np.concatenate(values)
    if not np.isfinite(target).all():
        raise ValueError("signal contains NaN or infinity.")
    if np.ptp(target) == 0:
        raise ValueError("signal is constant over X; a correlation needs it to vary.")
    units = np.concatenate(states).astype(np.float64)  # (N steps, D)
    centred_units = units - units.mean(axis=0)
    centred_target = target - target.mean()
    spread = np.sqrt((centred_units**2).sum(axis=0) * (centred_target**2).sum())
    covariance = centred_target @ centred_units
    correlations = np.divide(covariance, spread, out=np.zeros_like(covariance), where=spread > 0)
    order = np.argsort(-np.abs(correlations), kind="stable")
    return order, correlations[order]
