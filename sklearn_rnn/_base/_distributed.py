"""Data-parallel training on ``torch.distributed``: one model, its batches shared by processes.

When a script launched by ``torchrun`` has called ``torch.distributed.init_process_group()``
(world size ``W`` > 1), ``fit`` trains data-parallel over that group: every process fits the
same estimator on the same ``X, y``, so the encoders, the validation split and the sample
weights come out the same everywhere, and the fit's random stream (seeded by
``random_state``, or by rank 0's draw) orders the *global* batches identically on every
rank. As in any DDP training loop, ``batch_size`` is what one process trains on per step:
a global batch holds ``W * batch_size`` samples (the language model: ``W * batch_size``
parallel streams), so an epoch takes ``W`` times fewer optimizer steps. Each rank takes a
fixed slice of every global batch (rows ``rank, rank + W, ...``: length-grouped batches
are sorted within their pool, so the slices are of similar lengths), runs it through a
:class:`~torch.nn.parallel.DistributedDataParallel` wrapper of the network, and DDP
averages the gradients. Every rank therefore has the same number of batches per epoch,
whatever the lengths (no rank waits on a missing batch); a rank whose slice of a small
last batch is empty runs one row of it with weight zero, so that it still joins the
gradient average.

The gradient equals the single-process gradient of the global batch (a fit in one
process with ``batch_size=W * batch_size`` draws the same batches): each slice's loss,
a mean over its own terms, is scaled by ``W * mass(slice) / mass(batch)``, where the mass is
what the unweighted mean divides by (:meth:`TrainingCore._loss_mass`: rows, real steps,
class weights). Each batch's loss is then averaged over the ranks, so the history, the
divergence guard and the stopping callbacks see the global loss on every rank; the
stopping decision is also agreed on at each epoch's end, and after training rank 0's
weights are broadcast, so that every rank holds the same model. Only rank 0 prints or
writes files.

A large embedding table (at least :data:`SPARSE_FROM` entries) on CPU processes (gloo)
travels as a sparse gradient, the rows the batch used, instead of the whole table: DDP's
sparse all-reduce. Once reduced, the gradient is made dense again, so that clipping and
the optimizer see what they see in a single process. (NCCL has no sparse all-reduce,
and GPUs all-reduce a dense table quickly.)
"""

from __future__ import annotations

import gc
from contextlib import contextmanager

import torch
import torch.distributed as dist
from skorch.callbacks import Checkpoint, ProgressBar, TrainEndCheckpoint

#: The keys under which a slice of a batch carries its loss scale and the global batch
#: size; the loss reads them, the module never sees them.
SHARD_SCALE = "_shard_scale"
GLOBAL_SIZE = "_global_batch_size"
SHARD_KEYS = frozenset({SHARD_SCALE, GLOBAL_SIZE})

#: An embedding table of at least this many entries sends its gradient sparse (gloo): on
#: a CPU, the dense all-reduce of 2**20 floats takes about as long as the sparse one of a
#: batch's rows, whose several rounds cost a few milliseconds whatever the table's size.
SPARSE_FROM = 2**20

#: Buffers that a fit fills after training, which DDP need not keep in sync.
_FILLED_AFTER = frozenset({"wide.naive_bayes"})

# Callbacks that print or write files: only rank 0 runs them.
_WRITERS = (ProgressBar, Checkpoint, TrainEndCheckpoint)


def _group_size() -> int:
    """The world size of the initialized default process group; 1 without one."""
    if not (dist.is_available() and dist.is_initialized()):
        return 1
    return dist.get_world_size()


def data_parallel_for(estimator) -> DataParallel | None:
    """The data-parallel context of a fit of ``estimator``, or None for a plain fit.

    ``distributed="auto"`` trains data-parallel when an initialized default process group
    has more than one process; ``False`` never; ``True`` requires a process group.
    """
    setting = estimator.distributed
    if setting is False:
        return None
    if setting is True and not (dist.is_available() and dist.is_initialized()):
        raise ValueError(
            "Invalid value for parameter 'distributed': True needs an initialized default "
            "process group; call torch.distributed.init_process_group() first (launch the "
            "script with torchrun), or set distributed='auto'."
        )
    if setting == "auto" and _group_size() == 1:
        return None
    return DataParallel(estimator.device)


