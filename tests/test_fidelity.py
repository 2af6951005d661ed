"""Excel fidelity, checked with tools nobody on the project wrote.

Excel is the one application the workbooks are made for that cannot run here, so the package
and the formulas are checked from outside, as closely to Excel's behaviour as we can get:

- the zip package: every member's local header agrees with the central directory, and no
  member below the ZIP64 limit carries ZIP64 sizes (SheetJS, and reportedly some Excel
  versions, refuse a package whose local header claims ZIP64 sizes the directory does not);
- HyperFormula (npm, test-only), a third engine close to Excel's semantics, reading the
  workbook through exceljs: every formula cell against the cached value, and the controls
  changed as a user would change them, against a build made with those settings;
- openxml-audit (PyPI), the Open XML SDK's schema and semantic checks, over every option,
  with a deliberately broken copy that it must flag;
- SheetJS (npm ``xlsx``), a reader many web tools use: it opens every workbook and reads
  the values we wrote.

The JavaScript tools live in tests/js (``npm ci --prefix tests/js``). Tests that need them
or openxml-audit skip when they are missing, and fail instead under
SHEETSIM_REQUIRE_ENGINES=1, as the engine tests do.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import struct
import subprocess
import time
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pytest

from sheetsim import engines
from sheetsim.build import writer
from sheetsim.experiments.init.layout import plan
from sheetsim.experiments.init.settings import Settings
from sheetsim.tolerance import ATOL, BLOCK_FLOOR, RTOL
from sheetsim.xlsx import reader, stream
from sheetsim.xlsx.book import Book, ExcelError
from sheetsim.xlsx.cells import Block, cell, parse_range

from .helpers import SMALL_SHAPES, need, patch_part, sheet_part

JS = Path(__file__).resolve().parent / "js"
SHAPE = {"samples": 60, "width": 8, "layers": 3, "bins": 10}

VARIANTS: dict[str, Any] = {
    "small": Settings(**SHAPE),
    "live": Settings(**SHAPE, live=True),
    "ja": Settings(**SHAPE, lang="ja"),
    "backward-batchnorm": Settings(**SHAPE, backward=True, batchnorm=True),
    "tanh-he": Settings(**SHAPE, activation="tanh", init="he", bin_low=-1.0, bin_high=1.0),
    "per-layer": Settings(**SHAPE, activation="relu", init="he", backward=True,
                          layer_activation={3: "sigmoid"}, layer_init={2: "xavier_uniform"},
                          layer_batchnorm={2: "on"}),
    "odd-shape": Settings(samples=37, width=5, layers=4, bins=7, activation="leaky_relu",
                          init="lecun", bin_low=-2.0, bin_high=3.0, seed=7),
    "overflow": Settings(samples=20, width=6, layers=3, bins=5, activation="relu",
                         init="normal", sigma=1e120, backward=True),
}
"""Every option of the init experiment on small shapes, then the default workbook of every
other registered experiment at a small shape (see ``other_experiments``)."""


def other_experiments() -> dict[str, Any]:
    """The default settings of every registered experiment but init (descent, ...), at a
    small shape (``SMALL_SHAPES``: every formula kind; the defaults are full size)."""
    from sheetsim import experiments

    return {f"{name}-default": experiments.resolve(e, flags=SMALL_SHAPES[name])
            for name, e in sorted(experiments.REGISTRY.items()) if name != "init"}


INIT_VARIANTS = list(VARIANTS)
VARIANTS.update(other_experiments())

LIMIT = zipfile.ZIP64_LIMIT
FFFF = 0xFFFFFFFF


def require_engines() -> bool:
    return os.environ.get("SHEETSIM_REQUIRE_ENGINES") == "1"


def missing(what: str, how: str) -> None:
    """Skip, or fail under SHEETSIM_REQUIRE_ENGINES=1 (CI must not pass by skipping)."""
    if require_engines():
        pytest.fail(f"{what}: required (SHEETSIM_REQUIRE_ENGINES=1) but not installed; {how}")
    pytest.skip(f"{what}: not installed; {how}")


def need_js(package: str) -> str:
    """The node executable, if tests/js has ``package`` installed; else skip (or fail)."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        missing("node and npm", "install Node.js 18+ with npm")
    if not (JS / "node_modules" / package / "package.json").is_file():
        missing(f"npm package {package}", "run `npm ci --prefix tests/js`")
    return str(node)


