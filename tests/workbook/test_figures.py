"""Every figure of utils, drawn, and checked for what a reader who sees colours differently needs (WCAG 2.1, 1.4.1:
colour is not the only way to tell things apart): in one axes, no two series share both line style and marker,
and two or more series are named by a legend; and (1.4.11) every series' colour has 3 : 1 against the axes. A series is a line with a legend label (labels starting with "_"
are matplotlib's unnamed artists: network edges, outlines). The figures' text alternatives are counted apart
(tests/browser/test_accessibility.py); here each figure function's output is also shown to carry one. And the one rule
for figures: notebooks draw none inline.
"""
import inspect
import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import nbformat
import numpy as np
import pytest
from matplotlib.lines import Line2D

from helpers import contrast
from utils import conditioning, diagrams, mlp, sharpness, style, tanhnet, threshold


def _run(step):
    H = conditioning.hessian(np.array([2.0, 1.0]), 0.5)
    run = conditioning.gradient_descent(H, step, max_steps=30)
    return conditioning.eigendirection_errors(H, step, run["path"])


def _states():
    return [conditioning.widget_state(2.0, 1.0, 0.5, f) for f in (0.5, 0.9, 1.02)]


def _view(make, *args):
    view = make()
    view.render(*args)
    return view.live.fig


def _on_axes(draw, *args, **kwargs):
    fig = style.figure(figsize=(6, 4))
    draw(fig.subplots(), *args, **kwargs)
    return fig


kappas = np.geomspace(1.5, 1000, 6)
FIGURES = {  # name: () -> a drawn Figure, with small inputs shaped as the notebooks' are
    "conditioning.ConditioningView": lambda: _view(conditioning.ConditioningView, 2, 1, 0.5, 0.5, False, 0.5),
    "conditioning.hessian_convergence_figure": lambda: conditioning.hessian_convergence_figure(
        [10, 100, 1000], [1.0, 0.3, 0.1]),
    "conditioning.step_rules_figure": lambda: conditioning.step_rules_figure(_states(), ["a", "b", "c"]),
    "conditioning.eigendirection_figure": lambda: conditioning.eigendirection_figure(
        [("optimal", 0.36, _run(0.36)), ("1.5/λmax", 0.29, _run(0.29))]),
    "conditioning.momentum_figure": lambda: conditioning.momentum_figure(
        kappas, {"steps": kappas * 10, "predicted_steps": kappas * 10, "rate": 1 - 2 / kappas,
                 "predicted_rate": 1 - 2 / kappas},
        {"steps": np.sqrt(kappas) * 10, "band": np.c_[np.sqrt(kappas) * 9, np.sqrt(kappas) * 11],
         "rate": 1 - 2 / np.sqrt(kappas), "predicted_rate": 1 - 2 / np.sqrt(kappas)}),
    "conditioning.centring_figure": lambda: conditioning.centring_figure([1, 2, 4, 8], [3.0, 2.0, 1.5, 1.25], 21.0),
    "threshold.HalfplaneView": lambda: _view(threshold.HalfplaneView, 1.0, 0.5, 0.5),
    "threshold.draw_threshold_network": lambda: _on_axes(
        threshold.draw_threshold_network, *threshold.square_network("single"),
        [["x1", "x2"], ["u1", "u2", "u3", "u4"], ["A"]]),
    "threshold.plot_region": lambda: _on_axes(
        threshold.plot_region, *np.meshgrid(np.linspace(-1, 1, 5), np.linspace(-1, 1, 5)), np.eye(5), "region",
        [np.array([[0, 0], [1, 0], [0, 1]])]),
    "threshold.network_figure": lambda: threshold.network_figure(
        [(*threshold.xor_network(), [["x1", "x2"], ["or", "nand"], ["xor"]], "XOR")]),
    "threshold.region_figure": lambda: threshold.region_figure(
        np.linspace(-1, 1, 5), np.linspace(-1, 1, 5), [(np.eye(5), "region", [np.array([[0, 0], [1, 0], [0, 1]])])]),
    "threshold.smooth_figure": lambda: threshold.smooth_figure(
        np.linspace(-2, 2, 9), np.linspace(-2, 2, 9), (np.abs(np.linspace(-2, 2, 9)) < 1.2)[None, :] * np.ones((9, 1))),
    "tanhnet.SaturationView": lambda: _view(tanhnet.SaturationView, 1.0, -0.5, 1.0),
    "tanhnet.network_figure": lambda: tanhnet.network_figure(tanhnet.EXAMPLE_X, tanhnet.EXAMPLE_W, show="deltas"),
    "tanhnet.depth_cost_figure": lambda: tanhnet.depth_cost_figure([1, 2, 3], [6, 18, 30], [8, 36, 104]),
    "tanhnet.saturation_curves_figure": lambda: tanhnet.saturation_curves_figure(
        np.geomspace(0.1, 10.0, 41), [tanhnet.SATURATION_X, (2.0, 2.0)]),
    "tanhnet.draw": lambda: _on_axes(tanhnet.draw, tanhnet.EXAMPLE_X, tanhnet.EXAMPLE_W),
    "diagrams.draw_network": lambda: _on_axes(diagrams.draw_network, diagrams.mlp_layers((2, 3, 1))),
    "mlp.draw": lambda: _on_axes(mlp.draw, (2, 3, 1)),
    "mlp.network_figure": lambda: mlp.network_figure((2, 3, 1)),
    "sharpness.training_figure": lambda: sharpness.training_figure(
        {eta: {"losses": np.array([1.0, 0.5, 0.9, 0.3]), "sharp_steps": np.array([0, 2]), "sharpness": np.array(s)}
         for eta, s in ((0.5, [5.0, 3.0]), (0.1, [5.0, 6.0]))}),
}


