"""The ``sheetsim`` command: build, verify, recalculate and render experiment workbooks.

One module per job: ``build`` (a command per experiment), ``presets``, ``workbooks``
(verify, recalc, render), ``options`` (an experiment's options as click parameters),
``outputs`` (files checked before any work) and ``errors`` (one line and an exit status).

Exit status: 0 success, 1 a verification found a mismatch, 2 bad input, an unreadable file
or an engine failure (a one-line message on stderr, no traceback), 128 + signal number when
interrupted (130 Ctrl-C, 143 SIGTERM).
"""

from __future__ import annotations

import click

from sheetsim import __version__, experiments
from sheetsim.cli.build import build
from sheetsim.cli.errors import Group, UserError
from sheetsim.cli.presets import presets
from sheetsim.cli.workbooks import COMMANDS


def _help() -> str:
    """The top-level help: what sheetsim is, then every experiment with one example."""
    lines = [
        "Deep-learning experiments as live Excel formulas, verified by an independent "
        "evaluator and real spreadsheet engines.",
        "",
        "\b",
        "Experiments (sheetsim build EXPERIMENT --help for each one's options):",
    ]
    width = max(len(n) for n in experiments.REGISTRY)
    for e in experiments.REGISTRY.values():
        lines.append(f"  {e.name:<{width}}  {e.summary}")
        if e.examples:
            lines.append(f"  {'':<{width}}    {e.examples[0]}")
    lines += [
        "",
        "\b",
        "Examples:",
        "  sheetsim build                        # init's default: output/init.xlsx",
        "  sheetsim presets training             # the training presets in lesson order",
        "  sheetsim verify output/init.xlsx      # recompute every formula, compare",
        "  sheetsim verify output/init.xlsx --engine libreoffice",
        "  sheetsim render output/init.xlsx -o output/init.png",
        "",
        "Exit status: 0 success, 1 a verification mismatch, 2 bad input or unreadable file.",
    ]
    return "\n".join(lines)


@click.group(cls=Group, help=_help(), context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="sheetsim")
def cli() -> None:
    """The ``sheetsim`` group (its help is ``_help()``)."""


cli.add_command(build)
cli.add_command(presets)
for _command in COMMANDS:
    cli.add_command(_command)


def main() -> None:
    """Entry point of the ``sheetsim`` console script and of ``python -m sheetsim``."""
    cli()


__all__ = ["UserError", "cli", "main"]
