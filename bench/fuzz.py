"""Mutation fuzzing at volume: many damaged copies of real workbooks through ``verify``.

The seeds and mutators are those of ``tests/test_fuzz.py``, kept in ``tests/fuzzing.py``:
a small workbook of every registered experiment (``experiments.REGISTRY``: a new one is a
seed without any change here) and the initialization experiment with the backward pass and
batch normalization, each also re-saved by LibreOffice and Gnumeric. Every mutant runs
``sheetsim verify -q`` in a forked child of this process; its exit status, stderr, wall
time and peak memory (beyond what it inherited at the fork) are recorded. A mutant that
breaks a rule (exit status other than 0/1/2, a traceback, exit 2 that is not one line naming
the file, an internal error the evaluator's net caught and reported as bad input, more than
``--limit-seconds`` of CPU time or ``--limit-mb`` of memory) is kept in
``--workdir``/found. CPU time rather than wall time is held against the limit because the
machine is shared: the wall time is reported beside it.

    python bench/fuzz.py                        # 2,000 mutants, kinds in turn, seed 1
    python bench/fuzz.py --mutants 20000 --seed 7
    python bench/fuzz.py --kinds "formula text,manifest" --mutants 500
    python bench/fuzz.py --no-engines           # seeds without the engines' re-saves

Prints the mutants tried by kind and by experiment (with their exit statuses), the
exit-status histogram, the slowest and the largest mutants, and every rule broken; a run
stopped by Ctrl-C or SIGTERM reports the mutants tried so far. Exit status 0 whatever it
finds.
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import signal
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fuzzing import (  # noqa: E402
    ENGINES,
    KINDS,
    Outcome,
    Seeded,
    experiment_of,
    make_seeds,
    mutate,
    read_members,
    run_forked,
)

MASKED = re.compile(r"cannot evaluate '.*': [A-Za-z]+(Error|Exception)\(")
"""The evaluator's net for its own bugs (a Python exception while evaluating a formula):
one line and exit 2 for the user, but a finding here."""


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main() -> int:
    """Run the fuzzing loop and print its report."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mutants", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=1, help="Random seed of the whole run.")
    ap.add_argument("--kinds", help="Comma-separated kinds (default: all, in turn).")
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/sheetsim-fuzz"))
    ap.add_argument("--no-engines", action="store_true",
                    help="Only sheetsim's own workbooks as seeds.")
    ap.add_argument("--limit-seconds", type=float, default=5.0)
    ap.add_argument("--limit-mb", type=float, default=300.0,
                    help="Peak memory per mutant, counted beyond the forked parent's.")
    ap.add_argument("--timeout", type=float, default=60.0, help="Kill a child after this.")
    args = ap.parse_args()

    kinds = [k.strip() for k in args.kinds.split(",")] if args.kinds else KINDS
    unknown = set(kinds) - set(KINDS)
    if unknown:
        ap.error(f"unknown kinds {sorted(unknown)}; allowed: {', '.join(KINDS)}")
    seeds_dir = args.workdir / "seeds"
    found_dir = args.workdir / "found"
    shutil.rmtree(args.workdir, ignore_errors=True)
    seeds_dir.mkdir(parents=True)
    found_dir.mkdir()
    started = time.monotonic()
    print(f"building seeds in {seeds_dir} ...", file=sys.stderr)
    seeds = make_seeds(seeds_dir, () if args.no_engines else ENGINES)
    loaded = {name: (read_members(p), p.read_bytes()) for name, p in seeds.items()}
    names = sorted(loaded)
    rng = random.Random(args.seed)
    mutant = args.workdir / "mutant.xlsx"

    by_kind: dict[str, Counter] = defaultdict(Counter)
    by_experiment: dict[str, Counter] = defaultdict(Counter)
    codes: Counter = Counter()
    runs: list[tuple[float, int, str, str, int, str, float]] = []
    broken: list[tuple[str, str, str, Path]] = []
    signal.signal(signal.SIGTERM, _interrupt)
    tried = 0
    try:
        for i in range(args.mutants):
            kind = kinds[i % len(kinds)]
            name = rng.choice(names)
            members, raw = loaded[name]
            mutant.write_bytes(mutate(Seeded(rng.getrandbits(64)), kind, members, raw))
            outcome: Outcome = run_forked(["verify", str(mutant), "-q"], timeout=args.timeout)
            code = outcome.code
            by_kind[kind][code] += 1
            by_experiment[experiment_of(name)][code] += 1
            codes[code] += 1
            first = (outcome.stderr.strip().splitlines() or outcome.stdout.strip().splitlines()
                     or [""])[0]
            runs.append((outcome.cpu, outcome.rss_kb, name, kind, code, first, outcome.seconds))
            problem = outcome.problem(mutant)
            if problem is None and MASKED.search(outcome.stderr):
                problem = "an internal error reported as bad input"
            if problem is None and outcome.cpu > args.limit_seconds:
                problem = f"took {outcome.cpu:.1f} s of CPU ({outcome.seconds:.1f} s wall)"
            if problem is None and outcome.rss_kb > args.limit_mb * 1024:
                problem = f"used {outcome.rss_kb / 1024:.0f} MB"
            if problem is not None:
                keep = found_dir / f"{i:06d}-{kind.replace('/', '_').replace(' ', '_')}.xlsx"
                shutil.copy(mutant, keep)
                broken.append((name, kind, f"{problem}: {outcome.stderr.strip()[-300:]}", keep))
            tried = i + 1
            if (i + 1) % 100 == 0:
                print(f"{i + 1:,} mutants, {len(broken)} rules broken", file=sys.stderr)
    except KeyboardInterrupt:  # Ctrl-C or SIGTERM: report the mutants tried so far
        print(f"stopped after {tried:,} mutants", file=sys.stderr)
    elapsed = time.monotonic() - started
    stopped = "" if tried == args.mutants else f" (stopped early, of {args.mutants:,} asked)"
    print(f"# sheetsim fuzz: {tried:,} mutants of {len(names)} seeds, seed {args.seed}, "
          f"{elapsed:.0f} s{stopped}\n")
    present = sorted(codes)
    print("| kind | tried | " + " | ".join(f"exit {c}" for c in present) + " |")
    print("| --- | ---: | " + " | ".join("---:" for _ in present) + " |")
    for kind in kinds:
        row = by_kind[kind]
        print(f"| {kind} | {sum(row.values()):,} | "
              + " | ".join(f"{row[c]:,}" for c in present) + " |")
    print("\n| seed experiment | tried | " + " | ".join(f"exit {c}" for c in present) + " |")
    print("| --- | ---: | " + " | ".join("---:" for _ in present) + " |")
    for experiment, row in sorted(by_experiment.items()):
        print(f"| {experiment} | {sum(row.values()):,} | "
              + " | ".join(f"{row[c]:,}" for c in present) + " |")
    print(f"\nexit statuses: {', '.join(f'{c}: {n:,}' for c, n in sorted(codes.items()))}\n")
    for title, key in (("slowest (CPU seconds)", 0), ("largest (memory beyond the parent)", 1)):
        print(f"{title}:")
        for cpu, rss, name, kind, code, first, wall in sorted(runs, key=lambda r: -r[key])[:5]:
            print(f"  {cpu:5.2f} s CPU ({wall:5.2f} s wall) {rss / 1024:6.1f} MB  exit {code}  "
                  f"{name} / {kind}: {first[:100]}")
        print()
    print(f"rules broken: {len(broken)}")
    for name, kind, problem, keep in broken:
        print(f"  {name} / {kind}: {problem} ({keep})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
