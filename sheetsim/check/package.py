"""The package as Excel reads it first: parts, content types, relationships, and the
workbook's own indexes, judged before any number is.

A package that Excel refuses, or opens only after a "repair" that drops parts (a teacher
then sees an empty sheet), fails verification whatever its numbers say. What is judged:

- every part has a content type, and a part that plays a known role (the workbook, a
  worksheet, the styles, a chart...) has the content type of that role;
- every relationship is well formed and its internal target exists; every part is reached
  from the package's relationships; every relationships part belongs to a part;
- the workbook: sheet names, ids and relationships; defined names (scope, text, the
  sheets they name); the view's active sheet; at least one visible sheet;
- the styles: each cell format's font, fill, border and cell style in range;
- each sheet (judged while the reader reads it, :meth:`Package.sheet`): its dimension
  covers its cells, its style and shared-string indexes are in range, its cell types are
  known, and the relationships it names exist;
- drawings and charts: the relationships they name exist, and the sheets a chart's
  series read exist.

The clauses cited are those of ECMA-376 (Part 1 numbered as in ISO/IEC 29500-1, Part 2
the Open Packaging Conventions with its conformance requirements [Mx.y]).

Only what the file holds is judged here, nothing about how sheetsim writes it: a copy
saved by Excel, LibreOffice or Gnumeric passes as sheetsim's own does. A part the reader
cannot read at all (not a zip, an XML bomb, a sheet it cannot find) stays a ReadError.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree as DET

from sheetsim.xlsx.cells import GRID_COLS, GRID_ROWS, parse_range
from sheetsim.xlsx.reader import SheetFacts
from sheetsim.xlsx.safezip import MAX_TREE, ReadError, SafeZip, as_utf8

CONTENT_TYPES = "[Content_Types].xml"
_CT = "{http://schemas.openxmlformats.org/package/2006/content-types}"
_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_M = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_R_NS = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_OFFICE = "application/vnd.openxmlformats-officedocument."
_SML = _OFFICE + "spreadsheetml."

ROLES: dict[str, tuple[str, ...]] = {
    "officeDocument": (_SML + "sheet.main+xml", _SML + "template.main+xml",
                       "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
                       "application/vnd.ms-excel.template.macroEnabled.main+xml"),
    "worksheet": (_SML + "worksheet+xml",),
    "chartsheet": (_SML + "chartsheet+xml",),
    "sharedStrings": (_SML + "sharedStrings+xml",),
    "styles": (_SML + "styles+xml",),
    "theme": (_OFFICE + "theme+xml",),
    "drawing": (_OFFICE + "drawing+xml",),
    "chart": (_OFFICE + "drawingml.chart+xml",),
    "comments": (_SML + "comments+xml",),
    "vmlDrawing": (_OFFICE + "vmlDrawing",),
    "core-properties": ("application/vnd.openxmlformats-package.core-properties+xml",),
    "extended-properties": (_OFFICE + "extended-properties+xml",),
    "custom-properties": (_OFFICE + "custom-properties+xml",),
}
"""Relationship type (its last segment) → the content types a part in that role may have
(ECMA-376 Part 1, §12.3 and §15.2: each part type names its content type)."""
RELS_TYPE = "application/vnd.openxmlformats-package.relationships+xml"
CELL_TYPES = frozenset({"b", "d", "e", "inlineStr", "n", "s", "str"})
"""ST_CellType (ECMA-376 Part 1, §18.18.11)."""
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
_NAME_RE = re.compile(r"[A-Za-z_\\][\w.\\?]*")
_CELL_LIKE = re.compile(r"(?i)(\$?[a-z]{1,3}\$?[0-9]+|r[0-9]*c[0-9]*|[rc])")
_SHEET_REF = re.compile(r"'((?:[^']|'')+)'!|([^\s'!\"(),;:=+\-*/^&<>{}#]+)!")
_STRING = re.compile(r'"[^"]*"|#(?:NULL!|DIV/0!|VALUE!|REF!|NAME\?|NUM!|N/A)')
"""Text literals and error values: no sheet reference is inside either."""
_CHART_F = re.compile(rb"<(?:[\w.-]+:)?f>([^<]*)</(?:[\w.-]+:)?f>")
_XMLNS = re.compile(rb"""xmlns:([\w.-]+)=["']([^"'<>]*)["']""")


class PackageProblem(Exception):
    """One thing Excel would refuse or repair: a line naming the part."""


@dataclass
class Package:
    """The package of one workbook, judged; ``problems`` lists what Excel would refuse or
    repair, each one line naming the part. Sheets are judged as the reader reads them:
    pass :meth:`sheet` to ``reader.read(..., inspect=...)``."""

    path: Path
    problems: list[str] = field(default_factory=list)
    parts: dict[str, str] = field(default_factory=dict)
    """Lower-cased part name → the part's name in the archive."""
    rels: dict[str, dict[str, tuple[str, str]]] = field(default_factory=dict)
    """Source part ('' for the package) → relationship id → (type, target part)."""
    sheet_names: list[str] = field(default_factory=list)
    cell_formats: int = 0
    strings: int = 0

    @property
    def sound(self) -> bool:
        """Nothing found that Excel would refuse or repair."""
        return not self.problems

    def verdict(self) -> str:
        """The first problem, with how many more there are: one line."""
        more = len(self.problems) - 1
        first = self.problems[0]
        return f"package: {first}" + (f" (and {more} more package problems)" if more else "")

    # ------------------------------------------------------------------ sheets

    def sheet(self, name: str, part: str, facts: SheetFacts) -> None:
        """Judge one sheet part from the facts the reader found in it."""
        try:
            self._sheet(part, facts)
        except PackageProblem as exc:
            self.problems.append(str(exc))

    def _sheet(self, part: str, facts: SheetFacts) -> None:
        if facts.dimension is not None:
            # dimension (§18.3.1.35): an ST_Ref (§18.18.62) within the grid, and "the range
            # that would contain all c elements written under sheetData"
            try:
                r0, c0, rows, cols = parse_range(facts.dimension)
            except ValueError:
                raise PackageProblem(f"{part} has a malformed dimension "
                                     f"{facts.dimension[:40]!r}") from None
            if r0 + rows > GRID_ROWS or c0 + cols > GRID_COLS:
                raise PackageProblem(f"{part} has a dimension {facts.dimension[:40]} beyond "
                                     "the grid")
            if facts.bounds is not None:
                fr, fc, lr, lc = facts.bounds
                if fr < r0 or fc < c0 or lr >= r0 + rows or lc >= c0 + cols:
                    raise PackageProblem(f"{part} has a dimension {facts.dimension} that does "
                                         "not cover its cells")
        # c@s (§18.3.1.4): a zero-based index into cellXfs (§18.8.10)
        for text in facts.styles:
            if not text.isdigit() or int(text) >= max(self.cell_formats, 1):
                raise PackageProblem(f"{part} names style {text[:20]!r}, but "
                                     f"xl/styles.xml has {self.cell_formats} cell formats")
        bad = [k for k in facts.kinds if k not in CELL_TYPES]
        if bad:
            raise PackageProblem(f"{part} has a cell of unknown type {bad[0][:20]!r}")
        # a t="s" cell's value is a zero-based index into the shared string table (§18.4.9)
        for text in facts.strings:
            if not text.isdigit() or int(text) >= self.strings:
                raise PackageProblem(f"{part} names shared string {text[:20]!r}, but the "
                                     f"table holds {self.strings}")
        own = self.rels.get(part, {})
        for rid in facts.relationships:
            if rid not in own:
                raise PackageProblem(f"{part} names relationship {rid[:40]!r}, which its "
                                     "relationships part does not have")


