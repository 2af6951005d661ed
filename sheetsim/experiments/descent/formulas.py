"""Formula text for every cell of an optimizer-lab workbook: the one place it is made.

Each step is a plain formula referring to the row above (never an array formula), so a
spreadsheet recomputes a path whenever a control it depends on changes. Formulas refer to
controls by defined name and to other cells through the plan, and use only functions that
Excel 2010+, LibreOffice and Gnumeric all compute: CHOOSE, MATCH, IF, ISNUMBER, COUNTIF,
NA, ABS, MAX, MIN, SIGN, SQRT, TANH and the ``^`` of Adam's bias correction and the log
grids.
"""

from __future__ import annotations

import string

from sheetsim.experiments.common.functions import NORM_S_INV, number
from sheetsim.experiments.common.logaxis import shown_formula
from sheetsim.experiments.common.optimizers import DECAYS, OPTIMIZERS, adam_step, update
from sheetsim.experiments.descent.catalog import BOWL_CURVATURE, PLATEAU_EDGE, SURFACES
from sheetsim.experiments.descent.layout import (
    ANALYSIS_MAX_STEPS,
    ESCAPE_BOUND,
    ESCAPE_EDGE,
    ESCAPE_LEVELS,
    ESCAPE_MAX_STEPS,
    ESCAPE_SEQUENCES,
    ESCAPE_START,
    MINIMA_LRS,
    MINIMA_STARTS,
    NAME_DIFF,
    NAME_ESCAPE_HIGH,
    NAME_INDEX,
    NAME_K,
    NAME_MIN_LR_HIGH,
    NAME_MIN_LR_LOW,
    NAME_MIN_X_HIGH,
    NAME_MIN_X_LOW,
    NAME_NOISE,
    NAME_STEPS,
    NAME_SURFACE,
    NAME_SURFACE_LIST,
    NAME_SWEEP_HIGH,
    NAME_SWEEP_LOW,
    NAME_X0,
    NAME_XMAX,
    NAME_XMIN,
    NAME_Y0,
    NAME_YMAX,
    NAME_YMIN,
    SWEEP_POINTS,
    DescentPlan,
    escape_run,
    plateau_columns,
    start_names,
    sweep_columns,
)
from sheetsim.xlsx.cells import Block, cell, span


def _choose(texts: list[str]) -> str:
    """One alternative per surface, picked by the chosen surface's index."""
    return f"CHOOSE({NAME_INDEX},{','.join(texts)})"


def loss(x: str, y: str) -> str:
    """f(x, y) of the chosen surface."""
    return _choose([s.loss(x, y) for s in SURFACES.values()])


def grad_x(x: str, y: str) -> str:
    """∂f/∂x of the chosen surface."""
    return _choose([s.grad_x(x, y) for s in SURFACES.values()])


def grad_y(x: str, y: str) -> str:
    """∂f/∂y of the chosen surface."""
    return _choose([s.grad_y(x, y) for s in SURFACES.values()])


def _base(x: str) -> str:
    """g(x) of the chosen surface (f = g(x) + k·(y − m(x))²)."""
    return _choose([s.base(x) for s in SURFACES.values()])


def _floor(x: str) -> str:
    """m(x) of the chosen surface."""
    return _choose([s.floor(x) for s in SURFACES.values()])


def _square(v: str) -> str:
    return f"({v})*({v})"


def central_x(x: str, y: str) -> str:
    """(f(x + h, y) − f(x − h, y)) / 2h, h = DiffStep · max(1, |x|), differenced part by
    part: [g(x + h) − g(x − h) + k·((y − m(x + h))² − (y − m(x − h))²)] / 2h, so what
    does not change with x cancels exactly instead of drowning the difference in rounding."""
    h = f"{NAME_DIFF}*MAX(1,ABS({x}))"
    up, down = f"{x}+{h}", f"{x}-{h}"
    across = f"{_square(f'{y}-{_floor(up)}')}-{_square(f'{y}-{_floor(down)}')}"
    return f"({_base(up)}-{_base(down)}+{NAME_K}*({across}))/(2*({h}))"


def central_y(x: str, y: str) -> str:
    """(f(x, y + h) − f(x, y − h)) / 2h, h = DiffStep · max(1, |y|): only the term
    k·(y − m(x))² changes with y, so only it is differenced."""
    h = f"{NAME_DIFF}*MAX(1,ABS({y}))"
    m = _floor(x)
    across = f"{_square(f'{y}+{h}-{m}')}-{_square(f'{y}-{h}-{m}')}"
    return f"{NAME_K}*({across})/(2*({h}))"


