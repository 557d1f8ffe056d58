"""Checks of notebook 04 (backprop vs autograd), on the Exercise protocol (see _core).

The backward-pass checks (Exercises 1 and 4) look for the first layer, counted from the output, whose
gradient is wrong. Every layer above it is right, so the delta that arrives there is right, and the
mistake lies in what enters at that layer: the output delta (its 2/N and sign), the transpose of the
weight matrix of the layer above, or the activation's derivative (the ReLU mask, or tanh's 1 - A²).
"""
import math

import numpy as np

from .. import data, mlp
from ._answers import array, describe, number, recorded
from ._core import CheckFailed, Exercise, _call, _close, _fail, _ratio_hint

SIZES = (4, 6, 6, 6, 1)


# ---------------------------------------------------------------- answers as plain data



def _what(value):
    """A short description of a plain answer for messages: "<dict>", "list of length 3", "None", "float"."""
    return value if isinstance(value, str) else describe(value) if value is not None else "None"


def _copies(case):
    X, T, W, B = case
    return X.copy(), T.copy(), [w.copy() for w in W], [b.copy() for b in B]


# ---------------------------------------------------------------- Exercises 1 and 4: backward passes

def _backward_cases(seed):
    """The notebook's data; a second network with the same N = 100 (a backward pass that reads the
    notebook's globals Z1, A1, ... gets its values there, not from its arguments); one with N = 7."""
    X, T = data.getdata()
    W, B = data.getparams()
    return [(X, T, W, B), mlp.random_network(SIZES, len(X), seed=seed), mlp.random_network(SIZES, 7, seed=seed + 1)]


def _backward_collect(fn, cases, name="backward"):
    """The student's (DW, DB) per case as plain data; an exception is recorded as {"failed": message}, so
    that the judge sees the cases in order (a pass that fails only for N = 7 is judged on N = 100 first)."""
    __tracebackhide__ = True
    if not callable(fn):
        _fail(f"{name} must be a function; got {type(fn).__name__}")
    answers = []
    for case in cases:
        try:
            answers.append(recorded(_call(fn, name, *_copies(case))))
        except CheckFailed as failed:
            answers.append({"failed": str(failed)})
    return answers


def _layer_delta(case, activation, l, delta_above, variant="right"):
    """dE/dZ[l] of hidden layer l from the right delta of layer l + 1, or a named wrong variant
    (None where the variant cannot even be computed: an untransposed non-square W). The mask of the layer above
    is that of the output, (N, 1), at the top hidden layer: it broadcasts, as in the student's code."""
    X, T, W, B = case
    _, Z, A = mlp.forward(X, W, B, activation)
    w = W[l + 1]
    if variant == "W not transposed":
        if w.shape[0] != w.shape[1]:
            return None
        back = delta_above @ w
    else:
        back = delta_above @ w.T
    def right():
        return Z[l] > 0 if activation == "relu" else 1 - A[l + 1] ** 2  # a mask: back * True is back

    factor = {
        "right": right,
        "W not transposed": right,
        "no derivative": lambda: 1.0,
        "relu mask": lambda: Z[l] > 0,
        "1 - Z²": lambda: 1 - Z[l] ** 2,
        "1 - A": lambda: 1 - A[l + 1],
        "times Z": lambda: Z[l],
        "times A": lambda: A[l + 1],
        "mask of the layer above": lambda: Z[l + 1] > 0,
    }[variant]()
    return back * factor


# what a wrong delta at hidden layer l looks like, and what to say (l: code index; Z[l] is Z{l+1} in the notebook)
_HIDDEN_MISTAKES = {
    "relu": [
        ("no derivative", "the ReLU mask is missing: multiply δ{up} W[{a}]ᵀ by (Z{n} > 0)"),
        ("W not transposed", "W[{a}] must be transposed on the way back: δ W[{a}]ᵀ, not δ W[{a}]"),
        ("times Z", "the ReLU derivative is the mask 1[Z{n} > 0], not Z{n} itself"),
        ("times A", "the ReLU derivative is the mask 1[Z{n} > 0], not the activation A{n}"),
        ("mask of the layer above", "the mask comes from this layer's pre-activation Z{n}, not from the layer above"),
    ],
    "tanh": [
        ("relu mask", "that is the ReLU mask (Z{n} > 0); tanh's derivative is 1 - tanh(Z{n})² = 1 - A{n}²"),
        ("no derivative", "tanh's derivative 1 - A{n}² is missing: multiply δ W[{a}]ᵀ by it"),
        ("1 - Z²", "tanh'(z) = 1 - tanh(z)², so use 1 - A{n}², not 1 - Z{n}²"),
        ("1 - A", "tanh'(z) = 1 - tanh(z)²: square the activation, 1 - A{n}²"),
        ("W not transposed", "W[{a}] must be transposed on the way back: δ W[{a}]ᵀ, not δ W[{a}]"),
        ("times A", "tanh's derivative is 1 - A{n}², not A{n}"),
    ],
}


