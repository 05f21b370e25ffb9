"""The one prediction loop: batches sorted by length, outputs back in the caller's order.

All predictions (``predict``, ``predict_proba``, the tagger's per-step outputs, skorch's
``forward`` and scoring callbacks) go through :meth:`PredictionMixin._outputs_by_batch`.
"""

from __future__ import annotations

from collections.abc import Mapping

import torch
from sklearn.utils.validation import check_is_fitted

from sklearn_rnn._base._batches import BatchIterator, SequenceDataset
from sklearn_rnn.encoding import _validation as v


class PredictionMixin:
    """Prediction on user input, on the library's datasets and on padded batches."""

    def get_dataset(self, X, y=None):
        if isinstance(X, SequenceDataset):
            return X
        check_is_fitted(self)
        return self._make_dataset(self._check_X(X, reset=False), y)

    def _prediction_dataset(self, X) -> SequenceDataset:
        """``X`` encoded for prediction (our own datasets are used as they are)."""
        check_is_fitted(self)
        if isinstance(X, SequenceDataset):
            return X
        if not isinstance(X, v.CheckedSequences):
            X = self._check_X(X, reset=False)
        return self._make_dataset(X)

    def _outputs_by_batch(self, X, *, grad: bool = False):
        """Yield ``(rows, lengths, outputs)`` for each batch of ``X``.

        ``X`` is user input, a dataset of ours, or one padded batch (a dict, as skorch's
        batch scoring passes it). ``rows`` are the batch's positions in ``X``; batches
        are sorted by length, so the caller puts the rows back in order. ``grad=True``
        keeps autograd available (the CRF's marginals need it).
        """
        check_is_fitted(self)
        self._set_training(False)
        context = torch.no_grad if grad else torch.inference_mode
        if isinstance(X, Mapping):
            with context():
                outputs = self.infer(X)
            lengths = X["lengths"].cpu()
            yield torch.arange(len(lengths)), lengths, outputs
            return
        dataset = self._prediction_dataset(X)
        if len(dataset) <= self.batch_size:
            # One batch (e.g. a single sequence): no sorting, nothing to reorder.
            batches = [(torch.arange(len(dataset)), dataset.batch(torch.arange(len(dataset))))]
        else:
            iterator = BatchIterator(dataset, self.batch_size, shuffle=False)
            batches = zip(torch.split(iterator.order, self.batch_size), iterator, strict=True)
        for rows, (batch, _) in batches:
            with context():
                outputs = self.infer(batch)
            yield rows, batch["lengths"], outputs

    def _pooled_outputs(self, X) -> torch.Tensor:
        """The module's ``(n, n_outputs)`` outputs, rows in the order of ``X``."""
        parts = list(self._outputs_by_batch(X))
        if len(parts) == 1:
            return parts[0][2].cpu()
        rows = torch.cat([part[0] for part in parts])
        outputs = torch.cat([part[2].cpu() for part in parts])
        result = torch.empty_like(outputs)
        result[rows] = outputs
        return result

    def forward(self, X, training=False, device="cpu"):
        """The module's outputs on ``X``, rows in the order of ``X``.

        Per-step outputs (the tagger's) are padded to the longest sequence of ``X``
        with zeros.

        Parameters
        ----------
        X : sequences or SequenceDataset
            As in ``predict``.
        training : bool, default=False
            Run the module in training mode (dropout on).
        device : str, default="cpu"
            Where to put the result.

        Returns
        -------
        torch.Tensor
        """
        if training:
            return super().forward(X, training=True, device=device)
        parts = list(self._outputs_by_batch(X))
        n = sum(len(rows) for rows, _, _ in parts)
        first = parts[0][2]
        shape = (n, *first.shape[1:])
        if first.dim() == 3:
            shape = (n, max(int(out.shape[1]) for _, _, out in parts), first.shape[2])
        result = first.new_zeros(shape, device=device)
        for rows, _, outputs in parts:
            result[rows.to(device), : outputs.shape[1]] = outputs.to(device)
        return result

    def forward_iter(self, X, training=False, device="cpu"):
        dataset = self._prediction_dataset(X)
        iterator = BatchIterator(dataset, self.batch_size, shuffle=False, sort=False)
        for batch in iterator:
            yield self.evaluation_step(batch, training=training).to(device)
