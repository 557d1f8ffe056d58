"""Checks of notebook 04 (backprop vs autograd)."""
import numpy as np

from .. import data, mlp
from ._core import CheckFailed, Exercise, _array, _call, _close, _fail, _match_mistakes, _number, _ok, _ratio_hint, run  # noqa: F401


def _backward_cases(seed=11):
    X, T = data.getdata()
    W, B = data.getparams()
    return [(X, T, W, B), mlp.random_network((4, 6, 6, 6, 1), 7, seed=seed)]


def _plain(value):
    """A returned array as plain data for the judge: a numpy array (a tensor's value) or None as they are;
    an empty list or tuple for a list or tuple (the judge names the type); else the type's name."""
    if hasattr(value, "detach"):
        value = value.detach().cpu().numpy()
    if value is None or (isinstance(value, np.ndarray) and value.dtype != object):
        return value
    return [] if isinstance(value, list) else () if isinstance(value, tuple) else f"a {type(value).__name__}"


def _backward_collect(fn, cases):
    """[[DW, DB] per case], DW and DB lists of plain values (or a plain value where a list was expected)."""
    __tracebackhide__ = True
    answers = []
    for X, T, W, B in cases:
        result = _call(fn, "backward", X.copy(), T.copy(), [w.copy() for w in W], [b.copy() for b in B])
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            _fail(f"backward must return a pair (DW, DB); got {type(result).__name__}")
        answers.append([[_plain(g) for g in part] if isinstance(part, (list, tuple)) else _plain(part) for part in result])
    return answers


def _backward_judge(cases, answers):
    """Compare with mlp.backward; names transposes, missing factors, per-sample bias gradients."""
    __tracebackhide__ = True
    if not isinstance(answers, list) or len(answers) != len(cases):
        _fail(f"backward: expected answers for {len(cases)} cases")
    for case, ((X, T, W, B), answer) in enumerate(zip(cases, answers)):
        where = "on the course's data" if case == 0 else f"on a second network with N = {len(X)}"
        if not isinstance(answer, (list, tuple)) or len(answer) != 2:
            _fail("backward must return a pair (DW, DB)")
        want_W, want_B = mlp.backward(X, T, W, B)
        for label, got, want in (("DW", answer[0], want_W), ("DB", answer[1], want_B)):
            if not isinstance(got, (list, tuple)) or len(got) != len(want):
                _fail(f"{label} must be a list of {len(want)} arrays; got {got if isinstance(got, str) else type(got).__name__}"
                      f"{' of length ' + str(len(got)) if isinstance(got, (list, tuple)) else ''}")
            for l, (g, r) in enumerate(zip(got, want)):
                name = f"{label}[{l}]"
                if label == "DB" and isinstance(g, np.ndarray) and g.ndim == 2 and g.shape == (len(X), r.size):
                    _fail(f"{name} has shape {g.shape}, expected {r.shape}: the bias gradient must be summed over the batch (delta.sum(axis=0))")
                if label == "DW" and isinstance(g, np.ndarray) and g.shape == r.shape[::-1] and r.shape[0] != r.shape[1]:
                    _fail(f"{name} has shape {g.shape}, expected {r.shape}: it is transposed; use A_prev.T @ delta")
                g = _array(name, g, r.shape)
                if _close(g, r):
                    continue
                if g.ndim == 2 and g.shape[0] == g.shape[1] and _close(g.T, r):
                    _fail(f"{name} is transposed: use A_prev.T @ delta (shape fan_in × fan_out)")
                hint = _ratio_hint(name, g, r, n_samples=len(X))
                if hint:
                    _fail(hint + f" ({where})")
                _fail(f"{name} is wrong {where}: largest difference {np.max(np.abs(g - r)):.3g} "
                      f"(entries are of size {np.max(np.abs(r)):.3g}); check this layer's delta and the ReLU derivative")
    return "DW and DB match the reference on the course's data and on a second network (N = 7)"


BACKWARD = Exercise("backward", _backward_cases, _backward_collect, _backward_judge, seed=11)


def check_backward(fn):
    """fn(X, T, W, B) -> (DW, DB), the gradient of ((Y - T)**2).mean(), shaped like W and B."""
    __tracebackhide__ = True
    run(BACKWARD, fn)


