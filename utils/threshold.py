"""Threshold units, logic gates and polygons (notebook 01).

A unit computes a = 1[z > 0] with z = x @ w + b: it fires on an open half-plane.
Networks use the orientation of notebook 04: W[l] of shape (fan_in, fan_out),
B[l] of shape (fan_out,).
"""
import numpy as np

from ._validate import as_choice, as_float, as_float_array, as_int
from . import diagrams, mlp, style


def step(z):
    """The threshold activation 1[z > 0] (strict: z = 0 gives 0), as floats of z's shape."""
    return (as_float_array("z", z, allow_empty=True) > 0).astype(np.float64)


def forward(X, W, B):
    """Run a threshold network. X: (N, d0). Returns the list of layer outputs, the last of shape (N, d_out)."""
    X, W, B = mlp.validate_network(X, W, B)
    outputs, A = [], X
    for w, b in zip(W, B):
        A = step(A @ w + b)
        outputs.append(A)
    return outputs


def predict(X, W, B):
    """The network's output for each row of X, as a flat array of 0.0 / 1.0, shape (N,)."""
    return forward(X, W, B)[-1][:, 0]


# One unit each, weights chosen by hand: a gate fires when enough (or few enough) inputs are on.
_GATES = {
    "AND": ([[1.0], [1.0]], [-1.5]),
    "OR": ([[1.0], [1.0]], [-0.5]),
    "NAND": ([[-1.0], [-1.0]], [1.5]),
    "NOR": ([[-1.0], [-1.0]], [0.5]),
    "NOT": ([[-1.0]], [0.5]),
}
GATE_NAMES = tuple(_GATES)


def gate(name):
    """(W, B) of a one-unit network computing the gate `name` (one of GATE_NAMES) on inputs in {0, 1}."""
    w, b = _GATES[as_choice("name", name, GATE_NAMES)]
    return [np.array(w)], [np.array(b)]


def xor_network():
    """(W, B) of XOR = AND(OR(x1, x2), NAND(x1, x2)): a hidden layer of two units, then one."""
    (w_or,), (b_or,) = gate("OR")
    (w_nand,), (b_nand,) = gate("NAND")
    (w_and,), (b_and,) = gate("AND")
    return [np.hstack([w_or, w_nand]), w_and], [np.concatenate([b_or, b_nand]), b_and]


def single_units_computing(table, values):
    """How many single units compute the two-input truth table `table`, over a grid of weights.

    table: (4,) of 0/1, the outputs for the inputs 00, 01, 10, 11 (counting order).
    values: (k,) the values tried for each of w1, w2 and b (every combination: k**3 units).
    Returns (number of units whose outputs equal `table` on all four inputs, k**3).
    """
    table = as_float_array("table", table, shape=(4,))
    if not np.all((table == 0) | (table == 1)):
        raise ValueError(f"table must hold only 0 and 1 (a truth table); got {table}")
    v = as_float_array("values", values, ndim=1)
    w1, w2, b = (g.ravel() for g in np.meshgrid(v, v, v, indexing="ij"))
    X = binary_inputs(2)
    fires = (np.outer(X[:, 0], w1) + np.outer(X[:, 1], w2) + b) > 0  # (4, k**3)
    return int(np.all(fires == (table[:, None] > 0.5), axis=0).sum()), w1.size


def binary_inputs(n_inputs):
    """All 2**n rows of {0, 1}**n, shape (2**n, n), in counting order."""
    n_inputs = as_int("n_inputs", n_inputs, low=1, high=16)
    codes = np.arange(2 ** n_inputs)[:, None] >> np.arange(n_inputs - 1, -1, -1)
    return (codes & 1).astype(np.float64)


# The course's square: x1 + 1 > 0, -x1 + 1 > 0, x2 + 1 > 0, -x2 + 1 > 0, one unit per inequality.
SQUARE_W0 = np.array([[1.0, -1.0, 0.0, 0.0], [0.0, 0.0, 1.0, -1.0]])
SQUARE_B0 = np.array([1.0, 1.0, 1.0, 1.0])


