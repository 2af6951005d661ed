"""Drive LibreOffice Calc interactively through UNO: set controls, recalculate, dump values.

This reproduces what a person does in Calc: open a workbook *without* recalculation on load
(the cached values are shown), change a control (a defined name such as ``Activation`` or a
cell such as ``Controls!B5``), and let LibreOffice recalculate the dirty cells only
(``calculate()``, what AutoCalculate and F9 do). It then reads the value of every formula
cell, runs a hard recalculation (``calculateAll()``, Ctrl+Shift+F9) and reads them again.
A cell whose value differs between the two reads was *stale*: LibreOffice did not know it
depended on the change.

``drive(book, steps)`` plays a list of steps and returns the report::

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
staleness this driver looks for, so a sequence of unread changes is a different experiment.
``"save": PATH`` stores the workbook as .xlsx right after ``calculate()`` (before
``calculateAll()``). A step with neither ``set`` nor anything else is a plain F9.

The report::

    {"file": ..., "libreoffice": "7.4.7.2", "autocalc": true,
     "seconds": {"start": s, "load": s},
     "initial": DUMP,                                # with initial=True
     "steps": [{"label": ..., "set": {...},
                "seconds": {"set": s, "calculate": s, "read": s, "calculate_all": s},
                "after_calculate": DUMP, "after_calculate_all": DUMP,   # not with diff_only
                "stale_count": n, "stale": {"Sheet": {"D7": [after_calculate,
                                                           after_calculate_all]}}}]}

A DUMP maps each sheet to a list of blocks ``{"range": "B3:CW1002", "values": [[...]]}``
covering exactly its formula cells; a value is a float, a string, or ``{"error": "#NUM!"}``.

How it runs: in a private folder (``process.workdir``), soffice starts headless with a
throwaway profile that never recalculates on load (``soffice.profile``), listening on a
private named pipe (``process.started``); then ``interactive_uno.py`` runs under Debian's
``/usr/bin/python3`` (the one with ``python3-uno``), talks to it and writes the report
(``process.run``, under the time limit). Whatever happens (an error, the time limit, Ctrl-C,
SIGTERM) both process groups are killed and the folder removed.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import os
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from sheetsim import atomic
from sheetsim.engines import interactive_uno
from sheetsim.engines.files import check_source, copy_in
from sheetsim.engines.interactive_uno import Step
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

SYSTEM_PYTHON = "/usr/bin/python3"
"""Debian's python3: the interpreter that has ``uno`` (package ``python3-uno``)."""

AUTOCALC = ("keep", "on", "off")


@functools.cache
def uno_available() -> bool:
    """Whether ``SYSTEM_PYTHON`` can import ``uno`` (LibreOffice itself: ``available``)."""
    if not os.access(SYSTEM_PYTHON, os.X_OK):
        return False
    try:
        done = subprocess.run([SYSTEM_PYTHON, "-c", "import uno"], capture_output=True,
                              check=False, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def drive(book: Path, steps: Sequence[Mapping[str, Any]], *,
          sheets: Sequence[str] | None = None, diff_only: bool = False, initial: bool = False,
          autocalc: str = "keep", rel: float = 0.0, abs_: float = 0.0,
          timeout: float = 600.0) -> dict[str, Any]:
    """Open ``book`` in a fresh LibreOffice without recalculation, play ``steps``; the report.

    ``sheets`` limits the reads to those sheets; ``diff_only`` leaves the dumps out of the
    report (the stale cells stay); ``initial`` adds a dump of the values as loaded;
    ``autocalc`` sets AutoCalculate of the loaded document (``keep``: as loaded); ``rel`` and
    ``abs_`` are the tolerances within which two reads count as the same. Past ``timeout``
    seconds LibreOffice is killed. Raises EngineError (EngineMissing when LibreOffice or
    python3-uno is not installed).
    """
    book = Path(book)
    try:
        played = [Step.parse(raw, i) for i, raw in enumerate(steps)]
    except ValueError as exc:
        raise EngineError(str(exc)) from None
    if autocalc not in AUTOCALC:
        raise EngineError(f"autocalc must be one of {', '.join(AUTOCALC)}, not {autocalc!r}")
    if isinstance(sheets, str):
        raise EngineError("sheets must be a list of sheet names, not one string")
    if not book.is_file():
        raise EngineError(f"no such workbook: {book}")
    check_source(book)
    exe = require("libreoffice")
    if not uno_available():
        raise EngineMissing(f"python3-uno not found ({SYSTEM_PYTHON} cannot import uno): "
                            "apt-get install python3-uno")
    with atomic.signals_raise(), workdir() as work:  # SIGTERM unwinds through the clean-up
        copy = copy_in(book, work)
        pipe = work.name.replace("-", "_")  # sheetsim_PID_RANDOM: private to this run
        tmp = work / "tmp"  # soffice's own temporary files, removed with the folder
        tmp.mkdir()
        env = dict(os.environ, TMPDIR=str(tmp), TMP=str(tmp), TEMP=str(tmp))
        cmd = [exe, *options(profile(work, recalc_on_load=False)), "--invisible",
               "--nodefault", f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext"]
        request = {
            "pipe": pipe, "book": str(copy), "file": str(book), "started": time.time(),
            "connect_seconds": min(120.0, timeout),
            "sheets": None if sheets is None else list(sheets),
            "steps": [dataclasses.asdict(_absolute(step)) for step in played],
            "diff_only": diff_only, "initial": initial, "autocalc": autocalc, "rel": rel,
            "abs": abs_,
        }
        with started(cmd, "soffice", cwd=work, log=work / "soffice.log", env=env) as office:
            (work / "request.json").write_text(json.dumps(request), encoding="utf-8")
            client = [SYSTEM_PYTHON, interactive_uno.__file__, "request.json", "report.json"]
            rc, err = run(client, "LibreOffice", timeout, cwd=work, beside=office)
        if rc != 0:
            raise EngineError(f"LibreOffice: {last_line(err) or exit_status(rc)}")
        return json.loads((work / "report.json").read_text(encoding="utf-8"))


def _absolute(step: Step) -> Step:
    """The step with its ``save`` path absolute (the UNO side runs in the private folder)."""
    if step.save is None:
        return step
    return dataclasses.replace(step, save=str(Path(step.save).absolute()))
