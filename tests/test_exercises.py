"""The Exercises sheet: answers typed into copies of a workbook are checked by formula.

Answers are typed into the file's XML (the evaluator then computes the checks) and once
per experiment into a running LibreOffice. The right answers the tests type come from the
mathematics (the facts) or from the experiment's own blocks as the evaluator computes them
(the predictions), never from the questions' code.
"""

from __future__ import annotations

import math
import re
import shutil
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from sheetsim import evaluator, experiments
from sheetsim.check import verify
from sheetsim.experiments.common import exercises as ex
from sheetsim.xlsx import reader
from sheetsim.xlsx.cells import cell

from .helpers import SMALL_SHAPES, build, drive, need_uno, sheet_part

NAMES = ("init", "descent", "training", "digits")
"""The experiments whose workbooks hold exercises."""


def settings(name: str, **flags: Any) -> Any:
    """Small settings of experiment ``name`` with ``flags`` on top."""
    return experiments.resolve(experiments.get(name), flags={**SMALL_SHAPES[name], **flags})


class Books(dict):
    """Each experiment's small default workbook, built when first asked for."""

    def __init__(self, folder: Path) -> None:
        super().__init__()
        self.folder = folder

    def __missing__(self, name: str) -> Path:
        self[name] = build(settings(name), self.folder / f"{name}.xlsx")
        return self[name]


@pytest.fixture(scope="module")
def books(tmp_path_factory) -> Books:
    return Books(tmp_path_factory.mktemp("exercises"))


def rows_of(path: Path) -> dict[str, int]:
    """Question key → its 0-based row, read from the file's Answers sheet."""
    sheet = reader.read(path, only={ex.ANSWERS}).sheet(ex.ANSWERS)
    out, r = {}, ex.FIRST_ROW
    while isinstance(sheet.value(r, ex.ACOL["key"]), str):
        out[str(sheet.value(r, ex.ACOL["key"]))] = r
        r += 1
    return out


def _cell_xml(value: Any) -> tuple[str, str]:
    """The attributes and body of a constant cell holding ``value``."""
    if isinstance(value, str):
        text = value.replace("&", "&amp;").replace("<", "&lt;")
        return ' t="inlineStr"', f"<is><t>{text}</t></is>"
    return "", f"<v>{value!r}</v>"


