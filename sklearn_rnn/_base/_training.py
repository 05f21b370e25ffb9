"""The training core all five estimators share: a skorch ``NeuralNet`` with one fit path.

Each estimator is a :class:`skorch.NeuralNet`, so skorch's parameters and conventions
(``callbacks``, ``history``, ``warm_start``, ``partial_fit``, ``optimizer__*``,
``criterion__*``, ``device``) keep working. :class:`TrainingCore` adds, once for all:

* plain hyperparameters as constructor arguments, checked in ``fit`` against the
  ``_parameter_constraints`` each class declares (merged along the class hierarchy, as
  scikit-learn's estimators merge theirs);
* the one fit path (:meth:`TrainingCore._fit`): a full reset on every fresh fit, a fit
  that raises leaves the estimator unfitted, and more training continues the same state;
* a random stream per fit (:mod:`sklearn_rnn._base._random`), so ``random_state`` means
  the same model in any thread and a resumed fit continues the same stream;
* the callbacks the hyperparameters switch on, the epoch loop, the weighted loss;
* the one prediction loop (:meth:`TrainingCore._predict_batches`), which runs a per-batch
  step passed in over batches sorted by length;
* data-parallel training when a ``torch.distributed`` process group is initialized
  (:mod:`sklearn_rnn._base._distributed`);
* saving, ONNX export and the summary table.

Every skorch extension point is defined here, once. An estimator declares only the
hooks below; the sequence estimators share theirs in
:class:`~sklearn_rnn._base._sequence_estimator.SequenceEstimator`, the language model
declares its own:

``_check_X(X, reset)``
    the input checked once per public call;
``_fit_encoders(X, y, **data)`` / ``_make_dataset(X, y, training, **data)``
    the encoders fitted (a fresh fit) or used, and the dataset training reads;
``_build_module(data_kwargs, kwargs)``
    the built-in network;
``_auto_lr_schedule()``, ``_resolve_early_stopping(n, continue_training)``,
``_epochs(dataset, one_epoch)``
    what ``"auto"`` means for this fit;
``_training_batches(dataset, generator)`` / ``_prediction_batches(dataset)``
    how a dataset is cut into batches;
``_forward(x)``, ``_loss(y_pred, y_true, weights)``
    the network's forward pass on one batch, and the loss of its outputs.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator, Mapping
from contextlib import nullcontext
from types import MappingProxyType

import torch
from sklearn.base import BaseEstimator
from sklearn.exceptions import NotFittedError
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted
from skorch import NeuralNet
from skorch.callbacks import BatchScoring, EpochTimer, PassthroughScoring, PrintLog
from skorch.utils import to_tensor

from sklearn_rnn._base import _parameters
from sklearn_rnn._base._distributed import (
    GLOBAL_SIZE,
    SHARD_KEYS,
    DataParallel,
    data_parallel_for,
    writes_files,
)
from sklearn_rnn._base._random import draw_seed, next_seed, seeded_global_generator
from sklearn_rnn._base._sample_weight import SAMPLE_WEIGHT, weighted_loss
from sklearn_rnn._base._training_budget import resolve_lr_schedule
from sklearn_rnn.callbacks import (
    CosineLearningRate,
    DivergenceGuard,
    EpochProgressBar,
    GradientClipping,
)
from sklearn_rnn.exceptions import TrainingDivergedError
from sklearn_rnn.inspection._summary import ModelSummary, summarize

_LOSS_KEYS = frozenset({SAMPLE_WEIGHT, *SHARD_KEYS})  # batch entries the module never sees
_FUSED_ADAM_ON_CPU = tuple(int(p) for p in torch.__version__.split(".")[:2]) >= (2, 4)


def _can_export(estimator) -> bool:
    return estimator._exports_to_onnx


class TrainingCore(NeuralNet):
    """The skorch subclass every estimator derives from: parameters, fitting, saving.

    Not meant to be used directly: each estimator defines ``__init__`` with its
    hyperparameters, declares their ``_parameter_constraints`` and fills the hooks
    listed in this module's docstring.
    """

    # skorch reads these attributes; they are fixed by the design, not hyperparameters.
    criterion = None
    train_split = None
    predict_nonlinearity = None
    compile = False
    use_caching = False
    torch_load_kwargs = None
    # skorch sets these in its __init__; as class defaults a fresh estimator holds only
    # its parameters, as scikit-learn requires.
    history_ = None
    initialized_ = False
    virtual_params_ = MappingProxyType({})
    # Set while a fit runs: the fit's own random stream, and whether the module's forward
    # pass draws random numbers (dropout) and so needs the stream.
    _fit_generator = None
    _forward_is_random = False
    # Whether export_onnx can serve this estimator (sklearn_rnn.serving covers it).
    _exports_to_onnx = False
    # Set while a data-parallel fit runs (sklearn_rnn._base._distributed).
    _data_parallel = None
    # True while a partial_fit call runs.
    _partial_fit_call = False

    _default_criterion = torch.nn.MSELoss
    #: name -> check of each constructor argument; merged along the class hierarchy.
    _parameter_constraints: dict = {
        name: _parameters.HYPERPARAMETER_CHECKS[name]
        for name in (
            "cell",
            "hidden_size",
            "num_layers",
            "dropout",
            "single_bias",
            "embedding_dim",
            "tokenizer",
            "lowercase",
            "max_vocab",
            "min_freq",
            "clip_grad_norm",
            "lr",
            "lr_schedule",
            "max_epochs",
            "batch_size",
            "optimizer",
            "random_state",
            "device",
            "verbose",
            "progress_bar",
            "module",
            "callbacks",
            "warm_start",
            "distributed",
        )
    }

    # -- parameters -----------------------------------------------------------------

    def _store_init_params(self, params: dict) -> None:
        """Store ``__init__``'s arguments unchanged (``params`` is its ``locals()``).

        Prefixed arguments routed to skorch (``optimizer__weight_decay``, ...) are kept
        as attributes too, as skorch expects; skorch rejects unknown ones at ``fit``.
        """
        kwargs = params.pop("kwargs", {})
        params.pop("self", None)
        params.pop("__class__", None)
        for key, value in params.items():
            setattr(self, key, value)
        self._params_to_validate = set(kwargs)
        vars(self).update(kwargs)

    @classmethod
    def _constraints(cls) -> dict:
        """The ``_parameter_constraints`` of the class and its bases, the nearest winning."""
        merged: dict = {}
        for klass in reversed(cls.__mro__):
            merged.update(vars(klass).get("_parameter_constraints", {}))
        return merged

    def _get_param_names(self):
        signature = inspect.signature(type(self).__init__)
        names = [
            name
            for name, p in signature.parameters.items()
            if name != "self" and p.kind != p.VAR_KEYWORD
        ]
        routed = [k for k in vars(self) if k in self._params_to_validate or "__" in k]
        routed = [k for k in routed if not k.startswith("_") and not k.endswith("_")]
        return sorted(names) + sorted(routed)

    def get_params(self, deep=True):
        # Only the parameters: skorch would add every default callback object as well.
        return BaseEstimator.get_params(self, deep=deep)

    def set_params(self, **params):
        # skorch re-initializes callbacks on any key starting with "callbacks"; the plain
        # parameter is only stored here and checked at fit, like every other parameter.
        if "callbacks" in params:
            self.callbacks = params.pop("callbacks")
            if self.initialized_:
                self.initialize_callbacks()  # a fitted net continues with the new callbacks
        # callbacks__<name>__<param> is stored as a parameter too; initialize_callbacks
        # applies it to the named callback of each fit, the added ones included.
        callback_params = {k: params.pop(k) for k in list(params) if k.startswith("callbacks__")}
        if callback_params:
            vars(self).update(callback_params)
            self._params_to_validate.update(callback_params)
            if self.initialized_:
                self.initialize_callbacks()
        super().set_params(**params)
        # On a fitted net skorch applies ``optimizer__*`` to the live optimizer only; keep
        # the value as a parameter too, so get_params and the next fit see it.
        for key, value in params.items():
            if "__" in key and not key.startswith("callbacks"):
                vars(self)[key] = value
                self._params_to_validate.add(key)
        return self

    def __repr__(self) -> str:
        return BaseEstimator.__repr__(self)

    def _check_params(self) -> None:
        _parameters.check_hyperparameters(self, self._constraints())
        device = str(self.device) if self.device is not None else "cpu"
        if device.startswith("cuda") and not torch.cuda.is_available():
            raise ValueError(
                f"Invalid value for parameter 'device': {self.device!r} was requested but CUDA "
                "is not available on this machine (torch.cuda.is_available() is False); use "
                "device='cpu'."
            )

    # -- the one fit path -------------------------------------------------------------

    def _fit(
        self,
        X,
        y,
        *,
        continue_training: bool,
        one_epoch: bool = False,
        fit_params=None,
        **data,
    ):
        """A fresh fit, or more training of a fitted estimator.

        ``one_epoch``: a ``partial_fit`` call, which trains one epoch when
        ``max_epochs="auto"``. ``data`` goes to the dataset hooks (``classes``,
        ``sample_weight``).
        """
        self.check_training_readiness()  # skorch's error once trim_for_prediction ran
        self._check_params()
        self._check_fit_request(continue_training)
        self._data_parallel = data_parallel_for(self)  # None for a plain fit
        self._partial_fit_call = one_epoch
        verbose = self.verbose
        if self._data_parallel is not None and self._data_parallel.rank != 0:
            vars(self)["verbose"] = 0  # only rank 0 prints; restored below
        try:
            return self._fit_checked(X, y, continue_training, one_epoch, fit_params, data)
        finally:
            self._data_parallel = None
            self._partial_fit_call = False
            vars(self)["verbose"] = verbose

    def _fit_checked(self, X, y, continue_training, one_epoch, fit_params, data):
        if continue_training and self.__sklearn_is_fitted__():
            checked = self._check_X(X, reset=False)
            dataset = self._make_dataset(checked, y, training=True, **data)
            self.early_stopping_ = False  # partial_fit/warm_start never hold data out
            self.lr_schedule_ = resolve_lr_schedule(
                self.lr_schedule, continue_training, self.callbacks
            )
            self._train(dataset, fit_params or {}, one_epoch)
            if not one_epoch:  # a warm_start fit: its own X, as a fresh fit's
                self._after_training(dataset)
            return self
        self._reset_fitted_state()
        try:
            seed = draw_seed(self.random_state)
            if self._data_parallel is not None:
                seed = self._data_parallel.broadcast_seed(seed)  # rank 0's, for None
            self.torch_rng_state_ = torch.Generator().manual_seed(seed).get_state()
            dataset = self._fit_encoders(self._check_X(X, reset=True), y, **data)
            if self._data_parallel is not None:
                self._data_parallel.check_same_data(
                    samples=len(dataset),
                    outputs=self.n_outputs_,
                    ids=self.encoder_.n_ids_ or -1,
                    features=self.encoder_.n_features_ or -1,
                )
            self.early_stopping_ = self._resolve_early_stopping(len(dataset), continue_training)
            self.lr_schedule_ = resolve_lr_schedule(
                self.lr_schedule, continue_training, self.callbacks, self._auto_lr_schedule()
            )
            self._initialize_network()
            self._train(dataset, fit_params or {}, one_epoch)
            self._after_training(dataset)
        except BaseException:
            self._reset_fitted_state()  # never leave a half-fitted estimator
            raise
        return self

    def _reset_fitted_state(self) -> None:
        """Forget everything a fit made, as a freshly constructed estimator."""
        for name in [k for k in vars(self) if k.endswith("_") and not k.startswith("__")]:
            del vars(self)[name]  # not delattr: skorch's would edit the lists deleted here
        for name in ("_modules", "_criteria", "_optimizers", "_pretrained_matrix"):
            vars(self).pop(name, None)  # skorch's class defaults (empty lists) apply again

    def _initialize_network(self) -> None:
        """Build the network, criterion and optimizer from the fit's random stream."""
        generator = self._generator()
        with seeded_global_generator(next_seed(generator)):  # layers draw their weights
            self.initialize()
        self.torch_rng_state_ = generator.get_state()
        vars(self).pop("_pretrained_matrix", None)  # copied into the embedding

    def _train(self, dataset, fit_params: dict, one_epoch: bool) -> None:
        self.max_epochs_ = self._epochs(dataset, one_epoch)
        self._run_epochs(dataset, self.max_epochs_, fit_params)

    def _run_epochs(self, dataset, epochs: int, fit_params: dict) -> None:
        """skorch's training loop for ``epochs`` epochs, on the fit's own random stream."""
        self._fit_generator = self._generator()
        self._forward_is_random = self._module_draws_random_numbers()
        data_parallel = self._data_parallel
        if data_parallel is not None:
            data_parallel.wrap(self.module_)
        try:
            NeuralNet.partial_fit(self, dataset, None, epochs=epochs, **fit_params)
            if data_parallel is not None:
                data_parallel.synchronize(self.module_)  # every rank holds rank 0's model
        except TrainingDivergedError:
            self._reset_fitted_state()  # never leave a model that silently predicts garbage
            raise
        finally:
            if "torch_rng_state_" in vars(self):
                self.torch_rng_state_ = self._fit_generator.get_state()
            self._fit_generator = None
            self._forward_is_random = False
            if data_parallel is not None:
                data_parallel.release()

    def fit_loop(self, X, y=None, epochs=None, **fit_params):
        """Run skorch's epoch loop on a fitted estimator; ``X`` and ``y`` as in :meth:`fit`.

        Raw ``X`` and ``y`` are encoded with the fitted encoders, as :meth:`partial_fit`
        encodes them, and the epochs draw from the estimator's own random stream.

        Parameters
        ----------
        X : sequences
            As in :meth:`fit`.
        y : array-like
            As in :meth:`fit`.
        epochs : int, default=None
            How many epochs to train (as many as the fit resolved ``max_epochs`` to if None).
        **fit_params : dict
            Passed on to skorch's fit loop.

        Returns
        -------
        self
            The estimator, trained ``epochs`` more epochs.
        """
        if self._fit_generator is not None:  # inside fit or partial_fit: X is encoded
            return super().fit_loop(X, y, epochs=epochs, **fit_params)
        check_is_fitted(self)
        if not isinstance(X, torch.utils.data.Dataset):  # raw input, not one of ours
            X = self._make_dataset(self._check_X(X, reset=False), y, training=True)
        epochs = self.max_epochs_ if epochs is None else epochs  # max_epochs may be "auto"
        self._fit_generator = self._generator()
        self._forward_is_random = self._module_draws_random_numbers()
        try:
            return super().fit_loop(X, None, epochs=epochs, **fit_params)
        finally:
            self.torch_rng_state_ = self._fit_generator.get_state()
            self._fit_generator = None
            self._forward_is_random = False

    def _generator(self) -> torch.Generator:
        generator = torch.Generator()
        generator.set_state(self.torch_rng_state_)
        return generator

    # -- hooks with a default ---------------------------------------------------------

    def _check_fit_request(self, continue_training: bool) -> None:
        """Reject parameter combinations that only this call's kind of fit rules out."""

    def _auto_lr_schedule(self) -> str:
        """What ``lr_schedule="auto"`` means for a fresh fit of this estimator."""
        return "constant"

    def _resolve_early_stopping(self, n_samples: int, continue_training: bool) -> bool:
        """Whether this fresh fit holds data out and stops on it (never, here)."""
        return False

    def _epochs(self, dataset, one_epoch: bool) -> int:
        """How many epochs this call trains at most."""
        return self.max_epochs

    def _after_training(self, dataset) -> None:
        """Complete the model from the whole training ``dataset`` of a ``fit`` (fresh or
        ``warm_start``; not ``partial_fit``) once its epochs have run (nothing here)."""

    def _metric_callbacks(self) -> list:
        """Scoring callbacks run before the others (validation accuracy, R²)."""
        return []

    def _stopping_callbacks(self) -> list:
        """Callbacks that end training early (early stopping, a loss plateau)."""
        return []

    def _training_batch_size(self) -> int:
        """Samples (the language model: parallel streams) per training step: ``batch_size``
        on each process of a data-parallel fit, as in any DDP training loop."""
        if self._data_parallel is None:
            return self.batch_size
        return self._data_parallel.global_batch_size(self.batch_size)

    def _sparse_embedding(self) -> torch.nn.Embedding | None:
        """The network's input embedding when it has sparse gradients (None otherwise)."""
        embedding = getattr(getattr(self.module_, "input_layer", None), "embedding", None)
        return embedding if getattr(embedding, "sparse", False) else None

    def _forward(self, x, **fit_params):
        """The module's outputs on one batch ``x`` (a dict of tensors)."""
        return NeuralNet.infer(self, x, **fit_params)

    def _loss_terms(self, y_pred: torch.Tensor, y_true: torch.Tensor, X) -> tuple:
        """The outputs and targets of one batch ``X`` as the loss compares them (as given)."""
        return y_pred, y_true

    def _loss(self, y_pred: torch.Tensor, y_true: torch.Tensor, weights) -> torch.Tensor:
        """The loss of one batch: the criterion's mean, or the weighted mean (``weights``)."""
        if weights is None:
            return self.criterion_(y_pred, y_true)
        return weighted_loss(self.criterion_, y_pred, y_true, weights, self._loss_mass(y_true))

    def _loss_mass(self, targets) -> torch.Tensor:
        """Each sample's number of terms in the unweighted mean loss (see ``_sample_weight``).

        ``targets`` are encoded targets: a batch's or the whole training set's.
        """
        return torch.full((len(targets),), float(targets[0].numel()))

    def _criterion_kwargs(self) -> dict:
        """Arguments of the default criterion that come from the fit (class weights)."""
        return {}

    # -- skorch's extension points, each defined once ----------------------------------

    @property
    def _default_callbacks(self):
        # Fixed list: skorch evaluates it in get_params, which must work for any values.
        return [
            ("epoch_timer", EpochTimer()),
            ("train_loss", PassthroughScoring(name="train_loss", on_train=True)),
            ("valid_loss", PassthroughScoring(name="valid_loss")),
            ("divergence_guard", DivergenceGuard()),
            ("print_log", PrintLog()),
        ]

    def initialize(self):
        if "encoder_" not in vars(self):
            raise NotFittedError(
                f"{type(self).__name__} builds its network from the data in fit (vocabulary "
                "size, features per step, outputs); call fit(X, y) instead of initialize()."
            )
        return super().initialize()

    def initialize_callbacks(self):
        super().initialize_callbacks()
        # Callbacks that the hyperparameters switch on run before the log is printed.
        extra = self._metric_callbacks()
        if self.clip_grad_norm is not None:
            extra.append(("gradient_clipping", GradientClipping(self.clip_grad_norm)))
        extra.append(("lr_schedule", CosineLearningRate()))  # reads lr_schedule_ each fit
        extra += self._stopping_callbacks()
        if self.progress_bar:
            extra.append(("progress_bar", EpochProgressBar()))
        for name, callback in extra:
            callback.set_params(**self.get_params_for(f"callbacks__{name}"))
            callback.initialize()
        names = [name for name, _ in self.callbacks_]
        unknown = {
            key
            for key in vars(self)
            if key.startswith("callbacks__")
            and key.split("__")[1] not in {*names, *(name for name, _ in extra)}
        }
        if unknown:
            raise ValueError(
                f"Invalid parameter {sorted(unknown)[0]!r}: this fit has no callback of that "
                f"name; its callbacks are {sorted({*names, *(name for name, _ in extra)})}."
            )
        at = names.index("print_log") if "print_log" in names else len(names)
        self.callbacks_ = self.callbacks_[:at] + extra + self.callbacks_[at:]
        return self

    def notify(self, method_name, **cb_kwargs):
        data_parallel = self._data_parallel
        if data_parallel is not None and method_name == "on_epoch_end":
            # The stopping callbacks decide once: every rank stops if one does.
            stop = False
            try:
                self._notify(method_name, cb_kwargs)
            except KeyboardInterrupt:
                stop = True
            if data_parallel.any(stop):
                raise KeyboardInterrupt
            return
        if data_parallel is not None and method_name == "on_grad_computed":
            data_parallel.finish_gradients()  # before clipping reads them
        if data_parallel is not None and method_name == "on_batch_end":
            X = cb_kwargs["batch"][0]
            if isinstance(X, Mapping) and GLOBAL_SIZE in X:  # a slice: the global batch counts
                self.history[-1]["batches"][-1]["train_batch_size"] = int(X[GLOBAL_SIZE][0])
        self._notify(method_name, cb_kwargs)

    def _notify(self, method_name, cb_kwargs):
        # skorch's BatchScoring scores predict (the user's labels or units) against the
        # batch's targets: it gets them in the user's form; the other callbacks, encoded.
        batch = cb_kwargs.get("batch")
        decode = method_name == "on_batch_end" and batch is not None and batch[1] is not None
        callbacks = self.callbacks_
        if self._data_parallel is not None:  # only rank 0 prints and writes files
            callbacks = [(n, cb) for n, cb in callbacks if self._data_parallel.runs(cb)]
        elif not decode:
            return super().notify(method_name, **cb_kwargs)
        decoded = None
        getattr(self, method_name)(self, **cb_kwargs)
        for _, callback in callbacks:
            kwargs = cb_kwargs
            if decode and isinstance(callback, BatchScoring):
                if decoded is None:
                    decoded = (batch[0], self._targets_in_user_form(batch[1].cpu()))
                kwargs = {**cb_kwargs, "batch": decoded}
            getattr(callback, method_name)(self, **kwargs)

    def _targets_in_user_form(self, targets: torch.Tensor):
        """A batch's encoded targets as the user gave them (as ``predict`` returns them)."""
        return targets

    def initialize_module(self):
        kwargs = self.get_params_for("module")
        data_kwargs = {
            "n_outputs": self.n_outputs_,
            "n_ids": self.encoder_.n_ids_,
            "n_features": self.encoder_.n_features_,
        }
        if self.module is None:
            module = self._build_module(data_kwargs, kwargs)
            self._load_pretrained_embeddings(module)
        else:
            module = self.initialized_instance(self.module, {**data_kwargs, **kwargs})
        self.module_ = module
        self._check_module()
        return self

    def _check_module(self) -> None:
        """Reject a network the estimator cannot train (any is fine here)."""

    def _load_pretrained_embeddings(self, module: torch.nn.Module) -> None:
        """Put the user's pretrained vectors into a built-in network (none here)."""

    def initialize_criterion(self):
        kwargs = self.get_params_for("criterion")
        criterion = getattr(self, "criterion", None) or self._default_criterion
        if criterion is self._default_criterion:
            kwargs = {**self._criterion_kwargs(), **kwargs}
        self.criterion_ = self.initialized_instance(criterion, kwargs)
        return self

    def initialize_optimizer(self, triggered_directly=None):
        embedding = self._sparse_embedding()
        if embedding is None:
            return super().initialize_optimizer()
        # The embedding's sparse gradients go to SparseAdam, which updates only the rows a
        # batch used; every other parameter goes to the chosen optimizer.
        dense = [(n, p) for n, p in self.get_all_learnable_params() if p is not embedding.weight]
        args, kwargs = self.get_params_for_optimizer("optimizer", dense)
        self.optimizer_ = self.optimizer(*args, **kwargs)
        self.sparse_optimizer_ = torch.optim.SparseAdam([embedding.weight], lr=self.lr_)
        return self

    def get_params_for_optimizer(self, prefix, named_parameters):
        args, kwargs = super().get_params_for_optimizer(prefix, named_parameters)
        if kwargs.get("lr") == "auto":  # skorch passes self.lr on; the fit resolved it
            kwargs["lr"] = self.lr_
        # torch's default Adam on CPU updates tensor by tensor; on a text model the dense
        # update of the embedding then costs more than the recurrent math. The fused kernel
        # (torch >= 2.4) computes the same update, up to float rounding, ~10x faster.
        if (
            prefix == "optimizer"
            and self.optimizer in (torch.optim.Adam, torch.optim.AdamW)
            and "fused" not in kwargs
            and "foreach" not in kwargs
            and _FUSED_ADAM_ON_CPU
        ):
            kwargs["fused"] = True
        return args, kwargs

    def _step_optimizer(self, step_fn):
        # skorch runs the closure (forward + backward) once per optimizer; with the sparse
        # embedding optimizer that would be two passes per batch. One pass, then every step.
        if len(self._optimizers) == 1:
            return super()._step_optimizer(step_fn)
        step_fn()
        for name in self._optimizers:
            getattr(self, name + "_").step()

    def _set_training(self, training=True):
        # skorch calls this before every batch; Module.train() walks the whole module tree.
        module = getattr(self, "module_", None)
        if module is not None and module.training == training:
            return
        super()._set_training(training)

    def infer(self, x, **fit_params):
        # A batch's sample weights (and a data-parallel slice's loss scale) go to the loss,
        # never to the module.
        if isinstance(x, Mapping) and not _LOSS_KEYS.isdisjoint(x):
            x = {key: value for key, value in x.items() if key not in _LOSS_KEYS}
        training = self.module_.training
        data_parallel = self._data_parallel if training else None
        # A data-parallel training forward runs through DDP, which averages the gradients.
        with nullcontext() if data_parallel is None else data_parallel.forward_through_ddp(self):
            if not (self._forward_is_random and training):
                return self._forward(x, **fit_params)
            # Dropout and any other randomness inside the module: from the fit's own stream
            # (each rank draws its own rows' masks).
            seed = next_seed(self._fit_generator)
            if data_parallel is not None:
                seed = data_parallel.rank_seed(seed)
            with seeded_global_generator(seed, self.device):
                return self._forward(x, **fit_params)

    def get_loss(self, y_pred, y_true, X=None, training=False):
        weights = X.get(SAMPLE_WEIGHT) if isinstance(X, Mapping) else None
        # Validation outputs come from the float64 evaluation head; the loss is float32.
        y_pred, y_true = self._loss_terms(y_pred.float(), to_tensor(y_true, device=self.device), X)
        loss = self._loss(y_pred, y_true, weights)
        scale = DataParallel.loss_scale(X) if training else None
        if scale is not None:  # a rank's slice of a global batch (sklearn_rnn._base._distributed)
            loss = loss * scale.to(loss.device, loss.dtype)
            loss = self._data_parallel.prepare_backward(loss)
        return loss

    def train_step(self, batch, **fit_params):
        step = super().train_step(batch, **fit_params)
        if self._data_parallel is not None:  # the history and the guard see the global loss
            step["loss"] = self._data_parallel.global_loss(step["loss"])
        return step

    def _module_draws_random_numbers(self) -> bool:
        """Whether a training forward pass draws random numbers (a custom module may)."""
        if self.module is not None:
            return True
        return any(
            (isinstance(m, torch.nn.Dropout) and m.p > 0)
            or (isinstance(m, torch.nn.RNNBase) and m.dropout > 0)
            or getattr(m, "word_dropout", 0) > 0
            for m in self.module_.modules()
        )

    def get_iterator(self, dataset, training=False):
        batches = self._training_batches(dataset, self._fit_generator if training else None)
        if training and self._data_parallel is not None:  # this rank's slice of each batch
            return self._data_parallel.shard(batches, dataset, self._loss_mass)
        return batches

    def get_dataset(self, X, y=None):
        if isinstance(X, torch.utils.data.Dataset):  # one of ours, encoded
            return X
        check_is_fitted(self)
        return self._make_dataset(self._check_X(X, reset=False), y)

    def get_split_datasets(self, X, y=None, **fit_params):
        dataset = self.get_dataset(X, y)
        if not self.early_stopping_:
            return dataset, None
        return self._validation_split(dataset)

    # -- the one prediction loop --------------------------------------------------------

    def _predict_batches(
        self, dataset, step: Callable, *, grad: bool = False
    ) -> Iterator[tuple[torch.Tensor, object]]:
        """Yield ``(rows, step(batch))`` for each batch of ``dataset``, network in eval mode.

        Batches come sorted by length (``_prediction_batches``); ``rows`` are each
        batch's positions in ``dataset``, for the caller to put results back in order.
        ``grad=True`` keeps autograd available (the CRF's marginals need it).
        """
        check_is_fitted(self)
        self._set_training(False)
        context = torch.no_grad if grad else torch.inference_mode
        for rows, batch in self._prediction_batches(dataset):
            with context():
                result = step(batch)
            yield rows, result

    def _predict_in_order(self, dataset, step: Callable) -> torch.Tensor:
        """``step``'s ``(B, ...)`` tensor results of every batch, rows in dataset order."""
        return in_input_order(list(self._predict_batches(dataset, step)))

    # -- inspection and saving ----------------------------------------------------------

    def __sklearn_is_fitted__(self) -> bool:
        return bool(self.initialized_) and "module_" in vars(self)

    @classmethod
    def _from_saved(cls, params: dict, fitted: dict):
        """Rebuild a fitted estimator from its parameters and fitted attributes.

        The network is built with fresh weights, for the caller to load the saved
        ``state_dict`` into; the global random state is left untouched.
        """
        estimator = cls(**params)
        estimator._check_params()
        vars(estimator).update(fitted)
        with seeded_global_generator(0):  # weights about to be replaced
            estimator.initialize()
        return estimator

    @available_if(_can_export)
    def export_onnx(self, path, *, check: bool = True) -> None:
        """Export the fitted model to one ONNX file, to serve without torch.

        The file holds the network's graph (a sequence-to-sequence model's encoder and
        decoder step, a language model's step) and, as metadata, the encoder and the
        output decoding; :class:`sklearn_rnn.serving.ONNXPredictor` predicts from it with
        numpy and onnxruntime only. See :func:`sklearn_rnn.serving.export_onnx`.

        Parameters
        ----------
        path : str or path-like
            The file to write (suggested suffix ``.onnx``).
        check : bool, default=True
            Run the exported graph beside the network on a probe batch and raise if
            they disagree (needs onnxruntime).
        """
        check_is_fitted(self)
        if not writes_files(self):
            return  # a data-parallel script: rank 0 writes the file
        from sklearn_rnn.serving import export_onnx  # needs the onnx extra

        export_onnx(self, path, check=check)

    def save(self, path) -> None:
        """Save the fitted estimator to ``path`` without pickle (safetensors + JSON).

        Reload it with :func:`sklearn_rnn.load`; loading such a file cannot run code.
        See :func:`sklearn_rnn.persistence.save` for what is stored. In a data-parallel
        script (an initialized process group of several processes) only rank 0 writes.

        Parameters
        ----------
        path : str or path-like
            The file to write (suggested suffix ``.sklearn_rnn``).
        """
        check_is_fitted(self)
        if not writes_files(self):
            return  # a data-parallel script: rank 0 writes the file
        # Imported here: persistence imports the estimators, never the reverse.
        from sklearn_rnn.persistence import save

        save(self, path)

    def summary(self, show: bool = True) -> ModelSummary:
        """The layers of the fitted network, their output shapes and parameter counts.

        Parameters
        ----------
        show : bool, default=True
            Also print the table.

        Returns
        -------
        ModelSummary
            ``str()`` of it is the table; ``total_params`` and ``trainable_params``.
        """
        check_is_fitted(self)
        result = summarize(self.module_, self._summary_batch())
        if show:
            print(result)
        return result


def in_input_order(parts: list[tuple[torch.Tensor, torch.Tensor]]) -> torch.Tensor:
    """The ``(rows, outputs)`` of batches sorted by length, one tensor in the rows' order."""
    if len(parts) == 1 and torch.equal(parts[0][0], torch.arange(len(parts[0][0]))):
        return parts[0][1].cpu()
    rows = torch.cat([part[0] for part in parts])
    outputs = torch.cat([part[1].cpu() for part in parts])
    result = torch.empty_like(outputs)
    result[rows] = outputs
    return result
