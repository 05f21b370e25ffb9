"""RNNLanguageModel: learning, scoring, sampling, hidden states, sklearn integration, saving."""

from __future__ import annotations

import math
import pickle

import numpy as np
import pytest
import torch
from conftest import tiny  # tests/ is on sys.path
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV

from sklearn_rnn import RNNLanguageModel, load
from sklearn_rnn.language_model._corpus import CorpusEncoder
from sklearn_rnn.language_model._streams import StreamBatches, TokenStream

# A text with structure an RNN learns in seconds: words in a fixed order.
PATTERN = "the cat sat on the mat. "
# What learning PATTERN takes beyond conftest.TINY: 32 units, longer chunks, a higher lr
# (epochs at each call).
SMALL = dict(hidden_size=32, embedding_dim=8, bptt=16, batch_size=8, lr=0.02)


@pytest.fixture(scope="module")
def fitted():
    return tiny(RNNLanguageModel, **SMALL, max_epochs=12).fit(PATTERN * 40)


@pytest.fixture(scope="module")
def shakespeare(data_dir):
    return (data_dir / "tinyshakespeare" / "input.txt").read_text(encoding="utf-8")


def test_learns_the_pattern(fitted):
    # Perplexity far below the 13 distinct characters: it predicts the next character.
    assert fitted.perplexity(PATTERN * 3) < 1.5
    assert fitted.score(PATTERN * 3) == pytest.approx(-math.log(fitted.perplexity(PATTERN * 3)))
    assert fitted.score("xq zz") < fitted.score("the cat")  # unseen characters score as <unk>
    assert fitted.bits_per_char(PATTERN) == pytest.approx(-fitted.score(PATTERN) / math.log(2))


def test_next_token_probabilities(fitted):
    proba = fitted.predict_proba_next("the cat sat on the m")
    assert proba.shape == (len(fitted.classes_),)
    assert proba.sum() == pytest.approx(1.0)
    assert fitted.classes_[proba.argmax()] == "a"
    several = fitted.predict_proba_next(["the c", "the cat sat on the m"])
    np.testing.assert_allclose(several[1], proba, atol=1e-6)
    assert fitted.classes_[several[0].argmax()] == "a"


def test_score_matches_next_token_probabilities(fitted):
    # score is the mean log of the probabilities predict_proba_next gives, token by token.
    text = "the mat"
    logs = [
        math.log(fitted.predict_proba_next(text[:i])[list(fitted.classes_).index(char)])
        for i, char in enumerate(text)
    ]
    assert fitted.score(text) == pytest.approx(np.mean(logs), abs=1e-5)


def test_document_scores_do_not_depend_on_their_batch(fitted):
    docs = ["the cat", "sat on the mat. the", "t", "on the mat"]
    alone = [fitted.score([d]) * len(d) for d in docs]
    together = fitted.score(docs) * sum(map(len, docs))
    assert together == pytest.approx(sum(alone), rel=1e-5)


def test_sample_is_reproducible_and_honours_the_prompt(fitted):
    a = fitted.sample(50, prompt="the cat", random_state=3)
    assert a == fitted.sample(50, prompt="the cat", random_state=3)
    assert a.startswith("the cat") and len(a) == len("the cat") + 50
    assert fitted.sample(50, random_state=4) != fitted.sample(50, random_state=5)
    # Near-zero temperature and top_k=1 are greedy: the pattern itself.
    assert fitted.sample(15, prompt="the cat", top_k=1) == "the cat sat on the mat"
    assert fitted.sample(15, prompt="the cat", temperature=1e-3, random_state=0) == (
        "the cat sat on the mat"
    )


def test_sample_rejects_unknown_prompt_characters_and_bad_arguments(fitted):
    with pytest.raises(ValueError, match=r"prompt holds tokens never seen in fit: \['Z', '!'\]"):
        fitted.sample(5, prompt="Zthe!")
    for kwargs, name in [
        ({"n_tokens": -1}, "n_tokens"),
        ({"n_tokens": 5, "temperature": 0}, "temperature"),
        ({"n_tokens": 5, "top_k": 0}, "top_k"),
    ]:
        with pytest.raises(ValueError, match=f"parameter '{name}'"):
            fitted.sample(**kwargs)