def writes_files(estimator) -> bool:
    """Whether this process writes the estimator's files: not on ranks other than 0."""
    if getattr(estimator, "distributed", "auto") is False or _group_size() == 1:
        return True
    return dist.get_rank() == 0


class DataParallel:
    """One data-parallel fit's view of the default process group (see the module docstring).

    Parameters
    ----------
    device : str or torch.device
        The estimator's device: collectives run on CUDA tensors for a GPU model (NCCL),
        on CPU tensors otherwise (gloo).
    """

    def __init__(self, device):
        self.rank = dist.get_rank()
        self.world_size = dist.get_world_size()
        self.device = torch.device(device if device is not None else "cpu")
        self.ddp = None
        self._module = None  # the network, while wrap()'s marks are on it
        self._ignored_before = None
        self._dense_params: list = []
        self._pending = None
        self._made_sparse: list = []
        self._global_loss = None

    def global_batch_size(self, batch_size: int) -> int:
        """The samples of one global batch: ``batch_size`` on each process."""
        return batch_size * self.world_size

    # -- agreement ----------------------------------------------------------------------

    def _tensor(self, values, dtype) -> torch.Tensor:
        return torch.tensor(values, dtype=dtype, device=self.device)

    def broadcast_seed(self, seed: int) -> int:
        """Rank 0's seed, on every rank (``random_state=None`` draws differ per process)."""
        tensor = self._tensor([seed], torch.int64)
        dist.broadcast(tensor, src=0)
        return int(tensor.item())

    def check_same_data(self, **counts: int) -> None:
        """Raise ``ValueError`` on every rank unless all ranks fitted on the same data."""
        mine = self._tensor(list(counts.values()), torch.float64)
        low, high = mine.clone(), mine.clone()
        dist.all_reduce(low, op=dist.ReduceOp.MIN)
        dist.all_reduce(high, op=dist.ReduceOp.MAX)
        if not torch.equal(low, high):
            differ = [name for name, a, b in zip(counts, low, high, strict=True) if a != b]
            raise ValueError(
                f"Data-parallel fit: the processes of the group fitted on different data "
                f"({', '.join(differ)} differ between ranks); every process must call fit "
                "with the same X and y."
            )

    def any(self, flag: bool) -> bool:
        """True on every rank when ``flag`` is True on any rank."""
        tensor = self._tensor([int(flag)], torch.int64)
        dist.all_reduce(tensor, op=dist.ReduceOp.MAX)
        return bool(tensor.item())

    def global_loss(self, loss: torch.Tensor) -> torch.Tensor:
        """The global batch's loss (the mean of the ranks' scaled slice losses), summed
        over the ranks with the parameters' use (:meth:`prepare_backward`)."""
        return self._global_loss.to(loss.device, loss.dtype).reshape(loss.shape)

    def rank_seed(self, seed: int) -> int:
        """This rank's seed for a batch's random draws (dropout masks of its own rows)."""
        return seed + 104_729 * self.rank

    # -- the network ----------------------------------------------------------------------

    def wrap(self, module: torch.nn.Module) -> None:
        """Wrap the network in DDP (this broadcasts rank 0's weights to every rank)."""
        from torch.nn.parallel import DistributedDataParallel

        # DDP reads each embedding's `sparse` flag when it builds its gradient buckets.
        self._made_sparse = [m for m in module.modules() if _sends_sparse_gradient(m)]
        for embedding in self._made_sparse:
            embedding.sparse = True
        # Buffers (batch normalization's statistics) follow rank 0's, as DDP syncs them
        # before every forward; but not a table filled only after training (a classifier's
        # naive Bayes scores), which would travel at every step for nothing.
        after_training = [name for name, _ in module.named_buffers() if name in _FILLED_AFTER]
        if after_training:  # release() puts back what was there
            self._module = module
            self._ignored_before = vars(module).get("_ddp_params_and_buffers_to_ignore")
            DistributedDataParallel._set_params_and_buffers_to_ignore_for_model(
                module, [*(self._ignored_before or []), *after_training]
            )
        self.ddp = DistributedDataParallel(module)
        sparse = {
            id(m.weight) for m in module.modules() if isinstance(m, torch.nn.Embedding) and m.sparse
        }
        self._dense_params = [
            p for p in module.parameters() if p.requires_grad and id(p) not in sparse
        ]

    def prepare_backward(self, loss: torch.Tensor) -> torch.Tensor:
        """``loss``, made to reach every parameter; which parameters no rank used, and the
        global loss, learnt from one all-reduce.

        DDP (without ``find_unused_parameters``, which cannot see parameters used only in
        the loss, as a CRF's) reduces a gradient bucket once all its parameters have
        gradients: a parameter one batch leaves out (the CRF's transitions on one-step
        sequences) would leave that rank's bucket unsent and the ranks waiting on each
        other. So zero times one entry of each parameter this slice leaves out is added
        (the same value and gradient), and a parameter that no rank used loses its
        gradient after the backward pass, as it has none in a single process (so the
        optimizer skips it, as there). The same all-reduce sums the ranks' losses. It runs
        during the backward pass and :meth:`finish_gradients` waits for it: waited for
        here, it made the ranks meet twice a step (MR example: 5.69 s an epoch on 2
        processes against 5.54 s).
        """
        used = _parameters_reached(loss)
        values = [float(id(p) in used) for p in self._dense_params] + [float(loss.detach())]
        summed = self._tensor(values, torch.float64)
        self._pending = (summed, dist.all_reduce(summed, async_op=True))
        missing = [p.reshape(-1)[0] for p in self._dense_params if id(p) not in used]
        if not missing:
            return loss
        return loss + 0.0 * torch.stack(missing).sum()

    def finish_gradients(self) -> None:
        """The reduced gradients as a single process has them: none for the parameters
        that no rank used in this batch, dense for the tables sent sparse; the global
        loss for :meth:`global_loss`."""
        summed, work = self._pending
        work.wait()
        self._pending = None
        self._global_loss = summed[-1] / self.world_size
        flags = summed[:-1].tolist()
        for param, flag in zip(self._dense_params, flags, strict=True):
            if not flag:
                param.grad = None
        for embedding in self._made_sparse:
            grad = embedding.weight.grad
            if grad is not None and grad.is_sparse:
                embedding.weight.grad = grad.to_dense()

    def release(self) -> None:
        """Drop the DDP wrapper (and with it the gradient hooks it registered)."""
        self.ddp = None
        if self._module is not None:  # the marks wrap() left on the network go
            vars(self._module).pop("_ddp_params_and_buffers_to_ignore", None)
            for name, buffer in self._module.named_buffers():
                if name in _FILLED_AFTER:
                    vars(buffer).pop("_ddp_ignored", None)
            if self._ignored_before is not None:
                self._module._ddp_params_and_buffers_to_ignore = self._ignored_before
            self._module = None
        # The fit's garbage goes now, while the process group lives. Without this and
        # synchronize()'s barrier, a torchrun script that fitted and exited was aborted
        # by gloo at exit ("terminate called without an active exception") in about one
        # run of two; with the barrier alone in 3 of 24; with both in none of 24.
        gc.collect()
        for embedding in self._made_sparse:
            embedding.sparse = False
        self._made_sparse = []
        self._dense_params = []
        self._pending = None

    @contextmanager
    def forward_through_ddp(self, estimator):
        """Within the block, ``estimator.module_`` is the DDP wrapper (for one forward)."""
        module = vars(estimator)["module_"]
        vars(estimator)["module_"] = self.ddp
        try:
            yield
        finally:
            vars(estimator)["module_"] = module

    def synchronize(self, module: torch.nn.Module) -> None:
        """Give every rank rank 0's parameters and buffers (the fitted model)."""
        for tensor in [*module.parameters(), *module.buffers()]:
            dist.broadcast(tensor.data, src=0)
        # Every rank leaves fit together, so that none tears the group down
        # (destroy_process_group) while another still talks to it (see release()).
        dist.barrier()

    # -- batches ------------------------------------------------------------------------

    def shard(self, batches, dataset, loss_mass) -> ShardedBatches:
        """This rank's slices of the global training ``batches`` of ``dataset``."""
        return ShardedBatches(batches, dataset, loss_mass, self.rank, self.world_size)

    def runs(self, callback) -> bool:
        """Whether this rank runs ``callback`` (only rank 0 prints and writes files)."""
        return self.rank == 0 or not isinstance(callback, _WRITERS)

    @staticmethod
    def loss_scale(X) -> torch.Tensor | None:
        """The scale of a training slice's loss (None for a batch that is no slice)."""
        scale = X.get(SHARD_SCALE) if isinstance(X, dict) else None
        return None if scale is None else scale[0]


