"""Notebook 01's judges on data the grader passes them (judge(cases, answer), outside the student's kernel):
a malformed test case or answer record gets a message that names what is wrong, never a crash and never a
pass. These are the paths a tampered or truncated record takes; the student's own calls are validated earlier,
in collect, and tested in test_checks_01.py. Also: the whole message of each named mistake a student reads, z
near 0 decided exactly (more in test_checks_01_exact.py), and what the cases of a grader's seed promise."""
from fractions import Fraction
from itertools import product

import numpy as np
import pytest

from helpers import judged
from utils import threshold
from utils.checks import CheckFailed
from utils.checks import threshold as threshold_checks
from utils.checks.threshold import _random_dyadic
from utils.checks.threshold import check_and4 as AND4, check_diamond as DIAMOND, check_square_layer as SQUARE_LAYER, check_xor as XOR


NETWORK = "(W, B) with W = [W0, W1] and B = [B0, B1]"


@pytest.mark.parametrize("exercise,name,pair", [(AND4, "and4_unit", "(w, b)"), (XOR, "xor_network", NETWORK),
                                                (SQUARE_LAYER, "square_layer", "(W0, B0)"),
                                                (DIAMOND, "diamond_network", NETWORK)])
def test_an_answer_that_is_no_pair_names_the_function_and_the_pair(exercise, name, pair):
    cases = exercise.cases(exercise.seed)
    assert judged(exercise, cases, None) == f"{name} returned None: did you forget `return`?"
    assert judged(exercise, cases, (1, 2, 3)) == f"{name} must return a pair {pair}; got a tuple of length 3"
    assert judged(exercise, cases, 7) == f"{name} must return a pair {pair}; got int"


def test_and4_names_a_missing_weight_vector_or_bias():
    cases = AND4.cases(AND4.seed)
    assert judged(AND4, cases, (None, -3.5)) == "w is None: did you forget `return`?"
    assert judged(AND4, cases, (np.ones(4), None)) == "b returned None: did you forget `return`?"
    assert judged(AND4, cases, (np.ones(4), -3.5)) == "fires for 1111 and for none of the other 15 inputs"


@pytest.mark.parametrize("exercise,answer", [(AND4, (np.ones(4), -3.5)), (XOR, None)])
def test_a_truth_table_case_that_is_missing_is_named_inputs(exercise, answer):
    assert judged(exercise, None, answer) == "inputs is None: did you forget `return`?"


@pytest.mark.parametrize("exercise,keys", [(SQUARE_LAYER, ("grid", "edges")), (DIAMOND, ("grid", "boundary"))])
def test_a_grid_case_that_is_missing_is_named(exercise, keys):
    cases = exercise.cases(exercise.seed)
    for key in keys:
        assert judged(exercise, {**cases, key: None}, None) == f"{key} is None: did you forget `return`?"


# ----------------------------------------------------------------------------- whole messages of named mistakes

SQUARE_W0 = np.array([[1.0, -1.0, 0.0, 0.0], [0.0, 0.0, 1.0, -1.0]])  # inward normals of x1 = -1, 1, x2 = -1, 1
DIAMOND_W0 = np.array([[1.0, 1.0, -1.0, -1.0], [1.0, -1.0, 1.0, -1.0]])  # inward normals of the diamond's edges
XOR_W = [np.array([[1.0, 1.0], [1.0, 1.0]]), np.array([[1.0], [-1.0]])]  # OR and AND units, output OR - AND
XOR_B = [np.array([-0.5, -1.5]), np.array([-0.5])]
XOR_NEEDS = "XOR needs 00→0, 01→1, 10→1, 11→0"
STRICT = "a unit fires only for z > 0 (strict), so move its bias away from 0 there"


