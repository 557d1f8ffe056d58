import numpy as np
import pytest

import utils
from utils import gradcheck, mlp


@pytest.mark.parametrize("sizes,n", [((4, 6, 6, 6, 1), 100), ((3, 5, 2), 1), ((2, 8, 8, 8, 8, 3), 17), ((5, 1), 9)])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_backward_matches_autograd_float64(sizes, n, seed):
    X, T, W, B = mlp.random_network(sizes, n, seed)
    DW, DB = mlp.backward(X, T, W, B)
    AW, AB = mlp.autograd_gradients(X, T, W, B, "float64")
    for ours, theirs in zip(DW + DB, AW + AB):
        assert ours.shape == theirs.shape
        assert gradcheck.relative_error(ours, theirs) < 1e-12


def test_backward_matches_finite_differences_on_course_data():
    X, T = utils.getdata()
    W, B = utils.getparams()
    DW, DB = mlp.backward(X, T, W, B)
    num = gradcheck.numerical_gradient(lambda p: mlp.mse(mlp.forward(X, p[:4], p[4:])[0], T), W + B)
    for ours, fd in zip(DW + DB, num):
        assert gradcheck.relative_error(ours, fd) < 1e-4


def test_float32_agrees_to_single_precision():
    X, T = utils.getdata()
    W, B = utils.getparams()
    DW, _ = mlp.backward(X, T, W, B)
    AW, _ = mlp.autograd_gradients(X, T, W, B, "float32")
    assert 0 < gradcheck.relative_error(DW[0], AW[0]) < 1e-5


def test_numerical_gradient_does_not_mutate_and_is_right_for_a_quadratic():
    A = np.array([[2.0, 1.0], [1.0, 3.0]])
    p = [np.array([0.5, -1.0])]
    before = p[0].copy()
    g = gradcheck.numerical_gradient(lambda q: 0.5 * q[0] @ A @ q[0], p)
    np.testing.assert_array_equal(p[0], before)
    np.testing.assert_allclose(g[0], A @ before, rtol=1e-8, atol=1e-9)


def test_relative_error_and_verdict():
    assert gradcheck.relative_error([1.0, 0.0], [1.0, 0.0]) == 0.0
    assert gradcheck.relative_error([1.0], [3.0]) == pytest.approx(0.5)
    assert gradcheck.verdict(1e-9) == "agree" and gradcheck.verdict(0.5) == "WRONG"
    with pytest.raises(ValueError, match="same shape"):
        gradcheck.relative_error([1.0, 2.0], [1.0])


def test_inputs_are_not_mutated():
    X, T, W, B = mlp.random_network((4, 6, 1), 5, 0)
    copies = [a.copy() for a in [X, T] + W + B]
    mlp.backward(X, T, W, B)
    for a, c in zip([X, T] + W + B, copies):
        np.testing.assert_array_equal(a, c)


@pytest.mark.parametrize("mutate,exc,pattern", [
    (lambda X, T, W, B: (X[:, :3], T, W, B), ValueError, r"W\[0\] must have shape \(3, fan_out\), since X has 3 columns; got \(4, 6\)"),
    (lambda X, T, W, B: (X, T[:-1], W, B), ValueError, r"T must have shape \(100, 1\).*got \(99, 1\)"),
    (lambda X, T, W, B: (X, T, W, B[:3]), ValueError, r"B must have one entry per layer of W \(4\); got 3"),
    (lambda X, T, W, B: (X, T, W, [B[0], B[1], B[2], np.zeros(2)]), ValueError, r"B\[3\] must have shape \(1,\); got \(2,\)"),
    (lambda X, T, W, B: (np.where(X > 2, np.nan, X), T, W, B), ValueError, r"X must be finite"),
    (lambda X, T, W, B: (X.astype(object), T, W, B), TypeError, r"X must be a numeric array; got dtype object"),
    (lambda X, T, W, B: (X, T, W[0], B), TypeError, r"W must be a list of arrays"),
    (lambda X, T, W, B: (X[0], T, W, B), ValueError, r"X must have 2 dimension"),
])
def test_bad_input_names_the_argument(mutate, exc, pattern):
    X, T = utils.getdata()
    W, B = utils.getparams()
    with pytest.raises(exc, match=pattern):
        mlp.backward(*mutate(X, T, W, B))
