"""Fetchers: download a public dataset once into the cache, then read it.

Each ``fetch_*`` function downloads with :mod:`sklearn_rnn.datasets._cache` and reads the
files with the readers. The download locations below are module-level so that a mirror
(or a test server) can replace them here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from sklearn_rnn.datasets._cache import _download, _extract_members, get_data_home
from sklearn_rnn.datasets._common import StrPath, _read_text
from sklearn_rnn.datasets._pronunciations import load_cmudict
from sklearn_rnn.datasets._series_readers import load_series_csv, load_ts
from sklearn_rnn.datasets._text_readers import load_conllu, load_polarity

# ---------------------------------------------------------------------------------------
# Download locations. Module-level so that a mirror (or a test server) can replace them;
# every fetcher also takes a ``url``/``base_url`` argument that wins over these.
# ---------------------------------------------------------------------------------------

#: Cornell sentence polarity dataset v1.0 (Pang & Lee, 2005).
MOVIE_REVIEWS_URL = (
    "https://www.cs.cornell.edu/people/pabo/movie-review-data/rt-polaritydata.tar.gz"
)
#: UCR/UEA archive as packaged for aeon: ``{UCR_BASE_URL}/{name}.zip``.
UCR_BASE_URL = "https://www.timeseriesclassification.com/aeon-toolkit"
#: Raw files of the Universal Dependencies GitHub organisation:
#: ``{UD_BASE_URL}/{treebank}/{version}/{prefix}-ud-{split}.conllu``.
UD_BASE_URL = "https://raw.githubusercontent.com/UniversalDependencies"
#: Box & Jenkins airline passengers, as shipped by sktime (pinned to one commit so that
#: the checksum below stays valid).
AIRLINE_URL = (
    "https://raw.githubusercontent.com/sktime/sktime/"
    "7bd7d1620c0656f3210eeb850bb1c0034159ee47/sktime/datasets/data/Airline/Airline.csv"
)
#: The CMU Pronouncing Dictionary, pinned to one commit of cmusphinx/cmudict.
CMUDICT_URL = (
    "https://raw.githubusercontent.com/cmusphinx/cmudict/"
    "0f8072f814306c5ee4fbf992ed853601b12c01f9/cmudict.dict"
)
#: tiny-shakespeare (Karpathy, 2015), pinned to one commit of karpathy/char-rnn.
TINY_SHAKESPEARE_URL = (
    "https://raw.githubusercontent.com/karpathy/char-rnn/"
    "6f9487a6fe5b420b7ca9afb0d7c078e37c1d1b4e/data/tinyshakespeare/input.txt"
)

# SHA-256 of files whose exact bytes we have seen (the copies in the project's shared data
# folder). Archives (the Cornell tarball, the UCR zips) are not pinned: we never saw those
# bytes, so they are downloaded with ``sha256=None`` and only checked for a complete
# transfer and a readable archive.
_AIRLINE_SHA256 = "28af0eb869db6d9fbd31d5af03993a0cbf36c0857c3eb046a068c094b60da851"
_CMUDICT_SHA256 = "81917843c7f44ce2b094ac63873c2c7a4cf802040792c455ba3ca406891c3d22"
_TINY_SHAKESPEARE_SHA256 = "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed"
_UD_TREEBANKS: dict[str, str] = {"UD_English-EWT": "en_ewt"}  # treebank -> file prefix
_UD_SHA256: dict[tuple[str, str, str], str] = {
    ("UD_English-EWT", "r2.16", "train"): (
        "3fb78e2b55482c8ee00caa653af436c88c9e5bc9a73ce26e4ae3ddc79d2b7e7b"
    ),
    ("UD_English-EWT", "r2.16", "dev"): (
        "531a54ff90d6ab12201c5a50c3e78e6ddac4de69abc4bce5d275d3cd29efe2b6"
    ),
    ("UD_English-EWT", "r2.16", "test"): (
        "e266e515a0a7547657ed3d90d9ba46487d6bd251f27ad4269d4e8a427c8555cd"
    ),
}


# ---------------------------------------------------------------------------------------
# Fetchers
# ---------------------------------------------------------------------------------------


def fetch_movie_reviews(
    data_home: StrPath | None = None,
    *,
    url: str | None = None,
) -> tuple[list[str], np.ndarray]:
    """Download (once) and load the Movie Review sentence polarity dataset v1.0.

    10,662 snippets of Rotten Tomatoes reviews, 5,331 positive and 5,331 negative
    (Pang & Lee, ACL 2005); no official split, the usual protocol is 10-fold
    cross-validation. The tarball is cached as ``<data_home>/movie_reviews/
    rt-polaritydata.tar.gz`` and its two files are extracted next to it. Its checksum is
    not pinned (the archive's bytes were never available to us); a transfer shorter than
    announced or an unreadable archive is rejected.

    Parameters
    ----------
    data_home : str, path-like or None, default=None
        Cache folder, see :func:`get_data_home`.
    url : str or None, default=None
        Where to download from; ``None`` uses the Cornell copy,
        https://www.cs.cornell.edu/people/pabo/movie-review-data/rt-polaritydata.tar.gz.

    Returns
    -------
    texts : list of str
    labels : ndarray of shape (10662,), dtype int64
        1 for positive, 0 for negative; see :func:`load_polarity`.

    Raises
    ------
    DownloadError
        An :class:`OSError`: the download failed, was interrupted, or gave a damaged
        archive. The message names the URL and where to save the file by hand.

    Examples
    --------
    >>> from sklearn_rnn.datasets import fetch_movie_reviews
    >>> texts, labels = fetch_movie_reviews()  # doctest: +SKIP
    >>> len(texts), labels.sum()  # doctest: +SKIP
    (10662, 5331)
    """
    folder = get_data_home(data_home) / "movie_reviews"
    pos, neg = folder / "rt-polarity.pos", folder / "rt-polarity.neg"
    if not (pos.is_file() and neg.is_file()):
        url = url or MOVIE_REVIEWS_URL
        archive = _download(url, folder / "rt-polaritydata.tar.gz", sha256=None)
        _extract_members(archive, {"rt-polarity.pos": pos, "rt-polarity.neg": neg}, url)
    return load_polarity(pos, neg)


def fetch_ucr(
    name: str,
    data_home: StrPath | None = None,
    *,
    return_type: Literal["list", "numpy3d"] = "list",
    base_url: str | None = None,
) -> tuple[list[np.ndarray] | np.ndarray, list[np.ndarray] | np.ndarray, np.ndarray, np.ndarray]:
    """Download (once) and load a UCR/UEA time series classification dataset.

    Downloads ``{base_url}/{name}.zip`` (the archive's aeon packaging) into
    ``<data_home>/ucr/<name>/`` and reads its ``{name}_TRAIN.ts`` and ``{name}_TEST.ts``
    with :func:`load_ts`. If those two files are already in that folder (copied by hand,
    say) nothing is downloaded. The zip's checksum is not pinned (its bytes were never
    available to us); a short transfer or an unreadable zip is rejected.

    Parameters
    ----------
    name : str
        Dataset name as in the archive, e.g. ``"GunPoint"``, ``"BasicMotions"``.
    data_home : str, path-like or None, default=None
        Cache folder, see :func:`get_data_home`.
    return_type : {"list", "numpy3d"}, default="list"
        Passed to :func:`load_ts`.
    base_url : str or None, default=None
        ``None`` uses https://www.timeseriesclassification.com/aeon-toolkit
        (the file downloaded is ``{base_url}/{name}.zip``).

    Returns
    -------
    X_train, X_test : list of (T_i, n_dims) arrays, or (n, T, n_dims) arrays
    y_train, y_test : ndarray of str
        In the order of :func:`sklearn.model_selection.train_test_split`; the official
        split of the archive.

    Raises
    ------
    ValueError
        ``name`` is not a plain dataset name.
    DownloadError
        An :class:`OSError`: the download failed, was interrupted, or the zip lacks the
        two ``.ts`` files. The message names the URL and where to save the file by hand.

    Examples
    --------
    >>> from sklearn_rnn.datasets import fetch_ucr
    >>> X_train, X_test, y_train, y_test = fetch_ucr("GunPoint")  # doctest: +SKIP
    >>> len(X_train), len(X_test), X_train[0].shape  # doctest: +SKIP
    (50, 150, (150, 1))
    """
    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_\-]*", name):
        raise ValueError(f"name must be a UCR/UEA dataset name such as 'GunPoint', got {name!r}")
    folder = get_data_home(data_home) / "ucr" / name
    train, test = folder / f"{name}_TRAIN.ts", folder / f"{name}_TEST.ts"
    if not (train.is_file() and test.is_file()):
        url = f"{(base_url or UCR_BASE_URL).rstrip('/')}/{name}.zip"
        archive = _download(url, folder / f"{name}.zip", sha256=None)
        _extract_members(archive, {train.name: train, test.name: test}, url)
    X_train, y_train = load_ts(train, return_type=return_type)
    X_test, y_test = load_ts(test, return_type=return_type)
    return X_train, X_test, y_train, y_test


def fetch_ud_treebank(
    name: str = "UD_English-EWT",
    data_home: StrPath | None = None,
    *,
    version: str = "r2.16",
    splits: Sequence[str] = ("train", "dev", "test"),
    tag_column: str | int = "upos",
    prefix: str | None = None,
    base_url: str | None = None,
) -> dict[str, tuple[list[list[str]], list[list[str]]]]:
    """Download (once) and load a Universal Dependencies treebank for POS tagging.

    Each split is the raw file
    ``{base_url}/{name}/{version}/{prefix}-ud-{split}.conllu``, cached as
    ``<data_home>/ud/<name>/<version>/<prefix>-ud-<split>.conllu`` and read with
    :func:`load_conllu`. For UD_English-EWT r2.16 the SHA-256 of all three files is
    pinned; other treebanks or versions are downloaded unpinned.

    Parameters
    ----------
    name : str, default="UD_English-EWT"
        Treebank repository name.
    data_home : str, path-like or None, default=None
        Cache folder, see :func:`get_data_home`.
    version : str, default="r2.16"
        Release tag (or branch) of the treebank repository.
    splits : sequence of str, default=("train", "dev", "test")
        Which files to fetch (small treebanks have only ``"test"``).
    tag_column : str or int, default="upos"
        Passed to :func:`load_conllu` (``"xpos"`` for PTB tags).
    prefix : str or None, default=None
        File prefix such as ``"en_ewt"``; needed for treebanks other than
        UD_English-EWT.
    base_url : str or None, default=None
        ``None`` uses https://raw.githubusercontent.com/UniversalDependencies
        (the file downloaded is ``{base_url}/{treebank}/{version}/{prefix}-ud-{split}.conllu``).

    Returns
    -------
    data : dict
        ``{split: (sentences, tags)}``. UD_English-EWT r2.16 has 12,544 training
        sentences (204,577 words), 2,001 dev and 2,077 test sentences.

    Raises
    ------
    ValueError
        Unknown treebank without ``prefix``, or a malformed ``name``/``version``/split.
    DownloadError
        An :class:`OSError`: the download failed, was interrupted, or a pinned checksum
        did not match. The message names the URL and where to save the file by hand.

    Examples
    --------
    >>> from sklearn_rnn.datasets import fetch_ud_treebank
    >>> ewt = fetch_ud_treebank()  # doctest: +SKIP
    >>> sentences, tags = ewt["train"]  # doctest: +SKIP
    >>> len(sentences), tags[0][:4]  # doctest: +SKIP
    (12544, ['PROPN', 'PUNCT', 'PROPN', 'PUNCT'])
    """
    prefix = prefix or _UD_TREEBANKS.get(name)
    if prefix is None:
        raise ValueError(
            f"unknown treebank {name!r}: pass its file prefix, e.g. prefix='fr_gsd' for "
            f"UD_French-GSD (known: {sorted(_UD_TREEBANKS)})"
        )
    if isinstance(splits, str):
        splits = (splits,)
    plain = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]*")
    checks = [("name", name), ("version", version), ("prefix", prefix)]
    checks += [("splits", split) for split in splits]
    for what, value in checks:
        if not isinstance(value, str) or not plain.fullmatch(value):
            raise ValueError(f"{what} must be a plain name such as 'train', got {value!r}")
    folder = get_data_home(data_home) / "ud" / name / version
    base = (base_url or UD_BASE_URL).rstrip("/")
    data = {}
    for split in splits:
        filename = f"{prefix}-ud-{split}.conllu"
        path = _download(
            f"{base}/{name}/{version}/{filename}",
            folder / filename,
            sha256=_UD_SHA256.get((name, version, split)),
        )
        data[split] = load_conllu(path, tag_column=tag_column)
    return data


def fetch_airline(data_home: StrPath | None = None, *, url: str | None = None) -> pd.Series:
    """Download (once) and load the airline passengers series (Box & Jenkins Series G).

    Monthly totals of international airline passengers (thousands), 1949-01 to 1960-12,
    144 values. The CSV is sktime's ``Airline.csv`` (SHA-256 pinned, also when ``url``
    points at a mirror), cached as ``<data_home>/airline/Airline.csv``.

    Parameters
    ----------
    data_home : str, path-like or None, default=None
        Cache folder, see :func:`get_data_home`.
    url : str or None, default=None
        ``None`` uses sktime's copy, pinned to one commit so that its checksum
        stays valid.

    Returns
    -------
    series : pandas.Series
        Indexed by month-start dates (frequency ``"MS"``), named ``"Passengers"``.

    Raises
    ------
    DownloadError
        An :class:`OSError`: the download failed, was interrupted, or did not match the
        pinned checksum. The message names the URL and where to save the file by hand.

    Examples
    --------
    >>> from sklearn_rnn.datasets import fetch_airline
    >>> y = fetch_airline()  # doctest: +SKIP
    >>> len(y), y.index[0].strftime("%Y-%m"), y.iloc[-1]  # doctest: +SKIP
    (144, '1949-01', 432.0)
    """
    path = _download(
        url or AIRLINE_URL,
        get_data_home(data_home) / "airline" / "Airline.csv",
        sha256=_AIRLINE_SHA256,
    )
    return load_series_csv(path, date_column="Date", value_column="Passengers")


def fetch_cmudict(
    data_home: StrPath | None = None, *, stress: bool = True, url: str | None = None
) -> tuple[list[str], list[list[str]]]:
    """Download (once) and load the CMU Pronouncing Dictionary, for grapheme-to-phoneme models.

    135,166 pronunciations of 126,052 English words in ARPAbet phones (SHA-256 pinned,
    also when ``url`` points at a mirror), cached as ``<data_home>/cmudict/cmudict.dict``
    and read with :func:`load_cmudict`; :func:`split_pronunciations` splits it by word.

    Parameters
    ----------
    data_home : str, path-like or None, default=None
        Cache folder, see :func:`get_data_home`.
    stress : bool, default=True
        Keep the vowels' stress digits (``AH0``); False gives the 39 phones without them.
    url : str or None, default=None
        ``None`` uses :data:`CMUDICT_URL`.

    Returns
    -------
    words : list of str
        One entry per pronunciation (a word with two pronunciations appears twice).
    pronunciations : list of list of str
        The phones of each entry.

    Raises
    ------
    DownloadError
        An :class:`OSError`: the download failed, was interrupted, or did not match the
        pinned checksum. The message names the URL and where to save the file by hand.

    Examples
    --------
    >>> from sklearn_rnn.datasets import fetch_cmudict
    >>> words, phones = fetch_cmudict(stress=False)  # doctest: +SKIP
    >>> words[0], phones[0]  # doctest: +SKIP
    ("'bout", ['B', 'AW', 'T'])
    """
    path = _download(
        url or CMUDICT_URL,
        get_data_home(data_home) / "cmudict" / "cmudict.dict",
        sha256=_CMUDICT_SHA256,
    )
    return load_cmudict(path, stress=stress)


def fetch_tiny_shakespeare(data_home: StrPath | None = None, *, url: str | None = None) -> str:
    """Download (once) and read tiny-shakespeare, the character-level language modelling text.

    1,115,394 characters of Shakespeare's plays (Karpathy, 2015; SHA-256 pinned, also
    when ``url`` points at a mirror), cached as
    ``<data_home>/tinyshakespeare/input.txt``. The common split (nanoGPT's) is the first
    90 % of the characters for training and the last 10 % for validation.

    Parameters
    ----------
    data_home : str, path-like or None, default=None
        Cache folder, see :func:`get_data_home`.
    url : str or None, default=None
        ``None`` uses :data:`TINY_SHAKESPEARE_URL`.

    Returns
    -------
    str
        The whole text.

    Raises
    ------
    DownloadError
        An :class:`OSError`: the download failed, was interrupted, or did not match the
        pinned checksum. The message names the URL and where to save the file by hand.

    Examples
    --------
    >>> from sklearn_rnn.datasets import fetch_tiny_shakespeare
    >>> text = fetch_tiny_shakespeare()  # doctest: +SKIP
    >>> len(text), text[:14]  # doctest: +SKIP
    (1115394, 'First Citizen:')
    """
    path = _download(
        url or TINY_SHAKESPEARE_URL,
        get_data_home(data_home) / "tinyshakespeare" / "input.txt",
        sha256=_TINY_SHAKESPEARE_SHA256,
    )
    return _read_text(path, "utf-8")