def _sends_sparse_gradient(module: torch.nn.Module) -> bool:
    """Whether ``module`` is a large trained embedding table whose dense gradient a
    data-parallel fit sends sparse (on gloo only: NCCL has no sparse all-reduce)."""
    return (
        isinstance(module, torch.nn.Embedding)
        and not module.sparse
        and module.weight.requires_grad
        and not module.weight.is_cuda
        and module.weight.numel() >= SPARSE_FROM
        and dist.get_backend() == "gloo"
    )


def _parameters_reached(loss: torch.Tensor) -> set[int]:
    """The ids of the leaf tensors (parameters) whose gradients ``loss`` computes."""
    found: set[int] = set()
    seen = set()
    stack = [loss.grad_fn]
    while stack:
        node = stack.pop()
        if node is None or node in seen:
            continue
        seen.add(node)
        variable = getattr(node, "variable", None)  # an AccumulateGrad node
        if variable is not None:
            found.add(id(variable))
        stack.extend(child for child, _ in node.next_functions)
    return found


class ShardedBatches:
    """One rank's slices of the global batches an estimator's batch iterator draws.

    ``batches`` is the estimator's own iterator over the whole training set: with
    ``index_batches()`` (sequence datasets) each slice is built from its own rows (padded
    to its own longest member); otherwise every global batch is built and its rows sliced
    (the language model's stream chunks). ``loss_mass(targets)`` gives each sample's number
    of terms in the mean loss. Its length is the global number of batches.
    """

    def __init__(self, batches, dataset, loss_mass, rank: int, world_size: int):
        self.batches = batches
        self.dataset = dataset
        self.loss_mass = loss_mass
        self.rank = rank
        self.world_size = world_size

    def __len__(self) -> int:
        return len(self.batches)

    def _rows(self, n: int) -> tuple[torch.Tensor, bool]:
        rows = torch.arange(self.rank, n, self.world_size)
        if len(rows):
            return rows, True
        return torch.zeros(1, dtype=torch.int64), False  # a stand-in row, weighted zero

    def _mark(self, X: dict, scale, global_size: int, n_rows: int) -> dict:
        X[SHARD_SCALE] = torch.full((n_rows,), float(scale))
        X[GLOBAL_SIZE] = torch.full((n_rows,), global_size, dtype=torch.int64)
        return X

    def __iter__(self):
        if hasattr(self.batches, "index_batches"):
            yield from self._index_slices()
        else:
            yield from self._row_slices()

    def _index_slices(self):
        masses = self.loss_mass(self.dataset.targets).double()  # (N,), once per epoch
        for indices in self.batches.index_batches():
            rows, real = self._rows(len(indices))
            mine = indices[rows]
            scale = self._scale(masses[mine].sum(), masses[indices].sum(), real)
            X, y = self.dataset.batch(mine)
            yield self._mark(X, scale, len(indices), len(mine)), y

    def _row_slices(self):
        for X, y in self.batches:
            rows, real = self._rows(len(y))
            masses = self.loss_mass(y).double()
            scale = self._scale(masses[rows].sum(), masses.sum(), real)
            X = {key: value[rows] for key, value in X.items()}
            yield self._mark(X, scale, len(y), len(rows)), y[rows]

    def _scale(self, mine, total, real: bool) -> float:
        if not real or total == 0:
            return 0.0
        return float(self.world_size * mine / total)
