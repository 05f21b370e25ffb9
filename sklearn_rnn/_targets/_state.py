"""A target encoder's fitted state as plain values, for the model file and the serving config.

Both files store ``state()`` (numbers, strings, arrays, vocabularies: what their JSON
codecs hold) and rebuild the encoder with ``from_state``, which checks the state and
never runs code, so the estimator, a loaded model and the served model decode alike.
"""

from __future__ import annotations

import numpy as np


class TargetState:
    """``state()`` / ``from_state()`` over the fitted attributes named in ``_STATE``."""

    _STATE: tuple[str, ...] = ()

    def state(self) -> dict:
        """The fitted attributes, by name."""
        return {name: getattr(self, name) for name in self._STATE}

    @classmethod
    def from_state(cls, state: dict):
        """The encoder holding ``state``; ``ValueError`` or ``TypeError`` if it is malformed."""
        if not isinstance(state, dict) or set(state) != set(cls._STATE):
            names = sorted(state) if isinstance(state, dict) else type(state).__name__
            raise ValueError(f"a {cls.__name__} state holds {list(cls._STATE)}, got {names}")
        encoder = cls.__new__(cls)
        vars(encoder).update(state)
        encoder._check_state()
        return encoder

    def _check_state(self) -> None:
        """Raise ``ValueError``/``TypeError`` if the attributes cannot be this encoder's."""
        classes = getattr(self, "classes_", None)
        if "classes_" in self._STATE and not (
            isinstance(classes, np.ndarray) and classes.ndim == 1 and len(classes)
        ):
            raise TypeError("classes_ must be a non-empty 1D array")

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"
