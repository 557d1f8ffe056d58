"""scripts/slides.py: the slide-type rule, its idempotence, hand-made choices kept, and --check."""
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

import slides  # scripts/slides.py

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
SCRIPT = [sys.executable, str(ROOT / "scripts" / "slides.py")]
md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell


def slides_cli(capsys, *args):
    """`python scripts/slides.py ARGS` in this process (main(argv) is its whole command line; one test below runs
    the script itself): (exit code, stdout, stderr)."""
    try:
        code = slides.main([str(a) for a in args])
    except SystemExit as exc:  # argparse's errors
        code = exc.code
    out = capsys.readouterr()
    return code, out.out, out.err


def test_the_rule_on_a_lecture_shaped_notebook():
    cells = [md("# Title\n\nWhat this is."), code("import numpy\nfrom utils import style\nrng = 1"),
             md("## 1 · Section\n\nA sentence introducing the code."), code("print(1)"), code("print(2)"),
             md("A paragraph after a result."), md("More prose."), md("### A sub-topic"), code("x = 1\nx"),
             code("   \n"), code("def helper():\n    pass", metadata={"jupyter": {"source_hidden": True}}),
             nbformat.v4.new_raw_cell("raw"), code("print(3)")]
    assert slides.rule(cells) == ["slide", "skip", "slide", "-", "fragment", "subslide", "-", "subslide", "-",
                                  "skip", "skip", "skip", "fragment"]


def test_the_first_shown_cell_opens_a_slide():
    assert slides.rule([code("import os"), md("Just prose"), code("print(1)")]) == ["skip", "slide", "-"]


@pytest.mark.parametrize("source, setup", [("import a\nb = a.c()", True), ("%matplotlib inline\nimport a", True),
                                           ("x = 1", False), ("import a\na.show()", False), ("import (", False)])
def test_setup_cells_are_imports_and_assignments_only(source, setup):
    assert slides.is_setup(source) is setup


def copies(tmp_path):
    dest = []
    for path in NOTEBOOKS:
        shutil.copy(path, tmp_path / path.name)
        dest.append(tmp_path / path.name)
    return dest


def test_applied_to_the_notebooks_every_cell_has_a_slide_type_and_a_second_run_changes_nothing(tmp_path, capsys):
    paths = copies(tmp_path)
    assert slides_cli(capsys, *paths)[0] == 0
    texts = [p.read_text() for p in paths]
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        kinds = [c.metadata.get("slideshow", {}).get("slide_type") for c in nb.cells]
        assert all(k in slides.SLIDE_TYPES for k in kinds), (path.name, kinds)
        assert kinds.count("slide") >= 2, path.name  # a title and at least one section
    code, again, _ = slides_cli(capsys, *paths)
    assert code == 0 and [p.read_text() for p in paths] == texts
    assert again.count(" 0 of ") == len(paths)
    code, out, _ = slides_cli(capsys, "--check", *paths)
    assert code == 0, out


def test_check_names_the_cells_that_differ_and_changes_nothing(tmp_path, capsys):
    path = copies(tmp_path)[2]
    assert slides_cli(capsys, path)[0] == 0
    nb = nbformat.read(path, as_version=4)
    nb.cells.insert(3, md("## A new section"))  # added after the metadata was written: no slide type
    del nb.cells[0].metadata["slideshow"]
    nbformat.write(nb, path)
    before = path.read_text()
    code, out, _ = slides_cli(capsys, "--check", path)
    assert code == 1
    flagged = [line.split(": cell ")[1].split(" ")[0] for line in out.splitlines()]
    assert flagged == ["0", "3"]
    assert f"id {nb.cells[3].id}" in out and "the rule gives 'slide'" in out
    assert path.read_text() == before


def test_a_slide_type_set_by_hand_is_kept(tmp_path, capsys):
    path = copies(tmp_path)[1]
    assert slides_cli(capsys, path)[0] == 0
    nb = nbformat.read(path, as_version=4)
    index = next(i for i, c in enumerate(nb.cells) if c.metadata.slideshow["slide_type"] == "-")
    nb.cells[index].metadata.slideshow["slide_type"] = "fragment"       # JupyterLab's property inspector
    nb.cells[index + 1].metadata["slideshow"] = {"slide_type": "notes"}  # RISE's toolbar
    nbformat.write(nb, path)
    assert slides_cli(capsys, path)[0] == 0
    code, out, _ = slides_cli(capsys, "--check", path)
    assert code == 0, out
    after = nbformat.read(path, as_version=4)
    assert after.cells[index].metadata.slideshow["slide_type"] == "fragment"
    assert after.cells[index + 1].metadata.slideshow == {"slide_type": "notes"}


def test_a_missing_notebook_is_named(tmp_path):
    """The script itself, as a user runs it: a missing notebook is named, exit code 2."""
    result = subprocess.run(SCRIPT + [str(tmp_path / "nope.ipynb")], capture_output=True, text=True)
    assert result.returncode == 2 and "nope.ipynb" in result.stderr


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name[:2])
def test_every_notebook_carries_slide_metadata_for_every_cell(path):
    """The committed notebooks: `python scripts/slides.py notebooks/*.ipynb` writes what this asks."""
    nb = nbformat.read(path, as_version=4)
    missing = [i for i, c in enumerate(nb.cells) if c.metadata.get("slideshow", {}).get("slide_type") is None]
    assert not missing, f"{path.name}: cells {missing} have no slide type: run python scripts/slides.py {path}"
    assert not slides.differences(nb), slides.differences(nb)
