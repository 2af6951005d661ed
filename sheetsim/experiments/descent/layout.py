"""The plan of an optimizer-lab workbook: its sheets, blocks and named cells.

Rows and columns are 0-based; ``sheetsim.xlsx.cells`` turns them into A1 text. Every other
module of the experiment asks the plan where something is instead of spelling an address.

Every step of every run is one formula row referring to the row above, so each block of
runs has ``steps + 1`` rows (step 0 is the start). Column 0 of a run sheet holds the step
numbers (constants), which Adam's bias correction reads.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sheetsim.config import ConfigError
from sheetsim.experiments.base import Plan
from sheetsim.experiments.common.optimizers import EPS, OPTIMIZERS, PARAM_NAMES
from sheetsim.experiments.descent.catalog import LEVELS, SURFACE_NAMES
from sheetsim.experiments.descent.settings import Settings
from sheetsim.experiments.descent.texts import Live, Texts, for_lang
from sheetsim.xlsx.cells import Block, Named

# Named controls on Controls (formulas refer to these names, never to addresses).
NAME_SURFACE = "Surface"
NAME_STEPS = "Steps"
NAME_EPS = EPS.name
NAME_DIFF = "DiffStep"
NAME_SWEEP_LOW = "SweepLrLow"
NAME_SWEEP_HIGH = "SweepLrHigh"
NAME_MIN_X_LOW = "MinimaXLow"
NAME_MIN_X_HIGH = "MinimaXHigh"
NAME_MIN_LR_LOW = "MinimaLrLow"
NAME_MIN_LR_HIGH = "MinimaLrHigh"
NAME_SURFACE_LIST = "SurfaceNames"
NAME_NOISE = "Noise"
NAME_ESCAPE_HIGH = "EscapeNoiseHigh"


def start_names(surface: str) -> tuple[str, str]:
    """The defined names of a surface's start point: ``StartX_bowl``, ``StartY_bowl``."""
    return f"StartX_{surface}", f"StartY_{surface}"


# The chosen surface, computed on Surfaces (one named formula cell each).
SELECTED = ("SurfIndex", "SurfK", "ViewXMin", "ViewXMax", "ViewYMin", "ViewYMax", "StartX",
            "StartY")
NAME_INDEX, NAME_K, NAME_XMIN, NAME_XMAX, NAME_YMIN, NAME_YMAX, NAME_X0, NAME_Y0 = SELECTED

CONTROL_TOP = 3
CONTOUR_POINTS = 121
SWEEP_POINTS = 9
MINIMA_STARTS = 7
MINIMA_LRS = 5
RUN_HEAD = 3  # run sheets: row 3 the column labels, row 4 step 0
RUN_TOP = 4
DASH_TOP = 3  # Dashboard: header row of the tables

ESCAPE_LEVELS = 5
"""Rows of the escape table: noise levels evenly from 0 to EscapeNoiseHigh."""
ESCAPE_SEQUENCES = 40
"""Noise sequences per cell of the escape table: a share's standard error is at most
0.5/√40 ≈ 0.08."""
ESCAPE_MAX_STEPS = 100
"""The escape runs are as long as the paths, but at most this long: 5 levels × 5 rates ×
40 sequences are 1,000 runs, 101,000 cells at 100 steps."""
ESCAPE_START = 1.0
"""The escape runs start in the local minimum of two_minima."""
ESCAPE_BOUND = 4.0
"""An escape run beyond |x| = 4 has left both valleys (its next step would throw it
further): it stops there as #N/A and does not count as escaped. Inside the bound a run's
rounding is magnified at most a few times a step."""
ESCAPE_EDGE = -0.5
"""Halfway between the minima at x = −2 and x = 1: a run ending below it is nearer the
global one."""
ANALYSIS_MAX_STEPS = 1_000
"""The sweep, the two-minimum table and the plateau runs are as long as the paths, but at
most this long: 45 + 35 + 5 runs of 10,000 rows would be 3 million formulas."""


