"""Step-by-step tables of one-cell formulas, evaluated row by row as compiled Python.

An optimizer lab holds 80,000 one-cell formulas, each reading the row above or cells of
its own row: a chain no block operation can take at once. Walking each cell's tree with
NumPy blocks of one value costs tens of microseconds per cell, and ordering 80,000 cells
one by one as much again. This module takes such tables whole:

- a *run* is a column's consecutive cells whose texts are one text moved down a row at a
  time (its relative rows, or all its rows, one more per row): the text of each cell is
  checked against the first one's, moved, so a run holds one formula shape;
- a *strip* is a sheet's runs together. Its order is linear: row after row, and within
  a row the columns in the order their same-row references ask. A strip is only kept
  when that order is sound: no cell reads a cell of the strip in a later row or a later
  column of its row;
- each run's shape is written once as a Python expression (:mod:`.compiled`), and the
  strip as one function over its rows. A run whose shape it does not cover, and any cell
  whose inputs or values need Excel's errors or text, take the general path one cell at
  a time, exactly as before.

The strips and the other formulas are then ordered together (:func:`.order.order_nodes`),
each strip reading the union of what its cells read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from operator import attrgetter

import numpy as np

from ..xlsx.book import FormulaCell
from ..xlsx.cells import GRID_ROWS, col_index
from . import compiled
from .order import Place
from .parser import Call, Corner, FormulaSyntaxError, Name, Node, Ref, parse_with_corners, walk
from .shapes import _CELL_RE
from .values import NUM

MIN_RUN = 2
"""Cells a run needs; a lone cell stays with the general path."""


class _Template:
    """A text at its row, with the means to write it moved down to any other row.

    Each cell reference's row either moves with the cell or stays: the second text
    decides which (relative rows must move; an absolute row may do either, as a table
    that repeats ``$A$11`` as ``$A$12`` one row down does)."""

    def __init__(self, text: str, row: int) -> None:
        self.parts = _CELL_RE.split(text)
        self.corners: list[Corner] = []
        for i in range(1, len(self.parts), 6):
            quoted, col_dollar, letters, row_dollar, digits = self.parts[i:i + 5]
            if quoted is None:
                self.corners.append(
                    (int(digits) - 1, bool(row_dollar), col_index(letters), bool(col_dollar)))
        self.text = text
        self.row = row
        self.moves: list[bool] = []
        """Per reference, in the order of the text: does its row move with the cell."""
        self.format = ""
        self.steps: list[int] = []
        """Per argument of ``format``: what is added to a row to give the number written."""

    def learn(self, text: str, row: int) -> bool:
        """Is ``text`` at ``row`` (the next row) this text moved down? If so, learn which
        rows move."""
        parts = _CELL_RE.split(text)
        if len(parts) != len(self.parts) or row != self.row + 1:
            return False
        out: list[str] = []
        offsets: dict[int, int] = {}
        for i in range(0, len(parts), 6):
            if parts[i] != self.parts[i]:
                return False
            out.append(parts[i].replace("{", "{{").replace("}", "}}"))
            if i + 1 >= len(parts):
                break
            quoted, col_dollar, letters, row_dollar, digits = parts[i + 1:i + 6]
            mine = self.parts[i + 1:i + 6]
            if quoted is not None or mine[0] is not None:
                if quoted != mine[0]:
                    return False
                out.append(quoted.replace("{", "{{").replace("}", "}}"))
                continue
            if (col_dollar, letters, row_dollar) != tuple(mine[1:4]):
                return False
            step = int(digits) - int(mine[4])
            if step not in (0, 1) or (step == 0 and not row_dollar):
                return False
            self.moves.append(step == 1)
            if step == 0:
                out.append(f"{col_dollar}{letters}{row_dollar}{digits}")
            else:
                k = offsets.setdefault(int(digits) - row, len(offsets))
                out.append(f"{col_dollar}{letters}{row_dollar}{{{k}}}")
        self.format = "".join(out)
        self.steps = list(offsets)
        return self.format.format(*[row + s for s in self.steps]) == text


@dataclass
class Run:
    """Consecutive one-cell formulas of a column sharing one shape."""

    sheet: str
    col: int
    first: int
    template: _Template
    members: list[int] = field(default_factory=list)
    """Indices of the formulas, top to bottom."""
    tree: Node | None = None
    corners: dict[int, tuple[Corner, ...]] = field(default_factory=dict)
    """Per reference node of ``tree`` (by id): its corners as written at ``first``, each
    with its row's moving flag in place of the ``$`` of its row."""
    source: str | None = None
    """The compiled expression, or None for the general path."""

    @property
    def last(self) -> int:
        """The row of the last cell."""
        return self.first + len(self.members) - 1

    @staticmethod
    def moves(corner: Corner) -> bool:
        """Does this corner's row move with the cell (see :attr:`corners`)?"""
        return corner[1]


