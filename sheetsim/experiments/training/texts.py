"""Every word the training workbook shows, in English and Japanese (``--lang en|ja``).

Sheet names and defined names stay ASCII in both languages; only what a reader sees changes.
"""

from __future__ import annotations

from dataclasses import dataclass

from sheetsim.experiments.common.texts import Languages


@dataclass(frozen=True)
class Texts:
    """Every word of the workbook in one language, by where it appears."""

    title: str
    subtitle: tuple[str, str, str]
    controls_title: str
    controls_note: str
    control_labels: dict[str, str]
    control_help: dict[str, str]
    lists_title: str
    index_headers: tuple[str, str, str]
    data_title: str
    data_headers: tuple[str, ...]
    draws_title: str
    params_title: str
    groups: dict[str, str]
    layer: str
    step: str
    train_title: str
    test_title: str
    pass_headers: dict[str, str]
    steps_title: str
    steps_headers: dict[str, str]
    boundary_title: str
    summary_title: str
    summary_rows: tuple[str, ...]
    summary_cols: tuple[str, str]
    chart_loss: str
    chart_accuracy: str
    chart_norms: str
    chart_boundary: str
    series: dict[str, str]
    axis_step: str
    axis_loss: str
    axis_accuracy: str
    axis_norm: str
    guide: tuple[tuple[str, str], ...]