def check_error_torch(fn):
    """fn(X, T, W, B) with torch tensors/Parameters -> the scalar error tensor, differentiable by autograd."""
    __tracebackhide__ = True
    import torch

    for X, T, W, B in _backward_cases():
        Wt = [torch.nn.Parameter(torch.tensor(w)) for w in W]
        Bt = [torch.nn.Parameter(torch.tensor(b)) for b in B]
        err = _call(fn, "error_torch", torch.tensor(X), torch.tensor(T), Wt, Bt)
        if not isinstance(err, torch.Tensor):
            _fail(f"error_torch must return a torch tensor; got {type(err).__name__} (numpy values cannot be differentiated by autograd)")
        if err.numel() != 1:
            _fail(f"error_torch must return a single number; got a tensor of shape {tuple(err.shape)}: take .mean()")
        if err.grad_fn is None:
            _fail("the error is not connected to the parameters (grad_fn is None): build it from W and B with torch operations, without .detach() or .numpy()")
        want = mlp.mse(mlp.forward(X, W, B)[0], T)
        got = _number("error_torch", err)
        if not np.isclose(got, want, rtol=1e-9):
            hint = _ratio_hint("the error", np.array([got]), np.array([want]), n_samples=len(X))
            if hint and "constant factor" in hint:  # one number always has "a constant ratio": say nothing vague
                hint = None
            if np.isclose(got, want * len(X), rtol=1e-9):
                hint = "the error is N times too large: use .mean(), not .sum()"
            _fail(hint or f"the error is {got:.6g}, expected {want:.6g}: check the ReLUs (none on the output layer) and the square")
        err.backward()
        want_W, _ = mlp.backward(X, T, W, B)
        if not _close(Wt[0].grad.numpy(), want_W[0], 1e-9):
            _fail("the error has the right value but the wrong gradient")
    _ok("the PyTorch error equals the numpy one, and autograd's gradient matches")


def check_sequential(fn):
    """fn(W, B) -> torch.nn.Sequential of Linear and ReLU layers computing the same network."""
    __tracebackhide__ = True
    import torch

    X, T = data.getdata()
    W, B = data.getparams()
    net = _call(fn, "build_sequential", [w.copy() for w in W], [b.copy() for b in B])
    if not isinstance(net, torch.nn.Sequential):
        _fail(f"build_sequential must return a torch.nn.Sequential; got {type(net).__name__}")
    linears = [m for m in net if isinstance(m, torch.nn.Linear)]
    if len(linears) != len(W):
        _fail(f"the network needs {len(W)} nn.Linear layers; got {len(linears)}")
    for l, (lin, w) in enumerate(zip(linears, W)):
        if tuple(lin.weight.shape) != w.T.shape:
            _fail(f"layer {l}: nn.Linear({w.shape[0]}, {w.shape[1]}) stores its weight as (out, in) = {w.T.shape}; got {tuple(lin.weight.shape)}")
        if lin.weight.dtype != torch.float64:
            _fail(f"layer {l}: use float64 (torch.tensor(w.T) or net.double()) so the results match numpy; got {lin.weight.dtype}")
        if w.shape[0] == w.shape[1] and not np.allclose(w, w.T) and np.allclose(lin.weight.detach().numpy(), w):
            _fail(f"layer {l}: load w.T, not w: nn.Linear computes x @ weight.T")
    n_relu = sum(isinstance(m, torch.nn.ReLU) for m in net)
    if n_relu != len(W) - 1:
        _fail(f"the network needs a ReLU after each hidden layer ({len(W) - 1}); got {n_relu}")
    Y = net(torch.tensor(X)).detach().numpy()
    want = mlp.forward(X, W, B)[0]
    if not _close(Y, want, 1e-9):
        _fail(f"the network's output differs from numpy's (largest difference {np.max(np.abs(Y - want)):.3g}): "
              "check that every layer got w.T and b")
    _ok("nn.Sequential reproduces the numpy network; its first weight's gradient will be in net[0].weight.grad, shaped (6, 4) = DW[0].T")


# grade_id of the nbgrader grade cell -> its Exercise (for graders outside the student's kernel)
EXERCISES = {"check-backward": BACKWARD}
