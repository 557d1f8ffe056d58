"""Checks of notebook 04: the right answer passes, each recognised mistake produces its message, malformed
answers a message. The right answers are written here independently of the package's reference (torch
autograd in float64, a loop written for the test), so that a wrong reference cannot pass unnoticed."""
import re
from pathlib import Path

import nbformat
import numpy as np
import pytest
import torch

from helpers import (fails_with, named_with_a_graders_seed, require, sequential, sgd, shown_check_frames, where, whole,
                     with_layer, written_backward)
from utils import checks, data
from utils.checks import mlp as mlp_checks

ROOT = Path(__file__).resolve().parents[2]
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


def test_independent_answers_agree_with_each_other():
    X, T = data.getdata()
    W, B = data.getparams()
    for g, r in zip(sum(autograd_backward(X, T, W, B), []), sum(written_backward(X, T, W, B), [])):
        np.testing.assert_allclose(g, r, rtol=1e-10, atol=1e-14)


# ---------------------------------------------------------------- Exercise 1

def test_backward_right_answers_pass(capsys):
    mlp_checks.check_backward(autograd_backward)
    mlp_checks.check_backward(written_backward)
    assert capsys.readouterr().out.count("✓") == 2


OUTPUT = rf" \({where(3)}: what enters there is the output δ, dE/dY\) \(on the notebook's data\)$"


@pytest.mark.parametrize("answer,pattern", [
    (lambda *a: written_backward(*a, scale=lambda n: 2), "^DW\\[3\\] is N times too large: the 1/N of the mean is "
                                                         "missing" + OUTPUT),
    (lambda *a: written_backward(*a, scale=lambda n: 1), r"^DW\[3\] is N/2 times too large: the 2/N factor \(2 from "
                                                         r"the "
                                                          r"square, 1/N from the mean\) is missing" + OUTPUT),
    (lambda *a: written_backward(*a, scale=lambda n: -2 / n), r"^DW\[3\] has the wrong sign: check the order in \(Y - "
                                                              r"T\)" + OUTPUT),
    (lambda *a: written_backward(*a, scale=lambda n: 1 / n),
     r"^DW\[3\] is half the right value: the factor 2 from the derivative of the square is missing" + OUTPUT),
    (lambda *a: written_backward(*a, bias_sum=lambda d: d.mean(axis=0)), r"^DB\[3\] is N times too small while DW\[3\] is "
                                                                         r"right: on the way to DB\[3\] your code divides by N once more than on the way "
                                                                         r"to DW\[3\] \(on the notebook's data\)$"),
    (lambda *a: written_backward(*a, bias_sum=lambda d: d),
     r"^DB\[0\] has shape \(100, 6\), expected \(6,\): the bias gradient must be summed over the batch "
     r"\(delta.sum\(axis=0\)\)"),
    (lambda *a: ([d.T for d in written_backward(*a)[0]], written_backward(*a)[1]),
     r"^DW\[0\] has shape \(6, 4\), expected \(4, 6\): it is transposed \(a gradient has the shape of what it "
     r"differentiates\)"),
    # the first wrong layer, counted from the output, and what enters there
    (lambda *a: written_backward(*a, deriv=lambda Z, A: 1), "^" + where(2) + r": δ\[2\] has no ReLU derivative in it: the "
                                                                             r"gradient comes back through the ReLU of layer 2 unchanged, even where that "
                                                                             r"unit was off \(on the notebook's data\)$"),
    (lambda *a: written_backward(*a, skip_mask_at=2), "^" + where(1) + r": δ\[1\] has no ReLU derivative in it: the gradient "
                                                                       r"comes back through the ReLU of layer 1"),
    (lambda *a: written_backward(*a, deriv=lambda Z, A: Z), "^" + where(2) + r": δ\[2\] is multiplied by Z\[2\] itself: the "
                                                                             r"ReLU's derivative takes only the values 0 and 1"),
    (lambda *a: written_backward(*a, deriv=lambda Z, A: A), "^" + where(2) + r": δ\[2\] is multiplied by the activation A\[3\] "
                                                                             r"= max\(0, Z\[2\]\): the ReLU's derivative takes only the values 0 and 1"),
    (lambda *a: written_backward(*a, transpose=False),
     "^" + where(1) + r": on the way back through W\[2\] the matrix is not transposed \(W\[2\] is square, "
                      r"so the shapes did not complain\)"),
])
def test_backward_mistakes_are_named(answer, pattern):
    fails_with(mlp_checks.check_backward, answer, pattern)


