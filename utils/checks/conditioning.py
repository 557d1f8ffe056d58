"""Checks of notebook 03 (Hessian conditioning), on the Exercise protocol of `_core`."""
import math
from fractions import Fraction

import numpy as np

from .. import conditioning
from ._answers import array, describe, number, plain
from ._core import CheckFailed, Exercise, _call, _close, _collect_numbers, _fail, _judge_numbers


def _conditioning_cases(seed):
    """Three (mu, sigma) with d = 2, 3, 5, in that order: mu ~ N(0, 4 I), sigma uniform on [0.3, 2)."""
    rng = np.random.default_rng(seed)
    return [(rng.normal(size=d) * 2, float(rng.uniform(0.3, 2.0))) for d in (2, 3, 5)]


# --- Exercise 1: H = mu mu^T + sigma^2 I ----------------------------------------------------------------------

def _hessian_collect(fn, cases):
    __tracebackhide__ = True
    answers = []
    for mu, sigma in cases:  # a loop, not a comprehension (see _core: hidden frames)
        try:
            H = _call(fn, "hessian", mu.copy(), sigma)
        except CheckFailed as exc:
            # the first case is the only one with d = 2: right there, then raising on a later one is a fixed size 2
            # (numpy.eye(2), H[2, 2])
            if answers and " raised " in str(exc):
                _fail(f"hessian works only for d = 2: for d = {mu.size} it raised "
                      f"{str(exc).partition(' raised ')[2]}; take the dimension from mu, not a fixed 2")
            raise
        answers.append(plain("hessian", H))
    return answers


def _hessian_judge(cases, answers):
    """Every shape first (so a matrix that is right only for d = 2 is caught by its shape), then the values."""
    __tracebackhide__ = True
    if not isinstance(answers, list) or len(answers) != len(cases):
        _fail(f"hessian: expected {len(cases)} answers, got {type(answers).__name__}")
    matrices = []
    for (mu, sigma), H in zip(cases, answers):
        d = mu.size
        if isinstance(H, np.ndarray) and H.shape == (d,):
            _fail(f"hessian: for d = {d} you returned a vector of shape ({d},); H is a (d, d) matrix")
        if isinstance(H, np.ndarray) and H.shape == (2, 2) and d != 2:
            _fail(f"hessian works only for d = 2: for d = {d} it returned a (2, 2) matrix; H is (d, d), with d "
                  f"taken from mu")
        matrices.append(array(f"hessian(mu, sigma) for d = {d}", H, [(d, d)]))
    for (mu, sigma), H in zip(cases, matrices):
        d = mu.size
        want = conditioning.hessian(mu, sigma)
        if _close(H, want):
            continue
        mistakes = [
            (np.diag(mu ** 2) + sigma ** 2 * np.eye(d),
             "H is not diagonal: E[x xᵀ] has off-diagonal entries μ_i μ_j; use the outer product μ μᵀ"),
            (np.diag(mu) + sigma ** 2 * np.eye(d), "use the outer product μ μᵀ, not diag(μ)"),
            (np.outer(mu, mu) + sigma * np.eye(d), "the variance is σ², not σ: use sigma**2 * I"),
            (np.outer(mu, mu) + sigma ** 2, "σ² was added to every entry: it belongs on the diagonal only, σ² I"),
            (np.outer(mu, mu), "the σ² I term from the spread of x is missing"),
            (sigma ** 2 * np.eye(d), "the μ μᵀ term from the mean of x is missing"),
            (np.outer(mu, mu) - sigma ** 2 * np.eye(d), "E[x xᵀ] = Cov(x) + μ μᵀ: the σ² I is added, not subtracted"),
        ]
        for wrong, message in mistakes:
            if _close(H, wrong):
                _fail(f"hessian: {message}")
        _fail(f"hessian: wrong for mu = {np.round(mu, 3)}, sigma = {sigma:.3f}; "
              f"expected H[0, 0] = {want[0, 0]:.4f}, H[0, 1] = {want[0, 1]:.4f}")
    return "H = μ μᵀ + σ² I for d = 2, 3 and 5"


# fn(mu, sigma) -> H = mu mu^T + sigma^2 I, shape (d, d).
check_hessian = Exercise("check-hessian", "hessian", _conditioning_cases, _hessian_collect, _hessian_judge, seed=3)



