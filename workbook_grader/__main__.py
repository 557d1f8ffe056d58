"""python -m workbook_grader SUBMISSIONS [--out DIR] ...: grade a class (see docs/grading.md)."""
import argparse
import sys
import time
from pathlib import Path

from workbook_grader import batch, report
from workbook_grader.worker import BUDGET, GIB, Limits


def parse_args(argv):
    p = argparse.ArgumentParser(prog="python -m workbook_grader", description=__doc__)
    p.add_argument("submissions", type=Path, help="folder laid out as STUDENT/ASSIGNMENT/*.ipynb (nbgrader's submitted/)")
    p.add_argument("--source", type=Path, default=batch.DEFAULT_SOURCE,
                   help="instructor notebooks: SOURCE/ASSIGNMENT/*.ipynb or SOURCE/*.ipynb (default: %(default)s)")
    p.add_argument("--out", type=Path, default=Path("grading-report"), help="output folder (default: %(default)s)")
    p.add_argument("--secret-file", type=Path, default=None,
                   help="course secret the test cases are drawn from (default: SUBMISSIONS/../.grader-secret, made if missing)")
    p.add_argument("--time-limit", type=float, default=60.0,
                   help=f"seconds per notebook run and per exercise call, at most {BUDGET} times that per notebook "
                        "over all its re-runs (default: 60)")
    p.add_argument("--memory-limit", type=float, default=2.0,
                   help="GiB per sandbox, all its processes together, beyond the preloaded libraries (default: 2)")
    p.add_argument("--workers", type=int, default=None, help="parallel workers (default: one per core)")
    p.add_argument("--dask", default=None, help="grade on Dask: 'local', 'local:N' (a LocalCluster on 127.0.0.1) or a scheduler address")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    args = p.parse_args(argv)
    for name in ("time_limit", "memory_limit"):
        if getattr(args, name) <= 0:
            p.error(f"--{name.replace('_', '-')} must be positive; got {getattr(args, name)}")
    if args.workers is not None and args.workers < 1:
        p.error(f"--workers must be at least 1; got {args.workers}")
    return args


def main(argv=None):
    args = parse_args(argv)
    secret = batch.read_secret(args.secret_file or args.submissions.resolve().parent / ".grader-secret")
    jobs = batch.attach_seeds(batch.discover(args.submissions, args.source), secret)
    started = time.perf_counter()
    results = batch.grade_all(jobs, Limits(time=args.time_limit, memory=int(args.memory_limit * GIB)),
                              workers=args.workers, dask=args.dask, progress=not args.no_progress)
    report.write_all(results, args.out)
    batch.dump_results(results, args.out / "results.json")
    students = len({r["student"] for r in results})
    print(f"graded {len(results)} notebooks of {students} students in {time.perf_counter() - started:.1f} s; "
          f"wrote {args.out}/grades.csv, scores.png, feedback/, grading.log", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
