"""Shared estimator machinery: the skorch subclass, the one fit path and the one prediction loop.

Each estimator is a :class:`skorch.NeuralNet`, so skorch's parameters and
conventions (``callbacks``, ``history``, ``warm_start``, ``partial_fit``,
``optimizer__*``, ``criterion__*``, ``device``) keep working. What this class adds:

* plain hyperparameters as constructor arguments, checked from one table in ``fit``;
* ``X`` validated once per public call, encoders fitted on it (and on ``y``) first,
  the network built after from what they learned (vocabulary size, features, outputs);
* a full reset on every fresh fit, and a fit that raises leaves the estimator unfitted;
* our Dataset and batch iterator: batches grouped by length and padded per batch;
* a random stream per fit (:mod:`sklearn_rnn._base._random`), so ``random_state`` means the
  same model in any thread and a resumed fit continues the same stream.

Each estimator declares only its parameters, its target encoding (``_check_y``,
``_fit_targets``, ``_encode_targets``), its network (``_build_module``) and how it
decodes outputs.
"""

from __future__ import annotations

import inspect
from types import MappingProxyType

import numpy as np
import torch
from sklearn.base import BaseEstimator
from sklearn.utils import check_array
from sklearn.utils.validation import check_is_fitted, validate_data
from skorch import NeuralNet

from sklearn_rnn._base import _parameters
from sklearn_rnn._base._batches import BatchIterator, SequenceDataset
from sklearn_rnn._base._hidden_states import HiddenStatesMixin
from sklearn_rnn._base._kind_defaults import KIND_DEFAULTS, KIND_DEPENDENT, resolve_for_kind
from sklearn_rnn._base._prediction import PredictionMixin
from sklearn_rnn._base._random import draw_seed, next_seed, seeded_global_generator
from sklearn_rnn._base._sample_weight import (
    SampleWeightMixin,
    check_sample_weight,
    normalized_weights,
)
from sklearn_rnn._base._sequence_encoder import SequenceEncoder
from sklearn_rnn._base._training import TrainingMixin
from sklearn_rnn._base._training_budget import (
    resolve_early_stopping,
    resolve_lr_schedule,
    resolve_max_epochs,
)
from sklearn_rnn.encoding import _validation as v
from sklearn_rnn.encoding._vocabulary import UNK_ID
from sklearn_rnn.exceptions import TrainingDivergedError
from sklearn_rnn.inspection._summary import ModelSummary, summarize


