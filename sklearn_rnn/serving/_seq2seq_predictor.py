"""The served RNNSeq2Seq: its sources encoded by the main graph, decoded by beam search
(:mod:`~sklearn_rnn.serving._beam_search`) over the decoder step stored in the file."""

from __future__ import annotations

import base64
import binascii

import numpy as np
import onnxruntime

from sklearn_rnn._targets._sequences import nbest_outputs, until_end
from sklearn_rnn.encoding import _validation as v
from sklearn_rnn.encoding._batching import length_sorted_batches
from sklearn_rnn.encoding._unicode import NORMAL_FORMS, normalized
from sklearn_rnn.exceptions import ModelFileError
from sklearn_rnn.serving._beam_search import beam_search
from sklearn_rnn.serving._feeds import graph_inputs
from sklearn_rnn.serving._format import _corrupted


class Seq2SeqDecoding:
    """The decoder step's session and the exported decoding settings."""

    def __init__(self, document: dict, path: str, options):
        beam_size, max_output_len = document.get("beam_size"), document.get("max_output_len")
        if not all(isinstance(n, int) and n >= 1 for n in (beam_size, max_output_len)):
            raise _corrupted(path, "invalid beam_size or max_output_len")
        self.beam_size, self.max_output_len = beam_size, max_output_len
        self.normalization = document.get("normalization")
        if self.normalization not in (*NORMAL_FORMS, None):
            raise _corrupted(path, f"invalid normalization {self.normalization!r}")
        try:
            step = base64.b64decode(str(document.get("decoder")), validate=True)
            self.session = onnxruntime.InferenceSession(
                step, sess_options=options, providers=["CPUExecutionProvider"]
            )
        except (binascii.Error, ValueError) as exc:
            raise _corrupted(path, "its decoder graph is not base64") from exc
        except Exception as exc:  # onnxruntime raises its own error types
            raise ModelFileError(
                f"The served sklearn_rnn model {path!r} is corrupted: its decoder graph does "
                f"not load ({str(exc).strip()[:200]})."
            ) from exc
        self.state_names = [i.name for i in self.session.get_inputs()][4:]

    def step(self, tokens, context, states):
        feed = {"tokens": tokens, **context, **dict(zip(self.state_names, states, strict=True))}
        log_probs, *states = self.session.run(None, feed)
        return log_probs, states


def beam_outputs(predictor, X, beam_size: int) -> tuple[list, np.ndarray]:
    """Every hypothesis of the beam for each row of ``X``: output ids (best first, each
    cut at its end) and the ``(n, K)`` log-probabilities, as the estimator's
    ``_beam_outputs``."""
    decoding = predictor._decoding
    checked = predictor._check_X(X)
    if decoding.normalization is not None:  # as the estimator reads its input
        checked = normalized(checked, decoding.normalization)
    encoded = predictor._encoder.encode(checked)
    lengths = encoded.lengths
    offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    hypotheses: list = [None] * len(lengths)
    scores = np.empty((len(lengths), beam_size))
    for rows in length_sorted_batches(lengths, predictor.batch_size)[0]:
        feed = graph_inputs(encoded, lengths[rows], offsets[rows], predictor._inputs)
        memory, keys, *states = predictor.session_.run(None, feed)
        context = {"memory": memory, "keys": keys, "lengths": feed["lengths"]}
        tokens, log_probs = beam_search(
            decoding.step, context, states, beam_size, decoding.max_output_len
        )
        scores[rows] = log_probs
        for row, beams in zip(rows.tolist(), tokens.tolist(), strict=True):
            hypotheses[row] = [until_end(ids) for ids in beams]
    return hypotheses, scores


def predict(predictor, X) -> list:
    hypotheses, _ = beam_outputs(predictor, X, predictor._decoding.beam_size)
    return predictor.target_encoder_.inverse_transform([beams[0] for beams in hypotheses])


def predict_nbest(predictor, X, n: int | None) -> list[list[tuple]]:
    if n is None:
        n = predictor._decoding.beam_size
    if not v._is_integer(n) or n < 1:
        raise ValueError(f"n must be an int >= 1 or None, got {n!r}.")
    hypotheses, scores = beam_outputs(predictor, X, max(predictor._decoding.beam_size, n))
    return nbest_outputs(hypotheses, scores, n, predictor.target_encoder_)
