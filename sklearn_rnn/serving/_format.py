"""What a served model file holds beside its graph: the serving config, as JSON.

An exported file is a standard ONNX model whose metadata entry ``"sklearn_rnn"`` is a
JSON document: the format name and version, the estimator's name, the fitted input
encoder (kind, tokenizer, vocabularies, scaling statistics), the fitted target encoder
(:mod:`sklearn_rnn._targets`: classes, target scaling) with a tagger's CRF scores, and
the graph's inputs. This module writes and reads that document; reading builds plain
data, numpy arrays, vocabularies, an :class:`~sklearn_rnn.encoding.ArrayEncoder` and a
target encoder (by its checked ``from_state``) only, so a file cannot run code.
"""

from __future__ import annotations

import json
import math
import re

import numpy as np

from sklearn_rnn._files import check_format_header, strict_json_loads
from sklearn_rnn._targets import TARGET_ENCODERS, CRFScores, TargetState
from sklearn_rnn.encoding._array_encoder import ArrayEncoder
from sklearn_rnn.encoding._vocabulary import Vocabulary
from sklearn_rnn.exceptions import ModelFileError

FORMAT_NAME = "sklearn_rnn-onnx"
FORMAT_VERSION = 1
METADATA_KEY = "sklearn_rnn"
TASKS = ("classifier", "regressor", "tagger", "seq2seq", "language_model")

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*_?\Z")


# -- writing --------------------------------------------------------------------------


def encode_value(value, where: str):
    """JSON data for an encoder attribute, label array or score table."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)) and math.isfinite(value):
        return float(value)
    if isinstance(value, Vocabulary):
        return {"vocabulary": value.tokens[2:]}
    if isinstance(value, np.ndarray) and value.dtype.kind in "biufU":
        return {"array": value.tolist(), "dtype": value.dtype.str, "shape": list(value.shape)}
    if isinstance(value, np.ndarray) and value.dtype == object:
        items = value.tolist()
        if all(isinstance(v, (str, int, float, bool)) for v in items):
            return {"array": items, "dtype": "object", "shape": list(value.shape)}
    raise NotImplementedError(
        f"export_onnx cannot store {where} (a {type(value).__name__}): only numbers, "
        "strings, vocabularies and numeric or string arrays fit the served model's metadata."
    )


def encoder_state(encoder) -> dict:
    """The fitted encoder's attributes, as JSON data."""
    if callable(encoder.tokenizer):
        raise NotImplementedError(
            "export_onnx cannot store a callable tokenizer: the served model must tokenize "
            "without running code from the file; use tokenizer='word', 'char' or "
            "'whitespace', or pass token lists."
        )
    return {name: encode_value(value, f"encoder.{name}") for name, value in vars(encoder).items()}


def target_state(encoder: TargetState, crf: CRFScores | None = None) -> dict:
    """The fitted target encoder (and a tagger's CRF scores), as JSON data."""
    state = {k: encode_value(v, f"target_encoder_.{k}") for k, v in encoder.state().items()}
    targets = {"encoder": type(encoder).__name__, "state": state}
    if crf is not None:
        targets["crf"] = {
            name: encode_value(np.asarray(scores, dtype=np.float64), f"crf.{name}")
            for name, scores in crf._asdict().items()
        }
    return targets


def dump_metadata(document: dict) -> str:
    return json.dumps(
        {"format": FORMAT_NAME, "format_version": FORMAT_VERSION, **document},
        allow_nan=False,
        ensure_ascii=False,
    )


# -- reading --------------------------------------------------------------------------


def _corrupted(path: str, detail: str) -> ModelFileError:
    return ModelFileError(f"The served sklearn_rnn model {path!r} is corrupted: {detail}.")


def parse_metadata(text: str | None, path: str) -> dict:
    """The checked serving config of the model file at ``path``."""
    if text is None:
        raise ModelFileError(
            f"{path!r} is an ONNX model but not one exported by sklearn_rnn (its metadata has "
            f"no {METADATA_KEY!r} entry); export models with estimator.export_onnx(path)."
        )
    try:
        document = strict_json_loads(text)
    except (ValueError, RecursionError) as exc:
        raise _corrupted(path, f"its metadata is not valid JSON ({exc})") from exc
    check_format_header(
        document,
        FORMAT_NAME,
        FORMAT_VERSION,
        not_ours=lambda: _corrupted(path, f"its metadata does not name the {FORMAT_NAME!r} format"),
        corrupted=lambda detail: _corrupted(path, detail),
        too_new=lambda version: ModelFileError(
            f"{path!r} was exported by format version {version}; this sklearn_rnn reads "
            f"version {FORMAT_VERSION} and older. Upgrade sklearn_rnn to serve it."
        ),
    )
    if document.get("task") not in TASKS:
        raise _corrupted(path, f"unknown task {document.get('task')!r}")
    return document


