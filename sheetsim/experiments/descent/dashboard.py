"""The Dashboard of an optimizer-lab workbook: the final positions, the two-minimum table
and four charts — the paths over level curves, the loss by step, the learning-rate sweep
and the plateau — laid out for one landscape page (``sheetsim render`` draws it)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sheetsim.experiments.common.optimizers import OPTIMIZERS
from sheetsim.experiments.descent import formulas, texts
from sheetsim.experiments.descent.catalog import LEVELS
from sheetsim.experiments.descent.layout import (
    DASH_TOP,
    MINIMA_LRS,
    NAME_XMAX,
    NAME_XMIN,
    SWEEP_POINTS,
    DescentPlan,
)
from sheetsim.experiments.descent.sheets import fill

if TYPE_CHECKING:
    from sheetsim.build.writer import Canvas

CHART_TOP = DASH_TOP + 10
"""The first row under the tables: the charts hang from here."""
WIDE, TALL = 660, 430  # the paths chart
SMALL_W, SMALL_H = 500, 300
ESCAPE_H = 320
PANEL_H = 230
"""The height of the row of one panel per optimizer."""
ESCAPE_COLOURS = ("#9ECAE1", "#6BAED6", "#4292C6", "#2171B5", "#08306B")
"""One per learning rate of the escape table, darker for larger rates."""
CLASS_COLOURS = {"global": "#C6EFCE", "local": "#FFEB9C", "diverged": "#FFC7CE",
                 "neither": "#EDEDED"}
FINAL_PARTS = ("lr", "x", "y", "loss")


def write_dashboard(c: Canvas[DescentPlan], t: texts.Texts) -> None:
    """Title, live subtitle, the tables and the charts."""
    plan = c.plan
    styles, ws = c.styles, c.sheets["Dashboard"]
    opts = plan.settings.optimizers
    ws.write_string(0, 0, t.title, styles.title)
    fill(c, plan.blocks["dash_subtitle"], lambda i, j: formulas.header(plan, t.header),
         styles.subtitle)

    final, label = plan.blocks["final"], plan.blocks["plateau_label"]
    for j, text in enumerate(t.dash_headers):
        ws.write_string(DASH_TOP, j, text, styles.header)
    for i, opt in enumerate(opts):
        ws.write_string(final.row + i, 0, OPTIMIZERS[opt].label, styles.label)
    rate = c.wb.add_format({"num_format": "0.####"})
    place = c.wb.add_format({"num_format": "General"})  # fits its column: 6E+13, -0.3504
    fill(c, final, lambda i, j: formulas.final(plan, opts[i], FINAL_PARTS[j]),
         (rate, place, place, styles.sci))
    fill(c, label, lambda i, j: formulas.plateau_label(plan, i, t.never), styles.centre)
    _minima_table(c, t)

    ws.set_column(0, 0, 12)
    ws.set_column(1, 4, 12.5)
    ws.set_column(5, 5, 28)
    ws.set_column(6, 6, 2)
    ws.set_column(7, 7, 12)
    ws.set_column(8, 8 + MINIMA_LRS - 1, 10)
    ws.freeze_panes(2, 0)

    _paths_chart(c, t)
    _loss_chart(c, t)
    _panels(c, t, TALL + 15)
    lower = TALL + 15 + PANEL_H + 15
    _sweep_chart(c, t, lower)
    _plateau_chart(c, t, lower)
    bottom = lower + SMALL_H + 25
    if plan.noisy:
        _escape_chart(c, t, bottom)
        bottom += ESCAPE_H + 15
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 1)
    ws.print_area(0, 0, CHART_TOP + bottom // 20 + 1, 14)
    ws.hide_gridlines(2)


def _minima_table(c: Canvas[DescentPlan], t: texts.Texts) -> None:
    plan = c.plan
    styles, ws = c.styles, c.sheets["Dashboard"]
    lrs, starts = plan.blocks["dash_minima_lrs"], plan.blocks["dash_minima_starts"]
    table = plan.blocks["minima_table"]
    ws.write_string(lrs.row - 1, starts.col, t.dash_minima_title, styles.caption)
    ws.write_string(lrs.row, starts.col, t.minima_corner, styles.header)
    src_lrs, src_starts = plan.blocks["minima_lrs"], plan.blocks["minima_starts"]
    header = c.wb.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1,
                              "align": "center", "num_format": "0.###"})
    fill(c, lrs, lambda i, j: formulas.reference(src_lrs, 0, j), header)
    fill(c, starts, lambda i, j: formulas.reference(src_starts, i, 0), header)
    words = t.minima_classes
    fill(c, table, lambda i, j: formulas.minima_class(plan, i, j, words), styles.text)
    for key, colour in CLASS_COLOURS.items():
        ws.conditional_format(table.row, table.col, table.row + table.rows - 1,
                              table.col + table.cols - 1, {
                                  "type": "cell", "criteria": "==", "value": f'"{words[key]}"',
                                  "format": c.wb.add_format({"bg_color": colour,
                                                             "border": 1})})


def _series_range(block: Any, col: int) -> list:
    return [block.sheet, block.row, block.col + col, block.row + block.rows - 1,
            block.col + col]


def _surface_series(c: Canvas[DescentPlan], chart: Any, t: texts.Texts) -> None:
    """Level curves as small grey dots, and the window's corners (invisible, so the axes
    always span it)."""
    plan = c.plan
    contours = plan.blocks["contours"]
    for j in range(2 * LEVELS):
        chart.add_series({
            "name": t.level_series,
            "categories": _series_range(contours, 0),
            "values": _series_range(contours, 3 + j),
            "line": {"none": True},
            "marker": {"type": "circle", "size": 2, "fill": {"color": "#A6A6A6"},
                       "border": {"none": True}},
        })
    sel = plan.blocks["selected"]
    xmin = plan.names[NAME_XMIN].col
    chart.add_series({
        "name": "window",
        "categories": [sel.sheet, sel.row, xmin, sel.row, xmin + 1],
        "values": [sel.sheet, sel.row, xmin + 2, sel.row, xmin + 3],
        "line": {"none": True}, "marker": {"type": "none"},
    })
    assert plan.names[NAME_XMAX].col == xmin + 1


def _path_series(c: Canvas[DescentPlan], chart: Any, opt: str, size: int) -> None:
    """One optimizer's path as a line with markers (its chart columns: off the window is
    drawn on its edge)."""
    path = c.plan.path(opt)
    cols = c.plan.columns(opt)
    colour = OPTIMIZERS[opt].colour
    chart.add_series({
        "name": OPTIMIZERS[opt].label,
        "categories": _series_range(path, cols.index("x_chart")),
        "values": _series_range(path, cols.index("y_chart")),
        "line": {"color": colour, "width": 1.25},
        "marker": {"type": "circle", "size": size, "fill": {"color": colour},
                   "border": {"color": colour}},
    })


def _paths_chart(c: Canvas[DescentPlan], t: texts.Texts) -> None:
    """Every optimizer's path over the level curves of the chosen surface."""
    plan = c.plan
    chart = c.wb.add_chart({"type": "scatter", "subtype": "straight_with_markers"})
    _surface_series(c, chart, t)
    size = 4 if plan.settings.steps <= 40 else 2  # many steps: a line of small dots
    for opt in plan.settings.optimizers:
        _path_series(c, chart, opt, size)
    chart.set_title({"name": t.chart_paths, "name_font": {"size": 11}})
    chart.set_x_axis({"name": "x", "major_gridlines": {"visible": False}, "crossing": "min"})
    chart.set_y_axis({"name": "y", "major_gridlines": {"visible": False}, "crossing": "min"})
    chart.set_legend({"position": "bottom", "delete_series": list(range(1, 2 * LEVELS + 1))})
    chart.set_size({"width": WIDE, "height": TALL})
    c.sheets["Dashboard"].insert_chart(CHART_TOP, 0, chart, {"x_offset": 5, "y_offset": 5})


