"""Write the workbook: every block with its formula and its correct cached value.

Small sheets (Controls, Histograms, Dashboard, Guide, manifest) go through xlsxwriter.
The heavy 1000×100 blocks go through ``bulk`` by default, or cell by cell through
xlsxwriter with ``fast=False`` (the straightforward path the fast one is tested against).
"""

from __future__ import annotations

import datetime as dt
import io
import math
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import xlsxwriter

from sheetsim import __version__, formulas, model, texts
from sheetsim.bulk import ERROR_TEXT, HeavySheet, assemble
from sheetsim.config import ACTIVATIONS, GLOBAL, INITS, SWITCH, Experiment
from sheetsim.layout import (
    CONTROL_TOP,
    DASH_TOP,
    FIXED_CONTROLS,
    GRAD_STATS,
    LAYER_COL,
    LIST_COL,
    MANIFEST_SHEET,
    NAME_ACTIVATION,
    NAME_BINS,
    NAME_BN,
    NAME_BN_EPS,
    NAME_GRAD_BINS,
    NAME_GRAD_HIGH,
    NAME_GRAD_LOW,
    NAME_HIGH,
    NAME_INIT,
    NAME_LOW,
    NAME_SAMPLES,
    NAME_SEED,
    NAME_SIGMA,
    NAME_SLOPE,
    STATS,
    Block,
    Plan,
    control_rows,
    distribution,
    layer_names,
    layer_parts,
)

FIXED_DATE = dt.datetime(2024, 1, 1)
MANIFEST_FORMAT = 1
Progress = Callable[[str], None]


@dataclass
class Results:
    """The reference model's numbers for every block of the plan."""

    fwd: model.Forward
    edges: np.ndarray
    stats: list[model.LayerStats]
    grad_edges: np.ndarray | None = None
    grad_counts: list[np.ndarray] | None = None

    @classmethod
    def of(cls, plan: Plan, fwd: model.Forward) -> Results:
        edges = model.bin_edges(plan.exp)
        out = cls(fwd, edges, [model.layer_stats(layer.z, edges) for layer in fwd.layers])
        if fwd.grads is not None:
            out.grad_edges = model.grad_edges(plan.exp)
            out.grad_counts = [model.bin_counts(np.abs(g.g), out.grad_edges) for g in fwd.grads]
        return out

    def stat(self, name: str) -> list[float]:
        return [getattr(s, name) for s in self.stats]

    def grad_stat(self, name: str) -> list[float]:
        assert self.fwd.grads is not None
        if name == "zero":
            return [model.zero_share(g.g) for g in self.fwd.grads]
        return [getattr(g, name) for g in self.fwd.grads]


class Styles:
    """The workbook's formats, with a colour key: yellow controls, blue draws, black formulas."""

    def __init__(self, wb: xlsxwriter.Workbook) -> None:
        add = wb.add_format
        self.title = add({"bold": True, "font_size": 16, "font_color": "#1F3864"})
        self.subtitle = add({"italic": True, "font_color": "#404040"})
        self.caption = add({"bold": True, "font_color": "#1F3864"})
        self.header = add({"bold": True, "bg_color": "#D9E1F2", "border": 1, "align": "center"})
        self.label = add({"bold": True})
        self.control = add({"bg_color": "#FFF2CC", "border": 1})
        self.control_num = add({"bg_color": "#FFF2CC", "border": 1, "num_format": "0.####"})
        self.fixed = add({"bg_color": "#EDEDED", "border": 1})
        self.note = add({"font_color": "#595959", "italic": True})
        self.draw = add({"num_format": "0.0000", "font_color": "#1F4E79"})
        self.draw_key = add({"font_color": "#1F4E79", "border": 1})
        self.centre = add({"align": "right"})
        self.value = add({"num_format": "0.0000"})
        self.count = add({"num_format": "#,##0"})
        self.share = add({"num_format": "0.0%"})
        self.sci = add({"num_format": "0.00E+00"})
        self.text = add({"border": 1})
        self.wrap = add({"text_wrap": True, "valign": "top"})


