"""What an experiment is, for the machinery around it.

An experiment declares, in its own package: its settings (a frozen dataclass), its plan
(sheets, blocks, defined names), the formula text of its big blocks, its reference model
as one mapping from block name to array, its controls (defined name ↔ setting), its
command-line options, and the writing of its own small sheets (controls, tables,
dashboard, guide). ``build``, ``check`` and the CLI iterate over these declarations and
know no block names.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, ClassVar, Generic, Self, TypeVar

import numpy as np

from sheetsim import config
from sheetsim.config import ConfigError
from sheetsim.xlsx.cells import Block, Named

LANGS = ("en", "ja")
"""Languages every experiment writes its texts in."""
UNIFORM = "uniform"
"""The block kind of stored uniform draws (or live =RAND() cells): every experiment's
randomness, read back from the file by ``verify``."""

Reference = dict[str, np.ndarray]
"""Block name → the reference model's values for the whole block (2-D)."""


class SettingsBase:
    """What every experiment's settings (a frozen dataclass deriving from this) share: input
    from a mapping (TOML, JSON, flags, a manifest) and output as the manifest's JSON.

    A subclass declares its fields with the command line's defaults, and may declare
    ``ALIASES`` (a key standing for a pair of fields: ``range`` = bin_low, bin_high),
    ``LAYER_MAPS`` (per-layer fields) and ``FLOATS`` (fields a whole number may set).
    """

    ALIASES: ClassVar[dict[str, tuple[str, str]]] = {}
    LAYER_MAPS: ClassVar[tuple[str, ...]] = ()
    FLOATS: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def from_mapping(cls, data: dict[str, Any], base: Self | None = None,
                     source: str = "") -> Self:
        """``data``'s keys (TOML, JSON, flags, controls) applied onto ``base`` (default: the
        defaults) and validated; an unknown key names the nearest valid one, and every
        error names ``source``."""
        where = f"{source}: " if source else ""
        names = config.field_names(cls)
        changes: dict[str, Any] = {}
        for key, value in data.items():
            if key in cls.ALIASES:
                if not (isinstance(value, list | tuple) and len(value) == 2):
                    raise ConfigError(f"{where}{key}: expected [low, high], got {value!r}")
                changes.update(zip(cls.ALIASES[key], value, strict=True))
            elif key in names:
                changes[key] = value
            else:
                near = config.nearest(key, names + tuple(cls.ALIASES))
                hint = f"; did you mean {near!r}?" if near else ""
                raise ConfigError(f"{where}unknown setting {key!r}{hint}")
        for key in cls.LAYER_MAPS:
            if key in changes:
                changes[key] = _layer_map(key, changes[key], where)
        for key in cls.FLOATS:
            if isinstance(changes.get(key), int) and not isinstance(changes[key], bool):
                changes[key] = float(changes[key])
        try:
            return replace(base or cls(), **changes).validated()  # type: ignore[type-var]
        except ConfigError as exc:
            raise ConfigError(f"{where}{exc}") from None

    def validated(self) -> Self:
        """These settings, or a ConfigError naming the first bad field."""
        raise NotImplementedError

    def to_json(self) -> str:
        """The settings as the manifest stores them."""
        return json.dumps(asdict(self), sort_keys=True)  # type: ignore[call-overload]

    @property
    def describe(self) -> str:
        """One line for the terminal: the settings that matter."""
        raise NotImplementedError


def _layer_map(key: str, value: Any, where: str) -> dict[int, str]:
    """``{"5": "sigmoid"}`` (TOML, JSON) or ``["5=sigmoid"]`` (CLI) to ``{5: "sigmoid"}``."""
    items: list[tuple[Any, Any]]
    if isinstance(value, dict):
        items = list(value.items())
    elif isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        items = [tuple(v.split("=", 1)) if "=" in v else (v, None) for v in value]
    else:
        raise ConfigError(f"{where}{key}: expected layer = name pairs, got {value!r}")
    out: dict[int, str] = {}
    for k, name in items:
        try:
            layer = int(k)
        except (TypeError, ValueError):
            raise ConfigError(
                f"{where}{key}: expected LAYER=NAME such as 5=sigmoid, got {k!r}"
            ) from None
        if name is None:
            raise ConfigError(f"{where}{key}: expected LAYER=NAME such as 5=sigmoid, got {k!r}")
        if name != config.GLOBAL:
            out[layer] = name
    return out


