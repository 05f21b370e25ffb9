"""Export of :class:`~sklearn_rnn.RNNLanguageModel`: one graph that reads a chunk of text.

The graph takes token ids ``inputs (B, T)`` and the recurrent state (``state_h``, and
``state_c`` for an LSTM, ``(layers, B, H)``) and returns the float64 next-token logits
``logits (B, T, n_outputs)`` (output ``k`` is token id ``k + 1``, as the estimator's) and
the new state (``new_state_h``, ``new_state_c``). The served side reads documents chunk by
chunk from a zero state (scoring, next-token probabilities) and samples one token per
run (:mod:`~sklearn_rnn.serving._language_model_predictor`).
"""

from __future__ import annotations

import numpy as np
import torch
from onnx import TensorProto

from sklearn_rnn._version import __version__
from sklearn_rnn.nn._networks import InputLayer, OutputHead, RNNCore
from sklearn_rnn.serving._export import (
    _KNOWN_PARAMETERS,
    _check_exact,
    _check_parameters,
    _children,
    _head,
    _rnn_directions,
    _take,
    refuse_unknown_weights,
)
from sklearn_rnn.serving._format import METADATA_KEY, dump_metadata, encoder_state
from sklearn_rnn.serving._graph import GraphBuilder
from sklearn_rnn.serving._stateful_graph import (
    make_stateful_model,
    stack_with_state,
    state_inputs,
)

_PARAMETERS = _KNOWN_PARAMETERS | {"bptt"}


def export_language_model(estimator, check: bool) -> bytes:
    """The serialized ONNX model of a fitted language model (checked against it)."""
    from sklearn_rnn.language_model._network import LanguageModelNetwork

    _check_parameters(estimator, _PARAMETERS)
    model = estimator.module_
    _check_exact(model, LanguageModelNetwork)
    parts = _children(model, {"input_layer": InputLayer, "core": RNNCore, "head": OutputHead})
    core = parts["core"]
    if core.bidirectional or core.cell not in ("rnn", "lstm", "gru"):
        raise NotImplementedError(f"export_onnx does not cover the language model's {core!r}.")
    _children(core, {"rnn": type(core.rnn)})
    state = {k: v.detach().cpu().numpy() for k, v in model.state_dict().items()}
    used: set[str] = set()
    builder = GraphBuilder()
    inputs = [("inputs", TensorProto.INT64, ["batch", "steps"])]
    inputs += state_inputs(core.cell, core.rnn.num_layers, core.hidden_size, "batch")
    _children(parts["input_layer"], {"embedding": torch.nn.Embedding, "dropout": torch.nn.Dropout})
    table = _take(state, used, "input_layer.embedding.weight")
    x_tm = builder.embed(table, builder.op("Transpose", ["inputs"], perm=[1, 0]))  # (T, B, E)
    layers = [
        _rnn_directions(core.rnn, "core.rnn.", state, used, i) for i in range(core.rnn.num_layers)
    ]
    state_c = "state_c" if core.cell == "lstm" else None
    steps, new_h, new_c = stack_with_state(builder, core.cell, x_tm, layers, "state_h", state_c)
    logits = _head(builder, parts["head"], "head.", state, used, steps)  # (T, B, V)
    logits = builder.op("Transpose", [logits], perm=[1, 0, 2])  # (B, T, V)
    refuse_unknown_weights(state, used)
    dims = ["batch", "steps", int(estimator.n_outputs_)]
    outputs = [("logits", logits, TensorProto.DOUBLE, dims)]
    state_dims = [core.rnn.num_layers, "batch", core.hidden_size]
    outputs.append(("new_state_h", new_h, TensorProto.FLOAT, state_dims))
    if new_c is not None:
        outputs.append(("new_state_c", new_c, TensorProto.FLOAT, state_dims))
    document = {
        "library_version": __version__,
        "estimator": type(estimator).__name__,
        "task": "language_model",
        "inputs": [name for name, _, _ in inputs],
        "batch_size": int(estimator.batch_size),
        "encoder": encoder_state(estimator.encoder_),
        "state_shape": [core.rnn.num_layers, core.hidden_size],
    }
    doc = f"{type(estimator).__name__} exported by sklearn_rnn {__version__}"
    onnx_model = make_stateful_model(
        builder, inputs, outputs, {METADATA_KEY: dump_metadata(document)}, doc
    )
    payload = onnx_model.SerializeToString()
    if check:
        _check_against_network(estimator, payload, [name for name, _, _ in inputs])
    return payload


def _check_against_network(estimator, payload: bytes, names: list[str]) -> None:
    """Two chunks of random text through the graph and the network, the state carried."""
    import onnxruntime

    rng = np.random.default_rng(0)
    module = estimator.module_
    was_training = module.training
    module.eval()
    session = onnxruntime.InferenceSession(payload, providers=["CPUExecutionProvider"])
    layers, hidden = module.rnn.num_layers, module.rnn.hidden_size
    feed = {name: np.zeros((layers, 3, hidden), np.float32) for name in names[1:]}
    torch_state = None
    errors = []
    try:
        for steps in (5, 2):
            ids = rng.integers(1, estimator.encoder_.n_ids_, (3, steps))
            with torch.inference_mode():
                device = next(module.parameters()).device
                expected, torch_state = module(torch.from_numpy(ids).to(device), torch_state)
            got = session.run(None, {**feed, "inputs": ids})
            feed = dict(zip(names[1:], got[1:], strict=True))
            states = torch_state if isinstance(torch_state, tuple) else (torch_state,)
            pairs = [(expected.double(), got[0])]
            pairs += [(s, g) for s, g in zip(states, got[1:], strict=True)]
            for e, g in pairs:
                e = e.double().cpu().numpy()
                errors.append(float(np.abs(e - g).max()) / max(1.0, float(np.abs(e).max())))
    finally:
        module.train(was_training)
    if not max(errors) <= 1e-4:
        raise NotImplementedError(
            f"export_onnx does not cover this network: the exported graph's outputs differ "
            f"from the network's by {max(errors):.2g} on a probe text (an option it does not "
            "know)."
        )
