"""Settings of the initializer comparison: one network shape and activation, several
weight initializations on the same draws.

``configs`` (``--configs``) is a comma-separated list; each item is ``std<σ>`` (normal
weights with that σ: ``std1``, ``std0.01``) or a shared initializer (``xavier``, ``he``,
``xavier_uniform``, ``he_uniform``, ``lecun``). Names ignore case.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

from sheetsim.config import (
    MAX_COLS,
    MAX_ROWS,
    MAX_SEED,
    ConfigError,
    check_choice,
    check_float,
    check_int,
    nearest,
)
from sheetsim.experiments.base import LANGS, SettingsBase
from sheetsim.experiments.common.activations import ACTIVATIONS
from sheetsim.experiments.common.initializers import INITS

DEFAULT_CONFIGS = ("std1", "std0.01", "xavier", "he")
"""The article's four: N(0, 1), N(0, 0.01²), Xavier and He."""
MAX_CONFIGS = 8
MAX_LAYERS = 99
BINS = (2, 1000)
"""The fewest and most histogram bins."""
NAMED = tuple(i for i in INITS if i != "normal")
"""Initializers named by themselves; ``normal`` is written std<σ>."""
SYNTAX = f"std<σ> such as std1 or std0.01, or one of {', '.join(NAMED)}"


def parse_config(item: str) -> tuple[str, float]:
    """``std0.01`` → ("normal", 0.01); ``xavier`` → ("xavier", 1.0); else ConfigError."""
    text = item.strip().lower()
    if text in NAMED:
        return text, 1.0
    if text.startswith("std"):
        try:
            sigma = float(text[3:])
        except ValueError:
            sigma = math.nan
        if math.isfinite(sigma) and sigma > 0:
            return "normal", sigma
        raise ConfigError(f"compare: {item!r} needs a positive σ after std; use {SYNTAX}")
    near = nearest(text, NAMED)
    hint = f"; did you mean {near!r}?" if near else ";"
    raise ConfigError(f"compare: unknown configuration {item!r}{hint} use {SYNTAX}")


def config_name(init: str, sigma: float) -> str:
    """The list item of a configuration (the inverse of ``parse_config``)."""
    return f"std{sigma:g}" if init == "normal" else init


def config_label(init: str, sigma: float) -> str:
    """How the workbook titles a configuration (its formula gives the same text)."""
    return f"normal σ = {sigma:g}" if init == "normal" else init


@dataclass(frozen=True)
class Settings(SettingsBase):
    """Several initializations of one network, side by side on shared draws: by default the
    article's 1000 samples × 100 neurons."""

    FLOATS = ("leaky_slope",)

    samples: int = 1000
    width: int = 100
    layers: int = 5
    activation: str = "sigmoid"
    leaky_slope: float = 0.01
    bins: int = 30
    seed: int = 0
    configs: tuple[str, ...] = DEFAULT_CONFIGS
    lang: str = "en"

    def __post_init__(self) -> None:
        """Names are case-insensitive; a list given as text is split at commas."""
        for key in ("activation", "lang"):
            value = getattr(self, key)
            if isinstance(value, str):
                object.__setattr__(self, key, value.strip().lower())
        items = self.configs
        if isinstance(items, str) and not items.strip():  # an empty list: the default
            items = DEFAULT_CONFIGS
        if isinstance(items, str):
            items = tuple(items.split(","))
        if isinstance(items, list | tuple):
            object.__setattr__(self, "configs", tuple(
                i.strip().lower() if isinstance(i, str) else i for i in items))

    def validated(self) -> Settings:
        """Self with each configuration in its canonical name; ConfigError naming the
        first bad field otherwise."""
        check_int("samples", self.samples, 1, MAX_ROWS)
        check_int("width", self.width, 1, MAX_COLS)
        check_int("layers", self.layers, 1, MAX_LAYERS)
        check_int("bins", self.bins, *BINS)
        check_int("seed", self.seed, 0, MAX_SEED)
        check_choice("activation", self.activation, ACTIVATIONS)
        check_float("leaky_slope", self.leaky_slope)
        check_choice("lang", self.lang, LANGS)
        if not self.configs or not all(isinstance(i, str) and i for i in self.configs):
            raise ConfigError(f"compare: expected a comma-separated list; use {SYNTAX}")
        if len(self.configs) > MAX_CONFIGS:
            raise ConfigError(f"compare: {len(self.configs)} configurations; allowed 1 to "
                              f"{MAX_CONFIGS}")
        names = tuple(config_name(*parse_config(i)) for i in self.configs)
        return replace(self, configs=names)

    def config(self, c: int) -> tuple[str, float]:
        """Initializer and σ of configuration c (1-based)."""
        return parse_config(self.configs[c - 1])

    @property
    def describe(self) -> str:
        """One line for the terminal."""
        return (f"{self.activation}, compared: {', '.join(self.configs)}; {self.layers} layers "
                f"× {self.width} neurons, {self.samples} samples, seed {self.seed}")


def with_configs(settings: Settings, values: list[tuple[Any, Any]]) -> Settings:
    """The settings with each configuration read back from its (Init, Sigma) cells."""
    items = []
    for init, sigma in values:
        if not isinstance(init, str) or init.strip().lower() not in INITS:
            raise ConfigError(f"controls: initializer {init!r}; allowed: {', '.join(INITS)}")
        s = float(sigma) if isinstance(sigma, int | float) else math.nan
        if init.strip().lower() == "normal" and not (math.isfinite(s) and s > 0):
            raise ConfigError(f"controls: σ {sigma!r} must be a positive number")
        items.append(config_name(init.strip().lower(), s))
    return replace(settings, configs=tuple(items)).validated()
