"""Every word the workbook shows, in English and Japanese (``--lang en|ja``).

Sheet names and defined names stay ASCII in both languages; only what a reader sees changes.
"""

from __future__ import annotations

from dataclasses import dataclass

from sheetsim.experiments.common.texts import Languages


@dataclass(frozen=True)
class Texts:
    """Every word of the workbook in one language, by where it appears."""

    title: str
    controls_title: str
    controls_note: str
    control_labels: dict[str, str]
    control_help: dict[str, str]
    layer_table_title: str
    layer_headers: tuple[str, ...]
    list_titles: tuple[str, str, str]
    key_title: str
    key: tuple[str, str, str]
    hist_title: str
    hist_headers: tuple[str, str, str]
    hist_above: str
    freq_caption: str
    """Over the FREQUENCY columns, right of the counts the charts read."""
    counts_caption: str
    layer_edge: str
    layer_centre: str
    """Headers of a layer's edge and centre columns ({k}: the layer)."""
    layer_range_labels: tuple[str, str]
    own_range_label: str
    own_range_words: tuple[str, str]
    """How the own-range cell reads: 1 (a range per layer), 0 (one range)."""
    own_range_notes: tuple[str, str]
    """Beside the Dashboard's "Outputs": the charts on a range each, or on one range."""
    stats_title: str
    stat_labels: dict[str, str]
    dash_labels: dict[str, str]
    subtitle: dict[str, str]
    """Words of the header (``formulas.header``): before each setting; ``sigma`` is the σ
    cell's number format text, ``shape`` takes {layers} and {width}."""
    chart_x: str
    chart_y: str
    std_chart_title: str
    std_chart_x: str
    std_chart_y: str
    layer: str
    block_captions: dict[str, str]
    live_caption: str
    guide: tuple[tuple[str, str | tuple[str, ...]], ...]
    """Sections: a heading and a paragraph, or a heading and steps (one a row)."""
    grad_title: str = ""
    grad_headers: tuple[str, str, str] = ("", "", "")
    grad_stat_labels: dict[str, str] | None = None
    grad_chart_x: str = ""
    grad_size_title: str = ""
    bn_title: str = ""
    bn_row_labels: dict[str, str] | None = None
    guide_backward: tuple[tuple[str, str], ...] = ()
    range_in_use: str = ""
    caption: str = ""
    """The Dashboard's line on what to look at."""
    section_outputs: str = ""
    section_grads: str = ""

    def layer_label(self, k: int) -> str:
        """The heading of layer ``k``, such as ``Layer 3``."""
        return self.layer.format(k=k)


_STATS_EN = {
    "mean": "Mean",
    "std": "Std (population)",
    "min": "Min",
    "max": "Max",
    "first_bin": "Share in first bin",
    "last_bin": "Share in last bin",
    "below": "Share below range",
    "above": "Share above range",
    "zero": "Share exactly 0",
    "dead": "Share of dead neurons",
}

