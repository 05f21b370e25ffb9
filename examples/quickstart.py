"""Quickstart: classify handwritten digits read row by row as 8-step sequences
===========================================================================

Runs offline on data that ships with scikit-learn, in about two minutes on 2 cores:
a grid search over the recurrent cell, then the test accuracy of the best model.
Times are for an idle 2-core machine; where other programs share the cores,
``--threads 1`` keeps them (with torch's default of one thread per core, runs on a
busy machine were measured 2-10x slower). Run it with::

    python examples/quickstart.py
    python examples/quickstart.py --threads 1

Result of a full run with the settings below (one thread, on a busy 2-core machine):

.. code-block:: text

    cell=rnn   cross-validated accuracy 0.986
    cell=lstm  cross-validated accuracy 0.984
    cell=gru   cross-validated accuracy 0.981
    best: {'cell': 'rnn'}, test accuracy 0.982
    grid search took 132 s
"""

import argparse
import time

import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV, train_test_split

from sklearn_rnn import RNNClassifier


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="torch threads (default: torch's, one per core); 1 on a machine others share",
    )
    args = parser.parse_args(argv)
    if args.threads is not None:
        torch.set_num_threads(args.threads)

    X, y = load_digits(return_X_y=True)
    X = X.reshape(-1, 8, 8)  # (n_images, 8 rows = steps, 8 pixels = features)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0)

    start = time.perf_counter()
    search = GridSearchCV(
        RNNClassifier(hidden_size=64, max_epochs=15, lr=0.005, random_state=0),
        {"cell": ["rnn", "lstm", "gru"]},
        cv=3,
    )
    search.fit(X_train, y_train)
    elapsed = time.perf_counter() - start

    results = search.cv_results_
    for params, score in zip(results["params"], results["mean_test_score"], strict=True):
        print(f"cell={params['cell']:<5} cross-validated accuracy {score:.3f}")
    print(f"best: {search.best_params_}, test accuracy {search.score(X_test, y_test):.3f}")
    print(f"grid search took {elapsed:.0f} s")


if __name__ == "__main__":
    main()