def analysis_steps(exp: Settings) -> int:
    """Steps of the runs of the sweep, the two-minimum table and the plateau."""
    return min(exp.steps, ANALYSIS_MAX_STEPS)


def escape_steps(exp: Settings) -> int:
    """Steps of the escape runs."""
    return min(exp.steps, ESCAPE_MAX_STEPS)


def state_columns(opt: str) -> tuple[str, ...]:
    """An optimizer's state as columns: one per coordinate (``vx``, ``vy``)."""
    return tuple(f"{s}{c}" for s in OPTIMIZERS[opt].state for c in "xy")


def path_columns(opt: str, noisy: bool = False) -> tuple[str, ...]:
    """The columns of ``<opt>_path``: x, y, loss first (the contract), then the analytic
    gradient (with gradient noise, the noisy gradient the step uses beside it), its central
    difference, the optimizer's state, and the chart's clipped x, y, loss."""
    step = ("lr_t",) if opt == "adam" else ()
    noise = ("ngx", "ngy") if noisy else ()
    return ("x", "y", "loss", "gx", "gy", *noise, "cdx", "cdy", *state_columns(opt), *step,
            "x_chart", "y_chart", "loss_chart")


def sweep_columns(opt: str) -> tuple[str, ...]:
    """The columns of one run of the learning-rate sweep."""
    return ("x", "y", "gx", "gy", *state_columns(opt))


def plateau_columns(opt: str) -> tuple[str, ...]:
    """The columns of one plateau run: x only (the plateau's x-motion does not depend on y
    for any of the optimizers, which all work coordinate by coordinate), and the lowest x
    so far."""
    return ("x", "gx", *(s + "x" for s in OPTIMIZERS[opt].state), "low")


def control_rows(exp: Settings) -> tuple[str, ...]:
    """The global controls on Controls, one per row (only the chosen optimizers')."""
    params = []
    for opt in exp.optimizers:
        o = OPTIMIZERS[opt]
        params += [PARAM_NAMES[o.lr_key], *(PARAM_NAMES[p] for p in o.params)]
    noise = (NAME_NOISE,) if exp.noisy else ()
    escape = (NAME_ESCAPE_HIGH,) if exp.noisy else ()
    return (NAME_SURFACE, NAME_STEPS, *noise, *params, NAME_EPS, NAME_DIFF, NAME_SWEEP_LOW,
            NAME_SWEEP_HIGH, NAME_MIN_X_LOW, NAME_MIN_X_HIGH, NAME_MIN_LR_LOW, NAME_MIN_LR_HIGH,
            *escape)


GUIDE_TOP = 2
"""The Guide's first heading row (row 0 the title)."""

Section = tuple[str, "str | tuple[str | Live, ...]"]


def guide_sections(exp: Settings, t: Texts) -> tuple[Section, ...]:
    """The Guide's sections in this workbook: with noise, its sections come before "What to
    try" (the last three sections are what to try, checking and colours). A live line about
    an optimizer the workbook lacks is left out."""
    cut = len(t.guide) - 3
    sections = (*t.guide[:cut], *t.guide_noise, *t.guide[cut:]) if exp.noisy else t.guide
    return tuple((heading, body if isinstance(body, str) else tuple(
        line for line in body
        if not (isinstance(line, Live) and line.needs and line.needs not in exp.optimizers)))
        for heading, body in sections)


def guide_rows(sections: tuple[Section, ...]) -> Iterator[tuple[int, str | Live, str]]:
    """Each heading and line of the Guide with its row and role: (row, text, ``heading``,
    ``paragraph`` (a section whose body is one string) or ``line``)."""
    r = GUIDE_TOP
    for heading, body in sections:
        yield r, heading, "heading"
        r += 1
        for line in (body,) if isinstance(body, str) else body:
            yield r, line, "paragraph" if isinstance(body, str) else "line"
            r += 1
        r += 1


