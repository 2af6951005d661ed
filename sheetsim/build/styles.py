"""The workbook's cell formats, with a colour key: yellow controls, blue draws, black
formulas. Every experiment draws from this one set so the workbooks look alike."""

from __future__ import annotations

import xlsxwriter


class Styles:
    """The formats of one workbook (xlsxwriter formats belong to their workbook)."""

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
