"""The output side of :class:`~sklearn_rnn.seq2seq.RNNSeq2Seq`: target sequences and their batches.

:class:`TargetEncoder` turns the user's output sequences (strings or token lists) into ids
of an output vocabulary and back into the user's form; :class:`Seq2SeqDataset` serves
batches with the teacher-forced decoder input (the start id, then the target) next to
the source, and the target followed by the end of sequence as what the loss compares.
"""

from __future__ import annotations

import numpy as np
import torch

from sklearn_rnn._base._batches import IGNORE_INDEX, SequenceDataset, pad_batch
from sklearn_rnn._base._encoded_sequences import EncodedSequences
from sklearn_rnn.encoding import _validation as v
from sklearn_rnn.encoding._vocabulary import Vocabulary
from sklearn_rnn.seq2seq._network import BOS_ID, BOS_TOKEN, EOS_ID, EOS_TOKEN


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


class TargetEncoder:
    """Output sequences <-> output ids (0 padding, 1 unknown, 2 end, 3 start, symbols).

    Parameters
    ----------
    tokenizer : {"char", "whitespace"}
        How output strings split into symbols (token lists are used as they are), and
        how predicted symbols are joined back into strings (``""`` or ``" "``).

    Examples
    --------
    >>> encoder = TargetEncoder("whitespace").fit(*check_targets(["K AE1 T", "AE1 T"], 2))
    >>> encoder.vocabulary_.tokens[4:]
    ['AE1', 'T', 'K']
    >>> ids = encoder.transform(["T AE1"])
    >>> ids.values.tolist()  # the symbols, then the end of sequence (2)
    [5, 4, 2]
    >>> encoder.inverse_transform([[5, 4]])
    ['T AE1']
    """

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

    def fit(self, kind: str, Y: list) -> TargetEncoder:
        self.kind_ = kind
        symbols = self.split(kind, Y)
        self.vocabulary_ = Vocabulary([EOS_TOKEN, BOS_TOKEN] + _symbols_of(symbols))
        self.max_length_ = max(map(len, symbols))
        return self

    def transform(self, Y, kind: str | None = None) -> EncodedSequences:
        """Ids of ``Y`` (already checked when ``kind`` is given), each ended by ``EOS_ID``.

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
        return EncodedSequences.from_flat(ids, lengths)

    def inverse_transform(self, ids: list[list[int]]) -> list:
        """Output ids (without the end of sequence) in the form ``y`` had in ``fit``."""
        tokens = self.vocabulary_.tokens
        symbols = [[tokens[i] for i in row] for row in ids]
        if self.kind_ == v.TOKENS:
            return symbols
        separator = "" if self.tokenizer == "char" else " "
        return [separator.join(row) for row in symbols]


def _symbols_of(symbols: list[list[str]]) -> list[str]:
    """The distinct symbols, most frequent first, ties alphabetically (reproducible ids)."""
    vocabulary = Vocabulary.from_corpus(symbols)
    return [t for t in vocabulary.tokens[2:] if t not in (EOS_TOKEN, BOS_TOKEN)]


class Seq2SeqDataset(SequenceDataset):
    """Sources with their target sequences; batches carry the decoder's teacher-forced input.

    ``targets`` are the output ids each ended by ``EOS_ID``. A batch's inputs gain
    ``decoder_inputs (B, T)``: the start id, then the target without its end (0 after
    it); its targets are ``(B, T)`` output ids, ``IGNORE_INDEX`` after each end.

    Examples
    --------
    >>> sources = EncodedSequences.from_arrays([np.array([4, 5]), np.array([6])])
    >>> targets = EncodedSequences.from_arrays([np.array([7, 2]), np.array([8, 9, 2])])
    >>> X, y = Seq2SeqDataset(sources, targets).batch(torch.tensor([0, 1]))
    >>> X["decoder_inputs"].tolist(), y.tolist()
    ([[3, 7, 0], [3, 8, 9]], [[7, 2, -100], [8, 9, 2]])
    """

    def batch(self, indices: torch.Tensor):
        X, y = super().batch(indices)
        if y is not None:
            start = torch.full((len(indices), 1), BOS_ID, dtype=torch.int64)
            previous = pad_batch(self.targets, indices)[:, :-1]  # (B, T - 1), 0 after the end
            # The end of sequence is never an input: where it stands, padding follows.
            previous = previous.masked_fill(previous == EOS_ID, 0)
            X["decoder_inputs"] = torch.cat([start, previous], dim=1)  # (B, T)
        return X, y

    def subset(self, indices) -> Seq2SeqDataset:
        return Seq2SeqDataset.of(super().subset(indices))

    @classmethod
    def of(cls, dataset: SequenceDataset) -> Seq2SeqDataset:
        """The same data (sequences, targets, anything else it holds) as a Seq2SeqDataset."""
        result = cls.__new__(cls)
        vars(result).update(vars(dataset))
        return result


__all__ = ["IGNORE_INDEX", "Seq2SeqDataset", "TargetEncoder", "check_targets"]
