"""Every sentence of notebook 03 about a computed result, recomputed through utils: each test fails when its
claim stops being true. The section of the notebook is named in each docstring."""
import math
import re
from pathlib import Path

import nbformat
import numpy as np
import pytest

from utils import conditioning as c

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "03-hessian-conditioning.ipynb"
MU, SIGMA = np.array([2.0, 1.0]), 0.5
V = np.array([1.0, -0.5])
H = c.hessian(MU, SIGMA)
LAM = np.linalg.eigvalsh(H)


def test_monte_carlo_error_shrinks_like_one_over_root_n():
    """§1: "the error shrinking like 1/√n: a straight line of slope −1/2" (printed: fitted slope −0.49)."""
    rng = np.random.default_rng(11)
    ns = np.array([10, 100, 1000, 10000, 100000])
    errors = [np.mean([np.linalg.norm(c.empirical_hessian(c.sample_inputs(MU, SIGMA, n, rng)) - H)
                       for _ in range(20)]) for n in ns]
    assert np.polyfit(np.log(ns), np.log(errors), 1)[0] == pytest.approx(-0.5, abs=0.06)


def test_autograd_hessian_is_the_empirical_one_and_near_the_closed_form():
    """§1: autograd's Hessian equals XᵀX/n "to round-off" (printed: below 1e-12) and is near the closed form,
    "within the Monte Carlo error ... of order 0.1" at n = 500 (atol: three standard deviations of the worst entry,
    √(4μ₁²σ² + 2σ⁴)/√500 ≈ 0.09)."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(12)
    X = c.sample_inputs(MU, SIGMA, 500, rng)
    t = X @ V + 0.1 * rng.standard_normal(500)
    Xt, tt = torch.tensor(X), torch.tensor(t)
    Ha = torch.autograd.functional.hessian(lambda w: 0.5 * ((Xt @ w - tt) ** 2).mean(),
                                           torch.zeros(2, dtype=torch.float64)).numpy()
    assert np.max(np.abs(Ha - c.empirical_hessian(X))) / np.abs(Ha).max() < 1e-12
    np.testing.assert_allclose(Ha, H, atol=0.3)


def test_closed_form_eigenvalues_on_a_thousand_random_cases():
    """§2: eigenvalues and κ within a relative error of 1e-8 of eigvalsh "1000 of 1000"; "these random cases reach κ
    of order 10⁴" (printed: largest κ 1.1e+04; over seeds the largest lies between about 5e3 and 3e4)."""
    rng = np.random.default_rng(13)
    largest_kappa = 0.0
    for _ in range(1000):
        d = int(rng.integers(1, 12))
        mu, sigma = rng.normal(scale=3.0, size=d), float(rng.uniform(0.1, 3.0))
        lam = np.linalg.eigvalsh(c.hessian(mu, sigma))
        assert np.max(np.abs(lam - c.eigenvalues(mu, sigma)) / lam) < 1e-8
        k = c.condition_number(mu, sigma)
        assert abs(lam[-1] / lam[0] - k) / k < 1e-8
        largest_kappa = max(largest_kappa, k)
    assert 1e3 < largest_kappa < 1e5


def test_loss_rises_by_half_lambda_s_squared_along_an_eigenvector():
    """§2: "the loss at w = v + s u exceeds its minimum by ½ λ s²", and the contours are ellipses whose axes have
    the length ratio √κ: checked on the empirical loss of 400 000 samples, without H."""
    rng = np.random.default_rng(21)
    X = c.sample_inputs(MU, SIGMA, 400_000, rng)
    t = X @ V + 0.1 * rng.standard_normal(len(X))
    loss = lambda w: 0.5 * np.mean((X @ w - t) ** 2)  # noqa: E731
    lam, U = np.linalg.eigh(H)
    s = 0.7
    for i in range(2):
        assert loss(V + s * U[:, i]) - loss(V) == pytest.approx(0.5 * lam[i] * s ** 2, rel=0.02)
    # the level set loss = loss(v) + 1/2 meets each eigenvector at |s| = 1/√λ: axis ratio √κ
    axes = [1 / np.sqrt(2 * (loss(V + U[:, i]) - loss(V))) for i in range(2)]
    assert axes[0] / axes[1] == pytest.approx(np.sqrt(LAM[-1] / LAM[0]), rel=0.02)


