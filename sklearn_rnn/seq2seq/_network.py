"""The encoder-decoder network of :class:`~sklearn_rnn.seq2seq.RNNSeq2Seq`, and its decoding.

Encoder: the library's input layer and recurrent core (:mod:`sklearn_rnn.nn._networks`), so
padding after a source sequence's end is harmless as everywhere else. Decoder: a
unidirectional recurrent stack started from the encoder's summary of the source, with
Luong's "general" attention over the encoder's steps (padded steps masked out) and
an attentional layer ``tanh(W_c [context; h])`` before the output head (Luong et al., 2015,
without input feeding). Without input feeding the teacher-forced decoder is one call of
the fused ``nn.LSTM``/``nn.GRU`` kernel over all target steps, and attention one batched
product, instead of a Python loop over steps. Target-side padding comes after each
target's end, where a forward RNN never reads, and the loss ignores it.

Output ids: 0 padding, 1 unknown (never a target), 2 end of sequence, 3 start of
sequence, then the output symbols.
"""

from __future__ import annotations

import torch
from torch import nn

from sklearn_rnn._targets._sequences import BOS_ID, EOS_ID
from sklearn_rnn.encoding._vocabulary import PAD_ID, UNK_ID
from sklearn_rnn.nn._networks import InputLayer, OutputHead, Pooling, RNNCore, step_mask

# Ids the decoder may never emit: what it does emit is the end of sequence or a symbol.
NOT_EMITTED = (PAD_ID, UNK_ID, BOS_ID)


