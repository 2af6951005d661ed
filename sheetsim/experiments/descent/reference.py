"""The reference model's value of every formula block, by block name.

One mapping serves both sides: ``build`` writes these numbers as cached values, and
``verify`` compares the evaluator with them after running the model on the file's own
controls. It is computed from ``model`` and the catalog's NumPy functions, never from
formula text. There are no random draws: every number follows from the controls.
"""

from __future__ import annotations

import numpy as np

from sheetsim.experiments.base import Reference
from sheetsim.experiments.common.logaxis import shown
from sheetsim.experiments.common.overflow import finite
from sheetsim.experiments.descent import model, texts
from sheetsim.experiments.descent.catalog import (
    PLATEAU_EDGE,
    SURFACE_NAMES,
    SURFACES,
)
from sheetsim.experiments.descent.layout import (
    CONTOUR_POINTS,
    MINIMA_LRS,
    MINIMA_STARTS,
    SWEEP_POINTS,
    DescentPlan,
    path_columns,
    plateau_columns,
    sweep_columns,
)
from sheetsim.experiments.descent.settings import Settings


def reference(exp: Settings, plan: DescentPlan) -> Reference:
    """Every block, for the settings ``exp`` (the file's controls) laid out as ``plan``
    (the file as built: its steps and optimizers)."""
    surface = SURFACES[exp.surface]
    x0, y0 = exp.start_of()
    steps = plan.settings.steps
    opts = plan.settings.optimizers
    out: Reference = {}
    with np.errstate(all="ignore"):  # diverging runs overflow, as the sheet's #NUM! shows
        out["selected"] = np.array([[SURFACE_NAMES.index(exp.surface) + 1, surface.k,
                                     *surface.view, x0, y0]], dtype=np.float64)
        out["levels"] = np.array([surface.levels], dtype=np.float64)
        out["contours"] = _contours(surface)
        for opt in opts:
            out[f"{opt}_path"] = _path(exp, opt, surface, x0, y0, steps)
        _sweep(exp, plan, surface, x0, y0, out)
        _minima(exp, plan, out)
        _plateau(exp, plan, out)
        _dashboard(exp, plan, out)
    return out


def _contours(surface) -> np.ndarray:
    """The grid x, g(x), m(x) and both branches of every level curve inside the window
    (NaN: not drawn)."""
    xmin, xmax, ymin, ymax = surface.view
    i = np.arange(CONTOUR_POINTS, dtype=np.float64)
    x = xmin + (xmax - xmin) * i / (CONTOUR_POINTS - 1)
    g, m = surface.g(x), surface.m(x)
    cols = [x, g, m]
    for c in surface.levels:
        room = np.sqrt(np.where(c >= g, (c - g) / surface.k, np.nan))
        for y in (m + room, m - room):
            cols.append(np.where(np.maximum(y - ymax, ymin - y) <= 0, y, np.nan))
    return np.column_stack(cols)


def _path(exp: Settings, opt: str, surface, x0: float, y0: float, steps: int) -> np.ndarray:
    r = model.run(opt, exp, surface.grad, x0, y0, exp.lr(opt), steps)
    x, y = r.x[:, 0], r.y[:, 0]
    loss = finite(surface.f(x, y))
    cdx, cdy = model.central_difference(surface, exp, x, y)
    xmin, xmax, ymin, ymax = surface.view
    cols = {
        "x": x, "y": y, "loss": loss, "gx": r.gx[:, 0], "gy": r.gy[:, 0], "cdx": cdx,
        "cdy": cdy, **{k: v[:, 0] for k, v in r.state.items()},
        "x_chart": np.maximum(xmin, np.minimum(xmax, x)),
        "y_chart": np.maximum(ymin, np.minimum(ymax, y)),
        "loss_chart": shown(loss),
    }
    if r.lr_t is not None:
        cols["lr_t"] = r.lr_t[:, 0]
    return np.column_stack([cols[c] for c in path_columns(opt)])


