"""The networks: input layer, recurrent core, pooling, output head, CRF, convolution branch,
wide n-gram branch.

These are plain :class:`torch.nn.Module` classes. The estimators build them from what their
encoders learned; a user can pass one (or their own) as ``module``.
"""

from sklearn_rnn.nn._crf import LinearChainCRF
from sklearn_rnn.nn._networks import RNNCore, SequenceModel, TaggerModel
from sklearn_rnn.nn._wide import WideNgrams

__all__ = ["LinearChainCRF", "RNNCore", "SequenceModel", "TaggerModel", "WideNgrams"]
