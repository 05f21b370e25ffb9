"""A served model's graph inputs: encoded sequences padded per batch, as numpy arrays."""

from __future__ import annotations

import numpy as np


def pad(values: np.ndarray, lengths: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """The sequences at ``offsets`` of flat ``values``, padded with 0 to the longest."""
    width = int(lengths.max())
    mask = np.arange(width)[None, :] < lengths[:, None]  # (B, T)
    positions = offsets[:, None] + np.arange(width)[None, :]  # (B, T)
    padded = np.zeros((len(lengths), width, *values.shape[1:]), dtype=values.dtype)
    padded[mask] = values[positions[mask]]
    return padded


def graph_inputs(encoded, lengths, offsets, names: list[str]) -> dict[str, np.ndarray]:
    """The graph inputs of one batch: its sequences at ``offsets``, padded, and their features."""
    feed = {"inputs": pad(encoded.values, lengths, offsets), "lengths": lengths}
    features = encoded.features
    if "chars" in names:
        forms = pad(features["forms"], lengths, offsets)  # (B, T), 0 past each end
        unique, index = np.unique(forms, return_inverse=True)  # each distinct word once
        char_lengths = features["char_lengths"][unique]
        feed["chars"] = features["chars"][unique, : int(char_lengths.max())]
        feed["char_lengths"] = char_lengths
        feed["char_index"] = index.reshape(forms.shape).astype(np.int64)
    if "shapes" in names:
        feed["shapes"] = pad(features["shapes"], lengths, offsets)
    return feed
