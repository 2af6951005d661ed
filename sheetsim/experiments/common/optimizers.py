"""The optimizers: one table, every entry complete.

An entry names everything of one optimizer: the name its flags and settings use
(``--optimizer adam``, ``--lr adam=0.3``, the settings key ``lr_adam``), the defined name
of its learning rate in a workbook, the optimizer lab's default learning rate, the
constants it reads, the state it keeps, and its rule twice, written independently from the
mathematics: as formula text and as a NumPy step. Each works coordinate by coordinate.
With gradient g of the position p before step t (t = 1, 2, …) and state starting at 0:

- SGD:      p ← p − lr·g
- Momentum: v ← β·v − lr·g;                 p ← p + v
- AdaGrad:  h ← h + g²;                     p ← p − lr·g / (√h + ε)
- RMSprop:  h ← ρ·h + (1 − ρ)·g²;           p ← p − lr·g / (√h + ε)
- Adam:     m ← β₁·m + (1 − β₁)·g;  v ← β₂·v + (1 − β₂)·g²;
            p ← p − lrₜ·m / (√v + ε),  lrₜ = lr·√(1 − β₂ᵗ) / (1 − β₁ᵗ)

(the textbook's forms: ε outside the root, Adam's bias correction folded into the step
size). Each new value is one cell of a sheet, so the model checks each for overflow on its
own. Adding an optimizer is one entry here plus its words in each experiment's ``texts``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from sheetsim.config import ConfigError, check_float
from sheetsim.experiments.common.overflow import finite


class Constants(Protocol):
    """The optimizers' constants, as settings hold them (see ``DECAYS`` and ``EPS``)."""

    @property
    def momentum(self) -> float: ...
    @property
    def rho(self) -> float: ...
    @property
    def beta1(self) -> float: ...
    @property
    def beta2(self) -> float: ...
    @property
    def eps(self) -> float: ...


@dataclass(frozen=True)
class Constant:
    """An optimizer's constant: its defined name in a workbook, its default, and what it
    is in a few words (the command line's help)."""

    name: str
    default: float
    what: str


DECAYS: dict[str, Constant] = {
    "momentum": Constant("MomentumBeta", 0.9, "Momentum β"),
    "rho": Constant("RMSpropRho", 0.99, "RMSprop decay ρ"),
    "beta1": Constant("AdamBeta1", 0.9, "Adam β₁"),
    "beta2": Constant("AdamBeta2", 0.999, "Adam β₂"),
}
"""The decay rates by settings key, each in [0, 1)."""
EPS = Constant("Eps", 1e-7, "ε of AdaGrad, RMSprop and Adam")
"""ε of AdaGrad, RMSprop and Adam (settings key ``eps``)."""
CONSTANTS: dict[str, Constant] = {**DECAYS, "eps": EPS}
"""Every constant by settings key (each is also the command line's option ``--KEY``)."""


def check_constants(settings: Constants) -> None:
    """Every decay rate in [0, 1) and ε above 0; else a ConfigError naming the first that
    is not (the settings of every experiment that runs these optimizers)."""
    for key in DECAYS:
        value = getattr(settings, key)
        check_float(key, value)
        if not 0 <= value < 1:
            raise ConfigError(f"{key}: {value:g} is out of range; allowed 0 ≤ {key} < 1")
    check_float("eps", settings.eps, positive=True)

Cells = dict[str, str]
"""Addresses a rule's text reads: ``p`` the previous position, ``g`` the gradient there,
``<state>`` / ``<state>_new`` a state before and after this step, optionally ``lr_t``."""
Rule = Callable[[str, Cells, str, str], dict[str, str]]
"""(coordinate, cells, learning rate, step number) → the new state and position as text,
keyed ``<state><coordinate>`` and ``<coordinate>``."""
Step = Callable[[Constants, np.ndarray | float, np.ndarray, np.ndarray,
                 dict[str, np.ndarray], np.ndarray | None], np.ndarray]