# ----------------------------------------------------------------- the chosen surface

def surface_index() -> str:
    """The chosen surface's position in the list of surfaces."""
    return f"MATCH({NAME_SURFACE},{NAME_SURFACE_LIST},0)"


def selected(part: str) -> str:
    """One constant of the chosen surface (k, its chart window, its start point)."""
    if part == NAME_INDEX:
        return surface_index()
    if part == NAME_K:
        return _choose([number(s.k) for s in SURFACES.values()])
    window = (NAME_XMIN, NAME_XMAX, NAME_YMIN, NAME_YMAX)
    if part in window:
        j = window.index(part)
        return _choose([number(s.view[j]) for s in SURFACES.values()])
    j = (NAME_X0, NAME_Y0).index(part)
    return _choose([start_names(s)[j] for s in SURFACES])


def level(j: int) -> str:
    """The loss value of level curve j on the chosen surface."""
    return _choose([number(s.levels[j]) for s in SURFACES.values()])


def contour(plan: DescentPlan, i: int, part: str, j: int = 0) -> str:
    """Row i of the level-curve table: the grid x, g(x), m(x), or a branch of curve j
    (``upper``/``lower``): y = m ± √((c − g)/k) where g ≤ c and y lies in the window, else
    #N/A (not drawn)."""
    b = plan.blocks["contours"]
    x, g, m = (b.local(i, c) for c in range(3))
    if part == "x":
        last = b.rows - 1
        return f"{NAME_XMIN}+({NAME_XMAX}-{NAME_XMIN})*{i}/{last}"
    if part == "g":
        return _base(x)
    if part == "m":
        return _floor(x)
    c = plan.blocks["levels"].cell_ref(0, j)
    sign = "+" if part == "upper" else "-"
    y = f"({m}{sign}SQRT(({c}-{g})/{NAME_K}))"
    inside = f"MAX({y}-{NAME_YMAX},{NAME_YMIN}-{y})<=0"
    return f"IF({c}>={g},IF({inside},{y},NA()),NA())"


# ------------------------------------------------------------------------ the runs

def _row_cells(block: Block, columns: tuple[str, ...], first: int, i: int, coord: str,
               offset: int = 0) -> dict[str, str]:
    """The addresses ``update`` needs, for row i of a run whose columns start at
    ``first`` within ``block`` (``offset`` the run's position)."""
    here = {name: block.local(i, first + j) for j, name in enumerate(columns)}
    above = {name: block.local(i - 1, first + j) for j, name in enumerate(columns)}
    out = {"p": above[coord], "g": above.get(f"ng{coord}", above[f"g{coord}"])}
    for name in columns:
        if name[:-1] in ("v", "h", "m") and name.endswith(coord):
            out[name[:-1]] = above[name]
            out[name[:-1] + "_new"] = here[name]
    if "lr_t" in here:
        out["lr_t"] = here["lr_t"]
    return out


def _step(block: Block, i: int) -> str:
    """The step number of row i of a run block (column A, a constant)."""
    return cell(block.row + i, 0, absolute=True)


def path(plan: DescentPlan, opt: str, i: int, name: str) -> str:
    """Row i (step i) of ``<opt>_path``, column ``name``."""
    b = plan.path(opt)
    columns = plan.columns(opt)
    at = {c: b.local(i, j) for j, c in enumerate(columns)}
    x, y = at["x"], at["y"]
    if name == "loss":
        return loss(x, y)
    if name in ("gx", "gy"):
        return (grad_x if name == "gx" else grad_y)(x, y)
    if name in ("ngx", "ngy"):
        z = plan.blocks["noise_z"].cell_ref(i, "xy".index(name[-1]))
        return f"{at[name[1:]]}+{NAME_NOISE}*{z}"
    if name == "cdx":
        return central_x(x, y)
    if name == "cdy":
        return central_y(x, y)
    if name == "x_chart":
        return f"MAX({NAME_XMIN},MIN({NAME_XMAX},{x}))"
    if name == "y_chart":
        return f"MAX({NAME_YMIN},MIN({NAME_YMAX},{y}))"
    if name == "loss_chart":
        return shown_formula(at["loss"])
    if i == 0:
        return {"x": NAME_X0, "y": NAME_Y0}.get(name, "0")
    lr = OPTIMIZERS[opt].lr_name
    if name == "lr_t":
        return adam_step(lr, _step(b, i))
    coord = name[-1]
    return update(opt, coord, _row_cells(b, columns, 0, i, coord), lr, _step(b, i))[name]


