"""Training in the sheet (``sheetsim build training``): a small network trained by formulas,
checked three ways, and the story its presets tell.

The model's gradients are checked against central differences of its own loss; the story
(learning, a plateau with vanishing input-side gradients, an explosion and its remedies) is
asserted on the workbooks' cached values and again on LibreOffice's recalculation.
Tampering is caught and named; a control changed in a running LibreOffice gives the
model's numbers. (Every preset verifying, also after LibreOffice and Gnumeric, and bad
settings refused are in test_experiments.py.)
"""

from __future__ import annotations

import json
import re
import zipfile
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from sheetsim import config, engines
from sheetsim.build import writer
from sheetsim.check import manifest, verify
from sheetsim.cli import cli
from sheetsim.contract import MANIFEST_SHEET
from sheetsim.experiments import load_preset
from sheetsim.experiments.common.activations import ACTIVATIONS
from sheetsim.experiments.common.draws import uniform_draws
from sheetsim.experiments.training import model, reference
from sheetsim.experiments.training.layout import GRID, plan
from sheetsim.experiments.training.settings import Settings
from sheetsim.xlsx import reader
from sheetsim.xlsx.cells import cell, span

from .helpers import cell_xml, drive, need, need_uno, patch_part, patch_sheet, sheet_part

PRESETS = [n for n in config.preset_names() if config.preset_experiment(n) == "training"]
SMALL = dict(layers=2, width=4, samples=16, test_samples=8, steps=12)
"""The shape of the workbooks the verification tests build: every formula kind, fast."""


# ------------------------------------------------------------------- the model

def _net(act: str, seed: int = 3) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    sizes = [(2, 5), (5, 4), (4, 1)]
    params = [rng.normal(0, 0.8, (i + 1, o)) for i, o in sizes]
    x = rng.normal(0, 1, (12, 2))
    y = (rng.random((12, 1)) < 0.5).astype(float)
    return params, x, y


@pytest.mark.parametrize("act", ACTIVATIONS)
def test_backward_pass_matches_finite_differences(act):
    params, x, y = _net(act)
    fw = model.forward(params, x, y, act)
    _, grads = model.backward(params, x, y, act, fw)
    h = 1e-6
    for k, p in enumerate(params):
        for idx in np.ndindex(p.shape):
            up = [q.copy() for q in params]
            down = [q.copy() for q in params]
            up[k][idx] += h
            down[k][idx] -= h
            numeric = (model.loss_of(up, x, y, act) - model.loss_of(down, x, y, act)) / (2 * h)
            assert grads[k][idx] == pytest.approx(numeric, rel=1e-5, abs=1e-8), (act, k, idx)


def test_forward_pieces_are_what_they_claim():
    z = np.array([-800.0, -3.0, 0.0, 2.0, 800.0])
    with np.errstate(over="ignore"):
        plain = 1 / (1 + np.exp(-z))
    assert np.allclose(model.activate("sigmoid", z), plain, rtol=1e-15, atol=1e-300)
    assert np.allclose(model.softplus(z), np.logaddexp(0, z))
    assert np.all(model.slope("relu", np.array([0.0, 2.0, np.nan]))[:2] == [0, 1])
    assert np.isnan(model.slope("relu", np.array([np.nan])))[0]
    c, y = model.centres(8)
    assert c.tolist()[:4] == [[1, 1], [1, -1], [-1, 1], [-1, -1]]
    assert y[:4, 0].tolist() == [1, 0, 0, 1]


def test_clipping_and_warm_up_act_as_defined():
    params, x, y = _net("relu")
    h = model.Hyper("relu", "sgd", 0.5, 0.01, 4, 0.9, 0.9, 0.999, 1e-7)
    r = model.train(params, x, y, x, y, h, 6)
    assert r.lr.tolist() == pytest.approx([0, 0.125, 0.25, 0.375, 0.5, 0.5, 0.5])
    assert r.clip[0] == pytest.approx(min(1, 0.01 / r.total[0]))
    expected = params[0] - 0.125 * r.clip[0] * r.grads[0][0]
    assert np.allclose(r.params[1][0], expected, rtol=1e-14)
    total = np.sqrt(sum(np.sum(g * g) for g in r.grads[0]))
    assert r.total[0] == pytest.approx(total, rel=1e-14)


