"""Notebook 04's judges on recorded answers, as the grader calls them (judge(cases, answers), outside the
student's kernel): every failure branch of the four judges names what it found, at the tolerance it states, and a
record the grader could not even make gets a message instead of a crash; the cases each seed gives."""
import copy
import importlib.util
import re

import numpy as np
import pytest
import torch

from conftest import whole
from feedback import fails_with, judged, recorded
from test_checks_04 import error_torch, sequential, where, with_layer, written_backward, written_tanh
from utils import data, mlp
from utils.checks import _deny
from utils.checks import backprop
from utils.checks.backprop import check_backward as BACKWARD, check_backward_tanh as BACKWARD_TANH
from utils.checks.backprop import check_error_torch as ERROR_TORCH, check_sequential as SEQUENTIAL


@pytest.fixture(scope="module")
def seq():
    return recorded(SEQUENTIAL, sequential)


def test_sequential_right_record_gets_its_message(seq):
    cases, good = seq
    assert judged(SEQUENTIAL, cases, good) == ("the recorded layers (nn.Linear with weight w.T and bias b, a ReLU "
                                               "after each hidden one) compute the numpy network on X and on 32 "
                                               "inputs the judge drew, and the network's recorded output on X is "
                                               "theirs; its first weight's gradient will be in net[0].weight.grad, "
                                               "shaped (6, 4) = DW[0].T")


@pytest.mark.parametrize("answers,got", [(None, "NoneType"), ([{}], "list of length 1"), ("x", "str")])
def test_sequential_records_of_the_wrong_kind_are_described(seq, answers, got):
    cases, _ = seq
    assert judged(SEQUENTIAL, cases, answers) == f"build_sequential: expected {len(cases)} records, got {got}"


def edit(good, change):
    answers = copy.deepcopy(good)
    change(answers[0])
    return answers


def test_sequential_layers_that_are_no_list_count_as_none(seq):
    cases, good = seq
    for layers in (None, 5, "LinearReLU"):
        answers = edit(good, lambda a: a.update(layers=layers))
        assert judged(SEQUENTIAL, cases, answers) == "the network needs 4 nn.Linear layers; got 0"


def test_sequential_last_layer_is_named(seq):
    cases, good = seq
    answers = edit(good, lambda a: a["layers"].append({"type": "Tanh"}))
    assert judged(SEQUENTIAL, cases, answers) == ("the network ends with Tanh: the output layer is linear, "
                                                  "no ReLU after it")


def test_sequential_counts_the_relus_it_found(seq):
    cases, good = seq
    answers = edit(good, lambda a: a["layers"].pop(1))  # Linear, Linear, ReLU, Linear, ReLU, Linear
    assert judged(SEQUENTIAL, cases, answers) == "the network needs a ReLU after each hidden layer (3); got 2"


def test_sequential_weight_that_is_not_an_array_is_shown(seq):
    cases, good = seq
    answers = edit(good, lambda a: a["layers"][0].update(weight=None))
    assert judged(SEQUENTIAL, cases, answers) == ("layer 0: nn.Linear(4, 6) stores its weight as (out, in) = "
                                                  "(6, 4); got None")


@pytest.mark.parametrize("key,message", [
    ("weight", "layer 0: the weight is not w.T (nn.Linear's random initial values are still there?): copy it in "
               "with layer.weight.copy_(torch.tensor(w.T)) under torch.no_grad()"),
    ("bias", "layer 0: the bias is not b: copy it in with layer.bias.copy_(torch.tensor(b))")])
def test_sequential_weights_and_biases_must_match_to_1e9(seq, key, message):
    """A relative change of 1e-7 is beyond the stated 1e-9 (and within the checks' default tolerance, 1e-6)."""
    cases, good = seq
    off = edit(good, lambda a: a["layers"][0].update({key: a["layers"][0][key] * (1 + 1e-7)}))
    assert judged(SEQUENTIAL, cases, off) == message


def test_sequential_bias_that_is_not_an_array_is_named(seq):
    cases, good = seq
    answers = edit(good, lambda a: a["layers"][0].update(bias=None))
    assert judged(SEQUENTIAL, cases, answers).startswith("layer 0: the bias is not b")


@pytest.mark.parametrize("output,shown", [
    ("<RuntimeError: mat1 and mat2 shapes cannot be multiplied>", "<RuntimeError: mat1 and mat2 shapes cannot be "
                                                                   "multiplied>"),
    (None, "NoneType"), ([1.0], "list of length 1")])
def test_sequential_output_that_could_not_be_computed_is_shown(seq, output, shown):
    cases, good = seq
    answers = edit(good, lambda a: a.update(output=output))
    X = cases[0][2]
    assert judged(SEQUENTIAL, cases, answers) == f"the network cannot be applied to X of shape {X.shape}: {shown}"


def test_sequential_output_must_be_what_its_layers_compute_to_1e9_and_the_difference_is_given(seq):
    """Right layers with an output they do not give: the judge's own run of the layers disagrees."""
    cases, good = seq
    W, B, X = cases[0]
    want = mlp.forward(X, W, B)[0]
    shift = 1e-7 * np.max(np.abs(want))
    answers = edit(good, lambda a: a.update(output=want + shift))
    assert judged(SEQUENTIAL, cases, answers) == (f"the output recorded on X is not what the recorded layers compute "
                                                  f"(largest difference {shift:.3g}): the record does not describe "
                                                  "one network")


