"""Values as a log-axis chart draws them: clipped to the axis's range (a log axis cannot
show 0), and an overflow (#NUM!) at the top, so a diverging run is seen leaving. Both
sides: the formula text of a chart column, and the model's values of it."""

from __future__ import annotations

import numpy as np

from sheetsim.experiments.common.functions import number

LOSS_FLOOR = 1e-16
LOSS_CEILING = 1e12
"""The charts draw values clipped to this range."""


def shown_formula(v: str) -> str:
    """Formula text of the value in cell ``v`` as the charts draw it."""
    clip = f"MAX({number(LOSS_FLOOR)},MIN({number(LOSS_CEILING)},{v}))"
    return f"IF(ISNUMBER({v}),{clip},{number(LOSS_CEILING)})"


def shown(values: np.ndarray) -> np.ndarray:
    """The values as the charts draw them (the model's side of ``shown_formula``)."""
    clipped = np.maximum(LOSS_FLOOR, np.minimum(LOSS_CEILING, values))
    return np.where(np.isfinite(values), clipped, LOSS_CEILING)
