"""The loss surfaces: one table, every entry complete (the optimizers are shared:
``experiments.common.optimizers``).

An entry gives both sides of one definition, written from the mathematics: the
spreadsheet's formula text of f, ∂f/∂x and ∂f/∂y, and the NumPy functions of the reference
model. Every surface has the form f(x, y) = g(x) + k·(y − m(x))², so its level curve
f = c is y = m(x) ± √((c − g(x)) / k) wherever g(x) ≤ c: the contours drawn under the
trajectories are computed from that, by formula, for whichever surface is chosen.

Formula builders take cell addresses (or parenthesized expressions) for x and y. They use
only + − × ÷, ABS, MAX, SIGN and TANH, and write powers as products (``x*x``): POWER and
``^`` go through pow(), which differs between engines in the last bit. No part overflows
unless the whole does, so every engine (and the model) turns the same cells into #NUM!.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

Text = Callable[..., str]
Array = np.ndarray


@dataclass(frozen=True)
class Surface:
    """A loss surface f(x, y) = g(x) + k·(y − m(x))² and where to look at it."""

    loss: Text
    """(x, y) → formula text of f."""
    grad_x: Text
    """(x, y) → formula text of ∂f/∂x."""
    grad_y: Text
    """(x, y) → formula text of ∂f/∂y."""
    base: Text
    """x → formula text of g(x), the loss along the valley floor y = m(x)."""
    floor: Text
    """x → formula text of m(x), the valley floor."""
    k: float
    """The curvature across the floor: f = g + k·(y − m)²."""
    f: Callable[[Array, Array], Array]
    grad: Callable[[Array, Array], tuple[Array, Array]]
    g: Callable[[Array], Array]
    m: Callable[[Array], Array]
    start: tuple[float, float]
    """Where the paths start unless the settings say otherwise."""
    view: tuple[float, float, float, float]
    """The window of the trajectory chart: x from, x to, y from, y to. The chart's axes
    scale themselves (so they follow the surface chosen in the sheet); a window a little
    inside round numbers makes them settle on those round numbers."""
    levels: tuple[float, ...]
    """The loss values of the level curves drawn."""


def _p(v: str) -> str:
    """An argument as an operand: a cell address as it is, an expression in parentheses."""
    return v if v.replace("$", "").replace("!", "").replace("_", "").isalnum() else f"({v})"


# ---------------------------------------------------------------------------- the bowl
# The textbook's comparison: f = x²/20 + y², twenty times steeper across than along.

BOWL_CURVATURE = (0.1, 2.0)
"""The bowl's second derivatives in x and in y."""


def _bowl_f(x: Array, y: Array) -> Array:
    return x * x / 20 + y * y


def _bowl_grad(x: Array, y: Array) -> tuple[Array, Array]:
    return x / 10, 2 * y


# ----------------------------------------------------------------------- two minima
# g(x) = x⁴/4 + x³/3 − x² + 8/3, g′(x) = x(x + 2)(x − 1): a global minimum at x = −2
# (f = 0), a local one at x = 1 (f = 9/4) and between them a ridge at x = 0 (f = 8/3).
# g is written factored, (x + 2)²(3x² − 8x + 8)/12: the expanded sum cancels near x = −2
# (to about 9 % at a loss of 1e-14), the product keeps full relative precision.

def _two_g(x: Array) -> Array:
    return (x + 2) * (x + 2) * (3 * x * x - 8 * x + 8) / 12


def _two_base(x: str) -> str:
    return f"({_p(x)}+2)*({_p(x)}+2)*(3*{_p(x)}*{_p(x)}-8*{_p(x)}+8)/12"


def _two_f(x: Array, y: Array) -> Array:
    return _two_g(x) + y * y


def _two_grad(x: Array, y: Array) -> tuple[Array, Array]:
    return x * (x + 2) * (x - 1), 2 * y


# -------------------------------------------------------------------------- plateau
# g(x) = tanh²(x) + max(0, |x| − 5)²: a well at 0, then a shelf at height ≈ 1 where tanh
# saturates as a sigmoid neuron does: its slope 2·tanh(x)·(1 − tanh²(x)) falls from 0.05 at
# x = 2.5 to 0.0004 at x = 5, never to 0, so the shelf is no minimum. Beyond x = 5 a wall.
# Every part stays finite for any finite x (TANH never overflows).

PLATEAU_WALL = 5.0
PLATEAU_EDGE = 2.0
"""A path has left the plateau once x < 2 (there g = 0.93 and the slope is 0.14)."""


def _plateau_g(x: Array) -> Array:
    t = np.tanh(x)
    wall = np.maximum(0.0, np.abs(x) - PLATEAU_WALL)
    return t * t + wall * wall


def _plateau_f(x: Array, y: Array) -> Array:
    return _plateau_g(x) + y * y