def find_runs(formulas: list[FormulaCell]) -> list[Run]:
    """The runs of ``formulas`` (see the module's description), each at least
    :data:`MIN_RUN` cells long."""
    columns: dict[tuple[str, int], list[tuple[int, int]]] = {}
    fields = map(attrgetter("sheet", "col", "row", "rows", "cols", "is_array"), formulas)
    for i, (sheet, col, row, rows, cols, is_array) in enumerate(fields):
        if rows == 1 and cols == 1 and not is_array:
            at = columns.get((sheet, col))
            if at is None:
                columns[(sheet, col)] = [(row, i)]
            else:
                at.append((row, i))
    runs: list[Run] = []
    for (sheet, col), cells in columns.items():
        if len(cells) < MIN_RUN:
            continue
        cells.sort()
        n = len(cells)
        start = 0
        while start < n:
            row0, i0 = cells[start]
            end = start + 1
            template = _Template(formulas[i0].text, row0)
            if end < n and template.learn(formulas[cells[end][1]].text, cells[end][0]):
                fmt, steps = template.format, template.steps
                reach = max(steps, default=0)
                end += 1
                last = min(n, start + GRID_ROWS - reach - row0 + 1)  # rows within the grid
                while end < last:
                    row, i = cells[end]
                    if row != row0 + end - start \
                            or fmt.format(*[row + s for s in steps]) != formulas[i].text:
                        break
                    end += 1
            if end - start >= MIN_RUN:
                runs.append(Run(sheet, col, row0, template, [i for _, i in cells[start:end]]))
            start = end
    return runs


@dataclass(frozen=True)
class _Read:
    """A rectangle a run's cells read: its sheet (lower case), its columns, and its top
    and bottom rows as written at the run's first row, each moving with the cell or not."""

    key: str
    col0: int
    col1: int
    top: int
    top_moves: bool
    bottom: int
    bottom_moves: bool

    def rows_at(self, run: Run, row: int) -> tuple[int, int]:
        """The rows read from ``row``."""
        a = self.top + (row - run.first if self.top_moves else 0)
        b = self.bottom + (row - run.first if self.bottom_moves else 0)
        return min(a, b), max(a, b)

    def union(self, run: Run) -> Place:
        """Everything the run's cells read through this reference."""
        a0, b0 = self.rows_at(run, run.first)
        a1, b1 = self.rows_at(run, run.last)
        top, bottom = min(a0, a1), max(b0, b1)
        return self.key, top, self.col0, bottom - top + 1, self.col1 - self.col0 + 1


class Strip:
    """A sheet's runs, evaluated row by row in one compiled function."""

    def __init__(self, sheet: str, runs: list[Run], reads: dict[int, list[_Read]]) -> None:
        self.sheet = sheet
        self.key = sheet.lower()
        self.runs = runs
        self.reads = reads
        """Per run (by position in ``runs``): what its cells read."""
        self.order: list[int] = []
        """Positions of the runs in ``runs`` in the order one row is evaluated."""

    def places(self) -> list[Place]:
        """The rectangles the strip's cells cover, one per run."""
        return [(self.key, run.first, run.col, len(run.members), 1) for run in self.runs]

    def read_places(self) -> Iterator[Place]:
        """Everything the strip's cells read."""
        for k, run in enumerate(self.runs):
            for read in self.reads[k]:
                yield read.union(run)

    @property
    def size(self) -> int:
        """How many cells the strip holds."""
        return sum(len(run.members) for run in self.runs)


