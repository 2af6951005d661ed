"""The plan of a training workbook: its sheets, blocks and named cells.

Rows and columns are 0-based; ``sheetsim.xlsx.cells`` turns them into A1 text. Every other
module of the experiment asks the plan where something is instead of spelling an address.

Training is unrolled down the sheets, one band of rows per step t = 0 … steps:

- ``Params``: each layer's parameters [W; b] ((fan_in + 1) × fan_out: the weights, the bias
  row under them), its gradient, and the optimizer's two states ``m`` and ``v``, side by
  side; step t's band is computed from step t − 1's.
- ``Train`` / ``Test``: the forward pass of every sample through step t's parameters (one
  row per sample), and on ``Train`` the backward pass (δ of every layer).
- ``Steps``: one row per step: learning rate, losses, accuracies, every layer's gradient
  norm, the clipping factor.

Every array formula is a block of its own (``s12_a2``: step 12, layer 2's activations).
"""

from __future__ import annotations

from dataclasses import dataclass

from sheetsim.experiments.base import Plan
from sheetsim.experiments.common.activations import ACTIVATIONS
from sheetsim.experiments.common.initializers import INITS
from sheetsim.experiments.common.optimizers import DECAYS, EPS, OPTIMIZER_NAMES
from sheetsim.experiments.training.settings import Settings
from sheetsim.xlsx.cells import Block, Named, span

# Named controls (formulas refer to these names, never to addresses). The optimizers'
# constants carry the names of the shared optimizers' table, whose update formulas read them.
NAME_LAYERS = "Layers"
NAME_WIDTH = "Width"
NAME_SAMPLES = "Samples"
NAME_TEST = "TestSamples"
NAME_STEPS = "Steps"
NAME_SEED = "Seed"
NAME_ACT = "Activation"
NAME_SLOPE = "LeakySlope"
NAME_INIT = "Init"
NAME_SIGMA = "Sigma"
NAME_OPT = "Optimizer"
NAME_LR = "LearningRate"
NAME_MOMENTUM = DECAYS["momentum"].name
NAME_RHO = DECAYS["rho"].name
NAME_BETA1 = DECAYS["beta1"].name
NAME_BETA2 = DECAYS["beta2"].name
NAME_CLIP = "Clip"
NAME_WARMUP = "Warmup"
NAME_SPREAD = "Spread"
CONTROL_NAMES = (NAME_LAYERS, NAME_WIDTH, NAME_SAMPLES, NAME_TEST, NAME_STEPS, NAME_SEED,
                 NAME_ACT, NAME_SLOPE, NAME_INIT, NAME_SIGMA, NAME_OPT, NAME_LR, NAME_MOMENTUM,
                 NAME_RHO, NAME_BETA1, NAME_BETA2, EPS.name, NAME_CLIP, NAME_WARMUP,
                 NAME_SPREAD)
"""One control per row of Controls, in this order."""
FIXED_NAMES = (NAME_LAYERS, NAME_WIDTH, NAME_SAMPLES, NAME_TEST, NAME_STEPS, NAME_SEED)
LIST_NAMES = ("ActivationNames", "InitNames", "OptimizerNames")
FIRST_OPTIMIZERS = ("sgd", "momentum", "adam")
OPTIMIZER_CHOICES = (*FIRST_OPTIMIZERS, *(o for o in OPTIMIZER_NAMES if o not in FIRST_OPTIMIZERS))
"""The optimizers in the order of the list: SGD, Momentum and Adam at fixed positions (a
workbook's chosen position is one of its numbers), then the shared table's others in its
order."""
CHOICES = (ACTIVATIONS, INITS, OPTIMIZER_CHOICES)
"""What each list holds: every name of the shared tables (activations and initializers in
their tables' order)."""
INDEX_NAMES = ("ActIndex", "InitIndex", "OptIndex")
"""The chosen activation's, initializer's and optimizer's positions in their lists."""
NAME_ONES = "Ones"
"""A column of ones beside the training points: the bias gradient is Onesᵀ·δ."""