def _plateau_grad(x: Array, y: Array) -> tuple[Array, Array]:
    t = np.tanh(x)
    wall = np.maximum(0.0, np.abs(x) - PLATEAU_WALL)
    return 2 * t * (1 - t * t) + 2 * np.sign(x) * wall, 2 * y


def _plateau_wall(x: str) -> str:
    return f"MAX(0,ABS({x})-{PLATEAU_WALL:g})"


def _plateau_base(x: str) -> str:
    return f"TANH({x})*TANH({x})+{_plateau_wall(x)}*{_plateau_wall(x)}"


# --------------------------------------------------------------------------- valley
# Rosenbrock's banana, f = (1 − x)² + 10(y − x²)²: a narrow valley along the parabola
# y = x² whose floor falls slowly to the minimum at (1, 1).

VALLEY_K = 10.0


def _valley_f(x: Array, y: Array) -> Array:
    return (1 - x) * (1 - x) + VALLEY_K * (y - x * x) * (y - x * x)


def _valley_grad(x: Array, y: Array) -> tuple[Array, Array]:
    return 2 * (x - 1) - 4 * VALLEY_K * x * (y - x * x), 2 * VALLEY_K * (y - x * x)


def _zero(x: Array) -> Array:
    return np.zeros_like(np.asarray(x, dtype=np.float64))


SURFACES: dict[str, Surface] = {
    "bowl": Surface(
        loss=lambda x, y: f"{_p(x)}*{_p(x)}/20+{_p(y)}*{_p(y)}",
        grad_x=lambda x, y: f"{_p(x)}/10",
        grad_y=lambda x, y: f"2*{_p(y)}",
        base=lambda x: f"{_p(x)}*{_p(x)}/20",
        floor=lambda x: "0",
        k=1.0,
        f=_bowl_f, grad=_bowl_grad, g=lambda x: x * x / 20, m=_zero,
        start=(-7.0, 2.0),
        view=(-9.0, 9.0, -4.5, 4.5),
        levels=(0.2, 0.5, 1.0, 2.0, 4.0, 7.0, 11.0, 16.0),
    ),
    "two_minima": Surface(
        loss=lambda x, y: f"{_two_base(x)}+{_p(y)}*{_p(y)}",
        grad_x=lambda x, y: f"{_p(x)}*({_p(x)}+2)*({_p(x)}-1)",
        grad_y=lambda x, y: f"2*{_p(y)}",
        base=_two_base,
        floor=lambda x: "0",
        k=1.0,
        f=_two_f, grad=_two_grad, g=_two_g, m=_zero,
        start=(2.5, 1.0),
        view=(-3.6, 3.6, -1.8, 1.8),
        levels=(0.3, 1.0, 2.0, 2.35, 2.667, 3.5, 5.0, 8.0),
    ),
    "plateau": Surface(
        loss=lambda x, y: f"{_plateau_base(x)}+{_p(y)}*{_p(y)}",
        grad_x=lambda x, y: (f"2*TANH({x})*(1-TANH({x})*TANH({x}))"
                             f"+2*SIGN({x})*{_plateau_wall(x)}"),
        grad_y=lambda x, y: f"2*{_p(y)}",
        base=_plateau_base,
        floor=lambda x: "0",
        k=1.0,
        f=_plateau_f, grad=_plateau_grad, g=_plateau_g, m=_zero,
        start=(6.0, 1.0),
        view=(-1.8, 6.8, -1.8, 1.8),
        levels=(0.1, 0.4, 0.8, 0.95, 0.99, 1.2, 2.0, 3.0),
    ),
    "valley": Surface(
        loss=lambda x, y: (f"(1-{_p(x)})*(1-{_p(x)})+{VALLEY_K:g}*({_p(y)}-{_p(x)}*{_p(x)})"
                           f"*({_p(y)}-{_p(x)}*{_p(x)})"),
        grad_x=lambda x, y: (f"2*({_p(x)}-1)-{4 * VALLEY_K:g}*{_p(x)}"
                             f"*({_p(y)}-{_p(x)}*{_p(x)})"),
        grad_y=lambda x, y: f"{2 * VALLEY_K:g}*({_p(y)}-{_p(x)}*{_p(x)})",
        base=lambda x: f"(1-{_p(x)})*(1-{_p(x)})",
        floor=lambda x: f"{_p(x)}*{_p(x)}",
        k=VALLEY_K,
        f=_valley_f, grad=_valley_grad, g=lambda x: (1 - x) * (1 - x), m=lambda x: x * x,
        start=(-1.5, 2.0),
        view=(-1.8, 1.8, -0.8, 2.8),
        levels=(0.1, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0),
    ),
}
SURFACE_NAMES = tuple(SURFACES)
LEVELS = 8
"""Level curves per surface (every surface lists this many)."""
