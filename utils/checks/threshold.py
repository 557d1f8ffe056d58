"""Checks of notebook 01 (logic-gate network): the four-input AND, the square's first layer, XOR with a
hidden layer, and the diamond |x1| + |x2| < 1 (a region the notebook does not build).

Every exercise is an Exercise (cases / collect / judge, see `_core`); `check_x(fn)` runs all three here.
The judges run networks with `_forward`, which decides every unit exactly: it fires where z = a . w + b > 0
for the exact values of the floats, with no tolerance (a tolerance that grows with the weights would let a
weight of 1e11 hide a z of 0.1). The test points are multiples of a power of 1/2 (exact in binary), so a point
is on a boundary or clearly off it, and weights such as 3 and bias 3 are as right as 1 and 1. Where a wrong
decision comes from round-off alone (z = 1e-17 where the student meant 0), the message says so.
"""
import math
from functools import partial
from typing import NamedTuple

import numpy as np

from .. import threshold
from ._answers import array, number, plain
from ._core import Exercise, _call, _fail

# Answers larger than these get a message, not a computation. Hidden layers: the exercises need 2 (XOR) and 4
# (the diamond) units, and the notebook's largest threshold network has 8 (the L of two rectangles); 64 leaves
# room for any redundant units a student adds, and bounds the judges' arrays at 64 times the test points (at
# most 9 665, at seed 0): 5 MB each, where 15 000 idle units would take a grader's worker past 1.9 GB.
_MAX_HIDDEN = 64
# Every weight, bias and test point is 0 or of magnitude 1e-100 to 1e100: no unit needs more, and within it no
# product or sum of the judges' floats overflows or underflows, which `_layer`'s error bound and split rely on.
_MAX_MAGNITUDE = 1e100
_UNIT_ROUNDOFF = 2.0 ** -53
# For messages only: z != 0 with |z| below this times the size of its terms (sum of |a_i w_i| and |b|) is what
# rounding each weight to 53 bits and a few operations on them make of a z meant to be 0.
_ROUNDOFF = 1e-14
_EXACT_WEIGHTS = "round-off in your weights; use weights whose products are exact, such as ±1"


# ----------------------------------------------------------------------------- answers as plain data



def _collect_weights(function, fn, inputs):
    """collect(fn, inputs), given as partial(_collect_weights, function), for an exercise whose function takes
    no arguments and returns weights. (A partial, not a closure made at import: mutation testing can reach it.)"""
    __tracebackhide__ = True
    return plain(function, _call(fn, function, case=f"the call {function}(), which takes no arguments"))


def _matrix(name, value, shapes):
    """`value` (a numpy array, a list of numbers or a number) as a float array of one of `shapes` whose entries are
    magnitudes the judge takes; otherwise CheckFailed saying what is wrong."""
    __tracebackhide__ = True
    return _bounded(name, array(name, value, shapes, lists=True))


def _bounded(name, value):
    """`value` (a float array) if every entry is 0 or of magnitude 1e-100 to 1e100; otherwise CheckFailed."""
    __tracebackhide__ = True
    size = np.abs(value)
    odd = (size > _MAX_MAGNITUDE) | ((size > 0) & (size < 1 / _MAX_MAGNITUDE))
    if odd.any():
        _fail(f"{name} holds {value[odd].flat[0]:.3g}, outside the magnitudes the judge takes (0, or 1e-100 to "
              "1e100): no threshold unit needs such a number")
    return value




def _pair(function, answer, what="(w, b)"):
    __tracebackhide__ = True
    if not isinstance(answer, (list, tuple)) or len(answer) != 2:
        got = f"a {type(answer).__name__} of length {len(answer)}" if isinstance(answer, (list, tuple)) else \
            type(answer).__name__
        if answer is None:
            _fail(f"{function} returned None: did you forget `return`?")
        _fail(f"{function} must return a pair {what}; got {got}")
    return answer