def square_network(kind="single"):
    """(W, B) of the open square |x1| < 1, |x2| < 1.

    kind="single": the four half-plane units, then one AND over four (weights 1, bias -3.5).
    kind="tree": the version of a solution submitted in an earlier year of the course, two-input ANDs:
    (u1 AND u2), (u3 AND u4), then the AND of those.
    """
    as_choice("kind", kind, ("single", "tree"))
    if kind == "single":
        return [SQUARE_W0.copy(), np.ones((4, 1))], [SQUARE_B0.copy(), np.array([-3.5])]
    if kind == "tree":
        pairs = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0], [0.0, 1.0]])
        return ([SQUARE_W0.copy(), pairs, np.ones((2, 1))],
                [SQUARE_B0.copy(), np.array([-1.5, -1.5]), np.array([-1.5])])


def open_square(X):
    """Reference indicator of class A, the open square: 1.0 where |x1| < 1 and |x2| < 1. X: (N, 2) -> (N,)."""
    X = as_float_array("X", X, shape=(None, 2))
    return ((np.abs(X[:, 0]) < 1) & (np.abs(X[:, 1]) < 1)).astype(np.float64)


def _convex_polygon(vertices):
    """Validate a convex polygon; return its vertices (k, 2) in counter-clockwise order."""
    V = as_float_array("vertices", vertices, shape=(None, 2))
    if len(V) < 3:
        raise ValueError(f"vertices must have at least 3 rows; got {len(V)}")
    edges = np.roll(V, -1, axis=0) - V
    lengths = np.linalg.norm(edges, axis=1)
    if np.any(lengths <= 1e-12 * max(1.0, np.abs(V).max())):
        raise ValueError("vertices must be distinct: two consecutive vertices coincide (degenerate polygon)")
    turns = edges[:, 0] * np.roll(edges, -1, axis=0)[:, 1] - edges[:, 1] * np.roll(edges, -1, axis=0)[:, 0]
    scale = lengths * np.roll(lengths, -1)
    if np.any(np.abs(turns) <= 1e-12 * scale):
        raise ValueError("vertices must turn at every vertex: three consecutive vertices are collinear (degenerate polygon)")
    if not (np.all(turns > 0) or np.all(turns < 0)):
        raise ValueError("vertices must describe a convex polygon: the boundary turns both left and right")
    angles = np.arctan2(edges[:, 1], edges[:, 0])
    winding = np.sum(np.angle(np.exp(1j * (np.roll(angles, -1) - angles))))
    if abs(abs(winding) - 2 * np.pi) > 1e-6:
        raise ValueError("vertices must describe a simple convex polygon: the boundary winds around more than once")
    return V if turns[0] > 0 else V[::-1].copy()


def halfplane_layer(vertices):
    """First layer for a convex polygon: one unit per edge that fires strictly inside that edge.

    vertices: (k, 2), in either orientation. Returns W0 (2, k) and B0 (k,):
    for an edge from v to v' (counter-clockwise), w = (-(v'-v)_y, (v'-v)_x), the inward normal, and b = -w . v.
    """
    V = _convex_polygon(vertices)
    d = np.roll(V, -1, axis=0) - V
    normals = np.stack([-d[:, 1], d[:, 0]], axis=1)
    return normals.T.copy(), -np.einsum("ij,ij->i", normals, V)


def polygon_network(vertices):
    """(W, B) of a network firing exactly on the open interior of a convex polygon.

    One unit per edge (halfplane_layer), then one AND over all k of them (weights 1, bias -(k - 0.5)).
    Raises ValueError for fewer than 3 vertices, repeated or collinear vertices, or a non-convex polygon.
    Up to round-off: consecutive vertices closer than 1e-12 * max(1, largest |coordinate|) are repeated, and
    three consecutive vertices whose turn has |sin| <= 1e-12 are collinear.
    """
    W0, B0 = halfplane_layer(vertices)
    k = W0.shape[1]
    return [W0, np.ones((k, 1))], [B0, np.array([-(k - 0.5)])]


def union_network(pieces):
    """(W, B) of a network firing on the union of the open interiors of convex polygons.

    pieces: list of vertex arrays. Layer 1 stacks every piece's edge units; layer 2
    has one AND per piece (block weights); layer 3 is an OR (weights 1, bias -0.5).
    """
    if not isinstance(pieces, (list, tuple)) or len(pieces) == 0:
        raise ValueError(f"pieces must be a non-empty list of vertex arrays; got {type(pieces).__name__}")
    firsts = [halfplane_layer(p) for p in pieces]
    W0 = np.hstack([w for w, _ in firsts])
    B0 = np.concatenate([b for _, b in firsts])
    sizes = [w.shape[1] for w, _ in firsts]
    W1 = np.zeros((sum(sizes), len(pieces)))
    start = 0
    for j, k in enumerate(sizes):
        W1[start:start + k, j] = 1.0
        start += k
    B1 = np.array([-(k - 0.5) for k in sizes])
    return [W0, W1, np.ones((len(pieces), 1))], [B0, B1, np.array([-0.5])]


