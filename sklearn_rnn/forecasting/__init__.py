"""Forecasting: windows from series, a forecasting estimator, baselines and metrics.

Forecasting with this library means learning "the next ``horizon`` values from the last
``window`` values": :func:`make_windows` cuts one series, a list of series or a long
DataFrame into ``(X, y)`` pairs (with past-only and known-future covariates),
:class:`~sklearn_rnn.RNNForecaster` learns them as a plain scikit-learn regressor, and
:func:`last_windows` gives the inputs that forecast past the end of each series.
:func:`recursive_forecast` feeds a short-horizon model's forecasts back to reach further,
and :func:`seasonal_naive_forecast` is the forecast any model should beat.
"""

from sklearn_rnn.forecasting._naive import seasonal_naive_forecast
from sklearn_rnn.forecasting._recursive import recursive_forecast
from sklearn_rnn.forecasting._windows import auto_window, last_windows, make_windows

__all__ = [
    "auto_window",
    "last_windows",
    "make_windows",
    "recursive_forecast",
    "seasonal_naive_forecast",
]