# --- Exercise 2: kappa = 1 + |mu|^2 / sigma^2 -----------------------------------------------------------------

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


# fn(mu, sigma) -> kappa = 1 + |mu|^2 / sigma^2.
check_kappa = Exercise("check-kappa", "kappa", _conditioning_cases, _kappa_collect, _kappa_judge, seed=3)



# --- Exercise 3: the fastest fixed step -----------------------------------------------------------------------

def _step_cases(seed):
    """Four (lam_min, lam_max), lam_min uniform on [0.05, 2), kappa = lam_max / lam_min at 1.5 ... 100 (four
    geometric steps), each drawn independently within ±10 % of its step."""
    rng = np.random.default_rng(seed)
    lam_min = rng.uniform(0.05, 2.0, size=4)
    return [(float(a), float(a * k)) for a, k in zip(lam_min, np.geomspace(1.5, 100, 4) * rng.uniform(0.9, 1.1, 4))]


def _step_collect(fn, cases):
    __tracebackhide__ = True
    return _collect_numbers("optimal_step", fn, cases)


def _step_judge(cases, answers):
    __tracebackhide__ = True
    mistakes = [
        ("1/λmax is LeCun's safe step, not the fastest: balance the contraction 1 - ηλ at both ends of the spectrum",
         lambda a, b: 1 / b),
        ("2/λmax is the edge of divergence: the λmax direction then oscillates forever", lambda a, b: 2 / b),
        ("1/λmin overshoots the λmax direction and diverges whenever κ > 2", lambda a, b: 1 / a),
        ("the numerator is 2: η = 2 / (λmin + λmax)", lambda a, b: 1 / (a + b)),
        ("λmin and λmax are added, not subtracted", lambda a, b: 2 / (b - a)),
        ("that is the mean curvature (λmin + λmax)/2; the step is its inverse", lambda a, b: (a + b) / 2),
        ("1/√(λmin λmax) is not the balance point: solve 1 - ηλmin = -(1 - ηλmax) for η",
         lambda a, b: 1 / math.sqrt(a * b)),
    ]
    _judge_numbers("optimal_step", answers, lambda a, b: conditioning.step_size("optimal", a, b), mistakes, cases)
    return "η* = 2 / (λmin + λmax): both ends of the spectrum then shrink equally fast"


# fn(lam_min, lam_max) -> 2 / (lam_min + lam_max).
check_optimal_step = Exercise("check-optimal-step", "optimal_step", _step_cases, _step_collect, _step_judge, seed=3)



# --- Exercise 4: predict the number of steps ------------------------------------------------------------------

# (κ, k) with ρ = (κ - 1)/(κ + 1) a short binary fraction (3/4, 31/32), so that tol = ρ^k and every power of ρ up to
# it are exact floats: after k steps the error is exactly tol, and k steps are the answer beyond any round-off; and
# log tol / log ρ computed with math.log comes out a hair above k, so a count rounded up without a guard is k + 1.
_EXACT_POWERS = tuple((kappa, k) for kappa in (7.0, 63.0) for k in range(2, 13)
                      if math.ceil(math.log(((kappa - 1) / (kappa + 1)) ** k) / math.log((kappa - 1) / (kappa + 1))) > k)


def _quotient_side(kappa, k):
    """-1, 0 or 1: math.log's log(ρ^k) / log ρ below, at or above k."""
    rho = (kappa - 1) / (kappa + 1)
    q = math.log(rho ** k) / math.log(rho)
    return (q > k) - (q < k)


def _exact(kappa, k):
    """ρ^k is an exact float, and so is every product of ρ on the way to it (ρ a short binary fraction)."""
    rho = Fraction((kappa - 1) / (kappa + 1))
    return all(rho ** j == Fraction(float(rho) ** j) for j in range(1, k + 1))


# Exact powers whose quotient lands exactly on k (ceil is right, ⌊·⌋ + 1 one too many) and a hair below k (⌊·⌋ + 1
# right too): with _EXACT_POWERS, they tell a loop that runs on while the error is ≥ tol from ⌊·⌋ + 1 and from an
# unguarded ceil (one too many on all three, on two, on one).
_WHOLE_POWERS = tuple((kappa, k) for kappa in (7.0, 15.0, 63.0) for k in range(2, 11)
                      if _exact(kappa, k) and _quotient_side(kappa, k) == 0)
