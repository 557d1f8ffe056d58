"""Student version and nbgrader: generated from the same source, graded by the real nbgrader."""
import csv
import html
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from conftest import require

ROOT = Path(__file__).resolve().parent.parent
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
    out = tmp_path_factory.mktemp("student")
    subprocess.run([sys.executable, str(ROOT / "scripts" / "make_student.py"), "--out", str(out)], check=True,
                   capture_output=True)
    return out


def solution_lines(nb):
    lines = set()
    for cell in nb.cells:
        if cell.get("metadata", {}).get("nbgrader", {}).get("solution") and cell.cell_type == "markdown":
            lines |= {line.strip() for line in cell.source.splitlines() if line.strip()}  # a written model answer
        elif cell.get("metadata", {}).get("nbgrader", {}).get("solution"):
            inside = False
            for line in cell.source.splitlines():
                if "### BEGIN SOLUTION" in line:
                    inside = True
                elif "### END SOLUTION" in line:
                    inside = False
                elif inside and line.strip():
                    lines.add(line.strip())
    return lines


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
        leaked = [l for l in solution_lines(nbformat.read(path, as_version=4)) if l in text.splitlines() or l in [s.strip() for s in text.splitlines()]]
        assert not leaked, f"{path.name}: solution lines survive: {leaked[:3]}"
        assert "raise NotImplementedError()" in text
        assert all(not c.get("outputs") for c in student.cells if c.cell_type == "code")


# Every cell of the workbook runs in a few seconds. nbclient (under nbgrader) now and then sees an execute
# reply only when the cell timeout expires; nbclient_reply_fix, loaded by the course's nbgrader config,
# makes it look again every second.
CELL_TIMEOUT = 60


def grade_cells(nb):
    """The autograded cells (code); written answers (markdown) are graded by hand."""
    return [i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code"]


def manual_points(nb):
    return sum(c.metadata["nbgrader"]["points"] for c in nb.cells
               if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "markdown")


def error_cells(nb):
    return [i for i, c in enumerate(nb.cells) if c.cell_type == "code"
            and any(o.output_type == "error" for o in c.get("outputs", []))]


@pytest.fixture(scope="module")
def graded(student_dir, tmp_path_factory):
    """The real nbgrader, once for the whole module: generate_assignment from the sources, then autograde two
    submissions of the generated student version: "blank" as handed out, and "restored" with every solution
    region put back from the source; then generate_feedback and export. Returns (autograded directory,
    {student: grades-CSV row}); the feedback pages and gradebook.db are beside the autograded directory."""
    tmp_path = tmp_path_factory.mktemp("nbgrader")
    course = tmp_path / "course"
    (course / "source" / "ps1").mkdir(parents=True)
    for path in NOTEBOOKS:
        shutil.copy(path, course / "source" / "ps1" / path.name)
    (course / "nbgrader_config.py").write_text(
        "import sys\nsys.path.insert(0, %r)\nimport nbclient_reply_fix\n\n"
        "c = get_config()\nc.CourseDirectory.course_id = 'workbook'\n"
        "c.ExecutePreprocessor.timeout = %d\nc.Exchange.root = %r\n"
        % (str(Path(__file__).parent), CELL_TIMEOUT, str(tmp_path / "exchange")))
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(tmp_path / "jcfg"), "JUPYTER_DATA_DIR": str(tmp_path / "jdata"),
           "JUPYTER_RUNTIME_DIR": str(tmp_path / "jrun"), "IPYTHONDIR": str(tmp_path / "ipy"),
           "MPLCONFIGDIR": str(tmp_path / "mpl"),
           # nbgrader runs the `alembic` command: the venv's bin must be on PATH even when it is not activated
           "PATH": str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")}

    def run(*args):
        r = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env, capture_output=True,
                           text=True, timeout=900)
        assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]

    run("generate_assignment", "ps1", "--force")
    for student in ("blank", "restored"):
        target = course / "submitted" / student / "ps1"
        target.mkdir(parents=True)
        for path in NOTEBOOKS:
            nb = nbformat.read(student_dir / path.name, as_version=4)
            if student == "restored":
                solutions = {c.metadata["nbgrader"]["grade_id"]: c.source for c in nbformat.read(path, 4).cells
                             if c.metadata.get("nbgrader", {}).get("solution")}
                for cell in nb.cells:
                    gid = cell.metadata.get("nbgrader", {}).get("grade_id")
                    if gid in solutions:
                        cell.source = solutions[gid]
            nbformat.write(nb, target / path.name)
    run("autograde", "ps1", "--force")  # adds the students to the gradebook (nbgrader's default)
    run("generate_feedback", "ps1", "--force")  # course/feedback/STUDENT/ps1/NAME.html
    run("export", "--to", str(tmp_path / "grades.csv"))
    with open(tmp_path / "grades.csv") as f:
        rows = {r["student_id"]: r for r in csv.DictReader(f) if r["assignment"] == "ps1"}
    return course / "autograded", rows