def train_smooth(X, y, hidden=16, steps=400, lr=0.05, seed=1):
    """Train a smooth network on labelled points: 2 -> `hidden` tanh units -> 1 sigmoid output, binary
    cross-entropy, full-batch Adam (beta1 = 0.9, beta2 = 0.999, eps = 1e-8), float64. X (N, 2), y (N,) of 0/1;
    `seed` sets the initial weights (the caller's torch random state is left as it was). By default 16 hidden
    units, 400 steps, lr 0.05, seed 1; 1 <= hidden <= 4096, 1 <= steps <= 10**6, 0 < lr <= 10, seed >= 0.

    Returns (classify, final_loss): classify(P) is 1.0 where the trained output exceeds 1/2, shape (M,) for P (M, 2).
    """
    import torch  # here, not at the top: `import utils` does not load torch

    X = torch.tensor(as_float_array("X", X, shape=(None, 2)))
    y = torch.tensor(as_float_array("y", y, shape=(X.shape[0],)))
    hidden = as_int("hidden", hidden, low=1, high=4096)
    lr = as_float("lr", lr, low=0.0, low_open=True, high=10.0)
    with torch.random.fork_rng():
        torch.manual_seed(as_int("seed", seed, low=0))
        net = torch.nn.Sequential(torch.nn.Linear(2, hidden), torch.nn.Tanh(), torch.nn.Linear(hidden, 1)).double()
    params = list(net.parameters())
    m = [torch.zeros_like(p) for p in params]
    v = [torch.zeros_like(p) for p in params]
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # matrices of N x 16: a second thread only waits, and on a busy machine spins
    try:
        # Adam written out: constructing torch.optim.Adam imports torch._dynamo, 2 s of a 5 s notebook.
        for t in range(1, as_int("steps", steps, low=1, high=10 ** 6) + 1):
            net.zero_grad()
            loss = torch.nn.functional.binary_cross_entropy_with_logits(net(X)[:, 0], y)
            loss.backward()
            with torch.no_grad():
                for p, m_p, v_p in zip(params, m, v):
                    m_p.mul_(0.9).add_(p.grad, alpha=0.1)
                    v_p.mul_(0.999).addcmul_(p.grad, p.grad, value=0.001)
                    p -= lr * (m_p / (1 - 0.9 ** t)) / ((v_p / (1 - 0.999 ** t)).sqrt() + 1e-8)
    finally:
        torch.set_num_threads(threads)

    def classify(P):
        with torch.no_grad():  # logit > 0 is sigmoid > 1/2
            return (net(torch.tensor(as_float_array("P", P, shape=(None, 2))))[:, 0] > 0).double().numpy()

    return classify, float(loss.item())


def grid(lim=2.0, n=201):
    """A square grid over [-lim, lim]^2 (by default [-2, 2]^2 with n = 201 points a side), 0 < lim <= 1e6,
    2 <= n <= 4001: returns (x1 (n,), x2 (n,), points (n*n, 2)), rows varying x1 fastest."""
    lim = as_float("lim", lim, low=0.0, low_open=True, high=1e6)
    n = as_int("n", n, low=2, high=4001)
    x1 = np.linspace(-lim, lim, n)
    x2 = np.linspace(-lim, lim, n)
    g1, g2 = np.meshgrid(x1, x2)
    return x1, x2, np.column_stack([g1.ravel(), g2.ravel()])