def _references(run: Run, resolve: Callable[[str, str], list[Ref]]) -> list[_Read] | None:
    """What a run's cells read; None where that cannot be told from the first text."""
    assert run.tree is not None
    out: list[_Read] = []
    own = run.sheet.lower()
    for node in walk(run.tree):
        if isinstance(node, Ref):
            corners = run.corners[id(node)]
            top, bottom = corners[0], corners[-1]
            cols = [c for _, _, c, _ in corners]
            key = own if node.sheet is None else node.sheet.lower()
            out.append(_Read(key, min(cols), max(cols), top[0], run.moves(top),
                             bottom[0], run.moves(bottom)))
        elif isinstance(node, Name):
            for ref in resolve(run.sheet, node.name):
                out.append(_Read((ref.sheet or run.sheet).lower(), ref.col,
                                 ref.col + ref.cols - 1, ref.row, False,
                                 ref.row + ref.rows - 1, False))
        elif isinstance(node, Call) and node.name in ("ROW", "COLUMN", "OFFSET", "INDIRECT"):
            return None  # they read where the cell stands, or anywhere
    return out


def _row_order(strip: Strip) -> bool:
    """Put the strip's columns in an order for one row; False where no linear order is
    sound (a cell reads a cell of the strip in a later row, or the columns of one row
    read each other in a circle)."""
    spans: dict[int, list[tuple[int, int]]] = {}
    for run in strip.runs:
        spans.setdefault(run.col, []).append((run.first, run.last))
    before: dict[int, set[int]] = {c: set() for c in spans}
    for k, run in enumerate(strip.runs):
        for read in strip.reads[k]:
            if read.key != strip.key:
                continue
            for c in range(read.col0, read.col1 + 1):
                for first, last in spans.get(c, ()):
                    verdict = _precedes(read, run, first, last)
                    if verdict is None:
                        return False
                    if verdict:
                        before[run.col].add(c)
    order: list[int] = []
    waiting = {c: set(b) for c, b in before.items()}
    while waiting:
        ready = sorted(c for c, b in waiting.items() if not b)
        if not ready:
            return False
        for c in ready:
            order.append(c)
            del waiting[c]
        for b in waiting.values():
            b.difference_update(ready)
    position = {c: i for i, c in enumerate(order)}
    strip.order = sorted(range(len(strip.runs)),
                         key=lambda k: (position[strip.runs[k].col], strip.runs[k].first))
    return True


def _precedes(read: _Read, run: Run, first: int, last: int) -> bool | None:
    """Whether the cells of rows first..last of a strip column that ``read`` reaches from
    ``run`` include cells of the reading cell's own row (True: that column goes first in a
    row), lie only in earlier rows (False), or may lie in later rows (None: no linear
    order)."""
    if read.top_moves and read.bottom_moves:
        low = min(read.top, read.bottom) - run.first
        high = max(read.top, read.bottom) - run.first
        if high > 0 and run.first + max(1, low) <= last and run.last + high >= first:
            return None  # a later row of the strip
        return low <= 0 <= high and run.first <= last and run.last >= first
    _, top, _, rows, _ = read.union(run)
    if max(top, first, run.first) <= min(top + rows - 1, last):
        return None  # a fixed row the strip reaches at or after the reading row
    return False


def strips(runs: list[Run], parse_first: Callable[[Run], bool],
           resolve: Callable[[str, str], list[Ref]]) -> list[Strip]:
    """The sheets' strips of ``runs`` whose order is sound; ``parse_first`` fills in a
    run's tree and corners (False when its text cannot be shared)."""
    by_sheet: dict[str, list[Run]] = {}
    for run in runs:
        if parse_first(run):
            by_sheet.setdefault(run.sheet.lower(), []).append(run)
    out: list[Strip] = []
    for sheet_runs in by_sheet.values():
        reads: dict[int, list[_Read]] = {}
        for k, run in enumerate(sheet_runs):
            found = _references(run, resolve)
            if found is None:
                break
            reads[k] = found
        else:
            strip = Strip(sheet_runs[0].sheet, sheet_runs, reads)
            if _row_order(strip):
                out.append(strip)
    return out


