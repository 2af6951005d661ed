"""Excel values as NumPy blocks, and the operators between them.

A formula over a 1000×100 range must be evaluated as one NumPy operation, yet every cell
keeps Excel's own semantics: text, booleans, empty cells and error values that propagate
cell by cell. A :class:`Value` therefore holds a float block plus, only when needed, a
per-cell *kind* code (number, bool, text, empty or one error) and the text of text cells.
Blocks of plain numbers carry no kind array, so the common path costs one NumPy op.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Iterable

import numpy as np

from ..xlsx.book import ExcelError


class EvaluationError(Exception):
    """A formula cannot be evaluated (unparsable text, circular references...)."""

    def __init__(self, message: str, cell: str | None = None) -> None:
        self.detail = message
        self.cell = cell
        super().__init__(f"{cell}: {message}" if cell else message)

    def at(self, cell: str) -> EvaluationError:
        """Name the cell once it is known (functions raise without knowing it)."""
        if self.cell is None:
            self.cell = cell
            self.args = (f"{cell}: {self.detail}",)
        return self


class UnsupportedFunction(EvaluationError):
    """The formula calls a function the evaluator does not implement."""

    def __init__(self, function: str, cell: str | None = None) -> None:
        self.function = function
        super().__init__(f"unsupported function {function}", cell)


class VolatileFunctionError(EvaluationError):
    """A volatile function (RAND...) cannot be re-evaluated to the file's numbers."""

    def __init__(self, function: str, cell: str | None = None) -> None:
        self.function = function
        super().__init__(
            f"volatile function {function} cannot be recomputed; "
            "evaluate with volatile='cached' to use the stored values",
            cell,
        )


MAX_CELLS = 8_000_000
"""Cells of one array the evaluator may create (64 MB of numbers). A sheet sheetsim can
read holds fewer (a part inflates to at most 128 MB, and a cell takes 22 bytes or more),
so only a formula that spreads beyond its inputs (an outer product, an MMULT of a column by
a row, a range past a sheet's cells) can ask for more: it is refused before allocation."""
MAX_MULTIPLY = 10_000_000_000
"""Multiply-adds of one MMULT (a few seconds); a 1000 × 100 by 100 × 100 product is 10 M."""
MAX_COMPARE = 1_000_000_000
"""Cell comparisons of one criteria function (COUNTIF with an array of criteria)."""


class BudgetError(EvaluationError):
    """A formula would need more memory or work than the evaluator allows."""


def check_cells(rows: int, cols: int, what: str = "an array") -> None:
    """Refuse, before allocation, an array of more than MAX_CELLS cells."""
    if rows * cols > MAX_CELLS:
        raise BudgetError(f"{what} would need {rows:,} × {cols:,} = {rows * cols:,} cells; "
                          f"the evaluator holds at most {MAX_CELLS:,} in one array; refused")


def check_work(count: int, limit: int, what: str) -> None:
    """Refuse, before starting, work of more than ``limit`` operations."""
    if count > limit:
        raise BudgetError(f"{what} would take {count:,} operations; the evaluator does at "
                          f"most {limit:,}; refused")


# Kind codes. Errors are ERR0 + index into ERROR_CODES, so one uint8 array carries both
# the type of every cell and which error it holds.
NUM, BOOL, STR, EMPTY = 0, 1, 2, 3
ERR0 = 8
ERROR_CODES = [
    "#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A",
    "#GETTING_DATA", "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#UNKNOWN!",
    "#UNEVALUATED!",  # a formula range read before it was evaluated: must never show up
]


def error_kind(code: str) -> int:
    """Kind code of an error value; unknown codes are registered so they survive."""
    code = code.upper()
    if code not in ERROR_CODES:
        if ERR0 + len(ERROR_CODES) > 255:
            code = "#UNKNOWN!"
        else:
            ERROR_CODES.append(code)
    return ERR0 + ERROR_CODES.index(code)


NULL, DIV0, VALUE, REF, NAME, NUMERR, NA = (error_kind(c) for c in ERROR_CODES[:7])
UNEVALUATED = error_kind("#UNEVALUATED!")

Scalar = float | str | bool | ExcelError | None
_NUMBER_RE = re.compile(r"^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*(%?)\s*$")


def parse_number(text: str) -> float | None:
    """Excel's text → number coercion (``"1.5"``, ``" 2e3 "``, ``"50%"``); None if not one."""
    m = _NUMBER_RE.match(text)
    if not m:
        return None
    value = float(text.strip().rstrip("%").strip())
    return value / 100 if m.group(3) else value