EN = Texts(
    title="Training in the sheet: a small network learns, step by step",
    subtitle=("Activation: ", "   init: ", "   optimizer: "),
    controls_title="Controls",
    controls_note=(
        "Change the yellow cells: the whole run of training recomputes. Grey cells are fixed "
        "when the file is built (sheetsim build training --layers N …)."
    ),
    control_labels={
        "Layers": "Hidden layers (fixed)", "Width": "Units per hidden layer (fixed)",
        "Samples": "Training points (fixed)", "TestSamples": "Test points (fixed)",
        "Steps": "Steps (fixed)", "Seed": "Seed of the draws (fixed)",
        "Activation": "Activation", "LeakySlope": "Slope of leaky_relu below 0",
        "Init": "Initializer", "Sigma": "σ of the normal init",
        "Optimizer": "Optimizer", "LearningRate": "Learning rate",
        "MomentumBeta": "Momentum β", "RMSpropRho": "RMSprop ρ", "AdamBeta1": "Adam β₁",
        "AdamBeta2": "Adam β₂",
        "Eps": "ε", "Clip": "Gradient clipping threshold", "Warmup": "Warm-up steps",
        "Spread": "Spread of the clusters",
    },
    control_help={
        "Layers": "Hidden layers between the 2 inputs and the sigmoid output",
        "Width": "Units in every hidden layer",
        "Samples": "Points of the training set (four clusters, an XOR of the signs)",
        "TestSamples": "Points of the test set (same clusters, other draws)",
        "Steps": "Full-batch steps of training",
        "Seed": "Seed of the stored uniform draws (sheet Draws)",
        "Activation": "sigmoid, tanh, relu, leaky_relu or identity (hidden layers)",
        "LeakySlope": "leaky_relu(z) = z for z > 0, else slope·z; 0 or more",
        "Init": ("normal: N(0, σ²); xavier and lecun: N(0, 1/n); he: N(0, 2/n); "
                 "xavier_uniform: U(±√(6/(n + m))); he_uniform: U(±√(6/n)); n = fan-in, "
                 "m = fan-out"),
        "Sigma": "Standard deviation of the weights with init = normal",
        "Optimizer": "sgd, momentum, adam, adagrad or rmsprop (the optimizer lab's rules)",
        "LearningRate": "Step size (Adam: before its bias correction)",
        "MomentumBeta": "v ← β·v − lr·g; p ← p + v, 0 ≤ β < 1",
        "RMSpropRho": "h ← ρ·h + (1 − ρ)·g²; p ← p − lr·g/(√h + ε), 0 ≤ ρ < 1",
        "AdamBeta1": "Decay of the gradient's average m, 0 ≤ β₁ < 1",
        "AdamBeta2": "Decay of the average of g², 0 ≤ β₂ < 1",
        "Eps": "Added to √v (Adam) or √h (AdaGrad, RMSprop) so a zero gradient does not "
               "divide by 0",
        "Clip": "0 = off; else the gradient is scaled by min(1, threshold/‖g‖)",
        "Warmup": "0 = off; else lr rises linearly over this many steps",
        "Spread": "Standard deviation of each cluster around (±1, ±1)",
    },
    lists_title="Choices (the dropdowns' lists) and the chosen positions",
    index_headers=("activation #", "init #", "optimizer #"),
    data_title="The data: four clusters around (±1, ±1); label 1 where x₁·x₂ > 0",
    data_headers=("#", "centre x₁", "centre x₂", "label y", "x₁", "x₂", "class 1 (chart)",
                  "class 0 (chart)", "ones"),
    draws_title="Stored uniform draws: the data's noise and every layer's initial weights",
    params_title=("Parameters [W; b] of every layer at every step (bias in the last row), "
                  "their gradient, and the optimizer's states m and v (AdaGrad's and "
                  "RMSprop's sum of squares h in v)"),
    groups={"p": "parameters", "g": "gradient", "m": "state m", "v": "state v (or h)"},
    layer="layer {k}",
    step="step",
    train_title="Forward and backward pass over the training points, one band per step",
    test_title="Forward pass over the test points, one band per step",
    pass_headers={"a": "a{k}", "z": "z out", "p": "p = σ(z)", "ls": "loss", "d": "δ{k}"},
    steps_title="One row per step",
    steps_headers={"lr": "learning rate", "loss": "train loss|test loss",
                   "accuracy": "train accuracy|test accuracy",
                   "grad_norm": "‖∇ layer {k}‖", "clipping": "‖∇‖ total|clip factor",
                   "loss_chart": "train loss (chart)|test loss (chart)",
                   "norm_chart": "‖∇ layer {k}‖ (chart)"},
    boundary_title="Decision boundary: the grid through the last step's network",
    summary_title="The run",
    summary_rows=("training loss", "test loss", "training accuracy", "test accuracy",
                  "‖∇‖ input layer", "‖∇‖ output layer"),
    summary_cols=("step 0", "last step"),
    chart_loss="Loss by step",
    chart_accuracy="Accuracy by step",
    chart_norms="Gradient norm of every layer (log axis)",
    chart_boundary="Decision boundary at the last step",
    series={"train": "training", "test": "test", "layer": "layer {k}", "grid1": "predicted 1",
            "grid0": "predicted 0", "pts1": "class 1", "pts0": "class 0"},
    axis_step="step",
    axis_loss="cross-entropy",
    axis_accuracy="accuracy",
    axis_norm="‖∇‖",
    guide=(
        ("What this is",
         "A small fully connected network learns to separate four clusters of points (an "
         "XOR of the signs: no straight line does it). Every number of the training is a "
         "formula: the forward pass, the backward pass, the gradient, the optimizer's update, "
         "for every step, unrolled down the sheets Params, Train, Test and Steps. Change a "
         "yellow control and the whole run recomputes."),
        ("What to try",
         "1. Activation sigmoid, init normal, σ = 0.01, optimizer sgd, learning rate 1: the "
         "loss stays at ln 2 = 0.693 (a plateau) and the input layer's gradient is a "
         "billionth of the output layer's. 2. Init xavier or, better, activation relu with "
         "init he: the same network learns. 3. relu, he, sgd with learning rate 10: the "
         "gradient norm jumps by orders of magnitude within a few steps and the network "
         "dies. 4. Keep learning rate 10 and set Clip = 0.1, or Warmup = the number of "
         "steps: the run stays bounded and learns. 5. The other choices: leaky_relu keeps "
         "the slope LeakySlope where relu is flat; adagrad and rmsprop divide each "
         "parameter's step by the root of its squared gradients so far (summed, or a "
         "running average with decay ρ); with identity the network is a linear function, "
         "its boundary one straight line, which cannot separate these clusters."),
        ("What to look for",
         "The gradient-norm chart has one line per layer on a log axis. When the lower "
         "layers' lines sink far below the output layer's, the gradient vanishes on its way "
         "back: each sigmoid layer multiplies it by at most 0.25 and by small weights. When "
         "all lines shoot up, the updates explode. The loss chart shows the plateau (flat at "
         "0.693) or the divergence; the decision boundary shows what the network learned."),
        ("Why",
         "The backward pass multiplies the gradient by every layer's weights and by the "
         "activation's slope. Weights of the right size (Xavier for sigmoid and tanh, He for "
         "ReLU) keep that product near 1 on average; ReLU's slope is 1 where it is active. "
         "Clipping bounds the size of any one update; a warm-up starts with small steps "
         "while the gradients are still large and uneven. Batch normalization, not built "
         "here, rescales every layer's inputs for the same end."),
    ),
)

