"""Big numeric blocks streamed as worksheet XML, without xlsxwriter's per-cell overhead.

xlsxwriter writes the workbook with the heavy sheets empty (styles, panes, names,
charts); ``assemble`` then streams each heavy sheet's ``<sheetData>`` into the package.
The cells are exactly what xlsxwriter itself would write: an array formula in the first
cell with its cached value, plain numbers in the rest of the range.
"""

from __future__ import annotations

import contextlib
import math
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np

from sheetsim.xlsx.cells import Block, cell, row_cells, row_pattern, span

FIXED_TIME = (1980, 1, 1, 0, 0, 0)
ERROR_TEXT = "#NUM!"


@dataclass
class HeavySheet:
    """A block sheet: caption, neuron header row, row labels, and one block of values."""

    name: str
    caption: str
    block: Block
    values: np.ndarray
    formula: str | None
    cell_formula: str | None = None
    """A formula in every cell (``RAND()`` in live workbooks) instead of one array formula."""
    header_style: int = 0
    value_style: int = 0
    caption_style: int = 0


def escape(text: str) -> str:
    """``text`` with ``&``, ``<`` and ``>`` escaped, as ``xml.sax.saxutils.escape`` does
    (without importing ``xml.sax``, which pulls in ``urllib`` at start-up)."""
    return text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")


def _style(style: int) -> str:
    """A cell's style attribute (nothing for the default style 0)."""
    return f' s="{style}"' if style else ""


def _text_cell(ref: str, text: str, style: int) -> str:
    return f'<c r="{ref}"{_style(style)} t="inlineStr"><is><t>{escape(text)}</t></is></c>'


def _row_head(sheet: HeavySheet, row: str, label: str) -> str:
    """A block row's start: ``<row>`` (1-based number ``row``) and its label cell."""
    b = sheet.block
    return (f'<row r="{row}" spans="1:{b.col + b.cols}">'
            f'<c r="{row_pattern(0, 1, row)[0]}"{_style(sheet.header_style)}><v>{label}</v></c>')


_ROW = "\x00"
"""Stands for the row number in a row template (a character XML text cannot hold)."""


def row_template(sheet: HeavySheet) -> str:
    """One block row's XML with the row number as ``_ROW``, its label as ``%d`` and every
    value as ``%r``: filled in with ``.replace`` and ``%`` once per row, so the per-cell
    work (addresses, styles, formula) is done once per sheet. ``%r`` of a float is its
    ``repr``, exactly what the per-cell path writes."""
    b = sheet.block
    vs = _style(sheet.value_style)
    f = "" if sheet.cell_formula is None else f"<f>{escape(sheet.cell_formula)}</f>"
    cells = "".join(f'<c r="{ref}"{vs}>{f.replace("%", "%%")}<v>%r</v></c>'
                    for ref in row_pattern(b.col, b.cols, _ROW))
    return f"{_row_head(sheet, _ROW, '%d')}{cells}</row>"


def sheet_rows(sheet: HeavySheet) -> Iterator[str]:
    """The ``<row>`` elements of a heavy sheet, one string per row.

    Rows of finite values (and every row of a sheet with a formula in every cell) come from
    ``row_template``; the array formula's first row and rows holding a non-finite value
    (written as #NUM!) are made cell by cell.
    """
    b = sheet.block
    hs = _style(sheet.header_style)
    spans = f' spans="1:{b.col + b.cols}"'

    yield f'<row r="1"{spans}>{_text_cell(cell(0, 0), sheet.caption, sheet.caption_style)}</row>'
    header = "".join(
        f'<c r="{ref}"{hs}><v>{j + 1}</v></c>'
        for j, ref in enumerate(row_cells(b.row - 1, b.col, b.cols))
    )
    yield f'<row r="{b.row}"{spans}>{header}</row>'

    template = row_template(sheet)
    values = sheet.values
    if sheet.cell_formula is not None:
        plain = [True] * b.rows
    else:
        plain = np.isfinite(values).all(axis=1).tolist()
        if sheet.formula is not None:
            plain[0] = False
    for i in range(b.rows):
        row = values[i].tolist()
        if plain[i]:
            yield template.replace(_ROW, str(b.row + i + 1)) % (i + 1, *row)
        else:
            yield _cell_by_cell(sheet, i, row)


