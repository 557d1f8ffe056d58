import re
import warnings

import numpy as np
import pytest
from matplotlib.path import Path

from helpers import check_limits, raises_naming, require
from utils import style, threshold

TRUTH = {"AND": lambda p: p[:, 0] * p[:, 1], "OR": lambda p: np.maximum(p[:, 0], p[:, 1]),
         "NAND": lambda p: 1 - p[:, 0] * p[:, 1], "NOR": lambda p: 1 - np.maximum(p[:, 0], p[:, 1]),
         "NOT": lambda p: 1 - p[:, 0]}


@pytest.mark.parametrize("name", threshold.GATE_NAMES)
def test_gate_truth_tables(name):
    W, B = threshold.gate(name)
    X = threshold.binary_inputs(W[0].shape[0])
    np.testing.assert_array_equal(threshold.predict(X, W, B), TRUTH[name](X))


def test_xor():
    X = threshold.binary_inputs(2)
    np.testing.assert_array_equal(threshold.predict(X, *threshold.xor_network()), [0, 1, 1, 0])


def square_test_points():
    _, _, grid = threshold.grid(2.0, 301)
    t = np.linspace(-1, 1, 101)
    edges = np.concatenate([np.column_stack([t, np.full_like(t, s)]) for s in (-1.0, 1.0)] +
                           [np.column_stack([np.full_like(t, s), t]) for s in (-1.0, 1.0)])
    near = np.concatenate([edges * (1 - 1e-12), edges * (1 + 1e-12)])
    return grid, edges, near


@pytest.mark.parametrize("kind", ["single", "tree"])
def test_square_network_is_the_open_square(kind):
    W, B = threshold.square_network(kind)
    grid, edges, near = square_test_points()
    for pts in (grid, near):
        np.testing.assert_array_equal(threshold.predict(pts, W, B), threshold.open_square(pts))
    assert threshold.predict(edges, W, B).sum() == 0  # the strict inequalities exclude the edges


def random_convex_polygon(rng):
    k = int(rng.integers(3, 10))
    angles = np.sort(rng.uniform(0, 2 * np.pi, k))
    if np.min(np.diff(np.concatenate([angles, angles[:1] + 2 * np.pi]))) < 1e-2 or np.max(np.diff(np.concatenate([angles, angles[:1] + 2 * np.pi]))) >= np.pi - 1e-2:
        return None
    V = np.column_stack([np.cos(angles), np.sin(angles)]) * rng.uniform(0.5, 2, 2) + rng.normal(size=2)
    return V if rng.random() < 0.5 else V[::-1]


def test_polygon_builder_on_random_convex_polygons():
    rng = np.random.default_rng(0)
    tested = 0
    while tested < 100:
        V = random_convex_polygon(rng)
        if V is None:
            continue
        tested += 1
        W, B = threshold.polygon_network(V)
        pts = rng.uniform(V.min(0) - 0.5, V.max(0) + 0.5, size=(2000, 2))
        inside = Path(V).contains_points(pts)
        got = threshold.predict(pts, W, B)
        np.testing.assert_array_equal(got, inside.astype(float))
        # just outside each vertex and edge midpoint: class B; just inside each midpoint: class A.
        # (A computed midpoint is on the edge only up to round-off, so we step 1e-9 off it.)
        mids = (V + np.roll(V, -1, axis=0)) / 2
        centre = V.mean(axis=0)
        boundary = np.vstack([V, mids])
        assert threshold.predict(boundary + 1e-9 * (boundary - centre), W, B).sum() == 0
        assert threshold.predict(mids + 1e-9 * (centre - mids), W, B).all()


@pytest.mark.parametrize("vertices,pattern", [
    ([[0, 0], [1, 0]], "at least 3"),
    ([[0, 0], [1, 0], [1, 0], [0, 1]], "distinct"),
    ([[0, 0], [1, 0], [2, 0], [0, 1]], "collinear"),
    ([[0, 0], [2, 0], [1, 0.2], [1, 2]], "convex"),
    ([[0, 0], [1, np.nan], [0, 1]], "finite"),
    ([[0, 0, 0], [1, 0, 0], [0, 1, 0]], r"shape \(N, 2\)"),
])
def test_bad_polygons(vertices, pattern):
    with raises_naming("vertices", exc=ValueError) as error:
        threshold.polygon_network(vertices)
    assert re.search(pattern, str(error.value))


