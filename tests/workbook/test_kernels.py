"""The kernel-path matrix: every notebook's stored outputs hold under other numerical kernels of this CPU.

One CPU computes through several kernels: numpy's OpenBLAS picks one per CPU (OPENBLAS_CORETYPE forces
another), torch's ATen picks vectorised kernels (ATEN_CPU_CAPABILITY), torch's MKL picks a code path
(MKL_CBWR), and thread counts change the order of sums. A stored output that changes under any of them
would fail on a student's laptop. Each configuration below is its own test (one class each, so
pytest-xdist's loadscope spreads them over workers); each runs nbval on all four notebooks in one kernel whose
first cell probes which kernels really run there, and skips with the reason when this CPU cannot reach the
configuration (or reaches only the default kernels). Under CI=true fewer than four configurations with kernels of their own
is a failure. One configuration (CORE_ONLY, reachable on every x86-64 CPU) runs each notebook's core path alone,
its "Going further" cells removed: so the core path is also shown to run, and print what it stored, without them.

The notebooks run against the wheel built from the checkout and installed away from it (as on a JupyterHub
image), from a temporary folder: so the matrix also shows that the installed package passes nbval, while the
plain nbval run of `notebooks/` covers the checkout under the default kernels. The wheel, the default probe and
each configuration's probe are made once per test run and shared by the workers. Figures are not drawn here (WORKBOOK_FIGURES=text: each gives its
description alone): nbval compares text only, and the plain run draws every figure.

`PYTHONPATH=tests python tests/workbook/test_kernels.py` prints the probe of each configuration.
"""
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
import pytest

from conftest import IN_CI
from utils.style import FIGURES_VAR
from nbval_run import PROBE_SOURCE, NOTEBOOKS, core_path, installed_wheel, nbval, once_per_run, outside_env

CONFIGS = {
    # The oldest x86-64 kernels, one thread everywhere, torch's scalar ATen path and MKL's bit-reproducible branch.
    "prescott-1thread-aten-default-mkl-compatible": dict(
        OPENBLAS_CORETYPE="Prescott", OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1",
        ATEN_CPU_CAPABILITY="default", MKL_CBWR="COMPATIBLE"),
    # A typical AVX2 laptop or hosted CI runner, two threads.
    "haswell-2threads-aten-avx2-mkl-avx2": dict(
        OPENBLAS_CORETYPE="Haswell", OMP_NUM_THREADS="2", OPENBLAS_NUM_THREADS="2", MKL_NUM_THREADS="2",
        ATEN_CPU_CAPABILITY="avx2", MKL_CBWR="AVX2", OMP_WAIT_POLICY="PASSIVE"),
    # An AVX-512 workstation (Intel: MKL's AVX-512 branch), one thread.
    "skylakex-1thread-aten-avx512-mkl-avx512": dict(
        OPENBLAS_CORETYPE="SkylakeX", OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1",
        ATEN_CPU_CAPABILITY="avx512", MKL_CBWR="AVX512"),
    # Sandy Bridge (AVX without FMA): products and sums rounded separately, two threads.
    "sandybridge-2threads-aten-default-mkl-compatible": dict(
        OPENBLAS_CORETYPE="Sandybridge", OMP_NUM_THREADS="2", OPENBLAS_NUM_THREADS="2", MKL_NUM_THREADS="2",
        ATEN_CPU_CAPABILITY="default", MKL_CBWR="COMPATIBLE", OMP_WAIT_POLICY="PASSIVE"),
}

CORE_ONLY = "prescott-1thread-aten-default-mkl-compatible"
pytestmark = pytest.mark.slow  # pip builds the wheel; kernels run the notebooks

def probe(settings, target):
    """Which kernels a fresh process started with `settings` really uses, and where its `utils` comes from (the wheel
    installed in `target`): nbval_run.PROBE_SOURCE's probe()."""
    out = subprocess.run([sys.executable, "-c", PROBE_SOURCE + "\nimport json\nprint(json.dumps(probe()))"],
                         env=outside_env(target, settings), capture_output=True, text=True, timeout=120, cwd=target)
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def kernels(found):
    """The probe without the package's location: what the configuration computes with."""
    return {k: v for k, v in found.items() if k != "utils"}


