"""The commands that take a workbook: verify, recalc and render."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from pathlib import Path

import click

from sheetsim.cli.errors import UserError
from sheetsim.cli.outputs import check_output, is_sheetsim_file, readable
from sheetsim.progress import Task

ENGINE_CHOICE = click.Choice(["libreoffice", "gnumeric"], case_sensitive=False)


@click.command("verify")
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
      sheetsim verify output/init.xlsx
      sheetsim verify book.xlsx --json > report.json
      sheetsim verify output/training.xlsx --engine gnumeric
    """
    import tempfile

    from sheetsim import engines, evaluator
    from sheetsim.check import verify
    from sheetsim.xlsx import reader

    readable(file)
    with tempfile.TemporaryDirectory(prefix="sheetsim-verify-") as tmp:
        target = file
        if engine:
            target = Path(tmp) / f"{file.stem}.{engine}.xlsx"
            _recalc(file, target, engine, timeout, quiet or as_json)
        try:
            with Task(f"verifying {file}", quiet or as_json) as task:
                task.stage("reading the workbook")

                def counted(done: int, total: int) -> None:
                    task.stage("evaluating formulas")  # the reading is over
                    task.count(done, total)

                report = verify.verify(target, progress=counted)
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

    with engine_work(f"recalculating {src} in {engine}", quiet, engine):
        try:
            engines.recalc(src, dst, engine, timeout=timeout)
        except engines.EngineError as exc:
            raise UserError(str(exc)) from None


@contextlib.contextmanager
def engine_work(what: str, quiet: bool, engine: str = "libreoffice") -> Iterator[Task]:
    """A ``Task`` for engine work, once the engine is known to be installed.

    It says nothing for the first ``progress.AFTER`` seconds, so a file refused by the checks
    before the engine starts (or a missing engine) stays one line of error; past that, a
    live line on a terminal, or a start line and the elapsed time in a log."""
    from sheetsim.engines import EngineError
    from sheetsim.engines.process import require

    try:
        require(engine)
    except EngineError as exc:
        raise UserError(str(exc)) from None
    with Task(what, quiet) as task:
        yield task


@click.command()
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
      sheetsim recalc output/init.xlsx --engine libreoffice -o output/init.lo.xlsx
      sheetsim recalc output/descent.xlsx --engine gnumeric
    """
    readable(file)
    out = output or file.with_name(f"{file.stem}.{engine}.xlsx")
    check_output(out, force=False)
    started = time.perf_counter()
    _recalc(file, out, engine, timeout, quiet)
    if not quiet:
        click.echo(f"wrote {out}  ({engine}, {time.perf_counter() - started:.1f} s)")
    return 0


@click.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True,
              help="OUT.pdf or OUT.png.")
@click.option("--sheet", metavar="NAME",
              help="The sheet to draw (a PNG: default Dashboard; a PDF: default every sheet).")
@click.option("--recalc", is_flag=True,
              help="Recalculate every formula as LibreOffice loads FILE (slower): the "
                   "picture shows LibreOffice's numbers instead of the file's cached values.")
@click.option("--timeout", type=click.FloatRange(min=1), default=900, show_default=True,
              help="Seconds LibreOffice may take.")
@click.option("--dpi", type=click.IntRange(50, 600), default=200, show_default=True,
              help="Resolution of a PNG (A4 landscape: 200 dpi is 2339 × 1654 pixels).")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
def render(file: Path, output: Path, sheet: str | None, recalc: bool, timeout: float,
           dpi: int, quiet: bool) -> int:
    """Draw FILE as LibreOffice prints it: a PDF of every sheet (a handout) or of one
    sheet, or a PNG of one sheet's first page (the Dashboard unless --sheet names another).

    It draws the workbook as LibreOffice opens it: formulas show the values the file holds
    (which `sheetsim verify` checks), the arrays a chart reads computed by LibreOffice.

    \b
    Examples:
      sheetsim render output/init.xlsx -o output/init.png
      sheetsim render output/init.xlsx --sheet Guide -o guide.png
      sheetsim render output/compare.xlsx -o output/compare.png --dpi 150
      sheetsim render output/relu-he.xlsx -o relu-he.pdf      # every sheet, in order
    """
    from sheetsim import engines

    readable(file)
    if output.is_dir():
        raise UserError(f"output: {str(output)!r} is a folder; give a file name ending in "
                        ".png or .pdf")
    if output.suffix.lower() not in (".pdf", ".png"):
        raise UserError(f"output: {str(output)!r} must end in .pdf or .png")
    folder = output.parent if str(output.parent) else Path(".")
    if not folder.is_dir():
        raise UserError(f"output: folder {str(folder)!r} does not exist")
    if not is_sheetsim_file(file):
        raise UserError(f"{file}: not a sheetsim workbook")
    with engine_work(f"rendering {file}", quiet) as task:
        try:
            engines.render(file, output, timeout=timeout, sheet=sheet, dpi=dpi,
                           progress=task, recalc=recalc)
        except engines.EngineError as exc:
            raise UserError(str(exc)) from None
        seconds = task.elapsed()
    if not quiet:
        click.echo(f"wrote {output}  ({seconds:.1f} s)")
    return 0


COMMANDS = (verify_cmd, recalc, render)
"""The workbook commands, in the order ``sheetsim --help`` lists them."""
