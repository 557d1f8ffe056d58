"""Benchmarks of the workbook: figures, not pass/fail (`make bench`).

1. notebooks: wall time of each notebook in a fresh kernel against a floor notebook that
   only imports what the workbook imports (medians of three rounds);
2. sliders: the function a slider move calls, including the Agg redraw, over the slider's range;
   and the import time of utils;
3. backprop: numpy backward pass vs torch.autograd, batch 1 .. 65536, float64 and float32;
4. grading: a synthetic class (correct, blank, typical mistakes, the red-team set; all four notebooks each)
   graded by workbook_grader.batch with 1 and 2 workers, each notebook's grading against a bare nbclient execution.

Prints a table and writes benchmarks/results.json and docs/performance.md, the page made from it (`performance_page`).
Usage: python benchmarks/run.py [--parts notebooks,sliders,backprop,grading] [--page-only]
"""
import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results.json"
PAGE = ROOT / "docs" / "performance.md"
FLOOR_SOURCE = "import numpy, torch, matplotlib.pyplot, ipywidgets, utils"


def paired_medians(fns, repeat, warmup=2):
    """For each function: (median seconds, minor page faults per call), measured in alternation.

    Alternating gives every function the same allocator state. That state matters at large batches:
    glibc hands freed pages back to the system unless an earlier, larger allocation raised its trim
    threshold, and touching fresh pages again can cost as much as the arithmetic (see
    numpy_float64_before_torch_ran in the results).
    """
    for _ in range(warmup):
        for fn in fns:
            fn()
    times, faults = [[] for _ in fns], [0] * len(fns)
    for _ in range(repeat):
        for i, fn in enumerate(fns):
            before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
            t0 = time.perf_counter()
            fn()
            times[i].append(time.perf_counter() - t0)
            faults[i] += resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before
    return [(statistics.median(t), f / repeat) for t, f in zip(times, faults)]


def bench_notebooks():
    import nbformat
    from nbclient import NotebookClient

    def run(nb, cwd):
        t0 = time.perf_counter()
        NotebookClient(nb, timeout=60, kernel_name="python3", resources={"metadata": {"path": str(cwd)}}).execute()
        return time.perf_counter() - t0

    floor_nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(FLOOR_SOURCE)])
    paths = sorted((ROOT / "notebooks").glob("*.ipynb"))
    # Rounds of the floor and every notebook, medians over the rounds: a single run drifts by 20-30 % here.
    times = {"floor": [], **{path.name: [] for path in paths}}
    for _ in range(3):
        times["floor"].append(run(nbformat.from_dict(floor_nb), ROOT))
        for path in paths:
            times[path.name].append(run(nbformat.read(path, as_version=4), path.parent))
    floor = statistics.median(times["floor"])
    rows = []
    for path in paths:
        seconds = statistics.median(times[path.name])
        rows.append({"notebook": path.name, "seconds": round(seconds, 2), "ratio_to_floor": round(seconds / floor, 2)})
    total = sum(r["seconds"] for r in rows)
    return {"floor_seconds": round(floor, 2), "notebooks": rows, "total_seconds": round(total, 2)}


def slider_cases():
    """For each widget: (name, the function one slider move calls, positions across the slider's range).

    These are the render methods the notebooks wire to their sliders: compute the state, redraw, encode PNG.
    """
    import matplotlib

    matplotlib.use("Agg")
    import numpy as np
    from utils import conditioning, tanhnet, threshold

    t = np.linspace(0, 1, 24)
    return [
        ("01 half-plane (w1, w2, b)", threshold.HalfplaneView().render,
         [(3 * np.cos(6 * s), 3 * np.sin(6 * s), -3 + 6 * s) for s in t]),
        ("02 saturation (x1, x2, scale)", tanhnet.SaturationView().render,
         [(-2 + 4 * s, 2 - 4 * s, 0.1 * 100 ** s) for s in t]),
        ("03 conditioning (mu1, mu2, sigma, step, centre)", conditioning.ConditioningView().render,
         [(-2 + 4 * s, 2 * np.sin(5 * s), 0.3 + 2.7 * (1 - s), 0.05 + 1.05 * s, bool(i % 5 == 0)) for i, s in enumerate(t)]),
    ]


