"""Formula text for every cell of a digits workbook: the one place it is made.

Each step's forward and backward passes are legacy array formulas over the batch's band
(MMULT, TRANSPOSE, elementwise arithmetic); a batch row is the training set's row its draw
picks, as MMULT of a row of 0s with one 1; a column is spread over the ten classes as
MMULT(column, OnesClassRow) and summed over them as MMULT(block, OnesClass), so that no
formula relies on an engine stretching a column against a block. Every choice a dropdown
offers is one argument of a CHOOSE, in the order of its shared table. Formulas refer to
controls by defined name and to cells through the plan.

The softmax subtracts each row's largest output before EXP and the cross-entropy is ln Σ
e^{z − m} + m − z_y, so neither overflows for any finite output: a #NUM! in the sheet means
the run diverged.
"""

from __future__ import annotations

from sheetsim.experiments.common.activations import ACTIVATIONS_TABLE
from sheetsim.experiments.common.functions import number, operand
from sheetsim.experiments.common.initializers import INITIALIZERS, from_draws
from sheetsim.experiments.common.logaxis import shown_formula
from sheetsim.experiments.common.optimizers import OPTIMIZER_NAMES, OPTIMIZERS
from sheetsim.experiments.common.optimizers import update as rule
from sheetsim.experiments.digits.layout import (
    DROPDOWN_NAMES,
    INDEX_NAMES,
    LIST_NAMES,
    NAME_CLIP,
    NAME_DIGITS,
    NAME_LARS,
    NAME_LR,
    NAME_ONES_10,
    NAME_ONES_B,
    NAME_ONES_ROW,
    NAME_SIGMA,
    NAME_SLOPE,
    NAME_TEST_HOT,
    NAME_TEST_IMAGES,
    NAME_TEST_LABELS,
    NAME_TRAIN_HOT,
    NAME_TRAIN_IMAGES,
    NAME_TRAIN_NUMBERS,
    NAME_WARMUP,
    SIDE,
    STATE_GROUP,
    DigitsPlan,
)
from sheetsim.experiments.digits.model import BN_EPS
from sheetsim.xlsx.cells import Block, span

LOSS_INDEX, ACT_INDEX, INIT_INDEX, OPT_INDEX = INDEX_NAMES
BN = number(BN_EPS)


def index(j: int) -> str:
    """The chosen loss's (0), activation's (1), initializer's (2) or optimizer's position."""
    return f"MATCH({DROPDOWN_NAMES[j]},{LIST_NAMES[j]},0)"


def list_check(control: str) -> str:
    """The validation list of a dropdown control."""
    return LIST_NAMES[DROPDOWN_NAMES.index(control)]


def _choose(index: str, options: list[str]) -> str:
    return f"CHOOSE({index},{','.join(options)})"


def _activate(e: str) -> str:
    """f(e) of the chosen activation, e an array expression."""
    e = f"({e})"
    return _choose(ACT_INDEX, [a.formula(e, NAME_SLOPE) for a in ACTIVATIONS_TABLE.values()])


def _slope(out: str) -> str:
    """f′ of the chosen activation in terms of its output."""
    out = f"({out})"
    return _choose(ACT_INDEX,
                   [e.slope_formula(out, out, NAME_SLOPE) for e in ACTIVATIONS_TABLE.values()])


def _wide(column: str) -> str:
    """A column spread over the ten classes."""
    return f"MMULT({column},{NAME_ONES_ROW})"


def _row_sum(block: str) -> str:
    """The sum of every row of a ten-class block (a column)."""
    return f"MMULT({block},{NAME_ONES_10})"


def _mean_rows(block: str, rows: int) -> str:
    """The mean of a batch block over its rows (one row)."""
    return f"MMULT(TRANSPOSE({NAME_ONES_B}),{block})/{rows}"


# ---------------------------------------------------------------------------- data

def batch_rows(plan: DigitsPlan) -> str:
    """The training rows each step's draws pick: 1 + ⌊u·N⌋."""
    return f"1+INT({plan.blocks['u_batch'].ref}*{plan.settings.train_size})"


def batch_row(plan: DigitsPlan, t: int, i: int, part: str) -> str:
    """Row i of step t's batch: the pixels / 16 (``x``) or the one-hot label (``y``) of the
    training row its draw picks (a row of 0s with one 1 times the training set)."""
    pick = f"TRANSPOSE(({NAME_TRAIN_NUMBERS}={plan.blocks['rows'].cell_ref(t, i)})*1)"
    if part == "x":
        return f"MMULT({pick},{NAME_TRAIN_IMAGES})/16"
    return f"MMULT({pick},{NAME_TRAIN_HOT})"


