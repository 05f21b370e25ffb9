"""RNNTagger: one label per step, in and out of scikit-learn."""

import copy
import itertools
import json
import pickle

import numpy as np
import pytest
import torch
from conftest import tiny  # tests/ is on sys.path
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone, is_classifier
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV, KFold, check_cv, cross_val_score

from sklearn_rnn._targets import _crf as _targets_crf
from sklearn_rnn.datasets import load_conllu
from sklearn_rnn.metrics import entity_f1_scorer, token_accuracy
from sklearn_rnn.nn import LinearChainCRF
from sklearn_rnn.tagger import RNNTagger

CELLS = ["rnn", "lstm", "gru"]
# What learning the toy grammar takes beyond conftest.TINY: 16 units, 16-dim words, 8-dim
# characters (epochs at each call).
FAST = dict(hidden_size=16, embedding_dim=16, char_embedding_dim=8, lr=0.01)
NO_HIDDEN = {k: v for k, v in FAST.items() if k != "hidden_size"}

DETS = ["the", "a", "this", "every"]
NOUNS = ["dog", "cat", "bird", "horse", "fish", "child", "teacher", "farmer"]
VERBS = ["runs", "sleeps", "eats", "sees", "likes", "sings"]
ADJS = ["big", "small", "red", "old"]


def _toy_corpus(n, seed=0):
    """Sentences DET (ADJ) NOUN VERB (DET NOUN) with their tags."""
    rng = np.random.RandomState(seed)
    X, y = [], []
    for _ in range(n):
        tokens, tags = [rng.choice(DETS)], ["DET"]
        if rng.rand() < 0.5:
            tokens.append(rng.choice(ADJS))
            tags.append("ADJ")
        tokens += [rng.choice(NOUNS), rng.choice(VERBS)]
        tags += ["NOUN", "VERB"]
        if rng.rand() < 0.5:
            tokens += [rng.choice(DETS), rng.choice(NOUNS)]
            tags += ["DET", "NOUN"]
        X.append([str(t) for t in tokens])
        y.append(tags)
    return X, y


def _ner_corpus(n, seed=0):
    """Capitalised names are persons (B-PER I-PER), capitalised towns are locations."""
    rng = np.random.RandomState(seed)
    first, last = ["Ann", "Bob", "Eve", "Tom"], ["Smith", "Jones", "Brown"]
    towns = ["Paris", "Rome"]
    X, y = [], []
    for _ in range(n):
        tokens, tags = [], []
        if rng.rand() < 0.5:
            tokens += [rng.choice(first), rng.choice(last)]
            tags += ["B-PER", "I-PER"]
        else:
            tokens += [rng.choice(first)]
            tags += ["B-PER"]
        tokens += ["lives", "in", rng.choice(towns)]
        tags += ["O", "O", "B-LOC"]
        X.append([str(t) for t in tokens])
        y.append(tags)
    return X, y


@pytest.fixture(scope="module")
def toy():
    return _toy_corpus(120)


@pytest.fixture(scope="module")
def fitted(toy):
    return tiny(RNNTagger, max_epochs=15, **FAST).fit(*toy)


@pytest.fixture(scope="module")
def fitted_crf(toy):
    return tiny(RNNTagger, max_epochs=15, crf=True, **FAST).fit(*toy)


# -- the API ---------------------------------------------------------------------------


@pytest.mark.parametrize("model", ["fitted", "fitted_crf"])
def test_predict_and_proba_have_one_row_per_step(request, model, toy):
    tagger = request.getfixturevalue(model)
    X = [["the", "dog", "runs"], ["a"], ["every", "old", "unseen", "words", "sing", "x"]]
    predicted = tagger.predict(X)
    assert isinstance(predicted, list) and all(isinstance(row, list) for row in predicted)
    assert [len(row) for row in predicted] == [3, 1, 6]
    assert all(type(label) is str for row in predicted for label in row)
    assert tagger.classes_.tolist() == ["ADJ", "DET", "NOUN", "VERB"]
    proba = tagger.predict_proba(X)
    assert [p.shape for p in proba] == [(3, 4), (1, 4), (6, 4)]
    for p in proba:
        assert p.dtype == np.float64
        np.testing.assert_allclose(p.sum(axis=1), 1.0, atol=1e-9)
        assert (p >= 0).all()
    assert tagger.score(*toy) > 0.97
    assert predicted[0] == ["DET", "NOUN", "VERB"]


