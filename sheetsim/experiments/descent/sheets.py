"""The sheets of an optimizer-lab workbook but the Dashboard: Controls, Surfaces, one sheet
per optimizer, Sweep, Minima, Plateau and the Guide. Cached values come from the
reference mapping, formula text from ``formulas``, places from the plan."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sheetsim.experiments.common.optimizers import OPTIMIZERS, PARAM_NAMES
from sheetsim.experiments.descent import formulas, texts
from sheetsim.experiments.descent.catalog import LEVELS, SURFACE_NAMES
from sheetsim.experiments.descent.controls import controls
from sheetsim.experiments.descent.layout import (
    CONTROL_TOP,
    ESCAPE_SEQUENCES,
    MINIMA_LRS,
    MINIMA_STARTS,
    NAME_DIFF,
    NAME_EPS,
    NAME_ESCAPE_HIGH,
    NAME_NOISE,
    NAME_SURFACE,
    RUN_HEAD,
    SELECTED,
    SWEEP_POINTS,
    DescentPlan,
    escape_run,
    guide_rows,
    guide_sections,
    plateau_columns,
    sweep_columns,
)
from sheetsim.xlsx.cells import Block, formula_entry

if TYPE_CHECKING:
    from sheetsim.build.writer import Canvas

NA_TEXT = "#N/A"
Formula = Callable[[int, int], str]


def fill(c: Canvas[DescentPlan], block: Block, formula: Formula, style: Any,
         na: bool = False) -> None:
    """Every cell of ``block``: formula(i, j) with its reference value cached. Non-finite
    values are #NUM! (overflow), or #N/A where ``na`` (a point not drawn). ``style`` is a
    format, or a sequence of one format per column."""
    ws = c.sheets[block.sheet]
    values = c.reference[block.name]
    styles = style if isinstance(style, list | tuple) else [style] * block.cols
    for i in range(block.rows):
        for j in range(block.cols):
            v = values[i, j]
            if isinstance(v, float | int) and not isinstance(v, bool):
                v = float(v)
                if na and not math.isfinite(v):
                    v = NA_TEXT
            c.formula(ws, block.row + i, block.col + j, formula(i, j), styles[j], v)


def _steps(c: Canvas[DescentPlan], ws: Any, block: Block, t: texts.Texts) -> None:
    """Step numbers beside a block of runs (column A), with the header."""
    ws.write_string(block.row - 1, 0, t.step, c.styles.header)
    for i in range(block.rows):
        ws.write_number(block.row + i, 0, i, c.styles.label)


def write_controls(c: Canvas[DescentPlan], t: texts.Texts) -> None:
    """Named controls with notes and validation, the start points, the colour key."""
    plan = c.plan
    exp, styles, ws = plan.settings, c.styles, c.sheets["Controls"]
    ws.write_string(0, 0, t.controls_title, styles.title)
    ws.write_string(1, 0, t.controls_note, styles.note)
    ws.set_column(0, 0, 34)
    ws.set_column(1, 2, 12)
    ws.set_column(3, 3, 90)
    for control in controls(exp):
        if control.layer is not None:
            continue
        c.control(ws, plan.names[control.name], t.control_labels[control.name],
                  control.to_cell(exp), t.control_help[control.name], control.fixed)
    _validations(ws, plan, t)
    eps = plan.names[NAME_EPS]  # 1e-7 reads "0" in the controls' format
    ws.write_number(eps.row, eps.col, exp.eps,
                    c.wb.add_format({"bg_color": "#FFF2CC", "border": 1,
                                     "num_format": "0.0##E+00"}))

    top = plan.start_table_top
    ws.write_string(top - 1, 0, t.start_title, styles.caption)
    for j, text in enumerate(t.start_headers):
        ws.write_string(top, j, text, styles.header)
    for i, surface in enumerate(SURFACE_NAMES):
        r = top + 1 + i
        ws.write_string(r, 0, surface, styles.fixed)
        for j, v in enumerate(exp.start_of(surface)):
            ws.write_number(r, 1 + j, v, styles.control_num)
            ws.data_validation(r, 1 + j, r, 1 + j, {
                "validate": "decimal", "criteria": "between", "minimum": -1e6,
                "maximum": 1e6})
        ws.write_string(r, 3, t.surfaces[surface], styles.note)

    key_row = top + len(SURFACE_NAMES) + 2
    ws.write_string(key_row, 0, t.key_title, styles.caption)
    for i, (text, style) in enumerate(zip(t.key, (styles.control, styles.fixed, styles.text),
                                          strict=True)):
        ws.write_string(key_row + 1 + i, 0, text, style)
    ws.freeze_panes(CONTROL_TOP, 0)


def _validations(ws: Any, plan: DescentPlan, t: texts.Texts) -> None:
    def rule(name: str, spec: dict[str, Any]) -> None:
        if name not in plan.names:
            return
        cell = plan.names[name]
        ws.data_validation(cell.row, cell.col, cell.row, cell.col, {
            **spec, "error_title": t.control_labels[name][:32],
            "error_message": t.control_help[name]})

    rule(NAME_SURFACE, {"validate": "list",
                        "source": formula_entry(formulas.list_check())})
    positive = {"validate": "decimal", "criteria": ">", "value": 0}
    decay = {"validate": "decimal", "criteria": "between", "minimum": 0,
             "maximum": 0.999999999999}
    for key, name in PARAM_NAMES.items():
        rule(name, positive if key.startswith("lr_") else decay)
    rule(NAME_EPS, positive)
    rule(NAME_NOISE, {"validate": "decimal", "criteria": ">=", "value": 0})
    rule(NAME_ESCAPE_HIGH, positive)
    rule(NAME_DIFF, {"validate": "decimal", "criteria": "between", "minimum": 1e-12,
                     "maximum": 0.1})
    for name in ("SweepLrLow", "SweepLrHigh", "MinimaLrLow", "MinimaLrHigh"):
        rule(name, positive)
    for name in ("MinimaXLow", "MinimaXHigh"):
        rule(name, {"validate": "decimal", "criteria": "between", "minimum": -1e6,
                    "maximum": 1e6})


def write_surfaces(c: Canvas[DescentPlan], t: texts.Texts) -> None:
    """The chosen surface's constants, its level values and the level-curve table."""
    plan = c.plan
    styles, ws = c.styles, c.sheets["Surfaces"]
    ws.write_string(0, 0, t.surfaces_title, styles.title)
    sel = plan.blocks["selected"]
    for j, text in enumerate(t.selected_headers):
        ws.write_string(sel.row - 1, sel.col + j, text, styles.header)
    fill(c, sel, lambda i, j: formulas.selected(SELECTED[j]), styles.value)
    lv = plan.blocks["levels"]
    ws.write_string(lv.row, 0, t.levels_label, styles.label)
    for j in range(LEVELS):
        ws.write_string(lv.row - 1, lv.col + j, f"c{j + 1}", styles.header)
    fill(c, lv, lambda i, j: formulas.level(j), styles.value)
    b = plan.blocks["contours"]
    heads = [*t.contour_headers]
    for j in range(LEVELS):
        heads += [t.contour_branch[0].format(j=j + 1), t.contour_branch[1].format(j=j + 1)]
    for j, text in enumerate(heads):
        ws.write_string(b.row - 1, b.col + j, text, styles.header)

    def contour(i: int, j: int) -> str:
        if j < 3:
            return formulas.contour(plan, i, ("x", "g", "m")[j])
        level, branch = divmod(j - 3, 2)
        return formulas.contour(plan, i, ("upper", "lower")[branch], level)

    fill(c, b, contour, styles.value, na=True)
    ws.set_column(0, b.cols, 11)
    ws.freeze_panes(b.row, 1)


