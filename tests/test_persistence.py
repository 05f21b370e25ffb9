"""save/load without pickle: round trips, and files that must be refused safely."""

from __future__ import annotations

import copy
import json
import os
import pickle
import zipfile

import numpy as np
import pandas as pd
import pytest
import torch
from conftest import tiny  # tests/ is on sys.path
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from sklearn_rnn import ModelFileError, RNNClassifier, RNNRegressor
from sklearn_rnn.persistence import load, read_config, save
from sklearn_rnn.persistence._container import CONFIG_NAME, FORMAT_VERSION, WEIGHTS_NAME

TEXTS = ["a great film", "truly great acting", "a dull film", "dull and bad", "great", "bad"] * 3
TEXT_LABELS = ["pos", "pos", "neg", "neg", "pos", "neg"] * 3


def _series(n: int = 24, steps: int = 5, features: int = 3) -> np.ndarray:
    return np.random.RandomState(0).rand(n, steps, features).astype(np.float32)


def _round_trip(estimator, tmp_path, name: str = "model.sklearn_rnn"):
    path = tmp_path / name
    save(estimator, path)
    return load(path)


def _assert_same_classifier(loaded, original, X) -> None:
    assert type(loaded) is type(original)
    assert loaded.classes_.dtype == original.classes_.dtype
    np.testing.assert_array_equal(loaded.classes_, original.classes_)
    # Bit-identical, not merely close.
    assert np.array_equal(loaded.predict_proba(X), original.predict_proba(X))
    predicted = loaded.predict(X)
    assert predicted.dtype == original.predict(X).dtype
    np.testing.assert_array_equal(predicted, original.predict(X))


def _rewrite(path, *, config=None, weights=None) -> None:
    """Rewrite a model archive with a changed config (a dict) and/or weights (bytes)."""
    with zipfile.ZipFile(path) as archive:
        old_config = json.loads(archive.read(CONFIG_NAME))
        old_weights = archive.read(WEIGHTS_NAME)
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(CONFIG_NAME, json.dumps(config if config is not None else old_config))
        archive.writestr(WEIGHTS_NAME, weights if weights is not None else old_weights)


@pytest.fixture(scope="module")
def text_clf():
    return tiny(RNNClassifier).fit(TEXTS, TEXT_LABELS)


@pytest.fixture
def saved(text_clf, tmp_path):
    path = tmp_path / "model.sklearn_rnn"
    save(text_clf, path)
    return path


# -- round trips ----------------------------------------------------------------------


def test_classifier_text_round_trip(text_clf, tmp_path):
    loaded = _round_trip(text_clf, tmp_path)
    _assert_same_classifier(loaded, text_clf, TEXTS + ["never seen words"])
    assert loaded.score(TEXTS, TEXT_LABELS) == text_clf.score(TEXTS, TEXT_LABELS)
    assert loaded.encoder_.vocabulary_.tokens == text_clf.encoder_.vocabulary_.tokens
    assert loaded.get_params(deep=False) == text_clf.get_params(deep=False)
    assert loaded.history_.to_list() == text_clf.history_.to_list()


def test_file_is_a_zip_of_json_and_safetensors(saved):
    with zipfile.ZipFile(saved) as archive:
        assert sorted(archive.namelist()) == sorted([CONFIG_NAME, WEIGHTS_NAME])
    config = read_config(saved)
    assert config["format"] == "sklearn_rnn"
    assert config["format_version"] == FORMAT_VERSION
    assert config["estimator"] == "RNNClassifier"
    assert {"library_version", "torch_version", "params", "fitted"} <= set(config)
    assert config["params"]["optimizer"] == {"__optimizer__": "Adam"}


def test_loaded_model_clones_and_refits(text_clf, tmp_path):
    loaded = _round_trip(text_clf, tmp_path)
    fresh = clone(loaded)
    assert not hasattr(fresh, "module_")
    fresh.fit(TEXTS, TEXT_LABELS)
    # Same parameters and random_state: the refit matches the original fit.
    assert np.array_equal(fresh.predict_proba(TEXTS), text_clf.predict_proba(TEXTS))