_BELOW_POWERS = tuple((kappa, k) for kappa in (31.0,) for k in range(2, 13)
                      if _exact(kappa, k) and _quotient_side(kappa, k) < 0)


def _steps_cases(seed):
    """Eight (kappa, tol). Five random: kappa log-uniform on [1.5, 2000), tol one of 1e-2 ... 1e-9, whose exact step
    counts log(tol)/log(rho) are at least 0.05 from a whole number (so that no round-off decides the answer), at
    least one with a fraction below 0.45 and one above 0.55 (so that rounding to the nearest, up and down all
    differ somewhere). Then three (kappa, rho^k), where the count is exactly k: from _EXACT_POWERS (math.log's
    quotient a hair above k), _BELOW_POWERS (below k) and _WHOLE_POWERS (exactly k)."""
    rng = np.random.default_rng(seed)
    while True:
        cases = []
        while len(cases) < 5:
            kappa = float(np.exp(rng.uniform(np.log(1.5), np.log(2000))))
            tol = float(f"1e-{rng.integers(2, 10)}")
            exact = math.log(tol) / math.log(conditioning.predicted_rate(kappa))
            if 0.05 < exact % 1 < 0.95:
                cases.append((kappa, tol))
        fractions = [math.log(tol) / math.log(conditioning.predicted_rate(kappa)) % 1 for kappa, tol in cases]
        if min(fractions) < 0.45 and max(fractions) > 0.55:
            break
    for powers in (_EXACT_POWERS, _BELOW_POWERS, _WHOLE_POWERS):
        kappa, k = powers[rng.integers(len(powers))]
        cases.append((kappa, ((kappa - 1) / (kappa + 1)) ** k))
    return cases


def _steps_collect(fn, cases):
    __tracebackhide__ = True
    return _collect_numbers("predict_steps", fn, cases)


def _case(kappa, tol):
    return f"κ = {kappa:.4g} and tol = {tol:.4g}"


def _power_of_rho(kappa, tol):
    """k when (kappa, tol) is one of the exact-power cases, tol = rho^k; else None."""
    rho = (kappa - 1) / (kappa + 1)
    k = round(math.log(tol) / math.log(rho))
    return k if (kappa, k) in _EXACT_POWERS + _BELOW_POWERS + _WHOLE_POWERS and rho ** k == tol else None


