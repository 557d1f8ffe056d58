"""Checks of notebook 02 (tanh chain rule), on the Exercise protocol.

Besides its plain answers, each exercise runs the student's function once on counting numbers
(`tanhnet.instrumented`): they show that the answer was computed from the x and w it was given (calling the
package's own tanhnet.backward or closed_form fails on them), and for `backward` how many multiplications it
took, against the backpropagation order. The counting numbers record every operation on a tape, which collect
returns; the judge takes no number from it on trust: it replays the tape from the case's x and w, and on networks
of its own that the student's code never sees, and counts the multiplications of the replay (_judge_counted).
"""
from functools import partial

import numpy as np

from .. import tanhnet
from ._answers import describe, number
from ._core import Exercise, _call, _close, _collect_numbers, _fail, _judge_numbers

TOL = 1e-8
UNSEEN = 2  # networks the judge also replays a counting run's tape on, drawn afresh each time
ALLOWED = ("compute with +, -, *, ** and numpy.tanh on the numbers you are given (or on f = tanhnet.forward(x, w)); "
           "float(), math functions and the package's tanhnet.backward / closed_form cannot be used here")


def _tanh_cases(seed, n=5):
    """n random networks: [((x1, x2), {w13: ..., w46: ...}), ...], inputs and weights N(0, 1)."""
    rng = np.random.default_rng(seed)
    return [((float(a), float(b)), tanhnet.random_weights(rng)) for a, b in rng.standard_normal((n, 2))]


def _collect_counted(fn, case, keys=None):
    """Run fn once on counting numbers for `case`: {"tape": the operations they recorded (see tanhnet.replay),
    "returned": where the result is on the tape (tanhnet.tape_ref: an entry's index, "plain" or "foreign"), or
    {key: that} for the `keys` of a dict result (None when fn returned no dict)}; or {"error": "..."} when fn
    cannot run on them. Plain data only. (No CheckFailed passes through here: what fn raises is recorded.)"""
    x, w, _ = tanhnet.instrumented(*case)
    tape = x[0].tape  # taken before fn, which gets x, runs
    try:
        result = fn(x, w)
    except Exception as exc:  # noqa: BLE001  (what the student's code raises is reported, not raised)
        return {"error": f"{type(exc).__name__}: {exc}"}
    if keys is None:
        returned = tanhnet.tape_ref(result, tape)
    elif isinstance(result, dict):
        returned = {k: tanhnet.tape_ref(result.get(k), tape) for k in keys}
    else:
        returned = None
    return {"tape": list(tape), "returned": returned}