def _sweep(exp: Settings, plan: DescentPlan, surface, x0: float, y0: float,
           out: Reference) -> None:
    lrs = model.log_grid(exp.sweep_low, exp.sweep_high, SWEEP_POINTS)
    out["sweep_lrs"] = lrs.reshape(1, -1)
    finals = []
    for opt in plan.settings.optimizers:
        r = model.run(opt, exp, surface.grad, x0, y0, lrs, plan.analysis_steps)
        cols = {"x": r.x, "y": r.y, "gx": r.gx, "gy": r.gy, **r.state}
        names = sweep_columns(opt)
        out[f"{opt}_sweep"] = np.column_stack(
            [cols[name][:, k] for k in range(SWEEP_POINTS) for name in names])
        finals.append(finite(surface.f(r.x[-1], r.y[-1])))
    loss = np.array(finals)
    out["sweep_loss"] = loss
    out["sweep_shown"] = shown(loss)


def _minima(exp: Settings, plan: DescentPlan, out: Reference) -> None:
    """Plain gradient descent on two_minima from every start × learning rate."""
    starts = model.even_grid(exp.minima_x_low, exp.minima_x_high, MINIMA_STARTS)
    lrs = model.log_grid(exp.minima_lr_low, exp.minima_lr_high, MINIMA_LRS)
    out["minima_starts"] = starts.reshape(-1, 1)
    out["minima_lrs"] = lrs.reshape(1, -1)
    x0 = np.repeat(starts, MINIMA_LRS)
    lr = np.tile(lrs, MINIMA_STARTS)
    r = model.run("sgd", exp, SURFACES["two_minima"].grad, x0, 0.0, lr, plan.analysis_steps)
    out["minima_runs"] = r.x
    final = r.x[-1].reshape(MINIMA_STARTS, MINIMA_LRS)
    out["minima_final"] = final
    words = texts.for_lang(exp.lang).minima_classes
    out["minima_table"] = np.array([[_which(v, words) for v in row] for row in final],
                                   dtype=object)


def _which(x: float, words: dict[str, str]) -> str:
    """The minimum a run ended in: within 0.1 of x = −2 (global) or of x = 1 (local)."""
    if not np.isfinite(x) or abs(x) > 100:
        return words["diverged"]
    if abs(x + 2) < 0.1:
        return words["global"]
    if abs(x - 1) < 0.1:
        return words["local"]
    return words["neither"]


def _plateau(exp: Settings, plan: DescentPlan, out: Reference) -> None:
    """Each optimizer's x on the plateau from its start, and the step it leaves."""
    x0 = exp.start_plateau[0]
    grad = SURFACES["plateau"].grad
    cols, escape = [], []
    for opt in plan.settings.optimizers:
        r = model.run(opt, exp, grad, x0, 0.0, exp.lr(opt), plan.analysis_steps)
        x = r.x[:, 0]
        parts = {"x": x, "gx": r.gx[:, 0], "low": model.running_low(r.x)[:, 0],
                 **{k: v[:, 0] for k, v in r.state.items() if k.endswith("x")}}
        cols += [parts[name] for name in plateau_columns(opt)]
        escape.append(model.escape_step(r.x, PLATEAU_EDGE)[0])
    out["plateau_runs"] = np.column_stack(cols)
    out["plateau_escape"] = np.array([escape])


def _dashboard(exp: Settings, plan: DescentPlan, out: Reference) -> None:
    t = texts.for_lang(exp.lang)
    steps = plan.settings.steps
    out["dash_subtitle"] = np.array([[f"{t.subtitle[0]}{exp.surface}{t.subtitle[1]}{steps}"
                                      f"{t.subtitle[2]}"]], dtype=object)
    rows = []
    for opt in plan.settings.optimizers:
        p = out[f"{opt}_path"][-1]
        cols = path_columns(opt)
        rows.append([exp.lr(opt), p[cols.index("x")], p[cols.index("y")],
                     p[cols.index("loss")]])
    out["final"] = np.array(rows, dtype=np.float64)
    escape = out["plateau_escape"].ravel()
    last = plan.analysis_steps
    out["plateau_label"] = np.array(
        [[f"> {last}" if e > last else float(e)] for e in escape], dtype=object)
    out["dash_minima_lrs"] = out["minima_lrs"].copy()
    out["dash_minima_starts"] = out["minima_starts"].copy()