# ------------------------------------------------------------------- forward, back

def _inputs(plan: DigitsPlan, sheet: str, t: int, layer: int) -> str:
    """What layer ``layer`` reads: the pixels, or the previous layer's activations."""
    if layer == 1:
        return plan.part("Train", t, "x").ref if sheet == "Train" else f"{NAME_TEST_IMAGES}/16"
    return plan.part(sheet, t, f"a{layer - 1}").ref


def _affine(plan: DigitsPlan, sheet: str, t: int, layer: int) -> str:
    w, b = plan.params("p", t, layer, "w"), plan.params("p", t, layer, "b")
    return f"MMULT({_inputs(plan, sheet, t, layer)},{w})+{b}"


def forward(plan: DigitsPlan, sheet: str, t: int, part: str) -> str:
    """A part of step t's forward pass on Train or Test: ``z{k}``, ``mu{k}``, ``var{k}``,
    ``zh{k}``, ``a{k}``, ``out``, ``p``, ``ls``."""
    exp = plan.settings
    head, k = part.rstrip("0123456789"), int(part[len(part.rstrip("0123456789")):] or 0)
    b = exp.batch
    if head == "z":
        return _affine(plan, sheet, t, k)
    if head == "mu":
        return _mean_rows(plan.part(sheet, t, f"z{k}").ref, b)
    if head in ("var", "zh"):
        z, mu = plan.part("Train", t, f"z{k}").ref, plan.part("Train", t, f"mu{k}").ref
        if head == "var":
            return _mean_rows(f"({z}-{mu})^2", b)
        var = plan.part("Train", t, f"var{k}").ref
        return f"({z}-{mu})/SQRT({var}+{BN})"
    if head == "a":
        if not exp.batch_norm:
            e = _affine(plan, sheet, t, k)
        elif sheet == "Train":
            e = plan.part(sheet, t, f"zh{k}").ref
        else:
            mu, var = plan.part("Train", t, f"mu{k}").ref, plan.part("Train", t, f"var{k}").ref
            e = f"({_affine(plan, sheet, t, k)}-{mu})/SQRT({var}+{BN})"
        a = _activate(e)
        return f"{a}+{_inputs(plan, sheet, t, k)}" if plan.residual[k - 1] else a
    if head == "out":
        return _affine(plan, sheet, t, plan.count)
    out, top = plan.part(sheet, t, "out").ref, plan.part(sheet, t, "top").ref
    shifted = f"EXP({out}-{_wide(top)})"
    if head == "p":
        softmax = f"{shifted}/{_wide(_row_sum(shifted))}"
        return _choose(LOSS_INDEX, [softmax, f"(1+TANH({out}/2))/2"])
    assert head == "ls"
    if sheet == "Train":
        y, p = plan.part(sheet, t, "y").ref, plan.part(sheet, t, "p").ref
    else:
        y, p = NAME_TEST_HOT, f"(1+TANH({out}/2))/2"
    ce = f"LN({_row_sum(shifted)})+{top}-{_row_sum(f'{y}*{out}')}"
    return _choose(LOSS_INDEX, [ce, f"{_row_sum(f'({p}-{y})^2')}/2"])


def _row(block: Block, i: int) -> str:
    """Row i of a block, sheet-qualified and absolute."""
    return f"{block.sheet}!{span(block.row + i, block.col, 1, block.cols, absolute=True)}"


def top(plan: DigitsPlan, sheet: str, t: int, i: int) -> str:
    """Row i's largest output."""
    return f"MAX({_row(plan.part(sheet, t, 'out'), i)})"


def pred(plan: DigitsPlan, sheet: str, t: int, i: int) -> str:
    """Row i's predicted class: the position of its first largest output, from 0."""
    best = plan.part(sheet, t, "top").cell_ref(i, 0)
    return f"MATCH({best},{_row(plan.part(sheet, t, 'out'), i)},0)-1"


