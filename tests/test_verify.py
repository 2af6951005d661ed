"""`sheetsim verify`: every preset verifies; tampering is caught and located."""

from __future__ import annotations

import json
import re
import zipfile

import openpyxl
import pytest
import xlsxwriter
from click.testing import CliRunner

from sheetsim.cli import cli

from .conftest import patch_sheet, sheet_part


def verify(*args: str):
    return CliRunner().invoke(cli, ["verify", *map(str, args)])


def cell_xml(path, sheet: str, ref: str) -> str:
    with zipfile.ZipFile(path) as zf:
        xml = zf.read(sheet_part(path, sheet)).decode()
    m = re.search(rf'<c r="{ref}"[^>]*>.*?</c>', xml)
    assert m, ref
    return m.group(0)


def set_cached(path, sheet: str, ref: str, value: str) -> None:
    old = cell_xml(path, sheet, ref)
    patch_sheet(path, sheet, old, re.sub(r"<v>[^<]*</v>", f"<v>{value}</v>", old))


@pytest.mark.parametrize(
    "preset",
    ["sigmoid-std1", "sigmoid-std0.01", "sigmoid-xavier", "relu-xavier", "relu-he",
     "tanh-xavier"],
)
def test_every_preset_verifies(preset_books, preset):
    result = verify(preset_books[preset])
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1].startswith("OK: ")
    # every block sheet was compared both ways
    for sheet in ("Input", "L5_Z", "Histograms"):
        assert re.search(rf"^{sheet}\s+cached\s+[\d,]+", result.output, re.M)
        assert re.search(rf"^{sheet}\s+model\s+[\d,]+", result.output, re.M)


def test_json_report(small_book):
    result = verify(small_book, "--json")
    assert result.exit_code == 0
    report = json.loads(result.output)
    assert report["ok"] is True and report["mismatch_count"] == 0
    assert report["cells"] > 2 * 60 * 8 * 7
    assert {s["sheet"] for s in report["sheets"]} >= {"L1_A", "Histograms", "Controls"}


def test_a_changed_cached_value_is_located(small_copy):
    set_cached(small_copy, "L2_Z", "D10", "0.123")
    result = verify(small_copy)
    assert result.exit_code == 1
    assert "L2_Z!D10" in result.output
    assert "0.123" in result.output
    assert "1 cells disagree" in result.output.splitlines()[-1]


def test_a_changed_uniform_draw_is_located(small_copy):
    set_cached(small_copy, "L2_U", "C5", "0.999")
    result = verify(small_copy, "--json")
    assert result.exit_code == 1
    report = json.loads(result.output)
    first = report["mismatches"][0]
    assert first["check"] == "cached" and first["address"] == "L2_W!C5"


@pytest.mark.parametrize(
    ("sheet", "old", "new", "where"),
    [
        # a range shifted by one column
        ("L2_A", "MMULT(L1_Z!$B$3:$I$62", "MMULT(L1_Z!$C$3:$J$62", "L2_A!"),
        # a sign flipped in the sigmoid
        ("L3_Z", "(1+TANH(L3_A!$B$3:$I$62/2))/2", "(1-TANH(L3_A!$B$3:$I$62/2))/2", "L3_Z!"),
        # the wrong layer referenced
        ("L3_A", "MMULT(L2_Z!", "MMULT(L1_Z!", "L3_A!"),
        # the Xavier scale miscomputed
        ("Controls", "1/SQRT(F17)", "1/SQRT(F17+1)", "Controls!I17"),
    ],
)
def test_a_wrong_formula_is_caught(small_copy, sheet, old, new, where):
    patch_sheet(small_copy, sheet, old, new)
    result = verify(small_copy)
    assert result.exit_code == 1, result.output
    assert where in result.output


def test_control_changed_with_openpyxl_verifies_against_the_new_values(small_copy, tmp_path):
    wb = openpyxl.load_workbook(small_copy)
    wb["Controls"]["B4"] = "he"
    wb["Controls"]["B5"] = "relu"
    changed = tmp_path / "changed.xlsx"
    wb.save(changed)
    result = verify(changed, "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert any("no cached value" in note for note in report["notes"])
    model_cells = sum(s["cells"] for s in report["sheets"] if s["check"] == "model")
    assert model_cells > 60 * 8 * 3 * 2


def test_control_changed_without_recalculation_is_stale(small_copy):
    # Activation set to relu in the XML, cached numbers left as they were (sigmoid's)
    old = cell_xml(small_copy, "Controls", "B5")
    style = re.search(r' s="\d+"', old).group(0)
    patch_sheet(small_copy, "Controls", old,
                f'<c r="B5"{style} t="inlineStr"><is><t>relu</t></is></c>')
    result = verify(small_copy)
    assert result.exit_code == 1
    assert "L1_Z!B3" in result.output  # the first output cell no longer matches


def test_unsupported_function_names_function_and_cell(small_copy):
    patch_sheet(small_copy, "Histograms", "COUNTIF(", "COUNTBLANKX(")
    result = verify(small_copy)
    assert result.exit_code == 2
    assert "COUNTBLANKX" in result.output and "Histograms!" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_not_a_sheetsim_workbook(tmp_path):
    other = tmp_path / "other.xlsx"
    wb = xlsxwriter.Workbook(other)
    wb.add_worksheet("Data").write(0, 0, 1)
    wb.close()
    result = verify(other)
    assert result.exit_code == 2
    assert "not a sheetsim workbook" in result.output


@pytest.mark.parametrize("content", [b"", b"hello", b"PK\x03\x04broken"])
def test_unreadable_files_exit_2(tmp_path, content):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(content)
    result = verify(bad)
    assert result.exit_code == 2
    assert len(result.output.strip().splitlines()) == 1
    assert "Traceback" not in result.output