def check(path: Path | str) -> Package:
    """Judge the package of the workbook at ``path`` (all but its sheets' cells).

    Raises ReadError, as the reader does, for what cannot be read at all; everything else
    Excel would refuse or repair is a problem of the returned Package.
    """
    pkg = Package(Path(path))
    with SafeZip(pkg.path) as z:
        z.check_sizes()
        z.sheets()  # what the reader needs first: its own one-line refusals come first
        try:
            _judge(z, pkg)
        except PackageProblem as exc:
            pkg.problems.append(str(exc))
    return pkg


def _judge(z: SafeZip, pkg: Package) -> None:
    names = [i.filename for i in z.zf.infolist() if not i.is_dir()]
    pkg.parts = {n.lower(): n for n in names}
    types = _content_types(z, pkg)
    rels_parts = [n for n in names if _is_rels(n)]
    for rels_part in rels_parts:
        source = _source_of(rels_part)
        if source and source.lower() not in pkg.parts:
            # a relationships part describes the part of its name (Part 2, §9.3.1)
            raise PackageProblem(f"{rels_part} holds the relationships of {source}, which "
                                 "the package does not have")
        pkg.rels[_name(pkg, source)] = _relationships(z, pkg, rels_part, source)
    for name in names:
        if name == CONTENT_TYPES:
            continue
        if _type_of(types, name) is None:
            # [M2.4]: the Content Types stream gives every part a content type (a Default
            # for its extension or an Override for its name); Excel refuses the file
            raise PackageProblem(f"{name} has no content type in {CONTENT_TYPES}")
        if _is_rels(name) and _type_of(types, name) != RELS_TYPE:
            raise PackageProblem(f"{name} is a relationships part but its content type is "
                                 f"{_type_of(types, name)}")
    roles = _reach(pkg)
    for name in names:
        if name != CONTENT_TYPES and not _is_rels(name) and name not in roles:
            # Part 1, §9.1.6 (1st edition): a part no relationship reaches is an unknown
            # part, ignored on reading: what it holds is lost
            raise PackageProblem(f"{name} is not the target of any relationship (Excel "
                                 "ignores it)")
    for name, role in roles.items():
        allowed = ROLES.get(role)
        if allowed and _type_of(types, name) not in allowed:
            raise PackageProblem(f"{name} is a {role} part but its content type is "
                                 f"{_type_of(types, name)}")
    workbook = next(n for n, r in roles.items() if r == "officeDocument")
    styles = _targets(pkg, workbook, "styles")
    strings = _targets(pkg, workbook, "sharedStrings")
    if styles:
        pkg.cell_formats = _styles(z, styles[0])
    if strings:
        pkg.strings = _count_strings(z, strings[0])
    _workbook(z, pkg, workbook)
    for name, role in roles.items():
        if role in ("drawing", "chart"):
            _references(z, pkg, name, role)


