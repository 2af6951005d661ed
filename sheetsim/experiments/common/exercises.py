"""Exercises: questions a learner answers in a cell, each checked by formula against the
live experiment.

An experiment declares its questions (its own ``exercises`` module); this module places
them (the ``Exercises`` sheet, the very hidden ``Answers`` sheet, and their blocks in the
plan) and holds both sides of every check rule, written independently: the formula text of
the check cell and the Python judgement verify compares it with.

A question's right answer is formula text on the ``Answers`` sheet, computed from the
experiment's own cells where it can be (it then follows the controls), a constant for a
fact. ``Answers`` is very hidden: Excel lists it under no Unhide command; LibreOffice and
Gnumeric read it as a hidden sheet. The check cells refer to it, so a learner sees no right
answer at a glance. Every formula here is array-entered: each reads an array formula's
result (see ``init.formulas.reads_arrays`` for why LibreOffice needs that).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from sheetsim.experiments.base import Plan, Reference
from sheetsim.experiments.common.texts import Languages
from sheetsim.xlsx.cells import Block, span

SHEET = "Exercises"
"""The sheet a learner answers on."""
ANSWERS = "Answers"
"""The very hidden sheet of the right answers, their tolerances and the hints."""
RIGHT, WRONG, UNANSWERED = "✓", "✗", ""
"""What a check cell shows."""

# Exercises: title, introduction, score, then a header row and one row per question.
SCORE_ROW = 3
HEAD_ROW = 5
FIRST_ROW = 6
COLUMNS = ("number", "question", "answer", "rule", "check", "hint")
COL = {name: j for j, name in enumerate(COLUMNS)}
# Answers: a header row, then one row per question: key, right answer, tolerance, hint.
ANSWER_COLUMNS = ("key", "right", "tolerance", "hint")
ACOL = {name: j for j, name in enumerate(ANSWER_COLUMNS)}

BLOCK_ANSWERS = "exercise_answers"
"""The learner's answer cells (constants: verify reads them as inputs)."""
BLOCK_RIGHT = "exercise_right"
BLOCK_CHECKS = "exercise_checks"
BLOCK_HINTS = "exercise_hints"
BLOCK_SCORE = "exercise_score"
"""Answered, right."""
KIND_ANSWER = "exercise_answer"


def _q(text: str) -> str:
    """A string as a formula literal."""
    return '"' + text.replace('"', '""') + '"'


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float | np.floating) and not isinstance(v, bool)


@dataclass(frozen=True)
class Numeric:
    """A number typed into the answer cell, right within ``tolerance`` of the right answer
    (a share of it when ``relative``)."""

    tolerance: float
    relative: bool = False

    def check(self, answer: str, right: str, tolerance: str) -> str:
        """Formula text of the check: empty unless the answer is a number; ✗ when the
        right answer is no number (an overflow)."""
        allowed = f"{tolerance}*ABS({right})" if self.relative else tolerance
        return (f"IF(ISNUMBER({answer}),IF(ISNUMBER({right}),IF(ABS({answer}-{right})<="
                f"{allowed},{_q(RIGHT)},{_q(WRONG)}),{_q(WRONG)}),{_q(UNANSWERED)})")

    def judge(self, answer: Any, right: Any) -> str:
        """The check, in Python, on an answer and a right answer as read from a file."""
        if not _is_number(answer):
            return UNANSWERED
        if not _is_number(right) or not math.isfinite(float(right)):
            return WRONG
        allowed = self.tolerance * abs(float(right)) if self.relative else self.tolerance
        return RIGHT if abs(float(answer) - float(right)) <= allowed else WRONG

    def stated(self, words: Words) -> str:
        """The tolerance in words, beside the answer cell."""
        if self.relative:
            return words.within.format(f"{self.tolerance:.0%}".replace("%", " %"))
        return words.within.format(f"{self.tolerance:g}")


@dataclass(frozen=True)
class Choice:
    """One of ``choices`` picked from the answer cell's dropdown."""

    choices: tuple[str, ...]

    def check(self, answer: str, right: str, tolerance: str) -> str:
        """Formula text of the check: empty unless the answer is text (not empty); ✗ when
        the right answer is no text (an error). Text comparison ignores case."""
        return (f"IF(ISTEXT({answer}),IF({answer}={_q('')},{_q(UNANSWERED)},"
                f"IF(ISTEXT({right}),IF({answer}={right},{_q(RIGHT)},{_q(WRONG)}),"
                f"{_q(WRONG)})),{_q(UNANSWERED)})")

    def judge(self, answer: Any, right: Any) -> str:
        """The check, in Python, on an answer and a right answer as read from a file."""
        if not isinstance(answer, str) or answer == "":
            return UNANSWERED
        if not isinstance(right, str):
            return WRONG
        return RIGHT if answer.casefold() == right.casefold() else WRONG

    def stated(self, words: Words) -> str:
        """What the answer cell takes, beside it."""
        return words.pick


Rule = Numeric | Choice


@dataclass(frozen=True)
class Question:
    """One question: its words, its check rule, and its right answer on both sides.

    ``right`` is the formula text of the right answer (from the experiment's own cells, or
    a constant expression for a fact); ``value`` the same answer from the reference model's
    blocks (a number, or a choice; NaN where the workbook shows an error).
    """

    key: str
    text: str
    hint: str
    rule: Rule
    right: str
    value: Callable[[Reference], Any]
    predict: bool = True
    """Whether the learner predicts something the sheet computes (else: a fact)."""


