import re

import numpy as np
import pytest

from helpers import check_limits, expected_counts, raises_naming, whole
from utils import diagrams, gradcheck, style, tanhnet


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


@pytest.mark.parametrize("depth,width", [(1, 2), (2, 2), (5, 2), (8, 2), (1, 3), (3, 3)])
def test_layered_counts_match_their_derivation(depth, width):
    assert tanhnet.layered_counts(depth, width) == expected_counts(depth, width)


def test_layered_counts_in_closed_form_for_width_two():
    # for width 2 the recursion solves to C(l) = 5·2^(L-l) - 4: naive = 20 (2^L - 1) - 12 L, backprop = 12 L - 6
    for L in range(1, 9):
        assert expected_counts(L, 2) == {"backprop": 12 * L - 6, "naive": 20 * (2 ** L - 1) - 12 * L}


def test_backprop_needs_fewer_multiplications():
    # the 2-2-2 network is the layered net of depth 2 and width 2
    assert tanhnet.count_multiplications("backward") == expected_counts(2, 2)["backprop"] == 18
    assert tanhnet.count_multiplications("closed_form") == expected_counts(2, 2)["naive"] == 36


def test_counting_numbers_count_multiplications_only():
    (x1, x2), w, tally = tanhnet.instrumented((0.5, -2.0), tanhnet.EXAMPLE_W)
    steps = [(lambda: x1 * x2, 1), (lambda: x1 ** 3, 2), (lambda: 1 * x1 * -1, 0), (lambda: 2.0 * x1, 1),
             (lambda: x1 / x2, 1), (lambda: 3 / x1, 1), (lambda: x1 + x2 - 1 + (-x1), 0), (lambda: np.tanh(x1), 0)]
    for step, cost in steps:
        before = tally[0]
        step()
        assert tally[0] - before == cost
    assert tanhnet.value_of(x1 ** 3 / x2 - np.tanh(x1)) == pytest.approx(0.125 / -2.0 - np.tanh(0.5), rel=1e-15)
    assert tanhnet.value_of(0.5) is None
    with pytest.raises(TypeError, match="whole powers"):
        x1 ** 0.5


def test_counting_numbers_record_each_operation_on_their_tape():
    """The tape opens with the ten inputs, then one [op, operand, operand, value] per operation: a counting
    number by the index of its entry, a plain number as a float constant."""
    (x1, x2), w, tally = tanhnet.instrumented((0.5, -2.0), tanhnet.EXAMPLE_W)
    tape = x1.tape
    assert tape == [["input", "x1", None, 0.5], ["input", "x2", None, -2.0]] + [
        ["input", k, None, v] for k, v in (("w13", 0.5), ("w14", -0.3), ("w23", 0.8), ("w24", 0.2), ("w35", 1.0),
                                           ("w36", -0.7), ("w45", 0.6), ("w46", 0.9))]
    assert [w[k].ref for k in ("w13", "w46")] == [2, 9] and x2.tape is tape
    results = [x1 * 2, 3 - x2, -x1, x1 ** 3, np.tanh(x1), x1 / x2, 1 + x1, x1 - x2, 2 / x1, x2 * x1, 4 * x1]
    assert tape[10:] == [["mul", 0, 2.0, 1.0], ["sub", 3.0, 1, 5.0], ["neg", 0, None, -0.5], ["pow", 0, 3, 0.125],
                         ["tanh", 0, None, float(np.tanh(0.5))], ["div", 0, 1, -0.25], ["add", 1.0, 0, 1.5],
                         ["sub", 0, 1, 2.5], ["div", 2.0, 0, 4.0], ["mul", 1, 0, -1.0], ["mul", 4.0, 0, 2.0]]
    assert [tanhnet.tape_ref(r, tape) for r in results] == list(range(10, 21))
    assert +x1 is x1 and len(tape) == 21  # +a is a itself
    assert all(type(entry[3]) is float for entry in tape)


