"""The weight initializers: one table, every entry complete, and how a weight is made from
a uniform draw.

Each entry gives both sides of one definition, written independently from the mathematics:
the formula text of its σ (or its limit) and the model's value of it. Every weight is a
function of one uniform draw u in (0, 1): NORM.S.INV(u)·σ for a normal initializer,
(2u − 1)·limit for a uniform one, so one set of stored draws serves every initializer and
switching it in the workbook needs no new file. Adding an initializer is one entry here
plus its words in each experiment's ``texts``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from sheetsim.experiments.common.draws import norm_inv
from sheetsim.experiments.common.functions import NORM_S_INV

Text = Callable[..., str]


@dataclass(frozen=True)
class Initializer:
    """How a layer's weights are drawn: a distribution and its scale."""

    distribution: str
    """"normal" (NORM.S.INV(u) · σ) or "uniform" ((2u − 1) · limit)."""
    scale_formula: Text
    """(fan-in, fan-out, σ name) → formula text of σ or the limit."""
    scale: Callable[[float, int, int], float]
    """(σ, fan-in, fan-out) → σ or the limit, for the model."""


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
    # every weight 0: each unit of a layer computes the same thing (the symmetry problem)
    "zeros": Initializer("normal", lambda fi, fo, s: "0", lambda s, fi, fo: 0.0),
}

INITS = tuple(INITIALIZERS)
"""The initializers' names, in the order of every dropdown and formula that picks one;
``xavier`` is σ = 1/√fan-in as in the article."""
UNIFORM_INITS = tuple(k for k, v in INITIALIZERS.items() if v.distribution == "uniform")


def distribution(init: str) -> str:
    """"normal" or "uniform": how the initializer turns a draw into a weight."""
    return INITIALIZERS[init].distribution


def from_draws(distribution: str, u: str, scale: str) -> str:
    """Formula text of weights from the uniform draws ``u`` and the scale ``scale`` (an
    operand): NORM.S.INV(u)·σ, or (2u − 1)·limit for a uniform distribution."""
    if distribution == "uniform":
        return f"(2*{u}-1)*{scale}"
    return f"{NORM_S_INV}({u})*{scale}"


def scale_for(init: str, sigma: float, fan_in: int, fan_out: int) -> float:
    """σ for normal initializers, the limit for uniform ones."""
    return INITIALIZERS[init].scale(sigma, fan_in, fan_out)


def std_of_weights(init: str, scale: float) -> float:
    """Standard deviation of the weights: a uniform on ±limit has std limit/√3."""
    return scale / math.sqrt(3) if init in UNIFORM_INITS else scale


def weights_from(init: str, scale: float, u: np.ndarray) -> np.ndarray:
    """Weights from uniform draws: uniform on ±scale, else normal with σ = scale."""
    if init in UNIFORM_INITS:
        return (2 * u - 1) * scale
    return norm_inv(u) * scale
