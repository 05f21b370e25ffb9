"""Export a fitted estimator to one self-contained ONNX file (graph + serving config).

The network's weights are read from its modules and laid into an ONNX graph
(:mod:`~sklearn_rnn.serving._graph`); the encoder and the estimator's fitted target
encoder (which the served model rebuilds to decode) go into the model's metadata
(:mod:`~sklearn_rnn.serving._format`). Only the built-in networks are covered, and
each part is checked against what the exporter knows: an unknown module, layer,
parameter or option raises ``NotImplementedError`` naming it rather than export
a graph that computes something else. The exported graph is then run once beside the
network on a batch of mixed lengths and must agree with it.
"""

from __future__ import annotations

import inspect
import os

import numpy as np
import torch
from onnx import TensorProto
from sklearn.utils.validation import check_is_fitted
from torch import nn

from sklearn_rnn._files import atomic_write
from sklearn_rnn._targets import CRFScores
from sklearn_rnn._version import __version__
from sklearn_rnn.nn._convolution import ConvBranch, MaskedBatchNorm1d
from sklearn_rnn.nn._crf import LinearChainCRF
from sklearn_rnn.nn._networks import (
    CharEncoder,
    InputLayer,
    OutputHead,
    Pooling,
    RNNCore,
    SequenceModel,
    TaggerModel,
)
from sklearn_rnn.nn._wide import PAIR_BUCKETS, PAIR_MULTIPLIER, WideNgrams
from sklearn_rnn.serving._format import METADATA_KEY, dump_metadata, encoder_state, target_state
from sklearn_rnn.serving._graph import Direction, GraphBuilder, make_model

# The estimator parameters whose effect the exporter knows; any other one is covered
# only at its default value (a new architecture option must be taught to the exporter).
_KNOWN_PARAMETERS = frozenset(
    "cell hidden_size num_layers bidirectional dropout single_bias pooling conv_blocks "
    "embedding_dim embeddings freeze_embeddings sparse_embeddings tokenizer lowercase "
    "max_vocab min_freq max_len standardize scale_target clip_grad_norm lr lr_schedule "
    "max_epochs batch_size optimizer early_stopping validation_fraction patience tol "
    "n_iter_no_change class_weight random_state device verbose progress_bar module callbacks "
    "warm_start distributed wide_ngrams naive_bayes "
    "char_embedding_dim shape_embedding_dim word_dropout crf".split()
)
_TASKS = {"RNNClassifier": "classifier", "RNNRegressor": "regressor", "RNNTagger": "tagger"}
_GENERATIVE = {"RNNSeq2Seq": "seq2seq", "RNNLanguageModel": "language_model"}
_IGNORED_STATE = {"rare_ids"}  # word dropout's table: training only


def export_onnx(estimator, path: str | os.PathLike, *, check: bool = True) -> None:
    """Write ``estimator`` as one ONNX file that :class:`ONNXPredictor` serves without torch.

    See :meth:`sklearn_rnn.RNNClassifier.export_onnx`, which calls this.
    """
    check_is_fitted(estimator)
    task = _task(estimator)
    _check_parameters(estimator)
    model = estimator.module_
    state = {k: v.detach().cpu().numpy() for k, v in model.state_dict().items()}
    used: set[str] = set()
    builder = GraphBuilder()
    if task == "tagger":
        inputs, output = _tagger_graph(builder, model, state, used, estimator)
    else:
        inputs, output = _pooled_graph(builder, model, state, used, estimator)
    targets = _target_decoding(estimator, state, used)
    refuse_unknown_weights(state, used)
    document = {
        "library_version": __version__,
        "estimator": type(estimator).__name__,
        "task": task,
        "inputs": [name for name, _, _ in inputs],
        "batch_size": int(estimator.batch_size),
        "encoder": encoder_state(estimator.encoder_),
        "targets": targets,
    }
    doc = f"{type(estimator).__name__} exported by sklearn_rnn {__version__}"
    onnx_model = make_model(builder, inputs, output, {METADATA_KEY: dump_metadata(document)}, doc)
    payload = onnx_model.SerializeToString()
    if check:
        _check_against_network(estimator, payload, [name for name, _, _ in inputs])
    with atomic_write(path) as handle:
        handle.write(payload)


