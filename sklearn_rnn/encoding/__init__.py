"""From user input to arrays, without torch: input kinds, vocabulary, tokenizers, spelling.

Everything here is numpy and the standard library only, so that the served models
(:mod:`sklearn_rnn.serving`) encode their input exactly as the estimators do, without torch.

Examples
--------
>>> from sklearn_rnn.encoding import Vocabulary, word_tokenize
>>> word_tokenize("A good film!")
['A', 'good', 'film', '!']
"""

from sklearn_rnn.encoding._array_encoder import ArrayEncoder
from sklearn_rnn.encoding._spelling import word_shape
from sklearn_rnn.encoding._tokenizers import char_tokenize, whitespace_tokenize, word_tokenize
from sklearn_rnn.encoding._vocabulary import Vocabulary

__all__ = [
    "ArrayEncoder",
    "Vocabulary",
    "char_tokenize",
    "whitespace_tokenize",
    "word_shape",
    "word_tokenize",
]
