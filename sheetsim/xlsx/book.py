"""A workbook as read from a file: the shared currency of reader, evaluator and verify.

Kept free of any knowledge of how sheetsim writes formulas, so the evaluator can judge
formula text on its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np


@dataclass(frozen=True)
class ExcelError:
    """An Excel error value such as ``#NUM!``; compares equal by its code."""

    code: str

    def __str__(self) -> str:
        return self.code


@dataclass
class SheetData:
    """Constant and cached cell values of one sheet, 0-based (row 0 is Excel row 1).

    ``numbers`` is dense: NaN where a cell is empty or not a number. Text, booleans and
    error values are few, so they live in ``other`` keyed by (row, col).
    """

    name: str
    numbers: np.ndarray
    other: dict[tuple[int, int], str | bool | ExcelError] = field(default_factory=dict)

    def value(self, row: int, col: int) -> float | str | bool | ExcelError | None:
        """The Python value of one cell, None where it is empty."""
        if (row, col) in self.other:
            return self.other[(row, col)]
        if row < self.numbers.shape[0] and col < self.numbers.shape[1]:
            v = self.numbers[row, col]
            if not np.isnan(v):
                return float(v)
        return None


class FormulaCell(NamedTuple):
    """One formula: a plain one (1×1) or a legacy array formula over rows×cols.

    ``text`` is the formula as stored in the file, without the leading ``=``, in whatever
    dialect the saving application used (``_xlfn.`` prefixes or not, quoted sheet names...).
    A named tuple: a step-by-step table has 80,000 of them, made in a tenth of the time a
    frozen dataclass takes.
    """

    sheet: str
    row: int
    col: int
    rows: int = 1
    cols: int = 1
    text: str = ""
    is_array: bool = False


@dataclass
class Book:
    """A whole workbook: the sheets' values, defined names, formulas and hidden sheets."""

    sheets: dict[str, SheetData]
    names: dict[str, str]
    """Defined names (as written in the file) to their reference text, e.g. ``Controls!$C$4``."""
    formulas: list[FormulaCell]
    hidden: set[str] = field(default_factory=set)

    def sheet(self, name: str) -> SheetData:
        """Sheet lookup is case-insensitive, as in Excel."""
        if name in self.sheets:
            return self.sheets[name]
        for key, data in self.sheets.items():
            if key.lower() == name.lower():
                return data
        raise KeyError(name)
