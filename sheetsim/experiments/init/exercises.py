"""The initialization workbook's exercises: facts of seed 004 (the sigmoid's steepest
slope, the chain rule, He for ReLU, batch normalization) and predictions the sheet then
computes (the last layer's spread, its trend with depth, the symmetry of zero weights).

Cell addresses come from the plan (``InitPlan.stat_block``), values from the reference
model's blocks of the same names.
"""

from __future__ import annotations

import math
from typing import Any

from sheetsim.experiments.base import Reference
from sheetsim.experiments.common import exercises as ex
from sheetsim.experiments.common.exercises import Choice, Numeric, Question
from sheetsim.experiments.init.layout import InitPlan

AFTER = "Guide"
"""The sheet the Exercises tab follows."""
SHRINK, GROW = 2 / 3, 3 / 2
"""The trend question's bounds: the last layer's std below 2/3 of layer 1's shrinks,
above 3/2 of it grows."""

WORDS: dict[str, dict[str, Any]] = {
    "en": {
        "sigmoid": ("The sigmoid σ(x) = 1/(1 + e^−x) has the derivative σ(x)·(1 − σ(x)). "
                    "What is the derivative's largest value (at x = 0)?",
                    "At x = 0 the sigmoid is 0.5, and 0.5 × (1 − 0.5) = 0.25. Every sigmoid "
                    "layer multiplies the gradient by at most 0.25: through many layers it "
                    "vanishes."),
        "chain": ("Chain rule: z = t², t = x + y. What is dz/dx at x = 1, y = 2?",
                  "dz/dx = dz/dt · dt/dx = 2t · 1 = 2(x + y)."),
        "std": ("Predict, then check on the Dashboard: the standard deviation of layer {L}'s "
                "outputs, with the Init and Activation set on Controls now.",
                "The Dashboard's std row holds it. Xavier (σ = 1/√n) suits sigmoid and tanh, "
                "He (σ = √(2/n)) ReLU; with σ = 1 sigmoid saturates and ReLU explodes."),
        "trend": ("From layer 1 to layer {L}, does the outputs' std shrink (below 2/3 of "
                  "layer 1's), stay, or grow (above 3/2 of it)? With the controls as they "
                  "are now.",
                  "Compare the first and the last number of the Dashboard's std row. A "
                  "scale too small for the activation shrinks the signal layer by layer, "
                  "one too large blows it up."),
        "trend_choices": ("shrinks", "stays", "grows"),
        "zeros": ("Set Init to zeros on Controls, then predict: the largest minus the "
                  "smallest output of layer 1 (Histograms, rows max and min).",
                  "With every weight 0 each unit computes the same sum, 0, so every output "
                  "of the layer is the same number: the spread is 0, and all the units do "
                  "the work of one. (The check follows the controls: with another Init, "
                  "the answer is that spread.)"),
        "relu": ("Which initializer keeps the spread of ReLU outputs about the same from "
                 "layer to layer?",
                 "ReLU zeroes half its inputs and so halves the variance; He's σ = √(2/n) "
                 "doubles it back. Try it: Activation relu, Init he."),
        "relu_choices": ("normal", "xavier", "he", "zeros"),
        "bn": ("Batch normalization brings every layer's sums to mean 0 and variance 1 over "
               "a mini-batch. Which two effects does it usually have?",
               "Inputs of every layer at a steady scale make training steadier and faster; "
               "the noise of each mini-batch's statistics also acts against overfitting."),
        "bn_choices": ("steadier and faster training / less overfitting",
                       "exploding gradients / slower training",
                       "more parameters / no effect on training"),
    },
    "ja": {
        "sigmoid": ("シグモイド σ(x) = 1/(1 + e^−x) の微分は σ(x)·(1 − σ(x)) です。"
                    "微分の最大値（x = 0 のとき）はいくつですか。",
                    "x = 0 でシグモイドは 0.5、0.5 × (1 − 0.5) = 0.25。シグモイドの層を通るたびに"
                    "勾配は 0.25 倍以下になり、層が深いと消えていきます（勾配消失）。"),
        "chain": ("連鎖律：z = t²、t = x + y のとき、x = 1、y = 2 での dz/dx はいくつですか。",
                  "dz/dx = dz/dt · dt/dx = 2t · 1 = 2(x + y)。"),
        "std": ("予想してから Dashboard で確かめましょう：今の Controls の Init と Activation で、"
                "第 {L} 層の出力の標準偏差はいくつですか。",
                "Dashboard の std の行にあります。Xavier（σ = 1/√n）はシグモイドと tanh に、"
                "He（σ = √(2/n)）は ReLU に向きます。"
                "σ = 1 ではシグモイドは飽和し、ReLU は発散します。"),
        "trend": ("第 1 層から第 {L} 層へ、出力の標準偏差は縮む（第 1 層の 2/3 未満）、ほぼ保つ、"
                  "増える（3/2 超）のどれですか。今のコントロールの値で答えてください。",
                  "Dashboard の std の行の最初と最後を比べましょう。"
                  "活性化関数に対して重みが小さすぎると"
                  "信号は層ごとに縮み、大きすぎると膨らみます。"),
        "trend_choices": ("縮む", "ほぼ保つ", "増える"),
        "zeros": ("Controls で Init を zeros にしてから予想してください：第 1 層の出力の"
                  "最大値と最小値の差（Histograms の max と min の行）はいくつですか。",
                  "重みがすべて 0 だと、どのユニットも同じ和 0 を計算し、層の出力はすべて同じ値に"
                  "なります。差は 0 で、多数のユニットが 1 個分の働きしかしません。"
                  "（判定はコントロールに追従します。別の Init ではその差が正解です。）"),
        "relu": ("ReLU の出力の広がりを層から層へほぼ保つ初期値はどれですか。",
                 "ReLU は入力の半分を 0 にするので分散が半分になります。He の σ = √(2/n) は"
                 "それを 2 倍に戻します。Activation を relu、Init を he にして確かめましょう。"),
        "relu_choices": ("normal", "xavier", "he", "zeros"),
        "bn": ("バッチ正規化は各層の和をミニバッチごとに平均 0、分散 1 にそろえます。"
               "一般に考えられる効果の 2 点はどれですか。",
               "各層の入力の大きさが安定するので学習が安定し速くなります。ミニバッチごとの統計の"
               "ゆらぎは過学習の抑制にも働きます。"),
        "bn_choices": ("学習の安定化・高速化 / 過学習の抑制",
                       "勾配の爆発 / 学習の低速化",
                       "パラメータの増加 / 学習への効果なし"),
    },
}
"""Every question's words (text, hint) and choices, by language."""


