"""Drive LibreOffice Calc interactively through UNO: set controls, recalculate, dump values.

This reproduces what a person does in Calc: open a workbook *without* recalculation on load
(the cached values are shown), change a control (a defined name such as ``Activation`` or a
cell such as ``Controls!B5``), and let LibreOffice recalculate the dirty cells only
(``calculate()``, what AutoCalculate and F9 do). It then reads the value of every formula
cell, runs a hard recalculation (``calculateAll()``, Ctrl+Shift+F9) and reads them again.
A cell whose value differs between the two reads was *stale*: LibreOffice did not know it
depended on the change.

Run it with Debian's ``/usr/bin/python3`` (``python3-uno``); it needs only the standard
library and ``uno``. Started by another interpreter that lacks ``uno``, it re-executes itself
under ``/usr/bin/python3``.

    /usr/bin/python3 sheetsim/engines/interactive.py BOOK.xlsx --steps STEPS.json [--sheets S1,S2]
                                       [--diff-only] [--timeout 300] [-o OUT.json]

``STEPS.json`` (a file, ``-`` for stdin, or the JSON text itself) is a list of steps::

    [{"label": "relu", "set": {"Activation": "relu"}},
     {"label": "bins", "set": {"Bins": 10, "Controls!B9": 0.5}},
     {"label": "F9", "calculate_all": false},
     {"label": "save", "set": {}, "save": "/tmp/after-f9.xlsx"}]

Each step: ``set`` the named cells (numbers with ``setValue``, strings with ``setString``,
strings starting with ``=`` with ``setFormula``), then ``calculate()`` unless
``"calculate": false``, then read every formula cell (``after_calculate``), then, unless
``"calculate_all": false``, ``calculateAll()`` and read again (``after_calculate_all``) and
list the cells that differ (``stale``). ``"read": false`` skips both reads (and the
comparison): reading interprets every cell LibreOffice left dirty at load, which heals the
staleness this tool looks for, so a sequence of unread changes is a different experiment.
``"save": PATH`` stores the workbook as .xlsx right after ``calculate()`` (before
``calculateAll()``). A step with neither ``set`` nor anything else is a plain F9.

The JSON written to stdout (or ``-o``)::

    {"file": ..., "libreoffice": "7.4.7.2", "autocalc": true,
     "seconds": {"start": s, "load": s},
     "initial": DUMP,                                # with --initial
     "steps": [{"label": ..., "set": {...},
                "seconds": {"set": s, "calculate": s, "read": s, "calculate_all": s},
                "after_calculate": DUMP, "after_calculate_all": DUMP,   # not with --diff-only
                "stale_count": n, "stale": {"Sheet": {"D7": [after_calculate,
                                                           after_calculate_all]}}}]}

A DUMP maps each sheet to a list of blocks ``{"range": "B3:CW1002", "values": [[...]]}``
covering exactly its formula cells; a value is a float, a string, or ``{"error": "#NUM!"}``.
``expand(dump)`` turns one into ``{sheet: {"B3": value}}``.

soffice runs headless with a private throwaway profile (``OOXMLRecalcMode`` = 1, never
recalculate on load, so the file's cached values are what is loaded), listening on a
private named pipe. Whatever happens (an error, the time limit, Ctrl-C, SIGTERM) the whole
soffice process group is killed and the profile removed. Exit status: 0 success, 2 bad
input or an engine failure (one line on stderr), 124 time limit, 130 Ctrl-C, 143 SIGTERM.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeAlias

if __package__ in (None, ""):  # run as a script, by Debian's python3: find sheetsim.xlsx
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from sheetsim.xlsx.cells import cell, parse_range, span  # noqa: E402  (stdlib only)

try:
    import uno
except ImportError:  # not Debian's python3; main() re-executes under /usr/bin/python3
    uno = None

SYSTEM_PYTHON = "/usr/bin/python3"
PROG = "sheetsim interactive"

Value: TypeAlias = "float | str | dict[str, str] | None"
Dump: TypeAlias = "dict[str, list[dict[str, Any]]]"

# com.sun.star.sheet.CellFlags.FORMULA and com.sun.star.sheet.FormulaResult.ERROR
_CELL_FORMULA = 16
_RESULT_ERROR = 4

# OOXMLRecalcMode / ODFRecalcMode: 0 always recalculate on load, 1 never, 2 ask.
_PROFILE_XCU = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" \
oor:op="fuse"><value>1</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" \
oor:op="fuse"><value>1</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Misc"><prop oor:name="FirstRun" \
oor:op="fuse"><value>false</value></prop></item>
</oor:items>
"""