def test_warm_start_continues_from_loaded_weights(text_clf, tmp_path):
    loaded = _round_trip(text_clf, tmp_path)
    before = loaded.module_.head.linear.weight.detach().clone()
    loaded.set_params(warm_start=True, max_epochs=1).fit(TEXTS, TEXT_LABELS)
    assert len(loaded.history_) == len(text_clf.history_) + 1
    assert not torch.equal(before, loaded.module_.head.linear.weight)
    assert loaded.encoder_.vocabulary_.tokens == text_clf.encoder_.vocabulary_.tokens


def test_numeric_3d_int_labels(tmp_path):
    X = _series()
    y = np.arange(len(X)) % 3
    clf = tiny(RNNClassifier).fit(X, y)
    loaded = _round_trip(clf, tmp_path)
    _assert_same_classifier(loaded, clf, X)
    assert loaded.n_features_in_ == 3
    np.testing.assert_array_equal(loaded.encoder_.mean_, clf.encoder_.mean_)
    assert loaded.encoder_.mean_.dtype == np.float32


@pytest.mark.parametrize(
    "labels",
    [
        np.array(["b", "a"]),
        np.array([3, -7], dtype=np.int32),
        np.array([1.0, -2.0]),  # integral: sklearn rejects continuous labels
        np.array([True, False]),
        np.array(["yes", "no"], dtype=object),
    ],
    ids=["str", "int32", "float", "bool", "object"],
)
def test_label_dtypes_round_trip_exactly(labels, tmp_path):
    X = _series(n=8, steps=3, features=1)
    y = np.resize(labels, len(X))
    clf = RNNClassifier(hidden_size=8, max_epochs=1, random_state=0).fit(X, y)
    loaded = _round_trip(clf, tmp_path)
    _assert_same_classifier(loaded, clf, X)
    assert loaded.target_encoder_.classes_.dtype == clf.target_encoder_.classes_.dtype


def test_regressor_2d_target(tmp_path):
    X = _series()
    y = np.stack([X.sum(axis=(1, 2)), X.mean(axis=(1, 2))], axis=1)
    reg = tiny(RNNRegressor).fit(X, y)
    loaded = _round_trip(reg, tmp_path)
    assert np.array_equal(loaded.predict(X), reg.predict(X))
    assert loaded.predict(X).shape == (len(X), 2)
    np.testing.assert_array_equal(loaded.target_scale_, reg.target_scale_)
    assert loaded.score(X, y) == reg.score(X, y)


def test_regressor_dataframe_keeps_feature_names(tmp_path):
    rng = np.random.RandomState(0)
    X = pd.DataFrame(rng.rand(20, 6), columns=[f"t{i}" for i in range(6)])
    y = X.sum(axis=1).to_numpy()
    reg = tiny(RNNRegressor).fit(X, y)
    loaded = _round_trip(reg, tmp_path)
    np.testing.assert_array_equal(loaded.feature_names_in_, reg.feature_names_in_)
    assert loaded.n_features_in_ == 6
    assert np.array_equal(loaded.predict(X), reg.predict(X))
    with pytest.raises(ValueError, match="feature names"):
        loaded.predict(X.rename(columns={"t0": "other"}))


def test_id_lists(tmp_path):
    X = [[1, 2, 3], [4, 5], [2, 2, 9, 1], [7]] * 4
    y = [0, 1, 0, 1] * 4
    clf = tiny(RNNClassifier).fit(X, y)
    loaded = _round_trip(clf, tmp_path)
    _assert_same_classifier(loaded, clf, X + [[100, 3]])
    assert loaded.encoder_.n_ids_ == clf.encoder_.n_ids_


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_cells_bidirectional_multilayer(cell, tmp_path):
    clf = tiny(
        RNNClassifier, cell=cell, bidirectional=True, num_layers=2, dropout=0.1, pooling="mean"
    ).fit(TEXTS, TEXT_LABELS)
    loaded = _round_trip(clf, tmp_path)
    _assert_same_classifier(loaded, clf, TEXTS)