def test_not_classifier_typed_and_token_accuracy_score(fitted, toy):
    assert not is_classifier(fitted)
    assert fitted.__sklearn_tags__().estimator_type is None
    assert isinstance(check_cv(3, toy[1], classifier=is_classifier(fitted)), KFold)
    X, y = _toy_corpus(30, seed=1)
    assert fitted.score(X, y) == pytest.approx(token_accuracy(y, fitted.predict(X)))


def test_crf_marginals_match_brute_force_enumeration():
    torch.manual_seed(0)
    crf = LinearChainCRF(3)
    emissions = torch.randn(2, 4, 3, dtype=torch.float64)
    mask = torch.tensor([[True] * 4, [True, True, False, False]])
    marginals = crf.marginals(emissions, mask)
    for b, length in enumerate(mask.sum(1).tolist()):
        expected = torch.zeros(length, 3, dtype=torch.float64)
        paths = list(itertools.product(range(3), repeat=length))
        tags = torch.tensor(paths)
        padded = torch.zeros(len(paths), 4, dtype=torch.int64)
        padded[:, :length] = tags
        every = len(paths)
        scores = crf.score_paths(
            emissions[b : b + 1].expand(every, -1, -1), padded, mask[b : b + 1].expand(every, -1)
        ).detach()
        weights = torch.softmax(scores, 0)
        for t in range(length):
            expected[t].index_add_(0, tags[:, t], weights)
        torch.testing.assert_close(marginals[b, :length], expected)
        assert (marginals[b, length:] == 0).all()


def test_crf_predict_is_a_viterbi_path(fitted_crf, monkeypatch):
    crf = fitted_crf.module_.crf
    assert isinstance(crf, LinearChainCRF)
    decoded = []
    viterbi = _targets_crf.viterbi

    def recording_viterbi(emissions, mask, scores):
        paths = viterbi(emissions, mask, scores)
        decoded.append(paths)
        return paths

    monkeypatch.setattr(_targets_crf, "viterbi", recording_viterbi)
    predicted = fitted_crf.predict([["the", "small", "dog", "sees", "a", "cat"]])
    assert predicted == [["DET", "ADJ", "NOUN", "VERB", "DET", "NOUN"]]
    # The labels are the CRF's Viterbi path, not a per-step argmax.
    assert len(decoded) == 1
    assert fitted_crf.classes_[decoded[0][0]].tolist() == predicted[0]


def test_ewt_slice_beats_majority_baseline(ewt_dir):
    X, y = load_conllu(ewt_dir / "en_ewt-ud-train.conllu")
    X_train, y_train, X_test, y_test = X[:600], y[:600], X[600:800], y[600:800]
    counts = {}
    for tag in itertools.chain.from_iterable(y_train):
        counts[tag] = counts.get(tag, 0) + 1
    majority = max(counts, key=counts.get)
    baseline = token_accuracy(y_test, [[majority] * len(s) for s in X_test])
    tagger = RNNTagger(
        hidden_size=32,
        embedding_dim=32,
        char_embedding_dim=16,
        max_epochs=4,
        lr=0.01,
        random_state=0,
    ).fit(X_train, y_train)
    accuracy = tagger.score(X_test, y_test)
    assert accuracy > baseline + 0.4, (accuracy, baseline)


