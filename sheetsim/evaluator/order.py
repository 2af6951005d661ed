"""The order in which a book's formula cells and blocks are evaluated.

A formula is evaluated after every formula whose range it reads. The formulas' ranges go
into an :class:`Index` of cell tiles per sheet: a tile holds, per cell, the formula whose
range covers it, so the formulas a rectangle reads are those in the tiles the rectangle
meets, and no rectangle is ever tested against every formula. :func:`order_formulas` then
sorts the formulas by what they read (the first ready formula in the book first) and names
the cells of a circular reference.

What it costs: placing a range costs the tiles it meets; a look-up costs the tiles the
rectangle meets within the sheet's formulas (a tile it covers whole gives its formulas at
once) and the cells of those it covers in part; the sort costs the dependencies found. So
ordering grows with the cells the formulas cover and read, never with the number of
formulas squared. :class:`Work` counts these steps.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from ..xlsx.book import FormulaCell
from ..xlsx.cells import label
from .values import EvaluationError

Place = tuple[str, int, int, int, int]
"""A rectangle of one sheet: (lower-case sheet name, row, col, rows, cols), 0-based."""

ROW_BITS = 7
COL_BITS = 5
TILE_ROWS = 1 << ROW_BITS
TILE_COLS = 1 << COL_BITS
SHOWN = 8
"""Cells of a circular reference named in its error."""


@dataclass
class Work:
    """The steps an ordering took, counted."""

    lookups: int = 0
    """Rectangles looked up in the index."""
    tiles: int = 0
    """Tiles visited, placing ranges and looking rectangles up."""
    cells: int = 0
    """Cells read in tiles that a look-up covers in part."""
    dependencies: int = 0
    """Pairs (formula, a formula it reads) found."""

    @property
    def total(self) -> int:
        """All steps together."""
        return self.lookups + self.tiles + self.cells + self.dependencies


class _Tile:
    """TILE_ROWS × TILE_COLS cells of one layer of a sheet: the formula covering each
    cell (-1 for none), and the formulas it holds."""

    __slots__ = ("cells", "ids")

    def __init__(self) -> None:
        self.cells = np.full((TILE_ROWS, TILE_COLS), -1, dtype=np.int32)
        self.ids: list[int] = []


_Part = tuple[tuple[int, int], int, int, int, int]
"""A tile a rectangle meets: its key (tile row, tile col) and the rows a:b, cols c:d of
the tile inside the rectangle."""


def _parts(row: int, col: int, rows: int, cols: int) -> Iterator[_Part]:
    """The tiles a rectangle meets, each with the part of it inside the rectangle."""
    end_row, end_col = row + rows, col + cols
    for tr in range(row >> ROW_BITS, ((end_row - 1) >> ROW_BITS) + 1):
        top = tr << ROW_BITS
        a, b = max(row, top) - top, min(end_row, top + TILE_ROWS) - top
        for tc in range(col >> COL_BITS, ((end_col - 1) >> COL_BITS) + 1):
            left = tc << COL_BITS
            yield (tr, tc), a, b, max(col, left) - left, min(end_col, left + TILE_COLS) - left


class Index:
    """Which formulas' ranges a rectangle shares a cell with, found through tiles.

    Formula ranges never share a cell in a book an application wrote, so each sheet has one
    layer of tiles; a range that does share a cell with one placed before goes into the
    next layer where it fits, so that every formula covering a cell is found.
    """

    def __init__(self, places: Iterable[Place], work: Work | None = None) -> None:
        self.work = work if work is not None else Work()
        self.layers: dict[str, list[dict[tuple[int, int], _Tile]]] = {}
        self.box: dict[str, tuple[int, int, int, int]] = {}
        """Per sheet: first row, first col, end row, end col of its formulas' ranges."""
        self.memo: dict[Place, list[int]] = {}
        for i, place in enumerate(places):
            self.add(i, place)

    def add(self, i: int, place: Place) -> None:
        """Place the range of formula ``i``."""
        key, row, col, rows, cols = place
        if rows <= 0 or cols <= 0:
            return
        self.memo.clear()
        box = self.box.get(key)
        if box is None:
            self.box[key] = (row, col, row + rows, col + cols)
        elif row < box[0] or col < box[1] or row + rows > box[2] or col + cols > box[3]:
            self.box[key] = (min(box[0], row), min(box[1], col),
                             max(box[2], row + rows), max(box[3], col + cols))
        layers = self.layers.setdefault(key, [])
        if rows == 1 and cols == 1:  # most formulas: one cell in one tile
            self._add_cell(i, layers, row, col)
            return
        parts = list(_parts(row, col, rows, cols))
        for layer in layers:
            self.work.tiles += len(parts)
            if all(_free(layer.get(k), a, b, c, d) for k, a, b, c, d in parts):
                break
        else:
            layer = {}
            layers.append(layer)
        for k, a, b, c, d in parts:
            tile = layer.get(k)
            if tile is None:
                tile = layer[k] = _Tile()
            tile.cells[a:b, c:d] = i
            tile.ids.append(i)

    def _add_cell(self, i: int, layers: list[dict[tuple[int, int], _Tile]], row: int,
                  col: int) -> None:
        """Place a one-cell range (what :meth:`add` does, for one cell)."""
        k, a, c = (row >> ROW_BITS, col >> COL_BITS), row & TILE_ROWS - 1, col & TILE_COLS - 1
        for layer in layers:
            self.work.tiles += 1
            tile = layer.get(k)
            if tile is None or tile.cells[a, c] < 0:
                break
        else:
            layer = {}
            layers.append(layer)
            tile = None
        if tile is None:
            tile = layer[k] = _Tile()
        tile.cells[a, c] = i
        tile.ids.append(i)

    def meets(self, place: Place) -> list[int]:
        """The formulas whose ranges share a cell with the rectangle, in index order."""
        self.work.lookups += 1
        found = self.memo.get(place)
        if found is not None:
            return found
        key, row, col, rows, cols = place
        hits: set[int] = set()
        box = self.box.get(key)
        if box is not None and rows == 1 and cols == 1:  # most references: one cell in one tile
            k, a, c = (row >> ROW_BITS, col >> COL_BITS), row & TILE_ROWS - 1, col & TILE_COLS - 1
            for layer in self.layers.get(key, ()):
                self.work.tiles += 1
                tile = layer.get(k)
                if tile is not None:
                    self.work.cells += 1
                    hits.add(int(tile.cells[a, c]))
        elif box is not None:  # only the part of the rectangle where formulas are
            r0, c0 = max(row, box[0]), max(col, box[1])
            r1, c1 = min(row + rows, box[2]), min(col + cols, box[3])
            if r0 < r1 and c0 < c1:
                for layer in self.layers[key]:
                    self._collect(layer, _parts(r0, c0, r1 - r0, c1 - c0), hits)
        hits.discard(-1)
        found = self.memo[place] = sorted(hits)
        return found

    def _collect(self, layer: dict[tuple[int, int], _Tile], parts: Iterator[_Part],
                 hits: set[int]) -> None:
        """Add the formulas of ``layer`` inside the parts of tiles to ``hits``."""
        work = self.work
        for k, a, b, c, d in parts:
            work.tiles += 1
            tile = layer.get(k)
            if tile is None:
                continue
            size = (b - a) * (d - c)
            if size == TILE_ROWS * TILE_COLS:
                hits.update(tile.ids)
            elif size == 1:
                work.cells += 1
                hits.add(int(tile.cells[a, c]))
            else:
                work.cells += size
                hits.update(np.unique(tile.cells[a:b, c:d]).tolist())


