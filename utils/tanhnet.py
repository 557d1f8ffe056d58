"""The tanh network of notebook 02 (theory exercise 2 of the course).

    z3 = x1 w13 + x2 w23,  a3 = tanh(z3);   z4 = x1 w14 + x2 w24,  a4 = tanh(z4)
    z5 = a3 w35 + a4 w45,  a5 = tanh(z5);   z6 = a3 w36 + a4 w46,  a6 = tanh(z6)
    y  = a5 + a6                                          (no biases)

Weights are a dict {"w13": ..., "w46": ...}; inputs a pair (x1, x2).
"""
import math
import numbers

import numpy as np

from ._validate import as_choice, as_float, as_float_array, as_int
from . import diagrams, style

WEIGHTS = ("w13", "w14", "w23", "w24", "w35", "w36", "w45", "w46")
EXAMPLE_X = (1.0, -0.5)
EXAMPLE_W = {"w13": 0.5, "w14": -0.3, "w23": 0.8, "w24": 0.2,
             "w35": 1.0, "w36": -0.7, "w45": 0.6, "w46": 0.9}
SATURATED = 0.1  # a unit whose slope 1 - a^2 is below this is drawn as saturated
LAYERS = [["x1", "x2"], ["3", "4"], ["5", "6"], ["y"]]
EDGES = [("x1", "3"), ("x1", "4"), ("x2", "3"), ("x2", "4"), ("3", "5"), ("3", "6"), ("4", "5"), ("4", "6"),
         ("5", "y"), ("6", "y")]


def _check_keys(w):
    if isinstance(w, np.ndarray) or not hasattr(w, "keys"):
        raise TypeError(f"w must be a dict with keys {WEIGHTS}; got {type(w).__name__}")
    if set(w.keys()) != set(WEIGHTS):
        raise ValueError(f"w must have exactly the keys {WEIGHTS}; got {tuple(sorted(map(str, w.keys())))}")


def validate(x, w):
    """Return (x1, x2) and the weight dict as floats, or raise naming the bad argument."""
    _check_keys(w)
    x = as_float_array("x", x, shape=(2,))
    return (float(x[0]), float(x[1])), {k: as_float(f"w[{k!r}]", w[k]) for k in WEIGHTS}


def _forward(x1, x2, w, tanh=np.tanh):
    f = {"x1": x1, "x2": x2}
    f["z3"] = x1 * w["w13"] + x2 * w["w23"]
    f["z4"] = x1 * w["w14"] + x2 * w["w24"]
    f["a3"], f["a4"] = tanh(f["z3"]), tanh(f["z4"])
    f["z5"] = f["a3"] * w["w35"] + f["a4"] * w["w45"]
    f["z6"] = f["a3"] * w["w36"] + f["a4"] * w["w46"]
    f["a5"], f["a6"] = tanh(f["z5"]), tanh(f["z6"])
    f["y"] = f["a5"] + f["a6"]
    return f


def forward(x, w):
    """Forward pass: a dict with x1, x2, z3..z6, a3..a6 and y (floats).

    On the counting numbers of `instrumented` it computes with them (and returns them), so that a
    function built on forward can be counted."""
    if _is_instrumented(x, w):
        return _forward(x[0], x[1], w, tanh=_Counted.tanh)
    (x1, x2), w = validate(x, w)
    return {k: float(v) for k, v in _forward(x1, x2, w).items()}


def _backward(f, w):
    """Backpropagation from the forward values f: d[j] = dy/dz_j from the output back, then dy/dw_ij = a_i d[j]."""
    d = {}
    d["z5"] = 1 - f["a5"] * f["a5"]                      # dy/da5 = 1 (y = a5 + a6), times tanh'(z5) = 1 - a5²
    d["z6"] = 1 - f["a6"] * f["a6"]
    d["a3"] = w["w35"] * d["z5"] + w["w36"] * d["z6"]     # a3 feeds z5 and z6: the sum over its successors
    d["a4"] = w["w45"] * d["z5"] + w["w46"] * d["z6"]
    d["z3"] = (1 - f["a3"] * f["a3"]) * d["a3"]          # delta_3 = (1 - a3²) (w35 delta_5 + w36 delta_6)
    d["z4"] = (1 - f["a4"] * f["a4"]) * d["a4"]
    grads = {"w13": f["x1"] * d["z3"], "w23": f["x2"] * d["z3"], "w14": f["x1"] * d["z4"], "w24": f["x2"] * d["z4"],
             "w35": f["a3"] * d["z5"], "w45": f["a4"] * d["z5"], "w36": f["a3"] * d["z6"], "w46": f["a4"] * d["z6"]}
    return grads, d


def backward(x, w):
    """Backpropagation: (weight gradients {w13: dy/dw13, ...}, node gradients {z3: dy/dz3, a3: dy/da3, ...}).

    Shared terms (dy/dz5, dy/dz6, dy/dz3, dy/dz4) are computed once and reused.
    """
    (x1, x2), w = validate(x, w)
    grads, d = _backward(_forward(x1, x2, w), w)
    return {k: float(grads[k]) for k in WEIGHTS}, {k: float(v) for k, v in d.items()}


