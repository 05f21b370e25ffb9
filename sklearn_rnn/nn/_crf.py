"""Linear-chain conditional random field: sequence log-likelihood and Viterbi decoding.

The training loss (the log-likelihood and its forward algorithm) is torch; the Viterbi
decoding is the library's one numpy implementation (:mod:`sklearn_rnn._targets._crf`),
shared with the served tagger, and :meth:`LinearChainCRF.decode` calls it.

The CRF sits on top of per-step emission scores (for instance the output of
:class:`torch.nn.Linear` over an RNN's hidden states) and scores whole tag paths::

    score(y) = start[y_0] + sum_t emissions[t, y_t] + sum_t transitions[y_{t-1}, y_t] + end[y_last]

Everything is batched; the only Python loop runs over time steps. Padding is harmless by
construction: padded steps never change a sequence's likelihood or its decoded path.
"""

import numbers

import torch
from torch import nn

from sklearn_rnn._targets._crf import CRFScores, viterbi

__all__ = ["LinearChainCRF"]


class LinearChainCRF(nn.Module):
    """Linear-chain CRF over ``num_tags`` tags, for padded batches of sequences.

    Parameters
    ----------
    num_tags : int
        Number of tags ``C`` (at least 1).

    Attributes
    ----------
    transitions : torch.nn.Parameter of shape (C, C)
        ``transitions[i, j]`` is the score of moving from tag ``i`` to tag ``j``.
    start_transitions : torch.nn.Parameter of shape (C,)
        Score of each tag as the first tag of a sequence.
    end_transitions : torch.nn.Parameter of shape (C,)
        Score of each tag as the last tag of a sequence.

    Notes
    -----
    All methods take a boolean ``mask`` of shape ``(B, T)`` that is True on real steps.
    Every sequence must have at least one real step and its real steps must come first
    (left-aligned padding). Values of ``emissions`` and ``tags`` at padded steps are ignored:
    they may be anything (``-100`` tags, ``nan`` emissions) without changing any result.

    Examples
    --------
    >>> import torch
    >>> from sklearn_rnn.nn import LinearChainCRF
    >>> _ = torch.manual_seed(0)
    >>> crf = LinearChainCRF(num_tags=3)
    >>> emissions = torch.randn(2, 4, 3)                     # (B, T, C)
    >>> tags = torch.tensor([[0, 1, 2, 1], [2, 0, -100, -100]])
    >>> mask = torch.tensor([[True, True, True, True], [True, True, False, False]])
    >>> nll = crf(emissions, tags, mask)                     # one value per sequence
    >>> nll.shape
    torch.Size([2])
    >>> bool((nll > 0).all())
    True
    >>> nll.mean().backward()
    >>> paths = crf.decode(emissions, mask)
    >>> paths.shape, paths.dtype
    (torch.Size([2, 4]), torch.int64)
    >>> paths[1, 2:].tolist()                                # padding is filled with 0
    [0, 0]
    """

    def __init__(self, num_tags: int):
        super().__init__()
        if isinstance(num_tags, bool) or not isinstance(num_tags, numbers.Integral) or num_tags < 1:
            raise ValueError(f"num_tags must be an int >= 1, got {num_tags!r}.")
        self.num_tags = int(num_tags)
        self.transitions = nn.Parameter(torch.empty(num_tags, num_tags))  # (C, C)
        self.start_transitions = nn.Parameter(torch.empty(num_tags))  # (C,)
        self.end_transitions = nn.Parameter(torch.empty(num_tags))  # (C,)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw all scores from U(-0.1, 0.1), small enough not to dominate the emissions."""
        for param in (self.transitions, self.start_transitions, self.end_transitions):
            nn.init.uniform_(param, -0.1, 0.1)

    def extra_repr(self) -> str:
        return f"num_tags={self.num_tags}"

    # ------------------------------------------------------------------ public API

    def forward(
        self, emissions: torch.Tensor, tags: torch.Tensor, mask: torch.Tensor
    ) -> torch.Tensor:
        """Negative log-likelihood of the gold tag paths, one value per sequence.

        Parameters
        ----------
        emissions : torch.Tensor of shape (B, T, C), float
            Per-step tag scores.
        tags : torch.Tensor of shape (B, T), long
            Gold tags; values at padded steps are ignored.
        mask : torch.Tensor of shape (B, T), bool
            True on real steps.

        Returns
        -------
        nll : torch.Tensor of shape (B,)
            ``log Z(x) - score(x, y)`` for each sequence; the caller chooses the reduction.
        """
        emissions, mask = self._check_inputs(emissions, mask, tags)
        return self._log_partition(emissions, mask) - self._score_paths(emissions, tags, mask)

    def log_partition(self, emissions: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Log of the sum of ``exp(score)`` over all tag paths (forward algorithm).

        Parameters
        ----------
        emissions : torch.Tensor of shape (B, T, C), float
            Per-step tag scores.
        mask : torch.Tensor of shape (B, T), bool
            True on real steps.

        Returns
        -------
        log_z : torch.Tensor of shape (B,)
            Log partition function of each sequence, over its real steps only.

        Examples
        --------
        >>> import torch
        >>> crf = LinearChainCRF(2)
        >>> emissions, mask = torch.zeros(1, 3, 2), torch.ones(1, 3, dtype=torch.bool)
        >>> with torch.no_grad():
        ...     for p in crf.parameters():
        ...         _ = p.zero_()
        >>> crf.log_partition(emissions, mask).detach()  # 2**3 paths of score 0: log(8)
        tensor([2.0794])
        """
        emissions, mask = self._check_inputs(emissions, mask)
        return self._log_partition(emissions, mask)

    def score_paths(
        self, emissions: torch.Tensor, tags: torch.Tensor, mask: torch.Tensor
    ) -> torch.Tensor:
        """Unnormalised score of the given tag paths.

        Parameters
        ----------
        emissions : torch.Tensor of shape (B, T, C), float
            Per-step tag scores.
        tags : torch.Tensor of shape (B, T), long
            Tag paths; values at padded steps are ignored.
        mask : torch.Tensor of shape (B, T), bool
            True on real steps.

        Returns
        -------
        score : torch.Tensor of shape (B,)
            Start + emission + transition + end scores of each path.

        Examples
        --------
        >>> import torch
        >>> crf = LinearChainCRF(2)
        >>> with torch.no_grad():
        ...     for p in crf.parameters():
        ...         _ = p.zero_()
        >>> emissions = torch.tensor([[[1.0, 0.0], [0.0, 2.0], [5.0, 5.0]]])
        >>> tags, mask = torch.tensor([[0, 1, -100]]), torch.tensor([[True, True, False]])
        >>> crf.score_paths(emissions, tags, mask).detach()  # 1 + 2, the padded step ignored
        tensor([3.])
        """
        emissions, mask = self._check_inputs(emissions, mask, tags)
        return self._score_paths(emissions, tags, mask)

    def marginals(self, emissions: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Marginal probability of each tag at each step (forward-backward).

        The gradient of ``log Z`` with respect to the emissions: backpropagating through
        the forward algorithm is the backward algorithm, so this is exact.

        Parameters
        ----------
        emissions : torch.Tensor of shape (B, T, C), float
            Per-step tag scores.
        mask : torch.Tensor of shape (B, T), bool
            True on real steps.

        Returns
        -------
        marginals : torch.Tensor of shape (B, T, C)
            Each real step's tag probabilities (rows sum to 1); zeros on padded steps.

        Examples
        --------
        >>> import torch
        >>> crf = LinearChainCRF(3)
        >>> mask = torch.tensor([[True, True, False]])
        >>> marginals = crf.marginals(torch.randn(1, 3, 3), mask)
        >>> torch.allclose(marginals.sum(2), torch.tensor([[1.0, 1.0, 0.0]]))
        True
        """
        with torch.enable_grad():
            emissions = emissions.detach().requires_grad_(True)  # (B, T, C)
            log_z = self.log_partition(emissions, mask)  # (B,)
            (marginals,) = torch.autograd.grad(log_z.sum(), emissions)
        return marginals

    def decode(self, emissions: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Best tag path of each sequence (Viterbi).

        Parameters
        ----------
        emissions : torch.Tensor of shape (B, T, C), float
            Per-step tag scores.
        mask : torch.Tensor of shape (B, T), bool
            True on real steps.

        Returns
        -------
        paths : torch.Tensor of shape (B, T), long
            The highest-scoring tag path of each sequence; padded steps hold 0.

        Examples
        --------
        >>> import torch
        >>> crf = LinearChainCRF(2)
        >>> with torch.no_grad():
        ...     for p in crf.parameters():
        ...         _ = p.zero_()
        ...     crf.transitions[0, 1] = -10.0   # forbid 0 -> 1
        >>> emissions = torch.tensor([[[2.0, 0.0], [0.0, 1.0], [0.0, 0.0]]])
        >>> crf.decode(emissions, torch.tensor([[True, True, False]]))
        tensor([[0, 0, 0]])
        """
        emissions, mask = self._check_inputs(emissions, mask)
        paths = viterbi(emissions.detach().cpu().numpy(), mask.cpu().numpy(), self.scores())
        return torch.from_numpy(paths).to(emissions.device)

    def scores(self) -> CRFScores:
        """The transition, start and end scores as numpy arrays (for the numpy decoding).

        Returns
        -------
        CRFScores
            ``transitions`` ``(C, C)``, ``start_transitions`` and ``end_transitions``
            ``(C,)`` float arrays.

        Examples
        --------
        >>> LinearChainCRF(3).scores().transitions.shape
        (3, 3)
        """
        params = (self.transitions, self.start_transitions, self.end_transitions)
        return CRFScores(*(p.detach().cpu().numpy() for p in params))

    # ------------------------------------------------------------------ workers

    def _check_inputs(self, emissions, mask, tags=None):
        """Validate shapes and the mask; return emissions zeroed at padded steps and a bool mask."""
        if not isinstance(emissions, torch.Tensor) or emissions.dim() != 3:
            shape = tuple(emissions.shape) if isinstance(emissions, torch.Tensor) else None
            raise ValueError(f"emissions must be a 3-D tensor (B, T, C), got shape {shape}.")
        batch, steps, num_tags = emissions.shape
        if num_tags != self.num_tags:
            raise ValueError(
                f"emissions must have {self.num_tags} tags in its last dimension, got {num_tags}."
            )
        if not emissions.is_floating_point():
            raise TypeError(f"emissions must be a float tensor, got {emissions.dtype}.")
        if steps == 0:
            raise ValueError("emissions must have at least one time step.")
        if not isinstance(mask, torch.Tensor) or tuple(mask.shape) != (batch, steps):
            shape = tuple(mask.shape) if isinstance(mask, torch.Tensor) else None
            raise ValueError(f"mask must have shape {(batch, steps)}, got {shape}.")
        if tags is not None:
            if not isinstance(tags, torch.Tensor) or tuple(tags.shape) != (batch, steps):
                shape = tuple(tags.shape) if isinstance(tags, torch.Tensor) else None
                raise ValueError(f"tags must have shape {(batch, steps)}, got {shape}.")
            if tags.is_floating_point() or tags.is_complex() or tags.dtype == torch.bool:
                raise TypeError(f"tags must be an integer tensor, got {tags.dtype}.")
        mask = mask.to(device=emissions.device, dtype=torch.bool)
        if batch and not bool(mask[:, 0].all()):
            raise ValueError("mask must be True at step 0: every sequence needs length >= 1.")
        if steps > 1 and bool((mask[:, 1:] & ~mask[:, :-1]).any()):
            raise ValueError("mask must mark a prefix of each sequence (left-aligned padding).")
        # Zero the padded steps so that non-finite padding cannot leak into values or gradients.
        emissions = emissions.masked_fill(~mask.unsqueeze(-1), 0.0)  # (B, T, C)
        return emissions, mask

    def _log_partition(self, emissions, mask):
        steps = emissions.shape[1]
        transitions = self.transitions.unsqueeze(0)  # (1, C, C)
        alpha = self.start_transitions + emissions[:, 0]  # (B, C)
        for t in range(1, steps):
            # alpha[b, i] + transitions[i, j] + emissions[b, t, j], summed out over i
            scores = alpha.unsqueeze(2) + transitions + emissions[:, t].unsqueeze(1)  # (B, C, C)
            next_alpha = torch.logsumexp(scores, dim=1)  # (B, C)
            alpha = torch.where(mask[:, t].unsqueeze(1), next_alpha, alpha)  # (B, C)
        return torch.logsumexp(alpha + self.end_transitions, dim=1)  # (B,)

    def _score_paths(self, emissions, tags, mask):
        batch, steps, _ = emissions.shape
        tags = tags.to(emissions.device).long().masked_fill(~mask, 0)  # (B, T), safe indices
        if bool(((tags < 0) | (tags >= self.num_tags)).any()):
            raise ValueError(
                f"tags at real steps must lie in [0, {self.num_tags - 1}] (num_tags - 1)."
            )
        emitted = emissions.gather(2, tags.unsqueeze(2)).squeeze(2)  # (B, T); 0 where padded
        score = self.start_transitions[tags[:, 0]] + emitted.sum(dim=1)  # (B,)
        if steps > 1:
            moves = self.transitions[tags[:, :-1], tags[:, 1:]]  # (B, T-1)
            moves = torch.where(mask[:, 1:], moves, torch.zeros_like(moves))  # (B, T-1)
            score = score + moves.sum(dim=1)  # (B,)
        last = mask.sum(dim=1) - 1  # (B,)
        last_tags = tags.gather(1, last.unsqueeze(1)).squeeze(1)  # (B,)
        return score + self.end_transitions[last_tags]  # (B,)
