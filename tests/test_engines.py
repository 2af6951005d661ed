"""Tests of sheetsim.engines: real LibreOffice / Gnumeric runs and fake engines.

The real-engine tests (marked ``engine``) skip when the engine is not installed, unless
SHEETSIM_REQUIRE_ENGINES=1, where a missing engine fails: CI must not pass by skipping.
Every workbook here carries deliberately WRONG cached values, so a value read back after a
recalculation can only be right if the engine computed it.
"""

from __future__ import annotations

import re
import struct
import subprocess
import sys
import time
import warnings
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path
from statistics import NormalDist

import numpy as np
import openpyxl
import pytest
import xlsxwriter

from sheetsim import engines
from sheetsim.engines import ENGINES, EngineError, EngineMissing, libreoffice, rendering

from .helpers import SMALL_SHAPES, gone, naming, need, need_uno, sheet_part, wait_until

engine = pytest.mark.engine
WRONG = -999.0

A = np.array([[1.5, -2.0], [0.25, 4.0]])
B = np.array([[3.0, 0.5], [-1.0, 2.0]])
W = np.array([[0.2, -0.7, 1.1], [0.4, 0.9, -0.3]])  # sheet L1_W
MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def make_book(path: Path, activation: str = "relu") -> Path:
    """A small workbook of the kinds of formulas sheetsim writes, all with wrong caches."""
    wb = xlsxwriter.Workbook(str(path), {"use_future_functions": True})
    main = wb.add_worksheet("Main")
    lw = wb.add_worksheet("L1_W")
    for r, row in enumerate(W):
        lw.write_row(r, 0, row)
    for r in range(2):
        main.write_row(r, 0, A[r])
        main.write_row(r, 3, B[r])
    main.write_array_formula("G1:H2", "{=MMULT(A1:B2,D1:E2)}", None, WRONG)
    main.write("H1", WRONG)
    main.write_row(1, 6, [WRONG, WRONG])
    main.write("J1", activation)
    wb.define_name("Activation", "=Main!$J$1")
    main.write("J2", 2.0)
    wb.define_name("Scale", "=Main!$J$2")
    main.write_formula("K1", '=IF(Activation="relu","yes","no")', None, "wrong")
    main.write_formula("K2", "=1/0", None, WRONG)
    main.write_formula("K3", "=NORM.S.INV(0.975)", None, WRONG)
    main.write_formula("K4", "=NORM.S.INV(0.3)*Scale", None, WRONG)
    main.write_formula("K5", "=L1_W!B2*10", None, WRONG)
    # Row 4..5: MMULT across sheets, then an activation chosen by the named control.
    main.write_array_formula(
        "A4:C5",
        '{=IF(Activation="relu",(MMULT(A1:B2,L1_W!A1:C2)>0)*MMULT(A1:B2,L1_W!A1:C2),'
        "TANH(MMULT(A1:B2,L1_W!A1:C2)))*Scale}",
        None,
        WRONG,
    )
    for r in (3, 4):
        for c in range(3):
            if (r, c) != (3, 0):
                main.write(r, c, WRONG)
    wb.close()
    return path


def expected(activation: str = "relu", scale: float = 2.0) -> dict[str, object]:
    z = A @ W
    act = np.maximum(z, 0) if activation == "relu" else np.tanh(z)
    out: dict[str, object] = {
        "K1": "yes" if activation == "relu" else "no",
        "K2": "#DIV/0!",
        "K3": NormalDist().inv_cdf(0.975),
        "K4": NormalDist().inv_cdf(0.3) * scale,
        "K5": W[1, 1] * 10,
    }
    for r in range(2):
        for c in range(2):
            out["GH"[c] + str(r + 1)] = (A @ B)[r, c]
        for c in range(3):
            out["ABC"[c] + str(r + 4)] = act[r, c] * scale
    return out


def load(path: Path) -> openpyxl.Workbook:
    with warnings.catch_warnings():  # Gnumeric's styles.xml has no default cell style
        warnings.filterwarnings("ignore", "Workbook contains no default style")
        return openpyxl.load_workbook(path, data_only=True)


def check_values(path: Path, want: dict[str, object]) -> None:
    ws = load(path)["Main"]
    for ref, value in want.items():
        got = ws[ref].value
        if isinstance(value, str):
            assert got == value, ref
        else:
            assert got == pytest.approx(value, rel=1e-12, abs=1e-13), ref


