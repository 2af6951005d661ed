"""The Dashboard of a training workbook: the run's first and last numbers and four charts —
loss, accuracy, every layer's gradient norm on a log axis, and the decision boundary —
laid out for one landscape page (``sheetsim render`` draws it)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sheetsim.experiments.training import formulas, texts
from sheetsim.experiments.training.layout import GRID_HIGH, GRID_LOW, TrainingPlan
from sheetsim.experiments.training.sheets import fill

if TYPE_CHECKING:
    from sheetsim.build.writer import Canvas

CHART_TOP = 12
W, H = 520, 320
LAYER_COLOURS = ("#9DC3E6", "#2E75B6", "#1F4E79", "#7030A0", "#C00000", "#ED7D31", "#70AD47")


def write_dashboard(c: Canvas[TrainingPlan], t: texts.Texts) -> None:
    """Title, live subtitle, the table and the charts."""
    plan = c.plan
    styles, ws = c.styles, c.sheets["Dashboard"]
    ws.write_string(0, 0, t.title, styles.title)
    fill(c, plan.blocks["dash_subtitle"], lambda i, j: formulas.subtitle(t.subtitle),
         styles.subtitle)
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
    ws.set_column(0, 0, 22)
    ws.set_column(1, 2, 12)
    ws.freeze_panes(2, 0)
    _loss_chart(c, t)
    _accuracy_chart(c, t)
    _norm_chart(c, t)
    _boundary_chart(c, t)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 1)
    ws.print_area(0, 0, CHART_TOP + (2 * H + 30) // 20 + 1, 16)
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


def _line_chart(c: Canvas[TrainingPlan], t: texts.Texts, title: str, y_name: str, log: bool) -> Any:
    plan = c.plan
    chart = c.wb.add_chart({"type": "scatter", "subtype": "straight"})
    chart.set_title({"name": title, "name_font": {"size": 11}})
    chart.set_x_axis({"name": t.axis_step, "min": 0,
                      "max": plan.settings.steps, "major_gridlines": {"visible": False}})
    y: dict[str, Any] = {"name": y_name, "major_gridlines": {"visible": True,
                                                              "line": {"color": "#D9D9D9"}}}
    if log:
        y.update({"log_base": 10, "num_format": "0.E+00"})
    chart.set_y_axis(y)
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": W, "height": H})
    return chart


def _loss_chart(c: Canvas[TrainingPlan], t: texts.Texts) -> None:
    plan = c.plan
    chart = _line_chart(c, t, t.chart_loss, t.axis_loss, log=False)
    b = plan.blocks["loss"]
    for j, (key, colour) in enumerate((("train", "#1F4E79"), ("test", "#ED7D31"))):
        chart.add_series({"name": t.series[key], "categories": _steps_axis(plan),
                          "values": _series(b, j), "line": {"color": colour, "width": 1.75}})
    _place(c, chart, 0)


def _accuracy_chart(c: Canvas[TrainingPlan], t: texts.Texts) -> None:
    plan = c.plan
    chart = _line_chart(c, t, t.chart_accuracy, t.axis_accuracy, log=False)
    b = plan.blocks["accuracy"]
    for j, (key, colour) in enumerate((("train", "#1F4E79"), ("test", "#ED7D31"))):
        chart.add_series({"name": t.series[key], "categories": _steps_axis(plan),
                          "values": _series(b, j), "line": {"color": colour, "width": 1.75}})
    chart.set_y_axis({"name": t.axis_accuracy, "min": 0, "max": 1, "num_format": "0%",
                      "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})
    _place(c, chart, 1)


def _norm_chart(c: Canvas[TrainingPlan], t: texts.Texts) -> None:
    plan = c.plan
    chart = _line_chart(c, t, t.chart_norms, t.axis_norm, log=True)
    b = plan.blocks["norm_chart"]
    for j in range(plan.count):
        colour = LAYER_COLOURS[j % len(LAYER_COLOURS)]
        chart.add_series({"name": t.series["layer"].format(k=j + 1),
                          "categories": _steps_axis(plan), "values": _series(b, j),
                          "line": {"color": colour, "width": 1.5}})
    chart.set_legend({"position": "right"})
    _place(c, chart, 2)


def _boundary_chart(c: Canvas[TrainingPlan], t: texts.Texts) -> None:
    plan = c.plan
    chart = c.wb.add_chart({"type": "scatter"})
    g, shown = plan.blocks["grid"], plan.blocks["grid_shown"]
    x, pts = plan.blocks["x_train"], plan.blocks["train_shown"]
    marks = (("grid1", g, shown, 0, "#F8CBAD", "square", 6),
             ("grid0", g, shown, 1, "#BDD7EE", "square", 6),
             ("pts1", x, pts, 0, "#C00000", "circle", 6),
             ("pts0", x, pts, 1, "#1F4E79", "circle", 6))
    for key, xb, yb, j, colour, shape, size in marks:
        chart.add_series({
            "name": t.series[key], "categories": _series(xb, 0), "values": _series(yb, j),
            "marker": {"type": shape, "size": size, "fill": {"color": colour},
                       "border": {"color": colour}},
        })
    chart.set_title({"name": t.chart_boundary, "name_font": {"size": 11}})
    for axis, name in ((chart.set_x_axis, "x₁"), (chart.set_y_axis, "x₂")):
        axis({"name": name, "min": GRID_LOW, "max": GRID_HIGH, "crossing": "min",
              "major_gridlines": {"visible": False}})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": W, "height": H})
    _place(c, chart, 3)
