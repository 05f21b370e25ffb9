"""Cut series into supervised windows, and the last window of each series to forecast from.

:func:`make_windows` turns one series, a list of series or a long DataFrame into
``(X, y)`` pairs of (past window -> next values) that :class:`~sklearn_rnn.RNNForecaster`
and :class:`~sklearn_rnn.RNNRegressor` take directly; :func:`last_windows` gives the
window that ends where each series ends, the input of its forecast.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

from sklearn_rnn.forecasting._panel import (
    PreparedSeries,
    check_positive_int,
    collect_series,
)

ArrayLikeSeries = np.ndarray | Sequence | pd.Series | pd.DataFrame

_COMMON_PARAMETERS = """target : hashable, int or None, default=None
        Which column is forecast: a DataFrame column name (looked up first) or a column
        position. ``None`` takes the first column (the first besides ``id_column`` and
        ``time_column`` in a long DataFrame). It becomes feature 0 of ``X``; the other
        columns follow in their order, as past-only covariates.
    past_covariates : array-like of shape (T, k), or a list of them, default=None
        More inputs known up to each window's end, aligned with the series (one array
        per series for a list). Appended after the series' own columns.
    future_covariates : array-like, column names, or a list of arrays, default=None
        Inputs known ahead (calendar, planned promotions): names of DataFrame columns,
        or arrays aligned with the series. In each window they are shifted by
        ``horizon``, so the window's step ``t`` carries their value at ``t + horizon``
        and its last ``horizon`` steps hold the values of the forecast period; they are
        the last features of ``X``.
    id_column, time_column : hashable or None, default=None
        Read ``series`` as a long DataFrame: one row per series and time step, the
        series named by ``id_column``, ordered by ``time_column`` (else by row order)."""


#: ``window="auto"``: this many horizons of history ...
AUTO_WINDOW_HORIZONS = 4
#: ... and at least this many steps ...
AUTO_WINDOW_MIN = 16
#: ... but at most half of what the shortest series holds before its last horizon, so that
#: every series gives a few windows.


def auto_window(horizon: int, shortest: int) -> int:
    """The window length that ``window="auto"`` takes.

    Parameters
    ----------
    horizon : int
        The values each window forecasts.
    shortest : int
        The steps of the collection's shortest series.

    Returns
    -------
    int
        The window length: several horizons long, but at most half of what the shortest
        series leaves beside one horizon.

    Examples
    --------
    >>> auto_window(48, shortest=700), auto_window(24, shortest=120), auto_window(1, 500)
    (192, 48, 16)
    """
    preferred = max(AUTO_WINDOW_HORIZONS * horizon, AUTO_WINDOW_MIN)
    return max(1, min(preferred, (shortest - horizon) // 2))


def _resolve_window(window, horizon: int, prepared: list[PreparedSeries], ahead: int) -> int:
    """``window``, or ``"auto"``'s length; ``ahead``: future rows after each history."""
    if isinstance(window, str) and window == "auto":
        shortest = min(len(item.values) - (ahead if item.n_future else 0) for item in prepared)
        return auto_window(horizon, shortest)
    return check_positive_int(window, "window")