# ---------------------------------------------------------------- error_torch

@pytest.fixture(scope="module")
def torch_records():
    return recorded(ERROR_TORCH, error_torch)


def test_error_torch_right_record_gets_its_message(torch_records):
    cases, good = torch_records
    assert judged(ERROR_TORCH, cases, good) == ("the error's value, and the gradients recorded as W[l].grad and "
                                                "B[l].grad after its backward(), equal numpy's error and backprop "
                                                "gradients to 1e-9, every layer, on 2 networks")


@pytest.mark.parametrize("answers,got", [(None, "NoneType"), ([{}], "list of length 1")])
def test_error_torch_records_of_the_wrong_kind_are_described(torch_records, answers, got):
    cases, _ = torch_records
    assert judged(ERROR_TORCH, cases, answers) == f"error_torch: expected {len(cases)} records, got {got}"


def as_float32(a):
    """What collect records of a float32 error: its value and gradients rounded to float32."""
    a.update(dtype="float32", value=float(np.float32(a["value"])),
             **{k: [g.astype(np.float32).astype(np.float64) for g in a[k]] for k in ("grad_W", "grad_B")})


# each hint (a fact the sandbox reports) on a record as collect makes it of such an answer: its values are wrong or
# missing (no gradients without a scalar connected to W and B), and the hint names why
@pytest.mark.parametrize("change,message", [
    (lambda a: a.clear() or a.update(type="float", is_tensor=False),
     "error_torch must return a torch tensor; got float (numpy values and Python floats cannot be differentiated by "
     "autograd)"),
    (lambda a: [a.pop("grad_W"), a.pop("grad_B"), a.update(shape=[3, 1])],
     "error_torch must return a single number; got a tensor of shape (3, 1): take .mean()"),
    (lambda a: [a.pop("grad_W"), a.pop("grad_B"), a.update(shape=None)],
     "error_torch must return a single number; got a tensor of shape (): take .mean()"),
    (lambda a: [a.pop("grad_W"), a.pop("grad_B"), a.update(has_grad_fn=False)],
     "the error is not connected to the parameters (grad_fn is None): build it from W and B with torch operations, "
     "without .detach(), .item() or .numpy()"),
    (as_float32, "the error is computed in float32: keep the tensors' float64 (no .float()), so that it matches numpy "
                 "to round-off"),
    (lambda a: a.update(grad_W=None), "the error has the right value but autograd's gradient W[0].grad is wrong (or "
                                      "missing): is part of the computation detached from W?"),
])
def test_error_torch_each_failure_says_what_it_found(torch_records, change, message):
    cases, good = torch_records
    answers = edit(good, change)
    assert judged(ERROR_TORCH, cases, answers) == message


@pytest.mark.parametrize("hints", [dict(is_tensor=False, type="ndarray"), dict(shape=[3, 1]), dict(shape=None),
                                   dict(has_grad_fn=False), dict(dtype="float32"), dict(shape=["x"] * 100)])
def test_error_torch_hints_alone_never_fail_right_values(torch_records, hints):
    """Graded on values: a reported fact cannot take points away from right values (nor give them)."""
    cases, good = torch_records
    assert judged(ERROR_TORCH, cases, edit(good, lambda a: a.update(hints))).startswith("the error's value")


def test_error_torch_value_must_match_to_1e9_and_a_wrong_one_is_given_with_the_right_one(torch_records):
    cases, good = torch_records
    X, T, W, B = cases[0]
    want = mlp.mse(mlp.forward(X, W, B)[0], T)
    answers = edit(good, lambda a: a.update(value=want * (1 + 1e-7)))
    message = judged(ERROR_TORCH, cases, answers)
    assert re.fullmatch(rf"the error is {want * (1 + 1e-7):.6g}, expected {want:.6g}: check the ReLUs \(none on the "
                        r"output layer\), the biases and the square", message), message


def test_error_torch_gradient_must_match_to_1e9(torch_records):
    cases, good = torch_records
    answers = edit(good, lambda a: a["grad_W"].__setitem__(0, a["grad_W"][0] * (1 + 1e-7)))
    assert judged(ERROR_TORCH, cases, answers).startswith("the error has the right value but autograd's gradient")


# ---------------------------------------------------------------- backward and backward_tanh (Exercises 1 and 4)

def arrays(cases):
    """Every array of a list of cases, in order."""
    return [np.asarray(v) for case in cases for part in case for v in (part if isinstance(part, list) else [part])]


def same(a, b):
    return len(a) == len(b) and all(x.shape == y.shape and np.array_equal(x, y) for x, y in zip(a, b))


@pytest.mark.parametrize("exercise", [BACKWARD, BACKWARD_TANH, ERROR_TORCH, SEQUENTIAL])
def test_cases_are_the_same_for_a_seed_and_each_random_network_changes_with_it(exercise):
    """A grader's seed gives the same cases on every run; another seed, other networks (the notebook's data,
    case 0 of backward, error_torch and build_sequential, stays)."""
    first, again, other = exercise.cases(7), exercise.cases(7), exercise.cases(8)
    assert same(arrays(first), arrays(again))
    fixed = 0 if exercise is BACKWARD_TANH else 1
    for k in range(fixed, len(first)):
        assert not same(arrays(first[k:k + 1]), arrays(other[k:k + 1])), k