EXIT_ERROR, EXIT_TIMEOUT, EXIT_INT, EXIT_TERM = 2, 124, 130, 143


class DriverError(Exception):
    """Bad input or an engine failure; the message is one line."""


@dataclass
class Step:
    """One interaction: set cells, calculate(), read, calculateAll(), read."""

    label: str
    values: dict[str, float | str] = field(default_factory=dict)
    calculate: bool = True
    read: bool = True
    calculate_all: bool = True
    save: str | None = None

    @classmethod
    def parse(cls, raw: Any, index: int) -> Step:
        """A step from its JSON object; raises DriverError on anything unexpected."""
        if not isinstance(raw, dict):
            raise DriverError(f"step {index}: expected an object, got {type(raw).__name__}")
        unknown = set(raw) - {"label", "set", "calculate", "read", "calculate_all", "save"}
        if unknown:
            raise DriverError(f"step {index}: unknown keys {sorted(unknown)}")
        values = raw.get("set", {})
        if not isinstance(values, dict) or not all(
            isinstance(v, (int, float, str)) and not isinstance(v, bool) for v in values.values()
        ):
            raise DriverError(f"step {index}: 'set' must map names to numbers or strings")
        label = raw.get("label") or (
            ", ".join(f"{k}={v}" for k, v in values.items()) if values else "F9"
        )
        save = raw.get("save")
        return cls(
            label=str(label),
            values={str(k): v for k, v in values.items()},
            calculate=bool(raw.get("calculate", True)),
            read=bool(raw.get("read", True)),
            calculate_all=bool(raw.get("calculate_all", True)),
            save=None if save is None else str(save),
        )


# --------------------------------------------------------------------------- the engine


