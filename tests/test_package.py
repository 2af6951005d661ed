"""The package check inside ``verify``: what Excel would refuse or repair fails with one line
naming the part, before any number is compared; sound packages of every experiment (and
their copies saved by LibreOffice and Gnumeric, in ``tests/test_fuzz.py``) pass.

Each damaged package below is made from a small workbook of every registered experiment by
one text edit of one part, so a new experiment is judged the same way.
"""

from __future__ import annotations

import re
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from sheetsim import experiments
from sheetsim.check import package
from sheetsim.cli import cli
from sheetsim.xlsx import reader

from .fuzzing import Seeded, mutate, read_members
from .helpers import SMALL_SHAPES, build, sheet_part

NAMES = list(experiments.REGISTRY)


@pytest.fixture(scope="module")
def books(tmp_path_factory) -> dict[str, Path]:
    """A small workbook of every registered experiment."""
    folder = tmp_path_factory.mktemp("package")
    return {name: build(experiments.resolve(e, flags=SMALL_SHAPES.get(name, {})),
                        folder / f"{name}.xlsx")
            for name, e in experiments.REGISTRY.items()}


def members(path: Path) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(path) as zf:
        return [(i.filename, zf.read(i)) for i in zf.infolist()]


def damaged(src: Path, dst: Path, part: str, edit: Callable[[str], str | None],
            extra: dict[str, bytes] | None = None) -> Path:
    """``src`` with ``part``'s text edited (None drops the part) and ``extra`` parts added;
    the edit must change something."""
    out = []
    found = False
    for name, data in members(src):
        if name == part:
            found = True
            text = data.decode()
            new = edit(text)
            assert new != text, f"the edit of {part} changed nothing"
            if new is None:
                continue
            data = new.encode()
        out.append((name, data))
    assert found or part == "", part
    out += list((extra or {}).items())
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in out:
            zf.writestr(name, data)
    return dst


def first_worksheet(book: Path) -> str:
    """The part of the workbook's first sheet."""
    with zipfile.ZipFile(book) as zf:
        first = re.search(r'<sheet [^>]*name="([^"]+)"', zf.read("xl/workbook.xml").decode())
    assert first
    return sheet_part(book, first.group(1).replace("&amp;", "&"))


def one_line(book: Path, *flags: str) -> tuple[int, str]:
    """``sheetsim verify BOOK -q``: its exit status and its one line (checked: no traceback,
    nothing else printed)."""
    result = CliRunner().invoke(cli, ["verify", str(book), *(flags or ("-q",))])
    assert "Traceback" not in result.output
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert len(lines) == 1, result.output
    return result.exit_code, lines[0]


# ------------------------------------------------------------------ the two of the issue

@pytest.mark.parametrize("name", NAMES)
def test_a_worksheet_without_its_override_fails_in_one_line(books, name, tmp_path):
    part = first_worksheet(books[name])
    book = damaged(books[name], tmp_path / "ct.xlsx", "[Content_Types].xml", lambda t: re.sub(
        rf'<Override PartName="/{re.escape(part)}"[^>]*/>', "", t))
    code, line = one_line(book)
    assert code == 1, line
    assert line.startswith(f"FAILED: package: {part} ") and "content type" in line, line
    if name == "init":  # the full report of a refused package is that line too
        assert one_line(book, "--timeout", "900") == (code, line)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("rels", ["xl/_rels/workbook.xml.rels",
                                  "xl/worksheets/_rels/sheet1.xml.rels"])
def test_a_relationship_to_sheet999_fails_in_one_line(books, name, rels, tmp_path):
    """The workbook's relationship of its first worksheet (the reader cannot read that sheet:
    exit 2) or a worksheet's relationship of its drawing (Excel would drop the drawing:
    exit 1) pointing to worksheets/sheet999.xml."""
    def edit(text: str) -> str:
        return re.sub(r'Target="[^"]*"', 'Target="/xl/worksheets/sheet999.xml"', text, count=1)

    if rels not in dict(members(books[name])):
        pytest.skip(f"the {name} workbook's first sheet has no relationships")
    code, line = one_line(damaged(books[name], tmp_path / "rel.xlsx", rels, edit))
    assert code in (1, 2), line
    assert "xl/worksheets/sheet999.xml" in line, line
    if code == 1:
        assert line.startswith(f"FAILED: package: {rels}: relationship "), line
    else:
        assert line.startswith("sheetsim: error: "), line


