"""``recalc`` and ``version``: the same request to whichever engine the caller names."""

from __future__ import annotations

from pathlib import Path

from sheetsim.engines import gnumeric, libreoffice, soffice
from sheetsim.engines.files import check_paths, check_source, copy_in, place
from sheetsim.engines.process import (
    ENGINES,
    EngineError,
    first_line,
    last_line,
    require,
    run,
    tool_name,
    workdir,
)


def recalc(src: Path, dst: Path, engine: str, timeout: float = 600) -> Path:
    """Recalculate every formula of ``src`` in ``engine`` and save the result as ``dst``.

    ``dst`` is an .xlsx whose cached values are the engine's own; it is replaced only when
    the engine succeeded. Returns ``dst``.
    """
    src, dst = Path(src), Path(dst)
    if engine not in ENGINES:
        raise EngineError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
    check_paths(src, dst, (".xlsx",))
    check_source(src)
    exe = require(engine)
    with workdir() as work:
        book = copy_in(src, work)
        if engine == "libreoffice":
            out = libreoffice.convert(exe, book, work, libreoffice.XLSX_FILTER, timeout)
        else:
            out = gnumeric.convert(exe, book, work, timeout)
        return place(out, dst)


def version(engine: str, timeout: float = 60) -> str:
    """The engine's version line (e.g. ``LibreOffice 7.4.7.2 ...``), for reports."""
    exe = require(engine)
    with workdir() as work:
        if engine == "libreoffice":
            cmd = [exe, f"-env:UserInstallation={soffice.profile(work)}", "--version"]
        else:
            cmd = [exe, "--version"]
        rc, err = run(cmd, tool_name(engine), timeout, cwd=work, stdout_too=True)
    if rc != 0:
        raise EngineError(f"{tool_name(engine)} --version failed: {last_line(err)}")
    return first_line(err)
