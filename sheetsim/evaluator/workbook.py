"""Independent NumPy evaluation of a workbook's formula text.

Verification needs a second opinion that never sees the formula builders: this module
reads each formula's text (in any application's dialect), orders the formulas by their
references (:mod:`.order`), and evaluates whole blocks with NumPy. Inputs are the book's
constants and the *evaluated* results of other formulas, never the cached values stored at
formula cells, since those are what the results are compared against; only on request
does each formula read the file's cached values instead, to be judged on its own.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import numpy as np

from ..xlsx.book import Book, ExcelError, FormulaCell, SheetData
from ..xlsx.cells import label as cell_label
from . import (
    chains,
    compiled,
    lookup,  # noqa: F401  (registers its functions)
)
from .functions import FUNCTIONS, VOLATILE
from .order import Place, order_formulas, order_nodes, place_of
from .parser import (
    ArrayConst,
    Binary,
    Call,
    Const,
    FormulaSyntaxError,
    Missing,
    Name,
    Node,
    Ref,
    Unary,
    parse,
    walk,
)
from .shapes import Moved, Shapes, Slot
from .values import (
    EMPTY,
    ERR0,
    ERROR_CODES,
    NA,
    NAME,
    NUM,
    REF,
    STR,
    UNEVALUATED,
    EvaluationError,
    UnsupportedFunction,
    Value,
    VolatileFunctionError,
    binary,
    check_cells,
    unary,
)

Key = tuple[str, int, int]
Progress = Callable[[int, int], None]


def supported_functions() -> list[str]:
    """Canonical names of the functions the evaluator implements."""
    return sorted(FUNCTIONS)


class _Grid:
    """One sheet's cells as kind/number/text arrays; formula ranges get overwritten with
    evaluated results, so later formulas read those instead of the cached values."""

    def __init__(self, data: SheetData | None, rows: int = 0, cols: int = 0) -> None:
        numbers = np.asarray(data.numbers, float) if data is not None else np.zeros((0, 0))
        other = data.other if data is not None else {}
        rows = max(rows, numbers.shape[0], *(r + 1 for r, _ in other))
        cols = max(cols, numbers.shape[1], *(c + 1 for _, c in other))
        self.num = np.zeros((rows, cols))
        self.kind = np.full((rows, cols), EMPTY, np.uint8)
        self.text: np.ndarray | None = None
        h, w = numbers.shape
        if h and w:
            present = ~np.isnan(numbers)
            self.num[:h, :w] = np.where(present, numbers, 0.0)
            self.kind[:h, :w] = np.where(present, NUM, EMPTY)
        if other:
            for (r, c), x in other.items():
                self.write(r, c, Value.scalar(x))

    def read(self, row: int, col: int, rows: int, cols: int) -> Value:
        """A rows×cols block at (row, col); cells beyond the grid read as empty."""
        h, w = self.num.shape
        if row + rows <= h and col + cols <= w:
            sl = (slice(row, row + rows), slice(col, col + cols))
            kind = self.kind[sl]
            text = self.text[sl] if self.text is not None else None
            return Value(self.num[sl], kind if kind.any() else None, text, "ref")
        check_cells(rows, cols, "a range reaching past its sheet's cells")
        out = Value(np.zeros((rows, cols)), np.full((rows, cols), EMPTY, np.uint8), None, "ref")
        rr, cc = max(0, min(rows, h - row)), max(0, min(cols, w - col))
        if rr and cc:
            inside = self.read(row, col, rr, cc)
            out.num[:rr, :cc] = inside.num
            out.kind[:rr, :cc] = inside.kinds()  # type: ignore[index]
            if inside.text is not None:
                out.text = np.full((rows, cols), None, object)
                out.text[:rr, :cc] = inside.text
        return out

    def write(self, row: int, col: int, value: Value) -> None:
        """Store an evaluated block at (row, col), so later formulas read it."""
        rows, cols = value.shape
        sl = (slice(row, row + rows), slice(col, col + cols))
        self.num[sl] = value.num
        self.kind[sl] = 0 if value.kind is None else value.kind
        if value.text is not None and value.kind is not None and (value.kind == STR).any():
            if self.text is None:
                self.text = np.full(self.num.shape, None, object)
            self.text[sl] = value.text

    def blank(self, row: int, col: int, rows: int, cols: int) -> None:
        """Mark a formula range not yet evaluated: reading it then yields #UNEVALUATED!."""
        sl = (slice(row, row + rows), slice(col, col + cols))
        self.num[sl] = np.nan
        self.kind[sl] = UNEVALUATED