def _network(function, answer, single_layer_message):
    """A one-hidden-layer network (W, B) for two inputs, validated: returns [W0 (2, h), W1 (h, 1)], [B0 (h,), B1 (1,)]."""
    __tracebackhide__ = True
    W, B = _pair(function, answer, "(W, B) with W = [W0, W1] and B = [B0, B1]")
    if not isinstance(W, (list, tuple)) or not isinstance(B, (list, tuple)):
        _fail(f"{function}: W and B must be lists of arrays, W = [W0, W1] and B = [B0, B1]; "
              f"got W a {type(W).__name__}, B a {type(B).__name__}")
    if len(W) != len(B):
        _fail(f"{function}: W has {len(W)} matrices but B has {len(B)} bias vectors: one of each per layer")
    if len(W) == 1:
        _fail(f"{function}: {single_layer_message}")
    if len(W) != 2:
        _fail(f"{function}: use exactly one hidden layer, W = [W0, W1] and B = [B0, B1]; got {len(W)} layers")
    if isinstance(W[0], np.ndarray) and W[0].ndim == 2:
        _check_width(function, W[0].shape[1])  # from the shape alone, before any copy of the answer
    W0 = _matrix("W[0]", W[0], [(2, None)])
    h = W0.shape[1]
    if h == 0:
        _fail(f"{function}: the hidden layer has no units (W[0] has shape {W0.shape})")
    _check_width(function, h)
    B0 = _matrix("B[0]", B[0], [(h,)])
    W1 = _matrix("W[1]", W[1], [(h, 1), (h,)]).reshape(h, 1)
    B1 = _matrix("B[1]", B[1], [(1,), ()]).reshape(1)
    return [W0, W1], [B0, B1]


def _check_width(function, h):
    """CheckFailed for a hidden layer of more than _MAX_HIDDEN units, before anything of h times the test points
    is made (a grader's worker would otherwise hold it)."""
    __tracebackhide__ = True
    if h > _MAX_HIDDEN:
        _fail(f"{function}: a hidden layer of {h} units is too large: the judge takes at most {_MAX_HIDDEN}, "
              "and this exercise needs a handful")


# ----------------------------------------------------------------------------- running networks

class _Layer(NamedTuple):
    """One layer of threshold units on N points, each field (N, fan_out)."""
    z: np.ndarray         # the pre-activations, floats; correctly rounded from the exact value where |z| is small
    sign: np.ndarray      # the exact sign of z: -1.0, 0.0 or 1.0
    out: np.ndarray       # the outputs, 1.0 where the sign is 1 (z > 0) and 0.0 elsewhere
    roundoff: np.ndarray  # bool: z != 0 but within round-off of 0 (see _ROUNDOFF): for messages


def _forward(X, W, B):
    """Each layer of a threshold network, decided exactly (see `_layer`). X (N, d0); W[l] (fan_in, fan_out);
    B[l] (fan_out,), all checked by _matrix (finite, magnitudes bounded). Returns a list of _Layer."""
    layers, A = [], X
    for w, b in zip(W, B):
        layers.append(_layer(A, w, b))
        A = layers[-1].out
    return layers


def _layer(A, w, b):
    """Units with weights w (n, m) and biases b (m,) on inputs A (N, n), the sign of z = A @ w + b exact.

    Float arithmetic decides where it can prove the sign: the float z is off the exact sum of its terms by at
    most gamma_(n+1) times their size S = sum |a_i w_i| + |b|, whatever the order of summation (Higham, Accuracy
    and Stability of Numerical Algorithms, section 3.1), less than 2 (n + 2) u S with u = 2^-53. Where |z| is
    not above that plus _ROUNDOFF S (so that the messages' round-off test reads exact values), `_exact_sums`
    recomputes z exactly: only at points on or next to a unit's line, a few hundred per unit, so the judges stay
    at milliseconds. S = 0 is z = 0 exactly: with magnitudes bounded, no nonzero term rounds to 0."""
    # einsum, not @: with 2 inputs, BLAS's threads cost more than the product (29 ms against 2 ms for 64 units on
    # seed 0's 9 281 points, 2 busy cores)
    z = np.einsum("ni,im->nm", A, w)
    z += b
    size = np.einsum("ni,im->nm", np.abs(A), np.abs(w))
    size += np.abs(b)
    rows, units = np.nonzero((np.abs(z) <= (2 * (A.shape[1] + 2) * _UNIT_ROUNDOFF + _ROUNDOFF) * size) & (size > 0))
    roundoff = np.zeros(z.shape, dtype=bool)
    if rows.size:
        exact = _exact_sums(A[rows], w[:, units].T, b[units])
        z[rows, units] = exact
        roundoff[rows, units] = (exact != 0) & (np.abs(exact) <= _ROUNDOFF * size[rows, units])
    sign = np.sign(z)
    return _Layer(z, sign, (sign > 0).astype(np.float64), roundoff)


