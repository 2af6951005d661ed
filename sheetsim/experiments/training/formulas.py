"""Formula text for every cell of a training workbook: the one place it is made.

The forward and backward passes of one step are legacy array formulas over a band of rows
(MMULT, TRANSPOSE and elementwise arithmetic); the update of each layer's parameters is the
shared optimizers' update rule written over whole ranges. Every choice a dropdown offers is
one argument of a CHOOSE, in the order of its shared table (``experiments.common``):
activations, their slopes, initializers and optimizers alike. Formulas refer to controls by
defined name and to cells through the plan. Only functions Excel 2010+, LibreOffice and
Gnumeric all compute are used: MMULT, TRANSPOSE, CHOOSE, MATCH, IF, ISNUMBER, TANH,
EXP, LN, ABS, SQRT, SUMSQ, AVERAGE, SUMPRODUCT, MIN, MAX, NORM.S.INV and ``^``.

The sigmoid is written (1 + tanh(z/2))/2, and the cross-entropy through softplus,
max(z, 0) + ln(1 + e^{−|z|}) = (z + |z|)/2 + ln(1 + e^{−|z|}): neither overflows for any
finite z, so a #NUM! in the sheet always means the run diverged.
"""

from __future__ import annotations

import re

from sheetsim.experiments.common.activations import ACTIVATIONS_TABLE
from sheetsim.experiments.common.functions import NORM_S_INV, operand
from sheetsim.experiments.common.initializers import INITIALIZERS, from_draws
from sheetsim.experiments.common.logaxis import GAP, positive_formula, shown_formula
from sheetsim.experiments.common.optimizers import OPTIMIZERS
from sheetsim.experiments.common.optimizers import update as rule
from sheetsim.experiments.training.layout import (
    CHOICES,
    GRID,
    GRID_HIGH,
    GRID_LOW,
    HIDDEN,
    INDEX_NAMES,
    LIST_NAMES,
    NAME_ACT,
    NAME_CLIP,
    NAME_INIT,
    NAME_LR,
    NAME_ONES,
    NAME_OPT,
    NAME_SIGMA,
    NAME_SLOPE,
    NAME_SPREAD,
    NAME_STEPS,
    NAME_WARMUP,
    OPTIMIZER_CHOICES,
    STATE_GROUP,
    SUMMARY_ROWS,
    TrainingPlan,
)
from sheetsim.xlsx.cells import Block

ACT_INDEX, INIT_INDEX, OPT_INDEX = INDEX_NAMES
DROPDOWNS = dict(zip((NAME_ACT, NAME_INIT, NAME_OPT), CHOICES, strict=True))
"""Each dropdown control and the list it picks from."""


def index(j: int) -> str:
    """The chosen activation's (0), initializer's (1) or optimizer's (2) position."""
    control = (NAME_ACT, NAME_INIT, NAME_OPT)[j]
    return f"MATCH({control},{LIST_NAMES[j]},0)"


def list_check(control: str) -> str:
    """The validation list of a dropdown control."""
    return LIST_NAMES[(NAME_ACT, NAME_INIT, NAME_OPT).index(control)]


def _choose(index: str, options: list[str]) -> str:
    """One argument per choice, picked by the chosen position ``index``."""
    return f"CHOOSE({index},{','.join(options)})"


def _activate(e: str) -> str:
    """f(e) of the chosen activation, e an array expression."""
    e = f"({e})"
    return _choose(ACT_INDEX, [a.formula(e, NAME_SLOPE) for a in ACTIVATIONS_TABLE.values()])


def _slope(a: str) -> str:
    """f′ of the chosen activation in terms of its output a (the shared table's slope with
    the output for its input as well: a leaky slope ≥ 0 keeps the input's sign)."""
    return _choose(ACT_INDEX,
                   [e.slope_formula(a, a, NAME_SLOPE) for e in ACTIVATIONS_TABLE.values()])


# ---------------------------------------------------------------------------- data

def points(plan: TrainingPlan, which: str) -> str:
    """The points of the training or test set: centre + Spread·Φ⁻¹(u)."""
    block = plan.blocks[f"x_{which}"]
    centres = Block("c", block.sheet, block.row, block.col - 3, block.rows, 2, "")
    return f"{centres.ref}+{NAME_SPREAD}*{NORM_S_INV}({plan.blocks[f'u_{which}'].ref})"


def label_ref(plan: TrainingPlan, which: str) -> str:
    """The labels column of the training or test set (constants beside the points)."""
    block = plan.blocks[f"x_{which}"]
    return Block("y", block.sheet, block.row, block.col - 1, block.rows, 1, "").ref


