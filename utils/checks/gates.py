"""Checks of notebook 01 (logic-gate network): the four-input AND, the square's first layer, XOR with a
hidden layer, and the diamond |x1| + |x2| < 1 (a region the notebook does not build).

Every exercise is an Exercise (cases / collect / judge, see `_core`); `check_x(fn)` runs all three here.
The judges run networks with `_forward`, which counts a pre-activation within round-off of 0 as 0, so that
an answer is judged by its mathematics (weights 3 and bias 3 are as right as 1 and 1), not by its last bit.
The test points are multiples of a power of 1/2 (exact in binary), so a point is on a boundary or clearly
off it.
"""
from functools import partial

import numpy as np

from .. import threshold
from ._core import Exercise, _call, _fail, _number

_ROUNDOFF = 1e-12  # |z| at most this times the size of its terms counts as z = 0


# ----------------------------------------------------------------------------- answers as plain data

def _record(name, value):
    """The student's answer as plain data (numpy arrays, floats, None, lists of these), for `collect`.
    Tensors become arrays; anything that is not numbers raises CheckFailed."""
    __tracebackhide__ = True
    if value is None:
        return None
    if hasattr(value, "detach"):  # a torch tensor
        value = value.detach().cpu().numpy()
    if isinstance(value, (list, tuple)):
        items = []
        for i, v in enumerate(value):  # a loop, not a comprehension (see _core: hidden frames)
            items.append(_record(f"{name}[{i}]", v))
        return items
    if isinstance(value, np.ndarray) and (np.issubdtype(value.dtype, np.number) or value.dtype == bool):
        return value.astype(np.float64)
    if isinstance(value, (bool, int, float, np.number)):
        return float(value)
    _fail(f"{name} must be numbers or numpy arrays; got {type(value).__name__}")


def _collect_weights(function, fn, inputs):
    """collect(fn, inputs), given as partial(_collect_weights, function), for an exercise whose function takes
    no arguments and returns weights. (A partial, not a closure made at import: mutation testing can reach it.)"""
    __tracebackhide__ = True
    return _record(function, _call(fn, function))


def _matrix(name, value, shapes):
    """`value` (a numpy array, a list of numbers or a number) as a float array of one of `shapes` (tuples;
    None matches any length); otherwise CheckFailed saying what is wrong."""
    __tracebackhide__ = True
    want = " or ".join(_shape_text(s) for s in shapes)
    if value is None:
        _fail(f"{name} is None: did you forget to return it?")
    if isinstance(value, (list, tuple)):
        try:
            value = np.array(value, dtype=np.float64)
        except (TypeError, ValueError):
            _fail(f"{name} must be an array of numbers of shape {want}; got a {type(value).__name__} "
                  "that is not a table of numbers")
    elif isinstance(value, (int, float, np.number)) and not isinstance(value, bool):
        value = np.array(float(value))
    if not isinstance(value, np.ndarray) or not (np.issubdtype(value.dtype, np.number) or value.dtype == bool):
        _fail(f"{name} must be a numeric numpy array of shape {want}; got {type(value).__name__}")
    if not any(_fits(value.shape, s) for s in shapes):
        if value.ndim == 2 and any(_fits(value.shape[::-1], s) for s in shapes):
            _fail(f"{name} has shape {value.shape}, expected {want}: it is transposed")
        _fail(f"{name} has shape {value.shape}, expected {want}")
    value = value.astype(np.float64)
    if not np.all(np.isfinite(value)):
        _fail(f"{name} contains NaN or inf")
    return value


def _fits(actual, shape):
    return len(actual) == len(shape) and all(s is None or s == a for s, a in zip(shape, actual))


def _shape_text(shape):
    return "(" + ", ".join("k" if s is None else str(s) for s in shape) + (",)" if len(shape) == 1 else ")")


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
    W0 = _matrix("W[0]", W[0], [(2, None)])
    h = W0.shape[1]
    if h == 0:
        _fail(f"{function}: the hidden layer has no units (W[0] has shape {W0.shape})")
    B0 = _matrix("B[0]", B[0], [(h,)])
    W1 = _matrix("W[1]", W[1], [(h, 1), (h,)]).reshape(h, 1)
    B1 = _matrix("B[1]", B[1], [(1,), ()]).reshape(1)
    return [W0, W1], [B0, B1]


# ----------------------------------------------------------------------------- running networks

def _forward(X, W, B):
    """Pre-activations and outputs of each layer of a threshold network; |z| within round-off of 0 is 0.
    X (N, d0); W[l] (fan_in, fan_out); B[l] (fan_out,). Returns (zs, outs), lists of (N, fan_out) arrays."""
    zs, outs, A = [], [], X
    for w, b in zip(W, B):
        z = A @ w + b
        z[np.abs(z) <= _ROUNDOFF * (np.abs(A) @ np.abs(w) + np.abs(b))] = 0.0
        A = threshold.step(z)
        zs.append(z)
        outs.append(A)
    return zs, outs


