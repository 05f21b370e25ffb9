"""Shared estimator machinery: the skorch subclass and the fit/predict plumbing.

Each estimator is a :class:`skorch.NeuralNet`, so skorch's parameters and
conventions (``callbacks``, ``history``, ``warm_start``, ``partial_fit``,
``optimizer__*``, ``device``) keep working. What this class adds:

* plain hyperparameters as constructor arguments, checked from one table in ``fit``;
* encoders fitted on ``X`` (and ``y``) first, the network built after from what
  they learned (vocabulary size, features, outputs);
* our Dataset and batch iterator: batches grouped by length and padded per batch;
* a seeded random context, so ``random_state`` makes fits bit-identical and a
  resumed fit continues the same random stream.
"""

from __future__ import annotations

import inspect
from contextlib import contextmanager
from types import MappingProxyType

import numpy as np
import torch
from sklearn.base import BaseEstimator
from sklearn.model_selection import train_test_split
from sklearn.utils import check_array
from sklearn.utils.validation import check_is_fitted, validate_data
from skorch import NeuralNet
from skorch.callbacks import (
    EarlyStopping,
    EpochTimer,
    PassthroughScoring,
    PrintLog,
    ProgressBar,
)

from sklearn_rnn import _validation as v
from sklearn_rnn import persistence
from sklearn_rnn.callbacks import DivergenceGuard, GradientClipping
from sklearn_rnn.data import BatchIterator, SequenceDataset
from sklearn_rnn.encoding import (
    UNK_ID,
    EncodedSequences,
    SequenceEncoder,
    pretrained_embedding_matrix,
)
from sklearn_rnn.exceptions import TrainingDivergedError
from sklearn_rnn.modules import SequenceModel
from sklearn_rnn.summary import ModelSummary, summarize

_FUSED_ADAM_ON_CPU = tuple(int(p) for p in torch.__version__.split(".")[:2]) >= (2, 4)


