"""Headless LibreOffice and Gnumeric: full recalculation, rendering, and setting controls.

A workbook is trusted only when a real spreadsheet engine computes the numbers the reference
model and the evaluator computed. This module runs the engines without a display and without
touching the user's own settings, and hands back ordinary .xlsx/.pdf/.png files:

- ``recalc``: the engine loads the file, recalculates every formula and saves an .xlsx whose
  cached values are its own (LibreOffice 7.4 does not recalculate an .xlsx on load unless
  told to, so it runs with a private throwaway profile that forces it).
- ``render``: one sheet (the dashboard) as LibreOffice draws it, as PDF or PNG. The other
  sheets are hidden in a temporary copy because hidden sheets are not printed; the data
  sheets would otherwise be thousands of pages.
- ``set_cells_and_recalc``: set named controls (``Activation``, ``Init`` ...) as a person would
  in the workbook, recalculate and save — a generated LibreOffice Basic macro in the
  throwaway profile, so no python3-uno is needed.

Every engine runs in its own session under a time limit that kills it with all its children.
Results are written in a temporary folder, checked (an engine that exits 0 but writes an
empty or foreign file has failed) and moved into place only on success; the folder, with the
throwaway profile, is removed whatever happens, after any process still working in it is
killed. A workbook is checked part by part (``safezip``: sizes, CRC, no DTD) before it is
handed to an engine, so a zip or entity bomb never reaches one.
"""

from __future__ import annotations

import contextlib
import errno
import html
import math
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import zipfile
from collections.abc import Iterator, Mapping
from pathlib import Path

ENGINES = ("libreoffice", "gnumeric")

# tool -> (executables to look for, Debian package, name in messages, override variable)
_TOOLS: dict[str, tuple[tuple[str, ...], str, str, str]] = {
    "libreoffice": (("soffice", "libreoffice"), "libreoffice-calc-nogui", "LibreOffice",
                    "SHEETSIM_SOFFICE"),
    "gnumeric": (("ssconvert",), "gnumeric", "Gnumeric", "SHEETSIM_SSCONVERT"),
    "pdftoppm": (("pdftoppm",), "poppler-utils", "pdftoppm", "SHEETSIM_PDFTOPPM"),
}

_LO_XLSX_FILTER = "xlsx:Calc MS Excel 2007 XML"
_LO_PDF_FILTER = "pdf:calc_pdf_Export"
_PNG_DPI = 110

# OOXMLRecalcMode / ODFRecalcMode: 0 = always recalculate on load, 1 = never, 2 = ask.
_RECALC_XCU = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" \
oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" \
oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""

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
_SHEET_TAG_RE = re.compile(r"<(?:\w+:)?sheet\s[^>]*>")
_VIEW_TAG_RE = re.compile(r"<(?:\w+:)?workbookView\b[^>]*>")
_NOISE = ("failed to launch javaldx", "javaldx failed")


class EngineError(Exception):
    """An engine could not do its job; the message is one line, fit for a CLI error."""


class EngineMissing(EngineError):
    """The engine's executable is not installed; the message names the Debian package."""


def find_executable(tool: str) -> str | None:
    """Path of a tool's executable (``libreoffice``, ``gnumeric``, ``pdftoppm``), or None.

    ``SHEETSIM_SOFFICE`` / ``SHEETSIM_SSCONVERT`` / ``SHEETSIM_PDFTOPPM`` point at an
    executable that is not on PATH (e.g. LibreOffice in /opt or a macOS app bundle).
    """
    names, _, _, variable = _tool(tool)
    override = os.environ.get(variable)
    if override:
        return override if os.access(override, os.X_OK) and Path(override).is_file() else None
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    return None


def available(engine: str) -> bool:
    """Whether ``engine`` (or ``pdftoppm``) can be run here; lets tests and the CLI skip."""
    return find_executable(engine) is not None


def recalc(src: Path, dst: Path, engine: str, timeout: float = 600) -> Path:
    """Recalculate every formula of ``src`` in ``engine`` and save the result as ``dst``.

    ``dst`` is an .xlsx whose cached values are the engine's own; it is replaced only when
    the engine succeeded. Returns ``dst``.
    """
    src, dst = Path(src), Path(dst)
    if engine not in ENGINES:
        raise EngineError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
    _check_paths(src, dst, (".xlsx",))
    _check_source(src)
    exe = _require(engine)
    with _workdir() as work:
        book = work / ("book" + src.suffix.lower())
        shutil.copyfile(src, book)
        if engine == "libreoffice":
            out = _soffice_convert(exe, book, work, _LO_XLSX_FILTER, timeout)
        else:
            out = _ssconvert(exe, book, work, timeout)
        return _place(out, dst)


