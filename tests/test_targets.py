"""The target encoders: round trips, their stored state, the numpy CRF decoding, strict JSON.

Each encoder turns the user's targets into what the network learns and its raw outputs
back; the estimators, the model file and the served model share them.
"""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from sklearn_rnn import ModelFileError, RNNClassifier, load
from sklearn_rnn._files import strict_json_loads
from sklearn_rnn._targets import (
    TARGET_ENCODERS,
    CRFScores,
    LabelTargets,
    ScaledValues,
    SequenceTargets,
    StepLabels,
    check_targets,
    marginals,
    viterbi,
)

ROOT = Path(__file__).resolve().parents[1]


def _one_hot(ids: np.ndarray, n: int) -> np.ndarray:
    """Logits whose argmax is ``ids``."""
    return np.eye(n)[ids] * 5.0 - 1.0


def _object_rows(rows) -> np.ndarray:
    y = np.empty(len(rows), dtype=object)
    for i, row in enumerate(rows):
        y[i] = np.asarray(row)
    return y


@pytest.mark.parametrize(
    "y",
    [
        np.array(["pos", "neg", "pos", "maybe"]),
        np.array([3, -7, 3, 0], dtype=np.int32),
        np.array([True, False, True, True]),
        np.array(["yes", "no", "no", "yes"], dtype=object),
    ],
    ids=["str", "int32", "bool", "object"],
)
def test_labels_round_trip_with_their_dtype(y):
    targets = LabelTargets().fit(y)
    ids = targets.transform(y)
    assert ids.dtype == np.int64
    decoded = targets.inverse_transform(_one_hot(ids, len(targets.classes_)))
    assert decoded.tolist() == y.tolist()
    assert decoded.dtype == y.dtype


@pytest.mark.parametrize("dtype", [np.int64, np.float32, bool])
def test_indicator_rows_round_trip_in_the_dtype_of_y(dtype):
    y = np.array([[1, 0, 1], [0, 0, 1], [1, 1, 0]], dtype=dtype)
    targets = LabelTargets().fit(y)
    encoded = targets.transform(y)
    assert encoded.dtype == np.float32 and targets.classes_.tolist() == [0, 1, 2]
    decoded = targets.inverse_transform(encoded * 4.0 - 2.0)  # logits > 0 where y is 1
    np.testing.assert_array_equal(decoded, y)
    assert decoded.dtype == y.dtype
    np.testing.assert_allclose(targets.predict_proba(np.zeros((1, 3))), 0.5)


def test_label_targets_refuse_what_they_cannot_encode():
    targets = LabelTargets().fit(np.array(["a", "b"]))
    with pytest.raises(ValueError, match=r"labels not seen in fit: \['c'\]"):
        targets.transform(np.array(["a", "c"]))
    with pytest.raises(ValueError, match="fitted on single labels"):
        targets.transform(np.array([[0, 1]]))
    with pytest.raises(ValueError, match="only one class"):
        LabelTargets().fit(np.array(["a", "a"]))
    with pytest.raises(ValueError, match="classes has 3 entries"):
        LabelTargets().fit(np.array([[0, 1], [1, 0]]), classes=[0, 1, 2])


@pytest.mark.parametrize("shape", [(6,), (6, 3)])
@pytest.mark.parametrize("scale", [True, False])
def test_scaled_values_round_trip(shape, scale):
    y = np.random.default_rng(0).normal(5.0, 3.0, shape)
    targets = ScaledValues(scale=scale).fit(y)
    encoded = targets.transform(y)
    assert encoded.dtype == np.float32 and encoded.shape == (6, 1 if len(shape) == 1 else 3)
    if scale:
        np.testing.assert_allclose(encoded.mean(0), 0.0, atol=1e-6)
    decoded = targets.inverse_transform(encoded.astype(np.float64))
    assert decoded.shape == y.shape
    np.testing.assert_allclose(decoded, y, rtol=1e-6)


def test_a_constant_target_column_is_not_divided_by_zero():
    y = np.array([[1.0, 2.0], [1.0, 4.0]])
    targets = ScaledValues().fit(y)
    np.testing.assert_array_equal(targets.transform(y)[:, 0], [0.0, 0.0])
    np.testing.assert_array_equal(targets.inverse_transform(np.zeros((1, 2))), [[1.0, 3.0]])


def test_step_labels_round_trip():
    y = _object_rows([["D", "N", "V"], ["N"], ["V", "V"]])
    targets = StepLabels().fit(y)
    ids, lengths = targets.transform(y)
    assert lengths.tolist() == [3, 1, 2]
    assert targets.inverse_transform(ids, lengths) == [list(row) for row in y]
    with pytest.raises(ValueError, match=r"labels not seen in fit: \['X'\]"):
        targets.transform(_object_rows([["X"]]))


def test_step_labels_decode_padded_scores_per_step_or_by_the_crf():
    targets = StepLabels().fit(_object_rows([["A", "B"]]))
    scores = np.array([[[2.0, 0.0], [0.0, 1.0], [9.0, 0.0]], [[0.0, 1.0], [5.0, 0.0], [0.0, 0.0]]])
    mask = np.array([[True, True, False], [True, True, True]])
    argmax = targets.best_tags(scores, mask)
    assert targets.inverse_transform(argmax[mask], mask.sum(1)) == [["A", "B"], ["B", "A", "A"]]
    # A transition A -> B so costly that the best path stays on A.
    crf = CRFScores(np.array([[0.0, -10.0], [0.0, 0.0]]), np.zeros(2), np.zeros(2))
    path = targets.best_tags(scores, mask, crf)
    assert targets.inverse_transform(path[mask], mask.sum(1)) == [["A", "A"], ["B", "A", "A"]]
    proba = targets.step_proba(scores, mask, crf)
    np.testing.assert_allclose(proba.sum(2), mask.astype(float))


