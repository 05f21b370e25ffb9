"""Tokenizers: how strings become token lists (``tokenizer="word"``, ``"char"``, ``"whitespace"``).

Torch-free, like the rest of the encoding path the served models use
(:mod:`sklearn_rnn.serving`).
"""

from __future__ import annotations

import re
from collections.abc import Callable

__all__ = [
    "TOKENIZERS",
    "char_tokenize",
    "resolve_tokenizer",
    "whitespace_tokenize",
    "word_tokenize",
]

_WORD_PATTERN = re.compile(r"\w+|[^\w\s]", re.UNICODE)


def word_tokenize(text: str) -> list[str]:
    """Split ``text`` into words and punctuation marks.

    Parameters
    ----------
    text : str
        The text to split.

    Returns
    -------
    tokens : list of str
        The words and punctuation marks, in order.

    Examples
    --------
    >>> word_tokenize("A great film, really!")
    ['A', 'great', 'film', ',', 'really', '!']
    """
    return _WORD_PATTERN.findall(text)


def char_tokenize(text: str) -> list[str]:
    """Split ``text`` into characters.

    Parameters
    ----------
    text : str
        The text to split.

    Returns
    -------
    tokens : list of str
        The characters, in order.

    Examples
    --------
    >>> char_tokenize("abc")
    ['a', 'b', 'c']
    """
    return list(text)


def whitespace_tokenize(text: str) -> list[str]:
    """Split ``text`` on whitespace (for already tokenized corpora).

    Parameters
    ----------
    text : str
        The text to split.

    Returns
    -------
    tokens : list of str
        The pieces between whitespace, in order.

    Examples
    --------
    >>> whitespace_tokenize("it 's good")
    ['it', "'s", 'good']
    """
    return text.split()


TOKENIZERS: dict[str, Callable[[str], list[str]]] = {
    "word": word_tokenize,
    "char": char_tokenize,
    "whitespace": whitespace_tokenize,
}


def resolve_tokenizer(tokenizer: str | Callable[[str], list[str]]) -> Callable[[str], list[str]]:
    """The function a ``tokenizer`` parameter names: one of :data:`TOKENIZERS`, or itself.

    Examples
    --------
    >>> resolve_tokenizer("char")("ab"), resolve_tokenizer(str.split)("a b")
    (['a', 'b'], ['a', 'b'])
    """
    return TOKENIZERS[tokenizer] if isinstance(tokenizer, str) else tokenizer
