"""From user input to model input: tokenizers, vocabulary and the sequence encoder.

The encoder turns any accepted ``X`` (strings, token lists, id lists, 2D/3D
arrays, ragged arrays, pandas) into :class:`EncodedSequences`: every step of
every sequence concatenated into one tensor, plus each sequence's length. No
padding is stored; batches are padded on the fly (see :mod:`sklearn_rnn.data`).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import torch

from sklearn_rnn import _validation as v

PAD_ID = 0
UNK_ID = 1
PAD_TOKEN = "<pad>"
UNK_TOKEN = "<unk>"

_WORD_PATTERN = re.compile(r"\w+|[^\w\s]", re.UNICODE)


def word_tokenize(text: str) -> list[str]:
    """Split ``text`` into words and punctuation marks.

    Examples
    --------
    >>> word_tokenize("A great film, really!")
    ['A', 'great', 'film', ',', 'really', '!']
    """
    return _WORD_PATTERN.findall(text)


def char_tokenize(text: str) -> list[str]:
    """Split ``text`` into characters.

    Examples
    --------
    >>> char_tokenize("abc")
    ['a', 'b', 'c']
    """
    return list(text)


def whitespace_tokenize(text: str) -> list[str]:
    """Split ``text`` on whitespace (for already tokenized corpora).

    Examples
    --------
    >>> whitespace_tokenize("it 's good")
    ['it', "'s", 'good']
    """
    return text.split()


def word_shape(token: str, max_run: int = 4) -> str:
    """The shape of a token: upper-case letters as ``X``, lower-case as ``x``, digits as ``d``.

    Letters without case (CJK, Arabic, Thai, ...) become ``a``, combining marks are
    dropped, and other characters (punctuation, symbols) are kept. Runs of one symbol
    are cut at ``max_run``, so the shape keeps case, length class and punctuation but
    not the word itself.

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


TOKENIZERS: dict[str, Callable[[str], list[str]]] = {
    "word": word_tokenize,
    "char": char_tokenize,
    "whitespace": whitespace_tokenize,
}


class Vocabulary:
    """A mapping between tokens and integer ids, with padding (0) and unknown (1).

    Parameters
    ----------
    tokens : sequence of str
        The known tokens, most frequent first; they get ids 2, 3, ...

    Examples
    --------
    >>> vocab = Vocabulary.from_corpus([["a", "b", "a"]], min_freq=1)
    >>> vocab.encode(["a", "zzz"]).tolist()
    [2, 1]
    >>> len(vocab)
    4
    """

    def __init__(self, tokens: Sequence[str]):
        self.tokens = [PAD_TOKEN, UNK_TOKEN, *tokens]
        self.index = {token: i for i, token in enumerate(self.tokens)}
        if len(self.index) != len(self.tokens):
            raise ValueError("Vocabulary tokens must be unique.")

    @classmethod
    def from_corpus(
        cls,
        token_lists: Iterable[Sequence[str]],
        min_freq: int = 1,
        max_size: int | None = None,
    ) -> Vocabulary:
        """Build the vocabulary of the tokens seen at least ``min_freq`` times.

        Ties in frequency are broken alphabetically so the ids are reproducible.
        """
        counts = Counter()
        for tokens in token_lists:
            counts.update(tokens)
        counts.pop(PAD_TOKEN, None)
        counts.pop(UNK_TOKEN, None)
        kept = sorted(
            (t for t, c in counts.items() if c >= min_freq), key=lambda t: (-counts[t], t)
        )
        if max_size is not None:
            kept = kept[:max_size]
        return cls(kept)

    def __len__(self) -> int:
        return len(self.tokens)

    def encode(self, tokens: Sequence[str]) -> np.ndarray:
        """Return the ids of ``tokens`` (unknown tokens map to 1)."""
        index = self.index
        return np.fromiter(
            (index.get(t, UNK_ID) for t in tokens), dtype=np.int64, count=len(tokens)
        )


