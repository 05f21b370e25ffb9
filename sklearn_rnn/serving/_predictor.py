"""ONNXPredictor: a served model's predictions on raw input, with numpy and onnxruntime only.

Input goes through the estimators' own torch-free code (:mod:`sklearn_rnn.encoding._validation`,
:class:`~sklearn_rnn.encoding.ArrayEncoder`), is padded per batch of sequences
sorted by length (:func:`~sklearn_rnn.encoding._batching.length_sorted_batches`, as the
estimators batch), run through the graph and decoded by the estimator's own target
encoder (:mod:`sklearn_rnn._targets`), rebuilt from the file: ``predict`` is its
``inverse_transform`` of the graph's outputs, as the estimator's ``predict`` is.
"""

from __future__ import annotations

import os

import numpy as np
import onnxruntime

from sklearn_rnn.encoding import _validation as v
from sklearn_rnn.encoding._batching import length_sorted_batches
from sklearn_rnn.encoding._tokenizers import TOKENIZERS
from sklearn_rnn.exceptions import ModelFileError
from sklearn_rnn.serving import _seq2seq_predictor as seq2seq
from sklearn_rnn.serving._feeds import graph_inputs
from sklearn_rnn.serving._format import (
    METADATA_KEY,
    _corrupted,
    decode_corpus_encoder,
    decode_encoder,
    decode_targets,
    parse_metadata,
)
from sklearn_rnn.serving._language_model_predictor import ServedLanguageModel
from sklearn_rnn.serving._seq2seq_predictor import Seq2SeqDecoding