def pdf_pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    line = next(ln for ln in info.stdout.splitlines() if ln.startswith("Pages:"))
    return int(line.split()[1])


def fake_engine(tmp_path: Path, name: str, body: str) -> Path:
    script = tmp_path / name
    script.write_text("#!/bin/sh\n" + body)
    script.chmod(0o755)
    return script


# ------------------------------------------------------------------ real engines


@engine
@pytest.mark.parametrize("name", ENGINES)
def test_recalc_replaces_wrong_cached_values(name: str, tmp_path: Path, private_tmp: Path):
    need(name)
    src = make_book(tmp_path / "book.xlsx")
    dst = tmp_path / "out" / f"{name}.xlsx"
    assert engines.recalc(src, dst, name) == dst
    check_values(dst, expected())
    assert list(private_tmp.iterdir()) == []


@engine
@pytest.mark.parametrize("name", ENGINES)
def test_recalc_follows_the_named_control(name: str, tmp_path: Path):
    need(name)
    src = make_book(tmp_path / "book.xlsx", activation="tanh")
    engines.recalc(src, src, name)  # in place
    check_values(src, expected("tanh"))


@engine
@pytest.mark.parametrize("name", ENGINES)
def test_broken_file_fails_and_leaves_dst_alone(name: str, tmp_path: Path, private_tmp: Path):
    need(name)
    src = tmp_path / "broken.xlsx"
    src.write_text("this is not a workbook\n")
    dst = tmp_path / "dst.xlsx"
    dst.write_bytes(b"old")
    with pytest.raises(EngineError):
        engines.recalc(src, dst, name, timeout=120)
    assert dst.read_bytes() == b"old"
    assert list(private_tmp.iterdir()) == []


@engine
def test_libreoffice_timeout_kills_every_process(tmp_path: Path, private_tmp: Path):
    need("libreoffice")
    src = make_book(tmp_path / "book.xlsx")
    start = time.monotonic()
    with pytest.raises(EngineError, match=r"LibreOffice did not finish within 0\.3 s"):
        engines.recalc(src, tmp_path / "out.xlsx", "libreoffice", timeout=0.3)
    assert time.monotonic() - start < 10

    assert wait_until(lambda: naming(private_tmp) == [])
    assert list(private_tmp.iterdir()) == []
    assert not (tmp_path / "out.xlsx").exists()


def dashboard_book(path: Path, data_rows: int = 2000) -> Path:
    """A chart sheet (not the first sheet) fed by a heavy data sheet, with wrong caches."""
    wb = xlsxwriter.Workbook(str(path))
    data = wb.add_worksheet("Data")
    dash = wb.add_worksheet("Dashboard")
    hist = wb.add_worksheet("Hist")
    for r in range(data_rows):
        data.write_row(r, 0, [(r % 50) * (c + 1) for c in range(8)])
    for c in range(8):
        col = "ABCDEFGH"[c]
        hist.write(c, 0, f"bin {c}")
        hist.write_formula(c, 1, f"=SUM(Data!{col}1:{col}{data_rows})", None, 0)
    dash.write("A1", "Dashboard check")
    dash.write_formula("A2", f"=SUM(Data!A1:A{data_rows})*7", None, 0)
    chart = wb.add_chart({"type": "column"})
    chart.add_series({"categories": "=Hist!$A$1:$A$8", "values": "=Hist!$B$1:$B$8"})
    dash.insert_chart("A4", chart)
    dash.set_landscape()
    dash.fit_to_pages(1, 1)
    data.activate()
    wb.close()
    return path


@engine
def test_render_pdf_is_the_dashboard_only_and_recalculated(tmp_path: Path, private_tmp: Path):
    need_uno()
    need("pdftoppm")
    src = dashboard_book(tmp_path / "book.xlsx")
    pdf = engines.render(src, tmp_path / "dash.pdf", sheet="Dashboard", recalc=True)
    assert pdf.read_bytes()[:5] == b"%PDF-"
    assert pdf_pages(pdf) == 1  # the 2000-row data sheet alone would be ~40 pages
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "Dashboard check" in text
    computed = str(sum(r % 50 for r in range(2000)) * 7)
    assert computed in text  # computed, not the cached 0
    assert list(private_tmp.iterdir()) == []
    as_opened = engines.render(src, tmp_path / "opened.pdf", sheet="Dashboard")
    text = subprocess.run(["pdftotext", str(as_opened), "-"], capture_output=True,
                          text=True).stdout
    assert "Dashboard check" in text and computed not in text  # the file's cached 0


