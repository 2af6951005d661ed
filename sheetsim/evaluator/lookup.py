"""Criteria, lookup, matrix and reference functions (COUNTIFS, FREQUENCY, MATCH, INDEX,
MMULT, TRANSPOSE, ROW, COLUMN).

Split from :mod:`sheetsim.evaluator.functions` to keep modules small; importing this module
registers its functions in the same table.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import numpy as np

from ..xlsx.book import ExcelError
from .functions import (
    Context,
    collect_numbers,
    err_value,
    register,
    scalar_arg,
)
from .parser import Node, Ref
from .values import (
    BOOL,
    EMPTY,
    ERR0,
    ERROR_CODES,
    MAX_COMPARE,
    MAX_MULTIPLY,
    NA,
    NUM,
    REF,
    STR,
    VALUE,
    EvaluationError,
    Scalar,
    Value,
    check_cells,
    check_work,
    combined_origin,
    common_shape,
    error_kind,
    map_numbers,
    merge_errors,
    parse_number,
    select,
    to_numbers,
)

# --- criteria: COUNTIF(S), SUMIF(S) ------------------------------------------------------

_CRIT_RE = re.compile(r"^(<=|>=|<>|<|>|=)?(.*)$", re.S)


def _wildcard(pattern: str) -> re.Pattern[str]:
    """Excel wildcards: * any run, ? one char, ~ escapes."""
    out, i = [], 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "~" and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        out.append(".*" if ch == "*" else "." if ch == "?" else re.escape(ch))
        i += 1
    return re.compile("".join(out), re.I | re.S)


def criteria_mask(rng: Value, criterion: Scalar) -> np.ndarray:
    """Cells of ``rng`` that meet one COUNTIF criterion (number, text like ">0", "abc")."""
    k, num = rng.kinds(), rng.num
    if isinstance(criterion, bool):
        return (k == BOOL) & (num == float(criterion))
    if isinstance(criterion, ExcelError):
        return k == error_kind(criterion.code)
    if isinstance(criterion, float):
        return (k == NUM) & (num == criterion)
    op, operand = _CRIT_RE.match(criterion or "").groups()  # type: ignore[union-attr]
    op = op or "="
    if operand == "":
        blank = (k == EMPTY) | _text_cells(rng, k, lambda s: s == "")
        return ~blank if op == "<>" else blank if op == "=" else np.zeros(k.shape, bool)
    number = parse_number(operand)
    if number is not None:
        cmp = _NUM_CMP[op]
        with np.errstate(invalid="ignore"):
            hit = (k == NUM) & cmp(num, number)
        return ~((k == NUM) & (num == number)) if op == "<>" else hit
    upper = operand.upper()
    if upper in ("TRUE", "FALSE"):
        hit = (k == BOOL) & (num == float(upper == "TRUE"))
        return ~hit if op == "<>" else hit if op == "=" else np.zeros(k.shape, bool)
    if upper in ERROR_CODES:
        hit = k == error_kind(upper)
        return ~hit if op == "<>" else hit if op == "=" else np.zeros(k.shape, bool)
    if op in ("=", "<>"):
        pattern = _wildcard(operand)
        hit = _text_cells(rng, k, lambda s: pattern.fullmatch(s) is not None)
        return ~hit if op == "<>" else hit
    low = operand.lower()
    cmp = _NUM_CMP[op]
    return _text_cells(rng, k, lambda s: cmp(s.lower(), low))


_NUM_CMP: dict[str, Callable[[object, object], object]] = {
    "=": lambda a, b: a == b, "<>": lambda a, b: a != b, "<": lambda a, b: a < b,
    ">": lambda a, b: a > b, "<=": lambda a, b: a <= b, ">=": lambda a, b: a >= b,
}


def _text_cells(rng: Value, k: np.ndarray, test: Callable[[str], bool]) -> np.ndarray:
    out = np.zeros(k.shape, bool)
    for i, j in zip(*np.nonzero(k == STR), strict=True):
        out[i, j] = test(str(rng.text[i, j]))  # type: ignore[index]
    return out


def _ifs(pairs: Sequence[tuple[Value, Value]], reduce: Callable[[np.ndarray], float]) -> Value:
    """Shared by COUNTIF(S)/SUMIF(S): criteria may be arrays, giving an array result."""
    shape = pairs[0][0].shape
    if any(rng.shape != shape for rng, _ in pairs):
        return err_value(VALUE)
    out_shape = common_shape(c.shape for _, c in pairs)
    check_work(out_shape[0] * out_shape[1] * shape[0] * shape[1] * len(pairs), MAX_COMPARE,
               "a criteria function over an array of criteria")
    crits = [c.broadcast_to(*out_shape) for _, c in pairs]
    result = np.zeros(out_shape)
    for i in range(out_shape[0]):
        for j in range(out_shape[1]):
            mask = np.ones(shape, bool)
            for (rng, _), crit in zip(pairs, crits, strict=True):
                mask &= criteria_mask(rng, crit.item(i, j))
            result[i, j] = reduce(mask)
    return Value.numbers(result, None, combined_origin(c for _, c in pairs))


@register("COUNTIF", min_args=2, max_args=2)
def _countif(rng: Value, crit: Value) -> Value:
    return _ifs([(rng, crit)], lambda m: float(m.sum()))


@register("COUNTIFS", min_args=2)
def _countifs(*args: Value) -> Value:
    if len(args) % 2:
        raise EvaluationError("COUNTIFS needs range/criteria pairs")
    return _ifs(list(zip(args[::2], args[1::2], strict=True)), lambda m: float(m.sum()))


def _summed(values: Value) -> Callable[[np.ndarray], float]:
    nums = values.num if values.kind is None else np.where(values.kind == NUM, values.num, 0.0)
    return lambda m: float(nums[m].sum())


@register("SUMIF", min_args=2, max_args=3)
def _sumif(rng: Value, crit: Value, values: Value | None = None) -> Value:
    values = values if values is not None else rng
    if values.shape != rng.shape:
        return err_value(VALUE)
    return _ifs([(rng, crit)], _summed(values))


@register("SUMIFS", min_args=3)
def _sumifs(values: Value, *args: Value) -> Value:
    if len(args) % 2:
        raise EvaluationError("SUMIFS needs range/criteria pairs")
    pairs = list(zip(args[::2], args[1::2], strict=True))
    if pairs[0][0].shape != values.shape:
        return err_value(VALUE)
    return _ifs(pairs, _summed(values))


@register("FREQUENCY", min_args=2, max_args=2)
def _frequency(data: Value, bins: Value) -> Value:
    x = collect_numbers([data])
    if isinstance(x, int):
        return err_value(x)
    edges = collect_numbers([bins])
    if isinstance(edges, int):
        return err_value(edges)
    # Count on sorted edges: bin i holds (edge[i-1], edge[i]]; the extra last bin holds
    # values above every edge. Counts go back to the edges' own order, as Excel does.
    order = np.argsort(edges, kind="stable")
    sorted_edges = edges[order]
    counts_sorted = np.bincount(
        np.searchsorted(sorted_edges, x, side="left"), minlength=edges.size + 1
    )
    counts = np.zeros(edges.size + 1)
    counts[order] = counts_sorted[: edges.size]
    counts[-1] = counts_sorted[edges.size]
    return Value(counts.reshape(-1, 1).astype(float), None, None, "array")


# --- lookup and reference -----------------------------------------------------------------

@register("MATCH", min_args=2, max_args=3)
def _match(lookup: Value, array: Value, match_type: Value | None = None) -> Value:
    if array.shape[0] != 1 and array.shape[1] != 1:
        return err_value(NA)
    mt, err = scalar_arg(match_type, 1.0)
    if err:
        return err_value(err)
    mode = 0 if mt == 0 else (1 if mt > 0 else -1)
    flat = array.sub(slice(None), slice(None))
    flat = Value(
        flat.num.reshape(1, -1),
        None if flat.kind is None else flat.kind.reshape(1, -1),
        None if flat.text is None else flat.text.reshape(1, -1),
    )
    items = [flat.item(0, j) for j in range(flat.shape[1])]
    rows, cols = lookup.shape
    out = [[_match_one(lookup.item(i, j), items, mode) for j in range(cols)] for i in range(rows)]
    return Value.from_items(out, "scalar" if lookup.is_single else "array")


def _key(x: Scalar) -> tuple[int, object] | None:
    """Comparable key in Excel's order number < text < logical; None for blanks/errors."""
    if isinstance(x, bool):
        return (2, x)
    if isinstance(x, float):
        return (0, x)
    if isinstance(x, str):
        return (1, x.lower())
    return None