def test_char_features_tag_unseen_words_by_their_spelling():
    # The tag is in the suffix; the test words never occur in training.
    rng = np.random.RandomState(0)
    stems = ["".join(rng.choice(list("bcdfgklmnprst"), 4)) for _ in range(60)]
    suffix = {"NOUN": "tion", "VERB": "ize", "ADJ": "ous"}

    def sentence(stem_ids):
        tags = list(rng.choice(list(suffix), len(stem_ids)))
        return [stems[i] + suffix[t] for i, t in zip(stem_ids, tags, strict=True)], tags

    train = [sentence(rng.choice(40, 5)) for _ in range(150)]
    test = [sentence(rng.choice(np.arange(40, 60), 5)) for _ in range(30)]
    X_test, y_test = [s for s, _ in test], [t for _, t in test]
    tagger = tiny(RNNTagger, max_epochs=8, **FAST).fit([s for s, _ in train], [t for _, t in train])
    assert tagger.score(X_test, y_test) > 0.9
    words_only = tiny(RNNTagger, max_epochs=8, **{**FAST, "char_embedding_dim": 0})
    words_only.fit([s for s, _ in train], [t for _, t in train])
    assert words_only.score(X_test, y_test) < 0.6


def test_shape_feature_tags_unseen_words_by_their_case():
    # lowercase=True erases case from the word lookup; the shape feature keeps it.
    rng = np.random.RandomState(0)
    stems = ["".join(rng.choice(list("bcdfgklmnprst"), 5)) for _ in range(60)]

    def sentence(stem_ids):
        capital = rng.rand(len(stem_ids)) < 0.5
        words = [
            stems[i].capitalize() if c else stems[i] for i, c in zip(stem_ids, capital, strict=True)
        ]
        return words, ["PROPN" if c else "NOUN" for c in capital]

    train = [sentence(rng.choice(40, 5)) for _ in range(150)]
    X_train, y_train = [s for s, _ in train] + [["A1"]], [t for _, t in train] + [["NUM"]]
    test = [sentence(rng.choice(np.arange(40, 60), 5)) for _ in range(30)]
    X_test, y_test = [s for s, _ in test], [t for _, t in test]
    words = {**FAST, "char_embedding_dim": 0}
    tagger = tiny(RNNTagger, max_epochs=8, shape_embedding_dim=4, **words).fit(X_train, y_train)
    assert tagger.score(X_test, y_test) > 0.9
    # Shapes seen once in fit ("A1" -> "Xd") share the unknown shape.
    assert sorted(tagger.shape_vocabulary_.tokens[2:]) == ["Xxxxx", "xxxx"]
    without = tiny(RNNTagger, max_epochs=8, shape_embedding_dim=0, **words).fit(X_train, y_train)
    assert without.shape_vocabulary_ is None
    assert without.score(X_test, y_test) < 0.7


def test_numeric_series_tagging():
    rng = np.random.RandomState(0)
    X = [rng.randn(rng.randint(1, 25), 2).astype(np.float32) for _ in range(80)]
    y = [np.where(s[:, 0] > 0, "up", "down").tolist() for s in X]
    tagger = tiny(RNNTagger, max_epochs=20, **FAST).fit(X, y)
    assert tagger.n_features_in_ == 2
    assert tagger.char_vocabulary_ is None
    assert tagger.score(X, y) > 0.9
    assert [len(p) for p in tagger.predict(X[:5])] == [len(s) for s in X[:5]]
    # A (n, T) array is n univariate series; a (n, T, F) array works like the ragged list.
    tagger_1d = tiny(RNNTagger, max_epochs=2, **FAST).fit(rng.randn(10, 6), (rng.rand(10, 6) > 0.5))
    assert [len(p) for p in tagger_1d.predict(rng.randn(3, 6))] == [6, 6, 6]
    assert tagger_1d.classes_.tolist() == [False, True]
    assert [p.shape for p in tagger.predict_proba(rng.randn(2, 4, 2))] == [(4, 2), (4, 2)]


