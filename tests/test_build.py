"""`sheetsim build` of the initialization experiment: the CLI, the workbook contract, cached
values, outputs. (Bad settings of every experiment are in test_experiments.py.)"""

from __future__ import annotations

import contextlib
import re
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.worksheet.formula import ArrayFormula

from sheetsim import config
from sheetsim.cli import cli
from sheetsim.experiments.init import model
from sheetsim.experiments.init.settings import Settings

from .helpers import SMALL, build


def run(*args: str, cwd: Path | None = None):
    runner = CliRunner()
    if cwd is None:
        return runner.invoke(cli, list(args))
    with contextlib.chdir(tempfile.mkdtemp(dir=cwd)):  # a fresh folder inside cwd
        return runner.invoke(cli, list(args))


def block_values(ws, rows: int, cols: int) -> np.ndarray:
    """Cells B3.. of a block sheet, read with openpyxl (not our reader)."""
    out = np.empty((rows, cols))
    for i, row in enumerate(ws.iter_rows(min_row=3, max_row=2 + rows, min_col=2,
                                         max_col=1 + cols, values_only=True)):
        out[i] = row
    return out


@pytest.mark.slow
def test_build_without_arguments_writes_the_default_workbook(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["build"])
    assert result.exit_code == 0, result.output
    out = tmp_path / "output" / "init.xlsx"
    assert out.is_file() and out.stat().st_size > 1_000_000
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == ["init.xlsx"]
    assert "output/init.xlsx" in result.output
    # the per-layer table: 5 layers with mean, std, first/last bin share, share of zeros
    rows = [line.split() for line in result.output.splitlines() if re.match(r"\s+\d\s", line)]
    assert [r[0] for r in rows] == ["1", "2", "3", "4", "5"]
    assert all(0.45 < float(r[1]) < 0.55 for r in rows)  # sigmoid means near 0.5


def test_python_dash_m_entry_point():
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "sheetsim", "presets"], capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0 and "relu-he" in done.stdout


def test_presets_lists_every_preset_once():
    result = run("presets")
    assert result.exit_code == 0
    names = [line.split()[0] for line in result.output.splitlines() if line.startswith("  ")
             and not line.startswith("   ")]
    assert sorted(names) == sorted(config.preset_names())


