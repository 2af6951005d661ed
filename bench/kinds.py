"""Where LibreOffice spends a recalculation, formula kind by formula kind.

Builds the weight-initialization workbook in variants that each replace one kind of formula
with something trivial (a constant, or a plain TANH for the activation), then times, with
``bench/interactive.py``'s machinery and in one run, LibreOffice's ``calculate()`` after a
control change on each variant side by side with the full workbook and the bare-MMULT
floor. The time a kind costs is the full workbook's time minus the variant's. The variants
compute wrong numbers on purpose: they exist only to be timed. Nothing is asserted.

    python bench/kinds.py                        # default size, Init → he, 2 repetitions
    python bench/kinds.py --backward --reps 3    # the backward + batch-norm workbook
    python bench/kinds.py --only counts,histogram --change Bins=10   # ways of counting
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import interactive as bench  # noqa: E402  (bench/interactive.py)

from sheetsim.build import writer  # noqa: E402
from sheetsim.experiments.init import formulas  # noqa: E402
from sheetsim.experiments.init.layout import layer_names  # noqa: E402
from sheetsim.experiments.init.settings import Settings  # noqa: E402

Patch = dict[str, Callable]


def _zero(*_args: object, **_kw: object) -> formulas.Entry:
    return "0", False


def _no_frequency(*_args: object, **_kw: object) -> str:
    return "0"


PATCHES: dict[str, Patch] = {
    "activation → plain TANH": {
        "activation": lambda plan, k: f"TANH({plan.pre_activation(k).ref})"},
    "statistics → 0": {"stat": _zero, "grad_stat": _zero},
    "histogram counts → 0": {"count": _zero, "frequency": _no_frequency},
    "weights → NORM.S.INV(u)·scale": {
        "weights": lambda plan, k: (f"{formulas.NORM_S_INV}({plan.layer_block(k, 'u').ref})"
                                    f"*{layer_names(k)['scale']}")},
    "input → the uniform draws": {"input_values": lambda plan: plan.blocks["input_u"].ref},
    "batch-norm column statistics → 0": {"column_stat": _zero},
    "batch norm → A itself": {"batchnorm": lambda plan, k: plan.layer_block(k, "a").ref},
    "backward slope → 1": {"grad_pre": lambda plan, k: formulas._incoming(plan, k)},
    "counts by SUMPRODUCT up to an edge − the bins before": {
        "count": lambda plan, k, row, prefix="": _per_bin(plan, k, row, prefix, _up_to),
        "frequency": _no_frequency},
    "counts as interval products": {
        "count": lambda plan, k, row, prefix="": _per_bin(plan, k, row, prefix, _interval),
        "frequency": _no_frequency},
    "counts as two counts up to an edge": {
        "count": lambda plan, k, row, prefix="": _per_bin(plan, k, row, prefix, _two),
        "frequency": _no_frequency},
    "counts by COUNTIFS": {
        "count": lambda plan, k, row, prefix="": _per_bin(plan, k, row, prefix, _countifs),
        "frequency": _no_frequency},
    "counts by COUNTIF up to an edge − the bins before": {
        "count": lambda plan, k, row, prefix="": _per_bin(plan, k, row, prefix, _countif),
        "frequency": _no_frequency},
}
"""One kind replaced at a time: variant name → formula builders replaced. The ``counts …``
variants are the other ways of counting, one formula per bin, each reading the layer's
block once or twice per bin (``--only counts``); the workbook's own counts are one
FREQUENCY per layer (one pass), which these variants replace by 0."""


def _per_bin(plan, k: int, row: int, prefix: str, bin_text) -> formulas.Entry:
    """Bin ``row`` of layer k by one formula of its own: ``bin_text(z, lower, upper, before)``
    for the bins up to the last edge (``lower`` None for the first), the values above the
    last edge for the last row. Outputs only; gradient counts → 0."""
    if prefix:
        return "0", False
    z, e = plan.layer_block(k, "z").ref, plan.blocks["edges"]
    if row == e.rows:
        return formulas.listens(plan, f"SUMPRODUCT(({z}>{plan.range_names[1]})*1)")
    lower = e.cell_ref(row - 1, 0) if row else None
    before = formulas.replace(plan.blocks[f"L{k}_counts"], rows=row).ref if row else None
    return formulas.listens(plan, bin_text(z, lower, e.cell_ref(row, 0), before))


def _up_to(z: str, lower: str | None, upper: str, before: str | None) -> str:
    """The values up to the upper edge minus the file's counts of the bins before."""
    up_to = f"SUMPRODUCT(({z}<={upper})*1)"
    return up_to if before is None else f"{up_to}-SUM({before})"


def _interval(z: str, lower: str | None, upper: str, before: str | None) -> str:
    """(data > lower edge) · (data <= upper edge): two comparisons per value."""
    if lower is None:
        return f"SUMPRODUCT(({z}<={upper})*1)"
    return f"SUMPRODUCT(({z}>{lower})*({z}<={upper}))"


def _two(z: str, lower: str | None, upper: str, before: str | None) -> str:
    """(values up to the upper edge) − (values up to the lower edge)."""
    if lower is None:
        return f"SUMPRODUCT(({z}<={upper})*1)"
    return f"SUMPRODUCT(({z}<={upper})*1)-SUMPRODUCT(({z}<={lower})*1)"