def backward(plan: DigitsPlan, t: int, part: str) -> str:
    """A part of step t's backward pass: ``ga{k}`` (∂L/∂a of hidden layer k) or ``d{k}``
    (δ = ∂L/∂z of layer k, the output's (p − y)/B or (p − y)⊙p⊙(1 − p)/B)."""
    exp = plan.settings
    b = exp.batch
    head, k = part.rstrip("0123456789"), int(part[len(part.rstrip("0123456789")):])
    if head == "d" and k == plan.count:
        p, y = plan.part("Train", t, "p").ref, plan.part("Train", t, "y").ref
        return _choose(LOSS_INDEX, [f"({p}-{y})/{b}", f"({p}-{y})*{p}*(1-{p})/{b}"])
    if head == "ga":
        above = plan.part("Train", t, f"d{k + 1}").ref
        text = f"MMULT({above},TRANSPOSE({plan.params('p', t, k + 1, 'w')}))"
        if k < len(exp.hidden) and plan.residual[k]:
            text += f"+{plan.part('Train', t, f'ga{k + 1}').ref}"
        return text
    a = plan.part("Train", t, f"a{k}").ref
    out = f"{a}-{plan.part('Train', t, f'a{k - 1}').ref}" if plan.residual[k - 1] else a
    e = f"{_back(plan, t, k)}*{_slope(out)}"
    if not exp.batch_norm:
        return e
    zh, var = plan.part("Train", t, f"zh{k}").ref, plan.part("Train", t, f"var{k}").ref
    return (f"(({e})-{_mean_rows(f'({e})', b)}-{zh}*({_mean_rows(f'({e})*{zh}', b)}))"
            f"/SQRT({var}+{BN})")


def _back(plan: DigitsPlan, t: int, k: int) -> str:
    """∂L/∂a of hidden layer k: its block, or δ_{k+1}·W_{k+1}ᵀ where it has none."""
    if plan.keeps_ga:
        return plan.part("Train", t, f"ga{k}").ref
    return backward(plan, t, f"ga{k}")


def gradient(plan: DigitsPlan, t: int, layer: int, part: str) -> str:
    """Step t's ∂L/∂W (``gw``: inputsᵀ·δ) or ∂L/∂b (``gb``: Onesᵀ·δ) of ``layer``."""
    d = plan.part("Train", t, f"d{layer}").ref
    if part == "gb":
        total = f"MMULT(TRANSPOSE({NAME_ONES_B}),{d})"
        # with batch normalization a hidden layer's bias has no effect: its gradient is 0
        return f"0*{total}" if plan.settings.batch_norm and layer < plan.count else total
    return f"MMULT(TRANSPOSE({_inputs(plan, 'Train', t, layer)}),{d})"


# --------------------------------------------------------------------- the update

def initial(plan: DigitsPlan, layer: int) -> str:
    """Step 0's weights of ``layer`` from their draws: Φ⁻¹(u)·σ or (2u − 1)·limit."""
    fan_in, fan_out = (str(n) for n in plan.sizes[layer - 1])
    u = plan.blocks[f"u_w{layer}"].ref
    return _choose(INIT_INDEX, [
        from_draws(i.distribution, u, operand(i.scale_formula(fan_in, fan_out, NAME_SIGMA)))
        for i in INITIALIZERS.values()])


def update(plan: DigitsPlan, t: int, layer: int, group: str) -> str:
    """Step t's parameters (``p``) or optimizer state (``m``, ``v``) of ``layer``: the
    chosen optimizer's rule on step t − 1's clipped gradient, at the learning rate of step
    t times the layer's LARS factor of step t − 1."""
    clip = plan.steps_cell("clipping", t - 1, 1)
    cell = {"p": plan.params("p", t - 1, layer),
            "g": f"({clip}*{plan.params('g', t - 1, layer)})"}
    for state, where in STATE_GROUP.items():
        cell[state] = plan.params(where, t - 1, layer)
        cell[f"{state}_new"] = plan.params(where, t, layer)
    lr = f"({plan.steps_cell('lr', t)}*{plan.steps_cell('lars', t - 1, layer - 1)})"
    options = []
    for opt in OPTIMIZER_NAMES:
        texts = rule(opt, "p", cell, lr, str(t))
        if group == "p":
            options.append(texts["p"])
        else:
            kept = [s for s in OPTIMIZERS[opt].state if STATE_GROUP[s] == group]
            options.append(texts[f"{kept[0]}p"] if kept else "0")
    return _choose(OPT_INDEX, options)


# -------------------------------------------------------------------------- Steps

