"""The optimizer lab (``sheetsim build descent``): paths by formula rows, checked three ways.

The final positions on the textbook's bowl are computed here a fourth time, in plain Python
from the optimizers' definitions, and must match the model, the evaluator's reading of the
workbook's formulas and the table in the README. Tampering is caught and named; a control
changed in LibreOffice recomputes every path. (Every preset verifying, also after
LibreOffice and Gnumeric, and bad settings refused are in test_experiments.py.)
"""

from __future__ import annotations

import json
import math
import re
import statistics
from dataclasses import replace
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from click.testing import CliRunner

from sheetsim import config, engines
from sheetsim.build import writer
from sheetsim.check import manifest, verify
from sheetsim.cli import cli
from sheetsim.evaluator import evaluate, evaluate_formula
from sheetsim.experiments import get, load_preset
from sheetsim.experiments.common.optimizers import OPTIMIZER_NAMES
from sheetsim.experiments.descent import model
from sheetsim.experiments.descent.catalog import SURFACES
from sheetsim.experiments.descent.layout import path_columns
from sheetsim.experiments.descent.settings import Settings
from sheetsim.xlsx import reader
from sheetsim.xlsx.book import Book, SheetData

from .helpers import cell_xml, need, patch_part, patch_sheet

DESCENT = get("descent")
PRESETS = [n for n in config.preset_names() if config.preset_experiment(n) == "descent"]
CI_STEPS = 12
"""Steps of the workbooks the verify tests build: every formula kind, in seconds."""

# The README's table: final (x, y) after 30 steps on the bowl from (−7, 2) with the
# textbook's learning rates (RMSprop: 0.1, ρ 0.99), to four significant digits.
BOWL_FINAL = {
    "sgd": (-0.3504, 0.08478),
    "momentum": (0.8964, 0.08809),
    "adagrad": (-0.1202, 2.486e-17),
    "rmsprop": (-0.6974, 1.483e-08),
    "adam": (0.1360, 0.3182),
}


# ---------------------------------------------------------------- independent check

def _bowl_by_hand(opt: str, steps: int = 30) -> tuple[float, float]:
    """The optimizers on f = x²/20 + y², written out again from their definitions."""
    lr = {"sgd": 0.95, "momentum": 0.1, "adagrad": 1.5, "rmsprop": 0.1, "adam": 0.3}[opt]
    p = [-7.0, 2.0]
    a = [0.0, 0.0]  # velocity, sum or average of squares, or Adam's first moment
    b = [0.0, 0.0]  # Adam's second moment
    for t in range(1, steps + 1):
        grad = [p[0] / 10, 2 * p[1]]
        for i in (0, 1):
            g = grad[i]
            if opt == "sgd":
                p[i] -= lr * g
            elif opt == "momentum":
                a[i] = 0.9 * a[i] - lr * g
                p[i] += a[i]
            elif opt == "adagrad":
                a[i] += g * g
                p[i] -= lr * g / (math.sqrt(a[i]) + 1e-7)
            elif opt == "rmsprop":
                a[i] = 0.99 * a[i] + 0.01 * g * g
                p[i] -= lr * g / (math.sqrt(a[i]) + 1e-7)
            else:
                a[i] += (1 - 0.9) * (g - a[i])  # the textbook's update of m
                b[i] += (1 - 0.999) * (g * g - b[i])
                lr_t = lr * math.sqrt(1 - 0.999 ** t) / (1 - 0.9 ** t)
                p[i] -= lr_t * a[i] / (math.sqrt(b[i]) + 1e-7)
    return p[0], p[1]


@pytest.fixture(scope="module")
def bowl(tmp_path_factory) -> tuple[Book, dict]:
    """The default workbook (the bowl, 30 steps), read back and evaluated from its text."""
    path = tmp_path_factory.mktemp("descent") / "bowl.xlsx"
    writer.build(Settings(), path)
    book = reader.read(path)
    return book, evaluate(book)