def test_steepest_direction_is_the_means():
    """§2: "The steepest direction is the mean's"."""
    lam, U = np.linalg.eigh(c.hessian(np.array([1.5, -0.7, 2.0]), 0.6))
    assert abs(U[:, -1] @ np.array([1.5, -0.7, 2.0])) / np.linalg.norm([1.5, -0.7, 2.0]) == pytest.approx(1.0)


def test_the_five_line_loop_is_the_packages_gradient_descent():
    """§5 (going further): the notebook's loop gives "the same path as conditioning.gradient_descent to below 1e-12"."""
    w, path = c.W_START.copy(), [c.W_START.copy()]
    for _ in range(50):
        w = w - 0.2 * H @ (w - V)
        path.append(w)
    assert np.abs(np.array(path) - c.gradient_descent(H, 0.2, max_steps=50)["path"]).max() < 1e-12


def test_lecun_step_removes_the_steep_component_and_leaves_one_minus_one_over_kappa():
    """§3: LeCun's 1/λmax "removes the steepest component in one step; the flattest then shrinks by 1 − 1/κ"."""
    eta = c.step_size("lecun", LAM[0], LAM[-1])
    run = c.gradient_descent(H, eta, max_steps=5)
    parts = c.eigendirection_errors(H, eta, run["path"])["measured"]
    assert parts[1, 1] < 1e-12 * parts[0, 1]
    np.testing.assert_allclose(parts[1:, 0] / parts[:-1, 0], 1 - LAM[0] / LAM[-1], rtol=1e-9)


def test_three_runs_lecun_optimal_beyond_the_edge():
    """§3: LeCun converges, more slowly than the optimal step (printed 281 and 145 steps, recomputed here);
    2 % beyond 2/λmax diverges; with the optimal step the path zig-zags: the steep component changes sign every
    step."""
    lecun = c.gradient_descent(H, c.step_size("lecun", LAM[0], LAM[-1]))
    eta = c.step_size("optimal", LAM[0], LAM[-1])
    optimal = c.gradient_descent(H, eta)
    assert lecun["status"] == optimal["status"] == "converged" and lecun["steps"] > optimal["steps"]
    assert c.gradient_descent(H, 1.02 * 2 / LAM[-1])["status"] == "diverged"
    # "converged once |w − v| ≤ 1e-6 |w0 − v|", "diverged once |w − v| > 1e6 |w0 − v|"
    assert (c.TOL, c.DIVERGED) == (1e-6, 1e6)
    # the printed counts, recomputed from the flat component alone: after LeCun's first step only it is left,
    # shrinking by 1 − 1/κ; with η* the whole error shrinks by (κ − 1)/(κ + 1) from the start
    e0 = c.W_START - c.W_STAR
    flat = abs(e0 @ np.linalg.eigh(H)[1][:, 0])
    kappa = LAM[-1] / LAM[0]
    lecun_steps = math.ceil(math.log(1e-6 * np.linalg.norm(e0) / flat) / math.log(1 - 1 / kappa))
    optimal_steps = math.ceil(math.log(1e-6) / math.log((kappa - 1) / (kappa + 1)))
    assert (lecun["steps"], optimal["steps"]) == (lecun_steps, optimal_steps) == (281, 145)
    steep = (optimal["path"] - c.W_STAR) @ np.linalg.eigh(H)[1][:, -1]
    assert np.all(np.sign(steep[1:]) == -np.sign(steep[:-1]))