class Office:
    """A private headless soffice, its UNO connection, and guaranteed clean-up.

    Use as a context manager: on exit the document is closed, soffice asked to terminate,
    then its whole process group killed, and the throwaway profile removed.
    """

    def __init__(self, soffice: str, connect_timeout: float,
                 watchdog: Watchdog | None = None) -> None:
        self.soffice = soffice
        self.connect_timeout = connect_timeout
        self.watchdog = watchdog
        self.workdir = Path(tempfile.mkdtemp(prefix="sheetsim-interactive-"))
        self.pipe = f"sheetsim_interactive_{os.getpid()}_{self.workdir.name.rsplit('-', 1)[-1]}"
        self.proc: subprocess.Popen[bytes] | None = None
        self.desktop: Any = None
        self.context: Any = None

    def __enter__(self) -> Office:
        try:
            self._start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _start(self) -> None:
        user = self.workdir / "profile" / "user"
        user.mkdir(parents=True)
        (user / "registrymodifications.xcu").write_text(_PROFILE_XCU, encoding="utf-8")
        cmd = [
            self.soffice,
            f"-env:UserInstallation={(self.workdir / 'profile').as_uri()}",
            "--headless", "--invisible", "--nologo", "--norestore", "--nodefault",
            "--nolockcheck", "--nofirststartwizard",
            f"--accept=pipe,name={self.pipe};urp;StarOffice.ComponentContext",
        ]
        tmp = self.workdir / "tmp"  # soffice's own temporary files, removed with the rest
        tmp.mkdir()
        env = dict(os.environ, TMPDIR=str(tmp), TMP=str(tmp), TEMP=str(tmp))
        log = open(self.workdir / "soffice.log", "wb")  # a file, never a pipe we must drain
        try:
            self.proc = subprocess.Popen(
                cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=log, cwd=self.workdir,
                env=env, start_new_session=True,
            )
        except OSError as exc:
            raise DriverError(f"cannot start {self.soffice}: {exc.strerror or exc}") from None
        finally:
            log.close()
        if self.watchdog is not None:
            self.watchdog.guard(self.proc.pid)
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext(
            "com.sun.star.bridge.UnoUrlResolver", local
        )
        url = f"uno:pipe,name={self.pipe};urp;StarOffice.ComponentContext"
        deadline = time.monotonic() + self.connect_timeout
        while True:
            try:
                self.context = resolver.resolve(url)
                break
            except Exception as exc:  # NoConnectException until soffice listens
                if self.proc.poll() is not None:
                    raise DriverError(
                        f"soffice exited ({self.proc.returncode}) before accepting a connection"
                    ) from None
                if time.monotonic() > deadline:
                    raise DriverError(
                        f"soffice did not accept a connection within {self.connect_timeout:g} s"
                    ) from exc
                time.sleep(0.1)
        self.desktop = self.context.ServiceManager.createInstanceWithContext(
            "com.sun.star.frame.Desktop", self.context
        )

    def version(self) -> str:
        """LibreOffice's version as ``7.4.7.2``, or "" if it cannot be read."""
        try:
            provider = self.context.ServiceManager.createInstanceWithContext(
                "com.sun.star.configuration.ConfigurationProvider", self.context
            )
            access = provider.createInstanceWithArguments(
                "com.sun.star.configuration.ConfigurationAccess",
                (_prop("nodepath", "/org.openoffice.Setup/Product"),),
            )
            return str(access.getByName("ooSetupVersionAboutBox"))
        except Exception:
            return ""

    def load(self, path: Path) -> Any:
        """Open ``path`` hidden; the profile says never to recalculate on load.

        A soffice that has just started accepts connections before it is ready, and
        ``loadComponentFromURL`` then returns nothing or fails ("type detection failed",
        seen with two sessions starting at once): try again until the connect time limit.
        """
        url = path.resolve().as_uri()
        props = (_prop("Hidden", True), _prop("ReadOnly", False))
        deadline = time.monotonic() + min(self.connect_timeout, 60.0)
        while True:
            problem = "no document"
            try:
                doc = self.desktop.loadComponentFromURL(url, "_blank", 0, props)
            except Exception as exc:  # "type detection failed" while soffice is starting
                doc, problem = None, getattr(exc, "Message", "") or str(exc)
            if doc is not None and hasattr(doc, "calculateAll"):
                return doc
            if doc is not None:
                with contextlib.suppress(Exception):
                    doc.close(True)
                raise DriverError(f"LibreOffice did not open {path} as a spreadsheet")
            if time.monotonic() > deadline:
                raise DriverError(f"LibreOffice could not open {path}: {problem.splitlines()[0]}")
            time.sleep(0.5)

    def close(self) -> None:
        """Terminate soffice (politely, then its whole process group) and remove the profile."""
        if self.desktop is not None:
            with contextlib.suppress(Exception):
                components = self.desktop.getComponents().createEnumeration()
                while components.hasMoreElements():
                    components.nextElement().close(True)
            with contextlib.suppress(Exception):
                self.desktop.terminate()
            self.desktop = None
        if self.proc is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=5)
            kill_group(self.proc.pid)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=5)
            if self.watchdog is not None:
                self.watchdog.guard(None)
            self.proc = None
        shutil.rmtree(self.workdir, ignore_errors=True)


