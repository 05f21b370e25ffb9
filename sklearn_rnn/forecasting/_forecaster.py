"""RNNForecaster: a scikit-learn regressor from past windows to the next values, with quantiles."""

from __future__ import annotations

import numpy as np
import torch
from sklearn.utils.validation import check_is_fitted

from sklearn_rnn import _docs
from sklearn_rnn import _validation as v
from sklearn_rnn._training_budget import AUTO_MAX_EPOCHS
from sklearn_rnn.forecasting._network import ForecastNetwork
from sklearn_rnn.forecasting._quantile_loss import PinballLoss
from sklearn_rnn.forecasting._season import detect_season
from sklearn_rnn.regressor import RNNRegressor

#: What ``"auto"`` hyperparameters become (only numeric series are forecast). Chosen on
#: M4 Hourly and airline (``benchmarks/forecasting.py``).
FORECASTER_KIND_DEFAULTS = {
    "numeric": {
        "hidden_size": 64,
        "dropout": 0.0,
        "lr": 3e-3,
        "pooling": "last",
        "conv_blocks": None,
        "lr_schedule": "cosine",
    },
}
FORECASTER_KIND_DEFAULTS["tokens"] = FORECASTER_KIND_DEFAULTS["numeric"]

#: ``early_stopping="auto"`` holds the latest windows out from this many windows on.
AUTO_EARLY_STOPPING_WINDOWS = 1000
#: ``max_epochs="auto"`` trains about this many optimizer steps ...
AUTO_STEPS = 2000
#: ... in at least this many epochs.
AUTO_MIN_EPOCHS = 1

_PARAMETER_DOCS = {
    "quantiles": (
        "tuple of float",
        (
            "The quantiles forecast at every step, each in (0, 1), trained together with\n"
            "the pinball loss. ``predict`` returns the one closest to 0.5 (the median by\n"
            "default), ``predict_quantiles`` all of them. The default's outer pair is an\n"
            "80 % interval."
        ),
    ),
    "season": (
        '"auto" or int',
        (
            "Season length in steps (24 for hourly data with a daily cycle, 12 for\n"
            "monthly data with a yearly one): the forecast starts from each window's\n"
            "seasonal naive forecast, and each window is scaled by its mean absolute\n"
            '``season``-step change. ``1``: start from the last value. ``"auto"``: the lag\n'
            "the training windows' autocorrelation peaks at (``season_``)."
        ),
    ),
    "cell": ('{"rnn", "lstm", "gru"}', "Recurrent cell type."),
    "dropout": ("float", "Dropout between stacked recurrent layers and before the output."),
    "batch_size": ("int", "Windows per training batch."),
    "early_stopping": (
        '"auto" or bool',
        (
            "Hold out the *latest* ``validation_fraction`` of the windows (the last rows\n"
            "of ``X``, which :func:`~sklearn_rnn.forecasting.make_windows` orders by time)\n"
            'and stop when their pinball loss stops improving. ``"auto"``: on from 1,000\n'
            "windows."
        ),
    ),
    "max_epochs": (
        '"auto" or int',
        (
            'Most epochs to train. ``"auto"``: about 2,000 optimizer steps, at least 5\n'
            "epochs (early stopping may end training sooner)."
        ),
    ),
}

_DOC = """Recurrent forecaster: the next ``horizon`` values of a series from its last window.

    A scikit-learn regressor on windows, so it works in ``Pipeline``, ``GridSearchCV``
    with ``TimeSeriesSplit``, ``cross_val_score`` and reduction libraries that take a
    regressor. ``X`` holds past windows, ``(n, T)`` or ``(n, T, F)`` (feature 0 the
    series, the others covariates), ``y`` the values that follow each window, ``(n,)`` or
    ``(n, horizon)``; :func:`~sklearn_rnn.forecasting.make_windows` makes both from one
    series, a list of series or a long DataFrame.

    Each window is scaled by its own level and scale and the forecast scaled back
    (reversible instance normalization), so one model serves series of any scale and a
    series times 1,000 gets forecasts times 1,000. A unidirectional recurrent core reads
    the window; its last state predicts the correction of the window's seasonal naive
    forecast, for every quantile in ``quantiles`` (pinball loss, in units of the window's
    scale, so MASE-like), together with a linear map of the window's scaled values (an
    autoregressive highway, as in LSTNet) that carries seasons longer than ``season``.
    :class:`RNNRegressor`'s defaults are unchanged: it keeps the level, which a
    regression that is not a forecast may need.

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    quantiles_ : tuple of float
        The quantiles, sorted.
    season_ : int
        The season length used (``season``, or the one detected).
    n_lags_ : int
        The last values of each window that the linear highway reads (the shortest
        training window's length).
    n_outputs_ : int
        The horizon (columns of ``y``).
    {n_features_in}
    encoder_ : SequenceEncoder
        The fitted input encoder.
    module_ : ForecastNetwork
        The trained network.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_rnn import RNNForecaster
    >>> from sklearn_rnn.forecasting import last_windows, make_windows
    >>> series = 10 + np.sin(np.arange(200) * 2 * np.pi / 12)
    >>> X, y = make_windows(series, window=24, horizon=6)
    >>> model = RNNForecaster(hidden_size=8, max_epochs=2, random_state=0).fit(X, y)
    >>> model.season_
    12
    >>> model.predict(last_windows(series, window=24)).shape
    (1, 6)
    >>> model.predict_quantiles(X[:2]).shape  # (windows, horizon, quantiles)
    (2, 6, 3)
    """


