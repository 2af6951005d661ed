"""Formula shapes: one parse per shape, re-anchored at each cell, must mean what the text says."""

from __future__ import annotations

import numpy as np
import pytest

from sheetsim.evaluator import EvaluationError, evaluate
from sheetsim.evaluator.parser import Binary, Call, Node, Ref, Unary, parse
from sheetsim.evaluator.shapes import Moved, Shapes, Slot, shape_key
from sheetsim.xlsx.book import Book, FormulaCell, SheetData
from sheetsim.xlsx.cells import GRID_ROWS


def at(node: Node, row: int, col: int, refs: tuple[Ref, ...] = ()) -> Node:
    """A shape's tree with every reference read from (row, col), or for a skeleton's tree
    taken from ``refs`` (:attr:`Shapes.refs` of its text), for comparing with parse."""
    if isinstance(node, Slot):
        return Ref(node.sheet, *(getattr(refs[node.index], k) for k in ("row", "col", "rows",
                                                                        "cols")))
    if isinstance(node, Moved):
        ref = node.at(row, col)
        assert ref is not None
        return ref
    if isinstance(node, Binary):
        return Binary(node.op, at(node.left, row, col, refs), at(node.right, row, col, refs))
    if isinstance(node, Unary):
        return Unary(node.op, at(node.operand, row, col, refs))
    if isinstance(node, Call):
        return Call(node.name, tuple(at(a, row, col, refs) for a in node.args))
    return node


def grid(name: str, rows: list[list[float]]) -> SheetData:
    return SheetData(name, np.array(rows, dtype=float), {})


def test_one_shape_at_two_anchors_reads_different_cells() -> None:
    shapes = Shapes()
    first = shapes.tree("A1+B2*2", 4, 2)  # written in C5: A1 is 4 rows up, 2 left
    second = shapes.tree("A8+B9*2", 11, 2)  # the same shape in C12
    assert shapes.parsed == 1  # the second text was not parsed again
    assert at(first, 4, 2) == parse("A1+B2*2")
    assert at(second, 11, 2) == parse("A8+B9*2")
    assert at(second, 11, 2) == Binary("+", Ref(None, 7, 0), Binary("*", Ref(None, 8, 1),
                                                                     parse("2")))


def test_absolute_parts_stay_and_relative_parts_move() -> None:
    texts = {  # the same shape written at rows 2, 5 and column D (row 2)
        (1, 2): "$A$1+A$1+$A2+B2",
        (4, 2): "$A$1+A$1+$A5+B5",
        (1, 3): "$A$1+B$1+$A2+C2",
    }
    shapes = Shapes()
    for (r, c), text in texts.items():
        assert at(shapes.tree(text, r, c), r, c, shapes.refs) == parse(text), text
    assert shapes.parsed == 1
    # a text that differs only in a $ is another shape
    assert shape_key("$A$1+A$1+$A2+B2", 1, 2) != shape_key("$A$1+$A$1+$A2+B2", 1, 2)


def test_ranges_mixed_corners_and_corners_that_cross() -> None:
    shapes = Shapes()
    # a running sum: the range grows with the row
    assert at(shapes.tree("SUM(A$1:A1)", 0, 1), 0, 1, shapes.refs) == parse("SUM(A$1:A1)")
    assert at(shapes.tree("SUM(A$1:A7)", 6, 1), 6, 1, shapes.refs) \
        == Call("SUM", (Ref(None, 0, 0, 7, 1),))
    # the relative corner passes the absolute one: the range is normalized as parsed
    assert at(shapes.tree("SUM(A$3:A1)", 0, 1), 0, 1, shapes.refs) \
        == Call("SUM", (Ref(None, 0, 0, 3, 1),))
    assert at(shapes.tree("SUM(A$3:A5)", 4, 1), 4, 1, shapes.refs) \
        == Call("SUM", (Ref(None, 2, 0, 3, 1),))
    assert shapes.parsed == 1  # the crossing text is the first one's skeleton, other cells


def test_texts_that_differ_only_in_their_cells_share_a_skeleton() -> None:
    """Blocks that move by many rows at once (a training step of 48 samples): the texts are
    no R1C1 shape of each other, yet one parse serves them all."""
    shapes = Shapes()
    texts = [(row, f"MMULT(T!$B${row + 1}:$C${row + 48},P!$A${5 * k + 1}:$A${5 * k + 2})*C{k + 1}")
             for k, row in enumerate((0, 48, 96))]
    for row, text in texts:
        assert at(shapes.tree(text, row, 4), row, 4, shapes.refs) == parse(text), text
    assert shapes.parsed == 1
    far = "MMULT(T!$B$1:$C$48,P!$A$1:$A$2)*C1048577"  # past the grid: the parser reads a name
    assert at(shapes.tree(far, 500, 4), 500, 4, shapes.refs) == parse(far)
    assert shapes.parsed == 2