def _cell_by_cell(sheet: HeavySheet, i: int, row: list[float]) -> str:
    """Row ``i`` of the block made cell by cell: the array formula, non-finite values."""
    b = sheet.block
    vs = _style(sheet.value_style)
    refs = row_cells(b.row + i, b.col, b.cols)
    start = 0
    parts = [_row_head(sheet, str(b.row + i + 1), str(i + 1))]
    if i == 0 and sheet.formula is not None:
        ref = span(b.row, b.col, b.rows, b.cols)
        attrs, value = _typed(row[0])
        parts.append(
            f'<c r="{refs[0]}"{vs}{attrs}<f t="array" ref="{ref}">'
            f"{escape(sheet.formula)}</f>{value}</c>"
        )
        start = 1
    parts.extend(
        f'<c r="{refs[j]}"{vs}><v>{v!r}</v></c>'
        if math.isfinite(v)
        else f'<c r="{refs[j]}"{vs} t="e"><v>{ERROR_TEXT}</v></c>'
        for j, v in enumerate(row[start:], start)
    )
    parts.append("</row>")
    return "".join(parts)


def _typed(v: float) -> tuple[str, str]:
    """Cell attributes and ``<v>`` of a cached value; non-finite values become #NUM!."""
    if math.isfinite(v):
        return ">", f"<v>{v!r}</v>"
    return ' t="e">', f"<v>{ERROR_TEXT}</v>"


_STR_ERROR = re.compile(rb'(<c [^>]*?) t="str"(><f t="array"[^>]*>[^<]*</f><v>#NUM!</v>)')


def error_caches(xml: bytes, error_string: int | None = None) -> bytes:
    """Mark a cached #NUM! of an array formula as an error, not as text.

    xlsxwriter stores an array formula's cached value as a number or as text only; an
    overflowed statistic must read as the error value it is. The other cells of a
    multi-cell array formula are written as strings; ``error_string`` is the index of
    ``#NUM!`` in the shared strings (None if absent), and such a cell becomes the error.
    """
    if b"<v>#NUM!</v>" in xml:
        xml = _STR_ERROR.sub(rb'\1 t="e"\2', xml)
    if error_string is not None:
        shared = re.compile(rb'(<c r="[A-Z]+[0-9]+"(?: s="[0-9]+")?) t="s"><v>'
                            + str(error_string).encode() + rb"</v></c>")
        xml = shared.sub(rb'\1 t="e"><v>#NUM!</v></c>', xml)
    return xml


def error_string_index(package: zipfile.ZipFile) -> int | None:
    """The position of ``#NUM!`` in xlsxwriter's shared strings, if it is there."""
    try:
        table = package.read("xl/sharedStrings.xml")
    except KeyError:
        return None
    items = re.findall(rb"<si>(.*?)</si>", table, re.S)
    return next((i for i, item in enumerate(items) if item == b"<t>#NUM!</t>"), None)


def sheet_dimension(sheet: HeavySheet) -> str:
    """The ``<dimension>`` of a heavy sheet: from A1 to the block's last cell."""
    b = sheet.block
    return f"A1:{cell(b.row + b.rows - 1, b.col + b.cols - 1)}"


# ZIP64 -------------------------------------------------------------------------------
# A member gets ZIP64 sizes only when it needs them, and then in its local header and in the
# central directory alike. ``ZipFile.open(..., force_zip64=True)`` on a small member writes a
# local header with sizes 0xFFFFFFFF and a ZIP64 extra field while the central directory holds
# the real sizes and none: SheetJS refuses such a package ("Bad compressed size"), and so,
# reportedly, do some versions of Excel. Python's zipfile puts ZIP64 fields in the central
# directory when a size exceeds ``zipfile.ZIP64_LIMIT`` (2 GiB - 1, not 4 GiB) and refuses to
# write a larger member without them, so that limit is the one used here, for both headers.

_FLOAT_TEXT = 24
"""The longest ``repr`` of a float: ``-2.2250738585072014e-308`` (17 digits, sign, exponent)."""
_SLACK_CELL = 16
_SLACK_ROW = 64
"""Room per cell and per row beyond the cells' text as written today, so that a small change
to ``sheet_rows`` cannot make the bound too small (a test checks the bound against the text)."""


