"""A fully convolutional branch beside the recurrent core (LSTM-FCN / GRU-FCN style).

Karim et al. (2017) read a series with a recurrent layer and, in parallel, with three
convolution blocks (128, 256 and 128 filters of widths 8, 5 and 3, batch
normalization, ReLU) ending in global average pooling; the two vectors are joined
before the output layer. The convolutions see local shapes (a bump, a slope) wherever
they are, which the recurrent state alone learns slowly from a few dozen series.

Padding stays harmless as in :mod:`sklearn_rnn.nn._networks`: padded steps are zeroed after
every block, so a convolution near a sequence's end reads zeros exactly as its own
``"same"`` padding would; batch statistics count real steps only; the average runs
over real steps.
"""

from __future__ import annotations

import torch
from torch import nn

#: Karim et al.'s three blocks as (filters, width) pairs, ``conv_blocks="auto"`` for series.
FCN_BLOCKS = ((128, 8), (256, 5), (128, 3))


class MaskedBatchNorm1d(nn.BatchNorm1d):
    """Batch normalization of ``(B, C, T)`` whose training statistics skip padded steps.

    In evaluation mode it is :class:`torch.nn.BatchNorm1d` (running statistics, so a
    sequence's output does not depend on its batch).

    Examples
    --------
    >>> norm = MaskedBatchNorm1d(1)
    >>> x = torch.tensor([[[1.0, 3.0, 100.0]]])  # the last step is padding
    >>> mask = torch.tensor([[[True, True, False]]])
    >>> [round(value, 4) for value in norm(x, mask)[0, 0, :2].tolist()]  # 100 not counted
    [-1.0, 1.0]
    """

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        # x: (B, C, T); mask: (B, 1, T) bool, True on real steps
        if not self.training:
            return super().forward(x)
        weights = mask.to(x.dtype)
        count = weights.sum()
        mean = (x * weights).sum((0, 2)) / count  # (C,)
        var = (((x - mean[:, None]) ** 2) * weights).sum((0, 2)) / count
        with torch.no_grad():
            unbiased = var * count / (count - 1).clamp(min=1)
            self.running_mean.lerp_(mean, self.momentum)
            self.running_var.lerp_(unbiased, self.momentum)
            self.num_batches_tracked += 1
        normalized = (x - mean[:, None]) / torch.sqrt(var[:, None] + self.eps)
        return normalized * self.weight[:, None] + self.bias[:, None]


class ConvBranch(nn.Module):
    """Convolution blocks over the steps, averaged over each sequence's real steps.

    Parameters
    ----------
    input_size : int
        Features per step.
    blocks : sequence of (int, int)
        The ``(filters, width)`` of each block, in order.

    Examples
    --------
    >>> _ = torch.manual_seed(0)
    >>> branch = ConvBranch(2, blocks=[(4, 5), (3, 3)]).eval()
    >>> x = torch.randn(2, 6, 2)  # (B, T, F); the second series has 4 real steps
    >>> branch(x, torch.tensor([6, 4])).shape  # (B, filters of the last block)
    torch.Size([2, 3])
    >>> padded = torch.cat([x[1:, :4], torch.zeros(1, 9, 2)], dim=1)  # more padding
    >>> torch.allclose(branch(x, torch.tensor([6, 4]))[1],
    ...                branch(padded, torch.tensor([4]))[0], atol=1e-6)
    True
    """

    def __init__(self, input_size: int, blocks):
        super().__init__()
        sizes = [input_size, *(filters for filters, _ in blocks)]
        self.convs = nn.ModuleList(
            nn.Conv1d(n_in, n_out, width)
            for n_in, (n_out, width) in zip(sizes[:-1], blocks, strict=True)
        )
        self.norms = nn.ModuleList(MaskedBatchNorm1d(filters) for filters, _ in blocks)
        # "same" output length; an even width reads one more step after than before
        self.paddings = [((width - 1) // 2, width - 1 - (width - 1) // 2) for _, width in blocks]
        self.output_size = sizes[-1]

    def step_features(self, x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """``(B, T, F)`` -> ``(B, T, C)`` (C: the last block's filters), zero on padded steps."""
        steps = torch.arange(x.shape[1], device=x.device)
        mask = (steps[None, :] < lengths[:, None])[:, None, :]  # (B, 1, T), True on real steps
        h = x.transpose(1, 2) * mask  # (B, F, T)
        for conv, norm, padding in zip(self.convs, self.norms, self.paddings, strict=True):
            h = torch.relu(norm(conv(nn.functional.pad(h, padding)), mask)) * mask  # (B, C, T)
        return h.transpose(1, 2)

    def forward(self, x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        # x: (B, T, F) -> (B, C), the mean over real steps
        steps = self.step_features(x, lengths)
        return steps.sum(1) / lengths[:, None].to(steps.dtype)
