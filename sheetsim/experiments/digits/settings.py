"""Settings of the digits experiment: fields, defaults, limits.

The shape of the run (hidden widths, batch size, data split, steps, how often the test set
is passed, batch normalization, residual connections, the seed, live draws) is fixed at
build; the rest are live controls in the workbook. Activations, initializers and
optimizers are those of the shared tables (``experiments.common``).
"""

from __future__ import annotations

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
from sheetsim.experiments.common.activations import ACTIVATIONS
from sheetsim.experiments.common.initializers import INITS
from sheetsim.experiments.common.optimizers import DECAYS, EPS, OPTIMIZER_NAMES, check_constants
from sheetsim.experiments.digits.data import SIZE

LOSSES = ("ce", "mse")
"""Softmax with cross-entropy, or sigmoid outputs with squared error."""
MAX_HIDDEN = 4
MAX_WIDTH = 64
MAX_BATCH = 256
MAX_STEPS = 400


def parse_hidden(value: Any) -> tuple[int, ...]:
    """``"40,20"`` (the command line; brackets around it are allowed), ``[40, 20]`` (TOML,
    JSON) or a tuple, as a tuple of whole numbers; a ConfigError otherwise."""
    if isinstance(value, str):
        parts = [p.strip(" ()[]") for p in value.split(",") if p.strip(" ()[]")]
        try:
            value = [int(p) for p in parts]
        except ValueError:
            raise ConfigError(f"hidden: expected widths such as 40,20, got {value!r}") from None
    if not isinstance(value, list | tuple):
        raise ConfigError(f"hidden: expected a list of widths such as [40, 20], got {value!r}")
    if not value:
        raise ConfigError("hidden: the list of hidden widths is empty; give at least one, "
                          "such as 40")
    for width in value:
        check_int("hidden", width, 1, MAX_WIDTH)
    return tuple(value)


@dataclass(frozen=True)
class Settings(SettingsBase):
    """One training run on the digits: the network, the data, the training constants."""

    FLOATS = ("leaky_slope", "sigma", "lr", *DECAYS, "eps", "clip", "lars")

    hidden: tuple[int, ...] = (40, 20)
    """Widths of the hidden layers, input side first."""
    loss: str = "ce"
    activation: str = "relu"
    leaky_slope: float = 0.01
    init: str = "he"
    sigma: float = 1.0
    """Weight σ of ``init = "normal"``."""
    optimizer: str = "sgd"
    lr: float = 0.1
    momentum: float = DECAYS["momentum"].default
    rho: float = DECAYS["rho"].default
    beta1: float = DECAYS["beta1"].default
    beta2: float = DECAYS["beta2"].default
    eps: float = EPS.default
    clip: float = 0.0
    """Gradient-clipping threshold on the global norm (0: off)."""
    warmup: int = 0
    """Warm-up steps: the learning rate rises linearly to ``lr`` over them (0: none)."""
    lars: float = 0.0
    """LARS coefficient η: each layer's rate is scaled by η‖W‖/‖∇W‖ (0: off)."""
    batch_norm: bool = False
    residual: bool = False
    batch: int = 32
    train_size: int = 1297
    test_size: int = 500
    steps: int = 100
    eval_every: int = 20
    """The test set is passed through the network every this many steps and at the last."""
    seed: int = 1
    live: bool = False
    """Batch draws as =RAND(): every recalculation draws new batches."""
    lang: str = "en"

    def validated(self) -> Settings:
        """These settings (the hidden widths as a tuple), or a ConfigError naming the first
        bad field."""
        hidden = parse_hidden(self.hidden)
        check_int("hidden", len(hidden), 1, MAX_HIDDEN)
        check_choice("loss", self.loss, LOSSES)
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
        for key in ("clip", "lars"):
            value = getattr(self, key)
            check_float(key, value)
            if value < 0:
                raise ConfigError(f"{key}: {value:g} is negative; allowed 0 (off) or more")
        check_int("warmup", self.warmup, 0, MAX_STEPS)
        check_bool("batch_norm", self.batch_norm)
        check_bool("residual", self.residual)
        if self.residual:
            for k in range(1, len(hidden)):
                if hidden[k] != hidden[k - 1]:
                    raise ConfigError(
                        f"residual: hidden layers {k} and {k + 1} differ in width "
                        f"({hidden[k - 1]} and {hidden[k]}); a residual connection adds a "
                        "layer's input to its output, so every hidden layer needs the same "
                        "width")
        check_int("test_size", self.test_size, 10, SIZE - 10)
        check_int("train_size", self.train_size, 10, SIZE - self.test_size)
        check_int("batch", self.batch, 1, MAX_BATCH)
        if self.batch > self.train_size:
            raise ConfigError(f"batch: {self.batch:,} is larger than the training set "
                              f"({self.train_size:,} images)")
        check_int("steps", self.steps, 1, MAX_STEPS)
        check_int("eval_every", self.eval_every, 1, MAX_STEPS)
        check_int("seed", self.seed, 0, MAX_SEED)
        check_bool("live", self.live)
        check_choice("lang", self.lang, LANGS)
        return self if hidden == self.hidden else replace(self, hidden=hidden)

    @property
    def describe(self) -> str:
        """One line for the terminal: the settings that matter."""
        extras = "".join(text for on, text in (
            (self.clip > 0, f", clip {self.clip:g}"), (self.warmup, f", warm-up {self.warmup}"),
            (self.lars > 0, f", LARS η={self.lars:g}"), (self.batch_norm, ", batch norm"),
            (self.residual, ", residual"), (self.live, ", live RAND() batches")) if on)
        sigma = f" σ={self.sigma:g}" if self.init == "normal" else ""
        return (f"64-{'-'.join(map(str, self.hidden))}-10 {self.activation}, {self.init}{sigma}"
                f" init, {self.loss}, {self.optimizer} lr {self.lr:g}{extras}; batch "
                f"{self.batch}, {self.steps} steps")