class _Evaluator:
    """Holds the grids and names of one book; evaluates trees for one cell at a time."""

    def __init__(self, book: Book, volatile: str = "error") -> None:
        if volatile not in ("error", "cached"):
            raise ValueError("volatile must be 'error' or 'cached'")
        self.book = book
        self.volatile = volatile
        self.canonical = {name.lower(): name for name in book.sheets}
        for f in book.formulas:
            self.canonical.setdefault(f.sheet.lower(), f.sheet)
        self.extent: dict[str, tuple[int, int]] = {}
        """Per sheet (lower-case name): the rows and columns its formulas reach."""
        for f in book.formulas:
            key = f.sheet.lower()
            h, w = self.extent.get(key, (0, 0))
            self.extent[key] = (max(h, f.row + f.rows), max(w, f.col + f.cols))
        self.grids: dict[str, _Grid] = {}
        self.name_text: dict[str, str] = {}
        for name, text in book.names.items():
            self.name_text[name.lower()] = text
            if "!" in name:  # sheet-scoped spelling "Sheet!Name"
                self.name_text.setdefault(name.rsplit("!", 1)[1].lower(), text)
        self.name_trees: dict[str, Node] = {}
        self.consts: dict[int, tuple[Const, Value]] = {}
        """Per literal node (kept, so that its id stays its own): its value. Values are
        never changed in place, so one object serves every cell."""
        self._resolving: set[str] = set()
        # per-formula state
        self.sheet = ""
        self.cell = ""
        self.row = 0
        self.col = 0
        self.slots: tuple[Ref, ...] = ()
        """The references of the current formula's text, for its tree's :class:`Slot`s."""

    def grid(self, key: str) -> _Grid:
        """The grid of a sheet (lower-case name), built when first used."""
        grid = self.grids.get(key)
        if grid is None:
            data = self.book.sheets.get(self.canonical.get(key, key))
            grid = self.grids[key] = _Grid(data, *self.extent.get(key, (0, 0)))
        return grid

    # --- names and references -------------------------------------------------------
    def name_tree(self, name: str) -> Node | None:
        """The tree of a defined name (case-insensitive), parsed once; None if the
        name is not defined."""
        key = name.lower()
        if key not in self.name_text:
            return None
        if key not in self.name_trees:
            try:
                self.name_trees[key] = parse(self.name_text[key])
            except FormulaSyntaxError as exc:
                raise EvaluationError(f"defined name {name}: {exc}") from exc
        return self.name_trees[key]

    def references(self, node: Node, qualified: bool = True) -> Iterator[Ref]:
        """Every reference a tree reads, names resolved; sheet always filled in unless
        ``qualified`` is False (then as written, to be qualified for a cell later)."""
        for sub in walk(node):
            if isinstance(sub, Ref):
                yield self.qualify(sub) if qualified else sub
            elif isinstance(sub, Name):
                key = sub.name.lower()
                tree = self.name_tree(sub.name)
                if tree is None or key in self._resolving:
                    continue
                self._resolving.add(key)
                try:
                    yield from self.references(tree, qualified)
                finally:
                    self._resolving.discard(key)

    def qualify(self, ref: Ref) -> Ref:
        """The reference with its sheet filled in and spelled as in the book; a shape's
        reference (:class:`Moved`) as seen from the current formula's cell."""
        key, *rect = self.place(ref)
        sheet = self.sheet if ref.sheet is None else ref.sheet
        return Ref(self.canonical.get(key, sheet), *rect)

    def place(self, ref: Ref) -> tuple[str, int, int, int, int]:
        """Where a reference points from the current formula's cell, as (lower-case sheet,
        row, col, rows, cols): the key of the grid and the rectangle, what evaluation needs,
        without spelling the sheet or making a reference (:meth:`qualify` does both)."""
        key = (self.sheet if ref.sheet is None else ref.sheet).lower()
        if isinstance(ref, Slot):
            at = self.slots[ref.index]
            return key, at.row, at.col, at.rows, at.cols
        if isinstance(ref, Moved):
            span = ref.span(self.row, self.col)
            if span is None:  # Shapes.tree parses such a text in full instead
                raise EvaluationError(f"a reference of {self.cell} leaves the grid")
            return (key, *span)
        return key, ref.row, ref.col, ref.rows, ref.cols

    def reference(self, node: Node) -> Ref | None:
        """The reference a node stands for (a range or a name of one), else None."""
        if isinstance(node, Ref):
            return self.qualify(node)
        if isinstance(node, Name):
            tree = self.name_tree(node.name)
            if tree is not None and node.name.lower() not in self._resolving:
                self._resolving.add(node.name.lower())
                try:
                    return self.reference(tree)
                finally:
                    self._resolving.discard(node.name.lower())
        return None

    def volatile_call(self, node: Node) -> str | None:
        """Name of a volatile function used by the tree (through names too), if any."""
        for sub in walk(node):
            if isinstance(sub, Call) and sub.name in VOLATILE:
                return sub.name
            if isinstance(sub, Name):
                key = sub.name.lower()
                tree = self.name_tree(sub.name)
                if tree is not None and key not in self._resolving:
                    self._resolving.add(key)
                    try:
                        found = self.volatile_call(tree)
                    finally:
                        self._resolving.discard(key)
                    if found:
                        return found
        return None

    # --- evaluation -------------------------------------------------------------------
    def evaluate(self, node: Node) -> Value:
        """The value of a tree in the current formula's cell."""
        if isinstance(node, Ref):
            key, row, col, rows, cols = self.place(node)
            if key not in self.canonical:
                return Value.error(REF, (rows, cols), "ref")
            return self.grid(key).read(row, col, rows, cols)
        if isinstance(node, Const):  # a shape's tree is shared: its literals built once
            held = self.consts.get(id(node))
            if held is None:
                held = self.consts[id(node)] = (node, Value.scalar(node.value))
            return held[1]
        if isinstance(node, Binary):
            return binary(node.op, self.evaluate(node.left), self.evaluate(node.right))
        if isinstance(node, Unary):
            return unary(node.op, self.evaluate(node.operand))
        if isinstance(node, Call):
            return self.call(node)
        if isinstance(node, Name):
            key = node.name.lower()
            tree = self.name_tree(node.name)
            if tree is None:
                return Value.error(NAME)
            if key in self._resolving:
                raise EvaluationError(f"defined name {node.name} refers to itself")
            self._resolving.add(key)
            try:
                return self.evaluate(tree)
            finally:
                self._resolving.discard(key)
        if isinstance(node, ArrayConst):
            return Value.from_items(node.rows, "array")
        if isinstance(node, Missing):
            return Value.scalar(None)
        raise EvaluationError(f"cannot evaluate {node!r}")

    def call(self, node: Call) -> Value:
        """A function call: the argument count checked, arguments evaluated first
        unless the function is lazy."""
        spec = FUNCTIONS.get(node.name)
        if spec is None:
            if node.name in VOLATILE:
                raise VolatileFunctionError(node.name, self.cell)
            raise UnsupportedFunction(node.name, self.cell)
        n = len(node.args)
        if n < spec.min_args or (spec.max_args is not None and n > spec.max_args):
            raise EvaluationError(f"{node.name} given {n} arguments")
        if spec.lazy:
            return spec.impl(self, node.args)
        args = [None if isinstance(a, Missing) else self.evaluate(a) for a in node.args]
        return spec.impl(*args)

    def formula_value(self, f: FormulaCell, tree: Node,
                      slots: tuple[Ref, ...] = ()) -> Value:
        """The formula's result fitted to its range, as the application stores it."""
        self.sheet = self.canonical.get(f.sheet.lower(), f.sheet)
        self.cell = cell_label(self.sheet, f.row, f.col)
        self.row, self.col = f.row, f.col
        self.slots = slots
        try:
            value = self.evaluate(tree)
        except EvaluationError as exc:
            raise exc.at(self.cell) from None
        except Exception as exc:  # a bug here must still say which cell triggered it
            raise EvaluationError(f"cannot evaluate {f.text!r}: {exc!r}", self.cell) from exc
        if not f.is_array:
            value = value.sub(slice(0, 1), slice(0, 1))
        value = value.broadcast_to(f.rows, f.cols)
        if value.kind is not None and (value.kind == EMPTY).any():  # =A1 of a blank is 0
            kind = np.where(value.kind == EMPTY, NUM, value.kind).astype(np.uint8)
            num = np.where(value.kind == EMPTY, 0.0, value.num)
            value = Value(num, kind if kind.any() else None, value.text, value.origin)
        return value

    def cached(self, f: FormulaCell) -> Value:
        """The values the file stores at a formula's range (for volatile formulas)."""
        data = self.book.sheets.get(self.canonical.get(f.sheet.lower(), f.sheet))
        if data is None:
            return Value.error(REF, (f.rows, f.cols))
        return _Grid(data, f.row + f.rows, f.col + f.cols).read(f.row, f.col, f.rows, f.cols)


