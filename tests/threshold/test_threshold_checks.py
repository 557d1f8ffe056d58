"""Checks of notebook 01: right answers (written here, not taken from utils) pass, each recognised mistake gets
its message, malformed answers get a message (the contract of every exercise: tests/workbook/test_exercises.py)."""
import re
from pathlib import Path

import numpy as np
import pytest

import helpers
from helpers import named_with_a_graders_seed, require
from utils import checks
from utils.checks import threshold as threshold_checks

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "01-logic-gate-network.ipynb"


def passes(check, answer, capsys):
    check(lambda: answer)
    out = capsys.readouterr().out
    assert out.startswith("✓"), out
    return out


def fails_with(check, answer, pattern):
    return helpers.fails_with(check, answer if callable(answer) else (lambda: answer), pattern)


def raising(exc):
    def fn():
        raise exc
    return fn


# ----------------------------------------------------------------------------- Exercise 1: and4_unit

@pytest.mark.parametrize("w, b", [(np.ones(4), -3.5), ([1, 1, 1, 1], -3.01), (np.full((4, 1), 2.0), -7.5),
                                  (np.array([1.0, 2.0, 3.0, 4.0]), -9.5)])
def test_and4_right_answers_pass(w, b, capsys):
    assert "fires for 1111" in passes(threshold_checks.check_and4, (w, b), capsys)


@pytest.mark.parametrize("answer, pattern", [
    ((np.ones(4), 0.5), r"^it fires with all four inputs off, where z = b = 0.5: the bias must be negative"),
    ((np.array([1.0, 1.0, 1.0, 0.0]), -2.5), r"^input 4 has weight 0: an input with a weight ≤ 0 cannot help the unit "
                                             r"fire, but for an AND every input must count"),
    ((np.array([1.0, -1.0, 1.0, 1.0]), -1.5), r"^input 2 has weight -1: an input"),
    ((np.ones(4), -4.0), r"^it never fires: with all four inputs on z = 0 exactly, and the unit fires only for z > 0 "
                         r"\(strict\)"),
    ((np.ones(4), -5.0), r"^it never fires, not even for 1111 \(z = -1 there\): the bias is too negative"),
    ((np.ones(4), -2.5), r"^it also fires for 1011, with only 3 of the 4 inputs on: the bias is not negative enough "
                         r"\(z must be > 0 with four inputs on and ≤ 0 with three\)"),
    ((np.ones(4), -0.5), r"^it also fires for 0010, with only 1 of the 4 inputs on: the bias"),
])
def test_and4_mistakes_are_named(answer, pattern):
    fails_with(threshold_checks.check_and4, answer, pattern)


@pytest.mark.parametrize("answer, pattern", [
    (None, "returned None"),
    ((np.ones(4),), "pair"),
    ((np.ones(3), -3.5), r"shape \(3,\)"),
    ((np.ones((1, 4)), -3.5), r"shape \(1, 4\)"),
    ((np.ones(4), None), "None"),
    ((np.ones(4), np.nan), "nan"),
    ((np.ones(4), [-3.5]), "number"),
    ((np.array([1.0, np.inf, 1.0, 1.0]), -3.5), "NaN or inf"),
    ((np.ones(4), "-3.5"), "numbers or numpy arrays"),
    ((["a", "b", "c", "d"], -3.5), "numbers or numpy arrays"),
    ({"w": 1}, "numbers or numpy arrays"),
    (raising(NotImplementedError()), "not written yet"),
    (raising(ZeroDivisionError("division by zero")), r"^and4_unit raised ZeroDivisionError: division by zero \(on "
                                                      r"the call and4_unit\(\), which takes no arguments\)$"),
    ("not a function", "must be a function"),
])
def test_and4_malformed_answers_get_a_message(answer, pattern):
    helpers.fails_with(threshold_checks.check_and4, answer if callable(answer) or isinstance(answer, str) else (lambda: answer),
                       pattern)


# ----------------------------------------------------------------------------- Exercise 3: square_layer

SQUARE_W0 = np.array([[1.0, -1.0, 0.0, 0.0], [0.0, 0.0, 1.0, -1.0]])  # x1 + 1 > 0, -x1 + 1 > 0, x2 ..., -x2 ...
SQUARE_B0 = np.ones(4)


