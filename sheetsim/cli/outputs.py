"""Files the command line reads and writes: checked before any work starts, so a bad path
costs nothing and a user's own file is never overwritten."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

from sheetsim.cli.errors import UserError
from sheetsim.contract import MANIFEST_SHEET


def check_output(path: Path, force: bool) -> None:
    """Refuse before any work: a missing folder, a foreign file we would overwrite."""
    if path.is_dir():
        raise UserError(f"output: {str(path)!r} is a folder; give a file name ending in .xlsx")
    if path.suffix.lower() != ".xlsx":
        raise UserError(f"output: {str(path)!r} must end in .xlsx")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise UserError(f"output: folder {str(folder)!r} does not exist")
    if path.exists() and not path.is_file():
        raise UserError(f"output: {str(path)!r} is not a regular file (a device or FIFO)")
    if not os.access(folder, os.W_OK):
        raise UserError(f"output: folder {str(folder)!r} is not writable")
    if path.exists() and not force and not is_sheetsim_file(path):
        raise UserError(
            f"output: {str(path)!r} exists and is not a sheetsim workbook; "
            "use --force to replace it"
        )


def check_folder(folder: Path) -> None:
    """The folder that presets are written into is a folder."""
    if not folder.is_dir():
        raise UserError(f"output: {str(folder)!r} is not a folder")


def is_sheetsim_file(path: Path) -> bool:
    """Whether ``path`` is a workbook with a sheetsim manifest sheet (checked, never raises)."""
    from sheetsim.xlsx import safezip

    try:
        with safezip.SafeZip(path) as z:
            z.check_sizes()
            _, _, sheets = z.sheets()
    except (safezip.ReadError, zipfile.BadZipFile, OSError):
        return False
    return any(name == MANIFEST_SHEET for name, _, _ in sheets)


def readable(file: Path) -> None:
    """A workbook that can be opened safely: a regular file, a sound .xlsx package within
    the size limits (see ``safezip``), its workbook part and every sheet present."""
    from sheetsim.xlsx import safezip

    try:
        safezip.check(file)
    except safezip.ReadError as exc:
        raise UserError(str(exc)) from None
