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
NAME_BN = "BatchNorm"
NAME_BN_EPS = "BNEps"
NAME_BN_CHOICES = "BNChoices"
NAME_BN_LIST = "BNNames"
NAME_GRAD_LOW = "GradLow"
NAME_GRAD_HIGH = "GradHigh"
NAME_GRAD_BINS = "GradBins"

DASH_ROWS = ("init", "activation", "wstd", "mean", "std", "first_bin", "last_bin", "zero")
DASH_BN_ROWS = ("bn",)
DASH_GRAD_ROWS = ("grad_mean_abs", "grad_wgrad")
GRAD_STATS = ("mean_abs", "wgrad", "zero")
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

    def column_ref(self, j: int) -> str:
        """Column j of the block, rows fixed: ``L1_A!B$3:B$1002``."""
        c = col_letter(self.col + j)
        return f"{self.sheet}!{c}${self.row + 1}:{c}${self.row + self.rows}"

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
    ("bn_set", "BNSet"),  # batch normalization: "global", "on" or "off" (BN workbooks only)
    ("bn", "BN"),
)
"""The per-layer table on Controls: (part, defined-name prefix), one column each."""
LAYER_COL = {part: j for j, (part, _) in enumerate(LAYER_COLUMNS)}


BN_PARTS = ("bn_set", "bn")
HEAVY_KINDS = ("uniform", "input", "weights", "linear", "batchnorm", "activation", "grad_pre",
               "grad", "upstream")


def layer_names(k: int) -> dict[str, str]:
    """Per-layer defined names on Controls, such as ``Scale_L3``."""
    return {part: f"{prefix}_L{k}" for part, prefix in LAYER_COLUMNS if prefix}


def layer_parts(exp: Experiment) -> list[str]:
    """The per-layer table's columns in this workbook (batch norm ones only when used)."""
    return [p for p, _ in LAYER_COLUMNS if exp.has_batchnorm or p not in BN_PARTS]


# Controls sheet geometry: named controls from CONTROL_TOP, one per row.
CONTROL_ROWS = (
    NAME_INIT, NAME_ACTIVATION, NAME_SIGMA, NAME_SLOPE, NAME_BINS, NAME_LOW, NAME_HIGH,
    NAME_SAMPLES, NAME_SEED,
)
BN_CONTROLS = (NAME_BN, NAME_BN_EPS)
GRAD_CONTROLS = (NAME_GRAD_LOW, NAME_GRAD_HIGH, NAME_GRAD_BINS)
FIXED_CONTROLS = (NAME_SAMPLES, NAME_SEED, NAME_GRAD_BINS)


