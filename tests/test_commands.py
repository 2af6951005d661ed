"""The command line's face: a command per experiment with only its own options and its own
defaults, one default output each, presets in lesson order, retired spellings refused with
the new one."""

from __future__ import annotations

import io
import re
import time
from dataclasses import fields

import pytest
from click.testing import CliRunner

from sheetsim import config, experiments
from sheetsim.cli import cli

COMMON = {"--preset", "--config", "-o", "--output", "--all-presets", "--force", "-q",
          "--quiet", "-h", "--help"}
"""Options every build command takes, whatever the experiment."""
NAMES = list(experiments.REGISTRY)


def run(*args: str):
    """Invoke ``sheetsim`` in-process; stdout and stderr apart."""
    return CliRunner().invoke(cli, list(args))


def option_column(text: str) -> set[str]:
    """The flags in the first column of an Options list (``--seed INTEGER`` → --seed)."""
    out = set()
    for line in text.split("Options:", 1)[1].splitlines():
        m = re.match(r"^  (-[\w-]+)(?:, (--[\w-]+))?", line)
        if m:
            out.update(f for f in m.groups() if f)
    return out


@pytest.mark.parametrize("name", NAMES)
def test_each_command_lists_its_own_options_and_no_other(name):
    experiment = experiments.get(name)
    result = run("build", name, "--help")
    assert result.exit_code == 0, result.output
    listed = option_column(result.output)
    own = {flag for o in experiment.options for flag in o.flags if flag.startswith("-")}
    assert listed == own | COMMON
    others = {flag for e in experiments.REGISTRY.values() if e is not experiment
              for o in e.options for flag in o.flags if flag.startswith("-")} - own
    assert not listed & others


def test_descent_help_has_surface_and_no_histogram_options():
    page = option_column(run("build", "descent", "--help").output)
    assert "--surface" in page and "--lr" in page and "--optimizer" in page
    assert not {"--bins", "--samples", "--optimizers", "--lr-sgd"} & page


@pytest.mark.parametrize("name", NAMES)
def test_help_defaults_are_the_settings_dataclass_defaults(name):
    """A default is written once, in the dataclass: change it there and --help follows."""
    experiment = experiments.get(name)
    page = " ".join(run("build", name, "--help").output.split())
    defaults = experiment.settings_type()
    for key in ("steps", "seed", "activation", "init", "optimizer", "surface"):
        if key in {f.name for f in fields(defaults)}:
            value = getattr(defaults, key)
            shown = f"{value:g}" if isinstance(value, float) else str(value)
            flag = f"--{key}"
            assert re.search(rf"{flag} \S+ .*?\[default: {re.escape(shown)}\]", page), key


def test_top_help_names_every_experiment_with_an_example():
    page = run("--help").output
    for experiment in experiments.REGISTRY.values():
        assert re.search(rf"^\s+{experiment.name}\s", page, re.M), experiment.name
        assert experiment.examples and experiment.examples[0] in page


def test_each_experiment_has_its_own_default_output():
    outputs = [e.default_output for e in experiments.REGISTRY.values()]
    assert len(set(outputs)) == len(outputs)


def test_two_experiments_into_one_folder_leave_two_files(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert run("build", "descent", "--steps", "3", "-q").exit_code == 0
    assert run("build", "training", "--steps", "2", "--samples", "8",
               "--test-samples", "4", "-q").exit_code == 0
    written = sorted(p.name for p in (tmp_path / "output").iterdir())
    assert written == ["descent.xlsx", "training.xlsx"]


def test_build_without_an_experiment_is_init_or_the_presets(tmp_path):
    init = run("build", "--samples", "10", "--width", "4", "--layers", "2",
               "-o", str(tmp_path / "a.xlsx"))
    assert init.exit_code == 0 and "5 layers" not in init.output and "2 layers" in init.output
    lab = run("build", "--preset", "descent-bowl", "--steps", "3", "-o",
              str(tmp_path / "b.xlsx"))
    assert lab.exit_code == 0 and "optimizer" in lab.output, lab.output


def test_presets_of_one_experiment_in_lesson_order():
    result = run("presets", "training")
    assert result.exit_code == 0
    listed = re.findall(r"^  (\S+)", result.output, re.M)
    assert listed == list(experiments.get("training").presets)
    assert all(config.preset_experiment(n) == "training" for n in listed)


def test_every_preset_file_is_declared_in_its_experiments_lesson_order():
    declared = {n: e.name for e in experiments.REGISTRY.values() for n in e.presets}
    files = {n: config.preset_experiment(n) for n in config.preset_names()}
    assert declared == files


@pytest.mark.parametrize("name", ["descent", "training"])
def test_presets_results_give_a_line_for_every_preset(name):
    result = run("presets", name, "--results")
    assert result.exit_code == 0, result.output
    word = {"descent": "final loss: SGD", "training": "accuracy"}[name]
    assert result.output.count(word) == len(experiments.get(name).presets)


@pytest.mark.parametrize(("args", "message"), [
    (("build", "--experiment", "descent"), "sheetsim build descent [OPTIONS]"),
    (("build", "--compare", "std1,he"), "sheetsim build compare --configs LIST"),
    (("build", "training", "--preset", "descent-bowl"), "a preset of the descent experiment"),
    (("build", "descent", "--bins", "3"), "not an option of descent but of init and compare"),
    (("build", "--surface", "valley"), "but of descent"),
    (("build", "desent"), "did you mean 'descent'?"),
    (("build", "descent", "--lr", "adm=0.3"), "--lr: unknown name 'adm'; did you mean 'adam'?"),
    (("build", "descent", "--lr", "adam"), "--lr: expected NAME=RATE"),
    (("build", "descent", "--lr", "adam=-1"), "lr_adam: must be greater than 0"),
    (("presets", "trainng"), "did you mean 'training'?"),
])
def test_wrong_spellings_are_one_line_with_the_right_one(tmp_path, args, message):
    out = tmp_path / "x.xlsx"
    result = run(*args, "-o", str(out)) if args[0] == "build" else run(*args)
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], result.stderr
    assert not out.exists()


