"""Behaviour of utils.conditioning that `make mutate` found untested: gradient descent's stopping rules at
their limits and the text that reports them, and the limits and messages of every argument."""
import numpy as np
import pytest

from conftest import check_limits, raises_naming
from utils import conditioning as c

ONE = np.array([[1.0]])  # a 1-D quadratic: e_k = (1 - step)^k e_0, every count below by hand


def run_1d(step, **kwargs):
    return c.gradient_descent(ONE, step, w0=np.array([1.0]), w_star=np.array([0.0]), **kwargs)


def test_converged_is_inclusive_and_counts_one_step_in_the_singular():
    """Converged when |w - v| <= tol |w0 - v|: with step 1/2 the error is 2^-k, so tol = 1/4 takes exactly 2 steps."""
    run = run_1d(0.5, tol=0.25)
    assert (run["status"], run["steps"]) == ("converged", 2)
    assert run["text"] == "converged after 2 steps"
    np.testing.assert_array_equal(run["errors"], [1.0, 0.5, 0.25])
    np.testing.assert_array_equal(run["path"][:, 0], [1.0, 0.5, 0.25])
    one = run_1d(1.0)  # the exact step: there in one step
    assert (one["status"], one["steps"], one["text"]) == ("converged", 1, "converged after 1 step")
    zero = c.gradient_descent(ONE, 0.5, w0=np.array([2.0]), w_star=np.array([2.0]))  # started at the minimum
    assert (zero["status"], zero["steps"], zero["text"]) == ("converged", 0, "converged after 0 steps")


def test_diverged_when_the_error_grows_past_a_million_times_the_start():
    """step 3: e_k = (-2)^k, so |e_k| first exceeds 1e6 at k = 20 (2^19 < 1e6 < 2^20)."""
    run = run_1d(3.0)
    assert (run["status"], run["steps"], run["text"]) == ("diverged", 20, "diverged after 20 steps")
    np.testing.assert_array_equal(run["errors"], 2.0 ** np.arange(21))


def test_not_converged_after_max_steps():
    run = run_1d(0.01, max_steps=3)
    assert (run["status"], run["steps"], run["text"]) == ("max_steps", 3, "not converged after 3 steps")
    np.testing.assert_allclose(run["errors"], 0.99 ** np.arange(4), rtol=1e-15)
    assert run_1d(0.01, max_steps=1)["text"] == "not converged after 1 step"


def test_an_overflowing_step_is_diverged_and_keeps_the_finite_path():
    run = c.gradient_descent(np.array([[1e300]]), 1e300, w0=np.array([1.0]), w_star=np.array([0.0]))
    assert (run["status"], run["steps"]) == ("diverged", 0) and np.all(np.isfinite(run["path"]))


def test_errors_of_huge_iterates_do_not_overflow():
    """|w - v| of entries near 1e200 (their squares overflow): measured without squaring them."""
    run = c.gradient_descent(np.eye(2), 0.5, w0=np.array([1e150, -1e150]), w_star=np.zeros(2), tol=0.1)
    np.testing.assert_allclose(run["errors"], np.sqrt(2) * 1e150 * 0.5 ** np.arange(5), rtol=1e-15)
    run = c.gradient_descent(np.eye(2), 3.0, w0=np.array([1e150, -1e150]), w_star=np.zeros(2))
    assert run["status"] == "diverged" and np.isfinite(run["errors"][-1]) and run["errors"][-1] > 1e156


def test_a_start_out_of_float_range_is_refused_not_converged():
    """|w0 - v|^2 overflows: no "converged after 0 steps" (inf <= inf), an error naming w0 and w_star."""
    with raises_naming("w0", "w_star", exc=ValueError):
        c.gradient_descent(np.eye(2), 0.5, w0=np.array([1e300, -1e300]), w_star=np.zeros(2))


def test_heavy_ball_limits_and_messages():
    H = np.eye(2)
    check_limits(c.heavy_ball, "beta", accepted=[0.0, 0.99], rejected=[-1e-9, 0.991], H=H, step=0.5, max_steps=3)
    check_limits(c.heavy_ball, "step", accepted=[1e-9], rejected=[0.0], H=H, beta=0.0, max_steps=3)
    check_limits(c.heavy_ball, "tol", accepted=[1.0], rejected=[0.0, 1.5], H=H, step=0.5, beta=0.0)
    check_limits(c.heavy_ball, "max_steps", accepted=[1], rejected=[0], H=H, step=0.5, beta=0.0)
    with raises_naming("H", "square", "(2, 3)", exc=ValueError):
        c.heavy_ball(np.ones((2, 3)), 0.5, 0.0)
    with raises_naming("H", "w0", "w_star", "(3,)", "(2,)", exc=ValueError):
        c.heavy_ball(np.eye(3), 0.5, 0.0)