@engine
def test_render_png_of_plausible_size(tmp_path: Path):
    need_uno()
    need("pdftoppm")
    src = dashboard_book(tmp_path / "book.xlsx", data_rows=200)
    png = engines.render(src, tmp_path / "dash.png")
    head = png.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", head[16:24])
    # one landscape page (A4 or Letter: 11–11.7 by 8.27–8.5 inches) at the default dpi
    dpi = rendering.PNG_DPI
    assert 10.9 < width / dpi < 11.8 and 8.2 < height / dpi < 8.6, (width, height)
    assert width > height  # landscape


@engine
def test_render_unknown_sheet(tmp_path: Path):
    src = make_book(tmp_path / "book.xlsx")
    with pytest.raises(EngineError, match=r"book\.xlsx has no sheet 'Guide'.*Main, L1_W"):
        engines.render(src, tmp_path / "guide.pdf", sheet="Guide")
    with pytest.raises(EngineError, match="no sheet 'Dashboard'.*Main, L1_W"):
        engines.render(src, tmp_path / "dash.png")  # a PNG draws the Dashboard by default
    assert not (tmp_path / "guide.pdf").exists() and not (tmp_path / "dash.png").exists()
    wb = xlsxwriter.Workbook(str(tmp_path / "hidden.xlsx"))
    wb.add_worksheet("Shown").write("A1", 1)
    wb.add_worksheet("Secret").hide()
    wb.close()
    with pytest.raises(EngineError, match=r"no sheet 'Secret' to draw \(sheets: Shown\)$"):
        engines.render(tmp_path / "hidden.xlsx", tmp_path / "s.pdf", sheet="Secret")


def small_book(name: str, folder: Path) -> Path:
    """The small workbook (SMALL_SHAPES) of the experiment ``name``, built in ``folder``."""
    from sheetsim import experiments
    from sheetsim.build import writer

    experiment = experiments.REGISTRY[name]
    path = folder / f"{name}.xlsx"
    settings = experiments.resolve(experiment, None, None, SMALL_SHAPES[name])
    writer.build(settings, path, experiment)
    return path


def visible_sheets(book: Path) -> list[str]:
    """The names of the sheets a workbook shows (and prints), in order."""
    with zipfile.ZipFile(book) as z:
        root = ET.fromstring(z.read("xl/workbook.xml"))
    return [s.get("name") for s in root.iter(f"{MAIN_NS}sheet")
            if s.get("state") in (None, "visible")]


def sheet_xml(book: Path, sheet: str) -> str:
    with zipfile.ZipFile(book) as z:
        return z.read(sheet_part(book, sheet)).decode()


def pdf_layout(pdf: Path) -> list[tuple[float, list[tuple[float, float, str, float, float]]]]:
    """Each page of ``pdf``: its width and its words as (left, right, text, top, bottom), in
    points."""
    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    pages = []
    for page in re.findall(r"<page (.*?)</page>", html, re.S):
        width = float(re.search(r'width="([\d.]+)"', page).group(1))
        words = [(float(a), float(b), text, float(top), float(bottom))
                 for a, top, b, bottom, text in re.findall(
                     r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" '
                     r'yMax="([\d.]+)">([^<]*)</word>', page)]
        pages.append((width, words))
    return pages


def page_lines(pdf: Path, pages: int) -> list[str]:
    """The first line of text of each page (a page's header, where it has one)."""
    first = []
    for i in range(1, pages + 1):
        text = subprocess.run(["pdftotext", "-layout", "-f", str(i), "-l", str(i), str(pdf),
                               "-"], capture_output=True, text=True, check=True).stdout
        first.append(next((ln.strip() for ln in text.splitlines() if ln.strip()), ""))
    return first