def bench_sliders():
    rows = []
    for name, fn, positions in slider_cases():
        fn(*positions[0])  # warm-up
        times = []
        for args in positions:
            t0 = time.perf_counter()
            fn(*args)
            times.append(time.perf_counter() - t0)
        rows.append({"widget": name, "moves": len(times), "median_ms": round(1000 * statistics.median(times), 1),
                     "worst_ms": round(1000 * max(times), 1)})
    code = ("import time, numpy, matplotlib.pyplot; t = time.perf_counter(); import utils, utils.threshold, "
            "utils.tanhnet, utils.conditioning, utils.mlp, utils.checks; import sys; "
            "print(time.perf_counter() - t, 'torch' in sys.modules)")
    outs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
            for _ in range(5)]
    import_s = statistics.median(float(o[0]) for o in outs)
    return {"widgets": rows, "utils_import_seconds": round(import_s, 3), "torch_imported_by_utils": outs[0][1] == "True"}


def bench_backprop(batches=(1, 16, 256, 4096, 65536)):
    import torch

    from utils import mlp

    # Before any torch operation has run: the allocator state a first numpy call meets.
    largest = mlp.random_network((4, 6, 6, 6, 1), batches[-1], seed=1)
    [(t_first, faults_first)] = paired_medians([lambda: mlp.backward_unchecked(*largest)], 20)
    first = {"batch": batches[-1], "numpy_us": round(1e6 * t_first, 1), "numpy_page_faults": round(faults_first)}
    rows = []
    for dtype in ("float64", "float32"):
        for n in batches:
            X, T, W, B = mlp.random_network((4, 6, 6, 6, 1), n, seed=n)
            X, T = X.astype(dtype), T.astype(dtype)
            W, B = [w.astype(dtype) for w in W], [b.astype(dtype) for b in B]

            def numpy_pass():  # mlp.backward without its float64 validation copies, so float32 stays float32
                return mlp.backward_unchecked(X, T, W, B)

            tX, tT = torch.from_numpy(X), torch.from_numpy(T)
            tW = [torch.nn.Parameter(torch.from_numpy(w)) for w in W]
            tB = [torch.nn.Parameter(torch.from_numpy(b)) for b in B]

            def torch_pass():
                for p in tW + tB:
                    p.grad = None
                mlp.error_torch(tX, tT, tW, tB).backward()

            repeat = 200 if n <= 4096 else 20
            (t_np, faults_np), (t_t, faults_t) = paired_medians([numpy_pass, torch_pass], repeat)
            rows.append({"dtype": dtype, "batch": n, "numpy_us": round(1e6 * t_np, 1), "torch_us": round(1e6 * t_t, 1),
                         "ratio_numpy_over_torch": round(t_np / t_t, 2),
                         "numpy_page_faults": round(faults_np), "torch_page_faults": round(faults_t)})
    tracemalloc.start()
    mlp.backward(*largest)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return {"backprop": rows, "numpy_peak_mb_largest_batch": round(peak / 2 ** 20, 1),
            "numpy_float64_before_torch_ran": first}


GRADING_TIME_LIMIT = 10  # seconds: the red-team's two infinite loops cost this much each, not the default 60
# CPU seconds per sandboxed notebook before the sandbox became one unit (issue 24: PID and IPC namespaces, control
# groups, a tmpfs, cells sent one at a time), as benchmarks/results.json recorded it at commit a63b208
CPU_BEFORE_WHOLE_SANDBOX = 0.33