def diamond(B0=np.ones(4), W1=np.ones((4, 1)), B1=(-3.5,), W0=DIAMOND_W0):
    return [W0, np.asarray(W1, dtype=float)], [np.asarray(B0, dtype=float), np.asarray(B1, dtype=float)]


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_and4_names_the_fewest_inputs_it_fires_for(seed):
    # 3.5 < w3 + w4 = 4: it fires for 0011 and with any three or four on; 0011 is the only pair it fires for
    assert judged(AND4, AND4.cases(seed), (np.array([1.0, 1.0, 2.0, 2.0]), -3.5)) == (
        "it also fires for 0011, with only 2 of the 4 inputs on: the bias is not negative enough "
        "(z must be > 0 with four inputs on and ≤ 0 with three)")


def test_and4_a_bias_that_cancels_the_weights_up_to_round_off_is_named_round_off():
    """3 * 3.3 + 0.1 = 10 in decimals, not in binary: the exact z of the floats on 1111 is -5.3e-16. The unit was
    meant to have z = 0 there (which would not fire either: the inequality is strict)."""
    w, b = np.array([3.3, 3.3, 3.3, 0.1]), -10.0
    z = sum(Fraction(v) for v in w) + Fraction(b)  # the floats' exact values
    assert z < 0 and np.ones(4) @ w + b != 0
    assert judged(AND4, AND4.cases(0), (w, b)) == (
        f"it never fires: with all four inputs on z = {float(z):.2g}, 0 but for round-off in your weights, and the "
        "unit fires only for z > 0 (strict)")


def test_and4_z_beside_terms_of_1e12_is_decided_exactly():
    """z = 1 on 1111 and 1 - a < 0 with three on, beside terms of about 1e12: the unit is a right AND (a tolerance
    of 1e-12 times the terms' size took z = 1 for 0 and said it never fires)."""
    a = (1e12 + 1) / 8
    w, b = np.full(4, a), -(4 * a - 1)
    assert 4 * Fraction(a) + Fraction(b) == 1 and 3 * Fraction(a) + Fraction(b) < 0
    assert judged(AND4, AND4.cases(0), (w, b)) == "fires for 1111 and for none of the other 15 inputs"


SHAPES = "(4,) or (4, 1)"


@pytest.mark.parametrize("w,message", [
    (np.array([2, 2, 2, 2]), "fires for 1111 and for none of the other 15 inputs"),  # integers are numbers
    # collect records booleans as 0/1 floats, so a record that still holds booleans did not come from it
    (np.array([True, True, True, True]), f"w must be a numeric numpy array of shape {SHAPES}; got ndarray"),
    (np.array(["a", "b", "c", "d"]), f"w must be a numeric numpy array of shape {SHAPES}; got ndarray"),
    ([[1.0, 1.0], [1.0]],
     f"w must be an array of numbers of shape {SHAPES}; got a list that is not a table of numbers"),
    ([1.0, None, 1.0, 1.0], "w contains NaN or inf"),
])
def test_and4_weights_of_another_type(w, message):
    assert judged(AND4, AND4.cases(0), (w, -7.0)) == message


def test_collect_refuses_an_array_of_text():
    with pytest.raises(CheckFailed) as excinfo:
        AND4.collect(lambda: (np.array(["1", "1", "1", "1"]), -3.5), AND4.cases(0))
    assert str(excinfo.value) == "and4_unit[0] must be numbers or numpy arrays; got an array of <U1"


@pytest.mark.parametrize("seed", [1, 5])
def test_truth_table_cases_are_every_input_once_in_an_order_drawn_from_the_seed(seed):
    for exercise, n in ((AND4, 4), (XOR, 2)):
        cases = exercise.cases(seed)
        np.testing.assert_array_equal(cases, exercise.cases(seed))  # a grader can judge a record again
        assert {tuple(row) for row in cases} == {tuple(row) for row in threshold.binary_inputs(n)}
        orders = {tuple(map(tuple, exercise.cases(s))) for s in range(seed, seed + 10)}
        assert len(orders) > 2


def test_square_names_a_wrong_shape_that_is_no_transpose():
    assert judged(SQUARE_LAYER, SQUARE_LAYER.cases(0), (np.ones((3, 4)), np.ones(4))) == (
        "W0 has shape (3, 4), expected (2, 4)")


@pytest.mark.parametrize("b,where", [
    (1 + 1e-7, "outside the square, so points on that edge are classified A: z must be exactly 0 on the edge"),
    (0.5, "inside the square, so the region is too small")])