def test_step_size_rules_and_limits():
    assert c.step_size("optimal", 1.0, 3.0) == 0.5
    assert c.step_size("lecun", 1.0, 4.0) == 0.25
    assert c.step_size("edge", 1.0, 4.0) == 0.5
    assert c.step_size("optimal", 2.0, 2.0) == 0.5  # lam_min = lam_max is allowed
    with raises_naming("lam_min", "lam_max", "3.0", "2.0", exc=ValueError):
        c.step_size("optimal", 3.0, 2.0)
    for arg in ("lam_min", "lam_max"):
        with raises_naming(arg, exc=ValueError):
            c.step_size("optimal", **{"lam_min": 1.0, "lam_max": 2.0, arg: 0.0})


def test_predicted_rate_and_steps_by_hand():
    assert c.predicted_rate(3.0) == 0.5 and c.predicted_rate(1.0) == 0.0
    assert c.predicted_steps(3.0, tol=0.25) == 2  # 0.5^2 = 0.25: exactly two steps
    assert c.predicted_steps(3.0, tol=0.2) == 3
    assert c.predicted_steps(1.0) == 0  # kappa 1: the optimal step lands on the minimum
    assert c.predicted_steps(3.0) == 20  # the default tol 1e-6: 0.5^20 < 1e-6 < 0.5^19
    check_limits(c.predicted_rate, "kappa", accepted=[1.0], rejected=[0.999])
    check_limits(c.predicted_steps, "tol", accepted=[1.0], rejected=[0.0, 1.01], kappa=3.0)
    with raises_naming("kappa", "too large", exc=ValueError):
        c.predicted_steps(1e17)


def test_momentum_by_hand():
    """kappa = 4: sqrt 2, rate (2 - 1) / (2 + 1) = 1/3; lam 1 and 4: step 4 / 9, beta 1/9."""
    assert c.predicted_momentum_rate(4.0) == pytest.approx(1 / 3, rel=1e-15)
    step, beta = c.momentum_parameters(1.0, 4.0)
    assert step == pytest.approx(4 / 9, rel=1e-15) and beta == pytest.approx(1 / 9, rel=1e-15)
    with raises_naming("lam_min", "lam_max", exc=ValueError):
        c.momentum_parameters(4.0, 1.0)
    assert c.predicted_momentum_steps(1.0) == (0, 0)
    low, high = c.momentum_error_bounds(4.0, np.array([0, 1, 2]))
    np.testing.assert_allclose(low, [1, 1 / 3, 1 / 9], rtol=1e-15)
    np.testing.assert_allclose(high, [1, (1 + 4 / 3) / 3, (1 + 8 / 3) / 9], rtol=1e-15)
    with raises_naming("k", "whole", exc=ValueError):
        c.momentum_error_bounds(4.0, np.array([0.5]))
    with raises_naming("k", exc=ValueError):
        c.momentum_error_bounds(4.0, np.array([-1.0]))
    with raises_naming("kappa", "too large", exc=ValueError):
        c.predicted_momentum_steps(1e33)


def test_measured_rate_by_hand_and_its_message():
    assert c.measured_rate([8.0, 4.0, 2.0, 1.0]) == 0.5
    for bad in ([1.0], [0.0, 1.0], [1.0, -0.5]):
        with raises_naming("errors", exc=ValueError):
            c.measured_rate(bad)


def test_mu_sigma_overflow_names_both():
    with raises_naming("mu", "sigma", exc=ValueError):
        c.hessian([1e200, 0.0], 1.0)
    with raises_naming("mu", "sigma", exc=ValueError):
        c.condition_number([1.0, 1.0], 1e-200)


def test_empirical_hessian_by_hand_and_overflow():
    np.testing.assert_array_equal(c.empirical_hessian([[1.0, 2.0], [3.0, 0.0]]), [[5.0, 1.0], [1.0, 2.0]])
    with raises_naming("X", exc=ValueError):
        c.empirical_hessian([[1e200, 1.0]])


def test_eigendirection_errors_names_bad_arguments():
    H = np.diag([1.0, 4.0])
    with raises_naming("path", exc=ValueError):
        c.eigendirection_errors(H, 0.1, np.zeros((3, 3)))
    with raises_naming("w_star", exc=ValueError):
        c.eigendirection_errors(H, 0.1, np.zeros((3, 2)), w_star=np.zeros(3))
    with raises_naming("step", exc=ValueError):
        c.eigendirection_errors(H, 0.0, np.zeros((3, 2)))


