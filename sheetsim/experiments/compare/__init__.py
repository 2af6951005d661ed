"""The initializer comparison (``sheetsim build compare``): one network and activation,
several weight initializations on shared draws, a row of histograms per configuration and
the outputs' std by layer — the source article's central figure, as live formulas."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sheetsim.experiments.base import LANG_OPTION, BigBlock, Control, Experiment, Option, Reference
from sheetsim.experiments.common.activations import ACTIVATIONS
from sheetsim.experiments.common.options import SEED, network
from sheetsim.experiments.common.terminal import figure
from sheetsim.experiments.compare import formulas, reference, sheets, texts
from sheetsim.experiments.compare.layout import (
    NAME_ACTIVATION,
    NAME_SLOPE,
    ComparePlan,
    config_names,
    plan,
)
from sheetsim.experiments.compare.settings import (
    BINS,
    MAX_CONFIGS,
    MAX_LAYERS,
    SYNTAX,
    Settings,
    config_label,
    with_configs,
)
from sheetsim.xlsx.cells import Block

OPTIONS = (
    *network(ACTIVATIONS, MAX_LAYERS, BINS),
    SEED,
    Option(("--configs",), "configs",
           "The initializations compared, one row of histograms each on the same draws: "
           f"1 to {MAX_CONFIGS}, comma-separated, each {SYNTAX}.", str, metavar="LIST"),
    LANG_OPTION,
)


class CompareExperiment(Experiment[Settings, ComparePlan]):
    """Initializers side by side on the same draws."""

    name = "compare"
    summary = "initializers compared: a row of histograms per configuration, shared draws"
    settings_type = Settings
    options = OPTIONS
    examples = (
        "sheetsim build compare                      # N(0,1), N(0,0.01²), Xavier, He",
        "sheetsim build compare --configs std0.1,xavier,he --activation relu",
    )

    def plan(self, settings: Settings) -> ComparePlan:
        """Sheets, blocks and names (see ``layout``)."""
        return plan(settings)

    def draws(self, settings: Settings, plan: ComparePlan) -> Reference:
        """The seeded uniform draws."""
        return reference.draws(settings)

    def reference(self, settings: Settings, plan: ComparePlan, draws: Reference) -> Reference:
        """Every formula block's value from the NumPy model."""
        return reference.reference(settings, plan, draws)

    def slack(self, settings: Settings, plan: ComparePlan, evaluated: Reference) -> dict[str, Any]:
        """Ties of the counts with the bin edges."""
        return reference.slack(settings, plan, evaluated)

    def controls(self, settings: Settings) -> list[Control]:
        """Activation and leaky slope, then each configuration's initializer and σ."""
        out = [Control(NAME_ACTIVATION, "activation", lambda s: s.activation),
               Control(NAME_SLOPE, "leaky_slope", lambda s: s.leaky_slope)]
        for c in range(1, len(settings.configs) + 1):
            names = config_names(c)
            out.append(Control(names["init"], "configs", lambda s, c=c: s.config(c)[0], layer=c))
            out.append(Control(names["sigma"], "configs", lambda s, c=c: s.config(c)[1],
                               layer=c))
        return out

    def settings_from_controls(self, base: Settings, values: dict[str, Any]) -> Settings:
        """The settings the file's Activation, slope and configuration cells describe."""
        exp = Settings.from_mapping({"activation": values[NAME_ACTIVATION],
                                      "leaky_slope": values[NAME_SLOPE]},
                                     base=base, source="controls")
        pairs = [(values[config_names(c)["init"]], values[config_names(c)["sigma"]])
                 for c in range(1, len(base.configs) + 1)]
        return with_configs(exp, pairs)

    def big_blocks(self, settings: Settings, plan: ComparePlan) -> Iterator[BigBlock]:
        """Draws and input, the shared weight draws per layer, then per configuration
        and layer the linear sum and the output."""
        t = texts.for_lang(settings.lang)

        def big(block: Block, formula: str | None) -> BigBlock:
            return BigBlock(block, formula, f"{block.sheet}: {t.block_captions[block.kind]}")

        yield big(plan.blocks["input_u"], None)
        yield big(plan.blocks["input"], formulas.standard_normal(plan, "input_u"))
        for k in range(1, settings.layers + 1):
            yield big(plan.blocks[f"L{k}_u"], None)
            yield big(plan.blocks[f"L{k}_n"], formulas.standard_normal(plan, f"L{k}_u"))
        for c in range(1, len(settings.configs) + 1):
            for k in range(1, settings.layers + 1):
                yield big(plan.block(c, k, "a"), formulas.linear(plan, c, k))
                yield big(plan.block(c, k, "z"), formulas.activation(plan, c, k))

    def write_sheets(self, book: Any) -> None:
        """Controls, Histograms, Dashboard, Guide."""
        t = texts.for_lang(book.settings.lang)
        sheets.write_controls(book, t)
        sheets.write_histograms(book, t)
        sheets.write_dashboard(book, t)
        sheets.write_guide(book, t)

    def check_plan(self, settings: Settings, blocks: dict[str, Block]) -> str | None:
        """Every configuration's output blocks exist with the settings' shape."""
        n, d = settings.samples, settings.width
        for c in range(1, len(settings.configs) + 1):
            for k in range(1, settings.layers + 1):
                b = blocks.get(f"C{c}_L{k}_z")
                if b is None:
                    return f"manifest has no block C{c}_L{k}_z"
                if (b.rows, b.cols) != (n, d):
                    return (f"manifest block C{c}_L{k}_z is {b.rows:,} × {b.cols:,} cells, "
                            f"but its config needs {n:,} × {d:,}")
        return None

    def terminal_summary(self, settings: Settings, ref: Reference) -> str:
        """The outputs' std by layer, one row per configuration."""
        L = settings.layers
        head = f"  {'output std by layer':<22}" + "".join(f"{k:>11}" for k in range(1, L + 1))
        lines = [head, "  " + "-" * (len(head) - 2)]
        for c, row in enumerate(ref["dash_std"], 1):
            label = config_label(*settings.config(c))
            cells = "".join(f"{figure(v, 3):>11}" for v in row)
            lines.append(f"  {label:<22}{cells}")
        return "\n".join(lines)

    def title(self, settings: Settings) -> str:
        """The workbook's title."""
        return texts.for_lang(settings.lang).title