class RNNBase(HiddenStatesMixin, PredictionMixin, SampleWeightMixin, TrainingMixin, NeuralNet):
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
    # What "auto" hyperparameters become, by input kind (sklearn_rnn._base._kind_defaults).
    _kind_defaults = KIND_DEFAULTS

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
        _parameters.check_hyperparameters(self)
        device = str(self.device) if self.device is not None else "cpu"
        if device.startswith("cuda") and not torch.cuda.is_available():
            raise ValueError(
                f"Invalid value for parameter 'device': {self.device!r} was requested but CUDA "
                "is not available on this machine (torch.cuda.is_available() is False); use "
                "device='cpu'."
            )

    # -- fitting ----------------------------------------------------------------------

    def fit(self, X, y=None, sample_weight=None, **fit_params):
        """Fit the encoders and the network on ``X`` and ``y``.

        Every call starts from nothing (new encoders, new weights), unless
        ``warm_start=True`` and the estimator is fitted: then training continues from
        the current weights, encoders and optimizer state.

        Parameters
        ----------
        X : sequences
            Strings, token lists, id lists, a 2D/3D array or a ragged list of arrays.
        y : array-like
            Targets, one per sequence (one per step for the tagger).
        sample_weight : array-like of shape (n_samples,), default=None
            One non-negative weight per sequence: training minimizes the weighted mean
            loss (combined with ``class_weight`` by multiplication); a zero weight means
            the sequence does not count, equal weights give the unweighted model. With
            early stopping the validation loss and score weigh the held-out sequences.
        **fit_params : dict
            Passed on to skorch's fit loop.

        Returns
        -------
        self
        """
        return self._fit(
            X,
            y,
            continue_training=self.warm_start,
            sample_weight=sample_weight,
            fit_params=fit_params,
        )

    def partial_fit(self, X, y=None, classes=None, sample_weight=None, **fit_params):
        """Train for ``max_epochs`` more epochs, fitting first if not fitted yet.

        Parameters
        ----------
        X : sequences
            As in :meth:`fit`.
        y : array-like
            As in :meth:`fit`.
        classes : array-like, default=None
            Classifier and tagger: every label that any call will see (needed at the
            first call when its data lacks some of them).
        sample_weight : array-like of shape (n_samples,), default=None
            As in :meth:`fit`; normalized over this call's data.
        **fit_params : dict
            Passed on to skorch's fit loop.

        Returns
        -------
        self
        """
        return self._fit(
            X,
            y,
            continue_training=True,
            one_epoch=True,
            classes=classes,
            sample_weight=sample_weight,
            fit_params=fit_params,
        )

    def _fit(
        self,
        X,
        y,
        *,
        continue_training: bool,
        one_epoch: bool = False,
        classes=None,
        sample_weight=None,
        fit_params=None,
    ):
        """The one fit path: a fresh fit, or more training of a fitted estimator.

        ``one_epoch``: a ``partial_fit`` call, which trains one epoch when
        ``max_epochs="auto"``.
        """
        self._check_params()
        if self.early_stopping is True and continue_training:
            raise ValueError(
                "early_stopping=True cannot be combined with partial_fit or warm_start=True: "
                "each call would hold out different validation data. Set early_stopping=False "
                "to train incrementally."
            )
        incremental = continue_training and self.__sklearn_is_fitted__()
        if incremental:
            checked = self._check_X(X, reset=False)
            dataset = self._make_dataset(checked, y, training=True, sample_weight=sample_weight)
            self.early_stopping_ = False  # partial_fit/warm_start never hold data out
            self.lr_schedule_ = resolve_lr_schedule(
                self.lr_schedule, continue_training, self.callbacks
            )
            self._train(dataset, fit_params or {}, one_epoch)
            return self
        self._reset_fitted_state()
        try:
            self.torch_rng_state_ = (
                torch.Generator().manual_seed(draw_seed(self.random_state)).get_state()
            )
            checked = self._check_X(X, reset=True)
            by_kind = resolve_for_kind("lr_schedule", "auto", checked.kind, self._kind_defaults)
            dataset = self._fit_encoders(checked, y, classes, sample_weight)
            self.early_stopping_ = resolve_early_stopping(
                self.early_stopping, self.validation_fraction, len(dataset), continue_training
            )
            self.lr_schedule_ = resolve_lr_schedule(
                self.lr_schedule, continue_training, self.callbacks, by_kind
            )
            self._initialize_network()
            self._train(dataset, fit_params or {}, one_epoch)
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

    def _fit_encoders(
        self, X: v.CheckedSequences, y, classes, sample_weight=None
    ) -> SequenceDataset:
        """Fit the input encoder and the target encoding; the training dataset."""
        y = self._check_y(y, X)
        weights = check_sample_weight(sample_weight, len(X))
        X, y = self._training_view(X, y)
        self.encoder_ = self._make_encoder()
        sequences = self.encoder_.fit_transform(X)
        if X.kind == v.NUMERIC:
            self.n_features_in_ = self.encoder_.n_features_
        for name in KIND_DEPENDENT:  # "auto" values by input kind
            if hasattr(self, name):
                value = resolve_for_kind(name, getattr(self, name), X.kind, self._kind_defaults)
                setattr(self, name + "_", value)
        self._fit_input_statistics(sequences)
        if self.embeddings is not None:
            self._pretrained_matrix = self._pretrained_embeddings()
        targets = self._fit_targets(y, classes)
        weights = normalized_weights(weights, self._loss_mass(targets))
        return SequenceDataset(sequences, targets, y, weights)

    def _make_dataset(
        self, X: v.CheckedSequences, y=None, training=False, sample_weight=None
    ) -> SequenceDataset:
        """Encode checked ``X`` (and ``y``, and its weights) with the fitted encoders."""
        if y is None:
            return SequenceDataset(self.encoder_.transform(X))
        y = self._check_y(y, X)
        weights = check_sample_weight(sample_weight, len(X))
        if training:
            X, y = self._training_view(X, y)
        targets = self._encode_targets(y)
        weights = normalized_weights(weights, self._loss_mass(targets))
        return SequenceDataset(self.encoder_.transform(X), targets, y, weights)

    def _initialize_network(self) -> None:
        """Build the network, criterion and optimizer from the fit's random stream."""
        generator = self._generator()
        with seeded_global_generator(next_seed(generator)):  # layers draw their weights
            self.initialize()
        self.torch_rng_state_ = generator.get_state()
        vars(self).pop("_pretrained_matrix", None)  # copied into the embedding

    def _train(self, dataset: SequenceDataset, fit_params: dict, one_epoch: bool) -> None:
        n_train = len(dataset) - (self._n_validation(len(dataset)) if self.early_stopping_ else 0)
        self.max_epochs_ = resolve_max_epochs(
            self.max_epochs, n_train, self.batch_size, one_epoch, self.early_stopping_
        )
        self._run_epochs(dataset, self.max_epochs_, fit_params)

    def _run_epochs(self, dataset, epochs: int, fit_params: dict) -> None:
        """skorch's training loop for ``epochs`` epochs, on the fit's own random stream."""
        self._fit_generator = self._generator()
        self._forward_is_random = self._module_draws_random_numbers()
        try:
            NeuralNet.partial_fit(self, dataset, None, epochs=epochs, **fit_params)
        except TrainingDivergedError:
            self._reset_fitted_state()  # never leave a model that silently predicts garbage
            raise
        finally:
            if "torch_rng_state_" in vars(self):
                self.torch_rng_state_ = self._fit_generator.get_state()
            self._fit_generator = None
            self._forward_is_random = False

    def fit_loop(self, X, y=None, epochs=None, **fit_params):
        """skorch's epoch loop, on a fitted estimator; ``X`` and ``y`` as in :meth:`fit`.

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
        """
        if self._fit_generator is not None:  # inside fit or partial_fit: X is encoded
            return super().fit_loop(X, y, epochs=epochs, **fit_params)
        check_is_fitted(self)
        if not isinstance(X, SequenceDataset):
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

    # -- hooks each estimator may declare -------------------------------------------

    def _check_y(self, y, X: v.CheckedSequences) -> np.ndarray:
        """Validate ``y`` for ``X``; the targets in the user's form, one per sequence."""
        raise NotImplementedError

    def _fit_targets(self, y: np.ndarray, classes) -> torch.Tensor:
        """Learn the target encoding (classes, scaling) and return the encoded ``y``."""
        raise NotImplementedError

    def _encode_targets(self, y: np.ndarray):
        """Encode ``y`` with the target encoding learned in ``fit``."""
        raise NotImplementedError

    def _loss_mass(self, targets) -> torch.Tensor:
        """Each sample's number of terms in the unweighted mean loss (see ``_weights``).

        ``targets`` are encoded targets: a batch's or the whole training set's.
        """
        return torch.full((len(targets),), float(targets[0].numel()))

    def _training_view(self, X: v.CheckedSequences, y):
        """What of ``X`` and ``y`` training sees (the tagger cuts both to ``max_len``)."""
        return X, y

    def _fit_input_statistics(self, sequences) -> None:
        """Learn what the network needs from the encoded training inputs (none here)."""

    def _check_kind(self, kind: str) -> None:
        """Reject input kinds the estimator cannot use (all are fine here)."""

    def _make_encoder(self) -> SequenceEncoder:
        return SequenceEncoder(
            tokenizer=self.tokenizer,
            lowercase=self.lowercase,
            max_vocab=self.max_vocab,
            min_freq=self.min_freq,
            max_len=self.max_len,
            standardize=self.standardize,
        )

    # -- X validation -------------------------------------------------------------------

    def _check_X(self, X, *, reset: bool) -> v.CheckedSequences:
        """Validate ``X`` once for this call, in the canonical form of its kind."""
        X = v.as_container(X)
        kind = v.detect_input_kind(X)
        self._check_kind(kind)
        if reset:
            for name in ("n_features_in_", "feature_names_in_"):
                vars(self).pop(name, None)
        if kind != v.TABLE:
            return v.check_sequences(X)
        if not reset and self.encoder_.kind_ == v.NUMERIC:
            # Fitted on 3D/ragged series: a 2D array is a batch of univariate series.
            data = check_array(X, dtype=np.float32, input_name="X")
            return v.CheckedSequences(v.NUMERIC, list(data[:, :, None]))
        # Numbers in columns: scikit-learn's own checks and feature-name bookkeeping.
        return v.CheckedSequences(kind, validate_data(self, X, reset=reset, dtype=np.float32))

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
        # Imported here: persistence imports the estimators, never the reverse.
        from sklearn_rnn.persistence import save

        save(self, path)

    def export_onnx(self, path, *, check: bool = True) -> None:
        """Export the fitted model to one ONNX file, to serve without torch.

        The file holds the network's graph and, as metadata, the encoder and the label
        decoding; :class:`sklearn_rnn.serving.ONNXPredictor` predicts from it with numpy
        and onnxruntime only. See :func:`sklearn_rnn.serving.export_onnx`.

        Parameters
        ----------
        path : str or path-like
            The file to write (suggested suffix ``.onnx``).
        check : bool, default=True
            Run the exported graph beside the network on a probe batch and raise if
            they disagree (needs onnxruntime).
        """
        check_is_fitted(self)
        from sklearn_rnn.serving import export_onnx  # needs the onnx extra

        export_onnx(self, path, check=check)

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
        if self.encoder_.kind_ == v.TOKENS:
            tokens = v.CheckedSequences(v.TOKENS, [["a", "b", "c"]])
            batch, _ = self._make_dataset(tokens).batch(torch.tensor([0]))
        elif self.encoder_.n_ids_ is not None:
            batch = {"inputs": torch.full((1, 3), UNK_ID, dtype=torch.int64)}
        else:
            batch = {"inputs": torch.zeros((1, 3, self.encoder_.n_features_))}
        batch["lengths"] = torch.tensor([3])
        return {key: value.to(self.device) for key, value in batch.items()}