def _exact_sums(A, W, b):
    """sum_i A[k, i] W[k, i] + b[k] for each row k, correctly rounded from its exact value (so its sign is exact).
    A, W (K, n); b (K,). Veltkamp's split cuts each number into two halves of at most 26 bits, whose products
    (at most 52 bits, and far from underflow for magnitudes of 1e-100 or more) are exact floats; math.fsum adds
    them exactly and rounds once."""
    a_hi, a_lo = _halves(A)
    w_hi, w_lo = _halves(W)
    products = [p for p in (a_hi * w_hi, a_hi * w_lo, a_lo * w_hi, a_lo * w_lo) if p.any()]  # a 0/1 input has a_lo = 0
    terms = np.concatenate(products + [b[:, None]], axis=1)
    return np.array([math.fsum(row) for row in terms.tolist()])


def _halves(x):
    """x = hi + lo exactly, hi and lo of at most 26 significant bits each (Veltkamp's split, 2^27 + 1)."""
    c = 134217729.0 * x
    hi = c - (c - x)
    return hi, x - hi


def _by_roundoff(layer, names, rows=slice(None)):
    """bool (rows, fan_out): the units of `layer` that fire at the test points `rows` because of round-off alone
    (z > 0 but within round-off of 0, where z = 0 was meant) and have a name (names: one per unit, None for a
    unit not to name, one the next layer ignores)."""
    return layer.roundoff[rows] & (layer.sign[rows] > 0) & np.array([n is not None for n in names], dtype=bool)


def _roundoff_at(layers, row, names):
    """(name, z) of the first named unit that fires at test point `row` because of round-off alone, or None.
    names: one list per layer, as in _by_roundoff."""
    for layer, layer_names in zip(layers, names):
        units = np.flatnonzero(_by_roundoff(layer, layer_names, row))
        if units.size:
            return layer_names[units[0]], layer.z[row, units[0]]
    return None


def _roundoff_text(z):
    return f"{z:.2g}, not 0: {_EXACT_WEIGHTS}"


def _first(rows, layers, names):
    """The first of the test points `rows` (indices, not empty) where a named unit fires by round-off alone,
    else the first of them."""
    marked = np.zeros(len(rows), dtype=bool)
    for layer, layer_names in zip(layers, names):
        marked |= _by_roundoff(layer, layer_names, rows).any(axis=1)
    return rows[np.argmax(marked)] if marked.any() else rows[0]


def _point(p):
    return "(" + ", ".join(f"{v + 0.0:g}" for v in p) + ")"  # + 0.0: -0.0 is shown as 0


def _dyadic_grid(lim, denominator):
    """Every point of [-lim, lim]^2 whose coordinates are multiples of 1/denominator, shape (n*n, 2)."""
    k = np.arange(-int(lim * denominator), int(lim * denominator) + 1) / denominator
    g1, g2 = np.meshgrid(k, k)
    return np.column_stack([g1.ravel(), g2.ravel()])


def _random_dyadic(rng, n, lim, denominator):
    """n points drawn uniformly from the multiples of 1/denominator in [-lim, lim]^2, shape (n, 2)."""
    return rng.integers(-int(lim * denominator), int(lim * denominator) + 1, size=(n, 2)) / denominator


def _check_distance(name, w, b, want, region, note):
    """CheckFailed unless the line w . x + b = 0 of unit `name` lies at distance `want` from the centre (0, 0)."""
    __tracebackhide__ = True
    distance = b / np.linalg.norm(w)
    if not np.isclose(distance, want, rtol=1e-9):
        where = (f"outside {region}, so points on that edge are classified A: z must be exactly 0 on the edge"
                 if distance > want else f"inside {region}, so the region is too small")
        _fail(f"the line of {name} lies at distance {distance:.3g} from the centre, {where}{note}")


def _sign_advice(W0, B0, j, region):
    """What to change in unit j (b < 0: it does not fire at the centre). Flipping its bias alone keeps its normal;
    flipping weights and bias together turns it round. The advice is the flip whose normal no other unit has
    (turning unit j round onto another unit's edge only makes two units of one edge)."""
    others = {tuple(np.sign(W0[:, k]).astype(int)) for k in range(W0.shape[1]) if k != j}
    normal = tuple(np.sign(W0[:, j]).astype(int))
    if normal not in others and tuple(-n for n in normal) in others:
        return (f"its weights point into {region} from an edge no other unit bounds, but its bias has the wrong "
                "sign, so it fires only on the far side of its line, outside: change the sign of the bias alone "
                "(z = 0 on that edge, z > 0 at the centre)")
    return f"its half-plane points away from {region}; flip the signs of its weights and bias"


