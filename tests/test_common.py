"""The contract every estimator keeps, checked over all five of them.

Each estimator fits its toy data with the tiny settings of ``conftest.TINY``. Then:
``clone``, ``get_params``/``set_params``, ``fit`` returning ``self``, ``NotFittedError``
before ``fit``, pickle and ``save``/``load`` round trips, a seeded refit, and the rule
of the design: *a public method either works for that estimator or does not exist*.

``METHODS`` below lists every public callable of the five estimators (their own, and
those inherited from scikit-learn and skorch's ``NeuralNet``), which estimators offer
it, and how it is called: as scikit-learn or skorch documents it, on the toy data. A
test checks that the estimators offer exactly these methods, so a new public method
needs a row here, and another calls each row and checks what comes back.

Where a method does not keep the contract, its case is marked ``xfail(strict=True)`` in
``BROKEN`` with the reason (strict: a fixed case fails until its entry goes); today none.

The methods, by estimator (C classifier, R regressor, T tagger, S seq2seq, L language
model; o offered and works, x offered and broken, - absent), and how each is called
on the toy data (``X_new``: three new samples; ``test_the_table_above_is_the_contract``
holds this table to ``METHODS`` and ``BROKEN``)::

method                      C R T S L  how it is called, what it must give
fit                         o o o o o  fit(X, y) is self; params unchanged
partial_fit                 o o o o o  partial_fit(X, y) is self; history grows
predict                     o o o o -  predict(X_new): one output per sample, of y's kind
predict_proba               o - o - -  predict_proba(X_new): rows sum to 1
predict_log_proba           o - o - -  predict_log_proba(X_new) == log(predict_proba)
transform                   o o - - -  transform(X_new): (n, len(get_feature_names_out()))
fit_transform               o o - - -  fit_transform(X, y): n rows, fitted
get_feature_names_out       o o - - -  get_feature_names_out(): one str per feature
set_output                  o o - - -  set_output(transform='pandas'): DataFrame, named columns
score                       o o o o o  score(X_new, y_new) (LM: score(X_new)): finite float
get_params                  o o o o o  get_params() == clone's
set_params                  o o o o o  set_params(optimizer__weight_decay=.1) is self
get_metadata_routing        o o o o o  get_metadata_routing(): consumes nothing by default
set_fit_request             o o o o o  set_fit_request(sample_weight=True): routed
set_partial_fit_request     o o o o o  set_partial_fit_request(sample_weight=True): routed
set_score_request           o o o o -  set_score_request(sample_weight=True): routed
hidden_states               o o o o o  hidden_states(X_new): (steps, units) float32 per sample
summary                     o o o o o  summary(show=False).total_params == parameter count
save                        o o o o o  save(path); load(path) predicts identically
export_onnx                 o o o o o  export_onnx(path): served predictions
predict_nbest               - - - o -  predict_nbest(X_new, n=2): best first == predict
score_sequences             - - - o -  score_sequences(X_new, y_new): (n,) log-probs <= 0
perplexity                  - - - - o  perplexity(X_new) == exp(-score)
bits_per_char               - - - - o  bits_per_char(X_new) == -score / ln 2 (characters)
predict_proba_next          - - - - o  predict_proba_next(X_new): rows sum to 1
sample                      - - - - o  sample(5, prompt='the', random_state=0): seeded text
tokenize                    - - - - o  tokenize(X_new): the characters
check_data                  o o o o o  check_data(X_new, y_new) is None
check_is_fitted             o o o o o  check_is_fitted() is None; NotFittedError on a clone
check_training_readiness    o o o o o  check_training_readiness(); raises once trimmed
trim_for_prediction         o o o o o  trim_for_prediction(): same predictions; no more fit
forward                     o o o - -  forward(X_new): tensor, n rows
forward_iter                o o o - -  forward_iter(X_new): tensors, n rows in all
get_dataset                 o o o o o  get_dataset(X_new, y_new): Dataset of them (L: tokens)
get_iterator                o o o o o  get_iterator(dataset): batches holding every sample
infer                       o o o o o  infer(batch) of a prediction batch: one output per row
evaluation_step             o o o o o  evaluation_step(batch): one output per row, no grad
train_step                  o o o o o  train_step(batch): finite loss, weights change
train_step_single           o o o o o  train_step_single(batch): finite loss, no step
validation_step             o o o o o  validation_step(batch): finite loss, no step
get_loss                    o o o o o  get_loss(infer(batch), y_true): finite scalar > 0
get_split_datasets          o o o o o  get_split_datasets(X, y): Datasets, all samples
fit_loop                    o o o o o  fit_loop(get_dataset(X, y), epochs=1): one epoch more
run_single_epoch            o o o o o  run_single_epoch(it, False, 'valid', validation_step)
get_all_learnable_params    o o o o o  get_all_learnable_params(): the trainable ones
get_default_callbacks       o o o o o  get_default_callbacks(): epoch_timer, train_loss, ...
get_params_for              o o o o o  get_params_for('optimizer') after optimizer__weight_decay
get_params_for_optimizer    o o o o o  get_params_for_optimizer('optimizer', named_parameters)
get_train_step_accumulator  o o o o o  get_train_step_accumulator(): stores a step
initialize                  o o o o o  initialize() is self: fresh weights, still predicts
initialize_callbacks        o o o o o  initialize_callbacks() is self: built anew
initialize_criterion        o o o o o  initialize_criterion() is self: built anew
initialize_module           o o o o o  initialize_module() is self: built anew
initialize_optimizer        o o o o o  initialize_optimizer() is self: built anew
initialize_virtual_params   o o o o o  initialize_virtual_params(): {}
initialize_history          o o o o o  initialize_history() is self: empty
initialized_instance        o o o o o  initialized_instance(nn.Linear, kwargs): a Linear
save_params                 o o o o o  save_params(f_params=...); load_params restores
load_params                 o o o o o  load_params(f_params=...): the saved predictions
notify                      o o o o o  notify('on_epoch_begin', ...): the net's hook runs
on_epoch_begin              o o o o o  on_epoch_begin(net): a history row
on_batch_begin              o o o o o  on_batch_begin(net, batch=None, ...): a batch row
on_train_begin              o o o o o  on_train_begin(net): no-op
on_train_end                o o o o o  on_train_end(net): no-op
on_epoch_end                o o o o o  on_epoch_end(net): no-op
on_batch_end                o o o o o  on_batch_end(net): no-op
on_grad_computed            o o o o o  on_grad_computed(net, named_parameters): no-op
torch_compile               o o o o o  torch_compile(module_, 'module') is module_ (compile=False)
"""

