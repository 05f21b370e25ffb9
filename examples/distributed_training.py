"""Data-parallel training with torchrun: one classifier (MR) and one language model
================================================================================

The same script trains alone (``python``) or data-parallel over several processes
(``torchrun``, which is ``python -m torch.distributed.run``): it only calls
``torch.distributed.init_process_group()`` first when torchrun started it, and ``fit``
notices the process group. Every process reads the same data and calls the same
``fit``; each trains on its share of every batch, DDP averages the gradients, and after
``fit`` every process holds the same model. Only rank 0 prints. Run it with::

    python examples/distributed_training.py --data-dir ../shared/data        # 1 process
    python -m torch.distributed.run --nproc_per_node 2 \\
        examples/distributed_training.py --data-dir ../shared/data            # 2 processes

On several machines, start the same command on each with ``--nnodes M --node_rank i
--master_addr HOST --master_port PORT`` (see the user guide's *Scaling out* page).

Task ``mr``: an :class:`~sklearn_rnn.RNNClassifier` on the MR movie reviews (90 % to
train, 10 % to test, as ``sentiment_mr.py``), test accuracy. Task ``shakespeare``: an
:class:`~sklearn_rnn.RNNLanguageModel` on tiny-shakespeare (as ``char_lm_shakespeare.py``),
bits per character on the held-out 10 %. Each process uses ``--threads`` torch threads
(default 1: one per process is what a machine with one core per process wants).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

import numpy as np
import torch
import torch.distributed as dist
from sklearn.model_selection import train_test_split

from sklearn_rnn import RNNClassifier, RNNLanguageModel
from sklearn_rnn.datasets import load_polarity, load_tsv_sentences

#: The project's shared data folder (``<repo>/../shared/data``).
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"

#: sentiment_mr.py's documented settings, with fewer epochs for a quick run.
MR_SETTINGS = dict(
    cell="lstm", bidirectional=True, hidden_size=128, embedding_dim=300, dropout=0.5,
    tokenizer="whitespace", min_freq=2, batch_size=64, lr=2e-3, max_epochs=7,
)  # fmt: skip
#: char_lm_shakespeare.py's quick settings (and the default learning rate).
LM_SETTINGS = dict(hidden_size=256, max_epochs=3, lr=2e-3)


def load_mr(data_dir: Path) -> tuple[list[str], np.ndarray]:
    """MR's texts and labels from ``data_dir/MR`` (``rt-polarity.*`` or ``mr_utf8.tsv``)."""
    folder = data_dir / "MR"
    if (folder / "rt-polarity.pos").is_file():
        return load_polarity(folder / "rt-polarity.pos", folder / "rt-polarity.neg")
    return load_tsv_sentences(folder / "mr_utf8.tsv")


def start_process_group() -> int:
    """Join torchrun's process group (when torchrun started this script); the rank."""
    if "WORLD_SIZE" not in os.environ:  # plain `python`: one process, nothing to join
        return 0
    dist.init_process_group("nccl" if torch.cuda.is_available() else "gloo")
    return dist.get_rank()


def epoch_seconds(model) -> float:
    """The median duration of the fit's epochs."""
    return statistics.median(model.history_[:, "dur"])


def scaled_lr(lr: float) -> float:
    """``lr`` times the number of processes: the global batch grows with them."""
    return lr * (dist.get_world_size() if dist.is_initialized() else 1)


def run_mr(data_dir: Path, max_epochs: int | None, limit: int | None, seed: int) -> dict:
    texts, labels = load_mr(data_dir)
    if limit is not None:  # a stratified sample, the same in every process
        texts, _, labels, _ = train_test_split(
            texts, labels, train_size=limit, stratify=labels, random_state=seed
        )
    X_train, X_test, y_train, y_test = train_test_split(
        texts, labels, test_size=0.1, stratify=labels, random_state=seed
    )
    settings = {**MR_SETTINGS, **({} if max_epochs is None else {"max_epochs": max_epochs})}
    settings["lr"] = scaled_lr(settings["lr"])
    model = RNNClassifier(**settings, random_state=seed)
    start = time.perf_counter()
    model.fit(X_train, y_train)  # the same call in every process
    return {
        "accuracy": float(model.score(X_test, y_test)),
        "train_seconds": time.perf_counter() - start,
        "epoch_seconds": epoch_seconds(model),
        "epochs": len(model.history_),
    }


def run_shakespeare(
    data_dir: Path, max_epochs: int | None, train_chars: int | None, seed: int
) -> dict:
    text = (data_dir / "tinyshakespeare" / "input.txt").read_text(encoding="utf-8")
    cut = int(0.9 * len(text))
    train, valid = text[:cut][: train_chars or 300_000], text[cut:]
    settings = {**LM_SETTINGS, **({} if max_epochs is None else {"max_epochs": max_epochs})}
    settings["lr"] = scaled_lr(settings["lr"])
    model = RNNLanguageModel(**settings, random_state=seed)
    start = time.perf_counter()
    model.fit(train)
    return {
        "bits_per_char": model.bits_per_char(valid),
        "train_seconds": time.perf_counter() - start,
        "epoch_seconds": epoch_seconds(model),
        "epochs": len(model.history_),
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", default=str(SHARED_DATA),
                        help="folder holding MR/ and tinyshakespeare/")  # fmt: skip
    parser.add_argument("--tasks", nargs="+", default=["mr", "shakespeare"],
                        choices=["mr", "shakespeare"])  # fmt: skip
    parser.add_argument("--max-epochs", type=int, default=None)
    parser.add_argument("--limit", type=int, default=None, help="MR: use this many texts")
    parser.add_argument("--train-chars", type=int, default=None,
                        help="tiny-shakespeare: characters to train on (300,000)")  # fmt: skip
    parser.add_argument("--threads", type=int, default=1, help="torch threads per process")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    rank = start_process_group()
    processes = dist.get_world_size() if dist.is_initialized() else 1
    data_dir = Path(args.data_dir)
    results = {}
    if "mr" in args.tasks:
        results["mr"] = run_mr(data_dir, args.max_epochs, args.limit, args.seed)
    if "shakespeare" in args.tasks:
        results["shakespeare"] = run_shakespeare(
            data_dir, args.max_epochs, args.train_chars, args.seed
        )
    if rank == 0:
        for task, result in results.items():
            score = (
                f"test accuracy {result['accuracy']:.3f}"
                if task == "mr"
                else f"held-out {result['bits_per_char']:.3f} bits/char"
            )
            print(
                f"{task}: {processes} process(es), {result['epochs']} epochs, "
                f"{result['epoch_seconds']:.1f} s per epoch (median), {score}"
            )
    if dist.is_initialized():
        dist.destroy_process_group()
    return results


if __name__ == "__main__":
    main()