def parse_run(run: Run) -> bool:
    """Parse a run's first text; False if it does not parse, or the references the parser
    reads are not those its template moves."""
    try:
        tree, found = parse_with_corners(run.template.text)
    except FormulaSyntaxError:
        return False
    if [c for _, corners in found for c in corners] != run.template.corners:
        return False
    run.tree = tree
    moves = iter(run.template.moves)
    run.corners = {id(ref): tuple((r, next(moves), c, ca) for r, _, c, ca in corners)
                   for ref, corners in found}
    return True


# --- the compiled function of a strip ------------------------------------------------------

Box = tuple[int, int, int, int]
"""Rows first..last and columns first..last of the strip's sheet its function holds."""


class Program:
    """A strip's compiled function and what it reads from outside its sheet."""

    def __init__(self, strip: Strip, resolve_one: Callable[[str], Ref | None],
                 known: Callable[[str], bool]) -> None:
        self.strip = strip
        self.outside: list[tuple[str, int, int, int | None]] = []
        """What the function is given from other sheets: sheet key, row, column, and
        for a reference that moves with the cell, the rows it reads from (a list of
        values; else one value)."""
        self._outside_index: dict[tuple[str, int, int, int | None], int] = {}
        self.rows: set[int] = set()
        """Row offsets of the sheet's own cells read, relative to the cell's row."""
        box = [min(r.first for r in strip.runs), min(r.col for r in strip.runs),
               max(r.last for r in strip.runs), max(r.col for r in strip.runs)]
        self.fixed: list[tuple[int, int]] = []
        self.careful_sources: dict[int, str] = {}
        for k, run in enumerate(strip.runs):
            run.source = None
            fast = lambda ref, run=run: self._read(run, ref, box, known)  # noqa: E731
            slow = lambda ref, run=run: self._read(run, ref, box, known, True)  # noqa: E731
            name = lambda n, run=run: self._name(run, n, resolve_one, known)  # noqa: E731
            try:
                run.source = compiled.expression(run.tree, fast, name)  # type: ignore[arg-type]
                self.careful_sources[k] = compiled.careful(run.tree, slow, name, fast)  # type: ignore[arg-type]
            except compiled.NotCompiled:
                run.source = None
        self.box: Box = (box[0], box[2], box[1], box[3])
        self.function = self._build()

    def _name(self, run: Run, name: str, resolve_one: Callable[[str], Ref | None],
              known: Callable[[str], bool]) -> Ref | None:
        ref = resolve_one(name)
        if ref is None or ref.rows != 1 or ref.cols != 1:
            return None
        return _Fixed(ref.sheet, ref.row, ref.col)

    def _read(self, run: Run, ref: Ref, box: list[int], known: Callable[[str], bool],
              careful: bool = False) -> str:
        """The source reading a cell; ``careful``: through ``_g``, which raises for a cell
        that is not a number (:func:`compiled.careful`)."""
        source, where = self._where(run, ref, box, known)
        return f"_g({source}, {where})" if careful else source

    def _where(self, run: Run, ref: Ref, box: list[int],
               known: Callable[[str], bool]) -> tuple[str, str]:
        key = run.sheet.lower() if ref.sheet is None else ref.sheet.lower()
        if not known(key):
            raise compiled.NotCompiled("a sheet the book lacks")
        if isinstance(ref, _Fixed):
            row, moves, col = ref.row, False, ref.col
        else:
            if len(run.corners[id(ref)]) != 1:
                raise compiled.NotCompiled("a range of one cell, which moves into more")
            corner = run.corners[id(ref)][0]
            row, moves, col = corner[0], run.moves(corner), corner[2]
        if key == self.strip.key:
            lo = row if not moves else row + 0
            hi = row if not moves else row + run.last - run.first
            box[0], box[1] = min(box[0], lo), min(box[1], col)
            box[2], box[3] = max(box[2], hi), max(box[3], col)
            if moves:
                self.rows.add(row - run.first)
                return (f"{_row_name(row - run.first)}[{col} - bc]",
                        f"{key!r}, r + {row - run.first}, {col}")
            self.fixed.append((row, col))
            return f"T[{row} - br][{col} - bc]", f"{key!r}, {row}, {col}"
        where = (key, row, col, len(run.members) if moves else None)
        j = self._outside_index.setdefault(where, len(self.outside))
        if j == len(self.outside):
            self.outside.append(where)
        if moves:
            return f"e{j}[r - {run.first}]", f"{key!r}, r + {row - run.first}, {col}"
        return f"e{j}", f"{key!r}, {row}, {col}"

    def _build(self) -> Callable[..., None]:
        strip = self.strip
        top = min(r.first for r in strip.runs)
        bottom = max(r.last for r in strip.runs)
        lines = ["def _strip(T, E, fb, na, br, bc):"]
        lines += [f"    e{j} = E[{j}]" for j in range(len(self.outside))]
        lines.append(f"    for r in range({top}, {bottom + 1}):")
        lines.append("        i = r - br")
        for d in sorted(self.rows | {0}):
            lines.append(f"        {_row_name(d)} = T[i + {d}]")
        by_col: dict[int, list[int]] = {}
        for k in strip.order:
            by_col.setdefault(strip.runs[k].col, []).append(k)
        done: set[int] = set()
        for k in strip.order:
            col = strip.runs[k].col
            if col in done:
                continue
            done.add(col)
            ks = by_col[col]
            whole = len(ks) == 1 and strip.runs[ks[0]].first == top \
                and strip.runs[ks[0]].last == bottom
            for n, kk in enumerate(ks):
                run = strip.runs[kk]
                indent = "        "
                if not whole:
                    word = "if" if n == 0 else "elif"
                    lines.append(f"{indent}{word} {run.first} <= r <= {run.last}:")
                    indent += "    "
                if run.source is None:
                    lines.append(f"{indent}R0[{col} - bc] = fb({kk}, r)")
                    continue
                lines += [
                    f"{indent}try:",
                    f"{indent}    v = {run.source}",
                    f"{indent}    if v - v != 0.0:",
                    f"{indent}        v = fb({kk}, r)",
                    f"{indent}except NotAvailable:",
                    f"{indent}    v = na({kk}, r)",
                    f"{indent}except Exception:",
                    f"{indent}    v = fb({kk}, r)",
                    f"{indent}R0[{col} - bc] = v",
                ]
        namespace: dict[str, object] = dict(compiled.HELPERS)
        exec(compile("\n".join(lines), f"<strip {strip.sheet}>", "exec"), namespace)  # noqa: S102
        head = [f"    e{j} = E[{j}]" for j in range(len(self.outside))]
        head.append("    i = r - br")
        head += [f"    {_row_name(d)} = T[i + {d}]" for d in sorted(self.rows | {0})]
        careful: list[str] = []
        for k, source in self.careful_sources.items():
            careful += [f"def _careful{k}(T, E, r, br, bc, _g):", *head, f"    return {source}"]
        space: dict[str, object] = dict(compiled.CAREFUL)
        exec(compile("\n".join(careful), f"<careful {strip.sheet}>", "exec"), space)  # noqa: S102
        self.careful = {k: space[f"_careful{k}"] for k in self.careful_sources}
        """Per run (position in the strip's runs): its careful function."""
        return namespace["_strip"]  # type: ignore[return-value]


@dataclass(frozen=True)
class _Fixed(Ref):
    """A defined name's cell: read where it is, whatever the cell's row."""


def _row_name(d: int) -> str:
    return f"R{'m' if d < 0 else ''}{abs(d)}"


def plain(num: np.ndarray, kind: np.ndarray | None) -> np.ndarray:
    """Numbers where a block holds plain numbers, NaN elsewhere (text, booleans, empty
    cells, errors): what a compiled expression reads."""
    if kind is None:
        return num
    return np.where(kind == NUM, num, np.nan)