def _judge_counted(name, counted, case, expected, reference):
    """The counting run on `case` must have worked, and its tape must replay from the case's x and w
    (tanhnet.replay: every recorded value is the replayed one); the entries it returned must hold the plain answers
    `expected` (a float, or a dict of floats), and hold reference(x, w) on UNSEEN networks too, drawn here and
    never shown to the student's code (a constant computed outside the counting numbers fits one network only).
    Returns the multiplications of the replay: what the tape does, not what the sandbox says."""
    __tracebackhide__ = True
    if not isinstance(counted, dict):
        _fail(f"{name}: the record of the counting run is missing")
    if "error" in counted:
        _fail(f"{name} works on floats but not on the counting numbers the check uses to see how the answer is "
              f"computed (it raised {str(counted['error'])[:200]}): {ALLOWED}")
    tape = counted.get("tape")
    if isinstance(tape, (list, tuple)) and len(tape) > tanhnet.MAX_TAPE:
        _fail(f"{name} took more than {tanhnet.MAX_TAPE} operations on the counting numbers, more than the check "
              "records: compute the answer in fewer steps")
    try:
        values, count = tanhnet.replay(tape, *case)
    except tanhnet.TapeError as exc:
        _fail(f"{name}: the record of the counting run does not replay: {exc}")
    returned = counted.get("returned")
    keys = list(expected) if isinstance(expected, dict) else [None]
    refs = []
    for key in keys:  # a loop, not a comprehension (see _core: hidden frames)
        ref = returned.get(key) if isinstance(returned, dict) else (returned if key is None else None)
        label = name if key is None else f"{name}'s dy/d{key}"
        if isinstance(ref, str) and ref == "foreign":
            _fail(f"{label} is a counting number that no operation of the counting run made (one made by hand, e.g. "
                  f"from a plain float .value): {ALLOWED}")
        if type(ref) is not int:
            _fail(f"{label} was not computed from the x and w it was given: {ALLOWED}")
        if not 0 <= ref < len(values):
            _fail(f"{name}: the record of the counting run does not replay: {label} is entry {ref}, not one of the "
                  f"tape's {len(values)} entries")
        want = expected[key] if key is not None else expected
        if not _close(np.array([values[ref]]), np.array([want]), TOL):
            _fail(f"{label} changes when the same x and w come as counting numbers: {ALLOWED}")
        refs.append(ref)
    for x, w in _tanh_cases(None, UNSEEN):  # fresh entropy: networks the sandbox cannot know
        right = reference(x, w)
        right = [right[k] for k in keys] if isinstance(right, dict) else [right]
        try:
            values = tanhnet.replay(tape, x, w, check=False)[0]
        except tanhnet.TapeError:  # a division by 0, say, on that network
            values = None
        if values is None or not _close(np.array([values[ref] for ref in refs]), np.array(right), TOL):
            _fail(f"{name}: the operations of the counting run give the answer only on the network they ran on, "
                  "not when replayed on others: the answer holds numbers computed outside the counting numbers (a "
                  f"constant, or a value taken out with .value): {ALLOWED}")
    return count


def _slope_mistakes(grads_of, units):
    """Mistakes in tanh' = 1 - a², each as (message, wrong function of (x, w)): made at all the `units` whose slopes
    the answer takes, or at one of them only (tried first: where the answer is wrong, it cannot match the other). grads_of(x, w, slope, units) applies slope(a, z) at `units`."""
    kinds = [
        ("tanh' is 1 - a², not 1 - a: square the activations", lambda a, z: 1 - a),
        ("tanh' must be taken at the activation a = tanh(z): you squared z instead of a", lambda a, z: 1 - z * z),
        ("tanh' is 1 - a², not 1 + a²", lambda a, z: 1 + a * a),
    ]
    return [(message, partial(_with_slope, grads_of, slope, at)) for message, slope in kinds for at in [*units, units]]


def _with_slope(grads_of, slope, units, x, w):
    return grads_of(x, w, slope, units)


def _slopes(f, slope, units="3456"):
    """{unit: its slope 1 - a²} for units 3-6, with slope(a, z) in its place at the `units` (a mistake, or right)."""
    return {u: slope(f["a" + u], f["z" + u]) if u in units else 1 - f["a" + u] ** 2 for u in "3456"}


# ---- Exercise 1: dy/dw24 -------------------------------------------------------------------------------

def _dw24(x, w, slope=lambda a, z: 1 - a * a, units="456", out=("w45", "w46")):
    """dy/dw24, or a mistake: slope(a, z) for tanh' at `units`, the weights `out` in place of w45, w46."""
    f = tanhnet.forward(x, w)
    s = _slopes(f, slope, units)
    return f["x2"] * s["4"] * (w[out[0]] * s["5"] + w[out[1]] * s["6"])


def _on_the_example(reference):
    """The mistake of computing on the notebook's example network, whatever network the function is given."""
    return lambda x, w: reference(tanhnet.EXAMPLE_X, tanhnet.EXAMPLE_W)


EXAMPLE_MISTAKE = ("returns the example network's value on every network: compute from the x and w the function is "
                   "given, not from the notebook's example (tanhnet.EXAMPLE_X, EXAMPLE_W, or the notebook's x, w, f)")


