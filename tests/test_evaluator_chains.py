"""Step-by-step tables evaluated as compiled strips (sheetsim.evaluator.chains, .compiled)
give exactly what the general path gives, cell for cell and bit for bit, errors and text
included."""

from __future__ import annotations

import numpy as np
import pytest

from sheetsim.evaluator import EvaluationError, chains, compiled, evaluate, workbook
from sheetsim.evaluator.parser import Ref, parse
from sheetsim.xlsx.book import Book, FormulaCell, SheetData

ROWS = 300
"""Steps of the table; the first step (row 2) is constants."""

SHAPES = {  # column: formula at 1-based row n (n >= 3), reading row n - 1 or row n
    1: "B{p}*Rate+TANH(A{n})",
    2: "IF(B{n}>0.5,SQRT(ABS(B{n})),EXP(-B{n}))^1.5",
    3: "CHOOSE(Pick,C{n}/(1+LN(1+ABS(A{n}))),MAX(C{n},D{p}),MIN(C{n},-D{p}))",
    4: "IF(ISNUMBER(F{p}),E{p}+1,0)",
    5: "1/(A{n}-0.5)",
    6: "G{p}*2",
    7: 'IF(A{n}>0.9,"big",A{n})',
    8: "$A$2+A{n}*Rate-SIGN(A{n}-0.5)*5%",
    9: "J{p}+$A${n}",
    10: "IF(A{n}<0.1,NA(),-A{n}^0.5)+(A{n}-0.3)^3",
    11: "K{n}+Label",
    12: "1/EXP(A{n}*1000)+M{p}",  # an overflow inside one cell's formula
    13: "F{n}+G{n}*E{n}",  # two errors met: the first operand's wins
    14: "IF(A{n}>0.3,G{n}-F{n},SQRT(F{n}-1E+300))",
}


def table(shapes: dict[int, str], rows: int = ROWS, seed: int = 3) -> Book:
    """A sheet T with draws in column A (some exactly 0.5, where 1/(A-0.5) fails) and one
    formula per shape and row below a row of constants; controls on sheet C."""
    rng = np.random.default_rng(seed)
    numbers = np.full((rows + 2, 15), np.nan)
    numbers[1:, 0] = rng.uniform(0, 1, rows + 1)
    numbers[[i for i in (40, 41, 120) if i <= rows], 0] = 0.5
    numbers[1, 1:] = [0.3, 1.0, 0.2, 0.0, 1.0, 1e300, 0.0, 1.0, 0.5, 0.1, 2.0, 0.0, 0.0, 0.0]
    formulas = [
        FormulaCell("T", n - 1, col, 1, 1, text.format(n=n, p=n - 1, q=n + 1))
        for n in range(3, rows + 3) for col, text in shapes.items()
    ]
    controls = SheetData("C", np.array([[0.7], [2.0]]), {(2, 0): "a label"})
    names = {"Rate": "C!$A$1", "Pick": "C!$A$2", "Label": "C!$A$3"}
    return Book({"T": SheetData("T", numbers, {}), "C": controls}, names, formulas)


def general(book: Book, monkeypatch: pytest.MonkeyPatch) -> dict:
    """The results of the general path alone (no strips)."""
    with monkeypatch.context() as m:
        m.setattr(workbook, "_programs", lambda ev, formulas: [])
        return evaluate(book)


def same(a: np.ndarray, b: np.ndarray) -> bool:
    """Equal bit for bit (floats), or value for value and type for type (objects)."""
    if a.dtype != b.dtype or a.shape != b.shape:
        return False
    if a.dtype == np.float64:
        return bool((a.view(np.int64) == b.view(np.int64)).all())
    return all(type(x) is type(y) and x == y for x, y in zip(a.ravel(), b.ravel(), strict=True))


def programs(book: Book) -> list[chains.Program]:
    ev = workbook._Evaluator(book)
    return workbook._programs(ev, workbook.coalesce(book.formulas))


