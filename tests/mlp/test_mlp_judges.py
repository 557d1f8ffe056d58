"""Notebook 04's judges on recorded answers, as the grader calls them (judge(cases, answers), outside the
student's kernel): every failure branch of the judges names what it found, at the tolerance it states, and a
record the grader could not even make gets a message instead of a crash; the cases each seed gives."""
import copy
import importlib.util
import re
import warnings

import numpy as np
import pytest
import torch

from helpers import fails_with, judged, recorded, sequential, sgd, where, whole, with_layer, written_backward
from utils import data, mlp
from utils.checks import _deny
from utils.checks import mlp as mlp_checks
from utils.checks.mlp import (check_backward as BACKWARD, check_bce_delta as BCE, check_sequential as SEQUENTIAL,
                              check_sgd as SGD)


def judged_seq(cases, answers):
    """The judge's message on build_sequential records, without the name of the network that a failure on case 0
    ends with (checked here)."""
    message, on = judged(SEQUENTIAL, cases, answers), " (on the notebook's network)"
    assert on not in message[:-len(on)]
    return message[:-len(on)] if message.endswith(on) else message


@pytest.fixture(scope="module")
def seq():
    return recorded(SEQUENTIAL, sequential)


def test_sequential_right_record_gets_its_message(seq):
    cases, good = seq
    assert judged_seq(cases, good) == ("your network's layers (nn.Linear with weight w.T and bias b, a ReLU after "
                                       "each hidden one) give numpy's output on X and on 32 random inputs, and so "
                                       "does your nn.Sequential on X, for the notebook's network, a second 4-6-6-6-1 "
                                       "network and a 3-5-4-1 network; its first weight's gradient will be in "
                                       "net[0].weight.grad, shaped (6, 4) = DW[0].T")


@pytest.mark.parametrize("answers,got", [(None, "NoneType"), ([{}], "list of length 1"), ("x", "str")])
def test_sequential_records_of_the_wrong_kind_are_described(seq, answers, got):
    cases, _ = seq
    assert judged_seq(cases, answers) == f"build_sequential: expected {len(cases)} records, got {got}"


def edit(good, change):
    answers = copy.deepcopy(good)
    change(answers[0])
    return answers


def test_sequential_layers_that_are_no_list_count_as_none(seq):
    cases, good = seq
    for layers in (None, 5, "LinearReLU"):
        answers = edit(good, lambda a: a.update(layers=layers))
        assert judged_seq(cases, answers) == "the network needs 4 nn.Linear layers; got 0"


def test_sequential_last_layer_is_named(seq):
    cases, good = seq
    answers = edit(good, lambda a: a["layers"].append({"type": "Tanh"}))
    assert judged_seq(cases, answers) == ("the network ends with Tanh: the output layer is linear, "
                                                  "no ReLU after it")


def test_sequential_counts_the_relus_it_found(seq):
    cases, good = seq
    answers = edit(good, lambda a: a["layers"].pop(1))  # Linear, Linear, ReLU, Linear, ReLU, Linear
    assert judged_seq(cases, answers) == "the network needs a ReLU after each hidden layer (3); got 2"


def test_sequential_weight_that_is_not_an_array_is_shown(seq):
    cases, good = seq
    answers = edit(good, lambda a: a["layers"][0].update(weight=None))
    assert judged_seq(cases, answers) == ("layer 0: nn.Linear(4, 6) stores its weight as (out, in) = "
                                                  "(6, 4); got None")


@pytest.mark.parametrize("key,message", [
    ("weight", "layer 0: the weight is not w.T (nn.Linear's random initial values are still there?): copy it in "
               "with layer.weight.copy_(torch.tensor(w.T)) under torch.no_grad()"),
    ("bias", "layer 0: the bias is not b: copy it in with layer.bias.copy_(torch.tensor(b))")])
def test_sequential_weights_and_biases_must_match_to_1e9(seq, key, message):
    """A relative change of 1e-7 is beyond the stated 1e-9 (and within the checks' default tolerance, 1e-6)."""
    cases, good = seq
    off = edit(good, lambda a: a["layers"][0].update({key: a["layers"][0][key] * (1 + 1e-7)}))
    assert judged_seq(cases, off) == message


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
    assert judged_seq(cases, answers) == f"the network cannot be applied to X of shape {X.shape}: {shown}"