def _match_one(target: Scalar, items: list[Scalar], mode: int) -> Scalar:
    if isinstance(target, ExcelError):
        return target
    key = _key(target)
    if key is None:
        return ExcelError("#N/A")
    if mode == 0:
        pattern = _wildcard(target) if isinstance(target, str) else None
        for pos, item in enumerate(items, start=1):
            k = _key(item)
            if k is None or k[0] != key[0]:
                continue
            if pattern is not None and isinstance(item, str):
                if pattern.fullmatch(item):
                    return float(pos)
            elif k == key:
                return float(pos)
        return ExcelError("#N/A")
    # Approximate match on sorted data: the last position before the order breaks.
    best = None
    for pos, item in enumerate(items, start=1):
        k = _key(item)
        if k is None or k[0] != key[0]:
            continue
        if (mode == 1 and k[1] > key[1]) or (mode == -1 and k[1] < key[1]):  # type: ignore[operator]
            break
        best = pos
    return ExcelError("#N/A") if best is None else float(best)


@register("INDEX", min_args=2, max_args=3)
def _index(array: Value, row: Value | None, col: Value | None = None) -> Value:
    rows, cols = array.shape
    if col is None and rows == 1 and cols > 1:
        row, col = Value.scalar(1.0), row
    r_val = row if row is not None else Value.scalar(0.0)
    c_val = col if col is not None else Value.scalar(0.0)
    if r_val.is_single and c_val.is_single:
        (rf, r_err), (cf, c_err) = scalar_arg(r_val, 0.0), scalar_arg(c_val, 0.0)
        if r_err or c_err:
            return err_value(r_err or c_err)
        r, c = int(rf), int(cf)
        if r < 0 or c < 0:
            return err_value(VALUE)
        if r > rows or c > cols:
            return err_value(REF)
        rs = slice(None) if r == 0 else slice(r - 1, r)
        cs = slice(None) if c == 0 else slice(c - 1, c)
        return array.sub(rs, cs)
    shape = common_shape((r_val.shape, c_val.shape))
    rx, re_ = to_numbers(r_val.broadcast_to(*shape))
    cx, ce = to_numbers(c_val.broadcast_to(*shape))
    ri = np.trunc(np.nan_to_num(rx)).astype(int)
    ci = np.trunc(np.nan_to_num(cx)).astype(int)
    if rows == 1:
        ri = np.where(ri == 0, 1, ri)
    if cols == 1:
        ci = np.where(ci == 0, 1, ci)
    bad = (ri < 1) | (ri > rows) | (ci < 1) | (ci > cols)
    flat_r = np.clip(ri - 1, 0, rows - 1)
    flat_c = np.clip(ci - 1, 0, cols - 1)
    num = array.num[flat_r, flat_c]
    kind = None if array.kind is None else array.kind[flat_r, flat_c]
    text = None if array.text is None else array.text[flat_r, flat_c]
    errs = merge_errors(merge_errors(re_, ce), np.where(bad, REF, 0).astype(np.uint8))
    out = Value(num, kind, text, "array")
    if errs is not None and errs.any():
        out = select(np.zeros(shape, bool), errs, out, out)
    return out


