"""The class grader (python -m workbook_grader): the red-team set scores 0 on what it touches and nothing else, the
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

from helpers import require
from workbook_grader import __main__ as cli
import redteam
from workbook_grader import batch, isolation, report, scan, wire
from workbook_grader.worker import plan
from utils.checks import EXERCISES

ROOT = Path(__file__).resolve().parents[2]
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


ALL_CASES = dict(redteam.RED_TEAM, **redteam.SANDBOX_RED_TEAM, **redteam.MISTAKES)
GENERAL = "check-kappa-general"


def kappa_general_reference(mu, Sigma):
    from utils import conditioning

    return float(conditioning.matrix_condition_number(conditioning.general_hessian(mu, Sigma)))


def round1_cases(secret, tmp):
    """The cases the feedback of student `exfiltrate`'s first submission (redteam.EXFILTRATE_ROUND1) shows: drawn
    from the seed of that submission, as the grader derives it."""
    [path] = redteam.write_student(tmp / "round1", "exfiltrate", SOURCES, redteam.EXFILTRATE_ROUND1, tmp)
    source = (SOURCES / path.name).read_text()
    digest_ = batch.submission_digest(nbformat.reads(source, as_version=4), path.read_text())
    return EXERCISES[GENERAL].cases(batch.seed_for(secret, "exfiltrate", "ps1", GENERAL, digest_))


def shared_memory(key, size=0, flags=0):
    """(libc, id) of the SysV segment `key` (made with IPC_CREAT in `flags`); id -1 when there is none."""
    import ctypes

    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.shmat.restype = ctypes.c_void_p
    return libc, libc.shmget(key, size, flags)


def running(name):
    """Process ids of this machine's processes called `name` (/proc/PID/comm)."""
    found = []
    for path in Path("/proc").glob("[0-9]*/comm"):
        try:
            if path.read_text().strip() == name:
                found.append(int(path.parent.name))
        except OSError:  # ended meanwhile
            pass
    return found


def segments():
    """Keys of every SysV shared-memory segment of this machine's (the grader's) IPC namespace."""
    return {int(line.split()[0]) for line in Path("/proc/sysvipc/shm").read_text().splitlines()[1:]}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """One class graded by the command on two workers: correct, blank, typical mistakes, both red-team sets.
    Around it, a note in the host's SysV shared memory that no sandbox may read, and a TMPDIR of its own in
    which nothing may be left. Returns (submitted folder, output folder, {student: {grade_id: exercise
    result}}, decoy course folder, results)."""
    import ctypes

    tmp = tmp_path_factory.mktemp("class")
    submitted, out, scratch = tmp / "submitted", tmp / "report", tmp / "tmp"
    course = tmp / "decoy-course"  # the folder the hostile cells aim at: a copy, so nothing real is at risk
    shutil.copytree(ROOT / "utils", course / "utils", ignore=shutil.ignore_patterns("__pycache__"))
    for path in SOURCES.glob("*.ipynb"):
        redteam.write_submission(path, submitted / "correct" / "ps1" / path.name)
        redteam.write_submission(path, submitted / "blank" / "ps1" / path.name, blanked=True)
    if not isolated():
        require(False, "the file-system red-team cases need root (mount and network namespaces)")
    damaged = submitted / "damaged" / "ps1" / "03-hessian-conditioning.ipynb"
    damaged.parent.mkdir(parents=True)
    damaged.write_text('{"cells": [')  # a truncated upload
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0)
    secret = batch.read_secret(tmp / "secret")
    table = {round(float(mu[0]), 9): kappa_general_reference(mu, S) for mu, S in round1_cases(secret, tmp)}
    for student, (entry, _) in ALL_CASES.items():
        redteam.write_student(submitted, student, SOURCES, entry, course, port=listener.getsockname()[1], table=table)
    before = {p: digest(p) for p in course.rglob("*.py")}
    assert redteam.SHM_LEFT_KEY not in segments()
    libc, note = shared_memory(redteam.SHM_NOTE_KEY, 4096, 0o1600)  # IPC_CREAT, owner-only
    assert note >= 0, ctypes.get_errno()
    ctypes.memmove(libc.shmat(note, None, 0), b"answers: 42", 11)
    scratch.mkdir()
    old_tmpdir = os.environ.get("TMPDIR")
    os.environ["TMPDIR"] = str(scratch)  # the workers (fresh processes) make their folders here
    try:
        assert cli.main([str(submitted), "--out", str(out), "--secret-file", str(tmp / "secret"), "--workers", "2",
                         "--time-limit", str(TIME_LIMIT), "--memory-limit", str(MEMORY_LIMIT_GIB), "--no-progress"]) == 0
    finally:
        libc.shmctl(note, 0, None)  # IPC_RMID
        os.environ.pop("TMPDIR") if old_tmpdir is None else os.environ.update(TMPDIR=old_tmpdir)
    left = sorted(str(p.relative_to(scratch)) for p in scratch.iterdir())
    assert left == [], f"the grader left {left} behind"
    assert redteam.SHM_LEFT_KEY not in segments(), "a sandbox's shared memory outlived it"
    assert not running(redteam.ORPHAN), "a process a sandbox started outlived it"
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


