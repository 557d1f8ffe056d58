"""Checks of notebook 04: the right answer passes, each recognised mistake produces its message, malformed answers a message."""
import numpy as np
import pytest
import torch

from utils import checks, mlp


def fails_with(check, answer, pattern, *more):
    with pytest.raises(checks.CheckFailed, match=pattern):
        check(answer, *more)


def test_backward(capsys):
    checks.check_backward(mlp.backward)
    assert "✓" in capsys.readouterr().out

    def scaled(factor_w, factor_b=None):
        def fn(X, T, W, B):
            DW, DB = mlp.backward(X, T, W, B)
            f = factor_w(len(X))
            return [d * f for d in DW], [d * (factor_b or factor_w)(len(X)) for d in DB]
        return fn

    fails_with(checks.check_backward, scaled(lambda n: n), "1/N of the mean is missing")
    fails_with(checks.check_backward, scaled(lambda n: n / 2), "2/N factor")
    fails_with(checks.check_backward, scaled(lambda n: -1), "wrong sign")
    fails_with(checks.check_backward, scaled(lambda n: 0.5), "factor 2")
    fails_with(checks.check_backward, lambda X, T, W, B: ([d.T for d in mlp.backward(X, T, W, B)[0]], mlp.backward(X, T, W, B)[1]), "transposed")

    def unsummed(X, T, W, B):
        DW, DB = mlp.backward(X, T, W, B)
        return DW, [np.tile(d / len(X), (len(X), 1)) for d in DB]
    fails_with(checks.check_backward, unsummed, "summed over the batch")

    def relu_from_nothing(X, T, W, B):  # no ReLU mask at all: wrong values, no constant ratio
        Y, Z, A = mlp.forward(X, W, B)
        delta = 2 * (Y - T) / len(X)
        DW, DB = [None] * 4, [None] * 4
        for l in reversed(range(4)):
            DW[l], DB[l] = A[l].T @ delta, delta.sum(0)
            delta = delta @ W[l].T
        return DW, DB
    fails_with(checks.check_backward, relu_from_nothing, "ReLU derivative")
    fails_with(checks.check_backward, lambda *a: None, "pair")
    fails_with(checks.check_backward, lambda *a: ([1, 2], [3, 4]), "list of 4 arrays")
    fails_with(checks.check_backward, lambda X, T, W, B: ([np.full_like(w, np.nan) for w in W], B), "NaN")
    fails_with(checks.check_backward, lambda *a: (_ for _ in ()).throw(NotImplementedError()), "not written yet")
    fails_with(checks.check_backward, lambda X, T, W, B: X.foo, "raised AttributeError")
    fails_with(checks.check_backward, 42, "must be a function")


def test_error_torch(capsys):
    checks.check_error_torch(mlp.error_torch)
    assert "✓" in capsys.readouterr().out
    fails_with(checks.check_error_torch, lambda X, T, W, B: float(mlp.error_torch(X, T, W, B)), "torch tensor")
    fails_with(checks.check_error_torch, lambda X, T, W, B: mlp.error_torch(X, T, W, B).detach(), "grad_fn")
    fails_with(checks.check_error_torch, lambda X, T, W, B: mlp.error_torch(X, T, W, B) * len(X), "N times too large")

    def all_relu(X, T, W, B):
        A = X
        for w, b in zip(W, B):
            A = torch.relu(A @ w + b)
        return ((A - T) ** 2).mean()
    fails_with(checks.check_error_torch, all_relu, "ReLUs")
    fails_with(checks.check_error_torch, lambda X, T, W, B: (X @ W[0]).mean(0), "single number")


def reference_sequential(W, B, transpose=True, relu=True):
    layers = []
    for l, (w, b) in enumerate(zip(W, B)):
        lin = torch.nn.Linear(*w.shape).double()
        with torch.no_grad():
            lin.weight.copy_(torch.tensor(w.T if transpose else w).reshape(lin.weight.shape))
            lin.bias.copy_(torch.tensor(b))
        layers.append(lin)
        if relu and l < len(W) - 1:
            layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers)


def test_sequential(capsys):
    checks.check_sequential(reference_sequential)
    assert "✓" in capsys.readouterr().out
    fails_with(checks.check_sequential, lambda W, B: reference_sequential(W, B, relu=False), "ReLU after each hidden layer")
    fails_with(checks.check_sequential, lambda W, B: reference_sequential(W, B, transpose=False), r"w\.T")
    fails_with(checks.check_sequential, lambda W, B: reference_sequential(W, B).float(), "float64")
    fails_with(checks.check_sequential, lambda W, B: [1], "nn.Sequential")