class Attention(nn.Module):
    """Luong's "general" attention: ``score(h_t, m_s) = h_t^T W m_s`` over real source steps.

    Examples
    --------
    >>> attention = Attention(query_size=4, memory_size=6)
    >>> memory = torch.randn(2, 5, 6)  # (B, S, D)
    >>> keys = attention.keys(memory)  # (B, S, H), computed once per source
    >>> mask = step_mask(torch.tensor([5, 2]), 5)  # the second source has 2 real steps
    >>> context, weights = attention(torch.randn(2, 3, 4), keys, memory, mask)
    >>> context.shape, weights.shape, bool((weights[1, :, 2:] == 0).all())
    (torch.Size([2, 3, 6]), torch.Size([2, 3, 5]), True)
    """

    def __init__(self, query_size: int, memory_size: int):
        super().__init__()
        self.project = nn.Linear(memory_size, query_size, bias=False)

    def keys(self, memory: torch.Tensor) -> torch.Tensor:
        # memory: (B, S, D) -> (B, S, H)
        return self.project(memory)

    def forward(
        self, queries: torch.Tensor, keys: torch.Tensor, memory: torch.Tensor, mask: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        # queries: (B, T, H); keys: (B, S, H); memory: (B, S, D); mask: (B, S)
        scores = queries @ keys.transpose(1, 2)  # (B, T, S)
        scores = scores.masked_fill(~mask[:, None, :], float("-inf"))
        weights = torch.softmax(scores, dim=2)  # (B, T, S), 0 on padded source steps
        return weights @ memory, weights  # (B, T, D), (B, T, S)


class Seq2SeqModel(nn.Module):
    """Recurrent encoder -> attentional recurrent decoder -> one score per output symbol.

    Parameters
    ----------
    n_outputs : int
        Size of the output vocabulary (with padding, unknown, end and start ids).
    n_ids, n_features : int or None
        What the encoder's input layer reads: a vocabulary of ids, or float steps.
    cell, hidden_size, num_layers, bidirectional, dropout, embedding_dim, single_bias
        As in the estimator; the decoder has ``num_layers`` layers of ``hidden_size``
        and embeds the output symbols in ``embedding_dim`` dimensions too.

    Examples
    --------
    >>> _ = torch.manual_seed(0)
    >>> model = Seq2SeqModel(n_outputs=9, n_ids=12, n_features=None, hidden_size=8,
    ...                      embedding_dim=4)
    >>> inputs, lengths = torch.tensor([[4, 5, 6], [7, 8, 0]]), torch.tensor([3, 2])
    >>> decoder_inputs = torch.tensor([[3, 4, 5], [3, 6, 0]])  # start id, then the target
    >>> model(inputs, lengths, decoder_inputs).shape  # (B, T, n_outputs)
    torch.Size([2, 3, 9])
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
        embedding_dim: int = 64,
        single_bias: bool = False,
        sparse_embeddings: bool = False,
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
        self.summary = Pooling("last", bidirectional)  # the whole source, read both ways
        self.cell = cell
        self.num_layers = num_layers
        self.hidden_size = hidden_size
        # The decoder's initial state (h, and c for an LSTM) from the source summary.
        n_states = 2 if cell == "lstm" else 1
        self.bridge = nn.Linear(self.core.output_size, n_states * num_layers * hidden_size)
        self.target_embedding = nn.Embedding(n_outputs, embedding_dim, padding_idx=PAD_ID)
        self.target_dropout = nn.Dropout(dropout)
        self.decoder = RNNCore(
            cell, embedding_dim, hidden_size, num_layers, False, dropout, single_bias
        )
        self.attention = Attention(hidden_size, self.core.output_size)
        self.combine = nn.Linear(self.core.output_size + hidden_size, hidden_size)
        self.head = OutputHead(hidden_size, n_outputs, dropout)
        not_emitted = torch.zeros(n_outputs, dtype=torch.bool)
        not_emitted[list(NOT_EMITTED)] = True
        self.register_buffer("not_emitted", not_emitted)

    def encode(self, inputs: torch.Tensor, lengths: torch.Tensor) -> tuple:
        """The source's memory ``(B, S, D)``, its attention keys and mask, the first state."""
        memory = self.core(self.input_layer(inputs), lengths)  # (B, S, D)
        summary = torch.tanh(self.bridge(self.summary(memory, lengths)))  # (B, n * L * H)
        parts = summary.reshape(len(lengths), -1, self.num_layers, self.hidden_size)
        parts = parts.permute(1, 2, 0, 3).contiguous()  # (n_states, L, B, H)
        state = (parts[0], parts[1]) if self.cell == "lstm" else parts[0]
        mask = step_mask(lengths, memory.shape[1])  # (B, S)
        return memory, self.attention.keys(memory), mask, state

    def decode(
        self,
        tokens: torch.Tensor,
        memory: torch.Tensor,
        keys: torch.Tensor,
        mask: torch.Tensor,
        state,
    ) -> tuple[torch.Tensor, object]:
        """Scores ``(B, T, n_outputs)`` of the symbol after each of ``tokens (B, T)``."""
        x = self.target_dropout(self.target_embedding(tokens))  # (B, T, E)
        h, state = self.decoder.rnn(x, state)  # (B, T, H)
        context, _ = self.attention(h, keys, memory, mask)  # (B, T, D)
        attended = torch.tanh(self.combine(torch.cat([context, h], dim=2)))  # (B, T, H)
        return self.head(attended), state

    def log_probs(self, scores: torch.Tensor) -> torch.Tensor:
        """Log-probabilities over what the decoder may emit (end of sequence, symbols)."""
        return scores.masked_fill(self.not_emitted, float("-inf")).log_softmax(-1)

    def forward(
        self, inputs: torch.Tensor, lengths: torch.Tensor, decoder_inputs: torch.Tensor
    ) -> torch.Tensor:
        # inputs: (B, S) ids or (B, S, F) floats; lengths: (B,); decoder_inputs: (B, T),
        # the start id then the target (teacher forcing), padded with 0 after its end.
        memory, keys, mask, state = self.encode(inputs, lengths)
        return self.decode(decoder_inputs, memory, keys, mask, state)[0]  # (B, T, V)


def _select_state(state, rows: torch.Tensor):
    # state: (L, B, H), or an LSTM's (h, c) pair of them; keep the batch rows ``rows``
    if isinstance(state, tuple):
        return tuple(part[:, rows] for part in state)
    return state[:, rows]


def beam_search(
    model: Seq2SeqModel,
    inputs: torch.Tensor,
    lengths: torch.Tensor,
    beam_size: int,
    max_output_len: int,
) -> tuple[torch.Tensor, torch.Tensor]:
    """The ``beam_size`` best outputs of each source and their log-probabilities.

    All sources of the batch and all their beams advance together, one decoder step
    for the whole ``(B * K)`` batch at a time. A finished hypothesis (it emitted the
    end of sequence) only ever extends with padding at no cost, so its score stays
    its own and the other sources of the batch cannot change it. ``beam_size=1`` is
    greedy decoding. Outputs that reach ``max_output_len`` symbols end there (their
    score is that of ending there).

    Returns
    -------
    tokens : torch.Tensor of shape (B, K, T)
        Output ids, best hypothesis first; ``EOS_ID`` then ``PAD_ID`` after the end.
    scores : torch.Tensor of shape (B, K)
        float64 log-probabilities (the end of sequence included); ``-inf`` for the
        empty slots when fewer than ``K`` hypotheses exist.

    Examples
    --------
    >>> _ = torch.manual_seed(0)
    >>> model = Seq2SeqModel(n_outputs=7, n_ids=9, n_features=None, hidden_size=8,
    ...                      embedding_dim=4).eval()
    >>> tokens, scores = beam_search(model, torch.tensor([[4, 5]]), torch.tensor([2]),
    ...                              beam_size=3, max_output_len=4)
    >>> tokens.shape[:2], bool((scores[:, :-1] >= scores[:, 1:]).all())  # best first
    (torch.Size([1, 3]), True)
    """
    memory, keys, mask, state = model.encode(inputs, lengths)
    n_sources, K = len(lengths), beam_size
    rows = torch.arange(n_sources, device=inputs.device).repeat_interleave(K)  # (B * K,)
    memory, keys, mask = memory[rows], keys[rows], mask[rows]
    state = _select_state(state, rows)
    scores = torch.full((n_sources, K), float("-inf"), dtype=torch.float64, device=inputs.device)
    scores[:, 0] = 0.0  # one live hypothesis per source at the start
    previous = torch.full((n_sources * K, 1), BOS_ID, dtype=torch.int64, device=inputs.device)
    outputs = previous[:, :0]  # (B * K, 0)
    finished = torch.zeros(n_sources * K, dtype=torch.bool, device=inputs.device)
    offsets = (torch.arange(n_sources, device=inputs.device) * K)[:, None]  # (B, 1)
    for step in range(max_output_len + 1):  # + 1: the end of sequence after the last symbol
        step_scores, state = model.decode(previous, memory, keys, mask, state)
        log_probs = model.log_probs(step_scores[:, 0].double())  # (B * K, V)
        n_outputs = log_probs.shape[1]
        if step == max_output_len:  # the longest output allowed: it ends here
            log_probs[:, :EOS_ID] = log_probs[:, EOS_ID + 1 :] = float("-inf")
        log_probs[finished] = float("-inf")
        log_probs[finished, PAD_ID] = 0.0  # a finished hypothesis stays as it is
        total = (scores.reshape(-1, 1) + log_probs).reshape(n_sources, K * n_outputs)
        scores, best = total.topk(K, dim=1)  # (B, K), best first
        chosen = (offsets + best // n_outputs).reshape(-1)  # (B * K,) rows they extend
        symbols = (best % n_outputs).reshape(-1, 1)  # (B * K, 1)
        outputs = torch.cat([outputs[chosen], symbols], dim=1)
        finished = finished[chosen] | (symbols[:, 0] == EOS_ID)
        state = _select_state(state, chosen)
        previous = symbols
        if bool(finished.all()):
            break
    return outputs.reshape(n_sources, K, -1), scores


def sequence_log_probs(
    model: Seq2SeqModel,
    inputs: torch.Tensor,
    lengths: torch.Tensor,
    decoder_inputs: torch.Tensor,
    targets: torch.Tensor,
) -> torch.Tensor:
    """``log P(target | source)`` of each row, the end of sequence included: ``(B,)`` float64.

    ``targets (B, T)`` holds the output ids then ``EOS_ID``, and a negative fill after
    the end; ``decoder_inputs`` the start id then the output ids.
    """
    log_probs = model.log_probs(model(inputs, lengths, decoder_inputs).double())  # (B, T, V)
    real = targets >= 0  # (B, T)
    picked = log_probs.gather(2, targets.clamp(min=0)[:, :, None])[:, :, 0]  # (B, T)
    return picked.masked_fill(~real, 0.0).sum(1)
