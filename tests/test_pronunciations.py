"""Pronunciation dictionary readers and the word-grouped split, on small files and CMUdict."""

from __future__ import annotations

import pytest

from sklearn_rnn.datasets import load_cmudict, load_pronunciation_tsv, split_pronunciations


def test_cmudict_alternates_comments_and_stress(tmp_path):
    path = tmp_path / "cmudict.dict"
    path.write_text(
        ";;; a comment line of cmudict-0.7b\n"
        "read R EH1 D\n"
        "read(2) R IY1 D\n"
        "\n"
        "aalen AE1 L AH0 N # place, german\n"
        "a(1)b EY1 B IY1\n"
    )
    words, phones = load_cmudict(path)
    assert words == ["read", "read", "aalen", "a(1)b"]
    assert phones[1] == ["R", "IY1", "D"] and phones[2] == ["AE1", "L", "AH0", "N"]
    assert load_cmudict(path, stress=False)[1][2] == ["AE", "L", "AH", "N"]


def test_cmudict_malformed_line_names_file_and_line(tmp_path):
    path = tmp_path / "bad.dict"
    path.write_text("cat K AE1 T\ndog\n")
    with pytest.raises(ValueError, match=r"bad.dict, line 2: expected a word and its phones"):
        load_cmudict(path)
    path.write_text("# only comments\n")
    with pytest.raises(ValueError, match="found no entries"):
        load_cmudict(path)


def test_sigmorphon_tsv(tmp_path):
    path = tmp_path / "g2p.tsv"
    path.write_text("cat\tk æ t\n\nread\tɹ ɛ d\nread\tɹ i d\n", encoding="utf-8")
    words, phones = load_pronunciation_tsv(path)
    assert words == ["cat", "read", "read"] and phones[0] == ["k", "æ", "t"]
    path.write_text("cat k æ t\n", encoding="utf-8")
    with pytest.raises(ValueError, match="line 1: expected two tab-separated columns"):
        load_pronunciation_tsv(path)


def test_split_keeps_a_words_pronunciations_together_and_is_deterministic():
    words = [f"w{i // 2}" for i in range(2000)]  # 1000 words, two pronunciations each
    phones = [[str(i)] for i in range(2000)]
    w_train, w_test, p_train, p_test = split_pronunciations(words, phones, test_size=0.2)
    assert not set(w_train) & set(w_test)
    assert len(w_train) + len(w_test) == 2000 and len(w_test) == len(p_test)
    assert 150 <= len(set(w_test)) <= 250  # about a fifth of the words
    assert split_pronunciations(words, phones, test_size=0.2) == (w_train, w_test, p_train, p_test)
    # More entries move no word across, another salt draws another split.
    more = split_pronunciations(words + ["new"], phones + [["x"]], test_size=0.2)
    assert set(w_test) <= set(more[1])
    assert split_pronunciations(words, phones, test_size=0.2, salt="1")[1] != w_test


@pytest.mark.parametrize("test_size", [0, 1, 1.5, True, "0.1"])
def test_split_rejects_bad_test_size(test_size):
    with pytest.raises(ValueError, match="test_size must be a float in"):
        split_pronunciations(["a"], [["A"]], test_size=test_size)


def test_split_rejects_length_mismatch():
    with pytest.raises(ValueError, match="words has 2 entries but pronunciations has 1"):
        split_pronunciations(["a", "b"], [["A"]])


def test_real_cmudict(data_dir):
    path = data_dir / "cmudict" / "cmudict.dict"
    if not path.is_file():
        pytest.skip(f"CMUdict not found at {path}")
    words, phones = load_cmudict(path, stress=False)
    assert len(words) == 135_166  # every line is an entry (PROVENANCE.md)
    assert len(set(words)) == 135_166 - 9_114  # less the alternative pronunciations
    assert {p for row in phones for p in row} == {
        line.split()[0]
        for line in (data_dir / "cmudict" / "cmudict.phones").read_text().split("\n")
        if line
    }
    _, w_test, _, _ = split_pronunciations(words, phones)
    assert 12_000 <= len(set(w_test)) <= 13_500  # the literature's ~12k held-out words
