"""Grid search over the recurrent cell, hidden size and direction inside a Pipeline
================================================================================

ItalyPowerDemand (UCR): 24 hourly electricity readings per day, is it a winter or a
summer day? 67 training days, 1,029 test days (the official split). The pipeline adds
the hour-to-hour change as a second feature to each series (a ``FunctionTransformer``:
``(n, 24)`` -> ``(n, 24, 2)``) before the ``RNNClassifier``; ``GridSearchCV`` tries
``cell`` x ``hidden_size`` x ``bidirectional`` (12 candidates) with 3-fold
cross-validation on the training days, refits the best, and scores it on the test days.
About two minutes on 2 cores.
Times are for an idle 2-core machine; where other programs share the cores,
``--threads 1`` keeps them (with torch's default of one thread per core, runs on a
busy machine were measured 2-10x slower). Run it with::

    python examples/grid_search_pipeline.py                   # fetch (cached) or ../shared/data
    python examples/grid_search_pipeline.py --data-dir ../shared/data
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import torch
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from sklearn_rnn import RNNClassifier
from sklearn_rnn.datasets import fetch_ucr, load_ts

#: The project's shared data folder (``<repo>/../shared/data``), used when downloading fails.
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
NAME = "ItalyPowerDemand"

PARAM_GRID = {
    "rnnclassifier__cell": ["rnn", "lstm", "gru"],
    "rnnclassifier__hidden_size": [16, 64],
    "rnnclassifier__bidirectional": [False, True],
}


def load_italy_power(data_dir: str | Path | None = None):
    """``X_train, X_test, y_train, y_test``; X as ``(n, 24)`` arrays (one row per day)."""
    if data_dir is None:
        try:
            X_train, X_test, y_train, y_test = fetch_ucr(NAME, return_type="numpy3d")
            return X_train[:, :, 0], X_test[:, :, 0], y_train, y_test
        except OSError as exc:
            if not (SHARED_DATA / NAME).is_dir():
                raise
            print(f"fetch_ucr({NAME!r}) failed ({type(exc).__name__}); reading {SHARED_DATA}")
            data_dir = SHARED_DATA
    folder = Path(data_dir)
    for candidate in (folder / NAME, folder / "ucr" / NAME, folder):
        train, test = candidate / f"{NAME}_TRAIN.ts", candidate / f"{NAME}_TEST.ts"
        if train.is_file() and test.is_file():
            X_train, y_train = load_ts(train, return_type="numpy3d")
            X_test, y_test = load_ts(test, return_type="numpy3d")
            return X_train[:, :, 0], X_test[:, :, 0], y_train, y_test
    raise FileNotFoundError(f"no {NAME}/{NAME}_TRAIN.ts and _TEST.ts under {folder}")


def with_differences(X: np.ndarray) -> np.ndarray:
    """``(n, T)`` series -> ``(n, T, 2)``: each value and its change from the step before."""
    X = np.asarray(X, dtype=np.float32)
    change = np.diff(X, axis=1, prepend=X[:, :1])
    return np.stack([X, change], axis=2)


def make_search(max_epochs: int = 60, random_state: int = 0, cv: int = 3) -> GridSearchCV:
    pipeline = make_pipeline(
        FunctionTransformer(with_differences),
        RNNClassifier(lr=1e-2, batch_size=16, max_epochs=max_epochs, random_state=random_state),
    )
    folds = StratifiedKFold(cv, shuffle=True, random_state=random_state)
    return GridSearchCV(pipeline, PARAM_GRID, cv=folds, error_score="raise")


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--data-dir",
        default=None,
        help=f"folder holding {NAME}/{NAME}_TRAIN.ts and _TEST.ts (default: fetch into the "
        "cache, falling back to ../shared/data when offline)",
    )
    parser.add_argument("--max-epochs", type=int, default=60)
    parser.add_argument("--limit", type=int, default=None, help="use only this many test days")
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

    X_train, X_test, y_train, y_test = load_italy_power(args.data_dir)
    if args.limit is not None:
        X_test, y_test = X_test[: args.limit], y_test[: args.limit]
    search = make_search(args.max_epochs, args.seed)
    start = time.perf_counter()
    search.fit(X_train, y_train)
    seconds = time.perf_counter() - start

    results = search.cv_results_
    print(f"{'cell':<6}{'hidden':>7}{'bidir':>7}{'cv accuracy':>14}")
    for params, mean, std in zip(
        results["params"], results["mean_test_score"], results["std_test_score"], strict=True
    ):
        print(
            f"{params['rnnclassifier__cell']:<6}{params['rnnclassifier__hidden_size']:>7}"
            f"{params['rnnclassifier__bidirectional']!s:>7}{mean:>9.3f} ± {std:.3f}"
        )
    test_accuracy = search.score(X_test, y_test)
    print(f"best: {search.best_params_} (grid search {seconds:.0f} s)")
    print(f"test accuracy of the refitted best pipeline: {test_accuracy:.3f} on {len(y_test)} days")
    return {"best_params": search.best_params_, "test_accuracy": test_accuracy, "seconds": seconds}


if __name__ == "__main__":
    main()
