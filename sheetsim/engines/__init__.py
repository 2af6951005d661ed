"""Headless LibreOffice and Gnumeric: full recalculation, rendering, and setting controls.

A workbook is trusted only when a real spreadsheet engine computes the numbers the reference
model and the evaluator computed. This package runs the engines without a display and without
touching the user's own settings, and hands back ordinary .xlsx/.pdf/.png files:

- ``recalc``: the engine loads the file, recalculates every formula and saves an .xlsx whose
  cached values are its own.
- ``render``: one sheet (the dashboard) as LibreOffice draws it, as PDF or PNG.
- ``set_cells_and_recalc``: set named controls (``Activation``, ``Init`` ...) as a person would
  in the workbook, recalculate and save.

Modules, by job:

- ``process``: finding the executables, the private folder, running under a time limit,
  killing the engine with all its children; ``EngineError`` and ``EngineMissing``.
- ``files``: the workbook checked before it reaches an engine, the result checked and moved
  into place after.
- ``libreoffice``: the throwaway profile that forces recalculation, conversion, the Basic
  macro behind ``set_cells_and_recalc``.
- ``gnumeric``: ``ssconvert --recalc``.
- ``rendering``: one sheet shown, the others hidden, drawn as PDF or PNG.
- ``dispatch``: ``recalc`` and ``version`` for the engine the caller names.

This package imports nothing of sheetsim but ``sheetsim.xlsx.safezip`` and ``sheetsim.atomic``.
"""

from sheetsim.engines.dispatch import recalc, version
from sheetsim.engines.libreoffice import set_cells_and_recalc
from sheetsim.engines.process import ENGINES, EngineError, EngineMissing, available, find_executable
from sheetsim.engines.rendering import render, show_only_sheet

__all__ = [
    "ENGINES",
    "EngineError",
    "EngineMissing",
    "available",
    "find_executable",
    "recalc",
    "render",
    "set_cells_and_recalc",
    "show_only_sheet",
    "version",
]