# ------------------------------------------------------------------ parts and types

def _is_rels(name: str) -> bool:
    folder, base = posixpath.split(name)
    return posixpath.basename(folder) == "_rels" and base.endswith(".rels")


def _source_of(rels_part: str) -> str:
    """The part whose relationships ``rels_part`` holds ('' for the package's)."""
    folder, base = posixpath.split(rels_part)
    return posixpath.join(posixpath.dirname(folder), base[: -len(".rels")]).lstrip("/")


def _name(pkg: Package, part: str) -> str:
    """The archive's spelling of ``part`` (part names compare ignoring case, Part 2 §8.1.1.1)."""
    return pkg.parts.get(part.lower(), part)


def _tree(z: SafeZip, part: str) -> Element:
    """A small part as an XML tree; malformed XML is a problem (Excel refuses the part)."""
    data = z.read(part, MAX_TREE)
    try:
        return DET.fromstring(data, forbid_dtd=True)
    except defusedxml.DefusedXmlException:
        raise ReadError(f"{z.path}: part {part} declares a DTD or XML entities; "
                        "refused") from None
    except ParseError as exc:
        raise PackageProblem(f"{part} is malformed XML ({exc})") from None


def _content_types(z: SafeZip, pkg: Package) -> dict[str, dict[str, str]]:
    """Defaults (extension → type) and overrides (part → type), both lower-cased keys."""
    if CONTENT_TYPES.lower() not in pkg.parts:
        raise PackageProblem(f"the package has no {CONTENT_TYPES}")
    root = _tree(z, pkg.parts[CONTENT_TYPES.lower()])
    if root.tag != f"{_CT}Types":
        raise PackageProblem(f"{CONTENT_TYPES} is not a Types document")
    out: dict[str, dict[str, str]] = {"default": {}, "override": {}}
    for el in root:
        kind, key = ("default", "Extension") if el.tag == f"{_CT}Default" else (
            "override", "PartName")
        if el.tag not in (f"{_CT}Default", f"{_CT}Override"):
            raise PackageProblem(f"{CONTENT_TYPES} holds an unknown element "
                                 f"{el.tag.rsplit('}', 1)[-1][:40]!r}")
        name = (el.get(key) or "").lower()
        content = el.get("ContentType") or ""
        if not name or not content:
            raise PackageProblem(f"{CONTENT_TYPES} has a {el.tag.rsplit('}', 1)[-1]} "
                                 f"without {key if not name else 'ContentType'}")
        if kind == "override":
            name = unquote(name).lstrip("/")
        if name in out[kind]:
            # [M2.5]: at most one Default per extension and one Override per part name
            raise PackageProblem(f"{CONTENT_TYPES} gives {name[:60]} two content types")
        out[kind][name] = content
    return out