def test_id_lists_and_integer_labels():
    X = [[1, 2, 3], [3, 2], [2, 1, 1, 3]] * 10
    y = [[10, 20, 30], [30, 20], [20, 10, 10, 30]] * 10
    tagger = tiny(RNNTagger, max_epochs=10, **FAST).fit(X, y)
    assert tagger.predict([[1, 2]]) == [[10, 20]]
    assert all(type(label) is int for label in tagger.predict([[1, 2]])[0])


def test_token_array_input_and_fitted_state_rules_over_later_params(fitted, toy):
    tokens = np.array([["the", "dog", "runs"], ["a", "cat", "sleeps"]])
    assert fitted.predict(tokens) == [["DET", "NOUN", "VERB"]] * 2
    # Parameters changed after fit apply at the next fit, not to the fitted network.
    changed = pickle.loads(pickle.dumps(fitted)).set_params(
        char_embedding_dim=0, shape_embedding_dim=0, crf=True
    )
    assert changed.predict(tokens) == fitted.predict(tokens)


def test_summary_lists_the_character_encoder(fitted):
    summary = fitted.summary(show=False)
    names = [row[0] for row in summary.rows]
    assert "char_encoder.embedding" in names and "shape_embedding" in names and "head" in names
    assert summary.total_params == sum(p.numel() for p in fitted.module_.parameters())


def test_shapes_without_characters_through_early_stopping_and_summary(toy):
    X, y = toy
    tagger = tiny(
        RNNTagger, max_epochs=3, early_stopping=True, **{**FAST, "char_embedding_dim": 0}
    ).fit(X, y)
    assert tagger.char_vocabulary_ is None
    assert set(tagger.shape_vocabulary_.tokens) >= {"xxx"}  # the lower-case words' shape
    assert len(tagger.history_[:, "valid_acc"]) == 3
    names = [row[0] for row in tagger.summary(show=False).rows]
    assert "shape_embedding" in names and "char_encoder.embedding" not in names


def test_max_len_truncates_training_but_predicts_every_step(toy):
    X, y = toy
    tagger = tiny(RNNTagger, max_len=3, max_epochs=3, **FAST).fit(X, y)
    long = [["the", "dog", "sees", "a", "cat"] * 4]
    assert len(tagger.predict(long)[0]) == 20
    assert tagger.predict_proba(long)[0].shape == (20, 4)


def test_partial_fit_warm_start_and_early_stopping(toy):
    X, y = toy
    tagger = tiny(RNNTagger, max_epochs=2, warm_start=True, **FAST).fit(X, y)
    tagger.fit(X, y)
    assert len(tagger.history_) == 4
    tagger.partial_fit(X[:10], y[:10])
    assert len(tagger.history_) == 6
    stopped = tiny(RNNTagger, max_epochs=3, early_stopping=True, patience=2, **FAST).fit(X, y)
    assert "valid_acc" in stopped.history_[-1]
    # classes= names every tag up front, even ones the first batch lacks.
    tags = ["ADJ", "DET", "NOUN", "VERB", "X"]
    first = tiny(RNNTagger, max_epochs=1, **FAST).partial_fit(X[:3], y[:3], classes=tags)
    assert first.classes_.tolist() == tags


# -- padding invariance -----------------------------------------------------------------


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("crf", [False, True])
def test_prediction_independent_of_batch_neighbours(toy, cell, crf):
    X, y = toy
    tagger = tiny(RNNTagger, cell=cell, num_layers=2, crf=crf, max_epochs=1, **FAST).fit(X, y)
    short = ["a", "red", "Unseenword", "sings"]
    alone = tagger.predict_proba([short])[0]
    alone_labels = tagger.predict([short])[0]
    long_words = ["the", "extraordinarilylongcompoundwordthatgoesonandon", "dog", "runs"]
    neighbours = [long_words * 30, long_words * 20, ["cat"], long_words * 5]
    for batch_size in (1, 2, 5, 64):
        tagger.set_params(batch_size=batch_size)
        batch = neighbours[:2] + [short] + neighbours[2:]
        np.testing.assert_allclose(tagger.predict_proba(batch)[2], alone, rtol=1e-5, atol=1e-5)
        assert tagger.predict(batch)[2] == alone_labels