@register("MMULT", min_args=2, max_args=2)
def _mmult(a: Value, b: Value) -> Value:
    if a.shape[1] != b.shape[0]:
        return err_value(VALUE)
    check_cells(a.shape[0], b.shape[1], "MMULT's result")
    check_work(a.shape[0] * a.shape[1] * b.shape[1], MAX_MULTIPLY, "MMULT")
    for v in (a, b):  # text, booleans or blanks anywhere make the whole result #VALUE!
        if v.kind is not None and ((v.kind != NUM) & (v.kind < ERR0)).any():
            return err_value(VALUE)
    an = np.where(np.isnan(a.num), 0.0, a.num) if a.kind is not None else a.num
    bn = np.where(np.isnan(b.num), 0.0, b.num) if b.kind is not None else b.num
    with np.errstate(all="ignore"):
        out = an @ bn
    errs = None
    if a.kind is not None or b.kind is not None:  # an error reaches the cells of its row/col
        row_err = _first_per(a.kinds(), axis=1)[:, None]
        col_err = _first_per(b.kinds(), axis=0)[None, :]
        errs = merge_errors(
            np.broadcast_to(row_err, out.shape), np.broadcast_to(col_err, out.shape)
        )
    return map_numbers(lambda x: x, Value.numbers(out, errs))


def _first_per(kind: np.ndarray, axis: int) -> np.ndarray:
    errs = np.where(kind >= ERR0, kind, 0)
    has = errs != 0
    first = np.argmax(has, axis=axis)
    picked = np.take_along_axis(errs, np.expand_dims(first, axis), axis=axis).squeeze(axis)
    return picked.astype(np.uint8)


@register("TRANSPOSE", min_args=1, max_args=1)
def _transpose(a: Value) -> Value:
    return a.transpose()


def _ref_arg(ctx: Context, nodes: Sequence[Node]) -> Ref | None:
    ref = ctx.reference(nodes[0]) if nodes else None
    if nodes and ref is None:
        raise EvaluationError("ROW/COLUMN need a reference")
    return ref


@register("ROW", max_args=1, lazy=True)
def _row(ctx: Context, nodes: Sequence[Node]) -> Value:
    ref = _ref_arg(ctx, nodes)
    if ref is None:
        return Value.scalar(float(ctx.row + 1))
    rows = np.arange(ref.row + 1, ref.row + ref.rows + 1, dtype=float).reshape(-1, 1)
    return Value(rows, None, None, "scalar" if ref.rows == 1 else "array")


@register("COLUMN", max_args=1, lazy=True)
def _column(ctx: Context, nodes: Sequence[Node]) -> Value:
    ref = _ref_arg(ctx, nodes)
    if ref is None:
        return Value.scalar(float(ctx.col + 1))
    cols = np.arange(ref.col + 1, ref.col + ref.cols + 1, dtype=float).reshape(1, -1)
    return Value(cols, None, None, "scalar" if ref.cols == 1 else "array")


register("ROWS", min_args=1, max_args=1)(lambda v: Value.scalar(float(v.shape[0])))
register("COLUMNS", min_args=1, max_args=1)(lambda v: Value.scalar(float(v.shape[1])))
