"""Readers for standard public dataset formats, and fetchers that download them once.

Every reader returns what the estimators take directly:

- :func:`load_polarity`, :func:`load_tsv_sentences`: ``(texts, labels)`` for
  ``RNNClassifier``;
- :func:`load_ts`: ``(X, y)`` with X a ragged list of ``(T_i, n_dims)`` arrays or one
  ``(n, T, n_dims)`` array, for ``RNNClassifier`` or ``RNNRegressor``;
- :func:`load_series_csv`: a date-indexed ``pd.Series``, to cut into windows with
  :func:`sklearn_rnn.forecasting.make_windows` for ``RNNRegressor``;
- :func:`load_conllu`, :func:`load_conll2003`: ``(sentences, tags)`` for ``RNNTagger``.

Malformed files raise :class:`ValueError` with the file, the line number and what was
expected. The ``fetch_*`` functions download a public copy into a cache folder (the
``data_home`` argument, else the ``SKLEARN_RNN_DATA`` environment variable, else
``~/sklearn_rnn_data``), never download the same file twice, and raise
:class:`DownloadError` (an :class:`OSError`) when the download fails; its message names the
URL to download by hand and the path to save it at, for machines without internet access.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import re
import tarfile
import tempfile
import urllib.error
import urllib.request
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from sklearn_rnn.exceptions import DownloadError

__all__ = [
    "AIRLINE_URL",
    "DownloadError",
    "MOVIE_REVIEWS_URL",
    "UCR_BASE_URL",
    "UD_BASE_URL",
    "fetch_airline",
    "fetch_movie_reviews",
    "fetch_ucr",
    "fetch_ud_treebank",
    "get_data_home",
    "load_conll2003",
    "load_conllu",
    "load_polarity",
    "load_series_csv",
    "load_ts",
    "load_tsv_sentences",
]

StrPath = str | os.PathLike

# ---------------------------------------------------------------------------------------
# Download locations. Module-level so that a mirror (or a test server) can replace them;
# every fetcher also takes a ``url``/``base_url`` argument that wins over these.
# ---------------------------------------------------------------------------------------

#: Cornell sentence polarity dataset v1.0 (Pang & Lee, 2005).
MOVIE_REVIEWS_URL = (
    "https://www.cs.cornell.edu/people/pabo/movie-review-data/rt-polaritydata.tar.gz"
)
#: UCR/UEA archive as packaged for aeon: ``{UCR_BASE_URL}/{name}.zip``.
UCR_BASE_URL = "https://www.timeseriesclassification.com/aeon-toolkit"
#: Raw files of the Universal Dependencies GitHub organisation:
#: ``{UD_BASE_URL}/{treebank}/{version}/{prefix}-ud-{split}.conllu``.
UD_BASE_URL = "https://raw.githubusercontent.com/UniversalDependencies"
#: Box & Jenkins airline passengers, as shipped by sktime (pinned to one commit so that
#: the checksum below stays valid).
AIRLINE_URL = (
    "https://raw.githubusercontent.com/sktime/sktime/"
    "7bd7d1620c0656f3210eeb850bb1c0034159ee47/sktime/datasets/data/Airline/Airline.csv"
)

# SHA-256 of files whose exact bytes we have seen (the copies in the project's shared data
# folder). Archives (the Cornell tarball, the UCR zips) are not pinned: we never saw those
# bytes, so they are downloaded with ``sha256=None`` and only checked for a complete
# transfer and a readable archive.
_AIRLINE_SHA256 = "28af0eb869db6d9fbd31d5af03993a0cbf36c0857c3eb046a068c094b60da851"
_UD_TREEBANKS: dict[str, str] = {"UD_English-EWT": "en_ewt"}  # treebank -> file prefix
_UD_SHA256: dict[tuple[str, str, str], str] = {
    ("UD_English-EWT", "r2.16", "train"): (
        "3fb78e2b55482c8ee00caa653af436c88c9e5bc9a73ce26e4ae3ddc79d2b7e7b"
    ),
    ("UD_English-EWT", "r2.16", "dev"): (
        "531a54ff90d6ab12201c5a50c3e78e6ddac4de69abc4bce5d275d3cd29efe2b6"
    ),
    ("UD_English-EWT", "r2.16", "test"): (
        "e266e515a0a7547657ed3d90d9ba46487d6bd251f27ad4269d4e8a427c8555cd"
    ),
}

_CONLLU_FIELDS = ("id", "form", "lemma", "upos", "xpos", "feats", "head", "deprel", "deps", "misc")


# ---------------------------------------------------------------------------------------
# Small shared helpers
# ---------------------------------------------------------------------------------------


def _read_text(path: StrPath, encoding: str, errors: str = "strict") -> str:
    """Decode a whole file, naming the file when the bytes do not fit ``encoding``."""
    data = Path(path).read_bytes()
    try:
        return data.decode(encoding, errors)
    except UnicodeDecodeError as exc:
        raise ValueError(
            f"{path}: cannot decode byte offset {exc.start} as {encoding!r} ({exc.reason}); "
            "pass the file's encoding as encoding=..."
        ) from exc


def _lines(text: str) -> list[str]:
    """Split on ``\\n`` only (``str.splitlines`` also splits on U+0085 and friends)."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line[:-1] if line.endswith("\r") else line for line in lines]


