"""Export of the generative estimators: RNNSeq2Seq and RNNLanguageModel.

Each has graphs of its own (:mod:`~sklearn_rnn.serving._seq2seq_graph`: an encoder and a
one-step decoder; :mod:`~sklearn_rnn.serving._language_model_graph`: a text chunk with
its recurrent state); this module checks the estimator as the other exports do and
writes the file.
"""

from __future__ import annotations

import os

from sklearn.utils.validation import check_is_fitted

from sklearn_rnn._files import atomic_write
from sklearn_rnn.serving._export import _GENERATIVE, _check_builtin
from sklearn_rnn.serving._language_model_graph import export_language_model
from sklearn_rnn.serving._seq2seq_graph import export_seq2seq


def export_generative(estimator, path: str | os.PathLike, *, check: bool = True) -> None:
    """Write a fitted RNNSeq2Seq or RNNLanguageModel as one served ONNX file."""
    check_is_fitted(estimator)
    _check_builtin(estimator, _GENERATIVE)
    if _GENERATIVE[type(estimator).__name__] == "seq2seq":
        payload = export_seq2seq(estimator, check)
    else:
        payload = export_language_model(estimator, check)
    with atomic_write(path) as handle:
        handle.write(payload)
