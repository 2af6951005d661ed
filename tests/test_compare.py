"""``sheetsim build compare``: the initializers side by side on shared draws, verified by the
evaluator and after LibreOffice recalculates it (and after a control change there). Bad
lists and the other engines are in test_experiments.py."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from click.testing import CliRunner

from sheetsim.check import verify
from sheetsim.cli import cli
from sheetsim.experiments.init.settings import Settings
from sheetsim.xlsx import reader

from .helpers import build, drive, need, need_uno

TINY = ("--samples", "60", "--width", "12", "--layers", "3", "--bins", "10")


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def labels(path: Path) -> list[object]:
    """The configurations' titles in the Dashboard's std table (column A under its header):
    an initializer's name, or a normal one's σ (its number format says "normal σ = ")."""
    ws = openpyxl.load_workbook(path, data_only=True)["Dashboard"]
    column = list(ws["A"])
    start = [c.value for c in column].index("Configuration") + 1
    out = []
    for c in column[start:]:
        if c.value is None:
            break
        if isinstance(c.value, float):
            assert c.number_format == '"normal σ = "General'
        out.append(c.value)
    return out


@pytest.fixture(scope="module")
def default_compare(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("compare") / "compare.xlsx"
    result = run("build", "compare", *TINY, "-o", str(out), "-q")
    assert result.exit_code == 0, result.output
    return out


def test_compare_defaults_to_the_articles_four(default_compare) -> None:
    assert labels(default_compare) == [1, 0.01, "xavier", "he"]
    report = verify.verify(default_compare)
    assert report.ok, report.render()


def test_compare_takes_a_list_in_any_case(tmp_path) -> None:
    out = tmp_path / "c.xlsx"
    result = run("build", "compare", "--configs", "STD2,he_uniform,Xavier", "--activation",
                 "ReLU", *TINY, "-o", str(out))
    assert result.exit_code == 0, result.output
    assert labels(out) == [2, "he_uniform", "xavier"]
    summary = result.output.splitlines()
    assert any(line.strip().startswith("normal σ = 2") for line in summary), result.output
    assert verify.verify(out).ok


def test_configurations_share_the_draws_of_an_initialization_workbook(default_compare,
                                                                       tmp_path) -> None:
    """Xavier (third) of the comparison is the sigmoid/Xavier initialization workbook with
    the same seed and shape, layer by layer."""
    single = build(Settings(samples=60, width=12, layers=3, bins=10), tmp_path / "x.xlsx")
    for k in (1, 3):
        mine = reader.read(default_compare, only={f"C3_L{k}_Z"}).sheet(f"C3_L{k}_Z").numbers
        theirs = reader.read(single, only={f"L{k}_Z"}).sheet(f"L{k}_Z").numbers
        assert np.allclose(mine[2:, 1:], theirs[2:, 1:], rtol=1e-12, atol=1e-15)


def test_the_article_shapes_hold(default_compare) -> None:
    """σ = 0.01 collapses the sigmoid (tiny std); σ = 1 spreads it most, Xavier between."""
    ws = openpyxl.load_workbook(default_compare, data_only=True)["Dashboard"]
    rows = {r[0].value: [c.value for c in r[1:4]] for r in ws.iter_rows(min_row=5, max_row=8)}
    assert all(s < 0.05 for s in rows[0.01])
    assert all(a > b > c for a, b, c in zip(rows[1], rows["xavier"], rows[0.01], strict=True))


@pytest.mark.engine
def test_compare_verifies_after_libreoffice(default_compare, tmp_path) -> None:
    need("libreoffice")
    out = tmp_path / "lo.xlsx"
    result = run("recalc", str(default_compare), "--engine", "libreoffice", "-o", str(out), "-q")
    assert result.exit_code == 0, result.output
    report = verify.verify(out)
    assert report.ok, report.render()
    with zipfile.ZipFile(out) as zf:  # the file LibreOffice wrote, not ours
        assert b"LibreOffice" in zf.read("docProps/app.xml")


@pytest.mark.engine
def test_compare_follows_its_controls_in_libreoffice(default_compare, tmp_path) -> None:
    """Activation → relu and configuration 1 → he, recalculated as AutoCalculate does: no
    stale cell, and the saved numbers verify."""
    need_uno()
    saved = tmp_path / "after.xlsx"
    report = drive(default_compare, [{"set": {"Activation": "relu", "Init_C1": "he"},
                                      "save": str(saved)}])
    assert report["steps"][0]["stale_count"] == 0, report
    assert labels(saved)[0] == "he"
    result = verify.verify(saved)
    assert result.ok, result.render()


def test_bin_labels_are_formatted_and_the_header_names_the_settings(tmp_path) -> None:
    """Every histogram's category axis has a number format fitting its labels (no raw
    floats such as -1.38777878078145E-17), and the line under the title is a formula of
    the Activation control naming the network's shape, samples and seed."""
    from .test_diagnosis import category_formats

    out = tmp_path / "relu.xlsx"
    result = run("build", "compare", *TINY, "--configs", "std0.1,xavier,he", "--activation",
                 "relu", "-o", str(out), "-q")
    assert result.exit_code == 0, result.output
    formats = category_formats(out)
    assert len(formats) == 3 * 3 and all(f and f != "General" for f in formats), formats
    ws = openpyxl.load_workbook(out)["Dashboard"]
    header = ws["A2"].value
    assert header.startswith('="Activation: "&Activation&"') and "Layers: 3 × 12" in header
    cached = openpyxl.load_workbook(out, data_only=True)["Dashboard"]["A2"].value
    assert cached.startswith("Activation: relu   Layers: 3 × 12")
    assert verify.verify(out).ok
