"""The experiment: its fields, their defaults and limits, and presets from templates/.

Every way of setting up an experiment (CLI flags, a preset, a TOML file, a workbook's
manifest) ends in ``Experiment``, so validation lives in one place.
"""

from __future__ import annotations

import difflib
import json
import math
import tomllib
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

INITS = ("normal", "xavier", "he", "xavier_uniform", "he_uniform", "lecun")
"""Weight initializers; ``xavier`` is σ = 1/√fan_in as in the article."""
UNIFORM_INITS = ("xavier_uniform", "he_uniform")
ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "identity")
LANGS = ("en", "ja")
SWITCH = ("on", "off")
GLOBAL = "global"
"""A per-layer setting with this value follows the global control."""

MAX_ROWS = 1_048_575  # Excel's 1,048,576 rows less the header row
MAX_COLS = 16_383  # Excel's 16,384 columns less the row-label column
MAX_SEED = 10**15 - 1
"""Spreadsheets hold and show whole numbers exactly only up to 15 digits."""


class ConfigError(ValueError):
    """A one-line, user-facing message naming the field and what is allowed."""


@dataclass(frozen=True)
class Experiment:
    samples: int = 1000
    width: int = 100
    layers: int = 5
    init: str = "xavier"
    sigma: float = 1.0
    activation: str = "sigmoid"
    leaky_slope: float = 0.01
    bins: int = 30
    bin_low: float = 0.0
    bin_high: float = 1.0
    seed: int = 0
    title: str = ""
    layer_init: dict[int, str] = field(default_factory=dict)
    """Per-layer initializer overrides, by layer number (1-based)."""
    layer_activation: dict[int, str] = field(default_factory=dict)
    live: bool = False
    """Draws as =RAND() formulas: every recalculation is a fresh Monte Carlo sample."""
    lang: str = "en"
    backward: bool = False
    """Add the backward pass: gradient sheets, weight-gradient sizes, gradient histograms."""
    batchnorm: bool = False
    """Batch normalization between the linear sum and the activation, in every layer."""
    layer_batchnorm: dict[int, str] = field(default_factory=dict)
    """Per-layer batch normalization: "on" or "off" by layer number."""
    bn_eps: float = 1e-5
    grad_bins: int = 32
    grad_low: float = -12.0
    """Gradient histograms are over log10 |g|, from grad_low to grad_high."""
    grad_high: float = 4.0

    @property
    def has_batchnorm(self) -> bool:
        """Whether the workbook carries batch-normalization sheets at all."""
        return self.batchnorm or bool(self.layer_batchnorm)

    def batchnorm_of(self, k: int) -> bool:
        return self.layer_batchnorm.get(k, "on" if self.batchnorm else "off") == "on"

    def init_of(self, k: int) -> str:
        return self.layer_init.get(k, self.init)

    def activation_of(self, k: int) -> str:
        return self.layer_activation.get(k, self.activation)

    def validated(self) -> Experiment:
        _check_int("samples", self.samples, 1, MAX_ROWS)
        _check_int("width", self.width, 1, MAX_COLS)
        _check_int("layers", self.layers, 1, 999)
        _check_int("bins", self.bins, 1, 10_000)
        _check_int("seed", self.seed, 0, MAX_SEED)
        _check_choice("init", self.init, INITS)
        _check_choice("activation", self.activation, ACTIVATIONS)
        _check_float("sigma", self.sigma, positive=True)
        _check_float("leaky_slope", self.leaky_slope)
        _check_float("bin_low", self.bin_low)
        _check_float("bin_high", self.bin_high)
        if not self.bin_low < self.bin_high:
            raise ConfigError(
                f"range: low ({self.bin_low:g}) must be below high ({self.bin_high:g})"
            )
        if not isinstance(self.title, str):
            raise ConfigError("title: must be text")
        if not isinstance(self.live, bool):
            raise ConfigError(f"live: expected true or false, got {self.live!r}")
        _check_choice("lang", self.lang, LANGS)
        for key in ("backward", "batchnorm"):
            if not isinstance(getattr(self, key), bool):
                raise ConfigError(f"{key}: expected true or false, got {getattr(self, key)!r}")
        _check_float("bn_eps", self.bn_eps, positive=True)
        _check_int("grad_bins", self.grad_bins, 1, 10_000)
        _check_float("grad_low", self.grad_low)
        _check_float("grad_high", self.grad_high)
        if not self.grad_low < self.grad_high:
            raise ConfigError(
                f"grad_range: low ({self.grad_low:g}) must be below high ({self.grad_high:g})"
            )
        for key, allowed in (("layer_init", INITS), ("layer_activation", ACTIVATIONS),
                             ("layer_batchnorm", SWITCH)):
            for k, name in getattr(self, key).items():
                if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= self.layers:
                    raise ConfigError(
                        f"{key}: layer {k!r} does not exist; allowed 1 to {self.layers}"
                    )
                _check_choice(f"{key} of layer {k}", name, allowed)
        return self

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @property
    def describe(self) -> str:
        init = f"normal σ={self.sigma:g}" if self.init == "normal" else self.init
        own = sorted({*self.layer_init, *self.layer_activation})
        per_layer = "".join(
            f"; layer {k}: {self.activation_of(k)}, {self.init_of(k)}" for k in own
        )
        extras = "".join(text for on, text in ((self.live, ", live RAND() draws"),
                                               (self.batchnorm, ", batch norm"),
                                               (self.backward, ", backward pass")) if on)
        return (
            f"{self.activation}, {init}, {self.layers} layers × {self.width} neurons, "
            f"{self.samples} samples, seed {self.seed}{extras}{per_layer}"
        )