# -- what is covered -----------------------------------------------------------------


def _task(estimator) -> str:
    _check_builtin(estimator, _TASKS)
    return _TASKS[type(estimator).__name__]


def _check_builtin(estimator, tasks) -> None:
    if (
        type(estimator).__name__ not in tasks
        or type(estimator).__module__.split(".")[0] != "sklearn_rnn"
    ):
        raise NotImplementedError(
            f"export_onnx covers {', '.join({**_TASKS, **_GENERATIVE})}; got "
            f"{type(estimator).__name__}."
        )
    if estimator.module is not None:
        raise NotImplementedError(
            "export_onnx covers the built-in networks only; this model has a custom module "
            f"({getattr(estimator.module, '__qualname__', estimator.module)!r})."
        )


def _check_parameters(estimator, known: frozenset = _KNOWN_PARAMETERS) -> None:
    signature = inspect.signature(type(estimator).__init__).parameters
    for name, param in signature.items():
        if name in known or param.kind is param.VAR_KEYWORD or name == "self":
            continue
        value = getattr(estimator, name, param.default)
        if value is not param.default and value != param.default:
            raise NotImplementedError(
                f"export_onnx does not cover the parameter {name}={value!r} (it knows "
                f"{name}={param.default!r} only); export is not possible for this model yet."
            )
    for name in vars(estimator):
        if name.startswith("module__"):
            raise NotImplementedError(f"export_onnx does not cover the parameter {name!r}.")


def _children(module: nn.Module, allowed: dict[str, type]) -> dict[str, nn.Module]:
    """The module's children, each checked to be an allowed, known kind."""
    children = {}
    for name, child in module.named_children():
        if name not in allowed or type(child) is not allowed[name]:
            raise NotImplementedError(
                f"export_onnx does not cover the {type(module).__name__} part {name!r} "
                f"({type(child).__name__})."
            )
        children[name] = child
    return children


def _check_exact(module, cls) -> None:
    if type(module) is not cls:
        raise NotImplementedError(
            f"export_onnx covers {cls.__name__} networks; got {type(module).__name__}."
        )


# -- graph parts ---------------------------------------------------------------------


def _take(state: dict, used: set, key: str) -> np.ndarray:
    used.add(key)
    return state[key]


def refuse_unknown_weights(state: dict, used: set) -> None:
    """Raise unless every weight of the network went into the graph (or is known unused)."""
    unknown = sorted(set(state) - used - _IGNORED_STATE)
    if unknown:
        raise NotImplementedError(
            f"export_onnx does not cover the network's weights {unknown[:5]}: the network "
            "has a part the exporter does not know."
        )


def _input_layer(builder, layer, prefix, state, used, ids_tm: str) -> str:
    """``(T, B)`` ids or ``(T, B, F)`` floats -> ``(T, B, E|F)``."""
    children = _children(layer, {"embedding": nn.Embedding, "dropout": nn.Dropout})
    if "embedding" not in children:
        return ids_tm
    return builder.embed(_take(state, used, f"{prefix}embedding.weight"), ids_tm)


def _rnn_directions(rnn: nn.RNNBase, prefix: str, state, used, layer: int) -> Direction:
    if (
        rnn.bidirectional
        or not rnn.bias
        or not rnn.batch_first
        or getattr(rnn, "proj_size", 0)
        or getattr(rnn, "nonlinearity", "tanh") != "tanh"
    ):
        raise NotImplementedError(f"export_onnx does not cover the recurrent layer {rnn!r}.")
    keys = [f"{prefix}{name}_l{layer}" for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]
    return Direction(*(_take(state, used, key) for key in keys))


