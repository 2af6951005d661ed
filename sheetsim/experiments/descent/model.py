"""The optimizer lab's runs in NumPy, written from the definitions (never from formula
text): the optimizers' steps (``experiments.common.optimizers``) on a loss surface, the
central differences, the grids and what the lab reads off the runs.

Runs are vectorized: ``lr``, ``x0`` and ``y0`` may be arrays of parallel runs. A value that
overflows becomes nan at once and stays nan, as a spreadsheet cell becomes #NUM! and passes
it on (``experiments.common.overflow``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from sheetsim.experiments.common.optimizers import OPTIMIZERS, adam_step_size, step
from sheetsim.experiments.common.overflow import finite
from sheetsim.experiments.descent.catalog import Surface
from sheetsim.experiments.descent.settings import Settings

Gradient = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


@dataclass
class Run:
    """Every step of a batch of parallel runs: arrays of shape (steps + 1, runs)."""

    x: np.ndarray
    y: np.ndarray
    gx: np.ndarray
    gy: np.ndarray
    state: dict[str, np.ndarray] = field(default_factory=dict)
    """``vx``, ``vy``, ``hx`` … by name, as the optimizer holds them after each step."""
    lr_t: np.ndarray | None = None
    """Adam's step size of each step (0 at step 0)."""
    ngx: np.ndarray | None = None
    ngy: np.ndarray | None = None
    """With gradient noise: the noisy gradient each step uses (the gradient plus the kick)."""


def run(opt: str, exp: Settings, grad: Gradient, x0: np.ndarray | float,
        y0: np.ndarray | float, lr: np.ndarray | float, steps: int,
        kick: tuple[np.ndarray, np.ndarray] | None = None) -> Run:
    """``steps`` steps of ``opt`` from (x0, y0), every step recorded (row 0 the start).

    ``kick``, if given, is the gradient noise σ·z in x and in y for every row (arrays of
    ``steps + 1`` rows, one column per run or one for all): each step uses the gradient
    plus the kick of its row."""
    lr = np.atleast_1d(np.asarray(lr, dtype=np.float64))
    x = np.broadcast_to(np.asarray(x0, dtype=np.float64), lr.shape).copy()
    y = np.broadcast_to(np.asarray(y0, dtype=np.float64), lr.shape).copy()
    names = OPTIMIZERS[opt].state
    states = {c: {s: np.zeros_like(x) for s in names} for c in "xy"}
    rows: dict[str, list[np.ndarray]] = {k: [] for k in ("x", "y", "gx", "gy", "lr_t",
                                                          "ngx", "ngy")}
    kept: dict[str, list[np.ndarray]] = {f"{s}{c}": [] for s in names for c in "xy"}
    lr_t = np.zeros_like(x)
    with np.errstate(all="ignore"):  # a diverging run overflows, on purpose
        for t in range(steps + 1):
            gx, gy = (finite(v) for v in grad(x, y))
            for key, value in (("x", x), ("y", y), ("gx", gx), ("gy", gy), ("lr_t", lr_t)):
                rows[key].append(value)
            if kick is not None:
                gx, gy = finite(gx + kick[0][t]), finite(gy + kick[1][t])
                rows["ngx"].append(gx)
                rows["ngy"].append(gy)
            for c in "xy":
                for s in names:
                    kept[f"{s}{c}"].append(states[c][s].copy())
            if t == steps:
                break
            lr_t = adam_step_size(exp, lr, t + 1) if opt == "adam" else lr_t
            x = step(opt, exp, lr, x, gx, states["x"], lr_t)
            y = step(opt, exp, lr, y, gy, states["y"], lr_t)
    out = {k: np.array(v) for k, v in rows.items()}
    return Run(out["x"], out["y"], out["gx"], out["gy"],
               {k: np.array(v) for k, v in kept.items()},
               out["lr_t"] if opt == "adam" else None,
               out["ngx"] if kick is not None else None,
               out["ngy"] if kick is not None else None)


def central_difference(surface: Surface, exp: Settings, x: np.ndarray,
                       y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(f(x + h, y) − f(x − h, y)) / 2h and the same in y, h = d·max(1, |coordinate|).

    With f = g(x) + k·(y − m(x))², the parts that do not change cancel exactly:
    in x, [g(x + h) − g(x − h) + k·((y − m(x + h))² − (y − m(x − h))²)] / 2h;
    in y, k·((y + h − m(x))² − (y − h − m(x))²) / 2h.
    """
    g, m, k = surface.g, surface.m, surface.k
    with np.errstate(all="ignore"):
        hx = exp.diff_step * np.maximum(1, np.abs(x))
        up, down = finite(x + hx), finite(x - hx)
        a, b = finite(y - m(up)), finite(y - m(down))
        across = finite(finite(a * a) - finite(b * b))
        cx = (finite(g(up)) - finite(g(down)) + k * across) / (2 * hx)
        hy = exp.diff_step * np.maximum(1, np.abs(y))
        mid = m(x)
        a, b = finite(y + hy - mid), finite(y - hy - mid)
        cy = k * finite(finite(a * a) - finite(b * b)) / (2 * hy)
    return finite(cx), finite(cy)


def log_grid(low: float, high: float, points: int) -> np.ndarray:
    """``points`` values from low to high, evenly spaced in log."""
    k = np.arange(points, dtype=np.float64)
    return low * np.power(np.float64(high / low), k / (points - 1))


def even_grid(low: float, high: float, points: int) -> np.ndarray:
    """``points`` evenly spaced values from low to high."""
    return low + (high - low) * np.arange(points, dtype=np.float64) / (points - 1)


def escape_step(x: np.ndarray, edge: float) -> np.ndarray:
    """Per run (columns of ``x``), the first step with x < edge, or len(x) if none; a
    step whose x overflowed does not count as leaving."""
    left = np.isfinite(x) & (x < edge)
    first = np.argmax(left, axis=0)
    return np.where(left.any(axis=0), first, x.shape[0]).astype(np.float64)


def running_low(x: np.ndarray) -> np.ndarray:
    """The lowest x so far, per column; overflowed steps keep the previous value."""
    out = np.empty_like(x)
    low = x[0].copy()
    for i in range(x.shape[0]):
        if i:
            low = np.where(np.isfinite(x[i]), np.minimum(low, x[i]), low)
        out[i] = low
    return out


def thrown_out(grad_x: Callable[[np.ndarray], np.ndarray], x0: float, lr: np.ndarray,
               kick: np.ndarray, steps: int, bound: float) -> np.ndarray:
    """Noisy SGD in x, parallel runs (columns): x ← x − lr·(g′(x) + kick of the step),
    where ``kick`` has a row per step. A run beyond ``bound`` has left both valleys: it
    stops there, as nan (the sheet's #N/A), and so does an overflow. Rows: step 0 … steps."""
    x = np.full(lr.shape, x0, dtype=np.float64)
    rows = [x]
    with np.errstate(all="ignore"):
        for t in range(steps):
            new = finite(x - lr * finite(grad_x(x) + kick[t]))
            x = np.where(np.abs(x) > bound, np.nan, new)
            rows.append(x)
    return np.array(rows)