def _type_of(types: dict[str, dict[str, str]], name: str) -> str | None:
    override = types["override"].get(name.lower())
    if override is not None:
        return override
    ext = name.rsplit(".", 1)[-1].lower() if "." in posixpath.basename(name) else ""
    return types["default"].get(ext)


# ------------------------------------------------------------------ relationships

def _relationships(z: SafeZip, pkg: Package, rels_part: str, source: str
                   ) -> dict[str, tuple[str, str]]:
    root = _tree(z, rels_part)
    if root.tag != f"{_REL}Relationships":
        raise PackageProblem(f"{rels_part} is not a Relationships document")
    folder = posixpath.dirname(source)
    out: dict[str, tuple[str, str]] = {}
    for el in root:
        rid, kind, target = el.get("Id"), el.get("Type"), el.get("Target")
        if el.tag != f"{_REL}Relationship" or not rid or not kind or target is None:
            # [M1.26] an Id, [M1.27] a Type, [M1.28] a Target on every Relationship
            raise PackageProblem(f"{rels_part} holds a relationship without its Id, Type "
                                 "or Target")
        if rid in out:
            raise PackageProblem(f"{rels_part} has two relationships {rid[:40]!r} ([M1.26]: "
                                 "an Id is unique in its part)")
        mode = el.get("TargetMode", "Internal")
        if mode not in ("Internal", "External"):
            raise PackageProblem(f"{rels_part}: relationship {rid[:40]} has TargetMode "
                                 f"{mode[:20]!r}")
        if mode == "External":
            out[rid] = (kind, "")
            continue
        # [M1.29]: an internal target is resolved against the source part's folder
        text = unquote(target.split("#", 1)[0])
        resolved = posixpath.normpath(text.lstrip("/") if text.startswith("/")
                                      else posixpath.join(folder, text))
        if resolved.startswith("..") or resolved.lower() not in pkg.parts:
            raise PackageProblem(f"{rels_part}: relationship {rid[:40]} points to "
                                 f"{resolved[:80]}, which the package does not have")
        if _is_rels(resolved):
            # [M1.25]: a relationships part is never the target of a relationship
            raise PackageProblem(f"{rels_part}: relationship {rid[:40]} points to the "
                                 f"relationships part {resolved[:80]}")
        out[rid] = (kind, pkg.parts[resolved.lower()])
    return out


