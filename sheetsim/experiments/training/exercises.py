"""The training workbook's exercises: what zero initial weights do (seed 004) and
predictions the sheet then computes from its run (when training accuracy first reaches
90 %, the final accuracy, test against training accuracy, the warmed-up learning rate, the
units of a zero-initialized layer).

Cell addresses come from the plan (its Steps blocks, ``TrainingPlan.step_block``), values
from the reference model's blocks of the same names.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from sheetsim.experiments.base import Reference
from sheetsim.experiments.common import exercises as ex
from sheetsim.experiments.common.exercises import Choice, Numeric, Question
from sheetsim.experiments.training.layout import TrainingPlan
from sheetsim.xlsx.cells import span

AFTER = "Guide"
"""The sheet the Exercises tab follows."""
TARGET = 0.9
"""The training accuracy the first question asks about."""
WARM_STEP = 5
"""The step whose learning rate the warm-up question asks about (the last, if fewer)."""
EQUAL = 0.001
"""Test and training accuracy closer than this count as equal."""

WORDS: dict[str, dict[str, Any]] = {
    "en": {
        "reach": ("Predict: at which step does the training accuracy first reach 90 % "
                  "(Steps sheet)? Type −1 if it never does.",
                  "Find the first row of the Steps sheet whose training accuracy is 90 % or "
                  "more. A larger learning rate or Adam gets there sooner, a saturated "
                  "sigmoid later or never."),
        "final": ("Predict the training accuracy at the last step, as a share from 0 to 1.",
                  "The Dashboard shows it. Four clusters a straight line cannot split need "
                  "the hidden layers; a bad start (zeros, σ too small) leaves them idle."),
        "test": ("At the last step, is the test accuracy below, equal to or above the "
                 "training accuracy?",
                 "Compare the two accuracy columns of the Steps sheet's last row. Test "
                 "points the network never trained on usually score a little lower."),
        "test_choices": ("below", "equal", "above"),
        "lr": ("Predict, then look at the Steps sheet: the learning rate step {t} uses, with "
               "LearningRate and Warmup as set on Controls now.",
               "With Warmup W the rate climbs in equal steps to LearningRate over the first "
               "W steps, then stays; with Warmup 0 every step uses LearningRate."),
        "zeros": ("Set Init to zeros on Controls, then predict: at the last step, the largest "
                  "difference between two units of hidden layer 1 in the same weight or "
                  "bias (the Params sheet's last band).",
                  "Units that start equal get equal gradients and stay equal at every step: "
                  "the symmetry is never broken, and the layer works as one unit. (The "
                  "check follows the controls: with another Init, the answer is that "
                  "difference.)"),
        "why": ("What goes wrong when every weight starts at 0?",
                "Every unit of a layer computes the same output, gets the same gradient "
                "and the same update: they stay copies of each other, and many weights "
                "work like one. Random initial weights break the symmetry."),
        "why_choices": ("the units of a layer stay identical", "the gradients explode",
                        "training becomes faster", "nothing"),
    },
    "ja": {
        "reach": ("予想してください：訓練データの正解率がはじめて 90 % 以上になるのは何ステップ目"
                  "ですか（Steps シート）。ならない場合は −1 と入力します。",
                  "Steps シートで訓練の正解率が 90 % 以上になる最初の行を探しましょう。学習率を"
                  "上げるか Adam なら早く、飽和したシグモイドでは遅いか届きません。"),
        "final": ("最後のステップの訓練データの正解率を 0 から 1 の割合で予想してください。",
                  "Dashboard にあります。直線で分けられない 4 つの塊には隠れ層が必要です。"
                  "悪い初期値（zeros、小さすぎる σ）では隠れ層が働きません。"),
        "test": ("最後のステップで、テストの正解率は訓練の正解率より低い、同じ、高いのどれですか。",
                 "Steps シートの最後の行の 2 つの正解率を比べましょう。学習に使っていない"
                 "テストの点では、ふつう少し低くなります。"),
        "test_choices": ("低い", "同じ", "高い"),
        "lr": ("予想してから Steps シートで確かめましょう：今の Controls の LearningRate と"
               "Warmup で、ステップ {t} の学習率はいくつですか。",
               "Warmup を W にすると、学習率は最初の W ステップで等しい刻みで LearningRate まで"
               "上がり、そのあと一定です。Warmup 0 ならどのステップも LearningRate です。"),
        "zeros": ("Controls で Init を zeros にしてから予想してください：最後のステップで、"
                  "隠れ層 1 の 2 つのユニットの同じ重み（またはバイアス）の差の最大はいくつ"
                  "ですか（Params シートの最後の帯）。",
                  "同じ値から始まったユニットは同じ勾配を受け、毎ステップ同じままです。対称性が"
                  "崩れず、層は 1 個のユニットのように働きます。（判定はコントロールに追従します。"
                  "別の Init ではその差が正解です。）"),
        "why": ("重みの初期値をすべて 0 にすると、どんな問題が起きますか。",
                "層のどのユニットも同じ出力・同じ勾配・同じ更新になり、互いのコピーのままです。"
                "多数の重みが 1 つ分の働きしかしません。乱数の初期値が対称性を崩します。"),
        "why_choices": ("層のユニットが同じままになる", "勾配が爆発する", "学習が速くなる",
                        "何も起きない"),
    },
}
"""Every question's words (text, hint) and choices, by language."""


