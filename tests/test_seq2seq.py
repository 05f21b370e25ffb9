"""RNNSeq2Seq: learning, decoding, batch invariance, scoring, persistence and bad input."""

from __future__ import annotations

import itertools
import pickle

import numpy as np
import pytest
import torch
from conftest import tiny  # tests/ is on sys.path
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score
from skorch.callbacks import Callback

from sklearn_rnn import RNNSeq2Seq, load
from sklearn_rnn.metrics import neg_token_error_rate_scorer, sequence_accuracy_scorer
from sklearn_rnn.seq2seq._network import EOS_ID, Seq2SeqModel, beam_search

# Reverse and upper-case a string over "ab" or "abc": "abc" -> "CBA". The output depends
# on the whole input, in reverse, so the decoder must attend to the right source step.
WORDS = ["".join(p) for n in (1, 2, 3, 4) for p in itertools.product("abc", repeat=n)]
TARGETS = [w[::-1].upper() for w in WORDS]
# What learning to reverse takes beyond conftest.TINY: 32 units, 16-dim embeddings, no
# dropout (epochs and seeds at each call).
SMALL = dict(hidden_size=32, embedding_dim=16, dropout=0.0, lr=0.01, batch_size=16)


@pytest.fixture(scope="module")
def reverser():
    """Learns the task on all 120 words (the test reads, never refits, it)."""
    return tiny(RNNSeq2Seq, **SMALL, max_epochs=20, random_state=0).fit(WORDS, TARGETS)


# -- learning and the forms of y ------------------------------------------------------------


def test_learns_to_reverse(reverser):
    assert reverser.score(WORDS, TARGETS) >= 0.9
    assert reverser.predict(["abca", "cab", "b"]) == ["ACBA", "BAC", "B"]
    assert reverser.max_output_len_ == 8  # twice the longest training output
    assert sorted(reverser.output_symbols_) == ["A", "B", "C"]


def test_token_lists_in_token_lists_out():
    X = [list(w) for w in WORDS[:39]]
    y = [[c.upper() + "1" for c in reversed(w)] for w in X]
    model = tiny(RNNSeq2Seq, **SMALL, max_epochs=2, random_state=0).fit(X, y)
    predicted = model.predict(X[:5])
    assert all(isinstance(p, list) and all(t in {"A1", "B1", "C1"} for t in p) for p in predicted)


def test_whitespace_targets_are_joined_with_spaces():
    y = [" ".join(c.upper() + "0" for c in reversed(w)) for w in WORDS[:39]]
    model = tiny(RNNSeq2Seq, **SMALL, max_epochs=2, target_tokenizer="whitespace", random_state=0)
    predicted = model.fit(WORDS[:39], y).predict(WORDS[:5])
    assert all(set(p.split()) <= {"A0", "B0", "C0"} and "  " not in p for p in predicted)
    assert set(model.output_symbols_) == {"A0", "B0", "C0"}


def test_numeric_series_in():
    rng = np.random.RandomState(0)
    X = [rng.rand(n, 2).astype(np.float32) for n in rng.randint(1, 5, size=40)]
    y = ["U" * len(x) for x in X]  # one symbol per input step
    model = tiny(RNNSeq2Seq, **SMALL, max_epochs=2, random_state=0).fit(X, y)
    assert len(model.predict(X)) == 40 and model.n_features_in_ == 2


@pytest.mark.parametrize("cell", ["rnn", "gru"])
def test_other_cells_and_stacked_layers(cell):
    model = tiny(RNNSeq2Seq, **SMALL, cell=cell, num_layers=2, single_bias=True, max_epochs=1)
    predicted = model.fit(WORDS, TARGETS).predict(WORDS[:10])
    assert len(predicted) == 10 and all(set(p) <= {"A", "B", "C"} for p in predicted)
    np.testing.assert_allclose(
        model.score_sequences(WORDS[:3], TARGETS[:3]),
        [model.score_sequences([w], [t])[0] for w, t in zip(WORDS[:3], TARGETS[:3], strict=True)],
        rtol=1e-6,
    )


def test_label_smoothing_keeps_the_model_less_sure(reverser):
    # The default label_smoothing=0.1 spreads 10 % of each target's mass over all
    # symbols: the right outputs keep visibly less than probability 1 than without it.
    sure = tiny(RNNSeq2Seq, **SMALL, max_epochs=20, random_state=0, label_smoothing=0.0)
    sure.fit(WORDS, TARGETS)
    assert reverser.score(WORDS, TARGETS) >= 0.9
    unsure = reverser.score_sequences(WORDS, TARGETS)
    assert np.median(unsure) < np.median(sure.score_sequences(WORDS, TARGETS)) - 0.05


