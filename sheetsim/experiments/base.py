"""What an experiment is, for the machinery around it.

An experiment declares, in its own package: its settings (a frozen dataclass), its plan
(sheets, blocks, defined names), the formula text of its big blocks, its reference model
as one mapping from block name to array, its controls (defined name ↔ setting), its
command-line options, and the writing of its own small sheets (controls, tables,
dashboard, guide). ``build``, ``check`` and the CLI iterate over these declarations and
know no block names.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from sheetsim.xlsx.cells import Block, Named

LANGS = ("en", "ja")
"""Languages every experiment writes its texts in."""
UNIFORM = "uniform"
"""The block kind of stored uniform draws (or live =RAND() cells): every experiment's
randomness, read back from the file by ``verify``."""

Reference = dict[str, np.ndarray]
"""Block name → the reference model's values for the whole block (2-D)."""


@dataclass
class Plan:
    """Where everything of one workbook lives: sheet order, blocks, defined names."""

    settings: Any
    sheets: list[str] = field(default_factory=list)
    blocks: dict[str, Block] = field(default_factory=dict)
    names: dict[str, Named] = field(default_factory=dict)

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

    ``key`` is the settings key (for ``config.from_mapping``); a per-layer control also
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
    """A command-line option of ``sheetsim build`` that sets one settings key."""

    flags: tuple[str, ...]
    key: str
    help: str
    type: Any = None
    metavar: str | None = None
    multiple: bool = False
    is_flag: bool = False


LANG_OPTION = Option(("--lang",), "lang",
                     "Language of labels and guide: en or ja (default en).", str)
"""The language option every experiment offers (its settings have a ``lang`` field)."""


class Experiment(ABC):
    """One kind of workbook. Subclasses are registered in ``sheetsim.experiments``."""

    name: ClassVar[str]
    """Registry name (``sheetsim build --experiment NAME``)."""
    summary: ClassVar[str]
    """One line for listings."""
    settings_type: ClassVar[type]
    options: ClassVar[tuple[Option, ...]]

    @abstractmethod
    def plan(self, settings: Any) -> Plan:
        """Sheets, blocks and names of the workbook these settings make."""

    @abstractmethod
    def draws(self, settings: Any, plan: Plan) -> Reference:
        """The seeded uniform draws of every ``uniform`` block, by block name."""

    @abstractmethod
    def reference(self, settings: Any, plan: Plan, draws: Reference) -> Reference:
        """The reference model run on ``draws``: every block it can compute, by name.

        Build writes these as cached values; verify compares the evaluator with them, on
        the settings read back from the file's controls.
        """

    @abstractmethod
    def slack(self, settings: Any, plan: Plan, evaluated: Reference) -> dict[str, Any]:
        """Allowed differences per block (ties with bin edges), broadcastable to it."""

    @abstractmethod
    def big_blocks(self, settings: Any, plan: Plan) -> Iterator[BigBlock]:
        """The big blocks, in the order their sheets are written."""

    @abstractmethod
    def controls(self, settings: Any) -> list[Control]:
        """Every control cell of the workbook and its setting."""

    @abstractmethod
    def write_sheets(self, book: Any) -> None:
        """Write the experiment's own small sheets (``book`` is a ``build.writer.Sheets``)."""

    @abstractmethod
    def check_plan(self, settings: Any, blocks: dict[str, Block]) -> str | None:
        """A manifest's blocks against its settings: a problem in words, or None."""

    @abstractmethod
    def terminal_summary(self, settings: Any, reference: Reference) -> str:
        """What ``sheetsim build`` prints after writing: the findings in a small table."""

    def settings_from_controls(self, base: Any, values: dict[str, Any]) -> Any:
        """The settings a file's control cells describe (``values`` by defined name),
        on top of the settings it was built with; fixed controls are not read."""
        from sheetsim.config import from_mapping

        changes: dict[str, Any] = {}
        for control in self.controls(base):
            if control.fixed:
                continue
            value = values[control.name]
            if control.layer is None:
                changes[control.key] = control.setting(value)
            else:
                changes.setdefault(control.key, {})[str(control.layer)] = control.setting(value)
        return from_mapping(type(base), changes, base=base, source="controls")

    def title(self, settings: Any) -> str:
        """The workbook's title (document properties)."""
        return self.name