def synthetic_class(submitted):
    """submitted/STUDENT/ps1/*.ipynb: 6 correct, 3 blank, the typical mistakes, the red-team set; every student
    hands in all four notebooks (those an entry does not touch keep their solutions)."""
    sys.path.insert(0, str(ROOT / "tests"))
    import redteam  # tests/redteam.py: the test fixtures, not part of the installed package

    sources = sorted((ROOT / "notebooks").glob("*.ipynb"))
    course = submitted.parent / "decoy-course"  # what hostile cells aim at
    (course / "utils").mkdir(parents=True)
    entries = {f"correct-{i}": {} for i in range(1, 7)}
    entries.update({name: entry for name, (entry, _) in {**redteam.RED_TEAM, **redteam.MISTAKES}.items()})
    for student, entry in entries.items():
        redteam.write_student(submitted, student, ROOT / "notebooks", entry, course)
        for path in sources:
            if path.stem not in entry:
                redteam.write_submission(path, submitted / student / "ps1" / path.name)
    for i in range(1, 4):
        for path in sources:
            redteam.write_submission(path, submitted / f"blank-{i}" / "ps1" / path.name, blanked=True)
    return sorted(entries) + [f"blank-{i}" for i in range(1, 4)]


def bench_grading():
    import tempfile

    import nbformat
    from nbclient import NotebookClient

    from workbook_grader import batch
    from workbook_grader.worker import Limits

    with tempfile.TemporaryDirectory() as tmp:
        submitted = Path(tmp) / "submitted"
        students = synthetic_class(submitted)
        secret = b"benchmark"
        runs = {}
        for workers in (1, 2):
            jobs = batch.attach_seeds(batch.discover(submitted, ROOT / "notebooks"), secret)
            cpu0 = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = time.perf_counter()
            results = batch.grade_all(jobs, Limits(time=GRADING_TIME_LIMIT), workers=workers, progress=False)
            cpu1 = resource.getrusage(resource.RUSAGE_CHILDREN)  # workers, fork servers, sandboxes: all reaped
            cpu = cpu1.ru_utime + cpu1.ru_stime - cpu0.ru_utime - cpu0.ru_stime
            runs[workers] = (time.perf_counter() - t0, results, cpu)
    wall1, wall2 = runs[1][0], runs[2][0]
    results = runs[1][1]
    n = len(results)
    per_notebook = []
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        t0 = time.perf_counter()
        NotebookClient(nbformat.read(path, as_version=4), timeout=60, kernel_name="python3",
                       resources={"metadata": {"path": str(path.parent)}}).execute()
        bare = time.perf_counter() - t0
        graded = statistics.median(r["seconds"] for r in runs[2][1]
                                   if r["notebook"] == path.stem and r["student"].startswith("correct-"))
        per_notebook.append({"notebook": path.name, "nbclient_seconds": round(bare, 2),
                             "grading_seconds": round(graded, 2), "ratio": round(graded / bare, 2)})
    both = runs[1][1] + runs[2][1]
    per_student_2 = wall2 / len(students)
    # CPU seconds of every process involved (start-up included; robust to load) per notebook that ran a sandbox
    # (a notebook without a registered exercise needs none): every notebook will need one once all are registered
    sandboxed = sum(1 for r in runs[2][1] if r["runs"])
    cpu_per_notebook = runs[2][2] / sandboxed
    return {"grading": {
        "students": len(students), "notebooks": n, "time_limit_seconds": GRADING_TIME_LIMIT,
        "wall_seconds_1_worker": round(wall1, 1), "wall_seconds_2_workers": round(wall2, 1),
        "speedup_2_workers": round(wall1 / wall2, 2),
        "seconds_per_notebook_1_worker": round(wall1 / n, 2), "seconds_per_notebook_2_workers": round(wall2 / n, 2),
        "seconds_per_student_2_workers": round(per_student_2, 2),
        "notebooks_sandboxed": sandboxed,
        "cpu_seconds_per_sandboxed_notebook": {"1_worker": round(runs[1][2] / sandboxed, 2),
                                               "2_workers": round(runs[2][2] / sandboxed, 2)},
        "cpu_ratio_to_before_whole_sandbox": {  # target: within 1.2
            "1_worker": round(runs[1][2] / sandboxed / CPU_BEFORE_WHOLE_SANDBOX, 2),
            "2_workers": round(runs[2][2] / sandboxed / CPU_BEFORE_WHOLE_SANDBOX, 2)},
        "per_notebook_vs_nbclient": per_notebook,
        "peak_mb": {"sandbox": round(max(r["maxrss_kb"] for r in both) / 1024),
                    "sandbox_control_group": round(max(r.get("sandbox_peak_kb", 0) for r in both) / 1024),
                    "fork_server": round(max(r.get("zygote_maxrss_kb", 0) for r in both) / 1024),
                    "worker": round(max(r.get("worker_maxrss_kb", 0) for r in both) / 1024)},
        "projection_500_students_minutes": {  # 4 sandboxed notebooks each, CPU time spread over the cores
            "2_cores": round(500 * 4 * cpu_per_notebook / 2 / 60, 1),
            "64_cores": round(500 * 4 * cpu_per_notebook / 64 / 60, 1)},
        "limit_hits": sum(e["kind"] == "limit" for r in runs[2][1] for e in r["events"]),
    }}