def _check_int(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise TypeError(f"{name} must be an int, got {value!r} of type {type(value).__name__}")
    return int(value)


def _coerce_labels(raw: list[str]) -> np.ndarray:
    """Integers if every label is one, else floats if every label is a number, else strings."""
    labels = np.asarray(raw, dtype=str)
    for dtype in (np.int64, np.float64):
        try:
            return labels.astype(dtype)
        except (ValueError, OverflowError):
            continue
    return labels


# ---------------------------------------------------------------------------------------
# Text classification
# ---------------------------------------------------------------------------------------


def _read_sentences(path: StrPath, encoding: str | None, errors: str) -> list[str]:
    if encoding is None:
        data = Path(path).read_bytes()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = _read_text(path, "cp1252", errors)
    else:
        text = _read_text(path, encoding, errors)
    sentences = [line.strip() for line in _lines(text)]
    sentences = [s for s in sentences if s]
    if not sentences:
        raise ValueError(f"{path}: expected one sentence per line, found no sentences")
    return sentences


def load_polarity(
    pos_path: StrPath,
    neg_path: StrPath,
    encoding: str | None = None,
    errors: str = "strict",
) -> tuple[list[str], np.ndarray]:
    """Load a sentence-polarity corpus stored as one file per class, one sentence per line.

    This is the layout of the Movie Review data (``rt-polarity.pos``/``rt-polarity.neg``,
    Pang & Lee 2005) and of many corpora derived from it.

    Parameters
    ----------
    pos_path, neg_path : str or path-like
        Files holding the positive and the negative sentences.
    encoding : str or None, default=None
        Text encoding of both files. ``None`` reads a file as UTF-8 when it is valid UTF-8
        and otherwise as cp1252, the encoding of the original rt-polarity v1.0 files (which
        contain bytes such as 0x85, cp1252's "..." character, so they are not UTF-8).
    errors : str, default="strict"
        How undecodable bytes are handled, as in :meth:`bytes.decode`; with ``"strict"``
        they raise a ``ValueError`` naming the file.

    Returns
    -------
    texts : list of str
        The positive sentences, then the negative ones, with surrounding whitespace
        stripped. Blank lines are skipped. Lines are split on ``"\\n"`` only.
    labels : ndarray of shape (n_sentences,), dtype int64
        1 for positive, 0 for negative.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from sklearn_rnn.datasets import load_polarity
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "pos.txt").write_bytes("a great film \\nsimply charming\\n".encode("cp1252"))
    >>> _ = (folder / "neg.txt").write_bytes("a dull, clich\\xe9d mess\\n".encode("cp1252"))
    >>> texts, labels = load_polarity(folder / "pos.txt", folder / "neg.txt")
    >>> texts
    ['a great film', 'simply charming', 'a dull, clichéd mess']
    >>> labels.tolist()
    [1, 1, 0]
    """
    pos = _read_sentences(pos_path, encoding, errors)
    neg = _read_sentences(neg_path, encoding, errors)
    labels = np.concatenate([np.ones(len(pos), dtype=np.int64), np.zeros(len(neg), np.int64)])
    return pos + neg, labels


def _resolve_column(
    column: str | int, names: list[str] | None, n_columns: int, what: str, path: StrPath
) -> int:
    if isinstance(column, str):
        if names is None:
            raise ValueError(
                f"{what}={column!r} is a column name, but header=False; pass a column index"
            )
        if column not in names:
            raise ValueError(f"{path}: {what}={column!r} is not in the header columns {names}")
        return names.index(column)
    index = _check_int(column, what)
    if not -n_columns <= index < n_columns:
        raise ValueError(
            f"{path}: {what}={index} is out of range for a file with {n_columns} columns"
        )
    return index % n_columns


def load_tsv_sentences(
    path: StrPath,
    text_column: str | int = "sentence",
    label_column: str | int | None = "label",
    header: bool = True,
    encoding: str = "utf-8",
) -> tuple[list[str], np.ndarray | None]:
    """Load sentences and labels from a tab-separated file, like GLUE's SST-2 ``train.tsv``.

    Columns are found by name in the header line, so both SST-2's ``sentence<TAB>label``
    and the order ``label<TAB>sentence`` read with the defaults. Fields are split on tabs
    only and quotes are literal text (sentences often contain ``"``).

    Parameters
    ----------
    path : str or path-like
        The TSV file.
    text_column : str or int, default="sentence"
        Name (needs ``header=True``) or index of the column holding the text.
    label_column : str, int or None, default="label"
        Name or index of the label column; ``None`` for unlabelled files (such as GLUE's
        test split), in which case ``labels`` is ``None``.
    header : bool, default=True
        Whether the first non-blank line names the columns.
    encoding : str, default="utf-8"
        Text encoding of the file.

    Returns
    -------
    texts : list of str
        One text per data line, surrounding whitespace stripped. Blank lines are skipped.
    labels : ndarray of shape (n_texts,) or None
        int64 if every label is an integer, float64 if every label is a number, else the
        label strings.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from sklearn_rnn.datasets import load_tsv_sentences
    >>> path = Path(tempfile.mkdtemp()) / "train.tsv"
    >>> _ = path.write_text(
    ...     "sentence\\tlabel\\n"
    ...     "it 's a charming journey \\t1\\n"
    ...     'a " dull " film\\t0\\n'
    ... )
    >>> texts, labels = load_tsv_sentences(path)
    >>> texts
    ["it 's a charming journey", 'a " dull " film']
    >>> labels.tolist()
    [1, 0]
    """
    lines = [(i, line) for i, line in enumerate(_lines(_read_text(path, encoding)), 1)]
    lines = [(i, line) for i, line in lines if line.strip()]
    if not lines:
        raise ValueError(f"{path}: the file is empty")
    names: list[str] | None = None
    if header:
        names = [name.strip() for name in lines[0][1].split("\t")]
        lines = lines[1:]
        n_columns = len(names)
    else:
        n_columns = len(lines[0][1].split("\t"))
    if not lines:
        raise ValueError(f"{path}: expected data lines after the header, found none")
    text_index = _resolve_column(text_column, names, n_columns, "text_column", path)
    label_index = None
    if label_column is not None:
        label_index = _resolve_column(label_column, names, n_columns, "label_column", path)

    texts: list[str] = []
    raw_labels: list[str] = []
    for lineno, line in lines:
        fields = line.split("\t")
        if len(fields) != n_columns:
            expected = f" ({', '.join(names)})" if names else ""
            raise ValueError(
                f"{path}, line {lineno}: expected {n_columns} tab-separated fields"
                f"{expected}, got {len(fields)}"
            )
        texts.append(fields[text_index].strip())
        if label_index is not None:
            raw_labels.append(fields[label_index].strip())
    labels = _coerce_labels(raw_labels) if label_index is not None else None
    return texts, labels


# ---------------------------------------------------------------------------------------
# Time series (.ts)
# ---------------------------------------------------------------------------------------


def _parse_bool(value: str, key: str, path: StrPath, lineno: int) -> bool:
    word = value.split()[0].lower() if value.split() else ""
    if word not in ("true", "false"):
        raise ValueError(f"{path}, line {lineno}: expected '@{key} true' or 'false', got {value!r}")
    return word == "true"


def _parse_dimension(text: str, path: StrPath, lineno: int, dim: int) -> np.ndarray:
    # '?' marks a missing value; numpy parses the remaining number strings in one call.
    try:
        return np.array(text.replace("?", "nan").split(","), dtype=np.float64)
    except ValueError as exc:
        raise ValueError(
            f"{path}, line {lineno}: expected comma-separated numbers (or '?') in "
            f"dimension {dim}, got {text[:60]!r}"
        ) from exc


def load_ts(
    path: StrPath,
    return_type: Literal["list", "numpy3d"] = "list",
) -> tuple[list[np.ndarray] | np.ndarray, np.ndarray | None]:
    """Load a time series file in the sktime/UCR/UEA ``.ts`` format.

    The header (``@problemName``, ``@timeStamps``, ``@missing``, ``@univariate``,
    ``@dimensions``, ``@equalLength``, ``@seriesLength``, ``@classLabel``,
    ``@targetLabel``; case-insensitive) ends with ``@data``; ``#`` lines are comments.
    Each data line is one series: the values of each dimension comma-separated,
    dimensions separated by ``:``, and the class label or regression target as the last
    ``:`` field. ``?`` marks a missing value.

    Parameters
    ----------
    path : str or path-like
        The ``.ts`` file.
    return_type : {"list", "numpy3d"}, default="list"
        ``"list"``: a list of ``(T_i, n_dims)`` arrays, so series may differ in length.
        ``"numpy3d"``: one ``(n_series, T, n_dims)`` array; a ``ValueError`` if the
        series do not all have the same length.

    Returns
    -------
    X : list of ndarray of shape (T_i, n_dims), or ndarray of shape (n, T, n_dims)
        float32 values; missing values are NaN.
    y : ndarray of shape (n,) or None
        The class labels as the strings in the file (``@classLabel true``), float64
        targets (``@targetLabel true``), or ``None`` for an unlabelled file.

    Raises
    ------
    ValueError
        For a malformed file (naming the line), a label not declared in ``@classLabel``,
        timestamped data (``@timeStamps true``, not supported), or unequal lengths with
        ``return_type="numpy3d"``.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from sklearn_rnn.datasets import load_ts
    >>> path = Path(tempfile.mkdtemp()) / "toy.ts"
    >>> _ = path.write_text(
    ...     "# two series, two dimensions, unequal length\\n"
    ...     "@problemName toy\\n@univariate false\\n@dimensions 2\\n@equalLength false\\n"
    ...     "@classLabel true up down\\n@data\\n"
    ...     "1,2,3:4,5,6:up\\n"
    ...     "3,?:1,0:down\\n"
    ... )
    >>> X, y = load_ts(path)
    >>> [x.shape for x in X]
    [(3, 2), (2, 2)]
    >>> X[1]
    array([[ 3.,  1.],
           [nan,  0.]], dtype=float32)
    >>> y.tolist()
    ['up', 'down']
    """
    if return_type not in ("list", "numpy3d"):
        raise ValueError(f"return_type must be 'list' or 'numpy3d', got {return_type!r}")
    n_dims: int | None = None
    class_label = False
    target_label = False
    declared_labels: set[str] = set()
    in_data = False
    X: list[np.ndarray] = []
    y: list[str | float] = []

    for lineno, raw in enumerate(_lines(_read_text(path, "utf-8")), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if not in_data:
            if not line.startswith("@"):
                raise ValueError(
                    f"{path}, line {lineno}: expected a '@' header line or a '#' comment "
                    f"before @data, got {line[:60]!r}"
                )
            key, value = (line[1:].split(maxsplit=1) + ["", ""])[:2]
            key = key.lower()
            if key == "data":
                in_data = True
            elif key == "timestamps" and _parse_bool(value, key, path, lineno):
                raise ValueError(
                    f"{path}, line {lineno}: timestamped .ts files (@timeStamps true) "
                    "are not supported"
                )
            elif key == "univariate" and _parse_bool(value, key, path, lineno):
                n_dims = 1
            elif key == "dimensions":
                if not value.isdigit() or int(value) < 1:
                    raise ValueError(
                        f"{path}, line {lineno}: expected '@dimensions <positive int>', "
                        f"got {value!r}"
                    )
                n_dims = int(value)
            elif key == "classlabel":
                class_label = _parse_bool(value, key, path, lineno)
                declared_labels = set(value.split()[1:]) if class_label else set()
            elif key == "targetlabel":
                target_label = _parse_bool(value, key, path, lineno)
            # @problemName, @missing, @equalLength, @seriesLength and unknown keys carry
            # nothing the parser needs: the data lines say it all.
            continue

        if line.startswith("@"):
            raise ValueError(f"{path}, line {lineno}: header line {line[:40]!r} after @data")
        has_label = class_label or target_label
        fields = line.split(":")
        if n_dims is None:  # no @dimensions header: the first line decides
            n_dims = len(fields) - has_label
            if n_dims < 1:
                raise ValueError(f"{path}, line {lineno}: expected values before the label")
        if len(fields) != n_dims + has_label:
            label_note = " and a label" if has_label else ""
            raise ValueError(
                f"{path}, line {lineno}: expected {n_dims} dimension(s){label_note} "
                f"separated by ':', got {len(fields)} field(s)"
            )
        dims = [_parse_dimension(fields[d], path, lineno, d) for d in range(n_dims)]
        lengths = {len(values) for values in dims}
        if len(lengths) > 1:
            raise ValueError(
                f"{path}, line {lineno}: the dimensions of one series must have the same "
                f"length, got lengths {[len(values) for values in dims]}"
            )
        X.append(np.stack(dims, axis=1).astype(np.float32))
        if has_label:
            label = fields[-1].strip()
            if class_label and declared_labels and label not in declared_labels:
                raise ValueError(
                    f"{path}, line {lineno}: class label {label!r} is not one of the labels "
                    f"declared by @classLabel: {sorted(declared_labels)}"
                )
            if target_label:
                try:
                    y.append(float(label))
                except ValueError:
                    raise ValueError(
                        f"{path}, line {lineno}: @targetLabel true, so the last field must "
                        f"be a number, got {label!r}"
                    ) from None
            else:
                y.append(label)

    if not in_data:
        raise ValueError(f"{path}: expected an @data line, found none")
    if not X:
        raise ValueError(f"{path}: expected at least one series after @data, found none")

    labels: np.ndarray | None = None
    if target_label:
        labels = np.asarray(y, dtype=np.float64)
    elif class_label:
        labels = np.asarray(y, dtype=str)

    if return_type == "numpy3d":
        lengths = sorted({x.shape[0] for x in X})
        if len(lengths) > 1:
            raise ValueError(
                f"{path}: return_type='numpy3d' needs equal-length series, got lengths "
                f"from {lengths[0]} to {lengths[-1]}; use return_type='list'"
            )
        return np.stack(X), labels
    return X, labels


# ---------------------------------------------------------------------------------------
# One series in a CSV file
# ---------------------------------------------------------------------------------------


def load_series_csv(
    path: StrPath,
    date_column: str | int | None = None,
    value_column: str | int | None = None,
) -> pd.Series:
    """Load one time series from a CSV file with a header, a date column and a value column.

    Parameters
    ----------
    path : str or path-like
        The CSV file, such as sktime's ``Airline.csv`` (``Date,Passengers``, dates
        ``YYYY-MM``).
    date_column : str, int or None, default=None
        Name or position of the date column; ``None`` takes the first column.
    value_column : str, int or None, default=None
        Name or position of the value column; ``None`` takes the only other column (a
        ``ValueError`` lists the columns when there are several).

    Returns
    -------
    series : pandas.Series of float64
        Indexed by a ``DatetimeIndex`` named after the date column, in chronological
        order (rows are sorted by date), with its frequency set when regular (``"MS"``
        for monthly ``YYYY-MM`` dates; use ``series.to_period()`` for periods).
        Empty cells become NaN.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from sklearn_rnn.datasets import load_series_csv
    >>> path = Path(tempfile.mkdtemp()) / "airline.csv"
    >>> _ = path.write_text("Date,Passengers\\n1949-01,112\\n1949-02,118\\n1949-03,132\\n")
    >>> series = load_series_csv(path)
    >>> series.tolist(), series.index.freqstr, series.name
    ([112.0, 118.0, 132.0], 'MS', 'Passengers')
    """
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except pd.errors.EmptyDataError as exc:
        raise ValueError(f"{path}: the file is empty") from exc
    names = [str(c) for c in frame.columns]
    if len(names) < 2:
        raise ValueError(f"{path}: expected a date column and a value column, got {names}")

    def resolve(column: str | int, what: str) -> str:
        return names[_resolve_column(column, names, len(names), what, path)]

    date_name = resolve(0 if date_column is None else date_column, "date_column")
    if value_column is None:
        others = [name for name in names if name != date_name]
        if len(others) != 1:
            raise ValueError(f"{path}: several value columns {others}; pass value_column=")
        value_name = others[0]
    else:
        value_name = resolve(value_column, "value_column")
    if len(frame) == 0:
        raise ValueError(f"{path}: expected data rows after the header, found none")

    raw_dates = frame[date_name].str.strip()
    dates = pd.to_datetime(raw_dates, errors="coerce")
    bad = np.flatnonzero(dates.isna().to_numpy())
    if bad.size:
        raise ValueError(
            f"{path}, line {bad[0] + 2}: expected a date in column {date_name!r}, "
            f"got {raw_dates.iloc[bad[0]]!r}"
        )
    raw_values = frame[value_name].str.strip()
    missing = raw_values.isin(["", "NA", "NaN", "nan"]).to_numpy()
    values = pd.to_numeric(raw_values.where(~missing), errors="coerce")
    bad = np.flatnonzero(values.isna().to_numpy() & ~missing)
    if bad.size:
        raise ValueError(
            f"{path}, line {bad[0] + 2}: expected a number in column {value_name!r}, "
            f"got {raw_values.iloc[bad[0]]!r}"
        )
    series = pd.Series(
        values.to_numpy(dtype=np.float64),
        index=pd.DatetimeIndex(dates, name=date_name),
        name=value_name,
    )
    if series.index.has_duplicates:
        duplicated = series.index[series.index.duplicated()][0]
        raise ValueError(f"{path}: the date {duplicated} appears more than once")
    series = series.sort_index(kind="stable")
    if len(series) >= 3:
        series.index = pd.DatetimeIndex(series.index, freq="infer")
    return series


# ---------------------------------------------------------------------------------------
# Token tagging
# ---------------------------------------------------------------------------------------


def load_conllu(
    path: StrPath,
    tag_column: str | int = "upos",
    encoding: str = "utf-8",
) -> tuple[list[list[str]], list[list[str]]]:
    """Load tokens and one tag per token from a CoNLL-U file (Universal Dependencies).

    Comment lines (``#``), multiword-token lines (ID ``3-4``) and empty nodes
    (ID ``5.1``) are skipped, so the tokens are the syntactic words that carry the tags.
    A blank line ends a sentence; the final blank line may be missing.

    Parameters
    ----------
    path : str or path-like
        The ``.conllu`` file.
    tag_column : str or int, default="upos"
        ``"upos"`` (universal POS tags), ``"xpos"`` (language-specific tags, PTB for
        English), any other CoNLL-U field name (``"deprel"``, ...), or a 0-based field
        index (UPOS is 3).
    encoding : str, default="utf-8"
        Text encoding of the file (CoNLL-U is UTF-8 by definition).

    Returns
    -------
    sentences : list of list of str
        The FORM field of each word.
    tags : list of list of str
        The requested field of each word, same lengths as ``sentences``.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from sklearn_rnn.datasets import load_conllu
    >>> path = Path(tempfile.mkdtemp()) / "toy.conllu"
    >>> rows = [
    ...     "# text = I don't know",
    ...     "1\\tI\\tI\\tPRON\\tPRP\\t_\\t4\\tnsubj\\t_\\t_",
    ...     "2-3\\tdon't\\t_\\t_\\t_\\t_\\t_\\t_\\t_\\t_",
    ...     "2\\tdo\\tdo\\tAUX\\tVBP\\t_\\t4\\taux\\t_\\t_",
    ...     "3\\tn't\\tnot\\tPART\\tRB\\t_\\t4\\tadvmod\\t_\\t_",
    ...     "4\\tknow\\tknow\\tVERB\\tVB\\t_\\t0\\troot\\t_\\t_",
    ... ]
    >>> _ = path.write_text("\\n".join(rows) + "\\n")
    >>> sentences, tags = load_conllu(path)
    >>> sentences, tags
    ([['I', 'do', "n't", 'know']], [['PRON', 'AUX', 'PART', 'VERB']])
    >>> load_conllu(path, tag_column="xpos")[1]
    [['PRP', 'VBP', 'RB', 'VB']]
    """
    if isinstance(tag_column, str):
        if tag_column.lower() not in _CONLLU_FIELDS:
            raise ValueError(
                f"tag_column must be one of {list(_CONLLU_FIELDS)} or a field index 0-9, "
                f"got {tag_column!r}"
            )
        tag_index = _CONLLU_FIELDS.index(tag_column.lower())
    else:
        tag_index = _check_int(tag_column, "tag_column")
        if not 0 <= tag_index < len(_CONLLU_FIELDS):
            raise ValueError(f"tag_column must be a field index 0-9, got {tag_index}")

    sentences: list[list[str]] = []
    tags: list[list[str]] = []
    words: list[str] = []
    labels: list[str] = []
    for lineno, line in enumerate(_lines(_read_text(path, encoding)), 1):
        if not line.strip():
            if words:
                sentences.append(words)
                tags.append(labels)
                words, labels = [], []
            continue
        if line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) != len(_CONLLU_FIELDS):
            raise ValueError(
                f"{path}, line {lineno}: expected {len(_CONLLU_FIELDS)} tab-separated "
                f"CoNLL-U fields, got {len(fields)}"
            )
        word_id = fields[0]
        if not word_id.isdigit():
            if re.fullmatch(r"\d+-\d+|\d+\.\d+", word_id):
                continue  # multiword token or empty node
            raise ValueError(
                f"{path}, line {lineno}: expected a word ID (1, 2-3 or 4.1), got {word_id!r}"
            )
        words.append(fields[1])
        labels.append(fields[tag_index])
    if words:
        sentences.append(words)
        tags.append(labels)
    if not sentences:
        raise ValueError(f"{path}: expected CoNLL-U token lines, found no sentences")
    return sentences, tags


def load_conll2003(
    path: StrPath,
    tag_column: int = -1,
    token_column: int = 0,
    encoding: str = "utf-8",
) -> tuple[list[list[str]], list[list[str]]]:
    """Load tokens and tags from a CoNLL-2003-style column file (NER, chunking).

    Each non-blank line is one token with whitespace-separated columns, e.g.
    ``EU NNP B-NP B-ORG``; a blank line ends a sentence; ``-DOCSTART-`` lines (and the
    blank line after them) are skipped.

    Parameters
    ----------
    path : str or path-like
        The column file.
    tag_column : int, default=-1
        Index of the tag column (the last one by default: NER tags in CoNLL-2003).
    token_column : int, default=0
        Index of the token column.
    encoding : str, default="utf-8"
        Text encoding of the file (the original English CoNLL-2003 files are ASCII).

    Returns
    -------
    sentences : list of list of str
    tags : list of list of str
        Same lengths as ``sentences``.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from sklearn_rnn.datasets import load_conll2003
    >>> path = Path(tempfile.mkdtemp()) / "train.txt"
    >>> _ = path.write_text(
    ...     "-DOCSTART- -X- -X- O\\n\\n"
    ...     "EU NNP B-NP B-ORG\\nrejects VBZ B-VP O\\n\\n"
    ...     "Peter NNP B-NP B-PER\\n"
    ... )
    >>> load_conll2003(path)
    ([['EU', 'rejects'], ['Peter']], [['B-ORG', 'O'], ['B-PER']])
    >>> load_conll2003(path, tag_column=1)[1]
    [['NNP', 'VBZ'], ['NNP']]
    """
    tag_column = _check_int(tag_column, "tag_column")
    token_column = _check_int(token_column, "token_column")
    needed = max(tag_column + 1, -tag_column, token_column + 1, -token_column)

    sentences: list[list[str]] = []
    tags: list[list[str]] = []
    words: list[str] = []
    labels: list[str] = []
    for lineno, line in enumerate(_lines(_read_text(path, encoding)), 1):
        fields = line.split()
        if not fields or fields[0] == "-DOCSTART-":
            if words:
                sentences.append(words)
                tags.append(labels)
                words, labels = [], []
            continue
        if len(fields) < needed:
            raise ValueError(
                f"{path}, line {lineno}: expected at least {needed} whitespace-separated "
                f"columns (token_column={token_column}, tag_column={tag_column}), "
                f"got {len(fields)}: {line[:60]!r}"
            )
        words.append(fields[token_column])
        labels.append(fields[tag_column])
    if words:
        sentences.append(words)
        tags.append(labels)
    if not sentences:
        raise ValueError(f"{path}: expected token lines, found no sentences")
    return sentences, tags


# ---------------------------------------------------------------------------------------
# Download cache
# ---------------------------------------------------------------------------------------


def get_data_home(data_home: StrPath | None = None) -> Path:
    """Return the folder where fetched datasets are cached.

    Parameters
    ----------
    data_home : str, path-like or None, default=None
        The folder to use. ``None`` uses the ``SKLEARN_RNN_DATA`` environment variable
        when set, else ``~/sklearn_rnn_data``. The folder is created on first download.

    Returns
    -------
    path : pathlib.Path
        The cache folder, with ``~`` expanded.

    Examples
    --------
    >>> from sklearn_rnn.datasets import get_data_home
    >>> get_data_home("/tmp/my_data").as_posix()
    '/tmp/my_data'
    """
    if data_home is None:
        data_home = os.environ.get("SKLEARN_RNN_DATA") or Path("~") / "sklearn_rnn_data"
    return Path(data_home).expanduser()


def _manual_download_hint(url: str, dest: Path) -> str:
    return (
        f"To install it by hand, download {url} and save it as {dest} (in the folder "
        f"{dest.parent}); a file found there is used without any network access. The cache "
        "folder is the data_home argument, else $SKLEARN_RNN_DATA, else ~/sklearn_rnn_data."
    )


def _download(url: str, dest: Path, sha256: str | None, timeout: float = 60.0) -> Path:
    """Download ``url`` to ``dest`` unless it is already there; return ``dest``.

    The bytes go to a temporary file in the same folder and are moved into place with
    :func:`os.replace` only once complete (as many bytes as ``Content-Length`` promised)
    and matching ``sha256`` (``None``: not pinned). On any failure the temporary file is
    removed, so the cache never holds a partial or unverified file.
    """
    if dest.is_file():
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
    tmp = Path(tmp_name)
    try:
        digest = hashlib.sha256()
        n_bytes = 0
        expected: str | None = None
        with os.fdopen(fd, "wb") as out:
            try:
                with urllib.request.urlopen(url, timeout=timeout) as response:
                    expected = response.headers.get("Content-Length")
                    while chunk := response.read(1 << 16):
                        out.write(chunk)
                        digest.update(chunk)
                        n_bytes += len(chunk)
            except (OSError, http.client.HTTPException) as exc:  # URLError is an OSError
                reason = getattr(exc, "reason", None) or exc
                raise DownloadError(
                    f"Could not download {url} ({reason}). " + _manual_download_hint(url, dest)
                ) from exc
        if expected is not None and expected.isdigit() and n_bytes != int(expected):
            raise DownloadError(
                f"The download of {url} was interrupted: received {n_bytes} of "
                f"{expected} bytes; nothing was saved. " + _manual_download_hint(url, dest)
            )
        if sha256 is not None and digest.hexdigest() != sha256.lower():
            raise DownloadError(
                f"Checksum mismatch for {url}: expected sha256 {sha256}, got "
                f"{digest.hexdigest()}; the file was discarded. It may have changed "
                "upstream or been damaged in transit. " + _manual_download_hint(url, dest)
            )
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    return dest


def _write_atomic(dest: Path, data: bytes) -> None:
    fd, tmp_name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp_name, dest)
    finally:
        Path(tmp_name).unlink(missing_ok=True)