def test_sequential_output_must_be_what_its_layers_compute_to_1e9_and_the_difference_is_given(seq):
    """Right layers with an output they do not give: the judge's own run of the layers disagrees."""
    cases, good = seq
    W, B, X = cases[0]
    want = mlp.forward(X, W, B)[0]
    shift = 1e-7 * np.max(np.abs(want))
    answers = edit(good, lambda a: a.update(output=want + shift))
    assert judged_seq(cases, answers) == (f"the output recorded on X is not what the recorded layers compute "
                                                  f"(largest difference {shift:.3g}): the record does not describe "
                                                  "one network")


# ---------------------------------------------------------------- backward (Exercise 1)

def arrays(cases):
    """Every array of a list of cases, in order."""
    return [np.asarray(v) for case in cases for part in case for v in (part if isinstance(part, list) else [part])]


def same(a, b):
    return len(a) == len(b) and all(x.shape == y.shape and np.array_equal(x, y) for x, y in zip(a, b))


@pytest.mark.parametrize("exercise", [BACKWARD, SEQUENTIAL])
def test_cases_are_the_same_for_a_seed_and_each_random_network_changes_with_it(exercise):
    """A grader's seed gives the same cases on every run; another seed, other networks (the notebook's data,
    case 0 of backward and build_sequential, stays)."""
    first, again, other = exercise.cases(7), exercise.cases(7), exercise.cases(8)
    assert same(arrays(first), arrays(again))
    for k in range(1, len(first)):
        assert not same(arrays(first[k:k + 1]), arrays(other[k:k + 1])), k


def test_backward_that_is_no_function_is_named():
    fails_with(mlp_checks.check_backward, 42, "^backward must be a function; got int$")


def test_backward_that_raises_is_named_with_the_exception():
    try:
        np.zeros(1).foo
    except AttributeError as exc:
        shown = f"AttributeError: {exc}"
    fails_with(mlp_checks.check_backward, lambda X, T, W, B: X.foo, "^" + re.escape(f"backward raised {shown} (on ") + ".+\\)$")


@pytest.fixture(scope="module")
def backward_records():
    return recorded(BACKWARD, written_backward)


def test_backward_right_records_get_their_messages(backward_records):
    cases, good = backward_records
    assert judged(BACKWARD, cases, good) == ("DW and DB match the reference on the notebook's data and on three other "
                                             "networks (N = 100, N = 7, and a 3-5-4-1 network with N = 9)")