_RELATIVE = re.compile(r"(?<![A-Za-z0-9_.$])\$?[A-Za-z]{1,3}\$?[0-9]")


def coalesce(formulas: list[FormulaCell]) -> list[FormulaCell]:
    """Merge a rectangle of identical single-cell formulas into one, when that is exact.

    A live workbook has a ``=RAND()`` in each of 150,000 cells, and applications re-save
    them one per cell. A formula whose text holds no cell reference means the same in every
    cell, so a full rectangle of them is one plain formula over the range: evaluated once
    (or, for RAND, read from the stored draws) instead of cell by cell.
    """
    groups: dict[tuple[str, str], list[int]] = {}
    for i, f in enumerate(formulas):
        if f.rows == 1 and f.cols == 1 and not f.is_array and not _RELATIVE.search(f.text):
            groups.setdefault((f.sheet, f.text), []).append(i)
    merged: set[int] = set()
    out: list[FormulaCell] = []
    for (sheet, text), members in groups.items():
        if len(members) < 2:
            continue
        rows = np.array([formulas[i].row for i in members])
        cols = np.array([formulas[i].col for i in members])
        r0, c0 = int(rows.min()), int(cols.min())
        nr, nc = int(rows.max()) - r0 + 1, int(cols.max()) - c0 + 1
        cells = set(zip(rows.tolist(), cols.tolist(), strict=True))
        if nr * nc != len(members) or len(cells) != nr * nc:
            continue
        merged.update(members)
        out.append(FormulaCell(sheet, r0, c0, nr, nc, text, is_array=False))
    return [f for i, f in enumerate(formulas) if i not in merged] + out


