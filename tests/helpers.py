"""What several test modules share: building small workbooks, reading and tampering with
a package's parts, gating on installed engines, driving a running LibreOffice, watching
processes, and the list of workbooks whose SHA-256 ``tests/golden.json`` records.

Test modules import from here (``from .helpers import ...``), never from one another; the
benchmarks in ``bench/`` import from here too (``from tests.helpers import ...``).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest

from sheetsim.build import writer
from sheetsim.experiments.init.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
"""The repository's root folder."""

SMALL = Settings(samples=60, width=8, layers=3, bins=10)
"""A small initialization workbook: every sheet and formula kind, built in a second."""

SMALL_SHAPES: dict[str, dict[str, int]] = {
    "init": {"samples": 40, "width": 6, "bins": 10},
    "compare": {"samples": 40, "width": 6, "layers": 3, "bins": 10},
    "descent": {"steps": 12},
    "training": {"layers": 2, "width": 4, "samples": 16, "test_samples": 8, "steps": 12},
    "digits": {"hidden": (8, 8), "batch": 8, "train_size": 60, "test_size": 20, "steps": 6,
               "eval_every": 3},
}
"""Experiment → settings that make its workbooks small (every formula kind, built and
verified in seconds), for ``experiments.resolve(..., flags=...)``: the dataclass defaults
are the command line's full-size ones. They override a preset's own sizes."""


def build(exp: Any, path: Path, fast: bool = True) -> Path:
    """Build the workbook of settings ``exp`` (any experiment's) at ``path``; ``path``."""
    writer.build(exp, path, fast=fast)
    return path


# ------------------------------------------------------------------ the package's parts

def sheet_part(path: Path, sheet: str) -> str:
    """The zip member holding a sheet, found through workbook.xml and its relationships."""
    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    rel_ns = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    with zipfile.ZipFile(path) as zf:
        wb = ET.fromstring(zf.read("xl/workbook.xml"))
        rels = ET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    rid = next(s.get(rel_ns) for s in wb.iter(f"{main}sheet") if s.get("name") == sheet)
    target = next(r.get("Target") for r in rels if r.get("Id") == rid)
    assert rid is not None and target is not None, sheet
    return target.lstrip("/") if target.startswith("/") else "xl/" + target


def cell_xml(path: Path, sheet: str, ref: str) -> str:
    """The ``<c>`` element of cell ``ref`` on ``sheet``, as the file stores it."""
    with zipfile.ZipFile(path) as zf:
        xml = zf.read(sheet_part(path, sheet)).decode()
    m = re.search(rf'<c r="{ref}"[^>]*>.*?</c>', xml)
    assert m, ref
    return m.group(0)