def _extract_members(archive: Path, members: dict[str, Path], url: str) -> None:
    """Copy the archive members whose base names (case-insensitive) are ``members`` keys.

    Only regular members with the wanted base names are read, and each is written to a
    destination of our choosing, so member paths in the archive can never escape the
    cache. A damaged archive or a missing member deletes the archive and raises
    :class:`DownloadError`, so the next call downloads it again.
    """
    wanted = {name.lower(): name for name in members}
    found: dict[str, bytes] = {}
    try:
        if zipfile.is_zipfile(archive):
            with zipfile.ZipFile(archive) as zf:
                for info in zf.infolist():
                    base = Path(info.filename).name.lower()
                    if not info.is_dir() and base in wanted:
                        found[base] = zf.read(info)
        else:
            with tarfile.open(archive, "r:*") as tf:
                for info in tf.getmembers():
                    base = Path(info.name).name.lower()
                    file = tf.extractfile(info) if info.isfile() and base in wanted else None
                    if file is not None:
                        found[base] = file.read()
    except (tarfile.TarError, zipfile.BadZipFile, EOFError, OSError) as exc:
        archive.unlink(missing_ok=True)
        raise DownloadError(
            f"The archive downloaded from {url} is damaged ({exc}) and was deleted. "
            + _manual_download_hint(url, archive)
        ) from exc
    missing = sorted(wanted[base] for base in set(wanted) - set(found))
    if missing:
        archive.unlink(missing_ok=True)
        raise DownloadError(
            f"The archive downloaded from {url} does not contain {missing} and was deleted. "
            + _manual_download_hint(url, archive)
        )
    for base, data in found.items():
        _write_atomic(members[wanted[base]], data)


