"""The reference model against first principles and the article's findings (default seed)."""

import math
from fractions import Fraction

import numpy as np
import pytest

from sheetsim.experiments import load_preset
from sheetsim.experiments.init import model
from sheetsim.experiments.init.settings import Settings


def stds(preset: str) -> list[float]:
    return [float(layer.z.std()) for layer in model.run(load_preset(preset)).layers]


def test_draws_are_strictly_inside_the_unit_interval_and_seeded():
    u = model.uniform_draws(0, 0, (400, 300))
    assert 0 < u.min() and u.max() < 1
    assert abs(u.mean() - 0.5) < 0.01
    assert np.array_equal(u, model.uniform_draws(0, 0, (400, 300)))
    assert not np.array_equal(u, model.uniform_draws(1, 0, (400, 300)))
    assert not np.array_equal(u, model.uniform_draws(0, 1, (400, 300)))


# Published quantiles of the standard normal distribution (to 25 digits, as tabulated from
# Wichura's AS241 and by high-precision arithmetic), not computed by any code used here.
QUANTILES = {
    0.5: "0",
    0.75: "0.6744897501960817432022273",
    0.9: "1.281551565544600466965103",
    0.95: "1.644853626951472714863849",
    0.975: "1.959963984540054235524594",
    0.99: "2.326347874040841100885606",
    0.995: "2.575829303548900760978577",
    0.999: "3.090232306167813541540400",
    0.9999: "3.719016485455680564393661",
    1e-10: "-6.361340902404056204695376",
}


@pytest.mark.parametrize("p", sorted(QUANTILES))
def test_norm_inv_matches_published_quantiles(p):
    exact = float(QUANTILES[p])
    # the double nearest p is off by up to half an ulp; the quantile moves by that / φ(z)
    density = math.exp(-exact * exact / 2) / math.sqrt(2 * math.pi)
    target = Fraction(repr(p))  # the decimal the table is for
    for q, aim, want in ((p, target, exact), (1 - p, 1 - target, -exact)):  # and by symmetry
        # the double q is not exactly the decimal: the quantile moves by the gap / φ(z);
        # AS241 in double precision is good to a few ulps (0.95: 3.5 ulps)
        allowed = float(abs(Fraction(q) - aim)) / density * 1.01 + 8 * math.ulp(want)
        got = model.norm_inv(np.array([[q]]))[0, 0]
        assert abs(got - want) <= allowed, (q, got, want)


def test_norm_inv_keeps_shape_and_is_finite_at_the_extremes_of_the_draws():
    u = np.array([[1e-300, 0.5], [0.5, 1 - 2**-53]])
    z = model.norm_inv(u)
    assert z.shape == (2, 2) and z[0, 1] == 0.0 and z[1, 0] == 0.0
    assert -40 < z[0, 0] < -37 and 8 < z[1, 1] < 8.3  # Φ⁻¹(1e-300) ≈ -37.0471


@pytest.mark.parametrize(
    ("init", "expected"),
    [
        ("normal", 0.3),
        ("xavier", 0.1),  # 1/sqrt(100)
        ("lecun", 0.1),
        ("he", math.sqrt(0.02)),
        ("xavier_uniform", math.sqrt(6 / 200)),
        ("he_uniform", math.sqrt(0.06)),
    ],
)
def test_weight_scales(init, expected):
    assert model.scale_for(init, 0.3, 100, 100) == pytest.approx(expected, rel=1e-15)


def test_uniform_initializers_have_the_same_std_as_their_normal_twins():
    u = model.uniform_draws(3, 1, (400, 400))
    w = model.weights_from("he_uniform", model.scale_for("he_uniform", 1, 400, 400), u)
    assert w.std() == pytest.approx(math.sqrt(2 / 400), rel=0.01)
    assert np.abs(w).max() <= math.sqrt(6 / 400)


def test_activations_by_definition():
    a = np.array([[-2.0, -0.5, 0.0, 0.5, 3.0]])
    expected = [[1 / (1 + math.exp(-x)) for x in a.ravel()]]
    assert np.allclose(model.activate("sigmoid", a), expected, rtol=1e-15, atol=0)
    assert model.activate("relu", a).tolist() == [[0, 0, 0, 0.5, 3.0]]
    assert model.activate("leaky_relu", a, 0.1).tolist() == [[-0.2, -0.05, 0, 0.5, 3.0]]
    assert model.activate("tanh", a)[0, 4] == pytest.approx(math.tanh(3))
    assert model.activate("sigmoid", np.array([[-1000.0]]))[0, 0] == 0.0