def _panels(c: Canvas[DescentPlan], t: texts.Texts, top: int) -> None:
    """One panel per optimizer: its path alone over the level curves, side by side."""
    plan = c.plan
    opts = plan.settings.optimizers
    width = (WIDE + 15 + SMALL_W) // len(opts)
    size = 3 if plan.settings.steps <= 40 else 2
    for k, opt in enumerate(opts):
        chart = c.wb.add_chart({"type": "scatter", "subtype": "straight_with_markers"})
        _surface_series(c, chart, t)
        _path_series(c, chart, opt, size)
        chart.set_title({"name": t.panel.format(name=OPTIMIZERS[opt].label),
                         "name_font": {"size": 10}})
        axis = {"major_gridlines": {"visible": False}, "crossing": "min",
                "num_font": {"size": 7}}
        chart.set_x_axis(axis)
        chart.set_y_axis(axis)
        chart.set_legend({"none": True})
        chart.set_size({"width": width - 5, "height": PANEL_H})
        c.sheets["Dashboard"].insert_chart(CHART_TOP, 0, chart,
                                           {"x_offset": 5 + k * width, "y_offset": top})


def _loss_chart(c: Canvas[DescentPlan], t: texts.Texts) -> None:
    plan = c.plan
    chart = c.wb.add_chart({"type": "scatter", "subtype": "straight"})
    for opt in plan.settings.optimizers:
        path = plan.path(opt)
        chart.add_series({
            "name": OPTIMIZERS[opt].label,
            "categories": [path.sheet, path.row, 0, path.row + path.rows - 1, 0],
            "values": _series_range(path, plan.columns(opt).index("loss_chart")),
            "line": {"color": OPTIMIZERS[opt].colour, "width": 1.5},
        })
    chart.set_title({"name": t.chart_loss, "name_font": {"size": 11}})
    chart.set_x_axis({"name": t.axis_step, "min": 0, "max": plan.settings.steps,
                      "major_gridlines": {"visible": False}})
    chart.set_y_axis({"name": t.axis_loss, "log_base": 10, "num_format": "0.E+00",
                      "major_gridlines": {"visible": True,
                                          "line": {"color": "#D9D9D9"}}})
    chart.set_legend({"position": "right"})
    chart.set_size({"width": SMALL_W, "height": TALL})
    c.sheets["Dashboard"].insert_chart(CHART_TOP, 0, chart,
                                       {"x_offset": WIDE + 15, "y_offset": 5})


