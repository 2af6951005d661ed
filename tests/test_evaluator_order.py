"""The evaluation order of formulas (sheetsim.evaluator.order): every formula after those it
reads, circular references named by their cells, and work that grows with the book."""

from __future__ import annotations

import random

import numpy as np
import pytest

from sheetsim.evaluator import EvaluationError, evaluate
from sheetsim.evaluator.order import (
    TILE_COLS,
    TILE_ROWS,
    Index,
    Place,
    Work,
    order_formulas,
    place_of,
)
from sheetsim.xlsx.book import Book, FormulaCell, SheetData


def _chain(n: int) -> list[FormulaCell]:
    """A1 = 1, A2 = A1+1, ..., An = A(n-1)+1, listed last cell first."""
    cells = [FormulaCell("S", i, 0, 1, 1, f"A{i}+1" if i else "1") for i in range(n)]
    return cells[::-1]


def test_a_chain_written_backwards_is_evaluated_forwards() -> None:
    # cached values are wrong on purpose: a formula evaluated before the one it reads would
    # read #UNEVALUATED!, not a number, so only the right order gives 1, 2, ..., n
    n = 300  # longer than a tile, so the chain crosses tiles
    book = Book({"S": SheetData("S", np.full((n, 1), -7.0))}, {}, _chain(n))
    res = evaluate(book)
    assert [res[("S", i, 0)].item() for i in range(n)] == [float(i + 1) for i in range(n)]


def test_the_order_puts_each_formula_after_what_it_reads() -> None:
    n = 50
    formulas = _chain(n)
    at = {(f.row, f.col): i for i, f in enumerate(formulas)}

    def reads(i: int) -> list[Place]:
        row = formulas[i].row
        return [("s", row - 1, 0, 1, 1)] if row else []

    order = order_formulas(formulas, reads)
    assert sorted(order) == list(range(n))
    position = {i: k for k, i in enumerate(order)}
    for row in range(1, n):
        assert position[at[(row, 0)]] > position[at[(row - 1, 0)]]


def test_a_cycle_is_reported_by_its_cells_only() -> None:
    # A1..A5 read one another in a ring; B1 reads A3 and waits on the ring without being
    # part of it; C1 reads nothing
    ring = [FormulaCell("S", i, 0, 1, 1, f"A{(i - 1) % 5 + 1}+1") for i in range(5)]
    formulas = [FormulaCell("S", 0, 1, 1, 1, "A3*2"), FormulaCell("S", 0, 2, 1, 1, "1"), *ring]
    book = Book({"S": SheetData("S", np.zeros((5, 3)))}, {}, formulas)
    with pytest.raises(EvaluationError, match="circular") as info:
        evaluate(book)
    text = str(info.value)
    named = {f"S!A{i}" for i in range(1, 6)}
    assert all(cell in text for cell in named)
    assert "S!B1" not in text and "S!C1" not in text
    assert info.value.cell in named


def test_a_formula_reading_its_own_range_is_a_cycle() -> None:
    book = Book({"S": SheetData("S", np.zeros((3, 3)))}, {},
                [FormulaCell("S", 1, 1, 2, 2, "SUM(A1:C3)", is_array=True)])
    with pytest.raises(EvaluationError, match=r"circular reference among S!B2"):
        evaluate(book)


def test_the_index_finds_what_a_pairwise_scan_finds() -> None:
    # formula ranges of every size, across tile borders, some sharing cells (then placed in
    # further layers); rectangles looked up must meet exactly the ranges a scan finds
    rng = random.Random(25)
    places: list[Place] = []
    for _ in range(400):
        rows = rng.choice([1, 1, 1, 2, 5, TILE_ROWS + 3, 300])
        cols = rng.choice([1, 1, 2, 3, TILE_COLS + 1, 70])
        places.append((rng.choice(["a", "b"]), rng.randrange(700), rng.randrange(200),
                       rows, cols))
    index = Index(places)
    assert max(len(layers) for layers in index.layers.values()) > 1  # overlaps were placed
    for _ in range(600):
        rect = (rng.choice(["a", "b", "c"]), rng.randrange(900), rng.randrange(300),
                rng.choice([1, 1, 4, 40, TILE_ROWS * 3, 1000]), rng.choice([1, 3, 50, 300]))
        sheet, row, col, rows, cols = rect
        scan = [i for i, (s, r, c, h, w) in enumerate(places)
                if s == sheet and r < row + rows and row < r + h and c < col + cols
                and col < c + w]
        assert index.meets(rect) == scan, rect


def _table_work(n: int) -> Work:
    """Order a step-by-step table of ``n`` rows listed last row first: each row's three
    cells read the row above, and one cell sums a whole column. Returns the work counted."""
    formulas = [FormulaCell("T", r, c, 1, 1, "") for r in range(n) for c in range(3)][::-1]
    formulas.append(FormulaCell("T", 0, 5, 1, 1, ""))  # the column's sum
    work = Work()

    def reads(i: int) -> list[Place]:
        f = formulas[i]
        if f.col == 5:
            return [("t", 0, 0, n, 1)]
        return [("t", f.row - 1, 0, 1, 3)] if f.row else []

    order = order_formulas(formulas, reads, work)
    assert order[-1] == len(formulas) - 1  # the sum waits for the whole column
    return work


def test_ordering_work_grows_linearly_with_the_table() -> None:
    # a pairwise scan would make 3n·3n comparisons; the index's steps double when the
    # table doubles (up to the few tiles that one more tile row adds)
    small, large = _table_work(2_000), _table_work(4_000)
    assert small.total <= 12 * 2_000 * 3
    for count in ("lookups", "tiles", "cells", "dependencies", "total"):
        a, b = getattr(small, count), getattr(large, count)
        assert 1.9 * a <= b <= 2.1 * a, (count, a, b)


def test_cached_inputs_judge_each_formula_on_the_files_values() -> None:
    # B1 = A1*2 is cached wrongly as 5, C1 = B1+1 as 6: on cached inputs C1 reads the 5
    sheets = {"S": SheetData("S", np.array([[1.0, 5.0, 6.0]]))}
    formulas = [FormulaCell("S", 0, 2, 1, 1, "B1+1"), FormulaCell("S", 0, 1, 1, 1, "A1*2")]
    on_cached = evaluate(Book(sheets, {}, formulas), inputs="cached")
    assert {k: v.item() for k, v in on_cached.items()} == {("S", 0, 1): 2.0, ("S", 0, 2): 6.0}
    chained = evaluate(Book(sheets, {}, formulas))
    assert {k: v.item() for k, v in chained.items()} == {("S", 0, 1): 2.0, ("S", 0, 2): 3.0}
    with pytest.raises(ValueError, match="inputs"):
        evaluate(Book(sheets, {}, formulas), inputs="stored")


def test_the_place_of_a_formula_is_its_range_on_its_sheet_in_lower_case() -> None:
    assert place_of(FormulaCell("Steps", 4, 2, 3, 1, "")) == ("steps", 4, 2, 3, 1)