def _scalar_collect(name, fn, cases):
    """collect(fn, cases) of a scalar exercise, given as partial(_scalar_collect, name): the plain answers and
    one counting run. (A partial, not a closure made at import: mutation testing can reach it.)"""
    __tracebackhide__ = True
    values = _collect_numbers(name, fn, [(x, dict(w)) for x, w in cases])
    return {"values": values, "counted": _collect_counted(fn, cases[0])}


def _scalar_judge(name, reference, mistakes, message):
    def judge(cases, answers):
        __tracebackhide__ = True
        if not isinstance(answers, dict):
            _fail(f"{name}: expected the answers as a dict, got {describe(answers)}")
        _judge_numbers(name, answers.get("values"), reference, mistakes, cases)
        _judge_counted(name, answers.get("counted"), cases[0], reference(*cases[0]), reference)
        return message
    return judge


def _dw24_judge(cases, answers):
    __tracebackhide__ = True
    f = tanhnet.forward
    mistakes = [
        ("the factor (1 - a4²), the derivative of tanh at unit 4, is missing",
         lambda x, w: f(x, w)["x2"] * (w["w45"] * (1 - f(x, w)["a5"] ** 2) + w["w46"] * (1 - f(x, w)["a6"] ** 2))),
        ("the factors (1 - a5²) and (1 - a6²) of units 5 and 6 are missing",
         lambda x, w: f(x, w)["x2"] * (1 - f(x, w)["a4"] ** 2) * (w["w45"] + w["w46"])),
        ("that is dy/dw14: w24 multiplies x2, not x1", lambda x, w: tanhnet.closed_form(x, w)["w14"]),
        ("that is dy/dw23: w24 feeds unit 4, so use a4, w45 and w46", lambda x, w: tanhnet.closed_form(x, w)["w23"]),
        ("unit 4 reaches y along two paths, through unit 5 and through unit 6: add both",
         lambda x, w: f(x, w)["x2"] * (1 - f(x, w)["a4"] ** 2) * w["w45"] * (1 - f(x, w)["a5"] ** 2)),
        ("unit 4 reaches units 5 and 6 through the weights leaving it, w45 and w46: w35 and w36 leave unit 3",
         lambda x, w: _dw24(x, w, out=("w35", "w36"))),
        *_slope_mistakes(lambda x, w, slope, units: _dw24(x, w, slope, units), "456"),
        (EXAMPLE_MISTAKE, _on_the_example(_dw24)),
    ]
    return _scalar_judge("dy_dw24", _dw24, mistakes,
                         "dy/dw24 = x2 (1 - a4²) [w45 (1 - a5²) + w46 (1 - a6²)] matches on 5 random networks")(cases, answers)


# fn(x, w) -> dy/dw24 = x2 (1 - a4^2) [w45 (1 - a5^2) + w46 (1 - a6^2)].
check_dy_dw24 = Exercise("check-dy-dw24",
                         "dy_dw24", _tanh_cases, partial(_scalar_collect, "dy_dw24"), _dw24_judge, seed=2)



# ---- Exercise 2: dy/dw46 -------------------------------------------------------------------------------

def _dw46(x, w):
    f = tanhnet.forward(x, w)
    return f["a4"] * (1 - f["a6"] ** 2)


