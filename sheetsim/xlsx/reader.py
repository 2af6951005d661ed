"""Read a workbook from its XML: defined names, constants, formula text, cached values.

A purpose-built streaming reader rather than openpyxl: a default workbook has 1.3 million
cells and openpyxl needs seconds for what a few regular expressions do in a fraction. It
accepts what Excel, LibreOffice and Gnumeric write: shared or inline strings, shared
formulas, typed cells, cells with or without explicit addresses.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import defusedxml
import defusedxml.ElementTree as DET
import numpy as np

from sheetsim.xlsx.book import Book, ExcelError, FormulaCell, SheetData
from sheetsim.xlsx.cells import GRID_COLS, GRID_ROWS, Block, cell, col_index, parse_range
from sheetsim.xlsx.safezip import ReadError, SafeZip, as_utf8

__all__ = ["ReadError", "SheetFacts", "block_values", "named_value", "read", "sheet_facts",
           "short"]

NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
}
M_T = f"{{{NS['m']}}}t"
M_SI = f"{{{NS['m']}}}si"

MAX_SHEET_CELLS = 25_000_000
"""Cells of one sheet held as a dense array (200 MB of float64; a 1000 × 100 block is 0.1 M)."""
DENSE_FLOOR = 4_000_000
DENSITY = 4
MAX_FORMULA_CHARS = 32_768
"""Excel allows 8,192 characters; sheetsim writes fewer than 300."""
MAX_NESTING = 100
"""Parentheses or signs in a row; Excel allows 64 nested functions, sheetsim uses 5."""
"""A sheet's dense array may exceed DENSE_FLOOR cells only up to DENSITY times the cells the
sheet actually holds: one stray cell at XFD1048576 must not cost 137 GB."""


# All patterns are linear in their input: no unbounded lazy scan can restart at every
# position of a hostile part (character classes exclude the delimiters they stop at).
_NUM_RE = re.compile(
    rb'<c r="([A-Z]{1,3})([0-9]{1,7})"(?: s="[0-9]{1,9}")?(?: t="n")?>\s*<v>([^<]*)</v>\s*</c>'
)
_SPECIAL_RES = (re.compile(rb"<f[ >/]"), re.compile(rb' t="[^n"]'), re.compile(rb"<is>"))
_CELL_RE = re.compile(rb"<c(?=[\s/>])([^<>]*?)(?:/>|>(.*?)</c>)", re.S)
_ATTR_RE = re.compile(rb"""\b(r|t|s)=(?:"([^"]*)"|'([^']*)')""")
_REF_RE = re.compile(rb"([A-Z]{1,3})([0-9]{1,7})")
_V_RE = re.compile(rb"<v(?:\s[^<>]*)?>([^<]*)</v>")
_F_RE = re.compile(rb"<f(?=[\s/>])([^<>]*?)(?:/>|>([^<]*)</f>)")
_FATTR_RE = re.compile(rb"""\b(t|ref|si)=(?:"([^"]*)"|'([^']*)')""")
_T_RE = re.compile(rb"<t(?=[\s/>])[^<>]*?(?:/>|>([^<]*)</t>)")
_FORMULA_CELL_RE = re.compile(
    rb'<c r="([A-Z]{1,3})([1-9][0-9]{0,6})"(?: s="[0-9]{1,9}")?(?: t="n")?>'
    rb"<f>([^<]*)</f><v>([^<]*)</v></c>"
)
"""A formula cell as sheetsim, Excel and LibreOffice write one with a number: read in one
match (:func:`_other_cells`), what the general reading of a cell gives it."""
_ROW_RE = re.compile(rb"""<row(?=[\s>])[^<>]*?\br=["']([0-9]{1,7})["']""")
_RANGE_REF_RE = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]{1,7}):\$?([A-Za-z]{1,3})\$?([0-9]{1,7})")
_STRING_RE = re.compile(r'"[^"]*"')
_ERRORS = {code: ExcelError(code)
           for code in ("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A")}
"""One value per error code, shared by every cell that holds it: a sheet of errors costs a
reference per cell, not an object."""


_ENTITY_RE = re.compile(r"&(?:#x([0-9A-Fa-f]{1,6})|#([0-9]{1,7})|(amp|lt|gt|quot|apos));")
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}


def _entity(m: re.Match[str]) -> str:
    if m.group(3):
        return _ENTITIES[m.group(3)]
    code = int(m.group(1), 16) if m.group(1) else int(m.group(2))
    return chr(code) if 0 < code <= 0x10FFFF else m.group(0)


