"""sheetsim workbooks in real LibreOffice and Gnumeric: recalculated numbers verify."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from sheetsim import engines
from sheetsim.check import manifest, verify
from sheetsim.cli import cli
from sheetsim.experiments import load_preset
from sheetsim.experiments.init import model
from sheetsim.experiments.init.settings import Settings
from sheetsim.xlsx import reader

from .helpers import SMALL, build, need

ENGINES = ["libreoffice", "gnumeric"]
FULL_SIZE = ["relu-he", "sigmoid-std1"]
"""Presets recalculated at full size (100,000 values a layer) by both engines."""


@pytest.fixture(scope="module")
def full_size(tmp_path_factory):
    """A preset's full-size workbook, and its recalculation by an engine, built once."""
    folder = tmp_path_factory.mktemp("full-size")
    done: dict[tuple[str, str], Path] = {}

    def get(preset: str, engine: str = "") -> Path:
        if (preset, "") not in done:
            done[preset, ""] = build(load_preset(preset), folder / f"{preset}.xlsx")
        if engine and (preset, engine) not in done:
            need(engine)
            done[preset, engine] = engines.recalc(done[preset, ""],
                                                  folder / f"{preset}.{engine}.xlsx", engine)
        return done[preset, engine]

    return get


def block(path: Path, name: str) -> np.ndarray:
    book = reader.read(path)
    return reader.block_values(book, manifest.read(book).blocks[name])


@pytest.mark.engine
@pytest.mark.slow
@pytest.mark.parametrize("preset", FULL_SIZE)
def test_full_size_engines_agree_with_each_other_and_the_model(full_size, preset):
    """Each engine's recalculation of a full-size workbook verifies, every formula cell
    carrying the engine's value; the two engines and the model agree on the last layer."""
    for engine in ENGINES:
        report = verify.verify(full_size(preset, engine))
        assert report.ok, report.render()
        cached = sum(s.cells for s in report.sheets.values() if s.check == "cached")
        assert cached > 1_000_000
        assert not any("no cached value" in n for n in report.notes)
    lo = block(full_size(preset, "libreoffice"), "L5_z")
    gn = block(full_size(preset, "gnumeric"), "L5_z")
    ours = block(full_size(preset), "L5_z")
    scale = np.abs(ours).max()
    assert np.allclose(lo, gn, rtol=1e-9, atol=1e-12 * scale)
    assert np.allclose(lo, ours, rtol=1e-9, atol=1e-12 * scale)
    counts_lo = block(full_size(preset, "libreoffice"), "L5_counts")
    counts_gn = block(full_size(preset, "gnumeric"), "L5_counts")
    assert counts_lo.sum() == counts_gn.sum() == 100_000
    assert np.abs(counts_lo - counts_gn).sum() <= 2  # at most an edge tie apart


@pytest.mark.engine
@pytest.mark.parametrize("engine", ENGINES)
def test_non_default_shape_verifies_through_the_cli(engine, tmp_path):
    need(engine)
    out = tmp_path / "odd.xlsx"
    build(Settings(samples=333, width=64, layers=7, activation="tanh", init="xavier",
                     bin_low=-1.0, bin_high=1.0, bins=25), out)
    result = CliRunner().invoke(cli, ["verify", str(out), "--engine", engine, "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["ok"] and engine.lower()[:5] in report["notes"][0].lower()
    assert {s["sheet"] for s in report["sheets"]} >= {"L7_Z", "L7_A", "Histograms"}


@pytest.mark.engine
def test_controls_changed_in_libreoffice_give_the_new_models_numbers(small_book, tmp_path):
    need("libreoffice")
    changed = engines.set_cells_and_recalc(small_book, tmp_path / "relu-he.xlsx",
                                           {"Activation": "relu", "Init": "he"})
    report = verify.verify(changed)
    assert report.ok, report.render()
    want = model.run(replace(SMALL, activation="relu", init="he"))
    for k in range(1, SMALL.layers + 1):
        got = block(changed, f"L{k}_z")
        assert np.allclose(got, want.layers[k - 1].z, rtol=1e-9, atol=1e-12)
    assert (block(changed, "L2_z") == 0).mean() > 0.3  # ReLU zeros: the new setting took
    # and the Gnumeric reading of the LibreOffice-saved file verifies too
    need("gnumeric")
    again = engines.recalc(changed, tmp_path / "again.xlsx", "gnumeric")
    assert verify.verify(again).ok


@pytest.mark.engine
def test_render_pdf_and_png(small_book, tmp_path):
    need("libreoffice")
    need("pdftoppm")
    pdf = tmp_path / "dash.pdf"
    png = tmp_path / "dash.png"
    result = CliRunner().invoke(cli, ["render", str(small_book), "-o", str(pdf),
                                      "--sheet", "Dashboard"])
    assert result.exit_code == 0, result.output
    assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 10_000
    info = subprocess.run([shutil.which("pdfinfo") or "pdfinfo", str(pdf)], capture_output=True,
                          text=True, check=True).stdout
    assert re.search(r"^Pages:\s+1$", info, re.M), info
    result = CliRunner().invoke(cli, ["render", str(small_book), "-o", str(png)])
    assert result.exit_code == 0, result.output
    head = png.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")
    assert width > height > 500 and png.stat().st_size > 20_000


def test_missing_engine_names_the_package(small_book, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    for var in ("SHEETSIM_SOFFICE", "SHEETSIM_SSCONVERT", "SHEETSIM_PDFTOPPM"):
        monkeypatch.delenv(var, raising=False)
    cases = [
        (["recalc", str(small_book), "--engine", "libreoffice", "-o", str(tmp_path / "a.xlsx")],
         "apt-get install libreoffice-calc-nogui"),
        (["verify", str(small_book), "--engine", "gnumeric"], "apt-get install gnumeric"),
        (["render", str(small_book), "-o", str(tmp_path / "d.pdf")],
         "apt-get install libreoffice-calc-nogui"),
    ]
    for args, message in cases:
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 2, result.output
        assert message in result.output and len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "a.xlsx").exists()
