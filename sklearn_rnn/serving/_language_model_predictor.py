"""The served RNNLanguageModel: text read and written through its exported chunk graph.

As the estimator reads (:mod:`sklearn_rnn.language_model._reading`): documents batched
by length, each after the boundary token, padded after its end (which a forward
network's real steps never see), read in time chunks from a zero state that runs on
from chunk to chunk; and samples drawn by the same torch-free step
(:mod:`sklearn_rnn.language_model._sampling`) from the same uniform numbers, one graph
run per token.
"""

from __future__ import annotations

import numpy as np

from sklearn_rnn.language_model._corpus import (
    BOUNDARY_ID,
    SPECIAL_IDS,
    check_corpus,
    padded_documents,
)
from sklearn_rnn.language_model._sampling import (
    check_sample_arguments,
    draw_column,
    seed_of,
    seeded_uniforms,
)

# Logit elements per chunk, as the estimator: a (B, T, V) float64 block of about 32 MB.
_CHUNK_ELEMENTS = 1 << 22


class ServedLanguageModel:
    """The graph's session with the corpus encoder and the state's shape."""

    def __init__(self, session, encoder, state_shape):
        self.session = session
        self.encoder = encoder
        self.state_names = [i.name for i in session.get_inputs()][1:]
        self.layers, self.hidden = state_shape
        self.n_outputs = len(encoder.vocabulary_) - 1

    def run(self, ids: np.ndarray, states):
        """Logits ``(B, T, V)`` after each of ``ids (B, T)``, and the new state."""
        if states is None:
            shape = (self.layers, len(ids), self.hidden)
            states = [np.zeros(shape, np.float32) for _ in self.state_names]
        feed = {"inputs": ids, **dict(zip(self.state_names, states, strict=True))}
        logits, *states = self.session.run(None, feed)
        return logits, states

    def _chunk(self, batch: int) -> int:
        return max(1, _CHUNK_ELEMENTS // max(1, batch * self.n_outputs))

    def total_log_likelihood(self, X, batch_size: int) -> tuple[float, int]:
        documents = self.encoder.transform(check_corpus(X))
        total, count = 0.0, 0
        for _, padded, _ in padded_documents(documents, batch_size):
            inputs, targets = padded[:, :-1], padded[:, 1:] - 1  # output k is id k + 1
            chunk, states = self._chunk(len(padded)), None
            for start in range(0, inputs.shape[1], chunk):
                logits, states = self.run(inputs[:, start : start + chunk], states)
                wanted = targets[:, start : start + chunk]  # -1 past each end
                real = wanted >= 0
                picked = np.take_along_axis(_log_softmax(logits), wanted.clip(0)[..., None], -1)
                total += float(picked[..., 0][real].sum())
                count += int(real.sum())
        if count == 0:
            raise ValueError("X holds no tokens to score: every document is empty.")
        return total, count

    def predict_proba_next(self, prefix, batch_size: int) -> np.ndarray:
        one = isinstance(prefix, str)
        documents = self.encoder.transform(check_corpus([prefix] if one else prefix, "prefix"))
        proba = np.empty((len(documents), self.n_outputs))
        for rows, padded, lengths in padded_documents(documents, batch_size):
            last = lengths - 1  # the position of each document's last input
            chunk, states = self._chunk(len(padded)), None
            for start in range(0, padded.shape[1], chunk):
                logits, states = self.run(padded[:, start : start + chunk], states)
                here = np.nonzero((last >= start) & (last < start + chunk))[0]
                proba[rows[here]] = _softmax(logits[here, last[here] - start])
        return proba[0] if one else proba

    def sample(
        self,
        n_tokens: int,
        prompt="",
        temperature: float = 1.0,
        top_k: int | None = None,
        random_state=None,
    ):
        check_sample_arguments(n_tokens, temperature, top_k)
        encoder = self.encoder
        is_tokens = encoder.kind_ == "tokens"
        corpus = check_corpus([list(prompt)] if is_tokens else [prompt], "prompt")
        unknown = encoder.unknown_tokens(corpus)
        if unknown:
            raise ValueError(
                f"prompt holds tokens never seen in fit: {unknown[:10]}; the model can only "
                "continue text made of its vocabulary (see classes_)."
            )
        prompt_ids = encoder.transform(corpus)[0]
        banned = np.array([i - 1 for i in SPECIAL_IDS if i >= 1], dtype=np.int64)
        if self.n_outputs - len(banned) < 1:
            raise ValueError("The vocabulary holds no token that can be sampled.")
        uniforms = seeded_uniforms(seed_of(random_state), n_tokens)
        drawn = np.empty(n_tokens, dtype=np.int64)
        logits, states = self.run(np.r_[BOUNDARY_ID, prompt_ids].astype(np.int64)[None], None)
        scores = logits[0, -1]
        for t in range(n_tokens):
            drawn[t] = draw_column(scores, banned, temperature, top_k, uniforms[t]) + 1
            logits, states = self.run(drawn[t : t + 1][None], states)
            scores = logits[0, -1]
        return encoder.decode(np.concatenate([prompt_ids, drawn]))


def _log_softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def _softmax(logits: np.ndarray) -> np.ndarray:
    e = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)