def sweep(plan: DescentPlan, opt: str, i: int, k: int, name: str) -> str:
    """Row i of run k (learning rate k of the grid) of ``<opt>_sweep``, column ``name``."""
    b = plan.sweep(opt)
    columns = sweep_columns(opt)
    first = k * len(columns)
    at = {c: b.local(i, first + j) for j, c in enumerate(columns)}
    if name == "gx":
        return grad_x(at["x"], at["y"])
    if name == "gy":
        return grad_y(at["x"], at["y"])
    if i == 0:
        return {"x": NAME_X0, "y": NAME_Y0}.get(name, "0")
    lr = plan.blocks["sweep_lrs"].cell_ref(0, k)
    coord = name[-1]
    return update(opt, coord, _row_cells(b, columns, first, i, coord), lr, _step(b, i))[name]


def sweep_lr(k: int) -> str:
    """Learning rate k of the sweep: a log grid from SweepLrLow to SweepLrHigh."""
    return (f"{NAME_SWEEP_LOW}*({NAME_SWEEP_HIGH}/{NAME_SWEEP_LOW})"
            f"^({k}/{SWEEP_POINTS - 1})")


def sweep_loss(plan: DescentPlan, opt: str, k: int) -> str:
    """The loss where run k of ``opt`` ends."""
    b = plan.sweep(opt)
    first = k * len(sweep_columns(opt))
    return loss(b.cell_ref(b.rows - 1, first), b.cell_ref(b.rows - 1, first + 1))


def sweep_shown(plan: DescentPlan, row: int, k: int) -> str:
    """The final loss of run k as the sweep chart draws it."""
    return shown_formula(plan.blocks["sweep_loss"].cell_ref(row, k))


# ------------------------------------------------------------------ two minima table

def minima_lr(j: int) -> str:
    """Learning rate j of the two-minimum table: a log grid."""
    return (f"{NAME_MIN_LR_LOW}*({NAME_MIN_LR_HIGH}/{NAME_MIN_LR_LOW})"
            f"^({j}/{MINIMA_LRS - 1})")


def minima_start(i: int) -> str:
    """Start point i of the two-minimum table: an even grid."""
    return f"{NAME_MIN_X_LOW}+({NAME_MIN_X_HIGH}-{NAME_MIN_X_LOW})*{i}/{MINIMA_STARTS - 1}"


def minima_run(plan: DescentPlan, i: int, run: int) -> str:
    """Row i of run ``run`` (start run // lrs, learning rate run % lrs): plain gradient
    descent on two_minima, x only (its x-motion does not depend on y)."""
    b = plan.blocks["minima_runs"]
    start, j = divmod(run, MINIMA_LRS)
    if i == 0:
        return plan.blocks["minima_starts"].cell_ref(start, 0)
    x = b.local(i - 1, run)
    g = SURFACES["two_minima"].grad_x(x, "0")
    return f"{x}-{plan.blocks['minima_lrs'].cell_ref(0, j)}*{g}"


def minima_final(plan: DescentPlan, start: int, j: int) -> str:
    """Where the run from start point ``start`` with learning rate j ends."""
    b = plan.blocks["minima_runs"]
    return b.cell_ref(b.rows - 1, start * MINIMA_LRS + j)


def minima_class(plan: DescentPlan, start: int, j: int, words: dict[str, str]) -> str:
    """Which minimum that is: within 0.1 of −2 the global one, of 1 the local one."""
    x = plan.blocks["minima_final"].cell_ref(start, j)
    w = {k: f'"{v}"' for k, v in words.items()}
    return (f"IF(ISNUMBER({x}),IF(ABS({x}+2)<0.1,{w['global']},IF(ABS({x}-1)<0.1,"
            f"{w['local']},IF(ABS({x})>100,{w['diverged']},{w['neither']}))),"
            f"{w['diverged']})")


# ------------------------------------------------------------- noise and the escape

def normal(plan: DescentPlan, name: str, i: int, j: int) -> str:
    """A standard normal draw of block ``name`` (``noise_z``, ``escape_z``): NORM.S.INV of
    the uniform draw in the same place of its ``_u`` block."""
    u = plan.blocks[name.replace("_z", "_u")].cell_ref(i, j)
    return f"{NORM_S_INV}({u})"


def draw() -> str:
    """A live uniform draw (``--live``): every recalculation is a new sequence."""
    return "RAND()"


