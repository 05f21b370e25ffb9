"""sklearn_rnn.datasets.load_word_vectors on small GloVe, word2vec and fastText files."""

import gzip
import zipfile

import numpy as np
import pytest

from sklearn_rnn import RNNClassifier
from sklearn_rnn.datasets import load_word_vectors

WORDS = ["the", "good", "bad", "film", "Paris"]


def _vectors(n_words=5, dim=4):
    return np.random.RandomState(0).randn(n_words, dim).astype(np.float32)


def _lines(words, vectors, trailing=""):
    # repr of the float64 value reads back to the same float32 exactly.
    return [
        f"{word} {' '.join(repr(float(x)) for x in vector)}{trailing}\n"
        for word, vector in zip(words, vectors, strict=True)
    ]


def _write(path, lines):
    path.write_text("".join(lines), encoding="utf-8")
    return path


def test_glove_format(tmp_path):
    vectors = _vectors()
    path = _write(tmp_path / "glove.txt", _lines(WORDS, vectors))
    loaded, tokens = load_word_vectors(path)
    assert tokens == WORDS
    assert loaded.dtype == np.float32
    np.testing.assert_array_equal(loaded, vectors)


def test_word2vec_header_and_fasttext_trailing_spaces(tmp_path):
    vectors = _vectors()
    # fastText's .vec files end every row with a space.
    lines = ["5 4\n", *_lines(WORDS, vectors, trailing=" ")]
    loaded, tokens = load_word_vectors(_write(tmp_path / "wiki.vec", lines))
    assert tokens == WORDS
    np.testing.assert_array_equal(loaded, vectors)


def test_header_word_count_is_not_checked(tmp_path):
    """A file cut short with head keeps its header's word count."""
    lines = ["2000000 4\n", *_lines(WORDS, _vectors())]
    _, tokens = load_word_vectors(_write(tmp_path / "head.vec", lines))
    assert tokens == WORDS


def test_numeric_first_word_is_not_a_header(tmp_path):
    vectors = _vectors(2, dim=1)
    path = _write(tmp_path / "glove.txt", _lines(["1", "nan"], vectors))
    loaded, tokens = load_word_vectors(path, dtype=np.float64)
    assert tokens == ["1", "nan"]
    assert loaded.dtype == np.float64
    np.testing.assert_array_equal(loaded, vectors)


def test_gzip_and_zip(tmp_path):
    vectors = _vectors()
    text = "".join(_lines(WORDS, vectors)).encode()
    gz = tmp_path / "glove.txt.gz"
    gz.write_bytes(gzip.compress(text))
    archive = tmp_path / "glove.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("glove.txt", text)
    for path in (gz, archive):
        loaded, tokens = load_word_vectors(path)
        assert tokens == WORDS
        np.testing.assert_array_equal(loaded, vectors)


def test_zip_of_several_files_names_them(tmp_path):
    archive = tmp_path / "glove.6B.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("glove.6B.50d.txt", "a 1.0\n")
        zf.writestr("glove.6B.100d.txt", "a 1.0 2.0\n")
    with pytest.raises(ValueError, match=r"2 files \(glove.6B.50d.txt, glove.6B.100d.txt\)"):
        load_word_vectors(archive)


def test_truncated_gzip(tmp_path):
    path = tmp_path / "glove.txt.gz"
    path.write_bytes(gzip.compress("".join(_lines(WORDS, _vectors())).encode())[:-20])
    with pytest.raises(ValueError, match="damaged or incomplete"):
        load_word_vectors(path)


def test_vocabulary_keeps_tokens_and_their_lowercase_forms(tmp_path):
    vectors = _vectors()
    path = _write(tmp_path / "glove.txt", _lines(WORDS, vectors))
    # "Good" finds "good"; "Paris" is kept as written; "FILM" finds nothing as written
    # but "film" lowercased; "unseen" is not in the file.
    loaded, tokens = load_word_vectors(path, vocabulary=iter(["Good", "Paris", "FILM", "unseen"]))
    assert tokens == ["good", "film", "Paris"]
    np.testing.assert_array_equal(loaded, vectors[[1, 3, 4]])


def test_vocabulary_with_no_word_in_the_file(tmp_path):
    path = _write(tmp_path / "glove.txt", _lines(WORDS, _vectors()))
    loaded, tokens = load_word_vectors(path, vocabulary=["unseen"])
    assert tokens == []
    assert loaded.shape == (0, 4)


def test_max_words_keeps_the_first_rows(tmp_path):
    vectors = _vectors()
    path = _write(tmp_path / "wiki.vec", ["5 4\n", *_lines(WORDS, vectors)])
    loaded, tokens = load_word_vectors(path, max_words=2)
    assert tokens == ["the", "good"]
    np.testing.assert_array_equal(loaded, vectors[:2])
    # With a vocabulary: its words among the first max_words rows.
    _, tokens = load_word_vectors(path, max_words=3, vocabulary=["bad", "film"])
    assert tokens == ["bad"]


def test_word_with_spaces(tmp_path):
    words = [",", ". . .", "at name@domain.com", "the"]
    vectors = _vectors(4)
    path = _write(tmp_path / "glove.840B.txt", _lines(words, vectors))
    loaded, tokens = load_word_vectors(path)
    assert tokens == words
    np.testing.assert_array_equal(loaded, vectors)
    # A word with spaces is found through its first field too.
    loaded, tokens = load_word_vectors(path, vocabulary=["at name@domain.com"])
    assert tokens == ["at name@domain.com"]
    np.testing.assert_array_equal(loaded, vectors[[2]])