def _role(kind: str) -> str:
    return kind.rstrip("/").rsplit("/", 1)[-1]


def _reach(pkg: Package) -> dict[str, str]:
    """Every part the package's relationships reach, with the role it is reached in."""
    roles: dict[str, str] = {}
    todo = [""]
    while todo:
        source = todo.pop()
        for kind, target in pkg.rels.get(source, {}).values():
            if target and target not in roles:
                roles[target] = _role(kind)
                todo.append(target)
    if "officeDocument" not in roles.values():
        raise PackageProblem("_rels/.rels names no workbook part (officeDocument)")
    return roles


def _targets(pkg: Package, source: str, role: str) -> list[str]:
    return [t for k, t in pkg.rels.get(source, {}).values() if t and _role(k) == role]


# ------------------------------------------------------------------ the workbook

def _workbook(z: SafeZip, pkg: Package, part: str) -> None:
    root = _tree(z, part)
    own = pkg.rels.get(part, {})
    seen: set[str] = set()
    ids: set[str] = set()
    visible = 0
    for el in root.iterfind(f"{_M}sheets/{_M}sheet"):
        # sheet (§18.2.19): a name unique in the workbook, of at most 31 characters and
        # none of []:*?/\ ; a unique sheetId; a relationship to the sheet's part
        name = el.get("name") or ""
        if not name or len(name) > 31 or _BAD_SHEET_CHARS.search(name) or \
                name.startswith("'") or name.endswith("'"):
            raise PackageProblem(f"{part} has a sheet named {name[:40]!r}, which Excel does "
                                 "not allow")
        if name.lower() in seen:
            raise PackageProblem(f"{part} has two sheets named {name!r}")
        seen.add(name.lower())
        sheet_id = el.get("sheetId") or ""
        if not sheet_id.isdigit() or sheet_id in ids or int(sheet_id) == 0:
            raise PackageProblem(f"{part}: sheet {name!r} has a missing, zero or repeated "
                                 f"sheetId {sheet_id[:20]!r}")
        ids.add(sheet_id)
        kind = own.get(el.get(_R_ID) or "", ("", ""))[0]
        if _role(kind) not in ("worksheet", "chartsheet", "dialogsheet", "macrosheet"):
            raise PackageProblem(f"{part}: sheet {name!r} does not lead to a sheet part")
        visible += el.get("state", "visible") == "visible"
        pkg.sheet_names.append(name)
    if not visible:
        raise PackageProblem(f"{part} has no visible sheet")
    for view in root.iterfind(f"{_M}bookViews/{_M}workbookView"):
        for attr in ("activeTab", "firstSheet"):
            value = view.get(attr, "0")
            if not value.isdigit() or int(value) >= len(pkg.sheet_names):
                raise PackageProblem(f"{part}: the workbook view's {attr} {value[:20]!r} is "
                                     f"not one of its {len(pkg.sheet_names)} sheets")
    _defined_names(root, pkg, part)


