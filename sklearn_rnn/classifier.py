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
    {parameters}

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The labels seen in ``fit``, sorted.
    {n_features_in}
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
    # Composed after the class: the parameters are read from __init__'s signature.

    _is_classifier = True
    _default_criterion = torch.nn.CrossEntropyLoss
    # Validation accuracy kept rising after the validation loss turned (MR, measured);
    # among epochs of equal accuracy the lower validation loss wins.
    _early_stopping_scores = (("valid_acc", False), ("valid_loss", True))

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

    def _check_y(self, y, X) -> np.ndarray:
        y = v.check_target_length(len(X), y)
        y = column_or_1d(y if hasattr(y, "dtype") else np.asarray(y, dtype=object), warn=True)
        y = v.check_labels(y)
        check_classification_targets(y)
        return y

    def _fit_targets(self, y: np.ndarray, classes) -> torch.Tensor:
        known = y if classes is None else v.check_labels(np.asarray(classes), "classes")
        self.label_encoder_ = LabelEncoder().fit(known)
        self.classes_ = self.label_encoder_.classes_
        if len(self.classes_) < 2:
            raise ValueError(
                f"Classifier can't train when only one class is present: y holds only "
                f"{self.classes_[0]!r}; at least 2 classes are needed."
            )
        self.n_outputs_ = len(self.classes_)
        encoded = self._encode_targets(y)
        self.class_weight_ = self._class_weights(encoded)
        return encoded

    def _encode_targets(self, y: np.ndarray) -> torch.Tensor:
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

    def _criterion_kwargs(self) -> dict:
        return {"weight": self.class_weight_}

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
        logits = self._pooled_outputs(X)
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
        logits = self._pooled_outputs(X)
        return self.classes_[logits.argmax(1).numpy()]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = True
        return tags


RNNClassifier.__doc__ = _DOC.format(
    parameters=_docs.parameters_section(
        RNNClassifier.__init__, stratified=" (stratified)", score="accuracy, ties by loss"
    ),
    n_features_in=_docs.N_FEATURES_IN,
)
