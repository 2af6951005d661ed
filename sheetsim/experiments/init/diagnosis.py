"""The Dashboard's diagnosis: per layer a few numbers, per finding a test against a
threshold, all by formula, so every finding follows the controls.

The thresholds are declared once, in ``THRESHOLDS``: the workbook shows them as a table on
the Dashboard and every formula reads that table's cells, so a reader may change a
threshold in the sheet too. ``cached`` computes the same numbers with NumPy from the
reference model's outputs (for the cells' cached values); the evaluator checks them from
the formula text.

Numbers behind the findings, per layer k:

- saturated: the share of k's outputs in the outer band of a bounded activation's range
  (sigmoid within ``band`` of 0 or 1, tanh within 2·``band`` of −1 or 1); 0 for the others;
- std: the outputs' standard deviation (collapsed: all outputs nearly one value);
- dead: the share of k's neurons whose output is exactly 0 for every sample;
- signal gain: std of layer k's outputs ÷ std of layer k−1's (from layer 2);
- gradient gain (backward pass): mean |∂L/∂A| of layer k ÷ that of layer k+1 (up to the
  layer below the top): what one layer does to the gradient on its way down.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from sheetsim.experiments.common.activations import ACTIVATIONS_TABLE
from sheetsim.experiments.init.layout import InitPlan, layer_names
from sheetsim.xlsx.cells import Block, cell


@dataclass(frozen=True)
class Threshold:
    """One row of the thresholds table: a finding (or the saturation band) and its limit.

    A finding fires when its measure's worst layer is above (``above``) or below the
    threshold."""

    key: str
    measure: str
    value: float
    above: bool = True
    backward: bool = False


BAND = "band"
THRESHOLDS = (
    Threshold(BAND, "", 0.1),
    Threshold("saturated", "saturated", 0.5),
    Threshold("collapsed", "std", 0.05, above=False),
    Threshold("dead", "dead", 0.10),
    Threshold("exploding_signal", "signal_gain", 2.0),
    Threshold("vanishing_signal", "signal_gain", 0.5, above=False),
    Threshold("vanishing_gradient", "grad_gain", 0.5, above=False, backward=True),
    Threshold("exploding_gradient", "grad_gain", 2.0, backward=True),
)
"""The one table of thresholds (shown on the Dashboard; formulas read its cells)."""
MEASURES = ("saturated", "std", "dead", "signal_gain", "grad_gain")
SHARES = ("saturated", "dead")
"""Measures shown as percentages."""


def measures(backward: bool) -> tuple[str, ...]:
    """The per-layer number rows of a workbook (the gradient gain with the backward pass)."""
    return MEASURES if backward else MEASURES[:-1]


def thresholds(backward: bool, layers: int) -> tuple[Threshold, ...]:
    """The thresholds table of a workbook: a finding needs the backward pass if its
    measure does, and a layer with a number (one layer has no gain to its neighbour)."""
    return tuple(t for t in THRESHOLDS if (backward or not t.backward)
                 and (t.key == BAND or len(layers_of(t.measure, layers)) > 0))


def findings(backward: bool, layers: int) -> tuple[Threshold, ...]:
    """The findings (every threshold but the band)."""
    return tuple(t for t in thresholds(backward, layers) if t.key != BAND)


def layers_of(measure: str, layers: int) -> range:
    """The layers a measure has a number for (gains need a neighbour)."""
    if measure == "signal_gain":
        return range(2, layers + 1)
    if measure == "grad_gain":
        return range(1, layers)
    return range(1, layers + 1)


@dataclass(frozen=True)
class Place:
    """Where the diagnosis sits on the Dashboard (0-based rows and columns): the title,
    the overall verdict and the per-layer rows from ``top`` in columns 0 to ``layers``;
    the findings table from row ``table_top`` and column ``table_col``. Blocks here are
    for addresses only (they are not manifest blocks)."""

    top: int
    layers: int
    backward: bool
    table_top: int
    table_col: int

    @property
    def overall(self) -> int:
        """The row of the one-line overall verdict, below the title."""
        return self.top + 1

    @property
    def header(self) -> int:
        """The row of the per-layer header."""
        return self.top + 2

    def measure(self, name: str) -> Block:
        """The row of a measure, one cell per layer."""
        i = measures(self.backward).index(name)
        return Block(f"diag_{name}", "Dashboard", self.header + 1 + i, 1, 1, self.layers, "diag")

    @property
    def per_layer(self) -> Block:
        """The row naming the findings of each layer."""
        return Block("diag_layer", "Dashboard", self.header + 1 + len(measures(self.backward)),
                     1, 1, self.layers, "diag")

    @property
    def table_header(self) -> int:
        """The header row of the findings table."""
        return self.table_top

    def column(self, name: str) -> int:
        """A column of the findings table (see ``TABLE``)."""
        return self.table_col + TABLE[name]

    def finding_row(self, key: str) -> int:
        """The row of a finding (or of the band) in the findings table."""
        keys = [t.key for t in thresholds(self.backward, self.layers)]
        return self.table_header + 1 + keys.index(key)

    def threshold(self, key: str) -> Block:
        """The threshold cell of a finding (or the band)."""
        return Block(f"thr_{key}", "Dashboard", self.finding_row(key), self.column("threshold"),
                     1, 1, "threshold")

    def worst(self, key: str) -> Block:
        """The worst layer's number of a finding."""
        return Block(f"worst_{key}", "Dashboard", self.finding_row(key), self.column("worst"),
                     1, 1, "worst")

    @property
    def bottom(self) -> int:
        """The first row below the diagnosis (both parts)."""
        last = thresholds(self.backward, self.layers)[-1].key
        return max(self.per_layer.row, self.finding_row(last)) + 1


