"""Behaviour of utils.sharpness that `make mutate` found untested: the documented defaults and iteration
counts of the measurements along a training run, and that the caller's torch threads are left alone."""
import numpy as np
import torch

from utils import mlp, sharpness


def test_train_measures_with_the_documented_power_iterations():
    """Defaults every=10, iters=5, seed=0: the first measurement is 4 * 5 iterations from seed 0, the next
    5 iterations warm-started from the last vector, on the weights reached by then."""
    X, T, W, B = mlp.random_network((3, 5, 1), 30, 4)
    run = sharpness.train(X, T, W, B, eta=0.1, steps=12)
    assert run["sharp_steps"].tolist() == [0, 10] and run["losses"].shape == (12,)
    first, v = sharpness.sharpness(X, T, W, B, iters=20, seed=0)
    at_10 = sharpness.train(X, T, W, B, eta=0.1, steps=10)
    second, _ = sharpness.sharpness(X, T, at_10["W"], at_10["B"], iters=5, v0=v)
    np.testing.assert_array_equal(run["sharpness"], [first, second])


def test_sharpness_defaults_and_threads():
    X, T, W, B = mlp.random_network((3, 4, 1), 10, 1)
    threads = torch.get_num_threads()
    lam, v = sharpness.sharpness(X, T, W, B)
    assert torch.get_num_threads() == threads
    lam_2, v_2 = sharpness.sharpness(X, T, W, B, iters=20, seed=0)
    assert lam == lam_2 and np.array_equal(v, v_2)
    assert np.linalg.norm(v) == np.float64(1.0) or abs(np.linalg.norm(v) - 1) < 1e-15
    H = sharpness.hessian(X, T, W, B)
    assert torch.get_num_threads() == threads and H.shape == (21, 21)


def test_spikes_default_factor_and_first_step_of_a_run():
    L = np.array([4.0, 3.0, 3.5, 2.0, 2.0, 3.5, 3.6, 1.0, 1.2, 1.6, 0.5])
    assert sharpness.spikes(L) == sharpness.spikes(L, factor=1.5) == [5, 9]
    assert sharpness.spikes([1.0, 5.0, 6.0, 7.0]) == [1]  # one run of three steps above 1.5: one spike
    assert sharpness.spikes([1.0, 1.5]) == []              # at the factor exactly: not above it
    assert sharpness.rising_steps([1.0, 1.0, 2.0]) == 1    # equal is not rising


def test_train_and_loss_summaries_name_a_bad_argument():
    from conftest import check_limits, raises_naming

    X, T, W, B = mlp.random_network((3, 4, 1), 5, 0)
    check_limits(sharpness.train, "steps", accepted=[1], rejected=[0], X=X, T=T, W=W, B=B, eta=0.1)
    check_limits(sharpness.train, "iters", accepted=[1], rejected=[0], X=X, T=T, W=W, B=B, eta=0.1, steps=1)
    first = sharpness.train(X, T, W, B, eta=0.1, steps=1, seed=3)["sharpness"][0]
    assert first == sharpness.sharpness(X, T, W, B, iters=20, seed=3)[0]  # the seed is passed on
    for summary in (sharpness.spikes, sharpness.rising_steps):
        with raises_naming("losses", "1 dimension(s)", exc=ValueError):
            summary([[1.0, 2.0]])
