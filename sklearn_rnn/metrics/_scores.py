"""Token accuracy; entity-level precision, recall and F1 with seqeval's zero-division warnings."""

import itertools
import operator
import warnings
from collections import defaultdict

from sklearn.exceptions import UndefinedMetricWarning

from sklearn_rnn.metrics._entities import _check_mode, _check_scheme, _entities

_AVERAGES = ("micro", "macro", "weighted", None)

# Parameter descriptions shared by the entity scores' docstrings and the scorer factory's.
_DOC_PARAMETERS = {
    "{y_parameters}": """y_true : sequence of sequences of str
        True tags, one sequence per sample.
    y_pred : sequence of sequences of str
        Predicted tags, with the same number of sequences and the same lengths as ``y_true``.""",
    "{chunking_parameters}": """scheme : {"IOB2", "IOB1", "IOBES", "BILOU"}, default="IOB2"
        Tagging scheme (aliases ``"BIO"``, ``"BIOES"``); see :func:`get_entities`.
    mode : {"default", "strict"}, default="default"
        Chunking convention; see :func:`get_entities`.""",
}


def _shared_docs(func):
    """``func``, the shared parameter descriptions put into its docstring at their markers."""
    for marker, text in _DOC_PARAMETERS.items():
        if func.__doc__:  # None under python -OO
            func.__doc__ = func.__doc__.replace(marker, text)
    return func


# ---------------------------------------------------------------------------- validation


def _check_average(average):
    if average not in _AVERAGES:
        raise ValueError(f"average must be one of {list(_AVERAGES)}, got {average!r}.")
    return average


def _as_sequences(y, name):
    """``y`` as a list of lists of labels; TypeError for anything that is not ragged labels."""
    if isinstance(y, (str, bytes)) or not hasattr(y, "__iter__"):
        raise TypeError(
            f"{name} must be a sequence of label sequences (a list of lists), "
            f"got {type(y).__name__}."
        )
    sequences = []
    for i, seq in enumerate(y):
        if isinstance(seq, (str, bytes)) or not hasattr(seq, "__iter__"):
            raise TypeError(
                f"{name} must be a sequence of label sequences (a list of lists), "
                f"but {name}[{i}] is a {type(seq).__name__}."
            )
        sequences.append(seq.tolist() if hasattr(seq, "tolist") else list(seq))
    return sequences


def _check_pair(y_true, y_pred):
    """Both arguments as lists of lists with matching numbers of sequences and lengths."""
    y_true = _as_sequences(y_true, "y_true")
    y_pred = _as_sequences(y_pred, "y_pred")
    if len(y_pred) != len(y_true):
        raise ValueError(f"y_pred has {len(y_pred)} sequences but y_true has {len(y_true)}.")
    if not y_true:
        raise ValueError("y_true is empty: there is nothing to score.")
    for i, (seq_true, seq_pred) in enumerate(zip(y_true, y_pred, strict=True)):
        if len(seq_pred) != len(seq_true):
            raise ValueError(
                f"y_pred[{i}] has {len(seq_pred)} labels but y_true[{i}] has {len(seq_true)}."
            )
    return y_true, y_pred


# ---------------------------------------------------------------------------- token accuracy


def token_accuracy(y_true, y_pred):
    """Fraction of positions, over all sequences, where the predicted label is the true one.

    Parameters
    ----------
    y_true : sequence of sequences
        True labels, one sequence per sample (lists or 1-D arrays of any hashable labels).
    y_pred : sequence of sequences
        Predicted labels, with the same number of sequences and the same lengths as ``y_true``.

    Returns
    -------
    accuracy : float
        Correct labels divided by the total number of labels.

    Examples
    --------
    >>> from sklearn_rnn.metrics import token_accuracy
    >>> token_accuracy([["DET", "NOUN"], ["VERB"]], [["DET", "VERB"], ["VERB"]])
    0.6666666666666666
    """
    y_true, y_pred = _check_pair(y_true, y_pred)
    total = sum(map(len, y_true))
    if total == 0:
        raise ValueError("y_true contains no labels: every sequence is empty.")
    correct = sum(map(bool, map(operator.eq, itertools.chain(*y_true), itertools.chain(*y_pred))))
    return correct / total


# ---------------------------------------------------------------------------- entity counts


