"""The reference model's value of every formula block, by block name.

One mapping serves both sides: ``build`` writes these numbers as cached values, and
``verify`` compares the evaluator with them after running the model on the file's own
controls and draws. It is computed from ``model``, never from formula text.
"""

from __future__ import annotations

import numpy as np

from sheetsim.experiments.base import Reference
from sheetsim.experiments.common.draws import uniform_draws
from sheetsim.experiments.common.logaxis import GAP, positive, shown
from sheetsim.experiments.training import model, texts
from sheetsim.experiments.training.controls import KEYS
from sheetsim.experiments.training.layout import (
    CHOICES,
    DASH_SETTINGS,
    GRID,
    GRID_HIGH,
    GRID_LOW,
    GUIDE_FACTS,
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
        _steps(exp, plan, r, data, out)
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


def _steps(exp: Settings, plan: TrainingPlan, r: model.Run, data: dict, out: Reference
           ) -> None:
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
    out["norm_chart"] = positive(r.norms)
    on = exp.clip > 0  # the file's control, which the model runs on
    clipping = r.clip if on else np.ones_like(r.clip)
    after = positive(r.total * clipping) if on else np.full(len(r.total), GAP, object)
    threshold = np.full(len(r.total), exp.clip if on else GAP, dtype=object)
    out["global_chart"] = np.column_stack([positive(r.total), after,
                                           threshold])
    finite = np.all(np.isfinite(r.norms))
    above = r.norms[r.norms > 0] if finite else np.array([])
    floor = 10.0 ** (np.floor(np.log10(above.min())) - 1) if above.size else np.nan
    out["norm_floor"] = np.array([[floor]])
    zeros = np.full((len(r.norms), 1), GAP, dtype=object)
    zeros[np.any(r.norms == 0, axis=1), 0] = floor
    out["zero_chart"] = zeros
    out["ref_line"] = np.array([[0.0, np.log(2.0)], [plan.settings.steps, np.log(2.0)]])


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


def header(exp: Settings, words: dict[str, str]) -> str:
    """The Dashboard's header: the chosen names, clipping on or off, warm-up, steps."""
    parts = [words["act"].format(exp.activation), words["init"].format(exp.init),
             words["opt"].format(exp.optimizer),
             words["clip"] if exp.clip > 0 else words["noclip"],
             words["warm"].format(exp.warmup) if exp.warmup > 0 else words["nowarm"],
             words["steps"].format(exp.steps)]
    return words["sep"].join(parts)


def facts(exp: Settings, plan: TrainingPlan, out: Reference) -> np.ndarray:
    """The Guide's numbers about this run on the controls ``exp``, in the order of
    GUIDE_FACTS (one column)."""
    last = plan.settings.steps
    loss, acc, norms, lr = out["loss"], out["accuracy"], out["grad_norm"], out["lr"][:, 0]
    total, factor = out["clipping"][:, 0], out["clipping"][:, 1]
    scaled = total * factor
    top = np.max(total) if np.all(np.isfinite(total)) else np.nan
    values = {
        "sigma": exp.sigma, "clip": exp.clip,
        "loss_first": loss[0, 0], "loss_last": loss[last, 0], "test_loss_last": loss[last, 1],
        "ln2": np.log(2.0), "accuracy_last": acc[last, 0], "test_accuracy_last": acc[last, 1],
        "ratio": (np.nan if not np.isfinite(norms[0, -1]) else  # IF(b>0, a/b, 0)
                  norms[0, 0] / norms[0, -1] if norms[0, -1] > 0 else 0.0),
        "largest": top,
        "largest_at": float(np.argmax(total)) if np.isfinite(top) else np.nan,
        "largest_clipped": np.max(scaled) if np.all(np.isfinite(scaled)) else np.nan,
        "lr_first": lr[1], "lr_last": lr[last],
        "clipped": float(np.sum(factor[:-1] < 1)),
    }
    return np.array([[values[key]] for key in GUIDE_FACTS], dtype=np.float64)


def _dashboard(exp: Settings, plan: TrainingPlan, out: Reference) -> None:
    t = texts.for_lang(exp.lang)
    out["dash_subtitle"] = np.array([[header(exp, t.header)]], dtype=object)
    out["dash_settings"] = np.array([[float(getattr(exp, KEYS[name]))]
                                     for name in DASH_SETTINGS])
    last = plan.settings.steps
    total, factor = out["clipping"][:, 0], out["clipping"][:, 1]
    columns = [out["loss"][:, 0], out["loss"][:, 1], out["accuracy"][:, 0],
               out["accuracy"][:, 1], out["grad_norm"][:, 0], out["grad_norm"][:, -1], total,
               total * factor]
    out["summary"] = np.array([[c[0], c[last], np.max(c) if np.all(np.isfinite(c)) else np.nan]
                               for c in columns], dtype=np.float64)
    z = out["grid_z"][:, 0].reshape(GRID, GRID)  # [x₁ index, x₂ index]
    with np.errstate(all="ignore"):
        p = (1 + np.tanh(z / 2)) / 2
    out["dash_grid"] = p.T[::-1, :]  # rows: x₂ from the top down; columns: x₁
    out["guide_settings"] = np.array([[t.facts_settings.format(header(exp, t.header))]],
                                     dtype=object)
    out["guide_facts"] = facts(exp, plan, out)
