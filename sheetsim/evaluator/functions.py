"""Excel worksheet functions over :class:`Value` blocks.

Each function follows Excel's documented semantics (which arguments are coerced, which
cells aggregates ignore, which error appears where), vectorized with NumPy so a 1000×100
argument costs a few array operations. Functions are registered by canonical name
(upper case, no ``_xlfn.`` prefix) in :data:`FUNCTIONS`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

import numpy as np

from .parser import Missing, Node, Ref
from .values import (
    BOOL,
    DIV0,
    EMPTY,
    ERR0,
    NA,
    NUM,
    NUMERR,
    STR,
    VALUE,
    Value,
    binary,
    map_numbers,
    merge_errors,
    parse_number,
    select,
    to_numbers,
    to_truth,
)


class Context(Protocol):
    """What lazy functions need from the evaluator."""

    cell: str
    row: int
    col: int

    def evaluate(self, node: Node) -> Value:
        """The value of an argument tree in the current cell."""
        ...

    def reference(self, node: Node) -> Ref | None:
        """The range an argument tree stands for (ROW, COLUMN), else None."""
        ...


@dataclass(frozen=True)
class Spec:
    """A registered function and how many arguments it takes."""

    impl: Callable[..., Value]
    min_args: int
    max_args: int | None
    lazy: bool  # impl(ctx, nodes) instead of impl(*values)


FUNCTIONS: dict[str, Spec] = {}
VOLATILE = frozenset({"RAND", "RANDBETWEEN", "RANDARRAY", "NOW", "TODAY"})


def register(
    *names: str, min_args: int = 0, max_args: int | None = None, lazy: bool = False
) -> Callable[[Callable[..., Value]], Callable[..., Value]]:
    """Register the decorated function under each of ``names`` (canonical names).

    A ``lazy`` one receives the context and the argument trees instead of values,
    so IF and CHOOSE evaluate only the branch they pick.
    """
    def deco(impl: Callable[..., Value]) -> Callable[..., Value]:
        for name in names:
            FUNCTIONS[name] = Spec(impl, min_args, max_args, lazy)
        return impl

    return deco


def err_value(kind: int) -> Value:
    """A 1×1 error result."""
    return Value.error(kind)


def scalar_arg(v: Value | None, default: float) -> tuple[float, int]:
    """A scalar numeric argument (top-left cell) and its error kind (0 if none)."""
    if v is None:
        return default, 0
    x, errs = to_numbers(v.sub(slice(0, 1), slice(0, 1)))
    if errs is not None:
        return math.nan, int(errs[0, 0])
    return float(x[0, 0]), 0


# --- elementwise math ---------------------------------------------------------------

def _elementwise(name: str, func: Callable[..., object], nargs: int = 1) -> None:
    def impl(*args: Value | None) -> Value:
        vals = [a if a is not None else Value.scalar(0.0) for a in args]
        return map_numbers(func, *vals)  # type: ignore[arg-type]

    register(name, min_args=nargs, max_args=nargs)(impl)


_erf = np.frompyfunc(math.erf, 1, 1)
_erfc = np.frompyfunc(math.erfc, 1, 1)


def _vec(f: Callable[[np.ndarray], object]) -> Callable[[np.ndarray], np.ndarray]:
    return lambda x: np.asarray(f(x), dtype=float)


def _positive(f: Callable[[np.ndarray], np.ndarray]) -> Callable[[np.ndarray], np.ndarray]:
    """Domain x > 0 (LN, LOG10): anything else is #NUM!."""
    return lambda x: np.where(x > 0, f(np.where(x > 0, x, 1.0)), np.nan)


_elementwise("EXP", np.exp)
_elementwise("LN", _positive(np.log))
_elementwise("LOG10", _positive(np.log10))
_elementwise("SQRT", np.sqrt)
_elementwise("ABS", np.abs)
_elementwise("TANH", np.tanh)
_elementwise("SIGN", np.sign)
_elementwise("INT", np.floor)
_elementwise("ERFC", _vec(_erfc))
_elementwise("NORM.S.INV", lambda p: norm_s_inv(p))
_elementwise("NORMSDIST", lambda z: _norm_cdf(z))


