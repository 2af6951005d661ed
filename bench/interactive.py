"""What a user waits for in LibreOffice: opening a workbook and recalculating after a
control change, side by side with the floor, in one run.

For each workbook and each control change, a fresh LibreOffice loads the file without
recalculation (as a user opens it), the control is set through UNO, and ``calculate()``
(what AutoCalculate and F9 do) is timed alone. Every repetition runs every row once, the
floors included, so a change of load on a shared machine hits them all alike. The floor is
a bare xlsxwriter workbook with the same five matrix products, a plain TANH and one scale
control; the split floor writes each layer as the two blocks the manifest contract asks for
(the matrix product, then the activation), the floor of that shape. The constants-only
workbook of the same cell count is the floor for opening; the default workbook is also opened
with its charts removed, which shows what computing the charts' data at load costs.
``--per-cell`` adds both floors written as one plain formula per cell.
Medians and the spread (min–max) of ``--reps`` runs; nothing is asserted. The workbooks
timed are the table ``BOOKS``: the weight-initialization workbook at the size given, with
and without the backward pass and batch norm, the optimizer lab's descent-bowl preset,
training's default preset and the digits default (their own sizes); the ratio to the floor
is meaningful for the first two only.

    python bench/interactive.py                      # default size, 3 repetitions
    python bench/interactive.py --samples 200 --width 30 --reps 1   # a quick look
    python bench/interactive.py --only default,"optimizer lab (descent-bowl)"
    python bench/interactive.py --samples 10000 --only default --changes "Init → he" --reps 2
    python bench/interactive.py --only default --changes "Init → he" --per-cell
    python bench/interactive.py --only "digits (default)" --reps 2
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import xlsxwriter

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sheetsim import experiments  # noqa: E402
from sheetsim.build import writer  # noqa: E402
from sheetsim.engines import EngineError, interactive  # noqa: E402
from sheetsim.experiments import load_preset  # noqa: E402
from sheetsim.experiments.init.settings import Settings  # noqa: E402
from sheetsim.xlsx.cells import (  # noqa: E402
    Block,
    array_entry,
    cell,
    col_letter,
    formula_entry,
)

INIT_CHANGES = {
    "Init → he": {"Init": "he"},
    "Activation → tanh": {"Activation": "tanh"},
    "Sigma → 2": {"Sigma": 2},
    "Bins → 10": {"Bins": 10},
}
"""The control changes timed on every weight-initialization workbook."""


@dataclass(frozen=True)
class Book:
    """One row group of the table: a workbook and the control changes timed on it."""

    name: str
    settings: Callable[[dict], Any]
    """The size (samples, width, layers) → the settings; an experiment without those
    ignores it."""
    changes: dict[str, dict]


BOOKS = (
    Book("default", lambda shape: Settings(**shape), INIT_CHANGES),
    Book("backward + batch norm", lambda shape: Settings(
        **shape, backward=True, batchnorm=True, activation="relu", init="normal"), INIT_CHANGES),
    Book("optimizer lab (descent-bowl)", lambda shape: load_preset("descent-bowl"),
         {"LrSGD → 0.1": {"LrSGD": 0.1}, "Surface → valley": {"Surface": "valley"}}),
    Book("training (training-relu-he-adam)", lambda shape: load_preset("training-relu-he-adam"),
         {"Optimizer → sgd": {"Optimizer": "sgd"}, "Activation → tanh": {"Activation": "tanh"},
          "LearningRate → 0.1": {"LearningRate": 0.1}}),
    Book("digits (default)", lambda shape: experiments.resolve(experiments.get("digits")),
         {"LearningRate → 0.05": {"LearningRate": 0.05}, "Optimizer → adam": {"Optimizer": "adam"},
          "Activation → tanh": {"Activation": "tanh"}, "Loss → mse": {"Loss": "mse"}}),
)
"""Every workbook timed, one line each: a new experiment is one more ``Book``."""


def floor_workbook(path: Path, samples: int, width: int, layers: int,
                   split: bool = False, per_cell: bool = False) -> Path:
    """The bare floor: stored inputs and weights, per layer ``{=TANH(MMULT(prev, W)*Scale)}``
    with its cached values, one named scale control.

    ``split`` writes each layer as two blocks, ``{=MMULT(prev, W)*Scale}`` and
    ``{=TANH(A)}``, the shape the manifest contract asks of every workbook (a pre-activation
    block and an activation block per layer): the floor of that shape.

    ``per_cell`` writes every cell as its own plain formula instead of one array formula per
    block: ``=TANH(MMULT(row i of prev, column j of W)*Scale)`` (split: the product, then
    ``=TANH(A)`` of one cell), its references fixed in the column of the row and the row
    of the column, so that LibreOffice groups each column's formulas. Plain formulas keep
    their cached values at load, which array formulas do not: what the same work costs
    when no block is an array formula."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((samples, width))
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": per_cell})
    ctrl = wb.add_worksheet("Controls")
    ctrl.write_number(0, 1, 1.0)
    wb.define_name("Scale", formula_entry("Controls!$B$1"))
    Formula = Callable[[int, int], str]  # (row, col) of a cell → its formula (per_cell)
    sheets: dict[str, tuple[np.ndarray, str | Formula | None]] = {"Input": (x, None)}
    blocks = {"Input": Block("Input", "Input", 0, 0, samples, width, "floor")}
    last = col_letter(width - 1)
    prev = "Input"
    for k in range(1, layers + 1):
        w = rng.standard_normal((width, width)) / np.sqrt(width)
        a = sheets[prev][0] @ w
        names = {"w": f"W{k}_", "a": f"A{k}_", "z": f"Z{k}_"}
        for name in names.values():
            blocks[name] = Block(name, name, 0, 0, samples if name != names["w"] else width,
                                 width, "floor")
        if per_cell:
            def product(i: int, j: int, p: str = prev, wn: str = names["w"]) -> str:
                col = col_letter(j)
                return (f"MMULT({p}!$A{i + 1}:${last}{i + 1},"
                        f"{wn}!{col}$1:{col}${width})*Scale")

            def tanh_of(i: int, j: int, an: str = names["a"]) -> str:
                return f"TANH({an}!{cell(i, j)})"

            def tanh_product(i: int, j: int, product: Formula = product) -> str:
                return f"TANH({product(i, j)})"

            split_formulas: tuple[str | Formula, str | Formula] = (product, tanh_of)
            whole: str | Formula = tanh_product
        else:
            block_product = f"MMULT({blocks[prev].ref},{blocks[names['w']].ref})*Scale"
            split_formulas = (block_product, f"TANH({blocks[names['a']].ref})")
            whole = f"TANH({block_product})"
        sheets[names["w"]] = (w, None)
        if split:
            sheets[names["a"]] = (a, split_formulas[0])
            sheets[names["z"]] = (np.tanh(a), split_formulas[1])
        else:
            sheets[names["z"]] = (np.tanh(a), whole)
        prev = names["z"]
    for name, (values, formula) in sheets.items():
        ws = wb.add_worksheet(name)
        for i, row in enumerate(values):
            if formula is None:
                ws.write_row(i, 0, row.tolist())
            elif callable(formula):
                for j, v in enumerate(row):
                    ws.write_formula(i, j, formula_entry(formula(i, j)), None, float(v))
            else:
                for j, v in enumerate(row):
                    if i == j == 0:
                        b = blocks[name]
                        ws.write_array_formula(0, 0, b.rows - 1, b.cols - 1,
                                               array_entry(formula), None, float(v))
                    else:
                        ws.write_number(i, j, float(v))
    wb.close()
    return path


