"""`make mutate`: mutation testing of utils/ with the unit tests (mutmut 3), then the score.

Runs `mutmut run` afresh (mutants/ is rebuilt) on the functions matched by the globs below (or those given on
the command line, e.g. `python scripts/mutate.py 'utils.threshold.*'`), at low priority on at most 2 workers.
mutmut runs each mutant only against the tests that called its function during a first, recorded run.
Prints the score, killed / (mutants - excluded - equivalent), and every surviving mutant's diff.
Timeouts count as killed: the mutant made the tests run forever (or made hypothesis shrink a failure),
so the suite does not pass.
"""
import argparse
import fnmatch
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MUTMUT = [str(Path(sys.executable).parent / "mutmut")]

# The shared logic that no notebook rewrite owns. The notebook modules (threshold, tanhnet, conditioning,
# checks) can be run by naming them: `python scripts/mutate.py 'utils.threshold.*'`.
# Drawing code is left out: diagrams.draw_network, diagrams._circle and mlp.draw (their mutants change colours, line
# widths, font sizes and z-orders: pixels that no unit test reads; the notebooks' diagram tests check that
# labels do not overlap, not how they look), and all of style.py (pyproject's do_not_mutate).
DEFAULT = ["utils._validate.*", "utils.gradcheck.*", "utils.data.*", "utils.__main__.*",
           # mlp without draw(), notebook 04's network diagram (drawing, as above)
           *(f"utils.mlp.x_{f}__mutmut_*" for f in ("validate", "validate_network", "forward", "forward_unchecked", "mse",
                                                    "backward", "backward_unchecked", "deltas", "deltas_unchecked",
                                                    "error_torch", "autograd_gradients", "random_network")),
           *(f"utils.diagrams.x_{f}__mutmut_*" for f in ("layout", "mlp_layers", "weight_labels", "nonzero_edges",
                                                         "label_overlaps")),
           # the exercise checks (utils/checks: _core, gates, chainrule, hessian, backprop); no drawing code in them
           "utils.checks._core.*", "utils.checks.gates.*", "utils.checks.chainrule.*", "utils.checks.hessian.*",
           "utils.checks.backprop.*"]

# Mutants that cannot change any observable behaviour, with the reason. Keys are mutmut's names, which stay the
# same while the function's source does; a changed function renumbers its mutants, so check this list then.
EQUIVALENT = {
    "utils.data.x_generate__mutmut_22": "X[:, 3:5] of a 4-column X is X[:, 3:4]",
    "utils.data.x_npz_bytes__mutmut_7": "compression dropped: ZIP_STORED is zipfile's default",
    "utils.data.x_npz_bytes__mutmut_14": "allow_pickle=None: numpy tests `not allow_pickle`, as for False",
    "utils.data.x_npz_bytes__mutmut_24": "date_time dropped: ZipInfo's default is (1980, 1, 1, 0, 0, 0)",
    "utils.data.x_npz_bytes__mutmut_33": "date_time second 1: zip stores seconds in 2-second units, 1 s as 0",
    "utils.data.x_load_arrays__mutmut_26": "np.load(allow_pickle=None): numpy tests `not allow_pickle`",
    "utils.data.x_load_arrays__mutmut_28": "allow_pickle dropped: False is np.load's default",
    "utils.diagrams.x_label_overlaps__mutmut_2": "renderer None: get_window_extent(None) takes the figure's "
                                                "renderer, the one canvas.get_renderer() returns after the draw",
    "utils.diagrams.x_label_overlaps__mutmut_7": "get_window_extent(None): the figure's renderer, as above",
    "utils.diagrams.x_label_overlaps__mutmut_20": "get_window_extent(None): the figure's renderer, as above",
    # the exercise checks (utils/checks: _core, gates, chainrule, hessian, backprop)
    "utils.checks._core.x__fail__mutmut_1": "__tracebackhide__ None in _fail: IPython always shows the frame that "
                                            "raised, hidden or not",
    "utils.checks._core.x__fail__mutmut_2": "__tracebackhide__ False in _fail: as above",
    "utils.checks._core.x__array__mutmut_42": "astype(None): numpy's default dtype is float64",
    "utils.checks._core.x__number__mutmut_30": "getattr(arr, 'shape', None): arr is an ndarray, the default unused",
    "utils.checks._core.x__number__mutmut_33": "getattr(arr, 'shape'): as above",
    "utils.checks._core.x__number__mutmut_36": "getattr(arr, 'shape', 'XXXX'): as above",
    "utils.checks._core.x__judge_numbers__mutmut_23": "return False for True: no caller uses the value (they "
                                                      "return their own message)",
    "utils.checks.hessian.x__steps_judge__mutmut_32": "dtype=None: predicted_steps gives ints; np.array_equal and "
                                                      "the :.0f of the message treat them as the floats",
    "utils.checks.hessian.x__steps_judge__mutmut_34": "dtype dropped: as above",
    "utils.checks.hessian.x__steps_judge__mutmut_121": "dtype=None: the mistakes give ints or floats; np.allclose "
                                                       "compares an int array as the float one",
    "utils.checks.hessian.x__steps_judge__mutmut_123": "dtype dropped: as above",
}


