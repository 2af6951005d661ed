"""The evaluator against hand-computed values and Excel's documented semantics."""

from __future__ import annotations

import math
import statistics
import time

import numpy as np
import pytest

from sheetsim.evaluator import (
    EvaluationError,
    UnsupportedFunction,
    VolatileFunctionError,
    evaluate,
    evaluate_formula,
)
from sheetsim.xlsx.book import Book, ExcelError, FormulaCell, SheetData

DIV0, NUM, VALUE, NA, REF, NAME = (
    ExcelError(c) for c in ("#DIV/0!", "#NUM!", "#VALUE!", "#N/A", "#REF!", "#NAME?")
)


def sheet(name: str, rows: list[list[object]]) -> SheetData:
    """SheetData from Python values; None is an empty cell."""
    width = max(len(r) for r in rows)
    numbers = np.full((len(rows), width), np.nan)
    other: dict[tuple[int, int], str | bool | ExcelError] = {}
    for i, row in enumerate(rows):
        for j, x in enumerate(row):
            if isinstance(x, bool | str | ExcelError):
                other[(i, j)] = x
            elif x is not None:
                numbers[i, j] = float(x)  # type: ignore[arg-type]
    return SheetData(name, numbers, other)


# Data sheet used by most single-formula tests:
#   A        B      C      D
# 1 1        2      3      "ReLU"
# 2 4        5      6      TRUE
# 3 "abc"    TRUE   (empty) #N/A
# 4 0.5      -1     0      "x"
DATA = [
    [1, 2, 3, "ReLU"],
    [4, 5, 6, True],
    ["abc", True, None, NA],
    [0.5, -1, 0, "x"],
]


@pytest.fixture
def book() -> Book:
    sheets = {
        "Data": sheet("Data", DATA),
        "L1_W": sheet("L1_W", [[None, None], [None, 7.0]]),
        "My 'odd' sheet": sheet("My 'odd' sheet", [[42.0]]),
        "Controls": sheet("Controls", [["relu", 0.5], [2.0, 3.0]]),
    }
    names = {
        "Activation": "Controls!$A$1",
        "SIGMA": "=Controls!$B$1",
        "Pair": "'Controls'!$A$2:$B$2",
    }
    return Book(sheets, names, [])


def ev(text: str, book: Book, shape: tuple[int, int] | None = None) -> object:
    return evaluate_formula(text, book, "Data", shape=shape)


def assert_cells(actual: object, expected: list[list[object]]) -> None:
    """Compare an evaluated array cell by cell: floats approximately, others exactly."""
    arr = np.asarray(actual, dtype=object)
    assert arr.shape == (len(expected), len(expected[0])), arr
    for i, row in enumerate(expected):
        for j, want in enumerate(row):
            got = arr[i, j]
            if isinstance(want, float) and not isinstance(want, bool):
                assert isinstance(got, float) and got == pytest.approx(want, rel=1e-12), (i, j)
            else:
                assert type(got) is type(want) and got == want, (i, j, got, want)


# --- operators -------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1+2*3", 7.0),
        ("(1+2)*3", 9.0),
        ("7-10", -3.0),
        ("7/2", 3.5),
        ("2^10", 1024.0),
        ("2^3^2", 64.0),  # Excel: left-associative
        ("-2^2", 4.0),  # Excel: negation before ^
        ("50%", 0.5),
        ("2*3%", 0.06),
        ("--3", 3.0),
        ("+\"abc\"", "abc"),  # unary plus changes nothing
        ("\"a\"&1.5&TRUE", "a1.5TRUE"),
        ("1/3&\"\"", "0.333333333333333"),
        ("\"say \"\"hi\"\"\"", 'say "hi"'),
        ("\"3\"+1", 4.0),  # numeric text is coerced
        ("1 + 2", 3.0),
    ],
)
def test_operators(book: Book, text: str, expected: object) -> None:
    got = ev(text, book)
    assert type(got) is type(expected)
    assert got == pytest.approx(expected) if isinstance(expected, float) else got == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2=2", True), ("2<>2", False), ("1<2", True), ("1>2", False),
        ("2<=2", True), ("3>=4", False),
        ('"ReLU"="relu"', True),  # case-insensitive
        ('"a"<"B"', True),
        ('"abc"<>"ABC"', False),
        ('1<"a"', True),  # any text is greater than any number
        ('1E+300>"0"', False),
        ('1="1"', False),  # a number never equals text
        ('TRUE>"zzz"', True),  # logicals are greater than text
        ("TRUE=1", False),
        ("D1=\"relu\"", True),
        ("C3=0", True),  # an empty cell compares as 0 ...
        ('C3=""', True),  # ... or as "" ...
        ("C3=FALSE", True),  # ... or as FALSE
        ("C3+1", 1.0),  # and is 0 in arithmetic
    ],
)
def test_comparisons_and_empty_cells(book: Book, text: str, expected: object) -> None:
    got = ev(text, book)
    assert type(got) is type(expected) and got == expected


