"""Serving without torch: export a fitted estimator to ONNX and predict with onnxruntime.

:func:`export_onnx` (also the estimators' ``export_onnx`` method) writes one
self-contained file: a standard ONNX graph of the network (dynamic batch and length
axes; inputs ``inputs`` and ``lengths``, plus the tagger's ``chars``, ``char_lengths``,
``char_index`` and ``shapes``; output ``outputs``, the float64 logits or values) whose
metadata holds everything else prediction needs as JSON: the fitted encoder
(tokenizer, vocabularies, scaling statistics), and the fitted target encoder (classes,
target scaling) with a tagger's CRF scores, which decodes the outputs as the estimator
does. :class:`ONNXPredictor` loads that file with numpy and onnxruntime only, takes raw
input and predicts as the estimator does. Nothing in the file is unpickled or executed.

The generative models loop over network steps, so their loops run on the served side
in numpy: an ``RNNSeq2Seq`` file holds an encoder graph and a one-step decoder graph
(serialized in the metadata) for the beam search; an ``RNNLanguageModel`` file one graph
reading a chunk of tokens from a recurrent state (scoring, next-token probabilities,
sampling).

This package imports neither torch nor skorch (``export_onnx`` does, when called).
"""

from sklearn_rnn.serving._predictor import ONNXPredictor

__all__ = ["ONNXPredictor", "export_onnx"]


def export_onnx(estimator, path, *, check: bool = True) -> None:
    """Write a fitted estimator as one ONNX file that :class:`ONNXPredictor` serves.

    Parameters
    ----------
    estimator : RNNClassifier, RNNRegressor, RNNTagger, RNNSeq2Seq or RNNLanguageModel
        A fitted estimator with a built-in network.
    path : str or os.PathLike
        The file to write (suggested suffix ``.onnx``); an existing file is replaced.
    check : bool, default=True
        Run the exported graph once beside the network on a batch of mixed lengths
        (with onnxruntime) and raise if they disagree.

    Raises
    ------
    NotImplementedError
        For what the exporter does not cover, named in the message: a custom
        ``module``, a callable ``tokenizer``, or an architecture option it does
        not know.

    Examples
    --------
    >>> import os, tempfile
    >>> from sklearn_rnn import RNNRegressor
    >>> from sklearn_rnn.serving import ONNXPredictor, export_onnx
    >>> X, y = [[0.0, 1.0, 2.0], [1.0, 0.0], [2.0, 2.0, 1.0]], [3.0, 1.0, 5.0]
    >>> reg = RNNRegressor(hidden_size=4, max_epochs=1, random_state=0).fit(X, y)
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     export_onnx(reg, os.path.join(tmp, "model.onnx"))
    ...     served = ONNXPredictor(os.path.join(tmp, "model.onnx"))
    >>> served.predict(X).shape
    (3,)
    """
    # Imported when called: exporting reads the torch network; serving never does.
    if type(estimator).__name__ in ("RNNSeq2Seq", "RNNLanguageModel"):  # graphs of their own
        from sklearn_rnn.serving._export_generative import export_generative as export
    else:
        from sklearn_rnn.serving._export import export_onnx as export

    export(estimator, path, check=check)
