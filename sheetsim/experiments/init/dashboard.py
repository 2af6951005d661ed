"""The Dashboard of an initialization workbook: title, live description, the per-layer
table, one histogram per layer (each scaled to its tallest bar), and the signal's size by
depth."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from sheetsim.experiments.common.bins import label_format
from sheetsim.experiments.init import diagnosis, formulas, texts
from sheetsim.experiments.init.layout import DASH_TOP, InitPlan
from sheetsim.experiments.init.sheets import SHARE_STATS

if TYPE_CHECKING:
    from sheetsim.build.writer import Canvas

CHART_W, CHART_H, CHARTS_PER_ROW = 330, 260, 5
SUBTITLE = {"italic": True, "font_color": "#404040"}
"""The header's σ cell, styled as the subtitle is."""
ROW_PX = 20  # the default row height in pixels


def write_dashboard(c: Canvas[InitPlan], t: texts.Texts) -> None:
    """The one sheet laid out for a page: ``sheetsim render`` draws it."""
    plan = c.plan
    exp, styles, ws, wb = plan.settings, c.styles, c.sheets["Dashboard"], c.wb
    L = exp.layers
    ws.write_string(0, 0, t.title, styles.title)
    s = t.subtitle
    bn = f"{s['batchnorm']}{'on' if exp.batchnorm else 'off'}" if exp.has_batchnorm else ""
    sigma = exp.sigma if exp.init == "normal" else float(c.reference["layer_wstd"][0, 0])
    shown = (f"{s['init']}{exp.init}", sigma,
             f"{s['activation']}{exp.activation}"
             f"{s['shape'].format(layers=L, width=exp.width)}{s['samples']}{exp.samples}{bn}"
             f"{s['range']}{exp.range_mode}{s['seed']}{exp.seed}")
    sigma_style = c.wb.add_format({**SUBTITLE, "num_format": f'"{s["sigma"]}"0.####',
                                   "align": "left"})
    for col, text, style, value in zip((0, 1, 2), formulas.header(plan, s),
                                       (styles.subtitle, sigma_style, styles.subtitle), shown,
                                       strict=True):
        c.formula(ws, 1, col, text, style, value)
    ws.write_string(2, 0, t.caption, c.wb.add_format({"font_color": "#1F3864"}))
    ws.set_column(0, 0, 28)
    ws.set_column(1, max(L, 12), 11)
    ws.write_string(DASH_TOP, 0, "", styles.header)
    for k in range(1, L + 1):
        ws.write_string(DASH_TOP, k, t.layer_label(k), styles.header)
    for key in plan.dash_rows:
        b = plan.blocks[f"dash_{key}"]
        ws.write_string(b.row, 0, t.dash_labels[key], styles.label)
        style = _dash_style(c, key)
        for k, value in enumerate(c.reference[b.name].ravel(), 1):
            c.entry(ws, b.row, b.col + k - 1, formulas.dash(plan, key, k), style, value)

    place = diagnosis.Place(DASH_TOP + len(plan.dash_rows) + 1, L, exp.backward,
                            table_top=DASH_TOP, table_col=L + 2)
    _diagnosis(c, place, t, texts.DIAGNOSIS.of(exp.lang))
    top = place.bottom + 1
    section = c.wb.add_format({"bold": True, "font_size": 13, "font_color": "#1F3864"})
    y = 0
    y = _histogram_charts(c, "", t.chart_x, t, top, y, (t.section_outputs, section))
    if exp.backward:
        y = _histogram_charts(c, "grad_", t.grad_chart_x, t, top, y,
                              (t.section_grads, section))
    # the lines read the per-layer table's plain cells (see formulas.listens), not the
    # statistics' array formulas, so that LibreOffice need not compute these at load
    std = plan.blocks["dash_std"]
    header = DASH_TOP  # the layer labels above the table
    line = _line_chart(wb, t.std_chart_title, t.std_chart_x, t.std_chart_y)
    line.add_series({
        "name": t.std_chart_y,
        "categories": [std.sheet, header, std.col, header, std.col + L - 1],
        "values": [std.sheet, std.row, std.col, std.row, std.col + L - 1],
        "marker": {"type": "circle", "size": 6},
    })
    line.set_y_axis(std_axis(c.reference[std.name].ravel(), t.std_chart_y))
    ws.insert_chart(top, 0, line, {"x_offset": 10, "y_offset": y})
    if exp.backward:
        assert t.grad_stat_labels is not None
        size = _line_chart(wb, t.grad_size_title, t.std_chart_x, "")
        for stat, colour in (("mean_abs", "#C00000"), ("wgrad", "#7030A0")):
            b = plan.blocks[f"dash_grad_{stat}"]
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
    ws.set_margins(left=0.2, right=0.2, top=0.25, bottom=0.25)
    ws.fit_to_pages(1, 1)
    charts = 10 + min(L, CHARTS_PER_ROW) * CHART_W
    tips = c.column_left("Dashboard", place.column("try") + 1)
    ws.print_area(0, 0, top + y // ROW_PX + 1, c.column_at("Dashboard", max(charts, tips)))
    ws.hide_gridlines(2)


def _diagnosis(c: Canvas[InitPlan], place: diagnosis.Place, t: texts.Texts,
               d: texts.DiagnosisTexts) -> None:
    """The diagnosis below the per-layer table: per layer the numbers behind the findings
    (red where a finding fires) and how many fire; beside the statistics, per finding its
    test, threshold (the one table of thresholds), whether it fires, the worst layer's
    number, that layer and what to try. Verdicts are numbers (1 or 0, counts) whose number
    formats show the words."""
    plan = c.plan
    exp, styles, ws, wb = plan.settings, c.styles, c.sheets["Dashboard"], c.wb
    nums = diagnosis.numbers(exp, c.reference)
    verdicts = diagnosis.verdicts(exp, nums)
    gain = wb.add_format({"num_format": "0.00"})
    value_style = {"saturated": styles.share, "dead": styles.share, "std": styles.value,
                   "signal_gain": gain, "grad_gain": gain}
    red = wb.add_format({"font_color": "#9C0006", "bg_color": "#FFC7CE", "bold": True})
    ws.write_string(place.top, 0, d.title, styles.caption)
    ws.write_string(place.header, 0, "", styles.header)
    for k in range(1, place.layers + 1):
        ws.write_string(place.header, k, t.layer_label(k), styles.header)
    for m in diagnosis.measures(exp.backward):
        b = place.measure(m)
        ws.write_string(b.row, 0, d.measures[m], styles.label)
        for k in range(1, place.layers + 1):
            col = b.col + k - 1
            if k not in diagnosis.layers_of(m, place.layers):
                ws.write_string(b.row, col, d.na, styles.centre)
                continue
            c.entry(ws, b.row, col,
                    formulas.listens(plan, diagnosis.measure_formula(plan, place, m, k)),
                    value_style[m], nums[m][k - 1])
            for th in diagnosis.findings(exp.backward, exp.layers):
                if th.measure == m:
                    ws.conditional_format(b.row, col, b.row, col, {
                        "type": "formula", "format": red,
                        "criteria": "=" + diagnosis.local_test(place, th, b.row, col)})
    row = place.per_layer
    ws.write_string(row.row, 0, d.layer_row, styles.label)
    per_layer = wb.add_format({"num_format": diagnosis.count_format(d.layer_some, d.ok),
                               "align": "right", "font_color": OK_COLOUR})
    for k in range(1, place.layers + 1):
        hit = diagnosis.fires_in_layer(exp, nums, k)
        c.entry(ws, row.row, row.col + k - 1,
                formulas.listens(plan, diagnosis.layer_count_formula(place, k)), per_layer,
                np.nan if hit is None else float(len(hit)))
    # the words' colour follows the verdict: red where a finding fires, "ok" not
    ws.conditional_format(row.row, row.col, row.row, row.col + place.layers - 1, {
        "type": "cell", "criteria": ">", "value": 0, "format": red})

    for j, text in enumerate(d.headers):
        ws.write_string(place.table_header, place.table_col + j, text, styles.header)
    for name, width in (("finding", 20), ("test", 10), ("threshold", 9), ("found", 7),
                        ("worst", 9), ("layer", 6), ("try", TRY_WIDTH)):
        ws.set_column(place.column(name), place.column(name), width)
    found = wb.add_format({"num_format": diagnosis.words_format(d.yes, d.no), "align": "center"})
    for th in diagnosis.thresholds(exp.backward, exp.layers):
        r = place.finding_row(th.key)
        ws.write_string(r, place.column("finding"), d.findings[th.key], styles.label)
        ws.write_string(r, place.column("test"), d.tests[th.key], styles.centre)
        ws.write_number(r, place.column("threshold"), th.value, styles.control_num)
        if th.key == diagnosis.BAND:
            continue
        v = verdicts[th.key]
        fires = np.nan if v.fires is None else float(v.fires)  # an error: an overflow
        tip = wb.add_format({"num_format": diagnosis.words_format(d.tips[th.key], d.na),
                             "align": "left"})
        cells = (
            ("found", diagnosis.fires_formula(place, th), found, fires),
            ("worst", diagnosis.worst_formula(place, th), value_style[th.measure], v.worst),
            ("layer", diagnosis.layer_formula(place, th), styles.centre, v.layer),
            ("try", diagnosis.fires_formula(place, th), tip, fires),
        )
        for col, text, style, value in cells:
            c.entry(ws, r, place.column(col), formulas.listens(plan, text), style, value)
        ws.conditional_format(r, place.column("found"), r, place.column("found"), {
            "type": "cell", "criteria": "==", "value": 1, "format": red})
    if any(v.fires is None for v in verdicts.values()):
        overall = np.nan
    else:
        overall = float(sum(bool(v.fires) for v in verdicts.values()))
    caption = wb.add_format({"bold": True, "font_color": "#1F3864", "align": "left",
                             "num_format": diagnosis.count_format(d.some, d.none)})
    c.entry(ws, place.overall, 0, formulas.listens(plan, diagnosis.count_formula(place)),
            caption, overall)
    ws.write_string(place.overall, 1, d.see, styles.note)


OK_COLOUR = "#375623"
"""The per-layer findings row's words where no finding fires (dark green)."""

TRY_WIDTH = 62
"""Characters of the "Try this" column: a number's formatted text does not spill into the
next cell as a text does, so the column holds the longest advice."""


def _dash_style(c: Canvas[InitPlan], key: str) -> Any:
    styles = c.styles
    if key in ("init", "activation", "bn"):
        return styles.centre
    if key.startswith("grad_"):
        return styles.sci
    return styles.share if key in SHARE_STATS else styles.value


def std_axis(std: np.ndarray, name: str) -> dict[str, Any]:
    """The std-by-layer chart's value axis: logarithmic when the layers' std spans more than
    ``LOG_SPAN`` times (an exploding or vanishing signal), else linear from 0."""
    finite = std[np.isfinite(std) & (std > 0)]
    if finite.size and finite.max() > LOG_SPAN * finite.min():
        return {"name": name, "log_base": 10, "num_format": "#,##0.####",
                "major_gridlines": {"visible": True}}
    return {"name": name, "min": 0}


LOG_SPAN = 10.0
"""Largest ratio of the layers' std that a linear axis still shows."""


def _histogram_charts(c: Canvas[InitPlan], prefix: str, x_name: str, t: texts.Texts,
                      top: int, y: int, title: tuple[str, Any]) -> int:
    """A section title, then one column chart per layer; returns the next free y (pixels
    below row ``top``, whose rows are all 20 pixels high).

    The value axes scale themselves (no fixed maximum): an axis limit in a chart part is a
    constant, which no formula can move, so a maximum fixed at build clipped the bars after
    a control change (the saturated outer bins of σ = 1, ReLU's bar at 0). Each chart now
    fits its tallest bar after any change; layers are compared by the table's shares and
    the std chart rather than by bar heights. Output charts take their labels from their
    layer's own centres (the layer's own range, where the layers differ by orders of
    magnitude), in a number format fitting the built workbook's labels."""
    plan = c.plan
    wb, ws = c.wb, c.sheets["Dashboard"]
    row = top + (y + ROW_PX - 1) // ROW_PX
    ws.write_string(row, 0, *title)
    if not prefix and "own_range" in plan.blocks:  # which range the charts' labels are on
        own = bool(c.reference["own_range"][0, 0])
        note = formulas.own_range_note(plan, t.own_range_notes)
        c.entry(ws, row, 1, note, c.styles.note,
                t.own_range_notes[0 if own else 1])
    y = (row - top + 1) * ROW_PX + 4
    layers = range(1, plan.settings.layers + 1)
    for k in layers:
        block = plan.blocks[f"L{k}_{prefix}counts"]
        centres = plan.blocks[f"{prefix}centres" if prefix else f"L{k}_centres"]
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
        chart.set_title({"name": t.layer_label(k), "name_font": {"size": 12}})
        labels = "0" if prefix else label_format(c.reference[centres.name].ravel())
        chart.set_x_axis({"name": x_name, "num_format": labels, "name_font": {"size": 10},
                          "num_font": {"rotation": -45, "size": 9}})
        chart.set_y_axis({"name": t.chart_y, "min": 0, "name_font": {"size": 10},
                          "num_font": {"size": 9},
                          "num_format": "#,##0", "major_gridlines": {"visible": True}})
        chart.set_legend({"none": True})
        chart.set_size({"width": CHART_W, "height": CHART_H})
        i, j = divmod(k - 1, CHARTS_PER_ROW)
        ws.insert_chart(top, 0, chart, {"x_offset": 10 + j * CHART_W,
                                        "y_offset": y + i * CHART_H})
    rows = (plan.settings.layers + CHARTS_PER_ROW - 1) // CHARTS_PER_ROW
    return y + rows * CHART_H + 10


def _line_chart(wb: Any, title: str, x_name: str, y_name: str) -> Any:
    line = wb.add_chart({"type": "line"})
    line.set_title({"name": title, "name_font": {"size": 11}})
    line.set_x_axis({"name": x_name})
    line.set_legend({"none": True})
    line.set_size({"width": CHART_W * 2, "height": CHART_H})
    return line
