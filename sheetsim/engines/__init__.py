"""Headless LibreOffice and Gnumeric: full recalculation, rendering, and setting controls.

A workbook is trusted only when a real spreadsheet engine computes the numbers the reference
model and the evaluator computed. This package runs the engines without a display and without
touching the user's own settings, and hands back ordinary .xlsx/.pdf/.png files:

- ``recalc``: the engine loads the file, recalculates every formula and saves an .xlsx whose
  cached values are its own.
- ``render``: one sheet, or the whole workbook as a handout, as LibreOffice prints it, as
  PDF or PNG.
- ``set_cells_and_recalc``: set named controls (``Activation``, ``Init`` ...) as a person would
  in the workbook, recalculate and save.
- ``interactive.drive``: the same in a running LibreOffice through UNO, recalculating only
  what LibreOffice marks dirty, as AutoCalculate does; every formula value read back.

Modules, by job:

- ``process``: finding the executables, the private folder, running under a time limit,
  a server for the length of a ``with`` block, killing the engine with all its children;
  ``EngineError`` and ``EngineMissing``.
- ``soffice``: the throwaway LibreOffice profile (recalculate on load or never) and the
  options of every run; standard library only.
- ``files``: the workbook checked before it reaches an engine, the result checked and moved
  into place after.
- ``libreoffice``: conversion, the Basic macro behind ``set_cells_and_recalc``.
- ``gnumeric``: ``ssconvert --recalc``.
- ``rendering``: soffice started, ``render_uno`` (the part that speaks UNO) beside it
  exporting one sheet or all of them as PDF; a PNG of its first page.
- ``dispatch``: ``recalc`` and ``version`` for the engine the caller names.
- ``interactive``: ``drive``, which starts soffice and runs ``interactive_uno`` (the part that
  speaks UNO, under Debian's python3) beside it.

This package imports nothing of sheetsim but ``sheetsim.xlsx.safezip``, ``sheetsim.xlsx.cells``
and ``sheetsim.atomic``.
"""

from sheetsim.engines.dispatch import recalc, version
from sheetsim.engines.libreoffice import set_cells_and_recalc
from sheetsim.engines.process import ENGINES, EngineError, EngineMissing, available, find_executable
from sheetsim.engines.rendering import render

__all__ = [
    "ENGINES",
    "EngineError",
    "EngineMissing",
    "available",
    "find_executable",
    "recalc",
    "render",
    "set_cells_and_recalc",
    "version",
]