def test_tape_ref_tells_plain_and_hand_made_numbers():
    (x1, _), _, tally = tanhnet.instrumented((0.5, -2.0), tanhnet.EXAMPLE_W)
    other, _, _ = tanhnet.instrumented((0.5, -2.0), tanhnet.EXAMPLE_W)
    assert tanhnet.tape_ref(x1, x1.tape) == 0
    assert tanhnet.tape_ref(0.5, x1.tape) == tanhnet.tape_ref(None, x1.tape) == "plain"
    assert tanhnet.tape_ref(type(x1)(0.5, tally), x1.tape) == "foreign"          # made by hand
    assert tanhnet.tape_ref(other[0], x1.tape) == "foreign"                       # another run's
    assert tanhnet.tape_ref(type(x1)(0.5, tally, x1.tape), x1.tape) == "foreign"  # on the tape but no entry


def test_counting_numbers_made_by_hand_or_by_another_run_cannot_take_part():
    (x1, _), _, tally = tanhnet.instrumented((0.5, -2.0), tanhnet.EXAMPLE_W)
    (y1, _), _, _ = tanhnet.instrumented((0.5, -2.0), tanhnet.EXAMPLE_W)
    by_hand = type(x1)(0.25, tally)
    for step in (lambda: x1 * by_hand, lambda: by_hand + x1, lambda: x1 - y1, lambda: y1 / x1):
        with pytest.raises(TypeError, match=r"^a counting number made by hand \(e.g. from a plain float .value\) or by "
                                            r"another counting run cannot take part"):
            step()
    assert len(x1.tape) == 10 and tally[0] == 0


@pytest.mark.parametrize("step,cost", [
    (lambda x1, x2: x1 * x2, 1), (lambda x1, x2: x1 ** 3, 2), (lambda x1, x2: x1 ** 1, 0), (lambda x1, x2: 1 * x1, 0),
    (lambda x1, x2: x1 * -1, 0), (lambda x1, x2: x1 / 1.0, 0), (lambda x1, x2: -1 / x1, 0), (lambda x1, x2: 2.0 * x1, 1),
    (lambda x1, x2: x1 / x2, 1), (lambda x1, x2: 3 / x1, 1), (lambda x1, x2: x1 + x2 - 1 + (-x1), 0),
    (lambda x1, x2: np.tanh(x1), 0), (lambda x1, x2: (x1 * x2) ** 2 / (1 - x1 * x1), 4),
])
def test_replay_counts_as_the_counting_numbers_do(step, cost):
    """The counting rules, once by the tally and once by replaying the tape, on other inputs than recorded."""
    (x1, x2), w, tally = tanhnet.instrumented((0.5, -2.0), tanhnet.EXAMPLE_W)
    result = step(x1, x2)
    values, count = tanhnet.replay(x1.tape, (0.5, -2.0), tanhnet.EXAMPLE_W)
    assert count == tally[0] == cost
    assert values[tanhnet.tape_ref(result, x1.tape)] == tanhnet.value_of(result)
    values, count = tanhnet.replay(x1.tape, (0.25, 3.0), tanhnet.EXAMPLE_W, check=False)
    assert values[tanhnet.tape_ref(result, x1.tape)] == pytest.approx(step(0.25, 3.0), rel=1e-15) and count == cost


def test_replay_of_the_forward_pass_gives_the_forward_values():
    x, w, tally = tanhnet.instrumented((1.2, -0.4), tanhnet.EXAMPLE_W)
    counted = tanhnet.forward(x, w)
    other = {k: -v for k, v in tanhnet.EXAMPLE_W.items()}
    values, count = tanhnet.replay(x[0].tape, (0.3, 0.7), other, check=False)
    assert count == 8
    plain = tanhnet.forward((0.3, 0.7), other)
    assert {k: values[tanhnet.tape_ref(v, x[0].tape)] for k, v in counted.items()} == plain


@pytest.mark.parametrize("factor,off,replays", [(0.0, 1e-9, True), (0.25, 0.9e-9, True), (0.25, 1.1e-9, False),
                                                (5.0, 4.5e-9, True), (5.0, 5.5e-9, False)])
