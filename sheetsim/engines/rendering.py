"""A workbook as LibreOffice prints it, as PDF or PNG: one sheet, or every sheet (a handout).

soffice starts headless with a throwaway profile, listening on a private named pipe;
``render_uno`` (under Debian's python3, which has ``uno``) opens the workbook hidden and
exports the PDF of the sheet asked for, or of every visible sheet. Nothing is rewritten: the
file is only copied into a private folder. By default the profile says never to recalculate
on load, as LibreOffice opens an .xlsx for a person: plain formulas show the file's cached
values, and the array formulas a chart reads are computed as it is drawn. ``recalc=True``
recalculates every formula on load first (the engine's own numbers everywhere; about 1.3
times as long on the default compare workbook, ``bench/render.py --recalc``). A PNG is
page 1 of the PDF, drawn by ``pdftoppm``.
"""

from __future__ import annotations

import html
import json
import os
import re
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

from sheetsim import atomic
from sheetsim.engines.files import check_paths, check_result, check_source, copy_in, place
from sheetsim.engines.process import (
    EngineError,
    EngineMissing,
    exit_status,
    last_line,
    require,
    run,
    started,
    workdir,
)
from sheetsim.engines.soffice import options, profile

PNG_DPI = 200
"""The PNG's default resolution: one A4 landscape page is then 2339 × 1654 pixels, and the
Dashboard's table text (6.75 pt on its page) 19 pixels high, legible at 100 %."""
DASHBOARD = "Dashboard"
"""The sheet a PNG shows when none is named."""

UNO_CLIENT = Path(__file__).with_name("render_uno.py")
"""The script that speaks UNO, run by Debian's python3 (it is not imported here)."""

_SHEET_TAG_RE = re.compile(r"<(?:\w+:)?sheet\s[^>]*>")
_STAGES = {"loading": "loading in LibreOffice", "exporting": "exporting the PDF"}


def render(src: Path, dst: Path, timeout: float = 600, sheet: str | None = None,
           dpi: int = PNG_DPI, progress: Callable[[str], None] | None = None,
           recalc: bool = False) -> Path:
    """Draw ``src`` as LibreOffice prints it once it has opened it (after a full
    recalculation with ``recalc``).

    ``dst`` ending in .pdf gets every page of ``sheet``, or of every visible sheet in order
    when ``sheet`` is None (a handout); ending in .png it gets page 1 of ``sheet`` (default
    the Dashboard) at ``dpi`` dots per inch. ``progress`` is told each stage.
    """
    src, dst = Path(src), Path(dst)
    check_paths(src, dst, (".pdf", ".png"))
    png = dst.suffix.lower() == ".png"
    if png and sheet is None:
        sheet = DASHBOARD
    check_source(src)
    if sheet is not None:
        names = sheet_names(src)
        if sheet not in names:
            raise EngineError(f"{src.name} has no sheet {sheet!r} to draw (sheets: "
                              f"{', '.join(names)})")
    from sheetsim.engines.interactive import SYSTEM_PYTHON, uno_available

    soffice = require("libreoffice")
    pdftoppm = require("pdftoppm") if png else None
    if not uno_available():
        raise EngineMissing(f"python3-uno not found ({SYSTEM_PYTHON} cannot import uno): "
                            "apt-get install python3-uno")
    tell = progress or (lambda _stage: None)
    deadline = time.monotonic() + timeout
    with atomic.signals_raise(), workdir() as work:  # SIGTERM unwinds through the clean-up
        pdf = _export(soffice, copy_in(src, work), work, sheet, recalc, deadline, tell)
        if pdftoppm is None:
            return place(pdf, dst)
        tell("drawing the PNG")
        stem = work / "page"
        cmd = [pdftoppm, "-png", "-r", str(int(dpi)), "-f", "1", "-l", "1", "-singlefile",
               str(pdf), str(stem)]
        rc, err = run(cmd, "pdftoppm", deadline - time.monotonic())
        image = stem.with_suffix(".png")
        if rc != 0 or not image.is_file():
            raise EngineError(f"pdftoppm failed ({exit_status(rc)}): "
                              f"{last_line(err) or 'no message'}")
        check_result(image, "pdftoppm")
        return place(image, dst)


def _export(soffice: str, book: Path, work: Path, sheet: str | None, recalc: bool,
            deadline: float, tell: Callable[[str], None]) -> Path:
    """The PDF of ``book`` (``sheet`` alone, or every visible sheet), checked, in ``work``."""
    pipe = work.name.replace("-", "_")  # sheetsim_PID_RANDOM: private to this run
    tmp = work / "tmp"  # soffice's own temporary files, removed with the folder
    tmp.mkdir()
    env = dict(os.environ, TMPDIR=str(tmp), TMP=str(tmp), TEMP=str(tmp))
    cmd = [soffice, *options(profile(work, recalc_on_load=recalc)), "--invisible", "--nodefault",
           f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext"]
    pdf, status = work / "book.pdf", work / "status.txt"
    request = {"pipe": pipe, "book": str(book), "pdf": str(pdf), "sheet": sheet,
               "status": str(status),
               "connect_seconds": max(1.0, min(120.0, deadline - time.monotonic()))}
    (work / "request.json").write_text(json.dumps(request), encoding="utf-8")

    def follow() -> None:
        said = status.read_text(encoding="utf-8").split() if status.is_file() else []
        if said:
            tell(_STAGES.get(said[-1], said[-1]))

    from sheetsim.engines.interactive import SYSTEM_PYTHON

    tell("starting LibreOffice")
    with started(cmd, "soffice", cwd=work, log=work / "soffice.log", env=env) as office:
        client = [SYSTEM_PYTHON, str(UNO_CLIENT), "request.json", "report.json"]
        rc, err = run(client, "LibreOffice", deadline - time.monotonic(), cwd=work,
                      beside=office, tick=follow)
    if rc != 0:
        raise EngineError(f"LibreOffice: {last_line(err) or exit_status(rc)}")
    if not pdf.is_file():
        raise EngineError("LibreOffice wrote no PDF")
    check_result(pdf, "LibreOffice")
    return pdf


def sheet_names(src: Path) -> list[str]:
    """The names of the sheets the .xlsx ``src`` shows (hidden ones left out), in order,
    from xl/workbook.xml."""
    from sheetsim.xlsx import safezip

    try:
        with safezip.SafeZip(src) as z:
            raw = z.read("xl/workbook.xml", safezip.MAX_TREE)
    except safezip.ReadError as exc:
        raise EngineError(str(exc)) from None
    except (zipfile.BadZipFile, KeyError, OSError) as exc:
        raise EngineError(f"{src.name} is not an .xlsx workbook ({exc})") from None
    text = raw.decode("utf-8", "replace")
    return [html.unescape(m.group(1)) for tag in _SHEET_TAG_RE.finditer(text)
            if (m := re.search(r'\sname="([^"]*)"', tag.group(0)))
            and not re.search(r'\sstate="(?:hidden|veryHidden)"', tag.group(0))]
