"""Tests for sklearn_rnn.datasets: readers on the shared real files and on small synthetic
files, and fetchers against a local HTTP server (never the internet)."""

import collections
import hashlib
import io
import socket
import tarfile
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sklearn_rnn import DownloadError
from sklearn_rnn.datasets import (
    _cache,
    _fetchers,
    fetch_airline,
    fetch_cmudict,
    fetch_movie_reviews,
    fetch_tiny_shakespeare,
    fetch_ucr,
    fetch_ud_treebank,
    get_data_home,
    load_conll2003,
    load_conllu,
    load_polarity,
    load_series_csv,
    load_ts,
    load_tsv_sentences,
)

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def shared_file(*parts):
    path = DATA.joinpath(*parts)
    if not path.is_file():
        pytest.skip(f"shared data file {path} is missing (see ../shared/data/*/PROVENANCE.md)")
    return path


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------------------------------
# .ts: real files
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "split", "n", "length", "n_dims", "class_counts"),
    [
        ("GunPoint", "TRAIN", 50, 150, 1, {"1": 24, "2": 26}),
        ("GunPoint", "TEST", 150, 150, 1, {"1": 76, "2": 74}),
        ("ItalyPowerDemand", "TRAIN", 67, 24, 1, {"1": 34, "2": 33}),
        ("ItalyPowerDemand", "TEST", 1029, 24, 1, {"1": 513, "2": 516}),
        ("BasicMotions", "TRAIN", 40, 100, 6, dict.fromkeys(
            ["Standing", "Running", "Walking", "Badminton"], 10)),
        ("BasicMotions", "TEST", 40, 100, 6, dict.fromkeys(
            ["Standing", "Running", "Walking", "Badminton"], 10)),
    ],
)  # fmt: skip
def test_load_ts_real_files(name, split, n, length, n_dims, class_counts):
    path = shared_file(name, f"{name}_{split}.ts")
    X, y = load_ts(path)
    assert isinstance(X, list) and len(X) == n == len(y)
    assert all(x.shape == (length, n_dims) and x.dtype == np.float32 for x in X)
    assert dict(collections.Counter(y.tolist())) == class_counts
    X3, y3 = load_ts(path, return_type="numpy3d")
    assert X3.shape == (n, length, n_dims) and X3.dtype == np.float32
    assert np.isfinite(X3).all()
    np.testing.assert_array_equal(X3[0], X[0])
    np.testing.assert_array_equal(y3, y)


def test_load_ts_values_match_the_file():
    path = shared_file("GunPoint", "GunPoint_TRAIN.ts")
    lines = path.read_text().splitlines()
    first = lines[lines.index("@data") + 1]
    values, label = first.rsplit(":", 1)
    X, y = load_ts(path)
    expected = np.array(values.split(","), dtype=np.float64).astype(np.float32)
    np.testing.assert_array_equal(X[0][:, 0], expected)
    assert y[0] == label


# ---------------------------------------------------------------------------------------
# .ts: synthetic edge cases
# ---------------------------------------------------------------------------------------

TS_HEADER = (
    "# a comment\n@problemName toy\n@timeStamps false\n@missing true\n@univariate false\n"
    "@dimensions 2\n@equalLength false\n@classLabel true a b\n@data\n"
)


def test_load_ts_unequal_length_and_missing_values(tmp_path):
    path = write(tmp_path, "toy.ts", TS_HEADER + "1,2,3:4,5,6:a\n# inline comment\n\n?,2:3,?:b\n")
    X, y = load_ts(path)
    assert [x.shape for x in X] == [(3, 2), (2, 2)]
    np.testing.assert_array_equal(X[0], [[1, 4], [2, 5], [3, 6]])
    assert np.isnan(X[1][0, 0]) and np.isnan(X[1][1, 1])
    assert X[1][1, 0] == 2 and X[1][0, 1] == 3
    assert y.tolist() == ["a", "b"]
    with pytest.raises(ValueError, match=r"numpy3d.*equal-length.*from 2 to 3"):
        load_ts(path, return_type="numpy3d")