def _dw46_judge(cases, answers):
    __tracebackhide__ = True
    f = tanhnet.forward
    mistakes = [
        ("the factor (1 - a6²), the derivative of tanh at unit 6, is missing", lambda x, w: f(x, w)["a4"]),
        ("that is dy/dw36: w46 carries a4, not a3", lambda x, w: tanhnet.closed_form(x, w)["w36"]),
        ("that is dy/dw45: w46 feeds unit 6, so the factor is (1 - a6²)", lambda x, w: tanhnet.closed_form(x, w)["w45"]),
        ("tanh' is 1 - a², not 1 - a", lambda x, w: f(x, w)["a4"] * (1 - f(x, w)["a6"])),
        ("the factor is (1 - a6²) of the unit w46 feeds, not (1 - a4²)", lambda x, w: f(x, w)["a4"] * (1 - f(x, w)["a4"] ** 2)),
        ("w46 multiplies a4 on its way into z6: the input of the edge is a4, not a6",
         lambda x, w: f(x, w)["a6"] * (1 - f(x, w)["a6"] ** 2)),
        ("you wrote the weight w46 where a4 belongs: ∂z6/∂w46 is the number w46 multiplies in z6 = a3 w36 + a4 w46, "
         "that is a4", lambda x, w: w["w46"] * (1 - f(x, w)["a6"] ** 2)),
        ("the weight w46 is not a factor of its own gradient: ∂z6/∂w46 = a4, so dy/dw46 = a4 (1 - a6²), without w46",
         lambda x, w: f(x, w)["a4"] * w["w46"] * (1 - f(x, w)["a6"] ** 2)),
        ("w46 multiplies the activation a4 = tanh(z4), not z4: use a4", lambda x, w: f(x, w)["z4"] * (1 - f(x, w)["a6"] ** 2)),
        ("the factor a4 is missing: ∂z6/∂w46 = a4, the number w46 multiplies", lambda x, w: 1 - f(x, w)["a6"] ** 2),
        ("w46 carries a4, the output of unit 4, into z6, not the input x2",
         lambda x, w: f(x, w)["x2"] * (1 - f(x, w)["a6"] ** 2)),
        ("tanh' is 1 - a², not 1 + a²", lambda x, w: f(x, w)["a4"] * (1 + f(x, w)["a6"] ** 2)),
        (EXAMPLE_MISTAKE, _on_the_example(_dw46)),
    ]
    return _scalar_judge("dy_dw46", _dw46, mistakes, "dy/dw46 = a4 (1 - a6²) matches on 5 random networks")(cases, answers)


# fn(x, w) -> dy/dw46 = a4 (1 - a6^2).
check_dy_dw46 = Exercise("check-dy-dw46",
                         "dy_dw46", _tanh_cases, partial(_scalar_collect, "dy_dw46"), _dw46_judge, seed=2)



# ---- Exercise 3: backward, all eight gradients without redundant computation --------------------------

def _variant(x, w, slope=lambda a, z: 1 - a * a, paths="56", transposed=False, swap_inputs=False,
             own_activation=False, units="3456", one_path_at="34", out4=("w45", "w46"), a4="a4"):
    """The eight gradients, right by default; each argument makes one of the mistakes the check recognises.
    slope: tanh' at `units`; paths: the units 5 and 6 whose δ reaches the units `one_path_at` of the first layer
    ("5" or "6": one path only); out4: the weights δ4 collects through; a4: the value w45 and w46 carry."""
    f = tanhnet.forward(x, w)
    s = _slopes(f, slope, units)
    d = {"5": s["5"], "6": s["6"]}
    out3 = (w["w35"], w["w45"]) if transposed else (w["w35"], w["w36"])  # weights leaving unit 3 (or not)
    out4 = (w["w36"], w["w46"]) if transposed else (w[out4[0]], w[out4[1]])
    for j, out in (("3", out3), ("4", out4)):
        on = {u: 1.0 if u in paths or j not in one_path_at else 0.0 for u in "56"}
        d[j] = s[j] * (on["5"] * out[0] * d["5"] + on["6"] * out[1] * d["6"])
    x1, x2 = (f["x2"], f["x1"]) if swap_inputs else (f["x1"], f["x2"])
    inputs = {"1": x1, "2": x2, "3": f["a3"], "4": f[a4]}
    source = {"3": f["a3"], "4": f["a4"], "5": f["a5"], "6": f["a6"]}  # a_j of the unit j a weight feeds
    return {k: (source[k[2]] if own_activation else inputs[k[1]]) * d[k[2]] for k in tanhnet.WEIGHTS}


