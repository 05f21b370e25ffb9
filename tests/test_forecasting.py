"""Tests for sklearn_rnn.forecasting: windows line up with the series, and the baseline."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sklearn_rnn.forecasting import make_windows, seasonal_naive_forecast


@settings(max_examples=200, deadline=None)
@given(
    data=st.data(),
    n_features=st.integers(1, 3),
    window=st.integers(1, 8),
    horizon=st.integers(1, 4),
    step=st.integers(1, 4),
)
def test_windows_line_up_with_the_series(data, n_features, window, horizon, step):
    n_steps = data.draw(st.integers(window + horizon, window + horizon + 30), label="n_steps")
    values = data.draw(
        arrays(np.float64, (n_steps, n_features), elements=st.integers(-1000, 1000)),
        label="values",
    )
    series = values[:, 0] if n_features == 1 else values

    X, y = make_windows(series, window, horizon=horizon, step=step)

    n_windows = (n_steps - window - horizon) // step + 1
    assert X.shape == (n_windows, window, n_features)
    assert y.shape == ((n_windows,) if horizon == 1 else (n_windows, horizon))
    assert X.dtype == np.float32 and y.dtype == np.float32
    y2 = y.reshape(n_windows, horizon)
    for i in range(n_windows):
        start = i * step
        np.testing.assert_array_equal(X[i], values[start : start + window])
        np.testing.assert_array_equal(y2[i], values[start + window : start + window + horizon, 0])
    # No window was left out: one more step would run past the end of the series.
    assert n_windows * step + window + horizon > n_steps


def test_one_dimensional_input_kinds_agree():
    values = np.arange(20, dtype=float)
    expected_X, expected_y = make_windows(values, 5, horizon=2)
    for series in (values.tolist(), pd.Series(values), values.astype(np.int32), values[:, None]):
        X, y = make_windows(series, 5, horizon=2)
        np.testing.assert_array_equal(X, expected_X)
        np.testing.assert_array_equal(y, expected_y)


def test_dataframe_target_by_name_and_position():
    frame = pd.DataFrame({"temp": np.arange(10.0), "load": np.arange(100.0, 110.0)})
    X, y = make_windows(frame, 3, target="load")
    assert X.shape == (7, 3, 2)
    # The target is feature 0 (what RNNForecaster forecasts); the others follow in order.
    np.testing.assert_array_equal(X[0], frame[["load", "temp"]].to_numpy()[:3])
    np.testing.assert_array_equal(y, np.arange(103.0, 110.0))
    _, y_pos = make_windows(frame, 3, target=1)
    _, y_neg = make_windows(frame, 3, target=-1)
    np.testing.assert_array_equal(y_pos, y)
    np.testing.assert_array_equal(y_neg, y)
    _, y_default = make_windows(frame, 3)
    np.testing.assert_array_equal(y_default, np.arange(3.0, 10.0))


def test_input_is_not_modified():
    values = np.arange(10.0)
    X, _ = make_windows(values, 3)
    X[:] = -1
    np.testing.assert_array_equal(values, np.arange(10.0))


def test_exactly_long_enough_gives_one_window():
    X, y = make_windows([1, 2, 3, 4], window=2, horizon=2, step=5)
    assert X.shape == (1, 2, 1)
    assert y.tolist() == [[3.0, 4.0]]


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"window": 0}, ValueError, "window must be >= 1"),
        ({"window": 3, "horizon": 0}, ValueError, "horizon must be >= 1"),
        ({"window": 3, "step": -1}, ValueError, "step must be >= 1"),
        ({"window": 2.0}, TypeError, "window must be an int"),
        ({"window": True}, TypeError, "window must be an int"),
        ({"window": 8, "horizon": 3}, ValueError, "series is too short.*10 time steps.*11"),
        ({"window": 3, "target": 1}, ValueError, "target=1 is out of range"),
        ({"window": 3, "target": "x"}, ValueError, "target must be a column name"),
    ],
)
def test_make_windows_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        make_windows(np.arange(10.0), **kwargs)


@pytest.mark.parametrize(
    ("series", "match"),
    [
        ([1.0, np.nan, 3.0, 4.0], "NaN or infinity.*time step 1"),
        ([1.0, 2.0, np.inf, 4.0], "NaN or infinity"),
        (["a", "b", "c", "d"], "must be numeric"),
        (np.zeros((4, 2, 2)), "must be 1D .* or 2D"),
        ([], "too short"),
    ],
)
def test_make_windows_bad_series(series, match):
    with pytest.raises(ValueError, match=match):
        make_windows(series, 2)


def test_seasonal_naive_repeats_the_last_season():
    series = pd.Series([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0])
    np.testing.assert_array_equal(
        seasonal_naive_forecast(series, season=3, horizon=7), [5, 6, 7, 5, 6, 7, 5]
    )
    np.testing.assert_array_equal(seasonal_naive_forecast(series, season=1, horizon=2), [7, 7])
    np.testing.assert_array_equal(seasonal_naive_forecast(series, season=7, horizon=2), [1.0, 2.0])


def test_seasonal_naive_is_exact_on_a_purely_seasonal_series():
    pattern = np.array([3.0, 1.0, 4.0, 1.0, 5.0])
    history = np.tile(pattern, 4)
    future = np.tile(pattern, 2)
    np.testing.assert_array_equal(seasonal_naive_forecast(history, 5, 10), future)


@pytest.mark.parametrize(
    ("args", "error", "match"),
    [
        (([1.0, 2.0], 3, 1), ValueError, "too short.*season=3"),
        (([1.0, 2.0], 0, 1), ValueError, "season must be >= 1"),
        (([1.0, 2.0], 1, 0), ValueError, "horizon must be >= 1"),
        (([1.0, 2.0], 1.5, 1), TypeError, "season must be an int"),
        ((np.ones((4, 2)), 1, 1), ValueError, "univariate"),
        (([1.0, np.nan], 1, 1), ValueError, "NaN"),
    ],
)
def test_seasonal_naive_bad_arguments(args, error, match):
    with pytest.raises(error, match=match):
        seasonal_naive_forecast(*args)


def test_windows_and_baseline_on_a_monthly_series():
    """The seasonal naive baseline is a fair reference on monthly data (season 12)."""
    months = pd.date_range("1949-01", periods=144, freq="MS")
    trend = np.linspace(100, 400, 144)
    series = pd.Series(trend * (1 + 0.2 * np.sin(2 * np.pi * np.arange(144) / 12)), months)
    train, test = series.iloc[:-12], series.iloc[-12:]
    forecast = seasonal_naive_forecast(train, season=12, horizon=12)
    assert forecast.shape == (12,)
    assert np.corrcoef(forecast, test)[0, 1] > 0.99
    X, y = make_windows(train, window=24, horizon=12)
    assert X.shape == (len(train) - 24 - 12 + 1, 24, 1)
    assert y.shape == (X.shape[0], 12)


# -- many series, covariates, the last windows ---------------------------------------------

from sklearn_rnn.forecasting import last_windows  # noqa: E402


@settings(max_examples=50, deadline=None)
@given(
    data=st.data(),
    window=st.integers(1, 6),
    horizon=st.integers(1, 4),
)
def test_no_look_ahead(data, window, horizon):
    """Changing anything after a window's end leaves the window unchanged, except the
    future covariates, which it reads up to ``horizon`` steps ahead and no further."""
    n = data.draw(st.integers(window + horizon + 1, window + horizon + 20), label="n")
    rng = np.random.RandomState(data.draw(st.integers(0, 1000), label="seed"))
    series, past, future = rng.randn(n), rng.randn(n, 2), rng.randn(n, 1)
    X, _ = make_windows(series, window, horizon, past_covariates=past, future_covariates=future)
    cut = data.draw(st.integers(0, len(X) - 1), label="window index")
    end = cut + window  # first step after the window
    changed = [a.copy() for a in (series, past, future)]
    changed[0][end:] += 1
    changed[1][end:] += 1
    changed[2][end + horizon :] += 1
    X2, _ = make_windows(
        changed[0], window, horizon, past_covariates=changed[1], future_covariates=changed[2]
    )
    np.testing.assert_array_equal(X2[cut], X[cut])


def test_covariates_line_up():
    series = np.arange(10.0)
    past = 100 + np.arange(10.0)
    future = 200 + np.arange(10.0)
    X, y = make_windows(series, 3, horizon=2, past_covariates=past, future_covariates=future)
    assert X.shape == (6, 3, 3)
    np.testing.assert_array_equal(X[1, :, 0], [1, 2, 3])
    np.testing.assert_array_equal(X[1, :, 1], [101, 102, 103])
    np.testing.assert_array_equal(X[1, :, 2], [203, 204, 205])  # shifted by the horizon
    np.testing.assert_array_equal(y[1], [4, 5])
    np.testing.assert_array_equal(X[1, -2:, 2], 200 + y[1])  # the forecast period's values
    # The last window of the history is make_windows' window that ends there.
    last = last_windows(
        series[:8], 3, horizon=2, past_covariates=past[:8], future_covariates=future
    )
    np.testing.assert_array_equal(last[0], X[-1])


def test_list_of_series_and_long_frame_agree():
    a, b = np.arange(10.0), 50 + np.arange(7.0)
    X, y = make_windows([a, b], 3, horizon=2)
    assert X.shape == (6 + 3, 3, 1)
    # Latest windows last: the rows are ordered by distance from each series' end.
    ends = X[:, -1, 0]
    np.testing.assert_array_equal(ends[-2:], [7.0, 54.0])
    frame = pd.DataFrame(
        {
            "id": ["a"] * 10 + ["b"] * 7,
            "t": np.r_[np.arange(10), np.arange(3, 10)],
            "value": np.r_[a, b],
        }
    )
    X_long, y_long = make_windows(
        frame.sample(frac=1, random_state=0), 3, horizon=2, id_column="id", time_column="t"
    )
    np.testing.assert_array_equal(np.sort(X_long[:, :, 0], 0), np.sort(X[:, :, 0], 0))
    np.testing.assert_array_equal(X_long[-2:, -1, 0], [7.0, 54.0])  # same last times
    np.testing.assert_array_equal(
        last_windows(frame, 3, id_column="id", time_column="t")[:, :, 0], [[7, 8, 9], [54, 55, 56]]
    )


def test_long_frame_future_rows_feed_last_windows():
    frame = pd.DataFrame(
        {"id": ["a"] * 6, "sales": [1.0, 2, 3, 4, np.nan, np.nan], "promo": [0.0, 1, 0, 1, 1, 0]}
    )
    X = last_windows(frame, 3, horizon=2, id_column="id", future_covariates=["promo"])
    # Sales of steps 1-3; promotions of steps 3-5 (the last two are the forecast period's).
    np.testing.assert_array_equal(X[0], [[2, 1], [3, 1], [4, 0]])


def test_auto_window():
    X, y = make_windows([np.arange(120.0), np.arange(200.0)], "auto", horizon=24)
    assert X.shape[1] == 48  # half of what the shortest series holds before its horizon
    last = last_windows([np.arange(120.0), np.arange(200.0)], "auto", horizon=24)
    assert last.shape == (2, 48, 1)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"series": [np.arange(10.0), np.arange(4.0)]}, r"series\[1\] is too short.*4 time steps"),
        ({"series": [np.arange(10.0), [1.0, np.nan] * 5]}, r"series\[1\] contains NaN"),
        ({"past_covariates": np.ones(9)}, "past_covariates of series have 9 time steps"),
        ({"future_covariates": np.ones(11)}, "future_covariates of series have 11 time steps"),
        ({"future_covariates": [np.nan] * 10}, "future_covariates of series contains? NaN"),
        (
            {"series": [np.arange(10.0)] * 2, "past_covariates": [np.ones(10)]},
            "past_covariates must be a list with one array per series",
        ),
        ({"id_column": "id"}, "id_column needs series to be a long DataFrame"),
        ({"time_column": "t"}, "time_column needs id_column"),
    ],
)
def test_collection_bad_input_names_the_argument(kwargs, match):
    kwargs = {"series": np.arange(10.0), **kwargs}
    with pytest.raises(ValueError, match=match):
        make_windows(window=3, horizon=2, **kwargs)


def test_last_windows_bad_input():
    with pytest.raises(ValueError, match="horizon is needed"):
        last_windows(np.arange(10.0), 3, future_covariates=np.ones(12))
    with pytest.raises(
        ValueError, match=r"future_covariates of series have 10 time steps.*horizon=2"
    ):
        last_windows(np.arange(10.0), 3, horizon=2, future_covariates=np.ones(10))
    with pytest.raises(ValueError, match="too short.*fewer than window=30"):
        last_windows(np.arange(10.0), 30)