def format_number(x: float) -> str:
    """Number → text as Excel's General format does in ``&`` (15 significant digits)."""
    if x == int(x) and abs(x) < 1e15:
        return str(int(x))
    text = f"{x:.15g}"
    if "e" in text:
        mantissa, exp = text.split("e")
        text = f"{mantissa}E{exp[0]}{int(exp[1:]):02d}"
    return text


class Value:
    """A rows×cols block of Excel values.

    ``num`` holds numbers (booleans as 1/0, empty cells as 0, NaN for text and errors);
    ``kind`` is None when every cell is a number; ``text`` holds the strings of text cells.
    ``origin`` records whether the block came from a reference, an array expression or a
    scalar, because aggregates treat text and booleans differently in each case.
    """

    __slots__ = ("num", "kind", "text", "origin")

    def __init__(
        self,
        num: np.ndarray,
        kind: np.ndarray | None = None,
        text: np.ndarray | None = None,
        origin: str = "array",
    ) -> None:
        self.num = num
        self.kind = kind
        self.text = text
        self.origin = origin

    # --- construction -------------------------------------------------------------
    @classmethod
    def scalar(cls, x: Scalar, origin: str = "scalar") -> Value:
        """A 1×1 block of one Python value."""
        return cls.from_items([[x]], origin)

    @classmethod
    def error(cls, kind: int, shape: tuple[int, int] = (1, 1), origin: str = "scalar") -> Value:
        """A block with the error ``kind`` in every cell, 1×1 unless ``shape`` says otherwise."""
        check_cells(*shape)
        return cls(np.full(shape, np.nan), np.full(shape, kind, np.uint8), None, origin)

    @classmethod
    def from_items(cls, rows: Iterable[Iterable[Scalar]], origin: str = "array") -> Value:
        """Build from Python values (loops: only for small blocks)."""
        grid = [list(r) for r in rows]
        shape = (len(grid), len(grid[0]) if grid else 0)
        num = np.zeros(shape)
        kind = np.zeros(shape, np.uint8)
        text = None
        for i, row in enumerate(grid):
            for j, x in enumerate(row):
                if isinstance(x, bool) or isinstance(x, np.bool_):
                    kind[i, j], num[i, j] = BOOL, float(x)
                elif isinstance(x, int | float | np.integer | np.floating):
                    num[i, j] = float(x)
                elif isinstance(x, str):
                    if text is None:
                        text = np.empty(shape, object)
                    kind[i, j], num[i, j], text[i, j] = STR, np.nan, x
                elif isinstance(x, ExcelError):
                    kind[i, j], num[i, j] = error_kind(x.code), np.nan
                elif x is None:
                    kind[i, j] = EMPTY
                else:
                    raise TypeError(f"not an Excel value: {x!r}")
        return cls(num, kind if kind.any() else None, text, origin)

    @classmethod
    def numbers(
        cls, num: np.ndarray, errs: np.ndarray | None = None, origin: str = "array"
    ) -> Value:
        """Numbers with an optional error-kind array (0 where no error)."""
        if errs is None or not errs.any():
            return cls(num, None, None, origin)
        return cls(np.where(errs != 0, np.nan, num), errs.astype(np.uint8), None, origin)

    @classmethod
    def booleans(
        cls, mask: np.ndarray, errs: np.ndarray | None = None, origin: str = "array"
    ) -> Value:
        """Booleans from a mask, with an optional error-kind array (0 where no error)."""
        kind = np.full(mask.shape, BOOL, np.uint8)
        num = mask.astype(float)
        if errs is not None and errs.any():
            kind = np.where(errs != 0, errs, kind).astype(np.uint8)
            num[errs != 0] = np.nan
        return cls(num, kind, None, origin)

    # --- inspection ---------------------------------------------------------------
    @property
    def shape(self) -> tuple[int, int]:
        """(rows, cols) of the block."""
        return self.num.shape  # type: ignore[return-value]

    @property
    def is_single(self) -> bool:
        """One cell, which functions treat as a scalar rather than an array."""
        return self.num.shape == (1, 1)

    def kinds(self) -> np.ndarray:
        """The kind array, all NUM when the block stores none (plain numbers)."""
        return self.kind if self.kind is not None else np.zeros(self.shape, np.uint8)

    def texts(self) -> np.ndarray:
        """The text array, all None when the block stores none."""
        return self.text if self.text is not None else np.full(self.shape, None, object)

    def item(self, i: int = 0, j: int = 0) -> Scalar:
        """The Python value of one cell."""
        k = NUM if self.kind is None else int(self.kind[i, j])
        if k == NUM:
            return float(self.num[i, j])
        if k == BOOL:
            return bool(self.num[i, j])
        if k == STR:
            return str(self.text[i, j])  # type: ignore[index]
        if k == EMPTY:
            return None
        return ExcelError(ERROR_CODES[k - ERR0])

    def first_error(self) -> int:
        """Kind of the first error in row-major order, 0 if none."""
        if self.kind is None:
            return 0
        flat = self.kind.ravel()
        hits = np.flatnonzero(flat >= ERR0)
        return int(flat[hits[0]]) if hits.size else 0

    def errors(self) -> np.ndarray | None:
        """Error-kind array (0 where no error), or None if there are no errors."""
        if self.kind is None:
            return None
        errs = np.where(self.kind >= ERR0, self.kind, 0).astype(np.uint8)
        return errs if errs.any() else None

    # --- reshaping ----------------------------------------------------------------
    def transpose(self) -> Value:
        """Rows become columns (TRANSPOSE); the result is an array, not a reference."""
        return Value(
            self.num.T,
            None if self.kind is None else self.kind.T,
            None if self.text is None else self.text.T,
            "array",
        )

    def sub(self, rows: slice, cols: slice) -> Value:
        """Sub-block, keeping the origin (INDEX of a reference is still a reference)."""
        kind = None if self.kind is None else self.kind[rows, cols]
        if kind is not None and not kind.any():
            kind = None
        text = None if self.text is None or kind is None else self.text[rows, cols]
        return Value(self.num[rows, cols], kind, text, self.origin)

    def broadcast_to(self, rows: int, cols: int) -> Value:
        """Excel's array expansion: a single row/column/cell is replicated, a shorter
        dimension is padded with #N/A, a longer one is cut."""
        r, c = self.shape
        if (r, c) == (rows, cols):
            return self
        check_cells(rows, cols, "an expanded array")
        src_r = rows if r == 1 else min(r, rows)
        src_c = cols if c == 1 else min(c, cols)

        def fit(a: np.ndarray) -> np.ndarray:
            return np.broadcast_to(a[: min(r, rows), : min(c, cols)], (src_r, src_c))

        num, kind = fit(self.num), None if self.kind is None else fit(self.kind)
        text = None if self.text is None else fit(self.text)
        if (src_r, src_c) == (rows, cols):
            return Value(num, kind, text, self.origin)
        full_num = np.full((rows, cols), np.nan)
        full_kind = np.full((rows, cols), NA, np.uint8)
        full_num[:src_r, :src_c] = num
        full_kind[:src_r, :src_c] = 0 if kind is None else kind
        full_text = None
        if text is not None:
            full_text = np.full((rows, cols), None, object)
            full_text[:src_r, :src_c] = text
        return Value(full_num, full_kind, full_text, self.origin)

    # --- output -------------------------------------------------------------------
    def to_array(self) -> np.ndarray:
        """Result array: float64 if every cell is a number, else an object array of
        float/str/bool/ExcelError. Empty cells become 0, as in a formula's result."""
        num = np.array(self.num, dtype=float)
        if self.kind is None:
            return num
        kind = self.kind
        if not ((kind != NUM) & (kind != EMPTY)).any():
            num[kind == EMPTY] = 0.0
            return num
        # filled kind by kind: each error code is one shared value, so a block of errors
        # costs a reference per cell, not an object per cell
        out = np.empty(kind.shape, object)
        numeric = kind == NUM
        out[numeric] = num[numeric]
        out[kind == EMPTY] = 0.0
        booleans = kind == BOOL
        out[booleans] = num[booleans] != 0
        if self.text is not None:
            words = kind == STR
            out[words] = self.text[words]
        for code in np.unique(kind[kind >= ERR0]).tolist():
            out[kind == code] = ExcelError(ERROR_CODES[code - ERR0])
        return out


