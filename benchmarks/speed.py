"""Speed and memory of sklearn_rnn against hand-written PyTorch and plain skorch.

One command times, in the same run and interleaved epoch by epoch (so that load from
other processes hits every variant alike), four ways of training and using the SAME
model (``sklearn_rnn.nn.SequenceModel``, identical initial weights):

(a)  the floor: a hand-written PyTorch loop, batches grouped by length, each batch
     padded to its own longest member, no packing; the model reads each sequence at
     its own last step and feeds the backward direction each sequence reversed within
     its length (that is what ``SequenceModel`` does);
(a') the same loop with ``pack_padded_sequence`` (a fused bidirectional ``nn.RNN``/
     ``nn.LSTM``/``nn.GRU`` holding the same weights; last step read from ``h_n``);
(b)  plain ``skorch.NeuralNetClassifier``/``NeuralNetRegressor`` with the same module,
     inputs padded to the longest sequence of the data set, ``{"inputs", "lengths"}``
     dict input, skorch's default DataLoader (per-sample ``__getitem__`` + collate) and
     default callbacks; the module reads the REAL last step via ``lengths``;
(c)  ``sklearn_rnn.RNNClassifier`` / ``RNNRegressor`` with equivalent settings
     (``pooling="last"``, ``clip_grad_norm=None``, Adam, lr=1e-3, same batch size).

On the text workload three more variants time sparse embedding updates (``--no-sparse``
skips them): (a) on torch's default Adam, as ``torch.optim.Adam(model.parameters())``
gives a hand-written loop; (c) with ``sparse_embeddings=True``; and (a) with the embedding
table left out of training (no gradient, no update, while the network still computes
its input gradient), the floor that no sparse-update scheme can beat. The accuracy of
sparse against dense updates is measured by ``benchmarks/sparse_embeddings.py``.

Usage::

    python benchmarks/speed.py              # rnn/lstm/gru x uni/bi, both workloads
    python benchmarks/speed.py --quick      # LSTM only, 1 warm-up + 2 timed epochs
    python benchmarks/speed.py --workloads text --cells gru --directions bi
    python benchmarks/speed.py --workloads none --lengths   # (c) epoch time vs T x hidden
    python benchmarks/speed.py --quick --profile            # + cProfile of (c)
    python benchmarks/speed.py --quick --hidden-size 2 --embedding-dim 2 --no-memory
                                            # ~zero model: exposes per-batch overhead
    python benchmarks/speed.py --quick --adam fused         # every variant on fused Adam

Budget on an idle 2-core CPU: ~3 min for --quick, ~21 min for the default run
with ``--threads 1`` (~23 min with ``--lengths``). Other
processes on the CPUs make it several times longer; then pass ``--threads 1`` (two torch
threads on two busy cores spin in OpenMP barriers and every variant slows many-fold).
The markdown report goes to stdout, progress to stderr; ``--lengths`` also writes a PNG
(``--plot``, default benchmarks/speed_lengths.png) when matplotlib is installed.

Everything is reported as ratios next to the absolute numbers; compare ratios, not
seconds, across machines or runs.
"""

from __future__ import annotations

import argparse
import copy
import cProfile
import ctypes
import gc
import io
import itertools
import json
import os
import platform
import pstats
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import skorch  # noqa: E402
from skorch.callbacks import Callback  # noqa: E402

import sklearn_rnn  # noqa: E402
from sklearn_rnn import RNNClassifier, RNNRegressor  # noqa: E402
from sklearn_rnn._base._batches import length_grouped_batches  # noqa: E402  (padding statistic only)
from sklearn_rnn.nn import SequenceModel  # noqa: E402
from sklearn_rnn.nn._networks import RNN_CELLS

SEED = 0
BATCH_SIZE = 64
LR = 1e-3
ADAM_KWARGS: dict = {}  # the Adam implementation, the same for every variant (--adam)
AP = "a'"
VARIANTS = ("a", AP, "b", "c")
# Text workload only (--sparse): (a) on torch's default Adam, as a hand-written loop that
# just calls torch.optim.Adam(model.parameters()) gets it, and (c) with sparse_embeddings.
AT, CS = "a torch-Adam", "c sparse"
# (a) whose embedding table gets no gradient and no update while the network still
# back-propagates to its input: what any sparse-update scheme could at best reach.
AF = "a table-free"
SPARSE_VARIANTS = (AT, CS, AF)
SHIFT = 2  # sklearn_rnn's "ids" input: id 0 is padding, 1 unknown, user id k -> k + 2

WORKLOADS = {
    "text": dict(
        n=10_000, vocab=20_000, max_len=60, embedding_dim=100, hidden_size=128, n_outputs=2
    ),
    "series": dict(n=5_000, steps=150, n_features=3, hidden_size=64, n_outputs=1),
}


# -- data ------------------------------------------------------------------------------


def make_text(n=10_000, vocab=20_000, max_len=60, seed=SEED, **_):
    """Movie-review-like sentences as lists of int ids: Zipf tokens, mean ~20, tail to 60."""
    rng = np.random.default_rng(seed)
    lengths = np.clip(np.round(rng.gamma(3.0, 6.7, n)), 1, max_len).astype(np.int64)
    p = 1.0 / (np.arange(1, vocab + 1) + 2.7)  # Zipf-Mandelbrot frequencies
    ids = rng.choice(vocab, size=int(lengths.sum()), p=p / p.sum())
    weights = rng.standard_normal(vocab)
    score = np.add.reduceat(weights[ids], np.r_[0, np.cumsum(lengths)[:-1]]) / lengths
    y = (score > np.median(score)).astype(np.int64)
    X = [chunk.tolist() for chunk in np.split(ids, np.cumsum(lengths)[:-1])]
    return X, y


