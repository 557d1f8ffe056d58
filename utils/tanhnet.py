"""The tanh network of notebook 02 (theory exercise 2 of the course).

    z3 = x1 w13 + x2 w23,  a3 = tanh(z3);   z4 = x1 w14 + x2 w24,  a4 = tanh(z4)
    z5 = a3 w35 + a4 w45,  a5 = tanh(z5);   z6 = a3 w36 + a4 w46,  a6 = tanh(z6)
    y  = a5 + a6                                          (no biases)

Weights are a dict {"w13": ..., "w46": ...}; inputs a pair (x1, x2).
"""
import numpy as np

from ._validate import as_choice, as_float, as_float_array
from . import diagrams, style

WEIGHTS = ("w13", "w14", "w23", "w24", "w35", "w36", "w45", "w46")
EXAMPLE_X = (1.0, -0.5)
EXAMPLE_W = {"w13": 0.5, "w14": -0.3, "w23": 0.8, "w24": 0.2,
             "w35": 1.0, "w36": -0.7, "w45": 0.6, "w46": 0.9}
SATURATED = 0.1  # a unit whose slope 1 - a^2 is below this is drawn as saturated
LAYERS = [["x1", "x2"], ["3", "4"], ["5", "6"], ["y"]]
EDGES = [("x1", "3"), ("x1", "4"), ("x2", "3"), ("x2", "4"), ("3", "5"), ("3", "6"), ("4", "5"), ("4", "6"),
         ("5", "y"), ("6", "y")]


def validate(x, w):
    """Return (x1, x2) and the weight dict as floats, or raise naming the bad argument."""
    if isinstance(w, np.ndarray) or not hasattr(w, "keys"):
        raise TypeError(f"w must be a dict with keys {WEIGHTS}; got {type(w).__name__}")
    if set(w.keys()) != set(WEIGHTS):
        raise ValueError(f"w must have exactly the keys {WEIGHTS}; got {tuple(sorted(w.keys()))}")
    x = as_float_array("x", x, shape=(2,))
    return (float(x[0]), float(x[1])), {k: as_float(f"w[{k!r}]", w[k]) for k in WEIGHTS}


def _forward(x1, x2, w, tanh=np.tanh):
    f = {"x1": x1, "x2": x2}
    f["z3"] = x1 * w["w13"] + x2 * w["w23"]
    f["z4"] = x1 * w["w14"] + x2 * w["w24"]
    f["a3"], f["a4"] = tanh(f["z3"]), tanh(f["z4"])
    f["z5"] = f["a3"] * w["w35"] + f["a4"] * w["w45"]
    f["z6"] = f["a3"] * w["w36"] + f["a4"] * w["w46"]
    f["a5"], f["a6"] = tanh(f["z5"]), tanh(f["z6"])
    f["y"] = f["a5"] + f["a6"]
    return f


def forward(x, w):
    """Forward pass: a dict with x1, x2, z3..z6, a3..a6 and y (floats)."""
    (x1, x2), w = validate(x, w)
    return {k: float(v) for k, v in _forward(x1, x2, w).items()}


def _backward(f, w):
    # Every product is written out so that count_multiplications can count it.
    g = {"y": 1.0, "a5": 1.0, "a6": 1.0}                  # y = a5 + a6
    g["z5"] = 1 - f["a5"] * f["a5"]                       # tanh' = 1 - tanh^2
    g["z6"] = 1 - f["a6"] * f["a6"]
    g["a3"] = w["w35"] * g["z5"] + w["w36"] * g["z6"]     # a3 feeds z5 and z6: sum the two paths
    g["a4"] = w["w45"] * g["z5"] + w["w46"] * g["z6"]
    g["z3"] = g["a3"] * (1 - f["a3"] * f["a3"])
    g["z4"] = g["a4"] * (1 - f["a4"] * f["a4"])
    grads = {"w13": f["x1"] * g["z3"], "w23": f["x2"] * g["z3"], "w14": f["x1"] * g["z4"], "w24": f["x2"] * g["z4"],
             "w35": f["a3"] * g["z5"], "w45": f["a4"] * g["z5"], "w36": f["a3"] * g["z6"], "w46": f["a4"] * g["z6"]}
    return grads, g


def backward(x, w):
    """Backpropagation: (weight gradients {w13: dy/dw13, ...}, node gradients {z3: dy/dz3, a3: dy/da3, ...}).

    Shared terms (dy/dz5, dy/dz6, dy/dz3, dy/dz4) are computed once and reused.
    """
    (x1, x2), w = validate(x, w)
    grads, g = _backward(_forward(x1, x2, w), w)
    return {k: float(grads[k]) for k in WEIGHTS}, {k: float(v) for k, v in g.items()}