def _entity_counts(y_true, y_pred, scheme, mode):
    """Per entity type (sorted): (true positives, predicted entities, true entities)."""
    scheme, mode = _check_scheme(scheme), _check_mode(mode)
    y_true, y_pred = _check_pair(y_true, y_pred)
    found = {"true": defaultdict(set), "pred": defaultdict(set)}
    for which, sequences in (("true", y_true), ("pred", y_pred)):
        for i, seq in enumerate(sequences):
            for type_, start, end in _entities(seq, scheme, mode):
                found[which][type_].add((i, start, end))
    true, pred = found["true"], found["pred"]
    return {
        type_: (len(true[type_] & pred[type_]), len(pred[type_]), len(true[type_]))
        for type_ in sorted(set(true) | set(pred))
    }


def _pooled(counts):
    """The counts of all types added up: ``(0, 0, 0)`` when there is no entity at all."""
    return tuple(sum(c[k] for c in counts.values()) for k in range(3))


def _warn_undefined(counts, average, f1_only):
    """Warn of each ratio that is set to 0.0 for want of entities, as seqeval 1.2.2 does.

    seqeval's ``precision_recall_fscore_support`` (which its ``classification_report`` calls for
    the per-type rows and for each average) warns of each undefined precision and recall; its
    ``f1_score`` (``f1_only``) only of an F1 with neither a true nor a predicted entity. The
    rows checked are the pooled counts for ``"micro"`` and the per-type ones otherwise; with no
    type at all ``"macro"`` is checked like ``"micro"`` (seqeval averages an empty array to nan
    there, we return 0.0).
    The messages are seqeval's, less its advice on a ``zero_division`` parameter.
    """
    if average == "micro" or (average == "macro" and not counts):
        rows = [_pooled(counts)]
    else:
        rows = list(counts.values())
    if f1_only:
        checks = [("F-score is", "true nor predicted", lambda row: row[1] == row[2] == 0)]
    else:
        checks = [
            ("Precision and F-score are", "predicted", lambda row: row[1] == 0),
            ("Recall and F-score are", "true", lambda row: row[2] == 0),
        ]
    where = "due to" if len(rows) == 1 else "in labels with"
    for subject, modifier, is_undefined in checks:
        if any(map(is_undefined, rows)):
            warnings.warn(
                f"{subject} ill-defined and being set to 0.0 {where} no {modifier} samples.",
                UndefinedMetricWarning,
                stacklevel=3,  # the caller of the public function that called this one
            )


def _divide(numerator, denominator):
    return numerator / denominator if denominator else 0.0


def _prf(tp, n_pred, n_true):
    precision, recall = _divide(tp, n_pred), _divide(tp, n_true)
    return precision, recall, _divide(2 * precision * recall, precision + recall)


def _average(counts, average):
    if average == "micro":
        return _prf(*_pooled(counts))
    per_type = [_prf(*c) for c in counts.values()]
    if average == "macro":
        weights = [1] * len(per_type)
    else:  # weighted by support, the number of true entities of each type
        weights = [n_true for _, _, n_true in counts.values()]
    total = sum(weights)
    if total == 0:
        return (0.0,) * 3
    return tuple(
        sum(w * s[k] for w, s in zip(weights, per_type, strict=True)) / total for k in range(3)
    )


def _scores(counts, average):
    if average is None:
        return {type_: _prf(*c) for type_, c in counts.items()}
    return _average(counts, average)


# ---------------------------------------------------------------------------- entity scores


@_shared_docs
def entity_precision_recall_f1(y_true, y_pred, scheme="IOB2", mode="default", average="micro"):
    """Entity-level precision, recall and F1 score.

    An entity counts as correct only when its type, start and end all match a true entity.

    Parameters
    ----------
    {y_parameters}
    {chunking_parameters}
    average : {"micro", "macro", "weighted"} or None, default="micro"
        ``"micro"`` pools the counts of all types, ``"macro"`` averages the per-type scores,
        ``"weighted"`` averages them weighted by the number of true entities of each type;
        ``None`` returns the per-type scores.

    Returns
    -------
    precision, recall, f1 : float
        The averaged scores. A ratio whose denominator is zero is 0.0, as in seqeval.
    per_type : dict of str to (float, float, float)
        Only when ``average=None``: ``(precision, recall, f1)`` of each entity type, sorted.

    Warns
    -----
    UndefinedMetricWarning
        For a precision with no predicted entity and a recall with no true entity (pooled for
        ``"micro"``, of some type otherwise), as seqeval's ``precision_recall_fscore_support``
        does; see :mod:`sklearn_rnn.metrics`.

    Examples
    --------
    >>> from sklearn_rnn.metrics import entity_precision_recall_f1
    >>> y_true = [["B-PER", "I-PER", "O", "B-LOC"], ["B-ORG", "O"]]
    >>> y_pred = [["B-PER", "O", "O", "B-LOC"], ["B-ORG", "B-ORG"]]
    >>> entity_precision_recall_f1(y_true, y_pred)
    (0.5, 0.6666666666666666, 0.5714285714285715)
    >>> entity_precision_recall_f1(y_true, y_pred, average=None)["ORG"]
    (0.5, 1.0, 0.6666666666666666)
    """
    counts = _entity_counts(y_true, y_pred, scheme, mode)
    average = _check_average(average)
    _warn_undefined(counts, average, f1_only=False)
    return _scores(counts, average)