def common_shape(shapes: Iterable[tuple[int, int]]) -> tuple[int, int]:
    """Shape of an elementwise result: the largest extent in each dimension."""
    shapes = list(shapes)
    rows, cols = max(s[0] for s in shapes), max(s[1] for s in shapes)
    check_cells(rows, cols, "an elementwise result")
    return rows, cols


def combined_origin(values: Iterable[Value | None]) -> str:
    """A result is a scalar only if every operand was one."""
    return "scalar" if all(v is None or v.origin == "scalar" for v in values) else "array"


def merge_errors(first: np.ndarray | None, second: np.ndarray | None) -> np.ndarray | None:
    """Per cell, the first operand's error wins (Excel evaluates left to right)."""
    if first is None:
        return second
    if second is None:
        return first
    return np.where(first != 0, first, second).astype(np.uint8)


def to_numbers(v: Value) -> tuple[np.ndarray, np.ndarray | None]:
    """Numbers for arithmetic: bools 1/0, empty 0, numeric text parsed, other text #VALUE!."""
    if v.kind is None:
        return v.num, None
    errs = np.where(v.kind >= ERR0, v.kind, 0).astype(np.uint8)
    num = v.num
    strs = np.nonzero(v.kind == STR)
    if strs[0].size:
        num = np.array(num, dtype=float)
        for i, j in zip(*strs, strict=True):
            parsed = parse_number(v.text[i, j])  # type: ignore[index]
            if parsed is None:
                errs[i, j] = VALUE
            else:
                num[i, j] = parsed
    return num, errs if errs.any() else None