from __future__ import annotations

import copy
import pickle
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest
import sklearn
import torch
from conftest import TINY  # tests/ is on sys.path
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from skorch.exceptions import SkorchTrainingImpossibleError

from sklearn_rnn import (
    RNNClassifier,
    RNNLanguageModel,
    RNNRegressor,
    RNNSeq2Seq,
    RNNTagger,
    load,
)

# -- toy data: a few seconds of fitting for all five ------------------------------------


@dataclass
class Toy:
    """Training data (``X``, ``y``), three new samples (``X_new``, ``y_new``) and the
    number of steps the network reads of each of them."""

    X: object
    y: object
    X_new: list
    y_new: list | None
    steps: list[int]


TEXTS = ["a great film", "a dull film", "great fun", "awful mess"] * 4
SERIES = np.random.RandomState(0).rand(16, 5, 2).astype(np.float32)
TOKENS = [["the", "cat", "sat"], ["a", "dog", "ran", "off"], ["the", "dog"]] * 4
WORDS = ["cat", "dog", "bat", "cot"] * 4
TOYS = {
    RNNClassifier: Toy(
        TEXTS, ["pos", "neg", "pos", "neg"] * 4, TEXTS[:3], ["pos", "neg", "pos"], [3, 3, 2]
    ),
    RNNRegressor: Toy(
        SERIES, SERIES[:, -1, 0], list(SERIES[:3]), list(SERIES[:3, -1, 0]), [5, 5, 5]
    ),
    RNNTagger: Toy(
        TOKENS,
        [["D", "N", "V"], ["D", "N", "V", "P"], ["D", "N"]] * 4,
        TOKENS[:3],
        [["D", "N", "V"], ["D", "N", "V", "P"], ["D", "N"]],
        [3, 4, 2],
    ),
    RNNSeq2Seq: Toy(
        WORDS,
        [list(w.upper()) for w in WORDS],
        WORDS[:3],
        [list(w.upper()) for w in WORDS[:3]],
        [3, 3, 3],
    ),
    RNNLanguageModel: Toy(
        "the cat sat on the mat. " * 8, None, ["the cat", "a mat", "sat"], None, [7, 5, 3]
    ),
}
ESTIMATORS = list(TOYS)
ALL = frozenset(ESTIMATORS)
SEQUENCE_ESTIMATORS = ALL - {RNNLanguageModel}  # one y per sample
POOLED = frozenset({RNNClassifier, RNNRegressor})  # a fixed-size vector per sequence


def _make(cls):
    return cls(**TINY[cls])


@pytest.fixture(scope="module")
def fitted():
    """Each estimator fitted once on its toy data; tests that change one take a deep copy."""
    return {cls: _make(cls).fit(TOYS[cls].X, TOYS[cls].y) for cls in ESTIMATORS}