@pytest.mark.parametrize("W0, B0", [
    (SQUARE_W0, SQUARE_B0),
    (3 * SQUARE_W0, 3 * SQUARE_B0),                       # scaled: the same half-planes
    (SQUARE_W0 / 3, SQUARE_B0 / 3),                       # scaled by a number that is not exact in binary
    (SQUARE_W0[:, [2, 0, 3, 1]], SQUARE_B0),              # the units in another order
    (SQUARE_W0 * [1, 2, 3, 4], np.array([1.0, 2, 3, 4])),  # each unit scaled differently
    (SQUARE_W0.tolist(), SQUARE_B0.tolist()),             # lists are accepted
])
def test_square_layer_right_answers_pass(W0, B0, capsys):
    assert "0 of" in passes(threshold_checks.check_square_layer, (W0, B0), capsys)


def test_square_and_diamond_messages_count_each_test_point_once(capsys):
    """The ✓ messages count distinct points: seed 0 tests multiples of 1/32 in [-1.5, 1.5]^2 (97^2 points) and
    boundary points every 1/64; the square's boundary holds 4 * 128 of those, the diamond's 4 * 64, and the grid
    points on a boundary (4 * 64 for the square, 4 * 32 for the diamond) move from the grid to the boundary."""
    out = passes(threshold_checks.check_square_layer, (SQUARE_W0, SQUARE_B0), capsys)
    assert f"0 of {97 ** 2 - 4 * 64} grid points and 0 of {4 * 128} points on the edges" in out
    out = passes(threshold_checks.check_diamond, diamond(), capsys)
    assert f"0 of {97 ** 2 - 4 * 32} grid points and 0 of {4 * 64} points on its boundary" in out


def with_unit(j, w, b):
    W0, B0 = SQUARE_W0.copy(), SQUARE_B0.copy()
    W0[:, j], B0[j] = w, b
    return W0, B0


@pytest.mark.parametrize("answer, pattern", [
    ((SQUARE_W0.T, SQUARE_B0), r"^W0 has shape \(4, 2\), expected \(2, 4\): it is transposed"),
    (with_unit(0, [0, 0], 1), r"^unit 1 \(column 0 of W0\) has w = \(0, 0\): then z = b everywhere and it fires "
                              r"everywhere or nowhere; its weights must be a normal vector of one edge"),
    (with_unit(0, [-1, 0], -1), r"^unit 1 \(column 0 of W0\) does not fire at the centre \(0, 0\), where z = b = -1: "
                                r"its half-plane points away from the square; flip the signs of its weights and bias$"),
    # every w right, every b negative (the trial's mistake): turning unit 1 round would copy unit 2's edge
    ((SQUARE_W0, -SQUARE_B0), r"^unit 1 \(column 0 of W0\) does not fire at the centre \(0, 0\), where z = b = -1: "
                              r"its weights point into the square from an edge no other unit bounds, but its bias has "
                              r"the wrong sign, so it fires only on the far side of its line, outside: change the sign "
                              r"of the bias alone \(z = 0 on that edge, z > 0 at the centre\)$"),
    # the closed square, a hair too large: every grid point right, the edges fire; the message says why
    ((SQUARE_W0, SQUARE_B0 * (1 + 1e-9)), rf"^every grid point is right, but {4 * 128} of the {4 * 128} points "
                                          r"exactly on the edges are classified A, e\.g\. \(-1, -1\): -1 < x1 < 1 is "
                                          r"strict, so each unit must have z = 0 exactly on its edge, not a little "
                                          r"beyond it$"),
    (with_unit(2, [0, 1], 0), r"^unit 3 \(column 2 of W0\) has z = 0 at the centre \(0, 0\): its line passes through "
                              r"the middle of the square, not along an edge"),
    (with_unit(1, [-1, 0.5], 1), r"^unit 2 \(column 1 of W0\) has w = \(-1, 0.5\): its line is tilted, but every edge "
                                 r"of the square is parallel to an axis"),
    (with_unit(3, [0, -1], 1.01), r"^the line of unit 4 \(column 3 of W0\) lies at distance 1.01 from the centre, "
                                  r"outside the square, so points on that edge are classified A: z must be exactly 0 on the edge"),
    ((SQUARE_W0, 0.5 * SQUARE_B0), r"^the line of unit 1 \(column 0 of W0\) lies at distance 0.5 from the centre, "
                                   r"inside the square, so the region is too small"),
    (with_unit(1, [1, 0], 1), r"^no unit bounds the edge x1 = 1: two units describe the same edge, and the region runs "
                              r"past x1 = 1"),
])
def test_square_layer_mistakes_are_named(answer, pattern):
    fails_with(threshold_checks.check_square_layer, answer, pattern)