def test_max_output_len_caps_the_outputs():
    model = tiny(RNNSeq2Seq, **SMALL, max_epochs=1, max_output_len=2, random_state=0)
    model.fit(WORDS, TARGETS)
    assert model.max_output_len_ == 2
    assert max(len(p) for p in model.predict(WORDS)) <= 2


# -- decoding ------------------------------------------------------------------------------


def test_nbest_is_sorted_distinct_and_scored_like_score_sequences(reverser):
    X = ["abc", "ca"]
    nbest = reverser.predict_nbest(X, n=4)
    for x, hypotheses in zip(X, nbest, strict=True):
        outputs = [o for o, _ in hypotheses]
        scores = np.array([s for _, s in hypotheses])
        assert len(outputs) == 4 and len(set(outputs)) == 4
        assert (np.diff(scores) <= 0).all()
        rescored = reverser.score_sequences([x] * 4, outputs)
        np.testing.assert_allclose(rescored, scores, rtol=1e-5, atol=1e-5)
    assert [h[0][0] for h in nbest] == reverser.predict(X)


def test_probabilities_of_all_outputs_sum_to_at_most_one(reverser):
    # Every output over {A, B, C} of up to 6 symbols: their probabilities sum to <= 1
    # and almost all of the mass (the model emits the end of sequence early).
    outputs = ["".join(p) for n in range(1, 7) for p in itertools.product("ABC", repeat=n)]
    total = np.exp(reverser.score_sequences(["ab"] * len(outputs), outputs)).sum()
    # Label smoothing (the default 0.1) leaves a little mass on longer outputs.
    assert 0.98 < total <= 1.0 + 1e-9


def test_beam_of_one_is_greedy_decoding(reverser):
    model = reverser.module_.eval()
    batch = reverser._prediction_dataset(WORDS[:30]).batch(torch.arange(30))[0]
    with torch.inference_mode():
        tokens, _ = beam_search(model, batch["inputs"], batch["lengths"], 1, 8)
        memory, keys, mask, state = model.encode(batch["inputs"], batch["lengths"])
        previous = torch.full((30, 1), 3)
        greedy = []
        for _ in range(9):
            scores, state = model.decode(previous, memory, keys, mask, state)
            previous = model.log_probs(scores.double())[:, -1].argmax(1, keepdim=True)
            greedy.append(previous)
    greedy = torch.cat(greedy, dim=1)
    for beam_row, greedy_row in zip(tokens[:, 0].tolist(), greedy.tolist(), strict=True):
        end = greedy_row.index(EOS_ID) + 1
        assert beam_row[:end] == greedy_row[:end]


def test_beam_search_finds_at_least_greedys_probability(reverser):
    greedy = clone(reverser).set_params(beam_size=1)
    vars(greedy).update({k: v for k, v in vars(reverser).items() if k.endswith("_")})
    X = WORDS[::3]
    beam_scores = reverser.score_sequences(X, reverser.predict(X))
    greedy_scores = reverser.score_sequences(X, greedy.predict(X))
    assert (beam_scores >= greedy_scores - 1e-9).mean() >= 0.95


def test_a_finished_beam_never_changes():
    torch.manual_seed(0)
    model = Seq2SeqModel(n_outputs=7, n_ids=9, n_features=None, hidden_size=8, embedding_dim=4)
    inputs, lengths = torch.tensor([[4, 5, 6, 7]]), torch.tensor([4])
    with torch.inference_mode():
        short, short_scores = beam_search(model.eval(), inputs, lengths, 3, max_output_len=3)
        long, long_scores = beam_search(model, inputs, lengths, 3, max_output_len=12)
    finished = (short == EOS_ID).any(2)[0]
    for k in torch.nonzero(finished)[:, 0].tolist():
        assert short[0, k].tolist() in [row[: short.shape[2]] for row in long[0].tolist()]


# -- padding and batch neighbours ----------------------------------------------------------


def test_outputs_do_not_depend_on_batch_neighbours(reverser):
    X = ["abcabcabca", "a", "cb", "abcc", "b", "bbbbbbbbbbbbb", "ca"]
    together = reverser.predict(X)
    alone = [reverser.predict([x])[0] for x in X]
    assert together == alone
    y = [x[::-1].upper() for x in X]
    # Equal up to float32 rounding: other batch shapes sum in another order (two layers).
    np.testing.assert_allclose(
        reverser.score_sequences(X, y),
        [reverser.score_sequences([x], [t])[0] for x, t in zip(X, y, strict=True)],
        rtol=1e-5,
    )
    nbest = reverser.predict_nbest(X[::-1], n=3)[::-1]
    for mine, single in zip(nbest, [reverser.predict_nbest([x], n=3)[0] for x in X], strict=True):
        assert [o for o, _ in mine] == [o for o, _ in single]
        np.testing.assert_allclose([s for _, s in mine], [s for _, s in single], rtol=1e-5)


