"""Settings of the training experiment: fields, defaults, limits.

The shape of the run (hidden layers, width, samples, steps, seed) is fixed at build; the
rest are live controls in the workbook. Activations, initializers and optimizers are those
of the shared tables (``experiments.common``), which also give the optimizers' constants
their defaults.
"""

from __future__ import annotations

from dataclasses import dataclass

from sheetsim.config import (
    MAX_SEED,
    ConfigError,
    check_choice,
    check_float,
    check_int,
)
from sheetsim.experiments.base import LANGS, SettingsBase
from sheetsim.experiments.common.activations import ACTIVATIONS
from sheetsim.experiments.common.initializers import INITS
from sheetsim.experiments.common.optimizers import DECAYS, EPS, OPTIMIZER_NAMES, check_constants

MAX_LAYERS = 6
MAX_WIDTH = 12
MAX_SAMPLES = 400
MAX_STEPS = 400
BETAS = tuple(DECAYS)
"""Decay rates, each in [0, 1)."""


@dataclass(frozen=True)
class Settings(SettingsBase):
    """One training run: the network's shape, the data, the training constants."""

    FLOATS = ("leaky_slope", "sigma", "lr", *BETAS, "eps", "clip", "spread")

    layers: int = 3
    """Hidden layers (the output layer comes on top)."""
    width: int = 6
    samples: int = 48
    """Training points (a multiple of 4: the four clusters get as many each)."""
    test_samples: int = 32
    steps: int = 100
    seed: int = 1
    spread: float = 0.35
    """Standard deviation of each cluster around its centre (±1, ±1)."""
    activation: str = "relu"
    leaky_slope: float = 0.01
    """The slope of leaky_relu below 0 (at least 0: the backward pass reads the slope's
    sign test off the activation's output)."""
    init: str = "he"
    sigma: float = 1.0
    """Weight σ of ``init = "normal"``."""
    optimizer: str = "adam"
    lr: float = 0.02
    momentum: float = DECAYS["momentum"].default
    rho: float = DECAYS["rho"].default
    beta1: float = DECAYS["beta1"].default
    beta2: float = DECAYS["beta2"].default
    eps: float = EPS.default
    clip: float = 0.0
    """Gradient-clipping threshold on the global norm (0: off)."""
    warmup: int = 0
    """Warm-up steps: the learning rate rises linearly to ``lr`` over them (0: none)."""
    lang: str = "en"

    def validated(self) -> Settings:
        """These settings, or a ConfigError naming the first bad field."""
        check_int("layers", self.layers, 1, MAX_LAYERS)
        check_int("width", self.width, 2, MAX_WIDTH)
        check_int("samples", self.samples, 4, MAX_SAMPLES)
        if self.samples % 4:
            raise ConfigError(f"samples: {self.samples:,} is not a multiple of 4 (the four "
                              "clusters get as many points each)")
        check_int("test_samples", self.test_samples, 4, MAX_SAMPLES)
        if self.test_samples % 4:
            raise ConfigError(f"test_samples: {self.test_samples:,} is not a multiple of 4")
        check_int("steps", self.steps, 1, MAX_STEPS)
        check_int("seed", self.seed, 0, MAX_SEED)
        check_float("spread", self.spread, positive=True)
        check_choice("activation", self.activation, ACTIVATIONS)
        check_float("leaky_slope", self.leaky_slope)
        if self.leaky_slope < 0:
            raise ConfigError(f"leaky_slope: {self.leaky_slope:g} is negative; allowed 0 or "
                              "more")
        check_choice("init", self.init, INITS)
        check_float("sigma", self.sigma, positive=True)
        check_choice("optimizer", self.optimizer, OPTIMIZER_NAMES)
        check_float("lr", self.lr, positive=True)
        check_constants(self)
        check_float("clip", self.clip)
        if self.clip < 0:
            raise ConfigError(f"clip: {self.clip:g} is negative; allowed 0 (off) or a "
                              "threshold above 0")
        check_int("warmup", self.warmup, 0, MAX_STEPS)
        check_choice("lang", self.lang, LANGS)
        return self

    @property
    def describe(self) -> str:
        """One line for the terminal: the settings that matter."""
        clip = f", clip {self.clip:g}" if self.clip > 0 else ""
        warm = f", warm-up {self.warmup}" if self.warmup else ""
        sigma = f" σ={self.sigma:g}" if self.init == "normal" else ""
        slope = f" (slope {self.leaky_slope:g})" if self.activation == "leaky_relu" else ""
        return (f"{self.layers}×{self.width} {self.activation}{slope}, {self.init}{sigma} init, "
                f"{self.optimizer} lr {self.lr:g}{clip}{warm}; {self.samples} points, "
                f"{self.steps} steps")


