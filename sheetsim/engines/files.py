"""The files on either side of an engine: the workbook checked before, the result after.

A workbook is checked part by part (``safezip``: sizes, CRC, no DTD) before it is handed to an
engine, so a zip or entity bomb never reaches one. An engine that exits 0 but writes an empty
or foreign file has failed, so its result is checked too, and only then moved into place:
the destination is either left alone or replaced by a complete, checked file.
"""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

from sheetsim.engines.process import EngineError, exit_status, last_line

_RESULT_MAGIC = {".xlsx": (b"PK\x03\x04", "an .xlsx workbook"), ".pdf": (b"%PDF-", "a PDF"),
                 ".png": (b"\x89PNG\r\n\x1a\n", "a PNG image")}


def check_paths(src: Path, dst: Path, suffixes: tuple[str, ...]) -> None:
    """Fail early, before any engine starts, on a missing source or an unwanted output type."""
    if not src.is_file():
        raise EngineError(f"no such workbook: {src}")
    if dst.suffix.lower() not in suffixes:
        raise EngineError(f"{dst.name}: the output must end in {' or '.join(suffixes)}")


def check_source(src: Path) -> None:
    """Every part of ``src`` within the size limits, with a good CRC and no DTD."""
    from sheetsim.xlsx import safezip

    try:
        safezip.check(src, deep=True)
    except safezip.ReadError as exc:
        raise EngineError(str(exc)) from None


def copy_in(src: Path, work: Path) -> Path:
    """``src`` copied into the private folder ``work`` as ``book`` with its suffix: the engine
    opens the copy, so it never writes beside the user's file (lock files, backups)."""
    book = work / ("book" + src.suffix.lower())
    shutil.copyfile(src, book)
    return book


def check_result(out: Path, label: str) -> None:
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
        from sheetsim.xlsx import safezip

        try:
            safezip.check(out)
        except safezip.ReadError as exc:
            raise EngineError(f"{label} wrote a damaged workbook ({exc})") from None


def engine_result(out: Path, rc: int, err: str, label: str) -> Path:
    """The engine's file, once its exit status and the file itself are checked."""
    if rc != 0:
        raise EngineError(f"{label} failed ({exit_status(rc)}): {last_line(err) or 'no message'}")
    if not out.is_file():
        raise EngineError(f"{label} wrote no file: {last_line(err) or 'no message'}")
    check_result(out, label)
    return out


def place(result: Path, dst: Path) -> Path:
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