def write_optimizer(c: Canvas[DescentPlan], t: texts.Texts, opt: str) -> None:
    """One optimizer's sheet: its path (x, y, loss, gradient, central difference, state,
    the chart's values) and its runs of the learning-rate sweep."""
    plan = c.plan
    styles = c.styles
    path = plan.path(opt)
    ws = c.sheets[path.sheet]
    ws.write_string(0, 0, t.rules[opt], styles.title)
    ws.write_string(1, path.col, t.path_caption, styles.caption)
    _steps(c, ws, path, t)
    columns = plan.columns(opt)
    for j, name in enumerate(columns):
        ws.write_string(RUN_HEAD, path.col + j, t.columns[name], styles.header)
    fill(c, path, lambda i, j: formulas.path(plan, opt, i, columns[j]), styles.value)

    sweep = plan.sweep(opt)
    names = sweep_columns(opt)
    ws.write_string(1, sweep.col, t.sweep_caption, styles.caption)
    for k in range(SWEEP_POINTS):
        first = sweep.col + k * len(names)
        ws.write_string(RUN_HEAD - 1, first, t.run_label(k), styles.label)
        for j, name in enumerate(names):
            ws.write_string(RUN_HEAD, first + j, t.columns[name], styles.header)
    width = len(names)
    fill(c, sweep, lambda i, j: formulas.sweep(plan, opt, i, j // width, names[j % width]),
         styles.value)
    ws.set_column(0, 0, 7)
    ws.set_column(path.col, path.col + path.cols - 1, 12)
    ws.set_column(sweep.col, sweep.col + sweep.cols - 1, 10)
    ws.freeze_panes(path.row, 1)
    ws.set_tab_color(OPTIMIZERS[opt].colour)


def write_sweep(c: Canvas[DescentPlan], t: texts.Texts) -> None:
    """The sweep's learning rates, the loss where each run ends, and the charted values."""
    plan = c.plan
    styles, ws = c.styles, c.sheets["Sweep"]
    opts = plan.settings.optimizers
    ws.write_string(0, 0, t.sweep_title, styles.title)
    ws.write_string(1, 0, t.sweep_note, styles.note)
    lrs = plan.blocks["sweep_lrs"]
    ws.write_string(lrs.row, 0, t.sweep_lr, styles.label)
    fill(c, lrs, lambda i, k: formulas.sweep_lr(k), styles.sci)
    loss, shown = plan.blocks["sweep_loss"], plan.blocks["sweep_shown"]
    for block, title in ((loss, t.sweep_loss), (shown, t.sweep_shown)):
        ws.write_string(block.row - 1, 0, title, styles.header)
        for k in range(SWEEP_POINTS):
            ws.write_string(block.row - 1, block.col + k, t.run_label(k), styles.header)
        for i, opt in enumerate(opts):
            ws.write_string(block.row + i, 0, OPTIMIZERS[opt].label, styles.label)
    fill(c, loss, lambda i, k: formulas.sweep_loss(plan, opts[i], k), styles.sci)
    fill(c, shown, lambda i, k: formulas.sweep_shown(plan, i, k), styles.sci)
    ws.set_column(0, 0, 36)
    ws.set_column(1, SWEEP_POINTS, 11)


def write_minima(c: Canvas[DescentPlan], t: texts.Texts) -> None:
    """The two-minimum grid, where each run ends, and the runs."""
    plan = c.plan
    styles, ws = c.styles, c.sheets["Minima"]
    ws.write_string(0, 0, t.minima_title, styles.title)
    ws.write_string(1, 0, t.minima_note, styles.note)
    lrs, starts = plan.blocks["minima_lrs"], plan.blocks["minima_starts"]
    ws.write_string(lrs.row, 0, t.minima_corner, styles.header)
    fill(c, lrs, lambda i, j: formulas.minima_lr(j), styles.value)
    fill(c, starts, lambda i, j: formulas.minima_start(i), styles.value)
    fill(c, plan.blocks["minima_final"], lambda i, j: formulas.minima_final(plan, i, j),
         styles.value)
    runs = plan.blocks["minima_runs"]
    ws.write_string(runs.row - 2, runs.col, t.minima_runs, styles.caption)
    _steps(c, ws, runs, t)
    for run in range(runs.cols):
        i, j = divmod(run, MINIMA_LRS)
        ws.write_string(runs.row - 1, runs.col + run, t.minima_run.format(i=i + 1, j=j + 1),
                        styles.header)
    fill(c, runs, lambda i, run: formulas.minima_run(plan, i, run), styles.value)
    ws.set_column(0, 0, 14)
    ws.set_column(1, max(runs.cols, MINIMA_LRS), 11)
    ws.freeze_panes(runs.row, 1)
    assert starts.rows == MINIMA_STARTS


def write_plateau(c: Canvas[DescentPlan], t: texts.Texts) -> None:
    """Each optimizer's x on the plateau and the first step it is off the shelf."""
    plan = c.plan
    styles, ws = c.styles, c.sheets["Plateau"]
    opts = plan.settings.optimizers
    ws.write_string(0, 0, t.plateau_title, styles.title)
    ws.write_string(1, 0, t.plateau_note, styles.note)
    escape = plan.blocks["plateau_escape"]
    ws.write_string(escape.row, 0, t.plateau_escape, styles.label)
    for k, opt in enumerate(opts):
        ws.write_string(escape.row - 1, escape.col + k, OPTIMIZERS[opt].label, styles.header)
    fill(c, escape, lambda i, k: formulas.plateau_escape(plan, opts[k]), styles.count)
    shown = plan.blocks["plateau_shown"]
    ws.write_string(shown.row, 0, t.plateau_shown, styles.label)
    fill(c, shown, lambda i, k: formulas.plateau_shown(plan, k), styles.count, na=True)
    runs = plan.blocks["plateau_runs"]
    _steps(c, ws, runs, t)
    names: list[tuple[str, str]] = []
    for opt in opts:
        first = runs.col + plan.plateau_col(opt, "x")
        ws.write_string(runs.row - 2, first, OPTIMIZERS[opt].label, styles.caption)
        for name in plateau_columns(opt):
            ws.write_string(runs.row - 1, runs.col + len(names), t.columns[name],
                            styles.header)
            names.append((opt, name))
    fill(c, runs, lambda i, j: formulas.plateau(plan, names[j][0], i, names[j][1]),
         styles.value)
    ws.set_column(0, 0, 22)
    ws.set_column(1, runs.cols, 11)
    ws.freeze_panes(runs.row, 1)


def write_guide(c: Canvas[DescentPlan], t: texts.Texts) -> None:
    """The Guide: what the experiment is, how to read it, what to try and why. A live line
    is a formula whose numbers read the file's controls and results: the Guide is laid
    out with its value (so its row is as tall as that text needs), then the formula takes
    the cell."""
    plan = c.plan
    sections = guide_sections(plan.settings, t)
    shown = tuple((heading, body if isinstance(body, str) else tuple(
        str(c.reference[f"guide_{line.key}"][0, 0]) if isinstance(line, texts.Live) else line
        for line in body)) for heading, body in sections)
    c.guide(t.title, shown)
    fields = formulas.guide_fields(plan, t.minima_classes["diverged"], t.never)
    ws = c.sheets["Guide"]
    for row, line, _ in guide_rows(sections):
        if isinstance(line, texts.Live):
            c.formula(ws, row, 0, formulas.guide_line(line.template, fields), c.styles.wrap,
                      c.reference[f"guide_{line.key}"][0, 0])


def write_escape(c: Canvas[DescentPlan], t: texts.Texts) -> None:
    """The escape table: noise levels × learning rates, the share of sequences that leave
    the local minimum, and the runs."""
    plan = c.plan
    styles, ws = c.styles, c.sheets["Escape"]
    ws.write_string(0, 0, t.escape_title, styles.title)
    ws.write_string(1, 0, t.escape_note.format(m=ESCAPE_SEQUENCES), styles.note)
    lrs, levels = plan.blocks["escape_lrs"], plan.blocks["escape_levels"]
    ws.write_string(lrs.row, 0, t.escape_corner, styles.header)
    src = plan.blocks["minima_lrs"]
    head = c.wb.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1,
                            "align": "center", "num_format": "0.###"})
    fill(c, lrs, lambda i, j: formulas.reference(src, 0, j), head)
    fill(c, levels, lambda i, j: formulas.escape_level(i), head)
    fill(c, plan.blocks["escape"], lambda i, j: formulas.escape_share(plan, i, j),
         styles.share)
    runs = plan.blocks["escape_runs"]
    ws.write_string(runs.row - 2, runs.col, t.escape_runs, styles.caption)
    _steps(c, ws, runs, t)
    for run in range(runs.cols):
        k, j, m = escape_run(run)
        ws.write_string(runs.row - 1, runs.col + run,
                        t.escape_run.format(k=k + 1, j=j + 1, m=m + 1), styles.header)
    fill(c, runs, lambda i, run: formulas.escape_run_cell(plan, i, run), styles.value)
    ws.set_column(0, 0, 16)
    ws.set_column(1, runs.cols, 11)
    ws.freeze_panes(runs.row, 1)