@pytest.mark.parametrize("student", sorted(ALL_CASES))
def test_red_team_and_mistakes_score_zero_on_what_they_touch_only(graded, student):
    _, _, by_student, _, _ = graded
    entry, expected = ALL_CASES[student]
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
    for text in [f"loop-cell/ps1/03-hessian-conditioning: timed out after {TIME_LIMIT} s in solution cell `answer-kappa`",
                 f"loop-function/ps1/04-backprop-vs-autograd: `backward` timed out after {TIME_LIMIT} s",
                 f"memory-cell/ps1/03-hessian-conditioning: exceeded the {MEMORY_LIMIT_GIB * 1024:g} MiB memory limit",
                 "memory-function/ps1/04-backprop-vs-autograd: `backward` exceeded the",
                 "os-exit/ps1/03-hessian-conditioning: ended the process (exit code 3) in solution cell `answer-kappa`",
                 "kill-9/ps1/04-backprop-vs-autograd: `backward` ended the process (killed by SIGKILL)",
                 "[flag] cheat-backward/ps1/04-backprop-vs-autograd: `backward` uses the reference implementation `utils.mlp.backward`",
                 "[flag] patch-sys-modules/ps1/03-hessian-conditioning: solution cell `answer-kappa` line 4: uses .modules",
                 "[flag] redefine-checks/ps1/03-hessian-conditioning: solution cell `answer-kappa` line 3: redefines `checks`"]:
        assert text in log, text
    assert "[isolation]" not in log  # root here and in CI: every sandbox got its namespaces and control groups
    assert log.startswith("[grader] each sandbox's memory, processes and CPU bounded by cgroup v")
    lines = log.splitlines()
    assert not [line for line in lines if line.split("] ", 1)[1].startswith(("correct/", "blank/"))]  # honest: no line


def test_grades_csv_has_a_row_per_student_a_column_per_exercise_and_a_total(graded):
    """Every grade cell has a column, in notebook order; a written answer's column is left empty for the
    instructor, and total / max_total count the autograded cells only."""
    submitted, out, by_student, _, _ = graded
    points, written = source_points(), written_answers()
    auto = {gid: p for gid, p in points.items() if gid not in written}
    with open(out / "grades.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["student_id"] for r in rows] == [("'" + s if s[0] in "=+-@" else s)  # OWASP: never a formula
                                               for s in sorted(p.name for p in submitted.iterdir())]
    assert any(r["student_id"].startswith("'=") for r in rows)
    assert list(rows[0]) == ["student_id", *points, "total", "max_total"]  # notebook order, written answers included
    for row in rows:
        assert all(row[gid] == "" for gid in written), row
        scores = {gid: float(row[gid]) for gid in auto}
        student = row["student_id"][1:] if row["student_id"].startswith("'") else row["student_id"]
        assert scores == {gid: by_student[student][gid]["points"] for gid in auto}
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
    names, _ = report.feedback_names([p.name for p in submitted.iterdir()])
    assert sorted(p.name for p in (out / "feedback").iterdir()) == sorted(names.values())  # one page each
    for student in (p.name for p in submitted.iterdir()):
        page = (out / "feedback" / names[student]).read_text(encoding="utf-8")
        assert f"<h1>Feedback for {html.escape(student)}</h1>" in page
        for e in by_student[student].values():
            assert html.escape(report.escape(e["message"], keep="\n\t")) in page
    page = (out / "feedback" / "correct.html").read_text(encoding="utf-8")
    for gid, points in written_answers().items():  # written answers: listed, to be graded by hand
        assert f"<td>{gid}</td><td>– / {points:g}</td><td>graded by hand</td>" in page
    page = (out / "feedback" / "html-in-message.html").read_text(encoding="utf-8")
    assert "<script>" not in page and "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    page = (out / "feedback" / "forge-log.html").open(encoding="utf-8", newline="").read()
    assert "\x1b" not in page and "\r" not in page and "\\r\\x1b[2K" in page