def need_audit():
    try:
        import openxml_audit
    except ImportError:
        missing("openxml-audit", "pip install openxml-audit")
    return openxml_audit


def node(script: str, *args: str, timeout: float = 300) -> dict:
    """Run a script of tests/js; its JSON output, or a test failure with its stderr."""
    exe = need_js({"hyperformula.js": "hyperformula", "sheetjs.js": "xlsx"}[script])
    # the default workbook takes HyperFormula about 1.8 GB; do not depend on the machine's
    # default heap limit
    proc = subprocess.run([exe, "--max-old-space-size=4096", str(JS / script), *args],
                          capture_output=True, text=True, timeout=timeout, cwd=JS)
    if proc.returncode != 0:
        pytest.fail(f"node {script} {args[0]}: {proc.stderr.strip()[-2000:]}")
    return json.loads(proc.stdout)


@pytest.fixture(scope="session")
def books(tmp_path_factory):
    """Each variant built once per session, on first use."""
    folder = tmp_path_factory.mktemp("fidelity")
    done: dict[str, Path] = {}

    def get(name: str) -> Path:
        if name not in done:
            done[name] = folder / f"{name}.xlsx"
            writer.build(VARIANTS[name], done[name])
        return done[name]

    return get


# ------------------------------------------------------------------ the zip package


@dataclass
class Entry:
    """One member as its local header and its central directory entry declare it."""

    name: str
    local_version: int
    local_sizes: tuple[int, int]
    """(compressed, uncompressed) as the local header's 32-bit fields hold them."""
    local_zip64: tuple[int, ...] | None
    central_version: int
    central_sizes: tuple[int, int]
    central_zip64: tuple[int, ...] | None
    crc: tuple[int, int]
    """CRC-32 of the local header and of the central entry."""


def _zip64_field(extra: bytes) -> tuple[int, ...] | None:
    """The 64-bit values of a ZIP64 extended-information field (id 0x0001), if present."""
    i = 0
    while i + 4 <= len(extra):
        kind, size = struct.unpack_from("<HH", extra, i)
        if kind == 1:
            return struct.unpack_from(f"<{size // 8}Q", extra, i + 4)
        i += 4 + size
    return None


def zip_entries(path: Path) -> list[Entry]:
    """Every member's local and central header, parsed field by field (APPNOTE 4.3.7, 4.3.12)."""
    raw = path.read_bytes()
    end = raw.rfind(b"PK\x05\x06")
    assert end >= 0, "no end of central directory record"
    count, _, start = struct.unpack_from("<HII", raw, end + 10)
    out: list[Entry] = []
    pos = start
    for _ in range(count):
        assert raw[pos:pos + 4] == b"PK\x01\x02", "bad central directory entry"
        (_, c_version, _, _, _, _, c_crc, c_csize, c_usize, name_len, extra_len, comment_len,
         _, _, _, offset) = struct.unpack_from("<HHHHHHIIIHHHHHII", raw, pos + 4)
        name = raw[pos + 46:pos + 46 + name_len].decode()
        c_extra = raw[pos + 46 + name_len:pos + 46 + name_len + extra_len]
        pos += 46 + name_len + extra_len + comment_len
        if offset == FFFF:
            offset = _zip64_field(c_extra)[-1]
        assert raw[offset:offset + 4] == b"PK\x03\x04", f"{name}: no local header at {offset}"
        (l_version, _, _, _, _, l_crc, l_csize, l_usize, l_name_len,
         l_extra_len) = struct.unpack_from("<HHHHHIIIHH", raw, offset + 4)
        l_extra = raw[offset + 30 + l_name_len:offset + 30 + l_name_len + l_extra_len]
        assert raw[offset + 30:offset + 30 + l_name_len].decode() == name
        out.append(Entry(name, l_version, (l_csize, l_usize), _zip64_field(l_extra),
                         c_version, (c_csize, c_usize), _zip64_field(c_extra), (l_crc, c_crc)))
    return out