def test_booleans_count_as_one_and_zero_in_arithmetic(book: Book) -> None:
    assert ev("TRUE+TRUE", book) == 2.0
    assert ev("TRUE*5-FALSE", book) == 5.0
    assert ev("B3*10", book) == 10.0  # a TRUE cell
    assert ev("(A1:C1>1)*1", book, (1, 3)).tolist() == [[0.0, 1.0, 1.0]]


def test_broadcast_row_column_and_scalar_against_block(book: Book) -> None:
    block = np.array([[1.0, 2, 3], [4, 5, 6]])
    np.testing.assert_array_equal(ev("A1:C2-A1:C1", book), block - block[0])
    np.testing.assert_array_equal(ev("A1:C2*A1:A2", book), block * block[:, :1])
    np.testing.assert_array_equal(ev("A1:C2/2", book), block / 2)
    np.testing.assert_array_equal(ev("L1_W!B2+A1:C2", book), block + 7)  # 1×1 reference
    np.testing.assert_array_equal(ev("{10,20,30}+A1:C2", book), block + [10, 20, 30])


def test_mismatched_sizes_pad_with_na(book: Book) -> None:
    assert_cells(ev("{1,2,3}+{10,20}", book), [[11.0, 22.0, NA]])
    assert_cells(ev("{1;2}*{1,2;3,4;5,6}", book), [[1.0, 2.0], [6.0, 8.0], [NA, NA]])


def test_array_constants_with_rows_negatives_and_text(book: Book) -> None:
    assert_cells(ev('{1,-2;"a",TRUE}', book), [[1.0, -2.0], ["a", True]])


# --- errors ------------------------------------------------------------------------------

def test_division_by_zero_errs_only_in_that_cell(book: Book) -> None:
    got = ev("1/A4:C4", book)
    assert got.dtype == object
    assert_cells(got, [[2.0, -1.0, DIV0]])


def test_errors_propagate_per_cell_and_left_first(book: Book) -> None:
    assert_cells(ev("SQRT({4,-1,9})", book), [[2.0, NUM, 3.0]])
    assert ev("EXP(1000)", book) == NUM
    assert ev("A3+1", book) == VALUE  # text in arithmetic
    assert ev("D3*0", book) == NA  # an error cell propagates
    assert ev("NA()+1/0", book) == NA  # leftmost error wins
    assert ev("LN(0)", book) == NUM
    assert ev("0^0", book) == NUM
    assert ev("0^-1", book) == DIV0


def test_all_number_results_are_float64(book: Book) -> None:
    got = ev("A1:C2*2", book)
    assert got.dtype == np.float64


def test_if_over_arrays_picks_per_element(book: Book) -> None:
    assert_cells(ev("IF({1,0,1},{1,2,3},1/0)", book), [[1.0, DIV0, 3.0]])
    assert_cells(ev("IF(A1:C2>2,A1:C2,-A1:C2)", book), [[-1.0, -2.0, 3.0], [4.0, 5.0, 6.0]])
    # only the chosen branch's error shows
    assert_cells(ev("IF({TRUE,FALSE},1/{0,0},5)", book), [[DIV0, 5.0]])
    assert ev("IF(TRUE,1,1/0)", book) == 1.0
    assert ev("IF(FALSE,1)", book) is False
    assert ev('IF(Activation="ReLU","r","s")', book) == "r"


# --- functions ---------------------------------------------------------------------------