def _text(raw: bytes) -> str:
    """XML text, decoded in one pass: the five entities and numeric character references
    (``&#10;``, a line break, as LibreOffice writes one in a cached string)."""
    text = raw.decode("utf-8", errors="replace")
    return _ENTITY_RE.sub(_entity, text) if "&" in text else text


def read(path: Path | str, only: set[str] | None = None,
         inspect: Callable[[str, str, SheetFacts], None] | None = None) -> Book:
    """Read every sheet (or just ``only``) into a Book; ``inspect`` (if given) is shown the
    facts of each sheet read (:func:`sheet_facts`) with its name and part, so the package
    check judges the sheets in the same pass.

    Raises ReadError (one line, starting with the path) for anything that is not a sound
    workbook: see ``safezip`` for the package checks; here the cells' addresses must lie in
    Excel's grid, a sheet may only be as large as its cells justify, and no formula or
    defined name may refer to a range too large to hold.
    """
    path = Path(path)
    with SafeZip(path) as z:
        z.check_sizes()
        root, rels, listed = z.sheets()
        strings = _shared_strings(z, rels)
        sheets: dict[str, SheetData] = {}
        formulas: list[FormulaCell] = []
        hidden = {name for name, _, is_hidden in listed if is_hidden}
        names: dict[str, str] = {}
        for el in root.findall("m:definedNames/m:definedName", NS):
            name = el.get("name", "")
            if el.get("localSheetId") is None and not name.startswith("_xlnm."):
                names[name] = (el.text or "").strip()
        for name, part, _ in listed:
            if only is not None and name not in only:
                continue
            xml = as_utf8(z.read(part), f"{path}: part {part}")
            styles: set[str] | None = set() if inspect is not None else None
            data, sheet_formulas = _sheet(xml, name, strings, path, styles)
            if inspect is not None:
                inspect(name, part, sheet_facts(xml, data, sheet_formulas, styles))
            sheets[name] = data
            formulas.extend(sheet_formulas)
    book = Book(sheets=sheets, names=names, formulas=formulas, hidden=hidden)
    _check_references(book, path)
    return book



@dataclass
class SheetFacts:
    """What the package check needs of one sheet part, found without parsing it into a tree."""

    dimension: str | None = None
    """The ``<dimension ref>`` text, None when the sheet has none (it is optional)."""
    bounds: tuple[int, int, int, int] | None = None
    """(first row, first column, last row, last column) of the cells holding a value or a
    formula, 0-based; None when there is none."""
    styles: list[str] = field(default_factory=list)
    """The distinct style indexes cells and rows name (``s``), as written."""
    kinds: list[str] = field(default_factory=list)
    """The distinct cell types (``t``) the cells use, as written."""
    strings: list[str] = field(default_factory=list)
    """The distinct values of the shared-string cells (``t="s"``): indexes, as written."""
    relationships: list[str] = field(default_factory=list)
    """Relationship ids the sheet names outside its cells (drawing, comments, hyperlinks)."""


_REL_NS = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_DIMENSION_RE = re.compile(rb"""<(?:[\w.-]+:)?dimension(?=[\s/>])[^<>]*?\bref=["']([^"'<>]*)""")
_XMLNS_RE = re.compile(rb"""xmlns:([\w.-]+)=["']([^"'<>]*)["']""")
_STYLE_RES = (re.compile(rb' s="([^"<>]{0,20})'), re.compile(rb" s='([^'<>]{0,20})"))
_KIND_RE = re.compile(rb"""\st=["']([^"'<>]{0,20})""")


def sheet_facts(xml: bytes, data: SheetData, formulas: list[FormulaCell],
                styles: set[str] | None = None) -> SheetFacts:
    """The facts of one sheet part (UTF-8 bytes, read into ``data`` and ``formulas``) that
    the package check judges: its dimension, the bounds of its cells, the style indexes,
    cell types and shared-string indexes it uses, and the relationship ids it names.
    Linear in the part: a few searches of its bytes, never a tree. ``styles`` are the
    style indexes when the reading of the cells collected them, else they are searched."""
    facts = SheetFacts(bounds=_bounds(data, formulas))
    lo = xml.find(b"<sheetData")
    lo = len(xml) if lo < 0 else lo
    close = xml.rfind(b"</sheetData>")
    hi = close if close > lo else lo
    head, rest = xml[:lo], xml[hi:]
    m = _DIMENSION_RE.search(head)
    if m is not None:
        facts.dimension = _text(m.group(1))
    root_end = head.find(b">", max(head.find(b"<worksheet"), 0))
    for prefix, uri in _XMLNS_RE.findall(head[: max(root_end, 0) + 1]):
        if uri == _REL_NS:
            attr = re.compile(rb"\b" + re.escape(prefix) + rb""":[A-Za-z]+=["']([^"'<>]*)""")
            facts.relationships += [_text(v) for v in attr.findall(head + rest)]
    facts.styles = sorted(_style_values(xml[lo:hi]) if styles is None else styles)
    if xml.find(b" t=", lo, hi) >= 0:
        facts.kinds, facts.strings = _kinds(xml, lo, hi)
    return facts


