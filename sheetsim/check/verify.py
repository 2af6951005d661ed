"""Verification: the evaluator against the file's cached values and against the model.

Two comparisons, reported per sheet: (a) every formula cell's cached value against what
the evaluator computes from the formula text; (b) the evaluator's blocks against the
reference model run on the file's own controls and draws.

Counts (the blocks for which the experiment declares slack) are exact in (a): their
formulas are evaluated on the file's own cached values of what they count, so the file and
the evaluator count the same numbers and must agree exactly, ties on an edge included.
Only in (b), where the evaluator's values and the model's may differ within tolerance, may
a count differ, by at most the values near an edge but not on it (``tolerance.edge_ties``,
taken from both sides).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from sheetsim import evaluator, tolerance
from sheetsim.check import manifest as manifest_mod
from sheetsim.check import package as package_check
from sheetsim.check.report import Mismatch, Report, SheetCheck
from sheetsim.config import ConfigError
from sheetsim.experiments.base import UNIFORM, Experiment, Reference
from sheetsim.experiments.common import exercises
from sheetsim.tolerance import ATOL, RTOL, allowed, block_floor
from sheetsim.xlsx import reader
from sheetsim.xlsx.book import Book, ExcelError
from sheetsim.xlsx.cells import Block, cell, label, parse_range

CHECK_CACHED = "cached"
CHECK_MODEL = "model"
SHOWN = 10


class _Comparer:
    """Accumulates cell comparisons into the report."""

    def __init__(self, report: Report) -> None:
        self.report = report
        self.non_finite = 0

    def numbers(
        self, check: str, block: Block, expected: np.ndarray, found: np.ndarray,
        slack: np.ndarray | float = 0.0,
    ) -> None:
        """Compare two float blocks; ``slack`` widens the tolerance (bin-edge ties)."""
        e = np.asarray(expected, dtype=np.float64)
        f = np.asarray(found, dtype=np.float64)
        bad = self._differ(self.report.sheet(block.sheet, check), e, f, block_floor(e), slack)
        self._bad(check, block.sheet, bad, e, f, block.address)

    def cells(self, check: str, sheet: str, at: list[tuple[int, int]], expected: np.ndarray,
              found: np.ndarray) -> None:
        """Single formula cells of one sheet, compared at once: each exactly as
        :meth:`numbers` compares a 1×1 block (whose floor, a share of its one value, is
        never above it, so none is needed)."""
        e = np.asarray(expected, dtype=np.float64)
        f = np.asarray(found, dtype=np.float64)
        bad = self._differ(self.report.sheet(sheet, check), e, f, 0.0, 0.0)
        self._bad(check, sheet, bad, e, f, lambda i: label(sheet, *at[i]))

    def _differ(self, rep: SheetCheck, e: np.ndarray, f: np.ndarray, floor: float,
                slack: np.ndarray | float) -> np.ndarray:
        """Which of ``e`` and ``f`` disagree beyond the tolerance; counts the cells, the
        worst differences and the non-finite agreements on the way."""
        both = ~np.isfinite(e) & ~np.isfinite(f)
        self.non_finite += int(both.sum())
        with np.errstate(invalid="ignore", over="ignore"):
            diff = np.where(both, 0.0, np.abs(e - f))
        diff = np.where(np.isnan(diff), np.inf, diff)
        scale = tolerance.scale(np.nan_to_num(e), np.nan_to_num(f), floor)
        rep.cells += e.size
        finite_diff = diff[np.isfinite(diff)]
        if finite_diff.size:
            rep.worst_abs = max(rep.worst_abs, float(finite_diff.max()))
            with np.errstate(divide="ignore", invalid="ignore"):
                rel = np.where(scale > 0, diff / scale, 0.0)
            rel = rel[np.isfinite(rel)]
            if rel.size:
                rep.worst_rel = max(rep.worst_rel, float(rel.max()))
        return diff > ATOL + RTOL * scale + slack

    def values(self, check: str, block: Block, expected: np.ndarray, found: np.ndarray) -> None:
        """Compare blocks that may hold text, booleans or error values, cell by cell as
        :func:`_same` does, with array operations on a few rows at a time (a block of a
        million errors costs no object per cell, and little memory at once)."""
        rep = self.report.sheet(block.sheet, check)
        step = max(1, _ROWS_AT_ONCE // max(expected.shape[1], 1))
        parts = range(0, expected.shape[0], step)
        numbers = [_Cells(expected[i : i + step]) for i in parts] if expected.dtype == object \
            else [_Cells(expected)]
        floor = max(block_floor(c.num[c.number & ~c.boolean]) for c in numbers)
        bad = np.zeros(expected.shape, dtype=bool)
        for i in parts:
            rows = slice(i, i + step)
            bad[rows] = self._differing(expected[rows], found[rows], floor)
        rep.cells += expected.size
        self._bad(check, block.sheet, bad, expected, found, block.address)

    def _differing(self, expected: np.ndarray, found: np.ndarray, floor: float) -> np.ndarray:
        """Which cells of two blocks of values differ (see :meth:`values`)."""
        e, f = _Cells(expected), _Cells(found)
        both = e.non_finite & f.non_finite  # agreeing, as in ``numbers``
        self.non_finite += int(both.sum())
        bad = e.non_finite ^ f.non_finite
        rest = ~(e.non_finite | f.non_finite)
        words = rest & (e.word | f.word)
        if words.any():
            bad[words] = ~(e.word & f.word)[words] | (expected[words] != found[words])
        flags = rest & ~words & (e.boolean | f.boolean)
        bad[flags] = e.empty[flags] | f.empty[flags] | (e.num[flags] != f.num[flags])
        empty = rest & ~words & ~flags & (e.empty | f.empty)
        bad[empty] = ~((e.empty | (e.num == 0)) & (f.empty | (f.num == 0)))[empty]
        numbers = rest & ~words & ~flags & ~empty
        with np.errstate(invalid="ignore"):
            bad[numbers] = (np.abs(e.num - f.num) > allowed(e.num, f.num, floor))[numbers]
        return bad

    def problem(self, text: str) -> None:
        """Record a failure that is not about one cell (a block missing, say); it fails."""
        self.report.problems.append(text)

    def _bad(self, check: str, sheet: str, bad: np.ndarray, e: np.ndarray, f: np.ndarray,
             address: Callable[..., str]) -> None:
        """Count the disagreeing cells and keep the first few, named by ``address`` of
        their index."""
        count = int(bad.sum())
        if not count:
            return
        self.report.sheet(sheet, check).mismatches += count
        self.report.mismatch_count += count
        for idx in np.argwhere(bad)[: max(0, SHOWN - len(self.report.mismatches))].tolist():
            self.report.mismatches.append(
                Mismatch(check, address(*idx), _py(e[tuple(idx)]), _py(f[tuple(idx)])))


class _Cells:
    """An object array of cell values sorted by kind with array operations (one call of
    ``type`` per cell, no comparison in Python): masks of text, booleans, empty cells,
    numbers and non-finite values (errors, inf, NaN), and the numbers (booleans as 1/0)."""

    def __init__(self, values: np.ndarray) -> None:
        kinds = np.zeros(values.shape, np.uint8)
        if values.size and values.dtype == object:
            kinds = _KIND_OF(values).astype(np.uint8)
        self.word = kinds == _WORD
        self.boolean = kinds == _FLAG
        self.empty = kinds == _EMPTY
        error = kinds == _ERROR
        self.number = kinds == _NUMBER
        self.num = np.full(values.shape, np.nan)
        self.num[self.number | self.boolean] = values[self.number | self.boolean].astype(
            np.float64)
        self.number |= self.boolean
        self.non_finite = error | (self.number & ~np.isfinite(self.num))


_ROWS_AT_ONCE = 1 << 18
"""Cells :meth:`_Comparer.values` compares at once: its temporary arrays stay a few MB."""
_NUMBER, _WORD, _FLAG, _EMPTY, _ERROR = range(5)
_KINDS = {str: _WORD, bool: _FLAG, np.bool_: _FLAG, type(None): _EMPTY, ExcelError: _ERROR}
_KIND_OF = np.frompyfunc(lambda v: _KINDS.get(type(v), _NUMBER), 1, 1)
"""The kind of each cell of an object array (a number unless it is text, a boolean, empty
or an error)."""


class _Singles:
    """Single-cell numeric results waiting to be compared together (:meth:`_Comparer.cells`),
    in order: a result of another kind or sheet first compares those waiting."""

    def __init__(self, comparer: _Comparer) -> None:
        self.comparer = comparer
        self.sheet = ""
        self.at: list[tuple[int, int]] = []
        self.evaluated: list[float] = []
        self.stored: list[float] = []

    def add(self, sheet: str, row: int, col: int, evaluated: float, stored: float) -> None:
        """One more cell: the evaluator's value and the file's."""
        if sheet != self.sheet:
            self.flush()
            self.sheet = sheet
        self.at.append((row, col))
        self.evaluated.append(evaluated)
        self.stored.append(stored)

    def flush(self) -> None:
        """Compare the cells waiting."""
        if self.at:
            self.comparer.cells(CHECK_CACHED, self.sheet, self.at, np.array(self.evaluated),
                                np.array(self.stored))
        self.at, self.evaluated, self.stored = [], [], []


def _py(v: object) -> object:
    if isinstance(v, np.generic):
        return v.item()
    return v


def _non_finite(v: object) -> bool:
    return isinstance(v, ExcelError) or (isinstance(v, float) and not np.isfinite(v))


def _same(a: object, b: object, floor: float = 0.0) -> bool:
    """Equal within tolerance; a non-finite number and an Excel error (overflow: #NUM!, and
    what it propagates into) are the same finding, as NumPy and a spreadsheet report it."""
    if _non_finite(a) and _non_finite(b):
        return True
    if _non_finite(a) or _non_finite(b):  # inf is within any relative tolerance of 1.0
        return False
    if isinstance(a, str) or isinstance(b, str):
        return isinstance(a, str) and isinstance(b, str) and a == b
    if isinstance(a, bool) or isinstance(b, bool):
        return a == b
    if a is None or b is None:
        return a is b or (a in (None, 0.0) and b in (None, 0.0))
    fa, fb = float(a), float(b)
    return abs(fa - fb) <= float(allowed(fa, fb, floor))


def _cached(book: Book, sheet: str, row: int, col: int, rows: int, cols: int) -> np.ndarray:
    """Cached values of a range: float array if all numeric, else object array."""
    data = book.sheet(sheet)
    nums = np.full((rows, cols), np.nan)
    src = data.numbers[row : row + rows, col : col + cols]
    nums[: src.shape[0], : src.shape[1]] = src
    if rows * cols < len(data.other):  # a few cells of a sheet with many: look them up
        others = {(i, j): data.other[(row + i, col + j)] for i in range(rows)
                  for j in range(cols) if (row + i, col + j) in data.other}
    else:
        others = {
            (r - row, c - col): v
            for (r, c), v in data.other.items()
            if row <= r < row + rows and col <= c < col + cols
        }
    if not others:
        return nums
    out = _as_object(nums)
    for (i, j), v in others.items():
        out[i, j] = v
    return out


def _controls(book: Book, experiment: Experiment, base: Any,
              keys: frozenset[str]) -> Any:
    """The settings the file's control cells describe (they may differ from the build). A
    control of a setting the manifest's config does not name (the file predates it) may be
    absent: the setting keeps its default, which is what the file's formulas compute."""
    values: dict[str, Any] = {}
    for control in experiment.controls(base):
        if control.fixed:
            continue
        value = reader.named_value(book, control.name)
        if value is None:
            named = any(k.lower() == control.name.lower() for k in book.names)
            if control.key not in keys and not named:
                continue
            raise ConfigError(f"control {control.name} is missing or empty")
        values[control.name] = value
    return experiment.settings_from_controls(base, values)


