"""Bugs found while mending tests/test_bad_input.py, in modules this branch does not own (mlp: notebook 04;
conditioning: notebook 03). Each test states the wanted behaviour and is a strict xfail: it fails the suite
as soon as the module is mended, so that the mark (and its entry in test_bad_input.KNOWN_BUGS) is removed."""
import numpy as np
import pytest

from utils import conditioning, mlp


@pytest.mark.xfail(strict=True, reason="mlp.validate accepts T=None (forward needs no T); backward then fails "
                                       "with 'unsupported operand type(s) for -: float and NoneType'")
def test_backward_without_targets_names_T():
    X, T, W, B = mlp.random_network((2, 3, 1), 4, seed=0)
    with pytest.raises(TypeError, match=r"^T must be"):
        mlp.backward(X, None, W, B)


@pytest.mark.xfail(strict=True, reason="step_size reports lam_min > lam_max as 'lam_max must be >= 3.0; got 2.0', "
                                       "naming neither lam_min nor the rule broken")
def test_step_size_with_lam_min_above_lam_max_names_both():
    with pytest.raises(ValueError, match=r"lam_min.*lam_max|lam_max.*lam_min"):
        conditioning.step_size("optimal", 3.0, 2.0)


@pytest.mark.xfail(strict=True, reason="widget_state passes n_grid to np.linspace unchecked: "
                                       "'Number of samples, -1, must be non-negative'")
@pytest.mark.parametrize("n_grid,exc", [(-1, ValueError), (None, TypeError), (2.5, TypeError)])
def test_widget_state_names_a_bad_n_grid(n_grid, exc):
    with pytest.raises(exc, match=r"^n_grid must be"):
        conditioning.widget_state(1.0, 0.0, 1.0, 0.5, n_grid=n_grid)