def test_backward_mask_of_the_layer_above_is_named():
    def answer(X, T, W, B):
        Y, Z, A = _forward(X, W, B)
        delta, DW, DB = 2 * (Y - T) / len(X), [None] * 4, [None] * 4
        for l in reversed(range(4)):
            DW[l], DB[l] = A[l].T @ delta, delta.sum(0)
            if l > 0:
                delta = delta @ W[l].T * (Z[l] > 0 if l < 3 else Z[l - 1] > 0)  # layer 2's mask from layer 3
        return DW, DB
    fails_with(mlp_checks.check_backward, answer, r"^" + where(1) + r": δ\[1\] is masked with the units of layer 2 "
                                              r"\(Z\[2\] > 0\): the ReLU it comes back through is layer 1's")


def test_backward_dw_from_pre_activation_is_named():
    def answer(X, T, W, B):
        DW, DB = autograd_backward(X, T, W, B)
        Y, Z, A = _forward(X, W, B)
        DW[3] = Z[2].T @ (2 * (Y - T) / len(X))
        return DW, DB
    fails_with(mlp_checks.check_backward, answer, r"^DW\[3\]: " + where(3) + r". DB\[3\] is right, so δ\[3\] is; DW\[3\] "
                                              r"takes the pre-activation Z\[2\] where the layer's input is the activation "
                                              r"A\[3\]")


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
        fails_with(mlp_checks.check_backward, answer, "reads the notebook's globals")


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
    fails_with(mlp_checks.check_backward, answer, pattern)


def test_backward_failing_only_for_small_n_is_judged_on_the_first_cases_first():
    def answer(X, T, W, B):
        if len(X) < 100:
            raise ValueError("operands could not be broadcast")
        return autograd_backward(X, T, W, B)
    fails_with(mlp_checks.check_backward, answer, "raised ValueError")


def test_backward_failing_on_the_notebooks_data_is_told_so():
    """The first case is the notebook's own data: a pass that fails there hears that, not a network's sizes."""
    def reads_a_missing_attribute(X, T, W, B):
        return X.foo
    fails_with(mlp_checks.check_backward, reads_a_missing_attribute,
               whole("backward raised AttributeError: 'numpy.ndarray' object has no attribute 'foo' (on the "
                     "notebook's data)"))


def test_backward_written_for_four_layers_is_told_on_which_network_it_failed():
    """Issue 26: a hard-coded range(4) raised IndexError with no word of the network it failed on."""
    def four_layers_only(X, T, W, B):
        Z, A = [], [X]
        for l in range(4):
            Z.append(A[-1] @ W[l] + B[l])
            A.append(np.maximum(Z[-1], 0))
        return written_backward(X, T, W, B)
    fails_with(mlp_checks.check_backward, four_layers_only,
               r"^backward raised IndexError: list index out of range \(on the 3-5-4-1 network with N = 9; right on the "
               r"4-6-6-6-1 networks: does your code assume four layers\? Loop over len\(W\)\)$")


def test_backward_right_on_four_layers_only_is_told_to_look_at_the_depth():
    def answer(X, T, W, B):
        DW, DB = written_backward(X, T, W, B)
        return (DW, DB) if len(W) == 4 else ([2 * d for d in DW], DB)
    fails_with(mlp_checks.check_backward, answer, r"\(on the 3-5-4-1 network with N = 9; right on the 4-6-6-6-1 "
                                              r"networks: does your code assume four layers\? Loop over len\(W\)\)$")


# ---------------------------------------------------------------- Exercise: mini-batch SGD


def test_sgd_right_answers_pass(capsys):
    mlp_checks.check_sgd(sgd)
    mlp_checks.check_sgd(lambda *a: sgd(*a, optimizer=True))
    assert capsys.readouterr().out.count("✓") == 2


ON = r" \(on the notebook's network \(N = 60, batches of 20\)\)$"


@pytest.mark.parametrize("answer,pattern", [
    (lambda *a: sgd(*a, zero=None), "^the gradients accumulate: .grad adds up over the steps.*" + ON),
    (lambda *a: sgd(*a, zero=None, optimizer=True), "^the gradients accumulate"),
    (lambda *a: sgd(*a, zero="after backward"), "^the parameters never moved: the gradients are zeroed between "
                                               r"backward\(\) and the update"),
    (lambda *a: sgd(*a, batch="full"), "^every step uses all N samples: take the next batch_size rows"),
    (lambda *a: sgd(*a, batch="same"), "^every step uses the first batch: the batch must advance"),
    (lambda *a: sgd(*a, sign=-1), r"^the update has the wrong sign: .*step against the gradient.*" + ON),
    (lambda *a: sgd(*a)[:-1], r"^sgd must return the list of the 7 batch losses, one per step; got list of length 6"),
    (lambda *a: None, r"^sgd must return the list of the 7 batch losses, one per step; got None"),
    (lambda *a: [0.0] * a[-1], r"^the loss of step 0 is 0, expected"),
    (lambda *a: [None] * a[-1], r"^the loss of step 0 is None, not a number: append loss.item\(\) at each step"),
    (lambda *a: (_ for _ in ()).throw(NotImplementedError()), "^sgd is not written yet"),
    (lambda net, X, T, eta, b, steps: sgd(net, X, T, eta, b, steps) if len(X) == 60 else X.foo,
     r"^sgd raised AttributeError: .* \(on the 3-5-4-1 network \(N = 12, batches of 4\)\)$"),
])
def test_sgd_mistakes_are_named(answer, pattern):
    fails_with(mlp_checks.check_sgd, answer, pattern)


