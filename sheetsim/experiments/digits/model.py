"""A fully connected network trained on the 8×8 digits by mini-batch gradient descent, in
NumPy, written from the mathematics (never from formula text or layout).

Inputs x ∈ ℝ⁶⁴ (pixels / 16), hidden layers of widths h₁ … h_L with activation f, ten
outputs. Layer l has weights W_l (fan_in × fan_out) and a bias row b_l:

    z_l = a_{l−1}·W_l + b_l
    ẑ_l = (z_l − μ_l) / √(σ²_l + ε_bn)        (batch normalization: μ, σ² over the batch)
    a_l = f(ẑ_l or z_l)  [+ a_{l−1} with a residual connection, equal widths]
    z = a_L·W_out + b_out

Cross-entropy: p = softmax(z), ℓ = ln Σ_k e^{z_k − m} + m − z_y (m the row's largest z).
Squared error: p = σ(z) per class, ℓ = ½ Σ_k (p_k − y_k)². The loss is the batch mean.

Backward (B samples in the batch): δ_out = (p − y)/B (cross-entropy) or
(p − y)⊙p⊙(1 − p)/B (squared error); g_L = δ_out·W_outᵀ and, below, g_{l−1} = δ_l·W_lᵀ
(+ g_l with a residual connection at l), where g_l = ∂L/∂a_l; e_l = g_l ⊙ f′ (f′ read off the
activation's output f(·), which with a residual connection is a_l − a_{l−1}); δ_l = e_l, or
with batch normalization δ_l = (e_l − mean(e_l) − ẑ_l⊙mean(e_l⊙ẑ_l)) / √(σ²_l + ε_bn)
(means over the batch). ∂L/∂W_l = a_{l−1}ᵀ·δ_l, ∂L/∂b_l = Σ_batch δ_l; with batch
normalization a hidden layer's bias has no effect (the mean subtracts it again), and its
gradient is exactly 0 (0 · Σ δ_l, so that an overflow still shows).

Each step t: the batch is the training rows 1 + ⌊u·N⌋ of that step's stored draws u; the
gradient's global norm ‖g‖, with clipping threshold c > 0 a factor min(1, c/‖g‖); the
learning rate lr·min(1, t/w) over w warm-up steps; with LARS coefficient η > 0 each layer's
rate is scaled by η‖[W; b]‖/‖∇[W; b]‖ (1 where the gradient is 0); then the shared
optimizers' rule, parameter by parameter. The test set is passed through the network every
``every`` steps and at the last; with batch normalization it is normalized with that step's
batch statistics.

A value that overflows becomes nan and stays nan, as a spreadsheet cell becomes #NUM!.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from sheetsim.experiments.common import activations
from sheetsim.experiments.common.initializers import scale_for, weights_from
from sheetsim.experiments.common.optimizers import OPTIMIZERS, adam_step_size, step
from sheetsim.experiments.common.overflow import finite

BN_EPS = 1e-5
"""ε of batch normalization's √(σ² + ε)."""
CLASSES = 10
PIXELS = 64


@dataclass(frozen=True)
class Hyper:
    """What a run needs to know besides the data and the draws."""

    hidden: tuple[int, ...]
    loss: str
    activation: str
    optimizer: str
    lr: float
    clip: float
    warmup: int
    lars: float
    momentum: float
    rho: float
    beta1: float
    beta2: float
    eps: float
    leaky_slope: float = 0.01
    batch_norm: bool = False
    residual: bool = False


def residual_at(hidden: tuple[int, ...], residual: bool) -> list[bool]:
    """Whether hidden layer l (0-based) adds its input: every hidden layer after the first
    when residual connections are on (their widths are equal)."""
    return [residual and k > 0 for k in range(len(hidden))]


def sizes(hidden: tuple[int, ...]) -> list[tuple[int, int]]:
    """(fan_in, fan_out) of every weight layer, input side first, the output layer last."""
    dims = [PIXELS, *hidden, CLASSES]
    return list(zip(dims[:-1], dims[1:], strict=True))


def activate(h: Hyper, z: np.ndarray) -> np.ndarray:
    """f(z) of the chosen activation."""
    return finite(activations.activate(h.activation, z, h.leaky_slope))


def slope(h: Hyper, out: np.ndarray) -> np.ndarray:
    """f′ in terms of the activation's output."""
    return finite(activations.derivative(h.activation, out, out, h.leaky_slope))


@dataclass
class Pass:
    """One forward pass: per hidden layer its z (pre-normalization), ẑ, a; the outputs."""

    z: list[np.ndarray]
    zhat: list[np.ndarray]
    acts: list[np.ndarray]
    out: np.ndarray
    """z of the output layer (rows × 10)."""
    top: np.ndarray
    """The row's largest output (rows × 1)."""
    pred: np.ndarray
    """The predicted class: the first largest output (rows × 1)."""
    p: np.ndarray
    losses: np.ndarray
    mu: list[np.ndarray] = field(default_factory=list)
    var: list[np.ndarray] = field(default_factory=list)


