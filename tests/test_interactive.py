"""The path users take: a control changed in a running LibreOffice, recalculated as
AutoCalculate and F9 do (``calculate()``, dirty cells only).

Each scenario loads a fresh workbook without recalculation (cached values shown), sets
controls through UNO, calls ``calculate()``, saves, and reads every formula cell; then a hard
``calculateAll()`` reads them again. A cell that differs beyond verify's tolerance (the two
passes may round an optimizer's long chain of steps differently in the last digit) was stale.
The saved file is then verified: LibreOffice's numbers after ``calculate()`` must agree with
the evaluator and with the reference model run on the new settings. The driver is
``sheetsim.engines.interactive.drive`` (soffice, and Debian's ``python3-uno`` beside it).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
import xlsxwriter

from sheetsim.check import verify
from sheetsim.engines import EngineError, interactive
from sheetsim.experiments.descent.settings import Settings as DescentSettings
from sheetsim.experiments.init.settings import Settings

from .helpers import SMALL, build, drive, naming, need_uno, wait_until

pytestmark = pytest.mark.engine

BN = Settings(samples=40, width=6, layers=3, bins=10, activation="relu", init="normal",
              backward=True, batchnorm=True)
LIVE = Settings(samples=40, width=6, layers=3, bins=10, live=True)
AUTO = Settings(samples=60, width=8, layers=3, bins=10, range_mode="auto")
DESCENT = DescentSettings(steps=12)
NOISY = DescentSettings(steps=12, surface="two_minima", noise=0.5)

SCENARIOS = {
    "default": (SMALL, [
        {"Activation": "relu"},
        {"Init": "he"},
        {"Init": "normal", "Sigma": 2},
        {"Bins": 5},
        {"BinLow": -1, "BinHigh": 3},
        {"ActSet_L2": "tanh"},
        {"InitSet_L3": "he_uniform"},
        {"Activation": "leaky_relu", "LeakySlope": 0.2},
    ]),
    "backward-batchnorm": (BN, [
        {"Activation": "tanh"},
        {"Init": "he"},
        {"BNSet_L2": "off"},
        {"BatchNorm": "off"},
        {"GradLow": -6, "GradHigh": 2},
        {"ActSet_L1": "sigmoid"},
    ]),
    "auto-range": (AUTO, [
        {"Activation": "relu"},
        {"Activation": "tanh"},
        {"Init": "normal", "Sigma": 3, "Activation": "identity"},
        {"Bins": 4},
        {"ActSet_L2": "relu"},
        {"RangeMode": "manual"},
        {"RangeMode": "manual", "BinLow": -1, "BinHigh": 3},
    ]),
    "descent": (DESCENT, [
        {"LrSGD": 0.1},
        {"Surface": "two_minima"},
        {"Surface": "plateau", "LrMomentum": 0.05},
        {"Surface": "valley"},
        {"AdamBeta1": 0.5, "Eps": 1e-4},
        {"AdamBeta2": 0.9},
        {"StartX_bowl": -3, "StartY_bowl": 1},
        {"SweepLrLow": 0.01, "MinimaLrHigh": 0.5},
    ]),
    "descent-noise": (NOISY, [
        {"Noise": 1.5},
        {"Noise": 0},
        {"EscapeNoiseHigh": 2, "MinimaLrHigh": 0.2},
    ]),
}


@pytest.fixture(scope="module")
def books(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("interactive")
    return {name: build(settings, folder / f"{name}.xlsx")
            for name, (settings, _) in SCENARIOS.items()}


CASES = [(name, i) for name, (_, changes) in SCENARIOS.items() for i in range(len(changes))]


@pytest.mark.parametrize(("book", "index"), CASES,
                         ids=[f"{n}-{'-'.join(SCENARIOS[n][1][i])}" for n, i in CASES])
def test_a_control_change_leaves_no_stale_cell(books, tmp_path, book, index) -> None:
    need_uno()
    change = SCENARIOS[book][1][index]
    saved = tmp_path / "after-calculate.xlsx"
    report = drive(books[book], [{"set": change, "save": str(saved)}])
    step = report["steps"][0]
    assert step["stale_count"] == 0, step["stale"]
    result = verify.verify(saved)
    assert result.ok, result.render()
    assert result.cells > 1000


def test_live_workbook_after_one_f9_is_consistent(tmp_path) -> None:
    """F9 draws a new sample: every statistic and count follows it at the first F9.

    (A hard recalculation would draw yet another sample, so here the check is the saved
    file's consistency: every formula agrees with the draws LibreOffice made.)"""
    need_uno()
    book = build(LIVE, tmp_path / "live.xlsx")
    saved = tmp_path / "after-f9.xlsx"
    drive(book, [{"label": "F9", "save": str(saved), "calculate_all": False}])
    result = verify.verify(saved)
    assert result.ok, result.render()
    before = verify.verify(book)
    assert before.ok
    # the draws moved: a new sample, not the stored one
    from sheetsim.xlsx import reader

    old = reader.read(book, only={"Input_U"}).sheet("Input_U").numbers
    new = reader.read(saved, only={"Input_U"}).sheet("Input_U").numbers
    assert old.shape == new.shape and not (old[2:, 1:] == new[2:, 1:]).all()


def _root_cause_book(path: Path, dependents_as_arrays: bool) -> Path:
    """One control K and formulas on single-cell and multi-cell array formulas (correct
    cached values throughout), with the dependents plain or array-entered."""
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("S")
    wb.define_name("K", "=S!$A$1")
    ws.write_number("A1", 1.0)
    ws.write_array_formula("B1:B1", "{=K*2}", None, 2.0)
    ws.write_array_formula("B3:B4", "{=K*ROW(S!$B$3:$B$4)}", None, 3.0)
    ws.write_number("B4", 4.0)
    for ref, text, value in (("C1", "S!$B$1", 2.0), ("C3", "S!$B$4", 4.0),
                             ("C4", "SUM(S!$B$3:$B$4)", 7.0)):
        if dependents_as_arrays:
            ws.write_array_formula(f"{ref}:{ref}", "{=" + text + "}", None, value)
        else:
            ws.write_formula(ref, "=" + text, None, value)
    ws.write_formula("E1", "=K*2", None, 2.0)  # plain, on the control itself
    wb.close()
    return path


def test_root_cause_plain_formulas_on_array_results_go_stale(tmp_path) -> None:
    """Why the workbook's dependents of array formulas are array formulas themselves:
    LibreOffice (7.4) leaves array cells dirty after loading an .xlsx and does not pass a
    change on through them to plain formulas. If this test fails, LibreOffice has changed
    and ``formulas.reads_arrays`` may no longer be needed."""
    need_uno()
    steps = [{"set": {"K": 5}, "calculate_all": False}, {"label": "F9"}]
    plain = drive(_root_cause_book(tmp_path / "plain.xlsx", False), steps)
    stale = plain["steps"][-1]["stale"]
    assert set(stale.get("S", {})) == {"C1", "C3", "C4"}, stale
    fixed = drive(_root_cause_book(tmp_path / "fixed.xlsx", True), steps)
    assert fixed["steps"][-1]["stale_count"] == 0, fixed["steps"][-1]["stale"]


# ------------------------------------------------------------------ processes


def fake_soffice(tmp_path: Path, body: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    script = tmp_path / "soffice"
    script.write_text("#!/bin/sh\n" + body)
    script.chmod(0o755)
    monkeypatch.setenv("SHEETSIM_SOFFICE", str(script))
    return script


def test_bad_input_is_refused_before_libreoffice_starts(tmp_path, monkeypatch) -> None:
    started = tmp_path / "started"
    fake_soffice(tmp_path, f"touch {started}\n", monkeypatch)
    book = build(SMALL, tmp_path / "book.xlsx")
    for steps, message in (([{"sett": {"Bins": 3}}], r"step 0: unknown keys \['sett'\]"),
                           ([{"set": {"Bins": True}}], "must map names to numbers"),
                           (["F9"], "step 0: expected an object, got str")):
        with pytest.raises(EngineError, match=message):
            interactive.drive(book, steps)
    with pytest.raises(EngineError, match="autocalc must be one of keep, on, off"):
        interactive.drive(book, [], autocalc="yes")
    with pytest.raises(EngineError, match="sheets must be a list of sheet names"):
        interactive.drive(book, [], sheets="Dashboard")
    with pytest.raises(EngineError, match="no such workbook"):
        interactive.drive(tmp_path / "none.xlsx", [])
    not_a_book = tmp_path / "text.xlsx"
    not_a_book.write_text("not a workbook\n")
    with pytest.raises(EngineError):
        interactive.drive(not_a_book, [])
    assert not started.exists()


def test_a_drive_leaves_no_process_and_no_folder(tmp_path, private_tmp) -> None:
    need_uno()
    book = build(SMALL, tmp_path / "book.xlsx")
    report = interactive.drive(book, [{"set": {"Bins": 4}, "calculate_all": False}],
                               initial=True, sheets=["Dashboard"], timeout=300)
    assert report["file"] == str(book) and set(report["initial"]) == {"Dashboard"}
    assert set(report["steps"][0]["after_calculate"]) == {"Dashboard"}
    assert report["libreoffice"] and report["seconds"]["load"] > 0
    assert wait_until(lambda: naming(private_tmp) == [])
    assert list(private_tmp.iterdir()) == []


def test_the_time_limit_kills_libreoffice(tmp_path, private_tmp) -> None:
    need_uno()
    book = build(SMALL, tmp_path / "book.xlsx")
    begun = time.monotonic()
    with pytest.raises(EngineError, match=r"^LibreOffice did not finish within 1\.5 s$"):
        interactive.drive(book, [{"set": {"Bins": 4}}], timeout=1.5)
    assert time.monotonic() - begun < 10
    assert wait_until(lambda: naming(private_tmp) == [])
    assert list(private_tmp.iterdir()) == []


def test_soffice_ending_early_is_reported_at_once(tmp_path, private_tmp, monkeypatch) -> None:
    need_uno()
    fake_soffice(tmp_path, "echo 'soffice: cannot open display' >&2\nexit 3\n", monkeypatch)
    book = build(SMALL, tmp_path / "book.xlsx")
    begun = time.monotonic()
    message = r"^LibreOffice stopped: soffice ended \(exit 3\): soffice: cannot open display$"
    with pytest.raises(EngineError, match=message):
        interactive.drive(book, [], timeout=300)
    assert time.monotonic() - begun < 10
    assert list(private_tmp.iterdir()) == []


def test_an_error_in_libreoffice_is_one_line(tmp_path, private_tmp) -> None:
    need_uno()
    book = build(SMALL, tmp_path / "book.xlsx")
    with pytest.raises(EngineError, match=r"^LibreOffice: no defined name NoSuchControl$"):
        interactive.drive(book, [{"set": {"NoSuchControl": 1}}], timeout=300)
    with pytest.raises(EngineError, match=r"^LibreOffice: no sheet\(s\) Nowhere in "):
        interactive.drive(book, [], sheets=["Nowhere"], timeout=300)
    assert wait_until(lambda: naming(private_tmp) == [])
    assert list(private_tmp.iterdir()) == []


def test_sigterm_stops_libreoffice_and_removes_its_folder(tmp_path, private_tmp) -> None:
    """A process killed by SIGTERM while LibreOffice loads takes soffice and the private
    folder with it."""
    import signal
    import subprocess
    import sys

    need_uno()
    book = build(SMALL, tmp_path / "book.xlsx")
    code = ("import sys; from sheetsim.engines import interactive; "
            "interactive.drive(sys.argv[1], [{'set': {'Bins': 4}}], timeout=300)")
    env = dict(os.environ, TMPDIR=str(private_tmp))
    proc = subprocess.Popen([sys.executable, "-c", code, str(book)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        assert wait_until(lambda: len(naming(private_tmp)) >= 2, 60)  # soffice is running
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) != 0
    finally:
        proc.kill()
        proc.wait()
    assert "Interrupted" in proc.stderr.read()
    assert wait_until(lambda: naming(private_tmp) == [])
    assert list(private_tmp.iterdir()) == []