# ---------------------------------------------------------------------------------------
# Fetchers
# ---------------------------------------------------------------------------------------


def fetch_movie_reviews(
    data_home: StrPath | None = None,
    *,
    url: str | None = None,
) -> tuple[list[str], np.ndarray]:
    """Download (once) and load the Movie Review sentence polarity dataset v1.0.

    10,662 snippets of Rotten Tomatoes reviews, 5,331 positive and 5,331 negative
    (Pang & Lee, ACL 2005); no official split, the usual protocol is 10-fold
    cross-validation. The tarball is cached as ``<data_home>/movie_reviews/
    rt-polaritydata.tar.gz`` and its two files are extracted next to it. Its checksum is
    not pinned (the archive's bytes were never available to us); a transfer shorter than
    announced or an unreadable archive is rejected.

    Parameters
    ----------
    data_home : str, path-like or None, default=None
        Cache folder, see :func:`get_data_home`.
    url : str or None, default=None
        Where to download from; ``None`` uses :data:`MOVIE_REVIEWS_URL`.

    Returns
    -------
    texts : list of str
    labels : ndarray of shape (10662,), dtype int64
        1 for positive, 0 for negative; see :func:`load_polarity`.

    Raises
    ------
    DownloadError
        An :class:`OSError`: the download failed, was interrupted, or gave a damaged
        archive. The message names the URL and where to save the file by hand.

    Examples
    --------
    >>> from sklearn_rnn.datasets import fetch_movie_reviews
    >>> texts, labels = fetch_movie_reviews()  # doctest: +SKIP
    >>> len(texts), labels.sum()  # doctest: +SKIP
    (10662, 5331)
    """
    folder = get_data_home(data_home) / "movie_reviews"
    pos, neg = folder / "rt-polarity.pos", folder / "rt-polarity.neg"
    if not (pos.is_file() and neg.is_file()):
        url = url or MOVIE_REVIEWS_URL
        archive = _download(url, folder / "rt-polaritydata.tar.gz", sha256=None)
        _extract_members(archive, {"rt-polarity.pos": pos, "rt-polarity.neg": neg}, url)
    return load_polarity(pos, neg)


