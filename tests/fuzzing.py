"""Mutation fuzzing's parts, shared by ``tests/test_fuzz.py`` (a fixed sample of mutants
in the suite) and ``bench/fuzz.py`` (many mutants, timed): the seed workbooks, the
mutators, and running one command on a mutant in a forked child.

The mutators are plain functions of a ``Source`` of choices and the package's members, so
the suite draws with Hypothesis (``Drawn``) and the long-run driver with its own random
source (``Seeded``).
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import signal
import sys
import tempfile
import time
import traceback
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

Members = list[tuple[str, bytes]]


class Source:
    """Where a mutator's choices come from: Hypothesis in the suite (``Drawn``), a seeded
    ``random.Random`` in the long-run driver (``Seeded``)."""

    def choice(self, items: list[Any]) -> Any:
        """One of ``items``."""
        raise NotImplementedError

    def int(self, low: int, high: int) -> int:
        """A whole number from ``low`` to ``high``."""
        raise NotImplementedError

    def bool(self) -> bool:
        """True or False."""
        return bool(self.int(0, 1))

    def index(self, n: int) -> int:
        """A position in a sequence of ``n`` items (0 when it is empty)."""
        return self.int(0, max(n - 1, 0))


class Drawn(Source):
    """Choices drawn by Hypothesis (``data.draw``): fixed by ``derandomize`` in the suite."""

    def __init__(self, data: Any) -> None:
        self.data = data

    def choice(self, items: list[Any]) -> Any:
        return self.data.draw(st.sampled_from(items))

    def int(self, low: int, high: int) -> int:
        return self.data.draw(st.integers(low, high))


class Seeded(Source):
    """Choices from a seeded ``random.Random``."""

    def __init__(self, seed: int) -> None:
        import random

        self.random = random.Random(seed)

    def choice(self, items: list[Any]) -> Any:
        return self.random.choice(items)

    def int(self, low: int, high: int) -> int:
        return self.random.randint(low, high)

# ------------------------------------------------------------------ seeds

SEED_SHAPES: dict[str, dict[str, Any]] = {
    "init": {"samples": 12, "width": 4, "layers": 2, "bins": 6},
    "descent": {"steps": 6},
    "training": {"samples": 8, "test_samples": 4, "steps": 5},
    "digits": {"steps": 3},
}
"""Shapes smaller still than ``helpers.SMALL_SHAPES`` for the experiments whose mutants are
many: every mutant is verified, in seconds at most."""
VARIANTS: dict[str, tuple[str, dict[str, Any]]] = {
    "init-backward-bn": ("init", {"backward": True, "batchnorm": True, "activation": "relu",
                                  "init": "he"}),
}
"""Seeds beyond one per experiment: name → (experiment, settings on top of its shape)."""
ENGINES = ("libreoffice", "gnumeric")


def seed_settings() -> dict[str, tuple[str, Any]]:
    """Seed name → (experiment, settings): a small workbook of every registered experiment
    (``helpers.SMALL_SHAPES``, smaller where ``SEED_SHAPES`` says) and the ``VARIANTS``. An
    experiment added to the registry is a seed without any change here."""
    from sheetsim import experiments

    from .helpers import SMALL_SHAPES

    def shape(name: str) -> dict[str, Any]:
        return {**SMALL_SHAPES.get(name, {}), **SEED_SHAPES.get(name, {})}

    out = {name: (name, experiments.resolve(e, flags=shape(name)))
           for name, e in experiments.REGISTRY.items()}
    for name, (experiment, flags) in VARIANTS.items():
        out[name] = (experiment, experiments.resolve(experiments.get(experiment),
                                                     flags={**shape(experiment), **flags}))
    return out


def experiment_of(seed: str) -> str:
    """The experiment a seed (``init``, ``init-backward-bn``, ``training.gnumeric``) is of."""
    base = seed.split(".", 1)[0]
    return VARIANTS[base][0] if base in VARIANTS else base


def run_cli(args: list[str]) -> tuple[int, str]:
    """``sheetsim ARGS`` in this process: its exit status and what it wrote to stderr."""
    from sheetsim.cli import cli

    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            cli.main(args, prog_name="sheetsim")
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 0
    return code, err.getvalue()


def make_seeds(folder: Path, engines: tuple[str, ...] = ENGINES,
               variant_copies: bool = True) -> dict[str, Path]:
    """Build the seed workbooks into ``folder`` and re-save each in the given engines (the
    ``VARIANTS`` too unless ``variant_copies`` is false)."""
    from sheetsim.build import writer

    seeds: dict[str, Path] = {}
    for name, (_, settings) in seed_settings().items():
        path = folder / f"{name}.xlsx"
        writer.build(settings, path)
        seeds[name] = path
        for engine in engines if variant_copies or name not in VARIANTS else ():
            out = folder / f"{name}.{engine}.xlsx"
            code, err = run_cli(["recalc", str(path), "--engine", engine, "-o", str(out), "-q"])
            assert code == 0, err
            seeds[f"{name}.{engine}"] = out
    return seeds


def read_members(path: Path) -> Members:
    """The members of the package at ``path``: (name, bytes), in the archive's order."""
    with zipfile.ZipFile(path) as zf:
        return [(i.filename, zf.read(i)) for i in zf.infolist()]