def test_square_names_a_line_off_its_edge_and_how_far_it_lies(b, where):
    distance = f"{b:.3g}"  # the unit's line x1 = -b lies at distance b
    assert judged(SQUARE_LAYER, SQUARE_LAYER.cases(0), (SQUARE_W0, np.array([b, 1.0, 1.0, 1.0]))) == (
        f"the line of unit 1 (column 0 of W0) lies at distance {distance} from the centre, {where}")


def test_square_a_grid_point_closer_to_an_edge_than_the_distance_tolerance_is_counted_misclassified():
    """A grader's grid may hold a point 2^-31 outside the edge x1 = -1; unit 1's line lies 2^-30 outside that edge,
    within the judge's 1e-9 of distance 1, so every unit passes its own checks, but the point is classified A: the
    message counts the misclassified grid points and the edge points classified A, and names the point."""
    cases = SQUARE_LAYER.cases(0)
    cases = {**cases, "grid": np.vstack([cases["grid"], [[-1 - 2.0 ** -31, 0.0]]])}
    on_edge = (np.abs(cases["grid"]) <= 1).all(axis=1) & (np.abs(cases["grid"]) == 1).any(axis=1)
    edges = {tuple(p) for p in np.concatenate([cases["edges"], cases["grid"][on_edge]])}
    fired = [p for p in edges if p[0] == -1 and abs(p[1]) < 1]  # z = 2^-30 for unit 1; the corners have z = 0
    B0 = np.ones(4)
    B0[0] = 1 + 2.0 ** -30
    assert judged(SQUARE_LAYER, cases, (SQUARE_W0, B0)) == (
        f"1 of {np.sum(~on_edge)} grid points are misclassified, and {len(fired)} of {len(edges)} points exactly on "
        "the edges are classified A, e.g. (-1, 0)")

def test_xor_right_answer_counts_its_hidden_units():
    assert judged(XOR, XOR.cases(0), (XOR_W, XOR_B)) == (
        "XOR with a hidden layer of 2 units: 00→0, 01→1, 10→1, 11→0")
    W = [np.array([[1.0, 1.0, 0.0], [1.0, 1.0, 0.0]]), np.array([[1.0], [-1.0], [0.0]])]  # a third, unused unit
    assert judged(XOR, XOR.cases(0), (W, [np.array([-0.5, -1.5, 0.0]), XOR_B[1]])) == (
        "XOR with a hidden layer of 3 units: 00→0, 01→1, 10→1, 11→0")


def test_xor_names_every_function_of_two_inputs():
    """The statement promises that the check names the gate a wrong network computes: all 16 tables have a name."""
    assert len(threshold_checks._XOR_NAMED) == 15 and "0110" not in threshold_checks._XOR_NAMED
    assert sorted(threshold_checks._XOR_NAMED) == sorted(f"{k:04b}" for k in range(16) if k != 0b0110)
    W, B = [np.array([[-1.0], [0.0]]), np.ones((1, 1))], [np.array([0.5]), np.array([-0.5])]  # NOT x1
    assert judged(XOR, XOR.cases(0), (W, B)).startswith("it computes NOT x1, and the hidden layer is at fault")


@pytest.mark.parametrize("w,b,label,table", [
    ((1.0, 1.0), 0.0, "00", "00→0, 01→1, 10→1, 11→1"),     # z = x1 + x2: 0 only at 00
    ((1.0, -1.0), -1.0, "10", "00→0, 01→0, 10→0, 11→0"),   # z = x1 - x2 - 1: 0 only at 10
    ((1.0, 1.0), -2.0, "11", "00→0, 01→0, 10→0, 11→0")])   # z = x1 + x2 - 2: 0 only at 11
def test_xor_names_the_input_where_a_hidden_unit_has_z_equal_0(w, b, label, table):
    W, B = [np.array(w)[:, None], np.ones((1, 1))], [np.array([b]), np.array([-0.5])]
    assert judged(XOR, XOR.cases(0), (W, B)) == (
        f"for input {label}, hidden unit 1 has z = 0 exactly: {STRICT}. Your network gives {table}")


