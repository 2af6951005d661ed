"""The Dashboard's diagnosis: each finding fires where the mathematics says it must and stays
quiet for the initializers made for the activation; the sheet's cached values, the
evaluator (from the formula text) and LibreOffice after a control change agree."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pytest

from sheetsim import evaluator
from sheetsim.check import manifest, verify
from sheetsim.experiments.init.settings import Settings
from sheetsim.xlsx import reader

from .helpers import build, drive, need_uno

FINDINGS = {
    "Saturated": "saturated",
    "Collapsed": "collapsed",
    "Dead units": "dead",
    "Exploding signal": "exploding_signal",
    "Vanishing signal": "vanishing_signal",
    "Vanishing gradient": "vanishing_gradient",
    "Exploding gradient": "exploding_gradient",
}
"""The findings table's English labels (column A of the Dashboard)."""
SHAPE = {"samples": 200, "width": 30}

CASES = {
    # sigmoid with σ = 1: about 70 % of layer 1's outputs within 0.1 of 0 or 1
    "sigmoid-std1": (dict(activation="sigmoid", init="normal", sigma=1.0),
                     {"saturated"}),
    # σ = 0.01: every output near 0.5 (std about 0.01), the spread halves from layer 1 to 2
    "sigmoid-std0.01": (dict(activation="sigmoid", init="normal", sigma=0.01),
                        {"collapsed", "vanishing_signal"}),
    # ReLU with σ = 1: each layer multiplies the spread by about √(100/2) ≈ 4 here
    "relu-std1-back": (dict(activation="relu", init="normal", sigma=1.0, backward=True),
                       {"exploding_signal", "exploding_gradient"}),
    # tanh with σ = 0.01: each layer shrinks signal and gradient by about 0.01·√30
    "tanh-std0.01-back": (dict(activation="tanh", init="normal", sigma=0.01, backward=True),
                          {"collapsed", "vanishing_signal", "vanishing_gradient"}),
    # eight neurons: two of layer 2's see only negative sums for every sample (seed 0)
    "relu-narrow": (dict(activation="relu", init="he", samples=100, width=8), {"dead"}),
    # the initializers made for the activation: nothing to report
    "sigmoid-xavier": (dict(activation="sigmoid", init="xavier"), set()),
    "tanh-xavier-back": (dict(activation="tanh", init="xavier", backward=True), set()),
    "relu-he-back": (dict(activation="relu", init="he", backward=True), set()),
}


FOUND, WORST, LAYER, TRY, THRESHOLD = 3, 4, 5, 6, 2
"""Columns of the findings table right of a finding's label."""


def finding_rows(path: Path) -> dict[str, tuple[int, int]]:
    """Finding key → 0-based (row, column) of its label in the findings table."""
    ws = openpyxl.load_workbook(path)["Dashboard"]
    return {FINDINGS[c.value]: (c.row - 1, c.column - 1) for row in ws.iter_rows()
            for c in row if c.value in FINDINGS}


def found_cached(path: Path) -> dict[str, float]:
    """The "Found" column of every finding (1 fires, 0 not), as the file caches it."""
    ws = openpyxl.load_workbook(path, data_only=True)["Dashboard"]
    return {key: ws.cell(r + 1, c + 1 + FOUND).value
            for key, (r, c) in finding_rows(path).items()}


def found_evaluated(path: Path) -> dict[str, float]:
    """The "Found" column as the evaluator computes it from the formula text."""
    results = evaluator.evaluate(reader.read(path))
    return {key: float(results[("Dashboard", r, c + FOUND)].ravel()[0])
            for key, (r, c) in finding_rows(path).items()}


