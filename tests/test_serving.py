"""Serving without torch: ONNX export and the torch-free ONNXPredictor.

Parity with the estimators across cells, directions, depths, poolings, input kinds and the
tagger's features; batch invariance of the served model; a run in a fresh environment
that has no torch; refused files and uncovered models.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import pickle
import re
import subprocess
import sys
import venv
from itertools import product
from pathlib import Path

import numpy as np
import pytest
import torch
from conftest import tiny  # tests/ is on sys.path

from sklearn_rnn import (
    ModelFileError,
    RNNClassifier,
    RNNLanguageModel,
    RNNRegressor,
    RNNSeq2Seq,
    RNNTagger,
)

onnx = pytest.importorskip("onnx")  # the onnx extra (in dev)
pytest.importorskip("onnxruntime")

from sklearn_rnn.serving import ONNXPredictor  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
# conftest.TINY with sizes that differ (6 units, 5-dim embeddings), so that a dimension
# swapped in the exported graph shows, and batches of 4, so that serving runs several.
SERVED = dict(hidden_size=6, embedding_dim=5, lr=0.01, batch_size=4)
TOKENS = [["The", "dog", "runs"], ["a", "Cat", "sleeps", "now"], ["dogs", "run"], ["A", "cat"]] * 4
TAGS = [["D", "N", "V"], ["D", "N", "V", "R"], ["N", "V"], ["D", "N"]] * 4
UNSEEN = [["Unseen", "words", "here", "in", "a", "long", "sentence"], ["x"]]


def _served(estimator, tmp_path) -> ONNXPredictor:
    path = tmp_path / "model.onnx"
    estimator.export_onnx(path)
    return ONNXPredictor(path)


def _texts(texts):
    X, _ = texts
    return X + ["", "an unseen review that is longer than any training text"]


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("bidirectional", [False, True], ids=["uni", "bi"])
@pytest.mark.parametrize("pooling", ["last", "mean", "max"])
def test_classifier_on_text_predicts_as_the_estimator(
    texts, tmp_path, cell, bidirectional, pooling
):
    clf = tiny(RNNClassifier, cell=cell, bidirectional=bidirectional, pooling=pooling, **SERVED)
    clf.fit(*texts)
    served = _served(clf, tmp_path)
    X = _texts(texts)
    np.testing.assert_allclose(served.predict_proba(X), clf.predict_proba(X), rtol=0, atol=1e-5)
    assert (served.predict(X) == clf.predict(X)).all()
    assert served.classes_.tolist() == clf.classes_.tolist()


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("bidirectional", [False, True], ids=["uni", "bi"])
def test_stacked_regressor_on_ragged_series_predicts_as_the_estimator(
    tmp_path, cell, bidirectional
):
    rng = np.random.RandomState(0)
    X = [rng.rand(rng.randint(1, 12), 3).astype("float32") for _ in range(30)]
    y = np.stack([[x.sum(), x[-1, 0]] for x in X])  # two targets, in the user's units
    reg = tiny(RNNRegressor, cell=cell, bidirectional=bidirectional, num_layers=2, **SERVED).fit(
        X, y
    )
    served = _served(reg, tmp_path)
    np.testing.assert_allclose(served.predict(X), reg.predict(X), rtol=1e-5, atol=1e-5)
    assert not hasattr(served, "predict_proba")


def test_regressor_on_a_2d_table_and_classifier_on_id_lists(tmp_path, digits):
    X = digits[0][:60, :, 0]  # (n, 8): one univariate series per row
    reg = tiny(RNNRegressor, **SERVED).fit(X, digits[1][:60].astype(float))
    served = _served(reg, tmp_path)
    assert served.predict(X).shape == (60,)
    np.testing.assert_allclose(served.predict(X), reg.predict(X), rtol=1e-5, atol=1e-5)

    ids = [[1, 2, 3], [4, 5], [2, 2, 2, 2], [9]] * 5
    clf = tiny(RNNClassifier, pooling="mean", max_len=3, **SERVED).fit(ids, [0, 1, 0, 1] * 5)
    served = _served(clf, tmp_path)
    X = ids + [[100, 1, 2, 3, 4, 5]]  # an id unseen in fit, and longer than max_len
    np.testing.assert_allclose(served.predict_proba(X), clf.predict_proba(X), atol=1e-5)


@pytest.mark.parametrize(
    "features",
    [dict(char_embedding_dim=0, shape_embedding_dim=0), dict(), dict(shape_embedding_dim=0)],
    ids=["words", "chars+shapes", "chars"],
)
@pytest.mark.parametrize("crf", [False, True], ids=["softmax", "crf"])
def test_tagger_predicts_as_the_estimator(tmp_path, features, crf):
    params = {**SERVED, "max_epochs": 2, "char_embedding_dim": 4, "shape_embedding_dim": 3}
    tagger = tiny(RNNTagger, crf=crf, **{**params, **features}).fit(TOKENS, TAGS)
    served = _served(tagger, tmp_path)
    X = TOKENS + UNSEEN
    assert served.predict(X) == tagger.predict(X)
    for got, expected in zip(served.predict_proba(X), tagger.predict_proba(X), strict=True):
        np.testing.assert_allclose(got, expected, rtol=0, atol=1e-5)


def test_numeric_tagger_with_crf(tmp_path):
    rng = np.random.RandomState(0)
    X = [rng.rand(rng.randint(1, 10), 2).astype("float32") for _ in range(24)]
    y = [list((x[:, 0] > 0.5).astype(int)) for x in X]
    tagger = tiny(RNNTagger, crf=True, cell="gru", num_layers=2, **SERVED).fit(X, y)
    served = _served(tagger, tmp_path)
    assert served.predict(X) == tagger.predict(X)


def test_multilabel_classifier_predicts_as_the_estimator(texts, tmp_path):
    X, _ = texts
    y = np.array([["great" in x, "film" in x, "a" in x.split()] for x in X], dtype=np.int8)
    clf = tiny(RNNClassifier, **SERVED).fit(X, y)
    served = _served(clf, tmp_path)
    X = _texts(texts)
    expected = clf.predict(X)
    assert served.predict(X).dtype == expected.dtype == np.int8
    np.testing.assert_array_equal(served.predict(X), expected)
    np.testing.assert_allclose(served.predict_proba(X), clf.predict_proba(X), rtol=0, atol=1e-5)


@pytest.mark.parametrize("task", ["classifier", "regressor", "tagger"])
def test_the_served_model_decodes_with_the_estimators_target_encoder(texts, tmp_path, task):
    if task == "classifier":
        estimator = tiny(RNNClassifier, **SERVED).fit(*texts)
    elif task == "regressor":
        estimator = tiny(RNNRegressor, **SERVED).fit(texts[0], np.arange(len(texts[0])) % 7 * 1.5)
    else:
        estimator = tiny(RNNTagger, crf=True, **SERVED).fit(TOKENS, TAGS)
    served = _served(estimator, tmp_path)
    assert type(served.target_encoder_) is type(estimator.target_encoder_)
    for name, value in estimator.target_encoder_.state().items():
        np.testing.assert_array_equal(getattr(served.target_encoder_, name), value)
    if task == "regressor":
        with pytest.raises(AttributeError, match="RNNRegressor has no predict_proba"):
            served.predict_proba(texts[0])


def test_served_outputs_do_not_depend_on_the_batch(texts, tmp_path, fitted_text_classifier):
    served = _served(fitted_text_classifier, tmp_path)
    X = _texts(texts)
    alone = np.concatenate([served.predict_proba([x]) for x in X])
    for batch_size in (1, 3, 1000):
        served.batch_size = batch_size
        np.testing.assert_allclose(served.predict_proba(X), alone, rtol=0, atol=1e-6)
    reordered = served.predict_proba(X[::-1])[::-1]
    np.testing.assert_allclose(reordered, alone, rtol=0, atol=1e-6)


def test_the_file_is_a_plain_onnx_model_with_dynamic_axes(tmp_path, fitted_text_classifier):
    import onnxruntime

    path = tmp_path / "model.onnx"
    fitted_text_classifier.export_onnx(path)
    onnx.checker.check_model(str(path))
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    assert [i.name for i in session.get_inputs()] == ["inputs", "lengths"]
    rng = np.random.default_rng(0)
    for batch, steps in [(1, 1), (7, 13)]:
        ids = rng.integers(2, fitted_text_classifier.encoder_.n_ids_, (batch, steps))
        lengths = rng.integers(1, steps + 1, batch)
        (logits,) = session.run(None, {"inputs": ids, "lengths": lengths})
        assert logits.shape == (batch, 2) and logits.dtype == np.float64


# -- without torch ---------------------------------------------------------------------


def _distribution_closure(names: list[str]) -> set:
    """The installed distributions ``names`` need at run time (extras left out)."""
    from packaging.requirements import Requirement

    seen, todo = {}, list(names)
    while todo:
        name = re.sub(r"[-_.]+", "-", todo.pop()).lower()
        if name in seen:
            continue
        seen[name] = dist = importlib.metadata.distribution(name)
        for requirement in map(Requirement, dist.requires or []):
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                todo.append(requirement.name)
    return set(seen.values())


def _torch_free_environment(root: Path) -> Path:
    """A fresh virtual environment holding the predictor's dependencies, and no torch.

    Built offline: the installed files of numpy, onnxruntime, scikit-learn, pandas and
    what they require are linked into it, and sklearn_rnn's source beside them.
    """
    venv.create(root, with_pip=False, symlinks=True)
    site = next(root.glob("lib/python*/site-packages"))
    for dist in _distribution_closure(["numpy", "onnxruntime", "scikit-learn", "pandas"]):
        tops = {Path(str(f)).parts[0] for f in dist.files or [] if not str(f).startswith("..")}
        for top in tops - {"__pycache__"}:
            source = Path(dist.locate_file(top))
            if source.exists() and not (site / top).exists():
                (site / top).symlink_to(source)
    (site / "sklearn_rnn").symlink_to(ROOT / "sklearn_rnn")
    return root / "bin" / "python"


_SERVE_SCRIPT = """
import json, sys
try:
    import torch
