"""The controls of a training workbook: each defined name and the setting it holds.

The one table of name ↔ setting: the writer fills the cells from it and verify reads the
settings back through it. The shape of the run is fixed at build (shown, not read back).
"""

from __future__ import annotations

from sheetsim.experiments.base import Control, whole_number
from sheetsim.experiments.common.optimizers import EPS
from sheetsim.experiments.training.layout import (
    CONTROL_NAMES,
    FIXED_NAMES,
    NAME_ACT,
    NAME_BETA1,
    NAME_BETA2,
    NAME_CLIP,
    NAME_INIT,
    NAME_LAYERS,
    NAME_LR,
    NAME_MOMENTUM,
    NAME_OPT,
    NAME_RHO,
    NAME_SAMPLES,
    NAME_SEED,
    NAME_SIGMA,
    NAME_SLOPE,
    NAME_SPREAD,
    NAME_STEPS,
    NAME_TEST,
    NAME_WARMUP,
    NAME_WIDTH,
)
from sheetsim.experiments.training.settings import Settings

KEYS = {
    NAME_LAYERS: "layers", NAME_WIDTH: "width", NAME_SAMPLES: "samples",
    NAME_TEST: "test_samples", NAME_STEPS: "steps", NAME_SEED: "seed",
    NAME_ACT: "activation", NAME_SLOPE: "leaky_slope", NAME_INIT: "init", NAME_SIGMA: "sigma",
    NAME_OPT: "optimizer", NAME_LR: "lr", NAME_MOMENTUM: "momentum", NAME_RHO: "rho",
    NAME_BETA1: "beta1", NAME_BETA2: "beta2",
    EPS.name: "eps", NAME_CLIP: "clip", NAME_WARMUP: "warmup", NAME_SPREAD: "spread",
}
"""Every control by defined name: its settings key."""
WHOLE = frozenset({"layers", "width", "samples", "test_samples", "steps", "seed", "warmup"})


def controls(exp: Settings) -> list[Control]:
    """The controls of this workbook, in the order of the Controls sheet."""
    out = []
    for name in CONTROL_NAMES:
        key = KEYS[name]
        out.append(Control(name, key, lambda s, key=key: getattr(s, key),
                           from_cell=whole_number if key in WHOLE else None,
                           fixed=name in FIXED_NAMES))
    return out