def test_unseen_tokens_are_scored_as_unknown_but_rejected_in_a_prompt(fitted):
    # score, perplexity and bits_per_char read every unseen token as "<unk>": two texts
    # that differ only in which unseen characters they hold score the same.
    assert fitted.score("the Zat") == fitted.score("the Qat")
    assert fitted.perplexity("the Zat") == fitted.perplexity("the Qat")
    assert fitted.bits_per_char("the Zat!") == fitted.bits_per_char("the Qat?")
    assert fitted.score("the Zat") < fitted.score("the cat")
    # sample returns the prompt with its continuation, so it cannot read one as "<unk>":
    # its error says so, and where unseen tokens are accepted.
    with pytest.raises(ValueError, match=r"\['Z'\].*score.*<unk>"):
        fitted.sample(5, prompt="the Zat")
    for method in (RNNLanguageModel.score, RNNLanguageModel.sample):
        assert "<unk>" in method.__doc__ and "never seen in" in method.__doc__


def test_hidden_states_align_with_tokens(fitted):
    texts = ["the cat", "on the mat. the"]
    states = fitted.hidden_states(texts)
    assert [s.shape for s in states] == [(7, 32), (15, 32)]
    assert [len(t) for t in fitted.tokenize(texts)] == [7, 15]
    # The state after a prefix does not depend on what follows it.
    np.testing.assert_allclose(fitted.hidden_states("the")[0], states[0][:3], atol=1e-6)
    cells = fitted.hidden_states("the cat", cell_state=True)[0]
    assert cells.shape == (7, 32) and not np.allclose(cells, states[0])
    with pytest.raises(ValueError, match="parameter 'layer'"):
        fitted.hidden_states("the", layer=1)


def test_hidden_states_of_each_layer():
    lm = tiny(
        RNNLanguageModel, **{**SMALL, "hidden_size": 8}, num_layers=2, cell="gru", max_epochs=1
    )
    lm.fit(PATTERN * 10)
    bottom, top = lm.hidden_states("the cat", layer=0)[0], lm.hidden_states("the cat")[0]
    assert bottom.shape == top.shape == (7, 8) and not np.allclose(bottom, top)
    with pytest.raises(ValueError, match="cell_state=True needs cell='lstm'"):
        lm.hidden_states("the", cell_state=True)


def test_stream_batches_cover_the_corpus_in_order():
    ids = torch.arange(103)
    batches = list(StreamBatches(TokenStream(ids), n_streams=4, bptt=10))
    inputs = torch.cat([x["inputs"] for x, _ in batches], dim=1)  # (4, 25)
    targets = torch.cat([y for _, y in batches], dim=1)
    assert torch.equal(inputs.reshape(-1), ids[:100]) and torch.equal(targets, inputs + 1)
    assert [bool(x["fresh"].all()) for x, _ in batches] == [True, False, False]
    shifted = next(iter(StreamBatches(TokenStream(ids), 4, 10, torch.Generator().manual_seed(1))))
    assert 0 <= int(shifted[0]["inputs"][0, 0]) < 10


def test_state_is_carried_across_chunks(fitted):
    # Reading a text in two training chunks (the second not fresh) gives the outputs of
    # reading it at once: the state crosses the chunk border.
    ids = torch.as_tensor(fitted.encoder_.transform(PATTERN)[0][None, :20])
    fitted._set_training(False)
    with torch.no_grad():
        first = fitted.infer({"inputs": ids[:, :8], "fresh": torch.tensor([True])})
        second = fitted.infer({"inputs": ids[:, 8:], "fresh": torch.tensor([False])})
        whole, _ = fitted.module_(ids)
    torch.testing.assert_close(torch.cat([first, second], dim=1), whole)
    fitted._carry = None


def test_word_level_and_token_lists():
    docs = ["the cat sat", "the dog sat", "a cat ran"] * 20
    lm = tiny(RNNLanguageModel, **SMALL, tokenizer="word", max_epochs=3).fit(docs)
    assert "cat" in lm.classes_ and lm.classes_[1] == "<eos>"
    sample = lm.sample(4, prompt="the cat", random_state=0)
    assert sample.startswith("the cat ") and len(sample.split()) == 6
    tokens = [d.split() for d in docs]
    lm_tokens = tiny(RNNLanguageModel, **SMALL, max_epochs=3).fit(tokens)
    assert lm_tokens.sample(3, prompt=["the"], random_state=0)[0] == "the"
    assert len(lm_tokens.sample(3, prompt=["the"], random_state=0)) == 4
    with pytest.raises(ValueError, match="fitted on tokens"):
        lm_tokens.score(["the cat"])
    # bits per character count the characters of the strings as written.
    total = -lm.score(docs[:3]) * 9 / math.log(2)
    assert lm.bits_per_char(docs[:3]) == pytest.approx(total / sum(map(len, docs[:3])))