def halfplane(w1, w2, b, lim=2.0, n=161):
    """What the interactive unit draws for weights (w1, w2) and bias b (each within +-1e6): data, not pixels,
    on grid(lim, n), by default 161 points a side over [-2, 2]^2.

    Returns a dict:
      x1, x2   grid axes (n,);  fires  (n, n) bool, 1[w . x + b > 0] on the grid
      line     (2, 2) end points of w . x + b = 0 clipped to the box, or None (w = 0 or the line misses the box)
      foot, normal   the point of the line nearest the origin and the unit normal w / |w| (None when w = 0)
      fraction the share of the box that fires;  text  the printed line
      description  the picture's text alternative: where the line crosses the box, which side is shaded
    """
    # Bounded far beyond any slider, so that squares of the weights cannot overflow.
    w1, w2, b = (as_float(name, v, low=-1e6, high=1e6) for name, v in (("w1", w1), ("w2", w2), ("b", b)))
    x1, x2, pts = grid(lim, n)
    w = np.array([w1, w2])
    fires = (pts @ w + b > 0).reshape(n, n)
    state = {"x1": x1, "x2": x2, "fires": fires, "line": None, "foot": None, "normal": None,
             "fraction": float(fires.mean())}
    norm = float(np.hypot(w1, w2))
    if norm == 0.0:
        state["text"] = f"w = 0: z = b = {b:.2f} everywhere, so the unit fires {'everywhere' if b > 0 else 'nowhere'}"
        state["description"] = _halfplane_description(state, w1, w2, b, lim)
        return state
    unit = w / norm
    with np.errstate(over="ignore", invalid="ignore"):  # b / |w| can overflow for a tiny w (and inf * 0 is nan):
        foot = -(np.float64(b) / norm) * unit           # the line is then far away
    state["foot"], state["normal"] = (foot, unit) if np.all(np.isfinite(foot)) else (None, unit)
    state["text"] = (f"fires where {w1:.2f}·x1 {w2:+.2f}·x2 {b:+.2f} > 0: "
                     f"{100 * state['fraction']:.0f}% of the box; distance of the line from 0: {abs(b) / norm:.2f}")
    state["description"] = _halfplane_description(state, w1, w2, b, lim)
    if state["foot"] is None or np.abs(foot).max() > 1e6 * lim:
        return state
    direction = np.array([-unit[1], unit[0]])
    # Clip the infinite line foot + t * direction to the box [-lim, lim]^2. Any nonzero component clips: a tiny
    # one may overflow t to ±inf, which max and min take as they should.
    t_lo, t_hi = -np.inf, np.inf
    for k in range(2):
        if direction[k] != 0:
            with np.errstate(over="ignore"):
                t1, t2 = sorted(((-lim - foot[k]) / direction[k], (lim - foot[k]) / direction[k]))
            t_lo, t_hi = max(t_lo, t1), min(t_hi, t2)
        elif abs(foot[k]) > lim:
            t_lo, t_hi = 1.0, 0.0
    if t_lo <= t_hi:
        state["line"] = np.array([foot + t_lo * direction, foot + t_hi * direction])
    state["description"] = _halfplane_description(state, w1, w2, b, lim)
    return state


_COMPASS = ("right", "upper right", "top", "upper left", "left", "lower left", "bottom", "lower right")


def _halfplane_description(state, w1, w2, b, lim):
    """The widget frame's text alternative: where the line runs, which side is shaded and how much of the box."""
    box = f"the box [-{lim:g}, {lim:g}]²"
    share = f"{100 * state['fraction']:.0f}% of {box}"
    if state["normal"] is None:
        return (f"No line: w = 0, so z = b = {b:.2f} at every point and the unit fires "
                + ("everywhere: all of the box is shaded." if b > 0 else "nowhere: none of the box is shaded."))
    line = f"The line {w1:.2f}·x1 {w2:+.2f}·x2 {b:+.2f} = 0"
    sector = int(np.round(np.arctan2(state["normal"][1], state["normal"][0]) / (np.pi / 4))) % 8
    if state["line"] is None:
        return f"{line} lies outside {box}; the unit fires on {share}, the side the normal w points to."
    (a1, a2), (e1, e2) = state["line"]
    text = (f"{line} crosses {box} from ({a1:.2f}, {a2:.2f}) to ({e1:.2f}, {e2:.2f}), at distance "
            f"{abs(b) / np.hypot(w1, w2):.2f} from the origin. The shaded side, where the unit fires, covers "
            f"{100 * state['fraction']:.0f}% of the box: "
            f"the side the normal w = ({w1:.2f}, {w2:.2f}) points to, toward the {_COMPASS[sector]} of the box")
    if state["foot"] is not None and np.all(np.abs(state["foot"]) <= lim):
        return text + "; the arrow draws w at the line's point nearest the origin."
    return text + "."


