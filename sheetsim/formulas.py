"""Formula text for every block kind: the one place formula strings are made.

Formulas refer to controls by defined name and to blocks through the plan, and use only
functions that Excel 2010+, LibreOffice and Gnumeric all compute (DESIGN.md). Future
functions carry their ``_xlfn.`` prefix, as Excel itself stores them.
"""

from __future__ import annotations

from sheetsim.config import GLOBAL, INITS
from sheetsim.layout import (
    NAME_ACT_CHOICES,
    NAME_ACT_LIST,
    NAME_ACTIVATION,
    NAME_BINS,
    NAME_HIGH,
    NAME_INIT,
    NAME_INIT_CHOICES,
    NAME_INIT_DIST,
    NAME_INIT_LIST,
    NAME_LOW,
    NAME_SAMPLES,
    NAME_SEED,
    NAME_SIGMA,
    NAME_SLOPE,
    Plan,
    layer_names,
)

NORM_S_INV = "_xlfn.NORM.S.INV"
STDEV_P = "_xlfn.STDEV.P"


def input_values(plan: Plan) -> str:
    return f"{NORM_S_INV}({plan.blocks['input_u'].ref})"


def weight_scale(plan: Plan, k: int) -> str:
    """σ (normal) or limit (uniform) of layer k, chosen by the layer's initializer name."""
    names = layer_names(k)
    fan_in = plan.blocks["layer_fan_in"].local(k - 1)
    fan_out = plan.blocks["layer_fan_out"].local(k - 1)
    by_init = {
        "normal": NAME_SIGMA,
        "xavier": f"1/SQRT({fan_in})",
        "he": f"SQRT(2/{fan_in})",
        "xavier_uniform": f"SQRT(6/({fan_in}+{fan_out}))",
        "he_uniform": f"SQRT(6/{fan_in})",
        "lecun": f"1/SQRT({fan_in})",
    }
    choices = ",".join(by_init[i] for i in INITS)
    return f"CHOOSE(MATCH({names['init']},{NAME_INIT_LIST},0),{choices})"


def weight_distribution(k: int) -> str:
    return f"INDEX({NAME_INIT_DIST},MATCH({layer_names(k)['init']},{NAME_INIT_LIST},0))"


def weight_std(k: int) -> str:
    names = layer_names(k)
    return f'IF({names["dist"]}="uniform",{names["scale"]}/SQRT(3),{names["scale"]})'


def layer_init(k: int) -> str:
    """The initializer in use: the layer's own choice, or the global control."""
    chosen = layer_names(k)["init_set"]
    return f'IF({chosen}="{GLOBAL}",{NAME_INIT},{chosen})'


def layer_activation(k: int) -> str:
    chosen = layer_names(k)["act_set"]
    return f'IF({chosen}="{GLOBAL}",{NAME_ACTIVATION},{chosen})'


def draw() -> str:
    """A live uniform draw (``--live``): every recalculation is a new sample."""
    return "RAND()"


def weights(plan: Plan, k: int) -> str:
    names = layer_names(k)
    u = plan.layer_block(k, "u").ref
    return (
        f'IF({names["dist"]}="uniform",(2*{u}-1)*{names["scale"]},'
        f"{NORM_S_INV}({u})*{names['scale']})"
    )


def linear(plan: Plan, k: int) -> str:
    return f"MMULT({plan.output_block(k - 1).ref},{plan.layer_block(k, 'w').ref})"


def activation(plan: Plan, k: int) -> str:
    """Every activation in one IF chain, so the Activation control switches it live.

    The sigmoid is written as (1+TANH(a/2))/2: equal to 1/(1+EXP(−a)) but it cannot
    overflow to #NUM! for very negative a.
    """
    act = layer_names(k)["activation"]
    a = plan.layer_block(k, "a").ref
    cases = [
        ("sigmoid", f"(1+TANH({a}/2))/2"),
        ("tanh", f"TANH({a})"),
        ("relu", f"IF({a}>0,{a},0)"),
        ("leaky_relu", f"IF({a}>0,{a},{NAME_SLOPE}*{a})"),
    ]
    text = a  # identity
    for name, expr in reversed(cases):
        text = f'IF({act}="{name}",{expr},{text})'
    return text


def edges(plan: Plan) -> str:
    """Upper bin edges; from row Bins on they are exactly BinHigh, so the rows beyond the
    Bins control are empty intervals and a histogram can be coarsened in the sheet."""
    index = plan.blocks["bin_index"].ref
    return (
        f"IF({index}<{NAME_BINS},{NAME_LOW}+{index}*({NAME_HIGH}-{NAME_LOW})/{NAME_BINS},"
        f"{NAME_HIGH})"
    )


def centres(plan: Plan) -> str:
    """Bin centres label the charts; unused rows show BinHigh."""
    index = plan.blocks["bin_index"].ref
    return (
        f"IF({index}<={NAME_BINS},{NAME_LOW}+({index}-0.5)*({NAME_HIGH}-{NAME_LOW})/"
        f"{NAME_BINS},{NAME_HIGH})"
    )


def count(plan: Plan, k: int, row: int) -> str:
    """Outputs of layer k in bin ``row`` (0-based): above the previous edge, up to this one.

    The last row counts what lies above BinHigh. Interval counts (rather than FREQUENCY)
    keep equal edges harmless: applications split ties among equal FREQUENCY bins
    differently, and some need the bins sorted.
    """
    z = plan.layer_block(k, "z").ref
    edges_block = plan.blocks["edges"]
    if row == edges_block.rows:
        return f"SUMPRODUCT(({z}>{NAME_HIGH})*1)"
    upper = edges_block.cell_ref(row, 0)
    if row == 0:
        return f"SUMPRODUCT(({z}<={upper})*1)"
    lower = edges_block.cell_ref(row - 1, 0)
    return f"SUMPRODUCT(({z}>{lower})*({z}<={upper}))"


def stat(plan: Plan, name: str, k: int) -> str:
    z = plan.layer_block(k, "z").ref
    cnt = plan.blocks[f"L{k}_counts"]
    if name == "first_bin":
        return f"{cnt.cell_ref(0, 0)}/COUNT({z})"
    if name == "last_bin":  # the row of the Bins control's last bin
        return f"INDEX({cnt.ref},{NAME_BINS})/COUNT({z})"
    if name == "above":
        return f"{cnt.cell_ref(cnt.rows - 1, 0)}/COUNT({z})"
    return {
        "mean": f"AVERAGE({z})",
        "std": f"{STDEV_P}({z})",
        "min": f"MIN({z})",
        "max": f"MAX({z})",
        "zero": f"COUNTIF({z},0)/COUNT({z})",
    }[name]


def reference(target: str) -> str:
    """A cell that shows another cell or name (Dashboard, per-layer defaults)."""
    return target


def subtitle(labels: tuple[str, str, str, str]) -> str:
    """The Dashboard's one-line description, live from the controls."""
    parts = zip(labels, (NAME_INIT, NAME_ACTIVATION, NAME_SAMPLES, NAME_SEED), strict=True)
    return "&".join(f'"{label}"&{name}' for label, name in parts)


def list_check(kind: str) -> str:
    """Data-validation source of a dropdown."""
    return "=" + {
        "init": NAME_INIT_LIST,
        "activation": NAME_ACT_LIST,
        "init_set": NAME_INIT_CHOICES,
        "act_set": NAME_ACT_CHOICES,
    }[kind]