@pytest.mark.parametrize("switch,message", [
    (dict(batch="no mod"), "the loss is nan at step 3: its batch is empty. Without % N, step 3 starts at row 3 * 20 = "
                           "60, past the last row (N = 60); the batches must come round again, "
                           "i = (k * batch_size) % N"),
    (dict(batch="offset"), "step 0 used the second batch (the rows from batch_size on): k counts from 0, so step 0 "
                           "takes the first batch, rows 0 to batch_size - 1, and step k the rows from "
                           "(k * batch_size) % N"),
    (dict(batch="batch number"), "the batches start at rows 0, 1, 2, ...: k mod (N / batch_size) is the number of a "
                                 "batch, not its first row; X[i:i + batch_size] needs the row where step k's batch "
                                 "starts"),
    (dict(batch="random"), "the batches start at rows 40, 40, 0, 40, 20, 20, 20, not in the order of the rows (step 0 "
                           "used the rows from 40 on): without shuffling or random choices, step k takes the rows "
                           "from (k * batch_size) % N on, so that the check can replay your run"),
    (dict(batch="short"), "step 2 used a short batch, rows 50 to 59: fewer than batch_size = 20 rows (the batches "
                          "start at rows 10, 30, 50, 10, 30, 50, 10); step k starts at row (k * batch_size) % N"),
    (dict(loss="sum"), "every loss is exactly batch_size = 20 times the batch's mean squared error: the loss sums the "
                       "squared errors of the batch; the exercise's loss is their mean"),
    (dict(biases=False), "the biases never moved: the update must change every parameter of net.parameters(), the "
                         "biases as well as the weights"),
    (dict(record="after"), "each loss is the batch's loss after that step's update: record the loss whose backward() "
                           "gave the step's gradient, computed before the update"),
    (dict(record="tensor"), "the loss of step 0 is a tensor, not a Python float: return loss.item() for each step (a "
                            "tensor keeps its graph alive, and numpy.mean in the cell below cannot read one that "
                            "requires grad)"),
])
def test_sgd_batch_and_loss_mistakes_are_named_by_their_cause(switch, message):
    """Each of these got "the losses are those of each batch, computed before that step's update" (or "the run
    diverged", or passed) before the trial of 2026-12: the message now names the cause."""
    fails_with(mlp_checks.check_sgd, lambda *a: sgd(*a, **switch), "^" + re.escape(message) + ".*" + ON)


@pytest.mark.parametrize("answer,message", [
    # rows counted from 1: step 3 starts at row 1 = 3 * 20 / 60, a row the trace must not skip
    (lambda *a: sgd(*a, batch="one-based"),
     "step 2 used a short batch, rows 41 to 59: fewer than batch_size = 20 rows (the batches start at rows 1, 21, 41, "
     "1, 21, 41, 1); step k starts at row (k * batch_size) % N" + " (on the notebook's network (N = 60, batches of 20))"),
    # right on the notebook's network; on the 3-5-4-1 one, step 4 starts at row 1 = 4 / 4 where 16 % 12 = 4 belongs
    (lambda net, X, T, eta, b, steps: sgd(net, X, T, eta, b, steps, rows=[0, 4, 8, 0, 1] if len(X) == 12 else None),
     "the batches start at rows 0, 4, 8, 0, 1, not in the order of the rows (step 4 used the rows from 1 on): without "
     "shuffling or random choices, step k takes the rows from (k * batch_size) % N on, so that the check can replay "
     "your run (on the 3-5-4-1 network (N = 12, batches of 4))"),
])
def test_sgd_batches_starting_at_any_row_are_traced_on_every_network(answer, message):
    fails_with(mlp_checks.check_sgd, answer, "^" + re.escape(message) + "$")


def test_sgd_losses_of_numpy_floats_pass(capsys):
    mlp_checks.check_sgd(lambda *a: [np.float64(x) for x in sgd(*a)])
    assert "✓" in capsys.readouterr().out