def _wide_control(book: Book, experiment: Experiment, base: Any) -> str | None:
    """The problem of a control whose defined name covers more than one cell (a control
    is one cell: Excel would read the whole range wherever the name is used), else None."""
    names = {k.lower(): v for k, v in book.names.items()}
    for control in experiment.controls(base):
        target = names.get(control.name.lower())
        if target is None:
            continue
        try:
            _, _, rows, cols = parse_range(target.lstrip("=").rpartition("!")[2])
        except ValueError:
            continue  # not a range: _controls reports it as missing
        if rows * cols != 1:
            return f"control {control.name} names {target.lstrip('=')}, not one cell"
    return None


def verify(
    path: Path | str, progress: Callable[[int, int], None] | None = None
) -> Report:
    """Judge the package, then read, evaluate and compare; raises reader.ReadError /
    evaluator errors for exit 2. A package Excel would refuse or repair fails at once."""
    path = Path(path)
    package = package_check.check(path)
    book = reader.read(path, inspect=package.sheet) if package.sound else None
    if book is None or not package.sound:
        return Report(str(path), problems=[package.verdict()])
    man = manifest_mod.read(book, path)
    for block in man.blocks.values():
        if block.sheet not in book.sheets:
            raise reader.ReadError(f"{path}: sheet {block.sheet!r} is missing")
    report = Report(str(path))
    wide = _wide_control(book, man.experiment, man.config)
    if wide is not None:  # the formulas reading it would each read a whole range
        report.problems.append(wide)
        return report
    if any(f.text.upper().replace(" ", "").find("RAND(") >= 0 for f in book.formulas):
        report.notes.append("live workbook: RAND() draws checked as the values stored in the file")
    results = evaluator.evaluate(book, progress=progress, volatile="cached")
    comparer = _Comparer(report)
    evaluated = _by_block(man.blocks, results, book)
    experiment = man.experiment
    plan = experiment.plan(man.config)
    slack = experiment.slack(man.config, plan, evaluated)
    results |= _on_cached_inputs(book, [man.blocks[n] for n in slack if n in man.blocks])

    # (a) every formula cell against its cached value, exactly as the tolerance says;
    # single numeric cells in a row on one sheet (a step-by-step table) go together
    uncached = 0
    singles = _Singles(comparer)
    for (sheet, row, col), value in results.items():
        rows, cols = value.shape
        if rows == cols == 1 and value.dtype != object:
            stored = book.sheet(sheet).value(row, col)
            if stored is None:
                uncached += 1  # saved by a program that does not calculate (openpyxl, ...)
                continue
            if isinstance(stored, float):
                singles.add(sheet, row, col, float(value[0, 0]), stored)
                continue
        singles.flush()
        cached = _cached(book, sheet, row, col, rows, cols)
        if _missing(cached[0, 0]):
            uncached += 1  # saved by a program that does not calculate (openpyxl, ...)
            continue
        block = Block(f"{sheet}!{cell(row, col)}", sheet, row, col, rows, cols, "formula")
        if value.dtype == object or cached.dtype == object:
            comparer.values(CHECK_CACHED, block, value, _as_object(cached))
        else:
            comparer.numbers(CHECK_CACHED, block, value, cached)

    singles.flush()
    if uncached:
        report.notes.append(
            f"{uncached} formulas carry no cached value (the file was saved without "
            "calculating); they are checked against the model only"
        )

    # (b) the evaluator against the reference model on the file's controls and draws
    try:
        settings = _controls(book, experiment, man.config, man.keys)
    except ConfigError as exc:
        comparer.problem(f"the model cannot run on the file's controls ({exc})")
        return report
    draws = {name: evaluated[name] for name, b in man.blocks.items() if b.kind == UNIFORM}
    lost = [name for name, b in plan.blocks.items() if b.kind == UNIFORM and name not in draws]
    if lost:  # the model reads every draw block its plan has
        raise reader.ReadError(f"{path}: manifest has no block {lost[0]} (draws the model "
                               "reads)")
    for name, b in plan.blocks.items():  # ... each of the shape its plan gives it
        if b.kind == UNIFORM and draws[name].shape != (b.rows, b.cols):
            rows, cols = draws[name].shape
            raise reader.ReadError(f"{path}: manifest block {name} is {rows} × {cols} cells, "
                                   f"but its config needs {b.rows} × {b.cols}")
    with np.errstate(all="ignore"):
        expected = experiment.reference(settings, plan, draws)
        expected |= _exercises(book, man.blocks, plan, expected)
        slack = _add(slack, experiment.slack(settings, plan, expected))
        _compare_model(comparer, man.blocks, evaluated, expected, slack)
    if comparer.non_finite:
        report.notes.append(
            f"{comparer.non_finite:,} comparisons met a non-finite value (overflow): the "
            "spreadsheet's error and NumPy's inf/nan were counted as agreeing"
        )
    return report


