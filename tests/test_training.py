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
from sheetsim.experiments.training import model
from sheetsim.experiments.training.layout import plan
from sheetsim.experiments.training.settings import Settings
from sheetsim.xlsx import reader
from sheetsim.xlsx.cells import cell

from .helpers import cell_xml, drive, need, need_uno, patch_part, patch_sheet

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
