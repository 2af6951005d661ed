"""The optimizer lab's exercises: when plain SGD diverges on the bowl, what AdaGrad's steps
do, and predictions the sheet then computes from its paths (SGD's first step, how many
optimizers get below a loss of 0.01, which ends lowest, how many leave the plateau).

Cell addresses come from the plan (``DescentPlan.path``, its blocks), values from the
reference model's blocks of the same names.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from sheetsim.experiments.base import Reference
from sheetsim.experiments.common import exercises as ex
from sheetsim.experiments.common.exercises import Choice, Numeric, Question
from sheetsim.experiments.common.optimizers import OPTIMIZERS
from sheetsim.experiments.descent.dashboard import FINAL_PARTS
from sheetsim.experiments.descent.layout import DescentPlan, path_columns
from sheetsim.xlsx.cells import span

AFTER = "Guide"
"""The sheet the Exercises tab follows."""
LOW_LOSS = 0.01
"""The loss the counting question asks about."""

WORDS: dict[str, dict[str, Any]] = {
    "en": {
        "diverge": ("On the bowl f = x²/20 + y², a step of plain SGD multiplies y by "
                    "(1 − 2·lr). Above which learning rate does SGD diverge?",
                    "It diverges when |1 − 2·lr| > 1, that is lr > 1: each step then "
                    "overshoots y = 0 by more than it started. SGD's default 0.95 is just "
                    "below, which is why its path zigzags."),
        "first": ("Predict, then look at the SGD sheet: SGD's y after its first step, from "
                  "the start point and the learning rate set on Controls now.",
                  "One step: y − lr·∂f/∂y. On the bowl ∂f/∂y = 2y, so y becomes "
                  "y·(1 − 2·lr); on another surface use its own slope."),
        "count": ("How many of the optimizers end their path (after Steps steps, on the "
                  "surface chosen on Controls) with a loss below 0.01?",
                  "The Dashboard's final loss column holds them. Too small a learning rate "
                  "stops short of the minimum; too large a one overshoots it."),
        "lowest": ("Which optimizer ends its path with the lowest loss, with the controls "
                   "as they are now?",
                   "Compare the Dashboard's final losses. The ranking changes with the "
                   "surface and every learning rate: try the valley or the plateau."),
        "plateau": ("On the plateau (the Plateau sheet), how many of the optimizers get off "
                    "the flat shelf within {last} steps?",
                    "The Plateau sheet gives each optimizer's escape step ('> {last}': not "
                    "at all). A tiny slope gives SGD tiny steps; momentum builds up speed, "
                    "and the adaptive methods divide by the slope's own size."),
        "adagrad": ("AdaGrad divides each step by the root of the sum of all past squared "
                    "gradients. Over a long run, its steps…",
                    "The sum only grows, so the steps shrink until learning stalls; RMSprop "
                    "and Adam average the squares instead, forgetting old ones."),
        "adagrad_choices": ("shrink", "stay the same", "grow"),
    },
    "ja": {
        "diverge": ("お椀型 f = x²/20 + y² では、SGD の 1 ステップで y は (1 − 2·lr) 倍になります。"
                    "学習率がいくつを超えると SGD は発散しますか。",
                    "|1 − 2·lr| > 1、つまり lr > 1 で発散します。毎ステップ y = 0 を行き過ぎる幅が"
                    "元より大きくなるからです。SGD の既定値 0.95 はそのすぐ下で、"
                    "だから経路がジグザグします。"),
        "first": ("予想してから SGD シートで確かめましょう：今の Controls の出発点と学習率で、"
                  "SGD の 1 ステップ後の y はいくつですか。",
                  "1 ステップは y − lr·∂f/∂y。お椀型では ∂f/∂y = 2y なので y は y·(1 − 2·lr) に"
                  "なります。ほかの曲面ではその傾きを使います。"),
        "count": ("Controls で選んだ曲面で Steps ステップ後、損失が 0.01 未満で終わる最適化手法は"
                  "いくつですか。",
                  "Dashboard の最終損失の列にあります。学習率が小さすぎると最小点の手前で止まり、"
                  "大きすぎると行き過ぎます。"),
        "lowest": ("今のコントロールの値で、最後の損失がいちばん小さい最適化手法はどれですか。",
                   "Dashboard の最終損失を比べましょう。順位は曲面と各学習率で変わります。"
                   "valley や plateau でも試しましょう。"),
        "plateau": ("台地（Plateau シート）で、{last} ステップ以内に平らな棚を抜け出す最適化手法は"
                    "いくつですか。",
                    "Plateau シートに各手法の抜け出したステップがあります"
                    "（'> {last}' は抜け出せず）。"
                    "傾きがわずかだと SGD の歩幅もわずかです。モメンタムは速度をため、"
                    "適応的な手法は"
                    "傾きの大きさそのもので割ります。"),
        "adagrad": ("AdaGrad は各ステップを過去の勾配の 2 乗の総和の平方根で割ります。長く続けると"
                    "歩幅は…",
                    "総和は増える一方なので歩幅は縮み、やがて学習が止まります。RMSprop と Adam は"
                    "2 乗の平均をとり、古いものを忘れます。"),
        "adagrad_choices": ("縮む", "変わらない", "伸びる"),
    },
}
"""Every question's words (text, hint) and choices, by language."""


