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
