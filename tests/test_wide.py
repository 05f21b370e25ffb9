"""The wide n-gram branch of the text classifier (``wide_ngrams``, sklearn_rnn.nn.WideNgrams)."""

import numpy as np
import pytest
import torch

from sklearn_rnn import RNNClassifier
from sklearn_rnn.datasets import load_labeled_sentences
from sklearn_rnn.nn import WideNgrams
from sklearn_rnn.nn._wide import PAIR_BUCKETS, PAIR_MULTIPLIER

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
        "before #28",
        "TF-IDF + LR",
        "TF-IDF (1-2 grams) + LR",
    ]
    assert "before #28" not in report["Subj"]  # the fit-time reference runs on MR only
    assert all(len(r["accuracy"]) == 1 for arms in report.values() for r in arms.values())
    assert "Subj   TF-IDF + LR" in capsys.readouterr().out