FIELD_NAMES = tuple(f.name for f in fields(Experiment))
_ALIASES = {"range": ("bin_low", "bin_high"), "grad_range": ("grad_low", "grad_high")}


def _check_int(name: str, value: Any, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(
            f"{name}: expected a whole number from {low:,} to {high:,}, got {value!r}"
        )
    if not low <= value <= high:
        raise ConfigError(f"{name}: {value:,} is out of range; allowed {low:,} to {high:,}")


def _check_float(name: str, value: Any, positive: bool = False) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ConfigError(f"{name}: expected a finite number, got {value!r}")
    if positive and value <= 0:
        raise ConfigError(f"{name}: must be greater than 0, got {value:g}")


def _check_choice(name: str, value: Any, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ConfigError(f"{name}: unknown value {value!r}; allowed: {', '.join(allowed)}")


def from_mapping(
    data: dict[str, Any], base: Experiment | None = None, source: str = ""
) -> Experiment:
    """Apply keys from TOML/JSON onto ``base``; unknown keys name the nearest valid one."""
    where = f"{source}: " if source else ""
    changes: dict[str, Any] = {}
    for key, value in data.items():
        if key in _ALIASES:
            if not (isinstance(value, list | tuple) and len(value) == 2):
                raise ConfigError(f"{where}{key}: expected [low, high], got {value!r}")
            changes.update(zip(_ALIASES[key], value, strict=True))
        elif key in FIELD_NAMES:
            changes[key] = value
        else:
            near = difflib.get_close_matches(key, FIELD_NAMES + tuple(_ALIASES), n=1)
            hint = f"; did you mean {near[0]!r}?" if near else ""
            raise ConfigError(f"{where}unknown setting {key!r}{hint}")
    for key in ("layer_init", "layer_activation", "layer_batchnorm"):
        if key in changes:
            changes[key] = _layer_map(key, changes[key], where)
    for key in ("sigma", "leaky_slope", "bin_low", "bin_high", "bn_eps", "grad_low",
                "grad_high"):
        if isinstance(changes.get(key), int) and not isinstance(changes[key], bool):
            changes[key] = float(changes[key])
    try:
        return replace(base or Experiment(), **changes).validated()
    except ConfigError as exc:
        raise ConfigError(f"{where}{exc}") from None


def _layer_map(key: str, value: Any, where: str) -> dict[int, str]:
    """``{"5": "sigmoid"}`` (TOML, JSON) or ``["5=sigmoid"]`` (CLI) to ``{5: "sigmoid"}``."""
    items: list[tuple[Any, Any]]
    if isinstance(value, dict):
        items = list(value.items())
    elif isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        items = [tuple(v.split("=", 1)) if "=" in v else (v, None) for v in value]
    else:
        raise ConfigError(f"{where}{key}: expected layer = name pairs, got {value!r}")
    out: dict[int, str] = {}
    for k, name in items:
        try:
            layer = int(k)
        except (TypeError, ValueError):
            raise ConfigError(
                f"{where}{key}: expected LAYER=NAME such as 5=sigmoid, got {k!r}"
            ) from None
        if name is None:
            raise ConfigError(f"{where}{key}: expected LAYER=NAME such as 5=sigmoid, got {k!r}")
        if name != GLOBAL:
            out[layer] = name
    return out


def templates_dir() -> Path:
    return Path(__file__).resolve().parent / "templates"


def preset_names() -> list[str]:
    return sorted(p.stem for p in templates_dir().glob("*.toml"))


def load_toml(path: Path) -> dict[str, Any]:
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"config: no such file {str(path)!r}") from None
    except IsADirectoryError:
        raise ConfigError(f"config: {str(path)!r} is a folder, not a TOML file") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        detail = " ".join(str(exc).split())[:200] or type(exc).__name__
        raise ConfigError(f"config: {path.name} is not valid TOML ({detail})") from None


def preset_data(name: str) -> dict[str, Any]:
    names = preset_names()
    if name not in names:
        raise ConfigError(f"preset: unknown preset {name!r}; allowed: {', '.join(names)}")
    data = load_toml(templates_dir() / f"{name}.toml")
    data.pop("description", None)
    return data


def preset_description(name: str) -> str:
    return str(load_toml(templates_dir() / f"{name}.toml").get("description", ""))


def load_preset(name: str) -> Experiment:
    return from_mapping(preset_data(name), source=f"preset {name}")
