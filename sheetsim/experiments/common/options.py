"""Command-line options that mean the same in several experiments, declared once.

Help texts say what an option does and what is allowed; the command line adds each
experiment's own default from its settings dataclass."""

from __future__ import annotations

from sheetsim.config import MAX_COLS, MAX_ROWS
from sheetsim.experiments.base import Option
from sheetsim.experiments.common.optimizers import CONSTANTS

SEED = Option(("--seed",), "seed", "Seed of the uniform draws.", int)


def network(activations: tuple[str, ...], max_layers: int,
            bins: tuple[int, int]) -> tuple[Option, ...]:
    """The shape and activation of a network whose samples pass through equal layers (the
    initialization experiments): samples, width, layers, activation, leaky slope, bins,
    with the limits the experiment's settings check."""
    return (
        Option(("--samples",), "samples",
               f"Samples, one row of input each; the sheet holds {MAX_ROWS:,} rows.", int),
        Option(("--width",), "width", f"Inputs and neurons per layer, 1 to {MAX_COLS:,}.", int),
        Option(("--layers",), "layers", f"Hidden layers, 1 to {max_layers:,}.", int),
        Option(("--activation",), "activation", f"Activation: {', '.join(activations)}.", str),
        Option(("--leaky-slope",), "leaky_slope", "Negative slope of leaky_relu.", float),
        Option(("--bins",), "bins", f"Histogram bins, {bins[0]:,} to {bins[1]:,}.", int),
    )

OPTIMIZER_CONSTANTS = tuple(Option((f"--{key}",), key, f"{c.what}.", float)
                            for key, c in CONSTANTS.items())
"""``--momentum``, ``--rho``, ``--beta1``, ``--beta2``, ``--eps``: the optimizers' constants."""
