"""Formula text for every block kind: the one place formula strings are made.

Formulas refer to controls by defined name and to blocks through the plan, and use only
functions that Excel 2010+, LibreOffice and Gnumeric all compute (DESIGN.md). Future
functions carry their ``_xlfn.`` prefix, as Excel itself stores them.
"""

from __future__ import annotations

from dataclasses import replace

from sheetsim.config import GLOBAL
from sheetsim.experiments.common.activations import ACTIVATIONS_TABLE
from sheetsim.experiments.common.bins import OWN_RANGE_RATIO
from sheetsim.experiments.common.functions import NORM_S_INV, STDEV_P, VAR_P
from sheetsim.experiments.common.initializers import INITIALIZERS, INITS, from_draws
from sheetsim.experiments.init.layout import (
    NAME_ACT_CHOICES,
    NAME_ACT_LIST,
    NAME_ACTIVATION,
    NAME_ALL_CONTROLS,
    NAME_BINS,
    NAME_BN,
    NAME_BN_CHOICES,
    NAME_BN_EPS,
    NAME_BN_LIST,
    NAME_GRAD_BINS,
    NAME_GRAD_HIGH,
    NAME_GRAD_LOW,
    NAME_HIGH,
    NAME_INIT,
    NAME_INIT_CHOICES,
    NAME_INIT_DIST,
    NAME_INIT_LIST,
    NAME_LOW,
    NAME_RANGE_MODE,
    NAME_SAMPLES,
    NAME_SEED,
    NAME_SIGMA,
    NAME_SLOPE,
    InitPlan,
    layer_names,
)

Entry = tuple[str, bool]
"""Formula text, and whether it is entered as a legacy array formula (``{=…}``)."""


def reads_arrays(text: str) -> Entry:
    """A formula that reads an array formula's result: entered as an array formula itself.

    Why: LibreOffice (7.4 seen) loads an .xlsx without recalculating, keeps the cached value
    of every plain formula, but ignores the cached values of array formulas and leaves each
    array cell dirty until something reads it. When a control then changes, the dirty array
    cell does not pass the change on (``ScFormulaCell::SetDirty`` assumes a cell already
    waiting for calculation has told its dependents), so a *plain* formula reading it keeps
    its cached value through AutoCalculate and F9 until a hard recalculation: the Dashboard
    showed the sigmoid's means after a switch to ReLU, and the counts against old bin edges
    after Bins changed. An array-entered dependent is itself dirty from load and computed
    whenever it is shown, so it is never stale. tests/test_interactive.py reproduces both.
    Where the text allows, :func:`listens` is the other way, which keeps the cached value.
    """
    return text, True


def listens(plan: InitPlan, text: str) -> Entry:
    """A formula that reads array results but must keep its cached value at load: a plain
    formula that also reads every control, ``text + 0*COUNTA(AllControls)``.

    Why: LibreOffice drops array formulas' cached values when it loads an .xlsx, so anything
    that reads an array formula at load computes it, and with it the whole forward pass: the
    Dashboard's charts and cells did, and opening took three times as long as opening the
    same number of constants. A plain formula keeps its cached value and is not computed at
    load, but would go stale (see :func:`reads_arrays`); reading the controls itself, it is
    marked for recalculation by any control change, and then reads the array cells afresh.
    The added term is 0 (and an error in ``text`` stays that error). Only for texts that
    mean the same in a plain formula: ranges inside SUMPRODUCT or as whole arguments of
    functions that take ranges, never an operation on a range elsewhere. A live workbook's
    draws change on F9, which is no control change: there it stays an array formula.
    """
    if plan.settings.live:
        return reads_arrays(text)
    return f"{text}+0*COUNTA({NAME_ALL_CONTROLS})", False


def reads_controls(text: str) -> Entry:
    """A formula of control cells only: a plain formula (LibreOffice tracks those)."""
    return text, False


def input_values(plan: InitPlan) -> str:
    """Standard-normal inputs: NORM.S.INV of the stored (or live) uniform draws."""
    return f"{NORM_S_INV}({plan.blocks['input_u'].ref})"


