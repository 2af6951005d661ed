"""Every word of a comparison workbook, in English and Japanese."""

from __future__ import annotations

from dataclasses import dataclass

from sheetsim.experiments.common.texts import Languages


@dataclass(frozen=True)
class Texts:
    """The words of one language, by where they appear."""

    title: str
    subtitle: str
    header: str
    """The settings line under the title: ``"…"&Activation&"…"``, {activation} where the
    control's value goes, {layers}, {width}, {samples}, {seed} the built ones."""
    controls_title: str
    controls_note: str
    activation: str
    activation_help: str
    slope: str
    slope_help: str
    table_title: str
    table_headers: tuple[str, ...]
    config: str
    hist_title: str
    hist_headers: tuple[str, ...]
    range_label: str
    stat_labels: dict[str, str]
    dash_header: str
    std_title: str
    charts_title: str
    caption: str
    chart_x: str
    chart_y: str
    layer: str
    std_axis: str
    block_captions: dict[str, str]
    guide: tuple[tuple[str, str], ...]
    list_titles: tuple[str, str, str]

    def layer_label(self, k: int) -> str:
        """``Layer 3``."""
        return self.layer.format(k=k)


EN = Texts(
    title="Initializers compared: the same network, the same draws",
    subtitle="Each row is one initialization of the same weights' draws; change the "
    "Activation or a row's Initializer and σ on Controls.",
    header="Activation: {activation}   Layers: {layers} × {width}   Samples: {samples}   "
    "Seed: {seed}   (each row's initializer and σ: its title)",
    controls_title="Controls",
    controls_note="Yellow cells can be changed; every configuration uses the same draws.",
    activation="Activation",
    activation_help="sigmoid, tanh, relu, leaky_relu, identity (all configurations)",
    slope="Leaky ReLU slope",
    slope_help="Slope of leaky_relu for negative inputs",
    table_title="Configurations: initializer and σ (σ is used by normal only)",
    table_headers=("Configuration", "Initializer", "σ", "Distribution", "σ or limit"),
    config="Configuration {c}",
    hist_title="Histograms: output counts per bin, by configuration and layer",
    hist_headers=("Upper edge", "Centre"),
    range_label="Range (low, high)",
    stat_labels={"mean": "Mean", "std": "Std (population)", "min": "Min", "max": "Max"},
    dash_header="Configuration",
    std_title="Output std by layer (log scale)",
    charts_title="Outputs: one row of histograms per configuration",
    caption="Read each row left to right: a healthy initialization keeps the spread of the "
    "outputs from layer to layer; piled at the ends is saturation, one narrow spike is "
    "collapse, a spread shrinking or growing by the layer is a vanishing or exploding signal.",
    chart_x="output",
    chart_y="count",
    layer="Layer {k}",
    std_axis="std",
    block_captions={
        "uniform": "uniform draws in (0, 1), stored constants shared by every configuration",
        "input": "standard-normal inputs, NORM.S.INV of the draws in Input_U",
        "normal": "standard-normal weight draws, NORM.S.INV of this layer's draws",
        "linear": "linear sum: previous output × the draws × this configuration's scale",
        "activation": "output: the activation of the linear sum",
    },
    guide=(
        ("What this workbook is",
         "The article's central figure: the same network run with several weight "
         "initializations side by side. All configurations share the input and the weight "
         "draws; only the scale applied to the draws differs, so any difference in the "
         "histograms is the initializer's."),
        ("What to try",
         "With sigmoid: σ = 1 piles the outputs at 0 and 1, σ = 0.01 collapses them to 0.5, "
         "xavier spreads them in every layer. Set Activation to relu on Controls: xavier's "
         "spread shrinks layer by layer, he keeps it, σ = 1 explodes. Change a row's "
         "Initializer or σ to compare your own."),
        ("The command line",
         "sheetsim build compare writes the article's four (std1, std0.01, xavier, he). "
         "--configs takes a comma-separated list: std<σ> for normal weights with that σ "
         "(std1, std0.01, std0.1) or an initializer name (xavier, he, xavier_uniform, "
         "he_uniform, lecun), at most eight, e.g. sheetsim build compare --configs "
         "std0.05,xavier,he."),
    ),
    list_titles=("Initializers", "Distribution", "Activations"),
)

JA = Texts(
    title="初期値の比較：同じネットワーク、同じ乱数",
    subtitle="各行は同じ乱数に別々の初期値の尺度を掛けたものです。Controls で活性化関数、"
    "各行の初期値と σ を変えられます。",
    header="活性化関数: {activation}   層: {layers} × {width}   サンプル数: {samples}   "
    "シード: {seed}   （各行の初期値と σ は行の見出し）",
    controls_title="設定",
    controls_note="黄色のセルは変更できます。どの構成も同じ乱数を使います。",
    activation="活性化関数",
    activation_help="sigmoid, tanh, relu, leaky_relu, identity（すべての構成に共通）",
    slope="Leaky ReLU の傾き",
    slope_help="leaky_relu の負の側の傾き",
    table_title="構成：初期値と σ（σ は normal のときだけ使います）",
    table_headers=("構成", "初期値", "σ", "分布", "σ または幅"),
    config="構成 {c}",
    hist_title="ヒストグラム：構成・層ごと・階級ごとの出力の個数",
    hist_headers=("上端", "中央"),
    range_label="範囲（下限、上限）",
    stat_labels={"mean": "平均", "std": "標準偏差（母集団）", "min": "最小", "max": "最大"},
    dash_header="構成",
    std_title="層ごとの出力の標準偏差（対数目盛）",
    charts_title="出力：構成ごとに 1 行のヒストグラム",
    caption="各行を左から右へ読みます。よい初期値は層を通っても出力の広がりを保ちます。"
    "両端に張り付くのは飽和、細い一本の山は一点集中、層ごとに縮む・広がるのは信号の消失・爆発です。",
    chart_x="出力",
    chart_y="個数",
    layer="第{k}層",
    std_axis="標準偏差",
    block_captions={
        "uniform": "(0, 1) の一様乱数（保存された定数、すべての構成で共通）",
        "input": "標準正規分布の入力：Input_U の乱数の NORM.S.INV",
        "normal": "標準正規分布の重みの乱数：この層の乱数の NORM.S.INV",
        "linear": "線形和：前の層の出力 × 乱数 × この構成の尺度",
        "activation": "出力：線形和に活性化関数を通したもの",
    },
    guide=(
        ("このブックについて",
         "記事の中心の図：同じネットワークをいくつかの初期値で並べて動かします。"
         "入力と重みの乱数はすべての構成で共通で、違うのは乱数に掛ける尺度だけです。"
         "ヒストグラムの違いはすべて初期値によるものです。"),
        ("試してみること",
         "sigmoid では σ = 1 で出力が 0 と 1 に張り付き、σ = 0.01 で 0.5 に集まり、"
         "xavier ではどの層でも広がります。Controls で活性化関数を relu にすると、"
         "xavier は層ごとに広がりが縮み、he は保ち、σ = 1 は爆発します。"),
        ("コマンドライン",
         "sheetsim build compare は記事の 4 つ（std1, std0.01, xavier, he）を書きます。"
         "--configs にはカンマ区切りのリストを渡せます：std<σ>（その σ の正規分布）か"
         "初期値の名前（xavier, he, xavier_uniform, he_uniform, lecun）、最大 8 個。"),
    ),
    list_titles=("初期値", "分布", "活性化関数"),
)

LANGUAGES = Languages(en=EN, ja=JA)


for_lang = LANGUAGES.of
"""The texts of a ``--lang`` code (``common.texts`` says which for a code without texts of
its own)."""