def _mod(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    zero = y == 0
    out = np.mod(x, np.where(zero, 1.0, y))
    return out, (np.where(zero, DIV0, 0).astype(np.uint8) if zero.any() else None)


register("MOD", min_args=2, max_args=2)(lambda a, b: map_numbers(_mod, a, b))


@register("POWER", min_args=2, max_args=2)
def _power(a: Value, b: Value) -> Value:
    return binary("^", a, b)


@register("PI", max_args=0)
def _pi() -> Value:
    return Value.scalar(math.pi)


@register("ERF", min_args=1, max_args=2)
def _erf_fn(lower: Value, upper: Value | None = None) -> Value:
    if upper is None:
        return map_numbers(_vec(_erf), lower)
    return map_numbers(lambda a, b: _vec(_erf)(b) - _vec(_erf)(a), lower, upper)


def _round_half_up(x: float, digits: float) -> float:
    # Excel rounds the decimal it shows (15 digits), half away from zero: ROUND(2.675,2)=2.68.
    try:
        q = Decimal(1).scaleb(-int(digits))
        return float(Decimal(repr(x)).quantize(q, rounding=ROUND_HALF_UP))
    except (ArithmeticError, ValueError):  # NaN/inf, or more digits than Decimal keeps
        return x


_round_vec = np.frompyfunc(_round_half_up, 2, 1)


@register("ROUND", min_args=2, max_args=2)
def _round(x: Value, digits: Value) -> Value:
    return map_numbers(lambda a, d: np.asarray(_round_vec(a, np.trunc(d)), float), x, digits)


def _norm_cdf(z: np.ndarray) -> np.ndarray:
    return 0.5 * np.asarray(_erfc(-z / math.sqrt(2.0)), dtype=float)


def _norm_pdf(z: np.ndarray) -> np.ndarray:
    return np.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi)


@register("NORM.S.DIST", min_args=2, max_args=2)
def _norm_s_dist(z: Value, cumulative: Value) -> Value:
    return map_numbers(lambda x, c: np.where(c != 0, _norm_cdf(x), _norm_pdf(x)), z, cumulative)


@register("NORM.DIST", min_args=4, max_args=4)
def _norm_dist(x: Value, mean: Value, sd: Value, cumulative: Value) -> Value:
    def f(x: np.ndarray, m: np.ndarray, s: np.ndarray, c: np.ndarray) -> np.ndarray:
        z = (x - m) / s
        out = np.where(c != 0, _norm_cdf(z), _norm_pdf(z) / s)
        return np.where(s > 0, out, np.nan)

    return map_numbers(f, x, mean, sd, cumulative)


@register("NORM.INV", min_args=3, max_args=3)
def _norm_inv(p: Value, mean: Value, sd: Value) -> Value:
    return map_numbers(lambda p, m, s: np.where(s > 0, m + norm_s_inv(p) * s, np.nan), p, mean, sd)


# Wichura (1988), Algorithm AS241 PPND16: the rational approximations that Python's
# statistics.NormalDist.inv_cdf uses, evaluated in the same order so results agree to ulps.
_AS241_A = (
    2509.0809287301226727, 33430.575583588128105, 67265.770927008700853,
    45921.953931549871457, 13731.693765509461125, 1971.5909503065514427,
    133.14166789178437745, 3.387132872796366608,
)
_AS241_B = (
    5226.495278852545561, 28729.085735721942674, 39307.89580009271061,
    21213.794301586595867, 5394.1960214247511077, 687.1870074920579083,
    42.313330701600911252, 1.0,
)
_AS241_C = (
    0.000774545014278341407640, 0.0227238449892691845833, 0.241780725177450611770,
    1.27045825245236838258, 3.64784832476320460504, 5.76949722146069140550,
    4.63033784615654529590, 1.42343711074968357734,
)
_AS241_D = (
    1.05075007164441684324e-9, 0.000547593808499534494600, 0.0151986665636164571966,
    0.148103976427480074590, 0.689767334985100004550, 1.67638483018380384940,
    2.05319162663775882187, 1.0,
)
_AS241_E = (
    2.01033439929228813265e-7, 2.71155556874348757815e-5, 0.00124266094738807843860,
    0.0265321895265761230930, 0.296560571828504891230, 1.78482653991729133580,
    5.46378491116411436990, 6.65790464350110377720,
)
_AS241_F = (
    2.04426310338993978564e-15, 1.42151175831644588870e-7, 1.84631831751005468180e-5,
    0.000786869131145613259100, 0.0148753612908506148525, 0.136929880922735805310,
    0.599832206555887937690, 1.0,
)