def result_of(results, student, notebook=redteam.KAPPA):
    return next(r for r in results if r["student"] == student and r["notebook"] == notebook)


def log_of(out, student):
    """The lines of grading.log about `student` (as escaped there)."""
    return [line for line in (out / "grading.log").read_text().splitlines()
            if line.split("] ", 1)[1].startswith(report.escape(student) + "/")]


@pytest.mark.parametrize("student", ["drip", "blame"])
def test_drip_and_blame_cost_one_time_limit_and_blame_only_the_students_cell(graded, student):
    """Issue 24, findings 1 and 2: a message dripped a byte a second (161.9 s under a 20 s limit before), and an
    answer forged for the student's own cell followed by sleep (12 runs, 11 instructor cells blamed before):
    one run that times out on the worker's clock, one re-run without that cell, the student's cell charged."""
    _, out, _, _, results = graded
    r = result_of(results, student)
    assert r["runs"] == 2 and r["run_seconds"] < 2 * TIME_LIMIT + 3, (r["runs"], r["run_seconds"])
    limits = [line for line in log_of(out, student) if line.startswith("[limit]")]
    assert len(limits) == 1 and "solution cell `answer-kappa`" in limits[0], limits
    assert not [line for line in log_of(out, student) if " in cell " in line]  # no instructor cell blamed


def test_a_flood_of_values_is_refused_before_decoding(graded):
    """Finding 3: 5 Mi empty lists in a 15 MiB message (1.7 GiB decoded, before) are refused from a count of the
    raw bytes; the worker's peak memory stays that of an honest class."""
    _, _, _, _, results = graded
    peak = max(r["worker_maxrss_kb"] for r in results if "worker_maxrss_kb" in r)
    assert result_of(results, "flood")["worker_maxrss_kb"] <= peak < 512 * 1024, peak


def test_memory_and_disk_limits_hold_for_the_whole_sandbox(graded):
    """Finding 4: the control group's peak stays at the memory limit though two processes held 300 MiB each,
    and twelve files of 32 MiB meet the tmpfs's 256 MiB in all."""
    _, _, by_student, _, results = graded
    limit_kb = MEMORY_LIMIT_GIB * 2 ** 20
    assert result_of(results, "fork-memory")["sandbox_peak_kb"] <= limit_kb
    assert "0 of 2 children" not in by_student["fork-memory"]["check-kappa"]["message"]
    assert result_of(results, "correct")["sandbox_peak_kb"] < limit_kb / 2  # an honest notebook is far from it
    assert result_of(results, "disk-fill")["sandbox_peak_kb"] <= limit_kb


def test_forged_log_lines_stay_on_the_forgers_line(graded):
    """Finding 7: newlines, carriage returns and terminal escapes in an error text or a student id are written
    as escapes: every line of grading.log names the student it is about first, and none frames `correct`."""
    _, out, _, _, results = graded
    lines = (out / "grading.log").read_text().splitlines()
    wheres = {report.escape(f"{r['student']}/{r['assignment']}/{r['notebook']}") for r in results}
    for line in lines:
        kind, rest = line.split("] ", 1)
        assert kind in ("[grader", "[isolation", "[report", "[limit", "[flag", "[error", "[missing"), line
        if kind not in ("[grader", "[isolation", "[report"):
            assert any(rest.startswith(where + ": ") for where in wheres), line
        assert line.isprintable(), line
    [forged] = [line for line in log_of(out, "forge-log") if "MemoryError" in line]
    assert "MemoryError\\n[flag] correct/ps1/03-hessian-conditioning" in forged and "\\r\\x1b[2K" in forged