def test_union_is_the_l_shape():
    pieces = [np.array([[-1.5, -1.5], [1.5, -1.5], [1.5, -0.5], [-1.5, -0.5]]),
              np.array([[-1.5, -0.5], [-0.5, -0.5], [-0.5, 1.5], [-1.5, 1.5]])]
    outline = np.array([[-1.5, -1.5], [1.5, -1.5], [1.5, -0.5], [-0.5, -0.5], [-0.5, 1.5], [-1.5, 1.5]])
    _, _, pts = threshold.grid(2.0, 400)  # spacing never hits the outline
    np.testing.assert_array_equal(threshold.predict(pts, *threshold.union_network(pieces)),
                                  Path(outline).contains_points(pts).astype(float))


@pytest.mark.parametrize("w1,w2,b", [(0, 0, 1), (0, 0, -1), (0, 0, 0), (3, -3, 3), (-3, 3, -3), (0.1, 0, 3), (3, 3, 0)])
def test_halfplane_state_at_extremes(w1, w2, b):
    s = threshold.halfplane(w1, w2, b)
    x1, x2, pts = threshold.grid(2.0, len(s["x1"]))
    expected = (pts @ np.array([w1, w2]) + b > 0).reshape(s["fires"].shape)
    np.testing.assert_array_equal(s["fires"], expected)
    if w1 == w2 == 0:
        assert s["line"] is None and s["fraction"] == (1.0 if b > 0 else 0.0)
        assert ("everywhere" if b > 0 else "nowhere") in s["text"]
    elif s["line"] is not None:
        np.testing.assert_allclose(s["line"] @ np.array([w1, w2]) + b, 0, atol=1e-9)


def need_torch():
    """torch, or a skip saying why (a failure under CI=true)."""
    try:
        import torch
    except ImportError:
        require(False, "torch is not installed: pip install -r requirements.txt")
    return torch


def test_single_units_computing_counts_like_a_plain_loop():
    values = np.array([-1.0, -0.5, 0.0, 0.5, 1.0])
    X = [(0, 0), (0, 1), (1, 0), (1, 1)]
    for table in ([0, 0, 0, 1], [0, 1, 1, 1], [1, 0, 0, 0], [0, 1, 1, 0], [0, 0, 0, 0]):
        loop = sum(all((w1 * a + w2 * c + b > 0) == bool(t) for (a, c), t in zip(X, table))
                   for w1 in values for w2 in values for b in values)
        assert threshold.single_units_computing(np.array(table), values) == (loop, 125)


@pytest.mark.parametrize("kwargs, words", [(dict(table=np.ones(3)), ["table"]), (dict(table="0110"), ["table"]),
                                           (dict(table=np.array([0, 0.5, 1, 1])), ["table", "0", "1"]),  # not 0/1
                                           (dict(values=np.ones((2, 2))), ["values"]),
                                           (dict(values=np.array([np.nan])), ["values"])])
def test_single_units_computing_names_a_bad_argument(kwargs, words):
    args = dict(table=np.array([0, 1, 1, 0]), values=np.linspace(-1, 1, 3)) | kwargs
    with raises_naming(*words):
        threshold.single_units_computing(**args)


def test_train_smooth_is_adam_on_a_tanh_network():
    """The Adam written out in train_smooth takes the steps of torch.optim.Adam (an independent implementation)."""
    torch = need_torch()
    X = np.random.default_rng(3).uniform(-2, 2, size=(200, 2))
    y = threshold.open_square(X)
    _, loss = threshold.train_smooth(X, y, hidden=5, steps=30, lr=0.05, seed=4)
    torch.manual_seed(4)
    net = torch.nn.Sequential(torch.nn.Linear(2, 5), torch.nn.Tanh(), torch.nn.Linear(5, 1)).double()
    opt = torch.optim.Adam(net.parameters(), lr=0.05)
    for _ in range(30):
        opt.zero_grad()
        reference = torch.nn.functional.binary_cross_entropy_with_logits(net(torch.tensor(X))[:, 0], torch.tensor(y))
        reference.backward()
        opt.step()
    assert loss == pytest.approx(reference.item(), rel=1e-9)


def test_train_smooth_leaves_the_callers_random_state_and_threads_alone():
    torch = need_torch()
    X = np.random.default_rng(3).uniform(-2, 2, size=(50, 2))
    torch.manual_seed(11)
    expected = torch.rand(3)
    torch.manual_seed(11)
    threads = torch.get_num_threads()
    threshold.train_smooth(X, threshold.open_square(X), hidden=3, steps=2)
    assert torch.equal(torch.rand(3), expected) and torch.get_num_threads() == threads


