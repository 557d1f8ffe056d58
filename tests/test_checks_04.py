"""Checks of notebook 04: the right answer passes, each recognised mistake produces its message, malformed
answers a message. The right answers are written here independently of the package's reference (torch
autograd in float64, a loop written for the test), so that a wrong reference cannot pass unnoticed."""
import json
from pathlib import Path

import nbformat
import numpy as np
import pytest
import torch

from conftest import require
from feedback import fails_with
from utils import checks, data
from utils.checks import backprop

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "04-backprop-vs-autograd.ipynb"


# ---------------------------------------------------------------- independent answers

def autograd_backward(X, T, W, B, act=torch.relu):
    """Gradients by torch autograd in float64: independent of utils.mlp."""
    Wt = [torch.tensor(w, requires_grad=True) for w in W]
    Bt = [torch.tensor(b, requires_grad=True) for b in B]
    A = torch.tensor(X)
    for l, (w, b) in enumerate(zip(Wt, Bt)):
        Z = A @ w + b
        A = act(Z) if l < len(W) - 1 else Z
    ((A - torch.tensor(T)) ** 2).mean().backward()
    return [w.grad.numpy() for w in Wt], [b.grad.numpy() for b in Bt]


def written_backward(X, T, W, B, deriv=lambda Z, A: Z > 0, act=lambda Z: np.maximum(Z, 0), scale=None,
                     bias_sum=lambda d: d.sum(axis=0), skip_mask_at=None, transpose=True):
    """A backward pass written for the test, with switches that plant one mistake each."""
    Z, A = [], [X]
    for l in range(len(W)):
        Z.append(A[-1] @ W[l] + B[l])
        A.append(act(Z[-1]) if l < len(W) - 1 else Z[-1])
    delta = (scale(len(X)) if scale else 2 / len(X)) * (A[-1] - T)
    DW, DB = [None] * len(W), [None] * len(W)
    for l in reversed(range(len(W))):
        DW[l], DB[l] = A[l].T @ delta, bias_sum(delta)
        if l > 0:
            back = delta @ (W[l].T if transpose or W[l].shape[0] != W[l].shape[1] else W[l])
            delta = back if skip_mask_at == l else back * deriv(Z[l - 1], A[l])
    return DW, DB


def test_independent_answers_agree_with_each_other():
    X, T = data.getdata()
    W, B = data.getparams()
    for g, r in zip(sum(autograd_backward(X, T, W, B), []), sum(written_backward(X, T, W, B), [])):
        np.testing.assert_allclose(g, r, rtol=1e-10, atol=1e-14)


# ---------------------------------------------------------------- Exercise 1

def test_backward_right_answers_pass(capsys):
    checks.check_backward(autograd_backward)
    checks.check_backward(written_backward)
    assert capsys.readouterr().out.count("✓") == 2


@pytest.mark.parametrize("answer,pattern", [
    (lambda *a: written_backward(*a, scale=lambda n: 2), "1/N of the mean is missing"),
    (lambda *a: written_backward(*a, scale=lambda n: 1), "2/N factor"),
    (lambda *a: written_backward(*a, scale=lambda n: -2 / n), "wrong sign"),
    (lambda *a: written_backward(*a, scale=lambda n: 1 / n), "factor 2 from the derivative of the square is missing"),
    (lambda *a: written_backward(*a, bias_sum=lambda d: d.mean(axis=0)), r"DB\[3\] is N times too small"),
    (lambda *a: written_backward(*a, bias_sum=lambda d: d), "summed over the batch"),
    (lambda *a: ([d.T for d in written_backward(*a)[0]], written_backward(*a)[1]), "transposed"),
    # the first wrong layer, counted from the output, and what enters there
    (lambda *a: written_backward(*a, deriv=lambda Z, A: 1), r"layer 3 \(W\[2\], B\[2\]\) is the first layer.*ReLU mask is missing"),
    (lambda *a: written_backward(*a, skip_mask_at=2), r"layer 2 \(W\[1\], B\[1\]\) is the first layer.*ReLU mask is missing.*Z2 > 0"),
    (lambda *a: written_backward(*a, deriv=lambda Z, A: Z), r"layer 3 .*mask 1\[Z3 > 0\], not Z3 itself"),
    (lambda *a: written_backward(*a, deriv=lambda Z, A: A), r"layer 3 .*not the activation A3"),
    (lambda *a: written_backward(*a, transpose=False), r"layer 2 .*W\[2\] must be transposed"),
])
def test_backward_mistakes_are_named(answer, pattern):
    fails_with(checks.check_backward, answer, pattern)