def test_sgd_that_updates_twice_is_told_the_parameters_are_wrong():
    def twice(net, X, T, eta, b, steps):
        losses = sgd(net, X, T, eta, b, steps)
        with torch.no_grad():
            for p in net.parameters():
                p -= eta * p.grad
        return losses
    fails_with(mlp_checks.check_sgd, twice, whole(
        "the losses are right but the parameters after the last step are not: update every parameter once per step, "
        "p -= eta * p.grad, under torch.no_grad() (on the notebook's network (N = 60, batches of 20))"))


def test_sgd_up_the_gradient_that_stays_finite_is_told_the_sign():
    """Right on the notebook's network, up the gradient on the 3-5-4-1 one, whose five steps stay finite (the
    ascent does not overflow there): the judge names the sign from the replay of that run, not from an inf."""
    def uphill_on_the_small_network(net, X, T, eta, b, steps):
        return sgd(net, X, T, eta, b, steps, sign=-1 if len(X) == 12 else 1)
    c = mlp_checks.check_sgd.cases(mlp_checks.check_sgd.seed)[1]
    ascent = sgd(sequential(c["W"], c["B"]), torch.tensor(c["X"]), torch.tensor(c["T"]), c["eta"], c["batch_size"],
                 c["steps"], sign=-1)
    assert np.all(np.isfinite(ascent)) and ascent[-1] > 100 * ascent[0]  # finite, and it grew: the run this is about
    fails_with(mlp_checks.check_sgd, uphill_on_the_small_network, whole(
        "the update has the wrong sign: step against the gradient, p -= eta * p.grad (on the 3-5-4-1 network "
        "(N = 12, batches of 4))"))


def test_sgd_loss_that_no_batch_has_is_told_the_step_and_both_values():
    """The root of each batch's mean squared error: the loss of step 0 is that of no batch of consecutive rows."""
    def root_mean_square(*a):
        return [x ** 0.5 for x in sgd(*a)]
    case = mlp_checks.check_sgd.cases(mlp_checks.check_sgd.seed)[0]
    net, b = sequential(case["W"], case["B"]), case["batch_size"]
    first = ((net(torch.tensor(case["X"][:b])) - torch.tensor(case["T"][:b])) ** 2).mean().item()  # batch 0's mean
    fails_with(mlp_checks.check_sgd, root_mean_square, whole(
        f"the loss of step 0 is {first ** 0.5:.6g}, expected {first:.6g}, and no batch of consecutive rows has that "
        "loss at that point: each loss is the mean squared error of the step's batch, computed before the update (on "
        "the notebook's network (N = 60, batches of 20))"))


# ---------------------------------------------------------------- Exercise 3


def _relu_first(layers):
    """[Linear, ReLU, Linear, ReLU, ..., Linear] -> [ReLU, Linear, ReLU, Linear, ..., Linear, Linear]."""
    linears = layers[::2]
    return [m for lin in linears[:-2] for m in (torch.nn.ReLU(), lin)] + [torch.nn.ReLU(), linears[-2], linears[-1]]


def test_sequential_right_answer_passes(capsys):
    mlp_checks.check_sequential(sequential)
    assert "✓" in capsys.readouterr().out


@pytest.mark.parametrize("answer,pattern", [
    (lambda W, B: sequential(W, B, relu=False), r"^the network needs a ReLU after each hidden layer \(3\); got 0"),
    (lambda W, B: sequential(W, B, relu_last=True), "^the network ends with ReLU: the output layer is linear, no ReLU "
                                                    "after it"),
    (lambda W, B: sequential(W, B, load=lambda w: w.reshape(w.shape[::-1])), r"^layer 0: w was reshaped, not "
                                                                             r"transposed: reshape keeps numpy's order of the entries; load w\.T"),
    (lambda W, B: sequential(W, B, dtype=torch.float32),
     r"^layer 0: use float64 \(nn\.Linear\(\.\.\.\)\.double\(\)\) so the results match numpy; got float32"),
    (lambda W, B: sequential(W, B, load=None), r"^layer 0: the weight is not w\.T \(nn\.Linear's random initial values "
                                               r"are still there\?\)"),
    (lambda W, B: sequential(W, B, load_bias=False), r"^layer 0: the bias is not b: copy it in with "
                                                     r"layer\.bias\.copy_"),
    (lambda W, B: torch.nn.Sequential(*_relu_first(list(sequential(W, B)))), "^the network starts with ReLU: it must "
                                                                             "start with nn.Linear"),
    (lambda W, B: torch.nn.Sequential(*list(sequential(W, B))[:-2]), "^the network needs 4 nn.Linear layers; got 3"),
])
def test_sequential_mistakes_are_named(answer, pattern):
    fails_with(mlp_checks.check_sequential, answer, pattern)