@pytest.mark.parametrize("answers,got", [(None, "NoneType"), ([None], "list of length 1")])
def test_backward_records_of_the_wrong_kind_are_described(answers, got):
    cases = BACKWARD.cases(BACKWARD.seed)
    assert judged(BACKWARD, cases, answers) == f"backward: expected 4 answers, got {got}"


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
    fails_with(mlp_checks.check_backward, lambda X, T, W, B: written_backward(X0, T0, W0, B0),
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
GENERIC_DW0 = ("DW[0]: " + where(0) + ". DB[0] is right, so δ[0] is: what is wrong is its product with the layer's "
               "input A[0] (A[0] = X), a product that sums over the batch (Hint 2)" + DATA)


@pytest.mark.parametrize("answer,message", [
    # a hidden layer N times too large: the ratio is named with N = 100
    (with_layer(2, DW=lambda r, a: len(a[0]) * r, DB=lambda r, a: len(a[0]) * r),
     "DW[2] is N times too large: the 1/N of the mean is missing (" + where(2) + ", while the layers above it are "
     "right)" + DATA),
    (with_layer(2, DB=lambda r, a: len(a[0]) * r), "DB[2] is N times too large: the 1/N of the mean is missing" + DATA),
    # the first layer (W[0] is 4 × 6, not square; its input is X, there is no pre-activation below it)
    (with_layer(0, DW=lambda r, a: r + 1),
     GENERIC_DW0),
    (with_layer(0, DW=lambda r, a: np.broadcast_to((lambda d, z: z.T @ d)(*first_layer_delta(*a)), r.shape).copy()),
     GENERIC_DW0),
    # the mask of the layer above at the top hidden layer is the output's
    (output_mask_above, where(2) + ": δ[2] is masked with the units of layer 3 (Z[3] > 0): the ReLU it comes back through is layer 2's"
     + DATA),
])
def test_backward_first_wrong_layer_messages_in_full(answer, message):
    fails_with(mlp_checks.check_backward, answer, whole(message.replace("\\", "")))


def test_backward_feedback_is_raised_once_not_during_another_check_failure():
    """IPython prints the exception a CheckFailed was raised during: the student would read the message twice."""
    excinfo = fails_with(mlp_checks.check_backward, with_layer(2, DB=lambda r, a: 2 * r), r"^DB\[2\] is twice")
    assert excinfo.value.__context__ is None


@pytest.mark.parametrize("seed", [BACKWARD.seed, 12345])
def test_no_pre_activation_of_the_cases_is_exactly_zero(seed):
    """Why Z > 0 and Z >= 0 give the same ReLU masks in the judges (scripts/mutate.py, EQUIVALENT)."""
    for X, T, W, B in BACKWARD.cases(seed):
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
    assert judged_seq(cases, SEQUENTIAL.collect(with_batchnorm, cases)) == \
        f"the network cannot be applied to X of shape {X.shape}: {shown}"


def test_sequential_layer_record_that_is_no_dict_has_no_type(seq):
    cases, good = seq
    answers = edit(good, lambda a: a["layers"].__setitem__(1, "ReLU"))
    assert judged_seq(cases, answers) == "the network needs a ReLU after each hidden layer (3); got 2"


def test_sequential_weight_without_a_shape_is_shown_as_recorded(seq):
    cases, good = seq
    answers = edit(good, lambda a: a["layers"][0].update(weight="<Parameter>"))
    assert judged_seq(cases, answers) == ("layer 0: nn.Linear(4, 6) stores its weight as (out, in) = (6, 4); "
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
    fails_with(mlp_checks.check_sequential, answer, whole(f"the network's output differs from numpy's (largest difference "
                                                      f"{gap:.3g}): check the order of the layers (on the notebook's network)"))


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
    """Records of the right networks, the first one's layers in `order` and with `output`."""
    return [dict(dict(type="Sequential", is_sequential=True), layers=forged_layers(W, B, None if k else order),
                 output=(numpy_network if k else output)(X, W, B), **facts) for k, (W, B, X) in enumerate(cases)]


@pytest.mark.parametrize("facts,dtype", [({}, "float64"), (dict(is_sequential=False, type="NoneType"), "float16")])
def test_sequential_forged_record_of_the_right_values_passes_whatever_it_reports(facts, dtype):
    """Graded on values: the right layers and their output pass, made by any means (no data proves nn.Sequential)."""
    cases = SEQUENTIAL.cases(SEQUENTIAL.seed)
    answers = forged_sequential(cases, **facts)
    for layer in answers[0]["layers"][::2]:
        layer["dtype"] = dtype
    assert judged(SEQUENTIAL, cases, answers).startswith("your network's layers")


def test_sequential_forged_layers_with_the_right_output_fail_on_the_judges_own_run():
    cases = SEQUENTIAL.cases(SEQUENTIAL.seed)
    assert judged(SEQUENTIAL, cases, forged_sequential(cases, order="LLRRRLL")).startswith(
        "the output recorded on X is not what the recorded layers compute (largest difference ")


def test_sequential_forged_wrong_weight_is_named_whatever_the_output():
    cases = SEQUENTIAL.cases(SEQUENTIAL.seed)
    answers = forged_sequential(cases)
    answers[0]["layers"][2]["weight"] = cases[0][0][1].copy()  # W[1] itself, not W[1].T (6 × 6)
    assert judged_seq(cases, answers) == "layer 1: load w.T, not w: nn.Linear computes x @ weight.T"


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
    assert judged(SEQUENTIAL, cases, forged_sequential(cases)).startswith("your network's layers")
    assert judged_seq(cases, moved) == ("the network gives numpy's output on X but not on other inputs: check "
                                                "the order of the layers (a ReLU after each hidden nn.Linear)")


def test_sequential_fresh_inputs_are_drawn_by_the_judge_anew_and_never_reach_collect(monkeypatch):
    received, drawn, collect = [], [], SEQUENTIAL.collect

    def spy_collect(fn, inputs):
        received.extend(arrays(inputs))
        return collect(fn, inputs)

    def spy_fresh(X):
        drawn.append(draw(X))
        return drawn[-1]
    draw = mlp_checks._fresh_input
    monkeypatch.setattr(mlp_checks, "_fresh_input", spy_fresh)
    _deny.denied_names()  # worked out from the declared collect, before the spy stands in for it
    monkeypatch.setitem(vars(SEQUENTIAL), "collect", spy_collect)  # the declared exercise, its collect spied on
    for _ in range(2):
        SEQUENTIAL(sequential)
    cases = SEQUENTIAL.cases(SEQUENTIAL.seed)
    assert len(drawn) == 2 * len(cases) and [d.shape for d in drawn[:len(cases)]] == [(32, X.shape[1]) for _, _, X in cases]
    seen = np.concatenate([a.ravel() for a in received])
    assert not any(np.isin(d, seen).any() for d in drawn)
    assert not np.array_equal(drawn[0], drawn[len(cases)])  # another draw at the next judging
    X = cases[0][2]  # and another in another process (a seed in the module would be read from its copy there)
    assert not np.array_equal(fresh_copy()._fresh_input(X), fresh_copy()._fresh_input(X))


def fresh_copy():
    """utils.checks.mlp loaded anew, as a new process would load it (its declarations kept out of the
    registry, which refuses a grade id declared by a second module)."""
    from utils.checks import _core

    registry = dict(_core.REGISTRY)
    _core.REGISTRY.clear()
    try:
        spec = importlib.util.spec_from_file_location("utils.checks._backprop_copy", mlp_checks.__file__)
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
                                                            "nn.Linear and nn.ReLU only (the check runs those two)"),
])
def test_sequential_forged_records_are_bounded_and_named_before_anything_is_computed(seq, change, message):
    cases, good = seq
    assert judged_seq(cases, edit(good, change)) == message