def write_members(members: Members) -> bytes:
    """The bytes of a zip archive of ``members`` (duplicate names kept)."""
    out = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # duplicate names are one of the mutations
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, data in members:
                zf.writestr(name, data)
    return out.getvalue()


# ------------------------------------------------------------------ mutators

def _parts(members: Members, pattern: str) -> list[int]:
    return [i for i, (name, _) in enumerate(members) if re.search(pattern, name)]


def _edit_part(r: Source, members: Members, pattern: str,
               edit: Callable[[Source, str], str]) -> Members:
    """Apply ``edit`` to the text of one part whose name matches ``pattern``."""
    choices = _parts(members, pattern) or list(range(len(members)))
    i = r.choice(choices)
    name, data = members[i]
    text = data.decode("utf-8", "replace")
    out = list(members)
    out[i] = (name, edit(r, text).encode("utf-8", "replace"))
    return out


def _replace_match(r: Source, text: str, pattern: str, new: Callable[[re.Match[str]], str]
                   ) -> str:
    """Replace one match of ``pattern`` (chosen by ``r``) with ``new(match)``."""
    found = list(re.finditer(pattern, text))
    if not found:
        return text
    m = found[r.index(len(found))]
    return text[: m.start()] + new(m) + text[m.end():]


HUGE_REFS = ["XFD1048576", "XFE1", "A1048577", "A0", "AAAA1", "A99999999", "$A$1", "a1",
             "", "B", "1", "ZZ9", "XFD1", "A1048576"]
RANGES = ["A1:XFD1048576", "B3:B1048576", "A1:A1", "Z9:A1", "B3", "B3:", ":", "", "A1:XFE1",
          "B3:IV65536", "C5:D6", "A1:T1000000", "A1:B2:C3"]


def byte_flips(r: Source, members: Members, raw: bytes) -> bytes:
    """A few bytes of the archive itself changed (compressed data, headers, directory)."""
    data = bytearray(raw)
    for _ in range(r.int(1, 8)):
        i = r.index(len(data))
        data[i] ^= r.int(1, 255)
    return bytes(data)


def truncation(r: Source, members: Members, raw: bytes) -> bytes:
    """The archive cut short (or its end cut off and something else appended)."""
    cut = r.index(len(raw))
    tail = r.choice([b"", b"PK\x05\x06", bytes(30), b"garbage"])
    return raw[:cut] + tail


def part_flips(r: Source, members: Members) -> Members:
    """Bytes of one part's inflated XML changed (a damaged writer, a bad disk sector)."""
    i = r.index(len(members))
    name, data = members[i]
    buf = bytearray(data)
    for _ in range(r.int(1, 6)):
        if buf:
            j = r.index(len(buf))
            buf[j] = r.choice([0, 0x3C, 0x3E, 0x22, 0x26, 0x2F, 0x80, 0xFF, 0x41,
                                           0x20, 0x30, 0x39])
    out = list(members)
    out[i] = (name, bytes(buf))
    return out


def part_truncation(r: Source, members: Members) -> Members:
    """One part's XML cut short."""
    i = r.index(len(members))
    name, data = members[i]
    out = list(members)
    out[i] = (name, data[: r.index(len(data) + 1)])
    return out


