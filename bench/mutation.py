"""Mutation testing of verification's core: does the test suite catch a wrong line?

Two kinds of mutants, both run against the fast, engine-free tests named below:

1. ``mutmut`` (PyPI) mutates every function body of the chosen modules (operators,
   comparisons, constants inside functions, arguments, return values) and runs the tests
   that cover each mutated function.
2. Hand-written mutants for what mutmut does not touch: the module-level tolerance
   constants and the *formula text* inside f-strings (``<=`` for ``<`` in a count formula),
   each applied to a copy of the tree and run with ``pytest -x``.

Everything happens in a copy of the tree (``--workdir``, default ``/tmp/sheetsim-mutation``):
the project itself is never modified. Not part of ``tests/run.sh``: a full run takes about an
hour on a busy 2-core machine. bench/MUTATION.md has the latest numbers and what survived.

    python bench/mutation.py                       # default scope, both kinds
    python bench/mutation.py --scope verify        # one scope of mutmut
    python bench/mutation.py --hand-only           # only the hand-written mutants
    python bench/mutation.py --every 10            # a sample: every 10th mutant
    python bench/mutation.py --names FILE          # only the mutants named in FILE
    python bench/mutation.py --report              # counts of the last run, by module

Needs ``pip install mutmut`` (3.x). Exit status 0 whatever the score; the numbers are the
output (a table by module: generated, killed, survived, other; then the survivors' names,
``mutmut show NAME`` in the workdir prints one).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

FAST_TESTS = ["tests/test_tolerance.py", "tests/test_verify.py", "tests/test_model.py",
              "tests/test_evaluator.py"]
"""Tests that run in seconds each, without engines; the preset-wide verify test is left
out by ``-k`` (it builds eleven full-size workbooks in every mutant's run)."""
DESELECT = "not every_preset and not engine"
HAND_TESTS = ["tests/test_tolerance.py", "tests/test_verify.py", "tests/test_build.py"]
"""The tests of a hand-written mutant (``pytest -x``: a killed one stops at the first)."""

SCOPES = {
    "verify": ["sheetsim/check/verify.py", "sheetsim/tolerance.py"],
    "reference": ["sheetsim/experiments/init/reference.py"],
    "formulas": ["sheetsim/experiments/init/formulas.py"],
    "evaluator": ["sheetsim/evaluator/values.py", "sheetsim/evaluator/functions.py",
                  "sheetsim/evaluator/lookup.py", "sheetsim/evaluator/parser.py",
                  "sheetsim/evaluator/workbook.py"],
}
DEFAULT_SCOPES = ("verify", "reference", "formulas", "evaluator")

HAND = [
    # (file, old, new, what): the tolerance constants (module level: mutmut leaves them)
    ("sheetsim/tolerance.py", "RTOL = 1e-9", "RTOL = 1e-8", "relative tolerance ×10"),
    ("sheetsim/tolerance.py", "RTOL = 1e-9", "RTOL = 1e-2", "relative tolerance 1e-2"),
    ("sheetsim/tolerance.py", "RTOL = 1e-9", "RTOL = 1e-10", "relative tolerance ÷10"),
    ("sheetsim/tolerance.py", "ATOL = 1e-12", "ATOL = 1e-11", "absolute tolerance ×10"),
    ("sheetsim/tolerance.py", "ATOL = 1e-12", "ATOL = 1e-13", "absolute tolerance ÷10"),
    ("sheetsim/tolerance.py", "BLOCK_FLOOR = 1e-2", "BLOCK_FLOOR = 1e-1", "block floor ×10"),
    ("sheetsim/tolerance.py", "BLOCK_FLOOR = 1e-2", "BLOCK_FLOOR = 1e-3", "block floor ÷10"),
    ("sheetsim/tolerance.py", "BLOCK_FLOOR = 1e-2", "BLOCK_FLOOR = 0.0", "no block floor"),
    # formula text: mutmut only turns strings into "XX...XX", never an operator inside one
    ("sheetsim/experiments/init/formulas.py", 'return f"({z}<={e})"', 'return f"({z}<{e})"',
     "count: <= made <"),
    ("sheetsim/experiments/init/formulas.py", 'return f"({z}>{e})"', 'return f"({z}>={e})"',
     "count: > made >="),
    ("sheetsim/experiments/init/formulas.py", 'return f"(({g}>{e})+({g}<-{e}))"',
     'return f"(({g}>={e})+({g}<-{e}))"', "gradient count: > made >="),
    ("sheetsim/experiments/init/formulas.py", 'return f"({g}<={e})*({g}>=-{e})"',
     'return f"({g}<{e})*({g}>=-{e})"', "gradient count: <= made <"),
    ("sheetsim/experiments/init/formulas.py", '"zero": f"COUNTIF({z},0)/COUNT({z})"',
     '"zero": f"COUNTIF({z},0)/COUNTA({z})"', "zero share: COUNT made COUNTA"),
    ("sheetsim/experiments/init/formulas.py", 'f"IF({index}<{NAME_BINS},',
     'f"IF({index}<={NAME_BINS},', "edges: < Bins made <="),
]


def copy_tree(work: Path, root: Path = ROOT) -> None:
    """The project's sources and tests into ``work`` (replaced), without outputs."""
    if work.exists():
        shutil.rmtree(work)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "output", "mutants", ".git",
                                    "*.xlsx", ".pytest_cache", ".hypothesis")
    work.mkdir(parents=True)
    for part in ("sheetsim", "tests", "templates"):
        shutil.copytree(root / part, work / part, ignore=ignore)
    shutil.copy(root / "README.md", work / "README.md")