def test_each_direction_on_its_own():
    """§4 plot: measured components equal |1 − ηλ_i|^k |e0·u_i| (printed: below 1e-12 of |e0|); with η* the two
    directions fall in parallel (rates 0.909); η = 1.5/λmax is smaller than η* = 1.91/λmax, its steep direction
    falls at 0.500 and its flat one more slowly than with η* (0.929 against 0.909)."""
    for eta in (c.step_size("optimal", LAM[0], LAM[-1]), 1.5 / LAM[-1]):
        run = c.gradient_descent(H, eta, max_steps=40)
        parts = c.eigendirection_errors(H, eta, run["path"])
        assert np.max(np.abs(parts["measured"] - parts["predicted"])) < 1e-12 * run["errors"][0]
    rates = lambda eta: np.abs(1 - eta * LAM)  # noqa: E731
    assert rates(2 / (LAM[0] + LAM[-1]))[0] == pytest.approx(rates(2 / (LAM[0] + LAM[-1]))[1])
    assert rates(1.5 / LAM[-1])[0] > 1.5 * rates(1.5 / LAM[-1])[1]
    eta_star = c.step_size("optimal", LAM[0], LAM[-1])
    assert 1.5 / LAM[-1] < eta_star and round(eta_star * LAM[-1], 2) == 1.91
    assert rates(1.5 / LAM[-1])[0] > rates(eta_star)[0]
    assert [round(r, 3) for r in (*rates(eta_star), *rates(1.5 / LAM[-1]))] == [0.909, 0.909, 0.929, 0.5]


def test_two_eigenvalues_shrink_by_exactly_rho():
    """§4: "by exactly ρ: ‖e_k‖ = ρ^k ‖e_0‖" in the 2-D problem with the optimal step."""
    run = c.gradient_descent(H, c.step_size("optimal", LAM[0], LAM[-1]))
    k = np.arange(len(run["errors"]))
    np.testing.assert_allclose(run["errors"], run["errors"][0] * c.predicted_rate(LAM[-1] / LAM[0]) ** k, rtol=1e-9)


def sweep():
    kappas = np.geomspace(1.5, 1000, 15)
    out = {"kappa": kappas, "plain": [], "pred": [], "plain_rate": [], "ball": [], "band": [], "ball_rate": [],
           "within": []}
    for kappa in kappas:
        s = np.sqrt(MU @ MU / (kappa - 1))
        Hs, lam = c.hessian(MU, s), c.eigenvalues(MU, s)
        plain = c.gradient_descent(Hs, c.step_size("optimal", lam[0], lam[-1]))
        out["plain"].append(plain["steps"])
        out["pred"].append(c.predicted_steps(kappa))
        out["plain_rate"].append(c.measured_rate(plain["errors"]))
        step, beta = c.momentum_parameters(lam[0], lam[-1])
        out["ball"].append(c.heavy_ball(Hs, step, beta)["steps"])
        out["band"].append(c.predicted_momentum_steps(kappa))
        long = c.heavy_ball(Hs, step, beta, tol=1e-30)["errors"]
        out["ball_rate"].append(c.measured_rate(long))
        low, high = c.momentum_error_bounds(kappa, np.arange(len(long)))
        out["within"].append(bool(np.all((low * (1 - 1e-9) <= long / long[0]) & (long / long[0] <= high * (1 + 1e-9)))))
    return {k: np.array(v) for k, v in out.items()}


@pytest.fixture(scope="module")
def swept():
    return sweep()


def test_plain_descent_matches_exercise_4_exactly(swept):
    """§5: plain "measured steps equal Exercise 4's prediction for 15 of 15 κ; measured rate within 1e-9 … 15 of 15"."""
    np.testing.assert_array_equal(swept["plain"], swept["pred"])
    rho = np.array([c.predicted_rate(k) for k in swept["kappa"]])
    assert np.all(np.abs(swept["plain_rate"] - rho) < 1e-9)


def test_heavy_ball_inside_its_band_and_bounds(swept):
    """§5: heavy ball "steps inside the predicted band for 15 of 15 κ; every error of the long run within its bounds
    for 15 of 15"; the measured rate "sits a little above" ρ, "the most at small κ" (printed: 11 % at κ = 1.5,
    0.6 % at κ = 1000, the most at κ = 1.5)."""
    assert np.all((swept["band"][:, 0] <= swept["ball"]) & (swept["ball"] <= swept["band"][:, 1]))
    assert swept["within"].all()
    excess = swept["ball_rate"] / np.array([c.predicted_momentum_rate(k) for k in swept["kappa"]]) - 1
    assert np.all(excess > 0) and np.argmax(excess) == 0 and excess.max() < 0.15
    assert np.all(np.diff(excess) < 0) and excess[-1] < 0.01


