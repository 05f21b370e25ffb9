"""RNNLanguageModel on tiny-shakespeare against character n-grams; its training loop
against a hand-written truncated-BPTT loop; sampling speed; MR with and without
language-model pretraining.

Tasks (pick with ``--task``, default ``shakespeare``):

``shakespeare``
    First 90 % of tiny-shakespeare for training, last 10 % for validation (nanoGPT's
    split). The library's defaults are trained (``--max-epochs`` overrides the
    epochs, ``--minutes`` caps the wall time), the validation loss reported after
    every epoch in nats/char and bits/char, then a sample. In the same run,
    interpolated Kneser-Ney character n-grams (written here, not in the library) for
    n = 2 ... ``--max-order``, scored on the same validation text.
``speed``
    The same network (``LanguageModelNetwork``, no dropout, the same streams and
    chunks of ``bptt`` steps, fused Adam, gradient clipping at 1.0) trained one epoch
    at a time by (a) a hand-written truncated-BPTT PyTorch loop and (c)
    ``RNNLanguageModel.fit``, interleaved, ``--repeats`` times; the median epoch times
    and their ratio c/a. Then the median time to sample 1,000 characters.
``mr``
    MR sentence polarity, ``--folds`` stratified folds of 10: the same ``RNNClassifier``
    trained from random weights, and initialised from an ``RNNLanguageModel`` pretrained
    (word level) on the training fold's own sentences (Dai & Le, 2015), through
    :func:`sklearn_rnn.pretraining.init_from_language_model` (``benchmarks/pretraining_mr.py``),
    and, as the control, initialised from the same language model before training.

Usage::

    python benchmarks/language_model.py --task shakespeare --threads 2
    python benchmarks/language_model.py --task shakespeare --train-chars 100000  # quick
    python benchmarks/language_model.py --task speed --train-chars 100000 --repeats 3
    python benchmarks/language_model.py --task mr --folds 10

torch runs with ``--threads`` threads (1 by default; use 2 on an idle 2-core machine).
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from skorch.callbacks import Callback  # noqa: E402

from sklearn_rnn import RNNLanguageModel  # noqa: E402
from sklearn_rnn.language_model._network import LanguageModelNetwork  # noqa: E402

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
LN2 = math.log(2)


def shakespeare(data_dir: Path = SHARED_DATA) -> tuple[str, str]:
    """tiny-shakespeare's first 90 % (train) and last 10 % (validation)."""
    text = (data_dir / "tinyshakespeare" / "input.txt").read_text(encoding="utf-8")
    cut = int(0.9 * len(text))
    return text[:cut], text[cut:]


# -- the n-gram baseline ----------------------------------------------------------------


class KneserNeyChars:
    """Interpolated Kneser-Ney character n-gram model (Chen & Goodman 1998, sec. 3.5).

    The highest order uses counts, the lower orders continuation counts (how many
    distinct characters precede the n-gram); one absolute discount per order,
    ``D = n1 / (n1 + 2 n2)``; the unigram level interpolates with the uniform
    distribution over the training characters (+1 for unseen ones).
    """

    def __init__(self, order: int):
        self.order = order

    def fit(self, text: str) -> KneserNeyChars:
        n = self.order
        self.vocab = sorted(set(text))
        self.uniform = 1.0 / (len(self.vocab) + 1)
        counts = {
            k: Counter(text[i : i + k] for i in range(len(text) - k + 1)) for k in range(1, n + 1)
        }
        # Level k's numerators: raw counts at the top, continuation counts below.
        self.numer = {n: counts[n]}
        for k in range(1, n):
            cont = Counter()
            for gram in counts[k + 1]:
                cont[gram[1:]] += 1
            self.numer[k] = cont
        self.denom, self.types, self.discount = {}, {}, {}
        for k in range(1, n + 1):
            denom, types = defaultdict(int), defaultdict(int)
            for gram, c in self.numer[k].items():
                denom[gram[:-1]] += c
                types[gram[:-1]] += 1
            self.denom[k], self.types[k] = dict(denom), dict(types)
            freq = Counter(self.numer[k].values())
            n1, n2 = freq.get(1, 0), freq.get(2, 0)
            self.discount[k] = n1 / (n1 + 2 * n2) if n1 + n2 else 0.5
        return self

    def prob(self, history: str, char: str) -> float:
        p = self.uniform
        for k in range(1, self.order + 1):
            context = history[len(history) - (k - 1) :] if k > 1 else ""
            if k > 1 and len(history) < k - 1:
                break
            total = self.denom[k].get(context)
            if not total:
                continue  # unseen context: keep the lower order's estimate
            d = self.discount[k]
            count = self.numer[k].get(context + char, 0)
            p = max(count - d, 0.0) / total + d * self.types[k][context] / total * p
        return p

    def nats_per_char(self, text: str, warmup: str = "") -> float:
        full = warmup + text
        start = len(warmup)
        total = 0.0
        for i in range(start, len(full)):
            total -= math.log(self.prob(full[max(0, i - self.order + 1) : i], full[i]))
        return total / len(text)


