"""RNNForecaster: scale equivariance, quantiles, covariates, scikit-learn tools, learning."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from sklearn_rnn import RNNForecaster, RNNRegressor
from sklearn_rnn.forecasting import last_windows, make_windows, seasonal_naive_forecast

FAST = dict(hidden_size=8, max_epochs=3, random_state=0)
AIRLINE = Path(__file__).resolve().parents[2] / "shared" / "data" / "airline" / "Airline.csv"


def seasonal_series(n=240, season=12, seed=0):
    rng = np.random.RandomState(seed)
    t = np.arange(n)
    return 100 + 0.3 * t + 10 * np.sin(2 * np.pi * t / season) + rng.randn(n)


@pytest.fixture(scope="module")
def fitted():
    series = seasonal_series()
    X, y = make_windows(series, window=36, horizon=6)
    return RNNForecaster(**FAST).fit(X, y), X, y


def test_is_a_regressor_with_horizon_outputs(fitted):
    model, X, y = fitted
    assert isinstance(model, RNNRegressor)
    assert model.predict(X).shape == y.shape
    assert model.season_ == 12 and model.quantiles_ == (0.1, 0.5, 0.9)
    assert model.module_.core.bidirectional is False


def test_scaled_series_gives_scaled_forecasts(fitted):
    model, X, _ = fitted
    np.testing.assert_allclose(model.predict(X * 1000), 1000 * model.predict(X), rtol=1e-4)
    shifted = model.predict(X + 0.0)
    np.testing.assert_allclose(shifted, model.predict(X), rtol=1e-6)


def test_fit_on_scaled_series_learns_the_same_model():
    series = seasonal_series()
    X, y = make_windows(series, window=36, horizon=6)
    small = RNNForecaster(**FAST).fit(X, y).predict(X[-5:])
    large = RNNForecaster(**FAST).fit(X * 1000, y * 1000).predict(X[-5:] * 1000)
    np.testing.assert_allclose(large, 1000 * small, rtol=1e-3)


def test_quantiles_are_ordered_and_the_median_is_predict(fitted):
    model, X, _ = fitted
    quantiles = model.predict_quantiles(X)
    assert quantiles.shape == (len(X), 6, 3)
    assert (np.diff(quantiles, axis=2) >= 0).all()
    np.testing.assert_array_equal(model.predict(X), quantiles[:, :, 1])


def test_untrained_network_is_the_seasonal_naive_forecast():
    series = seasonal_series()
    X, y = make_windows(series, window=36, horizon=6)
    model = RNNForecaster(max_epochs=1, lr=1e-12, random_state=0, season=12).fit(X, y)
    expected = seasonal_naive_forecast(series, season=12, horizon=6)
    np.testing.assert_allclose(model.predict(last_windows(series, 36))[0], expected, rtol=1e-6)


def test_one_step_target_gives_1d_predictions():
    X, y = make_windows(seasonal_series(), window=24, horizon=1)
    model = RNNForecaster(**FAST).fit(X, y)
    assert model.predict(X[:4]).shape == (4,)
    assert model.predict_quantiles(X[:4]).shape == (4, 3)


def test_early_stopping_holds_out_the_latest_windows(monkeypatch):
    X, y = make_windows(seasonal_series(400), window=24, horizon=2)
    model = RNNForecaster(early_stopping=True, validation_fraction=0.25, **FAST)
    seen = {}
    original = RNNForecaster.get_split_datasets

    def spy(self, dataset, y=None, **kwargs):
        train, valid = original(self, dataset, y, **kwargs)
        seen["valid"] = valid.sequences.values.numpy()
        return train, valid

    monkeypatch.setattr(RNNForecaster, "get_split_datasets", spy)
    model.fit(X, y)
    n_valid = int(np.ceil(0.25 * len(X)))
    np.testing.assert_array_equal(seen["valid"], X[-n_valid:].reshape(-1, 1))
    assert "valid_loss" in model.history[-1]


def test_covariates_reach_the_model():
    rng = np.random.RandomState(0)
    promo = (rng.rand(300) < 0.2).astype(float)
    series = 50 + 20 * promo + rng.randn(300)  # sales jump on promotion days, known ahead
    X, y = make_windows(series, window=12, horizon=1, future_covariates=promo[:, None])
    model = RNNForecaster(hidden_size=16, max_epochs=80, batch_size=32, season=1, random_state=0)
    model.fit(X[:250], y[:250])
    error = np.abs(model.predict(X[250:]) - y[250:]).mean()
    naive = np.abs(X[250:, -1, 0] - y[250:]).mean()  # 7.7; 4.7 when trained without promo
    assert error < 0.4 * naive


def test_works_with_scikit_learn_tools():
    X, y = make_windows(seasonal_series(), window=24, horizon=3)
    model = RNNForecaster(**FAST)
    assert clone(model).get_params() == model.get_params()
    search = GridSearchCV(model, {"hidden_size": [4, 8]}, cv=TimeSeriesSplit(2))
    search.fit(X, y)
    assert search.best_params_["hidden_size"] in (4, 8)
    scores = cross_val_score(model, X, y, cv=TimeSeriesSplit(2))
    assert scores.shape == (2,)
    pipe = make_pipeline(FunctionTransformer(lambda a: a * 2.0), RNNForecaster(**FAST)).fit(X, y)
    assert pipe.predict(X[:2]).shape == (2, 3)


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"quantiles": ()}, "'quantiles'"),
        ({"quantiles": (0.5, 1.0)}, "'quantiles'"),
        ({"quantiles": (0.5, 0.5)}, "'quantiles'"),
        ({"season": 0}, "'season'"),
        ({"season": "daily"}, "'season'"),
        ({"season": 50}, "'season'.*longer than the shortest window"),
    ],
)
def test_bad_parameters_name_the_parameter(params, match):
    X, y = make_windows(seasonal_series(), window=24, horizon=2)
    with pytest.raises(ValueError, match=match):
        RNNForecaster(**FAST, **params).fit(X, y)


def test_bad_input():
    model = RNNForecaster(**FAST)
    with pytest.raises(ValueError, match="numeric series"):
        model.fit(["some text", "more text"], [1.0, 2.0])
    X, y = make_windows(seasonal_series(), window=24, horizon=2)
    y = y.copy()
    y[3, 1] = np.nan
    with pytest.raises(ValueError, match="y"):
        model.fit(X, y)
    with pytest.raises(ValueError, match="NaN"):
        model.fit(np.where(np.arange(24) == 5, np.nan, X[:, :, 0]), y)


@pytest.mark.skipif(not AIRLINE.is_file(), reason="needs ../shared/data/airline")
def test_beats_the_seasonal_naive_forecast_on_airline():
    series = pd.read_csv(AIRLINE)["Passengers"].to_numpy(dtype=float)
    train, test = series[:-24], series[-24:]
    X, y = make_windows(train, window="auto", horizon=24)
    model = RNNForecaster(max_epochs=100, random_state=0).fit(X, y)
    forecast = model.predict(last_windows(train, window="auto", horizon=24))[0]
    naive = seasonal_naive_forecast(train, season=12, horizon=24)
    assert np.abs(forecast - test).mean() < 0.6 * np.abs(naive - test).mean()


def test_pickle_round_trip(fitted, tmp_path):
    import joblib

    model, X, _ = fitted
    joblib.dump(model, tmp_path / "model.joblib")
    loaded = joblib.load(tmp_path / "model.joblib")
    np.testing.assert_array_equal(loaded.predict_quantiles(X), model.predict_quantiles(X))


def test_global_model_on_series_of_different_scales():
    """One model for a list of series: every series is forecast in its own units."""
    series = [
        seasonal_series(seed=0),
        1000 * seasonal_series(seed=1),
        0.01 * seasonal_series(seed=2),
    ]
    train = [s[:-6] for s in series]
    X, y = make_windows(train, window=36, horizon=6)
    model = RNNForecaster(max_epochs=20, random_state=0).fit(X, y)
    forecast = model.predict(last_windows(train, window=36))
    for s, f in zip(series, forecast, strict=True):
        naive = seasonal_naive_forecast(s[:-6], season=12, horizon=6)
        assert np.abs(f - s[-6:]).mean() < 1.5 * np.abs(naive - s[-6:]).mean()


def test_documented_defaults_equal_the_signature():
    import inspect
    import re

    documented = dict(re.findall(r"^    (\w+) : .*default=(.+)$", RNNForecaster.__doc__, re.M))
    signature = inspect.signature(RNNForecaster.__init__).parameters
    params = [n for n, p in signature.items() if n != "self" and p.kind is not p.VAR_KEYWORD]
    assert sorted(documented) == sorted(params)
    for name in params:
        default = signature[name].default
        expected = f'"{default}"' if isinstance(default, str) else repr(default)
        if inspect.isclass(default):
            expected = f"torch.optim.{default.__name__}"
        assert documented[name] == expected, name


def test_classifier_and_regressor_defaults_are_untouched():
    """The forecasting defaults live in RNNForecaster only."""
    from sklearn_rnn import RNNClassifier

    assert RNNRegressor().get_params()["bidirectional"] is True
    assert RNNRegressor().get_params()["pooling"] == "auto"
    assert RNNClassifier().get_params()["cell"] == "gru"