def fetch_ucr(
    name: str,
    data_home: StrPath | None = None,
    *,
    return_type: Literal["list", "numpy3d"] = "list",
    base_url: str | None = None,
) -> tuple[list[np.ndarray] | np.ndarray, list[np.ndarray] | np.ndarray, np.ndarray, np.ndarray]:
    """Download (once) and load a UCR/UEA time series classification dataset.

    Downloads ``{base_url}/{name}.zip`` (the archive's aeon packaging) into
    ``<data_home>/ucr/<name>/`` and reads its ``{name}_TRAIN.ts`` and ``{name}_TEST.ts``
    with :func:`load_ts`. If those two files are already in that folder (copied by hand,
    say) nothing is downloaded. The zip's checksum is not pinned (its bytes were never
    available to us); a short transfer or an unreadable zip is rejected.

    Parameters
    ----------
    name : str
        Dataset name as in the archive, e.g. ``"GunPoint"``, ``"BasicMotions"``.
    data_home : str, path-like or None, default=None
        Cache folder, see :func:`get_data_home`.
    return_type : {"list", "numpy3d"}, default="list"
        Passed to :func:`load_ts`.
    base_url : str or None, default=None
        ``None`` uses :data:`UCR_BASE_URL`.

    Returns
    -------
    X_train, X_test : list of (T_i, n_dims) arrays, or (n, T, n_dims) arrays
    y_train, y_test : ndarray of str
        In the order of :func:`sklearn.model_selection.train_test_split`; the official
        split of the archive.

    Raises
    ------
    ValueError
        ``name`` is not a plain dataset name.
    DownloadError
        An :class:`OSError`: the download failed, was interrupted, or the zip lacks the
        two ``.ts`` files. The message names the URL and where to save the file by hand.

    Examples
    --------
    >>> from sklearn_rnn.datasets import fetch_ucr
    >>> X_train, X_test, y_train, y_test = fetch_ucr("GunPoint")  # doctest: +SKIP
    >>> len(X_train), len(X_test), X_train[0].shape  # doctest: +SKIP
    (50, 150, (150, 1))
    """
    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_\-]*", name):
        raise ValueError(f"name must be a UCR/UEA dataset name such as 'GunPoint', got {name!r}")
    folder = get_data_home(data_home) / "ucr" / name
    train, test = folder / f"{name}_TRAIN.ts", folder / f"{name}_TEST.ts"
    if not (train.is_file() and test.is_file()):
        url = f"{(base_url or UCR_BASE_URL).rstrip('/')}/{name}.zip"
        archive = _download(url, folder / f"{name}.zip", sha256=None)
        _extract_members(archive, {train.name: train, test.name: test}, url)
    X_train, y_train = load_ts(train, return_type=return_type)
    X_test, y_test = load_ts(test, return_type=return_type)
    return X_train, X_test, y_train, y_test