def test_sequential_square_layer_loaded_untransposed_is_named():
    def answer(W, B):
        net = sequential(W, B)
        with torch.no_grad():
            net[2].weight.copy_(torch.tensor(W[1]))
        return net
    fails_with(mlp_checks.check_sequential, answer, r"^layer 1: load w\.T, not w: nn\.Linear computes x @ weight\.T")


def _without_first_weight(net):
    net[0].weight = None
    return net


@pytest.mark.parametrize("answer,pattern", [
    (lambda W, B: [1], "^build_sequential must return a torch.nn.Sequential; got list"),
    (lambda W, B: None, "^build_sequential must return a torch.nn.Sequential; got NoneType"),
    (lambda W, B: (_ for _ in ()).throw(NotImplementedError()),
     whole("build_sequential is not written yet: replace `raise NotImplementedError()` with your code")),
    (5, whole("build_sequential must be a function; got int")),
    # a layer whose weight was set to None (torch allows it): named, not an AttributeError from the check
    (lambda W, B: _without_first_weight(sequential(W, B)),
     whole("layer 0: nn.Linear(4, 6) stores its weight as (out, in) = (6, 4); got None (on the notebook's network)")),
])
def test_sequential_malformed_answers_get_a_message(answer, pattern):
    fails_with(mlp_checks.check_sequential, answer, pattern)


def test_sequential_written_for_four_layers_only_is_told_it_is_not_written():
    """NotImplementedError on the 3-5-4-1 network gets the not-written message unchanged: the hint for fixed sizes
    goes only inside the "(on ...)" that ends the message of an exception, and this message has none."""
    def four_layers_only(W, B):
        if len(W) != 4:
            raise NotImplementedError()
        return sequential(W, B)
    fails_with(mlp_checks.check_sequential, four_layers_only,
               whole("build_sequential is not written yet: replace `raise NotImplementedError()` with your code"))


def test_sequential_interrupted_shows_no_frame_of_the_checks():
    """A build_sequential interrupted (the kernel's interrupt while it runs): KeyboardInterrupt is no Exception,
    so it passes through the check, and the traceback shows the student's code, not the checks' frames."""
    def interrupted(W, B):
        raise KeyboardInterrupt
    with pytest.raises(KeyboardInterrupt) as excinfo:
        mlp_checks.check_sequential(interrupted)
    assert not shown_check_frames(excinfo), shown_check_frames(excinfo)


# ---------------------------------------------------------------- the written questions


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


# ---------------------------------------------------------------- the first wrong layer: every branch


def pre_activation_dw1(right, a):
    X, T, W, B = a
    Z, A = [], [X]
    for l in range(len(W)):
        Z.append(A[-1] @ W[l] + B[l])
        A.append(np.maximum(Z[-1], 0) if l < len(W) - 1 else Z[-1])
    delta = 2 * (A[-1] - T) / len(X)
    for l in (3, 2):
        delta = delta @ W[l].T * (Z[l - 1] > 0)
    return Z[0].T @ delta  # dE/dW[1] should be A1ᵀ δ2; this is Z1ᵀ δ2


@pytest.mark.parametrize("answer,pattern", [
    (with_layer(3, DB=lambda r, a: 2 * r), r"^DB\[3\] is twice the right value: the factor 2 is counted twice \(on the "
                                           r"notebook's data\)"),
    (with_layer(2, DB=lambda r, a: r + np.arange(6)),  # not a constant multiple of the right DB[2]
     r"^DB\[2\]: " + where(2) + r"; DW\[2\] is right, so δ\[2\] is: what is wrong is how DB\[2\] is "
                                                      r"formed from it \(Hint 2: what does a bias contribute to each "
                                                      r"sample's Z\?\) \(on the notebook's data\)$"),
    (with_layer(2, DW=lambda r, a: r.T), r"^DW\[2\] is transposed: a gradient has the shape of what it "
                                                 r"differentiates, W\[2\]'s \(fan_in, fan_out\)"),
    (with_layer(2, DW=lambda r, a: r + 1), r"^DW\[2\]: " + where(2) + r". DB\[2\] is right, so δ\[2\] is: what is wrong is its "
                                                                      r"product with the layer's input A\[2\] \(A\[0\] = X\)"),
    (with_layer(1, DW=pre_activation_dw1), r"^DW\[1\]: " + where(1) + r". DB\[1\] is right, so δ\[1\] is; DW\[1\] takes the "
                                                                      r"pre-activation Z\[0\] where the layer's input is the activation A\[1\]"),
    (with_layer(3, DW=lambda r, a: r + 1, DB=lambda r, a: r + 1),
     r"^DW\[3\]: " + where(3) + r". What enters there is the output δ = dE/dY of E = mean of \(Y - T\)², shape "
                                r"\(N, 1\) \(Hint 1\); the output layer is linear, Y = Z\[3\] \(on the notebook's data\)$"),
    (lambda *a: written_backward(*a, deriv=lambda Z, A: 3.0 * (Z > 0)),
     r"^DW\[2\] is 3 times the right value: a constant factor is off \(" + where(2) + ", while the layers above it are "
                                                                                      "right\\)"),
    (lambda *a: written_backward(*a, deriv=lambda Z, A: (Z > 0) + 0.5),
     "^" + where(2) + r". The layers above it are right, so δ\[3\] is: check the two steps from δ\[3\] to δ\[2\], "
                      r"back through W\[3\] and back through the ReLU of layer 2 \(on the notebook's data\)$"),
    (lambda *a: written_backward(*a, scale=lambda n: 2 / 100),
     r"\(on a network with N = 7 \(right on the notebook's data: look for something that holds only for N = 100\)\)"),
])
def test_backward_first_wrong_layer_branches(answer, pattern):
    fails_with(mlp_checks.check_backward, answer, pattern)


