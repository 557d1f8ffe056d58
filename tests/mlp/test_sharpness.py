"""utils.sharpness: Hessian-vector products and power iteration against the exact Hessian from
torch.autograd.functional.hessian; gradient descent against a loop written here with autograd."""
import numpy as np
import pytest
import torch

import utils
from helpers import check_limits, raises_naming
from utils import mlp, sharpness


def exact_hessian(X, T, W, B):
    """The full Hessian of the mean squared error by torch.autograd.functional.hessian, parameters flattened
    in the order W[0..], B[0..]."""
    shapes = [w.shape for w in W] + [b.shape for b in B]
    sizes = [int(np.prod(s)) for s in shapes]
    Xt, Tt = torch.tensor(X), torch.tensor(T)

    def loss(flat):
        parts = [p.reshape(s) for p, s in zip(torch.split(flat, sizes), shapes)]
        A = Xt
        for l in range(len(W)):
            Z = A @ parts[l] + parts[len(W) + l]
            A = torch.relu(Z) if l < len(W) - 1 else Z
        return ((A - Tt) ** 2).mean()

    flat = torch.tensor(np.concatenate([p.ravel() for p in W + B]))
    return torch.autograd.functional.hessian(loss, flat).numpy()


@pytest.mark.parametrize("sizes,n,seed", [((3, 4, 2), 10, 0), ((2, 5, 5, 1), 20, 1), ((4, 6, 6, 6, 1), 100, 2)])
def test_power_iteration_finds_the_largest_eigenvalue_of_the_exact_hessian(sizes, n, seed):
    X, T, W, B = mlp.random_network(sizes, n, seed)
    H = exact_hessian(X, T, W, B)
    eig = np.linalg.eigvalsh(H)
    assert eig[-1] > abs(eig[0])  # the case the docstring describes: the top eigenvalue dominates
    lam, v = sharpness.sharpness(X, T, W, B, iters=300)
    assert lam == pytest.approx(eig[-1], rel=1e-6)
    np.testing.assert_allclose(H @ v, lam * v, atol=1e-4 * lam)
    np.testing.assert_allclose(sharpness.hessian(X, T, W, B), H, rtol=1e-10, atol=1e-12)


def test_sharpness_on_the_course_data_matches_the_exact_hessian():
    X, T = utils.getdata()
    W, B = utils.getparams()
    top = np.linalg.eigvalsh(exact_hessian(X, T, W, B))[-1]
    assert sharpness.sharpness(X, T, W, B, iters=12)[0] == pytest.approx(top, rel=1e-6)


def test_warm_start_needs_fewer_iterations():
    X, T, W, B = mlp.random_network((4, 6, 6, 6, 1), 50, 3)
    top = np.linalg.eigvalsh(exact_hessian(X, T, W, B))[-1]
    _, v = sharpness.sharpness(X, T, W, B, iters=200)
    cold = sharpness.sharpness(X, T, W, B, iters=1, seed=7)[0]
    warm = sharpness.sharpness(X, T, W, B, iters=1, v0=v)[0]
    assert abs(warm - top) < 1e-8 * top < abs(cold - top)


def test_train_is_gradient_descent_and_does_not_mutate():
    X, T, W, B = mlp.random_network((3, 5, 1), 30, 4)
    before = [a.copy() for a in W + B]
    run = sharpness.train(X, T, W, B, eta=0.1, steps=25, every=10, iters=20)
    for a, c in zip(W + B, before):
        np.testing.assert_array_equal(a, c)
    params = [torch.tensor(p, requires_grad=True) for p in W + B]  # the same descent, by autograd
    losses = []
    for _ in range(25):
        err = mlp.error_torch(torch.tensor(X), torch.tensor(T), params[:2], params[2:])
        losses.append(err.item())
        grads = torch.autograd.grad(err, params)
        params = [(p - 0.1 * g).detach().requires_grad_() for p, g in zip(params, grads)]
    np.testing.assert_allclose(run["losses"], losses, rtol=1e-10)
    for ours, theirs in zip(run["W"] + run["B"], params):
        np.testing.assert_allclose(ours, theirs.detach().numpy(), rtol=1e-9, atol=1e-12)
    assert run["sharp_steps"].tolist() == [0, 10, 20]
    assert run["sharpness"][0] == pytest.approx(np.linalg.eigvalsh(exact_hessian(X, T, W, B))[-1], rel=1e-6)


def test_rising_steps_and_spikes():
    L = np.array([4.0, 3.0, 3.5, 2.0, 2.0, 3.5, 3.6, 1.0, 1.2, 1.6, 0.5])
    assert sharpness.rising_steps(L) == 5            # 3->3.5, 2->3.5, 3.5->3.6, 1->1.2, 1.2->1.6
    assert sharpness.spikes(L, factor=1.5) == [5, 9]  # 3.5 > 1.5 * 2 (run of two steps), 1.6 > 1.5 * 1
    assert sharpness.spikes(L, factor=1.1) == [2, 5, 8]
    assert sharpness.spikes(np.linspace(3, 1, 10)) == [] and sharpness.rising_steps(np.linspace(3, 1, 10)) == 0


