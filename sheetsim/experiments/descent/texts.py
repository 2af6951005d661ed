"""Every word the optimizer lab shows, in English and Japanese (``--lang en|ja``).

Sheet names and defined names stay ASCII in both languages; only what a reader sees changes.
"""

from __future__ import annotations

from dataclasses import dataclass

from sheetsim.experiments.common.texts import Languages


@dataclass(frozen=True)
class Live:
    """A Guide line whose numbers are formulas of the file: ``template`` with ``{field}``
    places, each filled by the formula of that field (``formulas.guide_field``) and, as
    the cached value, by the model's value of it."""

    key: str
    template: str
    needs: str = ""
    """An optimizer the line speaks of: without it in the workbook the line is left out."""


@dataclass(frozen=True)
class Texts:
    """Every word of the workbook in one language, by where it appears."""

    title: str
    controls_title: str
    controls_note: str
    control_labels: dict[str, str]
    control_help: dict[str, str]
    start_title: str
    start_headers: tuple[str, str, str, str]
    surfaces: dict[str, str]
    """What each surface is, in a line."""
    key_title: str
    key: tuple[str, str, str]
    surfaces_title: str
    selected_headers: tuple[str, ...]
    levels_label: str
    contour_headers: tuple[str, str, str]
    contour_branch: tuple[str, str]
    rules: dict[str, str]
    """Each optimizer's update rule, shown on its sheet."""
    step: str
    columns: dict[str, str]
    """Column headers of the runs (x, y, loss, ∂f/∂x …)."""
    path_caption: str
    sweep_caption: str
    sweep_run: str
    sweep_title: str
    sweep_note: str
    sweep_lr: str
    sweep_loss: str
    sweep_shown: str
    minima_title: str
    minima_note: str
    minima_corner: str
    minima_runs: str
    minima_run: str
    minima_classes: dict[str, str]
    plateau_title: str
    plateau_note: str
    plateau_escape: str
    plateau_shown: str
    dash_headers: tuple[str, ...]
    dash_minima_title: str
    chart_paths: str
    chart_loss: str
    chart_sweep: str
    chart_plateau: str
    axis_step: str
    axis_loss: str
    axis_lr: str
    axis_escape: str
    level_series: str
    guide: tuple[tuple[str, str | tuple[str | Live, ...]], ...]
    never: str
    panel: str
    """The title of one optimizer's panel."""
    """A plateau run that does not leave the shelf within the file's steps."""
    header: tuple[str, ...]
    """The Dashboard header's words around the settings: surface, start, steps, learning
    rates, noise."""
    draws_title: str
    draws_note: str
    draws_live: str
    draws_path: str
    draws_escape: str
    draws_columns: tuple[str, str, str, str]
    draws_sequence: str
    escape_title: str
    escape_note: str
    escape_corner: str
    escape_runs: str
    escape_run: str
    chart_escape: str
    axis_noise: str
    axis_share: str
    escape_series: str
    guide_noise: tuple[tuple[str, tuple[str | Live, ...]], ...]
    """The Guide's section on gradient noise (only in workbooks with noise)."""

    def run_label(self, lr_index: int) -> str:
        """The heading of run k of the sweep."""
        return self.sweep_run.format(k=lr_index + 1)


_COLUMNS_EN = {
    "x": "x", "y": "y", "loss": "loss f", "gx": "∂f/∂x", "gy": "∂f/∂y",
    "cdx": "∂f/∂x central diff.", "cdy": "∂f/∂y central diff.",
    "vx": "v (x)", "vy": "v (y)", "hx": "h (x)", "hy": "h (y)", "mx": "m (x)", "my": "m (y)",
    "lr_t": "step size lrₜ", "x_chart": "x (chart)", "y_chart": "y (chart)",
    "loss_chart": "loss (chart)", "low": "lowest x so far",
    "ngx": "∂f/∂x + noise", "ngy": "∂f/∂y + noise",
}

