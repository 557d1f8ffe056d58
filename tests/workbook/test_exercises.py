"""The contract of every declared exercise, once for all (utils.checks.EXERCISES): each grade cell of the notebooks
calls a declared exercise on the function its solution cell defines; cases and answers are plain data that cross the
grader's wire; the instructor's solution passes with the notebook's seed and with a grader's, and a mistake is named
with either; a judge answers anything it is sent with CheckFailed, never another exception. (What each exercise
says of each mistake is tested in its notebook's folder: tests/<topic>/test_<topic>_checks.py.)"""
import math
from pathlib import Path

import nbformat
import numpy as np
import pytest

from helpers import (bw, fwd, notebook_solutions, sequential, sgd, sl, value_class, where,
                     written_backward)
from workbook_grader import wire
from utils import checks

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("[0-9][0-9]-*.ipynb"))
GRADER_SEED = 20261206


def grade_cells():
    """{grade_id: (notebook path, grade cell source)} of every autograded cell of the notebooks."""
    found = {}
    for path in NOTEBOOKS:
        for cell in nbformat.read(path, as_version=4).cells:
            meta = cell.metadata.get("nbgrader", {})
            if cell.cell_type == "code" and meta.get("grade") and not meta.get("solution"):
                found[meta["grade_id"]] = (path, cell.source)
    return found


SOLUTIONS = {}


def right_answer(exercise):
    path = grade_cells()[exercise.grade_id][0]
    if path not in SOLUTIONS:
        SOLUTIONS[path] = notebook_solutions(path)
    return SOLUTIONS[path][exercise.function]


RECORDS = {}


def right_records(exercise, seed):
    """(cases, what collect records of the instructor's solution on them) for `seed`, made once per run."""
    if (exercise.grade_id, seed) not in RECORDS:
        inputs = exercise.cases(seed)
        RECORDS[exercise.grade_id, seed] = inputs, exercise.collect(right_answer(exercise), inputs)
    return RECORDS[exercise.grade_id, seed]