def _closed_form(f, w):
    # Each weight on its own, as a student would differentiate it: nothing is shared.
    def first_layer(x, a, w5, w6):
        return x * (1 - a * a) * (w5 * (1 - f["a5"] * f["a5"]) + w6 * (1 - f["a6"] * f["a6"]))

    return {"w13": first_layer(f["x1"], f["a3"], w["w35"], w["w36"]),
            "w23": first_layer(f["x2"], f["a3"], w["w35"], w["w36"]),
            "w14": first_layer(f["x1"], f["a4"], w["w45"], w["w46"]),
            "w24": first_layer(f["x2"], f["a4"], w["w45"], w["w46"]),
            "w35": f["a3"] * (1 - f["a5"] * f["a5"]), "w45": f["a4"] * (1 - f["a5"] * f["a5"]),
            "w36": f["a3"] * (1 - f["a6"] * f["a6"]), "w46": f["a4"] * (1 - f["a6"] * f["a6"])}


def closed_form(x, w):
    """The eight gradients from their closed forms, e.g.
    dy/dw13 = x1 (1 - a3^2) [w35 (1 - a5^2) + w36 (1 - a6^2)], each computed independently."""
    (x1, x2), w = validate(x, w)
    return {k: float(v) for k, v in _closed_form(_forward(x1, x2, w), w).items()}


MAX_TAPE = 10_000  # entries a counting run's tape may hold (the notebook's backward needs 51); replay refuses more
TAPE_INPUTS = ("x1", "x2") + WEIGHTS  # a tape opens with these inputs, in this order
REPLAY_TOL = 1e-9  # how far a recorded value may be from the replayed one, relative to max(1, |value|)

# The operations of the counting numbers on the floats they hold. _Counted records them and replay re-runs them,
# both through these functions, so both compute alike. pow's second operand is the whole power k; neg and tanh
# take none.
_OPERATIONS = {"add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
               "div": lambda a, b: a / b, "pow": lambda a, k: a ** k, "neg": lambda a, _: -a,
               "tanh": lambda a, _: float(np.tanh(a))}
_UNARY = ("pow", "neg", "tanh")  # their second operand is not a number of the computation


def _multiplications(op, a, b):
    """What one operation on tape operands a, b counts: a product or quotient 1, unless an operand is the plain
    constant 1 or -1 (a literal: a float; a reference is an int); a**k k - 1; anything else 0."""
    if op in ("mul", "div"):
        return 0 if type(a) is float and a in (1.0, -1.0) or type(b) is float and b in (1.0, -1.0) else 1
    return b - 1 if op == "pow" else 0


class _Counted:
    """A number that counts the multiplications (and divisions) it takes part in, in the shared list `tally`, and
    records every operation on the shared list `tape`, for the trusted side to replay (see `replay`).

    Multiplying by the plain constants 1 or -1 is not counted: writing dy/da5 = 1 into a product is no work.
    Powers a**k with a whole k >= 1 count k - 1 multiplications. tanh (as a method, so numpy.tanh works on it)
    is not counted: it is the same for every method.
    A tape entry is [operation, operand, operand, value]; an operand is a counting number by its `ref`, the index
    of its entry (an int), or a plain number as a literal constant (a float). Numbers without a tape (tape None)
    only count. A counting number of another tape, or one made by hand without a tape, cannot take part: the
    tape could not show where its value came from.
    """

    __slots__ = ("value", "tally", "tape", "ref")

    def __init__(self, value, tally, tape=None, ref=None):
        self.value, self.tally, self.tape, self.ref = value, tally, tape, ref

    def _record(self, op, a, b, value):
        """The counting number `value` = op(a, b) of this run: counted, and on the tape while it has room."""
        self.tally[0] += _multiplications(op, a, b)
        ref = None
        if self.tape is not None and len(self.tape) <= MAX_TAPE:  # one entry past the bound, for replay to refuse
            ref = len(self.tape)
            self.tape.append([op, a, b, value])
        return _Counted(value, self.tally, self.tape, ref)

    def _binary(self, op, other, reflected=False):
        if isinstance(other, _Counted):
            if other.tape is not self.tape:
                raise TypeError("a counting number made by hand (e.g. from a plain float .value) or by another "
                                "counting run cannot take part: compute with the numbers you are given")
            operand = (other.ref, other.value)
        elif isinstance(other, numbers.Real):
            constant = float(other)
            operand = (constant, constant)  # on the tape as itself
        else:
            return NotImplemented
        (a, x), (b, y) = (operand, (self.ref, self.value)) if reflected else ((self.ref, self.value), operand)
        return self._record(op, a, b, _OPERATIONS[op](x, y))

    def __mul__(self, other):
        return self._binary("mul", other)

    def __rmul__(self, other):
        return self._binary("mul", other, reflected=True)

    def __truediv__(self, other):
        return self._binary("div", other)

    def __rtruediv__(self, other):
        return self._binary("div", other, reflected=True)

    def __add__(self, other):
        return self._binary("add", other)

    def __radd__(self, other):
        return self._binary("add", other, reflected=True)

    def __sub__(self, other):
        return self._binary("sub", other)

    def __rsub__(self, other):
        return self._binary("sub", other, reflected=True)

    def __neg__(self):
        return self._record("neg", self.ref, None, _OPERATIONS["neg"](self.value, None))

    def __pos__(self):
        return self

    def __pow__(self, k):
        if not isinstance(k, numbers.Integral) or k < 1:
            raise TypeError(f"the counting numbers take whole powers a**k with k >= 1; got {k!r}")
        return self._record("pow", self.ref, int(k), _OPERATIONS["pow"](self.value, int(k)))

    def tanh(self):
        return self._record("tanh", self.ref, None, _OPERATIONS["tanh"](self.value, None))

    def __repr__(self):
        return f"counted({self.value!r})"