def test_replay_compares_recorded_values_within_replay_tol(factor, off, replays):
    """A recorded value may be off by REPLAY_TOL = 1e-9 times max(1, |value|): 1e-9 for 0 (that far exactly) and
    x1 / 4, 5e-9 for 5 x1."""
    tape = [["input", k, None, 1.0 if k == "x1" else 0.0] for k in tanhnet.TAPE_INPUTS]
    tape.append(["mul", 0, factor, factor + off])
    w = dict.fromkeys(tanhnet.WEIGHTS, 0.0)
    if replays:
        assert tanhnet.replay(tape, (1.0, 0.0), w) == ([1.0] + [0.0] * 9 + [factor], 1)
    else:
        with pytest.raises(tanhnet.TapeError, match=f"^entry 10 \\(mul\\) records {factor + off!r} where the replay "
                                                    f"gives {factor!r}$"):
            tanhnet.replay(tape, (1.0, 0.0), w)


def test_replay_names_a_bad_argument():
    with pytest.raises(ValueError, match="^w must have exactly the keys"):
        tanhnet.replay([], (0.0, 0.0), {"w13": 1.0})
    with pytest.raises(tanhnet.TapeError, match="^the tape must be a list of entries; got dict$"):
        tanhnet.replay({}, tanhnet.EXAMPLE_X, tanhnet.EXAMPLE_W)


def test_forward_on_counting_numbers_equals_forward_on_floats():
    x, w, tally = tanhnet.instrumented((1.2, -0.4), tanhnet.EXAMPLE_W)
    counted = tanhnet.forward(x, w)
    plain = tanhnet.forward((1.2, -0.4), tanhnet.EXAMPLE_W)
    assert tally[0] == 8  # z3..z6: two products each
    assert {k: tanhnet.value_of(v) for k, v in counted.items()} == plain


def test_layered_gradients_agree_with_autograd_and_both_methods():
    import torch

    rng = np.random.default_rng(4)
    for depth in (1, 3, 5):
        Ws, x = tanhnet.layered_weights(rng, depth), rng.standard_normal(2)
        bp, nv = tanhnet.layered_gradients(x, Ws), tanhnet.layered_gradients(x, Ws, "naive")
        Wt = [torch.tensor(W, requires_grad=True) for W in Ws]
        a = torch.tensor(x)
        for W in Wt:
            a = torch.tanh(a @ W)
        a.sum().backward()
        for g_bp, g_nv, W in zip(bp, nv, Wt):
            np.testing.assert_allclose(g_bp, W.grad.numpy(), rtol=1e-10, atol=1e-14)
            np.testing.assert_allclose(g_nv, g_bp, rtol=1e-12, atol=1e-15)


def test_layered_net_of_depth_two_is_the_module_network():
    w = tanhnet.EXAMPLE_W
    Ws = [np.array([[w["w13"], w["w14"]], [w["w23"], w["w24"]]]), np.array([[w["w35"], w["w36"]], [w["w45"], w["w46"]]])]
    g1, g2 = tanhnet.layered_gradients(tanhnet.EXAMPLE_X, Ws)
    want = tanhnet.closed_form(tanhnet.EXAMPLE_X, w)
    got = {"w13": g1[0, 0], "w14": g1[0, 1], "w23": g1[1, 0], "w24": g1[1, 1],
           "w35": g2[0, 0], "w36": g2[0, 1], "w45": g2[1, 0], "w46": g2[1, 1]}
    assert got == pytest.approx(want, rel=1e-12)


@pytest.mark.parametrize("method", ["backward", "closed_form", "finite_differences", "autograd"])
def test_batch_gradients_equal_the_single_network_ones(method):
    rng = np.random.default_rng(5)
    xs, ws = tanhnet.random_networks(rng, 6)
    batch = tanhnet.batch_gradients(xs, ws, method)
    single = {"backward": lambda x, w: tanhnet.backward(x, w)[0], "closed_form": tanhnet.closed_form,
              "finite_differences": tanhnet.numerical_gradients, "autograd": tanhnet.autograd_gradients}[method]
    for n in range(6):
        one = single(tuple(xs[n]), {k: float(ws[k][n]) for k in tanhnet.WEIGHTS})
        for k in tanhnet.WEIGHTS:
            assert batch[k][n] == pytest.approx(one[k], rel=1e-6 if method == "finite_differences" else 1e-12,
                                                abs=1e-9 if method == "finite_differences" else 1e-15)


