"""The sheets of a digits workbook but the Dashboard: Controls, Data, Draws, Batches, Params,
Train, Test, Steps and the Guide. Cached values come from the reference mapping, formula
text from ``formulas``, places from the plan."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from sheetsim.experiments.digits import formulas, texts
from sheetsim.experiments.digits.controls import controls
from sheetsim.experiments.digits.layout import (
    CHOICES,
    DROPDOWN_NAMES,
    GROUPS,
    LIST_NAMES,
    NAME_CLIP,
    NAME_DIGITS,
    NAME_LARS,
    NAME_LR,
    NAME_ONES_10,
    NAME_ONES_B,
    NAME_ONES_ROW,
    NAME_SIGMA,
    NAME_SLOPE,
    NAME_TEST_HOT,
    NAME_TRAIN_HOT,
    NAME_WARMUP,
    STEPS_TOP,
    TOP,
    DigitsPlan,
    block_name,
    steps_columns,
)
from sheetsim.experiments.digits.model import CLASSES, one_hot
from sheetsim.experiments.digits.reference import sets
from sheetsim.xlsx.cells import Block, formula_entry

if TYPE_CHECKING:
    from sheetsim.build.writer import Canvas

ERROR = "#NUM!"


def _cached(v: float) -> float | str:
    return v if math.isfinite(v) else ERROR


def fill(c: Canvas[DigitsPlan], block: Block, formula: Callable[[int, int], str],
         style: Any) -> None:
    """Every cell of ``block``: formula(i, j), each a one-cell array formula (a plain
    formula reading an array result would stay stale in LibreOffice after a control
    change), with its reference value cached."""
    ws = c.sheets[block.sheet]
    values = c.reference[block.name]
    for i in range(block.rows):
        for j in range(block.cols):
            v = values[i, j]
            if isinstance(v, float | int | np.floating) and not isinstance(v, bool):
                v = float(v)
            c.entry(ws, block.row + i, block.col + j, (formula(i, j), True), style, v)


def _array(c: Canvas[DigitsPlan], name: str, text: str, style: Any) -> None:
    """One legacy array formula over block ``name``, its cells with their cached values."""
    b = c.plan.blocks[name]
    c.block_values(c.sheets[b.sheet], b, text, style)


def _row_arrays(c: Canvas[DigitsPlan], name: str, formula: Callable[[int], str],
                style: Any) -> None:
    """One array formula per row of block ``name`` (a row of INDEX), values cached."""
    b = c.plan.blocks[name]
    ws, values = c.sheets[b.sheet], c.reference[name]
    for i in range(b.rows):
        ws.write_array_formula(b.row + i, b.col, b.row + i, b.col + b.cols - 1,
                               "{=" + formula(i) + "}", style, _cached(float(values[i, 0])))
        for j in range(1, b.cols):
            ws.write_number(b.row + i, b.col + j, float(values[i, j]), style)


def write_controls(c: Canvas[DigitsPlan], t: texts.Texts) -> None:
    """Named controls with notes and validation, the choice lists, the chosen positions."""
    plan = c.plan
    exp, styles, ws = plan.settings, c.styles, c.sheets["Controls"]
    ws.write_string(0, 0, t.controls_title, styles.title)
    ws.write_string(1, 0, t.controls_note, styles.note)
    ws.set_column(0, 0, 36)
    ws.set_column(1, 3, 12)
    ws.set_column(4, 4, 70)
    for control in controls(exp):
        cell = plan.names[control.name]
        value = control.to_cell(exp)
        if control.fixed and isinstance(value, str):  # shown grey like the other fixed ones
            ws.write_string(cell.row, 0, t.control_labels[control.name], styles.label)
            ws.write_string(cell.row, cell.col, value, styles.fixed)
            ws.write_string(cell.row, cell.col + 1, t.control_help[control.name], styles.note)
        else:
            c.control(ws, cell, t.control_labels[control.name], value,
                      t.control_help[control.name], control.fixed)
    first = plan.names[LIST_NAMES[0]]
    ws.write_string(first.row - 2, 0, t.lists_title, styles.caption)
    for j, (name, dropdown) in enumerate(zip(LIST_NAMES, DROPDOWN_NAMES, strict=True)):
        cell = plan.names[name]
        ws.write_string(cell.row - 1, j, dropdown, styles.header)
        for i, value in enumerate(CHOICES[j]):
            ws.write_string(cell.row + i, j, value, styles.fixed)
    idx = plan.blocks["indices"]
    for j, text in enumerate(t.index_headers):
        ws.write_string(idx.row - 1, j, text, styles.header)
    fill(c, idx, lambda i, j: formulas.index(j), styles.count)
    _validations(ws, plan, t)
    ws.freeze_panes(3, 0)


def _validations(ws: Any, plan: DigitsPlan, t: texts.Texts) -> None:
    def rule(name: str, spec: dict[str, Any]) -> None:
        cell = plan.names[name]
        ws.data_validation(cell.row, cell.col, cell.row, cell.col, {
            **spec, "error_title": t.control_labels[name][:32],
            "error_message": t.control_help[name]})

    for control in DROPDOWN_NAMES:
        rule(control, {"validate": "list",
                       "source": formula_entry(formulas.list_check(control))})
    for name in (NAME_SIGMA, NAME_LR, "Eps"):
        rule(name, {"validate": "decimal", "criteria": ">", "value": 0})
    for name in ("MomentumBeta", "RMSpropRho", "AdamBeta1", "AdamBeta2"):
        rule(name, {"validate": "decimal", "criteria": "between", "minimum": 0,
                    "maximum": 0.999999999999})
    for name in (NAME_SLOPE, NAME_CLIP, NAME_LARS):
        rule(name, {"validate": "decimal", "criteria": ">=", "value": 0})
    rule(NAME_WARMUP, {"validate": "integer", "criteria": ">=", "value": 0})


def write_data(c: Canvas[DigitsPlan], t: texts.Texts) -> None:
    """The training and test images (constants: rows of the data set), their data-set row,
    label and one-hot row; the columns of ones and the class numbers."""
    plan = c.plan
    exp, styles, ws = plan.settings, c.styles, c.sheets["Data"]
    ws.write_string(0, 0, t.data_title, styles.title)
    d = sets(exp)
    heads = t.data_headers
    for which, rows, labels, images, hot in (
            ("train", d["train_rows"], d["y"], d["x"], NAME_TRAIN_HOT),
            ("test", d["test_rows"], d["yt"], d["xt"], NAME_TEST_HOT)):
        b = plan.blocks[f"{which}_images"]
        ws.write_string(TOP - 2, b.col - 3, t.sets[which], styles.caption)
        ws.write_string(TOP - 1, b.col - 3, heads["number"], styles.header)
        ws.write_string(TOP - 1, b.col - 2, heads["row"], styles.header)
        ws.write_string(TOP - 1, b.col - 1, heads["label"], styles.header)
        for j in range(b.cols):
            ws.write_string(TOP - 1, b.col + j, heads["pixels"].format(k=j + 1), styles.header)
        h = plan.names[hot]
        for j in range(CLASSES):
            ws.write_string(TOP - 1, h.col + j, heads["hot"].format(k=j), styles.header)
        onehot = one_hot(labels)
        for i in range(b.rows):
            r = b.row + i
            ws.write_number(r, b.col - 3, i + 1, styles.fixed)
            ws.write_number(r, b.col - 2, int(rows[i]) + 1, styles.label)
            ws.write_number(r, b.col - 1, labels[i], styles.fixed)
            ws.write_row(r, b.col, images[i].tolist())
            ws.write_row(r, h.col, onehot[i].tolist())
    for name, values, head in ((NAME_ONES_B, [1] * exp.batch, heads["ones"]),
                               (NAME_ONES_10, [1] * CLASSES, heads["ones"]),
                               (NAME_DIGITS, list(range(CLASSES)), heads["digits"])):
        cell = plan.names[name]
        ws.write_string(cell.row - 1, cell.col, head, styles.header)
        ws.write_column(cell.row, cell.col, values, styles.fixed)
    row = plan.names[NAME_ONES_ROW]
    ws.write_string(row.row - 1, row.col, heads["ones"], styles.header)
    ws.write_row(row.row, row.col, [1] * CLASSES, styles.fixed)
    ws.set_column(0, row.col + CLASSES, 4)
    ws.freeze_panes(TOP, 0)


def write_draws(c: Canvas[DigitsPlan], t: texts.Texts) -> None:
    """The stored uniform draws (the batch draws as =RAND() in a live workbook)."""
    plan = c.plan
    styles, ws = c.styles, c.sheets["Draws"]
    ws.write_string(0, 0, t.draws_title, styles.title)
    if plan.settings.live:
        ws.write_string(1, 0, t.live_note, styles.note)
    for name, b in plan.blocks.items():
        if b.kind != "uniform":
            continue
        ws.write_string(b.row - 1, b.col, name, styles.header)
        if name == "u_batch" and plan.settings.live:
            values = c.reference[name]
            for i in range(b.rows):
                for j in range(b.cols):
                    ws.write_formula(b.row + i, b.col + j, "=RAND()", styles.draw,
                                     float(values[i, j]))
        else:
            c.block_values(ws, b, None, styles.draw)
    for i in range(plan.settings.steps + 1):
        ws.write_number(TOP + i, 0, i, styles.label)
    ws.set_tab_color("#BDD7EE")


def write_batches(c: Canvas[DigitsPlan], t: texts.Texts) -> None:
    """The training row each draw picks."""
    plan = c.plan
    styles, ws = c.styles, c.sheets["Batches"]
    ws.write_string(0, 0, t.batches_title, styles.title)
    ws.write_string(TOP - 1, 0, t.step, styles.header)
    b = plan.blocks["rows"]
    for j in range(b.cols):
        ws.write_number(TOP - 1, b.col + j, j + 1, styles.header)
    for i in range(b.rows):
        ws.write_number(TOP + i, 0, i, styles.label)
    _array(c, "rows", formulas.batch_rows(plan), styles.count)
    ws.freeze_panes(TOP, 1)


def write_params(c: Canvas[DigitsPlan], t: texts.Texts) -> None:
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
                for group in ("p", "m", "v"):
                    base = plan.param_col(group, k)
                    first = fan_in if group == "p" else 0
                    for i in range(first, fan_in + 1):
                        ws.write_row(row + i, base, [0] * fan_out, styles.fixed)
            else:
                for group in ("m", "v", "p"):
                    _array(c, block_name(step, group, k),
                           formulas.update(plan, step, k, group), styles.value)
            for part in ("gw", "gb"):
                _array(c, block_name(step, part, k), formulas.gradient(plan, step, k, part),
                       styles.sci)
    ws.set_column(0, 0, 9)
    ws.freeze_panes(TOP, 1)


def write_train(c: Canvas[DigitsPlan], t: texts.Texts) -> None:
    """Every step's batch, forward pass, loss and backward pass."""
    plan = c.plan
    styles, ws = c.styles, c.sheets["Train"]
    ws.write_string(0, 0, t.train_title, styles.title)
    _headers(ws, plan, "Train", t, styles)
    for step in range(plan.settings.steps + 1):
        ws.write_string(plan.band_top("Train", step), 0, f"{t.step} {step}", styles.label)
        for part in ("x", "y"):
            _row_arrays(c, block_name(step, part),
                        lambda i, part=part, step=step: formulas.batch_row(plan, step, i, part),
                        styles.value)
        for name in plan.columns("Train"):
            if name in ("x", "y"):
                continue
            head = name.rstrip("0123456789")
            if head == "st":
                k = name.removeprefix("st")
                for part in ("mu" + k, "var" + k):
                    _array(c, block_name(step, part), formulas.forward(plan, "Train", step, part),
                           styles.value)
            elif head in ("top", "pred"):
                fn = formulas.top if head == "top" else formulas.pred
                fill(c, plan.part("Train", step, name),
                     lambda i, j, fn=fn, step=step: fn(plan, "Train", step, i),
                     styles.count if head == "pred" else styles.value)
            elif head in ("ga", "d"):
                _array(c, block_name(step, name), formulas.backward(plan, step, name),
                       styles.sci)
            else:
                _array(c, block_name(step, name), formulas.forward(plan, "Train", step, name),
                       styles.value)
    ws.set_column(0, 0, 9)
    ws.freeze_panes(TOP, 1)