@pytest.mark.parametrize("kwargs, name", [(dict(X=np.ones((5, 3))), "X"), (dict(y=np.ones(4)), "y"),
                                          (dict(hidden=0), "hidden"), (dict(steps=0), "steps"),
                                          (dict(lr=-1.0), "lr"), (dict(seed=-1), "seed")])
def test_train_smooth_names_a_bad_argument(kwargs, name):
    need_torch()
    args = dict(X=np.zeros((5, 2)), y=np.zeros(5), steps=1) | kwargs
    with raises_naming(name):
        threshold.train_smooth(**args)


# ----------------------------------------------------------------------------- the figures' descriptions (issue 27)

def numbers(text):
    return [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", text)]


@pytest.mark.parametrize("w1,w2,b", [(1.0, 0.5, 0.5), (-2.0, 1.0, -1.0), (3.0, -3.0, 3.0), (0.0, 1.0, 0.0),
                                     (-1.0, 0.0, 0.5), (0.3, -2.0, 1.5), (1.0, 1.0, 0.0)])
def test_halfplane_description_follows_the_sliders(w1, w2, b):
    """The widget frame's text alternative: the end points it names lie on the line and on the box's edge; the share
    is the share that fires; the side named is where the normal points (within 22.5° of the named direction)."""
    s = threshold.halfplane(w1, w2, b)
    text = s["description"]
    ends = re.search(r"from \((\S+), (\S+)\) to \((\S+), (\S+)\)", text)
    points = np.array([float(v) for v in ends.groups()]).reshape(2, 2)
    assert np.allclose(points @ [w1, w2] + b, 0, atol=0.02 * np.hypot(w1, w2))
    assert np.allclose(np.abs(points).max(axis=1), 2, atol=0.006)
    fires = (threshold.grid(2.0, 161)[2] @ [w1, w2] + b > 0).mean()
    assert f"covers {100 * fires:.0f}% of the box" in text
    directions = {"right": 0, "upper right": 45, "top": 90, "upper left": 135, "left": 180, "lower left": 225,
                  "bottom": 270, "lower right": 315}
    named = re.search(r"toward the (.+?) of the box", text).group(1)
    angle = np.degrees(np.arctan2(w2, w1)) % 360
    assert min(abs(angle - directions[named]), 360 - abs(angle - directions[named])) <= 22.5 + 1e-9, (named, angle)
    assert f"distance {abs(b) / np.hypot(w1, w2):.2f} from the origin" in text


@pytest.mark.parametrize("w1,w2,b,words", [(0, 0, 1, "all of the box is shaded"), (0, 0, -1, "none of the box"),
                                           (0, 0, 0, "none of the box"), (0.1, 0, 3, "fires on 100% of"),
                                           (0, 0.1, -3, "fires on 0% of")])
def test_halfplane_description_without_a_line_in_the_box(w1, w2, b, words):
    text = threshold.halfplane(w1, w2, b)["description"]
    assert words in text and "crosses" not in text


def test_halfplane_view_gives_each_frame_its_description():
    view = threshold.HalfplaneView()
    for args in [(1.0, 0.5, 0.5), (0.0, 0.0, 1.0)]:
        _, text, description = view.render(*args)
        assert text == threshold.halfplane(*args)["text"] and description == threshold.halfplane(*args)["description"]


def test_network_figure_names_every_unit_weight_and_bias():
    """Parsed back from the description: each unit's non-zero weights and its bias, for the tree of the square."""
    W, B = threshold.square_network("tree")
    layers = [["x1", "x2"], ["u1", "u2", "u3", "u4"], ["v1", "v2"], ["A"]]
    text = style.description_of(threshold.network_figure([(W, B, layers, "tree")]))
    for l, (w, bias) in enumerate(zip(W, B)):
        for j, unit in enumerate(layers[l + 1]):
            said = re.search(rf"\b{unit} \(weights (.*?); bias (\S+)\)", text)
            weights = dict((src, float(v)) for v, src in re.findall(r"([+-][\d.]+) from (\w+)", said.group(1)))
            assert weights == {src: w[i, j] for i, src in enumerate(layers[l]) if w[i, j] != 0}, unit
            assert float(said.group(2)) == bias[j]
    with pytest.raises(ValueError, match="networks"):
        threshold.network_figure([])


def test_region_figure_counts_inside_on_and_outside_the_outline():
    """On the grid of multiples of 1/2 in [-2, 2]^2 the open square holds 3 x 3 points, its outline 16, and 56 lie
    outside: counted here from the integers. A region shaded one point too far is described with that count."""
    x = np.arange(-4, 5) / 2
    g1, g2 = np.meshgrid(x, x)
    square = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]])
    exact = ((np.abs(g1) < 1) & (np.abs(g2) < 1)).astype(float)
    text = style.description_of(threshold.region_figure(x, x, [(exact, "exact", [square])]))
    assert "exact: 9 of 81 grid points shaded (11.1%)" in text
    assert "all 9 grid points strictly inside it are shaded, none of the 16 on it or the 56 outside it" in text
    wider = exact.copy()
    wider[4, 6] = 1.0  # the point (1, 0), on the outline
    text = style.description_of(threshold.region_figure(x, x, [(wider, "wider", [square])]))
    assert "shaded are 9 of the 9 grid points strictly inside the outline, 1 of the 16 on it and 0 of the 56" in text
    with pytest.raises(ValueError, match="panels"):
        threshold.region_figure(x, x, [])
    with pytest.raises(ValueError, match="values"):
        threshold.region_figure(x, x, [(exact[:3], "cut", [square])])


