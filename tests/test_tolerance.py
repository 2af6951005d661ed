"""The tolerance at its boundaries: just over fails, just under passes.

RTOL 1e-9, ATOL 1e-12 and BLOCK_FLOOR 1e-2 are promised in the README; each part is tested
through ``sheetsim verify`` on a real workbook whose cached value is tampered in the sheet
XML, and the count ties (``edge_ties``, ``zero_ties``) are tested on their own.
"""

from __future__ import annotations

import numpy as np
import pytest
from click.testing import CliRunner

from sheetsim import tolerance
from sheetsim.check import verify as verify_mod
from sheetsim.check.report import Report
from sheetsim.cli import cli
from sheetsim.experiments import of_settings
from sheetsim.experiments.init import reference
from sheetsim.tolerance import ATOL, BLOCK_FLOOR, RTOL, allowed, edge_ties, zero_ties
from sheetsim.xlsx import reader
from sheetsim.xlsx.cells import Block

from .helpers import SMALL, set_cached

OVER, UNDER = 1.02, 0.98
"""Factors of the allowed difference: 2 % beyond it, 2 % inside it (far above rounding)."""


def test_the_promised_constants():
    assert (RTOL, ATOL, BLOCK_FLOOR) == (1e-9, 1e-12, 1e-2)


def _verify(path):
    return CliRunner().invoke(cli, ["verify", str(path)])


def _tamper(path, name: str, pick, allowed_of) -> tuple[str, float, float]:
    """Set the cached value of one cell of block ``name`` to value + allowed·factor; returns
    the cell, its value and the allowed difference there. ``pick`` chooses the cell from the block's
    values; ``allowed_of(value, floor)`` is the allowed difference the test claims."""
    plan = of_settings(SMALL).plan(SMALL)
    block = plan.blocks[name]
    values = reader.block_values(reader.read(path), block)
    i, j = np.unravel_index(pick(np.abs(values)), values.shape)
    floor = BLOCK_FLOOR * float(np.abs(values).max())
    return block.address(int(i), int(j)), float(values[i, j]), allowed_of(values[i, j], floor)


def _set(path, address: str, value: float) -> None:
    sheet, ref = address.split("!")
    set_cached(path, sheet, ref, repr(float(value)))


@pytest.mark.parametrize("factor", [OVER, UNDER], ids=["over", "under"])
def test_relative_part(small_copy, factor):
    # the largest pre-activation of layer 1: its own size sets the scale, RTOL·|v| ≫ ATOL
    address, v, tol = _tamper(small_copy, "L1_a", np.argmax,
                              lambda v, floor: ATOL + RTOL * abs(v))
    assert abs(v) > 1.0
    _set(small_copy, address, v + np.sign(v) * factor * tol)
    result = _verify(small_copy)
    assert result.exit_code == (1 if factor > 1 else 0), result.output
    assert (address in result.output) is (factor > 1)


@pytest.mark.parametrize("factor", [OVER, UNDER], ids=["over", "under"])
def test_block_scale_floor(small_copy, factor):
    # the smallest pre-activation of layer 1 is judged against 1 % of the block's largest
    address, v, tol = _tamper(small_copy, "L1_a", np.argmin,
                              lambda v, floor: ATOL + RTOL * floor)
    assert abs(v) + 2 * tol < 0.5 * tol / RTOL  # far below the floor: the floor decides
    _set(small_copy, address, v + factor * tol)
    result = _verify(small_copy)
    assert result.exit_code == (1 if factor > 1 else 0), result.output
    assert (address in result.output) is (factor > 1)


@pytest.mark.parametrize("factor", [OVER, UNDER], ids=["over", "under"])
def test_absolute_part(small_copy, factor):
    # a one-cell formula whose value is 0 (the share of exact zeros of a sigmoid layer):
    # scale and floor are 0, so only ATOL allows a difference
    plan = of_settings(SMALL).plan(SMALL)
    address = plan.blocks["stat_zero"].address(0, 1)
    book = reader.read(small_copy)
    assert reader.block_values(book, plan.blocks["stat_zero"])[0, 1] == 0.0
    _set(small_copy, address, factor * ATOL)
    result = _verify(small_copy)
    assert result.exit_code == (1 if factor > 1 else 0), result.output
    assert (address in result.output) is (factor > 1)