EN = Texts(
    title="Weight initialization: how signals spread through the layers",
    controls_title="Controls",
    controls_note=(
        "Change the yellow cells: weights, outputs, histograms and charts recompute. "
        "Shape (samples, neurons, layers) and the stored draws are fixed when the file is built."
    ),
    control_labels={
        "Init": "Initializer",
        "Activation": "Activation",
        "Sigma": "σ for init = normal",
        "LeakySlope": "Leaky ReLU slope",
        "Bins": "Histogram bins",
        "BinLow": "Histogram low",
        "BinHigh": "Histogram high",
        "Samples": "Samples (rows)",
        "Seed": "Seed of the draws",
        "BatchNorm": "Batch normalization",
        "BNEps": "Batch norm ε",
        "GradLow": "Gradient histogram low (log10)",
        "GradHigh": "Gradient histogram high (log10)",
        "GradBins": "Gradient histogram bins",
        "RangeMode": "Histogram range",
    },
    control_help={
        "Init": "normal, xavier (σ = 1/√fan-in), he (σ = √(2/fan-in)), xavier_uniform, "
        "he_uniform, lecun, zeros (every weight 0)",
        "Activation": "sigmoid, tanh, relu, leaky_relu, identity",
        "Sigma": "Weight σ used when the initializer is normal",
        "LeakySlope": "Slope of leaky_relu for negative inputs",
        "Bins": "Number of bins, at most the rows built into Histograms",
        "BinLow": "Left end of the histograms (with Histogram range = manual)",
        "BinHigh": "Right end (with Histogram range = manual); outputs above it are "
        "counted as 'above'",
        "Samples": "Rows of the input (fixed at build)",
        "Seed": "Seed of the stored uniform draws (fixed at build)",
        "BatchNorm": "on or off: normalize each neuron's linear sum over the samples",
        "BNEps": "Added to the variance before the square root",
        "GradLow": "Smallest |gradient| bin edge, as a power of ten",
        "GradHigh": "Largest |gradient| bin edge, as a power of ten",
        "GradBins": "Bins of the gradient histograms (fixed at build)",
        "RangeMode": "auto: sigmoid 0 to 1, tanh −1 to 1, otherwise the outputs' smallest "
        "to largest value; manual: from Histogram low to Histogram high",
    },
    layer_table_title="Per layer: choose 'global' to follow the controls above",
    layer_headers=("Layer", "Initializer", "Activation", "Init in use", "Act. in use",
                   "Fan-in", "Fan-out", "Distribution", "σ or limit", "Weight σ",
                   "Batch norm", "BN in use"),
    list_titles=("Initializers", "Distribution", "Activations"),
    key_title="Colour key",
    key=("Control: change it", "Stored random draw", "Formula: computed"),
    hist_title="Histograms: output counts per bin, by layer",
    hist_headers=("Bin", "Upper edge", "Centre"),
    hist_above="above",
    freq_caption="One pass per layer: FREQUENCY(values, upper edges); rows past Bins count "
                 "values above the range",
    counts_caption="Counts the charts show (bins up to Bins; the last row: above the range)",
    layer_edge="Edge L{k}",
    layer_centre="Centre L{k}",
    layer_range_labels=("Histogram low", "Histogram high"),
    own_range_label="Histogram ranges",
    own_range_words=("one per layer: the layers' spans differ more than 10×",
                     "one for all layers"),
    own_range_notes=("Each chart has its own range: the layers' outputs differ by more than "
                     "10× (compare their sizes by the std chart)",
                     "All charts share one range"),
    stats_title="Statistic",
    stat_labels=_STATS_EN,
    dash_labels={"init": "Initializer", "activation": "Activation", "wstd": "Weight σ",
                 **_STATS_EN, "bn": "Batch norm", "grad_mean_abs": "Mean |∂L/∂A|",
                 "grad_wgrad": "‖∂L/∂W‖ / samples"},
    subtitle={"init": "Initializer: ", "sigma": "σ = ", "activation": "Activation: ",
              "shape": "   Layers: {layers} × {width}", "samples": "   Samples: ",
              "batchnorm": "   Batch norm: ", "range": "   Histogram range: ",
              "seed": "   Seed: "},
    chart_x="output",
    chart_y="count",
    std_chart_title="Output std by layer",
    std_chart_x="layer",
    std_chart_y="std",
    layer="Layer {k}",
    block_captions={
        "uniform": "uniform draws in (0, 1), stored constants",
        "input": "standard-normal inputs, NORM.S.INV of the draws in Input_U",
        "weights": "weights, the initializer applied to the draws",
        "linear": "linear sum, previous output × weights (MMULT)",
        "activation": "output, the activation applied to its input",
        "batchnorm": "batch-normalized linear sum (column mean 0, variance 1) when on",
        "grad_pre": "∂L/∂N: incoming gradient × the activation's slope",
        "grad": "∂L/∂A: gradient at the linear sum",
        "upstream": "∂L/∂Z of the top layer: standard-normal draws (NORM.S.INV of Grad_U)",
    },
    live_caption="uniform draws in (0, 1): =RAND(), press F9 for a new sample",
    grad_title="Gradients: |∂L/∂A| per bin of log10, by layer",
    grad_headers=("Bin", "Upper edge", "log10 centre"),
    grad_stat_labels={"mean_abs": "Mean |∂L/∂A|", "wgrad": "‖∂L/∂W‖ / samples",
                      "zero": "Share exactly 0"},
    grad_chart_x="log10 |∂L/∂A|",
    grad_size_title="Gradient size by layer (log scale)",
    bn_title="Batch normalization: column statistics over the samples",
    range_in_use="Range in use (low, high)",
    caption="What to look at: how each layer's outputs spread. Piled at the ends of the "
    "range is saturation, one narrow spike is collapse; a healthy layer keeps a wide "
    "spread from layer 1 to the last. The diagnosis names what the numbers show.",
    section_outputs="Outputs",
    section_grads="Gradients, log10 |∂L/∂A|",
    bn_row_labels={"bn_mean": "mean of A", "bn_var": "variance of A",
                   "bn_dmean": "mean of ∂L/∂N", "bn_dnmean": "mean of ∂L/∂N · N"},
    guide_backward=(
        ("The backward pass",
         "The top layer receives an upstream gradient ∂L/∂Z drawn from a standard normal "
         "(sheet Grad), as if the loss were the sum of upstream × output. Going down, each "
         "layer's gradient is ∂L/∂A = (incoming gradient) × f'(input), and the incoming "
         "gradient of the layer below is MMULT(∂L/∂A, TRANSPOSE(W)). The size of a weight "
         "gradient is ‖Z_prevᵀ · ∂L/∂A‖ / samples. The Gradients sheet histograms |∂L/∂A| on "
         "a log10 scale, so a gradient that vanishes moves to the left by orders of "
         "magnitude."),
        ("What the gradient presets show",
         "sigmoid-xavier-deep: ten sigmoid layers; each passes back at most a quarter of the "
         "gradient, so it shrinks by orders of magnitude toward the input. "
         "relu-std1: with σ = 1 the activations explode layer by layer and so does the "
         "gradient toward the input. relu-std1-bn: batch normalization rescales every "
         "layer's sum to unit variance and both directions stay tame. relu-he-deep: ten "
         "ReLU layers with He's σ keep activations and gradients at one size. "
         "sigmoid-std1-deep: the activations saturate, yet the large weights multiply the "
         "small slopes back up, so the gradient keeps its size: saturation alone does not "
         "decide."),
        ("Batch normalization",
         "With batch norm on, each neuron's linear sum is shifted and scaled over the "
         "samples to mean 0 and variance 1 before the activation: N = (A − mean) / "
         "√(variance + ε). Its gradient is ∂L/∂A = (∂L/∂N − mean(∂L/∂N) − N · mean(∂L/∂N · "
         "N)) / √(variance + ε), column by column."),
    ),
    guide=(
        ("What this workbook is",
         "Samples of standard-normal inputs (rows) flow through layers of neurons (columns). "
         "Each layer multiplies its input by a weight matrix (MMULT) and applies an "
         "activation. Histograms and Dashboard show how the outputs of each layer are spread. "
         "Every number is a live formula of the uniform draws in the *_U sheets."),
        ("How to read the histograms",
         "A healthy layer spreads its outputs over the activation's range. Sigmoid outputs "
         "piled up at 0 and 1 mean saturation: there the sigmoid is flat, its slope almost "
         "zero, and gradients vanish as they are multiplied back through the layers. Outputs "
         "all near one value mean the neurons all say the same thing: the layer has lost its "
         "expressiveness, 100 neurons doing the work of one."),
        ("What to try (on Controls; one step a row)", (
            "1. Set Initializer to normal and σ for init = normal to 1: the sigmoid outputs "
            "crowd at 0 and 1; the Dashboard's diagnosis reports saturated.",
            "2. Set σ for init = normal to 0.01: every output collapses to 0.5 (collapsed).",
            "3. Set Initializer to xavier (σ = 1/√n): a good spread in every layer, no "
            "finding.",
            "4. Set Activation to relu: with xavier the spread shrinks layer by layer.",
            "5. Set Initializer to he (σ = √(2/n)): the spread holds.",
            "6. In the per-layer table, set layer 5's Activation to sigmoid (the others stay "
            "global).",
        )),
        ("The diagnosis",
         "Below the Dashboard's statistics, per layer: the share of outputs in the flat ends "
         "of a sigmoid or tanh (saturated), the outputs' std (collapsed when tiny), the share "
         "of neurons that output 0 for every sample (dead units), the signal gain (std ÷ the "
         "layer below's: exploding above 2, vanishing below 0.5) and, with the backward "
         "pass, the gradient gain (mean |∂L/∂A| ÷ the layer above's). The table beside the "
         "statistics holds the thresholds (yellow: change them), whether each finding "
         "fires, its worst layer and what to try. All of it is formulas and follows every "
         "control."),
        ("Why",
         "The sigmoid's derivative f'(x) = f(x)(1 − f(x)) is at most 0.25, at x = 0, so even "
         "an unsaturated layer passes back at most a quarter of the gradient, and a saturated "
         "one almost nothing. With σ = 1/√n the sum of n inputs keeps unit variance, so the "
         "sigmoid works in its sensitive range. ReLU sets negative inputs to 0 and so halves "
         "the variance at every layer; He's σ = √(2/n) gives that factor 2 back."),
        ("Draws and F9",
         "The *_U sheets hold uniform random numbers. In a file built with --live they are "
         "=RAND() formulas: press F9 (recalculate) for a fresh Monte Carlo sample, as one "
         "would by hand. Otherwise they are stored numbers from a seeded generator, so the "
         "file reproduces exactly."),
        ("Colours",
         "Yellow cells are controls you may change. Blue numbers are random draws. "
         "Black numbers are formulas."),
        ("Formulas ending in +0*COUNTA(AllControls)",
         "Except in a file built with --live, the counts, shares and Dashboard cells add 0 "
         "times the count of the control cells. "
         "It changes no number: it tells the spreadsheet that the cell depends on every "
         "control, so that it can keep the cell's stored value when the file opens and "
         "still recompute it after any change of a control."),
    ),
)