def weight_scale(plan: InitPlan, k: int) -> str:
    """σ (normal) or limit (uniform) of layer k, chosen by the layer's initializer name."""
    names = layer_names(k)
    fan_in = plan.blocks["layer_fan_in"].local(k - 1)
    fan_out = plan.blocks["layer_fan_out"].local(k - 1)
    choices = ",".join(
        INITIALIZERS[i].scale_formula(fan_in, fan_out, NAME_SIGMA) for i in INITS
    )
    return f"CHOOSE(MATCH({names['init']},{NAME_INIT_LIST},0),{choices})"


def weight_distribution(k: int) -> str:
    """"normal" or "uniform" for layer k, looked up from its initializer in use."""
    return f"INDEX({NAME_INIT_DIST},MATCH({layer_names(k)['init']},{NAME_INIT_LIST},0))"


def weight_std(k: int) -> str:
    """The weights' standard deviation: σ, or limit/√3 for a uniform initializer."""
    names = layer_names(k)
    return f'IF({names["dist"]}="uniform",{names["scale"]}/SQRT(3),{names["scale"]})'


def layer_init(k: int) -> str:
    """The initializer in use: the layer's own choice, or the global control."""
    chosen = layer_names(k)["init_set"]
    return f'IF({chosen}="{GLOBAL}",{NAME_INIT},{chosen})'


def layer_activation(k: int) -> str:
    """The activation in use: the layer's own choice, or the global control."""
    chosen = layer_names(k)["act_set"]
    return f'IF({chosen}="{GLOBAL}",{NAME_ACTIVATION},{chosen})'


def draw() -> str:
    """A live uniform draw (``--live``): every recalculation is a new sample."""
    return "RAND()"


def weights(plan: InitPlan, k: int) -> str:
    """Layer k's weights from its draws: NORM.S.INV(u)·σ or (2u − 1)·limit."""
    names = layer_names(k)
    u = plan.layer_block(k, "u").ref
    uniform, normal = (from_draws(d, u, names["scale"]) for d in ("uniform", "normal"))
    return f'IF({names["dist"]}="uniform",{uniform},{normal})'


def linear(plan: InitPlan, k: int) -> str:
    """Layer k's linear sum: the previous output times the weights."""
    return f"MMULT({plan.output_block(k - 1).ref},{plan.layer_block(k, 'w').ref})"


def activation(plan: InitPlan, k: int) -> str:
    """Every activation in one IF chain, so the Activation control switches it live.

    The sigmoid is written as (1+TANH(a/2))/2: equal to 1/(1+EXP(−a)) but it cannot
    overflow to #NUM! for very negative a.
    """
    act = layer_names(k)["activation"]
    a = plan.pre_activation(k).ref
    return _by_activation(act, {n: e.formula(a, NAME_SLOPE) for n, e in ACTIVATIONS_TABLE.items()})


def _by_activation(act: str, cases: dict[str, str]) -> str:
    """``IF(act="sigmoid",…,IF(act="tanh",…,…))`` over every activation of the shared table;
    the last one needs no test (the Activation controls allow only the table's names)."""
    *tested, last = cases
    text = cases[last]
    for name in reversed(tested):
        text = f'IF({act}="{name}",{cases[name]},{text})'
    return text


def layer_batchnorm(k: int) -> str:
    """Layer k's batch-norm switch in use: its own, or the global control."""
    chosen = layer_names(k)["bn_set"]
    return f'IF({chosen}="{GLOBAL}",{NAME_BN},{chosen})'


def batchnorm(plan: InitPlan, k: int) -> str:
    """(A − column mean) / √(column variance + ε) when the layer's batch norm is on."""
    a = plan.layer_block(k, "a").ref
    mean, var = plan.layer_block(k, "bn_mean").ref, plan.layer_block(k, "bn_var").ref
    on = layer_names(k)["bn"]
    return f'IF({on}="on",({a}-{mean})/SQRT({var}+{NAME_BN_EPS}),{a})'


