import os
import re
import warnings

import numpy as np
import pytest

from helpers import check_limits, raises_naming, whole
from utils import conditioning as c


def test_hessian_eigenvalues_kappa_against_numpy():
    rng = np.random.default_rng(0)
    for _ in range(300):
        d = int(rng.integers(1, 10))
        mu, sigma = rng.normal(scale=2, size=d), float(rng.uniform(0.2, 3))
        H = c.hessian(mu, sigma)
        lam = np.linalg.eigvalsh(H)
        np.testing.assert_allclose(c.eigenvalues(mu, sigma), lam, rtol=1e-9)
        assert c.condition_number(mu, sigma) == pytest.approx(lam[-1] / lam[0], rel=1e-8)


def test_hessian_by_monte_carlo():
    rng = np.random.default_rng(1)
    mu, sigma = np.array([1.5, -0.5, 2.0]), 0.7
    X = c.sample_inputs(mu, sigma, 400_000, rng)
    # standard error of each entry is below 0.02 here; 5 standard errors
    np.testing.assert_allclose(c.empirical_hessian(X), c.hessian(mu, sigma), atol=0.1)


def test_contraction_rate_matches_theory_over_a_sweep():
    mu = np.array([2.0, 1.0])
    for kappa in np.geomspace(1.5, 2000, 12):
        sigma = np.sqrt(mu @ mu / (kappa - 1))
        lam = c.eigenvalues(mu, sigma)
        run = c.gradient_descent(c.hessian(mu, sigma), c.step_size("optimal", lam[0], lam[-1]))
        assert run["status"] == "converged"
        assert abs(c.measured_rate(run["errors"]) - c.predicted_rate(kappa)) < 1e-9
        assert run["steps"] == c.predicted_steps(kappa)


def test_divergence_above_two_over_lambda_max():
    H = c.hessian([2.0, 1.0], 0.5)
    lam_max = np.linalg.eigvalsh(H)[-1]
    assert c.gradient_descent(H, 1.01 * 2 / lam_max)["status"] == "diverged"
    assert c.gradient_descent(H, 0.99 * 2 / lam_max)["status"] == "converged"


@pytest.mark.parametrize("mu1,mu2,sigma,frac,center", [
    (2, 2, 0.3, 0.05, False), (2, 2, 0.3, 1.1, False), (-2, -2, 0.3, 0.999, False), (0, 0, 3, 1.0, False),
    (2, -2, 0.3, 1.1, True), (0, 0, 0.3, 0.5, True), (2, 2, 3.0, 0.5, False)])
def test_widget_state_at_slider_extremes(mu1, mu2, sigma, frac, center):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = c.widget_state(mu1, mu2, sigma, frac, center)
    assert np.all(np.isfinite(s["J"]))
    assert s["gd"]["status"] in ("converged", "diverged", "max_steps") and "nan" not in s["text"].lower()
    expected_kappa = 1.0 if center else c.condition_number([mu1, mu2], sigma)
    assert s["kappa"] == pytest.approx(expected_kappa, rel=1e-9)
    if center:
        np.testing.assert_allclose(s["H"], sigma ** 2 * np.eye(2))


def test_centering_with_estimated_mean():
    rng = np.random.default_rng(2)
    mu, sigma = np.array([2.0, 1.0]), 0.5
    for n in (4, 64):
        mean_kappa = np.mean([c.centered_kappa(mu, sigma, n, rng) for _ in range(4000)])
        assert mean_kappa == pytest.approx(1 + 2 / n, rel=0.05)  # E|mu - mu_hat|^2 = d sigma^2 / n


def test_centered_kappas_is_the_loop_of_centered_kappa_in_one_array():
    """The notebook's 200 repetitions in one call: the same draws, so the same values, computed here from the
    sample means directly (kappa of d d^T + sigma^2 I with d = mu - mu_hat, by its eigenvalues)."""
    mu, sigma = np.array([2.0, 1.0, -1.0]), 0.7
    one, many = np.random.default_rng(5), np.random.default_rng(5)
    kappas = c.centered_kappas(mu, sigma, 6, 50, many)
    assert kappas.shape == (50,)
    np.testing.assert_array_equal(kappas, [c.centered_kappa(mu, sigma, 6, one) for _ in range(50)])
    again = np.random.default_rng(5)
    for k in kappas[:5]:
        d = mu - (mu + sigma * again.standard_normal((6, 3))).mean(axis=0)
        lam = np.linalg.eigvalsh(np.outer(d, d) + sigma ** 2 * np.eye(3))
        assert k == pytest.approx(lam[-1] / lam[0], rel=1e-12)
    np.testing.assert_array_equal(c.centered_kappas([3.0], 1.0, 4, 7, many), np.ones(7))  # d = 1: H is a number