@pytest.mark.parametrize("opt", OPTIMIZER_NAMES)
def test_final_positions_on_the_bowl(bowl, opt):
    x, y = _bowl_by_hand(opt)
    # the README's table
    want = BOWL_FINAL[opt]
    assert f"{x:.4g}" == f"{want[0]:.4g}" and f"{y:.4g}" == f"{want[1]:.4g}", (x, y)
    # the reference model
    r = model.run(opt, Settings(), SURFACES["bowl"].grad, -7.0, 2.0, Settings().lr(opt), 30)
    assert r.x.shape == (31, 1)
    np.testing.assert_allclose([r.x[-1, 0], r.y[-1, 0]], [x, y], rtol=1e-9, atol=1e-15)
    # the workbook: its cached values and the evaluator's reading of its formulas
    book, results = bowl
    block = manifest.read(book).blocks[f"{opt}_path"]
    assert (block.kind, block.rows, path_columns(opt)[:3]) == ("trajectory", 31,
                                                                ("x", "y", "loss"))
    cached = reader.block_values(book, block)[-1]
    np.testing.assert_allclose(cached[:2], [x, y], rtol=1e-9, atol=1e-15)
    assert cached[2] == pytest.approx(x * x / 20 + y * y, rel=1e-12, abs=1e-30)
    last = {col: results[(block.sheet, block.row + 30, block.col + col)][0, 0] for col in (0, 1)}
    np.testing.assert_allclose([last[0], last[1]], [x, y], rtol=1e-9, atol=1e-15)


# --------------------------------------------------------- the two sides of a surface