CONTROL_TOP = 3
DATA_TOP = 3
DRAW_TOP = 3
BAND_TOP = 3
STEPS_TOP = 4
GRID = 31
"""Points per side of the decision-boundary grid."""
GRID_LOW, GRID_HIGH = -2.5, 2.5
DASH_TABLE_TOP = 4
"""First row of the Dashboard's table (its header above it)."""
DASH_GRID_TOP = 33
DASH_GRID_LEFT = 7
"""The Dashboard's decision-boundary cells: GRID × GRID cells, x₁ rising to the right
along a row, x₂ rising upwards (the top row is x₂ = GRID_HIGH)."""
HIDDEN = 99.0
"""The chart value of a point left out of a series: far outside the boundary chart's fixed
axes (a number rather than #N/A, which xlsxwriter cannot cache in an array formula)."""
GROUPS = ("p", "g", "m", "v")
"""The column groups of Params: parameters, gradient, the optimizer's two states."""
STATE_GROUP = {"m": "m", "v": "v", "h": "v"}
"""The group of Params each optimizer state (by its name in the shared optimizers' table)
lives in: Adam's m in ``m``; Momentum's and Adam's v, and AdaGrad's and RMSprop's sum of
squares h, in ``v``. A group the chosen optimizer keeps nothing in holds 0."""


SUMMARY_ROWS = ("train_loss", "test_loss", "train_acc", "test_acc", "norm_in", "norm_out",
                "norm_all", "norm_clipped")
"""The rows of the Dashboard's table (its columns: step 0, the last step, the largest)."""
GUIDE_TOP = 3
"""First row of the Guide's facts of this file (under their heading)."""
DASH_SETTINGS = (NAME_LR, NAME_SIGMA, NAME_CLIP, NAME_WARMUP, NAME_STEPS)
"""The controls whose numbers the Dashboard shows beside its table (the header names the
others; numbers stay numbers: engines join them into text differently)."""
DASH_SETTINGS_COL = 6
GUIDE_FACTS = ("sigma", "clip", "loss_first", "loss_last", "test_loss_last", "ln2", "accuracy_last",
               "test_accuracy_last", "ratio", "largest", "largest_at", "largest_clipped",
               "lr_first", "lr_last", "clipped")
"""The Guide's numbers about this file's run, one row each under its settings, each a
formula of its controls and results."""


def layer_sizes(exp: Settings) -> list[tuple[int, int]]:
    """(fan_in, fan_out) of every weight layer, input side first, the output layer last."""
    dims = [2, *([exp.width] * exp.layers), 1]
    return list(zip(dims[:-1], dims[1:], strict=True))


def steps_columns(exp: Settings) -> dict[str, tuple[int, int]]:
    """The blocks of Steps: name → (first column, columns)."""
    n = exp.layers + 1
    out, col = {}, 1
    for name, width in (("lr", 1), ("loss", 2), ("accuracy", 2), ("grad_norm", n),
                        ("clipping", 2), ("loss_chart", 2), ("norm_chart", n),
                        ("global_chart", 3), ("zero_chart", 1), ("ref_line", 2)):
        out[name] = (col, width)
        col += width
    return out


def block_name(t: int, part: str, layer: int | None = None) -> str:
    """The block of step t: ``s12_a2`` (layer 2's activations at step 12), ``s0_z``."""
    return f"s{t}_{part}" + ("" if layer is None else str(layer))