def real_sizes(sizes: tuple[int, int], zip64: tuple[int, ...] | None) -> tuple[int, int]:
    """(compressed, uncompressed), reading 0xFFFFFFFF fields from the ZIP64 field: the
    uncompressed size comes first there (APPNOTE 4.5.3)."""
    if sizes == (FFFF, FFFF):
        assert zip64 is not None and len(zip64) >= 2, "ZIP64 sizes without a ZIP64 field"
        return zip64[1], zip64[0]
    return sizes


def check_headers_agree(path: Path, limit: int = LIMIT) -> list[Entry]:
    """Local and central headers agree; ZIP64 sizes exactly on members above ``limit``."""
    entries = zip_entries(path)
    infos = {i.filename: i for i in zipfile.ZipFile(path).infolist()}
    assert [e.name for e in entries] == list(infos)
    for e in entries:
        info = infos[e.name]
        big = info.file_size > limit or info.compress_size > limit
        local64 = e.local_sizes == (FFFF, FFFF)
        central64 = e.central_sizes == (FFFF, FFFF)
        assert local64 == central64 == big, (
            f"{e.name}: {info.file_size} bytes, local ZIP64 sizes {local64}, central {central64}")
        assert (e.local_zip64 is not None) == local64, f"{e.name}: stray local ZIP64 field"
        assert e.local_version == (45 if big else 20), f"{e.name}: version {e.local_version}"
        assert real_sizes(e.local_sizes, e.local_zip64) == real_sizes(
            e.central_sizes, e.central_zip64) == (info.compress_size, info.file_size), e.name
        assert e.crc[0] == e.crc[1] == info.CRC, f"{e.name}: CRC differs"
    return entries


@pytest.mark.parametrize("name", ["small", "live", "ja", "backward-batchnorm", "overflow",
                                  *other_experiments()])
def test_no_zip64_headers_below_the_limit_and_local_equals_central(books, name):
    entries = check_headers_agree(books(name))
    assert any(e.name.startswith("xl/worksheets/sheet") for e in entries)


def test_the_xlsxwriter_only_path_has_agreeing_headers_too(tmp_path):
    path = tmp_path / "slow.xlsx"
    writer.build(VARIANTS["small"], path, fast=False)
    check_headers_agree(path)


def test_members_above_the_limit_get_zip64_in_both_headers(tmp_path, monkeypatch):
    """With zipfile's limit lowered, the larger sheet parts must carry ZIP64 sizes in the
    local header and in the central directory alike, and the smaller ones in neither (their
    size bound exceeds the lowered limit, so their exact size is measured first)."""
    limit = 12_000
    real = stream.assemble

    def lowered(*args, **kwargs):  # xlsxwriter's own package is made with the real limit
        with pytest.MonkeyPatch.context() as m:
            m.setattr(zipfile, "ZIP64_LIMIT", limit)
            real(*args, **kwargs)

    monkeypatch.setattr(writer, "assemble", lowered)
    path = tmp_path / "zip64.xlsx"
    writer.build(VARIANTS["small"], path)
    entries = check_headers_agree(path, limit)
    sizes = {i.filename: i.file_size for i in zipfile.ZipFile(path).infolist()}
    big = {e.name for e in entries if e.local_sizes == (FFFF, FFFF)}
    assert big and big == {n for n, s in sizes.items() if s > limit}
    assert any(n.startswith("xl/worksheets/sheet") and s <= limit for n, s in sizes.items())
    assert zipfile.ZipFile(path).testzip() is None
    assert reader.read(path).sheet("L3_Z").numbers.size


def test_part_size_bound_holds_for_every_streamed_part(monkeypatch, tmp_path):
    bounds: dict[str, int] = {}
    real = stream.part_size_bound

    def recording(sheet, head_tail):
        bounds[sheet.name] = real(sheet, head_tail)
        return bounds[sheet.name]

    monkeypatch.setattr(stream, "part_size_bound", recording)
    for name in ("small", "live", "ja", "overflow"):
        path = tmp_path / f"{name}.xlsx"
        bounds.clear()
        writer.build(VARIANTS[name], path)
        infos = {i.filename: i.file_size for i in zipfile.ZipFile(path).infolist()}
        assert bounds
        for sheet, bound in bounds.items():
            size = infos[sheet_part(path, sheet)]
            assert size <= bound < 4 * size + 4096, (name, sheet, size, bound)