def test_bin_counts_follow_the_frequency_rule():
    edges = np.array([0.25, 0.5, 0.75, 1.0])
    values = np.array([-1, 0.25, 0.2500001, 0.5, 1.0, 1.0000001, 7])
    # <=0.25: -1, 0.25 | (0.25,0.5]: 0.2500001, 0.5 | (0.5,0.75]: - | (0.75,1]: 1.0 | >1: 2
    assert model.bin_counts(values, edges).tolist() == [2, 2, 0, 1, 2]


def test_sigmoid_std1_saturates_every_layer():
    exp = load_preset("sigmoid-std1")
    edges = model.bin_edges(exp)
    for layer in model.run(exp).layers:
        st = model.layer_stats(layer.z, edges)
        assert st.first_bin + st.last_bin > 0.5


def test_sigmoid_std001_collapses_to_one_half():
    for layer in model.run(load_preset("sigmoid-std0.01")).layers:
        assert layer.z.std() < 0.03
        assert abs(layer.z.mean() - 0.5) < 0.01


def test_sigmoid_xavier_keeps_a_spread():
    assert all(0.07 < s < 0.2 for s in stds("sigmoid-xavier")[1:])


def test_relu_xavier_shrinks_with_depth():
    s = stds("relu-xavier")
    assert s[4] < s[0] / 2


def test_relu_he_is_preserved():
    s = stds("relu-he")
    assert all(0.7 * s[0] <= x <= 1.6 * s[0] for x in s)


def test_relu_std1_explodes():
    s = [float(layer.z.std()) for layer in model.run(Settings(activation="relu", init="normal",
                                                                sigma=1.0)).layers]
    assert s[4] > 1000 * s[0]


def test_same_seed_same_numbers_other_seed_other_numbers():
    a = model.run(Settings(samples=50, width=10, seed=4)).layers[-1].z
    b = model.run(Settings(samples=50, width=10, seed=4)).layers[-1].z
    c = model.run(Settings(samples=50, width=10, seed=5)).layers[-1].z
    assert np.array_equal(a, b) and not np.array_equal(a, c)


def test_edges_past_bins_go_on_past_the_high_end_and_show_as_above():
    exp = Settings(bins=4, bin_low=0.0, bin_high=1.0, range_mode="manual")
    edges = model.bin_edges(exp, rows=6)
    assert edges.tolist() == [0.25, 0.5, 0.75, 1.0, 1.25, 1.5]  # distinct, high at row Bins
    values = np.array([0.0, 0.25, 1.0, 1.0000001, 1.3, 9.0])
    freq = model.bin_counts(values, edges)
    assert freq.tolist() == [2, 0, 0, 1, 1, 1, 1]
    # what the chart shows: the 4 bins, nothing in the rows past them, the rest above
    assert model.shown_counts(freq, 4).tolist() == [2, 0, 0, 1, 0, 0, 3]


def test_layers_apart_by_orders_of_magnitude_take_a_range_each():
    relu = np.array([[0.0, 1.0], [2.0, 3.0]])
    outputs = [("relu", relu), ("relu", 1000 * relu), ("sigmoid", np.full((2, 2), 0.5))]
    exp = Settings(bins=4)
    assert model.own_ranges(outputs)
    # ReLU layers: their own span widened by half a bin of 3 bins (1/6 of it) at each end;
    # a sigmoid layer: 0 to 1
    assert model.layer_ranges(exp, outputs) == [(-0.5, 3.5), (-500.0, 3500.0), (0.0, 1.0)]
    near = [("relu", relu), ("relu", 5 * relu)]  # 5×: one shared range
    assert not model.own_ranges(near)
    assert model.layer_ranges(exp, near) == [(-2.5, 17.5)] * 2
    manual = Settings(bins=4, range_mode="manual", bin_low=-1.0, bin_high=1.0)
    assert model.layer_ranges(manual, outputs) == [(-1.0, 1.0)] * 3


def test_relu_std1_every_layer_shows_its_shape():
    """σ = 1 with ReLU: the spread grows about 4× a layer (5.8 to 17 674), yet with a range
    per layer no layer holds more than 80 % of its outputs in one bin."""
    exp = load_preset("relu-std1")
    fwd = model.run(exp)
    outputs = [(layer.activation, layer.z) for layer in fwd.layers]
    assert model.own_ranges(outputs)
    for layer, (low, high) in zip(fwd.layers, model.layer_ranges(exp, outputs), strict=True):
        counts = model.layer_stats(layer.z, model.bin_edges(exp, None, low, high)).counts
        assert counts.max() <= 0.8 * layer.z.size
        assert counts[-1] == 0  # nothing above the range
