"""The sequence-estimator layer: input kinds, encoders, sample weights, the validation split,
and prediction over sequences, for the classifier, regressor, tagger and seq2seq model.

:class:`SequenceEstimator` fills :class:`~sklearn_rnn._base._training.TrainingCore`'s hooks
for estimators that read one sequence per sample: ``X`` is validated once per public call,
its kind detected (:mod:`sklearn_rnn.encoding._validation`), the encoders are fitted on it
(and on ``y``) before the network is built from what they learned (vocabulary size,
features, outputs); batches are grouped by length and padded per batch
(:mod:`sklearn_rnn._base._batches`). Each estimator declares only its parameters, its
target encoding (``_check_y``, ``_fit_targets``, ``_encode_targets``), its network
(``_build_module``) and how it decodes outputs.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import torch
from sklearn.model_selection import train_test_split
from sklearn.utils import check_array
from sklearn.utils.validation import check_is_fitted, validate_data

from sklearn_rnn._base import _parameters
from sklearn_rnn._base._batches import BatchIterator, SequenceDataset
from sklearn_rnn._base._hidden_states import hidden_states_of
from sklearn_rnn._base._kind_defaults import KIND_DEFAULTS, KIND_DEPENDENT, resolve_for_kind
from sklearn_rnn._base._random import next_seed
from sklearn_rnn._base._sample_weight import check_sample_weight, normalized_weights
from sklearn_rnn._base._sequence_encoder import UNK_ID, SequenceEncoder
from sklearn_rnn._base._training import TrainingCore, in_input_order
from sklearn_rnn._base._training_budget import (
    AUTO_MIN_STEPS,
    resolve_early_stopping,
    resolve_max_epochs,
)
from sklearn_rnn.callbacks import EarlyStoppingByScore, TrainingLossPlateau
from sklearn_rnn.encoding import _validation as v
from sklearn_rnn.nn._networks import SequenceModel
from sklearn_rnn.nn._pretrained_embeddings import pretrained_embedding_matrix


class SequenceEstimator(TrainingCore):
    """What the estimators reading one sequence per sample share (see the module docstring).

    Not meant to be used directly; subclasses define ``__init__`` with their
    hyperparameters and the target encoding.
    """

    # What "auto" hyperparameters become, by input kind (sklearn_rnn._base._kind_defaults).
    _kind_defaults = KIND_DEFAULTS
    # What early stopping watches, best first: (history key, lower is better) pairs; the
    # later ones break ties of the earlier.
    _early_stopping_scores = (("valid_loss", True),)
    _is_classifier = False
    # The optimizer steps max_epochs="auto" trains at least (sklearn_rnn._base._training_budget).
    _auto_min_steps = AUTO_MIN_STEPS
    _exports_to_onnx = True

    _parameter_constraints: dict = {
        name: _parameters.HYPERPARAMETER_CHECKS[name]
        for name in (
            "bidirectional",
            "max_len",
            "standardize",
            "early_stopping",
            "validation_fraction",
            "patience",
            "tol",
            "n_iter_no_change",
            "embeddings",
            "freeze_embeddings",
            "sparse_embeddings",
        )
    }

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
            The fitted estimator.
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
            The fitted estimator.
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

    def _check_fit_request(self, continue_training: bool) -> None:
        if self.early_stopping is True and continue_training:
            raise ValueError(
                "early_stopping=True cannot be combined with partial_fit or warm_start=True: "
                "each call would hold out different validation data. Set early_stopping=False "
                "to train incrementally."
            )

    def _auto_lr_schedule(self) -> str:
        return resolve_for_kind("lr_schedule", "auto", self.encoder_.kind_, self._kind_defaults)

    def _resolve_early_stopping(self, n_samples: int, continue_training: bool) -> bool:
        return resolve_early_stopping(
            self.early_stopping, self.validation_fraction, n_samples, continue_training
        )

    def _epochs(self, dataset: SequenceDataset, one_epoch: bool) -> int:
        n_train = len(dataset) - (self._n_validation(len(dataset)) if self.early_stopping_ else 0)
        return resolve_max_epochs(
            self.max_epochs,
            n_train,
            self.batch_size,
            one_epoch,
            self.early_stopping_,
            min_steps=self._auto_min_steps,
        )

    def _fit_encoders(
        self, X: v.CheckedSequences, y, classes=None, sample_weight=None
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
        self, X: v.CheckedSequences, y=None, training=False, sample_weight=None, classes=None
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
        if isinstance(X, v.CheckedSequences):
            return X
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

    # -- the network --------------------------------------------------------------------

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

    def _load_pretrained_embeddings(self, module: torch.nn.Module) -> None:
        if self.embeddings is None:
            return
        embedding = module.input_layer.embedding
        matrix = getattr(self, "_pretrained_matrix", None)
        if matrix is not None:  # a fit; a loaded model gets its saved weights
            embedding.weight.data.copy_(matrix)
        embedding.weight.requires_grad_(not self.freeze_embeddings)

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

    def _stopping_callbacks(self) -> list:
        if self.early_stopping_:
            stopper = EarlyStoppingByScore(self._early_stopping_scores, patience=self.patience)
            return [("early_stopping", stopper)]
        if self.n_iter_no_change is not None:
            plateau = TrainingLossPlateau(tol=self.tol, n_iter_no_change=self.n_iter_no_change)
            return [("training_loss_plateau", plateau)]
        return []

    # -- batches and the validation split -----------------------------------------------

    def _training_batches(self, dataset: SequenceDataset, generator) -> BatchIterator:
        return BatchIterator(
            dataset,
            self._training_batch_size(),
            shuffle=generator is not None,
            generator=generator,
        )

    def _n_validation(self, n_samples: int) -> int:
        """How many of ``n_samples`` training sequences early stopping holds out."""
        return int(np.ceil(self.validation_fraction * n_samples))

    def _validation_split(self, X: SequenceDataset):
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
        train, valid = X.subset(train), X.subset(valid)
        if valid.weights is not None and not valid.weights.any():
            raise ValueError(
                "The sample weights of the validation data held out for early stopping are "
                "all zero; use another random_state or a larger validation_fraction."
            )
        return train, valid

    # -- prediction ---------------------------------------------------------------------

    def _prediction_dataset(self, X) -> SequenceDataset:
        """``X`` encoded for prediction (our own datasets are used as they are)."""
        check_is_fitted(self)
        if isinstance(X, SequenceDataset):
            return X
        return self._make_dataset(self._check_X(X, reset=False))

    def _prediction_batches(self, dataset: SequenceDataset):
        if len(dataset) <= self.batch_size:
            # One batch (e.g. a single sequence): no sorting, nothing to reorder.
            rows = torch.arange(len(dataset))
            yield rows, dataset.batch(rows)
            return
        iterator = BatchIterator(dataset, self.batch_size, shuffle=False)
        yield from zip(torch.split(iterator.order, self.batch_size), iterator, strict=True)

    def _outputs_by_batch(self, X, *, grad: bool = False):
        """Yield ``(rows, lengths, outputs)`` for each batch of ``X``.

        ``X`` is user input, a dataset of ours, or one padded batch (a dict, as skorch's
        batch scoring passes it). ``rows`` are the batch's positions in ``X``; batches
        are sorted by length, so the caller puts the rows back in order. ``grad=True``
        keeps autograd available (the CRF's marginals need it).
        """
        if isinstance(X, Mapping):
            check_is_fitted(self)
            self._set_training(False)
            with torch.no_grad() if grad else torch.inference_mode():
                outputs = self.infer(X)
            lengths = X["lengths"].cpu()
            yield torch.arange(len(lengths)), lengths, outputs
            return

        def step(batch):
            inputs, _ = batch
            return inputs["lengths"], self.infer(inputs)

        dataset = self._prediction_dataset(X)
        for rows, (lengths, outputs) in self._predict_batches(dataset, step, grad=grad):
            yield rows, lengths, outputs

    def _pooled_outputs(self, X) -> torch.Tensor:
        """The module's ``(n, n_outputs)`` outputs, rows in the order of ``X``."""
        return in_input_order([(rows, out) for rows, _, out in self._outputs_by_batch(X)])

    def forward(self, X, training=False, device="cpu"):
        """The module's outputs on ``X``, rows in the order of ``X``.

        Per-step outputs (the tagger's) are padded to the longest sequence of ``X``
        with zeros.

        Parameters
        ----------
        X : sequences or SequenceDataset
            As in ``predict``.
        training : bool, default=False
            Run the module in training mode (dropout on).
        device : str, default="cpu"
            Where to put the result.

        Returns
        -------
        torch.Tensor
            The outputs, one row per sequence of ``X``.
        """
        if training:
            return super().forward(X, training=True, device=device)
        parts = list(self._outputs_by_batch(X))
        n = sum(len(rows) for rows, _, _ in parts)
        first = parts[0][2]
        shape = (n, *first.shape[1:])
        if first.dim() == 3:
            shape = (n, max(int(out.shape[1]) for _, _, out in parts), first.shape[2])
        result = first.new_zeros(shape, device=device)
        for rows, _, outputs in parts:
            result[rows.to(device), : outputs.shape[1]] = outputs.to(device)
        return result

    def forward_iter(self, X, training=False, device="cpu"):
        """The module's outputs on ``X``, batch by batch, in the order of ``X``.

        Parameters
        ----------
        X : sequences or SequenceDataset
            As in ``predict``.
        training : bool, default=False
            Run the module in training mode (dropout on).
        device : str, default="cpu"
            Where to put each batch's outputs.

        Yields
        ------
        torch.Tensor
            The outputs of one batch of ``batch_size`` consecutive sequences.
        """
        dataset = self._prediction_dataset(X)
        iterator = BatchIterator(dataset, self.batch_size, shuffle=False, sort=False)
        for batch in iterator:
            yield self.evaluation_step(batch, training=training).to(device)

    def hidden_states(self, X, layer: int = -1, cell_state: bool = False) -> list[np.ndarray]:
        """The recurrent states of each step of each sequence.

        Parameters
        ----------
        X : sequences
            The same kind of input as in ``fit``.
        layer : int, default=-1
            Which recurrent layer, counted from 0 at the input; negative counts from the
            top (-1 is the layer the output reads).
        cell_state : bool, default=False
            Return an LSTM's cell states ``c_t`` instead of its hidden states ``h_t``
            (``cell="lstm"`` only; the other cells have no second state).

        Returns
        -------
        list of ndarray of shape (T_i, D), float32
            One array per sequence, one row per step of its encoded input (each token,
            character or time step, cut to ``max_len`` where that applies; never padding):
            ``D = hidden_size``, or ``2 * hidden_size`` when bidirectional (the forward
            direction's states first, then the backward direction's, each at the step it
            belongs to).

        Examples
        --------
        >>> from sklearn_rnn import RNNClassifier
        >>> clf = RNNClassifier(cell="lstm", bidirectional=False, hidden_size=4, num_layers=2,
        ...                     max_epochs=2, random_state=0)
        >>> clf = clf.fit(["a good film", "a bad film", "good", "bad"] * 4, [1, 0, 1, 0] * 4)
        >>> [s.shape for s in clf.hidden_states(["a good film", "bad"])]  # (tokens, units)
        [(3, 4), (1, 4)]
        >>> clf.hidden_states(["a good film"], layer=0, cell_state=True)[0].shape
        (3, 4)
        """
        check_is_fitted(self)
        return hidden_states_of(self, self._prediction_dataset(X), layer, cell_state)

    # -- the summary --------------------------------------------------------------------

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
