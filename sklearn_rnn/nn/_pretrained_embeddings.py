"""Pretrained word vectors: the rows of a user's embeddings for a fitted vocabulary."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

from sklearn_rnn.encoding._vocabulary import PAD_ID, Vocabulary


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
    found_rows, found_vectors = vocabulary_vectors(vocabulary, embeddings)
    dims = {len(vector) for vector in found_vectors}
    if dims and dims != {embedding_dim}:
        raise ValueError(
            f"Invalid value for parameter 'embeddings': its vectors have {sorted(dims)} "
            f"dimensions but embedding_dim={embedding_dim}; set embedding_dim to match."
        )
    matrix = torch.empty(len(vocabulary), embedding_dim)
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


def vocabulary_vectors(vocabulary: Vocabulary, embeddings) -> tuple[list[int], list[np.ndarray]]:
    """The vocabulary rows that ``embeddings`` has a vector for, and those vectors.

    A token is looked up as written, then lowercased. Padding and unknown ids are skipped.

    Examples
    --------
    >>> vocabulary_vectors(Vocabulary(["Good", "bad"]), {"good": [1.0]})
    ([2], [array([1.], dtype=float32)])
    """
    lookup = _embedding_lookup(embeddings)
    rows, vectors = [], []
    for i, token in enumerate(vocabulary.tokens[2:], start=2):
        vector = lookup(token)
        if vector is None and token.lower() != token:
            vector = lookup(token.lower())
        if vector is not None:
            rows.append(i)
            vectors.append(np.asarray(vector, dtype=np.float32))
    return rows, vectors


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
