"""Command-line options that mean the same in several experiments, declared once.

Help texts say what an option does and what is allowed; the command line adds each
experiment's own default from its settings dataclass."""

from __future__ import annotations

from sheetsim.experiments.base import Option
from sheetsim.experiments.common.optimizers import CONSTANTS

SEED = Option(("--seed",), "seed", "Seed of the uniform draws.", int)


def network(activations: tuple[str, ...], max_layers: int | None = None) -> tuple[Option, ...]:
    """The shape and activation of a network whose samples pass through equal layers (the
    initialization experiments): samples, width, layers, activation, leaky slope, bins."""
    upto = f", 1 to {max_layers}" if max_layers else ""
    return (
        Option(("--samples",), "samples", "Rows of input (samples).", int),
        Option(("--width",), "width", "Inputs and neurons per layer.", int),
        Option(("--layers",), "layers", f"Hidden layers{upto}.", int),
        Option(("--activation",), "activation", f"Activation: {', '.join(activations)}.", str),
        Option(("--leaky-slope",), "leaky_slope", "Negative slope of leaky_relu.", float),
        Option(("--bins",), "bins", "Histogram bins.", int),
    )


OPTIMIZER_CONSTANTS = tuple(Option((f"--{key}",), key, f"{c.what}.", float)
                            for key, c in CONSTANTS.items())
"""``--momentum``, ``--rho``, ``--beta1``, ``--beta2``, ``--eps``: the optimizers' constants."""