@pytest.mark.parametrize("factor", [OVER, UNDER], ids=["over", "under"])
def test_the_same_tolerance_for_cells_of_mixed_blocks(factor):
    # blocks holding text (the Dashboard's rows) are compared cell by cell with ``_same``
    floor = 2.0
    assert verify_mod._same(0.5, 0.5 + factor * (ATOL + RTOL * 2.0), floor) is (factor < 1)
    assert verify_mod._same(0.0, factor * ATOL) is (factor < 1)
    assert verify_mod._same(1e6, 1e6 * (1 + factor * RTOL) + ATOL) is (factor < 1)
    assert verify_mod._same("relu", "relu") and not verify_mod._same("relu", "tanh")
    assert not verify_mod._same("1", 1.0) and not verify_mod._same(True, "TRUE")
    assert verify_mod._same(True, True) and not verify_mod._same(True, False)
    assert verify_mod._same(None, 0.0) and verify_mod._same(None, None)
    assert not verify_mod._same(None, 1e-3) and not verify_mod._same(1.0, None)


def _comparer_bad(expected, found, slack=0.0) -> int:
    report = Report("x")
    comparer = verify_mod._Comparer(report)
    e, f = np.atleast_2d(np.asarray(expected, float)), np.atleast_2d(np.asarray(found, float))
    comparer.numbers("model", Block("b", "S", 0, 0, *e.shape, "formula"), e, f, slack)
    return report.mismatch_count


def test_comparer_tolerance_and_slack():
    assert _comparer_bad([[1.0, 100.0]], [[1.0, 100.0 * (1 + UNDER * RTOL)]]) == 0
    assert _comparer_bad([[1.0, 100.0]], [[1.0, 100.0 * (1 + OVER * RTOL) + ATOL]]) == 1
    # the floor: 1 % of the block's largest expected value, here 1
    assert _comparer_bad([[0.0, 100.0]], [[UNDER * (ATOL + RTOL), 100.0]]) == 0
    assert _comparer_bad([[0.0, 100.0]], [[OVER * (ATOL + RTOL), 100.0]]) == 1
    # a count may differ by its slack and no more
    assert _comparer_bad([[5.0]], [[7.0]], 2.0) == 0
    assert _comparer_bad([[5.0]], [[7.0]], 1.0) == 1
    assert _comparer_bad([[5.0]], [[4.0]], np.array([[1.0]])) == 0
    # non-finite: the same finding on both sides agrees, on one side it does not
    assert _comparer_bad([[np.inf, np.nan]], [[np.nan, np.inf]]) == 0
    assert _comparer_bad([[np.inf, 1.0]], [[1.0, np.nan]]) == 2


def test_allowed_and_block_floor():
    assert allowed(0.0, 0.0) == ATOL
    assert allowed(2.0, -3.0) == ATOL + RTOL * 3.0
    assert allowed(2.0, 1.0, floor=5.0) == ATOL + RTOL * 5.0
    assert tolerance.block_floor(np.array([[1.0, -400.0, np.inf, np.nan]])) == 4.0
    assert tolerance.block_floor(np.array([np.nan])) == 0.0
    assert tolerance.block_floor(np.zeros((0, 3))) == 0.0


def test_edge_ties_count_values_near_an_edge_but_not_on_it():
    edges = np.array([0.0, 0.5, 1.0, 1.0, 1.0])  # rows past Bins repeat the top edge
    tol = ATOL + RTOL * 0.01  # the floor of a block whose largest value is 1
    values = np.array([
        0.0, 0.0, 0.5, 1.0,                   # on an edge: the same everywhere, no tie
        0.9 * tol, -0.9 * tol,                # near 0 (the floor decides: 1e-11)
        0.5 + 0.9 * (ATOL + RTOL * 0.5),      # near 0.5
        1.0 - 0.9 * (ATOL + RTOL),            # near 1, counted once although 1 repeats
        1.1 * tol, 0.5 + 1.1 * (ATOL + RTOL * 0.5), 0.25,  # beyond tolerance
    ])
    assert edge_ties(values, edges) == 4.0
    assert edge_ties(values.reshape(1, -1), edges.reshape(-1, 1)) == 4.0
    assert edge_ties(values[:4], edges) == 0.0
    assert edge_ties(None, edges) == 0.0 and edge_ties(values, None) == 0.0
    assert edge_ties(values.astype(object), edges) == 0.0
    assert edge_ties(np.array([np.inf, np.nan, 0.0]), np.array([0.0, np.inf])) == 0.0


def test_zero_ties_count_values_near_zero_but_not_zero():
    # block of largest value 1: the floor 1e-2 allows 1e-12 + 1e-11 around 0
    tol = ATOL + RTOL * 0.01
    values = np.array([0.0, 0.0, 0.9 * tol, -0.9 * tol, 1.1 * tol, 1.0])
    assert zero_ties(values) == 2.0
    assert zero_ties(np.array([0.0, -0.0])) == 0.0
    assert zero_ties(None) == 0.0 and zero_ties(values.astype(object)) == 0.0


