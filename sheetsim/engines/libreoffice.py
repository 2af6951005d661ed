"""LibreOffice headless: conversion with recalculation, and a Basic macro.

Every run gets a throwaway profile (``soffice.profile``) whose settings say "always
recalculate on load"; the user's own profile is never touched. ``convert`` loads a workbook
in it and saves it as .xlsx or PDF.

``set_cells_and_recalc`` sets named controls (``Activation``, ``Init`` ...) as a person would
in the workbook, recalculates and saves: a generated LibreOffice Basic macro is put in the
throwaway profile and run, so no python3-uno is needed.
"""

from __future__ import annotations

import html
import math
import re
import time
from collections.abc import Mapping
from pathlib import Path

from sheetsim.engines.files import (
    check_paths,
    check_result,
    check_source,
    copy_in,
    engine_result,
    place,
)
from sheetsim.engines.process import EngineError, last_line, require, run, workdir
from sheetsim.engines.soffice import options, profile

XLSX_FILTER = "xlsx:Calc MS Excel 2007 XML"
PDF_FILTER = "pdf:calc_pdf_Export"

_LIB_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE library:{kind} PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "{dtd}">
"""
_SCRIPT_XLC = _LIB_HEAD.format(kind="libraries", dtd="libraries.dtd") + """\
<library:libraries xmlns:library="http://openoffice.org/2000/library" \
xmlns:xlink="http://www.w3.org/1999/xlink">
 <library:library library:name="Standard" library:link="false"/>
</library:libraries>
"""
_SCRIPT_XLB = _LIB_HEAD.format(kind="library", dtd="library.dtd") + """\
<library:library xmlns:library="http://openoffice.org/2000/library" library:name="Standard" \
library:readonly="false" library:passwordprotected="false">
 <library:element library:name="Module1"/>
</library:library>
"""
_DIALOG_XLB = _LIB_HEAD.format(kind="library", dtd="library.dtd") + """\
<library:library xmlns:library="http://openoffice.org/2000/library" library:name="Standard" \
library:readonly="false" library:passwordprotected="false"/>
"""
_MODULE_XBA = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE script:module PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "module.dtd">
<script:module xmlns:script="http://openoffice.org/2000/script" script:name="Module1" \
script:language="StarBasic">{code}</script:module>
"""

# The macro: open hidden, set each named cell, recalculate, save as xlsx, report to a file.
# Statement separators (":") are avoided: LibreOffice 7.4 silently skipped such a macro.
_MACRO = """
Sub SheetsimMain
  Dim oDoc As Object
  Dim oCell As Object
  Dim oNames As Object
  On Error GoTo Fail
  Dim aLoad(0) As New com.sun.star.beans.PropertyValue
  aLoad(0).Name = "Hidden"
  aLoad(0).Value = True
  oDoc = StarDesktop.loadComponentFromURL({src}, "_blank", 0, aLoad())
  If IsNull(oDoc) Then
    SheetsimStatus("cannot open the workbook")
    Exit Sub
  End If
  oNames = oDoc.NamedRanges
{sets}
  oDoc.calculateAll()
  Dim aSave(0) As New com.sun.star.beans.PropertyValue
  aSave(0).Name = "FilterName"
  aSave(0).Value = "Calc MS Excel 2007 XML"
  oDoc.storeToURL({dst}, aSave())
  oDoc.close(True)
  SheetsimStatus("ok")
  Exit Sub
Fail:
  SheetsimStatus("Basic error " & Err & ": " & Error$)
  On Error Resume Next
  If Not IsNull(oDoc) Then oDoc.close(True)
End Sub

Function SheetsimCell(oNames As Object, sName As String) As Object
  If Not oNames.hasByName(sName) Then
    SheetsimStatus("no defined name " & sName)
    SheetsimCell = Nothing
    Exit Function
  End If
  SheetsimCell = oNames.getByName(sName).getReferredCells().getCellByPosition(0, 0)
End Function

Sub SheetsimStatus(sText As String)
  Dim n As Integer
  n = FreeFile
  Open {status} For Output As #n
  Print #n, sText
  Close #n
End Sub
"""

_SET_CELL = """  oCell = SheetsimCell(oNames, {name})
  If IsNull(oCell) Then
    oDoc.close(True)
    Exit Sub
  End If
  oCell.{setter}({value})
"""

_NAME_RE = re.compile(r"^[A-Za-z_\\][A-Za-z0-9_.]*$")


