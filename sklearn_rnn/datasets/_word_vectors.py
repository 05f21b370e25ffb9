"""Reader of pretrained word vectors in their text formats (GloVe, word2vec, fastText).

It returns the ``(vectors, tokens)`` pair that the estimators' ``embeddings=`` parameter
takes, reading the file line by line so that a ``vocabulary`` keeps only the rows a user's
texts need.
"""

from __future__ import annotations

import codecs
import gzip
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import IO

import numpy as np
from numpy.typing import DTypeLike

from sklearn_rnn.datasets._common import StrPath, _check_int

_GZIP_MAGIC = b"\x1f\x8b"
_ZIP_MAGIC = b"PK\x03\x04"


def load_word_vectors(
    path: StrPath,
    *,
    vocabulary: Iterable[str] | None = None,
    max_words: int | None = None,
    encoding: str = "utf-8",
    dtype: DTypeLike = np.float32,
) -> tuple[np.ndarray, list[str]]:
    """Load pretrained word vectors from a GloVe, word2vec (text) or fastText ``.vec`` file.

    Each line is a word and its values, separated by single spaces (``the 0.418 0.24968
    ...``). word2vec's text format and fastText's ``.vec`` files start with a header line,
    ``n_words dim``; GloVe files have none. A first line of exactly two integers is read as
    that header. Files compressed with gzip (``.gz``) or zipped alone in a ``.zip`` are
    read as they are; the format and the compression are detected from the content.

    Parameters
    ----------
    path : str or path-like
        The vectors file, for example ``glove.6B.100d.txt``, ``wiki.en.vec`` or
        ``cc.en.300.vec.gz``.
    vocabulary : iterable of str or None, default=None
        Keep only the vectors of these tokens and of their lowercase forms (the estimators
        look a token up as written, then lowercased), so that a file of two million words
        costs only the memory of the words a corpus uses. None keeps every word.
    max_words : int or None, default=None
        Read only the first ``max_words`` vectors of the file. These files list the most
        frequent words first, so this keeps the commonest words. With ``vocabulary``, the
        vocabulary's words among those rows are kept.
    encoding : str, default="utf-8"
        The file's text encoding.
    dtype : data-type, default=np.float32
        The float type of ``vectors``.

    Returns
    -------
    vectors : ndarray of shape (n_words, dim)
        One row per word, in file order. ``n_words`` is 0 when no word of ``vocabulary``
        is in the file.
    tokens : list of str
        The words, ``tokens[i]`` for ``vectors[i]``. A word listed twice keeps its first
        (most frequent) vector.

    Raises
    ------
    ValueError
        If the file is empty, a line has a different number of values than the first one
        (or than the header says), a value is not a number, or a parameter is invalid.
    TypeError
        If ``vocabulary`` is not an iterable of str (a single str included) or
        ``max_words`` is not an int.

    Notes
    -----
    A few words of GloVe's 840B file contain spaces (``. . .``); a line's last ``dim``
    fields are its vector and the fields before them, joined by spaces, its word. The
    word count of a header is not checked, so a file cut short with ``head`` still reads.
    The rows a ``vocabulary`` leaves out are counted but not converted to numbers.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from sklearn_rnn import RNNClassifier
    >>> from sklearn_rnn.datasets import load_word_vectors
    >>> path = Path(tempfile.mkdtemp()) / "vectors.txt"
    >>> _ = path.write_text("the 0.1 0.2 0.3\\ngood 0.5 0.4 -0.1\\nbad -0.5 -0.4 0.2\\n")
    >>> vectors, tokens = load_word_vectors(path, vocabulary=["Good", "bad", "film"])
    >>> tokens
    ['good', 'bad']
    >>> vectors.shape, vectors.dtype
    ((2, 3), dtype('float32'))
    >>> clf = RNNClassifier(embeddings=(vectors, tokens), embedding_dim=3, max_epochs=1)
    >>> clf.fit(["a good film", "a bad film"], [1, 0]).n_pretrained_tokens_
    2
    """
    wanted = _wanted_tokens(vocabulary)
    if max_words is not None and _check_int(max_words, "max_words") < 1:
        raise ValueError(f"max_words must be a positive int or None, got {max_words}")
    try:
        codecs.lookup(encoding)
    except (LookupError, TypeError) as exc:
        raise ValueError(f"encoding={encoding!r} is not a known text encoding") from exc
    try:
        dtype = np.dtype(dtype)
    except TypeError as exc:
        raise ValueError(f"dtype={dtype!r} is not a numpy data type") from exc
    if dtype.kind != "f":
        raise ValueError(f"dtype must be a float type such as np.float32, got {dtype}")

    try:
        with _open_binary(path) as file:
            dim, tokens, vectors = _read_rows(file, path, wanted, max_words, encoding, dtype)
    except (EOFError, gzip.BadGzipFile, zipfile.BadZipFile) as exc:
        raise ValueError(
            f"{path}: the compressed file is damaged or incomplete ({exc}); download it again"
        ) from exc
    if not vectors:
        return np.empty((0, dim), dtype=dtype), tokens
    return np.stack(vectors), tokens


