"""The ``sheetsim`` command: build, verify, recalculate and render experiment workbooks.

Exit status: 0 success, 1 a verification found a mismatch, 2 bad input, an unreadable file
or an engine failure (a one-line message on stderr, no traceback), 128 + signal number when
interrupted (130 Ctrl-C, 143 SIGTERM).
"""

from __future__ import annotations

import os
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

import click

from sheetsim import __version__, config, experiments
from sheetsim.config import ConfigError
from sheetsim.contract import MANIFEST_SHEET
from sheetsim.experiments.base import Experiment, Option
from sheetsim.progress import Counter, bar

DEFAULT_OUTPUT = Path("output") / "sheetsim.xlsx"


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


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="sheetsim")
def cli() -> None:
    """Neural-network initialization experiments as live Excel formulas, verified.

    \b
    Examples:
      sheetsim build                          # output/sheetsim.xlsx, sigmoid + Xavier
      sheetsim build --preset relu-he -o output/relu-he.xlsx
      sheetsim build --activation tanh --init he --layers 8
      sheetsim build --all-presets            # every preset into output/
      sheetsim presets
      sheetsim verify output/sheetsim.xlsx    # recompute every formula, compare
      sheetsim verify output/sheetsim.xlsx --engine libreoffice
      sheetsim render output/sheetsim.xlsx -o output/dashboard.png

    Exit status: 0 success, 1 a verification mismatch, 2 bad input or unreadable file.
    """


def _settings(experiment: Experiment, preset: str | None, config_file: Path | None,
              flags: dict[str, Any]) -> Any:
    """Defaults, then the preset, then the TOML file, then the flags given."""
    kind = experiment.settings_type
    settings = kind()
    if preset:
        settings = config.from_mapping(kind, config.preset_data(preset),
                                       source=f"preset {preset}")
    if config_file is not None:
        data = config.load_toml(config_file)
        data.pop("experiment", None)
        settings = config.from_mapping(kind, data, base=settings, source=config_file.name)
    changes = {k: v for k, v in flags.items() if v is not None}
    return config.from_mapping(kind, changes, base=settings) if changes else settings


def _chosen_experiment(name: str | None, preset: str | None,
                       config_file: Path | None) -> Experiment:
    """The experiment named by --experiment, else by the config file, else by the
    preset, else the default one."""
    if name is None and config_file is not None:
        name = config.load_toml(config_file).get("experiment")
    if name is None and preset:
        name = config.preset_experiment(preset)
    return experiments.get(name or config.DEFAULT_EXPERIMENT)


def _check_output(path: Path, force: bool) -> None:
    """Refuse before any work: a missing folder, a foreign file we would overwrite."""
    if path.suffix.lower() != ".xlsx":
        raise UserError(f"output: {str(path)!r} must end in .xlsx")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise UserError(f"output: folder {str(folder)!r} does not exist")
    if path.is_dir():
        raise UserError(f"output: {str(path)!r} is a folder; give a file name ending in .xlsx")
    if path.exists() and not path.is_file():
        raise UserError(f"output: {str(path)!r} is not a regular file (a device or FIFO)")
    if not os.access(folder, os.W_OK):
        raise UserError(f"output: folder {str(folder)!r} is not writable")
    if path.exists() and not force and not _is_sheetsim_file(path):
        raise UserError(
            f"output: {str(path)!r} exists and is not a sheetsim workbook; "
            "use --force to replace it"
        )


def _is_sheetsim_file(path: Path) -> bool:
    """Whether ``path`` is a workbook with a sheetsim manifest sheet (checked, never raises)."""
    from sheetsim.xlsx import safezip

    try:
        with safezip.SafeZip(path) as z:
            z.check_sizes()
            _, _, sheets = z.sheets()
    except (safezip.ReadError, zipfile.BadZipFile, OSError):
        return False
    return any(name == MANIFEST_SHEET for name, _, _ in sheets)


def build_one(experiment: Experiment, settings: Any, out: Path, quiet: bool) -> None:
    """Build one workbook and print what it shows."""
    from sheetsim.build import writer

    started = time.perf_counter()
    big = sum(1 for _ in experiment.big_blocks(settings, experiment.plan(settings)))
    with bar("writing", big, quiet) as step:
        reference = writer.build(settings, out, experiment, progress=step)
    elapsed = time.perf_counter() - started
    if quiet:
        return
    size = out.stat().st_size / 1e6
    click.echo(f"wrote {out}  ({size:.1f} MB, {elapsed:.1f} s)")
    click.echo(f"  {settings.describe}")
    click.echo(experiment.terminal_summary(settings, reference))


def _options() -> dict[str, Option]:
    """Every experiment's build options, by settings key (an option two experiments share
    is declared alike by both)."""
    out: dict[str, Option] = {}
    for experiment in experiments.REGISTRY.values():
        for option in experiment.options:
            out.setdefault(option.key, option)
    return out


