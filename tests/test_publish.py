"""scripts/publish.py's preprocessors: widget views become their stored frames; links to notebooks become links to pages."""
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import publish  # noqa: E402


def view(model_id):
    return nbformat.v4.new_output("display_data", data={publish.VIEW: {"model_id": model_id, "version_major": 2},
                                                         "text/plain": "VBox(...)"})


def notebook_with_widgets():
    picture = nbformat.v4.new_output("display_data", data={"image/png": "iVBORw0KGgo="})
    printed = nbformat.v4.new_output("stream", name="stdout", text="kappa = 21.00\n")
    state = {
        "box": {"model_name": "VBoxModel", "state": {"children": ["IPY_MODEL_s", "IPY_MODEL_c"]}},
        "s": {"model_name": "FloatSliderModel", "state": {"description": "σ", "value": 0.5}},
        "c": {"model_name": "CheckboxModel", "state": {"description": "centre", "value": False}},
        "out": {"model_name": "OutputModel", "state": {"outputs": [picture, printed]}},
    }
    plain = nbformat.v4.new_output("stream", name="stdout", text="kept\n")
    cells = [nbformat.v4.new_code_cell("w", outputs=[view("box"), view("out"), plain]),
             nbformat.v4.new_code_cell("gone", outputs=[view("never-stored")])]
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["widgets"] = {publish.STATE: {"state": state, "version_major": 2, "version_minor": 0}}
    return nb


def test_widget_views_become_the_stored_frame_and_the_controls_positions():
    nb, _ = publish.StaticWidgetFrames().preprocess(notebook_with_widgets(), {})
    controls, picture, printed, plain = nb.cells[0].outputs
    assert "controls at σ = 0.5; centre = off" in controls.data["text/plain"]
    assert picture.data["image/png"] == "iVBORw0KGgo=" and printed.text == "kappa = 21.00\n"
    assert plain.text == "kept\n"
    [note] = nb.cells[1].outputs
    assert "run the notebook" in note.data["text/plain"]
    assert "widgets" not in nb.metadata  # no widget manager is needed, none is loaded
    assert not any(publish.VIEW in o.get("data", {}) for c in nb.cells for o in c.outputs)


@pytest.mark.parametrize("source, expected", [
    ("see [notebook 03](03-hessian-conditioning.ipynb).", "see [notebook 03](03-hessian-conditioning.html)."),
    ("[§2](02-tanh-chain-rule.ipynb#2-·-x)", "[§2](02-tanh-chain-rule.html#2-·-x)"),
    ("[data](../data/data.npz) and [x](https://example.org/a.ipynb)",
     "[data](../data/data.npz) and [x](https://example.org/a.ipynb)"),
])
def test_links_to_sibling_notebooks_point_to_their_pages(source, expected):
    cell, _ = publish.NotebookLinks().preprocess_cell(nbformat.v4.new_markdown_cell(source), {}, 0)
    assert cell.source == expected


def test_a_missing_node_modules_folder_is_named(tmp_path, monkeypatch):
    monkeypatch.setattr(publish, "NODE_MODULES", tmp_path / "node_modules")
    with pytest.raises(SystemExit, match="npm ci"):
        publish.copy_assets(publish.MATHJAX, tmp_path / "out")
