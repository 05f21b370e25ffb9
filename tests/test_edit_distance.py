"""Edit distance and the error rates on it, against a brute-force reference."""

from __future__ import annotations

import itertools
from functools import cache

import pytest

from sklearn_rnn.metrics import (
    edit_distance,
    sequence_accuracy,
    sequence_error_rate,
    token_error_rate,
)


def _reference_distance(a: tuple, b: tuple) -> int:
    """Levenshtein distance by its recursive definition (exponential without the cache)."""

    @cache
    def d(i: int, j: int) -> int:
        if i == 0 or j == 0:
            return i + j
        return min(d(i - 1, j) + 1, d(i, j - 1) + 1, d(i - 1, j - 1) + (a[i - 1] != b[j - 1]))

    return d(len(a), len(b))


def test_edit_distance_equals_the_recursive_definition():
    words = ["".join(p) for n in range(4) for p in itertools.product("ab", repeat=n)]
    for a, b in itertools.product(words, repeat=2):
        assert edit_distance(a, b) == _reference_distance(tuple(a), tuple(b)), (a, b)
        assert edit_distance(list(a), list(b)) == edit_distance(b, a)  # symmetric


def test_edit_distance_of_token_lists():
    assert edit_distance(["K", "AE1", "T"], ["K", "AE1", "T"]) == 0
    assert edit_distance(["K", "AE1", "T"], []) == 3
    assert edit_distance(["AE1"], ["AE0"]) == 1  # tokens compare whole, not by character


def test_token_error_rate_pools_over_references():
    y_true = [["a", "b", "c", "d"], ["e"]]
    y_pred = [["a", "b", "c", "d"], ["f", "g", "h"]]
    assert token_error_rate(y_true, y_pred) == pytest.approx(3 / 5)
    assert token_error_rate(["ab"], ["abba"]) == 1.0  # insertions may exceed the length


def test_sequence_error_rate_and_accuracy():
    y_true, y_pred = [["a"], ["b", "c"], ["d"]], [["a"], ["b"], ["e"]]
    assert sequence_accuracy(y_true, y_pred) == pytest.approx(1 / 3)
    assert sequence_error_rate(y_true, y_pred) == pytest.approx(2 / 3)
    assert sequence_accuracy(("ab", "c"), ["ab", "c"]) == 1.0  # strings read as characters


@pytest.mark.parametrize(
    ("y_true", "y_pred", "error", "match"),
    [
        ([["a"]], [["a"], ["b"]], ValueError, "y_pred has 2 sequences but y_true has 1"),
        ([], [], ValueError, "y_true is empty"),
        ("ab", ["ab"], TypeError, "y_true must be a sequence of sequences"),
        ([["a"], 3], [["a"], ["b"]], TypeError, r"y_true\[1\] is a int"),
    ],
)
def test_bad_input(y_true, y_pred, error, match):
    with pytest.raises(error, match=match):
        sequence_accuracy(y_true, y_pred)
    with pytest.raises(error, match=match):
        token_error_rate(y_true, y_pred)


def test_token_error_rate_needs_reference_tokens():
    with pytest.raises(ValueError, match="no tokens"):
        token_error_rate([[]], [["a"]])
