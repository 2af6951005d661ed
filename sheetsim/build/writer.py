"""Write a workbook of any experiment: every block with its formula and its correct cached
value, the experiment's own sheets, the manifest — atomically.

Small sheets go through xlsxwriter (the experiment writes them through a ``Canvas``). The
big blocks go through ``xlsx.stream`` by default, or cell by cell through xlsxwriter with
``fast=False`` (the straightforward path the fast one is tested against).
"""

from __future__ import annotations

import datetime as dt
import io
import math
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic

import numpy as np
import xlsxwriter

from sheetsim import atomic
from sheetsim.build import exercises, manifest
from sheetsim.build.styles import Styles
from sheetsim.contract import MANIFEST_SHEET
from sheetsim.experiments.base import UNIFORM, Experiment, P, Plan, Reference
from sheetsim.xlsx.cells import Block, Named, array_entry, formula_entry
from sheetsim.xlsx.stream import ERROR_TEXT, HeavySheet, assemble

FIXED_DATE = dt.datetime(2024, 1, 1)
WRAP_ALLOWANCE = 1.3
"""How much wider than Calibri a Guide line's font may be and still fit its row: where
Calibri's metric twin Carlito is missing, LibreOffice draws Calibri as DejaVu Sans, which
wraps a line of Calibri's 125 characters onto two."""
Progress = Callable[[str], None]


def cached(v: float) -> float | str:
    """A cached value as a cell stores it: an overflowed (non-finite) value is #NUM!."""
    return v if math.isfinite(v) else ERROR_TEXT


@dataclass
class Canvas(Generic[P]):
    """What an experiment writes its own sheets with: the workbook, its sheets by name,
    the styles, the plan, the settings and the reference values of every block.

    Generic over the experiment's plan type: an experiment's sheets take a
    ``Canvas[ItsPlan]`` and read ``c.plan`` as its own plan."""

    wb: xlsxwriter.Workbook
    sheets: dict[str, Any]
    styles: Styles
    plan: P
    reference: Reference

    @property
    def settings(self) -> Any:
        """The settings the workbook is built from."""
        return self.plan.settings

    def formula(self, ws: Any, row: int, col: int, text: str, style: Any, value: Any) -> None:
        """A plain formula with its cached value (text, or a number; non-finite → #NUM!)."""
        shown = cached(float(value)) if isinstance(value, float) else value
        ws.write_formula(row, col, formula_entry(text), style, shown)

    def entry(self, ws: Any, row: int, col: int, entry: tuple[str, bool], style: Any,
              value: Any) -> None:
        """One cell's formula, plain or array-entered as ``entry`` (text, is_array) says."""
        text, is_array = entry
        if is_array:
            ws.write_array_formula(row, col, row, col, array_entry(text), style,
                                   cached(float(value)) if isinstance(value, float) else value)
        else:
            self.formula(ws, row, col, text, style, value)

    def control(self, ws: Any, cell: Named, label: str, value: Any, note: str,
                fixed: bool = False, comment: bool = True) -> None:
        """A named control's row: its label, its value (yellow if it can be changed, grey
        if fixed at build), a note beside it and, if it can be changed and ``comment`` is
        true, the note again as a cell comment."""
        styles = self.styles
        ws.write_string(cell.row, 0, label, styles.label)
        if isinstance(value, str):
            ws.write_string(cell.row, cell.col, value, styles.control)
        else:
            ws.write_number(cell.row, cell.col, value,
                            styles.fixed if fixed else styles.control_num)
        ws.write_string(cell.row, cell.col + 1, note, styles.note)
        if comment and not fixed:
            ws.write_comment(cell.row, cell.col, note, {"x_scale": 2, "y_scale": 0.8})

    def guide(self, title: str, sections: Any, width: int = 110, per_line: int = 160) -> None:
        """The Guide sheet: a title, then each (heading, body) section, the body one wrapped
        paragraph or a tuple of one-row lines, with a blank row between sections. A wrapped
        row is made tall enough for its text at ``per_line`` bytes a line (in Calibri) in a
        column ``width`` characters wide, with room for a font up to WRAP_ALLOWANCE times
        wider."""
        styles, ws = self.styles, self.sheets["Guide"]
        ws.set_column(0, 0, width)
        ws.write_string(0, 0, title, styles.title)
        r = 2
        for heading, body in sections:
            ws.write_string(r, 0, heading, styles.caption)
            r += 1
            for line in (body,) if isinstance(body, str) else body:
                ws.write_string(r, 0, line, styles.wrap)
                ws.set_row(r, 15 * (int(len(line.encode()) * WRAP_ALLOWANCE) // per_line
                                    + (2 if isinstance(body, str) else 1)))
                r += 1
            r += 1

    def column_left(self, sheet: str, col: int) -> int:
        """Pixels from the sheet's left edge to column ``col``, with the column widths set
        so far (Excel's default 64 pixels where none is)."""
        return column_left(self.sheets[sheet], col)

    def column_at(self, sheet: str, px: int) -> int:
        """The column holding the point ``px`` pixels from the sheet's left edge (a point
        on a column's right edge belongs to that column)."""
        col = 0
        while self.column_left(sheet, col + 1) < px:
            col += 1
        return col

    def block_values(self, ws: Any, b: Block, formula: str | None, style: Any) -> None:
        """One legacy array formula over the block (or constants), every cell with its
        reference value, exactly as Excel stores an array formula's results."""
        write_block(ws, b, self.reference[b.name], formula, style)