def test_numeric_prediction_independent_of_batch_neighbours():
    rng = np.random.RandomState(0)
    X = [rng.randn(rng.randint(1, 20), 3) for _ in range(30)]
    y = [(s[:, 0] > 0).astype(int) for s in X]
    tagger = tiny(RNNTagger, cell="gru", crf=True, max_epochs=1, **FAST).fit(X, y)
    short = rng.randn(4, 3)
    alone = tagger.predict_proba([short])[0]
    for batch_size in (1, 3, 64):
        tagger.set_params(batch_size=batch_size)
        batch = [rng.randn(150, 3), short, rng.randn(90, 3)]
        np.testing.assert_allclose(tagger.predict_proba(batch)[1], alone, rtol=1e-5, atol=1e-5)


# -- scikit-learn ---------------------------------------------------------------------


def test_params_round_trip_and_nothing_set_in_init():
    tagger = RNNTagger()
    assert set(vars(tagger)) - {"_params_to_validate"} == set(tagger.get_params(deep=False))
    params = tagger.get_params(deep=False)
    assert params["bidirectional"] is True and params["crf"] is False
    tagger.set_params(crf=True, hidden_size=8, optimizer__weight_decay=1e-4)
    assert tagger.get_params()["crf"] is True and tagger.get_params()["hidden_size"] == 8
    fresh = clone(tagger)
    assert fresh.get_params(deep=False) == tagger.get_params(deep=False)
    assert not fresh.__sklearn_is_fitted__()


def test_clone_of_fitted_is_unfitted(fitted):
    fresh = clone(fitted)
    assert not hasattr(fresh, "classes_") and not hasattr(fresh, "module_")
    assert fresh.get_params(deep=False).keys() == fitted.get_params(deep=False).keys()


@pytest.mark.parametrize("method", ["predict", "predict_proba", "score"])
def test_not_fitted_error(method):
    args = ([["a"]], [["X"]]) if method == "score" else ([["a"]],)
    with pytest.raises(NotFittedError):
        getattr(RNNTagger(), method)(*args)


def test_fit_returns_self(toy):
    tagger = tiny(RNNTagger, max_epochs=1, **FAST)
    assert tagger.fit(*toy) is tagger


@pytest.mark.parametrize("model", ["fitted", "fitted_crf"])
def test_pickle_round_trip(request, model):
    tagger = request.getfixturevalue(model)
    X, _ = _toy_corpus(20, seed=3)
    restored = pickle.loads(pickle.dumps(tagger))
    assert restored.predict(X) == tagger.predict(X)
    for a, b in zip(restored.predict_proba(X), tagger.predict_proba(X), strict=True):
        np.testing.assert_array_equal(a, b)


def test_grid_search_over_crf_and_hidden_size_with_entity_f1():
    X, y = _ner_corpus(60)
    grid = GridSearchCV(
        tiny(
            RNNTagger, max_epochs=5, batch_size=8, **NO_HIDDEN
        ),  # best entity F1 1.0 (4 epochs: 0.93)
        {"crf": [False, True], "hidden_size": [8, 16]},
        scoring=entity_f1_scorer,
        cv=2,
    ).fit(X, y)
    assert len(grid.cv_results_["params"]) == 4
    assert grid.best_score_ > 0.8
    assert grid.predict([["Eve", "lives", "in", "Rome"]]) == [["B-PER", "O", "O", "B-LOC"]]


def test_cross_val_score_with_lists_of_lists(toy):
    X, y = toy
    scores = cross_val_score(tiny(RNNTagger, max_epochs=4, batch_size=8, **FAST), X, y, cv=3)
    assert scores.shape == (3,) and (scores > 0.8).all()


def test_seeded_fits_are_identical(toy):
    X, y = toy
    a = tiny(RNNTagger, max_epochs=2, **FAST).fit(X, y).predict_proba(X[:5])
    b = tiny(RNNTagger, max_epochs=2, **FAST).fit(X, y).predict_proba(X[:5])
    for p, q in zip(a, b, strict=True):
        np.testing.assert_array_equal(p, q)


