"""The workbook as a teacher uses it: names in any case with "did you mean",
presets with their settings, a readable build summary with range shares and warnings,
engine progress on stderr, and charts whose value axes follow the controls."""

from __future__ import annotations

import re
import time
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from click.testing import CliRunner

from sheetsim.cli import cli
from sheetsim.experiments.init import model
from sheetsim.experiments.init.settings import Settings

TINY = ("--samples", "40", "--width", "6", "--layers", "3")


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def config_of(path: Path) -> str:
    return openpyxl.load_workbook(path)["_sheetsim"]["B2"].value


@pytest.mark.parametrize(("args", "want"), [
    (["--init", "Xavier", "--activation", "ReLU"], ('"activation": "relu"', '"init": "xavier"')),
    (["--lang", "JA"], ('"lang": "ja"',)),
    (["--preset", "Relu-HE"], ('"activation": "relu"', '"init": "he"')),
    (["--layer-activation", "2=TANH"], ('"layer_activation": {"2": "tanh"}',)),
])
def test_names_are_case_insensitive(tmp_path, args, want):
    out = tmp_path / "x.xlsx"
    result = run("build", *TINY, *args, "-o", str(out), "-q")
    assert result.exit_code == 0, result.output
    assert all(w in config_of(out) for w in want)


@pytest.mark.parametrize(("args", "message"), [
    (["--activation", "tanhh"], "activation: unknown value 'tanhh'; did you mean 'tanh'?"),
    (["--init", "xavir"], "init: unknown value 'xavir'; did you mean 'xavier'?"),
    (["--lang", "jp"], "lang: unknown value 'jp'"),
    (["--preset", "relu-hee"], "preset: unknown preset 'relu-hee'; did you mean 'relu-he'?"),
    (["--preset", "sigmoid-xaviar"], "did you mean 'sigmoid-xavier'?"),
    (["--layer-init", "2=hee"], "layer_init of layer 2: unknown value 'hee'; did you mean 'he'?"),
])
def test_typos_get_did_you_mean(tmp_path, args, message):
    result = run("build", *TINY, *args, "-o", str(tmp_path / "x.xlsx"))
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and message in lines[0], result.output
    assert not list(tmp_path.rglob("*.xlsx"))


def test_engine_name_is_case_insensitive(tmp_path):
    result = run("verify", str(tmp_path / "missing.xlsx"), "--engine", "LibreOffice")
    assert "invalid choice" not in result.output and result.exit_code == 2


def test_a_folder_as_output_is_named_a_folder(tmp_path):
    folder = tmp_path / "books.xlsx"
    folder.mkdir()
    for target in (tmp_path, folder):
        result = run("build", *TINY, "-o", str(target))
        assert result.exit_code == 2
        assert "is a folder; give a file name ending in .xlsx" in result.output, result.output
    result = run("recalc", str(tmp_path / "none.xlsx"), "-o", str(tmp_path))
    assert result.exit_code == 2


def test_presets_print_their_settings_and_std_by_layer():
    result = run("presets", "--std")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("  relu-he "))
    assert "activation = relu, init = he" in lines[at + 1]
    assert re.search(r"std by layer: 0\.83 → 0\.83 → 0\.74 → 0\.77 → 0\.82$", lines[at + 2])
    deep = next(i for i, line in enumerate(lines) if line.startswith("  sigmoid-xavier-deep "))
    assert "backward = true" in lines[deep + 1] and "mean |∂L/∂A|: 3.3e-7" in lines[deep + 2]
    plain = run("presets")
    assert plain.exit_code == 0 and "std by layer" not in plain.output
    assert "range_mode = auto" in plain.output


def summary_rows(output: str) -> list[list[str]]:
    return [line.split() for line in output.splitlines() if re.match(r"\s+\d+\s", line)]


