"""The Dashboard of a training workbook: a header naming the run's settings, its first,
last and largest numbers, three charts — loss, accuracy, every layer's gradient norm on a
log axis — and the decision boundary as a grid of cells coloured by a conditional format,
with the training points on it, laid out for one landscape page (``sheetsim render`` draws
it)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sheetsim.experiments.training import formulas, texts
from sheetsim.experiments.training.layout import (
    DASH_GRID_TOP,
    DASH_SETTINGS,
    DASH_TABLE_TOP,
    GRID,
    GRID_HIGH,
    GRID_LOW,
    NAME_CLIP,
    NAME_WARMUP,
    SUMMARY_ROWS,
    TrainingPlan,
)
from sheetsim.experiments.training.sheets import fill

if TYPE_CHECKING:
    from sheetsim.build.writer import Canvas

CHART_TOP = DASH_TABLE_TOP + len(SUMMARY_ROWS) + 1
W, H = 520, 320
CELL = 10
"""Pixels per side of a decision-boundary cell."""
LAYER_COLOURS = ("#1F77B4", "#2CA02C", "#9467BD", "#D62728", "#8C564B", "#E377C2", "#17BECF")
"""One clearly different colour per layer, input side first (blue, green, purple, red, …)."""
GLOBAL_COLOUR, CLIPPED_COLOUR, THRESHOLD_COLOUR = "#000000", "#A6A6A6", "#ED7D31"
P0_COLOUR, PHALF_COLOUR, P1_COLOUR = "#5B9BD5", "#E7E6E6", "#F4B183"
"""The boundary's colour scale: p = 0, ½ and 1."""
POINT_COLOURS = {1: "#C00000", 0: "#000000"}
TEST_OVER_TRAINING = ((1, "test", "#ED7D31", 1.5, "dash"), (0, "train", "#1F4E79", 2.5, "solid"))
"""The loss and accuracy series: the test line first, which LibreOffice draws over the
training line, dashed, so that it shows where the two coincide."""


def write_dashboard(c: Canvas[TrainingPlan], t: texts.Texts) -> None:
    """Title, live header, the table, the charts and the boundary cells."""
    plan = c.plan
    styles, ws = c.styles, c.sheets["Dashboard"]
    ws.write_string(0, 0, t.title, styles.title)
    fill(c, plan.blocks["dash_subtitle"], lambda i, j: formulas.header(t.header),
         styles.subtitle)
    table = plan.blocks["summary"]
    ws.write_string(table.row - 1, 0, t.summary_title, styles.header)
    for j, text in enumerate(t.summary_cols):
        ws.write_string(table.row - 1, table.col + j, text, styles.header)
    for i, text in enumerate(t.summary_rows):
        ws.write_string(table.row + i, 0, text, styles.label)
    kinds = {"train_loss": styles.value, "test_loss": styles.value, "train_acc": styles.share,
             "test_acc": styles.share}
    for i, key in enumerate(SUMMARY_ROWS):
        for j in range(table.cols):
            c.entry(ws, table.row + i, table.col + j, (formulas.summary(plan, i, j), True),
                    kinds.get(key, styles.sci), float(c.reference[table.name][i, j]))
    settings = plan.blocks["dash_settings"]
    ws.write_string(settings.row - 1, settings.col - 1, t.settings_title, styles.header)
    ws.write_string(settings.row - 1, settings.col, "", styles.header)
    off = t.settings_off
    shown = {NAME_CLIP: c.wb.add_format({"num_format": f'General;-General;"{off}"'}),
             NAME_WARMUP: c.wb.add_format({"num_format": f'0;-0;"{off}"'})}
    for i, name in enumerate(DASH_SETTINGS):
        ws.write_string(settings.row + i, settings.col - 1, t.control_labels[name],
                        styles.label)
        c.entry(ws, settings.row + i, settings.col, (name, True),
                shown.get(name, c.wb.add_format({"num_format": "General"})),
                float(c.reference[settings.name][i, 0]))
    ws.set_column(0, 0, 22)
    ws.set_column(1, 3, 12)
    ws.set_column(settings.col - 1, settings.col - 1, 24)
    ws.set_column(settings.col, settings.col, 8)
    ws.freeze_panes(2, 0)
    _loss_chart(c, t)
    _accuracy_chart(c, t)
    _norm_chart(c, t)
    _boundary(c, t)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 1)
    right = c.column_at("Dashboard", 2 * W + 20)
    ws.print_area(0, 0, DASH_GRID_TOP + GRID + 2, right)
    ws.hide_gridlines(2)


