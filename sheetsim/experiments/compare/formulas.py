"""Formula text of the comparison workbook: the one place its formula strings are made.

Every configuration multiplies the same standard-normal (or, for a uniform initializer,
the same 2u − 1) weight draws by its own scale, so the configurations differ only in the
initializer, as in the article's figure.
"""

from __future__ import annotations

from sheetsim.experiments.common.activations import ACTIVATIONS_TABLE
from sheetsim.experiments.common.functions import NORM_S_INV, STDEV_P
from sheetsim.experiments.common.initializers import INITIALIZERS, INITS
from sheetsim.experiments.compare.layout import (
    NAME_ACT_LIST,
    NAME_ACTIVATION,
    NAME_INIT_DIST,
    NAME_INIT_LIST,
    NAME_SLOPE,
    ComparePlan,
    config_names,
)


def standard_normal(plan: ComparePlan, name: str) -> str:
    """NORM.S.INV of a block of uniform draws."""
    return f"{NORM_S_INV}({plan.blocks[name].ref})"


def scale(plan: ComparePlan, c: int) -> str:
    """σ (normal) or limit (uniform) of configuration c, from its initializer's name."""
    names = config_names(c)
    d = str(plan.settings.width)
    choices = ",".join(INITIALIZERS[i].scale_formula(d, d, names["sigma"]) for i in INITS)
    return f"CHOOSE(MATCH({names['init']},{NAME_INIT_LIST},0),{choices})"


def distribution(c: int) -> str:
    """"normal" or "uniform" for configuration c's initializer."""
    return f"INDEX({NAME_INIT_DIST},MATCH({config_names(c)['init']},{NAME_INIT_LIST},0))"


def label(c: int) -> str:
    """The configuration's title: its initializer's name, or its σ when it is normal (the
    cell's number format says "normal σ = "; a number joined to text with & would be
    written in extended precision by Gnumeric, 0.0099999999999999999998)."""
    names = config_names(c)
    return f'IF({names["init"]}="normal",{names["sigma"]},{names["init"]})'


def linear(plan: ComparePlan, c: int, k: int) -> str:
    """Layer k's sum: the previous output times the shared draws, times the scale."""
    names = config_names(c)
    u, n = plan.blocks[f"L{k}_u"].ref, plan.blocks[f"L{k}_n"].ref
    prev = plan.output(c, k - 1).ref
    return f'MMULT({prev},IF({names["dist"]}="uniform",2*{u}-1,{n}))*{names["scale"]}'


def activation(plan: ComparePlan, c: int, k: int) -> str:
    """The Activation control's function of layer k's sum, as one IF chain."""
    a = plan.block(c, k, "a").ref
    *tested, last = ACTIVATIONS_TABLE
    text = ACTIVATIONS_TABLE[last].formula(a, NAME_SLOPE)
    for name in reversed(tested):
        case = ACTIVATIONS_TABLE[name].formula(a, NAME_SLOPE)
        text = f'IF({NAME_ACTIVATION}="{name}",{case},{text})'
    return text


def stat(plan: ComparePlan, c: int, name: str, k: int) -> str:
    """A statistic of configuration c's layer-k output."""
    z = plan.block(c, k, "z").ref
    return {"mean": f"AVERAGE({z})", "std": f"{STDEV_P}({z})", "min": f"MIN({z})",
            "max": f"MAX({z})"}[name]


def range_end(plan: ComparePlan, c: int, end: int) -> str:
    """The low (``end`` 0) or high (1) end of configuration c's histogram: a bounded
    activation's own range, else the outputs' smallest to largest value over the layers,
    widened by half a bin so that neither sits on an edge (by 0.5 if they are equal)."""
    lo = f"MIN({plan.stat(c, 'min').ref})"
    hi = f"MAX({plan.stat(c, 'max').ref})"
    bins = plan.settings.bins
    pad = f"IF({hi}>{lo},({hi}-{lo})/{2 * (bins - 1)},0.5)"
    text = f"{lo}-{pad}" if end == 0 else f"{hi}+{pad}"
    for name, entry in reversed(ACTIVATIONS_TABLE.items()):
        if entry.bounds is not None:
            text = f'IF({NAME_ACTIVATION}="{name}",{entry.bounds[end]:g},{text})'
    return text


def edges(plan: ComparePlan, c: int) -> str:
    """Upper bin edges: equal steps from the low to the high end, the last exactly high."""
    rng = plan.blocks[f"C{c}_range"]
    low, high = rng.cell_ref(0, 0), rng.cell_ref(0, 1)
    i, bins = plan.blocks["bin_index"].ref, plan.settings.bins
    return f"IF({i}<{bins},{low}+{i}*({high}-{low})/{bins},{high})"


def centres(plan: ComparePlan, c: int) -> str:
    """Bin centres, the charts' labels."""
    rng = plan.blocks[f"C{c}_range"]
    low, high = rng.cell_ref(0, 0), rng.cell_ref(0, 1)
    i, bins = plan.blocks["bin_index"].ref, plan.settings.bins
    return f"{low}+({i}-0.5)*({high}-{low})/{bins}"


def count(plan: ComparePlan, c: int, k: int) -> str:
    """Outputs of layer k in every bin, in one pass: FREQUENCY against the upper edges, an
    array over the edges' rows and one more for the values above the last edge. A bin holds
    the values above the previous edge and up to its own, the first bin is open below. The
    edges are distinct (equal edges would split their values differently by application)."""
    z = plan.block(c, k, "z").ref
    return f"FREQUENCY({z},{plan.blocks[f'C{c}_edges'].ref})"


def header(plan: ComparePlan, words: str) -> str:
    """The Dashboard's settings line, live from the Activation control: ``words`` with
    {activation} as the control's value and the built shape and seed filled in."""
    exp = plan.settings
    before, after = words.format(activation="\0", layers=exp.layers, width=exp.width,
                                 samples=exp.samples, seed=exp.seed).split("\0")
    return f'"{before}"&{NAME_ACTIVATION}&"{after}"'


def list_check(kind: str) -> str:
    """Data-validation source of a dropdown."""
    return {"init": NAME_INIT_LIST, "activation": NAME_ACT_LIST}[kind]