@pytest.mark.parametrize("kind", ["text", "tokens"])
def test_output_sequences_round_trip(kind):
    Y = ["K AE1 T", "AE1 T", "D AO1 G"]
    if kind == "tokens":
        Y = [y.split() for y in Y]
    targets = SequenceTargets("whitespace").fit(*check_targets(Y, len(Y)))
    ids, lengths = targets.transform(Y)
    rows = np.split(ids, np.cumsum(lengths)[:-1])
    assert all(row[-1] == 2 for row in rows)  # each ends with the end of sequence
    assert targets.inverse_transform([row[:-1].tolist() for row in rows]) == Y


def _encoders():
    y_steps = _object_rows([["D", "N"], ["N"]])
    return [
        LabelTargets().fit(np.array(["b", "a", "b"])),
        LabelTargets().fit(np.array([[1, 0], [0, 1]], dtype=np.int8)),
        ScaledValues().fit(np.array([[1.0, 2.0], [3.0, 5.0]])),
        StepLabels().fit(y_steps),
        SequenceTargets("char").fit(*check_targets(["ab", "ba"], 2)),
    ]


@pytest.mark.parametrize("encoder", _encoders(), ids=lambda e: type(e).__name__)
def test_an_encoder_rebuilt_from_its_state_decodes_alike(encoder):
    rebuilt = TARGET_ENCODERS[type(encoder).__name__].from_state(encoder.state())
    if isinstance(encoder, SequenceTargets):
        ids = [[4, 5], [5]]
        assert rebuilt.inverse_transform(ids) == encoder.inverse_transform(ids)
        return
    raw = np.random.default_rng(0).normal(size=(4, 2))
    if isinstance(encoder, StepLabels):
        assert rebuilt.inverse_transform([0, 1, 1], np.array([2, 1])) == [["D", "N"], ["N"]]
        return
    np.testing.assert_array_equal(rebuilt.inverse_transform(raw), encoder.inverse_transform(raw))


def test_a_malformed_state_is_refused():
    state = LabelTargets().fit(np.array(["a", "b"])).state()
    with pytest.raises(ValueError, match="holds"):
        LabelTargets.from_state({**state, "extra_": 1})
    with pytest.raises(TypeError, match="classes_"):
        LabelTargets.from_state({**state, "classes_": "ab"})
    with pytest.raises(TypeError, match="mean_"):
        ScaledValues.from_state({"mean_": [0.0], "scale_": np.ones(1), "ndim_": 1})
    with pytest.raises(ValueError, match="do not fit 3 tags"):
        CRFScores.checked(np.zeros((2, 2)), np.zeros(2), np.zeros(2), n_tags=3)


def test_numpy_viterbi_is_the_best_path_by_brute_force():
    rng = np.random.default_rng(0)
    crf = CRFScores(rng.normal(size=(3, 3)), rng.normal(size=3), rng.normal(size=3))
    emissions = rng.normal(size=(2, 4, 3))
    mask = np.array([[True] * 4, [True, True, False, False]])
    paths = viterbi(emissions, mask, crf)
    probabilities = marginals(emissions, mask, crf)
    for b, length in enumerate(mask.sum(1)):
        candidates = list(itertools.product(range(3), repeat=int(length)))
        scores = []
        for path in candidates:
            score = crf.start_transitions[path[0]] + crf.end_transitions[path[-1]]
            score += sum(emissions[b, t, tag] for t, tag in enumerate(path))
            score += sum(crf.transitions[i, j] for i, j in itertools.pairwise(path))
            scores.append(score)
        assert tuple(paths[b, :length]) == candidates[int(np.argmax(scores))]
        assert (paths[b, length:] == 0).all()
        weights = np.exp(np.array(scores) - max(scores))
        weights /= weights.sum()
        expected = np.zeros((length, 3))
        for path, weight in zip(candidates, weights, strict=True):
            expected[np.arange(length), path] += weight
        np.testing.assert_allclose(probabilities[b, :length], expected, atol=1e-12)


# -- strict JSON: one check, one exception type ------------------------------------------


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_non_standard_json_constants_raise_value_error(constant):
    with pytest.raises(ValueError, match=f"non-standard JSON constant {constant}") as error:
        strict_json_loads(f'{{"lr": {constant}}}')
    assert type(error.value) is ValueError
    assert strict_json_loads('{"lr": 1e308}') == {"lr": 1e308}


def test_a_model_file_with_a_nan_constant_is_corrupted(tmp_path, texts):
    import zipfile

    clf = RNNClassifier(hidden_size=4, max_epochs=1, random_state=0).fit(*texts)
    clf.save(tmp_path / "good.sklearn_rnn")
    with zipfile.ZipFile(tmp_path / "good.sklearn_rnn") as archive:
        config = json.loads(archive.read("config.json"))
        weights = archive.read("model.safetensors")
    config["params"]["lr"] = "__NAN__"
    text = json.dumps(config).replace('"__NAN__"', "NaN")
    with zipfile.ZipFile(tmp_path / "bad.sklearn_rnn", "w") as archive:
        archive.writestr("config.json", text)
        archive.writestr("model.safetensors", weights)
    with pytest.raises(ModelFileError, match="non-standard JSON constant NaN"):
        load(tmp_path / "bad.sklearn_rnn")


def test_the_target_encoders_import_no_torch():
    code = (
        "import sys, sklearn_rnn._targets, sklearn_rnn._files, "
        "sklearn_rnn.encoding._batching; "
        "assert 'torch' not in sys.modules and 'skorch' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, timeout=120)
