"""The wide n-gram branch of the text classifier (``wide_ngrams``, sklearn_rnn.nn.WideNgrams)."""

import numpy as np
import pytest
import torch

from sklearn_rnn import RNNClassifier
from sklearn_rnn.datasets import load_labeled_sentences
from sklearn_rnn.nn import WideNgrams
from sklearn_rnn.nn._wide import PAIR_BUCKETS, PAIR_MULTIPLIER, naive_bayes_table, ngram_rows

TINY = dict(hidden_size=6, embedding_dim=5, max_epochs=2, lr=0.01, random_state=0, batch_size=4)


def _random_wide(ngrams, n_ids=50, n_outputs=3):
    wide = WideNgrams(n_ids, n_outputs, ngrams).eval()
    wide.weight.data.normal_(generator=torch.Generator().manual_seed(0))
    return wide


@pytest.mark.parametrize("ngrams", [1, 2])
def test_scores_are_the_linear_model_over_the_sequences_own_ngram_counts(ngrams):
    wide = _random_wide(ngrams)
    sequences = [[5, 7, 5, 7], [3], [9, 9, 2]]
    lengths = torch.tensor([len(s) for s in sequences])
    inputs = torch.tensor([s + [0] * (4 - len(s)) for s in sequences])
    with torch.inference_mode():
        got = wide(inputs, lengths).numpy()
    weight = wide.weight.detach().double().numpy()
    for i, seq in enumerate(sequences):
        rows = list(seq)
        if ngrams == 2:
            rows += [
                50 + (a * PAIR_MULTIPLIER + b) % PAIR_BUCKETS
                for a, b in zip(seq[:-1], seq[1:], strict=True)
            ]
        expected = weight[rows].sum(0) / np.sqrt(len(rows))
        np.testing.assert_allclose(got[i], expected, rtol=1e-12)


def test_padding_and_batch_neighbours_change_nothing():
    wide = _random_wide(2)
    short = torch.tensor([[4, 8, 15]])
    with torch.inference_mode():
        alone = wide(short, torch.tensor([3]))
        # Padding ids of every value: only the sequence's own ids and pairs count.
        padded = torch.tensor([[4, 8, 15, 16, 23, 42], [1] * 6])
        among = wide(padded, torch.tensor([3, 6]))
    np.testing.assert_allclose(among[0].numpy(), alone[0].numpy(), rtol=0, atol=1e-12)


def test_text_classifier_has_the_branch_by_default_and_series_do_not(texts):
    clf = RNNClassifier(**TINY).fit(*texts)
    assert clf.wide_ngrams_ == 2 and isinstance(clf.module_.wide, WideNgrams)
    assert clf.module_.wide.weight.detach().abs().sum() > 0  # trained with the network
    off = RNNClassifier(wide_ngrams=None, **TINY).fit(*texts)
    assert off.module_.wide is None
    words = RNNClassifier(wide_ngrams=1, **TINY).fit(*texts)
    assert words.module_.wide.weight.shape == (words.encoder_.n_ids_, 2)
    rng = np.random.RandomState(0)
    series = rng.randn(20, 6, 2).astype(np.float32)
    numeric = RNNClassifier(**TINY).fit(series, [0, 1] * 10)
    assert numeric.wide_ngrams_ is None and numeric.module_.wide is None


