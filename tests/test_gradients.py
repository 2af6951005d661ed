"""The backward pass and batch normalization: finite differences, findings, workbooks."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from click.testing import CliRunner

from sheetsim import engines
from sheetsim.check import verify
from sheetsim.cli import cli
from sheetsim.experiments import load_preset
from sheetsim.experiments.init import model
from sheetsim.experiments.init.settings import Settings

from .helpers import build, need, patch_sheet

SMALL = Settings(samples=40, width=6, layers=3, bins=10, backward=True, grad_bins=12)
NEW_PRESETS = ["sigmoid-xavier-deep", "relu-std1", "relu-std1-bn", "relu-he-deep",
               "sigmoid-std1-deep"]


def loss(exp: Settings, weights: list[np.ndarray], x: np.ndarray, up: np.ndarray) -> float:
    """L = Σ upstream ⊙ Z_top, computed directly from the definition."""
    prev = x
    for k, w in enumerate(weights, 1):
        a = prev @ w
        if exp.batchnorm_of(k):
            a = (a - a.mean(axis=0)) / np.sqrt(a.var(axis=0) + exp.bn_eps)
        prev = model.activate(exp.activation_of(k), a, exp.leaky_slope)
    return float(np.sum(up * prev))


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu", "leaky_relu", "identity"])
@pytest.mark.parametrize("batchnorm", [False, True])
def test_weight_gradients_match_finite_differences(activation, batchnorm):
    exp = Settings(samples=12, width=4, layers=3, activation=activation, init="he",
                     backward=True, batchnorm=batchnorm, seed=3)
    fwd = model.run(exp)
    weights = [layer.w.copy() for layer in fwd.layers]
    h = 1e-6
    for k in range(1, exp.layers + 1):
        prev = fwd.x if k == 1 else fwd.layers[k - 2].z
        analytic = prev.T @ fwd.grads[k - 1].g
        for i, j in [(0, 0), (1, 2), (3, 1)]:
            plus = [w.copy() for w in weights]
            minus = [w.copy() for w in weights]
            plus[k - 1][i, j] += h
            minus[k - 1][i, j] -= h
            numeric = (loss(exp, plus, fwd.x, fwd.upstream)
                       - loss(exp, minus, fwd.x, fwd.upstream)) / (2 * h)
            assert numeric == pytest.approx(analytic[i, j], rel=1e-5, abs=1e-7), (k, i, j)


def mean_abs(preset: str) -> list[float]:
    return [g.mean_abs for g in model.run(load_preset(preset)).grads]


def test_sigmoid_xavier_deep_gradient_vanishes_toward_the_input():
    g = mean_abs("sigmoid-xavier-deep")
    assert len(g) == 10 and g[0] < 1e-4 * g[9]
    assert all(a < b for a, b in zip(g, g[1:], strict=False))


def test_relu_std1_explodes_and_batchnorm_rescues_it():
    g = mean_abs("relu-std1")
    assert g[0] > 100 * g[4]
    stds = [layer.z.std() for layer in model.run(load_preset("relu-std1")).layers]
    assert stds[4] > 1000 * stds[0]
    bn = model.run(load_preset("relu-std1-bn"))
    g_bn = [x.mean_abs for x in bn.grads]
    assert max(g_bn) < 5 * min(g_bn)
    assert all(0.4 < layer.z.std() < 0.8 for layer in bn.layers)


def test_relu_he_deep_is_stable_both_ways():
    g = mean_abs("relu-he-deep")
    assert all(0.5 * g[9] < x < 2 * g[9] for x in g)


def test_sigmoid_std1_deep_saturates_yet_keeps_the_gradient():
    exp = load_preset("sigmoid-std1-deep")
    fwd = model.run(exp)
    edges = model.bin_edges(exp)
    assert all(model.layer_stats(layer.z, edges).first_bin
               + model.layer_stats(layer.z, edges).last_bin > 0.4 for layer in fwd.layers)
    g = [x.mean_abs for x in fwd.grads]
    assert max(g) < 10 * min(g)


def test_backward_workbook_contract(tmp_path):
    out = build(replace(SMALL, batchnorm=True), tmp_path / "bn.xlsx")
    wb = openpyxl.load_workbook(out)
    for sheet in ("Gradients", "BatchNorm", "L1_N", "L1_D", "L1_G", "L3_G", "Grad_U", "Grad"):
        assert sheet in wb.sheetnames
    text = {s: wb[s]["B3"].value.text.lstrip("=")
            for s in ("L1_G", "L2_D", "L3_D", "L2_N", "Grad")}
    assert text["L2_D"].startswith("MMULT(L3_G!$B$3:$G$42,TRANSPOSE(L3_W!$B$3:$G$8))*(")
    assert text["L3_D"].startswith("Grad!$B$3:$G$42*(")
    assert text["L1_G"].startswith('IF(BN_L1="on",(L1_D!$B$3:$G$42-BatchNorm!$B$')
    assert "SQRT(BatchNorm!" in text["L2_N"] and "+BNEps" in text["L2_N"]
    assert text["Grad"] == "_xlfn.NORM.S.INV(Grad_U!$B$3:$G$42)"
    assert wb["BatchNorm"]["B4"].value.text == "=AVERAGE(L1_A!B$3:B$42)"  # reads an array
    assert wb["BatchNorm"]["C5"].value.text == "=_xlfn.VAR.P(L1_A!C$3:C$42)"
    with __import__("zipfile").ZipFile(out) as zf:
        charts = [zf.read(n).decode() for n in zf.namelist() if n.startswith("xl/charts/")]
    assert any('<c:logBase val="10"/>' in c for c in charts)  # gradient size on a log axis
    assert verify.verify(out).ok


def test_a_wrong_derivative_is_caught(tmp_path):
    out = build(replace(SMALL, activation="sigmoid"), tmp_path / "s.xlsx")
    patch_sheet(out, "L2_G", "L2_Z!$B$3:$G$42*(1-L2_Z!$B$3:$G$42)",
                "L2_Z!$B$3:$G$42*(1+L2_Z!$B$3:$G$42)")
    result = CliRunner().invoke(cli, ["verify", str(out)])
    assert result.exit_code == 1 and "L2_G!" in result.output


@pytest.mark.parametrize("preset", NEW_PRESETS)
def test_new_presets_build_and_verify(preset, tmp_path):
    out = tmp_path / f"{preset}.xlsx"
    result = CliRunner().invoke(cli, ["build", "--preset", preset, "--samples", "120", "-o",
                                      str(out), "-q"])
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(cli, ["verify", str(out), "--json"])
    assert result.exit_code == 0, result.output
    sheets = {s["sheet"] for s in json.loads(result.output)["sheets"]}
    assert {"Gradients", "L1_G"} <= sheets


def test_extreme_scale_has_no_error_where_the_math_is_finite(tmp_path):
    # σ = 1e30 over 8 ReLU layers: values reach 1e240, squares would overflow a naive std
    out = build(Settings(samples=30, width=5, layers=8, activation="relu", init="normal",
                           sigma=1e30, backward=True, grad_bins=8), tmp_path / "big.xlsx")
    report = verify.verify(out)
    assert report.ok, report.render()
    assert not any("non-finite" in n for n in report.notes)
    std = openpyxl.load_workbook(out, data_only=True)["Histograms"]
    assert all(isinstance(c.value, float) for c in std[std.max_row - 6][3:11])


def overflow_book(path: Path) -> Path:
    return build(Settings(samples=30, width=5, layers=10, activation="relu", init="normal",
                            sigma=1e40, backward=True, grad_bins=8), path)


def test_genuine_overflow_is_reported_as_such(tmp_path):
    report = verify.verify(overflow_book(tmp_path / "inf.xlsx"))
    assert report.ok, report.render()
    assert any("non-finite value (overflow)" in n for n in report.notes)
    z10 = openpyxl.load_workbook(tmp_path / "inf.xlsx", data_only=True)["L10_Z"]["B3"].value
    assert z10 == "#NUM!"


@pytest.mark.engine
@pytest.mark.parametrize("engine", ["libreoffice", "gnumeric"])
def test_extreme_but_finite_agrees_in_engines(engine, tmp_path):
    need(engine)
    out = build(Settings(samples=30, width=5, layers=8, activation="relu", init="normal",
                           sigma=1e30, backward=True, batchnorm=True, grad_bins=8,
                           layer_batchnorm={3: "off", 4: "off"}), tmp_path / "big.xlsx")
    report = verify.verify(engines.recalc(out, tmp_path / "big.done.xlsx", engine))
    assert report.ok, report.render()


@pytest.mark.engine
def test_overflow_in_libreoffice_matches_and_gnumeric_extends_the_range(tmp_path):
    need("libreoffice")
    book = overflow_book(tmp_path / "inf.xlsx")
    lo = verify.verify(engines.recalc(book, tmp_path / "lo.xlsx", "libreoffice"))
    assert lo.ok, lo.render()
    assert any("non-finite" in n for n in lo.notes)
    need("gnumeric")
    # Gnumeric computes in extended precision: sums past 1.8e308 stay numbers there, so
    # where LibreOffice, NumPy and the evaluator overflow, Gnumeric carries on.
    gn = verify.verify(engines.recalc(book, tmp_path / "gn.xlsx", "gnumeric"))
    assert not gn.ok
    assert all(re.fullmatch(r"#[A-Z/0!?]+", str(m.expected)) for m in gn.mismatches)