@dataclass
class EncodedSequences:
    """A ragged batch of sequences stored without padding.

    Attributes
    ----------
    values : torch.Tensor
        All steps of all sequences, concatenated: ``(total_steps,)`` int64 ids or
        ``(total_steps, n_features)`` float32 values.
    lengths : torch.Tensor
        ``(n_sequences,)`` int64, the length of each sequence.
    offsets : torch.Tensor
        ``(n_sequences,)`` int64, where each sequence starts in ``values``.

    Examples
    --------
    >>> seqs = EncodedSequences.from_arrays([np.array([2, 3, 4]), np.array([5])])
    >>> seqs.values.tolist(), seqs.lengths.tolist(), seqs.offsets.tolist()
    ([2, 3, 4, 5], [3, 1], [0, 3])
    >>> [s.tolist() for s in seqs.select([1, 0]).split()]
    [[5], [2, 3, 4]]
    """

    values: torch.Tensor
    lengths: torch.Tensor
    offsets: torch.Tensor

    @classmethod
    def from_arrays(cls, arrays: Sequence[np.ndarray]) -> EncodedSequences:
        """Concatenate a list of per-sequence arrays."""
        lengths = np.fromiter((len(a) for a in arrays), dtype=np.int64, count=len(arrays))
        return cls.from_flat(np.concatenate(arrays), lengths)

    @classmethod
    def from_flat(cls, values: np.ndarray, lengths: np.ndarray) -> EncodedSequences:
        """Wrap steps already concatenated, sequence after sequence, and their lengths."""
        offsets = np.zeros_like(lengths)
        np.cumsum(lengths[:-1], out=offsets[1:])
        values = torch.from_numpy(np.ascontiguousarray(values))
        return cls(values, torch.from_numpy(lengths), torch.from_numpy(offsets))

    def __len__(self) -> int:
        return len(self.lengths)

    def select(self, indices) -> EncodedSequences:
        """Return the sequences at ``indices``, as a new compact ragged batch."""
        indices = torch.as_tensor(indices, dtype=torch.int64)
        lengths = self.lengths[indices]
        starts = self.offsets[indices]
        # Step positions of the selected sequences, computed without a Python loop.
        seq_of_step = torch.repeat_interleave(torch.arange(len(indices)), lengths)
        new_offsets = torch.zeros_like(lengths)
        new_offsets[1:] = torch.cumsum(lengths, 0)[:-1]
        within = torch.arange(int(lengths.sum())) - new_offsets[seq_of_step]
        values = self.values[starts[seq_of_step] + within]
        return EncodedSequences(values, lengths, new_offsets)

    def split(self) -> list[torch.Tensor]:
        """Return one tensor per sequence (views into ``values``)."""
        return list(torch.split(self.values, self.lengths.tolist()))