def test_contract_sheets_formulas_names(small_book):
    wb = openpyxl.load_workbook(small_book)
    layers = [f"L{k}_{p}" for k in range(1, 4) for p in "UWAZ"]
    assert wb.sheetnames == ["Dashboard", "Controls", "Histograms", "Guide", "Exercises",
                             "Input_U", "Input", *layers, "Answers", "_sheetsim"]
    assert wb["_sheetsim"].sheet_state == "hidden"
    assert wb["Answers"].sheet_state == "veryHidden"
    assert wb.active.title == "Dashboard"
    for name in ("Init", "Activation", "Sigma", "Bins", "BinLow", "BinHigh"):
        assert name in wb.defined_names
    assert wb.defined_names["Init"].attr_text == "Controls!$B$4"
    # one array formula per block, spanning the whole block
    n, d = SMALL.samples, SMALL.width
    expected = {
        "Input": (n, d, r"^=_xlfn\.NORM\.S\.INV\(Input_U!\$B\$3:\$I\$62\)$"),
        "L1_W": (d, d, r"NORM\.S\.INV\(L1_U!\$B\$3:\$I\$10\)\*Scale_L1"),
        "L1_A": (n, d, r"^=MMULT\(Input!\$B\$3:\$I\$62,L1_W!\$B\$3:\$I\$10\)$"),
        "L2_A": (n, d, r"^=MMULT\(L1_Z!\$B\$3:\$I\$62,L2_W!\$B\$3:\$I\$10\)$"),
        "L3_Z": (n, d, r'Act_L3="sigmoid",\(1\+TANH\(L3_A!\$B\$3:\$I\$62/2\)\)/2'),
    }
    for sheet, (rows, cols, pattern) in expected.items():
        ws = wb[sheet]
        arrays = [c for row in ws.iter_rows() for c in row if isinstance(c.value, ArrayFormula)]
        assert len(arrays) == 1, sheet
        assert arrays[0].coordinate == "B3"
        assert arrays[0].value.ref == f"B3:{openpyxl.utils.get_column_letter(1 + cols)}{2 + rows}"
        assert re.search(pattern, arrays[0].value.text), arrays[0].value.text
    for sheet in ("Input_U", "L1_U"):
        ws = wb[sheet]
        assert not any(isinstance(c.value, (str, ArrayFormula)) and str(c.value).startswith("=")
                       for row in ws.iter_rows(min_row=3) for c in row)
    hist = wb["Histograms"]
    z1 = "L1_Z!$B$3:$I$62"
    # each layer is counted in one pass, FREQUENCY of its block against its edges (an array
    # formula right of the counts); the counts the charts read are plain formulas reading it,
    # so that they keep their cached values at load; each also reads every control. Per
    # layer: edges (B:D), centres (F:H), counts (J:L), FREQUENCY (N:P)
    freq = hist["N4"].value
    assert isinstance(freq, ArrayFormula) and freq.ref == f"N4:N{4 + SMALL.bins}"
    assert freq.text == f"=FREQUENCY({z1},Histograms!$B$4:$B${3 + SMALL.bins})"
    counts = {ref: hist[ref].value for ref in ("J4", "J5", f"J{4 + SMALL.bins}")}
    listen = "+0*COUNTA(AllControls)"
    assert counts["J4"] == f"=IF(Bins>=1,Histograms!$N$4,0){listen}"
    assert counts["J5"] == f"=IF(Bins>=2,Histograms!$N$5,0){listen}"
    last = f"{4 + SMALL.bins}"
    # above the range: FREQUENCY's rows past the Bins control and its overflow row
    assert counts[f"J{last}"] == (f"=SUMPRODUCT((Histograms!$A$4:$A${3 + SMALL.bins}>Bins)"
                                  f"*Histograms!$N$4:$N${3 + SMALL.bins})+Histograms!$N${last}"
                                  f"{listen}")
    dash = {row[0].value: row[1].value for row in wb["Dashboard"].iter_rows(max_col=2)}
    assert isinstance(dash["Mean"], str) and dash["Mean"].endswith(listen)  # reads a statistic
    assert dash["Initializer"] == "=Init_L1"  # a control in use: plain
    # the mean it shows (scaled against overflow: an operation on a range) stays an array
    mean_sheet, mean_cell = dash["Mean"].removeprefix("=").removesuffix(listen).split("!")
    assert isinstance(wb[mean_sheet][mean_cell.replace("$", "")].value, ArrayFormula)
    # layer 1's edges from its own range (D27:D28 under the statistics: the range in use,
    # auto from the activation and the outputs, or manual BinLow, BinHigh; or the layer's own)
    assert hist["B4"].value.text == (
        "=IF(Histograms!$A$4:$A$13=Bins,Histograms!$D$28,Histograms!$D$27+Histograms!$A$4:$A$13"
        "*(Histograms!$D$28-Histograms!$D$27)/Bins)")
    own = '=IF(RangeMode="manual",RangeLow,IF(Histograms!$D$29=1,'
    assert hist["D27"].value.text.startswith(own)
    validations = wb["Controls"].data_validations.dataValidation
    lists = {str(v.sqref): v.formula1 for v in validations if v.type == "list"}
    assert lists["B4"] == "InitNames" and lists["B5"] == "ActNames"
    assert lists["B17"] == "InitChoices" and lists["C19"] == "ActChoices"  # per layer
    assert wb.defined_names["InitChoices"].attr_text == "Controls!$O$4:$O$11"


def test_manifest_records_version_config_and_blocks(small_book):
    ws = openpyxl.load_workbook(small_book)["_sheetsim"]
    assert ws["A1"].value == "sheetsim"
    import json

    assert json.loads(ws["B2"].value)["samples"] == SMALL.samples
    blocks = {ws.cell(r, 1).value: (ws.cell(r, 2).value, ws.cell(r, 3).value, ws.cell(r, 4).value)
              for r in range(6, ws.max_row + 1) if ws.cell(r, 3).value}
    assert blocks["L2_a"] == ("L2_A", "B3:I62", "linear")
    assert blocks["input_u"] == ("Input_U", "B3:I62", "uniform")
    assert blocks["L3_counts"][2] == "counts"


