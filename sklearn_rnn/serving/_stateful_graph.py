"""Graph parts that take and return the recurrent state, for the generative models' graphs.

The classifier's, regressor's and tagger's graphs read whole padded sequences from a
zero state (:mod:`~sklearn_rnn.serving._graph`). A decoder step of
:class:`~sklearn_rnn.RNNSeq2Seq` and a chunk of :class:`~sklearn_rnn.RNNLanguageModel`'s
text start from a given state and hand the new one back to the served side, which
runs the loop: :func:`stack_with_state` is a unidirectional recurrent stack with its
initial ``(layers, B, H)`` state (and an LSTM's cell state) as graph values, and
:func:`make_stateful_model` a checked model with several named outputs.
"""

from __future__ import annotations

import numpy as np
import onnx
from onnx import TensorProto, helper

from sklearn_rnn.serving._graph import _GATE_ORDER, _OP, OPSET, Direction, GraphBuilder


def _reordered(cell: str, d: Direction) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One direction's W, R and B in ONNX's gate order and layout, float32."""
    hidden = d.w_hh.shape[1]

    def gates(a):
        return np.concatenate([a[g * hidden : (g + 1) * hidden] for g in _GATE_ORDER[cell]])

    b = np.concatenate([gates(d.b_ih), gates(d.b_hh)])[None]
    return (
        gates(d.w_ih)[None].astype(np.float32),
        gates(d.w_hh)[None].astype(np.float32),
        b.astype(np.float32),
    )


def stack_with_state(
    builder: GraphBuilder,
    cell: str,
    x_tm: str,
    layers: list[Direction],
    state_h: str,
    state_c: str | None,
) -> tuple[str, str, str | None]:
    """A forward stack over ``(T, B, I)`` from the state ``(L, B, H)`` (and ``c``).

    Every step is read (no ``sequence_lens``): the served side pads only after a
    sequence's end, where a forward network's real steps cannot see it. Returns the
    top layer's steps ``(T, B, H)`` and the new states ``(L, B, H)``.
    """
    hidden = layers[0].w_hh.shape[1]
    finals_h, finals_c = [], []
    for i, direction in enumerate(layers):
        index = builder.const(np.array([i]))
        initial = [builder.op("Gather", [state_h, index], axis=0)]  # (1, B, H)
        if cell == "lstm":
            initial.append(builder.op("Gather", [state_c, index], axis=0))
        w, r, b = (builder.const(a) for a in _reordered(cell, direction))
        attrs = {"hidden_size": hidden, "direction": "forward"}
        if cell == "gru":
            attrs["linear_before_reset"] = 1  # PyTorch applies the reset gate after R h
        outputs = [builder._name("y"), builder._name("y_h")]
        if cell == "lstm":
            outputs.append(builder._name("y_c"))
            finals_c.append(outputs[2])
        builder.node(_OP[cell], [x_tm, w, r, b, "", *initial], outputs, **attrs)
        finals_h.append(outputs[1])
        x_tm = builder.op("Squeeze", [outputs[0], builder.const(np.array([1]))])  # (T, B, H)
    new_h = builder.op("Concat", finals_h, axis=0)
    new_c = builder.op("Concat", finals_c, axis=0) if cell == "lstm" else None
    return x_tm, new_h, new_c


def state_inputs(cell: str, num_layers: int, hidden: int, batch: str, prefix: str = "state"):
    """The graph inputs of a recurrent state: ``state_h`` (and ``state_c``)."""
    names = ["h", "c"] if cell == "lstm" else ["h"]
    return [(f"{prefix}_{n}", TensorProto.FLOAT, [num_layers, batch, hidden]) for n in names]


def make_stateful_model(
    builder: GraphBuilder,
    inputs: list[tuple[str, int, list]],
    outputs: list[tuple[str, str, int, list]],
    metadata: dict[str, str],
    doc: str,
) -> onnx.ModelProto:
    """The checked ONNX model of ``builder``'s nodes; ``outputs``: (name, value, dtype, dims)."""
    for name, value, _, _ in outputs:
        builder.node("Identity", [value], [name])
    graph = helper.make_graph(
        builder.nodes,
        "sklearn_rnn",
        [helper.make_tensor_value_info(name, dtype, shape) for name, dtype, shape in inputs],
        [helper.make_tensor_value_info(name, dtype, dims) for name, _, dtype, dims in outputs],
        initializer=builder.initializers,
    )
    model = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", OPSET)],
        producer_name="sklearn_rnn",
        doc_string=doc,
    )
    model.ir_version = 8  # the IR of opset 17, as the other exported models
    helper.set_model_props(model, metadata)
    onnx.checker.check_model(model, full_check=True)
    return model