def _validated(name, answer, case):
    """(DW, DB) as lists of float64 arrays of the right shapes, or CheckFailed naming what is malformed."""
    __tracebackhide__ = True
    X, T, W, B = case
    if isinstance(answer, dict) and isinstance(answer.get("failed"), str):
        _fail(answer["failed"])
    if not isinstance(answer, list) or len(answer) != 2:
        _fail(f"{name} must return a pair (DW, DB); got {_what(answer)}" +
              (": did you forget `return`?" if answer is None else ""))
    out = []
    for label, got, like in (("DW", answer[0], W), ("DB", answer[1], B)):
        if not isinstance(got, list) or len(got) != len(like):
            _fail(f"{label} must be a list of {len(like)} arrays, one per layer; got {_what(got)}")
        arrays = []
        for l, (g, r) in enumerate(zip(got, like)):
            if label == "DB" and isinstance(g, np.ndarray) and g.ndim == 2 and g.shape == (len(X), r.size):
                _fail(f"DB[{l}] has shape {g.shape}, expected {r.shape}: the bias gradient must be summed over "
                      "the batch (delta.sum(axis=0))")
            if label == "DW" and isinstance(g, np.ndarray) and g.shape == r.shape[::-1] and r.shape[0] != r.shape[1]:
                _fail(f"DW[{l}] has shape {g.shape}, expected {r.shape}: it is transposed; use A_prev.T @ delta")
            arrays.append(array(f"{label}[{l}]", g, [r.shape]))
        out.append(arrays)
    return out


def _wrong_layer(case, DW, DB, activation):
    """What is wrong in a wrong (DW, DB) for one case, found from the output down at the first wrong layer.
    A message, not a CheckFailed: the caller adds where, and a caught-and-re-raised CheckFailed would show the
    student this message twice (IPython prints the exception it was raised during)."""
    X, T, W, B = case
    L = len(W)
    Y, Z, A = mlp.forward(X, W, B, activation)
    want_W, want_B = mlp.backward(X, T, W, B, activation)
    delta = 2 * (Y - T) / Y.size  # the right δ of the output layer
    for l in reversed(range(L)):
        above = delta
        if l < L - 1:
            delta = _layer_delta(case, activation, l, above)
        okW, okB = _close(DW[l], want_W[l]), _close(DB[l], want_B[l])
        if okW and okB:
            continue
        n = l + 1  # the notebook's names: Z1 = X W[0] + B[0], δ1 = dE/dZ1, ...
        where = f"layer {n} (W[{l}], B[{l}]) is the first layer, counted from the output, whose gradient is wrong"
        if okB:  # the delta is right; its product with the layer's input is not
            if l > 0 and _close(DW[l], Z[l - 1].T @ delta):
                return (f"DW[{l}]: {where}. DB[{l}] is right, so δ{n} is; DW[{l}] = A{l}ᵀ δ{n} takes the "
                        f"activation A{l}, not the pre-activation Z{l}")
            if DW[l].shape[0] == DW[l].shape[1] and _close(DW[l].T, want_W[l]):
                return f"DW[{l}] is transposed: use A_prev.T @ delta (shape fan_in × fan_out)"
            return (f"DW[{l}]: {where}. DB[{l}] is right, so δ{n} is; DW[{l}] = A{l}ᵀ δ{n} "
                    f"(A0 = X), a matrix product that sums over the batch")
        if okW:  # the delta is right, the bias sum is not
            if _close(DB[l], want_B[l] / len(X)):
                return (f"DB[{l}] is N times too small: sum δ over the batch, do not average it "
                        "(the 1/N is already in δ)")
            hint = _ratio_hint(f"DB[{l}]", DB[l], want_B[l], n_samples=len(X))
            return hint or f"DB[{l}]: {where}; DW[{l}] is right, so δ{n} is: DB[{l}] = δ{n} summed over the batch"
        if l == L - 1:  # what enters at the output: the output delta (2/N)(Y - T)
            hint = _ratio_hint(f"DW[{l}]", DW[l], want_W[l], n_samples=len(X))
            if hint:
                return hint + f" ({where}: the output δ{n} = (2/N)(Y - T) enters here)"
            return (f"DW[{l}]: {where}. What enters there is the output δ{n} = dE/dY, from E = mean of (Y - T)², "
                    f"shape (N, 1); then DW[{l}] = A{l}ᵀ δ{n} and DB[{l}] = δ{n} summed over the batch")
        for variant, message in _HIDDEN_MISTAKES[activation]:
            wrong = _layer_delta(case, activation, l, above, variant)
            if wrong is not None and _close(DB[l], wrong.sum(axis=0)) and _close(DW[l], A[l].T @ wrong):
                return f"{where}: " + message.format(n=n, a=n, up=n + 1)
        hint = _ratio_hint(f"DW[{l}]", DW[l], want_W[l], n_samples=len(X))
        if hint:
            return hint + f" ({where}, while the layers above it are right)"
        deriv = f"the ReLU mask (Z{n} > 0)" if activation == "relu" else f"tanh's derivative 1 - A{n}²"
        return (f"{where}. The layers above it are right, so what enters here is δ{n} = (δ{n + 1} W[{n}]ᵀ) ⊙ "
                f"{deriv}: check the transpose of W[{n}] and {deriv}")


