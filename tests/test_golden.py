"""Every experiment's default workbook and every preset's workbook have the SHA-256 that
``tests/golden.json`` records: a change meant to keep the output proves it kept every byte.

Builds are deterministic (same settings, same bytes), so a difference is a changed workbook.
A change meant to change a workbook records the new digest with ``bench/golden.py
--update NAME``; the test's failure message says so.
"""

from __future__ import annotations

import pytest

from .helpers import GOLDEN_UPDATE, golden_digest, golden_workbooks, read_golden

BOOKS = list(golden_workbooks())


def test_the_golden_file_names_every_default_and_preset():
    recorded, books = set(read_golden()), set(BOOKS)
    assert recorded == books, (
        f"no golden SHA-256 for {sorted(books - recorded)}, one for unknown workbooks "
        f"{sorted(recorded - books)}: run `{GOLDEN_UPDATE}`")


@pytest.mark.slow
@pytest.mark.parametrize("name", BOOKS)
def test_the_workbook_has_its_golden_sha256(name, tmp_path):
    want = read_golden().get(name)
    got = golden_digest(name, tmp_path)
    assert got == want, (
        f"{name}.xlsx has SHA-256 {got}, tests/golden.json records {want}. If the change "
        f"of its bytes is intended, record it with `{GOLDEN_UPDATE} {name}`")