@pytest.mark.parametrize("answer, pattern", [
    (None, "returned None"),
    ((SQUARE_W0, SQUARE_B0, 0), "pair"),
    ((SQUARE_W0[:, :3], SQUARE_B0[:3]), r"shape \(2, 3\), expected \(2, 4\)"),
    ((SQUARE_W0, np.ones(3)), r"B0 has shape \(3,\)"),
    ((SQUARE_W0, np.full(4, np.nan)), "NaN or inf"),
    (([[1, -1, 0, 0], [0, 0, 1]], SQUARE_B0), "not a table of numbers"),
    ((SQUARE_W0, None), "B0 is None"),
    (raising(NotImplementedError()), "not written yet"),
])
def test_square_layer_malformed_answers_get_a_message(answer, pattern):
    fails_with(threshold_checks.check_square_layer, answer, pattern)


# ----------------------------------------------------------------------------- Exercise 2: xor_network

def xor_or_nand_and():
    return [np.array([[1.0, -1.0], [1.0, -1.0]]), np.array([[1.0], [1.0]])], [np.array([-0.5, 1.5]), np.array([-1.5])]


def xor_two_and_nots_or():  # (x1 and not x2) or (not x1 and x2), written with other numbers
    return [np.array([[2.0, -2.0], [-2.0, 2.0]]), np.array([3.0, 3.0])], [np.array([-1.0, -1.0]), -1.0]


def xor_three_hidden():  # hidden: x1 + x2 >= 1, x1 + x2 >= 2, and a unit that always fires
    return ([np.array([[1.0, 1.0, 0.0], [1.0, 1.0, 0.0]]), np.array([[1.0], [-2.0], [0.0]])],
            [np.array([-0.5, -1.5, 1.0]), np.array([-0.5])])


@pytest.mark.parametrize("network", [xor_or_nand_and, xor_two_and_nots_or, xor_three_hidden])
def test_xor_right_answers_pass(network, capsys):
    assert "00→0, 01→1, 10→1, 11→0" in passes(threshold_checks.check_xor, network(), capsys)


def xor_with(W1, B1):
    (W0, _), (B0, _) = xor_or_nand_and()
    return [W0, np.array(W1, dtype=float)], [B0, np.array(B1, dtype=float)]


