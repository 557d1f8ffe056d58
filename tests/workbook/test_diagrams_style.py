import base64

import matplotlib

matplotlib.use("Agg")
import ipywidgets
import numpy as np
import pytest
from bs4 import BeautifulSoup
from helpers import raises_naming

from utils import diagrams, style, threshold


def test_layout_centres_each_layer():
    pos = diagrams.layout([["a", "b"], ["c"], ["d", "e", "f"]], spacing=2.0, layer_gap=3.0)
    assert pos["a"] == (0.0, 1.0) and pos["b"] == (0.0, -1.0) and pos["c"] == (3.0, 0.0)
    assert [pos[k][1] for k in "def"] == [2.0, 0.0, -2.0] and pos["d"][0] == 6.0


def test_mlp_layers_and_weight_labels():
    layers = diagrams.mlp_layers((4, 6, 6, 6, 1))
    assert [len(l) for l in layers] == [4, 6, 6, 6, 1] and layers[-1] == ["y"]
    W, B = threshold.square_network("tree")
    names = [["x1", "x2"], ["u1", "u2", "u3", "u4"], ["p", "q"], ["A"]]
    edges = diagrams.nonzero_edges(names, W)
    assert len(edges) == int(sum((w != 0).sum() for w in W)) == 4 + 4 + 2
    edge_text, node_text = diagrams.weight_labels(names, W, B)
    assert edge_text[("x1", "u2")] == "-1.0" and node_text["A"] == "b=-1.5" and ("x1", "u3") not in edge_text


def test_draw_network_draws_every_node_and_edge():
    fig = style.figure()
    ax = fig.subplots()
    drawn = diagrams.draw_network(ax, [["a", "b"], ["c"]], edge_text={("a", "c"): "w"}, node_colors={"c": "red"})
    assert set(drawn["pos"]) == {"a", "b", "c"} and len(ax.patches) == 3 and len(ax.lines) == 2
    assert "w" in [t.get_text() for t in ax.texts]
    # The handles are the drawn artists, for widgets that change them in place.
    assert drawn["edge_texts"][("a", "c")].get_text() == "w" and set(drawn["edge_texts"]) == {("a", "c")}
    assert [drawn["node_texts"][k].get_text() for k in "abc"] == ["a", "b", "c"]
    assert set(drawn["circles"].values()) == set(ax.patches)
    assert drawn["circles"]["c"].get_facecolor()[:3] == (1.0, 0.0, 0.0)


def test_live_output_renders_at_once_and_on_every_change():
    calls = []

    def render(a, b):
        calls.append((a, b))
        return style.LiveFigure(figsize=(1, 1)).png(), f"a={a}"

    controls = {"a": ipywidgets.FloatSlider(value=1.0), "b": ipywidgets.Checkbox(value=False)}
    out = style.live_output(controls, render)
    assert isinstance(out, ipywidgets.Output) and calls == [(1.0, False)]
    controls["a"].value = 2.0
    controls["b"].value = True
    assert calls == [(1.0, False), (2.0, False), (2.0, True)]


@pytest.fixture
def displayed(monkeypatch):
    """What IPython's display received: [(object, keyword arguments)]."""
    import IPython.display

    seen = []
    monkeypatch.setattr(IPython.display, "display", lambda obj, **kw: seen.append((obj, kw)))
    return seen


def test_live_output_gives_the_picture_its_description_as_alt_text(displayed):
    png = style.LiveFigure(figsize=(1, 1)).png()
    renders = iter([(png, "a=1"), (png, "a=2", 'κ = 2 & "steep"')])
    control = ipywidgets.FloatSlider(value=1.0)
    style.live_output({"a": control}, lambda a: next(renders))
    control.value = 2.0
    pictures = [obj for obj, kw in displayed if isinstance(obj, dict)]
    assert [p["text/plain"] for p in pictures] == [style.DESCRIPTION_TO_WRITE, 'κ = 2 & "steep"']
    img = BeautifulSoup(pictures[1]["text/html"], "html.parser").img
    assert img["alt"] == 'κ = 2 & "steep"'
    assert base64.b64decode(img["src"].removeprefix("data:image/png;base64,")) == png


def test_show_puts_the_description_in_the_outputs_metadata_and_text(displayed):
    fig = style.figure(figsize=(2, 1))
    fig.subplots().plot([0, 1], [1, 0])
    style.show(fig)
    assert style.describe(fig, "  a line falling from 1 to 0 ") is fig
    style.show(fig)
    (first, first_kw), (second, second_kw) = displayed
    assert first["text/plain"] == first_kw["metadata"]["image/png"]["alt"] == style.DESCRIPTION_TO_WRITE
    assert second["text/plain"] == second_kw["metadata"]["image/png"]["alt"] == "a line falling from 1 to 0"
    assert second_kw["raw"] and base64.b64decode(second["image/png"]).startswith(b"\x89PNG")


def test_show_outputs_the_description_alone_when_figures_are_text(displayed, monkeypatch):
    fig = style.describe(style.figure(figsize=(2, 1)), "a line falling from 1 to 0")
    fig.subplots().plot([0, 1], [1, 0])
    monkeypatch.setenv(style.FIGURES_VAR, "text")
    style.show(fig)
    monkeypatch.setenv(style.FIGURES_VAR, "png")
    style.show(fig)
    (text_only, _), (picture, _) = displayed
    assert text_only == {"text/plain": "a line falling from 1 to 0"}
    assert picture["text/plain"] == text_only["text/plain"] and "image/png" in picture
    monkeypatch.setenv(style.FIGURES_VAR, "svg")
    with raises_naming(style.FIGURES_VAR, "'svg'"):
        style.show(fig)


@pytest.mark.parametrize("bad", ["", "   ", None, 3])
def test_a_description_must_be_text(bad):
    with raises_naming("description", repr(bad)):
        style.describe(style.figure(), bad)


def test_plain_log_ticks_label_without_mathtext():
    fig = style.figure()
    ax = fig.subplots()
    ax.loglog([1e-3, 1e2], [1, 10])
    style.plain_log_ticks(ax.xaxis)
    fig.canvas.draw()
    low, high = ax.get_xlim()
    shown = [(v, t.get_text()) for v, t in zip(ax.get_xticks(), ax.get_xticklabels()) if low <= v <= high]
    assert [t for _, t in shown] == ["0.001", "0.01", "0.1", "1", "10", "100"]
    assert [v for v, _ in shown] == pytest.approx([1e-3, 1e-2, 1e-1, 1, 10, 100])
    assert np.array_equal(ax.xaxis.get_minorticklocs(), [])
