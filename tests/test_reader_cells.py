"""Sheet cells read by NumPy (cells written the usual way) and by the regular expressions
(anything else): the same numbers at the same places, and the same errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sheetsim.xlsx import reader
from sheetsim.xlsx.reader import ReadError

HEAD = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
TAIL = b"</sheetData></worksheet>"


def sheet(*rows: bytes) -> bytes:
    return HEAD + b"".join(rows) + TAIL


def read(xml: bytes) -> tuple[np.ndarray, dict, list]:
    data, formulas = reader._sheet(xml, "S", ["text"], Path("w.xlsx"))
    return data.numbers, data.other, formulas


USUAL = sheet(
    b'<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" s="3"><v>1.5</v></c>'
    b'<c r="C1" s="12" t="n"><v>-2E-3</v></c><c r="D1" s="1"/></row>',
    b'<row r="3"><c r="AB3"><v>7</v></c><c r="C3" t="n"><v>1e300</v></c>'
    b'<c r="D3"><f>B1*2</f><v>3</v></c></row>',
)


def test_usual_cells_are_read_by_numpy_to_the_right_places() -> None:
    xml = USUAL
    starts = reader._tag_starts(xml, b"c")
    special = np.array([0, 6])  # the shared string and the formula
    rows, cols, vals = reader._plain_written(xml, starts, special)
    assert rows.tolist() == [0, 0, 2, 2]
    assert cols.tolist() == [1, 2, 27, 2]
    assert vals.tolist() == [1.5, -0.002, 7.0, 1e300]
    numbers, other, formulas = read(xml)
    assert numbers.shape == (3, 28)
    assert numbers[0, 1] == 1.5 and numbers[0, 2] == -0.002 and numbers[2, 27] == 7.0
    assert numbers[2, 3] == 3.0  # the formula's cached value
    assert np.isnan(numbers[0, 3]) and np.isnan(numbers[1]).all()
    assert other == {(0, 0): "text"}
    assert [(f.row, f.col, f.text) for f in formulas] == [(2, 3, "B1*2")]


@pytest.mark.parametrize(
    "cell",
    [
        b'<c r="B2"> <v>2.5</v> </c>',  # whitespace around the value
        b'<c r="B2" s="1" cm="1"><v>2.5</v></c>',  # another attribute
        b"<c r='B2'><v>2.5</v></c>",  # single quotes
        b'<c s="1" r="B2"><v>2.5</v></c>',  # attributes in another order
        b'<c r="B2"><v>2.5</v><extLst/></c>',  # something after the value
        b'<c r="B2"><v xml:space="preserve">2.5</v></c>',
        b'<c r="B2"><v>inf</v></c>',  # what float reads, NumPy's path leaves to float
        b'<c r="B2"><v>2_5</v></c>',
    ],
)
def test_unusual_cells_are_left_to_the_expressions_and_read_the_same(cell: bytes) -> None:
    xml = sheet(b'<row r="1"><c r="A1"><v>1</v></c></row><row r="2">' + cell + b"</row>")
    numbers, _, _ = read(xml)
    want = {b"inf": np.inf, b"2_5": 25.0}.get(cell.split(b"<v")[1].split(b">")[1][:-3], 2.5)
    assert numbers[0, 0] == 1.0 and numbers[1, 1] == want


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        (b'<c r="A0"><v>1</v></c>', "outside Excel's grid"),
        (b'<c r="A1"><v></v></c>', "malformed number"),
        (b'<c r="A1"><v>1.2.3</v></c>', "malformed number"),
        (b'<c r="A1"><v>1e</v></c>', "malformed number"),
    ],
)
def test_bad_usual_cells_fail_as_before(cell: bytes, message: str) -> None:
    with pytest.raises(ReadError, match=message):
        read(sheet(b'<row r="1">' + cell + b"</row>"))


def test_the_last_cell_of_the_grid_and_one_past_it() -> None:
    xml = sheet(b'<row r="1048576"><c r="XFD1048576"><v>4</v></c></row>')
    starts = reader._tag_starts(xml, b"c")
    rows, cols, vals = reader._plain_written(xml, starts, np.empty(0, np.int64))
    assert (rows.tolist(), cols.tolist(), vals.tolist()) == ([1048575], [16383], [4.0])
    with pytest.raises(ReadError, match="holds only 1 values"):  # a dense array too large
        read(xml)
    for address in (b"XFE1", b"A1048577", b"A12345678"):
        xml = sheet(b'<row r="1"><c r="' + address + b'"><v>4</v></c></row>')
        assert reader._plain_written(xml, reader._tag_starts(xml, b"c"),
                                     np.empty(0, np.int64)) is None
        with pytest.raises(ReadError, match="outside Excel's grid|bad cell address"):
            read(xml)


def test_a_usual_cell_followed_by_a_special_looking_row_is_read_once() -> None:
    # ' t="x"' after the cell's end is taken as part of that cell by the special-cell pass
    xml = sheet(b'<row r="1"><c r="A1"><v>1</v></c></row><row r="2" t="x">'
                b'<c r="B2"><v>2</v></c></row>')
    numbers, other, _ = read(xml)
    assert numbers[0, 0] == 1.0 and numbers[1, 1] == 2.0 and other == {}
