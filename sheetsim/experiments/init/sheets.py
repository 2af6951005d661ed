"""The small sheets of an initialization workbook: Controls, Histograms, Gradients,
BatchNorm and the Guide. Cached values come from the reference mapping, formula text from
``formulas``, places from the plan."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sheetsim.config import GLOBAL
from sheetsim.experiments.common.activations import ACTIVATIONS
from sheetsim.experiments.common.initializers import INITS, distribution
from sheetsim.experiments.init import formulas, texts
from sheetsim.experiments.init.controls import controls
from sheetsim.experiments.init.layout import (
    CONTROL_TOP,
    GRAD_STATS,
    LAYER_COL,
    LIST_COL,
    NAME_ACTIVATION,
    NAME_BINS,
    NAME_BN,
    NAME_BN_EPS,
    NAME_GRAD_HIGH,
    NAME_GRAD_LOW,
    NAME_HIGH,
    NAME_INIT,
    NAME_LOW,
    NAME_RANGE_MODE,
    NAME_SIGMA,
    NAME_SLOPE,
    RANGE_ENDS,
    STATS,
    InitPlan,
    layer_parts,
)
from sheetsim.experiments.init.settings import RANGE_MODES, SWITCH
from sheetsim.xlsx.cells import formula_entry

if TYPE_CHECKING:
    from sheetsim.build.writer import Canvas

SHARE_STATS = ("first_bin", "last_bin", "below", "above", "zero", "dead")
"""Statistics shown as percentages."""
SCI_STATS = ("mean_abs", "wgrad")
"""Statistics shown in scientific notation (they span orders of magnitude)."""


def write_controls(c: Canvas[InitPlan], t: texts.Texts) -> None:
    """Named controls with notes and validation, the per-layer table, the lists, the key."""
    plan = c.plan
    exp, styles, ws = plan.settings, c.styles, c.sheets["Controls"]
    ws.write_string(0, 0, t.controls_title, styles.title)
    ws.write_string(1, 0, t.controls_note, styles.note)
    for first, last, width in ((0, 0, 22), (1, 2, 14), (3, 4, 13), (5, 6, 8), (7, 9, 12),
                               (10, 11, 12), (LIST_COL, LIST_COL + 5, 14)):
        ws.set_column(first, last, width)
    per_layer = {}
    for control in controls(exp):
        if control.layer is not None:
            per_layer[(control.key, control.layer)] = control.to_cell(exp)
            continue
        c.control(ws, plan.names[control.name], t.control_labels[control.name],
                  control.to_cell(exp), t.control_help[control.name], control.fixed)
    _validations(ws, plan, t)

    top = plan.control_table_top
    parts = layer_parts(exp)
    ws.write_string(top - 1, 0, t.layer_table_title, styles.caption)
    for part in parts:
        ws.write_string(top, LAYER_COL[part], t.layer_headers[LAYER_COL[part]], styles.header)
    ref = c.reference
    for k in range(1, exp.layers + 1):
        r = top + k

        def computed(part: str, formula: str, style: Any, k: int = k) -> tuple:
            return ref[f"layer_{part}"][k - 1, 0], formula, style

        cells = {
            "layer": (t.layer_label(k), None, styles.label),
            "init_set": (per_layer[("layer_init", k)], None, styles.control),
            "act_set": (per_layer[("layer_activation", k)], None, styles.control),
            "init": computed("init", formulas.layer_init(k), styles.text),
            "activation": computed("activation", formulas.layer_activation(k), styles.text),
            "fan_in": (exp.width, None, styles.fixed),
            "fan_out": (exp.width, None, styles.fixed),
            "dist": computed("dist", formulas.weight_distribution(k), styles.text),
            "scale": computed("scale", formulas.weight_scale(plan, k), styles.value),
            "wstd": computed("wstd", formulas.weight_std(k), styles.value),
            "bn_set": (per_layer.get(("layer_batchnorm", k)), None, styles.control),
            "bn": computed("bn", formulas.layer_batchnorm(k), styles.text)
            if exp.has_batchnorm else None,
        }
        for part in parts:
            value, formula, style = cells[part]
            col = LAYER_COL[part]
            if formula is not None:
                ws.write_formula(r, col, formula_entry(formula), style, value)
            elif isinstance(value, str):
                ws.write_string(r, col, value, style)
            else:
                ws.write_number(r, col, value, style)
        for part in ("init_set", "act_set", "bn_set")[: 3 if exp.has_batchnorm else 2]:
            ws.data_validation(r, LAYER_COL[part], r, LAYER_COL[part], {
                "validate": "list", "source": formula_entry(formulas.list_check(part)),
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


def _validations(ws: Any, plan: InitPlan, t: texts.Texts) -> None:
    def at(name: str) -> tuple[int, int]:
        return plan.names[name].row, plan.names[name].col

    lists = {NAME_INIT: "init", NAME_ACTIVATION: "activation"}
    if plan.settings.has_batchnorm:
        lists[NAME_BN] = "bn"
    for name, kind in lists.items():
        ws.data_validation(*at(name), *at(name), {
            "validate": "list", "source": formula_entry(formulas.list_check(kind)),
            "error_title": t.control_labels[name], "error_message": t.control_help[name],
        })
    if NAME_RANGE_MODE in plan.names:
        ws.data_validation(*at(NAME_RANGE_MODE), *at(NAME_RANGE_MODE), {
            "validate": "list", "source": list(RANGE_MODES),
            "error_title": t.control_labels[NAME_RANGE_MODE],
            "error_message": t.control_help[NAME_RANGE_MODE],
        })
    any_number = {"validate": "decimal", "criteria": "between", "minimum": -1e9, "maximum": 1e9}
    numeric = {
        NAME_SIGMA: {"validate": "decimal", "criteria": ">", "value": 0},
        NAME_SLOPE: any_number,
        NAME_BINS: {"validate": "integer", "criteria": "between", "minimum": 1,
                    "maximum": plan.settings.bins},
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


def write_histograms(c: Canvas[InitPlan], t: texts.Texts) -> None:
    """Output histograms: per layer its range, bin edges and centres by formula, counts and
    statistics."""
    plan = c.plan
    ws = c.sheets["Histograms"]
    if "range" in plan.blocks:  # the range in use, by formula, above the bins
        b = plan.blocks["range"]
        ws.write_string(b.row, 0, t.range_in_use, c.styles.label)
        for end, value in enumerate(c.reference["range"].ravel()):
            c.entry(ws, b.row, b.col + end, formulas.range_in_use(plan, end), c.styles.value,
                    float(value))
    layers = plan.settings.layers
    _histogram_sheet(
        c, t, ws, prefix="", title=t.hist_title,
        columns=[(f"L{k}_{part}", formula(plan, k), header.format(k=k))
                 for part, formula, header in (("edges", formulas.edges, t.layer_edge),
                                               ("centres", formulas.centres, t.layer_centre))
                 for k in range(1, layers + 1)],
        labels={stat: t.stat_labels[stat] for stat in STATS},
        stat_formula=lambda stat, k: formulas.stat(plan, stat, k),
    )
    for i, end in enumerate(RANGE_ENDS):
        b = plan.blocks[end]
        ws.write_string(b.row, 0, t.layer_range_labels[i], c.styles.label)
        for k, v in enumerate(c.reference[end].ravel(), 1):
            c.entry(ws, b.row, b.col + k - 1, formulas.layer_range(plan, i, k), c.styles.value,
                    float(v))
    if "own_range" in plan.blocks:
        b = plan.blocks["own_range"]
        ws.write_string(b.row, 0, t.own_range_label, c.styles.label)
        style = c.wb.add_format({"num_format": f'"{t.own_range_words[0]}";;'
                                                f'"{t.own_range_words[1]}"', "align": "left"})
        c.entry(ws, b.row, b.col, formulas.own_range(plan), style,
                float(c.reference["own_range"][0, 0]))


def write_gradients(c: Canvas[InitPlan], t: texts.Texts) -> None:
    """Gradient histograms on a log10 scale and the gradient sizes by layer."""
    plan = c.plan
    assert t.grad_stat_labels is not None
    _histogram_sheet(
        c, t, c.sheets["Gradients"], prefix="grad_", title=t.grad_title,
        columns=[("grad_edges", formulas.grad_edges(plan), t.grad_headers[1]),
                 ("grad_centres", formulas.grad_centres(plan), t.grad_headers[2])],
        labels={s: t.grad_stat_labels[s] for s in GRAD_STATS},
        stat_formula=lambda stat, k: formulas.grad_stat(plan, stat, k),
        edge_style=c.styles.sci,
    )


def _histogram_sheet(c: Canvas[InitPlan], t: texts.Texts, ws: Any, *, prefix: str, title: str,
                     columns: list[tuple[str, str, str]], labels: dict[str, str],
                     stat_formula: Callable[[str, int], formulas.Entry],
                     edge_style: Any = None) -> None:
    """A histogram sheet: bin numbers, the edge and centre ``columns`` (block, formula,
    header), per-layer counts and their FREQUENCY, statistics."""
    plan = c.plan
    styles = c.styles
    layers = plan.settings.layers
    ws.write_string(0, 0, title, styles.title)
    index = plan.blocks[f"{prefix}bin_index"]
    head = index.row - 1
    ws.write_string(head, 0, t.hist_headers[0], styles.header)
    for name, formula, header in columns:
        b = plan.blocks[name]
        ws.write_string(head, b.col, header, styles.header)
        style = edge_style if b.kind == "edges" and edge_style else styles.value
        c.block_values(ws, b, formula, style)
    for i in range(index.rows):
        ws.write_number(index.row + i, index.col, i + 1, styles.label)
    ws.write_string(index.row + index.rows, index.col, t.hist_above, styles.label)
    for k in range(1, layers + 1):
        block = plan.blocks[f"L{k}_{prefix}counts"]
        ws.write_string(head, block.col, t.layer_label(k), styles.header)
        for i, v in enumerate(c.reference[block.name].ravel()):
            c.entry(ws, block.row + i, block.col, formulas.count(plan, k, i, prefix),
                    styles.count, float(v))
        freq = plan.blocks[f"L{k}_{prefix}freq"]
        ws.write_string(head, freq.col, t.layer_label(k), styles.header)
        c.block_values(ws, freq, formulas.frequency(plan, k, prefix), styles.count)
    ws.write_string(head - 1, plan.blocks[f"L1_{prefix}counts"].col, t.counts_caption,
                    styles.note)
    ws.write_string(head - 1, plan.blocks[f"L1_{prefix}freq"].col, t.freq_caption, styles.note)

    first = plan.stat_block(next(iter(labels)), prefix)
    ws.write_string(first.row - 1, 0, t.stats_title, styles.header)
    for k in range(1, layers + 1):
        ws.write_string(first.row - 1, first.col + k - 1, t.layer_label(k), styles.header)
    for stat, label in labels.items():
        b = plan.stat_block(stat, prefix)
        ws.write_string(b.row, 0, label, styles.label)
        style = styles.share if stat in SHARE_STATS else styles.value
        if stat in SCI_STATS:
            style = styles.sci
        for k, v in enumerate(c.reference[b.name].ravel(), 1):
            c.entry(ws, b.row, b.col + k - 1, stat_formula(stat, k), style, v)
    ws.set_column(0, 0, 18)
    ws.set_column(1, plan.blocks[f"L{layers}_{prefix}freq"].col, 11)
    ws.freeze_panes(index.row, 1)


def write_batchnorm(c: Canvas[InitPlan], t: texts.Texts) -> None:
    """Per layer, each neuron's batch mean and variance (and the backward pass's means)."""
    assert t.bn_row_labels is not None
    plan = c.plan
    exp, styles, ws = plan.settings, c.styles, c.sheets["BatchNorm"]
    ws.write_string(0, 0, t.bn_title, styles.title)
    for j in range(exp.width):
        ws.write_number(1, 1 + j, j + 1, styles.header)
    ws.set_column(0, 0, 22)
    ws.set_column(1, exp.width, 9)
    ws.freeze_panes(2, 1)
    parts = ("bn_mean", "bn_var") + (("bn_dmean", "bn_dnmean") if exp.backward else ())
    for k in range(1, exp.layers + 1):
        first = plan.layer_block(k, "bn_mean")
        ws.write_string(first.row - 1, 0, t.layer_label(k), styles.caption)
        for part in parts:
            b = plan.layer_block(k, part)
            ws.write_string(b.row, 0, t.bn_row_labels[part], styles.label)
            values = c.reference[b.name].ravel()
            for j in range(b.cols):
                c.entry(ws, b.row, b.col + j, formulas.column_stat(plan, k, part, j),
                        styles.value, float(values[j]))


def write_guide(c: Canvas[InitPlan], t: texts.Texts) -> None:
    """The Guide: what the experiment is, how to read it, what to try and why."""
    exp = c.settings
    c.guide(t.title, t.guide + (t.guide_backward if exp.backward or exp.has_batchnorm else ()),
            width=100, per_line=150)
