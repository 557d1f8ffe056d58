"""Behaviour of utils.conditioning that `make mutate` found untested: gradient descent's stopping rules at
their limits and the text that reports them, and the limits and messages of every argument."""
import os
import re
import warnings

import numpy as np
import pytest

from conftest import check_limits, raises_naming, whole
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
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the overflow is reported by the error, not by a RuntimeWarning too
        with raises_naming("X", "out of float range", exc=ValueError):
            c.empirical_hessian([[1e200, np.finfo(float).max]])
    with raises_naming("X", "2 dimension(s)", exc=ValueError):
        c.empirical_hessian(np.ones(3))


# --- found by `make mutate` at 605ed95 (issue 18): widget_state's numbers and text, computed here ---------------

def widget_reference(mu1, mu2, sigma, center):
    """H, its eigenvalues (closed form) and the grid of widget_state, written again here."""
    mu = np.zeros(2) if center else np.array([mu1, mu2], float)
    H = np.outer(mu, mu) + sigma ** 2 * np.eye(2)
    return mu, H, sigma ** 2, sigma ** 2 + mu @ mu


def test_widget_state_numbers_and_grid_by_hand():
    """mu = (2, -1), sigma = 0.5: H = [[4.25, -2], [-2, 1.25]], eigenvalues 0.25 and 5.25, kappa 21; the grid is
    centred on the minimum and J(w) = 1/2 (w - v)^T H (w - v) on it, with the defaults of the docstring."""
    mu, H, lam_min, lam_max = widget_reference(2.0, -1.0, 0.5, False)
    s = c.widget_state(2.0, -1.0, 0.5)
    np.testing.assert_array_equal(s["mu"], mu)
    assert (s["sigma"], s["beta"], s["plain"]) == (0.5, 0.0, None)
    np.testing.assert_allclose(s["lam"], [lam_min, lam_max], rtol=1e-14)
    assert s["kappa"] == pytest.approx(21.0, rel=1e-13)
    assert s["step"] == pytest.approx(1 / lam_max, rel=1e-14)  # default step_fraction 0.5: half the edge 2/lam_max
    span = 1.3 * np.max(np.abs(c.W_START - c.W_STAR))
    np.testing.assert_allclose(s["w1"], np.linspace(c.W_STAR[0] - span, c.W_STAR[0] + span, 60), rtol=1e-15)
    np.testing.assert_allclose(s["w2"], np.linspace(c.W_STAR[1] - span, c.W_STAR[1] + span, 60), rtol=1e-15)
    W = np.stack(np.meshgrid(s["w1"], s["w2"]), axis=-1) - c.W_STAR  # row i at w2[i], column j at w1[j]
    np.testing.assert_allclose(s["J"], 0.5 * np.einsum("ija,ab,ijb->ij", W, H, W), rtol=1e-12, atol=1e-12)
    centred = c.widget_state(2.0, -1.0, 0.5, center=True, beta=0.3, n_grid=3)
    np.testing.assert_array_equal(centred["mu"], [0.0, 0.0])
    assert (centred["sigma"], centred["beta"], centred["J"].shape) == (0.5, 0.3, (3, 3))


def test_widget_state_text_without_momentum():
    """The lines a student reads; the optimal step 2 / (lam_min + lam_max) is 5.25 / 5.5 = 0.95 of 2 / lam_max."""
    s = c.widget_state(2.0, -1.0, 0.5, 0.25)
    run = c.gradient_descent(s["H"], 0.25 * 2 / 5.25)
    assert s["text"] == ("inputs not centred: mu = (2.00, -1.00), sigma = 0.50\n"
                         "lambda_min = 0.250, lambda_max = 5.250, kappa = 21.00\n"
                         f"step = 0.25 x 2/lambda_max (optimal: 0.95); {run['text']}")
    # centred: H = 0.25 I, so the step 0.5 x 2/0.25 = 4 = 1/lambda lands on the minimum in one step
    assert c.widget_state(2.0, -1.0, 0.5, 0.5, center=True)["text"] == (
        "inputs centred: mu = (0.00, 0.00), sigma = 0.50\n"
        "lambda_min = 0.250, lambda_max = 0.250, kappa = 1.00\n"
        "step = 0.50 x 2/lambda_max (optimal: 0.50); converged after 1 step")


