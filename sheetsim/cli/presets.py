"""``sheetsim presets``: every preset in lesson order, what it shows and the settings it
makes; with ``--results`` one line of what its workbook shows."""

from __future__ import annotations

from typing import Any

import click

from sheetsim import config, experiments
from sheetsim.cli.errors import UserError, choose
from sheetsim.config import ConfigError


def toml_value(value: Any) -> str:
    """A setting as a TOML file writes it: ``true``, ``"relu"``, ``[0, 3]``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + "}"
    return str(value)


@click.command()
@click.argument("experiment_name", metavar="[EXPERIMENT]", required=False)
@click.option("--results", "--std", "with_results", is_flag=True,
              help="Also run each preset's model (default size) and print what it shows: "
                   "std by layer (init, compare), final loss per optimizer (descent), loss "
                   "and accuracy first → last (training).")
def presets(experiment_name: str | None, with_results: bool) -> int:
    """List the presets in lesson order, by experiment: name and what it shows, then the
    settings it makes (indented).

    \b
    Examples:
      sheetsim presets
      sheetsim presets training
      sheetsim presets descent --results
    """
    try:
        chosen = list(experiments.REGISTRY.values())
        if experiment_name is not None:
            chosen = [experiments.get(choose("experiment", experiment_name,
                                             list(experiments.REGISTRY)))]
    except ConfigError as exc:
        raise UserError(str(exc)) from None
    listed = {e.name: experiments.presets_of(e) for e in chosen}
    names = [n for group in listed.values() for n in group]
    width = max((len(n) for n in names), default=0)
    indent = " " * (width + 4)
    for experiment in chosen:
        if not listed[experiment.name]:
            continue
        click.echo(f"{experiment.name}: {experiment.summary}")
        for name in listed[experiment.name]:
            click.echo(f"  {name:<{width}}  {config.preset_description(name)}")
            data = config.preset_data(name)
            click.echo(indent + ", ".join(f"{k} = {toml_value(v)}" for k, v in data.items()))
            if with_results:
                line = experiment.preset_results(experiments.load_preset(name))
                if line:
                    click.echo(indent + line)
    return 0
