"""ONNXPredictor: a served model's predictions on raw input, with numpy and onnxruntime only.

Input goes through the estimators' own torch-free code (:mod:`sklearn_rnn.encoding._validation`,
:class:`~sklearn_rnn.encoding.ArrayEncoder`), is padded per batch of sequences
sorted by length (a batch of at most ``batch_size`` sequences stays in input order),
run through the graph and decoded as the estimator decodes: softmax and
``classes_[argmax]``, target scaling, the tagger's per-step softmax or CRF.
"""

from __future__ import annotations

import os

import numpy as np
import onnxruntime

from sklearn_rnn.encoding import _validation as v
from sklearn_rnn.encoding._tokenizers import TOKENIZERS
from sklearn_rnn.exceptions import ModelFileError
from sklearn_rnn.serving import _crf
from sklearn_rnn.serving._format import (
    METADATA_KEY,
    _corrupted,
    decode_encoder,
    decode_value,
    parse_metadata,
)

_CRF_SCORES = ("transitions", "start_transitions", "end_transitions")


class ONNXPredictor:
    """A model exported by ``export_onnx``, served without torch.

    Parameters
    ----------
    path : str or os.PathLike
        A file written by :meth:`RNNClassifier.export_onnx` (or the regressor's or the
        tagger's).
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
        The labels (classifier) or tags (tagger), as the estimator's ``classes_``.
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
        self._encoder = decode_encoder(document.get("encoder"), path)
        tokenizer = self._encoder.tokenizer
        if not isinstance(tokenizer, str) or tokenizer not in TOKENIZERS:
            raise _corrupted(path, f"unknown tokenizer {tokenizer!r}")
        self._inputs = [i.name for i in self.session_.get_inputs()]
        if document.get("inputs") != self._inputs:
            raise _corrupted(path, "the graph's inputs differ from those its metadata names")
        targets = document.get("targets")
        if not isinstance(targets, dict):
            raise _corrupted(path, "no target decoding")
        decoded = {k: decode_value(val, f"targets.{k}", path) for k, val in targets.items()}
        self.classes_ = decoded.get("classes")
        self._crf = None
        if "crf_transitions" in decoded:
            self._crf = {name: decoded.get(f"crf_{name}") for name in _CRF_SCORES}
            n = len(self.classes_)
            shapes = [getattr(self._crf[name], "shape", None) for name in _CRF_SCORES]
            if shapes != [(n, n), (n,), (n,)]:
                raise _corrupted(path, f"CRF scores of shapes {shapes} for {n} tags")
        self._target_mean = decoded.get("target_mean")
        self._target_scale = decoded.get("target_scale")
        self._y_ndim = decoded.get("y_ndim")
        self.batch_size = int(batch_size or document.get("batch_size") or 32)

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
        ndarray, or list of lists for the tagger
        """
        if self._task == "tagger":
            return self._tags(X)
        outputs = self._pooled(X)
        if self._task == "classifier":
            return self.classes_[outputs.argmax(1)]
        predictions = outputs * self._target_scale + self._target_mean
        return predictions[:, 0] if self._y_ndim == 1 else predictions

    @property
    def predict_proba(self):
        """Class probabilities (classifier) or per-step tag probabilities (tagger).

        As the exported estimator's ``predict_proba``; a regressor has none.
        """
        if self._task == "regressor":
            raise AttributeError("A served RNNRegressor has no predict_proba; it predicts values.")
        return self._predict_proba

    def _predict_proba(self, X):
        if self._task == "tagger":
            rows, lengths = self._per_step(X, "proba")
            return np.split(rows, np.cumsum(lengths)[:-1])
        return _softmax(self._pooled(X), axis=1)

    # -- internals ------------------------------------------------------------------------

    def _check_X(self, X) -> v.CheckedSequences:
        """``X`` validated as the estimator's ``_check_X`` does at prediction time."""
        X = v.as_container(X)
        kind = v.detect_input_kind(X)
        if self._task == "tagger" and kind == v.TEXT:
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
        if len(lengths) <= self.batch_size:
            order = np.arange(len(lengths))
        else:
            order = np.argsort(lengths, kind="stable")
        for start in range(0, len(order), self.batch_size):
            rows = order[start : start + self.batch_size]
            feed = _feed(encoded, rows, lengths[rows], offsets[rows], self._inputs)
            yield rows, feed["lengths"], self.session_.run(None, feed)[0]

    def _pooled(self, X) -> np.ndarray:
        parts = list(self._batches(X))
        if len(parts) == 1:
            return parts[0][2]
        result = np.empty((sum(len(r) for r, _, _ in parts), parts[0][2].shape[1]))
        for rows, _, outputs in parts:
            result[rows] = outputs
        return result

    def _per_step(self, X, output: str):
        """One row per real step, in the caller's order, and each sequence's length."""
        chunks, all_rows, all_lengths = [], [], []
        for rows, lengths, emissions in self._batches(X):
            mask = np.arange(emissions.shape[1])[None, :] < lengths[:, None]  # (B, T)
            if output == "labels":
                out = (
                    _crf.viterbi(emissions, mask, self._crf)
                    if self._crf is not None
                    else emissions.argmax(2)
                )
            elif self._crf is not None:
                out = _crf.marginals(emissions, mask, self._crf)
            else:
                out = _softmax(emissions, axis=2)
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

    def _tags(self, X) -> list[list]:
        rows, lengths = self._per_step(X, "labels")
        labels = self.classes_[rows].tolist()
        ends = np.cumsum(lengths).tolist()
        return [labels[end - n : end] for end, n in zip(ends, lengths.tolist(), strict=True)]


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


def _softmax(logits: np.ndarray, axis: int) -> np.ndarray:
    shifted = np.exp(logits - logits.max(axis=axis, keepdims=True))
    return shifted / shifted.sum(axis=axis, keepdims=True)


def _pad(values: np.ndarray, lengths: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """The sequences at ``offsets`` of flat ``values``, padded with 0 to the longest."""
    width = int(lengths.max())
    mask = np.arange(width)[None, :] < lengths[:, None]  # (B, T)
    positions = offsets[:, None] + np.arange(width)[None, :]  # (B, T)
    padded = np.zeros((len(lengths), width, *values.shape[1:]), dtype=values.dtype)
    padded[mask] = values[positions[mask]]
    return padded


def _feed(encoded, rows, lengths, offsets, names: list[str]) -> dict[str, np.ndarray]:
    """The graph inputs of one batch."""
    feed = {"inputs": _pad(encoded.values, lengths, offsets), "lengths": lengths}
    features = encoded.features
    if "chars" in names:
        forms = _pad(features["forms"], lengths, offsets)  # (B, T), 0 past each end
        unique, index = np.unique(forms, return_inverse=True)  # each distinct word once
        char_lengths = features["char_lengths"][unique]
        feed["chars"] = features["chars"][unique, : int(char_lengths.max())]
        feed["char_lengths"] = char_lengths
        feed["char_index"] = index.reshape(forms.shape).astype(np.int64)
    if "shapes" in names:
        feed["shapes"] = _pad(features["shapes"], lengths, offsets)
    return feed