def _reads(ev: _Evaluator, formulas: list[FormulaCell], trees: list[Node],
           slots: list[tuple[Ref, ...]]) -> Callable[[int], list[Place]]:
    """What formula ``i`` reads: the rectangles of its references seen from its cell,
    defined names resolved."""
    written: dict[int, list[Ref]] = {}  # per tree (a shape's is shared): its references

    def reads(i: int) -> list[Place]:
        f, tree = formulas[i], trees[i]
        ev.sheet = ev.canonical.get(f.sheet.lower(), f.sheet)
        ev.row, ev.col = f.row, f.col
        ev.slots = slots[i]
        try:
            refs = written.get(id(tree))
            if refs is None:
                refs = written[id(tree)] = list(dict.fromkeys(ev.references(tree, False)))
            return [ev.place(ref) for ref in refs]
        except EvaluationError as exc:  # e.g. a defined name that does not parse
            raise exc.at(cell_label(ev.sheet, f.row, f.col)) from None

    return reads


def evaluate(
    book: Book, progress: Progress | None = None, volatile: str = "error",
    inputs: str = "evaluated",
) -> dict[Key, np.ndarray]:
    """Evaluate every formula of ``book`` from its text.

    Returns, per formula keyed by (sheet as in ``book.sheets``, anchor row, anchor col),
    an array of the formula's range: float64 if all numbers, else object dtype with
    float/str/bool/ExcelError. ``volatile="cached"`` takes a volatile formula's (RAND...)
    stored values instead of raising :class:`VolatileFunctionError`.

    With ``inputs="evaluated"`` a formula reads the results of the formulas it refers to,
    so they are evaluated in the order of their references (:mod:`.order`); a circular
    reference raises. With ``inputs="cached"`` every formula reads the values the file
    stores, formula cells included: each is judged on the file's own inputs, on its own.
    """
    if inputs not in ("evaluated", "cached"):
        raise ValueError("inputs must be 'evaluated' or 'cached'")
    ev = _Evaluator(book, volatile)
    formulas = coalesce(book.formulas)
    chained = inputs == "evaluated"
    programs = _programs(ev, formulas) if chained else []
    in_strips = {i for p in programs for run in p.strip.runs for i in run.members}
    shapes = Shapes()
    trees: list[Node | None] = [None] * len(formulas)
    slots: list[tuple[Ref, ...]] = [()] * len(formulas)

    def tree_of(i: int) -> Node:
        tree = trees[i]
        if tree is None:
            f = formulas[i]
            try:
                tree = trees[i] = shapes.tree(f.text, f.row, f.col)
                slots[i] = shapes.refs
            except FormulaSyntaxError as exc:
                label = cell_label(f.sheet, f.row, f.col)
                raise EvaluationError(f"cannot parse {f.text!r}: {exc}", label) from exc
        return tree

    for i in range(len(formulas)):
        if i not in in_strips:
            tree_of(i)
    results: dict[Key, np.ndarray] = {}
    volatile_of: dict[int, str | None] = {}  # per tree: a shape's is shared by its cells

    def one(i: int) -> Value:
        """Evaluate formula ``i`` on the general path and keep its result."""
        f, tree = formulas[i], tree_of(i)
        ev.sheet = ev.canonical.get(f.sheet.lower(), f.sheet)
        ev.cell = cell_label(ev.sheet, f.row, f.col)
        if id(tree) in volatile_of:
            function = volatile_of[id(tree)]
        else:
            function = volatile_of[id(tree)] = ev.volatile_call(tree)
        if function is not None and volatile == "error":
            raise VolatileFunctionError(function, ev.cell)
        value = ev.cached(f) if function is not None else ev.formula_value(f, tree, slots[i])
        if chained:
            ev.grid(f.sheet.lower()).write(f.row, f.col, value)
        results[(ev.sheet, f.row, f.col)] = value.to_array()
        return value

    total = len(formulas)
    done = 0
    if not chained:
        for i in range(total):
            one(i)
            if progress is not None:
                progress(i + 1, total)
        return results
    for i, f in enumerate(formulas):  # a formula read too early shows up, not as its cached value
        if i not in in_strips:
            ev.grid(f.sheet.lower()).blank(f.row, f.col, f.rows, f.cols)
    for p in programs:
        for run in p.strip.runs:
            ev.grid(p.strip.key).blank(run.first, run.col, len(run.members), 1)
    nodes: list[int | chains.Program] = [i for i in range(total) if i not in in_strips]
    nodes += programs
    order = None
    if programs:
        reads = _reads(ev, formulas, trees, slots)  # type: ignore[arg-type]
        order = order_nodes(
            [[place_of(formulas[n])] if isinstance(n, int) else n.strip.places()
             for n in nodes],
            lambda k: reads(n) if isinstance(n := nodes[k], int) else n.strip.read_places())
    if order is None:  # no strips, or strips that read each other: one cell at a time
        nodes = list(range(total))
        order = order_formulas(formulas,
                               _reads(ev, formulas, [tree_of(i) for i in nodes], slots))
    for k in order:
        node = nodes[k]
        if isinstance(node, int):
            one(node)
            done += 1
        else:
            _run_strip(ev, node, formulas, one, results)
            done += node.strip.size
        if progress is not None:
            progress(done, total)
    return results


