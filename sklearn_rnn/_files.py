"""The files the library writes: written whole or not at all, and recognised by a header.

Torch-free (the standard library only), so that :mod:`sklearn_rnn.serving` shares it with
:mod:`sklearn_rnn.persistence` and the dataset cache.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import BinaryIO


@contextmanager
def atomic_write(path: str | os.PathLike) -> Iterator[BinaryIO]:
    """Yield a new binary file that replaces ``path`` when the block ends without error.

    The file is created beside ``path`` (same file system, so the replacement is one
    rename; normal permissions) and removed on any error, so ``path`` never holds a
    partial file.
    """
    path = os.fspath(path)
    directory, name = os.path.split(path)
    tmp = os.path.join(directory, f".{name}.{uuid.uuid4().hex[:12]}.part")
    try:
        with open(tmp, "xb") as handle:
            yield handle
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def _reject_constant(name: str):
    raise ValueError(f"non-standard JSON constant {name}")


def strict_json_loads(text: str | bytes):
    """Parse ``text`` as standard JSON; ``ValueError`` for anything else, ``NaN`` included.

    The model file's ``config.json`` and the served model's metadata are written with
    ``allow_nan=False``: a document holding ``NaN`` or ``Infinity`` was not written by
    this library.

    Examples
    --------
    >>> strict_json_loads('{"lr": 0.01}')
    {'lr': 0.01}
    >>> strict_json_loads('{"lr": NaN}')
    Traceback (most recent call last):
    ...
    ValueError: non-standard JSON constant NaN
    """
    return json.loads(text, parse_constant=_reject_constant)


def check_format_header(
    document: object,
    format_name: str,
    newest_version: int,
    *,
    not_ours: Callable[[], Exception],
    corrupted: Callable[[str], Exception],
    too_new: Callable[[int], Exception],
) -> dict:
    """Check the ``format`` and ``format_version`` entries of a parsed file header.

    Raises ``not_ours()`` when ``document`` does not name ``format_name``,
    ``corrupted(detail)`` for a version that is not a positive int, and
    ``too_new(version)`` for a version newer than ``newest_version``; returns
    ``document`` otherwise.
    """
    if not isinstance(document, dict) or document.get("format") != format_name:
        raise not_ours()
    version = document.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise corrupted(f"invalid format version {version!r}")
    if version > newest_version:
        raise too_new(version)
    return document