def deleted_member(r: Source, members: Members) -> Members:
    """One member left out."""
    i = r.index(len(members))
    return members[:i] + members[i + 1:]


def duplicated_member(r: Source, members: Members) -> Members:
    """A member written twice (the second copy maybe different: which one is read?)."""
    i = r.index(len(members))
    name, data = members[i]
    j = r.choice([i, r.index(len(members))])
    copy = (name, data if r.bool() else members[j][1])
    return [*members, copy] if r.bool() else [copy, *members]


def renamed_member(r: Source, members: Members) -> Members:
    """One member under another name (case, a suffix, a path trick, another's name)."""
    i = r.index(len(members))
    name, data = members[i]
    other = members[r.index(len(members))][0]
    new = r.choice([name.upper(), name + ".bak", "/" + name, name.replace("/", "\\"),
                       "../" + name, other, name.replace("xl/", "xl/../xl/"), ""])
    out = list(members)
    out[i] = (new or "x", data)
    return out


def content_types(r: Source, members: Members) -> Members:
    """``[Content_Types].xml`` damaged: an entry dropped or wrong, the text cut short."""
    def edit(r: Source, text: str) -> str:
        op = r.choice(["drop override", "wrong type", "truncate", "empty", "drop default"])
        if op == "drop override":
            return _replace_match(r, text, r"<Override [^>]*/>", lambda m: "")
        if op == "wrong type":
            return _replace_match(r, text, r'ContentType="[^"]*"',
                                  lambda m: 'ContentType="application/x-nonsense"')
        if op == "truncate":
            return text[: r.index(len(text))]
        if op == "drop default":
            return _replace_match(r, text, r"<Default [^>]*/>", lambda m: "")
        return "<Types/>"

    return _edit_part(r, members, r"^\[Content_Types\]\.xml$", edit)


def relationships(r: Source, members: Members) -> Members:
    """A relationship's target, id or mode changed, or the part cut short."""
    def edit(r: Source, text: str) -> str:
        op = r.choice(["target", "drop", "id", "external", "truncate", "duplicate id"])
        if op == "target":
            target = r.choice(["missing.xml", "/xl/nowhere.xml", "../../etc/passwd",
                                  "worksheets/sheet1.xml", "", "styles.xml", "sharedStrings.xml",
                                  "workbook.xml", "http://example.com/x.xml"])
            return _replace_match(r, text, r'Target="[^"]*"', lambda m: f'Target="{target}"')
        if op == "drop":
            return _replace_match(r, text, r"<Relationship [^>]*/>", lambda m: "")
        if op == "id":
            return _replace_match(r, text, r'Id="[^"]*"', lambda m: 'Id="rId999"')
        if op == "external":
            return _replace_match(r, text, r"<Relationship ",
                                  lambda m: '<Relationship TargetMode="External" ')
        if op == "duplicate id":
            return re.sub(r'Id="rId\d+"', 'Id="rId1"', text)
        return text[: r.index(len(text))]

    return _edit_part(r, members, r"\.rels$", edit)


def cell_attributes(r: Source, members: Members) -> Members:
    """A cell's address, type or style changed."""
    def edit(r: Source, text: str) -> str:
        attr = r.choice(["r", "t", "s", "row r"])
        if attr == "r":
            ref = r.choice(HUGE_REFS + ["B3", "C4", "A1"])
            return _replace_match(r, text, r'<c r="[^"]*"', lambda m: f'<c r="{ref}"')
        if attr == "t":
            kind = r.choice(["s", "str", "b", "e", "n", "inlineStr", "d", "zz", ""])
            new = f' t="{kind}"'
            return _replace_match(r, text, r'<c r="[^"]*"(?: s="\d+")?(?: t="[^"]*")?',
                                  lambda m: re.sub(r' t="[^"]*"', "", m.group(0)) + new)
        if attr == "s":
            return _replace_match(r, text, r' s="\d+"', lambda m: ' s="99999"')
        row = r.choice(["0", "1048577", "99999999999", "x", "2"])
        return _replace_match(r, text, r'<row r="[^"]*"', lambda m: f'<row r="{row}"')

    return _edit_part(r, members, r"worksheets/sheet\d+\.xml$", edit)