def test_centered_kappas_needs_at_least_one_sample_and_one_repetition():
    """n = 0 would average no samples (a NaN kappa); reps = 0 would give no estimate: both named, at their limit."""
    mu, sigma = np.array([2.0, 1.0]), 0.7
    for n, reps, message in [(0, 5, "n must be >= 1; got 0"), (4, 0, "reps must be >= 1; got 0")]:
        with pytest.raises(ValueError, match=whole(message)):
            c.centered_kappas(mu, sigma, n, reps, np.random.default_rng(0))
    assert c.centered_kappas(mu, sigma, 1, 1, np.random.default_rng(0)).shape == (1,)


@pytest.mark.parametrize("call,exc,pattern", [
    (lambda: c.hessian([1.0, 2.0], 0.0), ValueError, "^sigma must be > 0"),
    (lambda: c.hessian([1.0, np.nan], 1.0), ValueError, "^mu must be finite"),
    (lambda: c.hessian([], 1.0), ValueError, "^mu must not be empty"),
    (lambda: c.gradient_descent(np.eye(2), -0.1), ValueError, "^step must be > 0"),
    (lambda: c.widget_state(1, 1, -1), ValueError, "^sigma must be >= 0.001"),
    (lambda: c.step_size("fast", 1, 2), ValueError, "^rule must be one of"),
    (lambda: c.hessian("ab", 1.0), TypeError, "^mu must be a numeric array"),
])
def test_bad_input(call, exc, pattern):
    with pytest.raises(exc, match=pattern):
        call()


def test_view_renders_every_slider_position_it_is_given():
    view = c.ConditioningView()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for args in [(2, 1, 0.5, 0.5, False), (-2, -2, 0.3, 1.1, False), (0, 0, 3, 0.05, True),
                     (2, -2, 0.3, 0.999, False, 0.6), (1, 1, 0.5, 1.5, False, 0.9)]:
            picture, text, description = view.render(*args)
            mu1, mu2, sigma, center = args[0], args[1], args[2], args[4]
            kappa = 1.0 if center else 1 + (mu1 ** 2 + mu2 ** 2) / sigma ** 2  # theory, computed here
            assert picture[:8] == b"\x89PNG\r\n\x1a\n"
            assert float(re.search(r"kappa = ([\d.]+)", text).group(1)) == pytest.approx(kappa, abs=0.006)
            assert view.handles["title_contour"].get_text().endswith(f"{kappa:.1f}")
            assert f"κ = {kappa:.2f}" in description  # the frame's text alternative follows the sliders too
            momentum = len(args) > 5
            assert ("without momentum" in text) == momentum
            shown = len(view.handles["error"].get_xdata())
            plain = c.widget_state(*args)["plain"]
            assert len(view.handles["plain"].get_xdata()) == (min(len(plain["errors"]), shown) if momentum else 0)


# --- widget_state: every bound, at and just past each limit (issue 18) ---------------------------------------

VALID = dict(mu1=1.0, mu2=0.5, sigma=1.0, step_fraction=0.5, center=False, beta=0.0, n_grid=8)
BOUNDS = [  # argument, a value at the limit (accepted), the value just past it (rejected), the message
    ("mu1", -1e3, np.nextafter(-1e3, -np.inf), "mu1 must be >= -1000"),
    ("mu1", 1e3, np.nextafter(1e3, np.inf), "mu1 must be <= 1000"),
    ("mu2", -1e3, np.nextafter(-1e3, -np.inf), "mu2 must be >= -1000"),
    ("mu2", 1e3, np.nextafter(1e3, np.inf), "mu2 must be <= 1000"),
    ("sigma", 1e-3, np.nextafter(1e-3, 0), "sigma must be >= 0.001"),
    ("sigma", 1e3, np.nextafter(1e3, np.inf), "sigma must be <= 1000"),
    ("step_fraction", np.nextafter(0.0, 1), 0.0, "step_fraction must be > 0"),
    ("step_fraction", 100.0, np.nextafter(100.0, np.inf), "step_fraction must be <= 100"),
    ("beta", 0.0, np.nextafter(0.0, -1), "beta must be >= 0"),
    ("beta", c.BETA_MAX, np.nextafter(c.BETA_MAX, 1), "beta must be <= 0.99"),
    ("n_grid", 2, 1, "n_grid must be >= 2"),
    ("n_grid", 1000, 1001, "n_grid must be <= 1000"),
]


