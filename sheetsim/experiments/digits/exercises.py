"""The digits workbook's exercises: mini-batches and batch normalization (seed 004), and
predictions the sheet then computes from its run (the loss before any step, the steps
of an epoch, the warmed-up learning rate, the final test accuracy).

Cell addresses come from the plan (its Steps blocks, its named controls), values from the
reference model's blocks of the same names.
"""

from __future__ import annotations

import math
from typing import Any

from sheetsim.experiments.common import exercises as ex
from sheetsim.experiments.common.exercises import Choice, Numeric, Question
from sheetsim.experiments.digits.layout import NAME_BATCH, NAME_TRAIN, DigitsPlan

AFTER = "Guide"
"""The sheet the Exercises tab follows."""
WARM_STEP = 5
"""The step whose learning rate the warm-up question asks about (the last, if fewer)."""

WORDS: dict[str, dict[str, Any]] = {
    "en": {
        "start": ("Predict the training loss at step 0, before any update (Steps sheet).",
                  "A network that cannot tell the digits apart gives each of the 10 classes "
                  "about 1/10: the cross-entropy is then ln 10 ≈ 2.30. Another loss, or "
                  "large initial weights, start elsewhere."),
        "epoch": ("Each step trains on a mini-batch of BatchSize images drawn from the "
                  "TrainSize training images. How many steps make one epoch (every image "
                  "once on average), rounded up?",
                  "TrainSize ÷ BatchSize, rounded up: a smaller batch means more, noisier "
                  "steps per pass over the data."),
        "slice": ("A training loop walks through shuffled data in mini-batches: for i in "
                  "range(0, N, batch_size): i_end = i + batch_size; batch = ?",
                  "Each batch is the rows from i up to (not including) i_end; the last "
                  "batch may be shorter."),
        "slice_choices": ("x[i:i_end] and t[i:i_end]", "x[i_end:i] and t[i_end:i]",
                          "x[i:] and t[i:]", "x[:i_end] and t[:i_end]"),
        "lr": ("Predict, then look at the Steps sheet: the learning rate step {t} uses, with "
               "LearningRate and Warmup as set on Controls now.",
               "With Warmup W the rate climbs in equal steps to LearningRate over the first "
               "W steps, then stays; with Warmup 0 every step uses LearningRate."),
        "test": ("Predict the test accuracy at the last test pass, as a share from 0 to 1.",
                 "The Dashboard shows it. Plain SGD with ReLU and He reaches most digits "
                 "within 100 steps; sigmoid with tiny weights stays near 0.1 (guessing)."),
        "bn": ("Batch normalization brings every layer's sums to mean 0 and variance 1 over "
               "a mini-batch. Which two effects does it usually have?",
               "Inputs of every layer at a steady scale make training steadier and faster; "
               "the noise of each mini-batch's statistics also acts against overfitting."),
        "bn_choices": ("steadier and faster training / less overfitting",
                       "exploding gradients / slower training",
                       "more parameters / no effect on training"),
    },
    "ja": {
        "start": ("更新前のステップ 0 の訓練損失を予想してください（Steps シート）。",
                  "数字を区別できないネットワークは 10 クラスに約 1/10 ずつ確率を配るので、"
                  "交差エントロピーは ln 10 ≈ 2.30 です。ほかの損失や大きな初期値では別の値から"
                  "始まります。"),
        "epoch": ("各ステップは TrainSize 枚の訓練画像から BatchSize 枚のミニバッチで学習します。"
                  "1 エポック（平均してどの画像も 1 回）は何ステップですか（切り上げ）。",
                  "TrainSize ÷ BatchSize の切り上げです。バッチが小さいほど、データ 1 周あたりの"
                  "ステップは多く、ゆらぎも大きくなります。"),
        "slice": ("シャッフルしたデータをミニバッチで回す学習ループ：for i in range(0, N, "
                  "batch_size): i_end = i + batch_size; batch = ?",
                  "各バッチは i から i_end の手前までの行です。最後のバッチは短いこともあります。"),
        "slice_choices": ("x[i:i_end] と t[i:i_end]", "x[i_end:i] と t[i_end:i]",
                          "x[i:] と t[i:]", "x[:i_end] と t[:i_end]"),
        "lr": ("予想してから Steps シートで確かめましょう：今の Controls の LearningRate と"
               "Warmup で、ステップ {t} の学習率はいくつですか。",
               "Warmup を W にすると、学習率は最初の W ステップで等しい刻みで LearningRate まで"
               "上がり、そのあと一定です。Warmup 0 ならどのステップも LearningRate です。"),
        "test": ("最後のテストでの正解率を 0 から 1 の割合で予想してください。",
                 "Dashboard にあります。ReLU と He の素の SGD なら 100 ステップでほとんどの数字を"
                 "当てます。小さな重みのシグモイドは 0.1（当て推量）付近にとどまります。"),
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


def questions(plan: DigitsPlan) -> list[Question]:
    """The questions of a workbook of ``plan``: addresses from it, values from the
    reference blocks of the same names."""
    exp = plan.settings
    w = WORDS.get(exp.lang, WORDS["en"])
    loss, lr, acc = plan.blocks["loss"], plan.blocks["lr"], plan.blocks["accuracy"]
    t = min(WARM_STEP, exp.steps)
    last = acc.rows - 1
    epoch = math.ceil(exp.train_size / exp.batch)
    return [
        Question("start_loss", *w["start"], Numeric(0.1), loss.cell_ref(0, 0),
                 lambda ref: ref[loss.name][0, 0]),
        Question("epoch_steps", *w["epoch"], Numeric(0),
                 f"-INT(-{plan.names[NAME_TRAIN].ref}/{plan.names[NAME_BATCH].ref})",
                 lambda ref: float(epoch), predict=False),
        Question("batch_slice", *w["slice"], Choice(w["slice_choices"]),
                 _q(w["slice_choices"][0]), lambda ref: w["slice_choices"][0],
                 predict=False),
        Question("warmup_lr", w["lr"][0].format(t=t), w["lr"][1], Numeric(0.01, True),
                 lr.cell_ref(t, 0), lambda ref: ref[lr.name][t, 0]),
        Question("test_accuracy", *w["test"], Numeric(0.05), acc.cell_ref(last, 1),
                 lambda ref: ref[acc.name][last, 1]),
        Question("batchnorm", *w["bn"], Choice(w["bn_choices"]), _q(w["bn_choices"][0]),
                 lambda ref: w["bn_choices"][0], predict=False),
    ]


def add(plan: DigitsPlan) -> DigitsPlan:
    """``plan`` with its Exercises sheet."""
    ex.add(plan, questions(plan), AFTER)
    return plan
