"""The stored-output rules nbval cannot see (docs/contributing.md#stored-outputs-show-only-what-holds-on-every-machine):
every code cell ran, in order, in one fresh kernel (execution counts 1, 2, 3, ...); `# NBVAL_IGNORE_OUTPUT` only as
the first line of a cell that shows a widget; no memory address and no timing in a stored output."""
import re
from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("[0-9][0-9]-*.ipynb"))
IGNORE = "# NBVAL_IGNORE_OUTPUT"
WIDGET = "application/vnd.jupyter.widget-view+json"
# an object's address (<... at 0x7f3a...>, id-like hex) or a measured time (IPython's %time/%timeit, "took 1.2 s")
MACHINE_BOUND = re.compile(r"\b0x[0-9a-fA-F]{6,}\b|Wall time:|CPU times:|\bper loop\b|\btook \d+(\.\d+)? ?(s|ms|µs)\b")


def output_text(output):
    if "text" in output:
        return output["text"]
    return "\n".join(v for k, v in output.get("data", {}).items() if k.startswith("text/") and isinstance(v, str))


def problems(nb):
    """What breaks the rules in notebook `nb`, one sentence each ([] when nothing does)."""
    found = []
    code = [(i, c) for i, c in enumerate(nb.cells) if c.cell_type == "code" and c.source.strip()]
    counts = [c.execution_count for _, c in code]
    if counts != list(range(1, len(code) + 1)):
        found.append(f"execution counts are {counts}, not 1 to {len(code)} in order: re-run it top to bottom")
    for i, cell in code:
        lines = cell.source.splitlines()
        if any(IGNORE in line for line in lines[1:]):
            found.append(f"cell {i}: {IGNORE} stands below its first line, where nbval does not read it")
        if lines[0].strip() == IGNORE and not any(WIDGET in o.get("data", {}) for o in cell.outputs):
            found.append(f"cell {i}: {IGNORE} on a cell that shows no widget: its output is stored unchecked")
        for output in cell.outputs:
            hit = MACHINE_BOUND.search(output_text(output))
            if hit:
                found.append(f"cell {i}: a stored output holds {hit.group(0)!r}, which differs from machine to machine")
    return found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_the_stored_outputs_follow_the_rules(path):
    assert problems(nbformat.read(path, as_version=4)) == []


def test_each_rule_is_noticed():
    ok = nbformat.v4.new_code_cell("print(1)", execution_count=1,
                                   outputs=[nbformat.v4.new_output("stream", name="stdout", text="1\n")])
    widget = nbformat.v4.new_code_cell(f"{IGNORE}\nslider", execution_count=2, outputs=[nbformat.v4.new_output(
        "display_data", data={WIDGET: {"model_id": "m"}, "text/plain": "IntSlider()"})])
    assert problems(nbformat.v4.new_notebook(cells=[ok, widget])) == []

    def with_(**change):
        cells = [nbformat.v4.new_code_cell(**{**dict(source="print(1)", execution_count=1), **change})]
        return problems(nbformat.v4.new_notebook(cells=cells))

    assert "execution counts are [2]" in with_(execution_count=2)[0]
    assert "below its first line" in with_(source=f"x = 1\n{IGNORE}")[0]
    assert "shows no widget" in with_(source=f"{IGNORE}\nprint(1)")[0]
    for text in ("<object at 0x7f3a2b1c0d90>", "Wall time: 1.2 s", "3.1 ms ± 2 µs per loop", "took 0.8 s"):
        stored = [nbformat.v4.new_output("stream", name="stdout", text=text)]
        assert "differs from machine to machine" in with_(outputs=stored)[0], text