def fetch_ud_treebank(
    name: str = "UD_English-EWT",
    data_home: StrPath | None = None,
    *,
    version: str = "r2.16",
    splits: Sequence[str] = ("train", "dev", "test"),
    tag_column: str | int = "upos",
    prefix: str | None = None,
    base_url: str | None = None,
) -> dict[str, tuple[list[list[str]], list[list[str]]]]:
    """Download (once) and load a Universal Dependencies treebank for POS tagging.

    Each split is the raw file
    ``{base_url}/{name}/{version}/{prefix}-ud-{split}.conllu``, cached as
    ``<data_home>/ud/<name>/<version>/<prefix>-ud-<split>.conllu`` and read with
    :func:`load_conllu`. For UD_English-EWT r2.16 the SHA-256 of all three files is
    pinned; other treebanks or versions are downloaded unpinned.

    Parameters
    ----------
    name : str, default="UD_English-EWT"
        Treebank repository name.
    data_home : str, path-like or None, default=None
        Cache folder, see :func:`get_data_home`.
    version : str, default="r2.16"
        Release tag (or branch) of the treebank repository.
    splits : sequence of str, default=("train", "dev", "test")
        Which files to fetch (small treebanks have only ``"test"``).
    tag_column : str or int, default="upos"
        Passed to :func:`load_conllu` (``"xpos"`` for PTB tags).
    prefix : str or None, default=None
        File prefix such as ``"en_ewt"``; needed for treebanks other than
        UD_English-EWT.
    base_url : str or None, default=None
        ``None`` uses :data:`UD_BASE_URL`.

    Returns
    -------
    data : dict
        ``{split: (sentences, tags)}``. UD_English-EWT r2.16 has 12,544 training
        sentences (204,577 words), 2,001 dev and 2,077 test sentences.

    Raises
    ------
    ValueError
        Unknown treebank without ``prefix``, or a malformed ``name``/``version``/split.
    DownloadError
        An :class:`OSError`: the download failed, was interrupted, or a pinned checksum
        did not match. The message names the URL and where to save the file by hand.

    Examples
    --------
    >>> from sklearn_rnn.datasets import fetch_ud_treebank
    >>> ewt = fetch_ud_treebank()  # doctest: +SKIP
    >>> sentences, tags = ewt["train"]  # doctest: +SKIP
    >>> len(sentences), tags[0][:4]  # doctest: +SKIP
    (12544, ['PROPN', 'PUNCT', 'PROPN', 'PUNCT'])
    """
    prefix = prefix or _UD_TREEBANKS.get(name)
    if prefix is None:
        raise ValueError(
            f"unknown treebank {name!r}: pass its file prefix, e.g. prefix='fr_gsd' for "
            f"UD_French-GSD (known: {sorted(_UD_TREEBANKS)})"
        )
    if isinstance(splits, str):
        splits = (splits,)
    plain = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]*")
    checks = [("name", name), ("version", version), ("prefix", prefix)]
    checks += [("splits", split) for split in splits]
    for what, value in checks:
        if not isinstance(value, str) or not plain.fullmatch(value):
            raise ValueError(f"{what} must be a plain name such as 'train', got {value!r}")
    folder = get_data_home(data_home) / "ud" / name / version
    base = (base_url or UD_BASE_URL).rstrip("/")
    data = {}
    for split in splits:
        filename = f"{prefix}-ud-{split}.conllu"
        path = _download(
            f"{base}/{name}/{version}/{filename}",
            folder / filename,
            sha256=_UD_SHA256.get((name, version, split)),
        )
        data[split] = load_conllu(path, tag_column=tag_column)
    return data


