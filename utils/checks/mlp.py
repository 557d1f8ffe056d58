"""Checks of notebook 04 (backprop vs autograd), on the Exercise protocol (see _core).

The backward-pass check (Exercise 1) looks for the first layer, counted from the output, whose
gradient is wrong. Every layer above it is right, so the delta that arrives there is right, and the
mistake lies in what enters at that layer: the output delta (its 2/N and sign), the transpose of the
weight matrix of the layer above, or the ReLU mask. Its messages number the layers as the notebook's code
does, from 0 (W[l], B[l], Z[l], δ[l]), and name the mistake, not the right expression.
"""
import numpy as np

from .. import data, mlp
from ._answers import array, describe, recorded
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
    notebook's globals Z1, A1, ... gets its values there, not from its arguments); one with N = 7; a 3-5-4-1
    network with N = 9 (a pass written for four layers fails there, and the message says so)."""
    X, T = data.getdata()
    W, B = data.getparams()
    return [(X, T, W, B), mlp.random_network(SIZES, len(X), seed=seed), mlp.random_network(SIZES, 7, seed=seed + 1),
            mlp.random_network((3, 5, 4, 1), 9, seed=seed + 2)]


def _backward_collect(fn, cases, name="backward"):
    """The student's (DW, DB) per case as plain data; an exception is recorded as {"failed": message}, so
    that the judge sees the cases in order (a pass that fails only for N = 7 is judged on N = 100 first)."""
    __tracebackhide__ = True
    if not callable(fn):
        _fail(f"{name} must be a function; got {type(fn).__name__}")
    answers = []
    for k, case in enumerate(cases):
        try:
            answers.append(recorded(_call(fn, name, *_copies(case), case=_network_name(cases, k))))
        except CheckFailed as failed:
            answers.append({"failed": str(failed)})
    return answers


def _network_name(cases, k):
    """Which network case k is, for messages: "the notebook's data" or "the 3-5-4-1 network (N = 7)"."""
    X, T, W, B = cases[k]
    if k == 0:
        return "the notebook's data"
    sizes = "-".join(str(w.shape[0]) for w in W) + f"-{W[-1].shape[1]}"
    return f"the {sizes} network with N = {len(X)}"


def _layer_delta(case, l, delta_above, variant="right"):
    """dE/dZ[l] of hidden layer l from the right delta of layer l + 1, or a named wrong variant
    (None where the variant cannot even be computed: an untransposed non-square W). The mask of the layer above
    is that of the output, (N, 1), at the top hidden layer: it broadcasts, as in the student's code."""
    X, T, W, B = case
    _, Z, A = mlp.forward(X, W, B)
    w = W[l + 1]
    if variant == "W not transposed":
        if w.shape[0] != w.shape[1]:
            return None
        back = delta_above @ w
    else:
        back = delta_above @ w.T
    def right():
        return Z[l] > 0  # a mask: back * True is back

    factor = {
        "right": right,
        "W not transposed": right,
        "no derivative": lambda: 1.0,
        "times Z": lambda: Z[l],
        "times A": lambda: A[l + 1],
        "mask of the layer above": lambda: Z[l + 1] > 0,
        "tanh derivative": lambda: 1 - A[l + 1] ** 2,
    }[variant]()
    return back * factor


# what a wrong delta at hidden layer l looks like, and what to say. Layers are numbered as in the notebook's code,
# from 0: layer l has W[l], B[l], its input A[l] (A[0] = X), Z[l] = A[l] W[l] + B[l] and δ[l] = dE/dZ[l]. The messages
# name the mistake, not the right expression.
_HIDDEN_MISTAKES = [
    ("no derivative", "δ[{l}] has no ReLU derivative in it: the gradient comes back through the ReLU of layer {l} "
                      "unchanged, even where that unit was off"),
    ("W not transposed", "on the way back through W[{a}] the matrix is not transposed (W[{a}] is square, so the shapes "
                         "did not complain)"),
    ("times Z", "δ[{l}] is multiplied by Z[{l}] itself: the ReLU's derivative takes only the values 0 and 1"),
    ("times A", "δ[{l}] is multiplied by the activation A[{a}] = max(0, Z[{l}]): the ReLU's derivative takes only the "
                "values 0 and 1"),
    ("mask of the layer above", "δ[{l}] is masked with the units of layer {a} (Z[{a}] > 0): the ReLU it comes back "
                                "through is layer {l}'s"),
    ("tanh derivative", "δ[{l}] is multiplied by 1 - A[{a}]², the derivative of tanh: this network's hidden units are "
                        "ReLUs"),
]


def _output_relu_variants(case):
    """δ of the output layer for the output treated as a ReLU: Y = max(0, Z[L-1]) without and with a mask in δ (the
    output layer is linear: no ReLU, no mask). A linear Y with a mask is the second: max(0, z) = z where z > 0."""
    X, T, W, B = case
    _, Z, _ = mlp.forward(X, W, B)
    z, n = Z[-1], len(X)
    return [2 * (np.maximum(z, 0) - T) / n, 2 * (np.maximum(z, 0) - T) / n * (z > 0)]


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
                _fail(f"DW[{l}] has shape {g.shape}, expected {r.shape}: it is transposed (a gradient has the shape of "
                      "what it differentiates)")
            arrays.append(array(f"{label}[{l}]", g, [r.shape]))
        out.append(arrays)
    return out


def _wrong_layer(case, DW, DB):
    """What is wrong in a wrong (DW, DB) for one case, found from the output down at the first wrong layer.
    A message, not a CheckFailed: the caller adds where, and a caught-and-re-raised CheckFailed would show the
    student this message twice (IPython prints the exception it was raised during)."""
    X, T, W, B = case
    L = len(W)
    Y, Z, A = mlp.forward(X, W, B)
    want_W, want_B = mlp.backward(X, T, W, B)
    delta = 2 * (Y - T) / Y.size  # the right δ of the output layer
    for l in reversed(range(L)):
        above = delta
        if l < L - 1:
            delta = _layer_delta(case, l, above)
        okW, okB = _close(DW[l], want_W[l]), _close(DB[l], want_B[l])
        if okW and okB:
            continue
        out = l == L - 1
        where = (f"layer {l} (W[{l}], B[{l}]{', the output layer' if out else ''}) is the first layer, counted from "
                 "the output, whose gradient is wrong")
        if okB:  # the delta is right; its product with the layer's input is not
            if l > 0 and _close(DW[l], Z[l - 1].T @ delta):
                return (f"DW[{l}]: {where}. DB[{l}] is right, so δ[{l}] is; DW[{l}] takes the pre-activation "
                        f"Z[{l - 1}] where the layer's input is the activation A[{l}]")
            if DW[l].shape[0] == DW[l].shape[1] and _close(DW[l].T, want_W[l]):
                return (f"DW[{l}] is transposed: a gradient has the shape of what it differentiates, W[{l}]'s "
                        "(fan_in, fan_out)")
            return (f"DW[{l}]: {where}. DB[{l}] is right, so δ[{l}] is: what is wrong is its product with the "
                    f"layer's input A[{l}] (A[0] = X), a product that sums over the batch (Hint 2)")
        if okW:  # the delta is right, the bias sum is not
            if _close(DB[l], want_B[l] / len(X)):
                return (f"DB[{l}] is N times too small while DW[{l}] is right: on the way to DB[{l}] your code "
                        f"divides by N once more than on the way to DW[{l}]")
            hint = _ratio_hint(f"DB[{l}]", DB[l], want_B[l], n_samples=len(X))
            return hint or (f"DB[{l}]: {where}; DW[{l}] is right, so δ[{l}] is: what is wrong is how DB[{l}] is "
                            "formed from it (Hint 2: what does a bias contribute to each sample's Z?)")
        if out:  # what enters at the output: the output delta dE/dY of the mean squared error
            for wrong in _output_relu_variants(case):
                if _close(DW[l], A[l].T @ wrong) and _close(DB[l], wrong.sum(axis=0)):
                    return (f"{where}: your output goes through a ReLU (or its δ through a mask), but the output "
                            f"layer is linear, Y = Z[{l}]: the ReLUs belong to the hidden layers only")
            hint = _ratio_hint(f"DW[{l}]", DW[l], want_W[l], n_samples=len(X))
            if hint:
                return hint + f" ({where}: what enters there is the output δ, dE/dY)"
            return (f"DW[{l}]: {where}. What enters there is the output δ = dE/dY of E = mean of (Y - T)², shape "
                    f"(N, 1) (Hint 1); the output layer is linear, Y = Z[{l}]")
        for variant, message in _HIDDEN_MISTAKES:
            wrong = _layer_delta(case, l, above, variant)
            if wrong is not None and _close(DB[l], wrong.sum(axis=0)) and _close(DW[l], A[l].T @ wrong):
                return f"{where}: " + message.format(l=l, a=l + 1)
        hint = _ratio_hint(f"DW[{l}]", DW[l], want_W[l], n_samples=len(X))
        if hint:
            return hint + f" ({where}, while the layers above it are right)"
        return (f"{where}. The layers above it are right, so δ[{l + 1}] is: check the two steps from δ[{l + 1}] to "
                f"δ[{l}], back through W[{l + 1}] and back through the ReLU of layer {l}")


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
    four = "; right on the 4-6-6-6-1 networks: does your code assume four layers? Loop over len(W)"
    for case, answer in zip(cases, answers):
        failed = answer.get("failed") if isinstance(answer, dict) else None
        if isinstance(failed, str) and len(results) == 3 and all(results) and failed.endswith(")"):
            _fail(failed[:-1] + four + ")")  # an IndexError or a shape error on the 3-5-4-1 network
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
                     "look for something that holds only for N = 100)" if len(results) == 3 else
                     f"on {_network_name(cases, len(results) - 1)}" + four)
            _fail(f"{_wrong_layer(case, DW, DB)} ({where})")
    return ("DW and DB match the reference on the notebook's data and on three other networks "
            f"(N = {len(cases[1][0])}, N = {len(cases[2][0])}, and a {_network_name(cases, 3)[4:]})")


# fn(X, T, W, B) -> (DW, DB), the gradient of ((Y - T)**2).mean(), shaped like W and B.
check_backward = Exercise("check-backward", "backward", _backward_cases, _backward_collect, _backward_judge, seed=11)






# ---------------------------------------------------------------- records reported by the sandbox

def _real(value, shape):
    """Whether a recorded value is a float numpy array of `shape`, as collect records tensors (checked before
    any arithmetic on it: a record may hold strings, booleans or arrays of any size)."""
    return isinstance(value, np.ndarray) and value.dtype.kind == "f" and value.shape == tuple(shape)


def _said(record, key):
    """A fact the sandbox reported, safe to compare and to show: a string, number, boolean or None as it is,
    anything else as "<its type>" (an array's truth value or == would raise)."""
    value = record.get(key)
    return value if value is None or isinstance(value, (str, bool, int, float)) else f"<{type(value).__name__}>"


def _first_problem(problems):
    """The message to give for a record, or None if it passes: a record passes when none of its values is wrong,
    whatever its hints say; when one is, the first message (maybe a hint's) names why."""
    found = list(problems)
    return found[0][0] if found and not found[-1][1] else None





# ---------------------------------------------------------------- Exercise 3: nn.Sequential

def _sequential_cases(seed):
    """(W, B, X): the notebook's network, a second 4-6-6-6-1 network, and a 3-5-4-1 network (a network built
    for the notebook's sizes, or for four layers, fails there and is told so)."""
    X, _ = data.getdata()
    W, B = data.getparams()
    X2, _, W2, B2 = mlp.random_network(SIZES, 5, seed=seed)
    X3, _, W3, B3 = mlp.random_network((3, 5, 4, 1), 5, seed=seed + 1)
    return [(W, B, X), (W2, B2, X2), (W3, B3, X3)]


def _sequential_name(case, k):
    """Which network case k is, for messages."""
    W = case[0]
    sizes = "-".join(str(w.shape[0]) for w in W) + f"-{W[-1].shape[1]}"
    return "the notebook's network" if k == 0 else f"a second {sizes} network" if sizes == "4-6-6-6-1" else \
        f"a {sizes} network"


def _sequential_collect(fn, cases):
    """For each case: the returned object's type, its layers (type, and for nn.Linear its weight, bias and
    dtype as numpy), and its output on X (or the error it raised), as plain data. The judge runs those layers
    itself, on X and on inputs only it sees; the type and dtypes only name why they are wrong."""
    __tracebackhide__ = True
    import torch

    answers = []
    for k, (W, B, X) in enumerate(cases):
        try:  # recorded, so that the judge can say the other networks were right (a network of fixed sizes)
            net = _call(fn, "build_sequential", [w.copy() for w in W], [b.copy() for b in B],
                        case=_sequential_name(cases[k], k))
        except CheckFailed as failed:
            answers.append({"failed": str(failed)})
            continue
        record = {"type": type(net).__name__, "is_sequential": isinstance(net, torch.nn.Sequential), "layers": []}
        if record["is_sequential"]:
            for m in net:
                layer = {"type": type(m).__name__}
                if isinstance(m, torch.nn.Linear):
                    layer.update(weight=recorded(m.weight), bias=recorded(m.bias),  # recorded(None) is None
                                 dtype=str(getattr(m.weight, "dtype", None)).replace("torch.", ""))
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
        yield (f"layer {other} of the network is {types[other]}: build it of nn.Linear and nn.ReLU only (the check "
               "runs those two)"), False
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
    for k, (case, a) in enumerate(zip(cases, answers)):
        # the networks come in order: a failure on the 3-5-4-1 one comes after the 4-6-6-6-1 ones were right
        other = [w.shape for w in case[0]] != [w.shape for w in cases[0][0]]
        hint = ("; right on the 4-6-6-6-1 networks: are the layers' sizes, or their number, fixed in your code? "
                "Take each nn.Linear's sizes from w.shape, in a loop over len(W)") if other else ""
        where = f" (on {_sequential_name(case, k)}{hint})"
        failed = a.get("failed")
        if isinstance(failed, str):  # build_sequential raised: _call's message ends with the network's name
            _fail(failed[:-1] + hint + ")" if hint and failed.endswith(")") else failed)
        problem = _first_problem(_sequential_problems(case, a))
        if problem:
            _fail(problem + where)
    names = [_sequential_name(case, k) for k, case in enumerate(cases)]
    names = ", ".join(names[:-1]) + " and " + names[-1]
    return (f"your network's layers (nn.Linear with weight w.T and bias b, a ReLU after each hidden one) give numpy's "
            f"output on X and on {FRESH_ROWS} random inputs, and so does your nn.Sequential on X, for {names}; its "
            "first weight's gradient will be in net[0].weight.grad, shaped (6, 4) = DW[0].T")


# fn(W, B) -> torch.nn.Sequential of Linear and ReLU layers computing the same network.
check_sequential = Exercise("check-sequential",
                            "build_sequential", _sequential_cases, _sequential_collect, _sequential_judge, seed=13)


# ---------------------------------------------------------------- Exercise 5: mini-batch SGD with zero_grad

def _sgd_cases(seed):
    """(W, B, X, T, eta, batch_size, steps): the notebook's network on its first 60 samples, and a 3-5-4-1 network;
    more steps than batches, so that the batches come round again."""
    X, T = data.getdata()
    W, B = data.getparams()
    X2, T2, W2, B2 = mlp.random_network((3, 5, 4, 1), 12, seed=seed)
    return [{"W": W, "B": B, "X": X[:60], "T": T[:60], "eta": 0.05, "batch_size": 20, "steps": 7,
             "name": "the notebook's network (N = 60, batches of 20)"},
            {"W": W2, "B": B2, "X": X2, "T": T2, "eta": 0.1, "batch_size": 4, "steps": 5,
             "name": "the 3-5-4-1 network (N = 12, batches of 4)"}]


def _sgd_collect(fn, cases):
    """For each case: the losses fn returned and the weights and biases of its nn.Sequential afterwards (numpy
    orientation), as plain data. The judge replays the run itself."""
    __tracebackhide__ = True
    import torch

    answers = []
    for case in cases:
        layers = []
        for l, (w, b) in enumerate(zip(case["W"], case["B"])):
            linear = torch.nn.Linear(*w.shape).double()
            with torch.no_grad():
                linear.weight.copy_(torch.tensor(w.T))
                linear.bias.copy_(torch.tensor(b))
            layers += [linear] + ([torch.nn.ReLU()] if l < len(case["W"]) - 1 else [])
        net = torch.nn.Sequential(*layers)
        losses = _call(fn, "sgd", net, torch.tensor(case["X"]), torch.tensor(case["T"]), case["eta"],
                       case["batch_size"], case["steps"], case=case["name"])
        linears = [m for m in net if isinstance(m, torch.nn.Linear)]
        answers.append({"losses": recorded(losses), "W": [recorded(m.weight.T) for m in linears],
                        "B": [recorded(m.bias) for m in linears]})
    return answers


def _sgd_start(mistake, k, b, N):
    """The first row of step k's batch: (k·b) mod N, or where a named mistake starts it."""
    return {"same batch": 0, "offset": ((k + 1) * b) % N, "batch number": k % (N // b)}.get(mistake, (k * b) % N)


def _sgd_replay(case, mistake=None):
    """(losses, W, B) of the loop the exercise asks for, in numpy, or of a named mistake: "no zero_grad" (.grad
    accumulates), "zero_grad before step" (nothing moves), "full batch", "same batch" (the batch never advances),
    "offset" (step k takes batch k + 1), "batch number" (the batch starts at row k mod N/b), "sum" (the squared
    errors summed, not averaged: loss and gradient b times the mean's), "weights only" (the biases never move),
    "loss after update" (each loss recorded after its step)."""
    W, B, X, T = list(case["W"]), list(case["B"]), case["X"], case["T"]
    eta, b, steps = case["eta"], case["batch_size"], case["steps"]
    GW, GB = [np.zeros_like(w) for w in W], [np.zeros_like(x) for x in B]
    scale = b if mistake == "sum" else 1
    losses = []
    for k in range(steps):
        i = _sgd_start(mistake, k, b, len(X))
        Xb, Tb = (X, T) if mistake == "full batch" else (X[i:i + b], T[i:i + b])
        if mistake != "loss after update":
            losses.append(scale * mlp.mse(mlp.forward(Xb, W, B)[0], Tb))
        DW, DB = mlp.backward(Xb, Tb, W, B)
        DW, DB = [scale * d for d in DW], [scale * d for d in DB]
        if mistake == "no zero_grad":
            GW, GB = [g + d for g, d in zip(GW, DW)], [g + d for g, d in zip(GB, DB)]
        else:
            GW, GB = DW, DB
        if mistake != "zero_grad before step":
            W = [w - eta * g for w, g in zip(W, GW)]
            if mistake != "weights only":
                B = [x - eta * g for x, g in zip(B, GB)]
        if mistake == "loss after update":
            losses.append(mlp.mse(mlp.forward(Xb, W, B)[0], Tb))
    return losses, W, B


def _sgd_traced_starts(case, got_L):
    """The first row of the batch each step used, read off its loss: at each step the judge tries the batch the
    exercise asks for, then every batch of consecutive rows (those starting near the end are short, as X[i:i + b]
    is), and steps on with the one whose loss is the student's. None if at some step no batch gives it."""
    W, B, X, T = list(case["W"]), list(case["B"]), case["X"], case["T"]
    eta, b, N = case["eta"], case["batch_size"], len(case["X"])
    starts = []
    for k, loss in enumerate(got_L):
        for r in [(k * b) % N] + [r for r in range(N) if r != (k * b) % N]:
            if _close(np.array([mlp.mse(mlp.forward(X[r:r + b], W, B)[0], T[r:r + b])]), np.array([loss]), 1e-9):
                break
        else:
            return None
        starts.append(r)
        DW, DB = mlp.backward(X[r:r + b], T[r:r + b], W, B)
        W, B = [w - eta * g for w, g in zip(W, DW)], [x - eta * g for x, g in zip(B, DB)]
    return starts


_SGD_MISTAKES = [
    ("no zero_grad", "the gradients accumulate: .grad adds up over the steps, so from the second step on each update "
                     "uses the sum of all gradients so far. Zero them (net.zero_grad()) before each backward()"),
    ("zero_grad before step", "the parameters never moved: the gradients are zeroed between backward() and the "
                              "update, so every step subtracts zero. Zero them before backward(), not after it"),
    ("full batch", "every step uses all N samples: take the next batch_size rows each step, X[i:i + batch_size] "
                   "with i = (k * batch_size) % N"),
    ("same batch", "every step uses the first batch: the batch must advance, i = (k * batch_size) % N at step k"),
    ("offset", "step 0 used the second batch (the rows from batch_size on): k counts from 0, so step 0 takes the "
               "first batch, rows 0 to batch_size - 1, and step k the rows from (k * batch_size) % N"),
    ("batch number", "the batches start at rows 0, 1, 2, ...: k mod (N / batch_size) is the number of a batch, not "
                     "its first row; X[i:i + batch_size] needs the row where step k's batch starts"),
    ("sum", "every loss is exactly batch_size = {b} times the batch's mean squared error: the loss sums the squared "
            "errors of the batch; the exercise's loss is their mean (and so is the gradient it steps with)"),
    ("weights only", "the biases never moved: the update must change every parameter of net.parameters(), the "
                     "biases as well as the weights"),
    ("loss after update", "each loss is the batch's loss after that step's update: record the loss whose "
                          "backward() gave the step's gradient, computed before the update"),
]


def _sgd_judge(cases, answers):
    __tracebackhide__ = True
    if not isinstance(answers, list) or len(answers) != len(cases) or not all(isinstance(a, dict) for a in answers):
        _fail(f"sgd: expected {len(cases)} records, got {describe(answers)}")
    for case, a in zip(cases, answers):
        where = f" (on {case['name']})"
        steps, b, N = case["steps"], case["batch_size"], len(case["X"])
        losses = a.get("losses")
        if not isinstance(losses, list) or len(losses) != steps:
            _fail(f"sgd must return the list of the {steps} batch losses, one per step; got {_what(losses)}" + where)
        k = next((k for k, x in enumerate(losses) if isinstance(x, np.ndarray)), None)
        if k is not None:  # recorded from a tensor (or an array): numpy.mean over the list fails on a tensor with grad
            _fail(f"the loss of step {k} is a tensor, not a Python float: return loss.item() for each step (a tensor "
                  "keeps its graph alive, and numpy.mean in the cell below cannot read one that requires grad)" + where)
        k = next((k for k, x in enumerate(losses) if not isinstance(x, float)), None)
        if k is not None:  # recorded() made every int, float and numpy number a float: this is None, a bool, ...
            _fail(f"the loss of step {k} is {_what(losses[k])}, not a number: append loss.item() at each step, the "
                  "batch's loss as a Python float (backward() and the update return None)" + where)
        if not np.all(np.isfinite(losses)):
            k = int(np.flatnonzero(~np.isfinite(losses))[0])
            try:  # the ascent's replay can overflow before step k (a smaller step uphill): then it is not this run
                with np.errstate(over="ignore", invalid="ignore"):
                    ascent = _sgd_replay({**case, "eta": -case["eta"], "steps": k})[0] if k else None
            except ValueError:
                ascent = None
            if ascent is not None and _close(np.array(losses[:k]), np.array(ascent), 1e-9):
                _fail(f"the update has the wrong sign: the loss grew to {losses[k]} by step {k}; step against the "
                      "gradient, p -= eta * p.grad" + where)
            if np.isnan(losses[k]) and k * b >= N:  # a mean over no rows is nan, and nothing moves
                _fail(f"the loss is nan at step {k}: its batch is empty. Without % N, step {k} starts at row "
                      f"{k} * {b} = {k * b}, past the last row (N = {N}); the batches must come round again, "
                      "i = (k * batch_size) % N" + where)
            if np.isnan(losses[k]):
                _fail(f"the loss is nan at step {k}: the mean over an empty batch is nan. Are the rows of step {k}'s "
                      "batch, X[i:i + batch_size], inside X? (or did the run diverge? check p -= eta * p.grad)" + where)
            _fail(f"the loss is {losses[k]} at step {k}: the run diverged; check the update p -= eta * p.grad" + where)
        got_L = np.array(losses)
        got_W, got_B = a.get("W"), a.get("B")
        shapes_W, shapes_B = [w.shape for w in case["W"]], [x.shape for x in case["B"]]
        if not (isinstance(got_W, list) and isinstance(got_B, list) and len(got_W) == len(shapes_W)
                and len(got_B) == len(shapes_B) and all(_real(g, s) for g, s in zip(got_W, shapes_W))
                and all(_real(g, s) for g, s in zip(got_B, shapes_B))):
            _fail("the network's parameters could not be read after sgd: keep its layers, update them in place" + where)
        if not all(np.all(np.isfinite(g)) for g in got_W + got_B):
            _fail("the parameters hold NaN or inf after sgd" + where)

        def matches(**change):
            try:  # a wrong sign can overflow: that run matches no finite answer
                with np.errstate(over="ignore", invalid="ignore"):
                    L, W, B = _sgd_replay({**case, **{k: v for k, v in change.items() if k != "mistake"}},
                                          change.get("mistake"))
            except ValueError:
                return False
            return (_close(got_L, np.array(L), 1e-9)
                    and all(_close(g, r, 1e-9) for g, r in zip(got_W + got_B, W + B)))

        if matches():
            continue
        for mistake, message in _SGD_MISTAKES:
            if matches(mistake=mistake):
                _fail(message.format(b=b) + where)
        if matches(eta=-case["eta"]):
            _fail("the update has the wrong sign: step against the gradient, p -= eta * p.grad" + where)
        L = _sgd_replay(case)[0]
        if not _close(got_L, np.array(L), 1e-9):
            k = next(i for i in range(steps) if not _close(got_L[i:i + 1], np.array(L[i:i + 1]), 1e-9))
            starts = _sgd_traced_starts(case, got_L)
            if starts is not None:  # each loss is that of some batch: the batches are the mistake
                shown = ", ".join(str(r) for r in starts)
                short = next((j for j, r in enumerate(starts) if r + b > N), None)
                if short is not None:
                    _fail(f"step {short} used a short batch, rows {starts[short]} to {N - 1}: fewer than batch_size = "
                          f"{b} rows (the batches start at rows {shown}); step k starts at row (k * batch_size) % N"
                          + where)
                r = starts[k]
                _fail(f"the batches start at rows {shown}, not in the order of the rows (step {k} used the rows from "
                      f"{r} on): without shuffling or random choices, step k takes the rows from (k * batch_size) % N "
                      "on, so that the check can replay your run" + where)
            _fail(f"the loss of step {k} is {got_L[k]:.6g}, expected {L[k]:.6g}, and no batch of consecutive rows has "
                  "that loss at that point: each loss is the mean squared error of the step's batch, computed before "
                  "the update" + where)
        _fail("the losses are right but the parameters after the last step are not: update every parameter once per "
              "step, p -= eta * p.grad, under torch.no_grad()" + where)
    return ("the losses and the final parameters equal a replay of mini-batch SGD (zero_grad, backward, step; the "
            f"batch advancing each step) on {len(cases)} networks, one of them 3-5-4-1")


# fn(net, X, T, eta, batch_size, steps) -> list of the batch losses; updates net's parameters in place.
check_sgd = Exercise("check-sgd", "sgd", _sgd_cases, _sgd_collect, _sgd_judge, seed=17)


# ---------------------------------------------------------------- Exercise 6 (going further): sigmoid + cross-entropy

def _bce_cases(seed):
    """(Z, T) pairs: logits of both signs and sizes with 0/1 targets; N = 8 and N = 5."""
    rng = np.random.default_rng(seed)
    return [(3 * rng.standard_normal((n, 1)), rng.integers(0, 2, (n, 1)).astype(float)) for n in (8, 5)]


def _bce_collect(fn, cases):
    __tracebackhide__ = True
    answers = []
    for k, (Z, T) in enumerate(cases):
        answers.append(recorded(_call(fn, "bce_delta", Z.copy(), T.copy(), case=f"case {k + 1}: N = {len(Z)}")))
    return answers


def _sigmoid(Z):
    return 1 / (1 + np.exp(-Z))


_BCE_MISTAKES = [
    (lambda Z, T: (_sigmoid(Z) - T) * _sigmoid(Z) * (1 - _sigmoid(Z)) / len(Z),
     "σ'(z) = a (1 - a) is counted twice (or that is the δ of a squared error): write ∂E/∂a of the cross-entropy "
     "itself and multiply it by σ'(z) once"),
    (lambda Z, T: (_sigmoid(Z) - T) / (_sigmoid(Z) * (1 - _sigmoid(Z))) / len(Z),
     "that is ∂E/∂a, the derivative with respect to the output a = σ(z): multiply by σ'(z) = a (1 - a)"),
    (lambda Z, T: _sigmoid(Z) - T, "the 1/N of the mean is missing"),
    (lambda Z, T: 2 * (_sigmoid(Z) - T) / len(Z), "the factor 2 belongs to a squared error, not to cross-entropy"),
    (lambda Z, T: (T - _sigmoid(Z)) / len(Z), "the sign is wrong: with t = 0 a larger z makes the prediction a "
                                              "worse and the loss larger, so δ must be positive there; yours is "
                                              "negative"),
    (lambda Z, T: (Z - T) / len(Z), "your δ uses the logit z where the prediction a = σ(z) belongs: the loss "
                                    "compares σ(z), not z, with t"),
]


def _bce_judge(cases, answers):
    __tracebackhide__ = True
    if not isinstance(answers, list) or len(answers) != len(cases):
        _fail(f"bce_delta: expected {len(cases)} answers, got {describe(answers)}")
    for k, ((Z, T), answer) in enumerate(zip(cases, answers)):
        got = array("bce_delta", answer, [Z.shape])
        if _close(got, (_sigmoid(Z) - T) / len(Z), 1e-9):
            continue
        for wrong, message in _BCE_MISTAKES:
            if _close(got, wrong(Z, T), 1e-9):
                _fail(f"bce_delta: {message} (on case {k + 1}: N = {len(Z)})")
        _fail(f"bce_delta: wrong on case {k + 1} (N = {len(Z)}): δ is ∂E/∂a · σ'(z); write both factors and multiply out")
    return f"bce_delta = (σ(Z) - T) / N on {len(cases)} cases: the sigmoid's derivative cancels against the cross-entropy's"


# fn(Z, T) -> dE/dZ (N, 1) of the mean binary cross-entropy of sigmoid(Z).
check_bce_delta = Exercise("check-bce-delta", "bce_delta", _bce_cases, _bce_collect, _bce_judge, seed=19)