@dataclass
class TrainingPlan(Plan):
    """The plan, with the ways this experiment's code asks for its places."""

    settings: Settings

    @property
    def sizes(self) -> list[tuple[int, int]]:
        """(fan_in, fan_out) of every weight layer."""
        return layer_sizes(self.settings)

    @property
    def count(self) -> int:
        """Weight layers: the hidden ones and the output."""
        return self.settings.layers + 1

    # ------------------------------------------------------------------ Params
    @property
    def param_band(self) -> int:
        """Rows of one step on Params (the tallest layer and a blank row)."""
        return self.settings.width + 2

    def _group_width(self) -> int:
        return sum(out + 1 for _, out in self.sizes)

    def param_col(self, group: str, layer: int) -> int:
        """First column of ``layer`` (1-based) in ``group`` on Params."""
        col = 1 + GROUPS.index(group) * (self._group_width() + 1)
        return col + sum(out + 1 for _, out in self.sizes[: layer - 1])

    def param_row(self, t: int) -> int:
        """First row of step t's band on Params."""
        return BAND_TOP + t * self.param_band

    def params(self, group: str, t: int, layer: int, part: str = "all") -> str:
        """The range of ``layer``'s [W; b] (``part`` ``w``, ``b`` or ``all``) in ``group``
        at step t, sheet-qualified and absolute."""
        fan_in, fan_out = self.sizes[layer - 1]
        row, col = self.param_row(t), self.param_col(group, layer)
        if part == "b":
            row, rows = row + fan_in, 1
        else:
            rows = fan_in if part == "w" else fan_in + 1
        return f"Params!{span(row, col, rows, fan_out, absolute=True)}"

    # -------------------------------------------------------------- Train / Test
    def band(self, sheet: str) -> int:
        """Rows of one step on Train or Test: its samples and a blank row."""
        n = self.settings.samples if sheet == "Train" else self.settings.test_samples
        return n + 1

    def pass_col(self, part: str, layer: int | None = None) -> int:
        """Column of a part of the forward/backward pass on Train and Test: ``a`` (layer
        1 …), ``z``, ``p``, ``ls`` (the per-sample loss), ``d`` (layer 1 … count)."""
        w, hidden = self.settings.width, self.settings.layers
        if part == "a":
            return 1 + (layer - 1) * w
        tail = 1 + hidden * w
        if part in ("z", "p", "ls"):
            return tail + ("z", "p", "ls").index(part)
        return tail + 4 + (layer - 1) * w

    def step_block(self, sheet: str, t: int, part: str, layer: int | None = None) -> Block:
        """The block of ``part`` at step t on Train, Test or Params."""
        return self.blocks[block_name(t, part if sheet != "Test" else "t" + part, layer)]

    def steps_cell(self, name: str, t: int, j: int = 0) -> str:
        """Step t's cell of column j of a Steps block, absolute."""
        return self.blocks[name].cell_ref(t, j)