@pytest.mark.parametrize("call,exc,pattern", [
    (lambda a: sharpness.sharpness(*a, iters=0), ValueError, "^iters must be >= 1; got 0"),
    (lambda a: sharpness.sharpness(*a, v0=np.ones(3)), ValueError, r"^v0 must have shape \(21,\); got \(3,\)"),
    (lambda a: sharpness.sharpness(*a, v0=np.zeros(21)), ValueError, "^v0 must not be the zero vector"),
    (lambda a: sharpness.train(*a, eta=0.0, steps=3), ValueError, "^eta must be > 0.0; got 0.0"),
    (lambda a: sharpness.train(*a, eta=0.1, steps=3, every=0), ValueError, "^every must be >= 1; got 0"),
    (lambda a: sharpness.spikes([1.0, 2.0], factor=1.0), ValueError, "^factor must be > 1.0; got 1.0"),
    (lambda a: sharpness.rising_steps([[1.0]]), ValueError, "^losses must have 1 dimension"),
])
def test_bad_input_names_the_argument(call, exc, pattern):
    args = mlp.random_network((3, 4, 1), 5, 0)  # 3*4 + 4*1 weights and 4 + 1 biases: 21 parameters
    with pytest.raises(exc, match=pattern):
        call(args)


# --- found by `make mutate` at 605ed95 (issue 18) ------------------------------------------------------------------

def test_power_iteration_depends_on_the_direction_of_v0_only():
    """v0 and 1e-200 v0 or 1e200 v0 are the same start: the vector is normalised before the first product."""
    X, T, W, B = mlp.random_network((3, 4, 2), 10, 0)
    v0 = np.random.default_rng(5).standard_normal(sum(w.size for w in W) + sum(b.size for b in B))
    lam, v = sharpness.sharpness(X, T, W, B, iters=30, v0=v0)
    for scale in (1e-200, 1e200):
        lam_scaled, v_scaled = sharpness.sharpness(X, T, W, B, iters=30, v0=scale * v0)
        assert lam_scaled == pytest.approx(lam, rel=1e-12)
        np.testing.assert_allclose(v_scaled, v, rtol=1e-9, atol=1e-12)


def test_a_start_in_the_null_space_of_the_hessian_gives_zero():
    """Every hidden unit dead (ReLU of a negative input): the output is the output bias alone, and the loss does
    not depend on the output weights at all, so H v = 0 for v along them; the sharpness measured from there is
    0, and v comes back as the unit vector of v0."""
    X = np.abs(np.random.default_rng(0).standard_normal((6, 2)))
    T = np.ones((6, 1))
    W, B = [np.ones((2, 3)), np.ones((3, 1))], [-100.0 * np.ones(3), np.zeros(1)]
    v0 = np.zeros(2 * 3 + 3 + 3 + 1)
    v0[6:8] = 1.0  # W[1][0, 0] and W[1][1, 0]: flattened order W[0], W[1], B[0], B[1]
    lam, v = sharpness.sharpness(X, T, W, B, iters=3, v0=v0)
    assert lam == 0.0
    np.testing.assert_allclose(v, v0 / np.sqrt(2), rtol=1e-15)


def test_bad_seed_and_iters_are_named_with_the_value_given():
    X, T, W, B = mlp.random_network((3, 4, 2), 10, 0)
    with pytest.raises(TypeError, match=r"^seed must be an integer; got float$"):
        sharpness.sharpness(X, T, W, B, seed=1.5)
    with pytest.raises(ValueError, match=r"^iters must be >= 1; got -1$"):  # not train's 4 * iters for the first
        sharpness.train(X, T, W, B, eta=0.1, steps=2, iters=-1)


# ---- documented defaults and iteration counts along a training run; the caller's torch threads left alone ------------

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
    X, T, W, B = mlp.random_network((3, 4, 1), 5, 0)
    check_limits(sharpness.train, "steps", accepted=[1], rejected=[0], X=X, T=T, W=W, B=B, eta=0.1)
    check_limits(sharpness.train, "iters", accepted=[1], rejected=[0], X=X, T=T, W=W, B=B, eta=0.1, steps=1)
    first = sharpness.train(X, T, W, B, eta=0.1, steps=1, seed=3)["sharpness"][0]
    assert first == sharpness.sharpness(X, T, W, B, iters=20, seed=3)[0]  # the seed is passed on
    for summary in (sharpness.spikes, sharpness.rising_steps):
        with raises_naming("losses", "1 dimension(s)", exc=ValueError):
            summary([[1.0, 2.0]])