def _closed_form(f, w):
    # Each weight on its own, as a student would differentiate it: nothing is shared.
    def first_layer(x, a, w5, w6):
        return x * (1 - a * a) * (w5 * (1 - f["a5"] * f["a5"]) + w6 * (1 - f["a6"] * f["a6"]))

    return {"w13": first_layer(f["x1"], f["a3"], w["w35"], w["w36"]),
            "w23": first_layer(f["x2"], f["a3"], w["w35"], w["w36"]),
            "w14": first_layer(f["x1"], f["a4"], w["w45"], w["w46"]),
            "w24": first_layer(f["x2"], f["a4"], w["w45"], w["w46"]),
            "w35": f["a3"] * (1 - f["a5"] * f["a5"]), "w45": f["a4"] * (1 - f["a5"] * f["a5"]),
            "w36": f["a3"] * (1 - f["a6"] * f["a6"]), "w46": f["a4"] * (1 - f["a6"] * f["a6"])}


def closed_form(x, w):
    """The eight gradients from their closed forms, e.g.
    dy/dw13 = x1 (1 - a3^2) [w35 (1 - a5^2) + w36 (1 - a6^2)], each computed independently."""
    (x1, x2), w = validate(x, w)
    return {k: float(v) for k, v in _closed_form(_forward(x1, x2, w), w).items()}


class _Counted:
    """A number that counts the multiplications it takes part in."""

    def __init__(self, value, tally):
        self.value, self.tally = value, tally

    def _wrap(self, value):
        return _Counted(value, self.tally)

    @staticmethod
    def _raw(other):
        return other.value if isinstance(other, _Counted) else other

    def __mul__(self, other):
        self.tally[0] += 1
        return self._wrap(self.value * self._raw(other))

    __rmul__ = __mul__

    def __add__(self, other):
        return self._wrap(self.value + self._raw(other))

    __radd__ = __add__

    def __sub__(self, other):
        return self._wrap(self.value - self._raw(other))

    def __rsub__(self, other):
        return self._wrap(self._raw(other) - self.value)


def count_multiplications(method, x=EXAMPLE_X, w=EXAMPLE_W):
    """How many multiplications `method` ("backward" or "closed_form") needs for all eight gradients,
    given the forward values (the forward pass is the same for both and is not counted)."""
    funcs = {"backward": lambda f, w: _backward(f, w)[0], "closed_form": _closed_form}
    as_choice("method", method, tuple(funcs))
    (x1, x2), w = validate(x, w)
    tally = [0]
    f = {k: _Counted(v, tally) for k, v in _forward(x1, x2, w).items()}
    grads = funcs[method](f, {k: _Counted(v, tally) for k, v in w.items()})
    assert set(grads) == set(WEIGHTS)
    return tally[0]


def numerical_gradients(x, w, h=1e-5):
    """Centered finite differences of y for each weight."""
    from .gradcheck import numerical_gradient

    (x1, x2), w = validate(x, w)
    values = [np.array(w[k]) for k in WEIGHTS]
    num = numerical_gradient(lambda p: _forward(x1, x2, dict(zip(WEIGHTS, (float(v) for v in p))))["y"], values, h)
    return {k: float(g) for k, g in zip(WEIGHTS, num)}


def autograd_gradients(x, w):
    """dy/dw for each weight from torch.autograd in float64."""
    import torch

    (x1, x2), w = validate(x, w)
    params = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in w.items()}
    y = _forward(torch.tensor(x1, dtype=torch.float64), torch.tensor(x2, dtype=torch.float64), params, torch.tanh)["y"]
    y.backward()
    return {k: float(params[k].grad) for k in WEIGHTS}


def random_weights(rng, scale=1.0):
    """A weight dict with entries scale * N(0, 1), drawn from numpy Generator `rng`."""
    return {k: float(scale * v) for k, v in zip(WEIGHTS, rng.standard_normal(len(WEIGHTS)))}


def scaled(w, scale):
    """Every weight multiplied by `scale`."""
    scale = as_float("scale", scale)
    return {k: scale * v for k, v in validate((0.0, 0.0), w)[1].items()}


def graph_labels(x, w, show="values"):
    """What `draw` writes on the graph: (edge_text, node_text, node_colors) for draw_network.

    show="values": weights on edges, z and a on nodes; show="gradients": dy/dw on edges, dy/dz on nodes.
    Units whose slope tanh' = 1 - a^2 is below SATURATED are coloured orange.
    """
    as_choice("show", show, ("values", "gradients"))
    f = forward(x, w)
    grads, g = backward(x, w)
    weight_of = {e: f"w{e[0][-1]}{e[1]}" for e in EDGES if e[1] != "y"}
    if show == "values":
        edge_text = {e: f"{n}={w[n]:+.2f}" for e, n in weight_of.items()}
        node_text = {"x1": f"x1\n{f['x1']:+.2f}", "x2": f"x2\n{f['x2']:+.2f}", "y": f"y\n{f['y']:+.3f}"}
        node_text.update({u: f"z{u}={f['z' + u]:+.2f}\na{u}={f['a' + u]:+.2f}" for u in "3456"})
    else:
        edge_text = {e: f"∂y/∂{n}\n{grads[n]:+.3f}" for e, n in weight_of.items()}
        node_text = {"x1": "x1", "x2": "x2", "y": "∂y/∂y\n1"}
        node_text.update({u: f"∂y/∂z{u}\n{g['z' + u]:+.3f}" for u in "3456"})
    colors = {u: style.ORANGE if 1 - f["a" + u] ** 2 < SATURATED else "white" for u in "3456"}
    return edge_text, node_text, colors