def test_widget_state_text_with_momentum():
    """beta = 0.5: heavy ball diverges above step fraction 1 + beta; the fastest heavy ball for eigenvalues 0.25
    and 5.25 has step 4 / (sqrt(5.25) + sqrt(0.25))^2 and beta ((sqrt(5.25) - 0.5) / (sqrt(5.25) + 0.5))^2."""
    s = c.widget_state(2.0, -1.0, 0.5, 0.5, beta=0.5)
    root_min, root_max = 0.5, np.sqrt(5.25)
    fastest = 4 / (root_max + root_min) ** 2 * 5.25 / 2
    best_beta = ((root_max - root_min) / (root_max + root_min)) ** 2
    hb, gd = c.heavy_ball(s["H"], 1 / 5.25, 0.5), c.gradient_descent(s["H"], 1 / 5.25)
    assert s["text"] == ("inputs not centred: mu = (2.00, -1.00), sigma = 0.50\n"
                         "lambda_min = 0.250, lambda_max = 5.250, kappa = 21.00\n"
                         f"step = 0.50 x 2/lambda_max, momentum beta = 0.50 (diverges above 1.50; fastest: "
                         f"{fastest:.2f} with beta = {best_beta:.2f}); {hb['text']}\n"
                         f"without momentum: {gd['text']}")


@pytest.mark.parametrize("kwargs,message", [
    (dict(beta=-0.1), "beta must be >= 0.0; got -0.1"),
    (dict(beta=1.0), "beta must be <= 0.99; got 1.0"),
    (dict(beta="fast"), "beta must be a real number; got str"),
])
def test_widget_state_names_a_bad_beta(kwargs, message):
    with pytest.raises((TypeError, ValueError), match=whole(message)):
        c.widget_state(2.0, -1.0, 0.5, **kwargs)


# --- heavy_ball / gradient_descent: limits, messages and round-off, each by hand ----------------------------------

@pytest.mark.parametrize("method", ["gradient_descent", "heavy_ball"])
def test_the_default_limit_is_20000_steps(method):
    """e_k = (1 - 1e-4)^k needs about 138 000 steps to shrink by 1e-6: both stop at the default 20 000."""
    run = run_1d(1e-4) if method == "gradient_descent" else c.heavy_ball(ONE, 5e-5, 0.5, w0=np.array([1.0]),
                                                                         w_star=np.array([0.0]))
    assert (run["status"], run["steps"], run["text"]) == ("max_steps", 20000, "not converged after 20000 steps")


@pytest.mark.parametrize("kwargs,exc,message", [
    (dict(w0="ab"), TypeError, "w0 must be a numeric array; got str"),
    (dict(w0=np.zeros((2, 1))), ValueError, "w0 must have 1 dimension(s); got shape (2, 1)"),
    (dict(w_star="ab"), TypeError, "w_star must be a numeric array; got str"),
    (dict(w_star=np.zeros((2, 1))), ValueError, "w_star must have 1 dimension(s); got shape (2, 1)"),
    (dict(w0=np.zeros(3)), ValueError, "H of shape (2, 2) needs w0 and w_star of shape (2,); got (3,) and (2,)"),
    (dict(w_star=np.zeros(1)), ValueError, "H of shape (2, 2) needs w0 and w_star of shape (2,); got (2,) and (1,)"),
    (dict(H=np.ones((2, 3))), ValueError, "H must be square; got shape (2, 3)"),
])
def test_heavy_ball_messages(kwargs, exc, message):
    args = {"H": np.eye(2), "step": 0.5, "beta": 0.0, **kwargs}
    with pytest.raises(exc, match=whole(message)):
        c.heavy_ball(**args)


def test_diverged_is_relative_to_a_small_start():
    """From |w0 - v| = 1e-3 with step 3, e_k = 1e-3 (-2)^k passes 1e6 |e_0| at k = 20, as from any start."""
    run = c.gradient_descent(ONE, 3.0, w0=np.array([1e-3]), w_star=np.array([0.0]))
    assert (run["status"], run["text"]) == ("diverged", "diverged after 20 steps")


def test_errors_of_a_start_whose_square_underflows():
    """|w0 - v| = 1e-160: its square is subnormal, yet errors[0] is the distance itself, to the last digit."""
    run = c.gradient_descent(ONE, 0.5, w0=np.array([1e-160]), w_star=np.array([0.0]))
    assert run["errors"][0] == 1e-160