def make_series(n=5_000, steps=150, n_features=3, seed=SEED, **_):
    """AR(1) multivariate series (already standardized) and a standardized target."""
    rng = np.random.default_rng(seed)
    noise = rng.standard_normal((n, steps, n_features)).astype(np.float32)
    X = np.empty_like(noise)
    X[:, 0] = noise[:, 0]
    for t in range(1, steps):
        X[:, t] = 0.9 * X[:, t - 1] + np.sqrt(1 - 0.81) * noise[:, t]
    y = X[:, -10:, 0].mean(1) + 0.5 * X[:, :, 1].mean(1) + 0.1 * rng.standard_normal(n)
    y = ((y - y.mean()) / y.std()).astype(np.float32)
    return X, y


def make_data(workload):
    cfg = WORKLOADS[workload]
    return make_text(**cfg) if workload == "text" else make_series(**cfg)


# -- the hand-written side: padding, batching, packed model -----------------------------


def pad_ids(X, n_ids):
    """User id lists -> (N, T_max) int64 tensor (shifted like sklearn_rnn) and lengths."""
    lengths = np.fromiter(map(len, X), dtype=np.int64, count=len(X))
    flat = np.fromiter(itertools.chain.from_iterable(X), dtype=np.int64, count=int(lengths.sum()))
    flat = flat + SHIFT
    flat[flat >= n_ids] = 1  # ids unseen in training are unknown
    mask = np.arange(lengths.max())[None, :] < lengths[:, None]
    padded = np.zeros(mask.shape, dtype=np.int64)
    padded[mask] = flat  # row-major order of the mask == concatenation order
    return torch.from_numpy(padded), torch.from_numpy(lengths)


def user_inputs(workload, X, n_ids):
    """(padded inputs tensor, lengths tensor) from the user's X, by hand."""
    if workload == "text":
        return pad_ids(X, n_ids)
    inputs = torch.from_numpy(X)
    return inputs, torch.full((len(X),), X.shape[1], dtype=torch.int64)


class PackedModel(nn.Module):
    """The same network as a SequenceModel, run on a PackedSequence (variant a').

    Shares nothing with the source model: its embedding/head are copies and its
    recurrent layer is one fused (bi)directional module holding the same weights.
    """

    def __init__(self, model: SequenceModel):
        super().__init__()
        model = copy.deepcopy(model)
        core = model.core
        self.input_layer = model.input_layer
        self.head = model.head
        self.bidirectional = core.bidirectional
        if not core.bidirectional:
            self.rnn = core.rnn
        else:
            fwd, bwd = core.forward_layers[0], core.backward_layers[0]
            self.rnn = RNN_CELLS[core.cell](
                fwd.input_size, fwd.hidden_size, batch_first=True, bidirectional=True
            )
            with torch.no_grad():
                for name, _ in fwd.named_parameters():
                    getattr(self.rnn, name).copy_(getattr(fwd, name))
                    getattr(self.rnn, name + "_reverse").copy_(getattr(bwd, name))

    def forward(self, inputs, lengths):
        x = self.input_layer(inputs)  # (B, T, E)
        packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
        _, h_n = self.rnn(packed)
        h_n = h_n[0] if isinstance(h_n, tuple) else h_n  # (directions, B, H)
        last = torch.cat([h_n[0], h_n[1]], 1) if self.bidirectional else h_n[-1]  # (B, D)
        return self.head(last)  # the library's OutputHead: float64 at inference, as there


def n_params(module):
    return sum(p.numel() for p in module.parameters())


class Loop:
    """Variants (a) and (a'): a hand-written training loop and prediction."""

    def __init__(self, workload, model, X, y, n_ids, packed, adam_kwargs=None, table_free=False):
        self.workload = workload
        self.n_ids = n_ids
        self.model = PackedModel(model) if packed else copy.deepcopy(model)
        if table_free:
            embedding = self.model.input_layer.embedding
            embedding.weight.requires_grad_(False)
            # the embedded batch still asks for its gradient, so the network's input
            # gradient is computed as in (a); only the table's gradient and update are gone
            embedding.register_forward_hook(
                lambda module, args, out: out.detach().requires_grad_(module.training)
            )
        adam_kwargs = ADAM_KWARGS if adam_kwargs is None else adam_kwargs
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=LR, **adam_kwargs)
        self.inputs, self.lengths = user_inputs(workload, X, n_ids)
        self.y = torch.as_tensor(y)
        if workload == "series":
            self.y = self.y[:, None]
        self.loss_fn = nn.functional.cross_entropy if workload == "text" else nn.functional.mse_loss
        self.generator = torch.Generator().manual_seed(SEED)
        self.steps = 0
        self.padded_steps = 0
        self.last_loss = float("nan")

    def epoch(self):
        """One epoch; returns its wall time."""
        start = time.perf_counter()
        self.model.train()
        # group by length: sort with random tie-breaks, cut into batches, shuffle the batches
        noise = torch.rand(len(self.lengths), generator=self.generator)
        order = torch.argsort(self.lengths + noise)
        batches = torch.split(order, BATCH_SIZE)
        total, steps, padded = 0.0, 0, 0
        for i in torch.randperm(len(batches), generator=self.generator).tolist():
            idx = batches[i]
            lengths = self.lengths[idx]
            width = int(lengths.max())
            inputs = self.inputs[idx, :width]  # padded to this batch's longest member
            self.optimizer.zero_grad()
            loss = self.loss_fn(self.model(inputs, lengths), self.y[idx])
            loss.backward()
            self.optimizer.step()
            total = total + loss.detach()
            steps += 1
            padded += width * len(idx)
        self.last_loss = float(total) / steps
        self.steps, self.padded_steps = steps, padded
        return time.perf_counter() - start

    def predict(self, X):
        """From the user's X to labels/values, batches sorted by length."""
        inputs, lengths = user_inputs(self.workload, X, self.n_ids)
        self.model.eval()
        order = torch.argsort(lengths)
        out = None
        with torch.inference_mode():
            for idx in torch.split(order, BATCH_SIZE):
                batch_lengths = lengths[idx]
                logits = self.model(inputs[idx, : int(batch_lengths.max())], batch_lengths)
                if out is None:
                    out = torch.empty((len(lengths), logits.shape[1]), dtype=logits.dtype)
                out[idx] = logits
        return out.argmax(1).numpy() if self.workload == "text" else out[:, 0].numpy()

    def predict_one(self, x):
        """One sequence (a list of ids or a (T, F) array) -> label/value."""
        self.model.eval()
        with torch.inference_mode():
            if self.workload == "text":
                ids = torch.tensor(x, dtype=torch.int64) + SHIFT
                ids[ids >= self.n_ids] = 1
                logits = self.model(ids[None], torch.tensor([len(x)]))
                return int(logits.argmax(1))
            out = self.model(torch.from_numpy(x)[None], torch.tensor([len(x)]))
            return float(out[0, 0])

    def module(self):
        return self.model

    def optimizer_(self):
        return self.optimizer