def _variant_at(x, w, slope, units):
    return _variant(x, w, slope=slope, units=units)


BACKWARD_MISTAKES = [
    *[(f"δ{u} needs the slope tanh' = 1 - a{u}² of its own unit: it is missing",
       partial(_with_slope, _variant_at, lambda a, z: 1.0, u)) for u in "3456"],
    ("every δ needs the slope tanh' = 1 - a² of its own unit: the factors (1 - a²) are missing",
     lambda x, w: _variant(x, w, slope=lambda a, z: 1.0)),
    *_slope_mistakes(_variant_at, "3456"),
    *[(f"a unit that feeds two units collects δ from both: unit {' and unit '.join(units)} "
       f"{'feed' if len(units) > 1 else 'feeds'} units 5 and 6, so δ{' and δ'.join(units)} "
       f"{'need' if len(units) > 1 else 'needs'} a term for each path; you kept only the one through unit {paths}",
       partial(_variant, paths=paths, one_path_at=units)) for units in ("3", "4", "34") for paths in "56"],
    ("the sum in δ3 and δ4 runs over the weights leaving the unit (to units 5 and 6), not over the weights entering "
     "unit 5 or 6 (the transpose)", lambda x, w: _variant(x, w, transposed=True)),
    ("δ4 collects through the weights leaving unit 4, w45 and w46: w35 and w36 leave unit 3",
     lambda x, w: _variant(x, w, out4=("w35", "w36"))),
    ("∂y/∂w_ij = a_i δ_j with a_i the input of the edge: dy/dw13 = x1 δ3 and dy/dw23 = x2 δ3, you swapped x1 and x2",
     lambda x, w: _variant(x, w, swap_inputs=True)),
    ("w45 and w46 carry a4, the output of unit 4, not the input x2", lambda x, w: _variant(x, w, a4="x2")),
    ("∂y/∂w_ij = a_i δ_j takes the activation a_i the weight carries, not a_j of the unit it feeds",
     lambda x, w: _variant(x, w, own_activation=True)),
    (EXAMPLE_MISTAKE, _on_the_example(_variant)),
]

# What each δ is: a hint toward its formula, never the formula (the student derives it in Exercise 3)
DELTA_HINT = {u: f"δ{u} = ∂y/∂z{u} is unit {u}'s slope times what reaches a{u} from each unit it feeds, through the "
                 "weight between them" for u in "34"}
DELTA_HINT.update({u: f"δ{u} = ∂y/∂z{u}, and y depends on z{u} only through a{u}" for u in "56"})


def _wrong_deltas(cases, got, wrong):
    """For gradients that take the δ of the wrong unit, ["dy/dw35 uses δ6", ...]: dy/dw_ij = a_i δ_m for the other
    unit m of j's layer, which is the gradient of w_im. None when some wrong gradient is not such a product."""
    other = {"3": "4", "4": "3", "5": "6", "6": "5"}
    said = []
    for k in wrong:  # a loop, not a comprehension (see _core: hidden frames)
        swapped = f"w{k[1]}{other[k[2]]}"
        if not _close(got[:, tanhnet.WEIGHTS.index(k)], np.array([tanhnet.backward(x, w)[0][swapped] for x, w in cases]),
                      TOL):
            return None
        said.append(f"dy/d{k} uses δ{other[k[2]]}")
    return said