def test_part_size_bound_holds_for_the_longest_cell_text():
    """Cells at Excel's last column and row, the longest float text, errors and formulas."""
    worst = -2.2250738585072014e-308
    assert len(repr(worst)) == 24
    values = np.full((3, 5), worst)
    values[1, 2] = math.nan
    for cell_formula in (None, "RAND()"):
        sheet = stream.HeavySheet(
            "Big", "キャプション <&> " * 20, Block("b", "Big", 1_048_572, 16_379, 3, 5, "x"),
            values, None if cell_formula else "NORM.S.INV(A1:E3)*(1<2)", cell_formula,
            header_style=1234, value_style=56789, caption_style=7)
        text = sum(len(r.encode()) for r in stream.sheet_rows(sheet))
        assert text <= stream.part_size_bound(sheet, 0), cell_formula
    assert cell(1_048_575, 16_383) == "XFD1048576"


def zip64_copy(src: Path, dst: Path, member: str) -> Path:
    """``src`` rewritten with one member opened with ``force_zip64=True``: the defect."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as out:
        for info in zin.infolist():
            m = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            m.compress_type = zipfile.ZIP_DEFLATED
            with out.open(m, "w", force_zip64=info.filename == member) as fh:
                fh.write(zin.read(info))
    return dst


# ------------------------------------------------------------------ HyperFormula


@dataclass
class Agreement:
    """The outcome of comparing an engine's values with the cached ones."""

    cells: int = 0
    counts: int = 0
    errors: int = 0
    overflowed: int = 0
    """Cells where the file holds #NUM! (an overflow) and the engine a value."""
    worst_abs: float = 0.0
    worst_rel: float = 0.0
    bad: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (f"{self.cells} cells ({self.counts} bin counts, {self.errors} error values, "
                f"{self.overflowed} overflow divergences), worst abs {self.worst_abs:.3g}, "
                f"worst rel {self.worst_rel:.3g}")


def as_python(v: object) -> object:
    if isinstance(v, dict):
        return ExcelError(v["error"])
    if isinstance(v, int) and not isinstance(v, bool):
        return float(v)
    return v


def is_count(text: str) -> bool:
    """Histogram bins: FREQUENCY of a block, integers that must match exactly."""
    return text.upper().startswith("FREQUENCY(")


def compare(book: Book, found: dict[tuple[str, int, int], object],
            overflow: bool = False) -> Agreement:
    """Every formula cell of ``book`` (its cached value) against ``found``.

    Numbers agree within ATOL + RTOL · max(|a|, |b|, BLOCK_FLOOR · the block's largest
    value), as ``sheetsim verify`` judges them; bin counts exactly; text, booleans and error
    values exactly. With ``overflow``, a cached #NUM! where the engine has a number (or a
    value computed from one, such as an exercise's verdict) is counted apart
    (HyperFormula keeps ±inf inside array results: see docs/engines.md).
    """
    out = Agreement()
    for f in book.formulas:
        data = book.sheet(f.sheet)
        cells = [(f.row + i, f.col + j) for i in range(f.rows) for j in range(f.cols)]
        cached = [data.value(r, c) for r, c in cells]
        numbers = [abs(v) for v in cached if isinstance(v, float) and math.isfinite(v)]
        floor = BLOCK_FLOOR * max(numbers, default=0.0)
        exact = is_count(f.text)
        for (r, c), want in zip(cells, cached, strict=True):
            got = as_python(found[(f.sheet, r, c)])
            out.cells += 1
            where = f"{f.sheet}!{cell(r, c)}"
            if isinstance(want, float) and isinstance(got, float):
                diff = abs(want - got)
                scale = max(abs(want), abs(got), floor)
                out.worst_abs = max(out.worst_abs, diff)
                out.worst_rel = max(out.worst_rel, diff / scale if scale else 0.0)
                out.counts += exact
                ok = diff == 0 if exact else diff <= ATOL + RTOL * scale
            elif (overflow and want == ExcelError("#NUM!")
                  and not isinstance(got, ExcelError)):  # a number, or a text judging one
                out.overflowed += 1
                ok = True
            else:
                out.errors += isinstance(want, ExcelError)
                ok = type(want) is type(got) and want == got
            if not ok:
                out.bad.append(f"{where} ={f.text[:60]}: cached {want!r}, engine {got!r}")
    return out


