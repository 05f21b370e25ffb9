"""The batches of :class:`~sklearn_rnn.seq2seq.RNNSeq2Seq`: sources with their target sequences.

:class:`Seq2SeqDataset` serves batches with the teacher-forced decoder input (the start
id, then the target) next to the source, and the target followed by the end of sequence
as what the loss compares. The target sequences' ids come from the torch-free
:class:`~sklearn_rnn._targets.SequenceTargets`.
"""

from __future__ import annotations

import torch

from sklearn_rnn._base._batches import IGNORE_INDEX, SequenceDataset, pad_batch
from sklearn_rnn._targets._sequences import BOS_ID, EOS_ID


class Seq2SeqDataset(SequenceDataset):
    """Sources with their target sequences; batches carry the decoder's teacher-forced input.

    ``targets`` are the output ids each ended by ``EOS_ID``. A batch's inputs gain
    ``decoder_inputs (B, T)``: the start id, then the target without its end (0 after
    it); its targets are ``(B, T)`` output ids, ``IGNORE_INDEX`` after each end.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_rnn._base._encoded_sequences import EncodedSequences
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


__all__ = ["IGNORE_INDEX", "Seq2SeqDataset"]