def machine():
    import matplotlib
    import numpy
    import torch

    return {"cores": os.cpu_count(), "python": platform.python_version(), "numpy": numpy.__version__,
            "torch": torch.__version__, "matplotlib": matplotlib.__version__, "torch_threads": torch.get_num_threads()}


PAGE_INTRO = """\
<!-- Written by benchmarks/run.py from benchmarks/results.json: do not edit. `make bench` measures and rewrites
both; `python benchmarks/run.py --page-only` rewrites this page from the stored results. -->
# Performance

`make bench` (about 3 minutes, half of it grading a synthetic class twice) measures the figures below, prints
them, and writes `benchmarks/results.json` and this page; the notebooks do not read them. The speed of a shared
2-core machine drifts by up to 2-3x over an hour: ratios, measured in one run, are steadier than absolute times.
"""

PAGE_NOTES = """\
## How the figures are kept honest and fast

* **Widgets redraw only what changes.** Each widget's figure is made once (`threshold.HalfplaneView`,
  `tanhnet.SaturationView`, `conditioning.ConditioningView`, all on `style.LiveFigure`): axes, ticks and titles are
  drawn once into a saved background, a slider move redraws only its shading, curves and labels on top, and legends
  are pasted over them as pixels. Text is what is slow to draw here (about 1 ms per label).
  `tests/workbook/test_views.py` checks that every frame equals a fresh drawing of the same position, pixel for pixel.
* **numpy and autograd are timed in alternation**, so both meet the same memory-allocator state. Until something
  larger has been freed in the process, glibc returns a large pass's temporaries to the system after every call and
  the next call faults them in again (the last line of the table above).
* Notebook 03 is the slowest to execute: its heavy-ball sweep over 15 values of κ and its per-eigendirection figure.

The time of `make test` is on the [contributing page](contributing.md#running-the-tests), the mutation score on
[mutation testing](mutation-testing.md#current-score).
"""


def _span(values, unit=""):
    """'lo-hi unit' of a list of numbers, or the one value when all are equal."""
    lo, hi = min(values), max(values)
    return (f"{lo}" if lo == hi else f"{lo}-{hi}") + unit