def test_compiled_strips_give_the_general_paths_values(monkeypatch: pytest.MonkeyPatch) -> None:
    book = table(SHAPES)
    found = programs(book)
    assert len(found) == 1 and found[0].strip.size == ROWS * len(SHAPES)
    run_of = {run.col: run for run in found[0].strip.runs}
    assert run_of[7].source is None  # text: the general path, cell by cell
    assert all(run_of[c].source is not None for c in SHAPES if c not in (7, 11))
    fast, slow = evaluate(book), general(book, monkeypatch)
    assert fast.keys() == slow.keys()
    differ = [k for k in slow if not same(fast[k], slow[k])]
    assert not differ, [(k, fast[k], slow[k]) for k in differ[:5]]
    # the table reaches errors, text and overflow, so each way out of the fast path is taken
    kinds = {type(v[0, 0]).__name__ for v in slow.values() if v.dtype == object}
    assert {"ExcelError", "str"} <= kinds
    codes = {str(v[0, 0]) for k, v in slow.items() if k[2] in (13, 14) and v.dtype == object}
    assert len(codes) >= 2  # where errors meet, which one wins is checked too


def test_transcendental_functions_are_numpys(monkeypatch: pytest.MonkeyPatch) -> None:
    """TANH, EXP, LN and ^ of many values: a Python math function that differs from NumPy's
    in the last bit anywhere would show here."""
    shapes = {1: "TANH(A{n}*7-3)+EXP(A{n}*3)", 2: "LN(A{n}+B{n})*(A{n}+1)^(B{n}-0.25)",
              3: "SQRT(A{n})/C{p}+C{p}"}
    book = table(shapes, rows=2000, seed=11)
    assert programs(book)[0].strip.runs[0].source is not None
    fast, slow = evaluate(book), general(book, monkeypatch)
    assert all(same(fast[k], slow[k]) for k in slow)


def test_a_strip_that_reads_a_later_row_is_left_to_the_general_path(
        monkeypatch: pytest.MonkeyPatch) -> None:
    book = table({1: "C{q}+A{n}", 2: "A{n}*0.5", 3: "B{p}*2"}, rows=50)  # B reads C below
    assert programs(book) == []
    fast, slow = evaluate(book), general(book, monkeypatch)
    assert all(same(fast[k], slow[k]) for k in slow)


def test_a_circular_reference_in_a_table_is_still_named() -> None:
    book = table({1: "C{n}+1", 2: "B{n}*2"}, rows=20)
    with pytest.raises(EvaluationError, match="circular reference"):
        evaluate(book)


def test_runs_learn_which_absolute_rows_move() -> None:
    texts = ["Q!$B$3*$A$11+B10", "Q!$B$3*$A$12+B11", "Q!$B$3*$A$13+B12", "Q!$B$3*$A$13+B13"]
    formulas = [FormulaCell("S", 10 + i, 2, 1, 1, t) for i, t in enumerate(texts)]
    runs = chains.find_runs(formulas)
    assert [(r.first, len(r.members)) for r in runs] == [(10, 3)]  # $A$13 stays: a new shape
    assert runs[0].template.moves == [False, True, True]
    assert chains.parse_run(runs[0])


@pytest.mark.parametrize("text", ['A1&"x"', "SUM(A1:A3)", "A1>1", '"a"', "IF(A1,2)",
                                  "ROUND(A1,2)", "ISNUMBER(A1+1)"])
def test_what_the_fast_path_does_not_cover(text: str) -> None:
    with pytest.raises(compiled.NotCompiled):
        compiled.expression(parse(text), lambda ref: "x", lambda name: None)


def test_a_name_that_is_not_one_cell_is_not_compiled() -> None:
    with pytest.raises(compiled.NotCompiled):
        compiled.expression(parse("Rates*2"), lambda ref: "x", lambda name: None)
    source = compiled.expression(parse("Rate*2"), lambda ref: f"v{ref.row}",
                                 lambda name: Ref("C", 4, 0))
    assert eval(source, dict(compiled.HELPERS), {"v4": 1.5}) == 3.0  # noqa: S307


def test_every_way_out_of_the_fast_path_raises_fallback() -> None:
    cases = {"1/A1": 0.0, "SQRT(A1)": -1.0, "LN(A1)": 0.0, "A1^2": 0.0, "MAX(A1,1)": np.nan,
             "CHOOSE(A1,1,2)": 3.0, "IF(A1>0,1,2)": np.nan, "TANH(A1)": np.inf}
    for text, value in cases.items():
        source = compiled.expression(parse(text), lambda ref: "a", lambda name: None)
        with pytest.raises((compiled.Fallback, ZeroDivisionError, ValueError)):
            result = eval(source, dict(compiled.HELPERS), {"a": value})  # noqa: S307
            if result - result != 0.0:
                raise compiled.Fallback(text)