# --------------------------------------------------------------------- the story

def _settings(path: Path) -> Settings:
    """The settings a workbook was built with, from its manifest."""
    book = reader.read(path, only={MANIFEST_SHEET})
    data = book.sheet(MANIFEST_SHEET)
    text = next(v for v in data.other.values() if isinstance(v, str) and v.startswith("{"))
    return Settings.from_mapping(json.loads(text))


def _cached(path: Path, name: str, exp: Settings | None = None) -> np.ndarray:
    """A block's cached values, reading only its sheet (placed by the plan of ``exp``, by
    default the file's own settings)."""
    exp = exp or _settings(path)
    block = plan(exp).blocks[name]
    book = reader.read(path, only={block.sheet})
    return np.asarray(reader.block_values(book, block), dtype=np.float64)


@pytest.fixture(scope="module")
def full(tmp_path_factory):
    """Full-size preset workbooks, and LibreOffice's recalculation of some of them."""
    folder = tmp_path_factory.mktemp("training-full")
    done: dict[tuple[str, str], Path] = {}

    def get(name: str, engine: str = "") -> Path:
        if (name, "") not in done:
            done[name, ""] = folder / f"{name}.xlsx"
            writer.build(load_preset(name), done[name, ""])
        if engine and (name, engine) not in done:
            need(engine)
            done[name, engine] = engines.recalc(done[name, ""],
                                                folder / f"{name}.{engine}.xlsx", engine)
        return done[name, engine]

    return get


def test_the_default_preset_is_the_default_and_learns(full):
    assert load_preset("training-relu-he-adam") == Settings().validated()
    loss = _cached(full("training-relu-he-adam"), "loss")
    assert loss.shape == (Settings().steps + 1, 2)
    assert loss[-1, 0] < loss[0, 0] / 2
    accuracy = _cached(full("training-relu-he-adam"), "accuracy")
    assert accuracy[-1, 0] >= 0.9


def _plateau(path: Path) -> None:
    loss = _cached(path, "loss")[:, 0]
    norms = _cached(path, "grad_norm")
    half = (len(loss) - 1) // 2
    assert np.max(np.abs(loss[: half + 1] - loss[0])) < 0.05 * loss[0]
    assert norms.shape[1] == load_preset("training-plateau").layers + 1
    assert norms[0, 0] < 0.01 * norms[0, -1]
    assert norms[: half + 1, 0].sum() < 0.01 * norms[: half + 1, -1].sum()


def _explosion(explode: Path, clipped: Path, warmed: Path) -> None:
    raw = _cached(explode, "grad_norm")
    assert np.nanmax(raw[:, 0]) > 100 * raw[0, 0]  # the input layer: two orders and more
    total = _cached(explode, "clipping")[:, 0]
    assert np.nanmax(total) > 50 * total[0]
    for path in (clipped, warmed):
        tamed = _cached(path, "clipping")[:, 0]
        assert tamed[0] == pytest.approx(total[0])
        assert np.max(tamed) < 10 * tamed[0]
        assert np.max(tamed) < 0.1 * np.nanmax(total)
        loss = _cached(path, "loss")[:, 0]
        assert loss[-1] < loss[0] / 2


def test_the_plateau_on_cached_values(full):
    _plateau(full("training-plateau"))


def test_the_explosion_and_its_remedies_on_cached_values(full):
    _explosion(full("training-explode"), full("training-explode-clip"),
               full("training-explode-warmup"))


# ------------------------------------------------- what the pictures and the Guide say

def _run(name: str, **changes) -> tuple[model.Run, dict]:
    """The model's run of a preset (with ``changes``), at full size."""
    exp = replace(load_preset(name), **changes).validated()
    p = plan(exp)
    return reference.run(exp, p, reference.draws(exp, p))


def _final_loss(name: str, **changes) -> float:
    r, _ = _run(name, **changes)
    return float(np.mean(r.train[-1].losses))