def write(
    plan: Plan,
    results: Results,
    path: Path,
    fast: bool = True,
    progress: Progress | None = None,
) -> None:
    """Write atomically: a temporary file beside ``path`` renamed into place when complete.

    Interrupted at any point (an exception, Ctrl-C, SIGTERM), ``path`` keeps its old bytes
    and the temporary file is removed; see ``atomic.replacing``.
    """
    from sheetsim import atomic

    with atomic.replacing(os.fspath(path)) as tmp:
        package = io.BytesIO()
        wb = xlsxwriter.Workbook(package, {"in_memory": True, "strings_to_numbers": False})
        heavy = _build(wb, plan, results, fast, progress)
        wb.close()
        if fast:
            assemble(package.getvalue(), heavy, tmp, progress)
        else:
            tmp.write_bytes(package.getvalue())


def _build(
    wb: xlsxwriter.Workbook, plan: Plan, results: Results, fast: bool, progress: Progress | None
) -> dict[str, HeavySheet]:
    t = texts.for_lang(plan.exp.lang)
    wb.set_properties({"title": t.title, "created": FIXED_DATE, "comments": "sheetsim"})
    wb.set_calc_mode("auto")
    styles = Styles(wb)
    sheets = {name: wb.add_worksheet(name) for name in plan.sheets}
    for named in plan.names.values():
        wb.define_name(named.name, named.target)

    _controls(sheets["Controls"], plan, results, styles, t)
    _histograms(sheets["Histograms"], plan, results, styles, t)
    if plan.exp.backward:
        _gradients(sheets["Gradients"], plan, results, styles, t)
    if plan.exp.has_batchnorm:
        _batchnorm(sheets["BatchNorm"], plan, results, styles, t)
    _dashboard(wb, sheets["Dashboard"], plan, results, styles, t)
    _guide(sheets["Guide"], plan.exp, styles, t)
    _manifest(sheets[MANIFEST_SHEET], plan)

    heavy: dict[str, HeavySheet] = {}
    for spec in _heavy_sheets(plan, results, styles, t):
        ws = sheets[spec.name]
        ws.freeze_panes(spec.block.row, spec.block.col)
        ws.set_column(0, 0, 8)
        ws.set_column(spec.block.col, spec.block.col + spec.block.cols - 1, 8)
        ws.set_tab_color("#BDD7EE" if spec.block.kind == "uniform" else "#C6E0B4")
        if fast:
            part = f"xl/worksheets/sheet{plan.sheets.index(spec.name) + 1}.xml"
            heavy[part] = spec
        else:
            if progress:
                progress(spec.name)
            _heavy_cells(ws, spec, styles)
    sheets["Dashboard"].activate()
    sheets["Dashboard"].set_first_sheet()
    sheets[MANIFEST_SHEET].hide()
    return heavy