def _is_instrumented(x, w):
    try:
        return any(isinstance(v, _Counted) for v in (*x, *w.values()))
    except (TypeError, AttributeError):
        return False


def instrumented(x, w):
    """x and w as numbers that count every multiplication made with them and record every operation (_Counted).

    Returns (x, w, tally): a pair and a weight dict of counting numbers, and the list whose tally[0] is the
    count so far. forward(x, w) works on them. value_of turns a result back into a float; tape_ref finds it on
    the tape, x[0].tape, which opens with the inputs (TAPE_INPUTS).
    """
    (x1, x2), w = validate(x, w)
    tally, tape = [0], []
    inputs = {"x1": x1, "x2": x2, **w}
    counted = {}
    for name in TAPE_INPUTS:
        counted[name] = _Counted(inputs[name], tally, tape, len(tape))
        tape.append(["input", name, None, inputs[name]])
    return (counted["x1"], counted["x2"]), {k: counted[k] for k in WEIGHTS}, tally


def value_of(v):
    """The float inside a counting number (None if `v` is not one: it was not computed from the counted inputs)."""
    return float(v.value) if isinstance(v, _Counted) else None


def tape_ref(v, tape):
    """Where `v` is on `tape`: the index of its entry; "plain" if it is no counting number, "foreign" if it is
    one that no operation on `tape` made (made by hand, or by another run)."""
    if not isinstance(v, _Counted):
        return "plain"
    return v.ref if v.tape is tape and type(v.ref) is int else "foreign"


class TapeError(ValueError):
    """A tape that does not replay; the message names the entry and what is wrong with it."""


def _replay_operand(i, operand, values, literal):
    """The value of an operand of tape entry i: an earlier entry's (an int), or itself if it is a finite literal
    constant (a float) and `literal` allows one."""
    if type(operand) is int:
        if not 0 <= operand < i:
            raise TapeError(f"entry {i} refers to entry {operand}, which is not an earlier entry")
        return values[operand]
    if literal and type(operand) is float and math.isfinite(operand):
        return operand
    wanted = "an earlier entry (an int) or a finite constant (a float)" if literal else "an earlier entry (an int)"
    raise TapeError(f"entry {i} has the operand {operand!r} where {wanted} belongs")


def replay(tape, x, w, check=True):
    """Re-run a counting run's tape on the inputs x, w: (the value of every entry, the multiplications counted).

    tape: [[op, a, b, value], ...] as _Counted records it: the inputs first (["input", name, None, value] in the
    order of TAPE_INPUTS), then operations of _OPERATIONS whose operands are earlier entries (ints) or literal
    constants (finite floats): never two literals, and none for neg, tanh or the base of pow, whose b is the
    whole power k >= 1 (None for neg and tanh). The replay computes every value from x and w itself, and counts
    by _Counted's rules. check: every recorded value must be the replayed one (within REPLAY_TOL).
    Raises TapeError naming the first entry that is malformed or does not replay, or if there are more than
    MAX_TAPE entries.
    """
    (x1, x2), w = validate(x, w)
    inputs = {"x1": x1, "x2": x2, **w}
    if not isinstance(tape, (list, tuple)):
        raise TapeError(f"the tape must be a list of entries; got {type(tape).__name__}")
    if len(tape) > MAX_TAPE:
        raise TapeError(f"it holds {len(tape)} entries, more than the {MAX_TAPE} a counting run may record")
    values, count = [], 0
    for i, entry in enumerate(tape):
        if not isinstance(entry, (list, tuple)) or len(entry) != 4:
            raise TapeError(f"entry {i} is not [operation, operand, operand, value]")
        op, a, b, recorded = entry
        if i < len(TAPE_INPUTS):
            if (type(op), type(a)) != (str, str) or (op, a) != ("input", TAPE_INPUTS[i]) or b is not None:
                raise TapeError(f"entry {i} must be the input {TAPE_INPUTS[i]}: a tape opens with the inputs "
                                f"{', '.join(TAPE_INPUTS)}")
            value = inputs[a]
        elif type(op) is not str or op not in _OPERATIONS:
            raise TapeError(f"entry {i} has the operation {op!r}, not one of {', '.join(_OPERATIONS)}")
        else:
            u = _replay_operand(i, a, values, literal=op not in _UNARY)
            if op == "pow" and not (type(b) is int and b >= 1):
                raise TapeError(f"entry {i} raises to the power {b!r}: the counting numbers take whole powers k >= 1")
            if op in ("neg", "tanh") and b is not None:
                raise TapeError(f"entry {i} ({op}) has a second operand {b!r}")
            v = b if op in _UNARY else _replay_operand(i, b, values, literal=type(a) is not float)
            try:
                value = _OPERATIONS[op](u, v)
            except ArithmeticError as exc:
                raise TapeError(f"entry {i} ({op}) cannot be computed: {exc}") from None
            count += _multiplications(op, a, b)
        if check and not (type(recorded) is float and abs(recorded - value) <= REPLAY_TOL * max(1.0, abs(value))):
            raise TapeError(f"entry {i} ({op}) records {recorded!r} where the replay gives {value!r}")
        values.append(value)
    return values, count


