"""A Keras-style table of a fitted network: layers, output shapes, parameter counts."""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch import nn

from sklearn_rnn.nn._networks import OutputHead
from sklearn_rnn.nn._wide import WideNgrams

# Layers worth a row; containers and parameter-free helpers (dropout, pooling) are skipped.
_LAYER_TYPES = (nn.Embedding, nn.RNNBase, nn.Linear, nn.Conv1d, nn.BatchNorm1d, WideNgrams)


@dataclass
class ModelSummary:
    """The rows of :func:`summarize` and the parameter totals.

    Attributes
    ----------
    rows : list of (name, layer type, output shape, parameter count)
    total_params, trainable_params : int

    Examples
    --------
    >>> from sklearn_rnn.nn import SequenceModel
    >>> model = SequenceModel(n_outputs=2, n_ids=None, n_features=3, cell="gru", hidden_size=4)
    >>> summary = summarize(model, {"inputs": torch.zeros(1, 5, 3), "lengths": torch.tensor([5])})
    >>> summary.rows
    [('core.rnn', 'GRU', '(None, steps, 4)', 108), ('head', 'Linear', '(None, 2)', 10)]
    >>> summary.total_params, summary.trainable_params, summary.non_trainable_params
    (118, 118, 0)
    """

    rows: list = field(default_factory=list)
    total_params: int = 0
    trainable_params: int = 0

    @property
    def non_trainable_params(self) -> int:
        return self.total_params - self.trainable_params

    def __str__(self) -> str:
        header = ("Layer", "Type", "Output shape", "Param #")
        table = [header] + [(n, t, s, f"{p:,}") for n, t, s, p in self.rows]
        widths = [max(len(str(row[i])) for row in table) for i in range(4)]
        line = "-" * (sum(widths) + 6)

        def fmt(row):
            return "  ".join(
                str(cell).rjust(w) if i == 3 else str(cell).ljust(w)
                for i, (cell, w) in enumerate(zip(row, widths, strict=True))
            )

        lines = [line, fmt(header), line, *(fmt(r) for r in table[1:]), line]
        lines += [
            f"Total params: {self.total_params:,}",
            f"Trainable params: {self.trainable_params:,}",
            f"Non-trainable params: {self.non_trainable_params:,}",
        ]
        return "\n".join(lines)

    def __repr__(self) -> str:
        # One line: ``summary()`` has printed the table already.
        return (
            f"ModelSummary(layers={len(self.rows)}, total_params={self.total_params:,}, "
            f"trainable_params={self.trainable_params:,})"
        )


def summarize(module: nn.Module, example_batch: dict) -> ModelSummary:
    """Describe ``module`` by running ``example_batch`` through it once.

    Output shapes are shown with ``None`` for the batch dimension and ``steps`` for
    the time dimension (any length), as in Keras.

    Parameters
    ----------
    module : torch.nn.Module
        The network, e.g. a fitted estimator's ``module_``.
    example_batch : dict of str to torch.Tensor
        Keyword arguments of one forward pass, ``inputs`` (batch, steps, ...) among them.

    Returns
    -------
    summary : ModelSummary
        One row per layer (name, type, output shape, parameter count) and the totals;
        its ``repr`` is the table.

    Examples
    --------
    >>> from sklearn_rnn.nn import SequenceModel
    >>> model = SequenceModel(n_outputs=2, n_ids=None, n_features=10, cell="rnn",
    ...                       hidden_size=32, single_bias=True)
    >>> batch = {"inputs": torch.zeros(1, 3, 10), "lengths": torch.tensor([3])}
    >>> summary = summarize(model, batch)
    >>> summary.rows[0]
    ('core.rnn', 'RNN', '(None, steps, 32)', 1376)
    """
    steps = example_batch["inputs"].shape[1]
    shapes = {}

    def record(name):
        def hook(layer, inputs, output):
            tensor = output[0] if isinstance(output, tuple) else output
            shapes[name] = _symbolic_shape(tuple(tensor.shape), steps)

        return hook

    heads = [n for n, m in module.named_modules() if isinstance(m, OutputHead)]
    layers = [
        (n, m)
        for n, m in module.named_modules()
        if isinstance(m, (*_LAYER_TYPES, OutputHead))
        and not any(n.startswith(head + ".") for head in heads)  # a head is one row
    ]
    handles = [layer.register_forward_hook(record(name)) for name, layer in layers]
    was_training = module.training
    try:
        module.eval()
        with torch.no_grad():
            module(**example_batch)
    finally:
        module.train(was_training)
        for handle in handles:
            handle.remove()
    summary = ModelSummary()
    for name, layer in layers:
        is_head = isinstance(layer, OutputHead)
        count = sum(p.numel() for p in layer.parameters(recurse=is_head))
        kind = "Linear" if is_head else type(layer).__name__
        summary.rows.append((name, kind, shapes.get(name, "?"), count))
    summary.total_params = sum(p.numel() for p in module.parameters())
    summary.trainable_params = sum(p.numel() for p in module.parameters() if p.requires_grad)
    return summary


def _symbolic_shape(shape: tuple, steps: int) -> str:
    dims = ["None"] + [str(d) for d in shape[1:]]  # the batch dimension is shown as None
    if len(shape) == 3 and shape[1] == steps:
        dims[1] = "steps"
    elif len(shape) == 3 and shape[2] == steps:  # convolutions: (B, channels, T)
        dims[2] = "steps"
    return "(" + ", ".join(dims) + ")"
