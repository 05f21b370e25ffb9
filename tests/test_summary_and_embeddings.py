"""Model summary with parameter counts, single_bias, and pretrained embeddings."""

import numpy as np
import pytest
import torch

from sklearn_rnn import RNNClassifier, RNNRegressor


def _gate_count(cell):
    return {"rnn": 1, "lstm": 4, "gru": 3}[cell]


def _expected_rnn_params(cell, units, features, layers, bidirectional, single_bias):
    """The classic formula: gates * (units*units + inputs*units + biases) per direction."""
    directions = 2 if bidirectional else 1
    total = 0
    inputs = features
    for _ in range(layers):
        biases = units if single_bias else 2 * units
        total += directions * _gate_count(cell) * (units * units + inputs * units + biases)
        inputs = units * directions
    return total


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("units, features", [(32, 10), (8, 3), (17, 1)])
@pytest.mark.parametrize("layers, bidirectional", [(1, False), (2, False), (1, True), (3, True)])
@pytest.mark.parametrize("single_bias", [False, True])
def test_parameter_counts_follow_formula(cell, units, features, layers, bidirectional, single_bias):
    X = np.zeros((4, 5, features))
    reg = RNNRegressor(
        cell=cell,
        hidden_size=units,
        num_layers=layers,
        bidirectional=bidirectional,
        single_bias=single_bias,
        conv_blocks=None,  # the recurrent layers and the head only
        max_epochs=0,
    ).fit(X, np.arange(4.0))
    summary = reg.summary(show=False)
    recurrent = sum(count for _, kind, _, count in summary.rows if kind in {"RNN", "LSTM", "GRU"})
    assert recurrent == _expected_rnn_params(
        cell, units, features, layers, bidirectional, single_bias
    )
    head = units * (2 if bidirectional else 1) + 1
    assert summary.total_params == recurrent + head == summary.trainable_params


def test_keras_simple_rnn_example_counts():
    X = np.zeros((4, 5, 10))
    keras_like = RNNRegressor(cell="rnn", hidden_size=32, single_bias=True, max_epochs=0)
    torch_like = RNNRegressor(cell="rnn", hidden_size=32, max_epochs=0)
    rows = keras_like.fit(X, np.arange(4.0)).summary(show=False).rows
    assert rows[0][3] == 1376
    assert torch_like.fit(X, np.arange(4.0)).summary(show=False).rows[0][3] == 1408


def test_summary_prints_table_with_shapes(capsys):
    clf = RNNClassifier(hidden_size=8, embedding_dim=6, max_epochs=1, bidirectional=True)
    clf.fit(["good film", "bad film"], [1, 0])
    summary = clf.summary()
    printed = capsys.readouterr().out
    assert "Embedding" in printed and "(None, steps, 6)" in printed
    assert "(None, 2)" in printed  # the head: one score per class
    assert f"Total params: {summary.total_params:,}" in printed


def test_single_bias_trains_and_predicts():
    X = np.random.RandomState(0).randn(20, 6, 2)
    y = X[:, -1, 0]
    params = dict(cell="lstm", hidden_size=8, single_bias=True, random_state=0)
    untrained = RNNRegressor(**params, max_epochs=0).fit(X, y)
    reg = RNNRegressor(**params, max_epochs=3).fit(X, y)
    assert np.isfinite(reg.predict(X)).all()
    # Every parameter, the one bias vector per gate included, moved from its initial value.
    before = dict(untrained.module_.named_parameters())
    after = dict(reg.module_.named_parameters())
    assert before.keys() == after.keys()
    assert sum("bias" in name for name in after) >= 1
    assert all(not torch.equal(before[name], after[name]) for name in after)


@pytest.mark.parametrize("form", ["mapping", "pair", "keyedvectors"])
def test_pretrained_embeddings_rows_equal_given_vectors(form):
    rng = np.random.RandomState(0)
    words = ["good", "bad", "film"]
    vectors = rng.randn(3, 5).astype(np.float32)
    if form == "mapping":
        embeddings = dict(zip(words, vectors, strict=True))
    elif form == "pair":
        embeddings = (vectors, words)
    else:

        class KeyedVectors:  # the two attributes of gensim's KeyedVectors we read
            key_to_index = {w: i for i, w in enumerate(words)}

        embeddings = KeyedVectors()
        embeddings.vectors = vectors
    clf = RNNClassifier(
        embedding_dim=5,
        embeddings=embeddings,
        freeze_embeddings=True,
        hidden_size=4,
        max_epochs=2,
        random_state=0,
    ).fit(["good film", "bad film", "unseen words"], [1, 0, 1])
    table = clf.module_.input_layer.embedding.weight.detach().numpy()
    index = clf.encoder_.vocabulary_.index
    for word, vector in zip(words, vectors, strict=True):
        np.testing.assert_array_equal(table[index[word]], vector)
    assert clf.n_pretrained_tokens_ == 3
    assert np.abs(table[index["unseen"]]).max() > 0  # missing tokens: small random vectors
    assert not table[0].any()  # padding row


