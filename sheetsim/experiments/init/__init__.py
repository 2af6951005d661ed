"""The weight-initialization Monte Carlo: samples of standard-normal inputs pass through
layers of neurons; each layer's outputs (and, with the backward pass, gradients) are
histogrammed, so the initializer and activation can be judged by the spread they keep.

This module is the experiment's one face: everything the machinery needs is declared here
or in the modules it names.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import numpy as np

from sheetsim.experiments.base import (
    LANG_OPTION,
    UNIFORM,
    BigBlock,
    Control,
    Experiment,
    Option,
    Reference,
)
from sheetsim.experiments.common.activations import ACTIVATIONS
from sheetsim.experiments.common.initializers import INITS
from sheetsim.experiments.common.options import SEED, network
from sheetsim.experiments.init import (
    controls,
    dashboard,
    exercises,
    formulas,
    model,
    reference,
    sheets,
    texts,
)
from sheetsim.experiments.init.layout import InitPlan, plan
from sheetsim.experiments.init.settings import BINS, MAX_LAYERS, Settings
from sheetsim.xlsx.cells import Block

OPTIONS = (
    *network(ACTIVATIONS, MAX_LAYERS, BINS),
    Option(("--init",), "init", f"Initializer: {', '.join(INITS)}.", str),
    Option(("--sigma",), "sigma", "Weight σ for --init normal.", float),
    Option(("--range", "range_"), "range",
           "Manual histogram range (sets --range-mode manual); without it the range is auto.",
           (float, float), metavar="LO HI", show_default=False),
    Option(("--range-mode",), "range_mode",
           "auto (sigmoid 0 1, tanh -1 1, else the outputs' own span) or manual.",
           str, metavar="auto|manual"),
    SEED,
    Option(("--layer-init",), "layer_init",
           "Initializer of layer K only, e.g. --layer-init 1=he (repeatable).",
           metavar="K=NAME", multiple=True),
    Option(("--layer-activation",), "layer_activation",
           "Activation of layer K only, e.g. --layer-activation 5=sigmoid (repeatable).",
           metavar="K=NAME", multiple=True),
    Option(("--backward",), "backward",
           "Add the backward pass: gradients, their histograms and sizes by layer.",
           is_flag=True),
    Option(("--batchnorm",), "batchnorm", "Batch normalization before every activation.",
           is_flag=True),
    Option(("--layer-batchnorm",), "layer_batchnorm",
           "Batch normalization of layer K only (repeatable).", metavar="K=on|off",
           multiple=True),
    Option(("--bn-eps",), "bn_eps", "ε of batch normalization.", float),
    Option(("--grad-range",), "grad_range",
           "Gradient histogram range as powers of ten.", (float, float), metavar="LO HI"),
    Option(("--live",), "live",
           "Draws as =RAND(): every recalculation (F9) is a fresh sample.", is_flag=True),
    LANG_OPTION,
)
"""``sheetsim build`` options, in the order ``--help`` lists them."""


class InitExperiment(Experiment[Settings, InitPlan]):
    """The initialization Monte Carlo of the source article, with gradients and batch norm."""

    name = "init"
    summary = "weight initialization: signals and gradients through the layers at step 0"
    settings_type = Settings
    options = OPTIONS
    examples = (
        "sheetsim build init --preset relu-he -o output/relu-he.xlsx",
        "sheetsim build init --activation tanh --init he --layers 8",
        "sheetsim build init --preset relu-std1-bn   # gradients and batch normalization",
        "sheetsim build init --live --lang ja        # =RAND() draws: F9 resamples",
        "sheetsim build init --all-presets           # each preset into output/NAME.xlsx",
    )
    presets = ("sigmoid-std1", "sigmoid-std0.01", "sigmoid-xavier", "tanh-xavier",
               "relu-xavier", "relu-he", "relu-std1", "relu-std1-bn", "sigmoid-std1-deep",
               "sigmoid-xavier-deep", "relu-he-deep")
    def implied(self, data: dict[str, Any]) -> dict[str, Any]:
        """Settings a source of keys implies: a range given is a manual range."""
        given = {"range", "bin_low", "bin_high"} & set(data)
        if given and "range_mode" not in data:
            return {**data, "range_mode": "manual"}
        return data

    def plan(self, settings: Settings) -> InitPlan:
        """Sheets, blocks and names (see ``layout``)."""
        return exercises.add(plan(settings))

    def draws(self, settings: Settings, plan: InitPlan) -> Reference:
        """The seeded uniform draws."""
        return reference.draws(settings, plan)

    def reference(self, settings: Settings, plan: InitPlan, draws: Reference) -> Reference:
        """Every formula block's value from the NumPy model."""
        return reference.reference(settings, plan, draws)

    def slack(self, settings: Settings, plan: InitPlan, evaluated: Reference) -> dict[str, Any]:
        """Ties of the histogram counts with bin edges and with 0."""
        return reference.slack(settings, plan, evaluated)

    def controls(self, settings: Settings) -> list[Control]:
        """The control table (see ``controls``)."""
        return controls.controls(settings)

    def settings_from_controls(self, base: Settings, values: dict[str, Any]) -> Settings:
        """As the base class, but a batch-norm workbook whose switches are all off stays
        one (its BatchNorm sheets exist whatever the switches say)."""
        exp = super().settings_from_controls(base, values)
        if base.has_batchnorm and not exp.has_batchnorm:
            exp = replace(exp, layer_batchnorm={k: "off" for k in range(1, exp.layers + 1)})
        return exp

    def big_blocks(self, settings: Settings, plan: InitPlan) -> Iterator[BigBlock]:
        """Draws, input, and per layer weights, sums, [normalized sums], outputs,
        [gradients]; then the upstream gradient."""
        t = texts.for_lang(settings.lang)
        draw = formulas.draw() if settings.live else None

        def big(block: Block, formula: str | None) -> BigBlock:
            uniform = block.kind == UNIFORM
            caption = t.live_caption if uniform and draw else t.block_captions[block.kind]
            return BigBlock(block, formula, f"{block.sheet}: {caption}",
                            draw if uniform else None)

        yield big(plan.blocks["input_u"], None)
        yield big(plan.blocks["input"], formulas.input_values(plan))
        bn = settings.has_batchnorm
        for k in range(1, settings.layers + 1):
            yield big(plan.layer_block(k, "u"), None)
            yield big(plan.layer_block(k, "w"), formulas.weights(plan, k))
            yield big(plan.layer_block(k, "a"), formulas.linear(plan, k))
            if bn:
                yield big(plan.layer_block(k, "n"), formulas.batchnorm(plan, k))
            yield big(plan.layer_block(k, "z"), formulas.activation(plan, k))
            if settings.backward:
                if bn:
                    yield big(plan.layer_block(k, "d"), formulas.grad_pre(plan, k))
                yield big(plan.layer_block(k, "g"), formulas.grad(plan, k))
        if settings.backward:
            yield big(plan.blocks["grad_u"], None)
            yield big(plan.blocks["upstream"], formulas.upstream(plan))

    def write_sheets(self, book: Any) -> None:
        """Controls, Histograms, [Gradients], [BatchNorm], Dashboard, Guide — in this order,
        which fixes the workbook's style numbering and so its bytes."""
        exp = book.settings
        t = texts.for_lang(exp.lang)
        sheets.write_controls(book, t)
        sheets.write_histograms(book, t)
        if exp.backward:
            sheets.write_gradients(book, t)
        if exp.has_batchnorm:
            sheets.write_batchnorm(book, t)
        dashboard.write_dashboard(book, t)
        sheets.write_guide(book, t)

    def check_plan(self, settings: Settings, blocks: dict[str, Block]) -> str | None:
        """The draw, input, weight, sum and output blocks have the shapes the settings
        need, no block belongs to a layer the settings lack, and the edges exist."""
        n, d, layers = settings.samples, settings.width, settings.layers
        want = {"input_u": (n, d), "input": (n, d)}
        for k in range(1, layers + 1):
            want |= {f"L{k}_u": (d, d), f"L{k}_w": (d, d), f"L{k}_a": (n, d), f"L{k}_z": (n, d)}
        for name, shape in want.items():
            b = blocks.get(name)
            if b is None:
                return f"manifest has no block {name} (its config has {layers} layers)"
            if (b.rows, b.cols) != shape:
                return (f"manifest block {name} ({b.sheet}!{b.range}) is {b.rows:,} × "
                        f"{b.cols:,} cells, but its config (samples {n:,}, width {d:,}) needs "
                        f"{shape[0]:,} × {shape[1]:,}")
        for name in blocks:
            k = _layer_of(name)
            if k is not None and not 1 <= k <= layers:
                return (f"manifest block {name} is of layer {k:,}, but its config has "
                        f"{layers} layers")
        if "L1_edges" not in blocks:
            return "manifest has no block L1_edges (layer 1's histogram bin edges)"
        return None

    def terminal_summary(self, settings: Settings, ref: Reference) -> str:
        """Per layer: mean and std, then shares of the outputs: in the first and last bin,
        below and above the histogram's range, exactly 0; then a warning for each layer
        with more than 5 % of its outputs outside the range."""
        rows = {stat: ref[f"stat_{stat}"].ravel() for stat in SUMMARY}
        lines = [summary_table(rows)]
        for k, (below, above) in enumerate(zip(rows["below"], rows["above"], strict=True), 1):
            outside = below + above
            if outside > OUTSIDE_WARNING and not settings.auto_range:
                lines.append(
                    f"  warning: layer {k}: {outside:.1%} of the outputs lie outside the "
                    f"histogram range {settings.bin_low:g} to {settings.bin_high:g} "
                    f"({below:.1%} below, {above:.1%} above); widen it with --range LO HI "
                    "or leave --range out for the auto range"
                )
        return "\n".join(lines)

    def preset_results(self, settings: Settings) -> str:
        """One line for ``sheetsim presets --std``: each layer's output std, from the model
        (and mean |∂L/∂A| with the backward pass)."""
        fwd = model.run(settings)
        line = "std by layer: " + " → ".join(
            _number(model.scaled_stat(np.std, layer.z)) for layer in fwd.layers)
        if fwd.grads is not None:
            line += "; mean |∂L/∂A|: " + " → ".join(_number(g.mean_abs) for g in fwd.grads)
        return line

    def title(self, settings: Settings) -> str:
        """The workbook's title, in its language."""
        return texts.for_lang(settings.lang).title


