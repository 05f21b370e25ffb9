"""RNNClassifier: one label per sequence."""

from __future__ import annotations

import numpy as np
import torch
from sklearn.base import ClassifierMixin
from sklearn.preprocessing import LabelEncoder
from sklearn.utils import column_or_1d
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets

from sklearn_rnn import _docs
from sklearn_rnn import _validation as v
from sklearn_rnn._base import RNNBase
from sklearn_rnn.callbacks import ValidAccuracy

_DOC = """Recurrent neural network classifier: one label per text or series.

    Takes strings, token lists, id lists, ``(n, T)`` or ``(n, T, F)`` arrays, ragged
    lists of ``(T_i, F)`` arrays and pandas objects; labels of any hashable type.

    Parameters
    ----------
    {model}{pooling}{inputs}{training}
    class_weight : dict, "balanced" or None, default=None
        Weights of the classes in the loss, as in scikit-learn.{common}

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The labels seen in ``fit``, sorted.
    n_features_in_ : int
        Features per step for numeric input (columns of a 2D array); not set for text.
    feature_names_in_ : ndarray of str
        Column names when ``X`` was a DataFrame with string column names.
    encoder_ : SequenceEncoder
        The fitted input encoder (vocabulary or scaling statistics).
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


class RNNClassifier(ClassifierMixin, RNNBase):
    __doc__ = _DOC.format(
        model=_docs.MODEL_PARAMETERS.format(bidirectional=False, dropout=0.0),
        pooling=_docs.POOLING_PARAMETER,
        inputs=_docs.INPUT_PARAMETERS,
        training=_docs.TRAINING_PARAMETERS.format(
            lr=0.001, max_epochs=10, batch_size=32, stratified=" (stratified)"
        ),
        common=_docs.COMMON_PARAMETERS,
    )

    _is_classifier = True
    # Validation accuracy kept rising after the validation loss turned (MR, measured).
    _early_stopping_monitor = ("valid_acc", False)

    def __init__(
        self,
        *,
        cell: str = "lstm",
        hidden_size: int = 128,
        num_layers: int = 1,
        bidirectional: bool = False,
        dropout: float = 0.0,
        single_bias: bool = False,
        pooling: str = "auto",
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
        lr: float = 0.001,
        max_epochs: int = 10,
        batch_size: int = 32,
        optimizer=torch.optim.Adam,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        patience: int = 5,
        class_weight=None,
        random_state: int | None = None,
        device: str = "cpu",
        verbose: int = 0,
        progress_bar: bool = False,
        module=None,
        callbacks=None,
        warm_start: bool = False,
        **kwargs,
    ):
        self._store_init_params(locals())

    # -- targets ----------------------------------------------------------------------

    def _fit_y(self, y, n_samples, sequences, classes=None):
        y = self._check_y(y, n_samples)
        self.label_encoder_ = LabelEncoder().fit(y if classes is None else np.asarray(classes))
        self.classes_ = self.label_encoder_.classes_
        if len(self.classes_) < 2:
            raise ValueError(
                f"Classifier can't train when only one class is present: y holds only "
                f"{self.classes_[0]!r}; at least 2 classes are needed."
            )
        self.n_outputs_ = len(self.classes_)
        encoded = self._encode_labels(y)
        self.class_weight_ = self._class_weights(encoded)
        return encoded

    def _transform_y(self, y, n_samples, sequences):
        return self._encode_labels(self._check_y(y, n_samples))

    def _check_y(self, y, n_samples) -> np.ndarray:
        y = v.check_target_length(n_samples, y)
        v.check_label_types(y)
        y = column_or_1d(y if hasattr(y, "dtype") else np.asarray(y), warn=True)
        check_classification_targets(y)
        return y

    def _encode_labels(self, y) -> torch.Tensor:
        unseen = np.setdiff1d(np.unique(y), self.classes_)
        if len(unseen):
            raise ValueError(
                f"y contains labels not seen in fit: {unseen.tolist()[:5]}; the classes are "
                f"{self.classes_.tolist()}."
            )
        return torch.from_numpy(self.label_encoder_.transform(y).astype(np.int64))

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

    def initialize_criterion(self):
        self.criterion_ = torch.nn.CrossEntropyLoss(weight=self.class_weight_)
        return self

    def _metric_callbacks(self):
        return [("valid_acc", ValidAccuracy())] if self.early_stopping else []

    # -- prediction ---------------------------------------------------------------------

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities, ``(n_samples, n_classes)``, columns ordered as ``classes_``.

        Parameters
        ----------
        X : sequences
            The same kind of input as in ``fit``.

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
        """
        logits = self._forward_pooled(X)
        return torch.softmax(logits.double(), dim=1).numpy()

    def predict(self, X) -> np.ndarray:
        """The most probable label of each sequence.

        Parameters
        ----------
        X : sequences
            The same kind of input as in ``fit``.

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        logits = self._forward_pooled(X)
        return self.classes_[logits.argmax(1).numpy()]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = True
        return tags