def _programs(ev: _Evaluator, formulas: list[FormulaCell]) -> list[chains.Program]:
    """The compiled strips of the book's step-by-step tables (:mod:`.chains`)."""
    runs = chains.find_runs(formulas)
    if not runs:
        return []

    def resolve(sheet: str, name: str) -> list[Ref]:
        ev.sheet = ev.canonical.get(sheet.lower(), sheet)
        return list(ev.references(Name(name)))

    def resolve_one(name: str) -> Ref | None:
        return ev.reference(Name(name))

    found = chains.strips(runs, chains.parse_run, resolve)
    return [chains.Program(s, resolve_one, lambda key: key in ev.canonical) for s in found]


def _run_strip(ev: _Evaluator, program: chains.Program, formulas: list[FormulaCell],
               one: Callable[[int], Value], results: dict[Key, np.ndarray]) -> None:
    """Evaluate a strip with its compiled function; a cell it cannot compute goes to
    ``one`` (the general path), once the grid holds every strip cell computed before it."""
    strip = program.strip
    top, bottom, left, right = program.box
    grid = ev.grid(strip.key)
    block = grid.read(top, left, bottom - top + 1, right - left + 1)
    table = chains.plain(block.num, block.kind).tolist()
    given: list[object] = []
    for key, row, col, rows in program.outside:
        value = ev.grid(key).read(row, col, rows or 1, 1)
        column = chains.plain(value.num, value.kind)[:, 0].tolist()
        given.append(column if rows is not None else column[0])
    runs = strip.runs
    position = {k: n for n, k in enumerate(strip.order)}
    general: set[tuple[int, int]] = set()
    flushed = [min(run.first for run in runs)]

    def flush(upto: int) -> None:
        """Write the strip's values of rows before ``upto`` into the grid."""
        lo = flushed[0]
        if upto <= lo:
            return
        if upto - lo <= 2:  # a row or two since the last cell the general path took
            for r in range(lo, upto):
                values = table[r - top]
                for run in runs:
                    v = values[run.col - left]
                    if run.first <= r <= run.last and v == v:
                        grid.num[r, run.col] = v
                        grid.kind[r, run.col] = NUM
            flushed[0] = upto
            return
        for run in runs:
            a, b = max(lo, run.first), min(upto - 1, run.last)
            if a > b:
                continue
            values = np.array([table[r - top][run.col - left] for r in range(a, b + 1)])
            ok = ~np.isnan(values)
            rows = np.arange(a, b + 1)[ok]
            grid.num[rows, run.col] = values[ok]
            grid.kind[rows, run.col] = NUM
        flushed[0] = upto

    def fallback(k: int, r: int) -> float:
        run = runs[k]
        general.add((k, r))
        careful = program.careful.get(k)
        if careful is not None:  # inputs that hold errors: the error, without the general path
            try:  # (it reads the grid only where the table holds no number: up to date)
                careful(table, given, r, top, left, read)
            except compiled.CellError as exc:
                return _error_result(exc.kind, r, run.col)
            except Exception:  # noqa: S110  (anything else: the general path says)
                pass
        flush(r)
        for kk in strip.order[:position[k]]:  # the cells of this row computed before it
            before = runs[kk]
            v = table[r - top][before.col - left]
            if before.first <= r <= before.last and v == v:
                grid.num[r, before.col] = v
                grid.kind[r, before.col] = NUM
        value = one(run.members[r - run.first])
        if value.kind is not None and value.kind[0, 0] != NUM:
            return float("nan")
        return float(value.num[0, 0])

    def read(v: float, key: str, row: int, col: int) -> float:
        """A careful expression's input: a number, else the error it holds raised."""
        if v == v:
            return v
        kinds = ev.grid(key).kind
        if row < kinds.shape[0] and col < kinds.shape[1]:
            kind = int(kinds[row, col])
            if kind >= ERR0 and kind != UNEVALUATED:
                raise compiled.CellError(kind)
        raise compiled.Fallback

    def _error_result(kind: int, r: int, col: int) -> float:
        """The cell holds an error: what the general path writes and gives for it."""
        grid.num[r, col] = np.nan
        grid.kind[r, col] = kind
        out = np.empty((1, 1), object)
        out[0, 0] = ExcelError(ERROR_CODES[kind - ERR0])
        results[(sheet, r, col)] = out
        return float("nan")

    def not_available(k: int, r: int) -> float:
        general.add((k, r))
        return _error_result(NA, r, runs[k].col)

    sheet = ev.canonical.get(strip.key, strip.sheet)
    with np.errstate(all="ignore"):  # NumPy's functions of one value, as in a block
        program.function(table, given, fallback, not_available, top, left)
    flush(max(run.last for run in runs) + 1)
    for k, run in enumerate(runs):
        c = run.col - left
        rows = range(run.first, run.last + 1)
        values = list(np.array([table[r - top][c] for r in rows]).reshape(-1, 1, 1))
        if any((k, r) in general for r in rows):
            results.update(((sheet, r, run.col), v) for r, v in zip(rows, values, strict=True)
                           if (k, r) not in general)
        else:
            results.update(zip([(sheet, r, run.col) for r in rows], values, strict=True))


