"""RNNRegressor: one value (or a vector of values) per sequence."""

from __future__ import annotations

import numpy as np
import torch
from sklearn.base import RegressorMixin
from sklearn.utils import check_array

from sklearn_rnn._base import _docs, _parameters
from sklearn_rnn._base._kind_defaults import REGRESSOR_KIND_DEFAULTS
from sklearn_rnn._base._representation import PooledRepresentationMixin
from sklearn_rnn._base._sequence_estimator import SequenceEstimator
from sklearn_rnn._targets import ScaledValues
from sklearn_rnn.callbacks import ValidR2
from sklearn_rnn.encoding import _validation as v

_DOC = """Recurrent neural network regressor: one value or ``k`` values per sequence.

    Takes the same inputs as :class:`RNNClassifier`; ``y`` of shape ``(n,)`` or
    ``(n, k)`` (e.g. a forecast horizon). Targets are standardized internally and
    predictions returned in the user's units.

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    n_outputs_ : int
        Number of target columns.
    target_mean_, target_scale_ : ndarray of shape (n_outputs,)
        The target standardization learned in ``fit``.
    target_encoder_ : ScaledValues
        The fitted target encoder: values to what the network learns, and its outputs
        back to the units of ``y``.
    {n_features_in}
    encoder_ : SequenceEncoder
        The fitted input encoder.
    module_ : torch.nn.Module
        The trained network.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_rnn import RNNRegressor
    >>> rng = np.random.RandomState(0)
    >>> X = rng.rand(64, 5, 1).astype("float32")
    >>> y = X.sum(axis=(1, 2))
    >>> reg = RNNRegressor(hidden_size=16, max_epochs=30, lr=0.01, random_state=0).fit(X, y)
    >>> reg.predict(X[:3]).shape
    (3,)
    >>> bool(reg.score(X, y) > 0.8)
    True
    """


class RNNRegressor(RegressorMixin, PooledRepresentationMixin, SequenceEstimator):
    _parameter_constraints: dict = {
        name: _parameters.HYPERPARAMETER_CHECKS[name]
        for name in ("pooling", "conv_blocks", "scale_target")
    }
    # Composed after the class: the parameters are read from __init__'s signature.

    _kind_defaults = REGRESSOR_KIND_DEFAULTS  # no convolutions on series

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
        scale_target: bool = True,
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
        y = check_array(y, ensure_2d=False, dtype=np.float64, input_name="y")
        if y.ndim not in (1, 2):
            raise ValueError(
                f"y must be 1D (n_samples,) or 2D (n_samples, n_targets); got shape {y.shape}."
            )
        return y

    def _fit_targets(self, y: np.ndarray, classes) -> torch.Tensor:
        self.target_encoder_ = ScaledValues(scale=self.scale_target).fit(y)
        self.n_outputs_ = len(self.target_encoder_.mean_)
        return self._encode_targets(y)

    def _encode_targets(self, y: np.ndarray) -> torch.Tensor:
        return torch.from_numpy(self.target_encoder_.transform(y))

    @property
    def target_mean_(self) -> np.ndarray:
        """The mean of each target column in ``fit`` (zeros with ``scale_target=False``)."""
        return self.target_encoder_.mean_

    @property
    def target_scale_(self) -> np.ndarray:
        """The scale of each target column in ``fit`` (ones with ``scale_target=False``)."""
        return self.target_encoder_.scale_

    # -- skorch extension points --------------------------------------------------------

    def _metric_callbacks(self):
        return [("valid_r2", ValidR2())] if self.early_stopping_ else []

    def _targets_in_user_form(self, targets: torch.Tensor):
        return self.target_encoder_.inverse_transform(targets.double().numpy())

    # -- prediction ---------------------------------------------------------------------

    @property
    def predict_proba(self):
        raise AttributeError("RNNRegressor has no predict_proba; it predicts values.")

    def predict(self, X) -> np.ndarray:
        """Predicted targets in the units of ``y``.

        Parameters
        ----------
        X : sequences
            The same kind of input as in ``fit``.

        Returns
        -------
        ndarray of shape (n_samples,) or (n_samples, n_outputs)
            1D when ``y`` was 1D in ``fit``.
        """
        outputs = self._pooled_outputs(X).double().numpy()  # checks first that it is fitted
        return self.target_encoder_.inverse_transform(outputs)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags


RNNRegressor.__doc__ = _DOC.format(
    parameters=_docs.parameters_section(RNNRegressor.__init__, stratified="", score="loss"),
    n_features_in=_docs.N_FEATURES_IN,
)
