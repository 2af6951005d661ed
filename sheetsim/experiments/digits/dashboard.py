"""The Dashboard of a digits workbook: the settings, the run's first and last numbers, test
digits drawn as 8×8 grids of coloured cells with the network's answer, first-layer weights
drawn the same way, the confusion matrix, and three charts — loss, accuracy and every
layer's gradient norm on a log axis."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sheetsim.experiments.digits import data, formulas, texts
from sheetsim.experiments.digits.layout import (
    DASH_GRID_COL,
    SHOWN_DIGITS,
    SHOWN_SETTINGS,
    SIDE,
    DigitsPlan,
    dash_picture,
)
from sheetsim.experiments.digits.reference import sets
from sheetsim.experiments.digits.sheets import fill

if TYPE_CHECKING:
    from sheetsim.build.writer import Canvas

CHART_ROW = 38
W, H = 430, 300
LAYER_COLOURS = ("#9DC3E6", "#2E75B6", "#1F4E79", "#7030A0", "#C00000")
PIXEL_WIDTH = 2.3
"""Width of the Dashboard's picture columns (characters): square-ish cells."""


def write_dashboard(c: Canvas[DigitsPlan], t: texts.Texts) -> None:
    """Title, live subtitle, fixed shape, the table, the pictures and the charts."""
    plan = c.plan
    exp, styles, ws = plan.settings, c.styles, c.sheets["Dashboard"]
    ws.write_string(0, 0, t.title, styles.title)
    fill(c, plan.blocks["dash_subtitle"], lambda i, j: formulas.subtitle(t.subtitle),
         styles.subtitle)
    extras = "".join(t.switches[key] for key, on in (("batch_norm", exp.batch_norm),
                                                     ("residual", exp.residual),
                                                     ("live", exp.live)) if on)
    ws.write_string(2, 0, t.shape.format(hidden=",".join(map(str, exp.hidden)), batch=exp.batch,
                                         train=exp.train_size, test=exp.test_size,
                                         steps=exp.steps, every=exp.eval_every, extras=extras),
                    styles.note)
    table = plan.blocks["summary"]
    ws.write_string(table.row - 1, 0, t.summary_title, styles.header)
    for j, text in enumerate(t.summary_cols):
        ws.write_string(table.row - 1, table.col + j, text, styles.header)
    for i, text in enumerate(t.summary_rows):
        ws.write_string(table.row + i, 0, text, styles.label)
    fmt = (styles.value, styles.value, styles.share, styles.share, styles.sci, styles.sci)
    values = c.reference[table.name]
    for i in range(table.rows):
        for j in range(table.cols):
            c.entry(ws, table.row + i, table.col + j, (formulas.summary(plan, i, j), True),
                    fmt[i], float(values[i, j]))
    shown = plan.blocks["settings_shown"]
    ws.write_string(shown.row - 1, 0, t.settings_title, styles.header)
    for i, name in enumerate(SHOWN_SETTINGS):
        ws.write_string(shown.row + i, 0, t.control_labels[name], styles.label)
    fill(c, shown, lambda i, j: SHOWN_SETTINGS[i], styles.control_num)
    ws.set_column(0, 0, 25)
    ws.set_column(1, 2, 11)
    ws.set_column(3, 3, 2)
    ws.set_column(DASH_GRID_COL, DASH_GRID_COL + 9 * SIDE, PIXEL_WIDTH)
    _digits(c, t)
    _units(c, t)
    _confusion(c, t)
    _loss_chart(c, t)
    _accuracy_chart(c, t)
    _norm_chart(c, t)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 1)
    confusion = plan.blocks["confusion"]
    ws.print_area(0, 0, CHART_ROW + H // 20 + 1, confusion.col + confusion.cols + 8)
    ws.hide_gridlines(2)


def _grid_format(c: Canvas[DigitsPlan], ws: Any, b: Any, colours: dict[str, Any]) -> None:
    ws.conditional_format(b.row, b.col, b.row + b.rows - 1, b.col + b.cols - 1, colours)


def _digits(c: Canvas[DigitsPlan], t: texts.Texts) -> None:
    plan = c.plan
    ws, styles = c.sheets["Dashboard"], c.styles
    hidden = c.wb.add_format({"num_format": ";;;", "border": 1, "border_color": "#F2F2F2"})
    label = c.wb.add_format({"bold": True, "num_format": '"→ "0', "align": "left"})
    prob = c.wb.add_format({"num_format": "0%", "align": "left", "font_color": "#595959"})
    top, _ = dash_picture("digit", 0)
    ws.write_string(top - 1, DASH_GRID_COL, t.digits_title, styles.caption)
    rows = data.shown_rows(sets(plan.settings)["yt"], SHOWN_DIGITS)
    for i, row in enumerate(rows):
        b = plan.blocks[f"digit{i}"]
        fill(c, b, lambda r, q, row=row: formulas.digit(plan, row, r, q), hidden)
        _grid_format(c, ws, b, {"type": "2_color_scale", "min_type": "num", "min_value": 0,
                                "min_color": "#FFFFFF", "max_type": "num", "max_value": 16,
                                "max_color": "#000000"})
        for j, (part, style) in enumerate((("pred", label), ("prob", prob))):
            lab = plan.blocks[f"digit{i}_{part}"]
            ws.merge_range(lab.row, lab.col, lab.row, lab.col + SIDE // 2 - 1, "", style)
            c.entry(ws, lab.row, lab.col, (formulas.digit_label(plan, row, j), True), style,
                    float(c.reference[lab.name][0, 0]))
    for r in range(top, top + 2 * (SIDE + 3)):
        ws.set_row(r, 13)


def _units(c: Canvas[DigitsPlan], t: texts.Texts) -> None:
    plan = c.plan
    ws, styles = c.sheets["Dashboard"], c.styles
    hidden = c.wb.add_format({"num_format": ";;;"})
    top, _ = dash_picture("unit", 0)
    ws.write_string(top - 2, DASH_GRID_COL, t.units_title, styles.caption)
    for j in range(plan.shown_units):
        b = plan.blocks[f"unit{j}"]
        ws.write_string(b.row - 1, b.col, t.unit_label.format(k=j + 1), styles.note)
        fill(c, b, lambda r, q, j=j: formulas.unit_weight(plan, j, r, q), hidden)
        _grid_format(c, ws, b, {"type": "3_color_scale", "min_type": "min",
                                "min_color": "#2E75B6", "mid_type": "num", "mid_value": 0,
                                "mid_color": "#FFFFFF", "max_type": "max",
                                "max_color": "#C00000"})
    for r in range(top - 1, top + SIDE):
        ws.set_row(r, 13)


def _confusion(c: Canvas[DigitsPlan], t: texts.Texts) -> None:
    plan = c.plan
    ws, styles = c.sheets["Dashboard"], c.styles
    b = plan.blocks["confusion"]
    cell = c.wb.add_format({"num_format": "0", "align": "center", "font_size": 8,
                            "border": 1, "border_color": "#D9D9D9"})
    head = c.wb.add_format({"bold": True, "align": "center", "font_size": 8})
    ws.write_string(b.row - 2, b.col - 1, t.confusion_title, styles.caption)
    ws.write_string(b.row + b.rows, b.col - 1, t.confusion_axes, styles.note)
    for k in range(10):
        ws.write_number(b.row - 1, b.col + k, k, head)
        ws.write_number(b.row + k, b.col - 1, k, head)
    fill(c, b, lambda i, j: formulas.confusion(plan, i, j), cell)
    _grid_format(c, ws, b, {"type": "2_color_scale", "min_type": "num", "min_value": 0,
                            "min_color": "#FFFFFF", "max_type": "max",
                            "max_color": "#548235"})
    ws.set_column(b.col - 1, b.col + b.cols, 2.6)


def _series(block: Any, col: int) -> list:
    return [block.sheet, block.row, block.col + col, block.row + block.rows - 1,
            block.col + col]


def _place(c: Canvas[DigitsPlan], chart: Any, k: int) -> None:
    c.sheets["Dashboard"].insert_chart(CHART_ROW, 0, chart,
                                       {"x_offset": 5 + k * (W + 10), "y_offset": 5})


def _chart(c: Canvas[DigitsPlan], title: str, y_name: str, log: bool) -> Any:
    plan = c.plan
    t = texts.for_lang(plan.settings.lang)
    chart = c.wb.add_chart({"type": "scatter", "subtype": "straight"})
    chart.set_title({"name": title, "name_font": {"size": 11}})
    chart.set_x_axis({"name": t.axis_step, "min": 0, "max": plan.settings.steps,
                      "major_gridlines": {"visible": False}})
    y: dict[str, Any] = {"name": y_name, "major_gridlines": {"visible": True,
                                                              "line": {"color": "#D9D9D9"}}}
    if log:
        y.update({"log_base": 10, "num_format": "0.E+00"})
    chart.set_y_axis(y)
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": W, "height": H})
    return chart


def _steps_axis(plan: DigitsPlan) -> list:
    b = plan.blocks["loss"]
    return [b.sheet, b.row, 0, b.row + b.rows - 1, 0]


def _evals_axis(plan: DigitsPlan) -> list:
    b = plan.blocks["accuracy"]
    return [b.sheet, b.row, b.col - 1, b.row + b.rows - 1, b.col - 1]


def _loss_chart(c: Canvas[DigitsPlan], t: texts.Texts) -> None:
    plan = c.plan
    chart = _chart(c, t.chart_loss, t.axis_loss, log=False)
    chart.add_series({"name": t.series["train"], "categories": _steps_axis(plan),
                      "values": _series(plan.blocks["loss"], 0),
                      "line": {"color": "#1F4E79", "width": 1.25}})
    chart.add_series({"name": t.series["test"], "categories": _evals_axis(plan),
                      "values": _series(plan.blocks["test_loss"], 0),
                      "line": {"color": "#ED7D31", "width": 2},
                      "marker": {"type": "circle", "size": 5,
                                 "fill": {"color": "#ED7D31"}, "border": {"color": "#ED7D31"}}})
    chart.set_y_axis({"name": t.axis_loss, "min": 0,
                      "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})
    _place(c, chart, 0)


def _accuracy_chart(c: Canvas[DigitsPlan], t: texts.Texts) -> None:
    plan = c.plan
    chart = _chart(c, t.chart_accuracy, t.axis_accuracy, log=False)
    b = plan.blocks["accuracy"]
    for j, (key, colour) in enumerate((("train", "#1F4E79"), ("test", "#ED7D31"))):
        chart.add_series({"name": t.series[key], "categories": _evals_axis(plan),
                          "values": _series(b, j), "line": {"color": colour, "width": 1.75},
                          "marker": {"type": "circle", "size": 5, "fill": {"color": colour},
                                     "border": {"color": colour}}})
    chart.set_y_axis({"name": t.axis_accuracy, "min": 0, "max": 1, "num_format": "0%",
                      "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})
    _place(c, chart, 1)


def _norm_chart(c: Canvas[DigitsPlan], t: texts.Texts) -> None:
    plan = c.plan
    chart = _chart(c, t.chart_norms, t.axis_norm, log=True)
    b = plan.blocks["norm_chart"]
    for j in range(plan.count):
        colour = LAYER_COLOURS[j % len(LAYER_COLOURS)]
        chart.add_series({"name": t.series["layer"].format(k=j + 1),
                          "categories": _steps_axis(plan), "values": _series(b, j),
                          "line": {"color": colour, "width": 1.5}})
    _place(c, chart, 2)