class EpochClock(Callback):
    """Wall time and optimizer steps of each epoch inside skorch's fit loop."""

    def initialize(self):
        self.times, self.steps = [], []
        return self

    def on_epoch_begin(self, net, **kwargs):
        self._steps = 0
        self._start = time.perf_counter()

    def on_batch_end(self, net, training=False, **kwargs):
        self._steps += bool(training)

    def on_epoch_end(self, net, **kwargs):
        self.times.append(time.perf_counter() - self._start)
        self.steps.append(self._steps)


class Skorch:
    """Variant (b): plain skorch, inputs padded to the longest sequence in the data."""

    def __init__(self, workload, model, X, y, n_ids):
        self.workload = workload
        self.n_ids = n_ids
        self.clock = EpochClock()
        cls = skorch.NeuralNetClassifier if workload == "text" else skorch.NeuralNetRegressor
        criterion = nn.CrossEntropyLoss if workload == "text" else nn.MSELoss
        self.net = cls(
            copy.deepcopy(model),
            criterion=criterion,
            optimizer=torch.optim.Adam,
            lr=LR,
            batch_size=BATCH_SIZE,
            max_epochs=1,
            train_split=None,
            iterator_train__shuffle=True,
            callbacks=[("bench_clock", self.clock)],
            verbose=0,
            **{f"optimizer__{k}": v for k, v in ADAM_KWARGS.items()},
        )
        inputs, lengths = user_inputs(workload, X, n_ids)
        self.X = {"inputs": inputs, "lengths": lengths}
        self.y = torch.as_tensor(y) if workload == "text" else torch.as_tensor(y)[:, None]
        self.padded_steps = inputs.shape[0] * inputs.shape[1]
        torch.manual_seed(SEED)  # skorch's DataLoader shuffles with torch's global generator
        self.net.initialize()
        self.call_times = []

    @property
    def steps(self):
        return self.clock.steps[-1]

    @property
    def last_loss(self):
        return self.net.history[-1, "train_loss"]

    def epoch(self):
        start = time.perf_counter()
        self.net.partial_fit(self.X, self.y)
        self.call_times.append(time.perf_counter() - start)
        return self.clock.times[-1]

    def _as_input(self, X):
        inputs, lengths = user_inputs(self.workload, X, self.n_ids)
        if self.workload == "text" and inputs.shape[1] < self.X["inputs"].shape[1]:
            inputs = nn.functional.pad(inputs, (0, self.X["inputs"].shape[1] - inputs.shape[1]))
        return {"inputs": inputs, "lengths": lengths}

    def predict(self, X):
        out = self.net.predict(self._as_input(X))
        return out if self.workload == "text" else out[:, 0]

    def predict_one(self, x):
        return self.net.predict(self._as_input([x] if self.workload == "text" else x[None]))[0]

    def module(self):
        return self.net.module_

    def optimizer_(self):
        return self.net.optimizer_


class Estimator:
    """Variant (c): sklearn_rnn's estimator, one epoch per partial_fit after the first fit."""

    def __init__(self, workload, cell, bidirectional, X, y, hidden_size=None, sparse=False):
        self.workload = workload
        self.clock = EpochClock()
        common = dict(
            cell=cell,
            hidden_size=hidden_size or WORKLOADS[workload]["hidden_size"],
            bidirectional=bidirectional,
            pooling="last",
            conv_blocks=None,  # the hand-written loops have no convolutions
            clip_grad_norm=None,
            lr=LR,
            lr_schedule="constant",  # and a constant learning rate
            optimizer=torch.optim.Adam,
            batch_size=BATCH_SIZE,
            max_epochs=1,
            warm_start=True,
            early_stopping=False,
            dropout=0.0,
            random_state=SEED,
            callbacks=[("bench_clock", self.clock)],
            verbose=0,
            **{f"optimizer__{k}": v for k, v in ADAM_KWARGS.items()},
        )
        if workload == "text":
            self.net = RNNClassifier(
                embedding_dim=WORKLOADS["text"]["embedding_dim"], sparse_embeddings=sparse, **common
            )
        else:
            # the data are standardized already; the loop does not standardize either
            self.net = RNNRegressor(standardize=False, scale_target=False, **common)
        self.X, self.y = X, y
        self.call_times = []
        self.padded_steps = None

    @property
    def steps(self):
        return self.clock.steps[-1]

    @property
    def last_loss(self):
        return self.net.history_[-1, "train_loss"]

    def epoch(self):
        start = time.perf_counter()
        # the first call fits (encoders + network); later calls train one more epoch
        self.net.partial_fit(self.X, self.y)
        self.call_times.append(time.perf_counter() - start)
        return self.clock.times[-1]

    def predict(self, X):
        return self.net.predict(X)

    def predict_one(self, x):
        return self.net.predict([x] if self.workload == "text" else x[None])[0]

    def module(self):
        return self.net.module_

    def optimizer_(self):
        return self.net.optimizer_


