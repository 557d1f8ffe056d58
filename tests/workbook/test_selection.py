"""The unit selection (`-m "not browser and not slow"`: `make unit` and `make mutate`) holds no test that builds the
wheel, starts a kernel or runs nbgrader or the class grader: mutmut's copy of the project can do none of these, and a
unit run is meant to take seconds. Such a test module says so once, with a module-wide `pytestmark`."""
import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
# What a test calls to build the wheel, run notebooks in a kernel, or grade through nbgrader or the class grader.
HEAVY = {"installed_wheel", "nbval", "run_nbgrader", "NotebookClient", "ExecutePreprocessor", "grade_all"}
MARKS = {"slow", "browser"}


def heavy_names(tree):
    """The HEAVY names the module `tree` (an ast.Module) uses."""
    return {getattr(n, "id", None) or getattr(n, "attr", None) for n in ast.walk(tree)} & HEAVY


def heavy_but_unmarked(tree):
    """The HEAVY names module `tree` uses, when it does not mark itself slow or browser as a whole; else set()."""
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "pytestmark" for t in node.targets):
            if {n.attr for n in ast.walk(node.value) if isinstance(n, ast.Attribute)} & MARKS:
                return set()
    return heavy_names(tree)


def test_every_module_that_runs_kernels_or_builds_the_wheel_is_out_of_the_unit_selection():
    modules = {str(p.relative_to(TESTS)): ast.parse(p.read_text()) for p in TESTS.rglob("test_*.py")}
    found = {name: heavy_but_unmarked(tree) for name, tree in modules.items()}
    assert {name: names for name, names in found.items() if names} == {}
    # the names still find what they are for: the matrix, the classroom, the authoring walk-through, the grader
    heavy = {name for name, tree in modules.items() if heavy_names(tree)}
    assert {"workbook/test_kernels.py", "workbook/test_classroom.py", "workbook/test_authoring.py",
            "grader/test_grader.py"} <= heavy, heavy


def test_an_unmarked_module_that_starts_a_kernel_is_named():
    module = "from nbval_run import nbval\n\ndef test_it(tmp_path):\n    nbval([], {}, tmp_path)\n"
    assert heavy_but_unmarked(ast.parse(module)) == {"nbval"}
    assert heavy_but_unmarked(ast.parse("import pytest\npytestmark = pytest.mark.slow\n" + module)) == set()
    assert heavy_but_unmarked(ast.parse("import pytest\npytestmark = [pytest.mark.browser]\n" + module)) == set()
    assert heavy_but_unmarked(ast.parse("import pytest\npytestmark = pytest.mark.parametrize('a', [1])\n" + module)) == {"nbval"}
    assert heavy_but_unmarked(ast.parse("def test_it():\n    assert 1 + 1 == 2\n")) == set()
