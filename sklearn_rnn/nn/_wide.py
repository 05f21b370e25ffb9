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

At inference the branch can also add a multinomial naive Bayes model of the same
n-grams (``naive_bayes``: one row of per-class log-probabilities per n-gram, summed over
the sequence), which a classifier fills after training (:func:`naive_bayes_table`): on
sentence polarity, naive Bayes over words and pairs is as accurate as the trained
network, and their errors differ (Wang & Manning, 2012: MNB-bigram 79.0 on MR).
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


def ngram_rows(
    inputs: torch.Tensor, lengths: torch.Tensor, n_ids: int, ngrams: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """The wide-table row of each n-gram of each sequence, and which are real.

    Returns ``(rows, real)``, both ``(B, T)`` for words or ``(B, 2T - 1)`` with pairs
    (the words' rows, then the pairs'); ``real`` is False where padding is.

    Examples
    --------
    >>> rows, real = ngram_rows(torch.tensor([[2, 3, 0]]), torch.tensor([2]), 10, 2)
    >>> rows[real].tolist()
    [2, 3, 165011]
    """
    steps = torch.arange(inputs.shape[1], device=inputs.device)
    real = steps[None, :] < lengths[:, None]  # (B, T)
    if ngrams < 2:
        return inputs, real
    # pair t ends at step t + 1: real when that step is
    return torch.cat([inputs, pair_ids(inputs, n_ids)], 1), torch.cat([real, real[:, 1:]], 1)


def _summed_rows(table: torch.Tensor, rows: torch.Tensor, real: torch.Tensor, dtype):
    """``table``'s rows of each sequence's real n-grams, summed in ``dtype``: ``(B, C)``."""
    return (table[rows].to(dtype) * real[:, :, None]).sum(1)


def naive_bayes_table(counts: torch.Tensor) -> torch.Tensor:
    """Multinomial naive Bayes over n-gram counts, as a table of per-class scores.

    ``counts[row, c]`` is how often (in sample weights) n-gram ``row`` occurs in the
    training sequences of class ``c``. Each row seen in training gets the log-probability
    of the n-gram under each class, with add-one smoothing over the rows seen
    (``MultinomialNB(alpha=1)`` on those n-gram counts), centered over the classes: the
    sum over a sequence's n-grams then differs between classes exactly as naive Bayes'
    log-likelihoods do. Rows never seen get zeros, as naive Bayes ignores words outside
    its vocabulary.

    Examples
    --------
    >>> counts = torch.tensor([[1.0, 0.0], [1.0, 1.0], [0.0, 1.0], [0.0, 0.0]])
    >>> table = naive_bayes_table(counts)
    >>> table[:, 1] - table[:, 0]  # row 0 only in class 0, row 2 only in 1; row 3 unseen
    tensor([-0.6931,  0.0000,  0.6931,  0.0000], dtype=torch.float64)
    """
    seen = counts.sum(1) > 0
    smoothed = counts[seen].to(torch.float64) + 1.0  # only the rows seen
    log_prob = smoothed.log() - smoothed.sum(0, keepdim=True).log()
    log_prob -= log_prob.mean(1, keepdim=True)
    table = torch.zeros(counts.shape, dtype=torch.float64)
    table[seen] = log_prob
    return table


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
    naive_bayes : bool, default=False
        Hold a ``naive_bayes`` table (zeros until filled) whose rows' sum over each
        sequence's n-grams joins the scores at inference (not in training).

    Examples
    --------
    >>> wide = WideNgrams(n_ids=10, n_outputs=2, ngrams=2)
    >>> _ = wide.weight.data.normal_(generator=torch.Generator().manual_seed(0))
    >>> ids, lengths = torch.tensor([[2, 3, 0, 0], [2, 3, 4, 0]]), torch.tensor([2, 3])
    >>> alone = wide.eval()(torch.tensor([[2, 3]]), torch.tensor([2]))
    >>> bool(torch.allclose(wide(ids, lengths)[0], alone[0]))  # padding changes nothing
    True
    """

    def __init__(self, n_ids: int, n_outputs: int, ngrams: int = 2, naive_bayes: bool = False):
        super().__init__()
        self.n_ids = n_ids
        self.ngrams = ngrams
        rows = n_ids + (PAIR_BUCKETS if ngrams >= 2 else 0)
        # Zero start: the branch begins as no opinion, as a linear model's solver does.
        self.weight = nn.Parameter(torch.zeros(rows, n_outputs))
        self.register_buffer("naive_bayes", torch.zeros(rows, n_outputs) if naive_bayes else None)

    def forward(self, inputs: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        # inputs: (B, T) ids; lengths: (B,) -> (B, n_outputs)
        rows, real = ngram_rows(inputs, lengths, self.n_ids, self.ngrams)  # (B, N)
        # float64 at inference, as OutputHead: a sequence's sum does not depend on its batch.
        dtype = torch.float32 if self.training else torch.float64
        total = _summed_rows(self.weight, rows, real, dtype)  # (B, C)
        scores = total / real.sum(1).to(dtype).sqrt()[:, None]
        # (A module pickled before the table existed has no entry for it.)
        table = self._buffers.get("naive_bayes")
        if table is not None and not self.training:
            scores = scores + self.naive_bayes_scores(rows, real, table)
        return scores

    @staticmethod
    def naive_bayes_scores(
        rows: torch.Tensor, real: torch.Tensor, table: torch.Tensor
    ) -> torch.Tensor:
        """Each sequence's sum of ``table``'s rows over its real n-grams.

        Parameters
        ----------
        rows, real : torch.Tensor of shape (B, N)
            The n-gram rows and which are real, as :func:`ngram_rows` gives them.
        table : torch.Tensor of shape (n_rows, C)
            Scores per n-gram (the ``naive_bayes`` table).

        Returns
        -------
        torch.Tensor of shape (B, C), float64

        Examples
        --------
        >>> table = torch.tensor([[0.0, 0.0], [0.5, -0.5], [-1.0, 1.0]])
        >>> rows, real = torch.tensor([[1, 2, 2]]), torch.tensor([[True, True, False]])
        >>> WideNgrams.naive_bayes_scores(rows, real, table)
        tensor([[-0.5000,  0.5000]], dtype=torch.float64)
        """
        return _summed_rows(table, rows, real, torch.float64)