def _n_rows(predictions) -> int:
    return len(predictions)


def _dataset_length(estimator, toy) -> int:
    """What ``len(get_dataset(X_new))`` is: one row per sequence, but one per token of
    the documents' stream for the language model (each document and its boundary)."""
    if isinstance(estimator, RNNLanguageModel):
        return sum(n + 1 for n in toy.steps)
    return len(toy.X_new)


def _predictions(estimator, X):
    """What the estimator predicts on ``X``, as one flat array to compare bit for bit."""
    if isinstance(estimator, RNNLanguageModel):
        return np.array([estimator.score([x]) for x in X])
    if isinstance(estimator, RNNSeq2Seq):
        return np.array(
            ["".join(p) for p in estimator.predict(X)]
            + [estimator.score_sequences(X, TOYS[RNNSeq2Seq].y_new)[0]],
            dtype=object,
        )
    if isinstance(estimator, RNNTagger):
        return np.concatenate(estimator.predict_proba(X))
    if isinstance(estimator, RNNClassifier):
        return estimator.predict_proba(X)
    return estimator.predict(X)


def _same(a, b) -> bool:
    return a.shape == b.shape and bool((a == b).all())


# -- how each public method is called, and what it must give ---------------------------
#
# Each call gets a fitted estimator of its own (a deep copy: calls may train or reset it),
# its toy data and a temporary folder, and asserts on what the method returned.


def _batches(est, toy, with_y: bool):
    """skorch's view of ``X_new``: its dataset and the batches its iterator yields."""
    dataset = est.get_dataset(toy.X_new, toy.y_new if with_y else None)
    return dataset, list(est.get_iterator(dataset, training=False))


def _call_fit(est, toy, tmp_path):
    params = est.get_params()
    assert est.fit(toy.X, toy.y) is est
    assert est.get_params() == params  # fit never edits a parameter


def _call_partial_fit(est, toy, tmp_path):
    epochs = len(est.history)
    assert est.partial_fit(toy.X, toy.y) is est
    assert len(est.history) > epochs


def _call_fit_loop(est, toy, tmp_path):
    epochs = len(est.history)
    dataset = est.get_dataset(toy.X, toy.y)  # skorch: X "compatible with skorch's Dataset"
    assert est.fit_loop(dataset, epochs=1) is est
    assert len(est.history) == epochs + 1


def _call_predict(est, toy, tmp_path):
    predicted = est.predict(toy.X_new)
    assert _n_rows(predicted) == len(toy.X_new)
    if isinstance(est, RNNTagger):
        assert [len(p) for p in predicted] == [len(x) for x in toy.X_new]
        assert {t for p in predicted for t in p} <= {"D", "N", "V", "P"}
    elif isinstance(est, RNNSeq2Seq):
        assert all(isinstance(p, list) for p in predicted)
    elif isinstance(est, RNNClassifier):
        assert set(predicted) <= set(est.classes_)
    else:
        assert np.asarray(predicted).dtype.kind == "f"


def _call_predict_proba(est, toy, tmp_path):
    proba = est.predict_proba(toy.X_new)
    assert _n_rows(proba) == len(toy.X_new)
    rows = np.concatenate(proba) if isinstance(est, RNNTagger) else np.asarray(proba)
    assert rows.dtype.kind == "f"
    np.testing.assert_allclose(rows.sum(axis=-1), 1, rtol=1e-5)


def _call_predict_log_proba(est, toy, tmp_path):
    log_proba = est.predict_log_proba(toy.X_new)
    proba = est.predict_proba(toy.X_new)
    assert _n_rows(log_proba) == len(toy.X_new)
    for log_p, p in zip(log_proba, proba, strict=True):
        np.testing.assert_allclose(np.exp(log_p), p, rtol=1e-5, atol=1e-7)


def _call_transform(est, toy, tmp_path):
    features = est.transform(toy.X_new)
    assert features.shape == (len(toy.X_new), est.get_feature_names_out().shape[0])


def _call_fit_transform(est, toy, tmp_path):
    features = est.fit_transform(toy.X, toy.y)
    assert features.shape[0] == len(toy.X)
    assert est.__sklearn_is_fitted__()


def _call_get_feature_names_out(est, toy, tmp_path):
    names = est.get_feature_names_out()
    assert names.shape == (est.transform(toy.X_new[:1]).shape[1],)
    assert all(isinstance(n, str) for n in names)


def _call_set_output(est, toy, tmp_path):
    pd = pytest.importorskip("pandas")
    assert est.set_output(transform="pandas") is est
    frame = est.transform(toy.X_new)
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == list(est.get_feature_names_out())


