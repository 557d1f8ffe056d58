"""Checks of notebook 01: the right answer passes, each recognised mistake produces its message, malformed answers a message."""
import numpy as np
import pytest

from utils import checks, threshold


def fails_with(check, answer, pattern, *more):
    with pytest.raises(checks.CheckFailed, match=pattern):
        check(answer, *more)


def test_and4_and_square_layer(capsys):
    checks.check_and4(lambda: (np.ones(4), -3.5))
    checks.check_square_layer(lambda: (threshold.SQUARE_W0, threshold.SQUARE_B0))
    assert capsys.readouterr().out.count("✓") == 2
    fails_with(checks.check_and4, lambda: (np.ones(4), -2.5), "3 of the 4")
    fails_with(checks.check_and4, lambda: (np.ones(4), -4.0), "z = 0 exactly")
    fails_with(checks.check_and4, lambda: (np.ones(4), -5.0), "never fires")
    fails_with(checks.check_and4, lambda: (np.ones(3), -3.5), "shape")
    fails_with(checks.check_and4, lambda: (np.ones(4), None), "None")
    fails_with(checks.check_square_layer, lambda: (-threshold.SQUARE_W0, -threshold.SQUARE_B0), "points outward")
    fails_with(checks.check_square_layer, lambda: (threshold.SQUARE_W0, threshold.SQUARE_B0 + 0.01), "edge point")
    fails_with(checks.check_square_layer, lambda: (threshold.SQUARE_W0.T, threshold.SQUARE_B0), "transposed")
    fails_with(checks.check_square_layer, lambda: (threshold.SQUARE_W0, np.array([0.5, 1.0, 1.0, 1.0])), "misclassified")
    fails_with(checks.check_square_layer, lambda: None, "pair")
    fails_with(checks.check_and4, lambda: (_ for _ in ()).throw(NotImplementedError()), "not written yet")
