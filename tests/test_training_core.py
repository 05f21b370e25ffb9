"""The training core's shape: every estimator derives from it without copies or shadows.

Each test states a property of the design (``../shared/DESIGN.md``, "How the estimator
layer divides the work") that a regression would break: the class hierarchy stays
shallow, no class attribute stands in for a constructor parameter, skorch's extension
points are defined once in our code, and the language model's bar counts its batches.
"""

from __future__ import annotations

import contextlib
import inspect
import io

import numpy as np
import pytest
import torch
from skorch import NeuralNet

from sklearn_rnn import RNNClassifier, RNNLanguageModel, RNNRegressor, RNNSeq2Seq, RNNTagger
from sklearn_rnn._base._sequence_estimator import SequenceEstimator
from sklearn_rnn._base._training import TrainingCore

ESTIMATORS = [RNNClassifier, RNNRegressor, RNNTagger, RNNSeq2Seq, RNNLanguageModel]


def _ours(cls) -> list[type]:
    return [k for k in cls.__mro__ if k.__module__.startswith("sklearn_rnn")]


def _parameters(cls) -> set[str]:
    signature = inspect.signature(cls.__init__).parameters.items()
    return {n for n, p in signature if n != "self" and p.kind is not p.VAR_KEYWORD}


def test_classifier_hierarchy_has_at_most_five_of_our_classes():
    assert len(_ours(RNNClassifier)) <= 5, [k.__name__ for k in _ours(RNNClassifier)]


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=lambda e: e.__name__)
def test_every_estimator_derives_from_the_training_core(estimator):
    assert issubclass(estimator, TrainingCore)
    # The language model has no sequence-per-sample layer: it reads streams.
    assert issubclass(estimator, SequenceEstimator) == (estimator is not RNNLanguageModel)


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=lambda e: e.__name__)
def test_no_class_attribute_stands_in_for_a_parameter(estimator):
    # A name another estimator takes as a constructor argument, but this one holds as a
    # class attribute of ours, would be a parameter that clone() and set_params() miss.
    every_parameter = set().union(*map(_parameters, ESTIMATORS))
    not_ours = every_parameter - _parameters(estimator)
    shadows = {
        (klass.__name__, name)
        for klass in _ours(estimator)
        for name in vars(klass)
        if name in not_ours
    }
    assert not shadows


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=lambda e: e.__name__)
def test_every_constructor_argument_has_a_constraint(estimator):
    assert sorted(_parameters(estimator) - set(estimator._constraints())) == []


SKORCH_HOOKS = [
    name
    for name, value in vars(NeuralNet).items()
    if callable(value) and not name.startswith("__") and name != "_get_param_names"
]


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=lambda e: e.__name__)
def test_skorch_extension_points_are_defined_once_in_our_classes(estimator):
    # A hook defined by two of our classes on the way would be chained by super(), the
    # order of the bases deciding silently what runs (the old mixins' problem).
    redefined = {}
    for name in SKORCH_HOOKS:
        owners = [k.__name__ for k in _ours(estimator) if callable(vars(k).get(name))]
        if len(owners) > 1:
            redefined[name] = owners
    assert not redefined


def test_language_model_rejects_auto_for_its_plain_parameters():
    with pytest.raises(ValueError, match="'hidden_size'"):
        RNNLanguageModel(hidden_size="auto").fit("some text " * 20)


@pytest.mark.parametrize(
    "estimator, methods",
    [
        (RNNLanguageModel, ["predict", "predict_proba", "forward", "forward_iter"]),
        (RNNSeq2Seq, ["predict_proba", "forward", "forward_iter"]),
    ],
    ids=["RNNLanguageModel", "RNNSeq2Seq"],
)
def test_methods_that_cannot_work_do_not_exist(estimator, methods):
    instance = estimator()
    assert [name for name in methods if hasattr(instance, name)] == []


def test_language_model_progress_bar_counts_its_batches():
    # skorch's own count divides the number of tokens by batch_size.
    text = "the cat sat on the mat. " * 40
    lm = RNNLanguageModel(
        hidden_size=8, embedding_dim=4, bptt=16, batch_size=4, max_epochs=1, progress_bar=True
    )
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        lm.fit(text)
    n_batches = len(lm.get_iterator(lm._make_dataset(lm._check_X(text, reset=False))))
    assert f"{n_batches}/{n_batches}" in err.getvalue()


def test_seq2seq_trains_with_pretrained_frozen_input_vectors():
    words = ["cat", "dog", "bat", "cot"] * 4
    outputs = [w.upper() for w in words]
    vectors = {c: np.full(4, i, dtype=np.float32) for i, c in enumerate("abcdgot")}
    model = RNNSeq2Seq(
        embedding_dim=4,
        embeddings=vectors,
        freeze_embeddings=True,
        hidden_size=8,
        max_epochs=2,
        random_state=0,
    ).fit(words, outputs)
    weight = model.module_.input_layer.embedding.weight
    row = int(model.encoder_.vocabulary_.encode(["d"])[0])
    assert not weight.requires_grad
    assert torch.equal(weight[row], torch.full((4,), 3.0))  # "d" is the fourth letter


def test_seq2seq_stops_on_a_training_loss_plateau():
    words = ["ab", "ba"] * 8
    model = RNNSeq2Seq(
        hidden_size=8, max_epochs=50, n_iter_no_change=2, tol=1e9, random_state=0
    ).fit(words, words)
    assert len(model.history) < 50