def evaluate_formula(
    text: str,
    book: Book,
    sheet: str,
    *,
    shape: tuple[int, int] | None = None,
) -> np.ndarray | float | str | bool | ExcelError:
    """Evaluate one formula text as if entered at ``sheet``!A1, for tests and diagnosis.

    References read the book's stored values; its own formulas are not re-evaluated.
    Without ``shape`` the raw result is returned (a Python scalar if it is 1×1); with
    ``shape`` it is fitted to a range of that size as an array formula would be.
    """
    ev = _Evaluator(Book(book.sheets, book.names, [], book.hidden))
    ev.canonical.setdefault(sheet.lower(), sheet)
    ev.sheet = ev.canonical[sheet.lower()]
    ev.cell = cell_label(ev.sheet, 0, 0)
    try:
        tree = parse(text)
    except FormulaSyntaxError as exc:
        raise EvaluationError(f"cannot parse {text!r}: {exc}", ev.cell) from exc
    function = ev.volatile_call(tree)
    if function is not None:
        raise VolatileFunctionError(function, ev.cell)
    if shape is not None:
        f = FormulaCell(sheet, 0, 0, shape[0], shape[1], text, is_array=True)
        return ev.formula_value(f, tree).to_array()
    try:
        value = ev.evaluate(tree)
    except EvaluationError as exc:
        raise exc.at(ev.cell) from None
    if value.is_single:
        item = value.item()
        return 0.0 if item is None else item
    return value.to_array()