def test_backward_mask_of_the_layer_above_is_named():
    def answer(X, T, W, B):
        Y, Z, A = _forward(X, W, B)
        delta, DW, DB = 2 * (Y - T) / len(X), [None] * 4, [None] * 4
        for l in reversed(range(4)):
            DW[l], DB[l] = A[l].T @ delta, delta.sum(0)
            if l > 0:
                delta = delta @ W[l].T * (Z[l] > 0 if l < 3 else Z[l - 1] > 0)  # layer 2's mask from layer 3
        return DW, DB
    fails_with(checks.check_backward, answer, "not from the layer above")


def test_backward_dw_from_pre_activation_is_named():
    def answer(X, T, W, B):
        DW, DB = autograd_backward(X, T, W, B)
        Y, Z, A = _forward(X, W, B)
        DW[3] = Z[2].T @ (2 * (Y - T) / len(X))
        return DW, DB
    fails_with(checks.check_backward, answer, r"DB\[3\] is right.*not the pre-activation Z3")


def _forward(X, W, B):
    Z, A = [], [X]
    for l in range(len(W)):
        Z.append(A[-1] @ W[l] + B[l])
        A.append(np.maximum(Z[-1], 0))
    return Z[-1], Z, A[:-1]


def test_backward_that_reads_notebook_globals_is_told_so():
    X0, T0 = data.getdata()
    W0, B0 = data.getparams()
    Y0, Z0, A0 = _forward(X0, W0, B0)

    def whole_gradient_from_globals(X, T, W, B):
        return autograd_backward(X0, T0, W0, B0)

    def activations_from_globals(X, T, W, B):  # uses Z1, A1, ... of the notebook, the arguments elsewhere
        delta, DW, DB = 2 * (Y0 - T[:len(Y0)]) / len(X), [None] * 4, [None] * 4
        for l in reversed(range(4)):
            DW[l], DB[l] = A0[l].T @ delta, delta.sum(0)
            if l > 0:
                delta = delta @ W[l].T * (Z0[l - 1] > 0)
        return DW, DB
    for answer in (whole_gradient_from_globals, activations_from_globals):
        fails_with(checks.check_backward, answer, "reads the notebook's globals")


@pytest.mark.parametrize("answer,pattern", [
    (lambda *a: None, r"pair \(DW, DB\); got None: did you forget `return`"),
    (lambda *a: {"DW": 1}, r"pair \(DW, DB\); got <dict>"),
    (lambda *a: ([1, 2], [3, 4]), "list of 4 arrays"),
    (lambda X, T, W, B: ([np.full_like(w, np.nan) for w in W], B), "NaN"),
    (lambda X, T, W, B: ([w.tolist() for w in W], B), r"DW\[0\] is a list"),
    (lambda *a: (_ for _ in ()).throw(NotImplementedError()), "not written yet"),
    (lambda X, T, W, B: X.foo, "raised AttributeError"),
    (42, "must be a function"),
])
def test_backward_malformed_answers_get_a_message(answer, pattern):
    fails_with(checks.check_backward, answer, pattern)


def test_backward_failing_only_for_small_n_is_judged_on_the_first_cases_first():
    def answer(X, T, W, B):
        if len(X) < 100:
            raise ValueError("operands could not be broadcast")
        return autograd_backward(X, T, W, B)
    fails_with(checks.check_backward, answer, "raised ValueError")


# ---------------------------------------------------------------- Exercise 4 (transfer: tanh)

def written_tanh(X, T, W, B, deriv=lambda Z, A: 1 - A ** 2, **kw):
    return written_backward(X, T, W, B, deriv=deriv, act=np.tanh, **kw)


def test_backward_tanh_right_answers_pass(capsys):
    checks.check_backward_tanh(lambda *a: autograd_backward(*a, act=torch.tanh))
    checks.check_backward_tanh(written_tanh)
    assert capsys.readouterr().out.count("✓") == 2


@pytest.mark.parametrize("answer,pattern", [
    (lambda *a: written_tanh(*a, deriv=lambda Z, A: Z > 0), r"layer 3 .*that is the ReLU mask"),
    (lambda *a: written_tanh(*a, deriv=lambda Z, A: A > 0), r"that is the ReLU mask"),
    (lambda *a: written_tanh(*a, deriv=lambda Z, A: 1 - Z ** 2), "use 1 - A3², not 1 - Z3²"),
    (lambda *a: written_tanh(*a, deriv=lambda Z, A: 1 - A), "square the activation"),
    (lambda *a: written_tanh(*a, deriv=lambda Z, A: 1), "tanh's derivative 1 - A3² is missing"),
    (lambda *a: written_tanh(*a, deriv=lambda Z, A: A), "not A3"),
    (lambda *a: written_tanh(*a, transpose=False), r"W\[2\] must be transposed"),
    (lambda *a: written_tanh(*a, scale=lambda n: 2), "1/N of the mean is missing"),
    (lambda *a: autograd_backward(*a), "returns the ReLU network's gradient"),
    (lambda *a: None, "got None"),
    (lambda X, T, W, B: (W, B[:2]), "DB must be a list of"),
])
def test_backward_tanh_mistakes_are_named(answer, pattern):
    fails_with(checks.check_backward_tanh, answer, pattern)