@dataclass
class DescentPlan(Plan):
    """The plan, with the ways this experiment's code asks for its blocks."""

    settings: Settings

    @property
    def rows(self) -> int:
        """Rows of every path: step 0 … steps."""
        return self.settings.steps + 1

    @property
    def analysis_steps(self) -> int:
        """Steps of the sweep's, the table's and the plateau's runs."""
        return analysis_steps(self.settings)

    @property
    def noisy(self) -> bool:
        """Whether the workbook has gradient noise."""
        return self.settings.noisy

    def columns(self, opt: str) -> tuple[str, ...]:
        """The columns of ``<opt>_path`` in this workbook."""
        return path_columns(opt, self.noisy)

    @property
    def escape_steps(self) -> int:
        """Steps of the escape runs."""
        return escape_steps(self.settings)

    def path(self, opt: str) -> Block:
        """``<opt>_path``."""
        return self.blocks[f"{opt}_path"]

    def sweep(self, opt: str) -> Block:
        """``<opt>_sweep``: the sweep's runs of one optimizer, one group of columns per
        learning rate."""
        return self.blocks[f"{opt}_sweep"]

    @property
    def start_table_top(self) -> int:
        """The header row of the start-point table on Controls."""
        return CONTROL_TOP + len(control_rows(self.settings)) + 2

    def plateau_col(self, opt: str, name: str) -> int:
        """Column of ``name`` of ``opt``'s plateau run, within ``plateau_runs``."""
        col = 0
        for o in self.settings.optimizers:
            if o == opt:
                return col + plateau_columns(o).index(name)
            col += len(plateau_columns(o))
        raise KeyError(opt)


def plan(exp: Settings) -> DescentPlan:
    """Lay out the workbook of these settings (a ConfigError for live draws without
    noise: there would be nothing to draw)."""
    if exp.live and not exp.noisy:
        raise ConfigError("live: RAND() draws need gradient noise (--noise σ above 0)")
    p = DescentPlan(exp)
    opts = exp.optimizers
    n = len(opts)
    rows = exp.steps + 1
    runs = analysis_steps(exp) + 1
    noisy = exp.noisy
    p.sheets = ["Dashboard", "Controls", "Surfaces",
                *(OPTIMIZERS[o].label for o in opts), "Sweep", "Minima",
                *(("Escape",) if noisy else ()), "Plateau", *(("Draws",) if noisy else ()),
                "Guide"]

    # Controls: one named value per row, then the start point of every surface.
    for i, name in enumerate(control_rows(exp)):
        p.name(Named(name, "Controls", CONTROL_TOP + i, 1))
    top = p.start_table_top + 1
    for i, surface in enumerate(SURFACE_NAMES):
        sx, sy = start_names(surface)
        p.name(Named(sx, "Controls", top + i, 1))
        p.name(Named(sy, "Controls", top + i, 2))
    p.name(Named(NAME_SURFACE_LIST, "Controls", top, 0, len(SURFACE_NAMES), 1))

    # Surfaces: the chosen surface's constants, its level values and its level curves.
    p.add(Block("selected", "Surfaces", 3, 0, 1, len(SELECTED), "surface"))
    for j, name in enumerate(SELECTED):
        p.name(Named(name, "Surfaces", 3, j))
    p.add(Block("levels", "Surfaces", 6, 1, 1, LEVELS, "levels"))
    p.add(Block("contours", "Surfaces", 9, 0, CONTOUR_POINTS, 3 + 2 * LEVELS, "contours"))

    # One sheet per optimizer, named by its label: its path, and to the right its runs of
    # the sweep.
    for opt in opts:
        sheet = OPTIMIZERS[opt].label
        width = len(path_columns(opt, noisy))
        p.add(Block(f"{opt}_path", sheet, RUN_TOP, 1, rows, width, "trajectory"))
        p.add(Block(f"{opt}_sweep", sheet, RUN_TOP, width + 2, runs,
                    SWEEP_POINTS * len(sweep_columns(opt)), "sweep"))

    # Sweep: the learning rates, the final loss of each run, and the values charted.
    p.add(Block("sweep_lrs", "Sweep", 2, 1, 1, SWEEP_POINTS, "grid"))
    p.add(Block("sweep_loss", "Sweep", 5, 1, n, SWEEP_POINTS, "final_loss"))
    p.add(Block("sweep_shown", "Sweep", 7 + n, 1, n, SWEEP_POINTS, "chart"))

    # Minima: start points × learning rates of plain gradient descent on two_minima.
    p.add(Block("minima_lrs", "Minima", 3, 1, 1, MINIMA_LRS, "grid"))
    p.add(Block("minima_starts", "Minima", 4, 0, MINIMA_STARTS, 1, "grid"))
    p.add(Block("minima_final", "Minima", 4, 1, MINIMA_STARTS, MINIMA_LRS, "final_x"))
    p.add(Block("minima_runs", "Minima", 15, 1, runs, MINIMA_STARTS * MINIMA_LRS, "runs"))

    # Plateau: each optimizer's x on the plateau surface; the step it leaves the shelf.
    p.add(Block("plateau_escape", "Plateau", 3, 1, 1, n, "escape"))
    p.add(Block("plateau_shown", "Plateau", 4, 1, 1, n, "chart"))
    width = sum(len(plateau_columns(o)) for o in opts)
    p.add(Block("plateau_runs", "Plateau", 7, 1, runs, width, "runs"))

    if noisy:
        _noise_blocks(p)

    for row, line, _ in guide_rows(guide_sections(exp, for_lang(exp.lang))):
        if isinstance(line, Live):
            p.add(Block(f"guide_{line.key}", "Guide", row, 0, 1, 1, "text"))

    # Dashboard: subtitle, final positions, plateau escape, the two-minimum table.
    p.add(Block("dash_subtitle", "Dashboard", 1, 0, 1, 1, "dash"))
    p.add(Block("final", "Dashboard", DASH_TOP + 1, 1, n, 4, "dash"))
    p.add(Block("plateau_label", "Dashboard", DASH_TOP + 1, 5, n, 1, "dash"))
    p.add(Block("dash_minima_lrs", "Dashboard", DASH_TOP, 8, 1, MINIMA_LRS, "dash"))
    p.add(Block("dash_minima_starts", "Dashboard", DASH_TOP + 1, 7, MINIMA_STARTS, 1, "dash"))
    p.add(Block("minima_table", "Dashboard", DASH_TOP + 1, 8, MINIMA_STARTS, MINIMA_LRS,
                "classes"))
    return p