TABLE = {"finding": 0, "test": 1, "threshold": 2, "found": 3, "worst": 4, "layer": 5, "try": 6}
"""Columns of the findings table."""


def _q(text: str) -> str:
    """A text constant inside a formula."""
    return '"' + text.replace('"', '""') + '"'


def measure_formula(plan: InitPlan, place: Place, measure: str, k: int) -> str:
    """Formula text of layer k's number of ``measure``."""
    z = plan.layer_block(k, "z").ref
    if measure == "saturated":
        act = layer_names(k)["activation"]
        band = place.threshold(BAND).cell_ref()
        text = "0"
        for name, entry in reversed(ACTIVATIONS_TABLE.items()):
            if entry.bounds is None:
                continue
            lo, hi = entry.bounds
            width = f"{band}*({hi:g}-({lo:g}))"
            share = f"SUMPRODUCT(({z}<{lo:g}+{width})+({z}>{hi:g}-{width}))/COUNT({z})"
            text = f'IF({act}="{name}",{share},{text})'
        return text
    if measure == "std":
        return plan.stat_block("std").cell_ref(0, k - 1)
    if measure == "dead":
        return plan.stat_block("dead").cell_ref(0, k - 1)
    if measure == "signal_gain":
        std = plan.stat_block("std")
        now, before = std.cell_ref(0, k - 1), std.cell_ref(0, k - 2)
        return f"IF({before}=0,1,{now}/{before})"
    g = plan.stat_block("mean_abs", "grad_")
    now, after = g.cell_ref(0, k - 1), g.cell_ref(0, k)
    return f"IF({after}=0,1,{now}/{after})"


def _test(place: Place, t: Threshold, value: str) -> str:
    """``value > threshold`` (or ``<``) with the threshold cell."""
    return f"({value}{'>' if t.above else '<'}{place.threshold(t.key).cell_ref()})"


def local_test(place: Place, t: Threshold, row: int, col: int) -> str:
    """``_test`` of one cell for a conditional format on the Dashboard (no sheet name:
    Excel 2007 allows none in a conditional format's formula)."""
    thr = place.threshold(t.key)
    return f"{cell(row, col)}{'>' if t.above else '<'}{cell(thr.row, thr.col, True)}"


def layer_count_formula(place: Place, k: int) -> str:
    """How many findings fire in layer k (the cell's number format words it)."""
    tests = [_test(place, t, place.measure(t.measure).cell_ref(0, k - 1))
             for t in findings(place.backward, place.layers)
             if k in layers_of(t.measure, place.layers)]
    return "+".join(tests)


def _row_ref(place: Place, measure: str) -> tuple[str, int]:
    """The measure's cells that hold numbers, and the layer of the first."""
    b = place.measure(measure)
    ks = layers_of(measure, place.layers)
    return Block(b.name, b.sheet, b.row, b.col + ks[0] - 1, 1, len(ks), b.kind).ref, ks[0]


def worst_formula(place: Place, t: Threshold) -> str:
    """The worst layer's number of a finding: the largest (or smallest) of its row."""
    row, _ = _row_ref(place, t.measure)
    return f"{'MAX' if t.above else 'MIN'}({row})"


