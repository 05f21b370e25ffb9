"""Input-kind detection, bad-input errors and the hyperparameter table.

Every public entry point funnels user input through this module, so a malformed
``X``, ``y`` or hyperparameter fails here with a ``ValueError``/``TypeError``
that names the argument, never later as an ``IndexError`` or a torch error.
"""

from __future__ import annotations

import itertools
import numbers
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.utils import check_array

# The kinds of ``X`` an estimator accepts, detected once in ``fit``.
TEXT = "text"  # one string per sample
TOKENS = "tokens"  # one list of string tokens per sample
IDS = "ids"  # one list of integer token ids per sample
TABLE = "table"  # 2D numeric array / DataFrame: univariate series, one column per step
NUMERIC = "numeric"  # 3D array, or a ragged list of (T_i,) / (T_i, F) arrays

TOKEN_KINDS = (TEXT, TOKENS, IDS)


@dataclass
class CheckedSequences:
    """User input after validation, in one canonical form per kind.

    ``data`` is a list of strings (``"text"``), a list of token lists (``"tokens"``),
    ``(ids, lengths)`` with every id concatenated (``"ids"``), a 2D float32 array of
    univariate series (``"table"``) or a list of ``(T_i, F)`` float32 arrays
    (``"numeric"``). Whatever holds one is trusted as valid: X is checked once per call.
    """

    kind: str
    data: object

    def __len__(self) -> int:
        if self.kind == IDS:
            return len(self.data[1])
        return len(self.data)

    def lengths(self) -> np.ndarray:
        """The number of steps of each sequence (text: of characters, before tokenizing)."""
        if self.kind == IDS:
            return self.data[1]
        if self.kind == TABLE:
            return np.full(len(self.data), self.data.shape[1], dtype=np.int64)
        return np.fromiter(map(len, self.data), dtype=np.int64, count=len(self.data))

    def truncated(self, max_len: int | None) -> CheckedSequences:
        """The first ``max_len`` steps of each sequence (all of them for None).

        Examples
        --------
        >>> check_sequences([[1, 2, 3], [4]]).truncated(2).data[0].tolist()
        [1, 2, 4]
        """
        if max_len is None:
            return self
        if self.kind == IDS:
            ids, lengths = self.data
            starts = np.repeat(np.cumsum(lengths) - lengths, lengths)
            keep = np.arange(len(ids)) - starts < max_len
            return CheckedSequences(IDS, (ids[keep], np.minimum(lengths, max_len)))
        if self.kind == TABLE:
            return CheckedSequences(TABLE, self.data[:, :max_len])
        return CheckedSequences(self.kind, [seq[:max_len] for seq in self.data])


def check_sequences(X, name: str = "X") -> CheckedSequences:
    """Detect the kind of ``X`` and validate it; see :class:`CheckedSequences`.

    Examples
    --------
    >>> check_sequences(["a film", "another"]).kind
    'text'
    >>> check_sequences([[1, 2], [3]]).data[1].tolist()  # ids are kept flat
    [2, 1]
    """
    X = as_container(X)
    kind = detect_input_kind(X, name)
    if kind == TEXT:
        return CheckedSequences(kind, check_text(X, name))
    if kind == TOKENS:
        return CheckedSequences(kind, check_token_lists(X, name))
    if kind == IDS:
        return CheckedSequences(kind, check_id_lists_flat(X, name))
    if kind == TABLE:
        return CheckedSequences(kind, check_array(X, dtype=np.float32, input_name=name))
    return CheckedSequences(kind, check_numeric_sequences(X, name))


def _is_string(value) -> bool:
    return isinstance(value, (str, np.str_))


def _is_integer(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))


