"""Forecast the airline passengers series 24 months ahead with an LSTM on sliding windows
======================================================================================

The classic Box & Jenkins series (monthly, 1949-1960) grows and its yearly swing grows
with it. The network therefore learns the *log seasonal difference*
``d[t] = log y[t] - log y[t-12]`` (the year-on-year growth rate, roughly stationary):
:func:`~sklearn_rnn.forecasting.make_windows` cuts ``d`` into (24 past months -> next
month) pairs for :class:`~sklearn_rnn.RNNRegressor`, and the 24 held-out months are
forecast recursively, each forecast fed back as input. ``log y[t] = log y[t-12] + d[t]``
turns the growth rates back into passengers. A growth rate of 0 is exactly the seasonal
naive forecast (:func:`~sklearn_rnn.forecasting.seasonal_naive_forecast`), the baseline
the model is compared with on the last 24 months (MAE and RMSE, in thousands of
passengers). About 10 seconds on 2 cores.
Times are for an idle 2-core machine; where other programs share the cores,
``--threads 1`` keeps them (with torch's default of one thread per core, runs on a
busy machine were measured 2-10x slower). ``--plot`` needs matplotlib
(the ``examples`` extra: ``pip install -e ".[examples]"``). Run it with::

    python examples/forecast_airline.py                       # fetch (cached) or ../shared/data
    python examples/forecast_airline.py --data-dir ../shared/data --plot airline.png

Result with the settings below (``benchmarks/accuracy.py``): MAE 26.2 on the last 24
months, against 71.2 for the seasonal naive forecast.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from sklearn_rnn import RNNRegressor
from sklearn_rnn.datasets import fetch_airline, load_series_csv
from sklearn_rnn.forecasting import make_windows, seasonal_naive_forecast

#: The project's shared data folder (``<repo>/../shared/data``), used when downloading fails.
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"

HORIZON = 24  # months held out and forecast
SEASON = 12  # months per yearly cycle
WINDOW = 24  # months of growth rates the network reads per forecast

#: The documented settings (see benchmarks/accuracy.py): chosen on 3 seeds, MAE 26-30
#: against 71 for the seasonal naive forecast.
SETTINGS = {
    "cell": "lstm",
    "hidden_size": 32,
    "lr": 3e-3,
    "lr_schedule": "constant",
    "max_epochs": 200,
    "conv_blocks": None,
}


def load_airline(data_dir: str | Path | None = None) -> pd.Series:
    """The monthly series: from ``data_dir``, else the fetch cache, else ``SHARED_DATA``."""
    if data_dir is None:
        try:
            return fetch_airline()
        except OSError as exc:
            if not (SHARED_DATA / "airline" / "Airline.csv").is_file():
                raise
            print(f"fetch_airline failed ({type(exc).__name__}); reading {SHARED_DATA}")
            data_dir = SHARED_DATA
    folder = Path(data_dir)
    for path in (folder / "airline" / "Airline.csv", folder / "Airline.csv", folder):
        if path.is_file():
            return load_series_csv(path, date_column="Date", value_column="Passengers")
    raise FileNotFoundError(f"no airline/Airline.csv under {folder}")


def make_model(random_state: int = 0, **overrides) -> RNNRegressor:
    """The regressor with the documented settings (``overrides`` win)."""
    return RNNRegressor(**{**SETTINGS, "random_state": random_state, **overrides})


def forecast(model: RNNRegressor, history: np.ndarray, horizon: int = HORIZON) -> np.ndarray:
    """Fit ``model`` on ``history`` and forecast the next ``horizon`` values recursively."""
    logs = np.log(np.asarray(history, dtype=np.float64))
    growth = logs[SEASON:] - logs[:-SEASON]  # year-on-year log growth
    X, y = make_windows(growth, window=WINDOW)  # (n, 24, 1) -> (n,)
    model.fit(X, y)
    growth, logs = list(growth), list(logs)
    for _ in range(horizon):
        window = np.asarray(growth[-WINDOW:], dtype=np.float32)[None, :, None]
        step = float(model.predict(window)[0])
        growth.append(step)
        logs.append(logs[-SEASON] + step)
    return np.exp(np.asarray(logs[-horizon:]))


def mae(pred: np.ndarray, true: np.ndarray) -> float:
    return float(np.mean(np.abs(pred - true)))


def rmse(pred: np.ndarray, true: np.ndarray) -> float:
    return float(np.sqrt(np.mean((pred - true) ** 2)))


def run(
    data_dir: str | Path | None = None,
    max_epochs: int | None = None,
    random_state: int = 0,
    plot: str | Path | None = None,
) -> dict:
    """Train, forecast the last 24 months, return the scores (and save the plot if asked)."""
    if plot is not None:
        require_matplotlib()  # before training, not after
    series = load_airline(data_dir)
    train, test = series.iloc[:-HORIZON], series.iloc[-HORIZON:]
    overrides = {} if max_epochs is None else {"max_epochs": max_epochs}
    start = time.perf_counter()
    predicted = forecast(make_model(random_state, **overrides), train.to_numpy())
    seconds = time.perf_counter() - start
    naive = seasonal_naive_forecast(train.to_numpy(), season=SEASON, horizon=HORIZON)
    truth = test.to_numpy(dtype=np.float64)
    scores = {
        "rnn_mae": mae(predicted, truth),
        "rnn_rmse": rmse(predicted, truth),
        "naive_mae": mae(naive, truth),
        "naive_rmse": rmse(naive, truth),
        "train_seconds": seconds,
    }
    if plot is not None:
        save_plot(series, test.index, predicted, naive, plot)
    return scores


def require_matplotlib() -> None:
    """Raise ImportError naming the extra to install when matplotlib is missing."""
    try:
        import matplotlib  # noqa: F401
    except ImportError as exc:
        raise ImportError("--plot needs matplotlib: pip install 'sklearn_rnn[examples]'") from exc


def save_plot(series: pd.Series, index, predicted, naive, path: str | Path) -> None:
    """Actual series, RNN forecast and seasonal naive forecast over the held-out months."""
    import matplotlib

    matplotlib.use("Agg")  # files only, no display needed
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(9, 4))
    ax.plot(series.index, series.to_numpy(), color="black", label="actual")
    ax.plot(index, predicted, color="tab:red", label="LSTM forecast")
    ax.plot(index, naive, color="tab:blue", linestyle="--", label="seasonal naive")
    ax.axvline(index[0], color="grey", linewidth=0.8)
    ax.set_ylabel("passengers (thousands)")
    ax.set_title(f"Airline passengers: last {len(index)} months held out")
    ax.legend(loc="upper left")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--data-dir",
        default=None,
        help="folder holding airline/Airline.csv (default: fetch into the cache, falling "
        "back to ../shared/data when offline)",
    )
    parser.add_argument("--max-epochs", type=int, default=None, help="default: 200")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--plot", default=None, help="save a PNG of forecast vs actual here")
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="torch threads (default: torch's, one per core); 1 on a machine others share",
    )
    args = parser.parse_args(argv)
    if args.threads is not None:
        torch.set_num_threads(args.threads)

    scores = run(args.data_dir, args.max_epochs, args.seed, args.plot)
    print(f"last {HORIZON} months held out ({scores['train_seconds']:.0f} s to train)")
    print(f"{'model':<16}{'MAE':>8}{'RMSE':>8}")
    print(f"{'LSTM':<16}{scores['rnn_mae']:8.1f}{scores['rnn_rmse']:8.1f}")
    print(f"{'seasonal naive':<16}{scores['naive_mae']:8.1f}{scores['naive_rmse']:8.1f}")
    if args.plot:
        print(f"plot saved to {args.plot}")
    return scores


if __name__ == "__main__":
    main()
