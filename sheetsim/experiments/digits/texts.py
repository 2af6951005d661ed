"""Every word the digits workbook shows, in English and Japanese (``--lang en|ja``).

Sheet names and defined names stay ASCII in both languages; only what a reader sees changes.
"""

from __future__ import annotations

from dataclasses import dataclass

from sheetsim.experiments.common.initializers import INITS
from sheetsim.experiments.common.texts import Languages

SOURCE = ("UCI Machine Learning Repository, \"Optical Recognition of Handwritten Digits\" "
          "(E. Alpaydin, C. Kaynak, 1998), https://doi.org/10.24432/C50P49, licence CC BY 4.0; "
          "the copy scikit-learn ships (sklearn.datasets.load_digits).")
"""Where the images come from (the same words in both languages: names and a link)."""


def _inits(words: dict[str, str], tail: str) -> str:
    """The Init control's help: the words of every initializer of the shared table, in its
    order (a test checks that each has words here), then ``tail``."""
    return "; ".join([*(words[name] for name in INITS if name in words), tail])


@dataclass(frozen=True)
class Texts:
    """Every word of the workbook in one language, by where it appears."""

    title: str
    subtitle: tuple[str, str, str, str]
    shape: str
    switches: dict[str, str]
    settings_title: str
    controls_title: str
    controls_note: str
    control_labels: dict[str, str]
    control_help: dict[str, str]
    lists_title: str
    index_headers: tuple[str, ...]
    data_title: str
    data_headers: dict[str, str]
    sets: dict[str, str]
    draws_title: str
    live_note: str
    batches_title: str
    params_title: str
    groups: dict[str, str]
    layer: str
    step: str
    train_title: str
    test_title: str
    pass_headers: dict[str, str]
    steps_title: str
    steps_headers: dict[str, str]
    evals_headers: tuple[str, str, str, str]
    summary_title: str
    summary_rows: tuple[str, ...]
    summary_cols: tuple[str, str]
    digits_title: str
    digit_label: str
    units_title: str
    unit_label: str
    confusion_title: str
    confusion_axes: str
    chart_loss: str
    chart_accuracy: str
    chart_norms: str
    series: dict[str, str]
    axis_step: str
    axis_loss: str
    axis_accuracy: str
    axis_norm: str
    guide: tuple[tuple[str, str | tuple[str, ...]], ...]


