"""`sheetsim verify`: its report; tampering is caught and located (every experiment and
preset verifies in test_experiments.py)."""

from __future__ import annotations

import json
import re
import zipfile

import openpyxl
import pytest
import xlsxwriter
from click.testing import CliRunner

from sheetsim.cli import cli

from .helpers import cell_xml, patch_sheet, set_cached, sheet_part


def verify(*args: str):
    return CliRunner().invoke(cli, ["verify", *map(str, args)])


def test_json_report(small_book):
    result = verify(small_book, "--json")
    assert result.exit_code == 0
    report = json.loads(result.output)
    assert report["ok"] is True and report["mismatch_count"] == 0
    assert report["cells"] > 2 * 60 * 8 * 7
    assert {s["sheet"] for s in report["sheets"]} >= {"L1_A", "Histograms", "Controls"}


def test_a_changed_cached_value_is_located(small_copy):
    set_cached(small_copy, "L2_Z", "D10", "0.123")  # was 0.5229: it moves to another bin
    result = verify(small_copy)
    assert result.exit_code == 1
    assert "L2_Z!D10" in result.output
    assert "0.123" in result.output
    # the file's layer-2 counts are recounted on its own values: one pass (FREQUENCY) puts
    # the value in its new bin (Histograms!O5, 0.1 < z <= 0.2) and takes it from the bin it
    # left (O9, 0.5 < z <= 0.6); the bins between them agree
    assert re.search(r"cached\s+Histograms!O5\s+13\s+12$", result.output, re.M)
    assert re.search(r"cached\s+Histograms!O9\s+139\s+140$", result.output, re.M)
    assert "Histograms!O6" not in result.output
    assert "3 cells disagree" in result.output.splitlines()[-1]


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
    assert any(re.match(r"[1-9][\d,]* formulas carry no cached value", note)
               for note in report["notes"]), report["notes"]
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


# --- counts are exact where the counted values are the same ------------------------------

def _count_cells(settings, predicate) -> set[str]:
    """Addresses of the one-pass count cells (FREQUENCY) whose upper edge satisfies
    ``predicate``, and of the row after each: where a value on that edge goes if it is
    counted above the edge instead of in the bin the edge closes."""
    from sheetsim.experiments import of_settings
    from sheetsim.experiments.init import model

    plan = of_settings(settings).plan(settings)
    edges = model.bin_edges(settings, plan.blocks["bin_index"].rows)
    rows = [r for r, e in enumerate(edges[: settings.bins]) if predicate(e)]
    return {plan.blocks[f"L{k}_freq"].address(r + step, 0)
            for k in range(1, settings.layers + 1) for r in rows for step in (0, 1)}


def _strict_counts(path) -> int:
    """Every FREQUENCY count of Histograms made strict (a value on an edge counted above
    it): its edges lowered by a hair, cached values kept."""
    part = sheet_part(path, "Histograms")
    with zipfile.ZipFile(path) as zf:
        members = [(info, zf.read(info)) for info in zf.infolist()]
    done = 0
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, data in members:
            if info.filename == part:
                data, done = re.subn(r"(<f[^>]*>FREQUENCY\([^,<]*,)([^)<]*)\)</f>",
                                     r"\1\2-ABS(\2)*1E-15-1E-300)</f>", data.decode())
                data = data.encode()
            zf.writestr(info, data)
    return done


