"""Checks of notebook 03: the right answer (written here, independently of utils.conditioning) passes, each
recognised mistake gets its own message, malformed answers get a message (the contract of every exercise, a grader's seed
included: tests/workbook/test_exercises.py)."""
import importlib.util
import math
from pathlib import Path

import nbformat
import numpy as np
import pytest

from helpers import fails_with, judged, named_with_a_graders_seed, notebook_solutions, recorded, require, whole
from utils import checks
from utils.checks import conditioning as conditioning_checks

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "03-hessian-conditioning.ipynb"


# Right answers, each computed another way than the package's reference.
def right_hessian(mu, s):
    return np.einsum("i,j->ij", mu, mu) + np.diag(np.full(mu.size, s * s))


def right_kappa(mu, s):
    lam = np.linalg.eigvalsh(right_hessian(mu, s))
    return lam[-1] / lam[0]


def right_step(a, b):
    """The eta where |1 - eta a| = |1 - eta b| on the decreasing and increasing branches: 1 - eta a = eta b - 1."""
    return np.linalg.solve([[a + b]], [2.0])[0]


def right_steps(kappa, tol):
    """Count steps by simulation of |e_k| = rho^k |e_0|."""
    rho, size, k = (kappa - 1) / (kappa + 1), 1.0, 0
    while size > tol:
        size, k = size * rho, k + 1
    return k


def right_kappa_general(mu, S):
    return np.linalg.cond(np.outer(mu, mu) + S)  # 2-norm condition number: lambda_max / lambda_min for SPD


RIGHT = {"hessian": (conditioning_checks.check_hessian, right_hessian), "kappa": (conditioning_checks.check_kappa, right_kappa),
         "optimal_step": (conditioning_checks.check_optimal_step, right_step),
         "predict_steps": (conditioning_checks.check_predict_steps, right_steps),
         "kappa_general": (conditioning_checks.check_kappa_general, right_kappa_general)}


# What the ✓ message says was verified, for each exercise.
VERIFIED = {"hessian": "✓ H = μ μᵀ + σ² I for d = 2, 3 and 5", "kappa": "✓ κ = 1 + ‖μ‖² / σ² for d = 2, 3 and 5",
            "optimal_step": "✓ η* = 2 / (λmin + λmax): both ends of the spectrum then shrink equally fast",
            "predict_steps": "✓ steps to tolerance for eight (κ, tol), three of them tol = ρ^k exactly",
            "kappa_general": "✓ κ of H = μ μᵀ + Σ for three correlated covariances"}


@pytest.mark.parametrize("name", RIGHT)
def test_right_answer_passes(name, capsys):
    check, fn = RIGHT[name]
    check(fn)
    assert capsys.readouterr().out.startswith(VERIFIED[name])


def lam_of(H):
    return np.linalg.eigvalsh(H)


def ratio(H):
    lam = lam_of(H)
    return lam[-1] / lam[0]


MISTAKES = {
    "hessian": [
        (lambda mu, s: np.diag(mu ** 2) + s ** 2 * np.eye(mu.size), r": H is not diagonal: E\[x xᵀ\] has off-diagonal "
                                                                    r"entries μ_i μ_j; use the outer product μ μᵀ$"),
        (lambda mu, s: np.diag(mu) + s ** 2 * np.eye(mu.size), r": use the outer product μ μᵀ, not diag\(μ\)"),
        (lambda mu, s: np.outer(mu, mu) + s * np.eye(mu.size), r": the variance is σ², not σ: use sigma\*\*2 \* I"),
        (lambda mu, s: np.outer(mu, mu) + s ** 2, r": σ² was added to every entry: it belongs on the diagonal only, σ² "
                                                  r"I"),
        (lambda mu, s: np.outer(mu, mu), ": the σ² I term from the spread of x is missing"),
        (lambda mu, s: s ** 2 * np.eye(mu.size), ": the μ μᵀ term from the mean of x is missing"),
        (lambda mu, s: np.outer(mu, mu) - s ** 2 * np.eye(mu.size), r": E\[x xᵀ\] = Cov\(x\) \+ μ μᵀ: the σ² I is "
                                                                    r"added, not subtracted"),
        # right for d = 2 only: the shape message must come, not a value message about the d = 2 case
        (lambda mu, s: right_hessian(mu[:2], s), r" works only for d = 2: for d = 3 it returned a \(2, 2\) matrix"),
        # d hard-coded to 2 in numpy.eye(2): numpy's broadcast error, named
        (lambda mu, s: np.outer(mu, mu) + s ** 2 * np.eye(2), r" works only for d = 2: for d = 3 it raised ValueError: "
                                                               r"operands could not be broadcast.*take the dimension from mu"),
        (lambda mu, s: mu ** 2 + s ** 2, r": for d = 2 you returned a vector of shape \(2,\)"),
        (lambda mu, s: right_hessian(mu, s) * 1.01, ": wrong for mu"),
    ],
    "kappa": [
        (lambda mu, s: 1 / right_kappa(mu, s), ": κ = λmax / λmin: you have λmin / λmax"),
        (lambda mu, s: mu @ mu / s ** 2, ": the 1 is missing"),
        (lambda mu, s: 1 + np.sqrt(mu @ mu) / s, ": square both"),
        (lambda mu, s: 1 + mu @ mu / s, ": divide by the variance σ², not by σ"),
        (lambda mu, s: mu @ mu + s ** 2, ": that is λmax alone"),
        (lambda mu, s: (np.max(mu ** 2) + s ** 2) / (np.min(mu ** 2) + s ** 2), ": that is the ratio of the largest "
                                                                                "and smallest diagonal entries of the wrong, diagonal Hessian"),
        (lambda mu, s: -right_kappa(mu, s), ": the sign is wrong"),
        (lambda mu, s: right_kappa(mu, s) + 0.5, ": on \\(.*\\) expected"),
    ],
    "optimal_step": [
        (lambda a, b: 1 / b, ": 1/λmax is LeCun's safe step"),
        (lambda a, b: 2 / b, ": 2/λmax is the edge of divergence"),
        (lambda a, b: 1 / a, ": 1/λmin overshoots"),
        (lambda a, b: 1 / (a + b), ": the numerator is 2"),
        (lambda a, b: 2 / (b - a), ": λmin and λmax are added, not subtracted"),
        (lambda a, b: (a + b) / 2, ": that is the mean curvature"),
        (lambda a, b: 1 / math.sqrt(a * b), r": 1/√\(λmin λmax\) is not the balance point"),
    ],
    "predict_steps": [
        (lambda k, t: math.ceil(math.log(t) / math.log((k - 1) / (k + 1))), ": one step too many when tol is an exact "
                                                                           r"power of ρ: for κ = (7|63) and tol = 0\.\d+ = ρ\^\d+ the "
                                                                           r"error after \d+ steps is exactly tol"),
        (lambda k, t: round(math.log(t) / math.log((k - 1) / (k + 1))), r": round\(\) goes to the nearest whole number.* "
                                                                       r"\(for κ = 22\.52 and tol = 1e-06: expected 156, "
                                                                       r"got 155\)$"),
        (lambda k, t: math.floor(math.log(t) / math.log((k - 1) / (k + 1))), ": round up, not down"),
        (lambda k, t: math.log(t) / math.log((k - 1) / (k + 1)), ": a number of steps is a whole number: round"),
        (lambda k, t: math.ceil(math.log(t) / math.log(1 - 1 / k)), ": that is the rate 1 - 1/κ"),
        (lambda k, t: math.ceil(math.log(t) / math.log(2 / (k + 1))), r": 2/\(κ \+ 1\) is η\* λmin"),
        (lambda k, t: math.ceil(k / 2 * math.log(1 / t)), r": κ/2 · ln\(1/tol\) is the large-κ approximation; count"),
        (lambda k, t: k / 2 * math.log(1 / t), r": κ/2 · ln\(1/tol\) is the large-κ approximation \(and a count is "
                                               r"whole\)"),
        (lambda k, t: right_steps(k, t) + 1, ": one step too many everywhere"),
        (lambda k, t: math.ceil(math.log(t) / math.log((k - 1) / (k + 1))) + 1, ": one step too many everywhere"),
        (lambda k, t: math.ceil(math.log(t) / math.log((k - 1) / (k + 1)) / 2), ": that counts the steps for the loss"),
        (lambda k, t: math.ceil(math.log((k - 1) / (k + 1)) / math.log(t)), ": the fraction is upside down"),
        (lambda k, t: right_steps(k, t) + 0.5, r": a number of steps is a whole number \(for κ = .*: expected"),
        (lambda k, t: right_steps(k, t) + 7, ": for κ = .* expected .* steps"),
    ],
    "kappa_general": [
        (lambda mu, S: 1 / right_kappa_general(mu, S), ": κ = λmax / λmin: you have λmin / λmax"),
        (lambda mu, S: ratio(S), ": that is κ of Σ alone"),
        (lambda mu, S: 1 + mu @ mu / lam_of(S)[0], r": 1 \+ ‖μ‖²/σ² holds only for Σ = σ² I"),
        (lambda mu, S: (mu @ mu + lam_of(S)[-1]) / lam_of(S)[0], ": adding ‖μ‖² to the largest eigenvalue of Σ assumes "
                                                                 "μ is its eigenvector: take the eigenvalues of H"),
        (lambda mu, S: ratio(np.diag(mu ** 2) + S), r": H is not diagonal in μ: use the outer product μ μᵀ, not "
                                                    r"diag\(μ²\)"),
        (lambda mu, S: ratio(np.outer(mu, mu) + S @ S), r": Σ is already the covariance: H = μ μᵀ \+ Σ, not \+ Σ²"),
        (lambda mu, S: ratio(np.outer(mu, mu) + np.diag(np.diag(S))), r": keep the covariances off the diagonal of Σ"),
    ],
}
MISTAKE_CASES = [(name, i) for name, ms in MISTAKES.items() for i in range(len(ms))]