except ImportError:
    pass
else:
    raise SystemExit("torch is importable: " + torch.__file__)
from sklearn_rnn.serving import ONNXPredictor
served = ONNXPredictor(sys.argv[1])
X = json.loads(sys.argv[2])
print(json.dumps({
    "labels": served.predict(X).tolist(),
    "proba": served.predict_proba(X).tolist(),
    "modules": sorted(m for m in sys.modules if m.split(".")[0] in ("torch", "skorch")),
}))
"""


def test_predictor_runs_in_an_environment_without_torch(tmp_path, texts, fitted_text_classifier):
    python = _torch_free_environment(tmp_path / "env")
    fitted_text_classifier.export_onnx(tmp_path / "model.onnx")
    X = _texts(texts)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    result = subprocess.run(
        [str(python), "-c", _SERVE_SCRIPT, str(tmp_path / "model.onnx"), json.dumps(X)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    output = json.loads(result.stdout)
    assert output["modules"] == []
    assert output["labels"] == fitted_text_classifier.predict(X).tolist()
    expected = fitted_text_classifier.predict_proba(X)
    np.testing.assert_allclose(output["proba"], expected, rtol=0, atol=1e-5)


def test_importing_the_package_does_not_import_torch():
    code = (
        "import sys, sklearn_rnn, sklearn_rnn.serving; "
        "assert 'torch' not in sys.modules and 'skorch' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, timeout=120)


# -- refused files and uncovered models ------------------------------------------------


def _rewritten_metadata(path: Path, target: Path, change) -> Path:
    model = onnx.load(str(path))
    entry = next(p for p in model.metadata_props if p.key == "sklearn_rnn")
    entry.value = change(entry.value)
    onnx.save(model, str(target))
    return target


def test_bad_files_raise_model_file_error(tmp_path, fitted_text_classifier):
    good = tmp_path / "model.onnx"
    fitted_text_classifier.export_onnx(good)
    text = tmp_path / "notes.txt"
    text.write_text("not a model")
    pickled = tmp_path / "model.pkl"
    pickled.write_bytes(pickle.dumps({"a": 1}))
    truncated = tmp_path / "truncated.onnx"
    truncated.write_bytes(good.read_bytes()[: len(good.read_bytes()) // 2])
    cases = {
        text: "not a served sklearn_rnn model",
        pickled: "looks like a pickle",
        truncated: "not a served sklearn_rnn model",
    }
    for path, message in cases.items():
        with pytest.raises(ModelFileError, match=message):
            ONNXPredictor(path)

    plain = onnx.load(str(good))
    del plain.metadata_props[:]
    onnx.save(plain, str(tmp_path / "plain.onnx"))
    with pytest.raises(ModelFileError, match="not one exported by sklearn_rnn"):
        ONNXPredictor(tmp_path / "plain.onnx")

    def newer(value):
        return value.replace('"format_version": 1', '"format_version": 99')

    rewritten = {
        "not valid JSON": lambda value: value[:-5],
        "format version 99": newer,
        "malformed encoder.vocabulary_": lambda value: value.replace(
            '"vocabulary": [', '"vocabulary": [7, '
        ),
        "unknown tokenizer": lambda value: value.replace(
            '"tokenizer": "word"', '"tokenizer": "evil"'
        ),
        "no target decoding": lambda value: value.replace(
            '"encoder": "LabelTargets"', '"encoder": "os.system"'
        ),
        "malformed target decoding": lambda value: value.replace(
            '"multilabel_": false', '"multilabel_": "no"'
        ),
        "non-standard JSON constant NaN": lambda value: value.replace(
            '"batch_size": ', '"batch_size": NaN, "x": '
        ),
    }
    for message, change in rewritten.items():
        path = _rewritten_metadata(good, tmp_path / "bad.onnx", change)
        with pytest.raises(ModelFileError, match=message):
            ONNXPredictor(path)
    with pytest.raises(FileNotFoundError):
        ONNXPredictor(tmp_path / "missing.onnx")


def test_uncovered_models_raise_not_implemented_error(texts, tmp_path):
    path = tmp_path / "model.onnx"
    clf = tiny(RNNClassifier, **SERVED).fit(*texts)
    clf.module_.frontend = torch.nn.Linear(2, 2)  # a part the exporter does not know
    with pytest.raises(NotImplementedError, match="part 'frontend'"):
        clf.export_onnx(path)
    del clf.module_.frontend
    clf.module_.pooling.pooling = "attention"
    with pytest.raises(NotImplementedError, match="pooling='attention'"):
        clf.export_onnx(path)
    clf.module_.pooling.pooling = "last"
    forward = clf.module_.forward
    clf.module_.forward = lambda inputs, lengths: forward(inputs, lengths) + 1.0
    with pytest.raises(NotImplementedError, match="differ from the network's"):
        clf.export_onnx(path)
    assert not path.exists()

    tokenize = tiny(RNNClassifier, tokenizer=str.split, **SERVED).fit(*texts)
    with pytest.raises(NotImplementedError, match="callable tokenizer"):
        tokenize.export_onnx(path)


def test_served_model_rejects_bad_input_as_the_estimator(texts, tmp_path, fitted_text_classifier):
    served = _served(fitted_text_classifier, tmp_path)
    for X in ([["a", "great"]], "a great film", []):
        with pytest.raises((ValueError, TypeError)) as expected:
            fitted_text_classifier.predict(X)
        with pytest.raises(type(expected.value), match=re.escape(str(expected.value)[:40])):
            served.predict(X)


def test_serving_benchmark_runs_and_reports(load_script, capsys):
    module = load_script("benchmarks/serving.py")
    argv = ["--cells", "gru", "--repeats", "2", "--rounds", "1", "--n-train", "60"]
    module.main([*argv, "--n-batch", "30", "--no-int8"])
    table = capsys.readouterr().out
    assert "| gru | o |" in table and "| gru | onnx net |" in table
    assert "| seq2seq | predict, beam 5 |" in table
    assert "| language_model | sample (per character) |" in table


# -- generative models: RNNSeq2Seq and RNNLanguageModel ---------------------------------

REVERSE_X = ["".join(p) for n in (1, 2, 3) for p in product("abc", repeat=n)]
REVERSE_Y = [x[::-1].upper() for x in REVERSE_X]
SOURCES = [*REVERSE_X, "cabbage", "x"]  # longer than any training source; an unseen symbol
LM_TEXT = "the cat sat on the mat. the dog sat on the log. a cat and a dog. " * 6
LM_DOCS = ["the cat", "a dog sat on", "", "zebra the"]  # an empty and an unknown-char document
SMALL = dict(hidden_size=8, embedding_dim=4, lr=0.02, random_state=0)


def _assert_nbest_equal(got, expected):
    assert [[o for o, _ in row] for row in got] == [[o for o, _ in row] for row in expected]
    for row_got, row_expected in zip(got, expected, strict=True):
        np.testing.assert_allclose(
            [s for _, s in row_got], [s for _, s in row_expected], rtol=0, atol=1e-5
        )


@pytest.mark.parametrize(
    "cell, layout",
    [("lstm", dict()), ("gru", dict(num_layers=2)), ("rnn", dict(bidirectional=False))],
    ids=["lstm-bi", "gru-bi-stacked", "rnn-uni"],
)
@pytest.mark.parametrize("beam_size", [1, 3], ids=["greedy", "beam"])
def test_seq2seq_decodes_as_the_estimator(tmp_path, cell, layout, beam_size):
    model = RNNSeq2Seq(
        cell=cell, beam_size=beam_size, max_epochs=6, batch_size=8, **SMALL, **layout
    ).fit(REVERSE_X, REVERSE_Y)
    served = _served(model, tmp_path)
    expected = model.predict(SOURCES)
    assert len(set(expected)) > 3  # the model emits varied outputs: the check can fail
    assert served.predict(SOURCES) == expected
    _assert_nbest_equal(served.predict_nbest(SOURCES, n=4), model.predict_nbest(SOURCES, n=4))
    assert not hasattr(served, "predict_proba") and not hasattr(served, "sample")


def test_seq2seq_on_token_lists_ends_outputs_at_max_output_len(tmp_path):
    X = [list(x) for x in REVERSE_X]
    y = [" ".join(x.upper()) for x in REVERSE_X]  # whitespace-separated output symbols
    model = RNNSeq2Seq(
        target_tokenizer="whitespace", max_output_len=2, beam_size=2, max_epochs=3,
        label_smoothing=0.0, num_layers=1, **SMALL,
    ).fit(X, y)  # fmt: skip
    served = _served(model, tmp_path)
    X = X + [list("abcabc")]
    assert served.predict(X) == model.predict(X)
    assert max(len(output.split()) for output in served.predict(X)) == 2
    _assert_nbest_equal(served.predict_nbest(X), model.predict_nbest(X))
    served.batch_size = 1  # outputs do not depend on the batch
    assert served.predict(X) == model.predict(X)


@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn"])
def test_language_model_reads_and_writes_as_the_estimator(tmp_path, cell):
    lm = RNNLanguageModel(
        cell=cell, num_layers=2, bptt=16, batch_size=4, max_epochs=1, **SMALL
    ).fit(LM_TEXT)
    served = _served(lm, tmp_path)
    assert served.classes_.tolist() == lm.classes_.tolist()
    assert served.score(LM_DOCS) == pytest.approx(lm.score(LM_DOCS), rel=0, abs=1e-5)
    np.testing.assert_allclose(
        served.predict_proba_next(LM_DOCS), lm.predict_proba_next(LM_DOCS), rtol=0, atol=1e-5
    )
    one = served.predict_proba_next("the c")
    np.testing.assert_allclose(one, lm.predict_proba_next("the c"), rtol=0, atol=1e-5)
    for kwargs in (
        dict(random_state=0),
        dict(prompt="the ", temperature=0.7, top_k=5, random_state=2**40 + 3),
        dict(prompt="a", random_state=np.random.RandomState(1)),
    ):
        seed = kwargs.get("random_state")
        if isinstance(seed, np.random.RandomState):  # each call draws from its own copy
            kwargs_lm = {**kwargs, "random_state": np.random.RandomState(1)}
        else:
            kwargs_lm = kwargs
        assert served.sample(40, **kwargs) == lm.sample(40, **kwargs_lm)
    for missing in ("predict_proba", "predict_nbest"):
        assert not hasattr(served, missing)
    with pytest.raises(AttributeError, match="use predict_proba_next, score or sample"):
        served.predict(LM_DOCS)


def test_word_language_model_on_token_lists(tmp_path):
    documents = [doc.split() for doc in LM_TEXT.split(". ") if doc]
    lm = RNNLanguageModel(bptt=8, batch_size=2, max_epochs=1, **SMALL).fit(documents)
    served = _served(lm, tmp_path)
    prefixes = [["the", "cat"], [], ["a", "unicorn"]]
    np.testing.assert_allclose(
        served.predict_proba_next(prefixes), lm.predict_proba_next(prefixes), atol=1e-5
    )
    assert served.score(documents[:3]) == pytest.approx(lm.score(documents[:3]), abs=1e-5)
    sampled = served.sample(12, ["the"], random_state=5)
    assert sampled == lm.sample(12, ["the"], random_state=5)
    assert set(sampled) <= set(lm.classes_) - {"<unk>", "<eos>"}
    with pytest.raises(ValueError, match="never seen in fit"):
        served.sample(3, ["unicorn"])
    with pytest.raises(ValueError, match="'top_k'"):
        served.sample(3, top_k=0)


def test_served_sampling_draws_torchs_uniform_numbers():
    from sklearn_rnn.language_model._sampling import seeded_uniforms

    for seed in (0, 7, 2**33 + 5, 2**62 - 1):
        generator = torch.Generator().manual_seed(seed)
        expected = torch.rand(50, generator=generator, dtype=torch.float64).numpy()
        np.testing.assert_array_equal(seeded_uniforms(seed, 50), expected)


def test_generative_files_hold_their_graphs_and_refuse_tampering(tmp_path):
    model = RNNSeq2Seq(max_epochs=1, **SMALL).fit(REVERSE_X, REVERSE_Y)
    path = tmp_path / "model.onnx"
    model.export_onnx(path)
    onnx.checker.check_model(str(path))
    entry = next(p for p in onnx.load(str(path)).metadata_props if p.key == "sklearn_rnn")
    document = json.loads(entry.value)
    assert document["task"] == "seq2seq" and document["inputs"] == ["inputs", "lengths"]

    def broken(value):
        return value.replace('"decoder": "', '"decoder": "AAAA')

    with pytest.raises(ModelFileError, match="decoder graph"):
        ONNXPredictor(_rewritten_metadata(path, tmp_path / "bad.onnx", broken))
    lm = RNNLanguageModel(bptt=8, max_epochs=1, **SMALL).fit(LM_TEXT)
    lm.export_onnx(path)

    def unknown_tokenizer(value):
        return value.replace('"tokenizer": "char"', '"tokenizer": "evil"')

    with pytest.raises(ModelFileError, match="unknown tokenizer"):
        ONNXPredictor(_rewritten_metadata(path, tmp_path / "bad.onnx", unknown_tokenizer))


def test_generative_models_with_unknown_parts_are_refused(tmp_path):
    path = tmp_path / "model.onnx"
    model = RNNSeq2Seq(max_epochs=1, **SMALL).fit(REVERSE_X, REVERSE_Y)
    model.module_.extra = torch.nn.Linear(2, 2)
    with pytest.raises(NotImplementedError, match="part 'extra'"):
        model.export_onnx(path)
    lm = RNNLanguageModel(bptt=8, max_epochs=1, **SMALL).fit(LM_TEXT)
    forward = lm.module_.forward
    lm.module_.forward = lambda inputs, state=None: (lambda o: (o[0] + 1.0, o[1]))(
        forward(inputs, state)
    )
    with pytest.raises(NotImplementedError, match="differ from the network's"):
        lm.export_onnx(path)
    assert not path.exists()


_GENERATIVE_SCRIPT = """
import json, sys
try:
    import torch