def formula_cells(book: Book) -> set[tuple[str, int, int]]:
    return {(f.sheet, f.row + i, f.col + j) for f in book.formulas
            for i in range(f.rows) for j in range(f.cols)}


def engine_values(path: Path, book: Book, controls: dict | None = None):
    """HyperFormula's value of every formula cell of ``path``, keyed like ``formula_cells``.
    RAND() cells (live workbooks) keep their cached values, as ``sheetsim verify`` does."""
    args = [str(path), "--volatile=cached"] + (["--controls", json.dumps(controls)]
                                                if controls else [])
    result = node("hyperformula.js", *args)
    assert result["engine"] == "hyperformula 3.5.0"
    rand = sum(f.text.replace(" ", "").upper() == "RAND()" for f in book.formulas)
    assert result["frozen"] == rand
    # HyperFormula 3.5 has no FREQUENCY: every FREQUENCY block goes in translated
    assert result["frequency"] == sum(is_count(f.text) for f in book.formulas)
    found = {(s, r, c): v for s, r, c, v in result["cells"]}
    assert set(found) == formula_cells(book), "exceljs and sheetsim see different formulas"
    return found


HYPERFORMULA_FAILS = {"digits-default": "Edge does not exist"}
"""Workbooks HyperFormula 3.5 cannot build, and its error: the digits workbook (its batch
rows compare a defined name of a range with a cell inside an array formula, which
HyperFormula answers with #VALUE! "Cell range not allowed"). LibreOffice and Gnumeric
compute it (test_experiments); a fixed HyperFormula fails the test below."""


@pytest.mark.engine
@pytest.mark.parametrize("name", list(HYPERFORMULA_FAILS))
def test_hyperformula_still_cannot_build(books, name):
    need_js("hyperformula")
    with pytest.raises(pytest.fail.Exception, match=HYPERFORMULA_FAILS[name]):
        node("hyperformula.js", str(books(name)), "--volatile=cached")


@pytest.mark.engine
@pytest.mark.parametrize("name", [n for n in VARIANTS if n not in HYPERFORMULA_FAILS])
def test_hyperformula_computes_every_cached_value(books, name):
    path = books(name)
    need_js("hyperformula")
    book = reader.read(path)
    start = time.perf_counter()
    agreement = compare(book, engine_values(path, book), overflow=name == "overflow")
    print(f"\nHyperFormula, {name}: {agreement.line()}, {time.perf_counter() - start:.1f} s")
    assert not agreement.bad, "\n".join(agreement.bad[:10])
    assert agreement.cells > 1000
    if name in INIT_VARIANTS:
        assert agreement.counts >= VARIANTS[name].bins
    if name == "overflow":
        # Every finite value agrees, and HyperFormula gives #NUM! where the layer overflows
        # (L3_A); downstream of it, where Excel, LibreOffice and NumPy carry #NUM! on, it
        # compares the ±inf it keeps inside arrays. A fixed HyperFormula fails this line.
        assert agreement.errors > 100 and agreement.overflowed > 100


@pytest.mark.engine
@pytest.mark.slow
def test_hyperformula_computes_the_default_workbook(default_book):
    """The default 1000×100×5 workbook: 1.3 million formula cells (about 40 s)."""
    need_js("hyperformula")
    book = reader.read(default_book)
    agreement = compare(book, engine_values(default_book, book))
    print(f"\nHyperFormula, default: {agreement.line()}")
    assert not agreement.bad, "\n".join(agreement.bad[:10])
    assert agreement.cells > 1_000_000


# ------------------------------------------------------------------ values on bin edges

ON_EDGE = Settings(samples=60, width=8, layers=3, bins=10, activation="relu", init="he",
                   range_mode="manual", bin_low=-1.0, bin_high=1.0)
