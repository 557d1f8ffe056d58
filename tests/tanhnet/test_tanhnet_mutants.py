"""Behaviour of utils.tanhnet that `make mutate` found untested: the limits of the saturation widget's
arguments, what the graph's labels say (each weight, value and gradient on its own edge or unit), and the
caption of the saturation curve."""
import re

import numpy as np
import pytest

from conftest import check_limits, raises_naming
from utils import style, tanhnet


def test_saturation_state_limits():
    for arg in ("x1", "x2"):
        check_limits(tanhnet.saturation_state, arg, accepted=[-100.0, 100.0],
                     rejected=[np.nextafter(-100.0, -np.inf), np.nextafter(100.0, np.inf)],
                     **dict(x1=1.0, x2=0.0, scale=1.0))
    check_limits(tanhnet.saturation_state, "scale", accepted=[5e-324, 100.0], rejected=[0.0, np.nextafter(100.0, 200)],
                 x1=1.0, x2=0.0)


def number(text, after):
    """The number that follows `after` in `text`."""
    return float(re.search(re.escape(after) + r"\s*=?\s*([+-]?\d+\.\d+)", text).group(1))


@pytest.mark.parametrize("x, scale", [(tanhnet.EXAMPLE_X, 1.0), ((2.0, -1.0), 4.0)])
def test_graph_labels_put_each_value_on_its_own_edge_and_unit(x, scale):
    w = tanhnet.scaled(tanhnet.EXAMPLE_W, scale)
    f = tanhnet.forward(x, w)
    grads, d = tanhnet.backward(x, w)
    edges, nodes, colours = tanhnet.graph_labels(x, w, "values")
    for (a, b), text in edges.items():
        name = f"w{a[-1]}{b}"
        assert number(text, name) == pytest.approx(w[name], abs=0.0051)
    for u in "3456":
        assert nodes[u].startswith(f"unit {u}\n")
        assert number(nodes[u], "z") == pytest.approx(f["z" + u], abs=0.0051)
        assert number(nodes[u], "a") == pytest.approx(f["a" + u], abs=0.0051)
        saturated = 1 - np.tanh(f["z" + u]) ** 2 < tanhnet.SATURATED
        assert colours[u] == (style.ORANGE if saturated else "white")
    assert number(nodes["x1"], "x1") == pytest.approx(x[0], abs=0.0051)
    assert number(nodes["x2"], "x2") == pytest.approx(x[1], abs=0.0051)
    assert number(nodes["y"], "y") == pytest.approx(f["y"], abs=0.00051)
    edges, nodes, colours_2 = tanhnet.graph_labels(x, w, "gradients")
    assert colours_2 == colours
    for (a, b), text in edges.items():
        name = f"w{a[-1]}{b}"
        assert text.startswith(f"∂y/∂{name}\n") and number(text, "\n") == pytest.approx(grads[name], abs=0.00051)
    for u in "3456":
        assert nodes[u].startswith(f"unit {u}\n∂y/∂z{u}\n")
        assert float(nodes[u].split("\n")[-1]) == pytest.approx(d["z" + u], abs=0.00051)
    assert nodes["y"].split("\n") == ["y", "∂y/∂y", "1"] and nodes["x1"] == "x1" and nodes["x2"] == "x2"


def test_saturated_units_are_coloured_at_a_large_scale():
    *_, colours = tanhnet.graph_labels((1.0, 0.0), tanhnet.scaled(tanhnet.EXAMPLE_W, 10.0))
    assert set(colours.values()) == {style.ORANGE}
    *_, colours = tanhnet.graph_labels((1.0, 0.0), tanhnet.scaled(tanhnet.EXAMPLE_W, 0.1))
    assert set(colours.values()) == {"white"}


def test_curve_panel_caption_names_the_peak_and_its_scale():
    state = tanhnet.saturation_state(1.0, 0.0, 2.0)
    curve = [abs(tanhnet.backward(state["x"], tanhnet.scaled(tanhnet.EXAMPLE_W, s))[0]["w13"])
             for s in tanhnet.SCALES]
    best = int(np.argmax(curve))
    shown, marker, caption = tanhnet.curve_panel(state)
    np.testing.assert_allclose(shown, np.array(curve) / curve[best], rtol=1e-12)
    assert marker == pytest.approx(abs(state["grads"]["w13"]) / curve[best], rel=1e-12)
    assert number(caption, "peak |dy/dw13|") == pytest.approx(curve[best], rel=5e-3)
    assert number(caption, "at scale") == pytest.approx(tanhnet.SCALES[best], abs=0.0051)
    shown, marker, caption = tanhnet.curve_panel(tanhnet.saturation_state(0.0, 1.0, 2.0))
    assert marker == 0.0 and not shown.any() and "x1 = 0" in caption


def test_random_weights_default_scale_is_one():
    a = tanhnet.random_weights(np.random.default_rng(3))
    b = tanhnet.random_weights(np.random.default_rng(3), scale=1.0)
    assert a == b and list(a) == list(tanhnet.WEIGHTS)
    draws = np.random.default_rng(3).standard_normal(8)
    assert list(tanhnet.random_weights(np.random.default_rng(3), 2.0).values()) == list(2.0 * draws)


def test_counting_numbers_compute_what_they_count():
    """Every operation gives the float result, and only products and quotients are counted (not a - b)."""
    (x1, x2), _, tally = tanhnet.instrumented((0.5, -2.0), tanhnet.EXAMPLE_W)
    for result, value, cost in [(lambda: 3 / x1, 6.0, 1), (lambda: x1 / x2, -0.25, 1), (lambda: x1 - x2, 2.5, 0),
                                (lambda: x1 - 2.0, -1.5, 0), (lambda: 2.0 - x1, 1.5, 0), (lambda: x2 * 3, -6.0, 1),
                                (lambda: 3 * x2, -6.0, 1), (lambda: -x2, 2.0, 0), (lambda: x1 + 1, 1.5, 0),
                                (lambda: 1 + x1, 1.5, 0), (lambda: x2 ** 2, 4.0, 1)]:
        before = tally[0]
        assert tanhnet.value_of(result()) == value
        assert tally[0] - before == cost