@_shared_docs
def entity_f1_score(y_true, y_pred, scheme="IOB2", mode="default", average="micro"):
    """Entity-level F1 score, the usual headline metric for named-entity recognition.

    Parameters
    ----------
    {y_parameters}
    {chunking_parameters}
    average : {"micro", "macro", "weighted"} or None, default="micro"
        How to combine entity types; ``None`` returns a dict of per-type F1 scores.

    Returns
    -------
    f1 : float or dict of str to float
        The F1 score, or the per-type scores when ``average=None``.

    Warns
    -----
    UndefinedMetricWarning
        When there is no entity at all to score: with ``average="micro"``, as seqeval's
        ``f1_score`` does, and with ``"macro"`` (where seqeval gives nan); see
        :mod:`sklearn_rnn.metrics`.

    Examples
    --------
    >>> from sklearn_rnn.metrics import entity_f1_score
    >>> y_true = [["O", "B-MISC", "I-MISC", "O"], ["B-PER", "I-PER"]]
    >>> y_pred = [["O", "I-MISC", "I-MISC", "O"], ["B-PER", "O"]]
    >>> entity_f1_score(y_true, y_pred)                 # I- after O opens a chunk
    0.5
    >>> entity_f1_score(y_true, y_pred, mode="strict")  # ... but not in strict IOB2
    0.0
    """
    counts = _entity_counts(y_true, y_pred, scheme, mode)
    average = _check_average(average)
    _warn_undefined(counts, average, f1_only=True)
    scores = _scores(counts, average)
    if average is None:
        return {type_: f1 for type_, (_, _, f1) in scores.items()}
    return scores[2]


@_shared_docs
def entity_classification_report(y_true, y_pred, scheme="IOB2", mode="default"):
    """Precision, recall, F1 and support of each entity type and of their averages.

    Parameters
    ----------
    {y_parameters}
    {chunking_parameters}

    Returns
    -------
    report : dict of str to dict
        One entry per entity type (sorted), then ``"micro avg"``, ``"macro avg"`` and
        ``"weighted avg"``; each maps ``"precision"``, ``"recall"``, ``"f1-score"`` and
        ``"support"`` (the number of true entities) to its value, as in
        ``sklearn.metrics.classification_report(..., output_dict=True)``.

    Warns
    -----
    UndefinedMetricWarning
        As :func:`entity_precision_recall_f1` does for the per-type rows and for each average,
        in that order, as seqeval's ``classification_report`` does.

    Examples
    --------
    >>> from sklearn_rnn.metrics import entity_classification_report
    >>> y_true = [["B-PER", "I-PER", "O", "B-LOC"]]
    >>> y_pred = [["B-PER", "I-PER", "B-LOC", "B-LOC"]]
    >>> report = entity_classification_report(y_true, y_pred)
    >>> report["LOC"]
    {'precision': 0.5, 'recall': 1.0, 'f1-score': 0.6666666666666666, 'support': 1}
    >>> report["micro avg"]
    {'precision': 0.6666666666666666, 'recall': 1.0, 'f1-score': 0.8, 'support': 2}
    """
    counts = _entity_counts(y_true, y_pred, scheme, mode)
    for average in (None, "micro", "macro", "weighted"):
        _warn_undefined(counts, average, f1_only=False)
    support = sum(n_true for _, _, n_true in counts.values())
    rows = {type_: (_prf(*c), c[2]) for type_, c in counts.items()}
    for average in ("micro", "macro", "weighted"):
        rows[f"{average} avg"] = (_average(counts, average), support)
    keys = ("precision", "recall", "f1-score")
    return {
        name: {**dict(zip(keys, scores, strict=True)), "support": n_true}
        for name, (scores, n_true) in rows.items()
    }
