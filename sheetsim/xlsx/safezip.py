"""Checked access to an .xlsx package: every workbook sheetsim reads passes through here.

People point sheetsim at any file they find, so nothing in a package is trusted before it is
checked, and every check happens before the expensive or dangerous step:

- the file: a regular file (not a folder, a FIFO or a device), not empty, a zip archive
  (an OLE2 file is a legacy .xls or a password-protected workbook);
- the archive directory: at most ``MAX_MEMBERS`` members, no two of the same name (ignoring
  case, as package part names do), every member stored or deflated
  (what .xlsx writers use; bzip2 and LZMA can inflate without limit) and not encrypted;
- sizes: the inflated size each member declares is at most ``MAX_PART``, the total at most
  ``MAX_TOTAL``, and no member inflates more than ``MAX_RATIO`` times its compressed size.
  A member is then inflated in ``CHUNK`` pieces and never beyond its declared size, so a
  header that lies about the size only produces a CRC error, never a big allocation;
- XML: a document type declaration (the vehicle of entity bombs and external entities) is
  refused anywhere in any member; UTF-16 and UTF-32 parts are decoded before the search,
  UTF-7 and EBCDIC (which can spell markup in other bytes) are refused. Parts parsed as XML
  trees go through defusedxml with DTDs forbidden as a second line of defence;
- the kind of document: a Word or PowerPoint file, an OpenDocument file or an .xlsb renamed
  to .xlsx is named as such.

Every problem is a ``ReadError`` with a one-line message that starts with the file's path.
"""

from __future__ import annotations

import codecs
import posixpath
import re
import stat
import struct
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree as DET

MAX_MEMBERS = 10_000
"""Members in one archive; a default workbook has about 50."""
MAX_PART = 128 * 1024**2
"""Inflated bytes of one member: a sheet of about 5 million cells (1000 × 100 is 5 MB)."""
MAX_TOTAL = 1024**3
"""Inflated bytes of all members together (a default workbook is about 64 MB)."""
MAX_RATIO = 1000
"""Inflated size over compressed size beyond which a member is a zip bomb, not a sheet."""
RATIO_FLOOR = 1024**2
"""Members that inflate to less than this are never refused for their ratio."""
MAX_TREE = 16 * 1024**2
"""Inflated bytes of a part parsed into an XML tree (workbook, relationships: a few KB)."""
CHUNK = 1024**2

_NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
}
_R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflated"}
_METHOD_NAMES = {zipfile.ZIP_BZIP2: "bzip2", zipfile.ZIP_LZMA: "LZMA", 9: "deflate64"}
# Byte-order marks and first bytes of XML in the wide encodings (XML 1.0, appendix F): such
# parts are decoded before they are searched, since "<!DOCTYPE" is not ASCII in them.
WIDE_XML = (
    (b"\x00\x00\xfe\xff", "utf-32"), (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\x00<", "utf-32-be"), (b"<\x00\x00\x00", "utf-32-le"),
    (b"\xfe\xff", "utf-16"), (b"\xff\xfe", "utf-16"), (b"\x00<", "utf-16-be"),
    (b"<\x00", "utf-16-le"),
)
_EBCDIC = b"\x4c\x6f\xa7\x94"
_DECL_ENCODING = re.compile(
    rb"""^(?:\xef\xbb\xbf)?\s{0,100}<\?xml[^>]{0,200}?encoding\s*=\s*["']([^"']{1,40})["']"""
)
_DECLARATION = re.compile(rb"<!(?i:doctype|entity)")
_DECLARATION_TEXT = re.compile(r"<!(?i:doctype|entity)")


class ReadError(Exception):
    """The file cannot be read as a workbook, or is not a sheetsim workbook (exit 2)."""


def check_file(path: Path) -> None:
    """The path names a non-empty regular file that could be a zip archive."""
    try:
        st = path.stat()
    except FileNotFoundError:
        raise ReadError(f"{path}: no such file") from None
    except OSError as exc:
        raise ReadError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if stat.S_ISDIR(st.st_mode):
        raise ReadError(f"{path}: is a folder, not a workbook")
    if not stat.S_ISREG(st.st_mode):
        raise ReadError(f"{path}: is not a regular file (a device, FIFO or socket)")
    if st.st_size == 0:
        raise ReadError(f"{path}: is an empty file, not an .xlsx workbook")
    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
            tail = _tail(fh, st.st_size)
    except OSError as exc:
        raise ReadError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if head == _OLE_MAGIC:
        raise ReadError(f"{path}: is a legacy .xls or a password-protected workbook, "
                        "not an .xlsx workbook")
    if not head.startswith(b"PK"):
        raise ReadError(f"{path}: not an .xlsx workbook (not a zip archive)")
    members = _declared_members(tail)
    if members is None:
        raise ReadError(f"{path}: damaged or truncated .xlsx workbook (no zip directory)")
    if members > MAX_MEMBERS:
        raise ReadError(f"{path}: the archive declares {members:,} members; "
                        f"an .xlsx workbook has far fewer (at most {MAX_MEMBERS:,} read)")


def _tail(fh, size: int) -> bytes:
    """The end of the file: room for the end-of-directory record and its comment."""
    n = min(size, 22 + 65535 + 20 + 56)
    fh.seek(size - n)
    return fh.read(n)


def _declared_members(tail: bytes) -> int | None:
    """Members declared by the (ZIP64) end-of-directory record, None if there is none."""
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        return None
    total = struct.unpack("<H", tail[at + 10 : at + 12])[0]
    locator = at - 20
    if total == 0xFFFF and locator >= 0 and tail[locator : locator + 4] == b"PK\x06\x07":
        z64 = tail.rfind(b"PK\x06\x06", 0, locator)
        if z64 >= 0 and len(tail) - z64 >= 40:
            return struct.unpack("<Q", tail[z64 + 32 : z64 + 40])[0]
    return total


class SafeZip:
    """An .xlsx package opened for checked reading. Use as a context manager or ``close()``."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        check_file(self.path)
        try:
            self.zf = zipfile.ZipFile(self.path)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError,
                struct.error, NotImplementedError) as exc:
            raise ReadError(f"{self.path}: damaged .xlsx workbook ({_one_line(exc)})") from None
        seen: set[str] = set()
        for info in self.zf.infolist():
            key = info.filename.lower()  # package part names ignore case
            if key in seen:
                self.zf.close()
                raise ReadError(f"{self.path}: damaged .xlsx workbook (two members named "
                                f"{info.filename[:80]!r}: which one an application reads is "
                                "not defined); refused")
            seen.add(key)
        self._inflated = 0

    def __enter__(self) -> SafeZip:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the archive."""
        self.zf.close()

    def exists(self, name: str) -> bool:
        """Whether the package has a member ``name``; nothing is read."""
        return name in self.zf.NameToInfo

    # ------------------------------------------------------------------ sizes

    def check_sizes(self) -> None:
        """Every member passes the method and size checks; the total stays in bounds."""
        total = 0
        for info in self.zf.infolist():
            self._check_member(info)
            total += info.file_size
        if total > MAX_TOTAL:
            raise ReadError(f"{self.path}: the parts would inflate to {total:,} bytes in all "
                            f"(more than {MAX_TOTAL:,}); refused")

    def _check_member(self, info: zipfile.ZipInfo, limit: int | None = None) -> None:
        name = info.filename
        limit = MAX_PART if limit is None else limit
        if info.flag_bits & 0x1:
            raise ReadError(f"{self.path}: part {name} is encrypted; refused")
        if info.compress_type not in _METHODS:
            method = _METHOD_NAMES.get(info.compress_type, f"method {info.compress_type}")
            raise ReadError(f"{self.path}: part {name} is compressed with {method}, which "
                            ".xlsx workbooks do not use; refused")
        if info.file_size > limit:
            raise ReadError(f"{self.path}: part {name} would inflate to {info.file_size:,} "
                            f"bytes (more than {limit:,}); refused")
        if info.file_size > max(RATIO_FLOOR, MAX_RATIO * info.compress_size):
            raise ReadError(
                f"{self.path}: part {name} would inflate {info.file_size:,} bytes from "
                f"{info.compress_size:,} (a zip bomb); refused"
            )

    # ------------------------------------------------------------------ reading

    def chunks(self, name: str, limit: int | None = None) -> Iterator[bytes]:
        """Inflate one member piece by piece, checked, never beyond its declared size."""
        try:
            info = self.zf.getinfo(name)
        except KeyError:
            raise ReadError(f"{self.path}: not an .xlsx workbook (no part {name})") from None
        self._check_member(info, limit)
        self._inflated += info.file_size
        if self._inflated > MAX_TOTAL:
            raise ReadError(f"{self.path}: the parts would inflate to more than "
                            f"{MAX_TOTAL:,} bytes in all; refused")
        got = 0
        carry = b""
        text_carry = ""
        decoder = None
        try:
            with self.zf.open(info) as fh:
                while True:
                    chunk = fh.read(CHUNK)
                    if not chunk:
                        break
                    got += len(chunk)
                    if got > info.file_size:  # zipfile stops there; this is a second guard
                        raise ReadError(f"{self.path}: part {name} inflates beyond its "
                                        "declared size; refused")
                    if got == len(chunk):
                        codec = xml_codec(chunk, f"{self.path}: part {name}")
                        if codec:
                            decoder = codecs.getincrementaldecoder(codec)("replace")
                    if decoder is None:
                        _check_declarations(carry + chunk, name, self.path)
                        carry = chunk[-16:]
                    else:
                        text = decoder.decode(chunk)
                        _check_declarations(text_carry + text, name, self.path)
                        text_carry = text[-16:]
                    yield chunk
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError,
                NotImplementedError, RuntimeError, struct.error) as exc:
            raise ReadError(f"{self.path}: damaged .xlsx workbook (part {name}: "
                            f"{_one_line(exc)})") from None
        if got != info.file_size:
            raise ReadError(f"{self.path}: damaged .xlsx workbook (part {name} holds "
                            f"{got:,} of its {info.file_size:,} bytes)")

    def read(self, name: str, limit: int | None = None) -> bytes:
        """One member's bytes, checked (see ``chunks``)."""
        return b"".join(self.chunks(name, limit))

    def xml(self, name: str) -> Element:
        """One small member parsed as an XML tree, DTDs and entities forbidden."""
        return parse_xml(self.read(name, MAX_TREE), f"{self.path}: part {name}")

    def scan(self) -> None:
        """Inflate every member once (CRC, sizes, declarations), keeping nothing."""
        self.check_sizes()
        for info in self.zf.infolist():
            if not info.is_dir():
                for _ in self.chunks(info.filename):
                    pass

    # ------------------------------------------------------------------ structure

    def rels(self, part: str) -> dict[str, str]:
        """Relationship id -> target part of ``part`` ('' for the package)."""
        folder, name = posixpath.split(part)
        rels_part = posixpath.join(folder, "_rels", name + ".rels")
        if not self.exists(rels_part):
            return {}
        out = {}
        for rel in self.xml(rels_part).findall("rel:Relationship", _NS):
            target = rel.get("Target", "")
            if rel.get("TargetMode") == "External":
                continue
            if target.startswith("/"):
                out[rel.get("Id", "")] = target.lstrip("/")
            else:
                out[rel.get("Id", "")] = posixpath.normpath(posixpath.join(folder, target))
        return out

    def workbook_part(self) -> str:
        """The spreadsheet's main part; other Office and OpenDocument files are named."""
        targets = list(self.rels("").values())
        for target in targets:
            base = posixpath.basename(target)
            if "workbook" in base and target.endswith(".xml"):
                return target
        if self.exists("xl/workbook.xml"):
            return "xl/workbook.xml"
        kind = _document_kind(targets, self)
        raise ReadError(f"{self.path}: {kind}, not an .xlsx workbook")

    def sheets(self) -> tuple[Element, dict[str, str], list[tuple[str, str, bool]]]:
        """The workbook element, its relationships, and (name, part, hidden) of each sheet.

        Every sheet listed must have its part in the package.
        """
        wb_part = self.workbook_part()
        root = self.xml(wb_part)
        rels = self.rels(wb_part)
        out = []
        for el in root.findall("m:sheets/m:sheet", _NS):
            name = el.get("name", "")
            part = rels.get(el.get(_R_ID, ""), "")
            if not part or not self.exists(part):
                raise ReadError(f"{self.path}: sheet {name!r} is listed but its part "
                                f"{part or '(none)'} is missing")
            out.append((name, part, el.get("state") in ("hidden", "veryHidden")))
        if not out:
            raise ReadError(f"{self.path}: not an .xlsx workbook (it lists no sheets)")
        return root, rels, out