# -- shakespeare --------------------------------------------------------------------------


class ValidationCurve(Callback):
    """Score the validation text after every epoch; stop after ``minutes`` of training."""

    def __init__(self, text: str, minutes: float, every: int = 1):
        self.text = text
        self.minutes = minutes
        self.every = every

    def on_train_begin(self, net, **kwargs):
        self.start_ = time.perf_counter()
        self.train_seconds_ = 0.0
        self.cpu_seconds_ = 0.0

    def on_epoch_begin(self, net, **kwargs):
        self.epoch_cpu_start_ = time.process_time()

    def on_epoch_end(self, net, **kwargs):
        epoch = len(net.history)
        self.train_seconds_ += net.history[-1, "dur"]
        # CPU seconds of this process: about what the epoch takes on an idle core, when
        # other processes share the machine and the wall time overstates it.
        self.cpu_seconds_ += time.process_time() - self.epoch_cpu_start_
        row = f"epoch {epoch:3d}  train {net.history[-1, 'train_loss']:.4f}"
        if epoch % self.every == 0:
            t = time.perf_counter()
            nats = -net.score(self.text)
            net.history.record("valid_nats", nats)
            net._set_training(True)
            row += f"  valid {nats:.4f} nats/char {nats / LN2:.4f} bits/char"
            row += f"  (scored in {time.perf_counter() - t:.0f} s)"
        row += f"  training time {self.train_seconds_ / 60:.1f} min"
        row += f" (CPU {self.cpu_seconds_ / 60:.1f} min, load {os.getloadavg()[0]:.1f})"
        print(row, flush=True)
        if self.train_seconds_ > self.minutes * 60:
            print(f"stopping: {self.minutes} minutes of training reached", flush=True)
            raise KeyboardInterrupt  # skorch ends fit cleanly on it


def run_shakespeare(args) -> None:
    train, valid = shakespeare(Path(args.data_dir))
    if args.train_chars:
        train = train[: args.train_chars]
    if args.valid_chars:
        valid = valid[: args.valid_chars]
    print(f"# tiny-shakespeare: {len(train):,} training, {len(valid):,} validation characters")
    print(
        f"torch {torch.__version__}, {torch.get_num_threads()} threads, "
        f"os.cpu_count()={os.cpu_count()}"
    )
    print(f"load average at start: {os.getloadavg()}", flush=True)

    print("\n## character n-grams, interpolated Kneser-Ney", flush=True)
    ngram = {}
    for order in range(2, args.max_order + 1):
        t = time.perf_counter()
        model = KneserNeyChars(order).fit(train)
        nats = model.nats_per_char(valid)
        ngram[order] = nats
        print(
            f"n={order}: {nats:.4f} nats/char, {nats / LN2:.4f} bits/char "
            f"({time.perf_counter() - t:.0f} s)",
            flush=True,
        )
    best_order = min(ngram, key=ngram.get)

    params = {"random_state": 0}
    if args.max_epochs is not None:
        params["max_epochs"] = args.max_epochs
    lm = RNNLanguageModel(**params)
    print(f"\n## RNNLanguageModel, defaults: {lm!r}", flush=True)
    curve = ValidationCurve(valid, args.minutes, every=args.score_every)
    lm.set_params(callbacks=[curve])
    t = time.perf_counter()
    lm.fit(train)
    wall = time.perf_counter() - t
    nats = -lm.score(valid)
    sample_start = time.perf_counter()
    text = lm.sample(1000, prompt="ROMEO:", temperature=0.8, random_state=0)
    sample_seconds = time.perf_counter() - sample_start
    print("\n## result")
    print("| model | validation nats/char | bits/char | training time |")
    print("| --- | --- | --- | --- |")
    print(
        f"| KN {best_order}-gram (best of n=2..{args.max_order}) | {ngram[best_order]:.4f} | "
        f"{ngram[best_order] / LN2:.4f} | |"
    )
    print(
        f"| RNNLanguageModel, {len(lm.history)} epochs | {nats:.4f} | {nats / LN2:.4f} | "
        f"{curve.train_seconds_ / 60:.1f} min epochs (CPU {curve.cpu_seconds_ / 60:.1f} min), "
        f"{wall / 60:.1f} min fit incl. scoring |"
    )
    print(f"\nratio RNN / best n-gram (nats): {nats / ngram[best_order]:.3f}")
    print(f"sample of 1,000 characters (temperature 0.8) in {sample_seconds:.2f} s:\n")
    print(text)


# -- speed --------------------------------------------------------------------------------