@pytest.mark.parametrize("answer, pattern", [
    (([np.ones((2, 1))], [np.array([-0.5])]), r"^xor_network: one unit draws one line, and no line separates \{01, "
                                              r"10\} from \{00, 11\}: add a hidden layer, W = \[W0, W1\] and B = \[B0, B1\]"),
    (xor_with([[1.0], [1.0]], [-0.5]), r"^it fires for every input: check the output unit's weights and bias against what the hidden units compute "
                                       r"\(hidden unit 1 computes OR, hidden unit 2 computes NAND\). Your network gives "
                                       r"00→1, 01→1, 10→1, 11→1; XOR needs 00→0, 01→1, 10→1, 11→0"),
    (([np.array([[1.0, 1.0], [1.0, 1.0]]), np.ones((2, 1))], [np.array([-0.5, -0.5]), np.array([-1.5])]),
     r"^it computes OR, and the hidden layer is at fault: it gives inputs 11 and 01 the same outputs \(hidden unit 1 "
     r"computes OR, hidden unit 2 computes OR\), so no output unit can tell them apart, and XOR needs 11→0, 01→1. "
     r"Your network gives"),
    (xor_with([[-1.0], [-1.0]], [1.5]), r"^it computes the opposite of XOR \(XNOR\): negate the output unit's weights "
                                        r"and bias \(hidden unit 1 computes OR, hidden unit 2 computes NAND\). Your network gives 00→1, 01→0, 10→0, 11→1; XOR needs 00→0, 01→1, 10→1, 11→0"),
    (([np.array([[1.0, 1.0], [1.0, 1.0]]), np.ones((2, 1))], [np.array([-1.5, -1.5]), np.array([-1.5])]),
     r"^it computes AND, and the hidden layer is at fault: it gives inputs 00 and 01 the same outputs \(hidden unit 1 "
     r"computes AND, hidden unit 2 computes AND\), so no output unit can tell them apart, and XOR needs 00→0, 01→1. "
     r"Your network gives 00→0, 01→0, 10→0, 11→1; XOR needs 00→0, 01→1, 10→1, 11→0$"),
    # an output AND over hidden units that are right (AND, NOR): the output is named, with the table
    (([np.array([[1.0, -1.0], [1.0, -1.0]]), np.ones((2, 1))], [np.array([-1.5, 0.5]), np.array([-1.5])]),
     r"^it never fires: check the output unit's weights and bias against what the hidden units compute \(hidden "
     r"unit 1 computes AND, hidden unit 2 computes NOR\)"),
    (([np.array([[-1.0, -1.0], [-1.0, -1.0]]), np.ones((2, 1))], [np.array([1.5, 1.5]), np.array([-0.5])]),
     r"^it computes NAND, and the hidden layer is at fault: it gives inputs 00 and 01 the same outputs"),
    # the trial's mistake: the hidden NAND given bias +0.5 computes NOR; the hidden layer is blamed, not the output
    (([np.array([[1.0, -1.0], [1.0, -1.0]]), np.ones((2, 1))], [np.array([-0.5, 0.5]), np.array([-1.5])]),
     r"^it never fires, and the hidden layer is at fault: it gives inputs 11 and 01 the same outputs \(hidden unit 1 "
     r"computes OR, hidden unit 2 computes NOR\), so no output unit can tell them apart, and XOR needs 11→0, 01→1. "
     r"Your network gives 00→0, 01→0, 10→0, 11→0; XOR needs 00→0, 01→1, 10→1, 11→0$"),
    # the trial's mistake: the model answer's W0 transposed (square, so its shape is right)
    (([np.array([[1.0, 1.0], [-1.0, -1.0]]), np.ones((2, 1))], [np.array([-0.5, 1.5]), np.array([-1.5])]),
     r"^W\[0\] looks transposed: with its rows and columns swapped the network computes XOR. Row i of W0 holds the "
     r"weights out of input i, column j the weights into hidden unit j. Your network gives 00→0, 01→0, 10→1, 11→0$"),
    (xor_with([[1.0], [1.0]], [-2.5]), r"^it never fires: check the output unit's weights and bias against what the "
                                       r"hidden units compute \(hidden unit 1 computes OR, hidden unit 2 computes "
                                       r"NAND\). Your network gives 00→0, 01→0, 10→0, 11→0; XOR needs 00→0, 01→1, 10→1, "
                                       r"11→0"),
    (([np.array([[1.0, 0.0], [-1.0, 0.0]]), np.array([[1.0], [0.0]])], [np.array([-0.5, 0.0]), np.array([-0.5])]),
     r"^it computes x1 AND NOT x2, and the hidden layer is at fault: it gives inputs 00 and 01 the same outputs "
     r"\(hidden unit 1 computes x1 AND NOT x2\)"),
    (([np.array([[1.0, 0.0], [0.0, 0.0]]), np.array([[1.0], [0.0]])], [np.array([-0.5, 0.0]), np.array([-0.5])]),
     r"^it computes x1, and the hidden layer is at fault: it gives inputs 00 and 01 the same outputs \(hidden unit "
     r"1 computes x1\)"),
    (([np.array([[1.0, -1.0], [1.0, -1.0]]), np.ones((2, 1))], [np.array([-1.0, 1.5]), np.array([-1.5])]),
     r"^for input 01, hidden unit 1 has z = 0 exactly: a unit fires only for z > 0 \(strict\), so move its bias away "
     r"from 0 there. Your network gives 00→0, 01→0, 10→0, 11→0"),
    (xor_with([[1.0], [1.0]], [-2.0]), r"^for input 01, the output unit has z = 0 exactly: a unit fires only"),
])
def test_xor_mistakes_are_named(answer, pattern):
    fails_with(threshold_checks.check_xor, answer, pattern)