def test_random_state_gives_the_same_model_and_clone_is_unfitted(fitted):
    again = tiny(RNNLanguageModel, **SMALL, max_epochs=12).fit(PATTERN * 40)
    for a, b in zip(fitted.module_.parameters(), again.module_.parameters(), strict=True):
        assert torch.equal(a, b)
    other = tiny(RNNLanguageModel, **{**SMALL, "random_state": 1}, max_epochs=1).fit(PATTERN * 40)
    assert not torch.equal(other.module_.head.linear.weight, fitted.module_.head.linear.weight)
    fresh = clone(fitted)
    assert fresh.get_params() == fitted.get_params() and not hasattr(fresh, "module_")


def test_dropout_fits_are_reproducible():
    params = {**SMALL, "dropout": 0.3, "max_epochs": 2}
    a = tiny(RNNLanguageModel, **params).fit(PATTERN * 20)
    b = tiny(RNNLanguageModel, **params).fit(PATTERN * 20)
    assert a.score(PATTERN) == b.score(PATTERN)


def test_warm_start_and_partial_fit_continue_training():
    lm = tiny(RNNLanguageModel, **SMALL, max_epochs=2).fit(PATTERN * 20)
    before = lm.score(PATTERN)
    lm.partial_fit(PATTERN * 20)
    assert len(lm.history) == 4 and lm.score(PATTERN) > before
    lm.set_params(warm_start=True).fit(PATTERN * 20 + "Q")  # "Q" is read as unknown
    assert len(lm.history) == 6 and "Q" not in lm.classes_


def test_save_load_and_pickle_round_trips(fitted, tmp_path):
    path = tmp_path / "lm.sklearn_rnn"
    fitted.save(path)
    for copy in (load(path), pickle.loads(pickle.dumps(fitted))):
        assert copy.score(PATTERN) == fitted.score(PATTERN)
        assert copy.sample(30, random_state=1) == fitted.sample(30, random_state=1)
        np.testing.assert_array_equal(copy.classes_, fitted.classes_)


def test_grid_search_maximizes_the_likelihood():
    docs = [PATTERN * 3] * 12
    search = GridSearchCV(
        tiny(RNNLanguageModel, **SMALL, max_epochs=4), {"hidden_size": [2, 32]}, cv=2
    ).fit(docs)
    assert search.best_params_ == {"hidden_size": 32}


def test_summary_lists_the_layers(fitted, capsys):
    summary = fitted.summary(show=False)
    assert [row[1] for row in summary.rows] == ["Embedding", "LSTM", "Linear"]


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_every_cell_learns(cell):
    lm = tiny(RNNLanguageModel, **SMALL, cell=cell, max_epochs=8).fit(PATTERN * 30)
    assert lm.perplexity(PATTERN * 2) < 3.0


def test_not_a_predictor(fitted):
    assert not hasattr(fitted, "predict") and not hasattr(fitted, "predict_proba")


def test_corpus_encoder_boundary_and_unknowns():
    enc = CorpusEncoder(tokenizer="whitespace", min_freq=2)
    ids = enc.fit_transform(["a b a <eos> c", "b"])
    assert enc.vocabulary_.tokens[:3] == ["<pad>", "<unk>", "<eos>"]
    assert ids[0].tolist() == [3, 4, 3, 2, 1]  # a, b, a, the boundary itself, unknown c
    assert enc.unknown_tokens(["c a d"]) == ["c", "d"]


def test_learns_real_text(shakespeare):
    # 20,000 characters of tiny-shakespeare, a small model, three epochs: held-out text
    # well below a uniform guess over its characters (4.1 nats) and the unigram model.
    train, valid = shakespeare[:20_000], shakespeare[20_000:22_000]
    lm = RNNLanguageModel(
        hidden_size=64,
        embedding_dim=16,
        bptt=32,
        batch_size=16,
        lr=0.01,
        max_epochs=3,
        random_state=0,
    ).fit(train)
    assert -lm.score(valid) < 2.6  # a unigram model of these characters: about 3.3