def _call_score(est, toy, tmp_path):
    value = est.score(toy.X_new) if toy.y is None else est.score(toy.X_new, toy.y_new)
    assert isinstance(value, float) and np.isfinite(value)


def _call_get_params(est, toy, tmp_path):
    params = est.get_params()
    assert params == clone(est).get_params()
    assert params["random_state"] == 0


def _call_set_params(est, toy, tmp_path):
    assert est.set_params(max_epochs=2, optimizer__weight_decay=0.1) is est
    assert est.get_params()["optimizer__weight_decay"] == 0.1


def _call_get_metadata_routing(est, toy, tmp_path):
    routing = est.get_metadata_routing()
    assert routing.consumes("fit", ["sample_weight", "groups"]) == set()  # none requested


def _call_set_request(method: str) -> Callable:
    def call(est, toy, tmp_path):
        with sklearn.config_context(enable_metadata_routing=True):
            assert getattr(est, f"set_{method}_request")(sample_weight=True) is est
            routing = est.get_metadata_routing()
        assert routing.consumes(method, ["sample_weight"]) == {"sample_weight"}

    return call


def _call_hidden_states(est, toy, tmp_path):
    states = est.hidden_states(toy.X_new)
    width = est.hidden_size * (2 if getattr(est, "bidirectional", False) else 1)
    assert [s.shape for s in states] == [(n, width) for n in toy.steps]
    assert all(s.dtype == np.float32 and np.isfinite(s).all() for s in states)


def _call_summary(est, toy, tmp_path):
    summary = est.summary(show=False)
    n_params = sum(p.numel() for p in est.module_.parameters())
    assert summary.total_params == n_params > 0


def _call_save(est, toy, tmp_path):
    path = tmp_path / "model.sklearn_rnn"
    assert est.save(path) is None
    assert _same(_predictions(load(path), toy.X_new), _predictions(est, toy.X_new))


def _call_export_onnx(est, toy, tmp_path):
    pytest.importorskip("onnxruntime")
    from sklearn_rnn.serving import ONNXPredictor

    path = tmp_path / "model.onnx"
    est.export_onnx(path)
    served = ONNXPredictor(path)
    if isinstance(est, RNNLanguageModel):  # a language model scores text, it predicts none
        assert np.isclose(served.score(toy.X_new), est.score(toy.X_new), atol=1e-5)
        return
    assert _n_rows(served.predict(toy.X_new)) == len(toy.X_new)


def _call_predict_nbest(est, toy, tmp_path):
    nbest = est.predict_nbest(toy.X_new, n=2)
    assert len(nbest) == len(toy.X_new)
    assert all(1 <= len(pairs) <= 2 for pairs in nbest)
    assert [pairs[0][0] for pairs in nbest] == est.predict(toy.X_new)


def _call_score_sequences(est, toy, tmp_path):
    log_p = est.score_sequences(toy.X_new, toy.y_new)
    assert log_p.shape == (len(toy.X_new),) and (log_p <= 0).all()


def _call_perplexity(est, toy, tmp_path):
    assert est.perplexity(toy.X_new) == pytest.approx(np.exp(-est.score(toy.X_new)))


def _call_bits_per_char(est, toy, tmp_path):
    # Characters: bits per character is nats per token in bits.
    assert est.bits_per_char(toy.X_new) == pytest.approx(-est.score(toy.X_new) / np.log(2))


def _call_predict_proba_next(est, toy, tmp_path):
    proba = est.predict_proba_next(toy.X_new)
    assert proba.shape[0] == len(toy.X_new)
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-5)


def _call_sample(est, toy, tmp_path):
    text = est.sample(5, prompt="the", random_state=0)
    assert isinstance(text, str) and text.startswith("the") and len(text) == 8
    assert est.sample(5, prompt="the", random_state=0) == text


def _call_tokenize(est, toy, tmp_path):
    assert est.tokenize(toy.X_new) == [list(x) for x in toy.X_new]


# skorch's NeuralNet methods, called as skorch documents them.


def _call_check_data(est, toy, tmp_path):
    assert est.check_data(toy.X_new, toy.y_new) is None


def _call_check_is_fitted(est, toy, tmp_path):
    assert est.check_is_fitted() is None
    with pytest.raises(NotFittedError):
        clone(est).check_is_fitted()


def _call_check_training_readiness(est, toy, tmp_path):
    assert est.check_training_readiness() is None
    est.trim_for_prediction()
    with pytest.raises(SkorchTrainingImpossibleError):
        est.check_training_readiness()


def _call_trim_for_prediction(est, toy, tmp_path):
    before = _predictions(est, toy.X_new)
    assert est.trim_for_prediction() is None
    assert _same(_predictions(est, toy.X_new), before)
    with pytest.raises(SkorchTrainingImpossibleError):
        est.partial_fit(toy.X, toy.y)