def _is_real(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def as_container(X):
    """Turn foreign array-likes (objects with ``__array__``) into numpy arrays."""
    plain = (np.ndarray, pd.DataFrame, pd.Series, list, tuple, str, bytes)
    if X is not None and not isinstance(X, plain) and not sp.issparse(X):
        if hasattr(X, "__array__"):
            return np.asarray(X)
    return X


def detect_input_kind(X, name: str = "X") -> str:
    """Return the kind of sequence input ``X`` holds.

    Raises ``TypeError``/``ValueError`` naming ``name`` when ``X`` is none of
    the accepted kinds.
    """
    if X is None:
        raise ValueError(f"{name} is None; expected sequences (strings, token lists or arrays).")
    if sp.issparse(X):
        raise TypeError(
            f"Sparse data was passed for {name}, but dense data is required: sequences "
            "must be given as dense arrays, lists or strings."
        )
    if isinstance(X, (str, bytes)):
        raise TypeError(
            f"{name} is a single string; expected a list of strings (one per sample), "
            f"e.g. {name}=[{X!r}]."
        )
    if isinstance(X, pd.DataFrame):
        if X.shape[1] == 1 and not _is_numeric_dtype(X.dtypes.iloc[0]):
            return _series_kind(X.iloc[:, 0], name)  # a single text column
        return TABLE
    if isinstance(X, pd.Series):
        return _series_kind(X, name)
    if isinstance(X, np.ndarray):
        if X.ndim == 0:
            raise TypeError(f"{name} is a 0-d array; expected a collection of sequences.")
        if X.ndim == 2 and X.size and _holds_strings(X):
            # One column of strings (a ColumnTransformer's text column) is text; wider
            # arrays of strings are equal-length token lists, one per row.
            return TEXT if X.shape[1] == 1 else TOKENS
        if X.ndim == 2:
            return TABLE
        if X.ndim >= 3:
            return NUMERIC
        if X.dtype.kind in "US":
            return TEXT
    if not isinstance(X, (Sequence, np.ndarray)):
        raise TypeError(
            f"{name} must be a list, tuple, numpy array or pandas object of sequences; "
            f"got {type(X).__name__}."
        )
    if len(X) == 0:
        raise ValueError(
            f"Found array with 0 sample(s) (shape=(0,)) while a minimum of 1 is required: "
            f"{name} is empty."
        )
    return _element_kind(X, name)


def _holds_strings(X: np.ndarray) -> bool:
    return X.dtype.kind in "US" or (X.dtype == object and _is_string(X.flat[0]))


def _is_numeric_dtype(dtype) -> bool:
    return pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)


def _series_kind(series: pd.Series, name: str) -> str:
    if len(series) == 0:
        raise ValueError(f"Found array with 0 sample(s) while a minimum of 1 is required: {name}.")
    if _is_numeric_dtype(series.dtype):
        # A Series of numbers is one value per sample: a column, not sequences.
        raise ValueError(
            f"{name} is a Series of numbers (one value per sample). Pass sequences: a "
            "2D array of shape (n_samples, n_steps), or a Series of strings/lists/arrays."
        )
    return _element_kind(list(series), name)


def _element_kind(X: Sequence, name: str) -> str:
    first = X[0]
    if _is_string(first):
        kind = TEXT
    elif isinstance(first, np.ndarray) and first.dtype.kind in "biufc":
        kind = NUMERIC
    elif isinstance(first, (list, tuple, np.ndarray, pd.Series)):
        kind = _list_kind(first, name)
        if kind == NUMERIC and _is_flat_table(X):
            kind = TABLE  # equal-length lists of numbers read like a 2D array
    elif _is_real(first):
        raise ValueError(
            f"{name} is a flat list of numbers, i.e. one number per sample; expected "
            "sequences. Reshape your data to (n_samples, n_steps), e.g. with "
            "array.reshape(1, -1) for a single series, or pass a list of arrays."
        )
    else:
        raise TypeError(
            f"{name}[0] has type {type(first).__name__}; expected a string, a list of "
            "tokens or a numeric array."
        )
    return kind


def _is_flat_table(X: Sequence) -> bool:
    """True when every row is a flat list/tuple of numbers, all of one length."""
    width = None
    for row in X:
        if not isinstance(row, (list, tuple)) or not all(_is_real(x) for x in row):
            return False
        if width is None:
            width = len(row)
        elif len(row) != width:
            return False
    return True


