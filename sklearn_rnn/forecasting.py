"""Turn one time series into a supervised windows dataset, and the seasonal naive baseline.

Forecasting with ``RNNRegressor`` means learning "next values from the last ``window``
values": :func:`make_windows` cuts the series into ``(X, y)`` pairs the regressor takes
directly, and :func:`seasonal_naive_forecast` gives the forecast any model should beat.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

__all__ = ["make_windows", "seasonal_naive_forecast"]

ArrayLikeSeries = np.ndarray | Sequence | pd.Series | pd.DataFrame


def _check_positive_int(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise TypeError(f"{name} must be an int, got {value!r} of type {type(value).__name__}")
    if value < 1:
        raise ValueError(f"{name} must be >= 1, got {value}")
    return int(value)


def _as_2d_float(series: object, name: str = "series") -> tuple[np.ndarray, list | None]:
    """Return the series as a ``(T, n_features)`` float64 array and its column names."""
    columns = list(series.columns) if isinstance(series, pd.DataFrame) else None
    if isinstance(series, pd.Series | pd.DataFrame):
        series = series.to_numpy()
    try:
        values = np.asarray(series, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"{name} must be numeric: a 1D sequence of numbers or a 2D (time, feature) "
            f"array; could not convert it to float ({exc})"
        ) from exc
    if values.ndim == 1:
        values = values[:, None]
    if values.ndim != 2:
        raise ValueError(
            f"{name} must be 1D (time,) or 2D (time, feature), got {values.ndim}D with "
            f"shape {values.shape}"
        )
    if values.shape[1] == 0:
        raise ValueError(f"{name} has no features (shape {values.shape})")
    if not np.isfinite(values).all():
        first = np.argwhere(~np.isfinite(values))[0]
        raise ValueError(
            f"{name} contains NaN or infinity (first at time step {first[0]}); fill or drop "
            "missing values first, e.g. series.interpolate()"
        )
    return values, columns


def make_windows(
    series: ArrayLikeSeries,
    window: int,
    horizon: int = 1,
    step: int = 1,
    target: Hashable | int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Cut a time series into (past window, next values) pairs for ``RNNRegressor``.

    Window ``i`` covers time steps ``i*step`` to ``i*step + window - 1``; its target is the
    ``horizon`` target values that follow it. Every window with a complete target is
    returned, earliest first, so a chronological split of ``(X, y)`` (or
    :class:`~sklearn.model_selection.TimeSeriesSplit`) keeps the future out of training,
    up to the overlap of neighbouring windows.

    Parameters
    ----------
    series : array-like of shape (T,) or (T, n_features), pandas Series or DataFrame
        The series in time order. Must be numeric and finite.
    window : int
        Number of past time steps in each input window, >= 1.
    horizon : int, default=1
        Number of future target values to predict, >= 1.
    step : int, default=1
        Distance between the starts of consecutive windows, >= 1.
    target : hashable, int or None, default=None
        For multivariate input, which column is forecast: a DataFrame column name (looked
        up first) or a column position. ``None`` takes the first column. All columns stay
        in ``X``.

    Returns
    -------
    X : ndarray of shape (n_windows, window, n_features), dtype float32
        ``n_windows = (T - window - horizon) // step + 1``; a 1D series has
        ``n_features = 1``.
    y : ndarray of shape (n_windows,) if horizon == 1 else (n_windows, horizon), float32
        The target values right after each window.

    Raises
    ------
    TypeError
        ``window``, ``horizon`` or ``step`` is not an int.
    ValueError
        A non-positive ``window``/``horizon``/``step``, a series shorter than
        ``window + horizon``, an unknown ``target``, or non-numeric/NaN/inf values.

    See Also
    --------
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
    """
    window = _check_positive_int(window, "window")
    horizon = _check_positive_int(horizon, "horizon")
    step = _check_positive_int(step, "step")
    values, columns = _as_2d_float(series)
    n_steps, n_features = values.shape

    if target is None:
        target_index = 0
    elif columns is not None and not isinstance(target, bool) and target in columns:
        target_index = columns.index(target)
    elif isinstance(target, int | np.integer) and not isinstance(target, bool):
        if not -n_features <= target < n_features:
            raise ValueError(
                f"target={target} is out of range for a series with {n_features} feature(s)"
            )
        target_index = int(target) % n_features
    else:
        known = f" (columns: {columns})" if columns is not None else ""
        raise ValueError(f"target must be a column name or position, got {target!r}{known}")

    if n_steps < window + horizon:
        raise ValueError(
            f"series is too short: it has {n_steps} time steps, but window={window} plus "
            f"horizon={horizon} needs at least {window + horizon}"
        )
    n_windows = (n_steps - window - horizon) // step + 1
    # sliding_window_view gives (T - window + 1, n_features, window) views, no copies.
    starts = slice(0, (n_windows - 1) * step + 1, step)
    X = sliding_window_view(values, window, axis=0)[starts].transpose(0, 2, 1)
    y = sliding_window_view(values[window:, target_index], horizon)[starts]
    X = np.ascontiguousarray(X, dtype=np.float32)
    y = np.ascontiguousarray(y, dtype=np.float32)
    return X, (y[:, 0] if horizon == 1 else y)


def seasonal_naive_forecast(
    series: np.ndarray | Sequence | pd.Series,
    season: int,
    horizon: int,
) -> np.ndarray:
    """Forecast by repeating the last observed season: the baseline to beat.

    The forecast ``h`` steps after the end of a series of length ``T`` is the value one
    season earlier, ``series[T - season + (h - 1) % season]``. ``season=1`` is the plain
    naive forecast (repeat the last value).

    Parameters
    ----------
    series : array-like of shape (T,) or pandas Series
        The observed history, numeric and finite.
    season : int
        Season length in time steps (12 for monthly data with a yearly cycle), >= 1 and at
        most ``T``.
    horizon : int
        Number of future steps to forecast, >= 1.

    Returns
    -------
    forecast : ndarray of shape (horizon,), dtype float64

    Raises
    ------
    TypeError
        ``season`` or ``horizon`` is not an int.
    ValueError
        A non-positive ``season``/``horizon``, a series shorter than one season, a
        multivariate series, or non-numeric/NaN/inf values.

    Examples
    --------
    >>> from sklearn_rnn.forecasting import seasonal_naive_forecast
    >>> seasonal_naive_forecast([1, 2, 3, 10, 20, 30], season=3, horizon=4).tolist()
    [10.0, 20.0, 30.0, 10.0]
    >>> seasonal_naive_forecast([1, 2, 3], season=1, horizon=2).tolist()
    [3.0, 3.0]
    """
    season = _check_positive_int(season, "season")
    horizon = _check_positive_int(horizon, "horizon")
    values, _ = _as_2d_float(series)
    if values.shape[1] != 1:
        raise ValueError(
            f"series must be univariate (one column), got {values.shape[1]} columns; "
            "forecast each column separately"
        )
    values = values[:, 0]
    if len(values) < season:
        raise ValueError(
            f"series is too short: it has {len(values)} time steps, fewer than one season={season}"
        )
    last_season = values[len(values) - season :]
    return last_season[np.arange(horizon) % season].copy()
