"""The part of rendering that speaks UNO, run by Debian's ``/usr/bin/python3``.

``rendering.render`` starts soffice and then this file as a script::

    /usr/bin/python3 render_uno.py REQUEST.json REPORT.json

It connects to that soffice through its named pipe, opens the workbook hidden and exports a
PDF of the sheet asked for (the export's ``Selection``: the file is not copied or changed,
and the other sheets still compute), or of every visible sheet. While
it works it writes the stage under way as the last line of ``status`` (``loading``,
``exporting``), for the caller's progress. The report holds the seconds of each stage. Any
failure is one line on stderr and exit status 2.

It imports the standard library, ``uno`` (inside the functions that need it) and
``interactive_uno``'s connection helpers.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: the repository instead of this folder
    sys.path[0] = str(Path(__file__).resolve().parents[2])
from sheetsim.engines.interactive_uno import SessionError, connect, load, prop  # noqa: E402

PDF_FILTER = "calc_pdf_Export"


def pdf_options(doc: Any, sheet: str | None) -> tuple[Any, ...]:
    """The store arguments of a PDF of ``sheet`` alone (its page setup and print area as
    the file has them), or of every visible sheet; SessionError if there is no ``sheet``."""
    import uno

    options = [prop("FilterName", PDF_FILTER)]
    if sheet is not None:
        names = list(doc.Sheets.getElementNames())
        if sheet not in names:
            raise SessionError(f"no sheet {sheet!r} (sheets: {', '.join(names)})")
        data = (prop("Selection", doc.Sheets.getByName(sheet)),)
        options.append(prop("FilterData",
                            uno.Any("[]com.sun.star.beans.PropertyValue", data)))
    return tuple(options)


def export(request: Mapping[str, Any]) -> dict[str, Any]:
    """Connect, load, keep the sheet asked for (or all), export the PDF; the report.

    ``request`` holds the pipe, the workbook (``book``), the PDF to write (``pdf``), the
    sheet (``sheet``, or None for every visible sheet), the seconds to wait for soffice
    (``connect_seconds``) and the status file (``status``).
    """
    status = Path(request["status"])

    def stage(name: str) -> None:
        with status.open("a", encoding="utf-8") as fh:
            fh.write(name + "\n")

    seconds: dict[str, float] = {}
    t = time.perf_counter()
    context = connect(request["pipe"], request["connect_seconds"])
    desktop = context.ServiceManager.createInstanceWithContext(
        "com.sun.star.frame.Desktop", context
    )
    seconds["connect"] = time.perf_counter() - t
    stage("loading")
    t = time.perf_counter()
    doc = load(desktop, Path(request["book"]), min(request["connect_seconds"], 60.0))
    seconds["load"] = time.perf_counter() - t
    options = pdf_options(doc, request["sheet"])
    stage("exporting")
    t = time.perf_counter()
    doc.storeToURL(Path(request["pdf"]).resolve().as_uri(), options)
    seconds["export"] = time.perf_counter() - t
    # The document is not closed: closing a big workbook takes seconds, and the caller
    # ends this soffice, with its throwaway profile, as soon as the PDF is written.
    return {"seconds": {k: round(v, 3) for k, v in seconds.items()}}


def main(argv: Sequence[str]) -> int:
    """``REQUEST.json REPORT.json``: export as the request says, write the report."""
    if len(argv) != 2:
        sys.stderr.write("usage: render_uno.py REQUEST.json REPORT.json\n")
        return 2
    try:
        request = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
        report = export(request)
        Path(argv[1]).write_text(json.dumps(report), encoding="utf-8")
    except Exception as exc:  # SessionError, or a UNO exception: one line, no traceback
        message = getattr(exc, "Message", "") or str(exc) or type(exc).__name__
        sys.stderr.write(message.splitlines()[0] + "\n")
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
