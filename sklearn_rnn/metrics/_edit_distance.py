"""Metrics for output sequences of their own length: edit distance and the error rates on it.

``y_true`` and ``y_pred`` hold one sequence per sample (a token list, or a string read as
its characters); the two sequences of a sample may differ in length.

* :func:`token_error_rate`: edits (substitutions, insertions, deletions) over reference
  tokens, pooled over samples: the phone error rate (PER) of grapheme-to-phoneme
  conversion, the character error rate on characters, speech recognition's word error
  rate on word tokens.
* :func:`sequence_error_rate`: the share of samples whose output is not exactly right:
  the word error rate (WER) of grapheme-to-phoneme conversion, where each sample is a
  word. :func:`sequence_accuracy` is one minus it.
"""

from __future__ import annotations

from collections.abc import Sequence

from sklearn.metrics import make_scorer


def edit_distance(reference: Sequence, hypothesis: Sequence) -> int:
    """Levenshtein distance: the fewest substitutions, insertions and deletions.

    Parameters
    ----------
    reference, hypothesis : sequence
        Token lists (or strings, read as characters).

    Returns
    -------
    int

    Examples
    --------
    >>> edit_distance(["K", "AE1", "T"], ["K", "AH0", "T", "S"])
    2
    >>> edit_distance("kitten", "sitting")
    3
    """
    reference, hypothesis = list(reference), list(hypothesis)
    # One row of the dynamic programme at a time: O(len(hypothesis)) memory.
    previous = list(range(len(hypothesis) + 1))
    for i, ref in enumerate(reference, start=1):
        current = [i]
        for j, hyp in enumerate(hypothesis, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ref != hyp)))
        previous = current
    return previous[-1]


def _check_pair(y_true, y_pred) -> tuple[list[list], list[list]]:
    """Both as lists of token lists, one per sample, equally many."""
    pair = []
    for name, y in (("y_true", y_true), ("y_pred", y_pred)):
        if isinstance(y, (str, bytes)) or not hasattr(y, "__iter__"):
            raise TypeError(
                f"{name} must be a sequence of sequences (one token list or string per "
                f"sample), got {type(y).__name__}."
            )
        rows = []
        for i, row in enumerate(y):
            if not hasattr(row, "__iter__"):
                raise TypeError(
                    f"{name}[{i}] is a {type(row).__name__}; expected a token list or a string."
                )
            rows.append(row.tolist() if hasattr(row, "tolist") else list(row))
        pair.append(rows)
    y_true, y_pred = pair
    if len(y_true) != len(y_pred):
        raise ValueError(f"y_pred has {len(y_pred)} sequences but y_true has {len(y_true)}.")
    if not y_true:
        raise ValueError("y_true is empty: there is nothing to score.")
    return y_true, y_pred


def token_error_rate(y_true, y_pred) -> float:
    """Edit distance over reference length, pooled: the phone (or character) error rate.

    ``sum(edit_distance(t, p)) / sum(len(t))`` over the samples; it exceeds 1 when the
    predictions hold more insertions than the references have tokens.

    Parameters
    ----------
    y_true : sequence of sequences
        The reference outputs, one token list (or string) per sample.
    y_pred : sequence of sequences
        The predicted outputs, as many, of any lengths.

    Returns
    -------
    float

    Examples
    --------
    >>> token_error_rate([["K", "AE1", "T"], ["D", "AO1", "G"]],
    ...                  [["K", "AE1", "T"], ["D", "AA1", "G", "Z"]])
    0.3333333333333333
    """
    y_true, y_pred = _check_pair(y_true, y_pred)
    n_tokens = sum(map(len, y_true))
    if n_tokens == 0:
        raise ValueError("y_true holds no tokens: the token error rate is undefined.")
    edits = sum(edit_distance(t, p) for t, p in zip(y_true, y_pred, strict=True))
    return edits / n_tokens


def sequence_accuracy(y_true, y_pred) -> float:
    """The share of samples whose predicted output equals the reference exactly.

    Parameters
    ----------
    y_true, y_pred : sequence of sequences
        Reference and predicted outputs, one token list (or string) per sample.

    Returns
    -------
    float

    Examples
    --------
    >>> sequence_accuracy([["K", "AE1", "T"], ["D", "AO1", "G"]],
    ...                   [["K", "AE1", "T"], ["D", "AA1", "G"]])
    0.5
    """
    y_true, y_pred = _check_pair(y_true, y_pred)
    return sum(t == p for t, p in zip(y_true, y_pred, strict=True)) / len(y_true)


def sequence_error_rate(y_true, y_pred) -> float:
    """The share of samples whose output is not exactly right: G2P's word error rate.

    Parameters
    ----------
    y_true, y_pred : sequence of sequences
        Reference and predicted outputs, one token list (or string) per sample.

    Returns
    -------
    float
        ``1 - sequence_accuracy(y_true, y_pred)``.

    Examples
    --------
    >>> sequence_error_rate(["kat", "dog"], ["kat", "dogg"])
    0.5
    """
    return 1.0 - sequence_accuracy(y_true, y_pred)


#: Scorer for :func:`sequence_accuracy` (greater is better): ``scorer(estimator, X, y)``.
sequence_accuracy_scorer = make_scorer(sequence_accuracy)
#: Scorer for :func:`token_error_rate`, negated as scikit-learn wants (greater is better).
neg_token_error_rate_scorer = make_scorer(token_error_rate, greater_is_better=False)
