"""Training in the sheet: a small fully connected network learns to separate four clusters
by full-batch gradient descent, every step of it formulas — forward pass, backward pass,
gradient, clipping, warm-up and the optimizer lab's update rules — unrolled down the sheets.

This module is the experiment's one face: everything the machinery needs is declared here
or in the modules it names.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sheetsim.experiments.base import LANG_OPTION, Control, Experiment, Option, Reference
from sheetsim.experiments.common.activations import ACTIVATIONS
from sheetsim.experiments.common.initializers import INITS
from sheetsim.experiments.common.optimizers import OPTIMIZERS
from sheetsim.experiments.common.options import OPTIMIZER_CONSTANTS, SEED
from sheetsim.experiments.common.terminal import figure
from sheetsim.experiments.training import controls, dashboard, exercises, reference, sheets, texts
from sheetsim.experiments.training.layout import TrainingPlan, plan
from sheetsim.experiments.training.settings import MAX_LAYERS, MAX_STEPS, MAX_WIDTH, Settings
from sheetsim.xlsx.cells import Block

OPTIONS = (
    Option(("--layers",), "layers", f"Hidden layers, 1 to {MAX_LAYERS}.", int),
    Option(("--width",), "width", f"Units per hidden layer, 2 to {MAX_WIDTH}.", int),
    Option(("--samples",), "samples", "Training points, a multiple of 4.", int),
    Option(("--test-samples",), "test_samples", "Test points, a multiple of 4.", int),
    Option(("--steps",), "steps", f"Steps, 1 to {MAX_STEPS}.", int),
    SEED,
    Option(("--activation",), "activation", f"Activation: {', '.join(ACTIVATIONS)}.", str),
    Option(("--leaky-slope",), "leaky_slope", "Negative slope of leaky_relu.", float),
    Option(("--init",), "init", f"Initializer: {', '.join(INITS)}.", str),
    Option(("--sigma",), "sigma", "Weight σ for --init normal.", float),
    Option(("--optimizer",), "optimizer", f"Optimizer: {', '.join(OPTIMIZERS)}.", str),
    Option(("--lr",), "lr", "Learning rate.", float),
    *OPTIMIZER_CONSTANTS,
    Option(("--clip",), "clip", "Gradient-clipping threshold on the global norm (0: off).",
           float),
    Option(("--warmup",), "warmup", "Warm-up steps (0: none).", int),
    Option(("--spread",), "spread", "Standard deviation of the clusters.", float),
    LANG_OPTION,
)
"""``sheetsim build`` options of this experiment, in the order ``--help`` lists them."""


class TrainingExperiment(Experiment[Settings, TrainingPlan]):
    """A small network trained in the sheet: loss, accuracy, gradient norms, boundary."""

    name = "training"
    summary = "a small network trained step by step in formulas: plateaus, explosions, remedies"
    settings_type = Settings
    options = OPTIONS
    examples = (
        "sheetsim build training --optimizer rmsprop --lr 0.01",
        "sheetsim build training --preset training-explode   # the gradient norm explodes",
        "sheetsim build training --activation leaky_relu --init lecun --steps 200",
    )
    presets = ("training-relu-he-adam", "training-plateau", "training-relu-he",
               "training-explode", "training-explode-clip", "training-explode-warmup")

    def plan(self, settings: Settings) -> TrainingPlan:
        """Sheets, blocks and names (see ``layout``)."""
        return exercises.add(plan(settings))

    def draws(self, settings: Settings, plan: TrainingPlan) -> Reference:
        """The seeded draws of the data and of every layer's initial weights."""
        return reference.draws(settings, plan)

    def reference(self, settings: Settings, plan: TrainingPlan, draws: Reference) -> Reference:
        """Every formula block from the NumPy model, on ``settings`` (the file's controls)
        and ``draws`` in the layout of ``plan`` (the file as built)."""
        return reference.reference(settings, plan, draws)

    def slack(self, settings: Settings, plan: TrainingPlan, evaluated: Reference) -> dict[str, Any]:
        """No counts that a tie could move: every block is held to the common tolerance."""
        return {}

    def controls(self, settings: Settings) -> list[Control]:
        """The control table (see ``controls``)."""
        return controls.controls(settings)

    def write_sheets(self, book: Any) -> None:
        """Dashboard first (its formats number first), then the other sheets in order."""
        exp: Settings = book.settings
        t = texts.for_lang(exp.lang)
        dashboard.write_dashboard(book, t)
        sheets.write_controls(book, t)
        sheets.write_data(book, t)
        sheets.write_draws(book, t)
        sheets.write_params(book, t)
        sheets.write_passes(book, t)
        sheets.write_steps(book, t)
        sheets.write_boundary(book, t)
        sheets.write_guide(book, t)

    def check_plan(self, settings: Settings, blocks: dict[str, Block]) -> str | None:
        """Every block the settings need exists with the shape they need, and no other."""
        want = self.plan(settings).blocks
        for name, b in want.items():
            got = blocks.get(name)
            if got is None:
                return f"manifest has no block {name}"
            if (got.rows, got.cols) != (b.rows, b.cols):
                return (f"manifest block {name} ({got.sheet}!{got.range}) is {got.rows:,} × "
                        f"{got.cols:,} cells, but its config ({settings.layers} × "
                        f"{settings.width}, {settings.samples} points, {settings.steps} "
                        f"steps) needs {b.rows:,} × {b.cols:,}")
        extra = sorted(set(blocks) - set(want))
        if extra:
            return f"manifest block {extra[0]} is not part of its config's workbook"
        return None

    def terminal_summary(self, settings: Settings, ref: Reference) -> str:
        """First and last loss and accuracy, and the input and output layers' gradient
        norms at step 0 and at their largest."""
        loss, acc, norms = ref["loss"], ref["accuracy"], ref["grad_norm"]
        last = settings.steps
        lines = [f"  {'':<22} {'step 0':>11} {f'step {last}':>11}"]
        rows = (("training loss", loss[:, 0]), ("test loss", loss[:, 1]),
                ("training accuracy", acc[:, 0]), ("test accuracy", acc[:, 1]),
                ("‖∇‖ input layer", norms[:, 0]), ("‖∇‖ output layer", norms[:, -1]))
        for text, col in rows:
            lines.append(f"  {text:<22} {figure(col[0]):>11} {figure(col[last]):>11}")
        peak = np.nanmax(norms) if np.isfinite(norms).any() else float("nan")
        lines.append(f"  largest layer gradient norm over the run: {figure(peak)}")
        return "\n".join(lines)

    def preset_results(self, settings: Settings) -> str:
        """One line for ``sheetsim presets --results``: training loss and the training and
        test accuracy, first step → last."""
        plan = self.plan(settings)
        ref = self.reference(settings, plan, self.draws(settings, plan))
        loss, acc, last = ref["loss"], ref["accuracy"], settings.steps
        return (f"loss {figure(loss[0, 0])} → {figure(loss[last, 0])}, accuracy {acc[0, 0]:.0%} → "
                f"{acc[last, 0]:.0%} (test {acc[0, 1]:.0%} → {acc[last, 1]:.0%})")

    def title(self, settings: Settings) -> str:
        """The workbook's title, in its language."""
        return texts.for_lang(settings.lang).title