@pytest.mark.parametrize("name", list(SURFACES))
def test_every_surface_formula_computes_its_model_function(name):
    """The formula text of f, ∂f/∂x, ∂f/∂y and the level-curve parts, evaluated by the
    independent evaluator, equal the NumPy functions; the analytic gradient equals a central
    difference of f."""
    s = SURFACES[name]
    rng = np.random.default_rng(7)
    xmin, xmax, ymin, ymax = s.view
    x = np.concatenate([rng.uniform(xmin, xmax, 20), [0.0, -2.0, 1.0, 5.5, -6.0]])
    y = np.concatenate([rng.uniform(ymin, ymax, 20), [0.0, 1.0, -1.0, 0.5, 2.0]])
    book = Book({"D": SheetData("D", np.column_stack([x, y]))}, {}, [])

    def ev(formula, *args: int) -> np.ndarray:  # one cell at a time, as the workbook has it
        return np.array([float(evaluate_formula(
            formula(*(f"D!{c}{i + 1}" for c in "AB"[:len(args)])), book, "D"))
            for i in range(x.size)])

    gx, gy = s.grad(x, y)
    assert (ev(s.loss, 0, 1) == s.f(x, y)).all()  # the same operations, bit for bit
    assert (ev(s.grad_x, 0, 1) == gx).all() and (ev(s.grad_y, 0, 1) == gy).all()
    assert (ev(s.base, 0) == s.g(x)).all() and (ev(s.floor, 0) == s.m(x)).all()
    np.testing.assert_allclose(s.f(x, y), s.g(x) + s.k * (y - s.m(x)) ** 2, rtol=1e-12)
    h = 1e-6
    np.testing.assert_allclose((s.f(x + h, y) - s.f(x - h, y)) / (2 * h), gx,
                               rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose((s.f(x, y + h) - s.f(x, y - h)) / (2 * h), gy,
                               rtol=1e-6, atol=1e-6)


def test_two_minima_and_plateau_are_what_they_claim():
    two = SURFACES["two_minima"]
    assert two.f(np.array(-2.0), np.array(0.0)) == pytest.approx(0, abs=1e-15)
    assert two.f(np.array(1.0), np.array(0.0)) == pytest.approx(9 / 4)
    assert two.grad(np.array([-2.0, 0.0, 1.0]), np.zeros(3))[0].tolist() == [0, 0, 0]
    plateau = SURFACES["plateau"]
    shelf = np.linspace(2.5, 5, 50)
    slope = plateau.grad(shelf, np.zeros(50))[0]
    assert (slope > 0).all() and slope.max() < 0.06  # small, never 0: not a minimum
    assert np.ptp(plateau.f(shelf, np.zeros(50))) < 0.03  # and nearly level


def test_overflow_is_nan_at_once_as_a_spreadsheet_makes_it_num():
    """AdaGrad whose sum of squares overflows stops there (#NUM!), not with a zero step."""
    exp = Settings()
    r = model.run("adagrad", exp, lambda x, y: (x * 1e200, y), 1e150, 0.0, 1.0, 2)
    assert np.isnan(r.state["hx"][1]) and np.isnan(r.x[1, 0]) and np.isnan(r.x[2, 0])


# ----------------------------------------------------------------------- settings

def test_settings_round_trip_and_fold_start():
    s = Settings.from_mapping({"surface": "valley", "start": [0.5, -0.5],
                               "optimizers": "adam, sgd"})
    assert s.start is None and s.start_valley == (0.5, -0.5) and s.start_bowl == (-7.0, 2.0)
    assert s.optimizers == ("sgd", "adam")
    again = Settings.from_mapping(json.loads(s.to_json()))
    assert again == s
    assert "valley from (0.5, -0.5)" in s.describe


def test_bad_setting_in_a_config_file(tmp_path):
    cfg = tmp_path / "bad.toml"
    cfg.write_text('experiment = "descent"\nlr_nesterov = 0.1\n')
    result = CliRunner().invoke(cli, ["build", "--config", str(cfg), "-o",
                                      str(tmp_path / "x.xlsx")])
    assert result.exit_code == 2
    assert "unknown setting 'lr_nesterov'" in result.output


# ------------------------------------------------------------------- verification

def _small(name: str) -> Settings:
    exp = load_preset(name)
    return replace(exp, steps=min(exp.steps, CI_STEPS))


@pytest.fixture(scope="module")
def preset_book(tmp_path_factory):
    folder = tmp_path_factory.mktemp("descent-presets")
    done: dict[str, Path] = {}

    def get(name: str) -> Path:
        if name not in done:
            done[name] = folder / f"{name}.xlsx"
            writer.build(_small(name), done[name])
        return done[name]

    return get


def test_the_presets_cover_every_surface():
    assert {load_preset(p).surface for p in PRESETS} == set(SURFACES)
    assert "descent-bowl" in PRESETS


def test_japanese_subset_workbook_verifies(tmp_path):
    out = tmp_path / "ja.xlsx"
    result = CliRunner().invoke(cli, [
        "build", "descent", "--lang", "ja", "--steps", "6", "--optimizer", "momentum,adam",
        "--surface", "two_minima", "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(out)
    assert "SGD" not in book.sheetnames and "Adam" in book.sheetnames
    assert book["Dashboard"]["I5"].value is not None
    report = verify.verify(out)
    assert report.ok, report.render()


@pytest.fixture
def bowl_copy(preset_book, tmp_path) -> Path:
    target = tmp_path / "copy.xlsx"
    target.write_bytes(preset_book("descent-bowl").read_bytes())
    return target


def test_a_changed_cached_value_of_a_path_is_named(bowl_copy):
    old = cell_xml(bowl_copy, "Momentum", "B9")  # x at step 4
    patch_sheet(bowl_copy, "Momentum", old, re.sub(r"<v>[^<]*</v>", "<v>0.5</v>", old))
    result = CliRunner().invoke(cli, ["verify", str(bowl_copy)])
    assert result.exit_code == 1
    assert "Momentum!B9" in result.output and "0.5" in result.output


def test_a_wrong_formula_of_a_path_is_named(bowl_copy):
    # the SGD step at step 3 uses the wrong sign
    old = cell_xml(bowl_copy, "SGD", "B8")
    assert "B7-LrSGD*E7" in old
    patch_sheet(bowl_copy, "SGD", "B7-LrSGD*E7", "B7+LrSGD*E7")
    result = CliRunner().invoke(cli, ["verify", str(bowl_copy), "--json"])
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert {m["address"] for m in report["mismatches"]} >= {"SGD!B8"}
    bad = {(s["sheet"], s["check"]) for s in report["sheets"] if s["mismatches"]}
    assert {("SGD", "cached"), ("SGD", "model")} <= bad


def test_a_control_changed_without_recalculation_is_caught(bowl_copy):
    name = DESCENT.plan(_small("descent-bowl")).names["LrAdam"]
    ref = f"B{name.row + 1}"
    old = cell_xml(bowl_copy, "Controls", ref)
    patch_sheet(bowl_copy, "Controls", old, re.sub(r"<v>[^<]*</v>", "<v>0.05</v>", old))
    result = CliRunner().invoke(cli, ["verify", str(bowl_copy)])
    assert result.exit_code == 1
    assert "Adam!B6" in result.output  # the first step after the start no longer matches


def test_controls_changed_with_openpyxl_verify_against_the_new_values(bowl_copy, tmp_path):
    wb = openpyxl.load_workbook(bowl_copy)
    plan = DESCENT.plan(_small("descent-bowl"))
    for name, value in (("Surface", "valley"), ("LrSGD", 0.01), ("AdamBeta1", 0.5),
                        ("StartX_valley", -1.0)):
        cell = plan.names[name]
        wb["Controls"].cell(cell.row + 1, cell.col + 1).value = value
    changed = tmp_path / "changed.xlsx"
    wb.save(changed)
    report = verify.verify(changed)
    assert report.ok, report.render()
    assert any("no cached value" in note for note in report.notes)
    assert sum(s.cells for s in report.sheets.values() if s.check == "model") > 5000


def test_manifest_blocks_must_fit_the_settings(bowl_copy):
    patch_part(bowl_copy, "xl/sharedStrings.xml", ">adam_path<", ">nadam_path<")
    result = CliRunner().invoke(cli, ["verify", str(bowl_copy)])
    assert result.exit_code == 2
    assert "manifest has no block adam_path" in result.output


# ------------------------------------------------------------------------ engines

@pytest.mark.engine
def test_a_control_changed_in_libreoffice_recomputes_every_path(preset_book, tmp_path):
    need("libreoffice")
    src = preset_book("descent-bowl")
    out = engines.set_cells_and_recalc(src, tmp_path / "set.xlsx",
                                       {"Surface": "valley", "LrSGD": 0.01, "LrAdam": 0.05})
    report = verify.verify(out)
    assert report.ok, report.render()
    book = reader.read(out)
    blocks = manifest.read(book).blocks
    before = reader.block_values(reader.read(src), blocks["sgd_path"])
    after = reader.block_values(book, blocks["sgd_path"])
    assert after[0, 0] == -1.5 and not np.allclose(before[1:, 0], after[1:, 0])


def test_long_workbooks_cap_the_analysis_runs():
    """Paths are as long as --steps; the sweep, table and plateau runs stop at 1,000."""
    exp = Settings(steps=10_000).validated()
    plan = DESCENT.plan(exp)
    assert plan.path("adam").rows == 10_001 and plan.sweep("adam").rows == 1_001
    assert plan.blocks["minima_runs"].rows == plan.blocks["plateau_runs"].rows == 1_001
    assert DESCENT.check_plan(exp, plan.blocks) is None
    short = DESCENT.plan(Settings(steps=20))
    assert short.sweep("sgd").rows == short.path("sgd").rows == 21
    assert "needs" in DESCENT.check_plan(exp, short.blocks)


def test_same_settings_give_identical_bytes(tmp_path):
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    for path in (a, b):
        writer.build(Settings(steps=3, surface="valley"), path)
    assert a.read_bytes() == b.read_bytes()


# ------------------------------------------------------------------ gradient noise

NOISY = Settings(surface="two_minima", noise=0.5)
"""``sheetsim build descent --surface two_minima --noise 0.5``: the escape table's default."""


def _normals(u: np.ndarray) -> np.ndarray:
    """NORM.S.INV of uniform draws, from the standard library."""
    inv = statistics.NormalDist().inv_cdf
    return np.vectorize(inv)(u)


@pytest.fixture(scope="module")
def noisy(tmp_path_factory) -> tuple[Path, Book, dict]:
    """The noisy two-minima workbook at the command line's 30 steps, read back."""
    path = tmp_path_factory.mktemp("noisy") / "noisy.xlsx"
    writer.build(NOISY, path)
    book = reader.read(path)
    return path, book, manifest.read(book).blocks


def test_noise_zero_is_the_workbook_without_noise(tmp_path):
    plain, zero = tmp_path / "plain.xlsx", tmp_path / "zero.xlsx"
    for out, extra in ((plain, []), (zero, ["--noise", "0"])):
        result = CliRunner().invoke(cli, ["build", "descent", "--steps", "5", *extra, "-o",
                                          str(out), "-q"])
        assert result.exit_code == 0, result.output
    assert plain.read_bytes() == zero.read_bytes()
    book = reader.read(plain)
    assert "noise" not in manifest.read(book).keys
    assert "Draws" not in book.sheets and "Escape" not in book.sheets


def test_every_optimizer_steps_with_the_same_noise(noisy):
    """Each path's noisy gradient is its exact gradient plus Noise·z, z the normal of the
    file's own uniform draws, the same z for every optimizer; SGD's path, recomputed by
    hand from those draws, is the file's."""
    _, book, blocks = noisy
    u = reader.block_values(book, blocks["noise_u"])
    assert ((u > 0) & (u < 1)).all() and u.shape == (31, 2)
    z = _normals(u)
    np.testing.assert_allclose(reader.block_values(book, blocks["noise_z"]), z, rtol=1e-13)
    plan = DESCENT.plan(NOISY)
    for opt in OPTIMIZER_NAMES:
        path = reader.block_values(book, blocks[f"{opt}_path"])
        cols = plan.columns(opt)
        for c in "xy":
            g, noisy_g = path[:, cols.index(f"g{c}")], path[:, cols.index(f"ng{c}")]
            ok = np.isfinite(g)
            np.testing.assert_allclose(noisy_g[ok], g[ok] + 0.5 * z[ok, "xy".index(c)],
                                       rtol=1e-12, atol=1e-15)
    lr = 0.95
    x, y, xs = 2.5, 1.0, [2.5]
    for t in range(2):  # SGD leaves the window at once with lr 0.95: two steps by hand
        gx, gy = x * (x + 2) * (x - 1) + 0.5 * z[t, 0], 2 * y + 0.5 * z[t, 1]
        x, y = x - lr * gx, y - lr * gy
        xs.append(x)
    sgd = reader.block_values(book, blocks["sgd_path"])
    np.testing.assert_allclose(sgd[:3, 0], xs, rtol=1e-12)
    assert sgd[2, 1] == pytest.approx(y, rel=1e-12)


def test_the_escape_table_by_hand(noisy):
    """SGD from x = 1 on two_minima, per noise level × learning rate × sequence, written
    out again from the definition with the file's own draws: the shares are the file's;
    without noise nothing escapes, with the most noise something does."""
    _, book, blocks = noisy
    b = blocks["escape"]
    assert (b.kind, b.rows, b.cols) == ("escape", 5, 5)
    table = reader.block_values(book, b)
    z = _normals(reader.block_values(book, blocks["escape_u"]))
    steps, sequences = z.shape
    assert (steps, sequences) == (30, 40)
    lrs = 0.01 * 30 ** (np.arange(5) / 4)
    levels = np.arange(5) * 4.0 / 4
    want = np.zeros((5, 5))
    for k, sigma in enumerate(levels):
        for j, lr in enumerate(lrs):
            for m in range(sequences):
                x = 1.0
                for t in range(steps):
                    if abs(x) > 4:
                        x = math.nan
                        break
                    x = x - lr * (x * (x + 2) * (x - 1) + sigma * z[t, m])
                want[k, j] += x < -0.5
    np.testing.assert_array_equal(table, want / sequences)
    assert (table[0] == 0).all() and table[-1].max() > 0
    assert ((0 <= table) & (table <= 1)).all()


def test_noise_floor_of_sgd_on_the_bowl():
    """The Guide's level lr·σ²/2·(1/(2 − lr/10) + 1/(2 − 2·lr)) is what noisy SGD's loss
    averages on the bowl in a long run of the model."""
    exp = Settings(noise=0.5)
    lr, sigma, steps = 0.5, 0.5, 40_000
    kick = sigma * np.random.default_rng(3).standard_normal((2, steps + 1))
    r = model.run("sgd", exp, SURFACES["bowl"].grad, 0.0, 0.0, lr, steps, (kick[0], kick[1]))
    mean = SURFACES["bowl"].f(r.x[1000:, 0], r.y[1000:, 0]).mean()
    floor = lr * sigma * sigma / 2 * (1 / (2 - lr / 10) + 1 / (2 - 2 * lr))
    assert mean == pytest.approx(floor, rel=0.05)


def test_the_guide_reads_the_noisy_file(noisy):
    """The Guide's numbers are the file's: its Noise, and each path's mean loss over the
    last half of the steps."""
    _, book, blocks = noisy
    size = book.sheet("Guide").value(blocks["guide_noise_size"].row, 0)
    assert "Noise = 0.5:" in size and "to 0.25," in size and "to 0.05;" in size
    floor = book.sheet("Guide").value(blocks["guide_noise_floor"].row, 0)
    plan = DESCENT.plan(NOISY)
    loss = reader.block_values(book, blocks["adam_path"])[-15:, plan.columns("adam")
                                                          .index("loss")]
    assert f"Adam {round(float(loss.mean()), 3):g}" in floor and "SGD diverged" in floor


def test_a_live_noisy_workbook_verifies(tmp_path):
    out = tmp_path / "live.xlsx"
    result = CliRunner().invoke(cli, ["build", "descent", "--noise", "1", "--live", "--steps",
                                      "6", "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(out)
    assert book["Draws"]["B5"].value == "=RAND()"
    report = verify.verify(out)
    assert report.ok, report.render()
    assert any("live workbook" in note for note in report.notes)


def test_a_changed_draw_is_caught(noisy, tmp_path):
    path, _, blocks = noisy
    copy = tmp_path / "draw.xlsx"
    copy.write_bytes(path.read_bytes())
    old = cell_xml(copy, "Draws", "B8")
    patch_sheet(copy, "Draws", old, re.sub(r"<v>[^<]*</v>", "<v>0.99</v>", old))
    result = CliRunner().invoke(cli, ["verify", str(copy)])
    assert result.exit_code == 1
    assert "Draws!E8" in result.output  # the normal of that draw


@pytest.mark.engine
def test_libreoffice_recomputes_the_noisy_sgd_path(noisy, tmp_path):
    need("libreoffice")
    path, book, blocks = noisy
    out = engines.recalc(path, tmp_path / "lo.xlsx", "libreoffice")
    again = reader.read(out)
    for opt in ("sgd", "adam"):
        before = reader.block_values(book, blocks[f"{opt}_path"])
        after = reader.block_values(again, blocks[f"{opt}_path"])
        np.testing.assert_allclose(after, before, rtol=1e-9, atol=1e-12)
    np.testing.assert_array_equal(reader.block_values(again, blocks["escape"]),
                                  reader.block_values(book, blocks["escape"]))
    report = verify.verify(out)
    assert report.ok, report.render()


# ------------------------------------------------------------------ the Guide's claims

PLATEAU_CLAIMS = {  # (optimizer, changes from the textbook's settings) -> first step x < 2
    ("momentum", ()): 18,
    ("adam", ()): 65,
    ("rmsprop", ()): 540,
    ("rmsprop", (("rho", 0.9),)): 133,
    ("adam", (("beta1", 0.0),)): 656,
    ("rmsprop", (("lr_rmsprop", 0.3),)): 17,
}


@pytest.mark.parametrize(("case", "step"), list(PLATEAU_CLAIMS.items()),
                         ids=[f"{o}{dict(c)}" for o, c in PLATEAU_CLAIMS])
def test_the_plateau_claims_of_the_guide(case, step):
    """Every step the Guide's plateau section quotes, from x = 6 with the textbook's
    settings, is what the reference model gives, and the Guide quotes it."""
    opt, changes = case
    exp = replace(Settings(), **dict(changes))
    r = model.run(opt, exp, SURFACES["plateau"].grad, 6.0, 0.0, exp.lr(opt), 1000)
    assert model.escape_step(r.x, 2.0)[0] == step
    from sheetsim.experiments.descent import texts

    for t in (texts.EN, texts.JA):
        plateau = next(body for heading, body in t.guide if heading in ("Plateaus", "プラトー"))
        assert any(str(step) in line for line in plateau if isinstance(line, str))


def test_the_guide_and_header_follow_the_file(preset_book):
    """descent-valley: the header names its rates, no fixed RMSprop rate is left in the
    Guide, and the live lines show the file's own numbers."""
    book = reader.read(preset_book("descent-valley"))
    blocks = manifest.read(book).blocks
    header = book.sheet("Dashboard").value(blocks["dash_subtitle"].row, 0)
    assert "valley from (-1.5, 2)" in header and "SGD, Momentum, AdaGrad, RMSprop" in header
    guide = [book.sheet("Guide").value(r, 0) for r in range(80)]
    text = " ".join(v for v in guide if isinstance(v, str))
    assert "lr = 0.1" not in text and "x⁴/(1 + x⁴)" not in text
    first = book.sheet("Guide").value(blocks["guide_rmsprop_first"].row, 0)
    assert f"and ρ = 0.99 make it {round(0.01 / math.sqrt(0.01), 4):g}." in first
    controls = openpyxl.load_workbook(preset_book("descent-valley"))["Controls"]
    eps = DESCENT.plan(_small("descent-valley")).names["Eps"]
    assert "E" in controls.cell(eps.row + 1, eps.col + 1).number_format
