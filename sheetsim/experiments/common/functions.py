"""Spelling shared by every experiment's formula text: functions newer than Excel 2007 as
Excel stores them (with their ``_xlfn.`` prefix), numbers as constants, operands."""

from __future__ import annotations

NORM_S_INV = "_xlfn.NORM.S.INV"
STDEV_P = "_xlfn.STDEV.P"
VAR_P = "_xlfn.VAR.P"


def number(v: float) -> str:
    """A constant as formula text (shortest round-tripping form, Excel's exponent)."""
    text = repr(float(v))
    return (text[:-2] if text.endswith(".0") else text).upper()


def operand(text: str) -> str:
    """``text`` as an operand of ``*`` or ``/``: as it is when it is a name, a number or one
    function call around all of it, else in parentheses."""
    if text.replace("_", "").replace(".", "").isalnum():
        return text
    head, paren, _ = text.partition("(")
    if paren and head.replace(".", "").isalnum() and _closes_at_end(text, len(head)):
        return text
    return f"({text})"


def _closes_at_end(text: str, start: int) -> bool:
    """Whether the parenthesis opened at ``start`` closes at the last character."""
    depth = 0
    for i in range(start, len(text)):
        depth += {"(": 1, ")": -1}.get(text[i], 0)
        if depth == 0:
            return i == len(text) - 1
    return False
