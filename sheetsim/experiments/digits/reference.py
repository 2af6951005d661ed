"""The reference model's value of every formula block, by block name.

One mapping serves both sides: ``build`` writes these numbers as cached values, and
``verify`` compares the evaluator with them after running the model on the file's own
controls and draws. It is computed from ``model`` and ``data``, never from formula text.
The images themselves are constants of the file: the model reads the shipped data set, so
a changed pixel in a file shows as a disagreement wherever the pixel is used.
"""

from __future__ import annotations

import numpy as np

from sheetsim.experiments.base import Reference
from sheetsim.experiments.common.draws import uniform_draws
from sheetsim.experiments.common.logaxis import shown
from sheetsim.experiments.digits import data, model, texts
from sheetsim.experiments.digits.layout import (
    CHOICES,
    SHOWN_DIGITS,
    SIDE,
    STATE_GROUP,
    DigitsPlan,
    block_name,
)
from sheetsim.experiments.digits.settings import Settings

BATCH_STREAM = 2
"""Draw stream of the batches; layer k's initial weights use stream 10 + k."""


def draws(exp: Settings, plan: DigitsPlan) -> Reference:
    """The seeded uniform draws of every ``uniform`` block."""
    out: Reference = {}
    for name, b in plan.blocks.items():
        if b.kind == "uniform":
            stream = BATCH_STREAM if name == "u_batch" else 10 + int(name.removeprefix("u_w"))
            out[name] = uniform_draws(exp.seed, stream, (b.rows, b.cols))
    return out


def hyper(exp: Settings) -> model.Hyper:
    """What the model's training loop needs of the settings."""
    return model.Hyper(exp.hidden, exp.loss, exp.activation, exp.optimizer, exp.lr, exp.clip,
                       exp.warmup, exp.lars, exp.momentum, exp.rho, exp.beta1, exp.beta2,
                       exp.eps, exp.leaky_slope, exp.batch_norm, exp.residual)


def sets(exp: Settings) -> dict[str, np.ndarray]:
    """The training and test images and labels of the workbook's split."""
    images, labels = data.load()
    s = data.split(exp.seed, exp.train_size, exp.test_size)
    return {"train_rows": s.train, "test_rows": s.test, "x": images[s.train],
            "y": labels[s.train], "xt": images[s.test], "yt": labels[s.test]}


def run(exp: Settings, plan: DigitsPlan, u: Reference) -> model.Run:
    """Train on the draws ``u`` with the settings ``exp`` (the file's controls)."""
    d = sets(plan.settings)
    weights = [u[f"u_w{k}"] for k in range(1, plan.count + 1)]
    params0 = model.initial(weights, exp.init, exp.sigma)
    return model.train(hyper(exp), params0, d["x"], d["y"], d["xt"], d["yt"], u["u_batch"],
                       plan.settings.eval_every)


def reference(exp: Settings, plan: DigitsPlan, u: Reference) -> Reference:
    """Every formula block, for the settings ``exp`` on the draws ``u``."""
    r = run(exp, plan, u)
    d = sets(plan.settings)
    out: Reference = dict(u)  # the draws are written as they are
    with np.errstate(all="ignore"):
        chosen = (exp.loss, exp.activation, exp.init, exp.optimizer)
        out["indices"] = np.array([[names.index(c) + 1 for names, c in zip(CHOICES, chosen,
                                                                           strict=True)]],
                                  dtype=np.float64)
        out["rows"] = r.rows
        x_all, y_all = d["x"] / 16.0, model.one_hot(d["y"])
        for t in range(plan.settings.steps + 1):
            idx = r.rows[t].astype(int) - 1
            out[block_name(t, "x")] = x_all[idx]
            out[block_name(t, "y")] = y_all[idx]
            _step(plan, r, t, out)
        for t in plan.evals:
            _test(plan, r.tests[t], t, out)
        _steps(plan, r, d, out)
        _dashboard(exp, plan, r, d, out)
    return out


def _pass(plan: DigitsPlan, fw: model.Pass, t: int, prefix: str, out: Reference) -> None:
    for k in range(1, plan.count):
        out[block_name(t, f"{prefix}a{k}")] = fw.acts[k - 1]
    out[block_name(t, f"{prefix}out")] = fw.out
    out[block_name(t, f"{prefix}top")] = fw.top
    out[block_name(t, f"{prefix}pred")] = fw.pred
    out[block_name(t, f"{prefix}ls")] = fw.losses