EN = Texts(
    title="Handwritten digits: a network trained in the sheet, mini-batch by mini-batch",
    subtitle=("Loss: ", "   activation: ", "   init: ", "   optimizer: "),
    shape=("Fixed at build: hidden widths {hidden}, batch {batch}, {train} training and {test} "
           "test images, {steps} steps, test pass every {every} steps{extras}."),
    switches={"batch_norm": ", batch normalization", "residual": ", residual connections",
              "live": ", batches from RAND()"},
    settings_title="Number controls",
    controls_title="Controls",
    controls_note=(
        "Change the yellow cells: the whole run recomputes. Grey cells are fixed when the file "
        "is built (sheetsim build digits --hidden 40,20 --batch 32 …)."
    ),
    control_labels={
        "Hidden": "Hidden widths (fixed)", "BatchSize": "Batch size (fixed)",
        "TrainSize": "Training images (fixed)", "TestSize": "Test images (fixed)",
        "Steps": "Steps (fixed)", "EvalEvery": "Test pass every (fixed)",
        "BatchNorm": "Batch normalization (fixed)", "Residual": "Residual connections (fixed)",
        "Seed": "Seed of the draws and the split (fixed)",
        "Loss": "Loss", "Activation": "Activation", "LeakySlope": "Slope of leaky_relu below 0",
        "Init": "Initializer", "Sigma": "σ of the normal init", "Optimizer": "Optimizer",
        "LearningRate": "Learning rate", "MomentumBeta": "Momentum β", "RMSpropRho": "RMSprop ρ",
        "AdamBeta1": "Adam β₁", "AdamBeta2": "Adam β₂", "Eps": "ε",
        "Clip": "Gradient clipping threshold", "Warmup": "Warm-up steps",
        "Lars": "LARS coefficient η",
    },
    control_help={
        "Hidden": "Units of each hidden layer, input side first (64 inputs, 10 outputs)",
        "BatchSize": "Training images in each step's mini-batch",
        "TrainSize": "Images of the training set the batches are drawn from",
        "TestSize": "Images of the held-out test set",
        "Steps": "Steps of mini-batch training",
        "EvalEvery": "The test set is passed through the network every this many steps and "
                     "at the last",
        "BatchNorm": "on: every hidden layer's z is normalized over the batch, "
                     "(z − mean)/√(variance + 1e-5)",
        "Residual": "on: every hidden layer after the first adds its input to its output",
        "Seed": "Seed of the stored uniform draws (sheet Draws) and of the training/test split",
        "Loss": "ce: softmax and cross-entropy; mse: a sigmoid per class and ½·Σ(p − y)²",
        "Activation": "sigmoid, tanh, relu, leaky_relu or identity (hidden layers)",
        "LeakySlope": "leaky_relu(z) = z for z > 0, else slope·z; 0 or more",
        "Init": _inits({"normal": "normal: N(0, σ²)", "xavier": "xavier: N(0, 1/n)",
                        "he": "he: N(0, 2/n)", "xavier_uniform": "xavier_uniform: U(±√(6/(n + m)))",
                        "he_uniform": "he_uniform: U(±√(6/n))", "lecun": "lecun: N(0, 1/n)",
                        "zeros": "zeros: every weight 0"}, "n = fan-in, m = fan-out"),
        "Sigma": "Standard deviation of the weights with init = normal",
        "Optimizer": "sgd, momentum, adagrad, rmsprop or adam (the optimizer lab's rules)",
        "LearningRate": "Step size (Adam: before its bias correction)",
        "MomentumBeta": "v ← β·v − lr·g; p ← p + v, 0 ≤ β < 1",
        "RMSpropRho": "h ← ρ·h + (1 − ρ)·g²; p ← p − lr·g/(√h + ε), 0 ≤ ρ < 1",
        "AdamBeta1": "Decay of the gradient's average m, 0 ≤ β₁ < 1",
        "AdamBeta2": "Decay of the average of g², 0 ≤ β₂ < 1",
        "Eps": "Added to √v (Adam) or √h (AdaGrad, RMSprop)",
        "Clip": "0 = off; else the gradient is scaled by min(1, threshold/‖g‖)",
        "Warmup": "0 = off; else lr rises linearly over this many steps",
        "Lars": "0 = off; else each layer's rate is scaled by η·‖[W; b]‖/‖∇[W; b]‖",
    },
    lists_title="Choices (the dropdowns' lists) and the chosen positions",
    index_headers=("loss #", "activation #", "init #", "optimizer #"),
    data_title="The images: each row one 8×8 digit, pixels 0–16 row by row from the top left. "
               + SOURCE,
    sets={"train": "training set", "test": "test set"},
    data_headers={"number": "#", "row": "data-set row", "label": "label", "pixels": "pixel {k}",
                  "hot": "one-hot {k}", "ones": "ones", "digits": "class"},
    draws_title="Stored uniform draws: each step's batch (one row per step) and every "
                "layer's initial weights",
    live_note="Batch draws are =RAND(): every recalculation (F9) draws new batches.",
    batches_title="The training row each draw picks: 1 + INT(u · training images)",
    params_title=("Parameters [W; b] of every layer at every step (bias in the last row), "
                  "their gradient, and the optimizer's states m and v (AdaGrad's and "
                  "RMSprop's sum of squares h in v)"),
    groups={"p": "parameters", "g": "gradient", "m": "state m", "v": "state v (or h)"},
    layer="layer {k}",
    step="step",
    train_title=("One band per step: the batch's pixels / 16 and one-hot labels, the forward "
                 "pass, the loss and the backward pass"),
    test_title="The test set through the network, one band per test pass",
    pass_headers={"x": "pixels / 16", "y": "one-hot label", "z": "z{k}",
                  "st": "batch mean, variance {k}", "zh": "normalized z{k}", "a": "a{k}",
                  "out": "outputs z", "top": "largest", "pred": "predicted", "p": "p",
                  "ls": "loss", "ga": "∂L/∂a{k}", "d": "δ{k}"},
    steps_title="One row per step; on the right one row per test pass",
    steps_headers={"lr": "learning rate", "loss": "batch loss|test loss (last pass)",
                   "grad_norm": "‖∇ layer {k}‖", "clipping": "‖∇‖ total|clip factor",
                   "lars": "LARS factor {k}", "norm_chart": "‖∇ layer {k}‖ (chart)"},
    evals_headers=("step", "batch accuracy", "test accuracy", "test loss"),
    summary_title="The run",
    summary_rows=("batch loss", "test loss", "batch accuracy", "test accuracy",
                  "‖∇‖ input layer", "‖∇‖ output layer"),
    summary_cols=("step 0", "last step"),
    digits_title="Test digits (one of each class) and the last step's prediction",
    digit_label="→ {label} ({prob})",
    units_title="What first-layer units look at: their 64 weights at the last step "
                "(red +, blue −)",
    unit_label="unit {k}",
    confusion_title="Confusion matrix of the test set at the last step",
    confusion_axes="rows: true digit ↓, columns: predicted →",
    chart_loss="Loss by step",
    chart_accuracy="Accuracy at each test pass",
    chart_norms="Gradient norm of every layer (log axis)",
    series={"train": "batch", "test": "test set", "layer": "layer {k}"},
    axis_step="step",
    axis_loss="loss",
    axis_accuracy="accuracy",
    axis_norm="‖∇‖",
    guide=(
        ("What this is",
         "A fully connected network with 64 inputs (the pixels of an 8×8 handwritten digit, "
         "divided by 16), the hidden layers of the Controls sheet and 10 outputs, one per "
         "digit, is trained by mini-batch gradient descent. Every number of the training is "
         "a formula: which images each step's batch holds, the forward pass, the loss, the "
         "backward pass, the gradient, clipping, warm-up, LARS and the optimizer's update, "
         "for every step, unrolled down the sheets. The accuracy on the held-out test images "
         "is computed every few steps."),
        ("The data",
         "The 1,797 images of the UCI data set \"Optical Recognition of Handwritten Digits\" "
         "as scikit-learn ships it: 32×32 bitmaps from 43 writers, counted in 4×4 blocks into "
         "8×8 pixels of 0 to 16. " + SOURCE + " The file's seed splits them into a "
         "training set and a test set (sheet Data; the first column is the image's row in "
         "the data set)."),
        ("The sheets", (
            "Draws: uniform draws in (0, 1): one row per step for the batch, and every "
            "layer's initial weights (NORM.S.INV(u)·σ, or (2u − 1)·limit).",
            "Batches: the training row each draw picks, 1 + INT(u·N).",
            "Params: per step, every layer's [W; b], its gradient and the optimizer's states.",
            "Train: per step, the batch (the training rows its draws pick), z = a·W + b, the "
            "activations, the outputs, softmax or sigmoid, the loss, and the backward pass: "
            "δ_out = (p − y)/B for cross-entropy or (p − y)·p·(1 − p)/B for squared error, "
            "∂L/∂a = δ·Wᵀ, δ = ∂L/∂a ⊙ f′.",
            "Test: the whole test set through the network of every test pass.",
            "Steps: per step the learning rate, the losses, every layer's gradient norm, the "
            "clipping and LARS factors; per test pass the accuracies and the test loss.",
        )),
        ("What to try (the presets)", (
            "digits-sigmoid-gauss-deep: sigmoid, N(0, 0.01²), hidden 40,20, SGD: the test "
            "accuracy stays at chance (one in ten).",
            "digits-sigmoid-gauss-shallow: the same with one hidden layer of 40: it learns.",
            "digits-sigmoid-xavier and digits-sigmoid-xavier-mse: Xavier weights with "
            "cross-entropy learn; with squared error the same network stalls.",
            "digits-relu-he (the default): ReLU with He weights learns with plain SGD.",
            "digits-adam: the deep N(0, 0.01²) network with Adam: the loss starts to fall "
            "but the test accuracy is still near chance at the last step; set the Optimizer "
            "to adagrad (learning rate 0.3) or rmsprop (0.03) and it gets further.",
            "digits-batchnorm: the deep N(0, 0.01²) network with batch normalization.",
            "digits-residual: four hidden ReLU layers of 20 with residual connections.",
            "digits-lars-warmup: a batch of 64 and a learning rate of 4 with LARS and a "
            "warm-up; set Lars and Warmup to 0 and the gradient norm jumps, the ReLUs die and "
            "the accuracy ends at chance.",
        )),
        ("What to look for",
         "The gradient-norm chart (log axis, one line per layer): vanishing gradients are the "
         "input layer's line far below the output layer's; exploding ones every line "
         "shooting up. The test digits and the confusion matrix show what the network "
         "answers; the first layer's weights show which strokes each unit looks for."),
        ("Why",
         "The backward pass multiplies the gradient, layer by layer, by the weights and by "
         "the activation's slope. The sigmoid's slope is at most 0.25, and tiny weights "
         "shrink the signal further, so with σ = 0.01 and two hidden layers the first layer "
         "hardly moves. Weights of the right scale (Xavier for sigmoid, He for ReLU), ReLU, "
         "or batch normalization keep the signal's size from layer to layer. With a sigmoid "
         "output and squared error the output's own slope p(1 − p) multiplies the error, and "
         "it is small exactly when the answer is confidently wrong; cross-entropy's error "
         "p − y has no such factor. A large batch and learning rate make the first steps too "
         "long; a warm-up starts with short ones, and LARS makes each layer's step a fixed "
         "share of its weights."),
    ),
)