class HalfplaneView:
    """The interactive unit's figure, made once: a slider move redraws the shading, the line and the
    normal arrow over a saved background (axes, labels, title), then encodes the PNG."""

    def __init__(self, lim=2.0):
        from matplotlib.colors import ListedColormap

        self.live = style.LiveFigure(figsize=(4.8, 4.8))
        ax = self.live.fig.subplots()
        ax.set(xlim=(-lim, lim), ylim=(-lim, lim), xlabel="x1", ylabel="x2", aspect="equal",
               title="fires (shaded) on the side the normal w points to")
        self.lim = lim
        self.shade = self.live.dynamic("shade", ax.imshow(
            np.zeros((2, 2)), extent=(-lim, lim, -lim, lim), origin="lower", interpolation="nearest",
            cmap=ListedColormap([style.NEUTRAL, style.CLASS_A]), vmin=0, vmax=1, alpha=0.35))
        self.line = self.live.dynamic("line", ax.plot([], [], color=style.BOUNDARY, lw=2)[0])
        self.arrow = self.live.dynamic("arrow", ax.annotate(
            "", xy=(0, 0), xytext=(0, 0), arrowprops=dict(arrowstyle="->", color=style.ARROW, lw=2)))

    def update(self, state):
        """Show a `halfplane(...)` state (computed with this view's lim); returns self."""
        # imshow rows run along x2 (origin="lower"), as the grid's rows do; each cell is centred on its grid point.
        x1, x2 = state["x1"], state["x2"]
        h1, h2 = (x1[1] - x1[0]) / 2, (x2[1] - x2[0]) / 2
        self.shade.set_data(state["fires"].astype(float))
        self.shade.set_extent((x1[0] - h1, x1[-1] + h1, x2[0] - h2, x2[-1] + h2))
        line = state["line"] if state["line"] is not None else np.empty((0, 2))
        self.line.set_data(line[:, 0], line[:, 1])
        foot = state["foot"]
        visible = foot is not None and bool(np.all(np.abs(foot) <= self.lim))
        self.arrow.set_visible(visible)
        if visible:
            self.arrow.xy = tuple(foot + 0.6 * state["normal"])
            self.arrow.set_position(tuple(foot))
        return self

    def render(self, w1, w2, b):
        """One frame for the sliders' values: (PNG bytes, the printed line, the picture's text alternative), both
        texts from halfplane."""
        state = halfplane(w1, w2, b, lim=self.lim)
        self.update(state)
        return self.live.png(), state["text"], state["description"]


def draw_threshold_network(ax, W, B, layers, title=None, fmt="{:+g}"):
    """Draw a threshold network into `ax`: each unit's name in its node, its bias under it, every
    non-zero weight on its edge (zero weights are not drawn).

    W[l] (fan_in, fan_out), B[l] (fan_out,); layers: node names per layer, inputs first, e.g.
    [["x1", "x2"], ["u1", "u2"], ["out"]]. Returns draw_network's dict plus "bias_texts" {name: Text}.
    """
    edge_text, _ = diagrams.weight_labels(layers, W, None, fmt)
    radius = 0.3
    drawn = diagrams.draw_network(ax, layers, edges=diagrams.nonzero_edges(layers, W), edge_text=edge_text,
                                  radius=radius, label_at=0.38, layer_gap=2.4, title=title, spacing=1.2)
    drawn["bias_texts"] = {}
    for l, bias in enumerate(B):
        for j, name in enumerate(layers[l + 1]):
            x, y = drawn["pos"][name]
            drawn["bias_texts"][name] = ax.text(x, y - radius - 0.04, "b=" + fmt.format(bias[j]), ha="center",
                                                va="top", fontsize=8, zorder=4)
    return drawn


def plot_region(ax, X1, X2, values, title, outlines=()):
    """Shade where `values` (n, n) is 1 (class A) and draw each outline polygon (k, 2) closed."""
    ax.contourf(X1, X2, values, levels=[-0.5, 0.5, 1.5], colors=[style.NEUTRAL, style.CLASS_A], alpha=0.5)
    for poly in outlines:
        closed = np.vstack([poly, poly[:1]])
        ax.plot(closed[:, 0], closed[:, 1], color=style.BOUNDARY, lw=1.5)
    ax.set(xlabel="$x_1$", ylabel="$x_2$", aspect="equal", title=title)