def formula_ranges(r: Source, members: Members) -> Members:
    """The ``ref`` of an array or shared formula changed, or a formula made one."""
    def edit(r: Source, text: str) -> str:
        ref = r.choice(RANGES)
        op = r.choice(["ref", "make array", "make shared", "shared index"])
        if op == "ref" and ' ref="' in text:
            return _replace_match(r, text, r' ref="[^"]*"', lambda m: f' ref="{ref}"')
        if op == "make shared":
            si = r.choice(["0", "1", "99", "x"])
            return _replace_match(r, text, r"<f>", lambda m: f'<f t="shared" si="{si}" '
                                  f'ref="{ref}">')
        if op == "shared index":
            return _replace_match(r, text, r"<f>([^<]*)</f>",
                                  lambda m: '<f t="shared" si="0"/>')
        return _replace_match(r, text, r"<f>", lambda m: f'<f t="array" ref="{ref}">')

    return _edit_part(r, members, r"worksheets/sheet\d+\.xml$", edit)


def dimensions(r: Source, members: Members) -> Members:
    """A sheet's ``<dimension>`` given another range."""
    def edit(r: Source, text: str) -> str:
        ref = r.choice(RANGES)
        return _replace_match(r, text, r'<dimension ref="[^"]*"',
                              lambda m: f'<dimension ref="{ref}"')

    return _edit_part(r, members, r"worksheets/sheet\d+\.xml$", edit)


def deep_nesting(r: Source, members: Members) -> Members:
    """Elements (or a formula's parentheses) nested thousands deep."""
    def edit(r: Source, text: str) -> str:
        depth = r.choice([50, 1_000, 20_000, 200_000])
        where = r.choice(["cell", "sheetData", "formula", "workbook"])
        if where == "formula":
            return _replace_match(r, text, r"<f([^>]*)>([^<]*)</f>",
                                  lambda m: f"<f{m.group(1)}>{'(' * depth}{m.group(2)}"
                                            f"{')' * depth}</f>")
        tag = r.choice(["x", "c", "is", "r", "v"])
        nest = f"<{tag}>" * depth + "1" + f"</{tag}>" * depth
        if where == "cell":
            return _replace_match(r, text, r"<v>[^<]*</v>", lambda m: nest)
        if where == "sheetData":
            return _replace_match(r, text, r"<sheetData>", lambda m: "<sheetData>" + nest)
        return _replace_match(r, text, r"<sheets>", lambda m: "<sheets>" + nest)

    return _edit_part(r, members, r"(worksheets/sheet\d+|workbook)\.xml$", edit)


def cell_values(r: Source, members: Members) -> Members:
    """A cached value replaced by an odd or malformed number."""
    def edit(r: Source, text: str) -> str:
        value = r.choice(["", "nan", "inf", "-inf", "1e999", "abc", "0x10", "１", "9" * 400,
                             " 1 ", "-0", "1e-320", "&amp;", "#DIV/0!", "TRUE", "999999"])
        return _replace_match(r, text, r"<v>[^<]*</v>", lambda m: f"<v>{value}</v>")

    return _edit_part(r, members, r"(worksheets/sheet\d+)\.xml$", edit)


FORMULA_EDITS = ["unbalanced", "unknown function", "outside grid", "circular", "operator",
                 "cut", "swap function", "empty", "text", "huge range", "name"]