def test_load_ts_regression_and_unlabelled(tmp_path):
    regression = write(
        tmp_path, "reg.ts", "@problemName r\n@univariate true\n@targetLabel true\n@data\n"
        "1,2:0.5\n3,4:-2e1\n",
    )  # fmt: skip
    X, y = load_ts(regression, return_type="numpy3d")
    assert X.shape == (2, 2, 1)
    assert y.dtype == np.float64 and y.tolist() == [0.5, -20.0]

    unlabelled = write(tmp_path, "u.ts", "@univariate true\n@classLabel false\n@data\n1,2\n3,4\n")
    X, y = load_ts(unlabelled)
    assert y is None and len(X) == 2


def test_load_ts_case_insensitive_headers_crlf_and_inferred_dimensions(tmp_path):
    path = tmp_path / "crlf.ts"
    path.write_bytes(b"@PROBLEMNAME x\r\n@CLASSLABEL\tTRUE 1 2\r\n@DATA\r\n1,2:3,4:5,6:1\r\n")
    X, y = load_ts(path)
    assert X[0].shape == (2, 3) and y.tolist() == ["1"]


@pytest.mark.parametrize(
    ("text", "match"),
    [
        (TS_HEADER + "1,2:3,4:c\n", r"line 10: class label 'c' is not one of .*\['a', 'b'\]"),
        (TS_HEADER + "1,2:3,4\n", r"line 10: expected 2 dimension\(s\) and a label"),
        (TS_HEADER + "1,x:3,4:a\n", r"line 10: expected comma-separated numbers .*dimension 0"),
        (TS_HEADER + "1,2,:3,4,5:a\n", r"line 10: expected comma-separated numbers"),
        (TS_HEADER + "1,2,3:3,4:a\n", r"line 10: .*same length, got lengths \[3, 2\]"),
        (TS_HEADER + "1,2:3,4:a\n@classLabel true a\n", r"line 11: header line .* after @data"),
        (TS_HEADER, r"expected at least one series after @data"),
        ("@problemName x\n1,2:a\n", r"line 2: expected a '@' header line"),
        ("@problemName x\n", r"expected an @data line"),
        ("@timeStamps true\n@data\n", r"line 1: timestamped .ts files"),
        ("@univariate maybe\n@data\n", r"line 1: expected '@univariate true' or 'false'"),
        ("@dimensions two\n@data\n", r"line 1: expected '@dimensions <positive int>'"),
        ("@targetLabel true\n@data\n1,2:high\n", r"line 3: .*last field must be a number"),
    ],
)
def test_load_ts_malformed(tmp_path, text, match):
    path = write(tmp_path, "bad.ts", text)
    with pytest.raises(ValueError, match=match) as info:
        load_ts(path)
    assert "bad.ts" in str(info.value)


def test_load_ts_bad_return_type(tmp_path):
    with pytest.raises(ValueError, match="return_type must be 'list' or 'numpy3d'"):
        load_ts(tmp_path / "never-read.ts", return_type="frame")


# ---------------------------------------------------------------------------------------
# Text classification: MR and TSV
# ---------------------------------------------------------------------------------------


def test_load_polarity_mr_counts_and_agreement_with_tsv():
    pos, neg = shared_file("MR", "rt-polarity.pos"), shared_file("MR", "rt-polarity.neg")
    texts, labels = load_polarity(pos, neg)
    assert len(texts) == 10_662 and labels.shape == (10_662,) and labels.dtype == np.int64
    assert labels.sum() == 5_331 and (labels[:5_331] == 1).all() and (labels[5_331:] == 0).all()
    # cp1252 0x85 is the ellipsis; it must neither split a line nor survive as U+0085.
    assert any("\u2026" in t for t in texts) and not any("\x85" in t for t in texts)
    tsv_texts, tsv_labels = load_tsv_sentences(shared_file("MR", "mr_utf8.tsv"))
    assert tsv_texts == texts
    np.testing.assert_array_equal(tsv_labels, labels)