def _wanted_tokens(vocabulary: Iterable[str] | None) -> set[str] | None:
    """The words to keep: the tokens and their lowercase forms (None: every word)."""
    if vocabulary is None:
        return None
    if isinstance(vocabulary, str):
        raise TypeError(
            "vocabulary must be an iterable of tokens, not one str; pass for example "
            "{token for text in texts for token in word_tokenize(text)}"
        )
    try:
        tokens = list(vocabulary)
    except TypeError:
        raise TypeError(
            f"vocabulary must be an iterable of str tokens or None, got {type(vocabulary).__name__}"
        ) from None
    for token in tokens:
        if not isinstance(token, str):
            raise TypeError(
                f"vocabulary must hold str tokens, got {token!r} of type {type(token).__name__}"
            )
    return set(tokens) | {token.lower() for token in tokens}


@contextmanager
def _open_binary(path: StrPath) -> Iterator[IO[bytes]]:
    """The file's bytes, decompressed when it is gzip or a zip archive of one file."""
    with open(path, "rb") as file:
        magic = file.read(4)
    if magic.startswith(_GZIP_MAGIC):
        with gzip.open(path, "rb") as file:
            yield file
    elif magic == _ZIP_MAGIC:
        with zipfile.ZipFile(path) as archive:
            members = [name for name in archive.namelist() if not name.endswith("/")]
            if len(members) != 1:
                raise ValueError(
                    f"{path}: the archive holds {len(members)} files "
                    f"({', '.join(members[:5])}); extract the one you want and pass its path"
                )
            with archive.open(members[0]) as file:
                yield file
    else:
        with open(path, "rb") as file:
            yield file


def _read_rows(
    file: IO[bytes],
    path: StrPath,
    wanted: set[str] | None,
    max_words: int | None,
    encoding: str,
    dtype: np.dtype,
) -> tuple[int, list[str], list[np.ndarray]]:
    """``(dim, tokens, vectors)`` of the rows to keep."""
    # A quick look at a line's first field skips most unwanted rows without converting
    # their numbers; a wanted word with spaces starts with its own first field.
    first_fields = None if wanted is None else {token.split(" ")[0] for token in wanted}
    dim = None
    n_rows = 0
    tokens: list[str] = []
    vectors: list[np.ndarray] = []
    seen: set[str] = set()
    # Lines are split on b"\n" and fields on single spaces only: some words hold other
    # whitespace (U+00A0, U+2009), which must stay part of the word.
    for number, raw in enumerate(file, start=1):
        try:
            line = raw.decode(encoding).rstrip()
        except UnicodeDecodeError as exc:
            raise ValueError(
                f"{path}, line {number}: cannot decode the bytes as {encoding!r} "
                f"({exc.reason}); pass the file's encoding as encoding=..."
            ) from exc
        if not line:
            continue
        if dim is None:
            dim, is_header = _first_line_dim(line, path, number)
            dim_line = number
            if is_header:
                continue
        if max_words is not None and n_rows == max_words:
            break
        n_rows += 1
        n_spaces = line.count(" ")
        if n_spaces < dim:
            raise _dimension_error(path, number, n_spaces, dim, dim_line, is_header)
        if first_fields is not None and line[: line.find(" ")] not in first_fields:
            continue
        fields = line.rsplit(" ", dim)
        word = fields[0]
        if n_spaces > dim and _all_numbers(word.split(" ")[1:]):
            # More numbers than the other rows, not a word with spaces.
            n_values = len(line.split(" ")) - 1
            raise _dimension_error(path, number, n_values, dim, dim_line, is_header)
        if (wanted is not None and word not in wanted) or word in seen:
            continue
        try:
            vector = np.array(fields[1:], dtype=dtype)
        except ValueError as exc:
            raise ValueError(
                f"{path}, line {number}: expected a word and {dim} numbers ({exc})"
            ) from exc
        seen.add(word)
        tokens.append(word)
        vectors.append(vector)
    if dim is None:
        raise ValueError(f"{path}: the file is empty; expected one word and its vector per line")
    if n_rows == 0:
        raise ValueError(f"{path}: the file has a header line but no vectors")
    return dim, tokens, vectors


def _first_line_dim(line: str, path: StrPath, number: int) -> tuple[int, bool]:
    """The vector dimension the first line sets, and whether that line is a header."""
    fields = line.split(" ")
    if len(fields) == 2 and all(field.isascii() and field.isdigit() for field in fields):
        dim = int(fields[1])
        if dim < 1:
            raise ValueError(f"{path}, line {number}: the header gives dimension {dim}")
        return dim, True
    # The trailing numbers are the vector; the first field is a word even when it is a
    # number ("1", "nan"), and a word with spaces has a non-number field.
    dim = 0
    for field in reversed(fields[1:]):
        if not _all_numbers([field]):
            break
        dim += 1
    if dim == 0:
        raise ValueError(
            f"{path}, line {number}: expected a word and its vector ('word 0.1 0.2 ...') or "
            f"a header 'n_words dim', got {line[:60]!r}"
        )
    return dim, False


def _all_numbers(fields: list[str]) -> bool:
    try:
        for field in fields:
            float(field)
    except ValueError:
        return False
    return True


def _dimension_error(
    path: StrPath, number: int, n_values: int, dim: int, dim_line: int, header: bool
) -> ValueError:
    source = f"as the header on line {dim_line} says" if header else f"as on line {dim_line}"
    return ValueError(
        f"{path}, line {number}: expected a word and {dim} values, {source}; got {n_values}"
    )