def _call_forward(est, toy, tmp_path):
    outputs = est.forward(toy.X_new)
    assert isinstance(outputs, torch.Tensor) and len(outputs) == len(toy.X_new)


def _call_forward_iter(est, toy, tmp_path):
    parts = list(est.forward_iter(toy.X_new))
    assert all(isinstance(p, torch.Tensor) for p in parts)
    assert sum(len(p) for p in parts) == len(toy.X_new)


def _call_get_dataset(est, toy, tmp_path):
    dataset = est.get_dataset(toy.X_new, toy.y_new)
    assert isinstance(dataset, torch.utils.data.Dataset)
    assert len(dataset) == _dataset_length(est, toy)


def _covers(est, toy, batches) -> bool:
    """Whether the batches hold every sequence of ``X_new`` once (the language model's
    hold its token stream in parallel streams, all of it but the last target)."""
    if isinstance(est, RNNLanguageModel):
        return sum(batch["inputs"].numel() for batch, _ in batches) >= _dataset_length(
            est, toy
        ) - len(batches[0][0]["inputs"])
    return sorted(i for batch, _ in batches for i in batch["lengths"].tolist()) == sorted(toy.steps)


def _call_get_iterator(est, toy, tmp_path):
    dataset, batches = _batches(est, toy, with_y=toy.y_new is not None)
    assert batches and _covers(est, toy, batches)


def _call_infer(est, toy, tmp_path):
    _, batches = _batches(est, toy, with_y=False)  # prediction: no y
    with torch.no_grad():
        outputs = [est.infer(batch) for batch, _ in batches]
    assert [len(out) for out in outputs] == [len(batch["inputs"]) for batch, _ in batches]
    assert all(torch.isfinite(out).all() for out in outputs)


def _call_evaluation_step(est, toy, tmp_path):
    _, batches = _batches(est, toy, with_y=False)  # prediction: no y
    outputs = [est.evaluation_step(batch) for batch in batches]
    assert [len(out) for out in outputs] == [len(batch["inputs"]) for batch, _ in batches]
    assert not any(out.requires_grad for out in outputs)


def _step_call(name: str, training: bool) -> Callable:
    def call(est, toy, tmp_path):
        _, batches = _batches(est, toy, with_y=True)
        before = [p.detach().clone() for p in est.module_.parameters()]
        est._set_training(training)
        step = getattr(est, name)(batches[0])
        assert torch.isfinite(step["loss"]) and step["loss"].dim() == 0
        assert len(step["y_pred"]) == len(batches[0][0]["inputs"])
        changed = any(
            not torch.equal(a, b) for a, b in zip(before, est.module_.parameters(), strict=True)
        )
        assert changed is (name == "train_step")  # only train_step takes an optimizer step

    return call


def _call_get_loss(est, toy, tmp_path):
    _, batches = _batches(est, toy, with_y=True)
    batch, y_true = batches[0]
    with torch.no_grad():
        loss = est.get_loss(est.infer(batch), y_true, X=batch)
    assert loss.dim() == 0 and torch.isfinite(loss) and loss > 0


def _call_get_split_datasets(est, toy, tmp_path):
    train, valid = est.get_split_datasets(toy.X, toy.y)  # skorch: X and y as given to fit
    assert isinstance(train, torch.utils.data.Dataset)
    # All of X's samples (the language model's: its tokens, after a document boundary).
    expected = len(toy.X) + (1 if isinstance(est, RNNLanguageModel) else 0)
    assert len(train) + (len(valid) if valid is not None else 0) == expected


def _call_run_single_epoch(est, toy, tmp_path):
    dataset, batches = _batches(est, toy, with_y=True)
    est.history.new_epoch()
    iterator = est.get_iterator(dataset, training=False)
    est.run_single_epoch(iterator, training=False, prefix="valid", step_fn=est.validation_step)
    assert est.history[-1, "valid_batch_count"] == len(batches)
    assert np.isfinite(est.history[-1, "batches", -1, "valid_loss"])


def _call_get_all_learnable_params(est, toy, tmp_path):
    names = [name for name, _ in est.get_all_learnable_params()]
    trainable = [n for n, p in est.module_.named_parameters() if p.requires_grad]
    assert names == trainable and names


def _call_get_default_callbacks(est, toy, tmp_path):
    callbacks = est.get_default_callbacks()
    assert [name for name, _ in callbacks][:2] == ["epoch_timer", "train_loss"]


def _call_get_params_for(est, toy, tmp_path):
    est.set_params(optimizer__weight_decay=0.1)
    assert est.get_params_for("optimizer") == {"weight_decay": 0.1}