def test_backward_right_only_on_the_notebooks_data_is_told_so():
    X0, _ = data.getdata()

    def answer(X, T, W, B):
        DW, DB = written_backward(X, T, W, B)
        return (DW, DB) if np.array_equal(X, X0) else ([2 * d for d in DW], DB)
    fails_with(mlp_checks.check_backward, answer, r"^backward is right on the notebook's data but wrong on a second "
                                              r"network "
                                              r"with the same N: does it use anything but its arguments X, T, W, B \(a "
                                              r"global like Z1 or A1\)\?")


def test_sequential_weight_of_the_wrong_shape_is_named_with_both_shapes():
    def answer(W, B):
        layers = []
        for l, w in enumerate(W):
            layers.append(torch.nn.Linear(w.shape[1], w.shape[0]).double())  # weight (in, out): the numpy layout
            if l < len(W) - 1:
                layers.append(torch.nn.ReLU())
        return torch.nn.Sequential(*layers)
    fails_with(mlp_checks.check_sequential, answer, r"^layer 0: nn.Linear\(4, 6\) stores its weight as \(out, in\) = \(6, "
                                                r"4\); got \(4, 6\)")


# ---------------------------------------------------------------- Exercise 6: sigmoid output with cross-entropy

def bce_by_autograd(Z, T):
    """dE/dZ by torch autograd on the cross-entropy written out: independent of the judge's formula."""
    z = torch.tensor(Z, requires_grad=True)
    a = torch.sigmoid(z)
    (-(torch.tensor(T) * torch.log(a) + (1 - torch.tensor(T)) * torch.log(1 - a)).mean()).backward()
    return z.grad.numpy()


def sigmoid(Z):
    return 1 / (1 + np.exp(-Z))


def test_bce_delta_right_answers_pass(capsys):
    mlp_checks.check_bce_delta(bce_by_autograd)
    mlp_checks.check_bce_delta(lambda Z, T: (sigmoid(Z) - T) / len(Z))
    assert capsys.readouterr().out.count("✓") == 2


@pytest.mark.parametrize("answer,pattern", [
    (lambda Z, T: (sigmoid(Z) - T) * sigmoid(Z) * (1 - sigmoid(Z)) / len(Z), r"^bce_delta: σ'\(z\) = a \(1 - a\) is "
                                                                            "counted twice"),
    (lambda Z, T: (sigmoid(Z) - T) / (sigmoid(Z) * (1 - sigmoid(Z)) * len(Z)), "^bce_delta: that is ∂E/∂a"),
    (lambda Z, T: sigmoid(Z) - T, r"^bce_delta: the 1/N of the mean is missing \(on case 1: N = 8\)$"),
    (lambda Z, T: 2 * (sigmoid(Z) - T) / len(Z), "^bce_delta: the factor 2 belongs to a squared error"),
    (lambda Z, T: (T - sigmoid(Z)) / len(Z), "^bce_delta: the sign is wrong: with t = 0 a larger z makes the "
                                             "prediction a worse and the loss larger, so δ must be positive there"),
    (lambda Z, T: (Z - T) / len(Z), "^bce_delta: your δ uses the logit z where the prediction a = σ\\(z\\) belongs"),
    (lambda Z, T: (sigmoid(Z) - T) / len(Z) if len(Z) == 8 else Z, r"^bce_delta: wrong on case 2 \(N = 5\)"),
    (lambda Z, T: None, whole("bce_delta is None: did you forget `return`?")),
    (lambda Z, T: ((sigmoid(Z) - T) / len(Z)).T,
     whole("bce_delta has shape (1, 8), expected (8, 1): it is transposed")),
    (lambda Z, T: Z.foo, r"^bce_delta raised AttributeError: .* \(on case 1: N = 8\)$"),
])
def test_bce_delta_mistakes_are_named(answer, pattern):
    fails_with(mlp_checks.check_bce_delta, answer, pattern)


