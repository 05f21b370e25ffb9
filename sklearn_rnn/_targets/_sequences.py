"""RNNSeq2Seq's targets: output sequences (strings or token lists) <-> output ids.

Output ids: 0 padding, 1 unknown (never a target), 2 end of sequence, 3 start of
sequence, then the output symbols, most frequent first.
"""

from __future__ import annotations

import numpy as np

from sklearn_rnn._targets._state import TargetState
from sklearn_rnn.encoding import _validation as v
from sklearn_rnn.encoding._vocabulary import Vocabulary

EOS_TOKEN = "</s>"
BOS_TOKEN = "<s>"
EOS_ID, BOS_ID = 2, 3


def check_targets(Y, n_samples: int, name: str = "y") -> tuple[str, list]:
    """``Y`` as ``("text", strings)`` or ``("tokens", token lists)``, one per sample.

    Examples
    --------
    >>> check_targets(["abc", "d"], 2)
    ('text', ['abc', 'd'])
    >>> check_targets([["K", "AE1", "T"]], 1)
    ('tokens', [['K', 'AE1', 'T']])
    """
    Y = v.check_target_length(n_samples, Y)
    if isinstance(Y, np.ndarray) and Y.ndim == 2:
        Y = list(Y)  # equal-length token lists, one per row
    Y = list(Y.tolist() if isinstance(Y, np.ndarray) and Y.dtype.kind in "US" else Y)
    if v._is_string(Y[0]):
        texts = v.check_text(Y, name)
        for i, text in enumerate(texts):
            if not text:
                raise ValueError(
                    f"{name}[{i}] is an empty string; every output sequence needs at least one "
                    "symbol."
                )
        return v.TEXT, texts
    return v.TOKENS, v.check_token_lists(Y, name)


class SequenceTargets(TargetState):
    """Output sequences <-> output ids (0 padding, 1 unknown, 2 end, 3 start, symbols).

    Parameters
    ----------
    tokenizer : {"char", "whitespace"}
        How output strings split into symbols (token lists are used as they are), and
        how predicted symbols are joined back into strings (``""`` or ``" "``).

    Examples
    --------
    >>> encoder = SequenceTargets("whitespace").fit(*check_targets(["K AE1 T", "AE1 T"], 2))
    >>> encoder.vocabulary_.tokens[4:]
    ['AE1', 'T', 'K']
    >>> ids, lengths = encoder.transform(["T AE1"])
    >>> ids.tolist(), lengths.tolist()  # the symbols, then the end of sequence (2)
    ([5, 4, 2], [3])
    >>> encoder.inverse_transform([[5, 4]])
    ['T AE1']
    """

    _STATE = ("tokenizer", "kind_", "vocabulary_", "max_length_")

    def __init__(self, tokenizer: str):
        self.tokenizer = tokenizer

    def split(self, kind: str, Y: list) -> list[list[str]]:
        if kind == v.TOKENS:
            return Y
        if self.tokenizer == "char":
            return [list(y) for y in Y]
        symbols = [y.split() for y in Y]
        for i, row in enumerate(symbols):
            if not row:
                raise ValueError(
                    f"y[{i}] holds only whitespace; every output sequence needs at least one "
                    "symbol."
                )
        return symbols

    def fit(self, kind: str, Y: list) -> SequenceTargets:
        self.kind_ = kind
        symbols = self.split(kind, Y)
        self.vocabulary_ = Vocabulary([EOS_TOKEN, BOS_TOKEN] + _symbols_of(symbols))
        self.max_length_ = max(map(len, symbols))
        return self

    def transform(self, Y, kind: str | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Ids of ``Y`` (already checked when ``kind`` is given), each ended by ``EOS_ID``.

        Returns every sequence's ids concatenated (int64) and each sequence's length.

        Symbols never seen in ``fit`` raise a ``ValueError``.
        """
        if kind is None:
            kind, Y = check_targets(Y, len(Y))
        symbols = self.split(kind, Y)
        lengths = np.fromiter((len(s) + 1 for s in symbols), dtype=np.int64, count=len(symbols))
        flat = [token for row in symbols for token in (*row, EOS_TOKEN)]
        index = self.vocabulary_.index
        ids = np.fromiter((index.get(t, -1) for t in flat), dtype=np.int64, count=len(flat))
        if (ids < 0).any():
            unseen = sorted({t for t, i in zip(flat, ids.tolist(), strict=True) if i < 0})
            raise ValueError(
                f"y contains output symbols not seen in fit: {unseen[:5]}; the model can only "
                f"emit the {len(self.vocabulary_) - 4} symbols of its training outputs "
                "(see output_vocabulary_)."
            )
        return ids, lengths

    def inverse_transform(self, ids: list[list[int]]) -> list:
        """Output ids (without the end of sequence) in the form ``y`` had in ``fit``."""
        tokens = self.vocabulary_.tokens
        symbols = [[tokens[i] for i in row] for row in ids]
        if self.kind_ == v.TOKENS:
            return symbols
        separator = "" if self.tokenizer == "char" else " "
        return [separator.join(row) for row in symbols]

    def _check_state(self) -> None:
        if self.tokenizer not in ("char", "whitespace") or self.kind_ not in (v.TEXT, v.TOKENS):
            raise ValueError(f"invalid tokenizer {self.tokenizer!r} or kind {self.kind_!r}")
        if not isinstance(self.vocabulary_, Vocabulary) or not isinstance(self.max_length_, int):
            raise TypeError("vocabulary_ must be a Vocabulary and max_length_ an int")


def _symbols_of(symbols: list[list[str]]) -> list[str]:
    """The distinct symbols, most frequent first, ties alphabetically (reproducible ids)."""
    vocabulary = Vocabulary.from_corpus(symbols)
    return [t for t in vocabulary.tokens[2:] if t not in (EOS_TOKEN, BOS_TOKEN)]


def until_end(ids: list[int]) -> list[int]:
    """The output ids before the end of sequence (all of them when it never came).

    Examples
    --------
    >>> until_end([5, 6, EOS_ID, 0]), until_end([5, 6])
    ([5, 6], [5, 6])
    """
    return ids[: ids.index(EOS_ID)] if EOS_ID in ids else ids


def nbest_outputs(hypotheses: list, scores: np.ndarray, n: int, targets) -> list[list[tuple]]:
    """Per input, the ``n`` best ``(output, log-probability)`` pairs of its beam.

    ``hypotheses`` holds each input's beam (id lists, best first) and ``scores`` their
    ``(n_inputs, K)`` log-probabilities; hypotheses the beam could not fill
    (``-inf``) are left out, and ``targets`` (a fitted :class:`SequenceTargets`)
    turns the ids into outputs in the form of ``y``.
    """
    result = []
    for beams, row_scores in zip(hypotheses, scores, strict=True):
        pairs = zip(beams, row_scores.tolist(), strict=True)
        kept = [(ids, s) for ids, s in pairs if s > -np.inf][:n]
        outputs = targets.inverse_transform([ids for ids, _ in kept])
        result.append([(o, s) for o, (_, s) in zip(outputs, kept, strict=True)])
    return result