def count_multiplications(method, x=EXAMPLE_X, w=EXAMPLE_W):
    """How many multiplications `method` ("backward" or "closed_form") needs for all eight gradients,
    given the forward values (the forward pass is the same for both and is not counted)."""
    funcs = {"backward": lambda f, w: _backward(f, w)[0], "closed_form": _closed_form}
    as_choice("method", method, tuple(funcs))
    xc, wc, tally = instrumented(x, w)
    f = forward(xc, wc)
    tally[0] = 0  # the forward pass is the same for both methods
    grads = funcs[method](f, wc)
    assert set(grads) == set(WEIGHTS)
    return tally[0]


def _layered_forward(x, Ws, tanh=np.tanh):
    """Activations [x, a(1), ..., a(L)] of a layered tanh net: a(l)_j = tanh(sum_i a(l-1)_i Ws[l-1][i][j])."""
    acts = [list(x)]
    for W in Ws:
        prev = acts[-1]
        acts.append([tanh(sum(prev[i] * W[i][j] for i in range(len(prev)))) for j in range(len(W[0]))])
    return acts


def _layered_backprop(acts, Ws):
    """Every dy/dW[l][i][j] of y = sum of the last layer, by the delta recursion: each delta computed once."""
    L = len(Ws)
    delta = [1 - a * a for a in acts[L]]                  # dy/da = 1 at the last layer, times tanh' = 1 - a²
    grads = [None] * L
    for l in reversed(range(L)):
        grads[l] = [[a_i * d_j for d_j in delta] for a_i in acts[l]]     # dy/dw_ij = a_i delta_j
        if l > 0:                                         # delta_i = (1 - a_i²) sum_j w_ij delta_j
            delta = [(1 - a_i * a_i) * sum(Ws[l][i][j] * delta[j] for j in range(len(delta)))
                     for i, a_i in enumerate(acts[l])]
    return grads


def _layered_naive(acts, Ws):
    """The same gradients, each weight by its own chain-rule product: every delta is re-derived from the output
    down for every weight that needs it (a recursion without memory), as writing each formula out does."""
    L = len(Ws)

    def delta(l, j):                                      # dy/dz of unit j of layer l (1..L)
        slope = 1 - acts[l][j] * acts[l][j]
        if l == L:
            return slope
        return slope * sum(Ws[l][j][k] * delta(l + 1, k) for k in range(len(Ws[l][j])))

    return [[[acts[l][i] * delta(l + 1, j) for j in range(len(Ws[l][0]))] for i in range(len(acts[l]))]
            for l in range(L)]


def layered_weights(rng, depth, width=2):
    """Weights of a layered tanh net: `depth` arrays of shape (width, width), entries N(0, 1) from `rng`."""
    depth = as_int("depth", depth, low=1)
    width = as_int("width", width, low=1)
    return [rng.standard_normal((width, width)) for _ in range(depth)]


def layered_gradients(x, Ws, method="backprop"):
    """dy/dW for a layered tanh net (y = the sum of the last layer's activations), as a list of arrays shaped
    like Ws. x: shape (n,); Ws: arrays of shape (n, n); method "backprop" or "naive"."""
    as_choice("method", method, ("backprop", "naive"))
    x = as_float_array("x", x, ndim=1)
    if not isinstance(Ws, (list, tuple)):
        raise TypeError(f"Ws must be a list of weight arrays; got {type(Ws).__name__}")
    Ws = [as_float_array(f"Ws[{l}]", W, shape=(x.size, x.size)) for l, W in enumerate(Ws)]
    if not Ws:
        raise ValueError("Ws must hold at least one layer; got an empty list")
    acts = _layered_forward(x, Ws)
    grads = (_layered_backprop if method == "backprop" else _layered_naive)(acts, Ws)
    return [np.array(g, dtype=float) for g in grads]