def test_text_prediction_does_not_depend_on_batch_neighbours(texts):
    clf = RNNClassifier(**TINY).fit(*texts)
    short = "great unseen acting"
    alone = clf.predict_proba([short])[0]
    long_text = " ".join(["a dull film truly awful acting"] * 40)
    for batch_size in (1, 3, 32):
        clf.set_params(batch_size=batch_size)
        proba = clf.predict_proba([long_text, short, long_text + " great", "dull"])
        np.testing.assert_allclose(proba[1], alone, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("value", [3, 0, True, 2.0, "bigrams"])
def test_bad_wide_ngrams_is_a_value_error_naming_it(texts, value):
    with pytest.raises(ValueError, match="wide_ngrams"):
        RNNClassifier(wide_ngrams=value, **TINY).fit(*texts)


def test_summary_save_load_and_transform(texts, tmp_path):
    from sklearn_rnn.persistence import load

    clf = RNNClassifier(**TINY).fit(*texts)
    rows = {name: (kind, params) for name, kind, _, params in clf.summary(show=False).rows}
    assert rows["wide"] == ("WideNgrams", (clf.encoder_.n_ids_ + PAIR_BUCKETS) * 2)
    clf.save(tmp_path / "model.skrnn")
    loaded = load(tmp_path / "model.skrnn")
    X = texts[0] + ["an unseen review", "great"]
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))
    # transform is the recurrent representation; the logits add the wide scores to its head.
    features = torch.from_numpy(clf.transform(X))
    encoded = clf._prediction_dataset(X)
    inputs, _ = encoded.batch(torch.arange(len(X)))
    with torch.inference_mode():
        module = clf.module_.eval()
        logits = module.head(features) + module.wide(inputs["inputs"], inputs["lengths"])
    np.testing.assert_allclose(torch.softmax(logits, 1).numpy(), clf.predict_proba(X), rtol=1e-9)


def test_served_model_predicts_as_the_estimator(texts, tmp_path):
    pytest.importorskip("onnxruntime")
    from sklearn_rnn.serving import ONNXPredictor

    # A larger learning rate: wide weights far from zero, so a wrong hash or mask shows.
    clf = RNNClassifier(**{**TINY, "lr": 0.1, "max_epochs": 5}).fit(*texts)
    assert clf.module_.wide.weight.detach().abs().max() > 0.1
    assert clf.module_.wide.naive_bayes.abs().max() > 0.1  # the naive Bayes table goes too
    clf.export_onnx(tmp_path / "model.onnx")
    served = ONNXPredictor(tmp_path / "model.onnx")
    X = texts[0] + ["great", "an unseen review that is longer than any training text", "dull"]
    for batch_size in (1, 3, 64):
        served.batch_size = batch_size
        np.testing.assert_allclose(served.predict_proba(X), clf.predict_proba(X), atol=1e-5)
    single_words = ["great", "dull", "unseen"]  # a batch of one step: no word pairs at all
    np.testing.assert_allclose(
        served.predict_proba(single_words), clf.predict_proba(single_words), atol=1e-5
    )


# -- naive Bayes beside the network (naive_bayes) -------------------------------------------


def test_naive_bayes_table_is_scikit_learns_multinomial_nb_centered():
    from sklearn.naive_bayes import MultinomialNB

    rng = np.random.RandomState(0)
    docs = [rng.randint(0, 12, rng.randint(1, 9)) for _ in range(40)]  # rows 0..11 of 20
    labels = rng.randint(0, 3, len(docs))
    weights = rng.uniform(0.5, 2.0, len(docs))
    counts = np.stack([np.bincount(d, minlength=20) for d in docs])
    by_class = np.stack([(counts * weights[:, None])[labels == c].sum(0) for c in range(3)], 1)
    table = naive_bayes_table(torch.from_numpy(by_class)).numpy()
    seen = counts.sum(0) > 0
    nb = MultinomialNB(alpha=1.0).fit(counts[:, seen], labels, sample_weight=weights)
    expected = nb.feature_log_prob_.T - nb.feature_log_prob_.T.mean(1, keepdims=True)
    np.testing.assert_allclose(table[seen], expected, rtol=1e-10)
    assert (table[~seen] == 0).all()  # outside naive Bayes' vocabulary: no opinion


def test_ngram_rows_are_the_words_and_pairs_the_wide_branch_sums():
    wide = _random_wide(2)
    inputs, lengths = torch.tensor([[5, 7, 9], [3, 0, 0]]), torch.tensor([3, 1])
    rows, real = ngram_rows(inputs, lengths, 50, 2)
    with torch.inference_mode():
        scores = wide(inputs, lengths)
    weight = wide.weight.detach().double()
    summed = (weight[rows] * real[:, :, None]).sum(1) / real.sum(1, keepdim=True).sqrt()
    torch.testing.assert_close(scores, summed)
    assert rows[1][real[1]].tolist() == [3]  # one word, no pair


