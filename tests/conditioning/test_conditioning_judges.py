"""Notebook 03's judges on recorded answers near their tolerances, and the cases a grader's seed draws: what the
docstrings of the case generators promise, over many seeds."""
import math

import numpy as np

from helpers import judged
from utils.checks import conditioning as conditioning_checks

SEEDS = range(300)


def test_conditioning_cases_draw_mu_and_sigma_as_promised():
    cases = [case for seed in SEEDS for case in conditioning_checks._conditioning_cases(seed)]
    sigma = np.array([s for _, s in cases])
    assert np.all((0.3 <= sigma) & (sigma < 2.0)) and sigma.min() < 0.35 and sigma.max() > 1.95
    mu = np.concatenate([m for m, _ in cases])
    assert 1.9 < mu.std() < 2.1 and abs(mu.mean()) < 0.1  # N(0, 4): 3000 draws, the std to about 1 %


def test_general_cases_draw_mu_and_a_covariance_at_least_0_2_as_promised():
    cases = [case for seed in SEEDS for case in conditioning_checks._general_cases(seed)]
    mu = np.concatenate([m for m, _ in cases])
    assert 1.43 < mu.std() < 1.57 and abs(mu.mean()) < 0.1  # N(0, 2.25)
    smallest = np.array([np.linalg.eigvalsh(S)[0] for _, S in cases])
    assert np.all(smallest >= 0.2 - 1e-12) and smallest.min() < 0.21  # A Aᵀ is singular-ish now and then
    # E[(A Aᵀ)_ii] = d * 0.64: the diagonal of Sigma - 0.2 I, divided by d
    scaled = np.concatenate([(np.diag(S) - 0.2) / len(S) for _, S in cases])
    assert 0.58 < scaled.mean() < 0.70


def test_step_cases_draw_lam_min_and_jitter_each_kappa_on_its_own():
    steps = np.geomspace(1.5, 100, 4)
    lam_min = []
    for seed in SEEDS:
        cases = conditioning_checks._step_cases(seed)
        lam_min += [a for a, _ in cases]
        jitter = np.array([b / a for a, b in cases]) / steps
        assert np.all((0.9 <= jitter) & (jitter <= 1.1)) and np.ptp(jitter) > 0  # not one factor for all four
    assert min(lam_min) >= 0.05 and max(lam_min) < 2.0 and min(lam_min) < 0.1 and max(lam_min) > 1.95


def test_steps_cases_draw_kappa_log_uniformly_up_to_2000():
    log_kappa = np.log([k for seed in SEEDS for k, _ in conditioning_checks._steps_cases(seed)[:5]])  # the five random ones
    assert np.log(1.5) <= log_kappa.min() < np.log(2) and np.log(1000) < log_kappa.max() < np.log(2000)
    middle = (np.log(1.5) + np.log(2000)) / 2
    assert abs(np.median(log_kappa) - middle) < 0.3 and abs(np.mean(log_kappa < middle) - 0.5) < 0.05


def test_predict_steps_a_count_a_hair_off_its_fraction_is_not_the_unrounded_mistake():
    """The judge names 'you did not round' for log tol / log ρ itself (to 1e-9), not for a number 1e-7 from it."""
    cases = conditioning_checks.check_predict_steps.cases(conditioning_checks.check_predict_steps.seed)
    exact = [math.log(tol) / math.log((k - 1) / (k + 1)) for k, tol in cases]
    (kappa, tol), want = cases[0], math.ceil(exact[0])
    assert judged(conditioning_checks.check_predict_steps, cases, exact) == (
        "predict_steps: a number of steps is a whole number: round log tol / log ρ up (math.ceil) "
        f"(for κ = {kappa:.4g} and tol = {tol:.4g}: expected {want}, got {exact[0]:.6g})")
    off = [e * (1 + 1e-7) for e in exact]
    assert judged(conditioning_checks.check_predict_steps, cases, off) == (
        f"predict_steps: a number of steps is a whole number (for κ = {kappa:.4g} and tol = {tol:.4g}: "
        f"expected {want}, got {off[0]:.6g})")


def test_kappa_within_1e_7_is_not_right_nor_a_named_mistake():
    """The answers are compared to 1e-8: 1e-7 off the right value, its inverse or its negative is just wrong."""
    cases = conditioning_checks.check_kappa.cases(conditioning_checks.check_kappa.seed)
    kappa = np.array([1 + mu @ mu / sigma ** 2 for mu, sigma in cases])
    for got in (kappa, 1 / kappa, -kappa):
        off = list(got * (1 + 1e-7))
        assert judged(conditioning_checks.check_kappa, cases, off) == (
            f"kappa: on ([{', '.join(f'{m:.6g}' for m in cases[0][0])}], {float(cases[0][1]):.6g}) expected {kappa[0]:.10g}, "
            f"got {off[0]:.10g} ({len(cases)} of {len(cases)} cases wrong)")
    assert judged(conditioning_checks.check_kappa, cases, list(1 / kappa)) == "kappa: κ = λmax / λmin: you have λmin / λmax"
    assert judged(conditioning_checks.check_kappa, cases, list(-kappa)) == "kappa: the sign is wrong"
