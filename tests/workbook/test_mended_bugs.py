"""Bugs found while mending tests/test_bad_input.py, now mended: each error names the argument and the rule."""
import numpy as np
import pytest

from utils import conditioning, mlp

# No RuntimeWarning may reach a student at these edges (numpy's errstate): warnings are errors in this file.
pytestmark = pytest.mark.filterwarnings("error")


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


def test_mse_of_squares_that_overflow_is_the_true_mean_or_names_Y_and_T():
    """Found by test_bad_input: targets of 6e153 made mse inf. The mean of one square of 2.25e308 and one 0 is
    1.125e308, in range; a mean beyond range is an error naming Y and T."""
    assert mlp.mse([[1.5e154], [0.0]], [[0.0], [0.0]]) == pytest.approx(1.125e308, rel=1e-15)
    with pytest.raises(ValueError, match=r"^Y and T are too far apart: .* \(largest \|Y - T\| = 1.5e\+154\)$"):
        mlp.mse([[1.5e154], [1.5e154]], [[0.0], [0.0]])
    with pytest.raises(ValueError, match=r"^Y and T are too far apart: .* \(largest \|Y - T\| = inf\)$"):
        mlp.mse([[1.7e308]], [[-1.7e308]])  # Y - T itself overflows
    assert mlp.mse([[3.0], [1.0]], [[1.0], [1.0]]) == 2.0  # the ordinary path: (4 + 0) / 2


def test_measured_rate_beyond_the_quotients_range_is_the_true_root_or_names_errors():
    """Found by test_bad_input: errors from 3e-193 to 6e115 made measured_rate inf. Over two steps the rate is
    sqrt(1.8e308) = 1.34e154; over one step it is beyond float range, an error naming errors."""
    tiny = np.finfo(float).tiny
    assert conditioning.measured_rate([3.3e-193, 1.0, 5.94e115]) == pytest.approx((5.94 / 3.3) ** 0.5 * 1e154, rel=1e-12)
    assert conditioning.measured_rate([1e-300, 1e-300 * 1e-20]) == pytest.approx(1e-20, rel=1e-12)  # underflowing
    assert conditioning.measured_rate([1.0, 0.0]) == 0.0
    assert conditioning.measured_rate([1.0, 0.5, 0.0]) == 0.0
    assert conditioning.measured_rate([1.0, tiny]) == tiny  # the smallest normal ratio: its root, exactly
    with pytest.raises(ValueError) as info:
        conditioning.measured_rate([3.3e-193, 5.94e115])
    assert str(info.value) == ("errors must not grow beyond float range per step; got errors[0] = 3.3e-193, "
                               "errors[-1] = 5.94e+115 after 1 step(s)")
    with pytest.raises(ValueError) as info:  # over two steps: only a subnormal start grows that fast
        conditioning.measured_rate([5e-324, 1.0, 1.7e308])
    assert str(info.value) == ("errors must not grow beyond float range per step; got errors[0] = 4.94e-324, "
                               "errors[-1] = 1.7e+308 after 2 step(s)")
    with pytest.raises(ValueError) as info:
        conditioning.measured_rate([1.0, 2.0, 3.0, 4.0, -5.0])
    assert str(info.value).endswith(f"got {np.array([1.0, 2.0, 3.0, 4.0])}")  # the first four entries
