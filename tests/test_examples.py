"""Smoke tests of the example scripts and the accuracy benchmark: tiny configurations.

Each runs a script's ``main`` on the shared public data (skipped when it is missing)
for an epoch or two and checks that it prints its scores (and writes its plot).
"""

import importlib.util
import sys
from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = ROOT.parent / "shared" / "data"


def _load(relative: str):
    """Import a script by path (examples/ and benchmarks/ are not packages)."""
    path = ROOT / relative
    sys.path.insert(0, str(ROOT / "examples"))
    try:
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(ROOT / "examples"))
    return module


@pytest.fixture(scope="module")
def data_dir() -> str:
    if not DATA_DIR.is_dir():
        pytest.skip(f"shared datasets not found at {DATA_DIR}")
    return str(DATA_DIR)


@pytest.fixture(autouse=True)
def _one_thread():
    # Tiny networks: one thread is as fast, and much faster on a busy machine.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def test_sentiment_mr(data_dir, capsys):
    result = _load("examples/sentiment_mr.py").main(
        ["--data-dir", data_dir, "--limit", "300", "--max-epochs", "1"]
    )
    out = capsys.readouterr().out
    assert "test accuracy" in out
    assert result["n_train"] + result["n_test"] == 300
    assert 0.0 <= result["accuracy"] <= 1.0


def test_sentiment_mr_reads_the_tsv(tmp_path):
    module = _load("examples/sentiment_mr.py")
    (tmp_path / "mr_utf8.tsv").write_text("label\tsentence\n1\ta fine film\n0\ta dull film\n")
    texts, labels = module.load_mr(tmp_path)
    assert texts == ["a fine film", "a dull film"]
    assert labels.tolist() == [1, 0]


def test_time_series_classification(data_dir, capsys):
    results = _load("examples/time_series_classification.py").main(
        ["--data-dir", data_dir, "--max-epochs", "1"]
    )
    out = capsys.readouterr().out
    assert "GunPoint" in out and "BasicMotions" in out and "test accuracy" in out
    assert results["GunPoint"]["shape"] == (50, 150, 1)
    assert results["BasicMotions"]["shape"] == (40, 100, 6)


def test_forecast_airline_writes_plot(data_dir, tmp_path, capsys):
    plot = tmp_path / "airline.png"
    scores = _load("examples/forecast_airline.py").main(
        ["--data-dir", data_dir, "--max-epochs", "2", "--plot", str(plot)]
    )
    out = capsys.readouterr().out
    assert "seasonal naive" in out and "MAE" in out
    assert plot.is_file() and plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert scores["naive_mae"] == pytest.approx(71.25)  # the baseline is deterministic
    assert scores["rnn_mae"] > 0


def test_grid_search_pipeline(data_dir, capsys):
    result = _load("examples/grid_search_pipeline.py").main(
        ["--data-dir", data_dir, "--max-epochs", "1", "--limit", "50"]
    )
    out = capsys.readouterr().out
    assert out.count("±") == 12  # cell x hidden_size x bidirectional
    assert "test accuracy" in out
    assert set(result["best_params"]) == {
        "rnnclassifier__cell",
        "rnnclassifier__hidden_size",
        "rnnclassifier__bidirectional",
    }


def test_accuracy_benchmark_table(data_dir, tmp_path, capsys, monkeypatch):
    module = _load("benchmarks/accuracy.py")
    # The benchmark runs the documented settings; keep this to one epoch.
    monkeypatch.setitem(
        module.tsc.SETTINGS, "ItalyPowerDemand", {**module.tsc.COMMON, "max_epochs": 1}
    )
    monkeypatch.setitem(module.forecast_airline.SETTINGS, "max_epochs", 1)
    json_path = tmp_path / "results.json"
    rows = module.main(
        ["--datasets", "ItalyPowerDemand", "airline", "--data-dir", data_dir,
         "--json", str(json_path)]
    )  # fmt: skip
    out = capsys.readouterr().out
    assert "| dataset | metric | ours | reference | training time |" in out
    assert [row["dataset"] for row in rows] == ["ItalyPowerDemand", "airline", "airline"]
    assert "seasonal naive 71.2" in out
    assert json_path.is_file()


def test_speed_benchmark_tables(capsys):
    module = _load("benchmarks/speed.py")
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


def test_speed_benchmark_table_free_floor_trains_everything_but_the_table():
    module = _load("benchmarks/speed.py")
    X, y = module.make_text(n=200, vocab=50)
    loop = module.build_variants("text", "lstm", False, X, y, (module.AF,))[0][module.AF]
    before = {name: p.detach().clone() for name, p in loop.model.named_parameters()}
    loop.epoch()
    changed = {n for n, p in loop.model.named_parameters() if not torch.equal(p, before[n])}
    assert "input_layer.embedding.weight" not in changed
    # everything else learns as in (a)
    assert any(name.startswith("core.") and "weight_ih" in name for name in changed)


def test_sparse_embeddings_benchmark_table(data_dir, capsys, monkeypatch):
    module = _load("benchmarks/sparse_embeddings.py")
    monkeypatch.setitem(module.speed.WORKLOADS["text"], "n", 300)
    monkeypatch.setattr(
        module,
        "TEXT_SETTINGS",
        {**module.TEXT_SETTINGS, "hidden_size": 8, "embedding_dim": 8, "max_epochs": 1},
    )
    for key, value in {"hidden_size": 8, "embedding_dim": 8, "max_epochs": 1}.items():
        monkeypatch.setitem(module.sentiment_mr.SETTINGS, key, value)
    results = module.main(["--text-seeds", "1", "--mr-folds", "1", "--data-dir", data_dir])
    out = capsys.readouterr().out
    assert "| data | splits | accuracy dense | accuracy sparse |" in out
    assert [r["dataset"] for r in results] == ["text", "MR"]
    assert all(0.0 <= acc <= 1.0 for r in results for acc in r["dense"] + r["sparse"])