def _style_values(xml: bytes) -> set[str]:
    """Every style index (``s``) named in ``xml``, as written."""
    out: set[str] = set()
    for pattern, quote in zip(_STYLE_RES, (b'"', b"'"), strict=True):
        if b" s=" + quote in xml:  # a search with a literal start: fast
            out.update(_text(v) for v in set(pattern.findall(xml)))
    return out


def _kinds(xml: bytes, lo: int, hi: int) -> tuple[list[str], list[str]]:
    """The types the cells between ``lo`` and ``hi`` name (each ``t=`` whose tag is a
    cell's), and the values of the shared-string cells."""
    kinds: set[str] = set()
    strings: set[str] = set()
    at = xml.find(b" t=", lo, hi)
    while at >= 0:
        tag = xml.rfind(b"<", lo, at)
        if tag >= 0 and xml[tag : tag + 3] in (b"<c ", b"<c\t", b"<c\n", b"<c\r"):
            m = _KIND_RE.match(xml, at)
            if m is not None:
                kind = _text(m.group(1))
                kinds.add(kind)
                if kind == "s":
                    end = xml.find(b"</c>", at, hi)
                    vm = _V_RE.search(xml, at, end if end >= 0 else hi)
                    if vm is not None:
                        strings.add(_text(vm.group(1)).strip())
        at = xml.find(b" t=", at + 3, hi)
    return sorted(kinds), sorted(strings)


def _bounds(data: SheetData, formulas: list[FormulaCell]) -> tuple[int, int, int, int] | None:
    """The bounds of the cells holding a number, another value or a formula."""
    held = ~np.isnan(data.numbers)
    rows = [int(i) for i in np.flatnonzero(held.any(axis=1))[[0, -1]]] if held.any() else []
    cols = [int(j) for j in np.flatnonzero(held.any(axis=0))[[0, -1]]] if held.any() else []
    for r, c in data.other:
        rows.append(r)
        cols.append(c)
    for f in formulas:
        rows += [f.row, f.row + f.rows - 1]
        cols += [f.col, f.col + f.cols - 1]
    if not rows:
        return None
    return min(rows), min(cols), max(rows), max(cols)


def _shared_strings(z: SafeZip, rels: dict[str, str]) -> list[str]:
    part = next((t for t in rels.values() if t.endswith("sharedStrings.xml")), None)
    if part is None or not z.exists(part):
        return []
    data = z.read(part)
    out: list[str] = []
    root = None
    try:
        for event, el in DET.iterparse(io.BytesIO(data), events=("start", "end"),
                                       forbid_dtd=True):
            if root is None:
                root = el
            elif event == "end" and el.tag == M_SI:
                out.append("".join(t.text or "" for t in el.iter(M_T)))
                root.clear()  # keep memory to the strings themselves
    except defusedxml.DefusedXmlException:
        raise ReadError(f"{z.path}: part {part} declares a DTD or XML entities; refused") from None
    except DET.ParseError as exc:
        raise ReadError(f"{z.path}: part {part} is malformed XML ({exc})") from None
    return out


