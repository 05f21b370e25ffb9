"""Metrics for sequence labelling: token accuracy, entity-level scores and scikit-learn scorers;
for output sequences of their own length (:class:`~sklearn_rnn.RNNSeq2Seq`): edit distance,
token (phone, character) error rate and sequence (word) error rate, with their scorers.

``y_true`` and ``y_pred`` are ragged: a list of label sequences (lists, tuples or 1-D numpy
arrays), one per input sequence, with matching lengths.

Entity ("chunk") scores follow the two conventions of `seqeval
<https://github.com/chakki-works/seqeval>`_, so numbers can be compared with published ones:

* ``mode="default"``: seqeval's default chunking, which reads any mix of
  ``B-``/``I-``/``E-``/``S-``/``O`` tags leniently (an ``I-`` after ``O`` opens a chunk, a type
  change closes one). On ``B-``/``I-``/``O`` tags (IOB1, IOB2) and on ``I-``/``E-``/``O`` tags
  (IOE) these are the rules of the CoNLL ``conlleval`` script, the cases seqeval's test suite
  checks against ``conlleval.pl``. The ``S-`` tag, and an ``E-`` mixed with ``B-``, follow
  seqeval's own extension, which ``conlleval.pl`` does not share: it has no ``S-`` prefix and
  does not close a chunk at ``E-`` before a ``B-`` of the same type (``E-PER B-PER`` is one
  chunk there, two in seqeval and here). The result does not depend on ``scheme``, except that
  ``scheme="BILOU"`` reads ``L-`` and ``U-`` as ``E-`` and ``S-``.
* ``mode="strict"``: only chunks that are well formed under ``scheme`` count, and a tag whose
  prefix the scheme does not allow is an error.

Entities are ``(type, start, end)`` tuples with an **inclusive** ``end``, as in seqeval.

A precision with no predicted entity, a recall with no true entity and an F1 built on them are
0.0, and warn with a :class:`sklearn.exceptions.UndefinedMetricWarning` where seqeval 1.2.2
does, with its messages (less its advice on a ``zero_division`` parameter, which these
functions do not have). :func:`entity_precision_recall_f1` warns of every undefined precision
and recall: of the pooled counts for ``average="micro"``, of some entity type otherwise;
:func:`entity_classification_report` warns so for its per-type rows and for each average;
:func:`entity_f1_score` and the entity-F1 scorers warn only when there is neither a true nor a
predicted entity to score. With no entity at all, ``average="weighted"`` is 0.0 without a
warning, as in seqeval, and ``average="macro"`` is 0.0 and warns as ``"micro"`` does (where
seqeval averages an empty array, to nan).
"""

from sklearn_rnn.metrics._edit_distance import (
    edit_distance,
    neg_token_error_rate_scorer,
    sequence_accuracy,
    sequence_accuracy_scorer,
    sequence_error_rate,
    token_error_rate,
)
from sklearn_rnn.metrics._entities import get_entities
from sklearn_rnn.metrics._scorers import (
    entity_f1_scorer,
    make_entity_f1_scorer,
    token_accuracy_scorer,
)
from sklearn_rnn.metrics._scores import (
    entity_classification_report,
    entity_f1_score,
    entity_precision_recall_f1,
    token_accuracy,
)

__all__ = [
    "edit_distance",
    "entity_classification_report",
    "entity_f1_score",
    "entity_f1_scorer",
    "entity_precision_recall_f1",
    "get_entities",
    "make_entity_f1_scorer",
    "neg_token_error_rate_scorer",
    "sequence_accuracy",
    "sequence_accuracy_scorer",
    "sequence_error_rate",
    "token_accuracy",
    "token_accuracy_scorer",
    "token_error_rate",
]