def _free(tile: _Tile | None, a: int, b: int, c: int, d: int) -> bool:
    """No formula covers these cells of the tile yet."""
    if tile is None:
        return True
    if b - a == 1 and d - c == 1:
        return bool(tile.cells[a, c] < 0)
    return bool((tile.cells[a:b, c:d] < 0).all())


def place_of(f: FormulaCell) -> Place:
    """The rectangle a formula's range covers."""
    return f.sheet.lower(), f.row, f.col, f.rows, f.cols


def order_formulas(
    formulas: Sequence[FormulaCell],
    reads: Callable[[int], Iterable[Place]],
    work: Work | None = None,
) -> list[int]:
    """Indices of ``formulas`` so that each comes after every formula whose range it
    reads; ``reads(i)`` gives the rectangles formula ``i`` reads. Of the formulas ready
    at one time, the first in ``formulas`` comes first.

    Raises :class:`EvaluationError` at a cell of a circular reference (a formula reading
    its own range is one), naming the cells of the cycle.
    """
    index = Index((place_of(f) for f in formulas), work)
    deps: list[list[int]] = []
    for i in range(len(formulas)):
        found: set[int] = set()
        for place in reads(i):
            found.update(index.meets(place))
        deps.append(sorted(found))
        index.work.dependencies += len(found)
    return _sort(formulas, deps)


