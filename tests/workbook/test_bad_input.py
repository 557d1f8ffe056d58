"""Property-based tests: every public function of utils, fed bad arguments, either returns a correct
result or raises ValueError/TypeError whose message names the argument; never another exception.

"Names the argument": the whole name stands where a name stands in a sentence (see `names`), so the letter
`a` inside "must be a numeric array" does not count, nor "step" for `step_fraction`.
"A correct result": an accepted value must be a valid one, and the result is compared with an independent
computation written here (ORACLES), not only checked for being finite.
"""
import collections
import itertools
import math
import os
import re
from decimal import Decimal, localcontext
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import utils
import torch

from utils import conditioning, gradcheck, mlp, tanhnet, threshold

TRIED = collections.Counter()
# Under mutation testing (`make mutate` sets MUTANT_UNDER_TEST) every surviving mutant reruns these tests:
# fewer inputs there (the same ones every run, see conftest.py); the full count in `make test`.
EXAMPLES = 12 if "MUTANT_UNDER_TEST" in os.environ else 60

finite = st.floats(-1e3, 1e3, allow_nan=False)
any_float = st.floats(allow_nan=True, allow_infinity=True, width=64)
shapes = hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=5)
arrays = st.one_of(
    hnp.arrays(np.float64, shapes, elements=any_float),
    hnp.arrays(np.float32, shapes, elements=st.floats(-10, 10, width=32)),
    hnp.arrays(np.int64, shapes, elements=st.integers(-5, 5)),
    hnp.arrays(np.complex128, hnp.array_shapes(max_dims=2, max_side=3)),
)
bad = st.one_of(
    arrays,
    st.none(), st.text(max_size=3), st.booleans(), any_float, st.integers(-3, 3),
    st.lists(any_float, max_size=4), st.lists(st.lists(finite, max_size=3), max_size=3),
    st.just(np.array([{"a": 1}], dtype=object)), st.dictionaries(st.text(max_size=2), finite, max_size=2),
)

X, T = utils.getdata()
W, B = utils.getparams()
RNG = np.random.default_rng(0)

