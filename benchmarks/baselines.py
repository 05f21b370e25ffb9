"""The library with pure defaults against the baseline a user tries first, in one run.

For every dataset in ``../shared/data`` (or the fetch cache), one row per metric: the
score of the estimator built with nothing but ``random_state``, the score of the
baseline fitted on the same split in the same process, their difference, and both fit
times. Nothing is tuned; what a default does, it does here.

==================  ===========================  ============================================
data                sklearn_rnn (defaults)       baselines
==================  ===========================  ============================================
MR (10-fold CV)     ``RNNClassifier()``          TF-IDF + ``LogisticRegression()``, and with
                                                 word bigrams (``ngram_range=(1, 2)``)
GunPoint,           ``RNNClassifier()``          1-NN Euclidean; MiniRocket (aeon's
ItalyPowerDemand,                                ``MiniRocketClassifier``) when aeon is
BasicMotions                                     installed
UD English-EWT      ``RNNTagger()``              sklearn-crfsuite with the usual word
                                                 features, when installed
airline             ``RNNRegressor()`` on        seasonal naive; ETS (statsmodels'
(last 24 months)    ``make_windows(window=24)``  Holt-Winters, additive trend, multiplicative
                                                 season) when installed
==================  ===========================  ============================================

The optional peers (aeon, sklearn-crfsuite, statsmodels) are the ``baselines`` extra:
``pip install -e ".[baselines]"`` (aeon pins numpy/pandas below the newest releases, so a
separate virtual environment keeps the main one untouched). A missing one is reported
in its row, never silently dropped.

airline is scored at two horizons: one step ahead (each test month predicted from the
true months before it) and 24 steps ahead (recursively, from the end of the training
period). MAE in passengers, lower is better. The ``airline (log growth)`` rows fit the
same defaults on windows of the year-on-year log growth ``log y[t] - log y[t-12]``, the
transform ``examples/forecast_airline.py`` teaches, and turn the forecasts back into
passengers. The ``airline (RNNForecaster)`` rows are the forecasting path with its
defaults: ``make_windows(train, window="auto", horizon=24)``, ``RNNForecaster()``, one
direct 24-step forecast (its first step, from the true months, for one step ahead).

Usage::

    python benchmarks/baselines.py                       # everything (MR 10-fold)
    python benchmarks/baselines.py --mr-folds 3          # the first 3 MR folds
    python benchmarks/baselines.py --datasets GunPoint ItalyPowerDemand BasicMotions
    python benchmarks/baselines.py --json results.json

Torch runs on ``--threads`` threads (default 1: on a shared machine more threads are
often slower, see ``benchmarks/accuracy.py``).
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

import numpy as np
import torch
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "examples"))  # the data loaders of the examples
sys.path.insert(0, str(ROOT))

import forecast_airline  # noqa: E402
import sentiment_mr  # noqa: E402
import time_series_classification as tsc  # noqa: E402

from sklearn_rnn import RNNClassifier, RNNForecaster, RNNRegressor, RNNTagger  # noqa: E402
from sklearn_rnn.datasets import load_conllu  # noqa: E402
from sklearn_rnn.forecasting import (  # noqa: E402
    last_windows,
    make_windows,
    seasonal_naive_forecast,
)

UCR_DATASETS = ("GunPoint", "ItalyPowerDemand", "BasicMotions")
ALL_DATASETS = ("MR", *UCR_DATASETS, "EWT", "airline")
SHARED_DATA = ROOT.parent / "shared" / "data"


def timed(fn):
    """``(fn(), seconds)``."""
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def row(dataset, metric, ours, ours_s, baseline, score, base_s, higher_is_better=True):
    """One table row; ``score`` None when the baseline's package is missing."""
    diff = None if score is None else (ours - score if higher_is_better else score - ours)
    return {
        "dataset": dataset,
        "metric": metric,
        "ours": ours,
        "ours_seconds": ours_s,
        "baseline": baseline,
        "baseline_score": score,
        "baseline_seconds": base_s,
        "difference": diff,  # > 0: the library's defaults are better
    }


# -- text -------------------------------------------------------------------------------