def _fail_misclassified(grid, got, want, boundary, fired, what, layers, names):
    """The message when no named mistake explains the answer: how many points are wrong, and one of them (one
    where a unit fires by round-off, if any). layers: the _forward layers on the grid and on the boundary."""
    __tracebackhide__ = True
    wrong = np.flatnonzero(got != want)
    points, on = (grid, layers[0]) if wrong.size else (boundary, layers[1])
    row = _first(wrong if wrong.size else np.flatnonzero(fired), on, names)
    roundoff = _roundoff_at(on, row, names)
    _fail(f"{wrong.size} of {len(grid)} grid points are misclassified, and {int(fired.sum())} of {len(boundary)} "
          f"points exactly on the {what} are classified A, e.g. {_point(points[row])}" +
          (f", where {roundoff[0]} has z = {_roundoff_text(roundoff[1])}" if roundoff else ""))


# ----------------------------------------------------------------------------- Exercise 1: the AND of four inputs

def _and4_cases(seed):
    """The 16 inputs of {0, 1}^4, in an order drawn from `seed`."""
    X = threshold.binary_inputs(4)
    return X[np.random.default_rng(seed).permutation(len(X))]


def _and4_judge(X, answer):
    """Mistakes named: fires with no input on (bias not negative), a weight that is not positive, z = 0 exactly
    on 1111 (the strict inequality), never fires (bias too negative), fires with fewer than four inputs on; a z
    that misses 0 by round-off alone (weights such as 0.1) is named as such."""
    __tracebackhide__ = True
    X = _matrix("inputs", X, [(16, 4)])
    w, b = _pair("and4_unit", answer)
    w = _matrix("w", w, [(4,), (4, 1)]).reshape(4)
    b = _bounded("b", np.array([number("b", b)]))
    layers = _forward(X, [w[:, None]], [b])
    z, sign, roundoff = layers[0].z[:, 0], layers[0].sign[:, 0], layers[0].roundoff[:, 0]
    fires = sign > 0
    on = X.sum(axis=1)
    if np.array_equal(fires, on == 4):
        return "fires for 1111 and for none of the other 15 inputs"
    if fires[on == 0].any():
        _fail(f"it fires with all four inputs off, where z = b = {b[0]:g}: the bias must be negative")
    if (w <= 0).any():
        i = int(np.argmax(w <= 0))
        _fail(f"input {i + 1} has weight {w[i]:g}: an input with a weight ≤ 0 cannot help the unit fire, "
              "but for an AND every input must count")
    if not fires.any():
        if np.any(sign[on == 4] == 0):
            _fail("it never fires: with all four inputs on z = 0 exactly, and the unit fires only for z > 0 (strict)")
        if np.any(roundoff[on == 4]):
            _fail(f"it never fires: with all four inputs on z = {z[on == 4][0]:.2g}, 0 but for round-off in your "
                  "weights, and the unit fires only for z > 0 (strict)")
        _fail(f"it never fires, not even for 1111 (z = {z[on == 4][0]:g} there): the bias is too negative")
    fewest = int(on[fires].min())
    row = _first(np.flatnonzero(fires & (on == fewest)), layers, [["the unit"]])
    _fail(f"it also fires for {''.join(str(int(v)) for v in X[row])}, with only {fewest} of the 4 inputs on: " +
          (f"z is {z[row]:.2g} there, not 0: {_EXACT_WEIGHTS}" if roundoff[row] else
           "the bias is not negative enough (z must be > 0 with four inputs on and ≤ 0 with three)"))


# fn() -> (w, b): a four-input AND unit, w of shape (4,) or (4, 1), b a number; fires only on 1111.
check_and4 = Exercise("check-and4",
                      "and4_unit", _and4_cases, partial(_collect_weights, "and4_unit"), _and4_judge, seed=0)



# ----------------------------------------------------------------------------- Exercise 3: the square's first layer

_SIDES = {(1, 0): "x1 = -1", (-1, 0): "x1 = 1", (0, 1): "x2 = -1", (0, -1): "x2 = 1"}  # inward normal -> its edge


def _square_cases(seed):
    """Points to classify: a grid of the box [-1.5, 1.5]^2 and points exactly on the square's edges and corners.
    seed 0: every multiple of 1/32, and edge points every 1/64; other seeds: 4000 random multiples of 1/1024, and
    on each edge its two ends and 100 random multiples of 1/1024."""
    if seed == 0:
        grid, t = _dyadic_grid(1.5, 32), np.arange(-64, 65) / 64
    else:
        rng = np.random.default_rng(seed)
        grid, t = _random_dyadic(rng, 4000, 1.5, 1024), np.concatenate([[-1.0, 1.0], rng.integers(-1023, 1024, 100) / 1024])
    edges = np.concatenate([np.column_stack([t, np.full_like(t, s)]) for s in (-1.0, 1.0)] +
                           [np.column_stack([np.full_like(t, s), t]) for s in (-1.0, 1.0)])
    return {"grid": grid, "edges": edges}