def kill_group(pgid: int) -> None:
    """SIGKILL a process group, quietly if it is gone already."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def _prop(name: str, value: Any) -> Any:
    p = uno.createUnoStruct("com.sun.star.beans.PropertyValue")
    p.Name, p.Value = name, value
    return p


# --------------------------------------------------------------------------- the workbook


def set_cells(doc: Any, values: Mapping[str, float | str]) -> None:
    """Set each target (a defined name, or ``Sheet!A1``) as a person typing into it would."""
    names = doc.NamedRanges
    for target, value in values.items():
        if "!" in target:
            sheet_name, address = target.rsplit("!", 1)
            sheet_name = sheet_name.strip("'")
            if not doc.Sheets.hasByName(sheet_name):
                raise DriverError(f"no sheet {sheet_name!r} for {target}")
            cell = doc.Sheets.getByName(sheet_name).getCellRangeByName(address)
            cell = cell.getCellByPosition(0, 0)
        elif names.hasByName(target):
            cells = names.getByName(target).getReferredCells()
            if cells is None:
                raise DriverError(f"defined name {target} does not refer to cells")
            cell = cells.getCellByPosition(0, 0)
        else:
            raise DriverError(f"no defined name {target}")
        if isinstance(value, str) and value.startswith("="):
            cell.setFormula(value)
        elif isinstance(value, str):
            cell.setString(value)
        else:
            cell.setValue(float(value))


def read_formula_values(doc: Any, sheets: Sequence[str] | None) -> Dump:
    """Every formula cell's value, sheet by sheet, in blocks read with one getDataArray each."""
    out: Dump = {}
    for name in doc.Sheets.getElementNames():
        if sheets is not None and name not in sheets:
            continue
        sheet = doc.Sheets.getByName(name)
        errors = _error_texts(sheet)
        blocks = []
        for addr in sheet.queryContentCells(_CELL_FORMULA).getRangeAddresses():
            rng = sheet.getCellRangeByPosition(
                addr.StartColumn, addr.StartRow, addr.EndColumn, addr.EndRow
            )
            rows = [list(row) for row in rng.getDataArray()]
            for (r, c), text in errors.items():
                if addr.StartRow <= r <= addr.EndRow and addr.StartColumn <= c <= addr.EndColumn:
                    rows[r - addr.StartRow][c - addr.StartColumn] = {"error": text}
            blocks.append({
                "range": range_a1(addr.StartRow, addr.StartColumn, addr.EndRow, addr.EndColumn),
                "values": [[_plain(v) for v in row] for row in rows],
            })
        out[name] = blocks
    return out


def _error_texts(sheet: Any) -> dict[tuple[int, int], str]:
    """(row, col) → shown error text (``#NUM!``, ``Err:502``) of each formula error cell."""
    found: dict[tuple[int, int], str] = {}
    for addr in sheet.queryFormulaCells(_RESULT_ERROR).getRangeAddresses():
        for r in range(addr.StartRow, addr.EndRow + 1):
            for c in range(addr.StartColumn, addr.EndColumn + 1):
                found[(r, c)] = sheet.getCellByPosition(c, r).getString()
    return found


def _plain(v: Any) -> Value:
    if isinstance(v, dict) or v is None or isinstance(v, str):
        return v
    if isinstance(v, (int, float)):
        f = float(v)
        return f if math.isfinite(f) else {"error": repr(f)}
    return str(v)


def save_xlsx(doc: Any, path: str) -> None:
    """Store the document as .xlsx (its cached values are LibreOffice's current ones)."""
    doc.storeToURL(Path(path).resolve().as_uri(),
                   (_prop("FilterName", "Calc MS Excel 2007 XML"),))


# --------------------------------------------------------------------------- dumps


def range_a1(r0: int, c0: int, r1: int, c1: int) -> str:
    """0-based corners → ``B3:CW1002`` (or ``B3`` for one cell)."""
    return span(r0, c0, r1 - r0 + 1, c1 - c0 + 1)