class SequenceEncoder:
    """Turn sequences as users hold them into :class:`EncodedSequences`.

    The kind of input is detected once in :meth:`fit` and held to in
    :meth:`transform`: text becomes token ids through a vocabulary learned in
    ``fit`` (unknown tokens at transform time map to the unknown id), id lists
    are shifted past the padding and unknown ids, and numeric steps are
    standardized per feature with statistics learned in ``fit``.

    Parameters
    ----------
    tokenizer : {"word", "char", "whitespace"} or callable, default="word"
        How strings are split into tokens.
    lowercase : bool, default=True
        Lowercase strings and tokens before the vocabulary lookup.
    max_vocab : int or None, default=None
        Keep only the ``max_vocab`` most frequent tokens.
    min_freq : int, default=1
        Keep only tokens seen at least ``min_freq`` times in ``fit``.
    max_len : int or None, default=None
        Keep only the first ``max_len`` steps of each sequence.
    standardize : bool, default=True
        Standardize numeric features with the mean and standard deviation seen in ``fit``.

    Attributes
    ----------
    kind_ : str
        The input kind seen in fit: ``"text"``, ``"tokens"``, ``"ids"``, ``"table"`` or
        ``"numeric"``.
    vocabulary_ : Vocabulary or None
        The vocabulary (text and token inputs).
    n_ids_ : int or None
        The number of distinct ids the model's embedding must hold.
    n_features_ : int or None
        The number of features per step (numeric inputs).
    mean_, scale_ : ndarray or None
        Per-feature standardization statistics (numeric inputs).

    Examples
    --------
    >>> enc = SequenceEncoder().fit(["a good film", "a bad one"])
    >>> enc.transform(["a good one", "unseen"]).lengths.tolist()
    [3, 1]
    """

    def __init__(
        self,
        tokenizer: str | Callable[[str], list[str]] = "word",
        lowercase: bool = True,
        max_vocab: int | None = None,
        min_freq: int = 1,
        max_len: int | None = None,
        standardize: bool = True,
    ):
        self.tokenizer = tokenizer
        self.lowercase = lowercase
        self.max_vocab = max_vocab
        self.min_freq = min_freq
        self.max_len = max_len
        self.standardize = standardize

    # -- public API -------------------------------------------------------------

    def fit(self, X, kind: str | None = None) -> SequenceEncoder:
        """Learn the input kind and the vocabulary or scaling statistics of ``X``."""
        self._fit_transform(X, kind)
        return self

    def fit_transform(self, X, kind: str | None = None) -> EncodedSequences:
        """Fit to ``X`` and return it encoded."""
        return self._fit_transform(X, kind)

    def transform(self, X, kind: str | None = None) -> EncodedSequences:
        """Encode ``X`` with what was learned in :meth:`fit`."""
        kind = kind or v.detect_input_kind(X)
        self._check_same_kind(kind)
        if kind == v.IDS:
            return self._encode_ids(*self._flat_ids(X))
        return self._encode(self._as_sequences(X, kind))

    # -- internals --------------------------------------------------------------

    def _fit_transform(self, X, kind: str | None) -> EncodedSequences:
        kind = kind or v.detect_input_kind(X)
        self.kind_ = kind
        self.vocabulary_ = None
        self.n_ids_ = None
        self.n_features_ = None
        self.mean_ = None
        self.scale_ = None
        if kind == v.IDS:
            ids, lengths = self._flat_ids(X)
            self.n_ids_ = int(ids.max()) + 1 + UNK_ID + 1  # + pad, unk
            return self._encode_ids(ids, lengths)
        sequences = self._as_sequences(X, kind)
        if kind in (v.TEXT, v.TOKENS):
            self.vocabulary_ = Vocabulary.from_corpus(sequences, self.min_freq, self.max_vocab)
            self.n_ids_ = len(self.vocabulary_)
        else:
            self.n_features_ = sequences[0].shape[1]
            if self.standardize:
                steps = np.concatenate(sequences)
                self.mean_ = steps.mean(axis=0, dtype=np.float64).astype(np.float32)
                scale = steps.std(axis=0, dtype=np.float64)
                # Constant features keep their values centred rather than divide by zero.
                self.scale_ = np.where(scale > 1e-12, scale, 1.0).astype(np.float32)
        return self._encode(sequences)

    def _check_same_kind(self, kind: str) -> None:
        compatible = {
            self.kind_,
            *((v.TABLE, v.NUMERIC) if self.kind_ in (v.TABLE, v.NUMERIC) else ()),
        }
        if kind not in compatible:
            raise ValueError(
                f"X holds {kind} sequences, but the estimator was fitted on {self.kind_} "
                "sequences; pass the same kind of input as in fit."
            )

    def _as_sequences(self, X, kind: str) -> list:
        """Validated per-sequence Python objects: token lists, id arrays or float arrays."""
        if kind == v.TEXT:
            tokenize = (
                TOKENIZERS[self.tokenizer] if isinstance(self.tokenizer, str) else self.tokenizer
            )
            texts = v.check_text(X)
            if self.lowercase:
                texts = [t.lower() for t in texts]
            sequences = [list(tokenize(t)) for t in texts]
        elif kind == v.TOKENS:
            sequences = v.check_token_lists(X)
            if self.lowercase:
                sequences = [[t.lower() for t in seq] for seq in sequences]
        elif kind == v.TABLE:
            # Already validated by the estimator: a 2D float array, one univariate series per row.
            sequences = list(np.asarray(X, dtype=np.float32)[:, :, None])
        else:
            sequences = v.check_numeric_sequences(X)
        if self.max_len is not None:
            sequences = [seq[: self.max_len] for seq in sequences]
        return sequences

    def _flat_ids(self, X) -> tuple[np.ndarray, np.ndarray]:
        """Validated id lists kept flat (all ids, lengths), cut to ``max_len``."""
        # Ids stay one flat array from the user's lists to the tensor: no per-sequence arrays.
        ids, lengths = v.check_id_lists_flat(X)
        if self.max_len is not None and lengths.max() > self.max_len:
            starts = np.repeat(np.cumsum(lengths) - lengths, lengths)
            ids = ids[np.arange(len(ids)) - starts < self.max_len]
            lengths = np.minimum(lengths, self.max_len)
        return ids, lengths

    def _encode_ids(self, ids: np.ndarray, lengths: np.ndarray) -> EncodedSequences:
        # Shift past the padding and unknown ids; ids beyond those seen in fit are unknown.
        ids = ids + (UNK_ID + 1)
        ids[ids >= self.n_ids_] = UNK_ID
        return EncodedSequences.from_flat(ids, lengths)

    def _encode(self, sequences: list) -> EncodedSequences:
        if self.kind_ in (v.TEXT, v.TOKENS):
            # Strings that tokenize to nothing (e.g. "" or only spaces) become one unknown step,
            # so that every sequence has at least one step.
            arrays = [
                self.vocabulary_.encode(seq) if seq else np.array([UNK_ID]) for seq in sequences
            ]
        else:
            n_features = sequences[0].shape[1]
            if n_features != self.n_features_:
                raise ValueError(
                    f"X has {n_features} features per step, but the estimator was fitted with "
                    f"{self.n_features_} features per step."
                )
            arrays = sequences
        encoded = EncodedSequences.from_arrays(arrays)
        if self.mean_ is not None:
            encoded.values = (encoded.values - torch.from_numpy(self.mean_)) / torch.from_numpy(
                self.scale_
            )
        return encoded


