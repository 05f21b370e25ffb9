"""Regression tests for the estimator layer: each one failed before the layer's redesign."""

from __future__ import annotations

import threading

import numpy as np
import pandas as pd
import pytest
import torch
from conftest import TINY  # tests/ is on sys.path
from sklearn.compose import ColumnTransformer
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import make_pipeline
from sklearn.utils.class_weight import compute_class_weight
from skorch.callbacks import (
    BatchScoring,
    Callback,
    Checkpoint,
    EarlyStopping,
    EpochScoring,
    LRScheduler,
)
from skorch.history import History

from sklearn_rnn import RNNClassifier, RNNRegressor, RNNTagger
from sklearn_rnn.callbacks import EarlyStoppingByScore

TEXTS = ["a great film", "truly great", "a dull film", "dull and bad", "great fun", "bad"] * 6
LABELS = ["pos", "pos", "neg", "neg", "pos", "neg"] * 6
# Three epochs: early stopping, callbacks and schedules need several to act on.
SMALL = {**TINY[RNNClassifier], "max_epochs": 3}


def test_early_stopping_with_balanced_class_weight_fits():
    clf = RNNClassifier(early_stopping=True, class_weight="balanced", **SMALL)
    clf.fit(TEXTS, LABELS)
    assert len(clf.history) == 3 and np.isfinite(clf.history[:, "valid_loss"]).all()


def test_fresh_fit_forgets_the_sparse_optimizer():
    clf = RNNClassifier(sparse_embeddings=True, **SMALL).fit(TEXTS, LABELS)
    assert "sparse_optimizer_" in vars(clf)
    clf.set_params(sparse_embeddings=False).fit(TEXTS, LABELS)
    assert "sparse_optimizer_" not in vars(clf)
    assert clf._optimizers == ["optimizer"]
    fresh = RNNClassifier(**SMALL).fit(TEXTS, LABELS)
    np.testing.assert_array_equal(clf.predict_proba(TEXTS), fresh.predict_proba(TEXTS))


def test_fresh_fit_forgets_pretrained_token_count():
    vectors = {"great": np.ones(4), "bad": -np.ones(4)}  # of embedding_dim
    clf = RNNClassifier(embeddings=vectors, **SMALL).fit(TEXTS, LABELS)
    assert clf.n_pretrained_tokens_ == 2
    clf.set_params(embeddings=None).fit(TEXTS, LABELS)
    assert not hasattr(clf, "n_pretrained_tokens_")


class _FailingCallback(Callback):
    def on_epoch_end(self, net, **kwargs):
        raise RuntimeError("boom")


def test_a_first_fit_that_raises_leaves_the_estimator_unfitted():
    clf = RNNClassifier(callbacks=[_FailingCallback()], **SMALL)
    with pytest.raises(RuntimeError, match="boom"):
        clf.fit(TEXTS, LABELS)
    with pytest.raises(NotFittedError):
        clf.predict(TEXTS)


def test_a_refit_that_raises_leaves_the_estimator_unfitted():
    clf = RNNClassifier(**SMALL).fit(TEXTS, LABELS)
    with pytest.raises(TypeError):
        clf.fit(TEXTS, [None] * len(TEXTS))
    with pytest.raises(NotFittedError):
        clf.predict(TEXTS)


@pytest.mark.parametrize("how", ["partial_fit", "warm_start"])
def test_early_stopping_refuses_incremental_training(how):
    clf = RNNClassifier(early_stopping=True, warm_start=how == "warm_start", **SMALL)
    with pytest.raises(ValueError, match="early_stopping=True cannot be combined"):
        getattr(clf, "partial_fit" if how == "partial_fit" else "fit")(TEXTS, LABELS)


def test_too_small_validation_split_names_validation_fraction():
    y = ["a", "b", "c"] * 7
    clf = RNNClassifier(early_stopping=True, validation_fraction=0.05, **SMALL)
    with pytest.raises(ValueError, match="validation_fraction"):
        clf.fit(TEXTS[:21], y)


