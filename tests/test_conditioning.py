import warnings

import numpy as np
import pytest

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


@pytest.mark.parametrize("call,exc,pattern", [
    (lambda: c.hessian([1.0, 2.0], 0.0), ValueError, "sigma must be > 0"),
    (lambda: c.hessian([1.0, np.nan], 1.0), ValueError, "mu must be finite"),
    (lambda: c.hessian([], 1.0), ValueError, "mu must not be empty"),
    (lambda: c.gradient_descent(np.eye(2), -0.1), ValueError, "step must be > 0"),
    (lambda: c.widget_state(1, 1, -1), ValueError, "sigma must be >= 0.001"),
    (lambda: c.step_size("fast", 1, 2), ValueError, "rule must be one of"),
    (lambda: c.hessian("ab", 1.0), TypeError, "mu must be a numeric array"),
])
def test_bad_input(call, exc, pattern):
    with pytest.raises(exc, match=pattern):
        call()


def test_view_renders_every_slider_position_it_is_given():
    view = c.ConditioningView()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for args in [(2, 1, 0.5, 0.5, False), (-2, -2, 0.3, 1.1, False), (0, 0, 3, 0.05, True), (2, -2, 0.3, 0.999, False)]:
            picture, text = view.render(*args)
            assert picture[:8] == b"\x89PNG\r\n\x1a\n" and text == c.widget_state(*args)["text"]
            assert view.handles["title_contour"].get_text().endswith(f"{c.widget_state(*args)['kappa']:.1f}")
