"""Run nbval on notebooks in a subprocess with a chosen environment (kernel-path matrix, installed wheel)."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
# Variables that pick numerical kernels or thread counts: cleared before a configuration sets its own,
# so the parent's settings (make test sets OMP_NUM_THREADS=1) do not leak into a configuration.
KERNEL_VARS = ("OPENBLAS_CORETYPE", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "MKL_CBWR",
               "ATEN_CPU_CAPABILITY", "OMP_WAIT_POLICY")


def environment(settings, **extra):
    """os.environ without the kernel variables, plus `settings` and `extra` (all str)."""
    env = {k: v for k, v in os.environ.items() if k not in KERNEL_VARS and not k.startswith("PYTEST_XDIST")}
    env.update(settings)
    env.update(extra)
    return env


def nbval(notebooks, env, cwd, timeout=600, python=sys.executable):
    """pytest --nbval on copies of `notebooks` (paths) in `cwd`, in a fresh process; returns
    (passed: bool, the last lines of pytest's output, which name the notebook and cell of every failure).

    The repository's pytest configuration is not used (`-c` points at an empty file), so the options here are
    the whole configuration: strict nbval, no sanitize rules, the running Python as kernel.
    """
    copies = [shutil.copy(nb, Path(cwd) / Path(nb).name) for nb in notebooks]
    empty_ini = Path(cwd) / "pytest-empty.ini"
    empty_ini.write_text("[pytest]\n")
    cmd = [python, "-m", "pytest", "-c", str(empty_ini), "--rootdir", str(cwd), "-p", "no:cacheprovider",
           "-p", "no:randomly", "-p", "no:random_order", "-q", "--nbval", "--nbval-current-env",
           "--nbval-cell-timeout=180", *map(str, copies)]
    result = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    lines = (result.stdout + result.stderr).strip().splitlines()
    return result.returncode == 0, "\n".join(lines[-60:])