def write_test(c: Canvas[DigitsPlan], t: texts.Texts) -> None:
    """The test set through the network of every test pass."""
    plan = c.plan
    styles, ws = c.styles, c.sheets["Test"]
    ws.write_string(0, 0, t.test_title, styles.title)
    _headers(ws, plan, "Test", t, styles)
    for step in plan.evals:
        ws.write_string(plan.band_top("Test", step), 0, f"{t.step} {step}", styles.label)
        for name in plan.columns("Test"):
            head = name.rstrip("0123456789")
            if head in ("top", "pred"):
                fn = formulas.top if head == "top" else formulas.pred
                fill(c, plan.part("Test", step, name),
                     lambda i, j, fn=fn, step=step: fn(plan, "Test", step, i),
                     styles.count if head == "pred" else styles.value)
            else:
                _array(c, block_name(step, "t" + name),
                       formulas.forward(plan, "Test", step, name), styles.value)
    ws.set_column(0, 0, 9)
    ws.freeze_panes(TOP, 1)


def _headers(ws: Any, plan: DigitsPlan, sheet: str, t: texts.Texts, styles: Any) -> None:
    for name, (col, _) in plan.columns(sheet).items():
        head = name.rstrip("0123456789")
        k = name[len(head):]
        ws.write_string(TOP - 1, col, t.pass_headers[head].format(k=k), styles.header)