@pytest.mark.parametrize("call,exc,pattern", [
    (lambda: tanhnet.batch_gradients(np.zeros((3, 2)), 5, "backward"), TypeError, "^w must be a dict"),
    (lambda: tanhnet.batch_gradients(np.zeros((3, 3)), {k: np.zeros(3) for k in tanhnet.WEIGHTS}, "backward"), ValueError, r"^x must have shape \(N, 2\)"),
    (lambda: tanhnet.batch_gradients(np.zeros((3, 2)), {k: np.zeros(2) for k in tanhnet.WEIGHTS}, "backward"), ValueError, r"^w\['w13'\] must have shape \(3,\)"),
    (lambda: tanhnet.batch_gradients(np.zeros((3, 2)), {k: np.zeros(3) for k in tanhnet.WEIGHTS}, "fd"), ValueError, r"^method must be one of \('backward', 'closed_form', 'finite_differences', 'autograd'\); got 'fd'"),
    (lambda: tanhnet.layered_gradients([1.0, 2.0], None), TypeError, "^Ws must be a list"),
    (lambda: tanhnet.layered_gradients([1.0, 2.0], []), ValueError, "^Ws must hold at least one layer"),
    (lambda: tanhnet.layered_gradients([1.0, 2.0], [np.zeros((3, 3))]), ValueError, r"^Ws\[0\] must have shape \(2, 2\)"),
    (lambda: tanhnet.layered_counts(0), ValueError, "^depth must be >= 1; got 0"),
    (lambda: tanhnet.layered_counts(2, width=0), ValueError, "^width must be >= 1; got 0"),
    (lambda: tanhnet.random_networks(np.random.default_rng(0), 0), ValueError, "^n must be >= 1; got 0"),
])
def test_bad_input_of_the_batch_and_layered_functions(call, exc, pattern):
    with pytest.raises(exc, match=pattern):
        call()


def render(show=None, state=None):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(9, 4.5))  # the notebook's size
    drawn = tanhnet.draw(ax, tanhnet.EXAMPLE_X, tanhnet.EXAMPLE_W, show=show, title="a title as long as the notebook's")
    return fig, ax, drawn


@pytest.mark.parametrize("show", ["values", "gradients", "deltas"])
def test_graph_labels_overlap_nothing_and_units_are_named(show):
    import matplotlib.pyplot as plt

    fig, ax, drawn = render(show)
    assert diagrams.label_overlaps(ax, drawn) == []
    for u in "3456":
        assert drawn["node_texts"][u].get_text().startswith(f"unit {u}\n")
    plt.close(fig)


@pytest.mark.parametrize("show", ["values", "gradients", "deltas"])
def test_every_edge_label_is_clear_of_the_other_edges(show):
    """The student trial (issue 26): w14 and w23 (and w36, w45) sat at the crossing of their edges, each label
    between both edges (0.09 of a label's height from the other one), so which weight it named was a guess. Now every
    label's box is at least a third of its height away from every edge but its own (edges sampled densely, in
    display coordinates)."""
    import matplotlib.pyplot as plt

    fig, ax, drawn = render(show)
    fig.canvas.draw()
    on = np.linspace(0, 1, 2001)[:, None]
    for edge, text in drawn["edge_texts"].items():
        box = text.get_window_extent()
        for a, b in tanhnet.EDGES:
            if (a, b) != edge:
                p, q = ax.transData.transform(drawn["pos"][a]), ax.transData.transform(drawn["pos"][b])
                points = p + on * (q - p)
                dx = np.maximum(np.maximum(box.x0 - points[:, 0], 0), points[:, 0] - box.x1)
                dy = np.maximum(np.maximum(box.y0 - points[:, 1], 0), points[:, 1] - box.y1)
                assert np.hypot(dx, dy).min() >= box.height / 3, (text.get_text(), (a, b))
    plt.close(fig)


