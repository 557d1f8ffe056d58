"""The package works when installed as a wheel (JupyterHub images, Binder, `pip install git+...`), away from
the checkout: the fixed data ship inside it, and the four notebooks pass nbval against it."""
import subprocess
import sys
import zipfile

import pytest

from nbval_run import NOTEBOOKS, ROOT, environment, nbval


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """The wheel built from the checkout, installed into a temporary folder: (wheel path, install folder)."""
    build = tmp_path_factory.mktemp("wheel")
    target = tmp_path_factory.mktemp("site")
    # No build isolation: the venv's setuptools builds it, so no network is needed.
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "--wheel-dir", str(build), str(ROOT)], check=True, capture_output=True, cwd=build)
    wheel, = build.glob("nn_workbook_utils-*.whl")
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
                    "--target", str(target), str(wheel)], check=True, capture_output=True, cwd=build)
    return wheel, target


def _outside_env(target):
    # PYTHONPATH puts the installed copy first; the checkout is not on sys.path (the kernel starts in a
    # temporary folder, and the editable install's finder only answers when nothing earlier on sys.path does).
    return environment({}, PYTHONPATH=str(target), PYTHONSAFEPATH="1")


def test_wheel_carries_the_data_and_every_module(installed):
    wheel, _ = installed
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in ("utils/datafiles/data.npz", "utils/datafiles/params.npz", "utils/datafiles/SHA256SUMS",
                     "utils/checks/__init__.py", "utils/data.py"):
        assert required in names, f"{required} is missing from {wheel.name}"
    sources = {p.relative_to(ROOT).as_posix() for p in (ROOT / "utils").rglob("*.py")}
    assert sources <= names, f"modules missing from the wheel: {sorted(sources - names)}"


def test_installed_package_loads_its_own_data(installed, tmp_path):
    _, target = installed
    code = ("import utils, pathlib; X, T = utils.getdata(); W, B = utils.getparams(); "
            "print(pathlib.Path(utils.__file__).resolve()); print(X.shape, T.shape, len(W))")
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=_outside_env(target),
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    location, shapes = out.stdout.strip().splitlines()
    assert location.startswith(str(target.resolve())), f"utils was imported from {location}, not the wheel"
    assert shapes == "(100, 4) (100, 1) 4"


@pytest.mark.slow
def test_notebooks_pass_nbval_against_the_installed_wheel(installed, tmp_path):
    _, target = installed
    env = _outside_env(target)
    where = subprocess.run([sys.executable, "-c", "import utils; print(utils.__file__)"], cwd=tmp_path, env=env,
                           capture_output=True, text=True, timeout=120)
    assert where.stdout.startswith(str(target)), where.stdout + where.stderr
    passed, output = nbval(NOTEBOOKS, env, cwd=tmp_path)
    assert passed, output
