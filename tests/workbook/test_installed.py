"""The package works when installed as a wheel (JupyterHub images, Binder, `pip install git+...`), away from
the checkout: the wheel carries every module and the fixed data, and an installed copy loads them. The four
notebooks run under nbval against this installed wheel in the kernel-path matrix (tests/workbook/test_kernels.py), in
four kernel configurations."""
import subprocess
import sys
import zipfile

import pytest

from nbval_run import ROOT, installed_wheel, outside_env

pytestmark = pytest.mark.slow  # pip builds and installs the wheel


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(wheel path, install folder): the wheel built from the checkout, installed into a temporary folder."""
    wheel = installed_wheel(tmp_path_factory)
    return wheel["wheel"], wheel["target"]


def test_wheel_carries_the_data_and_every_module(installed):
    wheel, _ = installed
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in ("utils/datafiles/data.npz", "utils/datafiles/params.npz", "utils/datafiles/SHA256SUMS",
                     "utils/checks/__init__.py", "utils/data.py"):
        assert required in names, f"{required} is missing from {wheel.name}"
    tracked = subprocess.run(["git", "ls-files", "utils"], cwd=ROOT, capture_output=True, text=True, check=True)
    sources = {name for name in tracked.stdout.split() if name.endswith(".py")}
    packed = {name for name in names if name.startswith("utils/") and name.endswith(".py")}
    assert packed == sources, (f"missing from the wheel: {sorted(sources - packed)}; "
                               f"in the wheel but not in the checkout: {sorted(packed - sources)}")


def test_installed_package_loads_its_own_data(installed, tmp_path):
    _, target = installed
    code = ("import utils, pathlib; X, T = utils.getdata(); W, B = utils.getparams(); "
            "print(pathlib.Path(utils.__file__).resolve()); print(X.shape, T.shape, len(W))")
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=outside_env(target),
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    location, shapes = out.stdout.strip().splitlines()
    assert location.startswith(str(target.resolve())), f"utils was imported from {location}, not the wheel"
    assert shapes == "(100, 4) (100, 1) 4"