def _heavy_sheets(
    plan: Plan, results: Results, styles: Styles, t: texts.Texts
) -> list[HeavySheet]:
    fwd = results.fwd
    draw = formulas.draw() if plan.exp.live else None
    specs = [
        (plan.blocks["input_u"], fwd.input_u, None),
        (plan.blocks["input"], fwd.x, formulas.input_values(plan)),
    ]
    exp = plan.exp
    for k, layer in enumerate(fwd.layers, 1):
        specs += [
            (plan.layer_block(k, "u"), layer.u, None),
            (plan.layer_block(k, "w"), layer.w, formulas.weights(plan, k)),
            (plan.layer_block(k, "a"), layer.a, formulas.linear(plan, k)),
        ]
        if exp.has_batchnorm:
            specs.append((plan.layer_block(k, "n"), layer.n, formulas.batchnorm(plan, k)))
        specs.append((plan.layer_block(k, "z"), layer.z, formulas.activation(plan, k)))
        if fwd.grads is not None:
            grad = fwd.grads[k - 1]
            if exp.has_batchnorm:
                specs.append((plan.layer_block(k, "d"), grad.dn, formulas.grad_pre(plan, k)))
            specs.append((plan.layer_block(k, "g"), grad.g, formulas.grad(plan, k)))
    if fwd.grads is not None:
        specs += [
            (plan.blocks["grad_u"], fwd.grad_u, None),
            (plan.blocks["upstream"], fwd.upstream, formulas.upstream(plan)),
        ]
    out = []
    for block, values, formula in specs:
        uniform = block.kind == "uniform"
        caption = t.live_caption if uniform and draw else t.block_captions[block.kind]
        out.append(
            HeavySheet(
                name=block.sheet,
                caption=f"{block.sheet}: {caption}",
                block=block,
                values=values,
                formula=formula,
                cell_formula=draw if uniform else None,
                header_style=styles.header._get_xf_index(),
                value_style=(styles.draw if uniform else styles.value)._get_xf_index(),
                caption_style=styles.caption._get_xf_index(),
            )
        )
    return out


def _heavy_cells(ws, spec: HeavySheet, styles: Styles) -> None:
    """The straightforward path: the same cells as ``bulk`` writes, through xlsxwriter."""
    b = spec.block
    ws.write_string(0, 0, spec.caption, styles.caption)
    for j in range(b.cols):
        ws.write_number(b.row - 1, b.col + j, j + 1, styles.header)
    style = styles.draw if b.kind == "uniform" else styles.value
    for i in range(b.rows):
        ws.write_number(b.row + i, 0, i + 1, styles.header)
    if spec.cell_formula is not None:
        for i in range(b.rows):
            for j in range(b.cols):
                ws.write_formula(b.row + i, b.col + j, "=" + spec.cell_formula, style,
                                 float(spec.values[i, j]))
        return
    _block_values(ws, b, spec.values, spec.formula, style)


def _block_values(ws, b: Block, values: np.ndarray, formula: str | None, style) -> None:
    """One legacy array formula over the block (or constants), every cell with its value."""
    values = np.asarray(values, dtype=np.float64).reshape(b.rows, b.cols)
    for i in range(b.rows):
        for j in range(b.cols):
            v = float(values[i, j])
            if i == 0 and j == 0 and formula is not None:
                ws.write_array_formula(
                    b.row, b.col, b.row + b.rows - 1, b.col + b.cols - 1,
                    "{=" + formula + "}", style, _cached(v),
                )
            elif math.isfinite(v):
                ws.write_number(b.row + i, b.col + j, v, style)
            else:
                ws.write_string(b.row + i, b.col + j, ERROR_TEXT, style)


def _cached(v: float) -> float | str:
    return v if math.isfinite(v) else ERROR_TEXT


