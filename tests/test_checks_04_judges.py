"""Notebook 04's judges on recorded answers, as the grader calls them (judge(cases, answers), outside the
student's kernel): every failure branch of error_torch's and build_sequential's judges names what it found, at the
tolerance it states, and a record the grader could not even make gets a message instead of a crash."""
import copy
import re

import numpy as np
import pytest

from feedback import judged
from test_checks_04 import error_torch, sequential
from utils import mlp
from utils.checks.backprop import ERROR_TORCH, SEQUENTIAL


def recorded(exercise, reference):
    """The notebook's cases of `exercise` and the records its collect makes of a right answer, `reference`."""
    cases = exercise.cases(exercise.seed)
    return cases, exercise.collect(reference, cases)


@pytest.fixture(scope="module")
def seq():
    return recorded(SEQUENTIAL, sequential)


def test_sequential_right_record_gets_its_message(seq):
    cases, good = seq
    assert judged(SEQUENTIAL, cases, good) == ("nn.Sequential reproduces the numpy network; its first weight's "
                                               "gradient will be in net[0].weight.grad, shaped (6, 4) = DW[0].T")


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


def test_sequential_output_must_match_numpy_to_1e9_and_the_difference_is_given(seq):
    cases, good = seq
    W, B, X = cases[0]
    want = mlp.forward(X, W, B)[0]
    shift = 1e-7 * np.max(np.abs(want))
    answers = edit(good, lambda a: a.update(output=want + shift))
    assert judged(SEQUENTIAL, cases, answers) == (f"the network's output differs from numpy's (largest difference "
                                                  f"{shift:.3g}): check the order of the layers")


# ---------------------------------------------------------------- error_torch

@pytest.fixture(scope="module")
def torch_records():
    return recorded(ERROR_TORCH, error_torch)


def test_error_torch_right_record_gets_its_message(torch_records):
    cases, good = torch_records
    assert judged(ERROR_TORCH, cases, good) == ("the PyTorch error equals the numpy one, and autograd's gradient "
                                                "W[0].grad matches")


@pytest.mark.parametrize("answers,got", [(None, "NoneType"), ([{}], "list of length 1")])
def test_error_torch_records_of_the_wrong_kind_are_described(torch_records, answers, got):
    cases, _ = torch_records
    assert judged(ERROR_TORCH, cases, answers) == f"error_torch: expected {len(cases)} records, got {got}"


@pytest.mark.parametrize("change,message", [
    (dict(is_tensor=False, type="float"), "error_torch must return a torch tensor; got float (numpy values and "
                                          "Python floats cannot be differentiated by autograd)"),
    (dict(shape=[3, 1]), "error_torch must return a single number; got a tensor of shape (3, 1): take .mean()"),
    (dict(shape=None), "error_torch must return a single number; got a tensor of shape (): take .mean()"),
    (dict(has_grad_fn=False), "the error is not connected to the parameters (grad_fn is None): build it from W and "
                              "B with torch operations, without .detach(), .item() or .numpy()"),
    (dict(dtype="float32"), "the error is computed in float32: keep the tensors' float64 (no .float()), so that it "
                            "matches numpy to round-off"),
    (dict(grad_W=None), "the error has the right value but autograd's gradient W[0].grad is wrong (or missing): is "
                        "part of the computation detached from W?"),
])
def test_error_torch_each_failure_says_what_it_found(torch_records, change, message):
    cases, good = torch_records
    answers = edit(good, lambda a: a.update(change))
    assert judged(ERROR_TORCH, cases, answers) == message


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
