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
    header: dict[str, str]
    """Pieces of the live header (``{}`` stands for a control's value)."""
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
    settings_title: str
    settings_off: str
    """How the settings beside the Dashboard's table show a clip threshold or a warm-up of
    0."""
    summary_rows: tuple[str, ...]
    summary_cols: tuple[str, str, str]
    chart_loss: str
    chart_accuracy: str
    chart_norms: str
    chart_boundary: str
    boundary_note: tuple[str, str]
    floor_label: str
    series: dict[str, str]
    axis_step: str
    axis_loss: str
    axis_accuracy: str
    axis_norm: str
    facts_title: str
    facts_settings: str
    facts: dict[str, str]
    """The label of each of the Guide's numbers about this file (its value beside it)."""
    guide: tuple[tuple[str, str], ...]


EN = Texts(
    title="Training in the sheet: a small network learns, step by step",
    header={"act": "activation {}", "init": "init {}", "opt": "optimizer {}",
            "clip": "gradient clipping", "noclip": "no clipping",
            "warm": "warm-up over {} steps", "nowarm": "no warm-up", "steps": "{} steps",
            "sep": " · "},
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
        "Samples": "Points of the training set (four clusters, label 1 where x₁·x₂ > 0)",
        "TestSamples": "Points of the test set (same clusters, other draws)",
        "Steps": "Full-batch steps of training",
        "Seed": "Seed of the stored uniform draws (sheet Draws)",
        "Activation": "sigmoid, tanh, relu, leaky_relu or identity (hidden layers)",
        "LeakySlope": "leaky_relu(z) = z for z > 0, else slope·z; 0 or more",
        "Init": ("normal: N(0, σ²); xavier and lecun: N(0, 1/n); he: N(0, 2/n); "
                 "xavier_uniform: U(±√(6/(n + m))); he_uniform: U(±√(6/n)); zeros: every "
                 "weight 0; n = fan-in, m = fan-out"),
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
                   "norm_chart": "‖∇ layer {k}‖ (chart)",
                   "global_chart": "‖∇‖ total (chart)|after clipping (chart)|clip threshold "
                                   "(chart)",
                   "zero_chart": "a layer's ‖∇‖ = 0 (chart)",
                   "ref_line": "step (chart)|ln 2 (chart)"},
    boundary_title="Decision boundary: the grid through the last step's network",
    summary_title="The run",
    settings_title="Settings (Controls)",
    settings_off="off",
    summary_rows=("training loss", "test loss", "training accuracy", "test accuracy",
                  "‖∇‖ input layer", "‖∇‖ output layer", "‖∇‖ all layers",
                  "‖∇‖ after clipping"),
    summary_cols=("step 0", "last step", "largest"),
    chart_loss="Loss by step",
    chart_accuracy="Accuracy by step",
    chart_norms="Gradient norm of every layer (log axis)",
    chart_boundary="Decision boundary at the last step: p(class 1)",
    boundary_note=("Colour: the network's p from 0 (blue) through ½ (grey) to 1 (orange).",
                   "The digits are the training points: 1 of class 1, 0 of class 0."),
    floor_label="floor of the ‖∇‖ chart (a decade below its smallest norm above 0)",
    series={"train": "training", "test": "test", "layer": "layer {k}", "grid1": "predicted 1",
            "grid0": "predicted 0", "pts1": "class 1", "pts0": "class 0",
            "global": "all layers", "clipped": "all, after clipping",
            "threshold": "clip threshold", "zero": "exactly 0 (at the floor)",
            "ln2": "ln 2 (p = ½ for every point)"},
    axis_step="step",
    axis_loss="cross-entropy",
    axis_accuracy="accuracy",
    axis_norm="‖∇‖",
    facts_title="This file (every value below is a formula of its controls and results)",
    facts_settings="Settings: {}.",
    facts={
        "sigma": "σ of the normal init (the other initializers set their own)",
        "clip": "Gradient clipping threshold (0: off)",
        "loss_first": "Training loss at step 0",
        "loss_last": "Training loss at the last step",
        "test_loss_last": "Test loss at the last step",
        "ln2": "ln 2: the loss of answering ½ for every point (a plateau sits here)",
        "accuracy_last": "Training accuracy at the last step",
        "test_accuracy_last": "Test accuracy at the last step",
        "ratio": "At step 0: the input layer's gradient norm ÷ the output layer's",
        "largest": "Largest gradient norm of all layers together",
        "largest_at": "… at step",
        "largest_clipped": "Largest gradient norm after clipping (without clipping: the same)",
        "lr_first": "Learning rate at step 1 (below the full rate during a warm-up)",
        "lr_last": "Learning rate at the last step",
        "clipped": "Updates whose gradient clipping scaled down",
    },
    guide=(
        ("What this is",
         "A small fully connected network learns to separate four clusters of points around "
         "(±1, ±1), labelled 1 where x₁·x₂ > 0 (an XNOR of the signs: no straight line "
         "separates them). Every number of the training is a formula: the forward pass, the "
         "backward pass, the gradient, the optimizer's update, for every step, unrolled down "
         "the sheets Params, Train, Test and Steps. Change a yellow control and the whole run "
         "recomputes, the lines above included."),
        ("What to try",
         "1. Activation sigmoid, init normal, σ = 0.01, optimizer sgd, learning rate 1 (the "
         "preset training-plateau): the loss stays at ln 2 = 0.693 (a plateau), and at step "
         "0 the input layer's gradient is about a millionth of the output layer's. 2. Init "
         "xavier alone still crawls with sgd at learning rate 1: after 100 steps the loss is "
         "still about ln 2. With xavier, optimizer adam at learning rate 0.1 learns, and so "
         "does activation tanh with sgd. Activation relu with init he learns with the same "
         "sgd (training-relu-he). 3. relu, he, optimizer momentum with learning rate 2 "
         "(training-explode): within ten steps the gradient norm of all layers together "
         "jumps about fiftyfold, and the network dies. 4. Keep that and set Clip = 0.1, or "
         "Warmup = 15 (the learning rate rises to its full value over the first 15 steps): "
         "the run stays bounded and learns. 5. The other choices: leaky_relu keeps the slope "
         "LeakySlope where relu is flat; adagrad and rmsprop divide each parameter's step by "
         "the root of its squared gradients so far (summed, or a running average with decay "
         "ρ); with identity the network is a linear function, its boundary one straight "
         "line, which cannot separate these clusters."),
        ("What to look for",
         "The loss chart starts at 0 and has a dashed line at ln 2: a plateau lies on it, a "
         "divergence jumps above it. The gradient-norm chart has one colour per layer on a "
         "log axis, black for all layers together and, with clipping on, grey for the norm "
         "after clipping and a dashed line at the threshold. When the lower layers' lines "
         "sink far below the output layer's, the gradient vanishes on its way back: each "
         "sigmoid layer multiplies it by at most 0.25 and by small weights. When all lines "
         "shoot up, the updates explode. A layer whose gradient is exactly 0 (every ReLU "
         "dead, or outputs saturated to exactly 0 or 1) has no point on the log axis: its "
         "line stops and an × at the chart's floor marks the step. A spike in the lower "
         "layers' lines for a single step while the loss keeps falling (the default run has "
         "one at step 96) is one ReLU of the last hidden layer switching on for one point: "
         "for that step the gradient has one more path back to the lower layers. The "
         "decision boundary is the grid of coloured cells: the network's p(class 1) at each "
         "point of the plane, with the training points on it."),
        ("Why",
         "The backward pass multiplies the gradient by every layer's weights and by the "
         "activation's slope. Weights of the right size (Xavier for sigmoid and tanh, He for "
         "ReLU) keep that product near 1 on average; ReLU's slope is 1 where it is active. "
         "Clipping bounds the size of any one update; a warm-up starts with small steps "
         "while the gradients are still large and uneven, and reaches the full rate once "
         "the network has settled. Batch normalization, not built here, rescales every "
         "layer's inputs for the same end."),
    ),
)