def layered_counts(depth, width=2):
    """Multiplications after the forward pass for all weight gradients of a layered tanh net with `width` inputs
    and `depth` tanh layers of `width` units: {"backprop": ..., "naive": ...}, counted on instrumented numbers.
    depth=2, width=2 is the network of this module. The counts depend on the shape only, not on the values."""
    Ws = layered_weights(np.random.default_rng(0), depth, width)  # any values: every operand is counted
    counts = {}
    for method, grads_of in (("backprop", _layered_backprop), ("naive", _layered_naive)):
        tally = [0]
        counted = [[[_Counted(float(v), tally) for v in row] for row in W] for W in Ws]
        acts = _layered_forward([_Counted(1.0, tally)] * width, counted, tanh=_Counted.tanh)
        tally[0] = 0  # the forward pass is the same for both
        grads_of(acts, counted)
        counts[method] = tally[0]
    return counts


def numerical_gradients(x, w, h=1e-5):
    """Centered finite differences of y for each weight."""
    from .gradcheck import numerical_gradient

    (x1, x2), w = validate(x, w)
    values = [np.array(w[k]) for k in WEIGHTS]
    num = numerical_gradient(lambda p: _forward(x1, x2, dict(zip(WEIGHTS, (float(v) for v in p))))["y"], values, h)
    return {k: float(g) for k, g in zip(WEIGHTS, num)}


def autograd_gradients(x, w):
    """dy/dw for each weight from torch.autograd in float64."""
    import torch

    (x1, x2), w = validate(x, w)
    params = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in w.items()}
    y = _forward(torch.tensor(x1, dtype=torch.float64), torch.tensor(x2, dtype=torch.float64), params, torch.tanh)["y"]
    y.backward()
    return {k: float(params[k].grad) for k in WEIGHTS}


def batch_gradients(x, w, method, h=1e-5):
    """All eight gradients of many networks at once: x shape (n, 2), w {name: shape (n,)}, -> {name: shape (n,)}.

    method: "backward", "closed_form", "finite_differences" (centred, step h) or "autograd" (torch, float64).
    The networks are independent, so every formula of this module works on their arrays element by element.
    """
    as_choice("method", method, ("backward", "closed_form", "finite_differences", "autograd"))
    x = as_float_array("x", x, shape=(None, 2))
    _check_keys(w)
    w = {k: as_float_array(f"w[{k!r}]", w[k], shape=(len(x),)) for k in WEIGHTS}
    x1, x2 = x[:, 0], x[:, 1]
    if method == "backward":
        return _backward(_forward(x1, x2, w), w)[0]
    if method == "closed_form":
        return _closed_form(_forward(x1, x2, w), w)
    if method == "finite_differences":
        y = lambda k, step: _forward(x1, x2, {**w, k: w[k] + step})["y"]  # noqa: E731
        return {k: (y(k, h) - y(k, -h)) / (2 * h) for k in WEIGHTS}
    import torch

    params = {k: torch.tensor(v, requires_grad=True) for k, v in w.items()}
    _forward(torch.tensor(x1), torch.tensor(x2), params, torch.tanh)["y"].sum().backward()
    return {k: params[k].grad.numpy() for k in WEIGHTS}


def random_networks(rng, n):
    """n random networks for batch_gradients: (x shape (n, 2), w {name: shape (n,)}), all entries N(0, 1)."""
    n = as_int("n", n, low=1)
    return rng.standard_normal((n, 2)), {k: rng.standard_normal(n) for k in WEIGHTS}

def random_weights(rng, scale=1.0):
    """A weight dict with entries scale * N(0, 1), drawn from numpy Generator `rng`."""
    return {k: float(scale * v) for k, v in zip(WEIGHTS, rng.standard_normal(len(WEIGHTS)))}


def scaled(w, scale):
    """Every weight multiplied by `scale`."""
    scale = as_float("scale", scale)
    return {k: scale * v for k, v in validate((0.0, 0.0), w)[1].items()}


def graph_labels(x, w, show="values"):
    """What `draw` writes on the graph: (edge_text, node_text, node_colors) for draw_network.

    show="values": weights on edges, z and a on units; show="gradients": dy/dw on edges, dy/dz on units;
    show="deltas": δ = dy/dz on units and, on each edge, the product a_i·δ_j that is its weight's gradient, as a
    formula (no gradient's value). Every unit is named. Units whose slope tanh' = 1 - a^2 is below SATURATED are
    coloured orange.
    """
    as_choice("show", show, ("values", "gradients", "deltas"))
    f = forward(x, w)
    grads, d = backward(x, w)
    weight_of = {e: f"w{e[0][-1]}{e[1]}" for e in EDGES if e[1] != "y"}
    if show == "values":
        edge_text = {e: f"{n} = {w[n]:+.2f}" for e, n in weight_of.items()}
        node_text = {"x1": f"x1\n{f['x1']:+.2f}", "x2": f"x2\n{f['x2']:+.2f}", "y": f"y\n{f['y']:+.3f}"}
        node_text.update({u: f"unit {u}\nz {f['z' + u]:+.2f}\na {f['a' + u]:+.2f}" for u in "3456"})
    elif show == "deltas":
        carried = {"1": "x1", "2": "x2", "3": "a3", "4": "a4"}
        edge_text = {e: f"∂y/∂{n}\n= {carried[n[1]]}·δ{n[2]}" for e, n in weight_of.items()}
        node_text = {"x1": "x1", "x2": "x2", "y": "y"}
        node_text.update({u: f"unit {u}\nδ{u}\n{d['z' + u]:+.3f}" for u in "3456"})
    else:
        edge_text = {e: f"∂y/∂{n}\n{grads[n]:+.3f}" for e, n in weight_of.items()}
        node_text = {"x1": "x1", "x2": "x2", "y": "y\n∂y/∂y\n1"}
        node_text.update({u: f"unit {u}\n∂y/∂z{u}\n{d['z' + u]:+.3f}" for u in "3456"})
    colors = {u: style.ORANGE if 1 - f["a" + u] ** 2 < SATURATED else "white" for u in "3456"}
    return edge_text, node_text, colors


