"""Settings of the optimizer lab: fields, defaults, limits.

Surface names are the keys of the table in ``catalog``; optimizer names are those of the
shared table (``experiments.common.optimizers``), which also gives the defaults of their
learning rates and constants. Every start point belongs to its surface (``start_bowl`` …),
so switching the surface in the workbook starts the paths somewhere sensible; ``start``
(``--start X Y``) sets the chosen surface's one.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, replace
from typing import Any

from sheetsim.config import (
    MAX_SEED,
    ConfigError,
    check_bool,
    check_choice,
    check_float,
    check_int,
)
from sheetsim.experiments.base import LANGS, SettingsBase
from sheetsim.experiments.common.optimizers import (
    DECAYS,
    EPS,
    OPTIMIZER_NAMES,
    OPTIMIZERS,
    check_constants,
)
from sheetsim.experiments.descent.catalog import SURFACE_NAMES, SURFACES

MAX_STEPS = 10_000
NOISE_FIELDS = ("noise", "seed", "live", "escape_noise_high")
"""Settings that only a workbook with gradient noise uses. The manifest leaves out those
at their defaults, so a noise-free workbook's manifest names only the settings it uses."""
BETAS = tuple(DECAYS)
"""Decay rates, each in [0, 1)."""
RATES = tuple(o.lr_key for o in OPTIMIZERS.values())
"""Every optimizer's learning rate (a field each, defaulting to the optimizers' table)."""


def start_key(surface: str) -> str:
    """The settings key of a surface's start point: ``start_bowl``."""
    return f"start_{surface}"