"""ReLU zeros (half the outputs) sit exactly on the edge at 0: -1 + 5·2/10, and with the
Bins control set to 4 in the file, -1 + 2·2/4."""


def interval_counts(z: np.ndarray, edges: list[float]) -> list[float]:
    """Bins counted from their definition: above the previous edge and up to this one (the
    first open below), then the values above the last edge."""
    bounds = [-math.inf, *edges[:-1]]
    inside = [np.count_nonzero((z > lo) & (z <= hi))
              for lo, hi in zip(bounds, edges, strict=True)]
    return [float(n) for n in [*inside, np.count_nonzero(z > edges[-1])]]


def shown(z: np.ndarray, bins: int, rows: int, low: float, high: float) -> list[float]:
    """The counts a histogram of ``rows`` rows shows with ``bins`` bins in use."""
    edges = [low + i * (high - low) / bins for i in range(1, bins)] + [high]
    counts = interval_counts(z, edges)
    return counts[:bins] + [0.0] * (rows - bins) + counts[bins:]


def block_values(book: Book, b: Block) -> np.ndarray:
    """A block's values as ``book`` holds them."""
    data = book.sheet(b.sheet)
    return np.array([[data.value(b.row + i, b.col + j) for j in range(b.cols)]
                     for i in range(b.rows)], dtype=float)