def train_shown(plan: TrainingPlan, i: int, j: int) -> str:
    """The chart's y of training point i in the series of class 1 (j = 0) or 0 (j = 1):
    its x₂, or HIDDEN (off the chart) in the other class's series."""
    x = plan.blocks["x_train"]
    y = Block("y", x.sheet, x.row, x.col - 1, x.rows, 1, "").cell_ref(i, 0)
    x2 = x.cell_ref(i, 1)
    off = f"{HIDDEN:g}"
    return f"IF({y}=1,{x2},{off})" if j == 0 else f"IF({y}=1,{off},{x2})"


# ------------------------------------------------------------------- forward, back

def _inputs(plan: TrainingPlan, sheet: str, t: int, layer: int) -> str:
    """What layer ``layer`` reads: the points, or the previous layer's activations."""
    if layer == 1:
        return plan.blocks["x_train" if sheet == "Train" else "x_test"].ref
    return plan.step_block(sheet, t, "a", layer - 1).ref


def forward(plan: TrainingPlan, sheet: str, t: int, part: str, layer: int | None = None) -> str:
    """Step t's forward pass on Train or Test: ``a`` of a hidden layer, the output's ``z``
    and ``p``, the per-sample loss ``ls``."""
    count = plan.count
    if part == "a":
        assert layer is not None
        w, b = plan.params("p", t, layer, "w"), plan.params("p", t, layer, "b")
        return _activate(f"MMULT({_inputs(plan, sheet, t, layer)},{w})+{b}")
    z = plan.step_block(sheet, t, "z").ref
    if part == "z":
        w, b = plan.params("p", t, count, "w"), plan.params("p", t, count, "b")
        return f"MMULT({_inputs(plan, sheet, t, count)},{w})+{b}"
    if part == "p":
        return f"(1+TANH({z}/2))/2"
    y = label_ref(plan, "train" if sheet == "Train" else "test")
    return f"({z}+ABS({z}))/2+LN(1+EXP(-ABS({z})))-{y}*{z}"


def delta(plan: TrainingPlan, t: int, layer: int) -> str:
    """Step t's δ = ∂L/∂z of ``layer``: (p − y)/N at the output, (δ_{l+1}·W_{l+1}ᵀ) ⊙ f′(a_l)
    below it."""
    if layer == plan.count:
        p = plan.step_block("Train", t, "p").ref
        return f"({p}-{label_ref(plan, 'train')})/{plan.settings.samples}"
    above = plan.step_block("Train", t, "d", layer + 1).ref
    w = plan.params("p", t, layer + 1, "w")
    a = plan.step_block("Train", t, "a", layer).ref
    return f"MMULT({above},TRANSPOSE({w}))*{_slope(a)}"


def gradient(plan: TrainingPlan, t: int, layer: int, part: str) -> str:
    """Step t's ∂L/∂W (``gw``: inputsᵀ·δ) or ∂L/∂b (``gb``: Onesᵀ·δ) of ``layer``."""
    d = plan.step_block("Train", t, "d", layer).ref
    if part == "gb":
        return f"MMULT(TRANSPOSE({NAME_ONES}),{d})"
    return f"MMULT(TRANSPOSE({_inputs(plan, 'Train', t, layer)}),{d})"


# --------------------------------------------------------------------- the update

def initial(plan: TrainingPlan, layer: int) -> str:
    """Step 0's weights of ``layer`` from their draws u: Φ⁻¹(u)·σ or (2u − 1)·limit, as the
    chosen initializer says, with its σ or limit of the layer's fan-in and fan-out."""
    fan_in, fan_out = (str(n) for n in plan.sizes[layer - 1])
    u = plan.blocks[f"u_w{layer}"].ref
    return _choose(INIT_INDEX, [
        from_draws(i.distribution, u, operand(i.scale_formula(fan_in, fan_out, NAME_SIGMA)))
        for i in INITIALIZERS.values()])


def update(plan: TrainingPlan, t: int, layer: int, group: str) -> str:
    """Step t's parameters (``p``) or optimizer state (``m``, ``v``) of ``layer``: the
    chosen optimizer's rule (the shared optimizers' text) on step t − 1's clipped gradient;
    a group the chosen optimizer keeps nothing in stays 0."""
    clip = plan.steps_cell("clipping", t - 1, 1)
    cell = {"p": plan.params("p", t - 1, layer),
            "g": f"({clip}*{plan.params('g', t - 1, layer)})"}
    for state, where in STATE_GROUP.items():
        cell[state] = plan.params(where, t - 1, layer)
        cell[f"{state}_new"] = plan.params(where, t, layer)
    lr = plan.steps_cell("lr", t)
    options = []
    for opt in OPTIMIZER_CHOICES:
        texts = rule(opt, "p", cell, lr, str(t))
        if group == "p":
            options.append(texts["p"])
        else:
            kept = [s for s in OPTIMIZERS[opt].state if STATE_GROUP[s] == group]
            options.append(texts[f"{kept[0]}p"] if kept else "0")
    return _choose(OPT_INDEX, options)


