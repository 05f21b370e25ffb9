"""Data-parallel fit over torch.distributed: two gloo processes on this CPU.

One group of two processes (``torch.multiprocessing``) is started once for the module; each
runs every case below as a ``torchrun`` script would (same estimator, same ``X, y``) and
writes what it fitted. The tests compare the two ranks with each other and with a fit in
this process alone on the same data: the global batches are the same, so the parameters
agree to float tolerance. As in any DDP loop, ``batch_size`` is per process: the lone fit
compared with draws global batches of ``WORLD_SIZE * batch_size``.
"""

import contextlib
import io
import subprocess
import sys
import time

import numpy as np
import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from skorch.callbacks import Callback

from sklearn_rnn import RNNClassifier, RNNLanguageModel, RNNRegressor, RNNSeq2Seq, RNNTagger
from sklearn_rnn._base import _distributed
from sklearn_rnn.exceptions import TrainingDivergedError

pytestmark = pytest.mark.skipif(not dist.is_available(), reason="torch.distributed missing")

WORLD_SIZE = 2
TINY = dict(hidden_size=8, random_state=0)


def _texts(n=101):
    rng = np.random.RandomState(0)
    words = "good bad film plot actor great awful fine dull".split()
    X = [" ".join(rng.choice(words, rng.randint(1, 12))) for _ in range(n)]
    return X, np.array(["good" in x for x in X]).astype(int), rng.rand(n)


def _series(n):
    rng = np.random.RandomState(1)
    X = [rng.randn(k, 2).astype(np.float32) for k in rng.randint(2, 20, n)]
    return X, np.array([x.sum() for x in X])


class IgnoredByDDP(Callback):
    """Record ``ignored_``: the names DDP leaves out of its syncs in this fit (None alone)."""

    def on_train_begin(self, net, **kwargs):
        data_parallel = net._data_parallel
        self.ignored_ = (
            None if data_parallel is None else sorted(data_parallel.ddp.parameters_to_ignore)
        )


def _tags():
    rng = np.random.RandomState(2)
    X = [list(rng.choice(list("abcde"), rng.randint(1, 9))) for _ in range(45)]
    return X, [[t.upper() if t in "ab" else "O" for t in x] for x in X]


class EmbeddingGradientLayout(Callback):
    """Record ``sparse_``: whether each of the fit's backward passes gave the input
    embedding a sparse gradient."""

    def on_train_begin(self, net, **kwargs):
        self.sparse_ = []
        weight = net.module_.input_layer.embedding.weight
        self.handle_ = weight.register_hook(lambda grad: self.sparse_.append(grad.is_sparse))

    def on_train_end(self, net, **kwargs):
        self.handle_.remove()