def convert(exe: str, book: Path, work: Path, target: str, timeout: float) -> Path:
    """Convert ``book`` with a forced-recalc private profile; returns the written file.

    ``target`` is a ``--convert-to`` argument, ``XLSX_FILTER`` or ``PDF_FILTER``; the file is
    written in ``work/out`` and checked before it is returned.
    """
    outdir = work / "out"
    outdir.mkdir()
    cmd = [exe, *options(profile(work)), "--convert-to", target, "--outdir", str(outdir),
           str(book)]
    rc, err = run(cmd, "LibreOffice", timeout, cwd=work)
    return engine_result(outdir / (book.stem + "." + target.split(":", 1)[0]), rc, err,
                         "LibreOffice")


def set_cells_and_recalc(src: Path, dst: Path, values: Mapping[str, str | float],
                         timeout: float = 600) -> Path:
    """Set named cells in LibreOffice, recalculate and save as .xlsx at ``dst``.

    Keys are workbook-level defined names (``Activation``, ``Init`` ...), each naming a cell;
    a str is entered as text, a number as a number. This is what a person choosing from a
    control's dropdown does, so the saved file shows the engine's answer to that choice.
    """
    src, dst = Path(src), Path(dst)
    check_paths(src, dst, (".xlsx",))
    sets = "".join(_basic_set(name, value) for name, value in values.items())
    check_source(src)
    soffice = require("libreoffice")
    with workdir() as work:
        book = copy_in(src, work)
        out = work / "out" / "book.xlsx"
        out.parent.mkdir()
        status = work / "status.txt"
        code = _MACRO.format(src=_basic_str(book.as_uri()), dst=_basic_str(out.as_uri()),
                             status=_basic_str(str(status)), sets=sets)
        deadline = time.monotonic() + timeout
        flags = options(profile(work))
        # A first start copies LibreOffice's preset Basic library over the profile's, so the
        # profile is initialised first and the macro written after.
        run([soffice, *flags, "--terminate_after_init"], "LibreOffice", timeout, cwd=work)
        _write_macro(work, code)
        cmd = [soffice, *flags, "macro:///Standard.Module1.SheetsimMain"]
        rc, err = run(cmd, "LibreOffice", deadline - time.monotonic(), cwd=work)
        message = status.read_text(errors="replace").strip() if status.is_file() else ""
        if message != "ok":
            detail = message or last_line(err) or f"exit {rc}, the macro did not run"
            raise EngineError(f"LibreOffice could not set the cells: {detail}")
        if not out.is_file():
            raise EngineError(f"LibreOffice wrote no file: {last_line(err) or 'no message'}")
        check_result(out, "LibreOffice")
        return place(out, dst)


def _write_macro(work: Path, code: str) -> None:
    """Put ``code`` as Standard.Module1 into the (initialised) profile in ``work``."""
    basic = work / "profile" / "user" / "basic"
    (basic / "Standard").mkdir(parents=True, exist_ok=True)
    (basic / "script.xlc").write_text(_SCRIPT_XLC, encoding="utf-8")
    (basic / "dialog.xlc").write_text(_SCRIPT_XLC, encoding="utf-8")
    (basic / "Standard" / "script.xlb").write_text(_SCRIPT_XLB, encoding="utf-8")
    (basic / "Standard" / "dialog.xlb").write_text(_DIALOG_XLB, encoding="utf-8")
    xba = _MODULE_XBA.format(code=html.escape(code, quote=True))
    (basic / "Standard" / "Module1.xba").write_text(xba, encoding="utf-8")


def _basic_str(text: str) -> str:
    """A LibreOffice Basic string expression for ``text`` (quotes doubled, controls via Chr)."""
    parts, plain = [], ""
    for ch in text:
        if ord(ch) < 32:
            parts.append(f'"{plain}"')
            parts.append(f"Chr({ord(ch)})")
            plain = ""
        else:
            plain += '""' if ch == '"' else ch
    parts.append(f'"{plain}"')
    return " & ".join(parts)


def _basic_set(name: str, value: str | float) -> str:
    """Basic statements setting the cell named ``name``; what Basic cannot take is refused here,
    before LibreOffice starts, rather than as a macro error inside it."""
    if not _NAME_RE.match(name):
        raise EngineError(f"{name!r} is not a defined name")
    if isinstance(value, str):
        setter, literal = "setString", _basic_str(value)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        if not math.isfinite(value):
            raise EngineError(f"{name}: {value} cannot be entered in a cell")
        setter, literal = "setValue", f'Val("{float(value)!r}")'
    else:
        raise EngineError(f"{name}: a cell takes text or a number, not {type(value).__name__}")
    return _SET_CELL.format(name=_basic_str(name), setter=setter, value=literal)
