"""Checks of notebook 03 (Hessian conditioning)."""
import numpy as np

from .. import conditioning
from .backprop import _plain
from ._core import Exercise, _array, _call, _close, _collect_numbers, _fail, _judge_numbers, _match_mistakes, _ok, run


def _conditioning_cases(seed=3):
    rng = np.random.default_rng(seed)
    return [(rng.normal(size=d) * 2, float(rng.uniform(0.3, 2.0))) for d in (2, 3, 5)]


def _hessian_collect(fn, cases):
    """The student's H for every case, as plain data."""
    __tracebackhide__ = True
    return [_plain(_call(fn, "hessian", mu.copy(), sigma)) for mu, sigma in cases]


def _hessian_judge(cases, answers):
    """H = mu mu^T + sigma^2 I; names the mistakes below."""
    __tracebackhide__ = True
    if not isinstance(answers, list) or len(answers) != len(cases):
        _fail(f"hessian: expected answers for {len(cases)} cases")
    for (mu, sigma), H in zip(cases, answers):
        d = mu.size
        H = _array(f"hessian(mu, sigma) for d = {d}", H, (d, d))
        want = conditioning.hessian(mu, sigma)
        if _close(H, want):
            continue
        mistakes = [
            (np.diag(mu ** 2) + sigma ** 2 * np.eye(d),
             "H is not diagonal: E[x xᵀ] has off-diagonal entries μ_i μ_j (the original hand-in made this mistake); use the outer product μ μᵀ"),
            (np.diag(mu) + sigma ** 2 * np.eye(d), "use the outer product μ μᵀ, not diag(μ)"),
            (np.outer(mu, mu) + sigma * np.eye(d), "the variance is σ², not σ: use sigma**2 * I"),
            (np.outer(mu, mu), "the σ² I term from the spread of x is missing"),
            (sigma ** 2 * np.eye(d), "the μ μᵀ term from the mean of x is missing"),
            (np.outer(mu, mu) - sigma ** 2 * np.eye(d), "E[x xᵀ] = Cov(x) + μ μᵀ: the σ² I is added, not subtracted"),
        ]
        for wrong, message in mistakes:
            if _close(H, wrong):
                _fail(f"hessian: {message}")
        _fail(f"hessian: wrong for mu = {np.round(mu, 3)}, sigma = {sigma:.3f}; expected H[0, 0] = {want[0, 0]:.4f}, H[0, 1] = {want[0, 1]:.4f}")
    return "H = μ μᵀ + σ² I for d = 2, 3 and 5"


HESSIAN = Exercise("hessian", _conditioning_cases, _hessian_collect, _hessian_judge, seed=3)


def check_hessian(fn):
    """fn(mu, sigma) -> H = mu mu^T + sigma^2 I, shape (d, d)."""
    __tracebackhide__ = True
    run(HESSIAN, fn)


def _kappa_collect(fn, cases):
    __tracebackhide__ = True
    return _collect_numbers("kappa", fn, [(mu.copy(), sigma) for mu, sigma in cases])


def _kappa_judge(cases, answers):
    """κ = 1 + |μ|² / σ²; names the mistakes below."""
    __tracebackhide__ = True
    m2 = lambda mu: float(mu @ mu)  # noqa: E731
    mistakes = [
        ("κ = λmax / λmin: you have λmin / λmax", lambda mu, s: 1 / conditioning.condition_number(mu, s)),
        ("the 1 is missing: λmax / λmin = (‖μ‖² + σ²) / σ²", lambda mu, s: m2(mu) / s ** 2),
        ("square both: ‖μ‖² / σ², not ‖μ‖ / σ", lambda mu, s: 1 + np.sqrt(m2(mu)) / s),
        ("divide by the variance σ², not by σ", lambda mu, s: 1 + m2(mu) / s),
        ("that is λmax alone; κ divides it by λmin = σ²", lambda mu, s: m2(mu) + s ** 2),
        ("that is the ratio of the largest and smallest diagonal entries of the wrong, diagonal Hessian",
         lambda mu, s: (np.max(mu ** 2) + s ** 2) / (np.min(mu ** 2) + s ** 2)),
    ]
    _judge_numbers("kappa", answers, conditioning.condition_number, mistakes, cases)
    return "κ = 1 + ‖μ‖² / σ² for d = 2, 3 and 5"


KAPPA = Exercise("kappa", _conditioning_cases, _kappa_collect, _kappa_judge, seed=3)


def check_kappa(fn):
    """fn(mu, sigma) -> kappa = 1 + |mu|^2 / sigma^2."""
    __tracebackhide__ = True
    run(KAPPA, fn)


def check_optimal_step(fn):
    """fn(lam_min, lam_max) -> 2 / (lam_min + lam_max)."""
    __tracebackhide__ = True
    cases = [(0.25, 5.25), (1.0, 1.0), (0.09, 8.1), (2.0, 3.0)]
    mistakes = [
        ("1/λmax is LeCun's safe step, not the fastest: balance the contraction 1 - ηλ at both ends of the spectrum",
         lambda a, b: 1 / b),
        ("2/λmax is the edge of divergence: the λmax direction then oscillates forever", lambda a, b: 2 / b),
        ("1/λmin overshoots the λmax direction and diverges whenever κ > 2", lambda a, b: 1 / a),
        ("the numerator is 2: η = 2 / (λmin + λmax)", lambda a, b: 1 / (a + b)),
        ("λmin and λmax are added, not subtracted", lambda a, b: 2 / (b - a) if b != a else np.inf),
    ]
    _match_mistakes("optimal_step", fn, lambda a, b: conditioning.step_size("optimal", a, b), mistakes, cases)
    _ok("η* = 2 / (λmin + λmax): both extreme directions then contract by (κ - 1)/(κ + 1)")


# grade_id of the nbgrader grade cell -> its Exercise (for graders outside the student's kernel)
EXERCISES = {"check-hessian": HESSIAN, "check-kappa": KAPPA}