def test_xor_names_an_output_with_z_equal_0_even_when_it_ignores_every_hidden_unit():
    W, B = [XOR_W[0], np.zeros((2, 1))], [XOR_B[0], np.array([0.0])]
    assert judged(XOR, XOR.cases(0), (W, B)) == (
        f"for input 00, the output unit has z = 0 exactly: {STRICT}. Your network gives 00→0, 01→0, 10→0, 11→0")


def test_xor_an_output_that_ignores_every_hidden_unit_is_blamed_on_the_hidden_layer_it_does_not_use():
    W, B = [XOR_W[0], np.zeros((2, 1))], [XOR_B[0], np.array([0.5])]  # z = 0.5 for every input
    assert judged(XOR, XOR.cases(0), (W, B)) == (
        "it always fires, and the hidden layer is at fault: it gives inputs 00 and 01 the same outputs (no hidden "
        f"unit is used), so no output unit can tell them apart, and XOR needs 00→0, 01→1. Your network gives 00→1, "
        f"01→1, 10→1, 11→1; {XOR_NEEDS}")

@pytest.mark.parametrize("answer,message", [
    ((XOR_W, 3), "xor_network: W and B must be lists of arrays, W = [W0, W1] and B = [B0, B1]; got W a list, B a int"),
    ((XOR_W, [XOR_B[0], np.zeros(2)]), "B[1] has shape (2,), expected (1,) or ()"),
    (([[[1.0, 1.0], [1.0]], XOR_W[1]], XOR_B),
     "W[0] must be an array of numbers of shape (2, k); got a list that is not a table of numbers")])
def test_xor_names_a_malformed_network(answer, message):
    assert judged(XOR, XOR.cases(0), answer) == message


def test_diamond_names_a_hidden_unit_with_z_equal_0_at_the_centre():
    assert judged(DIAMOND, DIAMOND.cases(0), diamond(B0=[0.0, 1.0, 1.0, 1.0])) == (
        "hidden unit 1 does not fire at the centre (0, 0), where z = b = 0: every unit of an AND must fire inside "
        "the diamond; its line passes through the centre, not along an edge")


@pytest.mark.parametrize("c,corner", [(0.5, "0.5"), (1 / np.sqrt(2), "0.707"), (2.0, "2")])
def test_diamond_names_the_size_of_a_diamond_of_the_wrong_size(c, corner):
    # z = ±x1 ± x2 + c: the diamond |x1| + |x2| < c, corners at distance c
    assert judged(DIAMOND, DIAMOND.cases(0), diamond(B0=np.full(4, c))) == (
        f"your diamond has its corners at (±{corner}, 0) and (0, ±{corner}), not at distance 1: "
        "each unit's z must be 0 on its edge, e.g. at the corner (1, 0)")


def test_diamond_an_and_that_fires_with_three_units_on_names_a_point_where_it_does():
    grid = np.array([[0.0, 0.0], [0.75, 0.75], [1.25, 1.25], [1.25, 0.0]])  # in; 3 units on; 3 on; 2 on
    cases = {"grid": grid, "boundary": DIAMOND.cases(0)["boundary"]}
    assert judged(DIAMOND, cases, diamond(B1=[-2.5])) == (
        "the output fires with only 3 of the 4 hidden units on, e.g. at (0.75, 0.75): it must be an AND, "
        "firing only when all 4 fire")


def test_diamond_misclassified_names_the_count_and_the_first_wrong_point():
    """Unit 4 (x1 + x2 < 1) outweighs the bias with any one other unit: the output fires outside the diamond
    wherever x1 + x2 < 1, e.g. at (0.75, -1) and (-1, 0.75), and on the boundary except on unit 4's edge."""
    grid = np.array([[0.0, 0.0], [0.75, -1.0], [-1.0, 0.75], [1.25, 0.0]])
    boundary = DIAMOND.cases(0)["boundary"]
    fired = int(np.sum(np.unique(boundary, axis=0).sum(axis=1) < 1))
    assert judged(DIAMOND, {"grid": grid, "boundary": boundary}, diamond(W1=[[1.0], [1.0], [1.0], [3.0]])) == (
        f"2 of 4 grid points are misclassified, and {fired} of {len(np.unique(boundary, axis=0))} points exactly on "
        "the boundary are classified A, e.g. (0.75, -1)")


