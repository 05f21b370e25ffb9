"""Metrics for sequence labelling: token accuracy, entity-level scores and scikit-learn scorers.

``y_true`` and ``y_pred`` are ragged: a list of label sequences (lists, tuples or 1-D numpy
arrays), one per input sequence, with matching lengths.

Entity ("chunk") scores follow the two conventions of `seqeval
<https://github.com/chakki-works/seqeval>`_, so numbers can be compared with published ones:

* ``mode="default"``: the chunking rules of the CoNLL ``conlleval`` script, which read any mix of
  ``B-``/``I-``/``E-``/``S-``/``O`` tags leniently (an ``I-`` after ``O`` opens a chunk, a type
  change closes one). The result does not depend on ``scheme``, except that ``scheme="BILOU"``
  reads ``L-`` and ``U-`` as ``E-`` and ``S-``.
* ``mode="strict"``: only chunks that are well formed under ``scheme`` count, and a tag whose
  prefix the scheme does not allow is an error.

Entities are ``(type, start, end)`` tuples with an **inclusive** ``end``, as in seqeval.
"""

import itertools
import operator
from collections import defaultdict

from sklearn.metrics import make_scorer

__all__ = [
    "entity_classification_report",
    "entity_f1_score",
    "entity_f1_scorer",
    "entity_precision_recall_f1",
    "get_entities",
    "make_entity_f1_scorer",
    "token_accuracy",
    "token_accuracy_scorer",
]

_SCHEME_ALIASES = {
    "IOB1": "IOB1",
    "IOB2": "IOB2",
    "BIO": "IOB2",
    "IOBES": "IOBES",
    "BIOES": "IOBES",
    "BILOU": "BILOU",
}
_MODES = ("default", "strict")
_AVERAGES = ("micro", "macro", "weighted", None)

# Strict chunking rules, one table per scheme. A rule "PC=" matches a pair of consecutive tags
# whose prefixes are P (previous) and C (current); "*" stands for any prefix. The last character
# constrains the entity types: "=" same, "!" different, "*" any. A chunk opens at a tag matching
# a `start` rule, extends over tags matching an `inside` rule, and counts only when the tag after
# it matches an `end` rule (the sequence is followed by an implicit "O"). These are the
# semantics of seqeval's `seqeval.scheme` classes.
_STRICT_RULES = {
    "IOB1": {
        "allowed": "IOB",
        "start": ("OI*", "II!", "BI*", "IB=", "BB="),
        "inside": ("BI=", "II="),
        "end": ("II!", "IO*", "IB*", "BO*", "BI!", "BB="),
    },
    "IOB2": {
        "allowed": "IOB",
        "start": ("*B*",),
        "inside": ("BI=", "II="),
        "end": ("IO*", "II!", "IB*", "BO*", "BI!", "BB*"),
    },
    "IOBES": {
        "allowed": "IOBES",
        "start": ("*B*", "*S*"),
        "inside": ("BI=", "BE=", "II=", "IE="),
        "end": ("S**", "E**"),
    },
    "BILOU": {
        "allowed": "BILOU",
        "start": ("*B*", "*U*"),
        "inside": ("BI=", "BL=", "II=", "IL="),
        "end": ("U**", "L**"),
    },
}
_OUTSIDE = ("O", "_")


# ---------------------------------------------------------------------------- validation


def _check_scheme(scheme):
    key = scheme.upper() if isinstance(scheme, str) else None
    if key not in _SCHEME_ALIASES:
        raise ValueError(f"scheme must be one of {sorted(_SCHEME_ALIASES)}, got {scheme!r}.")
    return _SCHEME_ALIASES[key]


def _check_mode(mode):
    if mode not in _MODES:
        raise ValueError(f"mode must be one of {list(_MODES)}, got {mode!r}.")
    return mode


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


def _split_tag(label, allowed, scheme, mode):
    """``'B-PER'`` -> ``('B', 'PER')``; ``'O'`` -> ``('O', '_')``; a bare ``'B'`` has type '_'."""
    if not isinstance(label, str):
        raise TypeError(
            f"entity labels must be strings such as 'B-PER' or 'O', got {label!r} "
            f"of type {type(label).__name__}."
        )
    prefix = label[:1]
    if not prefix or prefix not in allowed or (len(label) > 1 and label[1] != "-"):
        raise ValueError(
            f"label {label!r} is not a valid tag for scheme={scheme!r}, mode={mode!r}: "
            f"expected 'O' or a prefix in {sorted(set(allowed) - {'O'})} followed by "
            f"'-' and the entity type, such as 'B-PER'."
        )
    return prefix, label[2:] or "_"


