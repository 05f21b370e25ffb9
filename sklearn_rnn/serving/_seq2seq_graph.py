"""Export of :class:`~sklearn_rnn.RNNSeq2Seq`: an encoder graph and a one-step decoder graph.

Beam search is a loop whose decisions (which hypotheses survive) sit between network
steps, so it runs on the served side, in numpy (:mod:`~sklearn_rnn.serving._beam_search`),
over two graphs:

- the **encoder** (the file's main graph): ``inputs`` and ``lengths`` as the other
  tasks' graphs -> ``memory (B, S, D)`` (the encoder's steps), ``keys (B, H, S)`` (the
  attention's projection of them, transposed for the step's product) and the decoder's
  first state ``state_h`` (and ``state_c``) ``(layers, B, H)``;
- the **decoder step**: the previous symbols ``tokens (N,)``, a source's ``memory``,
  ``keys`` and ``lengths`` and the state -> ``log_probs (N, n_outputs)``, float64, over
  what the decoder may emit (``-inf`` elsewhere), and the new state.

onnxruntime runs one graph per session, so the step's model is stored, serialized and
base64-encoded, in the serving config (``"decoder"``): still one self-contained file,
read by onnxruntime alone, nothing unpickled.
"""

from __future__ import annotations

import base64

import numpy as np
import torch
from onnx import TensorProto, helper

from sklearn_rnn._version import __version__
from sklearn_rnn.nn._networks import InputLayer, OutputHead, Pooling, RNNCore
from sklearn_rnn.serving._export import (
    _KNOWN_PARAMETERS,
    _check_exact,
    _check_parameters,
    _children,
    _core,
    _graph_inputs,
    _head,
    _input_layer,
    _probe_batch,
    _rnn_directions,
    _take,
    refuse_unknown_weights,
)
from sklearn_rnn.serving._format import (
    METADATA_KEY,
    dump_metadata,
    encoder_state,
    target_state,
)
from sklearn_rnn.serving._graph import GraphBuilder
from sklearn_rnn.serving._stateful_graph import (
    make_stateful_model,
    stack_with_state,
    state_inputs,
)

# Training-only parameters (label_smoothing reaches the loss only) and the decoding's.
_PARAMETERS = _KNOWN_PARAMETERS | {
    "target_tokenizer",
    "beam_size",
    "max_output_len",
    "label_smoothing",
    "normalization",
}


def export_seq2seq(estimator, check: bool) -> bytes:
    """The serialized ONNX model of a fitted RNNSeq2Seq (checked against it)."""
    from sklearn_rnn.seq2seq._network import Attention, Seq2SeqModel

    _check_parameters(estimator, _PARAMETERS)
    model = estimator.module_
    _check_exact(model, Seq2SeqModel)
    parts = _children(
        model,
        {
            "input_layer": InputLayer,
            "core": RNNCore,
            "summary": Pooling,
            "bridge": torch.nn.Linear,
            "target_embedding": torch.nn.Embedding,
            "target_dropout": torch.nn.Dropout,
            "decoder": RNNCore,
            "attention": Attention,
            "combine": torch.nn.Linear,
            "head": OutputHead,
        },
    )
    decoder = parts["decoder"]
    if decoder.bidirectional or parts["summary"].pooling != "last":
        raise NotImplementedError("export_onnx does not cover this encoder-decoder's layout.")
    _children(decoder, {"rnn": type(decoder.rnn)})
    state = {k: v.detach().cpu().numpy() for k, v in model.state_dict().items()}
    used: set[str] = set()
    layout = (model.cell, model.num_layers, model.hidden_size)
    encoder_model = _encoder_graph(estimator, parts, state, used, layout)
    step_model = _decoder_graph(estimator, parts, state, used, layout)
    refuse_unknown_weights(state, used)
    document = {
        "library_version": __version__,
        "estimator": type(estimator).__name__,
        "task": "seq2seq",
        "inputs": [i.name for i in encoder_model.graph.input],
        "batch_size": int(estimator.batch_size),
        "encoder": encoder_state(estimator.encoder_),
        "targets": target_state(estimator.target_encoder_),
        "beam_size": int(estimator.beam_size),
        "max_output_len": int(estimator.max_output_len_),
        "normalization": estimator.normalization,
        "decoder": base64.b64encode(step_model.SerializeToString()).decode("ascii"),
    }
    helper.set_model_props(encoder_model, {METADATA_KEY: dump_metadata(document)})
    payload = encoder_model.SerializeToString()
    if check:
        _check_against_network(estimator, payload, step_model.SerializeToString())
    return payload