EN = Texts(
    title="Gradient descent: five optimizers on four loss surfaces",
    controls_title="Controls",
    controls_note=(
        "Change the yellow cells: every path, chart and table recomputes. The number of steps "
        "is fixed when the file is built (sheetsim build descent --steps N)."
    ),
    control_labels={
        "Surface": "Loss surface",
        "Steps": "Steps (fixed at build)",
        "LrSGD": "SGD learning rate",
        "LrMomentum": "Momentum learning rate",
        "MomentumBeta": "Momentum β",
        "LrAdaGrad": "AdaGrad learning rate",
        "LrRMSprop": "RMSprop learning rate",
        "RMSpropRho": "RMSprop decay ρ",
        "LrAdam": "Adam learning rate",
        "AdamBeta1": "Adam β₁",
        "AdamBeta2": "Adam β₂",
        "Eps": "ε",
        "DiffStep": "Central difference step",
        "SweepLrLow": "Sweep: lowest learning rate",
        "SweepLrHigh": "Sweep: highest learning rate",
        "MinimaXLow": "Two minima: first start x",
        "MinimaXHigh": "Two minima: last start x",
        "MinimaLrLow": "Two minima: lowest learning rate",
        "MinimaLrHigh": "Two minima: highest learning rate",
        "Noise": "Gradient noise σ",
        "EscapeNoiseHigh": "Escape table: highest noise",
    },
    control_help={
        "Surface": "bowl, two_minima, plateau, valley",
        "Steps": "Rows of every run after the start (fixed at build)",
        "LrSGD": "p ← p − lr·g (textbook: 0.95)",
        "LrMomentum": "v ← β·v − lr·g; p ← p + v (textbook: 0.1)",
        "MomentumBeta": "How much velocity is kept per step, 0 ≤ β < 1 (0.9)",
        "LrAdaGrad": "p ← p − lr·g/(√h + ε), h = sum of g² (textbook: 1.5)",
        "LrRMSprop": "As AdaGrad, h a decaying average of g² (0.1: first step 10·lr)",
        "RMSpropRho": "h ← ρ·h + (1 − ρ)·g², 0 ≤ ρ < 1 (0.99)",
        "LrAdam": "Step size before bias correction (textbook: 0.3)",
        "AdamBeta1": "Decay of the gradient's average m, 0 ≤ β₁ < 1 (0.9)",
        "AdamBeta2": "Decay of the average of g², 0 ≤ β₂ < 1 (0.999)",
        "Eps": "Added to √h or √v so a zero gradient does not divide by 0 (1e-7)",
        "DiffStep": "h = step · max(1, |coordinate|) for the central differences (0.001)",
        "SweepLrLow": "The sweep's 9 learning rates run evenly in log from here …",
        "SweepLrHigh": "… to here",
        "MinimaXLow": "The table's 7 start points run evenly from here …",
        "MinimaXHigh": "… to here",
        "MinimaLrLow": "The table's 5 learning rates run evenly in log from here …",
        "MinimaLrHigh": "… to here",
        "Noise": "Each step adds σ·z to each gradient coordinate, z ~ N(0, 1) from the Draws "
                 "sheet; every optimizer sees the same z (0: exact gradients)",
        "EscapeNoiseHigh": "The escape table's 5 noise levels run evenly from 0 to here",
    },
    start_title="Start point of each surface (the chosen surface's is used)",
    start_headers=("Surface", "Start x", "Start y", "What it is"),
    surfaces={
        "bowl": "f = x²/20 + y²: the textbook's bowl, 20× steeper across than along",
        "two_minima": "f = (x + 2)²(3x² − 8x + 8)/12 + y²: global minimum at x = −2, local "
                      "minimum at x = 1, a ridge at x = 0",
        "plateau": "f = tanh²(x) + max(0, |x| − 5)² + y²: a nearly flat shelf for "
                   "2.5 < x < 5 that is not a minimum",
        "valley": "f = (1 − x)² + 10(y − x²)²: a narrow curved valley (Rosenbrock), minimum "
                  "at (1, 1)",
    },
    key_title="Colour key",
    key=("Control: change it", "Fixed when the file was built", "Formula: computed"),
    surfaces_title="The chosen surface: constants, level values and level curves",
    selected_headers=("Index", "k", "x from", "x to", "y from", "y to", "Start x",
                      "Start y"),
    levels_label="Level values c",
    contour_headers=("x", "g(x)", "m(x)"),
    contour_branch=("c{j} upper", "c{j} lower"),
    rules={
        "sgd": "SGD: p ← p − lr·g",
        "momentum": "Momentum: v ← β·v − lr·g;  p ← p + v",
        "adagrad": "AdaGrad: h ← h + g²;  p ← p − lr·g / (√h + ε)",
        "rmsprop": "RMSprop: h ← ρ·h + (1 − ρ)·g²;  p ← p − lr·g / (√h + ε)",
        "adam": "Adam: m ← β₁·m + (1 − β₁)·g;  v ← β₂·v + (1 − β₂)·g²;  "
                "p ← p − lrₜ·m / (√v + ε),  lrₜ = lr·√(1 − β₂ᵗ) / (1 − β₁ᵗ)",
    },
    step="step",
    columns=_COLUMNS_EN,
    path_caption="Path on the chosen surface: one row per step, from the row above",
    sweep_caption="Learning-rate sweep: the same optimizer with each of the 9 learning rates",
    sweep_run="lr #{k}",
    sweep_title="Learning-rate sweep: the loss where each run ends",
    sweep_note=("9 learning rates × each optimizer, every run as many steps as the paths (at "
                "most 1,000), from the same start. The runs are on the optimizer sheets, right "
                "of the path."),
    sweep_lr="learning rate",
    sweep_loss="Loss after the last step",
    sweep_shown="As charted (clipped to 1e-16 … 1e12)",
    minima_title="Two minima: where plain gradient descent (SGD) ends",
    minima_note=("Surface two_minima, whatever surface is chosen. Within 0.1 of x = −2: "
                 "global; of x = 1: local; |x| > 100 or overflow: diverged."),
    minima_corner="start x \\ lr",
    minima_runs="The runs (x; y does not change where x goes): start point × learning rate",
    minima_run="x₀ #{i}, lr #{j}",
    minima_classes={"global": "global", "local": "local", "diverged": "diverged",
                    "neither": "neither"},
    plateau_title="Plateau: how long each optimizer needs to leave the shelf (x < 2)",
    plateau_note=("Surface plateau, whatever surface is chosen, from its start; each "
                  "optimizer with its own learning rate. x only: y does not change x here."),
    plateau_escape="First step with x < 2",
    plateau_shown="As charted (#N/A: never)",
    dash_headers=("Optimizer", "Learning rate", "Final x", "Final y", "Final loss",
                  "Plateau surface: leaves at step"),
    dash_minima_title="Always on two_minima (SGD): which minimum each start × learning rate "
                      "reaches",
    chart_paths="Paths over the level curves of the chosen surface (off the window: drawn "
                "on its edge)",
    chart_loss="Loss by step",
    chart_sweep="Learning-rate sweep: loss after the last step",
    chart_plateau="Always on the plateau surface: steps to leave the shelf (no bar: never "
                  "within {last} steps)",
    axis_step="step",
    axis_loss="loss (log scale; above 1e12 drawn at 1e12)",
    axis_lr="learning rate (log scale)",
    axis_escape="steps",
    level_series="level curves",
    never="never",
    panel="{name} alone",
    header=("Surface ", " from (", ", ", ")   ", " steps   optimizers (learning rates below): ",
            "   gradient noise σ "),
    guide=(
        ("What this workbook is",
         "Learning means making a loss small by changing parameters. Gradient descent does "
         "it without seeing the whole landscape: at the current point it measures the "
         "slope (the gradient) and takes a step downhill, again and again. Here two "
         "parameters x and y live on a chosen loss surface f(x, y), and five optimizers start "
         "from the same point. Every step is one row of formulas computed from the row "
         "above, so changing a learning rate, a β, the start or the surface redraws every "
         "path at once."),
        ("How to read it",
         "Dashboard: the final position of each optimizer; the paths over level curves of f "
         "(points outside the chart's window are drawn on its edge); the loss by step on a "
         "log scale (values are drawn between 1e-16 and 1e12); the learning-rate sweep; the "
         "two-minimum table; the plateau. Each optimizer's sheet lists its path: x, y, the "
         "loss, the analytic gradient and beside it a central difference "
         "(f(x + h) − f(x − h)) / 2h, h = DiffStep · max(1, |x|). The two differ only by "
         "about h²·f‴/6, small with the default step (on the bowl, whose f is quadratic, "
         "by rounding alone), which shows the gradient formula is right. Then the "
         "optimizer's memory (velocity v, sums of squares h, averages m and v) and, right "
         "of the path, its runs of the sweep."),
        ("The surfaces",
         "bowl: x²/20 + y² from (−7, 2), the comparison of the book 'Deep Learning from "
         "Scratch'. It is 20 times steeper in y than in x, so a step that suits x is far too "
         "large for y: SGD zigzags. two_minima: a global minimum at x = −2 and a local one "
         "at x = 1; the start and the learning rate decide which is reached. plateau: a "
         "shelf where the slope is tiny but not zero, so it is not a minimum; plain gradient "
         "descent crawls there. valley: Rosenbrock's narrow curved valley. A saddle was the "
         "other choice; the valley was taken because its loss stays at or above 0 (a "
         "saddle's falls without end, so every run diverges and no loss chart on a log "
         "scale is possible), because 'a slope of 0 that is not a minimum' is already shown "
         "by the plateau and by the ridge of two_minima, and because only a curved valley "
         "shows the direction of descent turning from step to step, where momentum "
         "overshoots the walls and per-coordinate step sizes cannot follow the bend."),
        ("The optimizers", (
         "SGD steps against the gradient, lr times its size. Momentum keeps a velocity: "
         "each step adds to it and β of it survives, so it gathers speed on long slopes and "
         "rolls on over small bumps. AdaGrad divides each coordinate's step by the root of "
         "the sum of all its squared gradients so far: steep directions get small steps, "
         "but the sum only grows and the steps shrink for good. RMSprop keeps a decaying "
         "average of the squares instead (ρ = 0.99 remembers about the last 100 steps). "
         "Adam combines a momentum-like average m with RMSprop's average of squares and "
         "corrects both for starting at 0.",
         Live("rmsprop_first", "RMSprop has no bias correction, so its first step is "
              "lr/√(1 − ρ) in each coordinate whatever the gradient: in this file LrRMSprop "
              "and ρ = {rho} make it {rms_first}.", needs="rmsprop"))),
        ("The learning rate",
         "A large learning rate moves fast and may reach the minimum in few steps, but near "
         "it the steps overshoot and the run can swing or diverge. A small one is accurate "
         "but slow, and it stops in whatever valley it starts in, which may be a local "
         "minimum. Try SGD on the bowl: 0.95 zigzags in y but converges; 1.0 swings "
         "between y = 2 and y = −2 for ever; 1.05 diverges."),
        ("The sweep (fixed size)",
         "For each optimizer, 9 runs with learning rates spread evenly in log between "
         "SweepLrLow and SweepLrHigh, all as many steps as the paths (at most 1,000) and from "
         "the same start, and the loss where each ends. The size is fixed when the file is "
         "built: 9 learning rates × each optimizer × the steps; the range, the surface and "
         "the other constants stay live. The two-minimum table and the plateau runs are as "
         "long. SGD and Momentum diverge above a limit (on the bowl lr > 1 and "
         "lr > 2(1 + β)/2 = 1.9); the adaptive optimizers divide by the gradient's size and "
         "do not run away, but with large rates they hop around the minimum."),
        ("Local and global minima",
         "The table runs plain gradient descent on two_minima from 7 start points with 5 "
         "learning rates and says where each run is after the last step. Small steps stay "
         "in the valley they start in. A large enough step can jump the ridge at x = 0 into "
         "the global minimum, or out of the sharp global valley (curvature 6, stable only "
         "for lr < 1/3) into the wider local one (curvature 3). A run started exactly on the "
         "ridge never moves: its slope is 0 though it is a maximum."),
        ("Plateaus", (
         "On the plateau surface the loss is almost flat for 2.5 < x < 5 (tanh saturates "
         "there, as a sigmoid neuron does). The gradient is tiny, so plain gradient descent "
         "moves tiny steps and looks converged though it is nowhere near the minimum at 0.",
         Live("plateau_now", "In this file, from x = {x0} on the plateau surface, the first "
              "step with x < 2 within {steps} steps: {escapes}."),
         "From x = 6 with the textbook's settings, Momentum keeps the speed it gained on "
         "the wall and crosses at step 18, Adam at step 65. Adam's division by the "
         "gradient's recent size is not what carries it: RMSprop divides the same way and, "
         "at its lr of 0.1 with ρ = 0.99, needs 540 steps (133 with ρ = 0.9). What carries "
         "Adam is its momentum and its larger rate: with β₁ = 0 Adam needs 656 steps, and "
         "RMSprop at Adam's rate of 0.3 crosses at step 17. AdaGrad never forgets the "
         "wall's large gradients and stays slow.")),
        ("What to try",
         "1. On the bowl, set LrSGD to 1.05 and watch it diverge; set it to 0.1 "
         "and watch it crawl along x. 2. Set MomentumBeta to 0: Momentum becomes SGD. "
         "3. Choose two_minima: which optimizers roll over the ridge into the global "
         "minimum? Move StartX_two_minima to −1. 4. Choose plateau and compare the paths; "
         "then lower RMSpropRho to 0.9. 5. Choose valley: SGD needs a learning rate near "
         "0.01 there; which optimizer follows the bend best? 6. Set Eps to 1 and watch the "
         "adaptive optimizers slow down near the minimum."),
        ("Checking it",
         "sheetsim verify recomputes every formula of this file from its text with NumPy and "
         "compares it with the stored values and with an independent NumPy model of the "
         "optimizers run on the controls in the file; --engine libreoffice or gnumeric first "
         "recalculates the file in that spreadsheet. Runs that bounce chaotically (large "
         "learning rates on flat ground) magnify the last bit of rounding step by step, so "
         "engines that round differently may disagree there."),
        ("Colours",
         "Yellow cells are controls you may change. Grey cells were fixed when the file "
         "was built. Black numbers are formulas."),
    ),
    draws_title="Draws: the gradient noise's random numbers",
    draws_note=("Blue: uniform draws u in (0, 1), stored when the file was built. "
                "z = NORM.S.INV(u) is a standard normal draw; each step adds Noise·z to the "
                "gradient."),
    draws_live="Blue: =RAND() draws, new at every recalculation (F9). z = NORM.S.INV(u).",
    draws_path="The paths' noise: row t is added to the gradient at step t (all optimizers)",
    draws_escape="The escape runs' noise: one sequence per column",
    draws_columns=("u (x)", "u (y)", "z (x)", "z (y)"),
    draws_sequence="seq. {m}",
    escape_title="Escape: how often noisy SGD leaves the local minimum of two_minima",
    escape_note=("Surface two_minima, whatever surface is chosen. SGD starts at the local "
                 "minimum x = 1; each step adds σ·z to the gradient. Each cell: the share of "
                 "{m} noise sequences that end nearer the global minimum (x < −0.5)."),
    escape_corner="noise σ \\ lr",
    escape_runs="The runs (x): noise level × learning rate × sequence",
    escape_run="σ #{k}, lr #{j}, seq. {m}",
    chart_escape="Escape from the local minimum (two_minima, SGD from x = 1): share of runs "
                 "ending near x = −2, one line per learning rate",
    axis_noise="gradient noise σ",
    axis_share="share of sequences",
    escape_series="lr ",
    guide_noise=(
        ("Gradient noise: what a mini-batch does", (
            "Training on all examples at once gives the exact gradient. Stochastic gradient "
            "descent takes a mini-batch of B examples at a time, in a random order: its "
            "gradient points the right way on average, but each batch errs a little, and "
            "the error shrinks as 1/√B as the batch grows. Noise stands for that error: "
            "each step adds σ·z to each coordinate of the gradient, z a standard normal "
            "draw (the Draws sheet, blue), and every optimizer sees the same sequence.",
            Live("noise_size", "In this file Noise = {noise}: a batch 4 times as large "
                 "would halve it to {noise_half}, one 100 times as large cut it to "
                 "{noise_tenth}; Noise = 0 is the exact gradient."),
        )),
        ("Noise costs precision at the bottom", (
            "Near a minimum the exact gradient shrinks to 0, but the noise does not, so the "
            "steps never stop and the loss does not go to 0: it hovers at a level set by the "
            "learning rate and σ.",
            Live("noise_floor", "On {surface}, over the last {half} steps the loss "
                 "averages {averages}. One step's loss is one draw about that level, so the "
                 "last step alone may land well below or above it."),
            Live("noise_theory", "For SGD on the bowl, theory puts the level at "
                 "lr·σ²/2·(1/(2 − lr/10) + 1/(2 − 2·lr)) for lr < 1, here {floor} (lr = "
                 "{lr_sgd}, σ = {noise}): it grows with the learning rate and with σ², and "
                 "only σ = 0 lets the loss go to 0.", needs="sgd"),
        )),
        ("Noise lets SGD leave a local minimum", (
            Live("noise_escape", "The escape table (Escape sheet, chart on the Dashboard) "
                 "starts SGD at the local minimum x = 1 of two_minima, {sequences} times for "
                 "each noise level from 0 to {high} and each learning rate, and counts the "
                 "share of runs that are nearer the global minimum x = −2 after "
                 "{escape_steps} steps."),
            "Without noise no run moves: the first row is 0. With noise, a run is kicked "
            "about the local valley and now and then over the ridge at x = 0; from the "
            "deeper global valley it rarely climbs back. The kick of a step is lr·σ·z, so a "
            "small learning rate needs much more noise to escape in the same number of "
            "steps, and too much noise at a large learning rate throws the run out of both "
            "valleys, where it diverges (an overflowed run is not counted as escaped). "
            "The sweep, the two-minimum table and the plateau runs use exact gradients.",
        )),
    ),
)

