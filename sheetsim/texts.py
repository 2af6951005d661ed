"""Every word the workbook shows a reader: titles, captions, the guide."""

from __future__ import annotations

TITLE = "Weight initialization: how signals spread through five layers"
CONTROLS_TITLE = "Controls"
CONTROLS_NOTE = (
    "Change the yellow cells: every weight, output, histogram and chart recomputes. "
    "Shape (samples, neurons, layers) and the draws are fixed when the file is built."
)
CONTROL_HELP = {
    "Init": "normal, xavier (σ = 1/√fan-in), he (σ = √(2/fan-in)), xavier_uniform, "
    "he_uniform, lecun",
    "Activation": "sigmoid, tanh, relu, leaky_relu, identity",
    "Sigma": "Weight σ used when the initializer is normal",
    "LeakySlope": "Slope of leaky_relu for negative inputs",
    "Bins": "Bin width is (high − low) / bins; the number of rows is fixed at build",
    "BinLow": "Left end of the histograms",
    "BinHigh": "Right end; outputs above it are counted as 'above'",
    "Samples": "Rows of the input (fixed at build)",
    "Seed": "Seed of the stored uniform draws (fixed at build)",
}
LAYER_TABLE_TITLE = "Per layer"
LAYER_HEADERS = (
    "Layer", "Initializer", "Activation", "Fan-in", "Fan-out", "Distribution",
    "σ or limit", "Weight σ",
)
LISTS_TITLE = ("Initializers", "Distribution", "", "Activations")
HIST_TITLE = "Histograms: output counts per bin, by layer"
HIST_HEADERS = ("Bin", "Upper edge", "Centre")
HIST_ABOVE = "above"
STATS_TITLE = "Statistic"
STAT_LABELS = {
    "mean": "Mean",
    "std": "Std (population)",
    "min": "Min",
    "max": "Max",
    "first_bin": "Share in first bin",
    "last_bin": "Share in last bin",
    "above": "Share above range",
    "zero": "Share exactly 0",
}
DASH_LABELS = {"wstd": "Weight σ", **STAT_LABELS}
CHART_X = "output"
CHART_Y = "count"
STD_CHART_TITLE = "Output std by layer"
STD_CHART_X = "layer"
STD_CHART_Y = "std"


def layer_label(k: int) -> str:
    return f"Layer {k}"


BLOCK_CAPTIONS = {
    "uniform": "uniform draws in (0, 1), stored constants",
    "input": "standard-normal inputs, NORM.S.INV of the draws in Input_U",
    "weights": "weights, the initializer applied to the draws",
    "linear": "linear sum, previous output × weights (MMULT)",
    "activation": "output, the activation applied to the linear sum",
}

GUIDE = (
    ("What this workbook is", (
        "1000 samples of 100 standard-normal inputs flow through five layers of 100 neurons. "
        "Each layer multiplies its input by a weight matrix (MMULT) and applies an activation. "
        "The Histograms and Dashboard sheets show how the outputs of each layer are spread. "
        "Every number is a live formula of the uniform draws in the *_U sheets."
    )),
    ("How to read the histograms", (
        "A healthy layer spreads its outputs over the activation's range. Outputs piled up at "
        "0 and 1 of a sigmoid mean saturation: there the sigmoid's slope is almost zero, so "
        "gradients vanish when they are multiplied back through the layers. Outputs all near "
        "one value mean the neurons say the same thing: the layer loses expressiveness."
    )),
    ("What to try", (
        "Set Init to normal and Sigma to 1: sigmoid outputs crowd at 0 and 1. Set Sigma to "
        "0.01: everything collapses to 0.5. Set Init to xavier (σ = 1/√n): a good spread in "
        "every layer. Then set Activation to relu: with xavier the spread shrinks with depth; "
        "with he (σ = √(2/n)) it is kept."
    )),
    ("Why", (
        "The sigmoid's derivative is at most 0.25, so every saturated layer shrinks the "
        "gradient further. With σ = 1/√n the sum of n inputs keeps unit variance, so the "
        "sigmoid works in its sensitive range. ReLU sets negative inputs to 0 and so halves "
        "the variance; He's σ = √(2/n) gives that factor 2 back."
    )),
    ("Colours", (
        "Yellow cells are controls you may change. Blue numbers are stored random draws. "
        "Black numbers are formulas."
    )),
)