def to_truth(v: Value) -> tuple[np.ndarray, np.ndarray | None]:
    """Truth values for IF/AND/OR: nonzero numbers, TRUE, "TRUE" text; other text #VALUE!."""
    if v.kind is None:
        return v.num != 0, None
    truth = v.num != 0
    truth &= v.kind != EMPTY
    errs = np.where(v.kind >= ERR0, v.kind, 0).astype(np.uint8)
    strs = np.nonzero(v.kind == STR)
    if strs[0].size:
        for i, j in zip(*strs, strict=True):
            word = str(v.text[i, j]).upper()  # type: ignore[index]
            if word in ("TRUE", "FALSE"):
                truth[i, j] = word == "TRUE"
            else:
                errs[i, j] = VALUE
    return truth, errs if errs.any() else None


def map_numbers(
    func: Callable[..., np.ndarray | tuple[np.ndarray, np.ndarray | None]],
    *args: Value,
    origin: str | None = None,
) -> Value:
    """Apply a NumPy function elementwise over broadcast numeric arguments.

    Argument errors propagate (first argument first); ``func`` may return its own error
    kinds as a second element; any other non-finite result becomes #NUM!, as Excel never
    shows inf or NaN.
    """
    single = all(a.kind is None and a.num.shape == (1, 1) for a in args)
    errs: np.ndarray | None = None
    if single:  # one plain number each (a step-by-step table's cells): nothing to broadcast
        shape, xs = (1, 1), [a.num for a in args]
    else:
        shape = common_shape(a.shape for a in args)
        xs = []
        for a in args:
            x, e = to_numbers(a.broadcast_to(*shape))
            xs.append(x)
            errs = merge_errors(errs, e)
    with np.errstate(all="ignore"):
        out = func(*xs)
    own = None
    if isinstance(out, tuple):
        out, own = out
    out = np.asarray(out, dtype=float)
    if out.shape != shape:
        out = np.broadcast_to(out, shape)
    if single and own is None and math.isfinite(out[0, 0]):
        return Value(out, None, None, origin or combined_origin(args))
    errs = merge_errors(errs, own)
    bad = ~np.isfinite(out)
    if bad.any():
        errs = merge_errors(errs, np.where(bad, NUMERR, 0).astype(np.uint8))
    return Value.numbers(out, errs, origin or combined_origin(args))


