"""Training on the 8×8 handwritten digits in the sheet: a fully connected network learns
to read digits by mini-batch gradient descent, every step of it formulas — the batch drawn
from stored draws, forward pass, softmax or sigmoid loss, backward pass, batch
normalization, residual connections, clipping, warm-up, LARS and the optimizer lab's update
rules — unrolled down the sheets.

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
from sheetsim.experiments.digits import controls, dashboard, exercises, reference, sheets, texts
from sheetsim.experiments.digits.data import SIZE
from sheetsim.experiments.digits.layout import DigitsPlan, plan
from sheetsim.experiments.digits.settings import (
    LOSSES,
    MAX_BATCH,
    MAX_HIDDEN,
    MAX_STEPS,
    MAX_WIDTH,
    Settings,
)
from sheetsim.xlsx.cells import Block

OPTIONS = (
    Option(("--hidden",), "hidden",
           f"Hidden widths, input side first, such as 40,20 (1 to {MAX_HIDDEN} layers of 1 to "
           f"{MAX_WIDTH}).", str, metavar="LIST"),
    Option(("--batch",), "batch", f"Images per mini-batch, 1 to {MAX_BATCH} and at most the "
           "training set.", int),
    Option(("--train-size",), "train_size", "Training images (the test images and these "
           f"together at most {SIZE:,}).", int),
    Option(("--test-size",), "test_size", "Test images.", int),
    Option(("--steps",), "steps", f"Steps, 1 to {MAX_STEPS}.", int),
    Option(("--eval-every",), "eval_every", "Pass the test set every this many steps (and at "
           "the last).", int),
    SEED,
    Option(("--loss",), "loss", f"Loss: {', '.join(LOSSES)} (softmax and cross-entropy, or "
           "sigmoid outputs and squared error).", str),
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
    Option(("--lars",), "lars", "LARS coefficient η: each layer's rate times "
           "η‖W‖/‖∇W‖ (0: off).", float),
    Option(("--batch-norm",), "batch_norm", "Batch normalization in every hidden layer.",
           is_flag=True),
    Option(("--residual",), "residual", "Residual connections around the hidden layers "
           "after the first (equal widths).", is_flag=True),
    Option(("--live",), "live", "Batch draws as =RAND(): every recalculation (F9) draws new "
           "batches.", is_flag=True),
    LANG_OPTION,
)
"""``sheetsim build digits`` options, in the order ``--help`` lists them."""


class DigitsExperiment(Experiment[Settings, DigitsPlan]):
    """A network trained on the handwritten digits in the sheet."""

    name = "digits"
    summary = "handwritten digits learned in formulas: vanishing gradients, remedies, mini-batches"
    settings_type = Settings
    options = OPTIONS
    examples = (
        "sheetsim build digits --hidden 40,20 --activation relu --init he",
        "sheetsim build digits --preset digits-sigmoid-gauss-deep   # stays at chance",
        "sheetsim build digits --loss mse --activation sigmoid --init xavier --lr 3",
    )
    presets = ("digits-sigmoid-gauss-deep", "digits-sigmoid-gauss-shallow",
               "digits-sigmoid-xavier", "digits-sigmoid-xavier-mse", "digits-relu-he",
               "digits-adam", "digits-batchnorm", "digits-residual", "digits-lars-warmup")

    def plan(self, settings: Settings) -> DigitsPlan:
        """Sheets, blocks and names (see ``layout``)."""
        return exercises.add(plan(settings))

    def draws(self, settings: Settings, plan: DigitsPlan) -> Reference:
        """The seeded draws of the batches and of every layer's initial weights."""
        return reference.draws(settings, plan)

    def reference(self, settings: Settings, plan: DigitsPlan, draws: Reference) -> Reference:
        """Every formula block from the NumPy model, on ``settings`` (the file's controls)
        and ``draws`` in the layout of ``plan`` (the file as built)."""
        return reference.reference(settings, plan, draws)

    def slack(self, settings: Settings, plan: DigitsPlan, evaluated: Reference) -> dict[str, Any]:
        """No counts that a tie could move: every block is held to the common tolerance."""
        return {}

    def controls(self, settings: Settings) -> list[Control]:
        """The control table (see ``controls``)."""
        return controls.controls(settings)

    def write_sheets(self, book: Any) -> None:
        """Dashboard first, then the other sheets in order."""
        t = texts.for_lang(book.settings.lang)
        dashboard.write_dashboard(book, t)
        sheets.write_controls(book, t)
        sheets.write_data(book, t)
        sheets.write_draws(book, t)
        sheets.write_batches(book, t)
        sheets.write_params(book, t)
        sheets.write_train(book, t)
        sheets.write_test(book, t)
        sheets.write_steps(book, t)
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
                        f"{got.cols:,} cells, but its config ({settings.describe}) needs "
                        f"{b.rows:,} × {b.cols:,}")
        extra = sorted(set(blocks) - set(want))
        if extra:
            return f"manifest block {extra[0]} is not part of its config's workbook"
        return None

    def terminal_summary(self, settings: Settings, ref: Reference) -> str:
        """Loss and accuracy at the first and last step, and the input and output layers'
        gradient norms."""
        loss, acc, norms = ref["loss"], ref["accuracy"], ref["grad_norm"]
        last = settings.steps
        lines = [f"  {'':<22} {'step 0':>11} {f'step {last}':>11}"]
        rows = (("batch loss", loss[0, 0], loss[last, 0]),
                ("test loss", loss[0, 1], loss[last, 1]),
                ("batch accuracy", acc[0, 0], acc[-1, 0]),
                ("test accuracy", acc[0, 1], acc[-1, 1]),
                ("‖∇‖ input layer", norms[0, 0], norms[last, 0]),
                ("‖∇‖ output layer", norms[0, -1], norms[last, -1]))
        for text, first, end in rows:
            lines.append(f"  {text:<22} {figure(first):>11} {figure(end):>11}")
        peak = np.nanmax(norms) if np.isfinite(norms).any() else float("nan")
        lines.append(f"  largest layer gradient norm over the run: {figure(peak)}")
        return "\n".join(lines)

    def preset_results(self, settings: Settings) -> str:
        """One line for ``sheetsim presets --results``: batch loss, and the test accuracy,
        first step → last."""
        plan = self.plan(settings)
        ref = self.reference(settings, plan, self.draws(settings, plan))
        loss, acc, last = ref["loss"], ref["accuracy"], settings.steps
        return (f"loss {figure(loss[0, 0])} → {figure(loss[last, 0])}, test accuracy "
                f"{acc[0, 1]:.0%} → {acc[-1, 1]:.0%}")

    def title(self, settings: Settings) -> str:
        """The workbook's title, in its language."""
        return texts.for_lang(settings.lang).title