def _fit_probabilities(seed: int, results: dict, barrier: threading.Barrier | None = None):
    # Dropout between two stacked unidirectional layers runs inside torch's fused kernel.
    clf = RNNClassifier(
        hidden_size=8,
        embedding_dim=8,
        num_layers=2,
        dropout=0.3,
        max_epochs=4,
        batch_size=4,
        random_state=seed,
    )
    if barrier is not None:
        barrier.wait()
    results[seed] = clf.fit(TEXTS, LABELS).predict_proba(TEXTS)


def test_seeded_fits_in_threads_give_the_sequential_models():
    sequential = {}
    for seed in range(3):
        _fit_probabilities(seed, sequential)
    threaded = {}
    barrier = threading.Barrier(3)
    threads = [
        threading.Thread(target=_fit_probabilities, args=(seed, threaded, barrier))
        for seed in range(3)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for seed in range(3):
        np.testing.assert_array_equal(threaded[seed], sequential[seed])


def test_an_unseeded_fit_in_another_thread_does_not_change_a_seeded_one():
    reference = {}
    _fit_probabilities(0, reference)
    results, barrier = {}, threading.Barrier(2)

    def unseeded():
        barrier.wait()
        RNNClassifier(hidden_size=8, dropout=0.5, max_epochs=4).fit(TEXTS, LABELS)

    other = threading.Thread(target=unseeded)
    other.start()
    _fit_probabilities(0, results, barrier)
    other.join()
    np.testing.assert_array_equal(results[0], reference[0])


def test_random_state_accepts_a_numpy_random_state():
    a = RNNClassifier(**{**SMALL, "random_state": np.random.RandomState(1)}).fit(TEXTS, LABELS)
    b = RNNClassifier(**{**SMALL, "random_state": np.random.RandomState(1)}).fit(TEXTS, LABELS)
    np.testing.assert_array_equal(a.predict_proba(TEXTS), b.predict_proba(TEXTS))


def test_epoch_scoring_roc_auc_on_training_and_validation_data():
    y = [1 if label == "pos" else 0 for label in LABELS]
    callbacks = [
        EpochScoring("roc_auc", on_train=True, name="train_auc"),
        EpochScoring("roc_auc", lower_is_better=False, name="valid_auc"),
        EpochScoring("accuracy", lower_is_better=False, name="valid_accuracy"),
    ]
    clf = RNNClassifier(early_stopping=True, callbacks=callbacks, **SMALL).fit(TEXTS, y)
    for key in ("train_auc", "valid_auc", "valid_accuracy"):
        scores = clf.history[:, key]
        assert len(scores) == 3 and all(0.0 <= s <= 1.0 for s in scores)
    # The callback's accuracy is the library's own validation accuracy.
    np.testing.assert_allclose(clf.history[:, "valid_accuracy"], clf.history[:, "valid_acc"])


def test_epoch_scoring_with_string_labels_compares_user_labels():
    scorer = EpochScoring("accuracy", on_train=True, name="train_accuracy")
    # A model that learns the texts: its score is compared with the callback's.
    learns = {**SMALL, "hidden_size": 8, "embedding_dim": 8, "max_epochs": 20, "lr": 0.01}
    clf = RNNClassifier(callbacks=[scorer], **learns)
    clf.fit(TEXTS, LABELS)
    assert clf.history[-1, "train_accuracy"] == clf.score(TEXTS, LABELS) > 0.9


def test_batch_scoring_runs_on_padded_batches():
    y = [1 if label == "pos" else 0 for label in LABELS]
    scorer = BatchScoring("accuracy", on_train=True, name="batch_accuracy")
    clf = RNNClassifier(callbacks=[scorer], **SMALL).fit(TEXTS, y)
    assert len(clf.history[:, "batch_accuracy"]) == 3


def test_lr_scheduler_changes_the_learning_rate():
    scheduler = LRScheduler(policy=torch.optim.lr_scheduler.StepLR, step_size=1, gamma=0.5)
    clf = RNNClassifier(callbacks=[scheduler], **SMALL).fit(TEXTS, LABELS)
    assert clf.optimizer_.param_groups[0]["lr"] == pytest.approx(clf.lr_ * 0.5**3)


def test_checkpoint_writes_the_weights(tmp_path):
    checkpoint = Checkpoint(monitor="train_loss_best", dirname=str(tmp_path))
    RNNClassifier(callbacks=[checkpoint], **SMALL).fit(TEXTS, LABELS)
    assert (tmp_path / "params.pt").stat().st_size > 0


def test_a_users_early_stopping_stops_training():
    stopper = EarlyStopping(monitor="train_loss", patience=1, threshold=10.0)
    clf = RNNClassifier(callbacks=[stopper], **{**SMALL, "max_epochs": 20}).fit(TEXTS, LABELS)
    assert len(clf.history) == 2


def test_forward_returns_rows_in_input_order():
    clf = RNNClassifier(**SMALL).fit(TEXTS, LABELS)
    X = [TEXTS[0] + " really" * k for k in range(40, 0, -1)] + TEXTS  # longest first
    logits = clf.forward(X)
    assert logits.shape == (len(X), 2)
    np.testing.assert_array_equal(clf.classes_[logits.argmax(1).numpy()], clf.predict(X))
    dataset = clf.get_dataset(X)
    torch.testing.assert_close(clf.forward(dataset), logits)
    torch.testing.assert_close(torch.cat(list(clf.forward_iter(dataset))), logits)
    np.testing.assert_array_equal(clf.predict(dataset), clf.predict(X))


def test_tagger_forward_pads_per_step_outputs():
    X = [["the", "dog"], ["a", "cat", "sat", "down"], ["dogs"]] * 12
    y = [["D", "N"], ["D", "N", "V", "P"], ["N"]] * 12
    tagger = RNNTagger(**SMALL).fit(X, y)
    emissions = tagger.forward(X)
    assert emissions.shape == (len(X), 4, 4)
    assert tagger.classes_[emissions[1].argmax(1).numpy()].tolist() == tagger.predict(X)[1]


def test_iterator_and_dataset_parameters_are_rejected():
    for key in ("iterator_train__shuffle", "iterator_valid__batch_size", "train_split"):
        with pytest.raises(ValueError, match=key):
            RNNClassifier(**{key: False}, **SMALL).fit(TEXTS, LABELS)


def test_criterion_parameters_are_honoured():
    clf = RNNClassifier(criterion__label_smoothing=0.2, class_weight="balanced", **SMALL)
    clf.fit(TEXTS, LABELS)
    assert clf.criterion_.label_smoothing == 0.2
    balanced = compute_class_weight("balanced", classes=clf.classes_, y=LABELS)
    np.testing.assert_allclose(clf.criterion_.weight.numpy(), balanced, rtol=1e-6)

    class HalfMSE(torch.nn.MSELoss):
        def forward(self, input, target):
            return 0.5 * super().forward(input, target)

    X = np.random.RandomState(0).rand(16, 4, 1).astype("float32")
    reg = RNNRegressor(criterion=HalfMSE, **SMALL).fit(X, X.sum((1, 2)))
    assert isinstance(reg.criterion_, HalfMSE)


def test_callbacks_disable_is_rejected():
    with pytest.raises(ValueError, match="callbacks"):
        RNNClassifier(callbacks="disable", **SMALL).fit(TEXTS, LABELS)


@pytest.mark.parametrize("name, value", [("warm_start", "no"), ("verbose", "x")])
def test_unchecked_parameters_are_checked(name, value):
    with pytest.raises(ValueError, match=name):
        RNNClassifier(**{name: value}, **SMALL).fit(TEXTS, LABELS)


def test_classifier_rejects_mixed_bool_and_int_labels_as_the_tagger_does():
    with pytest.raises(TypeError, match="one type"):
        RNNClassifier(**SMALL).fit(TEXTS[:4], [True, 1, False, 0])
    with pytest.raises(TypeError, match="one type"):
        RNNTagger(**SMALL).fit([["a"], ["b"], ["c"], ["d"]], [[True], [1], [False], [0]])


def test_a_column_transformer_text_column_is_read_as_text():
    frame = pd.DataFrame({"text": TEXTS, "n": range(len(TEXTS))})
    pipe = make_pipeline(
        ColumnTransformer([("text", "passthrough", ["text"])]),
        RNNClassifier(**SMALL),
    )
    pipe.fit(frame, LABELS)
    direct = RNNClassifier(**SMALL).fit(TEXTS, LABELS)
    np.testing.assert_array_equal(pipe.predict_proba(frame), direct.predict_proba(TEXTS))


def test_initialize_before_fit_says_the_network_comes_from_the_data():
    with pytest.raises(NotFittedError, match="builds its network from the data in fit"):
        RNNClassifier().initialize()


def test_summary_prints_its_table_once(capsys):
    clf = RNNClassifier(**SMALL).fit(TEXTS, LABELS)
    result = clf.summary()
    assert capsys.readouterr().out.count("Total params") == 1
    assert "\n" not in repr(result) and "Total params" in str(result)


def test_summary_does_not_change_the_random_state():
    clf = RNNClassifier(dropout=0.5, **SMALL).fit(TEXTS, LABELS)
    state = torch.get_rng_state()
    clf.summary(show=False)
    assert torch.equal(state, torch.get_rng_state())


def test_get_params_lists_only_parameters():
    params = RNNClassifier().get_params()
    assert not [key for key in params if key.startswith("callbacks__")]
    assert "cell" in params and "callbacks" in params


class _FakeNet:
    def __init__(self):
        self.history = History()
        self.module_ = torch.nn.Linear(1, 1)
        self.verbose = 0


def test_early_stopping_breaks_accuracy_ties_by_loss():
    net = _FakeNet()
    stopper = EarlyStoppingByScore((("valid_acc", False), ("valid_loss", True)), patience=3)
    stopper.on_train_begin(net)
    for epoch, (acc, loss) in enumerate([(0.5, 1.0), (0.8, 0.9), (0.8, 0.7), (0.8, 0.8)], 1):
        net.history.new_epoch()
        net.history.record("epoch", epoch)
        net.history.record("valid_acc", acc)
        net.history.record("valid_loss", loss)
        stopper.on_epoch_end(net)
    assert stopper.best_epoch_ == 3


def test_early_stopping_stops_after_patience_epochs_without_improvement():
    net = _FakeNet()
    stopper = EarlyStoppingByScore((("valid_loss", True),), patience=2)
    stopper.on_train_begin(net)
    with pytest.raises(KeyboardInterrupt):  # skorch's signal to end training
        for epoch, loss in enumerate([1.0, 0.5, 0.6, 0.7, 0.4], 1):
            net.history.new_epoch()
            net.history.record("epoch", epoch)
            net.history.record("valid_loss", loss)
            stopper.on_epoch_end(net)
    assert len(net.history) == 4 and stopper.best_epoch_ == 2


def test_classifier_early_stopping_keeps_the_best_epoch():
    clf = RNNClassifier(early_stopping=True, patience=2, **{**SMALL, "max_epochs": 8})
    clf.fit(TEXTS * 3, LABELS * 3)
    stopper = dict(clf.callbacks_)["early_stopping"]
    accuracy = np.array(clf.history[:, "valid_acc"])
    loss = np.array(clf.history[:, "valid_loss"])
    best = stopper.best_epoch_ - 1
    assert accuracy[best] == accuracy.max()
    assert loss[best] == loss[accuracy == accuracy.max()].min()  # ties broken by loss