def _square_judge(cases, answer):
    """Mistakes named (the layer goes under a four-input AND): a transposed W0, a unit with w = 0, a unit whose
    half-plane points away from the square, a line through the centre, a tilted line, a line outside the square
    (edge points classified A), a line inside it (the region too small), an edge that no unit bounds; a unit that
    fires on its edge by round-off alone is named in the count of misclassified points."""
    __tracebackhide__ = True
    grid, edges = _matrix("grid", cases["grid"], [(None, 2)]), _matrix("edges", cases["edges"], [(None, 2)])
    W0, B0 = _pair("square_layer", answer, "(W0, B0)")
    W0 = _matrix("W0", W0, [(2, 4)])
    B0 = _matrix("B0", B0, [(4,)])
    on_edge = (np.abs(grid) <= 1).all(axis=1) & (np.abs(grid) == 1).any(axis=1)
    grid, edges = grid[~on_edge], np.unique(np.concatenate([edges, grid[on_edge]]), axis=0)  # each point once
    W, B = [W0, np.ones((4, 1))], [B0, np.array([-3.5])]
    layers = _forward(grid, W, B), _forward(edges, W, B)
    got_grid, got_edges = layers[0][-1].out[:, 0], layers[1][-1].out[:, 0]
    want_grid = threshold.open_square(grid)
    if np.array_equal(got_grid, want_grid) and not got_edges.any():
        return (f"the four units and an AND give the open square: 0 of {len(grid)} grid points and "
                f"0 of {len(edges)} points on the edges misclassified")
    for j in range(4):
        w, b = W0[:, j], B0[j]
        name = f"unit {j + 1} (column {j} of W0)"
        if not w.any():
            _fail(f"{name} has w = (0, 0): then z = b everywhere and it fires everywhere or nowhere; "
                  "its weights must be a normal vector of one edge")
        if b < 0:
            _fail(f"{name} does not fire at the centre (0, 0), where z = b = {b:g}: "
                  f"{_sign_advice(W0, B0, j, 'the square')}")
        if b == 0:
            _fail(f"{name} has z = 0 at the centre (0, 0): its line passes through the middle of the square, "
                  "not along an edge")
        if np.all(w != 0):
            _fail(f"{name} has w = ({w[0]:g}, {w[1]:g}): its line is tilted, but every edge of the square is "
                  "parallel to an axis")
        _check_distance(name, w, b, 1.0, "the square", "")
    normals = {tuple(np.sign(W0[:, j]).astype(int)) for j in range(4)}
    missing = [edge for normal, edge in _SIDES.items() if normal not in normals]
    if missing:
        _fail(f"no unit bounds the edge {missing[0]}: two units describe the same edge, and the region runs past "
              f"{missing[0]}")
    names = [[f"unit {j + 1} (column {j} of W0)" for j in range(4)], [None]]
    if np.array_equal(got_grid, want_grid):
        row = _first(np.flatnonzero(got_edges), layers[1], names)
        roundoff = _roundoff_at(layers[1], row, names)
        _fail(f"every grid point is right, but {int(got_edges.sum())} of the {len(edges)} points exactly on the "
              f"edges are classified A, e.g. {_point(edges[row])}" +
              (f", where {roundoff[0]} has z = {_roundoff_text(roundoff[1])}" if roundoff else
               ": -1 < x1 < 1 is strict, so each unit must have z = 0 exactly on its edge, not a little beyond it"))
    _fail_misclassified(grid, got_grid, want_grid, edges, got_edges, "edges", layers, names)


# fn() -> (W0, B0): the first layer for the open square, W0 (2, 4), B0 (4,); under a four-input AND it must fire
# exactly on |x1| < 1, |x2| < 1.
check_square_layer = Exercise("check-square-layer",
                              "square_layer", _square_cases, partial(_collect_weights, "square_layer"), _square_judge,
                              seed=0)



# ----------------------------------------------------------------------------- Exercise 2: XOR with a hidden layer