def part_size_bound(sheet: HeavySheet, head_tail: int) -> int:
    """An upper bound of the bytes ``sheet_rows(sheet)`` yields, plus ``head_tail`` bytes.

    Every cell is counted at its longest: the last cell's address (the most column letters and
    row digits), the longest number text, a formula if the sheet has one in every cell, an
    error value otherwise if that is longer.
    """
    b = sheet.block
    last_ref = len(cell(b.row + b.rows, b.col + b.cols))
    style = len(f' s="{max(sheet.header_style, sheet.value_style, sheet.caption_style)}"')
    value = len('<c r=""><v></v></c>') + last_ref + style + _FLOAT_TEXT
    error = len('<c r="" t="e"><v></v></c>') + last_ref + style + len(ERROR_TEXT)
    per_cell = max(value, error)
    if sheet.cell_formula is not None:
        per_cell += len("<f></f>") + len(escape(sheet.cell_formula).encode())
    per_cell += _SLACK_CELL
    row = (len(f'<row r="{b.row + b.rows}" spans="1:{b.col + b.cols}"></row>')
           + per_cell * (b.cols + 1) + _SLACK_ROW)
    caption = (len('<c r="" t="inlineStr"><is><t></t></is></c>')
               + len(escape(sheet.caption).encode()))
    array = 0
    if sheet.formula is not None:
        array = (len('<f t="array" ref=":"></f>') + 2 * last_ref
                 + len(escape(sheet.formula).encode()))
    return head_tail + caption + array + row * (b.rows + 2)


HEAVY_LEVEL = 1
"""zlib level of the heavy sheet parts. At the default size (63 MB of sheet XML) level 1
deflates in about 0.6 s against 1.9 s at zlib's default level 6, for a file of 18.7 MB
instead of 16.7 MB; the numbers' digits are what takes the room, and they barely compress."""


def set_level(member: zipfile.ZipInfo, level: int) -> None:
    """Deflate ``member`` at zlib ``level`` when it is opened for writing.

    ``ZipFile.open(ZipInfo, "w")`` takes the level from the ``ZipInfo``, not from the
    ``ZipFile``: ``compress_level`` from Python 3.13, ``_compresslevel`` before it.
    """
    name = "compress_level" if hasattr(zipfile.ZipInfo, "compress_level") else "_compresslevel"
    setattr(member, name, level)


@contextlib.contextmanager
def open_member(out: zipfile.ZipFile, member: zipfile.ZipInfo, size: int) -> Iterator[IO[bytes]]:
    """A writer of one member whose uncompressed size is at most ``size`` bytes.

    ZIP64 is forced exactly when ``size`` exceeds zipfile's limit. Left to itself, zipfile
    would also write a ZIP64 local header (but no ZIP64 central entry) for a member of
    ``file_size`` within 5 % below the limit, hence ``file_size`` 0 here; zipfile sets the
    real sizes when the member is closed.
    """
    member.file_size = 0
    with out.open(member, "w", force_zip64=size > zipfile.ZIP64_LIMIT) as fh:
        yield fh


def assemble(
    package: bytes,
    parts: dict[str, HeavySheet],
    target: Path,
    progress: Callable[[str], None] | None = None,
) -> None:
    """Copy xlsxwriter's package into ``target``, streaming heavy sheets into their parts.

    Members get a fixed timestamp, so the same workbook gives the same bytes. The heavy
    sheets are deflated at ``HEAVY_LEVEL``, everything else at zlib's default level.
    """
    import io

    src = zipfile.ZipFile(io.BytesIO(package))
    error_string = error_string_index(src)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info.filename)
            member = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME)
            member.compress_type = zipfile.ZIP_DEFLATED
            sheet = parts.get(info.filename)
            if sheet is None:
                if info.filename.startswith("xl/worksheets/sheet"):
                    data = error_caches(data, error_string)
                with open_member(out, member, len(data)) as fh:
                    fh.write(data)
                continue
            if progress:
                progress(sheet.name)
            set_level(member, HEAVY_LEVEL)
            text = data.decode("utf-8")
            head, tail = text.split("<sheetData/>")
            dimension = f'<dimension ref="{sheet_dimension(sheet)}"/>'
            head = head.replace('<dimension ref="A1"/>', dimension)
            first = head.encode() + b"<sheetData>"
            last = b"</sheetData>" + tail.encode()
            size = part_size_bound(sheet, len(first) + len(last))
            if size > zipfile.ZIP64_LIMIT:  # only then is a first pass worth its time
                size = len(first) + len(last) + sum(len(r.encode()) for r in sheet_rows(sheet))
            with open_member(out, member, size) as fh:
                fh.write(first)
                chunk: list[str] = []
                for row in sheet_rows(sheet):
                    chunk.append(row)
                    if len(chunk) >= 64:
                        fh.write("".join(chunk).encode())
                        chunk.clear()
                fh.write("".join(chunk).encode())
                fh.write(last)
