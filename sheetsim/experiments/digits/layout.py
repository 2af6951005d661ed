"""The plan of a digits workbook: its sheets, blocks and named cells.

Rows and columns are 0-based; ``sheetsim.xlsx.cells`` turns them into A1 text. Every other
module of the experiment asks the plan where something is.

Training is unrolled down the sheets, one band of rows per step t = 0 … steps:

- ``Batches``: the training rows each step's batch picks (from the draws on ``Draws``).
- ``Params``: each layer's [W; b] (the bias row under the weights), its gradient and the
  optimizer's states m and v, side by side; step t's band is computed from step t − 1's.
- ``Train``: the batch's pixels and one-hot labels, the forward pass, the loss and the
  backward pass of step t.
- ``Test``: the forward pass of the whole test set, every ``eval_every`` steps and at the
  last.
- ``Steps``: one row per step (learning rate, losses, gradient norms, clipping and LARS
  factors) and one row per test pass (accuracies, test loss).
"""

from __future__ import annotations

from dataclasses import dataclass

from sheetsim.experiments.base import Plan
from sheetsim.experiments.common.activations import ACTIVATIONS
from sheetsim.experiments.common.initializers import INITS
from sheetsim.experiments.common.optimizers import DECAYS, EPS, OPTIMIZER_NAMES
from sheetsim.experiments.digits.model import CLASSES, PIXELS, evaluated_steps, residual_at
from sheetsim.experiments.digits.settings import LOSSES, Settings
from sheetsim.xlsx.cells import Block, Named, span

NAME_HIDDEN = "Hidden"
NAME_BATCH = "BatchSize"
NAME_TRAIN = "TrainSize"
NAME_TEST = "TestSize"
NAME_STEPS = "Steps"
NAME_EVERY = "EvalEvery"
NAME_BN = "BatchNorm"
NAME_RESIDUAL = "Residual"
NAME_SEED = "Seed"
NAME_LOSS = "Loss"
NAME_ACT = "Activation"
NAME_SLOPE = "LeakySlope"
NAME_INIT = "Init"
NAME_SIGMA = "Sigma"
NAME_OPT = "Optimizer"
NAME_LR = "LearningRate"
NAME_CLIP = "Clip"
NAME_WARMUP = "Warmup"
NAME_LARS = "Lars"
CONTROL_NAMES = (NAME_HIDDEN, NAME_BATCH, NAME_TRAIN, NAME_TEST, NAME_STEPS, NAME_EVERY,
                 NAME_BN, NAME_RESIDUAL, NAME_SEED, NAME_LOSS, NAME_ACT, NAME_SLOPE, NAME_INIT,
                 NAME_SIGMA, NAME_OPT, NAME_LR, *(c.name for c in DECAYS.values()), EPS.name,
                 NAME_CLIP, NAME_WARMUP, NAME_LARS)
"""One control per row of Controls, in this order."""
FIXED_NAMES = (NAME_HIDDEN, NAME_BATCH, NAME_TRAIN, NAME_TEST, NAME_STEPS, NAME_EVERY,
               NAME_BN, NAME_RESIDUAL, NAME_SEED)
DROPDOWN_NAMES = (NAME_LOSS, NAME_ACT, NAME_INIT, NAME_OPT)
LIST_NAMES = ("LossNames", "ActivationNames", "InitNames", "OptimizerNames")
CHOICES = (LOSSES, ACTIVATIONS, INITS, OPTIMIZER_NAMES)
"""What each dropdown's list holds, in the order of its shared table."""
INDEX_NAMES = ("LossIndex", "ActIndex", "InitIndex", "OptIndex")
"""The chosen loss's, activation's, initializer's and optimizer's positions."""

# Named constants on Data.
NAME_TRAIN_IMAGES = "TrainImages"
NAME_TEST_IMAGES = "TestImages"
NAME_TRAIN_HOT = "TrainOneHot"
NAME_TEST_HOT = "TestOneHot"
NAME_TEST_LABELS = "TestLabels"
NAME_TRAIN_NUMBERS = "TrainNumbers"
"""The column 1, 2, … of the training set's positions: a batch row is picked by comparing
it with the row's draw (INDEX with column 0 is #REF! in Gnumeric)."""
NAME_ONES_B = "OnesBatch"
NAME_ONES_10 = "OnesClass"
NAME_ONES_ROW = "OnesClassRow"
NAME_DIGITS = "ClassDigits"
"""The column 0, 1, …, 9: a one-hot row times it is its label."""