def _list_kind(seq, name: str) -> str:
    values = list(seq)
    if not values:
        raise ValueError(f"{name}[0] is an empty sequence; every sequence needs at least one step.")
    head = values[0]
    if _is_string(head):
        return TOKENS
    if all(_is_integer(v) for v in values):
        return IDS
    if _is_real(head) or isinstance(head, (list, tuple, np.ndarray)):
        return NUMERIC
    raise TypeError(
        f"{name}[0][0] has type {type(head).__name__}; expected a string token, an integer "
        "id or a number."
    )


def check_text(X, name: str = "X") -> list[str]:
    """Return ``X`` as a list of strings, rejecting None/non-strings by position."""
    if isinstance(X, pd.DataFrame):
        X = X.iloc[:, 0]
    elif isinstance(X, np.ndarray) and X.ndim == 2:
        X = X[:, 0]  # a single text column
    texts = list(X)
    for i, text in enumerate(texts):
        if not _is_string(text):
            raise TypeError(
                f"{name}[{i}] has type {type(text).__name__}; every sample must be a string "
                "when the first one is."
            )
    return [str(t) for t in texts]


def check_token_lists(X, name: str = "X") -> list[list[str]]:
    """Return ``X`` as a list of token lists; each list non-empty, each token a string."""
    result = []
    for i, seq in enumerate(X):
        if _is_string(seq):
            raise TypeError(
                f"{name}[{i}] is a string, but {name} holds token lists. Split it into "
                f"tokens first, e.g. {name}[{i}].split()."
            )
        if not isinstance(seq, (list, tuple, np.ndarray, pd.Series)):
            raise TypeError(
                f"{name}[{i}] has type {type(seq).__name__}; expected a list of tokens."
            )
        tokens = list(seq)
        if not tokens:
            raise ValueError(f"{name}[{i}] is an empty sequence; every sequence needs a step.")
        for token in tokens:
            if not _is_string(token):
                raise TypeError(
                    f"{name}[{i}] contains {token!r} of type {type(token).__name__}; "
                    "every token must be a string."
                )
        result.append([str(t) for t in tokens])
    return result


def check_id_lists(X, name: str = "X") -> list[np.ndarray]:
    """Return ``X`` as a list of non-negative int64 arrays."""
    ids, lengths = check_id_lists_flat(X, name)
    return np.split(ids, np.cumsum(lengths)[:-1])


def check_id_lists_flat(X, name: str = "X") -> tuple[np.ndarray, np.ndarray]:
    """Return ``X`` as all its ids concatenated (int64, non-negative) and the lengths."""
    # Fast paths: lists/tuples of plain ints, or 1D int arrays, checked and converted in one
    # flat pass; anything else (or anything wrong) goes through the per-sequence loop, which
    # names the culprit.
    lengths = np.fromiter(map(len, X), dtype=np.int64, count=len(X)) if len(X) else None
    if lengths is not None and lengths.min() > 0:
        ids = None
        if all(type(seq) in (list, tuple) for seq in X):
            flat = list(itertools.chain.from_iterable(X))
            if set(map(type, flat)) <= {int}:
                try:
                    ids = np.array(flat, dtype=np.int64)
                except OverflowError:
                    ids = None
        elif all(isinstance(seq, np.ndarray) and seq.ndim == 1 for seq in X):
            if all(seq.dtype.kind in "iu" for seq in X):
                ids = np.concatenate(X).astype(np.int64, copy=False)
        if ids is not None and ids.min() >= 0:
            return ids, lengths
    result = []
    for i, seq in enumerate(X):
        if _is_string(seq) or not isinstance(seq, (list, tuple, np.ndarray)):
            raise TypeError(f"{name}[{i}] has type {type(seq).__name__}; expected a list of ids.")
        if len(seq) == 0:
            raise ValueError(f"{name}[{i}] is an empty sequence; every sequence needs a step.")
        if not all(_is_integer(v) for v in seq):
            raise TypeError(f"{name}[{i}] must contain only integer token ids.")
        ids = np.asarray(seq, dtype=np.int64)
        if ids.min() < 0:
            raise ValueError(f"{name}[{i}] contains a negative token id; ids must be >= 0.")
        result.append(ids)
    return np.concatenate(result), np.fromiter(map(len, result), dtype=np.int64, count=len(X))