def test_the_warm_up_preset_ramps_within_30_steps_and_learns_where_the_same_run_dies(full):
    warm, explode = load_preset("training-explode-warmup"), load_preset("training-explode")
    assert replace(warm, warmup=0) == explode  # the same run but for the ramp
    lr = _cached(full("training-explode-warmup"), "lr")[:, 0]
    full_rate = int(np.argmax(lr >= warm.lr))
    assert lr[full_rate] == pytest.approx(warm.lr) and 10 <= full_rate <= 30
    assert np.all(np.diff(lr[1: full_rate + 1]) > 0) and lr[1] < warm.lr / 5
    assert _cached(full("training-explode-warmup"), "loss")[-1, 0] < 0.1
    assert _cached(full("training-explode"), "loss")[-1, 0] > 0.5
    assert _cached(full("training-explode-clip"), "loss")[-1, 0] < 0.1


def _chart_parts(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as zf:
        return [zf.read(n).decode() for n in sorted(zf.namelist())
                if n.startswith("xl/charts/chart")]


def _column(path: Path, block: str, j: int) -> str:
    """Column j of ``block`` as a chart's series refers to it."""
    b = plan(_settings(path)).blocks[block]
    return span(b.row, b.col + j, b.rows, 1, absolute=True)


def _chart_of(path: Path, block: str) -> str:
    """The XML of the chart that draws a column of ``block``."""
    ref = _column(path, block, 0)
    found = [x for x in _chart_parts(path) if ref in x]
    assert len(found) == 1, block
    return found[0]


def test_the_loss_axis_starts_at_0_with_a_line_at_ln2_and_a_visible_test_line(full):
    path = full("training-plateau")
    chart = _chart_of(path, "loss_chart")
    axes = re.findall(r"<c:valAx>.*?</c:valAx>", chart, re.S)
    value_axis = next(a for a in axes if '<c:axPos val="l"/>' in a)
    low = re.search(r'<c:min val="([^"]+)"/>', value_axis)
    assert low and float(low.group(1)) <= 0.1 and "logBase" not in value_axis
    line = _cached(path, "ref_line")
    assert line[:, 1] == pytest.approx([np.log(2)] * 2)
    assert line[:, 0].tolist() == [0, load_preset("training-plateau").steps]
    assert _column(path, "ref_line", 1) in chart
    series = re.findall(r"<c:ser>.*?</c:ser>", chart, re.S)
    test = _column(path, "loss_chart", 1)
    test_series = next(x for x in series if test in x)
    assert '<a:prstDash val="dash"/>' in test_series  # dashed, over the training line
    assert series.index(test_series) == 0  # LibreOffice draws the first series on top


def test_the_header_names_every_control_the_presets_differ_in(full):
    names = ("LearningRate", "Clip", "Warmup", "Sigma", "Steps", "Optimizer", "Activation",
             "Init")
    headers = {}
    for preset in ("training-explode", "training-explode-clip", "training-explode-warmup",
                   "training-plateau"):
        path = full(preset)
        book = reader.read(path, only={"Dashboard", "Guide"})
        for sheet, wanted in (("Dashboard", names), ("Guide", names[1:])):
            text = " ".join(f.text for f in book.formulas if f.sheet == sheet)
            for name in wanted:
                assert re.search(rf"\b{name}\b", text), (preset, sheet, name)
        headers[preset] = book.sheet("Dashboard").other[(1, 0)]
        exp = load_preset(preset)
        shown = _cached(path, "dash_settings")[:, 0]
        assert shown.tolist() == [exp.lr, exp.sigma, exp.clip, exp.warmup, exp.steps]
    assert len(set(headers.values())) == len(headers), headers


def test_gradient_norms_mark_exact_zeros_and_show_clipping(full):
    path = full("training-explode")
    norms, exp = _cached(path, "grad_norm"), load_preset("training-explode")
    assert np.sum(norms == 0) > 10  # the dead ReLUs of the exploding run
    shown = _book_values(path, "norm_chart")
    zero = _book_values(path, "zero_chart")[:, 0]
    floor = _cached(path, "norm_floor")[0, 0]
    assert 0 < floor <= norms[norms > 0].min() and floor > 1e-16
    for t in range(exp.steps + 1):
        for j in range(norms.shape[1]):
            if norms[t, j] == 0:
                assert _gap(shown[t, j]), (t, j)  # a gap in the layer's line
            else:
                assert float(shown[t, j]) == pytest.approx(norms[t, j])
        assert _gap(zero[t]) == bool(np.all(norms[t] > 0)), t
        if not _gap(zero[t]):
            assert float(zero[t]) == floor  # the × at the floor
    chart = _chart_of(path, "norm_chart")
    series = re.findall(r"<c:ser>.*?</c:ser>", chart, re.S)
    layers = [re.search(r'<a:srgbClr val="([0-9A-F]{6})"/>',
                        next(x for x in series if _column(path, "norm_chart", j) in x)).group(1)
              for j in range(norms.shape[1])]
    assert len(set(layers)) == norms.shape[1], layers
    clip = full("training-explode-clip")
    total = _cached(clip, "clipping")
    lines = _book_values(clip, "global_chart")
    assert np.all(np.array(lines[:, 2], float) == load_preset("training-explode-clip").clip)
    after = np.array(lines[:, 1], float)
    assert np.all(after <= 0.1 * (1 + 1e-12)) and np.any(total[:, 0] > 0.1)
    assert after == pytest.approx(total[:, 0] * total[:, 1])
    summary = _cached(clip, "summary")
    assert summary[6, 2] == pytest.approx(total[:, 0].max())  # the global norm, largest
    assert summary[7, 2] == pytest.approx(0.1)
    assert all(_gap(v) for v in _book_values(path, "global_chart")[:, 1:].flat)  # no clip


def _gap(v: object) -> bool:
    """Whether a chart cell holds no number (empty text, read back as NaN)."""
    return v == "" or (isinstance(v, float) and np.isnan(v))


def _book_values(path: Path, name: str) -> np.ndarray:
    """A block's cached values, text kept as text."""
    exp = _settings(path)
    block = plan(exp).blocks[name]
    book = reader.read(path, only={block.sheet})
    return np.asarray(reader.block_values(book, block), dtype=object)


def test_the_boundary_is_cells_under_a_colour_scale_with_the_points_on_them(full):
    path = full("training-relu-he-adam")
    exp = _settings(path)
    grid = plan(exp).blocks["dash_grid"]
    with zipfile.ZipFile(path) as zf:
        xml = zf.read(sheet_part(path, "Dashboard")).decode()
    formats = dict(re.findall(r'<conditionalFormatting sqref="([^"]+)">(.*?)'
                              r"</conditionalFormatting>", xml, re.S))
    rules = formats[grid.range]
    assert "<colorScale>" in rules
    assert rules.count('type="expression"') == 2 and "Data!" in rules
    p = _cached(path, "dash_grid")
    assert p.shape == (GRID, GRID)
    z = _cached(path, "grid_z")[:, 0].reshape(GRID, GRID)  # [x₁, x₂]
    top_right, bottom_left = z[GRID - 1, GRID - 1], z[0, 0]
    assert p[0, GRID - 1] == pytest.approx(1 / (1 + np.exp(-top_right)))
    assert p[GRID - 1, 0] == pytest.approx(1 / (1 + np.exp(-bottom_left)))
    # the learned XNOR, class 1 where x₁·x₂ > 0: top left (−, +) is 0, top right (+, +) is 1
    assert p[0, 0] < 0.5 < p[0, GRID - 1]


def test_eps_shows_and_no_comment_covers_the_controls_notes(full):
    path = full("training-relu-he-adam")
    eps = plan(_settings(path)).names["Eps"]
    xml = cell_xml(path, "Controls", cell(eps.row, eps.col))
    style = int(re.search(r' s="(\d+)"', xml).group(1))
    with zipfile.ZipFile(path) as zf:
        styles = zf.read("xl/styles.xml").decode()
        parts = zf.namelist()
        rels = zf.read(sheet_part(path, "Controls").replace(
            "worksheets/", "worksheets/_rels/") + ".rels").decode() if (
            sheet_part(path, "Controls").replace("worksheets/", "worksheets/_rels/") + ".rels"
            in parts) else ""
    xfs = re.findall(r"<xf [^>]*>", re.search(r"<cellXfs.*?</cellXfs>", styles, re.S).group(0))
    num = re.search(r'numFmtId="(\d+)"', xfs[style]).group(1)
    code = dict(re.findall(r'<numFmt numFmtId="(\d+)" formatCode="([^"]+)"', styles))[num]
    assert "E" in code  # 1e-07 shows as 1E-07, not as 0
    assert "comments" not in rels


def test_the_guide_claims_hold_in_the_model(full):
    with zipfile.ZipFile(full("training-relu-he-adam")) as zf:
        words = " ".join(zf.read(n).decode() for n in zf.namelist()
                         if n == "xl/sharedStrings.xml")
    assert "billionth" not in words and "XOR" not in words and "XNOR" in words
    # "about a millionth": the input layer's gradient against the output layer's at step 0
    r, _ = _run("training-plateau")
    assert 1e-7 < r.norms[0, 0] / r.norms[0, -1] < 1e-5
    # Xavier alone still crawls with SGD; Adam at 0.1 or tanh then learn; ReLU + He learns
    assert _final_loss("training-plateau", init="xavier") > 0.65
    assert _final_loss("training-plateau", init="xavier", optimizer="adam", lr=0.1) < 0.1
    assert _final_loss("training-plateau", init="xavier", activation="tanh") < 0.1
    assert _final_loss("training-relu-he") < 0.1
    # the exploding run: the global norm jumps about fiftyfold within ten steps
    r, _ = _run("training-explode")
    assert 30 < np.nanmax(r.total) / r.total[0] < 100 and np.nanargmax(r.total) <= 10
    # the default's one-step spike at step 96: one more active ReLU in the last hidden
    # layer for that step, while the loss keeps falling
    r, _ = _run("training-relu-he-adam")
    assert r.norms[96, 0] > 10 * max(r.norms[95, 0], r.norms[97, 0])
    active = [int(np.sum(r.train[t].acts[-1] > 0)) for t in (95, 96, 97)]
    assert active[1] > active[0] == active[2]
    loss = [float(np.mean(f.losses)) for f in r.train[90:101]]
    assert np.all(np.diff(loss) < 0)


@pytest.mark.engine
@pytest.mark.slow
def test_the_story_holds_in_libreoffice(full):
    _plateau(full("training-plateau", "libreoffice"))
    _explosion(full("training-explode", "libreoffice"),
               full("training-explode-clip", "libreoffice"),
               full("training-explode-warmup", "libreoffice"))
    loss = _cached(full("training-relu-he-adam", "libreoffice"), "loss")
    assert loss[-1, 0] < loss[0, 0] / 2


# ------------------------------------------------------------------- settings

def test_the_manifest_names_the_contract_blocks(small_book):
    book = reader.read(small_book("training-relu-he-adam"))
    blocks = manifest.read(book, small_book("training-relu-he-adam")).blocks
    assert blocks["loss"].kind == "loss" and blocks["grad_norm"].kind == "grad_norm"
    assert (blocks["loss"].rows, blocks["grad_norm"].cols) == (SMALL["steps"] + 1,
                                                               SMALL["layers"] + 1)


# -------------------------------------------------------------------- verification

@pytest.fixture(scope="module")
def small_book(tmp_path_factory):
    folder = tmp_path_factory.mktemp("training-small")
    done: dict[str, Path] = {}

    def get(name: str) -> Path:
        if name not in done:
            done[name] = folder / f"{name}.xlsx"
            writer.build(replace(load_preset(name), **SMALL), done[name])
        return done[name]

    return get


def test_the_presets_tell_the_story():
    assert {"training-relu-he-adam", "training-plateau", "training-relu-he",
            "training-explode", "training-explode-clip", "training-explode-warmup"} <= set(
                PRESETS)


def test_the_other_choices_verify_in_japanese(tmp_path):
    """Xavier, tanh, Momentum, clipping and warm-up together, built from the command line
    (the presets cover the other initializers, activations and optimizers)."""
    out = tmp_path / "ja.xlsx"
    result = CliRunner().invoke(cli, [
        "build", "training", "--layers", "1", "--width", "3", "--samples",
        "12", "--test-samples", "4", "--steps", "9", "--init", "xavier", "--activation",
        "tanh", "--optimizer", "momentum", "--lr", "0.5", "--clip", "0.05", "--warmup", "3",
        "--lang", "ja", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "training loss" in result.output and "step 9" in result.output
    report = verify.verify(out)
    assert report.ok, report.render()
    clip = _cached(out, "clipping")
    assert np.all(clip[:, 1] <= 1) and np.any(clip[:, 1] < 1)  # clipping acted
    assert _cached(out, "lr")[1:4, 0] == pytest.approx([0.5 / 3, 1 / 3, 0.5])


@pytest.fixture
def book_copy(small_book, tmp_path) -> Path:
    target = tmp_path / "copy.xlsx"
    target.write_bytes(small_book("training-relu-he-adam").read_bytes())
    return target


def test_a_changed_cached_loss_is_named(book_copy):
    old = cell_xml(book_copy, "Steps", "C9")  # training loss at step 4
    patch_sheet(book_copy, "Steps", old, re.sub(r"<v>[^<]*</v>", "<v>0.25</v>", old))
    result = CliRunner().invoke(cli, ["verify", str(book_copy)])
    assert result.exit_code == 1
    assert "Steps!C9" in result.output and "0.25" in result.output


def test_a_wrong_formula_is_named(book_copy):
    # step 3's output probability with σ(z) = (1 + tanh(z/3))/2, a wrong sigmoid
    p = plan(replace(Settings(), **SMALL).validated())
    block = p.blocks["s3_p"]
    target = next(f for f in reader.read(book_copy).formulas
                  if f.sheet == "Train" and (f.row, f.col) == (block.row, block.col))
    assert target.text.startswith("(1+TANH(") and target.text.endswith("/2))/2")
    patch_sheet(book_copy, "Train", target.text, target.text[:-len("/2))/2")] + "/3))/2")
    report = verify.verify(book_copy)
    assert not report.ok
    assert block.address(0, 0) in {m.address for m in report.mismatches}
    bad = {key for key, sheet in report.sheets.items() if sheet.mismatches}
    assert {("Train", "cached"), ("Train", "model")} <= bad


def test_a_control_changed_without_recalculation_is_caught(book_copy):
    lr = plan(replace(Settings(), **SMALL).validated()).names["LearningRate"]
    old = cell_xml(book_copy, "Controls", cell(lr.row, lr.col))
    assert "<v>0.02</v>" in old
    patch_sheet(book_copy, "Controls", old, old.replace("0.02", "0.05"))
    report = verify.verify(book_copy)
    assert not report.ok  # the file's numbers are those of the old learning rate
    bad = {key for key, sheet in report.sheets.items() if sheet.mismatches}
    assert ("Params", "cached") in bad and ("Steps", "cached") in bad
    assert not {key for key in bad if key[1] == "model"}  # the model follows the control


@pytest.mark.parametrize(("name", "old", "new"), [("Clip", "0", "0.05"),
                                                 ("Sigma", "1", "0.5")])
def test_the_model_follows_every_control_the_dashboard_and_guide_show(book_copy, name, old,
                                                                        new):
    """A control changed in the file without recalculation: the cached values disagree, but
    the formulas evaluated on the new control agree with the model run on it (the
    clipping lines and the Guide's numbers included)."""
    where = plan(replace(Settings(), **SMALL).validated()).names[name]
    xml = cell_xml(book_copy, "Controls", cell(where.row, where.col))
    assert f"<v>{old}</v>" in xml
    patch_sheet(book_copy, "Controls", xml, xml.replace(f"<v>{old}</v>", f"<v>{new}</v>"))
    report = verify.verify(book_copy)
    bad = {key for key, sheet in report.sheets.items() if sheet.mismatches}
    assert ("Guide", "cached") in bad
    assert not {key for key in bad if key[1] == "model"}, report.render()


def test_same_settings_give_identical_bytes(tmp_path):
    exp = replace(Settings(), **SMALL).validated()
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    writer.build(exp, a)
    writer.build(exp, b)
    assert a.read_bytes() == b.read_bytes()


def test_the_draws_are_the_stored_streams(small_book):
    path = small_book("training-relu-he-adam")
    u = _cached(path, "u_w1")
    assert np.allclose(u, uniform_draws(1, 11, u.shape), rtol=1e-15, atol=0)


# ------------------------------------------------------------ interactive LibreOffice

CHANGES = [
    {"Activation": "tanh"},
    {"Optimizer": "momentum", "LearningRate": 0.3},
    {"Clip": 0.05, "Warmup": 4},
    {"Init": "normal", "Sigma": 0.3, "Spread": 0.5},
    {"Optimizer": "rmsprop", "RMSpropRho": 0.9},
    {"Optimizer": "adagrad", "LearningRate": 0.1},
    {"Activation": "leaky_relu", "LeakySlope": 0.2, "Init": "lecun"},
]


@pytest.mark.engine
@pytest.mark.parametrize("change", CHANGES, ids=["-".join(c) for c in CHANGES])
def test_a_control_changed_in_running_libreoffice_gives_the_models_numbers(
        small_book, tmp_path, change):
    need_uno()
    saved = tmp_path / "after-calculate.xlsx"
    report = drive(small_book("training-relu-he-adam"), [{"set": change, "save": str(saved)}])
    step = report["steps"][0]
    assert step["stale_count"] == 0, step["stale"]
    result = verify.verify(saved)  # LibreOffice's numbers against the model on the new controls
    assert result.ok, result.render()
    before = _cached(small_book("training-relu-he-adam"), "loss")
    assert not np.allclose(_cached(saved, "loss"), before)  # the change reached the losses


# -------------------------------------------------------------------- overflow

OVERFLOW = ["--layers", "2", "--width", "4", "--samples", "16", "--test-samples", "8",
            "--steps", "6", "--init", "normal", "--sigma", "1e120", "--optimizer", "sgd",
            "--lr", "1"]


@pytest.fixture(scope="module")
def overflow_book(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("training-overflow") / "overflow.xlsx"
    result = CliRunner().invoke(cli, ["build", "training", *OVERFLOW, "-o",
                                      str(out), "-q"])
    assert result.exit_code == 0, result.output
    return out


def test_an_overflowing_run_shows_num_errors_and_verifies(overflow_book):
    book = reader.read(overflow_book, only={"Train"})
    errors = [v for v in book.sheet("Train").other.values() if str(v) == "#NUM!"]
    assert len(errors) > 100  # stored as the error value, also inside array ranges
    assert all(not isinstance(v, str) for v in errors)
    report = verify.verify(overflow_book)
    assert report.ok, report.render()
    assert any("non-finite" in note for note in report.notes)


@pytest.mark.engine
def test_an_overflowing_run_verifies_after_libreoffice(overflow_book, tmp_path):
    need("libreoffice")
    out = engines.recalc(overflow_book, tmp_path / "overflow.lo.xlsx", "libreoffice")
    report = verify.verify(out)
    assert report.ok, report.render()


def test_a_file_without_a_later_settings_control_verifies_but_a_lost_control_is_named(
        book_copy):
    """A workbook written before RMSprop's ρ existed names no ``rho`` in its manifest and
    has no RMSpropRho control: it verifies on the default ρ. A workbook whose manifest names
    ``rho`` but whose control is gone is named as such."""
    name = '<definedName name="RMSpropRho">Controls!$B$17</definedName>'
    patch_part(book_copy, "xl/workbook.xml", name, "")
    lost = verify.verify(book_copy)
    assert not lost.ok and "control RMSpropRho is missing" in lost.render()
    patch_part(book_copy, "xl/sharedStrings.xml", '"rho": 0.99, ', "")
    assert verify.verify(book_copy).ok
