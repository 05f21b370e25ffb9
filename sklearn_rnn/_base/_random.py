"""Random streams per fit, so that ``random_state`` means the same model in any thread.

torch has one process-wide generator. Seeding it in ``fit`` made concurrent fits (joblib's
threading backend, a Dask worker with several threads) draw from each other's stream.
Here each fit owns a :class:`torch.Generator`: it orders the batches, splits off the
validation data and seeds every step that still needs torch's global generator (weight
initialization in the layers' constructors, dropout inside the modules, a custom module's
own randomness). Those steps run under one process-wide lock, with the global generator
forked, seeded from the fit's stream and restored afterwards; they are short (building the
network, each training batch's forward pass), and backward passes run outside the lock.
"""

from __future__ import annotations

import numbers
import threading
from contextlib import contextmanager

import numpy as np
import torch

# Held while torch's global generator is seeded for one fit.
_GLOBAL_GENERATOR_LOCK = threading.RLock()
_SEED_BOUND = 2**62


def draw_seed(random_state) -> int:
    """A seed for one fit from the estimator's ``random_state``.

    An int is the seed; a :class:`numpy.random.RandomState` gives a draw from it (as
    scikit-learn's estimators do); None draws from torch's global generator, so
    ``torch.manual_seed`` before an unseeded fit still makes it repeatable.

    Examples
    --------
    >>> draw_seed(3)
    3
    >>> draw_seed(np.random.RandomState(0)) == draw_seed(np.random.RandomState(0))
    True
    """
    if isinstance(random_state, numbers.Integral):
        return int(random_state)
    if isinstance(random_state, np.random.RandomState):
        return int(random_state.randint(np.iinfo(np.int32).max))
    with _GLOBAL_GENERATOR_LOCK:
        return int(torch.randint(_SEED_BOUND, (), dtype=torch.int64))


def next_seed(generator: torch.Generator) -> int:
    """The next seed from a fit's own stream.

    Examples
    --------
    >>> a, b = torch.Generator().manual_seed(0), torch.Generator().manual_seed(0)
    >>> next_seed(a) == next_seed(b)
    True
    """
    return int(torch.randint(_SEED_BOUND, (), generator=generator, dtype=torch.int64))


@contextmanager
def seeded_global_generator(seed: int, device="cpu"):
    """Run a block with torch's global generator seeded, then restore it.

    Holds the process-wide lock, so no other fit's seeded block interleaves. Only the
    generators the block can use are touched (the CPU one, and the device's on a GPU):
    ``torch.manual_seed`` would seed every backend and cost a millisecond per batch.

    Examples
    --------
    >>> with seeded_global_generator(5):
    ...     a = torch.rand(2)
    >>> with seeded_global_generator(5):
    ...     b = torch.rand(2)
    >>> bool(torch.equal(a, b))
    True
    """
    device = torch.device(device)
    generators = [torch.default_generator]
    if device.type == "cuda":
        index = device.index if device.index is not None else torch.cuda.current_device()
        generators.append(torch.cuda.default_generators[index])
    with _GLOBAL_GENERATOR_LOCK:
        states = [generator.get_state() for generator in generators]
        for offset, generator in enumerate(generators):
            generator.manual_seed(seed + offset)
        try:
            yield
        finally:
            for generator, state in zip(generators, states, strict=True):
                generator.set_state(state)
