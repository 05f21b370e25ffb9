"""Save and load fitted estimators without pickle.

A model file is a zip archive with exactly two members:

``config.json``
    Everything that is not a weight, as JSON: the file format name and version, the
    library and torch versions that wrote it, the estimator class name, its constructor
    parameters, its fitted attributes (every attribute ending in ``_`` that ``fit`` set:
    encoder with its vocabulary or scaling statistics, label encoder classes, target
    scaling, ...), the training history, the names of the weight tensors of each module
    and the SHA-256 of ``model.safetensors``.
``model.safetensors``
    The tensors: the ``state_dict`` of each network (``module_/<key>``, ``criterion_/<key>``)
    and every numeric array among the parameters and fitted attributes (``arrays/<n>``,
    referenced from ``config.json``), stored bit-exactly.

Loading reads JSON and safetensors only, so a file from an untrusted source cannot run
code; the estimator class, encoder classes and optimizer classes are looked up in fixed
tables, never imported by name. What cannot be stored this way (a custom ``module``
class, a callable ``tokenizer``, ``callbacks``, an optimizer outside ``torch.optim``)
makes :func:`save` raise a ``ValueError``; use pickle/joblib for such models, and load
those only from sources you trust.

A file that :func:`load` cannot accept (not a model file, e.g. a pickle; truncated or
corrupted; written by a newer format version; weights that do not fit the architecture
its parameters describe) raises :class:`ModelFileError`, a ``ValueError``.

Not stored: the optimizer state (``fit`` with ``warm_start=True`` on a loaded model
continues from its weights with a fresh optimizer), and the training history when it
holds something other than plain data (``save`` warns and drops it). Pretrained
``embeddings`` are stored as a ``(vectors, tokens)`` pair restricted to the fitted
vocabulary, so a refit of a loaded model on new text has no pretrained vectors for
words outside that vocabulary. Suggested file suffix: ``.sklearn_rnn``.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import math
import os
import re
import uuid
import warnings
import zipfile
import zlib
from collections.abc import Callable
from typing import Any

import numpy as np
import safetensors.torch
import torch
from sklearn.preprocessing import LabelEncoder
from sklearn.utils.validation import check_is_fitted
from skorch.history import History

from sklearn_rnn._version import __version__
from sklearn_rnn.encoding import SequenceEncoder, Vocabulary, _embedding_lookup
from sklearn_rnn.exceptions import ModelFileError

__all__ = ["FORMAT_VERSION", "ModelFileError", "load", "read_config", "save"]

FORMAT_NAME = "sklearn_rnn"
FORMAT_VERSION = 1
CONFIG_NAME = "config.json"
WEIGHTS_NAME = "model.safetensors"

# Bounds on the declared (uncompressed) member sizes, so a crafted archive cannot make
# ``load`` allocate without limit.
_MAX_CONFIG_BYTES = 1 << 30
_MAX_WEIGHTS_BYTES = 1 << 36

# Attributes that skorch's ``initialize()`` rebuilds; never stored.
_RUNTIME_ATTRIBUTES = frozenset(
    {
        "initialized_",
        "init_context_",
        "virtual_params_",
        "callbacks_",
        "prefixes_",
        "cuda_dependent_attributes_",
        "history_",
    }
)

# Objects a fitted attribute may hold, restored by setting their ``__dict__``.
_OBJECT_CLASSES: dict[str, type] = {
    "SequenceEncoder": SequenceEncoder,
    "LabelEncoder": LabelEncoder,
}

_TAGS = frozenset(
    {
        "__float__",
        "__tuple__",
        "__dict__",
        "__scalar__",
        "__ndarray__",
        "__tensor__",
        "__optimizer__",
        "__object__",
        "__vocabulary__",
    }
)
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_TRUSTED_ONLY = (
    "Save such a model with pickle or joblib instead, and load it only from sources you "
    "trust: unpickling can run arbitrary code."
)


def _estimator_classes() -> dict[str, type]:
    """The estimators a file may name (imported here: the estimator modules import us)."""
    from sklearn_rnn.classifier import RNNClassifier
    from sklearn_rnn.regressor import RNNRegressor

    classes = {"RNNClassifier": RNNClassifier, "RNNRegressor": RNNRegressor}
    try:
        from sklearn_rnn.tagger import RNNTagger
    except ImportError:  # pragma: no cover - the tagger is optional while being written
        pass
    else:
        classes["RNNTagger"] = RNNTagger
    return classes


# -- saving ---------------------------------------------------------------------------


def save(estimator, path: str | os.PathLike) -> None:
    """Save a fitted estimator to ``path`` as weights (safetensors) plus JSON, no pickle.

    The file is a zip archive holding ``config.json`` (parameters, fitted encoders,
    classes, scaling statistics, history, versions) and ``model.safetensors`` (the
    weights); see :mod:`sklearn_rnn.persistence`. It is written to a temporary file
    first and moved into place, so an interrupted save never leaves half a file.

    Parameters
    ----------
    estimator : RNNClassifier, RNNRegressor or RNNTagger
        A fitted estimator.
    path : str or os.PathLike
        Where to write; an existing file is replaced. ``.sklearn_rnn`` is a good suffix.

    Raises
    ------
    sklearn.exceptions.NotFittedError
        If ``estimator`` is not fitted.
    ValueError
        If it holds something that cannot be stored without pickle: a custom
        ``module``, a callable ``tokenizer``, ``callbacks``, an optimizer that is not
        a ``torch.optim`` class, or another non-data parameter or attribute.

    Examples
    --------
    >>> import os, tempfile
    >>> from sklearn_rnn import RNNClassifier
    >>> from sklearn_rnn.persistence import load, save
    >>> texts, labels = ["good film", "bad film", "good", "bad"] * 4, [1, 0, 1, 0] * 4
    >>> clf = RNNClassifier(hidden_size=8, embedding_dim=8, max_epochs=2, random_state=0)
    >>> clf = clf.fit(texts, labels)
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = os.path.join(tmp, "model.sklearn_rnn")
    ...     save(clf, path)
    ...     loaded = load(path)
    >>> bool((loaded.predict_proba(texts) == clf.predict_proba(texts)).all())
    True
    >>> loaded.classes_
    array([0, 1])
    """

    name = _class_name(estimator)
    check_is_fitted(estimator)
    arrays: dict[str, torch.Tensor] = {}
    params = _encode_params(estimator, arrays)
    fitted = {}
    for attr, value in _fitted_attributes(estimator).items():
        fitted[attr] = _encode(value, arrays, f"fitted attribute {attr!r}")
    history = _encode_history(estimator, arrays)

    state_dicts = {}
    for attr, component in _torch_components(estimator).items():
        keys = []
        for key, tensor in component.state_dict().items():
            arrays[f"{attr}/{key}"] = tensor
            keys.append(key)
        state_dicts[attr] = keys
    # Separate, contiguous CPU copies: safetensors refuses tensors that share memory.
    arrays = {k: t.detach().to("cpu", copy=True).contiguous() for k, t in arrays.items()}
    weights = safetensors.torch.save(
        arrays, metadata={"format": "pt", "sklearn_rnn_format_version": str(FORMAT_VERSION)}
    )

    config = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "library_version": __version__,
        "torch_version": torch.__version__,
        "estimator": name,
        "params": params,
        "fitted": fitted,
        "history": history,
        "state_dicts": state_dicts,
        "weights_sha256": hashlib.sha256(weights).hexdigest(),
    }
    config_bytes = json.dumps(config, allow_nan=False, ensure_ascii=False).encode("utf-8")
    _write_archive(os.fspath(path), config_bytes, weights)


def _class_name(estimator) -> str:
    for name, cls in _estimator_classes().items():
        if type(estimator) is cls:
            return name
    raise ValueError(
        f"save() stores {', '.join(_estimator_classes())} only; got "
        f"{type(estimator).__name__}. {_TRUSTED_ONLY}"
    )


def _encode_params(estimator, arrays: dict) -> dict:
    params = estimator.get_params(deep=False)
    if params.get("module") is not None:
        raise ValueError(
            f"Cannot save a model with a custom module ({_describe(params['module'])}): its "
            f"code cannot be stored as data. {_TRUSTED_ONLY}"
        )
    if callable(params.get("tokenizer")):
        raise ValueError(
            f"Cannot save a model with a callable tokenizer ({_describe(params['tokenizer'])}): "
            f"its code cannot be stored as data; use tokenizer='word', 'char' or "
            f"'whitespace', or pass token lists. {_TRUSTED_ONLY}"
        )
    if params.get("callbacks") not in (None, [], ()):
        raise ValueError(
            "Cannot save a model with callbacks: callback objects cannot be stored as data "
            f"(set callbacks=None before saving if they are not needed). {_TRUSTED_ONLY}"
        )
    if params.get("embeddings") is not None:
        params["embeddings"] = _restricted_embeddings(estimator)
    if isinstance(params.get("device"), torch.device):
        params["device"] = str(params["device"])
    return {name: _encode(value, arrays, f"parameter {name!r}") for name, value in params.items()}


def _describe(obj) -> str:
    return getattr(obj, "__qualname__", None) or type(obj).__name__


def _restricted_embeddings(estimator) -> tuple[np.ndarray, list[str]]:
    """The pretrained vectors of the fitted vocabulary's tokens, as a ``(vectors, tokens)`` pair.

    Looked up as ``pretrained_embedding_matrix`` does (the token, then lowercased), so
    rebuilding the model from the pair gives the same embedding initialization.
    """
    lookup = _embedding_lookup(estimator.embeddings)
    tokens, vectors = [], []
    vocabulary = getattr(estimator.encoder_, "vocabulary_", None)
    for token in vocabulary.tokens[2:] if vocabulary is not None else []:
        vector = lookup(token)
        if vector is None and token.lower() != token:
            vector = lookup(token.lower())
        if vector is not None:
            tokens.append(token)
            vectors.append(np.asarray(vector, dtype=np.float32))
    matrix = np.stack(vectors) if vectors else np.zeros((0, estimator.embedding_dim), np.float32)
    return matrix, tokens


def _fitted_attributes(estimator) -> dict[str, Any]:
    """What ``fit`` set: attributes ending in ``_`` except the torch parts and skorch's own."""
    components = _torch_components(estimator)
    return {
        name: value
        for name, value in vars(estimator).items()
        if name.endswith("_")
        and not name.startswith("__")
        and name not in _RUNTIME_ATTRIBUTES
        and name not in components
        and not isinstance(value, (torch.nn.Module, torch.optim.Optimizer))
    }


