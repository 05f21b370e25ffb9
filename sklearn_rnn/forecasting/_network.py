"""The forecasting network: reversible per-window scaling around a recurrent core.

Each window is scaled by its own statistics before the recurrent layers read it and
the forecast is scaled back after (reversible instance normalization, "RevIN", Kim et
al. 2022), so one network serves series of any level and scale. The forecast is a
learned correction of the window's seasonal naive forecast: with the correction at
zero (as the output layer starts) the network *is* the seasonal naive forecast, the
baseline it has to beat, and training only learns how the future departs from it.
"""

from __future__ import annotations

import torch
from torch import nn

from sklearn_rnn.nn._networks import OutputHead, RNNCore

#: Scales below this fraction of the window's mean absolute level count as zero (a flat
#: window): relative, so multiplying a series by 1,000 multiplies its forecasts by 1,000.
_RELATIVE_SCALE_FLOOR = 1e-3
_ABSOLUTE_SCALE_FLOOR = 1e-8


def window_statistics(
    target: torch.Tensor, lengths: torch.Tensor, season: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """Each window's level (its last value) and scale, both of shape ``(B, 1)``.

    The scale is the mean absolute ``season``-step change within the window: the error
    of the seasonal naive forecast in the window, the denominator of MASE. A window not
    longer than ``season`` uses the one-step change. Padding (past ``lengths``) is ignored.

    Examples
    --------
    >>> target = torch.tensor([[1.0, 2.0, 4.0, 0.0]])  # the last step is padding
    >>> level, scale = window_statistics(target, torch.tensor([3]), season=1)
    >>> level.tolist(), scale.tolist()
    ([[4.0]], [[1.5]])
    """
    batch, max_len = target.shape
    rows = torch.arange(batch, device=target.device)
    level = target[rows, lengths - 1][:, None]
    steps = torch.arange(max_len, device=target.device)[None, :]
    lag = torch.where(lengths > season, season, 1)[:, None]  # (B, 1)
    previous = target.gather(1, (steps - lag).clamp(min=0))
    valid = (steps >= lag) & (steps < lengths[:, None])
    changes = ((target - previous).abs() * valid).sum(1, keepdim=True)
    scale = changes / valid.sum(1, keepdim=True).clamp(min=1)
    mask = steps < lengths[:, None]
    magnitude = (target.abs() * mask).sum(1, keepdim=True) / lengths[:, None]
    floor = _RELATIVE_SCALE_FLOOR * magnitude + _ABSOLUTE_SCALE_FLOOR
    return level, torch.maximum(scale, floor)


def seasonal_anchor(
    target: torch.Tensor, lengths: torch.Tensor, season: int, horizon: int
) -> torch.Tensor:
    """The seasonal naive forecast of each window, ``(B, horizon)``.

    Step ``h`` repeats the value one season before it, read from each window's own end.

    Examples
    --------
    >>> target = torch.tensor([[1.0, 2.0, 3.0, 4.0, 5.0]])
    >>> seasonal_anchor(target, torch.tensor([5]), season=2, horizon=3).tolist()
    [[4.0, 5.0, 4.0]]
    """
    lags = lengths[:, None] - season  # (B, 1)
    offsets = torch.arange(horizon, device=target.device)[None, :] % season
    return target.gather(1, (lags + offsets).clamp(min=0))


def last_steps(values: torch.Tensor, lengths: torch.Tensor, n_steps: int) -> torch.Tensor:
    """The last ``n_steps`` values of each sequence of ``values (B, T)``, ``(B, n_steps)``;
    zeros before the start of a shorter sequence.

    Examples
    --------
    >>> values = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 0.0]])  # the second has 2 steps
    >>> last_steps(values, torch.tensor([3, 2]), 3).tolist()
    [[1.0, 2.0, 3.0], [0.0, 4.0, 5.0]]
    """
    steps = lengths[:, None] - n_steps + torch.arange(n_steps, device=values.device)[None, :]
    picked = values.gather(1, steps.clamp(min=0))
    return picked.masked_fill(steps < 0, 0.0)


class ForecastNetwork(nn.Module):
    """Scaled window -> recurrent core -> last state -> residual quantile forecasts.

    Beside the recurrent core, a linear map reads the window's last ``n_lags`` scaled
    values straight into the forecast (the "autoregressive highway" of LSTNet, Lai et al.
    2018): a seasonal pattern longer than the anchor's season, such as the weekly one of
    hourly data, is a linear function of the window that an LSTM's state keeps poorly.

    Parameters
    ----------
    n_outputs : int
        The horizon: values forecast per window.
    n_features : int
        Features per step; feature 0 is the series, the others covariates.
    n_ids : None
        Token input is not supported (present for the estimators' common signature).
    quantiles : sequence of float
        The quantiles forecast at every step.
    season : int
        Season length of the anchor and the scale (1: the last value).
    n_lags : int
        Last values of each window the linear highway reads; 0 for none.
    covariate_mean, covariate_scale : sequence of float or None
        Standardization of the covariates (features 1 onwards), learned in ``fit``.
    cell, hidden_size, num_layers, dropout, single_bias
        As in the estimators.

    Examples
    --------
    >>> net = ForecastNetwork(n_outputs=3, n_features=1, quantiles=(0.1, 0.5, 0.9),
    ...                       season=2, hidden_size=8)
    >>> windows = torch.tensor([[[1.0], [2.0], [3.0], [4.0]]])
    >>> net.eval()(windows, torch.tensor([4])).reshape(3, 3)[:, 1].tolist()  # starts naive
    [3.0, 4.0, 3.0]
    """

    def __init__(
        self,
        n_outputs: int,
        n_features: int,
        n_ids: None = None,
        quantiles=(0.5,),
        season: int = 1,
        n_lags: int = 0,
        covariate_mean=None,
        covariate_scale=None,
        cell: str = "lstm",
        hidden_size: int = 64,
        num_layers: int = 1,
        dropout: float = 0.0,
        single_bias: bool = False,
    ):
        super().__init__()
        self.horizon = n_outputs
        self.n_quantiles = len(quantiles)
        self.season = season
        n_covariates = n_features - 1
        mean = torch.zeros(n_covariates) if covariate_mean is None else covariate_mean
        scale = torch.ones(n_covariates) if covariate_scale is None else covariate_scale
        self.register_buffer("covariate_mean", torch.as_tensor(mean, dtype=torch.float32))
        self.register_buffer("covariate_scale", torch.as_tensor(scale, dtype=torch.float32))
        self.core = RNNCore(cell, n_features, hidden_size, num_layers, False, dropout, single_bias)
        self.head = OutputHead(self.core.output_size, n_outputs * self.n_quantiles, dropout)
        self.n_lags = n_lags
        self.highway = OutputHead(n_lags, n_outputs * self.n_quantiles) if n_lags else None
        # Zero correction at the start: the untrained network is the seasonal naive forecast.
        for head in (self.head, self.highway):
            if head is not None:
                nn.init.zeros_(head.linear.weight)
                nn.init.zeros_(head.linear.bias)

    def statistics(self, inputs: torch.Tensor, lengths: torch.Tensor):
        """``(level, scale)`` of each window's series, ``(B, 1)`` each."""
        return window_statistics(inputs[:, :, 0], lengths, self.season)

    def forward(self, inputs: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        # inputs: (B, T, F) raw values, feature 0 the series; lengths: (B,)
        target = inputs[:, :, 0]  # (B, T)
        level, scale = self.statistics(inputs, lengths)  # (B, 1) each
        scaled = (target - level) / scale  # (B, T)
        covariates = (inputs[:, :, 1:] - self.covariate_mean) / self.covariate_scale
        x = torch.cat([scaled[:, :, None], covariates], dim=2)  # (B, T, F)
        steps = self.core(x, lengths)  # (B, T, H)
        last = steps[torch.arange(len(lengths), device=steps.device), lengths - 1]  # (B, H)
        correction = self.head(last)  # (B, horizon * Q)
        if self.highway is not None:
            correction = correction + self.highway(last_steps(scaled, lengths, self.n_lags))
        correction = correction.reshape(len(lengths), self.horizon, self.n_quantiles)
        anchor = seasonal_anchor(scaled, lengths, self.season, self.horizon)  # (B, horizon)
        dtype = correction.dtype  # float64 at inference (OutputHead), float32 in training
        forecast = anchor.to(dtype)[:, :, None] + correction  # (B, horizon, Q), scaled
        forecast = level.to(dtype)[:, :, None] + scale.to(dtype)[:, :, None] * forecast
        return forecast.reshape(len(lengths), -1)  # (B, horizon * Q), step-major