def put(path: Path, sheet: str, ref: str, value: Any) -> None:
    """Set constant cell ``ref`` of ``sheet`` to ``value`` (a number or text), keeping its
    style: what typing into the cell stores."""
    part = sheet_part(path, sheet)
    with zipfile.ZipFile(path) as zf:
        members = [(info, zf.read(info)) for info in zf.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, data in members:
            if info.filename == part:
                xml = data.decode()
                m = re.search(rf'<c r="{ref}"(?P<attrs>[^>]*?)(?:/>|>(?P<body>.*?)</c>)', xml)
                assert m, ref
                attrs = re.sub(r'\st="[^"]*"', "", m.group("attrs"))
                kind, body = _cell_xml(value)
                xml = xml[: m.start()] + f'<c r="{ref}"{attrs}{kind}>{body}</c>' + xml[m.end():]
                data = xml.encode()
            zf.writestr(info, data)


def answer(path: Path, row: int) -> str:
    return cell(row, ex.COL["answer"])


def evaluated(path: Path) -> tuple[dict, Any]:
    book = reader.read(path)
    return evaluator.evaluate(book, volatile="cached"), book


def shown(results: dict, row: int, part: str = "check") -> Any:
    """What the evaluator computes for question row ``row``'s ``part`` cell."""
    return results[(ex.SHEET, row, ex.COL[part])][0, 0]


def block(results: dict, book: Any, name: str, plan: Any) -> np.ndarray:
    """An experiment block as the evaluator computes it, assembled from its results."""
    b = plan.blocks[name]
    out = np.full((b.rows, b.cols), np.nan)
    for (sheet, r, c), v in results.items():
        if sheet != b.sheet:
            continue
        for i in range(v.shape[0]):
            for j in range(v.shape[1]):
                if b.row <= r + i < b.row + b.rows and b.col <= c + j < b.col + b.cols:
                    x = v[i, j]
                    out[r + i - b.row, c + j - b.col] = x if isinstance(x, float) else np.nan
    return out


def right_answers(name: str, path: Path) -> dict[str, Any]:
    """One fact and one prediction per experiment, right by the mathematics or by the
    experiment's own blocks as the evaluator computes them."""
    results, book = evaluated(path)
    exp = settings(name)
    plan = experiments.get(name).plan(exp)
    if name == "init":
        z = block(results, book, f"L{exp.layers}_z", plan)
        return {"sigmoid_slope": 0.25, "last_std": float(np.std(z))}
    if name == "descent":
        final = [block(results, book, f"{o}_path", plan)[-1, 2] for o in exp.optimizers]
        return {"sgd_diverges": 1.0, "below_0.01": float(sum(v < 0.01 for v in final))}
    if name == "digits":
        return {"epoch_steps": float(math.ceil(exp.train_size / exp.batch)),
                "warmup_lr": exp.lr if exp.warmup == 0 else math.nan}
    acc = block(results, book, "accuracy", plan)[:, 0]
    reached = np.flatnonzero(acc >= 0.9)
    return {"reach_90": float(reached[0]) if reached.size else -1.0,
            "final_accuracy": float(acc[-1])}


WRONG_BY = {"sigmoid_slope": 0.1, "last_std": None, "sgd_diverges": 0.5, "below_0.01": 1,
            "reach_90": 5, "final_accuracy": 0.2, "epoch_steps": 1, "warmup_lr": 0.05}
"""How far off a wrong answer is typed (None: twice the right value, plus one)."""


@pytest.mark.parametrize("name", NAMES)
def test_every_check_cell_verifies_and_starts_empty(books, name) -> None:
    path = books[name]
    report = verify.verify(path)
    assert report.ok, report.render()
    results, _ = evaluated(path)
    rows = rows_of(path)
    assert 5 <= len(rows) <= 8
    for row in rows.values():
        assert shown(results, row) == ex.UNANSWERED
        assert shown(results, row, "hint") == ""
    with zipfile.ZipFile(path) as zf:
        assert re.search(r'<sheet name="Answers"[^>]*state="veryHidden"',
                         zf.read("xl/workbook.xml").decode())


@pytest.mark.parametrize("name", NAMES)
def test_right_wrong_and_bad_answers_through_the_evaluator(books, tmp_path, name) -> None:
    rows = rows_of(books[name])
    right = right_answers(name, books[name])
    cases: list[tuple[str, Any, str]] = []
    for key, value in right.items():
        off = WRONG_BY[key]
        cases += [(key, value, ex.RIGHT),
                  (key, value * 2 + 1 if off is None else value + off, ex.WRONG)]
    key = next(iter(right))
    for bad in ("about 0.3", ""):
        cases.append((key, bad, ex.UNANSWERED))
    for key, typed, want in cases:
        copy = tmp_path / f"{key}.xlsx"
        shutil.copy(books[name], copy)
        put(copy, ex.SHEET, answer(copy, rows[key]), typed)
        results, _ = evaluated(copy)
        assert shown(results, rows[key]) == want, (key, typed)
        hint = shown(results, rows[key], "hint")
        assert (hint != "") == (want == ex.WRONG), (key, typed, hint)
        score = results[(ex.SHEET, ex.SCORE_ROW, ex.COL["answer"])][0, 0]
        assert score == (want != ex.UNANSWERED)


def _choice_rows(path: Path) -> dict[str, tuple[int, tuple[str, ...]]]:
    """Every choice question's row and its dropdown's choices, read from the file."""
    with zipfile.ZipFile(path) as zf:
        xml = zf.read(sheet_part(path, ex.SHEET)).decode()
    out = {}
    rows = {r: k for k, r in rows_of(path).items()}
    for m in re.finditer(r'<dataValidation [^>]*sqref="([A-Z]+)([0-9]+)"[^>]*>'
                         r'<formula1>"([^<]*)"</formula1>', xml):
        row = int(m.group(2)) - 1
        out[rows[row]] = (row, tuple(m.group(3).split(",")))
    return out


@pytest.mark.parametrize("name", NAMES)
def test_every_choice_has_one_right_answer_and_a_number_is_no_answer(books, tmp_path,
                                                                    name) -> None:
    choices = _choice_rows(books[name])
    assert choices
    for key, (row, items) in choices.items():
        seen = []
        for item in items:
            copy = tmp_path / "choice.xlsx"
            shutil.copy(books[name], copy)
            put(copy, ex.SHEET, cell(row, ex.COL["answer"]), item)
            results, _ = evaluated(copy)
            seen.append(shown(results, row))
        assert sorted(seen) == sorted([ex.RIGHT] + [ex.WRONG] * (len(items) - 1)), key
        put(copy, ex.SHEET, cell(row, ex.COL["answer"]), 3.0)
        results, _ = evaluated(copy)
        assert shown(results, row) == ex.UNANSWERED


def test_facts_are_the_mathematics(books, tmp_path) -> None:
    """The facts' right answers: the sigmoid's steepest slope, the chain rule, the
    learning rate above which SGD diverges on the bowl, He for ReLU."""
    s = 1 / (1 + math.exp(0))
    facts = {"init": {"sigmoid_slope": s * (1 - s), "chain_rule": 2 * (1 + 2),
                      "relu_init": "he"},
             "descent": {"sgd_diverges": 1.0}}
    for name, keys in facts.items():
        rows = rows_of(books[name])
        copy = tmp_path / f"{name}.xlsx"
        shutil.copy(books[name], copy)
        for key, value in keys.items():
            put(copy, ex.SHEET, answer(copy, rows[key]), value)
        results, _ = evaluated(copy)
        assert [shown(results, rows[k]) for k in keys] == [ex.RIGHT] * len(keys)


def _set_control(path: Path, name: str, value: Any) -> None:
    """Type ``value`` into the control cell the defined name ``name`` stands for."""
    ref = reader.read(path, only={"Controls"}).names[name]
    sheet, where = ref.split("!")
    put(path, sheet, where.replace("$", ""), value)


def test_a_control_change_changes_the_right_answer(books, tmp_path) -> None:
    """The last layer's std with sigmoid, then with relu: a prediction right before the
    change is wrong after it, and the new right answer is the new std."""
    rows = rows_of(books["init"])
    before = right_answers("init", books["init"])["last_std"]
    copy = tmp_path / "relu.xlsx"
    shutil.copy(books["init"], copy)
    put(copy, ex.SHEET, answer(copy, rows["last_std"]), before)
    _set_control(copy, "Activation", "relu")
    results, book = evaluated(copy)
    assert shown(results, rows["last_std"]) == ex.WRONG
    plan = experiments.get("init").plan(settings("init"))
    after = float(np.std(block(results, book, f"L{plan.settings.layers}_z", plan)))
    assert abs(after - before) > 0.2 * before
    right = results[(ex.ANSWERS, rows["last_std"], ex.ACOL["right"])][0, 0]
    assert right == pytest.approx(after, rel=1e-9)


def test_verify_takes_typed_answers_as_inputs(books, tmp_path) -> None:
    """A copy with answers typed and every exercise cell recalculated (the evaluator's
    values stored as the cached ones) verifies; a check cell whose stored value does not
    follow its rule fails."""
    path = books["init"]
    rows = rows_of(path)
    right = right_answers("init", path)
    copy = tmp_path / "typed.xlsx"
    shutil.copy(path, copy)
    put(copy, ex.SHEET, answer(copy, rows["sigmoid_slope"]), right["sigmoid_slope"])
    put(copy, ex.SHEET, answer(copy, rows["last_std"]), right["last_std"] * 3)
    put(copy, ex.SHEET, answer(copy, rows["trend"]), "no such choice")
    results, _ = evaluated(copy)
    for (sheet, r, c), v in results.items():
        if sheet == ex.SHEET:
            _store(copy, r, c, v[0, 0])
    report = verify.verify(copy)
    assert report.ok, report.render()
    assert shown(results, rows["trend"]) == ex.WRONG
    _store(copy, rows["last_std"], ex.COL["check"], ex.RIGHT)
    results_bad = verify.verify(copy)
    assert not results_bad.ok


def _store(path: Path, row: int, col: int, value: Any) -> None:
    """Replace the cached value of formula cell (row, col) of Exercises."""
    part = sheet_part(path, ex.SHEET)
    ref = cell(row, col)
    with zipfile.ZipFile(path) as zf:
        members = [(info, zf.read(info)) for info in zf.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, data in members:
            if info.filename == part:
                xml = data.decode()
                m = re.search(rf'<c r="{ref}"[^>]*>.*?</c>', xml)
                assert m, ref
                text = value if isinstance(value, str) else repr(float(value))
                new = re.sub(r"<v>[^<]*</v>", f"<v>{text}</v>", m.group(0))
                data = (xml[: m.start()] + new + xml[m.end():]).encode()
            zf.writestr(info, data)


def _alike(name: str, exp: Any, path: Path) -> bool:
    """Whether every unit of layer 1 has the same output (init), or every unit of every
    hidden layer the same weights and bias at every step (training)."""
    results, book = evaluated(path)
    plan = experiments.get(name).plan(exp)
    if name == "init":
        z = block(results, book, "L1_z", plan)
        return bool(np.all(z == z[:, :1]))
    return all(np.all(p == p[:, :1]) for t in range(exp.steps + 1)
               for k in range(1, exp.layers + 1)
               for p in [block(results, book, f"s{t}_p{k}", plan)])


@pytest.mark.parametrize("name", ("init", "training"))
def test_zero_weights_make_every_unit_of_a_layer_the_same(tmp_path, name) -> None:
    """``--init zeros``: every unit of layer 1 has the same output (init), the same
    weights at every step (training); with He's random weights they differ."""
    for init, alike in (("zeros", True), ("he", False)):
        exp = settings(name, init=init, activation="sigmoid")
        path = build(exp, tmp_path / f"{name}-{init}.xlsx")
        report = verify.verify(path)
        assert report.ok, report.render()
        assert _alike(name, exp, path) == alike, init


@pytest.mark.engine
@pytest.mark.parametrize("name", NAMES)
def test_answers_typed_in_libreoffice(books, tmp_path, name) -> None:
    """In a running LibreOffice: a right answer gives ✓, a wrong one ✗, text in a number
    cell nothing; the saved file verifies."""
    need_uno()
    rows = rows_of(books[name])
    key, value = next(iter(right_answers(name, books[name]).items()))
    other, other_value = list(right_answers(name, books[name]).items())[1]
    where = {k: f"{ex.SHEET}!{answer(books[name], rows[k])}" for k in (key, other)}
    saved, wrong = tmp_path / "right.xlsx", tmp_path / "wrong.xlsx"
    report = drive(books[name], [
        {"set": {where[key]: value, where[other]: "not a number"}, "save": str(saved)},
        {"set": {where[key]: value + WRONG_BY[key]}, "save": str(wrong)},
    ])
    for step in report["steps"]:
        assert step["stale_count"] == 0, step["stale"]
    for path, check, right in ((saved, ex.RIGHT, 1.0), (wrong, ex.WRONG, 0.0)):
        results = verify.verify(path)
        assert results.ok, results.render()
        sheet = reader.read(path, only={ex.SHEET}).sheet(ex.SHEET)
        assert sheet.value(rows[key], ex.COL["check"]) == check
        assert sheet.value(rows[other], ex.COL["check"]) in ("", None)
        assert sheet.value(ex.SCORE_ROW, ex.COL["answer"]) == 1.0
        assert sheet.value(ex.SCORE_ROW, ex.COL["answer"] + 1) == right