def forward(h: Hyper, params: list[np.ndarray], x: np.ndarray, y: np.ndarray,
            stats: tuple[list[np.ndarray], list[np.ndarray]] | None = None) -> Pass:
    """The forward pass of rows x (one-hot labels y); with batch normalization, ``stats``
    (μ, σ² per layer) normalize, else the rows' own statistics do."""
    res = residual_at(h.hidden, h.residual)
    a = x
    zs, zhats, acts, mus, vars_ = [], [], [], [], []
    for k, w in enumerate(params[:-1]):
        z = finite(finite(a @ w[:-1]) + w[-1])
        zs.append(z)
        if h.batch_norm:
            if stats is None:
                mu = finite(np.mean(z, axis=0, keepdims=True))
                var = finite(np.mean(finite((z - mu) ** 2), axis=0, keepdims=True))
            else:
                mu, var = stats[0][k], stats[1][k]
            mus.append(mu)
            vars_.append(var)
            zhat = finite((z - mu) / np.sqrt(var + BN_EPS))
        else:
            zhat = z
        zhats.append(zhat)
        out = activate(h, zhat)
        a = finite(out + a) if res[k] else out
        acts.append(a)
    w = params[-1]
    z = finite(finite(a @ w[:-1]) + w[-1])
    with np.errstate(invalid="ignore"):
        top = np.max(z, axis=1, keepdims=True)
    ok = np.all(np.isfinite(z), axis=1, keepdims=True)
    top = np.where(ok, top, np.nan)
    pred = np.where(ok, np.argmax(np.nan_to_num(z, nan=-np.inf), axis=1).reshape(-1, 1),
                    np.nan).astype(np.float64)
    if h.loss == "ce":
        e = finite(np.exp(finite(z - top)))
        total = finite(np.sum(e, axis=1, keepdims=True))
        p = finite(e / total)
        losses = finite(np.log(total) + top - np.sum(y * z, axis=1, keepdims=True))
    else:
        p = activate(replace(h, activation="sigmoid"), z)
        losses = finite(np.sum(finite((p - y) ** 2), axis=1, keepdims=True) / 2)
    return Pass(zs, zhats, acts, z, top, pred, p, losses, mus, vars_)


@dataclass
class Back:
    """One backward pass: ∂L/∂a of each hidden layer, δ of every layer, the gradients."""

    ga: list[np.ndarray]
    deltas: list[np.ndarray]
    grads: list[np.ndarray]


def backward(h: Hyper, params: list[np.ndarray], x: np.ndarray, y: np.ndarray,
             fw: Pass) -> Back:
    """δ of every layer (input side first) and ∂L/∂[W; b] of each."""
    n = x.shape[0]
    res = residual_at(h.hidden, h.residual)
    if h.loss == "ce":
        d_out = finite((fw.p - y) / n)
    else:
        d_out = finite(finite(finite((fw.p - y) * fw.p) * (1 - fw.p)) / n)
    count = len(h.hidden)
    ga: list[np.ndarray] = [np.empty(0)] * count
    deltas: list[np.ndarray] = [np.empty(0)] * count + [d_out]
    for k in range(count - 1, -1, -1):
        back = finite(deltas[k + 1] @ params[k + 1][:-1].T)
        if k + 1 < count and res[k + 1]:
            back = finite(back + ga[k + 1])
        ga[k] = back
        out = fw.acts[k]
        if res[k]:
            out = finite(out - fw.acts[k - 1])
        e = finite(back * slope(h, out))
        if h.batch_norm:
            zhat, sd = fw.zhat[k], np.sqrt(fw.var[k] + BN_EPS)
            e = finite(finite(e - np.mean(e, axis=0, keepdims=True)
                              - zhat * finite(np.mean(finite(e * zhat), axis=0, keepdims=True)))
                       / sd)
        deltas[k] = e
    grads = []
    for k, (a, d) in enumerate(zip([x, *fw.acts], deltas, strict=True)):
        gb = finite(np.sum(d, axis=0, keepdims=True))
        if h.batch_norm and k < count:  # normalization subtracts the bias again
            gb = 0 * gb
        grads.append(np.vstack([finite(a.T @ d), gb]))
    return Back(ga, deltas, grads)


def initial(draws: list[np.ndarray], init: str, sigma: float) -> list[np.ndarray]:
    """Every layer's [W; b] at step 0: the initializer's weights of the draws u, b = 0."""
    out = []
    for u in draws:
        fan_in, fan_out = u.shape
        w = weights_from(init, scale_for(init, sigma, fan_in, fan_out), u)
        out.append(np.vstack([w, np.zeros((1, fan_out))]))
    return out