def test_slopes_minus_one_and_minus_one_half(swept):
    """§5: fitted for κ ≥ 10, steps have slope about 1 (plain) and 1/2 (momentum), 1 − rate about −1 and −1/2;
    the momentum slopes sit "a little away from ±1/2" (printed: 1.00, 0.53; −0.99, −0.46); at κ = 1000: 6908
    plain steps, 309 with momentum."""
    big = swept["kappa"] >= 10
    slope = lambda y: np.polyfit(np.log(swept["kappa"][big]), np.log(y[big]), 1)[0]  # noqa: E731
    assert slope(1 - swept["plain_rate"]) == pytest.approx(-1.0, abs=0.05)
    assert slope(1 - swept["ball_rate"]) == pytest.approx(-0.5, abs=0.08)
    assert slope(swept["plain"].astype(float)) == pytest.approx(1.0, abs=0.05)
    assert slope(swept["ball"].astype(float)) == pytest.approx(0.5, abs=0.1)
    assert 0.5 < slope(swept["ball"].astype(float)) and slope(1 - swept["ball_rate"]) > -0.5
    assert swept["ball"][-1] * 10 < swept["plain"][-1]


def test_momentum_parameters_printed_at_kappa_21():
    """§5: at κ = 21 the notebook prints β* = 0.4118 and η* = 0.5134, and the loop follows conditioning.heavy_ball."""
    step, beta = c.momentum_parameters(LAM[0], LAM[-1])
    assert (round(beta, 4), round(step, 4)) == (0.4118, 0.5134)
    w, previous, path = c.W_START.copy(), c.W_START.copy(), [c.W_START.copy()]
    for _ in range(50):
        w, previous = w - step * H @ (w - V) + beta * (w - previous), w
        path.append(w)
    ref = c.heavy_ball(H, step, beta, max_steps=50)["path"]
    assert np.abs(np.array(path)[:len(ref)] - ref).max() < 1e-12


def test_widget_things_to_try():
    """§6: larger |μ| or smaller σ: more steps; just above 1.0: divergence; β raises speed and moves the edge to
    1 + β; centring: κ = 1."""
    steps = lambda *a: c.widget_state(*a)["gd"]["steps"]  # noqa: E731
    assert steps(2, 1, 0.5, 0.5) < steps(2, 2, 0.5, 0.5) < steps(2, 2, 0.3, 0.5)
    assert c.widget_state(2, 1, 0.5, 1.02)["gd"]["status"] == "diverged"
    assert c.widget_state(2, 1, 0.5, 0.5, False, 0.6)["gd"]["steps"] < steps(2, 1, 0.5, 0.5)
    assert c.widget_state(2, 1, 0.5, 1.55, False, 0.6)["gd"]["status"] == "converged"
    assert c.widget_state(2, 1, 0.5, 1.65, False, 0.6)["gd"]["status"] == "diverged"
    assert c.widget_state(2, 1, 0.5, 0.5, True)["kappa"] == pytest.approx(1.0)


@pytest.fixture(scope="module")
def fits():
    rng = np.random.default_rng(17)
    X = c.sample_inputs(MU, SIGMA, 20000, rng)
    t = X @ V + 0.1 * rng.standard_normal(20000)
    out = {"no bias, centred": c.least_squares(X - MU, t), "no bias, raw": c.least_squares(X, t)}
    for how in c.INPUTS:
        A = c.transform_inputs(X, how, mean=MU, scale=np.full(2, SIGMA))
        w, loss = c.least_squares(A, t)
        out[how] = (w, loss, A @ w)
    return out


def test_centring_without_a_bias_pays_v_mu_squared_over_two(fits):
    """§10 (going further): without a bias the centred model pays (vᵀμ)²/2 + Var ε/2 (printed 1.1297 against 1.1300); its best
    weights stay v; the raw model and the models with a bias pay only Var ε/2, all "up to a relative sampling error
    of order 1/√n" (here: within 3/√n)."""
    w, loss = fits["no bias, centred"]
    assert loss == pytest.approx((V @ MU) ** 2 / 2 + 0.005, abs=0.02)
    # the sample mean of x − μ is off by ~σ/√n and soaks up part of the constant: |w − v| ~ |vᵀμ| / (σ √n) ≈ 0.02
    np.testing.assert_allclose(w, V, atol=0.06)
    for name in ("raw", "centred", "standardised"):
        assert fits[name][1] == pytest.approx(0.005, rel=0.05)
    assert fits["no bias, raw"][1] == pytest.approx(0.005, rel=0.05)
    bound = 3 / np.sqrt(20000)
    assert abs(loss / ((V @ MU) ** 2 / 2 + 0.005) - 1) < bound
    for name in ("raw", "centred", "standardised"):
        assert abs(fits[name][1] / 0.005 - 1) < bound


