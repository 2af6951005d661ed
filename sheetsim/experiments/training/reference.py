"""The reference model's value of every formula block, by block name.

One mapping serves both sides: ``build`` writes these numbers as cached values, and
``verify`` compares the evaluator with them after running the model on the file's own
controls and draws. It is computed from ``model``, never from formula text.
"""

from __future__ import annotations

import numpy as np

from sheetsim.experiments.base import Reference
from sheetsim.experiments.common.draws import uniform_draws
from sheetsim.experiments.common.logaxis import shown
from sheetsim.experiments.training import model, texts
from sheetsim.experiments.training.layout import (
    CHOICES,
    GRID,
    GRID_HIGH,
    GRID_LOW,
    HIDDEN,
    STATE_GROUP,
    TrainingPlan,
    block_name,
)
from sheetsim.experiments.training.settings import Settings

STREAMS = {"u_train": 1, "u_test": 2}
"""Draw streams of the data; layer k's initial weights use stream 10 + k."""


def draws(exp: Settings, plan: TrainingPlan) -> Reference:
    """The seeded uniform draws of every ``uniform`` block."""
    out: Reference = {}
    for name, b in plan.blocks.items():
        if b.kind == "uniform":
            stream = STREAMS.get(name) or 10 + int(name.removeprefix("u_w"))
            out[name] = uniform_draws(exp.seed, stream, (b.rows, b.cols))
    return out


def hyper(exp: Settings) -> model.Hyper:
    """What the model's training loop needs of the settings."""
    return model.Hyper(exp.activation, exp.optimizer, exp.lr, exp.clip, exp.warmup,
                       exp.momentum, exp.beta1, exp.beta2, exp.eps, exp.rho, exp.leaky_slope)


def run(exp: Settings, plan: TrainingPlan, u: Reference) -> tuple[model.Run, dict]:
    """Train on the draws ``u`` with the settings ``exp`` (the file's controls) for the
    plan's steps; returns the run and the data."""
    x, y = model.points(u["u_train"], exp.spread)
    xt, yt = model.points(u["u_test"], exp.spread)
    weights = [u[f"u_w{k}"] for k in range(1, plan.count + 1)]
    params0 = model.initial(weights, exp.init, exp.sigma)
    r = model.train(params0, x, y, xt, yt, hyper(exp), plan.settings.steps)
    return r, {"x": x, "y": y, "xt": xt, "yt": yt}


def grid_points() -> np.ndarray:
    """The decision-boundary grid: x₁ along rows of the grid, x₂ within them."""
    k = np.arange(GRID, dtype=np.float64)
    v = GRID_LOW + (GRID_HIGH - GRID_LOW) * k / (GRID - 1)
    return np.column_stack([np.repeat(v, GRID), np.tile(v, GRID)])


def reference(exp: Settings, plan: TrainingPlan, u: Reference) -> Reference:
    """Every formula block, for the settings ``exp`` on the draws ``u``."""
    r, data = run(exp, plan, u)
    out: Reference = dict(u)  # the draws are written as they are
    with np.errstate(all="ignore"):
        chosen = (exp.activation, exp.init, exp.optimizer)
        out["indices"] = np.array([[names.index(c) + 1 for names, c in zip(CHOICES, chosen,
                                                                           strict=True)]],
                                  dtype=np.float64)
        out["x_train"], out["x_test"] = data["x"], data["xt"]
        ones = data["y"][:, 0] == 1
        x2 = data["x"][:, 1]
        out["train_shown"] = np.column_stack([np.where(ones, x2, HIDDEN),
                                              np.where(ones, HIDDEN, x2)])
        for t in range(plan.settings.steps + 1):
            _step(plan, r, t, out)
        _steps(plan, r, data, out)
        _grid(exp, plan, r, out)
        _dashboard(exp, plan, out)
    return out


def _step(plan: TrainingPlan, r: model.Run, t: int, out: Reference) -> None:
    for k in range(1, plan.count + 1):
        p, g = r.params[t][k - 1], r.grads[t][k - 1]
        out[block_name(t, "p", k)] = p if t else p[:-1]
        out[block_name(t, "gw", k)] = g[:-1]
        out[block_name(t, "gb", k)] = g[-1:]
        if t:
            for group in ("m", "v"):
                kept = [s for s in r.states[t] if STATE_GROUP[s] == group]
                out[block_name(t, group, k)] = (r.states[t][kept[0]][k - 1] if kept
                                                else np.zeros_like(p))
        out[block_name(t, "d", k)] = r.deltas[t][k - 1]
    for fw, prefix in ((r.train[t], ""), (r.test[t], "t")):
        for k, a in enumerate(fw.acts, start=1):
            out[block_name(t, prefix + "a", k)] = a
        out[block_name(t, prefix + "z")] = fw.z
        out[block_name(t, prefix + "p")] = fw.p
        out[block_name(t, prefix + "ls")] = fw.losses


def _steps(plan: TrainingPlan, r: model.Run, data: dict, out: Reference) -> None:
    def accuracy(fw: model.Forward, y: np.ndarray) -> float:
        if not np.all(np.isfinite(fw.z)):
            return np.nan
        return float(np.mean((fw.z > 0) == (y > 0.5)))

    loss = np.array([[np.mean(a.losses), np.mean(b.losses)]
                     for a, b in zip(r.train, r.test, strict=True)])
    out["lr"] = r.lr.reshape(-1, 1)
    out["loss"] = model.finite(loss)
    out["accuracy"] = np.array([[accuracy(a, data["y"]), accuracy(b, data["yt"])]
                                for a, b in zip(r.train, r.test, strict=True)])
    out["grad_norm"] = r.norms
    out["clipping"] = np.column_stack([r.total, r.clip])
    out["loss_chart"] = shown(out["loss"])
    out["norm_chart"] = shown(r.norms)


def _grid(exp: Settings, plan: TrainingPlan, r: model.Run, out: Reference) -> None:
    g = grid_points()
    out["grid"] = g
    fw = model.forward(r.params[-1], g, np.zeros((g.shape[0], 1)), exp.activation,
                       exp.leaky_slope)
    for k, a in enumerate(fw.acts, start=1):
        out[f"grid_a{k}"] = a
    out["grid_z"] = fw.z
    z = fw.z[:, 0]
    with np.errstate(invalid="ignore"):
        one = z > 0
    bad = ~np.isfinite(z)
    first = np.where(one, g[:, 1], HIDDEN)
    second = np.where(one, HIDDEN, g[:, 1])
    out["grid_shown"] = np.column_stack([np.where(bad, np.nan, first),
                                         np.where(bad, np.nan, second)])


def _dashboard(exp: Settings, plan: TrainingPlan, out: Reference) -> None:
    t = texts.for_lang(exp.lang)
    a, b, c = t.subtitle
    out["dash_subtitle"] = np.array([[f"{a}{exp.activation}{b}{exp.init}{c}{exp.optimizer}"]],
                                    dtype=object)
    last = plan.settings.steps
    rows = [(out["loss"], 0), (out["loss"], 1), (out["accuracy"], 0), (out["accuracy"], 1),
            (out["grad_norm"], 0), (out["grad_norm"], plan.count - 1)]
    out["summary"] = np.array([[block[0, j], block[last, j]] for block, j in rows],
                              dtype=np.float64)