S = TypeVar("S", bound=SettingsBase)
"""An experiment's settings type."""


@dataclass
class Plan:
    """Where everything of one workbook lives: sheet order, blocks, defined names."""

    settings: Any
    sheets: list[str] = field(default_factory=list)
    blocks: dict[str, Block] = field(default_factory=dict)
    names: dict[str, Named] = field(default_factory=dict)
    exercises: Any = None
    """The Exercises sheet's questions (``common.exercises.Exercises``), if the workbook
    has one."""

    def add(self, block: Block) -> Block:
        """Record a block under its name."""
        self.blocks[block.name] = block
        return block

    def name(self, named: Named) -> Named:
        """Record a defined name."""
        self.names[named.name] = named
        return named

    def check_fits(self) -> None:
        """Every block and defined name lies inside Excel's grid, else a ConfigError naming
        the first that does not and the setting of its size: settings that pass their own
        bounds can still make a block that starts below a caption run off the sheet."""
        from sheetsim import config

        config.check_fits([*self.blocks.values(), *self.names.values()], self.settings)


@dataclass(frozen=True)
class BigBlock:
    """A sheet holding one big block, streamed rather than written cell by cell.

    ``formula`` is the one array formula over the block (None for stored draws);
    ``cell_formula`` a formula in every cell instead (``RAND()`` in live workbooks).
    """

    block: Block
    formula: str | None
    caption: str
    cell_formula: str | None = None


def whole_number(value: Any) -> Any:
    """A count read back from a file as 30.0 is the whole number 30 (a control's
    ``from_cell`` for settings that are integers)."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


@dataclass(frozen=True)
class Control:
    """A named control cell and the setting it stands for.

    ``key`` is the settings key (for ``SettingsBase.from_mapping``); a per-layer control also
    has its ``layer``. ``to_cell`` gives the cell's value from the settings, ``from_cell``
    turns a value read from a file back into the key's value.
    """

    name: str
    key: str
    to_cell: Callable[[Any], Any]
    layer: int | None = None
    from_cell: Callable[[Any], Any] | None = None
    fixed: bool = False
    """Fixed at build (shown, not changeable): verify does not read it back."""

    def setting(self, value: Any) -> Any:
        """The settings value of a cell value read from a file."""
        return value if self.from_cell is None else self.from_cell(value)


@dataclass(frozen=True)
class Option:
    """A command-line option of ``sheetsim build EXPERIMENT`` that sets one settings key.

    ``help`` says what the option does and what is allowed; the command line adds the
    default, read from the settings dataclass, so a default is written in one place.
    A ``key`` with a ``*`` is keyed by name: ``--lr adam=0.3`` sets ``lr_adam`` (the
    option is then repeatable, its metavar ``NAME=VALUE``). A ``metavar`` of ``[LIST]``
    lets the option be given without a value (the setting's default list).
    """

    flags: tuple[str, ...]
    key: str
    help: str
    type: Any = None
    metavar: str | None = None
    multiple: bool = False
    is_flag: bool = False
    show_default: bool = True
    """False where the dataclass default is not what the option's absence means (init's
    ``--range``: without it the range is automatic)."""

    @property
    def keyed(self) -> bool:
        """Whether the option sets one of several keys by name (``--lr adam=0.3``)."""
        return "*" in self.key


LANG_OPTION = Option(("--lang",), "lang", "Language of labels and guide: en or ja.", str)
"""The language option every experiment offers (its settings have a ``lang`` field)."""

P = TypeVar("P", bound=Plan)
"""An experiment's plan type."""


