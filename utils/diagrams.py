"""Network diagrams and computational graphs drawn with matplotlib (no graphviz needed).

One function serves every notebook: the square network with its weights (01), the
tanh graph with forward values or gradients on every node and edge (02), and the
4-6-6-6-1 ReLU network (04).
"""

from . import style


def layout(layers, spacing=1.0, layer_gap=1.0):
    """Positions {name: (x, y)}: layer i at x = i * layer_gap, its nodes centred on y = 0, `spacing` apart."""
    positions = {}
    for i, names in enumerate(layers):
        for j, name in enumerate(names):
            positions[name] = (i * layer_gap, (len(names) - 1) / 2 * spacing - j * spacing)
    return positions


def draw_network(ax, layers, edges=None, node_text=None, edge_text=None, layer_labels=None,
                 node_colors=None, title=None, spacing=1.0, radius=0.22, label_at=0.3, layer_gap=1.0):
    """Draw a layered graph into `ax`.

    layers:       list of lists of node names, left to right.
    edges:        (src, dst) pairs; default: every node of a layer to every node of the next.
    node_text:    {name: text} written in the node (default: the name).
    edge_text:    {(src, dst): text} written on the edge, `label_at` of the way from src.
    layer_labels: one caption per layer, under it.
    node_colors:  {name: colour}; default: inputs sky blue, others white.
    spacing, layer_gap: vertical distance of nodes, horizontal distance of layers.
    Returns a dict: pos {name: (x, y)}, circles {name: Circle}, node_texts {name: Text} and
    edge_texts {(src, dst): Text}, so that a widget can change texts and colours in place.
    """
    pos = layout(layers, spacing, layer_gap)
    if edges is None:
        edges = [(a, b) for left, right in zip(layers[:-1], layers[1:]) for a in left for b in right]
    node_text = node_text or {}
    edge_text = edge_text or {}
    node_colors = node_colors or {}
    drawn = {"pos": pos, "circles": {}, "node_texts": {}, "edge_texts": {}}
    for a, b in edges:
        (x0, y0), (x1, y1) = pos[a], pos[b]
        ax.plot([x0, x1], [y0, y1], color="0.55", lw=0.8, zorder=1)
        if (a, b) in edge_text:
            xm, ym = x0 + label_at * (x1 - x0), y0 + label_at * (y1 - y0)
            drawn["edge_texts"][(a, b)] = ax.text(
                xm, ym, edge_text[(a, b)], fontsize=8, ha="center", va="center", zorder=3,
                bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.9))
    inputs = set(layers[0])
    for name, (x, y) in pos.items():
        colour = node_colors.get(name, style.SKY if name in inputs else "white")
        drawn["circles"][name] = ax.add_patch(_circle((x, y), radius, colour))
        drawn["node_texts"][name] = ax.text(x, y, node_text.get(name, name), fontsize=8, ha="center", va="center",
                                            zorder=4)
    if layer_labels:
        bottom = min(y for _, y in pos.values()) - 0.7 * spacing
        for i, label in enumerate(layer_labels):
            ax.text(i * layer_gap, bottom, label, ha="center", va="top", fontsize=9)
    ys = [y for _, y in pos.values()]
    ax.set_xlim(-0.6 * layer_gap, (len(layers) - 0.4) * layer_gap)
    ax.set_ylim(min(ys) - (1.3 if layer_labels else 0.6) * spacing, max(ys) + 0.6 * spacing)
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(title)
    return drawn


def _circle(centre, radius, colour):
    from matplotlib.patches import Circle

    return Circle(centre, radius, facecolor=colour, edgecolor=style.BLACK, lw=1.0, zorder=2)


def mlp_layers(sizes):
    """Node names for a layered network with `sizes` like (4, 6, 6, 6, 1): [["x1".."x4"], ["h1_1", ...], ..., ["y"]]."""
    layers = [[f"x{i + 1}" for i in range(sizes[0])]]
    for l, n in enumerate(sizes[1:-1], start=1):
        layers.append([f"h{l}_{i + 1}" for i in range(n)])
    layers.append(["y"] if sizes[-1] == 1 else [f"y{i + 1}" for i in range(sizes[-1])])
    return layers


def weight_labels(layers, W, B=None, fmt="{:+.1f}"):
    """Edge texts from weight matrices W[l] (fan_in, fan_out) and node texts from biases B[l] (fan_out,).

    Returns (edge_text, node_text) for draw_network; zero weights get no label (and callers may drop the edge).
    """
    edge_text, node_text = {}, {}
    for l, w in enumerate(W):
        for i, a in enumerate(layers[l]):
            for j, b in enumerate(layers[l + 1]):
                if w[i, j] != 0:
                    edge_text[(a, b)] = fmt.format(w[i, j])
    if B is not None:
        for l, bias in enumerate(B):
            for j, name in enumerate(layers[l + 1]):
                node_text[name] = "b=" + fmt.format(bias[j])
    return edge_text, node_text


def nonzero_edges(layers, W):
    """The (src, dst) pairs whose weight is non-zero, for sparse networks such as the AND tree."""
    return [(a, b) for l, w in enumerate(W) for i, a in enumerate(layers[l])
            for j, b in enumerate(layers[l + 1]) if w[i, j] != 0]


def label_overlaps(ax, drawn):
    """Pairs of drawn labels whose boxes overlap, for tests: [(text_a, text_b), ...] (empty when readable).

    Checks every pair of texts in `ax` (node texts, edge labels, captions, title) and every edge label
    against every node circle it does not belong to, in display coordinates after a draw.
    ax: the Axes drawn into; drawn: draw_network's return value.
    """
    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    texts = [t for t in ax.texts if t.get_visible() and t.get_text().strip()]
    if ax.title.get_text():
        texts.append(ax.title)
    boxes = [(t, t.get_window_extent(renderer)) for t in texts]
    pairs = [(a.get_text(), b.get_text()) for i, (a, box_a) in enumerate(boxes) for b, box_b in boxes[i + 1:]
             if box_a.overlaps(box_b)]
    own = {id(t) for t in drawn["node_texts"].values()}
    for name, circle in drawn["circles"].items():
        box_c = circle.get_window_extent(renderer)
        for t, box_t in boxes:
            if id(t) not in own and box_t.overlaps(box_c):
                pairs.append((t.get_text(), f"node {name}"))
    return pairs