_STATS_JA = {
    "mean": "平均",
    "std": "標準偏差（母集団）",
    "min": "最小",
    "max": "最大",
    "first_bin": "最初の階級の割合",
    "last_bin": "最後の階級の割合",
    "below": "範囲より下の割合",
    "above": "範囲を超えた割合",
    "zero": "ちょうど0の割合",
    "dead": "死んだニューロンの割合",
}

JA = Texts(
    title="重みの初期値：信号は層をどう伝わるか",
    controls_title="設定",
    controls_note=(
        "黄色のセルを変えると、重み・出力・ヒストグラム・グラフがすべて再計算されます。"
        "サンプル数・ニューロン数・層数と保存された乱数はファイル作成時に決まります。"
    ),
    control_labels={
        "Init": "初期値の種類",
        "Activation": "活性化関数",
        "Sigma": "σ（normal のとき）",
        "LeakySlope": "Leaky ReLU の傾き",
        "Bins": "階級の数",
        "BinLow": "ヒストグラムの下限",
        "BinHigh": "ヒストグラムの上限",
        "Samples": "サンプル数（行）",
        "Seed": "乱数のシード",
        "BatchNorm": "バッチ正規化",
        "BNEps": "バッチ正規化の ε",
        "GradLow": "勾配ヒストグラムの下限（log10）",
        "GradHigh": "勾配ヒストグラムの上限（log10）",
        "GradBins": "勾配ヒストグラムの階級数",
        "RangeMode": "ヒストグラムの範囲",
    },
    control_help={
        "Init": "normal, xavier（σ = 1/√入力数）, he（σ = √(2/入力数)）, xavier_uniform, "
        "he_uniform, lecun, zeros（重みをすべて 0）",
        "Activation": "sigmoid, tanh, relu, leaky_relu, identity",
        "Sigma": "初期値が normal のときの重みの標準偏差",
        "LeakySlope": "leaky_relu の負の側の傾き",
        "Bins": "階級の数（Histograms に作られた行数まで）",
        "BinLow": "ヒストグラムの左端（範囲が manual のとき）",
        "BinHigh": "右端（範囲が manual のとき）。これを超える出力は「超過」に数えます",
        "Samples": "入力の行数（作成時に固定）",
        "Seed": "保存された一様乱数のシード（作成時に固定）",
        "BatchNorm": "on か off：各ニューロンの線形和をサンプル方向に正規化",
        "BNEps": "平方根をとる前に分散に足す値",
        "GradLow": "|勾配| の最小の階級境界（10 のべき指数）",
        "GradHigh": "|勾配| の最大の階級境界（10 のべき指数）",
        "GradBins": "勾配ヒストグラムの階級数（作成時に固定）",
        "RangeMode": "auto：sigmoid は 0〜1、tanh は −1〜1、それ以外は出力の最小〜最大；"
        "manual：ヒストグラムの下限〜上限",
    },
    layer_table_title="層ごとの設定：global なら上の設定に従います",
    layer_headers=("層", "初期値", "活性化関数", "使用中の初期値", "使用中の関数",
                   "入力数", "出力数", "分布", "σ または幅", "重みの σ",
                   "バッチ正規化", "使用中の正規化"),
    list_titles=("初期値", "分布", "活性化関数"),
    key_title="色の意味",
    key=("設定：変更できます", "保存された乱数", "数式：計算結果"),
    hist_title="ヒストグラム：層ごと・階級ごとの出力の個数",
    hist_headers=("階級", "上端", "中央"),
    hist_above="超過",
    freq_caption="層ごとに 1 回の集計：FREQUENCY(値, 上端)。Bins より後の行は範囲を超えた値",
    counts_caption="グラフが示す個数（Bins までの階級。最後の行は範囲を超えた値）",
    layer_edge="上端 L{k}",
    layer_centre="中央 L{k}",
    layer_range_labels=("ヒストグラムの下端", "ヒストグラムの上端"),
    own_range_label="ヒストグラムの範囲",
    own_range_words=("層ごと：層の広がりが 10 倍を超えて違う", "全層で共通"),
    own_range_notes=("グラフごとに範囲が違います：層の出力の広がりが 10 倍を超えて違うため"
                     "（大きさは標準偏差のグラフで比べます）",
                     "すべてのグラフが同じ範囲です"),
    stats_title="統計量",
    stat_labels=_STATS_JA,
    dash_labels={"init": "初期値", "activation": "活性化関数", "wstd": "重みの σ",
                 **_STATS_JA, "bn": "バッチ正規化", "grad_mean_abs": "|∂L/∂A| の平均",
                 "grad_wgrad": "‖∂L/∂W‖ / サンプル数"},
    subtitle={"init": "初期値: ", "sigma": "σ = ", "activation": "活性化関数: ",
              "shape": "   層: {layers} × {width}", "samples": "   サンプル数: ",
              "batchnorm": "   バッチ正規化: ", "range": "   ヒストグラムの範囲: ",
              "seed": "   シード: "},
    chart_x="出力",
    chart_y="個数",
    std_chart_title="層ごとの出力の標準偏差",
    std_chart_x="層",
    std_chart_y="標準偏差",
    layer="第{k}層",
    block_captions={
        "uniform": "(0, 1) の一様乱数（保存された定数）",
        "input": "標準正規分布の入力：Input_U の乱数の NORM.S.INV",
        "weights": "重み：乱数に初期値の変換を施したもの",
        "linear": "線形和：前の層の出力 × 重み（MMULT）",
        "activation": "出力：入力に活性化関数を通したもの",
        "batchnorm": "バッチ正規化した線形和（列ごとに平均 0・分散 1）",
        "grad_pre": "∂L/∂N：戻ってきた勾配 × 活性化関数の傾き",
        "grad": "∂L/∂A：線形和での勾配",
        "upstream": "最上層の ∂L/∂Z：標準正規乱数（Grad_U の NORM.S.INV）",
    },
    live_caption="(0, 1) の一様乱数：=RAND()。F9 で新しいサンプル",
    grad_title="勾配：層ごと・log10 の階級ごとの |∂L/∂A| の個数",
    grad_headers=("階級", "上端", "log10 の中央"),
    grad_stat_labels={"mean_abs": "|∂L/∂A| の平均", "wgrad": "‖∂L/∂W‖ / サンプル数",
                      "zero": "ちょうど0の割合"},
    grad_chart_x="log10 |∂L/∂A|",
    grad_size_title="層ごとの勾配の大きさ（対数目盛）",
    bn_title="バッチ正規化：サンプル方向の列ごとの統計量",
    range_in_use="使用中の範囲（下限、上限）",
    caption="見るところ：各層の出力がどう散らばるか。値域の両端に張り付くのは飽和、細い一本の"
    "山は一点集中です。よい層は第1層から最後の層まで広い散らばりを保ちます。診断が数値の"
    "示すことを名指しします。",
    section_outputs="出力",
    section_grads="勾配、log10 |∂L/∂A|",
    bn_row_labels={"bn_mean": "A の平均", "bn_var": "A の分散",
                   "bn_dmean": "∂L/∂N の平均", "bn_dnmean": "∂L/∂N · N の平均"},
    guide_backward=(
        ("逆伝播",
         "最上層には標準正規分布から引いた上流の勾配 ∂L/∂Z（Grad シート）が入ります。"
         "損失が「上流の勾配 × 出力」の和であるとみなした場合です。下の層へ向かって、"
         "各層の勾配は ∂L/∂A = （戻ってきた勾配）× f'(入力) で、その下の層へ戻る勾配は "
         "MMULT(∂L/∂A, TRANSPOSE(W)) です。重みの勾配の大きさは "
         "‖前の層の出力ᵀ · ∂L/∂A‖ / サンプル数 です。Gradients シートは |∂L/∂A| を log10 "
         "の目盛で数えるので、勾配が消えていくと桁単位で左へずれていきます。"),
        ("勾配のプリセットが示すこと",
         "sigmoid-xavier-deep：10 層のシグモイド。各層が戻せる勾配は高々 4 分の 1 なので、"
         "入力側へ向かって桁違いに小さくなります。relu-std1：σ = 1 では活性が層ごとに爆発し、"
         "入力側へ向かう勾配も爆発します。relu-std1-bn：バッチ正規化が各層の和を分散 1 に"
         "戻すので、順方向も逆方向も落ち着きます。relu-he-deep：He の σ の 10 層 ReLU は"
         "活性も勾配も同じ大きさを保ちます。sigmoid-std1-deep：活性は飽和しますが、"
         "大きな重みが小さな傾きを掛け戻すので勾配の大きさは保たれます。"
         "飽和だけで決まるわけではありません。"),
        ("バッチ正規化",
         "バッチ正規化が on のとき、各ニューロンの線形和をサンプル方向に平均 0・分散 1 へ"
         "ずらして縮めてから活性化関数に通します：N = (A − 平均) / √(分散 + ε)。"
         "その勾配は列ごとに ∂L/∂A = (∂L/∂N − 平均(∂L/∂N) − N · 平均(∂L/∂N · N)) / "
         "√(分散 + ε) です。"),
    ),
    guide=(
        ("このブックについて",
         "標準正規分布に従う入力（行がサンプル）が、ニューロン（列）の層を順に通ります。"
         "各層は入力に重み行列を掛け（MMULT）、活性化関数を通します。"
         "Histograms と Dashboard で、各層の出力がどう散らばっているかを見ます。"
         "数値はすべて *_U シートの一様乱数から計算される生きた数式です。"),
        ("ヒストグラムの読み方",
         "よい層は出力を活性化関数の値域に広く散らします。シグモイドの出力が 0 と 1 に"
         "張り付くのは飽和で、そこではシグモイドが平らなため傾きがほぼ 0 になり、"
         "層を逆にたどって掛け合わされる勾配が消えていきます。出力がみな同じ値に集まるのは、"
         "ニューロンがみな同じことを言っている状態で、"
         "100 個あっても 1 個分の表現力しかありません。"),
        ("試してみること（Controls で。1 行に 1 手順）", (
            "1. 初期値の種類を normal、σ（normal のとき）を 1 に：シグモイドの出力が 0 と 1 "
            "に集まり、Dashboard の診断が「飽和」と示します。",
            "2. σ（normal のとき）を 0.01 に：すべての出力が 0.5 に集まります（一点集中）。",
            "3. 初期値の種類を xavier（σ = 1/√n）に：どの層でもほどよく散らばり、"
            "所見はありません。",
            "4. 活性化関数を relu に：xavier では層が深くなるほど広がりが縮みます。",
            "5. 初期値の種類を he（σ = √(2/n)）に：広がりが保たれます。",
            "6. 層ごとの表で、第5層の活性化関数だけを sigmoid にします（ほかは global のまま）。",
        )),
        ("診断",
         "Dashboard の統計量の下に層ごとに：sigmoid・tanh の平らな両端にある出力の割合（飽和）、"
         "出力の標準偏差（小さすぎれば一点集中）、どのサンプルでも 0 を出すニューロンの割合"
         "（死んだユニット）、信号の倍率（標準偏差 ÷ 下の層：2 を超えれば爆発、0.5 未満なら"
         "消失）、逆伝播があれば勾配の倍率（|∂L/∂A| の平均 ÷ 上の層）。統計量の右の表に"
         "しきい値（黄色：変更できます）、該当するか、最悪の層、試すことがあります。"
         "すべて数式で、設定に合わせて変わります。"),
        ("なぜそうなるのか",
         "シグモイドの導関数 f'(x) = f(x)(1 − f(x)) の最大値は x = 0 での 0.25 です。"
         "飽和していない層でも勾配は高々 4 分の 1 しか戻らず、飽和した層ではほとんど戻りません。"
         "σ = 1/√n なら n 個の入力の和の分散が 1 に保たれ、シグモイドの感度のよい範囲で働きます。"
         "ReLU は負の入力を 0 にするので、層ごとに分散がほぼ半分になります。"
         "He の σ = √(2/n) はその 2 倍分を取り戻します。"),
        ("乱数と F9",
         "*_U シートには一様乱数が入っています。--live で作ったファイルでは =RAND() の数式なので、"
         "F9（再計算）を押すたびに新しいモンテカルロ標本になります。そうでなければシード付きの"
         "乱数を保存した数値で、ファイルは毎回同じ結果を再現します。"),
        ("色",
         "黄色のセルは変更できる設定、青い数値は乱数、黒い数値は数式です。"),
        ("+0*COUNTA(AllControls) で終わる数式",
         "--live で作ったファイルを除き、度数・割合・ダッシュボードのセルは、設定セルの個数の "
         "0 倍を足しています。値は"
         "変わりません。そのセルがすべての設定に依存することを表計算ソフトに伝え、ファイルを"
         "開くときは保存された値をそのまま使い、設定を変えたときには必ず再計算させるためです。"),
    ),
)

