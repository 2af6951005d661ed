"""Settings from every source — defaults, a preset, a TOML file, flags, a manifest — in one
validated form, generic over experiments.

Each experiment declares its settings as a frozen dataclass deriving from
``experiments.base.SettingsBase``, which applies keys onto it. This module holds the checks
its ``validated()`` uses, names the nearest valid name for a typo, and reads presets from
``templates/`` (each names its experiment).
"""

from __future__ import annotations

import difflib
import math
import tomllib
from collections.abc import Iterable
from dataclasses import fields
from pathlib import Path
from typing import Any

from sheetsim.xlsx.cells import GRID_COLS, GRID_ROWS, label

GLOBAL = "global"
"""A per-layer setting with this value follows the global control."""
MAX_ROWS = GRID_ROWS
"""No count of rows can exceed Excel's grid; whether a workbook of these settings fits is
its plan's question (``check_fits``: blocks start below captions and labels)."""
MAX_COLS = GRID_COLS
MAX_SEED = 10**15 - 1
"""Spreadsheets hold and show whole numbers exactly only up to 15 digits."""
DEFAULT_EXPERIMENT = "init"
"""A preset or manifest that names no experiment is of the weight-initialization one."""
PRESET_KEYS = ("description", "experiment")
"""Keys of a preset file that describe it rather than set anything."""


class ConfigError(ValueError):
    """A one-line, user-facing message naming the field and what is allowed."""


def check_int(name: str, value: Any, low: int, high: int) -> None:
    """A whole number (not a bool) within [low, high]."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(
            f"{name}: expected a whole number from {low:,} to {high:,}, got {value!r}"
        )
    if not low <= value <= high:
        raise ConfigError(f"{name}: {value:,} is out of range; allowed {low:,} to {high:,}")


def check_float(name: str, value: Any, positive: bool = False) -> None:
    """A finite number (not a bool), above 0 when ``positive``."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ConfigError(f"{name}: expected a finite number, got {value!r}")
    if positive and value <= 0:
        raise ConfigError(f"{name}: must be greater than 0, got {value:g}")


def check_fits(places: Iterable[Any], settings: Any = None) -> None:
    """Every block and named range of a plan (anything with sheet, row, col, rows, cols)
    lies inside Excel's grid; else a ConfigError naming the first that does not, how many
    rows or columns fit where it starts, and the settings (of ``settings``) of that size."""
    for p in places:
        for size, start, extent, what in ((p.rows, p.row, GRID_ROWS, "rows"),
                                          (p.cols, p.col, GRID_COLS, "columns")):
            if start + size <= extent:
                continue
            keys = [k for k in (field_names(type(settings)) if settings is not None else ())
                    if type(getattr(settings, k)) is int and getattr(settings, k) == size]
            raise ConfigError(
                f"{' or '.join(keys) or 'size'}: {size:,} is too large; the workbook does not "
                f"fit Excel's grid: {getattr(p, 'name', 'a block')} needs {size:,} {what} from "
                f"{label(p.sheet, p.row, p.col)}, where at most {extent - start:,} fit"
            )


def nearest(name: str, allowed: list[str] | tuple[str, ...]) -> str | None:
    """The allowed name closest to a misspelt one (``tanhh`` → tanh), if any is close."""
    near = difflib.get_close_matches(name, list(allowed), n=1, cutoff=0.6)
    return near[0] if near else None


def check_choice(name: str, value: Any, allowed: tuple[str, ...]) -> None:
    """One of ``allowed``, exactly; a typo is answered with the nearest allowed name."""
    if value not in allowed:
        near = nearest(value, allowed) if isinstance(value, str) else None
        hint = f"; did you mean {near!r}? allowed:" if near else "; allowed:"
        raise ConfigError(f"{name}: unknown value {value!r}{hint} {', '.join(allowed)}")


def check_bool(name: str, value: Any) -> None:
    """true or false, not a number that looks like one."""
    if not isinstance(value, bool):
        raise ConfigError(f"{name}: expected true or false, got {value!r}")


def check_layers(key: str, chosen: dict[int, str], layers: int, allowed: tuple[str, ...]) -> None:
    """A per-layer map names existing layers and allowed values."""
    for k, name in chosen.items():
        if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= layers:
            raise ConfigError(f"{key}: layer {k!r} does not exist; allowed 1 to {layers}")
        check_choice(f"{key} of layer {k}", name, allowed)


def field_names(settings_type: type) -> tuple[str, ...]:
    """The settings' fields, in declaration order."""
    return tuple(f.name for f in fields(settings_type))


def templates_dir() -> Path:
    """Where the presets live (``templates/``, reached through the package)."""
    return Path(__file__).resolve().parent / "templates"


def preset_names() -> list[str]:
    """Every preset, sorted."""
    return sorted(p.stem for p in templates_dir().glob("*.toml"))


def load_toml(path: Path) -> dict[str, Any]:
    """A TOML file as a dict; any failure is one line naming the file."""
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"config: no such file {str(path)!r}") from None
    except IsADirectoryError:
        raise ConfigError(f"config: {str(path)!r} is a folder, not a TOML file") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        detail = " ".join(str(exc).split())[:200] or type(exc).__name__
        raise ConfigError(f"config: {path.name} is not valid TOML ({detail})") from None


def _preset_file(name: str) -> dict[str, Any]:
    names = preset_names()
    if name not in names:
        raise ConfigError(f"preset: unknown preset {name!r}; allowed: {', '.join(names)}")
    return load_toml(templates_dir() / f"{name}.toml")


def preset_data(name: str) -> dict[str, Any]:
    """The settings a preset makes (its description and experiment name left out)."""
    data = _preset_file(name)
    for key in PRESET_KEYS:
        data.pop(key, None)
    return data


def preset_experiment(name: str) -> str:
    """The experiment a preset belongs to."""
    return str(_preset_file(name).get("experiment", DEFAULT_EXPERIMENT))


def preset_description(name: str) -> str:
    """The preset's one-line description, for ``sheetsim presets``."""
    return str(_preset_file(name).get("description", ""))