def performance_rows(results):
    """The page's table from a results.json dict: [(what, measured, target, met)], met a bool or None (no target).

    Each target is checked here against the measured values, so the page says which ones hold.
    """
    rows = []
    ne = results["notebook_execution"]
    rows.append((f"notebook execution in a fresh kernel (medians of 3 rounds; floor: a notebook that only imports numpy, "
                 f"torch, matplotlib, ipywidgets, utils: {ne['floor_seconds']} s)",
                 ", ".join(f"{r['notebook'][:2]}: {r['seconds']} s ({r['ratio_to_floor']:.2f}x)"
                           for r in ne["notebooks"]),
                 "≤ 2x floor", all(r["ratio_to_floor"] <= 2 for r in ne["notebooks"])))
    sl = results["sliders"]
    widgets = sl["widgets"]
    rows.append((f"one slider move: state, redraw, PNG (median / worst of {_span([w['moves'] for w in widgets])} "
                 f"moves over the slider's range)",
                 ", ".join(f"{w['widget'].split(' (')[0]} {w['median_ms']} / {w['worst_ms']} ms" for w in widgets),
                 "median < 50, worst < 100 ms", all(w["median_ms"] < 50 and w["worst_ms"] < 100 for w in widgets)))
    rows.append(("`import utils` beyond numpy + matplotlib",
                 f"{sl['utils_import_seconds']} s, torch {'' if sl['torch_imported_by_utils'] else 'not '}imported",
                 "< 0.3 s, torch not imported",
                 sl["utils_import_seconds"] < 0.3 and not sl["torch_imported_by_utils"]))
    g = results["grading"]
    per = g["per_notebook_vs_nbclient"]
    cpu = g["cpu_seconds_per_sandboxed_notebook"]
    peak = g["peak_mb"]
    projection = g["projection_500_students_minutes"]
    rows.append((f"grading a synthetic class (`python -m workbook_grader`: {g['students']} students, {g['notebooks']} "
                 f"notebooks: correct, blank, typical mistakes, red team; time limit {g['time_limit_seconds']} s)",
                 f"1 worker {g['wall_seconds_1_worker']} s, 2 workers {g['wall_seconds_2_workers']} s "
                 f"({g['speedup_2_workers']}x); a graded notebook {_span([r['grading_seconds'] for r in per], ' s')} "
                 f"vs {_span([r['nbclient_seconds'] for r in per], ' s')} for the same notebook in a fresh nbclient "
                 f"kernel ({_span([r['ratio'] for r in per], 'x')}); {cpu['1_worker']} / {cpu['2_workers']} CPU "
                 f"seconds per notebook on 1 / 2 workers, start-up included; peak memory: sandbox {peak['sandbox']} MB "
                 f"(mostly pages shared with its fork server, {peak['fork_server']} MB), worker {peak['worker']} MB; "
                 f"500 students "
                 f"(4 notebooks each): {projection['2_cores']} min on 2 cores, {projection['64_cores']} min on 64",
                 "2 workers ≥ 1.7x; graded ≤ 1.3x nbclient",
                 g["speedup_2_workers"] >= 1.7 and all(r["ratio"] <= 1.3 for r in per)))
    for dtype, target, met in (("float64", "≤ 1 up to 256, ≤ 1.5 at 65 536",
                                lambda r: r["ratio_numpy_over_torch"] <= (1 if r["batch"] <= 256 else 1.5)),
                               ("float32", "", None)):
        passes = [r for r in results["backprop"] if r["dtype"] == dtype]
        rows.append((f"numpy backward pass / torch.autograd, {dtype}",
                     ", ".join(f"batch {r['batch']}: {r['ratio_numpy_over_torch']:.2f}" for r in passes),
                     target, None if met is None else all(met(r) for r in passes)))
    first = results["numpy_float64_before_torch_ran"]
    paired = next(r for r in results["backprop"] if r["dtype"] == "float64" and r["batch"] == first["batch"])
    rows.append((f"numpy float64 at batch {first['batch']} before torch ran in the process, against the same in "
                 f"alternation (µs and page faults per call; the pass's peak memory "
                 f"{results['numpy_peak_mb_largest_batch']} MB)",
                 f"{first['numpy_us']} µs, {first['numpy_page_faults']} faults vs {paired['numpy_us']} µs, "
                 f"{paired['numpy_page_faults']} faults ({first['numpy_us'] / paired['numpy_us']:.2f}x)", "", None))
    return rows