def test_square_disagreement_counts_what_differs_from_the_square():
    """Points chosen by hand: (0, 0) inside, (1.05, 0) outside at 0.05 from the edge, (1.1, 1.1) near a corner at
    0.1 * sqrt(2) from it, (1.9, 0) far; a classification wrong at the second and third."""
    P = np.array([[0.0, 0.0], [1.05, 0.0], [1.1, 1.1], [1.9, 0.0]])
    d = threshold.square_disagreement(P, np.array([1.0, 1.0, 1.0, 0.0]))
    assert d["count"] == 2 and d["share"] == 0.5
    assert np.isclose(d["max_distance"], 0.1 * np.sqrt(2))
    assert d["near_corner"] == 0.5 and d["corner_area"] == 0.25
    assert threshold.square_disagreement(P, threshold.open_square(P))["count"] == 0


def test_describe_network_names_nonzero_weights_and_biases_layer_by_layer():
    """A 2-3-1 network written out by hand: zero weights are left out, a unit without any says 'none'."""
    W = [np.array([[1.0, 0.0, 0.0], [2.0, -1.0, 0.0]]), np.array([[1.0], [0.5], [0.0]])]
    B = [np.array([0.5, -1.0, 0.0]), np.array([-2.0])]
    text = threshold.describe_network(W, B, [["x1", "x2"], ["h1", "h2", "h3"], ["y"]])
    assert text == ("inputs x1, x2; then layer 1: h1 (weights +1 from x1, +2 from x2; bias +0.5); "
                    "h2 (weights -1 from x2; bias -1); h3 (weights none; bias +0); "
                    "then output y (weights +1 from h1, +0.5 from h2; bias -2)")


def test_region_figure_says_when_no_grid_point_lies_on_the_outline():
    """The grid x1 = ±0.5, ±1.5 by x2 = ±0.5, ±1.5, 2.5 misses the square's outline: 4 points inside, 16 outside.
    A panel without one outline is described by its count only."""
    x1, x2 = np.array([-1.5, -0.5, 0.5, 1.5]), np.array([-1.5, -0.5, 0.5, 1.5, 2.5])
    g1, g2 = np.meshgrid(x1, x2)
    exact = ((np.abs(g1) < 1) & (np.abs(g2) < 1)).astype(float)
    square = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]])
    text = style.description_of(threshold.region_figure(x1, x2, [(exact, "exact", [square]),
                                                                 (1 - exact, "two", [square, square])]))
    assert text == ("Decision regions over [-1.5, 1.5] × [-1.5, 2.5], class A shaded, outlines drawn. "
                    "exact: 4 of 20 grid points shaded (20.0%); the shading fills the outline exactly: all 4 grid "
                    "points strictly inside it are shaded, none of the 16 outside it (no grid point lies on it). "
                    "two: 16 of 20 grid points shaded (80.0%).")