def test_diamond_an_output_with_no_weights_is_misclassified_not_called_an_and():
    """W1 = 0 and B1 = 1: the output fires everywhere, whatever the hidden units say (so not an AND of them)."""
    cases = DIAMOND.cases(0)
    on = np.abs(cases["grid"]).sum(axis=1) == 1
    grid, boundary = cases["grid"][~on], np.unique(np.concatenate([cases["boundary"], cases["grid"][on]]), axis=0)
    outside = np.abs(grid).sum(axis=1) > 1
    assert judged(DIAMOND, cases, diamond(W1=np.zeros((4, 1)), B1=[1.0])) == (
        f"{outside.sum()} of {len(grid)} grid points are misclassified, and {len(boundary)} of {len(boundary)} points "
        "exactly on the boundary are classified A, "
        f"e.g. ({grid[outside][0][0]:g}, {grid[outside][0][1]:g})")


@pytest.mark.parametrize("w", [(0.0, 1e-9), (1e-9, 0.0)])
def test_diamond_a_unit_with_one_weight_0_is_not_parallel_to_an_edge(w):
    """A weight of 1e-9 is not 'as large as' a weight 0: the line is (nearly) parallel to an axis."""
    W0 = DIAMOND_W0.copy()
    W0[:, 0] = w
    assert judged(DIAMOND, DIAMOND.cases(0), diamond(W0=W0)) == (
        f"hidden unit 1 has w = ({w[0]:g}, {w[1]:g}): its line is not parallel to an edge of the diamond "
        "(the edges have slopes +1 and -1)")


def test_diamond_a_boundary_point_with_a_zero_coordinate_is_shown_with_0_not_minus_0():
    """The diamond's own cases hold -0.0 (s * (1 - |t|) with s = -1 at a corner); here every 0 of the cases is -0.0.
    Units 1 and 2 lie 2^-40 outside their edges, which meet at the corner (-1, 0): it is the first boundary point
    classified A (in the order of x1, then x2), and the message shows it as a student writes it."""
    cases = {key: np.where(points == 0, -0.0, points) for key, points in DIAMOND.cases(0).items()}
    assert np.signbit(cases["boundary"][cases["boundary"] == 0]).all()
    assert judged(DIAMOND, cases, diamond(B0=[1 + 2.0 ** -40, 1 + 2.0 ** -40, 1.0, 1.0])) == (
        "the boundary point (-1, 0) is classified A: |x1| + |x2| < 1 is strict, so each edge unit must have z = 0 "
        "exactly on its edge")


def test_diamond_a_single_unit_pointing_away_is_told_to_flip_weights_and_bias():
    """One unit, w = (1, 1), b = -1: it fires beyond the edge x1 + x2 = 1. No other unit has the opposite normal, so
    the advice is to turn it round, not to change the sign of its bias alone (the advice for a unit whose edge is the
    far side of another unit's)."""
    answer = [np.array([[1.0], [1.0]]), np.ones((1, 1))], [np.array([-1.0]), np.array([-0.5])]
    assert judged(DIAMOND, DIAMOND.cases(0), answer) == (
        "hidden unit 1 does not fire at the centre (0, 0), where z = b = -1: every unit of an AND must fire inside "
        "the diamond; its half-plane points away from the diamond; flip the signs of its weights and bias")


# ----------------------------------------------------------------------------- a grader's cases (seeds other than 0)

def test_random_dyadic_draws_every_multiple_of_one_over_the_denominator_in_the_box():
    points = _random_dyadic(np.random.default_rng(0), 2000, 1.0, 2)
    assert points.shape == (2000, 2)
    for column in points.T:
        assert set(column) == {-1.0, -0.5, 0.0, 0.5, 1.0}


