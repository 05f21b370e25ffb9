"""Unicode normal forms of text input, applied before tokenizing (torch-free).

A sequence-to-sequence model reads ``"é"`` either as one composed symbol or, decomposed
(NFD), as ``"e"`` followed by a combining accent: the second shares what it learns about
``"e"``. The estimator and the served model normalize the same way.
"""

from __future__ import annotations

import unicodedata

from sklearn_rnn.encoding import _validation as v

#: The forms ``unicodedata.normalize`` knows.
NORMAL_FORMS = ("NFD", "NFC", "NFKD", "NFKC")


def normalized(X: v.CheckedSequences, form: str) -> v.CheckedSequences:
    """Text and token input in Unicode normal form ``form``; other kinds as they are.

    Parameters
    ----------
    X : CheckedSequences
        Checked input (:func:`sklearn_rnn.encoding._validation.check_sequences`).
    form : {"NFD", "NFC", "NFKD", "NFKC"}
        The normal form.

    Returns
    -------
    CheckedSequences
        The same input with every string (or token) in that form.

    Examples
    --------
    >>> X = v.CheckedSequences(v.TEXT, ["caf\u00e9"])
    >>> [len(s) for s in normalized(X, "NFD").data]  # "e" and a combining accent
    [5]
    """
    if X.kind == v.TEXT:
        return v.CheckedSequences(X.kind, [unicodedata.normalize(form, s) for s in X.data])
    if X.kind == v.TOKENS:
        data = [[unicodedata.normalize(form, t) for t in tokens] for tokens in X.data]
        return v.CheckedSequences(X.kind, data)
    return X
