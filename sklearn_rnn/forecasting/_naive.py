"""The seasonal naive forecast: the baseline any forecasting model should beat."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from sklearn_rnn.forecasting._panel import as_2d_float as _as_2d_float
from sklearn_rnn.forecasting._panel import check_positive_int as _check_positive_int


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