def _encoder_graph(estimator, parts, state, used, layout):
    cell, num_layers, hidden = layout
    builder = GraphBuilder()
    numeric = parts["input_layer"].embedding is None
    inputs, x_tm, seq_lens = _graph_inputs(builder, numeric, estimator.encoder_.n_features_)
    x_tm = _input_layer(builder, parts["input_layer"], "input_layer.", state, used, x_tm)
    steps, final = _core(builder, parts["core"], "core.", state, used, x_tm, seq_lens, True)
    memory = builder.op("Transpose", [steps], perm=[1, 0, 2])  # (B, S, D)
    project = _take(state, used, "attention.project.weight")  # (H, D)
    keys = builder.op("MatMul", [memory, builder.const(project.T.astype(np.float32).copy())])
    keys = builder.op("Transpose", [keys], perm=[0, 2, 1])  # (B, H, S)
    summary = builder.op("Gemm", [final, *_linear(builder, state, used, "bridge")], transB=1)
    summary = builder.op("Tanh", [summary])  # (B, n_states * L * H)
    n_states = 2 if cell == "lstm" else 1
    shape = builder.const(np.array([0, n_states, num_layers, hidden]))
    split = builder.op("Transpose", [builder.op("Reshape", [summary, shape])], perm=[1, 2, 0, 3])
    state_dims = [num_layers, "batch", hidden]
    outputs = [
        ("memory", memory, TensorProto.FLOAT, ["batch", "steps", parts["core"].output_size]),
        ("keys", keys, TensorProto.FLOAT, ["batch", hidden, "steps"]),
    ]
    for i, name in enumerate(["state_h", "state_c"][:n_states]):
        value = builder.op("Gather", [split, builder.const(np.array(i))], axis=0)  # (L, B, H)
        outputs.append((name, value, TensorProto.FLOAT, state_dims))
    doc = f"{type(estimator).__name__}'s encoder, exported by sklearn_rnn {__version__}"
    return make_stateful_model(builder, inputs, outputs, {}, doc)


def _linear(builder, state, used, prefix) -> list[str]:
    weight = _take(state, used, f"{prefix}.weight").astype(np.float32)
    return [builder.const(weight), builder.const(_take(state, used, f"{prefix}.bias"))]


def _decoder_graph(estimator, parts, state, used, layout):
    cell, num_layers, hidden = layout
    builder = GraphBuilder()
    memory_size = parts["core"].output_size
    inputs = [
        ("tokens", TensorProto.INT64, ["rows"]),
        ("memory", TensorProto.FLOAT, ["rows", "steps", memory_size]),
        ("keys", TensorProto.FLOAT, ["rows", hidden, "steps"]),
        ("lengths", TensorProto.INT64, ["rows"]),
        *state_inputs(cell, num_layers, hidden, "rows"),
    ]
    table = _take(state, used, "target_embedding.weight")
    x = builder.embed(table, builder.op("Unsqueeze", ["tokens", builder.const(np.array([0]))]))
    rnn = parts["decoder"].rnn
    layers = [_rnn_directions(rnn, "decoder.rnn.", state, used, i) for i in range(num_layers)]
    state_c = "state_c" if cell == "lstm" else None
    h, new_h, new_c = stack_with_state(builder, cell, x, layers, "state_h", state_c)  # (1, N, H)
    query = builder.op("Transpose", [h], perm=[1, 0, 2])  # (N, 1, H)
    scores = builder.op("MatMul", [query, "keys"])  # (N, 1, S)
    mask = builder.step_mask(builder.op("Transpose", ["memory"], perm=[1, 0, 2]), "lengths")
    mask = builder.op("Transpose", [mask], perm=[1, 2, 0])  # (N, 1, S), True on real steps
    floor = builder.const(np.array(-np.inf, dtype=np.float32))
    weights = builder.op("Softmax", [builder.op("Where", [mask, scores, floor])], axis=2)
    context = builder.op("MatMul", [weights, "memory"])  # (N, 1, D)
    joined = builder.op("Concat", [context, query], axis=2)  # (N, 1, D + H)
    joined = builder.op("Reshape", [joined, builder.const(np.array([0, -1]))])  # (N, D + H)
    attended = builder.op("Gemm", [joined, *_linear(builder, state, used, "combine")], transB=1)
    scores = _head(builder, parts["head"], "head.", state, used, builder.op("Tanh", [attended]))
    not_emitted = _take(state, used, "not_emitted")  # (V,) bool: padding, unknown, start
    banned = builder.const(np.array(-np.inf))
    masked = builder.op("Where", [builder.const(not_emitted), banned, scores])
    log_probs = builder.op("LogSoftmax", [masked], axis=1)  # (N, V) float64
    state_dims = [num_layers, "rows", hidden]
    outputs = [
        ("log_probs", log_probs, TensorProto.DOUBLE, ["rows", int(estimator.n_outputs_)]),
        ("new_state_h", new_h, TensorProto.FLOAT, state_dims),
    ]
    if new_c is not None:
        outputs.append(("new_state_c", new_c, TensorProto.FLOAT, state_dims))
    doc = f"{type(estimator).__name__}'s decoder step, exported by sklearn_rnn {__version__}"
    return make_stateful_model(builder, inputs, outputs, {}, doc)


