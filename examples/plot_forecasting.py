"""
Forecasting several series with intervals
=========================================

:class:`~sklearn_rnn.RNNForecaster` learns "the next ``horizon`` values from the last
``window`` values" from many series at once. :func:`~sklearn_rnn.forecasting.make_windows`
cuts every series into (past window -> next 24 values) pairs, one model learns them
all, and :func:`~sklearn_rnn.forecasting.last_windows` gives the window each forecast
starts from. Each window is scaled by its own statistics and the forecast scaled back,
so series of very different sizes share one model; the forecast is a learned correction
of the seasonal naive forecast, with an 80 % interval from the 0.1 and 0.9 quantiles.
The series here are made-up monthly demands with a trend and a yearly season.
"""

# %%
# Three monthly series of different sizes
# ---------------------------------------
import matplotlib.pyplot as plt
import numpy as np

from sklearn_rnn import RNNForecaster
from sklearn_rnn.forecasting import last_windows, make_windows, seasonal_naive_forecast

rng = np.random.RandomState(0)
months = np.arange(144)
series = [
    size
    * (1 + 0.004 * growth * months + 0.15 * np.sin(2 * np.pi * (months + shift) / 12))
    * (1 + 0.03 * rng.randn(144))
    for size, growth, shift in ((100, 1.0, 0), (5_000, 2.0, 3), (40, 0.5, 6))
]
HORIZON = 24
train = [s[:-HORIZON] for s in series]
test = np.stack([s[-HORIZON:] for s in series])

# %%
# One model for all of them
# -------------------------
# ``window="auto"`` takes four horizons, at most half of what the shortest series holds
# before its last horizon (here 48 months). The season (12) is detected from the data.
X, y = make_windows(train, window="auto", horizon=HORIZON)
print(X.shape, y.shape)  # (windows of all series, 48 months, 1 feature) -> 24 values each

model = RNNForecaster(max_epochs=100, random_state=0).fit(X, y)
print("season:", model.season_)

inputs = last_windows(train, window="auto", horizon=HORIZON)
quantiles = model.predict_quantiles(inputs)  # (3 series, 24 months, 3 quantiles)
forecast = model.predict(inputs)  # the median

# %%
# Compared with the seasonal naive forecast
# -----------------------------------------
naive = np.stack([seasonal_naive_forecast(s, season=12, horizon=HORIZON) for s in train])
inside = (test >= quantiles[..., 0]) & (test <= quantiles[..., -1])
for i in range(len(series)):
    mae, naive_mae = np.abs(forecast[i] - test[i]).mean(), np.abs(naive[i] - test[i]).mean()
    print(f"series {i}: MAE {mae:8.1f}  seasonal naive {naive_mae:8.1f}")
print(f"test values inside the 80 % interval: {inside.mean():.0%}")

fig, axes = plt.subplots(3, 1, figsize=(8, 7), sharex=True, layout="constrained")
future = months[-HORIZON:]
for i, ax in enumerate(axes):
    ax.plot(months, series[i], color="black", label="actual")
    ax.fill_between(
        future,
        quantiles[i, :, 0],
        quantiles[i, :, -1],
        color="tab:red",
        alpha=0.25,
        label="80 % interval",
    )
    ax.plot(future, forecast[i], color="tab:red", label="forecast (median)")
    ax.plot(future, naive[i], color="tab:blue", linestyle="--", label="seasonal naive")
    ax.axvline(future[0], color="grey", linewidth=0.8)
axes[0].legend(loc="upper left", fontsize="small")
axes[-1].set_xlabel("month")
plt.show()