def test_square_disagreement_measures_inside_and_on_the_edge_too():
    """(0.5, 0.25) inside, 0.5 from the edge; (-1, 0) on the edge (outside the open square), distance 0;
    (3, -4) outside, sqrt(2^2 + 3^2) from the corner; (0.9, -0.95) inside, 0.05 from the edge and within 0.3 of
    the corner (1, -1). Wrong at the first, second and fourth; then at the third only."""
    P = np.array([[0.5, 0.25], [-1.0, 0.0], [3.0, -4.0], [0.9, -0.95]])
    d = threshold.square_disagreement(P, [0.0, 1.0, 0.0, 0.0])
    assert d == {"count": 3, "share": 0.75, "max_distance": 0.5, "near_corner": pytest.approx(1 / 3),
                 "corner_area": 0.25}
    assert threshold.square_disagreement(P, [1.0, 0.0, 1.0, 1.0])["max_distance"] == pytest.approx(np.sqrt(13))
    right = threshold.square_disagreement(P, threshold.open_square(P))
    assert right == {"count": 0, "share": 0.0, "max_distance": 0.0, "near_corner": 0.0, "corner_area": 0.25}
    with pytest.raises(ValueError, match=r"^learned must have shape \(4,\); got \(3,\)$"):
        threshold.square_disagreement(P, [1.0, 0.0, 1.0])
    with pytest.raises(ValueError, match=r"^points must have shape \(N, 2\); got \(4, 1\)$"):
        threshold.square_disagreement(P[:, :1], [1.0, 0.0, 1.0, 1.0])


def test_near_a_corner_means_strictly_within_the_corner_radius():
    """A point found by a search to lie at exactly CORNER_RADIUS = 0.3 from the corner (1, 1) is not near it."""
    p = np.array([[1.1587249982930845, 1.2545709624384924]])
    assert np.sqrt(np.sum((p - 1) ** 2)) == threshold.CORNER_RADIUS == 0.3
    assert threshold.square_disagreement(p, [1.0]) == {"count": 1, "share": 1.0, "max_distance": pytest.approx(0.3),
                                                       "near_corner": 0.0, "corner_area": 0.0}


def test_a_point_at_exactly_tol_from_the_outline_is_on_it():
    """Square outline ±1, tol 0.25 (exact in binary): (1.25, 0) and (0.75, 0) are 0.25 from its right edge, on it;
    (0.5, 0) and (1.5, 0) are not."""
    square = np.array([[-1.0, -1.0], [1.0, -1.0], [1.0, 1.0], [-1.0, 1.0]])
    points = np.array([[1.25, 0.0], [0.75, 0.0], [0.5, 0.0], [1.5, 0.0]])
    np.testing.assert_array_equal(threshold._outline_side(points, square, tol=0.25), [0, 0, 1, -1])


def test_halfplane_description_whole_texts():
    """The line x1 = 0.5: on the 161-point grid x = -2 + k/40 it fires for k > 100, 60 of 161 columns (37%), its
    foot (0.5, 0) in the box. The line 0.1 x1 + x2 = 2.05 crosses the box's top, but its foot 2.05 (0.1, 1) / 1.01
    has x2 = 2.03 > 2: no arrow. w = 0: the unit fires everywhere or nowhere."""
    text = threshold.halfplane(1.0, 0.0, -0.5)["description"]
    assert text.startswith("The line 1.00·x1 +0.00·x2 -0.50 = 0 crosses the box [-2, 2]² from (0.50, ")
    assert text.endswith(", at distance 0.50 from the origin. The shaded side, where the unit fires, covers 37% of "
                         "the box: the side the normal w = (1.00, 0.00) points to, toward the right of the box; the "
                         "arrow draws w at the line's point nearest the origin.")
    text = threshold.halfplane(0.1, 1.0, -2.05)["description"]
    assert text.startswith("The line 0.10·x1 +1.00·x2 -2.05 = 0 crosses the box [-2, 2]² from (")
    assert text.endswith("points to, toward the top of the box.")
    assert threshold.halfplane(0.0, 0.0, 1.0)["description"] == (
        "No line: w = 0, so z = b = 1.00 at every point and the unit fires everywhere: all of the box is shaded.")
    assert threshold.halfplane(0.0, 0.0, -1.0)["description"] == (
        "No line: w = 0, so z = b = -1.00 at every point and the unit fires nowhere: none of the box is shaded.")
    # the line x2 = 2 runs along the box's top edge: its foot (0, 2) is on the edge, in the box, so the arrow is drawn
    assert threshold.halfplane(0.0, 1.0, -2.0)["description"].endswith(
        "toward the top of the box; the arrow draws w at the line's point nearest the origin.")


def test_a_line_too_far_to_clip_is_described_as_outside_the_box():
    """w = (1e-7, 0), b = 1: the line x1 = -1e7 lies beyond 1e6 lim, where halfplane stops before clipping; the unit
    fires on all of the box."""
    assert threshold.halfplane(1e-7, 0.0, 1.0)["description"] == (
        "The line 0.00·x1 +0.00·x2 +1.00 = 0 lies outside the box [-2, 2]²; the unit fires on 100% of the box "
        "[-2, 2]², the side the normal w points to.")


