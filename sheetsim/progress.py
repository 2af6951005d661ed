"""Progress on a terminal, silence elsewhere: long work shows a bar only where one is seen."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import click


@contextmanager
def bar(label: str, total: int, quiet: bool = False) -> Iterator[Callable[[str], None]]:
    """Yield a callback ``step(item)``; it draws a bar on stderr only when stderr is a TTY."""
    if quiet or not sys.stderr.isatty() or total <= 0:
        yield lambda _item: None
        return
    with click.progressbar(
        length=total, label=label, file=sys.stderr, item_show_func=lambda s: s or ""
    ) as pb:
        def step(item: str) -> None:
            pb.update(1, item)

        yield step


class Counter:
    """A bar whose total is learned on the first report: ``counter(done, total)``.

    For work that knows its size only once it has started (formulas found in a file).
    """

    def __init__(self, label: str, quiet: bool = False) -> None:
        self.label = label
        self.active = not quiet and sys.stderr.isatty()
        self.pb = None
        self.done = 0

    def __call__(self, done: int, total: int) -> None:
        if not self.active:
            return
        if self.pb is None:
            self.pb = click.progressbar(length=total, label=self.label, file=sys.stderr)
            self.pb.__enter__()
        self.pb.update(done - self.done)
        self.done = done

    def close(self) -> None:
        """Finish the bar if one was drawn; safe to call again."""
        if self.pb is not None:
            self.pb.__exit__(None, None, None)
            self.pb = None

    def __enter__(self) -> Counter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