LANGUAGES = Languages(en=EN, ja=JA)


for_lang = LANGUAGES.of
"""The texts of a ``--lang`` code (``common.texts`` says which for a code without texts of
its own)."""


@dataclass(frozen=True)
class DiagnosisTexts:
    """The words of the Dashboard's diagnosis, by where they appear (keys as in
    ``diagnosis.THRESHOLDS`` and ``diagnosis.MEASURES``)."""

    title: str
    measures: dict[str, str]
    layer_row: str
    ok: str
    headers: tuple[str, ...]
    findings: dict[str, str]
    tests: dict[str, str]
    yes: str
    no: str
    tips: dict[str, str]
    none: str
    some: str
    """With ``{n}``, the number of findings."""
    layer_some: str
    """With ``{n}``: the findings of one layer (``ok`` when none)."""
    see: str
    """Beside the count of findings: where to read them."""
    na: str = "—"


DIAGNOSIS_EN = DiagnosisTexts(
    title="Diagnosis (formulas: it follows the controls)",
    measures={
        "saturated": "Saturated share",
        "std": "Output std",
        "dead": "Dead neurons (share)",
        "signal_gain": "Signal gain: std ÷ layer below",
        "grad_gain": "Gradient gain: ÷ layer above",
    },
    layer_row="Findings in this layer (red)",
    ok="ok",
    headers=("Finding", "Test", "Threshold", "Found", "Worst", "Layer", "Try this"),
    findings={
        "band": "Band at each end",
        "saturated": "Saturated",
        "collapsed": "Collapsed",
        "dead": "Dead units",
        "exploding_signal": "Exploding signal",
        "vanishing_signal": "Vanishing signal",
        "vanishing_gradient": "Vanishing gradient",
        "exploding_gradient": "Exploding gradient",
    },
    tests={
        "band": "× range",
        "saturated": "share >",
        "collapsed": "std <",
        "dead": "share >",
        "exploding_signal": "gain >",
        "vanishing_signal": "gain <",
        "vanishing_gradient": "gain <",
        "exploding_gradient": "gain >",
    },
    yes="YES",
    no="no",
    tips={
        "saturated": "Smaller weights: Initializer = xavier, or a smaller σ.",
        "collapsed": "Larger weights: Initializer = xavier (sigmoid, tanh) or he (relu).",
        "dead": "Activation = leaky_relu, or wider layers.",
        "exploding_signal": "Smaller weights: Initializer = he (relu) or xavier.",
        "vanishing_signal": "Larger weights: Initializer = he (relu) or xavier.",
        "vanishing_gradient": "Activation = relu with Initializer = he, or batch norm.",
        "exploding_gradient": "Smaller weights (Initializer = he or xavier), or batch norm.",
    },
    none="No finding",
    some="{n} finding(s) in all",
    layer_some="{n} finding(s)",
    see="Found, the worst layer and what to try: the table at the top right; its yellow "
    "thresholds can be changed.",
)