@pytest.mark.parametrize("name,i", MISTAKE_CASES, ids=[f"{n}-{i}" for n, i in MISTAKE_CASES])
def test_each_mistake_gets_its_message(name, i):
    """The message opens with the exercise's function and then names the mistake."""
    wrong, pattern = MISTAKES[name][i]
    fails_with(RIGHT[name][0], wrong, "^" + name + pattern)


def test_enough_mistakes_are_recognised():
    """Issue 15: at least five specific mistakes for an exercise worth 2 points or more, three otherwise (the
    generic last-resort messages, the sign and wrong-shape messages not counted)."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    points = {c.metadata["nbgrader"]["grade_id"]: c.metadata["nbgrader"]["points"] for c in nb.cells
              if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code"}
    generic = ("wrong for mu", "expected .* got", "sign is wrong", "shape", "whole number \\(for",
               "expected .* steps")
    for gid, exercise in checks.exercises_of(conditioning_checks).items():
        specific = [p for _, p in MISTAKES[exercise.function] if not any(g in p for g in generic)]
        assert len(specific) >= (5 if points[gid] >= 2 else 3), (gid, specific)


MALFORMED = [
    (None, "must be a function"),
    (lambda *a: None, "None"),
    (lambda *a: "21", "number|numpy array|numeric"),
    (lambda *a: [1.0, 2.0], "list|number"),
    (lambda *a: float("nan"), "NaN|nan|numpy array of shape"),
    (lambda *a: 1 / 0, "raised ZeroDivisionError"),
    (lambda *a: (_ for _ in ()).throw(NotImplementedError()), "not written yet"),
    (lambda *a: object(), "must return|number|numeric"),
]


@pytest.mark.parametrize("name", RIGHT)
@pytest.mark.parametrize("answer,pattern", MALFORMED, ids=[f"malformed{i}" for i in range(len(MALFORMED))])
def test_malformed_answers_get_a_message(name, answer, pattern):
    """The message opens with the name of the student's function (hessian's: "hessian(mu, sigma) for d = 2")."""
    fails_with(RIGHT[name][0], answer, f"^{name}[ :(].*({pattern})")


@pytest.mark.parametrize("name", RIGHT)
def test_an_object_that_is_no_answer_is_named_by_its_type(name):
    class Detachable:  # has .detach like a tensor, but no .numpy: hessian's answer must not be taken for one
        def detach(self):
            raise AssertionError("not a tensor: the check must not call detach()")
    for answer in (object(), Detachable()) if name == "hessian" else (object(),):
        want = "must be numbers or numpy arrays" if name == "hessian" else "must return a single number"
        fails_with(RIGHT[name][0], lambda *a, answer=answer: answer, f"^{name} {want}; got {type(answer).__name__}")


def test_hessian_wrong_only_for_the_last_dimension_is_judged_wrong():
    fails_with(conditioning_checks.check_hessian, lambda mu, s: right_hessian(mu, s) * (1.01 if mu.size == 5 else 1.0),
               "^hessian: wrong for mu")


def on_case(k):
    """How a message names case k of hessian's cases, by its arguments: "([4.08184, -5.11133], 1.66217)"."""
    mu, s = conditioning_checks.check_hessian.cases(conditioning_checks.check_hessian.seed)[k]
    return "([" + ", ".join(f"{v:.6g}" for v in mu) + f"], {s:.6g})"


