"""Classify UCR/UEA time series: GunPoint (univariate) and BasicMotions (6 sensors)
================================================================================

Each dataset is used with its official train/test split, as shipped in the archive.
X is an ``(n, T, F)`` array: GunPoint is 150 steps of one feature (the x-coordinate of
a hand: drawing a gun or pointing), BasicMotions 100 steps of a 3-D accelerometer and a
3-D gyroscope (standing, walking, running, playing badminton). Features are
standardized by the estimator; the univariate UCR series come z-normalised already.
About a minute on 2 cores.
Times are for an idle 2-core machine; where other programs share the cores,
``--threads 1`` keeps them (with torch's default of one thread per core, runs on a
busy machine were measured 2-10x slower). Run it with::

    python examples/time_series_classification.py              # fetch (cached) or ../shared/data
    python examples/time_series_classification.py --datasets GunPoint --data-dir ../shared/data

Result with the settings below (``benchmarks/accuracy.py``): test accuracy 0.993 on
GunPoint (LSTM-FCN: 1.000), 0.961 on ItalyPowerDemand (0.962) and 0.975 on BasicMotions.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import torch

from sklearn_rnn import RNNClassifier
from sklearn_rnn.datasets import fetch_ucr, load_ts

#: The project's shared data folder (``<repo>/../shared/data``), used when downloading fails.
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"

#: The documented settings, one for all three datasets (see benchmarks/accuracy.py).
#: These data sets are tiny (40-67 training series), so the library's defaults
#: (lr=1e-3, 10 epochs, batch 32: 20-30 optimizer steps in all) stop far too early:
#: GunPoint 0.700, ItalyPowerDemand 0.686, BasicMotions 0.575 test accuracy with them.
#: A bidirectional GRU with max pooling over the steps was the most robust choice over
#: seeds; a unidirectional LSTM reading the last step stalls on GunPoint's 150 steps.
COMMON = {
    "cell": "gru",
    "bidirectional": True,
    "pooling": "max",
    "conv_blocks": None,  # the recurrent network alone (the defaults add convolutions)
    "lr_schedule": "constant",  # as measured (the series defaults decay the rate)
    "hidden_size": 64,
    "lr": 1e-2,
    "batch_size": 16,
    "max_epochs": 100,
}
SETTINGS = {"GunPoint": COMMON, "ItalyPowerDemand": COMMON, "BasicMotions": COMMON}


def load_ucr(name: str, data_dir: str | Path | None = None):
    """``X_train, X_test, y_train, y_test`` as ``(n, T, F)`` arrays and label arrays.

    From ``data_dir`` (``<dir>/<name>/`` or the fetch cache's ``<dir>/ucr/<name>/``),
    else the fetch cache (downloading once), else ``SHARED_DATA`` when offline.
    """
    if data_dir is None:
        try:
            return fetch_ucr(name, return_type="numpy3d")
        except OSError as exc:
            if not (SHARED_DATA / name).is_dir():
                raise
            print(f"fetch_ucr({name!r}) failed ({type(exc).__name__}); reading {SHARED_DATA}")
            data_dir = SHARED_DATA
    folder = Path(data_dir)
    for candidate in (folder / name, folder / "ucr" / name, folder):
        train, test = candidate / f"{name}_TRAIN.ts", candidate / f"{name}_TEST.ts"
        if train.is_file() and test.is_file():
            X_train, y_train = load_ts(train, return_type="numpy3d")
            X_test, y_test = load_ts(test, return_type="numpy3d")
            return X_train, X_test, y_train, y_test
    raise FileNotFoundError(f"no {name}/{name}_TRAIN.ts and _TEST.ts under {folder}")


def make_model(name: str, random_state: int = 0, **overrides) -> RNNClassifier:
    """The classifier with the documented settings for ``name`` (``overrides`` win)."""
    settings = SETTINGS.get(name, COMMON)
    return RNNClassifier(**{**settings, "random_state": random_state, **overrides})


def run(
    name: str,
    data_dir: str | Path | None = None,
    max_epochs: int | None = None,
    random_state: int = 0,
) -> dict:
    """Train on the official train split; return test accuracy and training time."""
    X_train, X_test, y_train, y_test = load_ucr(name, data_dir)
    overrides = {} if max_epochs is None else {"max_epochs": max_epochs}
    model = make_model(name, random_state, **overrides)
    start = time.perf_counter()
    model.fit(X_train, y_train)
    seconds = time.perf_counter() - start
    return {
        "accuracy": float(model.score(X_test, y_test)),
        "train_seconds": seconds,
        "shape": np.shape(X_train),
        "n_test": len(y_test),
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--datasets", nargs="+", default=["GunPoint", "BasicMotions"])
    parser.add_argument(
        "--data-dir",
        default=None,
        help="folder holding <name>/<name>_TRAIN.ts and _TEST.ts (default: fetch into the "
        "cache, falling back to ../shared/data when offline)",
    )
    parser.add_argument("--max-epochs", type=int, default=None, help="default: 100")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="torch threads (default: torch's, one per core); 1 on a machine others share",
    )
    args = parser.parse_args(argv)
    if args.threads is not None:
        torch.set_num_threads(args.threads)

    results = {}
    for name in args.datasets:
        result = run(name, args.data_dir, args.max_epochs, args.seed)
        n, steps, features = result["shape"]
        print(
            f"{name}: {n} training series of {steps} steps x {features} feature(s); "
            f"test accuracy {result['accuracy']:.3f} on {result['n_test']} series "
            f"({result['train_seconds']:.0f} s to train)"
        )
        results[name] = result
    return results


if __name__ == "__main__":
    main()