def test_summary_has_clear_headers_and_one_number_format(tmp_path):
    result = run("build", *TINY, "-o", str(tmp_path / "x.xlsx"))
    assert result.exit_code == 0, result.output
    assert "= 0" not in result.output
    head = next(line for line in result.output.splitlines() if "exactly" in line)
    assert head.split() == ["layer", "mean", "std", "first", "bin", "last", "bin", "below",
                            "above", "exactly", "0"]
    numbers = [r[1:3] for r in summary_rows(result.output)]
    assert len(numbers) == 3
    assert all(re.fullmatch(r"-?\d+\.\d{4}", x) for row in numbers for x in row), numbers
    assert all(r[3].endswith("%") and re.fullmatch(r"\d+\.\d%", r[5]) for r in
               summary_rows(result.output))
    assert "warning" not in result.output


def test_summary_switches_to_scientific_for_exploding_signals(tmp_path):
    result = run("build", *TINY, "--activation", "relu", "--init", "normal", "--sigma", "100",
                 "-o", str(tmp_path / "x.xlsx"))
    assert result.exit_code == 0, result.output
    numbers = [x for r in summary_rows(result.output) for x in r[1:3]]
    assert all(re.fullmatch(r"-?\d\.\d{3}e[+-]\d\d", x) for x in numbers), numbers


def test_summary_shares_below_and_above_and_warns(tmp_path):
    result = run("build", *TINY, "--activation", "tanh", "--range", "0", "0.5",
                 "-o", str(tmp_path / "x.xlsx"))
    assert result.exit_code == 0, result.output
    exp = Settings(samples=40, width=6, layers=3, activation="tanh", bin_low=0.0,
                   bin_high=0.5)
    fwd = model.run(exp)
    rows = summary_rows(result.output)
    warnings = [line for line in result.output.splitlines() if "warning:" in line]
    assert len(warnings) == 3
    for k, (layer, row) in enumerate(zip(fwd.layers, rows, strict=True), 1):
        below, above = (layer.z < 0).mean(), (layer.z > 0.5).mean()
        assert row[5] == f"{below:.1%}" and row[6] == f"{above:.1%}"
        assert f"layer {k}: {below + above:.1%} of the outputs lie outside" in warnings[k - 1]
        assert "--range" in warnings[k - 1]


def test_dashboard_rows_show_below_and_above_by_formula(tmp_path):
    out = tmp_path / "x.xlsx"
    result = run("build", *TINY, "--activation", "tanh", "--range", "0", "1", "-o", str(out),
                 "-q")
    assert result.exit_code == 0, result.output
    ws = openpyxl.load_workbook(out, data_only=True)["Dashboard"]
    labels = {ws.cell(r, 1).value: r for r in range(1, 30)}
    fwd = model.run(Settings(samples=40, width=6, layers=3, activation="tanh"))
    for label, want in (("Share below range", [(lay.z < 0).mean() for lay in fwd.layers]),
                        ("Share above range", [(lay.z > 1).mean() for lay in fwd.layers])):
        row = labels[label]
        assert [ws.cell(row, 1 + k).value for k in (1, 2, 3)] == pytest.approx(want)
        formula = openpyxl.load_workbook(out)["Dashboard"].cell(row, 2).value
        assert "Histograms!" in formula
    ja = tmp_path / "ja.xlsx"
    assert run("build", *TINY, "--lang", "ja", "-o", str(ja), "-q").exit_code == 0
    column = [c.value for c in openpyxl.load_workbook(ja)["Histograms"]["A"]]
    assert "使用中の範囲（下限、上限）" in column
    names = [c.value for c in openpyxl.load_workbook(ja)["Dashboard"]["A"]]
    assert "範囲より下の割合" in names and "範囲を超えた割合" in names


def test_histogram_value_axes_are_not_fixed(tmp_path):
    out = tmp_path / "x.xlsx"
    assert run("build", *TINY, "--backward", "-o", str(out), "-q").exit_code == 0
    with zipfile.ZipFile(out) as zf:
        charts = [zf.read(n).decode() for n in zf.namelist() if n.startswith("xl/charts/chart")]
    columns = [c for c in charts if "<c:barChart>" in c]
    assert len(columns) == 6  # three output and three gradient histograms
    for xml in columns:
        assert "<c:max " not in xml  # the axis fits its tallest bar after any change
        assert '<c:min val="0"/>' in xml


