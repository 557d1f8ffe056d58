"""docs/authoring.md, followed step by step in a temporary copy of the repository: a toy notebook with one exercise is
4 new files, a second exercise 3 changed ones, and nbval, the student version, nbgrader, the grader, the slides and the
site pick them up."""
import csv
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import pytest

from helpers import require
from nbgrader_run import run_nbgrader

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow

TOPIC = '''"""The toy notebook's module: the answer its exercise asks for."""


def double(x):
    """2 x."""
    return 2 * x
'''

CHECKS = '''"""Checks of the toy notebook."""
from functools import partial

from ._core import Exercise, _collect_numbers, _judge_numbers


def _double_cases(seed):
    return [(float(seed + k),) for k in (1, 2, 3)]


def _numbers(name, fn, cases):
    __tracebackhide__ = True
    return _collect_numbers(name, fn, cases)


def _double_judge(cases, answers):
    __tracebackhide__ = True
    _judge_numbers("double", answers, lambda x: 2 * x, [("that is x itself: multiply by 2", lambda x: x)], cases)
    return "2 x for three x"


check_double = Exercise("check-double", "double", cases=_double_cases, collect=partial(_numbers, "double"),
                        judge=_double_judge, seed=0)
'''

TEST = '''import pytest

from helpers import named_with_a_graders_seed
from utils.checks import toy

GRADERS_SEED_MISTAKES = {
    "check-double": (lambda x: x, "that is x itself"),
}


def test_double_is_checked():
    toy.check_double(lambda x: 2 * x)


@pytest.mark.parametrize("gid", sorted(GRADERS_SEED_MISTAKES))
def test_a_mistake_is_named_with_a_graders_seed(gid):
    named_with_a_graders_seed(gid, *GRADERS_SEED_MISTAKES[gid])
'''

# "Adding an exercise" to the notebook just added: its cells, one declaration, one test
SECOND_CHECK = '''

def _square_judge(cases, answers):
    __tracebackhide__ = True
    _judge_numbers("square", answers, lambda x: x * x, [("that is 2 x: multiply x by itself", lambda x: 2 * x)], cases)
    return "x² for three x"


check_square = Exercise("check-square", "square", cases=_double_cases, collect=partial(_numbers, "square"),
                        judge=_square_judge, seed=0)
'''
SECOND_TEST = '''

def test_square_is_checked():
    toy.check_square(lambda x: x * x)
'''
SECOND_MISTAKE = '''    "check-square": (lambda x: 2 * x, "that is 2 x"),
'''
SQUARE = "def square(x):\n    ### BEGIN SOLUTION\n    return x * x\n    ### END SOLUTION"

SOLUTION = "def double(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION"


def exercise(number, name, text, source):
    """An exercise's cells (docs/authoring.md, "Adding an exercise", steps 1 and 2): markdown, solution, grade."""
    solution = nbformat.v4.new_code_cell(source)
    solution.metadata["nbgrader"] = {"solution": True, "grade": False, "grade_id": f"ex-{name}", "locked": False,
                                     "schema_version": 3, "task": False}
    grade = nbformat.v4.new_code_cell(f"checks.check_{name}({name})")
    grade.metadata["nbgrader"] = {"grade": True, "grade_id": f"check-{name}", "locked": True, "points": 1,
                                  "solution": False, "schema_version": 3, "task": False}
    return [nbformat.v4.new_markdown_cell(f"## Exercise {number}\n\n{text}"), solution, grade]


