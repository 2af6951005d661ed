"""Histogram counts as a spreadsheet makes them (the model's side of the count formulas)."""

from __future__ import annotations

import numpy as np


def bin_counts(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Counts in (previous edge, edge] (the first bin unbounded below), then above the last.

    Data holding an overflowed (non-finite) value has no counts, as in a spreadsheet.
    """
    if not np.isfinite(values).all() or not np.isfinite(edges).all():
        return np.full(len(edges) + 1, np.nan)
    idx = np.searchsorted(edges, values.ravel(), side="left")
    return np.bincount(idx, minlength=len(edges) + 1).astype(np.float64)
