"""The ``sheetsim`` command: build, verify, recalculate and render experiment workbooks.

Exit status: 0 success, 1 a verification found a mismatch, 2 bad input, an unreadable file
or an engine failure (a one-line message on stderr, no traceback), 128 + signal number when
interrupted (130 Ctrl-C, 143 SIGTERM).
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
import zipfile
from collections.abc import Iterator
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
      sheetsim build -o output/sheetsim.xlsx  # sigmoid + Xavier
      sheetsim build --preset relu-he -o output/relu-he.xlsx
      sheetsim build --activation tanh --init he --layers 8 -o output/tanh-he.xlsx
      sheetsim build --all-presets -o output/ # every preset into output/NAME.xlsx
      sheetsim build --compare -o output/compare.xlsx  # four initializers side by side
      sheetsim presets --std
      sheetsim verify output/sheetsim.xlsx    # recompute every formula, compare
      sheetsim verify output/relu-he.xlsx --engine libreoffice
      sheetsim render output/sheetsim.xlsx -o output/dashboard.png

    Exit status: 0 success, 1 a verification mismatch, 2 bad input or unreadable file.
    """


def _nearest(kind: str, name: str, allowed: list[str]) -> str:
    """``name`` among ``allowed`` ignoring case; else a ConfigError naming the nearest."""
    lowered = {a.lower(): a for a in allowed}
    if name.strip().lower() in lowered:
        return lowered[name.strip().lower()]
    near = config.nearest(name.strip().lower(), list(lowered))
    hint = f"; did you mean {lowered[near]!r}?" if near else ";"
    raise ConfigError(f"{kind}: unknown {kind} {name!r}{hint} allowed: {', '.join(allowed)}")


def _preset_name(name: str | None) -> str | None:
    """The preset called ``name`` (any case), or a ConfigError with the nearest name."""
    return None if name is None else _nearest("preset", name, config.preset_names())


def _settings(experiment: Experiment, preset: str | None, config_file: Path | None,
              flags: dict[str, Any]) -> Any:
    """Defaults, then the preset, then the TOML file, then the flags given."""
    kind = experiment.settings_type
    implied = getattr(experiment, "implied", lambda data: data)
    settings = kind()
    defaults = getattr(experiment, "cli_defaults", {})
    if defaults:
        settings = config.from_mapping(kind, defaults, base=settings)
    if preset:
        settings = config.from_mapping(kind, implied(config.preset_data(preset)),
                                       base=settings, source=f"preset {preset}")
    if config_file is not None:
        data = config.load_toml(config_file)
        data.pop("experiment", None)
        settings = config.from_mapping(kind, implied(data), base=settings,
                                       source=config_file.name)
    changes = {k: v for k, v in flags.items() if v is not None}
    return config.from_mapping(kind, implied(changes), base=settings) if changes else settings


def _chosen_experiment(name: str | None, preset: str | None,
                       config_file: Path | None) -> Experiment:
    """The experiment named by --experiment, else by the config file, else by the
    preset, else the default one."""
    if name is None and config_file is not None:
        name = config.load_toml(config_file).get("experiment")
    if name is None and preset:
        name = config.preset_experiment(preset)
    if isinstance(name, str):
        name = _nearest("experiment", name, list(experiments.REGISTRY))
    return experiments.get(name or config.DEFAULT_EXPERIMENT)


def _check_output(path: Path, force: bool) -> None:
    """Refuse before any work: a missing folder, a foreign file we would overwrite."""
    if path.is_dir():
        raise UserError(f"output: {str(path)!r} is a folder; give a file name ending in .xlsx")
    if path.suffix.lower() != ".xlsx":
        raise UserError(f"output: {str(path)!r} must end in .xlsx")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise UserError(f"output: folder {str(folder)!r} does not exist")
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
        elif option.metavar == "[LIST]":  # given alone, the setting's default list
            kwargs.update(is_flag=False, flag_value="", type=option.type)
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
      sheetsim build -o output/sheetsim.xlsx
      sheetsim build --preset sigmoid-std1 -o output/std1.xlsx
      sheetsim build --init he --activation relu --range 0 3 -o output/relu-he.xlsx
      sheetsim build --config my-experiment.toml --seed 7 -o output/mine.xlsx
      sheetsim build --activation relu --init he --layer-activation 5=sigmoid -o output/top.xlsx
      sheetsim build --live --lang ja -o output/live-ja.xlsx
      sheetsim build --preset relu-std1-bn -o output/bn.xlsx  # gradients, batch norm
      sheetsim build --compare std1,xavier,he --activation relu -o output/compare.xlsx
    """
    try:
        if all_presets:
            folder = output or DEFAULT_OUTPUT.parent
            if not folder.is_dir():
                raise UserError(f"output: folder {str(folder)!r} does not exist")
            names = [n for n in config.preset_names()
                     if experiment_name is None or config.preset_experiment(n) == experiment_name]
            used: set[str] = set()
            jobs = [_job(None, name, config_file, given, folder / f"{name}.xlsx", used)
                    for name in names]
            unused = [o.flags[0] for k, o in _options().items()
                      if k not in used and _given(o, given) is not None]
            if unused:
                raise ConfigError(f"{unused[0]}: not a setting of any preset's experiment")
        else:
            if given.get("compare") is not None and experiment_name is None:
                experiment_name = "compare"
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


def _given(option: Option, given: dict[str, Any]) -> Any:
    """An option's value on the command line, None when it was not given."""
    value = given.get(_param(option))
    if option.multiple:
        value = list(value or ()) or None
    return value