# ---------------------------------------------------------------------------- chunking


def _conll_ends(prev, cur):
    """Whether a chunk ends just before ``cur`` (conlleval rules, prefixes in BIESO)."""
    (prev_prefix, prev_type), (prefix, type_) = prev, cur
    if prev_prefix == "O":
        return False
    return prev_prefix in "ES" or prefix in "BSO" or prev_type != type_


def _conll_starts(prev, cur):
    """Whether a chunk starts at ``cur`` (conlleval rules, prefixes in BIESO)."""
    (prev_prefix, prev_type), (prefix, type_) = prev, cur
    if prefix == "O":
        return False
    return prefix in "BS" or prev_prefix in "ESO" or prev_type != type_


def _default_entities(tags):
    entities = []
    prev, start = _OUTSIDE, 0
    for i, cur in enumerate([*tags, _OUTSIDE]):
        if _conll_ends(prev, cur):
            entities.append((prev[1], start, i - 1))
        if _conll_starts(prev, cur):
            start = i
        prev = cur
    return entities


def _matches(rules, prev, cur):
    same_type = prev[1] == cur[1]
    for prev_prefix, prefix, types in rules:
        if (
            prev_prefix in ("*", prev[0])
            and prefix in ("*", cur[0])
            and (types == "*" or (types == "=") == same_type)
        ):
            return True
    return False


def _strict_entities(tags, rules):
    tags = [*tags, _OUTSIDE]  # no rule lets "O" be inside a chunk, so every scan stops here
    entities = []
    i, prev = 0, _OUTSIDE
    while i < len(tags):
        if _matches(rules["start"], prev, tags[i]):
            stop = i + 1
            while _matches(rules["inside"], tags[stop - 1], tags[stop]):
                stop += 1
            if _matches(rules["end"], tags[stop - 1], tags[stop]):
                entities.append((tags[i][1], i, stop - 1))
            i = stop  # the scan resumes at the tag that broke the chunk
        else:
            i += 1
        prev = tags[i - 1]
    return entities


def _entities(seq, scheme, mode):
    if mode == "strict":
        rules = _STRICT_RULES[scheme]
        return _strict_entities([_split_tag(t, rules["allowed"], scheme, mode) for t in seq], rules)
    if scheme == "BILOU":
        tags = [_split_tag(t, "BIESOLU", scheme, mode) for t in seq]
        tags = [({"L": "E", "U": "S"}.get(p, p), typ) for p, typ in tags]
    else:
        tags = [_split_tag(t, "BIESO", scheme, mode) for t in seq]
    return _default_entities(tags)


def get_entities(seq, scheme="IOB2", mode="default"):
    """Entities (chunks) of one tag sequence.

    Parameters
    ----------
    seq : sequence of str
        Tags of one sequence, such as ``["B-PER", "I-PER", "O"]``.
    scheme : {"IOB2", "IOB1", "IOBES", "BILOU"}, default="IOB2"
        Tagging scheme, case-insensitive; ``"BIO"`` is accepted for IOB2 and ``"BIOES"`` for
        IOBES.
    mode : {"default", "strict"}, default="default"
        ``"default"`` chunks like conlleval and seqeval's ``get_entities``; ``"strict"`` keeps
        only chunks well formed under ``scheme``, like seqeval's ``mode="strict"``.

    Returns
    -------
    entities : list of (str, int, int)
        ``(type, start, end)`` of each entity in order, ``end`` inclusive.

    Examples
    --------
    >>> from sklearn_rnn.metrics import get_entities
    >>> get_entities(["B-PER", "I-PER", "O", "B-LOC"])
    [('PER', 0, 1), ('LOC', 3, 3)]
    >>> get_entities(["O", "I-PER", "I-PER"])                 # conlleval opens a chunk at I-
    [('PER', 1, 2)]
    >>> get_entities(["O", "I-PER", "I-PER"], mode="strict")  # IOB2 needs a B- first
    []
    >>> get_entities(["S-LOC", "B-PER", "E-PER"], scheme="IOBES", mode="strict")
    [('LOC', 0, 0), ('PER', 1, 2)]
    """
    scheme, mode = _check_scheme(scheme), _check_mode(mode)
    if isinstance(seq, (str, bytes)) or not hasattr(seq, "__iter__"):
        raise TypeError(f"seq must be a sequence of tags, got {type(seq).__name__}.")
    return _entities(list(seq), scheme, mode)


