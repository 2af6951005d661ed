"""Settings of the weight-initialization Monte Carlo: fields, defaults, limits.

The names of initializers and activations are the keys of the shared tables in
``experiments.common``, so a new activation cannot be allowed here and forgotten there.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sheetsim.config import (
    GLOBAL,
    MAX_COLS,
    MAX_ROWS,
    MAX_SEED,
    ConfigError,
    check_bool,
    check_choice,
    check_float,
    check_int,
    check_layers,
)
from sheetsim.experiments.base import LANGS, SettingsBase
from sheetsim.experiments.common.activations import ACTIVATIONS
from sheetsim.experiments.common.initializers import INITS

RANGE_MODES = ("auto", "manual")
MAX_LAYERS = 999
BINS = (1, 10_000)
"""The fewest and most histogram bins."""
SWITCH = ("on", "off")
"""A layer's batch-normalization switch."""


@dataclass(frozen=True)
class Settings(SettingsBase):
    """One initialization experiment: network shape, initializer, activation, histograms."""

    ALIASES = {"range": ("bin_low", "bin_high"), "grad_range": ("grad_low", "grad_high")}
    LAYER_MAPS = ("layer_init", "layer_activation", "layer_batchnorm")
    FLOATS = ("sigma", "leaky_slope", "bin_low", "bin_high", "bn_eps", "grad_low", "grad_high")

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
    range_mode: str = "auto"
    """"auto": the histogram range follows the activation and the data (sigmoid 0 to 1,
    tanh −1 to 1, otherwise the outputs' smallest to largest value, over all layers), so no
    output falls outside it after any control change; "manual": bin_low to bin_high. A
    source that gives a range implies "manual" (``InitExperiment.implied``)."""
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

    def __post_init__(self) -> None:
        """Names are case-insensitive: ``Xavier``, ``ReLU`` and ``JA`` are stored lower-case
        (the workbook's MATCH lookups ignore case alike)."""
        for key in ("init", "activation", "lang", "range_mode"):
            value = getattr(self, key)
            if isinstance(value, str):
                object.__setattr__(self, key, value.strip().lower())
        for key in self.LAYER_MAPS:
            chosen = getattr(self, key)
            if isinstance(chosen, dict):
                lowered = {k: v.strip().lower() if isinstance(v, str) else v
                           for k, v in chosen.items()}
                object.__setattr__(self, key, {k: v for k, v in lowered.items() if v != GLOBAL})

    @property
    def auto_range(self) -> bool:
        """Whether the histogram range follows the activation and the data."""
        return self.range_mode == "auto"

    @property
    def has_batchnorm(self) -> bool:
        """Whether the workbook carries batch-normalization sheets at all."""
        return self.batchnorm or bool(self.layer_batchnorm)

    def batchnorm_of(self, k: int) -> bool:
        """Whether layer k normalizes (its own switch, else the global one)."""
        return self.layer_batchnorm.get(k, "on" if self.batchnorm else "off") == "on"

    def init_of(self, k: int) -> str:
        """Layer k's initializer: its own choice, else the global one."""
        return self.layer_init.get(k, self.init)

    def activation_of(self, k: int) -> str:
        """Layer k's activation: its own choice, else the global one."""
        return self.layer_activation.get(k, self.activation)

    def validated(self) -> Settings:
        """Self, if every field is allowed; else ConfigError naming the first bad one."""
        check_int("samples", self.samples, 1, MAX_ROWS)
        check_int("width", self.width, 1, MAX_COLS)
        check_int("layers", self.layers, 1, MAX_LAYERS)
        check_int("bins", self.bins, *BINS)
        check_int("seed", self.seed, 0, MAX_SEED)
        check_choice("init", self.init, INITS)
        check_choice("activation", self.activation, ACTIVATIONS)
        check_float("sigma", self.sigma, positive=True)
        check_float("leaky_slope", self.leaky_slope)
        check_choice("range_mode", self.range_mode, RANGE_MODES)
        check_float("bin_low", self.bin_low)
        check_float("bin_high", self.bin_high)
        if not self.bin_low < self.bin_high:
            raise ConfigError(
                f"range: low ({self.bin_low:g}) must be below high ({self.bin_high:g})"
            )
        if not isinstance(self.title, str):
            raise ConfigError("title: must be text")
        check_bool("live", self.live)
        check_choice("lang", self.lang, LANGS)
        check_bool("backward", self.backward)
        check_bool("batchnorm", self.batchnorm)
        check_float("bn_eps", self.bn_eps, positive=True)
        check_int("grad_bins", self.grad_bins, 1, 10_000)
        check_float("grad_low", self.grad_low)
        check_float("grad_high", self.grad_high)
        if not self.grad_low < self.grad_high:
            raise ConfigError(
                f"grad_range: low ({self.grad_low:g}) must be below high ({self.grad_high:g})"
            )
        for key, allowed in (("layer_init", INITS), ("layer_activation", ACTIVATIONS),
                             ("layer_batchnorm", SWITCH)):
            for k, value in getattr(self, key).items():
                check_choice(f"{key} of layer {k}", value, allowed)
            check_layers(key, getattr(self, key), self.layers, allowed)
        return self

    @property
    def describe(self) -> str:
        """One line for the terminal: the settings that matter."""
        init = f"normal σ={self.sigma:g}" if self.init == "normal" else self.init
        own = sorted({*self.layer_init, *self.layer_activation})
        per_layer = "".join(
            f"; layer {k}: {self.activation_of(k)}, {self.init_of(k)}" for k in own
        )
        span = ("auto range" if self.auto_range
                else f"range {self.bin_low:g} to {self.bin_high:g}")
        extras = f", {span}" + "".join(text for on, text in ((self.live, ", live RAND() draws"),
                                               (self.batchnorm, ", batch norm"),
                                               (self.backward, ", backward pass")) if on)
        return (
            f"{self.activation}, {init}, {self.layers} layers × {self.width} neurons, "
            f"{self.samples} samples, seed {self.seed}{extras}{per_layer}"
        )