def _horner(coeffs: Sequence[float], r: np.ndarray) -> np.ndarray:
    acc = np.full_like(r, coeffs[0])
    for c in coeffs[1:]:
        acc = acc * r + c
    return acc


def norm_s_inv(p: np.ndarray) -> np.ndarray:
    """Inverse standard normal CDF (AS241), NaN outside (0, 1) so callers report #NUM!."""
    p = np.asarray(p, dtype=float)
    out = np.full(p.shape, np.nan)
    with np.errstate(all="ignore"):
        valid = (p > 0.0) & (p < 1.0)
        q = p - 0.5
        central = valid & (np.abs(q) <= 0.425)
        qc = q[central]
        r = 0.180625 - qc * qc
        out[central] = _horner(_AS241_A, r) * qc / _horner(_AS241_B, r)
        tail = valid & ~central
        qt, pt = q[tail], p[tail]
        r = np.sqrt(-np.log(np.where(qt <= 0.0, pt, 1.0 - pt)))
        near = r <= 5.0
        x = np.empty_like(r)
        rn = r[near] - 1.6
        x[near] = _horner(_AS241_C, rn) / _horner(_AS241_D, rn)
        rf = r[~near] - 5.0
        x[~near] = _horner(_AS241_E, rf) / _horner(_AS241_F, rf)
        out[tail] = np.where(qt < 0.0, -x, x)
    return out


# --- constants and information --------------------------------------------------------

register("TRUE", max_args=0)(lambda: Value.scalar(True))
register("FALSE", max_args=0)(lambda: Value.scalar(False))
register("NA", max_args=0)(lambda: err_value(NA))


def _kind_test(test: Callable[[np.ndarray], np.ndarray]) -> Callable[[Value], Value]:
    return lambda v: Value.booleans(test(v.kinds()), None, v.origin if v.is_single else "array")


register("ISNUMBER", min_args=1, max_args=1)(_kind_test(lambda k: k == NUM))
register("ISTEXT", min_args=1, max_args=1)(_kind_test(lambda k: k == STR))
register("ISLOGICAL", min_args=1, max_args=1)(_kind_test(lambda k: k == BOOL))
register("ISBLANK", min_args=1, max_args=1)(_kind_test(lambda k: k == EMPTY))
register("ISERROR", min_args=1, max_args=1)(_kind_test(lambda k: k >= ERR0))
register("ISNA", min_args=1, max_args=1)(_kind_test(lambda k: k == NA))


def _if_error(only: int | None) -> Callable[[Value, Value | None], Value]:
    def impl(v: Value, alt: Value | None) -> Value:
        alt = alt if alt is not None else Value.scalar(0.0)
        k = v.kinds()
        mask = (k >= ERR0) if only is None else (k == only)
        if not mask.any():
            return v
        return select(~mask, None, v, alt)

    return impl


register("IFERROR", min_args=2, max_args=2)(_if_error(None))
register("IFNA", min_args=2, max_args=2)(_if_error(NA))


# --- logic -------------------------------------------------------------------------------