def iter_cells(dump: Dump) -> Iterator[tuple[str, str, Value]]:
    """(sheet, A1, value) of every cell in a dump."""
    for sheet, blocks in dump.items():
        for block in blocks:
            r0, c0, _, _ = parse_range(block["range"])
            for i, row in enumerate(block["values"]):
                for j, v in enumerate(row):
                    yield sheet, cell(r0 + i, c0 + j), v


def expand(dump: Dump) -> dict[str, dict[str, Value]]:
    """A dump as ``{sheet: {"B3": value}}``."""
    out: dict[str, dict[str, Value]] = {}
    for sheet, ref, v in iter_cells(dump):
        out.setdefault(sheet, {})[ref] = v
    return out


def same(a: Value, b: Value, rel: float, abs_: float) -> bool:
    """Equal values: numbers within rel/abs tolerance, anything else exactly."""
    if isinstance(a, float) and isinstance(b, float):
        return abs(a - b) <= max(abs_, rel * max(abs(a), abs(b)))
    return a == b


def differences(before: Dump, after: Dump, rel: float, abs_: float
                ) -> dict[str, dict[str, list[Value]]]:
    """Cells whose value differs between two dumps of the same formula cells."""
    b = {(s, ref): v for s, ref, v in iter_cells(before)}
    out: dict[str, dict[str, list[Value]]] = {}
    for sheet, ref, v in iter_cells(after):
        old = b.get((sheet, ref))
        if not same(old, v, rel, abs_):
            out.setdefault(sheet, {})[ref] = [old, v]
    return out


# --------------------------------------------------------------------------- the run


def run(book: Path, steps: list[Step], *, sheets: Sequence[str] | None, soffice: str,
        diff_only: bool, initial: bool, autocalc: str, rel: float, abs_: float,
        connect_timeout: float, watchdog: Watchdog | None = None) -> dict[str, Any]:
    """Start soffice, load ``book`` without recalculation, play ``steps``; the JSON report."""
    report: dict[str, Any] = {"file": str(book)}
    t0 = time.perf_counter()
    with Office(soffice, connect_timeout, watchdog) as office:
        t1 = time.perf_counter()
        report["libreoffice"] = office.version()
        doc = office.load(book)
        t2 = time.perf_counter()
        report["seconds"] = {"start": round(t1 - t0, 3), "load": round(t2 - t1, 3)}
        if autocalc != "keep":
            doc.enableAutomaticCalculation(autocalc == "on")
        report["autocalc"] = bool(doc.isAutomaticCalculationEnabled())
        if sheets is not None:
            missing = [s for s in sheets if not doc.Sheets.hasByName(s)]
            if missing:
                raise DriverError(f"no sheet(s) {', '.join(missing)} in {book}")
        if initial:
            report["initial"] = read_formula_values(doc, sheets)
        report["steps"] = [
            _play(doc, step, sheets, diff_only, rel, abs_) for step in steps
        ]
        with contextlib.suppress(Exception):
            doc.close(True)
    return report


def _play(doc: Any, step: Step, sheets: Sequence[str] | None, diff_only: bool,
          rel: float, abs_: float) -> dict[str, Any]:
    out: dict[str, Any] = {"label": step.label, "set": step.values}
    seconds: dict[str, float] = {}
    t = time.perf_counter()
    set_cells(doc, step.values)
    seconds["set"] = time.perf_counter() - t
    if step.calculate:
        t = time.perf_counter()
        doc.calculate()
        seconds["calculate"] = time.perf_counter() - t
    if step.save:
        save_xlsx(doc, step.save)
    if not step.read:
        # reading interprets every formula cell still dirty from the load (array formulas),
        # which changes how later changes propagate; a step may leave that to later steps
        if step.calculate_all:
            t = time.perf_counter()
            doc.calculateAll()
            seconds["calculate_all"] = time.perf_counter() - t
        out["seconds"] = {k: round(v, 3) for k, v in seconds.items()}
        return out
    t = time.perf_counter()
    after = read_formula_values(doc, sheets)
    seconds["read"] = time.perf_counter() - t
    if not diff_only:
        out["after_calculate"] = after
    if step.calculate_all:
        t = time.perf_counter()
        doc.calculateAll()
        seconds["calculate_all"] = time.perf_counter() - t
        hard = read_formula_values(doc, sheets)
        if not diff_only:
            out["after_calculate_all"] = hard
        stale = differences(after, hard, rel, abs_)
        out["stale_count"] = sum(len(v) for v in stale.values())
        out["stale"] = stale
    out["seconds"] = {k: round(v, 3) for k, v in seconds.items()}
    return out