def render(src: Path, dst: Path, timeout: float = 600, sheet: str = "Dashboard") -> Path:
    """Draw one sheet of ``src`` as LibreOffice prints it, after a full recalculation.

    ``dst`` ending in .pdf gets every page of that sheet; ending in .png it gets page 1 only
    at 110 dpi (the dashboard is laid out to fit one landscape page). All other sheets are
    hidden in a temporary copy, so they still compute but are not printed.
    """
    src, dst = Path(src), Path(dst)
    _check_paths(src, dst, (".pdf", ".png"))
    _check_source(src)
    soffice = _require("libreoffice")
    pdftoppm = _require("pdftoppm") if dst.suffix.lower() == ".png" else None
    deadline = time.monotonic() + timeout
    with _workdir() as work:
        book = work / "book.xlsx"
        show_only_sheet(src, book, sheet)
        pdf = _soffice_convert(soffice, book, work, _LO_PDF_FILTER, timeout)
        if pdftoppm is None:
            return _place(pdf, dst)
        stem = work / "page"
        cmd = [pdftoppm, "-png", "-r", str(_PNG_DPI), "-f", "1", "-l", "1", "-singlefile",
               str(pdf), str(stem)]
        rc, err = _run(cmd, "pdftoppm", deadline - time.monotonic())
        png = stem.with_suffix(".png")
        if rc != 0 or not png.is_file():
            raise EngineError(f"pdftoppm failed ({_status(rc)}): {_last_line(err) or 'no message'}")
        _check_result(png, "pdftoppm")
        return _place(png, dst)


def set_cells_and_recalc(src: Path, dst: Path, values: Mapping[str, str | float],
                         timeout: float = 600) -> Path:
    """Set named cells in LibreOffice, recalculate and save as .xlsx at ``dst``.

    Keys are workbook-level defined names (``Activation``, ``Init`` ...), each naming a cell;
    a str is entered as text, a number as a number. This is what a person choosing from a
    control's dropdown does, so the saved file shows the engine's answer to that choice.
    """
    src, dst = Path(src), Path(dst)
    _check_paths(src, dst, (".xlsx",))
    sets = "".join(_basic_set(name, value) for name, value in values.items())
    _check_source(src)
    soffice = _require("libreoffice")
    with _workdir() as work:
        book = work / ("book" + src.suffix.lower())
        shutil.copyfile(src, book)
        out = work / "out" / "book.xlsx"
        out.parent.mkdir()
        status = work / "status.txt"
        code = _MACRO.format(src=_basic_str(book.as_uri()), dst=_basic_str(out.as_uri()),
                             status=_basic_str(str(status)), sets=sets)
        deadline = time.monotonic() + timeout
        profile = _lo_profile(work)
        options = [f"-env:UserInstallation={profile}", "--headless", "--norestore", "--nologo",
                   "--nolockcheck"]
        # A first start copies LibreOffice's preset Basic library over the profile's, so the
        # profile is initialised first and the macro written after.
        _run([soffice, *options, "--terminate_after_init"], "LibreOffice", timeout, cwd=work)
        _write_macro(work, code)
        cmd = [soffice, *options, "macro:///Standard.Module1.SheetsimMain"]
        rc, err = _run(cmd, "LibreOffice", deadline - time.monotonic(), cwd=work)
        message = status.read_text(errors="replace").strip() if status.is_file() else ""
        if message != "ok":
            detail = message or _last_line(err) or f"exit {rc}, the macro did not run"
            raise EngineError(f"LibreOffice could not set the cells: {detail}")
        if not out.is_file():
            raise EngineError(f"LibreOffice wrote no file: {_last_line(err) or 'no message'}")
        _check_result(out, "LibreOffice")
        return _place(out, dst)


