"""One list of pins: requirements.txt; environment.yml and pyproject.toml must agree with it."""
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def parse_pins(lines):
    pins = {}
    for line in lines:
        line = line.split("#")[0].strip().lstrip("- ").strip()
        m = re.fullmatch(r"([A-Za-z0-9_.\-]+)==([^\s;]+)", line)
        if m:
            pins[m.group(1).lower()] = m.group(2)
    return pins


def test_requirements_pin_every_package_exactly():
    lines = [l for l in (ROOT / "requirements.txt").read_text().splitlines() if l.strip() and not l.startswith("#")]
    pins = parse_pins(lines)
    assert len(pins) == len(lines), "every requirement must be pinned with =="
    assert pins["torch"] == "2.13.0"
    for name in ("numpy", "matplotlib", "ipywidgets", "jupyterlab", "ipykernel", "nbval", "nbclient", "nbformat", "pytest"):
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
