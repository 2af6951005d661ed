"""The initializers and activations: one table each, every entry complete.

Each entry gives both sides of one definition, written independently from the mathematics:
the spreadsheet's formula text and the NumPy function of the reference model (and, for an
activation, its derivative in both forms). A name exists only as a key here, so no side can
fall back silently for a name another side knows; a test checks every entry and its texts.
Adding an activation is one entry here plus its words in ``texts``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

Text = Callable[..., str]


@dataclass(frozen=True)
class Initializer:
    """How a layer's weights are drawn: a distribution and its scale."""

    distribution: str
    """"normal" (NORM.S.INV(u) · σ) or "uniform" ((2u − 1) · limit)."""
    scale_formula: Text
    """(fan-in cell, fan-out cell, σ name) → formula text of σ or the limit."""
    scale: Callable[[float, int, int], float]
    """(σ, fan-in, fan-out) → σ or the limit, for the model."""


@dataclass(frozen=True)
class Activation:
    """An activation f and its slope f′."""

    formula: Text
    """(input range, leaky-slope name) → formula text of f(input)."""
    slope_formula: Text
    """(input range, output range, leaky-slope name) → formula text of f′."""
    f: Callable[[np.ndarray, float], np.ndarray]
    """(input, leaky slope) → f(input), for the model."""
    slope: Callable[[np.ndarray, np.ndarray, float], np.ndarray]
    """(input, output, leaky slope) → f′(input), for the model."""
    bounds: tuple[float, float] | None = None
    """The interval a bounded activation maps every input into (its outputs crowd at the
    ends when it saturates); None for an unbounded one."""


INITIALIZERS: dict[str, Initializer] = {
    "normal": Initializer("normal", lambda fi, fo, s: s, lambda s, fi, fo: s),
    # the article's Xavier: σ = 1/√fan-in (Glorot's √(2/(in+out)) for square layers)
    "xavier": Initializer("normal", lambda fi, fo, s: f"1/SQRT({fi})",
                          lambda s, fi, fo: 1 / math.sqrt(fi)),
    "he": Initializer("normal", lambda fi, fo, s: f"SQRT(2/{fi})",
                      lambda s, fi, fo: math.sqrt(2 / fi)),
    "xavier_uniform": Initializer("uniform", lambda fi, fo, s: f"SQRT(6/({fi}+{fo}))",
                                  lambda s, fi, fo: math.sqrt(6 / (fi + fo))),
    "he_uniform": Initializer("uniform", lambda fi, fo, s: f"SQRT(6/{fi})",
                              lambda s, fi, fo: math.sqrt(6 / fi)),
    "lecun": Initializer("normal", lambda fi, fo, s: f"1/SQRT({fi})",
                         lambda s, fi, fo: 1 / math.sqrt(fi)),
}

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

INITS = tuple(INITIALIZERS)
"""Weight initializers; ``xavier`` is σ = 1/√fan_in as in the article."""
UNIFORM_INITS = tuple(k for k, v in INITIALIZERS.items() if v.distribution == "uniform")
ACTIVATIONS = tuple(ACTIVATIONS_TABLE)
SWITCH = ("on", "off")


def distribution(init: str) -> str:
    """"normal" or "uniform": how the initializer turns a draw into a weight."""
    return INITIALIZERS[init].distribution