def error_text(operation):
    try:
        operation()
    except Exception as exc:  # noqa: BLE001  (the text numpy gives, to quote)
        return f"{type(exc).__name__}: {exc}"
    raise AssertionError("the operation did not fail")


def test_hessian_failing_on_the_first_case_is_told_what_it_raised_there():
    """np.eye(3) fails already for d = 2, the first case: numpy's error and that case are quoted, and a fixed d = 2,
    which is right there, is not blamed."""
    numpy_says = error_text(lambda: np.ones((2, 2)) + np.eye(3))
    assert "broadcast" in numpy_says
    fails_with(conditioning_checks.check_hessian, lambda mu, s: np.outer(mu, mu) + s ** 2 * np.eye(3),
               whole(f"hessian raised {numpy_says} (on {on_case(0)})"))


def test_hessian_filling_a_fixed_2_by_2_is_told_it_works_only_for_d_2():
    """Right for d = 2, an IndexError at d = 3: any error after a right first case is a fixed size, not only numpy's
    broadcasting error."""
    def entries_into_a_fixed_2_by_2(mu, s):
        H = np.zeros((2, 2))
        for i in range(mu.size):
            for j in range(mu.size):
                H[i, j] = mu[i] * mu[j] + (s ** 2 if i == j else 0.0)
        return H
    numpy_says = error_text(lambda: entries_into_a_fixed_2_by_2(np.ones(3), 1.0))  # H[0, 2] for d = 3
    assert numpy_says.startswith("IndexError")
    fails_with(conditioning_checks.check_hessian, entries_into_a_fixed_2_by_2,
               whole(f"hessian works only for d = 2: for d = 3 it raised {numpy_says} (on {on_case(1)}); take the "
                     "dimension from mu, not a fixed 2"))


def test_hessian_fixed_to_d_2_quotes_the_whole_error_even_when_it_says_raised():
    """The error text is quoted whole after "it raised", though the student's own text says "raised" too."""
    text = "eye(2) cannot broadcast with mu of size 3: the addition raised this, and raised it again"

    def checked(mu, s):
        if mu.size != 2:
            raise ValueError(text)
        return right_hessian(mu, s)
    fails_with(conditioning_checks.check_hessian, checked,
               whole(f"hessian works only for d = 2: for d = 3 it raised ValueError: {text} (on {on_case(1)}); take "
                     "the dimension from mu, not a fixed 2"))


def test_hessian_returning_a_numpy_broadcast_object_gets_a_message():
    """np.broadcast (for np.broadcast_to) makes an object whose type is named `broadcast`, refused as no array; the
    message names it, and does not say the function raised (the word "broadcast" in it is no numpy error)."""
    fails_with(conditioning_checks.check_hessian,
               lambda mu, s: right_hessian(mu, s) if mu.size == 2 else np.broadcast(np.eye(mu.size), mu),
               whole("hessian must be numbers or numpy arrays; got broadcast"))


def test_generic_messages_give_the_first_failing_case_and_its_right_values():
    cases = conditioning_checks.check_hessian.cases(conditioning_checks.check_hessian.seed)
    mu, s = cases[0]
    want = right_hessian(mu, s)
    failed = fails_with(conditioning_checks.check_hessian, lambda mu, s: right_hessian(mu, s) + 0.5, "^hessian: wrong")
    assert (f"mu = {np.round(mu, 3)}, sigma = {s:.3f}; expected H[0, 0] = {want[0, 0]:.4f}, "
            f"H[0, 1] = {want[0, 1]:.4f}") in str(failed.value)
    steps = conditioning_checks.check_predict_steps.cases(conditioning_checks.check_predict_steps.seed)
    (kappa, tol), (k2, t2) = steps[0], steps[2]
    failed = fails_with(conditioning_checks.check_predict_steps, lambda k, t: right_steps(k, t) + 7, "^predict_steps: for")
    assert (f"for κ = {kappa:.4g} and tol = {tol:.4g} expected {right_steps(kappa, tol)} steps, "
            f"got {right_steps(kappa, tol) + 7} (8 of 8 cases wrong)") in str(failed.value)
    # right on every case but the third: the message quotes the third, not the first
    failed = fails_with(conditioning_checks.check_predict_steps, lambda k, t: right_steps(k, t) + 7 * (k == k2), "^predict_steps: for")
    assert str(failed.value) == (f"predict_steps: for κ = {k2:.4g} and tol = {t2:.4g} expected {right_steps(k2, t2)} "
                                 f"steps, got {right_steps(k2, t2) + 7} (1 of 8 cases wrong)")


def test_round_quotes_the_case_it_gets_wrong_not_the_first():
    """Issue 26: with round() the message quoted the first case, κ = 1328, where round() is right ("expected 13757
    steps, got 13757"); the case it gets wrong is κ = 22.5 (155 against 156). Now it names round() and that case."""
    cases = conditioning_checks.check_predict_steps.cases(conditioning_checks.check_predict_steps.seed)
    exact = [math.log(t) / math.log((k - 1) / (k + 1)) for k, t in cases]
    wrong = [i for i, (case, q) in enumerate(zip(cases, exact)) if round(q) != right_steps(*case)]
    assert wrong and wrong[0] > 0  # the first case is one round() gets right: the old message quoted it
    k, t = cases[wrong[0]]
    failed = fails_with(conditioning_checks.check_predict_steps, lambda k, t: round(math.log(t) / math.log((k - 1) / (k + 1))),
                        r"^predict_steps: round\(\) goes to the nearest")
    assert str(failed.value).endswith(f"(for κ = {k:.4g} and tol = {t:.4g}: expected {right_steps(k, t)}, "
                                      f"got {right_steps(k, t) - 1})")
    assert f"{cases[0][0]:.4g}" not in str(failed.value)


def test_every_grader_seed_names_round_floor_and_the_unguarded_ceiling():
    """Whatever the seed, the cases hold a fraction below 0.45 and one above 0.55, so that round() and floor are each
    wrong on some case and named, quoting the first, and an exact power of ρ, where ceil(log tol / log ρ) without a
    guard is one too many."""
    quotient = lambda k, t: math.log(t) / math.log((k - 1) / (k + 1))  # noqa: E731
    mistakes = (
        ("round() goes to the nearest whole number, which is a step short whenever log tol / log ρ has a fraction "
         "below ½: after that many steps the error is still above tol; round up (math.ceil)",
         lambda k, t: round(quotient(k, t))),
        ("round up, not down: after ⌊log tol / log ρ⌋ steps the error is still above the tolerance",
         lambda k, t: math.floor(quotient(k, t))))
    for seed in range(60):
        cases = conditioning_checks._steps_cases(seed)
        want = [right_steps(*case) for case in cases]
        for mistake, wrong in mistakes:
            got = [wrong(*case) for case in cases]
            first = next((i for i, (g, r) in enumerate(zip(got, want)) if g != r), None)
            assert first is not None, (seed, mistake)  # the mistake gets every case right
            (k, t), message = cases[first], judged(conditioning_checks.check_predict_steps, cases, got)
            assert message == (f"predict_steps: {mistake} (for κ = {k:.4g} and tol = {t:.4g}: expected {want[first]}, "
                               f"got {got[first]})"), seed
        message = judged(conditioning_checks.check_predict_steps, cases, [math.ceil(quotient(*case)) for case in cases])
        assert "one step too many when tol is an exact power of ρ" in message, (seed, message)
        assert judged(conditioning_checks.check_predict_steps, cases, want).startswith("steps")