# name -> (function, valid arguments by name)
CASES = {
    "mlp.forward": (mlp.forward, dict(X=X[:5], W=W, B=B)),
    "mlp.backward": (mlp.backward, dict(X=X[:5], T=T[:5], W=W, B=B)),
    "mlp.mse": (mlp.mse, dict(Y=T[:5], T=T[:5])),
    "mlp.layer_backward": (mlp.layer_backward, dict(X=X[:5], T=T[:5], W=W, B=B)),
    "mlp.stored_floats": (mlp.stored_floats, dict(sizes=(4, 6, 1), n_samples=10)),
    "mlp.minibatch_spread": (mlp.minibatch_spread, dict(X=X[:4], T=T[:4], W=W, B=B, batch_sizes=[2])),
    "gradcheck.relative_error": (gradcheck.relative_error, dict(a=np.ones(3), b=np.ones(3))),
    "threshold.step": (threshold.step, dict(z=np.ones(3))),
    "threshold.predict": (threshold.predict, dict(X=np.zeros((3, 2)), W=threshold.square_network()[0], B=threshold.square_network()[1])),
    "threshold.polygon_network": (threshold.polygon_network, dict(vertices=np.array([[0, 0], [1, 0], [0, 1.0]]))),
    "threshold.open_square": (threshold.open_square, dict(X=np.zeros((3, 2)))),
    "threshold.halfplane": (threshold.halfplane, dict(w1=1.0, w2=0.0, b=0.5, lim=2.0, n=11)),
    "threshold.grid": (threshold.grid, dict(lim=2.0, n=5)),
    "threshold.binary_inputs": (threshold.binary_inputs, dict(n_inputs=2)),
    "threshold.gate": (threshold.gate, dict(name="AND")),
    "threshold.square_network": (threshold.square_network, dict(kind="tree")),
    "tanhnet.forward": (tanhnet.forward, dict(x=(1.0, 0.5), w=tanhnet.EXAMPLE_W)),
    "tanhnet.backward": (tanhnet.backward, dict(x=(1.0, 0.5), w=tanhnet.EXAMPLE_W)),
    "tanhnet.closed_form": (tanhnet.closed_form, dict(x=(1.0, 0.5), w=tanhnet.EXAMPLE_W)),
    "tanhnet.scaled": (tanhnet.scaled, dict(w=tanhnet.EXAMPLE_W, scale=2.0)),
    "tanhnet.saturation_state": (tanhnet.saturation_state, dict(x1=1.0, x2=0.0, scale=1.0)),
    "tanhnet.count_multiplications": (tanhnet.count_multiplications, dict(method="backward")),
    "conditioning.hessian": (conditioning.hessian, dict(mu=np.ones(2), sigma=1.0)),
    "conditioning.eigenvalues": (conditioning.eigenvalues, dict(mu=np.ones(2), sigma=1.0)),
    "conditioning.condition_number": (conditioning.condition_number, dict(mu=np.ones(2), sigma=1.0)),
    "conditioning.empirical_hessian": (conditioning.empirical_hessian, dict(X=np.ones((3, 2)))),
    "conditioning.step_size": (conditioning.step_size, dict(rule="optimal", lam_min=1.0, lam_max=2.0)),
    "conditioning.predicted_rate": (conditioning.predicted_rate, dict(kappa=3.0)),
    "conditioning.predicted_steps": (conditioning.predicted_steps, dict(kappa=3.0, tol=1e-3)),
    "conditioning.gradient_descent": (conditioning.gradient_descent, dict(H=np.eye(2), step=0.5, max_steps=50)),
    "conditioning.measured_rate": (conditioning.measured_rate, dict(errors=np.array([1.0, 0.5]))),
    "conditioning.widget_state": (conditioning.widget_state, dict(mu1=1.0, mu2=0.0, sigma=1.0, step_fraction=0.5, n_grid=5)),
    "conditioning.sample_inputs": (conditioning.sample_inputs, dict(mu=np.ones(2), sigma=1.0, n=3, rng=RNG)),
}
ARGS = [(name, arg) for name, (_, valid) in CASES.items() for arg in valid if arg != "rng"]
# Messages that do not name the argument yet, each pinned by a strict xfail in test_known_bugs.py (which fails
# as soon as the module is mended: then remove the entry here too). Not strict here: hypothesis may miss it.
KNOWN_BUGS = {}  # (function, argument) -> reason, for a bug found and not yet mended (strict xfail)
PARAMS = [pytest.param(name, arg, id=f"{name}:{arg}",
                       marks=[pytest.mark.xfail(reason=KNOWN_BUGS[name, arg])] if (name, arg) in KNOWN_BUGS else [])
          for name, arg in ARGS]


def names(message, arg):
    """Whether `message` names the argument `arg`: its whole name (an index such as W[0] or w['w13'] may
    follow) at the start, after "of", "and", "since", "needs" or a quote, and followed by a verb ("must", "is",
    "are", "has", "needs", "should", "contains"), "of", "and", "=" or punctuation."""
    before = r"(?:^|(?<=\bof )|(?<=\band )|(?<=\bsince )|(?<=\bneeds )|(?<=[`'\"]))"
    after = r"(?=\s(?:must|is|are|has|have|needs|should|contains|of|and)\b|\s[=(]|[`'\",;:)]|$)"
    return re.search(before + re.escape(arg) + r"(?:\[[^\]]*\])?" + after, message) is not None


