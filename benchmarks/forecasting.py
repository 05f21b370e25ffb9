"""Forecasting benchmark on any pair of files in the M4 competition's CSV format.

Runs, in one process and on the same series:

* the library's documented forecasting path with its defaults (only ``random_state=0``)::

      X, y = make_windows(train, window="auto", horizon=H)
      model = RNNForecaster(random_state=0).fit(X, y)
      quantiles = model.predict_quantiles(last_windows(train, window="auto", horizon=H))

  one global model over all the series; the point forecast is the median, the 80 %
  interval the 0.1 and 0.9 quantiles;
* the seasonal naive forecast (season ``S``);
* statsforecast's AutoETS and AutoTheta (season ``S``, 80 % intervals), when
  statsforecast is installed (the ``baselines`` extra), else a note in their rows.

It reports sMAPE and MASE as the M4 competition computes them (MASE scaled by the
in-sample error of the seasonal naive forecast with lag ``S``), MAE, the share of test
values inside the 80 % interval, and the fit time. ``S`` serves the baselines and the
MASE scale only; the library detects the season itself. Usage::

    python benchmarks/forecasting.py --train ../shared/data/m4/Hourly-train.csv \\
        --test ../shared/data/m4/Hourly-test.csv --horizon 48 --season 24

The last line is ``forecast: library sMAPE <x> MASE <y> coverage80 <c>; seasonal naive
sMAPE <a> MASE <b>``. ``--threads`` sets torch's threads (default: torch's own); on a
machine other programs share, ``--threads 1`` (with two threads and a load of ~10 on two
cores, the fit ran several times slower than with one).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's package

from sklearn_rnn import RNNForecaster  # noqa: E402
from sklearn_rnn.datasets import load_m4  # noqa: E402
from sklearn_rnn.forecasting import (  # noqa: E402
    last_windows,
    make_windows,
    seasonal_naive_forecast,
)


def scores(train, test, point, low=None, high=None, season=1) -> dict:
    """sMAPE, MASE, MAE (means over series) and the 80 % interval's coverage."""
    smape, mase, mae, inside = [], [], [], []
    for history, truth, forecast, i in zip(train, test, point, range(len(test)), strict=True):
        error = np.abs(truth - forecast)
        smape.append(np.mean(200 * error / (np.abs(truth) + np.abs(forecast))))
        lag = season if len(history) > season else 1
        mase.append(np.mean(error) / np.mean(np.abs(history[lag:] - history[:-lag])))
        mae.append(np.mean(error))
        if low is not None:
            inside.append((truth >= low[i]) & (truth <= high[i]))
    coverage = float(np.mean(np.concatenate(inside))) if inside else None
    return {
        "smape": float(np.mean(smape)),
        "mase": float(np.mean(mase)),
        "mae": float(np.mean(mae)),
        "coverage80": coverage,
    }


def library(train, horizon: int, seed: int = 0):
    """The documented path with its defaults: point forecast, 10 % and 90 % quantiles."""
    X, y = make_windows(train, window="auto", horizon=horizon)
    start, cpu = time.perf_counter(), time.process_time()
    model = RNNForecaster(random_state=seed).fit(X, y)
    seconds = time.perf_counter() - start
    # CPU seconds of all threads: on a machine others share, wall time overstates the cost.
    cpu = time.process_time() - cpu
    quantiles = model.predict_quantiles(last_windows(train, window="auto", horizon=horizon))
    quantiles = quantiles.reshape(len(train), horizon, -1)
    median = model.predict(last_windows(train, window="auto", horizon=horizon))
    info = {
        "windows": X.shape,
        "season": model.season_,
        "epochs": len(model.history),
        "fit_cpu_seconds": cpu,
    }
    return median.reshape(len(train), horizon), quantiles[..., 0], quantiles[..., -1], seconds, info