def test_backward_tanh_third_network_has_another_shape_and_is_named_in_the_message():
    """A pass that is right on the 4-6-6-6-1 networks but not on the third one is told which network."""
    def wrong_on_three_layers(X, T, W, B):
        return written_tanh(X, T, W, B, deriv=(lambda Z, A: 1 - Z ** 2) if len(W) == 3 else (lambda Z, A: 1 - A ** 2))
    message = (f"{where(2)}: tanh'(z) = 1 - tanh(z)², so use 1 - A2², not 1 - Z2² (on the 3-5-4-1 network, N = 9)"
               .replace("\\", ""))
    fails_with(backprop.check_backward_tanh, wrong_on_three_layers, whole(message))


@pytest.mark.parametrize("check,name", [(backprop.check_backward, "backward"),
                                        (backprop.check_backward_tanh, "backward_tanh")])
def test_backward_that_is_no_function_is_named(check, name):
    fails_with(check, 42, f"^{name} must be a function; got int$")


def test_backward_that_raises_is_named_with_the_exception():
    try:
        np.zeros(1).foo
    except AttributeError as exc:
        shown = f"AttributeError: {exc}"
    fails_with(backprop.check_backward, lambda X, T, W, B: X.foo, "^" + re.escape(f"backward raised {shown} (on ") + ".+\\)$")


@pytest.fixture(scope="module")
def backward_records():
    return recorded(BACKWARD, written_backward)


@pytest.fixture(scope="module")
def tanh_records():
    return recorded(BACKWARD_TANH, written_tanh)


def test_backward_right_records_get_their_messages(backward_records, tanh_records):
    cases, good = backward_records
    assert judged(BACKWARD, cases, good) == ("DW and DB match the reference on the notebook's data and on two other "
                                             "networks (N = 100 and N = 7)")
    cases, good = tanh_records
    assert judged(BACKWARD_TANH, cases, good) == ("the tanh network's DW and DB match the reference on three "
                                                  "networks, one of another shape")


@pytest.mark.parametrize("exercise,name", [(BACKWARD, "backward"), (BACKWARD_TANH, "backward_tanh")])
@pytest.mark.parametrize("answers,got", [(None, "NoneType"), ([None], "list of length 1")])
def test_backward_records_of_the_wrong_kind_are_described(exercise, name, answers, got):
    cases = exercise.cases(exercise.seed)
    assert judged(exercise, cases, answers) == f"{name}: expected 3 answers, got {got}"


@pytest.mark.parametrize("answer,message", [
    (None, "backward must return a pair (DW, DB); got None: did you forget `return`?"),
    ({"DW": 1}, "backward must return a pair (DW, DB); got dict"),
    ("<dict>", "backward must return a pair (DW, DB); got <dict>"),
])
def test_backward_record_that_is_no_pair_is_named(backward_records, answer, message):
    cases, good = backward_records
    assert judged(BACKWARD, cases, [answer] + good[1:]) == message


def test_backward_reading_the_notebooks_gradient_is_told_so_in_full():
    X0, T0 = data.getdata()
    W0, B0 = data.getparams()
    fails_with(backprop.check_backward, lambda X, T, W, B: written_backward(X0, T0, W0, B0),
               whole("backward is right on the notebook's data but returns the notebook's gradient on a second "
                     "network: it reads the notebook's globals (Z1, A1, Y, ...). backward must run its own forward "
                     "pass from its arguments X, W, B"))


def first_layer_delta(X, T, W, B):
    """The right δ1 = dE/dZ1 of the ReLU network, (N, 6), and the output's pre-activation Z4, (N, 1)."""
    Z, A = [], [X]
    for l in range(len(W)):
        Z.append(A[-1] @ W[l] + B[l])
        A.append(np.maximum(Z[-1], 0) if l < len(W) - 1 else Z[-1])
    delta = 2 * (A[-1] - T) / len(X)
    for l in (3, 2, 1):
        delta = delta @ W[l].T * (Z[l - 1] > 0)
    return delta, Z[-1]


def output_mask_above(X, T, W, B):
    """Each hidden δ masked with the pre-activation of the layer above (Z[l] for Z[l - 1]): at the top hidden
    layer that is the output's Z4, (N, 1)."""
    Z, A = [], [X]
    for l in range(len(W)):
        Z.append(A[-1] @ W[l] + B[l])
        A.append(np.maximum(Z[-1], 0) if l < len(W) - 1 else Z[-1])
    delta, DW, DB = 2 * (A[-1] - T) / len(X), [None] * 4, [None] * 4
    for l in reversed(range(4)):
        DW[l], DB[l] = A[l].T @ delta, delta.sum(0)
        if l > 0:
            delta = delta @ W[l].T * (Z[l] > 0)
    return DW, DB


DATA = " (on the notebook's data)"
GENERIC_DW0 = ("DW[0]: " + where(1) + ". DB[0] is right, so δ1 is; DW[0] = A0ᵀ δ1 (A0 = X), a matrix product that "
               "sums over the batch" + DATA)