def pretrained_embedding_matrix(
    vocabulary: Vocabulary, embeddings, embedding_dim: int, generator: torch.Generator | None
) -> tuple[torch.Tensor, int]:
    """Rows of ``embeddings`` for the tokens of ``vocabulary``.

    ``embeddings`` is a mapping token -> vector, a ``(vectors, tokens)`` pair, or a
    gensim ``KeyedVectors``. A token is looked up as is, then lowercased; tokens
    missing from ``embeddings`` get small random vectors (scaled like the given ones)
    and the padding row is zero. Returns the ``(len(vocabulary), dim)`` matrix and the
    number of tokens found.

    Examples
    --------
    >>> vocab = Vocabulary(["good", "bad"])
    >>> matrix, found = pretrained_embedding_matrix(vocab, {"good": [1.0, 2.0]}, 2, None)
    >>> matrix[2].tolist(), found
    ([1.0, 2.0], 1)
    """
    lookup = _embedding_lookup(embeddings)
    dims = {
        len(vector) for vector in (lookup(t) for t in vocabulary.tokens[2:]) if vector is not None
    }
    if dims and dims != {embedding_dim}:
        raise ValueError(
            f"Invalid value for parameter 'embeddings': its vectors have {sorted(dims)} "
            f"dimensions but embedding_dim={embedding_dim}; set embedding_dim to match."
        )
    matrix = torch.empty(len(vocabulary), embedding_dim)
    found_rows, found_vectors = [], []
    for i, token in enumerate(vocabulary.tokens[2:], start=2):
        vector = lookup(token)
        if vector is None and token.lower() != token:
            vector = lookup(token.lower())
        if vector is not None:
            found_rows.append(i)
            found_vectors.append(np.asarray(vector, dtype=np.float32))
    if found_vectors:
        known = torch.from_numpy(np.stack(found_vectors))
        if not torch.isfinite(known).all():
            raise ValueError(
                "Invalid value for parameter 'embeddings': vectors contain NaN or inf."
            )
        std = float(known.std()) if known.numel() > 1 else 0.1
    else:
        std = 0.1
    matrix.normal_(0.0, std or 0.1, generator=generator)
    if found_vectors:
        matrix[torch.tensor(found_rows)] = known
    matrix[PAD_ID] = 0.0
    return matrix, len(found_rows)


def _embedding_lookup(embeddings) -> Callable[[str], object]:
    """A function token -> vector or None, for each accepted form of ``embeddings``."""
    if hasattr(embeddings, "key_to_index") and hasattr(embeddings, "vectors"):  # gensim
        index, vectors = embeddings.key_to_index, embeddings.vectors
        return lambda token: vectors[index[token]] if token in index else None
    if isinstance(embeddings, tuple) and len(embeddings) == 2:
        vectors, tokens = embeddings
        vectors = np.asarray(vectors, dtype=np.float32)
        if vectors.ndim != 2 or len(vectors) != len(tokens):
            raise ValueError(
                "Invalid value for parameter 'embeddings': a (vectors, tokens) pair needs a "
                f"2D array with one row per token; got {vectors.shape} and {len(tokens)} tokens."
            )
        index = {token: i for i, token in enumerate(tokens)}
        return lambda token: vectors[index[token]] if token in index else None
    if hasattr(embeddings, "get") and hasattr(embeddings, "__contains__"):
        return lambda token: embeddings.get(token)
    raise TypeError(
        "Invalid value for parameter 'embeddings': expected a mapping token -> vector, a "
        f"(vectors, tokens) pair or gensim KeyedVectors; got {type(embeddings).__name__}."
    )
