"""A class: find the submissions, derive the secret seeds, hand one job per notebook to an Executor."""
import concurrent.futures
import hashlib
import json
import multiprocessing
import os
import secrets
import sys
from contextlib import contextmanager
from pathlib import Path

import nbformat

from workbook_grader.worker import Limits, grade_cells, grade_job, in_cell_order, plan

DEFAULT_SOURCE = Path(__file__).resolve().parent.parent / "notebooks"


def read_secret(path, create=True):
    """The course secret (bytes) from `path`; made (random, mode 0600) when missing and `create` is true."""
    path = Path(path)
    if not path.exists():
        if not create:
            raise FileNotFoundError(f"secret file {path} does not exist")
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32) + "\n")
        print(f"grader: wrote a new course secret to {path}; keep it to grade again with the same test cases",
              file=sys.stderr)
    return path.read_bytes().strip()


def seed_for(secret, student, assignment, grade_id, submission):
    """A 32-bit seed from the course secret, fixed per (student, exercise, submitted work), so re-grading the
    same submission grades alike; different across students, so answers cannot be shared, and across any change
    to the submission (`submission`: its digest, see submission_digest), so a table of answers to the cases an
    earlier round's feedback showed misses the next round's cases."""
    digest = hashlib.sha256(b"\0".join([secret, student.encode("utf-8", "surrogatepass"), assignment.encode(
        "utf-8", "surrogatepass"), grade_id.encode(), submission.encode()]))
    return int.from_bytes(digest.digest()[:4], "big")


def submission_digest(source_nb, submission):
    """SHA-256 (hex) of every solution cell of `submission` (JSON text, or None) that grading runs, by grade_id
    in the source notebook's order: the part of the submission its grade depends on."""
    submitted_nb = None
    try:
        if submission:
            submitted_nb = nbformat.reads(submission, as_version=4)
    except Exception:  # noqa: BLE001 - a damaged notebook is graded as empty: its digest is that of no cells
        pass
    cells, _, _, _, _ = plan(source_nb, submitted_nb)
    h = hashlib.sha256()
    for cell in cells:
        if cell.solution:
            for part in (cell.label, cell.source):
                data = str(part).encode("utf-8", "surrogatepass")
                h.update(len(data).to_bytes(8, "big") + data)  # length-prefixed: no two cell lists hash alike
    return h.hexdigest()


def source_notebooks(source, assignment):
    """The source notebooks of `assignment`: SOURCE/ASSIGNMENT/*.ipynb (nbgrader's layout) or SOURCE/*.ipynb."""
    source = Path(source)
    folder = source / assignment if (source / assignment).is_dir() else source
    return sorted(p for p in folder.glob("*.ipynb") if not p.name.startswith("."))


def discover(submissions, source):
    """Jobs (without seeds) for submitted/STUDENT/ASSIGNMENT/*.ipynb: one per source notebook of each
    assignment a student submitted (an absent notebook is graded as empty)."""
    submissions = Path(submissions)
    if not submissions.is_dir():
        raise NotADirectoryError(f"SUBMISSIONS must be a folder laid out as STUDENT/ASSIGNMENT/*.ipynb; got {submissions}")
    jobs = []
    for student_dir in sorted(p for p in submissions.iterdir() if p.is_dir() and not p.name.startswith(".")):
        for assignment_dir in sorted(p for p in student_dir.iterdir() if p.is_dir() and not p.name.startswith(".")):
            sources = source_notebooks(source, assignment_dir.name)
            if not sources:
                raise FileNotFoundError(f"no source notebooks for assignment {assignment_dir.name!r} in {source}")
            for src in sources:
                submitted = assignment_dir / src.name
                jobs.append({"student": student_dir.name, "assignment": assignment_dir.name, "notebook": src.stem,
                             "submission": submitted.read_text(errors="replace") if submitted.is_file() else None,
                             "source": src.read_text()})
    return jobs


def attach_seeds(jobs, secret):
    for job in jobs:
        source_nb = nbformat.reads(job["source"], as_version=4)
        _, graded, _, _, _ = plan(source_nb, None)
        submission = submission_digest(source_nb, job["submission"])
        job["seeds"] = {gid: seed_for(secret, job["student"], job["assignment"], gid, submission)
                        for gid, _, _ in graded}
    return jobs


@contextmanager
def executor(workers=None, dask=None):
    """A concurrent.futures.Executor: a process pool of `workers` (default: one per core), or, with `dask`
    ("local", "local:N" for a LocalCluster on 127.0.0.1, or a scheduler address), a Dask cluster's."""
    if not dask:
        ctx = multiprocessing.get_context("spawn")  # fresh workers: no threads or state copied from this process
        with concurrent.futures.ProcessPoolExecutor(max_workers=workers or os.cpu_count(), mp_context=ctx) as pool:
            yield pool
        return
    from distributed import Client, LocalCluster

    if dask == "local" or dask.startswith("local:"):
        n = int(dask.split(":", 1)[1]) if ":" in dask else (workers or os.cpu_count())
        with LocalCluster(n_workers=n, threads_per_worker=1, processes=True, host="127.0.0.1",
                          dashboard_address=None) as cluster, Client(cluster) as client:
            yield client.get_executor(pure=False)
    else:
        with Client(dask) as client:
            yield client.get_executor(pure=False)


def _failed(job, exc):
    """The result of a job whose grading itself failed: every exercise 0, and the error in the log."""
    source_nb = nbformat.reads(job["source"], as_version=4)
    _, graded, unregistered, manual, _ = plan(source_nb, None)
    text = f"grading failed: {type(exc).__name__}: {exc}"
    exercises = [{"grade_id": gid, "points": 0.0, "max_points": pts, "status": "error", "message": text}
                 for gid, pts, _ in graded]
    exercises += [{"grade_id": u["grade_id"], "points": 0.0, "max_points": u["points"], "status": "ungradable",
                   "message": "not gradable safely"} for u in unregistered]
    return {**{k: job[k] for k in ("student", "assignment", "notebook")}, "manual": manual,
            "grade_cells": grade_cells(source_nb),
            "exercises": in_cell_order(source_nb, exercises),
            "events": [{"kind": "error", "text": text}], "instructor_errors": [], "runs": 0, "maxrss_kb": 0,
            "seconds": 0.0}


def grade_all(jobs, limits=Limits(), workers=None, dask=None, progress=True):
    """Grade every job on an executor; returns the results in the jobs' order. One job failing (even the
    worker process dying) costs only that notebook's points, said in its events."""
    from dataclasses import asdict

    for job in jobs:
        job["limits"] = asdict(limits)
    results = [None] * len(jobs)
    with executor(workers, dask) as pool:
        futures = {pool.submit(grade_job, job): i for i, job in enumerate(jobs)}
        bar = _progress(len(jobs), progress)
        for future in concurrent.futures.as_completed(futures):
            i = futures[future]
            try:
                results[i] = future.result()
            except Exception as exc:  # noqa: BLE001 - a broken worker must not lose the class's grades
                results[i] = _failed(jobs[i], exc)
            bar.update(1)
        bar.close()
    return results


def _progress(total, enabled):
    from tqdm import tqdm

    return tqdm(total=total, desc="grading", unit="notebook", file=sys.stderr, disable=not enabled)


def dump_results(results, path):
    Path(path).write_text(json.dumps(results, indent=1, ensure_ascii=False, sort_keys=True))