def test_elementary_functions(book: Book) -> None:
    assert ev("EXP(1)", book) == pytest.approx(math.e, rel=1e-15)
    assert ev("LN(EXP(2))", book) == pytest.approx(2.0, rel=1e-15)
    assert ev("SQRT(16)", book) == 4.0
    assert_cells(ev("ABS(A4:C4)", book), [[0.5, 1.0, 0.0]])
    assert ev("TANH(0.5)", book) == pytest.approx(0.46211715726000974, rel=1e-15)
    assert ev("MOD(-3,2)", book) == 1.0  # sign of the divisor
    assert ev("MOD(1,0)", book) == DIV0
    assert ev("POWER(2,-1)", book) == 0.5
    assert ev("ROUND(2.5,0)", book) == 3.0  # half away from zero
    assert ev("ROUND(-2.5,0)", book) == -3.0
    assert ev("ROUND(2.675,2)", book) == 2.68
    assert ev("ROUND(1234.5,-2)", book) == 1200.0


def test_erf(book: Book) -> None:
    assert ev("ERF(1)", book) == pytest.approx(0.8427007929497149, rel=1e-15)
    assert ev("_xlfn.ERF.PRECISE(-0.5)", book) == pytest.approx(math.erf(-0.5), rel=1e-15)
    assert ev("ERF(0.5,1)", book) == pytest.approx(math.erf(1) - math.erf(0.5), rel=1e-14)


def test_norm_s_inv_matches_python_normaldist_to_1e15() -> None:
    nd = statistics.NormalDist()
    rng = np.random.default_rng(3)
    points = np.concatenate(
        [
            rng.random(2000),
            np.logspace(-300, -1, 300),
            1 - np.logspace(-16, -1, 300),
            [1e-300, 1e-16, 1 - 1e-16, 0.5, 0.075, 0.925, 0.07499999, 0.9250001, 1e-10],
        ]
    )
    book = Book({"U": SheetData("U", points.reshape(-1, 1))}, {}, [])
    got = evaluate_formula(f"_xlfn.NORM.S.INV(U!A1:A{points.size})", book, "U")
    want = np.array([nd.inv_cdf(p) for p in points]).reshape(-1, 1)
    assert got.dtype == np.float64
    np.testing.assert_allclose(got, want, rtol=1e-15, atol=0)


def test_norm_s_inv_outside_open_interval_is_num_error(book: Book) -> None:
    assert_cells(ev("NORM.S.INV({0,0.5,1,-0.1})", book), [[NUM, 0.0, NUM, NUM]])


def test_norm_s_dist(book: Book) -> None:
    assert ev("NORM.S.DIST(0,TRUE)", book) == 0.5
    assert ev("_xlfn.NORM.S.DIST(1.96,TRUE)", book) == pytest.approx(0.9750021048517795)
    assert ev("NORM.S.DIST(0,FALSE)", book) == pytest.approx(1 / math.sqrt(2 * math.pi))


def test_aggregates_ignore_text_and_empty_in_references(book: Book) -> None:
    # A1:C4 numbers: 1,2,3,4,5,6,0.5,-1,0 (text "abc", TRUE, empty ignored)
    assert ev("SUM(A1:C4)", book) == 20.5
    assert ev("COUNT(A1:C4)", book) == 9.0
    assert ev("COUNTA(A1:C4)", book) == 11.0
    assert ev("AVERAGE(A1:C4)", book) == pytest.approx(20.5 / 9)
    assert ev("MIN(A1:C4)", book) == -1.0
    assert ev("MAX(A1:C4)", book) == 6.0
    assert ev('SUM(TRUE,"2",3)', book) == 6.0  # direct arguments are coerced
    assert ev("SUM(A1:D4)", book) == NA  # ...but errors propagate
    assert ev("AVERAGE(A3)", book) == DIV0
    assert ev("SUM(A1:C100)", book) == 20.5  # cells beyond the stored data are empty
    assert ev("Z99+1", book) == 1.0