def hand_written_epoch(net, optimizer, batches, clip: float) -> tuple[float, float]:
    """One epoch of truncated BPTT written by hand; its wall and CPU seconds."""
    start, cpu = time.perf_counter(), time.process_time()
    net.train()
    state = None
    for x, y in batches:
        if bool(x["fresh"][0]):
            state = None
        logits, state = net(x["inputs"], state)
        state = tuple(s.detach() for s in state) if isinstance(state, tuple) else state.detach()
        loss = torch.nn.functional.cross_entropy(
            logits.reshape(-1, logits.shape[-1]), y.reshape(-1) - 1
        )
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(net.parameters(), clip)
        optimizer.step()
    return time.perf_counter() - start, time.process_time() - cpu


def run_speed(args) -> None:
    from sklearn_rnn.language_model._streams import StreamBatches, n_streams_for

    train, _ = shakespeare(Path(args.data_dir))
    train = train[: args.train_chars]
    settings = dict(hidden_size=args.hidden_size, dropout=0.0, clip_grad_norm=1.0)
    print(
        f"# training loop speed: {len(train):,} characters, {settings}, "
        f"{torch.get_num_threads()} threads, load {os.getloadavg()}",
        flush=True,
    )
    lm = RNNLanguageModel(**settings, max_epochs=1, random_state=0).fit(train)
    ids = lm._make_dataset(train)  # the same token stream the estimator trains on
    batches = list(StreamBatches(ids, n_streams_for(len(ids), lm.batch_size, lm.bptt), lm.bptt))
    net = LanguageModelNetwork(lm.n_outputs_, lm.encoder_.n_ids_, hidden_size=args.hidden_size)
    optimizer = torch.optim.Adam(net.parameters(), lr=lm.lr, fused=True)
    times = {"a": [], "c": [], "a cpu": [], "c cpu": []}
    for repeat in range(args.repeats):
        wall, cpu = hand_written_epoch(net, optimizer, batches, 1.0)
        times["a"].append(wall)
        times["a cpu"].append(cpu)
        cpu = time.process_time()  # (c)'s CPU time includes fit's setup (vocabulary, network)
        fitted = RNNLanguageModel(**settings, max_epochs=1, random_state=repeat).fit(train)
        times["c cpu"].append(time.process_time() - cpu)
        times["c"].append(fitted.history[-1, "dur"])
        print(
            f"repeat {repeat}: wall a {times['a'][-1]:.2f} s, c {times['c'][-1]:.2f} s; "
            f"CPU a {times['a cpu'][-1]:.2f} s, c {times['c cpu'][-1]:.2f} s",
            flush=True,
        )
    median = {key: statistics.median(values) for key, values in times.items()}
    print("\n| variant | median epoch wall (s) | ratio | median epoch CPU (s) | ratio |")
    print("| --- | --- | --- | --- | --- |")
    print(
        f"| (a) hand-written TBPTT loop | {median['a']:.2f} | 1.00 | {median['a cpu']:.2f} | 1.00 |"
    )
    print(
        f"| (c) RNNLanguageModel.fit | {median['c']:.2f} | {median['c'] / median['a']:.3f} | "
        f"{median['c cpu']:.2f} | {median['c cpu'] / median['a cpu']:.3f} |"
    )
    default = RNNLanguageModel(max_epochs=1, random_state=0).fit(train[:20_000])
    seconds, cpu_seconds = [], []
    for seed in range(args.repeats):
        start, cpu = time.perf_counter(), time.process_time()
        default.sample(1000, random_state=seed)
        seconds.append(time.perf_counter() - start)
        cpu_seconds.append(time.process_time() - cpu)
    print(
        f"\nsampling 1,000 characters with the default network (hidden_size="
        f"{default.hidden_size}): median {statistics.median(seconds):.3f} s wall, "
        f"{statistics.median(cpu_seconds):.3f} s CPU over {args.repeats}; load "
        f"{os.getloadavg()[0]:.1f}"
    )


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--task", choices=["shakespeare", "speed", "mr"], default="shakespeare")
    parser.add_argument("--data-dir", default=str(SHARED_DATA))
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--train-chars", type=int, default=None)
    parser.add_argument("--valid-chars", type=int, default=None)
    parser.add_argument("--max-order", type=int, default=7)
    parser.add_argument("--max-epochs", type=int, default=None)
    parser.add_argument("--minutes", type=float, default=60.0)
    parser.add_argument("--score-every", type=int, default=1)
    parser.add_argument("--hidden-size", type=int, default=512)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--folds", type=int, default=10)
    parser.add_argument("--pooling", default="max", help="mr: the classifiers' pooling")
    parser.add_argument("--lm-epochs", type=int, default=4, help="mr: pretraining epochs")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    if args.task == "shakespeare":
        run_shakespeare(args)
    elif args.task == "speed":
        if args.train_chars is None:
            args.train_chars = 100_000
        run_speed(args)
    else:
        from pretraining_mr import run_mr  # noqa: PLC0415  (benchmarks/ is not a package)

        run_mr(args)


if __name__ == "__main__":
    main()