def _steps_judge(cases, answers):
    """The steps `conditioning.predicted_steps` counts (exactly k for tol = ρ^k); names the mistakes below, quoting
    the first case where the answer is wrong."""
    __tracebackhide__ = True
    name = "predict_steps"
    if not isinstance(answers, list) or len(answers) != len(cases):
        _fail(f"{name}: expected {len(cases)} answers, got {describe(answers)}")
    for kappa, tol in cases:  # a grader's cases are checked too: the counts below assume them well formed
        if not (isinstance(kappa, float) and isinstance(tol, float) and kappa > 1 and 0 < tol < 1):
            _fail(f"{name}: malformed test case")
    got = np.array([number(name, a) for a in answers])
    want = np.array([conditioning.predicted_steps(k, tol) for k, tol in cases], dtype=float)
    wrong = [i for i in range(len(cases)) if got[i] != want[i]]
    if not wrong:
        return "steps to tolerance for eight (κ, tol), three of them tol = ρ^k exactly"
    first = wrong[0]
    where = f" (for {_case(*cases[first])}: expected {want[first]:.0f}, got {got[first]:.6g})"
    rho = lambda k: (k - 1) / (k + 1)  # noqa: E731
    exact = lambda k, tol: math.log(tol) / math.log(rho(k))  # noqa: E731
    powers = [_power_of_rho(*case) for case in cases]
    if all(powers[i] is not None and got[i] == want[i] + 1 for i in wrong):  # right but for some exact powers
        sides = {_quotient_side(cases[i][0], powers[i]) for i in wrong}
        at = lambda side: next(i for i in wrong if _quotient_side(cases[i][0], powers[i]) == side)  # noqa: E731
        if sides == {1}:  # only where math.log's quotient lies a hair above k: ceil without a margin
            kappa, tol = cases[first]
            k = powers[first]
            _fail(f"{name}: one step too many when tol is an exact power of ρ: for {_case(kappa, tol)} = ρ^{k} the "
                  f"error after {k} steps is exactly tol, so {k} steps are enough; log tol / log ρ comes out a hair "
                  f"above {k} in floating point and rounding up adds a step: subtract a small margin (1e-9) before "
                  f"rounding up, or count the steps in a loop")
        if sides == {0, 1}:  # where the quotient is k or a hair above, not below: ⌊log tol / log ρ⌋ + 1
            i = at(0)
            _fail(f"{name}: one step too many when log tol / log ρ is a whole number: for {_case(*cases[i])} = "
                  f"ρ^{powers[i]} it is exactly {powers[i]}, and {powers[i]} steps bring the error exactly to tol, "
                  f"which is enough; ⌊log tol / log ρ⌋ + 1 adds a step there: round up instead (math.ceil), and mind "
                  f"the round-off of the logarithms")
        if sides == {-1, 0, 1}:  # on every exact power, however the logarithms round: the error = tol is not taken
            i = at(0)
            _fail(f"{name}: one step too many whenever the error reaches tol exactly: for {_case(*cases[i])} = "
                  f"ρ^{powers[i]} the error after {powers[i]} steps equals tol, and the statement asks for "
                  f"‖w_k − v‖ ≤ tol: stop as soon as the error is at most tol (a loop that goes on while the error "
                  f"is ≥ tol counts one step more)")
        i = first
        _fail(f"{name}: one step too many when tol is an exact power of ρ: for {_case(*cases[i])} = ρ^{powers[i]} the "
              f"error after {powers[i]} steps is exactly tol, so {powers[i]} steps are enough")
    mistakes = [
        ("round() goes to the nearest whole number, which is a step short whenever log tol / log ρ has a fraction "
         "below ½: after that many steps the error is still above tol; round up (math.ceil)",
         lambda k, tol: round(exact(k, tol))),
        ("round up, not down: after ⌊log tol / log ρ⌋ steps the error is still above the tolerance",
         lambda k, tol: math.floor(exact(k, tol))),
        ("a number of steps is a whole number: round log tol / log ρ up (math.ceil)", exact),
        ("κ/2 · ln(1/tol) is the large-κ approximation; count the steps with the exact factor per step",
         lambda k, tol: math.ceil(k / 2 * math.log(1 / tol))),
        ("κ/2 · ln(1/tol) is the large-κ approximation (and a count is whole); count the steps with the exact factor "
         "per step", lambda k, tol: k / 2 * math.log(1 / tol)),
        ("one step too many everywhere: after k steps the error is ρ^k times the start; stop at the first k with "
         "ρ^k ≤ tol", lambda k, tol: conditioning.predicted_steps(k, tol) + 1),
        ("one step too many everywhere: after k steps the error is ρ^k times the start; stop at the first k with "
         "ρ^k ≤ tol", lambda k, tol: math.ceil(exact(k, tol)) + 1),
        ("the fraction is upside down: log tol / log ρ, both logarithms negative",
         lambda k, tol: math.ceil(math.log(rho(k)) / math.log(tol))),
    ]
    for message, wrong_fn in mistakes:
        if _close(got, np.array([wrong_fn(*case) for case in cases], dtype=float), 1e-9):
            _fail(f"{name}: {message}{where}")
    # a wrong factor per step, however the count was rounded (up, down, with a margin or none): within a step of
    # log tol / log r for every case
    rates = [
        ("that is the rate 1 - 1/κ of LeCun's step 1/λmax; with the optimal step η* both ends of the spectrum shrink "
         "by |1 - η* λmin| = |1 - η* λmax|: write that in κ", lambda k: 1 - 1 / k),
        ("2/(κ + 1) is η* λmin; the factor per step is 1 - η* λmin", lambda k: 2 / (k + 1)),
        ("that counts the steps for the loss, which shrinks by ρ² per step; the tolerance is on |w - v|, which "
         "shrinks by ρ", lambda k: rho(k) ** 2),
        ("(√κ - 1)/(√κ + 1) is the rate of heavy ball with momentum (Section 5); plain descent with η* shrinks by "
         "|1 - η* λmin| per step: write that in κ", lambda k: (math.sqrt(k) - 1) / (math.sqrt(k) + 1)),
    ]
    for message, r in rates:
        counts = np.array([math.log(tol) / math.log(r(k)) for k, tol in cases])
        if np.all(np.abs(got - counts) <= 1 + 1e-9):
            _fail(f"{name}: {message}{where}")
    if np.any(got != np.round(got)):
        _fail(f"{name}: a number of steps is a whole number{where}")
    _fail(f"{name}: for {_case(*cases[first])} expected {want[first]:.0f} steps, got {got[first]:.6g} "
          f"({len(wrong)} of {len(cases)} cases wrong)")


