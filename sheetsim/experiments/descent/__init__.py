"""The optimizer lab: gradient descent with SGD, Momentum, AdaGrad, RMSprop and Adam on
four loss surfaces, every step a formula row, every constant a live control.

This module is the experiment's one face: everything the machinery needs is declared here
or in the modules it names. Without gradient noise there are no random draws and the
reference model follows from the controls alone; with noise (``--noise σ``) it also reads
the file's uniform draws.
"""

from __future__ import annotations

from typing import Any

from sheetsim.experiments.base import LANG_OPTION, Control, Experiment, Option, Reference
from sheetsim.experiments.common.optimizers import OPTIMIZER_NAMES, OPTIMIZERS
from sheetsim.experiments.common.options import OPTIMIZER_CONSTANTS, SEED
from sheetsim.experiments.common.terminal import figure
from sheetsim.experiments.descent import controls, dashboard, exercises, reference, sheets, texts
from sheetsim.experiments.descent.catalog import SURFACE_NAMES
from sheetsim.experiments.descent.layout import (
    ANALYSIS_MAX_STEPS,
    CONTOUR_POINTS,
    ESCAPE_LEVELS,
    ESCAPE_MAX_STEPS,
    ESCAPE_SEQUENCES,
    MINIMA_LRS,
    MINIMA_STARTS,
    SWEEP_POINTS,
    DescentPlan,
    analysis_steps,
    escape_steps,
    path_columns,
    plan,
    plateau_columns,
    sweep_columns,
)
from sheetsim.experiments.descent.settings import MAX_STEPS, Settings
from sheetsim.xlsx.cells import Block

OPTIONS = (
    Option(("--steps",), "steps",
           f"Steps of every path, 1 to {MAX_STEPS:,}; the sweep, table and plateau runs stop "
           f"at {ANALYSIS_MAX_STEPS:,}.", int),
    Option(("--surface",), "surface", f"Loss surface: {', '.join(SURFACE_NAMES)}.", str),
    Option(("--start",), "start",
           "Start point on the chosen surface (default: the surface's own; the bowl's is "
           "-7 2).", (float, float), metavar="X Y"),
    Option(("--optimizer",), "optimizers",
           f"Comma-separated subset of {','.join(OPTIMIZER_NAMES)}.", str, metavar="LIST"),
    Option(("--lr",), "lr_*", "Learning rate of one optimizer, e.g. --lr adam=0.3 "
           "(repeatable).", metavar="NAME=RATE"),
    *OPTIMIZER_CONSTANTS,
    Option(("--sweep-range",), "sweep_range",
           "Lowest and highest learning rate of the sweep.", (float, float), metavar="LO HI"),
    Option(("--noise",), "noise",
           "σ of the gradient noise, ≥ 0: each step adds σ·N(0, 1) to each gradient "
           "coordinate (mini-batch noise); above 0 the file has the draws, a live Noise "
           f"control and the escape table ({ESCAPE_SEQUENCES} sequences, at most "
           f"{ESCAPE_MAX_STEPS} steps).", float, metavar="σ"),
    SEED,
    Option(("--live",), "live",
           "The noise's draws as =RAND(): every recalculation (F9) is a new sequence "
           "(needs --noise).", is_flag=True),
    LANG_OPTION,
)
"""``sheetsim build`` options of this experiment, in the order ``--help`` lists them."""


