"""Read a workbook from its XML: manifest, controls, constants, formula text, cached values.

A purpose-built streaming reader rather than openpyxl: a default workbook has 1.3 million
cells and openpyxl needs seconds for what a few regular expressions do in a fraction. It
accepts what Excel, LibreOffice and Gnumeric write: shared or inline strings, shared
formulas, typed cells, cells with or without explicit addresses.
"""

from __future__ import annotations

import json
import posixpath
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree as ET
from xml.sax.saxutils import unescape

import numpy as np

from sheetsim.book import Book, ExcelError, FormulaCell, SheetData
from sheetsim.config import ConfigError, Experiment, from_mapping
from sheetsim.layout import MANIFEST_SHEET, Block, col_index, parse_range

NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
}
R_ID = f"{{{NS['r']}}}id"
M_T = f"{{{NS['m']}}}t"
MAX_MEMBER = 2 * 1024**3  # inflated size of one part we are willing to read
MAX_RATIO = 1000  # inflated/compressed: beyond this a part is a zip bomb, not a sheet
MAX_CELLS = 200_000_000


class ReadError(Exception):
    """The file cannot be read as a workbook, or is not a sheetsim workbook (exit 2)."""


@dataclass
class Manifest:
    version: str
    config: Experiment
    blocks: dict[str, Block]