@pytest.mark.parametrize("call, pattern", [
    (lambda: tanhnet.layered_gradients([1.0, 2.0], [np.eye(2)], method="fast"), r"^method must be one of .*'fast'"),
    (lambda: tanhnet.layered_gradients([[1.0, 2.0]], [np.eye(2)]), r"^x must have 1 dimension"),
    (lambda: tanhnet.layered_gradients([1.0, 2.0], np.eye(2)), r"^Ws must be a list of weight arrays; got ndarray$"),
    (lambda: tanhnet.layered_gradients([1.0, 2.0], []), r"^Ws must hold at least one layer"),
])
def test_layered_gradients_names_a_bad_argument(call, pattern):
    with pytest.raises((TypeError, ValueError), match=pattern):
        call()


def test_counting_numbers_take_whole_powers_from_one():
    """a**1 is a itself, no multiplication; a**0, a**2.0 and a**0.5 are refused (k must be a whole k >= 1)."""
    (x1, _), _, tally = tanhnet.instrumented((0.5, -2.0), tanhnet.EXAMPLE_W)
    assert tanhnet.value_of(x1 ** 1) == 0.5 and tally[0] == 0
    for k in (0, -1, 2.0, 0.5):
        with pytest.raises(TypeError, match=r"^the counting numbers take whole powers a\*\*k with k >= 1"):
            x1 ** k
    assert tally[0] == 0


# --- found by `make mutate` at 605ed95 (issue 18): the saturation widget's text and nodes, the curve's caption at
# x1 = 0, the finite-difference step h, and the name of `show`, each computed here ---------------------------------

def reference(x, w):
    """Forward values and dy/dz of the 2-2-2 tanh network (y = a5 + a6), and dy/dw by the chain rule, written
    again here."""
    a3, a4 = np.tanh(x[0] * w["w13"] + x[1] * w["w23"]), np.tanh(x[0] * w["w14"] + x[1] * w["w24"])
    a5, a6 = np.tanh(a3 * w["w35"] + a4 * w["w45"]), np.tanh(a3 * w["w36"] + a4 * w["w46"])
    d5, d6 = 1 - a5 ** 2, 1 - a6 ** 2
    d3, d4 = (1 - a3 ** 2) * (w["w35"] * d5 + w["w36"] * d6), (1 - a4 ** 2) * (w["w45"] * d5 + w["w46"] * d6)
    grads = {"w13": x[0] * d3, "w23": x[1] * d3, "w14": x[0] * d4, "w24": x[1] * d4,
             "w35": a3 * d5, "w45": a4 * d5, "w36": a3 * d6, "w46": a4 * d6}
    return {"a3": a3, "a4": a4, "a5": a5, "a6": a6, "y": a5 + a6}, {"z3": d3, "z4": d4, "z5": d5, "z6": d6}, grads


def test_saturation_state_text_and_nodes():
    x, scale = (1.5, -0.5), 2.0
    w = {k: scale * v for k, v in tanhnet.EXAMPLE_W.items()}
    f, d, grads = reference(x, w)
    state = tanhnet.saturation_state(*x, scale)
    for node in ("z3", "z4", "z5", "z6"):
        assert state["nodes"][node] == pytest.approx(d[node], rel=1e-12)
    slopes = ", ".join(f"1-a{u}²={1 - f['a' + u] ** 2:.3f}" for u in "3456")
    assert state["text"] == (f"x = (1.50, -0.50), weights × 2.00: y = {f['y']:.4f}\n"
                             f"dy/dw13 = {grads['w13']:.5f}; largest |δ| = "
                             f"{max(abs(d[z]) for z in ('z3', 'z4', 'z5', 'z6')):.5f}\n"
                             f"tanh slopes: {slopes}")


def test_curve_panel_caption_when_x1_is_zero():
    curve, marker, caption = tanhnet.curve_panel(tanhnet.saturation_state(0.0, 1.0, 1.0))
    assert (marker, caption) == (0.0, "dy/dw13 = 0 at every scale (x1 = 0)") and not np.any(curve)


def centred_difference(x, w, k, h):
    return (reference(x, {**w, k: w[k] + h})[0]["y"] - reference(x, {**w, k: w[k] - h})[0]["y"]) / (2 * h)


def test_finite_differences_use_the_given_step():
    """h = 0.5 is far from the derivative (an error of order h^2): the answer is the centred difference itself."""
    x, w = (1.5, -0.5), tanhnet.EXAMPLE_W
    num = tanhnet.numerical_gradients(x, w, h=0.5)
    batch = tanhnet.batch_gradients(np.array([x]), {k: np.array([v]) for k, v in w.items()}, "finite_differences",
                                    h=0.5)
    for k in tanhnet.WEIGHTS:
        expected = centred_difference(x, w, k, 0.5)
        assert num[k] == pytest.approx(expected, rel=1e-12) and batch[k][0] == pytest.approx(expected, rel=1e-12)
    assert abs(num["w13"] - reference(x, w)[2]["w13"]) > 1e-3  # so the step h matters here


def test_graph_labels_names_a_bad_show():
    with raises_naming("show", "'grads'", exc=ValueError):
        tanhnet.graph_labels(tanhnet.EXAMPLE_X, tanhnet.EXAMPLE_W, show="grads")