def cell_count(book: Path) -> int:
    """How many cells the workbook's sheets hold (each ``<c`` element, values and formulas):
    the size of the constants-only workbook that opening is compared with."""
    with zipfile.ZipFile(book) as z:
        count = sum(z.read(name).count(b"<c ") for name in z.namelist()
                    if name.startswith("xl/worksheets/sheet"))
    return count


def without_charts(source: Path, path: Path) -> Path:
    """A copy of ``source`` whose sheets no longer show their drawings (the charts): what
    opening costs without the charts that make LibreOffice compute what they show."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in src.namelist():
            data = src.read(name)
            if name.startswith("xl/worksheets/sheet"):
                data = re.sub(rb"<drawing r:id=\"[^\"]*\"/>", b"", data)
            dst.writestr(name, data)
    return path


def constants_workbook(path: Path, cells: int, width: int) -> Path:
    """Random floats only, as many as the workbook's cells: the floor of opening."""
    rng = np.random.default_rng(1)
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet("Data")
    rows = cells // width
    for i in range(rows):
        ws.write_row(i, 0, rng.random(width).tolist())
    wb.close()
    return path


def drive(book: Path, change: dict) -> dict:
    """One fresh LibreOffice: load without recalculation, set, calculate(); the seconds."""
    steps = [{"set": change, "read": False, "calculate_all": False}] if change else []
    try:
        report = interactive.drive(book, steps, timeout=900)
    except EngineError as exc:
        raise SystemExit(f"{book.name}: {exc}") from None
    out = {"load": report["seconds"]["load"]}
    if change:
        out["calculate"] = report["steps"][0]["seconds"]["calculate"]
    return out