JA = Texts(
    title="シートの中の学習：小さなネットワークが一歩ずつ学ぶ",
    subtitle=("活性化関数: ", "   初期化: ", "   最適化: "),
    controls_title="コントロール",
    controls_note=("黄色のセルを変えると学習全体が再計算されます。灰色のセルはファイル作成時に"
                   "固定されます（sheetsim build training --layers N …）。"),
    control_labels={
        "Layers": "隠れ層の数（固定）", "Width": "隠れ層のユニット数（固定）",
        "Samples": "訓練データ点数（固定）", "TestSamples": "テストデータ点数（固定）",
        "Steps": "ステップ数（固定）", "Seed": "乱数のシード（固定）",
        "Activation": "活性化関数", "LeakySlope": "leaky_relu の負側の傾き",
        "Init": "重みの初期化", "Sigma": "正規分布初期化の σ",
        "Optimizer": "最適化手法", "LearningRate": "学習率",
        "MomentumBeta": "Momentum β", "RMSpropRho": "RMSprop ρ", "AdamBeta1": "Adam β₁",
        "AdamBeta2": "Adam β₂",
        "Eps": "ε", "Clip": "勾配クリッピングの閾値", "Warmup": "ウォームアップのステップ数",
        "Spread": "クラスタの広がり",
    },
    control_help={
        "Layers": "2 入力とシグモイド出力の間の隠れ層",
        "Width": "各隠れ層のユニット数",
        "Samples": "訓練データ（4 つのクラスタ、符号の XOR）",
        "TestSamples": "テストデータ（同じクラスタ、別の乱数）",
        "Steps": "フルバッチの学習ステップ数",
        "Seed": "保存された一様乱数（Draws シート）のシード",
        "Activation": "sigmoid、tanh、relu、leaky_relu、identity（隠れ層）",
        "LeakySlope": "leaky_relu(z) は z > 0 なら z、それ以外は 傾き·z。0 以上",
        "Init": ("normal: N(0, σ²)、xavier と lecun: N(0, 1/n)、he: N(0, 2/n)、"
                 "xavier_uniform: U(±√(6/(n + m)))、he_uniform: U(±√(6/n))"
                 "（n は入力数、m は出力数）"),
        "Sigma": "init = normal のときの重みの標準偏差",
        "Optimizer": "sgd、momentum、adam、adagrad、rmsprop（最適化ラボと同じ更新式）",
        "LearningRate": "ステップの大きさ（Adam ではバイアス補正の前）",
        "MomentumBeta": "v ← β·v − lr·g; p ← p + v、0 ≤ β < 1",
        "RMSpropRho": "h ← ρ·h + (1 − ρ)·g²; p ← p − lr·g/(√h + ε)、0 ≤ ρ < 1",
        "AdamBeta1": "勾配の移動平均 m の減衰、0 ≤ β₁ < 1",
        "AdamBeta2": "g² の移動平均の減衰、0 ≤ β₂ < 1",
        "Eps": "勾配が 0 のとき 0 で割らないよう √v（Adam）や √h（AdaGrad、RMSprop）に足す値",
        "Clip": "0 = なし。それ以外は勾配を min(1, 閾値/‖g‖) 倍する",
        "Warmup": "0 = なし。それ以外はこのステップ数で学習率を直線的に上げる",
        "Spread": "(±1, ±1) のまわりの各クラスタの標準偏差",
    },
    lists_title="選択肢（ドロップダウンのリスト）と選ばれた番号",
    index_headers=("活性化 #", "初期化 #", "最適化 #"),
    data_title="データ：(±1, ±1) のまわりの 4 つのクラスタ。x₁·x₂ > 0 ならラベル 1",
    data_headers=("#", "中心 x₁", "中心 x₂", "ラベル y", "x₁", "x₂", "クラス 1（グラフ用）",
                  "クラス 0（グラフ用）", "1"),
    draws_title="保存された一様乱数：データのノイズと各層の初期重み",
    params_title=("各ステップの各層のパラメータ [W; b]（最後の行がバイアス）、勾配、"
                  "最適化の状態 m と v（AdaGrad と RMSprop の二乗和 h は v に）"),
    groups={"p": "パラメータ", "g": "勾配", "m": "状態 m", "v": "状態 v（または h）"},
    layer="第 {k} 層",
    step="ステップ",
    train_title="訓練データの順伝播と逆伝播（1 ステップ 1 ブロック）",
    test_title="テストデータの順伝播（1 ステップ 1 ブロック）",
    pass_headers={"a": "a{k}", "z": "出力 z", "p": "p = σ(z)", "ls": "損失", "d": "δ{k}"},
    steps_title="1 ステップ 1 行",
    steps_headers={"lr": "学習率", "loss": "訓練損失|テスト損失",
                   "accuracy": "訓練正解率|テスト正解率",
                   "grad_norm": "‖∇ 第 {k} 層‖", "clipping": "‖∇‖ 全体|クリップ係数",
                   "loss_chart": "訓練損失（グラフ用）|テスト損失（グラフ用）",
                   "norm_chart": "‖∇ 第 {k} 層‖（グラフ用）"},
    boundary_title="決定境界：最後のステップのネットワークに格子点を通す",
    summary_title="学習の結果",
    summary_rows=("訓練損失", "テスト損失", "訓練正解率", "テスト正解率", "‖∇‖ 入力側の層",
                  "‖∇‖ 出力層"),
    summary_cols=("ステップ 0", "最後"),
    chart_loss="ステップごとの損失",
    chart_accuracy="ステップごとの正解率",
    chart_norms="各層の勾配ノルム（対数軸）",
    chart_boundary="最後のステップの決定境界",
    series={"train": "訓練", "test": "テスト", "layer": "第 {k} 層", "grid1": "予測 1",
            "grid0": "予測 0", "pts1": "クラス 1", "pts0": "クラス 0"},
    axis_step="ステップ",
    axis_loss="交差エントロピー",
    axis_accuracy="正解率",
    axis_norm="‖∇‖",
    guide=(
        ("これは何か",
         "小さな全結合ネットワークが 4 つの点のクラスタ（符号の XOR：直線では分けられない）を"
         "分けることを学びます。順伝播、逆伝播、勾配、最適化の更新まで、学習のすべての数値が"
         "数式で、ステップごとに Params、Train、Test、Steps シートの下へ展開されています。"
         "黄色のコントロールを変えると学習全体が再計算されます。"),
        ("試すこと",
         "1. 活性化 sigmoid、初期化 normal、σ = 0.01、最適化 sgd、学習率 1：損失は ln 2 = "
         "0.693 のまま（プラトー）で、入力層の勾配は出力層の 10 億分の 1 ほどです。"
         "2. 初期化を xavier に、さらに活性化 relu と初期化 he にすると、同じネットワークが"
         "学習します。3. relu、he、sgd で学習率 10：勾配ノルムが数ステップで何桁も跳ね上がり、"
         "ネットワークは死にます。4. 学習率 10 のまま Clip = 0.1、または Warmup = ステップ数に"
         "すると、学習は発散せずに進みます。5. ほかの選択肢：leaky_relu は relu が平らな所でも"
         "傾き LeakySlope を保ちます。adagrad と rmsprop は各パラメータの歩幅をそれまでの勾配の"
         "二乗（の和、または減衰 ρ の移動平均）の平方根で割ります。identity ではネットワーク"
         "全体が線形関数になり、境界は 1 本の直線なので、このクラスタは分けられません。"),
        ("見るところ",
         "勾配ノルムのグラフは層ごとに 1 本の線で、縦軸は対数です。下の層の線が出力層より"
         "ずっと下に沈むとき、勾配は戻る途中で消えています（シグモイドの層はそれぞれ勾配を"
         "最大 0.25 倍し、小さな重みがさらに小さくします）。すべての線が跳ね上がるときは更新が"
         "爆発しています。損失のグラフはプラトー（0.693 で平ら）や発散を、決定境界は"
         "ネットワークが何を学んだかを示します。"),
        ("なぜ",
         "逆伝播は勾配に各層の重みと活性化関数の傾きを掛けていきます。適切な大きさの重み"
         "（シグモイドや tanh には Xavier、ReLU には He）はその積を平均して 1 に近く保ち、"
         "ReLU の傾きは活性な所で 1 です。クリッピングは 1 回の更新の大きさを抑え、"
         "ウォームアップは勾配がまだ大きく不揃いな初めのうち小さな歩幅で進みます。"
         "ここでは作っていないバッチ正規化も、各層の入力を整えて同じ目的を果たします。"),
    ),
)


LANGUAGES = Languages(en=EN, ja=JA)


for_lang = LANGUAGES.of
"""The texts of a ``--lang`` code (``common.texts`` says which for a code without texts of
its own)."""