def _document_kind(targets: list[str], z: SafeZip) -> str:
    folders = {t.split("/", 1)[0] for t in targets}
    if "word" in folders or z.exists("word/document.xml"):
        return "a Word document (.docx)"
    if "ppt" in folders or z.exists("ppt/presentation.xml"):
        return "a PowerPoint presentation (.pptx)"
    if any(t.endswith("workbook.bin") for t in targets) or z.exists("xl/workbook.bin"):
        return "a binary Excel workbook (.xlsb)"
    if z.exists("mimetype") and z.zf.getinfo("mimetype").file_size < 200:
        mime = z.read("mimetype").decode("ascii", "replace").strip()
        if "opendocument" in mime:
            return f"an OpenDocument file ({mime.rsplit('.', 1)[-1]})"
    return "a zip archive without a workbook part (xl/workbook.xml)"


def parse_xml(data: bytes, where: str) -> Element:
    """Parse XML with DTDs, entities and external references forbidden."""
    try:
        return DET.fromstring(data, forbid_dtd=True)
    except defusedxml.DefusedXmlException:
        raise ReadError(f"{where} declares a DTD or XML entities; refused") from None
    except ParseError as exc:
        raise ReadError(f"{where} is malformed XML ({exc})") from None


def check(path: Path | str, deep: bool = False) -> None:
    """Structural checks of a workbook (sizes, kind, sheets); ``deep`` inflates every part.

    The quick check reads only the directory, the relationships and the workbook part; the
    deep one also proves that every member inflates within its size with a good CRC and holds
    no DTD, which is what must be true before a file is handed to a spreadsheet engine.
    """
    with SafeZip(path) as z:
        z.check_sizes()
        z.sheets()
        if deep:
            z.scan()