def test_cached_values_equal_the_reference_model(small_book):
    wb = openpyxl.load_workbook(small_book, data_only=True)
    fwd = model.run(SMALL)
    n, d = SMALL.samples, SMALL.width
    assert np.array_equal(block_values(wb["Input_U"], n, d), fwd.input_u)
    assert np.array_equal(block_values(wb["Input"], n, d), fwd.x)
    for k, layer in enumerate(fwd.layers, 1):
        assert np.array_equal(block_values(wb[f"L{k}_U"], d, d), layer.u)
        assert np.array_equal(block_values(wb[f"L{k}_W"], d, d), layer.w)
        assert np.array_equal(block_values(wb[f"L{k}_A"], n, d), layer.a)
        assert np.array_equal(block_values(wb[f"L{k}_Z"], n, d), layer.z)
    # histogram counts of each layer (K bins + overflow) sum to samples x width
    hist = wb["Histograms"]
    for k in range(1, 4):
        counts = [hist.cell(4 + i, 2 * SMALL.layers + 3 + k).value
                  for i in range(SMALL.bins + 1)]
        assert sum(counts) == n * d
        assert all(isinstance(c, (int, float)) for c in counts)
    # the counts are the model's, bin by bin
    edges = model.bin_edges(SMALL)
    for k in range(1, 4):
        counts = [hist.cell(4 + i, 2 * SMALL.layers + 3 + k).value
                  for i in range(SMALL.bins + 1)]
        assert counts == model.bin_counts(fwd.layers[k - 1].z, edges).tolist()
    assert hist.cell(4 + SMALL.bins + 3, 4).value == pytest.approx(fwd.layers[0].z.mean())
    # every formula cell of the small sheets carries a cached value
    formulas = openpyxl.load_workbook(small_book)
    for sheet in ("Dashboard", "Controls", "Histograms"):
        for row in formulas[sheet].iter_rows():
            for cell in row:
                text = getattr(cell.value, "text", cell.value)
                if isinstance(text, str) and text.startswith("="):
                    assert wb[sheet][cell.coordinate].value is not None, (sheet, cell.coordinate)


def test_statistics_rows(small_book):
    wb = openpyxl.load_workbook(small_book, data_only=True)
    hist = wb["Histograms"]
    labels = {hist.cell(r, 1).value: r for r in range(1, hist.max_row + 1)}
    z = model.run(SMALL).layers[1].z
    assert hist.cell(labels["Mean"], 5).value == pytest.approx(z.mean(), rel=1e-12)
    assert hist.cell(labels["Std (population)"], 5).value == pytest.approx(z.std(), rel=1e-12)
    assert hist.cell(labels["Min"], 5).value == z.min()
    assert hist.cell(labels["Max"], 5).value == z.max()
    assert hist.cell(labels["Share exactly 0"], 5).value == 0


def test_fast_path_writes_the_same_cells_as_the_straightforward_path(tmp_path):
    exp = Settings(samples=30, width=6, layers=2, bins=5)
    fast = openpyxl.load_workbook(build(exp, tmp_path / "fast.xlsx", fast=True))
    slow = openpyxl.load_workbook(build(exp, tmp_path / "slow.xlsx", fast=False))
    assert fast.sheetnames == slow.sheetnames
    for name in fast.sheetnames:
        a, b = fast[name], slow[name]
        assert a.dimensions == b.dimensions, name
        for ra, rb in zip(a.iter_rows(), b.iter_rows(), strict=True):
            for ca, cb in zip(ra, rb, strict=True):
                va = ca.value.text if isinstance(ca.value, ArrayFormula) else ca.value
                vb = cb.value.text if isinstance(cb.value, ArrayFormula) else cb.value
                if isinstance(va, float):
                    # xlsxwriter writes 16 significant digits, the fast path all 17
                    assert va == pytest.approx(vb, rel=1e-15, abs=0), (name, ca.coordinate)
                else:
                    assert va == vb, (name, ca.coordinate)
                assert ca.number_format == cb.number_format, (name, ca.coordinate)
        assert a.freeze_panes == b.freeze_panes


def test_same_seed_gives_identical_bytes(tmp_path):
    a = build(SMALL, tmp_path / "a.xlsx").read_bytes()
    b = build(SMALL, tmp_path / "b.xlsx").read_bytes()
    assert a == b