SUMMARY = ("mean", "std", "first_bin", "last_bin", "below", "above", "zero")
OUTSIDE_WARNING = 0.05
"""A layer with more than this share of its outputs outside the range gets a warning."""
_LAYER_BLOCK = re.compile(r"L([0-9]+)_")


def _layer_of(name: str) -> int | None:
    """The layer a manifest block claims to belong to (``L12_z`` → 12), if any."""
    m = _LAYER_BLOCK.match(name)
    return int(m.group(1)) if m else None


def summary_table(rows: dict[str, Any]) -> str:
    """The per-layer statistics as a small terminal table: mean and std in one number
    format (fixed with 4 decimals; scientific with 3 when the largest is 10⁴ or more, or
    below 0.01, where 4 decimals would hide it), the shares in per cent."""
    values = np.concatenate([np.asarray(rows["mean"]), np.asarray(rows["std"])])
    sizes = np.abs(values[np.isfinite(values)])
    fixed = bool(sizes.size == 0 or 1e-2 <= sizes.max() < 1e4)
    number = "{:>10.4f}" if fixed else "{:>10.3e}"
    titles = (("layer", 5), ("mean", 10), ("std", 10), ("first bin", 10), ("last bin", 10),
              ("below", 8), ("above", 8), ("exactly 0", 10))
    head = "  " + " ".join(f"{t:>{w}}" for t, w in titles)
    lines = [f"  {'':>5} {'':>10} {'':>10} {'share of the outputs per layer':>50}", head,
             "  " + "-" * (len(head) - 2)]
    for k, (mean, std, first, last, below, above, zero) in enumerate(
            zip(*(rows[s] for s in SUMMARY), strict=True), 1):
        lines.append(f"  {k:>5} {number.format(mean)} {number.format(std)} {first:>10.1%} "
                     f"{last:>10.1%} {below:>8.1%} {above:>8.1%} {zero:>10.1%}")
    return "\n".join(lines)


def _number(x: float) -> str:
    """Two significant digits (``0.83``, ``1.0``, ``2.6e2``), as the README's tables."""
    if not np.isfinite(x):
        return "overflow"
    text = format(x, "#.2g")
    if "e" in text:
        mantissa, power = text.split("e")
        return f"{mantissa}e{int(power)}"
    return text