@register("IF", min_args=1, max_args=3, lazy=True)
def _if(ctx: Context, nodes: Sequence[Node]) -> Value:
    cond = ctx.evaluate(nodes[0])
    truth, errs = to_truth(cond)

    def branch(index: int) -> Value:
        if index >= len(nodes):
            return Value.scalar(False)  # IF(FALSE, x) is FALSE
        if isinstance(nodes[index], Missing):
            return Value.scalar(0.0)  # IF(FALSE, x, ) is 0
        return ctx.evaluate(nodes[index])

    if cond.is_single:  # only the chosen branch is evaluated, as in Excel
        if errs is not None:
            return err_value(int(errs[0, 0]))
        return branch(1 if truth[0, 0] else 2)
    return select(truth, errs, branch(1), branch(2))


@register("CHOOSE", min_args=2, lazy=True)
def _choose(ctx: Context, nodes: Sequence[Node]) -> Value:
    index = ctx.evaluate(nodes[0])
    x, errs = to_numbers(index)
    n = len(nodes) - 1
    idx = np.trunc(np.nan_to_num(x, nan=0.0))
    bad = (idx < 1) | (idx > n)
    errs = merge_errors(errs, np.where(bad, VALUE, 0).astype(np.uint8) if bad.any() else None)
    if index.is_single:
        if errs is not None:
            return err_value(int(errs[0, 0]))
        node = nodes[int(idx[0, 0])]
        return Value.scalar(0.0) if isinstance(node, Missing) else ctx.evaluate(node)
    options = [
        Value.scalar(0.0) if isinstance(nd, Missing) else ctx.evaluate(nd) for nd in nodes[1:]
    ]
    out = Value.error(VALUE, index.shape, "array")
    for k, option in enumerate(options, start=1):
        out = select(idx == k, None, option, out)
    if errs is not None:
        out = select(np.zeros(errs.shape, bool), errs, out, out)
    return out


def _logical_args(args: Sequence[Value | None]) -> np.ndarray | int:
    """Truth values for AND/OR: text in references and arrays is ignored."""
    parts = []
    for v in args:
        if v is None:
            continue
        if v.origin != "scalar" and v.kind is not None:
            first = v.first_error()
            if first:
                return first
            keep = (v.kind == NUM) | (v.kind == BOOL)
            parts.append((v.num != 0)[keep])
            continue
        truth, errs = to_truth(v)
        if errs is not None:
            return int(errs.ravel()[np.flatnonzero(errs)[0]])
        parts.append(truth.ravel())
    values = np.concatenate(parts) if parts else np.zeros(0, bool)
    return VALUE if values.size == 0 else values


@register("AND", min_args=1)
def _and(*args: Value | None) -> Value:
    t = _logical_args(args)
    return err_value(t) if isinstance(t, int) else Value.scalar(bool(t.all()))


@register("OR", min_args=1)
def _or(*args: Value | None) -> Value:
    t = _logical_args(args)
    return err_value(t) if isinstance(t, int) else Value.scalar(bool(t.any()))


@register("NOT", min_args=1, max_args=1)
def _not(v: Value) -> Value:
    truth, errs = to_truth(v)
    return Value.booleans(~truth, errs, v.origin if v.is_single else "array")


# --- aggregates ----------------------------------------------------------------------------

def collect_numbers(args: Sequence[Value | None]) -> np.ndarray | int:
    """The numbers an aggregate sees, or the first error kind.

    References and arrays contribute only their numbers (text, booleans, empty ignored);
    scalar arguments are coerced (TRUE is 1, "3" is 3, other text is #VALUE!).
    """
    parts: list[np.ndarray] = []
    for v in args:
        if v is None:
            continue
        if v.origin == "scalar":
            k = NUM if v.kind is None else int(v.kind[0, 0])
            if k == EMPTY:
                continue
            x, errs = to_numbers(v)
            if errs is not None:
                return int(errs[0, 0])
            parts.append(x.ravel())
            continue
        if v.kind is None:
            parts.append(v.num.ravel())
            continue
        first = v.first_error()
        if first:
            return first
        parts.append(v.num[v.kind == NUM])
    return np.concatenate(parts) if parts else np.zeros(0)