# Where each edge's label sits, as a fraction of the way along it: the straight edges' labels at their middle; the
# crossing edges cross at their middle, so their labels sit on two lines nearer their source, clear of the other edge
# (a level label near the crossing sits between both crossing edges, and which weight it names is a guess).
CROSSING = [e for e in EDGES if e[0][-1] in "13" and e[1] in "46" or e[0][-1] in "24" and e[1] in "35"]
_LABEL_AT = {e: 0.32 if e in CROSSING else 0.5 for e in EDGES}


def draw(ax, x, w, show="values", title=None):
    """Draw the graph with graph_labels(x, w, show) into `ax`; returns draw_network's handles."""
    edge_text, node_text, colors = graph_labels(x, w, show)
    edge_text = {e: text.replace(" = ", "\n= ", 1) if e in CROSSING else text for e, text in edge_text.items()}
    drawn = diagrams.draw_network(ax, LAYERS, EDGES, node_text=node_text, edge_text=edge_text, node_colors=colors,
                                  layer_labels=["inputs", "tanh units 3, 4", "tanh units 5, 6", "output y = a5 + a6"],
                                  title=title, radius=0.7, spacing=3.0, layer_gap=4.2)
    for (a, b), text in drawn["edge_texts"].items():
        (x0, y0), (x1, y1) = drawn["pos"][a], drawn["pos"][b]
        t = _LABEL_AT[(a, b)]
        text.set_position((x0 + t * (x1 - x0), y0 + t * (y1 - y0)))
    return drawn


def _fmt(v, digits=3):
    """A signed number as the figures print it, with a true minus sign (a screen reader says "minus")."""
    return f"{v:+.{digits}f}".replace("-", "−")


def network_figure(x, w, show="values", title=None):
    """The graph of `draw` as a Figure with its text description (style.describe): what each unit and edge
    shows, with the numbers of this network. show: "values" or "deltas" (see graph_labels)."""
    as_choice("show", show, ("values", "deltas"))
    f = forward(x, w)
    _, d = backward(x, w)
    fig = style.figure(figsize=(9, 4.5))
    draw(fig.subplots(), x, w, show=show, title=title)
    units = "tanh units 3 and 4, which feed tanh units 5 and 6, whose sum is the output y"
    saturated = [u for u in "3456" if 1 - f["a" + u] ** 2 < SATURATED]
    marked = (f" Units {', '.join(saturated)} are saturated (slope below {SATURATED}) and drawn orange."
              if saturated else " No unit is saturated.")
    if show == "values":
        weights = ", ".join(f"{k} = {_fmt(f_w, 2)}" for k, f_w in validate(x, w)[1].items())
        values = "; ".join(f"unit {u}: z = {_fmt(f['z' + u], 2)}, a = {_fmt(f['a' + u], 2)}" for u in "3456")
        text = (f"The network drawn left to right: the inputs x1 = {_fmt(f['x1'], 2)} and x2 = {_fmt(f['x2'], 2)} "
                f"feed {units}. Each edge carries its weight ({weights}); each unit shows its z and a ({values}). "
                f"The output is y = {_fmt(f['y'])}.")
    else:
        deltas = ", ".join(f"δ{u} = {_fmt(d['z' + u])}" for u in "5634")
        text = (f"The backward pass on the network whose inputs x1 = {_fmt(f['x1'], 2)} and x2 = {_fmt(f['x2'], 2)} "
                f"feed {units}. Each unit shows its δ = ∂y/∂z, computed from the "
                f"output back ({deltas}). Each edge shows the product that is its weight's gradient, the value the "
                "edge carries times the δ of the unit it feeds: ∂y/∂w13 = x1·δ3, ∂y/∂w23 = x2·δ3, ∂y/∂w35 = a3·δ5, "
                "and so on.")
    return style.describe(fig, text + marked)