@dataclass(frozen=True)
class Words:
    """The Exercises sheet's own words in one language."""

    title: str
    intro: str
    score: str
    answered: str
    right: str
    headers: tuple[str, ...]
    within: str
    pick: str
    answers_note: str


WORDS = Languages(
    en=Words(
        title="Exercises",
        intro=("Type your answer into the yellow cell. Most questions ask you to predict "
               "what the sheet computes with the controls as they are: answer first, then "
               "look. The check follows the controls; a hint appears after a wrong answer."),
        score="Score", answered="answered", right="right",
        headers=("#", "Question", "Your answer", "Accepted", "Check", "Hint"),
        within="number, within ± {}", pick="pick from the list",
        answers_note="Right answers of the Exercises sheet (formulas of the experiment's cells)",
    ),
    ja=Words(
        title="演習",
        intro=("黄色のセルに答えを入力してください。多くの問題は、今のコントロールの値でシートが"
               "計算する値の予想です。先に答え、それから確かめましょう。判定はコントロールに"
               "追従し、間違えるとヒントが出ます。"),
        score="得点", answered="回答数", right="正解数",
        headers=("#", "問題", "あなたの答え", "受け付ける答え", "判定", "ヒント"),
        within="数値、許容誤差 ± {}", pick="リストから選択",
        answers_note="演習シートの正解（実験のセルから計算する式）",
    ),
)
"""The Exercises sheet's words by language."""


@dataclass(frozen=True)
class Exercises:
    """The questions of one workbook, and where each part of them lives."""

    questions: tuple[Question, ...]
    lang: str

    @property
    def words(self) -> Words:
        """The sheet's words in the workbook's language."""
        return WORDS.of(self.lang)

    def answer_cell(self, i: int) -> str:
        """Question i's answer cell, for use inside formulas."""
        return f"{SHEET}!{span(FIRST_ROW + i, COL['answer'], absolute=True)}"

    def check_cell(self, i: int) -> str:
        """Question i's check cell, for use inside formulas."""
        return f"{SHEET}!{span(FIRST_ROW + i, COL['check'], absolute=True)}"

    def answers_cell(self, i: int, part: str) -> str:
        """Question i's ``part`` (right, tolerance, hint) on the Answers sheet."""
        return f"{ANSWERS}!{span(FIRST_ROW + i, ACOL[part], absolute=True)}"

    def checks(self) -> str:
        """The range of every check cell."""
        return (f"{SHEET}!"
                f"{span(FIRST_ROW, COL['check'], len(self.questions), 1, absolute=True)}")

    def check_formula(self, i: int) -> str:
        """Formula text of question i's check cell."""
        return self.questions[i].rule.check(self.answer_cell(i), self.answers_cell(i, "right"),
                                            self.answers_cell(i, "tolerance"))

    def hint_formula(self, i: int) -> str:
        """Formula text of question i's hint cell: the hint after a wrong answer."""
        return (f"IF({self.check_cell(i)}={_q(WRONG)},{self.answers_cell(i, 'hint')},"
                f"{_q('')})")

    def score_formulas(self) -> tuple[str, str]:
        """Formula text of the score: how many answered, how many right."""
        checks = self.checks()
        return (f"COUNTIF({checks},{_q(RIGHT)})+COUNTIF({checks},{_q(WRONG)})",
                f"COUNTIF({checks},{_q(RIGHT)})")


def add(plan: Plan, questions: list[Question], after: str) -> Plan:
    """``plan`` with the Exercises sheet placed after sheet ``after``, the Answers sheet
    at the end, their blocks, and ``questions`` recorded (``plan.exercises``)."""
    n = len(questions)
    plan.sheets.insert(plan.sheets.index(after) + 1, SHEET)
    plan.sheets.append(ANSWERS)
    plan.add(Block(BLOCK_ANSWERS, SHEET, FIRST_ROW, COL["answer"], n, 1, KIND_ANSWER))
    plan.add(Block(BLOCK_CHECKS, SHEET, FIRST_ROW, COL["check"], n, 1, "exercise_check"))
    plan.add(Block(BLOCK_HINTS, SHEET, FIRST_ROW, COL["hint"], n, 1, "exercise_hint"))
    plan.add(Block(BLOCK_SCORE, SHEET, SCORE_ROW, COL["answer"], 1, 2, "exercise_score"))
    plan.add(Block(BLOCK_RIGHT, ANSWERS, FIRST_ROW, ACOL["right"], n, 1, "exercise_right"))
    plan.exercises = Exercises(tuple(questions), plan.settings.lang)
    return plan


def reference(exercises: Exercises, model: Reference,
              answers: list[Any] | None = None) -> Reference:
    """The exercise blocks' values: the right answers from the model's blocks, each check
    by its rule on ``answers`` (none given: every question unanswered), the hints, the
    score. Text blocks are object arrays."""
    qs = exercises.questions
    answers = answers if answers is not None else [None] * len(qs)
    right = [_right(q.value(model)) for q in qs]
    checks = [q.rule.judge(a, r) for q, a, r in zip(qs, answers, right, strict=True)]
    hints = [q.hint if c == WRONG else "" for q, c in zip(qs, checks, strict=True)]
    column = lambda values: np.array(values, dtype=object).reshape(-1, 1)  # noqa: E731
    score = np.array([[float(sum(c != UNANSWERED for c in checks)),
                       float(sum(c == RIGHT for c in checks))]])
    return {BLOCK_RIGHT: column(right), BLOCK_CHECKS: column(checks),
            BLOCK_HINTS: column(hints), BLOCK_SCORE: score}


def _right(v: Any) -> Any:
    """A right answer as a cell holds it: a float, or text."""
    return v if isinstance(v, str) else float(v)