def _q(text: str) -> str:
    return '"' + text + '"'


def questions(plan: DescentPlan) -> list[Question]:
    """The questions of a workbook of ``plan``: addresses from it, values from the
    reference blocks of the same names."""
    exp = plan.settings
    w = WORDS.get(exp.lang, WORDS["en"])
    opts = exp.optimizers
    labels = tuple(OPTIMIZERS[o].label for o in opts)
    final = plan.blocks["final"]
    j = FINAL_PARTS.index("loss")
    losses = f"{final.sheet}!{span(final.row, final.col + j, final.rows, 1, True)}"
    escape = plan.blocks["plateau_escape"]
    last = plan.analysis_steps

    def lowest(ref: Reference) -> Any:
        loss = np.asarray(ref[final.name][:, j], dtype=float)
        return labels[int(np.argmin(loss))] if np.isfinite(loss).all() else math.nan

    choices = ",".join(_q(label) for label in labels)
    out = [Question("sgd_diverges", *w["diverge"], Numeric(0.01), "1", lambda ref: 1.0,
                    predict=False)]
    if "sgd" in opts:
        path = plan.path("sgd")
        y = path_columns("sgd").index("y")
        out.append(Question("sgd_first_step", *w["first"], Numeric(0.01),
                            path.cell_ref(1, y), lambda ref: ref[path.name][1, y]))
    out += [
        Question("below_0.01", *w["count"], Numeric(0), f'COUNTIF({losses},"<{LOW_LOSS}")',
                 lambda ref: float(np.sum(np.asarray(ref[final.name][:, j]) < LOW_LOSS))),
        Question("lowest_loss", *w["lowest"], Choice(labels),
                 f"CHOOSE(MATCH(MIN({losses}),{losses},0),{choices})", lowest),
        Question("plateau_escapes", w["plateau"][0].format(last=last),
                 w["plateau"][1].format(last=last), Numeric(0),
                 f'COUNTIF({escape.ref},"<={last}")',
                 lambda ref: float(np.sum(ref[escape.name] <= last))),
        Question("adagrad_steps", *w["adagrad"], Choice(w["adagrad_choices"]),
                 _q(w["adagrad_choices"][0]), lambda ref: w["adagrad_choices"][0],
                 predict=False),
    ]
    return out


def add(plan: DescentPlan) -> DescentPlan:
    """``plan`` with its Exercises sheet."""
    ex.add(plan, questions(plan), AFTER)
    return plan
