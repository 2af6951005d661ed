"""Formula text for every block kind: the one place formula strings are made.

Formulas refer to controls by defined name and to blocks through the plan, and use only
functions that Excel 2010+, LibreOffice and Gnumeric all compute (DESIGN.md). Future
functions carry their ``_xlfn.`` prefix, as Excel itself stores them.
"""

from __future__ import annotations

from sheetsim.config import INITS
from sheetsim.layout import (
    NAME_ACT_LIST,
    NAME_ACTIVATION,
    NAME_BINS,
    NAME_HIGH,
    NAME_INIT,
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
    fans = plan.blocks["layer_fans"]
    fan_in, fan_out = fans.local(k - 1, 0), fans.local(k - 1, 1)
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
    return NAME_INIT


def layer_activation(k: int) -> str:
    return NAME_ACTIVATION


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
    index = plan.blocks["bin_index"].ref
    return f"{NAME_LOW}+{index}*({NAME_HIGH}-{NAME_LOW})/{NAME_BINS}"


def centres(plan: Plan) -> str:
    return f"{plan.blocks['edges'].ref}-({NAME_HIGH}-{NAME_LOW})/{NAME_BINS}/2"


def counts(plan: Plan, k: int) -> str:
    return f"FREQUENCY({plan.layer_block(k, 'z').ref},{plan.blocks['edges'].ref})"


def stat(plan: Plan, name: str, k: int) -> str:
    z = plan.layer_block(k, "z").ref
    cnt = plan.blocks[f"L{k}_counts"]
    bins = plan.exp.bins
    share_of = {"first_bin": 0, "last_bin": bins - 1, "above": bins}
    if name in share_of:
        return f"{cnt.cell_ref(share_of[name], 0)}/COUNT({z})"
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


def subtitle() -> str:
    """The Dashboard's one-line description, live from the controls."""
    return (
        f'"Initializer: "&{NAME_INIT}&"   Activation: "&{NAME_ACTIVATION}'
        f'&"   Samples: "&{NAME_SAMPLES}&"   Seed: "&{NAME_SEED}'
    )


def list_check(kind: str) -> str:
    """Data-validation source of a dropdown."""
    return "=" + {"init": NAME_INIT_LIST, "activation": NAME_ACT_LIST}[kind]
