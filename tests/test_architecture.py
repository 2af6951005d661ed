"""The parts of the architecture a mistake could slip between: the A1 address module, the
catalog of initializers and activations, and the experiment registry."""

from __future__ import annotations

import math
import string
from itertools import product

import numpy as np
import pytest

from sheetsim import experiments
from sheetsim.evaluator import evaluate_formula
from sheetsim.experiments.common.activations import ACTIVATIONS_TABLE
from sheetsim.experiments.common.initializers import INITIALIZERS
from sheetsim.experiments.init import texts
from sheetsim.xlsx.book import Book, SheetData
from sheetsim.xlsx.cells import cell, col_index, col_letter, parse_range, span


def _a1_columns(n: int) -> list[str]:
    """The first n column names by the definition: A..Z, then AA..ZZ, then AAA..."""
    out: list[str] = []
    for width in (1, 2, 3):
        for letters in product(string.ascii_uppercase, repeat=width):
            out.append("".join(letters))
            if len(out) == n:
                return out
    return out


def test_column_letters_follow_the_a1_definition() -> None:
    names = _a1_columns(16_384)
    assert names[-1] == "XFD"  # Excel's last column, by its documentation
    assert [col_letter(i) for i in range(16_384)] == names
    assert [col_index(n) for n in names] == list(range(16_384))
    assert col_index("xfd") == 16_383


def test_cells_and_ranges_round_trip() -> None:
    assert cell(0, 0) == "A1" and cell(1_048_575, 16_383, absolute=True) == "$XFD$1048576"
    for r, c, rows, cols in ((2, 1, 1000, 100), (0, 0, 1, 1), (7, 27, 3, 1)):
        assert parse_range(span(r, c, rows, cols)) == (r, c, rows, cols)
        assert parse_range(span(r, c, rows, cols, absolute=True)) == (r, c, rows, cols)
    with pytest.raises(ValueError):
        parse_range("B3:A1")


@pytest.mark.parametrize("name", list(ACTIVATIONS_TABLE))
def test_every_activation_formula_computes_its_model_function(name: str) -> None:
    """The formula text, evaluated by the independent evaluator, equals the model's
    function; the slope formula equals a central difference of the model's function."""
    entry = ACTIVATIONS_TABLE[name]
    x = np.array([-40.0, -3.0, -0.5, -1e-3, 1e-3, 0.25, 2.0, 30.0])
    slope = 0.07
    data = np.column_stack([x, np.full_like(x, slope)])
    book = Book({"D": SheetData("D", data)}, {"Slope": "D!$B$1"}, [])
    rng = f"D!A1:A{x.size}"
    got = np.asarray(evaluate_formula(entry.formula(rng, "Slope"), book, "D",
                                      shape=(x.size, 1))).ravel()
    want = entry.f(x, slope)
    np.testing.assert_allclose(got.astype(float), want, rtol=1e-14, atol=1e-300)

    h = 1e-6
    numeric = (entry.f(x + h, slope) - entry.f(x - h, slope)) / (2 * h)
    z = entry.f(x, slope)
    book.sheets["Z"] = SheetData("Z", z.reshape(-1, 1))
    got_slope = np.asarray(evaluate_formula(
        entry.slope_formula(rng, f"Z!A1:A{x.size}", "Slope"), book, "D", shape=(x.size, 1),
    )).ravel()
    np.testing.assert_allclose(got_slope.astype(float), entry.slope(x, z, slope), rtol=1e-14)
    np.testing.assert_allclose(entry.slope(x, z, slope), numeric, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name", list(INITIALIZERS))
def test_every_initializer_formula_computes_its_model_scale(name: str) -> None:
    entry = INITIALIZERS[name]
    fan_in, fan_out, sigma = 100.0, 40.0, 0.3
    book = Book({"D": SheetData("D", np.array([[fan_in, fan_out, sigma]]))},
                {"Sigma": "D!$C$1"}, [])
    got = evaluate_formula(entry.scale_formula("A1", "B1", "Sigma"), book, "D")
    want = entry.scale(sigma, int(fan_in), int(fan_out))
    assert math.isclose(float(got), want, rel_tol=1e-15)
    assert entry.distribution in ("normal", "uniform")


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_every_name_is_explained_in_both_languages(lang: str) -> None:
    t = texts.for_lang(lang)
    for name in ACTIVATIONS_TABLE:
        assert name in t.control_help["Activation"], (lang, name)
    for name in INITIALIZERS:
        assert name in t.control_help["Init"], (lang, name)


def test_every_registered_experiment_declares_its_options_as_settings() -> None:
    from sheetsim.cli.options import keyed_names

    for experiment in experiments.REGISTRY.values():
        settings = experiment.settings_type()
        keys = set(experiment.settings_type.ALIASES)
        keys |= {f for f in vars(settings)} | set(settings.__dataclass_fields__)
        for option in experiment.options:
            if option.keyed:  # --lr adam=0.3 sets lr_adam: some field must match
                assert keyed_names(experiment, option), (experiment.name, option.key)
            else:
                assert option.key in keys, (experiment.name, option.key)
        assert settings.validated() == settings


def test_every_experiments_model_is_kept_from_every_formula_text_by_contract() -> None:
    """A new experiment's model falls under the import contract that keeps models written
    from the mathematics: the contract's lists cannot fall behind the registry."""
    import importlib
    import importlib.util
    import tomllib
    from pathlib import Path

    project = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
    contract = next(c for c in project["tool"]["importlinter"]["contracts"]
                    if c["name"].startswith("every experiment's model"))
    packages = {type(e).__module__ for e in experiments.REGISTRY.values()}
    for package in packages:
        if not hasattr(importlib.import_module(package), "__path__"):
            continue  # a single module: no formulas, layout or model of its own
        for part in ("formulas", "layout"):
            if importlib.util.find_spec(f"{package}.{part}") is not None:
                assert f"{package}.{part}" in contract["forbidden_modules"], package
        if importlib.util.find_spec(f"{package}.model") is not None:
            assert f"{package}.model" in contract["source_modules"], package


def test_the_independence_contracts_cover_every_registered_experiment() -> None:
    """A new experiment falls under "no experiment imports another" and "the shared parts
    know no experiment": the contracts' lists cannot fall behind the registry."""
    import tomllib
    from pathlib import Path

    project = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
    contracts = project["tool"]["importlinter"]["contracts"]
    independent = next(c for c in contracts if c["type"] == "independence")
    shared = next(c for c in contracts
                  if c.get("source_modules") == ["sheetsim.experiments.common"])
    packages = {type(e).__module__ for e in experiments.REGISTRY.values()}
    assert packages == set(independent["modules"])
    assert packages == set(shared["forbidden_modules"])
