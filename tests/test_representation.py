"""transform (the pooled representation) and hidden_states (per-step recurrent states)."""

import numpy as np
import pytest
import torch
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from sklearn_rnn import RNNClassifier, RNNRegressor, RNNTagger


@pytest.fixture(scope="module")
def series():
    rng = np.random.RandomState(0)
    X = [rng.randn(n, 3).astype(np.float32) for n in rng.randint(2, 20, size=40)]
    y = np.array([x[:, 0].mean() > 0 for x in X]).astype(int)
    return X, y


@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("pooling", ["last", "mean", "max"])
def test_head_of_transform_is_the_decision_function(series, bidirectional, pooling):
    X, y = series
    clf = RNNClassifier(
        cell="lstm",
        hidden_size=6,
        bidirectional=bidirectional,
        pooling=pooling,
        conv_blocks=None,  # the recurrent features only
        max_epochs=2,
        random_state=0,
    ).fit(X, y)
    features = clf.transform(X)
    assert features.shape == (len(X), 12 if bidirectional else 6)
    assert features.dtype == np.float64
    with torch.inference_mode():
        logits = clf.module_.head.eval()(torch.from_numpy(features)).numpy()
    np.testing.assert_allclose(
        torch.softmax(torch.from_numpy(logits), 1).numpy(), clf.predict_proba(X), rtol=1e-12
    )


def test_transform_is_batch_invariant_and_named(texts):
    clf = RNNClassifier(
        cell="lstm", bidirectional=False, hidden_size=5, max_epochs=2, random_state=0
    ).fit(*texts)
    alone = clf.transform(["a great film"])
    for batch_size in (1, 3, 64):
        clf.set_params(batch_size=batch_size)
        among = clf.transform(["truly awful acting " * 20, "a great film", "dull"])
        np.testing.assert_allclose(among[1], alone[0], rtol=1e-6, atol=1e-6)
    names = clf.get_feature_names_out()
    assert names.tolist() == [f"rnnclassifier{i}" for i in range(5)]


def test_transform_feeds_another_estimator_and_pandas_output(texts):
    clf = RNNClassifier(
        cell="lstm", bidirectional=False, hidden_size=8, max_epochs=5, lr=0.01, random_state=0
    ).fit(*texts)
    pipe = make_pipeline(clf, LogisticRegression())
    # A fitted RNN as a feature extractor: its features separate the classes.
    features = clf.transform(texts[0])
    assert LogisticRegression().fit(features, texts[1]).score(features, texts[1]) == 1.0
    pipe.fit(*texts)
    assert pipe.score(*texts) == 1.0
    frame = clf.set_output(transform="pandas").transform(texts[0][:3])
    assert list(frame.columns) == clf.get_feature_names_out().tolist()
    clf.set_output(transform="default")


def test_regressor_transform(series):
    X, _ = series
    target = np.array([x.sum() for x in X])
    reg = RNNRegressor(
        cell="lstm", bidirectional=False, hidden_size=4, max_epochs=2, random_state=0
    ).fit(X, target)
    features = reg.transform(X)
    with torch.inference_mode():
        scaled = reg.module_.head.eval()(torch.from_numpy(features)).numpy()[:, 0]
    np.testing.assert_allclose(
        scaled * reg.target_scale_[0] + reg.target_mean_[0], reg.predict(X), rtol=1e-10
    )
    assert reg.get_feature_names_out()[0] == "rnnregressor0"


def test_transform_needs_a_fit_and_the_builtin_head():
    with pytest.raises(NotFittedError):
        RNNClassifier().transform(["a"])
    with pytest.raises(NotFittedError):
        RNNClassifier().get_feature_names_out()


# -- hidden_states ---------------------------------------------------------------------