def _core(builder, core, prefix, state, used, x_tm, seq_lens, steps: bool):
    """The recurrent stack: ``(T, B, I)`` -> step outputs (or None) and final states."""
    if core.cell not in ("rnn", "lstm", "gru"):
        raise NotImplementedError(f"export_onnx does not cover cell={core.cell!r}.")
    rnn_type = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}
    if core.bidirectional:
        layers = _children(
            core,
            {
                "forward_layers": nn.ModuleList,
                "backward_layers": nn.ModuleList,
                "between_layers": nn.Dropout,
            },
        )
        stack = []
        for i, (fwd, bwd) in enumerate(
            zip(layers["forward_layers"], layers["backward_layers"], strict=True)
        ):
            for rnn in (fwd, bwd):
                _check_exact(rnn, rnn_type[core.cell])
            stack.append(
                [
                    _rnn_directions(fwd, f"{prefix}forward_layers.{i}.", state, used, 0),
                    _rnn_directions(bwd, f"{prefix}backward_layers.{i}.", state, used, 0),
                ]
            )
    else:
        rnn = _children(core, {"rnn": rnn_type[core.cell]})["rnn"]
        stack = [
            [_rnn_directions(rnn, f"{prefix}rnn.", state, used, i)] for i in range(rnn.num_layers)
        ]
    final = None
    for i, directions in enumerate(stack):
        last = i == len(stack) - 1
        x_tm, final = builder.recurrent_layer(
            core.cell, x_tm, seq_lens, directions, steps=steps or not last
        )
    return x_tm, final


def _conv_blocks(branch, state, used) -> list[dict]:
    """The weights of each block of a :class:`ConvBranch`, checked to be its own kind."""
    _children(branch, {"convs": nn.ModuleList, "norms": nn.ModuleList})
    blocks = []
    for i, (conv, norm, pads) in enumerate(
        zip(branch.convs, branch.norms, branch.paddings, strict=True)
    ):
        _check_exact(conv, nn.Conv1d)
        _check_exact(norm, MaskedBatchNorm1d)
        plain = conv.stride == (1,) and conv.dilation == (1,) and conv.groups == 1
        if not plain or conv.padding != (0,) or conv.bias is None or not norm.affine:
            raise NotImplementedError(f"export_onnx does not cover the layers {conv!r}, {norm!r}.")
        _take(state, used, f"conv.norms.{i}.num_batches_tracked")  # training bookkeeping
        norm_names = ("weight", "bias", "running_mean", "running_var")
        blocks.append(
            {
                "weight": _take(state, used, f"conv.convs.{i}.weight"),
                "bias": _take(state, used, f"conv.convs.{i}.bias"),
                "pads": pads,
                "norm": (
                    *(_take(state, used, f"conv.norms.{i}.{name}") for name in norm_names),
                    norm.eps,
                ),
            }
        )
    return blocks


def _head(builder, head, prefix, state, used, x: str) -> str:
    _children(head, {"dropout": nn.Dropout, "linear": nn.Linear})
    weight = _take(state, used, f"{prefix}linear.weight")
    bias = _take(state, used, f"{prefix}linear.bias")
    return builder.linear64(x, weight, bias)


def _graph_inputs(builder, numeric: bool, n_features):
    """The ``inputs`` and ``lengths`` graph inputs; time-major inputs and int32 lengths."""
    if numeric:
        spec = ("inputs", TensorProto.FLOAT, ["batch", "steps", n_features])
        x_tm = builder.op("Transpose", ["inputs"], perm=[1, 0, 2])  # (T, B, F)
    else:
        spec = ("inputs", TensorProto.INT64, ["batch", "steps"])
        x_tm = builder.op("Transpose", ["inputs"], perm=[1, 0])  # (T, B)
    seq_lens = builder.op("Cast", ["lengths"], to=TensorProto.INT32)
    return [spec, ("lengths", TensorProto.INT64, ["batch"])], x_tm, seq_lens


