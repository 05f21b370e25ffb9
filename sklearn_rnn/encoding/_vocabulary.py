"""The vocabulary: a mapping between tokens and integer ids (0 is padding, 1 unknown).

Imports neither torch nor skorch, so the torch-free predictor
(:mod:`sklearn_rnn.serving`) encodes text with the same code as the estimators.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np

PAD_ID = 0
UNK_ID = 1
PAD_TOKEN = "<pad>"
UNK_TOKEN = "<unk>"


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

        Parameters
        ----------
        token_lists : iterable of sequences of str
            The corpus, one token list per sequence.
        min_freq : int, default=1
            Keep only tokens seen at least this many times.
        max_size : int or None, default=None
            Keep only the ``max_size`` most frequent tokens (besides padding and unknown).

        Returns
        -------
        vocabulary : Vocabulary
            The most frequent tokens first.
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
        """Return the ids of ``tokens`` (unknown tokens map to 1).

        Parameters
        ----------
        tokens : sequence of str
            The tokens of one sequence.

        Returns
        -------
        ids : ndarray of shape (len(tokens),)
            The int64 ids.
        """
        index = self.index
        return np.fromiter(
            (index.get(t, UNK_ID) for t in tokens), dtype=np.int64, count=len(tokens)
        )