def test_batch_size_does_not_change_predictions(reverser):
    other = pickle.loads(pickle.dumps(reverser)).set_params(batch_size=3)
    assert other.predict(WORDS) == reverser.predict(WORDS)


# -- persistence, clone, determinism ---------------------------------------------------------


def test_save_load_and_pickle_round_trips(reverser, tmp_path):
    path = tmp_path / "reverser.sklearn_rnn"
    reverser.save(path)
    loaded = load(path)
    assert loaded.predict(WORDS) == reverser.predict(WORDS)
    np.testing.assert_array_equal(
        loaded.score_sequences(WORDS, TARGETS), reverser.score_sequences(WORDS, TARGETS)
    )
    unpickled = pickle.loads(pickle.dumps(reverser))
    assert unpickled.predict_nbest(WORDS[:5]) == reverser.predict_nbest(WORDS[:5])


def test_clone_is_unfitted_with_the_same_parameters(reverser):
    fresh = clone(reverser)
    assert fresh.get_params() == reverser.get_params()
    with pytest.raises(NotFittedError):
        fresh.predict(["ab"])


def test_random_state_gives_the_same_model():
    fits = [
        tiny(RNNSeq2Seq, **{**SMALL, "dropout": 0.3}, max_epochs=2, random_state=7).fit(
            WORDS, TARGETS
        )
        for _ in range(2)
    ]
    np.testing.assert_array_equal(*(m.score_sequences(WORDS, TARGETS) for m in fits))
    other = tiny(RNNSeq2Seq, **SMALL, max_epochs=2, random_state=8).fit(WORDS, TARGETS)
    assert not np.array_equal(
        other.score_sequences(WORDS, TARGETS), fits[0].score_sequences(WORDS, TARGETS)
    )


def test_warm_start_and_early_stopping():
    model = tiny(RNNSeq2Seq, **SMALL, max_epochs=1, warm_start=True, random_state=0)
    model.fit(WORDS, TARGETS).fit(WORDS, TARGETS)
    assert len(model.history_) == 2
    stopping = tiny(RNNSeq2Seq, **SMALL, max_epochs=2, early_stopping=True, random_state=0)
    stopping.fit(WORDS, TARGETS)
    assert all(np.isfinite(row["valid_loss"]) for row in stopping.history_)


# -- scikit-learn integration ------------------------------------------------------------------


def test_cross_validation_with_the_scorers():
    model = tiny(RNNSeq2Seq, **SMALL, max_epochs=2, random_state=0)
    cv = KFold(2, shuffle=True, random_state=0)
    accuracy = cross_val_score(model, WORDS, TARGETS, cv=cv, scoring=sequence_accuracy_scorer)
    errors = cross_val_score(model, WORDS, TARGETS, cv=cv, scoring=neg_token_error_rate_scorer)
    assert ((0 <= accuracy) & (accuracy <= 1)).all() and (errors <= 0).all()
    search = GridSearchCV(model, {"cell": ["gru", "lstm"]}, cv=cv).fit(WORDS, TARGETS)
    assert search.best_params_["cell"] in ("gru", "lstm")


# -- bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("y", "error", "match"),
    [
        (["AB", ""], ValueError, r"y\[1\] is an empty string"),
        ([["A"], []], ValueError, r"y\[1\] is an empty sequence"),
        (["AB"], ValueError, "inconsistent numbers of samples"),
        (["AB", 3], TypeError, r"y\[1\]"),
        (None, ValueError, "requires y"),
    ],
)
def test_bad_targets(y, error, match):
    with pytest.raises(error, match=match):
        RNNSeq2Seq(max_epochs=1).fit(["ab", "ba"], y)


def test_whitespace_only_target_is_rejected():
    model = RNNSeq2Seq(max_epochs=1, target_tokenizer="whitespace")
    with pytest.raises(ValueError, match=r"y\[0\] holds only whitespace"):
        model.fit(["ab", "ba"], ["  ", "B A"])