def _controls(ws, plan: Plan, results: Results, styles: Styles, t: texts.Texts) -> None:
    exp = plan.exp
    ws.write_string(0, 0, t.controls_title, styles.title)
    ws.write_string(1, 0, t.controls_note, styles.note)
    ws.set_column(0, 0, 22)
    ws.set_column(1, 2, 14)
    ws.set_column(3, 4, 13)
    ws.set_column(5, 6, 8)
    ws.set_column(7, 9, 12)
    ws.set_column(10, 11, 12)
    ws.set_column(LIST_COL, LIST_COL + 5, 14)
    values = {
        NAME_INIT: exp.init,
        NAME_ACTIVATION: exp.activation,
        NAME_SIGMA: exp.sigma,
        NAME_SLOPE: exp.leaky_slope,
        NAME_BINS: exp.bins,
        NAME_LOW: exp.bin_low,
        NAME_HIGH: exp.bin_high,
        NAME_SAMPLES: exp.samples,
        NAME_SEED: exp.seed,
        NAME_BN: "on" if exp.batchnorm else "off",
        NAME_BN_EPS: exp.bn_eps,
        NAME_GRAD_LOW: exp.grad_low,
        NAME_GRAD_HIGH: exp.grad_high,
        NAME_GRAD_BINS: exp.grad_bins,
    }
    for name in control_rows(exp):
        cell = plan.names[name]
        ws.write_string(cell.row, 0, t.control_labels[name], styles.label)
        value = values[name]
        fixed = name in FIXED_CONTROLS
        if isinstance(value, str):
            ws.write_string(cell.row, cell.col, value, styles.control)
        else:
            style = styles.fixed if fixed else styles.control_num
            ws.write_number(cell.row, cell.col, value, style)
        ws.write_string(cell.row, cell.col + 1, t.control_help[name], styles.note)
        if not fixed:
            ws.write_comment(cell.row, cell.col, t.control_help[name],
                             {"x_scale": 2, "y_scale": 0.8})
    _validations(ws, plan, t)

    top = plan.control_table_top
    parts = layer_parts(exp)
    ws.write_string(top - 1, 0, t.layer_table_title, styles.caption)
    for part in parts:
        ws.write_string(top, LAYER_COL[part], t.layer_headers[LAYER_COL[part]], styles.header)
    for k, layer in enumerate(results.fwd.layers, 1):
        r = top + k
        fan_in, fan_out = layer.u.shape
        cells = {
            "layer": (t.layer_label(k), None, styles.label),
            "init_set": (exp.layer_init.get(k, GLOBAL), None, styles.control),
            "act_set": (exp.layer_activation.get(k, GLOBAL), None, styles.control),
            "init": (layer.init, formulas.layer_init(k), styles.text),
            "activation": (layer.activation, formulas.layer_activation(k), styles.text),
            "fan_in": (fan_in, None, styles.fixed),
            "fan_out": (fan_out, None, styles.fixed),
            "dist": (distribution(layer.init), formulas.weight_distribution(k), styles.text),
            "scale": (layer.scale, formulas.weight_scale(plan, k), styles.value),
            "wstd": (layer.weight_std, formulas.weight_std(k), styles.value),
            "bn_set": (exp.layer_batchnorm.get(k, GLOBAL), None, styles.control),
            "bn": ("on" if layer.batchnorm else "off", formulas.layer_batchnorm(k), styles.text),
        }
        for part in parts:
            value, formula, style = cells[part]
            col = LAYER_COL[part]
            if formula is not None:
                ws.write_formula(r, col, "=" + formula, style, value)
            elif isinstance(value, str):
                ws.write_string(r, col, value, style)
            else:
                ws.write_number(r, col, value, style)
        for part in ("init_set", "act_set", "bn_set")[: 3 if exp.has_batchnorm else 2]:
            ws.data_validation(r, LAYER_COL[part], r, LAYER_COL[part], {
                "validate": "list", "source": formulas.list_check(part),
            })

    lists = (
        (LIST_COL, t.list_titles[0], (GLOBAL, *INITS)),
        (LIST_COL + 1, t.list_titles[1], ("", *(distribution(i) for i in INITS))),
        (LIST_COL + 3, t.list_titles[2], (GLOBAL, *ACTIVATIONS)),
    ) + (((LIST_COL + 5, t.control_labels[NAME_BN], (GLOBAL, *SWITCH)),)
         if exp.has_batchnorm else ())
    for col, title, items in lists:
        ws.write_string(CONTROL_TOP - 1, col, title, styles.header)
        for i, item in enumerate(items):
            ws.write_string(CONTROL_TOP + i, col, item, styles.fixed)

    key_row = top + exp.layers + 2
    ws.write_string(key_row, 0, t.key_title, styles.caption)
    for i, (text, style) in enumerate(zip(t.key, (styles.control, styles.draw_key,
                                                 styles.text), strict=True)):
        ws.write_string(key_row + 1 + i, 0, text, style)
    ws.freeze_panes(CONTROL_TOP, 0)