def test_cases_drawn_for_one_submission_miss_the_next(graded, tmp_path):
    """Finding 8: round 1's feedback shows its three cases; a table of their answers passes the judge on those
    cases, yet the second submission gets fresh cases and 0 points."""
    submitted, _, by_student, _, _ = graded
    secret = batch.read_secret(submitted.parent / "secret", create=False)
    cases = round1_cases(secret, tmp_path)
    table = [kappa_general_reference(mu, S) for mu, S in cases]
    assert EXERCISES[GENERAL].judge(cases, table)  # the table was right for round 1
    shown = by_student["exfiltrate-round1"][GENERAL]["message"]  # the leak itself, in a round-1 id's own cases
    [path] = (submitted / "exfiltrate-round1" / "ps1").glob("*.ipynb")
    own = EXERCISES[GENERAL].cases(batch.seed_for(secret, "exfiltrate-round1", "ps1", GENERAL, batch.submission_digest(
        nbformat.read(SOURCES / path.name, as_version=4), path.read_text())))
    assert all(repr(float(mu[0])) in shown for mu, _ in own)
    assert by_student["exfiltrate"][GENERAL]["points"] == 0


def test_ids_that_collide_get_pages_of_their_own_and_are_reported(graded):
    """Finding 9: `ann lee` and `ann_lee` both had feedback/ann_lee.html; now each has its own page, said in the log."""
    _, out, _, _, _ = graded
    names, _ = report.feedback_names(["ann lee", "ann_lee"])
    assert len(set(names.values())) == 2
    for student, name in names.items():
        assert f"<h1>Feedback for {student}</h1>" in (out / "feedback" / name).read_text(encoding="utf-8")
        assert f"[report] student id {student!r} shares the name ann_lee.html" in (out / "grading.log").read_text()
    assert not (out / "feedback" / "ann_lee.html").exists()


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


def test_seeds_are_fixed_by_the_secret_and_differ_between_students_and_submissions():
    a = batch.seed_for(b"s1", "alice", "ps1", "check-kappa", "d1")
    assert a == batch.seed_for(b"s1", "alice", "ps1", "check-kappa", "d1")
    assert len({a, batch.seed_for(b"s1", "bob", "ps1", "check-kappa", "d1"),
                batch.seed_for(b"s2", "alice", "ps1", "check-kappa", "d1"),
                batch.seed_for(b"s1", "alice", "ps1", "check-hessian", "d1"),
                batch.seed_for(b"s1", "alice", "ps1", "check-kappa", "d2")}) == 5
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


def test_wire_bounds_a_message_by_one_deadline_its_size_and_its_values():
    """A frame dripped a byte every 50 ms times out at the deadline of the whole message, though each read
    would have returned in time; a frame over the size limit, a frame of too many values and an array whose
    header claims more than its bytes are refused before anything is allocated for them."""
    import struct
    import threading
    import time

    ours, theirs = socket.socketpair()
    frame = struct.pack(">Q", 8) + b'{"a": 1}'

    def drip():
        for byte in frame:
            try:
                theirs.send(bytes([byte]))
            except OSError:
                return
            time.sleep(0.05)

    threading.Thread(target=drip, daemon=True).start()
    started = time.monotonic()
    with pytest.raises(socket.timeout):
        wire.recv(ours, started + 0.3)
    assert 0.3 <= time.monotonic() - started < 0.6
    ours.close()
    theirs.close()
    ours, theirs = socket.socketpair()
    theirs.sendall(struct.pack(">Q", wire.MAX_FRAME + 1))
    with pytest.raises(wire.WireError, match="exceeds the 16777216-byte limit"):
        wire.recv(ours, time.monotonic() + 1)
    with pytest.raises(wire.WireError, match="200002 JSON values exceeds the 200000-value limit"):
        wire.loads(b"[" + b"0," * 200_000 + b"0]")  # a list and 200 001 numbers: counted exactly
    assert len(wire.loads(b"[" + b"0," * 199_998 + b"0]")) == 199_999
    with pytest.raises(wire.WireError, match="JSON values exceeds"):  # empty lists: counted twice, still refused
        wire.loads(b"[" + b"[]," * 100_000 + b"[]]")
    import base64
    import io
    buf = io.BytesIO()
    np.save(buf, np.zeros(4))
    claims = io.BytesIO()  # a header claiming 80 GB before 32 bytes: np.load would allocate the 80 GB first
    np.lib.format.write_array_header_1_0(claims, {"descr": "<f8", "fortran_order": False, "shape": (10 ** 10,)})
    for payload, message in ((buf.getvalue()[:-8], "but 24 bytes follow"),
                             (claims.getvalue() + bytes(32), "but 32 bytes follow")):
        with pytest.raises(wire.WireError, match=message):
            wire.loads(json.dumps({"__ndarray__": base64.b64encode(payload).decode()}).encode())
    ours.close()
    theirs.close()


