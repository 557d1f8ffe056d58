import re

import numpy as np
import pytest
from matplotlib.path import Path

from conftest import raises_naming, require
from utils import threshold

TRUTH = {"AND": lambda p: p[:, 0] * p[:, 1], "OR": lambda p: np.maximum(p[:, 0], p[:, 1]),
         "NAND": lambda p: 1 - p[:, 0] * p[:, 1], "NOR": lambda p: 1 - np.maximum(p[:, 0], p[:, 1]),
         "NOT": lambda p: 1 - p[:, 0]}


@pytest.mark.parametrize("name", threshold.GATE_NAMES)
def test_gate_truth_tables(name):
    W, B = threshold.gate(name)
    X = threshold.binary_inputs(W[0].shape[0])
    np.testing.assert_array_equal(threshold.predict(X, W, B), TRUTH[name](X))


def test_xor():
    X = threshold.binary_inputs(2)
    np.testing.assert_array_equal(threshold.predict(X, *threshold.xor_network()), [0, 1, 1, 0])


def square_test_points():
    _, _, grid = threshold.grid(2.0, 301)
    t = np.linspace(-1, 1, 101)
    edges = np.concatenate([np.column_stack([t, np.full_like(t, s)]) for s in (-1.0, 1.0)] +
                           [np.column_stack([np.full_like(t, s), t]) for s in (-1.0, 1.0)])
    near = np.concatenate([edges * (1 - 1e-12), edges * (1 + 1e-12)])
    return grid, edges, near


@pytest.mark.parametrize("kind", ["single", "tree"])
def test_square_network_is_the_open_square(kind):
    W, B = threshold.square_network(kind)
    grid, edges, near = square_test_points()
    for pts in (grid, near):
        np.testing.assert_array_equal(threshold.predict(pts, W, B), threshold.open_square(pts))
    assert threshold.predict(edges, W, B).sum() == 0  # the strict inequalities exclude the edges


def random_convex_polygon(rng):
    k = int(rng.integers(3, 10))
    angles = np.sort(rng.uniform(0, 2 * np.pi, k))
    if np.min(np.diff(np.concatenate([angles, angles[:1] + 2 * np.pi]))) < 1e-2 or np.max(np.diff(np.concatenate([angles, angles[:1] + 2 * np.pi]))) >= np.pi - 1e-2:
        return None
    V = np.column_stack([np.cos(angles), np.sin(angles)]) * rng.uniform(0.5, 2, 2) + rng.normal(size=2)
    return V if rng.random() < 0.5 else V[::-1]


def test_polygon_builder_on_random_convex_polygons():
    rng = np.random.default_rng(0)
    tested = 0
    while tested < 100:
        V = random_convex_polygon(rng)
        if V is None:
            continue
        tested += 1
        W, B = threshold.polygon_network(V)
        pts = rng.uniform(V.min(0) - 0.5, V.max(0) + 0.5, size=(2000, 2))
        inside = Path(V).contains_points(pts)
        got = threshold.predict(pts, W, B)
        np.testing.assert_array_equal(got, inside.astype(float))
        # just outside each vertex and edge midpoint: class B; just inside each midpoint: class A.
        # (A computed midpoint is on the edge only up to round-off, so we step 1e-9 off it.)
        mids = (V + np.roll(V, -1, axis=0)) / 2
        centre = V.mean(axis=0)
        boundary = np.vstack([V, mids])
        assert threshold.predict(boundary + 1e-9 * (boundary - centre), W, B).sum() == 0
        assert threshold.predict(mids + 1e-9 * (centre - mids), W, B).all()


@pytest.mark.parametrize("vertices,pattern", [
    ([[0, 0], [1, 0]], "at least 3"),
    ([[0, 0], [1, 0], [1, 0], [0, 1]], "distinct"),
    ([[0, 0], [1, 0], [2, 0], [0, 1]], "collinear"),
    ([[0, 0], [2, 0], [1, 0.2], [1, 2]], "convex"),
    ([[0, 0], [1, np.nan], [0, 1]], "finite"),
    ([[0, 0, 0], [1, 0, 0], [0, 1, 0]], r"shape \(N, 2\)"),
])
def test_bad_polygons(vertices, pattern):
    with raises_naming("vertices", exc=ValueError) as error:
        threshold.polygon_network(vertices)
    assert re.search(pattern, str(error.value))


def test_union_is_the_l_shape():
    pieces = [np.array([[-1.5, -1.5], [1.5, -1.5], [1.5, -0.5], [-1.5, -0.5]]),
              np.array([[-1.5, -0.5], [-0.5, -0.5], [-0.5, 1.5], [-1.5, 1.5]])]
    outline = np.array([[-1.5, -1.5], [1.5, -1.5], [1.5, -0.5], [-0.5, -0.5], [-0.5, 1.5], [-1.5, 1.5]])
    _, _, pts = threshold.grid(2.0, 400)  # spacing never hits the outline
    np.testing.assert_array_equal(threshold.predict(pts, *threshold.union_network(pieces)),
                                  Path(outline).contains_points(pts).astype(float))


