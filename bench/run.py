"""Benchmark of sheetsim build and verify against the obvious alternatives.

Every measured thing runs as its own subprocess; wall clock is timed around it and the
peak RSS is the child's ``ru_maxrss`` from ``os.wait4``. Run from anywhere::

    python bench/run.py                 # full run, writes bench/RESULTS.md (takes minutes)
    python bench/run.py --quick         # smoke run on small shapes, prints only
    python bench/run.py --sizes default --reps 5 --gnumeric

No timing is asserted anywhere; the targets are reported as met or not met.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from sheetsim.experiments.init.layout import plan
from sheetsim.experiments.init.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
MB = 1e6


@dataclass(frozen=True)
class Size:
    name: str
    samples: int
    width: int
    layers: int

    @property
    def shape(self) -> str:
        return f"{self.samples}×{self.width}×{self.layers}"

    def blocks(self) -> list[tuple[str, int, int]]:
        """The numeric blocks of a sheetsim workbook: (sheet, rows, cols), as in the layout."""
        n, d = self.samples, self.width
        out = [("Input_U", n, d), ("Input", n, d)]
        for k in range(1, self.layers + 1):
            out += [(f"L{k}_U", d, d), (f"L{k}_W", d, d), (f"L{k}_A", n, d), (f"L{k}_Z", n, d)]
        return out

    def cells(self) -> int:
        """Numeric cells of the block sheets: values, plus neuron and sample labels."""
        return sum(r * c + r + c for _, r, c in self.blocks())


FULL = {
    "default": Size("default", 1000, 100, 5),
    "samples10k": Size("samples10k", 10_000, 100, 5),
    "layers20": Size("layers20", 1000, 100, 20),
}
QUICK = {
    "default": Size("default", 100, 20, 2),
    "samples10k": Size("samples10k", 1000, 20, 2),  # the same 10× step, on a small shape
    "layers20": Size("layers20", 100, 20, 8),
}


@dataclass
class Run:
    seconds: float
    rss_mb: float
    code: int
    error: str = ""


@dataclass
class Measure:
    runs: list[Run] = field(default_factory=list)

    @property
    def ok(self) -> list[Run]:
        return [r for r in self.runs if r.code == 0]

    @property
    def failed(self) -> bool:
        return not self.ok

    @property
    def seconds(self) -> float:
        return statistics.median(r.seconds for r in self.ok) if self.ok else float("nan")

    @property
    def rss_mb(self) -> float:
        return max(r.rss_mb for r in self.ok) if self.ok else float("nan")

    @property
    def error(self) -> str:
        return next((r.error for r in self.runs if r.code != 0), "")

    def spread(self) -> str:
        times = [r.seconds for r in self.ok]
        if len(times) < 2:
            return ""
        return f"{min(times):.2f}–{max(times):.2f}"


def run(cmd: list[str], timeout: float, log: Path) -> Run:
    """Run ``cmd`` once; wall time, peak RSS of the child (and its waited children), status."""
    with open(log, "wb") as out:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
        timer = threading.Timer(timeout, os.killpg, (proc.pid, signal.SIGKILL))
        timer.start()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        timer.cancel()
    proc.returncode = code = os.waitstatus_to_exitcode(status)
    error = ""
    if code != 0:
        error = f"timed out after {timeout:.0f} s" if code == -signal.SIGKILL else _last_line(log)
    return Run(seconds, usage.ru_maxrss * 1024 / MB, code, error)


def _last_line(log: Path) -> str:
    """The message of a failed run: its last line that is not a progress bar."""
    text = log.read_text(errors="replace").replace("\r", "\n")
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and "it/s" not in ln]
    return lines[-1][:160] if lines else "(no output)"


def repeat(cmd: list[str], reps: int, timeout: float, log: Path, label: str) -> Measure:
    m = Measure()
    for i in range(reps):
        r = run(cmd, timeout, log.with_suffix(f".{i}.log"))
        m.runs.append(r)
        state = "ok" if r.code == 0 else f"FAILED ({r.error})"
        print(f"  {label:<22} {i + 1}/{reps}  {r.seconds:7.2f} s  {r.rss_mb:7.0f} MB  {state}",
              file=sys.stderr, flush=True)
    return m


LOOP_SCRIPT = """
import json, sys
import numpy as np
import xlsxwriter
blocks, path = json.loads(sys.argv[1]), sys.argv[2]
rng = np.random.default_rng(0)
wb = xlsxwriter.Workbook(path)
for name, rows, cols in blocks:
    ws = wb.add_worksheet(name)
    ws.write_row(1, 1, list(range(1, cols + 1)))
    values = rng.random((rows, cols))
    for i in range(rows):
        ws.write_row(2 + i, 0, [i + 1] + values[i].tolist())