def _job(name: str | None, preset: str | None, config_file: Path | None,
         given: dict[str, Any], out: Path,
         used: set[str] | None = None) -> tuple[Experiment, Any, Path]:
    """The experiment, its settings and the output path of one build.

    A flag that is not a setting of the experiment is an error, unless ``used`` collects
    the flags applied (with --all-presets a flag applies to the presets it fits).
    """
    preset = _preset_name(preset)
    experiment = _chosen_experiment(name, preset, config_file)
    own = {o.key for o in experiment.options}
    flags: dict[str, Any] = {}
    for key, option in _options().items():
        value = _given(option, given)
        if value is None:
            continue
        if key not in own:
            if used is not None:
                continue
            raise ConfigError(f"{option.flags[0]}: not a setting of the {experiment.name} "
                              "experiment")
        flags[key] = value
        if used is not None:
            used.add(key)
    settings = _settings(experiment, preset, config_file, flags)
    experiment.plan(settings).check_fits()
    return experiment, settings, out


@cli.command()
@click.option("--std", "with_results", is_flag=True,
              help="Also run each preset (default size) and print its std by layer.")
def presets(with_results: bool) -> int:
    """List the presets: name, experiment and what it shows, then the settings it makes
    (indented); with --std also each layer's output standard deviation.

    \b
    Examples:
      sheetsim presets
      sheetsim presets --std
    """
    names = config.preset_names()
    width = max(len(n) for n in names)
    kinds = {name: config.preset_experiment(name) for name in names}
    kind_width = max(len(k) for k in kinds.values())
    indent = " " * (width + kind_width + 4)
    for name in names:
        click.echo(f"{name:<{width}}  {kinds[name]:<{kind_width}}  "
                   f"{config.preset_description(name)}")
        data = config.preset_data(name)
        click.echo(indent + ", ".join(f"{k} = {_toml_value(v)}" for k, v in data.items()))
        if with_results:
            experiment = experiments.get(kinds[name])
            results = getattr(experiment, "preset_results", None)
            if results is not None:
                click.echo(indent + results(experiments.load_preset(name)))
    return 0


def _toml_value(value: Any) -> str:
    """A setting as a TOML file writes it: ``true``, ``"relu"``, ``[0, 3]``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + "}"
    return str(value)


ENGINE_CHOICE = click.Choice(["libreoffice", "gnumeric"], case_sensitive=False)


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

    with _engine_work(f"recalculating {src} in {engine}", quiet, engine):
        try:
            engines.recalc(src, dst, engine, timeout=timeout)
        except engines.EngineError as exc:
            raise UserError(str(exc)) from None


ENGINE_NOTICE_AFTER = 3.0
"""Seconds of engine work after which a log (stderr not a terminal) is told it started."""


@contextlib.contextmanager
def _engine_work(what: str, quiet: bool, engine: str = "libreoffice") -> Iterator[None]:
    """Say on stderr that long engine work started and, when stderr is not a terminal (a
    log, a pipe: no one sees the wait), how long it took.

    On a terminal the start line comes at once. Elsewhere it comes once the work has taken
    ENGINE_NOTICE_AFTER seconds, with the elapsed time at the end, so a file refused by the
    checks before the engine starts (or a missing engine) stays one line of error."""
    import threading

    from sheetsim.engines import EngineError
    from sheetsim.engines.process import require

    try:
        require(engine)
    except EngineError as exc:
        raise UserError(str(exc)) from None
    started = time.perf_counter()
    said = threading.Event()

    def notice() -> None:
        said.set()
        click.echo(f"{what}...", err=True)

    timer = None
    if not quiet and sys.stderr.isatty():
        notice()
    elif not quiet:
        timer = threading.Timer(ENGINE_NOTICE_AFTER, notice)
        timer.daemon = True
        timer.start()
    try:
        yield
    finally:
        if timer is not None:
            timer.cancel()
    if said.is_set() and not sys.stderr.isatty():
        click.echo(f"{what}: done in {time.perf_counter() - started:.1f} s", err=True)


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
@click.option("--dpi", type=click.IntRange(50, 600), default=200, show_default=True,
              help="Resolution of a PNG (A4 landscape: 200 dpi is 2339 × 1654 pixels).")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
def render(file: Path, output: Path, timeout: float, dpi: int, quiet: bool) -> int:
    """Draw the Dashboard as LibreOffice prints it, to a PDF or a PNG (one page).

    \b
    Examples:
      sheetsim render output/sheetsim.xlsx -o output/dashboard.png
      sheetsim render output/compare.xlsx -o output/compare.png --dpi 150
      sheetsim render output/relu-he.xlsx -o relu-he.pdf
    """
    from sheetsim import engines

    _readable(file)
    if output.is_dir():
        raise UserError(f"output: {str(output)!r} is a folder; give a file name ending in "
                        ".png or .pdf")
    if output.suffix.lower() not in (".pdf", ".png"):
        raise UserError(f"output: {str(output)!r} must end in .pdf or .png")
    folder = output.parent if str(output.parent) else Path(".")
    if not folder.is_dir():
        raise UserError(f"output: folder {str(folder)!r} does not exist")
    if not _is_sheetsim_file(file):
        raise UserError(f"{file}: not a sheetsim workbook")
    with _engine_work(f"rendering {file} in libreoffice", quiet):
        try:
            engines.render(file, output, timeout=timeout, dpi=dpi)
        except engines.EngineError as exc:
            raise UserError(str(exc)) from None
    if not quiet:
        click.echo(f"wrote {output}")
    return 0


def main() -> None:
    """Entry point of the ``sheetsim`` console script and of ``python -m sheetsim``."""
    cli()
