"""Season length from the data: the lag where the windows' autocorrelation peaks."""

from __future__ import annotations

import numpy as np

#: Below this mean autocorrelation no lag counts as a season (the forecast then starts
#: from the last value).
MIN_AUTOCORRELATION = 0.3
#: Windows read at most (evenly spread): enough for a stable mean, cheap on 100,000.
MAX_WINDOWS = 500


def detect_season(sequences, max_lag: int) -> int:
    """The season length of encoded windows' series (feature 0), or 1 if none.

    The mean over windows of the autocorrelation of the one-step changes is computed for
    lags 1 to ``max_lag``; its highest local peak at lag 2 or more (and at least
    ``MIN_AUTOCORRELATION``) wins, unless a divisor of that lag comes close (80 %) with a
    peak at each of its multiples, as a daily season does to a weekly one in hourly data.

    Examples
    --------
    >>> from sklearn_rnn._base._encoded_sequences import EncodedSequences
    >>> t = np.arange(240)
    >>> windows = [np.sin(2 * np.pi * t[i : i + 72] / 24)[:, None] for i in range(0, 160, 7)]
    >>> detect_season(EncodedSequences.from_arrays(windows), max_lag=36)
    24
    >>> detect_season(EncodedSequences.from_arrays([np.arange(50.0)[:, None]]), max_lag=25)
    1
    """
    if max_lag < 2:
        return 1
    lengths = sequences.lengths.numpy()
    offsets = sequences.offsets.numpy()
    values = sequences.values.numpy()
    chosen = np.unique(np.linspace(0, len(lengths) - 1, min(MAX_WINDOWS, len(lengths))).astype(int))
    lags = np.arange(1, max_lag + 1)
    total = np.zeros(len(lags))
    counted = 0
    for i in chosen:
        series = values[offsets[i] : offsets[i] + lengths[i], 0].astype(np.float64)
        changes = np.diff(series)
        changes = changes - changes.mean()
        energy = float(changes @ changes)
        if energy <= 1e-12 or len(changes) <= max_lag + 1:
            continue
        # Per pair, not per step: long lags have fewer pairs and would otherwise shrink.
        n = len(changes)
        total += [changes[lag:] @ changes[:-lag] / energy * n / (n - lag) for lag in lags]
        counted += 1
    if counted == 0:
        return 1
    acf = total / counted
    # Only peaks count: a smooth series' autocorrelation is high at short lags, falling.
    left = np.r_[-np.inf, acf[:-1]]
    right = np.r_[acf[1:], -np.inf]
    peaks = np.flatnonzero((acf > left) & (acf >= right) & (acf >= MIN_AUTOCORRELATION))
    peaks = peaks[lags[peaks] >= 2]  # lag 1 is no season
    if len(peaks) == 0:
        return 1
    best = peaks[np.argmax(acf[peaks])]
    season = int(lags[best])
    peak_lags = set(lags[peaks].tolist())
    for peak in peaks:
        divisor = int(lags[peak])
        multiples = range(divisor, season + 1, divisor)
        if (
            season % divisor == 0
            and acf[peak] >= 0.8 * acf[best]
            and all(lag in peak_lags for lag in multiples)
        ):
            return divisor
    return season
