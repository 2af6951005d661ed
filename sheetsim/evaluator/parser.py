"""Excel formula text → syntax tree.

The evaluator judges a workbook by its formula text alone, so parsing must accept every
dialect a re-saving application may write: ``_xlfn.`` prefixes, quoted or unquoted sheet
names in any letter case, ``$`` anywhere, array constants. Tokenizing is left to openpyxl's
Excel tokenizer; this module turns its tokens into a small tree of frozen dataclasses.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from openpyxl.formula.tokenizer import Token, Tokenizer, TokenizerError

from ..xlsx.book import ExcelError
from ..xlsx.cells import GRID_COLS, GRID_ROWS, col_index


class FormulaSyntaxError(ValueError):
    """The text is not a formula this parser understands."""


@dataclass(frozen=True)
class Const:
    """A literal: float, str, bool or ExcelError."""

    value: float | str | bool | ExcelError


@dataclass(frozen=True)
class ArrayConst:
    """``{1,2;3,4}``: rows of literals."""

    rows: tuple[tuple[float | str | bool | ExcelError, ...], ...]


@dataclass(frozen=True)
class Ref:
    """A rectangular reference, 0-based; ``sheet`` None means the formula's own sheet."""

    sheet: str | None
    row: int
    col: int
    rows: int = 1
    cols: int = 1


@dataclass(frozen=True)
class Name:
    """A defined name, looked up case-insensitively."""

    name: str


@dataclass(frozen=True)
class Missing:
    """An omitted function argument, as in ``IF(c,1,)``."""


@dataclass(frozen=True)
class Unary:
    """A sign before an operand, or ``%`` after one."""

    op: str  # "-", "+" or "%" (postfix)
    operand: Node


@dataclass(frozen=True)
class Binary:
    """An infix operator: arithmetic, ``&`` or a comparison."""

    op: str
    left: Node
    right: Node


@dataclass(frozen=True)
class Call:
    """A function call; ``name`` is upper case without ``_xlfn.``-style prefixes."""

    name: str
    args: tuple[Node, ...]


Node = Const | ArrayConst | Ref | Name | Missing | Unary | Binary | Call

# Binding powers (left, right); Excel's binary operators are all left-associative,
# including ^ (2^3^2 = 64).
_INFIX = {
    "=": (1, 2), "<>": (1, 2), "<": (1, 2), ">": (1, 2), "<=": (1, 2), ">=": (1, 2),
    "&": (3, 4),
    "+": (5, 6), "-": (5, 6),
    "*": (7, 8), "/": (7, 8),
    "^": (9, 10),
}
_PERCENT_BP = 11
# Excel negates before exponentiation: -2^2 = 4.
_PREFIX_BP = 12

_PREFIXES = ("_XLFN.", "_XLWS.")
_ALIASES = {
    "NORMSINV": "NORM.S.INV",
    "NORMINV": "NORM.INV",
    "STDEVP": "STDEV.P",
    "VARP": "VAR.P",
    "STDEV": "STDEV.S",
    "VAR": "VAR.S",
    "ERF.PRECISE": "ERF",
    "ERFC.PRECISE": "ERFC",
}

_SHEET = r"(?:'(?P<{0}q>(?:[^']|'')+)'|(?P<{0}u>[^'!:\s]+))!"
_CELL = r"(?P<{0}cd>\$?)(?P<{0}c>[A-Za-z]{{1,3}})(?P<{0}rd>\$?)(?P<{0}r>[0-9]+)"
_RANGE_RE = re.compile(
    "^(?:" + _SHEET.format("s1") + ")?" + _CELL.format("a")
    + "(?::(?:" + _SHEET.format("s2") + ")?" + _CELL.format("b") + ")?$"
)
_NAME_RE = re.compile(
    "^(?:" + _SHEET.format("s1") + r")?(?P<name>[A-Za-z_\\][A-Za-z0-9_.\\?]*)$"
)
_WHOLE_RE = re.compile(r"^(?:.*!)?\$?([A-Za-z]{1,3}|[0-9]+):\$?([A-Za-z]{1,3}|[0-9]+)$")


def function_name(raw: str) -> str:
    """Canonical function name: upper case, ``_xlfn.``/``_xlws.`` stripped, legacy aliases."""
    name = raw.upper()
    stripped = True
    while stripped:
        stripped = False
        for prefix in _PREFIXES:
            if name.startswith(prefix):
                name = name[len(prefix):]
                stripped = True
    return _ALIASES.get(name, name)