# fn(kappa, tol) -> the steps the optimal fixed step needs to shrink |w - v| by tol.
check_predict_steps = Exercise("check-predict-steps",
                               "predict_steps", _steps_cases, _steps_collect, _steps_judge, seed=4)



# --- Exercise 5 (transfer): kappa for a general covariance ----------------------------------------------------

def _general_cases(seed):
    """Three (mu, Sigma) with d = 2, 3, 4 and correlated, unequal variances: mu ~ N(0, 2.25 I),
    Sigma = A Aᵀ + 0.2 I with A's entries ~ N(0, 0.64) (so Sigma's eigenvalues are at least 0.2)."""
    rng = np.random.default_rng(seed)
    cases = []
    for d in (2, 3, 4):
        A = rng.normal(size=(d, d)) * 0.8
        cases.append((rng.normal(size=d) * 1.5, A @ A.T + 0.2 * np.eye(d)))
    return cases


def _general_collect(fn, cases):
    """A number per case, or the array itself when one came (Exercise 2's formula on a matrix Σ gives one)."""
    __tracebackhide__ = True
    answers = []
    for mu, Sigma in cases:  # a loop, not a comprehension (see _core: hidden frames)
        answer = _call(fn, "kappa_general", mu.copy(), Sigma.copy())
        if hasattr(answer, "detach") and hasattr(answer, "numpy"):  # a torch tensor
            answer = answer.detach().cpu().numpy()
        big = isinstance(answer, np.ndarray) and answer.size > 1 and np.issubdtype(answer.dtype, np.number)
        answers.append(plain("kappa_general", answer) if big else number("kappa_general", answer))
    return answers


def _ratio(H):
    lam = np.linalg.eigvalsh(H)
    return lam[-1] / lam[0]


def _extremes(lam):
    """λmax / λmin of eigenvalues that may have come back complex (a non-symmetric matrix), by modulus."""
    lam = np.abs(lam)
    return lam.max() / lam.min()


def _general_reference(mu, S):
    return conditioning.matrix_condition_number(conditioning.general_hessian(mu, S))