CONTROL_TOP = 3
TOP = 3
"""First row of the data, draws, bands and tables."""
STEPS_TOP = 4
GROUPS = ("p", "g", "m", "v")
STATE_GROUP = {"m": "m", "v": "v", "h": "v"}
"""The group of Params each optimizer state lives in (AdaGrad's and RMSprop's h in v)."""
SHOWN_DIGITS = 10
"""Test digits drawn on the Dashboard (``data.shown_rows``)."""
SHOWN_UNITS = 5
"""First-layer units whose weights the Dashboard draws."""
SIDE = 8
"""An image is SIDE × SIDE pixels."""
SHOWN_SETTINGS = (NAME_LR, NAME_SIGMA, NAME_CLIP, NAME_WARMUP, NAME_LARS)
"""Number controls the Dashboard shows beside the run (the names are in its subtitle)."""
DASH_GRID_COL = 4
"""First (narrow) column of the Dashboard's pictures."""


def block_name(t: int, part: str, layer: int | None = None) -> str:
    """The block of step t (or test pass t): ``s12_a2`` (layer 2's activations at step 12)."""
    return f"s{t}_{part}" + ("" if layer is None else str(layer))


def steps_columns(exp: Settings) -> dict[str, tuple[int, int]]:
    """The per-step blocks of Steps: name → (first column, columns)."""
    n = len(exp.hidden) + 1
    out, col = {}, 1
    for name, width in (("lr", 1), ("loss", 2), ("grad_norm", n), ("clipping", 2),
                        ("lars", n), ("norm_chart", n)):
        out[name] = (col, width)
        col += width
    return out


@dataclass
class DigitsPlan(Plan):
    """The plan, with the ways this experiment's code asks for its places."""

    settings: Settings

    @property
    def sizes(self) -> list[tuple[int, int]]:
        """(fan_in, fan_out) of every weight layer."""
        dims = [PIXELS, *self.settings.hidden, CLASSES]
        return list(zip(dims[:-1], dims[1:], strict=True))

    @property
    def count(self) -> int:
        """Weight layers: the hidden ones and the output."""
        return len(self.settings.hidden) + 1

    @property
    def residual(self) -> list[bool]:
        """Whether each hidden layer adds its input."""
        return residual_at(self.settings.hidden, self.settings.residual)

    @property
    def keeps_ga(self) -> bool:
        """Whether ∂L/∂a of each hidden layer has a block of its own: with residual
        connections (it passes down to the layer below) or batch normalization (δ reads it
        three times); else δ = (δ_above·Wᵀ) ⊙ f′ in one formula."""
        return self.settings.residual or self.settings.batch_norm

    @property
    def evals(self) -> list[int]:
        """The steps of the test passes."""
        return evaluated_steps(self.settings.steps, self.settings.eval_every)

    # ------------------------------------------------------------------ Params
    @property
    def param_band(self) -> int:
        """Rows of one step on Params (the tallest [W; b] and a blank row)."""
        return max(fan_in for fan_in, _ in self.sizes) + 2

    def param_col(self, group: str, layer: int) -> int:
        """First column of ``layer`` (1-based) in ``group`` on Params."""
        width = sum(out + 1 for _, out in self.sizes)
        col = 1 + GROUPS.index(group) * (width + 1)
        return col + sum(out + 1 for _, out in self.sizes[: layer - 1])

    def param_row(self, t: int) -> int:
        """First row of step t's band on Params."""
        return TOP + t * self.param_band

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

    # ------------------------------------------------------------- Train / Test
    def band(self, sheet: str) -> int:
        """Rows of one step on Train (the batch) or of one pass on Test, and a blank."""
        exp = self.settings
        return (exp.batch if sheet == "Train" else exp.test_size) + 1

    def band_top(self, sheet: str, t: int) -> int:
        """First row of step t's band on Train, or of the test pass of step t on Test."""
        index = t if sheet == "Train" else self.evals.index(t)
        return TOP + index * self.band(sheet)

    def columns(self, sheet: str) -> dict[str, tuple[int, int]]:
        """The parts of a band on Train or Test: part → (first column, columns)."""
        exp = self.settings
        parts: list[tuple[str, int]] = []
        if sheet == "Train":
            parts += [("x", PIXELS), ("y", CLASSES)]
        for k, width in enumerate(exp.hidden, start=1):
            if sheet == "Train" and exp.batch_norm:
                parts += [(f"z{k}", width), (f"st{k}", width), (f"zh{k}", width)]
            parts.append((f"a{k}", width))
        parts += [("out", CLASSES), ("top", 1), ("pred", 1)]
        if sheet == "Train":
            parts += [("p", CLASSES), ("ls", 1), (f"d{self.count}", CLASSES)]
            for k in range(len(exp.hidden), 0, -1):
                if self.keeps_ga:
                    parts.append((f"ga{k}", exp.hidden[k - 1]))
                parts.append((f"d{k}", exp.hidden[k - 1]))
        else:
            parts.append(("ls", 1))
        out, col = {}, 1
        for name, width in parts:
            out[name] = (col, width)
            col += width + 1
        return out

    def part(self, sheet: str, t: int, name: str) -> Block:
        """The block of part ``name`` (``a2``, ``out``, ``d3``…) of step t on a sheet."""
        prefix = "" if sheet == "Train" else "t"
        return self.blocks[f"s{t}_{prefix}{name}"]

    def part_params(self, t: int, layer: int) -> Block:
        """The parameter block of ``layer`` at step t."""
        return self.blocks[block_name(t, "p", layer)]

    @property
    def shown_units(self) -> int:
        """First-layer units drawn on the Dashboard."""
        return min(SHOWN_UNITS, self.settings.hidden[0])

    def steps_cell(self, name: str, t: int, j: int = 0) -> str:
        """Step t's cell of column j of a per-step block of Steps, absolute."""
        return self.blocks[name].cell_ref(t, j)


