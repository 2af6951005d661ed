"""The small sheets of a comparison workbook: Controls, Histograms, Dashboard, Guide."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sheetsim.experiments.common.activations import ACTIVATIONS
from sheetsim.experiments.common.bins import label_format
from sheetsim.experiments.common.initializers import INITS, distribution
from sheetsim.experiments.compare import formulas
from sheetsim.experiments.compare.layout import (
    CFG_COLS,
    CONTROL_TOP,
    DASH_TOP,
    LIST_COL,
    NAME_ACTIVATION,
    NAME_SLOPE,
    STATS,
    TABLE_TOP,
    ComparePlan,
)
from sheetsim.experiments.compare.texts import Texts
from sheetsim.xlsx.cells import formula_entry

if TYPE_CHECKING:
    from sheetsim.build.writer import Canvas

LABEL_FORMAT = '"normal σ = "General'
"""A configuration's title: its σ shown after "normal σ = " (a name shows as itself)."""
CHART_W, CHART_H, LABEL_ROWS = 300, 220, 1
"""Histogram size in pixels; rows of a configuration's title above its charts."""
ROW_PX = 20


def write_controls(c: Canvas[ComparePlan], t: Texts) -> None:
    """Activation, leaky slope, and the table of configurations (initializer and σ)."""
    plan = c.plan
    exp, styles, ws = plan.settings, c.styles, c.sheets["Controls"]
    ws.write_string(0, 0, t.controls_title, styles.title)
    ws.write_string(1, 0, t.controls_note, styles.note)
    ws.set_column(0, 0, 20)
    ws.set_column(1, 4, 14)
    ws.set_column(LIST_COL, LIST_COL + 3, 14)
    c.control(ws, plan.names[NAME_ACTIVATION], t.activation, exp.activation, t.activation_help)
    c.control(ws, plan.names[NAME_SLOPE], t.slope, exp.leaky_slope, t.slope_help)
    for name, source in ((NAME_ACTIVATION, "activation"),):
        cell = plan.names[name]
        ws.data_validation(cell.row, cell.col, cell.row, cell.col, {
            "validate": "list", "source": formula_entry(formulas.list_check(source))})
    ws.write_string(TABLE_TOP - 2, 0, t.table_title, styles.caption)
    for j, text in enumerate(t.table_headers):
        ws.write_string(TABLE_TOP - 1, j, text, styles.header)
    ref = c.reference
    for i in range(len(exp.configs)):
        cc, r = i + 1, TABLE_TOP + i
        init, sigma = exp.config(cc)
        ws.write_string(r, CFG_COLS["label"], t.config.format(c=cc), styles.label)
        ws.write_string(r, CFG_COLS["init"], init, styles.control)
        ws.data_validation(r, CFG_COLS["init"], r, CFG_COLS["init"], {
            "validate": "list", "source": formula_entry(formulas.list_check("init"))})
        ws.write_number(r, CFG_COLS["sigma"], sigma, styles.control_num)
        ws.data_validation(r, CFG_COLS["sigma"], r, CFG_COLS["sigma"], {
            "validate": "decimal", "criteria": ">", "value": 0})
        c.formula(ws, r, CFG_COLS["dist"], formulas.distribution(cc), styles.text,
                  str(ref["cfg_dist"][i, 0]))
        c.formula(ws, r, CFG_COLS["scale"], formulas.scale(plan, cc), styles.value,
                  float(ref["cfg_scale"][i, 0]))
    lists = ((LIST_COL, INITS), (LIST_COL + 1, tuple(distribution(i) for i in INITS)),
             (LIST_COL + 3, ACTIVATIONS))
    for (col, items), title in zip(lists, t.list_titles, strict=True):
        ws.write_string(CONTROL_TOP - 1, col, title, styles.header)
        for j, item in enumerate(items):
            ws.write_string(CONTROL_TOP + j, col, item, styles.fixed)


def write_histograms(c: Canvas[ComparePlan], t: Texts) -> None:
    """Per configuration: its range, bin edges and centres, counts per layer, statistics."""
    plan = c.plan
    exp, styles, ws = plan.settings, c.styles, c.sheets["Histograms"]
    ws.write_string(0, 0, t.hist_title, styles.title)
    index = plan.blocks["bin_index"]
    for i in range(index.rows):
        ws.write_number(index.row + i, 0, i + 1, styles.label)
    ws.write_string(plan.blocks["C1_range"].row, 0, t.range_label, styles.label)
    for i, stat in enumerate(STATS):
        ws.write_string(plan.stats_top + i, 0, t.stat_labels[stat], styles.label)
    ws.set_column(0, 0, 16)
    for cc in range(1, len(exp.configs) + 1):
        col = plan.group_col(cc)
        ws.write_string(1, col, t.config.format(c=cc), styles.caption)
        rng = plan.blocks[f"C{cc}_range"]
        for end in (0, 1):
            c.entry(ws, rng.row, rng.col + end, (formulas.range_end(plan, cc, end), True),
                    styles.value, float(c.reference[rng.name][0, end]))
        for j, text in enumerate(t.hist_headers):
            ws.write_string(index.row - 1, col + j, text, styles.header)
        c.block_values(ws, plan.blocks[f"C{cc}_edges"], formulas.edges(plan, cc), styles.value)
        c.block_values(ws, plan.blocks[f"C{cc}_centres"], formulas.centres(plan, cc),
                       styles.value)
        for k in range(1, exp.layers + 1):
            ws.write_string(index.row - 1, col + 1 + k, t.layer_label(k), styles.header)
            c.block_values(ws, plan.block(cc, k, "counts"), formulas.count(plan, cc, k),
                           styles.count)
        for stat in STATS:
            b = plan.stat(cc, stat)
            for k in range(1, exp.layers + 1):
                c.entry(ws, b.row, b.col + k - 1, (formulas.stat(plan, cc, stat, k), True),
                        styles.value, float(c.reference[b.name][0, k - 1]))
    ws.freeze_panes(index.row, 1)


