import numpy as np
import pytest

from utils import gradcheck, tanhnet


def cases(n=100, seed=0):
    rng = np.random.default_rng(seed)
    return [(tuple(rng.standard_normal(2) * rng.uniform(0.1, 3)), tanhnet.random_weights(rng, rng.uniform(0.1, 3)))
            for _ in range(n)]


def test_four_ways_agree():
    for x, w in cases():
        bp = tanhnet.backward(x, w)[0]
        cf, ag = tanhnet.closed_form(x, w), tanhnet.autograd_gradients(x, w)
        fd = tanhnet.numerical_gradients(x, w)
        for k in tanhnet.WEIGHTS:
            assert gradcheck.relative_error(bp[k], cf[k]) <= 1e-9
            # torch's and numpy's tanh differ by ~1e-16: relative 1e-9, or absolute 1e-14 on tiny entries
            assert gradcheck.relative_error(bp[k], ag[k]) <= 1e-9 or abs(bp[k] - ag[k]) <= 1e-14
            # centred differences (h = 1e-5) carry ~1e-11 absolute round-off: relative 1e-5, or absolute
            # 1e-9 for entries so small (saturated units) that no relative bound holds
            assert gradcheck.relative_error(bp[k], fd[k]) <= 1e-5 or abs(bp[k] - fd[k]) <= 1e-9


def test_dy_dw13_formula_from_the_course():
    for x, w in cases(20, 1):
        f = tanhnet.forward(x, w)
        formula = f["x1"] * (1 - f["a3"] ** 2) * (w["w35"] * (1 - f["a5"] ** 2) + w["w36"] * (1 - f["a6"] ** 2))
        assert tanhnet.backward(x, w)[0]["w13"] == pytest.approx(formula, rel=1e-12, abs=1e-15)


def test_backprop_needs_fewer_multiplications():
    # counted by instrumented numbers: 2 slopes + 4 (two paths x two units) + 4 (first-layer slopes) + 8 weights
    assert tanhnet.count_multiplications("backward") == 18
    # each first-layer weight: 7 products; each second-layer weight: 2
    assert tanhnet.count_multiplications("closed_form") == 4 * 7 + 4 * 2


def test_saturation_kills_the_gradient():
    small = tanhnet.saturation_state(2.0, 2.0, 1.0)["grads"]["w13"]
    huge = tanhnet.saturation_state(2.0, 2.0, 10.0)["grads"]["w13"]
    assert abs(huge) < 1e-6 * abs(small)


@pytest.mark.parametrize("x1,x2,scale", [(-2, -2, 0.1), (2, 2, 10), (0, 0, 1), (2, -2, 0.1)])
def test_saturation_state_at_slider_extremes(x1, x2, scale):
    s = tanhnet.saturation_state(x1, x2, scale)
    assert np.all(np.isfinite(s["curve"])) and s["grads"].keys() == set(tanhnet.WEIGHTS)
    assert f"{s['grads']['w13']:.5f}" in s["text"]


@pytest.mark.parametrize("x,w,exc,pattern", [
    ((1, 2), {"w13": 1}, ValueError, "exactly the keys"),
    ((1, 2, 3), tanhnet.EXAMPLE_W, ValueError, r"x must have shape \(2,\)"),
    ((1, np.inf), tanhnet.EXAMPLE_W, ValueError, "x must be finite"),
    ((1, 2), [1] * 8, TypeError, "w must be a dict"),
    ((1, 2), {**tanhnet.EXAMPLE_W, "w13": "a"}, TypeError, r"w\['w13'\] must be a real number"),
])
def test_bad_input(x, w, exc, pattern):
    with pytest.raises(exc, match=pattern):
        tanhnet.backward(x, w)