def test_an_exercise_declaration_refuses_a_grade_id_that_is_no_string():
    """An allowed callable with sgd's six arguments (checks.Exercise) must not register a net as a grade id."""
    ex = mlp_checks.check_sgd
    with pytest.raises(TypeError, match="grade_id must be a string; got Sequential"):
        checks.Exercise(torch.nn.Sequential(), "sgd", ex.cases, ex.collect, ex.judge)
    assert all(isinstance(gid, str) for gid in checks.EXERCISES)


def hard_coded_sequential(W, B):
    """The notebook's sizes written out, the weights loaded: right on every 4-6-6-6-1 network, on no other."""
    net = torch.nn.Sequential(torch.nn.Linear(4, 6), torch.nn.ReLU(), torch.nn.Linear(6, 6), torch.nn.ReLU(),
                              torch.nn.Linear(6, 6), torch.nn.ReLU(), torch.nn.Linear(6, 1)).double()
    with torch.no_grad():
        for lin, w, b in zip(net[::2], W, B):
            lin.weight.copy_(torch.tensor(w.T))
            lin.bias.copy_(torch.tensor(b))
    return net


def four_layers_sequential(W, B):
    """A loop over four layers, whatever len(W) is."""
    layers = []
    for l in range(4):
        lin = torch.nn.Linear(*W[l].shape).double()
        with torch.no_grad():
            lin.weight.copy_(torch.tensor(W[l].T))
            lin.bias.copy_(torch.tensor(B[l]))
        layers += [lin] + ([torch.nn.ReLU()] if l < 3 else [])
    return torch.nn.Sequential(*layers)


FIXED_SIZES = (r"\(on a 3-5-4-1 network; right on the 4-6-6-6-1 networks: are the layers' sizes, or their number, "
               r"fixed in your code\? Take each nn.Linear's sizes from w.shape, in a loop over len\(W\)\)$")


@pytest.mark.parametrize("answer,pattern", [
    (hard_coded_sequential, "^build_sequential raised RuntimeError: .*" + FIXED_SIZES),
    (four_layers_sequential, "^build_sequential raised IndexError: list index out of range " + FIXED_SIZES),
    (lambda W, B: sequential(W, B) if len(W) == 4 else sequential(W + W[-1:], B + B[-1:]),
     "^the network needs 3 nn.Linear layers; got 4 " + FIXED_SIZES),
])
def test_sequential_written_for_the_notebooks_sizes_fails_on_a_3_5_4_1_network_and_is_told_so(answer, pattern):
    """Passed before the trial of 2026-12: both cases were 4-6-6-6-1 networks."""
    fails_with(mlp_checks.check_sequential, answer, pattern)


def test_sequential_passes_with_the_networks_named(capsys):
    mlp_checks.check_sequential(sequential)
    out = capsys.readouterr().out
    assert "for the notebook's network, a second 4-6-6-6-1 network and a 3-5-4-1 network" in out
    assert "judge" not in out and "recorded" not in out and "theirs" not in out


def test_sequential_that_raises_is_told_on_which_network():
    from utils import data

    W0 = data.getparams()[0][0]

    def only_the_notebooks(W, B):
        if not np.array_equal(W[0], W0):
            raise KeyError("weights")
        return sequential(W, B)
    fails_with(mlp_checks.check_sequential, only_the_notebooks,
               r"^build_sequential raised KeyError: 'weights' \(on a second 4-6-6-6-1 network\)$")
    fails_with(mlp_checks.check_sequential, lambda W, B: {}["weights"],
               whole("build_sequential raised KeyError: 'weights' (on the notebook's network)"))


# ---------------------------------------------------------------- the trial of 2026-12: messages that gave answers away

def relu_output_backward(X, T, W, B, forward_relu=True, mask=True):
    """A backward pass that treats the output as a ReLU unit: Y = max(0, Z) and/or a mask in the output δ."""
    Z, A = [], [X]
    for l in range(len(W)):
        Z.append(A[-1] @ W[l] + B[l])
        A.append(np.maximum(Z[-1], 0) if forward_relu or l < len(W) - 1 else Z[-1])
    delta = 2 * (A[-1] - T) / len(X) * ((Z[-1] > 0) if mask else 1)
    DW, DB = [None] * len(W), [None] * len(W)
    for l in reversed(range(len(W))):
        DW[l], DB[l] = A[l].T @ delta, delta.sum(axis=0)
        if l > 0:
            delta = delta @ W[l].T * (Z[l - 1] > 0)
    return DW, DB


