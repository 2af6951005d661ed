"""The seeded uniform draws every experiment's randomness comes from, and the standard
normal values they stand for (the workbook's ``NORM.S.INV(u)``)."""

from __future__ import annotations

from statistics import NormalDist

import numpy as np

_STD_NORMAL = NormalDist()


def uniform_draws(seed: int, stream: int, shape: tuple[int, int]) -> np.ndarray:
    """Draws strictly inside (0, 1), one independent stream per block.

    Multiples of 2⁻⁵³ offset by half a step are exact in binary and never 0 or 1, so
    NORM.S.INV never sees an endpoint. Separate streams keep a block's draws unchanged when
    other blocks are added.
    """
    rng = np.random.default_rng([seed, stream])
    steps = rng.integers(0, 2**52, size=shape, dtype=np.int64)
    return (steps.astype(np.float64) + 0.5) / 2.0**52


def norm_inv(u: np.ndarray) -> np.ndarray:
    """Standard normal quantile, via the standard library's accurate algorithm (AS241)."""
    u = np.asarray(u, dtype=np.float64)
    flat = [_STD_NORMAL.inv_cdf(x) for x in u.ravel().tolist()]
    return np.asarray(flat, dtype=np.float64).reshape(u.shape)