def test_naive_bayes_never_changes_training_and_adds_its_scores_at_prediction(texts):
    alone = RNNClassifier(naive_bayes=0, **TINY).fit(*texts)
    blended = RNNClassifier(naive_bayes=0.5, **TINY).fit(*texts)
    assert alone.naive_bayes_ == 0 and alone.module_.wide.naive_bayes is None
    assert blended.naive_bayes_ == 0.5
    # The same network, draw for draw: naive Bayes only counts, after training.
    for name, value in alone.module_.state_dict().items():
        torch.testing.assert_close(blended.module_.state_dict()[name], value, rtol=0, atol=0)
    X = texts[0] + ["great", "an unseen review", "dull and awful"]
    encoded = blended._prediction_dataset(X)
    inputs, _ = encoded.batch(torch.arange(len(X)))
    wide = blended.module_.wide
    rows, real = ngram_rows(inputs["inputs"], inputs["lengths"], wide.n_ids, wide.ngrams)
    nb = WideNgrams.naive_bayes_scores(rows, real, wide.naive_bayes)
    logits = torch.from_numpy(alone.predict_log_proba(X)) + nb
    np.testing.assert_allclose(
        blended.predict_proba(X), torch.softmax(logits, 1).numpy(), rtol=1e-6, atol=1e-9
    )
    # The table is half naive Bayes' centered log-probabilities: "great" votes for "pos".
    great = int(blended._prediction_dataset(["great"]).batch(torch.arange(1))[0]["inputs"][0, 0])
    pos = list(blended.classes_).index("pos")
    assert wide.naive_bayes[great, pos] > 0 > wide.naive_bayes[great, 1 - pos]


def test_naive_bayes_auto_weighs_by_the_ngrams_each_word_is_in(texts):
    assert RNNClassifier(**TINY).fit(*texts).naive_bayes_ == pytest.approx(1 / 3)
    assert RNNClassifier(wide_ngrams=1, **TINY).fit(*texts).naive_bayes_ == 1.0
    assert RNNClassifier(wide_ngrams=None, **TINY).fit(*texts).naive_bayes_ == 0.0
    series = np.random.RandomState(0).randn(20, 6, 2).astype(np.float32)
    assert RNNClassifier(**TINY).fit(series, [0, 1] * 10).naive_bayes_ == 0.0
    # Series have no words to count, whatever wide_ngrams says.
    assert RNNClassifier(wide_ngrams=2, **TINY).fit(series, [0, 1] * 10).naive_bayes_ == 0.0
    with pytest.raises(ValueError, match="naive_bayes"):
        RNNClassifier(naive_bayes=0.5, wide_ngrams=2, **TINY).fit(series, [0, 1] * 10)
    indicator = np.array([[1, 0], [0, 1], [1, 1]] * 16)[: len(texts[0])]
    multilabel = RNNClassifier(**TINY).fit(texts[0], indicator)
    assert multilabel.naive_bayes_ == 0.0 and multilabel.module_.wide.naive_bayes is None


@pytest.mark.parametrize("value", [-0.5, float("inf"), 1e39, "yes", None, True])
def test_bad_naive_bayes_is_a_value_error_naming_it(texts, value):
    with pytest.raises(ValueError, match="naive_bayes"):
        RNNClassifier(naive_bayes=value, **TINY).fit(*texts)


