"""Interrupted runs: the target is the old file or the complete new one, never a partial one.

Real ``python -m sheetsim build`` processes of the default size (a few seconds) are killed
with SIGKILL at several moments, found by watching the temporary file grow; SIGTERM and SIGINT
(Ctrl-C) must also remove the temporary file and exit promptly. An engine run stopped by
SIGTERM takes its engine processes and temporary folders with it.
"""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sheetsim import atomic
from sheetsim.build import writer
from sheetsim.experiments.init.settings import Settings

from .helpers import SMALL, build, gone, wait_until

ROOT = Path(__file__).resolve().parent.parent
TARGET = "sheetsim.xlsx"


def start(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "sheetsim", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def parts(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.name.endswith(atomic.PART_SUFFIX))


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> dict[str, object]:
    """The complete default workbook, an older (different) sheetsim workbook, build time."""
    folder = tmp_path_factory.mktemp("reference")
    began = time.monotonic()
    proc = start("build", "-o", str(folder / TARGET), "-q")
    assert proc.wait(timeout=120) == 0, proc.stderr.read()
    seconds = time.monotonic() - began
    build(Settings(samples=40, width=5, layers=2, seed=1), folder / "old.xlsx")
    return {"new": (folder / TARGET).read_bytes(), "old": (folder / "old.xlsx").read_bytes(),
            "seconds": seconds}


def wait_for(condition, proc: subprocess.Popen, limit: float = 60) -> bool:
    """Poll every few milliseconds until ``condition()`` or the process ends."""
    end = time.monotonic() + limit
    while time.monotonic() < end:
        if condition():
            return True
        if proc.poll() is not None:
            return False
        time.sleep(0.003)
    return False


def part_size(folder: Path) -> int:
    found = parts(folder)
    try:
        return found[-1].stat().st_size if found else -1
    except FileNotFoundError:
        return -1


MOMENTS = {
    "0.2 s (starting)": lambda folder, ref: ("sleep", 0.2),
    "1 s (computing)": lambda folder, ref: ("sleep", 1.0),
    "temporary file created": lambda folder, ref: ("until", lambda: part_size(folder) >= 0),
    "half written": lambda folder, ref: ("until",
                                         lambda: part_size(folder) >= len(ref["new"]) // 2),
    "nearly complete": lambda folder, ref: ("until",
                                            lambda: part_size(folder) >= len(ref["new"]) * 0.97),
}


def kill_at(moment: str, folder: Path, ref: dict) -> str:
    """Start a build into ``folder``, SIGKILL it at ``moment``; what the target is after."""
    proc = start("build", "-o", str(folder / TARGET), "-q")
    how, arg = MOMENTS[moment](folder, ref)
    if how == "sleep":
        time.sleep(arg)
        hit = proc.poll() is None
    else:
        hit = wait_for(arg, proc)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    target = folder / TARGET
    if not target.exists():
        return "absent"
    data = target.read_bytes()
    assert data in (ref["new"], ref["old"]), f"partial target after SIGKILL at {moment}"
    state = "old" if data == ref["old"] else "new"
    return state if hit else f"{state} (build ended first)"


@pytest.mark.parametrize("old", [True, False], ids=["over an old workbook", "no old file"])
def test_sigkill_never_leaves_a_partial_workbook(reference, tmp_path, old):
    moments = list(MOMENTS) if old else ["1 s (computing)", "nearly complete"]
    seen = {}
    for moment in moments:
        folder = tmp_path / moment.split()[0]
        folder.mkdir()
        if old:
            (folder / TARGET).write_bytes(reference["old"])
        seen[moment] = kill_at(moment, folder, reference)
        before = "old" if old else "absent"
        # killed while writing, the target is untouched; at the very end the rename may have
        # won the race, and then the target is the complete new workbook
        allowed = (before, "new") if moment == "nearly complete" else (before,)
        assert seen[moment] in allowed, seen
        # SIGKILL cannot be caught: what it leaves is a hidden, recognisable temporary file
        for part in parts(folder):
            assert part.name.startswith(f".{TARGET}.sheetsim-") and part.name.endswith(".part")
            assert part in atomic.stale_parts(folder)
        if moment != moments[-1]:
            atomic.clean_stale(folder)
            assert parts(folder) == [], moment
    print(seen)
    # the next build finishes the job and sweeps the leftovers away
    if seen[moments[-1]] != "new":
        assert parts(folder), "a kill while writing left no temporary file"
    proc = start("build", "-o", str(folder / TARGET), "-q")
    assert proc.wait(timeout=120) == 0, proc.stderr.read()
    assert (folder / TARGET).read_bytes() == reference["new"]
    assert parts(folder) == []


@pytest.mark.parametrize(("signum", "code", "message"), [
    (signal.SIGTERM, 143, "sheetsim: stopped by SIGTERM"),
    (signal.SIGINT, 130, "sheetsim: interrupted"),
])
def test_sigterm_and_ctrl_c_clean_up_and_exit_promptly(reference, tmp_path, signum, code,
                                                        message):
    target = tmp_path / TARGET
    target.write_bytes(reference["old"])
    proc = start("build", "-o", str(target), "-q")
    # as soon as the part file holds bytes: the rest of the writing (about a second) is the
    # margin in which the signal must land, even on a loaded machine
    assert wait_for(lambda: part_size(tmp_path) > 0, proc)
    sent = time.monotonic()
    proc.send_signal(signum)
    assert proc.wait(timeout=10) == code
    assert time.monotonic() - sent < 2
    lines = [ln for ln in proc.stderr.read().splitlines() if ln.strip()]
    assert lines == [message]
    assert target.read_bytes() == reference["old"]
    assert parts(tmp_path) == []


def test_sigterm_stops_the_engine_and_removes_its_folders(tmp_path):
    book = build(SMALL, tmp_path / "small.xlsx")
    pids = tmp_path / "pids"
    engine = tmp_path / "soffice"
    engine.write_text(f"#!/bin/sh\n/bin/sleep 300 &\necho $! > {pids}.child\necho $$ > {pids}\n"
                      "/bin/sleep 300\n")
    engine.chmod(0o755)
    private = tmp_path / "tmp"
    private.mkdir()
    env = dict(os.environ, SHEETSIM_SOFFICE=str(engine), TMPDIR=str(private))
    proc = start("recalc", str(book), "-o", str(tmp_path / "out.xlsx"), env=env)
    assert wait_for(lambda: pids.exists() and pids.read_text().strip() != "", proc, 30)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=10) == 143
    assert proc.stderr.read().strip().splitlines()[-1] == "sheetsim: stopped by SIGTERM"
    main, child = int(pids.read_text()), int(Path(f"{pids}.child").read_text())
    assert wait_until(lambda: gone(main) and gone(child))
    assert list(private.iterdir()) == []
    assert not (tmp_path / "out.xlsx").exists()


# ------------------------------------------------------------------ in-process


def test_an_exception_while_writing_keeps_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "book.xlsx"
    target.write_bytes(b"old bytes")
    os.chmod(target, 0o600)

    def failing(package, heavy, tmp, progress=None, level=1):
        Path(tmp).write_bytes(b"half a workbook")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(writer, "assemble", failing)
    with pytest.raises(OSError) as info:
        writer.build(SMALL, target)
    assert info.value.filename == str(target) and info.value.strerror == "No space left on device"
    assert target.read_bytes() == b"old bytes"
    assert parts(tmp_path) == []
    monkeypatch.undo()
    build(SMALL, target)  # a rebuild keeps the file's permissions
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_full_disk_through_the_cli_is_one_line(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from sheetsim.cli import cli

    def failing(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(writer, "assemble", failing)
    out = tmp_path / "x.xlsx"
    result = CliRunner().invoke(cli, ["build", "--samples", "5", "--width", "3", "-o", str(out)])
    assert result.exit_code == 2
    assert result.stderr.strip() == f"sheetsim: error: {out}: No space left on device"
    assert list(tmp_path.iterdir()) == []


def test_a_planted_symlink_is_not_followed(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    target = tmp_path / "book.xlsx"
    atomic.part_name(target).symlink_to(victim)
    build(SMALL, target)
    assert victim.read_text() == "precious"
    assert target.is_file() and not target.is_symlink()
    assert parts(tmp_path) == []


def test_only_stale_parts_of_dead_processes_here_are_removed(tmp_path):
    dead = subprocess.Popen(["true"])
    dead.wait()
    stale = atomic.part_name(tmp_path / "a.xlsx", pid=dead.pid)
    alive = atomic.part_name(tmp_path / "b.xlsx", pid=os.getppid())
    other_host = tmp_path / f".c.xlsx.sheetsim-elsewhere-{dead.pid}.part"
    unrelated = tmp_path / f".d.xlsx.{dead.pid}.part"
    for p in (stale, alive, other_host, unrelated):
        p.write_bytes(b"x")
    assert atomic.stale_parts(tmp_path) == [stale]
    build(SMALL, tmp_path / "e.xlsx")
    assert not stale.exists()
    assert alive.exists() and other_host.exists() and unrelated.exists()


def test_signal_handlers_are_restored():
    previous = signal.signal(signal.SIGTERM, signal.SIG_DFL)
    before = signal.getsignal(signal.SIGTERM)
    try:
        check_handlers(before)
    finally:
        signal.signal(signal.SIGTERM, previous)


def check_handlers(before: object) -> None:
    with atomic.signals_raise():
        assert signal.getsignal(signal.SIGTERM) not in (signal.SIG_DFL, before)
        with pytest.raises(atomic.Interrupted):
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(1)
    assert signal.getsignal(signal.SIGTERM) == before