def adam_kind(optimizer):
    """Which Adam implementation an optimizer runs: fused, foreach or single-tensor."""
    defaults = optimizer.defaults
    name = type(optimizer).__name__
    if defaults.get("fused"):
        return f"{name} fused"
    return f"{name} foreach" if defaults.get("foreach") else f"{name} single-tensor"


def library_adam_kwargs():
    """The Adam options sklearn_rnn picks by itself, read from a tiny fitted estimator."""
    X = np.zeros((4, 3, 1), dtype=np.float32)
    net = RNNRegressor(hidden_size=2, max_epochs=0, batch_size=4).fit(X, np.arange(4.0))
    defaults = net.optimizer_.defaults
    return {k: True for k in ("fused", "foreach") if defaults.get(k)}


def build_variants(workload, cell, bidirectional, X, y, which=VARIANTS):
    cfg = WORKLOADS[workload]
    if workload == "text":
        n_ids = max(max(seq) for seq in X) + 1 + SHIFT  # as sklearn_rnn's "ids" encoder
        kwargs = dict(n_ids=n_ids, n_features=None, embedding_dim=cfg["embedding_dim"])
    else:
        n_ids = None
        kwargs = dict(n_ids=None, n_features=cfg["n_features"])
    torch.manual_seed(SEED)
    model = SequenceModel(
        n_outputs=cfg["n_outputs"],
        cell=cell,
        hidden_size=cfg["hidden_size"],
        bidirectional=bidirectional,
        pooling="last",
        **kwargs,
    )
    out = {}
    for name in which:
        if name == "a":
            out[name] = Loop(workload, model, X, y, n_ids, packed=False)
        elif name == "a'":
            out[name] = Loop(workload, model, X, y, n_ids, packed=True)
        elif name == "b":
            out[name] = Skorch(workload, model, X, y, n_ids)
        elif name == AT:
            out[name] = Loop(workload, model, X, y, n_ids, packed=False, adam_kwargs={})
        elif name == AF:
            out[name] = Loop(workload, model, X, y, n_ids, packed=False, table_free=True)
        elif name == CS:
            out[name] = Estimator(workload, cell, bidirectional, X, y, sparse=True)
        else:
            out[name] = Estimator(workload, cell, bidirectional, X, y)
    return out, model


# -- measurement -----------------------------------------------------------------------


def run_cell(workload, cell, bidirectional, data, args):
    X, y = data
    extra = SPARSE_VARIANTS if workload == "text" and args.sparse else ()
    variants, model = build_variants(workload, cell, bidirectional, X, y, VARIANTS + extra)
    row = {"workload": workload, "cell": cell, "bidirectional": bidirectional}

    # warm-up epoch (for (c) this is the first fit: encoders + network + 1 epoch)
    for v in variants.values():
        v.epoch()
    est = variants["c"]
    row["params"] = {name: n_params(v.module()) for name, v in variants.items()}
    row["optimizer"] = {name: adam_kind(v.optimizer_()) for name, v in variants.items()}

    epochs = {name: [] for name in variants}
    for r in range(args.epochs):
        names = list(variants)
        names = names[r % len(names) :] + names[: r % len(names)]  # rotate the order
        for name in names:
            epochs[name].append(variants[name].epoch())
    # Load from other processes only ever adds time, so the fastest epoch is the closest
    # to a variant's own cost (timeit's rule); the median is kept alongside.
    row["epoch_s"] = {name: min(t) for name, t in epochs.items()}
    row["epoch_median_s"] = {name: statistics.median(t) for name, t in epochs.items()}
    row["epoch_all_s"] = epochs
    row["steps"] = {name: v.steps for name, v in variants.items()}
    row["loss"] = {name: float(v.last_loss) for name, v in variants.items()}
    row["padding"] = {}
    total = int(variants["a"].lengths.sum())
    for name in ("a", "b"):
        row["padding"][name] = 1 - total / variants[name].padded_steps
    # (c) batches with sklearn_rnn's own policy (length-sorted pools of 100 batches)
    lengths = variants["a"].lengths
    torch.manual_seed(SEED)
    batches = length_grouped_batches(lengths, BATCH_SIZE)
    row["padding"]["c"] = 1 - total / sum(int(lengths[i].max()) * len(i) for i in batches)
    for name in ("b", "c"):
        calls = variants[name].call_times[1:]
        row.setdefault("call_overhead_s", {})[name] = statistics.median(
            c - e for c, e in zip(calls, epochs[name], strict=True)
        )

    # prediction throughput over the whole data set, from the user's X
    # (the extra variants train differently but predict exactly as (a) and (c))
    predicting = {name: variants[name] for name in VARIANTS}
    pred = {name: [] for name in predicting}
    for r in range(args.predict_reps + 1):
        for name, v in predicting.items():
            start = time.perf_counter()
            v.predict(X)
            if r:  # the first pass is a warm-up
                pred[name].append(time.perf_counter() - start)
    row["predict_seq_s"] = {name: len(X) / statistics.median(t) for name, t in pred.items()}

    # single-sequence latency
    if workload == "text":
        one = next(seq for seq in X if len(seq) == 20)
    else:
        one = X[0]
    lat = {name: [] for name in predicting}
    for v in predicting.values():
        for _ in range(10):
            v.predict_one(one)
    # round-robin, one call each, so a burst of load from elsewhere hits every variant alike
    for _ in range(args.latency_calls):
        for name, v in predicting.items():
            start = time.perf_counter()
            v.predict_one(one)
            lat[name].append(1e3 * (time.perf_counter() - start))
    row["latency_ms"] = {name: statistics.median(t) for name, t in lat.items()}
    row["latency_p90_ms"] = {name: float(np.percentile(t, 90)) for name, t in lat.items()}

    if args.profile:
        row["profile"] = profile_estimator(est, X, one, args)
    return row