def benchmark_mr(data_dir, n_folds: int, seed: int) -> list[dict]:
    texts, labels = sentiment_mr.load_mr(data_dir)
    texts = np.asarray(texts, dtype=object)
    folds = list(StratifiedKFold(10, shuffle=True, random_state=seed).split(texts, labels))
    models = {
        "rnn": lambda i: RNNClassifier(random_state=seed + i),
        "TF-IDF + LogisticRegression": lambda i: make_pipeline(
            TfidfVectorizer(), LogisticRegression()
        ),
        "TF-IDF (1-2 grams) + LogisticRegression": lambda i: make_pipeline(
            TfidfVectorizer(ngram_range=(1, 2)), LogisticRegression()
        ),
    }
    scores = {name: [] for name in models}
    seconds = dict.fromkeys(models, 0.0)
    for i, (train, test) in enumerate(folds[:n_folds]):
        for name, make in models.items():
            model = make(i)
            _, s = timed(
                lambda model=model, train=train: model.fit(list(texts[train]), labels[train])
            )
            seconds[name] += s
            scores[name].append(float(model.score(list(texts[test]), labels[test])))
        print(
            f"  MR fold {i + 1}/{n_folds}: "
            + ", ".join(f"{name} {scores[name][-1]:.4f}" for name in models),
            flush=True,
        )
    which = "10-fold CV" if n_folds == 10 else f"first {n_folds} of 10 CV folds"
    ours = float(np.mean(scores["rnn"]))
    return [
        row(
            "MR",
            f"accuracy, {which}",
            ours,
            seconds["rnn"] / n_folds,
            name,
            float(np.mean(scores[name])),
            seconds[name] / n_folds,
        )
        for name in models
        if name != "rnn"
    ]


# -- series classification ----------------------------------------------------------------


def minirocket(seed: int):
    try:
        from aeon.classification.convolution_based import MiniRocketClassifier
    except ImportError:
        return None
    return MiniRocketClassifier(random_state=seed)


def benchmark_ucr(name: str, data_dir, seed: int) -> list[dict]:
    X_train, X_test, y_train, y_test = tsc.load_ucr(name, data_dir)
    model = RNNClassifier(random_state=seed)
    _, ours_s = timed(lambda: model.fit(X_train, y_train))
    ours = float(model.score(X_test, y_test))
    flat = KNeighborsClassifier(n_neighbors=1)
    _, knn_s = timed(lambda: flat.fit(X_train.reshape(len(X_train), -1), y_train))
    knn = float(flat.score(X_test.reshape(len(X_test), -1), y_test))
    rows = [row(name, "test accuracy", ours, ours_s, "1-NN Euclidean", knn, knn_s)]
    rocket = minirocket(seed)
    if rocket is None:
        rows.append(
            row(name, "test accuracy", ours, ours_s, "MiniRocket (aeon missing)", None, None)
        )
    else:
        # aeon reads (n_cases, n_channels, n_timepoints)
        _, rocket_s = timed(lambda: rocket.fit(X_train.transpose(0, 2, 1), y_train))
        score = float(np.mean(rocket.predict(X_test.transpose(0, 2, 1)) == y_test))
        rows.append(row(name, "test accuracy", ours, ours_s, "MiniRocket", score, rocket_s))
    return rows


# -- tagging ------------------------------------------------------------------------------


def crf_features(sentence: list[str], i: int) -> dict:
    """The usual sklearn-crfsuite word features (its tutorial's, without POS input)."""
    word = sentence[i]
    features = {
        "bias": 1.0,
        "lower": word.lower(),
        "suffix3": word[-3:],
        "suffix2": word[-2:],
        "prefix2": word[:2],
        "isupper": word.isupper(),
        "istitle": word.istitle(),
        "isdigit": word.isdigit(),
    }
    for offset, name in ((-1, "prev"), (1, "next")):
        j = i + offset
        if 0 <= j < len(sentence):
            features[f"{name}_lower"] = sentence[j].lower()
            features[f"{name}_istitle"] = sentence[j].istitle()
        else:
            features[f"{name}_boundary"] = True
    return features


