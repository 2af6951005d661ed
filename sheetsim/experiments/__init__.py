"""The experiments sheetsim can build, by name: the registry (one line per experiment)."""

from __future__ import annotations

from typing import Any

from sheetsim import config
from sheetsim.config import DEFAULT_EXPERIMENT, ConfigError
from sheetsim.experiments.base import Experiment
from sheetsim.experiments.compare import CompareExperiment
from sheetsim.experiments.descent import DescentExperiment
from sheetsim.experiments.init import InitExperiment
from sheetsim.experiments.training import TrainingExperiment

REGISTRY: dict[str, Experiment] = {
    e.name: e for e in (InitExperiment(), DescentExperiment(), TrainingExperiment(),
                        CompareExperiment())
}


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


def load_preset(name: str) -> Any:
    """The settings a preset makes, of the experiment it names."""
    experiment = get(config.preset_experiment(name))
    return config.from_mapping(experiment.settings_type, config.preset_data(name),
                               source=f"preset {name}")


__all__ = ["DEFAULT_EXPERIMENT", "REGISTRY", "Experiment", "get", "load_preset", "of_settings"]