JA = Texts(
    title="シートの中の学習：小さなネットワークが一歩ずつ学ぶ",
    header={"act": "活性化関数 {}", "init": "初期化 {}", "opt": "最適化 {}",
            "clip": "勾配クリッピング", "noclip": "クリッピングなし",
            "warm": "{} ステップのウォームアップ", "nowarm": "ウォームアップなし",
            "steps": "{} ステップ", "sep": " · "},
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
        "Samples": "訓練データ（4 つのクラスタ、x₁·x₂ > 0 ならラベル 1）",
        "TestSamples": "テストデータ（同じクラスタ、別の乱数）",
        "Steps": "フルバッチの学習ステップ数",
        "Seed": "保存された一様乱数（Draws シート）のシード",
        "Activation": "sigmoid、tanh、relu、leaky_relu、identity（隠れ層）",
        "LeakySlope": "leaky_relu(z) は z > 0 なら z、それ以外は 傾き·z。0 以上",
        "Init": ("normal: N(0, σ²)、xavier と lecun: N(0, 1/n)、he: N(0, 2/n)、"
                 "xavier_uniform: U(±√(6/(n + m)))、he_uniform: U(±√(6/n))、zeros: 重みをすべて 0"
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
                   "norm_chart": "‖∇ 第 {k} 層‖（グラフ用）",
                   "global_chart": "‖∇‖ 全体（グラフ用）|クリッピング後（グラフ用）|"
                                   "クリッピングの閾値（グラフ用）",
                   "zero_chart": "‖∇‖ = 0 の層（グラフ用）",
                   "ref_line": "ステップ（グラフ用）|ln 2（グラフ用）"},
    boundary_title="決定境界：最後のステップのネットワークに格子点を通す",
    summary_title="学習の結果",
    settings_title="設定（コントロール）",
    settings_off="なし",
    summary_rows=("訓練損失", "テスト損失", "訓練正解率", "テスト正解率", "‖∇‖ 入力側の層",
                  "‖∇‖ 出力層", "‖∇‖ 全層", "‖∇‖ クリッピング後"),
    summary_cols=("ステップ 0", "最後", "最大"),
    chart_loss="ステップごとの損失",
    chart_accuracy="ステップごとの正解率",
    chart_norms="各層の勾配ノルム（対数軸）",
    chart_boundary="最後のステップの決定境界：p(クラス 1)",
    boundary_note=("色：ネットワークの p が 0（青）から ½（灰色）を経て 1（橙）まで。",
                   "数字は訓練データの点：1 はクラス 1、0 はクラス 0。"),
    floor_label="‖∇‖ グラフの底（0 より大きい最小のノルムの 1 桁下）",
    series={"train": "訓練", "test": "テスト", "layer": "第 {k} 層", "grid1": "予測 1",
            "grid0": "予測 0", "pts1": "クラス 1", "pts0": "クラス 0",
            "global": "全層", "clipped": "全層（クリッピング後）",
            "threshold": "クリッピングの閾値", "zero": "ちょうど 0（底に表示）",
            "ln2": "ln 2（どの点にも p = ½）"},
    axis_step="ステップ",
    axis_loss="交差エントロピー",
    axis_accuracy="正解率",
    axis_norm="‖∇‖",
    facts_title="このファイル（以下の値はすべてコントロールと結果の数式）",
    facts_settings="設定：{}。",
    facts={
        "sigma": "正規分布初期化の σ（ほかの初期化は自分の σ を決める）",
        "clip": "勾配クリッピングの閾値（0 はなし）",
        "loss_first": "ステップ 0 の訓練損失",
        "loss_last": "最後のステップの訓練損失",
        "test_loss_last": "最後のステップのテスト損失",
        "ln2": "ln 2：どの点にも ½ と答えたときの損失（プラトーはここ）",
        "accuracy_last": "最後のステップの訓練正解率",
        "test_accuracy_last": "最後のステップのテスト正解率",
        "ratio": "ステップ 0：入力層の勾配ノルム ÷ 出力層の勾配ノルム",
        "largest": "全層の勾配ノルムの最大値",
        "largest_at": "…そのステップ",
        "largest_clipped": "クリッピング後の勾配ノルムの最大値（クリッピングなしでは同じ）",
        "lr_first": "ステップ 1 の学習率（ウォームアップ中は本来の値より小さい）",
        "lr_last": "最後のステップの学習率",
        "clipped": "クリッピングで勾配が縮められた更新の回数",
    },
    guide=(
        ("これは何か",
         "小さな全結合ネットワークが、(±1, ±1) のまわりの 4 つの点のクラスタを分けることを"
         "学びます。x₁·x₂ > 0 ならラベル 1（符号の XNOR：直線では分けられない）。順伝播、"
         "逆伝播、勾配、最適化の更新まで、学習のすべての数値が数式で、ステップごとに Params、"
         "Train、Test、Steps シートの下へ展開されています。黄色のコントロールを変えると、上の"
         "行も含めて学習全体が再計算されます。"),
        ("試すこと",
         "1. 活性化 sigmoid、初期化 normal、σ = 0.01、最適化 sgd、学習率 1（プリセット "
         "training-plateau）：損失は ln 2 = 0.693 のまま（プラトー）で、ステップ 0 の入力層の"
         "勾配は出力層の 100 万分の 1 ほどです。2. 初期化を xavier にするだけでは、学習率 1 の "
         "sgd ではまだ遅く、100 ステップ後も損失はほぼ ln 2 です。xavier のまま最適化 adam、"
         "学習率 0.1 にすると学習し、活性化 tanh なら sgd でも学習します。活性化 relu と初期化 he "
         "は同じ sgd で学習します（training-relu-he）。3. relu、he、最適化 momentum で学習率 2"
         "（training-explode）：10 ステップ以内に全層の勾配ノルムが約 50 倍に跳ね上がり、"
         "ネットワークは死にます。4. そのまま Clip = 0.1、または Warmup = 15（最初の 15 ステップで"
         "学習率を本来の値まで上げる）にすると、学習は発散せずに進みます。5. ほかの選択肢："
         "leaky_relu は relu が平らな所でも傾き LeakySlope を保ちます。adagrad と rmsprop は"
         "各パラメータの歩幅をそれまでの勾配の二乗（の和、または減衰 ρ の移動平均）の平方根で"
         "割ります。identity ではネットワーク全体が線形関数になり、境界は 1 本の直線なので、"
         "このクラスタは分けられません。"),
        ("見るところ",
         "損失のグラフは 0 から始まり、ln 2 に破線があります。プラトーはその上に乗り、発散は"
         "その上へ跳ねます。勾配ノルムのグラフは層ごとに 1 色で縦軸は対数、黒は全層の"
         "ノルム、クリッピングがあるときは灰色がクリッピング後のノルム、破線が閾値です。"
         "下の層の線が出力層よりずっと下に沈むとき、勾配は戻る途中で消えています（シグモイドの"
         "層はそれぞれ勾配を最大 0.25 倍し、小さな重みがさらに小さくします）。すべての線が"
         "跳ね上がるときは更新が爆発しています。勾配がちょうど 0 の層（ReLU がすべて死んだ、"
         "または出力がちょうど 0 か 1 に飽和した）は対数軸に点がなく、線が途切れ、グラフの底の × "
         "がそのステップを示します。損失が下がり続けるなかで下の層の線が 1 ステップだけ跳ねる"
         "のは（既定の設定ではステップ 96）、最後の隠れ層の ReLU が 1 つの点について 1 ステップ"
         "だけ活性になり、そのステップだけ勾配が下の層へ戻る道が 1 本増えるためです。決定境界は"
         "色付きのセルの格子で、平面の各点でのネットワークの p(クラス 1) と訓練データの点を"
         "示します。"),
        ("なぜ",
         "逆伝播は勾配に各層の重みと活性化関数の傾きを掛けていきます。適切な大きさの重み"
         "（シグモイドや tanh には Xavier、ReLU には He）はその積を平均して 1 に近く保ち、"
         "ReLU の傾きは活性な所で 1 です。クリッピングは 1 回の更新の大きさを抑え、"
         "ウォームアップは勾配がまだ大きく不揃いな初めのうち小さな歩幅で進み、ネットワークが"
         "落ち着いてから本来の学習率に達します。ここでは作っていないバッチ正規化も、各層の"
         "入力を整えて同じ目的を果たします。"),
    ),
)


LANGUAGES = Languages(en=EN, ja=JA)


for_lang = LANGUAGES.of
"""The texts of a ``--lang`` code (``common.texts`` says which for a code without texts of
its own)."""
