"""The sheets of a training workbook but the Dashboard: Controls, Data, Draws, Params, Train,
Test, Steps, Boundary and the Guide. Cached values come from the reference mapping,
formula text from ``formulas``, places from the plan."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sheetsim.experiments.common.optimizers import EPS
from sheetsim.experiments.training import formulas, model, texts
from sheetsim.experiments.training.controls import controls
from sheetsim.experiments.training.layout import (
    BAND_TOP,
    GROUPS,
    GUIDE_FACTS,
    LIST_NAMES,
    NAME_BETA1,
    NAME_BETA2,
    NAME_CLIP,
    NAME_LR,
    NAME_MOMENTUM,
    NAME_ONES,
    NAME_RHO,
    NAME_SIGMA,
    NAME_SLOPE,
    NAME_SPREAD,
    NAME_WARMUP,
    STEPS_TOP,
    TrainingPlan,
    block_name,
    steps_columns,
)
from sheetsim.xlsx.cells import formula_entry

if TYPE_CHECKING:
    from sheetsim.build.writer import Canvas


def fill(c: Canvas[TrainingPlan], block: Any, formula: Callable[[int, int], str],
         style: Any) -> None:
    """Every cell of ``block``: formula(i, j), each entered as a one-cell array formula,
    with its reference value cached (a non-finite one as #NUM!).

    Nearly every formula here reads an array formula's result, directly or through
    another cell. LibreOffice loads an .xlsx with array cells dirty and does not pass a
    control's change on through them to plain formulas, which would keep stale values
    through AutoCalculate and F9; array-entered dependents are recomputed (see the
    interactive tests)."""
    ws = c.sheets[block.sheet]
    values = c.reference[block.name]
    for i in range(block.rows):
        for j in range(block.cols):
            v = values[i, j]
            if isinstance(v, float | int) and not isinstance(v, bool):
                v = float(v)
            c.entry(ws, block.row + i, block.col + j, (formula(i, j), True), style, v)


def _array(c: Canvas[TrainingPlan], name: str, text: str, style: Any) -> None:
    """One legacy array formula over block ``name``, its cells with their cached values."""
    b = c.plan.blocks[name]
    c.block_values(c.sheets[b.sheet], b, text, style)


def write_controls(c: Canvas[TrainingPlan], t: texts.Texts) -> None:
    """Named controls with notes and validation, the choice lists, the chosen positions."""
    plan = c.plan
    exp, styles, ws = plan.settings, c.styles, c.sheets["Controls"]
    ws.write_string(0, 0, t.controls_title, styles.title)
    ws.write_string(1, 0, t.controls_note, styles.note)
    ws.set_column(0, 0, 34)
    ws.set_column(1, 2, 12)
    ws.set_column(3, 3, 70)
    for control in controls(exp):
        c.control(ws, plan.names[control.name], t.control_labels[control.name],
                  control.to_cell(exp), t.control_help[control.name], control.fixed,
                  comment=False)  # the note is beside the cell: a comment's mark would cover it
    eps = plan.names[EPS.name]
    ws.write_number(eps.row, eps.col, exp.eps,
                    c.wb.add_format({"bg_color": "#FFF2CC", "border": 1, "num_format": "0E+00"}))
    first = plan.names[LIST_NAMES[0]]
    ws.write_string(first.row - 2, 0, t.lists_title, styles.caption)
    for j, (name, dropdown) in enumerate(zip(LIST_NAMES, formulas.DROPDOWNS, strict=True)):
        cell = plan.names[name]
        ws.write_string(cell.row - 1, j, dropdown, styles.header)
        for i, value in enumerate(formulas.DROPDOWNS[dropdown]):
            ws.write_string(cell.row + i, j, value, styles.fixed)
    idx = plan.blocks["indices"]
    for j, text in enumerate(t.index_headers):
        ws.write_string(idx.row - 1, j, text, styles.header)
    fill(c, idx, lambda i, j: formulas.index(j), styles.count)
    _validations(ws, plan, t)
    ws.freeze_panes(3, 0)


def _validations(ws: Any, plan: TrainingPlan, t: texts.Texts) -> None:
    def rule(name: str, spec: dict[str, Any]) -> None:
        cell = plan.names[name]
        ws.data_validation(cell.row, cell.col, cell.row, cell.col, {
            **spec, "error_title": t.control_labels[name][:32],
            "error_message": t.control_help[name]})

    for control in formulas.DROPDOWNS:
        rule(control, {"validate": "list",
                       "source": formula_entry(formulas.list_check(control))})
    positive = {"validate": "decimal", "criteria": ">", "value": 0}
    for name in (NAME_SIGMA, NAME_LR, "Eps", NAME_SPREAD):
        rule(name, positive)
    for name in (NAME_MOMENTUM, NAME_BETA1, NAME_BETA2):
        rule(name, {"validate": "decimal", "criteria": "between", "minimum": 0,
                    "maximum": 0.999999999999})
    rule(NAME_SLOPE, {"validate": "decimal", "criteria": ">=", "value": 0})
    rule(NAME_RHO, {"validate": "decimal", "criteria": "between", "minimum": 0,
                    "maximum": 0.999999999999})
    rule(NAME_CLIP, {"validate": "decimal", "criteria": ">=", "value": 0})
    rule(NAME_WARMUP, {"validate": "integer", "criteria": ">=", "value": 0})


def write_data(c: Canvas[TrainingPlan], t: texts.Texts) -> None:
    """Centres and labels (constants), the points (formulas of the draws), chart columns,
    the column of ones; the test set beside."""
    plan = c.plan
    styles, ws = c.styles, c.sheets["Data"]
    ws.write_string(0, 0, t.data_title, styles.title)
    for which in ("train", "test"):
        x = plan.blocks[f"x_{which}"]
        first = x.col - 4
        centres, labels = model.centres(x.rows)
        heads = t.data_headers if which == "train" else t.data_headers[:6]
        for j, text in enumerate(heads):
            ws.write_string(x.row - 1, first + j, text, styles.header)
        for i in range(x.rows):
            ws.write_number(x.row + i, first, i + 1, styles.label)
            ws.write_number(x.row + i, first + 1, centres[i, 0], styles.fixed)
            ws.write_number(x.row + i, first + 2, centres[i, 1], styles.fixed)
            ws.write_number(x.row + i, first + 3, labels[i, 0], styles.fixed)
        _array(c, f"x_{which}", formulas.points(plan, which), styles.value)
    fill(c, plan.blocks["train_shown"], lambda i, j: formulas.train_shown(plan, i, j),
         styles.value)
    ones = plan.names[NAME_ONES]
    for i in range(ones.rows):
        ws.write_number(ones.row + i, ones.col, 1, styles.fixed)
    ws.set_column(0, 16, 10)
    ws.freeze_panes(plan.blocks["x_train"].row, 0)


def write_draws(c: Canvas[TrainingPlan], t: texts.Texts) -> None:
    """The stored uniform draws."""
    plan = c.plan
    styles, ws = c.styles, c.sheets["Draws"]
    ws.write_string(0, 0, t.draws_title, styles.title)
    for name, b in plan.blocks.items():
        if b.kind == "uniform":
            ws.write_string(b.row - 1, b.col, name, styles.header)
            c.block_values(ws, b, None, styles.draw)
    ws.set_tab_color("#BDD7EE")


def write_params(c: Canvas[TrainingPlan], t: texts.Texts) -> None:
    """Every step's parameters, gradient and optimizer states."""
    plan = c.plan
    styles, ws = c.styles, c.sheets["Params"]
    ws.write_string(0, 0, t.params_title, styles.title)
    for group in GROUPS:
        ws.write_string(1, plan.param_col(group, 1), t.groups[group], styles.caption)
        for k in range(1, plan.count + 1):
            ws.write_string(2, plan.param_col(group, k), t.layer.format(k=k), styles.header)
    for step in range(plan.settings.steps + 1):
        row = plan.param_row(step)
        ws.write_string(row, 0, f"{t.step} {step}", styles.label)
        for k in range(1, plan.count + 1):
            fan_in, fan_out = plan.sizes[k - 1]
            if step == 0:
                _array(c, block_name(0, "p", k), formulas.initial(plan, k), styles.value)
                for group, col in (("p", 0), ("m", 0), ("v", 0)):
                    base = plan.param_col(group, k)
                    first = fan_in if group == "p" else 0
                    for i in range(first, fan_in + 1):
                        for j in range(fan_out):
                            ws.write_number(row + i, base + j, col, styles.fixed)
            else:
                for group in ("m", "v", "p"):
                    _array(c, block_name(step, group, k),
                           formulas.update(plan, step, k, group), styles.value)
            for part in ("gw", "gb"):
                _array(c, block_name(step, part, k), formulas.gradient(plan, step, k, part),
                       styles.sci)
    ws.set_column(0, 0, 9)
    ws.set_column(1, plan.param_col("v", plan.count) + 1, 8)
    ws.freeze_panes(BAND_TOP, 1)


def write_passes(c: Canvas[TrainingPlan], t: texts.Texts) -> None:
    """Train (forward and backward) and Test (forward) of every step."""
    plan = c.plan
    styles = c.styles
    for sheet, title in (("Train", t.train_title), ("Test", t.test_title)):
        ws = c.sheets[sheet]
        ws.write_string(0, 0, title, styles.title)
        prefix = "" if sheet == "Train" else "t"
        heads = [("a", k) for k in range(1, plan.settings.layers + 1)]
        heads += [("z", None), ("p", None), ("ls", None)]
        if sheet == "Train":
            heads += [("d", k) for k in range(1, plan.count + 1)]
        for part, k in heads:
            ws.write_string(BAND_TOP - 1, plan.pass_col(part, k),
                            t.pass_headers[part].format(k=k), styles.header)
        for step in range(plan.settings.steps + 1):
            top = plan.step_block(sheet, step, "z").row
            ws.write_string(top, 0, f"{t.step} {step}", styles.label)
            for k in range(1, plan.settings.layers + 1):
                _array(c, block_name(step, prefix + "a", k),
                       formulas.forward(plan, sheet, step, "a", k), styles.value)
            for part in ("z", "p", "ls"):
                _array(c, block_name(step, prefix + part),
                       formulas.forward(plan, sheet, step, part), styles.value)
            if sheet == "Train":
                for k in range(plan.count, 0, -1):
                    _array(c, block_name(step, "d", k), formulas.delta(plan, step, k),
                           styles.sci)
        ws.set_column(0, 0, 9)
        ws.set_column(1, plan.pass_col("d", plan.count) + 1, 8)
        ws.freeze_panes(BAND_TOP, 1)


def write_steps(c: Canvas[TrainingPlan], t: texts.Texts) -> None:
    """One row per step: learning rate, losses, accuracies, gradient norms, clipping."""
    plan = c.plan
    styles, ws = c.styles, c.sheets["Steps"]
    ws.write_string(0, 0, t.steps_title, styles.title)
    ws.write_string(STEPS_TOP - 1, 0, t.step, styles.header)
    for i in range(plan.settings.steps + 1):
        ws.write_number(STEPS_TOP + i, 0, i, styles.label)
    for name, (col, cols) in steps_columns(plan.settings).items():
        words = t.steps_headers[name].split("|")
        for j in range(cols):
            text = words[j] if len(words) > 1 else words[0].format(k=j + 1)
            ws.write_string(STEPS_TOP - 1, col + j, text, styles.header)
        sci = name in ("grad_norm", "clipping", "norm_chart", "global_chart", "zero_chart")
        fill(c, plan.blocks[name], lambda i, j, name=name: formulas.steps(plan, name, i, j),
             styles.sci if sci else styles.value)
    floor = plan.blocks["norm_floor"]
    ws.write_string(floor.row - 1, floor.col, t.floor_label, styles.caption)
    fill(c, floor, lambda i, j: formulas.steps(plan, "norm_floor", i, j), styles.sci)
    ws.set_column(0, 0, 7)
    ws.set_column(1, 30, 12)
    ws.freeze_panes(STEPS_TOP, 1)


def write_boundary(c: Canvas[TrainingPlan], t: texts.Texts) -> None:
    """The grid, its forward pass through the last step's network, the chart columns."""
    plan = c.plan
    styles, ws = c.styles, c.sheets["Boundary"]
    ws.write_string(0, 0, t.boundary_title, styles.title)
    g = plan.blocks["grid"]
    for j, text in enumerate(("x₁", "x₂")):
        ws.write_string(g.row - 1, g.col + j, text, styles.header)
    fill(c, g, formulas.grid, styles.value)
    for k in range(1, plan.settings.layers + 1):
        b = plan.blocks[f"grid_a{k}"]
        ws.write_string(b.row - 1, b.col, t.pass_headers["a"].format(k=k), styles.header)
        _array(c, f"grid_a{k}", formulas.grid_forward(plan, "a", k), styles.value)
    z = plan.blocks["grid_z"]
    ws.write_string(z.row - 1, z.col, t.pass_headers["z"], styles.header)
    _array(c, "grid_z", formulas.grid_forward(plan, "z"), styles.value)
    shown = plan.blocks["grid_shown"]
    for j, key in enumerate(("grid1", "grid0")):
        ws.write_string(shown.row - 1, shown.col + j, t.series[key], styles.header)
    fill(c, shown, lambda i, j: formulas.grid_shown(plan, i, j), styles.value)
    ws.set_column(0, shown.col + 1, 9)
    ws.freeze_panes(g.row, 0)


def write_guide(c: Canvas[TrainingPlan], t: texts.Texts) -> None:
    """The Guide: this file's settings and numbers (formulas, in the rows the first
    section keeps for them: each number beside its label), then what the experiment is,
    what to try, what to look for, why."""
    plan, styles = c.plan, c.styles
    facts = plan.blocks["guide_facts"]
    c.guide(t.title, ((t.facts_title, ("",) * (1 + facts.rows)), *t.guide))
    fill(c, plan.blocks["guide_settings"],
         lambda i, j: formulas.settings_line(t.facts_settings, t.header), styles.wrap)
    ws = c.sheets["Guide"]
    kinds = {"accuracy_last": styles.share, "test_accuracy_last": styles.share,
             "largest_at": styles.count, "clipped": styles.count, "ratio": styles.sci,
             "largest": styles.sci, "largest_clipped": styles.sci}
    for i, key in enumerate(GUIDE_FACTS):
        ws.write_string(facts.row + i, 0, t.facts[key], styles.label)
        c.entry(ws, facts.row + i, facts.col, (formulas.fact(plan, key), True),
                kinds.get(key, styles.value), float(c.reference[facts.name][i, 0]))
    ws.set_column(facts.col, facts.col, 14)