def _sheet(
    xml: bytes, name: str, strings: list[str], path: Path, styles: set[str] | None = None
) -> tuple[SheetData, list[FormulaCell]]:
    """Plain numeric cells in one vectorized pass; the few others cell by cell.

    If the two passes do not account for every value in the sheet (an unusual writer),
    the whole sheet is read cell by cell instead. ``styles``, if given, receives every
    style index (``s``) the sheet's cells and rows name, as written.
    """
    starts = _tag_starts(xml, b"c")
    row_starts = _tag_starts(xml, b"row")
    hits = sorted(m.start() for pattern in _SPECIAL_RES for m in pattern.finditer(xml))
    picks = np.unique(np.searchsorted(starts, np.asarray(hits, np.int64), side="right") - 1)
    picks = picks[picks >= 0]
    plain = _Styles()
    found = _plain_written(xml, starts, picks, plain if styles is not None else None)
    rows, cols, vals = found if found is not None else _plain_numbers(xml, name, path)
    rest = _cells(xml, starts, row_starts, picks, name, path)
    if styles is not None:
        if found is not None and xml.count(b' s="') == plain.named + rest.count(b' s="'):
            styles |= plain.values | _style_values(rest)  # every index seen on the way
        else:
            styles |= _style_values(xml)
    other, formulas, extra = _other_cells(rest, name, strings, path)
    if rows.size + _count_values(rest) != _count_values(xml):
        rows, cols, vals = _numeric_cells([], name, path)
        rest = _cells(xml, starts, row_starts, np.arange(len(starts)), name, path)
        other, formulas, extra = _other_cells(rest, name, strings, path)
    if extra:
        er, ec, ev = zip(*extra, strict=True)
        rows = np.concatenate([rows, np.asarray(er, np.int64)])
        cols = np.concatenate([cols, np.asarray(ec, np.int64)])
        vals = np.concatenate([vals, np.asarray(ev, np.float64)])
    shape_r = max(int(rows.max()) if rows.size else -1, *(r for r, _ in other), -1) + 1
    shape_c = max(int(cols.max()) if cols.size else -1, *(c for _, c in other), -1) + 1
    for f in formulas:
        shape_r = max(shape_r, f.row + f.rows)
        shape_c = max(shape_c, f.col + f.cols)
    _check_extent(name, path, shape_r, shape_c, rows.size + len(other) + len(formulas))
    numbers = np.full((shape_r, shape_c), np.nan)
    numbers[rows, cols] = vals
    return SheetData(name, numbers, other), formulas


