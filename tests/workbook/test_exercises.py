"""The contract of every declared exercise, once for all (utils.checks.EXERCISES): each grade cell of the notebooks
calls a declared exercise on the function its solution cell defines; cases and answers are plain data that cross the
grader's wire; the instructor's solution passes with the notebook's seed and with a grader's; every exercise has a
mistake judged on a grader's cases in its topic's tests; a judge answers anything it is sent with CheckFailed, never
another exception. (What each exercise says of each mistake is tested in its notebook's folder:
tests/<topic>/test_<topic>_checks.py, with the notebook's seed and a grader's.)"""
import ast
from pathlib import Path

import nbformat
import numpy as np
import pytest

from helpers import GRADER_SEED, notebook_solutions
from workbook_grader import wire
from utils import checks

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("[0-9][0-9]-*.ipynb"))


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


def graders_seed_mistakes():
    """{grade_id: test file} of the keys of every GRADERS_SEED_MISTAKES dict in tests/<topic>/test_*_checks.py, read
    from the files' syntax trees (test modules never import each other)."""
    found = {}
    for path in sorted(Path(__file__).resolve().parents[1].glob("*/test_*_checks.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "GRADERS_SEED_MISTAKES"
                                                    for t in node.targets):
                found.update({key.value: path.name for key in node.value.keys})
    return found


def test_every_exercise_has_a_mistake_judged_on_a_graders_cases():
    """Each topic's test_<topic>_checks.py names a mistake of each of its exercises on a grader's cases
    (helpers.named_with_a_graders_seed); with the notebook's seed, every mistake is tested there too."""
    missing = sorted(set(checks.EXERCISES) - set(graders_seed_mistakes()))
    assert not missing, f"declared without a mistake in a GRADERS_SEED_MISTAKES dict of tests/<topic>/: {missing}"


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