def _validations(ws, plan: Plan, t: texts.Texts) -> None:
    def at(name: str) -> tuple[int, int]:
        return plan.names[name].row, plan.names[name].col

    lists = {NAME_INIT: "init", NAME_ACTIVATION: "activation"}
    if plan.exp.has_batchnorm:
        lists[NAME_BN] = "bn"
    for name, kind in lists.items():
        ws.data_validation(*at(name), *at(name), {
            "validate": "list", "source": formulas.list_check(kind),
            "error_title": t.control_labels[name], "error_message": t.control_help[name],
        })
    any_number = {"validate": "decimal", "criteria": "between", "minimum": -1e9, "maximum": 1e9}
    numeric = {
        NAME_SIGMA: {"validate": "decimal", "criteria": ">", "value": 0},
        NAME_SLOPE: any_number,
        NAME_BINS: {"validate": "integer", "criteria": "between", "minimum": 1,
                    "maximum": plan.exp.bins},
        NAME_LOW: any_number,
        NAME_HIGH: any_number,
        NAME_BN_EPS: {"validate": "decimal", "criteria": ">", "value": 0},
        NAME_GRAD_LOW: any_number,
        NAME_GRAD_HIGH: any_number,
    }
    for name, rule in numeric.items():
        if name not in plan.names:
            continue
        rule = {**rule, "error_title": t.control_labels[name],
                "error_message": t.control_help[name]}
        ws.data_validation(*at(name), *at(name), rule)


def _histograms(ws, plan: Plan, results: Results, styles: Styles, t: texts.Texts) -> None:
    exp = plan.exp
    width = (exp.bin_high - exp.bin_low) / exp.bins
    _histogram_sheet(
        ws, plan, styles, t, prefix="", title=t.hist_title, headers=t.hist_headers,
        columns=(results.edges, exp.bin_low + (np.arange(1, exp.bins + 1) - 0.5) * width),
        column_formulas=(formulas.edges(plan), formulas.centres(plan)),
        counts=[st.counts for st in results.stats],
        stats={stat: (t.stat_labels[stat], results.stat(stat)) for stat in STATS},
        stat_formula=lambda stat, k: formulas.stat(plan, stat, k),
    )


def _gradients(ws, plan: Plan, results: Results, styles: Styles, t: texts.Texts) -> None:
    exp = plan.exp
    assert results.grad_edges is not None and results.grad_counts is not None
    assert t.grad_stat_labels is not None
    k = np.arange(1, exp.grad_bins + 1)
    centres = exp.grad_low + (k - 0.5) * (exp.grad_high - exp.grad_low) / exp.grad_bins
    _histogram_sheet(
        ws, plan, styles, t, prefix="grad_", title=t.grad_title, headers=t.grad_headers,
        columns=(results.grad_edges, centres),
        column_formulas=(formulas.grad_edges(plan), formulas.grad_centres(plan)),
        counts=results.grad_counts,
        stats={s: (t.grad_stat_labels[s], results.grad_stat(s)) for s in GRAD_STATS},
        stat_formula=lambda stat, k: formulas.grad_stat(plan, stat, k),
        edge_style=styles.sci,
    )