def test_overflow_is_reported_without_runtime_warnings():
    """Each overflow or nan on the way is reported by the result (or the error), never by a RuntimeWarning."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match=r"^w0 and w_star are out of float range: \|w0 - w_star\|\^2 overflows$"):
            c.gradient_descent(ONE, 0.5, w0=np.array([1e308]), w_star=np.array([-1e308]))  # w0 - w_star overflows
        huge = c.gradient_descent(np.eye(2), 3.0, w0=np.array([1e150, -1e150]), w_star=np.zeros(2))  # |e|^2 overflows
        overflowing_step = c.gradient_descent(np.array([[1e300]]), 1e300, w0=np.array([1.0]), w_star=np.array([0.0]))
        # H e sums +inf and -inf products: nan (numpy's "invalid") in the first step
        nan_step = c.gradient_descent(1e300 * np.ones((4, 4)), 1.0, w0=1e10 * np.array([-1.0, -1.0, -1.0, 1.0]),
                                      w_star=np.zeros(4))
    assert huge["status"] == overflowing_step["status"] == nan_step["status"] == "diverged"
    assert (overflowing_step["steps"], nan_step["steps"]) == (0, 0)


def test_mu_sigma_range_and_its_message():
    """sigma^2 or |mu|^2 / sigma^2 out of float range is refused (no RuntimeWarning); just inside it is computed."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match=whole(
                "mu and sigma are out of float range: with sigma = 1e+200, sigma^2, |mu|^2 or kappa overflows")):
            c.hessian([1.0, 1.0], 1e200)  # sigma^2 overflows
        with pytest.raises(ValueError, match=r"^mu and sigma are out of float range: with sigma = 1e-200,"):
            c.condition_number([1.0, 1.0], 1e-200)  # sigma^2 underflows to 0: |mu|^2 / 0
        np.testing.assert_allclose(c.hessian([1.0, 1.0], 1e120), [[1e240, 1.0], [1.0, 1e240]], rtol=1e-15)
        assert c.condition_number([1.0, 1.0], 1e-120) == pytest.approx(2e240, rel=1e-14)


def test_lam_max_must_be_positive_whatever_lam_min():
    with pytest.raises(ValueError, match=r"^lam_max must be > 0.0; got 0.0$"):
        c.step_size("optimal", 1.0, 0.0)
    with pytest.raises(ValueError, match=r"^lam_max must be > 0.0; got -1.0$"):
        c.momentum_parameters(1.0, -1.0)


def test_a_matrix_that_is_not_square_is_named():
    for call in (lambda: c.eigendirection_errors(np.ones((2, 3)), 0.1, np.zeros((3, 2))),
                 lambda: c.eigendirection_errors(np.ones((3, 2)), 0.1, np.zeros((3, 3))),
                 lambda: c.matrix_condition_number(np.ones((2, 3)))):
        with pytest.raises(ValueError, match=r"^H must be square; got shape \(\d, \d\)$"):
            call()


def test_bias_hessian_names_a_bad_how():
    with raises_naming("how", "'whitened'", exc=ValueError):
        c.bias_hessian([1.0, 2.0], 1.0, "whitened")


def test_sample_inputs_needs_at_least_one_draw():
    with pytest.raises(ValueError, match=r"^n must be >= 1; got 0$"):
        c.sample_inputs([1.0, 2.0], 1.0, 0, np.random.default_rng(0))


def test_momentum_bounds_message_shows_the_first_four_entries():
    with pytest.raises(ValueError, match=re.escape("k must hold whole numbers >= 0; got [0.5 1.  2.  3. ]") + "$"):
        c.momentum_error_bounds(4.0, np.array([0.5, 1.0, 2.0, 3.0, 4.0]))


def test_momentum_steps_when_the_bound_meets_tol_exactly():
    """kappa 9: rho = 1/2, c_max = 3/2; the bound (1 + 3k/2) 2^-k is exactly 0.4375 at k = 4 (binary fractions),
    so tol = 0.4375 is met at k = 4 ("first k with bound <= tol"); the fewest steps: 2^-2 <= 0.4375."""
    assert c.momentum_error_bounds(9.0, 4)[1] == 0.4375
    assert c.predicted_momentum_steps(9.0, tol=0.4375) == (2, 4)


def test_a_rate_of_exactly_the_largest_float_is_returned():
    """errors[0] is the subnormal whose log is exactly -log(max float), errors[-1] the largest float: the ratio
    overflows, and the rate over 2 steps, exp((log max + log max) / 2), is the largest float itself: in range."""
    largest = np.finfo(float).max
    first = 5.56268464626782e-309
    assert np.log(first) == -np.log(largest)
    assert c.measured_rate([first, 1.0, largest]) == pytest.approx(largest, rel=1e-12)


def test_empirical_hessian_overflow_warns_nothing_on_a_kernel_without_fma():
    """OpenBLAS's Prescott kernel has no fused multiply-add: in X^T X, +inf and -inf products add to nan (numpy's
    "invalid"), which the default kernel never meets. Either way the overflow is the error, not a RuntimeWarning."""
    X, message = [[1e200, 1e200], [1e200, -1e200]], "X is out of float range: X^T X overflows"
    with warnings.catch_warnings():  # this kernel; in process, which also tells `make mutate` the test covers it
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match=re.escape(message)):
            c.empirical_hessian(X)
    code = ("import warnings; warnings.simplefilter('error'); from utils import conditioning\n"
            f"try:\n    conditioning.empirical_hessian({X})\n"
            "except ValueError as e:\n    print(e)")
    import subprocess
    import sys
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={**os.environ, "OPENBLAS_CORETYPE": "Prescott"})
    assert (run.returncode, run.stdout) == (0, message + "\n"), run.stderr