@pytest.mark.parametrize(
    ("settings", "on_edge", "model_too"),
    [
        # ReLU zeros sit exactly on the edge at 0 (half of all outputs); hardly any value is
        # near 0 without being 0, so the model's slack is small and (b) fails as well
        (dict(activation="relu", init="he", bin_low=-1.0, bin_high=1.0), lambda e: e == 0.0,
         True),
        # a saturated sigmoid gives exactly 1.0 in double precision: the top edge. Hundreds
        # of values lie within 1e-9 of 1.0 without being 1.0 and may fall either side against
        # the model, so only the exact check (a) can catch it
        (dict(activation="sigmoid", init="normal", sigma=5.0), lambda e: e == 1.0, False),
    ],
    ids=["relu-zeros", "sigmoid-ones"],
)
def test_a_strict_count_formula_fails_on_values_exactly_on_an_edge(tmp_path, settings, on_edge,
                                                                   model_too):
    from sheetsim.build import writer
    from sheetsim.experiments.init.settings import Settings
    from sheetsim.xlsx import reader

    exp = Settings(samples=200, width=30, layers=3, range_mode="manual", **settings)
    path = tmp_path / "strict.xlsx"
    writer.build(exp, path)
    assert verify(path).exit_code == 0
    book = reader.read(path)
    z = book.sheet("L1_Z").numbers
    edge = 0.0 if settings["activation"] == "relu" else 1.0
    assert (z == edge).sum() > 100  # the data really has values on the edge
    assert _strict_counts(path) == exp.layers
    result = verify(path, "--json")
    assert result.exit_code == 1, result.output
    report = json.loads(result.output)
    cached = {m["address"] for m in report["mismatches"] if m["check"] == "cached"}
    assert cached == _count_cells(exp, on_edge)  # exactly the counts of the edge's bin
    model = {m["address"] for m in report["mismatches"] if m["check"] == "model"}
    assert bool(model & _count_cells(exp, on_edge)) is model_too
    text = verify(path)
    assert text.exit_code == 1
    assert all(cell in text.output for cell in cached)


def test_a_count_off_by_one_fails_even_where_thousands_of_values_tie(tmp_path):
    from sheetsim.build import writer
    from sheetsim.experiments.init.settings import Settings

    exp = Settings(samples=200, width=30, layers=3, activation="relu", init="he",
                   range_mode="manual", bin_low=-1.0, bin_high=1.0)
    path = tmp_path / "relu.xlsx"
    writer.build(exp, path)
    (address,) = _count_cells(exp, lambda e: e == 0.0) & {"Histograms!N18"}
    ref = address.split("!")[1]
    n = int(float(re.search(r"<v>([^<]*)</v>", cell_xml(path, "Histograms", ref)).group(1)))
    assert n > 2000  # the zeros of a ReLU layer
    set_cached(path, "Histograms", ref, str(n + 1))
    result = verify(path)
    assert result.exit_code == 1
    assert re.search(rf"cached\s+{address}\s+{n}\s+{n + 1}$", result.output, re.M)
    # the count the chart shows (column J) reads the file's one-pass count: it disagrees
    # with its own cached value too; no other bin does
    assert re.search(rf"cached\s+Histograms!J18\s+{n + 1}\s+{n}$", result.output, re.M)
    assert "2 cells disagree" in result.output


def test_controls_the_model_cannot_run_on_are_a_failure(small_copy):
    old = cell_xml(small_copy, "Controls", "B5")
    style = re.search(r' s="\d+"', old).group(0)
    patch_sheet(small_copy, "Controls", old,
                f'<c r="B5"{style} t="inlineStr"><is><t>softmax</t></is></c>')
    result = verify(small_copy, "--json")
    assert result.exit_code == 1, result.output
    report = json.loads(result.output)
    assert report["ok"] is False
    assert any("cannot run on the file's controls" in p and "softmax" in p
               for p in report["problems"]), report["problems"]


def test_an_overflowing_network_verifies_with_a_note(tmp_path):
    from sheetsim.build import writer
    from sheetsim.experiments.init.settings import Settings

    path = tmp_path / "overflow.xlsx"
    writer.build(Settings(samples=20, width=4, layers=3, activation="relu", init="normal",
                          sigma=1e120), path)
    result = verify(path, "--json")
    assert result.exit_code == 0, result.output
    notes = json.loads(result.output)["notes"]
    assert any(re.match(r"[1-9][\d,]* comparisons met a non-finite value", n) for n in notes)
