import pytest

from sheetsim import config
from sheetsim.config import ConfigError, preset_names
from sheetsim.experiments import load_preset
from sheetsim.experiments.init.settings import Settings

from_mapping = Settings.from_mapping


def test_defaults_are_the_articles_experiment():
    exp = Settings().validated()
    assert (exp.samples, exp.width, exp.layers) == (1000, 100, 5)
    assert (exp.activation, exp.init, exp.bins, exp.seed) == ("sigmoid", "xavier", 30, 0)
    assert (exp.bin_low, exp.bin_high) == (0.0, 1.0)


def test_presets_are_the_articles_six():
    assert {"sigmoid-std1", "sigmoid-std0.01", "sigmoid-xavier", "relu-xavier", "relu-he",
            "tanh-xavier"} <= set(preset_names())
    assert load_preset("sigmoid-std0.01").sigma == 0.01
    assert load_preset("relu-he").init == "he"
    assert load_preset("tanh-xavier").activation == "tanh"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"init": "glorot"}, "init: unknown value 'glorot'; allowed: normal"),
        ({"activation": "softmax"}, "activation: unknown value"),
        ({"samples": 0}, "samples: 0 is out of range; allowed 1 to 1,048,576"),
        ({"samples": 1_048_577}, "samples"),
        ({"width": 16_385}, "width: 16,385 is out of range; allowed 1 to 16,384"),
        ({"layers": 0}, "layers"),
        ({"bins": 0}, "bins"),
        ({"range": [1, 0]}, "range: low (1) must be below high (0)"),
        ({"range": [0.5]}, "range: expected [low, high]"),
        ({"sigma": "big"}, "sigma: expected a finite number"),
        ({"sigma": -1.0}, "sigma: must be greater than 0"),
        ({"samples": 2.5}, "samples: expected a whole number"),
        ({"samples": True}, "samples: expected a whole number"),
        ({"activaton": "relu"}, "unknown setting 'activaton'; did you mean 'activation'?"),
    ],
)
def test_invalid_settings_name_the_field(data, message):
    with pytest.raises(ConfigError) as info:
        from_mapping(data)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_unknown_preset_lists_the_allowed_ones():
    with pytest.raises(ConfigError, match="preset: unknown preset 'nope'; allowed: .*relu-he"):
        load_preset("nope")


def test_toml_file_errors(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("samples = [")
    with pytest.raises(ConfigError, match="not valid TOML"):
        config.load_toml(bad)
    with pytest.raises(ConfigError, match="no such file"):
        config.load_toml(tmp_path / "missing.toml")
