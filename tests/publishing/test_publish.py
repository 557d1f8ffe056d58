"""scripts/publish.py: widget views become their stored frames; links to notebooks become links to pages; code cells
keep 4.5 : 1 contrast; a figure's description becomes its alt text."""
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup

import publish  # scripts/publish.py
from helpers import contrast

ROOT = Path(__file__).resolve().parents[2]


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


def test_contrast_formula_against_wcags_known_values():
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)  # the grey just below AA
    assert contrast("#008800", "#f5f5f5") == pytest.approx(4.25, abs=0.01)  # the old numbers, as axe measured


@pytest.mark.parametrize("background", ["style", "#f5f5f5", "#ffffff"])
def test_every_syntax_colour_of_the_code_cells_reaches_4_5_to_1(background):
    """Against the style's own background, JupyterLab's cell grey (--jp-cell-editor-background) and white."""
    from pygments.styles import get_style_by_name

    style = get_style_by_name(publish.PYGMENTS_STYLE)
    against = style.background_color if background == "style" else background
    colours = {token: spec["color"] for token, spec in style if spec["color"]}
    assert len(colours) > 10
    low = {str(t): f"#{c}: {contrast('#' + c, against):.2f}" for t, c in colours.items() if contrast("#" + c, against) < 4.5}
    assert low == {}


def test_a_figures_description_becomes_its_alt_text_on_the_site_and_the_slides():
    described = nbformat.v4.new_output("display_data", data={"image/png": "iVBORw0KGgo=", "text/plain": "a curve"},
                                       metadata={"image/png": {"alt": 'a curve that falls "fast" & flattens'}})
    bare = nbformat.v4.new_output("display_data", data={"image/png": "iVBORw0KGgo="})
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x", outputs=[described, bare])])
    for exporter in (publish.site_exporter(), publish.slides_exporter()):
        body, _ = exporter.from_notebook_node(nb, resources={"site": {"assets": "assets"}, "metadata": {"name": "t"}})
        alts = [img.get("alt") for img in BeautifulSoup(body, "html.parser").find_all("img")]
        assert alts == ['a curve that falls "fast" & flattens', "No description has been provided for this image"], \
            type(exporter).__name__


def test_going_further_sections_are_marked_on_the_site_the_slides_and_the_outline():
    core = nbformat.v4.new_markdown_cell("## 1 · The core")
    extra = nbformat.v4.new_markdown_cell("## 2 · Going further: depth", metadata={"tags": ["optional"]})
    nb = nbformat.v4.new_notebook(cells=[core, extra])
    for exporter in (publish.site_exporter(), publish.slides_exporter()):
        body, _ = exporter.from_notebook_node(nb, resources={"site": {"assets": "assets"}, "metadata": {"name": "t"}})
        marked = [el.get_text(" ", strip=True) for el in BeautifulSoup(body, "html.parser").select(".celltag_optional")]
        assert [m.rstrip(" ¶") for m in marked] == ["2 · Going further: depth"], type(exporter).__name__
        assert ".celltag_optional" in body  # the style that draws the bar
    assert publish.sections_of(nb) == ["1 · The core", "2 · Going further: depth *(optional)*"]