def _countifs(z: str, lower: str | None, upper: str, before: str | None) -> str:
    """COUNTIFS with text criteria (the edges turned into text)."""
    if lower is None:
        return f'COUNTIF({z},"<="&{upper})'
    return f'COUNTIFS({z},">"&{lower},{z},"<="&{upper})'


def _countif(z: str, lower: str | None, upper: str, before: str | None) -> str:
    """COUNTIF of the values up to the edge (text criterion) − the bins before."""
    up_to = f'COUNTIF({z},"<="&{upper})'
    return up_to if before is None else f"{up_to}-SUM({before})"


FORWARD = ("activation → plain TANH", "statistics → 0", "histogram counts → 0",
           "weights → NORM.S.INV(u)·scale", "input → the uniform draws")
BACKWARD = FORWARD + ("batch-norm column statistics → 0", "batch norm → A itself",
                      "backward slope → 1")


@contextlib.contextmanager
def patched(patch: Patch) -> Iterator[None]:
    """Replace formula builders of ``formulas`` for the duration of a build."""
    saved = {name: getattr(formulas, name) for name in patch}
    try:
        for name, fn in patch.items():
            setattr(formulas, name, fn)
        yield
    finally:
        for name, fn in saved.items():
            setattr(formulas, name, fn)


def main() -> int:
    """Build the variants, time them, print a Markdown table."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--samples", type=int, default=1000)
    ap.add_argument("--width", type=int, default=100)
    ap.add_argument("--layers", type=int, default=5)
    ap.add_argument("--reps", type=int, default=2)
    ap.add_argument("--backward", action="store_true",
                    help="the backward + batch-norm workbook (ReLU, normal init)")
    ap.add_argument("--auto-range", action="store_true", help="the auto histogram range")
    ap.add_argument("--change", help="the control change timed, NAME=VALUE (default: Init → "
                    "he, or xavier when the workbook's Init is he); Bins=10 times the counts")
    ap.add_argument("--only", help="variants whose names start so, comma-separated "
                    "(default: the kinds that apply)")
    args = ap.parse_args()
    if args.only:
        names = tuple(n for n in PATCHES if any(n.startswith(o) for o in args.only.split(",")))
    shape = {"samples": args.samples, "width": args.width, "layers": args.layers}
    extra: dict = {"range_mode": "auto"} if args.auto_range else {}
    if args.backward:
        extra |= {"backward": True, "batchnorm": True, "activation": "relu", "init": "normal"}
    settings = Settings(**shape, **extra)
    if not args.only:
        names = BACKWARD if args.backward else FORWARD
    change = {"Init": "he"} if settings.init != "he" else {"Init": "xavier"}
    if args.change:
        name, _, value = args.change.partition("=")
        change = {name: float(value) if value.replace(".", "", 1).isdigit() else value}
    label = ", ".join(f"{k} → {v}" for k, v in change.items())
    with tempfile.TemporaryDirectory(prefix="sheetsim-kinds-") as tmp:
        folder = Path(tmp)
        books = {"full workbook": folder / "full.xlsx"}
        writer.build(settings, books["full workbook"])
        for i, name in enumerate(names):
            books[name] = folder / f"v{i}.xlsx"
            with patched(PATCHES[name]):
                writer.build(settings, books[name])
        floor = bench.floor_workbook(folder / "floor.xlsx", **shape)
        load = os.getloadavg()
        started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
        floor_runs, runs = [], {}
        for _ in range(args.reps):  # interleaved, so a change of load hits every variant
            floor_runs.append(bench.drive(floor, {"Scale": 0.5}))
            for name, path in books.items():
                runs.setdefault(name, []).append(bench.drive(path, change))
        end = os.getloadavg()
    floor_s = statistics.median(r["calculate"] for r in floor_runs)
    full_s = statistics.median(r["calculate"] for r in runs["full workbook"])
    print(f"Started {started}; {args.samples}×{args.width}×{args.layers}"
          f"{'; backward + batch norm' if args.backward else ''}"
          f"{'; auto range' if args.auto_range else ''}; change {label}; {args.reps} "
          f"repetitions; load average at start {load[0]:.2f}, {load[1]:.2f}, {load[2]:.2f}, "
          f"at end {end[0]:.2f}, {end[1]:.2f}, {end[2]:.2f}")
    print()
    print("| workbook | calculate() s, median (min–max) | / floor | kind's share (full − variant) "
          "| open s |")
    print("| --- | --- | --- | --- | --- |")
    print(f"| floor: {args.layers} × TANH(MMULT) + Scale | "
          f"{bench.spread([r['calculate'] for r in floor_runs])} | 1.00 | | "
          f"{bench.spread([r['load'] for r in floor_runs])} |")
    for name, values in runs.items():
        calc = [r["calculate"] for r in values]
        med = statistics.median(calc)
        share = "" if name == "full workbook" else f"{full_s - med:+.2f} s"
        print(f"| {name} | {bench.spread(calc)} | {med / floor_s:.2f} | {share} | "
              f"{bench.spread([r['load'] for r in values])} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
