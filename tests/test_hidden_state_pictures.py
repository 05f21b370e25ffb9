"""rank_units finds units that follow a signal; plot_hidden_states draws them over a text."""

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

from sklearn_rnn import RNNClassifier, RNNRegressor  # noqa: E402
from sklearn_rnn.inspection import (
    plot_hidden_states,  # noqa: E402
    rank_units,  # noqa: E402
)


@pytest.fixture(scope="module")
def char_classifier():
    texts = ["good film", "bad film", "so good", "so bad", "good\ngood", "bad\nbad"] * 4
    labels = [1, 0, 1, 0, 1, 0] * 4
    clf = RNNClassifier(
        cell="lstm",
        bidirectional=False,
        hidden_size=6,
        tokenizer="char",
        lowercase=True,
        max_epochs=2,
        random_state=0,
    )
    return clf.fit(texts, labels)


def test_rank_units_finds_a_planted_unit(char_classifier):
    texts = ["good film", "so bad", "a good one"]
    states = char_classifier.hidden_states(texts)
    # A signal that is unit 4's own state (scaled and shifted) ranks unit 4 first, r = 1.
    signal = [3 * s[:, 4] + 1 for s in states]
    units, r = rank_units(char_classifier, texts, signal)
    assert units[0] == 4 and r[0] == pytest.approx(1.0)
    assert sorted(units.tolist()) == list(range(6))
    assert (np.abs(r[:-1]) >= np.abs(r[1:])).all()
    flipped_units, flipped = rank_units(char_classifier, texts, [-x for x in signal])
    assert flipped_units[0] == 4 and flipped[0] == pytest.approx(-1.0)


def test_rank_units_on_series_matches_numpy():
    rng = np.random.RandomState(0)
    X = rng.rand(30, 7, 1).astype(np.float32)
    reg = RNNRegressor(
        cell="lstm", bidirectional=False, hidden_size=5, max_epochs=3, random_state=0
    ).fit(X, X.sum((1, 2)))
    signal = [np.cumsum(x[:, 0]) for x in X]
    units, r = rank_units(reg, X, signal, cell_state=True)
    cells = np.concatenate(reg.hidden_states(X, cell_state=True))
    expected = [np.corrcoef(cells[:, u], np.concatenate(signal))[0, 1] for u in units]
    np.testing.assert_allclose(r, expected, rtol=1e-6)


def test_rank_units_rejects_misaligned_signals(char_classifier):
    with pytest.raises(ValueError, match="signal\\[0\\] has shape \\(3,\\).*4 steps"):
        rank_units(char_classifier, ["good"], [np.zeros(3)])
    with pytest.raises(ValueError, match="2 entries but X has 1"):
        rank_units(char_classifier, ["good"], [np.zeros(4), np.zeros(4)])
    with pytest.raises(ValueError, match="constant"):
        rank_units(char_classifier, ["good"], [np.ones(4)])


def test_heatmap_shows_the_states_with_the_text_under_them(char_classifier, tmp_path):
    text = "so good\nbad"
    ax = plot_hidden_states(char_classifier, text, units=[3, 1], wrap="newline")
    states = char_classifier.hidden_states([text])[0]
    first, second = (image.get_array() for image in ax.images)
    np.testing.assert_array_equal(first, states[:8, [3, 1]].T)  # "so good" and the newline
    np.testing.assert_array_equal(second, states[8:, [3, 1]].T)
    assert [t.get_text() for t in ax.texts] == list("so good") + ["\u21b5"] + list("bad")
    assert [t.get_text() for t in ax.get_yticklabels()] == ["unit 3", "unit 1"] * 2
    ax.figure.savefig(tmp_path / "states.png")
    assert (tmp_path / "states.png").read_bytes()[:4] == b"\x89PNG"


def test_heatmap_of_words_wrapped_and_of_a_series(texts):
    clf = RNNClassifier(
        cell="lstm", bidirectional=False, hidden_size=4, max_epochs=1, random_state=0
    ).fit(*texts)
    ax = plot_hidden_states(clf, "A great film, truly wonderful", wrap=2, cell_state=True)
    assert [t.get_text() for t in ax.texts] == ["A", "great", "film", ",", "truly", "wonderful"]
    assert len(ax.images) == 3 and ax.images[0].get_array().shape == (4, 2)
    X = np.random.RandomState(0).randn(10, 6, 2)
    reg = RNNRegressor(
        cell="lstm", bidirectional=False, hidden_size=3, max_epochs=1, random_state=0
    ).fit(X, X.sum((1, 2)))
    ax = plot_hidden_states(reg, X[0], units=0)
    assert ax.images[0].get_array().shape == (1, 6) and not ax.texts


def test_heatmap_bad_arguments(char_classifier):
    with pytest.raises(ValueError, match="'units'"):
        plot_hidden_states(char_classifier, "good", units=[6])
    with pytest.raises(ValueError, match="'wrap'"):
        plot_hidden_states(char_classifier, "good", wrap=0)


def test_hidden_states_example(load_script, data_dir, tmp_path, capsys):
    plot = tmp_path / "units.png"
    result = load_script("examples/hidden_states_shakespeare.py").main(
        ["--data-dir", str(data_dir), "--limit", "100", "--max-epochs", "1", "--plot", str(plot)]
    )
    out = capsys.readouterr().out
    assert f"next-character accuracy {result['accuracy']:.3f}" in out
    assert result["accuracy"] > result["baseline"]
    assert f"unit {result['units'][0]:3d}: r = {result['correlations'][0]:+.3f}" in out
    assert plot.read_bytes()[:4] == b"\x89PNG"


@pytest.mark.slow
def test_hidden_states_example_finds_the_line_position_unit(load_script, data_dir):
    # The documented run (README): one cell follows the position in the line, |r| > 0.6.
    result = load_script("examples/hidden_states_shakespeare.py").main(
        ["--data-dir", str(data_dir)]
    )
    assert abs(result["correlations"][0]) > 0.6 and result["accuracy"] > 0.35