def _gradient_dict(name, value):
    """The student's eight gradients as {key: float}, or CheckFailed saying what is malformed."""
    __tracebackhide__ = True
    if value is None:
        _fail(f"{name} returned None: did you forget `return`?")
    if not isinstance(value, dict):
        _fail(f"{name} must return a dict {{'w13': dy/dw13, ...}} of the eight gradients; got {describe(value)}")
    missing = [k for k in tanhnet.WEIGHTS if k not in value]
    extra = sorted(str(k) for k in value if k not in tanhnet.WEIGHTS)
    if missing or extra:
        _fail(f"{name} must return exactly the keys {', '.join(tanhnet.WEIGHTS)}"
              + (f"; missing {', '.join(missing)}" if missing else "") + (f"; unexpected {', '.join(extra)}" if extra else ""))
    numbers = {}
    for k in tanhnet.WEIGHTS:  # a loop, not a comprehension (see _core: hidden frames)
        numbers[k] = number(f"{name}'s dy/d{k}", value[k])
    return numbers


def _backward_collect(fn, cases):
    __tracebackhide__ = True
    gradients = []
    for x, w in cases:  # a loop, not a comprehension (see _core: hidden frames)
        gradients.append(_gradient_dict("backward", _call(fn, "backward", x, dict(w))))
    return {"gradients": gradients, "counted": _collect_counted(fn, cases[0], keys=tanhnet.WEIGHTS)}


def _reference_counts():
    """Multiplications of the forward pass plus backpropagation's, and plus the closed form's (each gradient on
    its own). They depend on the network's structure, not on its numbers (tests/tanhnet/test_tanhnet_claims.py)."""
    x, w, tally = tanhnet.instrumented(tanhnet.EXAMPLE_X, tanhnet.EXAMPLE_W)
    tanhnet.forward(x, w)
    return [tally[0] + tanhnet.count_multiplications(method) for method in ("backward", "closed_form")]


def _backward_judge(cases, answers):
    """All eight gradients right on every case, then no more multiplications than backpropagation."""
    __tracebackhide__ = True
    if not isinstance(answers, dict) or not isinstance(answers.get("gradients"), list) \
            or len(answers["gradients"]) != len(cases):
        _fail(f"backward: expected the gradients of {len(cases)} networks, got {describe(answers)}")
    got = np.array([[g[k] for k in tanhnet.WEIGHTS] for g in (_gradient_dict("backward", a) for a in answers["gradients"])])
    table = lambda fn: np.array([[fn(x, w)[k] for k in tanhnet.WEIGHTS] for x, w in cases])  # noqa: E731
    want = table(lambda x, w: tanhnet.backward(x, w)[0])
    wrong = [k for i, k in enumerate(tanhnet.WEIGHTS) if not _close(got[:, i], want[:, i], TOL)]
    if wrong:
        cols = [tanhnet.WEIGHTS.index(k) for k in wrong]
        for message, mistake in BACKWARD_MISTAKES:
            other = table(mistake)
            # (a mistake equal to the right values on these columns cannot match: they are wrong)
            if _close(got[:, cols], other[:, cols], TOL):
                _fail(f"backward: {message}")
        swapped = _wrong_deltas(cases, got, wrong)
        if swapped:
            _fail("backward: a gradient for the wrong unit: dy/dw_ij takes δ_j of the unit j the weight feeds "
                  f"(dy/dw13 uses δ3, dy/dw35 uses δ5), but your {', '.join(swapped)}")
        if _close(got[:, cols], -want[:, cols], TOL):
            _fail(f"backward: dy/d{', dy/d'.join(wrong)} {'has' if len(wrong) == 1 else 'have'} the wrong sign")
        units = sorted({k[2] for k in wrong})
        right = [k for k in tanhnet.WEIGHTS if k not in wrong]
        _fail(f"backward: dy/d{', dy/d'.join(wrong)} {'is' if len(wrong) == 1 else 'are'} wrong"
              + (f" (dy/d{', dy/d'.join(right)} {'is' if len(right) == 1 else 'are'} right)" if right else "")
              + f". They use the δ of unit {', '.join(units)}: {'; '.join(DELTA_HINT[u] for u in units)}"
              + f". For the first network expected dy/d{wrong[0]} = {want[0, cols[0]]:.6g}, got {got[0, cols[0]]:.6g}")
    count = _judge_counted("backward", answers.get("counted"), cases[0], dict(zip(tanhnet.WEIGHTS, got[0])),
                           lambda x, w: tanhnet.backward(x, w)[0])
    best, naive = _reference_counts()
    if count > best:
        how = ("as many as computing each gradient on its own" if count >= naive else
               "some shared factor (a slope 1 - a², a δ, or a sum over paths) is computed more than once")
        _fail(f"backward: the values are right, but they took {count} multiplications where backpropagation "
              f"takes {best} (forward pass included): {how}. Compute each δ once and reuse it")
    return (f"all eight gradients match on {len(cases)} random networks, in {count} multiplications "
            f"(forward pass included; each gradient on its own takes {naive})")


