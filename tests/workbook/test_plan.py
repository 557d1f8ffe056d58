"""Each notebook's plan holds: the core path fits a week (words), the stated times are the computed ones, points
follow minutes by one rule, no notebook dominates, hints stand in one place. (That the core path runs on its own, and
prints what it stored, is shown by the kernel-path matrix: tests/workbook/test_kernels.py's CORE_ONLY configuration.)"""
import re
from pathlib import Path

import nbformat
import pytest

import plan  # scripts/plan.py

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def read(path):
    return nbformat.read(path, as_version=4)


def test_prose_words_leaves_out_hints_math_and_tags():
    text = ("The unit fires: $z = w^\\top x$ and $$a = 1[z > 0]$$ <b>if</b> "
            "<details><summary>Hint</summary>look at it</details> x1 is a name, 3 is not a word, nor is a.")
    assert plan.prose_words(text) == ["The", "unit", "fires", "and", "if", "is", "name", "is", "not", "word",
                                      "nor", "is"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_core_path_fits_the_word_limit(path):
    words = plan.core_words(read(path))
    assert words <= plan.WORD_LIMIT, f"{path.name}: {words} words on the core path, at most {plan.WORD_LIMIT}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_first_cell_states_the_computed_plan(path):
    nb = read(path)
    assert plan.stated_block(nb) == plan.plan_block(nb, path.name), (
        f"{path.name}: the first cell's plan differs from the cells; run `python scripts/plan.py --write {path}`")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_points_are_minutes_by_one_rule(path):
    nb = read(path)
    graded = [c for c in nb.cells if plan.is_graded(c)]
    for cell, row in zip(graded, plan.exercises(nb, path.name)):
        assert cell.metadata["nbgrader"]["points"] * plan.MINUTES_PER_POINT == row["minutes"], row["grade_id"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_points_are_stated_in_one_place(path):
    """The first cell's table is where points are stated: an exercise's own text that repeats them goes stale."""
    for i, cell in enumerate(read(path).cells[1:], 1):
        if cell.cell_type == "markdown":
            assert not re.search(r"\(\s*\d+(\.\d+)?\s+points?\b", cell.source), f"{path.name} cell {i} states points"


def test_no_notebook_carries_more_than_its_share():
    rows = {p.name: [r for r in plan.exercises(read(p), p.name) if not r["optional"]] for p in NOTEBOOKS}
    for kind, keep in (("all", lambda r: True), ("autograded", lambda r: r["autograded"]),
                       ("written", lambda r: not r["autograded"])):
        points = {name: sum(r["points"] for r in rs if keep(r)) for name, rs in rows.items()}
        total = sum(points.values())
        for name, p in points.items():
            assert p <= plan.MAX_SHARE * total, f"{name} carries {p} of {total} {kind} points (> {plan.MAX_SHARE:.0%})"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_hints_stand_right_before_the_answer_cell(path):
    """In every notebook a hint is in the exercise's statement, the markdown cell right before the answer cell."""
    cells = read(path).cells
    for i, cell in enumerate(cells):
        if cell.cell_type == "markdown" and "<summary>Hint" in cell.source:
            assert i + 1 < len(cells) and plan.is_solution(cells[i + 1]), (
                f"{path.name} cell {i} holds a hint but cell {i + 1} is not an answer cell")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_optional_sections_are_announced(path):
    """Each run of optional cells opens with a markdown cell whose heading says "Going further"."""
    cells = read(path).cells
    for i, cell in enumerate(cells):
        if plan.is_optional(cell) and (i == 0 or not plan.is_optional(cells[i - 1])):
            assert cell.cell_type == "markdown" and re.match(r"#+ .*Going further", cell.source), (
                f"{path.name} cell {i} opens an optional section without a 'Going further' heading")


GRADE_ID = re.compile(r"^(answer|check|written)-[a-z0-9]+(-[a-z0-9]+)*$")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_grade_ids_follow_one_pattern(path):
    """answer-<slug> (the solution cell), check-<slug> (its graded check), written-<slug> (a written answer);
    every answer cell has its check; the exercises are labelled 1, 2, 3 ... in the order they come."""
    cells = [c for c in read(path).cells if "nbgrader" in c.metadata]
    ids = [c.metadata["nbgrader"]["grade_id"] for c in cells]
    assert [i for i in ids if not GRADE_ID.match(i)] == [], f"{path.name}: grade ids outside the pattern"
    answers = {i[len("answer-"):] for i in ids if i.startswith("answer-")}
    assert answers == {i[len("check-"):] for i in ids if i.startswith("check-")}, f"{path.name}: answer without check"
    labels = [r["label"] for r in plan.exercises(read(path), path.name)]
    assert labels == [str(k) for k in range(1, len(labels) + 1)], f"{path.name}: labels {labels}"


def test_the_readme_states_the_computed_course_table():
    stated = plan.stated_course_block()
    assert stated is not None, "README.md lacks the points table (<!-- points --> ... <!-- /points -->)"
    assert stated == plan.course_block(NOTEBOOKS), "run `python scripts/plan.py --write notebooks/*.ipynb`"


def _bound_names(source):
    """Names a code cell binds at top level: assignments, for-loop targets, imports, defs, classes."""
    import ast

    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.alias):
            names.add((node.asname or node.name).split(".")[0])
    return names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_cell_rebinds_a_students_function(path):
    """A cell after an exercise that reuses its name (`for kappa in kappas:`) would replace the student's function,
    and the check run again would report "kappa must be a function; got float64"."""
    cells = read(path).cells
    solutions = {}
    for i, cell in enumerate(cells):
        if cell.cell_type == "code" and plan.is_solution(cell):
            import ast
            solutions.update({n.name: i for n in ast.parse(cell.source).body if isinstance(n, ast.FunctionDef)})
    clashes = [(i, name) for i, cell in enumerate(cells)
               if cell.cell_type == "code" and not plan.is_solution(cell) and not plan.is_graded(cell)
               for name in _bound_names(cell.source) & set(solutions) if i > solutions[name]]
    assert clashes == [], f"{path.name}: cells rebinding a student's function: {clashes}"
