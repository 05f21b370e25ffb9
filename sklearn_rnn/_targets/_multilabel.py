"""Multilabel targets: binary indicator matrices, and the label sets they replace."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.utils.multiclass import type_of_target


def is_indicator_matrix(y) -> bool:
    """Whether ``y`` is a multilabel indicator matrix (``(n, n_labels)`` of 0 and 1).

    Examples
    --------
    >>> is_indicator_matrix([[1, 0, 1], [0, 1, 0]]), is_indicator_matrix(["a", "b"])
    (True, False)
    """
    try:
        return type_of_target(y, input_name="y") == "multilabel-indicator"
    except (TypeError, ValueError):  # ragged, mixed types, ...: not an indicator matrix
        return False


def check_indicator_matrix(y) -> np.ndarray:
    """``y`` as a dense 2D indicator array, in its own dtype (a copy for sparse input).

    Examples
    --------
    >>> check_indicator_matrix([[1, 0], [1, 1]]).tolist()
    [[1, 0], [1, 1]]
    """
    if sp.issparse(y):
        return y.toarray()
    return np.asarray(y)


def check_not_label_sets(y) -> None:
    """Reject one collection of labels per sample with the way to pass them instead.

    Examples
    --------
    >>> check_not_label_sets([{"comedy", "drama"}, {"drama"}])
    Traceback (most recent call last):
    ...
    TypeError: y[0] is a set of labels; for multilabel classification pass a binary \
indicator matrix, e.g. y = MultiLabelBinarizer().fit_transform(label_sets) (from \
sklearn.preprocessing), whose classes_ name the columns.
    """
    if isinstance(y, np.ndarray) and y.dtype != object:
        return
    for i, labels in enumerate(y):
        if isinstance(labels, (set, frozenset, list, tuple, np.ndarray)):
            raise TypeError(
                f"y[{i}] is a {type(labels).__name__} of labels; for multilabel "
                "classification pass a binary indicator matrix, e.g. y = "
                "MultiLabelBinarizer().fit_transform(label_sets) (from sklearn.preprocessing), "
                "whose classes_ name the columns."
            )
