"""RNNClassifier: one label per sequence."""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch
from sklearn.base import ClassifierMixin
from sklearn.utils import column_or_1d
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets

from sklearn_rnn._base import _docs, _parameters
from sklearn_rnn._base._representation import PooledRepresentationMixin
from sklearn_rnn._base._sample_weight import SAMPLE_WEIGHT
from sklearn_rnn._base._sequence_estimator import SequenceEstimator
from sklearn_rnn._targets import LabelTargets
from sklearn_rnn._targets._multilabel import (
    check_indicator_matrix,
    check_not_label_sets,
    is_indicator_matrix,
)
from sklearn_rnn.callbacks import ValidAccuracy
from sklearn_rnn.encoding import _validation as v
from sklearn_rnn.nn._wide import naive_bayes_table, ngram_rows

_DOC = """Recurrent neural network classifier: one label per text or series.

    Takes strings, token lists, id lists, ``(n, T)`` or ``(n, T, F)`` arrays, ragged
    lists of ``(T_i, F)`` arrays and pandas objects; labels of any hashable type.

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The labels seen in ``fit``, sorted.
    {n_features_in}
    encoder_ : SequenceEncoder
        The fitted input encoder (vocabulary or scaling statistics).
    target_encoder_ : LabelTargets
        The fitted target encoder: labels (or indicator rows) to what the network
        learns, and its outputs back to labels.
    naive_bayes_ : float
        The weight of the naive Bayes log-likelihoods in the outputs (``naive_bayes``
        resolved; 0: none).
    module_ : torch.nn.Module
        The trained network.
    history_ : skorch.History
        Per-epoch losses and metrics.

    Examples
    --------
    >>> from sklearn_rnn import RNNClassifier
    >>> texts = ["a great film", "truly great", "a dull film", "dull and bad"] * 8
    >>> labels = ["pos", "pos", "neg", "neg"] * 8
    >>> clf = RNNClassifier(hidden_size=16, max_epochs=20, lr=0.01, random_state=0)
    >>> clf.fit(texts, labels).predict(["great", "bad"]).tolist()
    ['pos', 'neg']
    """