def _call_get_params_for_optimizer(est, toy, tmp_path):
    args, kwargs = est.get_params_for_optimizer("optimizer", est.module_.named_parameters())
    assert kwargs["lr"] == est.optimizer_.param_groups[0]["lr"]
    (groups,) = args  # skorch: the parameter groups, the net's parameters all in them
    assert sum(len(group["params"]) for group in groups) == len(list(est.module_.parameters()))


def _call_get_train_step_accumulator(est, toy, tmp_path):
    accumulator = est.get_train_step_accumulator()
    accumulator.store_step({"loss": torch.tensor(1.0)})
    assert accumulator.get_step()["loss"] == 1.0


def _call_initialize(est, toy, tmp_path):
    before = _predictions(est, toy.X_new)
    assert est.initialize() is est  # fresh weights, the same encoders
    after = _predictions(est, toy.X_new)
    assert after.shape == before.shape and not _same(after, before)


def _call_initialize_part(name: str, attribute: str) -> Callable:
    def call(est, toy, tmp_path):
        before = getattr(est, attribute)
        assert getattr(est, name)() is est
        assert getattr(est, attribute) is not before  # built anew
        assert _n_rows(_predictions(est, toy.X_new)) > 0

    return call


def _call_initialize_virtual_params(est, toy, tmp_path):
    assert est.initialize_virtual_params() is None  # skorch's returns nothing
    assert est.virtual_params_ == {}


def _call_initialize_history(est, toy, tmp_path):
    assert est.initialize_history() is est
    assert len(est.history) == 0


def _call_initialized_instance(est, toy, tmp_path):
    layer = est.initialized_instance(torch.nn.Linear, {"in_features": 2, "out_features": 3})
    assert isinstance(layer, torch.nn.Linear) and layer.out_features == 3


def _call_save_params_and_load_params(est, toy, tmp_path):
    path = tmp_path / "params.pt"
    before = _predictions(est, toy.X_new)
    assert est.save_params(f_params=path) is None
    retrained = copy.deepcopy(est).initialize()  # fresh weights, the same encoders
    retrained.load_params(f_params=path)
    assert _same(_predictions(retrained, toy.X_new), before)


def _call_notify(est, toy, tmp_path):
    epochs = len(est.history)
    assert est.notify("on_epoch_begin", dataset_train=None, dataset_valid=None) is None
    assert len(est.history) == epochs + 1  # the net's own hook ran: a new history row


def _call_on_epoch_begin(est, toy, tmp_path):
    epochs = len(est.history)
    assert est.on_epoch_begin(est) is None
    assert len(est.history) == epochs + 1


def _call_on_batch_begin(est, toy, tmp_path):
    est.history.new_epoch()
    assert est.on_batch_begin(est, batch=None, training=False) is None
    assert len(est.history[-1, "batches"]) == 1


def _call_hook(name: str) -> Callable:
    def call(est, toy, tmp_path):
        history = copy.deepcopy(est.history)
        kwargs = {}
        if name == "on_grad_computed":
            kwargs = {"named_parameters": list(est.module_.named_parameters())}
        assert getattr(est, name)(est, **kwargs) is None
        assert est.history == history  # skorch's own hooks: no-ops on the net

    return call


def _call_torch_compile(est, toy, tmp_path):
    assert est.torch_compile(est.module_, "module") is est.module_  # compile=False


@dataclass(frozen=True)
class Method:
    offered_by: frozenset
    call: Callable
    needs_fit: bool = False  # raises NotFittedError before fit