def _check_declarations(data: bytes | str, name: str, path: Path) -> None:
    if isinstance(data, str):
        found = "<!" in data and _DECLARATION_TEXT.search(data)
    else:
        found = b"<!" in data and _DECLARATION.search(data)
    if found:
        raise ReadError(f"{path}: part {name} declares a DTD or XML entities "
                        "(an entity bomb or external entity); refused")


def xml_codec(head: bytes, where: str) -> str | None:
    """The codec to decode a part with before searching it, None if its bytes will do.

    Bytes will do for every encoding in which markup is ASCII (UTF-8, Latin-1, Shift-JIS...);
    UTF-16 and UTF-32 are decoded; UTF-7 and EBCDIC, which can spell markup in other bytes,
    are refused, and so is an encoding Python does not know.
    """
    for magic, codec in WIDE_XML:
        if head.startswith(magic):
            return codec
    if head.startswith(_EBCDIC):
        raise ReadError(f"{where} is XML in EBCDIC; refused")
    m = _DECL_ENCODING.match(head)
    if m is None:
        return None
    declared = m.group(1).decode("ascii", "replace").strip()
    try:
        codec = codecs.lookup(declared).name
    except LookupError:
        raise ReadError(f"{where} is XML in an unknown encoding {declared!r}; refused") from None
    if codec.startswith(("utf-16", "utf-32")):
        return codec
    if codec == "utf-7" or "<!DOCTYPE".encode(codec, "replace") != b"<!DOCTYPE":
        raise ReadError(f"{where} is XML in {declared}, which can hide markup; refused")
    return None


def as_utf8(data: bytes, where: str) -> bytes:
    """A part's bytes in UTF-8 (decoded first when it is UTF-16 or UTF-32)."""
    codec = xml_codec(data[:256], where)
    if codec is None:
        return data
    return data.decode(codec, "replace").encode("utf-8")


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__