def write_draws(c: Canvas[DescentPlan], t: texts.Texts) -> None:
    """The noise's uniform draws (blue: stored, or =RAND() when live) and their normals."""
    plan = c.plan
    styles, ws = c.styles, c.sheets["Draws"]
    live = plan.settings.live
    ws.write_string(0, 0, t.draws_title, styles.title)
    ws.write_string(1, 0, t.draws_live if live else t.draws_note, styles.note)
    path_u, esc_u = plan.blocks["noise_u"], plan.blocks["escape_u"]
    _steps(c, ws, path_u, t)
    ws.write_string(path_u.row - 2, path_u.col, t.draws_path, styles.caption)
    ws.write_string(esc_u.row - 2, esc_u.col, t.draws_escape, styles.caption)
    for j, text in enumerate(t.draws_columns):
        ws.write_string(path_u.row - 1, path_u.col + j + (j >= 2), text, styles.header)
    for name in ("escape_u", "escape_z"):
        b = plan.blocks[name]
        for m in range(b.cols):
            head = ("u " if name == "escape_u" else "z ") + t.draws_sequence.format(m=m + 1)
            ws.write_string(b.row - 1, b.col + m, head, styles.header)
    for name in ("noise_u", "escape_u"):
        b = plan.blocks[name]
        if live:
            fill(c, b, lambda i, j: formulas.draw(), styles.draw)
        else:
            c.block_values(ws, b, None, styles.draw)
    for name in ("noise_z", "escape_z"):
        fill(c, plan.blocks[name], lambda i, j, name=name: formulas.normal(plan, name, i, j),
             styles.value)
    ws.set_column(0, 0, 7)
    ws.set_column(1, plan.blocks["escape_z"].col + ESCAPE_SEQUENCES, 9)
    ws.freeze_panes(path_u.row, 1)
    ws.set_tab_color("#BDD7EE")
