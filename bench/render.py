"""How long ``sheetsim render`` takes beside its floor, and where its time goes, in one run.

The floor is LibreOffice started through UNO (a fresh soffice with a throwaway profile that
never recalculates on load), loading the workbook and exporting the Dashboard sheet alone as
PDF: the least any render of the Dashboard can do. It is written here, apart from sheetsim's
own code (a short UNO script run by Debian's python3), so it measures LibreOffice and nothing
of what it is compared with; it ends soffice once the PDF is written, without closing the
document (which takes seconds on a big workbook), as render does. Render is ``sheetsim render
FILE -o OUT.png -q`` in a child process, start-up and imports included (it too loads without
recalculation). Every repetition runs render and the floor once each, one after the other, so a
change of load on the shared machine hits both alike. Medians and the spread (min–max) of
``--reps`` runs, and render ÷ floor; ``--recalc`` adds the floor with a profile that
recalculates on load (what ``render --recalc`` asks for), to show what the recalculation costs.
The profile of render (seconds to LibreOffice's start, the load, the export, the PNG) comes
from one more run through the Python API with a progress callback.

    python bench/render.py                           # compare (default size) and relu-std1
    python bench/render.py --books compare --reps 5 --recalc
    python bench/render.py --file output/compare.xlsx --reps 1

Nothing is asserted; no test times anything. Needs LibreOffice, python3-uno and pdftoppm.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SYSTEM_PYTHON = "/usr/bin/python3"
BOOKS: dict[str, list[str]] = {
    "compare": ["build", "compare"],
    "relu-std1": ["build", "--preset", "relu-std1"],
}
"""The workbooks timed by default: a name and the ``sheetsim`` arguments that build it."""

FLOOR_CLIENT = r'''
import json, sys, time, uno
from com.sun.star.beans import PropertyValue

def prop(name, value):
    p = PropertyValue(); p.Name, p.Value = name, value; return p

pipe, book, pdf, started = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
local = uno.getComponentContext()
resolver = local.ServiceManager.createInstanceWithContext(
    "com.sun.star.bridge.UnoUrlResolver", local)
while True:
    try:
        ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
        break
    except Exception:
        if time.time() - started > 120:
            raise
        time.sleep(0.05)
desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
connected = time.time()
doc = None
while doc is None:  # a soffice that has just started may not load yet
    try:
        doc = desktop.loadComponentFromURL("file://" + book, "_blank", 0,
                                           (prop("Hidden", True),))
    except Exception:
        if time.time() - connected > 120:
            raise
        time.sleep(0.2)
    if doc is None and time.time() - connected > 120:
        sys.exit("soffice did not load the workbook within 120 s")
loaded = time.time()
data = uno.Any("[]com.sun.star.beans.PropertyValue",
               (prop("Selection", doc.Sheets.getByName("Dashboard")),))
doc.storeToURL("file://" + pdf, (prop("FilterName", "calc_pdf_Export"),
                                 prop("FilterData", data)))
exported = time.time()
print(json.dumps({"start": connected - started, "load": loaded - connected,
                  "export": exported - loaded}))
'''

PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" \
oor:op="fuse"><value>{mode}</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Misc"><prop oor:name="FirstRun" \
oor:op="fuse"><value>false</value></prop></item>
</oor:items>
"""


def uptime() -> str:
    """The load averages, as ``uptime`` prints them."""
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def floor(book: Path, recalc: bool = False) -> tuple[float, dict[str, float]]:
    """Seconds of the floor (soffice start to PDF written) and its split."""
    soffice = shutil.which("soffice") or "soffice"
    with tempfile.TemporaryDirectory(prefix="bench-render-") as work:
        user = Path(work, "profile", "user")
        user.mkdir(parents=True)
        (user / "registrymodifications.xcu").write_text(PROFILE.format(mode=0 if recalc else 1))
        pipe = "bench_render_" + Path(work).name.replace("-", "_")
        pdf = Path(work, "dash.pdf")
        client = Path(work, "floor.py")
        client.write_text(FLOOR_CLIENT)
        started = time.time()
        t = time.perf_counter()
        office = subprocess.Popen(
            [soffice, f"-env:UserInstallation={Path(work, 'profile').as_uri()}", "--headless",
             "--invisible", "--nodefault", "--norestore", "--nologo", "--nolockcheck",
             f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=work,
            start_new_session=True)
        try:
            out = subprocess.run([SYSTEM_PYTHON, str(client), pipe, str(book), str(pdf),
                                  str(started)], capture_output=True, text=True, check=True,
                                 timeout=1800).stdout
            seconds = time.perf_counter() - t
        finally:
            os.killpg(office.pid, 9)
            office.wait()
        if not pdf.is_file():
            raise SystemExit("the floor wrote no PDF")
        return seconds, json.loads(out)


def render(book: Path, out: Path) -> float:
    """Seconds of ``sheetsim render BOOK -o OUT.png -q`` in a child process."""
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "sheetsim", "render", str(book), "-o", str(out),
                    "-q"], check=True, cwd=ROOT)
    return time.perf_counter() - t