def write_steps(c: Canvas[DigitsPlan], t: texts.Texts) -> None:
    """One row per step, and one row per test pass on the right."""
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
        style = styles.sci if name in ("grad_norm", "clipping", "norm_chart", "lars") \
            else styles.value
        fill(c, plan.blocks[name], lambda i, j, name=name: formulas.steps(plan, name, i, j),
             style)
    acc = plan.blocks["accuracy"]
    for j, text in enumerate(t.evals_headers):
        ws.write_string(STEPS_TOP - 1, acc.col - 1 + j, text, styles.header)
    for e, step in enumerate(plan.evals):
        ws.write_number(STEPS_TOP + e, acc.col - 1, step, styles.label)
    fill(c, acc, lambda i, j: formulas.evaluation(plan, "accuracy", i, j), styles.share)
    fill(c, plan.blocks["test_loss"],
         lambda i, j: formulas.evaluation(plan, "test_loss", i, j), styles.value)
    ws.set_column(0, 0, 7)
    ws.set_column(1, acc.col + 3, 12)
    ws.freeze_panes(STEPS_TOP, 1)


def write_guide(c: Canvas[DigitsPlan], t: texts.Texts) -> None:
    """The Guide: what the experiment is, the data and its licence, what to try, why."""
    c.guide(t.title, t.guide)