# ---- argument limits, bad polygons, the interactive unit's clipped line, single units on asymmetric grids ------------

# --- polygons ---------------------------------------------------------------------------------------------

PENTAGRAM = np.array([[np.cos(a), np.sin(a)] for a in np.pi / 2 + 2 * np.pi / 5 * np.array([0, 2, 4, 1, 3])])


@pytest.mark.parametrize("vertices, words", [
    ([[0, 0], [1, 0], [1, 0], [0, 1]], ["vertices must be distinct"]),
    ([[0, 0], [1, 0], [2, 0], [0, 1]], ["vertices must turn", "collinear"]),
    ([[0, 0], [2, 0], [1, 0.2], [1, 2]], ["vertices must describe a convex polygon", "left", "right"]),
    # every turn is a left turn, but the boundary goes round twice: a star, not a convex polygon
    (PENTAGRAM, ["vertices must describe a simple convex polygon", "more than once"]),
])
def test_a_bad_polygon_is_named_with_its_fault(vertices, words):
    """The message starts with the argument and says what is wrong with it."""
    with raises_naming("vertices", *words, exc=ValueError):
        threshold.polygon_network(vertices)


def test_a_small_non_convex_polygon_is_rejected():
    """Convexity is the sign of the turns, whatever their size: the dent of a polygon 1/10 as large."""
    with raises_naming("vertices", "convex", exc=ValueError):
        threshold.polygon_network(0.1 * np.array([[0, 0], [2, 0], [1, 0.2], [1, 2]]))


def test_repeated_vertices_up_to_round_off():
    """Vertices closer than 1e-12 * max(1, largest |coordinate|) are the same vertex; farther ones are not."""
    tiny = [[0, 0], [1e-12, 0], [0, 1]]  # an edge of exactly 1e-12 at unit scale: the limit
    with raises_naming("vertices", "distinct", exc=ValueError):
        threshold.polygon_network(tiny)
    W, B = threshold.polygon_network([[0, 0], [1.5e-12, 0], [0, 1]])  # just past it: a (thin) triangle
    assert threshold.predict(np.array([[2e-13, 0.5e-12]]), W, B).tolist() == [1.0]
    big = 1e6 + np.array([[0, 0], [1e-7, 0], [0, 1e3], [-1e3, 0]])  # 1e-7 apart at 1e6: round-off of 1e6
    with raises_naming("vertices", "distinct", exc=ValueError):
        threshold.polygon_network(big)


def test_collinear_vertices_up_to_round_off():
    """Three vertices whose turn has |sin| <= 1e-12 are collinear, whatever the polygon's size."""
    limit = [[0, 0], [1, 0], [2, 1e-12], [0, 1]]  # the turn at (1, 0): sin = 1e-12 exactly (|(1, 1e-12)| is 1.0)
    with raises_naming("vertices", "collinear", exc=ValueError):
        threshold.polygon_network(limit)
    threshold.polygon_network([[0, 0], [1, 0], [2, 1e-11], [0, 1]])  # sin = 1e-11: a vertex
    # a turn of sin 1e-10 between two edges of length 1, whose other neighbours are 1e4 long: a vertex
    threshold.polygon_network([[0, 0], [1, 0], [2, 1e-10], [1, 1e4]])
    large = [[0, 0], [1e4, 0], [2e4, 1e-9], [0, 1e4]]  # sin = 1e-13 between edges of 1e4
    with raises_naming("vertices", "collinear", exc=ValueError):
        threshold.polygon_network(large)


def random_triangle(rng):
    while True:
        V = rng.normal(size=(3, 2))
        if abs(np.linalg.det(V[1:] - V[0])) > 0.5:
            return V


def test_union_of_one_and_of_three_pieces():
    rng = np.random.default_rng(5)
    pieces = [random_triangle(rng) + shift for shift in ([0, 0], [3, 0], [0, 3])]
    pieces[2] = np.array([[0, 3], [1.5, 3], [2, 4], [1, 5], [0, 4]])  # pieces of 3, 3 and 5 vertices
    pts = rng.uniform(-3, 6, size=(3000, 2))
    for some in (pieces[:1], pieces):
        inside = np.any([Path(V).contains_points(pts) for V in some], axis=0)
        np.testing.assert_array_equal(threshold.predict(pts, *threshold.union_network(some)), inside)