"""(constants, lr, p, g, state, Adam's step size) → the new p; updates ``state`` in place."""


@dataclass(frozen=True)
class Optimizer:
    """One optimizer: its names, default, constants, state and rule (text and model)."""

    name: str
    """Its name in flags and settings: ``--optimizer NAME``, ``--lr NAME=RATE``."""
    label: str
    """Its name for readers (and the optimizer lab's sheet of it)."""
    lr_name: str
    """The defined name of its learning rate in a workbook."""
    lr_default: float
    """The optimizer lab's default learning rate."""
    params: tuple[str, ...]
    """Keys of ``DECAYS`` it reads."""
    state: tuple[str, ...]
    """What it remembers between steps, per coordinate (velocity, sums of squares...)."""
    colour: str
    rule: Rule
    step: Step

    @property
    def lr_key(self) -> str:
        """The settings key of its learning rate: ``lr_adam``."""
        return f"lr_{self.name}"


def _decay(key: str) -> str:
    return DECAYS[key].name


def adam_step(lr: str, t: str) -> str:
    """Adam's step size with the bias correction folded in, as the textbook writes it:
    lr · √(1 − β₂ᵗ) / (1 − β₁ᵗ)."""
    b1, b2 = _decay("beta1"), _decay("beta2")
    return f"{lr}*SQRT(1-{b2}^{t})/(1-{b1}^{t})"


def adam_step_size(c: Constants, lr: np.ndarray | float, t: int) -> np.ndarray:
    """lr · √(1 − β₂ᵗ) / (1 − β₁ᵗ): Adam's bias correction in the step size."""
    t_arr = np.float64(t)
    b1 = np.power(np.float64(c.beta1), t_arr)
    b2 = np.power(np.float64(c.beta2), t_arr)
    return np.asarray(lr) * np.sqrt(1 - b2) / (1 - b1)


# ------------------------------------------------------------------------ the rules

def _sgd_rule(coord: str, cell: Cells, lr: str, t: str) -> dict[str, str]:
    return {coord: f"{cell['p']}-{lr}*{cell['g']}"}


def _sgd_step(c: Constants, lr: np.ndarray | float, p: np.ndarray, g: np.ndarray,
              state: dict[str, np.ndarray], lr_t: np.ndarray | None) -> np.ndarray:
    return finite(p - lr * g)


def _momentum_rule(coord: str, cell: Cells, lr: str, t: str) -> dict[str, str]:
    beta = _decay("momentum")
    return {f"v{coord}": f"{beta}*{cell['v']}-{lr}*{cell['g']}",
            coord: f"{cell['p']}+{cell['v_new']}"}


def _momentum_step(c: Constants, lr: np.ndarray | float, p: np.ndarray, g: np.ndarray,
                   state: dict[str, np.ndarray], lr_t: np.ndarray | None) -> np.ndarray:
    state["v"] = finite(c.momentum * state["v"] - lr * g)
    return finite(p + state["v"])


def _adagrad_rule(coord: str, cell: Cells, lr: str, t: str) -> dict[str, str]:
    g = cell["g"]
    return {f"h{coord}": f"{cell['h']}+{g}*{g}",
            coord: f"{cell['p']}-{lr}*{g}/(SQRT({cell['h_new']})+{EPS.name})"}


def _adagrad_step(c: Constants, lr: np.ndarray | float, p: np.ndarray, g: np.ndarray,
                  state: dict[str, np.ndarray], lr_t: np.ndarray | None) -> np.ndarray:
    state["h"] = finite(state["h"] + g * g)
    return finite(p - lr * g / (np.sqrt(state["h"]) + c.eps))


def _rmsprop_rule(coord: str, cell: Cells, lr: str, t: str) -> dict[str, str]:
    rho, g = _decay("rho"), cell["g"]
    return {f"h{coord}": f"{rho}*{cell['h']}+(1-{rho})*{g}*{g}",
            coord: f"{cell['p']}-{lr}*{g}/(SQRT({cell['h_new']})+{EPS.name})"}


