import numpy as np
import pytest

import utils
from utils import gradcheck, mlp


@pytest.mark.parametrize("sizes,n", [((4, 6, 6, 6, 1), 100), ((3, 5, 2), 1), ((2, 8, 8, 8, 8, 3), 17), ((5, 1), 9)])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_backward_matches_autograd_float64(sizes, n, seed):
    X, T, W, B = mlp.random_network(sizes, n, seed)
    DW, DB = mlp.backward(X, T, W, B)
    AW, AB = mlp.autograd_gradients(X, T, W, B, "float64")
    for ours, theirs in zip(DW + DB, AW + AB):
        assert ours.shape == theirs.shape
        assert gradcheck.relative_error(ours, theirs) < 1e-12


def test_backward_matches_finite_differences_on_course_data():
    X, T = utils.getdata()
    W, B = utils.getparams()
    DW, DB = mlp.backward(X, T, W, B)
    num = gradcheck.numerical_gradient(lambda p: mlp.mse(mlp.forward(X, p[:4], p[4:])[0], T), W + B)
    for ours, fd in zip(DW + DB, num):
        assert gradcheck.relative_error(ours, fd) < 1e-4


def test_float32_agrees_to_single_precision():
    X, T = utils.getdata()
    W, B = utils.getparams()
    DW, _ = mlp.backward(X, T, W, B)
    AW, _ = mlp.autograd_gradients(X, T, W, B, "float32")
    assert 0 < gradcheck.relative_error(DW[0], AW[0]) < 1e-5


def test_numerical_gradient_does_not_mutate_and_is_right_for_a_quadratic():
    A = np.array([[2.0, 1.0], [1.0, 3.0]])
    p = [np.array([0.5, -1.0])]
    before = p[0].copy()
    g = gradcheck.numerical_gradient(lambda q: 0.5 * q[0] @ A @ q[0], p)
    np.testing.assert_array_equal(p[0], before)
    np.testing.assert_allclose(g[0], A @ before, rtol=1e-8, atol=1e-9)


def test_relative_error_and_verdict():
    assert gradcheck.relative_error([1.0, 0.0], [1.0, 0.0]) == 0.0
    assert gradcheck.relative_error([1.0], [3.0]) == pytest.approx(0.5)
    assert gradcheck.verdict(1e-9) == "agree" and gradcheck.verdict(0.5) == "WRONG"
    with pytest.raises(ValueError, match="same shape"):
        gradcheck.relative_error([1.0, 2.0], [1.0])


def test_inputs_are_not_mutated():
    X, T, W, B = mlp.random_network((4, 6, 1), 5, 0)
    copies = [a.copy() for a in [X, T] + W + B]
    mlp.backward(X, T, W, B)
    for a, c in zip([X, T] + W + B, copies):
        np.testing.assert_array_equal(a, c)


@pytest.mark.parametrize("mutate,exc,pattern", [
    (lambda X, T, W, B: (X[:, :3], T, W, B), ValueError, r"W\[0\] must have shape \(3, fan_out\), since X has 3 columns; got \(4, 6\)"),
    (lambda X, T, W, B: (X, T[:-1], W, B), ValueError, r"T must have shape \(100, 1\).*got \(99, 1\)"),
    (lambda X, T, W, B: (X, T, W, B[:3]), ValueError, r"B must have one entry per layer of W \(4\); got 3"),
    (lambda X, T, W, B: (X, T, W, [B[0], B[1], B[2], np.zeros(2)]), ValueError, r"B\[3\] must have shape \(1,\); got \(2,\)"),
    (lambda X, T, W, B: (np.where(X > 2, np.nan, X), T, W, B), ValueError, r"X must be finite"),
    (lambda X, T, W, B: (X.astype(object), T, W, B), TypeError, r"X must be a numeric array; got dtype object"),
    (lambda X, T, W, B: (X, T, W[0], B), TypeError, r"W must be a list of arrays"),
    (lambda X, T, W, B: (X[0], T, W, B), ValueError, r"X must have 2 dimension"),
])
def test_bad_input_names_the_argument(mutate, exc, pattern):
    X, T = utils.getdata()
    W, B = utils.getparams()
    with pytest.raises(exc, match=pattern):
        mlp.backward(*mutate(X, T, W, B))


@pytest.mark.parametrize("sizes,n", [((3, 5, 2), 7), ((4, 6, 6, 3), 11)])
def test_mse_and_backward_on_multi_output_networks(sizes, n):
    """mse averages over all N * d_out entries (torch's mean), and backward is its gradient (finite differences)."""
    import torch

    X, T, W, B = mlp.random_network(sizes, n, seed=5)
    Y = mlp.forward(X, W, B)[0]
    assert mlp.mse(Y, T) == pytest.approx(torch.nn.functional.mse_loss(torch.tensor(Y), torch.tensor(T)).item(), rel=1e-12)
    num = gradcheck.numerical_gradient(lambda p: mlp.mse(mlp.forward(X, p[:len(W)], p[len(W):])[0], T), W + B)
    DW, DB = mlp.backward(X, T, W, B)
    for ours, fd in zip(DW + DB, num):
        assert gradcheck.relative_error(ours, fd) < 1e-5


