"""The plan of a workbook: sheets, blocks, named cells. The one place addresses are made.

Rows and columns are 0-based here; ``cell``/``ref`` turn them into A1 text. Every other
module asks the plan where something is instead of spelling an address itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sheetsim.config import ACTIVATIONS, INITS, UNIFORM_INITS, Experiment

MANIFEST_SHEET = "_sheetsim"
DATA_ROW = 2  # block sheets: row 0 a caption, row 1 neuron labels
DATA_COL = 1  # column 0 holds sample labels

# Named control cells on Controls (formulas refer to these names, never to addresses).
NAME_INIT = "Init"
NAME_ACTIVATION = "Activation"
NAME_SIGMA = "Sigma"
NAME_SLOPE = "LeakySlope"
NAME_BINS = "Bins"
NAME_LOW = "BinLow"
NAME_HIGH = "BinHigh"
NAME_SAMPLES = "Samples"
NAME_SEED = "Seed"
NAME_INIT_LIST = "InitNames"
NAME_INIT_DIST = "InitDist"
NAME_ACT_LIST = "ActNames"

DASH_ROWS = ("init", "activation", "wstd", "mean", "std", "first_bin", "last_bin", "zero")
DASH_TOP = 3  # Dashboard: header row of the per-layer table
STATS = ("mean", "std", "min", "max", "first_bin", "last_bin", "above", "zero")


def col_letter(col: int) -> str:
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def col_index(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n - 1


_CELL = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]{1,7})")


def parse_range(text: str) -> tuple[int, int, int, int]:
    """``B3:CW1002`` (or ``$B$3``) to 0-based (row, col, rows, cols)."""
    parts = text.split(":")
    if not 1 <= len(parts) <= 2:
        raise ValueError(f"not a cell range: {text!r}")
    corners = []
    for part in parts:
        m = _CELL.fullmatch(part.strip())
        if not m:
            raise ValueError(f"not a cell range: {text!r}")
        corners.append((int(m.group(2)) - 1, col_index(m.group(1))))
    (r0, c0), (r1, c1) = corners[0], corners[-1]
    if r1 < r0 or c1 < c0:
        raise ValueError(f"not a cell range: {text!r}")
    return r0, c0, r1 - r0 + 1, c1 - c0 + 1


def cell(row: int, col: int, absolute: bool = False) -> str:
    d = "$" if absolute else ""
    return f"{d}{col_letter(col)}{d}{row + 1}"


def span(row: int, col: int, rows: int = 1, cols: int = 1, absolute: bool = False) -> str:
    first = cell(row, col, absolute)
    if rows == 1 and cols == 1:
        return first
    return f"{first}:{cell(row + rows - 1, col + cols - 1, absolute)}"


@dataclass(frozen=True)
class Block:
    """A rectangular range holding one kind of thing: draws, a formula's result, a statistic."""

    name: str
    sheet: str
    row: int
    col: int
    rows: int
    cols: int
    kind: str

    @property
    def range(self) -> str:
        return span(self.row, self.col, self.rows, self.cols)

    @property
    def ref(self) -> str:
        """Sheet-qualified absolute reference, for use inside formulas."""
        return f"{self.sheet}!{span(self.row, self.col, self.rows, self.cols, absolute=True)}"

    def cell_ref(self, i: int = 0, j: int = 0, absolute: bool = True) -> str:
        return f"{self.sheet}!{cell(self.row + i, self.col + j, absolute)}"

    def local(self, i: int = 0, j: int = 0) -> str:
        """A cell of this block as a relative address on its own sheet."""
        return cell(self.row + i, self.col + j)

    def address(self, i: int, j: int) -> str:
        """A cell of this block for reports, like ``L3_Z!B17``."""
        return f"{self.sheet}!{cell(self.row + i, self.col + j)}"


@dataclass(frozen=True)
class Named:
    name: str
    sheet: str
    row: int
    col: int
    rows: int = 1
    cols: int = 1

    @property
    def target(self) -> str:
        return f"={self.sheet}!{span(self.row, self.col, self.rows, self.cols, absolute=True)}"


LAYER_COLUMNS = (
    ("layer", ""),
    ("init_set", "InitSet"),  # the learner's choice: "global" or an initializer
    ("act_set", "ActSet"),
    ("init", "Init"),  # the initializer in use
    ("activation", "Act"),
    ("fan_in", ""),
    ("fan_out", ""),
    ("dist", "Dist"),
    ("scale", "Scale"),  # σ (normal) or limit (uniform)
    ("wstd", "WStd"),  # the weights' standard deviation
)
"""The per-layer table on Controls: (part, defined-name prefix), one column each."""
LAYER_COL = {part: j for j, (part, _) in enumerate(LAYER_COLUMNS)}


def layer_names(k: int) -> dict[str, str]:
    """Per-layer defined names on Controls, such as ``Scale_L3``."""
    return {part: f"{prefix}_L{k}" for part, prefix in LAYER_COLUMNS if prefix}