def _check_against_network(estimator, payload: bytes, step: bytes) -> None:
    """The probe batch through both graphs and the network: the encoding and two steps."""
    import onnxruntime

    batch = _probe_batch(estimator, ["inputs", "lengths"])
    module = estimator.module_
    was_training = module.training
    module.eval()
    device = next(module.parameters()).device
    options = {"providers": ["CPUExecutionProvider"]}
    encoder = onnxruntime.InferenceSession(payload, **options)
    decoder = onnxruntime.InferenceSession(step, **options)
    state_names = [o.name for o in encoder.get_outputs()][2:]
    memory, keys, *states = encoder.run(None, batch)
    rng = np.random.default_rng(0)
    errors = []
    try:
        with torch.inference_mode():
            feed = {k: torch.from_numpy(v).to(device) for k, v in batch.items()}
            t_memory, _, t_mask, t_state = module.encode(**feed)
            mask = t_mask.cpu().numpy()
            errors.append(_error(t_memory, memory, mask[:, :, None]))
            t_states = t_state if isinstance(t_state, tuple) else (t_state,)
            errors += [_error(t, g) for t, g in zip(t_states, states, strict=True)]
            t_keys = module.attention.keys(t_memory)
            for symbols in (np.full(5, 3), rng.integers(4, estimator.n_outputs_, 5)):
                tokens = torch.from_numpy(symbols).to(device)[:, None]
                scores, t_state = module.decode(tokens, t_memory, t_keys, t_mask, t_state)
                expected = module.log_probs(scores[:, 0].double())
                got = decoder.run(
                    None,
                    {
                        "tokens": symbols.astype(np.int64),
                        "memory": memory,
                        "keys": keys,
                        "lengths": batch["lengths"],
                        **dict(zip(state_names, states, strict=True)),
                    },
                )
                log_probs, states = got[0], got[1:]
                errors.append(_error(expected, log_probs))
                t_states = t_state if isinstance(t_state, tuple) else (t_state,)
                errors += [_error(t, g) for t, g in zip(t_states, states, strict=True)]
    finally:
        module.train(was_training)
    if not max(errors) <= 1e-4:
        raise NotImplementedError(
            f"export_onnx does not cover this network: the exported graphs' outputs differ "
            f"from the network's by {max(errors):.2g} on a probe batch (an option it does "
            "not know)."
        )


def _error(expected, got, where=None) -> float:
    expected = expected.double().cpu().numpy()
    if where is None:  # compare everything; -inf (what is never emitted) must match
        finite = np.isfinite(expected)
        if not ((np.isfinite(got) == finite).all() and (got[~finite] == expected[~finite]).all()):
            return np.inf
    else:
        finite = np.broadcast_to(where, expected.shape)
    expected, got = expected[finite], got[finite]
    return float(np.abs(expected - got).max()) / max(1.0, float(np.abs(expected).max()))