@engine
@pytest.mark.parametrize("name", ["init", "descent"])
def test_render_draws_the_guide_within_its_page(name: str, tmp_path: Path, monkeypatch):
    """``render --sheet Guide``: a PNG of the Guide, and a PDF of the Guide alone whose every
    word lies inside the page (a column wider than the page was cut at its edge)."""
    from click.testing import CliRunner

    import sheetsim.progress
    from sheetsim.cli import cli

    need_uno()
    need("pdftoppm")
    book = small_book(name, tmp_path)
    monkeypatch.setattr(sheetsim.progress, "AFTER", 0.0)
    png = tmp_path / "guide.png"
    result = CliRunner().invoke(cli, ["render", str(book), "--sheet", "Guide", "-o", str(png),
                                      "--dpi", "50"])
    assert result.exit_code == 0, result.output
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert f"rendering {book}: starting LibreOffice..." in result.stderr
    assert "rendering" not in CliRunner().invoke(
        cli, ["render", str(book), "--sheet", "Guide", "-o", str(png), "-q"]).stderr
    pdf = engines.render(book, tmp_path / "guide.pdf", sheet="Guide")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    guide_title = openpyxl.load_workbook(book, read_only=True)["Guide"]["A1"].value
    assert guide_title.split(":")[0] in text
    for width, words in pdf_layout(pdf):
        assert words
        outside = [w for w in words if w[1] > width or w[0] < 0]
        assert not outside, outside[:5]
        assert not overlapping(words)  # a wrapped line drawn over the next row's text


def overlapping(words: list[tuple[float, float, str, float, float]]) -> list[tuple[str, str]]:
    """Pairs of words drawn over each other (boxes sharing over a third of the smaller)."""
    found = []
    for i, (l1, r1, t1, top1, bot1) in enumerate(words):
        for l2, r2, t2, top2, bot2 in words[i + 1:]:
            w, h = min(r1, r2) - max(l1, l2), min(bot1, bot2) - max(top1, top2)
            small = min((r1 - l1) * (bot1 - top1), (r2 - l2) * (bot2 - top2))
            if w > 0 and h > 0 and w * h > small / 3:
                found.append((t1, t2))
    return found


@engine
@pytest.mark.parametrize("name", sorted(SMALL_SHAPES))
def test_render_pdf_is_a_handout_of_every_sheet_in_order(name: str, tmp_path: Path):
    """Without --sheet a PDF holds every visible sheet, in the workbook's order, each on
    its own pages (named in their header, except a dashboard's single page), every word
    inside its page."""
    need_uno()
    book = small_book(name, tmp_path)
    pdf = engines.render(book, tmp_path / "handout.pdf")
    sheets = visible_sheets(book)
    headed = {s: "<oddHeader>" in sheet_xml(book, s) for s in sheets}
    assert sum(headed.values()) >= len(sheets) - 1  # every sheet but the dashboard
    layout = pdf_layout(pdf)
    labels = [ln if ln in headed else None for ln in page_lines(pdf, len(layout))]
    runs = [label for i, label in enumerate(labels) if i == 0 or labels[i - 1] != label]
    assert runs == [s if headed[s] else None for s in sheets]
    assert labels.count(None) == len(sheets) - sum(headed.values())  # a dashboard: one page
    for page, (width, words) in enumerate(layout, 1):
        outside = [w for w in words if w[1] > width + 0.5]
        assert not outside, (page, labels[page - 1], outside[:5])


@engine
def test_set_cells_and_recalc(tmp_path: Path, private_tmp: Path):
    need("libreoffice")
    src = make_book(tmp_path / "book.xlsx", activation="relu")
    dst = tmp_path / "tanh.xlsx"
    engines.set_cells_and_recalc(src, dst, {"Activation": "tanh", "Scale": 0.5})
    check_values(dst, expected("tanh", 0.5))
    ws = openpyxl.load_workbook(dst, data_only=True)["Main"]
    assert ws["J1"].value == "tanh" and ws["J2"].value == 0.5
    assert list(private_tmp.iterdir()) == []


@engine
def test_set_cells_unknown_name(tmp_path: Path, private_tmp: Path):
    need("libreoffice")
    src = make_book(tmp_path / "book.xlsx")
    with pytest.raises(EngineError, match="no defined name Nope"):
        engines.set_cells_and_recalc(src, tmp_path / "x.xlsx", {"Nope": 1})
    assert not (tmp_path / "x.xlsx").exists()
    assert list(private_tmp.iterdir()) == []