# -- bad input -----------------------------------------------------------------------


def test_x_y_count_mismatch(toy):
    X, y = toy
    with pytest.raises(ValueError, match="inconsistent numbers of samples: X has 120, y has 119"):
        tiny(RNNTagger, **FAST).fit(X, y[:-1])


def test_label_list_length_differs_from_its_sequence():
    X = [["a", "b"], ["c"], ["d", "e"], ["a", "b", "c", "d", "e", "f"]]
    y = [["A", "B"], ["C"], ["D", "E"], ["A", "B", "C", "D", "E"]]
    with pytest.raises(ValueError, match=r"y\[3\] has 5 labels but X\[3\] has 6 tokens"):
        tiny(RNNTagger, **FAST).fit(X, y)
    series = [np.zeros((3, 1)), np.zeros((2, 1))]
    with pytest.raises(ValueError, match=r"y\[1\] has 3 labels but X\[1\] has 2 steps"):
        tiny(RNNTagger, **FAST).fit(series, [[0, 1, 0], [1, 0, 1]])


def test_raw_strings_rejected_with_how_to_fix(fitted):
    with pytest.raises(TypeError, match=r"X\[0\] is a string; RNNTagger needs token lists.*split"):
        tiny(RNNTagger, **FAST).fit(["the dog runs"], [["DET", "NOUN", "VERB"]])
    with pytest.raises(TypeError, match=r"text.split\(\)"):
        fitted.predict(["the dog runs"])
    with pytest.raises(TypeError, match=r"X\[1\] is a string.*split"):
        fitted.predict([["the"], "dog runs"])
    with pytest.raises(TypeError, match="single string"):
        fitted.predict("the dog runs")


def test_label_row_that_is_not_a_list():
    with pytest.raises(TypeError, match=r"y\[0\] is a str; y must hold one list of labels"):
        tiny(RNNTagger, **FAST).fit([["a"]], ["A"])
    with pytest.raises(TypeError, match="labels of one type"):
        tiny(RNNTagger, **FAST).fit([["a", "b"]], [["A", 1]])
    with pytest.raises(TypeError, match="labels of one type"):
        tiny(RNNTagger, **FAST).fit([["a", "b"]], [["A", None]])


@pytest.mark.parametrize(
    "X, match",
    [
        ([["a"], []], r"X\[1\] is an empty sequence"),
        ([], "X is empty"),
        ([[]], r"X\[0\] is an empty sequence"),
        ([["a", 3]], r"X\[0\] contains 3 of type int"),
    ],
)
def test_empty_and_malformed_sequences(X, match):
    with pytest.raises((ValueError, TypeError), match=match):
        tiny(RNNTagger, **FAST).fit(X, [["A"] * len(s) for s in X])


def test_unseen_labels_at_score_time(fitted):
    with pytest.raises(ValueError, match=r"labels not seen in fit: \['PRON'\].*token_accuracy"):
        fitted.score([["the", "dog"]], [["DET", "PRON"]])
    tagger = clone(fitted).set_params(max_epochs=1)
    tagger.fit([["a", "b"]], [["A", "B"]])
    with pytest.raises(ValueError, match="labels not seen in fit"):
        tagger.partial_fit([["a"]], [["C"]])


def test_numeric_feature_count_mismatch_at_predict():
    rng = np.random.RandomState(0)
    tagger = tiny(RNNTagger, max_epochs=1, **FAST).fit([rng.randn(5, 2)], [[0, 1, 0, 1, 0]])
    with pytest.raises(ValueError, match="3 features per step.*fitted with 2"):
        tagger.predict([rng.randn(4, 3)])
    with pytest.raises(ValueError, match="fitted on numeric"):
        tagger.predict([["a", "b"]])