def _reachable(name, settings, got, default):
    """None when the configuration runs kernels of its own here, else the reason to skip it."""
    wanted_aten = settings.get("ATEN_CPU_CAPABILITY", "").upper()
    if wanted_aten and got["aten"] != wanted_aten:
        return f"{name}: this CPU cannot run ATen's {wanted_aten} kernels (torch chose {got['aten']})"
    if kernels(got) == kernels(default):
        return f"{name}: the same kernels as the default configuration here ({kernels(got)})"
    return None


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    return installed_wheel(tmp_path_factory)["target"]


@pytest.fixture(scope="module")
def probed(tmp_path_factory, wheel):
    """probed(name) -> the probe of configuration `name` ("default": no settings), once per test run."""
    def get(name):
        settings = CONFIGS.get(name, {})
        return once_per_run(tmp_path_factory, f"probe-{name}", lambda: probe(settings, wheel))
    return get


def _make_test(name, settings):
    def test(self, probed, wheel, tmp_path_factory):
        with tempfile.TemporaryDirectory() as tmp:
            found = Path(tmp) / "probe.json"
            passed, output = nbval(NOTEBOOKS, {**outside_env(wheel, settings), FIGURES_VAR: "text"}, cwd=tmp,
                                   core_only=name == CORE_ONLY, one_kernel=True, probe_to=found)
            assert found.is_file(), f"the probe cell did not run under {name}:\n{output}"
            got = json.loads(found.read_text())
        once_per_run(tmp_path_factory, f"probe-{name}", lambda: got)  # test_at_least_four... needs no probe of its own
        default = probed("default")
        print(f"{name}: {kernels(got)} (default here: {kernels(default)})")
        assert got["utils"] == str(wheel.resolve() / "utils"), f"utils came from {got['utils']}, not the wheel"
        reason = _reachable(name, settings, got, default)
        if reason:
            pytest.skip(reason)
        assert passed, f"nbval under {name} ({kernels(got)}):\n{output}"
    test.__name__ = "test_nbval_holds"
    return test


for _name, _settings in CONFIGS.items():
    _cls = type(f"TestKernels_{_name.replace('-', '_')}", (), {"test_nbval_holds": _make_test(_name, _settings)})
    globals()[_cls.__name__] = _cls


def test_the_core_only_copies_drop_the_optional_cells_and_nothing_else(tmp_path):
    for path in NOTEBOOKS:
        cells = nbformat.read(path, as_version=4).cells
        kept = nbformat.read(core_path(path, tmp_path / path.name), as_version=4).cells
        core = [c for c in cells if "optional" not in c.metadata.get("tags", [])]
        assert 0 < len(kept) == len(core) < len(cells), path.name  # every notebook has a Going-further section
        assert [c.source for c in kept] == [c.source for c in core], path.name


def test_the_harness_fails_on_a_changed_output_and_names_its_cell(tmp_path, wheel):
    """nbval's comparison is on in the matrix's runs: two notebooks in one kernel, the second's stored output wrong."""
    notebooks = []
    for name, stored in (("right.ipynb", "2\n"), ("wrong.ipynb", "3\n")):
        cell = nbformat.v4.new_code_cell("print(1 + 1)", execution_count=1,
                                         outputs=[nbformat.v4.new_output("stream", name="stdout", text=stored)])
        nbformat.write(nbformat.v4.new_notebook(cells=[cell]), tmp_path / name)
        notebooks.append(tmp_path / name)
    run = tmp_path / "run"
    run.mkdir()
    passed, output = nbval(notebooks, outside_env(wheel), cwd=run, one_kernel=True)
    assert not passed and "(wrong.ipynb, cell 0)" in output and "(right.ipynb" not in output, output


def test_at_least_four_configurations_reach_their_own_kernels(probed):
    """In CI the matrix must run, not skip: at least four configurations differ from the default and each other."""
    seen = {name: json.dumps(kernels(probed(name)), sort_keys=True) for name in CONFIGS
            if _reachable(name, CONFIGS[name], probed(name), probed("default")) is None}
    distinct = len(set(seen.values()))
    if distinct < 4:
        message = f"only {distinct} configurations reach kernels of their own here: {seen}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)


if __name__ == "__main__":
    import site
    target = site.getsitepackages()[0]  # the venv's own packages (its editable utils), not a wheel
    print("default:", kernels(probe({}, target)))
    for _name, _settings in CONFIGS.items():
        print(f"{_name}:", kernels(probe(_settings, target)))