@pytest.mark.parametrize(("name", "flags"), [
    ("init", ["--samples", "20", "--width", "5", "--bins", "5"]),
    ("descent", ["--steps", "5"]),
])
def test_all_presets_of_an_experiment_into_a_folder(tmp_path, name, flags):
    result = run("build", name, "--all-presets", *flags, "-o", str(tmp_path), "-q")
    assert result.exit_code == 0, result.output
    want = {f"{p}.xlsx" for p in config.preset_names() if config.preset_experiment(p) == name}
    assert {p.name for p in tmp_path.iterdir()} == want


def test_options_and_toml_config(tmp_path):
    cfg = tmp_path / "exp.toml"
    cfg.write_text('activation = "tanh"\ninit = "he"\nrange = [-1, 1]\nlayers = 2\n')
    out = tmp_path / "x.xlsx"
    result = run("build", "init", "--config", str(cfg), "--samples", "12", "--width", "4",
                 "--seed", "3", "-o", str(out))
    assert result.exit_code == 0, result.output
    import json

    manifest = openpyxl.load_workbook(out)["_sheetsim"]
    cfg_json = json.loads(manifest["B2"].value)
    assert (cfg_json["activation"], cfg_json["init"], cfg_json["layers"]) == ("tanh", "he", 2)
    assert (cfg_json["samples"], cfg_json["seed"], cfg_json["bin_low"]) == (12, 3, -1)


def test_unwritable_folder(tmp_path, monkeypatch):
    # root may write anywhere, so the permission answer is taken from a stand-in
    import sheetsim.cli.outputs

    locked = tmp_path / "locked"
    locked.mkdir()
    monkeypatch.setattr(sheetsim.cli.outputs.os, "access", lambda p, mode: Path(p) != locked)
    result = run("build", "-o", str(locked / "x.xlsx"))
    assert result.exit_code == 2 and "is not writable" in result.output
    assert not list(locked.iterdir())


def test_refuses_to_overwrite_a_foreign_file_without_force(tmp_path):
    target = tmp_path / "mine.xlsx"
    target.write_bytes(b"my own data")
    result = run("build", "init", "--samples", "5", "--width", "3", "-o", str(target))
    assert result.exit_code == 2 and "--force" in result.output
    assert target.read_bytes() == b"my own data"
    result = run("build", "init", "--samples", "5", "--width", "3", "-o", str(target), "--force",
                 "-q")
    assert result.exit_code == 0
    assert zipfile.is_zipfile(target)
    # a sheetsim workbook may be rebuilt in place without --force
    result = run("build", "init", "--samples", "6", "--width", "3", "-o", str(target), "-q")
    assert result.exit_code == 0


@pytest.mark.parametrize("settings", [
    SMALL,
    Settings(samples=20, width=4, layers=3, bins=5, backward=True, batchnorm=True,
             activation="relu", init="normal", range_mode="auto"),
], ids=["default", "backward-batchnorm-auto"])
def test_all_controls_covers_every_control_and_nothing_that_reads_a_block(settings, tmp_path):
    """``+0*COUNTA(AllControls)`` keeps a plain formula current only if every control cell
    lies inside AllControls; and if a cell inside it read a counted block, the counts would
    read themselves (a circular reference)."""
    from sheetsim.experiments import init
    from sheetsim.xlsx.cells import parse_range

    book = build(settings, tmp_path / "b.xlsx")
    wb = openpyxl.load_workbook(book)
    sheet, area = wb.defined_names["AllControls"].attr_text.split("!")
    r0, c0, rows, cols = parse_range(area.replace("$", ""))
    r1, c1 = r0 + rows - 1, c0 + cols - 1
    controls = init.controls.controls(settings)
    assert len(controls) > 10
    for control in controls:
        where, cell = wb.defined_names[control.name].attr_text.split("!")
        r, c, _, _ = parse_range(cell.replace("$", ""))
        assert where == sheet and r0 <= r <= r1 and c0 <= c <= c1, control.name
    inside = [c.value for row in wb[sheet].iter_rows(min_row=r0 + 1, max_row=r1 + 1,
                                                     min_col=c0 + 1, max_col=c1 + 1)
              for c in row if isinstance(c.value, str) and c.value.startswith("=")]
    assert inside  # the per-layer table's settings in use are formulas of the controls
    assert not [t for t in inside if re.search(r"L\d+_|Histograms!|Gradients!", t)]
