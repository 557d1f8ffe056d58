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