def notebook():
    """notebooks/05-toy.ipynb as docs/authoring.md describes it (not executed yet)."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_markdown_cell("# 5 · A toy\n\nWe check one function, $f(x) = 2x$."),
                nbformat.v4.new_markdown_cell("The checks of this notebook:"),
                nbformat.v4.new_code_cell("from utils.checks import toy as checks  # this notebook's exercise checks"),
                *exercise(1, "double", "Write `double(x)`, which returns $2x$.", SOLUTION)]
    return nb


@pytest.fixture(scope="module")
def copy(tmp_path_factory):
    """The repository's tracked files in a fresh folder, as a git repository with one commit, then the steps."""
    require(shutil.which("git"), "git is needed to copy the repository")
    repo = tmp_path_factory.mktemp("authoring") / "repo"
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout.split(b"\0")
    for name in filter(None, files):
        target = repo / name.decode()
        if (ROOT / name.decode()).is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name.decode(), target)
    git = lambda *a: subprocess.run(["git", *a], cwd=repo, capture_output=True, check=True, text=True)  # noqa: E731
    git("init", "-q")
    git("add", "-A")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "copy")
    # the steps of docs/authoring.md, "Adding a notebook"
    (repo / "utils" / "toy.py").write_text(TOPIC)                            # step 2: the notebook's module
    (repo / "utils" / "checks" / "toy.py").write_text(CHECKS)                # step 3: one declaration
    (repo / "tests" / "toy").mkdir()                                          # step 4: its tests, in its folder
    (repo / "tests" / "toy" / "test_toy_checks.py").write_text(TEST)
    nbformat.write(notebook(), repo / "notebooks" / "05-toy.ipynb")           # step 1: the notebook
    added = changed_files(repo)
    git("add", "-A")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "a notebook")
    # then "Adding an exercise" to it
    nb = nbformat.read(repo / "notebooks" / "05-toy.ipynb", as_version=4)
    nb.cells += exercise(2, "square", "Write `square(x)`, which returns $x^2$.", SQUARE)     # steps 1 and 2: cells
    nbformat.write(nb, repo / "notebooks" / "05-toy.ipynb")
    with open(repo / "utils" / "checks" / "toy.py", "a") as f:                 # step 3: one declaration
        f.write(SECOND_CHECK)
    test = repo / "tests" / "toy" / "test_toy_checks.py"                       # step 4: its test and its mistake
    test.write_text(test.read_text().replace("GRADERS_SEED_MISTAKES = {\n", "GRADERS_SEED_MISTAKES = {\n" + SECOND_MISTAKE)
                    + SECOND_TEST)
    env = environment(repo)
    subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute", "--inplace",
                    "--ExecutePreprocessor.timeout=120", "--ExecutePreprocessor.record_timing=False",
                    str(repo / "notebooks" / "05-toy.ipynb")], env=env, check=True, capture_output=True, timeout=300)
    return repo, env, {"a notebook": added, "an exercise": changed_files(repo)}  # step 5: executed


def changed_files(repo):
    """git status of the copy: what the steps added or changed since its last commit."""
    return sorted(subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=repo,
                                 capture_output=True, text=True, check=True).stdout.splitlines())