def depth_cost_figure(depths, backprop, naive):
    """Multiplications for all weight gradients against depth (log scale): backpropagation's and each weight's
    own chain-rule product's, with the description. depths, backprop, naive: sequences of equal length."""
    depths = as_float_array("depths", depths, ndim=1)
    backprop = as_float_array("backprop", backprop, shape=(depths.size,))
    naive = as_float_array("naive", naive, shape=(depths.size,))
    fig = style.figure(figsize=(6, 4))
    ax = fig.subplots()
    ax.semilogy(depths, naive, "o-", color=style.VERMILLION, label="each weight separately")
    ax.semilogy(depths, backprop, "s--", color=style.BLUE, label="backpropagation")
    ax.set(xlabel="depth L (tanh layers of width 2)", ylabel="multiplications after the forward pass",
           title="the cost of all weight gradients")
    style.plain_log_ticks(ax.yaxis)
    ax.legend()
    first, last = f"L = {depths[0]:g}", f"L = {depths[-1]:g}"
    return style.describe(fig, (
        f"Multiplications after the forward pass against the depth, from {first} to {last}, on a logarithmic "
        f"axis. Backpropagation (squares, dashed) goes from {backprop[0]:g} to {backprop[-1]:g}: a curve that "
        f"flattens on the log axis, linear growth. Each weight separately (circles, solid) goes from {naive[0]:g} "
        f"to {naive[-1]:g}, close to a straight line: exponential growth. At {last} the separate products need "
        f"{naive[-1] / backprop[-1]:.0f} times as many multiplications."))


def w13_curve(x, scales, w=EXAMPLE_W):
    """|dy/dw13| at input x for the networks with weights scale * w, one per entry of `scales` (shape (n,)),
    all at once (the formulas work element-wise): an array of shape (n,)."""
    (x1, x2), base = validate(x, w)
    scales = as_float_array("scales", scales, ndim=1)
    along = {k: scales * v for k, v in base.items()}
    return np.abs(_backward(_forward(x1, x2, along), along)[0]["w13"])


def saturation_curves_figure(scales, inputs):
    """|dy/dw13| against the weight scale (both axes logarithmic) at each input of `inputs` (pairs (x1, x2)),
    with its peak marked, and the description (where each curve peaks, its value at the last scale).
    A curve that reaches exactly 0 (tanh rounded to ±1) stops there."""
    scales = as_float_array("scales", scales, ndim=1)
    fig = style.figure(figsize=(7, 4))
    ax = fig.subplots()
    parts = []
    for (x_in, color, line) in zip(inputs, (style.BLUE, style.VERMILLION), ("-", "--")):
        curve = w13_curve(x_in, scales)
        i = int(np.argmax(curve))
        label = f"x = ({x_in[0]:g}, {x_in[1]:g})"
        ax.loglog(scales, np.where(curve > 0, curve, np.nan), line, color=color, label=label)
        ax.plot(scales[i], curve[i], "o", color=color)
        end = (f"{curve[-1]:.1e} at scale {scales[-1]:g}, {curve[i] / curve[-1]:.0e} times smaller than the peak"
               if curve[-1] > 0 else
               f"exactly 0 from scale {scales[int(np.argmax(curve == 0))]:.1f} on, where the line stops")
        parts.append(f"at {label} ({'solid' if line == '-' else 'dashed'}) it rises to a peak of {curve[i]:.3f} "
                     f"at scale {scales[i]:.2f} (a dot), then falls to {end}")
    ax.set(xlabel="weight scale (every weight = scale × the example's)", ylabel="|∂y/∂w13|",
           title="|∂y/∂w13| peaks, then collapses as the units saturate (dots: peaks)")
    style.plain_log_ticks(ax.xaxis)
    style.plain_log_ticks(ax.yaxis)
    ax.legend()
    return style.describe(fig, f"|∂y/∂w13| against the weight scale from {scales[0]:g} to {scales[-1]:g}, both "
                               f"axes logarithmic: {'; '.join(parts)}.")


SCALES = np.geomspace(0.1, 10.0, 81)  # the slider's range; every slider position (steps of 10^0.05) lies on it
SATURATION_X = (1.0, 0.0)  # the widget's first input: every unit saturates as the weights grow


def saturation_state(x1, x2, scale, w=EXAMPLE_W):
    """What the saturation widget shows: the network with weights scale * w at input (x1, x2).

    Returns a dict: x, w (scaled), forward, grads, nodes (dy/dz, dy/da), the curve |dy/dw13| over
    SCALES at this input (scales, curve), and text (the printed lines). |x1|, |x2| <= 100, 0 < scale <= 100.
    """
    # Bounded well beyond the sliders' ranges, so that no z overflows to inf.
    x = (as_float("x1", x1, low=-100, high=100), as_float("x2", x2, low=-100, high=100))
    scale = as_float("scale", scale, low=0, high=100, low_open=True)
    ws = scaled(w, scale)
    grads, nodes = backward(x, ws)
    f = forward(x, ws)
    curve = w13_curve(x, SCALES, w)
    slopes = ", ".join(f"1-a{u}²={1 - f['a' + u] ** 2:.3f}" for u in "3456")
    text = (f"x = ({x[0]:.2f}, {x[1]:.2f}), weights × {scale:.2f}: y = {f['y']:.4f}\n"
            f"dy/dw13 = {grads['w13']:.5f}; largest |δ| = {max(abs(nodes['z' + u]) for u in '3456'):.5f}\n"
            f"tanh slopes: {slopes}")
    return {"x": x, "w": ws, "scale": scale, "forward": f, "grads": grads, "nodes": nodes,
            "scales": SCALES, "curve": curve, "text": text}


