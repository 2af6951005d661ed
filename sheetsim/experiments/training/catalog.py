"""The choices of the training experiment: activations, initializers, optimizers.

Each list is the one place its names live: settings validate against it, the workbook's
dropdowns list it, and a choice's position in it is the index the formulas pick by.
"""

from __future__ import annotations

ACTIVATIONS = ("sigmoid", "tanh", "relu")
INITS = ("normal", "xavier", "he")
"""N(0, σ²); Xavier N(0, 1/n); He N(0, 2/n), n the layer's fan-in."""
OPTIMIZERS = ("sgd", "momentum", "adam")
"""The optimizer lab's rules of the same names."""
