"""Progress of long work on stderr: nothing for quick work, a live line on a terminal, plain
lines in a log.

A ``Task`` says nothing during its first ``AFTER`` seconds, so quick work stays silent.
Past that, on a terminal it keeps one line up to date (what, the current stage, the share
done, the seconds so far) and clears it at the end; elsewhere (a log, a pipe) it writes a
line when it starts showing, one per new stage, one at most every ``LOG_EVERY`` seconds of
counted work, and the elapsed time at the end. ``quiet`` silences it.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import TextIO

AFTER = 2.0
"""Seconds of work before a task says anything; read when a task starts (tests lower it)."""
TICK = 0.5
"""Seconds between refreshes of the terminal line."""
LOG_EVERY = 10.0
"""Seconds between two lines of counted work in a log."""


class Task:
    """One piece of long work and its progress on ``stream`` (stderr by default).

    Use it as a context manager. ``stage(label)`` (or calling the task) names the part of
    the work under way; ``count(done, total)`` says how far that part has come.
    """

    def __init__(self, what: str, quiet: bool = False, *, after: float | None = None,
                 stream: TextIO | None = None) -> None:
        self.what = what
        self.quiet = quiet
        self.after = AFTER if after is None else after
        self.stream = sys.stderr if stream is None else stream
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.started = time.perf_counter()
        self.label: str | None = None
        self.done = self.total = 0
        self.shown = False
        self._logged_at = 0.0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> Task:
        self.start()
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        self.close(failed=exc_type is not None)

    def start(self) -> None:
        """Start the clock and the watcher that shows the task once it has taken long."""
        self.started = time.perf_counter()
        if self.quiet:
            return
        if self.after <= 0:  # at once, so that every stage is told (tests rely on it)
            self._show()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def __call__(self, label: str) -> None:
        """The same as ``stage``: a task is a ``Callable[[str], None]`` progress callback."""
        self.stage(label)

    def stage(self, label: str) -> None:
        """Name the part of the work that starts now."""
        with self._lock:
            if label == self.label:
                return
            self.label, self.done, self.total = label, 0, 0
            if self.shown and not self.tty:
                self._log()

    def count(self, done: int, total: int) -> None:
        """``done`` of ``total`` items of the current stage are finished."""
        with self._lock:
            self.done, self.total = done, total
            if self.shown and not self.tty and self.elapsed() - self._logged_at >= LOG_EVERY:
                self._log()

    def elapsed(self) -> float:
        """Seconds since the task started."""
        return time.perf_counter() - self.started

    def close(self, failed: bool = False) -> None:
        """Stop showing: clear the terminal line, or write the elapsed time in a log (not
        when the work ``failed``: its error is the line that follows)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        with self._lock:
            if not self.shown:
                return
            if self.tty:
                self._write("\r\x1b[K")
            elif not failed:
                self._write(f"{self.what}: done in {self.elapsed():.1f} s\n")
            self.shown = False

    def line(self) -> str:
        """What the task is doing, as one line (no elapsed time)."""
        text = self.what if self.label is None else f"{self.what}: {self.label}"
        if self.total > 0:
            text += f" {min(self.done, self.total) * 100 // self.total} %"
        return text

    def _show(self) -> None:
        with self._lock:
            if self.shown:
                return
            self.shown = True
            if not self.tty:
                self._log()

    def _watch(self) -> None:
        if self._stop.wait(max(0.0, self.after)):
            return
        self._show()
        while self.tty:
            with self._lock:
                self._write(f"\r{self.line()}... {self.elapsed():.0f} s\x1b[K")
            if self._stop.wait(TICK):
                return

    def _log(self) -> None:
        """One line in a log (called with the lock held)."""
        self._logged_at = self.elapsed()
        when = f" ({self._logged_at:.0f} s)" if self._logged_at >= 1 else ""
        self._write(f"{self.line()}...{when}\n")

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):  # a closed or broken stderr stops the progress only
            self._stop.set()
