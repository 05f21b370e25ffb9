"""Readers of time series formats: UCR/UEA ``.ts`` files and one series in a CSV file.

:func:`load_ts` returns ``(X, y)`` for ``RNNClassifier`` or ``RNNRegressor``;
:func:`load_series_csv` a date-indexed ``pd.Series`` to cut into windows with
:func:`sklearn_rnn.forecasting.make_windows`. Malformed files raise :class:`ValueError`
naming the file and the line.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from sklearn_rnn.datasets._common import StrPath, _lines, _read_text, _resolve_column

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
        The float32 values; missing values are NaN.
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