def performance_page(results):
    """docs/performance.md from a results.json dict: intro, the machine, the table, the notes."""
    m = results["machine"]
    lines = [PAGE_INTRO,
             f"Measured on {m['cores']} cores, Python {m['python']}, numpy {m['numpy']}, torch {m['torch']}, "
             f"matplotlib {m['matplotlib']}.\n",
             "| what | measured | target | met |", "|---|---|---|---|"]
    for what, measured, target, met in performance_rows(results):
        lines.append(f"| {what} | {measured} | {target} | {'' if met is None else 'yes' if met else 'no'} |")
    return "\n".join(lines) + "\n\n" + PAGE_NOTES


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--parts", default="notebooks,sliders,backprop,grading")
    parser.add_argument("--out", default=str(RESULTS))
    parser.add_argument("--page", default=str(PAGE), help="the page written from the results (default: %(default)s)")
    parser.add_argument("--page-only", action="store_true", help="measure nothing: rewrite the page from --out")
    args = parser.parse_args(argv)
    parts = args.parts.split(",")
    out, page = Path(args.out), Path(args.page)
    results = json.loads(out.read_text()) if out.exists() else {}
    if args.page_only:
        page.write_text(performance_page(results), encoding="utf-8")
        print(f"wrote {page}")
        return 0
    results["machine"] = machine()
    if "notebooks" in parts:
        results["notebook_execution"] = bench_notebooks()
    if "sliders" in parts:
        results["sliders"] = bench_sliders()
    if "backprop" in parts:
        results.update(bench_backprop())
    if "grading" in parts:
        results.update(bench_grading())
    print(f"machine: {results['machine']}")
    if "notebook_execution" in results:
        ne = results["notebook_execution"]
        print(f"\nnotebook execution (floor {ne['floor_seconds']} s, total {ne['total_seconds']} s)")
        for r in ne["notebooks"]:
            print(f"  {r['notebook']:36} {r['seconds']:7.2f} s  {r['ratio_to_floor']:5.2f} x floor")
    if "sliders" in results:
        sl = results["sliders"]
        print(f"\nsliders (utils import {sl['utils_import_seconds']} s beyond numpy+matplotlib; torch imported: {sl['torch_imported_by_utils']})")
        for r in sl["widgets"]:
            print(f"  {r['widget']:50} median {r['median_ms']:6.1f} ms  worst {r['worst_ms']:6.1f} ms  ({r['moves']} moves)")
    if "backprop" in results:
        print(f"\nbackprop, µs per forward+backward (numpy peak memory at the largest batch: {results['numpy_peak_mb_largest_batch']} MB)")
        first = results["numpy_float64_before_torch_ran"]
        print(f"  (numpy float64 N={first['batch']} before torch ran in this process: {first['numpy_us']:.1f} µs, "
              f"{first['numpy_page_faults']} page faults/call)")
        for r in results["backprop"]:
            print(f"  {r['dtype']} N={r['batch']:>6}  numpy {r['numpy_us']:10.1f}  torch {r['torch_us']:10.1f}  "
                  f"ratio {r['ratio_numpy_over_torch']:5.2f}  page faults/call {r['numpy_page_faults']:5} / "
                  f"{r['torch_page_faults']:5}")
    if "grading" in results:
        g = results["grading"]
        print(f"\ngrading {g['notebooks']} notebooks of {g['students']} students (time limit {g['time_limit_seconds']} s): "
              f"1 worker {g['wall_seconds_1_worker']} s, 2 workers {g['wall_seconds_2_workers']} s "
              f"({g['speedup_2_workers']}x); {g['seconds_per_notebook_2_workers']} s per notebook on 2 workers; "
              f"CPU seconds per sandboxed notebook {g['cpu_seconds_per_sandboxed_notebook']}, "
              f"{g['cpu_ratio_to_before_whole_sandbox']} x the {CPU_BEFORE_WHOLE_SANDBOX} s before the sandbox was one "
              "unit (targets: speed-up >= 1.7, CPU ratio <= 1.2)")
        for r in g["per_notebook_vs_nbclient"]:
            print(f"  {r['notebook']:36} graded {r['grading_seconds']:6.2f} s  nbclient {r['nbclient_seconds']:6.2f} s  "
                  f"ratio {r['ratio']:5.2f}")
        print(f"  peak memory (MB): {g['peak_mb']}; 500 students: {g['projection_500_students_minutes']} minutes")
    out.write_text(json.dumps(results, indent=1) + "\n")
    print(f"\nwrote {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")
    if all(key in results for key in ("notebook_execution", "sliders", "backprop", "grading")):
        page.write_text(performance_page(results), encoding="utf-8")
        print(f"wrote {page.relative_to(ROOT) if page.is_relative_to(ROOT) else page}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