def test_remove_tree_removes_any_depth_and_follows_no_link(tmp_path):
    """1 100 nested folders (deeper than shutil.rmtree can recurse, and a path longer than PATH_MAX) with a
    file at the bottom, an unreadable folder and a link out: all gone, the link's target kept."""
    import shutil as sh

    keep = tmp_path / "keep.txt"
    keep.write_text("x")
    top = tmp_path / "top"
    top.mkdir()
    fd = os.open(top, os.O_RDONLY)
    for _ in range(1100):
        os.mkdir("d" * 8, dir_fd=fd)
        child = os.open("d" * 8, os.O_RDONLY, dir_fd=fd)
        os.close(fd)
        fd = child
    with open(os.open("bottom", os.O_WRONLY | os.O_CREAT, 0o600, dir_fd=fd), "wb") as f:
        f.write(b"x" * 2 ** 20)
    os.symlink(keep, "link", dir_fd=fd)
    os.close(fd)
    (top / "locked").mkdir()
    (top / "locked" / "f").write_text("x")
    (top / "locked").chmod(0)
    with pytest.raises(RecursionError):  # the control: what failed in issue 24 fails here too
        sh.rmtree(top)
    isolation.remove_tree(top)
    assert not top.exists() and keep.read_text() == "x"
    isolation.remove_tree(top)  # nothing to remove is not an error


def test_escape_and_cell_keep_student_text_on_its_line_and_out_of_formulas():
    assert report.escape("a\nb\r\x1b[2K\u202e\u2028 \\ μ ✓") == "a\\nb\\r\\x1b[2K\\u202e\\u2028 \\\\ μ ✓"
    assert [report.cell(t) for t in ("=1+2", "+1", "-1", "@A1", "\tx", "\rx", "ann")] == [
        "'=1+2", "'+1", "'-1", "'@A1", "'\tx", "'\rx", "ann"]


def test_feedback_names_are_unique_safe_and_reported():
    names, problems = report.feedback_names(["ann lee", "ann_lee", "Ann_Lee", "bob", "..", "a/b", "x\ny"])
    assert names["bob"] == "bob.html" and len(set(n.lower() for n in names.values())) == 7
    assert all(n == os.path.basename(n) and not n.startswith(".") and n.isascii() and n.isprintable()
               for n in names.values())
    assert len(problems) == 6 and "'ann lee' shares the name ann_lee.html with Ann_Lee, ann_lee" in problems[3]