def test_the_init_experiments_slack_is_its_ties():
    # ReLU zeros on the edge at 0 make no slack; values near edges do, per layer
    exp = SMALL.__class__(samples=4, width=2, layers=2, bins=4, bin_low=-1.0, bin_high=1.0,
                          activation="relu")
    plan = of_settings(exp).plan(exp)
    edges = np.array([[-0.5], [0.0], [0.5], [1.0]])
    assert edges.shape[0] == plan.blocks["L1_edges"].rows
    z1 = np.array([[0.0, 0.0], [0.0, 0.5], [0.7, 1.0], [0.2, 0.3]])
    z2 = np.array([[0.5 + 1e-12, 0.0], [0.0, 0.1], [0.2, 0.3], [0.4, 0.6]])
    both = {"L1_edges": edges, "L2_edges": edges}  # each layer's edges (one range here)
    got = reference.slack(exp, plan, {**both, "L1_z": z1, "L2_z": z2})
    assert float(got["L1_counts"]) == 0.0 and float(got["L2_counts"]) == 1.0
    assert np.allclose(got["stat_first_bin"], [[0.0, 1 / 8]])
    assert np.allclose(got["stat_zero"], [[0.0, 0.0]])
    assert set(got) >= {"L1_counts", "L2_counts", "stat_first_bin", "stat_last_bin",
                        "stat_above", "stat_zero"}
    z2[0, 1] = 1e-13
    got = reference.slack(exp, plan, {**both, "L1_z": z1, "L2_z": z2})
    assert np.allclose(got["stat_zero"], [[0.0, 1 / 8]])
    assert float(got["L2_counts"]) == 2.0



def _values_report(expected: list, found: list) -> tuple[int, int]:
    report = Report("x")
    comparer = verify_mod._Comparer(report)
    e, f = np.array([expected], dtype=object), np.array([found], dtype=object)
    comparer.values("model", Block("b", "S", 0, 0, *e.shape, "formula"), e, f)
    return report.mismatch_count, comparer.non_finite


def test_mixed_blocks_use_the_block_floor_too():
    # a row of the Dashboard: text and numbers; the floor is 1 % of its largest number
    small = UNDER * (ATOL + RTOL * 1.0)
    assert _values_report(["relu", 100.0, 0.0], ["relu", 100.0, small]) == (0, 0)
    assert _values_report(["relu", 100.0, 0.0], ["relu", 100.0, small * OVER / UNDER]) == (1, 0)
    assert _values_report(["relu", 0.0], ["relu", OVER * ATOL]) == (1, 0)


def test_mixed_blocks_count_only_agreeing_non_finite_values():
    from sheetsim.xlsx.book import ExcelError

    num = ExcelError("#NUM!")
    assert _values_report([np.inf, "a"], [num, "a"]) == (0, 1)
    assert _values_report([np.inf, np.nan], [1.0, num]) == (1, 1)
    assert _values_report([1.0, "a"], [num, "b"]) == (2, 0)
    assert _values_report([np.inf, -np.inf, "a"], [num, num, "a"]) == (0, 2)
    assert not verify_mod._same(np.inf, 1.0) and not verify_mod._same(2.0, num)


def test_cached_numbers_as_objects_keep_empty_cells_empty():
    out = verify_mod._as_object(np.array([[np.nan, 1.5]]))
    assert out.dtype == object and out[0, 0] is None and out[0, 1] == 1.5
    same = np.array([["x"]], dtype=object)
    assert verify_mod._as_object(same) is same


def test_slack_of_both_sides_is_added():
    a = {"counts": 2.0, "share": np.array([[0.1, 0.2]])}
    b = {"counts": 3.0, "zero": np.array([[0.5]])}
    got = verify_mod._add(a, b)
    assert set(got) == {"counts", "share", "zero"}
    assert got["counts"] == 5.0
    assert np.array_equal(got["share"], [[0.1, 0.2]]) and np.array_equal(got["zero"], [[0.5]])


def test_formulas_are_recounted_on_the_files_values_each_on_its_own(tmp_path):
    # B1 is wrong in the file (5, not 2·A1); C1 = B1 + 1 is right about the file's B1.
    # Recounted on cached values, B1 gives 2 and C1 gives 6: each formula is judged on
    # what the file holds, so only B1 is reported, and C1 does not inherit B1's error
    import xlsxwriter

    path = tmp_path / "chain.xlsx"
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("S")
    ws.write_number("A1", 1.0)
    ws.write_formula("B1", "=A1*2", None, 5)
    ws.write_formula("C1", "=B1+1", None, 6)
    ws.write_formula("D1", "=S!C1+1", None, 7)
    wb.close()
    book = reader.read(path)
    blocks = [Block(n, "S", 0, c, 1, 1, "formula") for n, c in (("b", 1), ("c", 2), ("d", 3))]
    got = verify_mod._on_cached_inputs(book, blocks)
    assert {k: float(v[0, 0]) for k, v in got.items()} == {
        ("S", 0, 1): 2.0, ("S", 0, 2): 6.0, ("S", 0, 3): 7.0}
    assert verify_mod._on_cached_inputs(book, []) == {}