def _case(name):
    """(estimator, fit arguments) of each case; dropout off, so ranks draw no masks."""
    if name == "weighted classifier":
        # 101 texts in global batches of 16: a last batch of 5; class and sample weights,
        # whose denominators must be the global batch's.
        X, y, w = _texts()
        clf = RNNClassifier(**TINY, embedding_dim=8, dropout=0.0, batch_size=8, max_epochs=3,
                            class_weight="balanced", early_stopping=False,
                            callbacks=[IgnoredByDDP()])  # fmt: skip
        return clf, dict(X=X, y=y, sample_weight=w)
    if name == "sparse embeddings":
        # SparseAdam's row gradients go through DDP as sparse tensors (gloo).
        X, y, _ = _texts()
        clf = RNNClassifier(**TINY, embedding_dim=8, dropout=0.0, batch_size=8, max_epochs=2,
                            sparse_embeddings=True, early_stopping=False)  # fmt: skip
        return clf, dict(X=X, y=y)
    if name == "embedding sent sparse":
        # A dense embedding at least SPARSE_FROM entries large (lowered for this case) goes
        # through DDP as sparse rows, then is made dense again for Adam.
        X, y, _ = _texts()
        clf = RNNClassifier(**TINY, embedding_dim=8, dropout=0.0, batch_size=8, max_epochs=2,
                            early_stopping=False,
                            callbacks=[EmbeddingGradientLayout()])  # fmt: skip
        return clf, dict(X=X, y=y)
    if name == "last batch of one":
        # 17 series in global batches of 8: rank 1 has no row of the last batch.
        X, y = _series(17)
        reg = RNNRegressor(**TINY, batch_size=4, max_epochs=3, early_stopping=False)
        return reg, dict(X=X, y=y)
    if name == "crf tagger":
        # Some batches hold only one-step sequences, whose loss leaves the CRF's
        # transitions out: the ranks' gradient buckets must still match.
        X, y = _tags()
        tagger = RNNTagger(**TINY, embedding_dim=8, dropout=0.0, word_dropout=0.0, crf=True,
                           batch_size=4, max_epochs=3, early_stopping=False)  # fmt: skip
        return tagger, dict(X=X, y=y)
    if name == "seq2seq":
        rng = np.random.RandomState(3)
        X = ["".join(rng.choice(list("abc"), rng.randint(1, 6))) for _ in range(40)]
        model = RNNSeq2Seq(**TINY, embedding_dim=8, dropout=0.0, batch_size=4, max_epochs=2,
                           early_stopping=False)  # fmt: skip
        return model, dict(X=X, y=[x[::-1] for x in X])
    if name == "language model":
        # 2 streams per rank: 4 in all, rows 0 and 2 on rank 0, rows 1 and 3 on rank 1.
        text = "".join(np.random.RandomState(4).choice(list("abcd \n"), 2000))
        lm = RNNLanguageModel(**TINY, embedding_dim=8, dropout=0.0, batch_size=2, bptt=25,
                              max_epochs=2)  # fmt: skip
        return lm, dict(X=text)
    if name == "early stopping":
        # Labels unrelated to the texts: the validation loss soon stops improving.
        X, _, _ = _texts(120)
        y = np.random.RandomState(5).randint(0, 2, len(X))
        clf = RNNClassifier(**TINY, embedding_dim=8, dropout=0.0, batch_size=8, max_epochs=40,
                            lr=0.05, early_stopping=True, patience=2, verbose=1)  # fmt: skip
        return clf, dict(X=X, y=y)
    if name == "diverging":
        # One target overflows the squared error of its rank's slice only.
        X, y = _series(20)
        y[3] = 3e38
        reg = RNNRegressor(**TINY, batch_size=4, max_epochs=2, scale_target=False,
                           early_stopping=False)  # fmt: skip
        return reg, dict(X=X, y=y)
    if name == "different data":
        X, y = _series(20 + (dist.get_rank() if dist.is_initialized() else 0))
        return RNNRegressor(**TINY, max_epochs=1), dict(X=X, y=y)
    if name == "alone":
        X, y = _series(20)
        return RNNRegressor(**TINY, max_epochs=2, distributed=False), dict(X=X, y=y)
    raise KeyError(name)


CASES = [
    "weighted classifier",
    "sparse embeddings",
    "embedding sent sparse",
    "last batch of one",
    "crf tagger",
    "seq2seq",
    "language model",
    "early stopping",
    "diverging",
    "different data",
    "alone",
]


#: SPARSE_FROM for a case (entries of the embedding table, here 10 words x 8).
SPARSE_FROM = {"embedding sent sparse": 64}


def _fit(name, alone=False):
    """Fit a case; ``alone``: in this process, on the global batches of the two ranks."""
    estimator, data = _case(name)
    if alone:
        estimator.set_params(batch_size=WORLD_SIZE * estimator.batch_size)
    threshold = SPARSE_FROM.get(name, _distributed.SPARSE_FROM)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_distributed, "SPARSE_FROM", threshold)
        return estimator.fit(**data)


def _summary(estimator, printed=""):
    embedding = getattr(estimator.module_, "input_layer", None)
    return {
        "state": {k: v.clone() for k, v in estimator.module_.state_dict().items()},
        "sparse": getattr(getattr(embedding, "embedding", None), "sparse", None),
        "sent_sparse": [
            bool(any(cb.sparse_))
            for cb in estimator.callbacks or []
            if isinstance(cb, EmbeddingGradientLayout)
        ],  # fmt: skip
        "train_loss": [float(v) for v in estimator.history[:, "train_loss"]],
        "epochs": len(estimator.history),
        "printed": printed,
        "ignored": [
            cb.ignored_ for cb in estimator.callbacks or [] if isinstance(cb, IgnoredByDDP)
        ],  # fmt: skip
        # What DDP marks on a network to leave a buffer alone: gone after the fit.
        "ddp_marks": [
            name
            for name in ("_ddp_params_and_buffers_to_ignore", "_ddp_ignored")
            for part in [estimator.module_, *estimator.module_.buffers()]
            if name in vars(part)
        ],  # fmt: skip
    }


