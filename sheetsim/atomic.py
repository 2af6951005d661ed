"""Files appear complete or not at all, and a stopped run leaves nothing behind.

``replacing(path)`` hands out a temporary file beside ``path`` and renames it over ``path``
only when the block under it finished: the target is always either the old file, untouched,
or the complete new one (the rename is atomic within a folder; the data is flushed to disk
before it). The temporary file is removed on any exception, including the ``Interrupted``
that ``signals_raise`` turns SIGTERM and SIGHUP into, and Ctrl-C's KeyboardInterrupt.

SIGKILL cannot be caught, so its temporary file stays. It is hidden and named
``.NAME.sheetsim-HOST-PID.part``; the next ``replacing`` in that folder removes those whose
process (on this host) is gone.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import signal
import socket
import stat
import threading
from collections.abc import Iterator
from pathlib import Path

PART_SUFFIX = ".part"
_HOST = re.sub(r"[^A-Za-z0-9.]", "", socket.gethostname())[:40] or "host"
_PART_RE = re.compile(r"^\..+\.sheetsim-(?P<host>[A-Za-z0-9.]*)-(?P<pid>[0-9]+)\.part$")
_CAUGHT = tuple(
    s for s in (getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None)) if s
)


class Interrupted(KeyboardInterrupt):
    """SIGTERM or SIGHUP arrived; raised in the main thread so cleanup code runs."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum

    def __str__(self) -> str:
        return f"stopped by {signal.Signals(self.signum).name}"


def _raise(signum: int, frame: object) -> None:
    # One exception is enough: further signals during the cleanup are ignored.
    for s in _CAUGHT:
        with contextlib.suppress(ValueError, OSError):
            signal.signal(s, signal.SIG_IGN)
    raise Interrupted(signum)


@contextlib.contextmanager
def signals_raise() -> Iterator[None]:
    """While inside, SIGTERM and SIGHUP raise ``Interrupted`` instead of killing silently.

    Only signals still at their default action are taken over (an ignored SIGHUP under
    nohup stays ignored, a caller's own handler stays), only in the main thread, and the
    previous handlers come back on exit.
    """
    previous: dict[int, object] = {}
    if threading.current_thread() is threading.main_thread():
        for s in _CAUGHT:
            try:
                if signal.getsignal(s) == signal.SIG_DFL:
                    previous[s] = signal.signal(s, _raise)
            except (ValueError, OSError):
                pass
    try:
        yield
    finally:
        for s, handler in previous.items():
            with contextlib.suppress(ValueError, OSError):
                signal.signal(s, handler)  # type: ignore[arg-type]


def part_name(path: Path, pid: int | None = None) -> Path:
    """The hidden temporary file for ``path`` written by process ``pid``."""
    stem = path.name[:150]
    return path.with_name(f".{stem}.sheetsim-{_HOST}-{os.getpid() if pid is None else pid}"
                          f"{PART_SUFFIX}")


def stale_parts(folder: Path) -> list[Path]:
    """Temporary files in ``folder`` left by sheetsim processes of this host that are gone."""
    out = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return []
    for entry in entries:
        m = _PART_RE.match(entry.name)
        if not m or m.group("host") != _HOST:
            continue
        pid = int(m.group("pid"))
        if pid == os.getpid() or alive(pid):
            continue
        with contextlib.suppress(OSError):
            if entry.is_file(follow_symlinks=False):
                out.append(Path(entry.path))
    return out


def alive(pid: int) -> bool:
    """Whether a process ``pid`` exists (on this host)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True
    return True


def clean_stale(folder: Path) -> list[Path]:
    """Remove what ``stale_parts`` finds; returns the removed paths."""
    removed = []
    for part in stale_parts(folder):
        with contextlib.suppress(OSError):
            part.unlink()
            removed.append(part)
    return removed


@contextlib.contextmanager
def replacing(path: Path | str) -> Iterator[Path]:
    """Yield a fresh temporary path beside ``path``; on success it replaces ``path``.

    On any exception (or Ctrl-C, SIGTERM, SIGHUP) the temporary file is removed and the
    old ``path`` is left exactly as it was. OSErrors name ``path``, not the temporary file.
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    with signals_raise():
        clean_stale(folder)
        tmp = part_name(path)
        try:
            _create(tmp)
            yield tmp
            _finish(tmp, path, folder)
        except OSError as exc:
            raise OSError(exc.errno, exc.strerror or str(exc), str(path)) from exc
        finally:
            with contextlib.suppress(OSError):
                tmp.unlink()


def _create(tmp: Path) -> None:
    """Create ``tmp`` exclusively (never through a planted symlink); a leftover is replaced."""
    for _ in range(2):
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0),
                         0o666)
        except FileExistsError:
            tmp.unlink()  # our own name: a dead process of the same pid left it
            continue
        os.close(fd)
        return
    raise OSError(errno.EEXIST, "cannot create the temporary file", str(tmp))


def _finish(tmp: Path, path: Path, folder: Path) -> None:
    """Flush ``tmp`` to disk, give it the old file's permissions, rename it over ``path``."""
    fd = os.open(tmp, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    with contextlib.suppress(OSError):
        old = path.stat()
        if stat.S_ISREG(old.st_mode):
            os.chmod(tmp, stat.S_IMODE(old.st_mode))
    os.replace(tmp, path)
    with contextlib.suppress(OSError):
        dfd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
