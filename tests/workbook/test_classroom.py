"""Student version and nbgrader: generated from the same source, graded by the real nbgrader."""
import csv
import html
import os
import shutil
import sys
from pathlib import Path

import nbformat
import pytest

from helpers import require
from nbgrader_run import run_nbgrader
from utils.style import FIGURES_VAR

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
pytestmark = pytest.mark.slow


def nbgrader_available():
    try:
        import nbgrader  # noqa: F401
        return True
    except ImportError:
        return False


@pytest.fixture(scope="module")
def student_dir(tmp_path_factory):
    require(nbgrader_available(), "nbgrader is not installed: pip install -r requirements.txt")
    import make_student  # scripts/make_student.py, in this process (tests/workbook/test_authoring.py runs the script)

    out = tmp_path_factory.mktemp("student")
    assert make_student.main(["--out", str(out)]) == 0
    return out


def _code_lines(source, inside):
    """The stripped, non-empty lines of a code cell's `source` inside (or outside) its ### BEGIN/END SOLUTION regions."""
    lines, within = set(), False
    for line in source.splitlines():
        if "### BEGIN SOLUTION" in line:
            within = True
        elif "### END SOLUTION" in line:
            within = False
        elif within == inside and line.strip():
            lines.add(line.strip())
    return lines


def _is_model_answer(cell):
    return cell.cell_type == "markdown" and cell.get("metadata", {}).get("nbgrader", {}).get("solution")


def solution_lines(nb):
    lines = set()
    for cell in nb.cells:
        if _is_model_answer(cell):
            lines |= {line.strip() for line in cell.source.splitlines() if line.strip()}  # a written model answer
        elif cell.get("metadata", {}).get("nbgrader", {}).get("solution"):
            lines |= _code_lines(cell.source, inside=True)
    return lines


def shown_outside_solutions(nb):
    """The stripped lines the notebook shows everyone: its cells outside `### BEGIN/END SOLUTION` regions and
    written model answers (a demonstration's code, a hint's worked example on another model)."""
    return set().union(*(_code_lines(c.source, inside=False) for c in nb.cells if not _is_model_answer(c)))


def test_every_notebook_has_two_exercises_with_checks():
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        meta = [c.metadata.get("nbgrader", {}) for c in nb.cells]
        assert sum(m.get("solution", False) for m in meta) >= 2, path.name
        assert sum(m.get("grade", False) for m in meta) >= 2, path.name
        for cell in nb.cells:
            m = cell.metadata.get("nbgrader", {})
            if m.get("grade") and cell.cell_type == "markdown":  # a written answer, graded by hand
                assert m["solution"] and not m["locked"] and m["points"] > 0
            elif m.get("grade"):
                assert m["locked"] and m["points"] > 0 and "checks.check_" in cell.source


def test_student_notebooks_contain_no_solution_code(student_dir):
    for path in NOTEBOOKS:
        student = nbformat.read(student_dir / path.name, as_version=4)
        text = "\n".join(c.source for c in student.cells)
        source = nbformat.read(path, as_version=4)
        # a line the notebook also shows outside its solutions (`loss.backward()` in a demonstration, a hint's worked
        # example) is given code, not a solution that survived
        given = shown_outside_solutions(source)
        leaked = [l for l in solution_lines(source) - given if l in {s.strip() for s in text.splitlines()}]
        assert not leaked, f"{path.name}: solution lines survive: {leaked[:3]}"
        assert "raise NotImplementedError()" in text
        assert all(not c.get("outputs") for c in student.cells if c.cell_type == "code")


# Every cell of the workbook runs in a few seconds. nbclient (under nbgrader) now and then sees an execute
# reply only when the cell timeout expires; nbclient_reply_fix, loaded by the course's nbgrader config,
# makes it look again every second.
CELL_TIMEOUT = 60


def meta(cell):
    return cell.metadata.get("nbgrader", {})


def exercises(nb):
    """The exercises of notebook `nb` in order: (solution grade_id, grade_id of the check that grades it, or None for
    a written answer, which is its own grade cell). A code solution is graded by the next autograded cell."""
    found = []
    for i, cell in enumerate(nb.cells):
        if meta(cell).get("solution"):
            check = None
            if cell.cell_type == "code":
                check = next(meta(c)["grade_id"] for c in nb.cells[i + 1:] if meta(c).get("grade") and c.cell_type == "code")
            found.append((meta(cell)["grade_id"], check))
    return found


def restored(nb):
    """The solution grade_ids the submission "half" gets back from the source: every other exercise, from the
    first; the others stay as handed out. One autograde run sees both kinds of answer in every notebook."""
    return {solution for k, (solution, _) in enumerate(exercises(nb)) if k % 2 == 0}