M = Method
METHODS = {
    # scikit-learn's estimator API
    "fit": M(ALL, _call_fit),
    "partial_fit": M(ALL, _call_partial_fit),
    "predict": M(SEQUENCE_ESTIMATORS, _call_predict, True),
    "predict_proba": M(frozenset({RNNClassifier, RNNTagger}), _call_predict_proba, True),
    "predict_log_proba": M(frozenset({RNNClassifier, RNNTagger}), _call_predict_log_proba, True),
    "transform": M(POOLED, _call_transform, True),
    "fit_transform": M(POOLED, _call_fit_transform),
    "get_feature_names_out": M(POOLED, _call_get_feature_names_out, True),
    "set_output": M(POOLED, _call_set_output),
    "score": M(ALL, _call_score, True),
    "get_params": M(ALL, _call_get_params),
    "set_params": M(ALL, _call_set_params),
    "get_metadata_routing": M(ALL, _call_get_metadata_routing),
    # skorch's own: fit's **fit_params may be metadata for the module's forward.
    "set_fit_request": M(ALL, _call_set_request("fit")),
    "set_partial_fit_request": M(ALL, _call_set_request("partial_fit")),
    "set_score_request": M(SEQUENCE_ESTIMATORS, _call_set_request("score")),
    # the library's own
    "hidden_states": M(ALL, _call_hidden_states, True),
    "summary": M(ALL, _call_summary, True),
    "save": M(ALL, _call_save, True),
    "export_onnx": M(ALL, _call_export_onnx, True),
    "predict_nbest": M(frozenset({RNNSeq2Seq}), _call_predict_nbest, True),
    "score_sequences": M(frozenset({RNNSeq2Seq}), _call_score_sequences, True),
    "perplexity": M(frozenset({RNNLanguageModel}), _call_perplexity, True),
    "bits_per_char": M(frozenset({RNNLanguageModel}), _call_bits_per_char, True),
    "predict_proba_next": M(frozenset({RNNLanguageModel}), _call_predict_proba_next, True),
    "sample": M(frozenset({RNNLanguageModel}), _call_sample, True),
    "tokenize": M(frozenset({RNNLanguageModel}), _call_tokenize, True),
    # skorch's NeuralNet
    "check_data": M(ALL, _call_check_data),
    "check_is_fitted": M(ALL, _call_check_is_fitted, True),
    "check_training_readiness": M(ALL, _call_check_training_readiness),
    "trim_for_prediction": M(ALL, _call_trim_for_prediction),
    "forward": M(SEQUENCE_ESTIMATORS - {RNNSeq2Seq}, _call_forward, True),
    "forward_iter": M(SEQUENCE_ESTIMATORS - {RNNSeq2Seq}, _call_forward_iter, True),
    "get_dataset": M(ALL, _call_get_dataset, True),
    "get_iterator": M(ALL, _call_get_iterator),
    "infer": M(ALL, _call_infer),
    "evaluation_step": M(ALL, _call_evaluation_step),
    "train_step": M(ALL, _step_call("train_step", training=True)),
    "train_step_single": M(ALL, _step_call("train_step_single", training=True)),
    "validation_step": M(ALL, _step_call("validation_step", training=False)),
    "get_loss": M(ALL, _call_get_loss),
    "get_split_datasets": M(ALL, _call_get_split_datasets),
    "fit_loop": M(ALL, _call_fit_loop),
    "run_single_epoch": M(ALL, _call_run_single_epoch),
    "get_all_learnable_params": M(ALL, _call_get_all_learnable_params),
    "get_default_callbacks": M(ALL, _call_get_default_callbacks),
    "get_params_for": M(ALL, _call_get_params_for),
    "get_params_for_optimizer": M(ALL, _call_get_params_for_optimizer),
    "get_train_step_accumulator": M(ALL, _call_get_train_step_accumulator),
    "initialize": M(ALL, _call_initialize, True),
    "initialize_callbacks": M(ALL, _call_initialize_part("initialize_callbacks", "callbacks_")),
    "initialize_criterion": M(ALL, _call_initialize_part("initialize_criterion", "criterion_")),
    "initialize_module": M(ALL, _call_initialize_part("initialize_module", "module_")),
    "initialize_optimizer": M(ALL, _call_initialize_part("initialize_optimizer", "optimizer_")),
    "initialize_virtual_params": M(ALL, _call_initialize_virtual_params),
    "initialize_history": M(ALL, _call_initialize_history),
    "initialized_instance": M(ALL, _call_initialized_instance),
    "save_params": M(ALL, _call_save_params_and_load_params),
    "load_params": M(ALL, _call_save_params_and_load_params),
    "notify": M(ALL, _call_notify),
    "on_epoch_begin": M(ALL, _call_on_epoch_begin),
    "on_batch_begin": M(ALL, _call_on_batch_begin),
    **{
        hook: M(ALL, _call_hook(hook))
        for hook in (
            "on_train_begin",
            "on_train_end",
            "on_epoch_end",
            "on_batch_end",
            "on_grad_computed",
        )
    },
    "torch_compile": M(ALL, _call_torch_compile),
}

# (estimator, method) cases that break the contract, and why. Strict: once fixed, the
# case fails until its entry goes.
BROKEN: dict[tuple[type, str], str] = {}


def _public_callables(estimator) -> set[str]:
    """The public methods an estimator offers: names without a leading underscore whose
    attribute exists on the instance and is callable (not a class)."""
    names = set()
    for name in dir(type(estimator)):
        if name.startswith("_"):
            continue
        try:
            attribute = getattr(estimator, name)
        except AttributeError:  # available_if or a property that refuses: absent
            continue
        if callable(attribute) and not isinstance(attribute, type):
            names.add(name)
    return names


