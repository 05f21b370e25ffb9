"""Epoch time of a data-parallel fit: 1 process against N processes (one thread each).

The text and series workloads of ``benchmarks/speed.py`` (movie-review-like id
sequences; AR(1) series of 150 steps), trained by ``RNNClassifier`` / ``RNNRegressor``
with the same settings (``batch_size`` per process, so an epoch over ``N`` processes takes
``N`` times fewer steps) alone and data-parallel over a gloo process group of ``N``
processes on this machine (``torch.multiprocessing``, as ``torchrun --nproc_per_node N``
would start them). Every process runs one torch thread, so N processes use N cores. The
runs of each size alternate, repeat by repeat, so that load from other programs hits
both alike; the table gives the median epoch time (``history_[:, "dur"]``, the first
epoch left out as warm-up) over the repeats, the CPU seconds a process spent per epoch
(what an idle machine's epoch would take with one core per process), and the load
average seen. Usage::

    python benchmarks/data_parallel.py                      # both workloads, 1 vs 2 processes
    python benchmarks/data_parallel.py --scale 0.2 --repeats 3 --epochs 3

Measured on CPU only: no GPU machine was lent to this benchmark (NCCL is untested here).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from skorch.callbacks import Callback

# This checkout's package, also in the spawned processes (not another installed copy).
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ["PYTHONPATH"] = os.pathsep.join(
    [str(Path(__file__).resolve().parents[1]), os.environ.get("PYTHONPATH", "")]
)

from sklearn_rnn import RNNClassifier, RNNRegressor  # noqa: E402


class CpuTime(Callback):
    """Record ``cpu``, the CPU seconds this process spent in each epoch (all threads)."""

    def on_epoch_begin(self, net, **kwargs):
        self.start_ = time.process_time()

    def on_epoch_end(self, net, **kwargs):
        net.history.record("cpu", time.process_time() - self.start_)


def _speed_module():
    """benchmarks/speed.py, for its workloads (the benchmarks are scripts, not a package)."""
    path = Path(__file__).with_name("speed.py")
    spec = importlib.util.spec_from_file_location("_speed_workloads", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def make_workload(workload: str, scale: float, epochs: int, batch_size: int = 64):
    """``(estimator, X, y)`` of a workload, ``scale`` times its number of sequences."""
    speed = _speed_module()
    config = dict(speed.WORKLOADS[workload])
    config["n"] = max(64, int(config["n"] * scale))
    common = dict(
        cell="lstm", hidden_size=config["hidden_size"], batch_size=batch_size, max_epochs=epochs,
        early_stopping=False, lr=1e-3, random_state=0, callbacks=[CpuTime()],
    )  # fmt: skip
    if workload == "text":
        X, y = speed.make_text(**config)
        model = RNNClassifier(**common, embedding_dim=config["embedding_dim"], dropout=0.0)
    else:
        X, y = speed.make_series(**config)
        model = RNNRegressor(**common)
    return model, X, y


def _worker(rank: int, world_size: int, workload: str, scale, epochs, batch_size, out: str):
    torch.set_num_threads(1)
    # A session of its own: where the kernel groups a session's processes for scheduling
    # (autogroup), the ranks of one session would share one session's CPU time on a busy
    # machine, as if a single process; separate programs (torchrun's ranks on their own
    # machines, or an idle machine) get a core each.
    with contextlib.suppress(PermissionError):  # already a session leader
        os.setsid()
    if world_size > 1:
        dist.init_process_group(
            "gloo", init_method=f"file://{out}.store", rank=rank, world_size=world_size
        )
    model, X, y = make_workload(workload, scale, epochs, batch_size)
    model.fit(X, y)
    if rank == 0:
        rows = zip(model.history_[:, "dur"], model.history_[:, "cpu"], strict=True)
        Path(out).write_text("\n".join(f"{dur} {cpu}" for dur, cpu in rows))
    if world_size > 1:
        dist.destroy_process_group()


def epoch_times(workload: str, world_size: int, scale, epochs, batch_size) -> list[tuple]:
    """(wall, CPU) seconds of each epoch after the first of one fit over ``world_size``
    processes (rank 0's CPU seconds)."""
    with tempfile.TemporaryDirectory() as folder:
        out = os.path.join(folder, "durations")
        mp.spawn(
            _worker,
            args=(world_size, workload, scale, epochs, batch_size, out),
            nprocs=world_size,
        )
        rows = [tuple(map(float, line.split())) for line in Path(out).read_text().splitlines()]
    return rows[1:]


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workloads", nargs="+", default=["text", "series"],
                        choices=["text", "series"])  # fmt: skip
    parser.add_argument("--processes", type=int, default=2, help="N, against 1")
    parser.add_argument("--scale", type=float, default=1.0, help="share of speed.py's data")
    parser.add_argument("--epochs", type=int, default=3, help="per fit; the first is warm-up")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=64,
                        help="per process (a global batch holds N times as many)")  # fmt: skip
    args = parser.parse_args(argv)
    results = {}
    for workload in args.workloads:
        times: dict[int, list[float]] = {1: [], args.processes: []}
        loads = [os.getloadavg()[0]]
        for _ in range(args.repeats):
            for world_size in times:  # alternate, so that load hits both alike
                times[world_size] += epoch_times(
                    workload, world_size, args.scale, args.epochs, args.batch_size
                )
                loads.append(os.getloadavg()[0])
        one, many = (statistics.median(wall for wall, _ in times[w]) for w in times)
        cpu_one, cpu_many = (statistics.median(cpu for _, cpu in times[w]) for w in times)
        results[workload] = dict(
            one=one, many=many, ratio=many / one, cpu_ratio=cpu_many / cpu_one, load=max(loads)
        )
        print(
            f"| {workload} | {one:.2f} s | {many:.2f} s | {many / one:.2f} | "
            f"{cpu_one:.2f} s | {cpu_many:.2f} s | {cpu_many / cpu_one:.2f} | "
            f"{min(loads):.1f}-{max(loads):.1f} |",
            flush=True,
        )
    return results


if __name__ == "__main__":
    print(f"epoch time, 1 process against N processes (one thread each); {time.ctime()}")
    print(
        "| workload | epoch, 1 process | epoch, N processes | N / 1 | CPU/epoch, 1 process "
        "| CPU/epoch, each of N | N / 1 | load average (1 min) |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    main()