@pytest.mark.parametrize(
    ("param", "value"),
    [("beam_size", 0), ("max_output_len", 0), ("target_tokenizer", "word"), ("cell", "x")],
)
def test_bad_parameters_name_themselves(param, value):
    with pytest.raises(ValueError, match=f"parameter '{param}'"):
        RNNSeq2Seq(**{param: value}).fit(["ab"], ["BA"])


def test_unseen_output_symbols(reverser):
    with pytest.raises(ValueError, match=r"output symbols not seen in fit: \['D'\]"):
        reverser.score_sequences(["abd"], ["DBA"])
    assert reverser.score(["ab", "abd"], ["BA", "DBA"]) == 0.5  # an error, not a failure
    model = clone(reverser).set_params(max_epochs=1).fit(WORDS, TARGETS)
    with pytest.raises(ValueError, match="not seen in fit"):
        model.partial_fit(["d"], ["D"])


def test_unfitted_and_bad_n(reverser):
    for method, args in [
        ("predict", (["a"],)),
        ("score", (["a"], ["A"])),
        ("score_sequences", (["a"], ["A"])),
        ("predict_nbest", (["a"],)),
    ]:
        with pytest.raises(NotFittedError):
            getattr(RNNSeq2Seq(), method)(*args)
    with pytest.raises(ValueError, match="n must be an int >= 1"):
        reverser.predict_nbest(["a"], n=0)


# -- the example and the benchmark -------------------------------------------------------------


def test_g2p_example_and_benchmark(load_script, data_dir, capsys):
    if not (data_dir / "cmudict" / "cmudict.dict").is_file():
        pytest.skip("CMUdict not found")
    result = load_script("examples/g2p_cmudict.py").main(
        [
            "--data-dir",
            str(data_dir),
            "--limit",
            "300",
            "--test-limit",
            "50",
            "--max-epochs",
            "1",
            "--threads",
            "1",
        ]
    )
    out = capsys.readouterr().out
    assert result["n_train"] == 300 and result["n_test"] == 50
    assert f"word error rate {result['wer']:.3f}, phone error rate {result['per']:.3f}" in out
    assert 0 <= result["wer"] <= 1 and result["per"] >= 0
    results = load_script("benchmarks/g2p.py").main(
        [
            "--data-dir",
            str(data_dir),
            "--train-limit",
            "300",
            "--test-limit",
            "40",
            "--max-epochs",
            "1",
            "--hidden-size",
            "16",
            "--num-layers",
            "2",
            "--dropout",
            "0.1",
            "--label-smoothing",
            "0.1",
            "--verbose",
            "0",
        ]
    )
    out = capsys.readouterr().out
    assert "'num_layers': 2, 'dropout': 0.1" in out and "'label_smoothing': 0.1" in out
    assert [row[0] for row in results["accuracy"]["rows"]] == [1, 5]
    assert "| greedy |" in out and "| beam 5 |" in out
    speed = load_script("benchmarks/g2p.py").main(
        ["--data-dir", str(data_dir), "--speed", "--no-accuracy", "--repeats", "1"]
        + ["--hidden-size", "16", "--num-layers", "2", "--label-smoothing", "0.1"]
    )["speed"]
    assert len(speed) == 4 and all(seconds > 0 for seconds in speed.values())
    assert "| training epoch, hand-written loop |" in capsys.readouterr().out


@pytest.mark.slow
def test_learns_pronunciations_from_a_cmudict_sample(data_dir):
    from sklearn_rnn.datasets import load_cmudict, split_pronunciations
    from sklearn_rnn.metrics import token_error_rate

    path = data_dir / "cmudict" / "cmudict.dict"
    if not path.is_file():
        pytest.skip("CMUdict not found")
    w_train, w_test, p_train, p_test = split_pronunciations(*load_cmudict(path, stress=False))
    model = RNNSeq2Seq(hidden_size=64, max_epochs=5, random_state=0)
    model.fit(w_train[:4000], p_train[:4000])
    greedy = token_error_rate(p_test[:300], model.set_params(beam_size=1).predict(w_test[:300]))
    beam = token_error_rate(p_test[:300], model.set_params(beam_size=5).predict(w_test[:300]))
    assert greedy < 0.5 and beam <= greedy + 0.01  # untrained: ~1.0


# -- the defaults' parameters: normalization, label smoothing, the schedule --------------