def test_routed_optimizer_params_and_class_weight(tmp_path):
    clf = tiny(
        RNNClassifier,
        optimizer=torch.optim.SGD,
        optimizer__momentum=0.9,
        class_weight={"pos": 2.0, "neg": 1.0},
    ).fit(TEXTS, TEXT_LABELS)
    loaded = _round_trip(clf, tmp_path)
    assert loaded.optimizer is torch.optim.SGD
    assert loaded.get_params()["optimizer__momentum"] == 0.9
    assert isinstance(loaded.optimizer_, torch.optim.SGD)
    assert loaded.class_weight == {"pos": 2.0, "neg": 1.0}
    _assert_same_classifier(loaded, clf, TEXTS)


def test_pretrained_frozen_embeddings(tmp_path):
    vectors = {"great": np.full(4, 0.5), "bad": -np.ones(4), "unused": np.zeros(4)}  # embedding_dim
    clf = tiny(RNNClassifier, embeddings=vectors, freeze_embeddings=True)
    clf.fit(TEXTS, TEXT_LABELS)
    loaded = _round_trip(clf, tmp_path)
    _assert_same_classifier(loaded, clf, TEXTS)
    matrix, tokens = loaded.embeddings  # restricted to the fitted vocabulary
    assert sorted(tokens) == ["bad", "great"]
    assert loaded.n_pretrained_tokens_ == clf.n_pretrained_tokens_ == 2
    assert not loaded.module_.input_layer.embedding.weight.requires_grad


def test_load_leaves_global_rng_alone_and_honours_device(saved):
    state = torch.get_rng_state()
    loaded = load(saved, device="cpu")
    assert torch.equal(state, torch.get_rng_state())
    assert loaded.device == "cpu"


def test_save_is_atomic_and_overwrites(text_clf, tmp_path):
    path = tmp_path / "model.sklearn_rnn"
    path.write_bytes(b"old")
    save(text_clf, str(path))
    assert os.listdir(tmp_path) == ["model.sklearn_rnn"]
    assert isinstance(load(str(path)), RNNClassifier)


def test_history_with_nan_is_kept_and_unstorable_history_dropped(text_clf, tmp_path):
    clf = copy.deepcopy(text_clf)
    clf.history_.record("note", float("nan"))
    loaded = _round_trip(clf, tmp_path)
    assert np.isnan(loaded.history_[-1, "note"])
    assert loaded.history_[:, "train_loss"] == clf.history_[:, "train_loss"]

    clf.history_.record("note", object())
    with pytest.warns(UserWarning, match="history was not saved"):
        save(clf, tmp_path / "model.sklearn_rnn")
    loaded = load(tmp_path / "model.sklearn_rnn")
    assert len(loaded.history_) == 0
    assert np.array_equal(loaded.predict_proba(TEXTS), clf.predict_proba(TEXTS))


def test_unstorable_fitted_attribute_is_named(text_clf, tmp_path):
    clf = copy.deepcopy(text_clf)
    clf.lookup_ = object()
    with pytest.raises(ValueError, match="fitted attribute 'lookup_'.*pickle or joblib"):
        save(clf, tmp_path / "model.sklearn_rnn")


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_model_saved_on_gpu_loads_on_cpu(saved):
    config = read_config(saved)
    config["params"]["device"] = "cuda"
    _rewrite(saved, config=config)
    with pytest.raises(ValueError, match="device='cpu'"):
        load(saved)
    assert load(saved, device="cpu").device == "cpu"


def test_tagger_round_trip(tmp_path):
    tagger_module = pytest.importorskip("sklearn_rnn.tagger")
    X = [["the", "dog", "runs"], ["a", "cat", "sleeps"], ["dogs", "run"], ["a", "cat"]] * 3
    y = [["DET", "NOUN", "VERB"], ["DET", "NOUN", "VERB"], ["NOUN", "VERB"], ["DET", "NOUN"]] * 3
    tagger = tiny(tagger_module.RNNTagger, crf=True, char_embedding_dim=4).fit(X, y)
    loaded = _round_trip(tagger, tmp_path)
    assert loaded.predict(X) == tagger.predict(X)
    for a, b in zip(loaded.predict_proba(X), tagger.predict_proba(X), strict=True):
        assert np.array_equal(a, b)
    assert loaded.char_vocabulary_.tokens == tagger.char_vocabulary_.tokens
    assert loaded.shape_vocabulary_.tokens == tagger.shape_vocabulary_.tokens
    assert torch.equal(loaded.rare_ids_, tagger.rare_ids_)
    assert loaded.score(X, y) == tagger.score(X, y)


