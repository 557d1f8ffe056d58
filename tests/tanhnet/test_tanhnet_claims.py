"""Every sentence of notebook 02 about a computed result, recomputed through utils: each test names the
section and the claim, and fails when the claim stops being true."""
import numpy as np
import pytest

from utils import tanhnet
from utils.checks import tanhnet as tanhnet_checks

SEED = 2  # the notebook's one seed: its rng draws the 200 random networks of section 7 first


def test_s6_the_forward_pass_takes_eight_multiplications():
    # section 6: "with the forward pass's 8, the 26 and 44 of Exercise 3's check": 4 units, each z a sum of 2 products
    x, w, tally = tanhnet.instrumented(tanhnet.EXAMPLE_X, tanhnet.EXAMPLE_W)
    tanhnet.forward(x, w)
    assert tally[0] == 4 * 2


def test_ex3_forward_and_backprop_take_26_together():
    # Exercise 3: "the forward pass and backpropagation take 26 multiplications together" (and the closed forms
    # 8 + 36 = 44, which the check prints); summary: "26 multiplications where separate products take 44"; the same
    # on every network: the counts do not depend on the numbers
    assert tanhnet_checks._reference_counts() == [8 + 18, 8 + 36] == [26, 44]
    for case in tanhnet_checks.check_tanh_backward.cases(tanhnet_checks.check_tanh_backward.seed):
        x, w, tally = tanhnet.instrumented(*case)
        tanhnet.forward(x, w)
        assert [tally[0] + tanhnet.count_multiplications(m, *case) for m in ("backward", "closed_form")] == [26, 44]


def test_s6_backprop_needs_half_the_multiplications_of_the_closed_forms():
    # section 6: "At L = 2 the counts are 18 and 36"
    n_bp, n_naive = tanhnet.count_multiplications("backward"), tanhnet.count_multiplications("closed_form")
    assert (n_bp, n_naive) == (18, 36) and n_naive == 2 * n_bp


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


def test_s6_closed_forms_of_the_counts(sweep):
    # "Backpropagation costs 12 more multiplications per layer: each of the layer's 4 edges takes two ... and each of
    # its 2 units two more ... In all 12L - 6 ... The separate products cost 20 (2^L - 1) - 12L"
    bp, nv = sweep
    assert 4 * 2 + 2 * 2 == 12
    assert bp == [12 * L - 6 for L in range(1, 11)]
    assert nv == [20 * (2 ** L - 1) - 12 * L for L in range(1, 11)]


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
def test_gf_a_all_1600_gradients_agree_within_the_stated_bounds(four_ways, method, threshold, bound):
    # Going further A: "All 1600 gradients agree: closed form and backward pass below 1e-14,
    # autograd below 1e-10, finite differences below 1e-5"
    err = four_ways[method]
    assert err.size == 1600
    assert (err < threshold).all() and err.max() < bound


SCALES = np.geomspace(0.1, 10.0, 2001)  # Going further B's grid


@pytest.fixture(scope="module")
def saturation():
    """Per input of Going further B: |dy/dw13| over SCALES by the closed form (it prints tanhnet.w13_curve's)
    and the forward values at scale 10."""
    out = {}
    for x in [tanhnet.SATURATION_X, (2.0, 2.0)]:
        w = {k: SCALES * v for k, v in tanhnet.EXAMPLE_W.items()}
        curve = np.abs(tanhnet.batch_gradients(np.tile(x, (SCALES.size, 1)), w, "closed_form")["w13"])
        out[x] = {"curve": curve, "peak": int(np.argmax(curve)),
                  "at10": tanhnet.forward(x, tanhnet.scaled(tanhnet.EXAMPLE_W, 10.0))}
    return out


