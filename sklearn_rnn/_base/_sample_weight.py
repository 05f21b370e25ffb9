"""Sample weights: their validation, their normalization and the weighted loss.

A weighted fit minimizes the weighted mean of the per-sample losses. Each sample
contributes ``w_i * L_i``, its weight times its summed loss (``L_i`` already holds any
class weight, as torch's losses apply it); a batch's loss divides by the batch's loss
*mass*, the number of terms the unweighted mean would divide by (``sum(n_i)``: one per
sample, ``k`` per regression target row, ``T_i`` per tagged sequence, the class weight
with ``class_weight``). The weights are normalized once per training set so that
``sum(w * n) == sum(n)``: constant weights then give the unweighted loss, and the
estimators drop them altogether (:func:`normalized_weights` returns None), so all-ones
weights train exactly the unweighted model. A zero weight makes a sample's loss term,
and so its gradient, exactly zero; the denominator never depends on the weights, so a
batch of zero-weight samples has loss 0, not 0/0.
"""

from __future__ import annotations

import numbers

import numpy as np
import torch

#: The key under which a batch carries its samples' weights (stripped before the module).
SAMPLE_WEIGHT = "sample_weight"


def check_sample_weight(sample_weight, n_samples: int) -> np.ndarray | None:
    """Validate ``sample_weight`` for ``n_samples`` samples; a new float64 array or None.

    A number gives every sample that weight. Weights must be finite and non-negative
    with at least one above zero.

    Examples
    --------
    >>> check_sample_weight([1, 2, 0], 3)
    array([1., 2., 0.])
    >>> check_sample_weight(2, 2)
    array([2., 2.])
    >>> check_sample_weight([0, 0], 2)
    Traceback (most recent call last):
    ...
    ValueError: sample_weight must contain at least one non-zero weight; got only zeros.
    """
    if sample_weight is None:
        return None
    if isinstance(sample_weight, numbers.Real) and not isinstance(sample_weight, bool):
        weights = np.full(n_samples, float(sample_weight))
    else:
        try:
            weights = np.array(sample_weight, dtype=np.float64)  # a copy: never edited in place
        except (TypeError, ValueError) as exc:
            raise TypeError(
                f"sample_weight must be a 1D array-like of numbers; got "
                f"{type(sample_weight).__name__} ({exc})."
            ) from exc
    if weights.ndim != 1:
        raise ValueError(
            f"sample_weight must be 1D, one weight per sample; got shape {weights.shape}."
        )
    if len(weights) != n_samples:
        raise ValueError(
            f"sample_weight has {len(weights)} weights but X has {n_samples} samples; pass "
            "one weight per sample."
        )
    if not np.isfinite(weights).all():
        raise ValueError("sample_weight contains NaN or infinity; weights must be finite.")
    if (weights < 0).any():
        first = int(np.flatnonzero(weights < 0)[0])
        raise ValueError(
            f"sample_weight must be non-negative; sample_weight[{first}] is {weights[first]}."
        )
    if not (weights > 0).any():
        raise ValueError("sample_weight must contain at least one non-zero weight; got only zeros.")
    return weights


def normalized_weights(weights: np.ndarray | None, mass: torch.Tensor) -> torch.Tensor | None:
    """The training weights: ``weights`` scaled so ``sum(w * mass) == sum(mass)``.

    ``mass`` is each sample's share of the unweighted mean (see the module docstring).
    None when there are no weights or all are equal: the fit is then unweighted.

    Examples
    --------
    >>> normalized_weights(np.array([1.0, 3.0]), torch.ones(2)).tolist()
    [0.5, 1.5]
    >>> normalized_weights(np.array([2.0, 2.0]), torch.ones(2)) is None
    True
    """
    if weights is None or (weights == weights[0]).all():
        return None
    mass = mass.double().numpy()
    scaled = weights * (mass.sum() / (weights * mass).sum())
    return torch.from_numpy(scaled.astype(np.float32))


def weighted_loss(
    criterion, y_pred: torch.Tensor, y_true: torch.Tensor, weights: torch.Tensor, mass
) -> torch.Tensor:
    """``sum(weights * L) / sum(mass)`` over a batch, ``L`` each sample's summed loss.

    ``criterion`` is a torch loss; it is evaluated with ``reduction="none"``.

    Examples
    --------
    >>> criterion = torch.nn.MSELoss()
    >>> y_pred, y_true = torch.tensor([[1.0], [3.0]]), torch.zeros(2, 1)
    >>> weighted_loss(criterion, y_pred, y_true, torch.ones(2), torch.ones(2))  # the mean
    tensor(5.)
    >>> weighted_loss(criterion, y_pred, y_true, torch.tensor([2.0, 0.0]), torch.ones(2))
    tensor(1.)
    """
    if not hasattr(criterion, "reduction"):
        raise ValueError(
            f"sample_weight needs a criterion with a 'reduction' attribute (a torch loss) to "
            f"compute per-sample losses; {type(criterion).__name__} has none."
        )
    reduction = criterion.reduction
    criterion.reduction = "none"  # read by torch's losses at each call
    try:
        losses = criterion(y_pred, y_true)
    finally:
        criterion.reduction = reduction
    weights = weights.to(losses.device)
    per_sample = losses.reshape(len(weights), -1).sum(1)  # (B,)
    return (weights * per_sample).sum() / torch.as_tensor(mass, device=losses.device).sum()