@pytest.mark.parametrize("message,arg,named", [
    ("a must be a numeric array; got NoneType", "a", True),
    ("b must be a numeric array; got NoneType", "a", False),   # relative_error's "a" relabelled as "b"
    ("a and b must have the same shape; got (2,) and (1,)", "a", True),
    ("a and b must have the same shape; got (2,) and (1,)", "b", True),
    ("step must be <= 100.0; got 200.0", "step_fraction", False),
    ("step_fraction must be <= 100.0; got 200.0", "step_fraction", True),
    ("lam must be > 0.0; got -1.0", "lam_min", False),
    ("lam_max must be >= 2.0; got 1.0", "lam_min", False),
    ("n_inputs must be >= 1; got 0", "n", False),
    ("W[0] must have shape (3, fan_out), since X has 3 columns; got (4, 6)", "X", True),
    ("W[0] must have shape (3, fan_out), since X has 3 columns; got (4, 6)", "W", True),
    ("T must have the shape of Y, (5, 1); got (2, 3)", "Y", True),
    ("w['w13'] must be a real number; got str", "w", True),
    ("mu and sigma are out of float range: with sigma = 1e-200, sigma^2 overflows", "sigma", True),
    ("Type of x is wrong", "T", False),
    ("unsupported operand type(s) for -: 'float' and 'NoneType'", "T", False),
    ("B must have one entry per layer of W (1); got 4", "W", True),
])
def test_names_recognises_a_named_argument(message, arg, named):
    assert names(message, arg) is named


@pytest.mark.parametrize("name,arg", PARAMS)
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=bad)
# 0.5 breaks the order of two arguments (step_size's lam_max < lam_min = 1): the message must name both.
@example(value=0.5)
# 3.7e153 as gradient_descent's step: a diverging error whose norm is finite but whose square overflows.
@example(value=3.718656844844671e+153)
# errors spanning 1e-193 to 6e115 (measured_rate's quotient overflows) and targets 6e153 (mse's squares overflow)
@example(value=np.array([3.30841754e-193, 5.94751950e+115]))
@example(value=np.full((5, 1), 6e153))
# inputs 2.7e84 (minibatch_spread's gradient norms overflow; found by hypothesis on 7 December)
@example(value=np.full((4, 4), 2.71403002e+84))
def test_bad_argument_is_named_or_handled(name, arg, value):
    fn, valid = CASES[name]
    TRIED[name] += 1
    kwargs = {**valid, arg: value}
    try:
        result = fn(**kwargs)
    except (ValueError, TypeError) as exc:
        assert names(str(exc), arg), f"{name}: message does not name {arg!r}: {exc}"
        return
    # accepted: then the value was a valid one, the result finite and equal to an independent computation
    for leaf in _leaves(result):
        assert np.all(np.isfinite(leaf)), f"{name}({arg}={value!r}) returned non-finite {leaf!r}"
    ORACLES[name](result, **kwargs)


def _leaves(result):
    if isinstance(result, dict):
        for v in result.values():
            yield from _leaves(v)
    elif isinstance(result, (list, tuple)):
        for v in result:
            yield from _leaves(v)
    elif isinstance(result, (int, float, np.floating, np.ndarray)) and not isinstance(result, bool):
        yield np.asarray(result, dtype=np.float64)


