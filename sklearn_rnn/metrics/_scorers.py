"""scikit-learn scorers for the sequence-labelling metrics: ``scoring=`` with ragged ``y``."""

from sklearn.metrics import make_scorer

from sklearn_rnn.metrics._entities import _check_mode, _check_scheme
from sklearn_rnn.metrics._scores import _shared_docs, entity_f1_score, token_accuracy


@_shared_docs
def make_entity_f1_scorer(scheme="IOB2", mode="default", average="micro"):
    """A scikit-learn scorer computing :func:`entity_f1_score` on ``estimator.predict(X)``.

    Parameters
    ----------
    {chunking_parameters}
    average : {"micro", "macro", "weighted"}, default="micro"
        How to combine entity types.

    Returns
    -------
    scorer : callable
        ``scorer(estimator, X, y)``, usable as ``scoring=`` in ``GridSearchCV``,
        ``cross_val_score`` and ``cross_validate`` with ragged ``y``. It warns as
        :func:`entity_f1_score` does.

    Examples
    --------
    >>> from sklearn.base import BaseEstimator
    >>> from sklearn_rnn.metrics import (
    ...     entity_f1_scorer, make_entity_f1_scorer, token_accuracy_scorer
    ... )
    >>> class Echo(BaseEstimator):  # a stand-in tagger that predicts its input
    ...     def predict(self, X):
    ...         return X
    >>> scorer = make_entity_f1_scorer(scheme="IOBES", mode="strict")
    >>> scorer(Echo(), [["S-LOC", "O"]], [["S-LOC", "O"]])
    1.0
    >>> entity_f1_scorer(Echo(), [["B-PER", "O"]], [["B-PER", "O"]])
    1.0
    >>> token_accuracy_scorer(Echo(), [["a", "b"]], [["a", "c"]])
    0.5
    """
    scheme, mode = _check_scheme(scheme), _check_mode(mode)
    if average not in ("micro", "macro", "weighted"):
        raise ValueError(
            f"average must be one of ['micro', 'macro', 'weighted'] for a scorer, got {average!r}."
        )
    return make_scorer(entity_f1_score, scheme=scheme, mode=mode, average=average)


# The two ready-made scorers (their examples are make_entity_f1_scorer's).
#: Scorer for :func:`token_accuracy`: ``scorer(estimator, X, y)``.
token_accuracy_scorer = make_scorer(token_accuracy)
#: Scorer for :func:`entity_f1_score` (IOB2, default mode, micro): ``scorer(estimator, X, y)``.
entity_f1_scorer = make_entity_f1_scorer()
