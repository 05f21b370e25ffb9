"""How a fitted language model reads text: log-likelihoods, next-token logits, states, samples.

Documents are batched by length and padded after their ends (a forward recurrent
network never reads past a step, so padding cannot change a real step's output), each
read after the boundary token, in time chunks that bound the memory of the logits while
the recurrent state runs on. All in eval mode, without autograd.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np
import torch

from sklearn_rnn.language_model._corpus import BOUNDARY_ID, padded_documents
from sklearn_rnn.language_model._sampling import draw_column

# Logit elements per chunk when scoring: a (B, T, V) float64 block of about 32 MB.
_CHUNK_ELEMENTS = 1 << 22


def document_batches(documents: list[np.ndarray], batch_size: int) -> Iterator[tuple]:
    """``(rows, ((B, T + 1) ids, (B,) lengths + 1))`` as tensors: each document after a boundary.

    Batches of documents sorted by length, for the estimator's prediction loop; ``rows``
    are their positions in ``documents``.
    """
    for rows, padded, lengths in padded_documents(documents, batch_size):
        yield torch.from_numpy(rows), (torch.from_numpy(padded), torch.from_numpy(lengths))


def _eval_module(estimator) -> torch.nn.Module:
    estimator._set_training(False)
    return estimator.module_


def _chunk_steps(batch: int, n_outputs: int) -> int:
    return max(1, _CHUNK_ELEMENTS // max(1, batch * n_outputs))


def total_log_likelihood(estimator, documents: list[np.ndarray]) -> tuple[float, int]:
    """The summed log-likelihood (nats) of every token of ``documents``, and their count."""
    module, device = estimator.module_, estimator.device

    def step(batch) -> list[tuple[float, int]]:
        padded, _ = batch
        inputs, targets = padded[:, :-1], padded[:, 1:] - 1  # output k is id k + 1
        chunk = _chunk_steps(len(padded), estimator.n_outputs_)
        state, sums = None, []
        for start in range(0, inputs.shape[1], chunk):
            logits, state = module(inputs[:, start : start + chunk].to(device), state)
            log_p = torch.log_softmax(logits.double(), dim=-1).cpu()  # (B, t, V)
            wanted = targets[:, start : start + chunk]  # (B, t); -1 past each end
            real = wanted >= 0
            picked = log_p.gather(-1, wanted.clamp(min=0)[..., None])[..., 0]
            sums.append((float(picked[real].sum()), int(real.sum())))
        return sums

    total, count = 0.0, 0
    for _, sums in estimator._predict_batches(documents, step):
        for chunk_total, chunk_count in sums:  # added in reading order, chunk by chunk
            total += chunk_total
            count += chunk_count
    if count == 0:
        raise ValueError("X holds no tokens to score: every document is empty.")
    return total, count


def last_logits(estimator, documents: list[np.ndarray]) -> torch.Tensor:
    """``(n_documents, n_outputs)`` float64 logits of the token after each document."""
    module, device = estimator.module_, estimator.device

    def step(batch) -> torch.Tensor:
        padded, lengths = batch
        result = torch.empty((len(padded), estimator.n_outputs_), dtype=torch.float64)
        last = lengths - 1  # (B,) the position of each document's last input
        chunk = _chunk_steps(len(padded), estimator.n_outputs_)
        state = None
        for start in range(0, padded.shape[1], chunk):
            logits, state = module(padded[:, start : start + chunk].to(device), state)
            here = (last >= start) & (last < start + chunk)
            index = torch.nonzero(here)[:, 0]
            result[index] = logits.double().cpu()[index, last[index] - start]
        return result

    return estimator._predict_in_order(documents, step)


def layer_states(estimator, documents, layer: int, cell_state: bool) -> list[np.ndarray]:
    """Each document's ``(T_i, H)`` states of ``layer`` after each of its tokens."""
    module, device = estimator.module_, estimator.device

    def step(batch) -> list[np.ndarray]:
        padded, lengths = batch
        outputs = module.layer_outputs(padded.to(device), layer, cell_state)
        outputs = outputs.float().cpu().numpy()  # (B, T + 1, H)
        return [outputs[i, 1 : int(n)].copy() for i, n in enumerate(lengths)]  # after the boundary

    states: list = [None] * len(documents)
    for rows, batch_states in estimator._predict_batches(documents, step):
        for row, row_states in zip(rows.tolist(), batch_states, strict=True):
            states[row] = row_states
    return states


def sample_ids(
    estimator,
    prompt_ids: np.ndarray,
    n_tokens: int,
    temperature: float,
    top_k: int | None,
    generator: torch.Generator,
    never: Sequence[int],
) -> np.ndarray:
    """Draw ``n_tokens`` ids after ``prompt_ids``, one step of the network per token.

    The uniform numbers are drawn up front and each token found by inverting the
    cumulative distribution (numpy on the small logit vector), so a step costs one
    network step and a few microseconds more.
    """
    module = _eval_module(estimator)
    banned = np.array([i - 1 for i in never if i >= 1], dtype=np.int64)  # output columns
    if estimator.n_outputs_ - len(banned) < 1:
        raise ValueError("The vocabulary holds no token that can be sampled.")
    uniforms = torch.rand(n_tokens, generator=generator, dtype=torch.float64).numpy()
    drawn = np.empty(n_tokens, dtype=np.int64)
    inputs = torch.from_numpy(np.r_[BOUNDARY_ID, prompt_ids].astype(np.int64))[None, :]
    with torch.inference_mode():
        logits, state = module(inputs.to(estimator.device), None)
        step = _Stepper(module, state, estimator.device)
        scores = logits[0, -1].double().cpu().numpy()
        for t in range(n_tokens):
            drawn[t] = draw_column(scores, banned, temperature, top_k, uniforms[t]) + 1
            scores = step(int(drawn[t]))
    return drawn


class _Stepper:
    """``step(id) -> (V,) float64 logits``: one token through the network, state kept inside.

    For the built-in network each layer runs as an ``nn.LSTMCell``/``GRUCell``/
    ``RNNCell`` holding its weights and the output layer as a float64 numpy product:
    for one step the fused multi-step kernel and the module calls cost several times
    the arithmetic (measured on CPU).
    """

    def __init__(self, module, state, device):
        from sklearn_rnn.language_model._network import LanguageModelNetwork, layer_cells

        self.module, self.device = module, device
        self.fast = isinstance(module, LanguageModelNetwork)
        self.state = state
        if not self.fast:
            return
        self.table = module.input_layer.embedding.weight  # (n_ids, E)
        self.cells = layer_cells(module.rnn)
        self.is_lstm = isinstance(module.rnn, torch.nn.LSTM)
        self.weight = module.head.linear.weight.detach().double().cpu().numpy()  # (V, H)
        self.bias = module.head.linear.bias.detach().double().cpu().numpy()
        # The fused stack's state, (layers, 1, H) or an (h, c) pair, as one state per layer.
        if self.is_lstm:
            self.state = list(zip(state[0], state[1], strict=True))
        else:
            self.state = list(state)

    def __call__(self, token: int) -> np.ndarray:
        if not self.fast:
            inputs = torch.tensor([[token]], device=self.device)
            logits, self.state = self.module(inputs, self.state)
            return logits[0, -1].double().cpu().numpy()
        x = self.table[token][None, :]  # (1, E)
        for i, cell in enumerate(self.cells):
            self.state[i] = cell(x, self.state[i])
            x = self.state[i][0] if self.is_lstm else self.state[i]  # (1, H)
        return self.weight @ x[0].double().cpu().numpy() + self.bias