def write_dashboard(c: Canvas[ComparePlan], t: Texts) -> None:
    """Title, the std-by-layer table, one row of histograms per configuration, the std
    chart; laid out for one landscape page."""
    plan = c.plan
    exp, styles, ws, wb = plan.settings, c.styles, c.sheets["Dashboard"], c.wb
    L, C = exp.layers, len(exp.configs)
    ws.write_string(0, 0, t.title, styles.title)
    c.formula(ws, 1, 0, formulas.header(plan, t.header), styles.subtitle,
              t.header.format(activation=exp.activation, layers=L, width=exp.width,
                              samples=exp.samples, seed=exp.seed))
    ws.write_string(2, 0, t.subtitle, styles.note)
    ws.set_column(0, 0, 22)
    ws.set_column(1, max(L, 8), 12)
    ws.write_string(DASH_TOP, 0, t.dash_header, styles.header)
    for k in range(1, L + 1):
        ws.write_string(DASH_TOP, k, t.layer_label(k), styles.header)
    labels, std = plan.blocks["dash_label"], plan.blocks["dash_std"]
    label = wb.add_format({"bold": True, "num_format": LABEL_FORMAT, "align": "left"})
    band_label = wb.add_format({"bold": True, "font_color": "#1F3864", "align": "left",
                                "num_format": LABEL_FORMAT})
    for i in range(C):
        cc = i + 1
        c.formula(ws, labels.row + i, 0, formulas.label(cc), label,
                  c.reference["dash_label"][i, 0])
        src = plan.stat(cc, "std")
        for k in range(1, L + 1):
            c.entry(ws, std.row + i, std.col + k - 1, (src.cell_ref(0, k - 1), True),
                    styles.value, float(c.reference["dash_std"][i, k - 1]))

    line = wb.add_chart({"type": "line"})
    colours = ("#C00000", "#ED7D31", "#4472C4", "#70AD47", "#7030A0", "#FFC000", "#264478",
               "#9E480E")
    for i in range(C):
        line.add_series({
            "name": ["Dashboard", labels.row + i, 0],
            "categories": ["Dashboard", DASH_TOP, 1, DASH_TOP, L],
            "values": ["Dashboard", std.row + i, std.col, std.row + i, std.col + L - 1],
            "marker": {"type": "circle", "size": 6},
            "line": {"color": colours[i % len(colours)]},
            "marker_fill": {"color": colours[i % len(colours)]},
        })
    line.set_title({"name": t.std_title, "name_font": {"size": 12}})
    line.set_y_axis({"log_base": 10, "num_format": "0.E+00", "name": t.std_axis,
                     "major_gridlines": {"visible": True}})
    line.set_legend({"position": "right"})
    height = 24 + ROW_PX * (C + 1) + 60
    line.set_size({"width": 560, "height": height})
    ws.insert_chart(DASH_TOP, L + 2, line, {"x_offset": 10})

    top = DASH_TOP + max(C + 3, -(-height // ROW_PX) + 1)
    ws.write_string(top, 0, t.charts_title, styles.caption)
    ws.write_string(top + 1, 0, t.caption, styles.note)
    band = CHART_H // ROW_PX + LABEL_ROWS
    for i in range(C):
        cc, r = i + 1, top + 3 + i * band
        c.formula(ws, r, 0, formulas.label(cc), band_label, c.reference["dash_label"][i, 0])
        centres = plan.blocks[f"C{cc}_centres"]
        fmt = label_format(c.reference[centres.name].ravel())
        for k in range(1, L + 1):
            b = plan.block(cc, k, "counts")
            chart = wb.add_chart({"type": "column"})
            chart.add_series({
                "categories": [centres.sheet, centres.row, centres.col,
                               centres.row + centres.rows - 1, centres.col],
                "values": [b.sheet, b.row, b.col, b.row + centres.rows - 1, b.col],
                "gap": 15, "fill": {"color": colours[i % len(colours)]},
            })
            chart.set_title({"name": t.layer_label(k), "name_font": {"size": 11}})
            chart.set_x_axis({"num_format": fmt, "num_font": {"rotation": -45, "size": 9}})
            chart.set_y_axis({"min": 0, "num_format": "#,##0", "num_font": {"size": 9},
                              "major_gridlines": {"visible": True}})
            chart.set_legend({"none": True})
            chart.set_size({"width": CHART_W, "height": CHART_H})
            ws.insert_chart(r + 1, 0, chart, {"x_offset": (k - 1) * CHART_W, "y_offset": 0})
    last = top + 3 + C * band
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 1)
    ws.print_area(0, 0, last, c.column_at("Dashboard", L * CHART_W + 10))
    ws.hide_gridlines(2)


def write_guide(c: Canvas[ComparePlan], t: Texts) -> None:
    """What the comparison shows, what to try, the command line."""
    c.guide(t.title, t.guide, width=100, per_line=150)
