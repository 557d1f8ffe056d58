"""The class grader (python -m grader): the red-team set scores 0 on what it touches and nothing else, the
class's outputs (grades.csv, scores.png, feedback pages, log), re-runs and the Dask path."""
import csv
import hashlib
import html
import json
import os
import shutil
import socket
from pathlib import Path

import nbformat
import numpy as np
import pytest

from conftest import require
from grader import __main__ as cli
from grader import batch, redteam, scan, wire
from grader.worker import plan
from utils.checks import EXERCISES

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "notebooks"
TIME_LIMIT, MEMORY_LIMIT_GIB = 5, 0.5  # a notebook run takes a sandbox about 1 s here, even under load
pytestmark = pytest.mark.slow


def isolated():
    """Whether sandboxes get their own namespaces here (root); elsewhere the file-system cases are unsafe to run."""
    return os.geteuid() == 0


def source_points():
    """{grade_id: points} of every grade cell of the sources, read from their metadata."""
    points = {}
    for path in sorted(SOURCES.glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            meta = cell.metadata.get("nbgrader", {})
            if meta.get("grade"):
                points[meta["grade_id"]] = float(meta["points"])
    return points


def written_answers():
    """{grade_id: points} of the manually graded written answers (nbgrader's markdown answer cells) of the sources."""
    written = {}
    for path in sorted(SOURCES.glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            meta = cell.metadata.get("nbgrader", {})
            if meta.get("grade") and cell.cell_type == "markdown":
                written[meta["grade_id"]] = float(meta["points"])
    return written


def registered_in(stem):
    nb = nbformat.read(SOURCES / f"{stem}.ipynb", as_version=4)
    return [gid for gid, _, _ in plan(nb, None)[1]]


def digest(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """One class graded by the command on two workers: correct, blank, typical mistakes, the red-team set.
    Returns (submitted folder, output folder, {student: {grade_id: exercise result}}, decoy course folder)."""
    tmp = tmp_path_factory.mktemp("class")
    submitted, out = tmp / "submitted", tmp / "report"
    course = tmp / "decoy-course"  # the folder the hostile cells aim at: a copy, so nothing real is at risk
    shutil.copytree(ROOT / "utils", course / "utils", ignore=shutil.ignore_patterns("__pycache__"))
    for path in SOURCES.glob("*.ipynb"):
        redteam.write_submission(path, submitted / "correct" / "ps1" / path.name)
        redteam.write_submission(path, submitted / "blank" / "ps1" / path.name, blanked=True)
    cases = dict(redteam.RED_TEAM, **redteam.MISTAKES)
    if not isolated():
        require(False, "the file-system red-team cases need root (mount and network namespaces)")
    damaged = submitted / "damaged" / "ps1" / "03-hessian-conditioning.ipynb"
    damaged.parent.mkdir(parents=True)
    damaged.write_text('{"cells": [')  # a truncated upload
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0)
    for student, (entry, _) in cases.items():
        redteam.write_student(submitted, student, SOURCES, entry, course, port=listener.getsockname()[1])
    before = {p: digest(p) for p in course.rglob("*.py")}
    assert cli.main([str(submitted), "--out", str(out), "--secret-file", str(tmp / "secret"), "--workers", "2",
                     "--time-limit", str(TIME_LIMIT), "--memory-limit", str(MEMORY_LIMIT_GIB), "--no-progress"]) == 0
    assert {p: digest(p) for p in course.rglob("*.py")} == before, "a submission changed the course folder"
    with pytest.raises(BlockingIOError):  # nobody connected: the sandbox had no network
        listener.accept()
    listener.close()
    results = json.loads((out / "results.json").read_text())
    by_student = {}
    for r in results:
        by_student.setdefault(r["student"], {}).update({e["grade_id"]: e for e in r["exercises"]})
    return submitted, out, by_student, course, results


def test_correct_submission_gets_every_registered_exercise(graded):
    _, _, by_student, _, results = graded
    points, written = source_points(), written_answers()
    registered = [gid for gid in points if gid in EXERCISES]
    assert len(registered) >= 3 and written  # the merged notebooks: 17 exercises, 10 written answers
    for gid in registered:
        e = by_student["correct"][gid]
        assert (e["status"], e["points"]) == ("passed", points[gid]), e
        assert e["message"].startswith("✓")
    manual = {m["grade_id"]: m["points"] for r in results if r["student"] == "correct" for m in r["manual"]}
    assert manual == written  # graded by hand: listed with their points, never scored by the grader
    assert not set(written) & set(by_student["correct"])
    for gid in set(points) - set(EXERCISES) - set(written):  # not registered: reported, never guessed
        assert by_student["correct"][gid]["status"] == "ungradable"
        assert "not gradable safely" in by_student["correct"][gid]["message"]


def test_blank_submission_scores_zero_with_the_checks_message(graded):
    _, _, by_student, _, _ = graded
    for gid, e in by_student["blank"].items():
        assert e["points"] == 0, e
        if gid in EXERCISES:
            assert "not written yet" in e["message"], e


@pytest.mark.parametrize("student", sorted(dict(redteam.RED_TEAM, **redteam.MISTAKES)))
def test_red_team_and_mistakes_score_zero_on_what_they_touch_only(graded, student):
    _, _, by_student, _, _ = graded
    entry, expected = dict(redteam.RED_TEAM, **redteam.MISTAKES)[student]
    points = source_points()
    for gid, (score, text) in expected.items():
        e = by_student[student][gid]
        assert e["points"] == 0 and e["status"] != "passed", e
        assert text in e["message"], e
    for stem in entry:  # the touched notebooks' other exercises: graded normally
        for gid in registered_in(stem):
            if gid not in expected:
                assert by_student[student][gid]["points"] == points[gid], (gid, by_student[student][gid])


def test_damaged_notebook_scores_zero_and_is_logged(graded):
    _, out, by_student, _, _ = graded
    assert all(e["points"] == 0 for e in by_student["damaged"].values())
    assert "[error] damaged/ps1/03-hessian-conditioning: the notebook could not be read" in (out / "grading.log").read_text()
    assert "the notebook could not be read" in by_student["damaged"]["check-kappa"]["message"]


def test_hostile_writes_reached_neither_the_course_nor_the_installed_packages(graded):
    _, _, _, course, _ = graded
    assert not (course / "grader_was_here.txt").exists()
    assert not (Path(np.__file__).parent / "grader_was_here.py").exists()
    assert (ROOT / "utils" / "conditioning.py").read_text().startswith('"""')


def test_log_names_every_limit_hit_and_flag(graded):
    _, out, _, _, _ = graded
    log = (out / "grading.log").read_text()
    for text in [f"loop-cell/ps1/03-hessian-conditioning: timed out after {TIME_LIMIT} s in solution cell `ex2-kappa`",
                 f"loop-function/ps1/03-hessian-conditioning: `hessian` timed out after {TIME_LIMIT} s",
                 f"memory-cell/ps1/03-hessian-conditioning: exceeded the {MEMORY_LIMIT_GIB * 1024:g} MiB memory limit",
                 "memory-function/ps1/04-backprop-vs-autograd: `backward` exceeded the",
                 "os-exit/ps1/03-hessian-conditioning: ended the process (exit code 3) in solution cell `ex2-kappa`",
                 "kill-9/ps1/04-backprop-vs-autograd: `backward` ended the process (killed by SIGKILL)",
                 "[flag] cheat-backward/ps1/04-backprop-vs-autograd: `backward` uses the reference implementation `utils.mlp.backward`",
                 "[flag] patch-sys-modules/ps1/03-hessian-conditioning: solution cell `ex2-kappa` line 4: uses .modules",
                 "[flag] redefine-checks/ps1/03-hessian-conditioning: solution cell `ex2-kappa` line 3: redefines `checks`"]:
        assert text in log, text
    assert "[isolation]" not in log  # root here and in CI: every sandbox got its namespaces
    assert "correct/" not in log and "blank/" not in log  # honest submissions are not flagged


def test_grades_csv_has_a_row_per_student_a_column_per_exercise_and_a_total(graded):
    """Every grade cell has a column, in notebook order; a written answer's column is left empty for the
    instructor, and total / max_total count the autograded cells only."""
    submitted, out, by_student, _, _ = graded
    points, written = source_points(), written_answers()
    auto = {gid: p for gid, p in points.items() if gid not in written}
    with open(out / "grades.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["student_id"] for r in rows] == sorted(p.name for p in submitted.iterdir())
    assert list(rows[0]) == ["student_id", *points, "total", "max_total"]  # notebook order, written answers included
    for row in rows:
        assert all(row[gid] == "" for gid in written), row
        scores = {gid: float(row[gid]) for gid in auto}
        assert scores == {gid: by_student[row["student_id"]][gid]["points"] for gid in auto}
        assert float(row["total"]) == sum(scores.values())
        assert float(row["max_total"]) == sum(auto.values()) < sum(points.values())
    correct = next(r for r in rows if r["student_id"] == "correct")
    assert float(correct["total"]) == sum(points[g] for g in points if g in EXERCISES) == float(correct["max_total"])


def test_score_figure_is_a_png(graded):
    import matplotlib.image

    _, out, _, _, _ = graded
    path = out / "scores.png"
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    height, width, _ = matplotlib.image.imread(path).shape
    assert width > 400 and height > 200


def test_feedback_page_per_student_shows_each_message_escaped(graded):
    submitted, out, by_student, _, _ = graded
    for student in (p.name for p in submitted.iterdir()):
        page = (out / "feedback" / f"{student}.html").read_text(encoding="utf-8")
        for e in by_student[student].values():
            assert html.escape(e["message"]) in page
    page = (out / "feedback" / "correct.html").read_text(encoding="utf-8")
    for gid, points in written_answers().items():  # written answers: listed, to be graded by hand
        assert f"<td>{gid}</td><td>– / {points:g}</td><td>graded by hand</td>" in page
    page = (out / "feedback" / "html-in-message.html").read_text(encoding="utf-8")
    assert "<script>" not in page and "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page


def test_regrading_on_a_dask_cluster_gives_the_same_grades(graded, tmp_path):
    """The same class (a few students) again, on a LocalCluster of one worker on 127.0.0.1: same points and
    messages as the process pool's first run (same secret, so the same test cases)."""
    require(_have("distributed"), "dask.distributed is not installed: pip install -r requirements.txt")
    submitted, out, _, _, first = graded
    students = ["mistakes", "os-exit"]  # judged mistakes in two notebooks, a re-run after a cell ended the process
    for s in students:
        shutil.copytree(submitted / s, tmp_path / "submitted" / s)
    secret = batch.read_secret(submitted.parent / "secret", create=False)
    jobs = batch.attach_seeds(batch.discover(tmp_path / "submitted", SOURCES), secret)
    again = batch.grade_all(jobs, cli.Limits(time=TIME_LIMIT, memory=int(MEMORY_LIMIT_GIB * cli.GIB)),
                            dask="local:1", progress=False)

    def key(results):
        return {(r["student"], r["notebook"]): [(e["grade_id"], e["points"], e["message"]) for e in r["exercises"]]
                for r in results if r["student"] in students}
    assert key(again) == key(first)


def _have(module):
    try:
        __import__(module)
        return True
    except ImportError:
        return False


def test_seeds_are_fixed_by_the_secret_and_differ_between_students():
    a = batch.seed_for(b"s1", "alice", "ps1", "check-kappa")
    assert a == batch.seed_for(b"s1", "alice", "ps1", "check-kappa")
    assert len({a, batch.seed_for(b"s1", "bob", "ps1", "check-kappa"), batch.seed_for(b"s2", "alice", "ps1", "check-kappa"),
                batch.seed_for(b"s1", "alice", "ps1", "check-hessian")}) == 4
    cases = EXERCISES["check-kappa"].cases
    assert not np.allclose(cases(a)[0][0], cases(EXERCISES["check-kappa"].seed)[0][0])


def test_secret_file_is_made_once_and_kept(tmp_path):
    first = batch.read_secret(tmp_path / "s")
    assert batch.read_secret(tmp_path / "s") == first and len(first) == 64
    assert (tmp_path / "s").stat().st_mode & 0o077 == 0
    with pytest.raises(FileNotFoundError, match="does not exist"):
        batch.read_secret(tmp_path / "t", create=False)


def test_wire_round_trips_plain_data_and_refuses_the_rest():
    value = [1, 2.5, float("nan"), "s", None, True, (np.arange(6.0).reshape(2, 3), {"k": np.float32(1.5)})]
    back = wire.loads(wire.dumps(value))
    assert back[:2] == [1, 2.5] and np.isnan(back[2]) and back[3:6] == ["s", None, True]
    assert isinstance(back[6], tuple) and np.array_equal(back[6][0], value[6][0]) and back[6][1]["k"] == 1.5
    for bad in (lambda: 0, np.array([object()]), {1, 2}, np.ones(2).view(np.recarray).__class__):
        with pytest.raises(wire.WireError):
            wire.dumps(bad)
    import base64
    import io
    buf = io.BytesIO()
    np.save(buf, np.array([{"a": 1}], dtype=object), allow_pickle=True)  # a pickled payload must not load
    forged = json.dumps({"__ndarray__": base64.b64encode(buf.getvalue()).decode()}).encode()
    for data in (forged, b"{", b'{"__tuple__": 1}', b"[NaN]", b'{"__x__": 1, "y": 2}'):
        with pytest.raises(wire.WireError):
            wire.loads(data)


def test_scan_flags_machinery_but_not_the_course_solutions():
    from utils.checks._deny import denied_names

    flags = scan.scan("import sys\nsys.modules['x'].f = 1\ncheck = mlp.backward\nchecks.check_x = None\n",
                      ("utils.mlp.backward",))
    assert flags == ["line 1: imports sys", "line 2: uses .modules", "line 3: names the reference implementation "
                     "`utils.mlp.backward`", "line 4: assigns to checks.check_x"]
    refs = tuple(denied_names())  # every denied name: the course's own solutions need none of them
    for path in SOURCES.glob("*.ipynb"):
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.metadata.get("nbgrader", {}).get("solution") and cell.cell_type == "code":
                assert scan.scan(cell.source, refs) == [], (path.name, cell.metadata["nbgrader"]["grade_id"])


@pytest.mark.parametrize("args, message", [(["--time-limit", "0"], "--time-limit must be positive; got 0.0"),
                                            (["--memory-limit", "-1"], "--memory-limit must be positive; got -1.0"),
                                            (["--workers", "0"], "--workers must be at least 1; got 0")])
def test_limits_must_be_positive(args, message, capsys):
    with pytest.raises(SystemExit):
        cli.parse_args(["submitted", *args])
    assert message in capsys.readouterr().err


def test_every_denied_name_raises_in_the_sandbox_copy(tmp_path):
    """stubs.build leaves every denied function, method and constant raising ReferenceImplementationUsed in the
    copy (imported in a fresh interpreter), and every allowed definition's source unchanged."""
    import inspect
    import json
    import subprocess
    import sys

    from grader import stubs
    from utils.checks import _deny

    denied = _deny.denied_names()
    assert {"utils.mlp.backward", "utils.threshold.SQUARE_W0", "utils.checks.hessian._kappa_judge",
            "utils.conditioning.ConditioningView"} <= set(denied)
    root = stubs.build(tmp_path, denied)
    probe = f"""
import inspect, json, sys
sys.path.insert(0, {root!r})
from utils.checks import _deny
out = {{}}
def call(f):
    params = [p for p in inspect.signature(f).parameters.values() if p.default is p.empty
              and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    try:
        f(*[None] * len(params))
    except _deny.ReferenceImplementationUsed as exc:
        return str(exc)
    except Exception as exc:
        return type(exc).__name__
    return "returned"
for dotted, kind in json.loads(sys.argv[1]).items():
    module, _, name = dotted.rpartition(".")
    mod = __import__(module, fromlist=["_"])
    if kind == "constant":
        try:
            getattr(mod, name)
            out[dotted] = "readable"
        except _deny.ReferenceImplementationUsed as exc:
            out[dotted] = str(exc)
    elif kind == "function":
        out[dotted] = call(getattr(mod, name))
    else:
        cls = getattr(mod, name)
        out[dotted] = [call(v) for k, v in vars(cls).items() if inspect.isfunction(v)] or ["no methods"]
print(json.dumps(out))
"""
    done = subprocess.run([sys.executable, "-I", "-c", probe, json.dumps(denied)], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    for dotted, got in json.loads(done.stdout).items():
        kind = denied[dotted]
        if kind == "class":
            assert all(g.startswith(f"uses the reference implementation `{dotted}.") for g in got) or \
                got == ["no methods"], (dotted, got)
        else:
            assert got == f"uses the reference implementation `{dotted}`", (dotted, got)
    for dotted in _deny.allowed_names():
        module, _, name = dotted.rpartition(".")
        value = getattr(_deny.modules()[module], name)
        if inspect.isfunction(value):
            copy = (Path(root) / Path(*module.split("."))).with_suffix(".py")
            copy = copy if copy.is_file() else Path(root, *module.split("."), "__init__.py")
            assert inspect.getsource(value) in copy.read_text(), dotted


def test_isolation_degrades_and_says_so_where_unshare_is_refused(tmp_path):
    """Where the kernel refuses namespaces (no root, Docker's default seccomp), `isolate` still applies the
    resource limits (and, as root, a user id of its own) and returns what it could not do, for the log."""
    import ctypes
    import resource

    from grader import isolation

    real = isolation._libc

    class Refusing:
        def __getattr__(self, name):
            return getattr(real, name)

        def unshare(self, flags):
            ctypes.set_errno(1)  # EPERM
            return -1

    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child isolates itself and reports; it never returns into pytest
        try:
            isolation._libc = Refusing()
            missing = isolation.isolate(str(tmp_path), [], [], {"memory": 2 ** 30, "cpu": 60, "file_size": 2 ** 20,
                                                                 "processes": 16})
            os.write(write, json.dumps({"missing": missing, "uid": os.getuid(), "cwd": os.getcwd(),
                                        "fsize": resource.getrlimit(resource.RLIMIT_FSIZE)[0]}).encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read) as f:
        report = json.loads(f.read())
    os.waitpid(pid, 0)
    assert report["missing"][0].startswith("no network or file-system isolation (unshare: Operation not permitted")
    assert report["cwd"] == str(tmp_path) and report["fsize"] == 2 ** 20
    if os.geteuid() == 0:
        assert report["uid"] == isolation.sandbox_user(pid) and len(report["missing"]) == 1
    else:
        assert "runs as the grader's own user" in report["missing"][1]