@engine
@pytest.mark.parametrize("name", ENGINES)
def test_version(name: str):
    need(name)
    pattern = {"libreoffice": r"LibreOffice \d+\.\d+\.\d+(\.\d+)? ",  # LibreOffice 7.4.7.2 40(…)
               "gnumeric": r"ssconvert version '1\.\d+\.\d+'"}[name]
    line = engines.version(name)
    assert re.match(pattern, line), line
    assert "\n" not in line


# ------------------------------------------------------------------ without engines


@pytest.mark.parametrize("name", sorted(SMALL_SHAPES))
def test_every_sheet_prints_one_page_wide_with_its_frozen_rows_on_every_page(
        name: str, tmp_path: Path):
    book = small_book(name, tmp_path)
    with zipfile.ZipFile(book) as z:
        workbook = z.read("xl/workbook.xml").decode()
    for index, sheet in enumerate(visible_sheets(book)):
        xml = sheet_xml(book, sheet)
        setup = re.search(r"<pageSetup [^>]*>", xml)
        assert setup and '<pageSetUpPr fitToPage="1"/>' in xml, sheet
        assert re.search(r'fitToWidth="(?!1")', setup.group(0)) is None, sheet
        assert 'paperSize="9"' in setup.group(0), sheet
        frozen = re.search(r'<pane [^>]*ySplit="(\d+)"[^>]*state="frozen"', xml)
        if frozen and 'fitToHeight="0"' in setup.group(0):  # pages that run on
            titles = (f'<definedName name="_xlnm.Print_Titles" localSheetId="{index}">'
                      f"('?){re.escape(sheet)}\\1!\\$1:\\${frozen.group(1)}</definedName>")
            assert re.search(titles, workbook), sheet


def test_missing_engine_names_the_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    for variable in ("SHEETSIM_SOFFICE", "SHEETSIM_SSCONVERT", "SHEETSIM_PDFTOPPM"):
        monkeypatch.delenv(variable, raising=False)
    src = make_book(tmp_path / "book.xlsx")
    assert not engines.available("libreoffice") and not engines.available("gnumeric")
    with pytest.raises(EngineMissing, match="apt-get install libreoffice-calc-nogui"):
        engines.recalc(src, tmp_path / "o.xlsx", "libreoffice")
    with pytest.raises(EngineMissing, match="apt-get install gnumeric"):
        engines.recalc(src, tmp_path / "o.xlsx", "gnumeric")
    with pytest.raises(EngineMissing, match="apt-get install libreoffice-calc-nogui"):
        engines.set_cells_and_recalc(src, tmp_path / "o.xlsx", {"Activation": "tanh"})
    soffice = fake_engine(tmp_path, "soffice", "exit 0\n")
    monkeypatch.setenv("SHEETSIM_SOFFICE", str(soffice))
    with pytest.raises(EngineMissing, match="apt-get install poppler-utils"):
        engines.render(src, tmp_path / "o.png", sheet="Main")
    assert not (tmp_path / "o.xlsx").exists()


def test_unknown_engine_and_bad_suffix(tmp_path: Path):
    src = make_book(tmp_path / "book.xlsx")
    with pytest.raises(EngineError, match="unknown engine 'excel'"):
        engines.recalc(src, tmp_path / "o.xlsx", "excel")
    with pytest.raises(EngineError, match=r"must end in \.xlsx"):
        engines.recalc(src, tmp_path / "o.ods", "gnumeric")
    with pytest.raises(EngineError, match=r"\.pdf or \.png"):
        engines.render(src, tmp_path / "o.jpg")
    with pytest.raises(EngineError, match="no such workbook"):
        engines.recalc(tmp_path / "none.xlsx", tmp_path / "o.xlsx", "gnumeric")