def test_backward_tanh_hard_coded_for_four_layers_fails_on_the_other_shape():
    def four_layers_only(X, T, W, B):
        DW, DB = written_tanh(X, T, W, B)
        return DW + [np.zeros((6, 1))] * (4 - len(W)), DB + [np.zeros(1)] * (4 - len(W))
    fails_with(checks.check_backward_tanh, four_layers_only, "DW must be a list of 3 arrays")


# ---------------------------------------------------------------- Exercise 2

def error_torch(X, T, W, B, act=torch.relu, last=lambda Z: Z, bias=True, reduce=lambda d: (d ** 2).mean()):
    A = X
    for l in range(len(W)):
        Z = A @ W[l] + (B[l] if bias else 0)
        A = act(Z) if l < len(W) - 1 else last(Z)
    return reduce(A - T)


def test_error_torch_right_answer_passes(capsys):
    checks.check_error_torch(error_torch)
    assert "✓" in capsys.readouterr().out


@pytest.mark.parametrize("answer,pattern", [
    (lambda *a: error_torch(*a).item(), "must return a torch tensor; got float"),
    (lambda *a: error_torch(*a).detach(), "grad_fn is None"),
    (lambda *a: error_torch(*a, reduce=lambda d: (d ** 2).sum()), "N times too large"),
    (lambda *a: error_torch(*a, reduce=lambda d: 0.5 * (d ** 2).mean()), "half the right value"),
    (lambda *a: error_torch(*a, last=torch.relu), "ReLU on the output layer"),
    (lambda *a: error_torch(*a, act=lambda Z: Z), "ReLUs of the hidden layers are missing"),
    (lambda *a: error_torch(*a, bias=False), "biases B are missing"),
    (lambda *a: error_torch(*a, reduce=lambda d: d.mean()), "square is missing"),
    (lambda *a: error_torch(*a, reduce=lambda d: d.abs().mean()), "mean absolute error"),
    (lambda *a: error_torch(*a).float(), "computed in float32"),
    (lambda *a: error_torch(*a, reduce=lambda d: (d ** 2).mean(dim=1)), "single number"),
    (lambda X, T, W, B: error_torch(X, T, [w.detach() for w in W], B), "W\\[0\\].grad is wrong"),
    (lambda *a: None, "got NoneType"),
    (lambda *a: (_ for _ in ()).throw(NotImplementedError()), "not written yet"),
])
def test_error_torch_mistakes_are_named(answer, pattern):
    fails_with(checks.check_error_torch, answer, pattern)


# ---------------------------------------------------------------- Exercise 3

def sequential(W, B, load=lambda w: w.T, relu=True, dtype=torch.float64, load_bias=True, relu_last=False):
    layers = []
    for l, (w, b) in enumerate(zip(W, B)):
        lin = torch.nn.Linear(*w.shape).to(dtype)
        with torch.no_grad():
            if load:
                lin.weight.copy_(torch.tensor(load(w)))
            if load_bias:
                lin.bias.copy_(torch.tensor(b))
        layers.append(lin)
        if (relu and l < len(W) - 1) or (relu_last and l == len(W) - 1):
            layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers)


def _relu_first(layers):
    """[Linear, ReLU, Linear, ReLU, ..., Linear] -> [ReLU, Linear, ReLU, Linear, ..., Linear, Linear]."""
    linears = layers[::2]
    return [m for lin in linears[:-2] for m in (torch.nn.ReLU(), lin)] + [torch.nn.ReLU(), linears[-2], linears[-1]]


def test_sequential_right_answer_passes(capsys):
    checks.check_sequential(sequential)
    assert "✓" in capsys.readouterr().out


@pytest.mark.parametrize("answer,pattern", [
    (lambda W, B: sequential(W, B, relu=False), "ReLU after each hidden layer"),
    (lambda W, B: sequential(W, B, relu_last=True), "output layer is linear"),
    (lambda W, B: sequential(W, B, load=lambda w: w.reshape(w.shape[::-1])), "reshaped, not transposed"),
    (lambda W, B: sequential(W, B, dtype=torch.float32), "float64"),
    (lambda W, B: sequential(W, B, load=None), "random initial values"),
    (lambda W, B: sequential(W, B, load_bias=False), "the bias is not b"),
    (lambda W, B: torch.nn.Sequential(*_relu_first(list(sequential(W, B)))), "starts with ReLU"),
    (lambda W, B: torch.nn.Sequential(*list(sequential(W, B))[:-2]), "needs 4 nn.Linear layers; got 3"),
])
def test_sequential_mistakes_are_named(answer, pattern):
    fails_with(checks.check_sequential, answer, pattern)