def test_other_whitespace_stays_in_the_word(tmp_path):
    path = _write(tmp_path / "glove.txt", ["a\u00a0b 1.0 2.0\n", "c 3.0 4.0\n"])
    _, tokens = load_word_vectors(path)
    assert tokens == ["a\u00a0b", "c"]


def test_duplicate_word_keeps_its_first_vector(tmp_path):
    path = _write(tmp_path / "glove.txt", ["a 1.0\n", "b 2.0\n", "a 3.0\n"])
    loaded, tokens = load_word_vectors(path)
    assert tokens == ["a", "b"]
    assert loaded.ravel().tolist() == [1.0, 2.0]


def test_blank_lines_are_skipped(tmp_path):
    path = _write(tmp_path / "glove.txt", ["a 1.0 2.0\r\n", "\n", "b 3.0 4.0\r\n", "\n"])
    loaded, tokens = load_word_vectors(path)
    assert tokens == ["a", "b"]
    assert loaded.tolist() == [[1.0, 2.0], [3.0, 4.0]]


@pytest.mark.parametrize(
    "lines, match",
    [
        (["a 1.0 2.0\n", "b 3.0\n"], r"line 2: expected a word and 2 values, as on line 1; got 1"),
        (["a 1.0 2.0\n", "b 3.0 4.0 5.0\n"], r"line 2: .* 2 values, as on line 1; got 3"),
        (["\n", "a 1.0 2.0\n", "b 1 2 3 4\n"], r"line 3: .* 2 values, as on line 2; got 4"),
        (["2 3\n", "a 1.0 2.0 3.0\n", "b 1.0 2.0\n"], r"line 3: .* 3 values, as the header on"),
    ],
)
def test_dimension_mismatch_names_the_line(tmp_path, lines, match):
    with pytest.raises(ValueError, match=match):
        load_word_vectors(_write(tmp_path / "vectors.txt", lines))


def test_dimension_mismatch_is_found_in_rows_the_vocabulary_leaves_out(tmp_path):
    path = _write(tmp_path / "glove.txt", ["a 1.0 2.0\n", "b 3.0\n"])
    with pytest.raises(ValueError, match="line 2"):
        load_word_vectors(path, vocabulary=["a"])


def test_value_that_is_not_a_number(tmp_path):
    path = _write(tmp_path / "glove.txt", ["a 1.0 2.0\n", "b 3.0 x\n"])
    with pytest.raises(ValueError, match=r"line 2: expected a word and 2 numbers"):
        load_word_vectors(path)


@pytest.mark.parametrize(
    "lines, match",
    [
        ([], "the file is empty"),
        (["\n", "  \n"], "the file is empty"),
        (["0 300\n"], "header line but no vectors"),
        (["hello world\n"], r"line 1: expected a word and its vector"),
        (["10 0\n"], "dimension 0"),
    ],
)
def test_empty_or_unreadable_file(tmp_path, lines, match):
    with pytest.raises(ValueError, match=match):
        load_word_vectors(_write(tmp_path / "vectors.txt", lines))


def test_undecodable_bytes_name_the_line_and_encoding(tmp_path):
    path = tmp_path / "glove.txt"
    path.write_bytes(b"a 1.0\ncaf\xe9 2.0\n")
    with pytest.raises(ValueError, match=r"line 2: cannot decode .* as 'utf-8'.*encoding="):
        load_word_vectors(path)
    _, tokens = load_word_vectors(path, encoding="latin-1")
    assert tokens == ["a", "café"]


@pytest.mark.parametrize(
    "params, error, match",
    [
        ({"vocabulary": "good film"}, TypeError, "vocabulary must be an iterable of tokens"),
        ({"vocabulary": 3}, TypeError, "vocabulary must be an iterable"),
        ({"vocabulary": ["good", 3]}, TypeError, "vocabulary must hold str tokens"),
        ({"max_words": 0}, ValueError, "max_words must be a positive int"),
        ({"max_words": 2.5}, TypeError, "max_words must be an int"),
        ({"encoding": "no-such-codec"}, ValueError, "encoding='no-such-codec'"),
        ({"dtype": np.int64}, ValueError, "dtype must be a float type"),
        ({"dtype": "not a dtype"}, ValueError, "dtype='not a dtype'"),
    ],
)
def test_bad_parameters_name_the_parameter(tmp_path, params, error, match):
    path = _write(tmp_path / "glove.txt", _lines(WORDS, _vectors()))
    with pytest.raises(error, match=match):
        load_word_vectors(path, **params)


def test_classifier_rows_equal_the_file_vectors(tmp_path):
    vectors = _vectors(dim=5)
    path = _write(tmp_path / "glove.txt.gz", [])
    path.write_bytes(gzip.compress("".join(_lines(WORDS, vectors)).encode()))
    texts = ["the good film", "The bad film", "good words", "bad words in Paris"]
    vocabulary = {token for text in texts for token in text.split()}
    embeddings = load_word_vectors(path, vocabulary=vocabulary)
    clf = RNNClassifier(
        embeddings=embeddings,
        embedding_dim=5,
        freeze_embeddings=True,
        hidden_size=4,
        max_epochs=1,
        random_state=0,
    ).fit(texts, [1, 0, 1, 0])
    table = clf.module_.input_layer.embedding.weight.detach().numpy()
    index = clf.encoder_.vocabulary_.index
    # lowercase=True (the default): "Paris" is looked up as "paris", which the file lacks.
    for word, vector in zip(WORDS[:4], vectors[:4], strict=True):
        np.testing.assert_array_equal(table[index[word]], vector)
    assert clf.n_pretrained_tokens_ == 4
    assert "paris" in index and not np.array_equal(table[index["paris"]], vectors[4])