def check_numeric_sequences(X, name: str = "X") -> list[np.ndarray]:
    """Return ``X`` as a list of finite float32 arrays of shape ``(T_i, F)``."""
    if isinstance(X, np.ndarray) and X.dtype.kind in "biufc":
        if X.ndim != 3:
            raise ValueError(
                f"{name} has {X.ndim} dimension(s); a numeric array must be 2D "
                "(n_samples, n_steps) or 3D (n_samples, n_steps, n_features)."
            )
        if X.shape[0] == 0 or X.shape[1] == 0 or X.shape[2] == 0:
            raise ValueError(
                f"Found array with shape {X.shape} for {name}; samples, steps and "
                "features must all be at least 1."
            )
        arr = check_array(X, allow_nd=True, dtype=np.float32, input_name=name)
        return list(arr)
    sequences = []
    width = None
    for i, seq in enumerate(X):
        if _is_string(seq) or seq is None:
            raise TypeError(
                f"{name}[{i}] has type {type(seq).__name__}; expected a numeric array "
                "like the other samples."
            )
        try:
            arr = np.asarray(seq, dtype=np.float32)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"{name}[{i}] is not a numeric array: {exc}") from None
        if arr.ndim == 1:
            arr = arr[:, None]
        if arr.ndim != 2:
            raise ValueError(
                f"{name}[{i}] has shape {arr.shape}; each sequence must be (n_steps,) or "
                "(n_steps, n_features)."
            )
        if arr.shape[0] == 0:
            raise ValueError(f"{name}[{i}] is an empty sequence; every sequence needs a step.")
        if width is None:
            width = arr.shape[1]
        elif arr.shape[1] != width:
            raise ValueError(
                f"{name}[{i}] has {arr.shape[1]} features but {name}[0] has {width}; all "
                "sequences must have the same number of features."
            )
        if not np.isfinite(arr).all():
            raise ValueError(f"Input {name}[{i}] contains NaN or infinity.")
        sequences.append(arr)
    return sequences


def check_target_length(X_len: int, y, name: str = "y"):
    """Return ``y`` (array-likes as arrays) after checking it holds one entry per sample."""
    if y is None:
        raise ValueError("This estimator requires y to be passed, but the target y is None.")
    y = as_container(y)
    if isinstance(y, (str, bytes)) or not hasattr(y, "__len__"):
        raise TypeError(
            f"{name} must be array-like with one entry per sample; got {type(y).__name__}."
        )
    if len(y) != X_len:
        raise ValueError(
            f"Found input variables with inconsistent numbers of samples: X has {X_len}, "
            f"{name} has {len(y)}."
        )
    return y


def check_labels(labels, name: str = "y") -> np.ndarray:
    """Return ``labels`` (any iterable of labels) as a 1D array, all of one type.

    Strings, booleans and numbers are three types that must not mix: numpy would
    silently merge ``True`` with ``1`` or turn ``1`` into ``"1"``. None is rejected.

    Examples
    --------
    >>> check_labels(["a", "b"]).tolist()
    ['a', 'b']
    >>> check_labels([True, 1])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    TypeError: y must hold labels of one type (...); got ['bool', 'number'].
    """
    if isinstance(labels, np.ndarray) and labels.dtype != object:
        return labels.ravel()
    values = labels.tolist() if isinstance(labels, np.ndarray) else list(labels)
    families = {_label_family(label) for label in values}
    if len(families) > 1 or "None" in families:
        raise TypeError(
            f"{name} must hold labels of one type (all strings, all booleans or all "
            f"numbers); got {sorted(families)}."
        )
    return np.asarray(values)


def _label_family(label) -> str:
    if label is None:
        return "None"
    if _is_string(label):
        return "str"
    if isinstance(label, (bool, np.bool_)):
        return "bool"
    if isinstance(label, numbers.Number):
        return "number"
    return type(label).__name__
