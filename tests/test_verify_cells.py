"""Single formula cells compared together must report exactly what comparing each one as a
1×1 block reports: counts, worst differences, non-finite agreements, mismatches in order."""

from __future__ import annotations

import numpy as np

from sheetsim.check.report import Report
from sheetsim.check.verify import CHECK_CACHED, _Comparer
from sheetsim.xlsx.cells import Block, cell

PAIRS = [  # (evaluated, stored)
    (1.0, 1.0), (1.0, 1.0 + 1e-12), (1.0, 1.1), (0.0, 0.0), (0.0, 1e-300), (1e-9, 2e-9),
    (np.nan, np.nan), (np.inf, np.nan), (np.inf, 1.0), (1.0, np.inf), (np.nan, 0.0),
    (0.0, np.nan), (-5.0, -5.0000001), (1e300, 1e300 * (1 + 1e-15)), (-0.0, 0.0),
    (3.0, -3.0), (np.nan, 1.0), (2.0, 2.0), (7.0, 8.0), (1e-20, 0.0), (5.0, 5.5),
    (6.0, 6.5), (8.0, 8.5), (9.0, 9.5), (10.0, 10.5), (11.0, 11.5), (12.0, 12.5),
]


def test_cells_at_once_report_what_one_by_one_reports() -> None:
    one, many = _Comparer(Report("a")), _Comparer(Report("b"))
    at = [(3 + i, 1 + i % 2) for i in range(len(PAIRS))]
    for (row, col), (e, f) in zip(at, PAIRS, strict=True):
        block = Block(f"S!{cell(row, col)}", "S", row, col, 1, 1, "formula")
        one.numbers(CHECK_CACHED, block, np.array([[e]]), np.array([[f]]))
    evaluated, stored = (np.array(x) for x in zip(*PAIRS, strict=True))
    many.cells(CHECK_CACHED, "S", at, evaluated, stored)
    a, b = one.report, many.report
    assert a.mismatch_count == b.mismatch_count >= 12  # more than the ten shown
    assert list(a.sheets.values()) == list(b.sheets.values())
    assert len(a.mismatches) == 10
    assert [repr(m) for m in a.mismatches] == [repr(m) for m in b.mismatches]  # NaN ≠ NaN
    assert one.non_finite == many.non_finite == 2
    assert a.mismatches[0].address == "S!B6"  # 1.0 against 1.1, the first that disagrees


def test_a_block_whose_cells_share_results_with_neighbours_is_assembled(tmp_path) -> None:
    """An optimizer lab with Adam alone: the Plateau block's step-0 cells of m and v are
    equal neighbouring formulas that the evaluator answers as one result; the block is
    still judged cell by cell, and a tampered cell in it is still caught."""
    from sheetsim import experiments
    from sheetsim.build import writer
    from sheetsim.check import verify

    from .helpers import set_cached

    lab = experiments.get("descent")
    for chosen in ("adam", "sgd,adam"):
        book = tmp_path / f"{chosen.replace(',', '-')}.xlsx"
        settings = experiments.resolve(lab, flags={"optimizers": chosen, "steps": 5})
        writer.build(settings, book, lab)
        report = verify.verify(book)
        assert report.ok, (chosen, report.render())
    plateau = lab.plan(settings).blocks["plateau_runs"]
    set_cached(book, plateau.sheet, cell(plateau.row + 3, plateau.col + 1), "12.5")
    assert not verify.verify(book).ok
