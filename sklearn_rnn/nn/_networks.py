"""The networks: input layer -> recurrent core -> pooled or per-step head.

Batches arrive padded after each sequence's end. The modules make that padding
harmless by construction instead of packing (on CPU the fused padded kernel is
~3x faster than packed mixed lengths): a forward-direction RNN never reads past
a step, so its outputs at real steps ignore the padding; the backward direction
is fed each sequence reversed within its own length; pooling reads each sequence
at its own last step or masks the padded steps. No training logic lives here.
"""

from __future__ import annotations

import torch
from torch import nn

from sklearn_rnn.nn._convolution import ConvBranch
from sklearn_rnn.nn._wide import WideNgrams

RNN_CELLS = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}


def step_mask(lengths: torch.Tensor, max_len: int) -> torch.Tensor:
    """``(B, T)`` bool mask, True on each sequence's real steps.

    Examples
    --------
    >>> step_mask(torch.tensor([2, 1]), 3).tolist()
    [[True, True, False], [True, False, False]]
    """
    return torch.arange(max_len, device=lengths.device)[None, :] < lengths[:, None]


def reverse_within_length(x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """Reverse each sequence of ``x (B, T, H)`` within its own length; padding stays put.

    Examples
    --------
    >>> x = torch.tensor([[1, 2, 3], [4, 5, 0]])[:, :, None]  # (B=2, T=3, H=1)
    >>> reverse_within_length(x, torch.tensor([3, 2]))[:, :, 0].tolist()
    [[3, 2, 1], [5, 4, 0]]
    """
    max_len = x.shape[1]
    steps = torch.arange(max_len, device=x.device)[None, :]  # (1, T)
    source = lengths[:, None] - 1 - steps  # (B, T)
    source = torch.where(source >= 0, source, steps)  # padded positions map to themselves
    return x.gather(1, source[:, :, None].expand(-1, -1, x.shape[2]))


class InputLayer(nn.Module):
    """Token ids -> embeddings, or numeric steps passed through unchanged.

    Parameters
    ----------
    n_ids : int or None
        Vocabulary size for id inputs; None for numeric inputs.
    n_features : int or None
        Features per step for numeric inputs.
    embedding_dim : int
        Size of the token embeddings.
    dropout : float
        Dropout on the layer's output during training.
    sparse : bool
        Give the embedding sparse gradients (only the rows a batch used).

    Examples
    --------
    >>> layer = InputLayer(n_ids=10, n_features=None, embedding_dim=4, dropout=0.0)
    >>> embedded = layer(torch.tensor([[2, 3, 0]]))
    >>> embedded.shape, bool((embedded[0, 2] == 0).all())  # id 0 (padding) embeds to zeros
    (torch.Size([1, 3, 4]), True)
    >>> InputLayer(n_ids=None, n_features=2, embedding_dim=4, dropout=0.0).output_size
    2
    """

    def __init__(
        self,
        n_ids: int | None,
        n_features: int | None,
        embedding_dim: int,
        dropout: float,
        sparse: bool = False,
    ):
        super().__init__()
        if n_ids is not None:
            self.embedding = nn.Embedding(n_ids, embedding_dim, padding_idx=0, sparse=sparse)
            self.output_size = embedding_dim
        else:
            self.embedding = None
            self.output_size = n_features
        # Dropout on raw numeric features would erase whole inputs (the only one, for a
        # univariate series); it applies to embeddings only.
        self.dropout = nn.Dropout(dropout if n_ids is not None else 0.0)

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        # inputs: (B, T) int64 ids or (B, T, F) float
        x = self.embedding(inputs) if self.embedding is not None else inputs  # (B, T, E|F)
        return self.dropout(x)


class RNNCore(nn.Module):
    """A stack of recurrent layers (tanh RNN, LSTM or GRU), optionally bidirectional.

    A unidirectional stack is one fused ``nn.RNN``/``nn.LSTM``/``nn.GRU``. A
    bidirectional layer is two unidirectional ones, the backward one run on each
    sequence reversed within its length, so padding never reaches a real step.

    Recurrent weights start orthogonal and LSTM forget-gate biases at 1, which
    keeps gradients alive over long series.

    ``single_bias=True`` drops the hidden-to-hidden bias, keeping one bias vector per
    gate as Keras does. For ``"rnn"`` and ``"lstm"`` the two biases are only ever
    summed, so the model is the same with fewer parameters; for ``"gru"`` the count
    matches Keras' ``GRU(reset_after=False)``.

    Parameters
    ----------
    cell : {"rnn", "lstm", "gru"}
        The recurrent cell.
    input_size : int
        Features per input step.
    hidden_size : int
        Hidden units per direction and layer.
    num_layers : int, default=1
        Stacked recurrent layers.
    bidirectional : bool, default=False
        Read each sequence in both directions; the output joins both.
    dropout : float, default=0.0
        Dropout between the layers.
    single_bias : bool, default=False
        Drop the hidden-to-hidden bias (one bias vector per gate).

    Examples
    --------
    >>> _ = torch.manual_seed(0)
    >>> core = RNNCore("gru", input_size=3, hidden_size=4, bidirectional=True)
    >>> core(torch.randn(2, 5, 3), torch.tensor([5, 2])).shape  # (B, T, 2 * hidden_size)
    torch.Size([2, 5, 8])
    >>> lstm = RNNCore("lstm", input_size=3, hidden_size=4, single_bias=True)
    >>> sum(p.numel() for p in lstm.parameters())  # 4 gates * (4 * (3 + 4) + 4)
    128
    """

    def __init__(
        self,
        cell: str,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bidirectional: bool = False,
        dropout: float = 0.0,
        single_bias: bool = False,
    ):
        super().__init__()
        rnn_class = RNN_CELLS[cell]
        self.cell = cell
        self.bidirectional = bidirectional
        self.hidden_size = hidden_size
        self.input_size = input_size
        self.output_size = hidden_size * (2 if bidirectional else 1)
        if bidirectional:
            sizes = [input_size] + [2 * hidden_size] * (num_layers - 1)
            self.forward_layers = nn.ModuleList(
                rnn_class(size, hidden_size, batch_first=True) for size in sizes
            )
            self.backward_layers = nn.ModuleList(
                rnn_class(size, hidden_size, batch_first=True) for size in sizes
            )
            self.between_layers = nn.Dropout(dropout)
        else:
            self.rnn = rnn_class(
                input_size,
                hidden_size,
                num_layers=num_layers,
                batch_first=True,
                dropout=dropout if num_layers > 1 else 0.0,
            )
        if single_bias:
            for rnn in self.modules():
                if isinstance(rnn, nn.RNNBase):
                    _drop_hidden_bias(rnn)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Start recurrent weights orthogonal (per gate) and LSTM forget-gate biases at 1."""
        for name, param in self.named_parameters():
            if "weight_hh" in name:
                for gate in param.data.chunk(param.shape[0] // self.hidden_size, 0):
                    nn.init.orthogonal_(gate)
            elif "bias" in name:
                nn.init.zeros_(param.data)
                if self.cell == "lstm" and "bias_ih" in name:
                    param.data[self.hidden_size : 2 * self.hidden_size] = 1.0  # forget gate
            elif "weight_ih" in name:
                nn.init.xavier_uniform_(param.data)

    def forward(self, x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        # x: (B, T, I), lengths: (B,) -> (B, T, H * directions)
        if not self.bidirectional:
            return self.rnn(x)[0]
        for i, (fwd, bwd) in enumerate(zip(self.forward_layers, self.backward_layers, strict=True)):
            if i > 0:
                x = self.between_layers(x)
            out_fwd = fwd(x)[0]  # (B, T, H)
            out_bwd = reverse_within_length(bwd(reverse_within_length(x, lengths))[0], lengths)
            x = torch.cat([out_fwd, out_bwd], dim=2)  # (B, T, 2H)
        return x


def _drop_hidden_bias(rnn: nn.RNNBase) -> None:
    """Replace the ``bias_hh`` parameters of ``rnn`` by constant zero buffers."""
    for name in [n for n, _ in rnn.named_parameters() if n.startswith("bias_hh")]:
        zeros = torch.zeros_like(getattr(rnn, name).data)
        delattr(rnn, name)
        rnn.register_buffer(name, zeros)
    rnn._init_flat_weights()  # the fused kernels read this list of weight tensors


class Pooling(nn.Module):
    """Reduce ``(B, T, D)`` step outputs to ``(B, D)`` over each sequence's real steps.

    ``"last"`` reads the forward direction at the sequence's own last step and the
    backward direction at step 0 (where it has read the whole sequence).

    Examples
    --------
    >>> outputs = torch.arange(6.0).reshape(1, 3, 2)  # (B=1, T=3, D=2)
    >>> lengths = torch.tensor([2])  # the last step is padding
    >>> Pooling("last", bidirectional=False)(outputs, lengths).tolist()
    [[2.0, 3.0]]
    >>> Pooling("mean", bidirectional=False)(outputs, lengths).tolist()
    [[1.0, 2.0]]
    >>> Pooling("last", bidirectional=True)(outputs, lengths).tolist()  # backward half: step 0
    [[2.0, 1.0]]
    """

    def __init__(self, pooling: str, bidirectional: bool):
        super().__init__()
        self.pooling = pooling
        self.bidirectional = bidirectional

    def forward(self, outputs: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        batch = torch.arange(outputs.shape[0], device=outputs.device)
        if self.pooling == "last":
            last = outputs[batch, lengths - 1]  # (B, D)
            if self.bidirectional:
                half = outputs.shape[2] // 2
                last = torch.cat([last[:, :half], outputs[:, 0, half:]], dim=1)
            return last
        mask = step_mask(lengths, outputs.shape[1])[:, :, None]  # (B, T, 1)
        if self.pooling == "mean":
            return (outputs * mask).sum(1) / lengths[:, None].to(outputs.dtype)
        return outputs.masked_fill(~mask, float("-inf")).amax(1)  # "max"


class OutputHead(nn.Module):
    """Dropout and the final linear layer; float64 at inference.

    float32 products round differently for one row than for many, so at inference
    (``eval()`` mode) the layer runs in float64 and a sequence's output does not depend
    on its batch; in training it runs in the input's dtype. Being a module call either
    way, forward hooks (summaries, feature extraction) see it.

    Examples
    --------
    >>> head = OutputHead(4, 2, dropout=0.5).eval()
    >>> head(torch.ones(3, 4)).dtype
    torch.float64
    >>> head.train()(torch.ones(3, 4)).dtype
    torch.float32
    """

    def __init__(self, in_features: int, out_features: int, dropout: float = 0.0):
        super().__init__()
        self.dropout = nn.Dropout(dropout)
        self.linear = nn.Linear(in_features, out_features)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # x: (..., in_features) -> (..., out_features)
        if self.training:
            return self.linear(self.dropout(x))
        linear = self.linear
        return nn.functional.linear(x.double(), linear.weight.double(), linear.bias.double())


class SequenceModel(nn.Module):
    """Input layer -> recurrent core -> pooled or per-step linear head.

    Parameters
    ----------
    n_outputs : int
        Output units: classes (classifier/tagger) or targets (regressor).
    n_ids, n_features : int or None
        What the input layer reads: a vocabulary of ids, or float steps.
    cell : {"rnn", "lstm", "gru"}, default="lstm"
        The recurrent cell.
    hidden_size : int, default=128
        Hidden units per direction and layer.
    num_layers : int, default=1
        Stacked recurrent layers.
    bidirectional : bool, default=False
        Read each sequence in both directions.
    dropout : float, default=0.0
        Dropout between the layers.
    embedding_dim : int, default=100
        Size of the embedding of ids (unused for float steps).
    pooling : {"last", "mean", "max"} or None, default="last"
        How steps are reduced to one vector; None gives one output per step.
    single_bias : bool, default=False
        One bias vector per gate (see :class:`RNNCore`).
    sparse_embeddings : bool, default=False
        Sparse embedding gradients (see ``InputLayer``).
    conv_blocks : sequence of (int, int) or None, default=None
        ``(filters, width)`` of convolution blocks reading the input beside the core
        (``ConvBranch``); their mean over real steps (their
        step outputs, without pooling) joins the core's output. None: no convolutions.
    wide_ngrams : {1, 2} or None
        Token ids with pooling only: add the scores of a linear model over the
        sequence's words (1) or words and word pairs (2) to the outputs
        (:class:`~sklearn_rnn.nn.WideNgrams`), trained with the network. None: no wide
        branch.
    naive_bayes : bool, default=False
        With ``wide_ngrams``: the wide branch holds a naive Bayes table too, added at
        inference (:class:`~sklearn_rnn.nn.WideNgrams`).

    Examples
    --------
    >>> model = SequenceModel(n_outputs=3, n_ids=10, n_features=None, cell="gru",
    ...                       hidden_size=8, pooling="mean")
    >>> model(torch.tensor([[2, 3, 0]]), torch.tensor([2])).shape
    torch.Size([1, 3])
    """

    def __init__(
        self,
        n_outputs: int,
        n_ids: int | None,
        n_features: int | None,
        cell: str = "lstm",
        hidden_size: int = 128,
        num_layers: int = 1,
        bidirectional: bool = False,
        dropout: float = 0.0,
        embedding_dim: int = 100,
        pooling: str | None = "last",
        single_bias: bool = False,
        sparse_embeddings: bool = False,
        conv_blocks=None,
        wide_ngrams: int | None = None,
        naive_bayes: bool = False,
    ):
        super().__init__()
        self.input_layer = InputLayer(n_ids, n_features, embedding_dim, dropout, sparse_embeddings)
        self.core = RNNCore(
            cell,
            self.input_layer.output_size,
            hidden_size,
            num_layers,
            bidirectional,
            dropout,
            single_bias,
        )
        self.pooling = Pooling(pooling, bidirectional) if pooling is not None else None
        self.conv = None if conv_blocks is None else ConvBranch(self.core.input_size, conv_blocks)
        features = self.core.output_size + (0 if self.conv is None else self.conv.output_size)
        self.head = OutputHead(features, n_outputs, dropout)
        self.wide = None
        if wide_ngrams is not None and n_ids is not None and pooling is not None:
            self.wide = WideNgrams(n_ids, n_outputs, wide_ngrams, naive_bayes)

    def forward(self, inputs: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        # inputs: (B, T) ids or (B, T, F) floats; lengths: (B,)
        x = self.input_layer(inputs)  # (B, T, E|F)
        steps = self.core(x, lengths)  # (B, T, D)
        if self.pooling is not None:
            steps = self.pooling(steps, lengths)  # (B, D)
        if self.conv is not None:
            read = self.conv if self.pooling is not None else self.conv.step_features
            steps = torch.cat([steps, read(x, lengths)], dim=-1)  # (B, D + C) or (B, T, D + C)
        outputs = self.head(steps)  # (B, n_outputs), or (B, T, n_outputs) without pooling
        if self.wide is not None:
            outputs = outputs + self.wide(inputs, lengths)  # (B, n_outputs)
        return outputs


class CharEncoder(nn.Module):
    """The characters of each word -> one vector per word (a character BiLSTM).

    Each word is read forwards and, reversed within its own length, backwards; its
    vector is the forward state after its last character joined to the backward state
    after its first, so padding characters never reach it (as in Lample et al., 2016).

    Parameters
    ----------
    n_chars : int
        Size of the character vocabulary (0 is padding).
    embedding_dim : int
        Size of the character embeddings, and of the LSTM's hidden state per direction.

    Examples
    --------
    >>> encoder = CharEncoder(n_chars=10, embedding_dim=4)
    >>> encoder(torch.tensor([[2, 3, 4], [5, 0, 0]]), torch.tensor([3, 1])).shape
    torch.Size([2, 8])
    """

    def __init__(self, n_chars: int, embedding_dim: int):
        super().__init__()
        self.embedding = nn.Embedding(n_chars, embedding_dim, padding_idx=0)
        self.core = RNNCore("lstm", embedding_dim, embedding_dim, bidirectional=True)
        self.pooling = Pooling("last", bidirectional=True)
        self.output_size = self.core.output_size

    def forward(self, chars: torch.Tensor, char_lengths: torch.Tensor) -> torch.Tensor:
        # chars: (U, L) char ids of U distinct words; char_lengths: (U,)
        steps = self.core(self.embedding(chars), char_lengths)  # (U, L, 2C)
        return self.pooling(steps, char_lengths)  # (U, 2C)


class TaggerModel(nn.Module):
    """Word (+ character and shape) features -> recurrent core -> one score per tag and step.

    Parameters
    ----------
    n_outputs : int
        Number of tags.
    n_ids, n_features : int or None
        What the input layer reads: a vocabulary of ids, or float steps.
    cell : {"rnn", "lstm", "gru"}, default="lstm"
        The recurrent cell.
    hidden_size : int, default=128
        Hidden units per direction and layer.
    num_layers : int, default=1
        Stacked recurrent layers.
    bidirectional : bool, default=True
        Read each sequence in both directions.
    dropout : float, default=0.0
        Dropout between the layers.
    embedding_dim : int, default=100
        Size of the embedding of ids (unused for float steps).
    single_bias : bool, default=False
        One bias vector per gate (see :class:`RNNCore`).
    sparse_embeddings : bool, default=False
        Sparse gradients for the word embedding table (see ``InputLayer``).
    n_chars : int or None, default=None
        Size of the character vocabulary; None (or ``char_embedding_dim=0``) leaves
        character features out.
    char_embedding_dim : int, default=0
        Size of the :class:`CharEncoder`'s embeddings and hidden state per direction.
    n_shapes : int or None, default=None
        Number of word-shape ids (0 is padding); None (or ``shape_embedding_dim=0``)
        leaves the shape feature out.
    shape_embedding_dim : int, default=0
        Size of the word-shape embedding joined to each step's word features.
    word_dropout : float, default=0.0
        During training, the probability that an id marked in ``rare_ids`` is replaced
        by the unknown id, so that the unknown word's vector is trained too.
    rare_ids : torch.Tensor of bool, shape (n_ids,), or None
        The ids word dropout applies to (the words seen once in fit).
    crf : bool, default=False
        Add a :class:`~sklearn_rnn.nn.LinearChainCRF` over the tags as ``self.crf``;
        the forward pass still returns the per-step emission scores.

    Examples
    --------
    >>> model = TaggerModel(n_outputs=3, n_ids=10, n_features=None, hidden_size=8,
    ...                     bidirectional=True, n_chars=5, char_embedding_dim=4)
    >>> inputs, lengths = torch.tensor([[2, 3, 4], [5, 0, 0]]), torch.tensor([3, 1])
    >>> chars = torch.tensor([[0, 0], [2, 3], [4, 0], [2, 0], [3, 3]])  # 5 distinct words
    >>> char_lengths = torch.tensor([1, 2, 1, 1, 2])
    >>> char_index = torch.tensor([[1, 2, 3], [4, 0, 0]])  # (B, T) -> row of chars
    >>> model(inputs, lengths, chars, char_lengths, char_index).shape
    torch.Size([2, 3, 3])
    >>> model = TaggerModel(n_outputs=3, n_ids=10, n_features=None, hidden_size=8,
    ...                     n_shapes=4, shape_embedding_dim=2)
    >>> shapes = torch.tensor([[2, 3, 2], [3, 0, 0]])  # (B, T) shape ids, 0 past each end
    >>> model(inputs, lengths, shapes=shapes).shape
    torch.Size([2, 3, 3])
    """

    def __init__(
        self,
        n_outputs: int,
        n_ids: int | None,
        n_features: int | None,
        cell: str = "lstm",
        hidden_size: int = 128,
        num_layers: int = 1,
        bidirectional: bool = True,
        dropout: float = 0.0,
        embedding_dim: int = 100,
        single_bias: bool = False,
        sparse_embeddings: bool = False,
        n_chars: int | None = None,
        char_embedding_dim: int = 0,
        n_shapes: int | None = None,
        shape_embedding_dim: int = 0,
        word_dropout: float = 0.0,
        rare_ids: torch.Tensor | None = None,
        crf: bool = False,
    ):
        super().__init__()
        self.input_layer = InputLayer(n_ids, n_features, embedding_dim, dropout=0.0)
        if self.input_layer.embedding is not None:
            self.input_layer.embedding.sparse = sparse_embeddings
        input_size = self.input_layer.output_size
        self.char_encoder = None
        if n_ids is not None and n_chars is not None and char_embedding_dim > 0:
            self.char_encoder = CharEncoder(n_chars, char_embedding_dim)
            input_size += self.char_encoder.output_size
        self.shape_embedding = None
        if n_ids is not None and n_shapes is not None and shape_embedding_dim > 0:
            self.shape_embedding = nn.Embedding(n_shapes, shape_embedding_dim, padding_idx=0)
            input_size += shape_embedding_dim
        self.word_dropout = word_dropout if n_ids is not None else 0.0
        if rare_ids is None and n_ids is not None:
            rare_ids = torch.zeros(n_ids, dtype=torch.bool)
        self.register_buffer("rare_ids", rare_ids)
        # As in InputLayer: dropout would erase whole raw numeric features; embeddings only.
        self.input_dropout = nn.Dropout(dropout if n_ids is not None else 0.0)
        self.core = RNNCore(
            cell, input_size, hidden_size, num_layers, bidirectional, dropout, single_bias
        )
        self.head = OutputHead(self.core.output_size, n_outputs, dropout)
        self.crf = None
        if crf:
            from sklearn_rnn.nn._crf import LinearChainCRF

            self.crf = LinearChainCRF(n_outputs)

    def forward(
        self,
        inputs: torch.Tensor,
        lengths: torch.Tensor,
        chars: torch.Tensor | None = None,
        char_lengths: torch.Tensor | None = None,
        char_index: torch.Tensor | None = None,
        shapes: torch.Tensor | None = None,
    ) -> torch.Tensor:
        # inputs: (B, T) ids or (B, T, F) floats; lengths: (B,)
        # chars: (U, L) characters of the batch's U distinct words, or the same rows laid
        # out as (B, k, L) (skorch wants B rows in every batch entry); char_lengths: (U,)
        # or (B, k); char_index: (B, T), the row of the flattened ``chars`` of each step;
        # shapes: (B, T) word-shape ids.
        if self.training and self.word_dropout > 0:
            coin = torch.rand(inputs.shape, device=inputs.device)  # (B, T)
            drop = self.rare_ids[inputs] & (coin < self.word_dropout)  # (B, T)
            inputs = inputs.masked_fill(drop, 1)  # 1 is the unknown id
        x = self.input_layer(inputs)  # (B, T, E|F)
        if self.char_encoder is not None and chars is not None:
            chars = chars.reshape(-1, chars.shape[-1])  # (U, L)
            words = self.char_encoder(chars, char_lengths.reshape(-1))  # (U, 2C)
            x = torch.cat([x, words[char_index]], dim=2)  # (B, T, E + 2C)
        if self.shape_embedding is not None and shapes is not None:
            x = torch.cat([x, self.shape_embedding(shapes)], dim=2)  # (B, T, ... + S)
        steps = self.core(self.input_dropout(x), lengths)  # (B, T, D)
        return self.head(steps)  # (B, T, n_outputs)