def column_left(ws: Any, col: int) -> int:
    """Pixels from the left edge of the xlsxwriter sheet ``ws`` to column ``col``, with the
    column widths set so far (Excel's default 64 pixels where none is)."""
    total = 0
    for j in range(col):
        info = ws.col_info.get(j)
        total += int(info.width) if info is not None and info.width is not None else 64
    return total


PORTRAIT_PT = 494
"""Points across an A4 portrait page inside Excel's default margins (0.7 inch each side).

LibreOffice prints a column that Excel shows ``w`` pixels wide ``w`` points wide (Excel prints
it narrower), so widths below are column pixels compared with these points."""
LANDSCAPE_PT = 741
"""Points across an A4 landscape page inside the default margins."""
LANDSCAPE_AFTER = 1.3
"""A sheet prints landscape when it is this many times wider than a portrait page."""


def used_width(ws: Any, last_col: int | None = None) -> int:
    """Pixels from the sheet's left edge to the right edge of its last used or sized column
    (``last_col`` if it is further right, for blocks streamed later: a sized column past the
    last cell holds text that runs over into it) or of its last chart."""
    cols = [c for c in (ws.dim_colmax, last_col, max(ws.col_info, default=None))
            if c is not None]
    right = column_left(ws, max(cols) + 1) if cols else 0
    for row_col_chart in ws.charts:
        _, col, chart, x_offset = row_col_chart[:4]
        x_scale = row_col_chart[5]
        right = max(right, column_left(ws, col) + x_offset + int(chart.width * x_scale))
    return right


def widest_column(ws: Any) -> int:
    """Pixels across the widest sized column of the sheet (Excel's default 64 if none)."""
    return max([64, *(int(i.width) for i in ws.col_info.values() if i.width is not None)])


def page_setup(ws: Any, last_col: int | None = None) -> None:
    """Print every page of a sheet within the page width: A4, one page wide (as many tall
    as it needs), the frozen rows repeated on every page, the sheet's name as the header and
    the page number as the footer. Landscape when the sheet is much wider than a portrait
    page or one column is wider than it, with narrow margins when one column is wider than
    a landscape page: fitting to the width shrinks a sheet of several columns, but a single
    column wider than the page counts as one page across and is cut. A sheet whose
    experiment set up its own printing (a dashboard) keeps it."""
    if ws.page_setup_changed:
        return
    ws.set_paper(9)
    widest = widest_column(ws)
    if used_width(ws, last_col) > LANDSCAPE_AFTER * PORTRAIT_PT or widest > PORTRAIT_PT:
        ws.set_landscape()
    if widest > LANDSCAPE_PT:  # 806 points across inside 0.25-inch margins
        ws.set_margins(left=0.25, right=0.25)
    ws.fit_to_pages(1, 0)
    if ws.panes and ws.panes[0] > 0:
        ws.repeat_rows(0, ws.panes[0] - 1)
    ws.set_header("&C&A")
    ws.set_footer("&CPage &P of &N")


def write_block(ws: Any, b: Block, values: np.ndarray, formula: str | None, style: Any) -> None:
    """One legacy array formula over ``b`` (or constants), every cell with its value."""
    values = np.asarray(values, dtype=np.float64).reshape(b.rows, b.cols)
    for i in range(b.rows):
        for j in range(b.cols):
            v = float(values[i, j])
            if i == 0 and j == 0 and formula is not None:
                ws.write_array_formula(
                    b.row, b.col, b.row + b.rows - 1, b.col + b.cols - 1,
                    array_entry(formula), style, cached(v),
                )
            elif math.isfinite(v):
                ws.write_number(b.row + i, b.col + j, v, style)
            else:
                ws.write_string(b.row + i, b.col + j, ERROR_TEXT, style)