def decode_value(data, where: str, path: str):
    """The inverse of :func:`encode_value`."""
    try:
        return _decode(data)
    except (ValueError, TypeError, KeyError, OverflowError) as exc:
        raise _corrupted(path, f"malformed {where} ({type(exc).__name__}: {exc})") from exc


def _decode(data):
    if data is None or isinstance(data, (bool, int, float, str)):
        return data
    if not isinstance(data, dict):
        raise TypeError(f"unexpected {type(data).__name__}")
    if set(data) == {"vocabulary"}:
        tokens = data["vocabulary"]
        if not isinstance(tokens, list) or not all(isinstance(t, str) for t in tokens):
            raise TypeError("vocabulary tokens must be strings")
        return Vocabulary(tokens)
    if set(data) == {"array", "dtype", "shape"}:
        shape = tuple(int(n) for n in data["shape"])
        if data["dtype"] == "object":
            items = data["array"]
            if not isinstance(items, list) or not all(
                isinstance(v, (str, int, float, bool)) for v in items
            ):
                raise TypeError("an object array may hold only strings, numbers, booleans")
            array = np.empty(len(items), dtype=object)
            array[:] = items
            return array.reshape(shape)
        dtype = np.dtype(str(data["dtype"]))
        if dtype.kind not in "biufU":
            raise TypeError(f"unexpected dtype {dtype}")
        return np.array(data["array"], dtype=dtype).reshape(shape)
    raise TypeError(f"unexpected object with keys {sorted(data)[:5]}")


def decode_targets(targets, path: str) -> tuple[TargetState, CRFScores | None]:
    """The target encoder (rebuilt by its ``from_state``) and the CRF scores, if any."""
    if (
        not isinstance(targets, dict)
        or not isinstance(targets.get("encoder"), str)
        or targets["encoder"] not in TARGET_ENCODERS
        or not isinstance(targets.get("state"), dict)
    ):
        raise _corrupted(path, "no target decoding")
    state = {k: decode_value(v, f"targets.{k}", path) for k, v in targets["state"].items()}
    try:
        encoder = TARGET_ENCODERS[targets["encoder"]].from_state(state)
        crf = targets.get("crf")
        if crf is not None:
            if not isinstance(crf, dict):
                raise TypeError("the CRF scores must be a mapping")
            scores = {
                k: decode_value(crf.get(k), f"targets.crf.{k}", path) for k in CRFScores._fields
            }
            crf = CRFScores.checked(**scores, n_tags=len(encoder.classes_))
    except (ValueError, TypeError, AttributeError) as exc:
        raise _corrupted(path, f"malformed target decoding ({exc})") from exc
    return encoder, crf


def decode_encoder(state, path: str) -> ArrayEncoder:
    """An :class:`ArrayEncoder` holding the exported encoder's fitted attributes."""
    if not isinstance(state, dict) or not all(isinstance(k, str) and _NAME.match(k) for k in state):
        raise _corrupted(path, "invalid encoder state")
    encoder = ArrayEncoder.__new__(ArrayEncoder)
    vars(encoder).update(
        {name: decode_value(value, f"encoder.{name}", path) for name, value in state.items()}
    )
    missing = {"kind_", "tokenizer", "lowercase", "max_len", "n_ids_", "n_features_"} - set(state)
    if missing:
        raise _corrupted(path, f"the encoder lacks {sorted(missing)}")
    return encoder


def decode_corpus_encoder(state, path: str):
    """A language model's :class:`~sklearn_rnn.language_model._corpus.CorpusEncoder`."""
    from sklearn_rnn.encoding._tokenizers import TOKENIZERS
    from sklearn_rnn.language_model._corpus import CorpusEncoder

    if not isinstance(state, dict) or not all(isinstance(k, str) and _NAME.match(k) for k in state):
        raise _corrupted(path, "invalid encoder state")
    values = {name: decode_value(value, f"encoder.{name}", path) for name, value in state.items()}
    missing = {"kind_", "tokenizer", "lowercase", "vocabulary_", "n_ids_"} - set(values)
    if missing:
        raise _corrupted(path, f"the encoder lacks {sorted(missing)}")
    if values["tokenizer"] not in TOKENIZERS:
        raise _corrupted(path, f"unknown tokenizer {values['tokenizer']!r}")
    if values["kind_"] not in ("text", "tokens") or not isinstance(
        values["vocabulary_"], Vocabulary
    ):
        raise _corrupted(path, "malformed encoder (its kind or vocabulary)")
    encoder = CorpusEncoder.__new__(CorpusEncoder)
    vars(encoder).update(values)
    return encoder
