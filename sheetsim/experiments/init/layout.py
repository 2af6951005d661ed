"""The plan of an initialization workbook: its sheets, blocks and named cells.

Rows and columns are 0-based; ``sheetsim.xlsx.cells`` turns them into A1 text. Every other
module of the experiment asks the plan where something is instead of spelling an address.
"""

from __future__ import annotations

from dataclasses import dataclass

from sheetsim.experiments.base import UNIFORM, Plan
from sheetsim.experiments.common.activations import ACTIVATIONS
from sheetsim.experiments.common.initializers import INITS
from sheetsim.experiments.init.settings import Settings
from sheetsim.xlsx.cells import Block, Named

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
NAME_RANGE_MODE = "RangeMode"
NAME_ALL_CONTROLS = "AllControls"
"""Controls' global controls and per-layer table, one rectangle: see ``formulas.listens``."""
NAME_RANGE_LOW = "RangeLow"
NAME_RANGE_HIGH = "RangeHigh"
"""The histogram range in use (auto-range workbooks): cells on Histograms, by formula."""
RANGE_ROW = 1  # Histograms: the row of the range in use, between the title and the headers
RANGE_ENDS = ("hist_low", "hist_high")
"""Histograms: each layer's range, one row per end, under the statistics."""

DASH_ROWS = ("init", "activation", "wstd", "mean", "std", "first_bin", "last_bin", "zero",
             "below", "above")
DASH_BN_ROWS = ("bn",)
DASH_GRAD_ROWS = ("grad_mean_abs", "grad_wgrad")
GRAD_STATS = ("mean_abs", "wgrad", "zero")
DASH_TOP = 3  # Dashboard: header row of the per-layer table
STATS = ("mean", "std", "min", "max", "first_bin", "last_bin", "above", "zero", "below",
         "dead")


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


def layer_parts(exp: Settings) -> list[str]:
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


def control_rows(exp: Settings) -> tuple[str, ...]:
    """The global controls on the Controls sheet, one per row (batch-norm and gradient
    ones only in workbooks that have them)."""
    return (
        CONTROL_ROWS
        + (BN_CONTROLS if exp.has_batchnorm else ())
        + (GRAD_CONTROLS if exp.backward else ())
        + ((NAME_RANGE_MODE,) if exp.auto_range else ())
    )
CONTROL_TOP = 3
LIST_COL = len(LAYER_COLUMNS) + 2  # lists feeding dropdowns and lookups, right of the table
NAME_INIT_CHOICES = "InitChoices"  # "global" + InitNames, for the per-layer dropdowns
NAME_ACT_CHOICES = "ActChoices"


@dataclass
class InitPlan(Plan):
    """The plan, with the ways this experiment's code asks for its blocks."""

    settings: Settings

    def layer_block(self, k: int, part: str) -> Block:
        """Block ``part`` (u, w, a, n, z, d, g, edges, centres, counts, freq, bn_mean, …) of
        layer k."""
        return self.blocks[f"L{k}_{part}"]

    def stat_block(self, stat: str, prefix: str = "") -> Block:
        """The one-row block of a statistic, per layer; ``prefix`` "grad_" for gradients."""
        return self.blocks[f"{prefix}stat_{stat}"]

    def output_block(self, k: int) -> Block:
        """The block feeding layer k+1: the input for k = 0."""
        return self.blocks["input"] if k == 0 else self.layer_block(k, "z")

    @property
    def control_table_top(self) -> int:
        """The header row of the per-layer table, below the global controls (the RangeMode
        control of an auto-range workbook takes one of the blank rows, so the table is where
        it is in every workbook)."""
        return CONTROL_TOP + len(control_rows(self.settings)) + 3 - self.settings.auto_range

    @property
    def dash_rows(self) -> tuple[str, ...]:
        """The rows of the Dashboard's per-layer table in this workbook."""
        return (
            DASH_ROWS
            + (DASH_BN_ROWS if self.settings.has_batchnorm else ())
            + (DASH_GRAD_ROWS if self.settings.backward else ())
        )

    @property
    def range_names(self) -> tuple[str, str]:
        """The names the bin edges are computed from: the range in use (auto-range
        workbooks), else the BinLow and BinHigh controls themselves."""
        if self.settings.auto_range:
            return NAME_RANGE_LOW, NAME_RANGE_HIGH
        return NAME_LOW, NAME_HIGH

    def pre_activation(self, k: int) -> Block:
        """The activation's input: the batch-normalized block when the workbook has one."""
        return self.layer_block(k, "n" if self.settings.has_batchnorm else "a")

    def heavy_sheets(self) -> list[str]:
        """Sheets holding one samples×neurons (or neurons×neurons) block each."""
        return [b.sheet for b in self.blocks.values() if b.kind in HEAVY_KINDS]


