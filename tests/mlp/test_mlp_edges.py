"""mlp at its edges: the list of layer inputs, the ReLU's derivative at exactly 0, and the messages of
arguments that the course's data never gets wrong (targets, inner layers)."""
import numpy as np
import pytest
import torch

from utils import mlp


def test_forward_returns_one_input_per_layer():
    X, _, W, B = mlp.random_network((3, 4, 5, 2), 6, seed=7)
    Y, Z, A = mlp.forward(X, W, B)
    assert len(Z) == len(A) == len(W) == 3
    np.testing.assert_array_equal(A[0], X)
    for l in range(1, 3):
        np.testing.assert_array_equal(A[l], np.maximum(Z[l - 1], 0))
    np.testing.assert_array_equal(Y, Z[-1])
    assert (Y < 0).any()  # the last layer is linear: no ReLU on the output


def test_relu_derivative_at_zero_is_zero_as_in_torch():
    """Z = 1 - 1 + 0 = 0 exactly: the unit is off, as torch.relu's gradient says, so W[0] gets no gradient."""
    X, T = np.array([[1.0, -1.0]]), np.array([[2.0]])
    W, B = [np.array([[1.0], [1.0]]), np.array([[3.0]])], [np.array([0.0]), np.array([0.5])]
    assert mlp.forward(X, W, B)[1][0][0, 0] == 0.0
    DW, DB = mlp.backward(X, T, W, B)
    Wt = [torch.tensor(w, requires_grad=True) for w in W]
    Bt = [torch.tensor(b, requires_grad=True) for b in B]
    out = torch.relu(torch.tensor(X) @ Wt[0] + Bt[0]) @ Wt[1] + Bt[1]
    ((out - torch.tensor(T)) ** 2).mean().backward()
    for ours, ref in zip(DW + DB, Wt + Bt):
        np.testing.assert_array_equal(ours, ref.grad.numpy())
    np.testing.assert_array_equal(DW[0], [[0.0], [0.0]])


@pytest.mark.parametrize("T,message", [
    (np.full((4, 1), np.nan), r"^T must be finite"),
    (np.zeros(4), r"^T must have 2 dimension\(s\); got shape \(4,\)"),
    ("targets", r"^T must be a numeric array; got str"),
])
def test_bad_targets_are_named(T, message):
    X, _, W, B = mlp.random_network((3, 2, 1), 4, seed=0)
    with pytest.raises((ValueError, TypeError), match=message):
        mlp.backward(X, T, W, B)


def test_mse_names_one_dimensional_targets():
    with pytest.raises(ValueError, match=r"^T must have 2 dimension\(s\); got shape \(3,\)"):
        mlp.mse(np.zeros((3, 1)), np.zeros(3))


@pytest.mark.parametrize("bad_layer,message", [
    (1, r"^W\[1\] must have shape \(4, fan_out\), since W\[0\] has 4 outputs; got \(5, 5\)"),
    (2, r"^W\[2\] must have shape \(5, fan_out\), since W\[1\] has 5 outputs; got \(6, 1\)"),
])
def test_a_wrong_inner_layer_names_the_layer_before(bad_layer, message):
    X, T, W, B = mlp.random_network((3, 4, 5, 1), 4, seed=0)
    W[bad_layer] = np.zeros((W[bad_layer].shape[0] + 1, W[bad_layer].shape[1]))
    with pytest.raises(ValueError, match=message):
        mlp.forward(X, W, B)
