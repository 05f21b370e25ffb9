"""The wide branch: a linear model over a sequence's own word and word-pair ids.

A recurrent network learns word order but, on a few thousand sentences, learns the
plain "which words occur" signal less well than a linear bag-of-n-grams model
(TF-IDF + logistic regression, NBSVM; Wang & Manning, 2012). The wide branch adds that
model's scores to the network's logits and is trained with it (Wide & Deep, Cheng et
al., 2016): one weight row per word id and one per hashed word pair (fastText's bigram
buckets, Joulin et al., 2017), summed over the sequence's real steps and divided by the
square root of its number of n-grams.

Everything it reads is the sequence's own ids before its length, so padding never
reaches it by construction: padded steps and the pairs they would form are masked out.
The pair hash is integer arithmetic on the two ids, computed the same way in the ONNX
graph (:mod:`sklearn_rnn.serving._graph`).
"""

from __future__ import annotations

import torch
from torch import nn

#: Word pairs are hashed into this many buckets (about 2.5x the distinct pairs of MR's
#: 9,600 training sentences, so few collide) ...
PAIR_BUCKETS = 2**18
#: ... by ``(first * PAIR_MULTIPLIER + second) mod PAIR_BUCKETS``: a prime multiplier
#: spreads the pairs of one first word over the buckets.
PAIR_MULTIPLIER = 1_000_003


def pair_ids(inputs: torch.Tensor, n_ids: int) -> torch.Tensor:
    """The row of each word pair ``(inputs[:, t], inputs[:, t + 1])``: ``(B, T - 1)``.

    Rows ``n_ids`` to ``n_ids + PAIR_BUCKETS - 1`` of the wide table, after the words'.

    Examples
    --------
    >>> pair_ids(torch.tensor([[2, 3, 4]]), n_ids=10).tolist()
    [[165011, 116439]]
    """
    first, second = inputs[:, :-1], inputs[:, 1:]
    return n_ids + (first * PAIR_MULTIPLIER + second) % PAIR_BUCKETS


class WideNgrams(nn.Module):
    """Scores of a linear model over each sequence's word and word-pair counts.

    Parameters
    ----------
    n_ids : int
        Vocabulary size (id 0 is padding).
    n_outputs : int
        Scores per sequence (the network's outputs).
    ngrams : {1, 2}
        Words only, or words and adjacent word pairs.

    Examples
    --------
    >>> wide = WideNgrams(n_ids=10, n_outputs=2, ngrams=2)
    >>> _ = wide.weight.data.normal_(generator=torch.Generator().manual_seed(0))
    >>> ids, lengths = torch.tensor([[2, 3, 0, 0], [2, 3, 4, 0]]), torch.tensor([2, 3])
    >>> alone = wide.eval()(torch.tensor([[2, 3]]), torch.tensor([2]))
    >>> bool(torch.allclose(wide(ids, lengths)[0], alone[0]))  # padding changes nothing
    True
    """

    def __init__(self, n_ids: int, n_outputs: int, ngrams: int = 2):
        super().__init__()
        self.n_ids = n_ids
        self.ngrams = ngrams
        rows = n_ids + (PAIR_BUCKETS if ngrams >= 2 else 0)
        # Zero start: the branch begins as no opinion, as a linear model's solver does.
        self.weight = nn.Parameter(torch.zeros(rows, n_outputs))

    def forward(self, inputs: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        # inputs: (B, T) ids; lengths: (B,) -> (B, n_outputs)
        steps = torch.arange(inputs.shape[1], device=inputs.device)
        mask = steps[None, :] < lengths[:, None]  # (B, T)
        # float64 at inference, as OutputHead: a sequence's sum does not depend on its batch.
        dtype = torch.float32 if self.training else torch.float64
        total = (self.weight[inputs].to(dtype) * mask[:, :, None]).sum(1)  # (B, C)
        count = lengths.to(dtype)
        if self.ngrams >= 2:
            pairs = pair_ids(inputs, self.n_ids)  # (B, T - 1); pair t ends at step t + 1
            total = total + (self.weight[pairs].to(dtype) * mask[:, 1:, None]).sum(1)
            count = count + (lengths - 1).to(dtype)
        return total / count.sqrt()[:, None]