def version(engine: str, timeout: float = 60) -> str:
    """The engine's version line (e.g. ``LibreOffice 7.4.7.2 ...``), for reports."""
    exe = _require(engine)
    with _workdir() as work:
        if engine == "libreoffice":
            cmd = [exe, f"-env:UserInstallation={_lo_profile(work)}", "--version"]
        else:
            cmd = [exe, "--version"]
        rc, err = _run(cmd, _tool(engine)[2], timeout, cwd=work, stdout_too=True)
    if rc != 0:
        raise EngineError(f"{_tool(engine)[2]} --version failed: {_last_line(err)}")
    return _first_line(err)


def show_only_sheet(src: Path, dst: Path, sheet: str) -> Path:
    """Copy the .xlsx ``src`` to ``dst`` with every sheet but ``sheet`` hidden.

    Hidden sheets are still loaded and computed (charts may refer to them) but not printed,
    and ``sheet`` becomes the active tab. Only xl/workbook.xml changes.
    """
    from sheetsim import safezip

    src, dst = Path(src), Path(dst)
    try:
        with safezip.SafeZip(src) as z:
            z.check_sizes()
            zin = z.zf
            raw = z.read("xl/workbook.xml", safezip.MAX_TREE)
            text = safezip.as_utf8(raw, f"{src}: part xl/workbook.xml").decode("utf-8", "replace")
            text = re.sub(r"""^(\ufeff?\s*<\?xml[^>]*?encoding=)["'][^"']*["']""",
                          r'\1"UTF-8"', text, count=1)
            new = _hide_other_sheets(text, sheet, src.name)
            with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
                for info in zin.infolist():
                    entry = zipfile.ZipInfo(info.filename, info.date_time)
                    entry.compress_type = zipfile.ZIP_DEFLATED
                    if info.filename == "xl/workbook.xml":
                        zout.writestr(entry, new.encode("utf-8"))
                        continue
                    entry.file_size = info.file_size  # decides ZIP64 up front
                    with zin.open(info) as fin, zout.open(entry, "w") as fout:
                        shutil.copyfileobj(fin, fout, 1 << 20)
    except safezip.ReadError as exc:
        raise EngineError(str(exc)) from None
    except (zipfile.BadZipFile, KeyError, EOFError, OSError) as exc:
        raise EngineError(f"{src.name} is not an .xlsx workbook ({exc})") from None
    return dst


# ---------------------------------------------------------------------------- internals


def _tool(tool: str) -> tuple[tuple[str, ...], str, str, str]:
    try:
        return _TOOLS[tool]
    except KeyError:
        raise EngineError(f"unknown engine {tool!r}; choose one of {', '.join(ENGINES)}") from None


def _require(tool: str) -> str:
    exe = find_executable(tool)
    if exe is None:
        names, package, label, variable = _tool(tool)
        override = os.environ.get(variable)
        if override:
            raise EngineMissing(f"{label} not found: {variable}={override} is not an "
                                "executable file")
        raise EngineMissing(f"{label} not found ({' or '.join(names)} is not on PATH): "
                            f"apt-get install {package}, or set {variable}")
    return exe


def _check_paths(src: Path, dst: Path, suffixes: tuple[str, ...]) -> None:
    if not src.is_file():
        raise EngineError(f"no such workbook: {src}")
    if dst.suffix.lower() not in suffixes:
        raise EngineError(f"{dst.name}: the output must end in {' or '.join(suffixes)}")


_WORKDIR_RE = re.compile(r"^sheetsim-([0-9]+)-[A-Za-z0-9_]+$")


@contextlib.contextmanager
def _workdir() -> Iterator[Path]:
    """A private temporary folder, removed whatever happens (after any process still working
    in it is killed). Folders left by a sheetsim process that was killed outright (SIGKILL)
    are removed the next time, with whatever engine they still hold."""
    _clean_stale_workdirs()
    work = Path(tempfile.mkdtemp(prefix=f"sheetsim-{os.getpid()}-"))
    try:
        yield work
    finally:
        _kill_strays(work)
        shutil.rmtree(work, ignore_errors=True)


def _clean_stale_workdirs() -> None:
    from sheetsim.atomic import alive

    try:
        entries = list(os.scandir(tempfile.gettempdir()))
    except OSError:
        return
    for entry in entries:
        m = _WORKDIR_RE.match(entry.name)
        if not m or alive(int(m.group(1))):
            continue
        with contextlib.suppress(OSError):
            if entry.is_dir(follow_symlinks=False) and entry.stat().st_uid == os.getuid():
                _kill_strays(Path(entry.path))
                shutil.rmtree(entry.path, ignore_errors=True)


