"""The contract of every declared exercise, once for all (utils.checks.EXERCISES): each grade cell of the notebooks
calls a declared exercise on the function its solution cell defines; cases and answers are plain data that cross the
grader's wire; the instructor's solution passes with the notebook's seed and with a grader's; a judge answers
anything it is sent with CheckFailed, never another exception."""
from pathlib import Path

import nbformat
import numpy as np
import pytest

from helpers import notebook_solutions
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


def test_every_grade_cell_calls_its_declared_exercise_on_its_solution():
    cells = grade_cells()
    assert set(cells) == set(checks.EXERCISES)
    for gid, (path, source) in cells.items():
        exercise = checks.EXERCISES[gid]
        imports = next(c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code").source
        assert f"from utils.checks import {exercise.module.rsplit('.', 1)[1]} as checks" in imports, path.name
        name = next(n for n, v in vars(__import__(exercise.module, fromlist=["_"])).items() if v is exercise)
        assert source.strip() == f"checks.{name}({exercise.function})", (gid, source)
        assert exercise.function in notebook_solutions(path), (gid, exercise.function)


def test_a_grade_id_is_declared_once():
    exercise = checks.EXERCISES["check-kappa"]
    with pytest.raises(ValueError, match="grade_id 'check-kappa' is declared twice: for `kappa` in "
                                         "utils.checks.hessian and for `other` in utils.checks.hessian"):
        checks.Exercise("check-kappa", "other", exercise.cases, exercise.collect, exercise.judge)
    assert checks.EXERCISES["check-kappa"] is exercise


@pytest.mark.parametrize("gid", sorted(checks.EXERCISES))
def test_the_solution_passes_with_the_notebooks_seed_and_a_graders(gid):
    exercise = checks.EXERCISES[gid]
    for seed in (exercise.seed, GRADER_SEED):
        inputs = exercise.cases(seed)
        assert repr(inputs) == repr(exercise.cases(seed)), "the same seed must give the same cases"
        answers = exercise.collect(right_answer(exercise), inputs)
        across = wire.loads(wire.dumps({"inputs": inputs, "answers": answers}))  # plain data only, both ways
        assert exercise.judge(across["inputs"], across["answers"])
    assert repr(exercise.cases(exercise.seed)) != repr(exercise.cases(GRADER_SEED)), "a grader's seed, other cases"


GARBAGE = [None, "answers", 3.0, float("nan"), [], {}, {"w": 1.0}, [None] * 5, [None, None], {"values": None},
           [np.ones(2)], (np.nan, np.nan), [[np.ones((2, 2)), object()], [np.ones(2), 1.0]], [{"y": None}] * 5,
           [[1, 2]] * 5]


@pytest.mark.parametrize("gid", sorted(checks.EXERCISES))
def test_a_judge_answers_anything_with_check_failed(gid):
    """The judge runs on the trusted side and must not trust collect: whatever it is sent, CheckFailed."""
    exercise = checks.EXERCISES[gid]
    inputs = exercise.cases(exercise.seed)
    for garbage in GARBAGE:
        with pytest.raises(checks.CheckFailed):
            exercise.judge(inputs, garbage)
