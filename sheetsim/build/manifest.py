"""The hidden manifest sheet: the sheetsim version, the settings as JSON, and every
block's place (``sheetsim.contract`` says where each of these lives)."""

from __future__ import annotations

from typing import Any

from sheetsim import __version__
from sheetsim.contract import (
    BLOCKS_ROW,
    CONFIG_CELL,
    EXPERIMENT_CELL,
    MANIFEST_FORMAT,
    MARKER_CELL,
)
from sheetsim.experiments.base import Plan


def write(ws: Any, plan: Plan, experiment: str) -> None:
    """Fill the manifest sheet of ``plan``'s workbook, an ``experiment`` one."""
    ws.write_row(*MARKER_CELL, ["sheetsim", __version__])
    ws.write_row(CONFIG_CELL[0], CONFIG_CELL[1] - 1, ["config", plan.settings.to_json()])
    ws.write_row(2, 0, ["format", MANIFEST_FORMAT])
    ws.write_row(EXPERIMENT_CELL[0], EXPERIMENT_CELL[1] - 1, ["experiment", experiment])
    ws.write_row(BLOCKS_ROW - 1, 0, ["block", "sheet", "range", "kind"])
    for i, b in enumerate(plan.blocks.values()):
        ws.write_row(BLOCKS_ROW + i, 0, [b.name, b.sheet, b.range, b.kind])