def test_load_polarity_wrong_explicit_encoding_names_the_file():
    pos, neg = shared_file("MR", "rt-polarity.pos"), shared_file("MR", "rt-polarity.neg")
    with pytest.raises(ValueError, match=r"rt-polarity.pos: cannot decode .* 'utf-8'"):
        load_polarity(pos, neg, encoding="utf-8")


def test_load_polarity_encodings_and_blank_lines(tmp_path):
    (tmp_path / "pos").write_bytes("naïve  fun \r\n\n\u2026 and more\n".encode())
    (tmp_path / "neg").write_bytes("clich\xe9d\nbad".encode("cp1252"))  # no final newline
    texts, labels = load_polarity(tmp_path / "pos", tmp_path / "neg")
    assert texts == ["naïve  fun", "\u2026 and more", "clichéd", "bad"]
    assert labels.tolist() == [1, 1, 0, 0]
    texts, _ = load_polarity(tmp_path / "pos", tmp_path / "neg", encoding="latin-1")
    assert texts[0] == "naÃ¯ve  fun"  # what the caller asked for
    (tmp_path / "empty").write_bytes(b"\n \n")
    with pytest.raises(ValueError, match="empty: expected one sentence per line"):
        load_polarity(tmp_path / "pos", tmp_path / "empty")


def test_load_tsv_sst2_layout(tmp_path):
    path = write(
        tmp_path, "train.tsv", 'sentence\tlabel\nhide new secretions \t0\n" great "\t1\n\n'
    )
    texts, labels = load_tsv_sentences(path)
    assert texts == ["hide new secretions", '" great "']
    assert labels.dtype == np.int64 and labels.tolist() == [0, 1]


def test_load_tsv_options(tmp_path):
    path = write(tmp_path, "t.tsv", "id\ttext\tlabel\n1\tgood\tpos\n2\tbad\tneg\n")
    texts, labels = load_tsv_sentences(path, text_column="text")
    assert texts == ["good", "bad"] and labels.tolist() == ["pos", "neg"]
    assert load_tsv_sentences(path, text_column="text", label_column=None)[1] is None
    _, numbers = load_tsv_sentences(path, text_column="text", label_column="id")
    assert numbers.dtype == np.int64
    no_header = write(tmp_path, "n.tsv", "good\t0.5\nbad\t-1\n")
    texts, scores = load_tsv_sentences(no_header, text_column=0, label_column=-1, header=False)
    assert texts == ["good", "bad"] and scores.dtype == np.float64


@pytest.mark.parametrize(
    ("text", "kwargs", "match"),
    [
        ("sentence\tlabel\na\t1\nb\n", {}, r"t.tsv, line 3: expected 2 tab-separated fields"),
        ("sentence\tlabel\na\t1\n", {"text_column": "text"}, r"'text' is not in the header"),
        ("a\t1\n", {"header": False}, r"text_column='sentence' is a column name, but header"),
        ("a\t1\n", {"header": False, "text_column": 2}, r"text_column=2 is out of range"),
        ("sentence\tlabel\n", {}, r"expected data lines after the header"),
        ("", {}, r"the file is empty"),
    ],
)
def test_load_tsv_malformed(tmp_path, text, kwargs, match):
    with pytest.raises(ValueError, match=match):
        load_tsv_sentences(write(tmp_path, "t.tsv", text), **kwargs)


# ---------------------------------------------------------------------------------------
# Series CSV
# ---------------------------------------------------------------------------------------


def test_load_series_csv_airline():
    series = load_series_csv(shared_file("airline", "Airline.csv"))
    assert len(series) == 144 and series.name == "Passengers" and series.dtype == np.float64
    assert series.index.freqstr == "MS" and series.index.name == "Date"
    assert series.index[0] == pd.Timestamp("1949-01-01")
    assert series.index[-1] == pd.Timestamp("1960-12-01")
    assert series.iloc[0] == 112 and series.iloc[-1] == 432
    assert series.notna().all()