def series(ax):
    """The named lines of `ax`: [(label, colour, line style, marker)]; a line without data and a legend label
    is a legend proxy and counts too (it names something drawn)."""
    return [(line.get_label(), matplotlib.colors.to_hex(line.get_color()), line.get_linestyle(), line.get_marker())
            for line in ax.get_lines() if isinstance(line, Line2D) and not line.get_label().startswith("_")]


def same_look(ax):
    """Pairs of series of `ax` that differ in nothing but colour (or in nothing at all)."""
    found = series(ax)
    return [(a[0], b[0]) for i, a in enumerate(found) for b in found[i + 1:]
            if (a[2], _marker(a[3])) == (b[2], _marker(b[3]))]


def _marker(m):
    return "none" if m in (None, "None", "none", "", " ") else m


def test_every_figure_function_of_utils_is_drawn_here():
    """A new figure in utils (a *_figure function, a *View class, a draw* or plot* function) must join FIGURES."""
    found = {f"{module.__name__.split('.')[-1]}.{name}"
             for module in (conditioning, diagrams, mlp, sharpness, style, tanhnet, threshold)
             for name, obj in vars(module).items()
             if (inspect.isfunction(obj) or inspect.isclass(obj)) and obj.__module__ == module.__name__
             and (name.endswith(("_figure", "View")) or name.startswith(("draw", "plot")))}
    # draw_state and update_drawing draw into the ConditioningView and step_rules_figure above
    assert found - set(FIGURES) == {"conditioning.draw_state"}, found - set(FIGURES)


@pytest.mark.parametrize("name", FIGURES)
def test_series_differ_in_more_than_colour_are_named_and_stand_out(name):
    fig = FIGURES[name]()
    fig.canvas.draw()
    for ax in fig.axes:
        assert same_look(ax) == [], (name, ax.get_title(), series(ax))
        if len(series(ax)) >= 2:
            assert ax.get_legend() is not None, (name, ax.get_title(), "two or more series and no legend")
        background = matplotlib.colors.to_hex(ax.get_facecolor())
        faint = [(label, colour, round(contrast(colour, background), 2)) for label, colour, _, _ in series(ax)
                 if contrast(colour, background) < 3]
        assert faint == [], (name, ax.get_title())


def test_the_check_finds_series_told_apart_by_colour_alone():
    """The check itself: two solid lines in blue and orange fail; a dashed one, or a marker, tells them apart."""
    fig = style.figure()
    ax = fig.subplots()
    ax.plot([0, 1], [0, 1], color=style.BLUE, label="a")
    ax.plot([0, 1], [1, 0], color=style.ORANGE, label="b")
    ax.plot([0, 1], [1, 1], color="0.5")  # unnamed (an edge, a guide): not a series
    assert same_look(ax) == [("a", "b")]
    ax.get_lines()[1].set_linestyle("--")
    assert same_look(ax) == []
    ax.plot([0, 1], [0.5, 0.5], "o", color=style.GREEN, label="c")
    ax.plot([0, 1], [0.2, 0.2], "o", color=style.PURPLE, label="d")
    assert same_look(ax) == [("c", "d")]
    assert contrast(style.ORANGE, "#ffffff") < 3 < contrast(style.PURPLE, "#ffffff")  # Okabe-Ito's orange is too faint


@pytest.mark.parametrize("name", [n for n in FIGURES if n.endswith("_figure")])
def test_every_figure_function_describes_its_figure(name):
    """Each figure function gives its figure a text alternative of its own (what to see in it), which `show`
    carries to JupyterLab, the site, the slides and Voila; never the placeholder."""
    text = style.description_of(FIGURES[name]())
    assert text != style.DESCRIPTION_TO_WRITE and len(text.split()) >= 8, (name, text)


NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("[0-9][0-9]-*.ipynb"))
DRAWING = re.compile(r"\bplt\.|\.subplots\(|\bFigure\(|\.(plot|semilogy|loglog|scatter|imshow|contourf?)\(")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebooks_draw_no_figure_inline(path):
    """The one rule for figures: a notebook calls utils (which this file's tests draw and check), it draws nothing
    itself."""
    cells = nbformat.read(path, as_version=4).cells
    drawing = [i for i, c in enumerate(cells) if c.cell_type == "code" and DRAWING.search(c.source)]
    assert drawing == [], f"{path.name}: cells {drawing} draw a figure inline; move it to utils/<topic>.py"


PLACEHOLDER_TEXTS = {style.DESCRIPTION_TO_WRITE, "No description has been provided for this image"}


def stored_images(nb):
    """[(where, alt text or None)] of every PNG the notebook stored: cell outputs and widget frames (the Output
    widgets' outputs in the saved widget state, which the site, the slides and Voila show)."""
    found = []
    for i, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if "image/png" in output.get("data", {}):
                found.append((f"cell {i}", output.get("metadata", {}).get("image/png", {}).get("alt")))
    state = nb.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {}).get("state", {})
    for model_id, model in state.items():
        for output in model.get("state", {}).get("outputs", []) or []:
            if "image/png" in output.get("data", {}):
                found.append((f"widget {model_id[:8]}", output.get("metadata", {}).get("image/png", {}).get("alt")))
    return found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_stored_image_has_a_real_description(path):
    """WCAG 1.1.1: each figure's text alternative says what to see in it, not a placeholder."""
    images = stored_images(nbformat.read(path, as_version=4))
    assert images, f"{path.name} stores no image"
    bad = [(where, alt) for where, alt in images if not alt or alt in PLACEHOLDER_TEXTS or len(alt.split()) < 8]
    assert bad == [], f"{path.name}: images without a real description: {bad}"