def results():
    """{mutant name: status} from mutmut's result files."""
    from mutmut.stats import status_by_exit_code  # noqa: deferred: the venv's mutmut

    out = {}
    for meta in (ROOT / "mutants" / "utils").rglob("*.meta"):
        for key, code in json.loads(meta.read_text())["exit_code_by_key"].items():
            out[key] = status_by_exit_code[code]
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("globs", nargs="*", default=DEFAULT, help="mutant-name globs (default: %(default)s)")
    parser.add_argument("--report-only", action="store_true", help="print the score of the last run")
    args = parser.parse_args(argv)
    globs = [g for g in args.globs]
    start = time.monotonic()
    if not args.report_only:
        shutil.rmtree(ROOT / "mutants", ignore_errors=True)
        # mutmut forks each mutant's test run from a process that has already run torch: a forked child that
        # inherits torch's OpenMP thread pool hangs at its first parallel op (a false "timeout"). One thread.
        env = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
        run = subprocess.run(["nice", "-n", "19", *MUTMUT, "run", "--max-children", "2", *globs], cwd=ROOT,
                             stdout=subprocess.DEVNULL, env=env)
        if run.returncode not in (0, None):
            print(f"mutmut run failed with exit code {run.returncode}", file=sys.stderr)
            return run.returncode
    status = {k: v for k, v in results().items() if any(fnmatch.fnmatch(k, g) for g in globs)}
    equivalent = {k for k in status if k in EQUIVALENT}
    counted = {k: v for k, v in status.items() if k not in equivalent}
    killed = [k for k, v in counted.items() if v in ("killed", "timeout")]
    timeouts = [k for k, v in counted.items() if v == "timeout"]
    surviving = sorted(k for k, v in counted.items() if v not in ("killed", "timeout"))
    score = 100.0 * len(killed) / max(1, len(counted))
    print(f"mutants: {len(status)}, of which {len(equivalent)} equivalent (listed at the end)")
    print(f"killed: {len(killed)} of {len(counted)} = {score:.1f} % ({len(timeouts)} of them by a timeout)"
          + (f"  (run time {time.monotonic() - start:.0f} s)" if not args.report_only else ""))
    for k in surviving:
        diff = subprocess.run([*MUTMUT, "show", k], cwd=ROOT, capture_output=True, text=True).stdout
        print(f"\n{counted[k]}: {k}\n" + "\n".join(l for l in diff.splitlines() if l.startswith(("-", "+"))
                                                      and not l.startswith(("---", "+++"))))
    for k in sorted(equivalent):
        print(f"equivalent: {k}: {EQUIVALENT[k]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
