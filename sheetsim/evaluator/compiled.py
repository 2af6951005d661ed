"""A formula tree as Python source over plain numbers, for cells evaluated one by one.

A step-by-step table repeats one formula shape down a column; walking its tree with NumPy
blocks of one cell costs microseconds per node. :func:`expression` writes the tree once
as a Python expression over floats instead, for :mod:`.chains` to compile into one
function per table. It covers only what it can compute exactly as the general path does:

- every operand is a plain number; a cell that holds anything else reads as NaN, and
  any non-finite value where it could be hidden (a denominator, a function's argument,
  a comparison's operand, the result) stops the fast path: :data:`HELPERS` raise
  :class:`Fallback`, and the cell goes to the general path, which gives the error or the
  text Excel would;
- ``+ - * /`` are IEEE operations on floats either way; SQRT is correctly rounded either
  way; TANH, EXP, LN and ``^`` call the very NumPy functions the general path calls (on one
  value they give what they give inside a block);
- IF and CHOOSE pick one branch, as the general path does with a one-cell condition.

A tree that holds anything else (text, ranges, other functions, a name that is not one
cell) raises :class:`NotCompiled`: its cells take the general path.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from .parser import Binary, Call, Const, Name, Node, Ref, Unary
from .values import DIV0, NA, NUMERR


class NotCompiled(Exception):
    """The tree holds something the fast path does not compute."""


class Fallback(Exception):
    """This cell's inputs or intermediate values need the general path."""


class NotAvailable(Exception):  # noqa: N818  (what the cell holds: Excel's #N/A)
    """The cell's value is #N/A: an NA() its formula returns as it is, through IF and
    CHOOSE branches only, after every condition on the way was a plain number."""


def _not_available() -> float:
    raise NotAvailable


def _finite(x: float) -> float:
    """``x`` if it is a finite number, else :class:`Fallback`."""
    if x - x == 0.0:
        return x
    raise Fallback


def _pow(x: float, y: float) -> float:
    """``x ^ y`` as the general path computes it (NumPy's power); zero bases (errors in
    Excel) go to the general path."""
    if _finite(x) == 0.0:
        raise Fallback
    return float(np.power(x, _finite(y)))


def _ln(x: float) -> float:
    if not _finite(x) > 0.0:
        raise Fallback
    return float(np.log(x))


def _sign(x: float) -> float:
    return float((_finite(x) > 0.0) - (x < 0.0))


def _error() -> float:
    """NA() and the like: an error value, which the general path gives."""
    raise Fallback


def _index(x: float, n: int) -> int:
    """CHOOSE's index: truncated, 1 to n, else the general path."""
    k = math.trunc(_finite(x))
    if 1 <= k <= n:
        return k
    raise Fallback


class CellError(Exception):  # noqa: N818  (what the cell holds: one of Excel's errors)
    """The cell's value is an error of this kind: the first error met in the order the
    general path merges them (a careful expression's, :func:`careful`)."""

    def __init__(self, kind: int) -> None:
        super().__init__(kind)
        self.kind = kind


def _own(x: float) -> float:
    """An operation's result: a non-finite one is its own #NUM!."""
    if x - x == 0.0:
        return x
    raise CellError(NUMERR)


def _careful_divide(x: float, y: float) -> float:
    if y == 0.0:
        raise CellError(DIV0)
    return _own(x / y)


def _careful_power(x: float, y: float) -> float:
    if x == 0.0 and y == 0.0:
        raise CellError(NUMERR)
    if x == 0.0 and y < 0.0:
        raise CellError(DIV0)
    return _own(float(np.power(x, y)))


def _careful_root(x: float) -> float:
    if x < 0.0:
        raise CellError(NUMERR)
    return math.sqrt(x)


def _careful_ln(x: float) -> float:
    if not x > 0.0:
        raise CellError(NUMERR)
    return float(np.log(x))


def _careful_na() -> float:
    raise CellError(NA)


def _careful_index(x: float, n: int) -> int:
    k = math.trunc(x)
    if 1 <= k <= n:
        return k
    raise Fallback  # #VALUE!, left to the general path


CAREFUL: dict[str, Callable[..., float]] = {
    "_own": _own,
    "_div": _careful_divide,
    "_pow": _careful_power,
    "_sqrt": _careful_root,
    "_ln": _careful_ln,
    "_exp": lambda x: _own(float(np.exp(x))),
    "_tanh": lambda x: float(np.tanh(x)),
    "_abs": abs,
    "_sign": lambda x: float((x > 0.0) - (x < 0.0)),
    "_max": max,
    "_min": min,
    "_index": _careful_index,
    "_error": _careful_na,
    "_na": _careful_na,
}
"""What careful expressions call: every input a finite number (an input that holds an
error raises as it is read), every operation's own error raised where it happens."""

HELPERS: dict[str, Callable[..., float]] = {
    "_f": _finite,
    "_pow": _pow,
    "_ln": _ln,
    "_sign": _sign,
    "_index": _index,
    "_error": _error,
    "_na": _not_available,
    "NotAvailable": NotAvailable,
    "_sqrt": math.sqrt,  # raises ValueError below 0, where NumPy gives NaN (#NUM!)
    "_tanh": lambda x: float(np.tanh(_finite(x))),
    "_exp": lambda x: float(np.exp(_finite(x))),
    "_abs": lambda x: abs(_finite(x)),
    "_max": lambda *xs: max(map(_finite, xs)),
    "_min": lambda *xs: min(map(_finite, xs)),
}
"""What the expressions call, by the names they call them."""

