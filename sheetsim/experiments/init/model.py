"""Reference NumPy model: the forward pass from the same uniform draws as the workbook.

It supplies the cached values written into every formula cell and is the second opinion
`verify` compares the evaluator with. It shares no code with the formula text.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sheetsim.experiments.common.activations import activate, derivative
from sheetsim.experiments.common.bins import OWN_RANGE_RATIO, bin_counts
from sheetsim.experiments.common.draws import norm_inv, uniform_draws
from sheetsim.experiments.common.initializers import scale_for, std_of_weights, weights_from
from sheetsim.experiments.init.settings import Settings


@dataclass
class LayerResult:
    """One layer of the forward pass: its settings, draws, weights, linear sum ``a``
    and output ``z``."""

    init: str
    activation: str
    scale: float
    weight_std: float
    u: np.ndarray
    w: np.ndarray
    a: np.ndarray
    z: np.ndarray
    batchnorm: bool = False
    n: np.ndarray | None = None
    """The activation's input: the batch-normalized sum, or ``a`` itself without it."""
    mean: np.ndarray | None = None
    var: np.ndarray | None = None


@dataclass
class LayerGrad:
    """One layer of the backward pass."""

    dn: np.ndarray
    """∂L/∂N: the gradient at the activation's input."""
    g: np.ndarray
    """∂L/∂A: the gradient at the linear sum (through batch normalization when on)."""
    wgrad: float
    """‖∂L/∂W‖ / samples, with ∂L/∂W = Z_prevᵀ · G."""
    mean_abs: float


@dataclass
class Forward:
    """One run: the input, every layer, and the backward pass once it has run."""

    input_u: np.ndarray
    x: np.ndarray
    layers: list[LayerResult]
    grad_u: np.ndarray | None = None
    upstream: np.ndarray | None = None
    grads: list[LayerGrad] | None = None


GRAD_STREAM = 1000  # draw stream of the upstream gradient (layers use 1..999)


def draws(exp: Settings) -> tuple[np.ndarray, list[np.ndarray]]:
    """The input draws and one weight-draw block per layer, from the experiment's seed."""
    input_u = uniform_draws(exp.seed, 0, (exp.samples, exp.width))
    layer_u = [uniform_draws(exp.seed, k, (exp.width, exp.width)) for k in range(1, exp.layers + 1)]
    return input_u, layer_u


def grad_draws(exp: Settings) -> np.ndarray:
    """The upstream gradient's draws, on their own stream so the forward draws stay
    unchanged."""
    return uniform_draws(exp.seed, GRAD_STREAM, (exp.samples, exp.width))


def forward(exp: Settings, input_u: np.ndarray, layer_u: list[np.ndarray]) -> Forward:
    """The forward pass from the input draws and one weight-draw block per layer."""
    x = norm_inv(input_u)
    prev = x
    layers = []
    for k, u in enumerate(layer_u, 1):
        init, act = exp.init_of(k), exp.activation_of(k)
        fan_in, fan_out = u.shape
        scale = scale_for(init, exp.sigma, fan_in, fan_out)
        w = weights_from(init, scale, u)
        a = prev @ w
        layer = LayerResult(init, act, scale, std_of_weights(init, scale), u, w, a, a, n=a)
        if exp.has_batchnorm:
            layer.mean, layer.var = a.mean(axis=0), a.var(axis=0)
            if exp.batchnorm_of(k):
                layer.batchnorm = True
                layer.n = (a - layer.mean) / np.sqrt(layer.var + exp.bn_eps)
        layer.z = activate(act, layer.n, exp.leaky_slope)
        layers.append(layer)
        prev = layer.z
    return Forward(input_u, x, layers)


