"""Properties over configurations: valid ones build, verify and reproduce; invalid ones fail
with one line that names the field. The initialization experiment's configurations are drawn
whole; every registered experiment's small workbook is drawn over the seed of its draws.

Valid configurations are kept small (samples ≤ 30, width ≤ 6, layers ≤ 3) so each example
builds and verifies in a fraction of a second.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from sheetsim import experiments
from sheetsim.check import manifest, verify
from sheetsim.cli import cli
from sheetsim.config import MAX_COLS, MAX_ROWS, ConfigError, field_names
from sheetsim.experiments.common.activations import ACTIVATIONS
from sheetsim.experiments.common.initializers import INITS
from sheetsim.experiments.init.settings import Settings
from sheetsim.xlsx import reader

from .helpers import SMALL_SHAPES, build

FIELD_NAMES = field_names(Settings)
from_mapping = Settings.from_mapping

ROOT = Path(__file__).resolve().parent.parent

# ------------------------------------------------------------------ valid configurations

finite = {"allow_nan": False, "allow_infinity": False, "allow_subnormal": False}
MAX_EXACT_SEED = 10**15 - 1
"""The largest seed: spreadsheets hold whole numbers exactly up to 15 digits."""


@st.composite
def small_configs(draw) -> dict:
    low = draw(st.floats(-5, 5, **finite))
    span = draw(st.floats(1e-3, 10, **finite))
    return {
        "samples": draw(st.integers(1, 30)),
        "width": draw(st.integers(1, 6)),
        "layers": draw(st.integers(1, 3)),
        "init": draw(st.sampled_from(INITS)),
        "activation": draw(st.sampled_from(ACTIVATIONS)),
        "sigma": draw(st.floats(1e-3, 10, **finite)),
        "leaky_slope": draw(st.floats(-1, 1, **finite)),
        "bins": draw(st.integers(1, 40)),
        "range": [low, low + span],
        "seed": draw(st.integers(0, MAX_EXACT_SEED)),
    }


@settings(max_examples=60, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(small_configs())
@example({"samples": 1, "width": 1, "layers": 1, "init": "normal", "activation": "relu",
          "sigma": 1.0, "leaky_slope": 0.0, "bins": 1, "range": [0.0, 1.0], "seed": 0})
def test_valid_small_configurations_build_and_verify(data):
    exp = from_mapping(data)
    with tempfile.TemporaryDirectory() as tmp:
        path = build(exp, Path(tmp) / "p.xlsx")
        report = verify.verify(path)
        assert report.ok, report.render()
        assert manifest.read(reader.read(path)).config == exp


@pytest.mark.parametrize("seed", [10**15, 2**53 + 1, 2**63 - 1])
def test_seeds_beyond_15_digits_are_refused(seed):
    # a spreadsheet shows and stores whole numbers exactly only up to 15 digits
    with pytest.raises(ConfigError, match=r"seed: [\d,]+ is out of range; allowed 0 to "):
        Settings(samples=1, width=1, layers=1, seed=seed).validated()


def test_the_largest_seed_verifies(tmp_path):
    path = build(Settings(samples=1, width=1, layers=1, seed=MAX_EXACT_SEED),
                 tmp_path / "s.xlsx")
    assert verify.verify(path).ok


# ------------------------------------------------------------------ invalid configurations

INT_FIELDS = {"samples": (1, MAX_ROWS), "width": (1, MAX_COLS), "layers": (1, 999),
              "bins": (1, 10_000), "seed": (0, MAX_EXACT_SEED)}
FLOAT_FIELDS = ("sigma", "leaky_slope", "bin_low", "bin_high")
CHOICES = {"init": INITS, "activation": ACTIVATIONS}

not_a_number = st.one_of(st.text(max_size=12), st.booleans(), st.none(),
                         st.lists(st.integers(), max_size=3),
                         st.dictionaries(st.text(), st.integers(), max_size=2))


@st.composite
def invalid_settings(draw) -> tuple[dict, tuple[str, ...]]:
    """One invalid setting (and the field names its message may name)."""
    kind = draw(st.sampled_from(["int type", "int range", "float", "choice", "range order",
                                 "range shape", "unknown key"]))
    if kind == "int type":
        key = draw(st.sampled_from(sorted(INT_FIELDS)))
        value = draw(st.one_of(not_a_number, st.floats().filter(lambda x: True)))
        return {key: value}, (key,)
    if kind == "int range":
        key = draw(st.sampled_from(sorted(INT_FIELDS)))
        low, high = INT_FIELDS[key]
        value = draw(st.one_of(st.integers(max_value=low - 1), st.integers(min_value=high + 1)))
        return {key: value}, (key,)
    if kind == "float":
        key = draw(st.sampled_from(FLOAT_FIELDS + ("sigma",)))
        bad = [not_a_number, st.sampled_from([math.nan, math.inf, -math.inf])]
        if key == "sigma":
            bad.append(st.floats(max_value=0, allow_nan=False))
        return {key: draw(st.one_of(*bad))}, (key,)
    if kind == "choice":
        key = draw(st.sampled_from(sorted(CHOICES)))
        value = draw(st.one_of(st.text(max_size=12).filter(lambda v: v not in CHOICES[key]),
                               st.integers(), st.none()))
        return {key: value}, (key,)
    if kind == "range order":
        low = draw(st.floats(-1e6, 1e6, **finite))
        high = draw(st.floats(-1e6, low, **finite))
        return {"range": [low, high]}, ("range",)
    if kind == "range shape":
        value = draw(st.one_of(st.lists(st.floats(0, 1), max_size=5).filter(lambda v: len(v) != 2),
                               st.floats(0, 1), st.text(max_size=5), st.none()))
        return {"range": value}, ("range",)
    name = draw(st.sampled_from(FIELD_NAMES + ("range",)))
    i = draw(st.integers(0, len(name) - 1))
    typo = draw(st.sampled_from([name[:i] + name[i + 1:], name[:i] + "x" + name[i:],
                                 name.upper(), name + "s"]))
    if typo in FIELD_NAMES + ("range",):
        typo += "_"
    return {typo: 1}, ("unknown setting",)


def names_field(message: str, fields: tuple[str, ...]) -> bool:
    head = message.split(":", 1)[0]
    return any(head == f or message.startswith(f) for f in fields)


@settings(max_examples=300, deadline=None, database=None)
@given(invalid_settings())
def test_invalid_settings_fail_with_one_line_naming_the_field(case):
    data, fields = case
    with pytest.raises(ConfigError) as info:
        from_mapping(data)
    message = str(info.value)
    assert "\n" not in message and "\r" not in message
    assert names_field(message, fields), (data, message)
    if fields == ("unknown setting",):
        key = next(iter(data))
        assert message.startswith(f"unknown setting {key!r}")


def test_unknown_keys_suggest_the_nearest_name():
    for typo, near in [("sampels", "samples"), ("activaton", "activation"), ("layer", "layers"),
                       ("rnage", "range"), ("leaky-slope", "leaky_slope"), ("sed", "seed")]:
        with pytest.raises(ConfigError, match=f"did you mean '{near}'"):
            from_mapping({typo: 1})


def toml_str(text: str) -> str:
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and math.isnan(v):
        return "nan"
    if isinstance(v, float) and math.isinf(v):
        return "inf" if v > 0 else "-inf"
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return toml_str(v)
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{toml_str(k)} = {toml_value(x)}" for k, x in v.items()) + "}"
    raise TypeError(v)


def one_line_exit_2(result, fields: tuple[str, ...]) -> str:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert len(lines) == 1, result.output
    assert lines[0].startswith("sheetsim: error: ")
    message = lines[0].removeprefix("sheetsim: error: ")
    assert any(f in message for f in fields), message
    return message


def _in_toml(case) -> bool:
    """TOML has no null, and this test writes no array of mixed integers and floats."""
    data, _ = case
    return not any(v is None or (
        isinstance(v, list) and any(isinstance(x, float) for x in v) and any(
            isinstance(x, int) and not isinstance(x, bool) for x in v)) for v in data.values())


@settings(max_examples=60, deadline=None, database=None)
@given(invalid_settings().filter(_in_toml))
def test_invalid_toml_is_one_line_and_exit_2(case):
    data, fields = case
    with tempfile.TemporaryDirectory() as tmp:
        cfg = Path(tmp) / "exp.toml"
        cfg.write_text("".join(f"{toml_str(k)} = {toml_value(v)}\n" for k, v in data.items()))
        out = Path(tmp) / "x.xlsx"
        result = CliRunner().invoke(cli, ["build", "--config", str(cfg), "-o", str(out)])
        message = one_line_exit_2(result, fields)
        assert message.startswith("exp.toml: "), message
        assert not out.exists()


CLI_FIELDS = {"samples": "--samples", "width": "--width", "layers": "--layers", "bins": "--bins",
              "seed": "--seed", "sigma": "--sigma", "leaky_slope": "--leaky-slope",
              "init": "--init", "activation": "--activation"}

_WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_ .",
                 min_size=1, max_size=10)
"""Never a number to Python's int(); to float() at most nan or inf, which are refused too."""
_NON_FINITE = st.sampled_from(["nan", "inf", "-inf", "NaN", "Infinity", "1e400", "-1e400"])


