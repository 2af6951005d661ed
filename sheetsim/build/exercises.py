"""Write a workbook's Exercises sheet and its very hidden Answers sheet from the questions
its plan declares (``plan.exercises``, placed by ``experiments.common.exercises``): any
experiment's, knowing none.

Exercises: per question its number, its text, the yellow answer cell (a dropdown for a
choice), what is accepted, the check (✓ / ✗ / empty) and the hint after a wrong answer;
above them the score. Answers: per question the right answer (formula of the
experiment's cells, or a constant), the tolerance and the hint. Every formula carries its
cached value: the right answers from the reference model, every question unanswered.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sheetsim.experiments.common import exercises as ex
from sheetsim.experiments.common.exercises import ACOL, COL, FIRST_ROW, HEAD_ROW

if TYPE_CHECKING:
    from sheetsim.build.writer import Canvas

WIDTHS = {"number": 4, "question": 64, "answer": 16, "rule": 24, "check": 7, "hint": 60}
"""Column widths of the Exercises sheet, in characters."""
PER_LINE = 70
"""Bytes of text a line of the question column holds (Japanese takes three a character)."""


def write(c: Canvas) -> None:
    """The Exercises and Answers sheets of ``c``'s plan, if it declares questions."""
    spec: ex.Exercises | None = c.plan.exercises
    if spec is None:
        return
    values = ex.reference(spec, c.reference)
    _answers(c, spec, values)
    _exercises(c, spec, values)


def _exercises(c: Canvas, spec: ex.Exercises, values: dict[str, Any]) -> None:
    styles, words, ws = c.styles, spec.words, c.sheets[ex.SHEET]
    check_style = c.wb.add_format({"bold": True, "align": "center", "font_size": 14,
                                   "border": 1})
    right = c.wb.add_format({"font_color": "#006100", "bg_color": "#C6EFCE"})
    wrong = c.wb.add_format({"font_color": "#9C0006", "bg_color": "#FFC7CE"})
    for name, width in WIDTHS.items():
        ws.set_column(COL[name], COL[name], width)
    ws.write_string(0, 0, words.title, styles.title)
    ws.write_string(1, 1, words.intro, styles.wrap)
    ws.set_row(1, 48)
    score = c.plan.blocks[ex.BLOCK_SCORE]
    ws.write_string(score.row, score.col - 1, words.score, styles.label)
    for j, (label, text) in enumerate(zip((words.answered, words.right),
                                          spec.score_formulas(), strict=True)):
        ws.write_string(score.row - 1, score.col + j, label, styles.header)
        c.entry(ws, score.row, score.col + j, (text, True), styles.count,
                float(values[ex.BLOCK_SCORE][0, j]))
    for j, text in enumerate(words.headers):
        ws.write_string(HEAD_ROW, j, text, styles.header)
    checks = values[ex.BLOCK_CHECKS].ravel()
    hints = values[ex.BLOCK_HINTS].ravel()
    for i, q in enumerate(spec.questions):
        r = FIRST_ROW + i
        ws.write_number(r, COL["number"], i + 1, styles.label)
        ws.write_string(r, COL["question"], q.text, styles.wrap)
        ws.set_row(r, 15 * (len(q.text.encode()) // PER_LINE + 1) + 6)
        ws.write_blank(r, COL["answer"], None, styles.control_num)
        if isinstance(q.rule, ex.Choice):
            ws.data_validation(r, COL["answer"], r, COL["answer"], {
                "validate": "list", "source": list(q.rule.choices)})
        ws.write_string(r, COL["rule"], q.rule.stated(words), styles.note)
        c.entry(ws, r, COL["check"], (spec.check_formula(i), True), check_style, checks[i])
        c.entry(ws, r, COL["hint"], (spec.hint_formula(i), True), styles.wrap, hints[i])
    last = FIRST_ROW + len(spec.questions) - 1
    for text, style in ((ex.RIGHT, right), (ex.WRONG, wrong)):
        ws.conditional_format(FIRST_ROW, COL["check"], last, COL["check"], {
            "type": "cell", "criteria": "==", "value": f'"{text}"', "format": style})
    ws.freeze_panes(HEAD_ROW + 1, 0)


def _answers(c: Canvas, spec: ex.Exercises, values: dict[str, Any]) -> None:
    styles, ws = c.styles, c.sheets[ex.ANSWERS]
    ws.write_string(0, 0, spec.words.answers_note, styles.caption)
    for name, j in ACOL.items():
        ws.write_string(HEAD_ROW, j, name, styles.header)
    right = values[ex.BLOCK_RIGHT].ravel()
    for i, q in enumerate(spec.questions):
        r = FIRST_ROW + i
        ws.write_string(r, ACOL["key"], q.key, styles.label)
        c.entry(ws, r, ACOL["right"], (q.right, True), styles.value, right[i])
        ws.write_number(r, ACOL["tolerance"],
                        q.rule.tolerance if isinstance(q.rule, ex.Numeric) else 0.0,
                        styles.value)
        ws.write_string(r, ACOL["hint"], q.hint, styles.text)
    ws.set_column(0, 0, 18)
    ws.set_column(ACOL["hint"], ACOL["hint"], 80)
    ws.very_hidden()