@pytest.mark.parametrize("answer,message", [
    # a hidden layer N times too large: the ratio is named with N = 100
    (with_layer(2, DW=lambda r, a: len(a[0]) * r, DB=lambda r, a: len(a[0]) * r),
     "DW[2] is N times too large: the 1/N of the mean is missing (" + where(3) + ", while the layers above it are "
     "right)" + DATA),
    (with_layer(2, DB=lambda r, a: len(a[0]) * r), "DB[2] is N times too large: the 1/N of the mean is missing" + DATA),
    # the first layer (W[0] is 4 × 6, not square; its input is X, there is no pre-activation below it)
    (with_layer(0, DW=lambda r, a: r + 1),
     GENERIC_DW0),
    (with_layer(0, DW=lambda r, a: np.broadcast_to((lambda d, z: z.T @ d)(*first_layer_delta(*a)), r.shape).copy()),
     GENERIC_DW0),
    # the mask of the layer above at the top hidden layer is the output's
    (output_mask_above, where(3) + ": the mask comes from this layer's pre-activation Z3, not from the layer above"
     + DATA),
])
def test_backward_first_wrong_layer_messages_in_full(answer, message):
    fails_with(backprop.check_backward, answer, whole(message.replace("\\", "")))


def test_backward_feedback_is_raised_once_not_during_another_check_failure():
    """IPython prints the exception a CheckFailed was raised during: the student would read the message twice."""
    excinfo = fails_with(backprop.check_backward, with_layer(2, DB=lambda r, a: 2 * r), r"^DB\[2\] is twice")
    assert excinfo.value.__context__ is None
    excinfo = fails_with(backprop.check_backward_tanh, lambda *a: written_tanh(*a, deriv=lambda Z, A: 1),
                         "tanh's derivative 1 - A3² is missing")
    assert excinfo.value.__context__ is None


@pytest.mark.parametrize("seed", [BACKWARD.seed, BACKWARD_TANH.seed, 12345])
def test_no_pre_activation_of_the_cases_is_exactly_zero(seed):
    """Why Z > 0 and Z >= 0 give the same ReLU masks in the judges (scripts/mutate.py, EQUIVALENT)."""
    for exercise in (BACKWARD, BACKWARD_TANH):
        for X, T, W, B in exercise.cases(seed):
            assert all(np.all(z != 0) for z in mlp.forward(X, W, B)[1])


class EagerTensor:
    """Like a TensorFlow tensor: .numpy() but no .detach()."""

    def numpy(self):
        return np.zeros(1)


def object_array(items):
    out = np.empty(len(items), dtype=object)
    for k, item in enumerate(items):
        out[k] = item
    return out


@pytest.mark.parametrize("answer,message", [
    (lambda X, T, W, B: (object_array(written_backward(X, T, W, B)[0]), B),
     "DW must be a list of 4 arrays, one per layer; got <array of dtype object>"),
    (lambda X, T, W, B: (EagerTensor(), B), "DW must be a list of 4 arrays, one per layer; got <EagerTensor>"),
    (lambda X, T, W, B: ([torch.ones(w.shape, dtype=torch.bool) for w in W], B),
     "DW[0] must be a numeric numpy array of shape (4, 6); got ndarray"),
])
def test_backward_answers_that_are_no_arrays_are_recorded_and_named(answer, message):
    cases = BACKWARD.cases(BACKWARD.seed)
    assert judged(BACKWARD, cases, BACKWARD.collect(answer, cases)) == message


def test_backward_tensors_of_any_float_dtype_are_recorded_as_their_float64_values():
    cases = BACKWARD.cases(BACKWARD.seed)
    def half(*a):
        return tuple([torch.tensor(g).to(torch.bfloat16) for g in part] for part in written_backward(*a))

    records = BACKWARD.collect(half, cases)
    for record, case in zip(records, cases):
        for got, want in zip(record[0] + record[1], sum(half(*case), [])):
            assert got.dtype == np.float64 and np.array_equal(got, want.double().numpy())


# ---------------------------------------------------------------- error_torch: collect's records, more judge branches

def modified_in_place(X, T, W, B):
    d = error_torch(X, T, W, B, reduce=lambda d: d)
    err = (d ** 2).mean()
    d.add_(1.0)  # d was saved for the square's backward
    return err


@pytest.mark.parametrize("answer,message", [
    (lambda *a: error_torch(*a, reduce=lambda d: (d ** 2)[:0]),
     "error_torch must return a single number; got a tensor of shape (0, 1): take .mean()"),
    (lambda *a: error_torch(*a, reduce=lambda d: (d ** 2).mean() / 2),
     "the error is half the right value: the sheet's error is the plain mean of (Y - T)², without a ½"),
    (lambda X, T, W, B: error_torch(X, T, W, [b.detach() for b in B]),
     "the error has the right value but autograd's gradient B[0].grad is wrong (or missing): is part of the "
     "computation detached from B?"),
    (lambda X, T, W, B: error_torch(X, T, W[:3] + [W[3].detach()], B),
     "the error has the right value but autograd's gradient W[3].grad is wrong (or missing): is part of the "
     "computation detached from W?"),
])
def test_error_torch_answers_are_recorded_and_named_in_full(answer, message):
    fails_with(backprop.check_error_torch, answer, whole(message))


