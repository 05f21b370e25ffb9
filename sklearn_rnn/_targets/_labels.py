"""The classifier's targets: one label per sequence, or a multilabel indicator matrix."""

from __future__ import annotations

import numpy as np
from sklearn.preprocessing import LabelEncoder

from sklearn_rnn._targets._state import TargetState


def softmax(logits: np.ndarray, axis: int) -> np.ndarray:
    """Probabilities from scores along ``axis`` (numpy; the served models' softmax)."""
    shifted = np.exp(logits - logits.max(axis=axis, keepdims=True))
    return shifted / shifted.sum(axis=axis, keepdims=True)


class LabelTargets(TargetState):
    """Labels of any hashable type <-> class ids; or indicator rows <-> float32 rows.

    ``classes_`` are the sorted labels of ``fit`` (for multilabel ``y``, the column
    indices, as scikit-learn's multilabel classifiers define them). The network's raw
    outputs are one logit per class: :meth:`inverse_transform` takes the most probable
    class (softmax), or each label whose own probability exceeds 0.5 (one sigmoid per
    label) in the dtype of the multilabel ``y``.

    Examples
    --------
    >>> targets = LabelTargets().fit(np.array(["pos", "neg", "pos"]))
    >>> targets.classes_.tolist(), targets.transform(np.array(["pos", "neg"])).tolist()
    (['neg', 'pos'], [1, 0])
    >>> targets.inverse_transform(np.array([[0.1, 2.0], [3.0, -1.0]])).tolist()
    ['pos', 'neg']
    >>> indicators = LabelTargets().fit(np.array([[1, 0], [0, 1]]))
    >>> indicators.inverse_transform(np.array([[2.0, -1.0]])).tolist()
    [[1, 0]]
    """

    _STATE = ("classes_", "multilabel_", "indicator_dtype_")

    def fit(self, y: np.ndarray, classes=None) -> LabelTargets:
        """Learn the classes of checked ``y`` (1D labels or a 2D indicator matrix)."""
        self.multilabel_ = y.ndim == 2
        self.indicator_dtype_ = None
        if self.multilabel_:
            if classes is not None and len(classes) != y.shape[1]:
                raise ValueError(
                    f"classes has {len(classes)} entries but the multilabel y has {y.shape[1]} "
                    "label columns."
                )
            self.classes_ = np.arange(y.shape[1])
            self.indicator_dtype_ = y.dtype.str  # predict returns the dtype of y
            return self
        self.classes_ = LabelEncoder().fit(y if classes is None else classes).classes_
        if len(self.classes_) < 2:
            raise ValueError(
                f"Classifier can't train when only one class is present: y holds only "
                f"{self.classes_[0]!r}; at least 2 classes are needed."
            )
        return self

    def transform(self, y: np.ndarray) -> np.ndarray:
        """Class ids ``(n,)`` int64, or the indicator matrix as float32 ``(n, n_labels)``."""
        if self.multilabel_ != (y.ndim == 2):
            fitted = "a multilabel indicator matrix" if self.multilabel_ else "single labels"
            raise ValueError(
                f"y holds {'a multilabel indicator matrix' if y.ndim == 2 else 'single labels'}"
                f", but the classifier was fitted on {fitted}."
            )
        if self.multilabel_:
            if y.shape[1] != len(self.classes_):
                raise ValueError(
                    f"y has {y.shape[1]} label columns, but the classifier was fitted with "
                    f"{len(self.classes_)}."
                )
            return y.astype(np.float32)
        unseen = np.setdiff1d(np.unique(y), self.classes_)
        if len(unseen):
            raise ValueError(
                f"y contains labels not seen in fit: {unseen.tolist()[:5]}; the classes are "
                f"{self.classes_.tolist()}."
            )
        encoder = LabelEncoder()
        encoder.classes_ = self.classes_
        return encoder.transform(y).astype(np.int64)

    def inverse_transform(self, logits: np.ndarray) -> np.ndarray:
        """The labels (or indicator rows) of the raw outputs ``(n, n_classes)``."""
        if self.multilabel_:
            return (logits > 0).astype(self.indicator_dtype_)
        return self.classes_[logits.argmax(1)]

    def _check_state(self) -> None:
        super()._check_state()
        if not isinstance(self.multilabel_, bool):
            raise TypeError("multilabel_ must be a bool")
        if self.multilabel_ and np.dtype(self.indicator_dtype_).kind not in "biuf":
            raise TypeError(f"invalid indicator dtype {self.indicator_dtype_!r}")

    def predict_proba(self, logits: np.ndarray) -> np.ndarray:
        """Class probabilities (softmax), or each label's own (sigmoid), from the logits."""
        if self.multilabel_:
            return 1.0 / (1.0 + np.exp(-logits))
        return softmax(logits, axis=1)