def test_input_in_either_unicode_form_reads_the_same_and_outputs_keep_theirs():
    import unicodedata

    words = ["café", "cafe", "né", "ne", "été", "ete", "è", "e"] * 6
    y = [w.upper() for w in words]  # composed É in the outputs, as y has it
    model = RNNSeq2Seq(**SMALL, max_epochs=15, random_state=0).fit(words, y)
    # "é" is read as "e" and an acute accent: one symbol for the accent, whatever letter.
    assert "\u0301" in model.encoder_.vocabulary_.tokens
    assert "é" not in model.encoder_.vocabulary_.tokens
    decomposed = [unicodedata.normalize("NFD", w) for w in ["café", "été"]]
    assert model.predict(decomposed) == model.predict(["café", "été"])
    assert "É" in model.output_symbols_  # outputs are never normalized
    # None reads the input as written: the decomposed accent is then an unknown symbol.
    as_written = clone(model).set_params(normalization=None).fit(words, y)
    assert "é" in as_written.encoder_.vocabulary_.tokens
    assert "\u0301" not in as_written.encoder_.vocabulary_.tokens


def test_label_smoothing_is_the_criterion_s_and_skorch_s_prefix_wins():
    model = RNNSeq2Seq(**SMALL, max_epochs=1, random_state=0)
    losses = {}
    for smoothing in (0.0, 0.3):
        fitted = clone(model).set_params(label_smoothing=smoothing).fit(WORDS, TARGETS)
        assert fitted.criterion_.label_smoothing == smoothing
        losses[smoothing] = fitted.history_[-1, "train_loss"]
    assert losses[0.3] > losses[0.0]  # the smoothed targets cannot be matched exactly
    both = clone(model).set_params(label_smoothing=0.3, criterion__label_smoothing=0.05)
    assert both.fit(WORDS, TARGETS).criterion_.label_smoothing == 0.05


@pytest.mark.parametrize(
    "params, name",
    [
        ({"label_smoothing": 1.0}, "label_smoothing"),
        ({"label_smoothing": -0.1}, "label_smoothing"),
        ({"normalization": "nfd"}, "normalization"),
    ],
)
def test_bad_new_parameters_name_themselves(params, name):
    with pytest.raises(ValueError, match=f"'{name}'"):
        RNNSeq2Seq(**params).fit(WORDS, TARGETS)


class _StopAfterOneEpoch(Callback):
    def on_epoch_end(self, net, **kwargs):
        self.lr_ = net.optimizer_.param_groups[0]["lr"]  # the rate of the epoch's last step
        raise KeyboardInterrupt  # skorch ends the fit there, the model kept


def test_auto_trains_a_step_budget_with_a_cosine_decay():
    # 120 words in batches of 16: 8 steps an epoch, so 2,000 steps are 250 epochs.
    stop = [("stop", _StopAfterOneEpoch())]
    model = RNNSeq2Seq(**SMALL, callbacks=stop, random_state=0).fit(WORDS, TARGETS)
    assert model.max_epochs_ == 250 and model.lr_schedule_ == "cosine"
    assert dict(model.callbacks_)["stop"].lr_ < SMALL["lr"]  # decaying from the start
    bigger = clone(model).set_params(batch_size=120).fit(WORDS, TARGETS)  # 1 step an epoch
    assert bigger.max_epochs_ == 500  # at most 500
    # Incremental training continues at a constant rate, one epoch per call.
    incremental = clone(model).set_params(callbacks=None).partial_fit(WORDS, TARGETS)
    assert incremental.max_epochs_ == 1 and incremental.lr_schedule_ == "constant"


def test_auto_dropout_is_less_with_more_training_pairs(monkeypatch):
    from sklearn_rnn.seq2seq import _estimator

    params = {**SMALL, "max_epochs": 2, "random_state": 0}
    params.pop("dropout")
    small = RNNSeq2Seq(**params).fit(WORDS, TARGETS)
    assert small.dropout == "auto" and small.dropout_ == 0.2
    assert RNNSeq2Seq(**params, dropout=0.3).fit(WORDS, TARGETS).dropout_ == 0.3
    # From AUTO_DROPOUT_LARGE_FROM pairs on, "auto" is dropout=0.1, draw for draw.
    monkeypatch.setattr(_estimator, "AUTO_DROPOUT_LARGE_FROM", len(WORDS))
    large = RNNSeq2Seq(**params).fit(WORDS, TARGETS)
    given = RNNSeq2Seq(**params, dropout=0.1).fit(WORDS, TARGETS)
    assert large.dropout_ == 0.1
    for a, b in zip(large.module_.parameters(), given.module_.parameters(), strict=True):
        assert torch.equal(a, b)
    assert clone(large).get_params()["dropout"] == "auto"  # the parameter stays untouched


def test_bad_dropout_names_itself():
    with pytest.raises(ValueError, match="'dropout'"):
        RNNSeq2Seq(dropout="high").fit(WORDS, TARGETS)