def test_error_torch_that_cannot_be_differentiated_is_named_with_autograds_error():
    X, T = data.getdata()
    W, B = data.getparams()
    Wt, Bt = [torch.nn.Parameter(torch.tensor(w)) for w in W], [torch.nn.Parameter(torch.tensor(b)) for b in B]
    with pytest.raises(RuntimeError) as raised:
        modified_in_place(torch.tensor(X), torch.tensor(T), Wt, Bt).backward()
    fails_with(backprop.check_error_torch, modified_in_place,
               whole(f"error_torch's result cannot be differentiated: {raised.value}"))


def test_error_torch_value_that_is_nan_is_named(torch_records):
    cases, good = torch_records
    answers = edit(good, lambda a: a.update(value=float("nan")))
    assert judged(ERROR_TORCH, cases, answers) == "error_torch returned nan: look for a division by zero or an overflow"


def test_error_torch_mistake_is_named_only_within_1e9(torch_records):
    """N times the error, off by 1e-7, is no longer the .sum() mistake: the value and the right one are given."""
    cases, good = torch_records
    X, T, W, B = cases[0]
    want = mlp.mse(mlp.forward(X, W, B)[0], T)
    got = want * len(X) * (1 + 1e-7)
    answers = edit(good, lambda a: a.update(value=got))
    assert judged(ERROR_TORCH, cases, answers) == (f"the error is {got:.6g}, expected {want:.6g}: check the ReLUs "
                                                   "(none on the output layer), the biases and the square")


# ---------------------------------------------------------------- build_sequential: what collect records, more branches

def test_sequential_that_cannot_be_applied_is_recorded_with_its_error():
    """A float32 BatchNorm between the layers passes the layer checks; applying the network raises."""
    def with_batchnorm(W, B):
        net = sequential(W, B)
        return torch.nn.Sequential(net[0], torch.nn.BatchNorm1d(net[0].out_features), *net[1:])
    cases = SEQUENTIAL.cases(SEQUENTIAL.seed)
    W, B, X = cases[0]
    try:
        with torch.no_grad():
            with_batchnorm(W, B)(torch.tensor(X))
    except Exception as exc:  # noqa: BLE001  (whatever torch raises is what the student reads)
        shown = f"<{type(exc).__name__}: {exc}>"
    assert judged(SEQUENTIAL, cases, SEQUENTIAL.collect(with_batchnorm, cases)) == \
        f"the network cannot be applied to X of shape {X.shape}: {shown}"


def test_sequential_layer_record_that_is_no_dict_has_no_type(seq):
    cases, good = seq
    answers = edit(good, lambda a: a["layers"].__setitem__(1, "ReLU"))
    assert judged(SEQUENTIAL, cases, answers) == "the network needs a ReLU after each hidden layer (3); got 2"


def test_sequential_weight_without_a_shape_is_shown_as_recorded(seq):
    cases, good = seq
    answers = edit(good, lambda a: a["layers"][0].update(weight="<Parameter>"))
    assert judged(SEQUENTIAL, cases, answers) == ("layer 0: nn.Linear(4, 6) stores its weight as (out, in) = (6, 4); "
                                                  "got <Parameter>")


def test_sequential_in_the_wrong_order_is_told_the_largest_difference():
    """Linear, Linear, ReLU, ReLU, ReLU, Linear, Linear: every count and weight is right, the output is not."""
    def answer(W, B):
        m = list(sequential(W, B))
        return torch.nn.Sequential(m[0], m[2], m[1], m[3], m[5], m[4], m[6])
    W, B, X = SEQUENTIAL.cases(SEQUENTIAL.seed)[0]
    with torch.no_grad():
        got = answer(W, B)(torch.tensor(X)).numpy()
    gap = np.max(np.abs(got - numpy_network(X, W, B)))
    fails_with(backprop.check_sequential, answer, whole(f"the network's output differs from numpy's (largest difference "
                                                      f"{gap:.3g}): check the order of the layers"))


# ---------------------------------------------------------------- records forged in the sandbox
# A solution cell can replace collect: the judge gets whatever record it likes. It grades the values it can re-run
# or recompute, and the facts the sandbox reports (is_tensor, has_grad_fn, is_sequential, dtype) only name why.

def numpy_network(X, W, B, relu_after=None):
    """The network's output, written for the test in numpy; relu_after: the indices of the linear layers followed
    by a ReLU (every hidden one by default)."""
    relu_after = range(len(W) - 1) if relu_after is None else relu_after
    A = X
    for l, (w, b) in enumerate(zip(W, B)):
        A = A @ w + b
        A = np.maximum(A, 0) if l in relu_after else A
    return A


def forged_layers(W, B, order=None):
    """The layer records of the right network, made with numpy; order: a string of "L" and "R" (Linear, ReLU)."""
    linears = iter({"type": "Linear", "weight": w.T.copy(), "bias": b.copy(), "dtype": "float64"}
                   for w, b in zip(W, B))
    return [next(linears) if t == "L" else {"type": "ReLU"} for t in order or "LR" * (len(W) - 1) + "L"]