@pytest.mark.parametrize("seed", [0, 1])
def test_tanh_backward_matches_autograd_and_finite_differences(seed):
    X, T, W, B = mlp.random_network((3, 5, 4, 2), 9, seed)
    DW, DB = mlp.backward(X, T, W, B, activation="tanh")
    AW, AB = mlp.autograd_gradients(X, T, W, B, "float64", activation="tanh")
    for ours, theirs in zip(DW + DB, AW + AB):
        assert gradcheck.relative_error(ours, theirs) < 1e-12
    num = gradcheck.numerical_gradient(lambda p: mlp.mse(mlp.forward(X, p[:3], p[3:], "tanh")[0], T), W + B)
    for ours, fd in zip(DW + DB, num):
        assert gradcheck.relative_error(ours, fd) < 1e-5


def test_deltas_are_the_gradients_with_respect_to_the_pre_activations():
    import torch

    X, T, W, B = mlp.random_network((4, 6, 6, 1), 8, seed=2)
    Z = []
    A = torch.tensor(X)
    for l, (w, b) in enumerate(zip(W, B)):
        z = A @ torch.tensor(w, requires_grad=True) + torch.tensor(b)
        z.retain_grad()
        Z.append(z)
        A = torch.relu(z) if l < len(W) - 1 else z
    ((A - torch.tensor(T)) ** 2).mean().backward()
    for ours, z in zip(mlp.deltas(X, T, W, B), Z):
        np.testing.assert_allclose(ours, z.grad.numpy(), rtol=1e-12, atol=1e-15)


def test_activation_must_be_relu_or_tanh():
    X, T, W, B = mlp.random_network((2, 3, 1), 4, seed=0)
    for call in (lambda: mlp.forward(X, W, B, "sigmoid"), lambda: mlp.backward(X, T, W, B, "sigmoid"),
                 lambda: mlp.deltas(X, T, W, B, "sigmoid")):
        with pytest.raises(ValueError, match=r"activation must be one of \('relu', 'tanh'\); got 'sigmoid'"):
            call()


# ---------------------------------------------------------------- the layer API, reverse mode's memory, mini-batches

@pytest.mark.parametrize("sizes,n", [((4, 6, 6, 6, 1), 100), ((3, 5, 4, 2), 7), ((2, 1), 1)])
def test_layer_backward_equals_autograd_and_caches_what_stored_floats_counts(sizes, n):
    import torch

    X, T, W, B = mlp.random_network(sizes, n, seed=len(sizes) + n)
    DW, DB, layers = mlp.layer_backward(X, T, W, B)
    Wt = [torch.tensor(w, requires_grad=True) for w in W]
    Bt = [torch.tensor(b, requires_grad=True) for b in B]
    mlp.error_torch(torch.tensor(X), torch.tensor(T), Wt, Bt).backward()
    for ours, ref in zip(DW + DB, Wt + Bt):
        np.testing.assert_allclose(ours, ref.grad.numpy(), rtol=1e-10, atol=1e-14)
    assert [type(layer).__name__ for layer in layers] == ["Linear", "ReLU"] * (len(sizes) - 2) + ["Linear"]
    assert sum(layer.cache.size for layer in layers) == mlp.stored_floats(sizes, n)["total"]
    assert mlp.stored_floats(sizes, n)["parameters"] == sum(w.size + b.size for w, b in zip(W, B))


def test_relu_layer_passes_the_gradient_where_the_input_was_positive_only():
    relu = mlp.ReLU()
    np.testing.assert_array_equal(relu.forward(np.array([[-1.0, 0.0, 2.0]])), [[0.0, 0.0, 2.0]])
    np.testing.assert_array_equal(relu.backward(np.array([[5.0, 5.0, 5.0]])), [[0.0, 0.0, 5.0]])


def test_minibatch_spread_is_zero_for_the_full_batch_and_positive_below_it():
    X, T, W, B = mlp.random_network((3, 4, 1), 12, seed=3)
    spread = mlp.minibatch_spread(X, T, W, B, [12, 6, 1])
    assert spread[0] < 1e-14 and spread[1] > 0 and spread[2] > 0
    with pytest.raises(ValueError, match="batch_sizes must divide N = 12; got 5"):
        mlp.minibatch_spread(X, T, W, B, [5])


@pytest.mark.parametrize("sizes", [None, (4,), [4, 0, 1], "461"])
def test_stored_floats_names_bad_sizes(sizes):
    with pytest.raises((ValueError, TypeError), match="sizes"):
        mlp.stored_floats(sizes, 10)


