"""What ``"auto"`` means for the hyperparameters whose best value depends on the input.

Token input (text, token lists, id lists) and numeric series want different networks:
embeddings of tens of thousands of words need dropout, while a few dozen standardized
series need none (it would erase their only feature) but gain from convolutions that
see local shapes beside the recurrent layers (measured on GunPoint, ItalyPowerDemand
and BasicMotions; ``benchmarks/baselines.py``); text gains from a linear model over
its word and word-pair counts beside the recurrent layers (``wide_ngrams``: MR and
Subj, ``benchmarks/text.py``). ``"auto"`` picks the row of the input's kind.
"""

from __future__ import annotations

from sklearn_rnn.encoding import _validation as v
from sklearn_rnn.nn._convolution import FCN_BLOCKS

#: The value ``"auto"`` takes, by input kind.
KIND_DEFAULTS = {
    "tokens": {
        "hidden_size": 128,
        "dropout": 0.5,
        "lr": 2e-3,
        "pooling": "max",
        "conv_blocks": None,
        # Measured worse with cosine: EWT 0.942 against 0.949, MR's first two folds -1 point.
        "lr_schedule": "constant",
        "wide_ngrams": 2,  # sklearn_rnn.nn._wide; benchmarks/text.py
    },
    "numeric": {
        "hidden_size": 64,
        "dropout": 0.0,
        "lr": 3e-3,
        "pooling": "max",
        "conv_blocks": FCN_BLOCKS,
        "lr_schedule": "cosine",  # GunPoint 0.967 -> 1.000, airline MAE 37.3 -> 33.4
        "wide_ngrams": None,  # no words to count
    },
}

#: The hyperparameters whose ``"auto"`` is their kind's row (``lr_schedule`` has more
#: rules: :func:`sklearn_rnn._base._training_budget.resolve_lr_schedule`).
KIND_DEPENDENT = ("hidden_size", "dropout", "lr", "pooling", "conv_blocks", "wide_ngrams")


#: The regressor's table: no convolutions on series. On airline's sliding windows they
#: doubled the error (MAE 50.8 against 33.4, ``benchmarks/baselines.py``) at 18x the fit time.
REGRESSOR_KIND_DEFAULTS = {
    **KIND_DEFAULTS,
    "numeric": {**KIND_DEFAULTS["numeric"], "conv_blocks": None},
}


def resolve_for_kind(name: str, value, kind: str, table: dict = KIND_DEFAULTS):
    """``value``, or the default of ``kind``'s row when it is ``"auto"``.

    Examples
    --------
    >>> resolve_for_kind("lr", "auto", "text"), resolve_for_kind("lr", "auto", "numeric")
    (0.002, 0.003)
    >>> resolve_for_kind("hidden_size", 32, "text")
    32
    """
    if not (isinstance(value, str) and value == "auto"):
        return value
    row = "tokens" if kind in v.TOKEN_KINDS else "numeric"
    return table[row][name]