DIAGNOSIS_JA = DiagnosisTexts(
    title="診断（数式：設定に合わせて変わります）",
    measures={
        "saturated": "飽和している割合",
        "std": "出力の標準偏差",
        "dead": "死んだニューロンの割合",
        "signal_gain": "信号の倍率：標準偏差 ÷ 下の層",
        "grad_gain": "勾配の倍率：÷ 上の層",
    },
    layer_row="この層の所見（赤）",
    ok="問題なし",
    headers=("所見", "判定", "しきい値", "該当", "最悪値", "層", "試すこと"),
    findings={
        "band": "両端の幅",
        "saturated": "飽和",
        "collapsed": "一点集中",
        "dead": "死んだユニット",
        "exploding_signal": "信号の爆発",
        "vanishing_signal": "信号の消失",
        "vanishing_gradient": "勾配消失",
        "exploding_gradient": "勾配爆発",
    },
    tests={
        "band": "× 値域",
        "saturated": "割合 >",
        "collapsed": "標準偏差 <",
        "dead": "割合 >",
        "exploding_signal": "倍率 >",
        "vanishing_signal": "倍率 <",
        "vanishing_gradient": "倍率 <",
        "exploding_gradient": "倍率 >",
    },
    yes="あり",
    no="なし",
    tips={
        "saturated": "重みを小さく：初期値の種類 = xavier、または σ を小さく。",
        "collapsed": "重みを大きく：sigmoid・tanh なら xavier、relu なら he。",
        "dead": "活性化関数 = leaky_relu、または層を広く。",
        "exploding_signal": "重みを小さく：relu なら he、それ以外は xavier。",
        "vanishing_signal": "重みを大きく：relu なら he、それ以外は xavier。",
        "vanishing_gradient": "活性化関数 = relu と初期値 he、またはバッチ正規化。",
        "exploding_gradient": "重みを小さく（he または xavier）、またはバッチ正規化。",
    },
    none="所見なし",
    some="全体で所見 {n} 件",
    layer_some="所見 {n} 件",
    see="該当・最悪の層・試すことは右上の表に。黄色のしきい値は変更できます。",
)

DIAGNOSIS = Languages(en=DIAGNOSIS_EN, ja=DIAGNOSIS_JA)
"""The diagnosis texts by ``--lang`` code."""
