"""Checks of notebook 01 (logic-gate network)."""
import numpy as np

from .. import threshold
from ._core import CheckFailed, Exercise, _array, _call, _close, _fail, _match_mistakes, _number, _ok, _ratio_hint, run  # noqa: F401


def check_and4(fn):
    """fn() -> (w, b): the four-input AND unit, w of shape (4,) or (4, 1), b a number; fires only on 1111."""
    __tracebackhide__ = True
    answer = _call(fn, "and4_unit")
    if not isinstance(answer, (tuple, list)) or len(answer) != 2:
        _fail(f"and4_unit must return a pair (w, b); got {type(answer).__name__}")
    w, b = answer
    w = _array("w", np.asarray(w, dtype=float) if isinstance(w, (list, tuple)) else w,
               (4,) if np.ndim(w) == 1 else (4, 1)).reshape(4)
    b = _number("b", b)
    X = threshold.binary_inputs(4)
    fires = threshold.step(X @ w + b)
    want = (X.sum(axis=1) == 4).astype(float)
    if np.array_equal(fires, want):
        _ok("fires only when all four inputs are on")
        return
    on = X.sum(axis=1)
    if not fires.any():
        if np.isclose(X[-1] @ w + b, 0):
            _fail("it never fires: with all four inputs on, z = 0 exactly, and the unit needs z > 0 (strict)")
        _fail("it never fires, not even for 1111: the bias is too negative (or a weight is too small)")
    fewest = int(on[fires == 1].min())
    _fail(f"it also fires with only {fewest} of the 4 inputs on: the bias is not negative enough "
          "(with weights 1 it must lie between -4 and -3)")


def check_square_layer(fn):
    """fn() -> (W0, B0): the first layer for the open square, W0 (2, 4), B0 (4,);
    with one AND it must fire exactly on |x1|, |x2| < 1."""
    __tracebackhide__ = True
    answer = _call(fn, "square_layer")
    if not isinstance(answer, (tuple, list)) or len(answer) != 2:
        _fail(f"square_layer must return a pair (W0, B0); got {type(answer).__name__}")
    W0, B0 = answer
    W0 = _array("W0", W0, (2, 4))
    B0 = _array("B0", B0, (4,))
    centre_z = B0  # z at x = (0, 0)
    for j in range(4):
        if centre_z[j] <= 0:
            _fail(f"unit {j + 1} does not fire at the centre (0, 0): its half-plane points outward; flip the sign of its weights and bias")
    net_W = [W0, np.ones((4, 1))]
    net_B = [B0, np.array([-3.5])]
    _, _, inside = threshold.grid(1.5, 121)
    t = np.linspace(-1, 1, 41)
    edges = np.concatenate([np.column_stack([t, np.full_like(t, s)]) for s in (-1.0, 1.0)] +
                           [np.column_stack([np.full_like(t, s), t]) for s in (-1.0, 1.0)])
    got_edges = threshold.predict(edges, net_W, net_B)
    if got_edges.any():
        p = edges[np.argmax(got_edges)]
        _fail(f"the edge point ({p[0]:.2f}, {p[1]:.2f}) is classified A: the inequalities are strict, "
              "so each unit must give z = 0 on its edge (check the biases)")
    got = threshold.predict(inside, net_W, net_B)
    want = threshold.open_square(inside)
    wrong = np.flatnonzero(got != want)
    if wrong.size:
        p = inside[wrong[0]]
        _fail(f"{wrong.size} of {len(inside)} grid points are misclassified, e.g. ({p[0]:.2f}, {p[1]:.2f}) "
              f"is {'A' if got[wrong[0]] else 'B'} but should be {'A' if want[wrong[0]] else 'B'}")
    _ok(f"the four units and an AND give the open square: 0 of {len(inside) + len(edges)} points misclassified")