# ---------------------------------------------------------------------------- scores


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


def _divide(numerator, denominator):
    return numerator / denominator if denominator else 0.0


def _prf(tp, n_pred, n_true):
    precision, recall = _divide(tp, n_pred), _divide(tp, n_true)
    return precision, recall, _divide(2 * precision * recall, precision + recall)


def _average(counts, average):
    if average == "micro":
        return _prf(*map(sum, zip(*counts.values(), strict=True))) if counts else (0.0,) * 3
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


def entity_precision_recall_f1(y_true, y_pred, scheme="IOB2", mode="default", average="micro"):
    """Entity-level precision, recall and F1 score.

    An entity counts as correct only when its type, start and end all match a true entity.

    Parameters
    ----------
    y_true : sequence of sequences of str
        True tags, one sequence per sample.
    y_pred : sequence of sequences of str
        Predicted tags, with the same number of sequences and the same lengths as ``y_true``.
    scheme : {"IOB2", "IOB1", "IOBES", "BILOU"}, default="IOB2"
        Tagging scheme (aliases ``"BIO"``, ``"BIOES"``); see :func:`get_entities`.
    mode : {"default", "strict"}, default="default"
        Chunking convention; see :func:`get_entities`.
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

    Examples
    --------
    >>> from sklearn_rnn.metrics import entity_precision_recall_f1
    >>> y_true = [["B-PER", "I-PER", "O", "B-LOC"], ["B-ORG", "O"]]
    >>> y_pred = [["B-PER", "I-PER", "O", "O"], ["B-ORG", "B-ORG"]]
    >>> entity_precision_recall_f1(y_true, y_pred)
    (0.6666666666666666, 0.6666666666666666, 0.6666666666666666)
    >>> entity_precision_recall_f1(y_true, y_pred, average=None)["LOC"]
    (0.0, 0.0, 0.0)
    """
    counts = _entity_counts(y_true, y_pred, scheme, mode)
    if _check_average(average) is None:
        return {type_: _prf(*c) for type_, c in counts.items()}
    return _average(counts, average)