def formula_text(r: Source, members: Members) -> Members:
    """A formula's text changed: parentheses, functions, references, cycles."""
    def edit(r: Source, text: str) -> str:
        found = list(re.finditer(r"(<c r=\"([A-Z]+\d+)\"[^>]*>)\s*<f([^>]*)>([^<]*)</f>",
                                 text))
        if not found:
            return text
        m = found[r.index(len(found))]
        own, formula = m.group(2), m.group(4)
        op = r.choice(FORMULA_EDITS)
        if op == "unbalanced":
            new = r.choice([formula + ")", "(" + formula, formula.replace(")", "", 1),
                               formula.replace("(", "((", 1)])
        elif op == "unknown function":
            new = re.sub(r"[A-Z][A-Z0-9.]*\(", "NOSUCHFUNC(", formula, count=1)
        elif op == "outside grid":
            ref = r.choice(["XFE1", "A1048577", "A0", "XFD1048576", "A1:XFD1048576"])
            new = re.sub(r"\$?[A-Z]{1,3}\$?\d+", ref, formula, count=1)
        elif op == "circular":
            new = r.choice([f"{own}+1", f"SUM({own}:{own})", formula + f"+{own}",
                               re.sub(r"\$?[A-Z]{1,3}\$?\d+", own, formula, count=1)])
        elif op == "operator":
            i = r.index(len(formula) + 1)
            new = formula[:i] + r.choice(["+", "*", "/", "^", "&", "<=", "%", ",", ":",
                                             "!", "'", '"', "{", "}", " "]) + formula[i:]
        elif op == "cut":
            i = r.index(len(formula) + 1)
            new = formula[:i] + formula[i + r.int(1, 12):]
        elif op == "swap function":
            new = re.sub(r"\b(MMULT|SUM|TANH|COUNTIF|FREQUENCY|INDEX|MATCH|CHOOSE|IF|"
                         r"_xlfn\.[A-Z.]+|NORM\.S\.INV|EXP|SQRT)\(",
                         lambda _: r.choice(["MMULT(", "SUM(", "TRANSPOSE(", "FREQUENCY(",
                                                "INDEX(", "ROW(", "COUNTIF(", "RAND("]),
                         formula, count=1)
        elif op == "empty":
            new = ""
        elif op == "text":
            new = '"' + formula + '"'
        elif op == "huge range":
            new = re.sub(r"(\$?[A-Z]{1,3}\$?)(\d+)", lambda r: r.group(1) + "1000000", formula,
                         count=1)
        else:
            new = re.sub(r"\b[A-Z][A-Za-z]+\b(?!\()", "NoSuchName", formula, count=1)
        return text[: m.start(4)] + new.replace("&", "&amp;").replace("<", "&lt;") + \
            text[m.end(4):]

    return _edit_part(r, members, r"worksheets/sheet\d+\.xml$", edit)


def manifest(r: Source, members: Members) -> Members:
    """The manifest's text (shared strings: the marker, the config JSON, block ranges,
    sheet names and kinds) changed."""
    def edit(r: Source, text: str) -> str:
        op = r.choice(["json number", "json key", "json text", "range", "marker", "string"])
        if op == "json number":
            value = r.choice(["0", "-1", "1e309", "1048577", "2.5", "true", "null",
                                 '"x"', "[]", "{}", "99999999999999999999"])
            return _replace_match(r, text, r'(&quot;|")(\w+)(&quot;|"): (-?[\d.e]+)',
                                  lambda m: f"{m.group(1)}{m.group(2)}{m.group(3)}: {value}")
        if op == "json key":
            return _replace_match(r, text, r'(&quot;|")(samples|width|layers|steps|bins|seed)',
                                  lambda m: m.group(1) + "zz" + m.group(2))
        if op == "json text":
            value = r.choice(["relu", "nonsense", "", "Xavier", "ja", "global"])
            return _replace_match(r, text, r'(: )(&quot;|")(\w*)(&quot;|")',
                                  lambda m: f"{m.group(1)}{m.group(2)}{value}{m.group(4)}")
        if op == "range":
            ref = r.choice(RANGES)
            return _replace_match(r, text, r"<t>\$?[A-Z]{1,3}\$?\d+(:\$?[A-Z]{1,3}\$?\d+)?</t>",
                                  lambda m: f"<t>{ref}</t>")
        if op == "marker":
            return text.replace("<t>sheetsim</t>", "<t>Sheetsim</t>", 1)
        word = r.choice(["uniform", "L1_Z", "Controls", "", "_sheetsim", "x" * 300])
        return _replace_match(r, text, r"<t>[^<]*</t>", lambda m: f"<t>{word}</t>")

    return _edit_part(r, members, r"sharedStrings\.xml$", edit)


def defined_names(r: Source, members: Members) -> Members:
    """A defined name (a control) pointing elsewhere, at itself, or nowhere."""
    def edit(r: Source, text: str) -> str:
        target = r.choice(["Controls!$B$4", "Nowhere!$A$1", "#REF!", "Controls!$A$1:$XFD$1",
                              "1/0", "Init", "Controls!$B$4:$B$1048576", "", "SUM(", "'x'!A1"])
        return _replace_match(r, text, r"(<definedName [^>]*>)([^<]*)(</definedName>)",
                              lambda m: m.group(1) + target.replace("&", "&amp;") + m.group(3))

    return _edit_part(r, members, r"workbook\.xml$", edit)