def _point(p):
    return "(" + ", ".join(f"{v:g}" for v in p) + ")"


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


def _fail_misclassified(grid, got, want, boundary, fired, what):
    """The message when no named mistake explains the answer: how many points are wrong, and one of them."""
    __tracebackhide__ = True
    wrong = np.flatnonzero(got != want)
    p = grid[wrong[0]] if wrong.size else boundary[np.argmax(fired)]
    _fail(f"{wrong.size} of {len(grid)} grid points and {int(fired.sum())} {what} points are misclassified, "
          f"e.g. {_point(p)}")


# ----------------------------------------------------------------------------- Exercise 1: the AND of four inputs

def _and4_cases(seed):
    """The 16 inputs of {0, 1}^4, in an order drawn from `seed`."""
    X = threshold.binary_inputs(4)
    return X[np.random.default_rng(seed).permutation(len(X))]


def _and4_judge(X, answer):
    """Mistakes named: fires with no input on (bias not negative), a weight that is not positive, z = 0 exactly
    on 1111 (the strict inequality), never fires (bias too negative), fires with fewer than four inputs on."""
    __tracebackhide__ = True
    X = _matrix("inputs", X, [(16, 4)])
    w, b = _pair("and4_unit", answer)
    w = _matrix("w", w, [(4,), (4, 1)]).reshape(4)
    b = _number("b", b)
    z = _forward(X, [w[:, None]], [np.array([b])])[0][0][:, 0]
    fires = z > 0
    on = X.sum(axis=1)
    if np.array_equal(fires, on == 4):
        return "fires for 1111 and for none of the other 15 inputs"
    if fires[on == 0].any():
        _fail(f"it fires with all four inputs off, where z = b = {b:g}: the bias must be negative")
    if (w <= 0).any():
        i = int(np.argmax(w <= 0))
        _fail(f"input {i + 1} has weight {w[i]:g}: an input with a weight ≤ 0 cannot help the unit fire, "
              "but for an AND every input must count")
    if not fires.any():
        if np.any(z[on == 4] == 0):
            _fail("it never fires: with all four inputs on z = 0 exactly, and the unit fires only for z > 0 (strict)")
        _fail(f"it never fires, not even for 1111 (z = {z[on == 4][0]:g} there): the bias is too negative")
    fewest = int(on[fires].min())
    example = X[fires & (on == fewest)][0]
    _fail(f"it also fires for {''.join(str(int(v)) for v in example)}, with only {fewest} of the 4 inputs on: "
          "the bias is not negative enough (z must be > 0 with four inputs on and ≤ 0 with three)")


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
    (edge points classified A), a line inside it (the region too small), an edge that no unit bounds."""
    __tracebackhide__ = True
    grid, edges = _matrix("grid", cases["grid"], [(None, 2)]), _matrix("edges", cases["edges"], [(None, 2)])
    W0, B0 = _pair("square_layer", answer, "(W0, B0)")
    W0 = _matrix("W0", W0, [(2, 4)])
    B0 = _matrix("B0", B0, [(4,)])
    on_edge = (np.abs(grid) <= 1).all(axis=1) & (np.abs(grid) == 1).any(axis=1)
    grid, edges = grid[~on_edge], np.unique(np.concatenate([edges, grid[on_edge]]), axis=0)  # each point once
    W, B = [W0, np.ones((4, 1))], [B0, np.array([-3.5])]
    got_grid = _forward(grid, W, B)[1][-1][:, 0]
    want_grid = threshold.open_square(grid)
    got_edges = _forward(edges, W, B)[1][-1][:, 0]
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
            _fail(f"{name} does not fire at the centre (0, 0), where z = b = {b:g}: its half-plane points away "
                  "from the square; flip the signs of its weights and bias")
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
    _fail_misclassified(grid, got_grid, want_grid, edges, got_edges, "edge")


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
    "0000": "it never fires: check the output unit's bias",
    "1111": "it fires for every input: check the output unit's bias",
    "0100": "it fires for 01 but not for 10: XOR treats x1 and x2 alike",
    "0010": "it fires for 10 but not for 01: XOR treats x1 and x2 alike",
    "0011": "its output follows x1 alone: x2 has no effect",
    "0101": "its output follows x2 alone: x1 has no effect",
}


def _xor_cases(seed):
    """The four inputs of {0, 1}^2, in an order drawn from `seed`."""
    X = threshold.binary_inputs(2)
    return X[np.random.default_rng(seed).permutation(4)]


def _xor_judge(X, answer):
    """Mistakes named: no hidden layer, more than one, shapes (a transposed matrix), a pre-activation exactly 0
    on a truth-table input (the strict inequality), and the function computed instead: OR, XNOR, AND, NAND,
    NOR, constant, one-sided (01 or 10 only), one input ignored."""
    __tracebackhide__ = True
    X = _matrix("inputs", X, [(4, 2)])
    W, B = _network("xor_network", answer, "one unit draws one line, and no line separates {01, 10} from "
                    "{00, 11}: add a hidden layer, W = [W0, W1] and B = [B0, B1]")
    zs, outs = _forward(X, W, B)
    order = np.argsort(X @ [2, 1])  # rows in the order 00, 01, 10, 11
    table = "".join(str(int(v)) for v in outs[-1][order, 0])
    h = W[0].shape[1]
    if table == "0110":
        return f"XOR with a hidden layer of {h} unit{'s' * (h > 1)}: 00→0, 01→1, 10→1, 11→0"
    for layer, z in enumerate(zs):
        used = W[1][:, 0] != 0 if layer == 0 else np.ones(1, dtype=bool)  # a hidden unit the output ignores is harmless
        rows, units = np.nonzero((z[order] == 0) & used)
        if rows.size:
            kind = "the output unit" if layer == len(zs) - 1 else f"hidden unit {units[0] + 1}"
            _fail(f"for input {['00', '01', '10', '11'][rows[0]]}, {kind} has z = 0 exactly: a unit fires only "
                  f"for z > 0 (strict), so move its bias away from 0 there. Your network gives {_table(table)}")
    _fail(f"{_XOR_NAMED.get(table, 'it does not compute XOR')}. Your network gives {_table(table)}; "
          "XOR needs 00→0, 01→1, 10→1, 11→0")


def _table(table):
    return ", ".join(f"{x}→{v}" for x, v in zip(["00", "01", "10", "11"], table))


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
    line is not parallel to an edge, an edge that no unit bounds."""
    __tracebackhide__ = True
    grid = _matrix("grid", cases["grid"], [(None, 2)])
    boundary = _matrix("boundary", cases["boundary"], [(None, 2)])
    on_boundary = np.abs(grid).sum(axis=1) == 1
    grid, boundary = grid[~on_boundary], np.unique(np.concatenate([boundary, grid[on_boundary]]), axis=0)
    W, B = _network("diamond_network", answer, "one unit is a half-plane, and the diamond is the intersection "
                    "of four: add a hidden layer of edge units and an AND, W = [W0, W1] and B = [B0, B1]")
    zs, outs = _forward(grid, W, B)
    got, want = outs[-1][:, 0], _diamond(grid)
    on_boundary = _forward(boundary, W, B)[1][-1][:, 0]
    if np.array_equal(got, want) and not on_boundary.any():
        return (f"the diamond |x1| + |x2| < 1: 0 of {len(grid)} grid points and 0 of {len(boundary)} points on "
                "its boundary misclassified")
    W0, B0, W1 = W[0], B[0], W[1][:, 0]
    h = W0.shape[1]
    for j in range(h):
        if B0[j] <= 0:
            _fail(f"hidden unit {j + 1} does not fire at the centre (0, 0), where z = b = {B0[j]:g}: every unit of "
                  "an AND must fire inside the diamond; flip the signs of its weights and bias")
    if np.array_equal(got, threshold.open_square(grid)):
        _fail("that is the square of Exercise 3: the diamond's edges are not parallel to the axes; "
              "they run from (1, 0) to (0, 1), from (0, 1) to (-1, 0), and so on")
    for c in (np.sqrt(2), 2.0, 0.5, 1 / np.sqrt(2)):
        if np.array_equal(got, _diamond(grid, c)):
            why = (" (did you scale the weights to length 1 but keep the bias?)" if np.isclose(c, np.sqrt(2)) else "")
            _fail(f"your diamond has its corners at (±{c:.3g}, 0) and (0, ±{c:.3g}), not at distance 1{why}: "
                  "each unit's z must be 0 on its edge, e.g. at the corner (1, 0)")
    if np.all(W1 > 0) and np.allclose(W1, W1[0]):
        hidden_on = outs[0].sum(axis=1)
        lax = (got == 1) & (hidden_on < h)
        if lax.any():
            _fail(f"the output fires with only {int(hidden_on[lax].min())} of the {h} hidden units on, "
                  f"e.g. at {_point(grid[np.argmax(lax)])}: it must be an AND, firing only when all {h} fire")
        strict = (got == 0) & (hidden_on == h)
        if strict.any():
            z_out = zs[-1][np.argmax(strict), 0]
            _fail("the output does not fire when all hidden units fire" +
                  (": its z is exactly 0 there, and a unit fires only for z > 0" if z_out == 0 else
                   f" (its z is {z_out:g} there): its bias is too negative"))
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
        _fail(f"the boundary point {_point(boundary[np.argmax(on_boundary)])} is classified A: |x1| + |x2| < 1 "
              "is strict, so each edge unit must have z = 0 exactly on its edge")
    _fail_misclassified(grid, got, want, boundary, on_boundary, "boundary")


# fn() -> (W, B): the diamond |x1| + |x2| < 1 with one hidden layer, W = [W0 (2, h), W1 (h, 1)], B = [B0 (h,), B1
# (1,)]; checked on a grid and exactly on the boundary.
check_diamond = Exercise("check-diamond",
                         "diamond_network", _diamond_cases, partial(_collect_weights, "diamond_network"),
                         _diamond_judge, seed=0)