class Experiment(ABC, Generic[S, P]):
    """One kind of workbook. Subclasses are registered in ``sheetsim.experiments``; the
    command line, build, verify and the tests know an experiment only through this."""

    name: ClassVar[str]
    """Registry name: the command ``sheetsim build NAME`` and the default output
    ``output/NAME.xlsx``."""
    summary: ClassVar[str]
    """One line for listings."""
    examples: ClassVar[tuple[str, ...]] = ()
    """Command lines for ``sheetsim build NAME --help``, each with an optional ``# what it
    shows``; the first also goes into ``sheetsim --help``."""
    presets: ClassVar[tuple[str, ...]] = ()
    """The experiment's presets in lesson order (``sheetsim presets`` lists them so)."""
    settings_type: ClassVar[type[SettingsBase]]
    options: ClassVar[tuple[Option, ...]]

    @property
    def default_output(self) -> Path:
        """Where ``sheetsim build NAME`` writes unless told: no two experiments share it."""
        return Path("output") / f"{self.name}.xlsx"

    def implied(self, data: dict[str, Any]) -> dict[str, Any]:
        """Settings that one source's keys imply (a range given is a manual range): applied
        to each source (preset, TOML, flags) before it is laid on the previous ones."""
        return data

    def preset_results(self, settings: S) -> str:
        """One line of what a workbook of these settings shows, for ``sheetsim presets
        --results``: each experiment says what matters for it."""
        return ""

    @abstractmethod
    def plan(self, settings: S) -> P:
        """Sheets, blocks and names of the workbook these settings make."""

    @abstractmethod
    def draws(self, settings: S, plan: P) -> Reference:
        """The seeded uniform draws of every ``uniform`` block, by block name."""

    @abstractmethod
    def reference(self, settings: S, plan: P, draws: Reference) -> Reference:
        """The reference model run on ``draws``: every block it can compute, by name.

        Build writes these as cached values; verify compares the evaluator with them, on
        the settings read back from the file's controls.
        """

    @abstractmethod
    def slack(self, settings: S, plan: P, evaluated: Reference) -> dict[str, Any]:
        """Allowed differences per block (ties with bin edges), broadcastable to it."""

    def big_blocks(self, settings: S, plan: P) -> Iterator[BigBlock]:
        """The big blocks, in the order their sheets are written (default: none, every
        cell is written by the experiment's own sheets)."""
        return iter(())

    @abstractmethod
    def controls(self, settings: S) -> list[Control]:
        """Every control cell of the workbook and its setting."""

    @abstractmethod
    def write_sheets(self, book: Any) -> None:
        """Write the experiment's own small sheets (``book`` is a ``build.writer.Canvas``
        of this experiment's plan)."""

    @abstractmethod
    def check_plan(self, settings: S, blocks: dict[str, Block]) -> str | None:
        """A manifest's blocks against its settings: a problem in words, or None."""

    @abstractmethod
    def terminal_summary(self, settings: S, reference: Reference) -> str:
        """What ``sheetsim build`` prints after writing: the findings in a small table."""

    def settings_from_controls(self, base: S, values: dict[str, Any]) -> S:
        """The settings a file's control cells describe (``values`` by defined name),
        on top of the settings it was built with; fixed controls, and controls the file
        does not have (``values`` lacks them), are not read."""
        changes: dict[str, Any] = {}
        for control in self.controls(base):
            if control.fixed or control.name not in values:
                continue
            value = values[control.name]
            if control.layer is None:
                changes[control.key] = control.setting(value)
            else:
                changes.setdefault(control.key, {})[str(control.layer)] = control.setting(value)
        return type(base).from_mapping(changes, base=base, source="controls")

    def title(self, settings: S) -> str:
        """The workbook's title (document properties)."""
        return self.name