def test_exact_powers_take_exactly_k_steps_and_fool_the_unguarded_count():
    """The exact-power cases: ρ^k is an exact float, so the error after k steps is exactly tol (simulated here
    without logarithms), while math.log's quotient lies above k. The issue's example, κ = 17 and tol = ρ³, is one
    too many without the guard; the package's count and the notebook's model solution give 3."""
    assert len(conditioning_checks._EXACT_POWERS) >= 5
    for kappa, k in conditioning_checks._EXACT_POWERS:
        rho = (kappa - 1) / (kappa + 1)
        assert rho in (0.75, 0.96875) and right_steps(kappa, rho ** k) == k
        assert math.ceil(math.log(rho ** k) / math.log(rho)) == k + 1
    rho = 16 / 18
    assert math.ceil(math.log(rho ** 3) / math.log(rho)) == 4
    from utils import conditioning
    assert conditioning.predicted_steps(17, rho ** 3) == 3
    predict_steps = notebook_solutions(NOTEBOOK)["predict_steps"]
    assert predict_steps(17, rho ** 3) == 3
    assert [predict_steps(kappa, ((kappa - 1) / (kappa + 1)) ** k) for kappa, k in conditioning_checks._EXACT_POWERS] == [
        k for _, k in conditioning_checks._EXACT_POWERS]
    conditioning_checks.check_predict_steps(predict_steps)
    fails_with(conditioning_checks.check_predict_steps, lambda k, t: math.ceil(math.log(t) / math.log((k - 1) / (k + 1))),
               "^predict_steps: one step too many when tol is an exact power of ρ: for κ = 7 and tol = 0.178 = ρ\\^6 "
               "the error after 6 steps is exactly tol, so 6 steps are enough")


def test_exact_powers_are_the_binary_fractions_whose_every_power_is_a_float():
    """ρ = 3/4 (κ = 7) and 31/32 (κ = 63): ρ^j = 3^j / 4^j (31^j / 32^j) is a float while its odd numerator fits in 53
    bits; ρ = 2/3 (κ = 5) is no binary fraction: its float's square is not a float."""
    for kappa, numerator in ((7.0, 3), (63.0, 31)):
        last = max(j for j in range(1, 60) if numerator ** j < 2 ** 53)
        assert [k for k in range(1, last + 3) if conditioning_checks._exact(kappa, k)] == list(range(1, last + 1))
    assert conditioning_checks._exact(5.0, 1) and not conditioning_checks._exact(5.0, 2)


@pytest.mark.parametrize("gid", list(checks.exercises_of(conditioning_checks)))
def test_judge_names_what_it_got_instead_of_the_answers(gid):
    exercise = checks.exercises_of(conditioning_checks)[gid]
    inputs = exercise.cases(exercise.seed)
    with pytest.raises(checks.CheckFailed, match=f"^{exercise.function}: expected {len(inputs)} answers, got str"):
        exercise.judge(inputs, "answers")
    with pytest.raises(checks.CheckFailed, match=f"^{exercise.function}[ (].* None"):
        exercise.judge(inputs, [None] * len(inputs))


def test_hessian_transposed_or_torch_answers():
    torch = pytest.importorskip("torch")
    conditioning_checks.check_hessian(lambda mu, s: torch.tensor(right_hessian(mu, s)))  # a tensor is accepted
    fails_with(conditioning_checks.check_hessian, lambda mu, s: np.array([[1, 0], [0, "x"]], dtype=object),
               "must be numbers or numpy arrays; got an array of object")


def test_predict_steps_random_cases_stay_away_from_whole_numbers():
    """The five random cases; the sixth is an exact power of ρ on purpose."""
    for seed in range(20):
        for kappa, tol in conditioning_checks._steps_cases(seed)[:5]:
            exact = math.log(tol) / math.log((kappa - 1) / (kappa + 1))
            assert 0.05 < exact % 1 < 0.95


def test_student_version_keeps_written_questions_and_drops_their_model_answers():
    require(importlib.util.find_spec("nbgrader") is not None, "nbgrader is not installed: pip install -r "
                                                              "requirements.txt")
    spec = importlib.util.spec_from_file_location("make_student", ROOT / "scripts" / "make_student.py")
    make_student = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_student)
    source = nbformat.read(NOTEBOOK, as_version=4)
    student = make_student.student_version(source)
    written = [i for i, c in enumerate(source.cells) if c.cell_type == "markdown"
               and c.metadata.get("nbgrader", {}).get("solution")]
    assert len(written) >= 2
    for i in written:
        meta = source.cells[i].metadata["nbgrader"]
        assert meta["grade"] and meta["points"] > 0 and not meta["locked"] and meta["schema_version"] == 3
        assert "Model answer" in source.cells[i].source and "Rubric" in source.cells[i].source
        assert student.cells[i].source.strip() == "YOUR ANSWER HERE"
        question = student.cells[i - 1].source
        assert "Written question" in question and "Graded on" in question
    text = "\n".join(c.source for c in student.cells)
    assert "Model answer" not in text and "Rubric" not in text