def batch_rows(u: np.ndarray, n: int) -> np.ndarray:
    """The training rows (1-based) the draws u pick: 1 + ⌊u·n⌋."""
    return 1 + np.floor(u * n)


def one_hot(labels: np.ndarray) -> np.ndarray:
    """Rows of ten: 1 at the label's column."""
    return (labels.reshape(-1, 1) == np.arange(CLASSES)).astype(np.float64)


def evaluated_steps(steps: int, every: int) -> list[int]:
    """The steps whose test pass is computed: 0, every, 2·every, … and the last."""
    out = list(range(0, steps + 1, every))
    return out if out[-1] == steps else [*out, steps]


@dataclass
class Run:
    """Every step of a run (t = 0 … steps) and every test pass."""

    rows: np.ndarray
    params: list[list[np.ndarray]] = field(default_factory=list)
    states: list[dict[str, list[np.ndarray]]] = field(default_factory=list)
    train: list[Pass] = field(default_factory=list)
    back: list[Back] = field(default_factory=list)
    norms: list[list[float]] = field(default_factory=list)
    total: list[float] = field(default_factory=list)
    clip: list[float] = field(default_factory=list)
    lars: list[list[float]] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)
    tests: dict[int, Pass] = field(default_factory=dict)


def train(h: Hyper, params0: list[np.ndarray], images: np.ndarray, labels: np.ndarray,
          test_images: np.ndarray, test_labels: np.ndarray, u: np.ndarray, every: int) -> Run:
    """len(u) − 1 steps of mini-batch training from ``params0``; row t of u picks step t's
    batch. Pixels are divided by 16 here."""
    steps = u.shape[0] - 1
    x_all, y_all = images / 16.0, one_hot(labels)
    xt, yt = test_images / 16.0, one_hot(test_labels)
    run = Run(batch_rows(u, images.shape[0]))
    params = [p.copy() for p in params0]
    states = {s: [np.zeros_like(p) for p in params] for s in OPTIMIZERS[h.optimizer].state}
    tests = set(evaluated_steps(steps, every))
    lr_t = 0.0
    with np.errstate(all="ignore"):
        for t in range(steps + 1):
            idx = run.rows[t].astype(int) - 1
            x, y = x_all[idx], y_all[idx]
            fw = forward(h, params, x, y)
            bw = backward(h, params, x, y, fw)
            sq = [finite(np.sum(g * g)) for g in bw.grads]
            norms = [float(finite(np.sqrt(s))) for s in sq]
            total = float(finite(np.sqrt(finite(np.sum(sq)))))
            clip = float(finite(np.minimum(1.0, h.clip / total))) if h.clip > 0 else 1.0
            lars = [_trust(h, p, g) for p, g in zip(params, norms, strict=True)]
            run.params.append(params)
            run.states.append(states)
            run.train.append(fw)
            run.back.append(bw)
            run.norms.append(norms)
            run.total.append(total)
            run.clip.append(clip)
            run.lars.append(lars)
            run.lr.append(lr_t)
            if t in tests:
                stats = (fw.mu, fw.var) if h.batch_norm else None
                run.tests[t] = forward(h, params, xt, yt, stats)
            if t == steps:
                break
            lr_t = h.lr * (min(1.0, (t + 1) / h.warmup) if h.warmup > 0 else 1.0)
            params, states = _update(h, params, bw.grads, states, clip, lr_t, lars, t + 1)
    return run


def _trust(h: Hyper, p: np.ndarray, gnorm: float) -> float:
    """LARS's factor η‖[W; b]‖/‖∇‖ of one layer (1 when LARS is off or ‖∇‖ is 0)."""
    if h.lars <= 0 or not gnorm > 0:
        return 1.0 if h.lars <= 0 or gnorm == 0 else float("nan")
    return float(finite(h.lars * np.sqrt(finite(np.sum(p * p))) / gnorm))


def _update(h: Hyper, params: list[np.ndarray], grads: list[np.ndarray],
            states: dict[str, list[np.ndarray]], clip: float, lr: float, lars: list[float],
            t: int) -> tuple[list[np.ndarray], dict[str, list[np.ndarray]]]:
    """One optimizer step of every layer, each with its own rate lr·trust."""
    new_p: list[np.ndarray] = []
    new_states: dict[str, list[np.ndarray]] = {s: [] for s in states}
    for k, (p, g) in enumerate(zip(params, grads, strict=True)):
        rate = finite(np.float64(lr) * np.float64(lars[k]))
        state = {s: held[k].copy() for s, held in states.items()}
        new_p.append(step(h.optimizer, h, rate, p, finite(clip * g), state,
                          adam_step_size(h, rate, t)))
        for s in states:
            new_states[s].append(state[s])
    return new_p, new_states