def test_keyed_learning_rates_reach_their_settings(tmp_path):
    out = tmp_path / "lab.xlsx"
    result = run("build", "descent", "--optimizer", "sgd,adam", "--lr", "adam=0.05",
                 "--lr", "SGD=0.2", "--steps", "3", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "sgd 0.2, adam 0.05" in result.output


@pytest.mark.parametrize("args", [("build", "init", "--samples", "0"),
                                  ("build", "training", "--all-presets", "--steps", "0"),
                                  ("build", "--all-presets", "-o", "new/folder", "--force"),
                                  ("build", "descent", "--lr", "adam=0")])
def test_a_refused_build_leaves_no_folder_behind(tmp_path, monkeypatch, args):
    monkeypatch.chdir(tmp_path)
    if "--force" in args:  # the one refusal here that is not about the settings
        (tmp_path / "new").write_text("a file where the folder would go")
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == (["new"] if "--force" in args else [])


# ------------------------------------------------------------------ progress on stderr

SMALL_INIT = ("--samples", "40", "--width", "6", "--layers", "3")


def test_slow_build_tells_each_stage_on_stderr_and_nothing_with_quiet(tmp_path, monkeypatch):
    import sheetsim.progress

    monkeypatch.setattr(sheetsim.progress, "AFTER", 0.0)  # every build counts as slow
    out = tmp_path / "init.xlsx"
    shown = run("build", "init", *SMALL_INIT, "-o", str(out))
    assert shown.exit_code == 0, shown.output
    lines = shown.stderr.splitlines()
    stages = [line.split(": ", 1)[1].split("...")[0] for line in lines[1:-1]]
    assert lines[0] == f"building {out}..."
    assert stages[:3] == ["running the reference model", "writing the sheets",
                          "packing the workbook"]
    assert "writing L3_Z" in stages  # a streamed block's sheet, named
    assert re.fullmatch(rf"building {re.escape(str(out))}: done in \d+\.\d s", lines[-1])
    assert "\r" not in shown.stderr  # not a terminal: plain lines
    quiet = run("build", "init", *SMALL_INIT, "-o", str(out), "-q")
    assert quiet.exit_code == 0 and quiet.stderr == "" and quiet.stdout == ""


def test_quick_build_says_nothing_on_stderr(tmp_path, monkeypatch):
    import sheetsim.progress

    monkeypatch.setattr(sheetsim.progress, "AFTER", 60.0)
    result = run("build", "init", *SMALL_INIT, "-o", str(tmp_path / "x.xlsx"))
    assert result.exit_code == 0 and result.stderr == ""


def test_slow_verify_tells_how_far_it_has_come(tmp_path, monkeypatch):
    import sheetsim.progress

    book = tmp_path / "init.xlsx"
    assert run("build", "init", *SMALL_INIT, "-o", str(book), "-q").exit_code == 0
    monkeypatch.setattr(sheetsim.progress, "AFTER", 0.0)
    monkeypatch.setattr(sheetsim.progress, "LOG_EVERY", 0.0)  # every count is a line
    result = run("verify", str(book))
    assert result.exit_code == 0, result.output
    reading = result.stderr.index(f"verifying {book}: reading the workbook...")
    assert reading < result.stderr.index("evaluating formulas")
    shares = [int(m) for m in re.findall(r"evaluating formulas (\d+) %", result.stderr)]
    assert shares and shares == sorted(shares) and shares[-1] == 100
    assert re.search(rf"verifying {re.escape(str(book))}: done in \d+\.\d s", result.stderr)
    assert run("verify", str(book), "-q").stderr == ""


def test_failed_slow_work_is_not_reported_done():
    from sheetsim.progress import Task

    log = io.StringIO()
    with Task("working", after=0.0, stream=log):
        pass
    assert log.getvalue().splitlines()[-1].startswith("working: done in ")
    log = io.StringIO()
    with pytest.raises(ValueError), Task("working", after=0.0, stream=log):
        raise ValueError("the work fails")
    assert log.getvalue() == "working...\n"  # its error, not "done", follows


class FakeTerminal(io.StringIO):
    """A stderr that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def test_on_a_terminal_progress_is_one_line_kept_up_to_date_then_cleared(monkeypatch):
    import sheetsim.progress
    from sheetsim.progress import Task

    monkeypatch.setattr(sheetsim.progress, "TICK", 0.01)
    stream = FakeTerminal()
    with Task("rendering x.xlsx", after=0.0, stream=stream) as task:
        task.stage("loading in LibreOffice")
        time.sleep(0.2)
        task.stage("exporting the PDF")
        task.count(1, 4)
        time.sleep(0.2)
    text = stream.getvalue()
    assert "\n" not in text  # one line, redrawn in place
    assert "\rrendering x.xlsx: loading in LibreOffice... 0 s\x1b[K" in text
    assert "\rrendering x.xlsx: exporting the PDF 25 %... 0 s\x1b[K" in text
    assert text.endswith("\r\x1b[K")  # cleared at the end
    silent = FakeTerminal()
    with Task("rendering x.xlsx", after=5.0, stream=silent) as task:
        task.stage("loading in LibreOffice")
    assert silent.getvalue() == ""  # quick work: nothing