def test_spread_functions() -> None:
    data = [2, 4, 4, 4, 5, 5, 7, 9]  # population sd 2, variance 4
    book = Book({"S": sheet("S", [[x] for x in data])}, {}, [])
    assert evaluate_formula("STDEV.P(A1:A8)", book, "S") == 2.0
    assert evaluate_formula("_xlfn.VAR.P(A1:A8)", book, "S") == 4.0
    assert evaluate_formula("VAR.S(A1:A8)", book, "S") == pytest.approx(32 / 7)
    assert evaluate_formula("STDEV.S(A1:A8)", book, "S") == pytest.approx(math.sqrt(32 / 7))
    assert evaluate_formula("STDEV.S(A1)", book, "S") == DIV0
    huge = Book({"S": sheet("S", [[1e200], [-3e200], [2e200]])}, {}, [])
    for name in ("STDEV.P", "STDEV.S", "VAR.P", "VAR.S"):  # the squares overflow
        assert evaluate_formula(f"{name}(A1:A3)", huge, "S") == NUM, name
    assert evaluate_formula("IFERROR(STDEV.P(A1:A3),-1)", huge, "S") == -1.0


def test_sumproduct(book: Book) -> None:
    assert ev("SUMPRODUCT(A1:C2,A1:C2)", book) == 91.0
    assert ev("SUMPRODUCT(A1:C2,A1:B2)", book) == VALUE  # shapes differ
    assert ev("SUMPRODUCT(A2:C3)", book) == 15.0  # text and TRUE count as 0
    assert ev("SUMPRODUCT((A1:C2>2)*1)", book) == 4.0


@pytest.mark.parametrize(
    ("criterion", "expected"),
    [
        ("0", 1.0),
        ('">0"', 7.0),
        ('"<=0.5"', 3.0),
        ('"=x"', 1.0),
        ('"relu"', 1.0),
        ('"a*"', 1.0),
        ("TRUE", 2.0),
        ('""', 1.0),
    ],
)
def test_countif_criteria(book: Book, criterion: str, expected: float) -> None:
    assert ev(f"COUNTIF(A1:D4,{criterion})", book) == expected


def test_countif_not_equal_counts_everything_else(book: Book) -> None:
    # A1:D2 holds 1,2,3,"ReLU",4,5,6,TRUE
    assert ev('COUNTIF(A1:D2,"<>relu")', book) == 7.0
    assert ev('COUNTIF(A1:D2,"<>3")', book) == 7.0


def test_countifs_with_array_criteria_gives_array(book: Book) -> None:
    got = ev('COUNTIFS(A1:C2,">"&{0,2,4},A1:C2,"<="&{2,4,6})', book)
    assert_cells(got, [[2.0, 2.0, 2.0]])
    assert ev("COUNTIFS(A1:C2,\">1\",A1:B2,\">1\")", book) == VALUE


def test_frequency_edges_belong_to_their_bin_and_overflow_bin() -> None:
    data = [[1], [2], [2], [3], [5], ["text"], [None], [4]]
    book = Book({"S": sheet("S", data)}, {}, [])
    got = evaluate_formula("FREQUENCY(A1:A8,{2;4})", book, "S")
    assert got.shape == (3, 1)
    assert got.ravel().tolist() == [3.0, 2.0, 1.0]  # ≤2 | (2,4] | >4
    unsorted = evaluate_formula("FREQUENCY(A1:A8,{4;2})", book, "S")
    assert unsorted.ravel().tolist() == [2.0, 3.0, 1.0]  # counts follow the bins' order


def test_match_types(book: Book) -> None:
    assert ev('MATCH("RELU",{"sigmoid","relu","tanh"},0)', book) == 2.0
    assert ev("MATCH(7,{1,3,5},0)", book) == NA
    assert ev("MATCH(4,{1,3,5},1)", book) == 2.0
    assert ev("MATCH(3,{1,3,3,5})", book) == 3.0  # last of equal values
    assert ev("MATCH(0,{1,3,5},1)", book) == NA
    assert ev("MATCH(4,{9,5,3,1},-1)", book) == 2.0
    assert_cells(ev("MATCH({3,9},{1,3,5},0)", book), [[2.0, NA]])


def test_index(book: Book) -> None:
    assert ev("INDEX(A1:C2,2,3)", book) == 6.0
    assert ev("INDEX({10,20,30},2)", book) == 20.0  # one row: the index is the column
    assert ev("INDEX(A1:A4,2)", book) == 4.0
    assert_cells(ev("INDEX(A1:C2,0,2)", book), [[2.0], [5.0]])
    assert_cells(ev("INDEX(A1:C2,2,0)", book), [[4.0, 5.0, 6.0]])
    assert ev("INDEX(A1:C2,3,1)", book) == REF