class RNNForecaster(RNNRegressor):
    # Fixed by the forecasting design, not hyperparameters: a unidirectional core read at
    # its last state (order-aware), raw values in (the network scales each window itself).
    bidirectional = False
    pooling = "last"
    conv_blocks = None
    embedding_dim = 100
    embeddings = None
    freeze_embeddings = False
    sparse_embeddings = False
    tokenizer = "word"
    lowercase = True
    max_vocab = None
    min_freq = 1
    max_len = None
    standardize = False
    scale_target = False

    _kind_defaults = FORECASTER_KIND_DEFAULTS
    _default_criterion = PinballLoss

    def __init__(
        self,
        *,
        quantiles: tuple = (0.1, 0.5, 0.9),
        season: int | str = "auto",
        cell: str = "lstm",
        hidden_size: int | str = "auto",
        num_layers: int = 1,
        dropout: float = 0.0,
        single_bias: bool = False,
        clip_grad_norm: float | None = 1.0,
        lr: float | str = "auto",
        lr_schedule: str = "auto",
        max_epochs: int | str = "auto",
        batch_size: int = 128,
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
        **kwargs,
    ):
        self._store_init_params(locals())

    # -- parameters -----------------------------------------------------------------

    def _check_params(self) -> None:
        super()._check_params()
        q = self.quantiles
        ok = isinstance(q, tuple | list) and len(q) > 0
        ok = ok and all(v._is_real(x) and 0 < x < 1 for x in q) and len(set(q)) == len(q)
        if not ok:
            raise ValueError(
                "Invalid value for parameter 'quantiles': expected a non-empty tuple of "
                f"distinct floats in (0, 1), got {q!r}."
            )
        s = self.season
        if not ((isinstance(s, str) and s == "auto") or (v._is_integer(s) and s >= 1)):
            raise ValueError(
                "Invalid value for parameter 'season': expected \"auto\" or an int >= 1, "
                f"got {s!r}."
            )

    def _check_kind(self, kind: str) -> None:
        if kind in v.TOKEN_KINDS:
            raise ValueError(
                f"RNNForecaster forecasts numeric series; X holds {kind} input. Pass windows "
                "of numbers, e.g. from sklearn_rnn.forecasting.make_windows."
            )

    # -- targets and network --------------------------------------------------------

    def _check_y(self, y, X) -> np.ndarray:
        y = super()._check_y(y, X)
        if y.ndim == 2 and y.shape[1] == 0:
            raise ValueError("y has no columns: it needs the horizon's values, (n, horizon).")
        return y

    def _fit_targets(self, y: np.ndarray, classes) -> torch.Tensor:
        self.quantiles_ = tuple(sorted(float(x) for x in self.quantiles))
        return super()._fit_targets(y, classes)

    def _fit_input_statistics(self, sequences) -> None:
        covariates = sequences.values.numpy()[:, 1:].astype(np.float64)  # (total steps, F - 1)
        self.covariate_mean_ = covariates.mean(0)
        scale = covariates.std(0)
        self.covariate_scale_ = np.where(scale > 1e-12, scale, 1.0)
        shortest = int(sequences.lengths.min())
        self.n_lags_ = shortest  # what the linear highway reads of each window
        if self.season == "auto":
            self.season_ = detect_season(sequences, max_lag=shortest // 2)
        else:
            self.season_ = int(self.season)
        if self.season_ > shortest:
            raise ValueError(
                f"Invalid value for parameter 'season': {self.season_} is longer than the "
                f"shortest window ({shortest} steps); use longer windows or a smaller season."
            )

    def _build_module(self, data_kwargs: dict, kwargs: dict) -> torch.nn.Module:
        return ForecastNetwork(
            **data_kwargs,
            quantiles=self.quantiles_,
            season=self.season_,
            n_lags=self.n_lags_,
            covariate_mean=self.covariate_mean_,
            covariate_scale=self.covariate_scale_,
            cell=self.cell,
            hidden_size=self.hidden_size_,
            num_layers=self.num_layers,
            dropout=self.dropout_,
            single_bias=self.single_bias,
            **kwargs,
        )

    def _criterion_kwargs(self) -> dict:
        return {"quantiles": self.quantiles_}

    def _metric_callbacks(self):
        return []  # early stopping watches the validation pinball loss

    # -- training -------------------------------------------------------------------

    def get_loss(self, y_pred, y_true, X=None, training=False):
        # The loss is in units of each window's scale: every series weighs the same,
        # whatever its size (as in MASE), and quantiles are learned relative to it.
        if self.module is None and isinstance(X, dict):
            level, scale = self.module_.statistics(X["inputs"], X["lengths"])
            y_pred = (y_pred.float() - level) / scale  # (B, horizon * Q) / (B, 1)
            y_true = torch.as_tensor(y_true, device=level.device).reshape(len(level), -1)
            y_true = (y_true - level) / scale
        return super().get_loss(y_pred, y_true, X=X, training=training)

    def _train(self, dataset, fit_params: dict, one_epoch: bool) -> None:
        if self.max_epochs != "auto" or one_epoch:
            return super()._train(dataset, fit_params, one_epoch)
        n_train = len(dataset) - (self._n_validation(len(dataset)) if self.early_stopping_ else 0)
        steps_per_epoch = -(-n_train // self.batch_size)
        epochs = max(-(-AUTO_STEPS // steps_per_epoch), AUTO_MIN_EPOCHS)
        self.max_epochs_ = min(epochs, AUTO_MAX_EPOCHS)
        self._run_epochs(dataset, self.max_epochs_, fit_params)

    def _fit(self, X, y, *, continue_training: bool, **kwargs):
        self._continuing = continue_training  # read by _initialize_network
        return super()._fit(X, y, continue_training=continue_training, **kwargs)

    def _fit_encoders(self, X, y, classes, sample_weight=None):
        dataset = super()._fit_encoders(X, y, classes, sample_weight)
        self._n_windows = len(dataset)
        return dataset

    def _initialize_network(self) -> None:
        # "auto" early stopping starts much earlier than for the other estimators: a few
        # thousand windows of one series overlap so much that they are overfitted easily.
        if self.early_stopping == "auto":
            self.early_stopping_ = (
                not self._continuing
                and self.validation_fraction > 0
                and self._n_windows >= AUTO_EARLY_STOPPING_WINDOWS
            )
        super()._initialize_network()

    def get_split_datasets(self, X, y=None, **fit_params):
        if not self.early_stopping_:
            return X, None
        n_valid = self._n_validation(len(X))
        if n_valid < 1 or len(X) - n_valid < 1:
            raise ValueError(
                f"Invalid value for parameter 'validation_fraction': {self.validation_fraction!r}"
                f" of {len(X)} windows leaves none for validation or for training."
            )
        # The latest windows (the last rows) check the model: a forecast is judged on the
        # future, and a random split would validate on windows between training windows.
        rows = np.arange(len(X))
        return X.subset(rows[:-n_valid]), X.subset(rows[-n_valid:])

    # -- prediction -------------------------------------------------------------------

    def predict_quantiles(self, X) -> np.ndarray:
        """The forecast quantiles, sorted so that they never cross.

        Parameters
        ----------
        X : windows
            As in ``fit``.

        Returns
        -------
        ndarray of shape (n_windows, horizon, n_quantiles), or (n_windows, n_quantiles)
            when ``y`` was 1D in ``fit``; the last axis follows ``quantiles_``.
        """
        check_is_fitted(self)
        outputs = self._pooled_outputs(X).double().numpy()
        forecasts = np.sort(outputs.reshape(len(outputs), self.n_outputs_, -1), axis=2)
        return forecasts[:, 0] if self.y_ndim_ == 1 else forecasts

    def predict(self, X) -> np.ndarray:
        """The point forecast: the quantile closest to 0.5 (the median by default).

        Parameters
        ----------
        X : windows
            As in ``fit``.

        Returns
        -------
        ndarray of shape (n_windows, horizon), or (n_windows,) when ``y`` was 1D in ``fit``
        """
        quantiles = self.predict_quantiles(X)
        middle = int(np.argmin(np.abs(np.asarray(self.quantiles_) - 0.5)))
        return quantiles[..., middle]


RNNForecaster.__doc__ = _DOC.format(
    parameters=_docs.parameters_section(
        RNNForecaster.__init__, overrides=_PARAMETER_DOCS, stratified="", score="loss"
    ),
    n_features_in=_docs.N_FEATURES_IN,
)