def forged_sequential(cases, order=None, output=numpy_network, **facts):
    return [dict(dict(type="Sequential", is_sequential=True), layers=forged_layers(W, B, order),
                 output=output(X, W, B), **facts) for W, B, X in cases]


@pytest.mark.parametrize("facts,dtype", [({}, "float64"), (dict(is_sequential=False, type="NoneType"), "float16")])
def test_sequential_forged_record_of_the_right_values_passes_whatever_it_reports(facts, dtype):
    """Graded on values: the right layers and their output pass, made by any means (no data proves nn.Sequential)."""
    cases = SEQUENTIAL.cases(SEQUENTIAL.seed)
    answers = forged_sequential(cases, **facts)
    for layer in answers[0]["layers"][::2]:
        layer["dtype"] = dtype
    assert judged(SEQUENTIAL, cases, answers).startswith("the recorded layers")


def test_sequential_forged_layers_with_the_right_output_fail_on_the_judges_own_run():
    cases = SEQUENTIAL.cases(SEQUENTIAL.seed)
    assert judged(SEQUENTIAL, cases, forged_sequential(cases, order="LLRRRLL")).startswith(
        "the output recorded on X is not what the recorded layers compute (largest difference ")


def test_sequential_forged_wrong_weight_is_named_whatever_the_output():
    cases = SEQUENTIAL.cases(SEQUENTIAL.seed)
    answers = forged_sequential(cases)
    answers[0]["layers"][2]["weight"] = cases[0][0][1].copy()  # W[1] itself, not W[1].T (6 × 6)
    assert judged(SEQUENTIAL, cases, answers) == "layer 1: load w.T, not w: nn.Linear computes x @ weight.T"


def test_sequential_relu_misplaced_where_x_cannot_see_it_fails_on_the_judges_fresh_inputs():
    """Positive X, W[0] and B[0]: the first hidden layer's ReLU does nothing on X, so moving it after the second
    layer (a ReLU twice there) keeps the output on X. Inputs of both signs show the difference."""
    rng = np.random.default_rng(3)
    W = [np.abs(rng.standard_normal((4, 6)))] + [rng.standard_normal(s) for s in ((6, 6), (6, 6), (6, 1))]
    B = [np.abs(rng.standard_normal(6))] + [rng.standard_normal(s) for s in (6, 6, 1)]
    X = np.abs(rng.standard_normal((20, 4)))
    cases = [(W, B, X)]
    moved = forged_sequential(cases, order="LLRRLRL", output=lambda X, W, B: numpy_network(X, W, B, (1, 2)))
    np.testing.assert_allclose(moved[0]["output"], numpy_network(X, W, B), rtol=1e-13)  # the same on X
    assert judged(SEQUENTIAL, cases, forged_sequential(cases)).startswith("the recorded layers")
    assert judged(SEQUENTIAL, cases, moved) == ("the network gives numpy's output on X but not on other inputs: check "
                                                "the order of the layers (a ReLU after each hidden nn.Linear)")


def test_sequential_fresh_inputs_are_drawn_by_the_judge_anew_and_never_reach_collect(monkeypatch):
    received, drawn, collect = [], [], SEQUENTIAL.collect

    def spy_collect(fn, inputs):
        received.extend(arrays(inputs))
        return collect(fn, inputs)

    def spy_fresh(X):
        drawn.append(draw(X))
        return drawn[-1]
    draw = backprop._fresh_input
    monkeypatch.setattr(backprop, "_fresh_input", spy_fresh)
    _deny.denied_names()  # worked out from the declared collect, before the spy stands in for it
    monkeypatch.setitem(vars(SEQUENTIAL), "collect", spy_collect)  # the declared exercise, its collect spied on
    for _ in range(2):
        SEQUENTIAL(sequential)
    cases = SEQUENTIAL.cases(SEQUENTIAL.seed)
    assert len(drawn) == 2 * len(cases) and [d.shape for d in drawn[:2]] == [(32, X.shape[1]) for _, _, X in cases]
    seen = np.concatenate([a.ravel() for a in received])
    assert not any(np.isin(d, seen).any() for d in drawn)
    assert not np.array_equal(drawn[0], drawn[len(cases)])  # another draw at the next judging
    X = cases[0][2]  # and another in another process (a seed in the module would be read from its copy there)
    assert not np.array_equal(fresh_copy()._fresh_input(X), fresh_copy()._fresh_input(X))


def fresh_copy():
    """utils.checks.backprop loaded anew, as a new process would load it (its declarations kept out of the
    registry, which refuses a grade id declared by a second module)."""
    from utils.checks import _core

    registry = dict(_core.REGISTRY)
    _core.REGISTRY.clear()
    try:
        spec = importlib.util.spec_from_file_location("utils.checks._backprop_copy", backprop.__file__)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        _core.REGISTRY.clear()
        _core.REGISTRY.update(registry)
    return module