def _rmsprop_step(c: Constants, lr: np.ndarray | float, p: np.ndarray, g: np.ndarray,
                  state: dict[str, np.ndarray], lr_t: np.ndarray | None) -> np.ndarray:
    state["h"] = finite(c.rho * state["h"] + (1 - c.rho) * g * g)
    return finite(p - lr * g / (np.sqrt(state["h"]) + c.eps))


def _adam_rule(coord: str, cell: Cells, lr: str, t: str) -> dict[str, str]:
    b1, b2, g = _decay("beta1"), _decay("beta2"), cell["g"]
    step = cell.get("lr_t") or adam_step(lr, t)
    return {f"m{coord}": f"{b1}*{cell['m']}+(1-{b1})*{g}",
            f"v{coord}": f"{b2}*{cell['v']}+(1-{b2})*{g}*{g}",
            coord: f"{cell['p']}-{step}*{cell['m_new']}/(SQRT({cell['v_new']})+{EPS.name})"}


def _adam_step(c: Constants, lr: np.ndarray | float, p: np.ndarray, g: np.ndarray,
               state: dict[str, np.ndarray], lr_t: np.ndarray | None) -> np.ndarray:
    assert lr_t is not None
    state["m"] = finite(c.beta1 * state["m"] + (1 - c.beta1) * g)
    state["v"] = finite(c.beta2 * state["v"] + (1 - c.beta2) * g * g)
    return finite(p - lr_t * state["m"] / (np.sqrt(state["v"]) + c.eps))


OPTIMIZERS: dict[str, Optimizer] = {o.name: o for o in (
    Optimizer("sgd", "SGD", "LrSGD", 0.95, (), (), "#C00000", _sgd_rule, _sgd_step),
    Optimizer("momentum", "Momentum", "LrMomentum", 0.1, ("momentum",), ("v",), "#ED7D31",
              _momentum_rule, _momentum_step),
    Optimizer("adagrad", "AdaGrad", "LrAdaGrad", 1.5, (), ("h",), "#70AD47",
              _adagrad_rule, _adagrad_step),
    Optimizer("rmsprop", "RMSprop", "LrRMSprop", 0.1, ("rho",), ("h",), "#7030A0",
              _rmsprop_rule, _rmsprop_step),
    Optimizer("adam", "Adam", "LrAdam", 0.3, ("beta1", "beta2"), ("m", "v"), "#1F4E79",
              _adam_rule, _adam_step),
)}
OPTIMIZER_NAMES = tuple(OPTIMIZERS)
"""The optimizers' names, in the order of every list and formula that picks one."""

PARAM_NAMES: dict[str, str] = {
    key: name
    for o in OPTIMIZERS.values()
    for key, name in ((o.lr_key, o.lr_name), *((p, DECAYS[p].name) for p in o.params))
}
"""Defined names of every optimizer's learning rate and decay rates, by settings key, in
the table's order (each optimizer's learning rate, then its decays)."""


def update(opt: str, coord: str, cell: Cells, lr: str, t: str) -> dict[str, str]:
    """One step of ``opt`` in one coordinate: the new state and position, as text.

    ``cell`` gives the addresses of this row's and the previous row's values: ``p`` the
    previous position, ``g`` the gradient there, ``<state>`` / ``<state>_new`` the state
    before and after; ``t`` the step number (Adam), ``lr`` the learning rate.
    """
    return OPTIMIZERS[opt].rule(coord, cell, lr, t)


def step(opt: str, c: Constants, lr: np.ndarray | float, p: np.ndarray, g: np.ndarray,
         state: dict[str, np.ndarray], lr_t: np.ndarray | None) -> np.ndarray:
    """One step of ``opt`` in one coordinate; updates ``state`` in place, returns p.
    ``lr_t`` is Adam's step size of this step (``adam_step_size``)."""
    return OPTIMIZERS[opt].step(c, lr, p, g, state, lr_t)
