"""Run nbval on notebooks in a subprocess with a chosen environment (kernel-path matrix, installed wheel)."""
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
from filelock import FileLock

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
# Variables that pick numerical kernels or thread counts: cleared before a configuration sets its own,
# so the parent's settings (make test sets OMP_NUM_THREADS=1) do not leak into a configuration.
KERNEL_VARS = ("OPENBLAS_CORETYPE", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "MKL_CBWR",
               "ATEN_CPU_CAPABILITY", "OMP_WAIT_POLICY")


# Which numerical kernels a process computes with, as a function probe(): run in a fresh interpreter by the
# kernel-path matrix, or as the first cell of its one-kernel notebook (`nbval(..., probe_to=...)`).
PROBE_SOURCE = r"""
def probe():
    '''{utils: the package's folder, openblas: OpenBLAS's core type, blas_threads, aten: torch's CPU capability,
    torch_threads, mkl_cnr: MKL's reproducibility branch, from its verbose line of one float64 matrix product}.'''
    import ctypes, os, pathlib, tempfile
    import threadpoolctl, torch, utils
    blas = [(i.get("architecture"), i["num_threads"]) for i in threadpoolctl.threadpool_info() if i["user_api"] == "blas"]
    with tempfile.TemporaryFile() as log:  # MKL writes its verbose lines to file descriptor 1, not to sys.stdout
        saved = os.dup(1)
        os.dup2(log.fileno(), 1)
        try:
            with torch.backends.mkl.verbose(torch.backends.mkl.VERBOSE_ON):
                a = torch.ones(40, 40, dtype=torch.float64)
                (a @ a).sum()
            ctypes.CDLL(None).fflush(None)
        finally:
            os.dup2(saved, 1)
            os.close(saved)
        log.seek(0)
        lines = log.read().decode(errors="replace").splitlines()
    cnr = [part[4:] for line in lines if line.startswith("MKL_VERBOSE") for part in line.split() if part.startswith("CNR:")]
    return {"utils": str(pathlib.Path(utils.__file__).resolve().parent), "openblas": blas[0][0] if blas else None,
            "blas_threads": blas[0][1] if blas else None, "aten": torch.backends.cpu.get_cpu_capability(),
            "torch_threads": torch.get_num_threads(), "mkl_cnr": cnr[0] if cnr else None}
"""


def environment(settings, **extra):
    """os.environ without the kernel variables, plus `settings` and `extra` (all str)."""
    env = {k: v for k, v in os.environ.items() if k not in KERNEL_VARS and not k.startswith("PYTEST_XDIST")}
    env.update(settings)
    env.update(extra)
    return env


def nbval(notebooks, env, cwd, timeout=600, python=sys.executable, core_only=False, one_kernel=False, probe_to=None):
    """pytest --nbval on copies of `notebooks` (paths) in `cwd`, in a fresh process; returns
    (passed: bool, the last lines of pytest's output, which name the notebook and cell of every failure).
    With `core_only`, the copies keep only each notebook's core path (cells tagged optional removed): its stored
    outputs must then come out the same without the "Going further" sections. With `one_kernel`, the notebooks run
    one after the other in a single kernel (its namespace reset between them; each notebook seeds what it draws),
    which saves a kernel start per notebook; failures name the original notebook and cell. With `probe_to` (a path;
    one kernel only), the kernel first writes there, as JSON, what PROBE_SOURCE's probe() finds in it.

    The repository's pytest configuration is not used (`-c` points at an empty file), so the options here are
    the whole configuration: strict nbval, no sanitize rules, the running Python as kernel.
    """
    copies = [core_path(nb, Path(cwd) / Path(nb).name) if core_only else shutil.copy(nb, Path(cwd) / Path(nb).name)
              for nb in notebooks]
    origin = None
    if probe_to and not one_kernel:
        raise ValueError("probe_to: the probe runs in the one kernel of one_kernel=True")
    if one_kernel:
        combined, origin = one_notebook(copies)
        if probe_to:  # its output (none expected) is not compared
            combined.cells.insert(0, nbformat.v4.new_code_cell(
                f"# NBVAL_IGNORE_OUTPUT\n{PROBE_SOURCE}\nimport json, pathlib\n"
                f"pathlib.Path({str(probe_to)!r}).write_text(json.dumps(probe()))"))
            origin.insert(0, "the probe of the kernels")
        copies = [Path(cwd) / "all-notebooks.ipynb"]
        nbformat.write(combined, copies[0])
    empty_ini = Path(cwd) / "pytest-empty.ini"
    empty_ini.write_text("[pytest]\n")
    # nbval alone of the installed pytest plugins (loading the others costs half a second)
    cmd = [python, "-m", "pytest", "-c", str(empty_ini), "--rootdir", str(cwd), "-p", "no:cacheprovider",
           "-p", "nbval", "-q", "--nbval", "--nbval-current-env", "--nbval-cell-timeout=180", *map(str, copies)]
    result = subprocess.run(cmd, cwd=cwd, env={**env, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}, capture_output=True,
                            text=True, timeout=timeout)
    text = (result.stdout + result.stderr).strip()
    if origin:  # "all-notebooks.ipynb::Cell 57" -> "... (03-hessian-conditioning.ipynb, cell 12)"
        text = re.sub(r"all-notebooks\.ipynb::Cell (\d+)",
                      lambda m: f"{m.group(0)} ({origin[int(m.group(1))]})", text)
    lines = text.splitlines()
    return result.returncode == 0, "\n".join(lines[-60:])