def steps(plan: DigitsPlan, name: str, t: int, j: int) -> str:
    """Step t's column j of a per-step block of Steps."""
    if name == "lr":
        return "0" if t == 0 else f"{NAME_LR}*IF({NAME_WARMUP}>0,MIN(1,{t}/{NAME_WARMUP}),1)"
    if name == "loss":
        if j == 0:
            return f"AVERAGE({plan.part('Train', t, 'ls').ref})"
        if t in plan.evals:
            return plan.blocks["test_loss"].cell_ref(plan.evals.index(t), 0)
        return plan.steps_cell("loss", t - 1, 1)
    if name == "grad_norm":
        return f"SQRT(SUMSQ({plan.params('g', t, j + 1)}))"
    if name == "clipping":
        if j == 0:
            every = ",".join(plan.params("g", t, k) for k in range(1, plan.count + 1))
            return f"SQRT(SUMSQ({every}))"
        return f"IF({NAME_CLIP}>0,MIN(1,{NAME_CLIP}/{plan.steps_cell('clipping', t, 0)}),1)"
    if name == "lars":
        norm = plan.steps_cell("grad_norm", t, j)
        trust = f"{NAME_LARS}*SQRT(SUMSQ({plan.params('p', t, j + 1)}))/{norm}"
        return f"IF({NAME_LARS}>0,IF({norm}>0,{trust},1),1)"
    return shown_formula(plan.steps_cell("grad_norm", t, j))


def evaluation(plan: DigitsPlan, name: str, e: int, j: int) -> str:
    """Test pass e's accuracy on the batch (j = 0) or the test set (1), or its test loss."""
    t = plan.evals[e]
    if name == "test_loss":
        return f"AVERAGE({plan.part('Test', t, 'ls').ref})"
    if j == 0:
        y, guess = plan.part("Train", t, "y").ref, plan.part("Train", t, "pred").ref
        return (f"SUMPRODUCT(({guess}=MMULT({y},{NAME_DIGITS}))*1)/"
                f"{plan.settings.batch}")
    guess = plan.part("Test", t, "pred").ref
    return f"SUMPRODUCT(({guess}={NAME_TEST_LABELS})*1)/{plan.settings.test_size}"


# ---------------------------------------------------------------------- Dashboard

SUMMARY_ROWS = ("train_loss", "test_loss", "train_acc", "test_acc", "norm_in", "norm_out")


def summary(plan: DigitsPlan, i: int, j: int) -> str:
    """The Dashboard's table: row i of SUMMARY_ROWS at the first (j = 0) or last step."""
    t = 0 if j == 0 else plan.settings.steps
    e = 0 if j == 0 else len(plan.evals) - 1
    return {"train_loss": plan.steps_cell("loss", t, 0),
            "test_loss": plan.steps_cell("loss", t, 1),
            "train_acc": plan.blocks["accuracy"].cell_ref(e, 0),
            "test_acc": plan.blocks["accuracy"].cell_ref(e, 1),
            "norm_in": plan.steps_cell("grad_norm", t, 0),
            "norm_out": plan.steps_cell("grad_norm", t, plan.count - 1)}[SUMMARY_ROWS[i]]


def digit(plan: DigitsPlan, row: int, i: int, j: int) -> str:
    """Pixel (i, j) of the test image in test-set row ``row``."""
    return f"INDEX({NAME_TEST_IMAGES},{row + 1},{i * SIDE + j + 1})"


def digit_label(plan: DigitsPlan, row: int, j: int) -> str:
    """The last test pass's predicted class of test-set row ``row`` (j = 0) and its
    probability (1): the softmax's largest share, or the sigmoid of the largest output."""
    t = plan.settings.steps
    if j == 0:
        return plan.part("Test", t, "pred").cell_ref(row, 0)
    best = plan.part("Test", t, "top").cell_ref(row, 0)
    cells = _row(plan.part("Test", t, "out"), row)
    return _choose(LOSS_INDEX, [f"1/SUMPRODUCT(EXP({cells}-{best}))",
                                f"(1+TANH({best}/2))/2"])


def unit_weight(plan: DigitsPlan, unit: int, i: int, j: int) -> str:
    """The last step's first-layer weight from pixel (i, j) to hidden unit ``unit``."""
    b = plan.part_params(plan.settings.steps, 1)
    return b.cell_ref(i * SIDE + j, unit)


def confusion(plan: DigitsPlan, i: int, j: int) -> str:
    """Test images of class i that the last test pass calls j."""
    guess = plan.part("Test", plan.settings.steps, "pred").ref
    return f"COUNTIFS({NAME_TEST_LABELS},{i},{guess},{j})"


def subtitle(words: tuple[str, str, str, str]) -> str:
    """The live description: loss, activation, initializer and optimizer (names only)."""
    a, b, c, d = words
    names = DROPDOWN_NAMES
    return (f'"{a}"&{names[0]}&"{b}"&{names[1]}&"{c}"&{names[2]}&"{d}"&{names[3]}')
