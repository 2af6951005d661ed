"""`sheetsim verify` against LibreOffice's full recalculation, workbook by workbook.

Builds every experiment's default, every preset and the optimizer lab of 200 steps
(`sheetsim build descent --steps 200`), then times, on each file and interleaved,
`sheetsim verify -q FILE` and `sheetsim recalc FILE --engine libreoffice` (headless full
recalculation and save), each a whole subprocess, start-up included. Prints a Markdown table
of medians with min–max and the ratio verify ÷ LibreOffice against the target (≤ 0.5×).
bench/README.md says exactly what is run.

    python bench/verify_speed.py                    # everything, 3 repetitions
    python bench/verify_speed.py --only descent-200,training --reps 5
    python bench/verify_speed.py --list             # the workbook names, nothing run
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as bench  # noqa: E402  (bench/run.py: child processes, timing, versions)

from sheetsim import config, experiments  # noqa: E402
from sheetsim.xlsx import reader  # noqa: E402

TARGET = 0.5
"""verify ÷ LibreOffice's full recalculation, at most."""
LAB = ("descent-200", ["descent", "--steps", "200"])


@dataclass
class Book:
    """One workbook of the run: its name and the build arguments after `sheetsim build`."""

    name: str
    build: list[str]


def books() -> list[Book]:
    """The 200-step lab, then each experiment's default followed by its presets."""
    out = [Book(*LAB)]
    for name, experiment in experiments.REGISTRY.items():
        out.append(Book(name, [name]))
        out += [Book(p, ["--preset", p]) for p in experiments.presets_of(experiment)]
    missing = sorted(set(config.preset_names()) - {b.name for b in out})
    return out + [Book(p, ["--preset", p]) for p in missing]


@dataclass
class Row:
    book: Book
    cells: int
    verify: bench.Measure
    libreoffice: bench.Measure

    @property
    def ratio(self) -> float:
        return bench._ratio(self.verify.seconds, self.libreoffice.seconds)


def formula_cells(path: Path) -> int:
    """The cells the file's formulas cover (what verify evaluates)."""
    return sum(f.rows * f.cols for f in reader.read(path).formulas)


def measure(book: Book, args: argparse.Namespace, work: Path) -> Row | None:
    path = work / f"{book.name}.xlsx"
    built = bench.run([bench.PY, "-m", "sheetsim", "build", *book.build, "-o", str(path), "-q"],
                      args.timeout, work / f"{book.name}.build.log")
    if built.code != 0:
        print(f"{book.name}: build failed ({built.error})", file=sys.stderr)
        return None
    verify, libreoffice = bench.Measure(), bench.Measure()
    commands = (
        (verify, "verify", [bench.PY, "-m", "sheetsim", "verify", "-q", str(path)]),
        (libreoffice, "libreoffice",
         [bench.PY, "-m", "sheetsim", "recalc", str(path), "--engine", "libreoffice",
          "-o", str(work / f"{book.name}.lo.xlsx"), "-q"]),
    )
    for i in range(args.reps):  # interleaved, so that a busy minute hits both sides
        for m, label, cmd in commands:
            r = bench.run(cmd, args.timeout, work / f"{book.name}.{label}.{i}.log")
            m.runs.append(r)
            state = "ok" if r.code == 0 else f"FAILED ({r.error})"
            print(f"  {book.name:<24} {label:<12} {i + 1}/{args.reps} {r.seconds:7.2f} s  {state}",
                  file=sys.stderr, flush=True)
    return Row(book, formula_cells(path), verify, libreoffice)


def table(rows: list[Row]) -> list[str]:
    out = [f"| workbook | formula cells | verify s (min–max) | LibreOffice s (min–max) | "
           f"verify ÷ LibreOffice | ≤ {TARGET}× |",
           "| --- | --- | --- | --- | --- | --- |"]
    for row in rows:
        ratio = row.ratio
        verdict = "—" if ratio != ratio else ("met" if ratio <= TARGET else "not met")
        out.append(
            f"| {row.book.name} | {row.cells:,} | {bench._time(row.verify)} "
            f"({row.verify.spread()}) | {bench._time(row.libreoffice)} "
            f"({row.libreoffice.spread()}) | {bench._fmt(ratio)} | {verdict} |")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=3, help="repetitions of each side")
    parser.add_argument("--only", default="",
                        help="comma-separated workbook names, run in the order given")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds per child")
    parser.add_argument("--out", type=Path, help="also write the report here")
    parser.add_argument("--keep", action="store_true", help="keep the workbooks and logs")
    parser.add_argument("--list", action="store_true", help="print the workbook names")
    args = parser.parse_args(argv)
    chosen = books()
    if args.list:
        print("\n".join(b.name for b in chosen))
        return 0
    if args.only:
        names = [n.strip() for n in args.only.split(",") if n.strip()]
        unknown = sorted(set(names) - {b.name for b in chosen})
        if unknown:
            print(f"verify_speed: unknown workbook {', '.join(unknown)}", file=sys.stderr)
            return 2
        by_name = {b.name: b for b in chosen}
        chosen = [by_name[n] for n in dict.fromkeys(names)]  # in the order given
    when = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    header = [f"Started {when}; `python bench/verify_speed.py {' '.join(sys.argv[1:])}`",
              "", f"- commit {bench._commit()}; {bench._version(['soffice', '--version'])}",
              "- load average (1, 5, 15 min) at the start: "
              + ", ".join(f"{x:.2f}" for x in os.getloadavg())]
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="verify_speed.") as tmp:
        work = Path(tmp)
        for book in chosen:
            print(f"{book.name}: sheetsim build {' '.join(book.build)}", file=sys.stderr)
            row = measure(book, args, work)
            if row is not None:
                rows.append(row)
                if args.out is not None:  # the rows so far, should the run be cut short
                    args.out.write_text("\n".join(header + [""] + table(rows)) + "\n")
        if args.keep:
            kept = Path(tempfile.mkdtemp(prefix="verify_speed.kept."))
            for p in work.iterdir():
                p.rename(kept / p.name)
            print(f"workbooks and logs kept in {kept}", file=sys.stderr)
    header.append("- load average at the end: " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))
    met = [r for r in rows if r.ratio <= TARGET]
    ratios = [r.ratio for r in rows if r.ratio == r.ratio]
    summary = [
        "", f"Medians of {args.reps}; wall-clock seconds of whole subprocesses, start-up "
        "included. Target: verify ≤ 0.5× LibreOffice on every workbook.", "",
        f"**{len(met)} of {len(rows)} workbooks meet the target**"
        + (f"; ratios from {min(ratios):.2f} to {max(ratios):.2f}, median "
           f"{statistics.median(ratios):.2f}." if ratios else "."),
    ]
    text = "\n".join(header + [""] + table(rows) + summary) + "\n"
    print(text)
    if args.out is not None:
        args.out.write_text(text)
    return 0 if rows else 1


if __name__ == "__main__":
    sys.exit(main())
