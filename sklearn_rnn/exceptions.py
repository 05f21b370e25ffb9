"""The exceptions the library raises beyond Python's and scikit-learn's own.

Each is a subclass of the built-in error a caller would already catch
(``ValueError`` or ``OSError``), so ``except ValueError`` keeps working.
"""

from __future__ import annotations

__all__ = ["DownloadError", "ModelFileError", "TrainingDivergedError"]


class TrainingDivergedError(ValueError):
    """Raised when the training loss becomes NaN or infinite.

    The estimator is left unfitted, so it never predicts from diverged weights.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_rnn import RNNRegressor
    >>> X = np.linspace(0, 1, 24, dtype="float32").reshape(8, 3, 1)
    >>> reg = RNNRegressor(hidden_size=4, max_epochs=2, lr=1e30, clip_grad_norm=None,
    ...                    random_state=0)
    >>> try:
    ...     reg.fit(X, X.sum((1, 2)))
    ... except TrainingDivergedError as exc:
    ...     print(type(exc).__name__)
    TrainingDivergedError
    """


class ModelFileError(ValueError):
    """A file that :func:`sklearn_rnn.load` refuses; the message says why.

    Not a sklearn_rnn model file, truncated or corrupted, written by a newer format
    version, or holding weights that do not fit the architecture its parameters describe.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from sklearn_rnn import load
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = pathlib.Path(tmp, "notes.txt")
    ...     _ = path.write_text("not a model")
    ...     try:
    ...         load(path)
    ...     except ModelFileError as exc:
    ...         print(type(exc).__name__)
    ModelFileError
    """


class DownloadError(OSError):
    """A dataset file could not be downloaded, arrived incomplete, or failed its checksum.

    A subclass of :class:`OSError`, so ``except OSError`` catches it together with other
    I/O failures. Nothing is left in the cache folder when it is raised.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from sklearn_rnn.datasets import fetch_airline
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     mirror = Path(tmp, "mirror.csv")
    ...     _ = mirror.write_text("not the pinned Airline.csv")
    ...     try:
    ...         fetch_airline(data_home=tmp, url=mirror.as_uri())
    ...     except DownloadError as exc:
    ...         print(type(exc).__name__, str(exc).startswith("Checksum mismatch"))
    DownloadError True
    """