def curve_panel(state):
    """What the widget's curve panel draws for a saturation_state: |dy/dw13| over SCALES and at the current
    scale, both divided by the curve's peak (so the curve fills the panel, whatever its size), and the caption
    giving the peak. Returns (curve, marker, caption)."""
    peak = float(np.max(state["curve"]))
    if peak == 0:  # x1 = 0: dy/dw13 = x1 · dy/dz3 vanishes at every scale
        return state["curve"], 0.0, "dy/dw13 = 0 at every scale (x1 = 0)"
    best = float(state["scales"][np.argmax(state["curve"])])
    return (state["curve"] / peak, abs(state["grads"]["w13"]) / peak,
            f"peak |dy/dw13| = {peak:.3g} at scale {best:.2f}")


class SaturationView:
    """The saturation widget's figure, made once: a slider move rewrites the graph's δ labels and
    unit colours, and moves the curve (scaled to its peak, so that it fills the panel), its marker and the
    caption giving the peak; axes, ticks and titles stay drawn (style.LiveFigure)."""

    def __init__(self):
        self.live = style.LiveFigure(figsize=(13, 5))
        ax_graph, self.ax_curve = self.live.fig.subplots(1, 2, width_ratios=(5, 2))
        self.drawn = draw(ax_graph, EXAMPLE_X, EXAMPLE_W, show="deltas",  # labels replaced by each update
                          title=f"δ = ∂y/∂z of each unit (orange: saturated, tanh' < {SATURATED})")
        for edge, text in self.drawn["edge_texts"].items():
            self.live.dynamic(edge, text)
        for u in "3456":
            self.live.dynamic(("circle", u), self.drawn["circles"][u])
            self.live.dynamic(("text", u), self.drawn["node_texts"][u])
        ax = self.ax_curve
        ax.set(xscale="log", xlim=(SCALES[0], SCALES[-1]), ylim=(0, 1.15), xlabel="weight scale",
               ylabel="|dy/dw13| / its peak over the scales", title="|dy/dw13| against the weight scale")
        style.plain_log_ticks(ax.xaxis)
        self.curve = self.live.dynamic("curve", ax.plot([], [], color=style.BLUE)[0])
        self.marker = self.live.dynamic("marker", ax.plot([], [], "o", color=style.VERMILLION, label="current scale",
                                                          clip_on=False)[0])
        self.caption = self.live.dynamic("caption", ax.text(0.03, 1.1, "", ha="left", va="center", fontsize=10,
                                                            transform=ax.get_yaxis_transform()))
        self.live.overlay(ax.legend(fontsize=10, loc="center right", framealpha=1))

    def update(self, state):
        """Show a saturation_state; returns self."""
        edge_text, node_text, colors = graph_labels(state["x"], state["w"], show="deltas")
        for edge, text in self.drawn["edge_texts"].items():
            text.set_text(edge_text[edge])
        for u in "3456":
            self.drawn["node_texts"][u].set_text(node_text[u])
            self.drawn["circles"][u].set_facecolor(colors[u])
        curve, marker, caption = curve_panel(state)
        self.curve.set_data(state["scales"], curve)
        self.marker.set_data([state["scale"]], [marker])
        self.caption.set_text(caption)
        return self

    def render(self, x1, x2, scale):
        """One frame for the sliders' values: (PNG bytes, the printed lines of saturation_state)."""
        state = saturation_state(x1, x2, scale)
        self.update(state)
        return self.live.png(), state["text"]

    def render_described(self, x1, x2, scale):
        """One frame with its text description, for style.live_output: (PNG bytes, printed lines, description)."""
        picture, text = self.render(x1, x2, scale)
        return picture, text, saturation_description(saturation_state(x1, x2, scale))


def saturation_description(state):
    """The text description of the saturation widget's frame for a saturation_state: which units are saturated,
    their slopes, and where the current scale sits on the |dy/dw13| curve."""
    f = state["forward"]
    slopes = {u: 1 - f["a" + u] ** 2 for u in "3456"}
    saturated = [u for u in "3456" if slopes[u] < SATURATED]
    which = (f"{len(saturated)} of 4 units saturated (orange: {', '.join('unit ' + u for u in saturated)})"
             if saturated else "no unit saturated")
    graph = (f"Left: the network at x = ({state['x'][0]:.2f}, {state['x'][1]:.2f}) with every weight × "
             f"{state['scale']:.2f}, each unit labelled with its δ = ∂y/∂z and each edge with the product a_i·δ_j "
             f"that is its weight's gradient; {which}; the slopes 1 − a² are "
             + ", ".join(f"{slopes[u]:.3f} (unit {u})" for u in "3456") + ".")
    if not np.any(state["curve"]):
        return graph + " Right: |∂y/∂w13| is 0 at every weight scale, since x1 = 0."
    peak = int(np.argmax(state["curve"]))
    return (graph + f" Right: |∂y/∂w13| against the weight scale, relative to its peak, "
            f"{state['curve'][peak]:.3g} at scale {state['scales'][peak]:.2f}; at the current scale it is "
            f"{abs(state['grads']['w13']):.3g}, {abs(state['grads']['w13']) / state['curve'][peak]:.2g} times the peak.")