def check_same_model(workload, X, y):
    """Initial weights of (a) and (c) are equal; packed (a') computes the same outputs."""
    lines = []
    for bidirectional in (False, True):
        variants, model = build_variants(workload, "lstm", bidirectional, X, y, which=("a'",))
        est = RNNClassifier if workload == "text" else RNNRegressor
        kwargs = dict(embedding_dim=100) if workload == "text" else {}
        net = est(
            cell="lstm",
            hidden_size=WORKLOADS[workload]["hidden_size"],
            bidirectional=bidirectional,
            pooling="last",
            conv_blocks=None,
            random_state=SEED,
            max_epochs=0,
            early_stopping=False,
            dropout=0.0,
            batch_size=BATCH_SIZE,
            **kwargs,
        )
        net.fit(X[:200] if workload == "series" else X, y[:200] if workload == "series" else y)
        a_state, c_state = model.state_dict(), net.module_.state_dict()
        same = a_state.keys() == c_state.keys() and all(
            torch.equal(a_state[k], c_state[k]) for k in a_state
        )
        inputs, lengths = user_inputs(workload, X[:256], variants["a'"].n_ids)
        model.eval()
        packed = variants["a'"].model.eval()
        with torch.no_grad():
            diff = (model(inputs, lengths) - packed(inputs, lengths)).abs().max().item()
        lines.append(
            f"{'bi' if bidirectional else 'uni'}: initial weights (a) == (c): {same}; "
            f"max |padded (a) - packed (a')| on 256 sequences: {diff:.1e}"
        )
    return lines


def profile_estimator(est, X, one, args):
    """cProfile of two (c) epochs, one full predict and 200 single-sequence predicts."""
    out = {}
    jobs = {
        "epoch x2": lambda: [est.epoch() for _ in range(2)],
        "predict(X)": lambda: est.predict(X),
        "predict_one x200": lambda: [est.predict_one(one) for _ in range(200)],
    }
    for label, job in jobs.items():
        profiler = cProfile.Profile()
        profiler.enable()
        job()
        profiler.disable()
        buffer = io.StringIO()
        pstats.Stats(profiler, stream=buffer).sort_stats("tottime").print_stats(args.profile_top)
        out[label] = buffer.getvalue()
    return out


# -- memory: one fresh subprocess per variant -----------------------------------------


def _rss_kb(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field):
                return int(line.split()[1])
    return 0


def _reset_peak():
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)  # give freed heap pages back to the OS
    except OSError:
        pass
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # reset VmHWM (peak RSS) to the current RSS
    return _rss_kb("VmRSS:")


def memory_worker(spec):
    """Peak RSS growth of one variant: build + 1 training epoch, then one full predict."""
    torch.set_num_threads(1)
    workload, cell, bidirectional, name = spec
    X, y = make_data(workload)
    # One-time costs (library code paged in, BLAS thread buffers, kernel caches) are paid
    # before the baseline, by one step of a throw-away model of the same shape.
    variants, model = build_variants(
        workload, cell, bidirectional, X[:BATCH_SIZE], y[:BATCH_SIZE], which=("a",)
    )
    variants["a"].epoch()
    variants["a"].predict(X[:BATCH_SIZE])
    del variants, model
    base = _reset_peak()
    variants, model = build_variants(workload, cell, bidirectional, X, y, which=(name,))
    del model
    variant = variants[name]
    variant.epoch()
    train = _rss_kb("VmHWM:") - base
    base = _reset_peak()
    variant.predict(X)
    predict = _rss_kb("VmHWM:") - base
    return {"train_mb": train / 1024, "predict_mb": predict / 1024}


def measure_memory(specs, jobs, flags):
    def one(spec):
        cmd = [
            sys.executable,
            os.path.abspath(__file__),
            "--_memory-worker",
            json.dumps(spec),
            *flags,
        ]
        # A fixed mmap threshold makes glibc return every large freed block to the OS, so
        # RSS follows live memory instead of allocator retention (which otherwise varies by
        # +-100 MB with allocation order). Only the memory subprocesses get this setting.
        env = dict(os.environ, MALLOC_MMAP_THRESHOLD_="131072")
        done = subprocess.run(cmd, capture_output=True, text=True, check=False, env=env)
        if done.returncode != 0:
            sys.stderr.write(done.stderr[-2000:])
            return spec, None
        return spec, json.loads(done.stdout.strip().splitlines()[-1])

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        return {tuple(spec): result for spec, result in pool.map(one, specs)}


# -- epoch time over sequence length and hidden size -----------------------------------


def run_lengths(args):
    rows = []
    rng = np.random.default_rng(SEED)
    for hidden in args.hidden_list:
        for steps in args.lengths_list:
            X = rng.standard_normal((args.lengths_n, steps, 3)).astype(np.float32)
            y = rng.standard_normal(args.lengths_n).astype(np.float32)
            torch.manual_seed(SEED)
            model = SequenceModel(
                1, None, 3, cell=args.lengths_cell, hidden_size=hidden, pooling="last"
            )
            loop = Loop("series", model, X, y, None, packed=False)
            est = Estimator("series", args.lengths_cell, False, X, y, hidden_size=hidden)
            times = {"a": [], "c": []}
            for r in range(3):  # first epoch is the warm-up
                for name, v in (("a", loop), ("c", est)):
                    t = v.epoch()
                    if r:
                        times[name].append(t)
            a, c = min(times["a"]), min(times["c"])  # the fastest epoch, as in run_cell
            rows.append({"steps": steps, "hidden": hidden, "a_s": a, "c_s": c})
            print(
                f"  T={steps:4d} hidden={hidden:4d}: (c) {c:7.3f} s  (a) {a:7.3f} s  "
                f"(c)/(a) {c / a:5.2f}",
                flush=True,
            )
    return rows