def string_indexes(r: Source, members: Members) -> Members:
    """A shared-string cell pointing past the table, or the table losing an entry."""
    op = r.choice(["index", "drop"])
    if op == "drop":
        return _edit_part(r, members, r"sharedStrings\.xml$",
                          lambda d, t: _replace_match(d, t, r"<si>.*?</si>", lambda m: ""))
    value = r.choice(["-1", "999999", "1.5", "x", ""])
    return _edit_part(r, members, r"worksheets/sheet\d+\.xml$",
                      lambda d, t: _replace_match(d, t, r'(t="s"[^>]*>)<v>\d+</v>',
                                                  lambda m: f"{m.group(1)}<v>{value}</v>"))


def styles(r: Source, members: Members) -> Members:
    """The styles part: a cell format naming a font, fill or border that is not there, a
    list emptied, or the part cut short."""
    def edit(r: Source, text: str) -> str:
        op = r.choice(["index", "empty list", "truncate", "count"])
        if op == "index":
            attr = r.choice(["fontId", "fillId", "borderId", "xfId", "numFmtId"])
            value = r.choice(["999", "-1", "x", "", "1"])
            return _replace_match(r, text, rf'{attr}="[^"]*"', lambda m: f'{attr}="{value}"')
        if op == "empty list":
            tag = r.choice(["fonts", "fills", "borders", "cellXfs", "cellStyleXfs"])
            return re.sub(rf"<{tag}\b[^>]*>.*?</{tag}>", f'<{tag} count="0"></{tag}>', text,
                          count=1, flags=re.S)
        if op == "count":
            return _replace_match(r, text, r'count="\d+"', lambda m: 'count="9999"')
        return text[: r.index(len(text))]

    return _edit_part(r, members, r"styles\.xml$", edit)


def drawings(r: Source, members: Members) -> Members:
    """A drawing or chart: a relationship id it names changed, a series reading another
    sheet or range, an anchor moved, or the part cut short."""
    def edit(r: Source, text: str) -> str:
        op = r.choice(["id", "series", "anchor", "truncate"])
        if op == "id":
            return _replace_match(r, text, r'r:(id|embed)="[^"]*"',
                                  lambda m: f'r:{m.group(1)}="' + r.choice(["rId99", "", "x"])
                                  + '"')
        if op == "series":
            ref = r.choice(["Nowhere!$A$1:$A$5", "'No sheet'!$B$2", "#REF!", "$A$1:$A$3",
                            "Controls!$A$1:$XFD$1048576", ""])
            return _replace_match(r, text, r"<c:f>[^<]*</c:f>", lambda m: f"<c:f>{ref}</c:f>")
        if op == "anchor":
            value = r.choice(["-1", "99999999", "x", "16384"])
            return _replace_match(r, text, r"<xdr:(col|row)>\d+</xdr:(col|row)>",
                                  lambda m: f"<xdr:{m.group(1)}>{value}</xdr:{m.group(1)}>")
        return text[: r.index(len(text))]

    return _edit_part(r, members, r"(drawings/drawing|charts/chart)\d+\.xml$", edit)


PACKAGE_KINDS: dict[str, Callable[..., Members]] = {
    "part byte flips": part_flips,
    "part truncation": part_truncation,
    "deleted member": deleted_member,
    "duplicated member": duplicated_member,
    "renamed member": renamed_member,
    "[Content_Types].xml": content_types,
    "relationships": relationships,
    "cell attributes": cell_attributes,
    "array/shared formula ref": formula_ranges,
    "dimension": dimensions,
    "deep nesting": deep_nesting,
    "cell values": cell_values,
    "formula text": formula_text,
    "manifest": manifest,
    "defined names": defined_names,
    "string indexes": string_indexes,
    "styles": styles,
    "drawings and charts": drawings,
}
RAW_KINDS: dict[str, Callable[..., bytes]] = {
    "archive byte flips": byte_flips,
    "archive truncation": truncation,
}
KINDS = [*RAW_KINDS, *PACKAGE_KINDS]