def _kill_strays(work: Path) -> None:
    """Kill processes still working in ``work`` (e.g. a child that left the engine's session).

    Engines run with ``work`` as their folder, and children inherit it; nobody else knows this
    private folder. Linux only (``/proc``); elsewhere the process-group kill must do.
    """
    proc = Path("/proc")
    if not proc.is_dir():
        return
    prefix = str(work.resolve())
    me = os.getpid()
    for entry in proc.iterdir():
        if not entry.name.isdigit() or int(entry.name) == me:
            continue
        try:
            cwd = os.readlink(entry / "cwd")
        except OSError:
            continue
        if cwd == prefix or cwd.startswith(prefix + os.sep):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(int(entry.name), signal.SIGKILL)


def _check_source(src: Path) -> None:
    """Every part of ``src`` within the size limits, with a good CRC and no DTD."""
    from sheetsim import safezip

    try:
        safezip.check(src, deep=True)
    except safezip.ReadError as exc:
        raise EngineError(str(exc)) from None


_RESULT_MAGIC = {".xlsx": (b"PK\x03\x04", "an .xlsx workbook"), ".pdf": (b"%PDF-", "a PDF"),
                 ".png": (b"\x89PNG\r\n\x1a\n", "a PNG image")}


def _check_result(out: Path, label: str) -> None:
    """An engine that exits 0 may still have written nothing useful."""
    size = out.stat().st_size
    if size == 0:
        raise EngineError(f"{label} wrote an empty file")
    magic, kind = _RESULT_MAGIC.get(out.suffix.lower(), (b"", "the expected file"))
    with open(out, "rb") as fh:
        head = fh.read(len(magic))
    if head != magic:
        raise EngineError(f"{label} wrote a file that is not {kind} ({size:,} bytes)")
    if out.suffix.lower() == ".xlsx":
        from sheetsim import safezip

        try:
            safezip.check(out)
        except safezip.ReadError as exc:
            raise EngineError(f"{label} wrote a damaged workbook ({exc})") from None


def _lo_profile(work: Path) -> str:
    """A throwaway LibreOffice profile that always recalculates on load; returns its URL."""
    user = work / "profile" / "user"
    user.mkdir(parents=True)
    (user / "registrymodifications.xcu").write_text(_RECALC_XCU, encoding="utf-8")
    return (work / "profile").as_uri()


def _write_macro(work: Path, code: str) -> None:
    """Put ``code`` as Standard.Module1 into the (initialised) profile made by _lo_profile."""
    basic = work / "profile" / "user" / "basic"
    (basic / "Standard").mkdir(parents=True, exist_ok=True)
    (basic / "script.xlc").write_text(_SCRIPT_XLC, encoding="utf-8")
    (basic / "dialog.xlc").write_text(_SCRIPT_XLC, encoding="utf-8")
    (basic / "Standard" / "script.xlb").write_text(_SCRIPT_XLB, encoding="utf-8")
    (basic / "Standard" / "dialog.xlb").write_text(_DIALOG_XLB, encoding="utf-8")
    xba = _MODULE_XBA.format(code=html.escape(code, quote=True))
    (basic / "Standard" / "Module1.xba").write_text(xba, encoding="utf-8")


def _soffice_convert(exe: str, book: Path, work: Path, target: str, timeout: float) -> Path:
    """Convert ``book`` with a forced-recalc private profile; returns the written file."""
    outdir = work / "out"
    outdir.mkdir()
    profile = _lo_profile(work)
    cmd = [exe, f"-env:UserInstallation={profile}", "--headless", "--norestore", "--nologo",
           "--nolockcheck", "--convert-to", target, "--outdir", str(outdir), str(book)]
    rc, err = _run(cmd, "LibreOffice", timeout, cwd=work)
    return _result(outdir / (book.stem + "." + target.split(":", 1)[0]), rc, err, "LibreOffice")


def _ssconvert(exe: str, book: Path, work: Path, timeout: float) -> Path:
    """``ssconvert --recalc``; the importer is forced so a broken file fails, not reads as text."""
    out = work / "out.xlsx"
    cmd = [exe, "--recalc", "-T", "Gnumeric_Excel:xlsx2"]
    if book.suffix == ".xlsx":
        cmd += ["-I", "Gnumeric_Excel:xlsx"]
    cmd += [str(book), str(out)]
    env = dict(os.environ, GSETTINGS_BACKEND="memory")  # leave the user's settings alone
    rc, err = _run(cmd, "Gnumeric", timeout, cwd=work, env=env)
    return _result(out, rc, err, "Gnumeric")