class RNNBase(NeuralNet):
    """Machinery shared by :class:`RNNClassifier`, :class:`RNNRegressor` and :class:`RNNTagger`.

    Not meant to be used directly; subclasses define ``__init__`` with their
    hyperparameters and the target encoding.
    """

    # skorch reads these attributes; they are fixed by the design, not hyperparameters.
    criterion = None
    train_split = None
    iterator_train = BatchIterator
    iterator_valid = BatchIterator
    dataset = SequenceDataset
    predict_nonlinearity = None
    compile = False
    use_caching = False
    torch_load_kwargs = None
    # skorch sets these in its __init__; as class defaults a fresh estimator holds only
    # its parameters, as scikit-learn requires.
    history_ = None
    initialized_ = False
    virtual_params_ = MappingProxyType({})

    _is_classifier = False
    # What early stopping watches, and whether lower is better.
    _early_stopping_monitor = ("valid_loss", True)

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

    def set_params(self, **params):
        # skorch re-initializes callbacks on any key starting with "callbacks"; the plain
        # parameter is only stored here and checked at fit, like every other parameter.
        if "callbacks" in params:
            self.callbacks = params.pop("callbacks")
            if self.initialized_:
                self.initialize_callbacks()  # a fitted net continues with the new callbacks
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
        v.check_hyperparameters(self)
        device = str(self.device) if self.device is not None else "cpu"
        if device.startswith("cuda") and not torch.cuda.is_available():
            raise ValueError(
                f"Invalid value for parameter 'device': {self.device!r} was requested but CUDA "
                "is not available on this machine (torch.cuda.is_available() is False); use "
                "device='cpu'."
            )

    # -- skorch extension points ----------------------------------------------------

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

    def initialize_callbacks(self):
        super().initialize_callbacks()
        # Callbacks that the hyperparameters switch on run before the log is printed.
        extra = self._metric_callbacks()
        if self.clip_grad_norm is not None:
            extra.append(("gradient_clipping", GradientClipping(self.clip_grad_norm)))
        if self.early_stopping:
            monitor, lower_is_better = self._early_stopping_monitor
            stopper = EarlyStopping(
                monitor=monitor,
                lower_is_better=lower_is_better,
                patience=self.patience,
                load_best=True,
            )
            extra.append(("early_stopping", stopper))
        if self.progress_bar:
            extra.append(("progress_bar", ProgressBar()))
        for _, callback in extra:
            callback.initialize()
        names = [name for name, _ in self.callbacks_]
        at = names.index("print_log") if "print_log" in names else len(names)
        self.callbacks_ = self.callbacks_[:at] + extra + self.callbacks_[at:]
        return self

    def _set_training(self, training=True):
        # skorch calls this before every batch; Module.train() walks the whole module tree.
        module = getattr(self, "module_", None)
        if module is not None and module.training == training:
            return
        super()._set_training(training)

    def get_params_for_optimizer(self, prefix, named_parameters):
        args, kwargs = super().get_params_for_optimizer(prefix, named_parameters)
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

    def _metric_callbacks(self) -> list:
        return []

    def initialize_module(self):
        kwargs = self.get_params_for("module")
        data_kwargs = {
            "n_outputs": self.n_outputs_,
            "n_ids": self.encoder_.n_ids_,
            "n_features": self.encoder_.n_features_,
        }
        if self.module is None:
            module = self._build_module(data_kwargs, kwargs)
        else:
            module = self.initialized_instance(self.module, {**data_kwargs, **kwargs})
        self.module_ = module
        return self

    def _network_kwargs(self) -> dict:
        """The hyperparameters every built-in network takes from the estimator."""
        return dict(
            cell=self.cell,
            hidden_size=self.hidden_size,
            num_layers=self.num_layers,
            bidirectional=self.bidirectional,
            dropout=self.dropout,
            embedding_dim=self.embedding_dim,
            single_bias=self.single_bias,
            sparse_embeddings=self.sparse_embeddings,
        )

    def _build_module(self, data_kwargs: dict, kwargs: dict) -> torch.nn.Module:
        module = SequenceModel(
            **data_kwargs, **self._network_kwargs(), pooling=self.pooling_, **kwargs
        )
        self._set_pretrained_embeddings(module.input_layer.embedding)
        return module

    def _set_pretrained_embeddings(self, embedding: torch.nn.Embedding | None) -> None:
        """Copy the user's ``embeddings`` into the embedding table, frozen if asked."""
        if self.embeddings is None:
            return
        vocabulary = self.encoder_.vocabulary_
        if embedding is None or vocabulary is None:
            raise ValueError(
                "Invalid value for parameter 'embeddings': pretrained embeddings need text or "
                f"token input, but X held {self.encoder_.kind_} sequences."
            )
        matrix, self.n_pretrained_tokens_ = pretrained_embedding_matrix(
            vocabulary, self.embeddings, self.embedding_dim, None
        )
        embedding.weight.data.copy_(matrix)
        embedding.weight.requires_grad_(not self.freeze_embeddings)

    def initialize_optimizer(self, triggered_directly=None):
        if not (self.sparse_embeddings and self._sparse_embedding() is not None):
            return super().initialize_optimizer()
        # The embedding's sparse gradients go to SparseAdam, which updates only the rows a
        # batch used; every other parameter goes to the chosen optimizer.
        embedding = self._sparse_embedding().weight
        dense = [(n, p) for n, p in self.get_all_learnable_params() if p is not embedding]
        args, kwargs = self.get_params_for_optimizer("optimizer", dense)
        self.optimizer_ = self.optimizer(*args, **kwargs)
        self.sparse_optimizer_ = torch.optim.SparseAdam([embedding], lr=self.lr)
        return self

    def _step_optimizer(self, step_fn):
        # skorch runs the closure (forward + backward) once per optimizer; with the sparse
        # embedding optimizer that would be two passes per batch. One pass, then every step.
        if len(self._optimizers) == 1:
            return super()._step_optimizer(step_fn)
        step_fn()
        for name in self._optimizers:
            getattr(self, name + "_").step()

    def _sparse_embedding(self) -> torch.nn.Embedding | None:
        embedding = getattr(getattr(self.module_, "input_layer", None), "embedding", None)
        return embedding if getattr(embedding, "sparse", False) else None

    def get_iterator(self, dataset, training=False):
        return BatchIterator(dataset, self.batch_size, shuffle=training)

    def get_split_datasets(self, X, y=None, **fit_params):
        if not self.early_stopping:
            return X, None
        indices = np.arange(len(X))
        stratify = None
        if self._is_classifier:
            counts = np.bincount(X.targets.numpy())
            if counts[counts > 0].min() >= 2:
                stratify = X.targets.numpy()
        train, valid = train_test_split(
            indices,
            test_size=self.validation_fraction,
            random_state=self.random_state,
            stratify=stratify,
        )
        return X.subset(train), X.subset(valid)

    # -- fitting ----------------------------------------------------------------------

    def fit(self, X, y=None, **fit_params):
        """Fit the encoders and the network on ``X`` and ``y``.

        With ``warm_start=True`` and an already fitted estimator, training continues
        from the current weights, encoders and optimizer state.

        Parameters
        ----------
        X : sequences
            Strings, token lists, id lists, a 2D/3D array or a ragged list of arrays.
        y : array-like
            Targets, one per sequence (one per step for the tagger).
        **fit_params : dict
            Passed on to skorch's fit loop.

        Returns
        -------
        self
        """
        self._check_params()
        if self.warm_start and self.__sklearn_is_fitted__():
            dataset = self._transform_dataset(X, y)
        else:
            dataset = self._fit_new(X, y)
        self._train(dataset, **fit_params)
        return self

    def partial_fit(self, X, y=None, classes=None, **fit_params):
        """Train for ``max_epochs`` more epochs, fitting first if not fitted yet.

        Parameters
        ----------
        X : sequences
            As in :meth:`fit`.
        y : array-like
            As in :meth:`fit`.
        classes : array-like, default=None
            Classifier only: every class that any call will see (needed at the first
            call when a batch lacks some classes).
        **fit_params : dict
            Passed on to skorch's fit loop.

        Returns
        -------
        self
        """
        self._check_params()
        if self.__sklearn_is_fitted__():
            dataset = self._transform_dataset(X, y)
        else:
            dataset = self._fit_new(X, y, classes=classes)
        self._train(dataset, **fit_params)
        return self

    def _fit_new(self, X, y, classes=None) -> SequenceDataset:
        self.initialized_ = False
        self.torch_rng_state_ = None
        sequences = self._fit_X(X)
        targets = self._fit_y(y, len(sequences), sequences, classes=classes)
        with self._random_context():
            self.initialize()
        return SequenceDataset(sequences, targets)

    def _transform_dataset(self, X, y) -> SequenceDataset:
        sequences = self._transform_X(X)
        return SequenceDataset(sequences, self._transform_y(y, len(sequences), sequences))

    def _train(self, dataset: SequenceDataset, **fit_params) -> None:
        try:
            with self._random_context():
                NeuralNet.partial_fit(self, dataset, None, **fit_params)
        except TrainingDivergedError:
            # Never leave a model that silently predicts garbage.
            self.initialized_ = False
            raise

    @contextmanager
    def _random_context(self):
        """Seed torch from ``random_state`` and continue the same stream across calls."""
        if self.random_state is None:
            yield
            return
        with torch.random.fork_rng(devices=[]):
            state = getattr(self, "torch_rng_state_", None)
            if state is None:
                torch.manual_seed(self.random_state)
            else:
                torch.set_rng_state(state)
            yield
            self.torch_rng_state_ = torch.get_rng_state()

    # -- X encoding -------------------------------------------------------------------

    def _make_encoder(self) -> SequenceEncoder:
        return SequenceEncoder(
            tokenizer=self.tokenizer,
            lowercase=self.lowercase,
            max_vocab=self.max_vocab,
            min_freq=self.min_freq,
            max_len=self.max_len,
            standardize=self.standardize,
        )

    def _fit_X(self, X) -> EncodedSequences:
        for name in ("n_features_in_", "feature_names_in_"):
            if name in vars(self):
                delattr(self, name)
        X = v.as_container(X)
        kind = v.detect_input_kind(X)
        self._check_kind(kind)
        self.encoder_ = self._make_encoder()
        if kind == v.TABLE:
            X = validate_data(self, X, reset=True, dtype=np.float32)
        sequences = self.encoder_.fit_transform(X, kind)
        if kind == v.NUMERIC:
            self.n_features_in_ = self.encoder_.n_features_
        self.pooling_ = self._resolve_pooling(kind)
        return sequences

    def _transform_X(self, X) -> EncodedSequences:
        X = v.as_container(X)
        kind = v.detect_input_kind(X)
        if kind == v.TABLE and self.encoder_.kind_ == v.TABLE:
            X = validate_data(self, X, reset=False, dtype=np.float32)
        elif kind == v.TABLE:
            # Fitted on 3D/ragged series: a 2D array is a batch of univariate series.
            X = check_array(X, dtype=np.float32, input_name="X")[:, :, None]
            kind = v.NUMERIC
        return self.encoder_.transform(X, kind)

    def _check_kind(self, kind: str) -> None:
        """Subclasses reject input kinds they cannot use."""

    def _resolve_pooling(self, kind: str) -> str:
        if self.pooling != "auto":
            return self.pooling
        # Max pooling is the strongest for text; the last step for series (measured).
        return "max" if kind in v.TOKEN_KINDS else "last"

    @classmethod
    def _from_saved(cls, params: dict, fitted: dict):
        """Rebuild a fitted estimator from its parameters and fitted attributes.

        The network is built with fresh weights, for the caller to load the saved
        ``state_dict`` into; the global random state is left untouched.
        """
        estimator = cls(**params)
        estimator._check_params()
        vars(estimator).update(fitted)
        with torch.random.fork_rng(devices=[]):
            estimator.initialize()
        vars(estimator).update(fitted)  # initialize() may recompute some of them
        return estimator

    # -- inspection and saving ----------------------------------------------------------

    def save(self, path) -> None:
        """Save the fitted estimator to ``path`` without pickle (safetensors + JSON).

        Reload it with :func:`sklearn_rnn.load`; loading such a file cannot run code.
        See :func:`sklearn_rnn.persistence.save` for what is stored.

        Parameters
        ----------
        path : str or path-like
            The file to write (suggested suffix ``.sklearn_rnn``).
        """
        check_is_fitted(self)
        persistence.save(self, path)

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

    def _summary_batch(self) -> dict:
        """A one-sequence, three-step example batch for the summary's shape trace."""
        if self.encoder_.n_ids_ is not None:
            inputs = torch.full((1, 3), UNK_ID, dtype=torch.int64)
        else:
            inputs = torch.zeros((1, 3, self.encoder_.n_features_))
        return {"inputs": inputs.to(self.device), "lengths": torch.tensor([3], device=self.device)}

    # -- prediction -------------------------------------------------------------------

    def __sklearn_is_fitted__(self) -> bool:
        return bool(self.initialized_) and "module_" in vars(self)

    def _forward_batches(self, X):
        """Yield ``(indices, lengths, outputs)`` per batch, batches sorted by length.

        ``X`` is user input, or sequences already encoded by ``_transform_X``.
        """
        check_is_fitted(self)
        sequences = X if isinstance(X, EncodedSequences) else self._transform_X(X)
        dataset = SequenceDataset(sequences)
        iterator = BatchIterator(dataset, self.batch_size, shuffle=False)
        self._set_training(False)
        with torch.inference_mode():
            start = 0
            for batch_X, _ in iterator:
                n = len(batch_X["lengths"])
                outputs = self.infer(batch_X)
                yield iterator.order[start : start + n], batch_X["lengths"], outputs.cpu()
                start += n

    def _forward_pooled(self, X) -> torch.Tensor:
        """The module's ``(n, n_outputs)`` outputs, in the caller's order."""
        check_is_fitted(self)
        sequences = self._transform_X(X)
        if len(sequences) <= self.batch_size:
            # One batch (e.g. a single sequence): no sorting, no reordering of the outputs.
            batch_X, _ = SequenceDataset(sequences).batch(torch.arange(len(sequences)))
            self._set_training(False)
            with torch.inference_mode():
                return self.infer(batch_X).cpu()
        parts, order = [], []
        for indices, _, outputs in self._forward_batches(sequences):
            parts.append(outputs)
            order.append(indices)
        result = torch.empty((sum(len(p) for p in parts), parts[0].shape[1]), dtype=parts[0].dtype)
        result[torch.cat(order)] = torch.cat(parts)
        return result
