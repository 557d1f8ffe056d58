"""diagrams' logic (not its drawing style): node names, positions, weight labels, sparse edges and the overlap
finder that the notebooks' diagram tests rely on."""
import matplotlib

matplotlib.use("Agg")
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from utils import diagrams


def test_mlp_layers_names_every_node():
    assert diagrams.mlp_layers((2, 3, 1)) == [["x1", "x2"], ["h1_1", "h1_2", "h1_3"], ["y"]]
    assert diagrams.mlp_layers((1, 2, 2, 3)) == [["x1"], ["h1_1", "h1_2"], ["h2_1", "h2_2"], ["y1", "y2", "y3"]]
    assert diagrams.mlp_layers((3, 1)) == [["x1", "x2", "x3"], ["y"]]


def test_layout_defaults_and_spacing():
    pos = diagrams.layout([["a"], ["b", "c"]])
    assert pos == {"a": (0.0, 0.0), "b": (1.0, 0.5), "c": (1.0, -0.5)}
    pos = diagrams.layout([["a", "b", "c", "d"]], spacing=0.5)
    assert [pos[k][1] for k in "abcd"] == [0.75, 0.25, -0.25, -0.75]


def test_weight_labels_and_nonzero_edges():
    layers = [["a", "b"], ["c", "d"], ["e"]]
    W = [np.array([[1.25, 0.0], [-2.0, 0.5]]), np.array([[0.0], [3.0]])]
    B = [np.array([0.5, -1.0]), np.array([2.0])]
    edge_text, node_text = diagrams.weight_labels(layers, W, B)
    assert edge_text == {("a", "c"): "+1.2", ("b", "c"): "-2.0", ("b", "d"): "+0.5", ("d", "e"): "+3.0"}
    assert node_text == {"c": "b=+0.5", "d": "b=-1.0", "e": "b=+2.0"}
    edge_text, node_text = diagrams.weight_labels(layers, W, fmt="{:.2f}")
    assert edge_text[("a", "c")] == "1.25" and node_text == {}
    assert diagrams.nonzero_edges(layers, W) == [("a", "c"), ("b", "c"), ("b", "d"), ("d", "e")]


def draw(layers, **kwargs):
    fig = Figure(figsize=(4, 3))
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    return ax, diagrams.draw_network(ax, layers, **kwargs)


def test_label_overlaps_is_empty_for_a_readable_drawing():
    ax, drawn = draw([["a", "b"], ["c"]], edge_text={("a", "c"): "w1"}, layer_labels=["in", "out"], title="t",
                     label_at=0.5, layer_gap=2.0)
    assert diagrams.label_overlaps(ax, drawn) == []


def test_label_overlaps_finds_overlapping_texts():
    ax, drawn = draw([["a", "b"], ["c"]], title="t")
    ax.text(0.0, 0.5, "a long label over the node a")  # over node a's own text
    pairs = diagrams.label_overlaps(ax, drawn)
    assert ("a", "a long label over the node a") in pairs
    assert ("a long label over the node a", "node a") in pairs  # and over its circle


def test_label_overlaps_finds_an_edge_label_on_another_node():
    ax, drawn = draw([["a", "b"], ["c"]], edge_text={("a", "c"): "edge label"}, label_at=0.95)
    pairs = diagrams.label_overlaps(ax, drawn)
    assert ("edge label", "node c") in pairs
    # a node's own text on its own circle is no overlap, and hidden or blank texts are ignored
    assert not any(p[0] in "abc" and p[1] == f"node {p[0]}" for p in pairs)
    drawn["edge_texts"][("a", "c")].set_visible(False)
    ax.text(0.0, 0.5, "   ")
    assert diagrams.label_overlaps(ax, drawn) == []


def test_label_overlaps_checks_the_title():
    ax, drawn = draw([["a"]], title="a title")
    assert diagrams.label_overlaps(ax, drawn) == []
    ax.text(0.5, 1.02, "text under the title", transform=ax.transAxes, ha="center", va="bottom")
    assert ("text under the title", "a title") in diagrams.label_overlaps(ax, drawn)


def test_weight_labels_of_infinite_weights():
    edge_text, _ = diagrams.weight_labels([["a"], ["b", "c"]], [np.array([[np.inf, -np.inf]])])
    assert edge_text == {("a", "b"): "+inf", ("a", "c"): "-inf"}