@pytest.mark.parametrize("w1,w2,b", [(0, 0, 1), (0, 0, -1), (0, 0, 0), (3, -3, 3), (-3, 3, -3), (0.1, 0, 3), (3, 3, 0)])
def test_halfplane_state_at_extremes(w1, w2, b):
    s = threshold.halfplane(w1, w2, b)
    x1, x2, pts = threshold.grid(2.0, len(s["x1"]))
    expected = (pts @ np.array([w1, w2]) + b > 0).reshape(s["fires"].shape)
    np.testing.assert_array_equal(s["fires"], expected)
    if w1 == w2 == 0:
        assert s["line"] is None and s["fraction"] == (1.0 if b > 0 else 0.0)
        assert ("everywhere" if b > 0 else "nowhere") in s["text"]
    elif s["line"] is not None:
        np.testing.assert_allclose(s["line"] @ np.array([w1, w2]) + b, 0, atol=1e-9)



def need_torch():
    """torch, or a skip saying why (a failure under CI=true)."""
    try:
        import torch
    except ImportError:
        require(False, "torch is not installed: pip install -r requirements.txt")
    return torch


def test_single_units_computing_counts_like_a_plain_loop():
    values = np.array([-1.0, -0.5, 0.0, 0.5, 1.0])
    X = [(0, 0), (0, 1), (1, 0), (1, 1)]
    for table in ([0, 0, 0, 1], [0, 1, 1, 1], [1, 0, 0, 0], [0, 1, 1, 0], [0, 0, 0, 0]):
        loop = sum(all((w1 * a + w2 * c + b > 0) == bool(t) for (a, c), t in zip(X, table))
                   for w1 in values for w2 in values for b in values)
        assert threshold.single_units_computing(np.array(table), values) == (loop, 125)


@pytest.mark.parametrize("kwargs, words", [(dict(table=np.ones(3)), ["table"]), (dict(table="0110"), ["table"]),
                                           (dict(table=np.array([0, 0.5, 1, 1])), ["table", "0", "1"]),  # not 0/1
                                           (dict(values=np.ones((2, 2))), ["values"]),
                                           (dict(values=np.array([np.nan])), ["values"])])
def test_single_units_computing_names_a_bad_argument(kwargs, words):
    args = dict(table=np.array([0, 1, 1, 0]), values=np.linspace(-1, 1, 3)) | kwargs
    with raises_naming(*words):
        threshold.single_units_computing(**args)


def test_train_smooth_is_adam_on_a_tanh_network():
    """The Adam written out in train_smooth takes the steps of torch.optim.Adam (an independent implementation)."""
    torch = need_torch()
    X = np.random.default_rng(3).uniform(-2, 2, size=(200, 2))
    y = threshold.open_square(X)
    _, loss = threshold.train_smooth(X, y, hidden=5, steps=30, lr=0.05, seed=4)
    torch.manual_seed(4)
    net = torch.nn.Sequential(torch.nn.Linear(2, 5), torch.nn.Tanh(), torch.nn.Linear(5, 1)).double()
    opt = torch.optim.Adam(net.parameters(), lr=0.05)
    for _ in range(30):
        opt.zero_grad()
        reference = torch.nn.functional.binary_cross_entropy_with_logits(net(torch.tensor(X))[:, 0], torch.tensor(y))
        reference.backward()
        opt.step()
    assert loss == pytest.approx(reference.item(), rel=1e-9)


def test_train_smooth_leaves_the_callers_random_state_and_threads_alone():
    torch = need_torch()
    X = np.random.default_rng(3).uniform(-2, 2, size=(50, 2))
    torch.manual_seed(11)
    expected = torch.rand(3)
    torch.manual_seed(11)
    threads = torch.get_num_threads()
    threshold.train_smooth(X, threshold.open_square(X), hidden=3, steps=2)
    assert torch.equal(torch.rand(3), expected) and torch.get_num_threads() == threads


@pytest.mark.parametrize("kwargs, name", [(dict(X=np.ones((5, 3))), "X"), (dict(y=np.ones(4)), "y"),
                                          (dict(hidden=0), "hidden"), (dict(steps=0), "steps"),
                                          (dict(lr=-1.0), "lr"), (dict(seed=-1), "seed")])
def test_train_smooth_names_a_bad_argument(kwargs, name):
    need_torch()
    args = dict(X=np.zeros((5, 2)), y=np.zeros(5), steps=1) | kwargs
    with raises_naming(name):
        threshold.train_smooth(**args)