def by_id(nb):
    return {meta(c)["grade_id"]: c for c in nb.cells if meta(c).get("grade_id")}


def error_cells(nb):
    return [meta(c).get("grade_id", i) for i, c in enumerate(nb.cells) if c.cell_type == "code"
            and any(o.output_type == "error" for o in c.get("outputs", []))]


@pytest.fixture(scope="module")
def graded(student_dir, tmp_path_factory):
    """The real nbgrader (its Python API, in one process), once for the whole module: generate_assignment from the
    sources, then autograde the submission "half" (the generated student version with every other exercise's
    solution put back from the source), generate_feedback and export. Returns (course directory, the student's grades-CSV row); the
    autograded notebooks, feedback pages and gradebook.db are in the course directory."""
    tmp_path = tmp_path_factory.mktemp("nbgrader")
    course = tmp_path / "course"
    (course / "source" / "ps1").mkdir(parents=True)
    for path in NOTEBOOKS:
        shutil.copy(path, course / "source" / "ps1" / path.name)
    (course / "nbgrader_config.py").write_text(
        "import sys\nsys.path.insert(0, %r)\nimport nbclient_reply_fix\n\n"
        "c = get_config()\nc.CourseDirectory.course_id = 'workbook'\n"
        "c.ExecutePreprocessor.timeout = %d\nc.Exchange.root = %r\n"
        % (str(Path(__file__).resolve().parents[1]), CELL_TIMEOUT, str(tmp_path / "exchange")))
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(tmp_path / "jcfg"), "JUPYTER_DATA_DIR": str(tmp_path / "jdata"),
           "JUPYTER_RUNTIME_DIR": str(tmp_path / "jrun"), "IPYTHONDIR": str(tmp_path / "ipy"),
           "MPLCONFIGDIR": str(tmp_path / "mpl"), FIGURES_VAR: "text",  # grades and feedback are text; no figure
           # nbgrader runs the `alembic` command: the venv's bin must be on PATH even when it is not activated
           "PATH": str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")}

    target = course / "submitted" / "half" / "ps1"
    target.mkdir(parents=True)
    for path in NOTEBOOKS:
        source = nbformat.read(path, as_version=4)
        nb = nbformat.read(student_dir / path.name, as_version=4)
        solutions = by_id(source)
        for gid in restored(source):
            by_id(nb)[gid].source = solutions[gid].source
        nbformat.write(nb, target / path.name)
    # autograde adds the student to the gradebook (nbgrader's default); feedback: course/feedback/half/ps1/NAME.html
    run_nbgrader(course, env, ("generate_assignment", "ps1"), ("autograde", "ps1", "half"),
                 ("generate_feedback", "ps1"), ("export", str(tmp_path / "grades.csv")))
    with open(tmp_path / "grades.csv") as f:
        row, = [r for r in csv.DictReader(f) if r["assignment"] == "ps1" and r["student_id"] == "half"]
    return course, row


def test_every_notebook_has_both_kinds_of_answer_in_the_half_submission():
    """Without this the tests below could pass with nothing restored, or nothing left blank."""
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        checks = {solution: check for solution, check in exercises(nb) if check}
        assert set(checks) & restored(nb) and set(checks) - restored(nb), path.name


def test_nbgrader_round_trip(graded):
    """generate_assignment accepts the sources; autograde gives every restored exercise its check's full points
    and every exercise left as handed out 0, in the gradebook and in the exported CSV. Written answers count 0
    until graded by hand: nbgrader reports the restored ones as needing manual grading (the blank ones score 0 as
    unchanged)."""
    from nbgrader.api import Gradebook

    course, row = graded
    expected = total = 0
    with Gradebook("sqlite:///" + str(course / "gradebook.db")) as gb:
        for path in NOTEBOOKS:
            source = nbformat.read(path, as_version=4)
            cells = by_id(source)
            for solution, check in exercises(source):
                back = solution in restored(source)
                grade = gb.find_grade(check or solution, path.stem, "ps1", "half")
                points = meta(cells[check or solution])["points"]
                total += points
                if check:
                    assert grade.score == (points if back else 0), (path.name, check, grade.score)
                    expected += points if back else 0
                else:
                    assert grade.needs_manual_grade == back, (path.name, solution)
    assert float(row["raw_score"]) == expected > 0 and float(row["max_score"]) == total > expected


