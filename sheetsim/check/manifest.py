"""The sheetsim manifest read back and checked: version, experiment, settings, blocks.

The manifest is a claim: its blocks must exist in the sheets and fit its settings, so
nothing downstream allocates by a size the manifest states unless the sheets hold it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from sheetsim import experiments
from sheetsim.config import DEFAULT_EXPERIMENT, ConfigError
from sheetsim.contract import (
    BLOCKS_ROW,
    CONFIG_CELL,
    EXPERIMENT_CELL,
    MANIFEST_SHEET,
    MARKER_CELL,
)
from sheetsim.experiments.base import UNIFORM
from sheetsim.xlsx.book import Book
from sheetsim.xlsx.cells import Block, cell, parse_range
from sheetsim.xlsx.reader import ReadError, block_values, short


@dataclass
class Manifest:
    """What the manifest says: the sheetsim version, the experiment and its settings as
    built, and every block's place. ``keys`` are the settings its config names: a file
    written before a setting existed names it not, and has no control for it."""

    version: str
    experiment: experiments.Experiment
    config: Any
    blocks: dict[str, Block]
    keys: frozenset[str] = frozenset()


def read(book: Book, path: Path | str = "") -> Manifest:
    """The manifest of ``book``, checked; ReadError (one line) when it cannot be trusted."""
    where = f"{path}: " if path else ""
    try:
        sheet = book.sheet(MANIFEST_SHEET)
    except KeyError:
        raise ReadError(f"{where}not a sheetsim workbook (no {MANIFEST_SHEET} sheet)") from None
    if sheet.value(*MARKER_CELL) != "sheetsim":
        raise ReadError(f"{where}not a sheetsim workbook (manifest has no sheetsim marker)")
    name = DEFAULT_EXPERIMENT
    if sheet.value(EXPERIMENT_CELL[0], EXPERIMENT_CELL[1] - 1) == "experiment":
        name = str(sheet.value(*EXPERIMENT_CELL))
    try:
        experiment = experiments.get(name)
    except ConfigError as exc:
        raise ReadError(f"{where}manifest names {exc}") from None
    try:
        data = json.loads(str(sheet.value(*CONFIG_CELL)))
        if not isinstance(data, dict):
            raise ValueError("config is not an object")
        settings = experiment.settings_type.from_mapping(data, source="manifest config")
    except (ValueError, TypeError, ConfigError) as exc:
        raise ReadError(f"{where}manifest config is unreadable ({short(exc)})") from None
    except RecursionError:
        raise ReadError(f"{where}manifest config is unreadable (nested too deeply)") from None
    blocks: dict[str, Block] = {}
    row = BLOCKS_ROW
    while True:
        name = sheet.value(row, 0)
        if not isinstance(name, str) or not name:
            break
        sheet_name, rng, kind = sheet.value(row, 1), sheet.value(row, 2), sheet.value(row, 3)
        try:
            r0, c0, nr, nc = parse_range(str(rng))
        except ValueError:
            raise ReadError(
                f"{where}manifest block {short(name)!r} has a bad range {short(rng)!r}"
            ) from None
        blocks[name] = Block(name, str(sheet_name), r0, c0, nr, nc, str(kind))
        row += 1
    _check_blocks(book, experiment, settings, blocks, where)
    version = sheet.value(MARKER_CELL[0], MARKER_CELL[1] + 1)
    return Manifest(str(version), experiment, settings, blocks, frozenset(data))


def _check_blocks(book: Book, experiment: experiments.Experiment, settings: Any,
                  blocks: dict[str, Block], where: str) -> None:
    if not blocks:
        raise ReadError(f"{where}manifest lists no blocks")
    for b in blocks.values():
        try:
            data = book.sheet(b.sheet)
        except KeyError:
            raise ReadError(f"{where}manifest block {b.name} is on sheet {b.sheet!r}, "
                            "which the workbook does not have") from None
        h, w = data.numbers.shape
        if b.row + b.rows > h or b.col + b.cols > w:
            held = f"whose cells end at {cell(h - 1, w - 1)}" if h and w else "which is empty"
            raise ReadError(f"{where}manifest block {b.name} ({b.sheet}!{short(b.range)}) "
                            f"lies outside sheet {b.sheet!r}, {held}")
    problem = experiment.check_plan(settings, blocks)
    if problem:
        raise ReadError(where + problem)
    for b in blocks.values():
        if b.kind != UNIFORM:
            continue
        u = block_values(book, b)
        bad = ~((u > 0) & (u < 1))  # NaN too: an empty or text cell
        if bad.any():
            i, j = (int(x) for x in np.argwhere(bad)[0])
            value = short(book.sheet(b.sheet).value(b.row + i, b.col + j), 30)
            raise ReadError(f"{where}block {b.name} holds a value that is not a uniform draw "
                            f"in (0, 1) at {b.address(i, j)} ({value}); {int(bad.sum()):,} "
                            "such values in all")