# Controls sheet geometry: named controls from CONTROL_TOP, one per row.
CONTROL_ROWS = (
    NAME_INIT, NAME_ACTIVATION, NAME_SIGMA, NAME_SLOPE, NAME_BINS, NAME_LOW, NAME_HIGH,
    NAME_SAMPLES, NAME_SEED,
)
CONTROL_TOP = 3
LIST_COL = len(LAYER_COLUMNS) + 2  # lists feeding dropdowns and lookups, right of the table
NAME_INIT_CHOICES = "InitChoices"  # "global" + InitNames, for the per-layer dropdowns
NAME_ACT_CHOICES = "ActChoices"


@dataclass
class Plan:
    exp: Experiment
    sheets: list[str] = field(default_factory=list)
    blocks: dict[str, Block] = field(default_factory=dict)
    names: dict[str, Named] = field(default_factory=dict)

    def add(self, block: Block) -> Block:
        self.blocks[block.name] = block
        return block

    def name(self, named: Named) -> Named:
        self.names[named.name] = named
        return named

    @property
    def layer_count(self) -> int:
        return self.exp.layers

    def layer_block(self, k: int, part: str) -> Block:
        return self.blocks[f"L{k}_{part}"]

    def stat_block(self, stat: str) -> Block:
        return self.blocks[f"stat_{stat}"]

    def output_block(self, k: int) -> Block:
        """The block feeding layer k+1: the input for k = 0."""
        return self.blocks["input"] if k == 0 else self.layer_block(k, "z")

    @property
    def control_table_top(self) -> int:
        return CONTROL_TOP + len(CONTROL_ROWS) + 3

    def heavy_sheets(self) -> list[str]:
        return [s for s in self.sheets if s == "Input_U" or s == "Input" or s[:1] == "L"]


def plan(exp: Experiment) -> Plan:
    p = Plan(exp)
    n, d, layers = exp.samples, exp.width, exp.layers
    p.sheets = ["Dashboard", "Controls", "Histograms", "Guide", "Input_U", "Input"]
    for k in range(1, layers + 1):
        p.sheets += [f"L{k}_U", f"L{k}_W", f"L{k}_A", f"L{k}_Z"]
    p.sheets.append(MANIFEST_SHEET)

    # Controls: one named value cell per control, then the per-layer table, then lists.
    for i, nm in enumerate(CONTROL_ROWS):
        p.name(Named(nm, "Controls", CONTROL_TOP + i, 1))
    top = p.control_table_top + 1
    for k in range(1, layers + 1):
        for part, name in layer_names(k).items():
            p.name(Named(name, "Controls", top + k - 1, LAYER_COL[part]))
    for part, _ in LAYER_COLUMNS[1:]:
        p.add(Block(f"layer_{part}", "Controls", top, LAYER_COL[part], layers, 1, f"layer_{part}"))
    lists = (
        (NAME_INIT_CHOICES, NAME_INIT_LIST, LIST_COL, len(INITS)),
        (NAME_ACT_CHOICES, NAME_ACT_LIST, LIST_COL + 3, len(ACTIVATIONS)),
    )
    for choices, names, col, count in lists:
        p.name(Named(choices, "Controls", CONTROL_TOP, col, count + 1, 1))
        p.name(Named(names, "Controls", CONTROL_TOP + 1, col, count, 1))
    p.name(Named(NAME_INIT_DIST, "Controls", CONTROL_TOP + 1, LIST_COL + 1, len(INITS), 1))

    # Block sheets: draws, input, and per layer weights, linear sum, output.
    p.add(Block("input_u", "Input_U", DATA_ROW, DATA_COL, n, d, "uniform"))
    p.add(Block("input", "Input", DATA_ROW, DATA_COL, n, d, "input"))
    for k in range(1, layers + 1):
        p.add(Block(f"L{k}_u", f"L{k}_U", DATA_ROW, DATA_COL, d, d, "uniform"))
        p.add(Block(f"L{k}_w", f"L{k}_W", DATA_ROW, DATA_COL, d, d, "weights"))
        p.add(Block(f"L{k}_a", f"L{k}_A", DATA_ROW, DATA_COL, n, d, "linear"))
        p.add(Block(f"L{k}_z", f"L{k}_Z", DATA_ROW, DATA_COL, n, d, "activation"))

    # Histograms: bin number, upper edge, centre, then one count column per layer.
    bins = exp.bins
    first = 3
    p.add(Block("bin_index", "Histograms", first, 0, bins, 1, "bin_index"))
    p.add(Block("edges", "Histograms", first, 1, bins, 1, "edges"))
    p.add(Block("centres", "Histograms", first, 2, bins, 1, "centres"))
    for k in range(1, layers + 1):
        p.add(Block(f"L{k}_counts", "Histograms", first, 2 + k, bins + 1, 1, "counts"))
    stat_top = first + bins + 3
    for i, stat in enumerate(STATS):
        p.add(Block(f"stat_{stat}", "Histograms", stat_top + i, 3, 1, layers, "stat"))
    for i, key in enumerate(DASH_ROWS):
        p.add(Block(f"dash_{key}", "Dashboard", DASH_TOP + 1 + i, 1, 1, layers, "dash"))
    return p


def distribution(init: str) -> str:
    return "uniform" if init in UNIFORM_INITS else "normal"