def _sweep_chart(c: Canvas[DescentPlan], t: texts.Texts, top: int) -> None:
    plan = c.plan
    chart = c.wb.add_chart({"type": "scatter", "subtype": "straight_with_markers"})
    lrs, shown = plan.blocks["sweep_lrs"], plan.blocks["sweep_shown"]
    for i, opt in enumerate(plan.settings.optimizers):
        colour = OPTIMIZERS[opt].colour
        chart.add_series({
            "name": OPTIMIZERS[opt].label,
            "categories": [lrs.sheet, lrs.row, lrs.col, lrs.row, lrs.col + SWEEP_POINTS - 1],
            "values": [shown.sheet, shown.row + i, shown.col, shown.row + i,
                       shown.col + SWEEP_POINTS - 1],
            "line": {"color": colour, "width": 1.5},
            "marker": {"type": "circle", "size": 5, "fill": {"color": colour},
                       "border": {"color": colour}},
        })
    chart.set_title({"name": t.chart_sweep, "name_font": {"size": 11}})
    chart.set_x_axis({"name": t.axis_lr, "log_base": 10, "num_format": "General",
                      "major_gridlines": {"visible": False}})
    chart.set_y_axis({"name": t.axis_loss, "log_base": 10, "num_format": "0.E+00",
                      "major_gridlines": {"visible": True,
                                          "line": {"color": "#D9D9D9"}}})
    chart.set_legend({"position": "right"})
    chart.set_size({"width": WIDE, "height": SMALL_H})
    c.sheets["Dashboard"].insert_chart(CHART_TOP, 0, chart,
                                       {"x_offset": 5, "y_offset": top})


def _plateau_chart(c: Canvas[DescentPlan], t: texts.Texts, top: int) -> None:
    plan = c.plan
    escape, final = plan.blocks["plateau_shown"], plan.blocks["final"]
    chart = c.wb.add_chart({"type": "column"})
    n = len(plan.settings.optimizers)
    chart.add_series({
        "name": t.axis_escape,
        "categories": [final.sheet, final.row, 0, final.row + n - 1, 0],
        "values": [escape.sheet, escape.row, escape.col, escape.row, escape.col + n - 1],
        "points": [{"fill": {"color": OPTIMIZERS[o].colour}}
                   for o in plan.settings.optimizers],
        "data_labels": {"value": True},
        "gap": 60,
    })
    chart.set_title({"name": t.chart_plateau.format(last=plan.analysis_steps),
                     "name_font": {"size": 11}})
    chart.set_y_axis({"name": t.axis_escape, "min": 0,
                      "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})
    chart.set_legend({"none": True})
    chart.set_size({"width": SMALL_W, "height": SMALL_H})
    c.sheets["Dashboard"].insert_chart(CHART_TOP, 0, chart,
                                       {"x_offset": WIDE + 15, "y_offset": top})


def _escape_chart(c: Canvas[DescentPlan], t: texts.Texts, top: int) -> None:
    """The escape table as lines: the share of sequences that leave the local minimum
    against the noise level, one line per learning rate (named by its live value)."""
    plan = c.plan
    levels, lrs, table = (plan.blocks[n] for n in ("escape_levels", "escape_lrs", "escape"))
    chart = c.wb.add_chart({"type": "scatter", "subtype": "straight_with_markers"})
    for j in range(MINIMA_LRS):
        colour = ESCAPE_COLOURS[j]
        chart.add_series({
            "name": [lrs.sheet, lrs.row, lrs.col + j],
            "categories": [levels.sheet, levels.row, levels.col,
                           levels.row + levels.rows - 1, levels.col],
            "values": [table.sheet, table.row, table.col + j,
                       table.row + table.rows - 1, table.col + j],
            "line": {"color": colour, "width": 2},
            "marker": {"type": "circle", "size": 6, "fill": {"color": colour},
                       "border": {"color": colour}},
        })
    chart.set_title({"name": t.chart_escape, "name_font": {"size": 11}})
    chart.set_x_axis({"name": t.axis_noise, "min": 0, "major_gridlines": {"visible": False}})
    chart.set_y_axis({"name": t.axis_share, "min": 0, "max": 1, "num_format": "0%",
                      "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})
    chart.set_legend({"position": "right"})
    chart.set_size({"width": WIDE + 15 + SMALL_W, "height": ESCAPE_H})
    c.sheets["Dashboard"].insert_chart(CHART_TOP, 0, chart, {"x_offset": 5, "y_offset": top})
