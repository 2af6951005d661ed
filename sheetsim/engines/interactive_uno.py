"""The part of the interactive driver that speaks UNO, run by Debian's ``/usr/bin/python3``.

``interactive.drive`` starts soffice and then this file as a script::

    /usr/bin/python3 interactive_uno.py REQUEST.json REPORT.json

It connects to that soffice through its named pipe, opens the workbook (the profile says
never to recalculate on load, so the cached values are shown), plays the steps and writes
the report. Any failure is one line on stderr and exit status 2. Starting, timing and
killing processes is the caller's job: this file only talks to LibreOffice.

It imports the standard library, ``uno`` (Debian's ``python3-uno``, inside the functions
that need it, so that the caller can import ``Step`` and the dump helpers without it) and
``sheetsim.xlsx.cells`` (standard library only).
"""

from __future__ import annotations

import contextlib
import json
import math
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeAlias, TypeVar

if __package__ in (None, ""):  # run as a script: the repository instead of this folder
    sys.path[0] = str(Path(__file__).resolve().parents[2])
from sheetsim.xlsx.cells import cell, parse_range, span  # noqa: E402

Value: TypeAlias = "float | str | dict[str, str] | None"
Dump: TypeAlias = "dict[str, list[dict[str, Any]]]"
T = TypeVar("T")

# com.sun.star.sheet.CellFlags.FORMULA and com.sun.star.sheet.FormulaResult.ERROR
_CELL_FORMULA = 16
_RESULT_ERROR = 4


class SessionError(Exception):
    """Bad input or a workbook LibreOffice cannot serve; the message is one line."""


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
        """A step from its JSON object; ValueError (one line) on anything unexpected."""
        if not isinstance(raw, dict):
            raise ValueError(f"step {index}: expected an object, got {type(raw).__name__}")
        unknown = set(raw) - {"label", "set", "calculate", "read", "calculate_all", "save"}
        if unknown:
            raise ValueError(f"step {index}: unknown keys {sorted(unknown)}")
        values = raw.get("set", {})
        if not isinstance(values, dict) or not all(
            isinstance(v, (int, float, str)) and not isinstance(v, bool) for v in values.values()
        ):
            raise ValueError(f"step {index}: 'set' must map names to numbers or strings")
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


# --------------------------------------------------------------------------- LibreOffice


def connect(pipe: str, seconds: float) -> Any:
    """The component context of the soffice listening on ``pipe``, once it accepts."""
    import uno

    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local
    )
    url = f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext"
    deadline = time.monotonic() + seconds
    while True:
        try:
            return resolver.resolve(url)
        except Exception as exc:  # NoConnectException until soffice listens
            if time.monotonic() > deadline:
                raise SessionError(
                    f"soffice did not accept a connection within {seconds:g} s"
                ) from exc
            time.sleep(0.1)


def version(context: Any) -> str:
    """LibreOffice's version as ``7.4.7.2``, or "" if it cannot be read."""
    try:
        provider = context.ServiceManager.createInstanceWithContext(
            "com.sun.star.configuration.ConfigurationProvider", context
        )
        access = provider.createInstanceWithArguments(
            "com.sun.star.configuration.ConfigurationAccess",
            (prop("nodepath", "/org.openoffice.Setup/Product"),),
        )
        return str(access.getByName("ooSetupVersionAboutBox"))
    except Exception:
        return ""


def load(desktop: Any, path: Path, seconds: float) -> Any:
    """Open ``path`` hidden (the profile says never to recalculate on load).

    A soffice that has just started accepts connections before it is ready, and
    ``loadComponentFromURL`` then returns nothing or fails ("type detection failed", seen
    with two sessions starting at once): try again for up to ``seconds``.
    """
    url = path.resolve().as_uri()
    props = (prop("Hidden", True), prop("ReadOnly", False))
    deadline = time.monotonic() + seconds
    while True:
        problem = "no document"
        try:
            doc = desktop.loadComponentFromURL(url, "_blank", 0, props)
        except Exception as exc:  # "type detection failed" while soffice is starting
            doc, problem = None, getattr(exc, "Message", "") or str(exc)
        if doc is not None and hasattr(doc, "calculateAll"):
            return doc
        if doc is not None:
            with contextlib.suppress(Exception):
                doc.close(True)
            raise SessionError("LibreOffice did not open the workbook as a spreadsheet")
        if time.monotonic() > deadline:
            first = next(iter(problem.splitlines()), "") or "no message"
            raise SessionError(f"LibreOffice could not open the workbook: {first}")
        time.sleep(0.5)