def test_least_squares_and_eigendirection_errors_name_a_matrix_of_the_wrong_rank():
    with raises_naming("A", "2 dimension(s)", exc=ValueError):
        c.least_squares(np.ones(3), np.ones(3))
    with raises_naming("A", exc=TypeError):
        c.least_squares("abc", np.ones(3))
    with raises_naming("H", "2 dimension(s)", exc=ValueError):
        c.eigendirection_errors(np.ones(2), 0.1, np.zeros((3, 2)))
    with raises_naming("H", exc=TypeError):
        c.eigendirection_errors(None, 0.1, np.zeros((3, 2)))


def test_general_hessian_refuses_a_covariance_not_positive_definite():
    mu = np.array([1.0, 2.0])
    with raises_naming("Sigma", exc=ValueError):
        c.general_hessian(mu, np.diag([1.0, 0.0]))  # singular: an eigenvalue 0
    with raises_naming("Sigma", exc=ValueError):
        c.general_hessian(mu, [[1.0, 0.5], [0.5 + 1e-9, 1.0]])  # not symmetric
    with raises_naming("Sigma", "(2, 2)", exc=ValueError):
        c.general_hessian(mu, np.eye(3))
    with raises_naming("mu", exc=ValueError):
        c.general_hessian(np.eye(2), np.eye(2))
    parts = c.eigendirection_errors(np.diag([1.0, 4.0]), 0.1, np.zeros((2, 2)), w_star=np.zeros(2))
    np.testing.assert_array_equal(parts["lam"], [1.0, 4.0])
    with raises_naming("path", "2 dimension(s)", exc=ValueError):
        c.eigendirection_errors(np.eye(2), 0.1, np.zeros(2))


def test_momentum_steps_and_limits_by_hand():
    """kappa 4 (rho = 1/3, c_max = 4/3): tol 1/9 is reached in exactly 2 steps at best; the bound
    (1 + 4k/3) 3^-k first falls to 0.1 at k = 4 (k = 3 gives 0.185), the fewest being 3."""
    assert c.predicted_momentum_steps(4.0, tol=1 / 9)[0] == 2
    assert c.predicted_momentum_steps(4.0, tol=0.1) == (3, 4)
    check_limits(c.predicted_momentum_rate, "kappa", accepted=[1.0], rejected=[0.999])
    check_limits(c.predicted_momentum_steps, "tol", accepted=[1.0], rejected=[0.0, 1.01], kappa=4.0)
    with raises_naming("k", exc=TypeError):
        c.momentum_error_bounds(4.0, "ab")


def test_transform_inputs_uses_the_given_statistics_and_names_bad_ones():
    X = np.array([[1.0, 10.0], [3.0, 14.0]])
    A = c.transform_inputs(X, "standardised", mean=[0.0, 10.0], scale=[2.0, 4.0])
    np.testing.assert_array_equal(A, [[0.5, 0.0, 1.0], [1.5, 1.0, 1.0]])
    np.testing.assert_array_equal(c.transform_inputs(X, "centred", mean=[1.0, 0.0])[:, :2], [[0.0, 10.0], [2.0, 14.0]])
    for arg in ("mean", "scale"):
        with raises_naming(arg, "(2,)", exc=ValueError):
            c.transform_inputs(X, "standardised", **{arg: [1.0, 2.0, 3.0]})
    with raises_naming("how", "'whitened'", exc=ValueError):
        c.transform_inputs(X, "whitened")
    with raises_naming("X", "2 dimension(s)", exc=ValueError):
        c.transform_inputs(np.ones(3), "raw")


def test_matrix_condition_number_and_empirical_hessian_messages():
    assert c.matrix_condition_number(np.diag([2.0, 8.0])) == 4.0
    with raises_naming("H", "positive definite", "0", exc=ValueError):
        c.matrix_condition_number(np.diag([0.0, 1.0]))
    with raises_naming("H", "2 dimension(s)", exc=ValueError):
        c.matrix_condition_number(np.ones(3))
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the overflow is reported by the error, not by a RuntimeWarning too
        with raises_naming("X", "out of float range", exc=ValueError):
            c.empirical_hessian([[1e200, np.finfo(float).max]])
    with raises_naming("X", "2 dimension(s)", exc=ValueError):
        c.empirical_hessian(np.ones(3))
