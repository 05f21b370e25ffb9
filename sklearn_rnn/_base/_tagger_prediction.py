"""The tagger's predictions: one row per real step, in the caller's order.

Per-step tag probabilities (softmax, or the CRF's marginals), their logarithms and the
best tags (argmax, or the CRF's Viterbi path), all from the one prediction loop. The
tags are decoded by the target encoder (:class:`~sklearn_rnn._targets.StepLabels`), as
the served tagger decodes them. The probabilities stay in torch: numpy's softmax and
forward-backward differ from torch's softmax and the gradient of the CRF's log-partition
in the last bits, and the estimator's probabilities are kept bit for bit.
"""

from __future__ import annotations

import numpy as np
import torch

from sklearn_rnn.nn._networks import step_mask


class PerStepPredictionMixin:
    """``predict``, ``predict_proba`` and ``predict_log_proba`` of :class:`RNNTagger`."""

    def _per_step(self, X, output: str) -> tuple[torch.Tensor, torch.Tensor]:
        """One row per real step of ``X``, concatenated in the caller's order.

        ``output`` is ``"proba"`` or ``"log_proba"`` (``(N, n_classes)`` float64) or
        ``"labels"`` (``(N,)`` tag ids). Returns the rows and each sequence's length.
        """
        dataset = self._prediction_dataset(X)
        sequences = dataset.sequences
        total = int(sequences.lengths.sum())
        per_class = output in ("proba", "log_proba")
        shape = (total, self.n_outputs_) if per_class else (total,)
        rows = torch.empty(shape, dtype=torch.float64 if per_class else torch.int64)
        crf = getattr(self.module_, "crf", None)
        marginals = crf is not None and per_class
        for indices, lengths, emissions in self._outputs_by_batch(dataset, grad=marginals):
            emissions = emissions.double()  # (B, T, C)
            mask = step_mask(lengths.to(emissions.device), emissions.shape[1])  # (B, T)
            if output == "labels":  # the target encoder's decoding, as the served tagger's
                scores = crf.scores() if crf is not None else None
                emissions, step = emissions.cpu().numpy(), mask.cpu().numpy()
                out = torch.from_numpy(self.target_encoder_.best_tags(emissions, step, scores))
            elif marginals:
                out = crf.marginals(emissions, mask)  # (B, T, C)
                out = out.log() if output == "log_proba" else out
            elif output == "log_proba":
                out = torch.log_softmax(emissions, dim=2)  # (B, T, C)
            else:
                out = torch.softmax(emissions, dim=2)  # (B, T, C)
            mask = mask.cpu()
            positions = sequences.offsets[indices][:, None] + torch.arange(mask.shape[1])  # (B, T)
            rows[positions[mask]] = out.cpu()[mask]
        return rows, sequences.lengths

    def predict_proba(self, X) -> list[np.ndarray]:
        """Per-step tag probabilities, columns ordered as ``classes_``.

        Without a CRF each step's softmax; with ``crf=True`` the CRF's marginal
        probability of each tag at each step (forward-backward), whose argmax may
        differ from the best path that :meth:`predict` returns.

        Parameters
        ----------
        X : sequences
            The same kind of input as in ``fit``: token lists or numeric series.

        Returns
        -------
        list of ndarray of shape (T_i, n_classes)
            One array per sequence, as long as the sequence.
        """
        rows, lengths = self._per_step(X, "proba")
        return np.split(rows.numpy(), np.cumsum(lengths.numpy())[:-1])

    def predict_log_proba(self, X) -> list[np.ndarray]:
        """Logarithm of :meth:`predict_proba`, per step.

        Without a CRF the log-softmax of each step's scores (finite where the
        probability rounds to 0); with ``crf=True`` the logarithm of the marginals.

        Parameters
        ----------
        X : sequences
            The same kind of input as in ``fit``: token lists or numeric series.

        Returns
        -------
        list of ndarray of shape (T_i, n_classes)
            One array per sequence, as long as the sequence.
        """
        rows, lengths = self._per_step(X, "log_proba")
        return np.split(rows.numpy(), np.cumsum(lengths.numpy())[:-1])

    def predict(self, X) -> list[list]:
        """The most probable tag of each step (the best path with ``crf=True``).

        Parameters
        ----------
        X : sequences
            The same kind of input as in ``fit``: token lists or numeric series.

        Returns
        -------
        list of list
            One list of tags per sequence, as long as the sequence (``max_len`` does
            not apply to prediction).
        """
        rows, lengths = self._per_step(X, "labels")
        return self.target_encoder_.inverse_transform(rows.numpy(), lengths.numpy())
