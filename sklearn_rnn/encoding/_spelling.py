"""A token's spelling as features: its characters and its shape (torch-free).

The tagger joins them to each word's embedding: the characters give rare and unseen
words a representation from their spelling, the shape keeps the case that lowercasing
removes. :class:`~sklearn_rnn._base._sequence_encoder.SequenceEncoder` learns their vocabularies in
``fit``; :class:`~sklearn_rnn._base._token_features.TokenFeatures` holds them encoded for
training, and the torch-free predictor (:mod:`sklearn_rnn.serving`) encodes them with
the same functions.
"""

from __future__ import annotations

import itertools
import unicodedata

import numpy as np

from sklearn_rnn.encoding._vocabulary import Vocabulary

# Words longer than this are read by the character encoder as their first and last
# MAX_WORD_CHARS // 2 characters (URLs and the like; 99.9 % of EWT words have <= 24).
MAX_WORD_CHARS = 32


def word_shape(token: str, max_run: int = 4) -> str:
    """Return the shape of a token: upper-case as ``X``, lower-case as ``x``, digits as ``d``.

    Letters without case (CJK, Arabic, Thai, ...) become ``a``, combining marks are
    dropped, and other characters (punctuation, symbols) are kept. Runs of one symbol
    are cut at ``max_run``, so the shape keeps case, length class and punctuation but
    not the word itself.

    Parameters
    ----------
    token : str
        The token, as written (before any lowercasing).
    max_run : int, default=4
        The longest run of one symbol kept.

    Returns
    -------
    shape : str
        The token's shape.

    Examples
    --------
    >>> [word_shape(t) for t in ["Paris", "U.S.", "1,000", "don't", "iPhone", "COVID-19"]]
    ['Xxxxx', 'X.X.', 'd,ddd', "xxx'x", 'xXxxxx', 'XXXX-dd']
    >>> word_shape("東京都"), word_shape("नमस्ते")
    ('aaa', 'aaaa')
    """
    symbols = []
    run = 0
    for char in token:
        if char.isupper() or char.istitle():
            symbol = "X"
        elif char.islower():
            symbol = "x"
        elif char.isnumeric():  # digits, and also "²", "½", "٣"
            symbol = "d"
        elif char.isalpha():
            symbol = "a"
        elif unicodedata.category(char).startswith("M"):
            continue  # a combining mark belongs to the letter before it
        else:
            symbol = char
        run = run + 1 if symbols and symbols[-1] == symbol else 1
        if run <= max_run:
            symbols.append(symbol)
    return "".join(symbols)


def clip_word(word: str) -> str:
    """``word``, or its first and last ``MAX_WORD_CHARS // 2`` characters when longer.

    Examples
    --------
    >>> clip_word("short")
    'short'
    >>> len(clip_word("x" * 100))
    32
    """
    if len(word) <= MAX_WORD_CHARS:
        return word
    half = MAX_WORD_CHARS // 2
    return word[:half] + word[-half:]


def char_vocabulary(token_lists: list[list[str]]) -> Vocabulary:
    """The characters of the distinct (clipped) words, most frequent first.

    Examples
    --------
    >>> char_vocabulary([["aa", "b"], ["aa"]]).tokens[2:]
    ['a', 'b']
    """
    words = set(itertools.chain.from_iterable(token_lists))
    return Vocabulary.from_corpus(clip_word(w) for w in words)


def shape_vocabulary(shape_of: dict[str, str], token_lists: list[list[str]]) -> Vocabulary:
    """The word shapes seen at least twice over all steps (the others are unknown).

    Examples
    --------
    >>> tokens = [["Rome", "Oslo", "x"]]
    >>> shape_vocabulary(token_shapes(tokens), tokens).tokens[2:]
    ['Xxxx']
    """
    steps = [shape_of[t] for t in itertools.chain.from_iterable(token_lists)]
    return Vocabulary.from_corpus([steps], min_freq=2)


def token_shapes(token_lists: list[list[str]]) -> dict[str, str]:
    """The shape of each distinct token (computed once per token, not per step).

    Examples
    --------
    >>> token_shapes([["Hi", "hi", "Hi"]]) == {"Hi": "Xx", "hi": "xx"}
    True
    """
    return {token: word_shape(token) for token in set(itertools.chain.from_iterable(token_lists))}


def char_table(
    token_lists: list[list[str]], vocabulary: Vocabulary
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each step's word-form id, and the padded characters of each distinct form.

    Form 0 stands for padding. Returns ``(form_ids (N,), chars (U + 1, L),
    char_lengths (U + 1,))``; the characters of each form are encoded once.
    """
    index: dict[str, int] = {}
    steps = itertools.chain.from_iterable(token_lists)
    form_ids = np.fromiter((index.setdefault(t, len(index) + 1) for t in steps), np.int64)
    forms = [clip_word(w) for w in index]
    char_lengths = np.array([1] + [len(w) for w in forms], dtype=np.int64)
    chars = np.zeros((len(forms) + 1, char_lengths.max()), dtype=np.int64)
    char_index = vocabulary.index
    for row, word in enumerate(forms, start=1):
        chars[row, : len(word)] = [char_index.get(c, 1) for c in word]
    return form_ids, chars, char_lengths


def token_feature_arrays(
    token_lists: list[list[str]],
    char_vocabulary: Vocabulary | None,
    shape_vocabulary: Vocabulary | None,
    shape_of: dict[str, str] | None = None,
) -> dict[str, np.ndarray]:
    """The character and shape features of every step's token (case kept), as arrays.

    Returns a dict with ``forms`` (each step's word-form id), ``chars`` and
    ``char_lengths`` (see :func:`char_table`) when ``char_vocabulary`` is given, and
    ``shapes`` (each step's shape id) when ``shape_vocabulary`` is; ``shape_of`` may hold
    the shapes of tokens already computed.

    Examples
    --------
    >>> arrays = token_feature_arrays([["ab", "c"], ["ab"]], Vocabulary(list("abc")), None)
    >>> arrays["forms"].tolist(), arrays["chars"].tolist()
    ([1, 2, 1], [[0, 0], [2, 3], [4, 0]])
    """
    arrays = {}
    if char_vocabulary is not None:
        arrays["forms"], arrays["chars"], arrays["char_lengths"] = char_table(
            token_lists, char_vocabulary
        )
    if shape_vocabulary is not None:
        shape_of = shape_of if shape_of is not None else token_shapes(token_lists)
        steps = [shape_of[t] for t in itertools.chain.from_iterable(token_lists)]
        arrays["shapes"] = shape_vocabulary.encode(steps)
    return arrays
