"""The experiments sheetsim can build, by name: the registry (one line per experiment)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sheetsim import config
from sheetsim.config import DEFAULT_EXPERIMENT, ConfigError
from sheetsim.experiments.base import Experiment
from sheetsim.experiments.compare import CompareExperiment
from sheetsim.experiments.descent import DescentExperiment
from sheetsim.experiments.digits import DigitsExperiment
from sheetsim.experiments.init import InitExperiment
from sheetsim.experiments.training import TrainingExperiment

REGISTRY: dict[str, Experiment] = {
    e.name: e for e in (InitExperiment(), CompareExperiment(), DescentExperiment(),
                        TrainingExperiment(), DigitsExperiment())
}
"""In lesson order: the article's Monte Carlo, its comparison, descent, training, then
training on the handwritten digits."""


def get(name: str) -> Experiment:
    """The experiment called ``name``; a ConfigError lists the known ones otherwise."""
    try:
        return REGISTRY[name]
    except KeyError:
        raise ConfigError(
            f"experiment: unknown experiment {name!r}; allowed: {', '.join(REGISTRY)}"
        ) from None


def of_settings(settings: Any) -> Experiment:
    """The experiment whose settings ``settings`` are."""
    for experiment in REGISTRY.values():
        if isinstance(settings, experiment.settings_type):
            return experiment
    raise TypeError(f"no experiment has settings of type {type(settings).__name__}")


def resolve(experiment: Experiment, preset: str | None = None,
            config_file: Path | None = None, flags: dict[str, Any] | None = None) -> Any:
    """The one settings path: the dataclass defaults, then the preset, then the TOML file,
    then the flags given (None values are not given), each validated as it is laid on.

    The command line, ``load_preset``, the tests and the benchmarks all come here. A preset
    or TOML file of another experiment is a ConfigError naming the experiment it is for.
    """
    settings = experiment.settings_type()
    if preset is not None:
        owner = config.preset_experiment(preset)
        if owner != experiment.name:
            raise ConfigError(f"preset: {preset!r} is a preset of the {owner} experiment; "
                              f"build it with `sheetsim build {owner} --preset {preset}`")
        settings = experiment.settings_type.from_mapping(
            experiment.implied(config.preset_data(preset)), base=settings,
            source=f"preset {preset}")
    if config_file is not None:
        data = config.load_toml(config_file)
        owner = str(data.pop("experiment", experiment.name))
        if owner != experiment.name:
            raise ConfigError(f"config: {config_file.name} is for the {owner} experiment; "
                              f"build it with `sheetsim build {owner} --config ...`")
        settings = experiment.settings_type.from_mapping(
            experiment.implied(data), base=settings, source=config_file.name)
    changes = {k: v for k, v in (flags or {}).items() if v is not None}
    if changes:
        settings = experiment.settings_type.from_mapping(experiment.implied(changes),
                                                         base=settings)
    return settings


def presets_of(experiment: Experiment) -> list[str]:
    """The experiment's presets in lesson order: those it declares, then any other preset
    file that names it (sorted), so a preset missing from the declaration still shows."""
    own = [n for n in config.preset_names() if config.preset_experiment(n) == experiment.name]
    declared = [n for n in experiment.presets if n in own]
    return declared + sorted(set(own) - set(declared))


def load_preset(name: str) -> Any:
    """The settings a preset makes, of the experiment it names (see ``resolve``)."""
    return resolve(get(config.preset_experiment(name)), preset=name)


__all__ = ["DEFAULT_EXPERIMENT", "REGISTRY", "Experiment", "get", "load_preset", "of_settings",
           "presets_of", "resolve"]