@pytest.mark.parametrize("change,message", [
    (lambda a: a.update(layers=a["layers"] * 10), "the network has 70 layers; the judge reads at most 64, and this "
                                                  "one needs 7 (nn.Linear and nn.ReLU, alternating)"),
    (lambda a: a.update(layers=a["layers"] * 9 + [{"type": "ReLU"}]), "the network needs 4 nn.Linear layers; got 36"),
    (lambda a: a["layers"].insert(0, a["layers"].pop(1)), "the network starts with ReLU: it must start with "
                                                          "nn.Linear (the ReLUs come after the layers)"),
    (lambda a: a["layers"][0].update(weight=np.full((6, 4), "x")), "layer 0: nn.Linear(4, 6) stores its weight as "
                                                                   "(out, in) = (6, 4); got an array of dtype <U1"),
    (lambda a: a["layers"][0].update(weight=np.ones((6, 4), int)), "layer 0: nn.Linear(4, 6) stores its weight as "
                                                                   "(out, in) = (6, 4); got an array of dtype int64"),
    (lambda a: a["layers"][0].update(weight=np.zeros((6000, 4000), np.float32)),
     "layer 0: nn.Linear(4, 6) stores its weight as (out, in) = (6, 4); got (6000, 4000)"),
    (lambda a: a["layers"][0].update(bias=np.array([True] * 6)), "layer 0: the bias is not b: copy it in with "
                                                                  "layer.bias.copy_(torch.tensor(b))"),
    (lambda a: a.update(output=np.zeros((10 ** 6, 1))), "the network cannot be applied to X of shape (100, 4): an "
                                                        "output of shape (1000000, 1), expected (100, 1)"),
    (lambda a: a.update(output=np.full((100, 1), "1")), "the network cannot be applied to X of shape (100, 4): an "
                                                        "output of dtype <U1"),
    (lambda a: a["layers"].insert(1, {"type": "Identity"}), "layer 1 of the network is Identity: build it of "
                                                            "nn.Linear and nn.ReLU only (the judge runs those two "
                                                            "to check it)"),
])
def test_sequential_forged_records_are_bounded_and_named_before_anything_is_computed(seq, change, message):
    cases, good = seq
    assert judged(SEQUENTIAL, cases, edit(good, change)) == message


def test_sequential_facts_that_are_no_plain_values_are_named_by_their_type(seq):
    """A fact is true only as True; anything else the sandbox sends is shown as its type, never compared."""
    cases, good = seq
    answers = edit(good, lambda a: [a.update(is_sequential=np.ones(2), type=np.ones(2)),
                                    a["layers"][0].update(type=np.array(["Linear", "x"]))])
    assert judged(SEQUENTIAL, cases, answers) == "build_sequential must return a torch.nn.Sequential; got <ndarray>"
    answers = edit(good, lambda a: a["layers"][0].update(type=np.array(["Linear", "x"])))
    assert judged(SEQUENTIAL, cases, answers) == "the network needs 4 nn.Linear layers; got 3"
    answers = edit(good, lambda a: a["layers"][0].update(weight=[[0.0] * 4] * 6))
    assert judged(SEQUENTIAL, cases, answers) == ("layer 0: nn.Linear(4, 6) stores its weight as (out, in) = (6, 4); "
                                                  "got list of length 6")
    answers = edit(good, lambda a: [a.update(is_sequential=[]), a["layers"][0].update(dtype=np.ones(2), bias=None)])
    assert judged(SEQUENTIAL, cases, answers) == "build_sequential must return a torch.nn.Sequential; got Sequential"
    answers = edit(good, lambda a: a["layers"][0].update(dtype=np.ones(2), bias=None))
    assert judged(SEQUENTIAL, cases, answers) == ("layer 0: use float64 (nn.Linear(...).double()) so the results "
                                                  "match numpy; got <ndarray>")


def test_error_torch_facts_that_are_no_plain_values_are_named_by_their_type(torch_records):
    cases, good = torch_records
    answers = edit(good, lambda a: a.update(is_tensor=np.zeros(2), type=np.zeros(2), dtype=np.zeros(2), value=None))
    assert judged(ERROR_TORCH, cases, answers) == ("error_torch must return a torch tensor; got <ndarray> (numpy "
                                                   "values and Python floats cannot be differentiated by autograd)")
    answers = edit(good, lambda a: a.update(dtype=np.zeros(2), value=None))
    assert judged(ERROR_TORCH, cases, answers) == ("the error is computed in <ndarray>: keep the tensors' float64 (no "
                                                   ".float()), so that it matches numpy to round-off")


def forged_torch(cases, grads=lambda *case: written_backward(*case), value=None, **facts):
    """Records claiming a float64 scalar tensor with a grad_fn, made with numpy: the error and its gradients."""
    records = []
    for X, T, W, B in cases:
        DW, DB = grads(X, T, W, B)
        error = float(np.mean((numpy_network(X, W, B) - T) ** 2)) if value is None else value(X, T, W, B)
        records.append(dict(dict(type="Tensor", is_tensor=True, shape=[], dtype="float64", has_grad_fn=True,
                                 value=error, grad_W=DW, grad_B=DB), **facts))
    return records


@pytest.mark.parametrize("facts", [{}, dict(is_tensor=False, has_grad_fn=False, dtype="float16", type="float")])
def test_error_torch_forged_record_of_the_right_values_passes_whatever_it_reports(facts):
    """Graded on values: no data proves that autograd, not numpy, computed them."""
    cases = ERROR_TORCH.cases(ERROR_TORCH.seed)
    assert judged(ERROR_TORCH, cases, forged_torch(cases, **facts)).startswith("the error's value")