# ------------------------------------------------------------------ every rule, every experiment

def _retype(text: str) -> str:
    return text.replace("spreadsheetml.worksheet+xml", "spreadsheetml.chartsheet+xml", 1)


def _dimension(ref: str) -> Callable[[str], str]:
    return lambda t: re.sub(r'<dimension ref="[^"]*"', f'<dimension ref="{ref}"', t, count=1)


def _style(t: str) -> str:
    return re.sub(r' s="\d+"', ' s="4000"', t, count=1)


def _string(t: str) -> str:
    return re.sub(r'(t="s"[^>]*>)<v>\d+</v>', r"\g<1><v>99999</v>", t, count=1)


def _kind(t: str) -> str:
    return re.sub(r'<c r="([A-Z]+\d+)"', r'<c r="\1" t="zz"', t, count=1)


def _scope(t: str) -> str:
    return t.replace("<definedName name=", '<definedName localSheetId="99" name=', 1)


def _name_sheet(t: str) -> str:
    return re.sub(r"(<definedName [^>]*>)[^<]*", r"\1Nowhere!$A$1", t, count=1)


def _font(t: str) -> str:
    return re.sub(r'(<cellXfs[^>]*>\s*<xf [^>]*?)fontId="\d+"', r'\1fontId="999"', t, count=1)


def _chart_sheet(t: str) -> str:
    return re.sub(r"<c:f>('?)[^!<']+'?!", r"<c:f>'Nowhere'!", t, count=1)


def _drawing_id(t: str) -> str:
    return re.sub(r'r:id="[^"]*"', 'r:id="rId77"', t, count=1)


def _sheet_drawing_id(t: str) -> str:
    return re.sub(r'<drawing r:id="[^"]*"', '<drawing r:id="rId77"', t, count=1)


def _hide_all(t: str) -> str:
    t = re.sub(r'(<sheet [^>]*?) state="[^"]*"', r"\1", t)
    return re.sub(r"<sheet name=", '<sheet state="hidden" name=', t)


def _twin_sheets(t: str) -> str:
    names = re.findall(r'<sheet name="([^"]+)"', t)
    return t.replace(f'<sheet name="{names[1]}"', f'<sheet name="{names[0].upper()}"', 1)


def _active_tab(t: str) -> str:
    return re.sub(r"<workbookView ", '<workbookView activeTab="500" ', t, count=1)


def _duplicate_override(t: str) -> str:
    first = re.search(r"<Override [^>]*/>", t)
    assert first
    return t.replace(first.group(0), first.group(0) * 2, 1)


def _rels_target(t: str) -> str:
    return re.sub(r'Target="[^"]*"', 'Target="/_rels/.rels"', t, count=1)


def _duplicate_id(t: str) -> str:
    assert t.count("<Relationship ") >= 2
    return re.sub(r'Id="rId\d+"', 'Id="rId1"', t)