def test_nbgrader_round_trip(graded):
    """generate_assignment accepts the sources; the student version with its solutions restored autogrades to
    full marks on every autograded cell, the blank student version to zero. Written answers count 0 until graded
    by hand: nbgrader reports the restored ones as needing manual grading (the blank ones score 0 as unchanged)."""
    from nbgrader.api import Gradebook

    autograded, rows = graded
    restored, blank = rows["restored"], rows["blank"]
    manual = sum(manual_points(nbformat.read(p, as_version=4)) for p in NOTEBOOKS)
    assert float(restored["raw_score"]) == float(restored["max_score"]) - manual > 0
    assert float(blank["raw_score"]) == 0.0
    with Gradebook("sqlite:///" + str(autograded.parent / "gradebook.db")) as gb:
        for path in NOTEBOOKS:
            written = [c.metadata["nbgrader"]["grade_id"] for c in nbformat.read(path, as_version=4).cells
                       if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "markdown"]
            for grade_id in written:
                for student, needs in (("restored", True), ("blank", False)):
                    grade = gb.find_grade(grade_id, path.stem, "ps1", student)
                    assert grade.needs_manual_grade == needs, (path.name, grade_id, student)


@pytest.mark.parametrize("name", [p.name for p in NOTEBOOKS])
def test_student_notebook_fails_only_in_exercises(graded, name):
    nb = nbformat.read(graded[0] / "blank" / "ps1" / name, as_version=4)
    failed = error_cells(nb)
    allowed = {i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("solution")} | set(grade_cells(nb))
    assert failed, "an unfilled student notebook must fail somewhere"
    assert set(failed) <= allowed, f"cells outside exercises failed: {sorted(set(failed) - allowed)}"
    for i in set(failed) & set(grade_cells(nb)):  # the checks answer with a message, not an internal traceback
        err = [o for o in nb.cells[i].outputs if o.output_type == "error"][0]
        assert err.ename == "CheckFailed" and "not written yet" in err.evalue


@pytest.mark.parametrize("name", [p.name for p in NOTEBOOKS])
def test_restoring_solutions_makes_every_check_pass(graded, name):
    nb = nbformat.read(graded[0] / "restored" / "ps1" / name, as_version=4)
    assert error_cells(nb) == []
    passed = [i for i in grade_cells(nb) if any("✓" in o.get("text", "") for o in nb.cells[i].outputs)]
    assert passed == grade_cells(nb) != []


def manual_cell(cell):
    """A cell nbgrader leaves to a human: a graded solution (written or coded free response) or a task."""
    meta = cell.metadata.get("nbgrader", {})
    return bool(meta.get("grade") and (meta.get("solution") or meta.get("task") or cell.cell_type == "markdown"))


@pytest.mark.parametrize("name", [p.name for p in NOTEBOOKS])
def test_feedback_shows_each_checks_message_and_manual_cells(graded, name):
    """generate_feedback writes a page per student and notebook with every grade cell's message: the check's
    "✓ ..." for the restored solutions, its CheckFailed message for the blank version. Manually graded cells
    (when the notebook has any) are on the page as such, and in the gradebook as needing a manual grade when the
    student wrote something (restored); nbgrader scores a written answer left as released 0, with nothing to grade
    (blank)."""
    from nbgrader.api import Gradebook

    autograded = graded[0]
    course = autograded.parent
    source = nbformat.read(ROOT / "notebooks" / name, as_version=4)
    manual = {c.metadata["nbgrader"]["grade_id"] for c in source.cells if manual_cell(c)}
    for student in ("blank", "restored"):
        page = (course / "feedback" / student / "ps1" / name.replace(".ipynb", ".html")).read_text(encoding="utf-8")
        nb = nbformat.read(autograded / student / "ps1" / name, as_version=4)
        for i in grade_cells(nb):
            if nb.cells[i].metadata["nbgrader"]["grade_id"] in manual:
                continue
            outputs = nb.cells[i].outputs
            if student == "restored":
                message = next(o.text for o in outputs if "✓" in o.get("text", "")).strip()
            else:
                message = next(o.evalue for o in outputs if o.output_type == "error")
                assert "not written yet" in message
            assert html.escape(message.splitlines()[0], quote=False) in page, (student, message)
        for gid in manual:
            assert f'href="#{gid}">' in page and ("Written response" in page or "Coding free-response" in page
                                                   or "Task" in page)
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for student in ("blank", "restored"):
            notebook = gb.find_submission_notebook(name.replace(".ipynb", ""), "ps1", student)
            for grade in notebook.grades:
                # nbgrader scores an unchanged written answer 0 itself; a written one waits for a grader
                assert grade.needs_manual_grade == (grade.name in manual and student == "restored"), (student, grade.name)


def test_make_student_never_overwrites_edited_work(tmp_path):
    require(nbgrader_available(), "nbgrader is not installed: pip install -r requirements.txt")
    script = [sys.executable, str(ROOT / "scripts" / "make_student.py"), "--out", str(tmp_path)]
    subprocess.run(script, check=True, capture_output=True)
    again = subprocess.run(script, capture_output=True, text=True)
    assert again.returncode == 0  # unedited: regenerating is fine
    target = tmp_path / NOTEBOOKS[0].name
    target.write_text(target.read_text().replace("NotImplementedError()", "NotImplementedError()  # my work", 1))
    edited = target.read_text()
    refused = subprocess.run(script, capture_output=True, text=True)
    assert refused.returncode == 1 and "FORCE=1" in refused.stderr and NOTEBOOKS[0].name in refused.stderr
    assert target.read_text() == edited
    forced = subprocess.run(script + ["--force"], capture_output=True, text=True)
    assert forced.returncode == 0 and target.read_text() != edited