def escape_level(k: int) -> str:
    """Noise level k of the escape table: evenly from 0 to EscapeNoiseHigh."""
    return f"{NAME_ESCAPE_HIGH}*{k}/{ESCAPE_LEVELS - 1}"


def escape_run_cell(plan: DescentPlan, i: int, run: int) -> str:
    """Row i of escape run ``run``: SGD on two_minima from the local minimum, each step's
    gradient plus the run's noise level times its sequence's normal draw of that step."""
    b = plan.blocks["escape_runs"]
    if i == 0:
        return number(ESCAPE_START)
    k, j, m = escape_run(run)
    x = b.local(i - 1, run)
    g = SURFACES["two_minima"].grad_x(x, "0")
    lr = plan.blocks["escape_lrs"].cell_ref(0, j)
    level = plan.blocks["escape_levels"].cell_ref(k, 0)
    z = plan.blocks["escape_z"].cell_ref(i - 1, m)
    return f"IF(ABS({x})>{number(ESCAPE_BOUND)},NA(),{x}-{lr}*({g}+{level}*{z}))"


def escape_share(plan: DescentPlan, k: int, j: int) -> str:
    """The share of the sequences of noise level k and learning rate j that end nearer the
    global minimum than the local one (below x = −0.5; an overflowed run does not count)."""
    b = plan.blocks["escape_runs"]
    first = (k * MINIMA_LRS + j) * ESCAPE_SEQUENCES
    last = f"{b.sheet}!{span(b.row + b.rows - 1, b.col + first, 1, ESCAPE_SEQUENCES, True)}"
    return f'COUNTIF({last},"<{number(ESCAPE_EDGE)}")/{ESCAPE_SEQUENCES}'


# --------------------------------------------------------------------- plateau runs

def plateau(plan: DescentPlan, opt: str, i: int, name: str) -> str:
    """Row i of ``opt``'s plateau run, column ``name``."""
    b = plan.blocks["plateau_runs"]
    columns = plateau_columns(opt)
    first = plan.plateau_col(opt, "x")
    at = {c: b.local(i, first + j) for j, c in enumerate(columns)}
    if name == "gx":
        return SURFACES["plateau"].grad_x(at["x"], "0")
    if name == "low":
        if i == 0:
            return at["x"]
        low = b.local(i - 1, first + columns.index("low"))
        return f"IF(ISNUMBER({at['x']}),MIN({low},{at['x']}),{low})"
    if i == 0:
        return start_names("plateau")[0] if name == "x" else "0"
    lr = OPTIMIZERS[opt].lr_name
    return update(opt, "x", _row_cells(b, columns, first, i, "x"), lr, _step(b, i))[name]


def plateau_escape(plan: DescentPlan, opt: str) -> str:
    """The first step with x below the plateau's edge: how many rows the lowest x so far
    is still at or above it (steps + 1 when the run never leaves)."""
    b = plan.blocks["plateau_runs"]
    rng = b.column_ref(plan.plateau_col(opt, "low"))
    return f'COUNTIF({rng},">={number(PLATEAU_EDGE)}")'


def plateau_label(plan: DescentPlan, k: int, never: str) -> str:
    """The escape step, or the word for a run that stays on the plateau."""
    e = plan.blocks["plateau_escape"].cell_ref(0, k)
    return f'IF({e}>{plan.analysis_steps},{text_of(never)},{e})'


def plateau_shown(plan: DescentPlan, k: int) -> str:
    """The escape step as the chart draws it: no bar (#N/A) for a run that stays."""
    e = plan.blocks["plateau_escape"].cell_ref(0, k)
    return f"IF({e}>{plan.analysis_steps},NA(),{e})"


# ----------------------------------------------------------------------- Dashboard

def final(plan: DescentPlan, opt: str, part: str) -> str:
    """The Dashboard's final-position table: the learning rate, or the last row's x, y or
    loss of the optimizer's path."""
    if part == "lr":
        return OPTIMIZERS[opt].lr_name
    b = plan.path(opt)
    return b.cell_ref(b.rows - 1, plan.columns(opt).index(part))


def header(plan: DescentPlan, words: tuple[str, ...]) -> str:
    """The live header: the surface, its start, the steps, the optimizers and, with noise,
    σ (the learning rates are in the table under it: Gnumeric turns a rate such as 0.01
    into text as 0.0099999999999999999998)."""
    surface, start, comma, close, rates, noise = words
    lrs = text_of(", ".join(OPTIMIZERS[o].label for o in plan.settings.optimizers))
    text = (f'{text_of(surface)}&{NAME_SURFACE}&{text_of(start)}&{NAME_X0}&{text_of(comma)}'
            f'&{NAME_Y0}&{text_of(close)}&{NAME_STEPS}&{text_of(rates)}&{lrs}')
    if plan.noisy:
        text += f"&{text_of(noise)}&{NAME_NOISE}"
    return text