def patch_part(path: Path, part: str, old: str, new: str, count: int = 1) -> None:
    """Rewrite one member of the package with a text replacement (tampering in tests)."""
    with zipfile.ZipFile(path) as zf:
        members = [(info, zf.read(info)) for info in zf.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, data in members:
            if info.filename == part:
                text = data.decode()
                assert old in text, f"{old!r} not in {part}"
                data = text.replace(old, new, count).encode()
            zf.writestr(info, data)


def patch_sheet(path: Path, sheet: str, old: str, new: str, count: int = 1) -> None:
    """Rewrite the part of ``sheet`` with a text replacement."""
    patch_part(path, sheet_part(path, sheet), old, new, count)


def set_cached(path: Path, sheet: str, ref: str, value: str) -> None:
    """Give cell ``ref`` of ``sheet`` the cached value ``value`` (its formula unchanged)."""
    old = cell_xml(path, sheet, ref)
    patch_sheet(path, sheet, old, re.sub(r"<v>[^<]*</v>", f"<v>{value}</v>", old))


# ------------------------------------------------------------------------- engines

def need(tool: str) -> None:
    """Skip a test whose tool is missing; fail instead under SHEETSIM_REQUIRE_ENGINES=1."""
    from sheetsim import engines

    if engines.available(tool):
        return
    if os.environ.get("SHEETSIM_REQUIRE_ENGINES") == "1":
        pytest.fail(f"{tool} is required (SHEETSIM_REQUIRE_ENGINES=1) but not installed")
    pytest.skip(f"{tool} is not installed")


def need_uno() -> None:
    """Skip a test that drives a running LibreOffice when it or Debian's python3-uno is
    missing; fail instead under SHEETSIM_REQUIRE_ENGINES=1."""
    from sheetsim.engines import interactive

    need("libreoffice")
    if interactive.uno_available():
        return
    if os.environ.get("SHEETSIM_REQUIRE_ENGINES") == "1":
        pytest.fail("python3-uno is required (SHEETSIM_REQUIRE_ENGINES=1) but not installed")
    pytest.skip("python3-uno is not installed")


def drive(book: Path, steps: list[dict]) -> dict:
    """Play ``steps`` on ``book`` in a fresh LibreOffice (``interactive.drive``); the report,
    without the dumps, its stale cells those beyond verify's tolerance."""
    from sheetsim.engines import interactive
    from sheetsim.tolerance import ATOL, RTOL

    return interactive.drive(book, steps, diff_only=True, rel=RTOL, abs_=ATOL, timeout=300)


# ----------------------------------------------------------------------- processes

def gone(pid: int) -> bool:
    """True when the process no longer runs (a zombie waiting for its reaper counts as gone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] == "Z"


def wait_until(condition: Callable[[], bool], seconds: float = 5.0) -> bool:
    """Poll ``condition`` until it holds or ``seconds`` pass; its last answer."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def naming(folder: Path) -> list[int]:
    """Live processes (zombies excluded) whose command line names ``folder``: an engine
    started in a private folder under it (soffice's profile is there)."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes()
        except OSError:
            continue
        if str(folder).encode() in cmdline and not gone(int(proc.name)):
            found.append(int(proc.name))
    return found


_CHILD = """
import os, resource, subprocess, sys, time
start = time.monotonic()
proc = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
out, err = proc.communicate(timeout=60)
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(proc.returncode, round(time.monotonic() - start, 2), rss, sep="\\t")
sys.stdout.flush()
sys.stderr.write(err.decode())
"""


def measured(*args: str, env: dict[str, str] | None = None) -> tuple[int, float, int, str]:
    """Exit status, seconds, peak resident memory (kB) and stderr of ``sheetsim ARGS``."""
    done = subprocess.run([sys.executable, "-c", _CHILD, sys.executable, "-m", "sheetsim",
                           *args], capture_output=True, text=True, timeout=120,
                          env=env, cwd=ROOT)
    code, seconds, rss = done.stdout.split("\t")
    return int(code), float(seconds), int(rss), done.stderr


# ------------------------------------------------------------------ golden SHA-256

GOLDEN = Path(__file__).with_name("golden.json")
"""Name of a workbook (an experiment's default, or a preset) → SHA-256 of its bytes."""
GOLDEN_UPDATE = "python bench/golden.py --update"
"""The command that rebuilds the workbooks and rewrites ``GOLDEN`` (names may follow)."""


def golden_workbooks() -> dict[str, tuple[str, str | None]]:
    """Every workbook ``GOLDEN`` records: name → (experiment, preset or None). An
    experiment's default is named after the experiment, a preset after itself."""
    from sheetsim import config, experiments

    books: dict[str, tuple[str, str | None]] = {name: (name, None)
                                                for name in experiments.REGISTRY}
    for preset in config.preset_names():
        assert preset not in books, f"preset {preset!r} has an experiment's name"
        books[preset] = (config.preset_experiment(preset), preset)
    return books


def golden_digest(name: str, folder: Path) -> str:
    """Build workbook ``name`` of ``golden_workbooks`` into ``folder`` through the Python
    API (``experiments.resolve``, ``writer.build``); the SHA-256 of its bytes."""
    from sheetsim import experiments

    experiment_name, preset = golden_workbooks()[name]
    experiment = experiments.get(experiment_name)
    path = folder / f"{name}.xlsx"
    writer.build(experiments.resolve(experiment, preset=preset), path, experiment)
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_golden() -> dict[str, str]:
    """The recorded SHA-256 of each workbook."""
    return json.loads(GOLDEN.read_text())