def test_engine_work_reports_start_and_elapsed_on_stderr(tmp_path, monkeypatch):
    import sheetsim.engines
    import sheetsim.engines.process
    import sheetsim.progress

    book = tmp_path / "x.xlsx"
    assert run("build", *TINY, "-o", str(book), "-q").exit_code == 0

    def fake_recalc(src, dst, engine, timeout):
        time.sleep(0.3)  # longer than the notice delay below
        dst.write_bytes(Path(src).read_bytes())

    monkeypatch.setattr(sheetsim.progress, "AFTER", 0.05)

    monkeypatch.setattr(sheetsim.engines, "recalc", fake_recalc)
    monkeypatch.setattr(sheetsim.engines.process, "require", lambda engine: engine)
    monkeypatch.setattr(sheetsim.engines, "version", lambda engine: "test")
    result = CliRunner().invoke(cli, ["verify", str(book), "--engine", "gnumeric"])
    assert result.exit_code == 0, result.output
    assert f"recalculating {book} in gnumeric..." in result.stderr
    assert re.search(r"in gnumeric: done in \d+\.\d s", result.stderr)
    quiet = CliRunner().invoke(cli, ["verify", str(book), "--engine", "gnumeric", "-q"])
    assert quiet.exit_code == 0 and quiet.stderr == ""
    monkeypatch.setattr(sheetsim.progress, "AFTER", 30.0)
    fast = CliRunner().invoke(cli, ["verify", str(book), "--engine", "gnumeric"])
    assert fast.exit_code == 0 and "recalculating" not in fast.stderr  # quick: no notice


