"""``hidden_states``: what each recurrent layer holds at each step of a sequence.

The states come from the one prediction loop: a hook on the network's recurrent core
(:class:`~sklearn_rnn.nn.RNNCore`) keeps its input, and :func:`layer_states` runs
the core's layers on it up to the one asked for, with the core's own weights. torch's
fused recurrent layers return the hidden state ``h_t`` of every step but an LSTM's cell
state ``c_t`` only at the end, so cell states are recomputed from the gates, which the
hidden states of the previous step determine (:func:`_lstm_cell_states`).
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from sklearn_rnn.encoding._validation import _is_integer
from sklearn_rnn.nn._networks import RNNCore, reverse_within_length, step_mask


def _single_layer(rnn: nn.RNNBase, layer: int) -> nn.RNNBase:
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


def _lstm_cell_states(lstm: nn.LSTM, x: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
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


def _states_of(rnn: nn.RNNBase, x: torch.Tensor, cell_state: bool) -> torch.Tensor:
    """Per-step hidden (or cell) states of a one-layer ``rnn`` reading ``x (B, T, I)``."""
    h = rnn(x)[0]  # (B, T, H)
    return _lstm_cell_states(rnn, x, h) if cell_state else h


def n_layers(core: RNNCore) -> int:
    """The number of stacked layers of ``core``."""
    return len(core.forward_layers) if core.bidirectional else core.rnn.num_layers


def layer_states(
    core: RNNCore, x: torch.Tensor, lengths: torch.Tensor, layer: int, cell_state: bool
) -> torch.Tensor:
    """States ``(B, T, D)`` of layer ``layer`` (0-based) of ``core`` reading ``x (B, T, I)``.

    ``D`` is the hidden size, twice it for a bidirectional core (forward states, then
    backward states; the backward direction read each sequence reversed within its
    length, and its states are put back in the order of the steps). Values past each
    sequence's end are meaningless. Dropout between layers is off, as at inference.

    Examples
    --------
    >>> _ = torch.manual_seed(0)
    >>> core = RNNCore("lstm", input_size=3, hidden_size=4, num_layers=2).eval()
    >>> x, lengths = torch.randn(2, 5, 3), torch.tensor([5, 3])
    >>> top = layer_states(core, x, lengths, layer=1, cell_state=False)
    >>> torch.allclose(top, core(x, lengths), atol=1e-6)  # the core's own outputs
    True
    >>> layer_states(core, x, lengths, layer=0, cell_state=True).shape
    torch.Size([2, 5, 4])
    """
    if core.bidirectional:
        for i in range(layer + 1):
            forward, backward = core.forward_layers[i], core.backward_layers[i]
            if i < layer:
                x = _bidirectional_step(forward, backward, x, lengths)
                continue
            ahead = _states_of(forward, x, cell_state)
            behind = _states_of(backward, reverse_within_length(x, lengths), cell_state)
            return torch.cat([ahead, reverse_within_length(behind, lengths)], dim=2)
    for i in range(layer):
        x = _single_layer(core.rnn, i)(x)[0]
    return _states_of(_single_layer(core.rnn, layer), x, cell_state)


def _bidirectional_step(forward, backward, x, lengths):
    """One bidirectional layer's outputs, as :class:`RNNCore` computes them."""
    out_fwd = forward(x)[0]
    out_bwd = reverse_within_length(backward(reverse_within_length(x, lengths))[0], lengths)
    return torch.cat([out_fwd, out_bwd], dim=2)  # (B, T, 2H)


def hidden_states_of(estimator, dataset, layer, cell_state) -> list[np.ndarray]:
    """``estimator.hidden_states``: each step's states of ``layer``, one array per sequence.

    Reads the network's recurrent core (an ``RNNCore`` as ``module_.core``): the core's
    input of each prediction batch is kept by a hook, and ``layer``'s states recomputed
    from it (see :func:`layer_states`).
    """
    core = getattr(estimator.module_, "core", None)
    if not isinstance(core, RNNCore):
        raise ValueError(
            f"hidden_states reads the network's recurrent core (an RNNCore as "
            f"module_.core); the module {type(estimator.module_).__name__} has none."
        )
    depth = n_layers(core)
    if not _is_integer(layer) or not -depth <= layer < depth:
        raise ValueError(
            f"Invalid value for parameter 'layer': expected an int in [{-depth}, {depth}) "
            f"for a network of {depth} recurrent layer(s), got {layer!r}."
        )
    if cell_state and core.cell != "lstm":
        raise ValueError(
            f"cell_state=True needs cell='lstm'; a {core.cell!r} cell has only its hidden "
            "state (use cell_state=False)."
        )
    layer, cell_state = int(layer) % depth, bool(cell_state)
    sequences = dataset.sequences
    rows = torch.empty((int(sequences.lengths.sum()), core.output_size))
    inputs = []  # the current batch's (x, lengths), as the core receives them

    def keep_input(module, args):
        inputs[:] = [args]

    handle = core.register_forward_pre_hook(keep_input)
    try:
        for indices, lengths, _ in estimator._outputs_by_batch(dataset):
            x, batch_lengths = inputs[-1]
            with torch.inference_mode():
                states = layer_states(core, x, batch_lengths, layer, cell_state).cpu()
            mask = step_mask(lengths.cpu(), states.shape[1])  # (B, T)
            positions = sequences.offsets[indices][:, None] + torch.arange(mask.shape[1])
            rows[positions[mask]] = states.float()[mask]
    finally:
        handle.remove()
    return np.split(rows.numpy(), np.cumsum(sequences.lengths.numpy())[:-1])
