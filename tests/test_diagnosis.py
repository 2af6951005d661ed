"""The Dashboard's diagnosis: each finding fires where the mathematics says it must and stays
quiet for the initializers made for the activation; the sheet's cached values, the
evaluator (from the formula text) and LibreOffice after a control change agree."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from sheetsim import evaluator
from sheetsim.check import verify
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
