"""Mutation fuzzing: damaged copies of real workbooks never crash sheetsim.

Seeds are sheetsim's own small workbooks, one of every registered experiment (a new
experiment is fuzzed without any change here) and the initialization experiment with the
backward pass and batch normalization, and each experiment's re-saved by LibreOffice and by
Gnumeric. For each experiment Hypothesis draws one of its seeds, a kind of damage and its details
(with ``derandomize``: the suite runs the same mutants every time) and ``verify`` runs on
the mutant in a forked child of this process, through the command line's own entry point:
its exit status must be 0, 1 or 2, an exit 2 must be one line naming the file and the
problem, nothing may print a traceback, and the child's memory beyond what it inherited
must stay within budget. A few mutants also go through ``recalc`` and ``render`` in the
real engines. ``bench/fuzz.py`` runs the same mutations at volume and reports the time and
memory of each.

The seeds, the mutators and the forked runs are in ``tests/fuzzing.py``, which the
long-run driver shares.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sheetsim import experiments

from .fuzzing import (
    ENGINES,
    KINDS,
    Drawn,
    Members,
    Outcome,
    Seeded,
    experiment_of,
    make_seeds,
    mutate,
    read_members,
    run_forked,
    write_members,
)
from .helpers import measured, need

pytestmark = pytest.mark.engine  # the seeds include the engines' re-saves

MEMORY_KB = 300 * 1024 - 120 * 1024
"""300 MB per command, less what a fresh `sheetsim verify` holds before it reads a file
(Python, NumPy and sheetsim: about 100 MB): the fork inherits that, so only the rest is
the mutant's."""
EXAMPLES = {"init": 80, "descent": 20, "training": 40}
"""Mutants of each experiment per suite run: an initialization workbook verifies in a
fraction of a second, an optimizer-lab one in about a second (its analysis tables)."""
OTHER_EXAMPLES = 20
"""Mutants of an experiment ``EXAMPLES`` does not name: one of every kind."""


@pytest.fixture(scope="module")
def seeds(tmp_path_factory) -> dict[str, tuple[Members, bytes, Path]]:
    """The seed workbooks, built and re-saved by both engines once for this module."""
    for engine in ENGINES:
        need(engine)
    folder = tmp_path_factory.mktemp("seeds")
    return {name: (read_members(p), p.read_bytes(), p)
            for name, p in make_seeds(folder, variant_copies=False).items()}


def test_the_seeds_verify(seeds):
    for name, (_, _, path) in seeds.items():
        outcome = run_forked(["verify", str(path), "-q"])
        assert outcome.code == 0, (name, outcome.stdout, outcome.stderr)


FOUND: list[tuple[str, str, int]] = []


def check_a_mutant(seeds: dict, names: list[str], kind: str, folder: Path, data: Any) -> None:
    """Draw a seed among ``names`` and a mutant of ``kind``; verify it by the rules."""
    name = data.draw(st.sampled_from(names), label="seed")
    members, raw, _ = seeds[name]
    path = folder / "mutant.xlsx"
    path.write_bytes(mutate(Drawn(data), kind, members, raw))
    outcome = run_forked(["verify", str(path), "-q"])
    FOUND.append((name, kind, outcome.code))
    problem = outcome.problem(path)
    assert problem is None, (name, kind, problem, outcome.stderr[-3000:])
    assert outcome.rss_kb < MEMORY_KB, (name, kind, outcome.rss_kb)


FUZZ = settings(derandomize=True, database=None, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("experiment", list(experiments.REGISTRY))
def test_verify_survives_mutants(seeds, tmp_path, experiment, kind):
    """Mutants of one kind of the experiment's seeds (its own workbook and the engines'
    copies): exit status 0, 1 or 2, one line naming the file on exit 2, no traceback,
    bounded memory."""
    names = sorted(n for n in seeds if experiment_of(n) == experiment)
    assert any("." in n for n in names), names  # the engines' copies are among them

    @settings(FUZZ, max_examples=-(-EXAMPLES.get(experiment, OTHER_EXAMPLES) // len(KINDS)))
    @given(data=st.data())
    def mutants(data):
        check_a_mutant(seeds, names, kind, tmp_path, data)

    mutants()


def test_the_mutants_reach_every_outcome():
    """The fuzzing is not vacuous: every experiment and every kind ran, and mutants were
    refused, found wrong and found harmless."""
    ran = {experiment_of(name) for name, _, _ in FOUND}
    if ran != set(experiments.REGISTRY):
        pytest.skip("the fuzzing tests of every experiment did not run in this session")
    assert {code for _, _, code in FOUND} == {0, 1, 2}
    for experiment in experiments.REGISTRY:
        found = [(kind, code) for name, kind, code in FOUND if experiment_of(name) == experiment]
        assert len(found) >= EXAMPLES.get(experiment, OTHER_EXAMPLES), (experiment, len(found))
        assert {kind for kind, _ in found} == set(KINDS), experiment


def damaged(kind: str, members: Members, raw: bytes) -> bytes:
    """The first mutant of this kind, from a fixed random source, that differs from the seed."""
    for seed in range(100):
        mutant = mutate(Seeded(seed), kind, members, raw)
        if mutant != raw and mutant != write_members(members):
            return mutant
    raise AssertionError(f"no {kind} mutant differs from its seed")


SUBPROCESS_SAMPLE = [("init", "formula text"), ("init.gnumeric", "cell attributes"),
                     ("descent.libreoffice", "manifest"), ("init-backward-bn", "part byte flips"),
                     ("training.gnumeric", "[Content_Types].xml")]


@pytest.mark.parametrize(("seed", "kind"), SUBPROCESS_SAMPLE)
def test_verify_in_a_fresh_process(seeds, tmp_path, seed, kind):
    """The same rules for `python -m sheetsim verify` started afresh (exit status, stderr,
    peak memory of the whole process)."""
    members, raw, _ = seeds[seed]
    path = tmp_path / "mutant.xlsx"
    mutant = damaged(kind, members, raw)
    path.write_bytes(mutant)
    code, _, rss, err = measured("verify", str(path), "-q")
    outcome = Outcome(code, "", err if code == 2 else "", 0.0, rss)
    assert outcome.problem(path) is None, (code, err)
    assert rss < 300 * 1024, rss


ENGINE_SAMPLE = [("recalc", "gnumeric", "init", "cell values"),
                 ("recalc", "libreoffice", "init.gnumeric", "formula text"),
                 ("render", "libreoffice", "descent", "relationships")]


@pytest.mark.parametrize(("command", "engine", "seed", "kind"), ENGINE_SAMPLE)
def test_engine_commands_survive_a_mutant(seeds, tmp_path, command, engine, seed, kind):
    members, raw, _ = seeds[seed]
    mutant = damaged(kind, members, raw)
    path = tmp_path / "mutant.xlsx"
    path.write_bytes(mutant)
    if command == "recalc":
        args = ["recalc", str(path), "--engine", engine, "-o", str(tmp_path / "out.xlsx")]
    else:
        args = ["render", str(path), "-o", str(tmp_path / "out.png")]
    outcome = run_forked([*args, "-q", "--timeout", "120"], timeout=300)
    assert outcome.code in (0, 2), (outcome.code, outcome.stderr)
    assert outcome.problem(path) is None, outcome.stderr