@pytest.mark.parametrize("position", [(1.0, 0.0, 1.0), (2.0, -2.0, 10.0), (-2.0, 2.0, 0.1), (-1.3, 0.7, 3.0)])
def test_saturation_widget_graph_labels_overlap_nothing(position):
    view = tanhnet.SaturationView()
    view.render(*position)
    assert diagrams.label_overlaps(view.drawn["circles"]["3"].axes, view.drawn) == []


def test_saturation_curve_fills_its_panel_whatever_its_size():
    # the panel's y-range is fixed at (0, 1.15); the curve is drawn relative to its peak, which the caption gives
    view = tanhnet.SaturationView()
    for position in [(1.0, 0.0, 1.0), (2.0, 2.0, 0.1), (-0.3, 1.0, 5.0)]:
        state = tanhnet.saturation_state(*position)
        view.render(*position)
        peak = max(abs(tanhnet.backward(state["x"], tanhnet.scaled(tanhnet.EXAMPLE_W, s))[0]["w13"])
                   for s in tanhnet.SCALES)
        assert max(view.curve.get_ydata()) == pytest.approx(1.0) and view.ax_curve.get_ylim() == (0, 1.15)
        assert view.marker.get_ydata()[0] == pytest.approx(abs(state["grads"]["w13"]) / peak, rel=1e-9)
        assert f"peak |dy/dw13| = {peak:.3g}" in view.caption.get_text()
    view.render(0.0, 1.0, 1.0)  # x1 = 0: dy/dw13 = 0 at every scale
    assert max(view.curve.get_ydata()) == 0 and "0 at every scale" in view.caption.get_text()


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
    ((1, 2), {"w13": 1}, ValueError, r"^w must have exactly the keys \('w13', 'w14', 'w23', 'w24', 'w35', 'w36', 'w45', 'w46'\); got \('w13',\)"),
    ((1, 2, 3), tanhnet.EXAMPLE_W, ValueError, r"^x must have shape \(2,\)"),
    ((1, np.inf), tanhnet.EXAMPLE_W, ValueError, "^x must be finite"),
    ((1, 2), [1] * 8, TypeError, "^w must be a dict with keys .*; got list"),
    ((1, 2), {**tanhnet.EXAMPLE_W, "w13": "a"}, TypeError, r"^w\['w13'\] must be a real number"),
])
def test_bad_input(x, w, exc, pattern):
    with pytest.raises(exc, match=pattern):
        tanhnet.backward(x, w)


@pytest.mark.parametrize("args,name", [((100.5, 0.0, 1.0), "x1"), ((0.0, -100.5, 1.0), "x2"), ((1.0, 0.0, 0.0), "scale"),
                                       ((1.0, 0.0, 100.1), "scale"), ((1.0, 0.0, 1e308), "scale")])
def test_saturation_state_refuses_values_past_its_bounds(args, name):
    with raises_naming(name, exc=ValueError):
        tanhnet.saturation_state(*args)


@pytest.mark.parametrize("args", [(100.0, -100.0, 100.0), (-100.0, 100.0, 1e-9), (100.0, 100.0, 1e-300)])
def test_saturation_state_at_its_bounds_is_finite(args):
    state = tanhnet.saturation_state(*args)
    assert np.all(np.isfinite(state["curve"])) and all(np.isfinite(v) for v in state["forward"].values())
    assert all(np.isfinite(v) for v in state["grads"].values())