def fetch_airline(data_home: StrPath | None = None, *, url: str | None = None) -> pd.Series:
    """Download (once) and load the airline passengers series (Box & Jenkins Series G).

    Monthly totals of international airline passengers (thousands), 1949-01 to 1960-12,
    144 values. The CSV is sktime's ``Airline.csv`` (SHA-256 pinned, also when ``url``
    points at a mirror), cached as ``<data_home>/airline/Airline.csv``.

    Parameters
    ----------
    data_home : str, path-like or None, default=None
        Cache folder, see :func:`get_data_home`.
    url : str or None, default=None
        ``None`` uses :data:`AIRLINE_URL`.

    Returns
    -------
    series : pandas.Series
        Indexed by month-start dates (frequency ``"MS"``), named ``"Passengers"``.

    Raises
    ------
    DownloadError
        An :class:`OSError`: the download failed, was interrupted, or did not match the
        pinned checksum. The message names the URL and where to save the file by hand.

    Examples
    --------
    >>> from sklearn_rnn.datasets import fetch_airline
    >>> y = fetch_airline()  # doctest: +SKIP
    >>> len(y), y.index[0].strftime("%Y-%m"), y.iloc[-1]  # doctest: +SKIP
    (144, '1949-01', 432.0)
    """
    path = _download(
        url or AIRLINE_URL,
        get_data_home(data_home) / "airline" / "Airline.csv",
        sha256=_AIRLINE_SHA256,
    )
    return load_series_csv(path, date_column="Date", value_column="Passengers")
