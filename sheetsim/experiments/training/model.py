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

with f and f′ from the shared activations (``experiments.common.activations``), f′ read
off the activation's output (σ′ = a(1 − a), tanh′ = 1 − a², ReLU′ = [a > 0], leaky ReLU′
= 1 or its slope as a > 0 or not). σ(z) is computed as (1 + tanh(z/2))/2, the same function
in a form that cannot overflow. The initial weights are the shared initializers' of the
stored draws.

Each step: the gradient's global norm ‖g‖ over every parameter; with a clipping threshold
c > 0 the gradient is scaled by min(1, c/‖g‖); the learning rate of step t is
lr·min(1, t/w) with w warm-up steps (w = 0: no warm-up); the optimizer is one of the shared
optimizers (``experiments.common.optimizers``), parameter by parameter.

A value that overflows becomes nan and stays nan, as a spreadsheet cell becomes #NUM!.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sheetsim.experiments.common import activations
from sheetsim.experiments.common.draws import norm_inv
from sheetsim.experiments.common.initializers import scale_for, weights_from
from sheetsim.experiments.common.optimizers import DECAYS, OPTIMIZERS, adam_step_size, step
from sheetsim.experiments.common.overflow import finite


def activate(name: str, z: np.ndarray, leaky_slope: float = 0.01) -> np.ndarray:
    """f(z) of the named activation."""
    return finite(activations.activate(name, z, leaky_slope))


def slope(name: str, a: np.ndarray, leaky_slope: float = 0.01) -> np.ndarray:
    """f′ written in terms of the activation's output a = f(z) (an error stays an error)."""
    return finite(activations.derivative(name, a, a, leaky_slope))


def softplus(z: np.ndarray) -> np.ndarray:
    """ln(1 + eᶻ) without overflow: max(z, 0) + ln(1 + e^{−|z|})."""
    return finite(np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z))))


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


def forward(params: list[np.ndarray], x: np.ndarray, y: np.ndarray, act: str,
            leaky_slope: float = 0.01) -> Forward:
    """The forward pass of ``params`` (each layer's [W; b], (fan_in + 1) × fan_out)."""
    a, acts = x, []
    for w in params[:-1]:
        a = activate(act, finite(finite(a @ w[:-1]) + w[-1]), leaky_slope)
        acts.append(a)
    w = params[-1]
    z = finite(finite(a @ w[:-1]) + w[-1])
    p = activate("sigmoid", z)
    losses = finite(softplus(z) - y * z)
    return Forward(acts, z, p, losses)


def backward(params: list[np.ndarray], x: np.ndarray, y: np.ndarray, act: str,
             fw: Forward, leaky_slope: float = 0.01
             ) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """δ of every layer (input side first, the output's last) and ∂L/∂[W; b] of each."""
    n = x.shape[0]
    deltas = [finite((fw.p - y) / n)]
    for k in range(len(params) - 1, 0, -1):
        back = finite(deltas[0] @ params[k][:-1].T)
        deltas.insert(0, finite(back * slope(act, fw.acts[k - 1], leaky_slope)))
    inputs = [x, *fw.acts]
    grads = []
    for a, d in zip(inputs, deltas, strict=True):
        gw = finite(a.T @ d)
        gb = finite(np.sum(d, axis=0, keepdims=True))
        grads.append(np.vstack([gw, gb]))
    return deltas, grads


def loss_of(params: list[np.ndarray], x: np.ndarray, y: np.ndarray, act: str,
            leaky_slope: float = 0.01) -> float:
    """The mean cross-entropy of ``params`` on (x, y)."""
    return float(np.mean(forward(params, x, y, act, leaky_slope).losses))


@dataclass
class Run:
    """Every step of a training run (index t = 0 … steps)."""

    params: list[list[np.ndarray]]
    grads: list[list[np.ndarray]]
    states: list[dict[str, list[np.ndarray]]]
    """The optimizer's state after each step, by name (``v``, ``h``, ``m``), per layer."""
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
    rho: float = DECAYS["rho"].default
    leaky_slope: float = 0.01


def initial(draws: list[np.ndarray], init: str, sigma: float) -> list[np.ndarray]:
    """Every layer's [W; b] at step 0: W the initializer's weights of the draws u
    (Φ⁻¹(u)·σ, or (2u − 1)·limit for a uniform one), b = 0."""
    out = []
    for u in draws:
        fan_in, fan_out = u.shape
        w = weights_from(init, scale_for(init, sigma, fan_in, fan_out), u)
        out.append(np.vstack([w, np.zeros((1, fan_out))]))
    return out


def train(params0: list[np.ndarray], x: np.ndarray, y: np.ndarray, x_test: np.ndarray,
          y_test: np.ndarray, h: Hyper, steps: int) -> Run:
    """``steps`` steps of full-batch training from ``params0``, every step kept."""
    params = [p.copy() for p in params0]
    states = {s: [np.zeros_like(p) for p in params] for s in OPTIMIZERS[h.optimizer].state}
    keep: dict[str, list] = {k: [] for k in ("params", "grads", "states", "train", "test",
                                            "deltas", "norms", "total", "clip", "lr")}
    lr_t = 0.0
    with np.errstate(all="ignore"):
        for t in range(steps + 1):
            fw = forward(params, x, y, h.activation, h.leaky_slope)
            deltas, grads = backward(params, x, y, h.activation, fw, h.leaky_slope)
            sq = [finite(np.sum(g * g)) for g in grads]
            norms = [finite(np.sqrt(s)) for s in sq]
            total = finite(np.sqrt(finite(np.sum(sq))))
            clip = (finite(np.minimum(1.0, h.clip / total)) if h.clip > 0
                    else np.float64(1.0))
            for key, value in (("params", params), ("grads", grads), ("states", states),
                               ("train", fw), ("deltas", deltas), ("norms", norms),
                               ("total", total), ("clip", clip), ("lr", lr_t)):
                keep[key].append(value)
            keep["test"].append(forward(params, x_test, y_test, h.activation, h.leaky_slope))
            if t == steps:
                break
            lr_t = h.lr * (min(1.0, (t + 1) / h.warmup) if h.warmup > 0 else 1.0)
            params, states = _update(h, params, grads, states, clip, lr_t, t + 1)
    return Run(keep["params"], keep["grads"], keep["states"], keep["train"],
               keep["test"], keep["deltas"], np.array(keep["norms"], dtype=np.float64),
               np.array(keep["total"], dtype=np.float64),
               np.array(keep["clip"], dtype=np.float64),
               np.array(keep["lr"], dtype=np.float64))


def _update(h: Hyper, params: list[np.ndarray], grads: list[np.ndarray],
            states: dict[str, list[np.ndarray]], clip: np.ndarray | float, lr: float, t: int
            ) -> tuple[list[np.ndarray], dict[str, list[np.ndarray]]]:
    """One optimizer step of every layer (the shared optimizers' rules, element by
    element); returns the new parameters and the new state, by name, per layer."""
    new_p: list[np.ndarray] = []
    new_states: dict[str, list[np.ndarray]] = {s: [] for s in states}
    lr_t = adam_step_size(h, lr, t)  # Adam's step size of step t (the others ignore it)
    for k, (p, g) in enumerate(zip(params, grads, strict=True)):
        state = {s: held[k] for s, held in states.items()}
        new_p.append(step(h.optimizer, h, np.float64(lr), p, finite(clip * g), state, lr_t))
        for s in states:
            new_states[s].append(state[s])
    return new_p, new_states


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
    return finite(c + spread * norm_inv(u)), y