def _worker(rank, folder):
    torch.set_num_threads(1)
    dist.init_process_group(
        "gloo", init_method=f"file://{folder}/store", rank=rank, world_size=WORLD_SIZE
    )
    results = {}
    for name in CASES:
        out = io.StringIO()
        try:
            with contextlib.redirect_stdout(out):
                estimator = _fit(name)
        except (TrainingDivergedError, ValueError) as error:
            results[name] = {"error": str(error)}
            continue
        results[name] = _summary(estimator, out.getvalue())
        if name == "early stopping":
            estimator.save(f"{folder}/model-of-rank-{rank}.sklearn_rnn")
    torch.save(results, f"{folder}/rank-{rank}.pt")
    dist.destroy_process_group()


@pytest.fixture(scope="module")
def ranks(tmp_path_factory):
    """What each of the two ranks fitted, case by case (the group runs once per module)."""
    folder = tmp_path_factory.mktemp("distributed")
    context = mp.spawn(_worker, args=(str(folder),), nprocs=WORLD_SIZE, join=False)
    deadline = time.monotonic() + 600
    while not context.join(timeout=2):
        if time.monotonic() > deadline:  # a rank waits on a collective the other never joins
            for process in context.processes:
                process.kill()
            pytest.fail("the data-parallel fits did not finish: a rank hung")
    results = [torch.load(folder / f"rank-{r}.pt", weights_only=False) for r in range(2)]
    return results, folder


def _assert_states_close(a, b, atol):
    assert a.keys() == b.keys()
    for key in a:
        torch.testing.assert_close(a[key], b[key], rtol=0, atol=atol, msg=key)


@pytest.mark.parametrize("name", CASES[:7])
def test_two_ranks_train_the_single_process_model(ranks, name):
    (rank0, rank1), _ = ranks
    # Every rank ends with the same model ...
    for key, value in rank0[name]["state"].items():
        assert torch.equal(value, rank1[name]["state"][key]), key
    # ... the model of one process on the same global batches, up to float rounding
    alone = _summary(_fit(name, alone=True))
    _assert_states_close(rank0[name]["state"], alone["state"], atol=1e-5)
    # and both record the global batches' loss.
    np.testing.assert_allclose(rank0[name]["train_loss"], alone["train_loss"], rtol=1e-5)
    assert rank1[name]["train_loss"] == rank0[name]["train_loss"]
    assert rank0[name]["epochs"] == alone["epochs"] >= 2
    # A table sent sparse is dense again after the fit, as it was built.
    assert rank0[name]["sparse"] == alone["sparse"]
    assert rank0[name]["ddp_marks"] == rank1[name]["ddp_marks"] == []


def test_naive_bayes_table_is_filled_alike_on_every_rank(ranks):
    (rank0, rank1), _ = ranks
    # DDP left the table alone in training (no broadcast at every step) ...
    assert rank0["weighted classifier"]["ignored"] == [["wide.naive_bayes"]]
    # ... and every rank counted the same data after it.
    table = rank0["weighted classifier"]["state"]["wide.naive_bayes"]
    assert table.abs().max() > 0
    assert torch.equal(table, rank1["weighted classifier"]["state"]["wide.naive_bayes"])


def test_a_large_embedding_is_sent_sparse_and_trained_dense(ranks):
    (rank0, rank1), _ = ranks
    # Its gradients were sparse in the group (and dense alone); the models agree above.
    assert rank0["embedding sent sparse"]["sent_sparse"] == [True]
    assert rank1["embedding sent sparse"]["sent_sparse"] == [True]
    assert _summary(_fit("embedding sent sparse", alone=True))["sent_sparse"] == [False]
    assert rank0["embedding sent sparse"]["sparse"] is False