def _plain_numbers(
    xml: bytes, name: str, path: Path, window: int = 1 << 23
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every plain numeric cell, found window by window (cut after a ``</row>``) so the
    regular expression's intermediate tuples never hold more than one window's cells."""
    parts = []
    lo = 0
    while lo < len(xml):
        hi = xml.find(b"</row>", lo + window) if len(xml) - lo > window else -1
        hi = len(xml) if hi < 0 else hi + 6
        parts.append(_numeric_cells(_NUM_RE.findall(xml, lo, hi), name, path))
        lo = hi
    if len(parts) <= 1:
        return parts[0] if parts else _numeric_cells([], name, path)
    rows, cols, vals = zip(*parts, strict=True)
    return np.concatenate(rows), np.concatenate(cols), np.concatenate(vals)


@dataclass
class _Styles:
    """The style indexes of the plain cells, and how many plain cells name one."""

    values: set[str] = field(default_factory=set)
    named: int = 0


def _plain_written(
    xml: bytes, starts: np.ndarray, picks: np.ndarray, styles: _Styles | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """What :func:`_plain_numbers` finds, found with NumPy when every cell but the ``picks``
    is written exactly as sheetsim, Excel and LibreOffice write a number: ``<c r="B3"``, an
    optional ``s="7"`` and ``t="n"``, then ``><v>0.5</v></c>`` or ``/>`` (empty), with no
    whitespace between; None for anything else, which the regular expression then reads.

    The cells' places are found with array operations instead of a regular-expression
    match per cell; only each value's text goes through ``float``.
    """
    if any(_NUM_RE.match(xml, int(starts[i])) for i in picks.tolist()):
        return None  # a plain-looking cell taken as special: leave it to the usual path
    buf = np.frombuffer(xml + b"\0" * 32, np.uint8)  # padded: windows may look past the end
    keep = np.ones(len(starts), bool)
    keep[picks] = False
    c = starts[keep]
    if not _bytes_at(buf, c, b'<c r="').all():
        return None
    letters = _run(buf, c + 6, b"AZ", 4)
    digits = _run(buf, c + 6 + letters, b"09", 8)
    at = c + 6 + letters + digits  # the address's closing quote
    if not ((letters >= 1) & (letters <= 3) & (digits >= 1) & (digits <= 7)
            & (buf[at] == ord('"'))).all():
        return None
    at += 1
    styled = _bytes_at(buf, at, b' s="')
    style = _run(buf, at + 4, b"09", 10)
    if not (~styled | ((style >= 1) & (style <= 9) & (buf[at + 4 + style] == ord('"')))).all():
        return None
    if styles is not None and styled.any():
        named = _digits(buf, at[styled] + 4, style[styled], 9, 10, ord("0"))
        styles.values.update(str(v) for v in np.unique(named).tolist())
        styles.named += int(styled.sum())
    at = np.where(styled, at + 5 + style, at)
    at = np.where(_bytes_at(buf, at, b' t="n"'), at + 6, at)
    valued = _bytes_at(buf, at, b"><v>")
    if not (valued | _bytes_at(buf, at, b"/>")).all():
        return None
    c, letters, digits, start = c[valued], letters[valued], digits[valued], at[valued] + 4
    lt = np.flatnonzero(buf[: len(xml)] == ord("<"))
    after = np.searchsorted(lt, start)
    if (after >= len(lt)).any():
        return None  # a value running to the end of the part: the usual path names it
    end = lt[after] if len(start) else start
    if not ((end > start).all() and _bytes_at(buf, end, b"</v></c>").all()):
        return None
    cols = _digits(buf, c + 6, letters, 3, 26, ord("A") - 1) - 1
    rows = _digits(buf, c + 6 + letters, digits, 7, 10, ord("0")) - 1
    if ((rows < 0) | (rows >= GRID_ROWS) | (cols >= GRID_COLS)).any():
        return None  # the usual path names the cell
    vals = _numbers(xml, start, end)
    return None if vals is None else (rows, cols, vals)


def _numbers(xml: bytes, start: np.ndarray, end: np.ndarray) -> np.ndarray | None:
    """``float`` of each text xml[start:end]; None if one is not a number."""
    try:
        texts = [xml[a:b] for a, b in zip(start.tolist(), end.tolist(), strict=True)]
        return np.fromiter(map(float, texts), np.float64, len(texts))
    except ValueError:
        return None


def _digits(buf: np.ndarray, pos: np.ndarray, count: np.ndarray, most: int, base: int,
            zero: int) -> np.ndarray:
    """Per position: the number written there in ``count`` digits (at most ``most``) of
    ``base``, the digit ``zero`` meaning 0."""
    out = np.zeros(len(pos), np.int64)
    for i in range(min(most, int(count.max(initial=0)))):
        digit = buf[pos + i].astype(np.int64) - zero
        out = np.where(i < count, out * base + digit, out)
    return out


def _bytes_at(buf: np.ndarray, pos: np.ndarray, text: bytes) -> np.ndarray:
    """Per position: does ``buf`` (padded by 8 bytes or more) hold ``text`` there?"""
    ok = np.ones(len(pos), bool)
    words = np.ndarray((len(buf) - 7,), "<u8", buf, 0, (1,))  # the 8 bytes from each offset
    for at in range(0, len(text), 8):
        part = text[at:at + 8]
        mask = (1 << 8 * len(part)) - 1
        ok &= (words[pos + at] & np.uint64(mask)) == np.uint64(int.from_bytes(part, "little"))
    return ok


def _run(buf: np.ndarray, pos: np.ndarray, span: bytes, width: int) -> np.ndarray:
    """Per position: how many bytes from there (up to ``width``) lie in the range ``span``
    (two bytes, first and last)."""
    window = buf[pos[:, None] + np.arange(width + 1)]
    outside = (window < span[0]) | (window > span[1])
    outside[:, width] = True
    return outside.argmax(axis=1)


def _count_values(xml: bytes) -> int:
    return xml.count(b"<v>") + xml.count(b"<v ")


def _check_extent(name: str, path: Path, rows: int, cols: int, present: int) -> None:
    """Refuse a dense array that the sheet's content does not justify (see DENSITY)."""
    area = rows * cols
    if area > max(DENSE_FLOOR, DENSITY * present):
        raise ReadError(
            f"{path}: sheet {name!r} reaches cell {cell(rows - 1, cols - 1)} but holds only "
            f"{present:,} values ({area:,} cells would be needed); refused"
        )
    if area > MAX_SHEET_CELLS:
        raise ReadError(
            f"{path}: sheet {name!r} spans {rows:,} × {cols:,} cells (up to "
            f"{cell(rows - 1, cols - 1)}); sheetsim reads at most {MAX_SHEET_CELLS:,} per sheet"
        )


def _tag_starts(xml: bytes, tag: bytes, window: int = 1 << 23) -> np.ndarray:
    """Positions of every ``<tag`` followed by whitespace, ``/`` or ``>`` (vectorized, in
    windows so the temporary arrays stay small whatever the part holds)."""
    buf = np.frombuffer(xml, np.uint8)
    n = len(tag) + 2
    found = []
    for lo in range(0, max(len(buf) - n + 1, 0), window):
        hi = min(lo + window, len(buf) - n + 1)
        pos = np.flatnonzero(buf[lo:hi] == ord("<")) + lo
        for i, ch in enumerate(tag, 1):
            pos = pos[buf[pos + i] == ch]
        after = buf[pos + len(tag) + 1]
        ok = (after == ord(" ")) | (after == ord(">")) | (after == ord("/")) | (after == 9)
        ok |= (after == 10) | (after == 13)
        found.append(pos[ok].astype(np.int64))
    return np.concatenate(found) if found else np.empty(0, np.int64)


def _cells(
    xml: bytes, starts: np.ndarray, row_starts: np.ndarray, picks: np.ndarray, name: str,
    path: Path,
) -> bytes:
    """The cells ``starts[picks]``, each complete and preceded by its row's start tag.

    A cell ends at its ``</c>`` (or ``/>``) before the next cell begins; searching only up to
    there keeps this linear whatever the part holds.
    """
    out: list[bytes] = []
    if not len(picks):
        return b""
    ends = np.append(starts[1:], len(xml))
    row_of = np.searchsorted(row_starts, starts[picks], side="right") - 1
    last_row = -1
    for idx, r in zip(picks.tolist(), row_of.tolist(), strict=True):
        s, limit = int(starts[idx]), int(ends[idx])
        if r >= 0 and r != last_row:
            rp = int(row_starts[r])
            gt = xml.find(b">", rp, s)
            if gt >= 0:
                out.append(xml[rp : gt + 1])
            last_row = r
        gt = xml.find(b">", s, limit)
        if gt < 0:
            raise ReadError(f"{path}: sheet {name!r} is malformed (an unterminated cell)")
        if xml[gt - 1 : gt] == b"/":
            out.append(xml[s : gt + 1])
            continue
        close = xml.find(b"</c>", gt, limit)
        if close < 0:
            raise ReadError(f"{path}: sheet {name!r} is malformed (a cell without </c>)")
        out.append(xml[s : close + 4])
    return b"".join(out)


def _numeric_cells(
    found: list[tuple[bytes, bytes, bytes]], name: str, path: Path
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    if not found:
        return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0)
    letters, row_text, val_text = zip(*found, strict=True)
    codes = np.array(letters, dtype="S3").view(np.uint8).reshape(-1, 3).astype(np.int64)
    cols = np.zeros(len(codes), np.int64)
    for i in range(3):  # base-26 letters, shorter ones padded with NUL
        c = codes[:, i]
        cols = np.where(c > 0, cols * 26 + c - 64, cols)
    rows = np.fromiter(map(int, row_text), np.int64, len(row_text)) - 1
    cols -= 1
    bad = (rows < 0) | (rows >= GRID_ROWS) | (cols >= GRID_COLS)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        _outside(name, path, (letters[i] + row_text[i]).decode())
    try:
        vals = np.fromiter(map(float, val_text), np.float64, len(val_text))
    except ValueError:
        raise ReadError(f"{path}: sheet {name!r} holds a malformed number") from None
    return rows, cols, vals


def _outside(name: str, path: Path, ref: str) -> None:
    raise ReadError(
        f"{path}: sheet {name!r} has a cell {ref} outside Excel's grid (A1:XFD1048576)"
    )


def _attrs(raw: bytes, pattern: re.Pattern[bytes]) -> dict[bytes, bytes]:
    return {k: a if a else b for k, a, b in pattern.findall(raw)}


def _other_cells(
    xml: bytes, name: str, strings: list[str], path: Path
) -> tuple[
    dict[tuple[int, int], str | bool | ExcelError],
    list[FormulaCell],
    list[tuple[int, int, float]],
]:
    other: dict[tuple[int, int], str | bool | ExcelError] = {}
    formulas: list[FormulaCell] = []
    numbers: list[tuple[int, int, float]] = []
    shared: dict[bytes, tuple[str, int, int]] = {}
    # Cells without an r attribute follow their predecessor; rows may omit r too.
    row_starts = [(m.start(), int(m.group(1)) - 1) for m in _ROW_RE.finditer(xml)]
    row_iter = iter(row_starts)
    next_row = next(row_iter, None)
    cur_row, cur_col = -1, -1
    placed: list[tuple[int, FormulaCell]] = []
    if b"<c>" not in xml and b"<c/>" not in xml and xml.count(b"<c ") == xml.count(b'<c r="'):
        xml = _plain_formulas(xml, name, placed, other, numbers)
    for m in _CELL_RE.finditer(xml):
        while next_row is not None and next_row[0] < m.start():
            cur_row, cur_col = next_row[1], -1
            next_row = next(row_iter, None)
        attrs = _attrs(m.group(1), _ATTR_RE)
        ref = attrs.get(b"r")
        if ref:
            rm = _REF_RE.fullmatch(ref)
            if rm is None:
                raise ReadError(f"{path}: sheet {name!r}: bad cell address "
                                f"{ref[:20].decode(errors='replace')!r}")
            row, col = int(rm.group(2)) - 1, col_index(rm.group(1).decode())
        else:
            row, col = cur_row, cur_col + 1
        if not (0 <= row < GRID_ROWS and 0 <= col < GRID_COLS):
            _outside(name, path, ref.decode() if ref else cell(max(row, 0), col))
        cur_row, cur_col = row, col
        body = m.group(2)
        if not body:
            continue
        fm = _F_RE.search(body) if b"<f" in body else None
        if fm is not None:
            fcell = _formula(fm, name, row, col, shared, path)
            if fcell is not None:
                formulas.append(fcell)
                if placed:
                    placed.append((m.start(), fcell))
        value = _value(body, attrs.get(b"t", b"n"), strings)
        if isinstance(value, float):
            numbers.append((row, col, value))
        elif value is not None:
            other[(row, col)] = value
    if placed:  # in the order of the part, as the cells come
        placed.sort(key=lambda p: p[0])
        formulas = [f for _, f in placed]
    return other, formulas, numbers


def _plain_formulas(
    xml: bytes, name: str, placed: list[tuple[int, FormulaCell]],
    other: dict[tuple[int, int], str | bool | ExcelError], numbers: list[tuple[int, int, float]],
) -> bytes:
    """Read the cells of ``xml`` that :data:`_FORMULA_CELL_RE` matches, as the cell by cell
    reading would, and give back ``xml`` with those cells blanked (spaces, so that the
    places of the others stay). Every cell of ``xml`` names its address, so none depends
    on the one before it."""
    columns: dict[bytes, int] = {}

    def take(m: re.Match[bytes]) -> bytes:
        letters, digits, ftext, raw = m.groups()
        col = columns.get(letters)
        if col is None:
            col = columns[letters] = col_index(letters.decode())
        row = int(digits) - 1
        if row >= GRID_ROWS or col >= GRID_COLS:
            return m.group(0)  # the cell by cell reading names it
        text = _text(ftext).lstrip("=")
        if text:
            placed.append((m.start(), FormulaCell(name, row, col, 1, 1, text, is_array=False)))
        if raw.strip():
            try:
                numbers.append((row, col, float(raw)))
            except ValueError:
                other[(row, col)] = _text(raw)
        return b" " * (m.end() - m.start())

    return _FORMULA_CELL_RE.sub(take, xml)


def _formula(
    fm: re.Match[bytes], sheet: str, row: int, col: int,
    shared: dict[bytes, tuple[str, int, int]], path: Path,
) -> FormulaCell | None:
    fattrs = _attrs(fm.group(1), _FATTR_RE)
    text = _text(fm.group(2) or b"").lstrip("=")
    ftype = fattrs.get(b"t", b"normal")
    if ftype == b"array":
        ref = fattrs.get(b"ref", b"").decode(errors="replace") or cell(row, col)
        try:
            r0, c0, nr, nc = parse_range(ref)
        except ValueError:
            raise ReadError(f"{path}: sheet {sheet!r}: array formula at {cell(row, col)} has "
                            f"a bad range {ref[:40]!r}") from None
        if r0 + nr > GRID_ROWS or c0 + nc > GRID_COLS:
            _outside(sheet, path, ref[:40])
        return FormulaCell(sheet, r0, c0, nr, nc, text, is_array=True)
    if ftype == b"shared":
        si = fattrs.get(b"si", b"")
        if text:
            shared[si] = (text, row, col)
        elif si in shared:
            text = _translate(*shared[si], row, col, sheet, path)
        else:
            return None
    if not text:
        return None
    return FormulaCell(sheet, row, col, 1, 1, text, is_array=False)


def _translate(text: str, row0: int, col0: int, row: int, col: int, sheet: str,
               path: Path) -> str:
    from openpyxl.formula.translate import Translator

    try:
        return Translator("=" + text, origin=cell(row0, col0)).translate_formula(
            cell(row, col))[1:]
    except Exception as exc:  # openpyxl's tokenizer on text from an unknown writer
        raise ReadError(f"{path}: sheet {sheet!r}: cannot read the shared formula at "
                        f"{cell(row, col)} ({type(exc).__name__})") from None


def _value(body: bytes, kind: bytes, strings: list[str]) -> float | str | bool | ExcelError | None:
    if kind == b"inlineStr":
        return _text(b"".join(t or b"" for t in _T_RE.findall(body)))
    vm = _V_RE.search(body)
    if vm is None:
        return None
    raw = vm.group(1)
    if not raw.strip() and kind != b"str":
        return None
    if kind == b"s":
        try:
            return strings[int(raw)]
        except (ValueError, IndexError):
            return _ERRORS["#REF!"]
    if kind in (b"str", b"inlineStr"):
        return _text(raw)
    if kind == b"b":
        return raw.strip() in (b"1", b"true")
    if kind == b"e":
        code = _text(raw).strip()
        return _ERRORS.get(code, _ERRORS["#VALUE!"])
    try:
        return float(raw)
    except ValueError:
        return _text(raw)


def _check_references(book: Book, path: Path) -> None:
    """Formulas of a size a spreadsheet could hold: no range larger than a sheet may be, no
    text longer or more deeply nested than an evaluator (or Excel) could take."""
    texts: list[tuple[FormulaCell | str, str]] = [(f, f.text) for f in book.formulas]
    texts += [(f"defined name {k[:40]}", v) for k, v in book.names.items()]
    for at, text in texts:
        if len(text) <= MAX_NESTING and ":" not in text:
            continue  # too short to be too long, too deep or too large
        where = at if isinstance(at, str) else f"{at.sheet}!{cell(at.row, at.col)}"
        if len(text) > MAX_FORMULA_CHARS:
            raise ReadError(f"{path}: {where} holds a formula of {len(text):,} characters; "
                            f"sheetsim reads at most {MAX_FORMULA_CHARS:,}")
        plain = _STRING_RE.sub('""', text)
        if plain.count("(") > MAX_NESTING or _SIGNS_RE.search(plain):
            depth = _nesting(plain)
            if depth > MAX_NESTING:
                raise ReadError(f"{path}: {where} holds a formula nested {depth:,} deep; "
                                f"sheetsim reads at most {MAX_NESTING} levels")
        if ":" not in plain:
            continue
        for m in _RANGE_REF_RE.finditer(plain):
            rows = abs(int(m.group(4)) - int(m.group(2))) + 1
            cols = abs(col_index(m.group(3)) - col_index(m.group(1))) + 1
            if rows * cols > MAX_SHEET_CELLS:
                raise ReadError(
                    f"{path}: {where} refers to {m.group(0)} ({rows * cols:,} cells); "
                    f"sheetsim reads at most {MAX_SHEET_CELLS:,} per range"
                )


_SIGNS_RE = re.compile(rf"[-+\s]{{{MAX_NESTING + 1},}}")


def _nesting(text: str) -> int:
    """The deepest parenthesis level, or the longest run of signs if that is longer."""
    codes = np.frombuffer(text.encode(), np.uint8)
    depth = np.cumsum((codes == ord("(")).astype(np.int64) - (codes == ord(")")))
    deepest = max(int(depth.max(initial=0)), 0)
    signs = max((len(m.group(0).replace(" ", "")) for m in _SIGNS_RE.finditer(text)), default=0)
    return max(deepest, signs)


def short(x: object, n: int = 80) -> str:
    """Text of any value, on one line and at most n characters, for messages."""
    text = " ".join(str(x).split())
    return text if len(text) <= n else text[: n - 1] + "…"


def block_values(book: Book, block: Block) -> np.ndarray:
    """The stored numbers of a block (cached values for formulas), NaN where not a number."""
    try:
        sheet = book.sheet(block.sheet)
    except KeyError:
        raise ReadError(f"sheet {block.sheet!r} of block {block.name!r} is missing") from None
    out = np.full((block.rows, block.cols), np.nan)
    src = sheet.numbers[block.row : block.row + block.rows, block.col : block.col + block.cols]
    out[: src.shape[0], : src.shape[1]] = src
    return out


def named_value(book: Book, name: str) -> float | str | bool | ExcelError | None:
    """The stored value of a single-cell defined name (a control)."""
    target = next((v for k, v in book.names.items() if k.lower() == name.lower()), None)
    if target is None:
        return None
    target = target.lstrip("=")
    sheet_part, _, rng = target.rpartition("!")
    sheet_name = sheet_part.strip("'").replace("''", "'")
    try:
        r0, c0, _, _ = parse_range(rng)
    except ValueError:
        return None
    try:
        return book.sheet(sheet_name).value(r0, c0)
    except KeyError:
        return None