# fn(x, w) -> {"w13": dy/dw13, ..., "w46": dy/dw46}, all eight computed without redundant work.
check_tanh_backward = Exercise("check-tanh-backward",
                               "backward", _tanh_cases, _backward_collect, _backward_judge, seed=12)



# ---- Exercise 4: a scalar autograd engine, Value -------------------------------------------------------

def _value_collect(Value, cases):
    """Build each network from the student's Value class, call y.backward(), record y and the eight w.grad."""
    __tracebackhide__ = True
    if not isinstance(Value, type):
        _fail(f"Value must be a class; got {type(Value).__name__}")

    def run_case(x, w):
        xs = [Value(v) for v in x]
        ws = {k: Value(v) for k, v in w.items()}
        f = tanhnet._forward(xs[0], xs[1], ws, tanh=lambda v: v.tanh())
        f["y"].backward()
        return f, ws

    out = []
    for x, w in cases:
        f, ws = _call(run_case, "Value", x, w, case=f"the network x = ({x[0]:.3g}, {x[1]:.3g}), y = a5 + a6")
        grads, nodes = {}, {}
        for k in tanhnet.WEIGHTS:  # a loop, not a comprehension (see _core: hidden frames)
            grads[k] = number(f"w{k[1:]}.grad", getattr(ws[k], "grad", None))
        for k in NODES:  # where the gradient stopped, for the message when it did not reach the weights
            g = getattr(f[k], "grad", None)
            nodes[k] = float(g) if isinstance(g, (int, float)) and np.isfinite(g) else None
        out.append({"y": number("y.data", getattr(f["y"], "data", None)), "grads": grads, "nodes": nodes})
    return out


NODES = ("a5", "a6", "z5", "z6", "a3", "a4", "z3", "z4")  # the nodes whose grad _value_collect also records


def _stopped_at(answers):
    """Where the gradient stopped when no weight got any (the student's Value records it in each node's grad):
    "tanh" if it reached a5 and a6 but not z5, z6 (tanh passes nothing back), "mul" if it reached z5 or z6 (a
    product passes nothing back), else None. Only a message depends on it: the judge verifies the values."""
    nodes = answers[0].get("nodes") if isinstance(answers[0].get("nodes"), dict) else {}
    grad = {k: nodes.get(k) if isinstance(nodes.get(k), float) else None for k in NODES}
    if grad["a5"] and grad["a6"] and not grad["z5"] and not grad["z6"]:
        return "tanh"
    if grad["z5"] or grad["z6"]:
        return "mul"
    return None


def _mul_swapped(x, w):
    """The gradients when the product's backward uses each factor's own value, not the other factor's."""
    f = tanhnet.forward(x, w)
    s = _slopes(f, lambda a, z: 1 - a * a)
    d = {"5": s["5"], "6": s["6"]}
    d["3"] = s["3"] * f["a3"] * (d["5"] + d["6"])
    d["4"] = s["4"] * f["a4"] * (d["5"] + d["6"])
    return {k: w[k] * d[k[2]] for k in tanhnet.WEIGHTS}