def column_stat(plan: InitPlan, k: int, part: str, j: int) -> Entry:
    """One neuron's (column's) batch statistic, over the samples."""
    a = plan.layer_block(k, "a").column_ref(j)
    if part == "bn_mean":
        return reads_arrays(f"AVERAGE({a})")
    if part == "bn_var":
        return reads_arrays(f"{VAR_P}({a})")
    d = plan.layer_block(k, "d").column_ref(j)
    if part == "bn_dmean":
        return reads_arrays(f"AVERAGE({d})")
    n = plan.layer_block(k, "n").column_ref(j)
    return reads_arrays(f"SUMPRODUCT({d},{n})/{NAME_SAMPLES}")  # bn_dnmean


def upstream(plan: InitPlan) -> str:
    """∂L/∂Z of the top layer: standard-normal draws, so the implied loss is Σ upstream·Z."""
    return f"{NORM_S_INV}({plan.blocks['grad_u'].ref})"


def _incoming(plan: InitPlan, k: int) -> str:
    """∂L/∂Z_k: from the top, or back through the next layer's weights."""
    if k == plan.settings.layers:
        return plan.blocks["upstream"].ref
    g, w = plan.layer_block(k + 1, "g").ref, plan.layer_block(k + 1, "w").ref
    return f"MMULT({g},TRANSPOSE({w}))"


def _derivative(plan: InitPlan, k: int) -> str:
    """f'(input) of layer k's activation, from its input x and its output z."""
    act = layer_names(k)["activation"]
    x, z = plan.pre_activation(k).ref, plan.layer_block(k, "z").ref
    return _by_activation(
        act, {n: e.slope_formula(x, z, NAME_SLOPE) for n, e in ACTIVATIONS_TABLE.items()}
    )


def grad_pre(plan: InitPlan, k: int) -> str:
    """∂L/∂N_k: the incoming gradient times the activation's slope."""
    return f"{_incoming(plan, k)}*({_derivative(plan, k)})"


def grad(plan: InitPlan, k: int) -> str:
    """∂L/∂A_k; through batch normalization (no scale or shift) when it is on:
    (D − mean(D) − N · mean(D ⊙ N)) / √(var + ε), column by column."""
    if not plan.settings.has_batchnorm:
        return grad_pre(plan, k)
    d, n = plan.layer_block(k, "d").ref, plan.layer_block(k, "n").ref
    dmean, dnmean = plan.layer_block(k, "bn_dmean").ref, plan.layer_block(k, "bn_dnmean").ref
    var = plan.layer_block(k, "bn_var").ref
    on = layer_names(k)["bn"]
    return f'IF({on}="on",({d}-{dmean}-{n}*{dnmean})/SQRT({var}+{NAME_BN_EPS}),{d})'


def _step(index: str, low: str, high: str, bins: str, shift: str = "") -> str:
    """low + index·(high − low)/bins: the bin boundaries' arithmetic, in one place."""
    position = f"({index}{shift})" if shift else index
    return f"{low}+{position}*({high}-{low})/{bins}"


def grad_edges(plan: InitPlan) -> str:
    """Upper edges of |gradient| bins, equal steps of log10 from GradLow to GradHigh."""
    index = plan.blocks["grad_bin_index"].ref
    step = _step(index, NAME_GRAD_LOW, NAME_GRAD_HIGH, NAME_GRAD_BINS)
    return f"10^IF({index}<{NAME_GRAD_BINS},{step},{NAME_GRAD_HIGH})"


def grad_centres(plan: InitPlan) -> str:
    """Chart labels of the gradient bins: the log10 of each bin's middle."""
    index = plan.blocks["grad_bin_index"].ref
    return _step(index, NAME_GRAD_LOW, NAME_GRAD_HIGH, NAME_GRAD_BINS, "-0.5")


def grad_stat(plan: InitPlan, name: str, k: int) -> Entry:
    """A gradient statistic of layer k."""
    g = plan.layer_block(k, "g").ref
    if name == "mean_abs":
        return reads_arrays(scaled("AVERAGE({})", f"ABS({g})"))
    if name == "wgrad":  # ‖Z_prevᵀ · G‖ / samples
        z = plan.output_block(k - 1).ref
        norm = scaled("SQRT(SUMPRODUCT(({})^2))", f"MMULT(TRANSPOSE({z}),{g})")
        return reads_arrays(f"{norm}/{NAME_SAMPLES}")
    return reads_arrays(f"COUNTIF({g},0)/COUNT({g})")