def plan(exp: Settings) -> InitPlan:
    """Lay out the workbook of these settings."""
    p = InitPlan(exp)
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
    p.name(Named(NAME_ALL_CONTROLS, "Controls", CONTROL_TOP, 0, top + layers - CONTROL_TOP,
                 len(LAYER_COLUMNS)))
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

    heavy("input_u", "Input_U", n, UNIFORM)
    heavy("input", "Input", n, "input")
    for k in range(1, layers + 1):
        heavy(f"L{k}_u", f"L{k}_U", d, UNIFORM)
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
        heavy("grad_u", "Grad_U", n, UNIFORM)
        heavy("upstream", "Grad", n, "upstream")

    # Histograms: bin number, upper edge, centre, then one count column per layer; in an
    # auto-range workbook the range in use above them.
    _histogram(p, "Histograms", "", exp.bins, STATS)
    if exp.auto_range:
        p.add(Block("range", "Histograms", RANGE_ROW, 1, 1, 2, "range"))
        p.name(Named(NAME_RANGE_LOW, "Histograms", RANGE_ROW, 1))
        p.name(Named(NAME_RANGE_HIGH, "Histograms", RANGE_ROW, 2))
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


def _histogram(p: InitPlan, sheet: str, prefix: str, bins: int, stats: tuple[str, ...]) -> None:
    """Bin numbers in column 0 from row 3. Gradients: one column of edges and one of centres
    (one log10 range for every layer), the counts per layer, then the FREQUENCY per layer.
    Outputs: a range per layer, so per layer a column of edges, then per layer a column of
    centres (the charts' labels), the counts and the FREQUENCY, each group of columns one
    apart; the per-layer range in two rows under the statistics (and, in an auto-range
    workbook, whether the layers take a range each)."""
    first = 3
    layers = p.settings.layers
    p.add(Block(f"{prefix}bin_index", sheet, first, 0, bins, 1, "bin_index"))
    if prefix:
        p.add(Block(f"{prefix}edges", sheet, first, 1, bins, 1, "edges"))
        p.add(Block(f"{prefix}centres", sheet, first, 2, bins, 1, "centres"))
        counts_col = 3
    else:
        for k in range(1, layers + 1):
            p.add(Block(f"L{k}_edges", sheet, first, k, bins, 1, "edges"))
            p.add(Block(f"L{k}_centres", sheet, first, layers + 1 + k, bins, 1, "centres"))
        counts_col = 2 * layers + 3
    for k in range(1, layers + 1):
        p.add(Block(f"L{k}_{prefix}counts", sheet, first, counts_col + k - 1, bins + 1, 1,
                    "counts"))
    for k in range(1, layers + 1):  # each layer's one-pass count, right of the shown counts
        p.add(Block(f"L{k}_{prefix}freq", sheet, first, counts_col + layers + k, bins + 1, 1,
                    "frequency"))
    stat_top = first + bins + 3
    for i, stat in enumerate(stats):
        p.add(Block(f"{prefix}stat_{stat}", sheet, stat_top + i, 3, 1, layers, "stat"))
    if not prefix:
        for i, end in enumerate(RANGE_ENDS):
            p.add(Block(end, sheet, stat_top + len(stats) + i, 3, 1, layers, "layer_range"))
        if p.settings.auto_range:
            p.add(Block("own_range", sheet, stat_top + len(stats) + len(RANGE_ENDS), 3, 1, 1,
                        "own_range"))