def _uses_notebook_globals(cases, answer):
    """True if the ReLU network's answer on case 1 is what the notebook's data would give: the forward values
    (and maybe T) of case 0 with case 1's arguments elsewhere, or case 0's whole gradient."""
    X0, T0, W0, B0 = cases[0]
    X1, T1, W1, B1 = cases[1]
    DW, DB = answer
    full = mlp.backward(X0, T0, W0, B0)
    if all(_close(g, r) for g, r in zip(DW + DB, full[0] + full[1])):
        return True
    Y0, Z0, A0 = mlp.forward(X0, W0, B0)
    for T in (T0, T1):  # activations of the notebook's data, weights and maybe targets of the arguments
        delta = 2 * (Y0 - T) / Y0.size
        for l in reversed(range(len(W1))):
            if l < len(W1) - 1:
                delta = (delta @ W1[l + 1].T) * (Z0[l] > 0)
            if not _close(DW[l], A0[l].T @ delta):
                break
        else:
            return True
    return False


def _backward_judge(cases, answers):
    __tracebackhide__ = True
    name = "backward"
    if not isinstance(answers, list) or len(answers) != len(cases):
        _fail(f"{name}: expected {len(cases)} answers, got {describe(answers)}")
    results = []
    for case, answer in zip(cases, answers):
        DW, DB = _validated(name, answer, case)
        want_W, want_B = mlp.backward(*case)
        results.append(all(_close(g, r) for g, r in zip(DW + DB, want_W + want_B)))
        if not results[-1] and results[0] and len(results) == 2:
            if _uses_notebook_globals(cases, (DW, DB)):
                _fail(f"{name} is right on the notebook's data but returns the notebook's gradient on a second "
                      "network: it reads the notebook's globals (Z1, A1, Y, ...). backward must run its own "
                      "forward pass from its arguments X, W, B")
            _fail(f"{name} is right on the notebook's data but wrong on a second network with the same N: does it "
                  "use anything but its arguments X, T, W, B (a global like Z1 or A1)?")
        if not results[-1]:
            where = ("on the notebook's data" if len(results) == 1 else
                     f"on a network with N = {len(case[0])} (right on the notebook's data: "
                     "look for something that holds only for N = 100)")
            _fail(f"{_wrong_layer(case, DW, DB, 'relu')} ({where})")
    return ("DW and DB match the reference on the notebook's data and on two other networks "
            f"(N = {len(cases[1][0])} and N = {len(cases[2][0])})")