def plan(exp: Settings) -> DigitsPlan:
    """Lay out the workbook of these settings."""
    p = DigitsPlan(exp)
    n, m, batch, steps = exp.train_size, exp.test_size, exp.batch, exp.steps
    p.sheets = ["Dashboard", "Controls", "Data", "Draws", "Batches", "Params", "Train", "Test",
                "Steps", "Guide"]

    for i, name in enumerate(CONTROL_NAMES):
        p.name(Named(name, "Controls", CONTROL_TOP + i, 1))
    lists = CONTROL_TOP + len(CONTROL_NAMES) + 2
    for j, (name, choices) in enumerate(zip(LIST_NAMES, CHOICES, strict=True)):
        p.name(Named(name, "Controls", lists + 1, j, len(choices), 1))
    indices = lists + 3 + max(len(choices) for choices in CHOICES)
    p.add(Block("indices", "Controls", indices, 0, 1, len(INDEX_NAMES), "index"))
    for j, name in enumerate(INDEX_NAMES):
        p.name(Named(name, "Controls", indices, j))

    # Data: the images (constants: rows of the data set), labels, one-hot rows, ones.
    p.name(Named(NAME_TRAIN_NUMBERS, "Data", TOP, 0, n, 1))
    p.add(Block("train_images", "Data", TOP, 3, n, PIXELS, "images"))
    p.name(Named(NAME_TRAIN_IMAGES, "Data", TOP, 3, n, PIXELS))
    p.name(Named(NAME_TRAIN_HOT, "Data", TOP, 4 + PIXELS, n, CLASSES))
    test_col = 5 + PIXELS + CLASSES
    p.name(Named(NAME_TEST_LABELS, "Data", TOP, test_col + 2, m, 1))
    p.add(Block("test_images", "Data", TOP, test_col + 3, m, PIXELS, "images"))
    p.name(Named(NAME_TEST_IMAGES, "Data", TOP, test_col + 3, m, PIXELS))
    p.name(Named(NAME_TEST_HOT, "Data", TOP, test_col + 4 + PIXELS, m, CLASSES))
    ones = test_col + 5 + PIXELS + CLASSES
    p.name(Named(NAME_ONES_B, "Data", TOP, ones, batch, 1))
    p.name(Named(NAME_ONES_10, "Data", TOP, ones + 1, CLASSES, 1))
    p.name(Named(NAME_DIGITS, "Data", TOP, ones + 2, CLASSES, 1))
    p.name(Named(NAME_ONES_ROW, "Data", TOP, ones + 4, 1, CLASSES))

    # Draws: each step's batch, every layer's initial weights.
    p.add(Block("u_batch", "Draws", TOP, 1, steps + 1, batch, "uniform"))
    col = batch + 2
    for k, (fan_in, fan_out) in enumerate(p.sizes, start=1):
        p.add(Block(f"u_w{k}", "Draws", TOP, col, fan_in, fan_out, "uniform"))
        col += fan_out + 1
    p.add(Block("rows", "Batches", TOP, 1, steps + 1, batch, "index"))

    for t in range(steps + 1):
        row = p.param_row(t)
        for k, (fan_in, fan_out) in enumerate(p.sizes, start=1):
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
        top = p.band_top("Train", t)
        for name, (c, width) in p.columns("Train").items():
            if name.startswith("st"):  # the batch's mean and variance, one row each
                k = name.removeprefix("st")
                p.add(Block(block_name(t, "mu" + k), "Train", top, c, 1, width, "batch_stats"))
                p.add(Block(block_name(t, "var" + k), "Train", top + 1, c, 1, width,
                            "batch_stats"))
            else:
                p.add(Block(block_name(t, name), "Train", top, c, batch, width, _kind(name)))
    for t in p.evals:
        top = p.band_top("Test", t)
        for name, (c, width) in p.columns("Test").items():
            p.add(Block(block_name(t, "t" + name), "Test", top, c, m, width, _kind(name)))

    kinds = {"lr": "lr", "loss": "loss", "grad_norm": "grad_norm", "clipping": "clipping",
             "lars": "lars", "norm_chart": "chart"}
    for name, (c, cols) in steps_columns(exp).items():
        p.add(Block(name, "Steps", STEPS_TOP, c, steps + 1, cols, kinds[name]))
    evals = len(p.evals)
    right = sum(cols for _, cols in steps_columns(exp).values()) + 2
    p.add(Block("accuracy", "Steps", STEPS_TOP, right + 1, evals, 2, "accuracy"))
    p.add(Block("test_loss", "Steps", STEPS_TOP, right + 3, evals, 1, "loss"))

    p.add(Block("dash_subtitle", "Dashboard", 1, 0, 1, 1, "dash"))
    p.add(Block("summary", "Dashboard", 5, 1, 6, 2, "dash"))
    p.add(Block("settings_shown", "Dashboard", 13, 1, len(SHOWN_SETTINGS), 1, "dash"))
    for i in range(SHOWN_DIGITS):
        r, c = dash_picture("digit", i)
        p.add(Block(f"digit{i}", "Dashboard", r, c, SIDE, SIDE, "dash"))
        p.add(Block(f"digit{i}_pred", "Dashboard", r + SIDE, c, 1, 1, "dash"))
        p.add(Block(f"digit{i}_prob", "Dashboard", r + SIDE, c + SIDE // 2, 1, 1, "dash"))
    for i in range(p.shown_units):
        r, c = dash_picture("unit", i)
        p.add(Block(f"unit{i}", "Dashboard", r, c, SIDE, SIDE, "dash"))
    r, c = dash_picture("confusion", 0)
    p.add(Block("confusion", "Dashboard", r, c, CLASSES, CLASSES, "dash"))
    return p


def dash_picture(what: str, i: int) -> tuple[int, int]:
    """Top-left cell of the Dashboard's picture i: a test digit (two rows of five), a
    first-layer unit's weights (one row), or the confusion matrix."""
    step = SIDE + 1
    if what == "digit":
        return 4 + (i // 5) * (SIDE + 3), DASH_GRID_COL + (i % 5) * step
    if what == "unit":
        return 4 + 2 * (SIDE + 3) + 1, DASH_GRID_COL + i * step
    return 5, DASH_GRID_COL + 5 * step + 2


def _kind(part: str) -> str:
    """The block kind of a part of a band."""
    head = part.rstrip("0123456789")
    return {"x": "inputs", "y": "labels", "z": "preactivation", "zh": "normalized",
            "a": "activations", "out": "output", "top": "output", "pred": "prediction",
            "p": "output", "ls": "sample_loss", "d": "delta", "ga": "delta"}[head]