def _result(out: Path, rc: int, err: str, label: str) -> Path:
    """The engine's file, once its exit status and the file itself are checked."""
    if rc != 0:
        raise EngineError(f"{label} failed ({_status(rc)}): {_last_line(err) or 'no message'}")
    if not out.is_file():
        raise EngineError(f"{label} wrote no file: {_last_line(err) or 'no message'}")
    _check_result(out, label)
    return out


def _run(cmd: list[str], label: str, timeout: float, *, cwd: Path | None = None,
         env: Mapping[str, str] | None = None, stdout_too: bool = False) -> tuple[int, str]:
    """Run ``cmd`` in a new session; past ``timeout`` kill its whole process group.

    Returns the exit code and what it wrote to stderr (and stdout if ``stdout_too``).
    Output goes to files, not pipes: a child that outlives the engine and keeps a pipe open
    must not make us wait.
    """
    if timeout <= 0:
        raise EngineError(f"{label} did not finish within the time limit")
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        try:
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                    cwd=cwd, env=None if env is None else dict(env),
                                    start_new_session=True)
        except OSError as exc:
            raise EngineError(f"{label} could not be started ({cmd[0]}: "
                              f"{exc.strerror or exc})") from None
        try:
            rc = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise EngineError(f"{label} did not finish within {timeout:g} s") from None
        finally:
            _kill_group(proc.pid)  # strays after a normal exit too
            if proc.poll() is None:
                proc.wait()
        text = b""
        for f in (err, out) if stdout_too else (err,):
            f.seek(0)
            text += f.read()
    return rc, text.decode("utf-8", errors="replace")


def _status(rc: int) -> str:
    """``exit 3``, or ``crashed: SIGSEGV`` for a process killed by a signal."""
    if rc < 0:
        try:
            return f"crashed: {signal.Signals(-rc).name}"
        except ValueError:
            return f"crashed: signal {-rc}"
    return f"exit {rc}"


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def _lines(text: str) -> list[str]:
    return [ln.strip() for ln in text.splitlines()
            if ln.strip() and not any(noise in ln for noise in _NOISE)]


def _last_line(text: str) -> str:
    lines = _lines(text)
    return lines[-1] if lines else ""


def _first_line(text: str) -> str:
    lines = _lines(text)
    return lines[0] if lines else ""


def _place(result: Path, dst: Path) -> Path:
    """Move ``result`` to ``dst`` atomically (a rename within dst's folder)."""
    try:
        dst.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.replace(result, dst)
            return dst
        except OSError as exc:
            if exc.errno != errno.EXDEV:
                raise
        # Another file system: copy next to dst, then rename (see atomic.replacing).
        from sheetsim import atomic

        with atomic.replacing(dst) as part:
            shutil.copyfile(result, part)
    except OSError as exc:
        raise EngineError(f"cannot write {dst}: {exc.strerror or exc}") from None
    return dst


def _hide_other_sheets(text: str, sheet: str, label: str) -> str:
    tags = [(m, html.unescape(_attr(m.group(0), "name") or "")) for m in
            _SHEET_TAG_RE.finditer(text)]
    names = [name for _, name in tags]
    if sheet not in names:
        raise EngineError(f"{label} has no sheet {sheet!r} (sheets: {', '.join(names)})")
    index = names.index(sheet)

    def fix_sheet(m: re.Match[str]) -> str:
        tag = re.sub(r'\sstate="[^"]*"', "", m.group(0))
        if html.unescape(_attr(tag, "name") or "") == sheet:
            return tag
        return re.sub(r"^(<(?:\w+:)?sheet)\s", r'\1 state="hidden" ', tag)

    def fix_view(m: re.Match[str]) -> str:
        tag = re.sub(r'\s(?:activeTab|firstSheet)="[^"]*"', "", m.group(0))
        return re.sub(r"^(<(?:\w+:)?workbookView)\b", rf'\1 activeTab="{index}"', tag)

    text = _SHEET_TAG_RE.sub(fix_sheet, text)
    return _VIEW_TAG_RE.sub(fix_view, text)


def _attr(tag: str, name: str) -> str | None:
    m = re.search(rf'\s{name}="([^"]*)"', tag)
    return m.group(1) if m else None


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