# fn(X, T, W, B) -> (DW, DB), the gradient of ((Y - T)**2).mean(), shaped like W and B.
check_backward = Exercise("check-backward", "backward", _backward_cases, _backward_collect, _backward_judge, seed=11)



def _tanh_cases(seed):
    cases = _backward_cases(seed)
    return cases[1:] + [mlp.random_network((3, 5, 4, 1), 9, seed=seed + 2)]


def _tanh_collect(fn, cases):
    __tracebackhide__ = True
    return _backward_collect(fn, cases, "backward_tanh")


def _tanh_judge(cases, answers):
    __tracebackhide__ = True
    if not isinstance(answers, list) or len(answers) != len(cases):
        _fail(f"backward_tanh: expected {len(cases)} answers, got {describe(answers)}")
    for case, answer in zip(cases, answers):
        DW, DB = _validated("backward_tanh", answer, case)
        want_W, want_B = mlp.backward(*case, "tanh")
        if not all(_close(g, r) for g, r in zip(DW + DB, want_W + want_B)):
            relu_W, relu_B = mlp.backward(*case)
            if all(_close(g, r) for g, r in zip(DW + DB, relu_W + relu_B)):
                _fail("backward_tanh returns the ReLU network's gradient: both the forward pass and the "
                      "derivative must use tanh")
            sizes = "-".join(str(w.shape[0]) for w in case[2]) + f"-{case[2][-1].shape[1]}"
            where = f" (on the {sizes} network, N = {len(case[0])})"
            _fail(_wrong_layer(case, DW, DB, "tanh") + where)
    return "the tanh network's DW and DB match the reference on three networks, one of another shape"


# fn(X, T, W, B) -> (DW, DB) for the network with tanh hidden units and a linear output.
check_backward_tanh = Exercise("check-backward-tanh", "backward_tanh", _tanh_cases, _tanh_collect, _tanh_judge, seed=5)



# ---------------------------------------------------------------- Exercise 2: the error in PyTorch

def _torch_cases(seed):
    return _backward_cases(seed)[::2]


def _torch_collect(fn, cases):
    """For each case: what fn returned (its type; for a tensor its shape, dtype, grad_fn and value) and every
    W[l].grad and B[l].grad after backward(), as plain data. The judge recomputes the value and the gradients
    from the case and grades them only: the rest names why they are wrong (no record proves autograd made them)."""
    __tracebackhide__ = True
    import torch

    answers = []
    for X, T, W, B in cases:
        Wt = [torch.nn.Parameter(torch.tensor(w)) for w in W]
        Bt = [torch.nn.Parameter(torch.tensor(b)) for b in B]
        err = _call(fn, "error_torch", torch.tensor(X), torch.tensor(T), Wt, Bt)
        record = {"type": type(err).__name__, "is_tensor": isinstance(err, torch.Tensor)}
        if record["is_tensor"]:
            record.update(shape=list(err.shape), dtype=str(err.dtype).replace("torch.", ""),
                          has_grad_fn=err.grad_fn is not None,
                          value=float(err.detach().reshape(-1)[0]) if err.numel() >= 1 else None)
            if err.numel() == 1 and err.grad_fn is not None:
                try:
                    err.backward()
                except RuntimeError as exc:
                    _fail(f"error_torch's result cannot be differentiated: {exc}")
                record["grad_W"] = [recorded(w.grad) for w in Wt]
                record["grad_B"] = [recorded(b.grad) for b in Bt]
        answers.append(record)
    return answers


def _real(value, shape):
    """Whether a recorded value is a float numpy array of `shape`, as collect records tensors (checked before
    any arithmetic on it: a record may hold strings, booleans or arrays of any size)."""
    return isinstance(value, np.ndarray) and value.dtype.kind == "f" and value.shape == tuple(shape)


def _said(record, key):
    """A fact the sandbox reported, safe to compare and to show: a string, number, boolean or None as it is,
    anything else as "<its type>" (an array's truth value or == would raise)."""
    value = record.get(key)
    return value if value is None or isinstance(value, (str, bool, int, float)) else f"<{type(value).__name__}>"


