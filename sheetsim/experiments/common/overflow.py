"""The model's #NUM!: a spreadsheet has no infinity, so an overflowed value is an error,
and so is every function of it. NumPy's inf (and g / √inf = 0) must not turn back into
finite numbers, so the models mark such values nan and keep them nan."""

from __future__ import annotations

import numpy as np


def finite(a: np.ndarray) -> np.ndarray:
    """``a`` with every overflow (±inf) or undefined value as nan: the model's #NUM!."""
    a = np.asarray(a, dtype=np.float64)
    return np.where(np.isfinite(a), a, np.nan)


def errors_stay(x: np.ndarray, out: np.ndarray) -> np.ndarray:
    """``out``, a function of ``x``, with nan wherever ``x`` is not finite: an error
    passed to a function stays an error."""
    return np.where(np.isfinite(x), out, np.nan)