def spread(values: list[float]) -> str:
    """``median (min–max)`` of a list of seconds."""
    return f"{statistics.median(values):.2f} ({min(values):.2f}–{max(values):.2f})"


def main() -> int:
    """Build, measure, print a Markdown table."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--samples", type=int, default=1000)
    ap.add_argument("--width", type=int, default=100)
    ap.add_argument("--layers", type=int, default=5)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--only", help="comma-separated workbook names of the table (default: all)")
    ap.add_argument("--per-cell", action="store_true",
                    help="also time the floors written one plain formula per cell "
                    "(about a minute more to build at the default size)")
    ap.add_argument("--changes", help="comma-separated changes to time, e.g. 'Init → he' "
                    "(default: every change of each workbook)")
    args = ap.parse_args()
    wanted = set(args.changes.split(",")) if args.changes else None
    shape = {"samples": args.samples, "width": args.width, "layers": args.layers}
    chosen = [b for b in BOOKS if not args.only or b.name in args.only.split(",")]
    with tempfile.TemporaryDirectory(prefix="sheetsim-bench-") as tmp:
        folder = Path(tmp)
        paths = {}
        for book in chosen:
            paths[book.name] = folder / f"{len(paths)}.xlsx"
            writer.build(book.settings(shape), paths[book.name])
        floor_name = f"floor: {args.layers} × TANH(MMULT) + Scale"
        split_name = f"split floor: {args.layers} × (MMULT + Scale, then TANH)"
        floors = {floor_name: ("floor", {}), split_name: ("split floor", {"split": True})}
        if args.per_cell:
            floors |= {f"per-cell {floor_name}": ("per-cell floor", {"per_cell": True}),
                       f"per-cell {split_name}": ("per-cell split floor",
                                                 {"split": True, "per_cell": True})}
        floor_books = {name: floor_workbook(folder / f"floor-{i}.xlsx", **shape, **options)
                       for i, (name, (_, options)) in enumerate(floors.items())}
        floor = floor_books[floor_name]
        uncharted = {b.name: without_charts(paths[b.name], folder / f"{i}-no-charts.xlsx")
                     for i, b in enumerate(chosen) if b.name == "default"}
        measured = paths.get("default", floor)  # opening is compared on the default workbook
        cells = cell_count(measured)
        constants = constants_workbook(folder / "constants.xlsx", cells, args.width)
        load = os.getloadavg()
        started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
        floor_calc: dict[str, list[float]] = {name: [] for name in floors}
        opening: dict[str, list[float]] = {"constants only": []}
        opening |= {short: [] for short, _ in floors.values()}
        calc: dict[tuple[str, str], list[float]] = {}
        for _ in range(args.reps):  # interleaved, so a change of load hits every row
            for name, (short, _) in floors.items():
                run = drive(floor_books[name], {"Scale": 0.5})
                floor_calc[name].append(run["calculate"])
                opening[short].append(run["load"])
            opening["constants only"].append(drive(constants, {})["load"])
            for name, path in uncharted.items():
                opening.setdefault(f"{name}, its charts removed", []).append(
                    drive(path, {})["load"])
            for book in chosen:
                for label, change in book.changes.items():
                    if wanted is not None and label not in wanted:
                        continue
                    run = drive(paths[book.name], change)
                    opening.setdefault(book.name, []).append(run["load"])
                    calc.setdefault((book.name, label), []).append(run["calculate"])
        base_calc = floor_calc[floor_name]
        rows = [(name, "Scale → 0.5", values, base_calc) for name, values in floor_calc.items()]
        rows += [(name, label, values, base_calc) for (name, label), values in calc.items()]
        print(f"Started {started}; {args.samples}×{args.width}×{args.layers}; "
              f"{args.reps} repetitions; load average at start "
              f"{load[0]:.2f}, {load[1]:.2f}, {load[2]:.2f}, at end "
              + ", ".join(f"{v:.2f}" for v in os.getloadavg()))
        print()
        print("| workbook | change | calculate() s, median (min–max) | / floor |")
        print("| --- | --- | --- | --- |")
        for name, label, values, base in rows:
            ratio = statistics.median(values) / statistics.median(base)
            print(f"| {name} | {label} | {spread(values)} | {ratio:.2f} |")
        print()
        print(f"The constants-only workbook holds {cells:,} numbers, as many as the cells of "
              f"{'the default workbook' if measured != floor else 'the floor'}.")
        print()
        print("| workbook | open (load without recalculation) s | / constants only |")
        print("| --- | --- | --- |")
        base = statistics.median(opening["constants only"])
        for name, values in opening.items():
            print(f"| {name} | {spread(values)} | {statistics.median(values) / base:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