ORPHAN = {"xl/orphan.xml": b"<x/>"}
DEFECTS: dict[str, tuple[str, Callable[[str], str | None], str, dict[str, bytes] | None]] = {
    "no [Content_Types].xml": ("[Content_Types].xml", lambda t: None, "no [Content_Types].xml",
                               None),
    "wrong content type": ("[Content_Types].xml", _retype, "is a worksheet part but its "
                           "content type is", None),
    "two overrides of a part": ("[Content_Types].xml", _duplicate_override, "two content types",
                                None),
    "a part no relationship reaches": ("", lambda t: t, "xl/orphan.xml is not the target of "
                                       "any relationship", ORPHAN),
    "relationships of a missing part": ("", lambda t: t, "holds the relationships of "
                                        "xl/missing.xml", {"xl/_rels/missing.xml.rels": b""}),
    "a relationship to a relationships part": ("xl/_rels/workbook.xml.rels", _rels_target,
                                               "points to the relationships part", None),
    "two relationships with one id": ("xl/drawings/_rels/drawing1.xml.rels", _duplicate_id,
                                      "has two relationships 'rId1'", None),
    "dimension short of the cells": ("@sheet", _dimension("A1:A1"), "does not cover its cells",
                                     None),
    "malformed dimension": ("@sheet", _dimension("B3:"), "malformed dimension", None),
    "dimension beyond the grid": ("@sheet", _dimension("A1:XFE1"), "beyond the grid", None),
    "style index out of range": ("@sheet", _style, "names style '4000'", None),
    "unknown cell type": ("@sheet", _kind, "unknown type 'zz'", None),
    "shared string out of range": ("@strings", _string, "names shared string '99999'", None),
    "drawing relationship missing": ("@drawing", _sheet_drawing_id, "names relationship "
                                     "'rId77'", None),
    "chart relationship missing": ("xl/drawings/drawing1.xml", _drawing_id, "names "
                                   "relationship 'rId77'", None),
    "chart of a missing sheet": ("xl/charts/chart1.xml", _chart_sheet, "plots sheet 'Nowhere'",
                                 None),
    "defined name of a missing sheet scope": ("xl/workbook.xml", _scope, "belongs to sheet '99'",
                                              None),
    "defined name of a missing sheet": ("xl/workbook.xml", _name_sheet, "refers to sheet "
                                        "'Nowhere'", None),
    "two sheets of one name": ("xl/workbook.xml", _twin_sheets, "has two sheets named", None),
    "every sheet hidden": ("xl/workbook.xml", _hide_all, "has no visible sheet", None),
    "active tab beyond the sheets": ("xl/workbook.xml", _active_tab, "activeTab '500'", None),
    "a font out of range": ("xl/styles.xml", _font, "names fontId '999'", None),
}
"""Kind → (part to edit: a name, '@sheet' the first worksheet, '@strings' a worksheet with a
shared string, '@drawing' the worksheet with the drawing, '' none), the edit, what the one
line says, parts to add."""


def _part(book: Path, which: str) -> str:
    if not which.startswith("@"):
        return which
    parts = dict(members(book))
    sheets = sorted((n for n in parts if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n)),
                    key=lambda n: int(re.sub(r"\D", "", n)))
    needle = {"@sheet": b"<dimension ", "@strings": b't="s"', "@drawing": b"<drawing "}[which]
    found = [n for n in sheets if needle in parts[n]]
    if not found:
        pytest.skip(f"no worksheet of this workbook has {needle.decode()}")
    return found[0]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("kind", list(DEFECTS))
def test_a_package_excel_would_refuse_or_repair_fails_in_one_line(books, name, kind, tmp_path):
    which, edit, says, extra = DEFECTS[kind]
    book = books[name]
    parts = dict(members(book))
    part = _part(book, which)
    if part and part not in parts:
        pytest.skip(f"the {name} workbook has no {part}")
    code, line = one_line(damaged(book, tmp_path / "bad.xlsx", part, edit, extra))
    assert code == 1, line
    assert line.startswith("FAILED: package: ") and says in line, line
    assert line.endswith(f"({tmp_path / 'bad.xlsx'})"), line


@pytest.mark.parametrize("name", NAMES)
def test_sound_packages_pass(books, name):
    found = package.check(books[name])
    reader.read(books[name], inspect=found.sheet)
    assert found.sound, found.problems


def test_a_lying_dimension_that_covers_the_cells_passes(books, tmp_path):
    """A dimension larger than the cells is only a hint (Excel recomputes it)."""
    part = _part(books["init"], "@sheet")
    book = damaged(books["init"], tmp_path / "wide.xlsx", part, _dimension("A1:XFD1048576"))
    code, line = one_line(book)
    assert code == 0 and line.startswith("OK: "), line


