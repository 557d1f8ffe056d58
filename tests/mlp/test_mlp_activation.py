"""The `activation` argument of mlp (added for notebook 04's tanh exercise): checked by name, and the tanh deltas
against torch autograd's gradients with respect to the pre-activations, computed here."""
import numpy as np
import pytest
import torch

from utils import mlp


@pytest.mark.parametrize("fn,args", [
    (mlp.forward, "XWB"), (mlp.backward, "XTWB"), (mlp.deltas, "XTWB"),
    (mlp.error_torch, "XTWB torch"), (mlp.autograd_gradients, "XTWB")])
def test_an_unknown_activation_is_named(fn, args):
    X, T, W, B = mlp.random_network((3, 4, 2), 5, seed=1)
    if args.endswith("torch"):
        X, T, W, B = torch.tensor(X), torch.tensor(T), [torch.tensor(w) for w in W], [torch.tensor(b) for b in B]
    call = (X, W, B) if args == "XWB" else (X, T, W, B)
    with pytest.raises(ValueError, match=r"^activation must be one of .*relu.*tanh.*; got 'sigmoid'"):
        fn(*call, activation="sigmoid")


@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_deltas_are_autograds_gradients_with_respect_to_z(activation):
    X, T, W, B = mlp.random_network((3, 5, 4, 2), 6, seed=2)
    Z, a = [], torch.tensor(X)
    for l, (w, b) in enumerate(zip(W, B)):
        z = a @ torch.tensor(w, requires_grad=True) + torch.tensor(b, requires_grad=True)
        z.retain_grad()
        Z.append(z)
        a = z if l == len(W) - 1 else (torch.relu(z) if activation == "relu" else torch.tanh(z))
    ((a - torch.tensor(T)) ** 2).mean().backward()
    got = mlp.deltas(X, T, W, B, activation=activation)
    for l, (d, z) in enumerate(zip(got, Z)):
        np.testing.assert_allclose(d, z.grad.numpy(), rtol=1e-12, atol=1e-15, err_msg=f"delta[{l}] ({activation})")


def test_the_unchecked_deltas_default_to_relu():
    X, T, W, B = mlp.random_network((3, 5, 2), 6, seed=3)
    default, _ = mlp.deltas_unchecked(X, T, W, B)
    relu, _ = mlp.deltas_unchecked(X, T, W, B, "relu")
    tanh, _ = mlp.deltas_unchecked(X, T, W, B, "tanh")
    assert all(np.array_equal(a, b) for a, b in zip(default, relu))
    assert not np.allclose(default[0], tanh[0])


def test_autograd_gradients_follow_the_activation():
    X, T, W, B = mlp.random_network((3, 5, 2), 6, seed=4)
    for activation in ("relu", "tanh"):
        DW, DB = mlp.autograd_gradients(X, T, W, B, activation=activation)
        want = mlp.deltas(X, T, W, B, activation=activation)
        np.testing.assert_allclose(DB[0], want[0].sum(axis=0), rtol=1e-10)
