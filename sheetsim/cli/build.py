"""``sheetsim build``: one command per registered experiment, each with its own options,
defaults, examples and default output file.

``sheetsim build`` alone builds the init experiment's default; ``sheetsim build --preset
NAME`` builds the preset's experiment; ``sheetsim build --all-presets`` every preset of
every experiment. Settings come from ``experiments.resolve`` (defaults, preset, TOML, flags).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from sheetsim import config, experiments
from sheetsim.cli import options
from sheetsim.cli.errors import UserError, choose
from sheetsim.cli.outputs import check_folder, check_output
from sheetsim.config import ConfigError
from sheetsim.experiments.base import Experiment, Plan
from sheetsim.progress import Task

PRESETS_FOLDER = Path("output")
"""Where ``--all-presets`` writes NAME.xlsx unless ``-o FOLDER`` is given."""
REFUSED = {
    "--experiment": "name the experiment as a command: sheetsim build {value} [OPTIONS]",
    "--compare": "the comparison is an experiment of its own: sheetsim build compare "
                 "--configs LIST",
}
"""Options of ``build`` itself that are refused, with the spelling that does the job."""


@dataclass
class Job:
    """One workbook to write: its experiment, settings, plan and path."""

    experiment: Experiment
    settings: Any
    plan: Plan
    out: Path


def preset_name(name: str | None) -> str | None:
    """The preset called ``name`` (any case), or a ConfigError with the nearest name."""
    return None if name is None else choose("preset", name, config.preset_names())


def job(experiment: Experiment, preset: str | None, config_file: Path | None,
        flags: dict[str, Any], out: Path) -> Job:
    """The settings of one build through the one settings path, its plan checked to fit."""
    settings = experiments.resolve(experiment, preset, config_file, flags)
    plan = experiment.plan(settings)
    plan.check_fits()
    return Job(experiment, settings, plan, out)


def run(jobs: list[Job], force: bool, quiet: bool) -> int:
    """Check every output before any work, then build each workbook and say what it shows."""
    from sheetsim.build import writer

    for j in jobs:
        check_output(j.out, force)
    for j in jobs:
        started = time.perf_counter()
        with Task(f"building {j.out}", quiet) as task:
            reference = writer.build(j.settings, j.out, j.experiment, progress=task,
                                     plan=j.plan)
        if quiet:
            continue
        size = j.out.stat().st_size / 1e6
        click.echo(f"wrote {j.out}  ({size:.1f} MB, {time.perf_counter() - started:.1f} s)")
        click.echo(f"  {j.settings.describe}")
        click.echo(j.experiment.terminal_summary(j.settings, reference))
    return 0


def _preset_jobs(chosen: list[Experiment], config_file: Path | None, flags: dict[str, Any],
                 output: Path | None) -> list[Job]:
    """Every preset of the chosen experiments, in lesson order, into a folder."""
    folder = output or PRESETS_FOLDER
    if folder.suffix.lower() == ".xlsx":
        raise UserError(f"output: {str(folder)!r} names a workbook; with --all-presets give "
                        "a folder")
    jobs = [job(e, name, config_file, flags, folder / f"{name}.xlsx")
            for e in chosen for name in experiments.presets_of(e)]
    if not folder.exists():  # made once every preset's settings are known to be good
        folder.mkdir(parents=True)
    check_folder(folder)
    return jobs


def _common(f: Any) -> Any:
    """The options every build takes, whatever the experiment."""
    for decorator in reversed((
        click.option("--preset", help="Start from a preset (see `sheetsim presets`)."),
        click.option("--config", "config_file", type=click.Path(path_type=Path),
                     help="TOML file with any of the settings (keys as in the presets)."),
        click.option("-o", "--output", type=click.Path(path_type=Path),
                     help="Workbook to write; a folder with --all-presets."),
        click.option("--all-presets", is_flag=True,
                     help="Build every preset into output/NAME.xlsx (or -o FOLDER)."),
        click.option("--force", is_flag=True,
                     help="Replace an existing file that is not a sheetsim workbook."),
        click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors."),
    )):
        f = decorator(f)
    return f


def experiment_command(experiment: Experiment) -> click.Command:
    """``sheetsim build NAME``: the experiment's options, then the common ones."""

    @_common
    def command(preset: str | None, config_file: Path | None, output: Path | None,
                all_presets: bool, force: bool, quiet: bool, **given: Any) -> int:
        try:
            flags = options.given_flags(experiment, given)
            if all_presets:
                if preset is not None:
                    raise ConfigError("--preset: not with --all-presets, which builds every "
                                      "preset")
                jobs = _preset_jobs([experiment], config_file, flags, output)
            else:
                out = output or experiment.default_output
                jobs = [job(experiment, preset_name(preset), config_file, flags, out)]
                if output is None:  # made once the settings are known to be good
                    out.parent.mkdir(exist_ok=True)
        except ConfigError as exc:
            raise UserError(str(exc)) from None
        return run(jobs, force, quiet)

    examples = "\n".join(f"  {line}" for line in experiment.examples)
    help_text = (f"{experiment.summary[:1].upper()}{experiment.summary[1:]}.\n\n"
                 f"Writes {experiment.default_output} unless -o is given. Each option "
                 "overrides the preset and the TOML file.")
    if examples:
        help_text += f"\n\n\b\nExamples:\n{examples}"
    cmd = click.command(experiment.name, cls=ExperimentCommand, help=help_text,
                        short_help=experiment.summary)(command)
    cmd.params[:0] = options.params(experiment)
    return cmd


