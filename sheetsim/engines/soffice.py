"""Starting LibreOffice's ``soffice``: a throwaway profile and the options of every run.

Every run gets a private profile in its work folder, so the user's own profile is never
touched and no two runs share one. The profile says whether a workbook is recalculated when
it loads. Conversion, rendering and the Basic macro always recalculate (LibreOffice 7.4 does
not recalculate an .xlsx on load unless told to); the interactive driver never does, so the
file's cached values are what it loads, as a person opening the workbook sees them.

This module imports nothing but the standard library.
"""

from __future__ import annotations

from pathlib import Path

_XCU_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
"""
_XCU_ITEM = ('<item oor:path="{path}"><prop oor:name="{name}" oor:op="fuse">'
             "<value>{value}</value></prop></item>\n")
_XCU_TAIL = "</oor:items>\n"
_LOAD = "/org.openoffice.Office.Calc/Formula/Load"


def profile(work: Path, *, recalc_on_load: bool = True) -> str:
    """Write a throwaway profile in ``work/profile``; its URL for ``-env:UserInstallation``.

    ``recalc_on_load`` sets ``OOXMLRecalcMode`` and ``ODFRecalcMode`` to 0 (always
    recalculate on load), otherwise to 1 (never); 2 would ask.
    """
    mode = 0 if recalc_on_load else 1
    settings = ((_LOAD, "OOXMLRecalcMode", mode), (_LOAD, "ODFRecalcMode", mode),
                ("/org.openoffice.Office.Common/Misc", "FirstRun", "false"))
    items = "".join(_XCU_ITEM.format(path=p, name=n, value=v) for p, n, v in settings)
    user = work / "profile" / "user"
    user.mkdir(parents=True)
    (user / "registrymodifications.xcu").write_text(_XCU_HEAD + items + _XCU_TAIL,
                                                    encoding="utf-8")
    return (work / "profile").as_uri()


def options(profile_url: str) -> list[str]:
    """The options of every headless run in the profile at ``profile_url``."""
    return [f"-env:UserInstallation={profile_url}", "--headless", "--norestore", "--nologo",
            "--nolockcheck"]
