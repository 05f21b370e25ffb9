"""Quickstart: classify handwritten digits read row by row as 8-step sequences.

Runs offline on data that ships with scikit-learn, in about a minute on 2 cores:
a grid search over the recurrent cell, then the test accuracy of the best model.

    python examples/quickstart.py
"""

import time

from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV, train_test_split

from sklearn_rnn import RNNClassifier


def main() -> None:
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
