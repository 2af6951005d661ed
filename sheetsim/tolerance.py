"""The one tolerance of every numeric comparison, and the ties it implies for counts.

Two numbers ``a`` and ``b`` of a block agree when ``|a − b| ≤ ATOL + RTOL·max(|a|, |b|,
BLOCK_FLOOR·m)``, ``m`` the largest finite magnitude of the block (``allowed``).

Counts are exact where the counted values are the same: a value exactly on a bin edge
falls on the same side in every application. Where two computations of the values may
differ within the tolerance (the evaluator and the reference model), a count may differ
only by the values that lie within the tolerance of an edge *without being on it*
(``edge_ties``), and a count of zeros by the values a rounding away from 0 (``zero_ties``).
"""

from __future__ import annotations

import numpy as np

RTOL = 1e-9
ATOL = 1e-12
BLOCK_FLOOR = 1e-2
"""Relative errors are measured against at least this share of the block's largest value,
so a sum that cancels to nearly 0 is judged by the size of its terms, not by its own:
LibreOffice's NORM.S.INV differs from the exact quantile by up to ~3e-11 relative, and
MMULT turns that into ~2e-11 absolute in sums of size 0.01 whose terms are of size 1."""


def block_floor(values: np.ndarray) -> float:
    """BLOCK_FLOOR times the largest finite magnitude of ``values`` (0 if there is none)."""
    a = np.abs(np.asarray(values, dtype=np.float64))
    finite = a[np.isfinite(a)]
    return BLOCK_FLOOR * float(finite.max()) if finite.size else 0.0


def scale(a: np.ndarray | float, b: np.ndarray | float, floor: float = 0.0) -> np.ndarray:
    """What a difference of ``a`` and ``b`` is measured against: max(|a|, |b|, floor)."""
    return np.maximum(np.maximum(np.abs(a), np.abs(b)), floor)


def allowed(a: np.ndarray | float, b: np.ndarray | float, floor: float = 0.0) -> np.ndarray:
    """The largest difference by which ``a`` and ``b`` still agree (elementwise)."""
    return ATOL + RTOL * scale(a, b, floor)


def edge_ties(values: np.ndarray | None, edges: np.ndarray | None) -> float:
    """Values within tolerance of a bin edge but not equal to it, summed over the edges:
    the values that another computation within tolerance may count on the other side."""
    if values is None or values.dtype == object or edges is None or edges.dtype == object:
        return 0.0
    flat = np.sort(values[np.isfinite(values)].ravel())
    floor = block_floor(flat)
    near = 0
    edges = np.unique(np.asarray(edges, dtype=np.float64))  # the rows past Bins repeat High
    for e in edges[np.isfinite(edges)]:
        # a window wide enough for every value within tolerance of e, then the exact test
        reach = 2.0 * float(allowed(e, e, floor)) + 4.0 * np.spacing(abs(e))
        window = flat[np.searchsorted(flat, e - reach, "left"):
                      np.searchsorted(flat, e + reach, "right")]
        hit = (window != e) & (np.abs(window - e) <= allowed(window, e, floor))
        near += int(np.count_nonzero(hit))
    return float(near)


def zero_ties(values: np.ndarray | None) -> float:
    """Values within tolerance of 0 but not 0: another computation may make them exactly 0
    (and one that is 0 here may be a rounding away from it there)."""
    if values is None or values.dtype == object:
        return 0.0
    flat = np.abs(values[np.isfinite(values)].ravel())
    return float(np.count_nonzero((flat > 0) & (flat <= allowed(flat, 0.0, block_floor(flat)))))