def test_choose(book: Book) -> None:
    assert ev('CHOOSE(2,"a","b","c")', book) == "b"
    assert ev("CHOOSE(4,1,2,3)", book) == VALUE
    assert_cells(ev("CHOOSE({1,2,1},10,20)", book), [[10.0, 20.0, 10.0]])


def test_mmult_shapes_and_values(book: Book) -> None:
    got = ev("MMULT(A1:C2,{1;0;2})", book)
    assert_cells(got, [[7.0], [16.0]])
    assert ev("MMULT({1,2},{3;4})", book) == 11.0
    assert ev("MMULT(A1:C2,A1:C2)", book) == VALUE  # 2×3 by 2×3
    assert ev("MMULT(A2:C3,{1;1;1})", book) == VALUE  # text in an argument
    # an array formula over the whole range shows #VALUE! everywhere
    assert_cells(ev("MMULT(A1:C2,A1:C2)", book, (2, 2)), [[VALUE, VALUE], [VALUE, VALUE]])


def test_transpose_row_column(book: Book) -> None:
    assert_cells(ev("TRANSPOSE(A1:C1)", book), [[1.0], [2.0], [3.0]])
    assert_cells(ev("ROW(B2:B4)", book), [[2.0], [3.0], [4.0]])
    assert_cells(ev("COLUMN(B2:D2)", book), [[2.0, 3.0, 4.0]])
    assert ev("ROW(Activation)", book) == 1.0


def test_logic_and_information(book: Book) -> None:
    assert ev("AND(TRUE,1,A1:C1)", book) is True
    assert ev("OR(FALSE,0)", book) is False
    assert ev("NOT(0)", book) is True
    assert_cells(ev("ISNUMBER(A2:D2)", book), [[True, True, True, False]])
    assert_cells(ev('IFERROR(1/{1,0},"none")', book), [[1.0, "none"]])
    assert ev("TRUE()", book) is True
    assert ev("NA()", book) == NA


# --- dialects and names ---------------------------------------------------------------------

@pytest.mark.parametrize(
    "text",
    [
        "'L1_W'!B2", "L1_W!$B$2", "l1_w!B$2", "'l1_W'!$B2", "L1_W!$b$2", "'L1_W'!B2:B2",
    ],
)
def test_sheet_reference_dialects(book: Book, text: str) -> None:
    assert ev(text, book) == 7.0


@pytest.mark.parametrize("text", ["=A1+1", "{=A1+1}", " A1 + 1 "])
def test_leading_equals_and_braces_are_accepted(book: Book, text: str) -> None:
    assert ev(text, book) == 2.0


def test_quoted_sheet_name_with_spaces_and_quotes(book: Book) -> None:
    assert ev("'My ''odd'' sheet'!A1+1", book) == 43.0


@pytest.mark.parametrize(
    "text",
    ["_xlfn.NORM.S.INV(0.975)", "NORM.S.INV(0.975)", "norm.s.inv(0.975)",
     "_xlfn._xlws.NORM.S.INV(0.975)", "NORMSINV(0.975)"],
)
def test_function_name_dialects(book: Book, text: str) -> None:
    assert ev(text, book) == pytest.approx(statistics.NormalDist().inv_cdf(0.975), rel=1e-15)


def test_defined_names_case_insensitive(book: Book) -> None:
    assert ev("sigma*4", book) == 2.0  # key "SIGMA" with leading "="
    assert ev("activation", book) == "relu"
    assert_cells(ev("Pair*10", book), [[20.0, 30.0]])
    assert ev("NoSuchName+1", book) == NAME


def test_unknown_sheet_is_ref_error(book: Book) -> None:
    assert ev("Nowhere!A1", book) == REF


def test_array_formula_fits_its_range(book: Book) -> None:
    assert_cells(ev("5", book, (2, 2)), [[5.0, 5.0], [5.0, 5.0]])
    assert_cells(ev("A1:C1", book, (2, 3)), [[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]])
    assert_cells(ev("{1,2;3,4}", book, (3, 3)), [[1.0, 2.0, NA], [3.0, 4.0, NA], [NA, NA, NA]])
    assert_cells(ev("A1:C2", book, (1, 2)), [[1.0, 2.0]])  # a smaller range shows the corner


