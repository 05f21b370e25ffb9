"""The regressor's targets: values standardized per column for training, and back."""

from __future__ import annotations

import numpy as np

from sklearn_rnn._targets._state import TargetState


class ScaledValues(TargetState):
    """Values ``(n,)`` or ``(n, k)`` <-> float32 ``(n, k)`` of zero mean and unit variance.

    Parameters
    ----------
    scale : bool, default=True
        Standardize each column with its mean and standard deviation in ``fit``; False
        keeps the values as they are.

    Examples
    --------
    >>> targets = ScaledValues().fit(np.array([1.0, 3.0]))
    >>> targets.transform(np.array([1.0, 3.0])).tolist()
    [[-1.0], [1.0]]
    >>> targets.inverse_transform(np.array([[0.0], [2.0]])).tolist()
    [2.0, 4.0]
    """

    _STATE = ("mean_", "scale_", "ndim_")

    def __init__(self, scale: bool = True):
        self.scale = scale

    def fit(self, y: np.ndarray) -> ScaledValues:
        """Learn each column's mean and scale from checked float64 ``y``."""
        self.ndim_ = y.ndim
        y2d = y.reshape(len(y), -1)
        if self.scale:
            self.mean_ = y2d.mean(axis=0)
            scale = y2d.std(axis=0)
            self.scale_ = np.where(scale > 1e-12, scale, 1.0)
        else:
            self.mean_ = np.zeros(y2d.shape[1])
            self.scale_ = np.ones(y2d.shape[1])
        return self

    def transform(self, y: np.ndarray) -> np.ndarray:
        """The standardized values, float32 ``(n, k)``."""
        y2d = y.reshape(len(y), -1)
        if y2d.shape[1] != len(self.mean_):
            raise ValueError(
                f"y has {y2d.shape[1]} target columns, but the estimator was fitted with "
                f"{len(self.mean_)}."
            )
        return ((y2d - self.mean_) / self.scale_).astype(np.float32)

    def inverse_transform(self, outputs: np.ndarray) -> np.ndarray:
        """The raw outputs ``(n, k)`` in the units of ``y``; 1D when ``y`` was 1D."""
        predictions = outputs * self.scale_ + self.mean_
        return predictions[:, 0] if self.ndim_ == 1 else predictions

    def _check_state(self) -> None:
        if self.ndim_ not in (1, 2) or isinstance(self.ndim_, bool):
            raise ValueError(f"invalid ndim_ {self.ndim_!r}")
        for name in ("mean_", "scale_"):
            value = getattr(self, name)
            if not isinstance(value, np.ndarray) or value.ndim != 1 or value.dtype.kind != "f":
                raise TypeError(f"{name} must be a 1D float array")
        if self.mean_.shape != self.scale_.shape:
            raise ValueError("mean_ and scale_ differ in length")