@pytest.mark.parametrize("arg,inside,outside,message", BOUNDS, ids=[f"{b[0]}={b[1]:.3g}" for b in BOUNDS])
def test_widget_state_bounds(arg, inside, outside, message):
    kwargs = {**VALID, arg: inside}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        state = c.widget_state(**{**kwargs, "n_grid": min(kwargs["n_grid"], 50)} if arg != "n_grid" else kwargs)
    mu = np.array([kwargs["mu1"], kwargs["mu2"]])
    assert state["kappa"] == pytest.approx(1 + mu @ mu / kwargs["sigma"] ** 2, rel=1e-6)
    assert state["step"] == pytest.approx(kwargs["step_fraction"] * 2 / np.linalg.eigvalsh(state["H"])[-1])
    assert state["J"].shape == (kwargs["n_grid"],) * 2 and np.all(np.isfinite(state["J"]))
    with pytest.raises(ValueError, match="^" + re.escape(message)):
        c.widget_state(**{**VALID, arg: outside})


def test_widget_state_with_momentum_runs_both_methods():
    s = c.widget_state(2, 1, 0.5, 0.5, False, beta=0.5)
    H = np.outer([2, 1], [2, 1]) + 0.25 * np.eye(2)
    np.testing.assert_allclose(s["H"], H)
    assert s["gd"]["steps"] == c.heavy_ball(H, s["step"], 0.5)["steps"]
    assert s["plain"]["steps"] == c.gradient_descent(H, s["step"])["steps"]
    assert s["gd"]["steps"] < s["plain"]["steps"]  # momentum helps at kappa = 21
    best_step, best_beta = c.momentum_parameters(0.25, 5.25)
    assert f"beta = {best_beta:.2f}" in s["text"] and f"{best_step * 5.25 / 2:.2f}" in s["text"]


# --- heavy ball ----------------------------------------------------------------------------------------------

def reference_heavy_ball(H, eta, beta, w0, v, steps):
    """The notebook's loop, written again here."""
    w, previous, path = np.array(w0, float), np.array(w0, float), [np.array(w0, float)]
    for _ in range(steps):
        w, previous = w - eta * H @ (w - v) + beta * (w - previous), w
        path.append(w)
    return np.array(path)


def test_momentum_parameters_are_the_documented_formulas():
    for lam_min, lam_max in [(0.25, 5.25), (1.0, 1.0), (0.01, 9.0), (2.0, 3.0)]:
        kappa = lam_max / lam_min
        step, beta = c.momentum_parameters(lam_min, lam_max)
        assert beta == pytest.approx(((np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)) ** 2, rel=1e-12, abs=1e-15)
        assert step == pytest.approx(4 / (np.sqrt(lam_max) + np.sqrt(lam_min)) ** 2, rel=1e-12)


def test_predicted_momentum_rate_is_the_spectral_radius_of_the_iteration():
    """The per-step map of (e_k, e_{k-1}) along an eigenvector is [[1 + beta - eta lam, -beta], [1, 0]]; its
    largest |eigenvalue| over the spectrum is the rate."""
    for kappa in np.geomspace(1.5, 1000, 9):
        lam = np.array([1.0, kappa])
        step, beta = c.momentum_parameters(*lam)
        radius = max(np.abs(np.linalg.eigvals([[1 + beta - step * l, -beta], [1.0, 0.0]])).max() for l in lam)
        assert c.predicted_momentum_rate(kappa) == pytest.approx(radius, rel=1e-6)  # repeated root: eigvals ~1e-8


def test_heavy_ball_follows_the_loop_and_reduces_to_gradient_descent():
    H = c.hessian([2.0, 1.0], 0.5)
    run = c.heavy_ball(H, 0.3, 0.6, max_steps=60)
    np.testing.assert_allclose(run["path"], reference_heavy_ball(H, 0.3, 0.6, c.W_START, c.W_STAR, run["steps"]),
                               rtol=0, atol=1e-12)
    for key in ("path", "errors"):
        np.testing.assert_array_equal(c.heavy_ball(H, 0.3, 0.0)[key], c.gradient_descent(H, 0.3)[key])