def test_gf_b_gradient_grows_like_0_3_scale_peaks_near_1_5_then_collapses(saturation):
    # "the gradient first grows in proportion to the scale (... 0.3 × scale), peaks near scale 1.5, where
    # z3 = 0.5 × scale is about 0.8 ..., and then collapses"; printed "0.030 at scale 0.1, peak 0.476 at scale 1.54"
    s = saturation[tanhnet.SATURATION_X]
    curve, i = s["curve"], s["peak"]
    assert curve[0] == pytest.approx(0.3 * 0.1, rel=0.01)
    assert round(SCALES[i], 1) == 1.5 and 0.75 <= 0.5 * SCALES[i] < 0.85
    assert np.all(np.diff(curve[:i + 1]) > 0) and np.all(np.diff(curve[i:]) < 0)
    # the peak sits where s · sech²(0.5 s), unit 3's part of the curve, peaks: u tanh u = 1/2 with u = 0.5 s
    u = 0.5 * SCALES[i]
    assert u * np.tanh(u) == pytest.approx(0.5, abs=0.01)


def test_gf_b_at_scale_10_every_unit_is_saturated_and_the_gradient_is_2e5_below_its_peak(saturation):
    # "at scale 10 all four units are saturated (every slope is below 0.1) and |dy/dw13| is about 2·10^5 times
    # smaller than at its peak"; Exercise 5's model answer: "every slope 1 - a² is at most 0.01"
    s = saturation[tanhnet.SATURATION_X]
    slopes = [1 - s["at10"]["a" + u] ** 2 for u in "3456"]
    assert max(slopes) < tanhnet.SATURATED and max(slopes) <= 0.01
    assert round(s["curve"][s["peak"]] / s["curve"][-1], -5) == 2e5


def test_gf_b_the_larger_input_saturates_unit_3_sooner_and_reaches_exactly_zero(saturation):
    # "At x = (2, 2), z3 = 2.6 × scale grows more than five times as fast, so unit 3 ... saturates sooner and the peak
    # comes at a smaller scale. At scale 10, z3 = 26 and 1 - tanh² 26 ≈ 4e^-52 ≈ 1e-22 ...: tanh rounds to exactly
    # 1, and the computed gradient is exactly 0 (its true value is about 2·10^-24). Unit 4 saturates later ...,
    # which is why the largest slope at scale 10 is unit 4's, larger than at x = (1, 0)"
    small, large = saturation[tanhnet.SATURATION_X], saturation[(2.0, 2.0)]
    assert SCALES[large["peak"]] < SCALES[small["peak"]]
    f = large["at10"]
    assert f["z3"] == pytest.approx(26.0) and f["a3"] == 1.0 and large["curve"][-1] == 0.0
    sech2 = lambda z: 4 * np.exp(-2 * abs(z)) / (1 + np.exp(-2 * abs(z))) ** 2  # noqa: E731  (1 - tanh², stable)
    assert sech2(26.0) == pytest.approx(4 * np.exp(-52), rel=1e-12) and round(np.log10(sech2(26.0))) == -22
    assert 1 - np.nextafter(1.0, 0.0) == pytest.approx(1.1e-16, rel=0.01)
    exact = f["x1"] * sech2(f["z3"]) * (10 * 1.0 * sech2(f["z5"]) + 10 * -0.7 * sech2(f["z6"]))
    assert round(np.log10(exact), 1) == pytest.approx(np.log10(2e-24), abs=0.1)
    slopes = {x: {u: sech2(s["at10"]["z" + u]) for u in "3456"} for x, s in saturation.items()}
    assert max(slopes[(2.0, 2.0)], key=slopes[(2.0, 2.0)].get) == "4"
    assert max(slopes[(2.0, 2.0)].values()) > max(slopes[tanhnet.SATURATION_X].values())


def test_summary_dy_dw13_formula():
    # "dy/dw13 = x1 (1 - a3²)[w35 (1 - a5²) + w36 (1 - a6²)]", on random networks
    rng = np.random.default_rng(0)
    for _ in range(20):
        x, w = tuple(rng.standard_normal(2)), tanhnet.random_weights(rng)
        f = tanhnet.forward(x, w)
        formula = x[0] * (1 - f["a3"] ** 2) * (w["w35"] * (1 - f["a5"] ** 2) + w["w36"] * (1 - f["a6"] ** 2))
        assert tanhnet.backward(x, w)[0]["w13"] == pytest.approx(formula, rel=1e-12, abs=1e-15)


