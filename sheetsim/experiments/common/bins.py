"""Histogram counts as a spreadsheet makes them (the model's side of the count formulas)."""

from __future__ import annotations

import math

import numpy as np

OWN_RANGE_RATIO = 10.0
"""Layers get a histogram range each when the widest layer's span is more than this many
times the narrowest's: on one shared range the narrow layers would be a single bar."""


def bin_counts(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Counts in (previous edge, edge] (the first bin unbounded below), then above the last.

    Data holding an overflowed (non-finite) value has no counts, as in a spreadsheet.
    """
    if not np.isfinite(values).all() or not np.isfinite(edges).all():
        return np.full(len(edges) + 1, np.nan)
    idx = np.searchsorted(edges, values.ravel(), side="left")
    return np.bincount(idx, minlength=len(edges) + 1).astype(np.float64)


def label_format(centres: np.ndarray) -> str:
    """A number format for a histogram's bin labels (its centres) that tells neighbouring
    bins apart without a run of digits: whole numbers with thousands separators for large
    values (a centre that rounding leaves at 4.5e-13 instead of 0 then reads 0), scientific
    notation for tiny ones, else as many decimals as the bin width needs (at most four)."""
    finite = np.unique(centres[np.isfinite(centres)])
    if finite.size < 2:
        return "0.0#"
    top = float(np.abs(finite).max())
    step = float(np.diff(finite).min())
    if top >= 1e4 and step >= 1:
        return "#,##0"
    if top >= 1e4 or top < 1e-3 or step < 1e-4:
        return "0.0E+0"
    decimals = min(4, max(0, math.ceil(-math.log10(step))))
    return "0." + "0" * decimals if decimals else "0"
