"""Property-based tests: every public function of utils, fed bad arguments, either returns a correct
result or raises ValueError/TypeError whose message names the argument; never another exception."""
import collections

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import utils
from utils import conditioning, gradcheck, mlp, tanhnet, threshold

TRIED = collections.Counter()

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


@pytest.mark.parametrize("name,arg", ARGS, ids=[f"{n}:{a}" for n, a in ARGS])
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=bad)
def test_bad_argument_is_named_or_handled(name, arg, value):
    fn, valid = CASES[name]
    TRIED[name] += 1
    kwargs = {**valid, arg: value}
    try:
        result = fn(**kwargs)
    except (ValueError, TypeError) as exc:
        message = str(exc)
        assert arg in message or arg.split("_")[0] in message, f"{name}: message does not name {arg!r}: {message}"
        return
    # accepted: then the value was a valid one, and the result must be finite numbers
    for leaf in _leaves(result):
        assert np.all(np.isfinite(leaf)), f"{name}({arg}={value!r}) returned non-finite {leaf!r}"


def _leaves(result):
    if isinstance(result, dict):
        for v in result.values():
            yield from _leaves(v)
    elif isinstance(result, (list, tuple)):
        for v in result:
            yield from _leaves(v)
    elif isinstance(result, (int, float, np.floating, np.ndarray)) and not isinstance(result, bool):
        yield np.asarray(result, dtype=np.float64)


@settings(max_examples=200, deadline=None)
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