# --- notebook 01's figures (the notebook computes, these draw and describe; style.show displays them) ---

def describe_network(W, B, layers):
    """A threshold network in words, layer by layer: each unit's name, its non-zero weights and its bias (what
    draw_threshold_network draws). W[l] (fan_in, fan_out), B[l] (fan_out,); layers as for draw_threshold_network."""
    parts = [f"inputs {', '.join(layers[0])}"]
    for l, (w, bias) in enumerate(zip(W, B)):
        units = []
        for j, name in enumerate(layers[l + 1]):
            weights = ", ".join(f"{w[i, j]:+g} from {src}" for i, src in enumerate(layers[l]) if w[i, j] != 0)
            units.append(f"{name} (weights {weights or 'none'}; bias {bias[j]:+g})")
        parts.append(("output " if l == len(W) - 1 else f"layer {l + 1}: ") + "; ".join(units))
    return "; then ".join(parts)


def network_figure(networks, figsize=None):
    """Diagrams of threshold networks side by side, each unit named, its bias under it, every non-zero weight on
    its edge: a described Figure. networks: [(W, B, layers, title)], as draw_threshold_network takes them."""
    if not isinstance(networks, (list, tuple)) or not networks:
        raise ValueError(f"networks must be a non-empty list of (W, B, layers, title); got {networks!r}")
    fig = style.figure(figsize=figsize or (6 * len(networks), 4.5 if len(networks) > 1 else 3))
    axes = fig.subplots(1, len(networks), squeeze=False)[0]
    words = []
    for ax, (W, B, layers, title) in zip(axes, networks):
        draw_threshold_network(ax, W, B, layers, title=title)
        words.append(f"{title}: {describe_network(W, B, layers)}.")
    which = "Network diagram" if len(networks) == 1 else f"{len(networks)} network diagrams, left to right"
    return style.describe(fig, f"{which}, weights on the edges, biases under the units (zero weights not drawn). "
                               + " ".join(words))


def _outline_side(points, outline, tol=1e-9):
    """+1 strictly inside the closed polygon `outline` (k, 2), 0 on it (within tol), -1 outside, for points (N, 2)."""
    from matplotlib.path import Path

    near = np.full(len(points), np.inf)
    for a, e in zip(outline, np.roll(outline, -1, axis=0)):
        t = np.clip((points - a) @ (e - a) / ((e - a) @ (e - a)), 0, 1)
        near = np.minimum(near, np.linalg.norm(points - (a + t[:, None] * (e - a)), axis=1))
    side = np.where(Path(outline).contains_points(points), 1, -1)
    side[near <= tol] = 0
    return side


def _region_words(points, shaded, title, outline):
    """What a region panel shows: how much is shaded and how the shading meets the outline, in counts."""
    text = f"{title}: {int(shaded.sum())} of {len(shaded)} grid points shaded ({100 * shaded.mean():.1f}%)"
    if outline is None:
        return text + "."
    side = _outline_side(points, np.asarray(outline, dtype=float))
    inside, on, outside = (side == 1), (side == 0), (side == -1)
    if shaded[inside].all() and not shaded[on | outside].any():
        rest = (f"none of the {int(on.sum())} on it or the {int(outside.sum())} outside it" if on.any() else
                f"none of the {int(outside.sum())} outside it (no grid point lies on it)")
        return (text + f"; the shading fills the outline exactly: all {int(inside.sum())} grid points strictly "
                f"inside it are shaded, {rest}.")
    return (text + f"; shaded are {int(shaded[inside].sum())} of the {int(inside.sum())} grid points strictly inside "
            f"the outline, {int(shaded[on].sum())} of the {int(on.sum())} on it and {int(shaded[outside].sum())} of "
            f"the {int(outside.sum())} outside it.")


def _draw_regions(x1, x2, panels, figsize):
    """Draw region_figure's panels; returns (Figure, grid points (m*n, 2), [shaded (m*n,) bool per panel])."""
    if not isinstance(panels, (list, tuple)) or not panels:
        raise ValueError(f"panels must be a non-empty list of (values, title, outlines); got {panels!r}")
    x1, x2 = as_float_array("x1", x1, ndim=1), as_float_array("x2", x2, ndim=1)
    g1, g2 = np.meshgrid(x1, x2)
    fig = style.figure(figsize=figsize or (4.5 * len(panels), 4.5), layout="constrained")
    shaded = []
    for ax, (values, title, outlines) in zip(fig.subplots(1, len(panels), squeeze=False)[0], panels):
        values = as_float_array("values", values, shape=(len(x2), len(x1)))
        plot_region(ax, x1, x2, values, title, outlines)
        shaded.append(values.ravel() > 0.5)
    return fig, np.column_stack([g1.ravel(), g2.ravel()]), shaded