_UNARY_CALLS = {"SQRT": "_sqrt", "TANH": "_tanh", "EXP": "_exp", "LN": "_ln", "ABS": "_abs",
                "SIGN": "_sign"}
_ARITHMETIC = {"+", "-", "*"}
_COMPARE = {"=": "==", "<>": "!=", "<": "<", ">": ">", "<=": "<=", ">=": ">="}

Reader = Callable[[Ref], str]
"""The source that reads one cell (a reference of one cell, sheet as written)."""
Resolver = Callable[[str], Ref | None]
"""The one-cell reference a defined name stands for, else None."""


class _Writer:
    def __init__(self, read: Reader, resolve: Resolver, careful: bool = False,
                 peek: Reader | None = None) -> None:
        self.read = read
        self.resolve = resolve
        self.temps = 0
        self.careful = careful
        self.peek = peek or read
        """How ISNUMBER reads a cell: without raising for an error (it is FALSE)."""

    def number(self, node: Node, tail: bool = False) -> str:
        """Source of a numeric value; ``tail``: the value is the formula's result as it
        is (the root, or a branch of an IF or CHOOSE in tail position)."""
        if isinstance(node, Ref):
            if node.rows != 1 or node.cols != 1:
                raise NotCompiled("a range")
            return self.read(node)
        if isinstance(node, Name):
            ref = self.resolve(node.name)
            if ref is None:
                raise NotCompiled(f"name {node.name}")
            return self.read(ref)
        if isinstance(node, Const):
            if type(node.value) is not float:
                raise NotCompiled("a literal that is not a number")
            return repr(node.value)
        if isinstance(node, Unary):
            inner = self.number(node.operand)
            if node.op == "-":
                return f"(-{inner})"
            if node.op == "+":
                return inner
            return f"_own({inner} / 100.0)" if self.careful else f"({inner} / 100.0)"
        if isinstance(node, Binary):
            if node.op in _ARITHMETIC and self.careful:
                return f"_own({self.number(node.left)} {node.op} {self.number(node.right)})"
            if node.op in _ARITHMETIC:
                return f"({self.number(node.left)} {node.op} {self.number(node.right)})"
            if node.op == "/" and self.careful:
                return f"_div({self.number(node.left)}, {self.number(node.right)})"
            if node.op == "/":
                return f"({self.number(node.left)} / _f({self.number(node.right)}))"
            if node.op == "^":
                return f"_pow({self.number(node.left)}, {self.number(node.right)})"
            raise NotCompiled(f"operator {node.op}")
        if isinstance(node, Call):
            return self.call(node, tail)
        raise NotCompiled(type(node).__name__)

    def condition(self, node: Node) -> str:
        """Source of IF's condition, a Python bool."""
        check = "" if self.careful else "_f"
        if isinstance(node, Binary) and node.op in _COMPARE:
            left, right = self.number(node.left), self.number(node.right)
            return f"({check}({left}) {_COMPARE[node.op]} {check}({right}))"
        if isinstance(node, Call) and node.name == "ISNUMBER" and len(node.args) == 1:
            arg = node.args[0]
            if isinstance(arg, Ref | Name):  # a cell: NaN stands for anything but a number
                read, self.read = self.read, self.peek
                try:
                    value = self.number(arg)
                finally:
                    self.read = read
                return f"({value} == {value})"
            raise NotCompiled("ISNUMBER of a computed value")
        return f"({check}({self.number(node)}) != 0.0)"

    def call(self, node: Call, tail: bool = False) -> str:
        args = node.args
        if node.name in _UNARY_CALLS and len(args) == 1:
            return f"{_UNARY_CALLS[node.name]}({self.number(args[0])})"
        if node.name == "NA" and not args:
            return "_na()" if tail else "_error()"
        if node.name in ("MAX", "MIN") and args:
            return f"_{node.name.lower()}({', '.join(self.number(a) for a in args)})"
        if node.name == "IF" and len(args) == 3:
            cond = self.condition(args[0])
            yes, no = self.number(args[1], tail), self.number(args[2], tail)
            return f"({yes} if {cond} else {no})"
        if node.name == "CHOOSE" and len(args) >= 2:
            self.temps += 1
            k = f"_k{self.temps}"
            branches = [self.number(a, tail) for a in args[1:]]
            out = branches[-1]
            for i in range(len(branches) - 1, 0, -1):
                test = f"({k} := _index({self.number(args[0])}, {len(branches)}))" if i == 1 \
                    else k
                out = f"({branches[i - 1]} if {test} == {i} else {out})"
            return out
        raise NotCompiled(f"function {node.name}")


def expression(tree: Node, read: Reader, resolve: Resolver) -> str:
    """Python source computing ``tree``'s value as a float, reading cells through
    ``read``; raises :class:`NotCompiled` for a tree the fast path does not cover."""
    return _Writer(read, resolve).number(tree, tail=True)


def careful(tree: Node, read: Reader, resolve: Resolver, peek: Reader) -> str:
    """Python source over :data:`CAREFUL` that raises :class:`CellError` with the error the
    general path gives a cell whose inputs are numbers or errors: ``read`` raises it for an
    input that holds an error (and :class:`Fallback` for text, booleans and empty cells),
    ``peek`` reads without raising (for ISNUMBER). Operands are evaluated left to right and
    each operation checked where it happens, which is the order in which the general path
    lets the first error win; IF and CHOOSE evaluate their condition, then one branch."""
    return _Writer(read, resolve, careful=True, peek=peek).number(tree, tail=True)