@pytest.mark.parametrize(
    "params, match",
    [
        ({"word_dropout": 1.0}, "'word_dropout'"),
        ({"char_embedding_dim": -1}, "'char_embedding_dim'"),
        ({"shape_embedding_dim": 1.5}, "'shape_embedding_dim'"),
        ({"shape_embedding_dim": -1}, "'shape_embedding_dim'"),
        ({"crf": "yes"}, "'crf'"),
        ({"hidden_size": 0}, "'hidden_size'"),
    ],
)
def test_invalid_hyperparameters(toy, params, match):
    with pytest.raises(ValueError, match=match):
        tiny(RNNTagger, **{**FAST, **params}).fit(*toy)


def test_crf_with_a_custom_module_without_crf():
    class Plain(torch.nn.Module):
        def __init__(self, n_outputs, n_ids, n_features):
            super().__init__()
            self.embedding = torch.nn.Embedding(n_ids, 4)
            self.head = torch.nn.Linear(4, n_outputs)

        def forward(self, inputs, lengths):
            return self.head(self.embedding(inputs))

    X, y = [["a", "b"]] * 4, [["A", "B"]] * 4
    plain = RNNTagger(
        module=Plain,
        char_embedding_dim=0,
        shape_embedding_dim=0,
        max_epochs=20,
        lr=0.05,
        random_state=0,
    )
    assert plain.fit(X, y).predict([["b", "a"]]) == [["B", "A"]]
    with pytest.raises(ValueError, match="crf=True needs a module with a LinearChainCRF"):
        clone(plain).set_params(crf=True).fit(X, y)
    # Token features the module's forward cannot take: say which, and how to turn them off.
    with pytest.raises(ValueError, match=r"does not take 'shapes'.*shape_embedding_dim=0"):
        clone(plain).set_params(shape_embedding_dim=4).fit(X, y)
    with pytest.raises(ValueError, match=r"does not take 'chars'.*char_embedding_dim=0"):
        clone(plain).set_params(char_embedding_dim=4).fit(X, y)

    class TakesAll(Plain):
        def forward(self, inputs, lengths, **features):
            return super().forward(inputs, lengths)

    with_features = clone(plain).set_params(module=TakesAll, char_embedding_dim=4)
    assert with_features.set_params(shape_embedding_dim=4).fit(X, y).predict([["a"]]) == [["A"]]


def test_inputs_are_never_modified(toy):
    X, y = copy.deepcopy(toy[0][:20]), copy.deepcopy(toy[1][:20])
    X_series = [np.arange(6, dtype=np.float64).reshape(3, 2), np.ones((2, 2))]
    y_series = [np.array([0, 1, 0]), np.array([1, 1])]
    before = copy.deepcopy((X, y, X_series, y_series))
    tagger = tiny(RNNTagger, max_epochs=1, max_len=4, **FAST).fit(X, y)
    tagger.predict(X)
    tagger.predict_proba(X)
    tagger.score(X, y)
    tiny(RNNTagger, max_epochs=1, **FAST).fit(X_series, y_series).predict(X_series)
    assert (X, y) == before[:2]
    for a, b in zip(X_series + y_series, before[2] + before[3], strict=True):
        np.testing.assert_array_equal(a, b)


# -- property: output shapes follow the input ----------------------------------------------


@settings(max_examples=15, deadline=None)
@given(
    lengths=st.lists(st.integers(1, 30), min_size=1, max_size=8),
    n_labels=st.integers(1, 5),
    crf=st.booleans(),
    data=st.data(),
)
def test_output_lengths_match_inputs(lengths, n_labels, crf, data):
    words = ["w0", "w1", "W2", "w3!", "4"]
    labels = [f"L{i}" for i in range(n_labels)]
    draw = data.draw
    X = [draw(st.lists(st.sampled_from(words), min_size=n, max_size=n)) for n in lengths]
    y = [draw(st.lists(st.sampled_from(labels), min_size=n, max_size=n)) for n in lengths]
    tagger = RNNTagger(
        hidden_size=4,
        embedding_dim=4,
        char_embedding_dim=2,
        crf=crf,
        max_epochs=1,
        batch_size=3,
        random_state=0,
    ).fit(X, y)
    X_new = X + [["unseen", "w0"]]
    predicted = tagger.predict(X_new)
    assert [len(row) for row in predicted] == [len(s) for s in X_new]
    assert set(itertools.chain.from_iterable(predicted)) <= set(tagger.classes_.tolist())
    proba = tagger.predict_proba(X_new)
    assert [p.shape for p in proba] == [(len(s), len(tagger.classes_)) for s in X_new]
    assert tagger.classes_.tolist() == sorted(set(itertools.chain.from_iterable(y)))