@pytest.mark.parametrize("answer, pattern", [
    (None, "returned None"),
    ((np.ones((2, 2)), np.ones(2)), "W and B must be lists"),
    (([np.ones((2, 2)), np.ones((2, 1))], [np.ones(2)]), "W has 2 matrices but B has 1"),
    (([np.ones((2, 2)), np.ones((2, 2)), np.ones((2, 1))], [np.ones(2), np.ones(2), np.ones(1)]), "exactly one hidden "
                                                                                                  "layer"),
    (([np.ones((3, 2)), np.ones((2, 1))], [np.ones(2), np.ones(1)]), r"W\[0\] has shape \(3, 2\)"),
    (([np.ones((2, 2)), np.ones((1, 2))], [np.ones(2), np.ones(1)]), r"W\[1\] has shape \(1, 2\).*transposed"),
    (([np.ones((2, 2)), np.ones((2, 1))], [np.ones(3), np.ones(1)]), r"B\[0\] has shape \(3,\)"),
    (([np.ones((2, 0)), np.ones((0, 1))], [np.ones(0), np.ones(1)]), "hidden layer has no units"),
    (([np.ones((2, 2)), np.ones((2, 1))], [np.ones(2), np.nan]), "NaN or inf"),
    (([np.ones((2, 2)), "W1"], [np.ones(2), np.ones(1)]), "numbers or numpy arrays"),
    (raising(NotImplementedError()), "not written yet"),
])
def test_xor_malformed_answers_get_a_message(answer, pattern):
    fails_with(threshold_checks.check_xor, answer, pattern)


# ----------------------------------------------------------------------------- Exercise 4: diamond_network

DIAMOND_W0 = np.array([[-1.0, 1.0, -1.0, 1.0], [-1.0, -1.0, 1.0, 1.0]])  # -x1 - x2 + 1 > 0, x1 - x2 + 1 > 0, ...


def diamond(W0=DIAMOND_W0, B0=np.ones(4), W1=np.ones((4, 1)), B1=np.array([-3.5])):
    return [W0, W1], [B0, B1]


@pytest.mark.parametrize("answer", [
    diamond(),
    diamond(DIAMOND_W0 / 3, np.ones(4) / 3),                   # weights not exact in binary
    diamond(DIAMOND_W0 * [1, 2, 3, 4], np.array([1.0, 2, 3, 4])),
    diamond(W1=np.full(4, 2.0), B1=-7.0),                      # another AND
    diamond(np.hstack([DIAMOND_W0, [[0.0], [1.0]]]), np.ones(5) * [1, 1, 1, 1, 5], np.ones((5, 1)), np.array([-4.5])),
])
def test_diamond_right_answers_pass(answer, capsys):
    assert "|x1| + |x2| < 1" in passes(threshold_checks.check_diamond, answer, capsys)