class ONNXPredictor:
    """A model exported by ``export_onnx``, served without torch.

    Parameters
    ----------
    path : str or os.PathLike
        A file written by :meth:`RNNClassifier.export_onnx` (or the regressor's, the
        tagger's, the sequence-to-sequence model's or the language model's). What the
        served model offers follows the estimator: ``predict`` and ``predict_proba``
        (classifier, tagger), ``predict`` (regressor), ``predict`` and
        ``predict_nbest`` (RNNSeq2Seq), ``predict_proba_next``, ``score`` and
        ``sample`` (RNNLanguageModel); the others raise ``AttributeError``.
    batch_size : int or None, default=None
        Sequences per graph run; None uses the estimator's ``batch_size``. Larger
        batches amortize the per-run overhead; the outputs do not depend on it.
    n_threads : int or None, default=None
        onnxruntime's intra-op threads; None lets it choose (one per core).

    Attributes
    ----------
    estimator_ : str
        The class name of the exported estimator.
    classes_ : ndarray or None
        The labels (classifier), tags (tagger) or tokens (language model), as the
        estimator's ``classes_``.
    target_encoder_ : LabelTargets, ScaledValues, StepLabels, SequenceTargets or None
        The estimator's fitted target encoder, rebuilt from the file; it decodes the
        graph's outputs (None for a language model).
    session_ : onnxruntime.InferenceSession
        The session running the graph.

    Examples
    --------
    >>> import os, tempfile
    >>> from sklearn_rnn import RNNClassifier
    >>> from sklearn_rnn.serving import ONNXPredictor
    >>> texts, labels = ["good film", "bad film", "good", "bad"] * 4, [1, 0, 1, 0] * 4
    >>> clf = RNNClassifier(hidden_size=8, embedding_dim=8, max_epochs=2, random_state=0)
    >>> clf = clf.fit(texts, labels)
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     clf.export_onnx(os.path.join(tmp, "model.onnx"))
    ...     served = ONNXPredictor(os.path.join(tmp, "model.onnx"))
    >>> bool((served.predict(texts) == clf.predict(texts)).all())
    True
    >>> bool(np.allclose(served.predict_proba(texts), clf.predict_proba(texts), atol=1e-5))
    True
    """

    def __init__(
        self,
        path: str | os.PathLike,
        *,
        batch_size: int | None = None,
        n_threads: int | None = None,
    ):
        path = os.fspath(path)
        options = onnxruntime.SessionOptions()
        if n_threads is not None:
            options.intra_op_num_threads = int(n_threads)
            options.inter_op_num_threads = 1
        self.session_ = _session(path, options)
        metadata = self.session_.get_modelmeta().custom_metadata_map.get(METADATA_KEY)
        document = parse_metadata(metadata, path)
        self.estimator_ = str(document.get("estimator"))
        self._task = document["task"]
        self._inputs = [i.name for i in self.session_.get_inputs()]
        if document.get("inputs") != self._inputs:
            raise _corrupted(path, "the graph's inputs differ from those its metadata names")
        self.batch_size = int(batch_size or document.get("batch_size") or 32)
        self._decoding = self._language_model = None
        if self._task == "language_model":
            self._init_language_model(document, path)
            return
        self._encoder = decode_encoder(document.get("encoder"), path)
        tokenizer = self._encoder.tokenizer
        if not isinstance(tokenizer, str) or tokenizer not in TOKENIZERS:
            raise _corrupted(path, f"unknown tokenizer {tokenizer!r}")
        self.target_encoder_, self._crf = decode_targets(document.get("targets"), path)
        self.classes_ = getattr(self.target_encoder_, "classes_", None)
        # Per-step outputs (the tagger's) are decoded per padded batch, before reordering.
        self._per_step = hasattr(self.target_encoder_, "best_tags")
        if self._task == "seq2seq":
            self._decoding = Seq2SeqDecoding(document, path, options)

    def _init_language_model(self, document: dict, path: str) -> None:
        encoder = decode_corpus_encoder(document.get("encoder"), path)
        shape = document.get("state_shape")
        if not (
            isinstance(shape, list)
            and len(shape) == 2
            and all(isinstance(n, int) and n >= 1 for n in shape)
        ):
            raise _corrupted(path, "invalid state_shape")
        self._language_model = ServedLanguageModel(self.session_, encoder, shape)
        self.classes_ = np.array(encoder.vocabulary_.tokens[1:], dtype=object)
        self.target_encoder_, self._crf, self._per_step = None, None, False

    def __repr__(self) -> str:
        return f"ONNXPredictor(estimator_={self.estimator_!r}, batch_size={self.batch_size})"

    # -- public API ---------------------------------------------------------------------

    def predict(self, X):
        """Predictions on raw input, as the exported estimator's ``predict`` returns them.

        Parameters
        ----------
        X : sequences
            The same kind of input as the estimator was fitted on.

        Returns
        -------
        ndarray, or list of lists for the tagger, or list of outputs for seq2seq
        """
        if self._language_model is not None:
            raise AttributeError(
                "A served RNNLanguageModel has no predict; use predict_proba_next, score or sample."
            )
        if self._decoding is not None:
            return seq2seq.predict(self, X)
        if self._per_step:
            return self.target_encoder_.inverse_transform(*self._steps(X, "best_tags"))
        return self.target_encoder_.inverse_transform(self._pooled(X))

    @property
    def predict_proba(self):
        """Class probabilities (classifier) or per-step tag probabilities (tagger).

        As the exported estimator's ``predict_proba``; a regressor has none.
        """
        proba = "step_proba" if self._per_step else "predict_proba"
        if not hasattr(self.target_encoder_, proba):  # values, outputs or text
            raise AttributeError(f"A served {self.estimator_} has no predict_proba.")
        return self._predict_proba

    def _predict_proba(self, X):
        if self._per_step:
            rows, lengths = self._steps(X, "step_proba")
            return np.split(rows, np.cumsum(lengths)[:-1])
        return self.target_encoder_.predict_proba(self._pooled(X))

    # -- RNNSeq2Seq ----------------------------------------------------------------------

    @property
    def predict_nbest(self):
        """The ``n`` best outputs of each input with their log-probabilities (RNNSeq2Seq).

        As the estimator's ``predict_nbest(X, n=None)``: per input, ``(output, log P)``
        pairs found by beam search, most probable first; ``n=None`` gives the exported
        ``beam_size`` of them. ``predict`` returns the first of each.

        Examples
        --------
        >>> import os, tempfile
        >>> from sklearn_rnn import RNNSeq2Seq
        >>> X = ["ab", "ba", "abb", "bab"] * 4
        >>> model = RNNSeq2Seq(hidden_size=8, embedding_dim=4, max_epochs=2, random_state=0)
        >>> model = model.fit(X, [x.upper() for x in X])
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     model.export_onnx(os.path.join(tmp, "model.onnx"))
        ...     served = ONNXPredictor(os.path.join(tmp, "model.onnx"))
        >>> served.predict(["abba"]) == model.predict(["abba"])
        True
        >>> [output for output, _ in served.predict_nbest(["ab"], n=2)[0]] == [
        ...     output for output, _ in model.predict_nbest(["ab"], n=2)[0]]
        True
        """
        self._require(self._decoding, "predict_nbest")
        return self._predict_nbest

    def _predict_nbest(self, X, n: int | None = None) -> list[list[tuple]]:
        return seq2seq.predict_nbest(self, X, n)

    # -- RNNLanguageModel ---------------------------------------------------------------

    @property
    def predict_proba_next(self):
        """The distribution of the token after a prefix (RNNLanguageModel).

        As the estimator's ``predict_proba_next(prefix)``: columns ordered as
        ``classes_``; one string gives ``(n_classes,)``, a list ``(n_prefixes, n_classes)``.
        """
        self._require(self._language_model, "predict_proba_next")
        return self._predict_proba_next

    def _predict_proba_next(self, prefix) -> np.ndarray:
        return self._language_model.predict_proba_next(prefix, self.batch_size)

    @property
    def score(self):
        """Mean log-likelihood per token of a corpus, in nats (RNNLanguageModel).

        As the estimator's ``score(X)``: each document read from its start.
        """
        self._require(self._language_model, "score")
        return self._score

    def _score(self, X, y=None) -> float:
        total, count = self._language_model.total_log_likelihood(X, self.batch_size)
        return total / count

    @property
    def sample(self):
        """Write new tokens after a prompt (RNNLanguageModel).

        As the estimator's ``sample(n_tokens, prompt="", temperature=1.0, top_k=None,
        random_state=None)``; an int or ``RandomState`` seed draws the same text as the
        estimator given the same seed (the same uniform numbers, drawn with numpy).

        Examples
        --------
        >>> import os, tempfile
        >>> from sklearn_rnn import RNNLanguageModel
        >>> lm = RNNLanguageModel(hidden_size=8, embedding_dim=4, bptt=8, max_epochs=1,
        ...                       random_state=0).fit("abracadabra " * 8)
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     lm.export_onnx(os.path.join(tmp, "lm.onnx"))
        ...     served = ONNXPredictor(os.path.join(tmp, "lm.onnx"))
        >>> served.sample(10, "abra", random_state=0) == lm.sample(10, "abra", random_state=0)
        True
        >>> bool(abs(served.score("cadabra") - lm.score("cadabra")) < 1e-5)
        True
        """
        self._require(self._language_model, "sample")
        return self._language_model.sample

    def _require(self, part, name: str) -> None:
        if part is None:
            raise AttributeError(f"A served {self.estimator_} has no {name}.")

    # -- internals ------------------------------------------------------------------------

    def _check_X(self, X) -> v.CheckedSequences:
        """``X`` validated as the estimator's ``_check_X`` does at prediction time."""
        X = v.as_container(X)
        kind = v.detect_input_kind(X)
        if self._per_step and kind == v.TEXT:
            raise TypeError(
                "X[0] is a string; the tagger needs token lists: split your text into tokens "
                "first, e.g. text.split()."
            )
        if kind != v.TABLE:
            return v.check_sequences(X)
        checked = v.check_sequences(X)
        if self._encoder.kind_ == v.NUMERIC:  # a 2D array is a batch of univariate series
            return v.CheckedSequences(v.NUMERIC, list(checked.data[:, :, None]))
        return checked

    def _batches(self, X):
        """Yield ``(rows, lengths, outputs)`` per graph run; ``rows`` index into ``X``."""
        encoded = self._encoder.encode(self._check_X(X))
        lengths = encoded.lengths
        offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        for rows in length_sorted_batches(lengths, self.batch_size)[0]:
            feed = graph_inputs(encoded, lengths[rows], offsets[rows], self._inputs)
            yield rows, feed["lengths"], self.session_.run(None, feed)[0]

    def _pooled(self, X) -> np.ndarray:
        """The graph's outputs ``(n, k)``, in the caller's order."""
        parts = list(self._batches(X))
        result = np.empty((sum(len(r) for r, _, _ in parts), parts[0][2].shape[1]))
        for rows, _, outputs in parts:
            result[rows] = outputs
        return result

    def _steps(self, X, decode: str):
        """The target encoder's ``decode`` of each real step, in the caller's order.

        One row per real step, all sequences concatenated, and each sequence's length.
        """
        chunks, all_rows, all_lengths = [], [], []
        decode = getattr(self.target_encoder_, decode)
        for rows, lengths, scores in self._batches(X):
            mask = np.arange(scores.shape[1])[None, :] < lengths[:, None]  # (B, T)
            out = decode(scores, mask, self._crf)
            chunks.extend(np.split(out[mask], np.cumsum(lengths)[:-1]))
            all_rows.append(rows)
            all_lengths.append(lengths)
        rows = np.concatenate(all_rows)
        ordered = [None] * len(rows)
        for row, chunk in zip(rows.tolist(), chunks, strict=True):
            ordered[row] = chunk
        lengths = np.empty(len(rows), dtype=np.int64)
        lengths[rows] = np.concatenate(all_lengths)
        return np.concatenate(ordered), lengths


def _session(path: str, options) -> onnxruntime.InferenceSession:
    with open(path, "rb") as handle:  # FileNotFoundError etc. pass through unchanged
        payload = handle.read()
    try:
        return onnxruntime.InferenceSession(
            payload, sess_options=options, providers=["CPUExecutionProvider"]
        )
    except Exception as exc:  # onnxruntime raises its own error types
        hint = " It looks like a pickle file: it was not opened." if payload[:1] == b"\x80" else ""
        raise ModelFileError(
            f"{path!r} is not a served sklearn_rnn model (expected an ONNX file written by "
            f"export_onnx; onnxruntime says: {str(exc).strip()[:200]}).{hint}"
        ) from exc