def plan(exp: Settings) -> TrainingPlan:
    """Lay out the workbook of these settings."""
    p = TrainingPlan(exp)
    sizes = layer_sizes(exp)
    n, m, count, w = exp.samples, exp.test_samples, exp.layers + 1, exp.width
    p.sheets = ["Dashboard", "Controls", "Data", "Draws", "Params", "Train", "Test", "Steps",
                "Boundary", "Guide"]

    for i, name in enumerate(CONTROL_NAMES):
        p.name(Named(name, "Controls", CONTROL_TOP + i, 1))
    lists = CONTROL_TOP + len(CONTROL_NAMES) + 2
    for j, (name, choices) in enumerate(zip(LIST_NAMES, CHOICES, strict=True)):
        p.name(Named(name, "Controls", lists + 1, j, len(choices), 1))
    indices = lists + 3 + max(len(choices) for choices in CHOICES)
    p.add(Block("indices", "Controls", indices, 0, 1, 3, "index"))
    for j, name in enumerate(INDEX_NAMES):
        p.name(Named(name, "Controls", indices, j))

    # Draws: the data's and every layer's initial weights' uniform draws.
    p.add(Block("u_train", "Draws", DRAW_TOP, 1, n, 2, "uniform"))
    p.add(Block("u_test", "Draws", DRAW_TOP, 4, m, 2, "uniform"))
    col = 7
    for k, (fan_in, fan_out) in enumerate(sizes, start=1):
        p.add(Block(f"u_w{k}", "Draws", DRAW_TOP, col, fan_in, fan_out, "uniform"))
        col += fan_out + 1

    # Data: centres and labels (constants), the points (from the draws), chart columns.
    p.add(Block("x_train", "Data", DATA_TOP, 4, n, 2, "points"))
    p.add(Block("train_shown", "Data", DATA_TOP, 6, n, 2, "chart"))
    p.name(Named(NAME_ONES, "Data", DATA_TOP, 8, n, 1))
    p.add(Block("x_test", "Data", DATA_TOP, 14, m, 2, "points"))

    for t in range(exp.steps + 1):
        row = p.param_row(t)
        for k, (fan_in, fan_out) in enumerate(sizes, start=1):
            rows = fan_in + 1 if t else fan_in  # the step-0 bias row is constant 0
            p.add(Block(block_name(t, "p", k), "Params", row, p.param_col("p", k), rows,
                        fan_out, "params"))
            p.add(Block(block_name(t, "gw", k), "Params", row, p.param_col("g", k), fan_in,
                        fan_out, "gradient"))
            p.add(Block(block_name(t, "gb", k), "Params", row + fan_in, p.param_col("g", k),
                        1, fan_out, "gradient"))
            if t:
                for group in ("m", "v"):
                    p.add(Block(block_name(t, group, k), "Params", row,
                                p.param_col(group, k), fan_in + 1, fan_out, "state"))
        for sheet, rows, prefix in (("Train", n, ""), ("Test", m, "t")):
            top = BAND_TOP + t * (rows + 1)
            for k in range(1, exp.layers + 1):
                p.add(Block(block_name(t, prefix + "a", k), sheet, top, p.pass_col("a", k),
                            rows, w, "activations"))
            for part in ("z", "p", "ls"):
                p.add(Block(block_name(t, prefix + part), sheet, top, p.pass_col(part),
                            rows, 1, "output"))
        top = BAND_TOP + t * (n + 1)
        for k in range(1, count + 1):
            p.add(Block(block_name(t, "d", k), "Train", top, p.pass_col("d", k), n,
                        sizes[k - 1][1], "delta"))

    kinds = {"lr": "lr", "loss": "loss", "accuracy": "accuracy", "grad_norm": "grad_norm",
             "clipping": "clipping"}
    for name, (col, cols) in steps_columns(exp).items():
        rows = 2 if name == "ref_line" else exp.steps + 1
        p.add(Block(name, "Steps", STEPS_TOP, col, rows, cols, kinds.get(name, "chart")))
    zero_col = steps_columns(exp)["zero_chart"][0]
    p.add(Block("norm_floor", "Steps", STEPS_TOP - 2, zero_col, 1, 1, "chart"))

    g = GRID * GRID
    p.add(Block("grid", "Boundary", DATA_TOP, 1, g, 2, "grid"))
    for k in range(1, exp.layers + 1):
        p.add(Block(f"grid_a{k}", "Boundary", DATA_TOP, 3 + (k - 1) * w, g, w,
                    "activations"))
    p.add(Block("grid_z", "Boundary", DATA_TOP, 3 + exp.layers * w, g, 1, "output"))
    p.add(Block("grid_shown", "Boundary", DATA_TOP, 4 + exp.layers * w, g, 2, "chart"))

    p.add(Block("dash_subtitle", "Dashboard", 1, 0, 1, 1, "dash"))
    p.add(Block("summary", "Dashboard", DASH_TABLE_TOP, 1, len(SUMMARY_ROWS), 3, "dash"))
    p.add(Block("dash_settings", "Dashboard", DASH_TABLE_TOP, DASH_SETTINGS_COL,
                len(DASH_SETTINGS), 1, "dash"))
    p.add(Block("dash_grid", "Dashboard", DASH_GRID_TOP, DASH_GRID_LEFT, GRID, GRID, "dash"))
    p.add(Block("guide_settings", "Guide", GUIDE_TOP, 0, 1, 1, "text"))
    p.add(Block("guide_facts", "Guide", GUIDE_TOP + 1, 1, len(GUIDE_FACTS), 1, "guide"))
    return p