# -- what save refuses ----------------------------------------------------------------


def test_unfitted_estimator(tmp_path):
    with pytest.raises(NotFittedError):
        save(RNNClassifier(), tmp_path / "model.sklearn_rnn")
    assert not (tmp_path / "model.sklearn_rnn").exists()


class _CustomModule(torch.nn.Module):
    def __init__(self, n_outputs, n_ids, n_features):
        super().__init__()
        self.embedding = torch.nn.Embedding(n_ids, 4)
        self.head = torch.nn.Linear(4, n_outputs)

    def forward(self, inputs, lengths):
        return self.head(self.embedding(inputs).mean(1))


class _MyAdam(torch.optim.Adam):
    pass


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"module": _CustomModule}, "custom module.*pickle or joblib"),
        ({"tokenizer": str.split}, "callable tokenizer.*pickle or joblib"),
        ({"optimizer": _MyAdam}, "not a torch.optim class.*pickle or joblib"),
    ],
    ids=["module", "tokenizer", "optimizer"],
)
def test_non_data_parameters_are_refused(params, match, tmp_path):
    clf = tiny(RNNClassifier, **params).fit(TEXTS, TEXT_LABELS)
    with pytest.raises(ValueError, match=match):
        save(clf, tmp_path / "model.sklearn_rnn")
    assert list(tmp_path.iterdir()) == []


def test_callbacks_are_refused(tmp_path):
    from skorch.callbacks import EpochTimer

    clf = tiny(RNNClassifier, callbacks=[("timer2", EpochTimer())]).fit(TEXTS, TEXT_LABELS)
    with pytest.raises(ValueError, match="callbacks.*pickle or joblib"):
        save(clf, tmp_path / "model.sklearn_rnn")


# -- what load refuses ----------------------------------------------------------------


class _Exploit:
    """Unpickling this calls ``open(marker, "w")``: it creates the marker file."""

    def __init__(self, marker: str):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


@pytest.mark.parametrize("name", ["model.skops", "model.sklearn_rnn"])
def test_malicious_pickle_is_neither_run_nor_accepted(name, tmp_path):
    payload = pickle.dumps(_Exploit(str(tmp_path / "proof")))
    pickle.loads(payload).close()  # the payload is live: unpickling creates its marker
    assert (tmp_path / "proof").exists()

    marker = tmp_path / "pwned"
    path = tmp_path / name
    path.write_bytes(pickle.dumps(_Exploit(str(marker))))
    with pytest.raises(ModelFileError, match="not a sklearn_rnn model file.*pickle"):
        load(path)
    assert not marker.exists()
    assert issubclass(ModelFileError, ValueError)


def test_torch_save_archive_with_pickle_is_refused(tmp_path):
    marker = tmp_path / "pwned"
    path = tmp_path / "model.sklearn_rnn"
    torch.save({"x": _Exploit(str(marker))}, path)  # a zip archive holding data.pkl
    with pytest.raises(ValueError, match="not a sklearn_rnn model file"):
        load(path)
    assert not marker.exists()


def test_pickle_in_place_of_the_weights_is_refused(saved, tmp_path):
    marker = tmp_path / "pwned"
    _rewrite(saved, weights=pickle.dumps(_Exploit(str(marker))))
    with pytest.raises(ValueError, match="corrupted.*checksum"):
        load(saved)
    assert not marker.exists()


def test_truncated_file(saved):
    data = saved.read_bytes()
    for size in (len(data) // 2, len(data) - 10, 10):
        saved.write_bytes(data[:size])
        with pytest.raises(ValueError, match="corrupted"):
            load(saved)


def test_flipped_bytes_in_the_json(saved):
    with zipfile.ZipFile(saved) as archive:
        info = archive.getinfo(CONFIG_NAME)
    data = bytearray(saved.read_bytes())
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    for offset in range(start + 20, start + 24):
        data[offset] ^= 0xFF
    saved.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="corrupted"):
        load(saved)