def test_cases_are_what_the_check_messages_and_docstrings_say():
    """The ✓ messages claim d = 2, 3 and 5 (hessian, kappa), eight (κ, tol) (predict_steps) and d = 2, 3, 4
    (kappa_general); optimal_step's cases have κ = λmax/λmin between 1.5 and 100 (±10 %), and predict_steps'
    tolerances run over 1e-2 ... 1e-9 with κ between 1.5 and 2000. Checked over grader seeds too."""
    for seed in range(40):
        assert [mu.size for mu, _ in conditioning_checks._conditioning_cases(seed)] == [2, 3, 5]
        assert [mu.size for mu, S in conditioning_checks._general_cases(seed)] == [2, 3, 4]
        steps = conditioning_checks._steps_cases(seed)
        assert len(steps) == 8 and all(1.5 <= k <= 2000 for k, _ in steps)
        for (kappa, tol), powers in zip(steps[5:], (conditioning_checks._EXACT_POWERS, conditioning_checks._BELOW_POWERS, conditioning_checks._WHOLE_POWERS)):
            assert (kappa, round(math.log(tol) / math.log((kappa - 1) / (kappa + 1)))) in powers
        step = conditioning_checks._step_cases(seed)
        assert len(step) == 4 and all(0.05 <= a <= 2.0 and 1.5 * 0.9 <= b / a <= 100 * 1.1 for a, b in step)
        kappas = sorted(b / a for a, b in step)  # from about 1.5 to about 100: both ends of the range
        assert 1.5 * 0.9 <= kappas[0] <= 1.5 * 1.1 and 100 * 0.9 <= kappas[-1] <= 100 * 1.1
    tols = {tol for seed in range(40) for _, tol in conditioning_checks._steps_cases(seed)[:5]}
    assert tols == {10.0 ** -e for e in range(2, 10)}


def test_kappa_general_judge_refuses_a_malformed_grader_case():
    """The judge trusts no input: a case whose Σ does not match μ (or is not an array) is named, not crashed on."""
    (mu, S), *rest = conditioning_checks.check_kappa_general.cases(5)
    answers = [1.0] * 3
    for bad in ((mu, S[:1]), (mu, S.tolist()), (list(mu), S)):
        with pytest.raises(checks.CheckFailed, match="^kappa_general: malformed test case"):
            conditioning_checks.check_kappa_general.judge([bad, *rest], answers)


def _shown(cell):
    """What a student reads of a cell: its source (markdown, or code) and the text of its stored outputs."""
    outputs = [o.get("text", "") + str(o.get("data", {}).get("text/plain", "")) for o in cell.get("outputs", [])]
    return "\n".join([cell.source, *outputs])


# Each exercise's answer, as the notebook or a check's message would write it.
ANSWERS = {"answer-hessian": [r"\mu\mu^\top + \sigma^2 I", "μ μᵀ + σ² I", "numpy.outer(mu, mu) +"],
           "answer-kappa": [r"1 + \frac{\|\mu\|^2}{\sigma^2}", r"1 + \|\mu\|^2/\sigma^2", "1 + ‖μ‖²"],
           "answer-optimal-step": [r"2/(\lambda_{\min} + \lambda_{\max})", "2 / (λmin + λmax)"],
           "answer-predict-steps": [r"\kappa - 1}{\kappa + 1}", r"(\kappa-1)/(\kappa+1)", "(κ - 1)/(κ + 1)",
                                    "(κ−1)/(κ+1)"],
           "answer-kappa-general": [r"\mu\mu^\top + \Sigma", "μ μᵀ + Σ"]}


def test_no_answer_stands_before_its_exercise():
    """Issue 26: no cell before an exercise's answer cell (statement, hints, earlier checks' messages and outputs
    included) writes that exercise's answer."""
    cells = nbformat.read(NOTEBOOK, as_version=4).cells
    ids = [c.metadata.get("nbgrader", {}).get("grade_id") for c in cells]
    assert set(ANSWERS) <= set(ids)
    for gid, forms in ANSWERS.items():
        before = "\n".join(_shown(c) for c in cells[:ids.index(gid)])
        assert [f for f in forms if f in before] == [], gid


def test_what_a_student_reads_right_after_a_written_question_does_not_answer_it():
    """Issue 26: the costs of centring stood right after W1 (Exercise 5), and the least-squares fits answer the
    question on the prediction error (Exercise 6): each discussion now stands in the model answer or behind the
    next exercise (cells up to the next graded cell)."""
    cells = nbformat.read(NOTEBOOK, as_version=4).cells
    ids = [c.metadata.get("nbgrader", {}).get("grade_id") for c in cells]
    answers = {"written-centring": ["sparse", "stream", "pass over the data", "batch normalisation", "1 + d/n",
                                    "stored"],
               "written-bias": ["same predictions", "reparametris", "same fitted function", "not where it ends",
                                "not the minimiser"]}
    for gid, words in answers.items():
        start = ids.index(gid) + 1
        stop = next(i for i in range(start, len(cells)) if cells[i].metadata.get("nbgrader", {}).get("grade"))
        after = "\n".join(_shown(c) for c in cells[start:stop]  # (model answers leave the student version)
                          if not c.metadata.get("nbgrader", {}).get("solution"))
        assert [w for w in words if w in after] == [], (gid, stop)


def test_predict_steps_judge_refuses_a_malformed_grader_case():
    """The judge trusts no input: a case that is not (κ > 1, 0 < tol < 1) as floats is named, not crashed on."""
    cases = conditioning_checks.check_predict_steps.cases(4)
    answers = [right_steps(*case) for case in cases]
    for bad in ((1.0, 0.1), (7.0, 1.5), ("7", 0.1), (7.0, None), (7.0, 0.0), (7.0, 1.0)):  # tol 0 and 1: the ends
        with pytest.raises(checks.CheckFailed, match="^predict_steps: malformed test case"):
            conditioning_checks.check_predict_steps.judge([bad, *cases[1:]], answers)


# Trial of issue 26: a loop that runs on while the error is ≥ tol and ⌊log tol / log ρ⌋ + 1 were told to "subtract a
# small margin before rounding up", the diagnosis of a code they did not write.
def loop_ge(kappa, tol):
    rho, error, k = (kappa - 1) / (kappa + 1), 1.0, 0
    while error >= tol:
        error, k = error * rho, k + 1
    return k


def floor_plus_one(kappa, tol):
    return math.floor(math.log(tol) / math.log((kappa - 1) / (kappa + 1))) + 1


def unguarded_ceil(kappa, tol):
    return math.ceil(math.log(tol) / math.log((kappa - 1) / (kappa + 1)))


def test_a_loop_with_ge_floor_plus_one_and_an_unguarded_ceil_each_get_their_own_message():
    cases = conditioning_checks.check_predict_steps.cases(conditioning_checks.check_predict_steps.seed)
    (k_whole, t_whole) = cases[7]
    n = round(math.log(t_whole) / math.log((k_whole - 1) / (k_whole + 1)))
    where = f"for κ = {k_whole:.4g} and tol = {t_whole:.4g} = ρ^{n}"
    failed = fails_with(conditioning_checks.check_predict_steps, loop_ge, "^predict_steps: one step too many whenever the error "
                                                          "reaches tol exactly")
    assert where in str(failed.value) and "≥ tol" in str(failed.value) and "margin" not in str(failed.value)
    failed = fails_with(conditioning_checks.check_predict_steps, floor_plus_one, "^predict_steps: one step too many when log tol / "
                                                                 "log ρ is a whole number")
    assert where in str(failed.value) and f"it is exactly {n}" in str(failed.value) and "⌊" in str(failed.value)
    fails_with(conditioning_checks.check_predict_steps, unguarded_ceil, "^predict_steps: one step too many when tol is an exact power "
                                                        "of ρ: .* subtract a small margin")
    for seed in range(40):  # a grader's cases tell the three apart too
        cases = conditioning_checks._steps_cases(seed)
        said = [judged(conditioning_checks.check_predict_steps, cases, [f(*case) for case in cases])
                for f in (loop_ge, floor_plus_one, unguarded_ceil)]
        assert "≥ tol" in said[0] and "⌊" in said[1] and "margin" in said[2], (seed, said)


