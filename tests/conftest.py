"""Shared fixtures: built workbooks (built once per session) and engine gating."""

from __future__ import annotations

import os
import shutil
import zipfile
from pathlib import Path

import pytest

from sheetsim.build import writer
from sheetsim.experiments import load_preset
from sheetsim.experiments.init.settings import Settings

SMALL = Settings(samples=60, width=8, layers=3, bins=10)


def build(exp: Settings, path: Path, fast: bool = True) -> Path:
    writer.build(exp, path, fast=fast)
    return path


@pytest.fixture(scope="session")
def default_book(tmp_path_factory) -> Path:
    return build(Settings(), tmp_path_factory.mktemp("default") / "sheetsim.xlsx")


@pytest.fixture(scope="session")
def small_book(tmp_path_factory) -> Path:
    return build(SMALL, tmp_path_factory.mktemp("small") / "small.xlsx")


@pytest.fixture
def small_copy(small_book, tmp_path) -> Path:
    target = tmp_path / "copy.xlsx"
    shutil.copy(small_book, target)
    return target


@pytest.fixture(scope="session")
def preset_books(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("presets")
    from sheetsim.config import preset_experiment, preset_names

    return {n: build(load_preset(n), folder / f"{n}.xlsx") for n in preset_names()
            if preset_experiment(n) == "init"}


def cell_xml(path: Path, sheet: str, ref: str) -> str:
    """The ``<c>`` element of cell ``ref`` on ``sheet``, as the file stores it."""
    import re

    with zipfile.ZipFile(path) as zf:
        xml = zf.read(sheet_part(path, sheet)).decode()
    m = re.search(rf'<c r="{ref}"[^>]*>.*?</c>', xml)
    assert m, ref
    return m.group(0)


def sheet_part(path: Path, sheet: str) -> str:
    """The zip member holding a sheet, found through workbook.xml and its relationships."""
    from xml.etree import ElementTree as ET

    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    rel_ns = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    with zipfile.ZipFile(path) as zf:
        wb = ET.fromstring(zf.read("xl/workbook.xml"))
        rels = ET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    rid = next(s.get(rel_ns) for s in wb.iter(f"{main}sheet") if s.get("name") == sheet)
    target = next(r.get("Target") for r in rels if r.get("Id") == rid)
    return target.lstrip("/") if target.startswith("/") else "xl/" + target


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
    patch_part(path, sheet_part(path, sheet), old, new, count)


def need(tool: str) -> None:
    """Skip a test whose tool is missing; fail instead under SHEETSIM_REQUIRE_ENGINES=1."""
    from sheetsim import engines

    if engines.available(tool):
        return
    if os.environ.get("SHEETSIM_REQUIRE_ENGINES") == "1":
        pytest.fail(f"{tool} is required (SHEETSIM_REQUIRE_ENGINES=1) but not installed")
    pytest.skip(f"{tool} is not installed")