def test_unfrozen_embeddings_train():
    vectors = {"good": np.ones(4), "bad": -np.ones(4)}
    clf = RNNClassifier(
        embedding_dim=4, embeddings=vectors, hidden_size=4, max_epochs=5, lr=0.05, random_state=0
    ).fit(["good", "bad"] * 4, [1, 0] * 4)
    row = clf.module_.input_layer.embedding.weight[clf.encoder_.vocabulary_.index["good"]]
    assert not np.allclose(row.detach().numpy(), 1.0)


def test_embedding_dimension_mismatch():
    with pytest.raises(ValueError, match="embedding_dim"):
        RNNClassifier(embeddings={"good": np.ones(3)}, max_epochs=1).fit(["good", "bad"], [1, 0])


def test_embeddings_need_token_input():
    with pytest.raises(ValueError, match="'embeddings'"):
        RNNClassifier(embeddings={"a": np.ones(100)}, max_epochs=1).fit(np.zeros((2, 3, 1)), [1, 0])


def test_sparse_embeddings_train_with_sparse_adam_and_clipping(texts):
    texts, labels = texts
    params = dict(hidden_size=8, max_epochs=15, lr=0.01, random_state=0, clip_grad_norm=0.5)
    clf = RNNClassifier(sparse_embeddings=True, **params).fit(texts, labels)
    assert clf.module_.input_layer.embedding.sparse
    assert type(clf.sparse_optimizer_).__name__ == "SparseAdam"
    assert clf.score(texts, labels) == 1.0
    again = RNNClassifier(sparse_embeddings=True, **params).fit(texts, labels)
    np.testing.assert_array_equal(clf.predict_proba(texts), again.predict_proba(texts))


@pytest.mark.parametrize("sparse", [False, True])
def test_one_forward_pass_per_training_batch(sparse, texts):
    """Two optimizers (dense + SparseAdam) still run forward and backward once a batch."""
    from skorch.callbacks import Callback

    class CountPasses(Callback):
        def initialize(self):
            self.passes, self.batches = 0, 0
            return self

        def on_train_begin(self, net, **kwargs):
            net.module_.register_forward_pre_hook(lambda *args: self._count())

        def _count(self):
            self.passes += 1

        def on_batch_end(self, net, training=False, **kwargs):
            self.batches += training

    counter = CountPasses()
    RNNClassifier(
        sparse_embeddings=sparse, hidden_size=4, max_epochs=2, batch_size=4, callbacks=[counter]
    ).fit(texts[0][:12], texts[1][:12])
    assert counter.batches == 6  # 12 texts, 3 batches of 4, 2 epochs
    assert counter.passes == counter.batches


def test_gradient_clipping_bounds_sparse_and_dense_norm():
    from sklearn_rnn.callbacks import GradientClipping

    dense = torch.nn.Parameter(torch.zeros(3))
    dense.grad = torch.tensor([3.0, 0.0, 0.0])
    sparse = torch.nn.Parameter(torch.zeros(5, 2))
    indices = torch.tensor([[1, 1]])  # the same row twice: its gradients add up
    values = torch.tensor([[2.0, 0.0], [2.0, 0.0]])
    sparse.grad = torch.sparse_coo_tensor(indices, values, (5, 2), check_invariants=True)
    GradientClipping(1.0).on_grad_computed(None, [("d", dense), ("s", sparse)])
    total = torch.sqrt(dense.grad.pow(2).sum() + sparse.grad.to_dense().pow(2).sum())
    assert abs(float(total) - 1.0) < 1e-4  # joint norm was 5 (3 and 4), now 1
    assert torch.allclose(sparse.grad.to_dense()[1], torch.tensor([0.8, 0.0]), atol=1e-4)