def _q(text: str) -> str:
    return '"' + text + '"'


def questions(plan: InitPlan) -> list[Question]:
    """The questions of a workbook of ``plan``: addresses from it, values from the
    reference blocks of the same names."""
    exp = plan.settings
    w = WORDS.get(exp.lang, WORDS["en"])
    last = exp.layers
    std, low, high = (plan.stat_block(s) for s in ("std", "min", "max"))

    def at(block: Any, k: int) -> Any:
        return lambda ref: ref[block.name][0, k - 1]

    def trend(ref: Reference) -> Any:
        first, end = ref[std.name][0, 0], ref[std.name][0, last - 1]
        if not (math.isfinite(first) and math.isfinite(end)):
            return math.nan
        words = w["trend_choices"]
        return words[0] if end < first * SHRINK else words[2] if end > first * GROW else words[1]

    s1, sl = std.cell_ref(0, 0), std.cell_ref(0, last - 1)
    shrinks, stays, grows = (_q(c) for c in w["trend_choices"])
    return [
        Question("sigmoid_slope", *w["sigmoid"], Numeric(0.005),
                 "1/(1+EXP(0))*(1-1/(1+EXP(0)))", lambda ref: 0.25, predict=False),
        Question("chain_rule", *w["chain"], Numeric(0.001), "2*(1+2)", lambda ref: 6.0,
                 predict=False),
        Question("last_std", w["std"][0].format(L=last), w["std"][1], Numeric(0.1, True),
                 sl, at(std, last)),
        Question("trend", w["trend"][0].format(L=last), w["trend"][1],
                 Choice(w["trend_choices"]),
                 f"IF({sl}<{s1}*{SHRINK!r},{shrinks},IF({sl}>{s1}*{GROW!r},{grows},{stays}))",
                 trend),
        Question("zeros_spread", *w["zeros"], Numeric(1e-6),
                 f"{high.cell_ref(0, 0)}-{low.cell_ref(0, 0)}",
                 lambda ref: ref[high.name][0, 0] - ref[low.name][0, 0]),
        Question("relu_init", *w["relu"], Choice(w["relu_choices"]), _q("he"),
                 lambda ref: "he", predict=False),
        Question("batchnorm", *w["bn"], Choice(w["bn_choices"]), _q(w["bn_choices"][0]),
                 lambda ref: w["bn_choices"][0], predict=False),
    ]


def add(plan: InitPlan) -> InitPlan:
    """``plan`` with its Exercises sheet."""
    ex.add(plan, questions(plan), AFTER)
    return plan
