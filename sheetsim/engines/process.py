"""Running an engine's executable: finding it, a private folder, a time limit, no strays left.

Every engine runs in its own session under a time limit that kills it with all its children
(``run``); a server that another process talks to runs for the length of a ``with`` block
(``started``) and is killed with its children at the end of it.
It works in a private temporary folder (``workdir``) that is removed whatever happens, after
any process still working in it is killed; a folder left by a sheetsim process that was itself
killed outright is cleaned up the next time. Output goes to files, not pipes, so a child that
outlives the engine cannot make us wait. Nothing here knows what the engines compute.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO

ENGINES = ("libreoffice", "gnumeric")

# tool -> (executables to look for, Debian package, name in messages, override variable)
_TOOLS: dict[str, tuple[tuple[str, ...], str, str, str]] = {
    "libreoffice": (("soffice", "libreoffice"), "libreoffice-calc-nogui", "LibreOffice",
                    "SHEETSIM_SOFFICE"),
    "gnumeric": (("ssconvert",), "gnumeric", "Gnumeric", "SHEETSIM_SSCONVERT"),
    "pdftoppm": (("pdftoppm",), "poppler-utils", "pdftoppm", "SHEETSIM_PDFTOPPM"),
}

_NOISE = ("failed to launch javaldx", "javaldx failed")
_WORKDIR_RE = re.compile(r"^sheetsim-([0-9]+)-[A-Za-z0-9_]+$")


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


def require(tool: str) -> str:
    """The tool's executable; if it is missing, say which package to install (EngineMissing)."""
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


def tool_name(tool: str) -> str:
    """The tool's name in messages (``LibreOffice``, ``Gnumeric``, ``pdftoppm``)."""
    return _tool(tool)[2]


def _tool(tool: str) -> tuple[tuple[str, ...], str, str, str]:
    try:
        return _TOOLS[tool]
    except KeyError:
        raise EngineError(f"unknown engine {tool!r}; choose one of {', '.join(ENGINES)}") from None


@contextlib.contextmanager
def workdir() -> Iterator[Path]:
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


@dataclass(frozen=True)
class Started:
    """A process started by ``started``: its ``Popen``, its name in messages, its log."""

    proc: subprocess.Popen[bytes]
    label: str
    log: Path

    def ended(self) -> str | None:
        """None while it runs; once it has ended, one line: its exit status and last words."""
        rc = self.proc.poll()
        if rc is None:
            return None
        said = last_line(self.log.read_text(errors="replace")) if self.log.is_file() else ""
        return f"{self.label} ended ({exit_status(rc)})" + (f": {said}" if said else "")


@contextlib.contextmanager
def started(cmd: list[str], label: str, *, cwd: Path, log: Path,
            env: Mapping[str, str] | None = None) -> Iterator[Started]:
    """Start ``cmd`` in a new session that runs while the ``with`` block does (a server).

    Its output goes to the file ``log``. On leaving the block, whatever happened, its whole
    process group is killed and the process reaped.
    """
    with open(log, "wb") as out:
        proc = _start(cmd, label, cwd, env, out, out)
    try:
        yield Started(proc, label, log)
    finally:
        _stop(proc)


def run(cmd: list[str], label: str, timeout: float, *, cwd: Path | None = None,
        env: Mapping[str, str] | None = None, stdout_too: bool = False,
        beside: Started | None = None, tick: Callable[[], None] | None = None
        ) -> tuple[int, str]:
    """Run ``cmd`` in a new session; past ``timeout`` kill its whole process group.

    Returns the exit code and what it wrote to stderr (and stdout if ``stdout_too``).
    Output goes to files, not pipes: a child that outlives the engine and keeps a pipe open
    must not make us wait. ``beside`` is a server ``cmd`` works with: if it ends first,
    ``cmd`` is killed and the error says how the server ended. ``tick`` is called about
    every 0.2 s while ``cmd`` runs (to follow its progress).
    """
    if timeout <= 0:
        raise EngineError(f"{label} did not finish within the time limit")
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = _start(cmd, label, cwd, env, out, err)
        try:
            rc = _wait(proc, label, timeout, beside, tick)
        finally:
            _stop(proc)  # strays after a normal exit too
        text = b""
        for f in (err, out) if stdout_too else (err,):
            f.seek(0)
            text += f.read()
    return rc, text.decode("utf-8", errors="replace")


def _start(cmd: list[str], label: str, cwd: Path | None, env: Mapping[str, str] | None,
           out: IO[bytes], err: IO[bytes]) -> subprocess.Popen[bytes]:
    """``cmd`` started in a new session, its own process group, reading nothing."""
    try:
        return subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                cwd=cwd, env=None if env is None else dict(env),
                                start_new_session=True)
    except OSError as exc:
        raise EngineError(f"{label} could not be started ({cmd[0]}: "
                          f"{exc.strerror or exc})") from None


def _wait(proc: subprocess.Popen[bytes], label: str, timeout: float,
          beside: Started | None, tick: Callable[[], None] | None = None) -> int:
    """The exit code of ``proc``; EngineError past ``timeout`` or once ``beside`` ended;
    ``tick`` called between checks."""
    deadline = time.monotonic() + timeout
    polled = beside is not None or tick is not None
    while True:
        left = deadline - time.monotonic()
        try:
            return proc.wait(timeout=max(0.0, min(left, 0.2) if polled else left))
        except subprocess.TimeoutExpired:
            if tick is not None:
                tick()
            ended = beside.ended() if beside is not None else None
            if ended:
                raise EngineError(f"{label} stopped: {ended}") from None
            if time.monotonic() >= deadline:
                raise EngineError(f"{label} did not finish within {timeout:g} s") from None


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """Kill the process group of ``proc`` (quietly if it is gone) and reap ``proc``."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    if proc.poll() is None:
        proc.wait()


def exit_status(rc: int) -> str:
    """``exit 3``, or ``crashed: SIGSEGV`` for a process killed by a signal."""
    if rc < 0:
        try:
            return f"crashed: {signal.Signals(-rc).name}"
        except ValueError:
            return f"crashed: signal {-rc}"
    return f"exit {rc}"


def first_line(text: str) -> str:
    """The first line of an engine's output that says something (Java launcher noise skipped)."""
    lines = _lines(text)
    return lines[0] if lines else ""


def last_line(text: str) -> str:
    """The last line of an engine's output that says something: usually the reason it failed."""
    lines = _lines(text)
    return lines[-1] if lines else ""


def _lines(text: str) -> list[str]:
    return [ln.strip() for ln in text.splitlines()
            if ln.strip() and not any(noise in ln for noise in _NOISE)]
