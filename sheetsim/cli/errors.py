"""How the command line fails: one line on stderr and an exit status, never a traceback.

Exit status: 0 success, 1 a verification found a mismatch, 2 bad input, an unreadable file
or an engine failure, 128 + signal number when interrupted (130 Ctrl-C, 143 SIGTERM).
"""

from __future__ import annotations

import sys
from typing import Any

import click

from sheetsim import config
from sheetsim.config import ConfigError


class UserError(click.ClickException):
    """Bad input: one line, exit status 2."""

    exit_code = 2


class Group(click.Group):
    """Reports every usage problem as one line with exit status 2, never a traceback.

    While a command runs, SIGTERM and SIGHUP raise an exception like Ctrl-C does, so
    temporary files and engine processes are cleaned up; the exit status is then 128 + the
    signal number (130 for Ctrl-C, 143 for SIGTERM).
    """

    def main(self, *args: Any, standalone_mode: bool = True, **kwargs: Any) -> Any:
        """Run the command, turning every expected failure into one line and an exit status."""
        from sheetsim import atomic

        try:
            with atomic.signals_raise():
                rv = super().main(*args, standalone_mode=False, **kwargs)
        except click.ClickException as exc:
            code = 2 if isinstance(exc, click.UsageError) else exc.exit_code
            self._fail(exc.format_message(), code, exc, standalone_mode)
        except click.Abort as exc:
            cause = exc.__cause__ or exc.__context__
            signum = getattr(cause, "signum", 2)
            self._fail(str(cause) if isinstance(cause, atomic.Interrupted) else "interrupted",
                       128 + signum, exc, standalone_mode, prefix="sheetsim: ")
        except atomic.Interrupted as exc:
            self._fail(str(exc), 128 + exc.signum, exc, standalone_mode, prefix="sheetsim: ")
        except MemoryError as exc:
            self._fail("out of memory", 2, exc, standalone_mode)
        except RecursionError as exc:
            self._fail("the input is nested too deeply to process", 2, exc, standalone_mode)
        except Exception as exc:
            message = self._expected_error(exc)
            if message is None:
                raise
            self._fail(message, 2, exc, standalone_mode)
        if not standalone_mode:
            return rv
        sys.exit(rv if isinstance(rv, int) else 0)

    @staticmethod
    def _expected_error(exc: Exception) -> str | None:
        """The one-line message of an error that is the user's input or environment, not a
        bug; commands turn these into UserError themselves, this is the net under them."""
        from sheetsim import engines
        from sheetsim.xlsx import safezip

        if isinstance(exc, safezip.ReadError | ConfigError | engines.EngineError):
            return str(exc)
        if isinstance(exc, OSError) and exc.errno is not None:
            where = f"{exc.filename}: " if exc.filename else ""
            return f"{where}{exc.strerror or exc}"
        return None

    @staticmethod
    def _fail(message: str, code: int, exc: BaseException, standalone_mode: bool,
              prefix: str = "sheetsim: error: ") -> None:
        click.echo(prefix + " ".join(message.split()), err=True)
        if not standalone_mode:
            raise exc
        sys.exit(code)


def choose(kind: str, name: str, allowed: list[str]) -> str:
    """``name`` among ``allowed`` ignoring case; else a ConfigError naming the nearest."""
    lowered = {a.lower(): a for a in allowed}
    if name.strip().lower() in lowered:
        return lowered[name.strip().lower()]
    near = config.nearest(name.strip().lower(), list(lowered))
    hint = f"; did you mean {lowered[near]!r}?" if near else ";"
    raise ConfigError(f"{kind}: unknown {kind} {name!r}{hint} allowed: {', '.join(allowed)}")