def _param(option: Option) -> str:
    """The Python parameter click passes an option's value in."""
    return option.flags[-1] if len(option.flags) > 1 else (
        option.flags[0].lstrip("-").replace("-", "_"))


def _with_experiment_options(f: Any) -> Any:
    """Add every experiment's options to ``build``, in their declared order."""
    for option in reversed(list(_options().values())):
        kwargs: dict[str, Any] = {"help": option.help}
        if option.is_flag:
            kwargs.update(is_flag=True, default=None)
        elif option.multiple:
            kwargs.update(multiple=True)
        else:
            kwargs["type"] = option.type
        if option.metavar:
            kwargs["metavar"] = option.metavar
        f = click.option(*option.flags, **kwargs)(f)
    return f


@cli.command()
@click.option("--experiment", "experiment_name", metavar="NAME",
              help=f"Which experiment: {', '.join(experiments.REGISTRY)} "
                   f"(default {config.DEFAULT_EXPERIMENT}, or the preset's).")
@click.option("--preset", help="Start from a preset (see `sheetsim presets`).")
@click.option("--config", "config_file", type=click.Path(path_type=Path),
              help="TOML file with any of the settings below.")
@_with_experiment_options
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="Workbook to write (default output/sheetsim.xlsx); a folder with --all-presets.")
@click.option("--all-presets", is_flag=True, help="Build every preset into output/ (or -o FOLDER).")
@click.option("--force", is_flag=True,
              help="Replace an existing file that is not a sheetsim workbook.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
def build(experiment_name: str | None, preset: str | None, config_file: Path | None,
          output: Path | None, all_presets: bool, force: bool, quiet: bool,
          **given: Any) -> int:
    """Write an experiment workbook and print per-layer statistics.

    \b
    Examples:
      sheetsim build
      sheetsim build --preset sigmoid-std1 -o output/std1.xlsx
      sheetsim build --init he --activation relu --range 0 3
      sheetsim build --config my-experiment.toml --seed 7
      sheetsim build --activation relu --init he --layer-activation 5=sigmoid
      sheetsim build --live --lang ja -o output/live-ja.xlsx
      sheetsim build --preset relu-std1-bn     # gradients and batch normalization
    """
    try:
        if all_presets:
            folder = output or DEFAULT_OUTPUT.parent
            if not folder.is_dir():
                raise UserError(f"output: folder {str(folder)!r} does not exist")
            jobs = [_job(experiment_name, name, config_file, given, folder / f"{name}.xlsx")
                    for name in config.preset_names()]
        else:
            jobs = [_job(experiment_name, preset, config_file, given,
                         output or DEFAULT_OUTPUT)]
    except ConfigError as exc:
        raise UserError(str(exc)) from None
    if output is None and not all_presets:
        DEFAULT_OUTPUT.parent.mkdir(exist_ok=True)
    for _, _, out in jobs:
        _check_output(out, force)
    for experiment, settings, out in jobs:
        build_one(experiment, settings, out, quiet)
    return 0


def _job(name: str | None, preset: str | None, config_file: Path | None,
         given: dict[str, Any], out: Path) -> tuple[Experiment, Any, Path]:
    """The experiment, its settings and the output path of one build."""
    experiment = _chosen_experiment(name, preset, config_file)
    own = {o.key for o in experiment.options}
    flags: dict[str, Any] = {}
    for key, option in _options().items():
        value = given.get(_param(option))
        if option.multiple:
            value = list(value) or None
        if value is None:
            continue
        if key not in own:
            raise ConfigError(f"{option.flags[0]}: not a setting of the {experiment.name} "
                              "experiment")
        flags[key] = value
    return experiment, _settings(experiment, preset, config_file, flags), out


@cli.command()
def presets() -> int:
    """List the presets, one line each: name, experiment, what it shows."""
    names = config.preset_names()
    width = max(len(n) for n in names)
    kinds = {name: config.preset_experiment(name) for name in names}
    kind_width = max(len(k) for k in kinds.values())
    for name in names:
        click.echo(f"{name:<{width}}  {kinds[name]:<{kind_width}}  "
                   f"{config.preset_description(name)}")
    return 0


ENGINE_CHOICE = click.Choice(["libreoffice", "gnumeric"])


def _readable(file: Path) -> None:
    """A workbook that can be opened safely: a regular file, a sound .xlsx package within
    the size limits (see ``safezip``), its workbook part and every sheet present."""
    from sheetsim.xlsx import safezip

    try:
        safezip.check(file)
    except safezip.ReadError as exc:
        raise UserError(str(exc)) from None


@cli.command("verify")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--engine", type=ENGINE_CHOICE,
              help="First recalculate FILE in this spreadsheet engine, then verify its numbers.")