def test_load_series_csv_sorts_selects_and_keeps_gaps(tmp_path):
    path = write(tmp_path, "s.csv", "when,a,b\n2020-03-01,3,30\n2020-01-01,1,\n2020-02-01,2,20\n")
    series = load_series_csv(path, value_column="b")
    assert series.index.is_monotonic_increasing and series.index.freqstr == "MS"
    assert np.isnan(series.iloc[0]) and series.iloc[1:].tolist() == [20.0, 30.0]
    assert load_series_csv(path, date_column="when", value_column=1).tolist() == [1.0, 2.0, 3.0]
    irregular = write(tmp_path, "i.csv", "d,v\n2020-01-01,1\n2020-01-02,2\n2020-01-05,3\n")
    assert load_series_csv(irregular).index.freq is None


@pytest.mark.parametrize(
    ("text", "kwargs", "match"),
    [
        ("d,v\n2020-01,1\nsoon,2\n", {}, r"s.csv, line 3: expected a date in column 'd'"),
        ("d,v\n2020-01,1\n2020-02,lots\n", {}, r"line 3: expected a number in column 'v'"),
        ("d,a,b\n2020-01,1,2\n", {}, r"several value columns \['a', 'b'\]"),
        ("d,v\n2020-01,1\n2020-01,2\n", {}, r"appears more than once"),
        ("d,v\n2020-01,1\n", {"value_column": "x"}, r"value_column='x' is not in the header"),
        ("d\n2020-01\n", {}, r"expected a date column and a value column"),
        ("d,v\n", {}, r"expected data rows after the header"),
        ("", {}, r"the file is empty"),
    ],
)
def test_load_series_csv_malformed(tmp_path, text, kwargs, match):
    with pytest.raises(ValueError, match=match):
        load_series_csv(write(tmp_path, "s.csv", text), **kwargs)


# ---------------------------------------------------------------------------------------
# CoNLL-U and CoNLL-2003
# ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ewt_train():
    return load_conllu(shared_file("UD_English-EWT", "en_ewt-ud-train.conllu"))


def test_load_conllu_ewt_train_counts(ewt_train):
    sentences, tags = ewt_train
    assert len(sentences) == 12_544 == len(tags)
    assert sum(map(len, sentences)) == 204_577
    assert all(len(s) == len(t) for s, t in zip(sentences, tags, strict=True))
    assert len({tag for sentence in tags for tag in sentence}) == 17
    assert max(map(len, sentences)) == 159 and min(map(len, sentences)) == 1


@pytest.mark.parametrize(("split", "n_sentences", "n_words"), [("dev", 2001, 25147),
                                                               ("test", 2077, 25094)])  # fmt: skip
def test_load_conllu_ewt_dev_test_counts(split, n_sentences, n_words):
    path = shared_file("UD_English-EWT", f"en_ewt-ud-{split}.conllu")
    sentences, xpos = load_conllu(path, tag_column="xpos")
    assert len(sentences) == n_sentences and sum(map(len, sentences)) == n_words
    assert {"NN", "VBZ", "DT"} <= {tag for sentence in xpos for tag in sentence}


CONLLU = (
    "# sent_id = 1\n# text = I don't know.\n"
    "1\tI\tI\tPRON\tPRP\t_\t4\tnsubj\t_\t_\n"
    "2-3\tdon't\t_\t_\t_\t_\t_\t_\t_\t_\n"
    "2\tdo\tdo\tAUX\tVBP\t_\t4\taux\t_\t_\n"
    "3\tn't\tnot\tPART\tRB\t_\t4\tadvmod\t_\t_\n"
    "4\tknow\tknow\tVERB\tVB\t_\t0\troot\t_\t_\n"
    "4.1\tknows\tknow\tVERB\tVBZ\t_\t_\t_\t0:root\t_\n"
    "5\t.\t.\tPUNCT\t.\t_\t4\tpunct\t_\t_\n"
    "\n\n"
    "# sent_id = 2\n"
    "1\tNew York\tNew York\tPROPN\tNNP\t_\t0\troot\t_\t_\n"  # no final blank line
)