def control_rows(exp: Experiment) -> tuple[str, ...]:
    return (
        CONTROL_ROWS
        + (BN_CONTROLS if exp.has_batchnorm else ())
        + (GRAD_CONTROLS if exp.backward else ())
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

    def layer_block(self, k: int, part: str) -> Block:
        return self.blocks[f"L{k}_{part}"]

    def stat_block(self, stat: str, prefix: str = "") -> Block:
        return self.blocks[f"{prefix}stat_{stat}"]

    def output_block(self, k: int) -> Block:
        """The block feeding layer k+1: the input for k = 0."""
        return self.blocks["input"] if k == 0 else self.layer_block(k, "z")

    @property
    def control_table_top(self) -> int:
        return CONTROL_TOP + len(control_rows(self.exp)) + 3

    @property
    def dash_rows(self) -> tuple[str, ...]:
        return (
            DASH_ROWS
            + (DASH_BN_ROWS if self.exp.has_batchnorm else ())
            + (DASH_GRAD_ROWS if self.exp.backward else ())
        )

    def pre_activation(self, k: int) -> Block:
        """The activation's input: the batch-normalized block when the workbook has one."""
        return self.layer_block(k, "n" if self.exp.has_batchnorm else "a")

    def heavy_sheets(self) -> list[str]:
        """Sheets holding one samples×neurons (or neurons×neurons) block each."""
        return [b.sheet for b in self.blocks.values() if b.kind in HEAVY_KINDS]


def plan(exp: Experiment) -> Plan:
    p = Plan(exp)
    n, d, layers = exp.samples, exp.width, exp.layers
    bn, back = exp.has_batchnorm, exp.backward
    p.sheets = ["Dashboard", "Controls", "Histograms"]
    p.sheets += (["Gradients"] if back else []) + (["BatchNorm"] if bn else [])
    p.sheets.append("Guide")

    # Controls: one named value cell per control, then the per-layer table, then lists.
    for i, nm in enumerate(control_rows(exp)):
        p.name(Named(nm, "Controls", CONTROL_TOP + i, 1))
    top = p.control_table_top + 1
    parts = layer_parts(exp)
    for k in range(1, layers + 1):
        for part, name in layer_names(k).items():
            if part in parts:
                p.name(Named(name, "Controls", top + k - 1, LAYER_COL[part]))
    for part in parts[1:]:
        p.add(Block(f"layer_{part}", "Controls", top, LAYER_COL[part], layers, 1, f"layer_{part}"))
    lists = (
        (NAME_INIT_CHOICES, NAME_INIT_LIST, LIST_COL, len(INITS)),
        (NAME_ACT_CHOICES, NAME_ACT_LIST, LIST_COL + 3, len(ACTIVATIONS)),
    )
    for choices, names, col, count in lists:
        p.name(Named(choices, "Controls", CONTROL_TOP, col, count + 1, 1))
        p.name(Named(names, "Controls", CONTROL_TOP + 1, col, count, 1))
    p.name(Named(NAME_INIT_DIST, "Controls", CONTROL_TOP + 1, LIST_COL + 1, len(INITS), 1))
    if bn:
        p.name(Named(NAME_BN_CHOICES, "Controls", CONTROL_TOP, LIST_COL + 5, 3, 1))
        p.name(Named(NAME_BN_LIST, "Controls", CONTROL_TOP + 1, LIST_COL + 5, 2, 1))

    # Block sheets: draws, input, and per layer weights, linear sum, [batch norm], output,
    # [gradient at the activation's input], [gradient at the linear sum].
    def heavy(name: str, sheet: str, rows: int, kind: str) -> None:
        p.sheets.append(sheet)
        p.add(Block(name, sheet, DATA_ROW, DATA_COL, rows, d, kind))

    heavy("input_u", "Input_U", n, "uniform")
    heavy("input", "Input", n, "input")
    for k in range(1, layers + 1):
        heavy(f"L{k}_u", f"L{k}_U", d, "uniform")
        heavy(f"L{k}_w", f"L{k}_W", d, "weights")
        heavy(f"L{k}_a", f"L{k}_A", n, "linear")
        if bn:
            heavy(f"L{k}_n", f"L{k}_N", n, "batchnorm")
        heavy(f"L{k}_z", f"L{k}_Z", n, "activation")
        if bn and back:
            heavy(f"L{k}_d", f"L{k}_D", n, "grad_pre")
        if back:
            heavy(f"L{k}_g", f"L{k}_G", n, "grad")
    if back:
        heavy("grad_u", "Grad_U", n, "uniform")
        heavy("upstream", "Grad", n, "upstream")
    p.sheets.append(MANIFEST_SHEET)

    # Histograms: bin number, upper edge, centre, then one count column per layer.
    _histogram(p, "Histograms", "", exp.bins, STATS)
    if back:
        _histogram(p, "Gradients", "grad_", exp.grad_bins, GRAD_STATS)
    if bn:  # per layer: column means and variances of A (and of the gradient)
        rows = ("bn_mean", "bn_var") + (("bn_dmean", "bn_dnmean") if back else ())
        for k in range(1, layers + 1):
            r0 = 2 + (k - 1) * (len(rows) + 1) + 1
            for i, part in enumerate(rows):
                p.add(Block(f"L{k}_{part}", "BatchNorm", r0 + i, 1, 1, d, part))
    for i, key in enumerate(p.dash_rows):
        p.add(Block(f"dash_{key}", "Dashboard", DASH_TOP + 1 + i, 1, 1, layers, "dash"))
    return p


def _histogram(p: Plan, sheet: str, prefix: str, bins: int, stats: tuple[str, ...]) -> None:
    first = 3
    p.add(Block(f"{prefix}bin_index", sheet, first, 0, bins, 1, "bin_index"))
    p.add(Block(f"{prefix}edges", sheet, first, 1, bins, 1, "edges"))
    p.add(Block(f"{prefix}centres", sheet, first, 2, bins, 1, "centres"))
    for k in range(1, p.exp.layers + 1):
        p.add(Block(f"L{k}_{prefix}counts", sheet, first, 2 + k, bins + 1, 1, "counts"))
    stat_top = first + bins + 3
    for i, stat in enumerate(stats):
        p.add(Block(f"{prefix}stat_{stat}", sheet, stat_top + i, 3, 1, p.exp.layers, "stat"))


def distribution(init: str) -> str:
    return "uniform" if init in UNIFORM_INITS else "normal"