class RNNClassifier(ClassifierMixin, PooledRepresentationMixin, SequenceEstimator):
    _parameter_constraints: dict = {
        name: _parameters.HYPERPARAMETER_CHECKS[name]
        for name in ("pooling", "conv_blocks", "wide_ngrams", "naive_bayes", "class_weight")
    }
    # Composed after the class: the parameters are read from __init__'s signature.

    _is_classifier = True
    # Validation accuracy kept rising after the validation loss turned (MR, measured);
    # among epochs of equal accuracy the lower validation loss wins.
    _early_stopping_scores = (("valid_acc", False), ("valid_loss", True))

    def __init__(
        self,
        *,
        cell: str = "gru",
        hidden_size: int | str = "auto",
        num_layers: int = 1,
        bidirectional: bool = True,
        dropout: float | str = "auto",
        single_bias: bool = False,
        pooling: str = "auto",
        conv_blocks="auto",
        wide_ngrams: int | str | None = "auto",
        naive_bayes: float | str = "auto",
        embedding_dim: int = 100,
        embeddings=None,
        freeze_embeddings: bool = False,
        sparse_embeddings: bool = False,
        tokenizer="word",
        lowercase: bool = True,
        max_vocab: int | None = None,
        min_freq: int = 1,
        max_len: int | None = None,
        standardize: bool = True,
        clip_grad_norm: float | None = 1.0,
        lr: float | str = "auto",
        lr_schedule: str = "auto",
        max_epochs: int | str = "auto",
        batch_size: int = 32,
        optimizer=torch.optim.Adam,
        early_stopping: bool | str = "auto",
        validation_fraction: float = 0.1,
        patience: int = 5,
        tol: float = 1e-4,
        n_iter_no_change: int | None = None,
        class_weight=None,
        random_state: int | None = None,
        device: str = "cpu",
        verbose: int = 0,
        progress_bar: bool = False,
        module=None,
        callbacks=None,
        warm_start: bool = False,
        distributed: bool | str = "auto",
        **kwargs,
    ):
        self._store_init_params(locals())

    # -- targets ----------------------------------------------------------------------

    def _check_y(self, y, X) -> np.ndarray:
        y = v.check_target_length(len(X), y)
        if is_indicator_matrix(y):
            return check_indicator_matrix(y)
        # Labels the user holds as objects (a string or categorical Series, an object array)
        # stay objects, as in scikit-learn; a list becomes numpy's own dtype.
        given_as_objects = hasattr(y, "dtype") or isinstance(y, pd.DataFrame)
        y = _ravel_label_column(y)
        check_not_label_sets(y)
        y = column_or_1d(y if hasattr(y, "dtype") else np.asarray(y, dtype=object), warn=True)
        given_as_objects = given_as_objects and y.dtype == object
        y = v.check_labels(y)
        if given_as_objects and y.dtype.kind == "U":
            y = y.astype(object)
        check_classification_targets(y)
        return y

    def _fit_targets(self, y: np.ndarray, classes) -> torch.Tensor:
        if y.ndim == 2 and self.class_weight is not None:
            raise ValueError(
                "Invalid value for parameter 'class_weight': it weighs the classes of single-"
                "label y; with a multilabel indicator y use sample_weight, or "
                "criterion__pos_weight for the labels."
            )
        if classes is not None and y.ndim == 1:
            classes = v.check_labels(np.asarray(classes), "classes")
        self.target_encoder_ = LabelTargets().fit(y, classes)
        self.classes_ = self.target_encoder_.classes_
        self.n_outputs_ = len(self.classes_)
        encoded = self._encode_targets(y)
        self.class_weight_ = None if self._multilabel else self._class_weights(encoded)
        return encoded

    @property
    def _multilabel(self) -> bool:
        # One sigmoid output per column of a multilabel indicator y (False until fitted).
        return getattr(vars(self).get("target_encoder_"), "multilabel_", False)

    def _encode_targets(self, y: np.ndarray) -> torch.Tensor:
        return torch.from_numpy(self.target_encoder_.transform(y))

    def _class_weights(self, encoded: torch.Tensor):
        if self.class_weight is None:
            return None
        if self.class_weight == "balanced":
            present = np.unique(encoded.numpy())
            weights = np.ones(len(self.classes_))
            weights[present] = compute_class_weight("balanced", classes=present, y=encoded.numpy())
            return torch.tensor(weights, dtype=torch.float32)
        unknown = set(self.class_weight) - set(self.classes_.tolist())
        if unknown:
            raise ValueError(
                f"Invalid value for parameter 'class_weight': labels {sorted(map(str, unknown))} "
                f"are not among the classes {self.classes_.tolist()}."
            )
        weights = [float(self.class_weight.get(c, 1.0)) for c in self.classes_.tolist()]
        return torch.tensor(weights, dtype=torch.float32)

    # -- skorch extension points --------------------------------------------------------

    @property
    def _default_criterion(self):
        # One sigmoid per label for multilabel y; a softmax over the classes otherwise.
        if self._multilabel:
            return torch.nn.BCEWithLogitsLoss
        return torch.nn.CrossEntropyLoss

    def _criterion_kwargs(self) -> dict:
        return {"weight": self.class_weight_}

    def _loss_mass(self, targets: torch.Tensor) -> torch.Tensor:
        # With class weights, torch's mean divides by the summed weights of the targets.
        if self.class_weight_ is None or targets.dim() > 1:
            return super()._loss_mass(targets)
        return self.class_weight_.to(targets.device)[targets]

    def _metric_callbacks(self):
        return [("valid_acc", ValidAccuracy())] if self.early_stopping_ else []

    def _targets_in_user_form(self, targets: torch.Tensor):
        if self._multilabel:
            return targets.numpy().astype(self.target_encoder_.indicator_dtype_)
        return self.classes_[targets.numpy()]

    def _build_module(self, data_kwargs: dict, kwargs: dict) -> torch.nn.Module:
        # The wide n-gram branch is the classifier's (token input; sklearn_rnn.nn._wide).
        # Files saved before naive_bayes existed have no naive_bayes_: none.
        naive_bayes = vars(self).get("naive_bayes_", 0.0) > 0
        wide = {"wide_ngrams": self.wide_ngrams_, "naive_bayes": naive_bayes}
        return super()._build_module(data_kwargs, {**wide, **kwargs})

    # -- naive Bayes beside the network ---------------------------------------------------

    def _fit_encoders(self, X, y, classes=None, sample_weight=None):
        dataset = super()._fit_encoders(X, y, classes=classes, sample_weight=sample_weight)
        self.naive_bayes_ = self._resolve_naive_bayes()
        return dataset

    def _resolve_naive_bayes(self) -> float:
        """The weight of the naive Bayes log-likelihoods (0: none) for this fit."""
        # A network of the user's own (module=...) has no wide branch of ours, nor has a
        # network of numeric series (wide_ngrams set or not).
        usable = (
            self.module is None
            and self.wide_ngrams_ is not None
            and self.encoder_.n_ids_ is not None
            and not self._multilabel
        )
        if self._partial_fit_call and self.naive_bayes != 0:
            # partial_fit's calls bring mini-batches: naive Bayes would count the first only.
            if self.naive_bayes == "auto":
                return 0.0
            raise ValueError(
                f"Invalid value for parameter 'naive_bayes': {self.naive_bayes!r} counts the "
                "data of fit, not partial_fit's mini-batches; set naive_bayes=0 (or 'auto', "
                "which is 0 for partial_fit)."
            )
        if self.naive_bayes == "auto":
            return 1.0 / (2 * self.wide_ngrams_ - 1) if usable else 0.0
        if self.naive_bayes > 0 and not usable:
            raise ValueError(
                f"Invalid value for parameter 'naive_bayes': {self.naive_bayes!r} needs the wide "
                "n-gram branch (token input with wide_ngrams 1 or 2, the built-in network) and "
                "single-label y; set naive_bayes=0."
            )
        return float(self.naive_bayes)

    def _after_training(self, dataset) -> None:
        # Naive Bayes over the wide branch's n-grams of every training sequence (the
        # held-out ones too): counts, not gradients, so nothing of it needs the network.
        # A warm_start fit counts its own X again (partial_fit never gets here).
        if not self.naive_bayes_:
            return
        wide = self.module_.wide
        counts = torch.zeros(wide.naive_bayes.shape, dtype=torch.float64)
        for indices in torch.arange(len(dataset)).split(1024):
            X, _ = dataset.batch(indices)
            rows, real = ngram_rows(X["inputs"], X["lengths"], wide.n_ids, wide.ngrams)
            weight = torch.ones(len(indices)) if dataset.weights is None else X[SAMPLE_WEIGHT]
            classes = dataset.targets[indices][:, None].expand_as(rows)
            weight = weight.to(torch.float64)[:, None].expand_as(rows)
            counts.index_put_((rows[real], classes[real]), weight[real], accumulate=True)
        wide.naive_bayes.copy_(naive_bayes_table(counts).mul_(self.naive_bayes_))

    # -- prediction ---------------------------------------------------------------------

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities, ``(n_samples, n_classes)``, columns ordered as ``classes_``.

        With multilabel ``y``, each label's own probability (one sigmoid per label), as
        scikit-learn's multilabel classifiers return them.

        Parameters
        ----------
        X : sequences
            The same kind of input as in ``fit``.

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
        """
        logits = self._pooled_outputs(X).double()
        if self._multilabel:
            return torch.sigmoid(logits).numpy()
        return torch.softmax(logits, dim=1).numpy()

    def predict_log_proba(self, X) -> np.ndarray:
        """Logarithm of :meth:`predict_proba`, computed from the logits.

        The log-softmax of the logits (log-sigmoid per label for multilabel ``y``), so
        probabilities that round to 0 still have finite logarithms.

        Parameters
        ----------
        X : sequences
            The same kind of input as in ``fit``.

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
        """
        logits = self._pooled_outputs(X).double()
        if self._multilabel:
            return torch.nn.functional.logsigmoid(logits).numpy()
        return torch.log_softmax(logits, dim=1).numpy()

    def predict(self, X) -> np.ndarray:
        """The most probable label of each sequence.

        With multilabel ``y``, the indicator matrix of the labels whose probability
        exceeds 0.5, in the dtype of ``y``.

        Parameters
        ----------
        X : sequences
            The same kind of input as in ``fit``.

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        outputs = self._pooled_outputs(X).numpy()  # checks first that the model is fitted
        return self.target_encoder_.inverse_transform(outputs)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = True
        tags.classifier_tags.multi_label = True
        return tags


def _ravel_label_column(y):
    """``y`` of shape ``(n, 1)`` (an array, or a list of one-label rows) as a 1D array.

    With the ``DataConversionWarning`` scikit-learn's classifiers give; other ``y`` as is.
    """
    if not hasattr(y, "ndim"):
        try:
            rows = np.asarray(y, dtype=object)
        except ValueError:  # ragged rows: label sets, rejected next
            return y
        if rows.ndim != 2:
            return y
        y = rows
    if y.ndim == 2 and y.shape[1] == 1:
        return column_or_1d(y, warn=True)
    return y


RNNClassifier.__doc__ = _DOC.format(
    parameters=_docs.parameters_section(
        RNNClassifier.__init__, stratified=" (stratified)", score="accuracy, ties by loss"
    ),
    n_features_in=_docs.N_FEATURES_IN,
)