def test_load_conllu_skips_multiword_tokens_and_empty_nodes(tmp_path):
    path = write(tmp_path, "toy.conllu", CONLLU)
    sentences, tags = load_conllu(path)
    assert sentences == [["I", "do", "n't", "know", "."], ["New York"]]
    assert tags == [["PRON", "AUX", "PART", "VERB", "PUNCT"], ["PROPN"]]
    assert load_conllu(path, tag_column="xpos")[1] == [["PRP", "VBP", "RB", "VB", "."], ["NNP"]]
    assert load_conllu(path, tag_column=7)[1][1] == ["root"]
    assert load_conllu(path, tag_column="DEPREL")[1][0][0] == "nsubj"


@pytest.mark.parametrize(
    ("text", "kwargs", "match"),
    [
        (CONLLU.replace("2\tdo\tdo", "2 do do"), {}, r"toy.conllu, line 5: expected 10 tab-sep"),
        (CONLLU.replace("4\tknow", "x\tknow"), {}, r"line 7: expected a word ID .* got 'x'"),
        ("# only a comment\n\n", {}, r"found no sentences"),
        (CONLLU, {"tag_column": "pos"}, r"tag_column must be one of"),
        (CONLLU, {"tag_column": 10}, r"tag_column must be a field index 0-9"),
    ],
)
def test_load_conllu_malformed(tmp_path, text, kwargs, match):
    with pytest.raises(ValueError, match=match):
        load_conllu(write(tmp_path, "toy.conllu", text), **kwargs)


CONLL2003 = (
    "-DOCSTART- -X- -X- O\n\n"
    "EU NNP B-NP B-ORG\nrejects VBZ B-VP O\nGerman JJ B-NP B-MISC\n\n"
    "Peter NNP B-NP B-PER\nBlackburn NNP I-NP I-PER\n\n"
    "-DOCSTART- -X- -X- O\n\n"
    "BRUSSELS NNP B-NP B-LOC\n"  # no final blank line
)


def test_load_conll2003(tmp_path):
    path = write(tmp_path, "train.txt", CONLL2003)
    sentences, tags = load_conll2003(path)
    assert sentences == [["EU", "rejects", "German"], ["Peter", "Blackburn"], ["BRUSSELS"]]
    assert tags == [["B-ORG", "O", "B-MISC"], ["B-PER", "I-PER"], ["B-LOC"]]
    assert load_conll2003(path, tag_column=1)[1][0] == ["NNP", "VBZ", "JJ"]
    assert load_conll2003(path, tag_column=2, token_column=1)[0][1] == ["NNP", "NNP"]


@pytest.mark.parametrize(
    ("text", "kwargs", "error", "match"),
    [
        ("EU NNP\nrejects\n", {"tag_column": 1}, ValueError, r"line 2: expected at least 2"),
        ("EU NNP B-NP B-ORG\n", {"tag_column": 4}, ValueError, r"line 1: expected at least 5"),
        ("-DOCSTART- -X- O\n\n\n", {}, ValueError, r"found no sentences"),
        ("EU O\n", {"tag_column": "ner"}, TypeError, r"tag_column must be an int"),
    ],
)
def test_load_conll2003_malformed(tmp_path, text, kwargs, error, match):
    with pytest.raises(error, match=match):
        load_conll2003(write(tmp_path, "train.txt", text), **kwargs)


# ---------------------------------------------------------------------------------------
# Fetchers, against a local HTTP server
# ---------------------------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's naming)
        self.server.requests.append(self.path)
        body, mode = self.server.routes.get(self.path, (None, None))
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        if mode == "truncated":  # promise more than we send, then hang up
            self.send_header("Content-Length", str(len(body) + 1000))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.close_connection = True
            return
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server(monkeypatch):
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("no_proxy", "*")
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.routes = {}
    httpd.requests = []
    httpd.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()
    thread.join()