def _regions_intro(x1, x2):
    return f"Decision regions over [{x1[0]:g}, {x1[-1]:g}] × [{x2[0]:g}, {x2[-1]:g}], class A shaded, outlines drawn."


def region_figure(x1, x2, panels, figsize=None):
    """Decision regions side by side: each panel shades where its values are 1 (class A) on the grid x1 (n,) by
    x2 (m,) and draws its outlines. panels: [(values (m, n) of 0/1, title, [outline (k, 2), ...])]. The description
    counts the shaded grid points and, for a panel with one outline, those strictly inside, on and outside it."""
    fig, points, shaded = _draw_regions(x1, x2, panels, figsize)
    words = [_region_words(points, s, title, outlines[0] if len(outlines) == 1 else None)
             for s, (_, title, outlines) in zip(shaded, panels)]
    return style.describe(fig, " ".join([_regions_intro(x1, x2)] + words))


CORNER_RADIUS = 0.3  # "near a corner" for square_disagreement


def square_disagreement(points, learned):
    """Where a classification `learned` (N,) of `points` (N, 2) differs from the open square: a dict with
    count and share (of the points), max_distance (the largest distance of a differing point from the square's
    boundary), near_corner (the share of the differing points within CORNER_RADIUS of a corner) and corner_area
    (the share of all points there)."""
    points = as_float_array("points", points, shape=(None, 2))
    learned = as_float_array("learned", learned, shape=(len(points),))
    wrong = learned != open_square(points)
    a = np.abs(points)
    to_edge = np.where(a.max(axis=1) < 1, 1 - a.max(axis=1), np.linalg.norm(np.maximum(a - 1, 0), axis=1))
    corner = np.linalg.norm(a - 1, axis=1) < CORNER_RADIUS  # |x| - (1, 1): the distance to the nearest corner
    return {"count": int(wrong.sum()), "share": float(wrong.mean()),
            "max_distance": float(to_edge[wrong].max()) if wrong.any() else 0.0,
            "near_corner": float(corner[wrong].mean()) if wrong.any() else 0.0, "corner_area": float(corner.mean())}


def smooth_figure(x1, x2, learned):
    """The open square as threshold units compute it (left) and as a smooth network learned it (right, `learned`
    (m, n) of 0/1 on the grid x1 (n,) by x2 (m,)), the square's outline on both: a described Figure. The
    description gives the learned region's disagreement in rounded shares only, as the notebook prints them."""
    x1, x2 = as_float_array("x1", x1, ndim=1), as_float_array("x2", x2, ndim=1)
    learned = as_float_array("learned", learned, shape=(len(x2), len(x1)))
    g1, g2 = np.meshgrid(x1, x2)
    exact = open_square(np.column_stack([g1.ravel(), g2.ravel()])).reshape(learned.shape)
    square = [np.array([[-1.0, -1.0], [1.0, -1.0], [1.0, 1.0], [-1.0, 1.0]])]
    fig, points, (shaded, _) = _draw_regions(x1, x2, [(exact, "exact: threshold units", square),
                                                      (learned, "learned: tanh network, gradient descent", square)],
                                             (9, 4.5))
    d = square_disagreement(points, learned.ravel())
    return style.describe(fig, " ".join([
        _regions_intro(x1, x2), _region_words(points, shaded, "Left, exact: threshold units", square[0]),
        f"Right, learned: tanh network, gradient descent: the shading follows the square but differs from it at "
        f"{100 * d['share']:.1f}% of the grid points, all within {d['max_distance']:.2f} of the square's boundary: a "
        f"thin band along the edges, crowded at the corners, where the learned boundary cannot turn sharply "
        f"({100 * d['near_corner']:.0f}% of the differing points lie within {CORNER_RADIUS} of a corner, a zone that "
        f"holds {100 * d['corner_area']:.0f}% of the grid)."]))
