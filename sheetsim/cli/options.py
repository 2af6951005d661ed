"""An experiment's declared options (``experiments.base.Option``) as click parameters, and
the values given on the command line as settings keys.

Defaults shown in ``--help`` are read from the experiment's settings dataclass, which is
where every default is written."""

from __future__ import annotations

import fnmatch
from dataclasses import fields
from typing import Any

import click

from sheetsim.config import ConfigError, nearest
from sheetsim.experiments.base import Experiment, Option

OPTIONAL_LIST = "[LIST]"
"""An option with this metavar may be given without a value (the setting's default list)."""


def param_name(option: Option) -> str:
    """The Python parameter click passes an option's value in."""
    return option.flags[-1] if len(option.flags) > 1 else (
        option.flags[0].lstrip("-").replace("-", "_"))


def keyed_names(experiment: Experiment, option: Option) -> dict[str, str]:
    """A keyed option's names and the settings keys they set: ``{"adam": "lr_adam"}``."""
    head, _, tail = option.key.partition("*")
    return {f.name[len(head):len(f.name) - len(tail)]: f.name
            for f in fields(experiment.settings_type)
            if fnmatch.fnmatchcase(f.name, option.key)}


def _shown(value: Any) -> str | None:
    """A default as the command line would spell it, or None when there is none to show."""
    if value is None or isinstance(value, bool) or value in ({}, (), [], ""):
        return None
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list | tuple):
        parts = [_shown(v) or "" for v in value]
        return ",".join(parts) if all(isinstance(v, str) for v in value) else " ".join(parts)
    return str(value)


def default_text(experiment: Experiment, option: Option) -> str | None:
    """The default ``--help`` shows for ``option``, from the settings dataclass."""
    if option.is_flag or not option.show_default:
        return None
    defaults = experiment.settings_type()
    if option.keyed:
        return ", ".join(f"{name}={_shown(getattr(defaults, key))}"
                         for name, key in keyed_names(experiment, option).items())
    pair = experiment.settings_type.ALIASES.get(option.key)
    if pair is not None:
        return _shown(tuple(getattr(defaults, k) for k in pair))
    return _shown(getattr(defaults, option.key, None))


class ExperimentOption(click.Option):
    """A click option whose ``--help`` shows a default it does not apply: the value stays
    None when the option is not given, so a preset or TOML file is not overridden."""

    def __init__(self, *args: Any, shown_default: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.shown_default = shown_default

    def get_help_extra(self, ctx: click.Context) -> Any:
        """click's help extras with the settings' default as the default."""
        extra = super().get_help_extra(ctx)
        if self.shown_default is not None:
            extra["default"] = self.shown_default
        return extra


def params(experiment: Experiment) -> list[click.Option]:
    """The experiment's options as click parameters, in their declared order. Every value
    defaults to None (not given), so a preset or TOML file is not overridden by a default."""
    out = []
    for option in experiment.options:
        kwargs: dict[str, Any] = {"help": option.help, "default": None,
                                  "shown_default": default_text(experiment, option)}
        if option.is_flag:
            kwargs.update(is_flag=True)
        elif option.metavar == OPTIONAL_LIST:
            kwargs.update(is_flag=False, flag_value="", type=option.type)
        elif option.multiple or option.keyed:
            kwargs.update(multiple=True, type=str)
        else:
            kwargs["type"] = option.type
        if option.metavar:
            kwargs["metavar"] = option.metavar
        out.append(ExperimentOption(list(option.flags), **kwargs))
    return out


def given_flags(experiment: Experiment, given: dict[str, Any]) -> dict[str, Any]:
    """The settings keys the options given on the command line set (absent ones left out)."""
    flags: dict[str, Any] = {}
    for option in experiment.options:
        value = given.get(param_name(option))
        if option.multiple or option.keyed:
            value = list(value or ()) or None
        if value is None:
            continue
        if option.keyed:
            flags.update(_keyed(experiment, option, value))
        else:
            flags[option.key] = value
    return flags


def _keyed(experiment: Experiment, option: Option, items: list[str]) -> dict[str, float]:
    """``["adam=0.3"]`` of ``--lr`` as ``{"lr_adam": 0.3}``; a bad item is a ConfigError."""
    flag, names = option.flags[0], keyed_names(experiment, option)
    out = {}
    for item in items:
        name, sep, text = item.partition("=")
        name = name.strip().lower()
        example = f"{next(iter(names))}=0.1"
        if not sep:
            raise ConfigError(f"{flag}: expected {option.metavar or 'NAME=VALUE'} such as "
                              f"{example}, got {item!r}")
        if name not in names:
            near = nearest(name, list(names))
            hint = f"; did you mean {near!r}?" if near else ";"
            raise ConfigError(f"{flag}: unknown name {name!r}{hint} allowed: "
                              f"{', '.join(names)}")
        try:
            out[names[name]] = float(text)
        except ValueError:
            raise ConfigError(f"{flag}: expected a number after {name}=, got {text!r}") from None
    return out