def statsforecast_models(train, horizon: int, season: int):
    """``{name: (point, low, high, seconds)}`` for AutoETS and AutoTheta, or None."""
    try:
        import pandas as pd
        from statsforecast import StatsForecast
        from statsforecast.models import AutoETS, AutoTheta
    except ImportError:
        return None
    frame = pd.concat(
        pd.DataFrame({"unique_id": i, "ds": np.arange(len(s)), "y": s}) for i, s in enumerate(train)
    )
    results = {}
    for name, model in (
        ("AutoETS", AutoETS(season_length=season)),
        ("AutoTheta", AutoTheta(season_length=season)),
    ):
        start = time.perf_counter()
        out = StatsForecast(models=[model], freq=1, n_jobs=1).forecast(
            df=frame, h=horizon, level=[80]
        )
        seconds = time.perf_counter() - start
        out = out.sort_values(["unique_id", "ds"])
        shape = (len(train), horizon)
        results[name] = tuple(
            out[column].to_numpy().reshape(shape)
            for column in (name, f"{name}-lo-80", f"{name}-hi-80")
        ) + (seconds,)
    return results


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--train", required=True, help="training file, M4 CSV format")
    parser.add_argument("--test", required=True, help="test file: the values after each series")
    parser.add_argument("--horizon", type=int, required=True, help="steps to forecast")
    parser.add_argument(
        "--season",
        type=int,
        required=True,
        help="season of the seasonal naive forecast, the baselines and MASE",
    )
    parser.add_argument("--threads", type=int, default=None, help="torch threads")
    parser.add_argument("--json", default=None, help="also write the results here")
    args = parser.parse_args(argv)
    if args.threads is not None:
        import torch

        torch.set_num_threads(args.threads)
    train_by_id, test_by_id = load_m4(args.train), load_m4(args.test)
    if list(train_by_id) != list(test_by_id):
        raise ValueError(f"{args.train} and {args.test} hold different series ids")
    train = list(train_by_id.values())
    test = [values[: args.horizon] for values in test_by_id.values()]
    short = [key for key, values in test_by_id.items() if len(values) < args.horizon]
    if short:
        raise ValueError(f"{args.test}: series {short[:3]} have fewer than {args.horizon} values")

    rows = {}
    point, low, high, seconds, info = library(train, args.horizon)
    rows["library (RNNForecaster)"] = {
        **scores(train, test, point, low, high, args.season),
        "fit_seconds": seconds,
        **info,
    }
    naive = [seasonal_naive_forecast(s, args.season, args.horizon) for s in train]
    rows["seasonal naive"] = {**scores(train, test, naive, season=args.season), "fit_seconds": 0.0}
    peers = statsforecast_models(train, args.horizon, args.season)
    if peers is None:
        for name in ("AutoETS", "AutoTheta"):
            rows[name] = {
                "note": "skipped: statsforecast is not installed (pip install "
                "statsforecast, or the baselines extra)"
            }
    else:
        for name, (p, lo, hi, s) in peers.items():
            rows[name] = {**scores(train, test, p, lo, hi, args.season), "fit_seconds": s}

    print(f"{len(train)} series, horizon {args.horizon}, season {args.season}")
    lib = rows["library (RNNForecaster)"]
    print(
        f"library: {lib['windows'][0]} windows of {lib['windows'][1]} steps, season "
        f"{lib['season']} detected, {lib['epochs']} epochs, fit {lib['fit_seconds']:.0f} s "
        f"wall / {lib['fit_cpu_seconds']:.0f} s CPU"
    )
    print(f"{'method':<26}{'sMAPE':>8}{'MASE':>8}{'MAE':>12}{'cover80':>9}{'fit s':>8}")
    for name, r in rows.items():
        if "note" in r:
            print(f"{name:<26}{r['note']}")
            continue
        cover = "-" if r["coverage80"] is None else f"{r['coverage80']:.3f}"
        print(
            f"{name:<26}{r['smape']:8.3f}{r['mase']:8.3f}{r['mae']:12.2f}{cover:>9}"
            f"{r['fit_seconds']:8.1f}"
        )
    lib, sn = rows["library (RNNForecaster)"], rows["seasonal naive"]
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=2, default=str)
    print(
        f"forecast: library sMAPE {lib['smape']:.3f} MASE {lib['mase']:.3f} coverage80 "
        f"{lib['coverage80']:.3f}; seasonal naive sMAPE {sn['smape']:.3f} MASE {sn['mase']:.3f}"
    )
    return rows


if __name__ == "__main__":
    main()
