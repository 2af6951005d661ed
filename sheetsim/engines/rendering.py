"""One sheet (the dashboard) as LibreOffice draws it, as PDF or PNG.

The other sheets are hidden in a temporary copy (``show_only_sheet``) because hidden sheets
are not printed; the data sheets would otherwise be thousands of pages. They are still loaded
and computed, so the charts show the engine's own numbers. A PNG is page 1 of the PDF, drawn
by ``pdftoppm``.
"""

from __future__ import annotations

import html
import re
import shutil
import time
import zipfile
from pathlib import Path

from sheetsim.engines import libreoffice
from sheetsim.engines.files import check_paths, check_result, check_source, place
from sheetsim.engines.process import EngineError, exit_status, last_line, require, run, workdir

PNG_DPI = 200
"""The PNG's default resolution: one A4 landscape page is then 2339 × 1654 pixels, and the
Dashboard's table text (6.75 pt on its page) 19 pixels high, legible at 100 %."""

_SHEET_TAG_RE = re.compile(r"<(?:\w+:)?sheet\s[^>]*>")
_VIEW_TAG_RE = re.compile(r"<(?:\w+:)?workbookView\b[^>]*>")


def render(src: Path, dst: Path, timeout: float = 600, sheet: str = "Dashboard",
           dpi: int = PNG_DPI) -> Path:
    """Draw one sheet of ``src`` as LibreOffice prints it, after a full recalculation.

    ``dst`` ending in .pdf gets every page of that sheet; ending in .png it gets page 1 only
    at ``dpi`` dots per inch (the dashboard is laid out to fit one landscape page). All
    other sheets are hidden in a temporary copy, so they still compute but are not printed.
    """
    src, dst = Path(src), Path(dst)
    check_paths(src, dst, (".pdf", ".png"))
    check_source(src)
    soffice = require("libreoffice")
    pdftoppm = require("pdftoppm") if dst.suffix.lower() == ".png" else None
    deadline = time.monotonic() + timeout
    with workdir() as work:
        book = work / "book.xlsx"
        show_only_sheet(src, book, sheet)
        pdf = libreoffice.convert(soffice, book, work, libreoffice.PDF_FILTER, timeout)
        if pdftoppm is None:
            return place(pdf, dst)
        stem = work / "page"
        cmd = [pdftoppm, "-png", "-r", str(int(dpi)), "-f", "1", "-l", "1", "-singlefile",
               str(pdf), str(stem)]
        rc, err = run(cmd, "pdftoppm", deadline - time.monotonic())
        png = stem.with_suffix(".png")
        if rc != 0 or not png.is_file():
            raise EngineError(f"pdftoppm failed ({exit_status(rc)}): "
                              f"{last_line(err) or 'no message'}")
        check_result(png, "pdftoppm")
        return place(png, dst)


def show_only_sheet(src: Path, dst: Path, sheet: str) -> Path:
    """Copy the .xlsx ``src`` to ``dst`` with every sheet but ``sheet`` hidden.

    Hidden sheets are still loaded and computed (charts may refer to them) but not printed,
    and ``sheet`` becomes the active tab. Only xl/workbook.xml changes.
    """
    from sheetsim.xlsx import safezip

    src, dst = Path(src), Path(dst)
    try:
        with safezip.SafeZip(src) as z:
            z.check_sizes()
            zin = z.zf
            raw = z.read("xl/workbook.xml", safezip.MAX_TREE)
            text = safezip.as_utf8(raw, f"{src}: part xl/workbook.xml").decode("utf-8", "replace")
            text = re.sub(r"""^(\ufeff?\s*<\?xml[^>]*?encoding=)["'][^"']*["']""",
                          r'\1"UTF-8"', text, count=1)
            new = _hide_other_sheets(text, sheet, src.name)
            with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
                for info in zin.infolist():
                    entry = zipfile.ZipInfo(info.filename, info.date_time)
                    entry.compress_type = zipfile.ZIP_DEFLATED
                    if info.filename == "xl/workbook.xml":
                        zout.writestr(entry, new.encode("utf-8"))
                        continue
                    entry.file_size = info.file_size  # decides ZIP64 up front
                    with zin.open(info) as fin, zout.open(entry, "w") as fout:
                        shutil.copyfileobj(fin, fout, 1 << 20)
    except safezip.ReadError as exc:
        raise EngineError(str(exc)) from None
    except (zipfile.BadZipFile, KeyError, EOFError, OSError) as exc:
        raise EngineError(f"{src.name} is not an .xlsx workbook ({exc})") from None
    return dst


def _hide_other_sheets(text: str, sheet: str, label: str) -> str:
    """workbook.xml with every sheet but ``sheet`` hidden and ``sheet`` the active tab.

    Only the ``sheet`` and ``workbookView`` tags change; they are edited as text, so the rest
    of the part is kept as it was written.
    """
    tags = [(m, html.unescape(_attr(m.group(0), "name") or "")) for m in
            _SHEET_TAG_RE.finditer(text)]
    names = [name for _, name in tags]
    if sheet not in names:
        raise EngineError(f"{label} has no sheet {sheet!r} (sheets: {', '.join(names)})")
    index = names.index(sheet)

    def fix_sheet(m: re.Match[str]) -> str:
        tag = re.sub(r'\sstate="[^"]*"', "", m.group(0))
        if html.unescape(_attr(tag, "name") or "") == sheet:
            return tag
        return re.sub(r"^(<(?:\w+:)?sheet)\s", r'\1 state="hidden" ', tag)

    def fix_view(m: re.Match[str]) -> str:
        tag = re.sub(r'\s(?:activeTab|firstSheet)="[^"]*"', "", m.group(0))
        return re.sub(r"^(<(?:\w+:)?workbookView)\b", rf'\1 activeTab="{index}"', tag)

    text = _SHEET_TAG_RE.sub(fix_sheet, text)
    return _VIEW_TAG_RE.sub(fix_view, text)


def _attr(tag: str, name: str) -> str | None:
    m = re.search(rf'\s{name}="([^"]*)"', tag)
    return m.group(1) if m else None