def test_heavy_ball_errors_follow_the_repeated_root_exactly():
    """At both ends of the spectrum e_k . u_i = e_0 . u_i (1 + c_i k) (+-rho)^k, with c = 2/(sqrt(kappa) + 1)
    at lam_min and 2 sqrt(kappa)/(sqrt(kappa) + 1) at lam_max (derived in conditioning.momentum_error_bounds)."""
    mu = np.array([2.0, 1.0])
    for kappa in (1.5, 21.0, 400.0):
        sigma = np.sqrt(mu @ mu / (kappa - 1))
        H = c.hessian(mu, sigma)
        lam, U = np.linalg.eigh(H)
        step, beta = c.momentum_parameters(lam[0], lam[-1])
        run = c.heavy_ball(H, step, beta, max_steps=80)
        k = np.arange(len(run["path"]))
        parts = (run["path"] - c.W_STAR) @ U
        root, rho = np.sqrt(kappa), (np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)
        want_min = parts[0, 0] * (1 + 2 / (root + 1) * k) * rho ** k
        want_max = parts[0, 1] * (1 + 2 * root / (root + 1) * k) * (-rho) ** k
        scale = np.linalg.norm(parts[0])
        np.testing.assert_allclose(parts[:, 0], want_min, rtol=0, atol=1e-9 * scale)
        np.testing.assert_allclose(parts[:, 1], want_max, rtol=0, atol=1e-9 * scale)


def test_momentum_bounds_and_steps_over_a_sweep():
    mu = np.array([2.0, 1.0])
    excess = []
    for kappa in np.geomspace(1.5, 1000, 12):
        sigma = np.sqrt(mu @ mu / (kappa - 1))
        lam = c.eigenvalues(mu, sigma)
        step, beta = c.momentum_parameters(lam[0], lam[-1])
        H = c.hessian(mu, sigma)
        long = c.heavy_ball(H, step, beta, tol=1e-30)
        assert long["status"] == "converged"
        low, high = c.momentum_error_bounds(kappa, np.arange(len(long["errors"])))
        relative = long["errors"] / long["errors"][0]
        assert np.all(low * (1 - 1e-9) <= relative) and np.all(relative <= high * (1 + 1e-9))
        rho = c.predicted_momentum_rate(kappa)
        rate = c.measured_rate(long["errors"])
        K = long["steps"]
        assert rho <= rate <= rho * (1 + 2 * np.sqrt(kappa) / (np.sqrt(kappa) + 1) * K) ** (1 / K)
        excess.append(rate / rho - 1)
        # a longer run measures the rate more closely: the linear factor is spread over more steps
        shorter = c.measured_rate(c.heavy_ball(H, step, beta, tol=1e-8)["errors"])
        assert shorter / rho - 1 > excess[-1]
        fewest, most = c.predicted_momentum_steps(kappa)
        assert fewest <= c.heavy_ball(H, step, beta)["steps"] <= most
        assert fewest == np.ceil(np.log(1e-6) / np.log(rho))
        # and momentum beats the best fixed step
        assert most < c.predicted_steps(kappa) or kappa < 3
    assert max(excess) < 0.15


def test_heavy_ball_diverges_beyond_one_plus_beta():
    H = c.hessian([2.0, 1.0], 0.5)
    lam_max = np.linalg.eigvalsh(H)[-1]
    for beta in (0.3, 0.8):
        assert c.heavy_ball(H, 1.01 * (1 + beta) * 2 / lam_max, beta)["status"] == "diverged"
        assert c.heavy_ball(H, 0.97 * (1 + beta) * 2 / lam_max, beta, max_steps=100000)["status"] == "converged"


# --- per-eigendirection errors ------------------------------------------------------------------------------

def test_each_eigendirection_contracts_at_its_own_rate():
    H = c.hessian([2.0, 1.0], 0.5)
    lam, U = np.linalg.eigh(H)
    for eta in (0.1, 2 / (lam[0] + lam[-1]), 1.5 / lam[-1], 1.9 / lam[-1]):
        run = c.gradient_descent(H, eta, max_steps=40)
        parts = c.eigendirection_errors(H, eta, run["path"])
        mine = np.abs((run["path"] - c.W_STAR) @ U)
        np.testing.assert_allclose(parts["measured"], mine, atol=1e-12)
        k = np.arange(len(run["path"]))[:, None]
        np.testing.assert_allclose(parts["predicted"], np.abs(1 - eta * lam) ** k * mine[0], atol=1e-12)
        np.testing.assert_allclose(parts["measured"], parts["predicted"], atol=1e-9 * np.linalg.norm(mine[0]))