@pytest.mark.parametrize(("name", "variable", "label"), [
    ("libreoffice", "SHEETSIM_SOFFICE", "LibreOffice"),
    ("gnumeric", "SHEETSIM_SSCONVERT", "Gnumeric"),
])
def test_timeout_kills_engine_and_children(name: str, variable: str, label: str,
                                           tmp_path: Path, private_tmp: Path,
                                           monkeypatch: pytest.MonkeyPatch):
    pids = tmp_path / "pids"
    script = fake_engine(tmp_path, "engine", f"""/bin/sleep 300 &
echo $! > {pids}.child
echo $$ > {pids}.main
/bin/sleep 300
""")
    monkeypatch.setenv(variable, str(script))
    src = make_book(tmp_path / "book.xlsx")
    start = time.monotonic()
    with pytest.raises(EngineError, match=rf"^{label} did not finish within 1 s$"):
        engines.recalc(src, tmp_path / "o.xlsx", name, timeout=1)
    assert time.monotonic() - start < 5
    main, child = (int(Path(f"{pids}.{k}").read_text()) for k in ("main", "child"))
    assert wait_until(lambda: gone(main) and gone(child))
    assert list(private_tmp.iterdir()) == []
    assert not (tmp_path / "o.xlsx").exists()


def test_failing_engine_reports_its_last_stderr_line(tmp_path: Path, private_tmp: Path,
                                                     monkeypatch: pytest.MonkeyPatch):
    script = fake_engine(tmp_path, "ssconvert", "echo 'reading...' >&2\n"
                         "echo 'Loading book.xlsx failed' >&2\nexit 3\n")
    monkeypatch.setenv("SHEETSIM_SSCONVERT", str(script))
    src = make_book(tmp_path / "book.xlsx")
    dst = tmp_path / "o.xlsx"
    dst.write_bytes(b"old")
    message = r"^Gnumeric failed \(exit 3\): Loading book.xlsx failed$"
    with pytest.raises(EngineError, match=message):
        engines.recalc(src, dst, "gnumeric")
    assert dst.read_bytes() == b"old"
    assert list(private_tmp.iterdir()) == []


def test_engine_writing_nothing_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    script = fake_engine(tmp_path, "soffice", "echo 'Error: source file could not be loaded' >&2\n"
                         "echo 'Warning: failed to launch javaldx' >&2\nexit 0\n")
    monkeypatch.setenv("SHEETSIM_SOFFICE", str(script))
    src = make_book(tmp_path / "book.xlsx")
    with pytest.raises(EngineError, match="wrote no file: Error: source file could not be loaded"):
        engines.recalc(src, tmp_path / "o.xlsx", "libreoffice")


def test_fake_engine_result_is_moved_into_place(tmp_path: Path, private_tmp: Path,
                                                monkeypatch: pytest.MonkeyPatch):
    # ssconvert's last two arguments are input and output: copy one to the other.
    script = fake_engine(tmp_path, "ssconvert", 'for a; do prev=$last; last=$a; done\n'
                         '/bin/cp "$prev" "$last"\n')
    monkeypatch.setenv("SHEETSIM_SSCONVERT", str(script))
    src = make_book(tmp_path / "book.xlsx")
    dst = tmp_path / "new" / "o.xlsx"
    assert engines.recalc(src, dst, "gnumeric") == dst
    assert dst.read_bytes() == src.read_bytes()
    assert [p.name for p in dst.parent.iterdir()] == ["o.xlsx"]
    assert list(private_tmp.iterdir()) == []


def test_basic_string_literals():
    assert libreoffice._basic_str('say "hi"') == '"say ""hi"""'
    assert libreoffice._basic_str("a\nb") == '"a" & Chr(10) & "b"'
    with pytest.raises(EngineError):
        libreoffice._basic_set("bad name", 1)
    with pytest.raises(EngineError):
        libreoffice._basic_set("Scale", float("nan"))
    with pytest.raises(EngineError):
        libreoffice._basic_set("Flag", True)


def test_public_names_and_imports():
    """The names the CLI and tests use are functions of the package; engines stands alone."""
    for name in engines.__all__:
        assert hasattr(engines, name), name
    assert callable(engines.render) and callable(engines.recalc)  # not shadowed by modules
    code = ("import sys, sheetsim.engines as e\n"
            "e.find_executable('gnumeric')\n"
            "print(' '.join(sorted(m for m in sys.modules if m.startswith('sheetsim'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    allowed = {"sheetsim", "sheetsim.atomic", "sheetsim.xlsx", "sheetsim.xlsx.safezip"}
    assert [m for m in out if not m.startswith("sheetsim.engines")
            and m not in allowed] == []