JA = Texts(
    title="手書き数字：シートの中でミニバッチごとに学習するネットワーク",
    subtitle=("損失：", "   活性化関数：", "   初期化：", "   最適化："),
    shape=("作成時に固定：隠れ層の幅 {hidden}、バッチ {batch}、訓練画像 {train} 枚とテスト画像 "
           "{test} 枚、{steps} ステップ、テストは {every} ステップごと{extras}。"),
    switches={"batch_norm": "、バッチ正規化", "residual": "、残差接続",
              "live": "、バッチは RAND()"},
    settings_title="数値のコントロール",
    controls_title="コントロール",
    controls_note=("黄色のセルを変えると学習全体が再計算されます。灰色のセルはファイル作成時に固定です"
                   "（sheetsim build digits --hidden 40,20 --batch 32 …）。"),
    control_labels={
        "Hidden": "隠れ層の幅（固定）", "BatchSize": "バッチサイズ（固定）",
        "TrainSize": "訓練画像の数（固定）", "TestSize": "テスト画像の数（固定）",
        "Steps": "ステップ数（固定）", "EvalEvery": "テストの間隔（固定）",
        "BatchNorm": "バッチ正規化（固定）", "Residual": "残差接続（固定）",
        "Seed": "乱数と分割のシード（固定）",
        "Loss": "損失", "Activation": "活性化関数", "LeakySlope": "leaky_relu の負側の傾き",
        "Init": "初期化", "Sigma": "normal 初期化の σ", "Optimizer": "最適化手法",
        "LearningRate": "学習率", "MomentumBeta": "Momentum β", "RMSpropRho": "RMSprop ρ",
        "AdamBeta1": "Adam β₁", "AdamBeta2": "Adam β₂", "Eps": "ε",
        "Clip": "勾配クリッピングの閾値", "Warmup": "ウォームアップのステップ数",
        "Lars": "LARS の係数 η",
    },
    control_help={
        "Hidden": "各隠れ層のユニット数（入力側から。入力 64、出力 10）",
        "BatchSize": "各ステップのミニバッチの画像数",
        "TrainSize": "バッチを選ぶ訓練画像の数",
        "TestSize": "取り分けたテスト画像の数",
        "Steps": "ミニバッチ学習のステップ数",
        "EvalEvery": "このステップ数ごとと最後にテスト画像全体をネットワークに通す",
        "BatchNorm": "on：各隠れ層の z をバッチで正規化 (z − 平均)/√(分散 + 1e-5)",
        "Residual": "on：2 つ目以降の隠れ層は入力を出力に足す",
        "Seed": "保存された一様乱数（Draws シート）と訓練・テストの分割のシード",
        "Loss": "ce：ソフトマックスと交差エントロピー、mse：クラスごとのシグモイドと ½·Σ(p − y)²",
        "Activation": "sigmoid、tanh、relu、leaky_relu、identity（隠れ層）",
        "LeakySlope": "leaky_relu(z) は z > 0 なら z、そうでなければ 傾き·z。0 以上",
        "Init": _inits({"normal": "normal：N(0, σ²)", "xavier": "xavier：N(0, 1/n)",
                        "he": "he：N(0, 2/n)", "xavier_uniform": "xavier_uniform：U(±√(6/(n + m)))",
                        "he_uniform": "he_uniform：U(±√(6/n))", "lecun": "lecun：N(0, 1/n)",
                        "zeros": "zeros：重みはすべて 0"}, "n は入力数、m は出力数"),
        "Sigma": "init = normal のときの重みの標準偏差",
        "Optimizer": "sgd、momentum、adagrad、rmsprop、adam（最適化ラボの更新式）",
        "LearningRate": "歩幅（Adam ではバイアス補正の前）",
        "MomentumBeta": "v ← β·v − lr·g、p ← p + v、0 ≤ β < 1",
        "RMSpropRho": "h ← ρ·h + (1 − ρ)·g²、p ← p − lr·g/(√h + ε)、0 ≤ ρ < 1",
        "AdamBeta1": "勾配の平均 m の減衰率、0 ≤ β₁ < 1",
        "AdamBeta2": "g² の平均の減衰率、0 ≤ β₂ < 1",
        "Eps": "√v（Adam）や √h（AdaGrad、RMSprop）に足す数",
        "Clip": "0 でオフ。それ以外では勾配に min(1, 閾値/‖g‖) を掛ける",
        "Warmup": "0 でオフ。それ以外では学習率をこのステップ数で直線的に上げる",
        "Lars": "0 でオフ。それ以外では層ごとの学習率に η·‖[W; b]‖/‖∇[W; b]‖ を掛ける",
    },
    lists_title="選択肢（ドロップダウンのリスト）と選ばれた位置",
    index_headers=("損失 #", "活性化 #", "初期化 #", "最適化 #"),
    data_title="画像：1 行が 8×8 の数字 1 枚、画素は 0〜16 で左上から行ごと。" + SOURCE,
    sets={"train": "訓練データ", "test": "テストデータ"},
    data_headers={"number": "#", "row": "データセットの行", "label": "ラベル", "pixels": "画素 {k}",
                  "hot": "one-hot {k}", "ones": "1", "digits": "クラス"},
    draws_title="保存された一様乱数：各ステップのバッチ（1 ステップ 1 行）と各層の初期重み",
    live_note="バッチの乱数は =RAND()：再計算（F9）のたびに新しいバッチになります。",
    batches_title="各乱数が選ぶ訓練画像の行：1 + INT(u · 訓練画像の数)",
    params_title=("各ステップの各層のパラメータ [W; b]（最後の行がバイアス）、その勾配、最適化の"
                  "状態 m と v（AdaGrad と RMSprop の二乗和 h は v）"),
    groups={"p": "パラメータ", "g": "勾配", "m": "状態 m", "v": "状態 v（または h）"},
    layer="層 {k}",
    step="ステップ",
    train_title="1 ステップ 1 ブロック：バッチの画素/16 と one-hot ラベル、順伝播、損失、逆伝播",
    test_title="テスト画像全体をネットワークに通したもの（テストごとに 1 ブロック）",
    pass_headers={"x": "画素 / 16", "y": "one-hot ラベル", "z": "z{k}",
                  "st": "バッチ平均・分散 {k}", "zh": "正規化した z{k}", "a": "a{k}",
                  "out": "出力 z", "top": "最大値", "pred": "予測", "p": "p",
                  "ls": "損失", "ga": "∂L/∂a{k}", "d": "δ{k}"},
    steps_title="1 ステップ 1 行。右はテストごとに 1 行",
    steps_headers={"lr": "学習率", "loss": "バッチの損失|テストの損失（直近）",
                   "grad_norm": "‖∇ 層 {k}‖", "clipping": "‖∇‖ 全体|クリップ係数",
                   "lars": "LARS 係数 {k}", "norm_chart": "‖∇ 層 {k}‖（グラフ用）"},
    evals_headers=("ステップ", "バッチの正解率", "テストの正解率", "テストの損失"),
    summary_title="この学習",
    summary_rows=("バッチの損失", "テストの損失", "バッチの正解率", "テストの正解率",
                  "‖∇‖ 入力層", "‖∇‖ 出力層"),
    summary_cols=("ステップ 0", "最後"),
    digits_title="テスト画像（各クラス 1 枚）と最後のステップの予測",
    digit_label="→ {label}（{prob}）",
    units_title="第 1 層のユニットが見ているもの：最後のステップの 64 個の重み（赤 +、青 −）",
    unit_label="ユニット {k}",
    confusion_title="最後のステップのテスト画像の混同行列",
    confusion_axes="行：正解 ↓、列：予測 →",
    chart_loss="ステップごとの損失",
    chart_accuracy="テストごとの正解率",
    chart_norms="各層の勾配ノルム（対数軸）",
    series={"train": "バッチ", "test": "テスト", "layer": "層 {k}"},
    axis_step="ステップ",
    axis_loss="損失",
    axis_accuracy="正解率",
    axis_norm="‖∇‖",
    guide=(
        ("これは何か",
         "入力 64（8×8 の手書き数字の画素を 16 で割ったもの）、Controls シートの隠れ層、出力 10"
         "（数字ごとに 1 つ）の全結合ネットワークを、"
         "ミニバッチ勾配降下法で学習させます。各ステップの"
         "バッチに入る画像、順伝播、損失、逆伝播、勾配、クリッピング、ウォームアップ、LARS、最適化の"
         "更新まで、学習のすべての数値がシートに展開された数式です。取り分けたテスト画像での正解率を"
         "数ステップごとに計算します。"),
        ("データ",
         "UCI のデータセット「Optical Recognition of Handwritten Digits」の 1,797 枚の画像を、"
         "scikit-learn に同梱された形で使います。43 人が書いた 32×32 の白黒画像を 4×4 のブロック"
         "ごとに数え、0〜16 の 8×8 画素にしたものです。" + SOURCE + " ファイルのシードで訓練用と"
         "テスト用に分けます（Data シート。最初の列はデータセットでの行番号）。"),
        ("シート", (
            "Draws：(0, 1) の一様乱数。バッチ用に 1 ステップ 1 行と、各層の初期重み"
            "（NORM.S.INV(u)·σ または (2u − 1)·幅）。",
            "Batches：各乱数が選ぶ訓練画像の行 1 + INT(u·N)。",
            "Params：ステップごとの各層の [W; b]、勾配、最適化の状態。",
            "Train：ステップごとのバッチ（乱数が選んだ訓練画像の"
            "行）、z = a·W + b、活性、出力、ソフトマックス"
            "またはシグモイド、損失、逆伝播：交差エントロピーでは δ_out = (p − y)/B、二乗誤差では "
            "(p − y)·p·(1 − p)/B、∂L/∂a = δ·Wᵀ、δ = ∂L/∂a ⊙ f′。",
            "Test：テストのたびにテスト画像全体をネットワークに通したもの。",
            "Steps：ステップごとの学習率、損失、各層の勾配ノルム、クリップ係数と LARS 係数。"
            "テストごとの正解率とテストの損失。",
        )),
        ("試すこと（プリセット）", (
            "digits-sigmoid-gauss-deep：シグモイド、N"
            "(0, 0.01²)、隠れ層 40,20、SGD。テストの正解率は"
            "偶然の水準（10 分の 1）のまま。",
            "digits-sigmoid-gauss-shallow：同じ設定で隠れ層 40 の 1 層。学習する。",
            "digits-sigmoid-xavier と digits-sigmoid-xavier-mse："
            "Xavier の重みで交差エントロピーなら学習し、二乗誤差では同じネットワークが止まる。",
            "digits-relu-he（既定）：ReLU と He の重みは普通の SGD で学習する。",
            "digits-adam：深い N(0, 0.01²) のネットワークを Adam で。損失は下がり始めるが、最後の"
            "ステップでもテストの正解率は偶然の水準に近い。Optimizer を adagrad（学習率 0.3）や "
            "rmsprop（0.03）にすると先に進む。",
            "digits-batchnorm：深い N(0, 0.01²) のネットワークにバッチ正規化。",
            "digits-residual：幅 20 の ReLU 隠れ層 4 つに残差接続。",
            "digits-lars-warmup：バッチ 64、学習率 4 に LARS とウォームアップ。"
            "Lars と Warmup を 0 にすると勾配ノルムが跳ね上がり、ReLU が死んで"
            "正解率は偶然の水準で終わる。",
        )),
        ("見るところ",
         "勾配ノルムのグラフ（対数軸、層ごとに 1 本）"
         "：勾配消失は入力層の線が出力層の線よりずっと下に"
         "あること、勾配爆発はすべての線が跳ね上がること。テスト画像と混同行列はネットワークの答えを、"
         "第 1 層の重みは各ユニットがどの筆画を探しているかを示します。"),
        ("なぜ",
         "逆伝播は勾配に層ごとに重みと活性化関数の傾きを掛けていきます。シグモイドの傾きは最大 0.25"
         "で、小さな重みは信号をさらに縮めるので、σ = 0.01 で隠れ層が 2 つあると第 1 層はほとんど"
         "動きません。適切なスケールの重み（シグモイドには Xa"
         "vier、ReLU には He）、ReLU、バッチ正規化"
         "は信号の大きさを層から層へ保ちます。シグモイド出力"
         "と二乗誤差では出力自身の傾き p(1 − p) が"
         "誤差に掛かり、自信を持って間違えているときほど小"
         "さくなります。交差エントロピーの誤差 p − y "
         "にはその係数がありません。大きなバッチと学習率では最初の歩幅が長すぎます。ウォームアップは"
         "短い歩幅から始め、LARS は各層の歩幅を重みの一定の割合にします。"),
    ),
)

TEXTS = Languages(en=EN, ja=JA)
for_lang = TEXTS.of