def _divide(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    zero = y == 0
    return x / y, (np.where(zero, DIV0, 0).astype(np.uint8) if zero.any() else None)


def _power(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    out = np.power(x, y)
    if not (x == 0).any():
        return out, None
    # 0^0 is #NUM! and 0^negative is #DIV/0! in Excel.
    errs = np.where((x == 0) & (y == 0), NUMERR, np.where((x == 0) & (y < 0), DIV0, 0))
    return out, errs.astype(np.uint8)


ARITHMETIC: dict[str, Callable[..., object]] = {
    "+": np.add,
    "-": np.subtract,
    "*": np.multiply,
    "/": _divide,
    "^": _power,
}
_COMPARE = {
    "=": operator.eq, "<>": operator.ne, "<": operator.lt,
    ">": operator.gt, "<=": operator.le, ">=": operator.ge,
}
# Excel orders number < text < logical; an empty cell takes the other side's type.
_RANK = np.full(256, -2, np.int8)
_RANK[NUM], _RANK[STR], _RANK[BOOL], _RANK[EMPTY] = 0, 1, 2, -1


def cell_text(v: Value, i: int, j: int) -> str | int:
    """Text of one cell for ``&``; an error returns its kind code instead."""
    k = NUM if v.kind is None else int(v.kind[i, j])
    if k == NUM:
        return format_number(float(v.num[i, j]))
    if k == BOOL:
        return "TRUE" if v.num[i, j] else "FALSE"
    if k == STR:
        return str(v.text[i, j])  # type: ignore[index]
    if k == EMPTY:
        return ""
    return k


def binary(op: str, a: Value, b: Value) -> Value:
    """Evaluate ``a op b`` elementwise with Excel broadcasting."""
    if op in ARITHMETIC:
        return map_numbers(ARITHMETIC[op], a, b)  # type: ignore[arg-type]
    shape = common_shape((a.shape, b.shape))
    a, b = a.broadcast_to(*shape), b.broadcast_to(*shape)
    origin = combined_origin((a, b))
    if op == "&":
        return _concat(a, b, origin)
    if op not in _COMPARE:
        raise EvaluationError(f"operator {op} not supported")
    cmp = _COMPARE[op]
    if a.kind is None and b.kind is None:
        return Value.booleans(cmp(a.num, b.num), None, origin)
    ka, kb = a.kinds(), b.kinds()
    ra, rb = _RANK[ka], _RANK[kb]
    ra, rb = np.where(ra == -1, np.maximum(rb, 0), ra), np.where(rb == -1, np.maximum(ra, 0), rb)
    sign = np.sign(ra.astype(np.int16) - rb).astype(float)
    numeric = (ra == rb) & (ra != 1)
    with np.errstate(invalid="ignore"):
        by_value = np.where(a.num > b.num, 1.0, np.where(a.num < b.num, -1.0, 0.0))
    sign = np.where(numeric, by_value, sign)
    for i, j in zip(*np.nonzero((ra == rb) & (ra == 1)), strict=True):
        sa = str(a.text[i, j]).lower() if ka[i, j] == STR else ""  # type: ignore[index]
        sb = str(b.text[i, j]).lower() if kb[i, j] == STR else ""  # type: ignore[index]
        sign[i, j] = (sa > sb) - (sa < sb)
    errs = merge_errors(a.errors(), b.errors())
    return Value.booleans(cmp(sign, 0.0), errs, origin)


def _concat(a: Value, b: Value, origin: str) -> Value:
    rows, cols = a.shape
    items: list[list[Scalar]] = []
    for i in range(rows):
        row: list[Scalar] = []
        for j in range(cols):
            ta, tb = cell_text(a, i, j), cell_text(b, i, j)
            if isinstance(ta, int):
                row.append(ExcelError(ERROR_CODES[ta - ERR0]))
            elif isinstance(tb, int):
                row.append(ExcelError(ERROR_CODES[tb - ERR0]))
            else:
                row.append(ta + tb)
        items.append(row)
    return Value.from_items(items, origin)


def unary(op: str, a: Value) -> Value:
    """Prefix minus/plus and postfix percent. Excel's unary plus changes nothing."""
    if op == "+":
        return a
    if op == "-":
        return map_numbers(np.negative, a)
    if op == "%":
        return map_numbers(lambda x: x / 100.0, a)
    raise EvaluationError(f"operator {op} not supported")


def select(mask: np.ndarray, errs: np.ndarray | None, a: Value, b: Value) -> Value:
    """Per cell ``a`` where mask else ``b``; ``errs`` (the condition's errors) win."""
    shape = common_shape((mask.shape, a.shape, b.shape))
    if mask.shape != shape:  # a condition shorter than a branch: #N/A beyond it, as in Excel
        kind = None if errs is None else np.broadcast_to(errs, mask.shape).astype(np.uint8)
        grown = Value(mask.astype(float), kind).broadcast_to(*shape)
        mask, errs = np.asarray(grown.num == 1.0), grown.errors()
    a, b = a.broadcast_to(*shape), b.broadcast_to(*shape)
    num = np.where(mask, a.num, b.num)
    kind = None
    if a.kind is not None or b.kind is not None:
        kind = np.where(mask, a.kinds(), b.kinds()).astype(np.uint8)
    if errs is not None:
        errs = np.broadcast_to(errs, shape)
        kind = np.where(errs != 0, errs, 0 if kind is None else kind).astype(np.uint8)
        num = np.where(errs != 0, np.nan, num)
    text = None
    if a.text is not None or b.text is not None:
        text = np.where(mask, a.texts(), b.texts())
    if kind is not None and not kind.any():
        kind = None
    return Value(num, kind, text, "array")