@pytest.mark.parametrize("switch", [dict(mask=False), dict(), dict(forward_relu=False)])
def test_backward_relu_on_the_linear_output_is_named(switch):
    fails_with(mlp_checks.check_backward, lambda *a: relu_output_backward(*a, **switch),
               "^" + where(3) + r": your output goes through a ReLU \(or its δ through a mask\), but the output layer "
               r"is linear, Y = Z\[3\]: the ReLUs belong to the hidden layers only \(on the notebook's data\)$")


@pytest.mark.parametrize("layer", [lambda DW, DB: (DW[:3] + [DW[3] + 1], DB), lambda DW, DB: (DW, DB[:3] + [DB[3] + 1])])
def test_backward_relu_on_the_output_is_named_only_where_it_explains_both_dw_and_db(layer):
    fails_with(mlp_checks.check_backward, lambda *a: layer(*relu_output_backward(*a, mask=False)),
               r"^DW\[3\]: " + where(3) + r". What enters there is the output δ = dE/dY of E = mean of \(Y - T\)², shape "
               r"\(N, 1\) \(Hint 1\); the output layer is linear, Y = Z\[3\] \(on the notebook's data\)$")


def test_backward_tanh_derivative_in_the_relu_network_is_named():
    fails_with(mlp_checks.check_backward, lambda *a: written_backward(*a, deriv=lambda Z, A: 1 - A ** 2),
               "^" + where(2) + r": δ\[2\] is multiplied by 1 - A\[3\]², the derivative of tanh: this network's "
               r"hidden units are ReLUs \(on the notebook's data\)$")


def feedback(check, answer):
    with pytest.raises(checks.CheckFailed) as failed:
        check(answer)
    return str(failed.value)


def test_no_message_prints_the_answer_it_asks_for():
    """Ex 1's output δ, its mask product and Ex 2's reason for the sum; Ex 6's δ: named as mistakes, never given."""
    backward_mistakes = [dict(scale=lambda n: 2), dict(scale=lambda n: -2 / n), dict(deriv=lambda Z, A: 1),
                         dict(skip_mask_at=2), dict(bias_sum=lambda d: d.mean(axis=0)), dict(transpose=False),
                         dict(deriv=lambda Z, A: (Z > 0) + 0.5)]
    messages = [feedback(mlp_checks.check_backward, lambda *a, m=m: written_backward(*a, **m)) for m in backward_mistakes]
    messages += [feedback(mlp_checks.check_backward, lambda X, T, W, B: with_layer(3, DW=lambda r, a: r + 1,
                                                                                    DB=lambda r, a: r + 1)(X, T, W, B))]
    for message in messages:
        for answer in ("(2/N)(Y - T)", "2 (Y - T) / N", "sum δ over the batch", "already in δ", "W[3]ᵀ by",
                       "δ4", "δ3", "Z3", "⊙", "A_prev.T @ delta", "= A2ᵀ", "summed over the batch"):
            assert answer not in message, (answer, message)
    for wrong in (lambda Z, T: (T - sigmoid(Z)) / len(Z), lambda Z, T: (Z - T) / len(Z),
                  lambda Z, T: (sigmoid(Z) - T) * sigmoid(Z) * (1 - sigmoid(Z)) / len(Z)):
        message = feedback(mlp_checks.check_bce_delta, wrong)
        assert "σ(z) - t" not in message and "(a - t) / (a (1 - a) N)" not in message, message


# A mistake of every exercise of this notebook, judged on a grader's cases: (the student's function, what the message
# must say). tests/workbook/test_exercises.py checks that every declared exercise has an entry in such a dict.
GRADERS_SEED_MISTAKES = {
    "check-backward": (lambda *a: written_backward(*a, deriv=lambda Z, A: Z),
                       "^" + where(2) + r": δ\[2\] is multiplied by Z\[2\] itself"),
    "check-sequential": (lambda W, B: sequential(W, B, relu=False),
                         r"^the network needs a ReLU after each hidden layer \(3\); got 0"),
    "check-sgd": (lambda *a: sgd(*a, batch="same"), "^every step uses the first batch: the batch must advance"),
    "check-bce-delta": (lambda Z, T: 1 / (1 + np.exp(-Z)) - T, "^bce_delta: the 1/N of the mean is missing"),
}


@pytest.mark.parametrize("gid", sorted(GRADERS_SEED_MISTAKES))
def test_a_mistake_is_named_with_a_graders_seed(gid):
    named_with_a_graders_seed(gid, *GRADERS_SEED_MISTAKES[gid])
