"""A small fully connected network trained by full-batch gradient descent, in NumPy,
written from the mathematics (never from formula text).

The network: inputs x ∈ ℝ², ``depth`` hidden layers of ``width`` units with activation f,
one sigmoid output unit. Layer l has weights W_l (fan_in × fan_out) and a bias row b_l:

    a_0 = x,  a_l = f(a_{l−1}·W_l + b_l),  z = a_L·W_out + b_out,  p = σ(z)

and the loss is the mean cross-entropy, written through softplus so that it never
overflows: ℓ = softplus(z) − y·z, softplus(z) = max(z, 0) + ln(1 + e^{−|z|}).

Backward (δ = ∂L/∂z of each layer, N samples):
    δ_out = (p − y)/N,  δ_l = (δ_{l+1}·W_{l+1}ᵀ) ⊙ f′(a_l)
    ∂L/∂W_l = a_{l−1}ᵀ·δ_l,  ∂L/∂b_l = Σ_samples δ_l

with f′ from the activation's output: σ′ = a(1 − a), tanh′ = 1 − a², ReLU′ = [a > 0].
σ(z) is computed as (1 + tanh(z/2))/2, the same function in a form that cannot overflow.

Each step: the gradient's global norm ‖g‖ over every parameter; with a clipping threshold
c > 0 the gradient is scaled by min(1, c/‖g‖); the learning rate of step t is
lr·min(1, t/w) with w warm-up steps (w = 0: no warm-up); the optimizer (SGD, Momentum,
Adam) is the optimizer lab's, parameter by parameter.

A value that overflows becomes nan and stays nan, as a spreadsheet cell becomes #NUM!.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

from sheetsim.experiments.common.optimizers import adam_step_size, step
from sheetsim.experiments.common.overflow import finite


def activate(name: str, z: np.ndarray) -> np.ndarray:
    """f(z) of the named activation."""
    if name == "sigmoid":
        return finite((1 + np.tanh(z / 2)) / 2)
    if name == "tanh":
        return finite(np.tanh(z))
    if name == "relu":
        return finite(np.maximum(z, 0.0))
    raise ValueError(f"unknown activation {name!r}")


def slope(name: str, a: np.ndarray) -> np.ndarray:
    """f′ written in terms of the activation's output a = f(z)."""
    if name == "sigmoid":
        return finite(a * (1 - a))
    if name == "tanh":
        return finite(1 - a * a)
    if name == "relu":
        return np.where(np.isnan(a), np.nan, (a > 0).astype(np.float64))
    raise ValueError(f"unknown activation {name!r}")


def softplus(z: np.ndarray) -> np.ndarray:
    """ln(1 + eᶻ) without overflow: max(z, 0) + ln(1 + e^{−|z|})."""
    return finite(np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z))))


def init_scale(init: str, sigma: float, fan_in: int) -> float:
    """The standard deviation of a layer's initial weights: σ, Xavier's √(1/n), He's √(2/n)."""
    if init == "normal":
        return sigma
    if init == "xavier":
        return float(np.sqrt(1.0 / fan_in))
    if init == "he":
        return float(np.sqrt(2.0 / fan_in))
    raise ValueError(f"unknown initializer {init!r}")


def normal_of(u: np.ndarray) -> np.ndarray:
    """Standard-normal values of uniform draws (the inverse normal distribution)."""
    inv = NormalDist().inv_cdf
    return np.vectorize(inv, otypes=[np.float64])(np.asarray(u, dtype=np.float64))


def sizes(depth: int, width: int) -> list[tuple[int, int]]:
    """(fan_in, fan_out) of every weight layer, input side first (the output layer last)."""
    dims = [2, *([width] * depth), 1]
    return list(zip(dims[:-1], dims[1:], strict=True))


@dataclass
class Forward:
    """One forward pass: every layer's output, the output unit's z and p, the loss."""

    acts: list[np.ndarray]
    """a_1 … a_L (N × width each)."""
    z: np.ndarray
    p: np.ndarray
    losses: np.ndarray
    """The per-sample cross-entropy (N × 1)."""


def forward(params: list[np.ndarray], x: np.ndarray, y: np.ndarray, act: str) -> Forward:
    """The forward pass of ``params`` (each layer's [W; b], (fan_in + 1) × fan_out)."""
    a, acts = x, []
    for w in params[:-1]:
        a = activate(act, finite(finite(a @ w[:-1]) + w[-1]))
        acts.append(a)
    w = params[-1]
    z = finite(finite(a @ w[:-1]) + w[-1])
    p = activate("sigmoid", z)
    losses = finite(softplus(z) - y * z)
    return Forward(acts, z, p, losses)


def backward(params: list[np.ndarray], x: np.ndarray, y: np.ndarray, act: str,
             fw: Forward) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """δ of every layer (input side first, the output's last) and ∂L/∂[W; b] of each."""
    n = x.shape[0]
    deltas = [finite((fw.p - y) / n)]
    for k in range(len(params) - 1, 0, -1):
        back = finite(deltas[0] @ params[k][:-1].T)
        deltas.insert(0, finite(back * slope(act, fw.acts[k - 1])))
    inputs = [x, *fw.acts]
    grads = []
    for a, d in zip(inputs, deltas, strict=True):
        gw = finite(a.T @ d)
        gb = finite(np.sum(d, axis=0, keepdims=True))
        grads.append(np.vstack([gw, gb]))
    return deltas, grads


