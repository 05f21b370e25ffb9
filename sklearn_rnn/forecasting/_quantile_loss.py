"""The pinball (quantile) loss of several quantiles at once."""

from __future__ import annotations

import torch
from torch import nn


class PinballLoss(nn.Module):
    """Mean pinball loss of ``(B, horizon * Q)`` quantile forecasts against ``(B, horizon)``.

    For quantile ``q`` and error ``e = y - forecast`` the loss is ``max(q e, (q - 1) e)``:
    its minimizer is the ``q`` quantile of ``y``, and at ``q = 0.5`` it is half the
    absolute error. Forecasts are step-major (all quantiles of step 0, then step 1, ...).

    Parameters
    ----------
    quantiles : sequence of float
        The quantiles, in the order of the forecasts' columns.
    reduction : {"mean", "none"}, default="mean"
        ``"none"`` gives each sample's and step's loss averaged over the quantiles,
        ``(B, horizon)`` (for sample weights).

    Examples
    --------
    >>> loss = PinballLoss([0.1, 0.9])
    >>> loss(torch.tensor([[0.0, 0.0]]), torch.tensor([[1.0]]))  # (0.1 * 1 + 0.9 * 1) / 2
    tensor(0.5000)
    """

    def __init__(self, quantiles, reduction: str = "mean"):
        super().__init__()
        self.register_buffer("quantiles", torch.as_tensor(quantiles, dtype=torch.float32))
        self.reduction = reduction

    def forward(self, forecast: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        target = target.reshape(len(target), -1)  # (B, horizon)
        forecast = forecast.reshape(*target.shape, len(self.quantiles))  # (B, horizon, Q)
        errors = target[:, :, None] - forecast
        q = self.quantiles.to(forecast.dtype)
        losses = torch.maximum(q * errors, (q - 1) * errors).mean(2)  # (B, horizon)
        return losses if self.reduction == "none" else losses.mean()