@pytest.mark.slow
def test_the_package_check_of_the_default_workbook_is_fast(default_book, monkeypatch):
    """Well under a second of CPU (the machine may be shared): the structure once, and each
    sheet's facts found and judged as the reader reads it (the reading itself is not
    counted)."""
    spent = [0.0]
    facts_of = reader.sheet_facts

    def timed_facts(*args, **kwargs):
        start = time.process_time()
        try:
            return facts_of(*args, **kwargs)
        finally:
            spent[0] += time.process_time() - start

    monkeypatch.setattr(reader, "sheet_facts", timed_facts)
    timings = []
    for _ in range(3):
        spent[0] = 0.0
        start = time.process_time()
        found = package.check(default_book)
        spent[0] += time.process_time() - start

        def judged(name: str, part: str, facts: reader.SheetFacts,
                   found: package.Package = found) -> None:
            start = time.process_time()
            found.sheet(name, part, facts)
            spent[0] += time.process_time() - start

        reader.read(default_book, inspect=judged)
        timings.append(spent[0])
        assert found.sound, found.problems
    assert min(timings) < 0.5, timings


# ------------------------------------------------------------------ agreement with openxml-audit

AUDITED_KINDS = ["[Content_Types].xml", "relationships", "deleted member", "renamed member",
                 "dimension", "string indexes", "styles", "drawings and charts",
                 "defined names", "cell attributes"]
"""The fuzzing's kinds of damage to the package (``tests/fuzzing.py``)."""
PER_BOOK = 4
"""Mutants of each experiment's workbook: openxml-audit takes a second or so on each."""


def test_verify_refuses_what_openxml_audit_flags(books, tmp_path):
    """openxml-audit (the Open XML SDK's rules) judges mutants of each experiment's workbook:
    whatever it flags, verify refuses too (exit 1 or 2). verify refuses more than it flags
    (a dimension short of its cells, a style or string index out of range, a defined name of
    a missing sheet are schema-valid), never less."""
    import openxml_audit as oa

    validator = oa.OpenXmlValidator(file_format=oa.FileFormat["MICROSOFT_365"], max_errors=5)
    flagged = 0
    turn = 0
    for name, book in books.items():
        assert validator.validate(book).error_count == 0, name
        members, raw = read_members(book), book.read_bytes()
        for i in range(PER_BOOK):  # the kinds in turn over the books
            kind = AUDITED_KINDS[turn % len(AUDITED_KINDS)]
            turn += 1
            path = tmp_path / f"{name}-{i}.xlsx"
            path.write_bytes(mutate(Seeded(i), kind, members, raw))
            try:
                errors = [(e.part_uri, e.description) for e in validator.validate(path).errors]
            except Exception as exc:  # noqa: BLE001  (openxml-audit could not read it at all)
                errors = [("", repr(exc))]
            if errors:
                flagged += 1
                code, line = one_line(path)
                assert code in (1, 2), (name, kind, errors, line)
    assert flagged >= len(books), flagged


@pytest.mark.parametrize("name", NAMES)
def test_a_control_named_over_a_whole_column_fails_in_one_line(books, name, tmp_path):
    """A control's defined name widened to a million cells (found by the long fuzzing run:
    every formula reading it then reads the whole column) is refused before any formula is
    evaluated."""
    exp = experiments.REGISTRY[name]
    control = next(c for c in exp.controls(experiments.resolve(
        exp, flags=SMALL_SHAPES.get(name, {}))) if not c.fixed)

    def widen(text: str) -> str:
        return re.sub(rf'(<definedName name="{control.name}"[^>]*>[^<]*?)(\$[A-Z]+\$)(\d+)<',
                      r"\1\2\3:\g<2>1048576<", text, count=1, flags=re.I)

    book = damaged(books[name], tmp_path / "wide.xlsx", "xl/workbook.xml", widen)
    code, line = one_line(book)
    assert code == 1, line
    assert line.startswith(f"FAILED: control {control.name} names ") and "not one cell" in line
    assert "1048576" in line