def test_sequential_facts_that_are_no_plain_values_are_named_by_their_type(seq):
    """A fact is true only as True; anything else the sandbox sends is shown as its type, never compared."""
    cases, good = seq
    answers = edit(good, lambda a: [a.update(is_sequential=np.ones(2), type=np.ones(2)),
                                    a["layers"][0].update(type=np.array(["Linear", "x"]))])
    assert judged_seq(cases, answers) == "build_sequential must return a torch.nn.Sequential; got <ndarray>"
    answers = edit(good, lambda a: a["layers"][0].update(type=np.array(["Linear", "x"])))
    assert judged_seq(cases, answers) == "the network needs 4 nn.Linear layers; got 3"
    answers = edit(good, lambda a: a["layers"][0].update(weight=[[0.0] * 4] * 6))
    assert judged_seq(cases, answers) == ("layer 0: nn.Linear(4, 6) stores its weight as (out, in) = (6, 4); "
                                                  "got list of length 6")
    answers = edit(good, lambda a: [a.update(is_sequential=[]), a["layers"][0].update(dtype=np.ones(2), bias=None)])
    assert judged_seq(cases, answers) == "build_sequential must return a torch.nn.Sequential; got Sequential"
    answers = edit(good, lambda a: a["layers"][0].update(dtype=np.ones(2), bias=None))
    assert judged_seq(cases, answers) == ("layer 0: use float64 (nn.Linear(...).double()) so the results "
                                                  "match numpy; got <ndarray>")