def _aggregate(
    *names: str, empty: Value
) -> Callable[[Callable[[np.ndarray], float]], Callable[[np.ndarray], float]]:
    """Register f(numbers) as an aggregate; ``empty`` is the result when there are none."""

    def deco(f: Callable[[np.ndarray], float]) -> Callable[[np.ndarray], float]:
        def impl(*args: Value | None) -> Value:
            x = collect_numbers(args)
            if isinstance(x, int):
                return err_value(x)
            if x.size == 0:
                return empty
            with np.errstate(all="ignore"):
                out = float(f(x))
            return Value.scalar(out) if math.isfinite(out) else err_value(NUMERR)

        register(*names, min_args=1)(impl)
        return f

    return deco


_ZERO = Value.scalar(0.0)


@_aggregate("SUM", empty=_ZERO)
def _sum(x: np.ndarray) -> float:
    return float(np.sum(x))


@_aggregate("PRODUCT", empty=_ZERO)
def _product(x: np.ndarray) -> float:
    return float(np.prod(x))


@_aggregate("SUMSQ", empty=_ZERO)
def _sumsq(x: np.ndarray) -> float:
    return float(np.sum(x * x))


@_aggregate("AVERAGE", empty=err_value(DIV0))
def _average(x: np.ndarray) -> float:
    return float(np.mean(x))


@_aggregate("MIN", empty=_ZERO)
def _min(x: np.ndarray) -> float:
    return float(np.min(x))


@_aggregate("MAX", empty=_ZERO)
def _max(x: np.ndarray) -> float:
    return float(np.max(x))


@_aggregate("MEDIAN", empty=err_value(NUMERR))
def _median(x: np.ndarray) -> float:
    return float(np.median(x))


def _var(x: np.ndarray, ddof: int) -> float:
    m = np.mean(x)
    return float(np.sum((x - m) ** 2) / (x.size - ddof))


def _register_spread() -> None:
    for name, ddof, root in (
        ("VAR.P", 0, False), ("VAR.S", 1, False), ("STDEV.P", 0, True), ("STDEV.S", 1, True)
    ):

        def impl(*args: Value | None, ddof: int = ddof, root: bool = root) -> Value:
            x = collect_numbers(args)
            if isinstance(x, int):
                return err_value(x)
            if x.size <= ddof:
                return err_value(DIV0)
            v = _var(x, ddof)
            return Value.scalar(math.sqrt(v) if root else v)

        register(name, min_args=1)(impl)


_register_spread()


@register("COUNT", min_args=1)
def _count(*args: Value | None) -> Value:
    n = 0
    for v in args:
        if v is None:
            continue
        if v.origin == "scalar":
            k = NUM if v.kind is None else int(v.kind[0, 0])
            is_text_number = k == STR and parse_number(str(v.text[0, 0])) is not None  # type: ignore[index]
            n += k in (NUM, BOOL) or is_text_number
        else:
            n += v.num.size if v.kind is None else int((v.kind == NUM).sum())
    return Value.scalar(float(n))


@register("COUNTA", min_args=1)
def _counta(*args: Value | None) -> Value:
    n = 0
    for v in args:
        if v is not None:
            n += v.num.size if v.kind is None else int((v.kind != EMPTY).sum())
    return Value.scalar(float(n))


@register("SUMPRODUCT", min_args=1)
def _sumproduct(*args: Value | None) -> Value:
    vals = [a for a in args if a is not None]
    if len({v.shape for v in vals}) != 1 or len(vals) != len(args):
        return err_value(VALUE)
    for v in vals:
        first = v.first_error()
        if first:
            return err_value(first)
    prod = np.ones(vals[0].shape)
    for v in vals:  # anything but a number counts as 0, booleans included
        prod = prod * (v.num if v.kind is None else np.where(v.kind == NUM, v.num, 0.0))
    out = float(np.sum(prod))
    return Value.scalar(out) if math.isfinite(out) else err_value(NUMERR)