def test_deltas_graph_shows_each_delta_and_no_gradient_value():
    """show="deltas" (after Exercise 3 and in the widget): δ = dy/dz on the units, the product a_i·δ_j on the edges as
    a formula, so that no cell prints an exercise's value (issue 26)."""
    edge_text, node_text, _ = tanhnet.graph_labels(tanhnet.EXAMPLE_X, tanhnet.EXAMPLE_W, show="deltas")
    f = tanhnet.forward(tanhnet.EXAMPLE_X, tanhnet.EXAMPLE_W)
    delta = {"5": 1 - f["a5"] ** 2, "6": 1 - f["a6"] ** 2}
    delta["3"] = (1 - f["a3"] ** 2) * (0.5 * 0 + 1.0 * delta["5"] - 0.7 * delta["6"])
    delta["4"] = (1 - f["a4"] ** 2) * (0.6 * delta["5"] + 0.9 * delta["6"])
    for u in "3456":
        assert node_text[u] == f"unit {u}\nδ{u}\n{delta[u]:+.3f}"
    assert edge_text == {  # each weight's gradient as a formula, no value in it
        ("x1", "3"): "∂y/∂w13\n= x1·δ3", ("x1", "4"): "∂y/∂w14\n= x1·δ4",
        ("x2", "3"): "∂y/∂w23\n= x2·δ3", ("x2", "4"): "∂y/∂w24\n= x2·δ4",
        ("3", "5"): "∂y/∂w35\n= a3·δ5", ("3", "6"): "∂y/∂w36\n= a3·δ6",
        ("4", "5"): "∂y/∂w45\n= a4·δ5", ("4", "6"): "∂y/∂w46\n= a4·δ6"}
    assert {u: node_text[u] for u in ("x1", "x2", "y")} == {"x1": "x1", "x2": "x2", "y": "y"}


def description(fig):
    from utils import style
    return style.description_of(fig)


def numbers_in(text):
    return [float(m.replace("−", "-")) for m in re.findall(r"[−+-]?\d+\.\d+(?:e[−+-]?\d+)?|\d+", text)]


@pytest.mark.parametrize("x,w", [(tanhnet.EXAMPLE_X, tanhnet.EXAMPLE_W), ((2.0, 2.0), tanhnet.scaled(tanhnet.EXAMPLE_W, 10))])
def test_network_figure_descriptions_give_this_networks_numbers(x, w):
    f = tanhnet.forward(x, w)
    values = description(tanhnet.network_figure(x, w))
    assert f"y = {f['y']:+.3f}".replace("-", "−") in values
    for u in "3456":
        assert f"unit {u}: z = {f['z' + u]:+.2f}".replace("-", "−") in values
    deltas = description(tanhnet.network_figure(x, w, show="deltas"))
    _, d = tanhnet.backward(x, w)
    for u in "3456":
        assert f"δ{u} = {d['z' + u]:+.3f}".replace("-", "−") in deltas
    saturated = [u for u in "3456" if 1 - f["a" + u] ** 2 < tanhnet.SATURATED]
    assert (f"Units {', '.join(saturated)} are saturated" in deltas) if saturated else ("No unit is saturated" in deltas)


def test_depth_cost_figure_description_gives_the_ends_and_the_ratio():
    text = description(tanhnet.depth_cost_figure([1, 2, 10], [6, 18, 114], [8, 36, 20340]))
    assert "from 6 to 114" in text and "from 8 to 20340" in text and "178 times" in text  # 20340 / 114 = 178.4
    with pytest.raises(ValueError, match="naive"):
        tanhnet.depth_cost_figure([1, 2], [6, 18], [8])


def test_saturation_curves_figure_description_places_each_peak():
    scales = np.geomspace(0.1, 10.0, 401)
    text = description(tanhnet.saturation_curves_figure(scales, [tanhnet.SATURATION_X, (2.0, 2.0)]))
    for x in (tanhnet.SATURATION_X, (2.0, 2.0)):
        curve = [abs(tanhnet.backward(x, tanhnet.scaled(tanhnet.EXAMPLE_W, s))[0]["w13"]) for s in scales]
        i = int(np.argmax(curve))
        assert f"peak of {curve[i]:.3f} at scale {scales[i]:.2f}" in text
    assert "exactly 0 from scale" in text and "2.3e-06 at scale 10" in text


def test_w13_curve_is_the_backward_pass_at_each_scale():
    scales = np.array([0.1, 1.0, 3.0])
    curve = tanhnet.w13_curve((1.0, -0.5), scales)
    want = [abs(tanhnet.closed_form((1.0, -0.5), tanhnet.scaled(tanhnet.EXAMPLE_W, s))["w13"]) for s in scales]
    np.testing.assert_allclose(curve, want, rtol=1e-12)
    with pytest.raises(ValueError, match=whole("scales must have 1 dimension(s); got shape (1, 3)")):
        tanhnet.w13_curve((1.0, -0.5), scales[None])


