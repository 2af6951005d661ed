"""The streamed heavy sheets: row templates against the definition of the cells they must
hold, and the deflate level of the parts."""

from __future__ import annotations

import math
import re
import zipfile
import zlib
from xml.etree import ElementTree as ET

import numpy as np
import pytest

from sheetsim.xlsx import stream
from sheetsim.xlsx.cells import Block, cell, span

from .helpers import SMALL, build, sheet_part

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


def awkward_values(rows: int, cols: int) -> np.ndarray:
    """Floats whose text is long, short, tiny, huge, negative, integral; a few non-finite."""
    rng = np.random.default_rng(5)
    values = rng.normal(size=(rows, cols)) * 10.0 ** rng.integers(-300, 300, size=(rows, cols))
    values[0, :4] = [0.1, -0.0, 1e16, 2.0]
    values[2, 1] = math.nan
    values[3, cols - 1] = math.inf
    values[4, 0] = -math.inf
    return values


def sheet(formula: str | None, cell_formula: str | None, value_style: int = 3,
          header_style: int = 2) -> stream.HeavySheet:
    b = Block("b", "Big", 2, 1, 6, 28, "x")  # 28 columns: letters up to AC
    return stream.HeavySheet("Big", "caption <&>", b, awkward_values(b.rows, b.cols), formula,
                             cell_formula, header_style=header_style,
                             value_style=value_style, caption_style=1)


def parsed_rows(s: stream.HeavySheet) -> list[ET.Element]:
    xml = "".join(stream.sheet_rows(s))
    root = ET.fromstring(f'<sheetData xmlns="{NS["m"]}">{xml}</sheetData>')
    return root.findall("m:row", NS)


@pytest.mark.parametrize(("formula", "cell_formula", "value_style"), [
    ("NORM.S.INV(A1:AC6)", None, 3),
    (None, None, 0),
    (None, 'RAND()*100%&"<x>"', 3),  # % and markup in the text a template holds
])
def test_every_block_row_holds_the_cells_a1_notation_defines(formula, cell_formula,
                                                             value_style):
    s = sheet(formula, cell_formula, value_style)
    b = s.block
    rows = parsed_rows(s)
    assert [r.get("r") for r in rows] == ["1", str(b.row)] + [
        str(b.row + i + 1) for i in range(b.rows)]
    for i, row in enumerate(rows[2:]):
        assert row.get("spans") == f"1:{b.col + b.cols}"
        cells = row.findall("m:c", NS)
        assert [c.get("r") for c in cells] == [cell(b.row + i, j) for j in range(b.cols + 1)]
        label = cells[0]
        assert (label.get("s"), label.findtext("m:v", namespaces=NS)) == ("2", str(i + 1))
        for j, c in enumerate(cells[1:]):
            v = float(s.values[i, j])
            assert c.get("s") == (str(value_style) if value_style else None)
            f = c.find("m:f", NS)
            text = c.findtext("m:v", namespaces=NS)
            if cell_formula is not None:
                assert f is not None and f.text == cell_formula and f.get("t") is None
                assert text == repr(v) and c.get("t") is None
                continue
            if formula is not None and i == j == 0:
                assert f is not None and f.text == formula
                assert (f.get("t"), f.get("ref")) == ("array", span(b.row, b.col, b.rows, b.cols))
            else:
                assert f is None
            if math.isfinite(v):
                assert c.get("t") is None and text == repr(v), (i, j)
            else:
                assert c.get("t") == "e" and text == "#NUM!", (i, j)


def test_a_formula_with_a_percent_sign_survives_the_template():
    s = sheet(None, "RAND()*50%")
    xml = "".join(stream.sheet_rows(s))
    assert xml.count("<f>RAND()*50%</f>") == s.block.rows * s.block.cols


def deflated_size(data: bytes, level: int) -> int:
    c = zlib.compressobj(level, zlib.DEFLATED, -15)
    return len(c.compress(data) + c.flush())


def test_heavy_parts_are_deflated_at_the_heavy_level_and_the_rest_at_the_default(tmp_path):
    path = build(SMALL, tmp_path / "small.xlsx")
    heavy = {sheet_part(path, name) for name in ("Input_U", "L1_W", "L3_Z")}
    with zipfile.ZipFile(path) as z:
        for name in [*heavy, "xl/styles.xml", "xl/workbook.xml"]:
            info = z.getinfo(name)
            data = z.read(name)
            level = stream.HEAVY_LEVEL if name in heavy else zlib.Z_DEFAULT_COMPRESSION
            assert info.compress_size == deflated_size(data, level), name
            other = 9 if name in heavy else 1
            assert deflated_size(data, other) != info.compress_size, name  # levels told apart
    assert re.fullmatch(r"xl/worksheets/sheet\d+\.xml", min(heavy))
