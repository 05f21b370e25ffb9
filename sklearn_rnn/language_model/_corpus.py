"""A language model's text: corpus validation, tokenization, vocabulary, ids and back.

A corpus is one long string, a list of documents (strings) or a list of token lists.
:class:`CorpusEncoder` learns a :class:`~sklearn_rnn.encoding.Vocabulary` whose id 2 is
the document boundary ``<eos>``: each document is read after a boundary, so its first
token is predicted too, and documents are joined into one stream with a boundary
between them. The module uses numpy only, but importing it runs its package
(:mod:`sklearn_rnn.language_model`, the estimator), which imports torch.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from sklearn_rnn.encoding._tokenizers import resolve_tokenizer
from sklearn_rnn.encoding._vocabulary import PAD_TOKEN, UNK_ID, UNK_TOKEN, Vocabulary

__all__ = ["BOUNDARY_ID", "BOUNDARY_TOKEN", "Corpus", "CorpusEncoder", "check_corpus"]

BOUNDARY_TOKEN = "<eos>"
BOUNDARY_ID = 2  # right after padding (0) and unknown (1)
TEXT, TOKENS = "text", "tokens"


class Corpus:
    """A validated corpus: its kind (``"text"`` or ``"tokens"``) and its documents.

    Examples
    --------
    >>> check_corpus("to be").documents, check_corpus([["to", "be"]]).kind
    (['to be'], 'tokens')
    """

    def __init__(self, kind: str, documents: list):
        self.kind = kind
        self.documents = documents

    def __len__(self) -> int:
        return len(self.documents)


def check_corpus(X, name: str = "X") -> Corpus:
    """Validate a corpus: a string, a sequence of strings or a sequence of token lists.

    Raises a ``TypeError`` for anything else and a ``ValueError`` for an empty corpus.

    Examples
    --------
    >>> check_corpus(["a text", "another"]).kind
    'text'
    >>> check_corpus([])
    Traceback (most recent call last):
    ...
    ValueError: X is an empty corpus: pass a string or a non-empty list of documents.
    """
    if isinstance(X, Corpus):
        return X
    if isinstance(X, str):
        documents = [X]
    elif isinstance(X, (bytes, dict)) or not hasattr(X, "__len__"):
        raise TypeError(
            f"{name} must be a string, a list of strings or a list of token lists; got "
            f"{type(X).__name__}."
        )
    else:
        documents = list(X.tolist() if isinstance(X, np.ndarray) else X)
    if not documents:
        raise ValueError(
            f"{name} is an empty corpus: pass a string or a non-empty list of documents."
        )
    if all(isinstance(doc, str) for doc in documents):
        kind = TEXT
    elif all(map(_is_token_list, documents)):
        kind, documents = TOKENS, [list(doc) for doc in documents]
    else:
        first_is_text = isinstance(documents[0], str)
        bad = next(
            i
            for i, doc in enumerate(documents)
            if (not isinstance(doc, str) if first_is_text else not _is_token_list(doc))
        )
        raise TypeError(
            f"{name} must hold only strings (documents) or only lists of string tokens; "
            f"{name}[{bad}] is {_describe(documents[bad])} (ids and numbers are not text: a "
            "language model reads strings or token lists)."
        )
    return Corpus(kind, documents)


def _is_token_list(doc) -> bool:
    return isinstance(doc, (list, tuple)) and all(isinstance(t, str) for t in doc)


def _describe(doc) -> str:
    if isinstance(doc, (list, tuple)):
        return f"a {type(doc).__name__} holding a non-string token"
    return f"a {type(doc).__name__}"


class CorpusEncoder:
    """Documents -> token ids of a vocabulary learned in :meth:`fit`, and ids -> text.

    Parameters
    ----------
    tokenizer : {"char", "word", "whitespace"} or callable, default="char"
        How strings are split into tokens (token lists are used as given).
    lowercase : bool, default=False
        Lowercase strings and tokens first.
    max_vocab : int or None, default=None
        Keep only the most frequent tokens; the others map to the unknown id.
    min_freq : int, default=1
        Keep only tokens seen at least this often.

    Attributes
    ----------
    kind_ : {"text", "tokens"}
        The kind of corpus seen in fit.
    vocabulary_ : Vocabulary
        Padding (0), unknown (1), the boundary ``<eos>`` (2), then the tokens by
        decreasing frequency.
    n_ids_ : int
        The vocabulary size.
    n_features_ : None
        Token input has no numeric features (the estimators' network builder reads it).

    Examples
    --------
    >>> enc = CorpusEncoder()
    >>> [ids.tolist() for ids in enc.fit_transform("abba")]
    [[3, 4, 4, 3]]
    >>> enc.decode([4, 3, 1])  # the unknown id decodes to <unk>
    'ba<unk>'
    """

    def __init__(
        self,
        tokenizer: str | Callable[[str], list[str]] = "char",
        lowercase: bool = False,
        max_vocab: int | None = None,
        min_freq: int = 1,
    ):
        self.tokenizer = tokenizer
        self.lowercase = lowercase
        self.max_vocab = max_vocab
        self.min_freq = min_freq

    def tokenize(self, corpus: Corpus) -> list[list[str]]:
        """The token list of each document, lowercased as asked."""
        if corpus.kind == TOKENS:
            docs = corpus.documents
            return [[t.lower() for t in doc] for doc in docs] if self.lowercase else docs
        tokenize = resolve_tokenizer(self.tokenizer)
        texts = [t.lower() for t in corpus.documents] if self.lowercase else corpus.documents
        return [list(tokenize(text)) for text in texts]

    def fit_transform(self, X) -> list[np.ndarray]:
        """Learn the vocabulary of ``X``; the ids of each document."""
        corpus = check_corpus(X)
        self.kind_ = corpus.kind
        token_lists = self.tokenize(corpus)
        counted = Vocabulary.from_corpus(token_lists, self.min_freq, self.max_vocab)
        kept = [t for t in counted.tokens[2:] if t != BOUNDARY_TOKEN]
        self.vocabulary_ = Vocabulary([BOUNDARY_TOKEN, *kept])
        self.n_ids_ = len(self.vocabulary_)
        self.n_features_ = None
        return [self.vocabulary_.encode(tokens) for tokens in token_lists]

    def fit(self, X) -> CorpusEncoder:
        """Learn the vocabulary of ``X``."""
        self.fit_transform(X)
        return self

    def transform(self, X) -> list[np.ndarray]:
        """The ids of each document of ``X`` (unknown tokens map to id 1)."""
        corpus = check_corpus(X)
        if corpus.kind != self.kind_:
            raise ValueError(
                f"X holds {corpus.kind}, but the language model was fitted on {self.kind_}; "
                "pass the same kind of corpus as in fit."
            )
        return [self.vocabulary_.encode(tokens) for tokens in self.tokenize(corpus)]

    def unknown_tokens(self, X) -> list[str]:
        """The distinct tokens of ``X`` that the vocabulary lacks, in order of appearance."""
        index = self.vocabulary_.index
        seen = dict.fromkeys(
            t for tokens in self.tokenize(check_corpus(X)) for t in tokens if t not in index
        )
        return list(seen)

    def decode(self, ids: Sequence[int]) -> str | list[str]:
        """Token ids back to text (characters joined, words joined by spaces) or tokens."""
        tokens = [self.vocabulary_.tokens[int(i)] for i in ids]
        if self.kind_ == TOKENS:
            return tokens
        return "".join(tokens) if self.tokenizer == "char" else " ".join(tokens)

    def n_characters(self, X) -> int:
        """The characters of ``X`` as the user wrote it (token lists: of their tokens)."""
        corpus = check_corpus(X)
        if corpus.kind == TEXT:
            return sum(len(doc) for doc in corpus.documents)
        return sum(len(t) for doc in corpus.documents for t in doc)


def stream_of(documents: list[np.ndarray]) -> np.ndarray:
    """One stream of ids: a boundary before each document.

    Examples
    --------
    >>> stream_of([np.array([5, 6]), np.array([7])]).tolist()
    [2, 5, 6, 2, 7]
    """
    parts = []
    for ids in documents:
        parts.append(np.array([BOUNDARY_ID], dtype=np.int64))
        parts.append(np.asarray(ids, dtype=np.int64))
    return np.concatenate(parts)


# Ids that are never written out by sampling: padding, unknown, the boundary.
SPECIAL_IDS = (0, UNK_ID, BOUNDARY_ID)
SPECIAL_TOKENS = (PAD_TOKEN, UNK_TOKEN, BOUNDARY_TOKEN)


def padded_documents(documents: list[np.ndarray], batch_size: int):
    """``(rows, (B, T + 1) ids, (B,) lengths + 1)``: documents batched by length, each read
    after a boundary token (shared by the estimator's reading and the served model).

    Examples
    --------
    >>> docs = [np.array([5, 6, 7]), np.array([8])]
    >>> [(rows.tolist(), ids.tolist()) for rows, ids, _ in padded_documents(docs, 2)]  # 2: boundary
    [([1, 0], [[2, 8, 0, 0], [2, 5, 6, 7]])]
    """
    lengths = np.fromiter((len(d) for d in documents), dtype=np.int64, count=len(documents))
    order = np.argsort(lengths, kind="stable")
    for start in range(0, len(order), batch_size):
        rows = order[start : start + batch_size]
        padded = np.zeros((len(rows), int(lengths[rows].max()) + 1), dtype=np.int64)
        padded[:, 0] = BOUNDARY_ID
        for i, row in enumerate(rows):
            padded[i, 1 : lengths[row] + 1] = documents[row]
        yield rows, padded, lengths[rows] + 1