@pytest.mark.parametrize("pieces", [np.array([[0, 0], [1, 0], [0, 1.0]]), []])
def test_union_of_not_a_list_of_pieces(pieces):
    """One polygon passed as an array (a list of pieces was meant), or no pieces: the error says so."""
    with raises_naming("pieces", "list", type(pieces).__name__, exc=ValueError):
        threshold.union_network(pieces)


# --- the unit, the grid, the truth tables ---------------------------------------------------------------

def test_step_of_an_empty_array_is_empty():
    assert threshold.step(np.empty((0, 3))).shape == (0, 3)


def test_binary_inputs_limits():
    check_limits(threshold.binary_inputs, "n_inputs", accepted=[1, 16], rejected=[0, 17])


def test_grid_defaults_and_limits():
    x1, x2, pts = threshold.grid()
    np.testing.assert_array_equal(x1, np.linspace(-2, 2, 201))
    np.testing.assert_array_equal(x2, x1)
    assert pts.shape == (201 * 201, 2)
    check_limits(threshold.grid, "lim", accepted=[1e-9, 0.5, 1e6], rejected=[0.0, -1.0, 1e6 + 0.5], n=3)
    check_limits(threshold.grid, "n", accepted=[2], rejected=[1, 4002], lim=1.0)


def test_square_network_default_is_the_single_and():
    for got, want in zip(threshold.square_network(), threshold.square_network("single")):
        assert len(got) == len(want) == 2
        for g, w in zip(got, want):
            np.testing.assert_array_equal(g, w)


def test_single_units_counts_on_grids_not_symmetric_about_zero():
    """On [-1, 2] or [0, 2] a sign slip in w2 or b changes the count (on a symmetric grid it cannot)."""
    X = [(0, 0), (0, 1), (1, 0), (1, 1)]
    for values in (np.array([-1.0, 0.5, 2.0]), np.array([0.0, 0.5, 1.0, 2.0])):
        for table in ([0, 0, 0, 1], [0, 1, 1, 1], [0, 1, 0, 1], [1, 1, 1, 1]):
            loop = sum(all((w1 * a + w2 * c + b > 0) == bool(t) for (a, c), t in zip(X, table))
                       for w1 in values for w2 in values for b in values)
            assert threshold.single_units_computing(np.array(table), values) == (loop, values.size ** 3)


# --- the interactive unit: the boundary line clipped to the box ---------------------------------------------

def chord(w, b, lim):
    """The ends of {x : w . x + b = 0} inside [-lim, lim]^2, found on the box's four sides (None if it misses)."""
    points = []
    for k in range(2):
        if w[1 - k] == 0:
            continue
        for side in (-lim, lim):  # x_k = side: solve for the other coordinate
            other = -(b + w[k] * side) / w[1 - k]
            if abs(other) <= lim * (1 + 1e-12):
                p = np.empty(2)
                p[k], p[1 - k] = side, other
                points.append(p)
    if not points:
        return None
    points = np.array(points)
    span = points @ np.array([-w[1], w[0]])  # position along the line
    return points[[np.argmin(span), np.argmax(span)]]


@pytest.mark.parametrize("w1, w2, b, lim", [
    (1, 2, 0.5, 2), (-3, 1, 2, 2), (0.5, -0.5, 0.1, 2), (2, 0.3, -1, 2),  # slanted lines
    (1, 0, -1.5, 2), (0, -2, 1, 2), (1, 0, -2, 2),                          # parallel to an axis; on the edge
    (1, 1, -4, 2),                                                          # touching the box at a corner only
    (1, 0, -200, 1e4),                                                      # far from 0, inside a large box
])
def test_halfplane_line_is_the_chord_of_the_box(w1, w2, b, lim):
    s = threshold.halfplane(w1, w2, b, lim=lim, n=11)
    want = chord(np.array([w1, w2], float), b, lim)
    assert s["line"] is not None
    got = s["line"][np.argsort(s["line"] @ np.array([-w2, w1]))]
    np.testing.assert_allclose(got, want, atol=1e-9 * lim)


@pytest.mark.parametrize("w1, w2, b", [(1, 0, -3), (0, 1, 2.5), (1, 1, -4.5), (1e-3, 0, 1e4)])
def test_halfplane_line_outside_the_box_is_not_drawn(w1, w2, b):
    s = threshold.halfplane(w1, w2, b)
    assert s["line"] is None and s["foot"] is not None
    assert s["fraction"] in (0.0, 1.0) and "fires where" in s["text"]


