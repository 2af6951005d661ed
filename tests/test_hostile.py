"""Hostile and malformed files: one line on stderr, exit status 2, seconds, bounded memory.

The corpus is generated here, each kind with the message it must produce. ``verify`` reads
everything; ``recalc`` and ``render`` must refuse every damaged or dangerous package before
an engine sees it (a fake engine records whether it was started). The bombs also run in a
child process whose peak memory (``ru_maxrss``) and time are measured.
"""

from __future__ import annotations

import json
import os
import re
import struct
import subprocess
import sys
import tempfile
import time
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

import sheetsim.progress
from sheetsim import experiments
from sheetsim.check import manifest
from sheetsim.cli import cli
from sheetsim.xlsx import reader, safezip

from .helpers import SMALL_SHAPES, build, gone, measured, patch_part, sheet_part, wait_until

GB = 1024**3

# ------------------------------------------------------------------ raw zip writing


@dataclass
class Member:
    """One archive member as written: raw (already compressed) data and declared header."""

    name: str
    raw: bytes
    size: int
    crc: int
    method: int = zipfile.ZIP_DEFLATED
    flags: int = 0


def deflated(name: str, data: bytes) -> Member:
    co = zlib.compressobj(6, zlib.DEFLATED, -15)
    return Member(name, co.compress(data) + co.flush(), len(data), zlib.crc32(data))


def write_zip(path: Path, members: list[Member]) -> Path:
    """A zip archive written field by field, so headers can say what the test wants."""
    out = bytearray()
    central = bytearray()
    for m in members:
        name = m.name.encode()
        offset = len(out)
        fields = (20, m.flags, m.method, 0, 0x21, m.crc, len(m.raw), m.size, len(name), 0)
        out += b"PK\x03\x04" + struct.pack("<HHHHHIIIHH", *fields) + name + m.raw
        central += (b"PK\x01\x02" + struct.pack("<HHHHHHIIIHHHHHII", 20, *fields, 0, 0, 0, 0,
                                                offset) + name)
    eocd = struct.pack("<HHHHIIH", 0, 0, len(members), len(members), len(central), len(out), 0)
    path.write_bytes(bytes(out + central + b"PK\x05\x06" + eocd))
    return path


def members_of(path: Path) -> list[Member]:
    with zipfile.ZipFile(path) as zf:
        return [deflated(i.filename, zf.read(i)) for i in zf.infolist()]


def replace_member(src: Path, dst: Path, name: str, new: Member | None) -> Path:
    """``src`` with member ``name`` replaced by ``new`` (or removed), written to ``dst``."""
    members = [m for m in members_of(src) if m.name != name or new is not None]
    members = [new if m.name == name and new is not None else m for m in members]
    return write_zip(dst, members)


# Deflate output of 1 MiB of zeros, flushed so that copies can be concatenated; an empty
# final block ends the stream. The CRC of n zeros comes from the CRC's linearity.
_ZERO_MIB = zlib.compressobj(9, zlib.DEFLATED, -15)
ZERO_BLOCK = _ZERO_MIB.compress(bytes(1 << 20)) + _ZERO_MIB.flush(zlib.Z_FULL_FLUSH)
FINAL_BLOCK = b"\x03\x00"


def _gf2_times(mat: list[int], vec: int) -> int:
    out, i = 0, 0
    while vec:
        if vec & 1:
            out ^= mat[i]
        vec >>= 1
        i += 1
    return out


def _gf2_square(mat: list[int]) -> list[int]:
    return [_gf2_times(mat, mat[n]) for n in range(32)]


def crc32_of_zeros(n: int) -> int:
    """zlib.crc32(bytes(n)) without touching n bytes (zlib's crc32_combine method)."""
    odd = [0xEDB88320] + [1 << i for i in range(31)]  # operator for one zero bit
    even = _gf2_square(odd)  # two bits
    odd = _gf2_square(even)  # four bits
    crc = 0xFFFFFFFF
    while n:  # n counts bytes: apply the operator for 8 bits per byte
        even = _gf2_square(odd)
        if n & 1:
            crc = _gf2_times(even, crc)
        n >>= 1
        if not n:
            break
        odd = _gf2_square(even)
        if n & 1:
            crc = _gf2_times(odd, crc)
        n >>= 1
    return crc ^ 0xFFFFFFFF


def zero_bomb(name: str, mib: int, declared: int | None = None) -> Member:
    """A member that really inflates to ``mib`` MiB of zeros (declaring ``declared``)."""
    raw = ZERO_BLOCK * mib + FINAL_BLOCK
    size = mib << 20
    return Member(name, raw, size if declared is None else declared, crc32_of_zeros(size))


def test_zip_helpers_are_sound(tmp_path):
    assert crc32_of_zeros(3 << 20) == zlib.crc32(bytes(3 << 20))
    assert crc32_of_zeros(12345) == zlib.crc32(bytes(12345))
    path = write_zip(tmp_path / "z.zip", [zero_bomb("a.xml", 3), deflated("b.txt", b"hello")])
    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() is None
        assert zf.read("a.xml") == bytes(3 << 20) and zf.read("b.txt") == b"hello"


# ------------------------------------------------------------------ the corpus

BILLION_LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">'.replace("&lol0;", "&lol;")
              for i in range(1, 10))
    + "]>"
)
EXTERNAL = '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def with_doctype(path: Path, part: str, doctype: str, padding: str = "") -> None:
    patch_part(path, part, XML_DECL, XML_DECL + padding + doctype + "\n")


def sheet_xml(book: Path, sheet: str) -> tuple[str, str]:
    part = sheet_part(book, sheet)
    with zipfile.ZipFile(book) as zf:
        return part, zf.read(part).decode()


def big_sheet(book: Path) -> str:
    """The part of sheet Input_U when the workbook has it (the init experiment's draws),
    else its largest worksheet part: what the damage below is done to."""
    with zipfile.ZipFile(book) as zf:
        if b'name="Input_U"' in zf.read("xl/workbook.xml"):
            return sheet_part(book, "Input_U")
        sheets = [i for i in zf.infolist() if re.fullmatch(r"xl/worksheets/sheet\d+\.xml",
                                                              i.filename)]
    return max(sheets, key=lambda i: i.file_size).filename