@pytest.fixture
def closed_url():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/Airline.csv"


def cache_files(folder):
    """Every file under folder, hidden temporary files included."""
    return sorted(p.name for p in Path(folder).rglob("*") if p.is_file())


AIRLINE_CSV = "Date,Passengers\n" + "".join(f"1949-{m:02d},{100 + m}\n" for m in range(1, 13))


@pytest.fixture
def toy_airline(monkeypatch):
    """A small airline-format file, pinned as the expected checksum."""
    data = AIRLINE_CSV.encode()
    monkeypatch.setattr(_fetchers, "_AIRLINE_SHA256", hashlib.sha256(data).hexdigest())
    return data


def test_pinned_checksums_are_those_of_the_shared_files():
    for (name, _, split), digest in _fetchers._UD_SHA256.items():
        path = shared_file(name, f"en_ewt-ud-{split}.conllu")
        assert hashlib.sha256(path.read_bytes()).hexdigest() == digest
    airline = shared_file("airline", "Airline.csv").read_bytes()
    assert hashlib.sha256(airline).hexdigest() == _fetchers._AIRLINE_SHA256


def test_fetch_airline_real_file_downloads_once(server, tmp_path):
    server.routes["/Airline.csv"] = (shared_file("airline", "Airline.csv").read_bytes(), None)
    url = server.url + "/Airline.csv"
    series = fetch_airline(data_home=tmp_path, url=url)
    assert len(series) == 144 and series.index.freqstr == "MS"
    assert server.requests == ["/Airline.csv"]
    assert cache_files(tmp_path) == ["Airline.csv"]
    pd.testing.assert_series_equal(fetch_airline(data_home=tmp_path, url=url), series)
    assert server.requests == ["/Airline.csv"]  # cache hit: no second request


def test_fetch_cmudict_downloads_once_and_reads_the_dictionary(server, tmp_path):
    server.routes["/cmudict.dict"] = (shared_file("cmudict", "cmudict.dict").read_bytes(), None)
    url = server.url + "/cmudict.dict"
    words, phones = fetch_cmudict(data_home=tmp_path, url=url, stress=False)
    assert (words[0], phones[0]) == ("'bout", ["B", "AW", "T"])
    assert len(words) == 135_166 and len(set(words)) == 126_052
    assert fetch_cmudict(data_home=tmp_path, url=url)[1][0] == ["B", "AW1", "T"]  # stress kept
    assert server.requests == ["/cmudict.dict"]  # the second call read the cache
    assert cache_files(tmp_path) == ["cmudict.dict"]


def test_fetch_tiny_shakespeare_pins_the_text(server, tmp_path):
    text = shared_file("tinyshakespeare", "input.txt").read_bytes()
    server.routes["/input.txt"] = (text, None)
    assert fetch_tiny_shakespeare(data_home=tmp_path, url=server.url + "/input.txt")[:14] == (
        "First Citizen:"
    )
    server.routes["/changed.txt"] = (text.replace(b"Citizen", b"Citizens"), None)
    with pytest.raises(DownloadError, match="Checksum mismatch"):
        fetch_tiny_shakespeare(data_home=tmp_path / "other", url=server.url + "/changed.txt")


def test_fetch_uses_env_var_cache_and_module_url(server, tmp_path, monkeypatch, toy_airline):
    server.routes["/mirror.csv"] = (toy_airline, None)
    monkeypatch.setattr(_fetchers, "AIRLINE_URL", server.url + "/mirror.csv")
    monkeypatch.setenv("SKLEARN_RNN_DATA", str(tmp_path / "env_home"))
    assert fetch_airline().tolist() == [100.0 + m for m in range(1, 13)]
    assert (tmp_path / "env_home" / "airline" / "Airline.csv").read_bytes() == toy_airline


