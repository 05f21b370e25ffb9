"""Private helpers shared by the readers: decoding files, splitting lines, checking ints.

Not public; the readers in :mod:`sklearn_rnn.datasets._text_readers` and
:mod:`sklearn_rnn.datasets._series_readers` import them from here.
"""

from __future__ import annotations

import os
from pathlib import Path

from sklearn_rnn.encoding._validation import _is_integer

StrPath = str | os.PathLike


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
    if not _is_integer(value):
        raise TypeError(f"{name} must be an int, got {value!r} of type {type(value).__name__}")
    return int(value)


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