@st.composite
def invalid_cli_value(draw) -> tuple[str, str]:
    """A field and a value the command line must refuse, invalid by construction."""
    field = draw(st.sampled_from(sorted(CLI_FIELDS)))
    if field in INT_FIELDS:
        low, high = INT_FIELDS[field]
        value = draw(st.one_of(
            _WORDS, _NON_FINITE, st.sampled_from(["1.5", "0x10", "1e3", "7 7"]),
            st.integers(-10**30, low - 1).map(str), st.integers(high + 1, 10**30).map(str)))
    elif field in FLOAT_FIELDS:
        bad = [_WORDS, _NON_FINITE, st.sampled_from(["1,5", "0x1p3", "--1"])]
        if field == "sigma":  # σ must be positive
            bad.append(st.floats(max_value=0, **finite).map(repr))
        value = draw(st.one_of(*bad))
    else:  # a choice: no name of the catalog holds "#"
        value = draw(st.one_of(_WORDS, st.sampled_from(CHOICES[field])).map(lambda v: v + "#"))
    return field, value


@settings(max_examples=60, deadline=None, database=None)
@given(invalid_cli_value())
def test_invalid_cli_values_are_one_line_and_exit_2(case):
    field, value = case
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "x.xlsx"
        result = CliRunner().invoke(cli, ["build", CLI_FIELDS[field], value, "-o", str(out),
                                          "-q"])
        one_line_exit_2(result, (field, CLI_FIELDS[field]))
        assert not out.exists()