def _sheet_of(m: re.Match[str], group: str) -> str | None:
    quoted = m.group(group + "q")
    if quoted is not None:
        return quoted.replace("''", "'")
    return m.group(group + "u")


Corner = tuple[int, bool, int, bool]
"""One cell of a reference as written: (row, row is absolute, col, col is absolute), 0-based."""


def parse_reference(text: str) -> Ref | Name | Const:
    """Parse a RANGE operand: a cell or range (optionally sheet-qualified) or a name."""
    return _reference(text)[0]


def _reference(text: str) -> tuple[Ref | Name | Const, tuple[Corner, ...]]:
    """A RANGE operand and, for a cell or range, its corners as written (one or two)."""
    if text.upper().endswith("#REF!"):
        return Const(ExcelError("#REF!")), ()
    m = _RANGE_RE.match(text)
    if m:
        sheet = _sheet_of(m, "s1")
        sheet2 = _sheet_of(m, "s2")
        if sheet2 is not None and (sheet is None or sheet2.lower() != sheet.lower()):
            raise FormulaSyntaxError(f"3-D or cross-sheet range not supported: {text}")
        r0, c0 = int(m.group("ar")) - 1, col_index(m.group("ac"))
        corners: tuple[Corner, ...] = (
            (r0, m.group("ard") == "$", c0, m.group("acd") == "$"),)
        if m.group("bc") is None:
            r1, c1 = r0, c0
        else:
            r1, c1 = int(m.group("br")) - 1, col_index(m.group("bc"))
            corners += ((r1, m.group("brd") == "$", c1, m.group("bcd") == "$"),)
        r0, r1 = min(r0, r1), max(r0, r1)
        c0, c1 = min(c0, c1), max(c0, c1)
        if r0 >= 0 and r1 < GRID_ROWS and c1 < GRID_COLS:
            return Ref(sheet, r0, c0, r1 - r0 + 1, c1 - c0 + 1), corners
    if _WHOLE_RE.match(text):
        raise FormulaSyntaxError(f"whole-column or whole-row reference not supported: {text}")
    m = _NAME_RE.match(text)
    if m:
        return Name(m.group("name")), ()
    raise FormulaSyntaxError(f"cannot read reference {text!r}")


def _literal(tok: Token) -> float | str | bool | ExcelError:
    if tok.subtype == Token.NUMBER:
        return float(tok.value)
    if tok.subtype == Token.TEXT:
        return tok.value[1:-1].replace('""', '"')
    if tok.subtype == Token.LOGICAL:
        return tok.value.upper() == "TRUE"
    if tok.subtype == Token.ERROR:
        return ExcelError(tok.value.upper())
    raise FormulaSyntaxError(f"unexpected {tok.value!r}")


