"""Shared fixtures: one torch thread and seeded randomness for every test; small data sets
and a fitted text classifier; the paths to the shared public datasets; a loader for the
example and benchmark scripts."""

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from sklearn.datasets import load_digits

from sklearn_rnn import RNNClassifier, RNNLanguageModel, RNNRegressor, RNNSeq2Seq, RNNTagger

ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = ROOT.parent / "shared" / "data"

# -- the tests' training settings ----------------------------------------------------------

#: The smallest settings that exercise a whole fit: one epoch of a 4-unit network. A test
#: that needs more (a model that learns, several batches) asks for it at the call and says
#: why: ``tiny(RNNTagger, max_epochs=20)``.
TINY = {
    RNNClassifier: dict(hidden_size=4, embedding_dim=4, max_epochs=1, random_state=0),
    RNNRegressor: dict(hidden_size=4, embedding_dim=4, max_epochs=1, random_state=0),
    RNNTagger: dict(hidden_size=4, embedding_dim=4, max_epochs=1, random_state=0),
    RNNSeq2Seq: dict(hidden_size=4, embedding_dim=4, max_epochs=1, random_state=0),
    RNNLanguageModel: dict(
        hidden_size=4, embedding_dim=4, max_epochs=1, bptt=8, batch_size=4, random_state=0
    ),
}

#: What a model needs to learn the ``texts`` fixture (and the like) in three epochs.
LEARNS = dict(hidden_size=16, max_epochs=3, lr=0.01, random_state=0)


def tiny(cls, **params):
    """``cls`` with the settings of ``TINY``, changed by ``params``."""
    return cls(**{**TINY[cls], **params})


@pytest.fixture(autouse=True)
def _seed():
    np.random.seed(0)
    torch.manual_seed(0)


@pytest.fixture(scope="session", autouse=True)
def _one_thread():
    """One torch thread per test process.

    The tests' networks are tiny: one thread is as fast alone, and with pytest-xdist's
    workers (or anything else) on the same cores, intra-op threads only fight each other.
    Dask's nanny starts its workers with one thread as well; joblib's loky workers get
    their share of the cores.
    """
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


# -- the shared public datasets ------------------------------------------------------------


@pytest.fixture(scope="session")
def data_dir() -> Path:
    if not DATA_DIR.is_dir():
        pytest.skip(f"shared datasets not found at {DATA_DIR}")
    return DATA_DIR


@pytest.fixture(scope="session")
def ewt_dir(data_dir) -> Path:
    """UD English-EWT (the tagger's real data), skipped when it is missing."""
    path = data_dir / "UD_English-EWT"
    if not path.is_dir():
        pytest.skip(f"UD_English-EWT not found at {path}")
    return path


# -- small in-memory data ------------------------------------------------------------------


@pytest.fixture(scope="session")
def digits():
    """The first 300 of scikit-learn's digits, each 8x8 image read row by row: a sequence
    of 8 steps with 8 features; 10 classes."""
    X, y = load_digits(return_X_y=True)
    return X[:300].reshape(-1, 8, 8), y[:300]


@pytest.fixture(scope="session")
def texts():
    """48 short texts whose label is in their words: "great"/"wonderful" against
    "dull"/"awful"."""
    good = ["a great film", "truly wonderful acting", "great fun", "wonderful and moving"]
    bad = ["a dull film", "truly awful acting", "boring mess", "awful and dull"]
    X = (good + bad) * 6
    y = (["pos"] * 4 + ["neg"] * 4) * 6
    return X, y


@pytest.fixture(scope="session")
def fitted_text_classifier(texts):
    """A tiny RNNClassifier fitted on ``texts``; for tests that only read it (predict,
    pickle, clone, history), never for ones that refit or set its parameters."""
    return RNNClassifier(**LEARNS).fit(*texts)


# -- the example and benchmark scripts -----------------------------------------------------


def _load_script(relative: str):
    """Import a script by path (examples/ and benchmarks/ are not packages; the benchmarks
    import the examples, so examples/ is importable while the script loads)."""
    path = ROOT / relative
    sys.path.insert(0, str(ROOT / "examples"))
    try:
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(ROOT / "examples"))
    return module


@pytest.fixture(scope="session")
def load_script():
    """``load_script("examples/pos_tagging.py")``: the script as a fresh module."""
    return _load_script