@click.option("--timeout", type=click.FloatRange(min=1), default=900, show_default=True,
              help="Seconds the engine may take.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("-q", "--quiet", is_flag=True, help="Print only the verdict line.")
def verify_cmd(file: Path, engine: str | None, timeout: float, as_json: bool,
               quiet: bool) -> int:
    """Recompute every formula of FILE and compare it with the cached values and the model.

    Exit status 0 when everything agrees, 1 on any mismatch, 2 when the file is unreadable
    or not a sheetsim workbook (or the engine fails).

    \b
    Examples:
      sheetsim verify output/sheetsim.xlsx
      sheetsim verify book.xlsx --json > report.json
      sheetsim verify output/sheetsim.xlsx --engine gnumeric
    """
    import tempfile

    from sheetsim import engines, evaluator
    from sheetsim.check import verify
    from sheetsim.xlsx import reader

    _readable(file)
    with tempfile.TemporaryDirectory(prefix="sheetsim-verify-") as tmp:
        target = file
        if engine:
            target = Path(tmp) / f"{file.stem}.{engine}.xlsx"
            _recalc(file, target, engine, timeout, quiet or as_json)
        try:
            with Counter("evaluating formulas", quiet or as_json) as counter:
                report = verify.verify(target, progress=counter)
        except reader.ReadError as exc:
            raise UserError(str(exc).replace(str(target), str(file))) from None
        except evaluator.EvaluationError as exc:
            raise UserError(f"{file}: {exc}") from None
        report.path = str(file)
        if engine:
            report.notes.insert(
                0, f"cached values recalculated by {engine} ({engines.version(engine)})"
            )
    if as_json:
        click.echo(report.to_json())
    elif quiet:
        click.echo(report.verdict())
    else:
        click.echo(report.render())
    return 0 if report.ok else 1


def _recalc(src: Path, dst: Path, engine: str, timeout: float, quiet: bool) -> None:
    """Recalculate in an engine; ``engines`` first checks every part of ``src`` (sizes, CRC,
    no DTD) so a hostile file never reaches the engine."""
    from sheetsim import engines

    if not quiet and sys.stderr.isatty():
        click.echo(f"recalculating {src} in {engine}...", err=True)
    try:
        engines.recalc(src, dst, engine, timeout=timeout)
    except engines.EngineError as exc:
        raise UserError(str(exc)) from None


@cli.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--engine", type=ENGINE_CHOICE, default="libreoffice", show_default=True)
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="Where to save (default FILE.<engine>.xlsx beside FILE).")
@click.option("--timeout", type=click.FloatRange(min=1), default=900, show_default=True,
              help="Seconds the engine may take; it is stopped after that.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
def recalc(file: Path, engine: str, output: Path | None, timeout: float, quiet: bool) -> int:
    """Recalculate FILE headless in LibreOffice or Gnumeric and save the engine's numbers.

    \b
    Examples:
      sheetsim recalc output/sheetsim.xlsx --engine libreoffice -o output/sheetsim.lo.xlsx
      sheetsim recalc output/sheetsim.xlsx --engine gnumeric
    """
    _readable(file)
    out = output or file.with_name(f"{file.stem}.{engine}.xlsx")
    _check_output(out, force=False)
    started = time.perf_counter()
    _recalc(file, out, engine, timeout, quiet)
    if not quiet:
        click.echo(f"wrote {out}  ({engine}, {time.perf_counter() - started:.1f} s)")
    return 0


@cli.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True,
              help="OUT.pdf or OUT.png.")
@click.option("--timeout", type=click.FloatRange(min=1), default=900, show_default=True,
              help="Seconds LibreOffice may take.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
def render(file: Path, output: Path, timeout: float, quiet: bool) -> int:
    """Draw the Dashboard as LibreOffice prints it, to a PDF or a PNG.

    \b
    Examples:
      sheetsim render output/sheetsim.xlsx -o output/dashboard.png
      sheetsim render output/relu-he.xlsx -o relu-he.pdf
    """
    from sheetsim import engines

    _readable(file)
    if output.suffix.lower() not in (".pdf", ".png"):
        raise UserError(f"output: {str(output)!r} must end in .pdf or .png")
    folder = output.parent if str(output.parent) else Path(".")
    if not folder.is_dir():
        raise UserError(f"output: folder {str(folder)!r} does not exist")
    if not _is_sheetsim_file(file):
        raise UserError(f"{file}: not a sheetsim workbook")
    try:
        engines.render(file, output, timeout=timeout)
    except engines.EngineError as exc:
        raise UserError(str(exc)) from None
    if not quiet:
        click.echo(f"wrote {output}")
    return 0


def main() -> None:
    """Entry point of the ``sheetsim`` console script and of ``python -m sheetsim``."""
    cli()