def test_a_wrong_factor_per_step_is_named_however_the_count_is_rounded():
    rho = lambda k: (k - 1) / (k + 1)  # noqa: E731
    factors = {"rate 1 - 1/κ of LeCun": lambda k: 1 - 1 / k, r"2/\(κ \+ 1\) is η\* λmin": lambda k: 2 / (k + 1),
               "counts the steps for the loss, which shrinks by ρ²": lambda k: rho(k) ** 2,
               r"\(√κ - 1\)/\(√κ \+ 1\) is the rate of heavy ball": lambda k: (math.sqrt(k) - 1) / (math.sqrt(k) + 1)}
    roundings = [lambda q: math.ceil(q - 1e-9), math.ceil, lambda q: math.floor(q) + 1]
    for pattern, r in factors.items():
        for rounding in roundings:
            fails_with(conditioning_checks.check_predict_steps, lambda k, t: rounding(math.log(t) / math.log(r(k))),
                       f"^predict_steps: (that is the |that |){pattern}")


def test_kappa_general_names_unsorted_eigvals_exercise_2s_formula_and_the_cholesky_factor():
    fails_with(conditioning_checks.check_kappa_general, lambda mu, S: (lambda lam: lam[-1] / lam[0])(
        np.linalg.eigvals(np.outer(mu, mu) + S).real), "^kappa_general: those are ratios of two eigenvalues of H, but "
                                                        "not always .*linalg.eigvals .* no particular order")
    for sigma2 in (lambda S: S ** 2, lambda S: S):  # the student's own kappa(mu, Sigma) of Exercise 2, or its σ² = Σ
        fails_with(conditioning_checks.check_kappa_general, lambda mu, S: 1 + mu @ mu / sigma2(S),
                   r"^kappa_general: Exercise 2's 1 \+ ‖μ‖²/σ² on the matrix Σ divides entry by entry and returns a "
                   r"\(2, 2\) array")
    fails_with(conditioning_checks.check_kappa_general, lambda mu, S: 1 + mu @ mu / S[0, 0], "^kappa_general: 1 .* Σ₀₀ is not a σ²")
    fails_with(conditioning_checks.check_kappa_general, lambda mu, S: 1 + mu @ mu / np.mean(np.diag(S)),
               r"^kappa_general: 1 .* trace\(Σ\)/d is not a σ²")
    L = np.linalg.cholesky
    fails_with(conditioning_checks.check_kappa_general, lambda mu, S: ratio(np.outer(mu, mu) + L(S)), "^kappa_general: E.* L Lᵀ, not L")
    fails_with(conditioning_checks.check_kappa_general, lambda mu, S: (lambda lam: lam.max() / lam.min())(
        np.abs(np.linalg.eigvals(np.outer(mu, mu) + L(S)))), "^kappa_general: E.* L Lᵀ, not L")
    fails_with(conditioning_checks.check_kappa_general, lambda mu, S: ratio(np.outer(mu, mu) + L(S).T @ L(S)),
               "^kappa_general: .* L Lᵀ, not Lᵀ L")
    # an answer no message names quotes the first failing case with its values, not "array of shape (2,)"
    (mu, S), *_ = conditioning_checks.check_kappa_general.cases(conditioning_checks.check_kappa_general.seed)
    failed = fails_with(conditioning_checks.check_kappa_general, lambda mu, S: right_kappa_general(mu, S) + 0.5, "^kappa_general: on ")
    assert f"on ([{mu[0]:.6g}, {mu[1]:.6g}], [[{S[0, 0]:.6g}, {S[0, 1]:.6g}], [{S[1, 0]:.6g}, {S[1, 1]:.6g}]]) " \
           f"expected {right_kappa_general(mu, S):.10g}" in str(failed.value)
    assert "shape" not in str(failed.value)


KAPPA_GENERAL = conditioning_checks.check_kappa_general
EX2_ON_SIGMA = ("kappa_general: Exercise 2's 1 + ‖μ‖²/σ² on the matrix Σ divides entry by entry and returns a (2, 2) "
                "array; that formula holds only for Σ = σ² I: find H = E[x xᵀ] for this x and take its eigenvalues")
UNSORTED = ("kappa_general: those are ratios of two eigenvalues of H, but not always the largest over the smallest: "
            "numpy.linalg.eigvals (and eig) return the eigenvalues in no particular order; sort them, or use eigvalsh, "
            "which returns them in ascending order")


@pytest.mark.parametrize("wrong,message", [
    (lambda mu, S: 1 + mu @ mu / S, EX2_ON_SIGMA),
    (lambda mu, S: (lambda lam: lam[-1] / lam[0])(np.linalg.eigvals(np.outer(mu, mu) + S).real), UNSORTED),
    (lambda mu, S: 1 + mu @ mu / S[0, 0], "kappa_general: 1 + ‖μ‖²/σ² holds only for Σ = σ² I, and Σ₀₀ is not a σ²: "
                                          "find H = E[x xᵀ] for this x and take its eigenvalues"),
    (lambda mu, S: 1 + mu @ mu / np.mean(np.diag(S)), "kappa_general: 1 + ‖μ‖²/σ² holds only for Σ = σ² I, and the "
     "mean variance trace(Σ)/d is not a σ²: find H = E[x xᵀ] for this x and take its eigenvalues"),
    (lambda mu, S: ratio(np.outer(mu, mu) + np.linalg.cholesky(S).T @ np.linalg.cholesky(S)),
     "kappa_general: (Lz)(Lz)ᵀ = L z zᵀ Lᵀ: its expectation is L Lᵀ, not Lᵀ L"),
])
def test_kappa_general_whole_messages_of_named_mistakes(wrong, message):
    assert judged(KAPPA_GENERAL, *recorded(KAPPA_GENERAL, wrong)) == message


