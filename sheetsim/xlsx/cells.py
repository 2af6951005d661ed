"""A1 cell addresses: the one place they are made and parsed.

Rows and columns are 0-based everywhere in sheetsim; this module turns them into the text
Excel shows (``B3``, ``$B$3:$CW$1002``, ``L3_Z!B17``) and back. The builder, the reader,
the evaluator and the benchmark all call it, so an addressing mistake cannot hide on one
side only: a test checks it against the definition of A1 notation.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

GRID_ROWS = 1_048_576
"""Rows of a worksheet in Excel (and in LibreOffice 7.4 and Gnumeric's .xlsx): 1 to 1,048,576."""
GRID_COLS = 16_384
"""Columns of a worksheet: A to XFD."""


def col_letter(col: int) -> str:
    """Column letters of 0-based column ``col``: 0 → A, 25 → Z, 26 → AA."""
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@functools.lru_cache(maxsize=4096)
def col_index(letters: str) -> int:
    """The 0-based column of letters such as ``AA`` (case-insensitive). Remembered: a
    workbook's formulas name few distinct columns, read once per reference."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n - 1


_CELL = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]{1,7})")


def parse_range(text: str) -> tuple[int, int, int, int]:
    """``B3:CW1002`` (or ``$B$3``) to 0-based (row, col, rows, cols)."""
    parts = text.split(":")
    if not 1 <= len(parts) <= 2:
        raise ValueError(f"not a cell range: {text!r}")
    corners = []
    for part in parts:
        m = _CELL.fullmatch(part.strip())
        if not m:
            raise ValueError(f"not a cell range: {text!r}")
        corners.append((int(m.group(2)) - 1, col_index(m.group(1))))
    (r0, c0), (r1, c1) = corners[0], corners[-1]
    if r1 < r0 or c1 < c0:
        raise ValueError(f"not a cell range: {text!r}")
    return r0, c0, r1 - r0 + 1, c1 - c0 + 1


def cell(row: int, col: int, absolute: bool = False) -> str:
    """``B3`` (or ``$B$3``) for 0-based row 2, column 1."""
    d = "$" if absolute else ""
    return f"{d}{col_letter(col)}{d}{row + 1}"


def span(row: int, col: int, rows: int = 1, cols: int = 1, absolute: bool = False) -> str:
    """A range's address; a single cell is written as a cell, not ``B3:B3``."""
    first = cell(row, col, absolute)
    if rows == 1 and cols == 1:
        return first
    return f"{first}:{cell(row + rows - 1, col + cols - 1, absolute)}"


def row_cells(row: int, col: int, count: int) -> list[str]:
    """Addresses of ``count`` cells of one row from column ``col``: the fast path for
    streamed sheets (the letters are made once per column, not once per cell)."""
    return row_pattern(col, count, str(row + 1))


def row_pattern(col: int, count: int, row_text: str) -> list[str]:
    """Addresses of ``count`` cells from column ``col`` with ``row_text`` in place of the
    row number: with a placeholder, the addresses of a row template that is filled in
    once per row (``row_pattern(1, 2, "#")`` → ``["B#", "C#"]``)."""
    return [f"{letters}{row_text}" for letters in _letters(col, count)]


@functools.lru_cache(maxsize=64)
def _letters(col: int, count: int) -> tuple[str, ...]:
    return tuple(col_letter(c) for c in range(col, col + count))


def label(sheet: str, row: int, col: int) -> str:
    """``Histograms!C5``: a cell named for people (reports, messages)."""
    return f"{sheet}!{cell(row, col)}"


@dataclass(frozen=True)
class Block:
    """A rectangular range holding one kind of thing: draws, a formula's result, a statistic.

    ``name`` identifies it in the manifest; ``kind`` says what it holds (an experiment's
    vocabulary: ``uniform`` marks stored draws, which every experiment shares).
    """

    name: str
    sheet: str
    row: int
    col: int
    rows: int
    cols: int
    kind: str

    @property
    def range(self) -> str:
        """The address on its own sheet, as the manifest records it."""
        return span(self.row, self.col, self.rows, self.cols)

    @property
    def ref(self) -> str:
        """Sheet-qualified absolute reference, for use inside formulas."""
        return f"{self.sheet}!{span(self.row, self.col, self.rows, self.cols, absolute=True)}"

    def cell_ref(self, i: int = 0, j: int = 0, absolute: bool = True) -> str:
        """One cell of the block, sheet-qualified, for use inside formulas."""
        return f"{self.sheet}!{cell(self.row + i, self.col + j, absolute)}"

    def column_ref(self, j: int) -> str:
        """Column j of the block, rows fixed: ``L1_A!B$3:B$1002``."""
        c = col_letter(self.col + j)
        return f"{self.sheet}!{c}${self.row + 1}:{c}${self.row + self.rows}"

    def local(self, i: int = 0, j: int = 0) -> str:
        """A cell of this block as a relative address on its own sheet."""
        return cell(self.row + i, self.col + j)

    def address(self, i: int, j: int) -> str:
        """A cell of this block for reports, like ``L3_Z!B17``."""
        return label(self.sheet, self.row + i, self.col + j)

    def contains(self, sheet: str, row: int, col: int) -> bool:
        """Whether the cell (sheet, row, col) lies inside the block."""
        return (sheet == self.sheet and self.row <= row < self.row + self.rows
                and self.col <= col < self.col + self.cols)


@dataclass(frozen=True)
class Named:
    """A defined name and the range it stands for."""

    name: str
    sheet: str
    row: int
    col: int
    rows: int = 1
    cols: int = 1

    @property
    def ref(self) -> str:
        """The sheet-qualified absolute range the name stands for (no leading ``=``)."""
        return f"{self.sheet}!{span(self.row, self.col, self.rows, self.cols, absolute=True)}"


def formula_entry(text: str) -> str:
    """A formula as typed into a cell (or a defined name, or a validation list): ``=text``.

    Formula builders return bare expressions; this and ``array_entry`` are the only places
    the leading ``=`` is added.
    """
    return "=" + text


def array_entry(text: str) -> str:
    """A legacy array formula as xlsxwriter takes it: ``{=text}`` (Ctrl+Shift+Enter)."""
    return "{=" + text + "}"