def _cases(select=lambda cls, row: True, offered=True, broken=BROKEN):
    for method, row in METHODS.items():
        for cls in ESTIMATORS:
            if (cls in row.offered_by) is offered and select(cls, row):
                reason = broken.get((cls, method))
                marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
                yield pytest.param(cls, method, id=f"{cls.__name__}-{method}", marks=marks)


# -- the tests --------------------------------------------------------------------------


@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda cls: cls.__name__)
def test_every_public_method_is_in_the_table(cls, fitted):
    assert _public_callables(fitted[cls]) - METHODS.keys() == set()


@pytest.mark.parametrize(("cls", "method"), list(_cases(offered=False)))
def test_method_not_offered_is_absent(cls, method, fitted):
    assert method not in _public_callables(fitted[cls])
    assert method not in _public_callables(_make(cls))  # the same before fit
    assert not hasattr(fitted[cls], method)


@pytest.mark.parametrize(("cls", "method"), list(_cases()))
def test_public_method_works_on_toy_data(cls, method, fitted, tmp_path):
    METHODS[method].call(copy.deepcopy(fitted[cls]), TOYS[cls], tmp_path)


@pytest.mark.parametrize(("cls", "method"), list(_cases(lambda cls, row: row.needs_fit, broken={})))
def test_reading_method_raises_not_fitted_before_fit(cls, method, tmp_path):
    with pytest.raises(NotFittedError):
        METHODS[method].call(_make(cls), TOYS[cls], tmp_path)


@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda cls: cls.__name__)
def test_clone_has_the_parameters_and_is_unfitted(cls, fitted):
    estimator = fitted[cls]
    copy_ = clone(estimator)
    assert copy_.get_params() == estimator.get_params()
    assert type(copy_) is cls and not copy_.__sklearn_is_fitted__()
    assert not [k for k in vars(copy_) if k.endswith("_") and not k.startswith("_")]


@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda cls: cls.__name__)
def test_get_params_set_params_round_trip(cls):
    estimator = _make(cls)
    params = estimator.get_params()
    changed = {"hidden_size": 5, "lr": 0.05, "optimizer__weight_decay": 0.01}
    assert estimator.set_params(**changed) is estimator
    assert estimator.get_params() == {**params, **changed}
    assert clone(estimator).get_params() == {**params, **changed}  # routed ones survive clone
    assert estimator.set_params(**params).get_params() == {**params, **changed, **params}
    assert estimator.optimizer__weight_decay == 0.01  # a routed parameter stays, as skorch does


@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda cls: cls.__name__)
def test_fit_returns_self_and_the_same_seed_refits_bit_identically(cls, fitted):
    toy = TOYS[cls]
    estimator = _make(cls)
    assert estimator.fit(toy.X, toy.y) is estimator
    assert _same(_predictions(estimator, toy.X_new), _predictions(fitted[cls], toy.X_new))
    other = _make(cls).set_params(random_state=1).fit(toy.X, toy.y)
    assert not _same(_predictions(other, toy.X_new), _predictions(estimator, toy.X_new))


@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda cls: cls.__name__)
def test_pickle_round_trip_predicts_identically(cls, fitted):
    estimator = fitted[cls]
    restored = pickle.loads(pickle.dumps(estimator))
    assert restored.get_params().keys() == estimator.get_params().keys()
    X_new = TOYS[cls].X_new
    assert _same(_predictions(restored, X_new), _predictions(estimator, X_new))


@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda cls: cls.__name__)
def test_joblib_round_trip_predicts_identically(cls, fitted, tmp_path):
    joblib = pytest.importorskip("joblib")
    estimator = fitted[cls]
    joblib.dump(estimator, tmp_path / "model.joblib")
    restored = joblib.load(tmp_path / "model.joblib")
    X_new = TOYS[cls].X_new
    assert _same(_predictions(restored, X_new), _predictions(estimator, X_new))


@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda cls: cls.__name__)
def test_save_load_round_trip_predicts_identically(cls, fitted, tmp_path):
    estimator = fitted[cls]
    estimator.save(tmp_path / "model.sklearn_rnn")
    loaded = load(tmp_path / "model.sklearn_rnn")
    assert type(loaded) is cls and loaded.get_params() == estimator.get_params()
    X_new = TOYS[cls].X_new
    assert _same(_predictions(loaded, X_new), _predictions(estimator, X_new))


def test_the_table_above_is_the_contract():
    rows = {}
    for line in __doc__.split("::", 1)[1].strip().splitlines()[1:]:
        method, *marks = line.split()[:6]
        rows[method] = "".join(marks)
    expected = {
        method: "".join(
            ("x" if (cls, method) in BROKEN else "o") if cls in row.offered_by else "-"
            for cls in ESTIMATORS
        )
        for method, row in METHODS.items()
    }
    assert rows == expected