def entity_f1_score(y_true, y_pred, scheme="IOB2", mode="default", average="micro"):
    """Entity-level F1 score, the usual headline metric for named-entity recognition.

    Parameters
    ----------
    y_true : sequence of sequences of str
        True tags, one sequence per sample.
    y_pred : sequence of sequences of str
        Predicted tags, with the same number of sequences and the same lengths as ``y_true``.
    scheme : {"IOB2", "IOB1", "IOBES", "BILOU"}, default="IOB2"
        Tagging scheme (aliases ``"BIO"``, ``"BIOES"``); see :func:`get_entities`.
    mode : {"default", "strict"}, default="default"
        Chunking convention; see :func:`get_entities`.
    average : {"micro", "macro", "weighted"} or None, default="micro"
        How to combine entity types; ``None`` returns a dict of per-type F1 scores.

    Returns
    -------
    f1 : float or dict of str to float
        The F1 score, or the per-type scores when ``average=None``.

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
    scores = entity_precision_recall_f1(y_true, y_pred, scheme, mode, average)
    if average is None:
        return {type_: f1 for type_, (_, _, f1) in scores.items()}
    return scores[2]


def entity_classification_report(y_true, y_pred, scheme="IOB2", mode="default"):
    """Precision, recall, F1 and support of each entity type and of their averages.

    Parameters
    ----------
    y_true : sequence of sequences of str
        True tags, one sequence per sample.
    y_pred : sequence of sequences of str
        Predicted tags, with the same number of sequences and the same lengths as ``y_true``.
    scheme : {"IOB2", "IOB1", "IOBES", "BILOU"}, default="IOB2"
        Tagging scheme (aliases ``"BIO"``, ``"BIOES"``); see :func:`get_entities`.
    mode : {"default", "strict"}, default="default"
        Chunking convention; see :func:`get_entities`.

    Returns
    -------
    report : dict of str to dict
        One entry per entity type (sorted), then ``"micro avg"``, ``"macro avg"`` and
        ``"weighted avg"``; each maps ``"precision"``, ``"recall"``, ``"f1-score"`` and
        ``"support"`` (the number of true entities) to its value, as in
        ``sklearn.metrics.classification_report(..., output_dict=True)``.

    Examples
    --------
    >>> from sklearn_rnn.metrics import entity_classification_report
    >>> y_true = [["B-PER", "I-PER", "O", "B-LOC"]]
    >>> y_pred = [["B-PER", "I-PER", "O", "O"]]
    >>> report = entity_classification_report(y_true, y_pred)
    >>> report["PER"]
    {'precision': 1.0, 'recall': 1.0, 'f1-score': 1.0, 'support': 1}
    >>> report["micro avg"]
    {'precision': 1.0, 'recall': 0.5, 'f1-score': 0.6666666666666666, 'support': 2}
    """
    counts = _entity_counts(y_true, y_pred, scheme, mode)
    support = sum(n_true for _, _, n_true in counts.values())
    rows = {type_: (_prf(*c), c[2]) for type_, c in counts.items()}
    for average in ("micro", "macro", "weighted"):
        rows[f"{average} avg"] = (_average(counts, average), support)
    keys = ("precision", "recall", "f1-score")
    return {
        name: {**dict(zip(keys, scores, strict=True)), "support": n_true}
        for name, (scores, n_true) in rows.items()
    }


# ---------------------------------------------------------------------------- scorers


def make_entity_f1_scorer(scheme="IOB2", mode="default", average="micro"):
    """A scikit-learn scorer computing :func:`entity_f1_score` on ``estimator.predict(X)``.

    Parameters
    ----------
    scheme : {"IOB2", "IOB1", "IOBES", "BILOU"}, default="IOB2"
        Tagging scheme (aliases ``"BIO"``, ``"BIOES"``); see :func:`get_entities`.
    mode : {"default", "strict"}, default="default"
        Chunking convention; see :func:`get_entities`.
    average : {"micro", "macro", "weighted"}, default="micro"
        How to combine entity types.

    Returns
    -------
    scorer : callable
        ``scorer(estimator, X, y)``, usable as ``scoring=`` in ``GridSearchCV``,
        ``cross_val_score`` and ``cross_validate`` with ragged ``y``.

    Examples
    --------
    >>> from sklearn_rnn.metrics import make_entity_f1_scorer
    >>> from sklearn.base import BaseEstimator
    >>> class Echo(BaseEstimator):  # a stand-in tagger that predicts its input
    ...     def predict(self, X):
    ...         return X
    >>> scorer = make_entity_f1_scorer(scheme="IOBES", mode="strict")
    >>> scorer(Echo(), [["S-LOC", "O"]], [["S-LOC", "O"]])
    1.0
    """
    scheme, mode = _check_scheme(scheme), _check_mode(mode)
    if average not in ("micro", "macro", "weighted"):
        raise ValueError(
            f"average must be one of ['micro', 'macro', 'weighted'] for a scorer, got {average!r}."
        )
    return make_scorer(entity_f1_score, scheme=scheme, mode=mode, average=average)


token_accuracy_scorer = make_scorer(token_accuracy)
_TOKEN_ACCURACY_SCORER_DOC = """Scorer for :func:`token_accuracy`: ``scorer(estimator, X, y)``.

Examples
--------
>>> from sklearn_rnn.metrics import token_accuracy_scorer
>>> from sklearn.base import BaseEstimator
>>> class Echo(BaseEstimator):  # a stand-in tagger that predicts its input
...     def predict(self, X):
...         return X
>>> token_accuracy_scorer(Echo(), [["a", "b"]], [["a", "c"]])
0.5
"""

entity_f1_scorer = make_entity_f1_scorer()
_ENTITY_F1_SCORER_DOC = """Scorer for :func:`entity_f1_score` (IOB2, default mode, micro).

Examples
--------
>>> from sklearn_rnn.metrics import entity_f1_scorer
>>> from sklearn.base import BaseEstimator
>>> class Echo(BaseEstimator):  # a stand-in tagger that predicts its input
...     def predict(self, X):
...         return X
>>> entity_f1_scorer(Echo(), [["B-PER", "O"]], [["B-PER", "O"]])
1.0
"""

# The scorers are objects, not functions: register their examples with doctest explicitly.
__test__ = {
    "token_accuracy_scorer": _TOKEN_ACCURACY_SCORER_DOC,
    "entity_f1_scorer": _ENTITY_F1_SCORER_DOC,
}