@pytest.fixture(scope="module")
def books(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("diagnosis")
    return {name: build(Settings(**{**SHAPE, **kw}), folder / f"{name}.xlsx")
            for name, (kw, _) in CASES.items()}


@pytest.mark.parametrize("name", list(CASES))
def test_findings_fire_where_they_must(books, name) -> None:
    _, want = CASES[name]
    cached = found_cached(books[name])
    fired = {key for key, value in cached.items() if value == 1}
    assert fired == want, cached
    assert set(cached.values()) <= {0, 1}
    assert found_evaluated(books[name]) == cached
    result = verify.verify(books[name])
    assert result.ok, result.render()


def test_gradient_findings_only_with_the_backward_pass(books) -> None:
    keys = set(FINDINGS.values())
    assert set(finding_rows(books["sigmoid-std1"])) == keys - {
        "vanishing_gradient", "exploding_gradient"}
    assert set(finding_rows(books["relu-he-back"])) == keys


def test_each_finding_names_its_number_layer_and_advice(books) -> None:
    path = books["sigmoid-std1"]
    rows = finding_rows(path)
    ws = openpyxl.load_workbook(path, data_only=True)["Dashboard"]
    r, c = rows["saturated"]
    worst, layer, tip = (ws.cell(r + 1, c + 1 + j) for j in (WORST, LAYER, TRY))
    assert 0.5 < worst.value < 1 and layer.value == 1 and tip.value == 1
    assert tip.number_format.startswith('"Smaller weights: Initializer = xavier')
    assert ws.cell(r + 1, c + 1 + FOUND).number_format == '"YES";"YES";"no"'
    r, c = rows["collapsed"]
    assert ws.cell(r + 1, c + 1 + TRY).value == 0
    assert ws.cell(r + 1, c + 1 + TRY).number_format.endswith(';"—"')
    overall = next(cell for row in ws.iter_rows() for cell in row
                   if "finding(s) in all" in cell.number_format)
    assert overall.value == 1 and overall.column == 1
    assert overall.number_format == '0" finding(s) in all";0" finding(s) in all";"No finding"'
    per_layer = [cell.value for row in ws.iter_rows() for cell in row
                 if cell.number_format.startswith('0" finding(s)"')]
    # saturated shares 69 %, 53 %, 49.9 %, 41 %, 41 % against 50 %: layers 1 and 2
    assert per_layer == [1, 1, 0, 0, 0]


def test_one_layer_has_no_gains_to_judge(tmp_path) -> None:
    """A single layer has no neighbour: the gain findings leave the table, the rest stay,
    and the workbook verifies."""
    path = build(Settings(**SHAPE, layers=1, backward=True, init="normal", sigma=1.0),
                 tmp_path / "one.xlsx")
    assert set(finding_rows(path)) == {"saturated", "collapsed", "dead"}
    assert found_cached(path)["saturated"] == 1
    assert found_evaluated(path) == found_cached(path)
    result = verify.verify(path)
    assert result.ok, result.render()


def test_japanese_diagnosis(tmp_path) -> None:
    path = build(Settings(**SHAPE, init="normal", sigma=1.0, lang="ja"), tmp_path / "ja.xlsx")
    ws = openpyxl.load_workbook(path, data_only=True)["Dashboard"]
    texts = {c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    formats = {c.number_format for row in ws.iter_rows() for c in row}
    assert {"診断（数式：設定に合わせて変わります）", "飽和"} <= texts
    assert '"あり";"あり";"なし"' in formats
    assert verify.verify(path).ok


def test_thresholds_are_read_from_the_sheet(books, tmp_path) -> None:
    """A threshold changed in the sheet changes the verdict (the formulas read the table)."""
    src = books["sigmoid-xavier"]
    rows = finding_rows(src)
    wb = openpyxl.load_workbook(src)
    r, c = rows["collapsed"]
    wb["Dashboard"].cell(r + 1, c + 1 + THRESHOLD).value = 10.0  # std < 10: always
    changed = tmp_path / "changed.xlsx"
    wb.save(changed)
    assert found_evaluated(changed)["collapsed"] == 1
    assert found_evaluated(src)["collapsed"] == 0


@pytest.mark.engine
def test_libreoffice_follows_a_control_change(books, tmp_path) -> None:
    """In LibreOffice, Init → normal with σ = 1 makes the Xavier book saturated, and then
    σ = 0.01 collapsed: recalculated as AutoCalculate does, no stale cell, and the saved
    file verifies (LibreOffice's values against the evaluator and the model)."""
    need_uno()
    first, second = tmp_path / "std1.xlsx", tmp_path / "std0.01.xlsx"
    report = drive(books["sigmoid-xavier"], [
        {"set": {"Init": "normal", "Sigma": 1}, "save": str(first)},
        {"set": {"Sigma": 0.01}, "save": str(second)},
    ])
    assert all(step["stale_count"] == 0 for step in report["steps"]), report
    for path, want in ((first, {"saturated"}), (second, {"collapsed", "vanishing_signal"})):
        cached = found_cached(path)
        assert {k for k, v in cached.items() if v == 1} == want, cached
        result = verify.verify(path)
        assert result.ok, result.render()


def test_reader_decodes_character_references_once() -> None:
    """A cached string saved with a line break (LibreOffice writes it &#10;) reads back as
    one; a literal "&#10;" (written &amp;#10;) stays literal."""
    from sheetsim.xlsx.reader import _text

    assert _text(b"saturated&#10;") == "saturated\n"
    assert _text(b"a&amp;#10;b&#x41;&lt;&quot;") == 'a&#10;bA<"'


# --------------------------------------------------------------- what the Dashboard shows

def chart_parts(path: Path) -> list[str]:
    """The XML of every chart in the workbook."""
    with zipfile.ZipFile(path) as zf:
        return [zf.read(n).decode() for n in zf.namelist()
                if re.fullmatch(r"xl/charts/chart\d+\.xml", n)]


def category_formats(path: Path) -> list[str | None]:
    """Each column chart's category-axis number format (None where it has none)."""
    out = []
    for xml in chart_parts(path):
        if "<c:barChart>" not in xml:
            continue
        axis = re.search(r"<c:catAx>.*?</c:catAx>", xml, re.S)
        found = axis and re.search(r'<c:numFmt formatCode="([^"]*)"', axis.group(0))
        out.append(found.group(1) if found else None)
    return out


def titled(path: Path, title: str) -> str:
    """The XML of the chart with this title."""
    (xml,) = [x for x in chart_parts(path) if f"<a:t>{title}</a:t>" in x]
    return xml


def preset(name: str, **kw) -> Settings:
    """A preset's settings at the tests' shape."""
    from dataclasses import replace

    from sheetsim.experiments import load_preset

    return replace(load_preset(name), **{**SHAPE, **kw})


@pytest.fixture(scope="module")
def shown(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("shown")
    books = {name: preset(name) for name in ("relu-std1", "relu-he", "sigmoid-xavier")}
    books["relu-std1-bn"] = preset("relu-std1-bn")
    return {name: build(exp, folder / f"{name}.xlsx") for name, exp in books.items()}


def cached_block(path: Path, name: str) -> np.ndarray:
    """A block's values as the file caches them."""
    book = reader.read(path)
    return reader.block_values(book, manifest.read(book).blocks[name])


def test_every_layer_of_relu_std1_shows_its_shape(shown) -> None:
    """ReLU with σ = 1: the layers' spread grows by orders of magnitude, so each histogram
    takes its own range and no layer piles more than 80 % of its outputs into one bin (on
    one shared range, layers 1 to 3 were a single bar each)."""
    path = shown["relu-std1"]
    assert verify.verify(path).ok
    assert cached_block(path, "own_range")[0, 0] == 1
    exp = preset("relu-std1")
    highs = cached_block(path, "hist_high").ravel()
    assert highs[-1] > 100 * highs[0]  # the ranges differ as the layers do
    for k in range(1, exp.layers + 1):
        counts = cached_block(path, f"L{k}_counts").ravel()
        assert counts.sum() == exp.samples * exp.width
        assert counts.max() <= 0.8 * counts.sum(), (k, counts.max() / counts.sum())


@pytest.mark.parametrize("name", ["relu-he", "sigmoid-xavier"])
def test_layers_of_one_size_share_one_range(shown, name) -> None:
    path = shown[name]
    assert cached_block(path, "own_range")[0, 0] == 0
    lows, highs = cached_block(path, "hist_low"), cached_block(path, "hist_high")
    assert len(set(lows.ravel())) == len(set(highs.ravel())) == 1


@pytest.mark.parametrize(("name", "log"), [("relu-std1", True), ("relu-std1-bn", False),
                                           ("relu-he", False), ("sigmoid-xavier", False)])
def test_std_chart_is_logarithmic_where_the_std_spans_more_than_10x(shown, name, log) -> None:
    path = shown[name]
    std = cached_block(path, "dash_std").ravel()
    assert bool(std.max() > 10 * std.min()) is log
    assert ("<c:logBase" in titled(path, "Output std by layer")) is log


def test_no_histogram_category_axis_is_in_general_format(shown) -> None:
    for name, path in shown.items():
        formats = category_formats(path)
        assert len(formats) >= preset(name).layers, name
        assert all(f and f != "General" for f in formats), (name, formats)


def test_ok_is_not_red_in_the_per_layer_findings_row(shown) -> None:
    """The words' colour follows the verdict: a conditional format makes a layer's count red
    where a finding fires; the cell's own font is not red."""
    for name in ("relu-he", "relu-std1"):
        wb = openpyxl.load_workbook(shown[name])
        ws = wb["Dashboard"]
        (row,) = [c.row for c in ws["A"] if c.value == "Findings in this layer (red)"]
        cells = [ws.cell(row, 1 + k) for k in range(1, preset(name).layers + 1)]
        assert all(c.font.color is None or c.font.color.rgb != "FF9C0006" for c in cells)
        rules = [r for cf in ws.conditional_formatting for r in cf.rules
                 if f"B{row}" in str(cf.sqref)]
        assert [(r.type, r.operator, r.formula) for r in rules] == [
            ("cellIs", "greaterThan", ["0"])]
        assert rules[0].dxf.font.color.rgb == "FF9C0006"


def test_header_names_the_settings_that_differ(shown) -> None:
    """The header is formulas of the controls: initializer, σ (normal only), activation,
    the network's shape, samples, batch norm, the histogram range and the seed."""
    for name, path in shown.items():
        exp = preset(name)
        ws = openpyxl.load_workbook(path)["Dashboard"]
        text = "".join(str(ws.cell(2, c).value) for c in (1, 2, 3))
        for control in ("Init", "Sigma", "Activation", "Samples", "RangeMode", "Seed"):
            assert re.search(rf"\b{control}\b", text), (name, control)
        assert ("BatchNorm" in text) is exp.has_batchnorm
        assert f"Layers: {exp.layers} × {exp.width}" in text
        cached = openpyxl.load_workbook(path, data_only=True)["Dashboard"]
        init, sigma, rest = (cached.cell(2, c).value for c in (1, 2, 3))
        assert init.endswith(exp.init) and f"Activation: {exp.activation}" in rest
        wstd = cached.cell(*[(c.row, c.column + 1) for c in cached["A"]
                             if c.value == "Weight σ"][0]).value
        assert sigma == pytest.approx(exp.sigma if exp.init == "normal" else wstd)
    assert verify.verify(shown["relu-std1-bn"]).ok  # the evaluator agrees with the text
