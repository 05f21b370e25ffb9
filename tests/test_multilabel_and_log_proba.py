"""Multilabel classification (indicator matrices) and predict_log_proba."""

import numpy as np
import pytest
from conftest import LEARNS  # tests/ is on sys.path
from sklearn.preprocessing import MultiLabelBinarizer

from sklearn_rnn import RNNClassifier, RNNTagger

# Several labels per text take longer to learn than LEARNS's three epochs.
FAST = {**LEARNS, "max_epochs": 20, "lr": 0.02, "early_stopping": False}


@pytest.fixture(scope="module")
def tagged_texts():
    """Texts whose labels are the topics their words name; 0, 1 or 2 labels each."""
    label_sets = [{"food"}, {"sport"}, {"food", "sport"}, set(), {"music"}, {"music", "food"}]
    words = {"food": "pizza", "sport": "football", "music": "guitar"}
    texts = [" ".join(["today"] + [words[t] for t in sorted(s)] + ["again"]) for s in label_sets]
    return texts * 6, label_sets * 6


def test_multilabel_text_through_multilabelbinarizer(tagged_texts):
    texts, label_sets = tagged_texts
    binarizer = MultiLabelBinarizer()
    Y = binarizer.fit_transform(label_sets)
    clf = RNNClassifier(**FAST).fit(texts, Y)
    assert clf.classes_.tolist() == [0, 1, 2]
    predicted = clf.predict(texts)
    assert predicted.shape == Y.shape and predicted.dtype == Y.dtype
    assert binarizer.inverse_transform(clf.predict(["today guitar pizza again"])) == [
        ("food", "music")
    ]
    proba = clf.predict_proba(texts)
    assert proba.shape == Y.shape and ((proba > 0.5) == predicted.astype(bool)).all()
    assert not np.allclose(proba.sum(1), 1.0)  # one probability per label, not a softmax
    assert clf.score(texts, Y) == 1.0  # subset accuracy, as scikit-learn's
    np.testing.assert_allclose(clf.predict_log_proba(texts), np.log(proba), rtol=1e-10)


def test_multilabel_series_with_early_stopping_and_weights():
    rng = np.random.RandomState(0)
    X = rng.randn(120, 8, 2).astype(np.float32)
    Y = np.c_[X[:, :, 0].mean(1) > 0, X[:, :, 1].mean(1) > 0, X[:, -1, 0] > 0].astype(np.int8)
    clf = RNNClassifier(**dict(FAST, early_stopping=True, max_epochs=30))
    clf.fit(X, Y, sample_weight=np.linspace(0.5, 2.0, 120))
    assert clf.predict(X).dtype == np.int8
    assert "valid_acc" in clf.history[-1]
    assert clf.score(X, Y) > 0.6  # three labels right at once, on noise-free features


def test_label_sets_are_rejected_with_the_way_to_pass_them():
    with pytest.raises(TypeError, match="MultiLabelBinarizer"):
        RNNClassifier(**FAST).fit(["a", "b"], [["x", "y"], ["x"]])
    with pytest.raises(ValueError, match="class_weight"):
        RNNClassifier(**dict(FAST, class_weight="balanced")).fit(["a", "b"], [[1, 0], [0, 1]])


def test_multilabel_and_single_label_calls_do_not_mix(texts):
    X, y = texts
    clf = RNNClassifier(**dict(FAST, max_epochs=1)).fit(X, y)
    with pytest.raises(ValueError, match="fitted on single labels"):
        clf.partial_fit(X, np.ones((len(X), 2), dtype=int))
    Y = np.c_[np.arange(len(X)) % 2, np.arange(len(X)) // 2 % 2]
    clf.fit(X, Y)
    with pytest.raises(ValueError, match="3 label columns"):
        clf.partial_fit(X, np.c_[Y, Y[:, :1]])


def test_predict_log_proba_is_the_log_softmax(fitted_text_classifier, texts):
    clf = fitted_text_classifier
    log_proba = clf.predict_log_proba(texts[0])
    np.testing.assert_allclose(log_proba, np.log(clf.predict_proba(texts[0])), rtol=1e-12)
    np.testing.assert_allclose(np.exp(log_proba).sum(1), 1.0)


def test_log_proba_stays_finite_where_proba_underflows(fitted_text_classifier):
    clf = fitted_text_classifier
    with np.errstate(all="ignore"):
        clf.module_.head.linear.weight.data *= 1e4  # a model sure beyond float64's range
        try:
            log_proba = clf.predict_log_proba(["a great film", "a dull film"])
            proba = clf.predict_proba(["a great film", "a dull film"])
        finally:
            clf.module_.head.linear.weight.data /= 1e4
    assert (proba == 0).any() and np.isfinite(log_proba).all()


@pytest.mark.parametrize("crf", [False, True])
def test_tagger_predict_log_proba(crf):
    X = [["the", "dog", "runs"], ["a", "cat"]] * 5
    y = [["D", "N", "V"], ["D", "N"]] * 5
    tagger = RNNTagger(hidden_size=4, crf=crf, max_epochs=2, random_state=0).fit(X, y)
    log_proba = tagger.predict_log_proba(X[:2])
    assert [p.shape for p in log_proba] == [(3, 3), (2, 3)]
    for logs, proba in zip(log_proba, tagger.predict_proba(X[:2]), strict=True):
        np.testing.assert_allclose(logs, np.log(proba), rtol=1e-9)