def _layer_ends(plan: InitPlan, k: int | None = None) -> tuple[str, str]:
    """Formula text of the interval a layer's outputs can take (every layer's as a row when
    ``k`` is None): a sigmoid's 0 to 1, a tanh's −1 to 1, any other activation's smallest
    to largest output; a layer whose outputs overflowed (#NUM!) counts as the value 0. The
    activations in use are the Dashboard's row, the smallest and largest outputs the
    Histograms statistics."""
    def at(block: str) -> str:
        b = plan.blocks[block]
        return b.ref if k is None else b.cell_ref(0, k - 1)

    acts, lo, hi = at("dash_activation"), at("stat_min"), at("stat_max")
    lows = f'IF({acts}="sigmoid",0,IF({acts}="tanh",-1,IFERROR({lo},0)))'
    highs = f'IF({acts}="sigmoid",1,IF({acts}="tanh",1,IFERROR({hi},0)))'
    return lows, highs


def _pad(low: str, high: str) -> str:
    """Half a bin of Bins − 1 bins from ``low`` to ``high`` (0.5 when they meet)."""
    return f"IF({high}>{low},({high}-{low})/(2*MAX({NAME_BINS}-1,1)),0.5)"


def range_in_use(plan: InitPlan, end: int) -> Entry:
    """The shared histogram range's low (``end`` 0) or high (1) end in an auto-range
    workbook.

    Manual: the BinLow or BinHigh control. Auto: over the layers, the least low and the
    greatest high end of the intervals their outputs take (``_layer_ends``); unless every
    layer is a sigmoid or tanh, widened at both ends by half a bin of Bins − 1 bins (0.5
    when the two ends meet).
    """
    acts = plan.blocks["dash_activation"].ref
    lows, highs = _layer_ends(plan)
    low, high = f"MIN({lows})", f"MAX({highs})"
    bounded = f'SUM(({acts}="sigmoid")+({acts}="tanh"))=COLUMNS({acts})'
    pad = f"IF({bounded},0,{_pad(low, high)})"
    if end == 0:
        return reads_arrays(f'IF({NAME_RANGE_MODE}="manual",{NAME_LOW},{low}-{pad})')
    return reads_arrays(f'IF({NAME_RANGE_MODE}="manual",{NAME_HIGH},{high}+{pad})')


def own_range(plan: InitPlan) -> Entry:
    """1 when the layers take a histogram range each: the widest layer's interval
    (``_layer_ends``) is more than ``OWN_RANGE_RATIO`` times the narrowest's, so that on one
    shared range the narrow layers would be a single bar; else 0 (one range for all)."""
    lows, highs = _layer_ends(plan)
    spans = f"({highs})-({lows})"
    return reads_arrays(f"IF(MAX({spans})>{OWN_RANGE_RATIO:g}*MIN({spans}),1,0)")


def layer_range(plan: InitPlan, end: int, k: int) -> Entry:
    """Layer k's histogram range, low (``end`` 0) or high (1) end: the shared range (the
    BinLow and BinHigh controls in a manual workbook, the range in use in an auto one), or,
    where the layers take a range each (``own_range``), the layer's own interval, widened by
    half a bin unless its activation is a sigmoid or tanh."""
    shared = plan.range_names[end]
    if not plan.settings.auto_range:
        return reads_controls(shared)
    act = plan.blocks["dash_activation"].cell_ref(0, k - 1)
    low, high = _layer_ends(plan, k)
    pad = f'IF(OR({act}="sigmoid",{act}="tanh"),0,{_pad(low, high)})'
    own = f"{low}-{pad}" if end == 0 else f"{high}+{pad}"
    flag = plan.blocks["own_range"].cell_ref(0, 0)
    return reads_arrays(f'IF({NAME_RANGE_MODE}="manual",{shared},IF({flag}=1,{own},{shared}))')