def test_readme_examples_each_write_their_own_output():
    """The README's build commands write distinct files (given with -o, else the
    experiment's default output), and the files its other commands read are among them."""
    import shlex

    from sheetsim import config, experiments

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    block = readme.split("## Using it", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    commands = [shlex.split(line, comments=True)
                for line in block.replace("\\\n", " ").splitlines() if line.strip()]
    names = []
    for words in commands:
        if words[:2] != ["sheetsim", "build"] or "--all-presets" in words:
            continue
        if "-o" in words:
            names.append(words[words.index("-o") + 1])
            continue
        if len(words) > 2 and not words[2].startswith("-"):
            experiment = words[2]
        elif "--preset" in words:
            experiment = config.preset_experiment(words[words.index("--preset") + 1])
        else:
            experiment = config.DEFAULT_EXPERIMENT
        names.append(str(experiments.get(experiment).default_output))
    assert len(names) >= 4 and len(set(names)) == len(names), names
    readers = [words[2] for words in commands
               if words[:2] in (["sheetsim", "verify"], ["sheetsim", "recalc"],
                                ["sheetsim", "render"])]
    assert readers and set(readers) <= set(names), (readers, names)


def test_model_below_share_is_the_share_under_the_low_end():
    z = np.array([[-1.0, 0.0, 0.5], [2.0, -0.5, 1.0]])
    st = model.layer_stats(z, model.bin_edges(Settings(bins=2)), 2, 0.0)
    assert st.below == pytest.approx(2 / 6) and st.above == pytest.approx(1 / 6)


def outside_shares(exp: Settings) -> list[float]:
    """Per layer, the share of outputs outside the range the model's rule gives."""
    fwd = model.run(exp)
    low, high = model.histogram_range(exp, [(lay.activation, lay.z) for lay in fwd.layers])
    return [float(((lay.z < low) | (lay.z > high)).mean()) for lay in fwd.layers]


@pytest.mark.parametrize("kw", [dict(activation="tanh"), dict(activation="relu", init="he"),
                                dict(activation="relu", init="he", layers=10),
                                dict(activation="leaky_relu", init="he", seed=3),
                                dict(activation="identity", init="xavier")])
def test_auto_range_keeps_every_output_in_range_at_default_size(kw):
    exp = Settings(range_mode="auto", **kw)
    assert max(outside_shares(exp)) < 0.01
    manual = Settings(range_mode="manual", **kw)  # the fixed 0 to 1
    if kw["activation"] in ("tanh", "relu"):
        assert max(outside_shares(manual)) > 0.15


def test_auto_range_rule_from_the_activation_and_the_data():
    z = np.array([[0.0, 2.0], [0.5, 1.0]])
    exp = Settings(range_mode="auto", bins=5)
    assert model.histogram_range(exp, [("sigmoid", z)]) == (0.0, 1.0)
    assert model.histogram_range(exp, [("sigmoid", z), ("tanh", z)]) == (-1.0, 1.0)
    pad = 2.0 / (2 * 4)  # half a bin of Bins − 1 bins over the outputs' span
    assert model.histogram_range(exp, [("relu", z)]) == (-pad, 2.0 + pad)
    assert model.histogram_range(exp, [("relu", np.zeros((2, 2)))]) == (-0.5, 0.5)
    assert model.histogram_range(exp, [("relu", np.array([[np.inf]])), ("tanh", z)]) == (
        -1.0 - 2.0 / 8, 1.0 + 2.0 / 8)
    manual = Settings(range_mode="manual", bin_low=-2, bin_high=5)
    assert model.histogram_range(manual, [("relu", z)]) == (-2, 5)


def test_cli_builds_auto_unless_a_range_is_given(tmp_path):
    import json

    def mode(*args: str) -> tuple[str, float, float]:
        out = tmp_path / "m.xlsx"
        result = run("build", *TINY, *args, "-o", str(out), "-q")
        assert result.exit_code == 0, result.output
        cfg = json.loads(config_of(out))
        return cfg["range_mode"], cfg["bin_low"], cfg["bin_high"]

    assert mode()[0] == "auto"
    assert mode("--preset", "relu-he")[0] == "auto"
    assert mode("--range", "-2", "2") == ("manual", -2.0, 2.0)
    assert mode("--preset", "relu-he", "--range", "0", "3") == ("manual", 0.0, 3.0)
    assert mode("--range-mode", "Manual")[0] == "manual"
    cfg = tmp_path / "c.toml"
    cfg.write_text("range = [0, 4]\n")
    assert mode("--config", str(cfg)) == ("manual", 0.0, 4.0)
    result = run("build", *TINY, "--range-mode", "automatic", "-o", str(tmp_path / "e.xlsx"))
    assert result.exit_code == 2 and "did you mean 'auto'?" in result.output


def test_tanh_and_relu_he_default_builds_are_in_range_in_every_layer(tmp_path):
    for args in (["--activation", "tanh"], ["--activation", "relu", "--init", "he"]):
        result = run("build", *args, "-o", str(tmp_path / "d.xlsx"))
        assert result.exit_code == 0, result.output
        rows = summary_rows(result.output)
        assert len(rows) == 5 and all(r[5] == "0.0%" and r[6] == "0.0%" for r in rows)
        assert "auto range" in result.output and "warning" not in result.output


def test_auto_workbook_has_the_range_control_and_the_range_in_use(tmp_path):
    out = tmp_path / "a.xlsx"
    assert run("build", *TINY, "--activation", "relu", "-o", str(out), "-q").exit_code == 0
    wb = openpyxl.load_workbook(out)
    assert wb["Controls"]["B13"].value == "auto"
    assert wb.defined_names["RangeMode"].attr_text == "Controls!$B$13"
    assert wb.defined_names["RangeLow"].attr_text == "Histograms!$B$2"
    assert wb.defined_names["ActSet_L2"].attr_text == "Controls!$C$18"  # table not moved
    low = wb["Histograms"]["B2"].value
    assert 'RangeMode="manual"' in low.text and "IFERROR(" in low.text
    edges = wb["Histograms"]["B4"].value.text  # the edges follow the layer's range cells,
    high = re.search(r"=Bins,Histograms!\$([A-Z]+)\$(\d+)", edges)  # which follow RangeHigh
    assert high, edges
    assert "RangeHigh" in wb["Histograms"][f"{high[1]}{high[2]}"].value.text
    rules = {str(v.sqref): v.formula1 for v in wb["Controls"].data_validations.dataValidation}
    assert rules["B13"] == '"auto,manual"'
    values = openpyxl.load_workbook(out, data_only=True)["Histograms"]
    fwd = model.run(Settings(samples=40, width=6, layers=3, activation="relu"))
    top = max(lay.z.max() for lay in fwd.layers)
    assert values["B2"].value < 0 < top < values["C2"].value


def test_switching_the_range_mode_in_the_file_verifies(tmp_path):
    from sheetsim.check import verify

    out = tmp_path / "a.xlsx"
    assert run("build", *TINY, "--activation", "tanh", "-o", str(out), "-q").exit_code == 0
    assert verify.verify(out).ok
    wb = openpyxl.load_workbook(out)
    wb["Controls"]["B13"] = "manual"  # RangeMode: BinLow 0 to BinHigh 1
    edited = tmp_path / "edited.xlsx"
    wb.save(edited)
    report = verify.verify(edited)
    assert report.ok, report.render()


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_guide_what_to_try_is_one_step_a_row_in_the_controls_words(tmp_path, lang):
    out = tmp_path / f"guide-{lang}.xlsx"
    assert run("build", *TINY, "--lang", lang, "-o", str(out), "-q").exit_code == 0
    wb = openpyxl.load_workbook(out)
    rows = [r[0].value for r in wb["Guide"].iter_rows(max_col=1)]
    head = next(i for i, v in enumerate(rows) if v and v.startswith(("What to try", "試して")))
    steps = []
    for value in rows[head + 1:]:
        if not value:
            break
        steps.append(value)
    assert len(steps) >= 5
    assert [s.split(".")[0] for s in steps] == [str(i) for i in range(1, len(steps) + 1)]
    labels = {c.value for c in wb["Controls"]["A"] if c.value} | {
        c.value for row in wb["Controls"].iter_rows() for c in row if isinstance(c.value, str)}
    words = {"Initializer", "σ for init = normal", "Activation", "初期値の種類",
             "σ（normal のとき）", "活性化関数"}
    for step in steps:
        used = {w for w in words if w in step}
        assert used and used <= labels, (step, used - labels)
        assert not re.search(r"\b(Init|Sigma)\b", step), step  # defined names, not labels


def test_render_names_a_folder_as_output_a_folder(tmp_path):
    book = tmp_path / "tiny.xlsx"
    assert run("build", *TINY, "-o", str(book), "-q").exit_code == 0
    result = run("render", str(book), "-o", str(tmp_path))
    assert result.exit_code == 2
    assert "is a folder; give a file name ending in .png or .pdf" in result.output
    assert run("render", str(book), "-o", str(tmp_path / "x.png"), "--dpi", "10").exit_code == 2


def _png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk."""
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")


@pytest.mark.engine
def test_render_dpi_sets_the_picture_size(tmp_path):
    """One A4 landscape page (11.69 × 8.27 in): pixels = inches × dpi."""
    from .helpers import need

    need("libreoffice")
    book = tmp_path / "tiny.xlsx"
    assert run("build", *TINY, "-o", str(book), "-q").exit_code == 0
    sizes = {}
    for dpi in (60, 120):
        png = tmp_path / f"d{dpi}.png"
        result = run("render", str(book), "-o", str(png), "--dpi", str(dpi), "-q")
        assert result.exit_code == 0, result.output
        sizes[dpi] = _png_size(png)
    assert abs(sizes[60][0] - 11.69 * 60) <= 2 and abs(sizes[60][1] - 8.27 * 60) <= 2, sizes
    assert abs(sizes[120][0] - 2 * sizes[60][0]) <= 2 and abs(sizes[120][1] - 2 * sizes[60][1]) <= 2