except ImportError:
    pass
else:
    raise SystemExit("torch is importable: " + torch.__file__)
from sklearn_rnn.serving import ONNXPredictor
seq2seq, lm = ONNXPredictor(sys.argv[1]), ONNXPredictor(sys.argv[2])
sources, documents = json.loads(sys.argv[3])
print(json.dumps({
    "outputs": seq2seq.predict(sources),
    "score": lm.score(documents),
    "sample": lm.sample(20, "the ", random_state=4),
    "modules": sorted(m for m in sys.modules if m.split(".")[0] in ("torch", "skorch")),
}))
"""


def test_generative_models_serve_in_an_environment_without_torch(tmp_path):
    python = _torch_free_environment(tmp_path / "env")
    model = RNNSeq2Seq(max_epochs=3, batch_size=8, **SMALL).fit(REVERSE_X, REVERSE_Y)
    model.export_onnx(tmp_path / "seq2seq.onnx")
    lm = RNNLanguageModel(bptt=8, max_epochs=1, **SMALL).fit(LM_TEXT)
    lm.export_onnx(tmp_path / "lm.onnx")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    args = [str(tmp_path / name) for name in ("seq2seq.onnx", "lm.onnx")]
    result = subprocess.run(
        [str(python), "-c", _GENERATIVE_SCRIPT, *args, json.dumps([SOURCES, LM_DOCS])],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    output = json.loads(result.stdout)
    assert output["modules"] == []
    assert output["outputs"] == model.predict(SOURCES)
    assert output["score"] == pytest.approx(lm.score(LM_DOCS), abs=1e-5)
    assert output["sample"] == lm.sample(20, "the ", random_state=4)


def test_seq2seq_served_reads_composed_characters_as_the_estimator(tmp_path):
    # The estimator decomposes its input (normalization="NFD"); the served model must too,
    # or a composed "é" is one unknown symbol there and the outputs differ.
    words = ["café", "cafe", "été", "ete", "né", "ne"] * 4
    outputs = [w.upper() for w in words]
    model = RNNSeq2Seq(max_epochs=3, batch_size=8, **SMALL).fit(words, outputs)
    served = _served(model, tmp_path)
    queries = ["café", "été", "né", "cé"]
    assert "\u0301" in model.encoder_.vocabulary_.tokens  # the accent, decomposed
    assert served.predict(queries) == model.predict(queries)