def _step(plan: DigitsPlan, r: model.Run, t: int, out: Reference) -> None:
    for k in range(1, plan.count + 1):
        p, g = r.params[t][k - 1], r.back[t].grads[k - 1]
        out[block_name(t, "p", k)] = p if t else p[:-1]
        out[block_name(t, "gw", k)] = g[:-1]
        out[block_name(t, "gb", k)] = g[-1:]
        if t:
            for group in ("m", "v"):
                kept = [s for s in r.states[t] if STATE_GROUP[s] == group]
                out[block_name(t, group, k)] = (r.states[t][kept[0]][k - 1] if kept
                                                else np.zeros_like(p))
        out[block_name(t, f"d{k}")] = r.back[t].deltas[k - 1]
    fw = r.train[t]
    _pass(plan, fw, t, "", out)
    out[block_name(t, "p")] = fw.p
    for k in range(1, plan.count):
        if plan.keeps_ga:
            out[block_name(t, f"ga{k}")] = r.back[t].ga[k - 1]
        if plan.settings.batch_norm:
            out[block_name(t, f"z{k}")] = fw.z[k - 1]
            out[block_name(t, f"mu{k}")] = fw.mu[k - 1]
            out[block_name(t, f"var{k}")] = fw.var[k - 1]
            out[block_name(t, f"zh{k}")] = fw.zhat[k - 1]


def _test(plan: DigitsPlan, fw: model.Pass, t: int, out: Reference) -> None:
    _pass(plan, fw, t, "t", out)


def accuracy(pred: np.ndarray, labels: np.ndarray) -> float:
    """The share of rows whose prediction is the label (nan once a prediction is)."""
    if not np.all(np.isfinite(pred)):
        return np.nan
    return float(np.mean(pred[:, 0] == labels))


def _steps(plan: DigitsPlan, r: model.Run, d: dict, out: Reference) -> None:
    steps = plan.settings.steps
    test_loss = {t: float(np.mean(r.tests[t].losses)) for t in plan.evals}
    loss = np.zeros((steps + 1, 2))
    for t in range(steps + 1):
        loss[t, 0] = np.mean(r.train[t].losses)
        loss[t, 1] = test_loss[t] if t in test_loss else loss[t - 1, 1]
    norms = np.array(r.norms, dtype=np.float64)
    out["lr"] = np.array(r.lr, dtype=np.float64).reshape(-1, 1)
    out["loss"] = model.finite(loss)
    out["grad_norm"] = norms
    out["clipping"] = np.column_stack([r.total, r.clip])
    out["lars"] = np.array(r.lars, dtype=np.float64)
    out["norm_chart"] = shown(norms)
    batch_labels = d["y"][r.rows.astype(int) - 1]
    out["accuracy"] = np.array([[accuracy(r.train[t].pred, batch_labels[t]),
                                 accuracy(r.tests[t].pred, d["yt"])] for t in plan.evals])
    out["test_loss"] = model.finite(np.array([[test_loss[t]] for t in plan.evals]))


def _dashboard(exp: Settings, plan: DigitsPlan, r: model.Run, d: dict, out: Reference) -> None:
    t = texts.for_lang(exp.lang)
    a, b, c, e = t.subtitle
    out["dash_subtitle"] = np.array(
        [[f"{a}{exp.loss}{b}{exp.activation}{c}{exp.init}{e}{exp.optimizer}"]], dtype=object)
    last = plan.settings.steps
    loss, acc, norms = out["loss"], out["accuracy"], out["grad_norm"]
    rows = [(loss, 0, last), (loss, 1, last), (acc, 0, -1), (acc, 1, -1), (norms, 0, last),
            (norms, plan.count - 1, last)]
    out["summary"] = np.array([[block[0, j], block[end, j]] for block, j, end in rows],
                              dtype=np.float64)
    out["settings_shown"] = np.array([[exp.lr], [exp.sigma], [exp.clip], [float(exp.warmup)],
                                      [exp.lars]])
    final = r.tests[last]
    for i, row in enumerate(data.shown_rows(d["yt"], min(SHOWN_DIGITS, len(d["yt"])))):
        out[f"digit{i}"] = d["xt"][row].reshape(SIDE, SIDE)
        if exp.loss == "ce":
            prob = 1.0 / np.sum(np.exp(final.out[row] - final.top[row, 0]))
        else:
            prob = (1.0 + np.tanh(final.top[row, 0] / 2.0)) / 2.0
        out[f"digit{i}_pred"] = final.pred[row:row + 1]
        out[f"digit{i}_prob"] = model.finite(np.array([[prob]]))
    w1 = r.params[last][0]
    for j in range(plan.shown_units):
        out[f"unit{j}"] = w1[:SIDE * SIDE, j].reshape(SIDE, SIDE)
    labels, guess = d["yt"], final.pred[:, 0]
    out["confusion"] = np.array([[np.sum((labels == i) & (guess == j)) for j in range(10)]
                                 for i in range(10)], dtype=np.float64)