# --- bias, centring, standardising ------------------------------------------------------------------------

def test_bias_hessians_against_monte_carlo_and_closed_forms():
    rng = np.random.default_rng(5)
    mu, sigma = np.array([2.0, 1.0, -1.0]), 0.5
    X = c.sample_inputs(mu, sigma, 400_000, rng)
    for how in c.INPUTS:
        A = c.transform_inputs(X, how, mean=mu, scale=np.full(3, sigma))
        np.testing.assert_allclose(A.T @ A / len(A), c.bias_hessian(mu, sigma, how), atol=0.05)
    raw = np.block([[np.outer(mu, mu) + sigma ** 2 * np.eye(3), mu[:, None]], [mu[None, :], np.ones((1, 1))]])
    np.testing.assert_array_equal(c.bias_hessian(mu, sigma, "raw"), raw)
    for s in (0.3, 0.5, 1.0, 2.0):
        assert c.matrix_condition_number(c.bias_hessian(mu, s, "centred")) == pytest.approx(max(s * s, 1) / min(s * s, 1))
        np.testing.assert_array_equal(c.bias_hessian(mu, s, "standardised"), np.eye(4))


def test_transform_inputs_uses_the_datas_own_statistics_by_default():
    X = np.array([[1.0, 10.0], [3.0, 14.0], [5.0, 12.0]])
    A = c.transform_inputs(X, "standardised")
    np.testing.assert_allclose(A[:, :2].mean(axis=0), 0, atol=1e-15)
    np.testing.assert_allclose(A[:, :2].std(axis=0), 1)
    np.testing.assert_array_equal(A[:, 2], 1)
    np.testing.assert_array_equal(c.transform_inputs(X, "raw")[:, :2], X)
    with pytest.raises(ValueError, match="^scale must be > 0"):
        c.transform_inputs(np.ones((3, 2)), "standardised")
    with pytest.raises(ValueError, match="^how must be one of"):
        c.transform_inputs(X, "whitened")


def test_least_squares_solves_the_normal_equations():
    rng = np.random.default_rng(6)
    A, t = rng.normal(size=(50, 3)), rng.normal(size=50)
    w, loss = c.least_squares(A, t)
    np.testing.assert_allclose(w, np.linalg.solve(A.T @ A, A.T @ t), rtol=1e-10)
    assert loss == pytest.approx(0.5 * np.mean((A @ w - t) ** 2))
    with pytest.raises(ValueError, match="^t must have shape"):
        c.least_squares(A, t[:3])


def test_general_hessian_and_its_condition_number():
    rng = np.random.default_rng(7)
    mu = np.array([1.0, -2.0, 0.5])
    L = np.array([[1.0, 0, 0], [0.8, 0.5, 0], [-0.3, 0.2, 0.4]])
    Sigma = L @ L.T
    X = mu + rng.standard_normal((400_000, 3)) @ L.T
    np.testing.assert_allclose(c.general_hessian(mu, Sigma), X.T @ X / len(X), atol=0.05)
    H = c.general_hessian(mu, Sigma)
    assert c.matrix_condition_number(H) == pytest.approx(np.linalg.cond(H), rel=1e-10)
    with pytest.raises(ValueError, match="^Sigma must be symmetric positive definite"):
        c.general_hessian(mu, -Sigma)
    with pytest.raises(ValueError, match="^H must be positive definite"):
        c.matrix_condition_number(-H)


# --- the figures' text alternatives (issue 27): what the reader should see, with the numbers computed ----------

def _description(fig):
    from utils import style
    text = style.description_of(fig)
    assert text != style.DESCRIPTION_TO_WRITE
    return text


def test_hessian_convergence_description_gives_the_fitted_slope_and_the_ends():
    ns = np.array([10.0, 100.0, 1000.0, 10000.0])
    errors = 2.0 / np.sqrt(ns) * np.array([1.0, 1.1, 0.9, 1.0])
    slope = np.linalg.lstsq(np.c_[np.log(ns), np.ones(4)], np.log(errors), rcond=None)[0][0]
    text = _description(c.hessian_convergence_figure(ns, errors))
    assert f"fitted slope {slope:.2f}" in text and "from 10 to 10000" in text
    assert f"from {errors[0]:.2g} to {errors[-1]:.2g}" in text


