"""The reference model's value of every formula block, by block name.

One mapping serves both sides: ``build`` writes these numbers as cached values, and
``verify`` compares the evaluator with them after running the model on the file's own
controls and draws. It is computed from ``model`` (the mathematics), never from formula
text.
"""

from __future__ import annotations

import numpy as np

from sheetsim.experiments.base import Reference
from sheetsim.experiments.common.initializers import distribution
from sheetsim.experiments.init import model
from sheetsim.experiments.init.layout import GRAD_STATS, STATS, InitPlan
from sheetsim.experiments.init.settings import Settings
from sheetsim.tolerance import edge_ties, zero_ties

COUNT_STATS = ("first_bin", "last_bin", "below", "above")
"""Statistics that are shares of bin counts, and so inherit the counts' ties."""


def draws(exp: Settings, plan: InitPlan) -> Reference:
    """The seeded uniform draws of every draw block."""
    input_u, layer_u = model.draws(exp)
    out = {"input_u": input_u} | {f"L{k}_u": u for k, u in enumerate(layer_u, 1)}
    if exp.backward:
        out["grad_u"] = model.grad_draws(exp)
    return out


def reference(exp: Settings, plan: InitPlan, u: Reference) -> Reference:
    """Forward (and backward) pass on the draws ``u``, then every statistic and table.

    ``plan`` gives the geometry as built (the edge rows, say), ``exp`` the settings the
    controls hold now: the two differ when a user has changed a control in the file.
    """
    layer_u = [u[f"L{k}_u"] for k in range(1, exp.layers + 1)]
    with np.errstate(all="ignore"):  # an exploding network overflows to inf, on purpose
        fwd = model.forward(exp, u["input_u"], layer_u)
        if exp.backward and "grad_u" in u:
            model.backward(exp, fwd, u["grad_u"])
        return _tables(exp, plan, fwd)


def _column(values: list) -> np.ndarray:
    return np.array(values, dtype=object if isinstance(values[0], str) else np.float64)


def _tables(exp: Settings, plan: InitPlan, fwd: model.Forward) -> Reference:
    out: Reference = {"input_u": fwd.input_u, "input": fwd.x}
    rows = plan.blocks["bin_index"].rows
    outputs = [(layer.activation, layer.z) for layer in fwd.layers]
    if "range" in plan.blocks:
        out["range"] = np.array([model.histogram_range(exp, outputs)])
    if "own_range" in plan.blocks:
        out["own_range"] = np.array([[float(model.own_ranges(outputs))]])
    ranges = model.layer_ranges(exp, outputs)
    out["hist_low"] = np.array([[low for low, _ in ranges]])
    out["hist_high"] = np.array([[high for _, high in ranges]])
    k = np.arange(1, rows + 1)
    stats = []
    for j, (layer, (low, high)) in enumerate(zip(fwd.layers, ranges, strict=True), 1):
        out |= {f"L{j}_u": layer.u, f"L{j}_w": layer.w, f"L{j}_a": layer.a, f"L{j}_z": layer.z}
        if exp.has_batchnorm:
            out |= {f"L{j}_n": layer.n, f"L{j}_bn_mean": layer.mean.reshape(1, -1),
                    f"L{j}_bn_var": layer.var.reshape(1, -1)}
        edges = model.bin_edges(exp, rows, low, high)
        width = (high - low) / exp.bins
        out[f"L{j}_edges"] = edges.reshape(-1, 1)
        out[f"L{j}_centres"] = np.where(k <= exp.bins, low + (k - 0.5) * width,
                                        high).reshape(-1, 1)
        st = model.layer_stats(layer.z, edges, exp.bins, low)
        stats.append(st)
        out[f"L{j}_freq"] = model.bin_counts(layer.z, edges).reshape(-1, 1)
        out[f"L{j}_counts"] = st.counts.reshape(-1, 1)
    per_layer = {
        "init": [layer.init for layer in fwd.layers],
        "activation": [layer.activation for layer in fwd.layers],
        "dist": [distribution(layer.init) for layer in fwd.layers],
        "scale": [layer.scale for layer in fwd.layers],
        "wstd": [layer.weight_std for layer in fwd.layers],
        "bn": ["on" if layer.batchnorm else "off" for layer in fwd.layers],
    }
    row = {stat: [getattr(s, stat) for s in stats] for stat in STATS}
    for stat, values in row.items():
        out[f"stat_{stat}"] = np.array([values])
    if fwd.grads is not None:
        _gradients(exp, fwd, out, row)
    for part, values in per_layer.items():
        if f"layer_{part}" in plan.blocks:
            out[f"layer_{part}"] = _column(values).reshape(-1, 1)
    for key in plan.dash_rows:
        values = per_layer.get(key) or row.get(key)
        out[f"dash_{key}"] = _column(values).reshape(1, -1)
    return out