def test_s5_orange_units_are_those_with_slope_below_0_1():
    # section 5: "a unit counts as saturated when its slope is below 0.1" and the widget "colours the saturated units
    # orange", at the widget's first position and at scale 10
    for scale in (1.0, 10.0):
        state = tanhnet.saturation_state(*tanhnet.SATURATION_X, scale=scale)
        _, _, colors = tanhnet.graph_labels(state["x"], state["w"], show="deltas")
        for u in "3456":
            slope = 1 - state["forward"]["a" + u] ** 2
            assert (colors[u] == tanhnet.style.ORANGE) == (slope < 0.1)
    assert all(c == tanhnet.style.ORANGE for c in colors.values())  # at scale 10 every unit is saturated


W10 = tanhnet.scaled(tanhnet.EXAMPLE_W, 10.0)


def slopes_at(x, w):
    f = tanhnet.forward(x, w)
    return {u: 1 - f["a" + u] ** 2 for u in "3456"}


def test_s5_printed_slopes_and_gradient_at_scales_1_and_10():
    # section 5 prints, at x = (1, 0), the slopes and dy/dw13 for the weights × 1 and × 10; Exercise 5's model
    # answer: "(0.0002, 0.0099, 0.0013 and below 10^-4 for units 3 to 6)", "2.3·10^-6 against 0.33 at scale 1"
    s = slopes_at(tanhnet.SATURATION_X, W10)
    assert [round(s[u], 4) for u in "345"] == [0.0002, 0.0099, 0.0013] and s["6"] < 1e-4
    assert all(abs(s[u] * 1e4 - round(s[u] * 1e4)) < 0.4 for u in "345")  # far from a rounding boundary
    f1 = tanhnet.forward(tanhnet.SATURATION_X, tanhnet.EXAMPLE_W)
    at1 = f1["x1"] * (1 - f1["a3"] ** 2) * (1.0 * (1 - f1["a5"] ** 2) - 0.7 * (1 - f1["a6"] ** 2))  # by its formula
    assert round(at1, 2) == 0.33 and tanhnet.closed_form(tanhnet.SATURATION_X, tanhnet.EXAMPLE_W)["w13"] == pytest.approx(at1)
    assert f"{tanhnet.closed_form(tanhnet.SATURATION_X, W10)['w13']:.1e}" == "2.3e-06"


def test_ex5_scaling_the_inputs_down_far_enough_unsaturates_the_second_layer():
    # Exercise 5's model answer (issue 26, contradiction 2, which said the second layer stays saturated whatever the
    # inputs): "With the weights × 10 and x = (0.01, 0) the slopes of units 5 and 6 are 0.90 and 0.70 and
    # dy/dw13 = 4.2·10^-2 instead of 2.3·10^-6. At x = (0.1, 0) units 5 and 6 are still saturated (slopes 0.013 and
    # below 0.001)"; Going further B prints them
    small = slopes_at((0.01, 0.0), W10)
    assert (round(small["5"], 2), round(small["6"], 2)) == (0.90, 0.70)
    assert min(small.values()) > tanhnet.SATURATED
    # independently of the package: a3 = tanh(10 · 0.5 · 0.01), a4 = tanh(10 · -0.3 · 0.01), then z5, z6
    a3, a4 = np.tanh(0.05), np.tanh(-0.03)
    z5, z6 = 10 * (1.0 * a3 + 0.6 * a4), 10 * (-0.7 * a3 + 0.9 * a4)
    assert small["5"] == pytest.approx(1 - np.tanh(z5) ** 2) and small["6"] == pytest.approx(1 - np.tanh(z6) ** 2)
    dw13 = 0.01 * (1 - a3 ** 2) * (10 * 1.0 * (1 - np.tanh(z5) ** 2) + 10 * -0.7 * (1 - np.tanh(z6) ** 2))
    assert f"{dw13:.1e}" == "4.2e-02" and tanhnet.closed_form((0.01, 0.0), W10)["w13"] == pytest.approx(dw13)
    middle = slopes_at((0.1, 0.0), W10)
    assert round(middle["5"], 3) == 0.013 and middle["6"] < 1e-3 and max(middle["5"], middle["6"]) < tanhnet.SATURATED
    assert min(middle["3"], middle["4"]) > 0.5  # the first layer is no longer saturated there, the second still is


