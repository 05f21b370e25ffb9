"""Readers of pronunciation dictionaries (CMUdict, SIGMORPHON's G2P TSV) and a word-grouped split.

They return ``(words, pronunciations)``: the spellings as strings and each pronunciation
as a list of phones, for :class:`~sklearn_rnn.RNNSeq2Seq` (grapheme-to-phoneme
conversion). A word with several pronunciations appears once per pronunciation.
"""

from __future__ import annotations

import hashlib
import re

from sklearn_rnn.datasets._common import StrPath, _lines, _read_text

_ALTERNATE = re.compile(r"^(.+)\((\d+)\)$")  # cmudict's "word(2)"


def load_cmudict(
    path: StrPath, stress: bool = True, encoding: str = "utf-8"
) -> tuple[list[str], list[list[str]]]:
    """Load the CMU Pronouncing Dictionary (``cmudict.dict``, or the older ``cmudict-0.7b``).

    Each line is ``word PH1 PH2 ...``; alternative pronunciations are written ``word(2)``,
    ``word(3)``, ... and become further entries of ``word``. A ``# comment`` after the
    phones is dropped, as are lines starting with ``;;;`` (0.7b's comments) and blank
    lines.

    Parameters
    ----------
    path : str or path-like
        The dictionary file.
    stress : bool, default=True
        Keep the stress digits of the vowels (``AH0``, ``EY1``); False strips them, leaving
        the 39 phones of ``cmudict.phones``.
    encoding : str, default="utf-8"
        The file's text encoding (``"latin-1"`` for ``cmudict-0.7b``).

    Returns
    -------
    words : list of str
        The spelling of each entry, as written (lowercase in ``cmudict.dict``).
    pronunciations : list of list of str
        Its phones.

    Examples
    --------
    >>> import os, tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = os.path.join(tmp, "cmudict.dict")
    ...     with open(path, "w") as f:
    ...         _ = f.write("read R EH1 D\\nread(2) R IY1 D\\naalen AE1 L AH0 N # place\\n")
    ...     words, phones = load_cmudict(path, stress=False)
    >>> words
    ['read', 'read', 'aalen']
    >>> phones[1], phones[2]
    (['R', 'IY', 'D'], ['AE', 'L', 'AH', 'N'])
    """
    words, pronunciations = [], []
    for number, line in enumerate(_lines(_read_text(path, encoding)), start=1):
        line = line.split("#", 1)[0].strip() if not line.startswith("#") else ""
        if not line or line.startswith(";;;"):
            continue
        fields = line.split()
        if len(fields) < 2:
            raise ValueError(
                f"{path}, line {number}: expected a word and its phones ('word PH1 PH2 ...'), "
                f"got {line!r}"
            )
        word = fields[0]
        alternate = _ALTERNATE.match(word)
        if alternate:
            word = alternate.group(1)
        phones = fields[1:] if stress else [p.rstrip("0123456789") for p in fields[1:]]
        words.append(word)
        pronunciations.append(phones)
    if not words:
        raise ValueError(f"{path}: expected 'word PH1 PH2 ...' lines, found no entries")
    return words, pronunciations


def load_pronunciation_tsv(
    path: StrPath, encoding: str = "utf-8"
) -> tuple[list[str], list[list[str]]]:
    """Load a two-column G2P file: ``word<TAB>phones``, as in the SIGMORPHON G2P tasks.

    The phones are separated by spaces (SIGMORPHON 2020/2021 task 1). A word listed on
    several lines has several pronunciations; blank lines are skipped.

    Parameters
    ----------
    path : str or path-like
        The TSV file.
    encoding : str, default="utf-8"
        The file's text encoding.

    Returns
    -------
    words : list of str
    pronunciations : list of list of str

    Examples
    --------
    >>> import os, tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = os.path.join(tmp, "eng_us_train.tsv")
    ...     with open(path, "w") as f:
    ...         _ = f.write("cat\\tk æ t\\ndog\\td ɑ ɡ\\n")
    ...     load_pronunciation_tsv(path)
    (['cat', 'dog'], [['k', 'æ', 't'], ['d', 'ɑ', 'ɡ']])
    """
    words, pronunciations = [], []
    for number, line in enumerate(_lines(_read_text(path, encoding)), start=1):
        if not line.strip():
            continue
        fields = line.split("\t")
        if len(fields) != 2 or not fields[0].strip() or not fields[1].split():
            raise ValueError(
                f"{path}, line {number}: expected two tab-separated columns, the word and its "
                f"space-separated phones ('cat\\tk æ t'), got {line!r}"
            )
        words.append(fields[0].strip())
        pronunciations.append(fields[1].split())
    if not words:
        raise ValueError(f"{path}: expected 'word<TAB>phones' lines, found no entries")
    return words, pronunciations


def split_pronunciations(
    words: list[str], pronunciations: list, test_size: float = 0.1, salt: str = ""
) -> tuple[list, list, list, list]:
    """A deterministic train/test split that keeps all pronunciations of a word together.

    A word goes to the test side when a hash of it (SHA-1 of ``salt + word``) falls in
    the lowest ``test_size`` share of the hash range: the same words are held out on
    every machine and run, and adding entries to the dictionary moves no word across.

    Parameters
    ----------
    words : list of str
        One spelling per entry (repeated for several pronunciations).
    pronunciations : list
        The entries' pronunciations, as many.
    test_size : float, default=0.1
        The share of distinct words held out, in (0, 1).
    salt : str, default=""
        Prefix to the hashed word: another value draws another split.

    Returns
    -------
    words_train, words_test, pronunciations_train, pronunciations_test : list
        In scikit-learn's ``train_test_split`` order; entries keep their file order.

    Examples
    --------
    >>> words = ["read", "read", "sun", "cat"]
    >>> phones = [["R", "EH1", "D"], ["R", "IY1", "D"], ["S", "AH1", "N"], ["K", "AE1", "T"]]
    >>> w_train, w_test, p_train, p_test = split_pronunciations(words, phones, test_size=0.2)
    >>> w_train, w_test, p_test
    (['read', 'read', 'cat'], ['sun'], [['S', 'AH1', 'N']])
    """
    if len(words) != len(pronunciations):
        raise ValueError(
            f"words has {len(words)} entries but pronunciations has {len(pronunciations)}."
        )
    if (
        isinstance(test_size, bool)
        or not isinstance(test_size, (float, int))
        or not (0 < test_size < 1)
    ):
        raise ValueError(f"test_size must be a float in (0, 1), got {test_size!r}.")
    salt_bytes = salt.encode("utf-8")
    distinct = dict.fromkeys(words)
    cut = int(test_size * 2**32)
    held_out = {
        word
        for word in distinct
        if int.from_bytes(hashlib.sha1(salt_bytes + word.encode("utf-8")).digest()[:4]) < cut
    }
    test = [word in held_out for word in words]
    return (
        _side(words, test, False),
        _side(words, test, True),
        _side(pronunciations, test, False),
        _side(pronunciations, test, True),
    )


def _side(values: list, test: list[bool], side: bool) -> list:
    return [value for value, held in zip(values, test, strict=True) if held == side]
