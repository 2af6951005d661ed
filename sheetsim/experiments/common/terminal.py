"""Numbers as the terminal's tables show them (``sheetsim build`` and ``presets --results``)."""

from __future__ import annotations

import math


def figure(x: float, digits: int = 4) -> str:
    """``x`` to ``digits`` significant digits, or "overflow" where it overflowed."""
    return f"{x:.{digits}g}" if math.isfinite(x) else "overflow"