@pytest.mark.parametrize("answer, pattern", [
    ((DIAMOND_W0, np.ones(4)), r"^diamond_network: W and B must be lists of arrays, W = \[W0, W1\] and B = \[B0, B1\]; "
                               r"got W a ndarray, B a ndarray"),
    (([DIAMOND_W0], [np.ones(4)]), r"^diamond_network: one unit is a half-plane, and the diamond is the intersection "
                                   r"of four: add a hidden layer of edge units and an AND, W = \[W0, W1\] and B = \[B0, B1\]"),
    (diamond(-DIAMOND_W0, -np.ones(4)), r"^hidden unit 1 does not fire at the centre \(0, 0\), where z = b = -1: every "
                                        r"unit of an AND must fire inside the diamond; its weights point into the diamond from an edge no other unit "
                                        r"bounds, but its bias has the wrong sign"),
    (diamond(DIAMOND_W0, -np.ones(4)), r"^hidden unit 1 does not fire at the centre \(0, 0\), where z = b = -1: every "
                                       r"unit of an AND must fire inside the diamond; its weights point into the diamond "
                                       r"from an edge no other unit bounds, but its bias has the wrong sign"),
    (diamond(DIAMOND_W0 * [[-1, 1, 1, 1]], np.array([-1.0, 1.0, 1.0, 1.0])), r"^hidden unit 1 does not fire at the "
                                       r"centre \(0, 0\), where z = b = -1: every unit of an AND must fire inside the "
                                       r"diamond; its half-plane points away from the diamond; flip the signs of its "
                                       r"weights and bias$"),
    (diamond(SQUARE_W0, SQUARE_B0), r"^that is the square of Exercise 3: the diamond's edges are not parallel to the "
                                    r"axes; they run from \(1, 0\) to \(0, 1\), from \(0, 1\) to \(-1, 0\), and so on"),
    (diamond(DIAMOND_W0 / np.sqrt(2)), r"^your diamond has its corners at \(±1.41, 0\) and \(0, ±1.41\), not at "
                                       r"distance 1 \(did you scale the weights to length 1 but keep the bias\?\): each unit's z must be 0 on its edge, e.g. at the corner \(1, 0\)"),
    (diamond(B0=2 * np.ones(4)), r"^your diamond has its corners at \(±2, 0\) and \(0, ±2\), not at distance 1: each "
                                 r"unit"),
    (diamond(B1=np.array([-2.5])), r"^the output fires with only 3 of the 4 hidden units on, e.g. at \(-1.5, -1.5\): "
                                   r"it must be an AND, firing only when all 4 fire"),
    (diamond(B1=np.array([-0.5])), r"^the output fires with only 2 of the 4 hidden units on"),  # every point fires two or more
    (diamond(B1=np.array([-4.0])), r"^the output does not fire when all hidden units fire: its z is exactly 0 there, "
                                   r"and a unit fires only for z > 0"),
    (diamond(B1=np.array([-4.5])), r"^the output does not fire when all hidden units fire \(its z is -0.5 there\): its "
                                   r"bias is too negative"),
    (diamond(B0=np.array([1.01, 1, 1, 1])), r"^the line of hidden unit 1 lies at distance 0.714 from the centre, "
                                            r"outside the diamond, so points on that edge are classified A: z must be exactly 0 on the edge \(the edges lie at distance 1/√2 ≈ 0.707\)"),
    (diamond(B0=np.array([1.0, 0.9, 1, 1])), r"^the line of hidden unit 2 lies at distance 0.636 from the centre, "
                                             r"inside the diamond, so the region is too small \(the edges"),
    (diamond(DIAMOND_W0 * [[1], [2]]), r"^hidden unit 1 has w = \(-1, -2\): its line is not parallel to an edge of the "
                                       r"diamond \(the edges have slopes \+1 and -1\)"),
    (diamond(DIAMOND_W0[:, [0, 0, 2, 3]]), r"no hidden unit bounds the edge from \(-1, 0\) to \(0, 1\)"),
])
def test_diamond_mistakes_are_named(answer, pattern):
    fails_with(threshold_checks.check_diamond, answer, pattern)


@pytest.mark.parametrize("answer, pattern", [
    (None, "returned None"),
    (diamond(DIAMOND_W0.T), r"W\[0\] has shape \(4, 2\).*transposed"),
    (diamond(B0=np.ones(3)), r"B\[0\] has shape \(3,\)"),
    (diamond(B1=np.array([np.nan])), "NaN or inf"),
    (diamond(W1=None), r"W\[1\] is None"),
    (raising(NotImplementedError()), "not written yet"),
    (raising(ValueError("shapes (2,4) and (3,)")), "raised ValueError"),
])
def test_diamond_malformed_answers_get_a_message(answer, pattern):
    fails_with(threshold_checks.check_diamond, answer, pattern)


# ----------------------------------------------------------------------------- a grader's seeds, torch answers


def test_grader_seeds_draw_other_points():
    for exercise in (threshold_checks.check_square_layer, threshold_checks.check_diamond):
        a, b = exercise.cases(0), exercise.cases(99)
        assert not np.array_equal(a["grid"], b["grid"][: len(a["grid"])])


def test_collect_records_tensors_as_arrays():
    try:
        import torch
    except ImportError:
        require(False, "torch is not installed: pip install -r requirements.txt")
    answers = threshold_checks.check_and4.collect(lambda: (torch.ones(4, dtype=torch.float64), torch.tensor(-3.5)), None)
    assert isinstance(answers[0], np.ndarray) and isinstance(answers[1], np.ndarray)
    assert threshold_checks.check_and4.judge(threshold_checks.check_and4.cases(0), answers).startswith("fires for 1111")