def _torch_components(estimator) -> dict[str, torch.nn.Module]:
    """The estimator's modules and criteria whose ``state_dict`` is the model's weights."""
    names = [*estimator._modules, *estimator._criteria]
    return {
        f"{name}_": getattr(estimator, f"{name}_")
        for name in names
        if isinstance(getattr(estimator, f"{name}_", None), torch.nn.Module)
    }


def _encode_history(estimator, arrays: dict) -> list | None:
    history = estimator.history_
    if history is None:
        return None
    scratch = dict(arrays)  # kept only if the whole history can be stored
    try:
        encoded = _encode(list(history), scratch, "history")
    except ValueError as exc:
        warnings.warn(f"The training history was not saved: {exc}", UserWarning, stacklevel=3)
        return None
    arrays.update(scratch)
    return encoded


def _encode(value, arrays: dict, where: str):
    """``value`` as JSON data; numeric arrays and tensors go to ``arrays`` by reference."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int) and not isinstance(value, np.integer):
        return int(value)
    if isinstance(value, float) and not isinstance(value, np.floating):
        if math.isfinite(value):
            return float(value)
        return {"__float__": "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")}
    if isinstance(value, np.generic) and value.dtype.kind in "biuf":
        return {"__scalar__": {"dtype": value.dtype.str, "value": _encode(value.item(), {}, where)}}
    if isinstance(value, list):
        return [_encode(item, arrays, where) for item in value]
    if isinstance(value, tuple):
        return {"__tuple__": [_encode(item, arrays, where) for item in value]}
    if isinstance(value, dict):
        keys_plain = all(isinstance(k, str) for k in value) and not (
            len(value) == 1 and next(iter(value)) in _TAGS
        )
        if keys_plain:
            return {k: _encode(item, arrays, where) for k, item in value.items()}
        return {
            "__dict__": [
                [_encode(k, arrays, where), _encode(v, arrays, where)] for k, v in value.items()
            ]
        }
    if isinstance(value, torch.Tensor):
        return {"__tensor__": _store(value, arrays, where, "torch")}
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "biuf":
            return {"__tensor__": _store(torch.from_numpy(_native(value)), arrays, where, "numpy")}
        if value.dtype.kind in "USO":
            return {"__ndarray__": _encode_text_array(value, where)}
    if isinstance(value, type) and issubclass(value, torch.optim.Optimizer):
        if getattr(torch.optim, value.__name__, None) is value:
            return {"__optimizer__": value.__name__}
        raise ValueError(
            f"Cannot save {where}: the optimizer {value.__module__}.{value.__qualname__} is "
            f"not a torch.optim class, and only those can be restored without running code "
            f"from the file. {_TRUSTED_ONLY}"
        )
    if isinstance(value, Vocabulary):
        return {"__vocabulary__": value.tokens[2:]}
    for name, cls in _OBJECT_CLASSES.items():
        if type(value) is cls:
            state = {k: _encode(v, arrays, f"{where}.{k}") for k, v in vars(value).items()}
            return {"__object__": {"class": name, "state": state}}
    raise ValueError(
        f"Cannot save {where}: a {type(value).__module__}.{type(value).__qualname__} is not "
        f"plain data (numbers, strings, lists, dicts, arrays) and cannot be stored without "
        f"pickle. {_TRUSTED_ONLY}"
    )


def _native(array: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(array.astype(array.dtype.newbyteorder("="), copy=False))


def _store(tensor: torch.Tensor, arrays: dict, where: str, kind: str) -> dict:
    if tensor.is_sparse or tensor.is_complex():
        raise ValueError(f"Cannot save {where}: sparse and complex tensors are not supported.")
    key = f"arrays/{len(arrays)}"
    while key in arrays:
        key += "_"
    arrays[key] = tensor
    return {"key": key, "type": kind}


def _encode_text_array(array: np.ndarray, where: str) -> dict:
    flat = array.reshape(-1).tolist()
    if array.dtype.kind == "S":
        data = [item.decode("latin-1") for item in flat]
    elif array.dtype.kind == "U":
        data = flat
    else:  # object: plain Python scalars only
        data = [
            _encode(item.item() if isinstance(item, np.generic) else item, {}, where)
            for item in flat
        ]
        if any(isinstance(item, (dict, list)) for item in data):
            raise ValueError(
                f"Cannot save {where}: an object array may hold only strings, numbers, "
                f"booleans and None. {_TRUSTED_ONLY}"
            )
    return {"dtype": array.dtype.str, "shape": list(array.shape), "data": data}


def _write_archive(path: str, config: bytes, weights: bytes) -> None:
    # A new file beside the target (normal permissions, same file system), then renamed.
    tmp = f"{path}.{uuid.uuid4().hex[:12]}.tmp"
    try:
        with open(tmp, "xb") as handle, zipfile.ZipFile(handle, "w") as archive:
            # A fixed timestamp: the same model gives the same bytes.
            info = zipfile.ZipInfo(CONFIG_NAME, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, config)
            info = zipfile.ZipInfo(WEIGHTS_NAME, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED
            archive.writestr(info, weights)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


# -- loading --------------------------------------------------------------------------


def load(path: str | os.PathLike, *, device: str | None = None):
    """Load an estimator saved by :func:`save`, fitted and ready to predict.

    Only JSON and safetensors are read, so loading a file from an untrusted source
    cannot run code. The estimator is rebuilt from its saved parameters and fitted
    attributes, its network built by skorch's ``initialize()`` and the weights loaded
    with ``strict=True``; predictions are bit-identical to the saved model's. It can
    be scored, cloned and refitted; ``warm_start=True`` training continues from the
    saved weights with a fresh optimizer (the optimizer state is not saved).

    Parameters
    ----------
    path : str or os.PathLike
        A file written by :func:`save`.
    device : str or None, default=None
        Put the model on this device (e.g. ``"cpu"`` for a model saved on a GPU) instead
        of the saved ``device`` parameter.

    Returns
    -------
    RNNClassifier, RNNRegressor or RNNTagger
        The fitted estimator.

    Raises
    ------
    ModelFileError
        (a ``ValueError``) If the file is not a sklearn_rnn model file (for example a
        pickle), is truncated or corrupted, was written by a newer format version, or its
        weights do not match the architecture its parameters describe.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from sklearn_rnn import RNNRegressor
    >>> from sklearn_rnn.persistence import load, save
    >>> X = np.random.RandomState(0).rand(16, 4, 2).astype("float32")
    >>> reg = RNNRegressor(hidden_size=8, max_epochs=2, random_state=0).fit(X, X.sum((1, 2)))
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     save(reg, os.path.join(tmp, "reg.sklearn_rnn"))
    ...     loaded = load(os.path.join(tmp, "reg.sklearn_rnn"))
    >>> bool((loaded.predict(X) == reg.predict(X)).all())
    True
    """
    path = os.fspath(path)
    config_bytes, weights = _read_archive(path)
    config = _parse_config(config_bytes, path)
    if hashlib.sha256(weights).hexdigest() != config.get("weights_sha256"):
        raise _corrupted(path, "the weights do not match their recorded checksum")
    try:
        tensors = safetensors.torch.load(weights)
    except Exception as exc:  # safetensors raises its own error types
        raise _corrupted(path, f"unreadable weights ({exc})") from exc

    classes = _estimator_classes()
    name = config.get("estimator")
    if name not in classes:
        raise _corrupted(path, f"unknown estimator {name!r}; expected one of {list(classes)}")
    cls = classes[name]
    used: set[str] = set()
    decode = _Decoder(tensors, used, path)
    params = decode.mapping(config.get("params"), "params")
    _check_param_names(cls, params, config, path)
    fitted = decode.mapping(config.get("fitted"), "fitted")
    _check_fitted_names(cls, fitted, path)
    history = decode(config.get("history"), "history")
    if device is not None:
        params["device"] = device
    if str(params.get("device")).startswith("cuda") and not torch.cuda.is_available():
        raise ValueError(
            f"{path!r} holds a model saved with device={params['device']!r}, but CUDA is not "
            "available here; load it with load(path, device='cpu')."
        )

    try:
        estimator = cls._from_saved(params, fitted)
    except Exception as exc:
        raise ModelFileError(
            f"Cannot rebuild the model saved in {path!r} from its parameters and fitted "
            f"attributes (file corrupted, or saved by an incompatible version "
            f"{config.get('library_version')!r}): {exc}"
        ) from exc
    if isinstance(history, list):
        estimator.history_ = History(history)

    _load_state_dicts(estimator, config.get("state_dicts"), tensors, used, path)
    unused = set(tensors) - used
    if unused:
        raise _corrupted(path, f"unexpected tensors {sorted(unused)[:5]}")
    return estimator


def _corrupted(path: str, detail: str) -> ModelFileError:
    return ModelFileError(f"The sklearn_rnn model file {path!r} is corrupted: {detail}.")


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
        config = json.loads(data.decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise _corrupted(path, f"{CONFIG_NAME} is not valid JSON ({exc})") from exc
    if not isinstance(config, dict) or config.get("format") != FORMAT_NAME:
        raise ModelFileError(
            f"{path!r} is not a sklearn_rnn model file: {CONFIG_NAME} does not name the "
            f"{FORMAT_NAME!r} format."
        )
    version = config.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise _corrupted(path, f"invalid format version {version!r}")
    if version > FORMAT_VERSION:
        raise ModelFileError(
            f"{path!r} was saved by format version {version} (sklearn_rnn "
            f"{config.get('library_version')!r}); this library (sklearn_rnn "
            f"{_library_version()}) reads format version {FORMAT_VERSION} and older. "
            "Upgrade sklearn_rnn to load it."
        )
    return config


def _reject_constant(name: str):
    raise ModelFileError(f"non-standard JSON constant {name}")


def _library_version() -> str:
    return __version__


def _check_param_names(cls: type, params: dict, config: dict, path: str) -> None:
    signature = inspect.signature(cls.__init__).parameters
    known = {n for n, p in signature.items() if n != "self" and p.kind != p.VAR_KEYWORD}
    for name in params:
        if not _NAME.match(name) or name.startswith("_") or name.endswith("_"):
            raise _corrupted(path, f"invalid parameter name {name!r}")
        if name not in known and "__" not in name:
            raise ModelFileError(
                f"{path!r} sets parameter {name!r}, which {cls.__name__} of this sklearn_rnn "
                f"({_library_version()}) does not have; it was saved by version "
                f"{config.get('library_version')!r}."
            )
    for name in ("module", "callbacks"):
        if params.get(name) not in (None, [], ()):
            raise _corrupted(path, f"parameter {name!r} must be empty in a model file")


def _check_fitted_names(cls: type, fitted: dict, path: str) -> None:
    for name in fitted:
        descriptor = getattr(cls, name, None)
        if (
            not _NAME.match(name)
            or not name.endswith("_")
            or name.startswith("__")
            or name in _RUNTIME_ATTRIBUTES
            or callable(descriptor)
            or isinstance(descriptor, property)
        ):
            raise _corrupted(path, f"invalid fitted attribute name {name!r}")


def _load_state_dicts(estimator, state_dicts, tensors: dict, used: set, path: str) -> None:
    components = _torch_components(estimator)
    if not isinstance(state_dicts, dict) or set(state_dicts) != set(components):
        raise ModelFileError(
            f"The weights in {path!r} do not match the architecture: the file holds weights "
            f"for {sorted(state_dicts) if isinstance(state_dicts, dict) else state_dicts!r}, "
            f"the model built from its parameters has {sorted(components)}."
        )
    for attr, keys in state_dicts.items():
        if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
            raise _corrupted(path, f"invalid weight names for {attr!r}")
        missing = [k for k in keys if f"{attr}/{k}" not in tensors]
        if missing:
            raise _corrupted(path, f"missing tensors {missing[:5]} of {attr!r}")
        state = {k: tensors[f"{attr}/{k}"] for k in keys}
        used.update(f"{attr}/{k}" for k in keys)
        try:
            components[attr].load_state_dict(state, strict=True)
        except RuntimeError as exc:
            raise ModelFileError(
                f"The weights in {path!r} do not match the architecture built from its "
                f"saved parameters ({type(components[attr]).__name__} {attr}): {exc}"
            ) from exc


class _Decoder:
    """The inverse of :func:`_encode`: JSON data (+ tensors by reference) to Python values.

    Builds only plain data, numpy arrays, tensors, ``torch.optim`` classes and the
    classes of ``_OBJECT_CLASSES``; anything malformed is a ``ValueError``.
    """

    def __init__(self, tensors: dict[str, torch.Tensor], used: set, path: str):
        self.tensors = tensors
        self.used = used
        self.path = path

    def mapping(self, data, where: str) -> dict:
        """A JSON object of named entries, each decoded (``where`` becomes ``where.name``)."""
        if not isinstance(data, dict) or len(data) == 1 and next(iter(data), None) in _TAGS:
            raise _corrupted(self.path, f"{where!r} is not a mapping of names")
        return {name: self(value, f"{where}.{name}") for name, value in data.items()}

    def __call__(self, data, where: str):
        try:
            return self._decode(data, where)
        except ModelFileError:
            raise
        except (
            ValueError,
            TypeError,
            KeyError,
            IndexError,
            AttributeError,
            OverflowError,
            RecursionError,
        ) as exc:
            raise _corrupted(self.path, f"malformed {where} ({type(exc).__name__}: {exc})") from exc

    def _decode(self, data, where: str):
        if data is None or isinstance(data, (bool, int, float, str)):
            return data
        if isinstance(data, list):
            return [self._decode(item, where) for item in data]
        if not isinstance(data, dict):
            raise _corrupted(self.path, f"unexpected value in {where}")
        if len(data) == 1 and next(iter(data)) in _TAGS:
            tag, payload = next(iter(data.items()))
            return self._tagged(tag, payload, where)
        return {key: self._decode(item, where) for key, item in data.items()}

    def _tagged(self, tag: str, payload, where: str):
        handlers: dict[str, Callable[[Any, str], Any]] = {
            "__float__": self._float,
            "__tuple__": lambda p, w: tuple(self._decode(item, w) for item in _as_list(p)),
            "__dict__": lambda p, w: {
                _hashable(self._decode(k, w)): self._decode(v, w) for k, v in _as_list(p)
            },
            "__scalar__": self._scalar,
            "__ndarray__": self._text_array,
            "__tensor__": self._tensor,
            "__optimizer__": self._optimizer,
            "__object__": self._object,
            "__vocabulary__": lambda p, w: Vocabulary([_str(t) for t in _as_list(p)]),
        }
        return handlers[tag](payload, where)

    def _float(self, payload, where: str) -> float:
        if payload not in ("nan", "inf", "-inf"):
            raise _corrupted(self.path, f"invalid float in {where}")
        return float(payload)

    def _scalar(self, payload, where: str):
        dtype = _dtype(payload["dtype"], "biuf", self.path)
        return dtype.type(self._decode(payload["value"], where))

    def _text_array(self, payload, where: str) -> np.ndarray:
        dtype = _dtype(payload["dtype"], "USO", self.path)
        shape = tuple(int(n) for n in _as_list(payload["shape"]))
        data = _as_list(payload["data"])
        if dtype.kind == "S":
            data = [_str(item).encode("latin-1") for item in data]
        elif dtype.kind == "U":
            data = [_str(item) for item in data]
        else:
            data = [self._decode(item, where) for item in data]
            if any(isinstance(item, (dict, list, tuple)) for item in data):
                raise _corrupted(self.path, f"invalid object array in {where}")
        array = np.empty(len(data), dtype=dtype)
        array[:] = data
        return array.reshape(shape)

    def _tensor(self, payload, where: str):
        key, kind = payload["key"], payload["type"]
        if not isinstance(key, str) or not key.startswith("arrays/") or key not in self.tensors:
            raise _corrupted(self.path, f"{where} refers to a missing tensor {key!r}")
        self.used.add(key)
        tensor = self.tensors[key]
        if kind == "torch":
            return tensor.clone()
        if kind == "numpy":
            return tensor.numpy().copy()
        raise _corrupted(self.path, f"invalid tensor type {kind!r} in {where}")

    def _optimizer(self, payload, where: str) -> type:
        if where != "params.optimizer":  # the one place a class may appear
            raise _corrupted(self.path, f"an optimizer class in {where}")
        optimizer = getattr(torch.optim, payload, None) if _NAME.match(_str(payload)) else None
        if not (isinstance(optimizer, type) and issubclass(optimizer, torch.optim.Optimizer)):
            raise ModelFileError(
                f"{self.path!r} names the optimizer {payload!r}, which is not a torch.optim "
                f"optimizer of this torch ({torch.__version__})."
            )
        return optimizer

    def _object(self, payload, where: str):
        cls = _OBJECT_CLASSES.get(payload["class"])
        if cls is None:
            raise _corrupted(self.path, f"unknown object class {payload['class']!r} in {where}")
        state = self._decode(payload["state"], where)
        if not isinstance(state, dict) or not all(
            isinstance(k, str) and _NAME.match(k) and not k.startswith("__") for k in state
        ):
            raise _corrupted(self.path, f"invalid {payload['class']} state in {where}")
        obj = cls.__new__(cls)
        obj.__dict__.update(state)
        return obj


def _as_list(value) -> list:
    if not isinstance(value, list):
        raise TypeError(f"expected a list, got {type(value).__name__}")
    return value


def _str(value) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {type(value).__name__}")
    return value


def _hashable(value):
    hash(value)  # TypeError (-> corrupted) for lists and dicts
    return value


def _dtype(name, kinds: str, path: str) -> np.dtype:
    try:
        dtype = np.dtype(_str(name))
    except TypeError as exc:
        raise _corrupted(path, f"invalid dtype {name!r}") from exc
    if dtype.kind not in kinds or dtype.hasobject and dtype.kind != "O":
        raise _corrupted(path, f"unexpected dtype {name!r}")
    return dtype


# The same-package readers of a model file's raw parts, for debugging and tests.
def read_config(path: str | os.PathLike) -> dict:
    """The parsed ``config.json`` of a model file, without building the model.

    Parameters
    ----------
    path : str or os.PathLike
        A file written by :func:`save`.

    Returns
    -------
    dict
        The JSON document (versions, estimator name, encoded parameters, ...).

    Examples
    --------
    >>> import os, tempfile
    >>> from sklearn_rnn import RNNClassifier
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
