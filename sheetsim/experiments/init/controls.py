"""The controls of an initialization workbook: each defined name and the setting it holds.

The one table of name ↔ setting: the writer fills the cells from it and verify reads the
settings back through it.
"""

from __future__ import annotations

from sheetsim.config import GLOBAL, ConfigError
from sheetsim.experiments.base import Control, whole_number
from sheetsim.experiments.init.layout import (
    NAME_ACTIVATION,
    NAME_BINS,
    NAME_BN,
    NAME_BN_EPS,
    NAME_GRAD_BINS,
    NAME_GRAD_HIGH,
    NAME_GRAD_LOW,
    NAME_HIGH,
    NAME_INIT,
    NAME_LOW,
    NAME_RANGE_MODE,
    NAME_SAMPLES,
    NAME_SEED,
    NAME_SIGMA,
    NAME_SLOPE,
    control_rows,
    layer_names,
)
from sheetsim.experiments.init.settings import Settings


def _switch(value: object) -> bool:
    if value not in ("on", "off"):
        raise ConfigError(f"control {NAME_BN}: {value!r} is not on or off")
    return value == "on"


GLOBAL_CONTROLS = {
    NAME_INIT: Control(NAME_INIT, "init", lambda s: s.init),
    NAME_ACTIVATION: Control(NAME_ACTIVATION, "activation", lambda s: s.activation),
    NAME_SIGMA: Control(NAME_SIGMA, "sigma", lambda s: s.sigma),
    NAME_SLOPE: Control(NAME_SLOPE, "leaky_slope", lambda s: s.leaky_slope),
    NAME_BINS: Control(NAME_BINS, "bins", lambda s: s.bins, from_cell=whole_number),
    NAME_LOW: Control(NAME_LOW, "bin_low", lambda s: s.bin_low),
    NAME_HIGH: Control(NAME_HIGH, "bin_high", lambda s: s.bin_high),
    NAME_SAMPLES: Control(NAME_SAMPLES, "samples", lambda s: s.samples, fixed=True),
    NAME_SEED: Control(NAME_SEED, "seed", lambda s: s.seed, fixed=True),
    NAME_BN: Control(NAME_BN, "batchnorm", lambda s: "on" if s.batchnorm else "off",
                     from_cell=_switch),
    NAME_BN_EPS: Control(NAME_BN_EPS, "bn_eps", lambda s: s.bn_eps),
    NAME_GRAD_LOW: Control(NAME_GRAD_LOW, "grad_low", lambda s: s.grad_low),
    NAME_GRAD_HIGH: Control(NAME_GRAD_HIGH, "grad_high", lambda s: s.grad_high),
    NAME_GRAD_BINS: Control(NAME_GRAD_BINS, "grad_bins", lambda s: s.grad_bins, fixed=True),
    NAME_RANGE_MODE: Control(NAME_RANGE_MODE, "range_mode", lambda s: s.range_mode),
}
"""Every global control, by defined name."""

PER_LAYER = (("init_set", "layer_init"), ("act_set", "layer_activation"),
             ("bn_set", "layer_batchnorm"))
"""Per-layer choices: the table's part and the settings key."""


def controls(exp: Settings) -> list[Control]:
    """The controls of this workbook: the global ones on its Controls sheet, then the
    per-layer choices ("global" or a name of the layer's own)."""
    out = [GLOBAL_CONTROLS[name] for name in control_rows(exp)]
    for part, key in PER_LAYER[: 3 if exp.has_batchnorm else 2]:
        for k in range(1, exp.layers + 1):
            out.append(Control(layer_names(k)[part], key,
                               lambda s, key=key, k=k: getattr(s, key).get(k, GLOBAL), layer=k))
    return out