@pytest.mark.parametrize("grade_id", sorted(checks.exercises_of(threshold_checks)))
def test_collect_messages_name_the_students_function(grade_id):
    """What collect cannot record is reported under the name of the function the student wrote."""
    exercise = checks.exercises_of(threshold_checks)[grade_id]
    name, inputs = exercise.function, exercise.cases(0)
    for fn, pattern in [("weights", f"^{name} must be a function; got str"),
                        (raising(NotImplementedError()), f"^{name} is not written yet"),
                        (raising(KeyError("w")), f"^{name} raised KeyError"),
                        (lambda: (np.ones(4), "b"), rf"^{name}\[1\] must be numbers or numpy arrays; got str")]:
        with pytest.raises(checks.CheckFailed, match=pattern):
            exercise.collect(fn, inputs)


# ----------------------------------------------------------------------------- messages past the named mistakes

@pytest.mark.parametrize("duplicate, edge", [(1, "(1, 0) to (0, 1)"), (0, "(-1, 0) to (0, 1)"),
                                             (3, "(1, 0) to (0, -1)"), (2, "(-1, 0) to (0, -1)")])
def test_diamond_names_each_edge_no_unit_bounds(duplicate, edge):
    """Unit j of DIAMOND_W0 bounds one edge; replacing it by a copy of another leaves that edge open."""
    missing = {0: 1, 1: 0, 2: 3, 3: 2}[duplicate]  # the unit replaced by a copy of `duplicate`
    W0 = DIAMOND_W0.copy()
    W0[:, missing] = DIAMOND_W0[:, duplicate]
    fails_with(threshold_checks.check_diamond, diamond(W0), rf"^no hidden unit bounds the edge from {re.escape(edge)}: the region")
    # the edge named is the one the removed unit bounded: its two corners satisfy w . x + 1 = 0
    corners = [np.array(c, dtype=float) for c in re.findall(r"\((-?\d), (-?\d)\)", edge)]
    assert all(DIAMOND_W0[:, missing] @ c + 1 == 0 for c in corners)


def point_in(message):
    return np.array([float(v) for v in re.search(r"\((-?[\d.]+), (-?[\d.]+)\)", message).groups()])


def test_diamond_edge_unit_a_hair_outside_its_edge_names_a_boundary_point():
    """A bias off by 1e-11 passes the distance test (round-off cannot be told from it) but makes z > 0 on the
    edge: the message names a boundary point, and that point is on the diamond's boundary."""
    failed = fails_with(threshold_checks.check_diamond, diamond(B0=np.array([1 + 1e-11, 1, 1, 1])),
                        r"^the boundary point \(.*\) is classified A: \|x1\| \+ \|x2\| < 1 is strict, so each edge "
                        r"unit")
    p = point_in(str(failed.value))
    assert np.abs(p).sum() == 1 and DIAMOND_W0[:, 0] @ p + 1 == 0


def test_square_unit_a_hair_outside_its_edge_counts_the_edge_points():
    """As above for the square: unit 1 (x1 + 1 > 0) fires on its edge x1 = -1, at the 127 edge points k/64,
    |k| < 64, strictly between the corners."""
    W0, B0 = with_unit(0, [1, 0], 1 + 1e-11)
    failed = fails_with(threshold_checks.check_square_layer, (W0, B0),
                        rf"^every grid point is right, but 127 of the {4 * 128} points exactly on the edges are "
                        r"classified A, e\.g\. ")
    p = point_in(str(failed.value))
    assert p[0] == -1 and abs(p[1]) < 1


def test_diamond_output_that_is_no_and_counts_the_grid_points_it_gets_wrong():
    W1 = np.array([[1.0], [1.0], [1.0], [2.0]])  # units 2, 3 and 4 together outweigh the bias without unit 1
    answer = diamond(W1=W1)
    cases = threshold_checks.check_diamond.cases(0)
    on = np.abs(cases["grid"]).sum(axis=1) == 1
    grid, boundary = cases["grid"][~on], np.unique(np.concatenate([cases["boundary"], cases["grid"][on]]), axis=0)
    fires = lambda X: ((X @ DIAMOND_W0 + 1 > 0) @ W1[:, 0] - 3.5 > 0)  # noqa: E731  (dyadic points: exact)
    wrong = int(np.sum(fires(grid) != (np.abs(grid).sum(axis=1) < 1)))
    failed = fails_with(threshold_checks.check_diamond, answer, rf"^{wrong} of {len(grid)} grid points are misclassified, and "
                                                      rf"{int(fires(boundary).sum())} of {len(boundary)} points exactly "
                                                      r"on the boundary are classified A, e\.g\. ")
    assert wrong > 0 and np.abs(point_in(str(failed.value))).sum() > 1  # the example lies outside the diamond


