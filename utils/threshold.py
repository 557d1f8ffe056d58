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
      fraction the share of the box that fires;  text  a one-line description
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
        return state
    unit = w / norm
    with np.errstate(over="ignore", invalid="ignore"):  # b / |w| can overflow for a tiny w (and inf * 0 is nan):
        foot = -(np.float64(b) / norm) * unit           # the line is then far away
    state["foot"], state["normal"] = (foot, unit) if np.all(np.isfinite(foot)) else (None, unit)
    state["text"] = (f"fires where {w1:.2f}·x1 {w2:+.2f}·x2 {b:+.2f} > 0: "
                     f"{100 * state['fraction']:.0f}% of the box; distance of the line from 0: {abs(b) / norm:.2f}")
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
    return state


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
        """One frame for the sliders' values: (PNG bytes, the description from halfplane)."""
        state = halfplane(w1, w2, b, lim=self.lim)
        self.update(state)
        return self.live.png(), state["text"]


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