def render_profile(book: Path, out: Path) -> dict[str, float]:
    """Seconds of each stage of one render through the API (its progress callback)."""
    from sheetsim import engines

    marks: list[tuple[str, float]] = [("checking the file", time.perf_counter())]

    def tell(stage: str) -> None:
        if stage != marks[-1][0]:
            marks.append((stage, time.perf_counter()))

    engines.render(book, out, progress=tell)
    marks.append(("", time.perf_counter()))
    return {name: round(marks[i + 1][1] - t, 2) for i, (name, t) in enumerate(marks[:-1])}


def spread(values: list[float]) -> str:
    """``median (min–max)`` in seconds."""
    return f"{statistics.median(values):.1f} s ({min(values):.1f}–{max(values):.1f})"


def bench(name: str, book: Path, reps: int, recalc: bool, say: Callable[[str], None]) -> str:
    """Render and the floor(s) on ``book``, interleaved; one Markdown table row."""
    size = book.stat().st_size / 1e6
    times: dict[str, list[float]] = {"render": [], "floor": [], "floor+recalc": []}
    splits: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-render-out-") as folder:
        for rep in range(reps):
            times["render"].append(render(book, Path(folder, "r.png")))
            seconds, splits["floor"] = floor(book)
            times["floor"].append(seconds)
            if recalc:
                seconds, splits["floor+recalc"] = floor(book, recalc=True)
                times["floor+recalc"].append(seconds)
            say(f"{name} rep {rep + 1}: " + ", ".join(
                f"{k} {v[-1]:.1f} s" for k, v in times.items() if v))
        profile = render_profile(book, Path(folder, "p.png"))
    ratio = statistics.median(times["render"]) / statistics.median(times["floor"])
    cells = [name, f"{size:.0f} MB", spread(times["render"]), spread(times["floor"]),
             f"{ratio:.2f}×"]
    if recalc:
        cells.append(spread(times["floor+recalc"]))
    split = ", ".join(f"{k} {v:.1f}" for k, v in splits["floor"].items())
    stages = ", ".join(f"{k} {v:.1f}" for k, v in profile.items())
    return "| " + " | ".join(cells) + f" | {stages} | {split} |"


def main() -> int:
    """Build the workbooks, time them, print the table; the exit status."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--books", default=",".join(BOOKS),
                    help=f"Workbooks to build and time (of {', '.join(BOOKS)}).")
    ap.add_argument("--file", type=Path, action="append", default=[],
                    help="Time this workbook instead (repeatable).")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--recalc", action="store_true",
                    help="Also time the floor with recalculation on load.")
    args = ap.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # clean-ups run, soffice ends

    def say(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True, cwd=ROOT).stdout.strip()
    start_load = uptime()
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-render-books-") as folder:
        books = [(f.stem, f.resolve()) for f in args.file]
        for name in ([] if args.file else args.books.split(",")):
            if name not in BOOKS:
                ap.error(f"unknown book {name!r}; choose from {', '.join(BOOKS)}")
            path = Path(folder, f"{name}.xlsx")
            subprocess.run([sys.executable, "-m", "sheetsim", *BOOKS[name], "-o", str(path),
                            "-q"], check=True, cwd=ROOT)
            books.append((name, path))
        for name, path in books:
            rows.append(bench(name, path, args.reps, args.recalc, say))
    head = ["workbook", "size", "render", "floor", "render ÷ floor"]
    if args.recalc:
        head.append("floor with recalculation")
    head += ["render's stages, one run (s)", "floor's split, last run (s)"]
    print(f"commit {commit}; {args.reps} repetitions; medians (min–max)\n")
    print("| " + " | ".join(head) + " |")
    print("|" + " --- |" * len(head))
    print("\n".join(rows))
    print(f"\nload at the start: {start_load}\nload at the end:   {uptime()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
