"""The value codec of model files: Python values <-> JSON data plus tensors by reference.

:func:`_encode` turns a parameter or fitted attribute into JSON data; a numeric array
or tensor goes into a dict of tensors (stored in ``model.safetensors``) and is
referenced by key. Values JSON cannot hold are written in tagged forms, one-key objects
such as ``{"__tuple__": [...]}``. :class:`_Decoder` is the inverse and builds only plain
data, arrays, tensors, ``torch.optim`` classes and the objects of a fixed class table,
so decoding a file cannot run code.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from sklearn_rnn._base._sequence_encoder import SequenceEncoder
from sklearn_rnn._targets import TARGET_ENCODERS, TargetState
from sklearn_rnn.encoding._vocabulary import Vocabulary
from sklearn_rnn.exceptions import ModelFileError
from sklearn_rnn.language_model._corpus import CorpusEncoder
from sklearn_rnn.persistence._container import _corrupted

# Objects a fitted attribute may hold, restored by setting their ``__dict__``; the
# target encoders store their ``state()`` and are rebuilt (and checked) by ``from_state``.
_OBJECT_CLASSES: dict[str, type] = {
    "SequenceEncoder": SequenceEncoder,
    "CorpusEncoder": CorpusEncoder,
    **TARGET_ENCODERS,
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
            fitted = value.state() if isinstance(value, TargetState) else vars(value)
            state = {k: _encode(v, arrays, f"{where}.{k}") for k, v in fitted.items()}
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
        if issubclass(cls, TargetState):
            return cls.from_state(state)  # its ValueError/TypeError: a corrupted file
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
