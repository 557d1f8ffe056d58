"""mse and backward on networks with several outputs (d_out >= 2), where the mean runs over N * d_out entries.

References: torch's mean in float64 for the error, finite differences of mse(forward(...)) for the gradient.
"""
import numpy as np
import pytest
import torch

from utils import gradcheck, mlp

NETWORKS = [((3, 4, 2), 7), ((2, 5, 5, 3), 4), ((4, 3, 4), 1), ((1, 2), 6)]


@pytest.mark.parametrize("sizes,n", NETWORKS)
def test_mse_is_torch_mean_over_every_entry(sizes, n):
    X, T, W, B = mlp.random_network(sizes, n, seed=n)
    Y = mlp.forward(X, W, B)[0]
    assert Y.shape == (n, sizes[-1])
    expected = torch.nn.functional.mse_loss(torch.tensor(Y, dtype=torch.float64),
                                            torch.tensor(T, dtype=torch.float64), reduction="mean").item()
    assert mlp.mse(Y, T) == pytest.approx(expected, rel=1e-13)
    # The same sum of squares divided by N alone would be d_out times larger.
    assert mlp.mse(Y, T) == pytest.approx(float(((Y - T) ** 2).sum()) / Y.size, rel=1e-13)


@pytest.mark.parametrize("sizes,n", NETWORKS)
def test_backward_is_the_gradient_of_mse_with_several_outputs(sizes, n):
    X, T, W, B = mlp.random_network(sizes, n, seed=10 + n)
    DW, DB = mlp.backward(X, T, W, B)
    depth = len(W)
    fd = gradcheck.numerical_gradient(lambda p: mlp.mse(mlp.forward(X, p[:depth], p[depth:])[0], T), W + B)
    for ours, num in zip(DW + DB, fd):
        assert ours.shape == num.shape
        assert gradcheck.relative_error(ours, num) < 1e-5


def test_error_torch_is_the_mse_of_forward():
    X, T, W, B = mlp.random_network((3, 4, 2), 5, seed=3)
    tensors = [torch.tensor(a, dtype=torch.float64) for a in [X, T]]
    err = mlp.error_torch(*tensors, [torch.tensor(w) for w in W], [torch.tensor(b) for b in B])
    assert err.item() == pytest.approx(mlp.mse(mlp.forward(X, W, B)[0], T), rel=1e-13)


def test_mse_rejects_mismatched_shapes_naming_both():
    with pytest.raises(ValueError, match=r"^T must have the shape of Y, \(3, 2\); got \(3, 1\)"):
        mlp.mse(np.zeros((3, 2)), np.zeros((3, 1)))
    with pytest.raises(ValueError, match=r"^Y must have 2 dimension"):
        mlp.mse(np.zeros(3), np.zeros((3, 1)))


def test_random_network_is_he_initialised_and_seeded():
    X, T, W, B = mlp.random_network((400, 300, 2), 5, seed=1)
    assert X.shape == (5, 400) and T.shape == (5, 2)
    assert [w.shape for w in W] == [(400, 300), (300, 2)] and [b.shape for b in B] == [(300,), (2,)]
    # He: std sqrt(2 / fan_in); biases std 0.1 (300 draws: within 15 %)
    assert W[0].std() == pytest.approx(np.sqrt(2 / 400), rel=0.05)
    assert B[0].std() == pytest.approx(0.1, rel=0.15) and abs(B[0].mean()) < 0.03
    assert X.std() == pytest.approx(1.0, rel=0.05)
    again = mlp.random_network((400, 300, 2), 5, seed=1)
    other = mlp.random_network((400, 300, 2), 5, seed=2)
    for a, b, c in zip([X, T] + W + B, [again[0], again[1]] + again[2] + again[3],
                       [other[0], other[1]] + other[2] + other[3]):
        np.testing.assert_array_equal(a, b)
        assert not np.array_equal(a, c)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_autograd_gradients_come_back_as_float64_numpy(dtype):
    X, T, W, B = mlp.random_network((3, 4, 2), 6, seed=4)
    AW, AB = mlp.autograd_gradients(X, T, W, B, dtype)
    DW, DB = mlp.backward(X, T, W, B)
    for a, d in zip(AW + AB, DW + DB):
        assert isinstance(a, np.ndarray) and a.dtype == np.float64
        np.testing.assert_allclose(a, d, rtol=1e-12 if dtype == "float64" else 1e-4,
                                   atol=0 if dtype == "float64" else 1e-6)


def test_autograd_gradients_name_a_bad_dtype():
    X, T, W, B = mlp.random_network((3, 2), 2, seed=0)
    with pytest.raises(ValueError, match=r"^dtype must be one of \('float64', 'float32'\); got 'float16'"):
        mlp.autograd_gradients(X, T, W, B, "float16")


def test_unchecked_passes_keep_float32():
    X, T, W, B = (a.astype(np.float32) if isinstance(a, np.ndarray) else [x.astype(np.float32) for x in a]
                  for a in mlp.random_network((3, 4, 2), 6, seed=5))
    Y, Z, A = mlp.forward_unchecked(X, W, B)
    DW, DB = mlp.backward_unchecked(X, T, W, B)
    assert Y.dtype == np.float32 and all(d.dtype == np.float32 for d in DW + DB)
    ref = mlp.backward(X, T, W, B)
    for ours, theirs in zip(DW + DB, ref[0] + ref[1]):
        np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-6)  # float32 round-off


def test_autograd_gradients_default_to_float64_and_float32_is_float32_throughout():
    X, T, W, B = mlp.random_network((3, 5, 2), 8, seed=6)
    default, f64, f32 = (mlp.autograd_gradients(X, T, W, B, *d) for d in ((), ("float64",), ("float32",)))
    for a, b, c in zip(default[0] + default[1], f64[0] + f64[1], f32[0] + f32[1]):
        np.testing.assert_array_equal(a, b)
        assert gradcheck.relative_error(c, b) > 1e-9  # float32 round-off, far above float64's
    # Every tensor in float32 (targets too): the same graph built here in float32 gives the same bits.
    Wt = [torch.tensor(w, dtype=torch.float32, requires_grad=True) for w in W]
    Bt = [torch.tensor(b, dtype=torch.float32, requires_grad=True) for b in B]
    A = torch.tensor(X, dtype=torch.float32)
    for l, (w, b) in enumerate(zip(Wt, Bt)):
        A = A @ w + b
        A = torch.relu(A) if l < len(Wt) - 1 else A
    ((A - torch.tensor(T, dtype=torch.float32)) ** 2).mean().backward()
    for ours, ref in zip(f32[0] + f32[1], Wt + Bt):
        np.testing.assert_array_equal(ours, ref.grad.double().numpy())