def _exercises(book: Book, blocks: dict[str, Block], plan: Any,
               expected: Reference) -> Reference:
    """The Exercises sheet's cells as its rules give them: the right answers from the
    model, each check judged on the answer the file holds (a learner's answer is an
    input, as a control is), the hints and the score; nothing for a workbook without."""
    b = blocks.get(exercises.BLOCK_ANSWERS)
    if plan.exercises is None or b is None or b.rows != len(plan.exercises.questions):
        return {}
    sheet = book.sheet(b.sheet)
    answers = [sheet.value(b.row + i, b.col) for i in range(b.rows)]
    return exercises.reference(plan.exercises, expected, answers)


def _on_cached_inputs(
    book: Book, blocks: list[Block]
) -> dict[tuple[str, int, int], np.ndarray]:
    """The formulas inside ``blocks`` evaluated on the file's cached values of everything
    they read (the counted values, the edges, the counts a share divides), not on the
    evaluator's own: what the application that computed the file counted, so the results
    must agree exactly. Each formula reads the file's values, those of the other formulas
    too, so a wrong count is reported once, where it is."""
    inside = [f for f in book.formulas
              if any(b.contains(f.sheet, f.row, f.col) for b in blocks)]
    if not inside:
        return {}
    return evaluator.evaluate(Book(book.sheets, book.names, inside, book.hidden),
                              volatile="cached", inputs="cached")