def fires_formula(place: Place, t: Threshold) -> str:
    """1 when the finding fires, else 0 (the Found and Try this cells; their number formats
    show the words: a number, unlike a text, reads an overflow alike in every engine)."""
    return f"IF({_test(place, t, place.worst(t.key).cell_ref())},1,0)"


def layer_formula(place: Place, t: Threshold) -> str:
    """The layer of the worst number."""
    row, first = _row_ref(place, t.measure)
    return f"MATCH({place.worst(t.key).cell_ref()},{row},0)+{first - 1}"


def count_formula(place: Place) -> str:
    """How many findings fire (the overall line; its number format words it)."""
    return "+".join(_test(place, t, place.worst(t.key).cell_ref())
                    for t in findings(place.backward, place.layers))


def _literal(text: str) -> str:
    """Text as a literal part of a number format."""
    return '"' + text.replace('"', "'") + '"'


def words_format(one: str, zero: str) -> str:
    """A number format showing ``one`` for a positive number and ``zero`` for 0."""
    return f"{_literal(one)};{_literal(one)};{_literal(zero)}"


def count_format(some: str, none: str) -> str:
    """A number format showing ``some`` (its ``{n}`` the number) or, for 0, ``none``."""
    before, after = some.split("{n}")
    shown = (_literal(before) if before else "") + "0" + (_literal(after) if after else "")
    return f"{shown};{shown};{_literal(none)}"


# --- cached values: the same numbers from the reference model, with NumPy -------------


def numbers(settings: Any, reference: dict[str, np.ndarray]) -> dict[str, list[float | None]]:
    """Per measure, one number per layer (None where the measure has none)."""
    L = settings.layers
    band = THRESHOLDS[0].value
    std = [float(v) for v in reference["stat_std"].ravel()]
    dead = [float(v) for v in reference["stat_dead"].ravel()]
    out: dict[str, list[float | None]] = {m: [None] * L for m in measures(settings.backward)}
    for k in range(1, L + 1):
        z = reference[f"L{k}_z"]
        finite = bool(np.isfinite(z).all())  # an overflowed output is an error in the sheet
        bounds = ACTIVATIONS_TABLE[settings.activation_of(k)].bounds
        if bounds is None:
            out["saturated"][k - 1] = 0.0
        elif not finite:
            out["saturated"][k - 1] = np.nan
        else:
            lo, hi = bounds
            width = band * (hi - lo)
            out["saturated"][k - 1] = float(np.count_nonzero((z < lo + width) | (z > hi - width))
                                            / z.size)
        out["std"][k - 1] = std[k - 1]
        out["dead"][k - 1] = dead[k - 1]
        if k >= 2:
            out["signal_gain"][k - 1] = 1.0 if std[k - 2] == 0 else std[k - 1] / std[k - 2]
    if settings.backward:
        g = [float(v) for v in reference["grad_stat_mean_abs"].ravel()]
        for k in range(1, L):
            out["grad_gain"][k - 1] = 1.0 if g[k] == 0 else g[k - 1] / g[k]
    return out


@dataclass(frozen=True)
class Verdict:
    """One finding as the model sees it: its worst number and layer, and whether it fires
    (None, and a NaN number and layer, when a number is an error: an overflow)."""

    worst: float
    layer: float
    fires: bool | None


def verdicts(settings: Any, nums: dict[str, list[float | None]]) -> dict[str, Verdict]:
    """Each finding's worst layer and whether it fires (None when a number is an error)."""
    out = {}
    for t in findings(settings.backward, settings.layers):
        row = nums[t.measure]
        present = [(v, k) for k, v in enumerate(row, 1) if v is not None]
        if any(not np.isfinite(v) for v, _ in present):  # MAX and MIN pass an error on
            out[t.key] = Verdict(np.nan, np.nan, None)
            continue
        pick = max if t.above else min
        worst = pick(v for v, _ in present)
        layer = next(k for v, k in present if v == worst)
        out[t.key] = Verdict(worst, float(layer),
                             worst > t.value if t.above else worst < t.value)
    return out


def fires_in_layer(settings: Any, nums: dict[str, list[float | None]],
                   k: int) -> list[str] | None:
    """The findings that fire in layer k, in table order; None if a number is an error."""
    hit = []
    for t in findings(settings.backward, settings.layers):
        v = nums[t.measure][k - 1]
        if v is None:
            continue
        if not np.isfinite(v):
            return None
        if v > t.value if t.above else v < t.value:
            hit.append(t.key)
    return hit