def own_range_note(plan: InitPlan, notes: tuple[str, str]) -> Entry:
    """The Dashboard's words on the histograms' ranges: ``notes[0]`` where the layers take
    a range each, ``notes[1]`` where they share one. The flag it tests listens
    (:func:`listens`): a text cannot take the added term itself."""
    flag, is_array = listens(plan, plan.blocks["own_range"].cell_ref(0, 0))
    return f'IF({flag}=1,"{notes[0]}","{notes[1]}")', is_array


def _layer_ends_of_range(plan: InitPlan, k: int) -> tuple[str, str]:
    """The cells of layer k's histogram range."""
    return (plan.blocks["hist_low"].cell_ref(0, k - 1),
            plan.blocks["hist_high"].cell_ref(0, k - 1))


def edges(plan: InitPlan, k: int) -> str:
    """Layer k's upper bin edges: equal steps from its range's low end, exactly its high
    end at row Bins. Rows beyond the Bins control (so that a histogram can be coarsened in
    the sheet) go on in the same steps past the high end: FREQUENCY needs distinct edges,
    since applications split the values on equal edges differently (LibreOffice gives them
    to the last of the equal bins, Gnumeric and Excel to the first). What those rows count
    is shown as "above" (see :func:`count`)."""
    index = plan.blocks["bin_index"].ref
    low, high = _layer_ends_of_range(plan, k)
    return f"IF({index}={NAME_BINS},{high},{_step(index, low, high, NAME_BINS)})"


def centres(plan: InitPlan, k: int) -> str:
    """Layer k's bin centres label its chart; unused rows show the range's high end."""
    index = plan.blocks["bin_index"].ref
    low, high = _layer_ends_of_range(plan, k)
    centre = _step(index, low, high, NAME_BINS, "-0.5")
    return f"IF({index}<={NAME_BINS},{centre},{high})"


def frequency(plan: InitPlan, k: int, prefix: str = "") -> str:
    """Layer k's counts in one pass over its block: FREQUENCY of the values against the
    upper edges, an array over the edges' rows and one more for the values above the last
    edge. A bin holds the values above the previous edge and up to its own (a value on an
    edge counts in the bin that edge closes). ``prefix`` "grad_" counts |∂L/∂A|."""
    if prefix:
        data, edges_block = f"ABS({plan.layer_block(k, 'g').ref})", plan.blocks["grad_edges"]
    else:
        data, edges_block = plan.layer_block(k, "z").ref, plan.layer_block(k, "edges")
    return f"FREQUENCY({data},{edges_block.ref})"


def count(plan: InitPlan, k: int, row: int, prefix: str = "") -> Entry:
    """Layer k's values in bin ``row`` (0-based), as the charts and statistics read them:
    the layer's FREQUENCY result for the bins the Bins control uses, 0 in the rows beyond it,
    and in the last row everything above the high end (FREQUENCY's rows beyond Bins and its
    overflow row). A listening plain formula (:func:`listens`): the FREQUENCY array itself
    is computed only when a control changes, not when the file is opened."""
    freq = plan.layer_block(k, f"{prefix}freq")
    bins = NAME_GRAD_BINS if prefix else NAME_BINS
    last = freq.rows - 1
    if row == last:
        index = plan.blocks[f"{prefix}bin_index"].ref
        within = replace(freq, rows=last).ref
        return listens(plan, f"SUMPRODUCT(({index}>{bins})*{within})+{freq.cell_ref(last, 0)}")
    return listens(plan, f"IF({bins}>={row + 1},{freq.cell_ref(row, 0)},0)")


def scaled(template: str, data: str) -> str:
    """``template`` (such as ``AVERAGE({})``) of the data, and only if that fails, of
    data / max|data| scaled back.

    The plain AVERAGE and STDEV.P overflow to #NUM! once values pass about 1e154 (the squares
    do), although the result is finite; the second form stays finite wherever the answer is.
    Behind IFERROR it is computed only when the plain one overflows (or the data hold an
    error, which both forms give), so the block is read once in the usual case. Needs array
    evaluation (ABS over a range).
    """
    top = f"MAX(ABS({data}))"
    rescaled = f"IF({top}=0,0,{top}*{template.format(f'{data}/{top}')})"
    return f"IFERROR({template.format(data)},{rescaled})"