def _core_outputs(estimator, X):
    """The top layer's outputs as the network computes them (a forward hook on the core)."""
    seen = []
    handle = estimator.module_.core.register_forward_hook(lambda m, a, out: seen.append(out))
    estimator.set_params(batch_size=len(X))
    try:
        estimator.predict(X)
    finally:
        handle.remove()
    return seen[0]


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_top_layer_states_are_the_core_outputs(series, cell, bidirectional):
    X, y = series
    clf = RNNClassifier(
        cell=cell,
        hidden_size=4,
        num_layers=2,
        bidirectional=bidirectional,
        max_epochs=1,
        random_state=0,
    ).fit(X, y)
    states = clf.hidden_states(X)
    assert [s.shape for s in states] == [(len(x), 8 if bidirectional else 4) for x in X]
    assert all(s.dtype == np.float32 for s in states)
    outputs = _core_outputs(clf, X)
    for i in (0, 5, 17):
        np.testing.assert_allclose(states[i], outputs[i, : len(X[i])].numpy(), atol=1e-6)
    # Layer 0 differs from the top layer and has the same shapes.
    bottom = clf.hidden_states(X, layer=0)
    assert [s.shape for s in bottom] == [s.shape for s in states]
    assert not np.allclose(bottom[0], states[0])
    np.testing.assert_array_equal(clf.hidden_states(X, layer=-2)[3], bottom[3])


def test_last_pooling_reads_the_last_states(series):
    X, y = series
    clf = RNNClassifier(
        cell="lstm",
        bidirectional=False,
        hidden_size=4,
        pooling="last",
        conv_blocks=None,  # the recurrent features only
        max_epochs=1,
        random_state=0,
    ).fit(X, y)
    last = np.stack([s[-1] for s in clf.hidden_states(X)])
    np.testing.assert_allclose(last, clf.transform(X), atol=1e-6)


def test_lstm_cell_states_agree_with_the_hidden_states(series):
    X, y = series
    clf = RNNClassifier(
        cell="lstm", bidirectional=False, hidden_size=4, num_layers=2, max_epochs=1, random_state=0
    ).fit(X, y)
    cells = clf.hidden_states(X, layer=0, cell_state=True)
    hidden = clf.hidden_states(X, layer=0)
    # h_t = o_t * tanh(c_t) with 0 < o_t < 1: |h_t| < |tanh(c_t)|, same sign.
    for c, h in zip(cells, hidden, strict=True):
        assert (np.abs(h) <= np.abs(np.tanh(c)) + 1e-6).all()
        assert (np.sign(h) == np.sign(c))[np.abs(h) > 1e-4].all()
    # The last step's cell state is the one torch's fused LSTM returns.
    rnn = torch.nn.LSTM(3, 4, batch_first=True)
    with torch.no_grad():
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(rnn, f"{name}_l0").copy_(getattr(clf.module_.core.rnn, f"{name}_l0"))
        steps = torch.from_numpy((X[0] - clf.encoder_.mean_) / clf.encoder_.scale_)[None]
        _, (_, c_n) = rnn(steps)
    np.testing.assert_allclose(cells[0][-1], c_n[0, 0].numpy(), atol=1e-5)


def test_states_are_batch_invariant_and_never_include_padding(texts):
    clf = RNNClassifier(
        cell="lstm", hidden_size=4, bidirectional=True, max_epochs=1, random_state=0
    )
    clf.fit(*texts)
    alone = clf.hidden_states(["a great film"], cell_state=True)[0]
    assert alone.shape == (3, 8)
    for batch_size in (1, 2, 32):
        clf.set_params(batch_size=batch_size)
        among = clf.hidden_states(["dull " * 30, "a great film", "awful"], cell_state=True)
        assert [s.shape[0] for s in among] == [30, 3, 1]
        np.testing.assert_allclose(among[1], alone, atol=1e-6)


def test_tagger_hidden_states_align_with_tokens():
    X = [["the", "dog", "runs"], ["a", "cat"]] * 5
    y = [["D", "N", "V"], ["D", "N"]] * 5
    tagger = RNNTagger(hidden_size=4, char_embedding_dim=4, max_epochs=1, random_state=0)
    states = tagger.fit(X, y).hidden_states([["a", "dog", "runs", "far"]])
    assert states[0].shape == (4, 8)  # bidirectional by default


def test_hidden_states_bad_arguments(series):
    X, y = series
    gru = RNNClassifier(
        bidirectional=False, cell="gru", hidden_size=4, max_epochs=1, random_state=0
    ).fit(X, y)
    with pytest.raises(ValueError, match="'layer'.*\\[-1, 1\\)"):
        gru.hidden_states(X, layer=1)
    with pytest.raises(ValueError, match="'layer'"):
        gru.hidden_states(X, layer=0.5)
    with pytest.raises(ValueError, match="cell_state=True needs cell='lstm'"):
        gru.hidden_states(X, cell_state=True)
    with pytest.raises(NotFittedError):
        RNNClassifier().hidden_states(X)
