"""load_m4: the M4 competition's CSV format, and its malformed variants."""

from pathlib import Path

import numpy as np
import pytest

from sklearn_rnn.datasets import load_m4

M4 = Path(__file__).resolve().parents[2] / "shared" / "data" / "m4"


def write(tmp_path, text: str) -> Path:
    path = tmp_path / "Hourly-train.csv"
    path.write_text(text)
    return path


def test_reads_ids_and_values_without_the_padding(tmp_path):
    path = write(tmp_path, '"V1","V2","V3","V4"\n"H1","1","2.5","3"\n"H2","5",NA,NA\n')
    series = load_m4(path)
    assert list(series) == ["H1", "H2"]
    np.testing.assert_array_equal(series["H1"], [1.0, 2.5, 3.0])
    np.testing.assert_array_equal(series["H2"], [5.0])


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("", "empty file"),
        ('"V1","V2"\n', "no series after the header"),
        ('"V1","V2","V3"\n"H1",NA,NA\n', "line 2: series 'H1' has no values"),
        ('"V1","V2","V3","V4"\n"H1","1",NA,"3"\n', "line 2.*missing value at position 2"),
        ('"V1","V2","V3"\n"H1","1","x"\n', "line 2: series 'H1'"),
        ('"V1","V2"\n"H1","1"\n"H1","2"\n', "line 3: series 'H1' appears twice"),
    ],
)
def test_malformed_files_name_the_file_and_line(tmp_path, text, match):
    with pytest.raises(ValueError, match=match):
        load_m4(write(tmp_path, text))


@pytest.mark.skipif(not (M4 / "Hourly-train.csv").is_file(), reason="needs ../shared/data/m4")
def test_m4_hourly_counts():
    train, test = load_m4(M4 / "Hourly-train.csv"), load_m4(M4 / "Hourly-test.csv")
    assert len(train) == len(test) == 414 and list(train) == list(test)
    assert sum(map(len, train.values())) == 353_500
    assert {len(v) for v in test.values()} == {48}