def test_s5_widget_units_turn_orange_one_after_another_as_the_scale_grows():
    # section 5: "Move the weight scale from 0.1 to 10 and watch the colours and the δs": the units turn orange one
    # after another and the δs shrink, at the widget's first input, over the slider's scales
    first = {}
    for scale in tanhnet.SCALES:
        state = tanhnet.saturation_state(*tanhnet.SATURATION_X, scale=scale)
        _, _, colors = tanhnet.graph_labels(state["x"], state["w"], show="deltas")
        for u in "3456":
            if colors[u] == tanhnet.style.ORANGE and u not in first:
                first[u] = scale
    assert sorted(first) == list("3456") and len(set(first.values())) == 4
    at1, at10 = (tanhnet.saturation_state(*tanhnet.SATURATION_X, scale=s)["grads"] for s in (1.0, 10.0))
    assert max(map(abs, at10.values())) < max(map(abs, at1.values())) / 100


# ---- What a student reads (the student trial, issue 26) --------------------------------------------------------
# "No answer appears before its exercise or in the cells a student reads right after it": a model answer (an nbgrader
# solution cell) is removed from the student version; every other cell is read.

import json  # noqa: E402
import re  # noqa: E402
from pathlib import Path  # noqa: E402

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "02-tanh-chain-rule.ipynb"


@pytest.fixture(scope="module")
def cells():
    return json.loads(NOTEBOOK.read_text())["cells"]


def read(cell):
    """The text of a cell a student reads, or "" for a model answer (removed from the student version)."""
    return "" if cell["metadata"].get("nbgrader", {}).get("solution") else "".join(cell["source"])


def index_of(cells, grade_id):
    return next(i for i, c in enumerate(cells) if c["metadata"].get("nbgrader", {}).get("grade_id") == grade_id)


def test_no_first_layer_gradient_formula_is_read_before_exercise_4s_answer(cells):
    # cell 7 gave ∂y/∂w13 under Exercise 1's check: Exercise 1's answer with 1↔2 and 3↔4 swapped, and δ3 inside
    formula = re.compile(r"\\frac\{\\partial y\}\{\\partial w_\{[12][34]\}\}\s*=|\\partial y/\\partial w_\{[12][34]\}\s*=")
    read_before = [read(c) for c in cells[:index_of(cells, "written-redundant-work")]]
    assert not [text[:80] for text in read_before if formula.search(text)]


def test_the_delta_rule_comes_behind_the_exercise_after_exercise_3(cells):
    # the δ rule answered Exercise 3(a) in the cell right under its check
    rule = re.compile(r"\\delta_j = \(1 - a_j\^2\)")
    at = [i for i, c in enumerate(cells) if rule.search(read(c))]
    assert at and min(at) > index_of(cells, "written-redundant-work") > index_of(cells, "check-tanh-backward")


def test_exercise_4b_is_asked_about_the_table_and_answered_only_in_the_model_answer(cells):
    # section 6 explained the growth (12 per edge and unit, the doubling paths) that Exercise 4(b) asks for
    table = next(i for i, c in enumerate(cells) if "layered_counts" in "".join(c["source"]))
    statement = next(i for i, c in enumerate(cells) if "**Exercise 4 (written).**" in read(c))
    assert index_of(cells, "check-tanh-backward") < table < statement < index_of(cells, "written-redundant-work")
    why = re.compile(r"12L|2\^L|number of paths|each of (the|its) \d edges")
    assert not [read(c)[:80] for c in cells if why.search(read(c))]
    assert why.search("".join(cells[index_of(cells, "written-redundant-work")]["source"]))


def test_what_the_student_is_asked_to_explain_is_an_exercise_with_an_answer_cell(cells):
    # section 5 asked to "explain what the panel shows" with no cell to write it in (the first cell's learning goals
    # say what a student can explain afterwards: no task)
    for i, c in enumerate(cells[1:], start=1):
        if c["cell_type"] == "markdown" and re.search(r"\bexplain\b", read(c), re.I):
            assert "**Exercise" in read(c), read(c)[:120]
            assert cells[i + 1]["metadata"].get("nbgrader", {}).get("grade_id", "").startswith(("written-", "answer-"))