def test_sequential_square_layer_loaded_untransposed_is_named():
    def answer(W, B):
        net = sequential(W, B)
        with torch.no_grad():
            net[2].weight.copy_(torch.tensor(W[1]))
        return net
    fails_with(checks.check_sequential, answer, r"layer 1: load w\.T, not w")


@pytest.mark.parametrize("answer,pattern", [
    (lambda W, B: [1], "must return a torch.nn.Sequential; got list"),
    (lambda W, B: None, "got NoneType"),
    (lambda W, B: (_ for _ in ()).throw(NotImplementedError()), "not written yet"),
])
def test_sequential_malformed_answers_get_a_message(answer, pattern):
    fails_with(checks.check_sequential, answer, pattern)


# ---------------------------------------------------------------- the Exercise protocol

RIGHT = {"check-backward": autograd_backward, "check-autograd": error_torch, "check-sequential": sequential,
         "check-backward-tanh": lambda *a: autograd_backward(*a, act=torch.tanh)}


def _plain_only(value):
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain_only(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return all(_plain_only(v) for v in value)
    return value is None or isinstance(value, (bool, int, float, str, np.ndarray, np.number))


@pytest.mark.parametrize("grade_id", sorted(RIGHT))
def test_exercises_collect_plain_data_and_judge_with_another_seed(grade_id):
    exercise = backprop.EXERCISES[grade_id]
    assert checks.EXERCISES[grade_id] is exercise
    for seed in (exercise.seed, 12345):  # the grader's secret seed gives other cases
        inputs = exercise.cases(seed)
        answers = exercise.collect(RIGHT[grade_id], inputs)
        assert _plain_only(answers), f"{grade_id}: collect returned more than plain data"
        assert exercise.judge(inputs, answers)
    assert json.dumps(_shapes(exercise.cases(1))) != json.dumps(_shapes(exercise.cases(2))) or \
        not np.array_equal(exercise.cases(1)[-1][0], exercise.cases(2)[-1][0])


def _shapes(value):
    return [_shapes(v) for v in value] if isinstance(value, (list, tuple)) else list(np.shape(value))


@pytest.mark.parametrize("grade_id", sorted(RIGHT))
def test_judge_rejects_answers_that_are_not_what_collect_records(grade_id):
    exercise = backprop.EXERCISES[grade_id]
    inputs = exercise.cases(exercise.seed)
    for junk in (None, "x", [], [None] * len(inputs)):
        with pytest.raises(checks.CheckFailed):
            exercise.judge(inputs, junk)


def test_every_grade_cell_of_notebook_04_is_registered():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    auto = {c.metadata["nbgrader"]["grade_id"] for c in nb.cells
            if c.metadata.get("nbgrader", {}).get("grade") and not c.metadata["nbgrader"].get("solution")}
    assert auto == set(backprop.EXERCISES)


def test_written_questions_are_manual_cells_whose_model_answers_the_student_version_removes():
    import importlib.util
    try:
        import nbgrader  # noqa: F401
    except ImportError:
        nbgrader = None
    require(nbgrader is not None, "nbgrader is not installed: pip install -r requirements.txt")
    spec = importlib.util.spec_from_file_location("make_student", ROOT / "scripts" / "make_student.py")
    make_student = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_student)
    nb = nbformat.read(NOTEBOOK, as_version=4)
    written = {c.metadata["nbgrader"]["grade_id"]: c for c in nb.cells
               if c.metadata.get("nbgrader", {}).get("grade") and c.metadata["nbgrader"].get("solution")}
    assert len(written) == 3
    for gid, cell in written.items():
        meta = cell.metadata["nbgrader"]
        assert cell.cell_type == "markdown" and meta["points"] > 0 and meta["locked"] is False
        assert meta["schema_version"] == 3 and "Model answer" in cell.source
    student = make_student.student_version(nb)
    for cell in student.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid in written:
            assert "Model answer" not in cell.source and "YOUR ANSWER HERE" in cell.source
    # every question stays in the student version, with what it is graded on; the rubric, which states the
    # answer, is in the model-answer cell and leaves with it
    text = "\n".join(c.source for c in student.cells)
    assert text.count("*Graded on:") == 3 and "Rubric" not in text
    assert all("**Rubric.**" in cell.source for cell in written.values())