@dataclass(frozen=True)
class Settings(SettingsBase):
    """One optimizer lab: surface, optimizers and their constants, steps, analysis grids."""

    ALIASES = {
        "sweep_range": ("sweep_low", "sweep_high"),
        "minima_starts": ("minima_x_low", "minima_x_high"),
        "minima_lrs": ("minima_lr_low", "minima_lr_high"),
    }
    FLOATS = (*RATES, *BETAS, "eps", "diff_step", "sweep_low", "sweep_high", "minima_x_low",
              "minima_x_high", "minima_lr_low", "minima_lr_high", "noise",
              "escape_noise_high")

    steps: int = 30
    surface: str = "bowl"
    optimizers: tuple[str, ...] = OPTIMIZER_NAMES
    lr_sgd: float = OPTIMIZERS["sgd"].lr_default
    lr_momentum: float = OPTIMIZERS["momentum"].lr_default
    momentum: float = DECAYS["momentum"].default
    lr_adagrad: float = OPTIMIZERS["adagrad"].lr_default
    lr_rmsprop: float = OPTIMIZERS["rmsprop"].lr_default
    """No bias correction: the first step is lr/√(1 − ρ) = 10·lr per coordinate."""
    rho: float = DECAYS["rho"].default
    lr_adam: float = OPTIMIZERS["adam"].lr_default
    beta1: float = DECAYS["beta1"].default
    beta2: float = DECAYS["beta2"].default
    eps: float = EPS.default
    diff_step: float = 1e-3
    """Central differences use h = diff_step · max(1, |x|)."""
    start_bowl: tuple[float, float] = SURFACES["bowl"].start
    start_two_minima: tuple[float, float] = SURFACES["two_minima"].start
    start_plateau: tuple[float, float] = SURFACES["plateau"].start
    start_valley: tuple[float, float] = SURFACES["valley"].start
    start: tuple[float, float] | None = None
    """The chosen surface's start (``--start X Y``); folded into its ``start_…`` field."""
    sweep_low: float = 1e-3
    sweep_high: float = 10.0
    minima_x_low: float = -3.0
    minima_x_high: float = 3.0
    minima_lr_low: float = 0.01
    minima_lr_high: float = 0.3
    lang: str = "en"
    noise: float = 0.0
    """σ of the gradient noise: each step adds σ·N(0, 1) to each gradient coordinate.
    Above 0 the workbook has the draws, the live ``Noise`` control and the escape table."""
    seed: int = 0
    """Seed of the noise's uniform draws."""
    live: bool = False
    """The noise's draws as =RAND(): every recalculation (F9) is a new sequence."""
    escape_noise_high: float = 4.0
    """The escape table's noise levels run evenly from 0 to this."""

    @property
    def noisy(self) -> bool:
        """Whether the workbook has gradient noise (draws, Noise control, escape table)."""
        return self.noise > 0

    def to_json(self) -> str:
        """The settings as the manifest stores them; a noise-free workbook's leave out the
        noise's settings at their defaults."""
        data = json.loads(super().to_json())
        defaults = Settings()
        for key in NOISE_FIELDS:
            if not self.noisy and data[key] == getattr(defaults, key):
                del data[key]
        return json.dumps(data, sort_keys=True)

    def lr(self, optimizer: str) -> float:
        """The learning rate of ``optimizer``."""
        return float(getattr(self, OPTIMIZERS[optimizer].lr_key))

    def start_of(self, surface: str | None = None) -> tuple[float, float]:
        """The start point on ``surface`` (the chosen one by default)."""
        return getattr(self, start_key(surface or self.surface))

    def validated(self) -> Settings:
        """These settings with list values as tuples and ``start`` folded in; ConfigError
        naming the first bad field otherwise."""
        check_int("steps", self.steps, 1, MAX_STEPS)
        check_choice("surface", self.surface, SURFACE_NAMES)
        chosen = _optimizers(self.optimizers)
        for key in RATES:
            check_float(key, getattr(self, key), positive=True)
        check_constants(self)
        check_float("diff_step", self.diff_step, positive=True)
        if self.diff_step > 0.1:
            raise ConfigError(f"diff_step: {self.diff_step:g} is too large; allowed up to 0.1")
        _low_high("sweep_range", self.sweep_low, self.sweep_high, positive=True)
        _low_high("minima_starts", self.minima_x_low, self.minima_x_high)
        _low_high("minima_lrs", self.minima_lr_low, self.minima_lr_high, positive=True)
        check_choice("lang", self.lang, LANGS)
        check_float("noise", self.noise)
        if self.noise < 0:
            raise ConfigError(f"noise: {self.noise:g} is negative; allowed σ ≥ 0")
        check_int("seed", self.seed, 0, MAX_SEED)
        check_bool("live", self.live)
        check_float("escape_noise_high", self.escape_noise_high, positive=True)
        starts = {s: _point(start_key(s), getattr(self, start_key(s))) for s in SURFACE_NAMES}
        if self.start is not None:
            starts[self.surface] = _point("start", self.start)
        fixed = {start_key(s): p for s, p in starts.items()}
        return replace(self, optimizers=chosen, start=None, **fixed)

    @property
    def describe(self) -> str:
        """One line for the terminal: the settings that matter."""
        x, y = self.start_of()
        rates = ", ".join(f"{o} {self.lr(o):g}" for o in self.optimizers)
        noise = (f"; gradient noise σ {self.noise:g}" + (", live RAND() draws" if self.live
                                                         else "")) if self.noisy else ""
        return (f"{self.surface} from ({x:g}, {y:g}), {self.steps} steps; learning rates "
                f"{rates}{noise}")


def _optimizers(value: Any) -> tuple[str, ...]:
    """``"sgd,adam"`` (a flag) or a list (TOML, JSON) to names in the catalog's order."""
    names = value.split(",") if isinstance(value, str) else value
    if not isinstance(names, list | tuple) or not names:
        raise ConfigError(f"optimizers: expected a list of optimizer names, got {value!r}")
    names = [n.strip() if isinstance(n, str) else n for n in names]
    for name in names:
        check_choice("optimizers", name, OPTIMIZER_NAMES)
    return tuple(n for n in OPTIMIZER_NAMES if n in names)


def _low_high(key: str, low: Any, high: Any, positive: bool = False) -> None:
    check_float(key, low, positive)
    check_float(key, high, positive)
    if not low < high:
        raise ConfigError(f"{key}: low ({low:g}) must be below high ({high:g})")


def _point(key: str, value: Any) -> tuple[float, float]:
    """An [x, y] pair of finite numbers, as floats."""
    ok = isinstance(value, list | tuple) and len(value) == 2 and all(
        not isinstance(v, bool) and isinstance(v, int | float) and math.isfinite(v)
        for v in value)
    if not ok:
        raise ConfigError(f"{key}: expected [x, y], two finite numbers, got {value!r}")
    return float(value[0]), float(value[1])