def _torch_problems(case, a):
    """What is wrong in one case's record, in the order a student should hear it, as (message, hint) pairs.

    A hint (hint True) comes from a fact the sandbox reports about the returned object (is_tensor, shape,
    has_grad_fn, dtype): the sandbox may say anything, so a hint only names why values are wrong. The other
    problems are values the judge recomputes from the case; the first one ends the list."""
    X, T, W, B = case
    if _said(a, "is_tensor") is not True:
        yield (f"error_torch must return a torch tensor; got {_said(a, 'type')} (numpy values and Python floats "
               "cannot be differentiated by autograd)"), True
    shape = a.get("shape")
    shape = shape if isinstance(shape, list) and len(shape) <= 8 and all(type(n) is int for n in shape) else []
    if math.prod(shape) != 1 or a.get("shape") is None:
        yield f"error_torch must return a single number; got a tensor of shape {tuple(shape)}: take .mean()", True
    if _said(a, "has_grad_fn") is not True:
        yield ("the error is not connected to the parameters (grad_fn is None): build it from W and B with torch "
               "operations, without .detach(), .item() or .numpy()"), True
    if _said(a, "dtype") != "float64":
        yield (f"the error is computed in {_said(a, 'dtype')}: keep the tensors' float64 (no .float()), so that it "
               "matches numpy to round-off"), True
    try:
        got, malformed = number("error_torch", a.get("value")), None
    except CheckFailed as failed:
        malformed = str(failed)
    if malformed:  # yielded outside the except: the student's CheckFailed would show this one as its context
        yield malformed, False
        return
    Y = mlp.forward(X, W, B)[0]
    want = mlp.mse(Y, T)
    if not np.isclose(got, want, rtol=1e-9):
        mistakes = [
            (want * len(X), "the error is N times too large: use .mean(), not .sum()"),
            (want / 2, "the error is half the right value: the sheet's error is the plain mean of (Y - T)², "
                       "without a ½"),
            (mlp.mse(np.maximum(Y, 0), T), "there is a ReLU on the output layer: the last layer is linear"),
            (mlp.mse(_linear_network(X, W, B), T), "the ReLUs of the hidden layers are missing"),
            (mlp.mse(mlp.forward(X, W, [np.zeros_like(b) for b in B])[0], T),
             "the biases B are missing: Z = A @ W[l] + B[l]"),
            (float(np.mean(Y - T)), "the square is missing: ((Y - T) ** 2).mean()"),
            (float(np.mean(np.abs(Y - T))), "that is the mean absolute error: the sheet's error is the mean of the "
                                            "squares"),
        ]
        named = [message for value, message in mistakes if np.isclose(got, value, rtol=1e-9)]
        yield (named[0] if named else f"the error is {got:.6g}, expected {want:.6g}: check the ReLUs (none on the "
               "output layer), the biases and the square"), False
        return
    want_W, want_B = mlp.backward(X, T, W, B)
    for label, wants in (("W", want_W), ("B", want_B)):  # a detached W or B: its .grad is None
        grads = a.get(f"grad_{label}")
        for l, want_l in enumerate(wants):
            grad = grads[l] if isinstance(grads, list) and len(grads) == len(wants) else None
            if not _real(grad, want_l.shape) or not _close(grad, want_l, 1e-9):
                yield (f"the error has the right value but autograd's gradient {label}[{l}].grad is wrong (or "
                       f"missing): is part of the computation detached from {label}?"), False
                return


def _first_problem(problems):
    """The message to give for a record, or None if it passes: a record passes when none of its values is wrong,
    whatever its hints say; when one is, the first message (maybe a hint's) names why."""
    found = list(problems)
    return found[0][0] if found and not found[-1][1] else None


def _torch_judge(cases, answers):
    __tracebackhide__ = True
    if not isinstance(answers, list) or len(answers) != len(cases) or not all(isinstance(a, dict) for a in answers):
        _fail(f"error_torch: expected {len(cases)} records, got {describe(answers)}")
    for case, a in zip(cases, answers):
        problem = _first_problem(_torch_problems(case, a))
        if problem:
            _fail(problem)
    return ("the error's value, and the gradients recorded as W[l].grad and B[l].grad after its backward(), equal "
            f"numpy's error and backprop gradients to 1e-9, every layer, on {len(cases)} networks")


def _linear_network(X, W, B):
    A = X
    for w, b in zip(W, B):
        A = A @ w + b
    return A


# fn(X, T, W, B) with torch tensors/Parameters -> the scalar error tensor, differentiable by autograd.
check_error_torch = Exercise("check-autograd", "error_torch", _torch_cases, _torch_collect, _torch_judge, seed=11)