def build(
    settings: Any,
    path: Path,
    experiment: Experiment | None = None,
    fast: bool = True,
    progress: Progress | None = None,
    plan: Plan | None = None,
) -> Reference:
    """Plan (unless the caller has: ``plan`` of these settings, checked to fit), run the
    reference model on the seeded draws, and write; returns the reference values (what the
    workbook's cached values are). The experiment is found from the type of ``settings``
    unless given."""
    from sheetsim import experiments

    experiment = experiment or experiments.of_settings(settings)
    if plan is None:
        plan = experiment.plan(settings)
        plan.check_fits()
    if progress:
        progress("running the reference model")
    reference = experiment.reference(settings, plan, experiment.draws(settings, plan))
    write(experiment, plan, reference, path, fast=fast, progress=progress)
    return reference


def write(
    experiment: Experiment,
    plan: Plan,
    reference: Reference,
    path: Path,
    fast: bool = True,
    progress: Progress | None = None,
) -> None:
    """Write atomically: a temporary file beside ``path`` renamed into place when complete.

    Interrupted at any point (an exception, Ctrl-C, SIGTERM), ``path`` keeps its old bytes
    and the temporary file is removed; see ``atomic.replacing``. ``progress`` is told each
    stage: the sheets, the package, then each big block's sheet by name.
    """
    with atomic.replacing(os.fspath(path)) as tmp:
        package = io.BytesIO()
        wb = xlsxwriter.Workbook(package, {"in_memory": True, "strings_to_numbers": False})
        if progress:
            progress("writing the sheets")
        heavy = _build(wb, experiment, plan, reference, fast, progress)
        if progress:
            progress("packing the workbook")
        wb.close()
        if fast:
            assemble(package.getvalue(), heavy, tmp,
                     (lambda name: progress(f"writing {name}")) if progress else None)
        else:
            tmp.write_bytes(package.getvalue())


def _build(
    wb: xlsxwriter.Workbook, experiment: Experiment, plan: Plan, reference: Reference,
    fast: bool, progress: Progress | None,
) -> dict[str, HeavySheet]:
    wb.set_properties({"title": experiment.title(plan.settings), "created": FIXED_DATE,
                       "comments": "sheetsim"})
    wb.set_calc_mode("auto")
    styles = Styles(wb)
    names = [*plan.sheets, MANIFEST_SHEET]
    sheets = {name: wb.add_worksheet(name) for name in names}
    for named in plan.names.values():
        wb.define_name(named.name, formula_entry(named.ref))

    canvas = Canvas(wb, sheets, styles, plan, reference)
    experiment.write_sheets(canvas)
    exercises.write(canvas)
    manifest.write(sheets[MANIFEST_SHEET], plan, experiment.name)

    heavy: dict[str, HeavySheet] = {}
    last_cols: dict[str, int] = {}
    for big in experiment.big_blocks(plan.settings, plan):
        b = big.block
        last_cols[b.sheet] = max(last_cols.get(b.sheet, 0), b.col + b.cols - 1)
        uniform = b.kind == UNIFORM
        spec = HeavySheet(
            name=b.sheet, caption=big.caption, block=b, values=reference[b.name],
            formula=big.formula, cell_formula=big.cell_formula,
            header_style=styles.header._get_xf_index(),
            value_style=(styles.draw if uniform else styles.value)._get_xf_index(),
            caption_style=styles.caption._get_xf_index(),
        )
        ws = sheets[b.sheet]
        ws.freeze_panes(b.row, b.col)
        ws.set_column(0, 0, 8)
        ws.set_column(b.col, b.col + b.cols - 1, 8)
        ws.set_tab_color("#BDD7EE" if uniform else "#C6E0B4")
        if fast:
            heavy[f"xl/worksheets/sheet{names.index(b.sheet) + 1}.xml"] = spec
        else:
            if progress:
                progress(f"writing {b.sheet}")
            _heavy_cells(ws, spec, styles)
    for name in plan.sheets:
        page_setup(sheets[name], last_cols.get(name))
    first = sheets[plan.sheets[0]]
    first.activate()
    first.set_first_sheet()
    sheets[MANIFEST_SHEET].hide()
    return heavy


def _heavy_cells(ws: Any, spec: HeavySheet, styles: Styles) -> None:
    """The straightforward path: the same cells as ``xlsx.stream`` writes, via xlsxwriter."""
    b = spec.block
    ws.write_string(0, 0, spec.caption, styles.caption)
    for j in range(b.cols):
        ws.write_number(b.row - 1, b.col + j, j + 1, styles.header)
    style = styles.draw if b.kind == UNIFORM else styles.value
    for i in range(b.rows):
        ws.write_number(b.row + i, 0, i + 1, styles.header)
    if spec.cell_formula is not None:
        for i in range(b.rows):
            for j in range(b.cols):
                ws.write_formula(b.row + i, b.col + j, formula_entry(spec.cell_formula), style,
                                 float(spec.values[i, j]))
        return
    write_block(ws, b, spec.values, spec.formula, style)