def test_halfplane_of_zero_weights_has_no_line_foot_or_normal():
    for b, word in ((1.0, "everywhere"), (-1.0, "nowhere"), (0.0, "nowhere")):
        s = threshold.halfplane(0.0, 0.0, b)
        assert s["line"] is None and s["foot"] is None and s["normal"] is None
        assert re.search(rf"fires {word}$", s["text"]), s["text"]


def test_halfplane_of_a_tiny_weight_warns_nothing_and_has_no_foot():
    """b / |w| overflows for w = 5e-324: the line is infinitely far, quietly (no RuntimeWarning in the notebook)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = threshold.halfplane(5e-324, 0.0, 1.0)
    assert s["foot"] is None and s["line"] is None
    np.testing.assert_array_equal(s["normal"], [1.0, 0.0])


def test_halfplane_defaults_and_limits():
    s = threshold.halfplane(1.0, 0.0, 0.0)
    np.testing.assert_array_equal(s["x1"], np.linspace(-2, 2, 161))
    for arg in ("w1", "w2", "b"):
        check_limits(threshold.halfplane, arg, accepted=[-1e6, 1e6], rejected=[-1e6 - 1, 1e6 + 1],
                     **dict(w1=1.0, w2=1.0, b=0.0, n=3))


# --- the smooth network -----------------------------------------------------------------------------------

X_SMALL = np.random.default_rng(3).uniform(-2, 2, size=(12, 2))
Y_SMALL = threshold.open_square(X_SMALL)


def test_train_smooth_defaults_are_the_documented_ones():
    """16 hidden units, 400 steps, lr 0.05, seed 1 (each default compared on its own, the others small)."""
    need_torch()
    for defaults, explicit in ((dict(hidden=1), dict(hidden=1, steps=400)), (dict(steps=1), dict(steps=1, hidden=16)),
                               (dict(hidden=2, steps=3), dict(hidden=2, steps=3, lr=0.05, seed=1))):
        classify, loss = threshold.train_smooth(X_SMALL, Y_SMALL, **defaults)
        classify_2, loss_2 = threshold.train_smooth(X_SMALL, Y_SMALL, **explicit)
        assert loss == loss_2
        np.testing.assert_array_equal(classify(X_SMALL), classify_2(X_SMALL))


@pytest.mark.parametrize("arg, accepted, rejected", [
    ("hidden", [1], [0, 4097]), ("steps", [1], [0, 10 ** 6 + 1]), ("lr", [10.0], [0.0, 10.5]), ("seed", [0], [-1])])
def test_train_smooth_limits(arg, accepted, rejected):
    need_torch()
    check_limits(threshold.train_smooth, arg, accepted, rejected, **dict(X=X_SMALL[:4], y=Y_SMALL[:4], hidden=2,
                                                                         steps=1))


@pytest.mark.parametrize("P", [np.ones((3, 3)), np.ones(2), [[0.0, np.nan]]])
def test_classify_names_bad_points(P):
    need_torch()
    classify, _ = threshold.train_smooth(X_SMALL[:4], Y_SMALL[:4], hidden=2, steps=1)
    with raises_naming("P", exc=ValueError):
        classify(P)


def test_halfplane_line_touching_a_corner_is_that_point():
    """x1 + x2 = 2 sqrt(2) meets the box [-sqrt(2), sqrt(2)]^2 only at its corner (sqrt(2), sqrt(2)): a chord of
    length 0, not "misses the box". (b = -2 |w| and lim = 2 / |w| make the foot land on the corner exactly.)"""
    norm = np.hypot(1.0, 1.0)
    s = threshold.halfplane(1.0, 1.0, -2 * norm, lim=2 / norm, n=11)
    np.testing.assert_allclose(s["line"], [[np.sqrt(2)] * 2] * 2, rtol=1e-15)


@pytest.mark.parametrize("w1, w2, b", [(5e-324, 1, 0.5), (1, 5e-324, -0.3), (1e-15, 1, 1.5), (-1, 1e-300, 1)])
def test_halfplane_line_of_a_nearly_axis_parallel_normal_is_its_chord_quietly(w1, w2, b):
    """A tiny nonzero component of the line's direction still clips it (its t overflows to ±inf: no warning)."""
    with np.errstate(all="ignore"):  # the expectation's own tiny divisions
        want = chord(np.array([w1, w2], float), b, 2.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = threshold.halfplane(w1, w2, b, n=11)
    got = s["line"][np.argsort(s["line"] @ np.array([-w2, w1]))]
    np.testing.assert_allclose(got, want, atol=1e-12)