def draw(ax, x, w, show="values", title=None):
    """Draw the graph with graph_labels(x, w, show) into `ax`; returns draw_network's handles."""
    edge_text, node_text, colors = graph_labels(x, w, show)
    return diagrams.draw_network(ax, LAYERS, EDGES, node_text=node_text, edge_text=edge_text, node_colors=colors,
                                 layer_labels=["inputs", "tanh units 3, 4", "tanh units 5, 6", "y = a5 + a6"],
                                 title=title, radius=0.45, spacing=2.0, label_at=0.3, layer_gap=3.0)


SCALES = np.geomspace(0.05, 10.0, 60)


def saturation_state(x1, x2, scale, w=EXAMPLE_W):
    """What the saturation widget shows: the network with weights scale * w at input (x1, x2).

    Returns a dict: x, w (scaled), forward, grads, nodes (dy/dz, dy/da), the curve |dy/dw13| over
    SCALES at this input (scales, curve), and text (the printed lines).
    """
    x = (as_float("x1", x1), as_float("x2", x2))
    scale = as_float("scale", scale)
    ws = scaled(w, scale)
    grads, nodes = backward(x, ws)
    f = forward(x, ws)
    curve = np.array([abs(backward(x, scaled(w, s))[0]["w13"]) for s in SCALES])
    slopes = ", ".join(f"1-a{u}²={1 - f['a' + u] ** 2:.3f}" for u in "3456")
    text = (f"x = ({x[0]:.2f}, {x[1]:.2f}), weights × {scale:.2f}: y = {f['y']:.4f}\n"
            f"dy/dw13 = {grads['w13']:.5f}; largest |dy/dw| = {max(abs(v) for v in grads.values()):.5f}\n"
            f"tanh slopes: {slopes}")
    return {"x": x, "w": ws, "scale": scale, "forward": f, "grads": grads, "nodes": nodes,
            "scales": SCALES, "curve": curve, "text": text}


class SaturationView:
    """The saturation widget's figure, made once: a slider move rewrites the graph's gradient labels and
    unit colours and moves the curve and its marker; axes, ticks and titles stay drawn (style.LiveFigure)."""

    CURVE_LIMITS = (1e-10, 1e2)  # fixed, so the ticks never change; smaller gradients are as good as dead

    def __init__(self):
        self.live = style.LiveFigure(figsize=(13, 5))
        ax_graph, ax_curve = self.live.fig.subplots(1, 2, width_ratios=(5, 2))
        self.drawn = draw(ax_graph, EXAMPLE_X, EXAMPLE_W, show="gradients",  # labels replaced by each update
                          title=f"gradients (orange: saturated, tanh' < {SATURATED})")
        for edge, text in self.drawn["edge_texts"].items():
            self.live.dynamic(edge, text)
        for u in "3456":
            self.live.dynamic(("circle", u), self.drawn["circles"][u])
            self.live.dynamic(("text", u), self.drawn["node_texts"][u])
        ax_curve.set(xscale="log", yscale="log", xlim=(SCALES[0], SCALES[-1]), ylim=self.CURVE_LIMITS,
                     xlabel="weight scale", ylabel="|dy/dw13|", title="the gradient dies as units saturate")
        style.plain_log_ticks(ax_curve.xaxis)
        style.plain_log_ticks(ax_curve.yaxis)
        self.curve = self.live.dynamic("curve", ax_curve.plot([], [], color=style.BLUE)[0])
        self.marker = self.live.dynamic("marker", ax_curve.plot([], [], "o", color=style.VERMILLION,
                                                                label="current scale", clip_on=False)[0])
        self.live.overlay(ax_curve.legend(fontsize=8, loc="lower left", framealpha=1))

    def update(self, state):
        """Show a saturation_state; returns self."""
        edge_text, node_text, colors = graph_labels(state["x"], state["w"], show="gradients")
        for edge, text in self.drawn["edge_texts"].items():
            text.set_text(edge_text[edge])
        for u in "3456":
            self.drawn["node_texts"][u].set_text(node_text[u])
            self.drawn["circles"][u].set_facecolor(colors[u])
        # Zero gradients (x1 = 0 makes dy/dw13 = 0) have no logarithm: they are drawn below the axes.
        self.curve.set_data(state["scales"], np.maximum(state["curve"], 1e-300))
        self.marker.set_data([state["scale"]], [max(abs(state["grads"]["w13"]), 1e-300)])
        return self

    def render(self, x1, x2, scale):
        """One frame for the sliders' values: (PNG bytes, the printed lines of saturation_state)."""
        state = saturation_state(x1, x2, scale)
        self.update(state)
        return self.live.png(), state["text"]