def backward(exp: Settings, fwd: Forward, grad_u: np.ndarray) -> Forward:
    """Backpropagate an upstream gradient ∂L/∂Z_top = NORM.S.INV(grad_u) through the net.

    The implied loss is L = Σ upstream ⊙ Z_top; batch normalization has no scale or shift,
    so ∂L/∂A = (∂L/∂N − mean(∂L/∂N) − N · mean(∂L/∂N ⊙ N)) / √(var + ε), per column.
    """
    upstream = norm_inv(grad_u)
    grads: list[LayerGrad] = []
    dz = upstream
    samples = upstream.shape[0]
    for k in range(len(fwd.layers), 0, -1):
        layer = fwd.layers[k - 1]
        dn = dz * derivative(layer.activation, layer.n, layer.z, exp.leaky_slope)
        if layer.batchnorm:
            g = (dn - dn.mean(axis=0) - layer.n * (dn * layer.n).mean(axis=0)) / np.sqrt(
                layer.var + exp.bn_eps
            )
        else:
            g = dn
        prev = fwd.x if k == 1 else fwd.layers[k - 2].z
        wgrad = scaled_stat(lambda m: np.sqrt(np.sum(m * m)), prev.T @ g) / samples
        grads.append(LayerGrad(dn, g, wgrad, scaled_stat(np.mean, np.abs(g))))
        dz = g @ layer.w.T
    grads.reverse()
    fwd.grad_u, fwd.upstream, fwd.grads = grad_u, upstream, grads
    return fwd


OUTPUT_RANGE = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0)}
"""The closed intervals bounded activations map every input into: 1/(1+e⁻ᵃ) lies in
(0, 1) and tanh in (−1, 1), reaching the ends in floating point at saturation."""


def _spans(outputs: list[tuple[str, np.ndarray]]) -> tuple[list[float], list[float]]:
    """Per layer, the interval its outputs can take: a bounded activation's whole range,
    any other's actual smallest to largest output (an overflowed layer as the value 0)."""
    lows, highs = [], []
    for activation, z in outputs:
        if activation in OUTPUT_RANGE:
            low, high = OUTPUT_RANGE[activation]
        elif z.size and np.isfinite(z).all():
            low, high = float(z.min()), float(z.max())
        else:  # overflowed: left out, as the single value 0
            low = high = 0.0
        lows.append(low)
        highs.append(high)
    return lows, highs


def _padded(exp: Settings, low: float, high: float) -> tuple[float, float]:
    """Widened by half a bin of Bins − 1 equal bins at each end (0.5 if the ends meet)."""
    pad = (high - low) / (2 * max(exp.bins - 1, 1)) if high > low else 0.5
    return low - pad, high + pad


def histogram_range(exp: Settings, outputs: list[tuple[str, np.ndarray]]) -> tuple[float, float]:
    """The histogram's range shared by every layer: bin_low to bin_high when manual. When
    auto, first the smallest interval holding every layer's possible outputs (``_spans``).
    If every layer is bounded that is the range (sigmoid 0 to 1, tanh −1 to 1). Otherwise
    it is widened by half a bin of Bins − 1 equal bins at each end, so that the smallest
    and largest output sit in the middle of the first and last bin, never on an edge (by
    0.5 when all outputs are equal). ``outputs`` is (activation in use, output) per layer."""
    if not exp.auto_range:
        return exp.bin_low, exp.bin_high
    lows, highs = _spans(outputs)
    low, high = float(np.min(lows)), float(np.max(highs))
    if all(activation in OUTPUT_RANGE for activation, _ in outputs):
        return low, high
    return _padded(exp, low, high)


def own_ranges(outputs: list[tuple[str, np.ndarray]]) -> bool:
    """Whether an auto range is per layer: the layers' spans (``_spans``) differ by more
    than ``OWN_RANGE_RATIO`` times."""
    lows, highs = _spans(outputs)
    spans = [h - lo for lo, h in zip(lows, highs, strict=True)]
    return max(spans) > OWN_RANGE_RATIO * min(spans)


def layer_ranges(exp: Settings, outputs: list[tuple[str, np.ndarray]]) -> list[tuple[float, float]]:
    """Each layer's histogram range: the shared one (``histogram_range``), or, in an auto
    range whose layers differ by orders of magnitude (``own_ranges``), the layer's own span,
    widened by half a bin unless its activation is bounded."""
    shared = histogram_range(exp, outputs)
    if not exp.auto_range or not own_ranges(outputs):
        return [shared] * len(outputs)
    out = []
    for (activation, _), low, high in zip(outputs, *_spans(outputs), strict=True):
        out.append((low, high) if activation in OUTPUT_RANGE else _padded(exp, low, high))
    return out


