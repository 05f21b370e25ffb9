"""Many series as one collection: a list of series, or a long DataFrame, with covariates.

:func:`collect_series` turns what the user holds into one :class:`PreparedSeries` per
series, every one with the same column layout: the target first, then the series' other
columns and ``past_covariates`` (known up to the window's end), then
``future_covariates`` (known ahead, such as calendar features or planned promotions).
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass
class PreparedSeries:
    """One series: ``values (T, F)`` in the common layout, its last ``n_future`` columns known
    ahead; ``name`` for messages; ``times`` the time of each step, or None (positions)."""

    name: str
    values: np.ndarray
    n_future: int
    times: np.ndarray | None = None


def check_positive_int(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise TypeError(f"{name} must be an int, got {value!r} of type {type(value).__name__}")
    if value < 1:
        raise ValueError(f"{name} must be >= 1, got {value}")
    return int(value)


def as_2d_float(series: object, name: str = "series") -> tuple[np.ndarray, list | None]:
    """Return the series as a ``(T, n_features)`` float64 array and its column names."""
    columns = list(series.columns) if isinstance(series, pd.DataFrame) else None
    if isinstance(series, pd.Series | pd.DataFrame):
        series = series.to_numpy()
    try:
        values = np.asarray(series, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"{name} must be numeric: a 1D sequence of numbers or a 2D (time, feature) "
            f"array; could not convert it to float ({exc})"
        ) from exc
    if values.ndim == 1:
        values = values[:, None]
    if values.ndim != 2:
        raise ValueError(
            f"{name} must be 1D (time,) or 2D (time, feature), got {values.ndim}D with "
            f"shape {values.shape}"
        )
    if values.shape[1] == 0:
        raise ValueError(f"{name} has no features (shape {values.shape})")
    if not np.isfinite(values).all():
        first = np.argwhere(~np.isfinite(values))[0]
        raise ValueError(
            f"{name} contains NaN or infinity (first at time step {first[0]}); fill or drop "
            "missing values first, e.g. series.interpolate()"
        )
    return values, columns


def _is_collection(series) -> bool:
    """A list/tuple of series (not one series given as a list of numbers)."""
    if not isinstance(series, list | tuple) or len(series) == 0:
        return False
    return all(isinstance(s, np.ndarray | pd.Series | pd.DataFrame | list | tuple) for s in series)


def _column_index(key, columns: list | None, n_features: int, argument: str, name: str) -> int:
    if columns is not None and not isinstance(key, bool) and key in columns:
        return columns.index(key)
    if isinstance(key, int | np.integer) and not isinstance(key, bool):
        if not -n_features <= key < n_features:
            raise ValueError(
                f"{argument}={key} is out of range for {name} with {n_features} feature(s)"
            )
        return int(key) % n_features
    known = f" (columns: {columns})" if columns is not None else ""
    raise ValueError(f"{argument} must be a column name or position, got {key!r}{known}")


def _aligned(covariates, i: int, n_series: int, argument: str):
    """The covariates of series ``i``: the ``i``-th of a list for a collection."""
    if covariates is None:
        return None
    if n_series == 0:
        return covariates
    if not isinstance(covariates, list | tuple) or len(covariates) != n_series:
        raise ValueError(
            f"{argument} must be a list with one array per series ({n_series}), got "
            f"{type(covariates).__name__}"
            + (f" of length {len(covariates)}" if isinstance(covariates, list | tuple) else "")
        )
    return covariates[i]


def _prepare_one(series, name, target, past, future, n_extra_future: int) -> PreparedSeries:
    """One series in the common layout; ``future`` covers ``n_extra_future`` more steps.

    ``future`` is an array aligned with the series, or (for a DataFrame) column names;
    a DataFrame then holds the ``n_extra_future`` future rows too, their other values
    missing. Those rows' other columns are NaN in the result (never read into ``X``).
    """
    frame_future = isinstance(series, pd.DataFrame) and _all_names(future, allow_str=True)
    if frame_future:
        names = [future] if isinstance(future, str) else list(future)
        missing = [c for c in names if c not in series.columns]
        if missing:
            raise ValueError(
                f"future_covariates names columns {missing} that {name} does not have "
                f"(columns: {list(series.columns)})"
            )
        future = series[names]
        series = series.drop(columns=names)
        n_history = len(series) - n_extra_future
        series = series.iloc[:n_history]
    values, columns = as_2d_float(series, name)
    n_steps, n_features = values.shape
    t = 0 if target is None else _column_index(target, columns, n_features, "target", name)
    parts = [values[:, [t] + [c for c in range(n_features) if c != t]]]
    if past is not None:
        past_values, _ = as_2d_float(past, f"past_covariates of {name}")
        if len(past_values) != n_steps:
            raise ValueError(
                f"past_covariates of {name} have {len(past_values)} time steps, but the series "
                f"has {n_steps}; they must be aligned with it"
            )
        parts.append(past_values)
    history = np.concatenate(parts, axis=1)
    if future is None:
        return PreparedSeries(name, history, 0)
    future_values, _ = as_2d_float(future, f"future_covariates of {name}")
    expected = n_steps + n_extra_future
    if len(future_values) != expected:
        extra = f" plus horizon={n_extra_future}" if n_extra_future else ""
        raise ValueError(
            f"future_covariates of {name} have {len(future_values)} time steps, but the "
            f"series has {n_steps}{extra}; they must cover the same steps ({expected})"
        )
    ahead = np.full((n_extra_future, history.shape[1]), np.nan)
    combined = np.concatenate([np.concatenate([history, ahead]), future_values], axis=1)
    return PreparedSeries(name, combined, future_values.shape[1])


def collect_series(
    series,
    *,
    target: Hashable | int | None = None,
    past_covariates=None,
    future_covariates=None,
    id_column: Hashable | None = None,
    time_column: Hashable | None = None,
    n_extra_future: int = 0,
) -> list[PreparedSeries]:
    """Every series of ``series`` in the common column layout (see the module docstring).

    ``n_extra_future``: the future covariates run this many steps past each series' end
    (:func:`last_windows`); in a DataFrame, as that many last rows whose other values are
    missing.
    """
    if id_column is not None:
        return _collect_long(
            series, target, future_covariates, id_column, time_column, n_extra_future
        )
    if time_column is not None:
        raise ValueError("time_column needs id_column: it orders the rows of each series")
    if not _is_collection(series):
        one = _prepare_one(
            series, "series", target, past_covariates, future_covariates, n_extra_future
        )
        return [_check_future(one, n_extra_future)]
    prepared = []
    for i, one in enumerate(series):
        past = _aligned(past_covariates, i, len(series), "past_covariates")
        future = future_covariates
        if not _all_names(future_covariates, allow_str=True):
            future = _aligned(future_covariates, i, len(series), "future_covariates")
        item = _prepare_one(one, f"series[{i}]", target, past, future, n_extra_future)
        prepared.append(_check_future(item, n_extra_future))
    return prepared


def _all_names(values, allow_str: bool = False) -> bool:
    """Column names: a list of strings (or one string)."""
    if allow_str and isinstance(values, str):
        return True
    return isinstance(values, list | tuple) and all(isinstance(v, str) for v in values)


def _check_future(item: PreparedSeries, n_extra_future: int) -> PreparedSeries:
    """Reject NaN in the future covariates (the history was checked as it was read)."""
    if item.n_future and not np.isfinite(item.values[:, -item.n_future :]).all():
        first = np.argwhere(~np.isfinite(item.values[:, -item.n_future :]))[0]
        raise ValueError(
            f"future_covariates of {item.name} contain NaN or infinity (first at time step "
            f"{first[0]})"
        )
    return item


def _collect_long(series, target, future, id_column, time_column, n_extra_future):
    if not isinstance(series, pd.DataFrame):
        raise ValueError(
            f"id_column needs series to be a long DataFrame, got {type(series).__name__}"
        )
    for argument, column in (("id_column", id_column), ("time_column", time_column)):
        if column is not None and column not in series.columns:
            raise ValueError(
                f"{argument}={column!r} is not a column of series (columns: {list(series.columns)})"
            )
    if time_column is not None:
        series = series.sort_values([time_column], kind="stable")
    value_columns = [c for c in series.columns if c not in (id_column, time_column)]
    if target is None:
        target = value_columns[0] if value_columns else None
    prepared = []
    for key, group in series.groupby(id_column, sort=False):
        times = None if time_column is None else group[time_column].to_numpy()
        item = _prepare_one(
            group[value_columns], f"series {key!r}", target, None, future, n_extra_future
        )
        item.times = times
        prepared.append(_check_future(item, n_extra_future))
    return prepared
