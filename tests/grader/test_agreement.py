"""Feedback and grade agree: every red-team and mistake submission, run as a notebook would run it (its import cell,
its solution cells and its grade cells, in order, in one namespace), fails its checks exactly where the grader gives
it 0, with the same message; and the correct submission passes every check in both."""
import multiprocessing
import resource
import shutil
import traceback
from pathlib import Path

import nbformat
import pytest

import redteam
from utils.checks import EXERCISES, _deny

SOURCES = Path(__file__).resolve().parents[2] / "notebooks"
pytestmark = pytest.mark.slow  # forks a kernel-like process per submission
TIMEOUT = 120  # seconds for one notebook's run (a bound for a loaded machine, not a speed target)

# Where the notebook's check is fooled by design: it runs in the student's own kernel, which they may patch (the
# check, its judge or its runner). The grade is the grader's.
FOOLED_IN_THE_NOTEBOOK = {
    "patch-check": "replaces the check in the kernel's namespace",
    "patch-sys-modules": "replaces the checks' runner and judge helper in the kernel",
}
# Attacks on the machine, not on the answer (files, network, the process, its memory and time): only the grader's
# sandbox can contain them, so they are never run here.
SANDBOX_ONLY = {"write-files", "network", "os-exit", "sys-exit", "kill-9", "memory-cell", "memory-function",
                "loop-cell", "loop-function"}


def _cells(stem, replacements):
    """[(kind, grade_id, source)] of notebook `stem`: its first code cell (the imports), every solution cell
    (replaced by grade_id) and every grade cell, in order."""
    nb = nbformat.read(SOURCES / f"{stem}.ipynb", as_version=4)
    cells, first = [], True
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution"):
            cells.append(("solution", meta["grade_id"], replacements.get(meta["grade_id"], cell.source)))
        elif meta.get("grade"):
            cells.append(("grade", meta["grade_id"], cell.source))
        elif first:
            cells.append(("import", None, cell.source))
        first = False
    return cells


def _run(cells, pipe):
    """In a forked child: run the cells as a kernel would (a failing cell does not stop the next); send
    {grade_id: "✓ ..." or the error} for every grade cell."""
    import contextlib
    import io

    resource.setrlimit(resource.RLIMIT_AS, (8 * 2 ** 30, 8 * 2 ** 30))
    namespace, verdicts = {"__name__": "__main__"}, {}
    for kind, gid, source in cells:
        out = io.StringIO()
        try:
            with contextlib.redirect_stdout(out):
                exec(compile(source, f"<{kind} {gid}>", "exec"), namespace)
            if kind == "grade":
                verdicts[gid] = out.getvalue().strip() or "passed silently"
        except BaseException as exc:  # noqa: BLE001 - SystemExit from a cell is that cell's error
            if kind == "grade":
                verdicts[gid] = f"{type(exc).__name__}: {exc}"
            elif isinstance(exc, (KeyboardInterrupt,)):
                traceback.print_exc()
    pipe.send(verdicts)


def notebook_verdicts(entry, course, port=9):
    """{grade_id: "✓ ..." | error text | "no verdict (...)"} of every grade cell of the notebooks `entry` touches."""
    context = multiprocessing.get_context("fork")
    verdicts = {}
    for stem, replacements in entry.items():
        cells = _cells(stem, {gid: src.format(course=str(course), port=port) for gid, src in replacements.items()})
        ours, theirs = context.Pipe(duplex=False)
        child = context.Process(target=_run, args=(cells, theirs))
        child.start()
        got = ours.recv() if ours.poll(TIMEOUT) else None
        child.kill()
        child.join()
        if got is None:
            got = {gid: f"no verdict (the kernel {'died' if child.exitcode not in (None, -9) else 'hung'})"
                   for kind, gid, _ in cells if kind == "grade"}
        verdicts.update(got)
    return verdicts


@pytest.fixture(scope="module", autouse=True)
def loaded_before_forking():
    """What every child needs, loaded once here and inherited: the notebooks' imports and the denied names."""
    import ipywidgets  # noqa: F401
    import matplotlib.pyplot  # noqa: F401
    import torch  # noqa: F401

    _deny.denied_names()


def test_correct_submission_passes_every_check_in_the_notebook(tmp_path):
    entry = {path.stem: {} for path in sorted(SOURCES.glob("*.ipynb"))}
    verdicts = notebook_verdicts(entry, tmp_path)
    assert set(verdicts) >= set(EXERCISES)
    for gid in EXERCISES:
        assert verdicts[gid].startswith("✓"), (gid, verdicts[gid])


@pytest.mark.parametrize("student", sorted(set(redteam.RED_TEAM) - SANDBOX_ONLY | set(redteam.MISTAKES)))
def test_notebook_check_fails_where_the_grader_gives_0(student, tmp_path):
    entry, expected = dict(redteam.RED_TEAM, **redteam.MISTAKES)[student]
    shutil.copytree(SOURCES.parent / "utils", tmp_path / "utils", ignore=shutil.ignore_patterns("__pycache__"))
    verdicts = notebook_verdicts(entry, tmp_path)  # the decoy course folder a hostile cell aims at: a copy
    for gid, (points, text) in expected.items():
        if gid not in EXERCISES:
            continue
        passed = verdicts[gid].startswith("✓") or verdicts[gid] == "passed silently"
        if student in FOOLED_IN_THE_NOTEBOOK:
            assert passed, (gid, verdicts[gid])  # the list stays exact: an entry that no longer fools it leaves
            continue
        assert passed == (points == "full"), (gid, verdicts[gid])
        if "uses the reference implementation" in text:
            assert text in verdicts[gid], (gid, verdicts[gid])
