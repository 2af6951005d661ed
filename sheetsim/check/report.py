"""The verification report: per sheet and check, cells compared and worst differences,
the first mismatching cells, notes, and a one-line verdict; as text or JSON."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

import numpy as np

from sheetsim.xlsx.book import ExcelError


@dataclass
class SheetCheck:
    """One sheet under one check: cells compared, worst differences, mismatches."""

    sheet: str
    check: str
    cells: int = 0
    worst_abs: float = 0.0
    worst_rel: float = 0.0
    mismatches: int = 0


@dataclass
class Mismatch:
    """One cell that disagrees, kept to be shown among the first mismatches."""

    check: str
    address: str
    expected: object
    found: object


@dataclass
class Report:
    """Everything one verification of the file at ``path`` found.

    ``problems`` are failures that are not cell comparisons (a block missing, say);
    ``notes`` are shown but never fail the verdict.
    """

    path: str
    sheets: dict[tuple[str, str], SheetCheck] = field(default_factory=dict)
    mismatches: list[Mismatch] = field(default_factory=list)
    mismatch_count: int = 0
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """No cell disagrees and there is no problem; notes do not count."""
        return self.mismatch_count == 0 and not self.problems

    @property
    def cells(self) -> int:
        """Cells compared, over every sheet and check."""
        return sum(s.cells for s in self.sheets.values())

    def sheet(self, sheet: str, check: str) -> SheetCheck:
        """The row of ``sheet`` under ``check``, created empty on first use."""
        key = (sheet, check)
        if key not in self.sheets:
            self.sheets[key] = SheetCheck(sheet, check)
        return self.sheets[key]

    def verdict(self) -> str:
        """The line that ends every report: OK and the cells compared, or FAILED and why."""
        if self.ok:
            return f"OK: {self.cells:,} cells agree ({self.path})"
        parts = []
        if self.mismatch_count:
            parts.append(f"{self.mismatch_count:,} cells disagree")
        parts += self.problems
        return f"FAILED: {'; '.join(parts)} ({self.path})"

    def to_dict(self) -> dict:
        """The report in JSON types: non-finite numbers and Excel errors become strings."""
        return {
            "path": self.path,
            "ok": self.ok,
            "cells": self.cells,
            "mismatch_count": self.mismatch_count,
            "sheets": [asdict(s) for s in self.sheets.values()],
            "mismatches": [
                {**asdict(m), "expected": _jsonable(m.expected), "found": _jsonable(m.found)}
                for m in self.mismatches
            ],
            "notes": self.notes,
            "problems": self.problems,
            "verdict": self.verdict(),
        }

    def to_json(self) -> str:
        """The report as indented JSON (``verify --json``)."""
        return json.dumps(self.to_dict(), indent=2)

    def render(self) -> str:
        """The report as text: one row per sheet and check, notes, first mismatches,
        problems, then the verdict; only the verdict when nothing was compared (a package
        refused before its numbers)."""
        if not self.sheets and not self.notes:
            return self.verdict()
        lines = [f"{'sheet':<12} {'check':<7} {'cells':>10} {'worst abs':>11} {'worst rel':>11}"]
        for s in self.sheets.values():
            flag = "  <- " + f"{s.mismatches:,} mismatches" if s.mismatches else ""
            lines.append(
                f"{s.sheet:<12} {s.check:<7} {s.cells:>10,} {s.worst_abs:>11.2e} "
                f"{s.worst_rel:>11.2e}{flag}"
            )
        for note in self.notes:
            lines.append(f"note: {note}")
        if self.mismatches:
            lines.append("first mismatches (check, cell, expected, found):")
            for m in self.mismatches:
                lines.append(
                    f"  {m.check:<7} {m.address:<14} {_show(m.expected)}  {_show(m.found)}"
                )
        for problem in self.problems:
            lines.append(f"problem: {problem}")
        lines.append(self.verdict())
        return "\n".join(lines)


def _jsonable(v: object) -> object:
    if isinstance(v, float) and not np.isfinite(v):
        return str(v)
    if isinstance(v, ExcelError):
        return v.code
    if isinstance(v, np.generic):
        return v.item()
    return v


def _show(v: object) -> str:
    if isinstance(v, float):
        return f"{v:.17g}"
    return repr(v) if isinstance(v, str) else str(v)
