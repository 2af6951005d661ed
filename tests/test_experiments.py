"""Every registered experiment and every preset, through one table.

Each experiment's default and each preset is built small (``SMALL``: the dataclass defaults
are the command line's full-size defaults) and must: verify (``sheetsim verify``, every
sheet of a computed block compared with its formulas and with the model); verify after
each engine recalculates it (``--engine libreoffice|gnumeric``); come out of the command
line byte for byte as out of the Python API; be caught when one cached value is changed.
Bad settings of every experiment, and a preset given to another experiment, are one line
on stderr and exit status 2, with no file written. The full-size workbooks' bytes are
checked by ``test_golden.py``.
"""

from __future__ import annotations

import contextlib
import json
import math
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from sheetsim import config, experiments
from sheetsim.build import writer
from sheetsim.check import manifest
from sheetsim.cli import cli
from sheetsim.engines import ENGINES
from sheetsim.experiments.base import SettingsBase
from sheetsim.xlsx import reader
from sheetsim.xlsx.cells import cell

from .helpers import SMALL_SHAPES, need, set_cached

SMALL = SMALL_SHAPES
"""Each experiment's small shape (init's deep presets keep their ten layers; the descent
presets' long paths become 12 steps)."""

PRESETS = config.preset_names()
CASES = [(name, None) for name in experiments.REGISTRY] + [
    (config.preset_experiment(preset), preset) for preset in PRESETS]
"""(experiment, preset or None): each experiment's default, then every preset."""
IDS = [preset or name for name, preset in CASES]


def small(name: str, preset: str | None) -> SettingsBase:
    """The settings of a case at its small shape, through the one settings path."""
    return experiments.resolve(experiments.get(name), preset=preset, flags=SMALL[name])


def flags(name: str) -> list[str]:
    """``SMALL[name]`` as command-line options."""
    return [arg for key, value in SMALL[name].items()
            for arg in (f"--{key.replace('_', '-')}", str(value))]


def distinct(cases: list[tuple[str, str | None]]) -> list[tuple[str, str | None]]:
    """The cases whose small settings differ, presets first: a default that a preset
    repeats (descent-bowl, training-relu-he-adam, sigmoid-xavier) is covered by it."""
    seen: set[str] = set()
    out = []
    for name, preset in sorted(cases, key=lambda c: c[1] is None):
        key = f"{name} {small(name, preset).to_json()}"
        if key not in seen:
            seen.add(key)
            out.append((name, preset))
    return out


ENGINE_CASES = distinct(CASES)


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    """The small workbook of a case, built once per module through the Python API."""
    folder = tmp_path_factory.mktemp("experiments")
    done: dict[str, Path] = {}

    def get(name: str, preset: str | None) -> Path:
        key = preset or name
        if key not in done:
            path = folder / f"{key}.xlsx"
            writer.build(small(name, preset), path, experiments.get(name))
            done[key] = path
        return done[key]

    return get


def run(*args: str) -> Result:
    """``sheetsim ARGS`` in this process."""
    return CliRunner().invoke(cli, list(args))


CONSTANT_KINDS = ("uniform", "images")
"""Blocks of constants a file carries: stored draws, and the digits' images (rows of the
data set, which the model reads from the package)."""


def computed_sheets(path: Path) -> set[str]:
    """The sheets holding a block that formulas compute (every block but constants)."""
    book = reader.read(path)
    return {b.sheet for b in manifest.read(book).blocks.values()
            if b.kind not in CONSTANT_KINDS}


def one_error_line(result: Result, folder: Path) -> str:
    """The one line an exit-2 refusal prints, after checking the refusal's rules: exit
    status 2, one line on stderr and nothing on stdout, no traceback, no file written."""
    assert result.exit_code == 2, (result.exit_code, result.output)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("sheetsim: error: "), result.stderr
    assert not result.stdout.strip(), result.stdout
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit), result.exception  # not a crash
    written = [p for p in folder.rglob("*") if p.is_file()]
    assert not written, written
    return lines[0]


def test_every_experiment_has_a_small_shape():
    assert set(SMALL) == set(experiments.REGISTRY)
    for name, sizes in SMALL.items():  # each really makes the workbook smaller
        full = experiments.get(name).settings_type()
        assert all(getattr(full, key) > value for key, value in sizes.items()), name


# ------------------------------------------------------------------ verify