def test_kappa_general_names_exercise_2s_formula_on_a_covariance_that_holds_a_1():
    """A grader's Σ may hold an entry 1 (only an entry 0, where the division gives inf, keeps the formula unnamed)."""
    mu, S = np.array([1.0, 2.0]), np.array([[1.0, 0.5], [0.5, 2.0]])
    assert judged(KAPPA_GENERAL, [(mu, S)], [1 + mu @ mu / S]) == EX2_ON_SIGMA


def test_kappa_general_tells_a_ratio_1e_6_from_the_extremes_from_an_answer_a_hair_off_a_ratio():
    """H = diag(5, 1.000001, 1) (μ = (2, 0, 0), Σ diagonal): two eigenvalues 1e-6 apart. λ3/λ2 and λ2/λ3 are ratios
    of eigenvalues 1e-6 from κ = 5 and from 1/κ, farther than the judge's 1e-8: named as unsorted eigenvalues, not
    taken for κ or its inverse. 5e-9 off λ2/λ3 (2.5e-8 relative) is no ratio of eigenvalues: just wrong."""
    case = (np.array([2.0, 0.0, 0.0]), np.diag([1.0, 1.000001, 1.0]))
    lam = [1.0, 1.000001, 5.0]  # H's eigenvalues, by hand
    for a in (lam[2] / lam[1], lam[1] / lam[2]):
        assert judged(KAPPA_GENERAL, [case], [a]) == UNSORTED
    off = lam[1] / lam[2] + 5e-9
    assert judged(KAPPA_GENERAL, [case], [off]) == (
        f"kappa_general: on ([2, 0, 0], [[1, 0, 0], [0, 1, 0], [0, 0, 1]]) expected 5, got {off:.10g} (1 of 1 cases "
        "wrong)")

def test_predict_steps_a_graders_tol_that_is_a_power_of_a_rho_off_the_list_is_judged_as_any_case():
    """κ = 3: ρ = 1/2, and tol = 2^-30 = ρ^30 exactly, but (3, 30) is none of the exact-power cases the judge knows:
    one step too many there is named as everywhere, not as the exact powers' round-off."""
    assert ((3 - 1) / (3 + 1)) ** 30 == 2.0 ** -30
    assert judged(conditioning_checks.check_predict_steps, [(3.0, 2.0 ** -30)], [31]) == (
        "predict_steps: one step too many everywhere: after k steps the error is ρ^k times the start; stop at the "
        "first k with ρ^k ≤ tol (for κ = 3 and tol = 9.313e-10: expected 30, got 31)")


def test_predict_steps_whole_messages_of_one_step_too_many_at_the_whole_power_and_of_round_and_the_approximation():
    """One step too many only where log tol / log ρ is exactly k (the third exact power): no one rounding explains
    that alone, so the message says what holds there. round() and κ/2 · ln(1/tol): their whole messages."""
    exercise = conditioning_checks.check_predict_steps
    cases = exercise.cases(exercise.seed)
    right = [right_steps(*case) for case in cases]
    (kappa, tol), k = cases[-1], right[-1]
    assert judged(exercise, cases, right[:-1] + [k + 1]) == (
        f"predict_steps: one step too many when tol is an exact power of ρ: for κ = {kappa:.4g} and tol = {tol:.4g} = "
        f"ρ^{k} the error after {k} steps is exactly tol, so {k} steps are enough")
    quotients = [math.log(t) / math.log((c - 1) / (c + 1)) for c, t in cases]
    first = next(i for i, q in enumerate(quotients) if round(q) != right[i])
    assert judged(exercise, cases, [round(q) for q in quotients]) == (
        "predict_steps: round() goes to the nearest whole number, which is a step short whenever log tol / log ρ has "
        "a fraction below ½: after that many steps the error is still above tol; round up (math.ceil) (for "
        f"κ = {cases[first][0]:.4g} and tol = {cases[first][1]:.4g}: expected {right[first]}, got {round(quotients[first])})")
    approximation = [c / 2 * math.log(1 / t) for c, t in cases]
    first = next(i for i, a in enumerate(approximation) if a != right[i])
    assert judged(exercise, cases, approximation) == (
        "predict_steps: κ/2 · ln(1/tol) is the large-κ approximation (and a count is whole); count the steps with the "
        f"exact factor per step (for κ = {cases[first][0]:.4g} and tol = {cases[first][1]:.4g}: expected "
        f"{right[first]}, got {approximation[first]:.6g})")


RATES = {
    "that is the rate 1 - 1/κ of LeCun's step 1/λmax; with the optimal step η* both ends of the spectrum shrink by "
    "|1 - η* λmin| = |1 - η* λmax|: write that in κ": lambda k: 1 - 1 / k,
    "that counts the steps for the loss, which shrinks by ρ² per step; the tolerance is on |w - v|, which shrinks by ρ":
        lambda k: ((k - 1) / (k + 1)) ** 2,
    "(√κ - 1)/(√κ + 1) is the rate of heavy ball with momentum (Section 5); plain descent with η* shrinks by "
    "|1 - η* λmin| per step: write that in κ": lambda k: (math.sqrt(k) - 1) / (math.sqrt(k) + 1),
}


@pytest.mark.parametrize("message", list(RATES))
def test_predict_steps_whole_message_of_a_wrong_factor_per_step_and_not_beyond_a_step(message):
    """Counted with a wrong factor r per step (rounded up): its whole message. Two steps beyond log tol / log r on
    every case is not that mistake any more: the message is the generic one."""
    exercise = conditioning_checks.check_predict_steps
    cases = exercise.cases(exercise.seed)
    right = [right_steps(*case) for case in cases]
    counts = [math.log(t) / math.log(RATES[message](c)) for c, t in cases]
    (kappa, tol), first = cases[0], math.ceil(counts[0])
    assert first != right[0]
    assert judged(exercise, cases, [math.ceil(q) for q in counts]) == (
        f"predict_steps: {message} (for κ = {kappa:.4g} and tol = {tol:.4g}: expected {right[0]}, got {first})")
    beyond = [math.floor(q) + 2 for q in counts]  # more than a step above each count
    wrong = [i for i in range(len(cases)) if beyond[i] != right[i]]
    assert judged(exercise, cases, beyond) == (
        f"predict_steps: for κ = {cases[wrong[0]][0]:.4g} and tol = {cases[wrong[0]][1]:.4g} expected {right[wrong[0]]} "
        f"steps, got {beyond[wrong[0]]} ({len(wrong)} of {len(cases)} cases wrong)")


def test_predict_steps_one_step_beyond_the_unguarded_ceiling_is_one_step_too_many_everywhere():
    exercise = conditioning_checks.check_predict_steps
    cases = exercise.cases(exercise.seed)
    answers = [math.ceil(math.log(t) / math.log((c - 1) / (c + 1))) + 1 for c, t in cases]
    (kappa, tol), right = cases[0], right_steps(*cases[0])
    assert judged(exercise, cases, answers) == (
        "predict_steps: one step too many everywhere: after k steps the error is ρ^k times the start; stop at the "
        f"first k with ρ^k ≤ tol (for κ = {kappa:.4g} and tol = {tol:.4g}: expected {right}, got {answers[0]})")