def test_step_rules_description_names_each_run_and_its_shape():
    states = [c.widget_state(2.0, 1.0, 0.5, f) for f in (0.5, 0.9, 1.02, 0.2)]
    text = _description(c.step_rules_figure(states, ["a", "b", "c", "d"]))
    assert text.startswith("4 columns") and "κ = 21.00" in text  # 1 + 5 / 0.25
    for title, state, shape in zip("abcd", states, ("valley floor in one step", "zig-zagging across",
                                                    "zig-zagging ever wider", "from one side")):
        part = text.split(f"{title}: ", 1)[1]
        assert part.startswith(state["gd"]["text"] + ", " + ("reaching the " if title == "a" else "")) and shape in part


def test_eigendirection_description_gives_each_directions_rate():
    H = c.hessian(np.array([2.0, 1.0]), 0.5)  # eigenvalues 0.25 and 5.25
    runs = []
    for eta in (2 / 5.5, 1.5 / 5.25):
        run = c.gradient_descent(H, eta, max_steps=20)
        runs.append((f"η = {eta:.3f}", eta, c.eigendirection_errors(H, eta, run["path"])))
    text = _description(c.eigendirection_figure(runs))
    assert "shrinks by 0.909 per step, along the steep one (λ = 5.25, squares) by 0.909" in text  # 1 - 0.5/5.5
    assert "shrinks by 0.929 per step, along the steep one (λ = 5.25, squares) by 0.500" in text  # 1 - 0.375/5.25
    assert text.count("every measured point lies on its predicted line") == 2
    wrong = [(runs[0][0], runs[0][1], {**runs[0][2], "measured": runs[0][2]["measured"] * 1.1})]
    assert "leave their predicted lines by up to" in _description(c.eigendirection_figure(wrong))


def test_momentum_description_counts_and_slopes():
    kappas = np.geomspace(10, 1000, 5)
    plain = {"steps": np.round(kappas * 7), "predicted_steps": np.round(kappas * 7), "rate": 1 - 2 / kappas,
             "predicted_rate": 1 - 2 / kappas}
    plain["steps"][2] += 1  # one κ off its prediction
    ball = {"steps": np.round(np.sqrt(kappas) * 10), "band": np.c_[np.sqrt(kappas) * 9, np.sqrt(kappas) * 10.5],
            "rate": 1 - 2 / np.sqrt(kappas), "predicted_rate": 1 - 2 / np.sqrt(kappas)}
    ball["band"][0] = [1, 2]  # one κ outside its band
    text = _description(c.momentum_figure(kappas, plain, ball))
    assert "on its predicted line for 4 of 5 κ" in text and "inside its shaded predicted band for 4 of 5 κ" in text
    assert "slope -1.00; heavy ball" in text and text.endswith("slope -0.50.")
    assert f"from {plain['steps'][0]:.0f} to {plain['steps'][-1]:.0f} steps" in text


def test_centring_description_gives_the_ends_and_the_uncentred_kappa():
    text = _description(c.centring_figure([1, 4, 16], [3.1, 1.5, 1.125], 21.0))
    assert "n from 1 to 16" in text and "falling from 2.1 to 0.12" in text and "κ − 1 = 20 without centring" in text


FRAME = ("Left: {bowl}, with the minimum v = (1, -0.5) marked by a star and the descent path from w0 = (-2, 1.5). "
         "Right: the distance |w − v| against the step on a log scale, with the tolerance line at 1e-6 of the "
         "start. {run}")  # describe_state's text, around its bowl and its run


