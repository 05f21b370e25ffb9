"""One layer of a fused recurrent stack, and the states it holds at each step.

torch's fused layers return the hidden state ``h_t`` of every step of their top layer
only, and an LSTM's cell state ``c_t`` only at the end. To read a lower layer, the layers
are run one at a time with their own weights (:func:`single_layer`); an LSTM's cell states
are recomputed from its gates, which the hidden state of the previous step determines
(:func:`lstm_cell_states`).
"""

from __future__ import annotations

import torch
from torch import nn


def single_layer(rnn: nn.RNNBase, layer: int) -> nn.RNNBase:
    """Layer ``layer`` of a fused stack as a one-layer module with the same weights."""
    input_size = rnn.input_size if layer == 0 else rnn.hidden_size
    kwargs = {"nonlinearity": rnn.nonlinearity} if isinstance(rnn, nn.RNN) else {}
    single = type(rnn)(input_size, rnn.hidden_size, batch_first=True, **kwargs)
    single = single.to(device=rnn.weight_hh_l0.device, dtype=rnn.weight_hh_l0.dtype)
    with torch.no_grad():
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            # bias_hh is a buffer of zeros with single_bias=True; getattr reads either.
            getattr(single, f"{name}_l0").copy_(getattr(rnn, f"{name}_l{layer}"))
    return single


def lstm_cell_states(lstm: nn.LSTM, x: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
    """The cell states ``c_t (B, T, H)`` of a one-layer LSTM that read ``x`` and output ``h``.

    The gates at step t depend on ``x_t`` and ``h_{t-1}`` only, so they are computed for
    all steps at once; ``c_t = f_t * c_{t-1} + i_t * g_t`` is then a loop of elementwise
    products over the steps.
    """
    h_prev = torch.cat([h.new_zeros(h.shape[0], 1, h.shape[2]), h[:, :-1]], dim=1)  # (B, T, H)
    gates = (
        x @ lstm.weight_ih_l0.T + lstm.bias_ih_l0 + h_prev @ lstm.weight_hh_l0.T + lstm.bias_hh_l0
    )  # (B, T, 4H), torch's gate order i, f, g, o
    i, f, g, _ = gates.chunk(4, dim=2)
    i, f, g = torch.sigmoid(i), torch.sigmoid(f), torch.tanh(g)
    cells = torch.empty_like(h)
    c = h.new_zeros(h.shape[0], h.shape[2])  # (B, H)
    for t in range(h.shape[1]):
        c = f[:, t] * c + i[:, t] * g[:, t]
        cells[:, t] = c
    return cells


def step_states(rnn: nn.RNNBase, x: torch.Tensor, cell_state: bool) -> torch.Tensor:
    """Per-step hidden (or LSTM cell) states ``(B, T, H)`` of a one-layer ``rnn`` reading ``x``."""
    h = rnn(x)[0]  # (B, T, H)
    return lstm_cell_states(rnn, x, h) if cell_state else h