def test_range_option_errors():
    for args, message in [(["--range", "1", "1"], "range: low (1) must be below high (1)"),
                          (["--range", "nan", "1"], "bin_low: expected a finite number"),
                          (["--range", "0", "inf"], "bin_high: expected a finite number"),
                          (["--range", "0"], "'--range' requires 2 arguments")]:
        result = CliRunner().invoke(cli, ["build", *args])
        assert one_line_exit_2(result, (message,))


@pytest.mark.parametrize("text", ["a = " + "[" * 50_000 + "]" * 50_000,
                                  "samples = " + "9" * 5000])
def test_hostile_toml_is_one_line_and_exit_2(tmp_path, text):
    cfg = tmp_path / "evil.toml"
    cfg.write_text(text)
    result = CliRunner().invoke(cli, ["build", "--config", str(cfg), "-o",
                                      str(tmp_path / "x.xlsx")])
    assert one_line_exit_2(result, ("evil.toml",))


# ------------------------------------------------------------------ reproducibility

_TIME_MACHINE = """
import datetime as dt, sys, time
class Later(dt.datetime):
    @classmethod
    def now(cls, tz=None):
        return dt.datetime(2031, 7, 4, 13, 37, 11, tzinfo=tz)
    @classmethod
    def utcnow(cls):
        return dt.datetime(2031, 7, 4, 13, 37, 11)
    @classmethod
    def today(cls):
        return dt.datetime(2031, 7, 4, 13, 37, 11)
dt.datetime = Later
_time = time.time
time.time = lambda: _time() + 7 * 365 * 86400 + 3 * 3600 + 17
sys.path.insert(0, sys.argv[1])
from sheetsim.build import writer
from sheetsim.experiments.init.settings import Settings
import json
exp = Settings.from_mapping(json.loads(sys.argv[2]))
writer.build(exp, sys.argv[3])
"""


@settings(max_examples=3, deadline=None, database=None)
@given(small_configs())
def test_same_configuration_gives_identical_bytes_at_any_time(data):
    """Built again seven years later in another time zone: the same bytes."""
    exp = from_mapping(data)
    with tempfile.TemporaryDirectory() as tmp:
        first = build(exp, Path(tmp) / "a.xlsx")
        env = dict(os.environ, TZ="Asia/Kolkata", LC_ALL="C")
        done = subprocess.run([sys.executable, "-c", _TIME_MACHINE, str(ROOT),
                               json.dumps(data), str(Path(tmp) / "b.xlsx")],
                              capture_output=True, text=True, env=env, check=False)
        assert done.returncode == 0, done.stderr
        second = (Path(tmp) / "b.xlsx").read_bytes()
        assert first.read_bytes() == second
        with zipfile.ZipFile(first) as zf:
            assert {i.date_time for i in zf.infolist()} == {(1980, 1, 1, 0, 0, 0)}
            core = zf.read("docProps/core.xml").decode()
        assert core.count("2024-01-01T00:00:00Z") == 2  # created and modified, fixed


def test_a_different_seed_gives_different_bytes(tmp_path):
    a = build(Settings(samples=5, width=3, layers=1, seed=1), tmp_path / "a.xlsx")
    b = build(Settings(samples=5, width=3, layers=1, seed=2), tmp_path / "b.xlsx")
    assert a.read_bytes() != b.read_bytes()


# ------------------------------------------------------------------ every experiment

SEEDED = [n for n, e in experiments.REGISTRY.items() if hasattr(e.settings_type(), "seed")]
"""The registered experiments whose draws come from a seed setting."""


@pytest.mark.parametrize("name", SEEDED)
def test_any_seed_of_every_experiment_builds_and_verifies(name):
    """Small workbooks of every experiment (``SMALL_SHAPES``), whatever the seed of their
    draws: they verify, and the manifest gives back the settings they were built with."""
    experiment = experiments.get(name)

    @settings(max_examples=2, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(st.integers(0, MAX_EXACT_SEED))
    def any_seed(seed: int) -> None:
        exp = experiments.resolve(experiment, flags={**SMALL_SHAPES.get(name, {}), "seed": seed})
        with tempfile.TemporaryDirectory() as tmp:
            path = build(exp, Path(tmp) / f"{name}.xlsx")
            report = verify.verify(path)
            assert report.ok, report.render()
            assert manifest.read(reader.read(path)).config == exp

    any_seed()