def loss_of(params: list[np.ndarray], x: np.ndarray, y: np.ndarray, act: str) -> float:
    """The mean cross-entropy of ``params`` on (x, y)."""
    return float(np.mean(forward(params, x, y, act).losses))


@dataclass
class Run:
    """Every step of a training run (index t = 0 … steps)."""

    params: list[list[np.ndarray]]
    grads: list[list[np.ndarray]]
    m: list[list[np.ndarray]]
    v: list[list[np.ndarray]]
    train: list[Forward]
    test: list[Forward]
    deltas: list[list[np.ndarray]]
    norms: np.ndarray
    """(steps + 1) × layers: ‖∂L/∂[W; b]‖ of each layer."""
    total: np.ndarray
    clip: np.ndarray
    """The factor the gradient of each step is scaled by (1 without clipping)."""
    lr: np.ndarray
    """The learning rate of the update that makes step t (warm-up applied; 0 at t = 0)."""


@dataclass(frozen=True)
class Hyper:
    """What a run needs to know: activation, optimizer and its constants."""

    activation: str
    optimizer: str
    lr: float
    clip: float
    warmup: int
    momentum: float
    beta1: float
    beta2: float
    eps: float
    rho: float = 0.0


def initial(draws: list[np.ndarray], init: str, sigma: float) -> list[np.ndarray]:
    """Every layer's [W; b] at step 0: W = Φ⁻¹(u)·scale, b = 0."""
    out = []
    for u in draws:
        fan_in = u.shape[0]
        w = normal_of(u) * init_scale(init, sigma, fan_in)
        out.append(np.vstack([w, np.zeros((1, u.shape[1]))]))
    return out


def train(params0: list[np.ndarray], x: np.ndarray, y: np.ndarray, x_test: np.ndarray,
          y_test: np.ndarray, h: Hyper, steps: int) -> Run:
    """``steps`` steps of full-batch training from ``params0``, every step kept."""
    params = [p.copy() for p in params0]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    keep: dict[str, list] = {k: [] for k in ("params", "grads", "m", "v", "train", "test",
                                            "deltas", "norms", "total", "clip", "lr")}
    lr_t = 0.0
    with np.errstate(all="ignore"):
        for t in range(steps + 1):
            fw = forward(params, x, y, h.activation)
            deltas, grads = backward(params, x, y, h.activation, fw)
            sq = [finite(np.sum(g * g)) for g in grads]
            norms = [finite(np.sqrt(s)) for s in sq]
            total = finite(np.sqrt(finite(np.sum(sq))))
            clip = (finite(np.minimum(1.0, h.clip / total)) if h.clip > 0
                    else np.float64(1.0))
            for key, value in (("params", params), ("grads", grads), ("m", m), ("v", v),
                               ("train", fw), ("deltas", deltas), ("norms", norms),
                               ("total", total), ("clip", clip), ("lr", lr_t)):
                keep[key].append(value)
            keep["test"].append(forward(params, x_test, y_test, h.activation))
            if t == steps:
                break
            lr_t = h.lr * (min(1.0, (t + 1) / h.warmup) if h.warmup > 0 else 1.0)
            params, m, v = _update(h, params, grads, m, v, clip, lr_t, t + 1)
    return Run(keep["params"], keep["grads"], keep["m"], keep["v"], keep["train"],
               keep["test"], keep["deltas"], np.array(keep["norms"], dtype=np.float64),
               np.array(keep["total"], dtype=np.float64),
               np.array(keep["clip"], dtype=np.float64),
               np.array(keep["lr"], dtype=np.float64))


def _update(h: Hyper, params: list[np.ndarray], grads: list[np.ndarray], m: list[np.ndarray],
            v: list[np.ndarray], clip: np.ndarray, lr: float, t: int
            ) -> tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]]:
    """One optimizer step of every layer (the optimizer lab's rules, element by element)."""
    new_p, new_m, new_v = [], [], []
    for p, g, mm, vv in zip(params, grads, m, v, strict=True):
        g = finite(clip * g)
        if h.optimizer == "sgd":
            state: dict[str, np.ndarray] = {}
            lr_t = None
        elif h.optimizer == "momentum":
            state = {"v": vv}
            lr_t = None
        else:
            state = {"m": mm, "v": vv}
            lr_t = adam_step_size(h, lr, t)
        p = step(h.optimizer, h, np.float64(lr), p, g, state, lr_t)
        new_p.append(p)
        new_m.append(state.get("m", np.zeros_like(p)))
        new_v.append(state.get("v", np.zeros_like(p)))
    return new_p, new_m, new_v


def centres(n: int) -> tuple[np.ndarray, np.ndarray]:
    """The cluster centre (±1, ±1) of each of n points, cycling through the four corners,
    and its label: 1 where both coordinates have the same sign (an XOR of the signs)."""
    i = np.arange(n)
    c = np.column_stack([np.where(i % 4 < 2, 1.0, -1.0), np.where(i % 2 == 0, 1.0, -1.0)])
    y = (c[:, 0] * c[:, 1] > 0).astype(np.float64).reshape(-1, 1)
    return c, y


def points(u: np.ndarray, spread: float) -> tuple[np.ndarray, np.ndarray]:
    """The data set of the draws u (n × 2): each point its centre plus spread·N(0, 1)."""
    c, y = centres(u.shape[0])
    return finite(c + spread * normal_of(u)), y