# What a wrong network computes instead (outputs for 00, 01, 10, 11) -> the message.
_XOR_NAMED = {
    "0111": "it computes OR: it also fires for 11, where XOR must not; the output must rule out 'both on' too",
    "1001": "it computes the opposite of XOR (XNOR): negate the output unit's weights and bias",
    "0001": "it computes AND: it fires only when both inputs are on",
    "1110": "it computes NAND: it also fires for 00",
    "1000": "it computes NOR: it fires only when both inputs are off",
    "0000": "it never fires: check the output unit's weights and bias against what the hidden units compute",
    "1111": "it fires for every input: check the output unit's weights and bias against what the hidden units compute",
    "0100": "it computes (NOT x1) AND x2: it fires for 01 but not for 10, and XOR treats x1 and x2 alike",
    "0010": "it computes x1 AND (NOT x2): it fires for 10 but not for 01, and XOR treats x1 and x2 alike",
    "0011": "its output follows x1 alone: x2 has no effect",
    "0101": "its output follows x2 alone: x1 has no effect",
    "1100": "it computes NOT x1: x2 has no effect",
    "1010": "it computes NOT x2: x1 has no effect",
    "1101": "it computes x1 ⇒ x2, that is (NOT x1) OR x2: it fires for 00 and 11 too, and not for 10",
    "1011": "it computes x2 ⇒ x1, that is x1 OR (NOT x2): it fires for 00 and 11 too, and not for 01",
}
# The gate a unit computes on the four inputs (outputs for 00, 01, 10, 11), for messages about hidden units.
_GATES = {"0000": "never fires", "1111": "always fires", "0001": "AND", "0111": "OR", "1110": "NAND", "1000": "NOR",
          "0110": "XOR", "1001": "XNOR", "0011": "x1", "0101": "x2", "1100": "NOT x1", "1010": "NOT x2",
          "0010": "x1 AND NOT x2", "0100": "x2 AND NOT x1", "1101": "x1 ⇒ x2", "1011": "x2 ⇒ x1"}


def _xor_cases(seed):
    """The four inputs of {0, 1}^2, in an order drawn from `seed`."""
    X = threshold.binary_inputs(2)
    return X[np.random.default_rng(seed).permutation(4)]


def _xor_judge(X, answer):
    """Mistakes named: no hidden layer, more than one, shapes (a transposed matrix), a pre-activation exactly 0
    on a truth-table input (the strict inequality), a unit that fires by round-off alone, and the function
    computed instead (every one of the 16 functions of two inputs has a name), a transposed square W0 (found by
    swapping it back), a hidden layer that gives an input of each class the same outputs (then no output unit
    helps: the message names the hidden units' gates)."""
    __tracebackhide__ = True
    X = _matrix("inputs", X, [(4, 2)])
    W, B = _network("xor_network", answer, "one unit draws one line, and no line separates {01, 10} from "
                    "{00, 11}: add a hidden layer, W = [W0, W1] and B = [B0, B1]")
    X = X[np.argsort(X @ [2, 1])]  # rows in the order 00, 01, 10, 11
    layers = _forward(X, W, B)
    table = "".join(str(int(v)) for v in layers[-1].out[:, 0])
    h = W[0].shape[1]
    if table == "0110":
        return f"XOR with a hidden layer of {h} unit{'s' * (h > 1)}: 00→0, 01→1, 10→1, 11→0"
    # a hidden unit the output ignores is harmless
    names = [[f"hidden unit {j + 1}" if W[1][j, 0] != 0 else None for j in range(h)], ["the output unit"]]
    for layer, layer_names in zip(layers, names):
        rows, units = np.nonzero((layer.sign == 0) & [name is not None for name in layer_names])
        if rows.size:
            _fail(f"for input {_INPUTS[rows[0]]}, {layer_names[units[0]]} has z = 0 exactly: a unit fires only "
                  f"for z > 0 (strict), so move its bias away from 0 there. Your network gives {_table(table)}")
    for row in range(4):
        roundoff = _roundoff_at(layers, row, names)
        if roundoff:
            _fail(f"for input {_INPUTS[row]}, {roundoff[0]} has z = {_roundoff_text(roundoff[1])}. "
                  f"Your network gives {_table(table)}")
    if h == 2 and _xor_table(X, [W[0].T, W[1]], B) == "0110":
        _fail("W[0] looks transposed: with its rows and columns swapped the network computes XOR. Row i of W0 "
              f"holds the weights out of input i, column j the weights into hidden unit j. Your network gives {_table(table)}")
    hidden = layers[0].out
    used = [j for j in range(h) if W[1][j, 0] != 0]
    gates = ", ".join(f"hidden unit {j + 1} {_gate_text(hidden[:, j])}" for j in used) or "no hidden unit is used"
    alike = [(p, q) for q in (0, 3) for p in (1, 2) if np.array_equal(hidden[p, used], hidden[q, used])]
    if alike:
        p, q = alike[0]
        _fail(f"it {_gate_text(table)}, and the hidden layer is at fault: it gives inputs {_INPUTS[q]} and "
              f"{_INPUTS[p]} the same outputs ({gates}), so no output unit can tell them apart, and XOR needs "
              f"{_INPUTS[q]}→0, {_INPUTS[p]}→1. Your network gives {_table(table)}; XOR needs 00→0, 01→1, 10→1, 11→0")
    _fail(f"{_XOR_NAMED.get(table, 'it does not compute XOR')} ({gates}). Your network gives {_table(table)}; "
          "XOR needs 00→0, 01→1, 10→1, 11→0")