_CELL_RE = re.compile(rb"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.S)
_ATTR_RE = re.compile(rb'\b(r|t|s)="([^"]*)"')
_REF_RE = re.compile(rb"([A-Z]+)([0-9]+)")
_V_RE = re.compile(rb"<v>(.*?)</v>", re.S)
_F_RE = re.compile(rb"<f\b([^>]*?)(?:/>|>(.*?)</f>)", re.S)
_FATTR_RE = re.compile(rb'\b(t|ref|si)="([^"]*)"')
_T_RE = re.compile(rb"<t\b[^>]*>(.*?)</t>|<t\b[^>]*/>", re.S)
_ROW_RE = re.compile(rb'<row\b[^>]*?\br="([0-9]+)"')
_ERRORS = {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"}


def _text(raw: bytes) -> str:
    return unescape(raw.decode("utf-8"), {"&quot;": '"', "&apos;": "'"})


class _Zip:
    """Checked access to package parts: sizes and compression ratio before inflating."""

    def __init__(self, path: Path) -> None:
        if path.is_dir():
            raise ReadError(f"{path}: is a folder, not a workbook")
        try:
            self.zf = zipfile.ZipFile(path)
        except FileNotFoundError:
            raise ReadError(f"{path}: no such file") from None
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise ReadError(f"{path}: not an .xlsx workbook ({exc})") from None
        self.path = path

    def read(self, name: str) -> bytes:
        try:
            info = self.zf.getinfo(name)
        except KeyError:
            raise ReadError(f"{self.path}: not an .xlsx workbook (no part {name})") from None
        ratio_limit = MAX_RATIO * max(info.compress_size, 1000)
        if info.file_size > MAX_MEMBER or info.file_size > ratio_limit:
            raise ReadError(
                f"{self.path}: part {name} would inflate to {info.file_size:,} bytes; refused"
            )
        try:
            data = self.zf.read(info)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
            raise ReadError(f"{self.path}: damaged workbook ({exc})") from None
        head = data[:2048]
        if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
            raise ReadError(f"{self.path}: part {name} declares XML entities; refused")
        return data

    def exists(self, name: str) -> bool:
        return name in self.zf.NameToInfo

    def close(self) -> None:
        self.zf.close()


def _xml(data: bytes, where: str) -> ET.Element:
    try:
        return ET.fromstring(data)
    except ET.ParseError as exc:
        raise ReadError(f"{where}: malformed XML ({exc})") from None


def _rels(z: _Zip, part: str) -> dict[str, str]:
    folder, name = posixpath.split(part)
    rels_part = posixpath.join(folder, "_rels", name + ".rels")
    if not z.exists(rels_part):
        return {}
    out = {}
    for rel in _xml(z.read(rels_part), rels_part).findall("rel:Relationship", NS):
        target = rel.get("Target", "")
        if target.startswith("/"):
            out[rel.get("Id", "")] = target.lstrip("/")
        else:
            out[rel.get("Id", "")] = posixpath.normpath(posixpath.join(folder, target))
    return out


def _shared_strings(z: _Zip, rels: dict[str, str]) -> list[str]:
    part = next((t for t in rels.values() if t.endswith("sharedStrings.xml")), None)
    if part is None or not z.exists(part):
        return []
    root = _xml(z.read(part), part)
    out = []
    for si in root.findall("m:si", NS):
        out.append("".join(t.text or "" for t in si.iter(M_T)))
    return out


def _workbook_part(z: _Zip) -> str:
    """The main part named by the package relationships (``xl/workbook.xml`` usually)."""
    for target in _rels(z, "").values():
        if "workbook" in posixpath.basename(target) and target.endswith(".xml"):
            return target
    return "xl/workbook.xml"


def read(path: Path | str, only: set[str] | None = None) -> Book:
    """Read every sheet (or just ``only``) into a Book."""
    path = Path(path)
    z = _Zip(path)
    try:
        wb_part = _workbook_part(z)
        root = _xml(z.read(wb_part), wb_part)
        rels = _rels(z, wb_part)
        strings = _shared_strings(z, rels)
        sheets: dict[str, SheetData] = {}
        formulas: list[FormulaCell] = []
        hidden: set[str] = set()
        order = []
        for el in root.findall("m:sheets/m:sheet", NS):
            name = el.get("name", "")
            if el.get("state") in ("hidden", "veryHidden"):
                hidden.add(name)
            order.append((name, rels.get(el.get(R_ID, ""), "")))
        if not order:
            raise ReadError(f"{path}: not an .xlsx workbook (no sheets)")
        names: dict[str, str] = {}
        for el in root.findall("m:definedNames/m:definedName", NS):
            name = el.get("name", "")
            if el.get("localSheetId") is None and not name.startswith("_xlnm."):
                names[name] = (el.text or "").strip()
        for name, part in order:
            if only is not None and name not in only:
                continue
            if not part or not z.exists(part):
                raise ReadError(f"{path}: sheet {name!r} has no worksheet part")
            data, sheet_formulas = _sheet(z.read(part), name, strings, path)
            sheets[name] = data
            formulas.extend(sheet_formulas)
        return Book(sheets=sheets, names=names, formulas=formulas, hidden=hidden)
    finally:
        z.close()


_NUM_RE = re.compile(
    rb'<c r="([A-Z]{1,3})([0-9]{1,7})"(?: s="[0-9]+")?(?: t="n")?>\s*<v>([^<]*)</v>\s*</c>'
)
_SPECIAL_RES = (re.compile(rb"<f[ >/]"), re.compile(rb' t="[^n"]'), re.compile(rb"<is>"))


def _sheet(
    xml: bytes, name: str, strings: list[str], path: Path
) -> tuple[SheetData, list[FormulaCell]]:
    """Plain numeric cells in one vectorized pass; the few others cell by cell.

    If the two passes do not account for every value in the sheet (an unusual writer),
    the whole sheet is read cell by cell instead.
    """
    found = _NUM_RE.findall(xml)
    rest = _special_cells(xml)
    other, formulas, extra = _other_cells(rest, name, strings, path)
    if len(found) + sum(1 for _ in re.finditer(rb"<v>", rest)) != xml.count(b"<v>"):
        found = []
        other, formulas, extra = _other_cells(xml, name, strings, path)
    rows, cols, vals = _numeric_cells(found, name, path)
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
    if shape_r * shape_c > MAX_CELLS:
        raise ReadError(f"{path}: sheet {name!r} spans {shape_r:,} × {shape_c:,} cells; refused")
    numbers = np.full((shape_r, shape_c), np.nan)
    numbers[rows, cols] = vals
    return SheetData(name, numbers, other), formulas


def _special_cells(xml: bytes) -> bytes:
    """The cells holding a formula, text, a boolean or an error, each with its row tag.

    Cells without an address take their position from the preceding ``<row>``, so each
    cell is returned after the start tag of its row.
    """
    out: list[bytes] = []
    last_end = -1
    hits = sorted(m.start() for pattern in _SPECIAL_RES for m in pattern.finditer(xml))
    for pos in hits:
        if pos < last_end:
            continue
        window = max(0, pos - 4096)  # a cell's start tag is just before its content
        start = max(xml.rfind(b"<c ", window, pos), xml.rfind(b"<c>", window, pos))
        end = xml.find(b"</c>", pos)
        if start < 0 or end < 0:
            continue
        row = xml.rfind(b"<row", 0, start)
        if row >= 0:
            out.append(xml[row : xml.find(b">", row) + 1])
        out.append(xml[start : end + 4])
        last_end = end + 4
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
    try:
        vals = np.fromiter(map(float, val_text), np.float64, len(val_text))
    except ValueError:
        raise ReadError(f"{path}: sheet {name!r} holds a malformed number") from None
    return rows, cols - 1, vals


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
    for m in _CELL_RE.finditer(xml):
        while next_row is not None and next_row[0] < m.start():
            cur_row, cur_col = next_row[1], -1
            next_row = next(row_iter, None)
        attrs = dict(_ATTR_RE.findall(m.group(1)))
        ref = attrs.get(b"r")
        if ref:
            rm = _REF_RE.fullmatch(ref)
            if rm is None:
                raise ReadError(f"{path}: sheet {name!r}: bad cell address {ref.decode()!r}")
            row, col = int(rm.group(2)) - 1, col_index(rm.group(1).decode())
        else:
            row, col = cur_row, cur_col + 1
        cur_row, cur_col = row, col
        body = m.group(2)
        if not body:
            continue
        fm = _F_RE.search(body) if b"<f" in body else None
        if fm is not None:
            cell = _formula(fm, name, row, col, shared)
            if cell is not None:
                formulas.append(cell)
        value = _value(body, attrs.get(b"t", b"n"), strings)
        if isinstance(value, float):
            numbers.append((row, col, value))
        elif value is not None:
            other[(row, col)] = value
    return other, formulas, numbers


def _formula(
    fm: re.Match[bytes], sheet: str, row: int, col: int, shared: dict[bytes, tuple[str, int, int]]
) -> FormulaCell | None:
    fattrs = dict(_FATTR_RE.findall(fm.group(1)))
    text = _text(fm.group(2) or b"").lstrip("=")
    ftype = fattrs.get(b"t", b"normal")
    if ftype == b"array":
        r0, c0, nr, nc = parse_range(fattrs.get(b"ref", b"").decode() or "A1")
        return FormulaCell(sheet, r0, c0, nr, nc, text, is_array=True)
    if ftype == b"shared":
        si = fattrs.get(b"si", b"")
        if text:
            shared[si] = (text, row, col)
        elif si in shared:
            text = _translate(*shared[si], row, col)
        else:
            return None
    if not text:
        return None
    return FormulaCell(sheet, row, col, 1, 1, text, is_array=False)


def _translate(text: str, row0: int, col0: int, row: int, col: int) -> str:
    from openpyxl.formula.translate import Translator

    from sheetsim.layout import cell

    return Translator("=" + text, origin=cell(row0, col0)).translate_formula(cell(row, col))[1:]


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
            return ExcelError("#REF!")
    if kind in (b"str", b"inlineStr"):
        return _text(raw)
    if kind == b"b":
        return raw.strip() in (b"1", b"true")
    if kind == b"e":
        code = _text(raw).strip()
        return ExcelError(code if code in _ERRORS else "#VALUE!")
    try:
        return float(raw)
    except ValueError:
        return _text(raw)


def manifest(book: Book, path: Path | str = "") -> Manifest:
    """The sheetsim manifest: version, configuration, and where every block lives."""
    where = f"{path}: " if path else ""
    try:
        sheet = book.sheet(MANIFEST_SHEET)
    except KeyError:
        raise ReadError(f"{where}not a sheetsim workbook (no {MANIFEST_SHEET} sheet)") from None
    if sheet.value(0, 0) != "sheetsim":
        raise ReadError(f"{where}not a sheetsim workbook (manifest has no sheetsim marker)")
    try:
        data = json.loads(str(sheet.value(1, 1)))
        if not isinstance(data, dict):
            raise ValueError("config is not an object")
        exp = from_mapping(data, source="manifest config")
    except (ValueError, ConfigError) as exc:
        raise ReadError(f"{where}manifest config is unreadable ({exc})") from None
    blocks: dict[str, Block] = {}
    row = 5
    while True:
        name = sheet.value(row, 0)
        if not isinstance(name, str) or not name:
            break
        sheet_name, rng, kind = sheet.value(row, 1), sheet.value(row, 2), sheet.value(row, 3)
        try:
            r0, c0, nr, nc = parse_range(str(rng))
        except ValueError:
            raise ReadError(f"{where}manifest block {name!r} has a bad range {rng!r}") from None
        blocks[name] = Block(name, str(sheet_name), r0, c0, nr, nc, str(kind))
        row += 1
    version = sheet.value(0, 1)
    return Manifest(str(version), exp, blocks)


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
    r0, c0, _, _ = parse_range(rng)
    try:
        return book.sheet(sheet_name).value(r0, c0)
    except KeyError:
        return None

