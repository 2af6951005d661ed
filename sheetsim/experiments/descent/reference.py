"""The reference model's value of every formula block, by block name.

One mapping serves both sides: ``build`` writes these numbers as cached values, and
``verify`` compares the evaluator with them after running the model on the file's own
controls. It is computed from ``model`` and the catalog's NumPy functions, never from
formula text. Without gradient noise there are no random draws and every number follows
from the controls; with it, from the controls and the file's uniform draws.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import numpy as np

from sheetsim.experiments.base import Reference
from sheetsim.experiments.common.draws import norm_inv, uniform_draws
from sheetsim.experiments.common.logaxis import shown
from sheetsim.experiments.common.optimizers import OPTIMIZERS
from sheetsim.experiments.common.overflow import finite
from sheetsim.experiments.descent import model, texts
from sheetsim.experiments.descent.catalog import (
    BOWL_CURVATURE,
    PLATEAU_EDGE,
    SURFACE_NAMES,
    SURFACES,
)
from sheetsim.experiments.descent.layout import (
    CONTOUR_POINTS,
    ESCAPE_BOUND,
    ESCAPE_EDGE,
    ESCAPE_LEVELS,
    ESCAPE_MAX_STEPS,
    ESCAPE_SEQUENCES,
    ESCAPE_START,
    MINIMA_LRS,
    MINIMA_STARTS,
    SWEEP_POINTS,
    DescentPlan,
    guide_rows,
    guide_sections,
    plateau_columns,
    sweep_columns,
)
from sheetsim.experiments.descent.settings import Settings
from sheetsim.experiments.descent.texts import Live

STREAMS = {"noise_u": 1, "escape_u": 2}
"""The draw stream of each block of uniform draws."""


def draws(exp: Settings, plan: DescentPlan) -> Reference:
    """The seeded uniform draws of every ``uniform`` block (none without noise)."""
    return {name: uniform_draws(exp.seed, STREAMS[name], (b.rows, b.cols))
            for name, b in plan.blocks.items() if b.kind == "uniform"}


def reference(exp: Settings, plan: DescentPlan, u: Reference | None = None) -> Reference:
    """Every block, for the settings ``exp`` (the file's controls) laid out as ``plan``
    (the file as built: its steps, optimizers and noise blocks), on the uniform draws
    ``u`` (the file's own)."""
    surface = SURFACES[exp.surface]
    x0, y0 = exp.start_of()
    steps = plan.settings.steps
    opts = plan.settings.optimizers
    out: Reference = {}
    kick = None
    if plan.noisy:
        u = u or {}
        out["noise_u"], out["escape_u"] = u["noise_u"], u["escape_u"]
        out["noise_z"] = norm_inv(u["noise_u"])
        out["escape_z"] = norm_inv(u["escape_u"])
        z = out["noise_z"]
        with np.errstate(all="ignore"):
            kick = (finite(exp.noise * z[:, 0]), finite(exp.noise * z[:, 1]))
    with np.errstate(all="ignore"):  # diverging runs overflow, as the sheet's #NUM! shows
        out["selected"] = np.array([[SURFACE_NAMES.index(exp.surface) + 1, surface.k,
                                     *surface.view, x0, y0]], dtype=np.float64)
        out["levels"] = np.array([surface.levels], dtype=np.float64)
        out["contours"] = _contours(surface)
        for opt in opts:
            out[f"{opt}_path"] = _path(exp, plan, opt, surface, x0, y0, steps, kick)
        _sweep(exp, plan, surface, x0, y0, out)
        _minima(exp, plan, out)
        if plan.noisy:
            _escape(exp, plan, out)
        _plateau(exp, plan, out)
        _dashboard(exp, plan, out)
        _guide(exp, plan, out)
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


def _path(exp: Settings, plan: DescentPlan, opt: str, surface, x0: float, y0: float,
          steps: int, kick: tuple[np.ndarray, np.ndarray] | None) -> np.ndarray:
    r = model.run(opt, exp, surface.grad, x0, y0, exp.lr(opt), steps, kick)
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
    if r.ngx is not None and r.ngy is not None:
        cols["ngx"], cols["ngy"] = r.ngx[:, 0], r.ngy[:, 0]
    return np.column_stack([cols[c] for c in plan.columns(opt)])


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


def _escape(exp: Settings, plan: DescentPlan, out: Reference) -> None:
    """SGD on two_minima from the local minimum: every noise level × learning rate ×
    sequence, and the share of each level and rate's sequences that end nearer the global
    minimum (below the midpoint; an overflowed run does not count)."""
    lrs = out["minima_lrs"][0]
    levels = exp.escape_noise_high * np.arange(ESCAPE_LEVELS, dtype=np.float64) / (
        ESCAPE_LEVELS - 1)
    out["escape_lrs"] = lrs.reshape(1, -1).copy()
    out["escape_levels"] = levels.reshape(-1, 1)
    m, n_lr = ESCAPE_SEQUENCES, MINIMA_LRS
    steps = plan.escape_steps
    z = out["escape_z"]  # steps × sequences: row t is the noise of the step from t
    lr = np.tile(np.repeat(lrs, m), ESCAPE_LEVELS)
    level = np.repeat(levels, n_lr * m)
    seq = np.tile(np.arange(m), ESCAPE_LEVELS * n_lr)
    kick = finite(level * z[:, seq])
    grad = SURFACES["two_minima"].grad
    runs = model.thrown_out(lambda x: grad(x, np.zeros_like(x))[0], ESCAPE_START, lr, kick,
                            steps, ESCAPE_BOUND)
    out["escape_runs"] = runs
    final = runs[-1].reshape(ESCAPE_LEVELS, n_lr, m)
    nearer = np.isfinite(final) & (final < ESCAPE_EDGE)
    out["escape"] = nearer.sum(axis=2) / m


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
    last = plan.analysis_steps
    out["plateau_shown"] = np.array([[np.nan if e > last else e for e in escape]])


def _dashboard(exp: Settings, plan: DescentPlan, out: Reference) -> None:
    t = texts.for_lang(exp.lang)
    steps = plan.settings.steps
    surface, start, comma, close, rates, noise = t.header
    x0, y0 = exp.start_of()
    lrs = ", ".join(OPTIMIZERS[o].label for o in plan.settings.optimizers)
    head = (f"{surface}{exp.surface}{start}{general(x0)}{comma}{general(y0)}{close}"
            f"{steps}{rates}{lrs}")
    if plan.noisy:
        head += f"{noise}{general(exp.noise)}"
    out["dash_subtitle"] = np.array([[head]], dtype=object)
    rows = []
    for opt in plan.settings.optimizers:
        p = out[f"{opt}_path"][-1]
        cols = plan.columns(opt)
        rows.append([exp.lr(opt), p[cols.index("x")], p[cols.index("y")],
                     p[cols.index("loss")]])
    out["final"] = np.array(rows, dtype=np.float64)
    escape = out["plateau_escape"].ravel()
    last = plan.analysis_steps
    out["plateau_label"] = np.array(
        [[t.never if e > last else float(e)] for e in escape], dtype=object)
    out["dash_minima_lrs"] = out["minima_lrs"].copy()
    out["dash_minima_starts"] = out["minima_starts"].copy()


def general(v: float) -> str:
    """A number as text the way a spreadsheet joins it to text (``&``): its General format,
    at most 15 significant digits, a whole number without a decimal point."""
    if v == int(v) and abs(v) < 1e15:
        return str(int(v))
    out = f"{v:.15g}"
    if "e" in out:
        mantissa, power = out.split("e")
        out = f"{mantissa}E{power[0]}{int(power[1:]):02d}"
    return out


def round_half_up(v: float, digits: int) -> float:
    """ROUND: the decimal a spreadsheet shows, rounded half away from zero."""
    q = Decimal(1).scaleb(-digits)
    return float(Decimal(repr(float(v))).quantize(q, rounding=ROUND_HALF_UP))


def _guide(exp: Settings, plan: DescentPlan, out: Reference) -> None:
    """The text of every live Guide line, filled with the model's values."""
    t = texts.for_lang(exp.lang)
    steps = plan.settings.steps
    last = plan.analysis_steps
    escapes = ", ".join(f"{OPTIMIZERS[o].label} {t.never if e > last else general(e)}"
                        for o, e in zip(plan.settings.optimizers,
                                        out["plateau_escape"].ravel(), strict=True))
    values = {"surface": exp.surface, "x0": general(exp.start_plateau[0]),
              "steps": general(last), "escapes": escapes}
    if "rmsprop" in plan.settings.optimizers:
        lr, rho = exp.lr("rmsprop"), exp.rho
        values |= {"rho": general(rho),
                   "rms_first": general(round_half_up(lr / np.sqrt(1 - rho), 4))}
    if plan.noisy:
        half = max(1, steps // 2)
        averages = []
        for opt in plan.settings.optimizers:
            loss = out[f"{opt}_path"][-half:, plan.columns(opt).index("loss")]
            mean = float(np.sum(loss) / loss.size)
            shown = general(round_half_up(mean, 3)) if np.isfinite(mean) else (
                t.minima_classes["diverged"])
            averages.append(f"{OPTIMIZERS[opt].label} {shown}")
        values |= {
            "noise": general(exp.noise), "noise_half": general(exp.noise / 2),
            "noise_tenth": general(exp.noise / 10), "half": general(half),
            "averages": ", ".join(averages), "sequences": general(ESCAPE_SEQUENCES),
            "high": general(exp.escape_noise_high),
            "escape_steps": general(min(steps, ESCAPE_MAX_STEPS)),
        }
        if "sgd" in plan.settings.optimizers:
            lr, sigma = exp.lr("sgd"), exp.noise
            (ax, ay) = BOWL_CURVATURE
            floor = lr * sigma * sigma / 2 * (1 / (2 - lr / (1 / ax)) + 1 / (2 - ay * lr))
            values |= {"lr_sgd": general(lr),
                       "floor": general(round_half_up(floor, 3)) if lr < 1 else "—"}
    for _, line, _ in guide_rows(guide_sections(plan.settings, t)):
        if isinstance(line, Live):
            out[f"guide_{line.key}"] = np.array([[line.template.format(**values)]],
                                                dtype=object)


ROUNDING = 1e-12
"""What one step of a run may add to its difference from another computation of it
(rounding of the step and of NORM.S.INV, generously)."""


def escape_slack(values: Reference) -> np.ndarray:
    """How far each cell of the escape runs (``values["escape_runs"]``, learning rates in
    ``values["escape_lrs"]``) may differ from another computation of it: rounding added at
    every step and carried on, magnified by |1 − lr·g″(x)| wherever that exceeds 1
    (g″(x) = 3x² + 2x − 2 on two_minima), relative to max(1, |x|)."""
    x, lrs = (_numbers(values[name]) for name in ("escape_runs", "escape_lrs"))
    lrs = lrs.ravel()
    lr = np.tile(np.repeat(lrs, ESCAPE_SEQUENCES), ESCAPE_LEVELS)
    gathered = np.zeros(x.shape)
    with np.errstate(all="ignore"):
        grow = np.nan_to_num(np.maximum(1.0, np.abs(1 - lr * (3 * x * x + 2 * x - 2))),
                             nan=1.0, posinf=1e300)
        for t in range(1, x.shape[0]):
            gathered[t] = np.minimum(grow[t - 1] * gathered[t - 1] + 1, 1e300)
        return ROUNDING * gathered * np.maximum(1.0, np.nan_to_num(np.abs(x), nan=1.0,
                                                                   posinf=1e300))


def _numbers(block: np.ndarray) -> np.ndarray:
    """A block as floats, an error value (#N/A, #NUM!) as nan."""
    block = np.asarray(block)
    if block.dtype != object:
        return block.astype(np.float64)
    return np.array([[float(v) if isinstance(v, int | float) and not isinstance(v, bool)
                      else np.nan for v in row] for row in block], dtype=np.float64)