# --- whole books ----------------------------------------------------------------------------

def test_evaluate_orders_by_dependency_and_ignores_cached_values() -> None:
    sheets = {
        "In": sheet("In", [[1, 2], [3, 4]]),
        # cached values are deliberately wrong: results must come from evaluation
        "Mid": SheetData("Mid", np.full((2, 2), 999.0)),
        "Out": SheetData("Out", np.full((1, 1), 999.0)),
    }
    formulas = [
        FormulaCell("out", 0, 0, 1, 1, "SUM(Mid!A1:B2)"),  # listed first, needs Mid
        FormulaCell("Mid", 0, 0, 2, 2, "In!A1:B2*10", is_array=True),
    ]
    calls: list[tuple[int, int]] = []
    res = evaluate(Book(sheets, {}, formulas), progress=lambda d, t: calls.append((d, t)))
    np.testing.assert_array_equal(res[("Mid", 0, 0)], [[10.0, 20.0], [30.0, 40.0]])
    assert res[("Out", 0, 0)].tolist() == [[100.0]]  # key uses the book's sheet spelling
    assert calls == [(1, 2), (2, 2)]


def test_dependency_through_defined_name() -> None:
    sheets = {"S": sheet("S", [[None, None], [2.0, None]])}
    formulas = [
        FormulaCell("S", 0, 1, 1, 1, "Scale*3"),
        FormulaCell("S", 0, 0, 1, 1, "A2+1"),
    ]
    res = evaluate(Book(sheets, {"scale": "S!$A$1"}, formulas))
    assert res[("S", 0, 1)].tolist() == [[9.0]]


def test_result_with_errors_is_object_array() -> None:
    sheets = {"S": sheet("S", [[1, 0, 2]])}
    res = evaluate(Book(sheets, {}, [FormulaCell("S", 1, 0, 1, 3, "1/A1:C1", is_array=True)]))
    got = res[("S", 1, 0)]
    assert got.dtype == object
    assert got.tolist() == [[1.0, DIV0, 0.5]]


def test_plain_formula_takes_top_left_of_array() -> None:
    sheets = {"S": sheet("S", [[4, 5], [6, 7]])}
    res = evaluate(Book(sheets, {}, [FormulaCell("S", 3, 0, 1, 1, "A1:B2*2")]))
    assert res[("S", 3, 0)].tolist() == [[8.0]]


def test_cycle_is_detected() -> None:
    sheets = {"S": SheetData("S", np.zeros((2, 2)))}
    formulas = [FormulaCell("S", 0, 0, 1, 1, "B1+1"), FormulaCell("S", 0, 1, 1, 1, "A1+1")]
    with pytest.raises(EvaluationError, match="circular"):
        evaluate(Book(sheets, {}, formulas))
    self_ref = [FormulaCell("S", 0, 0, 2, 2, "SUM(A1:B2)", is_array=True)]
    with pytest.raises(EvaluationError, match="circular"):
        evaluate(Book(sheets, {}, self_ref))


def test_many_formulas_on_a_sheet_are_ordered_through_the_cell_tiles() -> None:
    # one-cell formulas over more than one tile of a sheet (a step-by-step table): the
    # dependencies are found through the tiles, whatever the order of the formulas
    n = 200
    sheets = {"S": SheetData("S", np.zeros((n, 2))), "T": SheetData("T", np.zeros((1, 1)))}
    chain = [FormulaCell("S", i, 0, 1, 1, f"A{i}+1" if i else "1") for i in range(n)]
    formulas = [
        FormulaCell("T", 0, 0, 1, 1, "S!A150*2"),  # another sheet, one cell
        FormulaCell("S", 5, 1, 1, 1, "SUM(A1:A200)"),  # a range over every formula
        FormulaCell("S", 6, 1, 1, 1, "SUM(A190:A1000)"),  # a range past the formulas' box
        FormulaCell("S", 7, 1, 1, 1, "SUM(C1:C9)"),  # a range beside them: reads nothing
        *reversed(chain),
    ]
    res = evaluate(Book(sheets, {}, formulas))
    assert res[("S", n - 1, 0)].tolist() == [[float(n)]]
    assert res[("T", 0, 0)].tolist() == [[300.0]]
    assert res[("S", 5, 1)].tolist() == [[n * (n + 1) / 2]]
    assert res[("S", 6, 1)].tolist() == [[float(sum(range(190, n + 1)))]]
    assert res[("S", 7, 1)].tolist() == [[0.0]]
    loop = [FormulaCell("S", 0, 0, 1, 1, f"A{n}+1"), *chain[1:]]
    with pytest.raises(EvaluationError, match="circular"):
        evaluate(Book(sheets, {}, loop))