# ---------------------------------------------------------------- Exercise 3: nn.Sequential

def _sequential_cases(seed):
    X, _ = data.getdata()
    W, B = data.getparams()
    X2, _, W2, B2 = mlp.random_network(SIZES, 5, seed=seed)
    return [(W, B, X), (W2, B2, X2)]


def _sequential_collect(fn, cases):
    """For each case: the returned object's type, its layers (type, and for nn.Linear its weight, bias and
    dtype as numpy), and its output on X (or the error it raised), as plain data. The judge runs those layers
    itself, on X and on inputs only it sees; the type and dtypes only name why they are wrong."""
    __tracebackhide__ = True
    import torch

    answers = []
    for W, B, X in cases:
        net = _call(fn, "build_sequential", [w.copy() for w in W], [b.copy() for b in B])
        record = {"type": type(net).__name__, "is_sequential": isinstance(net, torch.nn.Sequential), "layers": []}
        if record["is_sequential"]:
            for m in net:
                layer = {"type": type(m).__name__}
                if isinstance(m, torch.nn.Linear):
                    layer.update(weight=recorded(m.weight), bias=recorded(m.bias),  # recorded(None) is None
                                 dtype=str(m.weight.dtype).replace("torch.", ""))
                record["layers"].append(layer)
            try:
                with torch.no_grad():
                    record["output"] = recorded(net(torch.tensor(X)))
            except Exception as exc:  # a float32 layer on float64 input, a wrong shape, ...
                record["output"] = f"<{type(exc).__name__}: {exc}>"
        answers.append(record)
    return answers


MAX_LAYERS = 64   # a record with more layers is refused before anything is computed on it
FRESH_ROWS = 32   # inputs the judge draws for itself


def _fresh_input(X):
    """FRESH_ROWS inputs like X's rows, (FRESH_ROWS, X.shape[1]), drawn anew at every judging from the operating
    system's entropy, so the sandbox never sees them: normal noise of both signs at the scale of X's columns (a
    ReLU misplaced where it does nothing on X acts here)."""
    return np.random.default_rng().standard_normal((FRESH_ROWS, X.shape[1])) * (np.abs(X).max(axis=0) + 1)


def _run_layers(layers, X):
    """The network of recorded `layers` (dicts of type "Linear", with weight (out, in) and bias (out,), or
    "ReLU"; validated) applied to X, (N, in) -> (N, out), in float64 numpy."""
    A = X
    for layer in layers:
        A = A @ layer["weight"].T + layer["bias"] if layer["type"] == "Linear" else np.maximum(A, 0)
    return A


