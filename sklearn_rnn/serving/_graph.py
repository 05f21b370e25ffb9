"""The ONNX graph of a network, built node by node from its weights (numpy arrays).

The graph reads batches as the estimators' networks do (padded ``inputs`` and their
``lengths``; the tagger's character and shape inputs) and computes what they compute
at inference. Padding stays harmless the same way: each recurrent layer is one ONNX
``RNN``/``LSTM``/``GRU`` node given the ``sequence_lens``, so the forward direction
stops and the backward direction starts at each sequence's own last step; pooling
reads the final states (``"last"``) or masks the padded steps (``"mean"``/``"max"``);
the output layer runs in float64, as ``OutputHead`` does.
Recurrent layers run time-major (``(T, B, ...)``), ONNX's layout.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 17

# PyTorch's gate order -> ONNX's: LSTM (i, f, g, o) -> (i, o, f, c), GRU (r, z, n) -> (z, r, h).
_GATE_ORDER = {"rnn": [0], "lstm": [0, 3, 1, 2], "gru": [1, 0, 2]}
_OP = {"rnn": "RNN", "lstm": "LSTM", "gru": "GRU"}


@dataclass
class Direction:
    """One direction of one recurrent layer, in PyTorch's layout."""

    w_ih: np.ndarray  # (G * H, I)
    w_hh: np.ndarray  # (G * H, H)
    b_ih: np.ndarray  # (G * H,)
    b_hh: np.ndarray  # (G * H,)