def test_checksum_mismatch_leaves_nothing(server, tmp_path, toy_airline):
    server.routes["/Airline.csv"] = (toy_airline.replace(b"112", b"113"), None)
    with pytest.raises(DownloadError, match="Checksum mismatch .* expected sha256") as info:
        fetch_airline(data_home=tmp_path, url=server.url + "/Airline.csv")
    assert isinstance(info.value, OSError)
    assert cache_files(tmp_path) == []


def test_interrupted_download_leaves_nothing(server, tmp_path):
    server.routes["/big.bin"] = (b"x" * 200_000, "truncated")
    dest = tmp_path / "cache" / "big.bin"
    with pytest.raises(DownloadError, match=r"interrupted: received 100000 of 201000 bytes"):
        _cache._download(server.url + "/big.bin", dest, sha256=None)
    assert cache_files(tmp_path) == []
    with pytest.raises(DownloadError, match="interrupted"):
        fetch_airline(data_home=tmp_path, url=server.url + "/big.bin")
    assert cache_files(tmp_path) == []


def test_offline_message_names_url_and_target(tmp_path, closed_url):
    with pytest.raises(DownloadError) as info:
        fetch_airline(data_home=tmp_path, url=closed_url)
    message = str(info.value)
    assert f"download {closed_url}" in message
    assert str(tmp_path / "airline" / "Airline.csv") in message
    assert "SKLEARN_RNN_DATA" in message
    assert cache_files(tmp_path) == []


def test_http_error_is_a_download_error(server, tmp_path):
    with pytest.raises(DownloadError, match=r"Could not download .*/nothing-here.csv .*Not Found"):
        fetch_airline(data_home=tmp_path, url=server.url + "/nothing-here.csv")
    assert cache_files(tmp_path) == []


def test_file_placed_by_hand_is_used_offline(tmp_path, closed_url, toy_airline):
    (tmp_path / "airline").mkdir()
    (tmp_path / "airline" / "Airline.csv").write_bytes(toy_airline)
    assert len(fetch_airline(data_home=tmp_path, url=closed_url)) == 12


def test_get_data_home(tmp_path, monkeypatch):
    assert get_data_home(tmp_path / "x") == tmp_path / "x"
    monkeypatch.setenv("SKLEARN_RNN_DATA", str(tmp_path / "env"))
    assert get_data_home() == tmp_path / "env"
    monkeypatch.delenv("SKLEARN_RNN_DATA")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert get_data_home() == tmp_path / "sklearn_rnn_data"


def _tarball(members):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tf:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def test_fetch_movie_reviews(server, tmp_path):
    server.routes["/rt.tar.gz"] = (
        _tarball({
            "rt-polaritydata/rt-polarity.pos": b"a gem \x85 truly\nfun\n",
            "rt-polaritydata/rt-polarity.neg": b"dull\n",
            "rt-polaritydata/README": b"readme",
        }),
        None,
    )  # fmt: skip
    url = server.url + "/rt.tar.gz"
    texts, labels = fetch_movie_reviews(data_home=tmp_path, url=url)
    assert texts == ["a gem \u2026 truly", "fun", "dull"] and labels.tolist() == [1, 1, 0]
    assert cache_files(tmp_path) == ["rt-polarity.neg", "rt-polarity.pos", "rt-polaritydata.tar.gz"]
    (tmp_path / "movie_reviews" / "rt-polaritydata.tar.gz").unlink()
    assert fetch_movie_reviews(data_home=tmp_path, url=url)[0] == texts
    assert server.requests == ["/rt.tar.gz"]


@pytest.mark.parametrize(
    ("body", "match"),
    [
        (b"<html>please log in</html>", "is damaged"),
        (_tarball({"rt-polarity.pos": b"fun\n"}), r"does not contain \['rt-polarity.neg'\]"),
    ],
    ids=["not-an-archive", "missing-member"],
)
def test_fetch_movie_reviews_bad_archive_is_discarded(server, tmp_path, body, match):
    server.routes["/rt.tar.gz"] = (body, None)
    with pytest.raises(DownloadError, match=match):
        fetch_movie_reviews(data_home=tmp_path, url=server.url + "/rt.tar.gz")
    assert cache_files(tmp_path) == []


