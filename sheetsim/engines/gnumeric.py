"""Gnumeric headless: ``ssconvert --recalc`` loads a workbook, recalculates it and saves .xlsx."""

from __future__ import annotations

import os
from pathlib import Path

from sheetsim.engines.files import engine_result
from sheetsim.engines.process import run


def convert(exe: str, book: Path, work: Path, timeout: float) -> Path:
    """``ssconvert --recalc``; the importer is forced so a broken file fails, not reads as text.

    Writes ``work/out.xlsx`` and returns it once checked. Gnumeric's settings go to memory
    only, so the user's own are left alone.
    """
    out = work / "out.xlsx"
    cmd = [exe, "--recalc", "-T", "Gnumeric_Excel:xlsx2"]
    if book.suffix == ".xlsx":
        cmd += ["-I", "Gnumeric_Excel:xlsx"]
    cmd += [str(book), str(out)]
    env = dict(os.environ, GSETTINGS_BACKEND="memory")  # leave the user's settings alone
    rc, err = run(cmd, "Gnumeric", timeout, cwd=work, env=env)
    return engine_result(out, rc, err, "Gnumeric")