def check_book(path: Path) -> None:
    """Refuse early what soffice could only fail on slowly: a missing file or a non-zip."""
    if not path.is_file():
        raise DriverError(f"no such file {path}")
    with open(path, "rb") as f:
        if f.read(4) != b"PK\x03\x04":
            raise DriverError(f"{path} is not an .xlsx/.ods package (not a zip file)")


def load_steps(text: str) -> list[Step]:
    """Steps from a file path, ``-`` (stdin) or JSON text."""
    if text == "-":
        raw_text = sys.stdin.read()
    elif text.lstrip().startswith(("[", "{")):
        raw_text = text
    else:
        try:
            raw_text = Path(text).read_text(encoding="utf-8")
        except OSError as exc:
            raise DriverError(f"cannot read steps {text}: {exc.strerror or exc}") from None
    try:
        raw = json.loads(raw_text)
    except json.JSONDecodeError as exc:
        raise DriverError(f"steps are not JSON: {exc}") from None
    if isinstance(raw, dict):
        raw = [raw]
    if not isinstance(raw, list):
        raise DriverError("steps must be a JSON list of objects")
    return [Step.parse(s, i) for i, s in enumerate(raw)]


class _Signalled(BaseException):
    """SIGINT or SIGTERM arrived; unwinds through every clean-up."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


class Watchdog(threading.Thread):
    """Kills soffice at the time limit or on SIGINT/SIGTERM, even during a blocked UNO call.

    Python runs signal handlers only when the main thread returns to the interpreter, and
    a UNO call waiting for soffice does not. The C-level handler writes the signal number to
    a wake-up socket (``signal.set_wakeup_fd``); this thread waits on it with the time limit
    and kills the soffice process group, so the pending call fails at once and the main
    thread unwinds through its clean-up.
    """

    def __init__(self, timeout: float) -> None:
        super().__init__(name="interactive-watchdog", daemon=True)
        self.deadline = time.monotonic() + timeout
        self.timed_out = threading.Event()
        self._done = threading.Event()
        self._lock = threading.Lock()
        self._pgid: int | None = None
        self._recv, self._send = socket.socketpair()
        self._send.setblocking(False)
        signal.set_wakeup_fd(self._send.fileno(), warn_on_full_buffer=False)

    def guard(self, pgid: int | None) -> None:
        """The process group to kill (None once it is gone)."""
        with self._lock:
            self._pgid = pgid

    def run(self) -> None:
        """Wait for the deadline or a signal, then kill soffice's process group."""
        while not self._done.is_set():
            left = self.deadline - time.monotonic()
            if left <= 0:
                self.timed_out.set()
                break
            ready, _, _ = select.select([self._recv], [], [], min(left, 0.5))
            if ready and self._recv.recv(64):
                break
        with self._lock:
            if self._pgid is not None and not self._done.is_set():
                kill_group(self._pgid)

    def stop(self) -> None:
        """Disarm (the run is over) and release the wake-up socket."""
        self._done.set()
        signal.set_wakeup_fd(-1)
        with contextlib.suppress(OSError):
            self._send.send(b"\0")
        self.join(timeout=2)
        self._recv.close()
        self._send.close()