TOY_TS = "@problemName Toy\n@univariate true\n@classLabel true x y\n@data\n1,2,3:x\n4,5,6:y\n"


def _zip(members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, text in members.items():
            zf.writestr(name, text)
    return buffer.getvalue()


def test_fetch_ucr(server, tmp_path):
    server.routes["/ucr/Toy.zip"] = (
        _zip({"Toy_TRAIN.ts": TOY_TS, "Toy/Toy_TEST.ts": TOY_TS.replace("4,5,6", "7,8,9")}),
        None,
    )
    X_train, X_test, y_train, y_test = fetch_ucr(
        "Toy", data_home=tmp_path, base_url=server.url + "/ucr/"
    )
    assert [x[:, 0].tolist() for x in X_train] == [[1, 2, 3], [4, 5, 6]]
    assert X_test[1][:, 0].tolist() == [7, 8, 9]
    assert y_train.tolist() == y_test.tolist() == ["x", "y"]
    X_train3, *_ = fetch_ucr(
        "Toy", data_home=tmp_path, return_type="numpy3d", base_url=server.url + "/ucr"
    )
    assert X_train3.shape == (2, 3, 1)
    assert server.requests == ["/ucr/Toy.zip"]
    assert sorted(cache_files(tmp_path / "ucr" / "Toy")) == [
        "Toy.zip",
        "Toy_TEST.ts",
        "Toy_TRAIN.ts",
    ]


def test_fetch_ucr_rejects_bad_names_and_incomplete_zips(server, tmp_path):
    with pytest.raises(ValueError, match="name must be a UCR/UEA dataset name"):
        fetch_ucr("../etc", data_home=tmp_path)
    server.routes["/Toy.zip"] = (_zip({"Toy_TRAIN.ts": TOY_TS}), None)
    with pytest.raises(DownloadError, match=r"does not contain \['Toy_TEST.ts'\]"):
        fetch_ucr("Toy", data_home=tmp_path, base_url=server.url)
    assert cache_files(tmp_path) == []


def test_fetch_ud_treebank_real_pinned_files(server, tmp_path):
    for split in ("dev", "test"):
        data = shared_file("UD_English-EWT", f"en_ewt-ud-{split}.conllu").read_bytes()
        server.routes[f"/UD_English-EWT/r2.16/en_ewt-ud-{split}.conllu"] = (data, None)
    ewt = fetch_ud_treebank(data_home=tmp_path, splits=("dev", "test"), base_url=server.url)
    assert len(ewt["dev"][0]) == 2001 and len(ewt["test"][0]) == 2077
    fetch_ud_treebank(data_home=tmp_path, splits=("dev",), base_url=server.url)
    assert len(server.requests) == 2


def test_fetch_ud_treebank_other_treebank_and_errors(server, tmp_path):
    server.routes["/UD_Toy-Test/r2.0/toy-ud-test.conllu"] = (CONLLU.encode(), None)
    data = fetch_ud_treebank(
        "UD_Toy-Test", tmp_path, version="r2.0", splits="test", tag_column="xpos",
        prefix="toy", base_url=server.url,
    )  # fmt: skip
    assert list(data) == ["test"] and data["test"][1][1] == ["NNP"]
    with pytest.raises(ValueError, match="unknown treebank 'UD_Toy-Test'"):
        fetch_ud_treebank("UD_Toy-Test", tmp_path)
    with pytest.raises(ValueError, match="splits must be a plain name"):
        fetch_ud_treebank(data_home=tmp_path, splits=("../train",))
    server.routes["/UD_English-EWT/r2.16/en_ewt-ud-test.conllu"] = (CONLLU.encode(), None)
    with pytest.raises(DownloadError, match="Checksum mismatch"):
        fetch_ud_treebank(data_home=tmp_path, splits=("test",), base_url=server.url)
    assert cache_files(tmp_path / "ud" / "UD_English-EWT") == []