VALUE_MISTAKES = [
    ("tanh's backward: the local derivative is 1 - a², not 1 - a", lambda x, w: _variant(x, w, slope=lambda a, z: 1 - a)),
    ("tanh's backward must multiply out.grad by tanh' = 1 - a² (it passes the gradient through unchanged)",
     lambda x, w: _variant(x, w, slope=lambda a, z: 1.0)),
    ("tanh's backward: take 1 - a² of the output a = tanh(z), not 1 - z²", lambda x, w: _variant(x, w, slope=lambda a, z: 1 - z * z)),
    ("tanh's backward: 1 - a², not 1 + a²", lambda x, w: _variant(x, w, slope=lambda a, z: 1 + a * a)),
    ("a3 and a4 feed two products each, and only one of them reached them: accumulate with `+=`, do not assign with `=`",
     lambda x, w: _variant(x, w, paths="5")),
    ("a3 and a4 feed two products each, and only one of them reached them: accumulate with `+=`, do not assign with `=`",
     lambda x, w: _variant(x, w, paths="6")),
    ("in the product's backward each factor gets the *other* factor times out.grad: (u·v)' with respect to u is v",
     _mul_swapped),
]


def _value_judge(cases, answers):
    __tracebackhide__ = True
    if not isinstance(answers, list) or len(answers) != len(cases) or not all(
            isinstance(a, dict) and isinstance(a.get("grads"), dict) for a in answers):
        _fail(f"Value: expected the results of {len(cases)} networks, got {describe(answers)}")
    ys = np.array([number("y.data", a.get("y")) for a in answers])
    if not _close(ys, np.array([tanhnet.forward(x, w)["y"] for x, w in cases]), TOL):
        _fail("Value: the forward values are wrong: check that + and * compute self.data + other.data and "
              "self.data * other.data, and tanh numpy.tanh(self.data)")
    got = np.array([[number(f"w{k[1:]}.grad", a["grads"].get(k)) for k in tanhnet.WEIGHTS] for a in answers])
    table = lambda fn: np.array([[fn(x, w)[k] for k in tanhnet.WEIGHTS] for x, w in cases])  # noqa: E731
    want = table(lambda x, w: tanhnet.backward(x, w)[0])
    if _close(got, want, TOL):
        return f"y.backward() gives all eight gradients on {len(cases)} random networks"
    if not np.any(got):
        stopped = _stopped_at(answers)
        if stopped == "tanh":
            _fail("Value: every weight's grad is 0: the gradient reaches a5 and a6 (a5.grad = 1) but not z5 and z6, "
                  "so your `tanh` passes nothing back. It must attach a backward function to the Value it returns "
                  "(`out._backward = _backward`, as `__add__` does) that adds (1 - a²) · out.grad to self.grad")
        if stopped == "mul":
            _fail("Value: every weight's grad is 0: the gradient reaches z5 and z6 but no product passes it on, so "
                  "your `__mul__` passes nothing back. It must attach a backward function to the Value it returns "
                  "(`out._backward = _backward`, as `__add__` does) that adds other.data · out.grad to self.grad and "
                  "self.data · out.grad to other.grad")
        _fail("Value: every gradient is 0, even a5's and a6's: `backward` and `__add__` are given as they should "
              "be; check that `__mul__` and `tanh` return the new Value with its parents, (self, other) and (self,)")
    for message, mistake in VALUE_MISTAKES:
        if _close(got, table(mistake), TOL):
            _fail(f"Value: {message}")
    if _close(got, -want, TOL):
        _fail("Value: the gradients have the wrong sign")
    _fail(f"Value: for the first network expected w13.grad = {want[0, 0]:.6g}, got {got[0, 0]:.6g}")


# Value: a scalar with .data, .grad, +, *, .tanh() and .backward(); checked on the tanh network.
check_value = Exercise("check-value", "Value", _tanh_cases, _value_collect, _value_judge, seed=14)
