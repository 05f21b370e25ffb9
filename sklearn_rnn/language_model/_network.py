"""The language model's network: embedding -> unidirectional recurrent stack -> next-token logits.

Unlike the pooled and per-step networks of :mod:`sklearn_rnn.nn._networks` it takes and
returns the recurrent state, so that a long text is read chunk after chunk (truncated
backpropagation through time, and scoring or sampling any length). It reuses their
parts: ``InputLayer``, the fused ``nn.LSTM``/``nn.GRU``/
``nn.RNN`` of :class:`~sklearn_rnn.nn.RNNCore` (its initialization) and
``OutputHead`` (float64 at inference). No training logic here.
"""

from __future__ import annotations

import torch
from torch import nn

from sklearn_rnn.nn._layer_states import single_layer, step_states
from sklearn_rnn.nn._networks import InputLayer, OutputHead, RNNCore


class LanguageModelNetwork(nn.Module):
    """Token ids and a state -> logits over the next token and the new state.

    Parameters
    ----------
    n_outputs : int
        The tokens it predicts: every id but padding (output ``k`` is id ``k + 1``).
    n_ids : int
        The vocabulary size.
    n_features : None
        Unused (token input only); accepted because the estimators pass it.
    cell, hidden_size, num_layers, dropout, embedding_dim, single_bias
        As in the estimator.
    embedding_std : float or None
        Token vectors start at ``N(0, embedding_std)``; None keeps ``nn.Embedding``'s
        ``N(0, 1)``.

    Examples
    --------
    >>> net = LanguageModelNetwork(n_outputs=9, n_ids=10, cell="gru", hidden_size=8)
    >>> logits, state = net(torch.tensor([[2, 3, 4]]))
    >>> logits.shape, state.shape  # (B, T, n_outputs), (layers, B, H)
    (torch.Size([1, 3, 9]), torch.Size([1, 1, 8]))
    >>> more, _ = net(torch.tensor([[5]]), state)  # continue where the text stopped
    """

    def __init__(
        self,
        n_outputs: int,
        n_ids: int,
        n_features: int | None = None,
        cell: str = "lstm",
        hidden_size: int = 512,
        num_layers: int = 1,
        dropout: float = 0.0,
        embedding_dim: int = 64,
        single_bias: bool = False,
        embedding_std: float | None = None,
    ):
        super().__init__()
        self.input_layer = InputLayer(n_ids, None, embedding_dim, dropout)
        if embedding_std is not None:
            embedding = self.input_layer.embedding
            nn.init.normal_(embedding.weight, 0.0, embedding_std)
            with torch.no_grad():
                embedding.weight[embedding.padding_idx].zero_()
        # The fused unidirectional stack of RNNCore (``core.rnn``), called with a state.
        self.core = RNNCore(
            cell, embedding_dim, hidden_size, num_layers, dropout=dropout, single_bias=single_bias
        )
        self.head = OutputHead(hidden_size, n_outputs, dropout)

    @property
    def rnn(self) -> nn.RNNBase:
        return self.core.rnn

    def forward(self, inputs: torch.Tensor, state=None):
        # inputs: (B, T) ids; state: None (zeros), (layers, B, H), or (h, c) for the LSTM
        steps, state = self.core.rnn(self.input_layer(inputs), state)  # (B, T, H)
        return self.head(steps), state  # (B, T, n_outputs)

    def layer_outputs(self, inputs: torch.Tensor, layer: int, cell_state: bool = False):
        """Every step's hidden (or LSTM cell) state of one layer, ``(B, T, H)``; eval only.

        The fused stack returns only the top layer's steps, so the layers are run one by
        one with their own weights (the LSTM's cell states recomputed from its gates).
        """
        rnn = self.core.rnn
        x = self.input_layer(inputs)  # (B, T, E)
        for index in range(layer + 1):
            single = single_layer(rnn, index)
            if index == layer:
                return step_states(single, x, cell_state)  # (B, T, H)
            x, _ = single(x)  # (B, T, H)


_CELLS = {nn.RNN: nn.RNNCell, nn.LSTM: nn.LSTMCell, nn.GRU: nn.GRUCell}


def layer_cells(rnn: nn.RNNBase) -> list[nn.Module]:
    """Each layer of a fused stack as a one-step cell holding a copy of its weights."""
    cells = []
    for index in range(rnn.num_layers):
        input_size = rnn.input_size if index == 0 else rnn.hidden_size
        cell = _CELLS[type(rnn)](input_size, rnn.hidden_size)
        with torch.no_grad():
            for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
                getattr(cell, name).copy_(getattr(rnn, f"{name}_l{index}"))
        cells.append(cell.to(next(rnn.parameters()).device).eval())
    return cells