def benchmark_ewt(data_dir, seed: int) -> list[dict]:
    folder = Path(data_dir or SHARED_DATA) / "UD_English-EWT"
    X_train, y_train = load_conllu(folder / "en_ewt-ud-train.conllu")
    X_test, y_test = load_conllu(folder / "en_ewt-ud-test.conllu")
    tagger = RNNTagger(random_state=seed)
    _, ours_s = timed(lambda: tagger.fit(X_train, y_train))
    ours = float(tagger.score(X_test, y_test))
    try:
        import sklearn_crfsuite
    except ImportError:
        return [row("EWT", "UPOS accuracy, test", ours, ours_s, "CRF (missing)", None, None)]
    crf = sklearn_crfsuite.CRF(algorithm="lbfgs", c1=0.1, c2=0.1, max_iterations=100)
    features = [[crf_features(s, i) for i in range(len(s))] for s in X_train]
    _, crf_s = timed(lambda: crf.fit(features, [list(t) for t in y_train]))
    predicted = crf.predict([[crf_features(s, i) for i in range(len(s))] for s in X_test])
    truth = np.concatenate([np.asarray(t) for t in y_test])
    score = float(np.mean(np.concatenate([np.asarray(p) for p in predicted]) == truth))
    return [row("EWT", "UPOS accuracy, test", ours, ours_s, "sklearn-crfsuite", score, crf_s)]


# -- forecasting --------------------------------------------------------------------------

WINDOW = 24
HORIZON = 24
SEASON = 12


def ets_forecasts(history: np.ndarray, test_len: int):
    """One-step (refitted at every origin) and 24-step ETS forecasts, or None."""
    try:
        from statsmodels.tsa.holtwinters import ExponentialSmoothing
    except ImportError:
        return None

    def fit(values):
        model = ExponentialSmoothing(values, trend="add", seasonal="mul", seasonal_periods=SEASON)
        return model.fit()

    full = np.asarray(history, dtype=np.float64)
    train = full[:-test_len]
    multi = fit(train).forecast(test_len)
    one = np.array([fit(full[: len(train) + k]).forecast(1)[0] for k in range(test_len)])
    return one, multi


def growth_forecasts(series: np.ndarray, n_train: int, seed: int):
    """``RNNRegressor()`` on windows of the year-on-year log growth, fitted and forecast
    24 steps ahead by ``examples/forecast_airline.py``'s own ``forecast``; with the one-step
    forecasts from the true months before each test month, in passengers, and the time."""
    model = RNNRegressor(random_state=seed)
    horizon = len(series) - n_train
    multi_step, seconds = timed(lambda: forecast_airline.forecast(model, series[:n_train], horizon))
    logs = np.log(series)
    growth = logs[SEASON:] - logs[:-SEASON]  # growth[i] belongs to month i + SEASON
    months = range(n_train, len(series))
    windows = np.stack([growth[t - SEASON - WINDOW : t - SEASON] for t in months])
    one_step = np.exp(logs[n_train - SEASON : -SEASON] + model.predict(windows[:, :, None]))
    return one_step, multi_step, seconds


def forecaster_forecasts(series: np.ndarray, n_train: int, seed: int):
    """``RNNForecaster(random_state=seed)`` on the documented path (``window="auto"``,
    a direct 24-step target): the one-step forecasts (the first step of the forecast from
    the true months before each test month), the 24-step forecast and the fit time."""
    horizon = len(series) - n_train
    train = series[:n_train]
    X, y = make_windows(train, window="auto", horizon=horizon)
    model = RNNForecaster(random_state=seed)
    _, seconds = timed(lambda: model.fit(X, y))
    multi_step = model.predict(last_windows(train, window="auto", horizon=horizon))[0]
    window = X.shape[1]
    windows = np.stack([series[t - window : t] for t in range(n_train, len(series))])
    one_step = model.predict(windows[:, :, None].astype(np.float32))[:, 0]
    return one_step, multi_step, seconds