def test_describe_state_words_the_bowl_the_step_and_the_run():
    """mu = (2, 1), sigma = 0.5: H = mu mu^T + I/4 has lambda 0.25 and 5.25, kappa 21, contours sqrt(21) = 4.58
    times longer one way; the step 0.5 x 2/5.25 = 0.190 makes 1 - eta lambda_max = 0. Centred with sigma = 3:
    lambda = 9 twice, eta = 1.5 x 2/9 = 0.333, and the edge with beta = 0.6 at 1.6."""
    frame = FRAME
    s = c.widget_state(2.0, 1.0, 0.5, 0.5)
    assert c.describe_state(s) == frame.format(
        bowl="elliptical contours, 4.6 times longer along the flat direction than along the steep one (κ = 21.00; "
             "λ = 0.25 and 5.25)",
        run=f"Plain gradient descent with the step 0.50 × 2/λmax (η = 0.190), below the edge of divergence at 1.00 × "
            f"2/λmax: {s['gd']['text']}, reaching the valley floor in one step and then creeping along it.")
    s = c.widget_state(2.0, 1.0, 0.5, 1.02)
    assert c.describe_state(s).endswith(
        f"beyond the edge of divergence at 1.00 × 2/λmax: {s['gd']['text']}, zig-zagging ever wider across the valley.")
    s = c.widget_state(2.0, 1.0, 0.5, 1.0)  # on the edge: |1 - eta lambda_max| = 1, the steep error neither shrinks nor grows
    assert s["gd"]["status"] == "max_steps" and c.describe_state(s).endswith(
        f"at the edge of divergence at 1.00 × 2/λmax: {s['gd']['text']}, zig-zagging across the valley.")
    s = c.widget_state(2.0, 1.0, 0.5, 1.0 - 1e-6)
    assert "× 2/λmax (η = 0.381), below the edge of divergence" in c.describe_state(s)
    s = c.widget_state(0.0, 0.0, 3.0, 1.6, center=True, beta=0.6)  # heavy ball's edge, 1 + beta
    assert "(η = 0.356), at the edge of divergence at 1.60 × 2/λmax" in c.describe_state(s)
    # "at" within 1e-9 of the edge, relative: 1.6 (1 + 0.8e-9) is 1.28e-9 from 1.6, inside 1.6e-9, outside 1e-9
    s["step"] = 1.6 * (1 + 0.8e-9) * 2 / s["lam"][-1]
    assert ", at the edge of divergence" in c.describe_state(s)
    s["step"] = 1.6 * (1 + 1.2e-9) * 2 / s["lam"][-1]
    assert ", beyond the edge of divergence" in c.describe_state(s)
    s = c.widget_state(0.0, 0.0, 3.0, 1.5, center=True, beta=0.6)
    assert c.describe_state(s) == frame.format(
        bowl="round contours (κ = 1.00): every direction is equally steep",
        run=f"Heavy ball with β = 0.60 with the step 1.50 × 2/λmax (η = 0.333), below the edge of divergence at "
            f"1.60 × 2/λmax: {s['gd']['text']}. The dashed curve, the same step without momentum: {s['plain']['text']}.")
    s = c.widget_state(0.0, 0.0, 3.0, 0.25, center=True)  # round: no shape named, even for a step below the edge
    assert c.describe_state(s).endswith(f"below the edge of divergence at 1.00 × 2/λmax: {s['gd']['text']}.")
    s = c.widget_state(2.0, 1.0, 0.5, 0.5, beta=0.6)  # momentum: the path's shape is not plain descent's, not named
    assert f"1.60 × 2/λmax: {s['gd']['text']}. The dashed curve" in c.describe_state(s)