def _histogram_sheet(ws, plan: Plan, styles: Styles, t: texts.Texts, *, prefix: str,
                     title: str, headers: tuple[str, str, str],
                     columns: tuple[np.ndarray, np.ndarray], column_formulas: tuple[str, str],
                     counts: list[np.ndarray], stats: dict[str, tuple[str, list[float]]],
                     stat_formula, edge_style=None) -> None:
    """A histogram sheet: bin numbers, edges, chart labels, per-layer counts, statistics."""
    layers = plan.exp.layers
    ws.write_string(0, 0, title, styles.title)
    index = plan.blocks[f"{prefix}bin_index"]
    head = index.row - 1
    for j, text in enumerate(headers):
        ws.write_string(head, j, text, styles.header)
    for k in range(1, layers + 1):
        col = plan.blocks[f"L{k}_{prefix}counts"].col
        ws.write_string(head, col, t.layer_label(k), styles.header)
    for i in range(index.rows):
        ws.write_number(index.row + i, index.col, i + 1, styles.label)
    ws.write_string(index.row + index.rows, index.col, t.hist_above, styles.label)
    _block_values(ws, plan.blocks[f"{prefix}edges"], columns[0], column_formulas[0],
                  edge_style or styles.value)
    _block_values(ws, plan.blocks[f"{prefix}centres"], columns[1], column_formulas[1],
                  styles.value)
    for k, layer_counts in enumerate(counts, 1):
        block = plan.blocks[f"L{k}_{prefix}counts"]
        for i, v in enumerate(layer_counts):
            ws.write_formula(block.row + i, block.col,
                             "=" + formulas.count(plan, k, i, prefix), styles.count,
                             _cached(float(v)))

    first = plan.stat_block(next(iter(stats)), prefix)
    ws.write_string(first.row - 1, 0, t.stats_title, styles.header)
    for k in range(1, layers + 1):
        ws.write_string(first.row - 1, first.col + k - 1, t.layer_label(k), styles.header)
    for stat, (label, values) in stats.items():
        b = plan.stat_block(stat, prefix)
        ws.write_string(b.row, 0, label, styles.label)
        style = styles.share if stat in SHARE_STATS else styles.value
        if stat in ("mean_abs", "wgrad"):
            style = styles.sci
        for k, v in enumerate(values, 1):
            text, is_array = stat_formula(stat, k)
            if is_array:
                ws.write_array_formula(b.row, b.col + k - 1, b.row, b.col + k - 1,
                                       "{=" + text + "}", style, _cached(v))
            else:
                ws.write_formula(b.row, b.col + k - 1, "=" + text, style, _cached(v))
    ws.set_column(0, 0, 18)
    ws.set_column(1, 2 + layers, 11)
    ws.freeze_panes(index.row, 3)


def _batchnorm(ws, plan: Plan, results: Results, styles: Styles, t: texts.Texts) -> None:
    """Per layer, each neuron's batch mean and variance (and the backward pass's means)."""
    assert t.bn_row_labels is not None
    exp = plan.exp
    ws.write_string(0, 0, t.bn_title, styles.title)
    for j in range(exp.width):
        ws.write_number(1, 1 + j, j + 1, styles.header)
    ws.set_column(0, 0, 22)
    ws.set_column(1, exp.width, 9)
    ws.freeze_panes(2, 1)
    for k, layer in enumerate(results.fwd.layers, 1):
        values = {"bn_mean": layer.mean, "bn_var": layer.var}
        if results.fwd.grads is not None:
            g = results.fwd.grads[k - 1]
            values["bn_dmean"] = g.dn.mean(axis=0)
            values["bn_dnmean"] = (g.dn * layer.n).mean(axis=0)
        first = plan.layer_block(k, "bn_mean")
        ws.write_string(first.row - 1, 0, t.layer_label(k), styles.caption)
        for part, row_values in values.items():
            b = plan.layer_block(k, part)
            ws.write_string(b.row, 0, t.bn_row_labels[part], styles.label)
            for j in range(b.cols):
                ws.write_formula(b.row, b.col + j, "=" + formulas.column_stat(plan, k, part, j),
                                 styles.value, _cached(float(row_values[j])))


CHART_W, CHART_H, CHARTS_PER_ROW = 330, 260, 5


