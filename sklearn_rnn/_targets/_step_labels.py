"""The tagger's targets: one label per step, and the per-step decoding of its scores."""

from __future__ import annotations

import numpy as np
from sklearn.preprocessing import LabelEncoder

from sklearn_rnn._targets import _crf
from sklearn_rnn._targets._labels import softmax
from sklearn_rnn._targets._state import TargetState


class StepLabels(TargetState):
    """Label lists (one label per step) <-> flat tag ids and each sequence's length.

    The network's raw outputs are per-step tag scores, ``(B, T, C)`` over a padded batch:
    :meth:`best_tags` picks each step's tag (argmax, or the best path of a CRF given
    its scores) and :meth:`inverse_transform` turns the tag ids back into label lists.

    Examples
    --------
    >>> y = np.empty(2, dtype=object)
    >>> y[0], y[1] = np.array(["D", "N"]), np.array(["N"])
    >>> targets = StepLabels().fit(y)
    >>> ids, lengths = targets.transform(y)
    >>> ids.tolist(), lengths.tolist()
    ([0, 1, 1], [2, 1])
    >>> scores = np.array([[[0.0, 1.0], [2.0, 0.0]], [[0.0, 1.0], [0.0, 0.0]]])
    >>> mask = np.array([[True, True], [True, False]])
    >>> targets.inverse_transform(targets.best_tags(scores, mask)[mask], lengths)
    [['N', 'D'], ['N']]
    """

    _STATE = ("classes_",)

    def fit(self, y: np.ndarray, classes=None) -> StepLabels:
        """Learn the tags of checked ``y`` (an object array of label arrays) or ``classes``."""
        known = np.concatenate(list(y)) if classes is None else classes
        self.classes_ = LabelEncoder().fit(known).classes_
        return self

    def transform(self, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Every step's tag id, concatenated (int64), and each sequence's length."""
        flat = np.concatenate(list(y))
        unseen = np.setdiff1d(np.unique(flat), self.classes_)
        if len(unseen):
            raise ValueError(
                f"y contains labels not seen in fit: {unseen.tolist()[:5]}; the tags are "
                f"{self.classes_.tolist()}."
            )
        encoder = LabelEncoder()
        encoder.classes_ = self.classes_
        ids = encoder.transform(flat).astype(np.int64)
        lengths = np.fromiter(map(len, y), dtype=np.int64, count=len(y))
        return ids, lengths

    def best_tags(
        self, scores: np.ndarray, mask: np.ndarray, crf: _crf.CRFScores | None = None
    ) -> np.ndarray:
        """Each step's tag id ``(B, T)``: the best path of ``crf``, or each step's argmax."""
        return _crf.viterbi(scores, mask, crf) if crf is not None else scores.argmax(2)

    def step_proba(
        self, scores: np.ndarray, mask: np.ndarray, crf: _crf.CRFScores | None = None
    ) -> np.ndarray:
        """Each step's tag probabilities ``(B, T, C)``: the CRF's marginals, or a softmax."""
        return _crf.marginals(scores, mask, crf) if crf is not None else softmax(scores, axis=2)

    def inverse_transform(self, ids: np.ndarray, lengths: np.ndarray) -> list[list]:
        """Flat tag ids (the steps of all sequences, in order) as one label list per sequence."""
        labels = self.classes_[ids].tolist()
        ends = np.cumsum(lengths).tolist()
        return [labels[end - n : end] for end, n in zip(ends, lengths.tolist(), strict=True)]
