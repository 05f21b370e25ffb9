"""Target encoders, without torch: the user's targets <-> what the networks learn and output.

One encoder per task, shared by the estimators (``target_encoder_``), the model file
(:mod:`sklearn_rnn.persistence`) and the served model (:mod:`sklearn_rnn.serving`), so
that raw outputs decode in one place: ``predict`` is ``inverse_transform`` of them.

- :class:`LabelTargets`: one label per sequence, or a multilabel indicator matrix
  (:class:`~sklearn_rnn.RNNClassifier`);
- :class:`ScaledValues`: values standardized per column (:class:`~sklearn_rnn.RNNRegressor`);
- :class:`StepLabels`: one label per step, decoded by argmax or a CRF's best path
  (:class:`~sklearn_rnn.RNNTagger`; the numpy Viterbi and marginals are in ``_crf``);
- :class:`SequenceTargets`: output sequences (:class:`~sklearn_rnn.RNNSeq2Seq`).

A folder rather than one file: four encoders, the CRF's decoding and the multilabel
checks are unrelated enough (and together too long) for one file.

Examples
--------
>>> import numpy as np
>>> targets = LabelTargets().fit(np.array([3, 1, 3]))
>>> rebuilt = TARGET_ENCODERS["LabelTargets"].from_state(targets.state())
>>> rebuilt.inverse_transform(np.array([[0.0, 1.0]])).tolist()
[3]
"""

from sklearn_rnn._targets._crf import CRFScores, marginals, viterbi
from sklearn_rnn._targets._labels import LabelTargets
from sklearn_rnn._targets._sequences import SequenceTargets, check_targets
from sklearn_rnn._targets._state import TargetState
from sklearn_rnn._targets._step_labels import StepLabels
from sklearn_rnn._targets._values import ScaledValues

# The encoders a model file or a served model's config may name.
TARGET_ENCODERS: dict[str, type[TargetState]] = {
    cls.__name__: cls for cls in (LabelTargets, ScaledValues, StepLabels, SequenceTargets)
}

__all__ = [
    "TARGET_ENCODERS",
    "CRFScores",
    "LabelTargets",
    "ScaledValues",
    "SequenceTargets",
    "StepLabels",
    "TargetState",
    "check_targets",
    "marginals",
    "viterbi",
]
