"""Bugs found while mending tests/test_bad_input.py, now mended: each error names the argument and the rule."""
import pytest

from utils import conditioning, mlp


def test_backward_without_targets_names_T():
    X, T, W, B = mlp.random_network((2, 3, 1), 4, seed=0)
    with pytest.raises(TypeError, match=r"^T must be the targets.*got None"):
        mlp.backward(X, None, W, B)


def test_step_size_with_lam_min_above_lam_max_names_both():
    with pytest.raises(ValueError, match=r"^lam_min and lam_max must satisfy lam_min <= lam_max; got lam_min = 3.0, lam_max = 2.0"):
        conditioning.step_size("optimal", 3.0, 2.0)
    assert conditioning.step_size("optimal", 2.0, 2.0) == pytest.approx(0.5)  # equal eigenvalues are allowed


@pytest.mark.parametrize("n_grid,exc", [(-1, ValueError), (None, TypeError), (2.5, TypeError)])
def test_widget_state_names_a_bad_n_grid(n_grid, exc):
    with pytest.raises(exc, match=r"^n_grid must be"):
        conditioning.widget_state(1.0, 0.0, 1.0, 0.5, n_grid=n_grid)
