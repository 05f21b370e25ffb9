"""Grid search on a Dask cluster, HTML representation, and the CUDA path."""

import numpy as np
import pytest
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV
from sklearn.utils import estimator_html_repr

from sklearn_rnn import RNNClassifier, RNNRegressor

FAST = dict(hidden_size=16, max_epochs=3, lr=0.01, random_state=0)


def test_grid_search_on_dask_cluster_matches_default_backend():
    distributed = pytest.importorskip("distributed")
    import joblib

    X, y = load_digits(return_X_y=True)
    X, y = X[:200].reshape(-1, 8, 8), y[:200]
    grid = {"cell": ["rnn", "gru"], "hidden_size": [8, 16]}
    local = GridSearchCV(RNNClassifier(**FAST), grid, cv=2).fit(X, y)
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster,
        distributed.Client(cluster),
    ):
        with joblib.parallel_backend("dask"):
            on_dask = GridSearchCV(RNNClassifier(**FAST), grid, cv=2, n_jobs=-1).fit(X, y)
    assert on_dask.best_params_ == local.best_params_
    np.testing.assert_array_equal(
        on_dask.cv_results_["mean_test_score"], local.cv_results_["mean_test_score"]
    )


@pytest.mark.parametrize("Estimator", [RNNClassifier, RNNRegressor])
def test_html_repr_names_class_and_changed_parameters(Estimator):
    html = estimator_html_repr(Estimator(cell="gru", hidden_size=7))
    assert Estimator.__name__ in html
    assert "gru" in html and "7" in html
    assert repr(Estimator(cell="gru")) == f"{Estimator.__name__}(cell='gru')"


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
@pytest.mark.parametrize("bidirectional", [False, True])
def test_cuda_end_to_end(bidirectional):
    rng = np.random.RandomState(0)
    X = [rng.randn(n, 3) for n in rng.randint(2, 40, size=64)]
    y = np.arange(64) % 2
    clf = RNNClassifier(**FAST, device="cuda", bidirectional=bidirectional).fit(X, y)
    assert next(clf.module_.parameters()).is_cuda
    cpu = RNNClassifier(**FAST, bidirectional=bidirectional).fit(X, y)
    assert clf.predict_proba(X).shape == cpu.predict_proba(X).shape
    alone = clf.predict_proba(X[:1])
    np.testing.assert_allclose(clf.predict_proba(X)[:1], alone, atol=1e-5)


def test_predicting_200k_sequences_pads_one_batch_at_a_time():
    """Prediction memory follows one batch: the network never sees more than batch_size
    sequences at once, each batch padded only to its own longest member."""
    rng = np.random.default_rng(0)
    lengths = rng.integers(1, 40, 200_000)
    ids = rng.integers(0, 100, int(lengths.sum()))
    X = [chunk.tolist() for chunk in np.split(ids, np.cumsum(lengths)[:-1])]
    y = rng.integers(0, 2, len(X))
    clf = RNNClassifier(hidden_size=4, embedding_dim=4, max_epochs=1, batch_size=512)
    clf.fit(X[:1000], y[:1000])
    shapes = []
    clf.module_.register_forward_pre_hook(
        lambda module, args, kwargs: shapes.append(tuple(kwargs["inputs"].shape)),
        with_kwargs=True,
    )
    proba = clf.predict_proba(X)
    assert proba.shape == (200_000, 2) and np.isfinite(proba).all()
    rows = [shape[0] for shape in shapes]
    assert sum(rows) == 200_000 and max(rows) <= 512
    # batches of similar lengths: padded steps stay close to the real ones
    padded = sum(shape[0] * shape[1] for shape in shapes)
    assert padded < 1.05 * lengths.sum()