_COLUMNS_JA = {
    "x": "x", "y": "y", "loss": "損失 f", "gx": "∂f/∂x", "gy": "∂f/∂y",
    "cdx": "∂f/∂x 中心差分", "cdy": "∂f/∂y 中心差分",
    "vx": "v（x）", "vy": "v（y）", "hx": "h（x）", "hy": "h（y）", "mx": "m（x）",
    "my": "m（y）", "lr_t": "ステップ幅 lrₜ", "x_chart": "x（グラフ用）",
    "y_chart": "y（グラフ用）", "loss_chart": "損失（グラフ用）", "low": "これまでの最小の x",
    "ngx": "∂f/∂x + ノイズ", "ngy": "∂f/∂y + ノイズ",
}

JA = Texts(
    title="勾配降下法：4 つの損失関数の地形と 5 つの最適化手法",
    controls_title="設定",
    controls_note=(
        "黄色のセルを変えると、すべての経路・グラフ・表が再計算されます。ステップ数は"
        "ファイル作成時に決まります（sheetsim build descent --steps N）。"
    ),
    control_labels={
        "Surface": "損失関数の地形",
        "Steps": "ステップ数（作成時に固定）",
        "LrSGD": "SGD の学習率",
        "LrMomentum": "Momentum の学習率",
        "MomentumBeta": "Momentum の β",
        "LrAdaGrad": "AdaGrad の学習率",
        "LrRMSprop": "RMSprop の学習率",
        "RMSpropRho": "RMSprop の減衰率 ρ",
        "LrAdam": "Adam の学習率",
        "AdamBeta1": "Adam の β₁",
        "AdamBeta2": "Adam の β₂",
        "Eps": "ε",
        "DiffStep": "中心差分の刻み",
        "SweepLrLow": "スイープ：最小の学習率",
        "SweepLrHigh": "スイープ：最大の学習率",
        "MinimaXLow": "2 つの極小：最初の開始 x",
        "MinimaXHigh": "2 つの極小：最後の開始 x",
        "MinimaLrLow": "2 つの極小：最小の学習率",
        "MinimaLrHigh": "2 つの極小：最大の学習率",
        "Noise": "勾配ノイズ σ",
        "EscapeNoiseHigh": "脱出の表：最大のノイズ",
    },
    control_help={
        "Surface": "bowl, two_minima, plateau, valley",
        "Steps": "開始点のあとに続く各経路の行数（作成時に固定）",
        "LrSGD": "p ← p − lr·g（教科書の値：0.95）",
        "LrMomentum": "v ← β·v − lr·g; p ← p + v（教科書の値：0.1）",
        "MomentumBeta": "1 ステップごとに残す速度の割合、0 ≤ β < 1（0.9）",
        "LrAdaGrad": "p ← p − lr·g/(√h + ε)、h は g² の総和（教科書の値：1.5）",
        "LrRMSprop": "AdaGrad と同じ形で h は g² の減衰平均（0.1：最初の一歩は 10·lr）",
        "RMSpropRho": "h ← ρ·h + (1 − ρ)·g²、0 ≤ ρ < 1（0.99）",
        "LrAdam": "バイアス補正前のステップ幅（教科書の値：0.3）",
        "AdamBeta1": "勾配の平均 m の減衰率、0 ≤ β₁ < 1（0.9）",
        "AdamBeta2": "g² の平均の減衰率、0 ≤ β₂ < 1（0.999）",
        "Eps": "勾配が 0 のとき 0 で割らないよう √h や √v に足す値（1e-7）",
        "DiffStep": "中心差分の h = 刻み · max(1, |座標|)（0.001）",
        "SweepLrLow": "スイープの 9 つの学習率は対数で等間隔にここから…",
        "SweepLrHigh": "…ここまで",
        "MinimaXLow": "表の 7 つの開始点は等間隔にここから…",
        "MinimaXHigh": "…ここまで",
        "MinimaLrLow": "表の 5 つの学習率は対数で等間隔にここから…",
        "MinimaLrHigh": "…ここまで",
        "Noise": "各ステップで勾配の各座標に σ·z を足します。z ~ N(0, 1) は Draws シートから。"
                 "どの手法も同じ z を使います（0：正確な勾配）",
        "EscapeNoiseHigh": "脱出の表の 5 つのノイズの大きさは 0 からここまで等間隔",
    },
    start_title="地形ごとの開始点（選んだ地形のものを使います）",
    start_headers=("地形", "開始 x", "開始 y", "どんな地形か"),
    surfaces={
        "bowl": "f = x²/20 + y²：教科書のお椀。横より縦が 20 倍急",
        "two_minima": "f = (x + 2)²(3x² − 8x + 8)/12 + y²：x = −2 に大域最小、x = 1 に局所最小、"
                      "x = 0 に尾根",
        "plateau": "f = tanh²(x) + max(0, |x| − 5)² + y²：2.5 < x < 5 にほぼ平らな棚"
                   "（最小ではない）",
        "valley": "f = (1 − x)² + 10(y − x²)²：細く曲がった谷（Rosenbrock）、最小は (1, 1)",
    },
    key_title="色の意味",
    key=("設定：変更できます", "ファイル作成時に固定", "数式：計算結果"),
    surfaces_title="選んだ地形：定数・等高線の値・等高線",
    selected_headers=("番号", "k", "x の左端", "x の右端", "y の下端", "y の上端", "開始 x",
                      "開始 y"),
    levels_label="等高線の値 c",
    contour_headers=("x", "g(x)", "m(x)"),
    contour_branch=("c{j} 上側", "c{j} 下側"),
    rules={
        "sgd": "SGD：p ← p − lr·g",
        "momentum": "Momentum：v ← β·v − lr·g;  p ← p + v",
        "adagrad": "AdaGrad：h ← h + g²;  p ← p − lr·g / (√h + ε)",
        "rmsprop": "RMSprop：h ← ρ·h + (1 − ρ)·g²;  p ← p − lr·g / (√h + ε)",
        "adam": "Adam：m ← β₁·m + (1 − β₁)·g;  v ← β₂·v + (1 − β₂)·g²;  "
                "p ← p − lrₜ·m / (√v + ε)、lrₜ = lr·√(1 − β₂ᵗ) / (1 − β₁ᵗ)",
    },
    step="ステップ",
    columns=_COLUMNS_JA,
    path_caption="選んだ地形の上の経路：1 行が 1 ステップで、上の行から計算します",
    sweep_caption="学習率スイープ：同じ手法を 9 つの学習率それぞれで",
    sweep_run="lr #{k}",
    sweep_title="学習率スイープ：各実行の最後の損失",
    sweep_note=("9 つの学習率 × 各手法。どれも経路と同じステップ数（最大 1,000）で同じ開始点から。"
                "実行の中身は各手法のシートの経路の右にあります。"),
    sweep_lr="学習率",
    sweep_loss="最後のステップの損失",
    sweep_shown="グラフに描く値（1e-16 〜 1e12 に切り詰め）",
    minima_title="2 つの極小：素の勾配降下法（SGD）がたどり着く先",
    minima_note=("地形 two_minima で計算します（選んだ地形によらない）。x = −2 から 0.1 以内なら"
                 "大域、x = 1 から 0.1 以内なら局所、|x| > 100 かあふれたら発散。"),
    minima_corner="開始 x ＼ 学習率",
    minima_runs="実行の中身（x のみ。y は x の動きに影響しません）：開始点 × 学習率",
    minima_run="x₀ #{i}, lr #{j}",
    minima_classes={"global": "大域", "local": "局所", "diverged": "発散",
                    "neither": "その他"},
    plateau_title="プラトー：各手法が棚（x < 2 になるまで）を抜けるのに要するステップ数",
    plateau_note=("地形 plateau の開始点から計算します（選んだ地形によらない）。各手法は自分の"
                  "学習率で。x のみ：ここでは y が x の動きに影響しません。"),
    plateau_escape="x < 2 になる最初のステップ",
    plateau_shown="グラフに描く値（#N/A：抜けない）",
    dash_headers=("手法", "学習率", "最後の x", "最後の y", "最後の損失",
                  "plateau 地形：抜けるステップ"),
    dash_minima_title="常に two_minima で（SGD）：開始点 × 学習率ごとにどちらの極小に着くか",
    chart_paths="選んだ地形の等高線の上の経路（枠の外の点は枠の縁に描く）",
    chart_loss="ステップごとの損失",
    chart_sweep="学習率スイープ：最後のステップの損失",
    chart_plateau="常に plateau の地形で：棚を抜けるまでのステップ数（棒なし：{last} ステップ"
                  "以内に抜けない）",
    axis_step="ステップ",
    axis_loss="損失（対数目盛、1e12 より上は 1e12 に描く）",
    axis_lr="学習率（対数目盛）",
    axis_escape="ステップ数",
    level_series="等高線",
    never="抜けない",
    panel="{name} のみ",
    header=("地形 ", "、開始点 (", ", ", ")   ", " ステップ   手法（学習率は下の表）：",
            "   勾配ノイズ σ "),
    guide=(
        ("このブックについて",
         "学習とは、パラメータを変えて損失を小さくすることです。勾配降下法は地形の全体像を"
         "知らないまま、いまいる点での傾き（勾配）を測り、下る向きに一歩進むことを繰り返します。"
         "ここでは 2 つのパラメータ x と y が選んだ損失関数の地形 f(x, y) の上にあり、"
         "5 つの最適化手法が同じ点から出発します。1 ステップが上の行から計算される数式の 1 行"
         "なので、学習率・β・開始点・地形のどれを変えてもすべての経路が描き直されます。"),
        ("読み方",
         "Dashboard：各手法の最後の位置、f の等高線の上の経路（グラフの枠の外の点は枠の縁に"
         "描きます）、対数目盛のステップごとの損失（1e-16 〜 1e12 の範囲で描きます）、"
         "学習率スイープ、2 つの極小の表、プラトー。各手法のシートには経路があります："
         "x、y、損失、解析的な勾配とその横の中心差分 (f(x + h) − f(x − h)) / 2h。"
         "（h = DiffStep · max(1, |x|)）。両者の差はおよそ h²·f‴/6 にすぎず、既定の刻みでは"
         "小さく（f が二次式の bowl では丸め誤差だけ）、勾配の式が正しいことを示します。"
         "その右に手法の記憶（速度 v、二乗和 h、平均 m と v）、"
         "さらに右にスイープの実行があります。"),
        ("地形",
         "bowl：x²/20 + y²、開始点 (−7, 2)。『ゼロから作る Deep Learning』の比較と同じです。"
         "x より y の方向が 20 倍急なので、x に合う一歩は y には大きすぎ、SGD はジグザグに"
         "進みます。two_minima：x = −2 に大域最小、x = 1 に局所最小があり、開始点と学習率で"
         "どちらに着くかが決まります。plateau：傾きがとても小さいが 0 ではない棚で、最小では"
         "ありません。素の勾配降下法はそこでほとんど進めません。valley：Rosenbrock の細く"
         "曲がった谷です。鞍点という選択肢もありましたが、谷を選びました。損失が 0 以上に"
         "とどまること（鞍点の損失は限りなく下がるので、どの実行も発散し、対数目盛の損失の"
         "グラフが描けません）、「最小でないのに傾きが 0」はプラトーと two_minima の尾根で"
         "すでに見られること、そして曲がった谷だけが、下る向きが一歩ごとに変わる様子"
         "（Momentum が谷の壁を越えて行き過ぎ、座標ごとのステップ幅が曲がりに沿えない）を"
         "見せてくれるからです。"),
        ("最適化手法", (
         "SGD は勾配の逆向きに、学習率 × 勾配の大きさだけ進みます。Momentum は速度を持ちます。"
         "各ステップが速度に加わり、その β 倍が残るので、長い坂で加速し、小さな起伏を"
         "乗り越えます。AdaGrad は座標ごとのステップを、これまでの勾配の二乗の総和の平方根で"
         "割ります。急な方向ほど小さく進みますが、総和は増える一方なので、ステップは小さく"
         "なったまま戻りません。RMSprop は総和の代わりに二乗の減衰平均を使います（ρ = 0.99 なら"
         "およそ直近 100 ステップを覚えています）。Adam は Momentum のような平均 m と RMSprop の"
         "二乗平均を組み合わせ、どちらも 0 から始まる偏りを補正します。",
         Live("rmsprop_first", "RMSprop にはバイアス補正がないため、最初の一歩は勾配によらず"
              "各座標で lr/√(1 − ρ) です。このファイルでは LrRMSprop と ρ = {rho} なので "
              "{rms_first} です。", needs="rmsprop"))),
        ("学習率",
         "学習率が大きいと速く進み、少ないステップで最小に着くこともありますが、最小の近くで"
         "行き過ぎて振動したり発散したりします。小さいと正確ですが遅く、出発した谷に"
         "とどまります。それが局所最小のこともあります。bowl で SGD を試してください："
         "0.95 は y 方向にジグザグしながら収束し、1.0 は y = 2 と y = −2 の間を往復し続け、"
         "1.05 は発散します。"),
        ("スイープ（大きさは固定）",
         "各手法について、SweepLrLow から SweepLrHigh まで対数で等間隔な 9 つの学習率で実行し、"
         "それぞれの最後の損失を求めます。どれも経路と同じステップ数（最大 1,000）で、同じ開始点"
         "からです。大きさはファイル作成時に決まります（9 つの学習率 × 各手法 × ステップ数）。"
         "範囲・地形・その他の定数は変更できます。2 つの極小の表とプラトーの実行も同じ長さです。"
         "SGD と Momentum はある値を超えると発散します"
         "（bowl では lr > 1 と lr > 2(1 + β)/2 = 1.9）。適応的な手法は勾配の大きさで割るので"
         "暴走はしませんが、学習率が大きいと最小のまわりを跳ね回ります。"),
        ("局所最小と大域最小",
         "表は two_minima 上で素の勾配降下法を 7 つの開始点と 5 つの学習率で実行し、"
         "最後のステップでどこにいるかを示します。小さな一歩では出発した谷にとどまります。"
         "十分大きな一歩は x = 0 の尾根を越えて大域最小に入ることも、逆に鋭い大域最小の谷"
         "（曲率 6、lr < 1/3 でしか安定しない）から広い局所最小の谷（曲率 3）へ飛び出すことも"
         "あります。ちょうど尾根から出発した実行は動きません。最大点なのに傾きが 0 だからです。"),
        ("プラトー", (
         "plateau の地形では 2.5 < x < 5 で損失がほぼ平らです（シグモイドのニューロンと同じく、"
         "そこで tanh が飽和します）。勾配がとても小さいので、素の勾配降下法は小さな一歩しか"
         "進まず、最小の x = 0 から遠いのに収束したように見えます。",
         Live("plateau_now", "このファイルでは plateau の地形の x = {x0} から、{steps} ステップ"
              "以内に x < 2 になる最初のステップは：{escapes}。"),
         "x = 6 から教科書の設定では、Momentum は壁を下るときに得た速度を保ってステップ 18 で、"
         "Adam はステップ 65 で渡ります。Adam を運ぶのは直近の勾配の大きさで割ることでは"
         "ありません。RMSprop も同じように割りますが、学習率 0.1、ρ = 0.99 では 540 ステップ"
         "かかります（ρ = 0.9 なら 133）。Adam を運ぶのはモメンタムと大きな学習率です。"
         "β₁ = 0 の Adam は 656 ステップかかり、Adam と同じ学習率 0.3 の RMSprop はステップ 17 "
         "で渡ります。AdaGrad は壁の大きな勾配を忘れないので遅いままです。")),
        ("試してみること",
         "1. bowl で LrSGD を 1.05 にすると発散し、0.1 にすると x 方向に這うように"
         "進みます。2. MomentumBeta を 0 にすると Momentum は SGD になります。"
         "3. two_minima を選び、どの手法が尾根を越えて大域最小に入るか見ます。"
         "StartX_two_minima を −1 にしてみます。4. plateau を選んで経路を比べ、RMSpropRho を "
         "0.9 に下げてみます。5. valley を選ぶと SGD には 0.01 くらいの学習率が必要です。"
         "どの手法が曲がりにいちばんよく沿うでしょう。6. Eps を 1 にすると、適応的な手法が"
         "最小の近くで遅くなります。"),
        ("検証",
         "sheetsim verify はこのファイルのすべての数式をその文字列から NumPy で計算し直し、"
         "保存された値と、ファイルの設定で動かした独立の NumPy モデルと比べます。"
         "--engine libreoffice または gnumeric を付けると、先にその表計算ソフトで再計算します。"
         "平らな所で大きな学習率で跳ね回るような実行は、丸め誤差の最後の 1 ビットを一歩ごとに"
         "増幅するので、丸め方の違うソフトどうしではそこが一致しないことがあります。"),
        ("色",
         "黄色のセルは変更できる設定、灰色のセルはファイル作成時に固定されたもの、"
         "黒い数値は数式です。"),
    ),
    draws_title="Draws：勾配ノイズの乱数",
    draws_note=("青：(0, 1) の一様乱数 u（ファイル作成時に保存）。z = NORM.S.INV(u) は標準正規"
                "乱数で、各ステップで Noise·z を勾配に足します。"),
    draws_live="青：=RAND() の乱数（再計算 F9 のたびに新しくなる）。z = NORM.S.INV(u)。",
    draws_path="経路のノイズ：行 t はステップ t の勾配に足します（全手法共通）",
    draws_escape="脱出の実行のノイズ：列ごとに 1 つの系列",
    draws_columns=("u（x）", "u（y）", "z（x）", "z（y）"),
    draws_sequence="系列 {m}",
    escape_title="脱出：ノイズのある SGD が two_minima の局所最小を抜ける割合",
    escape_note=("地形 two_minima で計算します（選んだ地形によらない）。SGD は局所最小 x = 1 "
                 "から出発し、各ステップで勾配に σ·z を足します。各セルは {m} のノイズ系列の"
                 "うち大域最小の近く（x < −0.5）で終わる割合です。"),
    escape_corner="ノイズ σ ＼ 学習率",
    escape_runs="実行の中身（x）：ノイズの大きさ × 学習率 × 系列",
    escape_run="σ #{k}, lr #{j}, 系列 {m}",
    chart_escape="局所最小からの脱出（two_minima、SGD、x = 1 から）：x = −2 の近くで終わる割合"
                 "（線は学習率ごと）",
    axis_noise="勾配ノイズ σ",
    axis_share="系列の割合",
    escape_series="lr ",
    guide_noise=(
        ("勾配ノイズ：ミニバッチがすること", (
            "すべての例を一度に使えば勾配は正確です。確率的勾配降下法は B 個の例からなる"
            "ミニバッチをランダムな順に使います。その勾配は平均では正しい向きですが、バッチ"
            "ごとに少しずれ、そのずれはバッチを大きくすると 1/√B で小さくなります。Noise は"
            "そのずれを表します。各ステップで勾配の各座標に σ·z（z は標準正規乱数、Draws "
            "シートの青いセル）を足し、どの手法も同じ系列を使います。",
            Live("noise_size", "このファイルでは Noise = {noise}。バッチを 4 倍にすると "
                 "{noise_half}、100 倍にすると {noise_tenth} になります。Noise = 0 は正確な"
                 "勾配です。"),
        )),
        ("ノイズは底での精度を下げる", (
            "最小の近くでは正確な勾配は 0 に近づきますが、ノイズは消えません。そのため"
            "ステップが止まらず、損失は 0 にならずに、学習率と σ で決まる高さのあたりを"
            "さまよいます。",
            Live("noise_floor", "{surface} の上で、最後の {half} ステップの損失の平均は "
                 "{averages} です。1 ステップの損失はその高さのまわりの 1 回の抽選なので、"
                 "最後のステップだけではずっと下や上になることがあります。"),
            Live("noise_theory", "bowl 上の SGD では、理論上その高さは lr < 1 のとき "
                 "lr·σ²/2·(1/(2 − lr/10) + 1/(2 − 2·lr))、ここでは {floor} です（lr = "
                 "{lr_sgd}、σ = {noise}）。学習率と σ² とともに大きくなり、σ = 0 のときだけ"
                 "損失は 0 に向かいます。", needs="sgd"),
        )),
        ("ノイズで SGD は局所最小から抜け出せる", (
            Live("noise_escape", "脱出の表（Escape シート、グラフは Dashboard）は two_minima "
                 "の局所最小 x = 1 から SGD を、0 から {high} までの各ノイズの大きさと各学習率"
                 "について {sequences} 回ずつ走らせ、{escape_steps} ステップ後に大域最小 x = −2 の"
                 "ほうが近い実行の割合を数えます。"),
            "ノイズがなければどの実行も動かないので、最初の行は 0 です。ノイズがあると実行は"
            "局所最小の谷の中で揺さぶられ、ときどき x = 0 の尾根を越えます。深い大域最小の"
            "谷からはめったに戻りません。1 ステップの揺れは lr·σ·z なので、学習率が小さい"
            "と同じステップ数で抜けるにはずっと大きなノイズが要り、学習率が大きいところで"
            "ノイズが大きすぎると両方の谷から飛び出して発散します（あふれた実行は脱出に"
            "数えません）。スイープ、2 つの極小の表、プラトーの実行は正確な勾配を使います。",
        )),
    ),
)

LANGUAGES = Languages(en=EN, ja=JA)


for_lang = LANGUAGES.of
"""The texts of a ``--lang`` code (``common.texts`` says which for a code without texts of
its own)."""