@pytest.mark.engine
@pytest.mark.parametrize("engine", ["libreoffice", "gnumeric", "hyperformula"])
@pytest.mark.parametrize("bins", [10, 4])
def test_values_on_edges_count_in_the_bin_the_edge_closes(tmp_path, engine, bins):
    """Every engine counts a value exactly on an edge in the bin that edge closes, with all
    the bins built and with the Bins control lowered in the file (rows past it unused)."""
    path = tmp_path / "edge.xlsx"
    writer.build(ON_EDGE, path)
    book = reader.read(path)
    p = plan(ON_EDGE)
    layers = range(1, ON_EDGE.layers + 1)
    if engine == "hyperformula":
        need_js("hyperformula")
        found = engine_values(path, book, {"Bins": bins} if bins != ON_EDGE.bins else None)

        def counts(k: int) -> list[float]:
            b = p.blocks[f"L{k}_counts"]
            return [as_python(found[(b.sheet, b.row + i, b.col)]) for i in range(b.rows)]
        z_of = {k: block_values(book, p.blocks[f"L{k}_z"]) for k in layers}
    else:
        need(engine)
        edited = path
        if bins != ON_EDGE.bins:
            wb = openpyxl.load_workbook(path)
            at = p.names["Bins"]
            wb[at.sheet].cell(at.row + 1, at.col + 1).value = bins
            edited = tmp_path / "edited.xlsx"
            wb.save(edited)
        done = reader.read(engines.recalc(edited, tmp_path / f"done.{engine}.xlsx", engine))

        def counts(k: int) -> list[float]:
            return block_values(done, p.blocks[f"L{k}_counts"]).ravel().tolist()
        z_of = {k: block_values(done, p.blocks[f"L{k}_z"]) for k in layers}
    rows = p.blocks["bin_index"].rows
    for k, z in z_of.items():
        on_edge = np.count_nonzero(z == 0.0)
        assert on_edge > 50  # the data really has values on the edge
        got = counts(k)
        assert got == shown(z, bins, rows, ON_EDGE.bin_low, ON_EDGE.bin_high), (engine, k)
        assert got[bins // 2 - 1] >= on_edge  # the bin whose upper edge is 0 holds them


ROUND_TRIPS = {
    "relu-he-top-sigmoid": (
        Settings(**SHAPE),
        {"Activation": "relu", "Init": "he", "ActSet_L3": "sigmoid"},
        Settings(**SHAPE, activation="relu", init="he", layer_activation={3: "sigmoid"}),
    ),
    "normal-sigma-uniform-layer": (
        Settings(**SHAPE, backward=True),
        {"Init": "normal", "Sigma": 0.5, "InitSet_L2": "he_uniform", "Activation": "tanh"},
        Settings(**SHAPE, backward=True, init="normal", sigma=0.5, activation="tanh",
                 layer_init={2: "he_uniform"}),
    ),
    "batchnorm-on": (
        Settings(**SHAPE, backward=True, layer_batchnorm={1: "off"}),
        {"BatchNorm": "on", "Activation": "relu"},
        Settings(**SHAPE, backward=True, batchnorm=True, activation="relu",
                 layer_batchnorm={1: "off"}),
    ),
}


@pytest.mark.engine
@pytest.mark.parametrize("case", list(ROUND_TRIPS))
def test_controls_changed_in_hyperformula_give_the_matching_builds_values(case, tmp_path):
    """Set the controls as a user would, recalculate, compare with a build made that way."""
    base, controls, target = ROUND_TRIPS[case]
    need_js("hyperformula")
    before, after = tmp_path / "before.xlsx", tmp_path / "after.xlsx"
    writer.build(base, before)
    writer.build(target, after)
    book_before, book_after = reader.read(before), reader.read(after)
    assert [(f.sheet, f.row, f.col, f.rows, f.cols, f.text) for f in book_before.formulas] == [
        (f.sheet, f.row, f.col, f.rows, f.cols, f.text) for f in book_after.formulas]
    for name, value in controls.items():
        assert reader.named_value(book_after, name) == value
        assert reader.named_value(book_before, name) != value
    agreement = compare(book_after, engine_values(before, book_before, controls))
    print(f"\nHyperFormula, {case}: {agreement.line()}")
    assert not agreement.bad, "\n".join(agreement.bad[:10])
    # the change took: the unchanged workbook's own cached values differ from the target's
    unchanged = compare(book_after, {(s, r, c): book_before.sheet(s).value(r, c)
                                     for s, r, c in formula_cells(book_before)})
    assert len(unchanged.bad) > 500


# ------------------------------------------------------------------ data validation


@pytest.mark.parametrize("name", ["small", "ja", "per-layer", "backward-batchnorm"])
def test_every_control_keeps_its_data_validation(name, tmp_path):
    """xlsxwriter drops a data validation whose title passes Excel's 32 characters or whose
    message passes 255 (UTF-16 units), with a warning only: every control of an init
    workbook must keep its dropdown or range check, in every language."""
    from sheetsim import experiments

    settings = VARIANTS[name]
    path = tmp_path / f"{name}.xlsx"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        writer.build(settings, path)
    assert not [str(w.message) for w in caught if "Excel's limit" in str(w.message)]
    book = reader.read(path)
    checked: dict[str, set[str]] = {}
    with zipfile.ZipFile(path) as zf:
        for sheet in book.sheets:
            xml = zf.read(sheet_part(path, sheet)).decode()
            for sqref in re.findall(r'<dataValidation [^>]*\bsqref="([^"]+)"', xml):
                checked.setdefault(sheet, set()).update(sqref.split())
    controls = [c for c in experiments.of_settings(settings).controls(settings) if not c.fixed]
    assert len(controls) >= 8
    for control in controls:
        target = book.names[control.name]
        sheet, _, ref = target.rpartition("!")
        assert ref.replace("$", "") in checked.get(sheet.strip("'"), set()), control.name


@pytest.mark.parametrize("name", list(other_experiments()))
def test_no_data_validation_of_other_experiments_is_dropped(name, tmp_path):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        writer.build(VARIANTS[name], tmp_path / f"{name}.xlsx")
    assert not [str(w.message) for w in caught if "Excel's limit" in str(w.message)]


# ------------------------------------------------------------------ openxml-audit

AUDITED = ["small", "live", "ja", "backward-batchnorm", "per-layer", "odd-shape", "overflow",
           *other_experiments()]


def audit(path: Path, version: str = "MICROSOFT_365"):
    oa = need_audit()
    validator = oa.OpenXmlValidator(file_format=oa.FileFormat[version], max_errors=50)
    return validator.validate(path)


@pytest.mark.parametrize("name", AUDITED)
def test_openxml_audit_finds_no_error(books, name):
    result = audit(books(name))
    assert result.error_count == 0, [(e.part_uri, e.description) for e in result.errors]


@pytest.mark.parametrize("version", ["OFFICE_2007", "OFFICE_2010"])
def test_openxml_audit_finds_no_error_for_older_excel(books, version):
    result = audit(books("backward-batchnorm"), version)
    assert result.error_count == 0, [(e.part_uri, e.description) for e in result.errors]


@pytest.mark.parametrize("sheet, old, new, message", [
    ("L1_A", '<f t="array"', '<f t="arrays"', "Invalid value for attribute 't'"),
    ("Histograms", "<sheetData>", "<sheetData><cell/>", "Unexpected element 'cell'"),
])
def test_openxml_audit_flags_a_broken_part(books, tmp_path, sheet, old, new, message):
    path = tmp_path / "broken.xlsx"
    shutil.copy(books("small"), path)
    part = sheet_part(path, sheet)
    patch_part(path, part, old, new)
    result = audit(path)
    assert result.error_count >= 1
    assert any(message in e.description and e.part_uri.lstrip("/") == part
               for e in result.errors), [(e.part_uri, e.description) for e in result.errors]


# ------------------------------------------------------------------ SheetJS


def sampled_cells(book: Book) -> list[tuple[str, int, int]]:
    """A handful of cells per sheet: first and last of each sheet's first and last formula,
    the caption, and every control."""
    picks: list[tuple[str, int, int]] = []
    for sheet in book.sheets:
        formulas = [f for f in book.formulas if f.sheet == sheet]
        for f in formulas[:1] + formulas[-1:]:
            picks += [(sheet, f.row, f.col), (sheet, f.row + f.rows - 1, f.col + f.cols - 1)]
        picks.append((sheet, 0, 0))
    for target in book.names.values():
        sheet, _, ref = target.lstrip("=").rpartition("!")
        if ":" not in ref:
            r, c = parse_range(ref)[:2]
            picks.append((sheet.strip("'"), r, c))
    return list(dict.fromkeys(picks))


def sheetjs(path: Path, cells: list[tuple[str, int, int]]) -> dict:
    return node("sheetjs.js", str(path), json.dumps([[s, cell(r, c)] for s, r, c in cells]))


@pytest.mark.engine
@pytest.mark.parametrize("name", list(VARIANTS))
def test_sheetjs_reads_every_workbook(books, name):
    path = books(name)
    need_js("xlsx")
    book = reader.read(path)
    picks = sampled_cells(book)
    seen = sheetjs(path, picks)
    assert seen["reader"] == "sheetjs 0.18.5"
    assert seen["sheets"] == list(book.sheets)
    assert {k: v for k, v in seen["names"].items() if not k.startswith("_xlnm.")} == book.names
    arrays = {(f.sheet, f.row, f.col): f for f in book.formulas if f.is_array}
    for (sheet, r, c), got in zip(picks, seen["cells"], strict=True):
        want = book.sheet(sheet).value(r, c)
        where = f"{sheet}!{cell(r, c)}"
        if want is None:
            assert got is None or got.get("v") in (None, ""), where
            continue
        assert got is not None, f"SheetJS sees no value at {where}"
        if isinstance(want, ExcelError):
            assert got["t"] == "e" and got["v"] == want.code, where
        else:
            assert got["v"] == want, f"{where}: {got['v']!r} != {want!r}"
        if (sheet, r, c) in arrays:
            f = arrays[(sheet, r, c)]
            assert got["F"] == f"{cell(r, c)}:{cell(r + f.rows - 1, c + f.cols - 1)}" or (
                f.rows == f.cols == 1), where


@pytest.mark.engine
def test_sheetjs_refuses_the_zip64_defect(books, tmp_path):
    """The check can fail: a member written with force_zip64=True, as sheet parts were."""
    need_js("xlsx")
    src = books("small")
    bad = zip64_copy(src, tmp_path / "zip64.xlsx", sheet_part(src, "L1_A"))
    proc = subprocess.run([shutil.which("node") or "node", str(JS / "sheetjs.js"), str(bad)],
                          capture_output=True, text=True, timeout=120, cwd=JS)
    assert proc.returncode == 1 and "Bad compressed size" in proc.stderr, proc.stderr
    with pytest.raises(AssertionError, match="ZIP64"):
        check_headers_agree(bad)