def write_config(work: Path, files: list[str]) -> None:
    """mutmut's settings (setup.cfg of the copy: the project's pyproject stays as it is)."""
    lines = ["[mutmut]", "source_paths = sheetsim", "only_mutate ="]
    lines += [f"    {f}" for f in files]
    lines += ["pytest_add_cli_args_test_selection ="] + [f"    {t}" for t in FAST_TESTS]
    lines += ["pytest_add_cli_args =", "    -k", f"    {DESELECT}", "    -p",
              "    no:cacheprovider", "    -q", "use_git_change_detection = false",
              "timeout_multiplier = 5.0", ""]
    (work / "setup.cfg").write_text("\n".join(lines))


def module_of(name: str) -> str:
    """``sheetsim.check.verify.x_f__mutmut_3`` → ``sheetsim/check/verify.py``."""
    head = name.split(".x")[0] if ".x" in name else name.rsplit(".", 1)[0]
    return head.replace(".", "/") + ".py"


def results(work: Path) -> dict[str, str]:
    """Every mutant's status, from ``mutmut results --all true``."""
    out = subprocess.run(["mutmut", "results", "--all", "true"], cwd=work, text=True,
                         capture_output=True, check=False).stdout
    status: dict[str, str] = {}
    for line in out.splitlines():
        m = re.match(r"\s*(\S+__mutmut_\d+):\s*(.+?)\s*$", line)
        if m:
            status[m.group(1)] = m.group(2)
    return status


def table(status: dict[str, str]) -> str:
    """Generated / killed / survived / other, by module."""
    by: dict[str, Counter] = {}
    for name, st in status.items():
        by.setdefault(module_of(name), Counter())[st] += 1
    rows = ["| module | generated | killed | survived | other |", "| --- | --- | --- | --- | --- |"]
    total: Counter = Counter()
    for module, c in sorted(by.items()):
        n = sum(c.values())
        other = n - c["killed"] - c["survived"]
        rows.append(f"| {module} | {n} | {c['killed']} | {c['survived']} | {other} |")
        total.update(c)
    n = sum(total.values())
    rows.append(f"| all | {n} | {total['killed']} | {total['survived']} | "
                f"{n - total['killed'] - total['survived']} |")
    return "\n".join(rows)


def run_mutmut(work: Path, files: list[str], every: int, names_file: Path | None,
               children: int) -> None:
    """Generate the mutants of ``files`` and run all, every ``every``-th (by number within
    each function), or those listed in ``names_file``."""
    write_config(work, files)
    names: list[str] = []
    if every > 1 or names_file is not None:
        # generation and the coverage run alone: a filter that matches nothing stops there
        subprocess.run(["mutmut", "run", "no-such-mutant"], cwd=work, check=False,
                       capture_output=True)
        every_name = list(results(work))
        if names_file is not None:
            wanted = set(names_file.read_text().split())
            names = [n for n in every_name if n in wanted]
        else:
            names = [n for n in every_name
                     if int(n.rsplit("__mutmut_", 1)[1]) % every == 0]
    subprocess.run(["mutmut", "run", f"--max-children={children}", *names], cwd=work,
                   check=False)


def run_hand(work: Path, root: Path) -> list[tuple[str, str, str]]:
    """Each hand-written mutant in a fresh copy; killed when the fast tests fail."""
    out = []
    for file, old, new, what in HAND:
        copy_tree(work, root)
        path = work / file
        text = path.read_text()
        if old not in text:
            out.append((file, what, "not applicable (text changed)"))
            continue
        path.write_text(text.replace(old, new))
        started = time.perf_counter()
        tests = [t for t in HAND_TESTS if (work / t).exists()]  # an older tree has fewer
        rc = subprocess.run(
            [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "-k",
             DESELECT, *tests],
            cwd=work, capture_output=True, text=True, check=False,
        ).returncode
        verdict = "killed" if rc != 0 else "survived"
        out.append((file, what, f"{verdict} ({time.perf_counter() - started:.0f} s)"))
        print(f"{verdict:9} {file}: {what}", flush=True)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scope", action="append", choices=sorted(SCOPES))
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/sheetsim-mutation"))
    ap.add_argument("--root", type=Path, default=ROOT,
                    help="the tree to copy (default: this checkout, as it is on disk)")
    ap.add_argument("--every", type=int, default=1,
                    help="run only mutants whose number is a multiple of this (a sample)")
    ap.add_argument("--names", type=Path, help="run only the mutants named in this file")
    ap.add_argument("--max-children", type=int, default=2)
    ap.add_argument("--hand-only", action="store_true")
    ap.add_argument("--no-hand", action="store_true")
    ap.add_argument("--report", action="store_true", help="only print the last run's counts")
    args = ap.parse_args()
    work = args.workdir
    if args.report:
        status = results(work / "mutmut")
        print(table(status))
        print(json.dumps(sorted(n for n, s in status.items() if s == "survived"), indent=1))
        return 0
    if shutil.which("mutmut") is None and not args.hand_only:
        print("mutmut is not installed: pip install mutmut", file=sys.stderr)
        return 2
    if not args.hand_only:
        files = [f for s in (args.scope or DEFAULT_SCOPES) for f in SCOPES[s]]
        copy_tree(work / "mutmut", args.root)
        run_mutmut(work / "mutmut", files, args.every, args.names, args.max_children)
        print(table(results(work / "mutmut")))
    if not args.no_hand:
        for file, what, verdict in run_hand(work / "hand", args.root):
            print(f"| {file} | {what} | {verdict} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
