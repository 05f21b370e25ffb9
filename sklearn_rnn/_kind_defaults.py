"""What ``"auto"`` means for the hyperparameters whose best value depends on the input.

Token input (text, token lists, id lists) and numeric series want different networks:
embeddings of tens of thousands of words need dropout and a gentle learning rate, while
a few dozen standardized series need neither dropout (it would erase their only
feature) nor a small step size (measured on GunPoint, ItalyPowerDemand and BasicMotions;
``benchmarks/baselines.py``). ``"auto"`` picks the row of the input's kind.
"""

from __future__ import annotations

from sklearn_rnn import _validation as v

#: The value ``"auto"`` takes, by input kind.
KIND_DEFAULTS = {
    "tokens": {"hidden_size": 128, "dropout": 0.5, "lr": 2e-3, "pooling": "max"},
    "numeric": {"hidden_size": 64, "dropout": 0.0, "lr": 1e-2, "pooling": "max"},
}

#: The hyperparameters that accept ``"auto"``.
KIND_DEPENDENT = ("hidden_size", "dropout", "lr", "pooling")


def resolve_for_kind(name: str, value, kind: str):
    """``value``, or the default of ``kind``'s row when it is ``"auto"``.

    Examples
    --------
    >>> resolve_for_kind("lr", "auto", "text"), resolve_for_kind("lr", "auto", "numeric")
    (0.002, 0.01)
    >>> resolve_for_kind("hidden_size", 32, "text")
    32
    """
    if not (isinstance(value, str) and value == "auto"):
        return value
    row = "tokens" if kind in v.TOKEN_KINDS else "numeric"
    return KIND_DEFAULTS[row][name]