def test_saturation_state_curve_is_that_of_the_weights_it_is_given():
    """The widget's curve follows w, not only the example's weights: |dy/dw13| of scale * w at each of SCALES."""
    w = tanhnet.random_weights(np.random.default_rng(4))
    state = tanhnet.saturation_state(1.0, -0.5, 2.0, w=w)
    want = [abs(tanhnet.closed_form((1.0, -0.5), tanhnet.scaled(w, s))["w13"]) for s in tanhnet.SCALES]
    np.testing.assert_allclose(state["curve"], want, rtol=1e-12)


@pytest.mark.parametrize("position", [(1.0, 0.0, 1.0), (1.0, 0.0, 10.0), (0.0, 1.0, 1.0), (-1.3, 0.7, 0.1)])
def test_saturation_widget_description_follows_its_state(position):
    view = tanhnet.SaturationView()
    picture, text, said = view.render_described(*position)
    state = tanhnet.saturation_state(*position)
    assert picture[:4] == b"\x89PNG" and text == state["text"]
    assert f"x = ({position[0]:.2f}, {position[1]:.2f})" in said and f"× {position[2]:.2f}" in said
    slopes = {u: 1 - state["forward"]["a" + u] ** 2 for u in "3456"}
    saturated = [u for u in "3456" if slopes[u] < tanhnet.SATURATED]
    assert (f"{len(saturated)} of 4 units saturated" in said) if saturated else ("no unit saturated" in said)
    for u in "3456":
        assert f"{slopes[u]:.3f} (unit {u})" in said
    if position[0] == 0:
        assert "0 at every weight scale" in said
    else:
        assert f"at the current scale it is {abs(state['grads']['w13']):.3g}" in said


def test_saturation_description_of_a_state_written_by_hand():
    """A made-up state: slopes 1 - a^2 of 0.96, -0.5, 0, -0.98 are 0.0784, 0.75, 1, 0.0396 (units 3 and 6 below
    SATURATED = 0.1); the curve peaks at 2 at scale 1, and |dy/dw13| = 0.5 now is a quarter of it."""
    state = {"x": (1.0, -0.25), "scale": 2.5, "forward": {"a3": 0.96, "a4": -0.5, "a5": 0.0, "a6": -0.98},
             "scales": np.array([0.5, 1.0, 4.0]), "curve": np.array([0.25, 2.0, 0.5]), "grads": {"w13": -0.5}}
    graph = ("Left: the network at x = (1.00, -0.25) with every weight × 2.50, each unit labelled with its δ = ∂y/∂z "
             "and each edge with the product a_i·δ_j that is its weight's gradient; {which}; the slopes 1 − a² are "
             "{slopes}.")
    assert tanhnet.saturation_description(state) == graph.format(
        which="2 of 4 units saturated (orange: unit 3, unit 6)",
        slopes="0.078 (unit 3), 0.750 (unit 4), 1.000 (unit 5), 0.040 (unit 6)") + (
        " Right: |∂y/∂w13| against the weight scale, relative to its peak, 2 at scale 1.00; at the current scale it "
        "is 0.5, 0.25 times the peak.")
    state.update(forward={"a3": 0.0, "a4": 0.0, "a5": 0.0, "a6": 0.0}, curve=np.zeros(3))
    assert tanhnet.saturation_description(state) == graph.format(
        which="no unit saturated", slopes="1.000 (unit 3), 1.000 (unit 4), 1.000 (unit 5), 1.000 (unit 6)") + (
        " Right: |∂y/∂w13| is 0 at every weight scale, since x1 = 0.")


def test_figures_print_signed_numbers_with_a_true_minus_sign():
    assert tanhnet._fmt(-0.5) == "−0.500" and tanhnet._fmt(2, 2) == "+2.00" and tanhnet._fmt(-1e-9, 1) == "−0.0"


# ---- limits of the saturation widget's arguments, the graph's labels, the saturation curve's caption -----------------

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
