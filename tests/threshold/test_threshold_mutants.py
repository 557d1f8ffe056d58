"""Behaviour of utils.threshold that `make mutate` found untested: the limits of every argument, the
messages naming a bad polygon's fault, the clipped boundary line of the interactive unit, and the counts of
single units on grids that are not symmetric about 0."""
import re
import warnings

import numpy as np
import pytest
from matplotlib.path import Path

from conftest import check_limits, raises_naming
from test_threshold import need_torch
from utils import threshold


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