def test_sequential_fresh_inputs_spread_as_wide_as_xs_columns_plus_one(monkeypatch):
    """Each column of the fresh inputs is normal noise times (the column's largest |x| + 1): both signs, as wide as
    X, and a column of zeros in X still varies. Drawn from the operating system's entropy: no seed."""
    class Ones:
        def standard_normal(self, shape):
            return np.ones(shape)
    seeds = []
    monkeypatch.setattr(np.random, "default_rng", lambda *seed: seeds.append(seed) or Ones())
    X = np.array([[0.0, -1.0, 1000.0], [0.0, 0.5, -3.0]])
    np.testing.assert_array_equal(mlp_checks._fresh_input(X), np.tile([1.0, 2.0, 1001.0], (32, 1)))
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
    assert judged_seq(cases, moved) == (f"the network's output differs from numpy's (largest difference "
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
    monkeypatch.setattr(mlp_checks, "_fresh_input", lambda X: fresh)
    want = numpy_network(fresh, W, B)
    gap = np.max(np.abs(numpy_network(fresh, W, B, (1, 2)) - want)) / np.max(np.abs(want))
    assert 1e-9 < gap < 1e-6
    assert judged_seq(cases, moved) == ("the network gives numpy's output on X but not on other inputs: check "
                                                "the order of the layers (a ReLU after each hidden nn.Linear)")


# ---------------------------------------------------------------- sgd (mini-batch SGD): records as the grader gets them

@pytest.fixture(scope="module")
def sgd_records():
    return recorded(SGD, sgd)


def test_sgd_right_record_gets_its_message(sgd_records):
    cases, good = sgd_records
    assert judged(SGD, cases, good).startswith("the losses and the final parameters equal a replay of mini-batch SGD")


@pytest.mark.parametrize("change,message", [
    (lambda a: a.update(losses="<list>"), "sgd must return the list of the 7 batch losses, one per step; got <list>"),
    (lambda a: a["losses"].__setitem__(2, "<Decimal>"), "the loss of step 2 is <Decimal>, not a number: append "
                                                         "loss.item() at each step, the batch's loss as a Python float"),
    (lambda a: a.update(W=None), "the network's parameters could not be read after sgd"),
    (lambda a: a["W"].__setitem__(0, a["W"][0].T), "the network's parameters could not be read after sgd"),
    (lambda a: a["B"].__setitem__(0, a["B"][0] * np.nan), "the parameters hold NaN or inf after sgd"),
    (lambda a: a["W"].__setitem__(0, a["W"][0] * (1 + 1e-7)), "the losses are right but the parameters after the "
                                                              "last step are not"),
    (lambda a: a["losses"].__setitem__(3, a["losses"][3] * (1 + 1e-7)), "the loss of step 3 is"),
])
def test_sgd_forged_records_fail_with_what_is_wrong(sgd_records, change, message):
    cases, good = sgd_records
    answers = copy.deepcopy(good)
    change(answers[0])
    assert judged(SGD, cases, answers).startswith(message)


def test_sgd_replays_of_the_named_mistakes_differ_from_the_right_run():
    """Each named mistake is told apart from the right loop (else the judge would name a right answer's mistake)."""
    for case in SGD.cases(SGD.seed):
        right = mlp_checks._sgd_replay(case)
        for mistake, _ in mlp_checks._SGD_MISTAKES:
            wrong = mlp_checks._sgd_replay(case, mistake)
            assert not all(np.allclose(a, b) for a, b in zip([right[0]] + right[1] + right[2],
                                                              [wrong[0]] + wrong[1] + wrong[2])), mistake


SGD_ON = " (on the notebook's network (N = 60, batches of 20))"


@pytest.mark.parametrize("k,loss,message", [
    (0, float("nan"), "the loss is nan at step 0: the mean over an empty batch is nan. Are the rows of step 0's batch, "
                      "X[i:i + batch_size], inside X? (or did the run diverge? check p -= eta * p.grad)"),
    (0, float("inf"), "the loss is inf at step 0: the run diverged; check the update p -= eta * p.grad"),
    # step 3 would start past the last row without % N (3 * 20 = 60), but only a nan loss says its batch is empty
    (3, float("inf"), "the loss is inf at step 3: the run diverged; check the update p -= eta * p.grad"),
])
def test_sgd_non_finite_losses_get_their_messages_in_full(sgd_records, k, loss, message):
    cases, good = sgd_records
    answers = copy.deepcopy(good)
    answers[0]["losses"][k] = loss
    assert judged(SGD, cases, answers) == message + SGD_ON


def test_sgd_wrong_sign_is_told_without_a_numpy_warning_and_only_within_its_tolerance(sgd_records):
    """The judge replays the diverging run (gradient ascent) to recognise it: its overflow must not reach the student
    as a RuntimeWarning, and losses 1e-7 off the ascent's (beyond the replay's tolerance 1e-9) are not the ascent."""
    cases, answers = recorded(SGD, lambda *a: sgd(*a, sign=-1))
    losses = answers[0]["losses"]
    k = next(i for i, x in enumerate(losses) if not np.isfinite(x))
    # the run this test is about: finite losses, then an overflow before the last of the 7 steps
    assert 0 < k < 6 and losses[k] == float("inf")
    cases, good = sgd_records
    off = copy.deepcopy(good)  # finite and wrong: the judge tries the ascent's whole run, which overflows
    off[0]["losses"][3] *= 1 + 1e-7
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert judged(SGD, cases, answers) == (f"the update has the wrong sign: the loss grew to inf by step {k}; step "
                                               "against the gradient, p -= eta * p.grad" + SGD_ON)
        assert judged(SGD, cases, off).startswith("the loss of step 3 is ")
    answers[0]["losses"][:k] = [x * (1 + 1e-7) for x in losses[:k]]
    assert judged(SGD, cases, answers) == (f"the loss is inf at step {k}: the run diverged; check the update "
                                           "p -= eta * p.grad" + SGD_ON)


def test_sgd_run_that_diverges_after_the_ascent_gets_a_message():
    """A run up the gradient with half the step diverges at step 6, after the ascent the judge replays (step 5): the
    replay of its first 6 steps overflows. The student still gets the divergence's message, and no numpy warning."""
    cases, answers = recorded(SGD, lambda net, X, T, eta, b, steps: sgd(net, X, T, eta / 2, b, steps, sign=-1))
    assert [np.isfinite(x) for x in answers[0]["losses"]] == [True] * 6 + [False]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert judged(SGD, cases, answers) == (f"the loss is {answers[0]['losses'][6]} at step 6: the run diverged; "
                                               "check the update p -= eta * p.grad" + SGD_ON)


def test_sgd_records_of_the_wrong_kind_are_described(sgd_records):
    cases, good = sgd_records
    assert judged(SGD, cases, tuple(good)) == "sgd: expected 2 records, got tuple of length 2"
    assert judged(SGD, cases, good[:1]) == "sgd: expected 2 records, got list of length 1"
    assert judged(SGD, cases, [None, None]) == "sgd: expected 2 records, got list of length 2"


# ---------------------------------------------------------------- bce_delta: records as the grader gets them

def bce_right(Z, T):
    return (1 / (1 + np.exp(-Z)) - T) / len(Z)


def test_bce_delta_records_of_the_wrong_kind_are_described():
    cases, good = recorded(BCE, bce_right)
    assert judged(BCE, cases, good[:1]) == "bce_delta: expected 2 answers, got list of length 1"
    assert judged(BCE, cases, None) == "bce_delta: expected 2 answers, got NoneType"


def test_bce_delta_is_right_or_a_named_mistake_only_to_1e9():
    """1e-7 off (float32 round-off): neither the right δ nor the mistake of a missing 1/N, at the judge's 1e-9."""
    generic = "bce_delta: wrong on case 1 (N = 8): δ is ∂E/∂a · σ'(z); write both factors and multiply out"
    for answer in (lambda Z, T: bce_right(Z, T) * (1 + 1e-7), lambda Z, T: bce_right(Z, T) * len(Z) * (1 + 1e-7)):
        assert judged(BCE, *recorded(BCE, answer)) == generic
    assert judged(BCE, *recorded(BCE, lambda Z, T: bce_right(Z, T) * len(Z))) == (
        "bce_delta: the 1/N of the mean is missing (on case 1: N = 8)")