_INPUTS = ["00", "01", "10", "11"]


def _xor_table(X, W, B):
    """The outputs of network (W, B) for the inputs X (00, 01, 10, 11 in that order), as a string such as "0110"."""
    return "".join(str(int(v)) for v in _forward(X, W, B)[-1].out[:, 0])


def _gate_text(outputs):
    """'computes OR' for a unit's outputs (for 00, 01, 10, 11)."""
    gate = _GATES["".join(str(int(v)) for v in outputs)]  # outputs: numbers, or a table string such as "0110"
    return gate if gate.endswith("fires") else f"computes {gate}"


def _table(table):
    return ", ".join(f"{x}→{v}" for x, v in zip(_INPUTS, table))


# fn() -> (W, B): XOR with one hidden layer, W = [W0 (2, h), W1 (h, 1)], B = [B0 (h,), B1 (1,)].
check_xor = Exercise("check-xor",
                     "xor_network", _xor_cases, partial(_collect_weights, "xor_network"), _xor_judge, seed=0)



# ----------------------------------------------------------------------------- Exercise 4: the diamond (transfer)

def _diamond_cases(seed):
    """Points to classify: a grid of [-1.5, 1.5]^2 and points exactly on the diamond's boundary |x1| + |x2| = 1,
    corners included. seed 0: multiples of 1/32 and boundary points every 1/64; other seeds: 4000 random
    multiples of 1/1024, and on each half of the boundary (x2 <= 0, x2 >= 0) the corners and 200 random points
    whose x1 is a multiple of 1/1024."""
    if seed == 0:
        grid, t = _dyadic_grid(1.5, 32), np.arange(-64, 65) / 64
    else:
        rng = np.random.default_rng(seed)
        grid = _random_dyadic(rng, 4000, 1.5, 1024)
        t = np.concatenate([[-1.0, 0.0, 1.0], rng.integers(-1023, 1024, 200) / 1024])
    boundary = np.concatenate([np.column_stack([t, s * (1 - np.abs(t))]) for s in (-1.0, 1.0)])
    return {"grid": grid, "boundary": boundary}


def _diamond(X, c=1.0):
    return (np.abs(X[:, 0]) + np.abs(X[:, 1]) < c).astype(float)