def test_partial_fit_has_no_naive_bayes_and_warm_start_counts_its_own_data(texts):
    X, y = texts
    partial = RNNClassifier(**TINY).partial_fit(X, y, classes=["neg", "pos"])
    assert partial.naive_bayes_ == 0.0 and partial.module_.wide.naive_bayes is None
    with pytest.raises(ValueError, match="naive_bayes.*partial_fit"):
        RNNClassifier(naive_bayes=0.5, **TINY).partial_fit(X, y, classes=["neg", "pos"])
    # A warm_start fit counts the X it is given: with the labels swapped, "great" turns.
    clf = RNNClassifier(warm_start=True, **TINY).fit(X, y)
    great = int(clf._prediction_dataset(["great"]).batch(torch.arange(1))[0]["inputs"][0, 0])
    pos = list(clf.classes_).index("pos")
    assert clf.module_.wide.naive_bayes[great, pos] > 0
    swapped = ["neg" if label == "pos" else "pos" for label in y]
    clf.fit(X, swapped)
    assert clf.module_.wide.naive_bayes[great, pos] < 0


def test_naive_bayes_without_the_wide_branch_is_a_value_error(texts):
    with pytest.raises(ValueError, match="naive_bayes.*wide n-gram branch"):
        RNNClassifier(naive_bayes=0.5, wide_ngrams=None, **TINY).fit(*texts)


def test_naive_bayes_makes_a_small_polarity_model_more_accurate(data_dir):
    from sklearn.model_selection import train_test_split

    from sklearn_rnn.datasets import load_polarity

    mr = data_dir / "MR"
    texts, labels = load_polarity(mr / "rt-polarity.pos", mr / "rt-polarity.neg")
    X_train, X_test, y_train, y_test = train_test_split(
        texts, labels, train_size=2000, test_size=1000, stratify=labels, random_state=0
    )
    settings = dict(hidden_size=32, embedding_dim=32, max_epochs=3, random_state=0)
    alone = RNNClassifier(naive_bayes=0, **settings).fit(X_train, y_train)
    blended = RNNClassifier(**settings).fit(X_train, y_train)
    # Measured: 0.680 alone, 0.723 blended (naive Bayes alone, weight 1e6: 0.730).
    assert blended.score(X_test, y_test) > alone.score(X_test, y_test) + 0.01


def test_load_labeled_sentences(tmp_path):
    path = tmp_path / "subj.all"
    path.write_bytes("1 a clich\xe9d , tired film \n\n0 he moves to paris .\n".encode("cp1252"))
    texts, labels = load_labeled_sentences(path)
    assert texts == ["a clichéd , tired film", "he moves to paris ."]
    assert labels.tolist() == [1, 0] and labels.dtype == np.int64
    path.write_text("1 fine\n0\n")
    with pytest.raises(ValueError, match="subj.all.*label sentence"):
        load_labeled_sentences(path)


def test_text_benchmark_runs_every_arm_and_reports(load_script, tmp_path, capsys):
    module = load_script("benchmarks/text.py")
    mr, subj = tmp_path / "MR", tmp_path / "subj.all"
    mr.mkdir()
    good, bad = ["a great film", "truly wonderful acting"] * 10, ["a dull film", "awful"] * 10
    (mr / "rt-polarity.pos").write_text("\n".join(good) + "\n")
    (mr / "rt-polarity.neg").write_text("\n".join(bad) + "\n")
    subj.write_text("".join(f"1 {t}\n0 {u}\n" for t, u in zip(good, bad, strict=True)))
    module.ARMS["defaults"] = lambda seed: RNNClassifier(**{**TINY, "random_state": seed})
    module.ARMS["before #28"] = lambda seed: RNNClassifier(
        **{**TINY, "random_state": seed, **module.BEFORE_28}
    )
    report = module.main(["--mr", str(mr), "--subj", str(subj), "--folds", "1"])
    assert list(report["MR"]) == [
        "defaults",
        "defaults, naive Bayes off",
        "before #28",
        "TF-IDF + LR",
        "TF-IDF (1-2 grams) + LR",
    ]
    assert "before #28" not in report["Subj"]  # the fit-time reference runs on MR only
    assert all(len(r["accuracy"]) == 1 for arms in report.values() for r in arms.values())
    assert "Subj   TF-IDF + LR" in capsys.readouterr().out