def _add(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """Per-block slack of two sides: a tie in either set of values may move a count."""
    return {k: np.add(a.get(k, 0.0), b.get(k, 0.0)) for k in a.keys() | b.keys()}


def _missing(v: object) -> bool:
    return v is None or (isinstance(v, float) and np.isnan(v))


def _as_object(a: np.ndarray) -> np.ndarray:
    """Numbers as an object array, None where NaN (an empty cell): an object only for each
    number held."""
    if a.dtype == object:
        return a
    out = np.empty(a.shape, object)
    held = ~np.isnan(a)
    out[held] = a[held]
    return out


def _by_block(
    blocks: dict[str, Block], results: dict[tuple[str, int, int], np.ndarray], book: Book
) -> dict[str, np.ndarray]:
    """Evaluated values per manifest block (constants for draw blocks). A block is one
    result of its own shape, or else assembled cell by cell from the results that cover
    it, whatever their shapes (a block of one-cell formulas, or one whose cells share a
    result with their neighbours)."""
    grid: dict[str, dict[tuple[int, int], np.ndarray]] = {}
    for (sheet, row, col), value in results.items():
        grid.setdefault(sheet, {})[(row, col)] = value
    out: dict[str, np.ndarray] = {}
    for name, b in blocks.items():
        if b.kind == UNIFORM:
            out[name] = reader.block_values(book, b)
            continue
        whole = grid.get(b.sheet, {}).get((b.row, b.col))
        if whole is not None and whole.shape == (b.rows, b.cols):
            out[name] = whole
            continue
        parts = np.empty((b.rows, b.cols), dtype=object)
        covered = np.zeros((b.rows, b.cols), dtype=bool)
        for (row, col), value in grid.get(b.sheet, {}).items():  # later results win
            r0, c0 = max(row, b.row), max(col, b.col)
            r1 = min(row + value.shape[0], b.row + b.rows)
            c1 = min(col + value.shape[1], b.col + b.cols)
            if r0 < r1 and c0 < c1:
                at = (slice(r0 - b.row, r1 - b.row), slice(c0 - b.col, c1 - b.col))
                parts[at] = value[r0 - row : r1 - row, c0 - col : c1 - col]
                covered[at] = True
        if covered.all():
            try:
                out[name] = parts.astype(np.float64)
            except (TypeError, ValueError):
                out[name] = parts
    return out


def _compare_model(
    comparer: _Comparer,
    blocks: dict[str, Block],
    evaluated: dict[str, np.ndarray],
    expected: dict[str, np.ndarray],
    slack: dict[str, Any],
) -> None:
    """Every block the model computes against the evaluator's values of it."""
    for name, want in expected.items():
        block = blocks.get(name)
        if block is None or block.kind == UNIFORM:
            continue
        got = evaluated.get(name)
        if got is None:
            comparer.problem(f"block {name} ({block.sheet}!{block.range}) was not evaluated")
            continue
        if got.shape != want.shape:
            comparer.problem(f"block {name} has shape {got.shape}, the model {want.shape}")
            continue
        if got.dtype == object or want.dtype == object:
            comparer.values(CHECK_MODEL, block, want.astype(object), got.astype(object))
        else:
            comparer.numbers(CHECK_MODEL, block, want, got, slack.get(name, 0.0))