def test_describe_state_names_a_bowl_round_only_within_1e_9_of_kappa_1_and_the_path_by_its_steep_factor():
    """mu = (0.5, 0), sigma = 1: H = diag(1.25, 1), lambda 1 and 1.25, kappa 1.25, contours sqrt(1.25) = 1.12 times
    longer one way: elliptical, though kappa < 2. The steep direction's factor 1 - eta lambda_max is 1 - 2 x 0.25 = 0.5
    at the step 0.25 x 2/lambda_max (eta = 0.4): one side; 1 - 2 x 0.75 = -0.5 at 0.75 (eta = 1.2): zig-zag.
    mu1 = sqrt(1e-9): kappa = 1 + mu1^2 is 1 + 1e-9 itself, not below it, so the bowl is still elliptical (and the
    path shaped); with mu1 a millionth smaller (kappa - 1 = 0.999998e-9) it is round, its path unshaped."""
    def run(step, eta, shape):
        return (f"Plain gradient descent with the step {step} × 2/λmax (η = {eta}), below the edge of divergence at "
                f"1.00 × 2/λmax: {s['gd']['text']}{shape}.")
    ellipse = ("elliptical contours, {} times longer along the flat direction than along the steep one (κ = {}; "
               "λ = 1.00 and {})")
    s = c.widget_state(0.5, 0.0, 1.0, 0.25)
    assert c.describe_state(s) == FRAME.format(bowl=ellipse.format("1.1", "1.25", "1.25"),
                                               run=run("0.25", "0.400", ", approaching the valley floor from one side"))
    s = c.widget_state(0.5, 0.0, 1.0, 0.75)
    assert c.describe_state(s) == FRAME.format(bowl=ellipse.format("1.1", "1.25", "1.25"),
                                               run=run("0.75", "1.200", ", zig-zagging across the valley"))
    mu1 = np.sqrt(1e-9)
    s = c.widget_state(mu1, 0.0, 1.0, 0.25)
    assert s["kappa"] == 1 + 1e-9  # the tolerance's edge itself (H is diagonal: its eigenvalues are exact)
    assert c.describe_state(s) == FRAME.format(bowl=ellipse.format("1.0", "1.00", "1.00"),
                                               run=run("0.25", "0.500", ", approaching the valley floor from one side"))
    s = c.widget_state(mu1 * (1 - 1e-6), 0.0, 1.0, 0.25)
    assert c.describe_state(s) == FRAME.format(bowl="round contours (κ = 1.00): every direction is equally steep",
                                               run=run("0.25", "0.500", ""))


# ---- gradient descent's stopping rules at their limits and their report, every argument's limits and messages --------

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


# ---- messages found by the property-based tests (test_bad_input): step_size, widget_state, measured_rate -------------

@pytest.mark.filterwarnings("error")  # no RuntimeWarning may reach a student at these edges
def test_step_size_with_lam_min_above_lam_max_names_both():
    with pytest.raises(ValueError, match=r"^lam_min and lam_max must satisfy lam_min <= lam_max; got lam_min = 3.0, lam_max = 2.0"):
        c.step_size("optimal", 3.0, 2.0)
    assert c.step_size("optimal", 2.0, 2.0) == pytest.approx(0.5)  # equal eigenvalues are allowed


@pytest.mark.filterwarnings("error")  # no RuntimeWarning may reach a student at these edges
@pytest.mark.parametrize("n_grid,exc", [(-1, ValueError), (None, TypeError), (2.5, TypeError)])
def test_widget_state_names_a_bad_n_grid(n_grid, exc):
    with pytest.raises(exc, match=r"^n_grid must be"):
        c.widget_state(1.0, 0.0, 1.0, 0.5, n_grid=n_grid)


@pytest.mark.filterwarnings("error")  # no RuntimeWarning may reach a student at these edges
def test_measured_rate_beyond_the_quotients_range_is_the_true_root_or_names_errors():
    """Found by test_bad_input: errors from 3e-193 to 6e115 made measured_rate inf. Over two steps the rate is
    sqrt(1.8e308) = 1.34e154; over one step it is beyond float range, an error naming errors."""
    tiny = np.finfo(float).tiny
    assert c.measured_rate([3.3e-193, 1.0, 5.94e115]) == pytest.approx((5.94 / 3.3) ** 0.5 * 1e154, rel=1e-12)
    assert c.measured_rate([1e-300, 1e-300 * 1e-20]) == pytest.approx(1e-20, rel=1e-12)  # underflowing
    assert c.measured_rate([1.0, 0.0]) == 0.0
    assert c.measured_rate([1.0, 0.5, 0.0]) == 0.0
    assert c.measured_rate([1.0, tiny]) == tiny  # the smallest normal ratio: its root, exactly
    with pytest.raises(ValueError) as info:
        c.measured_rate([3.3e-193, 5.94e115])
    assert str(info.value) == ("errors must not grow beyond float range per step; got errors[0] = 3.3e-193, "
                               "errors[-1] = 5.94e+115 after 1 step(s)")
    with pytest.raises(ValueError) as info:  # over two steps: only a subnormal start grows that fast
        c.measured_rate([5e-324, 1.0, 1.7e308])
    assert str(info.value) == ("errors must not grow beyond float range per step; got errors[0] = 4.94e-324, "
                               "errors[-1] = 1.7e+308 after 2 step(s)")
    with pytest.raises(ValueError) as info:
        c.measured_rate([1.0, 2.0, 3.0, 4.0, -5.0])
    assert str(info.value).endswith(f"got {np.array([1.0, 2.0, 3.0, 4.0])}")  # the first four entries