@pytest.mark.parametrize("forged,message", [
    (dict(grads=lambda *case: written_backward(*case, deriv=lambda Z, A: 1)),  # no ReLU mask
     "the error has the right value but autograd's gradient W[0].grad is wrong (or missing): is part of the "
     "computation detached from W?"),
    (dict(grads=lambda X, T, W, B: (written_backward(X, T, W, B)[0], [np.full(b.shape, "0") for b in B])),
     "the error has the right value but autograd's gradient B[0].grad is wrong (or missing): is part of the "
     "computation detached from B?"),
    (dict(value=lambda X, T, W, B: float(np.sum((numpy_network(X, W, B) - T) ** 2))),
     "the error is N times too large: use .mean(), not .sum()"),
    (dict(value=lambda X, T, W, B: "0.5"), "error_torch must return a number; got a str"),
])
def test_error_torch_forged_records_of_wrong_values_fail_with_what_is_wrong(forged, message):
    cases = ERROR_TORCH.cases(ERROR_TORCH.seed)
    assert judged(ERROR_TORCH, cases, forged_torch(cases, **forged)) == message


def test_sequential_fresh_inputs_spread_as_wide_as_xs_columns_plus_one(monkeypatch):
    """Each column of the fresh inputs is normal noise times (the column's largest |x| + 1): both signs, as wide as
    X, and a column of zeros in X still varies. Drawn from the operating system's entropy: no seed."""
    class Ones:
        def standard_normal(self, shape):
            return np.ones(shape)
    seeds = []
    monkeypatch.setattr(np.random, "default_rng", lambda *seed: seeds.append(seed) or Ones())
    X = np.array([[0.0, -1.0, 1000.0], [0.0, 0.5, -3.0]])
    np.testing.assert_array_equal(backprop._fresh_input(X), np.tile([1.0, 2.0, 1001.0], (32, 1)))
    assert seeds == [()]


def moved_relu_case(seed, first_weights, first_bias, scale_second=1.0):
    """A case whose X is positive (first row 0), with the given first layer, the other layers random (the second's
    first row times scale_second); and the record of the network whose first ReLU comes after the second layer
    (Linear, Linear, ReLU, ReLU, ...)."""
    rng = np.random.default_rng(seed)
    W = [first_weights] + [rng.standard_normal(s) for s in ((6, 6), (6, 6), (6, 1))]
    W[1][0] *= scale_second
    B = [first_bias] + [rng.standard_normal(s) for s in (6, 6, 1)]
    X = np.abs(rng.standard_normal((20, 4)))
    X[0] = 0
    cases = [(W, B, X)]
    return cases, forged_sequential(cases, order="LLRRLRL", output=lambda X, W, B: numpy_network(X, W, B, (1, 2)))


def test_sequential_output_is_compared_with_numpys_to_1e9():
    """One pre-activation on X is -1e-7: a ReLU moved from it changes the output by far less than 1e-6."""
    rng = np.random.default_rng(4)
    cases, moved = moved_relu_case(4, np.abs(rng.standard_normal((4, 6))),
                                   np.r_[-1e-7, np.abs(rng.standard_normal(5))])
    W, B, X = cases[0]
    want = numpy_network(X, W, B)
    gap = np.max(np.abs(moved[0]["output"] - want))
    assert 1e-9 < gap / np.max(np.abs(want)) < 1e-6
    assert judged(SEQUENTIAL, cases, moved) == (f"the network's output differs from numpy's (largest difference "
                                                f"{gap:.3g}): check the order of the layers")


def test_sequential_output_on_the_fresh_inputs_is_compared_with_numpys_to_1e9(monkeypatch):
    """Units 2-6 of the first layer are constant; unit 1 is positive on X, negative on some fresh inputs, and
    reaches the next layer through weights of 1e-8: a ReLU moved from it changes the output there by far less
    than 1e-6, and not at all on X."""
    rng = np.random.default_rng(5)
    cases, moved = moved_relu_case(5, np.c_[np.abs(rng.standard_normal((4, 1))), np.zeros((4, 5))],
                                   np.r_[0.0, np.ones(5)], scale_second=1e-8)
    W, B, X = cases[0]
    fresh = np.random.default_rng(6).standard_normal((32, 4))
    monkeypatch.setattr(backprop, "_fresh_input", lambda X: fresh)
    want = numpy_network(fresh, W, B)
    gap = np.max(np.abs(numpy_network(fresh, W, B, (1, 2)) - want)) / np.max(np.abs(want))
    assert 1e-9 < gap < 1e-6
    assert judged(SEQUENTIAL, cases, moved) == ("the network gives numpy's output on X but not on other inputs: check "
                                                "the order of the layers (a ReLU after each hidden nn.Linear)")


@pytest.mark.parametrize("shape,message", [
    ([2] * 8, "error_torch must return a single number; got a tensor of shape (2, 2, 2, 2, 2, 2, 2, 2): take .mean()"),
    ([2] * 9, "error_torch returned None: did you forget `return`?"),  # more dimensions than it reads: not named
])
def test_error_torch_reads_a_shape_of_at_most_8_dimensions(torch_records, shape, message):
    cases, good = torch_records
    assert judged(ERROR_TORCH, cases, edit(good, lambda a: a.update(shape=shape, value=None))) == message
