"""The one tolerance of every numeric comparison, and the ties it implies for counts.

Verification compares the evaluator, the file and the reference model with it; an
experiment's slack for counting formulas (values within it of a bin edge, which an
application may count on either side) is measured with it too.
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


def edge_ties(values: np.ndarray | None, edges: np.ndarray | None) -> float:
    """Values within tolerance of a bin edge: ties an application may count either side."""
    if values is None or values.dtype == object or edges is None or edges.dtype == object:
        return 0.0
    flat = np.sort(values.ravel())
    edges = edges.ravel()
    near = 0
    for e in edges[np.abs(edges) < 1e299]:
        tol = ATOL + RTOL * abs(e)
        near += int(np.searchsorted(flat, e + tol, "right") - np.searchsorted(flat, e - tol))
    return float(near)


def zero_ties(values: np.ndarray | None) -> float:
    """Values a rounding away from 0 (an application may make them exactly 0, or not)."""
    if values is None or values.dtype == object:
        return 0.0
    flat = np.abs(values.ravel())
    return float(np.count_nonzero((flat > 0) & (flat <= ATOL)))