def test_stored_floats_counts_each_cached_array_and_the_parameters():
    """The 4-6-6-6-1 network on 100 samples, counted by hand: Linear inputs 100 x (4 + 6 + 6 + 6), ReLU masks
    100 x (6 + 6 + 6), parameters 4*6+6 + 6*6+6 + 6*6+6 + 6*1+1."""
    assert mlp.stored_floats((4, 6, 6, 6, 1), 100) == {"linear inputs": 2200, "relu masks": 1800, "total": 4000,
                                                      "parameters": 121}
    assert mlp.stored_floats([5, 1], 1) == {"linear inputs": 5, "relu masks": 0, "total": 5, "parameters": 6}


@pytest.mark.parametrize("sizes,n,message", [
    ((4,), 10, r"sizes must list at least an input and an output size, like \(4, 6, 1\); got \(4,\)"),
    ("46", 10, r"sizes must list at least an input and an output size, like \(4, 6, 1\); got '46'"),
    ((4, 0, 1), 10, r"sizes\[1\] must be >= 1; got 0"),
    ((4, 6, 1), 0, r"n_samples must be >= 1; got 0")])
def test_stored_floats_names_the_bad_argument_and_its_value(sizes, n, message):
    with pytest.raises(ValueError, match=f"^{message}$"):
        mlp.stored_floats(sizes, n)


def test_minibatch_spread_is_the_rms_of_the_batch_gradients_errors():
    """Recomputed with autograd (torch) on each consecutive batch: sqrt(mean |g_b - g|^2) / |g|."""
    X, T, W, B = mlp.random_network((3, 4, 2), 12, seed=5)

    def grad(i, j):
        DW, DB = mlp.autograd_gradients(X[i:j], T[i:j], W, B)
        return np.concatenate([d.ravel() for d in DW + DB])

    g = grad(0, 12)
    want = [np.sqrt(np.mean([np.sum((grad(i, i + b) - g) ** 2) for i in range(0, 12, b)])) / np.sqrt(np.sum(g ** 2))
            for b in (4, 3, 1)]
    np.testing.assert_allclose(mlp.minibatch_spread(X, T, W, B, (4, 3, 1)), want, rtol=1e-10)


@pytest.mark.parametrize("batch_sizes,message", [
    ([], r"batch_sizes must be a non-empty list of batch sizes; got \[\]"),
    (4, r"batch_sizes must be a non-empty list of batch sizes; got 4"),
    ([4, 0], r"batch_sizes\[1\] must be >= 1; got 0"),
    ([24], r"batch_sizes\[0\] must be <= 12; got 24"),
    ([12, 5], r"batch_sizes must divide N = 12; got 5")])
def test_minibatch_spread_names_bad_batch_sizes(batch_sizes, message):
    X, T, W, B = mlp.random_network((3, 4, 1), 12, seed=3)
    with pytest.raises(ValueError, match=f"^{message}$"):
        mlp.minibatch_spread(X, T, W, B, batch_sizes)


def test_layers_alternate_linear_and_relu_holding_copies_of_the_given_arrays():
    _, _, W, B = mlp.random_network((2, 3, 3, 1), 1, seed=0)
    net = mlp.layers(W, B)
    assert [type(layer).__name__ for layer in net] == ["Linear", "ReLU", "Linear", "ReLU", "Linear"]
    for layer, w, b in zip(net[::2], W, B):
        np.testing.assert_array_equal(layer.w, w)
        np.testing.assert_array_equal(layer.b, b)
    assert all(layer.cache is None for layer in net)  # nothing cached before a forward pass
    with pytest.raises(ValueError, match=r"^B must have 3 entries; got 2$"):
        mlp.layers(W, B[:2])
    with pytest.raises(TypeError, match=r"^W must be a list of arrays"):
        mlp.layers(None, B)


def test_linear_layer_caches_its_input_and_returns_the_input_gradient():
    """Z = A w + b with A (2, 3), w (3, 2), worked by hand; dE/dA = delta w^T, dw = A^T delta, db = column sums."""
    w, b = np.array([[1.0, 0.0], [2.0, -1.0], [0.0, 3.0]]), np.array([0.5, -0.5])
    A = np.array([[1.0, 1.0, 1.0], [2.0, 0.0, -1.0]])
    layer = mlp.Linear(w, b)
    np.testing.assert_array_equal(layer.forward(A), [[3.5, 1.5], [2.5, -3.5]])
    assert layer.cache is A
    delta = np.array([[1.0, 0.0], [0.0, 2.0]])
    np.testing.assert_array_equal(layer.backward(delta), [[1.0, 2.0, 0.0], [0.0, -2.0, 6.0]])
    np.testing.assert_array_equal(layer.dw, [[1.0, 4.0], [1.0, 0.0], [1.0, -2.0]])
    np.testing.assert_array_equal(layer.db, [1.0, 2.0])
