"""JSON as the model files hold it: standard JSON only, no ``NaN`` or ``Infinity``.

The model file's ``config.json`` (:mod:`sklearn_rnn.persistence`) and the served
model's metadata (:mod:`sklearn_rnn.serving`) are written with ``allow_nan=False``; a
document holding the non-standard constants was not written by this library.
"""

from __future__ import annotations

import json


def _reject_constant(name: str):
    raise ValueError(f"non-standard JSON constant {name}")


def strict_json_loads(text: str | bytes):
    """Parse ``text`` as standard JSON; ``ValueError`` for anything else, ``NaN`` included.

    Examples
    --------
    >>> strict_json_loads('{"lr": 0.01}')
    {'lr': 0.01}
    >>> strict_json_loads('{"lr": NaN}')
    Traceback (most recent call last):
    ...
    ValueError: non-standard JSON constant NaN
    """
    return json.loads(text, parse_constant=_reject_constant)