def mutate(r: Source, kind: str, members: Members, raw: bytes) -> bytes:
    """The bytes of one mutant of a seed (its members and its file's bytes)."""
    if kind in RAW_KINDS:
        return RAW_KINDS[kind](r, members, raw)
    return write_members(PACKAGE_KINDS[kind](r, members))


# ------------------------------------------------------------------ running a mutant

@dataclass
class Outcome:
    """What one command did with one mutant."""

    code: int
    stdout: str
    stderr: str
    seconds: float
    """Wall-clock time of the child."""
    rss_kb: int
    """Peak resident memory of the child beyond what it held when it started (the pages of
    the parent it shares)."""
    cpu: float = 0.0
    """CPU seconds of the child (user and system): on a shared machine, what it cost."""

    def problem(self, path: Path) -> str | None:
        """Why this outcome breaks the rules, or None when it keeps them."""
        if "Traceback" in self.stdout + self.stderr:
            return "printed a traceback"
        if self.code not in (0, 1, 2):
            return f"exit status {self.code}"
        lines = [ln for ln in self.stderr.splitlines() if ln.strip()]
        if self.code == 2:
            if len(lines) != 1:
                return f"exit 2 with {len(lines)} lines on stderr"
            if not lines[0].startswith("sheetsim: error: "):
                return "exit 2 without 'sheetsim: error: '"
            rest = lines[0][len("sheetsim: error: "):]
            if str(path) not in rest or len(rest) < len(str(path)) + 10:
                return "exit 2 without naming the file and the problem"
        elif lines:
            return f"exit {self.code} with stderr {lines[0][:80]!r}"
        return None


def _rss_kb() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


def run_forked(args: list[str], timeout: float = 60.0) -> Outcome:
    """``sheetsim ARGS`` in a forked child (the modules already imported): exit status,
    output, wall time and peak memory beyond the child's own at its start. A child still
    running after ``timeout`` seconds is killed (exit status 'hang', -9)."""
    import sheetsim.check.verify  # noqa: F401  (imported once, before forking)
    import sheetsim.cli  # noqa: F401

    with tempfile.TemporaryDirectory(prefix="sheetsim-fuzz-") as tmp:
        out_path, err_path = Path(tmp) / "out", Path(tmp) / "err"
        base_path = Path(tmp) / "base"
        start = time.monotonic()
        pid = os.fork()
        if pid == 0:  # the child: never returns
            code = 99
            try:
                # the child's own resident memory at its start: the pages of the parent it
                # holds (file pages it has not touched are not counted, as they are in the
                # parent's)
                base_path.write_text(str(_rss_kb()))
                for fd, path in ((1, out_path), (2, err_path)):
                    f = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
                    os.dup2(f, fd)
                    os.close(f)
                sys.stdout = open(1, "w", closefd=False)  # noqa: SIM115
                sys.stderr = open(2, "w", closefd=False)  # noqa: SIM115
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                code = 0
                try:
                    sheetsim.cli.cli.main(args, prog_name="sheetsim")
                except SystemExit as exc:
                    code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None
                                                                       else 1)
            except BaseException:  # noqa: BLE001  (a crash: reported by the parent)
                traceback.print_exc()
                code = 99
            finally:
                with contextlib.suppress(Exception):
                    sys.stdout.flush()
                    sys.stderr.flush()
                os._exit(code)
        status, usage = 0, None
        try:
            while True:
                done, status, usage = os.wait4(pid, os.WNOHANG)
                if done:
                    break
                if time.monotonic() - start > timeout:
                    os.kill(pid, signal.SIGKILL)
                    _, status, usage = os.wait4(pid, 0)
                    break
                time.sleep(0.005)
        except BaseException:  # interrupted: the child goes too
            os.kill(pid, signal.SIGKILL)
            os.wait4(pid, 0)
            raise
        seconds = time.monotonic() - start
        code = os.waitstatus_to_exitcode(status)
        base = int(base_path.read_text() or 0) if base_path.exists() else 0
        return Outcome(code, out_path.read_text(errors="replace"),
                       err_path.read_text(errors="replace"), seconds,
                       max(0, usage.ru_maxrss - base), usage.ru_utime + usage.ru_stime)