def rewrite_part(src: Path, dst: Path, part: str, data: bytes) -> Path:
    return replace_member(src, dst, part, deflated(part, data))


def _not_a_zip(p: Path, book: Path) -> Path:
    p.write_bytes(b"name,value\nsamples,1000\n")
    return p


def _empty(p: Path, book: Path) -> Path:
    p.write_bytes(b"")
    return p


def _folder(p: Path, book: Path) -> Path:
    p.mkdir()
    return p


def _fifo(p: Path, book: Path) -> Path:
    os.mkfifo(p)
    return p


def _truncated(p: Path, book: Path) -> Path:
    data = book.read_bytes()
    p.write_bytes(data[: len(data) // 2])
    return p


def _garbled_member(p: Path, book: Path) -> Path:
    part = big_sheet(book)
    members = members_of(book)
    for m in members:
        if m.name == part:
            raw = bytearray(m.raw)
            raw[len(raw) // 2 : len(raw) // 2 + 64] = bytes(64)
            m.raw = bytes(raw)
    return write_zip(p, members)


def _duplicate_member(p: Path, book: Path) -> Path:
    # a second, different workbook part: one reader would see one, another the other
    return write_zip(p, [*members_of(book), deflated("XL/workbook.xml", b"<workbook/>")])


def _legacy_xls(p: Path, book: Path) -> Path:
    p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4000))
    return p


def _docx(p: Path, book: Path) -> Path:
    ct = ('<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
          'content-types"/>')
    rels = ('<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
            'openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            'Target="word/document.xml"/></Relationships>')
    doc = '<?xml version="1.0"?><w:document xmlns:w="urn:w"><w:body/></w:document>'
    return write_zip(p, [deflated("[Content_Types].xml", ct.encode()),
                         deflated("_rels/.rels", rels.encode()),
                         deflated("word/document.xml", doc.encode())])


def _ods(p: Path, book: Path) -> Path:
    return write_zip(p, [Member("mimetype", b"application/vnd.oasis.opendocument.spreadsheet",
                                46, zlib.crc32(b"application/vnd.oasis.opendocument.spreadsheet"),
                                zipfile.ZIP_STORED),
                         deflated("content.xml", b"<office:document-content/>")])


def _zip_bomb(p: Path, book: Path) -> Path:
    # a sheet that really inflates to 3.9 GB of zeros, from a 4 MB file
    return replace_member(book, p, big_sheet(book), zero_bomb(big_sheet(book), 3815))


def _ratio_bomb(p: Path, book: Path) -> Path:
    # 100 MiB (under the size limit) from 100 KB: only the ratio gives it away
    return replace_member(book, p, big_sheet(book), zero_bomb(big_sheet(book), 100))


def _lying_header(p: Path, book: Path) -> Path:
    # the header says 20 kB; the stream would inflate to 3.9 GB
    part = big_sheet(book)
    return replace_member(book, p, part, zero_bomb(part, 3815, declared=20_000))


def _bzip2_member(p: Path, book: Path) -> Path:
    import bz2

    part = "xl/workbook.xml"
    with zipfile.ZipFile(book) as zf:
        data = zf.read(part)
    return replace_member(book, p, part, Member(part, bz2.compress(data), len(data),
                                                zlib.crc32(data), zipfile.ZIP_BZIP2))


def _encrypted_member(p: Path, book: Path) -> Path:
    members = members_of(book)
    for m in members:
        if m.name == "xl/workbook.xml":
            m.flags = 1
    return write_zip(p, members)


def _many_members(p: Path, book: Path) -> Path:
    return write_zip(p, [deflated(f"x/{i}.xml", b"") for i in range(12_000)])


def _entity_bomb_workbook(p: Path, book: Path) -> Path:
    p.write_bytes(book.read_bytes())
    with_doctype(p, "xl/workbook.xml", BILLION_LAUGHS)
    return p


def _entity_bomb_sheet(p: Path, book: Path) -> Path:
    p.write_bytes(book.read_bytes())
    part = sheet_part(p, "Controls")
    with_doctype(p, part, BILLION_LAUGHS)
    patch_part(p, part, "<sheetData>",
               '<sheetData><row r="1"><c r="Z1" t="inlineStr"><is><t>&lol9;</t></is></c></row>')
    return p


def _entity_bomb_padded(p: Path, book: Path) -> Path:
    # the declaration after 3 MB of whitespace and comments, in the shared strings
    p.write_bytes(book.read_bytes())
    with_doctype(p, "xl/sharedStrings.xml", BILLION_LAUGHS, "<!-- pad -->\n" * 250_000)
    return p


def _external_entity(p: Path, book: Path) -> Path:
    p.write_bytes(book.read_bytes())
    with_doctype(p, "xl/sharedStrings.xml", EXTERNAL)
    return p


def _utf16_workbook(p: Path, book: Path) -> Path:
    with zipfile.ZipFile(book) as zf:
        text = zf.read("xl/workbook.xml").decode()
    text = text.replace(XML_DECL, XML_DECL.replace("UTF-8", "UTF-16") + BILLION_LAUGHS)
    return rewrite_part(book, p, "xl/workbook.xml", text.encode("utf-16"))


def _utf7_workbook(p: Path, book: Path) -> Path:
    with zipfile.ZipFile(book) as zf:
        text = zf.read("xl/workbook.xml").decode()
    text = text.replace(XML_DECL, XML_DECL.replace("UTF-8", "UTF-7") + "+ADw-!DOCTYPE x+AD4-")
    return rewrite_part(book, p, "xl/workbook.xml", text.encode())


def _missing_manifest(p: Path, book: Path) -> Path:
    with zipfile.ZipFile(book) as zf:
        text = zf.read("xl/workbook.xml").decode()
    text = re.sub(r'<sheet name="_sheetsim"[^>]*/>', "", text)
    return rewrite_part(book, p, "xl/workbook.xml", text.encode())


def _manifest_marker(p: Path, book: Path) -> Path:
    p.write_bytes(book.read_bytes())
    patch_part(p, "xl/sharedStrings.xml", "<t>sheetsim</t>", "<t>somethingelse</t>")
    return p


def _manifest_bad_json(p: Path, book: Path) -> Path:
    p.write_bytes(book.read_bytes())
    patch_part(p, "xl/sharedStrings.xml", '{"activation"', '{{"activation"')
    return p


def _manifest_samples(p: Path, book: Path) -> Path:
    p.write_bytes(book.read_bytes())
    patch_part(p, "xl/sharedStrings.xml", '"samples": 60,', '"samples": 1000000,')
    return p


def _manifest_range(p: Path, book: Path) -> Path:
    p.write_bytes(book.read_bytes())
    patch_part(p, "xl/sharedStrings.xml", "<t>B3:I62</t>", "<t>B3:ALL1000000</t>")
    return p


def _manifest_sheet(p: Path, book: Path) -> Path:
    p.write_bytes(book.read_bytes())
    patch_part(p, "xl/sharedStrings.xml", "<t>L2_A</t>", "<t>L9_A</t>")
    return p


def _missing_sheet(p: Path, book: Path) -> Path:
    with zipfile.ZipFile(book) as zf:
        text = zf.read("xl/workbook.xml").decode()
    text = re.sub(r'<sheet name="L2_A"[^>]*/>', "", text)
    # and the print settings, which name sheets by their place: the manifest is what is judged
    text = re.sub(r'<definedName name="_xlnm\.[^"]*"[^>]*>[^<]*</definedName>', "", text)
    return rewrite_part(book, p, "xl/workbook.xml", text.encode())


def _missing_sheet_part(p: Path, book: Path) -> Path:
    return replace_member(book, p, sheet_part(book, "L2_A"), None)


def _draw_outside(p: Path, book: Path) -> Path:
    part, xml = sheet_xml(book, "L2_U")
    xml = re.sub(r'(<c r="C5"[^>]*><v>)[^<]*', r"\g<1>1", xml)
    return rewrite_part(book, p, part, xml.encode())


def _unknown_function(p: Path, book: Path) -> Path:
    p.write_bytes(book.read_bytes())
    patch_part(p, sheet_part(p, "Histograms"), "COUNTIF(", "COUNTBLANKX(")
    return p


def _cell_at_xfd(p: Path, book: Path) -> Path:
    part, xml = sheet_xml(book, "Controls")
    xml = xml.replace("</sheetData>",
                      '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>')
    return rewrite_part(book, p, part, xml.encode())


def _text_at_xfd(p: Path, book: Path) -> Path:
    part, xml = sheet_xml(book, "Controls")
    xml = xml.replace("</sheetData>", '<row r="1048576"><c r="XFD1048576" t="inlineStr">'
                      "<is><t>far away</t></is></c></row></sheetData>")
    return rewrite_part(book, p, part, xml.encode())


def _cell_beyond_grid(p: Path, book: Path) -> Path:
    part, xml = sheet_xml(book, "Controls")
    xml = xml.replace("</sheetData>", '<row r="9"><c r="XFE9"><v>1</v></c></row></sheetData>')
    return rewrite_part(book, p, part, xml.encode())


def _row_beyond_grid(p: Path, book: Path) -> Path:
    part, xml = sheet_xml(book, "Input_U")
    xml = xml.replace('<c r="B3"', '<c r="B9999999"', 1)
    return rewrite_part(book, p, part, xml.encode())


def _huge_address(p: Path, book: Path) -> Path:
    part, xml = sheet_xml(book, "Controls")
    xml = xml.replace("</sheetData>", f'<row r="9"><c r="A{"9" * 5000}" t="b"><v>1</v></c>'
                      "</row></sheetData>")
    return rewrite_part(book, p, part, xml.encode())


def _huge_array_ref(p: Path, book: Path) -> Path:
    p.write_bytes(book.read_bytes())
    patch_part(p, sheet_part(p, "Input"), 'ref="B3:I62"', 'ref="B3:XFD1048576"')
    return p


def _huge_formula_range(p: Path, book: Path) -> Path:
    p.write_bytes(book.read_bytes())
    patch_part(p, sheet_part(p, "Histograms"), "COUNTIF(",
               "SUM(Input_U!A1:XFD1048576)+COUNTIF(")
    return p


def _nested_formula(p: Path, book: Path) -> Path:
    p.write_bytes(book.read_bytes())
    patch_part(p, sheet_part(p, "Histograms"), "COUNTIF(",
               "(" * 5000 + "1" + ")" * 5000 + "+COUNTIF(")
    return p


def _sign_chain(p: Path, book: Path) -> Path:
    p.write_bytes(book.read_bytes())
    patch_part(p, sheet_part(p, "Histograms"), "COUNTIF(", "-" * 3000 + "1+COUNTIF(")
    return p


def _long_formula(p: Path, book: Path) -> Path:
    p.write_bytes(book.read_bytes())
    patch_part(p, sheet_part(p, "Histograms"), "COUNTIF(", "SUM(" + "1," * 40_000 + "1)+COUNTIF(")
    return p


def _formula_part(text: str) -> Callable[[Path, Path], Path]:
    """A mutation adding ``text`` to a formula of the Histograms sheet."""
    def make(p: Path, book: Path) -> Path:
        p.write_bytes(book.read_bytes())
        patch_part(p, sheet_part(p, "Histograms"), "COUNTIF(", f"{text}+COUNTIF(")
        return p

    return make


def _unterminated_cells(p: Path, book: Path) -> Path:
    # 300,000 string cells that never close: a quadratic scan would take hours
    part, xml = sheet_xml(book, "Controls")
    xml = xml.replace("</sheetData>", '<row r="99">' + '<c r="A99" t="s"><v>1</v>' * 300_000)
    return rewrite_part(book, p, part, xml.encode())


def _unterminated_tags(p: Path, book: Path) -> Path:
    part, xml = sheet_xml(book, "Controls")
    xml = xml.replace("</sheetData>", '<row r="99" <c t="s" <f <is ' * 200_000)
    return rewrite_part(book, p, part, xml.encode())


@dataclass
class Kind:
    make: Callable[[Path, Path], Path]
    message: str
    package: bool = True
    """A damaged or dangerous package: recalc and render must refuse it too."""
    bomb: bool = False
    """Also measured in a child process (time and peak memory)."""


CORPUS: dict[str, Kind] = {
    "not a zip": Kind(_not_a_zip, "not an .xlsx workbook (not a zip archive)"),
    "empty file": Kind(_empty, "is an empty file, not an .xlsx workbook"),
    "a folder": Kind(_folder, "is a folder, not a workbook"),
    "a FIFO": Kind(_fifo, "is not a regular file"),
    "truncated zip": Kind(_truncated, "damaged or truncated .xlsx workbook (no zip directory)"),
    "garbled member": Kind(_garbled_member, "damaged .xlsx workbook (part xl/worksheets/"),
    "duplicated member": Kind(_duplicate_member, "damaged .xlsx workbook (two members named "
                              "'XL/workbook.xml': which one an application reads is not "
                              "defined); refused"),
    "legacy .xls": Kind(_legacy_xls, "is a legacy .xls or a password-protected workbook"),
    ".docx renamed": Kind(_docx, "a Word document (.docx), not an .xlsx workbook"),
    ".ods renamed": Kind(_ods, "an OpenDocument file (spreadsheet), not an .xlsx workbook"),
    "zip bomb": Kind(_zip_bomb, "would inflate to 4,000,317,440 bytes (more than 134,217,728)"
                     "; refused", bomb=True),
    "ratio bomb": Kind(_ratio_bomb, "would inflate 104,857,600 bytes from", bomb=True),
    "lying size header": Kind(_lying_header, "damaged .xlsx workbook (part xl/worksheets/",
                              bomb=True),
    "bzip2 member": Kind(_bzip2_member, "is compressed with bzip2, which .xlsx workbooks do "
                         "not use; refused"),
    "encrypted member": Kind(_encrypted_member, "part xl/workbook.xml is encrypted; refused"),
    "12,000 members": Kind(_many_members, "the archive declares 12,000 members"),
    "entity bomb in workbook.xml": Kind(_entity_bomb_workbook, "part xl/workbook.xml declares "
                                        "a DTD or XML entities", bomb=True),
    "entity bomb in a sheet": Kind(_entity_bomb_sheet, "declares a DTD or XML entities",
                                   bomb=True),
    "entity bomb after 3 MB": Kind(_entity_bomb_padded, "part xl/sharedStrings.xml declares "
                                   "a DTD or XML entities"),
    "external entity": Kind(_external_entity, "part xl/sharedStrings.xml declares a DTD"),
    "UTF-16 entity bomb": Kind(_utf16_workbook, "part xl/workbook.xml declares a DTD or XML "
                               "entities"),
    "UTF-7 markup": Kind(_utf7_workbook, "part xl/workbook.xml is XML in UTF-7, which can hide "
                         "markup; refused"),
    "missing sheet part": Kind(_missing_sheet_part, "sheet 'L2_A' is listed but its part "
                               "xl/worksheets/"),
    "missing manifest": Kind(_missing_manifest, "not a sheetsim workbook (no _sheetsim sheet)",
                             package=False),
    "altered manifest marker": Kind(_manifest_marker, "not a sheetsim workbook (manifest has "
                                    "no sheetsim marker)", package=False),
    "manifest bad JSON": Kind(_manifest_bad_json, "manifest config is unreadable (Expecting "
                              "property name", package=False),
    "manifest samples 1,000,000": Kind(
        _manifest_samples, "manifest block input_u (Input_U!B3:I62) is 60 × 8 cells, but its "
        "config (samples 1,000,000, width 8) needs 1,000,000 × 8", package=False),
    "manifest range outside": Kind(
        _manifest_range, "manifest block input_u (Input_U!B3:ALL1000000) lies outside sheet "
        "'Input_U', whose cells end at I62", package=False),
    "manifest names a missing sheet": Kind(
        _manifest_sheet, "manifest block L2_a is on sheet 'L9_A', which the workbook does not "
        "have", package=False),
    "missing sheet": Kind(_missing_sheet, "manifest block L2_a is on sheet 'L2_A', which the "
                          "workbook does not have", package=False),
    "a draw of 1 (NORM.S.INV(1) has no value)": Kind(
        _draw_outside, "block L2_u holds a value that is not a uniform draw in (0, 1) at "
        "L2_U!C5 (1.0); 1 such values in all", package=False),
    "unknown function": Kind(_unknown_function, "Histograms!D24: unsupported function "
                             "COUNTBLANKX", package=False),
    "number at XFD1048576": Kind(_cell_at_xfd, "sheet 'Controls' reaches cell XFD1048576 but "
                                 "holds only", package=False, bomb=True),
    "text at XFD1048576": Kind(_text_at_xfd, "sheet 'Controls' reaches cell XFD1048576",
                               package=False),
    "cell beyond column XFD": Kind(_cell_beyond_grid, "sheet 'Controls' has a cell XFE9 "
                                   "outside Excel's grid", package=False),
    "cell beyond row 1048576": Kind(_row_beyond_grid, "sheet 'Input_U' has a cell B9999999 "
                                    "outside Excel's grid", package=False),
    "5000-digit address": Kind(_huge_address, "sheet 'Controls': bad cell address 'A999",
                               package=False),
    "array formula over the whole grid": Kind(
        _huge_array_ref, "sheet 'Input' reaches cell XFD1048576 but holds only 550 values "
        "(17,179,869,184 cells would be needed); refused", package=False, bomb=True),
    "formula over the whole grid": Kind(
        _huge_formula_range, "refers to A1:XFD1048576 (17,179,869,184 cells)", package=False),
    "MMULT of a column by a row": Kind(
        _formula_part("SUM(MMULT(Input_U!B1:B1000000,TRANSPOSE(Input_U!B1:B1000000)))"),
        "Histograms!D24: MMULT's result would need 1,000,000 × 1,000,000 = "
        "1,000,000,000,000 cells; the evaluator holds at most 8,000,000 in one array; refused",
        package=False, bomb=True),
    "a million rows × 20 columns past the cells": Kind(
        _formula_part("SUM(Input_U!A1:T1000000)"),
        "Histograms!D24: a range reaching past its sheet's cells would need 1,000,000 × 20 = "
        "20,000,000 cells", package=False, bomb=True),
    "outer product of two columns": Kind(
        _formula_part("SUM(Input_U!B3:B62*TRANSPOSE(Input_U!A1:A1000000))"),
        "Histograms!D24: an elementwise result would need 60 × 1,000,000 = 60,000,000 cells",
        package=False),
    "COUNTIF over an array of criteria": Kind(
        _formula_part("SUM(COUNTIF(Input_U!A1:A1000000,Input_U!A1:Z1000))"),
        "Histograms!D24: a criteria function over an array of criteria would take "
        "26,000,000,000 operations; the evaluator does at most 1,000,000,000; refused",
        package=False),
    "a closing parenthesis too many": Kind(
        _formula_part("SUM(1))"), "COUNT(L1_Z!$B$3:$I$62)+0*COUNTA(AllControls)': unbalanced "
        "parentheses, braces or quotes", package=False),
    "formula nested 5,000 deep": Kind(_nested_formula, "holds a formula nested 5,000 deep; "
                                      "sheetsim reads at most 100 levels", package=False),
    "3,000 signs in a row": Kind(_sign_chain, "holds a formula nested 3,000 deep",
                                 package=False),
    "formula of 80,000 characters": Kind(_long_formula, "holds a formula of 80,0", package=False),
    "300,000 unterminated cells": Kind(_unterminated_cells, "sheet 'Controls' is malformed "
                                       "(a cell without </c>)", package=False),
    "unterminated tags": Kind(_unterminated_tags, "sheet 'Controls' is malformed (an "
                              "unterminated cell)", package=False),
}
PACKAGE_KINDS = [k for k, v in CORPUS.items() if v.package]
BOMBS = [k for k, v in CORPUS.items() if v.bomb]


@pytest.fixture(scope="module")
def corpus(small_book, tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("corpus")
    out = {}
    for i, (kind, spec) in enumerate(CORPUS.items()):
        out[kind] = spec.make(folder / f"{i:02d}.xlsx", small_book)
    return out


def one_error_line(result, message: str) -> str:
    """The single line the command printed, checked to hold ``message`` and no traceback."""
    assert result.exit_code == 2, (result.exit_code, result.output)
    assert "Traceback" not in result.output
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, result.output
    assert lines[0].startswith("sheetsim: error: "), lines[0]
    assert message in lines[0], lines[0]
    assert result.stdout == "", result.stdout
    return lines[0]


# ------------------------------------------------------------------ verify, recalc, render


@pytest.mark.parametrize("kind", list(CORPUS))
def test_verify_refuses_with_one_line(corpus, kind):
    start = time.monotonic()
    result = CliRunner().invoke(cli, ["verify", str(corpus[kind])])
    line = one_error_line(result, CORPUS[kind].message)
    assert str(corpus[kind]) in line or kind == "unknown function"
    assert time.monotonic() - start < 10


EVERY_EXPERIMENT = [k for k, v in CORPUS.items() if v.package and "'L2_A'" not in v.message]
"""The damaged and dangerous packages that can be made of any experiment's workbook."""


@pytest.fixture(scope="module")
def other_books(tmp_path_factory) -> dict[str, Path]:
    """A small workbook of every registered experiment but init (the corpus's own)."""
    folder = tmp_path_factory.mktemp("others")
    return {name: build(experiments.resolve(e, flags=SMALL_SHAPES.get(name, {})),
                        folder / f"{name}.xlsx")
            for name, e in experiments.REGISTRY.items() if name != "init"}


@pytest.mark.parametrize("experiment", [n for n in experiments.REGISTRY if n != "init"])
def test_hostile_packages_of_every_experiment_are_refused(other_books, experiment, tmp_path):
    for i, kind in enumerate(EVERY_EXPERIMENT):
        path = CORPUS[kind].make(tmp_path / f"{i:02d}.xlsx", other_books[experiment])
        result = CliRunner().invoke(cli, ["verify", str(path)])
        one_error_line(result, CORPUS[kind].message)


@pytest.fixture
def fake_engines(tmp_path, monkeypatch) -> Path:
    """Engines that only record that they were started; tempfile routed to a private folder."""
    marker = tmp_path / "engine-started"
    for variable in ("SHEETSIM_SOFFICE", "SHEETSIM_SSCONVERT", "SHEETSIM_PDFTOPPM"):
        script = tmp_path / variable.lower()
        script.write_text(f"#!/bin/sh\necho $0 >> {marker}\nexit 1\n")
        script.chmod(0o755)
        monkeypatch.setenv(variable, str(script))
    private = tmp_path / "tmp"
    private.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(private))
    return marker


@pytest.mark.parametrize("kind", PACKAGE_KINDS)
@pytest.mark.parametrize("command", ["recalc", "render", "verify --engine"])
def test_engine_commands_refuse_before_any_engine_starts(corpus, kind, command, tmp_path,
                                                         fake_engines):
    src = corpus[kind]
    args = {
        "recalc": ["recalc", str(src), "--engine", "gnumeric", "-o", str(tmp_path / "o.xlsx")],
        "render": ["render", str(src), "-o", str(tmp_path / "o.png")],
        "verify --engine": ["verify", str(src), "--engine", "libreoffice"],
    }[command]
    result = CliRunner().invoke(cli, args)
    one_error_line(result, CORPUS[kind].message)
    assert not fake_engines.exists(), "an engine was started on a hostile file"
    assert not (tmp_path / "o.xlsx").exists() and not (tmp_path / "o.png").exists()
    assert list(Path(tempfile.tempdir).iterdir()) == []


# Damaged sheetsim workbooks (the manifest sheet is still listed) may be rebuilt in place;
# everything else is someone's file and needs --force.
DAMAGED_SHEETSIM = {"garbled member", "lying size header", "entity bomb in a sheet",
                    "entity bomb after 3 MB", "external entity"}


@pytest.mark.parametrize("kind", PACKAGE_KINDS)
def test_build_does_not_overwrite_a_foreign_file_without_force(corpus, kind, tmp_path):
    src = corpus[kind]
    args = ["build", "--samples", "4", "--width", "2", "--layers", "1", "-q", "-o"]
    if src.is_dir() or not src.is_file():  # a folder or a FIFO: never replaced
        result = CliRunner().invoke(cli, [*args, str(src), "--force"])
        one_error_line(result, "is a folder" if src.is_dir() else "is not a regular file")
        return
    target = tmp_path / "target.xlsx"
    target.write_bytes(src.read_bytes())
    before = target.read_bytes()
    result = CliRunner().invoke(cli, [*args, str(target)])
    if kind in DAMAGED_SHEETSIM:
        assert result.exit_code == 0, result.output
        assert manifest.read(reader.read(target)).config.samples == 4
        return
    one_error_line(result, "exists and is not a sheetsim workbook; use --force to replace it")
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["target.xlsx"]
    result = CliRunner().invoke(cli, [*args, str(target), "--force"])
    assert result.exit_code == 0, result.output
    assert manifest.read(reader.read(target)).config.samples == 4


def test_render_needs_the_manifest_sheet(corpus, tmp_path, fake_engines):
    result = CliRunner().invoke(cli, ["render", str(corpus["missing manifest"]), "-o",
                                      str(tmp_path / "o.pdf")])
    one_error_line(result, "not a sheetsim workbook")
    assert not fake_engines.exists()


def test_a_lying_dimension_is_ignored(small_book, tmp_path):
    """<dimension> is only a hint: a file claiming the whole grid still verifies, fast."""
    book = tmp_path / "dim.xlsx"
    book.write_bytes(small_book.read_bytes())
    for sheet in ("Input_U", "Controls", "_sheetsim"):
        patch_part(book, sheet_part(book, sheet), '<dimension ref="',
                   '<dimension ref="A1:XFD1048576" x="')
    start = time.monotonic()
    result = CliRunner().invoke(cli, ["verify", str(book), "-q"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("OK: ")
    assert time.monotonic() - start < 10


def test_utf16_parts_are_read(small_book, tmp_path):
    """XML may be UTF-16 (the reader decodes it; only markup hidden from checks is refused)."""
    book = tmp_path / "utf16.xlsx"
    members = members_of(small_book)
    wide = {"xl/workbook.xml", "xl/sharedStrings.xml", sheet_part(small_book, "Input_U"),
            sheet_part(small_book, "Controls")}
    for i, m in enumerate(members):
        if m.name in wide:
            with zipfile.ZipFile(small_book) as zf:
                text = zf.read(m.name).decode().replace('encoding="UTF-8"', 'encoding="UTF-16"')
            members[i] = deflated(m.name, text.encode("utf-16"))
    write_zip(book, members)
    result = CliRunner().invoke(cli, ["verify", str(book), "-q"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("OK: ")


def test_limits_scale_with_content(small_book, tmp_path, monkeypatch):
    """A far cell is fine while the grid it implies is small, refused when it is not."""
    part, xml = sheet_xml(small_book, "Controls")
    near = rewrite_part(small_book, tmp_path / "near.xlsx", part, xml.replace(
        "</sheetData>", '<row r="5000"><c r="Z5000"><v>7</v></c></row></sheetData>').encode())
    book = reader.read(near)
    assert book.sheet("Controls").value(4999, 25) == 7.0
    monkeypatch.setattr(reader, "DENSE_FLOOR", 10_000)
    with pytest.raises(reader.ReadError, match="reaches cell Z5000 but holds only"):
        reader.read(near)


def test_part_limits_are_enforced_on_real_sizes(small_book, tmp_path, monkeypatch):
    """The limits hold for honest members too (small limits stand in for the real ones)."""
    monkeypatch.setattr(safezip, "MAX_PART", 20_000)
    with pytest.raises(reader.ReadError, match=r"would inflate to [\d,]+ bytes \(more than "
                                               r"20,000\); refused"):
        reader.read(small_book)
    monkeypatch.setattr(safezip, "MAX_PART", 128 * 1024**2)
    monkeypatch.setattr(safezip, "MAX_TOTAL", 300_000)
    with pytest.raises(reader.ReadError, match="in all"):
        reader.read(small_book)


# ------------------------------------------------------------------ bombs in a child process

BASELINE: dict[str, int] = {}


def baseline_rss(small_book: Path) -> int:
    """Peak memory of verifying the intact small workbook: the cost of Python and NumPy."""
    if "rss" not in BASELINE:
        code, _, rss, err = measured("verify", str(small_book), "-q")
        assert code == 0, err
        BASELINE["rss"] = rss
    return BASELINE["rss"]


@pytest.mark.parametrize("kind", BOMBS)
def test_bombs_are_refused_in_seconds_and_little_memory(corpus, small_book, kind, tmp_path):
    limit_kb = baseline_rss(small_book) + 100 * 1024  # the bombs would need gigabytes
    runs = {"verify": ["verify", str(corpus[kind])]}
    if CORPUS[kind].package:
        runs["recalc"] = ["recalc", str(corpus[kind]), "-o", str(tmp_path / "o.xlsx")]
    for command, args in runs.items():
        code, seconds, rss, err = measured(*args)
        lines = err.strip().splitlines()
        assert code == 2 and len(lines) == 1, (command, err)
        assert CORPUS[kind].message in lines[0], (command, lines[0])
        assert seconds < 10, (command, seconds)
        assert rss < limit_kb, (command, rss, limit_kb)
        print(f"{kind:<36} {command:<7} {seconds:5.2f} s {rss / 1024:6.0f} MB")


# ------------------------------------------------------------------ engine faults, via the CLI


def fake(tmp_path: Path, name: str, body: str) -> str:
    script = tmp_path / name
    script.write_text("#!/bin/sh\n" + body)
    script.chmod(0o755)
    return str(script)


# The fake soffice finds --outdir and the input file among its arguments.
_ARGS = 'out=; for a; do case "$prev" in --outdir) out=$a;; esac; prev=$a; done\n'

ENGINE_FAULTS = {
    "hangs (with a child that leaves its session)": (
        "setsid /bin/sleep 300 &\necho $! > {pids}\n/bin/sleep 300\n",
        "LibreOffice did not finish within 2 s"),
    "crashes": ("kill -SEGV $$\n", "LibreOffice failed (crashed: SIGSEGV): no message"),
    "fails": ("echo 'Error: source file could not be loaded' >&2\nexit 1\n",
              "LibreOffice failed (exit 1): Error: source file could not be loaded"),
    "writes nothing": ("exit 0\n", "LibreOffice wrote no file: no message"),
    "writes an empty file": (_ARGS + ': > "$out/book.xlsx"\n', "LibreOffice wrote an empty file"),
    "writes garbage": (_ARGS + 'echo garbage > "$out/book.xlsx"\n',
                       "LibreOffice wrote a file that is not an .xlsx workbook (8 bytes)"),
    "writes a broken zip": (_ARGS + 'printf "PK\\003\\004broken" > "$out/book.xlsx"\n',
                            "LibreOffice wrote a damaged workbook"),
}


@pytest.mark.parametrize("fault", list(ENGINE_FAULTS))
def test_engine_faults_through_the_cli(fault, small_book, tmp_path, monkeypatch):
    pids = tmp_path / "pids"
    body, message = ENGINE_FAULTS[fault]
    # a hang lasts the 2 s timeout, as long as progress waits: keep progress out of the
    # one error line this test reads
    monkeypatch.setattr(sheetsim.progress, "AFTER", 60.0)
    monkeypatch.setenv("SHEETSIM_SOFFICE", fake(tmp_path, "soffice", body.format(pids=pids)))
    private = tmp_path / "tmp"
    private.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(private))
    out = tmp_path / "out.xlsx"
    start = time.monotonic()
    result = CliRunner().invoke(cli, ["recalc", str(small_book), "-o", str(out),
                                      "--timeout", "2"])
    one_error_line(result, message)
    assert time.monotonic() - start < 8
    assert not out.exists()
    assert list(private.iterdir()) == []  # the profile and work folder are gone
    if pids.exists():  # the stray child was killed too
        assert wait_until(lambda: gone(int(pids.read_text())))


def test_engine_missing_through_the_cli(small_book, tmp_path, monkeypatch):
    monkeypatch.setenv("SHEETSIM_SOFFICE", str(tmp_path / "nowhere" / "soffice"))
    result = CliRunner().invoke(cli, ["recalc", str(small_book), "-o", str(tmp_path / "o.xlsx")])
    one_error_line(result, f"LibreOffice not found: SHEETSIM_SOFFICE={tmp_path}/nowhere/soffice "
                           "is not an executable file")
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.delenv("SHEETSIM_SOFFICE")
    monkeypatch.setenv("PATH", str(empty))
    result = CliRunner().invoke(cli, ["render", str(small_book), "-o", str(tmp_path / "o.pdf")])
    one_error_line(result, "apt-get install libreoffice-calc-nogui")


def test_engine_that_cannot_be_executed(small_book, tmp_path, monkeypatch):
    script = tmp_path / "soffice"
    script.write_text("no interpreter line\n")
    script.chmod(0o755)
    monkeypatch.setenv("SHEETSIM_SOFFICE", str(script))
    result = CliRunner().invoke(cli, ["recalc", str(small_book), "-o", str(tmp_path / "o.xlsx")])
    one_error_line(result, "LibreOffice could not be started")


def test_engine_folders_of_a_killed_run_are_removed_next_time(small_book, tmp_path, monkeypatch):
    """SIGKILL leaves the engine's folder (and maybe the engine); the next run clears both."""
    private = tmp_path / "tmp"
    private.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(private))
    dead = subprocess.Popen(["true"])
    dead.wait()
    stale = private / f"sheetsim-{dead.pid}-k1ll3d"
    (stale / "profile").mkdir(parents=True)
    orphan = subprocess.Popen(["sleep", "300"], cwd=stale, start_new_session=True)
    running = private / f"sheetsim-{os.getppid()}-running"  # another run, still alive
    running.mkdir()
    monkeypatch.setenv("SHEETSIM_SSCONVERT", fake(tmp_path, "ssconvert", 'for a; do prev=$last; '
                                                 'last=$a; done\n/bin/cp "$prev" "$last"\n'))
    result = CliRunner().invoke(cli, ["recalc", str(small_book), "--engine", "gnumeric", "-o",
                                      str(tmp_path / "o.xlsx"), "-q"])
    assert result.exit_code == 0, result.output
    assert orphan.wait(timeout=5) == -9
    assert not stale.exists() and running.is_dir()
    assert sorted(p.name for p in private.iterdir()) == [running.name]


# ------------------------------------------------------------------ sizes at Excel's edge

# The largest block sheets: data start below a caption and a label row, so of Excel's
# 1,048,576 rows 1,048,574 hold samples, and of its 16,384 columns 16,383 hold neurons.
FIRST_DATA_ROW = 3  # A1 row number, read off the file in the test below
LARGEST_SAMPLES = 1_048_576 - FIRST_DATA_ROW + 1


@pytest.mark.parametrize(("flags", "message"), [
    (["--samples", str(LARGEST_SAMPLES + 1), "--width", "1"],
     "samples: 1,048,575 is too large; the workbook does not fit Excel's grid: input_u needs "
     "1,048,575 rows from Input_U!B3, where at most 1,048,574 fit"),
    (["--samples", "1", "--width", "16384"],
     "width: 16,384 is too large; the workbook does not fit Excel's grid"),
    (["--samples", "1048576", "--width", "1"], "samples: 1,048,576 is too large"),
])
def test_sizes_beyond_the_grid_are_refused_before_writing(flags, message, tmp_path):
    out = tmp_path / "big.xlsx"
    result = CliRunner().invoke(cli, ["build", *flags, "--layers", "1", "-q", "-o", str(out)])
    one_error_line(result, message)
    assert list(tmp_path.iterdir()) == []


def test_a_program_building_beyond_the_grid_is_refused_before_any_work(tmp_path):
    """Settings in code pass their own bounds at 1,048,575 samples; the writer still
    refuses the workbook before drawing a number or opening a file."""
    from sheetsim.build import writer
    from sheetsim.config import ConfigError
    from sheetsim.experiments.init.settings import Settings

    with pytest.raises(ConfigError, match="samples: 1,048,575 is too large"):
        writer.build(Settings(samples=LARGEST_SAMPLES + 1, width=1, layers=1),
                     tmp_path / "big.xlsx")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_the_largest_accepted_shape_builds_and_verifies(tmp_path):
    """1,048,574 samples at width 1 (a 95 MB workbook): built through the CLI (its fast
    path), its last sample on row 1,048,576, and its own verify agrees."""
    out = tmp_path / "largest.xlsx"
    result = CliRunner().invoke(cli, ["build", "--samples", str(LARGEST_SAMPLES), "--width",
                                      "1", "--layers", "1", "-q", "-o", str(out)])
    assert result.exit_code == 0, result.output
    book = reader.read(out, only={"Input_U"})
    numbers = book.sheet("Input_U").numbers
    assert numbers.shape == (1_048_576, 2)
    assert numbers[FIRST_DATA_ROW - 2, 1] == 1  # the neuron label above the data
    assert 0 < numbers[FIRST_DATA_ROW - 1, 1] < 1 and 0 < numbers[-1, 1] < 1
    result = CliRunner().invoke(cli, ["verify", str(out), "-q"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("OK: ")


# ------------------------------------------------------------------ concurrent runs, full disk

REPO = Path(__file__).resolve().parent.parent
SMALL_FLAGS = ["--samples", "30", "--width", "6", "--layers", "2", "--bins", "8", "-q"]


def sheetsim_process(*args: str) -> subprocess.Popen:
    """``python -m sheetsim ARGS`` as a separate process, run from this checkout."""
    return subprocess.Popen([sys.executable, "-m", "sheetsim", *args], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def seed_of(path: Path) -> int:
    return manifest.read(reader.read(path)).config.seed


def test_two_builds_to_one_target_leave_one_complete_workbook(tmp_path):
    target = tmp_path / "same.xlsx"
    for round_ in range(3):
        runs = [sheetsim_process("build", *SMALL_FLAGS, "--seed", str(seed), "-o", str(target))
                for seed in (1, 2)]
        for run in runs:
            _, err = run.communicate(timeout=120)
            assert run.returncode == 0, err
        assert [p.name for p in tmp_path.iterdir()] == ["same.xlsx"], round_
        assert seed_of(target) in (1, 2)
        result = CliRunner().invoke(cli, ["verify", str(target), "-q"])
        assert result.exit_code == 0, result.output


_REBUILD_LOOP = """
import sys
from sheetsim.cli import cli
target, count, flags = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
for i in range(count):
    cli.main(["build", *flags, "--seed", str(1 + i % 2), "-o", target], standalone_mode=False)
print("done")
"""


def test_verify_during_replacements_sees_the_old_or_the_new_workbook(tmp_path):
    """One process rebuilds the target over and over (seeds 1 and 2 in turn) while this one
    verifies it: every verify reads one complete workbook, never parts of both."""
    target = tmp_path / "busy.xlsx"
    assert CliRunner().invoke(cli, ["build", *SMALL_FLAGS, "--seed", "2", "-o",
                                    str(target)]).exit_code == 0
    writer_proc = subprocess.Popen([sys.executable, "-c", _REBUILD_LOOP, str(target), "40",
                                    *SMALL_FLAGS], cwd=REPO, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True)
    seen: list[int] = []
    try:
        while writer_proc.poll() is None:
            result = CliRunner().invoke(cli, ["verify", str(target), "--json"])
            assert result.exit_code == 0, result.output
            report = json.loads(result.stdout)
            assert report["ok"], report
            seen.append(seed_of(target))
    finally:
        out, err = writer_proc.communicate(timeout=120)
    assert writer_proc.returncode == 0 and out.strip() == "done", err
    assert len(seen) >= 3 and set(seen) == {1, 2}, seen  # reads overlapped the rebuilds
    assert [p.name for p in tmp_path.iterdir()] == ["busy.xlsx"]


@pytest.fixture
def small_disk(tmp_path) -> Path:
    """A 300 kB tmpfs (root only: CI runs as root), unmounted afterwards."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    disk = tmp_path / "disk"
    disk.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=300k", "tmpfs", str(disk)], check=True)
    try:
        yield disk
    finally:
        subprocess.run(["umount", str(disk)], check=True)


def test_a_full_disk_keeps_the_old_workbook(small_disk):
    target = small_disk / "book.xlsx"
    result = CliRunner().invoke(cli, ["build", *SMALL_FLAGS, "-o", str(target)])
    assert result.exit_code == 0, result.output
    before = target.read_bytes()
    run = sheetsim_process("build", "--samples", "600", "--width", "60", "--layers", "2", "-q",
                           "-o", str(target))
    out, err = run.communicate(timeout=120)
    assert run.returncode == 2, (out, err)
    assert err.strip().splitlines() == [f"sheetsim: error: {target}: No space left on device"]
    assert out == ""
    assert target.read_bytes() == before
    assert [p.name for p in small_disk.iterdir()] == ["book.xlsx"]
    assert seed_of(target) == 0


# ------------------------------------------------------------------ fuzzing findings


def test_a_condition_shorter_than_its_branches_pads_with_na(small_book):
    """IF over a 2-row condition with a 4-row branch (a control's name pointed at a whole
    column did this): the rows past the condition are #N/A, as Excel expands arrays."""
    from sheetsim import evaluator
    from sheetsim.xlsx.book import ExcelError

    book = reader.read(small_book, only={"Input_U"})
    u = book.sheet("Input_U").numbers
    got = evaluator.evaluate_formula("IF(Input_U!B3:B4<2,Input_U!C3:C6,-1)", book, "Input_U",
                                     shape=(4, 1))
    assert list(got[:2, 0]) == [u[2, 2], u[3, 2]]
    assert all(isinstance(x, ExcelError) and x.code == "#N/A" for x in got[2:, 0])
