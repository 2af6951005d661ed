"""The controls of a digits workbook: each defined name and the setting it holds.

The one table of name ↔ setting: the writer fills the cells from it and verify reads the
settings back through it. The shape of the run is fixed at build (shown, not read back).
"""

from __future__ import annotations

from typing import Any

from sheetsim.experiments.base import Control, whole_number
from sheetsim.experiments.common.optimizers import CONSTANTS
from sheetsim.experiments.digits.layout import (
    CONTROL_NAMES,
    FIXED_NAMES,
    NAME_ACT,
    NAME_BATCH,
    NAME_BN,
    NAME_CLIP,
    NAME_EVERY,
    NAME_HIDDEN,
    NAME_INIT,
    NAME_LARS,
    NAME_LOSS,
    NAME_LR,
    NAME_OPT,
    NAME_RESIDUAL,
    NAME_SEED,
    NAME_SIGMA,
    NAME_SLOPE,
    NAME_STEPS,
    NAME_TEST,
    NAME_TRAIN,
    NAME_WARMUP,
)
from sheetsim.experiments.digits.settings import Settings

KEYS = {
    NAME_HIDDEN: "hidden", NAME_BATCH: "batch", NAME_TRAIN: "train_size",
    NAME_TEST: "test_size", NAME_STEPS: "steps", NAME_EVERY: "eval_every",
    NAME_BN: "batch_norm", NAME_RESIDUAL: "residual", NAME_SEED: "seed", NAME_LOSS: "loss",
    NAME_ACT: "activation", NAME_SLOPE: "leaky_slope", NAME_INIT: "init", NAME_SIGMA: "sigma",
    NAME_OPT: "optimizer", NAME_LR: "lr", NAME_CLIP: "clip", NAME_WARMUP: "warmup",
    NAME_LARS: "lars", **{c.name: key for key, c in CONSTANTS.items()},
}
"""Every control by defined name: its settings key."""
WHOLE = frozenset({"batch", "train_size", "test_size", "steps", "eval_every", "seed", "warmup"})


def _shown(value: Any) -> Any:
    """A setting as its cell shows it: the hidden widths as "40,20", a switch as on/off."""
    if isinstance(value, tuple):
        return ",".join(map(str, value))
    if isinstance(value, bool):
        return "on" if value else "off"
    return value


def controls(exp: Settings) -> list[Control]:
    """The controls of this workbook, in the order of the Controls sheet."""
    assert set(KEYS) == set(CONTROL_NAMES)
    out = []
    for name in CONTROL_NAMES:
        key = KEYS[name]
        out.append(Control(name, key, lambda s, key=key: _shown(getattr(s, key)),
                           from_cell=whole_number if key in WHOLE else None,
                           fixed=name in FIXED_NAMES))
    return out