def test_the_report_gives_the_worst_differences():
    report = Report("x")
    comparer = verify_mod._Comparer(report)
    e = np.array([[0.5, 0.25, 0.0]])
    f = np.array([[0.5 * (1 + 4e-10), 0.25, 0.0]])
    comparer.numbers("model", Block("b", "S", 0, 0, 1, 3, "formula"), e, f)
    sheet = report.sheet("S", "model")
    assert sheet.cells == 3 and report.mismatch_count == 0
    assert sheet.worst_abs == pytest.approx(2e-10, rel=1e-6)
    assert sheet.worst_rel == pytest.approx(4e-10 / (1 + 4e-10), rel=1e-6)


def test_edge_ties_look_on_both_sides_of_an_edge_only():
    # values near an edge at 5 lie above and below it; far values are no ties
    tol = ATOL + RTOL * 5.0
    values = np.array([5.0 - 0.5 * tol, 5.0 + 0.5 * tol, 4.0, 6.0, 5.0 + 3 * tol])
    assert edge_ties(values, np.array([5.0])) == 2.0
    assert edge_ties(values, np.array([5.0, 100.0])) == 2.0


def test_the_init_experiments_slack_for_gradients():
    # |∂L/∂A| is counted against powers of ten: ties are |g| near one of them, either sign
    exp = SMALL.__class__(samples=2, width=2, layers=2, bins=4, backward=True, grad_bins=4,
                          grad_low=-2.0, grad_high=2.0)
    plan = of_settings(exp).plan(exp)
    grad_edges = np.array([[0.1], [1.0], [10.0], [100.0]])
    z = np.array([[0.2, 0.3], [0.4, 0.6]])
    g1 = np.array([[-1.0 - 1e-12, 0.0], [0.5, 10.0]])  # a tie at 1 (negative), one on 10
    g2 = np.array([[1e-13, 0.1 + 1e-12], [-0.1 + 1e-12, 3.0]])  # a near-zero, two ties at 0.1
    got = reference.slack(exp, plan, {"edges": np.array([[0.25], [0.5], [0.75], [1.0]]),
                                      "L1_z": z, "L2_z": z, "grad_edges": grad_edges,
                                      "L1_g": g1, "L2_g": g2})
    assert float(got["L1_grad_counts"]) == 1.0 and float(got["L2_grad_counts"]) == 2.0
    assert np.allclose(got["grad_stat_zero"], [[0.0, 1 / 4]])
    assert float(got["L1_counts"]) == 0.0
    got = reference.slack(exp, plan, {"L1_g": g1.astype(object), "L2_g": None})
    assert float(got["L1_grad_counts"]) == 0.0 and float(got["L2_grad_counts"]) == 0.0


def test_the_model_comparison_allows_slack_only_where_given():
    report = Report("x")
    comparer = verify_mod._Comparer(report)
    blocks = {n: Block(n, "S", r, 0, 1, 2, "formula") for r, n in enumerate("abcd")}
    evaluated = {"a": np.array([[0.5, 1.0]]), "b": np.array([[3.0, 4.0]]),
                 "d": np.array([[1.0, 2.0, 3.0]])}
    expected = {"a": np.array([[0.6, 1.0]]), "b": np.array([[4.0, 4.0]]),
                "c": np.array([[1.0, 1.0]]), "d": np.array([[1.0, 2.0]]),
                "elsewhere": np.array([[1.0]])}
    verify_mod._compare_model(comparer, blocks, evaluated, expected, {"b": 1.0})
    assert report.mismatch_count == 1  # a: 0.5 for 0.6; b is within its slack of 1
    assert [m.address for m in report.mismatches] == ["S!A1"]
    assert report.sheet("S", "model").mismatches == 1
    assert len(report.problems) == 2
    assert "block c (S!" in report.problems[0] and "not evaluated" in report.problems[0]
    assert "block d has shape (1, 3), the model (1, 2)" in report.problems[1]
    assert not report.ok


def test_mismatches_are_counted_per_sheet_and_shown_up_to_ten():
    report = Report("x")
    comparer = verify_mod._Comparer(report)
    e = np.zeros((3, 4))
    comparer.numbers("cached", Block("b", "S", 0, 0, 3, 4, "formula"), e, e + 1)
    comparer.numbers("cached", Block("c", "S", 5, 0, 1, 2, "formula"), e[:1, :2], e[:1, :2] + 1)
    assert report.sheet("S", "cached").mismatches == 14 and report.mismatch_count == 14
    assert len(report.mismatches) == verify_mod.SHOWN == 10
    assert report.mismatches[0].address == "S!A1" and report.mismatches[4].address == "S!A2"