def _series(block: Any, col: int) -> list:
    return [block.sheet, block.row, block.col + col, block.row + block.rows - 1,
            block.col + col]


def _steps_axis(plan: TrainingPlan) -> list:
    b = plan.blocks["loss"]
    return [b.sheet, b.row, 0, b.row + b.rows - 1, 0]


def _place(c: Canvas[TrainingPlan], chart: Any, k: int) -> None:
    x = 5 + (k % 2) * (W + 10)
    y = 5 + (k // 2) * (H + 10)
    c.sheets["Dashboard"].insert_chart(CHART_TOP, 0, chart, {"x_offset": x, "y_offset": y})


def _line_chart(c: Canvas[TrainingPlan], t: texts.Texts, title: str) -> Any:
    plan = c.plan
    chart = c.wb.add_chart({"type": "scatter", "subtype": "straight"})
    chart.set_title({"name": title, "name_font": {"size": 11}})
    chart.set_x_axis({"name": t.axis_step, "min": 0,
                      "max": plan.settings.steps, "major_gridlines": {"visible": False}})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": W, "height": H})
    return chart


def _grid_lines() -> dict[str, Any]:
    return {"visible": True, "line": {"color": "#D9D9D9"}}


def _loss_chart(c: Canvas[TrainingPlan], t: texts.Texts) -> None:
    """Training and test loss from 0, the test line dashed over the training line, and a
    dashed line at ln 2 (the loss of p = ½ for every point: a plateau lies on it)."""
    plan = c.plan
    chart = _line_chart(c, t, t.chart_loss)
    b = plan.blocks["loss_chart"]
    for j, key, colour, width, dash in TEST_OVER_TRAINING:
        chart.add_series({"name": t.series[key], "categories": _steps_axis(plan),
                          "values": _series(b, j),
                          "line": {"color": colour, "width": width, "dash_type": dash}})
    ref = plan.blocks["ref_line"]
    chart.add_series({"name": t.series["ln2"], "categories": _series(ref, 0),
                      "values": _series(ref, 1),
                      "line": {"color": "#7F7F7F", "width": 1, "dash_type": "dash"}})
    chart.set_y_axis({"name": t.axis_loss, "min": 0, "major_gridlines": _grid_lines()})
    _place(c, chart, 0)


def _accuracy_chart(c: Canvas[TrainingPlan], t: texts.Texts) -> None:
    plan = c.plan
    chart = _line_chart(c, t, t.chart_accuracy)
    b = plan.blocks["accuracy"]
    for j, key, colour, width, dash in TEST_OVER_TRAINING:
        chart.add_series({"name": t.series[key], "categories": _steps_axis(plan),
                          "values": _series(b, j),
                          "line": {"color": colour, "width": width, "dash_type": dash}})
    chart.set_y_axis({"name": t.axis_accuracy, "min": 0, "max": 1, "num_format": "0%",
                      "major_gridlines": _grid_lines()})
    _place(c, chart, 1)


def _norm_chart(c: Canvas[TrainingPlan], t: texts.Texts) -> None:
    """Every layer's gradient norm in its own colour, the norm of all layers together and,
    where clipping is on, the norm after clipping and the threshold; a step at which a
    layer's gradient is exactly 0 is an × at the chart's floor (its line has a gap).
    LibreOffice draws the first series on top: the threshold, then the global norm over
    the wide grey line of the norm after clipping, then the layers."""
    plan = c.plan
    chart = _line_chart(c, t, t.chart_norms)
    steps = _steps_axis(plan)
    g = plan.blocks["global_chart"]
    for j, key, colour, width, dash in ((2, "threshold", THRESHOLD_COLOUR, 1.5, "dash"),
                                        (0, "global", GLOBAL_COLOUR, 1.25, "solid"),
                                        (1, "clipped", CLIPPED_COLOUR, 4, "solid")):
        chart.add_series({"name": t.series[key], "categories": steps, "values": _series(g, j),
                          "line": {"color": colour, "width": width, "dash_type": dash}})
    b = plan.blocks["norm_chart"]
    for j in range(plan.count):
        colour = LAYER_COLOURS[j % len(LAYER_COLOURS)]
        chart.add_series({"name": t.series["layer"].format(k=j + 1), "categories": steps,
                          "values": _series(b, j), "line": {"color": colour, "width": 1.5}})
    chart.add_series({"name": t.series["zero"], "categories": steps,
                      "values": _series(plan.blocks["zero_chart"], 0),
                      "line": {"none": True},
                      "marker": {"type": "x", "size": 4, "border": {"color": "#404040"}}})
    chart.set_y_axis({"name": t.axis_norm, "log_base": 10, "num_format": "0.E+00",
                      "major_gridlines": _grid_lines()})
    chart.set_legend({"position": "right", "font": {"size": 8}})
    _place(c, chart, 2)


def _boundary(c: Canvas[TrainingPlan], t: texts.Texts) -> None:
    """The last step's p(class 1) over the plane as GRID × GRID cells under a colour
    scale, the training points on them as the digit of their class (a conditional
    format), and the axes' values around them."""
    plan, styles = c.plan, c.styles
    ws = c.sheets["Dashboard"]
    g = plan.blocks["dash_grid"]
    top, left = g.row, g.col
    ws.write_string(top - 3, left - 1, t.chart_boundary, styles.caption)
    for k, line in enumerate(t.boundary_note):
        ws.write_string(top - 2 + k, left - 1, line, styles.note)
    ws.set_column_pixels(left, left + GRID - 1, CELL)
    for i in range(GRID):
        ws.set_row_pixels(top + i, CELL)
    hidden = c.wb.add_format({"num_format": ";;;", "font_size": 7, "bold": True,
                              "align": "center", "valign": "vcenter"})
    fill(c, g, lambda i, j: formulas.grid_cell(plan, i, j), hidden)
    last_row, last_col = top + GRID - 1, left + GRID - 1
    for label in (1, 0):
        digit = f'"{label}";"{label}";"{label}"'
        ws.conditional_format(top, left, last_row, last_col, {
            "type": "formula",
            "criteria": "=" + formulas.point_rule(plan, label, top + 1, left + 1),
            "format": c.wb.add_format({"num_format": digit, "bold": True,
                                       "font_color": POINT_COLOURS[label]})})
    ws.conditional_format(top, left, last_row, last_col, {
        "type": "3_color_scale", "min_type": "num", "min_value": 0, "mid_type": "num",
        "mid_value": 0.5, "max_type": "num", "max_value": 1, "min_color": P0_COLOUR,
        "mid_color": PHALF_COLOUR, "max_color": P1_COLOUR})
    axis = c.wb.add_format({"font_size": 8, "align": "right", "valign": "vcenter"})
    below = c.wb.add_format({"font_size": 8, "align": "center"})
    middle = (GRID - 1) // 2
    for k, value in ((0, GRID_HIGH), (middle, (GRID_LOW + GRID_HIGH) / 2), (GRID - 1, GRID_LOW)):
        ws.write_string(top + k, left - 1, f"{value:g}", axis)
        ws.write_string(last_row + 1, left + GRID - 1 - k, f"{value:g}", below)
    ws.write_string(top + middle - 2, left - 1, "x₂", axis)
    ws.write_string(last_row + 2, left + middle, "x₁", below)