def test_flipped_bytes_in_the_weights(saved):
    data = bytearray(saved.read_bytes())
    data[-300] ^= 0x01  # inside the stored weights, before the zip directory
    saved.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="corrupted"):
        load(saved)


def test_weights_of_the_wrong_shape(saved):
    config = read_config(saved)
    # the stored weights are for 8 (the architecture is built from the fitted value)
    config["params"]["hidden_size"] = 16
    if "hidden_size_" in config["fitted"]:
        config["fitted"]["hidden_size_"] = 16
    _rewrite(saved, config=config)
    with pytest.raises(ValueError, match="weights .* do not match the architecture"):
        load(saved)


def test_version_from_the_future(saved):
    config = read_config(saved)
    config["format_version"] = FORMAT_VERSION + 1
    _rewrite(saved, config=config)
    with pytest.raises(
        ValueError, match=f"format version {FORMAT_VERSION + 1}.*reads format version 1"
    ):
        load(saved)


class _Nested:
    """Stands in for `depth` nested JSON lists (json.dumps cannot write them)."""

    def __init__(self, depth: int):
        self.depth = depth


def _dumps(config: dict) -> str:
    """``json.dumps``, writing a ``_Nested(depth)`` value as that many nested lists."""
    nested = config.get("history")
    if isinstance(nested, _Nested):
        text = json.dumps({**config, "history": "@"})
        return text.replace('"@"', "[" * nested.depth + "]" * nested.depth)
    return json.dumps(config)


@pytest.mark.parametrize(
    ("edit", "match"),
    [
        (lambda c: c.update(format="something-else"), "not a sklearn_rnn model file"),
        (lambda c: c.update(format_version="1"), "corrupted.*format version"),
        (lambda c: c.update(estimator="os.system"), "corrupted.*unknown estimator"),
        (lambda c: c["params"].update(optimizer={"__optimizer__": "os.system"}), "torch.optim"),
        (lambda c: c["params"].update(module="builtins.eval"), "corrupted.*module"),
        (
            lambda c: c["params"].update(tokenizer={"__optimizer__": "Adam"}),
            "corrupted.*optimizer class in params.tokenizer",
        ),
        (lambda c: c.update(history=_Nested(5000)), "corrupted"),
        (lambda c: c["params"].update(new_thing=1), "does not have"),
        (
            lambda c: c["fitted"]["encoder_"]["__object__"].update(**{"class": "Popen"}),
            "corrupted.*unknown object class",
        ),
        (lambda c: c["fitted"].update(predict=1), "corrupted.*fitted attribute"),
        (lambda c: c["fitted"].update(classes_={"__ndarray__": 5}), "corrupted.*malformed"),
        (lambda c: c["fitted"].update(n_outputs_="two"), "Cannot rebuild"),
        (lambda c: c["state_dicts"].pop("criterion_"), "do not match the architecture"),
    ],
    ids=[
        "format",
        "version-type",
        "estimator",
        "optimizer",
        "module",
        "class-elsewhere",
        "deep-nesting",
        "unknown-param",
        "object-class",
        "method-name",
        "malformed",
        "wrong-type",
        "missing-state",
    ],
)
def test_tampered_config(saved, edit, match):
    config = read_config(saved)
    edit(config)
    with zipfile.ZipFile(saved) as archive:
        weights = archive.read(WEIGHTS_NAME)
    with zipfile.ZipFile(saved, "w") as archive:  # json.dumps cannot write the deep nesting
        archive.writestr(CONFIG_NAME, _dumps(config))
        archive.writestr(WEIGHTS_NAME, weights)
    with pytest.raises(ValueError, match=match):
        load(saved)


def test_other_files(tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    with pytest.raises(ValueError, match="not a sklearn_rnn model file"):
        load(text)
    other_zip = tmp_path / "other.zip"
    with zipfile.ZipFile(other_zip, "w") as archive:
        archive.writestr("README", "hi")
    with pytest.raises(ValueError, match="not a sklearn_rnn model file"):
        load(other_zip)
    with pytest.raises(FileNotFoundError):
        load(tmp_path / "missing.sklearn_rnn")