def test_with_a_bias_centring_changes_speed_not_the_minimiser(fits):
    """§10: the three models with a bias have "different weights but the same fitted function" (printed: predictions
    the same to below 1e-9) and the same loss."""
    for how in ("centred", "standardised"):
        assert np.abs(fits[how][2] - fits["raw"][2]).max() < 1e-9
        assert fits[how][1] == pytest.approx(fits["raw"][1], rel=1e-9)
        assert np.abs(fits[how][0] - fits["raw"][0]).max() > 0.1


def test_standardising_beats_centring_with_a_bias(fits):
    """§10 table: κ = 154.24 raw, 4.00 centred (max(σ², 1)/min(σ², 1) at σ = 0.5), 1.00 standardised; the
    steps fall accordingly, to one for standardised inputs; "Exercise 4's count is an upper bound here: ... 1066
    steps, and the raw run needs fewer ...; the centred run ... needs exactly its count, 28"."""
    kappas, steps = {}, {}
    for how in c.INPUTS:
        Hb = c.bias_hessian(MU, SIGMA, how)
        lam = np.linalg.eigvalsh(Hb)
        kappas[how] = c.matrix_condition_number(Hb)
        steps[how] = c.gradient_descent(Hb, c.step_size("optimal", lam[0], lam[-1]), w0=np.zeros(3),
                                        w_star=fits[how][0])["steps"]
    assert kappas["raw"] > 100 and kappas["centred"] == pytest.approx(4.0) and kappas["standardised"] == 1.0
    assert steps["raw"] > steps["centred"] > steps["standardised"] == 1
    # Exercise 4's count bounds the raw run (three eigenvalues) and is exact for the centred one (two)
    rho = (kappas["raw"] - 1) / (kappas["raw"] + 1)
    assert c.predicted_steps(kappas["raw"]) == math.ceil(math.log(1e-6) / math.log(rho)) == 1066 > steps["raw"]
    assert c.predicted_steps(kappas["centred"]) == steps["centred"] == 28


def test_expected_kappa_after_centring_is_exactly_one_plus_d_over_n():
    """§9: "its expectation is exactly E κ = 1 + d/n"; at n = 8 it is 1.25 against 21 without centring (the notebook's
    200 repetitions print 1.26; here 6000 repetitions of each n, within four standard errors)."""
    rng = np.random.default_rng(19)
    for n in (1, 8, 64):
        draws = c.centered_kappas(MU, SIGMA, n, 6000, rng)
        assert abs(draws.mean() - (1 + 2 / n)) < 4 * draws.std() / np.sqrt(len(draws))
    assert 1 + 2 / 8 < c.condition_number(MU, SIGMA) / 10


def test_correlated_inputs_need_whitening():
    """§8: for standard deviations 1 and 0.5 with correlation 0.9, κ falls from raw (155.8) to centred (30.9) to
    standardised (19.0), and whitening (W Σ Wᵀ = I, here W = Σ^(-1/2)) reaches 1; so does any other W with
    W Σ Wᵀ = I, e.g. the inverse Cholesky factor."""
    Sigma = np.array([[1.0, 0.45], [0.45, 0.25]])
    scale = np.sqrt(np.diag(Sigma))
    lam, U = np.linalg.eigh(Sigma)
    whiten = U @ np.diag(lam ** -0.5) @ U.T
    raw = c.matrix_condition_number(c.general_hessian(MU, Sigma))
    centred = c.matrix_condition_number(Sigma)
    standardised = c.matrix_condition_number(Sigma / np.outer(scale, scale))
    assert raw > centred > standardised > 10
    assert standardised == pytest.approx((1 + 0.9) / (1 - 0.9))
    assert c.matrix_condition_number(whiten @ Sigma @ whiten) == pytest.approx(1.0)
    W = np.linalg.inv(np.linalg.cholesky(Sigma))
    assert c.matrix_condition_number(W @ Sigma @ W.T) == pytest.approx(1.0)



