"""The controls of an optimizer-lab workbook: each defined name and the setting it holds.

The one table of name ↔ setting: the writer fills the cells from it and verify reads the
settings back through it. A start point is two cells (x and y) of one setting.
"""

from __future__ import annotations

from typing import Any

from sheetsim.experiments.base import Control, whole_number
from sheetsim.experiments.common.optimizers import PARAM_NAMES
from sheetsim.experiments.descent.catalog import SURFACE_NAMES
from sheetsim.experiments.descent.layout import (
    NAME_DIFF,
    NAME_EPS,
    NAME_ESCAPE_HIGH,
    NAME_MIN_LR_HIGH,
    NAME_MIN_LR_LOW,
    NAME_MIN_X_HIGH,
    NAME_MIN_X_LOW,
    NAME_NOISE,
    NAME_STEPS,
    NAME_SURFACE,
    NAME_SWEEP_HIGH,
    NAME_SWEEP_LOW,
    control_rows,
    start_names,
)
from sheetsim.experiments.descent.settings import Settings, start_key

GLOBAL_KEYS = {
    NAME_SURFACE: "surface",
    NAME_EPS: "eps",
    NAME_DIFF: "diff_step",
    NAME_SWEEP_LOW: "sweep_low",
    NAME_SWEEP_HIGH: "sweep_high",
    NAME_MIN_X_LOW: "minima_x_low",
    NAME_MIN_X_HIGH: "minima_x_high",
    NAME_MIN_LR_LOW: "minima_lr_low",
    NAME_MIN_LR_HIGH: "minima_lr_high",
    NAME_NOISE: "noise",
    NAME_ESCAPE_HIGH: "escape_noise_high",
    **{name: key for key, name in PARAM_NAMES.items()},
}
"""Every one-cell control but Steps, by defined name: its settings key."""


def controls(exp: Settings) -> list[Control]:
    """The controls of this workbook: the global ones on its Controls sheet in order, then
    the start point of every surface (``layer`` 0 for x, 1 for y)."""
    out = []
    for name in control_rows(exp):
        if name == NAME_STEPS:
            out.append(Control(NAME_STEPS, "steps", lambda s: s.steps, from_cell=whole_number,
                               fixed=True))
        else:
            key = GLOBAL_KEYS[name]
            out.append(Control(name, key, lambda s, key=key: getattr(s, key)))
    for surface in SURFACE_NAMES:
        key = start_key(surface)
        for j, name in enumerate(start_names(surface)):
            out.append(Control(name, key, lambda s, key=key, j=j: getattr(s, key)[j], layer=j))
    return out


def settings_from_cells(exp: Settings, values: dict[str, Any]) -> dict[str, Any]:
    """The settings keys the control cells ``values`` (by defined name) describe: start
    points as [x, y] pairs, everything else one cell each."""
    changes: dict[str, Any] = {}
    for control in controls(exp):
        if control.fixed:
            continue
        value = control.setting(values[control.name])
        if control.layer is None:
            changes[control.key] = value
        else:
            changes.setdefault(control.key, [None, None])[control.layer] = value
    return changes
