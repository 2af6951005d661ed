"""The digits experiment: the shipped data is scikit-learn's, the workbook's images are rows
of it, the presets show their lessons on the reference model, tampering is caught, and a
control changed in a running LibreOffice leaves no stale cell.

Every workbook here is small (``SMALL_SHAPES``); ``tests/test_experiments.py`` verifies every
preset with every engine, and the full-size default under ``slow``.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from sklearn.datasets import load_digits

from sheetsim import experiments
from sheetsim.build import writer
from sheetsim.check import manifest, verify
from sheetsim.cli import cli
from sheetsim.experiments.common.activations import ACTIVATIONS
from sheetsim.experiments.common.initializers import INITS
from sheetsim.experiments.common.optimizers import OPTIMIZER_NAMES
from sheetsim.experiments.digits import data, reference, texts
from sheetsim.xlsx import reader
from sheetsim.xlsx.cells import cell

from .helpers import ROOT, SMALL_SHAPES, cell_xml, drive, need_uno, patch_sheet

DIGITS = experiments.get("digits")
SMALL = SMALL_SHAPES["digits"]


def small(preset: str | None = None, **flags) -> object:
    """A preset's (or the default's) settings at the small shape, with ``flags`` on top."""
    return experiments.resolve(DIGITS, preset=preset, flags={**SMALL, **flags})


@pytest.fixture(scope="module")
def book(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("digits") / "digits.xlsx"
    writer.build(small(), path, DIGITS)
    return path


@pytest.fixture
def book_copy(book, tmp_path) -> Path:
    target = tmp_path / "copy.xlsx"
    target.write_bytes(book.read_bytes())
    return target


def cached(path: Path, name: str) -> np.ndarray:
    """A manifest block's cached values."""
    b = reader.read(path)
    return reader.block_values(b, manifest.read(b).blocks[name])


# ------------------------------------------------------------------------ the data

def test_the_shipped_digits_are_scikit_learns():
    theirs = load_digits()
    images, labels = data.load()
    assert images.shape == (1797, 64) and data.SIZE == 1797
    assert np.array_equal(images, theirs.data)
    assert np.array_equal(labels, theirs.target)


def test_the_split_is_fixed_by_the_seed_and_disjoint():
    a, b, c = data.split(1, 1297, 500), data.split(1, 1297, 500), data.split(2, 1297, 500)
    assert np.array_equal(a.train, b.train) and np.array_equal(a.test, b.test)
    assert not np.array_equal(a.test, c.test)
    assert len(a.train) == 1297 and len(a.test) == 500
    assert not set(a.train) & set(a.test)
    small_split = data.split(1, 60, 20)
    assert len(small_split.train) == 60 and len(small_split.test) == 20


def test_the_images_are_rows_of_the_public_data_set(book):
    theirs = load_digits().data
    workbook = reader.read(book)
    blocks = manifest.read(workbook).blocks
    images = [b for b in blocks.values() if b.kind == "images"]
    assert {b.name for b in images} == {"train_images", "test_images"}
    sheet = workbook.sheet("Data")
    for b in images:
        pixels = reader.block_values(workbook, b)
        assert pixels.shape == (b.rows, 64)
        rows = [int(sheet.value(b.row + i, b.col - 2)) - 1 for i in range(b.rows)]
        assert np.array_equal(pixels, theirs[rows])  # each row, in the data set's pixel order


def test_a_changed_pixel_is_caught(book_copy):
    b = manifest.read(reader.read(book_copy)).blocks["train_images"]
    # a pixel of every training image the batches pick is read by some step: change one
    rows = cached(book_copy, "rows").astype(int)
    i = int(rows[0, 0]) - 1
    j = int(np.argmax(cached(book_copy, "s0_x")[0]))  # a pixel that is not 0
    ref = cell(b.row + i, b.col + j)
    old = cell_xml(book_copy, "Data", ref)
    patch_sheet(book_copy, "Data", old, re.sub(r"<v>[^<]*</v>", "<v>3</v>", old))
    report = verify.verify(book_copy)
    assert not report.ok
    assert any(m.address.startswith("Train!") for m in report.mismatches)


# --------------------------------------------------------------------- the lessons

def accuracy(preset: str, **changes) -> float:
    """The reference model's test accuracy at the last step of a preset at full size."""
    return _accuracy(preset, tuple(sorted(changes.items())))


@cache
def _accuracy(preset: str, changes: tuple) -> float:
    s = experiments.resolve(DIGITS, preset=preset, flags=dict(changes))
    plan = DIGITS.plan(s)
    run = reference.run(s, plan, DIGITS.draws(s, plan))
    return reference.accuracy(run.tests[s.steps].pred, reference.sets(s)["yt"])


def test_depth_stops_the_tiny_sigmoid_network_and_one_layer_less_learns():
    deep, shallow = accuracy("digits-sigmoid-gauss-deep"), accuracy("digits-sigmoid-gauss-shallow")
    assert deep < 0.15  # chance is 0.1
    assert shallow - deep >= 0.20


def test_squared_error_stalls_where_cross_entropy_learns():
    assert accuracy("digits-sigmoid-xavier") - accuracy("digits-sigmoid-xavier-mse") >= 0.20


def test_relu_with_he_weights_learns():
    assert accuracy("digits-relu-he") >= 0.70


def test_batch_normalization_and_residual_connections_train_their_networks():
    assert accuracy("digits-batchnorm") - accuracy("digits-sigmoid-gauss-deep") >= 0.20
    assert accuracy("digits-residual") >= 0.70
    assert accuracy("digits-residual") - accuracy("digits-residual", residual=False) >= 0.10