# -------------------------------------------------------------------------- Steps

def steps(plan: TrainingPlan, name: str, t: int, j: int) -> str:
    """Step t's column j of a Steps block."""
    n, m = plan.settings.samples, plan.settings.test_samples
    if name == "lr":
        return "0" if t == 0 else f"{NAME_LR}*IF({NAME_WARMUP}>0,MIN(1,{t}/{NAME_WARMUP}),1)"
    if name == "loss":
        sheet = ("Train", "Test")[j]
        return f"AVERAGE({plan.step_block(sheet, t, 'ls').ref})"
    if name == "accuracy":
        sheet, which, size = (("Train", "train", n), ("Test", "test", m))[j]
        z, y = plan.step_block(sheet, t, "z").ref, label_ref(plan, which)
        return f"SUMPRODUCT(({z}>0)*{y}+({z}<=0)*(1-{y}))/{size}"
    if name == "grad_norm":
        return f"SQRT(SUMSQ({plan.params('g', t, j + 1)}))"
    if name == "clipping":
        if j == 0:
            every = ",".join(plan.params("g", t, k) for k in range(1, plan.count + 1))
            return f"SQRT(SUMSQ({every}))"
        total = plan.steps_cell("clipping", t, 0)
        return f"IF({NAME_CLIP}>0,MIN(1,{NAME_CLIP}/{total}),1)"
    if name == "loss_chart":
        return shown_formula(plan.steps_cell("loss", t, j))
    if name == "norm_chart":
        return positive_formula(plan.steps_cell("grad_norm", t, j))
    if name == "global_chart":
        total, factor = plan.steps_cell("clipping", t, 0), plan.steps_cell("clipping", t, 1)
        if j == 0:
            return positive_formula(total)
        shown = positive_formula(f"({total}*{factor})") if j == 1 else NAME_CLIP
        return f'IF({NAME_CLIP}>0,{shown},"{GAP}")'
    if name == "zero_chart":
        row = plan.blocks["grad_norm"]
        norms = Block("r", row.sheet, row.row + t, row.col, 1, row.cols, "").ref
        return f'IF(COUNTIF({norms},0)>0,{plan.blocks["norm_floor"].cell_ref()},"{GAP}")'
    if name == "norm_floor":
        norms = plan.blocks["grad_norm"].ref
        return f"10^(INT(LOG10(MIN(IF({norms}>0,{norms}))))-1)"
    # ref_line: the ln 2 line across the loss chart
    return ("0" if t == 0 else NAME_STEPS) if j == 0 else "LN(2)"


# ----------------------------------------------------------------------- Boundary