class _Parser:
    """Pratt parser over openpyxl tokens (whitespace dropped)."""

    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = [t for t in tokens if t.type != Token.WSPACE]
        self.pos = 0
        self.corners: list[tuple[Ref, tuple[Corner, ...]]] = []

    def peek(self) -> Token | None:
        """The next token without taking it; None at the end."""
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> Token:
        """The next token, consumed; running out of tokens is a syntax error."""
        tok = self.peek()
        if tok is None:
            raise FormulaSyntaxError("formula ends too early")
        self.pos += 1
        return tok

    def expect(self, type_: str, subtype: str) -> None:
        """Take the next token, which must be of this type and subtype."""
        tok = self.take()
        if tok.type != type_ or tok.subtype != subtype:
            raise FormulaSyntaxError(f"unexpected {tok.value!r}")

    def expression(self, min_bp: int = 0) -> Node:
        """An expression, stopping at an operator that binds less tightly than
        ``min_bp``."""
        left = self.prefix()
        while (tok := self.peek()) is not None:
            if tok.type == Token.OP_POST and tok.value == "%":
                if _PERCENT_BP < min_bp:
                    break
                self.pos += 1
                left = Unary("%", left)
            elif tok.type == Token.OP_IN:
                if tok.value not in _INFIX:
                    raise FormulaSyntaxError(f"operator {tok.value!r} not supported")
                lbp, rbp = _INFIX[tok.value]
                if lbp < min_bp:
                    break
                self.pos += 1
                left = Binary(tok.value, left, self.expression(rbp))
            else:
                break
        return left

    def prefix(self) -> Node:
        """What can start an expression: a sign, an operand, parentheses, a call or an
        array constant."""
        tok = self.take()
        if tok.type == Token.OP_PRE and tok.value in "+-":
            return Unary(tok.value, self.expression(_PREFIX_BP))
        if tok.type == Token.OPERAND:
            if tok.subtype == Token.RANGE:
                node, corners = _reference(tok.value)
                if isinstance(node, Ref):
                    self.corners.append((node, corners))
                return node
            return Const(_literal(tok))
        if tok.type == Token.PAREN and tok.subtype == Token.OPEN:
            inner = self.expression()
            self.expect(Token.PAREN, Token.CLOSE)
            return inner
        if tok.type == Token.FUNC and tok.subtype == Token.OPEN:
            return self.call(tok.value[:-1])
        if tok.type == Token.ARRAY and tok.subtype == Token.OPEN:
            return self.array()
        raise FormulaSyntaxError(f"unexpected {tok.value!r}")

    def call(self, raw_name: str) -> Call:
        """The arguments of a call, after its opening token; empty ones are Missing."""
        args: list[Node] = []
        tok = self.peek()
        if tok is not None and tok.type == Token.FUNC and tok.subtype == Token.CLOSE:
            self.pos += 1
            return Call(function_name(raw_name), ())
        while True:
            tok = self.peek()
            at_end = tok is None or (
                tok.type in (Token.SEP, Token.FUNC) and tok.subtype in (Token.ARG, Token.CLOSE)
            )
            args.append(Missing() if at_end else self.expression())
            tok = self.take()
            if tok.type == Token.SEP and tok.subtype == Token.ARG:
                continue
            if tok.type == Token.FUNC and tok.subtype == Token.CLOSE:
                return Call(function_name(raw_name), tuple(args))
            raise FormulaSyntaxError(f"unexpected {tok.value!r} in arguments of {raw_name}")

    def array(self) -> ArrayConst:
        """An array constant, after its ``{``: rows of literals, numbers may be negative."""
        rows: list[list[float | str | bool | ExcelError]] = [[]]
        while True:
            tok = self.take()
            sign = 1.0
            if tok.type == Token.OP_PRE and tok.value in "+-":
                sign = -1.0 if tok.value == "-" else 1.0
                tok = self.take()
            if tok.type != Token.OPERAND or tok.subtype == Token.RANGE:
                raise FormulaSyntaxError(f"unexpected {tok.value!r} in array constant")
            value = _literal(tok)
            if sign < 0:
                if not isinstance(value, float):
                    raise FormulaSyntaxError("minus before a non-number in array constant")
                value = -value
            rows[-1].append(value)
            tok = self.take()
            if tok.type == Token.ARRAY and tok.subtype == Token.CLOSE:
                break
            if tok.type == Token.SEP and tok.subtype == Token.ROW:
                rows.append([])
            elif not (tok.type == Token.SEP and tok.subtype == Token.ARG):
                raise FormulaSyntaxError(f"unexpected {tok.value!r} in array constant")
        if len({len(r) for r in rows}) != 1:
            raise FormulaSyntaxError("array constant rows differ in length")
        return ArrayConst(tuple(tuple(r) for r in rows))


def parse(text: str) -> Node:
    """Parse formula text (with or without the leading ``=``) into a tree."""
    return parse_with_corners(text)[0]


def parse_with_corners(text: str) -> tuple[Node, list[tuple[Ref, tuple[Corner, ...]]]]:
    """Parse formula text into a tree, with every cell reference's corners as written.

    The list holds each :class:`Ref` of the tree (the very node) in the order of the text,
    with the one or two corners it was written with and whether each row and column was
    absolute (``$``), which the tree itself does not keep.
    """
    body = text.strip()
    if body.startswith("{=") and body.endswith("}"):  # array formula as Excel displays it
        body = body[1:-1]
    if body.startswith("="):
        body = body[1:]
    if not body:
        raise FormulaSyntaxError("empty formula")
    try:
        tokens = Tokenizer("=" + body).items
    except TokenizerError as exc:
        raise FormulaSyntaxError(str(exc)) from exc
    except (IndexError, KeyError, ValueError) as exc:  # openpyxl's tokenizer on a stray closer
        raise FormulaSyntaxError("unbalanced parentheses, braces or quotes") from exc
    parser = _Parser(tokens)
    node = parser.expression()
    if parser.peek() is not None:
        raise FormulaSyntaxError(f"unexpected {parser.peek().value!r}")  # type: ignore[union-attr]
    return node, parser.corners


def walk(node: Node) -> Iterator[Node]:
    """Yield the node and all nodes below it, each before its operands, left to right."""
    stack = [node]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, Binary):
            stack.append(node.right)
            stack.append(node.left)
        elif isinstance(node, Call):
            stack.extend(reversed(node.args))
        elif isinstance(node, Unary):
            stack.append(node.operand)