def test_noise_correlated_with_x_moves_the_minimum():
    """§0: "noise correlated with x would not vanish here, and would move the minimum away from v": with
    ε = 0.3 (x₁ − μ₁) + independent noise, least squares on 200 000 samples lands on v + H⁻¹ E[εx] = v + 0.3 σ² H⁻¹e₁,
    not on v."""
    rng = np.random.default_rng(23)
    X = c.sample_inputs(MU, SIGMA, 200_000, rng)
    eps = 0.3 * (X[:, 0] - MU[0]) + 0.1 * rng.standard_normal(len(X))
    w, _ = c.least_squares(X, X @ V + eps)
    shift = np.linalg.solve(H, np.array([0.3 * SIGMA ** 2, 0.0]))
    assert np.linalg.norm(w - V) > 0.5 * np.linalg.norm(shift) and np.allclose(w, V + shift, atol=0.02)


def test_hint_worked_examples():
    """The last hints' worked examples. Exercise 2: A = [[3, 1], [1, 3]] = aaᵀ + 2I, a = (1, 1), has eigenvalues 2
    (along (1, -1)) and 4 (along a), κ = 2 (eigvalsh prints array([2., 4.]), Exercise 6's hint). Exercise 3: with
    eigenvalues 1 and 3 the best fixed step is 1/2, where |1 - η| = |1 - 3η| = 1/2, and any other η does worse.
    Exercise 4: a factor 0.9 and tol 0.01 need 44 steps (ln 0.01/ln 0.9 = 43.7; 0.9⁴³ = 0.0108, 0.9⁴⁴ = 0.0097);
    tol = 0.9⁴ = 0.6561 is reached after exactly 4 steps, math.log's quotient prints 4.000000000000001, its
    ceiling is 5 and math.ceil(q - 1e-9) is 4."""
    A = np.array([[3.0, 1.0], [1.0, 3.0]])
    assert A @ np.array([1.0, -1.0]) == pytest.approx(2 * np.array([1.0, -1.0]))
    assert A @ np.ones(2) == pytest.approx(4 * np.ones(2))
    assert np.linalg.eigvalsh(A).tolist() == [2.0, 4.0] and repr(np.linalg.eigvalsh(A)) == "array([2., 4.])"
    etas = np.linspace(0.01, 1.5, 14901)
    worst = np.maximum(np.abs(1 - etas), np.abs(1 - 3 * etas))
    assert etas[np.argmin(worst)] == pytest.approx(0.5, abs=1e-4) and worst.min() == pytest.approx(0.5, abs=1e-4)
    assert c.step_size("optimal", 1.0, 3.0) == 0.5
    assert round(math.log(0.01) / math.log(0.9), 1) == 43.7
    assert (round(0.9 ** 43, 4), round(0.9 ** 44, 4)) == (0.0108, 0.0097)
    size, k = 1.0, 0
    while size > 0.01:
        size, k = size * 0.9, k + 1
    assert k == 44
    q = math.log(0.9 ** 4) / math.log(0.9)
    assert repr(q) == "4.000000000000001" and math.ceil(q) == 5 and math.ceil(q - 1e-9) == 4
    assert round(0.9 ** 4, 10) == 0.6561 and c.predicted_steps(19, 0.9 ** 4) == 4  # κ = 19: ρ = 0.9


def test_steps_grow_linearly_in_kappa():
    """§4: "the optimal run above took 145 steps at κ = 21"; with η*, 1 − η*λmin = (κ − 1)/(κ + 1) = −(1 − η*λmax);
    the count is about κ/2 · ln(1/tol) for large κ: linear in κ (within 1 % at κ = 1000 and 10⁴)."""
    eta = c.step_size("optimal", LAM[0], LAM[-1])
    kappa = LAM[-1] / LAM[0]
    assert c.gradient_descent(H, eta)["steps"] == 145 == c.predicted_steps(kappa)
    assert 1 - eta * LAM[0] == pytest.approx((kappa - 1) / (kappa + 1)) == pytest.approx(-(1 - eta * LAM[-1]))
    for k in (1e3, 1e4):
        assert c.predicted_steps(k, 1e-6) == pytest.approx(k / 2 * math.log(1e6), rel=0.01)


