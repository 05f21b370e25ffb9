"""
Forecasting from sliding windows
================================

:class:`~sklearn_rnn.RNNRegressor` predicts a number (or several) from a sequence. To
forecast a series, :func:`~sklearn_rnn.forecasting.make_windows` cuts it into pairs of
(the last ``window`` values -> the next value); the regressor learns them, and a forecast
of many steps feeds each prediction back as the newest input. Targets are scaled
internally and predictions come back in the series' own units. The series here is a
made-up monthly demand with a trend and a yearly season; ``forecast_airline.py`` does
the same on the airline passengers series, against the seasonal naive baseline.
"""

# %%
# A monthly series
# ----------------
import matplotlib.pyplot as plt
import numpy as np

from sklearn_rnn import RNNRegressor
from sklearn_rnn.forecasting import make_windows, seasonal_naive_forecast

rng = np.random.RandomState(0)
months = np.arange(144)
series = 100 + 0.5 * months + 15 * np.sin(2 * np.pi * months / 12) + 3 * rng.randn(144)
train, test = series[:-24], series[-24:]

# %%
# Windows of 24 months, one step ahead
# ------------------------------------
# The network learns the change from one month to the next, which has no trend; the
# forecast adds the predicted changes back up.
WINDOW = 24
changes = np.diff(train)
X, y = make_windows(changes, window=WINDOW)
print(X.shape, y.shape)  # (n_windows, 24 steps, 1 feature) -> one value each

reg = RNNRegressor(cell="gru", hidden_size=32, lr=0.005, max_epochs=40, random_state=0)
reg.fit(X, y)

history, level = list(changes), train[-1]
forecast = []
for _ in range(len(test)):
    step = float(reg.predict(np.asarray(history[-WINDOW:])[None, :, None])[0])
    history.append(step)
    level += step
    forecast.append(level)
forecast = np.asarray(forecast)

# %%
# Compared with the seasonal naive forecast
# -----------------------------------------
# The baseline repeats the last observed year; it cannot follow the trend.
naive = seasonal_naive_forecast(train, season=12, horizon=len(test))
for name, values in (("GRU", forecast), ("seasonal naive", naive)):
    print(f"{name:<15} MAE {np.mean(np.abs(values - test)):5.2f}")

fig, ax = plt.subplots(figsize=(8, 3.5), layout="constrained")
ax.plot(months, series, color="black", label="actual")
ax.plot(months[-24:], forecast, color="tab:red", label="GRU forecast")
ax.plot(months[-24:], naive, color="tab:blue", linestyle="--", label="seasonal naive")
ax.axvline(months[-24], color="grey", linewidth=0.8)
ax.set_xlabel("month")
ax.legend(loc="upper left")
plt.show()