def _owners(flag: str) -> list[str]:
    """The experiments that have the option ``flag``."""
    return [e.name for e in experiments.REGISTRY.values()
            if any(flag in o.flags for o in e.options)]


def _listed(names: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


class ExperimentCommand(click.Command):
    """A build command whose unknown option is answered with the experiments that have it."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Parse as usual; an option of another experiment gets one line saying whose."""
        try:
            return super().parse_args(ctx, args)
        except click.NoSuchOption as exc:
            owners = _owners(exc.option_name)
            if not owners:
                raise
            raise click.UsageError(
                f"{exc.option_name}: not an option of {self.name} but of {_listed(owners)}: "
                f"sheetsim build {owners[0]} {exc.option_name} ...") from None


def _value(args: list[str], flag: str) -> str | None:
    """The value of ``flag`` among ``args`` (``--preset X`` or ``--preset=X``), if given."""
    for i, arg in enumerate(args):
        if arg == flag and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith(flag + "="):
            return arg.split("=", 1)[1]
    return None


def _implied_experiment(args: list[str]) -> str:
    """The experiment a build that names none is of: its preset's, else its TOML file's
    ``experiment``, else the default (init)."""
    preset = _value(args, "--preset")
    if preset is not None:
        return config.preset_experiment(choose("preset", preset, config.preset_names()))
    config_file = _value(args, "--config")
    if config_file is not None:
        name = config.load_toml(Path(config_file)).get("experiment")
        if isinstance(name, str):
            return choose("experiment", name, list(experiments.REGISTRY))
    return config.DEFAULT_EXPERIMENT


class BuildGroup(click.Group):
    """``build``: ``sheetsim build [OPTIONS]`` without an experiment is the experiment its
    preset or TOML file names, else init; retired spellings and unknown experiments get one
    line that says what to write instead."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Refuse retired options, then put the implied experiment's name in front of
        options given without one (not for --help, nor for --all-presets: every preset)."""
        for i, arg in enumerate(args):
            if arg in self.commands:
                break
            head, _, value = arg.partition("=")
            if head in REFUSED:
                value = value or (args[i + 1] if i + 1 < len(args) else "NAME")
                raise click.UsageError(f"{head}: " + REFUSED[head].format(value=value))
        named = bool(args) and not args[0].startswith("-")
        if not named and not {"-h", "--help", "--all-presets"} & set(args):
            try:
                args = [_implied_experiment(args), *args]
            except ConfigError as exc:
                raise click.UsageError(str(exc)) from None
        return super().parse_args(ctx, args)

    def resolve_command(self, ctx: click.Context,
                        args: list[str]) -> tuple[str | None, click.Command | None, list[str]]:
        """The experiment's command; an unknown name is a one-line error with the nearest."""
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            try:
                args = [choose("experiment", args[0], list(self.commands)), *args[1:]]
            except ConfigError as exc:
                raise click.UsageError(str(exc)) from None
        return super().resolve_command(ctx, args)


@click.group(cls=BuildGroup, invoke_without_command=True)
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="With --all-presets: the folder (default output/).")
@click.option("--all-presets", is_flag=True,
              help="Build every preset of every experiment into output/NAME.xlsx.")
@click.option("--force", is_flag=True,
              help="Replace an existing file that is not a sheetsim workbook.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
@click.pass_context
def build(ctx: click.Context, output: Path | None, all_presets: bool, force: bool,
          quiet: bool) -> int:
    """Write an experiment's workbook: `sheetsim build EXPERIMENT [OPTIONS]`.

    Without EXPERIMENT the options are those of the preset's experiment (--preset), of the
    TOML file's (--config, its `experiment` key), else of init; `sheetsim build` alone
    writes init's default, output/init.xlsx. `sheetsim build EXPERIMENT --help` lists an
    experiment's options and defaults.

    \b
    Examples:
      sheetsim build                          # init's default: output/init.xlsx
      sheetsim build --preset descent-bowl    # the preset's experiment
      sheetsim build --all-presets            # every preset into output/NAME.xlsx
    """
    if ctx.invoked_subcommand is not None:
        return 0
    if not all_presets:
        raise UserError("build: name an experiment: sheetsim build EXPERIMENT [OPTIONS]")
    try:
        jobs = _preset_jobs(list(experiments.REGISTRY.values()), None, {}, output)
    except ConfigError as exc:
        raise UserError(str(exc)) from None
    return run(jobs, force, quiet)


for _experiment in experiments.REGISTRY.values():
    build.add_command(experiment_command(_experiment))
