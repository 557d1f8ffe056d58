"""Every sentence of notebook 02 about a computed result, recomputed through utils: each test names the
section and the claim, and fails when the claim stops being true."""
import numpy as np
import pytest

from utils import tanhnet
from utils.checks import chainrule

SEED = 2  # the notebook's one seed: its rng draws the 200 random networks of section 7 first


def test_s4_the_forward_pass_takes_eight_multiplications():
    # "The forward pass alone takes eight": 4 units, each z a sum of 2 products
    x, w, tally = tanhnet.instrumented(tanhnet.EXAMPLE_X, tanhnet.EXAMPLE_W)
    tanhnet.forward(x, w)
    assert tally[0] == 4 * 2


def test_ex3_forward_and_backprop_take_26_together():
    # Exercise 3: "the forward pass and the backpropagation order take 26 multiplications together"
    for case in chainrule.BACKWARD.cases(chainrule.BACKWARD.seed):
        assert chainrule._reference_count(case, "backward") == 8 + tanhnet.count_multiplications("backward") == 26


def test_s5_backprop_needs_half_the_multiplications_of_the_closed_forms():
    # section 5 prints "backprop 18, each weight separately 36 (2.0x as many)";
    # summary: "here 18 multiplications instead of 36"
    n_bp, n_naive = tanhnet.count_multiplications("backward"), tanhnet.count_multiplications("closed_form")
    assert (n_bp, n_naive) == (18, 36) and n_naive == 2 * n_bp


def test_s5_backward_and_closed_form_agree_on_the_example():
    grads, _ = tanhnet.backward(tanhnet.EXAMPLE_X, tanhnet.EXAMPLE_W)
    assert grads == pytest.approx(tanhnet.closed_form(tanhnet.EXAMPLE_X, tanhnet.EXAMPLE_W), rel=1e-12)


@pytest.fixture(scope="module")
def sweep():
    depths = range(1, 11)
    return [tanhnet.layered_counts(L)["backprop"] for L in depths], [tanhnet.layered_counts(L)["naive"] for L in depths]


def test_s6_backprop_costs_12_more_per_layer(sweep):
    # "Backpropagation costs 12 more multiplications per layer"; summary: "its cost grows linearly"
    bp, _ = sweep
    assert {b - a for a, b in zip(bp, bp[1:])} == {12}


def test_s6_separate_products_grow_by_a_factor_falling_towards_two(sweep):
    # "grow by a factor that falls towards 2 per layer ... exponentially with depth"
    _, nv = sweep
    growth = [b / a for a, b in zip(nv, nv[1:])]
    assert all(g1 > g2 > 2 for g1, g2 in zip(growth, growth[1:]))
    assert growth[-1] < 2.05


def test_s6_counts_at_depth_two_are_section_5s_and_ratio_at_ten_is_about_180(sweep):
    # "At L = 2 the counts are the 18 and 36 of section 5; at L = 10 ... about 180 times as many"
    bp, nv = sweep
    assert (bp[1], nv[1]) == (18, 36)
    assert round(nv[-1] / bp[-1], -1) == 180


@pytest.fixture(scope="module")
def four_ways():
    rng = np.random.default_rng(SEED)
    xs, ws = tanhnet.random_networks(rng, 200)
    g = {m: np.array([tanhnet.batch_gradients(xs, ws, m)[k] for k in tanhnet.WEIGHTS])
         for m in ("backward", "closed_form", "finite_differences", "autograd")}
    b = g["backward"]
    return {m: np.abs(b - g[m]) / np.maximum(1e-8, np.abs(b) + np.abs(g[m])) for m in g if m != "backward"}


@pytest.mark.parametrize("method,threshold,bound", [
    ("closed_form", 1e-9, 1e-14), ("autograd", 1e-9, 1e-10), ("finite_differences", 1e-5, 1e-5)])
def test_s7_all_1600_gradients_agree_within_the_stated_bounds(four_ways, method, threshold, bound):
    # Section 7 and the summary: "All 1600 gradients agree: closed form and backward pass below 1e-14,
    # autograd below 1e-10, finite differences below 1e-5"; summary: exact methods below 1e-9
    err = four_ways[method]
    assert err.size == 1600
    assert (err < threshold).all() and err.max() < bound


@pytest.fixture(scope="module")
def saturation():
    return {x: tanhnet.saturation_state(*x, scale=10.0) for x in [tanhnet.SATURATION_X, (2.0, 2.0)]}


def test_s8_gradient_grows_peaks_at_a_moderate_scale_then_collapses(saturation):
    # "the gradient grows with the scale ..., peaks at a moderate scale, and then collapses"
    state = saturation[tanhnet.SATURATION_X]
    curve, scales = state["curve"], state["scales"]
    i = int(np.argmax(curve))
    assert 1.0 < scales[i] < 3.0
    assert np.all(np.diff(curve[:i + 1]) > 0) and np.all(np.diff(curve[i:]) < 0)


def test_s8_at_scale_10_every_unit_is_saturated_and_the_gradient_is_1e5_below_its_peak(saturation):
    # "at scale 10 all four units are saturated (every slope is below 0.1) and |dy/dw13| is more than 10^5
    # times smaller than at its peak"; Q2's model answer: "every slope is at most 0.01"
    state = saturation[tanhnet.SATURATION_X]
    slopes = [1 - state["forward"]["a" + u] ** 2 for u in "3456"]
    assert max(slopes) < tanhnet.SATURATED and round(max(slopes), 2) <= 0.01
    assert state["curve"][-1] * 1e5 < state["curve"].max()
    assert abs(state["grads"]["w13"]) == pytest.approx(state["curve"][-1], rel=1e-12)


def test_s8_the_larger_input_peaks_sooner_and_reaches_exactly_zero(saturation):
    # "The larger input saturates the first layer sooner: its peak comes at a smaller scale, and at scale 10
    # the gradient is exactly 0 in float64"
    small, large = saturation[tanhnet.SATURATION_X], saturation[(2.0, 2.0)]
    peak = lambda s: s["scales"][np.argmax(s["curve"])]  # noqa: E731
    assert peak(large) < peak(small)
    assert large["curve"][-1] == 0.0 and 1 - large["forward"]["a3"] ** 2 == 0.0


def test_summary_dy_dw13_formula():
    # "dy/dw13 = x1 (1 - a3²)[w35 (1 - a5²) + w36 (1 - a6²)]", on random networks
    rng = np.random.default_rng(0)
    for _ in range(20):
        x, w = tuple(rng.standard_normal(2)), tanhnet.random_weights(rng)
        f = tanhnet.forward(x, w)
        formula = x[0] * (1 - f["a3"] ** 2) * (w["w35"] * (1 - f["a5"] ** 2) + w["w36"] * (1 - f["a6"] ** 2))
        assert tanhnet.backward(x, w)[0]["w13"] == pytest.approx(formula, rel=1e-12, abs=1e-15)


def test_s8_orange_units_are_those_with_slope_below_0_1():
    # "orange units have slope below 0.1", at the widget's first position and at scale 10
    for scale in (1.0, 10.0):
        state = tanhnet.saturation_state(*tanhnet.SATURATION_X, scale=scale)
        _, _, colors = tanhnet.graph_labels(state["x"], state["w"], show="gradients")
        for u in "3456":
            slope = 1 - state["forward"]["a" + u] ** 2
            assert (colors[u] == tanhnet.style.ORANGE) == (slope < 0.1)
    assert all(c == tanhnet.style.ORANGE for c in colors.values())  # at scale 10 every unit is saturated
