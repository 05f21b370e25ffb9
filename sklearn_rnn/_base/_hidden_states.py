"""``hidden_states``: what each recurrent layer holds at each step of a sequence.

The states come from the one prediction loop: a hook on the network's recurrent core
(:class:`~sklearn_rnn.nn.RNNCore`) keeps its input, and :func:`layer_states` runs
the core's layers on it up to the one asked for, with the core's own weights. torch's
fused recurrent layers return the hidden state ``h_t`` of every step but an LSTM's cell
state ``c_t`` only at the end, so cell states are recomputed from the gates, which the
hidden states of the previous step determine (:mod:`sklearn_rnn.nn._layer_states`).
"""

from __future__ import annotations

import numpy as np
import torch

from sklearn_rnn.encoding._validation import _is_integer
from sklearn_rnn.nn._layer_states import single_layer, step_states
from sklearn_rnn.nn._networks import RNNCore, reverse_within_length, step_mask


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
            ahead = step_states(forward, x, cell_state)
            behind = step_states(backward, reverse_within_length(x, lengths), cell_state)
            return torch.cat([ahead, reverse_within_length(behind, lengths)], dim=2)
    for i in range(layer):
        x = single_layer(core.rnn, i)(x)[0]
    return step_states(single_layer(core.rnn, layer), x, cell_state)


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