def test_lars_and_warm_up_tame_the_large_batch_and_rate():
    assert accuracy("digits-lars-warmup") >= 0.60
    assert accuracy("digits-lars-warmup", lars=0.0, warmup=0) < 0.15


def test_the_docs_table_gives_the_models_accuracy_of_every_preset():
    text = (ROOT / "docs" / "digits.md").read_text()
    table = dict(re.findall(r"^\| `(digits-[a-z-]+)` \|.*\| (\d+) % \|$", text, re.M))
    assert set(table) == set(DIGITS.presets)
    for preset, shown in table.items():
        assert int(shown) == round(100 * accuracy(preset)), preset


# ----------------------------------------------------------------- the workbook

def test_every_choice_of_the_shared_tables_has_words():
    for lang in ("en", "ja"):
        words = texts.for_lang(lang).control_help
        assert all(name in words["Init"] for name in INITS), lang
        assert all(name in words["Activation"] for name in ACTIVATIONS), lang
        assert all(name in words["Optimizer"] for name in OPTIMIZER_NAMES), lang


def test_every_formula_variant_verifies(tmp_path):
    """Batch normalization with residual connections, squared error, the optimizers with
    states, clipping, warm-up and LARS: each workbook's formulas agree with the model
    (leaky_relu with Momentum: the live workbook below)."""
    variants = [
        dict(hidden=(6, 6, 6), residual=True, batch_norm=True, optimizer="adam", lr=0.01),
        dict(hidden=(6,), loss="mse", activation="sigmoid", init="xavier",
             optimizer="rmsprop", clip=0.5, warmup=3, lars=0.02),
        dict(hidden=(5, 5), batch_norm=True, activation="tanh", optimizer="adagrad",
             loss="mse"),
    ]
    for k, flags in enumerate(variants):
        path = tmp_path / f"v{k}.xlsx"
        writer.build(small(**flags), path, DIGITS)
        report = verify.verify(path)
        assert report.ok, (flags, report.render())


def test_a_live_workbook_draws_its_batches_with_rand(tmp_path):
    path = tmp_path / "live.xlsx"
    writer.build(small(live=True, activation="leaky_relu", optimizer="momentum"), path, DIGITS)
    workbook = reader.read(path)
    u = manifest.read(workbook).blocks["u_batch"]
    rand = [f for f in workbook.formulas if f.sheet == u.sheet and "RAND()" in f.text]
    assert len(rand) == u.rows * u.cols
    assert verify.verify(path).ok


def test_a_changed_cached_loss_is_named(book_copy):
    b = manifest.read(reader.read(book_copy)).blocks["loss"]
    ref = cell(b.row + 3, b.col)
    old = cell_xml(book_copy, b.sheet, ref)
    patch_sheet(book_copy, b.sheet, old, re.sub(r"<v>[^<]*</v>", "<v>0.25</v>", old))
    result = CliRunner().invoke(cli, ["verify", str(book_copy)])
    assert result.exit_code == 1
    assert f"Steps!{ref}" in result.output


def test_a_wrong_formula_is_named(book_copy):
    # step 2's softmax with EXP(z − max) halved: a wrong probability
    block = DIGITS.plan(small()).blocks["s2_p"]
    target = next(f for f in reader.read(book_copy).formulas
                  if f.sheet == "Train" and (f.row, f.col) == (block.row, block.col))
    assert target.text.startswith("CHOOSE(LossIndex,EXP(")
    wrong = target.text.replace("CHOOSE(LossIndex,EXP(", "CHOOSE(LossIndex,0.5*EXP(", 1)
    patch_sheet(book_copy, "Train", target.text, wrong)
    report = verify.verify(book_copy)
    assert not report.ok
    assert block.address(0, 0) in {m.address for m in report.mismatches}


def test_a_control_changed_without_recalculation_is_caught(book_copy):
    lr = DIGITS.plan(small()).names["LearningRate"]
    old = cell_xml(book_copy, "Controls", cell(lr.row, lr.col))
    assert "<v>0.1</v>" in old
    patch_sheet(book_copy, "Controls", old, old.replace("<v>0.1</v>", "<v>0.3</v>"))
    report = verify.verify(book_copy)
    assert not report.ok  # the file's numbers are those of the old learning rate
    assert any(m.address.startswith("Params!") for m in report.mismatches)


# ------------------------------------------------------------ interactive LibreOffice

CHANGES = [
    {"Loss": "mse"},
    {"Optimizer": "adam", "LearningRate": 0.01},
    {"Lars": 0.02, "Warmup": 3, "Clip": 0.5},
    {"Activation": "sigmoid", "Init": "normal", "Sigma": 0.01},
]


@pytest.mark.engine
@pytest.mark.parametrize("change", CHANGES, ids=["-".join(c) for c in CHANGES])
def test_a_control_changed_in_running_libreoffice_gives_the_models_numbers(
        book, tmp_path, change):
    need_uno()
    saved = tmp_path / "after-calculate.xlsx"
    report = drive(book, [{"set": change, "save": str(saved)}])
    step = report["steps"][0]
    assert step["stale_count"] == 0, step["stale"]
    result = verify.verify(saved)  # LibreOffice's numbers against the model on the new controls
    assert result.ok, result.render()
    assert not np.allclose(cached(saved, "loss"), cached(book, "loss"))


@pytest.mark.slow
def test_a_full_size_lesson_workbook_caches_the_models_accuracy(tmp_path):
    path = tmp_path / "mse.xlsx"
    settings = experiments.load_preset("digits-sigmoid-xavier-mse")
    writer.build(settings, path, DIGITS)
    acc = cached(path, "accuracy")
    assert acc[-1, 1] == pytest.approx(accuracy("digits-sigmoid-xavier-mse"), abs=1e-12)