def _q(text: str) -> str:
    return '"' + text + '"'


def questions(plan: TrainingPlan) -> list[Question]:
    """The questions of a workbook of ``plan``: addresses from it, values from the
    reference blocks of the same names."""
    exp = plan.settings
    w = WORDS.get(exp.lang, WORDS["en"])
    steps = exp.steps
    acc, lr = plan.blocks["accuracy"], plan.blocks["lr"]
    train = f"{acc.sheet}!{span(acc.row, acc.col, acc.rows, 1, True)}"
    tr, te = acc.cell_ref(steps, 0), acc.cell_ref(steps, 1)
    t = min(WARM_STEP, steps)
    p1 = plan.step_block("Params", steps, "p", 1)
    rows = [f"{p1.sheet}!{span(p1.row + i, p1.col, 1, p1.cols, True)}" for i in range(p1.rows)]
    below, equal, above = w["test_choices"]

    def reach(ref: Reference) -> float:
        hit = np.flatnonzero(np.asarray(ref[acc.name][:, 0]) >= TARGET)
        return float(hit[0]) if hit.size else -1.0

    def versus(ref: Reference) -> Any:
        a, b = ref[acc.name][steps]
        if not (math.isfinite(a) and math.isfinite(b)):
            return math.nan
        return equal if abs(b - a) < EQUAL else below if b < a else above

    return [
        Question("reach_90", *w["reach"], Numeric(3),
                 f'IF(COUNTIF({train},">={TARGET}")=0,-1,MATCH(1,({train}>={TARGET})*1,0)-1)',
                 reach),
        Question("final_accuracy", *w["final"], Numeric(0.05), tr,
                 lambda ref: ref[acc.name][steps, 0]),
        Question("test_vs_train", *w["test"], Choice(w["test_choices"]),
                 f"IF(ABS({te}-{tr})<{EQUAL},{_q(equal)},IF({te}<{tr},{_q(below)},"
                 f"{_q(above)}))", versus),
        Question("warmup_lr", w["lr"][0].format(t=t), w["lr"][1], Numeric(0.01, True),
                 lr.cell_ref(t, 0), lambda ref: ref[lr.name][t, 0]),
        Question("zeros_symmetry", *w["zeros"], Numeric(1e-9),
                 "MAX(" + ",".join(f"MAX({r})-MIN({r})" for r in rows) + ")",
                 lambda ref: float(np.max(np.ptp(ref[p1.name], axis=1)))),
        Question("zero_weights", *w["why"], Choice(w["why_choices"]),
                 _q(w["why_choices"][0]), lambda ref: w["why_choices"][0], predict=False),
    ]


def add(plan: TrainingPlan) -> TrainingPlan:
    """``plan`` with its Exercises sheet."""
    ex.add(plan, questions(plan), AFTER)
    return plan
