"""Recursive forecasting: feed each forecast back as the newest input."""

from __future__ import annotations

import numpy as np

from sklearn_rnn.forecasting._panel import _is_collection, as_2d_float, check_positive_int


def recursive_forecast(estimator, series, window: int, horizon: int) -> np.ndarray:
    """Forecast ``horizon`` steps with a fitted model of fewer steps, feeding forecasts back.

    Each round predicts from the last ``window`` values (observed, then forecast) and
    appends the prediction: one value for a one-step model, ``k`` values for a model
    fitted on ``(n, k)`` targets (a direct forecast of ``k`` steps, repeated). All series
    are predicted together, one batch per round. Univariate windows only: covariates
    would need their own future values.

    Parameters
    ----------
    estimator : fitted regressor
        Takes ``(n, window, 1)`` windows (e.g. :class:`~sklearn_rnn.RNNForecaster` or
        :class:`~sklearn_rnn.RNNRegressor`) and predicts ``(n,)`` or ``(n, k)``.
    series : array-like of shape (T,), or a list of them
        The histories, numeric and finite, at least ``window`` steps each.
    window : int
        The window length the model was fitted on.
    horizon : int
        Steps to forecast after each series' end.

    Returns
    -------
    ndarray of shape (horizon,), or (n_series, horizon) for a list

    Examples
    --------
    >>> from sklearn.linear_model import LinearRegression
    >>> from sklearn_rnn.forecasting import make_windows, recursive_forecast
    >>> X, y = make_windows(np.arange(20.0), window=3)
    >>> class Flat(LinearRegression):  # a scikit-learn regressor on flattened windows
    ...     def fit(self, X, y): return super().fit(X.reshape(len(X), -1), y)
    ...     def predict(self, X): return super().predict(X.reshape(len(X), -1))
    >>> recursive_forecast(Flat().fit(X, y), np.arange(20.0), window=3, horizon=4).round(6)
    array([20., 21., 22., 23.])
    """
    window = check_positive_int(window, "window")
    horizon = check_positive_int(horizon, "horizon")
    many = _is_collection(series)
    histories = []
    for i, one in enumerate(series if many else [series]):
        name = f"series[{i}]" if many else "series"
        values, _ = as_2d_float(one, name)
        if values.shape[1] != 1:
            raise ValueError(f"{name} must be univariate for a recursive forecast")
        if len(values) < window:
            raise ValueError(
                f"{name} is too short: it has {len(values)} time steps, fewer than window={window}"
            )
        histories.append(values[-window:, 0])
    # (n_series, window + horizon + k): the last window, then the forecasts
    extended = np.stack(histories)
    while extended.shape[1] < window + horizon:
        inputs = extended[:, -window:, None].astype(np.float32)
        predicted = np.asarray(estimator.predict(inputs), dtype=np.float64)
        extended = np.concatenate([extended, predicted.reshape(len(extended), -1)], axis=1)
    forecast = extended[:, window : window + horizon]
    return forecast if many else forecast[0]