def test_unsupported_function_names_function_and_cell() -> None:
    sheets = {"Histograms": SheetData("Histograms", np.zeros((6, 4)))}
    formulas = [FormulaCell("Histograms", 4, 2, 1, 1, "_xlfn.FOOBAR(A1)+1")]
    with pytest.raises(UnsupportedFunction) as info:
        evaluate(Book(sheets, {}, formulas))
    assert info.value.function == "FOOBAR"
    assert info.value.cell == "Histograms!C5"
    assert "FOOBAR" in str(info.value) and "Histograms!C5" in str(info.value)


def test_unparsable_formula_names_the_cell() -> None:
    sheets = {"S": SheetData("S", np.zeros((1, 1)))}
    with pytest.raises(EvaluationError, match=r"S!B3"):
        evaluate(Book(sheets, {}, [FormulaCell("S", 2, 1, 1, 1, "1+*2")]))


def test_rand_raises_unless_cached_values_are_requested() -> None:
    sheets = {"U": SheetData("U", np.array([[0.25, 0.75]]))}
    formulas = [
        FormulaCell("U", 1, 0, 1, 1, "A1*2"),
        FormulaCell("U", 0, 0, 1, 2, "RAND()", is_array=True),
    ]
    with pytest.raises(VolatileFunctionError) as info:
        evaluate(Book(sheets, {}, formulas))
    assert info.value.cell == "U!A1" and info.value.function == "RAND"
    res = evaluate(Book(sheets, {}, formulas), volatile="cached")
    assert res[("U", 0, 0)].tolist() == [[0.25, 0.75]]
    assert res[("U", 1, 0)].tolist() == [[0.5]]


def test_block_chain_matches_numpy() -> None:
    """NORM.S.INV of uniforms → MMULT → sigmoid over 1000×100, as the workbook does."""
    rng = np.random.default_rng(7)
    n, h, layers = 1000, 100, 7
    sheets = {"Input_U": SheetData("Input_U", rng.random((n, h)))}
    sheets["Controls"] = sheet("Controls", [[0.1]])
    formulas = [FormulaCell("Input", 0, 0, n, h, "_xlfn.NORM.S.INV(Input_U!A1:CV1000)", True)]
    prev = "Input"
    for k in range(1, layers + 1):
        sheets[f"L{k}_WU"] = SheetData(f"L{k}_WU", rng.random((h, h)))
        formulas += [
            FormulaCell(f"L{k}_W", 0, 0, h, h, f"NORM.S.INV('L{k}_WU'!$A$1:$CV$100)*Sigma", True),
            FormulaCell(f"L{k}_Z", 0, 0, n, h, f"MMULT({prev}!A1:CV1000,L{k}_W!A1:CV100)", True),
            FormulaCell(f"L{k}_A", 0, 0, n, h, f"(1+TANH(L{k}_Z!A1:CV1000/2))/2", True),
        ]
        prev = f"L{k}_A"
    book = Book(sheets, {"Sigma": "Controls!$A$1"}, formulas[::-1])
    start = time.perf_counter()
    res = evaluate(book)
    elapsed = time.perf_counter() - start

    inv = np.vectorize(statistics.NormalDist().inv_cdf)
    a = inv(sheets["Input_U"].numbers)
    np.testing.assert_allclose(res[("Input", 0, 0)], a, rtol=1e-15)
    for k in range(1, layers + 1):
        w = inv(sheets[f"L{k}_WU"].numbers) * 0.1
        z = a @ w
        a = 1.0 / (1.0 + np.exp(-z))
        np.testing.assert_allclose(res[(f"L{k}_Z", 0, 0)], z, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(res[(f"L{k}_A", 0, 0)], a, rtol=1e-12, atol=1e-14)
    assert len([f for f in formulas if f.rows == n]) == 15
    assert elapsed < 10.0  # one NumPy op per block, not per cell
