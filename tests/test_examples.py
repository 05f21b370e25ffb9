"""Smoke tests of the example scripts and the accuracy benchmark: tiny configurations.

Each runs a script's ``main`` on the shared public data (skipped when it is missing)
for an epoch or two and checks that it prints its scores (and writes its plot).
"""

import json
import re
import sys

import numpy as np
import pytest
import torch


def test_sentiment_mr(load_script, data_dir, capsys):
    result = load_script("examples/sentiment_mr.py").main(
        ["--data-dir", str(data_dir), "--limit", "300", "--max-epochs", "1"]
    )
    out = capsys.readouterr().out
    assert result["n_train"] + result["n_test"] == 300 and result["epochs"] == 1
    # The printed score is the returned one, and it is a share of the 30 test texts.
    assert f"test accuracy {result['accuracy']:.3f} on {result['n_test']} texts" in out
    assert result["accuracy"] * result["n_test"] == pytest.approx(
        round(result["accuracy"] * result["n_test"])
    )


def test_sentiment_mr_reads_the_tsv(load_script, tmp_path):
    module = load_script("examples/sentiment_mr.py")
    (tmp_path / "mr_utf8.tsv").write_text("label\tsentence\n1\ta fine film\n0\ta dull film\n")
    texts, labels = module.load_mr(tmp_path)
    assert texts == ["a fine film", "a dull film"]
    assert labels.tolist() == [1, 0]


def test_time_series_classification(load_script, data_dir, capsys):
    results = load_script("examples/time_series_classification.py").main(
        ["--data-dir", str(data_dir), "--max-epochs", "1"]
    )
    out = capsys.readouterr().out
    assert "GunPoint" in out and "BasicMotions" in out and "test accuracy" in out
    assert results["GunPoint"]["shape"] == (50, 150, 1)
    assert results["BasicMotions"]["shape"] == (40, 100, 6)


def test_forecast_airline_writes_plot(load_script, data_dir, tmp_path, capsys):
    plot = tmp_path / "airline.png"
    scores = load_script("examples/forecast_airline.py").main(
        ["--data-dir", str(data_dir), "--max-epochs", "2", "--plot", str(plot)]
    )
    out = capsys.readouterr().out
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert scores["naive_mae"] == pytest.approx(71.25)  # the baseline is deterministic
    # The table prints the returned scores; RMSE is never below MAE.
    assert f"{'LSTM':<16}{scores['rnn_mae']:8.1f}{scores['rnn_rmse']:8.1f}" in out
    assert f"{'seasonal naive':<16}{scores['naive_mae']:8.1f}{scores['naive_rmse']:8.1f}" in out
    assert 0 < scores["rnn_mae"] <= scores["rnn_rmse"] < float("inf")


def test_grid_search_pipeline(load_script, data_dir, capsys):
    result = load_script("examples/grid_search_pipeline.py").main(
        ["--data-dir", str(data_dir), "--max-epochs", "1", "--limit", "50"]
    )
    out = capsys.readouterr().out
    assert out.count("±") == 12  # cell x hidden_size x bidirectional
    assert "test accuracy" in out
    assert set(result["best_params"]) == {
        "rnnclassifier__cell",
        "rnnclassifier__hidden_size",
        "rnnclassifier__bidirectional",
    }


def test_accuracy_benchmark_table(load_script, data_dir, tmp_path, capsys, monkeypatch):
    module = load_script("benchmarks/accuracy.py")
    # The benchmark runs the documented settings; keep this to one epoch.
    monkeypatch.setitem(
        module.tsc.SETTINGS, "ItalyPowerDemand", {**module.tsc.COMMON, "max_epochs": 1}
    )
    monkeypatch.setitem(module.forecast_airline.SETTINGS, "max_epochs", 1)
    json_path = tmp_path / "results.json"
    rows = module.main(
        ["--datasets", "ItalyPowerDemand", "airline", "--data-dir", str(data_dir),
         "--json", str(json_path)]
    )  # fmt: skip
    out = capsys.readouterr().out
    assert "| dataset | metric | ours | reference | training time |" in out
    assert [row["dataset"] for row in rows] == ["ItalyPowerDemand", "airline", "airline"]
    assert "seasonal naive 71.2" in out
    assert json.loads(json_path.read_text())["rows"] == json.loads(json.dumps(rows))


def test_speed_benchmark_tables(load_script, capsys):
    module = load_script("benchmarks/speed.py")
    module.main(
        ["--quick", "--scale", "0.02", "--workloads", "text", "--directions", "uni",
         "--no-memory", "--epochs", "1", "--predict-reps", "1", "--latency-calls", "2",
         "--hidden-size", "8", "--embedding-dim", "8"]
    )  # fmt: skip
    out = capsys.readouterr().out
    assert "| (c)/(a) |" in out and "pred (c)/(a)" in out
    assert "### Sparse embedding updates" in out
    row = next(
        line for line in out.splitlines() if line.startswith("| lstm | uni | ") and "**" in line
    )
    assert row.count("**") >= 6  # ratios are numbers, not placeholders
    assert "| (a table-free) |" in out