def test_every_grade_cell_calls_its_declared_exercise_on_its_solution():
    cells = grade_cells()
    assert set(cells) == set(checks.EXERCISES)
    for gid, (path, source) in cells.items():
        exercise = checks.EXERCISES[gid]
        imports = next(c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code").source
        assert f"from utils.checks import {exercise.module.rsplit('.', 1)[1]} as checks" in imports, path.name
        name = next(n for n, v in vars(__import__(exercise.module, fromlist=["_"])).items() if v is exercise)
        assert source.strip() == f"checks.{name}({exercise.function})", (gid, source)
        assert checks.exercises_of(__import__(exercise.module, fromlist=["_"]))[gid] is exercise
        assert exercise.function in notebook_solutions(path), (gid, exercise.function)


def test_a_grade_id_is_declared_once():
    exercise = checks.EXERCISES["check-kappa"]
    with pytest.raises(ValueError, match="grade_id 'check-kappa' is declared twice: for `kappa` in "
                                         "utils.checks.conditioning and for `other` in utils.checks.conditioning"):
        checks.Exercise("check-kappa", "other", exercise.cases, exercise.collect, exercise.judge)
    assert checks.EXERCISES["check-kappa"] is exercise


@pytest.mark.parametrize("gid", sorted(checks.EXERCISES))
def test_the_solution_passes_with_the_notebooks_seed_and_a_graders(gid):
    exercise = checks.EXERCISES[gid]
    for seed in (exercise.seed, GRADER_SEED):
        inputs, answers = right_records(exercise, seed)
        assert repr(inputs) == repr(exercise.cases(seed)), "the same seed must give the same cases"
        across = wire.loads(wire.dumps({"inputs": inputs, "answers": answers}))  # plain data only, both ways
        assert exercise.judge(across["inputs"], across["answers"])
    assert repr(exercise.cases(exercise.seed)) != repr(exercise.cases(GRADER_SEED)), "a grader's seed, other cases"


def _and_of_hidden(W0, B0, bias):
    """A network of threshold units: the hidden layer (W0, B0), then one output unit adding them up with `bias`."""
    return [np.array(W0), np.ones((np.shape(W0)[1], 1))], [np.array(B0), np.array([bias])]


def _kappa(mu, s):
    lam = np.linalg.eigvalsh(np.outer(mu, mu) + s * s * np.eye(mu.size))
    return lam[-1] / lam[0]


# A mistake for every exercise, written here: (the student's function, what the message must say).
MISTAKES = {
    "check-and4": (lambda: (np.ones(4), -2.5), r"^it also fires for [01]{4}, with only 3 of the 4 inputs on"),
    "check-square-layer": (lambda: (np.array([[1.0, -1.0, 0.0, 0.0], [0.0, 0.0, 1.0, -1.0]]), 0.5 * np.ones(4)),
                           r"^the line of unit 1 \(column 0 of W0\) lies at distance 0.5 from the centre"),
    "check-xor": (lambda: _and_of_hidden([[1.0, -1.0], [1.0, -1.0]], [-0.5, 1.5], -0.5), "^it fires for every input"),
    "check-diamond": (lambda: _and_of_hidden([[-1.0, 1.0, -1.0, 1.0], [-1.0, -1.0, 1.0, 1.0]], np.ones(4), -2.5),
                      "^the output fires with only 3 of the 4 hidden units on"),
    "check-dy-dw24": (lambda x, w: (lambda f: f["x2"] * (w["w45"] * sl(f, "5") + w["w46"] * sl(f, "6")))(fwd(x, w)),
                      r"^dy_dw24: the factor \(1 - a4²\), the derivative of tanh at unit 4, is missing"),
    "check-dy-dw46": (lambda x, w: fwd(x, w)["a4"], r"^dy_dw46: the factor \(1 - a6²\), the derivative of tanh at unit "
                                                     "6, is missing"),
    "check-tanh-backward": (bw(sign=-1), r"^backward: dy/dw13, .* have the wrong sign"),
    "check-value": (value_class(("(1 - a * a) * out.grad", "(1 - a) * out.grad")), "1 - a², not 1 - a"),
    "check-hessian": (lambda mu, s: np.diag(mu ** 2) + s ** 2 * np.eye(mu.size),
                      r"^hessian: H is not diagonal: E\[x xᵀ\] has off-diagonal entries μ_i μ_j; use the outer product"),
    "check-kappa": (lambda mu, s: 1 / _kappa(mu, s), "^kappa: κ = λmax / λmin: you have λmin / λmax"),
    "check-optimal-step": (lambda a, b: 1 / b, "^optimal_step: 1/λmax is LeCun's safe step"),
    "check-predict-steps": (lambda k, t: math.ceil(math.log(t) / math.log((k - 1) / (k + 1))),
                            "^predict_steps: one step too many when tol is an exact power of ρ"),
    "check-kappa-general": (lambda mu, S: 1 / np.linalg.cond(np.outer(mu, mu) + S),
                            "^kappa_general: κ = λmax / λmin: you have λmin / λmax"),
    "check-backward": (lambda *a: written_backward(*a, deriv=lambda Z, A: Z),
                       "^" + where(2) + r": δ\[2\] is multiplied by Z\[2\] itself"),
    "check-sequential": (lambda W, B: sequential(W, B, relu=False),
                         r"^the network needs a ReLU after each hidden layer \(3\); got 0"),
    "check-sgd": (lambda *a: sgd(*a, batch="same"), "^every step uses the first batch: the batch must advance"),
    "check-bce-delta": (lambda Z, T: 1 / (1 + np.exp(-Z)) - T, "^bce_delta: the 1/N of the mean is missing"),
}


@pytest.mark.parametrize("gid", sorted(checks.EXERCISES))
def test_a_mistake_is_named_with_a_graders_seed(gid):
    """Outside the kernel, on other cases than the notebook's (with the notebook's seed, every mistake is tested in
    its notebook's folder)."""
    exercise = checks.EXERCISES[gid]
    assert gid in MISTAKES, f"{gid} is declared but has no mistake in MISTAKES: add one and the message it gets"
    wrong, pattern = MISTAKES[gid]
    inputs = exercise.cases(GRADER_SEED)
    across = wire.loads(wire.dumps({"inputs": inputs, "answers": exercise.collect(wrong, inputs)}))
    with pytest.raises(checks.CheckFailed, match=pattern):
        exercise.judge(across["inputs"], across["answers"])


GARBAGE = [None, "answers", 3.0, float("nan"), [], {}, {"w": 1.0}, [None] * 5, [None, None], {"values": None},
           [np.ones(2)], (np.nan, np.nan), [[np.ones((2, 2)), object()], [np.ones(2), 1.0]], [{"y": None}] * 5,
           [[1, 2]] * 5]


@pytest.mark.parametrize("gid", sorted(checks.EXERCISES))
def test_a_judge_answers_anything_with_check_failed(gid):
    """The judge runs on the trusted side and must not trust collect: whatever it is sent, CheckFailed."""
    exercise = checks.EXERCISES[gid]
    inputs, answers = right_records(exercise, exercise.seed)
    shaped = [[None] * len(inputs), [float("inf")] * len(answers)] if isinstance(answers, list) else []
    for garbage in GARBAGE + shaped + ([answers[:1]] if isinstance(answers, list) and len(answers) > 1 else []):
        with pytest.raises(checks.CheckFailed):
            exercise.judge(inputs, garbage)