def test_evaluated_column_of_one_shape_in_two_sheets() -> None:
    # B(r) = B(r-1) + A(r) * $C$1: one shape down column B of two sheets with other data
    s = grid("S", [[1, 0, 10], [2, np.nan, np.nan], [3, np.nan, np.nan]])
    t = grid("T", [[5, 0, -1], [6, np.nan, np.nan], [7, np.nan, np.nan]])
    formulas = [FormulaCell(sheet, r, 1, 1, 1, f"B{r}+A{r + 1}*$C$1")
                for sheet in ("S", "T") for r in (1, 2)]
    res = evaluate(Book({"S": s, "T": t}, {}, formulas))
    assert res[("S", 1, 1)].item() == 20.0 and res[("S", 2, 1)].item() == 50.0
    assert res[("T", 1, 1)].item() == -6.0 and res[("T", 2, 1)].item() == -13.0


def test_sheet_qualified_shape_keeps_its_sheet_from_any_sheet() -> None:
    data = grid("Data", [[1], [2], [3]])
    formulas = [FormulaCell(sheet, r, 0, 1, 1, f"Data!A{r + 1}*10")
                for sheet, r in (("X", 0), ("Y", 2))]
    book = Book({"Data": data, "X": grid("X", [[0]]), "Y": grid("Y", [[0]])}, {}, formulas)
    res = evaluate(book)
    assert res[("X", 0, 0)].item() == 10.0 and res[("Y", 2, 0)].item() == 30.0


def test_text_and_names_that_look_like_references_do_not_move() -> None:
    shapes = Shapes()
    texts = [((0, 1), "\"A1\"&A1&'B2 data'!C3&LOG10(A1)"),
             ((5, 1), "\"A1\"&A6&'B2 data'!C8&LOG10(A6)")]
    for (r, c), text in texts:
        assert at(shapes.tree(text, r, c), r, c, shapes.refs) == parse(text)
    assert shapes.parsed == 1
    # the literal is part of the shape: another literal is another shape
    assert shape_key("\"A1\"&A1", 0, 0) != shape_key("\"A2\"&A2", 1, 0)


def test_a_reference_moved_out_of_the_grid_is_read_as_the_parser_reads_it() -> None:
    shapes = Shapes()
    shapes.tree("A2", 0, 0)  # one row down
    last = GRID_ROWS - 1
    got = shapes.tree(f"A{GRID_ROWS + 1}", last, 0)  # one row down from the last row
    assert got == parse(f"A{GRID_ROWS + 1}")  # not a reference: a name, as parsed
    assert not isinstance(got, Ref)


def test_whole_column_references_still_fail_at_every_cell() -> None:
    s = grid("S", [[1, 0], [2, 0]])
    for r in (0, 1):
        formulas = [FormulaCell("S", 0, 1, 1, 1, "SUM(A:A)+A1"),
                    FormulaCell("S", 1, 1, 1, 1, "SUM(A:A)+A2")][: r + 1]
        with pytest.raises(EvaluationError, match="whole-column"):
            evaluate(Book({"S": s}, {}, formulas))


def test_shapes_equal_parsing_across_many_anchors() -> None:
    templates = ["$B$2*{a}{r}+SUM({b}{r}:{c}{s})", "IF({a}{r}>0,{b}{r},-{c}{s})%",
                 "{a}{r}:{b}{s}*2", "INDEX($A$1:$D$9,3,2)+{c}{r}"]
    letters = "ABCDEFGHIJ"
    shapes = Shapes()
    for template in templates:
        for row in range(3, 9):
            for col in (4, 7):  # relative columns move with the formula's column
                a, b, c = letters[col - 4: col - 1]
                text = template.format(a=a, b=b, c=c, r=row - 2, s=row + 1)
                assert at(shapes.tree(text, row, col), row, col, shapes.refs) == parse(text), text
    assert shapes.parsed == len(templates)


def test_absolute_references_repeated_row_by_row_share_one_tree_moved_as_a_whole() -> None:
    shapes = Shapes()
    texts = [(3 + i, 22, f"IF(B!$V${4 + i}>0,B!$C${4 + i},99)+W{4 + i}") for i in range(5)]
    for row, col, text in texts:
        assert at(shapes.tree(text, row, col), row, col, shapes.refs) == parse(text), text
    assert shapes.parsed == 1
    # a fixed absolute part with a moving one: the same shape as written, not moved
    assert at(shapes.tree("$A$1*B4", 3, 2), 3, 2, shapes.refs) == parse("$A$1*B4")
    assert at(shapes.tree("$A$1*B9", 8, 2), 8, 2, shapes.refs) == parse("$A$1*B9")
    assert at(shapes.tree("$A$2*B5", 4, 2), 4, 2, shapes.refs) \
        == parse("$A$2*B5")  # moved as a whole
    assert shapes.parsed == 2