def _sequential_problems(case, a):
    """What is wrong in one case's record, in the order a student should hear it, as (message, hint) pairs (see
    _torch_problems). Facts the judge can re-run are checked: the layers' types in order, each nn.Linear's weight
    and bias, the judge's own run of those layers on X and on a fresh input, and that the recorded output on X is
    that run's. is_sequential and each layer's dtype are hints."""
    W, B, X = case
    layers = a.get("layers") if isinstance(a.get("layers"), list) else []
    if _said(a, "is_sequential") is not True:
        yield f"build_sequential must return a torch.nn.Sequential; got {_said(a, 'type')}", True
    if len(layers) > MAX_LAYERS:
        yield (f"the network has {len(layers)} layers; the judge reads at most {MAX_LAYERS}, and this one needs "
               f"{2 * len(W) - 1} (nn.Linear and nn.ReLU, alternating)"), False
        return
    types = [_said(layer, "type") if isinstance(layer, dict) else None for layer in layers]
    linears = [layer for layer, t in zip(layers, types) if t == "Linear"]
    if len(linears) != len(W):
        yield f"the network needs {len(W)} nn.Linear layers; got {len(linears)}", False
        return
    if types[0] != "Linear":
        yield (f"the network starts with {types[0]}: it must start with nn.Linear (the ReLUs come after the "
               "layers)"), False
        return
    if types[-1] != "Linear":
        yield f"the network ends with {types[-1]}: the output layer is linear, no ReLU after it", False
        return
    if types.count("ReLU") != len(W) - 1:
        yield f"the network needs a ReLU after each hidden layer ({len(W) - 1}); got {types.count('ReLU')}", False
        return
    for l, (lin, w) in enumerate(zip(linears, W)):
        weight = lin.get("weight")
        if not _real(weight, w.T.shape):
            got = (weight if weight is None or isinstance(weight, str) else describe(weight)
                   if not isinstance(weight, np.ndarray) else weight.shape if weight.shape != w.T.shape else
                   f"an array of dtype {weight.dtype}")
            yield (f"layer {l}: nn.Linear({w.shape[0]}, {w.shape[1]}) stores its weight as (out, in) = {w.T.shape}; "
                   f"got {got}"), False
            return
        if _said(lin, "dtype") != "float64":
            yield (f"layer {l}: use float64 (nn.Linear(...).double()) so the results match numpy; "
                   f"got {_said(lin, 'dtype')}"), True
        if w.shape[0] == w.shape[1] and not np.allclose(w, w.T) and _close(weight, w):
            yield f"layer {l}: load w.T, not w: nn.Linear computes x @ weight.T", False
            return
        reshaped = w.reshape(w.T.shape)
        if not np.array_equal(reshaped, w.T) and _close(weight, reshaped):
            yield (f"layer {l}: w was reshaped, not transposed: reshape keeps numpy's order of the entries; "
                   "load w.T"), False
            return
    for l, (lin, w, b) in enumerate(zip(linears, W, B)):
        if not _close(lin["weight"], w.T, 1e-9):
            yield (f"layer {l}: the weight is not w.T (nn.Linear's random initial values are still there?): "
                   "copy it in with layer.weight.copy_(torch.tensor(w.T)) under torch.no_grad()"), False
            return
        if not _real(lin.get("bias"), b.shape) or not _close(lin["bias"], b, 1e-9):
            yield f"layer {l}: the bias is not b: copy it in with layer.bias.copy_(torch.tensor(b))", False
            return
    out, want = a.get("output"), mlp.forward(X, W, B)[0]
    if not _real(out, want.shape):
        shown = (out if isinstance(out, str) else describe(out) if not isinstance(out, np.ndarray) else
                 f"an output of shape {out.shape}, expected {want.shape}" if out.shape != want.shape else
                 f"an output of dtype {out.dtype}")
        yield f"the network cannot be applied to X of shape {X.shape}: {shown}", False
        return
    other = next((k for k, t in enumerate(types) if t not in ("Linear", "ReLU")), None)
    if other is not None:
        yield (f"layer {other} of the network is {types[other]}: build it of nn.Linear and nn.ReLU only (the judge "
               "runs those two to check it)"), False
        return
    own = _run_layers(layers, X)
    if not _close(out, own, 1e-9):
        yield (f"the output recorded on X is not what the recorded layers compute (largest difference "
               f"{np.max(np.abs(out - own)):.3g}): the record does not describe one network"), False
        return
    if not _close(own, want, 1e-9):
        yield (f"the network's output differs from numpy's (largest difference {np.max(np.abs(out - want)):.3g}): "
               "check the order of the layers"), False
        return
    fresh = _fresh_input(X)
    if not _close(_run_layers(layers, fresh), mlp.forward(fresh, W, B)[0], 1e-9):
        yield ("the network gives numpy's output on X but not on other inputs: check the order of the layers "
               "(a ReLU after each hidden nn.Linear)"), False


def _sequential_judge(cases, answers):
    __tracebackhide__ = True
    if not isinstance(answers, list) or len(answers) != len(cases) or not all(isinstance(a, dict) for a in answers):
        _fail(f"build_sequential: expected {len(cases)} records, got {describe(answers)}")
    for case, a in zip(cases, answers):
        problem = _first_problem(_sequential_problems(case, a))
        if problem:
            _fail(problem)
    return (f"the recorded layers (nn.Linear with weight w.T and bias b, a ReLU after each hidden one) compute the "
            f"numpy network on X and on {FRESH_ROWS} inputs the judge drew, and the network's recorded output on X "
            "is theirs; its first weight's gradient will be in net[0].weight.grad, shaped (6, 4) = DW[0].T")


# fn(W, B) -> torch.nn.Sequential of Linear and ReLU layers computing the same network.
check_sequential = Exercise("check-sequential",
                            "build_sequential", _sequential_cases, _sequential_collect, _sequential_judge, seed=13)