def _dashboard(wb, ws, plan: Plan, results: Results, styles: Styles, t: texts.Texts) -> None:
    exp = plan.exp
    L = exp.layers
    ws.write_string(0, 0, t.title, styles.title)
    s = t.subtitle
    subtitle = f"{s[0]}{exp.init}{s[1]}{exp.activation}{s[2]}{exp.samples}{s[3]}{exp.seed}"
    ws.write_formula(1, 0, "=" + formulas.subtitle(t.subtitle), styles.subtitle, subtitle)
    ws.set_column(0, 0, 18)
    ws.set_column(1, max(L, 12), 11)
    ws.write_string(DASH_TOP, 0, "", styles.header)
    for k in range(1, L + 1):
        ws.write_string(DASH_TOP, k, t.layer_label(k), styles.header)
    for key in plan.dash_rows:
        b = plan.blocks[f"dash_{key}"]
        ws.write_string(b.row, 0, t.dash_labels[key], styles.label)
        for k in range(1, L + 1):
            target, value, style = _dash_cell(plan, results, styles, key, k)
            cached = _cached(value) if isinstance(value, float) else value
            ws.write_formula(b.row, b.col + k - 1, "=" + target, style,
                             cached)

    top = DASH_TOP + len(plan.dash_rows) + 2
    y = 10
    y = _histogram_charts(wb, ws, plan, "", [st.counts for st in results.stats], t.chart_x,
                          "0.0#", t, top, y)
    if results.grad_counts is not None:
        y = _histogram_charts(wb, ws, plan, "grad_", results.grad_counts, t.grad_chart_x, "0",
                              t, top, y)
    std = plan.stat_block("std")
    header = std.row - 1 - STATS.index("std")  # the layer labels above the statistics
    line = _line_chart(wb, t.std_chart_title, t.std_chart_x, t.std_chart_y)
    line.add_series({
        "name": t.std_chart_y,
        "categories": [std.sheet, header, std.col, header, std.col + L - 1],
        "values": [std.sheet, std.row, std.col, std.row, std.col + L - 1],
        "marker": {"type": "circle", "size": 6},
    })
    line.set_y_axis({"name": t.std_chart_y, "min": 0})
    ws.insert_chart(top, 0, line, {"x_offset": 10, "y_offset": y})
    if results.grad_counts is not None:
        assert t.grad_stat_labels is not None
        size = _line_chart(wb, t.grad_size_title, t.std_chart_x, "")
        for stat, colour in (("mean_abs", "#C00000"), ("wgrad", "#7030A0")):
            b = plan.stat_block(stat, "grad_")
            size.add_series({
                "name": t.grad_stat_labels[stat],
                "categories": [std.sheet, header, std.col, header, std.col + L - 1],
                "values": [b.sheet, b.row, b.col, b.row, b.col + L - 1],
                "marker": {"type": "circle", "size": 6},
                "line": {"color": colour}, "marker_fill": {"color": colour},
            })
        size.set_y_axis({"log_base": 10, "num_format": "0.E+00",
                         "major_gridlines": {"visible": True}})
        size.set_legend({"position": "bottom"})
        ws.insert_chart(top, 0, size, {"x_offset": 10 + 2 * CHART_W, "y_offset": y})
    y += CHART_H + 20
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 1)
    ws.print_area(0, 0, top + y // 20 + 1, max(min(L, CHARTS_PER_ROW) * CHART_W // 80, L) + 1)
    ws.hide_gridlines(2)


def _dash_cell(plan: Plan, results: Results, styles: Styles, key: str, k: int):
    """Target, cached value and style of one Dashboard table cell."""
    layer = results.fwd.layers[k - 1]
    if key in ("init", "activation", "bn"):
        value = {"init": layer.init, "activation": layer.activation,
                 "bn": "on" if layer.batchnorm else "off"}[key]
        return layer_names(k)[key], value, styles.centre
    if key == "wstd":
        return layer_names(k)[key], layer.weight_std, styles.value
    if key.startswith("grad_"):
        stat = key.removeprefix("grad_")
        target = plan.stat_block(stat, "grad_").cell_ref(0, k - 1)
        return target, results.grad_stat(stat)[k - 1], styles.sci
    style = styles.share if key in SHARE_STATS else styles.value
    return plan.stat_block(key).cell_ref(0, k - 1), results.stat(key)[k - 1], style


def _histogram_charts(wb, ws, plan: Plan, prefix: str, counts: list[np.ndarray], x_name: str,
                      x_format: str, t: texts.Texts, top: int, y: int) -> int:
    """One column chart per layer on a shared vertical scale; returns the next free y."""
    centres = plan.blocks[f"{prefix}centres"]
    ymax = _nice_ceiling(max(float(np.nanmax(c[:-1], initial=0.0)) for c in counts))
    for k in range(1, plan.exp.layers + 1):
        block = plan.blocks[f"L{k}_{prefix}counts"]
        chart = wb.add_chart({"type": "column"})
        chart.add_series({
            "name": t.layer_label(k),
            "categories": [centres.sheet, centres.row, centres.col,
                           centres.row + centres.rows - 1, centres.col],
            "values": [block.sheet, block.row, block.col,
                       block.row + centres.rows - 1, block.col],
            "gap": 15,
            "fill": {"color": "#C00000" if prefix else "#4472C4"},
        })
        chart.set_title({"name": t.layer_label(k), "name_font": {"size": 11}})
        chart.set_x_axis({"name": x_name, "num_format": x_format,
                          "num_font": {"rotation": -45, "size": 8}})
        chart.set_y_axis({"name": t.chart_y, "min": 0, "max": ymax,
                          "num_format": "#,##0", "major_gridlines": {"visible": True}})
        chart.set_legend({"none": True})
        chart.set_size({"width": CHART_W, "height": CHART_H})
        i, j = divmod(k - 1, CHARTS_PER_ROW)
        ws.insert_chart(top, 0, chart, {"x_offset": 10 + j * CHART_W,
                                        "y_offset": y + i * CHART_H})
    rows = (plan.exp.layers + CHARTS_PER_ROW - 1) // CHARTS_PER_ROW
    return y + rows * CHART_H + 10


def _line_chart(wb, title: str, x_name: str, y_name: str):
    line = wb.add_chart({"type": "line"})
    line.set_title({"name": title, "name_font": {"size": 11}})
    line.set_x_axis({"name": x_name})
    line.set_legend({"none": True})
    line.set_size({"width": CHART_W * 2, "height": CHART_H})
    return line


SHARE_STATS = ("first_bin", "last_bin", "above", "zero")


def _nice_ceiling(x: float) -> float:
    if not x > 0 or not math.isfinite(x):
        return 1.0
    exp10 = 10 ** math.floor(math.log10(x))
    for step in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if step * exp10 >= x:
            return step * exp10
    return 10 * exp10


def _guide(ws, exp: Experiment, styles: Styles, t: texts.Texts) -> None:
    ws.set_column(0, 0, 100)
    ws.write_string(0, 0, t.title, styles.title)
    r = 2
    sections = t.guide + (t.guide_backward if exp.backward or exp.has_batchnorm else ())
    for heading, body in sections:
        ws.write_string(r, 0, heading, styles.caption)
        ws.write_string(r + 1, 0, body, styles.wrap)
        ws.set_row(r + 1, 15 * (len(body.encode()) // 150 + 2))
        r += 3


def _manifest(ws, plan: Plan) -> None:
    ws.write_row(0, 0, ["sheetsim", __version__])
    ws.write_row(1, 0, ["config", plan.exp.to_json()])
    ws.write_row(2, 0, ["format", MANIFEST_FORMAT])
    ws.write_row(4, 0, ["block", "sheet", "range", "kind"])
    for i, b in enumerate(plan.blocks.values()):
        ws.write_row(5 + i, 0, [b.name, b.sheet, b.range, b.kind])