def order_nodes(
    places: Sequence[Sequence[Place]],
    reads: Callable[[int], Iterable[Place]],
    work: Work | None = None,
) -> list[int] | None:
    """Indices of nodes, each covering the rectangles ``places[i]`` and reading
    ``reads(i)``, so that each comes after every other node whose rectangles it reads (a
    node reading its own rectangles is not held up by itself); None where the nodes read
    each other in a circle, which may hold no circular reference between their cells."""
    index = Index((), work)
    for i, node in enumerate(places):
        for place in node:
            index.add(i, place)
    deps: list[list[int]] = []
    for i in range(len(places)):
        found: set[int] = set()
        for place in reads(i):
            found.update(index.meets(place))
        found.discard(i)
        deps.append(sorted(found))
        index.work.dependencies += len(found)
    out, _ = _kahn(deps)
    return out if len(out) == len(deps) else None


def _kahn(deps: list[list[int]]) -> tuple[list[int], list[int]]:
    """Kahn's algorithm over ``deps`` (what each node reads), the lowest ready index
    first: the order of those it could sort, and per node how many of its reads are left
    waiting (nonzero only on or behind a circle)."""
    users: list[list[int]] = [[] for _ in deps]
    pending = [len(d) for d in deps]
    for i, d in enumerate(deps):
        for j in d:
            users[j].append(i)
    ready = [i for i, n in enumerate(pending) if n == 0]
    heapq.heapify(ready)
    out: list[int] = []
    while ready:
        i = heapq.heappop(ready)
        out.append(i)
        for u in users[i]:
            pending[u] -= 1
            if pending[u] == 0:
                heapq.heappush(ready, u)
    return out, pending


def _sort(formulas: Sequence[FormulaCell], deps: list[list[int]]) -> list[int]:
    """Kahn's algorithm over ``deps`` (what each formula reads), the lowest ready index
    first; a circular reference raises."""
    out, pending = _kahn(deps)
    if len(out) < len(deps):
        cycle = _cycle(deps, pending)
        labels = [label(formulas[i].sheet, formulas[i].row, formulas[i].col) for i in cycle]
        shown = ", ".join(labels[:SHOWN]) + (" ..." if len(labels) > SHOWN else "")
        raise EvaluationError(f"circular reference among {shown}", labels[0])
    return out


def _cycle(deps: list[list[int]], pending: list[int]) -> list[int]:
    """One cycle among the formulas left waiting, each followed by one it reads.

    Every waiting formula reads a waiting one (else it would have been sorted), so
    following those reads from the first waiting formula comes back to a formula met on
    the way: the formulas from there on are the cycle.
    """
    i = next(k for k, n in enumerate(pending) if n > 0)
    seen: dict[int, int] = {}
    path: list[int] = []
    while i not in seen:
        seen[i] = len(path)
        path.append(i)
        i = next(j for j in deps[i] if pending[j] > 0)
    return path[seen[i]:]
