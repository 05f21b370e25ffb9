"""Saving and loading of the estimators: an estimator to a model file's parts and back.

:func:`save` encodes the parameters, fitted attributes and history of an estimator
(with :mod:`~sklearn_rnn.persistence._codec`) and collects the ``state_dict`` of its
networks; :func:`load` looks the estimator class up in a fixed table, rebuilds it with
``_from_saved`` and loads the weights. The archive itself is
:mod:`~sklearn_rnn.persistence._container`'s.
"""

from __future__ import annotations

import inspect
import os
import warnings
from typing import Any

import numpy as np
import torch
from sklearn.utils.validation import check_is_fitted
from skorch.history import History

from sklearn_rnn.classifier import RNNClassifier
from sklearn_rnn.exceptions import ModelFileError
from sklearn_rnn.language_model._estimator import RNNLanguageModel
from sklearn_rnn.nn._pretrained_embeddings import vocabulary_vectors
from sklearn_rnn.persistence._codec import _NAME, _TRUSTED_ONLY, _Decoder, _encode
from sklearn_rnn.persistence._container import (
    _corrupted,
    _library_version,
    _read_model_file,
    _write_model_file,
)
from sklearn_rnn.regressor import RNNRegressor
from sklearn_rnn.seq2seq._estimator import RNNSeq2Seq
from sklearn_rnn.tagger import RNNTagger

# The estimators a file may name.
_ESTIMATOR_CLASSES: dict[str, type] = {
    "RNNClassifier": RNNClassifier,
    "RNNLanguageModel": RNNLanguageModel,
    "RNNRegressor": RNNRegressor,
    "RNNTagger": RNNTagger,
    "RNNSeq2Seq": RNNSeq2Seq,
}

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
    body = {
        "estimator": name,
        "params": params,
        "fitted": fitted,
        "history": history,
        "state_dicts": state_dicts,
    }
    _write_model_file(os.fspath(path), body, arrays)


def _class_name(estimator) -> str:
    for name, cls in _ESTIMATOR_CLASSES.items():
        if type(estimator) is cls:
            return name
    raise ValueError(
        f"save() stores {', '.join(_ESTIMATOR_CLASSES)} only; got "
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

    Looked up by ``vocabulary_vectors``, as ``pretrained_embedding_matrix`` does, so
    rebuilding the model from the pair gives the same embedding initialization.
    """
    vocabulary = getattr(estimator.encoder_, "vocabulary_", None)
    if vocabulary is None:
        return np.zeros((0, estimator.embedding_dim), np.float32), []
    rows, vectors = vocabulary_vectors(vocabulary, estimator.embeddings)
    tokens = [vocabulary.tokens[i] for i in rows]
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
    config, tensors = _read_model_file(path)

    name = config.get("estimator")
    if name not in _ESTIMATOR_CLASSES:
        raise _corrupted(
            path, f"unknown estimator {name!r}; expected one of {list(_ESTIMATOR_CLASSES)}"
        )
    cls = _ESTIMATOR_CLASSES[name]
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