# -- the example and the benchmark run (tiny configurations) ---------------------------------


def test_pos_tagging_example_runs(load_script, ewt_dir, capsys, monkeypatch):
    example = load_script("examples/pos_tagging.py")
    load_ewt = example.load_ewt

    def short_test_set(data_dir):  # the real files, the test set cut to 300 sentences
        X_train, y_train, X_test, y_test = load_ewt(data_dir)
        return X_train, y_train, X_test[:300], y_test[:300]

    monkeypatch.setattr(example, "load_ewt", short_test_set)
    result = example.main(["--data-dir", str(ewt_dir), "--limit", "100", "--max-epochs", "1"])
    out = capsys.readouterr().out
    assert result["n_train"] == 100
    # It prints the accuracies it returns; test words unseen in 100 sentences are many.
    assert f"UPOS test accuracy: {result['accuracy']:.4f}" in out
    assert f"unseen in training: {result['unseen_accuracy']:.4f}" in out


def test_tagging_benchmark_params_combine_settings_config_and_overrides(load_script):
    tagging = load_script("benchmarks/tagging.py")
    params = tagging.benchmark_params("chars+crf", 3, {"hidden_size": 8})
    assert params["crf"] is True and params["random_state"] == 3 and params["hidden_size"] == 8
    assert all(params[k] == v for k, v in tagging.SETTINGS.items())


def test_tagging_benchmark_cosine_schedule_decays_the_learning_rate(load_script):
    schedules = load_script("benchmarks/tagging.py").lr_schedule_callbacks
    X, y = [["a", "b"], ["b"]] * 4, [["A", "B"], ["B"]] * 4
    params = dict(max_epochs=3, **FAST)
    cosine = tiny(RNNTagger, callbacks=schedules("cosine", 3), **params).fit(X, y)
    assert cosine.optimizer_.param_groups[0]["lr"] < 0.2 * FAST["lr"]
    constant = tiny(RNNTagger, callbacks=schedules("constant", 3), **params).fit(X, y)
    assert constant.optimizer_.param_groups[0]["lr"] == FAST["lr"]


def test_tagging_benchmark_prints_a_table(load_script, ewt_dir, tmp_path, capsys, monkeypatch):
    tagging = load_script("benchmarks/tagging.py")
    load = tagging.load

    def short_dev_and_test(data_dir, train_limit):
        # The real files, with dev and test cut to 100 sentences: the table is what is checked.
        splits = load(data_dir, train_limit)
        return {**splits, **{k: tuple(part[:100] for part in splits[k]) for k in ("dev", "test")}}

    monkeypatch.setattr(tagging, "load", short_dev_and_test)
    results = tagging.main(
        ["--data-dir", str(ewt_dir), "--train-limit", "60", "--max-epochs", "1",
         "--configs", "words", "chars+crf", "--set", "hidden_size=8", "--json",
         str(tmp_path / "r.json")]
    )  # fmt: skip
    out = capsys.readouterr().out
    assert "| config | dev acc | test acc |" in out and "| chars+crf |" in out
    assert [r["config"] for r in results] == ["words", "chars+crf"]
    assert results[1]["settings"]["crf"] is True and results[0]["settings"]["hidden_size"] == 8
    assert results[0]["settings"]["lr_schedule"] == "cosine"
    assert json.loads((tmp_path / "r.json").read_text()) == json.loads(json.dumps(results))
