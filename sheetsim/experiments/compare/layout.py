"""The plan of a comparison workbook: sheets, blocks and named cells (0-based rows and
columns; ``sheetsim.xlsx.cells`` makes the addresses)."""

from __future__ import annotations

from dataclasses import dataclass

from sheetsim.experiments.base import UNIFORM, Plan
from sheetsim.experiments.common.activations import ACTIVATIONS
from sheetsim.experiments.common.initializers import INITS
from sheetsim.experiments.compare.settings import Settings
from sheetsim.xlsx.cells import Block, Named

DATA_ROW, DATA_COL = 2, 1
NAME_ACTIVATION = "Activation"
NAME_SLOPE = "LeakySlope"
NAME_INIT_LIST = "InitNames"
NAME_INIT_DIST = "InitDist"
NAME_ACT_LIST = "ActNames"
CONTROL_TOP = 3
TABLE_TOP = 7  # Controls: first configuration row
CFG_COLS = {"label": 0, "init": 1, "sigma": 2, "dist": 3, "scale": 4}
LIST_COL = 7
HIST_TOP = 4  # Histograms: first bin row
STATS = ("mean", "std", "min", "max")
DASH_TOP = 3  # Dashboard: header row of the std table
HEAVY_KINDS = ("uniform", "input", "normal", "linear", "activation")


def config_names(c: int) -> dict[str, str]:
    """The defined names of configuration c's row on Controls."""
    return {"init": f"Init_C{c}", "sigma": f"Sigma_C{c}", "dist": f"Dist_C{c}",
            "scale": f"Scale_C{c}"}


@dataclass
class ComparePlan(Plan):
    """The plan, with the ways the experiment's code asks for its blocks."""

    settings: Settings

    def block(self, c: int, k: int, part: str) -> Block:
        """Configuration c's block ``part`` (a, z, counts) of layer k."""
        return self.blocks[f"C{c}_L{k}_{part}"]

    def output(self, c: int, k: int) -> Block:
        """What feeds layer k+1 of configuration c (the input for k = 0)."""
        return self.blocks["input"] if k == 0 else self.block(c, k, "z")

    def stat(self, c: int, stat: str) -> Block:
        """Configuration c's one-row block of a statistic, per layer."""
        return self.blocks[f"C{c}_stat_{stat}"]

    def group_col(self, c: int) -> int:
        """Histograms: the first column of configuration c's group (edges, centres, counts)."""
        return 1 + (c - 1) * (self.settings.layers + 3)

    @property
    def stats_top(self) -> int:
        """Histograms: the row of the first statistic."""
        return HIST_TOP + self.settings.bins + 3

    def heavy_sheets(self) -> list[str]:
        """Sheets holding one big block each."""
        return [b.sheet for b in self.blocks.values() if b.kind in HEAVY_KINDS]


def plan(exp: Settings) -> ComparePlan:
    """Lay out the comparison workbook of these settings."""
    p = ComparePlan(exp)
    n, d, L, C = exp.samples, exp.width, exp.layers, len(exp.configs)
    p.sheets = ["Dashboard", "Controls", "Histograms", "Guide"]
    p.name(Named(NAME_ACTIVATION, "Controls", CONTROL_TOP, 1))
    p.name(Named(NAME_SLOPE, "Controls", CONTROL_TOP + 1, 1))
    for c in range(1, C + 1):
        for part, name in config_names(c).items():
            p.name(Named(name, "Controls", TABLE_TOP + c - 1, CFG_COLS[part]))
    for part in ("dist", "scale"):
        p.add(Block(f"cfg_{part}", "Controls", TABLE_TOP, CFG_COLS[part], C, 1, f"cfg_{part}"))
    p.name(Named(NAME_INIT_LIST, "Controls", CONTROL_TOP, LIST_COL, len(INITS), 1))
    p.name(Named(NAME_INIT_DIST, "Controls", CONTROL_TOP, LIST_COL + 1, len(INITS), 1))
    p.name(Named(NAME_ACT_LIST, "Controls", CONTROL_TOP, LIST_COL + 3, len(ACTIVATIONS), 1))

    def heavy(name: str, sheet: str, rows: int, kind: str) -> None:
        p.sheets.append(sheet)
        p.add(Block(name, sheet, DATA_ROW, DATA_COL, rows, d, kind))

    heavy("input_u", "Input_U", n, UNIFORM)
    heavy("input", "Input", n, "input")
    for k in range(1, L + 1):
        heavy(f"L{k}_u", f"L{k}_U", d, UNIFORM)
        heavy(f"L{k}_n", f"L{k}_N", d, "normal")
    for c in range(1, C + 1):
        for k in range(1, L + 1):
            heavy(f"C{c}_L{k}_a", f"C{c}_L{k}_A", n, "linear")
            heavy(f"C{c}_L{k}_z", f"C{c}_L{k}_Z", n, "activation")

    p.add(Block("bin_index", "Histograms", HIST_TOP, 0, exp.bins, 1, "bin_index"))
    for c in range(1, C + 1):
        col = p.group_col(c)
        p.add(Block(f"C{c}_range", "Histograms", HIST_TOP - 2, col, 1, 2, "range"))
        p.add(Block(f"C{c}_edges", "Histograms", HIST_TOP, col, exp.bins, 1, "edges"))
        p.add(Block(f"C{c}_centres", "Histograms", HIST_TOP, col + 1, exp.bins, 1, "centres"))
        for k in range(1, L + 1):
            p.add(Block(f"C{c}_L{k}_counts", "Histograms", HIST_TOP, col + 1 + k, exp.bins + 1, 1,
                        "counts"))
        for i, stat in enumerate(STATS):
            p.add(Block(f"C{c}_stat_{stat}", "Histograms", p.stats_top + i, col + 2, 1, L, "stat"))
    p.add(Block("dash_label", "Dashboard", DASH_TOP + 1, 0, C, 1, "label"))
    p.add(Block("dash_std", "Dashboard", DASH_TOP + 1, 1, C, L, "dash"))
    return p