class GraphBuilder:
    """Collects nodes and initializers; names every value uniquely."""

    def __init__(self):
        self.nodes: list = []
        self.initializers: list = []
        self._count = 0

    def _name(self, stem: str) -> str:
        self._count += 1
        return f"{stem}_{self._count}"

    def const(self, array: np.ndarray, stem: str = "const") -> str:
        name = self._name(stem)
        self.initializers.append(numpy_helper.from_array(np.asarray(array), name))
        return name

    def op(self, op_type: str, inputs: list[str], n_outputs: int = 1, **attrs):
        outputs = [self._name(op_type.lower()) for _ in range(n_outputs)]
        self.nodes.append(helper.make_node(op_type, inputs, outputs, **attrs))
        return outputs[0] if n_outputs == 1 else outputs

    def node(self, op_type: str, inputs: list[str], outputs: list[str], **attrs) -> None:
        self.nodes.append(helper.make_node(op_type, inputs, outputs, **attrs))

    # -- building blocks ----------------------------------------------------------------

    def embed(self, table: np.ndarray, ids_tm: str) -> str:
        """``(T, B)`` ids -> ``(T, B, E)`` rows of ``table``."""
        return self.op("Gather", [self.const(table.astype(np.float32), "embedding"), ids_tm])

    def recurrent_layer(
        self, cell: str, x_tm: str, seq_lens: str, directions: list[Direction], steps: bool
    ) -> tuple[str | None, str]:
        """One (bi)directional layer over ``(T, B, I)``.

        Returns the step outputs ``(T, B, D * H)`` (None unless ``steps``) and the final
        states ``(B, D * H)``: the forward direction's at each sequence's last step, the
        backward direction's at step 0, as ``Pooling("last")`` reads them.
        """
        order = _GATE_ORDER[cell]
        hidden = directions[0].w_hh.shape[1]

        def gates(a):  # reorder the gate blocks along the first axis
            return np.concatenate([a[g * hidden : (g + 1) * hidden] for g in order])

        w = np.stack([gates(d.w_ih) for d in directions]).astype(np.float32)  # (D, GH, I)
        r = np.stack([gates(d.w_hh) for d in directions]).astype(np.float32)  # (D, GH, H)
        b = np.stack([np.concatenate([gates(d.b_ih), gates(d.b_hh)]) for d in directions])
        attrs = {
            "hidden_size": hidden,
            "direction": "bidirectional" if len(directions) == 2 else "forward",
        }
        if cell == "gru":
            attrs["linear_before_reset"] = 1  # PyTorch applies the reset gate after R h
        y = self._name("y") if steps else ""
        y_h = self._name("y_h")
        inputs = [x_tm, self.const(w, "W"), self.const(r, "R"), self.const(b.astype(np.float32))]
        self.node(_OP[cell], [*inputs, seq_lens], [y, y_h], **attrs)
        final = self.op("Transpose", [y_h], perm=[1, 0, 2])  # (B, D, H)
        final = self.op("Reshape", [final, self.const(np.array([0, -1]))])  # (B, D * H)
        if not steps:
            return None, final
        y = self.op("Transpose", [y], perm=[0, 2, 1, 3])  # (T, D, B, H) -> (T, B, D, H)
        return self.op("Reshape", [y, self.const(np.array([0, 0, -1]))]), final

    def step_mask(self, x_tm: str, lengths: str) -> str:
        """``(T, B, 1)`` bool, True on each sequence's real steps."""
        shape = self.op("Shape", [x_tm])
        steps = self.op("Gather", [shape, self.const(np.array(0))])  # T, a scalar
        positions = self.op("Range", [self.const(np.array(0)), steps, self.const(np.array(1))])
        positions = self.op("Unsqueeze", [positions, self.const(np.array([1]))])  # (T, 1)
        mask = self.op("Less", [positions, self.op("Unsqueeze", [lengths, self.const([0])])])
        return self.op("Unsqueeze", [mask, self.const(np.array([2]))])  # (T, B, 1)

    def pool(self, pooling: str, y_tm: str, lengths: str) -> str:
        """Mean or max over each sequence's real steps: ``(T, B, D)`` -> ``(B, D)``."""
        mask = self.step_mask(y_tm, lengths)
        if pooling == "mean":
            masked = self.op("Mul", [y_tm, self.op("Cast", [mask], to=TensorProto.FLOAT)])
            total = self.op("ReduceSum", [masked, self.const(np.array([0]))], keepdims=0)
            count = self.op("Cast", [lengths], to=TensorProto.FLOAT)
            count = self.op("Unsqueeze", [count, self.const(np.array([1]))])  # (B, 1)
            return self.op("Div", [total, count])
        floor = self.const(np.array(-np.inf, dtype=np.float32))
        return self.op("ReduceMax", [self.op("Where", [mask, y_tm, floor])], axes=[0], keepdims=0)

    def conv_blocks(self, x_tm: str, lengths: str, blocks: list[dict]) -> str:
        """The convolution branch: ``(T, B, F)`` -> ``(B, C)``, the mean over real steps.

        Each block is a ``Conv`` (its ``"same"`` padding, ``pads``), the evaluation-mode
        ``BatchNormalization`` (``norm``: scale, bias, mean, var, eps) and ``Relu``, with the
        padded steps zeroed after it as ``ConvBranch`` does.
        """
        mask = self.op("Cast", [self.step_mask(x_tm, lengths)], to=TensorProto.FLOAT)
        mask = self.op("Transpose", [mask], perm=[1, 2, 0])  # (B, 1, T)
        h = self.op("Mul", [self.op("Transpose", [x_tm], perm=[1, 2, 0]), mask])  # (B, F, T)
        for block in blocks:
            weights = [self.const(block["weight"].astype(np.float32)), self.const(block["bias"])]
            h = self.op("Conv", [h, *weights], pads=list(block["pads"]))
            scale, shift, mean, var, eps = block["norm"]
            norm = [self.const(a.astype(np.float32)) for a in (scale, shift, mean, var)]
            h = self.op("BatchNormalization", [h, *norm], epsilon=float(eps))
            h = self.op("Mul", [self.op("Relu", [h]), mask])
        return self.pool("mean", self.op("Transpose", [h], perm=[2, 0, 1]), lengths)  # (T, B, C)

    def wide_ngrams(
        self,
        weight: np.ndarray,
        n_ids: int,
        ngrams: int,
        buckets: int,
        multiplier: int,
        naive_bayes: np.ndarray | None = None,
    ) -> str:
        """The wide branch (:class:`~sklearn_rnn.nn.WideNgrams`): ``(B, C)`` float64 scores.

        Reads the batch-major ``inputs`` and ``lengths``: the rows of each real step's
        id, and with ``ngrams=2`` of each hashed pair of adjacent real ids, summed and
        divided by the square root of their number; plus, with a ``naive_bayes`` table,
        that table's rows of the same n-grams, summed.
        """
        tables = [self.const(weight.astype(np.float32), "wide_weight")]
        if naive_bayes is not None:
            tables.append(self.const(naive_bayes.astype(np.float32), "naive_bayes"))
        ids = "inputs"  # (B, T)
        steps = self.op("Gather", [self.op("Shape", [ids]), self.const(np.array(1))])
        positions = self.op("Range", [self.const(np.array(0)), steps, self.const(np.array(1))])
        lengths = self.op("Unsqueeze", ["lengths", self.const(np.array([1]))])  # (B, 1)
        mask = self.op("Less", [self.op("Unsqueeze", [positions, self.const([0])]), lengths])
        mask = self.op("Cast", [mask], to=TensorProto.DOUBLE)
        mask = self.op("Unsqueeze", [mask, self.const(np.array([2]))])  # (B, T, 1)

        def masked_sum(table: str, rows: str, row_mask: str) -> str:  # (B, T', C) -> (B, C)
            rows = self.op("Cast", [self.op("Gather", [table, rows])], to=TensorProto.DOUBLE)
            masked = self.op("Mul", [rows, row_mask])
            return self.op("ReduceSum", [masked, self.const(np.array([1]))], keepdims=0)

        totals = [masked_sum(table, ids, mask) for table in tables]
        count = self.op("Cast", ["lengths"], to=TensorProto.DOUBLE)  # (B,)
        if ngrams >= 2:
            one, last = self.const(np.array([1])), self.const(np.array([-1]))
            end, zero = self.const(np.array([np.iinfo(np.int64).max])), self.const(np.array([0]))
            first = self.op("Slice", [ids, zero, last, one])  # (B, T - 1)
            second = self.op("Slice", [ids, one, end, one])
            hashed = self.op("Mul", [first, self.const(np.array(multiplier, dtype=np.int64))])
            hashed = self.op("Add", [hashed, second])
            hashed = self.op("Mod", [hashed, self.const(np.array(buckets, dtype=np.int64))])
            pairs = self.op("Add", [hashed, self.const(np.array(n_ids, dtype=np.int64))])
            pair_mask = self.op("Slice", [mask, one, end, one])  # pair t ends at step t + 1
            totals = [
                self.op("Add", [total, masked_sum(table, pairs, pair_mask)])
                for table, total in zip(tables, totals, strict=True)
            ]
            count = self.op("Sub", [self.op("Add", [count, count]), self.const(np.array(1.0))])
        scale = self.op("Sqrt", [self.op("Unsqueeze", [count, self.const(np.array([1]))])])
        scores = self.op("Div", [totals[0], scale])
        if naive_bayes is not None:  # a sum, not divided
            scores = self.op("Add", [scores, totals[1]])
        return scores

    def linear64(self, x: str, weight: np.ndarray, bias: np.ndarray) -> str:
        """``x @ weight.T + bias`` in float64 (the output head at inference)."""
        x = self.op("Cast", [x], to=TensorProto.DOUBLE)
        w = self.const(weight.astype(np.float64).T.copy(), "head_weight")
        return self.op("Add", [self.op("MatMul", [x, w]), self.const(bias.astype(np.float64))])


def make_model(
    builder: GraphBuilder,
    inputs: list[tuple[str, int, list]],
    output: tuple[str, list],
    metadata: dict[str, str],
    doc: str,
) -> onnx.ModelProto:
    """The checked ONNX model of ``builder``'s nodes; ``output`` is ``(value, dims)``."""
    value, dims = output
    builder.node("Identity", [value], ["outputs"])
    graph = helper.make_graph(
        builder.nodes,
        "sklearn_rnn",
        [helper.make_tensor_value_info(name, dtype, shape) for name, dtype, shape in inputs],
        [helper.make_tensor_value_info("outputs", TensorProto.DOUBLE, dims)],
        initializer=builder.initializers,
    )
    model = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", OPSET)],
        producer_name="sklearn_rnn",
        doc_string=doc,
    )
    model.ir_version = 8  # the IR of opset 17; older runtimes refuse newer IRs
    helper.set_model_props(model, metadata)
    onnx.checker.check_model(model, full_check=True)
    return model