def print_lengths(rows, args):
    hidden = sorted({r["hidden"] for r in rows})
    print(
        f"\n### (c) epoch time (s) vs sequence length and hidden size "
        f"({args.lengths_cell}, {args.lengths_n} sequences x 3 features, batch {BATCH_SIZE}; "
        f"(c)/(a) in brackets)\n"
    )
    print("| T | " + " | ".join(f"hidden {h}" for h in hidden) + " |")
    print("|---" * (len(hidden) + 1) + "|")
    for steps in sorted({r["steps"] for r in rows}):
        cells = []
        for h in hidden:
            r = next((r for r in rows if r["steps"] == steps and r["hidden"] == h), None)
            cells.append(f"{r['c_s']:.3f} ({r['c_s'] / r['a_s']:.2f})" if r else "")
        print(f"| {steps} | " + " | ".join(cells) + " |")
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("\n(matplotlib not installed: no plot)")
        return
    fig, ax = plt.subplots(figsize=(6, 4))
    for h in hidden:
        pts = sorted((r["steps"], r["c_s"]) for r in rows if r["hidden"] == h)
        ax.plot(*zip(*pts, strict=True), marker="o", label=f"hidden {h}")
    ax.set(
        xscale="log",
        yscale="log",
        xlabel="sequence length T",
        ylabel="epoch time (s)",
        title=f"sklearn_rnn {args.lengths_cell}: epoch time ({args.lengths_n} sequences)",
    )
    ax.legend()
    fig.tight_layout()
    fig.savefig(args.plot)
    print(f"\nplot written to {args.plot}")


# -- report ----------------------------------------------------------------------------


def fmt_ratio(x):
    return f"**{x:.2f}**"