def bin_edges(exp: Settings, rows: int | None = None, low: float | None = None,
              high: float | None = None) -> np.ndarray:
    """Upper bin edges lo + k·(hi − lo)/K for k = 1, 2, …, exactly hi at k = K (rows past
    K go on past hi, so that every edge is distinct); lo and hi are the range in use
    (bin_low and bin_high unless given)."""
    low = exp.bin_low if low is None else low
    high = exp.bin_high if high is None else high
    k = np.arange(1, (rows or exp.bins) + 1, dtype=np.float64)
    edges = low + k * (high - low) / exp.bins
    return np.where(k == exp.bins, high, edges)


def shown_counts(freq: np.ndarray, bins: int) -> np.ndarray:
    """The counts a histogram shows, from counts on every edge row (``bin_counts``): the
    first ``bins`` as they are, 0 in the rows past them, and in the last row everything
    above the ``bins``-th edge."""
    out = np.zeros_like(freq)
    out[:bins] = freq[:bins]
    out[-1] = freq[bins:].sum()
    return out


def grad_bin_edges(exp: Settings) -> np.ndarray:
    """Upper edges of the |gradient| bins: 10 to the power of equal steps in log10."""
    k = np.arange(1, exp.grad_bins + 1, dtype=np.float64)
    steps = exp.grad_low + k * (exp.grad_high - exp.grad_low) / exp.grad_bins
    return np.power(10.0, np.where(k < exp.grad_bins, steps, exp.grad_high))


def scaled_stat(function, values: np.ndarray) -> float:
    """mean or std without overflow: computed on values / max|values|, then scaled back."""
    if not np.isfinite(values).all():
        return np.nan
    top = float(np.abs(values).max()) if values.size else 0.0
    return 0.0 if top == 0 else top * float(function(values / top))


def zero_share(values: np.ndarray) -> float:
    """Share of values exactly 0 among the numbers (COUNTIF/COUNT skip error cells)."""
    finite = np.count_nonzero(np.isfinite(values))
    return float(np.count_nonzero(values == 0)) / finite if finite else np.nan


@dataclass
class LayerStats:
    """The statistics of one layer's output, as its statistics table shows them, and
    its bin counts."""

    mean: float
    std: float
    min: float
    max: float
    first_bin: float
    last_bin: float
    below: float
    above: float
    zero: float
    dead: float
    """The share of neurons (columns) whose output is exactly 0 for every sample."""
    counts: np.ndarray


def layer_stats(z: np.ndarray, edges: np.ndarray, bins: int | None = None,
                low: float = -np.inf) -> LayerStats:
    """Statistics of the layer output ``z``; ``bins`` says which count is the last bin when
    ``edges`` has more rows than there are bins; ``low`` is the histogram's left end
    (values strictly below it are "below the range")."""
    n = z.size
    counts = shown_counts(bin_counts(z, edges), bins or len(edges))
    finite = bool(np.isfinite(z).all())
    with np.errstate(all="ignore"):
        return LayerStats(
            mean=scaled_stat(np.mean, z),
            std=scaled_stat(np.std, z),
            min=float(z.min()) if finite else np.nan,
            max=float(z.max()) if finite else np.nan,
            first_bin=counts[0] / n,
            last_bin=counts[(bins or len(edges)) - 1] / n,
            below=(float(np.count_nonzero(z < low)) / n if finite and np.isfinite(low)
                   else np.nan),
            above=counts[-1] / n,
            zero=zero_share(z),
            dead=float(np.mean(np.all(z == 0, axis=0))) if finite else np.nan,
            counts=counts,
        )


def run(exp: Settings) -> Forward:
    """The experiment from its seed: the forward pass, then the backward one when enabled."""
    with np.errstate(all="ignore"):  # an exploding network overflows to inf, on purpose
        fwd = forward(exp, *draws(exp))
        return backward(exp, fwd, grad_draws(exp)) if exp.backward else fwd