def _defined_names(root: Element, pkg: Package, part: str) -> None:
    """definedName (§18.2.5): a valid name, unique in its scope; a localSheetId that is a
    sheet's index; a formula whose sheet references name sheets the workbook has."""
    sheets = {s.lower() for s in pkg.sheet_names}
    scopes: set[tuple[str, str]] = set()
    for el in root.iterfind(f"{_M}definedNames/{_M}definedName"):
        name = el.get("name") or ""
        scope = el.get("localSheetId")
        if scope is not None and (not scope.isdigit() or int(scope) >= len(pkg.sheet_names)):
            raise PackageProblem(f"{part}: defined name {name[:40]!r} belongs to sheet "
                                 f"{scope[:20]!r}, which the workbook does not have")
        if not _NAME_RE.fullmatch(name) or _CELL_LIKE.fullmatch(name):
            raise PackageProblem(f"{part} has a defined name {name[:40]!r}, which Excel does "
                                 "not allow")
        key = (scope or "", name.lower())
        if key in scopes:
            raise PackageProblem(f"{part} defines {name!r} twice in one scope")
        scopes.add(key)
        text = (el.text or "").strip()
        if not text:
            raise PackageProblem(f"{part}: defined name {name!r} refers to nothing")
        plain = _STRING.sub('""', text)
        if plain.count('"') % 2 or plain.count("(") != plain.count(")"):
            raise PackageProblem(f"{part}: defined name {name!r} holds a malformed formula")
        for quoted, bare in _SHEET_REF.findall(plain):
            sheet = (quoted.replace("''", "'") if quoted else bare).split(":")[0]
            if sheet.startswith("["):
                continue  # a reference to another workbook
            if sheet.lower() not in sheets:
                raise PackageProblem(f"{part}: defined name {name!r} refers to sheet "
                                     f"{sheet[:40]!r}, which the workbook does not have")


def _styles(z: SafeZip, part: str) -> int:
    """The number of cell formats (cellXfs, §18.8.10); each one's font, fill, border
    (§18.8.22, §18.8.21, §18.8.5) and cell style record (cellStyleXfs) must exist."""
    root = _tree(z, part)

    def count(tag: str, child: str) -> int:
        return len(root.findall(f"{_M}{tag}/{_M}{child}"))

    sizes = {"fontId": count("fonts", "font"), "fillId": count("fills", "fill"),
             "borderId": count("borders", "border"), "xfId": count("cellStyleXfs", "xf")}
    formats = root.findall(f"{_M}cellXfs/{_M}xf")
    for i, xf in enumerate(formats):
        for attr, size in sizes.items():
            value = xf.get(attr)
            if value is not None and (not value.isdigit() or int(value) >= size):
                raise PackageProblem(f"{part}: cell format {i} names {attr} {value[:20]!r}, "
                                     f"but there are {size}")
    return len(formats)


def _count_strings(z: SafeZip, part: str) -> int:
    """The entries of the shared string table (si elements), counted in its bytes."""
    data = as_utf8(z.read(part), f"{z.path}: part {part}")
    return len(re.findall(rb"<(?:[\w.-]+:)?si(?=[\s/>])", data))


# ------------------------------------------------------------------ drawings and charts

def _references(z: SafeZip, pkg: Package, part: str, role: str) -> None:
    """Every relationship a drawing or chart names exists; a chart's series read sheets
    the workbook has."""
    _tree(z, part)
    data = as_utf8(z.read(part, MAX_TREE), f"{z.path}: part {part}")
    own = pkg.rels.get(part, {})
    for prefix, uri in _XMLNS.findall(data):
        if uri != _R_NS:
            continue
        attr = re.compile(rb"\s" + re.escape(prefix) + rb""":[A-Za-z]+=["']([^"'<>]*)""")
        for rid in attr.findall(data):
            if rid.decode("utf-8", "replace") not in own:
                raise PackageProblem(f"{part} names relationship "
                                     f"{rid.decode('utf-8', 'replace')[:40]!r}, which its "
                                     "relationships part does not have")
    if role != "chart":
        return
    sheets = {s.lower() for s in pkg.sheet_names}
    for raw in _CHART_F.findall(data):
        text = _STRING.sub('""', raw.decode("utf-8", "replace").replace("&quot;", '"')
                           .replace("&apos;", "'").replace("&amp;", "&"))
        for quoted, bare in _SHEET_REF.findall(text):
            sheet = quoted.replace("''", "'") if quoted else bare
            if not sheet.startswith("[") and sheet.lower() not in sheets:
                raise PackageProblem(f"{part} plots sheet {sheet[:40]!r}, which the workbook "
                                     "does not have")
