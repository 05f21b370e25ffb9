"""The training side of the skorch subclass: callbacks, network, criterion, optimizer, batches.

skorch builds and trains the network through these extension points; the estimator's
fit path (:mod:`sklearn_rnn._base`) calls skorch once the encoders are fitted.
"""

from __future__ import annotations

import numpy as np
import torch
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import train_test_split
from skorch.callbacks import BatchScoring, EpochTimer, PassthroughScoring, PrintLog

from sklearn_rnn._base._batches import BatchIterator
from sklearn_rnn._base._random import next_seed, seeded_global_generator
from sklearn_rnn.callbacks import (
    CosineLearningRate,
    DivergenceGuard,
    EarlyStoppingByScore,
    EpochProgressBar,
    GradientClipping,
    TrainingLossPlateau,
)
from sklearn_rnn.nn._networks import SequenceModel
from sklearn_rnn.nn._pretrained_embeddings import pretrained_embedding_matrix

_FUSED_ADAM_ON_CPU = tuple(int(p) for p in torch.__version__.split(".")[:2]) >= (2, 4)


class TrainingMixin:
    """skorch's training extension points, as the estimators fill them (mixed into RNNBase)."""

    # What early stopping watches, best first: (history key, lower is better) pairs; the
    # later ones break ties of the earlier.
    _early_stopping_scores = (("valid_loss", True),)
    _default_criterion = torch.nn.MSELoss
    _is_classifier = False
    # Set while a fit runs: the fit's own random stream, and whether the module's forward
    # pass draws random numbers (dropout) and so needs the stream.
    _fit_generator = None
    _forward_is_random = False

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
        if self.early_stopping_:
            stopper = EarlyStoppingByScore(self._early_stopping_scores, patience=self.patience)
            extra.append(("early_stopping", stopper))
        elif self.n_iter_no_change is not None:
            plateau = TrainingLossPlateau(tol=self.tol, n_iter_no_change=self.n_iter_no_change)
            extra.append(("training_loss_plateau", plateau))
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

    def _metric_callbacks(self) -> list:
        return []

    def notify(self, method_name, **cb_kwargs):
        # skorch's BatchScoring scores predict (the user's labels or units) against the
        # batch's targets: it gets them in the user's form; the other callbacks, encoded.
        batch = cb_kwargs.get("batch")
        if method_name != "on_batch_end" or batch is None or batch[1] is None:
            return super().notify(method_name, **cb_kwargs)
        decoded = None
        getattr(self, method_name)(self, **cb_kwargs)
        for _, callback in self.callbacks_:
            kwargs = cb_kwargs
            if isinstance(callback, BatchScoring):
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
            if self.embeddings is not None:
                embedding = module.input_layer.embedding
                matrix = getattr(self, "_pretrained_matrix", None)
                if matrix is not None:  # a fit; a loaded model gets its saved weights
                    embedding.weight.data.copy_(matrix)
                embedding.weight.requires_grad_(not self.freeze_embeddings)
        else:
            module = self.initialized_instance(self.module, {**data_kwargs, **kwargs})
        self.module_ = module
        return self

    def _network_kwargs(self) -> dict:
        """The hyperparameters every built-in network takes from the estimator."""
        return dict(
            cell=self.cell,
            hidden_size=self.hidden_size_,
            num_layers=self.num_layers,
            bidirectional=self.bidirectional,
            dropout=self.dropout_,
            embedding_dim=self.embedding_dim,
            single_bias=self.single_bias,
            sparse_embeddings=self.sparse_embeddings,
        )

    def _build_module(self, data_kwargs: dict, kwargs: dict) -> torch.nn.Module:
        return SequenceModel(
            **data_kwargs,
            **self._network_kwargs(),
            pooling=self.pooling_,
            conv_blocks=self.conv_blocks_,
            **kwargs,
        )

    def _pretrained_embeddings(self) -> torch.Tensor:
        """The user's ``embeddings`` as the rows of the fitted vocabulary."""
        vocabulary = self.encoder_.vocabulary_
        if vocabulary is None:
            raise ValueError(
                "Invalid value for parameter 'embeddings': pretrained embeddings need text or "
                f"token input, but X held {self.encoder_.kind_} sequences."
            )
        generator = self._generator()
        matrix, self.n_pretrained_tokens_ = pretrained_embedding_matrix(
            vocabulary, self.embeddings, self.embedding_dim, generator
        )
        self.torch_rng_state_ = generator.get_state()
        return matrix

    def initialize_criterion(self):
        kwargs = self.get_params_for("criterion")
        criterion = getattr(self, "criterion", None) or self._default_criterion
        if criterion is self._default_criterion:
            kwargs = {**self._criterion_kwargs(), **kwargs}
        self.criterion_ = self.initialized_instance(criterion, kwargs)
        return self

    def _criterion_kwargs(self) -> dict:
        """Arguments of the default criterion that come from the fit (class weights)."""
        return {}

    def get_loss(self, y_pred, y_true, X=None, training=False):
        # Validation outputs come from the float64 evaluation head; the loss is float32.
        return super().get_loss(y_pred.float(), y_true, X=X, training=training)

    def initialize_optimizer(self, triggered_directly=None):
        if not (self.sparse_embeddings and self._sparse_embedding() is not None):
            return super().initialize_optimizer()
        # The embedding's sparse gradients go to SparseAdam, which updates only the rows a
        # batch used; every other parameter goes to the chosen optimizer.
        embedding = self._sparse_embedding().weight
        dense = [(n, p) for n, p in self.get_all_learnable_params() if p is not embedding]
        args, kwargs = self.get_params_for_optimizer("optimizer", dense)
        self.optimizer_ = self.optimizer(*args, **kwargs)
        self.sparse_optimizer_ = torch.optim.SparseAdam([embedding], lr=self.lr_)
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

    def _sparse_embedding(self) -> torch.nn.Embedding | None:
        embedding = getattr(getattr(self.module_, "input_layer", None), "embedding", None)
        return embedding if getattr(embedding, "sparse", False) else None

    def _set_training(self, training=True):
        # skorch calls this before every batch; Module.train() walks the whole module tree.
        module = getattr(self, "module_", None)
        if module is not None and module.training == training:
            return
        super()._set_training(training)

    def infer(self, x, **fit_params):
        if not (self._forward_is_random and self.module_.training):
            return super().infer(x, **fit_params)
        # Dropout and any other randomness inside the module: from the fit's own stream.
        with seeded_global_generator(next_seed(self._fit_generator), self.device):
            return super().infer(x, **fit_params)

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
        generator = self._fit_generator if training else None
        return BatchIterator(dataset, self.batch_size, shuffle=training, generator=generator)

    def _n_validation(self, n_samples: int) -> int:
        """How many of ``n_samples`` training sequences early stopping holds out."""
        return int(np.ceil(self.validation_fraction * n_samples))

    def get_split_datasets(self, X, y=None, **fit_params):
        if not self.early_stopping_:
            return X, None
        n_valid = self._n_validation(len(X))
        stratify = None
        if self._is_classifier and X.targets.dim() == 1:  # not multilabel indicator rows
            targets = X.targets.numpy()
            counts = np.bincount(targets)
            n_classes = int((counts > 0).sum())
            if counts[counts > 0].min() >= 2:
                stratify = targets
                if n_valid < n_classes or len(X) - n_valid < n_classes:
                    raise ValueError(
                        f"Invalid value for parameter 'validation_fraction': "
                        f"{self.validation_fraction!r} of {len(X)} samples holds out "
                        f"{n_valid}, but a stratified split needs at least one sample of each "
                        f"of the {n_classes} classes on both sides; raise validation_fraction "
                        "or pass more data."
                    )
        if n_valid < 1 or len(X) - n_valid < 1:
            raise ValueError(
                f"Invalid value for parameter 'validation_fraction': {self.validation_fraction!r}"
                f" of {len(X)} samples leaves no sample for validation or for training."
            )
        seed = next_seed(self._fit_generator) % 2**32
        indices = np.arange(len(X))
        train, valid = train_test_split(
            indices, test_size=n_valid, random_state=seed, stratify=stratify
        )
        return X.subset(train), X.subset(valid)