def _pooled_graph(builder, model, state, used, estimator):
    _check_exact(model, SequenceModel)
    parts = _children(
        model,
        {
            "input_layer": InputLayer,
            "core": RNNCore,
            "pooling": Pooling,
            "conv": ConvBranch,
            "head": OutputHead,
            "wide": WideNgrams,
        },
    )
    pooling = parts["pooling"].pooling
    if pooling not in ("last", "mean", "max"):
        raise NotImplementedError(f"export_onnx does not cover pooling={pooling!r}.")
    numeric = parts["input_layer"].embedding is None
    inputs, x_tm, seq_lens = _graph_inputs(builder, numeric, estimator.encoder_.n_features_)
    x_tm = _input_layer(builder, parts["input_layer"], "input_layer.", state, used, x_tm)
    steps, final = _core(
        builder, parts["core"], "core.", state, used, x_tm, seq_lens, steps=pooling != "last"
    )
    pooled = final if pooling == "last" else builder.pool(pooling, steps, "lengths")
    if "conv" in parts:
        conv = builder.conv_blocks(x_tm, "lengths", _conv_blocks(parts["conv"], state, used))
        pooled = builder.op("Concat", [pooled, conv], axis=1)
    outputs = _head(builder, parts["head"], "head.", state, used, pooled)
    if "wide" in parts:
        wide = parts["wide"]
        weight = _take(state, used, "wide.weight")
        naive_bayes = None
        if "wide.naive_bayes" in state:  # a classifier's naive Bayes table (naive_bayes)
            naive_bayes = _take(state, used, "wide.naive_bayes")
        scores = builder.wide_ngrams(
            weight, wide.n_ids, wide.ngrams, PAIR_BUCKETS, PAIR_MULTIPLIER, naive_bayes
        )
        outputs = builder.op("Add", [outputs, scores])
    return inputs, (outputs, ["batch", int(estimator.n_outputs_)])


def _tagger_graph(builder, model, state, used, estimator):
    _check_exact(model, TaggerModel)
    parts = _children(
        model,
        {
            "input_layer": InputLayer,
            "char_encoder": CharEncoder,
            "shape_embedding": nn.Embedding,
            "input_dropout": nn.Dropout,
            "core": RNNCore,
            "head": OutputHead,
            "crf": LinearChainCRF,
        },
    )
    numeric = parts["input_layer"].embedding is None
    inputs, ids_tm, seq_lens = _graph_inputs(builder, numeric, estimator.encoder_.n_features_)
    features = [_input_layer(builder, parts["input_layer"], "input_layer.", state, used, ids_tm)]
    if "char_encoder" in parts:
        inputs += [
            ("chars", TensorProto.INT64, ["words", "chars_per_word"]),
            ("char_lengths", TensorProto.INT64, ["words"]),
            ("char_index", TensorProto.INT64, ["batch", "steps"]),
        ]
        features.append(_char_features(builder, parts["char_encoder"], state, used))
    if "shape_embedding" in parts:
        inputs.append(("shapes", TensorProto.INT64, ["batch", "steps"]))
        shapes_tm = builder.op("Transpose", ["shapes"], perm=[1, 0])
        table = _take(state, used, "shape_embedding.weight")
        features.append(builder.embed(table, shapes_tm))
    x_tm = features[0] if len(features) == 1 else builder.op("Concat", features, axis=2)
    steps, _ = _core(builder, parts["core"], "core.", state, used, x_tm, seq_lens, steps=True)
    # The head runs time-major and its output is transposed: onnxruntime 1.32 crashes
    # optimizing Transpose -> Cast(double) -> MatMul.
    outputs = _head(builder, parts["head"], "head.", state, used, steps)  # (T, B, C)
    outputs = builder.op("Transpose", [outputs], perm=[1, 0, 2])  # (B, T, C)
    return inputs, (outputs, ["batch", "steps", int(estimator.n_outputs_)])