def test_speed_benchmark_table_free_floor_trains_everything_but_the_table(load_script):
    module = load_script("benchmarks/speed.py")
    X, y = module.make_text(n=200, vocab=50)
    loop = module.build_variants("text", "lstm", False, X, y, (module.AF,))[0][module.AF]
    before = {name: p.detach().clone() for name, p in loop.model.named_parameters()}
    loop.epoch()
    changed = {n for n, p in loop.model.named_parameters() if not torch.equal(p, before[n])}
    assert "input_layer.embedding.weight" not in changed
    # everything else learns as in (a)
    assert any(name.startswith("core.") and "weight_ih" in name for name in changed)


def test_sparse_embeddings_benchmark_table(load_script, data_dir, capsys, monkeypatch):
    module = load_script("benchmarks/sparse_embeddings.py")
    monkeypatch.setitem(module.speed.WORKLOADS["text"], "n", 300)
    monkeypatch.setattr(
        module,
        "TEXT_SETTINGS",
        {**module.TEXT_SETTINGS, "hidden_size": 8, "embedding_dim": 8, "max_epochs": 1},
    )
    for key, value in {"hidden_size": 8, "embedding_dim": 8, "max_epochs": 1}.items():
        monkeypatch.setitem(module.sentiment_mr.SETTINGS, key, value)
    # Every 10th review (1,066 of 10,662) of the real file: the table is what is checked.
    load_mr = module.sentiment_mr.load_mr

    def every_tenth_review(data_dir):
        texts, labels = load_mr(data_dir)
        return texts[::10], labels[::10]

    monkeypatch.setattr(module.sentiment_mr, "load_mr", every_tenth_review)
    results = module.main(["--text-seeds", "1", "--mr-folds", "1", "--data-dir", str(data_dir)])
    out = capsys.readouterr().out
    assert "| data | splits | accuracy dense | accuracy sparse |" in out
    assert [r["dataset"] for r in results] == ["text", "MR"]
    # One split each (one seed, one fold), trained both ways; the table rows say so.
    assert [(len(r["dense"]), len(r["sparse"])) for r in results] == [(1, 1), (1, 1)]
    for r in results:
        dense, sparse = r["dense"][0], r["sparse"][0]
        assert f"| {r['dataset']} | 1 | {dense:.4f} ± 0.0000 | {sparse:.4f} ± 0.0000 |" in out


def test_forecast_airline_plot_checks_matplotlib_before_training(load_script, monkeypatch):
    module = load_script("examples/forecast_airline.py")
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # `import matplotlib` now fails

    def train(*args, **kwargs):
        raise AssertionError("trained before finding that --plot cannot be drawn")

    monkeypatch.setattr(module, "forecast", train)
    with pytest.raises(ImportError, match=r"pip install 'sklearn_rnn\[examples\]'"):
        module.main(["--data-dir", "unused", "--plot", "airline.png"])


_CONLLU = (
    "1\tParis\tParis\tPROPN\tNNP\t_\t0\troot\t_\t_\n2\tsleeps\tsleep\tVERB\tVBZ\t_\t1\tdep\t_\t_\n"
)


def test_pos_tagging_data_dir_holds_the_treebank_folder(load_script, tmp_path):
    """--data-dir means what it means in the other examples: the folder holding the
    dataset's folder (../shared/data); the treebank folder itself works too."""
    module = load_script("examples/pos_tagging.py")
    treebank = tmp_path / "UD_English-EWT"
    treebank.mkdir()
    for split in ("train", "test"):
        (treebank / f"en_ewt-ud-{split}.conllu").write_text(_CONLLU + "\n")
    expected = ([["Paris", "sleeps"]], [["PROPN", "VERB"]]) * 2
    assert module.load_ewt(tmp_path) == expected
    assert module.load_ewt(treebank) == expected
    with pytest.raises(FileNotFoundError, match="UD_English-EWT"):
        module.load_ewt(tmp_path / "elsewhere")


def test_pos_tagging_downloads_without_data_dir(load_script, monkeypatch):
    module = load_script("examples/pos_tagging.py")
    calls = []

    def fetch(name, splits):
        calls.append((name, splits))
        return {split: ([["a"]], [[split]]) for split in splits}

    monkeypatch.setattr(module, "fetch_ud_treebank", fetch)
    assert module.load_ewt() == ([["a"]], [["train"]], [["a"]], [["test"]])
    assert calls == [("UD_English-EWT", ("train", "test"))]


