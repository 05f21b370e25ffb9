"""Readers for standard public dataset formats, and fetchers that download them once.

Every reader returns what the estimators take directly:

- :func:`load_polarity`, :func:`load_labeled_sentences`, :func:`load_tsv_sentences`:
  ``(texts, labels)`` for ``RNNClassifier``;
- :func:`load_ts`: ``(X, y)`` with X a ragged list of ``(T_i, n_dims)`` arrays or one
  ``(n, T, n_dims)`` array, for ``RNNClassifier`` or ``RNNRegressor``;
- :func:`load_series_csv`: a date-indexed ``pd.Series``, to cut into windows with
  :func:`sklearn_rnn.forecasting.make_windows` for ``RNNRegressor``;
- :func:`load_m4`: ``{id: values}`` from the M4 competition's CSV format, many series
  for one ``RNNForecaster``;
- :func:`load_conllu`, :func:`load_conll2003`: ``(sentences, tags)`` for ``RNNTagger``;
- :func:`load_cmudict`, :func:`load_pronunciation_tsv`: ``(words, pronunciations)`` for
  ``RNNSeq2Seq``, with :func:`split_pronunciations` for a word-grouped train/test split.
- :func:`load_word_vectors`: ``(vectors, tokens)`` from a GloVe, word2vec or fastText
  text file, for the estimators' ``embeddings=`` parameter.

Malformed files raise :class:`ValueError` with the file, the line number and what was
expected. The ``fetch_*`` functions download a public copy into a cache folder (the
``data_home`` argument, else the ``SKLEARN_RNN_DATA`` environment variable, else
``~/sklearn_rnn_data``), never download the same file twice, and raise
:class:`~sklearn_rnn.DownloadError` (an :class:`OSError`) when the download fails; its
message names the URL to download by hand and the path to save it at, for machines
without internet access.
"""


# The package is split by responsibility: readers of standard formats (_text_readers,
# _series_readers, _pronunciations, _word_vectors, with helpers in _common) and the
# download cache and fetchers (_cache, _fetchers). Every public name is re-exported here.

from sklearn_rnn.datasets._cache import get_data_home
from sklearn_rnn.datasets._fetchers import (
    AIRLINE_URL,
    CMUDICT_URL,
    MOVIE_REVIEWS_URL,
    TINY_SHAKESPEARE_URL,
    UCR_BASE_URL,
    UD_BASE_URL,
    fetch_airline,
    fetch_cmudict,
    fetch_movie_reviews,
    fetch_tiny_shakespeare,
    fetch_ucr,
    fetch_ud_treebank,
)
from sklearn_rnn.datasets._m4 import load_m4
from sklearn_rnn.datasets._pronunciations import (
    load_cmudict,
    load_pronunciation_tsv,
    split_pronunciations,
)
from sklearn_rnn.datasets._series_readers import load_series_csv, load_ts
from sklearn_rnn.datasets._text_readers import (
    load_conll2003,
    load_conllu,
    load_labeled_sentences,
    load_polarity,
    load_tsv_sentences,
)
from sklearn_rnn.datasets._word_vectors import load_word_vectors

__all__ = [
    "AIRLINE_URL",
    "CMUDICT_URL",
    "MOVIE_REVIEWS_URL",
    "TINY_SHAKESPEARE_URL",
    "UCR_BASE_URL",
    "UD_BASE_URL",
    "fetch_airline",
    "fetch_cmudict",
    "fetch_movie_reviews",
    "fetch_tiny_shakespeare",
    "fetch_ucr",
    "fetch_ud_treebank",
    "get_data_home",
    "load_cmudict",
    "load_conll2003",
    "load_conllu",
    "load_labeled_sentences",
    "load_m4",
    "load_polarity",
    "load_pronunciation_tsv",
    "load_series_csv",
    "load_ts",
    "load_tsv_sentences",
    "load_word_vectors",
    "split_pronunciations",
]