def _general_judge(cases, answers):
    __tracebackhide__ = True
    reference = _general_reference
    for mu, Sigma in cases:  # the grader's cases must be plain and well formed too
        if not (isinstance(mu, np.ndarray) and isinstance(Sigma, np.ndarray) and Sigma.shape == (mu.size,) * 2):
            _fail("kappa_general: malformed test case")
    if not isinstance(answers, list) or len(answers) != len(cases):
        _fail(f"kappa_general: expected {len(cases)} answers, got {describe(answers)}")
    for (mu, S), a in zip(cases, answers):  # Exercise 2's κ = 1 + ‖μ‖²/σ² with the matrix Σ, entry by entry
        if isinstance(a, np.ndarray) and a.shape == S.shape and np.all(S != 0) and any(
                _close(a, 1 + mu @ mu / power) for power in (S, S ** 2)):
            _fail("kappa_general: Exercise 2's 1 + ‖μ‖²/σ² on the matrix Σ divides entry by entry and returns a "
                  f"({len(mu)}, {len(mu)}) array; that formula holds only for Σ = σ² I: find H = E[x xᵀ] for this "
                  "x and take its eigenvalues")
    def ratios_of(H):  # λ_i / λ_j for i ≠ j
        lam = np.linalg.eigvalsh(H)
        return np.divide.outer(lam, lam)[~np.eye(lam.size, dtype=bool)]

    got = [a for a in answers if not isinstance(a, np.ndarray)]
    if len(got) == len(cases) and all(isinstance(a, float) for a in got):
        right = [reference(mu, S) for mu, S in cases]
        some_ratio = all(np.any(np.isclose(ratios_of(conditioning.general_hessian(mu, S)), a, rtol=1e-8, atol=0))
                         for (mu, S), a in zip(cases, got))
        if some_ratio and not all(np.isclose(a, 1 / r, rtol=1e-8) for a, r in zip(got, right)) and not np.allclose(
                got, right, rtol=1e-8):  # a ratio of two eigenvalues of H each time, not always the extremes
            _fail("kappa_general: those are ratios of two eigenvalues of H, but not always the largest over the smallest: "
                  "numpy.linalg.eigvals (and eig) return the eigenvalues in no particular order; sort them, or use "
                  "eigvalsh, which returns them in ascending order")
    lam = lambda S: np.linalg.eigvalsh(S)  # noqa: E731
    chol = lambda S: np.linalg.cholesky(S)  # noqa: E731
    mistakes = [
        ("κ = λmax / λmin: you have λmin / λmax",
         lambda mu, S: 1 / conditioning.matrix_condition_number(conditioning.general_hessian(mu, S))),
        ("that is κ of Σ alone: the μ μᵀ term from the mean of x is missing", lambda mu, S: _ratio(S)),
        ("1 + ‖μ‖²/σ² holds only for Σ = σ² I: form H = μ μᵀ + Σ and take its eigenvalues",
         lambda mu, S: 1 + mu @ mu / lam(S)[0]),
        ("adding ‖μ‖² to the largest eigenvalue of Σ assumes μ is its eigenvector: take the eigenvalues of H itself",
         lambda mu, S: (mu @ mu + lam(S)[-1]) / lam(S)[0]),
        ("H is not diagonal in μ: use the outer product μ μᵀ, not diag(μ²)", lambda mu, S: _ratio(np.diag(mu ** 2) + S)),
        ("Σ is already the covariance: H = μ μᵀ + Σ, not + Σ²", lambda mu, S: _ratio(np.outer(mu, mu) + S @ S)),
        ("keep the covariances off the diagonal of Σ: H = μ μᵀ + Σ, not μ μᵀ + diag(Σ)",
         lambda mu, S: _ratio(np.outer(mu, mu) + np.diag(np.diag(S)))),
        ("1 + ‖μ‖²/σ² holds only for Σ = σ² I, and Σ₀₀ is not a σ²: find H = E[x xᵀ] for this x and take its "
         "eigenvalues", lambda mu, S: 1 + mu @ mu / S[0, 0]),
        ("1 + ‖μ‖²/σ² holds only for Σ = σ² I, and the mean variance trace(Σ)/d is not a σ²: find H = E[x xᵀ] for "
         "this x and take its eigenvalues", lambda mu, S: 1 + mu @ mu * len(mu) / np.trace(S)),
        ("E[(Lz)(Lz)ᵀ] = L E[z zᵀ] Lᵀ = L Lᵀ, not L: put L Lᵀ where you have the Cholesky factor L",
         lambda mu, S: _ratio(np.outer(mu, mu) + chol(S))),
        ("E[(Lz)(Lz)ᵀ] = L E[z zᵀ] Lᵀ = L Lᵀ, not L: put L Lᵀ where you have the Cholesky factor L",
         lambda mu, S: _extremes(np.linalg.eigvals(np.outer(mu, mu) + chol(S)))),
        ("(Lz)(Lz)ᵀ = L z zᵀ Lᵀ: its expectation is L Lᵀ, not Lᵀ L", lambda mu, S: _ratio(np.outer(mu, mu) + chol(S).T @ chol(S))),
    ]
    _judge_numbers("kappa_general", answers, reference, mistakes, cases)
    return "κ of H = μ μᵀ + Σ for three correlated covariances (d = 2, 3, 4)"


# fn(mu, Sigma) -> lambda_max / lambda_min of H = mu mu^T + Sigma.
check_kappa_general = Exercise("check-kappa-general",
                               "kappa_general", _general_cases, _general_collect, _general_judge, seed=5)
