"""The reference model of a comparison workbook, from the mathematics (never from formula
text): the same seeded draws as an initialization workbook, each configuration's forward
pass, its statistics and its histogram."""

from __future__ import annotations

import numpy as np

from sheetsim.experiments.base import Reference
from sheetsim.experiments.common.activations import ACTIVATIONS_TABLE, activate
from sheetsim.experiments.common.bins import bin_counts
from sheetsim.experiments.common.draws import norm_inv, uniform_draws
from sheetsim.experiments.common.initializers import INITIALIZERS
from sheetsim.experiments.compare.layout import STATS, ComparePlan
from sheetsim.experiments.compare.settings import Settings
from sheetsim.tolerance import edge_ties


def draws(exp: Settings) -> Reference:
    """The input's and each layer's uniform draws (the streams of an initialization
    workbook with the same seed, so its sigmoid/Xavier layers match this one's)."""
    out = {"input_u": uniform_draws(exp.seed, 0, (exp.samples, exp.width))}
    for k in range(1, exp.layers + 1):
        out[f"L{k}_u"] = uniform_draws(exp.seed, k, (exp.width, exp.width))
    return out


def _range(exp: Settings, zs: list[np.ndarray]) -> tuple[float, float]:
    """A bounded activation's interval, else the outputs' span padded by half a bin."""
    bounds = ACTIVATIONS_TABLE[exp.activation].bounds
    if bounds is not None:
        return bounds
    finite = [z for z in zs if np.isfinite(z).all()]
    lo = min((float(z.min()) for z in finite), default=np.nan)
    hi = max((float(z.max()) for z in finite), default=np.nan)
    if len(finite) < len(zs):
        return np.nan, np.nan
    pad = (hi - lo) / (2 * (exp.bins - 1)) if hi > lo else 0.5
    return lo - pad, hi + pad


def reference(exp: Settings, plan: ComparePlan, u: Reference) -> Reference:
    """Every block's values on the draws ``u``."""
    n = {f"L{k}_n": norm_inv(u[f"L{k}_u"]) for k in range(1, exp.layers + 1)}
    x = norm_inv(u["input_u"])
    out: Reference = {**u, **n, "input": x}
    rows = exp.bins
    i = np.arange(1, rows + 1, dtype=np.float64)
    dists, scales, labels, std_table = [], [], [], []
    with np.errstate(all="ignore"):
        for c in range(1, len(exp.configs) + 1):
            init, sigma = exp.config(c)
            entry = INITIALIZERS[init]
            s = entry.scale(sigma, exp.width, exp.width)
            dists.append(entry.distribution)
            scales.append(s)
            labels.append(sigma if init == "normal" else init)
            prev, zs = x, []
            for k in range(1, exp.layers + 1):
                base = 2 * u[f"L{k}_u"] - 1 if entry.distribution == "uniform" else n[f"L{k}_n"]
                a = prev @ (base * s)
                z = activate(exp.activation, a, exp.leaky_slope)
                out[f"C{c}_L{k}_a"], out[f"C{c}_L{k}_z"] = a, z
                zs.append(z)
                prev = z
            stats = {"mean": [float(np.mean(z)) for z in zs], "std": [float(np.std(z)) for z in zs],
                     "min": [float(np.min(z)) for z in zs], "max": [float(np.max(z)) for z in zs]}
            for name in STATS:
                out[f"C{c}_stat_{name}"] = np.array([stats[name]])
            low, high = _range(exp, zs)
            out[f"C{c}_range"] = np.array([[low, high]])
            edges = np.where(i < exp.bins, low + i * (high - low) / exp.bins, high)
            out[f"C{c}_edges"] = edges.reshape(-1, 1)
            out[f"C{c}_centres"] = (low + (i - 0.5) * (high - low) / exp.bins).reshape(-1, 1)
            for k, z in enumerate(zs, 1):
                out[f"C{c}_L{k}_counts"] = bin_counts(z, edges).reshape(-1, 1)
            std_table.append(stats["std"])
    out["cfg_dist"] = np.array(dists, dtype=object).reshape(-1, 1)
    out["cfg_scale"] = np.array(scales).reshape(-1, 1)
    out["dash_label"] = np.array(labels, dtype=object).reshape(-1, 1)
    out["dash_std"] = np.array(std_table)
    return out


def slack(exp: Settings, plan: ComparePlan, evaluated: Reference) -> dict[str, float]:
    """Counts may differ by the outputs within tolerance of an edge (not on it)."""
    out = {}
    for c in range(1, len(exp.configs) + 1):
        edges = evaluated.get(f"C{c}_edges")
        for k in range(1, exp.layers + 1):
            out[f"C{c}_L{k}_counts"] = edge_ties(evaluated.get(f"C{c}_L{k}_z"), edges)
    return out
