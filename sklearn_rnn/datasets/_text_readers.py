"""Readers of text formats: sentence polarity files, ``label sentence`` lines, SST-2-style TSV,
CoNLL-U, CoNLL-2003.

They return ``(texts, labels)`` for ``RNNClassifier`` or ``(sentences, tags)`` for
``RNNTagger``; malformed files raise :class:`ValueError` naming the file and the line.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from sklearn_rnn.datasets._common import StrPath, _check_int, _lines, _read_text, _resolve_column

_CONLLU_FIELDS = ("id", "form", "lemma", "upos", "xpos", "feats", "head", "deprel", "deps", "misc")


def _coerce_labels(raw: list[str]) -> np.ndarray:
    """Integers if every label is one, else floats if every label is a number, else strings."""
    labels = np.asarray(raw, dtype=str)
    for dtype in (np.int64, np.float64):
        try:
            return labels.astype(dtype)
        except (ValueError, OverflowError):
            continue
    return labels


# ---------------------------------------------------------------------------------------
# Text classification
# ---------------------------------------------------------------------------------------


def _read_sentences(path: StrPath, encoding: str | None, errors: str) -> list[str]:
    if encoding is None:
        data = Path(path).read_bytes()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = _read_text(path, "cp1252", errors)
    else:
        text = _read_text(path, encoding, errors)
    sentences = [line.strip() for line in _lines(text)]
    sentences = [s for s in sentences if s]
    if not sentences:
        raise ValueError(f"{path}: expected one sentence per line, found no sentences")
    return sentences


def load_polarity(
    pos_path: StrPath,
    neg_path: StrPath,
    encoding: str | None = None,
    errors: str = "strict",
) -> tuple[list[str], np.ndarray]:
    """Load a sentence-polarity corpus stored as one file per class, one sentence per line.

    This is the layout of the Movie Review data (``rt-polarity.pos``/``rt-polarity.neg``,
    Pang & Lee 2005) and of many corpora derived from it.

    Parameters
    ----------
    pos_path, neg_path : str or path-like
        Files holding the positive and the negative sentences.
    encoding : str or None, default=None
        Text encoding of both files. ``None`` reads a file as UTF-8 when it is valid UTF-8
        and otherwise as cp1252, the encoding of the original rt-polarity v1.0 files (which
        contain bytes such as 0x85, cp1252's "..." character, so they are not UTF-8).
    errors : str, default="strict"
        How undecodable bytes are handled, as in :meth:`bytes.decode`; with ``"strict"``
        they raise a ``ValueError`` naming the file.

    Returns
    -------
    texts : list of str
        The positive sentences, then the negative ones, with surrounding whitespace
        stripped. Blank lines are skipped. Lines are split on ``"\\n"`` only.
    labels : ndarray of shape (n_sentences,), dtype int64
        1 for positive, 0 for negative.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from sklearn_rnn.datasets import load_polarity
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "pos.txt").write_bytes("a great film \\nsimply charming\\n".encode("cp1252"))
    >>> _ = (folder / "neg.txt").write_bytes("a dull, clich\\xe9d mess\\n".encode("cp1252"))
    >>> texts, labels = load_polarity(folder / "pos.txt", folder / "neg.txt")
    >>> texts
    ['a great film', 'simply charming', 'a dull, clichéd mess']
    >>> labels.tolist()
    [1, 1, 0]
    """
    pos = _read_sentences(pos_path, encoding, errors)
    neg = _read_sentences(neg_path, encoding, errors)
    labels = np.concatenate([np.ones(len(pos), dtype=np.int64), np.zeros(len(neg), np.int64)])
    return pos + neg, labels


def load_labeled_sentences(
    path: StrPath, encoding: str | None = None, errors: str = "strict"
) -> tuple[list[str], np.ndarray]:
    """Load one labelled sentence per line, the label first: ``label<SPACE>sentence``.

    The format of the sentence-classification files of Kim (2014)'s experiments (Subj's
    ``subj.all``, and the same layout for MR, CR, MPQA and TREC): the label is the line's
    first whitespace-separated field, the sentence the rest.

    Parameters
    ----------
    path : str or path-like
        The file.
    encoding : str or None, default=None
        Text encoding. ``None`` reads the file as UTF-8 when it is valid UTF-8 and otherwise
        as cp1252 (``subj.all`` holds Latin-1 bytes such as 0xe9, "é").
    errors : str, default="strict"
        How undecodable bytes are handled, as in :meth:`bytes.decode`.

    Returns
    -------
    texts : list of str
        One sentence per non-blank line, surrounding whitespace stripped.
    labels : ndarray of shape (n_sentences,)
        The labels: int64 if every label is an integer, float64 if every label is a
        number, else the label strings.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from sklearn_rnn.datasets import load_labeled_sentences
    >>> path = Path(tempfile.mkdtemp()) / "subj.all"
    >>> text = "1 a clich\\xe9d , tired film \\n0 he moves to paris .\\n"
    >>> _ = path.write_bytes(text.encode("cp1252"))
    >>> texts, labels = load_labeled_sentences(path)
    >>> texts, labels.tolist()
    (['a clichéd , tired film', 'he moves to paris .'], [1, 0])
    """
    lines = _read_sentences(path, encoding, errors)  # stripped, blank lines skipped
    texts, raw_labels = [], []
    for line in lines:
        fields = line.split(maxsplit=1)
        if len(fields) != 2:
            raise ValueError(
                f"{path}: expected 'label sentence' on every line, got {line[:60]!r} "
                "(a label without a sentence)"
            )
        raw_labels.append(fields[0])
        texts.append(fields[1].strip())
    return texts, _coerce_labels(raw_labels)


def load_tsv_sentences(
    path: StrPath,
    text_column: str | int = "sentence",
    label_column: str | int | None = "label",
    header: bool = True,
    encoding: str = "utf-8",
) -> tuple[list[str], np.ndarray | None]:
    """Load sentences and labels from a tab-separated file, like GLUE's SST-2 ``train.tsv``.

    Columns are found by name in the header line, so both SST-2's ``sentence<TAB>label``
    and the order ``label<TAB>sentence`` read with the defaults. Fields are split on tabs
    only and quotes are literal text (sentences often contain ``"``).

    Parameters
    ----------
    path : str or path-like
        The TSV file.
    text_column : str or int, default="sentence"
        Name (needs ``header=True``) or index of the column holding the text.
    label_column : str, int or None, default="label"
        Name or index of the label column; ``None`` for unlabelled files (such as GLUE's
        test split), in which case ``labels`` is ``None``.
    header : bool, default=True
        Whether the first non-blank line names the columns.
    encoding : str, default="utf-8"
        Text encoding of the file.

    Returns
    -------
    texts : list of str
        One text per data line, surrounding whitespace stripped. Blank lines are skipped.
    labels : ndarray of shape (n_texts,) or None
        Of dtype int64 if every label is an integer, float64 if every label is a number,
        else the label strings.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from sklearn_rnn.datasets import load_tsv_sentences
    >>> path = Path(tempfile.mkdtemp()) / "train.tsv"
    >>> _ = path.write_text(
    ...     "sentence\\tlabel\\n"
    ...     "it 's a charming journey \\t1\\n"
    ...     'a " dull " film\\t0\\n'
    ... )
    >>> texts, labels = load_tsv_sentences(path)
    >>> texts
    ["it 's a charming journey", 'a " dull " film']
    >>> labels.tolist()
    [1, 0]
    """
    lines = [(i, line) for i, line in enumerate(_lines(_read_text(path, encoding)), 1)]
    lines = [(i, line) for i, line in lines if line.strip()]
    if not lines:
        raise ValueError(f"{path}: the file is empty")
    names: list[str] | None = None
    if header:
        names = [name.strip() for name in lines[0][1].split("\t")]
        lines = lines[1:]
        n_columns = len(names)
    else:
        n_columns = len(lines[0][1].split("\t"))
    if not lines:
        raise ValueError(f"{path}: expected data lines after the header, found none")
    text_index = _resolve_column(text_column, names, n_columns, "text_column", path)
    label_index = None
    if label_column is not None:
        label_index = _resolve_column(label_column, names, n_columns, "label_column", path)

    texts: list[str] = []
    raw_labels: list[str] = []
    for lineno, line in lines:
        fields = line.split("\t")
        if len(fields) != n_columns:
            expected = f" ({', '.join(names)})" if names else ""
            raise ValueError(
                f"{path}, line {lineno}: expected {n_columns} tab-separated fields"
                f"{expected}, got {len(fields)}"
            )
        texts.append(fields[text_index].strip())
        if label_index is not None:
            raw_labels.append(fields[label_index].strip())
    labels = _coerce_labels(raw_labels) if label_index is not None else None
    return texts, labels


# ---------------------------------------------------------------------------------------
# Token tagging
# ---------------------------------------------------------------------------------------


def load_conllu(
    path: StrPath,
    tag_column: str | int = "upos",
    encoding: str = "utf-8",
) -> tuple[list[list[str]], list[list[str]]]:
    """Load tokens and one tag per token from a CoNLL-U file (Universal Dependencies).

    Comment lines (``#``), multiword-token lines (ID ``3-4``) and empty nodes
    (ID ``5.1``) are skipped, so the tokens are the syntactic words that carry the tags.
    A blank line ends a sentence; the final blank line may be missing.

    Parameters
    ----------
    path : str or path-like
        The ``.conllu`` file.
    tag_column : str or int, default="upos"
        ``"upos"`` (universal POS tags), ``"xpos"`` (language-specific tags, PTB for
        English), any other CoNLL-U field name (``"deprel"``, ...), or a 0-based field
        index (UPOS is 3).
    encoding : str, default="utf-8"
        Text encoding of the file (CoNLL-U is UTF-8 by definition).

    Returns
    -------
    sentences : list of list of str
        The FORM field of each word.
    tags : list of list of str
        The requested field of each word, same lengths as ``sentences``.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from sklearn_rnn.datasets import load_conllu
    >>> path = Path(tempfile.mkdtemp()) / "toy.conllu"
    >>> rows = [
    ...     "# text = I don't know",
    ...     "1\\tI\\tI\\tPRON\\tPRP\\t_\\t4\\tnsubj\\t_\\t_",
    ...     "2-3\\tdon't\\t_\\t_\\t_\\t_\\t_\\t_\\t_\\t_",
    ...     "2\\tdo\\tdo\\tAUX\\tVBP\\t_\\t4\\taux\\t_\\t_",
    ...     "3\\tn't\\tnot\\tPART\\tRB\\t_\\t4\\tadvmod\\t_\\t_",
    ...     "4\\tknow\\tknow\\tVERB\\tVB\\t_\\t0\\troot\\t_\\t_",
    ... ]
    >>> _ = path.write_text("\\n".join(rows) + "\\n")
    >>> sentences, tags = load_conllu(path)
    >>> sentences, tags
    ([['I', 'do', "n't", 'know']], [['PRON', 'AUX', 'PART', 'VERB']])
    >>> load_conllu(path, tag_column="xpos")[1]
    [['PRP', 'VBP', 'RB', 'VB']]
    """
    if isinstance(tag_column, str):
        if tag_column.lower() not in _CONLLU_FIELDS:
            raise ValueError(
                f"tag_column must be one of {list(_CONLLU_FIELDS)} or a field index 0-9, "
                f"got {tag_column!r}"
            )
        tag_index = _CONLLU_FIELDS.index(tag_column.lower())
    else:
        tag_index = _check_int(tag_column, "tag_column")
        if not 0 <= tag_index < len(_CONLLU_FIELDS):
            raise ValueError(f"tag_column must be a field index 0-9, got {tag_index}")

    sentences: list[list[str]] = []
    tags: list[list[str]] = []
    words: list[str] = []
    labels: list[str] = []
    for lineno, line in enumerate(_lines(_read_text(path, encoding)), 1):
        if not line.strip():
            if words:
                sentences.append(words)
                tags.append(labels)
                words, labels = [], []
            continue
        if line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) != len(_CONLLU_FIELDS):
            raise ValueError(
                f"{path}, line {lineno}: expected {len(_CONLLU_FIELDS)} tab-separated "
                f"CoNLL-U fields, got {len(fields)}"
            )
        word_id = fields[0]
        if not word_id.isdigit():
            if re.fullmatch(r"\d+-\d+|\d+\.\d+", word_id):
                continue  # multiword token or empty node
            raise ValueError(
                f"{path}, line {lineno}: expected a word ID (1, 2-3 or 4.1), got {word_id!r}"
            )
        words.append(fields[1])
        labels.append(fields[tag_index])
    if words:
        sentences.append(words)
        tags.append(labels)
    if not sentences:
        raise ValueError(f"{path}: expected CoNLL-U token lines, found no sentences")
    return sentences, tags


def load_conll2003(
    path: StrPath,
    tag_column: int = -1,
    token_column: int = 0,
    encoding: str = "utf-8",
) -> tuple[list[list[str]], list[list[str]]]:
    """Load tokens and tags from a CoNLL-2003-style column file (NER, chunking).

    Each non-blank line is one token with whitespace-separated columns, e.g.
    ``EU NNP B-NP B-ORG``; a blank line ends a sentence; ``-DOCSTART-`` lines (and the
    blank line after them) are skipped.

    Parameters
    ----------
    path : str or path-like
        The column file.
    tag_column : int, default=-1
        Index of the tag column (the last one by default: NER tags in CoNLL-2003).
    token_column : int, default=0
        Index of the token column.
    encoding : str, default="utf-8"
        Text encoding of the file (the original English CoNLL-2003 files are ASCII).

    Returns
    -------
    sentences : list of list of str
    tags : list of list of str
        Same lengths as ``sentences``.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from sklearn_rnn.datasets import load_conll2003
    >>> path = Path(tempfile.mkdtemp()) / "train.txt"
    >>> _ = path.write_text(
    ...     "-DOCSTART- -X- -X- O\\n\\n"
    ...     "EU NNP B-NP B-ORG\\nrejects VBZ B-VP O\\n\\n"
    ...     "Peter NNP B-NP B-PER\\n"
    ... )
    >>> load_conll2003(path)
    ([['EU', 'rejects'], ['Peter']], [['B-ORG', 'O'], ['B-PER']])
    >>> load_conll2003(path, tag_column=1)[1]
    [['NNP', 'VBZ'], ['NNP']]
    """
    tag_column = _check_int(tag_column, "tag_column")
    token_column = _check_int(token_column, "token_column")
    needed = max(tag_column + 1, -tag_column, token_column + 1, -token_column)

    sentences: list[list[str]] = []
    tags: list[list[str]] = []
    words: list[str] = []
    labels: list[str] = []
    for lineno, line in enumerate(_lines(_read_text(path, encoding)), 1):
        fields = line.split()
        if not fields or fields[0] == "-DOCSTART-":
            if words:
                sentences.append(words)
                tags.append(labels)
                words, labels = [], []
            continue
        if len(fields) < needed:
            raise ValueError(
                f"{path}, line {lineno}: expected at least {needed} whitespace-separated "
                f"columns (token_column={token_column}, tag_column={tag_column}), "
                f"got {len(fields)}: {line[:60]!r}"
            )
        words.append(fields[token_column])
        labels.append(fields[tag_column])
    if words:
        sentences.append(words)
        tags.append(labels)
    if not sentences:
        raise ValueError(f"{path}: expected token lines, found no sentences")
    return sentences, tags
