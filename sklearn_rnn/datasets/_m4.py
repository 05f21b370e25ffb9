"""Reader of the M4 competition's CSV format (one series per row, right-padded with NA)."""

from __future__ import annotations

import csv
import io

import numpy as np

from sklearn_rnn.datasets._common import StrPath, _read_text

_MISSING = {"", "NA", "NaN", "nan"}


def load_m4(path: StrPath, *, encoding: str = "utf-8") -> dict[str, np.ndarray]:
    """Read a file in the M4 competition's CSV format: ``{series id: values}``.

    The format of ``Dataset/Train/*-train.csv`` and ``Dataset/Test/*-test.csv`` in the
    competition's repository (Makridakis et al., 2020): a header row (``"V1","V2",...``),
    then one series per row, its id first and its observations in time order, the row
    right-padded with ``NA`` to the longest series. A test file holds, for each id, the
    values that follow the same id's training values.

    Parameters
    ----------
    path : str or path-like
        The CSV file.
    encoding : str, default="utf-8"
        The file's text encoding.

    Returns
    -------
    dict of str to ndarray of shape (T_i,), float64
        The series in the file's order; pass ``list(result.values())`` to
        :func:`~sklearn_rnn.forecasting.make_windows`.

    Raises
    ------
    ValueError
        A file without a header or rows, a row without values, a value that is not a
        number, a gap (a missing value before the row's last value), or an id seen twice;
        the message names the file and the line.

    Examples
    --------
    >>> import tempfile, os
    >>> text = '"V1","V2","V3","V4"\\n"H1","1","2","3"\\n"H2","5","6",NA\\n'
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = os.path.join(folder, "Hourly-train.csv")
    ...     _ = open(path, "w").write(text)
    ...     series = load_m4(path)
    >>> {key: values.tolist() for key, values in series.items()}
    {'H1': [1.0, 2.0, 3.0], 'H2': [5.0, 6.0]}
    """
    rows = csv.reader(io.StringIO(_read_text(path, encoding)))
    if next(rows, None) is None:
        raise ValueError(f"{path}: empty file; expected a header row and one series per row")
    result: dict[str, np.ndarray] = {}
    for lineno, row in enumerate(rows, start=2):
        if not row:
            continue
        key, cells = row[0].strip(), [cell.strip() for cell in row[1:]]
        while cells and cells[-1] in _MISSING:
            cells.pop()
        if not cells:
            raise ValueError(f"{path}, line {lineno}: series {key!r} has no values")
        gaps = [i for i, cell in enumerate(cells) if cell in _MISSING]
        if gaps:
            raise ValueError(
                f"{path}, line {lineno}: series {key!r} has a missing value at position "
                f"{gaps[0] + 1} before its last value; the M4 format pads only at the end"
            )
        try:
            values = np.array(cells, dtype=np.float64)
        except ValueError as exc:
            raise ValueError(f"{path}, line {lineno}: series {key!r}: {exc}") from exc
        if key in result:
            raise ValueError(f"{path}, line {lineno}: series {key!r} appears twice")
        result[key] = values
    if not result:
        raise ValueError(f"{path}: no series after the header row")
    return result
