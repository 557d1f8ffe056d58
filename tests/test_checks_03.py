"""Checks of notebook 03: the right answer passes, each recognised mistake produces its message, malformed answers a message."""
import numpy as np
import pytest

from utils import checks, conditioning


def fails_with(check, answer, pattern, *more):
    with pytest.raises(checks.CheckFailed, match=pattern):
        check(answer, *more)


def test_hessian_kappa_step(capsys):
    checks.check_hessian(conditioning.hessian)
    checks.check_kappa(conditioning.condition_number)
    checks.check_optimal_step(lambda a, b: 2 / (a + b))
    assert capsys.readouterr().out.count("✓") == 3
    fails_with(checks.check_hessian, lambda mu, s: np.diag(mu ** 2) + s ** 2 * np.eye(mu.size), "not diagonal")
    fails_with(checks.check_hessian, lambda mu, s: np.outer(mu, mu) + s * np.eye(mu.size), "σ², not σ")
    fails_with(checks.check_hessian, lambda mu, s: np.outer(mu, mu), "σ² I term")
    fails_with(checks.check_hessian, lambda mu, s: np.eye(2), r"shape \(2, 2\), expected \(3, 3\)|wrong")
    fails_with(checks.check_hessian, lambda mu, s: [[1, 0], [0, 1]], "list")
    fails_with(checks.check_kappa, lambda mu, s: (mu @ mu) / s ** 2, "the 1 is missing")
    fails_with(checks.check_kappa, lambda mu, s: 1 / conditioning.condition_number(mu, s), "λmin / λmax")
    fails_with(checks.check_kappa, lambda mu, s: 1 + (mu @ mu) / s, "not by σ")
    fails_with(checks.check_kappa, lambda mu, s: "21", "number")
    fails_with(checks.check_optimal_step, lambda a, b: 1 / b, "LeCun")
    fails_with(checks.check_optimal_step, lambda a, b: 2 / b, "edge of divergence")
    fails_with(checks.check_optimal_step, lambda a, b: 1 / (a + b), "numerator is 2")