def test_forecasting_benchmark_last_line(load_script, tmp_path, capsys, monkeypatch):
    module = load_script("benchmarks/forecasting.py")
    rng = np.random.RandomState(0)
    t = np.arange(130)
    rows = [10 * (k + 1) + 3 * np.sin(2 * np.pi * (t + k) / 12) + rng.randn(130) for k in range(4)]
    train, test = tmp_path / "train.csv", tmp_path / "test.csv"
    # The M4 format: a header, then the id and the values, right-padded with NA.
    lengths = [120, 110, 120, 100]
    header = ",".join(f'"V{i + 1}"' for i in range(121))
    body = [
        ",".join([f'"S{k}"'] + [f'"{v:.3f}"' for v in r[:n]] + ["NA"] * (120 - n))
        for k, (r, n) in enumerate(zip(rows, lengths, strict=True))
    ]
    train.write_text("\n".join([header, *body]) + "\n")
    body = [",".join([f'"S{k}"'] + [f'"{v:.3f}"' for v in r[n : n + 6]]) for k, (r, n) in
            enumerate(zip(rows, lengths, strict=True))]  # fmt: skip
    test.write_text("\n".join([",".join(f'"V{i + 1}"' for i in range(7)), *body]) + "\n")
    original = module.RNNForecaster
    monkeypatch.setattr(module, "RNNForecaster", lambda **kw: original(max_epochs=2, **kw))
    monkeypatch.setattr(module, "statsforecast_models", lambda *args: None)
    result = module.main(
        ["--train", str(train), "--test", str(test), "--horizon", "6", "--season", "12"]
    )
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert re.fullmatch(
        r"forecast: library sMAPE [\d.]+ MASE [\d.]+ coverage80 [\d.]+; "
        r"seasonal naive sMAPE [\d.]+ MASE [\d.]+",
        last,
    )
    assert "skipped: statsforecast is not installed" in result["AutoETS"]["note"]
    assert result["library (RNNForecaster)"]["season"] == 12


def test_quickstart_prints_progress_with_one_thread_per_process(load_script, capsys):
    threads = torch.get_num_threads()
    try:
        result = load_script("examples/quickstart.py").main(["--max-epochs", "1", "--jobs", "1"])
        assert torch.get_num_threads() == 1  # the default, fastest on a busy 2-core machine
    finally:
        torch.set_num_threads(threads)
    out = capsys.readouterr().out
    # The plan comes first, then a line per fit as it ends, then the result.
    assert out.index("grid search: 3 cells x 3 folds") < out.index("[CV 1/3] END")
    assert out.count("] END ") == 9
    assert f"best: {result['best_params']}" in out


def test_examples_name_the_missing_data_and_where_to_get_it(load_script, tmp_path):
    from sklearn_rnn.datasets import CMUDICT_URL, TINY_SHAKESPEARE_URL

    with pytest.raises(FileNotFoundError, match=f"cmudict/cmudict.dict under .*{CMUDICT_URL}"):
        load_script("examples/g2p_cmudict.py").load_pronunciations(tmp_path)
    for script in ("char_lm_shakespeare", "hidden_states_shakespeare"):
        module = load_script(f"examples/{script}.py")
        load = getattr(module, "load_shakespeare", None) or module.load_text
        with pytest.raises(FileNotFoundError, match=f"tinyshakespeare.*{TINY_SHAKESPEARE_URL}"):
            load(tmp_path)


def test_char_lm_shakespeare(load_script, data_dir, capsys):
    result = load_script("examples/char_lm_shakespeare.py").main(
        ["--data-dir", str(data_dir), "--train-chars", "20000", "--max-epochs", "1",
         "--threads", "1"]
    )  # fmt: skip
    out = capsys.readouterr().out
    assert f"held-out text: {result['nats']:.3f} nats/char" in out
    assert result["sample"].startswith("ROMEO:\n") and result["sample"] in out
    assert f"cell {result['units'][0]}: r = {result['correlations'][0]:+.2f}" in out


def test_g2p_benchmark_reads_a_sigmorphon_folder(load_script, tmp_path, capsys):
    # Two languages in the shared task's format, a few words each.
    words = {"aa": ["ab", "ba", "abba", "b"], "bb": ["xy", "yx", "y"]}
    for language, spellings in words.items():
        lines = "".join(f"{w}\t{' '.join(w.upper())}\n" for w in spellings)
        (tmp_path / f"{language}_train.tsv").write_text(lines * 5, encoding="utf-8")
        (tmp_path / f"{language}_test.tsv").write_text(lines, encoding="utf-8")
    result = load_script("benchmarks/g2p.py").main(
        ["--data-dir", str(tmp_path), "--languages", "aa,bb", "--max-epochs", "1",
         "--verbose", "0"]
    )  # fmt: skip
    out = capsys.readouterr().out
    wers = [result["sigmorphon"]["languages"][name]["wer"] for name in ("aa", "bb")]
    assert f"| aa | {wers[0]:.1f} |" in out and f"| bb | {wers[1]:.1f} |" in out
    assert out.splitlines()[-1] == f"g2p: macro WER {sum(wers) / 2:.2f} over 2 languages"
    with pytest.raises(FileNotFoundError, match="cc_train.tsv does not exist"):
        load_script("benchmarks/g2p.py").main(["--data-dir", str(tmp_path), "--languages", "cc"])