def environment(repo):
    """The copy's package first on the path (the kernel's and the grader's too), state kept out of $HOME."""
    state = repo.parent / "state"
    return {**os.environ, "PYTHONPATH": str(repo), "MPLBACKEND": "Agg", "JUPYTER_CONFIG_DIR": str(state / "jcfg"),
            "JUPYTER_DATA_DIR": str(state / "jdata"), "JUPYTER_RUNTIME_DIR": str(state / "jrun"),
            "IPYTHONDIR": str(state / "ipy"), "MPLCONFIGDIR": str(state / "mpl"),
            "PATH": str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")}


def run(repo, env, *args, timeout=600):
    done = subprocess.run([sys.executable, *args], cwd=repo, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout


def test_a_notebook_is_four_new_files_and_an_exercise_three_changed_ones(copy):
    _, _, touched = copy
    assert touched == {"a notebook": ["?? notebooks/05-toy.ipynb", "?? tests/toy/test_toy_checks.py", "?? utils/checks/toy.py",
                                      "?? utils/toy.py"],
                       "an exercise": [" M notebooks/05-toy.ipynb", " M tests/toy/test_toy_checks.py", " M utils/checks/toy.py"]}


def test_nbval_the_new_test_and_every_exercises_contract_pass(copy):
    repo, env, _ = copy
    out = run(repo, env, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-o", "addopts=", "-rA", "--nbval",
              "--nbval-current-env", "tests/toy/test_toy_checks.py", "notebooks/05-toy.ipynb", "tests/workbook/test_exercises.py")
    passed = [line.split()[1].split("::")[0] for line in out.splitlines() if line.startswith("PASSED ")]
    # two right answers and two mistakes on a grader's cases; the notebook's five code cells
    assert (passed.count("tests/toy/test_toy_checks.py"), passed.count("notebooks/05-toy.ipynb")) == (4, 5), out
    for gid in ("check-double", "check-square"):  # the contract of every exercise holds for the new ones
        assert f"PASSED tests/workbook/test_exercises.py::test_the_solution_passes_with_the_notebooks_seed_and_a_graders[{gid}]" in out
        assert f"PASSED tests/workbook/test_exercises.py::test_a_judge_answers_anything_with_check_failed[{gid}]" in out
    assert "PASSED tests/workbook/test_exercises.py::test_every_exercise_has_a_mistake_judged_on_a_graders_cases" in out


def test_the_student_version_has_no_solution(copy):
    repo, env, _ = copy
    run(repo, env, "scripts/make_student.py", "--out", "student")
    cells = nbformat.read(repo / "student" / "05-toy.ipynb", as_version=4).cells
    for solution in (cells[4].source, cells[7].source):
        assert "return" not in solution and "raise NotImplementedError()" in solution


def submit(repo, folder, students):
    """submitted/STUDENT/ps1/05-toy.ipynb with the first solution cell replaced: {student: source}."""
    for student, source in students.items():
        nb = nbformat.read(repo / "notebooks" / "05-toy.ipynb", as_version=4)
        nb.cells[4].source = source
        (folder / student / "ps1").mkdir(parents=True)
        nbformat.write(nb, folder / student / "ps1" / "05-toy.ipynb")


def test_the_grader_grades_the_new_exercise_and_denies_the_new_module(copy):
    repo, env, _ = copy
    (repo / "src" / "ps1").mkdir(parents=True)
    shutil.copy(repo / "notebooks" / "05-toy.ipynb", repo / "src" / "ps1")
    submit(repo, repo / "submitted", {"right": SOLUTION, "blank": "def double(x):\n    raise NotImplementedError()",
                                      "delegate": "from utils import toy\n\ndef double(x):\n    return toy.double(x)"})
    run(repo, env, "-m", "workbook_grader", "submitted", "--source", "src", "--out", "report", "--workers", "1",
        "--no-progress", "--time-limit", "30")
    results = {r["student"]: {e["grade_id"]: e for e in r["exercises"]}
               for r in json.loads((repo / "report" / "results.json").read_text())}
    assert {s: {g: e["points"] for g, e in r.items()} for s, r in results.items()} == {
        "right": {"check-double": 1.0, "check-square": 1.0}, "blank": {"check-double": 0.0, "check-square": 1.0},
        "delegate": {"check-double": 0.0, "check-square": 1.0}}
    assert "uses the reference implementation `utils.toy.double`" in results["delegate"]["check-double"]["message"]


def test_nbgrader_round_trip_scores_the_new_exercise(copy):
    require(shutil.which("git") and __import__("importlib").util.find_spec("nbgrader"), "nbgrader is not installed")
    repo, env, _ = copy
    course = repo.parent / "course"
    (course / "source" / "ps1").mkdir(parents=True)
    shutil.copy(repo / "notebooks" / "05-toy.ipynb", course / "source" / "ps1")
    (course / "nbgrader_config.py").write_text(textwrap.dedent(f"""
        c = get_config()
        c.CourseDirectory.course_id = "toy"
        c.Exchange.root = {str(course / "exchange")!r}
        c.ExecutePreprocessor.timeout = 120
        """))
    submit(repo, course / "submitted", {"right": SOLUTION})
    run_nbgrader(course, env, ("generate_assignment", "ps1"), ("autograde", "ps1", "right"),
                 ("export", str(course / "grades.csv")))
    with open(course / "grades.csv") as f:
        row, = list(csv.DictReader(f))
    assert (row["student_id"], float(row["score"]), float(row["max_score"])) == ("right", 2.0, 2.0)


def test_slides_and_site_include_the_new_notebook(copy):
    require((ROOT / "node_modules").is_dir(), "node_modules is missing: npm ci")
    repo, env, _ = copy
    (repo / "node_modules").symlink_to(ROOT / "node_modules")
    toy = str(repo / "notebooks" / "05-toy.ipynb")
    run(repo, env, "-c", "import sys; sys.path.insert(0, 'scripts'); import publish\n"  # the copy's script, both in one start
        f"for what in ('slides', 'site'):\n    assert publish.main([what, '--out', what, {toy!r}]) == 0")
    assert "A toy" in (repo / "slides" / "05-toy.slides.html").read_text()
    assert "A toy" in (repo / "site" / "05-toy.html").read_text()