def _char_features(builder, encoder, state, used) -> str:
    """Each step's character-BiLSTM word vector, ``(T, B, 2C)``."""
    parts = _children(encoder, {"embedding": nn.Embedding, "core": RNNCore, "pooling": Pooling})
    if parts["pooling"].pooling != "last" or not parts["core"].bidirectional:
        raise NotImplementedError("export_onnx covers the character BiLSTM with last pooling.")
    chars_tm = builder.op("Transpose", ["chars"], perm=[1, 0])  # (L, U)
    embedded = builder.embed(_take(state, used, "char_encoder.embedding.weight"), chars_tm)
    char_lens = builder.op("Cast", ["char_lengths"], to=TensorProto.INT32)
    _, words = _core(
        builder, parts["core"], "char_encoder.core.", state, used, embedded, char_lens, False
    )  # (U, 2C)
    index_tm = builder.op("Transpose", ["char_index"], perm=[1, 0])  # (T, B)
    return builder.op("Gather", [words, index_tm])  # (T, B, 2C)


# -- decoding and checks -------------------------------------------------------------


def _target_decoding(estimator, state: dict, used: set) -> dict:
    """The fitted target encoder, and the CRF's scores (weights of the network)."""
    crf = None
    if getattr(estimator.module_, "crf", None) is not None:
        names = CRFScores._fields
        crf = CRFScores(*(_take(state, used, f"crf.{name}") for name in names))
    return target_state(estimator.target_encoder_, crf)


def _check_against_network(estimator, payload: bytes, names: list[str]) -> None:
    """Run the graph beside the network on a probe batch; they must agree."""
    import onnxruntime  # the onnx extra; imported here so that export alone needs onnx only

    batch = _probe_batch(estimator, names)
    module = estimator.module_
    was_training = module.training
    module.eval()
    try:
        with torch.inference_mode():
            device = next(module.parameters()).device
            expected = module(**{k: torch.from_numpy(v).to(device) for k, v in batch.items()})
    finally:
        module.train(was_training)
    expected = expected.double().cpu().numpy()
    session = onnxruntime.InferenceSession(payload, providers=["CPUExecutionProvider"])
    (got,) = session.run(None, batch)
    if expected.ndim == 3:  # per step: compare real steps only
        mask = np.arange(expected.shape[1])[None, :] < batch["lengths"][:, None]
        expected, got = expected[mask], got[mask]
    scale = max(1.0, float(np.abs(expected).max()))
    error = float(np.abs(expected - got).max()) / scale
    if not error <= 1e-4:
        raise NotImplementedError(
            f"export_onnx does not cover this network: the exported graph's outputs differ "
            f"from the network's by {error:.2g} on a probe batch (an option it does not know)."
        )


def _probe_batch(estimator, names: list[str]) -> dict[str, np.ndarray]:
    """Random inputs of the network's kinds: 5 sequences of mixed lengths (1 to 7 steps)."""
    rng = np.random.default_rng(0)
    lengths = np.array([3, 7, 1, 7, 2], dtype=np.int64)
    mask = np.arange(7)[None, :] < lengths[:, None]  # (B, T)
    encoder = estimator.encoder_
    if encoder.n_ids_ is None:
        inputs = rng.standard_normal((5, 7, encoder.n_features_)).astype(np.float32)
    else:
        inputs = rng.integers(1, encoder.n_ids_, (5, 7)) * mask
    batch = {"inputs": inputs, "lengths": lengths}
    if "chars" in names:
        n_chars = len(encoder.char_vocabulary_)
        batch["char_lengths"] = np.array([1, 4, 2, 3, 1, 4], dtype=np.int64)
        char_mask = np.arange(4)[None, :] < batch["char_lengths"][:, None]
        batch["chars"] = rng.integers(1, n_chars, (6, 4)) * char_mask
        batch["char_index"] = rng.integers(1, 6, (5, 7)) * mask
    if "shapes" in names:
        batch["shapes"] = rng.integers(1, len(encoder.shape_vocabulary_), (5, 7)) * mask
    return {k: v if v.dtype == np.float32 else v.astype(np.int64) for k, v in batch.items()}
