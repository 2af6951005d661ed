"""The workbook as a live instrument: controls, per-layer settings, live draws, languages."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from click.testing import CliRunner

from sheetsim import engines
from sheetsim.check import manifest, verify
from sheetsim.cli import cli
from sheetsim.experiments.init import model
from sheetsim.experiments.init.settings import Settings
from sheetsim.xlsx import reader

from .helpers import SMALL, build, need


def block(path: Path, name: str) -> np.ndarray:
    book = reader.read(path)
    return reader.block_values(book, manifest.read(book).blocks[name])


def test_controls_panel_has_names_dropdowns_and_notes(small_book):
    wb = openpyxl.load_workbook(small_book)
    ws = wb["Controls"]
    for k in range(1, SMALL.layers + 1):
        for prefix in ("InitSet", "ActSet", "Init", "Act", "Dist", "Scale", "WStd"):
            assert f"{prefix}_L{k}" in wb.defined_names
    assert wb.defined_names["ActSet_L2"].attr_text == "Controls!$C$18"
    assert ws["C18"].value == "global"  # per-layer settings default to the global control
    assert ws["E18"].value == '=IF(ActSet_L2="global",Activation,ActSet_L2)'
    comments = {c.coordinate for row in ws.iter_rows() for c in row if c.comment}
    assert {"B4", "B5", "B6", "B8", "B9", "B10"} <= comments
    rules = {str(v.sqref): v for v in ws.data_validations.dataValidation}
    assert rules["B6"].type == "decimal" and rules["B6"].operator == "greaterThan"
    assert rules["B8"].type == "whole" and rules["B8"].formula2 == str(SMALL.bins)
    # Dashboard shows each layer's setting and weight scale by formula
    dash = wb["Dashboard"]
    assert dash["B5"].value == "=Init_L1" and dash["C6"].value == "=Act_L2"
    assert dash["D7"].value == "=WStd_L3"


def test_per_layer_settings_from_the_cli(tmp_path):
    out = tmp_path / "mixed.xlsx"
    result = CliRunner().invoke(cli, [
        "build", "--samples", "40", "--width", "6", "--layers", "3", "--activation", "relu",
        "--init", "he", "--layer-activation", "3=sigmoid", "--layer-init", "3=xavier",
        "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "layer 3: sigmoid, xavier" in result.output
    z1, z3 = block(out, "L1_z"), block(out, "L3_z")
    assert (z1 == 0).any() and (z3 > 0).all() and (z3 < 1).all()
    ws = openpyxl.load_workbook(out, data_only=True)["Controls"]
    assert [ws.cell(17 + k, 5).value for k in range(3)] == ["relu", "relu", "sigmoid"]
    assert ws.cell(19, 9).value == pytest.approx(1 / np.sqrt(6))  # layer 3: xavier σ
    assert verify.verify(out).ok


def test_per_layer_settings_from_toml(tmp_path):
    cfg = tmp_path / "exp.toml"
    cfg.write_text('activation = "relu"\nlayers = 2\n[layer_activation]\n2 = "tanh"\n')
    out = tmp_path / "t.xlsx"
    result = CliRunner().invoke(cli, ["build", "--config", str(cfg), "--samples", "10",
                                      "--width", "4", "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    z2 = block(out, "L2_z")
    assert (z2 < 0).any()  # tanh, not relu


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--layer-activation", "9=relu"], "layer_activation: layer 9 does not exist"),
        (["--layer-activation", "2=soft"], "layer_activation of layer 2: unknown value 'soft'"),
        (["--layer-init", "he"], "layer_init: expected LAYER=NAME such as 5=sigmoid"),
        (["--lang", "fr"], "lang: unknown value 'fr'; allowed: en, ja"),
    ],
)
def test_bad_per_layer_and_language_options(tmp_path, args, message):
    result = CliRunner().invoke(cli, ["build", *args, "-o", str(tmp_path / "x.xlsx")])
    assert result.exit_code == 2
    assert message in result.output and len(result.output.strip().splitlines()) == 1


def test_live_workbook_holds_rand_and_verifies_from_its_stored_draws(tmp_path):
    out = build(replace(SMALL, live=True), tmp_path / "live.xlsx")
    ws = openpyxl.load_workbook(out)["L2_U"]
    assert ws["B3"].value == "=RAND()" and ws["I10"].value == "=RAND()"
    cached = openpyxl.load_workbook(out, data_only=True)["L2_U"]["B3"].value
    assert cached == model.uniform_draws(SMALL.seed, 2, (SMALL.width, SMALL.width))[0, 0]
    result = CliRunner().invoke(cli, ["verify", str(out), "--json"])
    assert result.exit_code == 0, result.output
    assert any("RAND() draws checked as the values stored" in n
               for n in json.loads(result.output)["notes"])


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_both_languages_build_and_verify(tmp_path, lang):
    out = build(replace(SMALL, lang=lang), tmp_path / f"{lang}.xlsx")
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[:4] == ["Dashboard", "Controls", "Histograms", "Guide"]
    assert all(name.isascii() for name in wb.defined_names)
    title = wb["Controls"]["A1"].value
    assert title == {"en": "Controls", "ja": "設定"}[lang]
    guide = " ".join(str(c.value) for row in wb["Guide"].iter_rows() for c in row if c.value)
    assert ("0.25" in guide) and ("√(2/n)" in guide)
    if lang == "ja":
        assert "飽和" in guide and wb["Dashboard"]["B4"].value == "第1層"
    assert verify.verify(out).ok


@pytest.mark.engine
@pytest.mark.parametrize("engine", ["libreoffice", "gnumeric"])
def test_changed_controls_recalculated_give_the_models_numbers(small_book, tmp_path, engine):
    need(engine)
    wb = openpyxl.load_workbook(small_book)
    ws = wb["Controls"]
    ws["B4"] = "he"  # Init
    ws["B5"] = "relu"  # Activation
    ws["C18"] = "tanh"  # layer 2's own activation
    ws["B8"] = 6  # Bins: fewer than the 10 rows built
    ws["B10"] = 2.0  # BinHigh
    ws["B13"] = "manual"  # RangeMode: BinLow to BinHigh rather than the automatic range
    edited = tmp_path / "edited.xlsx"
    wb.save(edited)
    done = engines.recalc(edited, tmp_path / f"done.{engine}.xlsx", engine)
    report = verify.verify(done)
    assert report.ok, report.render()
    want = model.run(replace(SMALL, init="he", activation="relu",
                             layer_activation={2: "tanh"}))
    for k in range(1, SMALL.layers + 1):
        assert np.allclose(block(done, f"L{k}_z"), want.layers[k - 1].z, rtol=1e-9, atol=1e-12)
    counts = block(done, "L1_counts").ravel()
    assert counts[6:10].sum() == 0 and counts.sum() == SMALL.samples * SMALL.width
    edges = block(done, "L1_edges").ravel()
    assert edges[5] == pytest.approx(2.0) and edges[0] == pytest.approx(2.0 / 6)


@pytest.mark.engine
@pytest.mark.parametrize("engine", ["libreoffice", "gnumeric"])
def test_live_draws_change_between_recalculations_and_verify(tmp_path, engine):
    need(engine)
    live = build(Settings(samples=40, width=5, layers=2, bins=8, live=True),
                 tmp_path / "live.xlsx")
    first = engines.recalc(live, tmp_path / "first.xlsx", engine)
    second = engines.recalc(live, tmp_path / "second.xlsx", engine)
    u1, u2 = block(first, "L1_u"), block(second, "L1_u")
    assert not np.array_equal(u1, u2)
    assert not np.array_equal(u1, block(live, "L1_u"))
    assert ((0 < u1) & (u1 < 1)).all()
    for done in (first, second):
        report = verify.verify(done)
        assert report.ok, report.render()