@settings(max_examples=EXAMPLES * 10 // 3, deadline=None)
@given(W_shape=st.tuples(st.integers(1, 4), st.integers(1, 4)), n=st.integers(1, 6), depth=st.integers(1, 3))
def test_backward_shapes_and_no_mutation(W_shape, n, depth):
    TRIED["mlp.backward (random networks)"] += 1
    sizes = (W_shape[0],) + (W_shape[1],) * depth + (1,)
    Xr, Tr, Wr, Br = mlp.random_network(sizes, n, seed=n)
    before = [a.copy() for a in [Xr, Tr] + Wr + Br]
    DW, DB = mlp.backward(Xr, Tr, Wr, Br)
    assert [d.shape for d in DW] == [w.shape for w in Wr] and [d.shape for d in DB] == [b.shape for b in Br]
    for a, c in zip([Xr, Tr] + Wr + Br, before):
        np.testing.assert_array_equal(a, c)


# Independent computations of each function's result, from its accepted arguments (converted to float arrays).
def f64(value):
    """An accepted array argument as float64; it must have been finite to be accepted."""
    arr = np.array(value.detach() if hasattr(value, "detach") else value, dtype=np.float64)
    assert np.all(np.isfinite(arr)), f"a non-finite value was accepted: {value!r}"
    return arr


def number(value):
    assert not isinstance(value, (str, bytes, bool)) and value is not None, f"accepted {value!r} as a number"
    return float(f64(value))


def net_forward(X, W, B, act):
    A, Zs, As = f64(X), [], []
    for l, (w, b) in enumerate(zip(W, B)):
        As.append(A)
        Z = A @ f64(w) + f64(b)
        Zs.append(Z)
        A = act(Z) if l < len(W) - 1 else Z
    return Zs, As


def oracle_mlp_forward(result, X, W, B):
    Zs, As = net_forward(X, W, B, lambda z: np.maximum(z, 0))
    Y, Z, A = result
    np.testing.assert_allclose(Y, Zs[-1], rtol=1e-12, atol=1e-300)
    for ours, ref in zip(Z + A, Zs + As):
        np.testing.assert_allclose(ours, ref, rtol=1e-12, atol=1e-300)


def oracle_mlp_backward(result, X, T, W, B):
    Wt = [torch.tensor(f64(w), requires_grad=True) for w in W]
    Bt = [torch.tensor(f64(b), requires_grad=True) for b in B]
    A = torch.tensor(f64(X))
    for l, (w, b) in enumerate(zip(Wt, Bt)):
        A = A @ w + b
        A = torch.relu(A) if l < len(Wt) - 1 else A
    ((A - torch.tensor(f64(T))) ** 2).mean().backward()
    for ours, ref in zip(result[0] + result[1], Wt + Bt):
        np.testing.assert_allclose(ours, ref.grad.numpy(), rtol=1e-9, atol=1e-12)


def oracle_relative_error(result, a, b):
    a, b = f64(a), f64(b)
    expected = max((abs(x - y) / max(1e-8, abs(x) + abs(y)) for x, y in zip(a.ravel(), b.ravel())), default=0.0)
    assert result == pytest.approx(expected, rel=1e-12)


def step_ref(z):
    return (f64(z) > 0).astype(np.float64)


def threshold_predict(X, W, B):
    return net_forward(X, W, B, step_ref)[0][-1][:, 0] > 0


def oracle_polygon_network(result, vertices):
    V = f64(vertices)
    inside, outside = V.mean(axis=0), V.mean(axis=0) + 3 * (np.abs(V).max() + 1)  # centroid; far away
    W, B = result
    assert threshold.predict(np.array([inside, outside]), W, B).tolist() == [1.0, 0.0]


def oracle_halfplane(result, w1, w2, b, lim, n):
    G1, G2 = np.meshgrid(result["x1"], result["x2"])
    fires = number(w1) * G1 + number(w2) * G2 + number(b) > 0
    np.testing.assert_array_equal(result["fires"], fires)
    assert result["fraction"] == pytest.approx(fires.mean())
    np.testing.assert_allclose(result["x1"], np.linspace(-number(lim), number(lim), int(n)))


def oracle_grid(result, lim, n):
    x1, x2, points = result
    axis = np.linspace(-number(lim), number(lim), int(n))
    np.testing.assert_array_equal(x1, axis)
    np.testing.assert_array_equal(x2, axis)
    assert sorted(map(tuple, points)) == sorted(itertools.product(axis, axis))


GATE_LOGIC = {"AND": lambda x: all(x), "OR": lambda x: any(x), "NAND": lambda x: not all(x),
              "NOR": lambda x: not any(x), "NOT": lambda x: not x[0]}


def oracle_gate(result, name):
    n = 1 if name == "NOT" else 2
    X = np.array(list(itertools.product([0.0, 1.0], repeat=n)))
    assert threshold_predict(X, *result).tolist() == [GATE_LOGIC[name](x) for x in X.astype(bool)]


def oracle_square_network(result, kind):
    rng = np.random.default_rng(0)
    X = np.vstack([rng.uniform(-2, 2, (500, 2)), [[1.0, 0.0], [0.0, -1.0], [0.999, 0.999]]])
    assert threshold_predict(X, *result).tolist() == ((np.abs(X) < 1).all(axis=1)).tolist()


def tanh_net(x1, x2, w, tanh):
    a3, a4 = tanh(x1 * w["w13"] + x2 * w["w23"]), tanh(x1 * w["w14"] + x2 * w["w24"])
    return tanh(a3 * w["w35"] + a4 * w["w45"]) + tanh(a3 * w["w36"] + a4 * w["w46"])


def tanh_y(x, w):
    x1, x2 = f64(x)
    return tanh_net(x1, x2, {k: number(v) for k, v in w.items()}, np.tanh)


def tanh_autograd(x, w):
    wt = {k: torch.tensor(number(v), dtype=torch.float64, requires_grad=True) for k, v in w.items()}
    x1, x2 = f64(x)
    tanh_net(float(x1), float(x2), wt, torch.tanh).backward()
    return {k: t.grad.item() for k, t in wt.items()}


def oracle_tanh_gradients(result, x, w):
    """Against autograd to round-off. A saturated unit's slope 1 - tanh^2 cancels: it carries an absolute error of a
    few 1e-16 whatever its size, and a first-layer gradient multiplies it by x (at x = (9, 9) the two differ by
    1.1e-15 on 1.4e-9): so an absolute bound that grows with |x|."""
    grads = result[0] if isinstance(result, tuple) else result
    ref = tanh_autograd(x, w)
    assert set(grads) == set(ref)
    scale = max(1.0, float(np.max(np.abs(f64(x)))))
    for k in ref:
        assert grads[k] == pytest.approx(ref[k], rel=1e-9, abs=1e-14 * scale)


def oracle_hessian_of(mu, sigma):
    mu = f64(mu)
    return np.outer(mu, mu) + number(sigma) ** 2 * np.eye(mu.size)


def exact_eigenvalues(mu, sigma):
    """(lam_min, lam_max) of H = mu mu^T + sigma^2 I in exact rational arithmetic, proved eigenvalues by
    H v = lam v for v = mu and for a u exactly orthogonal to mu; the trace fixes the multiplicities."""
    mu = [Fraction(float(x)) for x in f64(mu)]
    s2, d = Fraction(number(sigma)) ** 2, len(mu)
    H = [[mi * mj + (s2 if i == j else 0) for j, mj in enumerate(mu)] for i, mi in enumerate(mu)]

    def eigenvalue_of(v):
        Hv = [sum(h * x for h, x in zip(row, v)) for row in H]
        k = next(i for i, x in enumerate(v) if x != 0)
        lam = Hv[k] / v[k]
        assert Hv == [lam * x for x in v]
        return lam

    if not any(mu):
        return float(s2), float(s2)
    lam_max = eigenvalue_of(mu)
    if d == 1:
        return float(lam_max), float(lam_max)
    i = max(range(d), key=lambda k: abs(mu[k]))
    j = (i + 1) % d
    u = [0] * d
    u[j], u[i] = mu[i], -mu[j]
    lam_min = eigenvalue_of(u)
    assert lam_max + (d - 1) * lam_min == sum(H[k][k] for k in range(d))
    return float(lam_min), float(lam_max)


def oracle_eigenvalues(result, mu, sigma):
    lam_min, lam_max = exact_eigenvalues(mu, sigma)
    np.testing.assert_allclose(result, [lam_min] * (f64(mu).size - 1) + [lam_max], rtol=1e-12)


def oracle_condition_number(result, mu, sigma):
    lam_min, lam_max = exact_eigenvalues(mu, sigma)
    assert result == pytest.approx(1.0 if f64(mu).size == 1 else lam_max / lam_min, rel=1e-12)


def oracle_predicted_steps(result, kappa, tol):
    rate = (number(kappa) - 1) / (number(kappa) + 1)
    if rate == 0:
        assert result == 0
    else:  # the fewest k with rate^k <= tol
        assert rate ** result <= number(tol) * (1 + 1e-9)
        if result and rate ** (result - 1) == rate ** result:
            # past about 1e15 steps one step more changes rate^k by less than a float can show (kappa = 2^53: rate =
            # 1 - 2^-53, 6.2e16 steps): the powers cannot tell k - 1 from k, the logarithms can
            assert result == pytest.approx(math.log(number(tol)) / math.log(rate), rel=1e-15)
        else:
            assert result == 0 or rate ** (result - 1) > number(tol)


def oracle_gradient_descent(result, H, step, max_steps):
    H, path = f64(H), result["path"]
    np.testing.assert_array_equal(path[0], conditioning.W_START)
    for a, b in zip(path[:5], path[1:6]):
        np.testing.assert_allclose(b, a - number(step) * H @ (a - conditioning.W_STAR), rtol=1e-12, atol=1e-300)
    assert result["steps"] == len(path) - 1 <= int(max_steps)
    # path is stored as w_star + error: its differences from w_star carry round-off of |w_star|'s size.
    # math.hypot, not np.linalg.norm: a diverging error of 1e154 has a finite norm whose square overflows.
    norms = [math.hypot(*row) for row in path - conditioning.W_STAR]
    np.testing.assert_allclose(result["errors"], norms, rtol=1e-9, atol=1e-15 * np.abs(conditioning.W_STAR).max())


def exact_mse(Y, T):
    """The mean of (Y - T)^2 in exact rational arithmetic, rounded once: no square can overflow."""
    D = [Fraction(float(y)) - Fraction(float(t)) for y, t in zip(f64(Y).ravel(), f64(T).ravel())]
    return float(sum(d * d for d in D) / len(D))


def exact_rate(errors):
    """(e_last / e_0)^(1/k) in 60-digit decimal arithmetic: no quotient can leave float range."""
    e = f64(errors)
    with localcontext() as ctx:
        ctx.prec = 60
        if e[-1] == 0:
            return 0.0
        return float((Decimal(float(e[-1])) / Decimal(float(e[0]))) ** (Decimal(1) / Decimal(e.size - 1)))


def oracle_widget_state(result, mu1, mu2, sigma, step_fraction, n_grid):
    lam_min, lam_max = exact_eigenvalues([number(mu1), number(mu2)], sigma)
    # widget_state takes kappa from a numerical eigensolver: its lam_min errs by about eps * lam_max
    assert result["kappa"] == pytest.approx(lam_max / lam_min, rel=1e-9 + 1e-15 * lam_max / lam_min)
    assert result["step"] == pytest.approx(number(step_fraction) * 2 / lam_max, rel=1e-9)
    assert result["J"].shape == (int(n_grid), int(n_grid))


ORACLES = {
    "mlp.forward": oracle_mlp_forward,
    "mlp.backward": oracle_mlp_backward,
    "mlp.mse": lambda r, Y, T: np.testing.assert_allclose(r, exact_mse(Y, T), rtol=1e-12),
    "mlp.layer_backward": lambda r, X, T, W, B: oracle_mlp_backward(r[:2], X, T, W, B),
    "mlp.stored_floats": lambda r, sizes, n_samples: np.testing.assert_equal(
        r["total"], int(n_samples) * (sum(int(s) for s in sizes[:-1]) + sum(int(s) for s in sizes[1:-1]))),
    "mlp.minibatch_spread": lambda r, X, T, W, B, batch_sizes: np.testing.assert_equal(
        (r.shape, bool(np.all(r >= 0))), ((len(batch_sizes),), True)),
    "gradcheck.relative_error": oracle_relative_error,
    "threshold.step": lambda r, z: np.testing.assert_array_equal(r, step_ref(z)),
    "threshold.predict": lambda r, X, W, B: np.testing.assert_array_equal(r, threshold_predict(X, W, B)),
    "threshold.polygon_network": oracle_polygon_network,
    "threshold.open_square": lambda r, X: np.testing.assert_array_equal(r, (np.abs(f64(X)) < 1).all(axis=1)),
    "threshold.halfplane": oracle_halfplane,
    "threshold.grid": oracle_grid,
    "threshold.binary_inputs": lambda r, n_inputs: np.testing.assert_array_equal(
        r, list(itertools.product([0.0, 1.0], repeat=int(n_inputs)))),
    "threshold.gate": oracle_gate,
    "threshold.square_network": oracle_square_network,
    "tanhnet.forward": lambda r, x, w: np.testing.assert_allclose(r["y"], tanh_y(x, w), rtol=1e-12),
    "tanhnet.backward": oracle_tanh_gradients,
    "tanhnet.closed_form": oracle_tanh_gradients,
    "tanhnet.scaled": lambda r, w, scale: np.testing.assert_allclose(
        [r[k] for k in sorted(w)], [number(scale) * number(w[k]) for k in sorted(w)], rtol=1e-15),
    "tanhnet.saturation_state": lambda r, x1, x2, scale: np.testing.assert_allclose(
        r["forward"]["y"], tanh_y([x1, x2], {k: number(scale) * v for k, v in tanhnet.EXAMPLE_W.items()}),
        rtol=1e-12),
    # The counts themselves are checked (with their derivation) by the notebook's owner's tests.
    "tanhnet.count_multiplications": lambda r, method: None if method in ("backward", "closed_form") else (
        pytest.fail(f"accepted method {method!r}")),
    "conditioning.hessian": lambda r, mu, sigma: np.testing.assert_allclose(r, oracle_hessian_of(mu, sigma),
                                                                           rtol=1e-12),
    "conditioning.eigenvalues": oracle_eigenvalues,
    "conditioning.condition_number": oracle_condition_number,
    "conditioning.empirical_hessian": lambda r, X: np.testing.assert_allclose(
        r, f64(X).T @ f64(X) / len(f64(X)), rtol=1e-12),
    "conditioning.step_size": lambda r, rule, lam_min, lam_max: np.testing.assert_allclose(r, {
        "optimal": 2 / (number(lam_min) + number(lam_max)), "lecun": 1 / number(lam_max),
        "edge": 2 / number(lam_max)}[rule], rtol=1e-12),
    "conditioning.predicted_rate": lambda r, kappa: np.testing.assert_allclose(
        r, (number(kappa) - 1) / (number(kappa) + 1), rtol=1e-12),
    "conditioning.predicted_steps": oracle_predicted_steps,
    "conditioning.gradient_descent": oracle_gradient_descent,
    "conditioning.measured_rate": lambda r, errors: np.testing.assert_allclose(r, exact_rate(errors), rtol=1e-12),
    "conditioning.widget_state": oracle_widget_state,
    "conditioning.sample_inputs": lambda r, mu, sigma, n, rng: (
        np.testing.assert_equal(r.shape, (int(n), f64(mu).size))),
}
assert set(ORACLES) == set(CASES)


@pytest.mark.parametrize("z", [np.nan, [0.0, np.nan], -np.inf])
def test_step_refuses_non_finite_input(z):
    """1[z > 0] of NaN is no number: step raises, naming z, instead of answering 0."""
    with pytest.raises(ValueError, match=r"^z must be finite"):
        threshold.step(z)


@pytest.mark.parametrize("name,wrong,kwargs", [
    ("threshold.step", np.zeros(1), dict(z=[np.nan])),                 # NaN let through as 0
    ("threshold.step", np.zeros(1), dict(z=[0.5])),
    ("gradcheck.relative_error", 1e-6, dict(a=[1e-9], b=[0.0])),       # floor raised to 1e-3
    ("mlp.mse", 2.0, dict(Y=np.ones((2, 2)), T=np.zeros((2, 2)))),     # divided by N, not N * d_out
    ("conditioning.condition_number", 2.0, dict(mu=[1.0, 1.0], sigma=1.0)),
    ("conditioning.widget_state", None, None),
])
def test_oracles_reject_wrong_results(name, wrong, kwargs):
    """The oracles can fail: each rejects a plausible wrong answer."""
    if name == "conditioning.widget_state":
        right = conditioning.widget_state(1.0, 0.0, 1.0, 0.5, n_grid=5)
        wrong, kwargs = {**right, "kappa": right["kappa"] * 1.01}, dict(mu1=1.0, mu2=0.0, sigma=1.0,
                                                                         step_fraction=0.5, n_grid=5)
    with pytest.raises(AssertionError):
        ORACLES[name](wrong, **kwargs)
