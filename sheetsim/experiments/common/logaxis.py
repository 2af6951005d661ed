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


GAP = ""
"""What a chart column holds where a log axis draws nothing: text, which LibreOffice and
Excel leave out of a scatter series' line."""


def positive_formula(v: str) -> str:
    """Formula text of the value in cell ``v`` as a log-axis line draws it: like
    ``shown_formula``, but an exact 0 (or a negative value) is a gap, for another series to
    mark, instead of a point at the floor."""
    clip = f"MAX({number(LOSS_FLOOR)},MIN({number(LOSS_CEILING)},{v}))"
    return f'IF(ISNUMBER({v}),IF({v}>0,{clip},"{GAP}"),{number(LOSS_CEILING)})'


def positive(values: np.ndarray) -> np.ndarray:
    """The values as a log-axis line draws them (the model's side of ``positive_formula``):
    an object array whose exact zeros are ``GAP``."""
    drawn = shown(values).astype(object)
    with np.errstate(invalid="ignore"):
        gap = np.isfinite(values) & (values <= 0)
    drawn[gap] = GAP
    return drawn