def prop(name: str, value: Any) -> Any:
    """A ``com.sun.star.beans.PropertyValue``: an argument of loading or storing."""
    import uno

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
                raise SessionError(f"no sheet {sheet_name!r} for {target}")
            cell = doc.Sheets.getByName(sheet_name).getCellRangeByName(address)
            cell = cell.getCellByPosition(0, 0)
        elif names.hasByName(target):
            cells = names.getByName(target).getReferredCells()
            if cells is None:
                raise SessionError(f"defined name {target} does not refer to cells")
            cell = cells.getCellByPosition(0, 0)
        else:
            raise SessionError(f"no defined name {target}")
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
                   (prop("FilterName", "Calc MS Excel 2007 XML"),))


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


# --------------------------------------------------------------------------- the session


def session(request: Mapping[str, Any]) -> dict[str, Any]:
    """Connect, load the workbook without recalculation, play the steps; the report.

    ``request`` is what ``interactive.drive`` writes: the pipe, the workbook (``book``, and
    ``file`` to name in the report), when soffice was started (``started``, ``time.time()``),
    the seconds to wait for it (``connect_seconds``), the steps and the options of ``drive``.
    """
    context = connect(request["pipe"], request["connect_seconds"])
    report: dict[str, Any] = {"file": request["file"], "libreoffice": version(context)}
    desktop = context.ServiceManager.createInstanceWithContext(
        "com.sun.star.frame.Desktop", context
    )
    connected = time.perf_counter()
    doc = load(desktop, Path(request["book"]), min(request["connect_seconds"], 60.0))
    report["seconds"] = {"start": round(time.time() - request["started"], 3),
                         "load": round(time.perf_counter() - connected, 3)}
    if request["autocalc"] != "keep":
        doc.enableAutomaticCalculation(request["autocalc"] == "on")
    report["autocalc"] = bool(doc.isAutomaticCalculationEnabled())
    sheets = request["sheets"]
    if sheets is not None:
        missing = [s for s in sheets if not doc.Sheets.hasByName(s)]
        if missing:
            raise SessionError(f"no sheet(s) {', '.join(missing)} in {request['file']}")
    if request["initial"]:
        report["initial"] = read_formula_values(doc, sheets)
    report["steps"] = [
        _play(doc, Step(**raw), sheets, request["diff_only"], request["rel"], request["abs"])
        for raw in request["steps"]
    ]
    return report


def _play(doc: Any, step: Step, sheets: Sequence[str] | None, diff_only: bool,
          rel: float, abs_: float) -> dict[str, Any]:
    out: dict[str, Any] = {"label": step.label, "set": step.values}
    seconds: dict[str, float] = {}
    _timed(seconds, "set", lambda: set_cells(doc, step.values))
    if step.calculate:
        _timed(seconds, "calculate", doc.calculate)
    if step.save:
        save_xlsx(doc, step.save)
    # reading interprets every formula cell still dirty from the load (array formulas),
    # which changes how later changes propagate; a step may leave that to later steps
    after = _timed(seconds, "read", lambda: read_formula_values(doc, sheets)) if step.read else None
    if step.calculate_all:
        _timed(seconds, "calculate_all", doc.calculateAll)
    if after is not None:
        if not diff_only:
            out["after_calculate"] = after
        if step.calculate_all:
            hard = read_formula_values(doc, sheets)
            if not diff_only:
                out["after_calculate_all"] = hard
            stale = differences(after, hard, rel, abs_)
            out["stale_count"] = sum(len(v) for v in stale.values())
            out["stale"] = stale
    out["seconds"] = seconds
    return out


def _timed(seconds: dict[str, float], key: str, action: Callable[[], T]) -> T:
    """What ``action`` returns; its seconds, rounded to the millisecond, in ``seconds[key]``."""
    t = time.perf_counter()
    result = action()
    seconds[key] = round(time.perf_counter() - t, 3)
    return result


def main(argv: Sequence[str]) -> int:
    """``REQUEST.json REPORT.json``: play the request, write the report; the exit status."""
    if len(argv) != 2:
        sys.stderr.write("usage: interactive_uno.py REQUEST.json REPORT.json\n")
        return 2
    try:
        request = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
        report = session(request)
        Path(argv[1]).write_text(json.dumps(report, separators=(",", ":")), encoding="utf-8")
    except Exception as exc:  # SessionError, or a UNO exception: one line, no traceback
        message = getattr(exc, "Message", "") or str(exc) or type(exc).__name__
        sys.stderr.write(message.splitlines()[0] + "\n")
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