class DescentExperiment(Experiment[Settings, DescentPlan]):
    """The optimizer lab: paths, sweep, two minima and a plateau, all live."""

    name = "descent"
    summary = "gradient descent: five optimizers on four loss surfaces, one formula row a step"
    settings_type = Settings
    options = OPTIONS
    examples = (
        "sheetsim build descent --surface valley --optimizer sgd,adam --lr adam=0.05",
        "sheetsim build descent --preset descent-two-minima",
        "sheetsim build descent --steps 200 --lang ja",
        "sheetsim build descent --surface two_minima --noise 0.5   # SGD's noise, escape table",
    )
    presets = ("descent-bowl", "descent-diverge", "descent-valley", "descent-two-minima",
               "descent-plateau", "descent-noise")

    def plan(self, settings: Settings) -> DescentPlan:
        """Sheets, blocks and names (see ``layout``)."""
        return exercises.add(plan(settings))

    def draws(self, settings: Settings, plan: DescentPlan) -> Reference:
        """The gradient noise's seeded uniform draws (nothing without noise)."""
        return reference.draws(settings, plan)

    def reference(self, settings: Settings, plan: DescentPlan, draws: Reference) -> Reference:
        """Every formula block's value from the NumPy model, on ``settings`` (the file's
        controls) and ``draws`` in the layout of ``plan`` (the file as built)."""
        return reference.reference(settings, plan, draws)

    def slack(self, settings: Settings, plan: DescentPlan, evaluated: Reference) -> dict[str, Any]:
        """Every block is held to the common tolerance, but the escape runs: near a
        valley's rim a noisy run magnifies its last bit of rounding step by step, so each
        of their cells may differ from the model by the rounding the run has gathered so
        far (``reference.escape_slack``). Verify then also checks each of their steps on
        the file's own values of the step before, where no rounding has gathered."""
        if not plan.noisy or "escape_runs" not in evaluated:
            return {}
        return {"escape_runs": reference.escape_slack(evaluated)}

    def controls(self, settings: Settings) -> list[Control]:
        """The control table (see ``controls``)."""
        return controls.controls(settings)

    def settings_from_controls(self, base: Settings, values: dict[str, Any]) -> Settings:
        """The settings the file's control cells describe; start points are pairs."""
        return Settings.from_mapping(controls.settings_from_cells(base, values), base=base,
                                     source="controls")

    def write_sheets(self, book: Any) -> None:
        """Dashboard first (its formats number first), then Controls, Surfaces, the
        optimizer sheets, Sweep, Minima, Plateau and the Guide."""
        exp: Settings = book.settings
        t = texts.for_lang(exp.lang)
        dashboard.write_dashboard(book, t)
        sheets.write_controls(book, t)
        sheets.write_surfaces(book, t)
        for opt in exp.optimizers:
            sheets.write_optimizer(book, t, opt)
        sheets.write_sweep(book, t)
        sheets.write_minima(book, t)
        if exp.noisy:
            sheets.write_escape(book, t)
        sheets.write_plateau(book, t)
        if exp.noisy:
            sheets.write_draws(book, t)
        sheets.write_guide(book, t)

    def check_plan(self, settings: Settings, blocks: dict[str, Block]) -> str | None:
        """Every block the settings need exists with the shape they need, and no path
        belongs to an optimizer the settings lack."""
        rows, n = settings.steps + 1, len(settings.optimizers)
        runs = analysis_steps(settings) + 1
        want = {
            "selected": (1, 8), "levels": (1, 8), "contours": (CONTOUR_POINTS, 19),
            "sweep_lrs": (1, SWEEP_POINTS), "sweep_loss": (n, SWEEP_POINTS),
            "sweep_shown": (n, SWEEP_POINTS), "minima_lrs": (1, MINIMA_LRS),
            "minima_starts": (MINIMA_STARTS, 1), "minima_final": (MINIMA_STARTS, MINIMA_LRS),
            "minima_runs": (runs, MINIMA_STARTS * MINIMA_LRS),
            "minima_table": (MINIMA_STARTS, MINIMA_LRS), "plateau_escape": (1, n),
            "plateau_runs": (runs, sum(len(plateau_columns(o)) for o in settings.optimizers)),
            "final": (n, 4), "plateau_label": (n, 1), "plateau_shown": (1, n),
        }
        if settings.noisy:
            esc, m = escape_steps(settings), ESCAPE_SEQUENCES
            want |= {"noise_u": (rows, 2), "noise_z": (rows, 2), "escape_u": (esc, m),
                     "escape_z": (esc, m), "escape_lrs": (1, MINIMA_LRS),
                     "escape_levels": (ESCAPE_LEVELS, 1), "escape": (ESCAPE_LEVELS, MINIMA_LRS),
                     "escape_runs": (esc + 1, ESCAPE_LEVELS * MINIMA_LRS * m)}
        for opt in settings.optimizers:
            want[f"{opt}_path"] = (rows, len(path_columns(opt, settings.noisy)))
            want[f"{opt}_sweep"] = (runs, SWEEP_POINTS * len(sweep_columns(opt)))
        for name, shape in want.items():
            b = blocks.get(name)
            if b is None:
                return f"manifest has no block {name}"
            if (b.rows, b.cols) != shape:
                return (f"manifest block {name} ({b.sheet}!{b.range}) is {b.rows:,} × "
                        f"{b.cols:,} cells, but its config ({settings.steps:,} steps, {n} "
                        f"optimizers) needs {shape[0]:,} × {shape[1]:,}")
        for name in blocks:
            opt = name.split("_")[0]
            if opt in OPTIMIZERS and opt not in settings.optimizers:
                return (f"manifest block {name} belongs to optimizer {opt}, which its config "
                        "does not have")
        return None

    def terminal_summary(self, settings: Settings, ref: Reference) -> str:
        """Per optimizer: learning rate, where the path ends, its loss, the plateau."""
        head = (f"  {'optimizer':<9} {'lr':>8} {'final x':>11} {'final y':>11} "
                f"{'final loss':>11} {'plateau':>9}")
        lines = [head, "  " + "-" * (len(head) - 2)]
        escape = ref["plateau_escape"].ravel()
        last = analysis_steps(settings)
        for i, opt in enumerate(settings.optimizers):
            lr, x, y, loss = ref["final"][i]
            left = "never" if escape[i] > last else f"{escape[i]:.0f}"
            lines.append(f"  {OPTIMIZERS[opt].label:<9} {lr:>8.4g} {figure(x):>11} {figure(y):>11} "
                         f"{figure(loss):>11} {left:>9}")
        if settings.noisy:
            lines += ["", "  escape from x = 1 on two_minima (share of "
                      f"{ESCAPE_SEQUENCES} noise sequences ending nearer x = -2)",
                      "  " + f"{'σ / lr':>8}" + "".join(f"{v:>8.3g}"
                                                        for v in ref["escape_lrs"][0])]
            for level, row in zip(ref["escape_levels"][:, 0], ref["escape"], strict=True):
                lines.append("  " + f"{level:>8.3g}" + "".join(f"{v:>8.3f}" for v in row))
        return "\n".join(lines)

    def preset_results(self, settings: Settings) -> str:
        """One line for ``sheetsim presets --results``: each optimizer's final loss."""
        plan = self.plan(settings)
        final = self.reference(settings, plan, self.draws(settings, plan))["final"]
        return "final loss: " + ", ".join(
            f"{OPTIMIZERS[opt].label} {figure(final[i][3])}"
            for i, opt in enumerate(settings.optimizers))

    def title(self, settings: Settings) -> str:
        """The workbook's title, in its language."""
        return texts.for_lang(settings.lang).title
