"""The model file as a container: a zip archive of ``config.json`` and ``model.safetensors``.

Writes the archive atomically, reads it back with bounds on the member sizes, records
and checks the SHA-256 of the weights and the format name and version. Knows nothing
about estimators: the config is a JSON document and the weights a dict of tensors.
"""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
import zlib

import safetensors.torch
import torch

from sklearn_rnn._files import atomic_write, check_format_header, strict_json_loads
from sklearn_rnn._version import __version__
from sklearn_rnn.exceptions import ModelFileError

FORMAT_NAME = "sklearn_rnn"
FORMAT_VERSION = 1
CONFIG_NAME = "config.json"
WEIGHTS_NAME = "model.safetensors"

# Bounds on the declared (uncompressed) member sizes, so a crafted archive cannot make
# ``load`` allocate without limit.
_MAX_CONFIG_BYTES = 1 << 30
_MAX_WEIGHTS_BYTES = 1 << 36


def _corrupted(path: str, detail: str) -> ModelFileError:
    """The error for a model file at ``path`` that is damaged (``detail`` says how)."""
    return ModelFileError(f"The sklearn_rnn model file {path!r} is corrupted: {detail}.")


def _library_version() -> str:
    """The version of this sklearn_rnn, as error messages name it."""
    return __version__


# -- writing --------------------------------------------------------------------------


def _write_model_file(path: str, body: dict, tensors: dict[str, torch.Tensor]) -> None:
    """Write ``body`` (JSON data) and ``tensors`` to ``path`` as a model file.

    The config is ``body`` between the format header (format name and version, library
    and torch versions) and the SHA-256 of the weights.
    """
    # Separate, contiguous CPU copies: safetensors refuses tensors that share memory.
    tensors = {k: t.detach().to("cpu", copy=True).contiguous() for k, t in tensors.items()}
    weights = safetensors.torch.save(
        tensors, metadata={"format": "pt", "sklearn_rnn_format_version": str(FORMAT_VERSION)}
    )
    config = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "library_version": __version__,
        "torch_version": torch.__version__,
        **body,
        "weights_sha256": hashlib.sha256(weights).hexdigest(),
    }
    config_bytes = json.dumps(config, allow_nan=False, ensure_ascii=False).encode("utf-8")
    _write_archive(path, config_bytes, weights)


def _write_archive(path: str, config: bytes, weights: bytes) -> None:
    with atomic_write(path) as handle, zipfile.ZipFile(handle, "w") as archive:
        # A fixed timestamp: the same model gives the same bytes.
        info = zipfile.ZipInfo(CONFIG_NAME, date_time=(1980, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        archive.writestr(info, config)
        info = zipfile.ZipInfo(WEIGHTS_NAME, date_time=(1980, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_STORED
        archive.writestr(info, weights)


# -- reading --------------------------------------------------------------------------


def _read_model_file(path: str) -> tuple[dict, dict[str, torch.Tensor]]:
    """The checked config and the tensors of the model file at ``path``.

    Raises :class:`ModelFileError` if it is not a model file of a format version this
    library reads, or if it is truncated, corrupted or its weights fail their checksum.
    """
    config_bytes, weights = _read_archive(path)
    config = _parse_config(config_bytes, path)
    if hashlib.sha256(weights).hexdigest() != config.get("weights_sha256"):
        raise _corrupted(path, "the weights do not match their recorded checksum")
    try:
        tensors = safetensors.torch.load(weights)
    except Exception as exc:  # safetensors raises its own error types
        raise _corrupted(path, f"unreadable weights ({exc})") from exc
    return config, tensors


def _read_archive(path: str) -> tuple[bytes, bytes]:
    with open(path, "rb") as handle:  # FileNotFoundError etc. pass through unchanged
        head = handle.read(4)
    if not zipfile.is_zipfile(path):
        if head.startswith(b"PK"):
            raise _corrupted(path, "the archive is truncated or damaged")
        hint = ""
        if head[:1] == b"\x80":
            hint = (
                " It looks like a pickle file: it was not opened. Load pickle/joblib files "
                "only from sources you trust, with pickle or joblib."
            )
        raise ModelFileError(
            f"{path!r} is not a sklearn_rnn model file (expected a zip archive written by "
            f"sklearn_rnn.persistence.save).{hint}"
        )
    try:
        with zipfile.ZipFile(path) as archive:
            infos = {info.filename: info for info in archive.infolist()}
            if set(infos) != {CONFIG_NAME, WEIGHTS_NAME} or len(archive.infolist()) != 2:
                raise ModelFileError(
                    f"{path!r} is not a sklearn_rnn model file: the archive holds "
                    f"{sorted(infos)[:5]}, expected {[CONFIG_NAME, WEIGHTS_NAME]}."
                )
            for name, limit in (
                (CONFIG_NAME, _MAX_CONFIG_BYTES),
                (WEIGHTS_NAME, _MAX_WEIGHTS_BYTES),
            ):
                if infos[name].file_size > limit:
                    raise _corrupted(path, f"{name} declares an implausible size")
            return archive.read(CONFIG_NAME), archive.read(WEIGHTS_NAME)
    except ValueError:
        raise
    except (
        zipfile.BadZipFile,
        zlib.error,
        EOFError,
        OSError,
        NotImplementedError,
        RuntimeError,
    ) as exc:
        raise _corrupted(path, f"the archive cannot be read ({exc})") from exc


def _parse_config(data: bytes, path: str) -> dict:
    try:
        config = strict_json_loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise _corrupted(path, f"{CONFIG_NAME} is not valid JSON ({exc})") from exc
    return check_format_header(
        config,
        FORMAT_NAME,
        FORMAT_VERSION,
        not_ours=lambda: ModelFileError(
            f"{path!r} is not a sklearn_rnn model file: {CONFIG_NAME} does not name the "
            f"{FORMAT_NAME!r} format."
        ),
        corrupted=lambda detail: _corrupted(path, detail),
        too_new=lambda version: ModelFileError(
            f"{path!r} was saved by format version {version} (sklearn_rnn "
            f"{config.get('library_version')!r}); this library (sklearn_rnn "
            f"{_library_version()}) reads format version {FORMAT_VERSION} and older. "
            "Upgrade sklearn_rnn to load it."
        ),
    )


# The same-package readers of a model file's raw parts, for debugging and tests.
def read_config(path: str | os.PathLike) -> dict:
    """The parsed ``config.json`` of a model file, without building the model.

    Parameters
    ----------
    path : str or os.PathLike
        A file written by :func:`~sklearn_rnn.persistence.save`.

    Returns
    -------
    dict
        The JSON document (versions, estimator name, encoded parameters, ...).

    Examples
    --------
    >>> import os, tempfile
    >>> from sklearn_rnn import RNNClassifier
    >>> from sklearn_rnn.persistence import read_config, save
    >>> clf = RNNClassifier(hidden_size=4, max_epochs=1, random_state=0)
    >>> clf = clf.fit(["good", "bad", "good film", "bad film"], [1, 0, 1, 0])
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     save(clf, os.path.join(tmp, "clf.sklearn_rnn"))
    ...     config = read_config(os.path.join(tmp, "clf.sklearn_rnn"))
    >>> config["estimator"], config["format_version"], config["params"]["hidden_size"]
    ('RNNClassifier', 1, 4)
    """
    path = os.fspath(path)
    return _parse_config(_read_archive(path)[0], path)