def test_fit_in_a_group_takes_batch_size_per_process(ranks):
    (rank0, _), _ = ranks
    # The same fit with batch_size per process in one process is another model: the
    # group's global batches hold WORLD_SIZE * batch_size samples.
    alone = _summary(_fit("weighted classifier"))
    assert len(alone["train_loss"]) == len(rank0["weighted classifier"]["train_loss"])
    assert not np.allclose(alone["train_loss"], rank0["weighted classifier"]["train_loss"])


def test_early_stopping_stops_every_rank_at_the_same_epoch(ranks):
    (rank0, rank1), _ = ranks
    alone = _fit("early stopping", alone=True)
    epochs = rank0["early stopping"]["epochs"]
    assert epochs == rank1["early stopping"]["epochs"] == len(alone.history) < 40
    for key, value in rank0["early stopping"]["state"].items():
        assert torch.equal(value, rank1["early stopping"]["state"][key]), key


def test_divergence_guard_stops_every_rank_at_the_same_batch(ranks):
    (rank0, rank1), _ = ranks
    with pytest.raises(TrainingDivergedError) as alone:
        _fit("diverging", alone=True)
    # Only one rank's slice held the overflowing sample; both raise, as one process does.
    assert rank0["diverging"]["error"] == rank1["diverging"]["error"] == str(alone.value)


def test_ranks_with_different_data_fail_alike(ranks):
    (rank0, rank1), _ = ranks
    # A clear error on every rank (not a hang, nor two different models).
    assert rank0["different data"]["error"] == rank1["different data"]["error"]
    assert "samples differ between ranks" in rank0["different data"]["error"]


def test_only_rank_zero_prints_and_writes(ranks):
    (rank0, rank1), folder = ranks
    assert "valid_loss" in rank0["early stopping"]["printed"]  # verbose=1: the epoch table
    assert rank1["early stopping"]["printed"] == ""
    assert (folder / "model-of-rank-0.sklearn_rnn").is_file()
    assert not (folder / "model-of-rank-1.sklearn_rnn").exists()


def test_distributed_false_fits_alone_in_a_group(ranks):
    (rank0, rank1), _ = ranks
    alone = _summary(_fit("alone"))
    for rank in (rank0, rank1):
        for key, value in alone["state"].items():
            assert torch.equal(rank["alone"]["state"][key], value), key


def test_distributed_true_needs_a_process_group():
    X, y = _series(10)
    with pytest.raises(ValueError, match="'distributed'.*init_process_group"):
        RNNRegressor(**TINY, max_epochs=1, distributed=True).fit(X, y)
    with pytest.raises(ValueError, match="'distributed'"):
        RNNRegressor(distributed="yes").fit(X, y)


def test_distributed_example_runs_alone(load_script, data_dir, capsys):
    # Started with plain python, the example joins no group and fits in this process.
    results = load_script("examples/distributed_training.py").main(
        ["--data-dir", str(data_dir), "--limit", "300", "--max-epochs", "1",
         "--train-chars", "20000"]
    )  # fmt: skip
    out = capsys.readouterr().out
    assert f"test accuracy {results['mr']['accuracy']:.3f}" in out
    assert f"held-out {results['shakespeare']['bits_per_char']:.3f} bits/char" in out
    assert "1 process(es)" in out and results["mr"]["epochs"] == 1


_EXITING_SCRIPT = """
import torch, torch.distributed as dist
from sklearn_rnn import RNNClassifier
torch.set_num_threads(1)
dist.init_process_group("gloo")
X, y = ["good film", "bad plot", "fine actor great", "dull"] * 10, [1, 0, 1, 0] * 10
models = [RNNClassifier(hidden_size=4, max_epochs=1, verbose=0, random_state=s).fit(X, y)
          for s in range(3)]
dist.destroy_process_group()
"""  # the fitted models live on until the interpreter exits, as in a user's script


def test_a_torchrun_script_exits_cleanly_after_fit(tmp_path):
    # gloo aborted one process at exit ("terminate called without an active exception",
    # exit code -6) in about one run of two, before fit ended with a barrier and collected
    # its garbage while the group lived (DataParallel.synchronize and release).
    script = tmp_path / "train.py"
    script.write_text(_EXITING_SCRIPT)
    # --standalone: torchrun picks a free port itself.
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone",
               "--nproc_per_node", "2", str(script)]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-6000:]
    assert "terminate called" not in done.stderr
