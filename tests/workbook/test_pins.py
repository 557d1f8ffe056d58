"""One list of pins: requirements.txt; environment.yml, pyproject.toml, the installed packages and the
benchmark record must agree with it. No version is written here: each is read from requirements.txt."""
import json
import re
from importlib import metadata
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def parse_pins(lines):
    pins = {}
    for line in lines:
        line = line.split("#")[0].strip().lstrip("- ").strip()
        m = re.fullmatch(r"([A-Za-z0-9_.\-]+)==([^\s;]+)", line)
        if m:
            pins[m.group(1).lower()] = m.group(2)
    return pins


def requirements():
    return parse_pins((ROOT / "requirements.txt").read_text().splitlines())


def test_requirements_pin_every_package_exactly():
    lines = [l for l in (ROOT / "requirements.txt").read_text().splitlines() if l.strip() and not l.startswith("#")]
    pins = parse_pins(lines)
    assert len(pins) == len(lines), "every requirement must be pinned with =="
    for name in ("torch", "numpy", "matplotlib", "ipywidgets", "jupyterlab", "ipykernel", "nbval", "nbclient", "nbformat", "pytest"):
        assert name in pins, f"{name} is not pinned"


def test_environment_yml_matches_requirements():
    text = (ROOT / "environment.yml").read_text()
    assert re.search(r"^\s*-\s*python=3\.11\s*$", text, re.M)
    pip_section = text.split("- pip:")[1].splitlines()
    assert parse_pins(pip_section) == parse_pins((ROOT / "requirements.txt").read_text().splitlines())


def test_pyproject_pins_agree_with_requirements():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = project["dependencies"] + [d for group in project["optional-dependencies"].values() for d in group]
    req = parse_pins((ROOT / "requirements.txt").read_text().splitlines())
    for name, version in parse_pins(declared).items():
        assert req.get(name) == version, f"{name}: pyproject says {version}, requirements.txt says {req.get(name)}"


def test_torch_is_one_version_everywhere():
    """torch's pin, read from requirements.txt, is the one in environment.yml, pyproject's extra, the venv, and
    the benchmark record (whose figures were measured with it)."""
    pin = requirements()["torch"]
    env = parse_pins((ROOT / "environment.yml").read_text().split("- pip:")[1].splitlines())
    extra = parse_pins(tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]["torch"])
    recorded = json.loads((ROOT / "benchmarks" / "results.json").read_text())["machine"]["torch"]
    assert env["torch"] == extra["torch"] == pin
    assert recorded.split("+")[0] == pin, f"benchmarks/results.json was measured with torch {recorded}, not {pin}"


def test_installed_packages_are_the_pinned_versions():
    for name, version in requirements().items():
        installed = metadata.version(name)
        assert installed.split("+")[0] == version, f"{name}: {installed} installed, requirements.txt pins {version}"
