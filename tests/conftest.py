"""Shared fixtures: built workbooks (built once per session). The helpers test modules
share are in ``tests/helpers.py``; test modules never import this file or each other."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest

from sheetsim.experiments.init.settings import Settings

from .helpers import SMALL, build


@pytest.fixture(scope="session")
def default_book(tmp_path_factory) -> Path:
    """The initialization experiment's default workbook (full size)."""
    return build(Settings(), tmp_path_factory.mktemp("default") / "init.xlsx")


@pytest.fixture(scope="session")
def small_book(tmp_path_factory) -> Path:
    """A small initialization workbook (``helpers.SMALL``)."""
    return build(SMALL, tmp_path_factory.mktemp("small") / "small.xlsx")


@pytest.fixture
def small_copy(small_book, tmp_path) -> Path:
    """A copy of ``small_book`` that a test may change."""
    target = tmp_path / "copy.xlsx"
    shutil.copy(small_book, target)
    return target


@pytest.fixture
def private_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Route this process's tempfile (so every private folder sheetsim makes for an engine)
    to a folder of the test's own, to see that nothing is left in it."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder
