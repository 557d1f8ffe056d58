"""Exercise checks with specific feedback.

Every check compares the student's answer with an independent reference from this
package, prints "✓ ..." when it is right, and otherwise raises CheckFailed (an
AssertionError, so nbgrader scores the cell 0) whose message names the mistake
when it recognises one. Malformed answers (None, NaN, a list, a wrong type, an
exception inside the student's function) get a message too, never a traceback
from inside numpy.
"""
import numpy as np

from . import conditioning, data, mlp, tanhnet, threshold

RTOL = 1e-6


class CheckFailed(AssertionError):
    """The answer is not right yet; the message says what is wrong."""


def _fail(message):
    __tracebackhide__ = True  # IPython hides this frame: the student sees the message, not our internals
    raise CheckFailed(message)


def _ok(message):
    print("✓ " + message)


def _call(fn, name, *args):
    """Call the student's function, turning any exception into a message."""
    __tracebackhide__ = True
    if not callable(fn):
        _fail(f"{name} must be a function; got {type(fn).__name__}")
    try:
        return fn(*args)
    except NotImplementedError:
        _fail(f"{name} is not written yet: replace `raise NotImplementedError()` with your code")
    except Exception as exc:  # the student's code failed: say how, briefly
        _fail(f"{name} raised {type(exc).__name__}: {exc}")


def _number(name, value):
    __tracebackhide__ = True
    if value is None:
        _fail(f"{name} returned None: did you forget `return`?")
    if hasattr(value, "detach"):  # a torch scalar
        value = value.detach().cpu().numpy()
    if isinstance(value, (list, tuple, dict, str)):
        _fail(f"{name} must return a number; got a {type(value).__name__}")
    arr = np.asarray(value)
    if arr.dtype == object or not np.issubdtype(arr.dtype, np.number) or arr.size != 1:
        _fail(f"{name} must return a single number; got {type(value).__name__} {getattr(arr, 'shape', '')}")
    out = float(arr.reshape(()))
    if not np.isfinite(out):
        _fail(f"{name} returned {out}: look for a division by zero or an overflow")
    return out


def _array(name, value, shape):
    __tracebackhide__ = True
    if value is None:
        _fail(f"{name} is None: did you forget `return`?")
    if hasattr(value, "detach"):
        value = value.detach().cpu().numpy()
    if isinstance(value, (list, tuple)):
        _fail(f"{name} is a {type(value).__name__}; return a numpy array of shape {shape}")
    if not isinstance(value, np.ndarray) or value.dtype == object or not np.issubdtype(value.dtype, np.number):
        _fail(f"{name} must be a numeric numpy array of shape {shape}; got {type(value).__name__}")
    if value.shape != tuple(shape):
        if value.shape == tuple(shape)[::-1] and len(shape) == 2:
            _fail(f"{name} has shape {value.shape}, expected {tuple(shape)}: it is transposed")
        _fail(f"{name} has shape {value.shape}, expected {tuple(shape)}")
    if not np.all(np.isfinite(value)):
        _fail(f"{name} contains NaN or inf")
    return value.astype(np.float64)


def _close(a, b, rtol=RTOL):
    return np.allclose(a, b, rtol=rtol, atol=rtol * max(1e-12, float(np.max(np.abs(b)))))


def _ratio_hint(name, got, want, n_samples=None):
    """A message when `got` is a constant multiple of `want` (a missing factor or a sign), else None."""
    mask = np.abs(want) > 1e-12 * max(1e-300, float(np.max(np.abs(want))))
    if not np.any(mask):
        return None
    ratios = got[mask] / want[mask]
    r = float(np.median(ratios))
    if r == 0 or not np.allclose(ratios, r, rtol=1e-6):
        return None
    named = {-1.0: "has the wrong sign: check the order in (Y - T)",
             0.5: "is half the right value: the factor 2 from the derivative of the square is missing",
             2.0: "is twice the right value: the factor 2 is counted twice"}
    if n_samples:
        named.update({float(n_samples): "is N times too large: the 1/N of the mean is missing",
                      n_samples / 2.0: "is N/2 times too large: the 2/N factor (2 from the square, 1/N from the mean) is missing",
                      1.0 / n_samples: "is N times too small: the 1/N is applied twice"})
    for value, text in named.items():
        if abs(r - value) <= 1e-6 * abs(value):
            return f"{name} {text}"
    return f"{name} is {r:.4g} times the right value: a constant factor is off"


def _match_mistakes(name, fn, reference, mistakes, cases):
    """Compare scalar answers fn(*case) with reference(*case) over `cases`;
    name the first mistake (message, fn) that explains every answer."""
    __tracebackhide__ = True
    got = np.array([_number(name, _call(fn, name, *case)) for case in cases])
    want = np.array([reference(*case) for case in cases])
    if _close(got, want, 1e-8):
        return True
    for message, wrong in mistakes:
        if _close(got, np.array([wrong(*case) for case in cases]), 1e-8):
            _fail(f"{name}: {message}")
    if _close(got, -want, 1e-8):
        _fail(f"{name}: the sign is wrong")
    _fail(f"{name}: for the first test case expected {want[0]:.6g}, got {got[0]:.6g}")


# ---------------------------------------------------------------- notebook 01

def check_and4(fn):
    """fn() -> (w, b): the four-input AND unit, w of shape (4,) or (4, 1), b a number; fires only on 1111."""
    __tracebackhide__ = True
    answer = _call(fn, "and4_unit")
    if not isinstance(answer, (tuple, list)) or len(answer) != 2:
        _fail(f"and4_unit must return a pair (w, b); got {type(answer).__name__}")
    w, b = answer
    w = _array("w", np.asarray(w, dtype=float) if isinstance(w, (list, tuple)) else w,
               (4,) if np.ndim(w) == 1 else (4, 1)).reshape(4)
    b = _number("b", b)
    X = threshold.binary_inputs(4)
    fires = threshold.step(X @ w + b)
    want = (X.sum(axis=1) == 4).astype(float)
    if np.array_equal(fires, want):
        _ok("fires only when all four inputs are on")
        return
    on = X.sum(axis=1)
    if not fires.any():
        if np.isclose(X[-1] @ w + b, 0):
            _fail("it never fires: with all four inputs on, z = 0 exactly, and the unit needs z > 0 (strict)")
        _fail("it never fires, not even for 1111: the bias is too negative (or a weight is too small)")
    fewest = int(on[fires == 1].min())
    _fail(f"it also fires with only {fewest} of the 4 inputs on: the bias is not negative enough "
          "(with weights 1 it must lie between -4 and -3)")


def check_square_layer(fn):
    """fn() -> (W0, B0): the first layer for the open square, W0 (2, 4), B0 (4,);
    with one AND it must fire exactly on |x1|, |x2| < 1."""
    __tracebackhide__ = True
    answer = _call(fn, "square_layer")
    if not isinstance(answer, (tuple, list)) or len(answer) != 2:
        _fail(f"square_layer must return a pair (W0, B0); got {type(answer).__name__}")
    W0, B0 = answer
    W0 = _array("W0", W0, (2, 4))
    B0 = _array("B0", B0, (4,))
    centre_z = B0  # z at x = (0, 0)
    for j in range(4):
        if centre_z[j] <= 0:
            _fail(f"unit {j + 1} does not fire at the centre (0, 0): its half-plane points outward; flip the sign of its weights and bias")
    net_W = [W0, np.ones((4, 1))]
    net_B = [B0, np.array([-3.5])]
    _, _, inside = threshold.grid(1.5, 121)
    t = np.linspace(-1, 1, 41)
    edges = np.concatenate([np.column_stack([t, np.full_like(t, s)]) for s in (-1.0, 1.0)] +
                           [np.column_stack([np.full_like(t, s), t]) for s in (-1.0, 1.0)])
    got_edges = threshold.predict(edges, net_W, net_B)
    if got_edges.any():
        p = edges[np.argmax(got_edges)]
        _fail(f"the edge point ({p[0]:.2f}, {p[1]:.2f}) is classified A: the inequalities are strict, "
              "so each unit must give z = 0 on its edge (check the biases)")
    got = threshold.predict(inside, net_W, net_B)
    want = threshold.open_square(inside)
    wrong = np.flatnonzero(got != want)
    if wrong.size:
        p = inside[wrong[0]]
        _fail(f"{wrong.size} of {len(inside)} grid points are misclassified, e.g. ({p[0]:.2f}, {p[1]:.2f}) "
              f"is {'A' if got[wrong[0]] else 'B'} but should be {'A' if want[wrong[0]] else 'B'}")
    _ok(f"the four units and an AND give the open square: 0 of {len(inside) + len(edges)} points misclassified")


# ---------------------------------------------------------------- notebook 02

def _tanh_cases(n=5, seed=2):
    rng = np.random.default_rng(seed)
    return [((float(a), float(b)), tanhnet.random_weights(rng)) for a, b in rng.standard_normal((n, 2))]


def check_dy_dw24(fn):
    """fn(x, w) -> dy/dw24 = x2 (1 - a4^2) [w45 (1 - a5^2) + w46 (1 - a6^2)]."""
    __tracebackhide__ = True
    d = lambda f, k: 1 - f["a" + k] ** 2  # noqa: E731
    mistakes = [
        ("the factor (1 - a4²), the derivative of tanh at unit 4, is missing",
         lambda x, w: (lambda f: f["x2"] * (w["w45"] * d(f, "5") + w["w46"] * d(f, "6")))(tanhnet.forward(x, w))),
        ("the factors (1 - a5²) and (1 - a6²) of units 5 and 6 are missing",
         lambda x, w: (lambda f: f["x2"] * d(f, "4") * (w["w45"] + w["w46"]))(tanhnet.forward(x, w))),
        ("that is dy/dw14: w24 multiplies x2, not x1",
         lambda x, w: tanhnet.backward(x, w)[0]["w14"]),
        ("that is dy/dw23: w24 feeds unit 4, so use a4, w45 and w46",
         lambda x, w: tanhnet.backward(x, w)[0]["w23"]),
        ("tanh' is 1 - a², not 1 - a: square the activations",
         lambda x, w: (lambda f: f["x2"] * (1 - f["a4"]) * (w["w45"] * (1 - f["a5"]) + w["w46"] * (1 - f["a6"])))(tanhnet.forward(x, w))),
        ("tanh' must be taken at the activation a = tanh(z): you squared z instead of a",
         lambda x, w: (lambda f: f["x2"] * (1 - f["z4"] ** 2) * (w["w45"] * (1 - f["z5"] ** 2) + w["w46"] * (1 - f["z6"] ** 2)))(tanhnet.forward(x, w))),
    ]
    _match_mistakes("dy_dw24", fn, lambda x, w: tanhnet.closed_form(x, w)["w24"], mistakes, _tanh_cases())
    _ok("dy/dw24 = x2 (1 - a4²) [w45 (1 - a5²) + w46 (1 - a6²)] matches on 5 random networks")


def check_dy_dw46(fn):
    """fn(x, w) -> dy/dw46 = a4 (1 - a6^2)."""
    __tracebackhide__ = True
    mistakes = [
        ("the factor (1 - a6²), the derivative of tanh at unit 6, is missing",
         lambda x, w: tanhnet.forward(x, w)["a4"]),
        ("that is dy/dw36: w46 carries a4, not a3",
         lambda x, w: tanhnet.backward(x, w)[0]["w36"]),
        ("that is dy/dw45: w46 feeds unit 6, so the factor is (1 - a6²)",
         lambda x, w: tanhnet.backward(x, w)[0]["w45"]),
        ("tanh' is 1 - a², not 1 - a",
         lambda x, w: (lambda f: f["a4"] * (1 - f["a6"]))(tanhnet.forward(x, w))),
        ("the factor is (1 - a6²) of the unit w46 feeds, not (1 - a4²)",
         lambda x, w: (lambda f: f["a4"] * (1 - f["a4"] ** 2))(tanhnet.forward(x, w))),
    ]
    _match_mistakes("dy_dw46", fn, lambda x, w: tanhnet.closed_form(x, w)["w46"], mistakes, _tanh_cases())
    _ok("dy/dw46 = a4 (1 - a6²) matches on 5 random networks")


# ---------------------------------------------------------------- notebook 03

def _conditioning_cases(seed=3):
    rng = np.random.default_rng(seed)
    return [(rng.normal(size=d) * 2, float(rng.uniform(0.3, 2.0))) for d in (2, 3, 5)]


def check_hessian(fn):
    """fn(mu, sigma) -> H = mu mu^T + sigma^2 I, shape (d, d)."""
    __tracebackhide__ = True
    for mu, sigma in _conditioning_cases():
        d = mu.size
        H = _array(f"hessian(mu, sigma) for d = {d}", _call(fn, "hessian", mu.copy(), sigma), (d, d))
        want = conditioning.hessian(mu, sigma)
        if _close(H, want):
            continue
        mistakes = [
            (np.diag(mu ** 2) + sigma ** 2 * np.eye(d),
             "H is not diagonal: E[x xᵀ] has off-diagonal entries μ_i μ_j (the original hand-in made this mistake); use the outer product μ μᵀ"),
            (np.diag(mu) + sigma ** 2 * np.eye(d), "use the outer product μ μᵀ, not diag(μ)"),
            (np.outer(mu, mu) + sigma * np.eye(d), "the variance is σ², not σ: use sigma**2 * I"),
            (np.outer(mu, mu), "the σ² I term from the spread of x is missing"),
            (sigma ** 2 * np.eye(d), "the μ μᵀ term from the mean of x is missing"),
            (np.outer(mu, mu) - sigma ** 2 * np.eye(d), "E[x xᵀ] = Cov(x) + μ μᵀ: the σ² I is added, not subtracted"),
        ]
        for wrong, message in mistakes:
            if _close(H, wrong):
                _fail(f"hessian: {message}")
        _fail(f"hessian: wrong for mu = {np.round(mu, 3)}, sigma = {sigma:.3f}; expected H[0, 0] = {want[0, 0]:.4f}, H[0, 1] = {want[0, 1]:.4f}")
    _ok("H = μ μᵀ + σ² I for d = 2, 3 and 5")


def check_kappa(fn):
    """fn(mu, sigma) -> kappa = 1 + |mu|^2 / sigma^2."""
    __tracebackhide__ = True
    m2 = lambda mu: float(mu @ mu)  # noqa: E731
    mistakes = [
        ("κ = λmax / λmin: you have λmin / λmax", lambda mu, s: 1 / conditioning.condition_number(mu, s)),
        ("the 1 is missing: λmax / λmin = (‖μ‖² + σ²) / σ²", lambda mu, s: m2(mu) / s ** 2),
        ("square both: ‖μ‖² / σ², not ‖μ‖ / σ", lambda mu, s: 1 + np.sqrt(m2(mu)) / s),
        ("divide by the variance σ², not by σ", lambda mu, s: 1 + m2(mu) / s),
        ("that is λmax alone; κ divides it by λmin = σ²", lambda mu, s: m2(mu) + s ** 2),
        ("that is the ratio of the largest and smallest diagonal entries of the wrong, diagonal Hessian",
         lambda mu, s: (np.max(mu ** 2) + s ** 2) / (np.min(mu ** 2) + s ** 2)),
    ]
    _match_mistakes("kappa", fn, conditioning.condition_number, mistakes, _conditioning_cases())
    _ok("κ = 1 + ‖μ‖² / σ² for d = 2, 3 and 5")


def check_optimal_step(fn):
    """fn(lam_min, lam_max) -> 2 / (lam_min + lam_max)."""
    __tracebackhide__ = True
    cases = [(0.25, 5.25), (1.0, 1.0), (0.09, 8.1), (2.0, 3.0)]
    mistakes = [
        ("1/λmax is LeCun's safe step, not the fastest: balance the contraction 1 - ηλ at both ends of the spectrum",
         lambda a, b: 1 / b),
        ("2/λmax is the edge of divergence: the λmax direction then oscillates forever", lambda a, b: 2 / b),
        ("1/λmin overshoots the λmax direction and diverges whenever κ > 2", lambda a, b: 1 / a),
        ("the numerator is 2: η = 2 / (λmin + λmax)", lambda a, b: 1 / (a + b)),
        ("λmin and λmax are added, not subtracted", lambda a, b: 2 / (b - a) if b != a else np.inf),
    ]
    _match_mistakes("optimal_step", fn, lambda a, b: conditioning.step_size("optimal", a, b), mistakes, cases)
    _ok("η* = 2 / (λmin + λmax): both extreme directions then contract by (κ - 1)/(κ + 1)")


# ---------------------------------------------------------------- notebook 04

def _backward_cases():
    X, T = data.getdata()
    W, B = data.getparams()
    return [(X, T, W, B), mlp.random_network((4, 6, 6, 6, 1), 7, seed=11)]


def check_backward(fn):
    """fn(X, T, W, B) -> (DW, DB), the gradient of ((Y - T)**2).mean(), shaped like W and B."""
    __tracebackhide__ = True
    for case, (X, T, W, B) in enumerate(_backward_cases()):
        where = "on the course's data" if case == 0 else f"on a second network with N = {len(X)}"
        args = (X.copy(), T.copy(), [w.copy() for w in W], [b.copy() for b in B])
        result = _call(fn, "backward", *args)
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            _fail(f"backward must return a pair (DW, DB); got {type(result).__name__}")
        DW, DB = result
        want_W, want_B = mlp.backward(X, T, W, B)
        for label, got, want in (("DW", DW, want_W), ("DB", DB, want_B)):
            if not isinstance(got, (list, tuple)) or len(got) != len(want):
                _fail(f"{label} must be a list of {len(want)} arrays; got {type(got).__name__}"
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
    _ok("DW and DB match the reference on the course's data and on a second network (N = 7)")


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