def test_heavy_ball_cycles_on_lessard_recht_packards_function():
    """§5: "Lessard, Recht and Packard (2016, §4.6) construct a smooth, strongly convex function with κ = 25,
    quadratic piece by piece, on which heavy ball with these parameters cycles forever": their f has f' = 25w
    (w < 1), w + 24 (1 ≤ w < 2), 25w − 24 (w ≥ 2): m = 1, L = 25. Heavy ball with momentum_parameters(1, 25), started
    at w = 3.3, ends on a cycle of period 3 through about 0.647, −1.802, 2.116, far from the minimum 0, while on the
    quadratic 25w²/2 ... w²/2 with the same κ it converges."""
    grad = lambda w: 25 * w if w < 1 else (w + 24 if w < 2 else 25 * w - 24)  # noqa: E731
    # strongly convex and smooth with m = 1, L = 25: f' is continuous and its slopes lie in [1, 25]
    assert grad(1 - 1e-12) == pytest.approx(grad(1.0)) and grad(2 - 1e-12) == pytest.approx(grad(2.0))
    step, beta = c.momentum_parameters(1.0, 25.0)
    w, previous, path = 3.3, 3.3, []
    for _ in range(3000):
        w, previous = w - step * grad(w) + beta * (w - previous), w
        path.append(w)
    tail = np.array(path[-30:])
    np.testing.assert_allclose(tail[3:], tail[:-3], atol=1e-9)  # period 3
    assert np.abs(tail).max() > 2 and sorted(np.round(tail[-3:], 3)) == [-1.802, 0.647, 2.116]
    run = c.heavy_ball(np.diag([1.0, 25.0]), step, beta, w0=np.array([3.3, 3.3]), w_star=np.zeros(2))
    assert run["status"] == "converged"


def test_the_measured_kappa_at_n_8_in_the_text_is_the_printed_one():
    """§9: "at n = 8 the expected κ is 1.25 (measured X)": X is what the cell above prints for n = 8, and the
    notebook's 200 repetitions stand within four standard errors of 1 + d/n (measured here with the same seed)."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    i = next(i for i, cell in enumerate(nb.cells) if "(measured " in cell.source and "n = 8" in cell.source)
    stated = re.search(r"\(measured ([\d.]+)\)", nb.cells[i].source).group(1)
    printed = re.search(r"n =   8: mean κ = ([\d.]+)", "".join(o.get("text", "") for o in nb.cells[i - 1].outputs))
    assert printed and printed.group(1) == stated
    draws = np.random.default_rng(9)  # the cell's own seed: its first n is 1, then 2, 4, then 8
    for n in (1, 2, 4):
        c.centered_kappas(MU, SIGMA, n, 200, draws)
    eight = c.centered_kappas(MU, SIGMA, 8, 200, draws)
    assert f"{eight.mean():.2f}" == stated
    assert abs(eight.mean() - 1.25) < 4 * eight.std() / np.sqrt(len(eight))


def test_the_count_grows_about_tenfold_with_kappa():
    """§4: the student's predict_steps at tol 1e-6 for κ = 10, 100, 1000, "growing about tenfold each time"
    (printed 69, 691, 6908): counted here by simulation, without the package."""
    def count(kappa, tol=1e-6):
        rho, error, k = (kappa - 1) / (kappa + 1), 1.0, 0
        while error > tol:
            error, k = error * rho, k + 1
        return k
    counts = [count(k) for k in (10, 100, 1000)]
    assert counts == [69, 691, 6908]
    assert all(9.5 < b / a < 10.5 for a, b in zip(counts, counts[1:]))
    nb = nbformat.read(NOTEBOOK, as_version=4)
    printed = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" and "predict_steps(k, 1e-6)" in c.source
                      for o in c.outputs)
    assert [int(n) for n in re.findall(r": (\d+) steps", printed)] == counts
