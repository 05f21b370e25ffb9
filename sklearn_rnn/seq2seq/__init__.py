""":class:`RNNSeq2Seq`: a sequence in, a sequence of its own length out.

The estimator, its target encoder, its encoder-decoder network and beam search.
"""

from sklearn_rnn.seq2seq._estimator import RNNSeq2Seq

__all__ = ["RNNSeq2Seq"]