def make_windows(
    series: ArrayLikeSeries,
    window: int | str,
    horizon: int = 1,
    step: int = 1,
    target: Hashable | int | None = None,
    *,
    past_covariates=None,
    future_covariates=None,
    id_column: Hashable | None = None,
    time_column: Hashable | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Cut series into (past window, next values) pairs for a forecaster or regressor.

    Window ``i`` of a series covers its time steps ``i*step`` to ``i*step + window - 1``;
    its target is the ``horizon`` target values that follow it, and no input of a
    window comes from after its end (except ``future_covariates``, known ahead by
    definition). Rows are in time order: for one series earliest first; for several,
    sorted by the time their target starts (with ``time_column``) or by how far that is
    from their series' end (windows ending as long before their series' end share a
    rank), so the last rows are the latest windows of every series, the ones
    :class:`~sklearn_rnn.RNNForecaster`'s early stopping holds out, and a chronological
    split or :class:`~sklearn.model_selection.TimeSeriesSplit` keeps the future out of
    training, up to the overlap of neighbouring windows.

    Parameters
    ----------
    series : array-like of shape (T,) or (T, n_features), Series, DataFrame, or a list
        One series in time order (numeric and finite), a list of such series (of any
        lengths), or a long DataFrame with ``id_column``.
    window : int or "auto"
        Number of past time steps in each input window, >= 1. ``"auto"``: four horizons
        (at least 16 steps), at most half of what the shortest series holds before its
        last horizon (:func:`auto_window`); :func:`last_windows` with the same series
        and ``"auto"`` gives windows of the same length.
    horizon : int, default=1
        Number of future target values to predict, >= 1.
    step : int, default=1
        Distance between the starts of consecutive windows of a series, >= 1.
    {common}

    Returns
    -------
    X : ndarray of shape (n_windows, window, n_features), dtype float32
        Feature 0 is the target. One series gives
        ``n_windows = (T - window - horizon) // step + 1``.
    y : ndarray of shape (n_windows,) if horizon == 1 else (n_windows, horizon), float32
        The target values right after each window.

    Raises
    ------
    TypeError
        ``window``, ``horizon`` or ``step`` is not an int.
    ValueError
        A non-positive ``window``/``horizon``/``step``, a series shorter than
        ``window + horizon``, an unknown ``target``, non-numeric/NaN/inf values, or
        covariates not aligned with their series; the message names the argument and
        the series.

    See Also
    --------
    last_windows : The window that ends where each series ends, to forecast from.
    seasonal_naive_forecast : The baseline forecast to compare a model against.

    Examples
    --------
    >>> from sklearn_rnn.forecasting import make_windows
    >>> X, y = make_windows([10, 11, 12, 13, 14, 15], window=3)
    >>> X.shape, y.shape
    ((3, 3, 1), (3,))
    >>> X[:, :, 0].tolist(), y.tolist()
    ([[10.0, 11.0, 12.0], [11.0, 12.0, 13.0], [12.0, 13.0, 14.0]], [13.0, 14.0, 15.0])
    >>> X, y = make_windows([10, 11, 12, 13, 14, 15], window=2, horizon=2, step=2)
    >>> X[:, :, 0].tolist(), y.tolist()
    ([[10.0, 11.0], [12.0, 13.0]], [[12.0, 13.0], [14.0, 15.0]])

    Two series, the latest windows last; an hour-of-day covariate known ahead:

    >>> X, y = make_windows([[1, 2, 3, 4], [5, 6, 7]], window=2)
    >>> X[:, :, 0].tolist(), y.tolist()
    ([[1.0, 2.0], [2.0, 3.0], [5.0, 6.0]], [3.0, 4.0, 7.0])
    >>> X, y = make_windows([1, 2, 3, 4, 5], window=2, horizon=2,
    ...                     future_covariates=[[0], [1], [2], [3], [4]])
    >>> X[0].tolist()  # steps 0-1 of the series, steps 2-3 of the covariate
    [[1.0, 2.0], [2.0, 3.0]]
    """
    if not (isinstance(window, str) and window == "auto"):
        window = check_positive_int(window, "window")
    horizon = check_positive_int(horizon, "horizon")
    step = check_positive_int(step, "step")
    prepared = collect_series(
        series,
        target=target,
        past_covariates=past_covariates,
        future_covariates=future_covariates,
        id_column=id_column,
        time_column=time_column,
    )
    window = _resolve_window(window, horizon, prepared, 0)
    parts = [_series_windows(item, window, horizon, step) for item in prepared]
    X = np.concatenate([p[0] for p in parts])
    y = np.concatenate([p[1] for p in parts])
    if len(parts) > 1:
        keys = np.concatenate([p[2] for p in parts])
        order = np.argsort(keys, kind="stable")  # series order breaks ties
        X, y = X[order], y[order]
    X = np.ascontiguousarray(X, dtype=np.float32)
    y = np.ascontiguousarray(y, dtype=np.float32)
    return X, (y[:, 0] if horizon == 1 else y)


def _series_windows(item: PreparedSeries, window: int, horizon: int, step: int):
    """``(X, y, time keys)`` of one series' windows."""
    values = item.values
    n_steps = len(values)
    if n_steps < window + horizon:
        raise ValueError(
            f"{item.name} is too short: it has {n_steps} time steps, but window={window} plus "
            f"horizon={horizon} needs at least {window + horizon}"
        )
    n_past = values.shape[1] - item.n_future
    # Known-ahead columns shifted by the horizon: step t of a window reads them at t + horizon.
    shifted = np.concatenate([values[: n_steps - horizon, :n_past], values[horizon:, n_past:]], 1)
    n_windows = (n_steps - window - horizon) // step + 1
    starts = slice(0, (n_windows - 1) * step + 1, step)
    # sliding_window_view gives (T - window + 1, n_features, window) views, no copies.
    X = sliding_window_view(shifted, window, axis=0)[starts].transpose(0, 2, 1)
    y = sliding_window_view(values[window:, 0], horizon)[starts]
    first_target = np.arange(n_windows) * step + window
    if item.times is not None:
        keys = item.times[first_target]
    else:
        keys = first_target - n_steps  # steps before the series' end, as a negative number
    return X, y, keys