def test_word_vectors_are_shaped_by_the_text():
    # Words used in the same contexts end up with similar vectors within a few epochs:
    # what a classifier started from the model gets. With nn.Embedding's N(0, 1) start
    # the rows barely moved and the random draw dominated (min within < max across).
    # Characters keep that start (the other tests, and tiny-shakespeare's measured run).
    rng = np.random.RandomState(0)
    animals, colours = ["cat", "dog", "cow"], ["red", "blue", "green"]
    docs = []
    for _ in range(150):
        docs.append(f"the {rng.choice(animals)} eats grass and sleeps")
        docs.append(f"a {rng.choice(colours)} car drives fast on roads")
    lm = RNNLanguageModel(
        hidden_size=32,
        embedding_dim=16,
        bptt=8,
        batch_size=8,
        lr=0.01,
        max_epochs=3,
        tokenizer="word",
        random_state=0,
    ).fit(docs)
    vectors = lm.module_.input_layer.embedding.weight.detach().numpy()
    index = lm.encoder_.vocabulary_.index
    unit = {w: vectors[index[w]] / np.linalg.norm(vectors[index[w]]) for w in animals + colours}
    within = [unit[a] @ unit[b] for g in (animals, colours) for a in g for b in g if a < b]
    across = [unit[a] @ unit[b] for a in animals for b in colours]
    assert min(within) > max(across) + 0.3


def test_classifier_starts_from_the_language_model():
    from sklearn_rnn import RNNClassifier
    from sklearn_rnn.pretraining import init_from_language_model

    texts = ["a good film", "a bad film", "good fun", "bad acting"] * 6
    labels = [1, 0, 1, 0] * 6
    lm = tiny(RNNLanguageModel, **{**SMALL, "bptt": 4}, tokenizer="word", max_epochs=2).fit(texts)
    clf = RNNClassifier(**init_from_language_model(lm), max_epochs=0, random_state=0)
    clf.fit(texts, labels)
    for name, weight in lm.module_.rnn.named_parameters():
        torch.testing.assert_close(getattr(clf.module_.core.rnn, name), weight)
    row = clf.encoder_.vocabulary_.index["good"]
    torch.testing.assert_close(
        clf.module_.input_layer.embedding.weight[row],
        lm.module_.input_layer.embedding.weight[lm.encoder_.vocabulary_.index["good"]],
    )
    with pytest.raises(ValueError, match="does not match the language model"):
        RNNClassifier(**{**init_from_language_model(lm), "hidden_size": 8}, max_epochs=1).fit(
            texts, labels
        )


def test_hidden_state_heatmap(fitted):
    pytest.importorskip("matplotlib")
    import matplotlib

    from sklearn_rnn.inspection import plot_hidden_states

    matplotlib.use("Agg")
    ax = plot_hidden_states(fitted, "the cat sat", units=[0, 3])
    assert ax.images[0].get_array().shape == (2, len("the cat sat"))  # (units, characters)
    np.testing.assert_allclose(  # unit 3's row is its state after each character
        ax.images[0].get_array()[1], fitted.hidden_states("the cat sat")[0][:, 3], rtol=1e-6
    )


def test_kneser_ney_baseline_is_a_distribution(load_script):
    # The benchmark's n-gram baseline: for any history its probabilities over the
    # training characters plus one unseen character sum to 1.
    bench = load_script("benchmarks/language_model.py")
    model = bench.KneserNeyChars(3).fit("abracadabra, cadabra! " * 10)
    for history in ["ab", "ra", "zz", "a", ""]:
        total = sum(model.prob(history, c) for c in model.vocab) + model.prob(history, "\0")
        assert total == pytest.approx(1.0)
    assert model.nats_per_char("abracadabra") < math.log(len(model.vocab))


def test_fit_decays_the_learning_rate_and_continued_training_keeps_it():
    default = RNNLanguageModel(hidden_size=8, bptt=4, max_epochs=1).fit("hello world " * 20)
    assert default.lr_schedule_ == "constant"  # the measured "auto" for language models
    lm = RNNLanguageModel(hidden_size=8, bptt=4, max_epochs=3, lr_schedule="cosine")
    lm.fit("hello world " * 20)
    assert lm.lr_schedule_ == "cosine"
    rates = lm.history[:, "lr"]
    assert lm.lr >= rates[0] > rates[1] > rates[2] >= 0
    assert lm.optimizer_.param_groups[0]["lr"] == lm.lr  # left where the next fit starts
    default.partial_fit("hello world " * 20)
    assert default.lr_schedule_ == "constant" and "lr" not in default.history[-1]
