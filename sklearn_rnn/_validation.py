"""Input-kind detection, bad-input errors and the hyperparameter table.

Every public entry point funnels user input through this module, so a malformed
``X``, ``y`` or hyperparameter fails here with a ``ValueError``/``TypeError``
that names the argument, never later as an ``IndexError`` or a torch error.
"""

from __future__ import annotations

import itertools
import numbers
from collections.abc import Callable, Mapping, Sequence

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
    texts = list(X.iloc[:, 0] if isinstance(X, pd.DataFrame) else X)
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


def check_label_types(y, name: str = "y") -> None:
    """Reject labels that mix strings and numbers, or hold None (before numpy coerces them)."""
    if hasattr(y, "dtype") and y.dtype != object:
        return
    kinds = set()
    for label in np.asarray(y, dtype=object).ravel():
        if label is None:
            kinds.add("None")
        elif _is_string(label):
            kinds.add("str")
        elif isinstance(label, numbers.Number):
            kinds.add("number")
        else:
            kinds.add(type(label).__name__)
    if len(kinds) > 1 or "None" in kinds:
        raise TypeError(
            f"{name} must hold labels of one type (all strings or all numbers); got "
            f"{sorted(kinds)}."
        )


# --- hyperparameters -------------------------------------------------------------


def _one_of(*options):
    def check(value):
        return value in options, f"one of {list(options)}"

    return check


def _int_at_least(low: int, none_ok: bool = False):
    def check(value):
        ok = (none_ok and value is None) or (_is_integer(value) and value >= low)
        return ok, f"an int >= {low}" + (" or None" if none_ok else "")

    return check


def _real_in(low: float, high: float, high_inclusive: bool, none_ok: bool = False):
    def check(value):
        if none_ok and value is None:
            return True, ""
        ok = (
            _is_real(value) and low <= value and (value <= high if high_inclusive else value < high)
        )
        bracket = "]" if high_inclusive else ")"
        return ok, f"a float in [{low}, {high}{bracket}" + (" or None" if none_ok else "")

    return check


def _positive_real(none_ok: bool = False):
    def check(value):
        ok = (none_ok and value is None) or (_is_real(value) and value > 0 and np.isfinite(value))
        return ok, "a positive float" + (" or None" if none_ok else "")

    return check


def _bool():
    def check(value):
        return isinstance(value, (bool, np.bool_)), "True or False"

    return check


def _tokenizer(value):
    return value in ("word", "char", "whitespace") or callable(value), (
        "'word', 'char', 'whitespace' or a callable str -> list[str]"
    )


def _random_state(value):
    return value is None or _is_integer(value) and value >= 0, "None or a non-negative int"


def _class_weight(value):
    return value is None or value == "balanced" or isinstance(value, Mapping), (
        "None, 'balanced' or a dict {label: weight}"
    )


# One row per hyperparameter shared by the estimators: name -> checker.
HYPERPARAMETER_CHECKS: dict[str, Callable] = {
    "cell": _one_of("rnn", "lstm", "gru"),
    "hidden_size": _int_at_least(1),
    "num_layers": _int_at_least(1),
    "bidirectional": _bool(),
    "dropout": _real_in(0.0, 1.0, high_inclusive=False),
    "pooling": _one_of("auto", "last", "mean", "max"),
    "embedding_dim": _int_at_least(1),
    "tokenizer": _tokenizer,
    "lowercase": _bool(),
    "max_vocab": _int_at_least(1, none_ok=True),
    "min_freq": _int_at_least(1),
    "max_len": _int_at_least(1, none_ok=True),
    "standardize": _bool(),
    "clip_grad_norm": _positive_real(none_ok=True),
    "lr": _positive_real(),
    "max_epochs": _int_at_least(0),
    "batch_size": _int_at_least(1),
    "early_stopping": _bool(),
    "validation_fraction": _real_in(0.0, 1.0, high_inclusive=False),
    "patience": _int_at_least(1),
    "class_weight": _class_weight,
    "random_state": _random_state,
    "scale_target": _bool(),
    "char_embedding_dim": _int_at_least(0),
    "shape_embedding_dim": _int_at_least(0),
    "crf": _bool(),
    "single_bias": _bool(),
    "freeze_embeddings": _bool(),
    "sparse_embeddings": _bool(),
}


def check_hyperparameters(estimator) -> None:
    """Validate every hyperparameter of ``estimator`` found in the table."""
    for name, check in HYPERPARAMETER_CHECKS.items():
        if not hasattr(estimator, name):
            continue
        value = getattr(estimator, name)
        ok, expected = check(value)
        if not ok:
            raise ValueError(
                f"Invalid value for parameter {name!r}: expected {expected}, got {value!r}."
            )
    if getattr(estimator, "early_stopping", False) and not 0 < estimator.validation_fraction < 1:
        raise ValueError(
            "Invalid value for parameter 'validation_fraction': expected a float in (0, 1) "
            f"when early_stopping=True, got {estimator.validation_fraction!r}."
        )