def _noise_blocks(p: DescentPlan) -> None:
    """The noise's draws and normals (Draws), and the escape table and its runs (Escape)."""
    rows, esc = p.rows, p.escape_steps
    m = ESCAPE_SEQUENCES
    p.add(Block("noise_u", "Draws", RUN_TOP, 1, rows, 2, "uniform"))
    p.add(Block("noise_z", "Draws", RUN_TOP, 4, rows, 2, "normal"))
    p.add(Block("escape_u", "Draws", RUN_TOP, 7, esc, m, "uniform"))
    p.add(Block("escape_z", "Draws", RUN_TOP, 8 + m, esc, m, "normal"))
    p.add(Block("escape_lrs", "Escape", 3, 1, 1, MINIMA_LRS, "grid"))
    p.add(Block("escape_levels", "Escape", 4, 0, ESCAPE_LEVELS, 1, "grid"))
    p.add(Block("escape", "Escape", 4, 1, ESCAPE_LEVELS, MINIMA_LRS, "escape"))
    p.add(Block("escape_runs", "Escape", 8 + ESCAPE_LEVELS, 1, esc + 1,
                ESCAPE_LEVELS * MINIMA_LRS * m, "runs"))


def escape_run(run: int) -> tuple[int, int, int]:
    """Run ``run`` of the escape runs as (noise level, learning rate, sequence)."""
    level, rest = divmod(run, MINIMA_LRS * ESCAPE_SEQUENCES)
    lr, seq = divmod(rest, ESCAPE_SEQUENCES)
    return level, lr, seq