def one_notebook(paths):
    """(one notebook holding the code cells of `paths` in order, each notebook's preceded by a cell that resets the
    namespace; for each code cell of it, "NAME, cell k": where it came from)."""
    cells, origin = [], []
    for path in paths:
        cells.append(nbformat.v4.new_code_cell(f"%reset -f\n# {Path(path).name} starts"))
        origin.append(f"before {Path(path).name}")
        for k, cell in enumerate(nbformat.read(path, as_version=4).cells):
            if cell.cell_type == "code":
                cells.append(cell)
                origin.append(f"{Path(path).name}, cell {k}")
    return nbformat.v4.new_notebook(cells=cells, metadata=nbformat.read(paths[0], as_version=4).metadata), origin


def core_path(source, target):
    """Write notebook `source` to `target` without its cells tagged optional; returns target."""
    nb = nbformat.read(source, as_version=4)
    nb.cells = [c for c in nb.cells if "optional" not in c.get("metadata", {}).get("tags", [])]
    nbformat.write(nb, target)
    return target


_ONCE = {}


def once_per_run(tmp_path_factory, name, make):
    """make() once per pytest run, shared by every pytest-xdist worker (the FileLock recipe of xdist's docs):
    the first caller computes it and stores it as JSON beside the workers' temporary folders, the others read
    it. Without xdist, once per process. `make` returns JSON-able data."""
    if "PYTEST_XDIST_WORKER" not in os.environ:
        if name not in _ONCE:
            _ONCE[name] = make()
        return _ONCE[name]
    path = tmp_path_factory.getbasetemp().parent / f"{name}.json"  # one folder per run, shared by its workers
    with FileLock(f"{path}.lock"):
        if not path.is_file():
            path.write_text(json.dumps(make()))
        return json.loads(path.read_text())


def installed_wheel(tmp_path_factory):
    """The wheel built from the checkout's tracked files (a new file counts once `git add`ed; their contents as in the
    working tree) and installed into a temporary folder, once per run:
    {"wheel": path of the .whl, "target": the folder it is installed in}."""
    def build():
        where = tmp_path_factory.mktemp("wheel")
        target = tmp_path_factory.mktemp("site")
        # From a copy of the tracked files: setuptools would also pack what a stale build/ of the checkout holds
        # (a module renamed since stayed in the wheel under its old name).
        source = where / "source"
        tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
        for name in filter(None, tracked.decode().split("\0")):
            if (ROOT / name).is_file():
                (source / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(ROOT / name, source / name)
        # No build isolation: the venv's setuptools builds it, so no network is needed.
        subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                        "--wheel-dir", str(where), str(source)], check=True, capture_output=True, cwd=where)
        wheel, = where.glob("nn_workbook_utils-*.whl")
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
                        "--target", str(target), str(wheel)], check=True, capture_output=True, cwd=where)
        return {"wheel": str(wheel), "target": str(target)}
    return {k: Path(v) for k, v in once_per_run(tmp_path_factory, "installed-wheel", build).items()}


def outside_env(target, settings=None):
    """The environment of a process that imports `utils` from the installed copy in `target`, not the checkout:
    PYTHONPATH puts it first, PYTHONSAFEPATH keeps the working directory off sys.path, and the editable
    install's finder only answers when nothing earlier on sys.path does. `settings`: kernel variables."""
    return environment(settings or {}, PYTHONPATH=str(target), PYTHONSAFEPATH="1")