def _gradients(exp: Settings, fwd: model.Forward, out: Reference, row: dict) -> None:
    assert fwd.grads is not None and fwd.upstream is not None and fwd.grad_u is not None
    gedges = model.grad_bin_edges(exp)
    kk = np.arange(1, exp.grad_bins + 1)
    out["grad_u"], out["upstream"] = fwd.grad_u, fwd.upstream
    out["grad_edges"] = gedges.reshape(-1, 1)
    out["grad_centres"] = (
        exp.grad_low + (kk - 0.5) * (exp.grad_high - exp.grad_low) / exp.grad_bins
    ).reshape(-1, 1)
    for k, (layer, g) in enumerate(zip(fwd.layers, fwd.grads, strict=True), 1):
        out[f"L{k}_g"] = g.g
        if exp.has_batchnorm:
            out[f"L{k}_d"] = g.dn
            out[f"L{k}_bn_dmean"] = g.dn.mean(axis=0).reshape(1, -1)
            out[f"L{k}_bn_dnmean"] = (g.dn * layer.n).mean(axis=0).reshape(1, -1)
        freq = model.bin_counts(np.abs(g.g), gedges)
        out[f"L{k}_grad_freq"] = freq.reshape(-1, 1)
        out[f"L{k}_grad_counts"] = model.shown_counts(freq, exp.grad_bins).reshape(-1, 1)
    grad_row = {
        "mean_abs": [g.mean_abs for g in fwd.grads],
        "wgrad": [g.wgrad for g in fwd.grads],
        "zero": [model.zero_share(g.g) for g in fwd.grads],
    }
    for stat in GRAD_STATS:
        out[f"grad_stat_{stat}"] = np.array([grad_row[stat]])
        row[f"grad_{stat}"] = grad_row[stat]


def slack(exp: Settings, plan: InitPlan, evaluated: Reference) -> dict[str, np.ndarray | float]:
    """Allowed count differences against another computation of the same values, per layer:
    the values within tolerance of a bin edge (or of 0) but not on it. A value exactly on an
    edge counts the same everywhere; ``verify`` takes this from both sides of a comparison.

    Activation histograms count Z against ``edges``; gradient histograms count |∂L/∂A|
    against ``grad_edges``. Shares of counts get the ties divided by the values counted.
    The keys are the counting blocks, which ``verify`` recounts exactly on a file's values.
    """
    n = max(exp.samples * exp.width, 1)
    layers = range(1, exp.layers + 1)
    out: dict[str, np.ndarray | float] = {}
    ties = [edge_ties(evaluated.get(f"L{k}_z"), evaluated.get(f"L{k}_edges")) for k in layers]
    zeros = [zero_ties(evaluated.get(f"L{k}_z")) for k in layers]
    for k in layers:
        out[f"L{k}_counts"] = out[f"L{k}_freq"] = ties[k - 1]
    for stat in (*COUNT_STATS, "zero"):
        share = np.array([[(zeros if stat == "zero" else ties)[k - 1] / n for k in layers]])
        out[f"stat_{stat}"] = share
        out[f"dash_{stat}"] = share
    if exp.backward:
        grads = [evaluated.get(f"L{k}_g") for k in layers]
        for k, g in zip(layers, grads, strict=True):
            usable = g is not None and g.dtype != object
            out[f"L{k}_grad_counts"] = out[f"L{k}_grad_freq"] = edge_ties(
                np.abs(g) if usable else None, evaluated.get("grad_edges"))
        out["grad_stat_zero"] = np.array([[zero_ties(g) / n for g in grads]])
    return out