def print_workload(workload, rows, memory):
    cfg = WORKLOADS[workload]
    if workload == "text":
        desc = (
            f"{cfg['n']} id sequences, vocabulary {cfg['vocab']} (Zipf), lengths mean ~20 "
            f"(max {cfg['max_len']}), embedding {cfg['embedding_dim']}, hidden "
            f"{cfg['hidden_size']}, 2 classes"
        )
    else:
        desc = (
            f"{cfg['n']} series x {cfg['steps']} steps x {cfg['n_features']} features, "
            f"hidden {cfg['hidden_size']}, 1 target"
        )
    print(f"\n## Workload `{workload}`: {desc}; batch {BATCH_SIZE}, Adam lr={LR}\n")
    print("### Training: epoch time, fastest timed epoch after a warm-up (s)\n")
    print(
        "| cell | dir | (a) loop | (a') packed | (b) skorch | (c) sklearn_rnn | (c)/(a) | "
        "(c)/(a) of medians | (a')/(a) | (b)/(c) | (c) partial_fit overhead/call | "
        "padding (a) / (b) / (c) |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        e, med = r["epoch_s"], r["epoch_median_s"]
        print(
            f"| {r['cell']} | {'bi' if r['bidirectional'] else 'uni'} | {e['a']:.3f} | "
            f"{e[AP]:.3f} | {e['b']:.3f} | {e['c']:.3f} | "
            f"{fmt_ratio(e['c'] / e['a'])} | {med['c'] / med['a']:.2f} | "
            f"{fmt_ratio(e[AP] / e['a'])} | "
            f"{fmt_ratio(e['b'] / e['c'])} | {1e3 * r['call_overhead_s']['c']:.0f} ms | "
            f"{100 * r['padding']['a']:.1f}% / {100 * r['padding']['b']:.0f}% / "
            f"{100 * r['padding']['c']:.1f}% |"
        )
    print(
        "\n### Prediction: throughput over the whole data set (sequences/s) and "
        "single-sequence latency (median, ms)\n"
    )
    print(
        "| cell | dir | (a) seq/s | (a') seq/s | (b) seq/s | (c) seq/s | pred (c)/(a) | "
        "lat (a) | lat (a') | lat (b) | lat (c) | lat (c)/(a) |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        p, lat = r["predict_seq_s"], r["latency_ms"]
        print(
            f"| {r['cell']} | {'bi' if r['bidirectional'] else 'uni'} | {p['a']:.0f} | "
            f"{p[AP]:.0f} | {p['b']:.0f} | {p['c']:.0f} | "
            f"{fmt_ratio(p['c'] / p['a'])} | {lat['a']:.2f} | {lat[AP]:.2f} | "
            f"{lat['b']:.2f} | {lat['c']:.2f} | {fmt_ratio(lat['c'] / lat['a'])} |"
        )
    if memory:
        print(
            "\n### Peak RSS growth (MB): build + 1 training epoch | 1 full predict "
            "(fresh process per variant)\n"
        )
        print(
            "| cell | dir | train (a) | train (a') | train (b) | train (c) | "
            "predict (a) | predict (a') | predict (b) | predict (c) |"
        )
        print("|---|---|---|---|---|---|---|---|---|---|")
        for r in rows:
            m = [memory.get((workload, r["cell"], r["bidirectional"], n)) for n in VARIANTS]
            if not any(m):
                continue
            tr = " | ".join(f"{x['train_mb']:.0f}" if x else "-" for x in m)
            pr = " | ".join(f"{x['predict_mb']:.0f}" if x else "-" for x in m)
            print(f"| {r['cell']} | {'bi' if r['bidirectional'] else 'uni'} | {tr} | {pr} |")
    if rows and CS in rows[0]["epoch_s"]:
        print(
            "\n### Sparse embedding updates: epoch time (s), same run\n\n"
            f"({AT}) is (a) on torch's default Adam (single-tensor on CPU), what "
            "`torch.optim.Adam(model.parameters())` gives a hand-written loop; (a) and (c) "
            f"use the Adam above; ({CS}) is (c) with `sparse_embeddings=True` (SparseAdam "
            f"for the embedding rows a batch used, the same Adam for the rest); ({AF}) is (a) "
            "with no gradient and no update for the embedding table (the network still "
            "computes its input gradient): the floor for any sparse-update scheme.\n"
        )
        print(
            f"| cell | dir | (a) | ({AT}) | (c) | ({CS}) | ({AF}) | ({CS})/(a) | "
            f"({AF})/(a) | ({CS})/({AT}) | ({CS})/(c) | (c)/({AT}) |"
        )
        print("|---|---|---|---|---|---|---|---|---|---|---|---|")
        for r in rows:
            e = r["epoch_s"]
            print(
                f"| {r['cell']} | {'bi' if r['bidirectional'] else 'uni'} | {e['a']:.3f} | "
                f"{e[AT]:.3f} | {e['c']:.3f} | {e[CS]:.3f} | {e[AF]:.3f} | "
                f"{fmt_ratio(e[CS] / e['a'])} | {fmt_ratio(e[AF] / e['a'])} | "
                f"{fmt_ratio(e[CS] / e[AT])} | {fmt_ratio(e[CS] / e['c'])} | "
                f"{fmt_ratio(e['c'] / e[AT])} |"
            )
    print("\n### Same work (proof)\n")
    print(
        "| cell | dir | parameters (a) / (a') / (b) / (c) | optimizer steps per epoch "
        "(a) / (a') / (b) / (c) | optimizer (a) / (a') / (b) / (c) | "
        "train loss, last epoch (a) / (a') / (b) / (c) |"
    )
    print("|---|---|---|---|---|---|")
    for r in rows:
        par = " / ".join(str(r["params"][n]) for n in VARIANTS)
        st = " / ".join(str(r["steps"][n]) for n in VARIANTS)
        lo = " / ".join(f"{r['loss'][n]:.3f}" for n in VARIANTS)
        opt = " / ".join(r["optimizer"][n] for n in VARIANTS)
        print(
            f"| {r['cell']} | {'bi' if r['bidirectional'] else 'uni'} | {par} | {st} | {opt} "
            f"| {lo} |"
        )


def parse_args(argv=None):
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument(
        "--quick",
        action="store_true",
        help="LSTM only, 1 warm-up + 2 timed epochs, 100 latency calls (< 3 min)",
    )
    p.add_argument("--workloads", default="text,series", help="text,series or none")
    p.add_argument("--cells", default=None, help="comma list of rnn,lstm,gru (default all)")
    p.add_argument("--directions", default="uni,bi", help="uni,bi")
    p.add_argument("--epochs", type=int, default=None, help="timed epochs after the warm-up (4)")
    p.add_argument("--predict-reps", type=int, default=None, help="timed full predicts (3)")
    p.add_argument("--latency-calls", type=int, default=None, help="single predicts (200)")
    p.add_argument("--no-memory", action="store_true", help="skip the memory subprocesses")
    p.add_argument(
        "--no-sparse",
        dest="sparse",
        action="store_false",
        help=f"text workload: skip ({AT}), ({CS}) and ({AF}), the sparse-embedding comparison",
    )
    p.add_argument("--mem-jobs", type=int, default=2, help="memory subprocesses at once")
    p.add_argument(
        "--adam",
        choices=["library", "torch", "foreach", "fused"],
        default="library",
        help="Adam implementation, the same for every variant: 'library' = whatever "
        "sklearn_rnn picks by itself (default), 'torch' = torch's own default (single-tensor "
        "on CPU; sklearn_rnn is given optimizer__foreach=None so it keeps it too)",
    )
    p.add_argument(
        "--hidden-size",
        type=int,
        default=None,
        help="override the hidden size of both workloads (e.g. 2 to expose the "
        "per-batch framework overhead)",
    )
    p.add_argument("--embedding-dim", type=int, default=None, help="override for text")
    p.add_argument(
        "--threads",
        type=int,
        default=None,
        help="torch.set_num_threads (default: leave torch's default)",
    )
    p.add_argument("--profile", action="store_true", help="cProfile (c) for the first cell")
    p.add_argument("--profile-top", type=int, default=25)
    p.add_argument(
        "--lengths",
        action="store_true",
        help="also: (c) epoch time over sequence lengths and hidden sizes (slow)",
    )
    p.add_argument("--lengths-list", default="50,100,200,400,800")
    p.add_argument("--hidden-list", default="64,128,256,512")
    p.add_argument("--lengths-n", type=int, default=128, help="sequences in the sweep")
    p.add_argument("--lengths-cell", default="lstm")
    p.add_argument("--plot", default="benchmarks/speed_lengths.png")
    p.add_argument(
        "--scale",
        type=float,
        default=1.0,
        help="multiply the data set sizes (e.g. 0.05 for a smoke test)",
    )
    p.add_argument("--json", default=None, help="write all results to this JSON file")
    p.add_argument("--_memory-worker", dest="memory_worker", default=None, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    args.cells = (args.cells or ("lstm" if args.quick else "rnn,lstm,gru")).split(",")
    args.epochs = args.epochs or (2 if args.quick else 4)
    args.predict_reps = args.predict_reps or (2 if args.quick else 3)
    args.latency_calls = args.latency_calls or (100 if args.quick else 200)
    args.workloads = [w for w in args.workloads.split(",") if w and w != "none"]
    args.directions = [d == "bi" for d in args.directions.split(",")]
    args.lengths_list = [int(x) for x in args.lengths_list.split(",")]
    args.hidden_list = [int(x) for x in args.hidden_list.split(",")]
    return args


def progress(message):
    """Progress goes to stderr, so that stdout is the markdown report."""
    print(message, file=sys.stderr, flush=True)


def configure(args):
    """Apply the options that change the workloads (same in the memory subprocesses)."""
    for cfg in WORKLOADS.values():
        cfg["n"] = max(BATCH_SIZE, int(cfg["n"] * args.scale))
        if args.hidden_size:
            cfg["hidden_size"] = args.hidden_size
    if args.embedding_dim:
        WORKLOADS["text"]["embedding_dim"] = args.embedding_dim
    ADAM_KWARGS.clear()
    if args.adam == "library":
        ADAM_KWARGS.update(library_adam_kwargs())
    elif args.adam == "torch":
        ADAM_KWARGS["foreach"] = None
    else:
        ADAM_KWARGS[args.adam] = True


def worker_flags(args):
    flags = ["--scale", str(args.scale), "--adam", args.adam]
    if args.hidden_size:
        flags += ["--hidden-size", str(args.hidden_size)]
    if args.embedding_dim:
        flags += ["--embedding-dim", str(args.embedding_dim)]
    return flags


def main(argv=None):
    args = parse_args(argv)
    if args.memory_worker:
        configure(args)
        print(json.dumps(memory_worker(json.loads(args.memory_worker))))
        return
    if args.threads:
        torch.set_num_threads(args.threads)
    configure(args)
    started = time.perf_counter()
    load = os.getloadavg()[0]
    print(
        f"# sklearn_rnn speed benchmark\n\npython {platform.python_version()}, torch "
        f"{torch.__version__}, skorch {skorch.__version__}, sklearn_rnn "
        f"{getattr(sklearn_rnn, '__version__', '?')}, {os.cpu_count()} CPUs, torch threads "
        f"{torch.get_num_threads()}, load average at start {load:.2f}, Adam: "
        f"{args.adam} -> {ADAM_KWARGS or 'torch default'} for every variant"
    )
    if load > 0.5:
        print(
            f"\n> WARNING: load average {load:.2f}: other processes compete for the CPUs. "
            "Variants are interleaved epoch by epoch so ratios stay comparable, but with "
            "torch's default threads a contended core can slow every variant many-fold "
            "(measured 75x for 2 threads on 2 busy cores): use --threads 1 then."
        )
    results = {"args": {k: v for k, v in vars(args).items()}, "workloads": {}}
    for workload in args.workloads:
        data = make_data(workload)
        progress(f"[{workload}] checking that all variants run the same model ...")
        checks = check_same_model(workload, *data)
        rows = []
        for cell in args.cells:
            for bidirectional in args.directions:
                t0 = time.perf_counter()
                rows.append(run_cell(workload, cell, bidirectional, data, args))
                progress(
                    f"[{workload}] {cell} {'bi' if bidirectional else 'uni'} done in "
                    f"{time.perf_counter() - t0:.0f} s"
                )
        results["workloads"][workload] = {"rows": rows, "checks": checks}
    memory = {}
    if args.workloads and not args.no_memory:
        directions = args.directions[:1] if args.quick else args.directions
        specs = [
            (w, c, d, n)
            for w in args.workloads
            for c in args.cells
            for d in directions
            for n in VARIANTS
        ]
        progress(f"measuring memory in {len(specs)} subprocesses ...")
        memory = measure_memory(specs, args.mem_jobs, worker_flags(args))
    for workload, res in results["workloads"].items():
        print_workload(workload, res["rows"], memory)
        print()
        for line in res["checks"]:
            print(f"- {line}")
        for r in res["rows"]:
            for label, text in r.get("profile", {}).items():
                print(
                    f"\n### cProfile of (c) {workload} {r['cell']} "
                    f"{'bi' if r['bidirectional'] else 'uni'}: {label}\n\n```"
                )
                print(text.strip())
                print("```")
    print("""
Notes: epoch times are each variant's fastest timed epoch (the variants take turns, epoch
by epoch): load from other processes only ever adds time, so the fastest epoch is the
closest to a variant's own cost, as timeit reports; the ratio of medians is shown too.
(a)/(a') time from the user's X to predictions too (padding done by hand);
(b) pads to the longest sequence of the data set and uses skorch's per-sample DataLoader;
(b)/(c) epoch time is measured inside skorch's loop (on_epoch_begin -> on_epoch_end of a
callback registered last); "(c) partial_fit overhead/call" is the rest of each one-epoch
partial_fit call (input validation and encoding of X, which fit(max_epochs=k) pays once).
Memory: peak RSS growth (VmHWM reset through /proc/self/clear_refs after gc +
malloc_trim) over the process with the data loaded and one-time library costs paid, for
model construction + input preparation + one epoch (params, grads, Adam state,
activations, library copies of X), then separately for one full predict. One fresh
process per variant, 1 torch thread, MALLOC_MMAP_THRESHOLD_=131072 (so RSS tracks live
memory rather than glibc retention).""")
    if args.lengths:
        print("\nsweep: epoch time over sequence length x hidden size ...", flush=True)
        rows = run_lengths(args)
        results["lengths"] = rows
        print_lengths(rows, args)
    memory_json = {"|".join(map(str, k)): v for k, v in memory.items()}
    results["memory"] = memory_json
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1, default=str)
    print(f"\ntotal wall time {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