wb.close()
"""

FORMULAS_SCRIPT = """
import json, sys, time
import numpy as np
import formulas
path, sheet, rng, out = sys.argv[1:5]
t0 = time.perf_counter()
model = formulas.ExcelModel().loads(path).finish()
t1 = time.perf_counter()
solution = model.calculate()
t2 = time.perf_counter()
want = f"{sheet}'!{rng}".upper()
value = next(v for k, v in solution.items() if str(k).upper().endswith(want))
np.save(out, np.asarray(value.value, dtype=float))
print(json.dumps({"load": t1 - t0, "calculate": t2 - t1, "cells": len(solution)}))
"""


def block_range(size: Size) -> str:
    """Where a layer's block sits on its sheet, as the experiment's plan places it."""
    block = plan(Settings(samples=size.samples, width=size.width, layers=1)).blocks["L1_z"]
    return block.range


def cached_block(path: Path, sheet: str, size: Size) -> list[list[float]]:
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        rows = wb[sheet].iter_rows(min_row=3, max_row=size.samples + 2, min_col=2,
                                   max_col=size.width + 1, values_only=True)
        return [list(r) for r in rows]
    finally:
        wb.close()


@dataclass
class Result:
    size: Size
    build: Measure
    loop: Measure
    verify: Measure
    libreoffice: Measure
    file_mb: float
    loop_file_mb: float
    formulas: Measure | None = None
    formulas_note: str = ""
    gnumeric: Measure | None = None


def bench_size(size: Size, args: argparse.Namespace, work: Path) -> Result:
    print(f"{size.name} ({size.shape}, {size.cells():,} numeric cells)", file=sys.stderr)
    book = work / f"{size.name}.xlsx"
    log = work / size.name
    shape = ["--samples", str(size.samples), "--width", str(size.width),
             "--layers", str(size.layers)]
    build = repeat([PY, "-m", "sheetsim", "build", "init", "-q", *shape, "-o", str(book)],
                   args.reps, args.timeout, log.with_name(f"{size.name}-build"), "sheetsim build")
    if build.failed:
        raise SystemExit(f"sheetsim build failed: {build.error}")
    loop_book = work / f"{size.name}-loop.xlsx"
    loop = repeat([PY, "-c", LOOP_SCRIPT, json.dumps(size.blocks()), str(loop_book)],
                  args.reps, args.timeout, log.with_name(f"{size.name}-loop"),
                  "xlsxwriter write_row")
    if args.build_only:
        return Result(size, build, loop, Measure(), Measure(), book.stat().st_size / MB,
                      loop_book.stat().st_size / MB)
    verify = repeat([PY, "-m", "sheetsim", "verify", "-q", str(book)], args.reps, args.timeout,
                    log.with_name(f"{size.name}-verify"), "sheetsim verify")
    lo = _engine(book, "libreoffice", args.reps, args, work)
    result = Result(size, build, loop, verify, lo, book.stat().st_size / MB,
                    loop_book.stat().st_size / MB if loop_book.exists() else float("nan"))
    if args.gnumeric:
        result.gnumeric = _engine(book, "gnumeric", args.reps_slow, args, work)
    if size.name in args.formulas_sizes:
        result.formulas, result.formulas_note = _formulas(book, size, args, work)
    loop_book.unlink(missing_ok=True)
    if not args.keep:
        book.unlink(missing_ok=True)
    return result


def _engine(book: Path, engine: str, reps: int, args: argparse.Namespace, work: Path) -> Measure:
    out = work / f"{book.stem}.{engine}.xlsx"
    m = Measure()
    for i in range(reps):
        out.unlink(missing_ok=True)
        cmd = [PY, "-m", "sheetsim", "recalc", str(book), "--engine", engine, "-o", str(out),
               "-q", "--timeout", str(args.timeout_slow)]
        m.runs += repeat(cmd, 1, args.timeout_slow + 60,
                         work / f"{book.stem}-{engine}-{i}", f"{engine} recalc").runs
    out.unlink(missing_ok=True)
    return m


def _formulas(book: Path, size: Size, args: argparse.Namespace,
              work: Path) -> tuple[Measure, str]:
    """The ``formulas`` package on the same file; checks its last layer against the cache."""
    sheet, npy = f"L{size.layers}_Z", work / "formulas-last.npy"
    log = work / f"{size.name}-formulas"
    cmd = [PY, "-c", FORMULAS_SCRIPT, str(book), sheet, block_range(size), str(npy)]
    m = repeat(cmd, args.reps_slow, args.timeout_slow, log, "formulas package")
    if m.failed:
        return m, f"failed: {m.error}"
    import numpy as np

    text = log.with_suffix(f".{args.reps_slow - 1}.log").read_text(errors="replace")
    split = json.loads(next(ln for ln in reversed(text.splitlines()) if ln.startswith("{")))
    got = np.load(npy)
    want = np.array(cached_block(book, sheet, size), dtype=float)
    diff = float(np.max(np.abs(got - want))) if got.shape == want.shape else float("nan")
    return m, (f"load {split['load']:.1f} s + calculate {split['calculate']:.1f} s; "
               f"its {sheet} is within {diff:.1e} of sheetsim's cached values")


# ---------------------------------------------------------------------- report


def _fmt(x: float, digits: int = 2) -> str:
    return "—" if x != x else f"{x:.{digits}f}"


def _ratio(a: float, b: float) -> float:
    return a / b if b == b and b > 0 else float("nan")


def _time(m: Measure | None) -> str:
    if m is None or not m.runs:
        return "not run"
    if m.failed:
        return f"failed: {m.error}"
    return _fmt(m.seconds)


def _commit() -> str:
    return _version(["git", "-C", str(ROOT), "describe", "--always", "--dirty"])


def machine(args: argparse.Namespace) -> list[str]:
    """The header: date, command, machine and versions (taken when the run starts)."""
    cpu = next((ln.split(":", 1)[1].strip() for ln in _read("/proc/cpuinfo").splitlines()
                if ln.startswith("model name")), platform.processor() or "unknown")
    mem = next((int(ln.split()[1]) * 1024 for ln in _read("/proc/meminfo").splitlines()
                if ln.startswith("MemTotal")), 0)
    when = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return [
        f"Started {when}; `python bench/run.py {' '.join(sys.argv[1:])}`".rstrip(), "",
        f"- CPU: {cpu}, {len(os.sched_getaffinity(0))} cores available (`nproc`)",
        f"- RAM: {mem / 1e9:.1f} GB; {platform.platform()}",
        f"- Python {platform.python_version()}; {_version([PY, '-m', 'sheetsim', '--version'])}"
        f" (commit {_commit()}); "
        f"formulas {_pkg_version('formulas')}; xlsxwriter {_pkg_version('xlsxwriter')}",
        f"- {_version(['soffice', '--version'])}; {_version(['ssconvert', '--version'])}",
        "- load average (1, 5, 15 min) at the start: "
        + ", ".join(f"{x:.2f}" for x in os.getloadavg()),
    ]


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def _version(cmd: list[str]) -> str:
    if shutil.which(cmd[0]) is None:
        return f"{cmd[0]} not installed"
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=60, cwd=ROOT)
    except (OSError, subprocess.TimeoutExpired):
        return f"{cmd[0]}: no version"
    lines = (done.stdout or done.stderr).strip().splitlines()
    return lines[0].strip() if lines else f"{cmd[0]}: no version"


def _pkg_version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def report(results: list[Result], args: argparse.Namespace, header: list[str]) -> str:
    lines = [f"# sheetsim benchmark{' (quick smoke run)' if args.quick else ''}", "",
             *header,
             f"Medians of {args.reps} run(s) (formulas package and Gnumeric: {args.reps_slow}); "
             "times are wall-clock seconds of a whole subprocess, start-up included; "
             "RSS is the child's peak resident set; MB = 10⁶ bytes. "
             "Sizes are samples × width × layers.", "",
             "| size | cells | build s | write_row loop s | build / loop | verify s | "
             "formulas s | verify / formulas | LibreOffice s | verify / LO | "
             "RSS build MB | RSS verify MB | file MB |",
             "|" + " --- |" * 13]
    for r in results:
        f = r.formulas.seconds if r.formulas and not r.formulas.failed else float("nan")
        lines.append(
            f"| {r.size.name} {r.size.shape} | {r.size.cells():,} | {_time(r.build)} | "
            f"{_time(r.loop)} | {_fmt(_ratio(r.build.seconds, r.loop.seconds))} | "
            f"{_time(r.verify)} | {_time(r.formulas)} | {_fmt(_ratio(r.verify.seconds, f), 4)} | "
            f"{_time(r.libreoffice)} | {_fmt(_ratio(r.verify.seconds, r.libreoffice.seconds))} | "
            f"{_fmt(r.build.rss_mb, 0)} | {_fmt(r.verify.rss_mb, 0)} | {_fmt(r.file_mb, 1)} |")
    lines += ["", *targets(results, args.quick), "", *scaling(results), "", *details(results)]
    return "\n".join(lines) + "\n"


def targets(results: list[Result], quick: bool = False) -> list[str]:
    by = {r.size.name: r for r in results}
    rows: list[tuple[str, float, float, str]] = []  # what, measured, limit, unit
    if d := by.get("default"):
        f = d.formulas.seconds if d.formulas and not d.formulas.failed else float("nan")
        rows += [
            ("build / write_row loop", _ratio(d.build.seconds, d.loop.seconds), 0.3, "×"),
            ("verify / formulas package", _ratio(d.verify.seconds, f), 1 / 30, "×"),
            ("verify / LibreOffice recalc", _ratio(d.verify.seconds, d.libreoffice.seconds),
             0.1, "×"),
            ("peak RSS build", d.build.rss_mb, 300, " MB"),
            ("peak RSS verify", d.verify.rss_mb, 600, " MB"),
            ("file size", d.file_mb, 20, " MB"),
        ]
        if s := by.get("samples10k"):
            grow = s.size.samples / d.size.samples
            rows += [
                (f"build time at {grow:g}× samples", _ratio(s.build.seconds, d.build.seconds),
                 1.1 * grow, "×"),
                (f"verify time at {grow:g}× samples", _ratio(s.verify.seconds, d.verify.seconds),
                 1.1 * grow, "×"),
                (f"build RSS at {grow:g}× samples", _ratio(s.build.rss_mb, d.build.rss_mb),
                 grow / 2, "×"),
                (f"verify RSS at {grow:g}× samples", _ratio(s.verify.rss_mb, d.verify.rss_mb),
                 grow / 2, "×"),
            ]
    if not rows:
        return ["(targets need the default size)"]
    out = ["Targets (default size; \"clearly less than 10×\" memory is taken as at most 5×)"
           + (" — meaningless on the quick run's small shapes:" if quick else ":"),
           "", "| target | measured | limit | |", "| --- | --- | --- | --- |"]
    for what, got, limit, unit in rows:
        digits = 3 if limit < 0.1 else 2 if unit == "×" else 1
        verdict = "—" if got != got else ("met" if got <= limit else "**not met**")
        shown = "1/30" if abs(limit - 1 / 30) < 1e-12 else f"{limit:g}"
        measured = "not run" if got != got else f"{got:.{digits}f}{unit}"
        out.append(f"| {what} | {measured} | ≤ {shown}{unit} | "
                   f"{verdict} |")
    return out


def scaling(results: list[Result]) -> list[str]:
    by = {r.size.name: r for r in results}
    base = by.get("default")
    others = [r for r in results if r.size.name != "default"]
    if base is None or not others:
        return []
    out = ["Growth relative to the default size:", "",
           "| size | cells | build | verify | LibreOffice | file |",
           "| --- | --- | --- | --- | --- | --- |"]
    for r in others:
        def g(a: float, b: float) -> str:
            return f"×{_fmt(_ratio(a, b), 1)}"

        out.append(
            f"| {r.size.name} {r.size.shape} | {g(r.size.cells(), base.size.cells())} | "
            f"{g(r.build.seconds, base.build.seconds)} time, "
            f"{g(r.build.rss_mb, base.build.rss_mb)} RSS | "
            f"{g(r.verify.seconds, base.verify.seconds)} time, "
            f"{g(r.verify.rss_mb, base.verify.rss_mb)} RSS | "
            f"{g(r.libreoffice.seconds, base.libreoffice.seconds)} time | "
            f"{g(r.file_mb, base.file_mb)} |")
    return out


def details(results: list[Result]) -> list[str]:
    out = ["Every measurement (min–max over the runs; RSS the largest):", "",
           "| size | what | runs | median s | min–max s | peak RSS MB | note |",
           "| --- | --- | --- | --- | --- | --- | --- |"]
    for r in results:
        items: list[tuple[str, Measure | None, str]] = [
            ("sheetsim build", r.build, f"file {_fmt(r.file_mb, 1)} MB"),
            ("xlsxwriter write_row loop", r.loop, f"same numeric cells, file "
                                                  f"{_fmt(r.loop_file_mb, 1)} MB"),
            ("sheetsim verify", r.verify, ""),
            ("sheetsim recalc (LibreOffice)", r.libreoffice, "RSS: soffice (reaped by sheetsim)"),
            ("sheetsim recalc (Gnumeric)", r.gnumeric, ""),
            ("formulas package", r.formulas, r.formulas_note),
        ]
        for what, m, note in items:
            if m is None or not m.runs:
                continue
            if m.failed:
                note = f"failed: {m.error}"
            out.append(f"| {r.size.name} | {what} | {len(m.runs)} | {_time(m)} | {m.spread()} | "
                       f"{_fmt(m.rss_mb, 0)} | {note} |")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="default,samples10k,layers20",
                    help="comma-separated: default, samples10k, layers20")
    ap.add_argument("--reps", type=int, default=3, help="runs of each fast measurement")
    ap.add_argument("--reps-slow", type=int, default=1,
                    help="runs of the formulas package (and of Gnumeric)")
    ap.add_argument("--formulas-sizes", default="default",
                    help="sizes on which to run the formulas package ('' for none)")
    ap.add_argument("--gnumeric", action="store_true", help="also time Gnumeric's recalc")
    ap.add_argument("--build-only", action="store_true",
                    help="time sheetsim build and the write_row loop only (no verify, "
                         "engines or formulas package)")
    ap.add_argument("--timeout", type=float, default=600, help="seconds per fast run")
    ap.add_argument("--timeout-slow", type=float, default=900,
                    help="seconds per formulas package or engine run")
    ap.add_argument("--quick", action="store_true",
                    help="small shapes, one run each; prints only (unless --out)")
    ap.add_argument("--out", type=Path, help="Markdown file (default bench/RESULTS.md)")
    ap.add_argument("--keep", action="store_true", help="keep the workbooks and logs")
    args = ap.parse_args(argv)
    if args.quick:
        args.reps = args.reps_slow = 1
    shapes = QUICK if args.quick else FULL
    names = [s.strip() for s in args.sizes.split(",") if s.strip()]
    unknown = [n for n in names if n not in shapes]
    if unknown:
        ap.error(f"unknown size {unknown[0]!r}; choose from {', '.join(shapes)}")
    args.formulas_sizes = {s.strip() for s in args.formulas_sizes.split(",") if s.strip()}
    out = args.out or (None if args.quick else ROOT / "bench" / "RESULTS.md")

    header = machine(args)
    commit = _commit()
    work = Path(tempfile.mkdtemp(prefix="sheetsim-bench-"))
    try:
        results = [bench_size(shapes[n], args, work) for n in names]
    finally:
        if args.keep:
            print(f"workbooks and logs kept in {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    header.append(f"- load average at the end: {load}")
    if _commit() != commit:
        header.append(f"- **the work tree changed during the run** (now {_commit()})")
    text = report(results, args, header + [""])
    print(text)
    if out is not None:
        out.write_text(text)
        print(f"wrote {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