def assert_grader_grid(grid):
    assert grid.shape == (4000, 2)
    assert np.all(grid * 1024 == np.round(grid * 1024)) and np.abs(grid).max() <= 1.5  # dyadic, in the box
    assert len(np.unique(grid, axis=0)) > 3900


@pytest.mark.parametrize("seed", [1, 2, 7])
def test_square_cases_of_a_grader_seed(seed):
    """4000 random grid points, and on each edge its two ends and 100 random points, all multiples of 1/1024."""
    cases = SQUARE_LAYER.cases(seed)
    again, other = SQUARE_LAYER.cases(seed), SQUARE_LAYER.cases(seed + 100)
    assert all(np.array_equal(cases[k], again[k]) for k in cases)  # a grader can judge a record again
    assert not np.array_equal(cases["grid"], other["grid"]) and not np.array_equal(cases["edges"], other["edges"])
    assert_grader_grid(cases["grid"])
    edges = cases["edges"]
    assert edges.shape == (4 * 102, 2) and np.all(edges * 1024 == np.round(edges * 1024))
    assert np.all(np.abs(edges).max(axis=1) == 1)  # on the square's boundary
    assert {(-1, -1), (-1, 1), (1, -1), (1, 1)} <= {tuple(p) for p in edges}  # its corners
    for side in (edges[:, 0] == 1, edges[:, 0] == -1, edges[:, 1] == 1, edges[:, 1] == -1):
        assert len(np.unique(edges[side], axis=0)) > 90  # spread along each edge


@pytest.mark.parametrize("seed", [1, 2, 7])
def test_diamond_cases_of_a_grader_seed(seed):
    """4000 random grid points, and on the boundary its corners and 200 random points per half."""
    cases = DIAMOND.cases(seed)
    again, other = DIAMOND.cases(seed), DIAMOND.cases(seed + 100)
    assert all(np.array_equal(cases[k], again[k]) for k in cases)
    assert not np.array_equal(cases["grid"], other["grid"]) and not np.array_equal(cases["boundary"],
                                                                                   other["boundary"])
    assert_grader_grid(cases["grid"])
    boundary = cases["boundary"]
    assert boundary.shape == (2 * 203, 2) and np.all(boundary * 1024 == np.round(boundary * 1024))
    assert np.all(np.abs(boundary).sum(axis=1) == 1)  # on the diamond's boundary
    assert {(-1, 0), (1, 0), (0, -1), (0, 1)} <= {tuple(p) for p in boundary}  # its corners
    for quadrant in product((1, -1), repeat=2):
        assert len(np.unique(boundary[np.all(boundary * quadrant > 0, axis=1)], axis=0)) > 30  # spread on each edge


def test_diamond_output_weights_that_differ_by_more_than_round_off_are_not_taken_for_an_and():
    """W1 = 1, 1 + 1e-5, 1 + 2e-5, 1 + 1e-5 (1e-5 is numpy's closeness): not equal weights, so the judge does
    not guess an AND of the hidden units; it counts the points the output gets wrong (here: where three units
    are on, outside the diamond, next to each edge)."""
    W1 = np.array([[1.0], [1 + 1e-5], [1 + 2e-5], [1 + 1e-5]])
    cases = DIAMOND.cases(0)
    on = np.abs(cases["grid"]).sum(axis=1) == 1
    grid, boundary = cases["grid"][~on], np.unique(np.concatenate([cases["boundary"], cases["grid"][on]]), axis=0)
    units_on = lambda X: (X @ DIAMOND_W0 + 1 > 0).sum(axis=1)  # noqa: E731  (dyadic points: exact)
    wrong = (units_on(grid) == 3) & (np.abs(grid).sum(axis=1) > 1)
    assert judged(DIAMOND, cases, diamond(W1=W1, B1=[-2.5])) == (
        f"{wrong.sum()} of {len(grid)} grid points are misclassified, and {np.sum(units_on(boundary) >= 3)} of "
        f"{len(boundary)} points exactly on the boundary are classified A, e.g. ({grid[wrong][0][0]:g}, {grid[wrong][0][1]:g})")