def test_diamond_output_that_fires_with_three_units_on_names_a_point_where_it_fires():
    """Output weights 1, 1, 1 and 1 + 1e-6 (equal within np.allclose: the judge reads them as an AND's) and bias
    -(3 + 5e-7): the output fires with three units on when unit 4 is one of them, not when unit 4 is off. The point
    named is the first grid point where it fires with three on, not the first with three on (where unit 4 is off)."""
    W1, B1 = np.array([[1.0], [1.0], [1.0], [1.0 + 1e-6]]), -(3 + 5e-7)
    grid = threshold_checks.check_diamond.cases(0)["grid"]
    grid = grid[np.abs(grid).sum(axis=1) != 1]
    units = grid @ DIAMOND_W0 + 1 > 0  # dyadic points: exact
    three = units.sum(axis=1) == 3
    assert not units[np.argmax(three), 3]  # the first point with three units on has unit 4 off
    first = grid[three & units[:, 3]][0]
    fails_with(threshold_checks.check_diamond, diamond(W1=W1, B1=np.array([B1])),
               helpers.whole(f"the output fires with only 3 of the 4 hidden units on, e.g. at ({first[0]:g}, "
                             f"{first[1]:g}): it must be an AND, firing only when all 4 fire"))


def test_diamond_output_too_negative_is_named_where_all_hidden_units_fire_at_one_grid_point_only():
    """Hidden weights 32 times too large make a diamond |x1| + |x2| < 1/32, which holds one grid point of seed 0
    (multiples of 1/32), the centre; an output bias of -4.5 does not fire there: z = 4 - 4.5."""
    fails_with(threshold_checks.check_diamond, diamond(32 * DIAMOND_W0, B1=np.array([-4.5])),
               helpers.whole("the output does not fire when all hidden units fire (its z is -0.5 there): its bias is "
                             "too negative"))


def test_xor_message_shows_the_whole_truth_table_of_the_network():
    answer = ([np.array([[1.0, 1.0], [1.0, 1.0]]), np.ones((2, 1))], [np.array([-0.5, -0.5]), np.array([-1.5])])
    fails_with(threshold_checks.check_xor, answer, r"^it computes OR.*Your network gives 00→0, 01→1, 10→1, 11→1; "
                                         r"XOR needs 00→0, 01→1, 10→1, 11→0")


def _and_of_hidden(W0, B0, bias):
    """A network of threshold units: the hidden layer (W0, B0), then one output unit adding them up with `bias`."""
    return [np.array(W0), np.ones((np.shape(W0)[1], 1))], [np.array(B0), np.array([bias])]


# A mistake of every exercise of this notebook, judged on a grader's cases: (the student's function, what the message
# must say). tests/workbook/test_exercises.py checks that every declared exercise has an entry in such a dict.
GRADERS_SEED_MISTAKES = {
    "check-and4": (lambda: (np.ones(4), -2.5), r"^it also fires for [01]{4}, with only 3 of the 4 inputs on"),
    "check-xor": (lambda: _and_of_hidden([[1.0, -1.0], [1.0, -1.0]], [-0.5, 1.5], -0.5), "^it fires for every input"),
    "check-square-layer": (lambda: (np.array([[1.0, -1.0, 0.0, 0.0], [0.0, 0.0, 1.0, -1.0]]), 0.5 * np.ones(4)),
                           r"^the line of unit 1 \(column 0 of W0\) lies at distance 0.5 from the centre"),
    "check-diamond": (lambda: _and_of_hidden([[-1.0, 1.0, -1.0, 1.0], [-1.0, -1.0, 1.0, 1.0]], np.ones(4), -2.5),
                      "^the output fires with only 3 of the 4 hidden units on"),
}


@pytest.mark.parametrize("gid", sorted(GRADERS_SEED_MISTAKES))
def test_a_mistake_is_named_with_a_graders_seed(gid):
    named_with_a_graders_seed(gid, *GRADERS_SEED_MISTAKES[gid])