def benchmark_airline(data_dir, seed: int) -> list[dict]:
    series = forecast_airline.load_airline(data_dir).to_numpy(dtype=np.float64)
    train, truth = series[:-HORIZON], series[-HORIZON:]

    X, y = make_windows(train, window=WINDOW)
    model = RNNRegressor(random_state=seed)
    _, ours_s = timed(lambda: model.fit(X, y))
    # one step ahead: each test month from the true months before it
    one_inputs = np.stack([series[t - WINDOW : t] for t in range(len(train), len(series))]).astype(
        np.float32
    )[:, :, None]
    one_step = model.predict(one_inputs)
    # 24 steps ahead: recursively from the end of the training months
    history = list(train)
    for _ in range(HORIZON):
        window = np.asarray(history[-WINDOW:], dtype=np.float32)[None, :, None]
        history.append(float(model.predict(window)[0]))
    multi_step = np.asarray(history[-HORIZON:])

    def mae(predicted):
        return float(np.mean(np.abs(np.asarray(predicted) - truth)))

    naive_one = series[len(train) - SEASON : len(series) - SEASON]  # same month last year
    naive_multi = seasonal_naive_forecast(train, season=SEASON, horizon=HORIZON)
    rows = []
    ets = ets_forecasts(series, HORIZON)
    growth_one, growth_multi, growth_s = growth_forecasts(series, len(train), seed)
    direct_one, direct_multi, direct_s = forecaster_forecasts(series, len(train), seed)
    for dataset, seconds, forecasts in (
        ("airline", ours_s, (one_step, multi_step)),
        ("airline (log growth)", growth_s, (growth_one, growth_multi)),
        ("airline (RNNForecaster)", direct_s, (direct_one, direct_multi)),
    ):
        for horizon, ours, naive, ets_pred in (
            ("1 step ahead", forecasts[0], naive_one, None if ets is None else ets[0]),
            ("24 steps ahead", forecasts[1], naive_multi, None if ets is None else ets[1]),
        ):
            metric = f"MAE, last 24 months, {horizon}"
            score = mae(ours)
            rows.append(
                row(dataset, metric, score, seconds, "seasonal naive", mae(naive), 0.0, False)
            )
            ets_score = None if ets_pred is None else mae(ets_pred)
            name = "ETS (Holt-Winters)" if ets is not None else "ETS (statsmodels missing)"
            rows.append(row(dataset, metric, score, seconds, name, ets_score, None, False))
    return rows


# -- report -------------------------------------------------------------------------------


def fmt(value, digits=3):
    return "n/a" if value is None else f"{value:.{digits}f}"


def markdown_table(rows: list[dict]) -> str:
    lines = [
        "| dataset | metric | sklearn_rnn defaults | fit | baseline | baseline score | fit "
        "| difference |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        digits = 1 if r["dataset"].startswith("airline") else 3
        base_s = "n/a" if r["baseline_seconds"] is None else f"{r['baseline_seconds']:.1f} s"
        diff = "n/a" if r["difference"] is None else f"{r['difference']:+.{digits}f}"
        lines.append(
            f"| {r['dataset']} | {r['metric']} | {fmt(r['ours'], digits)} | "
            f"{r['ours_seconds']:.1f} s | {r['baseline']} | {fmt(r['baseline_score'], digits)} "
            f"| {base_s} | {diff} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--datasets", nargs="+", choices=ALL_DATASETS, default=ALL_DATASETS)
    parser.add_argument("--mr-folds", type=int, default=10, help="run the first N MR folds")
    parser.add_argument("--data-dir", default=None, help="default: fetch cache / ../shared/data")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (default 1)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, help="also write the rows here")
    args = parser.parse_args(argv)
    if not 1 <= args.mr_folds <= 10:
        parser.error("--mr-folds must be between 1 and 10")
    torch.set_num_threads(args.threads)
    data_dir = args.data_dir

    rows: list[dict] = []
    start = time.perf_counter()
    for name in args.datasets:
        print(f"{name} ...", flush=True)
        if name == "MR":
            found = benchmark_mr(data_dir, args.mr_folds, args.seed)
        elif name == "EWT":
            found = benchmark_ewt(data_dir, args.seed)
        elif name == "airline":
            found = benchmark_airline(data_dir, args.seed)
        else:
            found = benchmark_ucr(name, data_dir, args.seed)
        for r in found:
            print(
                f"  {r['metric']}: ours {fmt(r['ours'])} vs {r['baseline']} "
                f"{fmt(r['baseline_score'])}",
                flush=True,
            )
        rows.extend(found)
    total = time.perf_counter() - start
    print()
    print(markdown_table(rows))
    print()
    print(
        f"torch {torch.__version__}, {args.threads} thread(s), {platform.machine()}, "
        f"seed {args.seed}, total {total:.0f} s. Fit times: mean per fold for MR."
    )
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "total_seconds": total}, indent=2))
    return rows


if __name__ == "__main__":
    main()