def text_of(words: str) -> str:
    """Words as a formula's text constant."""
    return '"' + words.replace('"', '""') + '"'


def reference(block: Block, i: int, j: int) -> str:
    """A plain reference to one cell of another block."""
    return block.cell_ref(i, j)


def list_check() -> str:
    """The validation list of the Surface dropdown."""
    return NAME_SURFACE_LIST


# --------------------------------------------------------------------------- Guide

TEXT_PIECE = 250
"""Excel takes a text constant of at most 255 characters inside a formula."""


def text(words: str) -> str:
    """Words as formula text: quoted, in pieces short enough for Excel, joined by ``&``."""
    pieces = [words[i:i + TEXT_PIECE] for i in range(0, len(words), TEXT_PIECE)] or [""]
    return "&".join('"' + p.replace('"', '""') + '"' for p in pieces)


def guide_line(template: str, fields: dict[str, str]) -> str:
    """A Guide line as one formula: the template's words as text, each ``{field}`` as the
    formula of that field."""
    parts = []
    for literal, field, _, _ in string.Formatter().parse(template):
        if literal:
            parts.append(text(literal))
        if field is not None:
            parts.append(f"({fields[field]})")
    return "&".join(parts)


def rounded(value: str, digits: int, overflow: str) -> str:
    """A result as text rounded to ``digits`` decimals, or the word for an overflow."""
    return f'IF(ISNUMBER({value}),ROUND({value},{digits}),{text(overflow)})'


def noise_floor(lr: str, sigma: str) -> str:
    """The mean loss noisy SGD settles at on the bowl: each coordinate with curvature a
    contributes lr·σ²/(2·(2 − lr·a)) (stable for lr·a < 2)."""
    ax, ay = BOWL_CURVATURE
    return (f"{lr}*{sigma}*{sigma}/2*(1/(2-{lr}/{number(1 / ax)})"
            f"+1/(2-{number(ay)}*{lr}))")


def last_half(plan: DescentPlan) -> int:
    """How many of the last steps the Guide's average loss covers: half the steps."""
    return max(1, plan.settings.steps // 2)


def guide_fields(plan: DescentPlan, overflow: str, never: str) -> dict[str, str]:
    """The formula of every field the Guide's live lines name."""
    opts = plan.settings.optimizers
    escapes = '&", "&'.join(f'"{OPTIMIZERS[o].label} "&{plateau_label(plan, k, never)}'
                            for k, o in enumerate(opts))
    fields = {"surface": NAME_SURFACE, "x0": start_names("plateau")[0],
              "steps": f"MIN({NAME_STEPS},{ANALYSIS_MAX_STEPS})", "escapes": escapes}
    if "rmsprop" in opts:
        lr, rho = OPTIMIZERS["rmsprop"].lr_name, DECAYS["rho"].name
        fields |= {"rho": rho,
                   "rms_first": f"ROUND({lr}/SQRT(1-{rho}),4)"}
    if plan.noisy:
        averages = []
        half = last_half(plan)
        for opt in plan.settings.optimizers:
            b = plan.path(opt)
            col = plan.columns(opt).index("loss")
            rng = f"{b.sheet}!{span(b.row + b.rows - half, b.col + col, half, 1, True)}"
            averages.append(f'"{OPTIMIZERS[opt].label} "&{rounded(f"AVERAGE({rng})", 3, overflow)}')
        fields |= {
            "noise": NAME_NOISE, "noise_half": f"{NAME_NOISE}/2",
            "noise_tenth": f"{NAME_NOISE}/10", "half": f"MAX(1,INT({NAME_STEPS}/2))",
            "averages": '&", "&'.join(averages),
            "sequences": str(ESCAPE_SEQUENCES), "high": NAME_ESCAPE_HIGH,
            "escape_steps": f"MIN({NAME_STEPS},{ESCAPE_MAX_STEPS})",
        }
        if "sgd" in plan.settings.optimizers:
            lr = OPTIMIZERS["sgd"].lr_name
            floor = noise_floor(lr, NAME_NOISE)
            fields |= {"lr_sgd": lr, "floor": f'IF({lr}<1,ROUND({floor},3),"—")'}
    return fields