@pytest.mark.parametrize(("name", "preset"), CASES, ids=IDS)
def test_the_workbook_verifies(books, name, preset):
    path = books(name, preset)
    result = run("verify", str(path), "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["ok"] and report["mismatch_count"] == 0, report["mismatches"][:5]
    compared = {(s["sheet"], s["check"]) for s in report["sheets"] if s["cells"] > 0}
    sheets = computed_sheets(path)
    assert sheets
    for sheet in sheets:
        assert {(sheet, "cached"), (sheet, "model")} <= compared, sheet
    found = manifest.read(reader.read(path))
    assert found.experiment.name == name and found.config == small(name, preset)


@pytest.mark.slow
@pytest.mark.parametrize("name", list(experiments.REGISTRY))
def test_the_full_size_default_verifies(name, tmp_path):
    """``sheetsim build NAME`` as a user runs it: the default output at the default size."""
    with contextlib.chdir(tmp_path):
        result = run("build", name, "-q")
        assert result.exit_code == 0, result.output
        path = Path(experiments.get(name).default_output)
        assert path.is_file()
        assert [p.relative_to(tmp_path) for p in tmp_path.rglob("*.xlsx")] == [path]
        result = run("verify", str(path), "-q")
        assert result.exit_code == 0, result.output


@pytest.mark.engine
@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(("name", "preset"), ENGINE_CASES,
                         ids=[preset or name for name, preset in ENGINE_CASES])
def test_the_workbook_verifies_after_an_engine(books, name, preset, engine):
    need(engine)
    result = run("verify", str(books(name, preset)), "--engine", engine, "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["ok"]
    assert any(f"recalculated by {engine}" in note for note in report["notes"]), report
    assert not any("no cached value" in note for note in report["notes"]), report["notes"]


# ------------------------------------------------------------------ the command line

@pytest.mark.parametrize(("name", "preset"), CASES, ids=IDS)
def test_the_command_line_builds_the_same_bytes(books, name, preset, tmp_path):
    """``sheetsim build NAME [--preset P]`` (and ``sheetsim build --preset P``, which finds
    the experiment from the preset) writes what the Python API writes."""
    spellings = [[name]] if preset is None else [[name, "--preset", preset],
                                                  ["--preset", preset]]
    for i, spelling in enumerate(spellings):
        out = tmp_path / f"{i}.xlsx"
        result = run("build", *spelling, *flags(name), "-o", str(out), "-q")
        assert result.exit_code == 0, (spelling, result.output)
        assert out.read_bytes() == books(name, preset).read_bytes(), spelling


BAD: dict[str, list[tuple[list[str], str]]] = {
    "init": [
        (["--init", "glorot"], "init: unknown value 'glorot'"),
        (["--activation", "gelu"], "activation: unknown value 'gelu'"),
        (["--samples", "0"], "samples: 0 is out of range"),
        (["--samples", "1048576"], "samples: 1,048,576 is too large"),
        (["--width", "0"], "width: 0 is out of range"),
        (["--width", "16385"], "width: 16,385 is out of range"),
        (["--layers", "0"], "layers: 0 is out of range"),
        (["--bins", "0"], "bins: 0 is out of range"),
        (["--range", "1", "0"], "range: low (1) must be below high (0)"),
        (["--layer-init", "9=he"], "layer_init: layer 9 does not exist"),
        (["--samples", "many"], "'many' is not a valid integer"),
        (["--sigma", "x"], "'x' is not a valid float"),
        (["--lang", "fr"], "lang: unknown value 'fr'"),
        (["--surface", "bowl"], "--surface: not an option of init but of descent"),
    ],
    "compare": [
        (["--configs", "xavir"], "compare: unknown configuration 'xavir'; did you mean "
                                 "'xavier'?"),
        (["--configs", "std0"], "compare: 'std0' needs a positive σ after std"),
        (["--configs", "stdx,he"], "compare: 'stdx' needs a positive σ after std"),
        (["--configs", ",".join(["he"] * 9)], "compare: 9 configurations; allowed 1 to 8"),
        (["--samples", "0"], "samples: 0 is out of range"),
        (["--init", "he"], "--init: not an option of compare"),
    ],
    "descent": [
        (["--lr", "sgd=-0.1"], "lr_sgd: must be greater than 0"),
        (["--momentum", "1"], "momentum: 1 is out of range; allowed 0 ≤ momentum < 1"),
        (["--beta2", "1.5"], "beta2: 1.5 is out of range"),
        (["--rho", "-0.1"], "rho: -0.1 is out of range"),
        (["--steps", "0"], "steps: 0 is out of range; allowed 1 to 10,000"),
        (["--steps", "100000"], "steps: 100,000 is out of range"),
        (["--optimizer", "sgd,nesterov"], "optimizers: unknown value 'nesterov'"),
        (["--surface", "saddle"], "surface: unknown value 'saddle'"),
        (["--eps", "0"], "eps: must be greater than 0"),
        (["--sweep-range", "1", "0.1"], "sweep_range: low (1) must be below high (0.1)"),
        (["--lang", "fr"], "lang: unknown value 'fr'"),
        (["--live"], "live: RAND() draws need gradient noise (--noise σ above 0)"),
        (["--noise", "-0.5"], "noise: -0.5 is negative"),
        (["--optimizers", "sgd"], "No such option '--optimizers'. Did you mean '--optimizer'?"),
        (["--lr-sgd", "0.1"], "No such option '--lr-sgd'. Did you mean '--lr'?"),
    ],
    "training": [
        (["--layers", "0"], "layers: 0 is out of range; allowed 1 to 6"),
        (["--width", "13"], "width: 13 is out of range"),
        (["--samples", "10"], "samples: 10 is not a multiple of 4"),
        (["--steps", "401"], "steps: 401 is out of range"),
        (["--activation", "relu6"], "activation: unknown value 'relu6'"),
        (["--optimizer", "nadam"], "optimizer: unknown value 'nadam'"),
        (["--clip", "-1"], "clip: -1 is negative"),
        (["--lr", "0"], "lr: must be greater than 0"),
        (["--surface", "bowl"], "--surface: not an option of training but of descent"),
    ],
    "digits": [
        (["--hidden", ""], "hidden: the list of hidden widths is empty"),
        (["--hidden", "40,x"], "hidden: expected widths such as 40,20"),
        (["--batch", "100", "--train-size", "50"], "batch: 100 is larger than the training set"),
        (["--loss", "hinge"], "loss: unknown value 'hinge'"),
        (["--hidden", "40,20", "--residual"], "residual: hidden layers 1 and 2 differ in width"),
        (["--train-size", "1500", "--test-size", "500"], "train_size: 1,500 is out of range"),
        (["--lars", "-1"], "lars: -1 is negative"),
        (["--layers", "2"], "--layers: not an option of digits but of"),
    ],
}
"""Each experiment's bad settings and a part of the one line that refuses each."""
MISTAKES: list[tuple[list[str], str]] = [
    (["--preset", "nope"], "preset: unknown preset 'nope'"),
    (["--no-such-option", "3"], "No such option '--no-such-option'"),
    (["-o", "missing-folder/x.xlsx"], "folder 'missing-folder' does not exist"),
    (["-o", "out.csv"], "must end in .xlsx"),
]
"""Mistakes every experiment's command refuses alike (the retired spellings
``--experiment`` and ``--compare`` are in test_commands.py)."""
BAD_CASES = [(name, args, message) for name, cases in BAD.items() for args, message in cases]
BAD_CASES += [(name, args, message) for name in experiments.REGISTRY
              for args, message in MISTAKES]


@pytest.mark.parametrize(("name", "args", "message"), BAD_CASES,
                         ids=[f"{n}:{' '.join(a)}" for n, a, _ in BAD_CASES])
def test_bad_settings_are_one_line_and_exit_2(tmp_path, monkeypatch, name, args, message):
    monkeypatch.chdir(tmp_path)  # relative outputs, and the default one, land in tmp_path
    out = [] if "-o" in args else ["-o", "x.xlsx"]
    line = one_error_line(run("build", name, *args, *out), tmp_path)
    assert message in line, line


def test_every_experiment_has_bad_settings():
    assert set(BAD) == set(experiments.REGISTRY)


@pytest.mark.parametrize("preset", PRESETS)
def test_a_preset_given_to_another_experiment_names_its_own(tmp_path, monkeypatch, preset):
    monkeypatch.chdir(tmp_path)
    owner = config.preset_experiment(preset)
    for other in experiments.REGISTRY:
        if other != owner:
            line = one_error_line(run("build", other, "--preset", preset), tmp_path)
            assert f"the {owner} experiment" in line, line
            assert f"sheetsim build {owner} --preset {preset}" in line, line


# ------------------------------------------------------------------ tampering

def a_cached_number(path: Path) -> tuple[str, int, int, float]:
    """A formula cell inside a computed block whose cached value is a finite number: the
    middle one of them in sheet, row, column order."""
    book = reader.read(path)
    blocks = [b for b in manifest.read(book).blocks.values() if b.kind != "uniform"]
    found = []
    for f in book.formulas:
        if any(b.sheet == f.sheet and b.row <= f.row < b.row + b.rows
               and b.col <= f.col < b.col + b.cols for b in blocks):
            value = book.sheet(f.sheet).value(f.row, f.col)
            if isinstance(value, float) and math.isfinite(value):
                found.append((f.sheet, f.row, f.col, value))
    assert found
    return sorted(found)[len(found) // 2]


@pytest.mark.parametrize(("name", "preset"), CASES, ids=IDS)
def test_a_changed_cached_value_is_caught_and_named(books, name, preset, tmp_path):
    path = tmp_path / "tampered.xlsx"
    shutil.copy(books(name, preset), path)
    sheet, row, col, value = a_cached_number(path)
    set_cached(path, sheet, cell(row, col), repr(value + 1 + abs(value)))
    result = run("verify", str(path))
    assert result.exit_code == 1, result.output
    assert f"{sheet}!{cell(row, col)}" in result.output, result.output