def _reexec_with_uno(argv: Sequence[str] | None) -> int:
    """Run this file again under Debian's python3, which has python3-uno; or fail."""
    if os.path.realpath(sys.executable) != os.path.realpath(SYSTEM_PYTHON) and os.access(
        SYSTEM_PYTHON, os.X_OK
    ):
        args = list(sys.argv[1:] if argv is None else argv)
        os.execv(SYSTEM_PYTHON, [SYSTEM_PYTHON, os.path.abspath(__file__), *args])
    sys.stderr.write(f"{PROG}: the uno module is missing (apt-get install python3-uno)\n")
    return EXIT_ERROR


def main(argv: Sequence[str] | None = None) -> int:
    """The command line; returns the exit status."""
    ap = argparse.ArgumentParser(
        prog="interactive.py",
        description="Set controls in LibreOffice Calc, calculate(), dump every formula value, "
        "calculateAll(), dump again; JSON on stdout.",
    )
    ap.add_argument("book", type=Path, help="the .xlsx (or .ods) workbook")
    ap.add_argument("--steps", default="[]",
                    help="JSON list of steps: a file, '-' for stdin, or the JSON text")
    ap.add_argument("--sheets", help="comma-separated sheets to read (default: all)")
    ap.add_argument("--diff-only", action="store_true",
                    help="report only the stale cells, not the full dumps")
    ap.add_argument("--initial", action="store_true",
                    help="also dump the values as loaded, before any step")
    ap.add_argument("--autocalc", choices=("keep", "on", "off"), default="keep",
                    help="AutoCalculate of the loaded document (default: as loaded)")
    ap.add_argument("--rel", type=float, default=0.0,
                    help="relative tolerance for 'stale' (default 0: any difference)")
    ap.add_argument("--abs", dest="abs_", type=float, default=0.0,
                    help="absolute tolerance for 'stale' (default 0)")
    ap.add_argument("--timeout", type=float, default=600,
                    help="seconds before soffice is killed and the run fails (default 600)")
    ap.add_argument("--soffice", default=os.environ.get("SHEETSIM_SOFFICE") or "soffice")
    ap.add_argument("-o", "--output", type=Path, help="write the JSON here instead of stdout")
    args = ap.parse_args(argv)
    if uno is None:
        return _reexec_with_uno(argv)

    def on_signal(signum: int, _frame: object) -> None:
        raise _Signalled(signum)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    watchdog = Watchdog(args.timeout)
    watchdog.start()
    try:
        check_book(args.book)
        exe = shutil.which(args.soffice)
        if exe is None:
            raise DriverError(f"{args.soffice} not found (apt-get install libreoffice-calc-nogui)")
        steps = load_steps(args.steps)
        sheets = [s for s in args.sheets.split(",") if s] if args.sheets else None
        report = run(args.book, steps, sheets=sheets, soffice=exe, diff_only=args.diff_only,
                     initial=args.initial, autocalc=args.autocalc, rel=args.rel,
                     abs_=args.abs_, connect_timeout=min(120.0, args.timeout),
                     watchdog=watchdog)
        text = json.dumps(report, separators=(",", ":"))
        if args.output:
            args.output.write_text(text, encoding="utf-8")
        else:
            sys.stdout.write(text + "\n")
        return 0
    except _Signalled as sig:
        return EXIT_INT if sig.signum == signal.SIGINT else EXIT_TERM
    except Exception as exc:
        if watchdog.timed_out.is_set():
            sys.stderr.write(f"{PROG}: not finished within {args.timeout:g} s\n")
            return EXIT_TIMEOUT
        if isinstance(exc, DriverError):
            sys.stderr.write(f"{PROG}: {exc}\n")
        else:  # a UNO exception: one line, not a traceback
            message = getattr(exc, "Message", "") or str(exc) or type(exc).__name__
            sys.stderr.write(f"{PROG}: LibreOffice failed: {message.splitlines()[0]}\n")
        return EXIT_ERROR
    finally:
        watchdog.stop()


if __name__ == "__main__":
    sys.exit(main())