def test_submission_digest_follows_the_solution_cells_only():
    source = nbformat.read(SOURCES / f"{redteam.KAPPA}.ipynb", as_version=4)
    submitted = nbformat.read(SOURCES / f"{redteam.KAPPA}.ipynb", as_version=4)
    first = batch.submission_digest(source, nbformat.writes(submitted))
    for cell in submitted.cells:
        if cell.cell_type == "code":
            cell.outputs = [nbformat.v4.new_output("stream", text="noise")]
            if not cell.metadata.get("nbgrader", {}).get("solution"):
                cell.source += "\n# an instructor cell edited: never run from the submission"
    assert batch.submission_digest(source, nbformat.writes(submitted)) == first
    next(c for c in submitted.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "answer-kappa").source += " "
    assert batch.submission_digest(source, nbformat.writes(submitted)) != first
    assert batch.submission_digest(source, None) == batch.submission_digest(source, '{"cells": [') != first


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

    from workbook_grader import stubs
    from utils.checks import _deny

    denied = _deny.denied_names()
    assert {"utils.mlp.backward", "utils.threshold.SQUARE_W0", "utils.checks.conditioning._kappa_judge",
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
        ours = [v for v in vars(cls).values() if inspect.isfunction(v) and v.__code__.co_filename.startswith(sys.argv[2])]
        out[dotted] = [call(v) for v in ours] or ["no methods"]  # (not a NamedTuple's generated methods)
print(json.dumps(out))
"""
    done = subprocess.run([sys.executable, "-I", "-c", probe, json.dumps(denied), root], capture_output=True, text=True,
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


@pytest.mark.parametrize("line", ["LOW = HIGH = 1\n", "LOW, HIGH = 1, 2\n", "[LOW, (HIGH, MID)] = 1, (2, 3)\n"])
def test_a_denied_constant_assigned_with_others_is_refused_by_name(tmp_path, line):
    """The stub copy removes a denied constant's assignment: one that binds others too cannot be removed alone, so
    building the copy stops and names it (utils itself has none: test_every_denied_name_raises_in_the_sandbox_copy)."""
    from workbook_grader import stubs

    path = tmp_path / "probe.py"
    path.write_text("import math\n" + line)
    with pytest.raises(LookupError, match=r"^probe\.py: constant LOW is assigned together with others$"):
        stubs._stub_module(path, {"LOW": ("constant", "utils.probe.LOW")})
    assert path.read_text() == "import math\n" + line


def test_a_fork_server_that_cannot_start_leaves_no_folder(tmp_path, monkeypatch):
    """A stub copy that cannot be built (or a fork server that does not start) raises, and its folder is removed."""
    import tempfile

    from workbook_grader import stubs, worker

    def broken(*args):
        raise LookupError("gradcheck.py: no definition of ['AGREE'] to stub")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(worker, "_ZYGOTE", None)
    monkeypatch.setattr(stubs, "build", broken)
    with pytest.raises(LookupError, match="no definition of"):
        worker.zygote()
    assert list(tmp_path.iterdir()) == []


def refusing(real):
    """A libc like `real` whose unshare() fails with EPERM, as in a container that refuses namespaces."""
    import ctypes

    class Refusing:
        def __getattr__(self, name):
            return getattr(real, name)

        def unshare(self, flags):
            ctypes.set_errno(1)  # EPERM
            return -1
    return Refusing


def test_isolation_degrades_and_says_so_where_unshare_is_refused(tmp_path):
    """Where the kernel refuses namespaces (no root, Docker's default seccomp), `isolate` still applies the
    resource limits (and, as root, a user id of its own) and returns what it could not do, for the log."""
    import resource

    from workbook_grader import isolation

    Refusing = refusing(isolation._libc)

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
    assert report["missing"][1] == ("no bound on what a sandbox writes in total, only 1 MiB per file (its tmpfs "
                                    "needs a mount namespace)")
    assert report["cwd"] == str(tmp_path) and report["fsize"] == 2 ** 20
    if os.geteuid() == 0:
        assert report["uid"] == isolation.sandbox_user(pid) and len(report["missing"]) == 2
    else:
        assert "runs as the grader's own user" in report["missing"][2]


def test_whole_sandbox_protections_say_what_is_missing_where_refused(tmp_path, monkeypatch):
    """Without PID or IPC namespaces or control groups (no root, a container's seccomp, no cgroup file system),
    each protection that is missing is named, for the log; as root here, all three are available."""
    from workbook_grader import isolation

    Refusing = refusing(isolation._libc)

    if os.geteuid() == 0:  # the real thing first: what grading used on this machine
        cgroups = isolation.Cgroups()
        try:
            assert isolation.PidNamespace().missing == [] and cgroups.missing == [] and cgroups.version in (1, 2)
        finally:
            cgroups.close()
        assert not os.path.exists(cgroups.folders.get("memory", "/nonexistent"))
    monkeypatch.setattr(isolation, "_libc", Refusing())
    assert isolation.PidNamespace().missing[0].startswith("no PID namespace (unshare: Operation not permitted: needs")
    assert isolation.enter_ipc_namespace()[0].startswith("no IPC namespace (unshare: Operation not permitted: needs")
    missing = isolation.Cgroups(root=str(tmp_path)).missing
    assert missing and missing[0].startswith("no control group (")
    assert "apply per process, not to the sandbox" in missing[0]