def _diamond_judge(cases, answer):
    """Mistakes named: no hidden layer, shapes, a hidden unit whose half-plane points away from the diamond,
    the square of Exercise 3 instead, a diamond of the wrong size (weights normalised but not the bias, or
    another bias), an output that fires with fewer than all hidden units on (not an AND), an output that does
    not fire when all are on (bias, or z = 0), boundary points classified A (strictness), a hidden unit whose
    line is not parallel to an edge, an edge that no unit bounds; a unit that fires by round-off alone (z = 1e-16
    where 0 was meant) is named at the point concerned."""
    __tracebackhide__ = True
    grid = _matrix("grid", cases["grid"], [(None, 2)])
    boundary = _matrix("boundary", cases["boundary"], [(None, 2)])
    on_boundary = np.abs(grid).sum(axis=1) == 1
    grid, boundary = grid[~on_boundary], np.unique(np.concatenate([boundary, grid[on_boundary]]), axis=0)
    W, B = _network("diamond_network", answer, "one unit is a half-plane, and the diamond is the intersection "
                    "of four: add a hidden layer of edge units and an AND, W = [W0, W1] and B = [B0, B1]")
    layers = _forward(grid, W, B), _forward(boundary, W, B)
    got, want = layers[0][-1].out[:, 0], _diamond(grid)
    on_boundary = layers[1][-1].out[:, 0]
    if np.array_equal(got, want) and not on_boundary.any():
        return (f"the diamond |x1| + |x2| < 1: 0 of {len(grid)} grid points and 0 of {len(boundary)} points on "
                "its boundary misclassified")
    W0, B0, W1 = W[0], B[0], W[1][:, 0]
    h = W0.shape[1]
    names = [[f"hidden unit {j + 1}" if W1[j] != 0 else None for j in range(h)], ["the output unit"]]
    for j in range(h):
        if B0[j] <= 0:
            _fail(f"hidden unit {j + 1} does not fire at the centre (0, 0), where z = b = {B0[j]:g}: every unit of "
                  "an AND must fire inside the diamond; " +
                  ("its line passes through the centre, not along an edge" if B0[j] == 0 else
                   _sign_advice(W0, B0, j, "the diamond")))
    if np.array_equal(got, threshold.open_square(grid)):
        _fail("that is the square of Exercise 3: the diamond's edges are not parallel to the axes; "
              "they run from (1, 0) to (0, 1), from (0, 1) to (-1, 0), and so on")
    for c in (np.sqrt(2), 2.0, 0.5, 1 / np.sqrt(2)):
        if np.array_equal(got, _diamond(grid, c)):
            why = (" (did you scale the weights to length 1 but keep the bias?)" if np.isclose(c, np.sqrt(2)) else "")
            _fail(f"your diamond has its corners at (±{c:.3g}, 0) and (0, ±{c:.3g}), not at distance 1{why}: "
                  "each unit's z must be 0 on its edge, e.g. at the corner (1, 0)")
    if np.all(W1 > 0) and np.allclose(W1, W1[0]):
        hidden_on, output = layers[0][0].out.sum(axis=1), layers[0][-1]
        lax = (got == 1) & (hidden_on < h)
        if lax.any():
            fewest = int(hidden_on[lax].min())
            row = _first(np.flatnonzero(lax & (hidden_on == fewest)), layers[0], [[None] * h, ["the output unit"]])
            _fail(f"the output fires with only {fewest} of the {h} hidden units on, e.g. at {_point(grid[row])}" +
                  (f", where its z is {_roundoff_text(output.z[row, 0])}" if output.roundoff[row, 0] else
                   f": it must be an AND, firing only when all {h} fire"))
        strict = np.flatnonzero((got == 0) & (hidden_on == h))
        if strict.size:
            row = strict[0]
            _fail("the output does not fire when all hidden units fire" +
                  (": its z is exactly 0 there, and a unit fires only for z > 0" if output.sign[row, 0] == 0 else
                   f": its z is {output.z[row, 0]:.2g} there, 0 but for round-off in your weights, and a unit fires "
                   "only for z > 0" if output.roundoff[row, 0] else
                   f" (its z is {output.z[row, 0]:g} there): its bias is too negative"))
    for j in range(h):
        w = W0[:, j]
        # relative only (atol=0): a weight 1e-9 is not as large as a weight 0; w[0] == 0 is then w = (0, 0)
        if not np.isclose(abs(w[0]), abs(w[1]), atol=0) or w[0] == 0:
            _fail(f"hidden unit {j + 1} has w = ({w[0]:g}, {w[1]:g}): its line is not parallel to an edge "
                  "of the diamond (the edges have slopes +1 and -1)")
        _check_distance(f"hidden unit {j + 1}", w, B0[j], np.sqrt(0.5), "the diamond",
                        " (the edges lie at distance 1/√2 ≈ 0.707)")
    normals = {tuple(np.sign(W0[:, j]).astype(int)) for j in range(h)}
    missing = [n for n in ((-1, -1), (1, -1), (-1, 1), (1, 1)) if n not in normals]
    if missing:
        corner = {(-1, -1): "(1, 0) to (0, 1)", (1, -1): "(-1, 0) to (0, 1)", (-1, 1): "(1, 0) to (0, -1)",
                  (1, 1): "(-1, 0) to (0, -1)"}[missing[0]]
        _fail(f"no hidden unit bounds the edge from {corner}: the region runs past it")
    if np.array_equal(got, want):
        row = _first(np.flatnonzero(on_boundary), layers[1], names)
        roundoff = _roundoff_at(layers[1], row, names)
        _fail(f"the boundary point {_point(boundary[row])} is classified A" +
              (f", where {roundoff[0]} has z = {_roundoff_text(roundoff[1])}" if roundoff else
               ": |x1| + |x2| < 1 is strict, so each edge unit must have z = 0 exactly on its edge"))
    _fail_misclassified(grid, got, want, boundary, on_boundary, "boundary", layers, names)


# fn() -> (W, B): the diamond |x1| + |x2| < 1 with one hidden layer, W = [W0 (2, h), W1 (h, 1)], B = [B0 (h,), B1
# (1,)]; checked on a grid and exactly on the boundary.
check_diamond = Exercise("check-diamond",
                         "diamond_network", _diamond_cases, partial(_collect_weights, "diamond_network"),
                         _diamond_judge, seed=0)