def stat(plan: InitPlan, name: str, k: int) -> Entry:
    """A statistic of layer k's outputs."""
    z = plan.layer_block(k, "z").ref
    if name in ("mean", "std"):
        return reads_arrays(scaled({"mean": "AVERAGE({})", "std": STDEV_P + "({})"}[name], z))
    if name == "dead":  # per neuron (column) the count of non-zero outputs, via MMULT
        first = plan.layer_block(k, "z").column_ref(0)
        ones = f"TRANSPOSE(({first}={first})*1)"  # a row of 1s (HyperFormula has no ROW^0)
        # array-entered: Excel before dynamic arrays needs that for TRANSPOSE within MMULT
        return reads_arrays(f"SUMPRODUCT((MMULT({ones},({z}<>0)*1)=0)*1)/COLUMNS({z})")
    return listens(plan, _plain_stat(plan, name, k))


def _plain_stat(plan: InitPlan, name: str, k: int) -> str:
    z = plan.layer_block(k, "z").ref
    cnt = plan.blocks[f"L{k}_counts"]
    if name == "first_bin":
        return f"{cnt.cell_ref(0, 0)}/COUNT({z})"
    if name == "last_bin":  # the row of the Bins control's last bin
        return f"INDEX({cnt.ref},{NAME_BINS})/COUNT({z})"
    if name == "above":
        return f"{cnt.cell_ref(cnt.rows - 1, 0)}/COUNT({z})"
    if name == "below":  # the first bin is open below: this is the part of it under BinLow
        return f"SUMPRODUCT(({z}<{_layer_ends_of_range(plan, k)[0]})*1)/COUNT({z})"
    return {
        "min": f"MIN({z})",
        "max": f"MAX({z})",
        "zero": f"COUNTIF({z},0)/COUNT({z})",
    }[name]


def header(plan: InitPlan, labels: dict[str, str]) -> tuple[str, str, str]:
    """The Dashboard's header, live from the controls, as three cells: the initializer; the
    weights' σ (Sigma when it is normal, else layer 1's; a number, which the cell's number
    format names, since Gnumeric joins a number to text in extended precision,
    0.0099999999999999999998); then
    the activation, the network's shape, the samples, batch norm, the histogram range's
    mode and the seed. ``labels`` are the words before each."""
    exp = plan.settings
    rest = [f'"{labels["activation"]}"&{NAME_ACTIVATION}',
            f'"{labels["shape"].format(layers=exp.layers, width=exp.width)}"',
            f'"{labels["samples"]}"&{NAME_SAMPLES}']
    if exp.has_batchnorm:
        rest.append(f'"{labels["batchnorm"]}"&{NAME_BN}')
    mode = f'{NAME_RANGE_MODE}' if exp.auto_range else '"manual"'
    rest += [f'"{labels["range"]}"&{mode}', f'"{labels["seed"]}"&{NAME_SEED}']
    sigma = f'IF({NAME_INIT}="normal",{NAME_SIGMA},{layer_names(1)["wstd"]})'
    return f'"{labels["init"]}"&{NAME_INIT}', sigma, "&".join(rest)


def list_check(kind: str) -> str:
    """Data-validation source of a dropdown (a defined name)."""
    return {
        "init": NAME_INIT_LIST,
        "activation": NAME_ACT_LIST,
        "init_set": NAME_INIT_CHOICES,
        "act_set": NAME_ACT_CHOICES,
        "bn_set": NAME_BN_CHOICES,
        "bn": NAME_BN_LIST,
    }[kind]


def dash(plan: InitPlan, key: str, k: int) -> Entry:
    """A Dashboard table cell: layer k's setting in use (a defined name) or statistic."""
    if key in ("init", "activation", "bn", "wstd"):
        return reads_controls(layer_names(k)[key])
    if key.startswith("grad_"):
        return listens(plan, plan.stat_block(key.removeprefix("grad_"), "grad_").cell_ref(0, k - 1))
    return listens(plan, plan.stat_block(key).cell_ref(0, k - 1))