class ArrayOfAnotherLibrary:
    """An answer with .numpy() but no .detach(), as TensorFlow's tensors have: no torch tensor."""
    def numpy(self):
        return np.array(2.0)


@pytest.mark.parametrize("answer,message", [
    # Exercise 2's formula in torch: a tensor of shape (2, 2), read as the array it holds
    (lambda mu, S: 1 + torch_of(mu) @ torch_of(mu) / torch_of(S), EX2_ON_SIGMA),
    # the extremes sliced, lam[-1:] / lam[:1]: an array of shape (1,), one number
    (lambda mu, S: (lambda lam: lam[-1:] / lam[:1])(np.linalg.eigvals(np.outer(mu, mu) + S).real), UNSORTED),
    (lambda mu, S: ArrayOfAnotherLibrary(), "kappa_general must return a single number; got ArrayOfAnotherLibrary ()"),
    (lambda mu, S: np.array(["1", "2"]), "kappa_general must return a single number; got ndarray (2,)"),
])
def test_kappa_general_reads_tensors_and_one_number_arrays_and_names_other_answers(answer, message):
    with pytest.raises(checks.CheckFailed) as excinfo:
        KAPPA_GENERAL(answer)
    assert str(excinfo.value) == message


def torch_of(x):
    return pytest.importorskip("torch").tensor(x)

# Trial of issue 26: the markdown right under each check stated its answer, an optional cell printed the numeric H
# right after Exercise 1, Exercise 5's costs stood in Section 9 and the Summary, Exercise 6's answer in bold in
# Section 10.
SHOWN_AFTER = {"answer-hessian": ["[[4.25", "4.25, 2.0", "μμᵀ + σ²I"]}


def test_no_answer_stands_right_after_its_check():
    """From a code exercise's check to the next exercise's answer cell (to the end for the last), optional cells
    and stored outputs included, no cell writes the answer: what follows builds on the student's own function."""
    cells = nbformat.read(NOTEBOOK, as_version=4).cells
    ids = [c.metadata.get("nbgrader", {}).get("grade_id") for c in cells]
    for gid, forms in ANSWERS.items():
        check = ids.index("check-" + gid.removeprefix("answer-"))
        stop = next((i for i in range(check + 1, len(cells)) if cells[i].metadata.get("nbgrader", {}).get("solution")),
                    len(cells))
        after = "\n".join(_shown(c) for c in cells[check + 1:stop])
        assert [f for f in forms + SHOWN_AFTER.get(gid, []) if f in after] == [], gid


def test_no_cell_a_student_reads_answers_the_written_questions():
    """A written question has no check to pass: its answer stands nowhere in the student version (model answers
    leave it), before or after it."""
    cells = [c for c in nbformat.read(NOTEBOOK, as_version=4).cells if not c.metadata.get("nbgrader", {}).get("solution")]
    text = "\n".join(_shown(c) for c in cells)
    costs = ["sparse", "stream", "batch normalisation", "part of the model", "every future input", "hidden layers",
             "pass over the data"]
    bias = ["not where it ends", "same fitted function", "same prediction error", "reparametris", "not the minimiser"]
    assert [w for w in costs + bias if w in text] == []


def test_the_core_widget_has_no_momentum():
    """The core path's widget showed a "momentum β of Section 5" slider, Section 5 being optional."""
    cells = nbformat.read(NOTEBOOK, as_version=4).cells
    core = [c for c in cells if "optional" not in c.metadata.get("tags", [])]
    widget = next(c for c in core if "controls = dict(" in c.source)
    assert "beta" not in widget.source and "β" not in widget.source
    assert not [c.source for c in core if "momentum $\\beta$" in c.source or "Section 5" in c.source]


def test_exercise_4_says_a_whole_float_is_accepted_and_it_is():
    cells = nbformat.read(NOTEBOOK, as_version=4).cells
    statement = next(c.source for c in cells if "**Exercise 4.**" in c.source)
    assert "a float with a whole value, such as `6.0`, is accepted too" in statement
    conditioning_checks.check_predict_steps(lambda k, t: float(right_steps(k, t)))
    conditioning_checks.check_predict_steps(lambda k, t: np.int64(right_steps(k, t)))


def test_hints_are_pointers_not_the_code():
    """Exercise 4's last hint no longer hands over the guard against round-off, Exercise 7's no longer the code."""
    cells = nbformat.read(NOTEBOOK, as_version=4).cells
    ex4 = next(c.source for c in cells if "**Exercise 4.**" in c.source)
    ex7 = next(c.source for c in cells if "**Exercise 7.**" in c.source)
    assert "1e-9" not in ex4 and "math.ceil" not in ex4 and "4.000000000000001" not in ex4
    assert "eigvalsh" not in ex7 and "lam[-1] / lam[0]" not in ex7


def _kappa(mu, s):
    lam = np.linalg.eigvalsh(np.outer(mu, mu) + s * s * np.eye(mu.size))
    return lam[-1] / lam[0]


# A mistake of every exercise of this notebook, judged on a grader's cases: (the student's function, what the message
# must say). tests/workbook/test_exercises.py checks that every declared exercise has an entry in such a dict.
GRADERS_SEED_MISTAKES = {
    "check-hessian": (lambda mu, s: np.diag(mu ** 2) + s ** 2 * np.eye(mu.size),
                      r"^hessian: H is not diagonal: E\[x xᵀ\] has off-diagonal entries μ_i μ_j; use the outer product"),
    "check-kappa": (lambda mu, s: 1 / _kappa(mu, s), "^kappa: κ = λmax / λmin: you have λmin / λmax"),
    "check-optimal-step": (lambda a, b: 1 / b, "^optimal_step: 1/λmax is LeCun's safe step"),
    "check-predict-steps": (lambda k, t: math.ceil(math.log(t) / math.log((k - 1) / (k + 1))),
                            "^predict_steps: one step too many when tol is an exact power of ρ"),
    "check-kappa-general": (lambda mu, S: 1 / np.linalg.cond(np.outer(mu, mu) + S),
                            "^kappa_general: κ = λmax / λmin: you have λmin / λmax"),
}


@pytest.mark.parametrize("gid", sorted(GRADERS_SEED_MISTAKES))
def test_a_mistake_is_named_with_a_graders_seed(gid):
    named_with_a_graders_seed(gid, *GRADERS_SEED_MISTAKES[gid])