def last_windows(
    series: ArrayLikeSeries,
    window: int,
    horizon: int | None = None,
    target: Hashable | int | None = None,
    *,
    past_covariates=None,
    future_covariates=None,
    id_column: Hashable | None = None,
    time_column: Hashable | None = None,
) -> np.ndarray:
    """The window that ends where each series ends: the input of its forecast.

    With the same arguments as :func:`make_windows`, ``model.predict(last_windows(...))``
    forecasts the ``horizon`` steps after the end of each series, one row per series (in
    the order of ``series``, or of first appearance in a long DataFrame).

    Parameters
    ----------
    series : array-like, Series, DataFrame, or a list
        As in :func:`make_windows`.
    window : int or "auto"
        Number of past time steps in each window, as in training (``"auto"``: as
        :func:`make_windows` chooses it for the same series and horizon).
    horizon : int or None, default=None
        Needed with ``window="auto"`` and with ``future_covariates``, which must then
        also cover the ``horizon`` steps after each series' end: arrays ``horizon`` steps
        longer than their series, or, in a DataFrame, ``horizon`` last rows whose other
        columns are missing.
    {common}

    Returns
    -------
    X : ndarray of shape (n_series, window, n_features), dtype float32

    Raises
    ------
    ValueError
        A series shorter than ``window``, NaN in the history or in the future
        covariates, or covariates of the wrong length (the message names them).

    Examples
    --------
    >>> from sklearn_rnn.forecasting import last_windows
    >>> last_windows([[1, 2, 3, 4], [5, 6, 7]], window=2)[:, :, 0].tolist()
    [[3.0, 4.0], [6.0, 7.0]]
    >>> last_windows([1, 2, 3], window=2, horizon=2,
    ...              future_covariates=[[0], [1], [2], [3], [4]])[0].tolist()
    [[2.0, 3.0], [3.0, 4.0]]
    """
    auto = isinstance(window, str) and window == "auto"
    if not auto:
        window = check_positive_int(window, "window")
    if horizon is not None:
        horizon = check_positive_int(horizon, "horizon")
    elif future_covariates is not None or auto:
        raise ValueError(
            "horizon is needed with future_covariates (their values after each series' end "
            'are part of the window) and with window="auto" (its length depends on it)'
        )
    prepared = collect_series(
        series,
        target=target,
        past_covariates=past_covariates,
        future_covariates=future_covariates,
        id_column=id_column,
        time_column=time_column,
        n_extra_future=horizon if future_covariates is not None else 0,
    )
    window = _resolve_window(window, horizon, prepared, horizon or 0)
    rows = []
    for item in prepared:
        ahead = horizon if item.n_future else 0
        end = len(item.values) - ahead  # the history's length
        if end < window:
            raise ValueError(
                f"{item.name} is too short: it has {end} time steps, fewer than window={window}"
            )
        n_past = item.values.shape[1] - item.n_future
        past = item.values[end - window : end, :n_past]
        future = item.values[end - window + ahead : end + ahead, n_past:]
        rows.append(np.concatenate([past, future], axis=1))
    return np.ascontiguousarray(np.stack(rows), dtype=np.float32)


make_windows.__doc__ = make_windows.__doc__.format(common=_COMMON_PARAMETERS)
last_windows.__doc__ = last_windows.__doc__.format(common=_COMMON_PARAMETERS)
