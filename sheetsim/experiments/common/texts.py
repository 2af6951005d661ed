"""How an experiment's words are kept and picked: one frozen dataclass of every word a
workbook shows (the experiment's own ``Texts``), one instance per language, and one rule
to pick one.

The rule: every language of ``LANGS`` has its own texts (checked when an experiment's
texts are gathered), and a language code without texts of its own gets English's. Sheet
names and defined names stay ASCII in every language; only what a reader sees changes.
"""

from __future__ import annotations

from typing import Generic, TypeVar

from sheetsim.experiments.base import LANGS

T = TypeVar("T")
FALLBACK = "en"
"""The language whose texts stand in for a code that has none."""


class Languages(Generic[T]):
    """One experiment's texts (of any one type) by language code."""

    def __init__(self, **by_code: T) -> None:
        missing = [code for code in (*LANGS, FALLBACK) if code not in by_code]
        if missing:
            raise ValueError(f"texts lack the language(s) {', '.join(missing)}")
        self.by_code = by_code

    def of(self, lang: str) -> T:
        """The texts of ``lang``, or English's for a code without texts of its own."""
        return self.by_code.get(lang, self.by_code[FALLBACK])
