"""Grid search on a Dask cluster, HTML representation, and the CUDA path."""

import html

import numpy as np
import pytest
import torch
from conftest import LEARNS  # tests/ is on sys.path
from sklearn.model_selection import GridSearchCV
from sklearn.utils import estimator_html_repr

from sklearn_rnn import RNNClassifier, RNNRegressor

SLOW = pytest.mark.slow


@pytest.mark.parametrize(
    "cluster, n_samples, grid",
    [
        # Two threads of one in-process worker: the scheduler, the dask joblib backend and
        # concurrent fits are real, without starting processes (and pickling to them).
        pytest.param(
            dict(n_workers=1, threads_per_worker=2, processes=False),
            80,
            {"cell": ["rnn", "gru"]},
            id="1 worker 2 threads",
        ),
        pytest.param(
            dict(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1"),
            200,
            {"cell": ["rnn", "gru"], "hidden_size": [8, 16]},
            id="2 worker processes",
            marks=SLOW,
        ),
    ],
)
def test_grid_search_on_dask_cluster_matches_default_backend(digits, cluster, n_samples, grid):
    distributed = pytest.importorskip("distributed")
    import joblib

    X, y = digits[0][:n_samples], digits[1][:n_samples]
    local = GridSearchCV(RNNClassifier(**LEARNS), grid, cv=2).fit(X, y)
    # Two cores in the cluster: with a single one, joblib would run every fit here.
    with (
        distributed.LocalCluster(**cluster, dashboard_address=None) as local_cluster,
        distributed.Client(local_cluster) as client,
    ):
        with joblib.parallel_backend("dask"):
            on_dask = GridSearchCV(RNNClassifier(**LEARNS), grid, cv=2, n_jobs=-1).fit(X, y)
        executed = client.run(lambda dask_worker: dask_worker.state.executed_count)
    assert sum(executed.values()) > 0  # the fits ran on the workers
    assert on_dask.best_params_ == local.best_params_
    np.testing.assert_array_equal(
        on_dask.cv_results_["mean_test_score"], local.cv_results_["mean_test_score"]
    )


@pytest.mark.parametrize("Estimator", [RNNClassifier, RNNRegressor])
def test_html_repr_names_class_and_changed_parameters(Estimator):
    estimator = Estimator(cell="lstm", hidden_size=7)
    assert repr(estimator) == f"{Estimator.__name__}(cell='lstm', hidden_size=7)"
    # The HTML's text fallback is that repr: the class and only the changed parameters.
    assert html.escape(repr(estimator)) in estimator_html_repr(estimator)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
@pytest.mark.parametrize("bidirectional", [False, True])
def test_cuda_end_to_end_matches_cpu(bidirectional, monkeypatch):
    # Full float32 on the GPU (cuDNN may otherwise use TF32), so float tolerance holds.
    monkeypatch.setattr(torch.backends.cudnn, "allow_tf32", False)
    monkeypatch.setattr(torch.backends.cuda.matmul, "allow_tf32", False)
    rng = np.random.RandomState(0)
    X = [rng.randn(n, 3) for n in rng.randint(2, 40, size=64)]
    y = np.arange(64) % 2
    params = dict(**LEARNS, bidirectional=bidirectional)
    gpu = RNNClassifier(**params, device="cuda").fit(X, y)
    assert all(p.is_cuda for p in gpu.module_.parameters())
    cpu = RNNClassifier(**params).fit(X, y)
    gpu_proba, cpu_proba = gpu.predict_proba(X), cpu.predict_proba(X)
    assert gpu_proba.dtype == cpu_proba.dtype == np.float64
    # Training: same seed, same batches, same initial weights; cuDNN and the CPU kernels
    # differ only in float32 rounding over 3 epochs.
    np.testing.assert_allclose(gpu_proba, cpu_proba, rtol=1e-4, atol=1e-4)
    sure = np.abs(cpu_proba[:, 1] - 0.5) > 1e-3
    np.testing.assert_array_equal(gpu.predict(X)[sure], cpu.predict(X)[sure])
    # Inference alone: the GPU's weights evaluated on the CPU give its probabilities.
    cpu.module_.load_state_dict({k: v.cpu() for k, v in gpu.module_.state_dict().items()})
    np.testing.assert_allclose(cpu.predict_proba(X), gpu_proba, rtol=1e-5, atol=1e-6)
    # and a sequence alone is predicted as in its batch.
    np.testing.assert_allclose(gpu.predict_proba(X[:1]), gpu_proba[:1], atol=1e-6)


@pytest.mark.parametrize(
    "n_sequences, batch_size",
    [
        pytest.param(4_000, 100, id="4k"),
        pytest.param(200_000, 512, id="200k", marks=SLOW),
    ],
)
def test_prediction_pads_one_batch_at_a_time(n_sequences, batch_size):
    """Prediction memory follows one batch: the network never sees more than batch_size
    sequences at once, each batch padded only to its own longest member."""
    rng = np.random.default_rng(0)
    lengths = rng.integers(1, 40, n_sequences)
    ids = rng.integers(0, 100, int(lengths.sum()))
    X = [chunk.tolist() for chunk in np.split(ids, np.cumsum(lengths)[:-1])]
    y = rng.integers(0, 2, len(X))
    clf = RNNClassifier(hidden_size=4, embedding_dim=4, max_epochs=1, batch_size=batch_size)
    clf.fit(X[:1000], y[:1000])
    shapes = []
    clf.module_.register_forward_pre_hook(
        lambda module, args, kwargs: shapes.append(tuple(kwargs["inputs"].shape)),
        with_kwargs=True,
    )
    proba = clf.predict_proba(X)
    assert proba.shape == (n_sequences, 2) and np.isfinite(proba).all()
    rows = [shape[0] for shape in shapes]
    assert sum(rows) == n_sequences and max(rows) <= batch_size
    assert len(rows) == -(-n_sequences // batch_size)  # every batch full but the last
    # batches of similar lengths: padded steps stay close to the real ones
    padded = sum(shape[0] * shape[1] for shape in shapes)
    assert padded < 1.05 * lengths.sum()
