"""The download cache: where fetched files live, and how they get there safely.

:func:`_download` writes to a temporary file and moves it into place only once the
transfer is complete and its checksum (when pinned) matches; :func:`_extract_members`
copies wanted archive members out with atomic writes. Failures raise
:class:`~sklearn_rnn.exceptions.DownloadError` and leave nothing in the cache.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import tarfile
import urllib.request
import zipfile
from pathlib import Path

from sklearn_rnn._files import atomic_write
from sklearn_rnn.datasets._common import StrPath
from sklearn_rnn.exceptions import DownloadError


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
    digest = hashlib.sha256()
    n_bytes = 0
    expected: str | None = None
    # The bytes are checked inside the block: an error there leaves nothing at dest.
    with atomic_write(dest) as out:
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
    return dest


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
        with atomic_write(members[wanted[base]]) as out:
            out.write(data)
