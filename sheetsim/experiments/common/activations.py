"""The activations: one table, every entry complete.

Each entry gives both sides of one definition, written independently from the mathematics:
the spreadsheet's formula text of f and of its slope f′, and the NumPy functions of the
reference models. A name exists only as a key here, so no side can fall back silently for
a name another side knows; a test checks every entry and its texts. Adding an activation is
one entry here plus its words in each experiment's ``texts``: every experiment with an
activation control offers the whole table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from sheetsim.experiments.common.overflow import errors_stay

Text = Callable[..., str]


@dataclass(frozen=True)
class Activation:
    """An activation f and its slope f′."""

    formula: Text
    """(input range, leaky-slope name) → formula text of f(input)."""
    slope_formula: Text
    """(input range, output range, leaky-slope name) → formula text of f′. Every entry
    also gives f′ when both ranges are the output (the slope's sign test then reads the
    output, which has the input's sign for a leaky slope ≥ 0)."""
    f: Callable[[np.ndarray, float], np.ndarray]
    """(input, leaky slope) → f(input), for the model."""
    slope: Callable[[np.ndarray, np.ndarray, float], np.ndarray]
    """(input, output, leaky slope) → f′(input), for the model."""
    bounds: tuple[float, float] | None = None
    """The interval a bounded activation maps every input into (its outputs crowd at the
    ends when it saturates); None for an unbounded one."""


ACTIVATIONS_TABLE: dict[str, Activation] = {
    # (1 + tanh(a/2)) / 2 equals 1/(1 + e^−a) but cannot overflow for very negative a
    "sigmoid": Activation(
        lambda a, slope: f"(1+TANH({a}/2))/2",
        lambda x, z, slope: f"{z}*(1-{z})",
        lambda a, slope: (1.0 + np.tanh(a / 2.0)) / 2.0,
        lambda x, z, slope: z * (1.0 - z),
        bounds=(0.0, 1.0),
    ),
    "tanh": Activation(
        lambda a, slope: f"TANH({a})",
        lambda x, z, slope: f"1-{z}^2",
        lambda a, slope: np.tanh(a),
        lambda x, z, slope: 1.0 - z * z,
        bounds=(-1.0, 1.0),
    ),
    "relu": Activation(
        lambda a, slope: f"IF({a}>0,{a},0)",
        lambda x, z, slope: f"({x}>0)*1",
        lambda a, slope: np.where(a > 0, a, 0.0),
        lambda x, z, slope: (x > 0).astype(np.float64),
    ),
    "leaky_relu": Activation(
        lambda a, slope: f"IF({a}>0,{a},{slope}*{a})",
        lambda x, z, slope: f"IF({x}>0,1,{slope})",
        lambda a, slope: np.where(a > 0, a, slope * a),
        lambda x, z, slope: np.where(x > 0, 1.0, slope),
    ),
    "identity": Activation(
        lambda a, slope: a,
        lambda x, z, slope: "1",
        lambda a, slope: a.copy(),
        lambda x, z, slope: np.ones_like(x),
    ),
}

ACTIVATIONS = tuple(ACTIVATIONS_TABLE)
"""The activations' names, in the order of every dropdown and formula that picks one."""


def activate(name: str, a: np.ndarray, leaky_slope: float = 0.01) -> np.ndarray:
    """f(a) of the named activation, elementwise; an overflowed input stays an error (nan).

    The sigmoid is the overflow-free form; like the workbook it gives exactly 0 below
    about −37, so "share exactly 0" means the same in the model and in the sheet."""
    return errors_stay(a, ACTIVATIONS_TABLE[name].f(a, leaky_slope))


def derivative(name: str, x: np.ndarray, z: np.ndarray, leaky_slope: float = 0.01) -> np.ndarray:
    """f′(x) of the named activation, from its input x or its output z = f(x); an
    overflowed input stays an error (nan)."""
    return errors_stay(x, ACTIVATIONS_TABLE[name].slope(x, z, leaky_slope))