@pytest.mark.parametrize("name", [p.name for p in NOTEBOOKS])
def test_checks_pass_where_restored_and_fail_with_a_message_only_in_blank_exercises(graded, name):
    course = graded[0]
    source = nbformat.read(ROOT / "notebooks" / name, as_version=4)
    cells = by_id(nbformat.read(course / "autograded" / "half" / "ps1" / name, as_version=4))
    blank = [(solution, check) for solution, check in exercises(source) if check and solution not in restored(source)]
    allowed = {gid for pair in blank for gid in pair}
    failed = error_cells(nbformat.read(course / "autograded" / "half" / "ps1" / name, as_version=4))
    assert failed, "blank exercises must fail somewhere"
    # a cell that shows what the student's own function returns fails, until it is written, with its
    # NotImplementedError; any other failure outside the blank exercises is a bug
    nb = nbformat.read(course / "autograded" / "half" / "ps1" / name, as_version=4)
    unwritten = {meta(c).get("grade_id", i) for i, c in enumerate(nb.cells) if c.cell_type == "code"
                 and any(o.output_type == "error" and o.ename == "NotImplementedError" for o in c.get("outputs", []))}
    assert set(failed) <= allowed | unwritten, f"cells outside the blank exercises failed: {sorted(set(failed) - allowed)}"
    for solution, check in exercises(source):
        if check is None:
            continue
        outputs = cells[check].outputs
        if solution in restored(source):
            assert any("✓" in o.get("text", "") for o in outputs), (check, outputs)
        else:  # the check answers with a message, not an internal traceback
            err, = [o for o in outputs if o.output_type == "error"]
            assert err.ename == "CheckFailed" and "not written yet" in err.evalue, (check, err.evalue)


def manual_cell(cell):
    """A cell nbgrader leaves to a human: a graded solution (written or coded free response) or a task."""
    m = meta(cell)
    return bool(m.get("grade") and (m.get("solution") or m.get("task") or cell.cell_type == "markdown"))


@pytest.mark.parametrize("name", [p.name for p in NOTEBOOKS])
def test_feedback_shows_each_checks_message_and_manual_cells(graded, name):
    """generate_feedback writes a page per notebook with every grade cell's message: the check's "✓ ..." for a
    restored solution, its CheckFailed message for a blank one. Manually graded cells are on the page as such,
    and in the gradebook as needing a manual grade when the student wrote something (restored); nbgrader scores a
    written answer left as released 0, with nothing to grade."""
    from nbgrader.api import Gradebook

    course = graded[0]
    source = nbformat.read(ROOT / "notebooks" / name, as_version=4)
    manual = {meta(c)["grade_id"] for c in source.cells if manual_cell(c)}
    page = (course / "feedback" / "half" / "ps1" / name.replace(".ipynb", ".html")).read_text(encoding="utf-8")
    cells = by_id(nbformat.read(course / "autograded" / "half" / "ps1" / name, as_version=4))
    for solution, check in exercises(source):
        if check is None:
            continue
        outputs = cells[check].outputs
        if solution in restored(source):
            message = next(o.text for o in outputs if "✓" in o.get("text", "")).strip()
        else:
            message = next(o.evalue for o in outputs if o.output_type == "error")
        assert html.escape(message.splitlines()[0], quote=False) in page, message
    for gid in manual:
        assert f'href="#{gid}">' in page and ("Written response" in page or "Coding free-response" in page
                                               or "Task" in page)
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        notebook = gb.find_submission_notebook(name.replace(".ipynb", ""), "ps1", "half")
        for grade in notebook.grades:
            # nbgrader scores an unchanged written answer 0 itself; a written one waits for a grader
            assert grade.needs_manual_grade == (grade.name in manual and grade.name in restored(source)), grade.name


def test_make_student_never_overwrites_edited_work(tmp_path, capsys):
    """make_student's command line, in this process (tests/workbook/test_authoring.py runs the script itself)."""
    require(nbgrader_available(), "nbgrader is not installed: pip install -r requirements.txt")
    import make_student  # scripts/make_student.py
    args = ["--out", str(tmp_path)]
    assert make_student.main(args) == 0
    assert make_student.main(args) == 0  # unedited: regenerating is fine
    target = tmp_path / NOTEBOOKS[0].name
    target.write_text(target.read_text().replace("NotImplementedError()", "NotImplementedError()  # my work", 1))
    edited = target.read_text()
    capsys.readouterr()
    assert make_student.main(args) == 1
    refused = capsys.readouterr().err
    assert "FORCE=1" in refused and NOTEBOOKS[0].name in refused
    assert target.read_text() == edited
    assert make_student.main(args + ["--force"]) == 0 and target.read_text() != edited