def grid(i: int, j: int) -> str:
    """Grid point i's coordinate j: x₁ runs along rows of the grid, x₂ within them."""
    k = (i // GRID, i % GRID)[j]
    return f"{GRID_LOW:g}+{GRID_HIGH - GRID_LOW:g}*{k}/{GRID - 1}"


def grid_forward(plan: TrainingPlan, part: str, layer: int | None = None) -> str:
    """The forward pass of the grid through the last step's parameters."""
    t = plan.settings.steps
    k = layer if part == "a" and layer is not None else plan.count
    inputs = plan.blocks["grid"].ref if k == 1 else plan.blocks[f"grid_a{k - 1}"].ref
    w, b = plan.params("p", t, k, "w"), plan.params("p", t, k, "b")
    e = f"MMULT({inputs},{w})+{b}"
    return _activate(e) if part == "a" else e


def grid_shown(plan: TrainingPlan, i: int, j: int) -> str:
    """The chart's y of grid point i in the series of class 1 (j = 0) or 0 (j = 1)."""
    z = plan.blocks["grid_z"].cell_ref(i, 0)
    x2 = plan.blocks["grid"].cell_ref(i, 1)
    off = f"{HIDDEN:g}"
    return f"IF({z}>0,{x2},{off})" if j == 0 else f"IF({z}>0,{off},{x2})"


def grid_cell(plan: TrainingPlan, r: int, c: int) -> str:
    """The Dashboard's boundary cell in row r (x₂ falling downwards) and column c (x₁ rising
    to the right): p = σ(z) of its grid point."""
    z = f"INDEX({plan.blocks['grid_z'].ref},{c * GRID + GRID - 1 - r + 1})"
    return f"(1+TANH({z}/2))/2"


def point_rule(plan: TrainingPlan, label: int, top: int, left: int) -> str:
    """The conditional format's test of a boundary cell: a training point of class
    ``label`` lies nearer its grid point than any other's. ``top`` and ``left`` are the
    1-based row and column of the cell with x₁ = GRID_LOW and x₂ = GRID_HIGH."""
    x = plan.blocks["x_train"]
    x1, x2 = (Block("x", x.sheet, x.row, x.col + j, x.rows, 1, "").ref for j in (0, 1))
    per = (GRID - 1) / (GRID_HIGH - GRID_LOW)
    c = f"ROUND(({x1}-({GRID_LOW:g}))*{per:g},0)"
    r = f"ROUND(({GRID_HIGH:g}-{x2})*{per:g},0)"
    y = label_ref(plan, "train")
    return f"SUMPRODUCT(({c}=COLUMN()-{left})*({r}=ROW()-{top})*({y}={label}))>0"


# ---------------------------------------------------------------------- Dashboard


def summary(plan: TrainingPlan, i: int, j: int) -> str:
    """The Dashboard's table: row i of SUMMARY_ROWS at the first (j = 0) or last step
    (j = 1), or its largest value over the run (j = 2)."""
    where = {"train_loss": ("loss", 0), "test_loss": ("loss", 1),
             "train_acc": ("accuracy", 0), "test_acc": ("accuracy", 1),
             "norm_in": ("grad_norm", 0), "norm_out": ("grad_norm", plan.count - 1),
             "norm_all": ("clipping", 0), "norm_clipped": ("clipping", 0)}
    name, col = where[SUMMARY_ROWS[i]]
    block = plan.blocks[name]
    clipped = SUMMARY_ROWS[i] == "norm_clipped"
    if j == 2:
        column = Block("c", block.sheet, block.row, block.col + col, block.rows, 1, "").ref
        if clipped:
            factor = plan.blocks["clipping"]
            scale = Block("f", factor.sheet, factor.row, factor.col + 1, factor.rows, 1, "").ref
            return f"MAX({column}*{scale})"
        return f"MAX({column})"
    t = 0 if j == 0 else plan.settings.steps
    value = plan.steps_cell(name, t, col)
    return f"{value}*{plan.steps_cell('clipping', t, 1)}" if clipped else value


def _text(template: str, *args: str) -> str:
    """Formula text of ``template`` with each ``{}`` (or ``{k}``: argument k) replaced by a
    formula's value, as ``str.format`` places them."""
    pieces = re.split(r"\{(\d*)\}", template)
    out = [f'"{pieces[0]}"']
    for n, (slot, piece) in enumerate(zip(pieces[1::2], pieces[2::2], strict=True)):
        out += [args[int(slot) if slot else n], f'"{piece}"']
    return "&".join(p for p in out if p != '""')


def header(words: dict[str, str]) -> str:
    """The live description of the run: the chosen names, whether clipping is on, the
    warm-up and the steps (whole numbers only: engines join other numbers into text
    differently, so those are cells of their own)."""
    parts = [
        _text(words["act"], NAME_ACT),
        _text(words["init"], NAME_INIT),
        _text(words["opt"], NAME_OPT),
        f'IF({NAME_CLIP}>0,"{words["clip"]}","{words["noclip"]}")',
        f'IF({NAME_WARMUP}>0,{_text(words["warm"], NAME_WARMUP)},"{words["nowarm"]}")',
        _text(words["steps"], NAME_STEPS),
    ]
    return f'&"{words["sep"]}"&'.join(parts)


def settings_line(template: str, words: dict[str, str]) -> str:
    """The Guide's line of this file's settings: ``template`` around the header."""
    return _text(template, header(words))


def fact(plan: TrainingPlan, key: str) -> str:
    """The Guide's number ``key`` of GUIDE_FACTS about this file's run."""
    last = plan.settings.steps
    total = plan.blocks["clipping"]
    column = Block("c", total.sheet, total.row, total.col, total.rows, 1, "").ref
    updates = Block("f", total.sheet, total.row, total.col + 1, total.rows - 1, 1, "").ref
    a, b = plan.steps_cell("grad_norm", 0, 0), plan.steps_cell("grad_norm", 0, plan.count - 1)
    texts = {
        "sigma": NAME_SIGMA,
        "clip": NAME_CLIP,
        "loss_first": plan.steps_cell("loss", 0, 0),
        "loss_last": plan.steps_cell("loss", last, 0),
        "test_loss_last": plan.steps_cell("loss", last, 1),
        "ln2": "LN(2)",
        "accuracy_last": plan.steps_cell("accuracy", last, 0),
        "test_accuracy_last": plan.steps_cell("accuracy", last, 1),
        "ratio": f"IF({b}>0,{a}/{b},0)",
        "largest": f"MAX({column})",
        "largest_at": f"MATCH(MAX({column}),{column},0)-1",
        "largest_clipped": summary(plan, SUMMARY_ROWS.index("norm_clipped"), 2),
        "lr_first": plan.steps_cell("lr", 1),
        "lr_last": plan.steps_cell("lr", last),
        "clipped": f'COUNTIF({updates},"<1")',
    }
    return texts[key]
