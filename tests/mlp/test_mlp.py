"""utils.mlp (notebook 04): forward and backward against torch autograd in float64 (any depth, several outputs,
ReLU or tanh), the layer API, mini-batches, and the messages of bad arguments."""
import numpy as np
import pytest
import torch

import utils
from utils import gradcheck, mlp


@pytest.mark.parametrize("sizes,n", [((4, 6, 6, 6, 1), 100), ((3, 5, 2), 1), ((2, 8, 8, 8, 8, 3), 17), ((5, 1), 9)])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_backward_matches_autograd_float64(sizes, n, seed):
    X, T, W, B = mlp.random_network(sizes, n, seed)
    DW, DB = mlp.backward(X, T, W, B)
    AW, AB = mlp.autograd_gradients(X, T, W, B, "float64")
    for ours, theirs in zip(DW + DB, AW + AB):
        assert ours.shape == theirs.shape
        assert gradcheck.relative_error(ours, theirs) < 1e-12


def test_backward_matches_finite_differences_on_course_data():
    X, T = utils.getdata()
    W, B = utils.getparams()
    DW, DB = mlp.backward(X, T, W, B)
    num = gradcheck.numerical_gradient(lambda p: mlp.mse(mlp.forward(X, p[:4], p[4:])[0], T), W + B)
    for ours, fd in zip(DW + DB, num):
        assert gradcheck.relative_error(ours, fd) < 1e-4


def test_float32_agrees_to_single_precision():
    X, T = utils.getdata()
    W, B = utils.getparams()
    DW, _ = mlp.backward(X, T, W, B)
    AW, _ = mlp.autograd_gradients(X, T, W, B, "float32")
    assert 0 < gradcheck.relative_error(DW[0], AW[0]) < 1e-5


def test_numerical_gradient_does_not_mutate_and_is_right_for_a_quadratic():
    A = np.array([[2.0, 1.0], [1.0, 3.0]])
    p = [np.array([0.5, -1.0])]
    before = p[0].copy()
    g = gradcheck.numerical_gradient(lambda q: 0.5 * q[0] @ A @ q[0], p)
    np.testing.assert_array_equal(p[0], before)
    np.testing.assert_allclose(g[0], A @ before, rtol=1e-8, atol=1e-9)


def test_relative_error_and_verdict():
    assert gradcheck.relative_error([1.0, 0.0], [1.0, 0.0]) == 0.0
    assert gradcheck.relative_error([1.0], [3.0]) == pytest.approx(0.5)
    assert gradcheck.verdict(1e-9) == "agree" and gradcheck.verdict(0.5) == "WRONG"
    with pytest.raises(ValueError, match="same shape"):
        gradcheck.relative_error([1.0, 2.0], [1.0])


def test_inputs_are_not_mutated():
    X, T, W, B = mlp.random_network((4, 6, 1), 5, 0)
    copies = [a.copy() for a in [X, T] + W + B]
    mlp.backward(X, T, W, B)
    for a, c in zip([X, T] + W + B, copies):
        np.testing.assert_array_equal(a, c)


@pytest.mark.parametrize("mutate,exc,pattern", [
    (lambda X, T, W, B: (X[:, :3], T, W, B), ValueError, r"W\[0\] must have shape \(3, fan_out\), since X has 3 columns; got \(4, 6\)"),
    (lambda X, T, W, B: (X, T[:-1], W, B), ValueError, r"T must have shape \(100, 1\).*got \(99, 1\)"),
    (lambda X, T, W, B: (X, T, W, B[:3]), ValueError, r"B must have one entry per layer of W \(4\); got 3"),
    (lambda X, T, W, B: (X, T, W, [B[0], B[1], B[2], np.zeros(2)]), ValueError, r"B\[3\] must have shape \(1,\); got \(2,\)"),
    (lambda X, T, W, B: (np.where(X > 2, np.nan, X), T, W, B), ValueError, r"X must be finite"),
    (lambda X, T, W, B: (X.astype(object), T, W, B), TypeError, r"X must be a numeric array; got dtype object"),
    (lambda X, T, W, B: (X, T, W[0], B), TypeError, r"W must be a list of arrays"),
    (lambda X, T, W, B: (X[0], T, W, B), ValueError, r"X must have 2 dimension"),
])
def test_bad_input_names_the_argument(mutate, exc, pattern):
    X, T = utils.getdata()
    W, B = utils.getparams()
    with pytest.raises(exc, match=pattern):
        mlp.backward(*mutate(X, T, W, B))


@pytest.mark.parametrize("sizes,n", [((3, 5, 2), 7), ((4, 6, 6, 3), 11)])
def test_mse_and_backward_on_multi_output_networks(sizes, n):
    """mse averages over all N * d_out entries (torch's mean), and backward is its gradient (finite differences)."""
    import torch

    X, T, W, B = mlp.random_network(sizes, n, seed=5)
    Y = mlp.forward(X, W, B)[0]
    assert mlp.mse(Y, T) == pytest.approx(torch.nn.functional.mse_loss(torch.tensor(Y), torch.tensor(T)).item(), rel=1e-12)
    num = gradcheck.numerical_gradient(lambda p: mlp.mse(mlp.forward(X, p[:len(W)], p[len(W):])[0], T), W + B)
    DW, DB = mlp.backward(X, T, W, B)
    for ours, fd in zip(DW + DB, num):
        assert gradcheck.relative_error(ours, fd) < 1e-5


@pytest.mark.parametrize("seed", [0, 1])
def test_tanh_backward_matches_autograd_and_finite_differences(seed):
    X, T, W, B = mlp.random_network((3, 5, 4, 2), 9, seed)
    DW, DB = mlp.backward(X, T, W, B, activation="tanh")
    AW, AB = mlp.autograd_gradients(X, T, W, B, "float64", activation="tanh")
    for ours, theirs in zip(DW + DB, AW + AB):
        assert gradcheck.relative_error(ours, theirs) < 1e-12
    num = gradcheck.numerical_gradient(lambda p: mlp.mse(mlp.forward(X, p[:3], p[3:], "tanh")[0], T), W + B)
    for ours, fd in zip(DW + DB, num):
        assert gradcheck.relative_error(ours, fd) < 1e-5


def test_deltas_are_the_gradients_with_respect_to_the_pre_activations():
    import torch

    X, T, W, B = mlp.random_network((4, 6, 6, 1), 8, seed=2)
    Z = []
    A = torch.tensor(X)
    for l, (w, b) in enumerate(zip(W, B)):
        z = A @ torch.tensor(w, requires_grad=True) + torch.tensor(b)
        z.retain_grad()
        Z.append(z)
        A = torch.relu(z) if l < len(W) - 1 else z
    ((A - torch.tensor(T)) ** 2).mean().backward()
    for ours, z in zip(mlp.deltas(X, T, W, B), Z):
        np.testing.assert_allclose(ours, z.grad.numpy(), rtol=1e-12, atol=1e-15)


def test_activation_must_be_relu_or_tanh():
    X, T, W, B = mlp.random_network((2, 3, 1), 4, seed=0)
    for call in (lambda: mlp.forward(X, W, B, "sigmoid"), lambda: mlp.backward(X, T, W, B, "sigmoid"),
                 lambda: mlp.deltas(X, T, W, B, "sigmoid")):
        with pytest.raises(ValueError, match=r"activation must be one of \('relu', 'tanh'\); got 'sigmoid'"):
            call()


# ---------------------------------------------------------------- the layer API, reverse mode's memory, mini-batches

@pytest.mark.parametrize("sizes,n", [((4, 6, 6, 6, 1), 100), ((3, 5, 4, 2), 7), ((2, 1), 1)])
def test_layer_backward_equals_autograd_and_caches_what_stored_floats_counts(sizes, n):
    import torch

    X, T, W, B = mlp.random_network(sizes, n, seed=len(sizes) + n)
    DW, DB, layers = mlp.layer_backward(X, T, W, B)
    Wt = [torch.tensor(w, requires_grad=True) for w in W]
    Bt = [torch.tensor(b, requires_grad=True) for b in B]
    mlp.error_torch(torch.tensor(X), torch.tensor(T), Wt, Bt).backward()
    for ours, ref in zip(DW + DB, Wt + Bt):
        np.testing.assert_allclose(ours, ref.grad.numpy(), rtol=1e-10, atol=1e-14)
    assert [type(layer).__name__ for layer in layers] == ["Linear", "ReLU"] * (len(sizes) - 2) + ["Linear"]
    assert sum(layer.cache.size for layer in layers) == mlp.stored_floats(sizes, n)["total"]
    assert mlp.stored_floats(sizes, n)["parameters"] == sum(w.size + b.size for w, b in zip(W, B))


def test_relu_layer_passes_the_gradient_where_the_input_was_positive_only():
    relu = mlp.ReLU()
    np.testing.assert_array_equal(relu.forward(np.array([[-1.0, 0.0, 2.0]])), [[0.0, 0.0, 2.0]])
    np.testing.assert_array_equal(relu.backward(np.array([[5.0, 5.0, 5.0]])), [[0.0, 0.0, 5.0]])


def test_minibatch_spread_is_zero_for_the_full_batch_and_positive_below_it():
    X, T, W, B = mlp.random_network((3, 4, 1), 12, seed=3)
    spread = mlp.minibatch_spread(X, T, W, B, [12, 6, 1])
    assert spread[0] < 1e-14 and spread[1] > 0 and spread[2] > 0
    with pytest.raises(ValueError, match="batch_sizes must divide N = 12; got 5"):
        mlp.minibatch_spread(X, T, W, B, [5])


@pytest.mark.parametrize("sizes", [None, (4,), [4, 0, 1], "461"])
def test_stored_floats_names_bad_sizes(sizes):
    with pytest.raises((ValueError, TypeError), match="sizes"):
        mlp.stored_floats(sizes, 10)


def test_stored_floats_counts_each_cached_array_and_the_parameters():
    """The 4-6-6-6-1 network on 100 samples, counted by hand: Linear inputs 100 x (4 + 6 + 6 + 6), ReLU masks
    100 x (6 + 6 + 6), parameters 4*6+6 + 6*6+6 + 6*6+6 + 6*1+1."""
    assert mlp.stored_floats((4, 6, 6, 6, 1), 100) == {"linear inputs": 2200, "relu masks": 1800, "total": 4000,
                                                      "parameters": 121}
    assert mlp.stored_floats([5, 1], 1) == {"linear inputs": 5, "relu masks": 0, "total": 5, "parameters": 6}


@pytest.mark.parametrize("sizes,n,message", [
    ((4,), 10, r"sizes must list at least an input and an output size, like \(4, 6, 1\); got \(4,\)"),
    ("46", 10, r"sizes must list at least an input and an output size, like \(4, 6, 1\); got '46'"),
    ((4, 0, 1), 10, r"sizes\[1\] must be >= 1; got 0"),
    ((4, 6, 1), 0, r"n_samples must be >= 1; got 0")])
def test_stored_floats_names_the_bad_argument_and_its_value(sizes, n, message):
    with pytest.raises(ValueError, match=f"^{message}$"):
        mlp.stored_floats(sizes, n)


def test_minibatch_spread_is_the_rms_of_the_batch_gradients_errors():
    """Recomputed with autograd (torch) on each consecutive batch: sqrt(mean |g_b - g|^2) / |g|."""
    X, T, W, B = mlp.random_network((3, 4, 2), 12, seed=5)

    def grad(i, j):
        DW, DB = mlp.autograd_gradients(X[i:j], T[i:j], W, B)
        return np.concatenate([d.ravel() for d in DW + DB])

    g = grad(0, 12)
    want = [np.sqrt(np.mean([np.sum((grad(i, i + b) - g) ** 2) for i in range(0, 12, b)])) / np.sqrt(np.sum(g ** 2))
            for b in (4, 3, 1)]
    np.testing.assert_allclose(mlp.minibatch_spread(X, T, W, B, (4, 3, 1)), want, rtol=1e-10)


@pytest.mark.parametrize("batch_sizes,message", [
    ([], r"batch_sizes must be a non-empty list of batch sizes; got \[\]"),
    (4, r"batch_sizes must be a non-empty list of batch sizes; got 4"),
    ([4, 0], r"batch_sizes\[1\] must be >= 1; got 0"),
    ([24], r"batch_sizes\[0\] must be <= 12; got 24"),
    ([12, 5], r"batch_sizes must divide N = 12; got 5")])
def test_minibatch_spread_names_bad_batch_sizes(batch_sizes, message):
    X, T, W, B = mlp.random_network((3, 4, 1), 12, seed=3)
    with pytest.raises(ValueError, match=f"^{message}$"):
        mlp.minibatch_spread(X, T, W, B, batch_sizes)


def test_minibatch_spread_of_huge_inputs_is_computed_from_norms_beyond_float_range():
    """Inputs 2.7e84: the gradients are finite, the squares in their norms are not. The spread, a ratio of norms, is
    computed here from the same gradients in decimal arithmetic, where nothing overflows."""
    import warnings
    from decimal import Decimal, getcontext

    getcontext().prec = 40
    _, T, W, B = mlp.random_network((4, 6, 6, 6, 1), 4, seed=0)
    X = np.full((4, 4), 2.71403002e+84)

    def flat(X_, T_):
        DW, DB = mlp.backward(X_, T_, W, B)
        return [Decimal(float(v)) for d in DW + DB for v in d.ravel()]
    full = flat(X, T)
    norm = lambda v: sum(x * x for x in v).sqrt()
    errs = [norm([a - g for a, g in zip(flat(X[i:i + 2], T[i:i + 2]), full)]) for i in (0, 2)]
    want = float((sum(e * e for e in errs) / 2).sqrt() / norm(full))
    assert np.isfinite(want) and want > 0
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the overflows on the way are expected: no warning about them
        np.testing.assert_allclose(mlp.minibatch_spread(X, T, W, B, [2]), [want], rtol=1e-12)


def test_minibatch_spread_refuses_gradients_beyond_float_range_and_a_zero_one_by_name():
    """Inputs scaled by 1e200 make the gradients themselves overflow; a network that fits T exactly has a zero gradient, to
    which no spread is relative. Both raise, with no numpy warning on the way."""
    import warnings

    X, T, W, B = mlp.random_network((4, 6, 6, 6, 1), 4, seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError) as raised:
            mlp.minibatch_spread(X * 1e200, T, W, B, [2])
        assert str(raised.value) == ("X, T, W or B is too large: the gradients are beyond float range (largest |X| = "
                                     f"{np.abs(X).max() * 1e200:.3g}, largest |T| = {np.abs(T).max():.3g})")
        with pytest.raises(ValueError) as raised:
            mlp.minibatch_spread(X, mlp.forward(X, W, B)[0], W, B, [2])
        assert str(raised.value) == ("X, T, W and B give a zero full-batch gradient (every unit off, or a perfect "
                                     "fit): a spread relative to it is undefined")


def test_layers_alternate_linear_and_relu_holding_copies_of_the_given_arrays():
    _, _, W, B = mlp.random_network((2, 3, 3, 1), 1, seed=0)
    net = mlp.layers(W, B)
    assert [type(layer).__name__ for layer in net] == ["Linear", "ReLU", "Linear", "ReLU", "Linear"]
    for layer, w, b in zip(net[::2], W, B):
        np.testing.assert_array_equal(layer.w, w)
        np.testing.assert_array_equal(layer.b, b)
    assert all(layer.cache is None for layer in net)  # nothing cached before a forward pass
    with pytest.raises(ValueError, match=r"^B must have 3 entries; got 2$"):
        mlp.layers(W, B[:2])
    with pytest.raises(TypeError, match=r"^W must be a list of arrays"):
        mlp.layers(None, B)


def test_linear_layer_caches_its_input_and_returns_the_input_gradient():
    """Z = A w + b with A (2, 3), w (3, 2), worked by hand; dE/dA = delta w^T, dw = A^T delta, db = column sums."""
    w, b = np.array([[1.0, 0.0], [2.0, -1.0], [0.0, 3.0]]), np.array([0.5, -0.5])
    A = np.array([[1.0, 1.0, 1.0], [2.0, 0.0, -1.0]])
    layer = mlp.Linear(w, b)
    np.testing.assert_array_equal(layer.forward(A), [[3.5, 1.5], [2.5, -3.5]])
    assert layer.cache is A
    delta = np.array([[1.0, 0.0], [0.0, 2.0]])
    np.testing.assert_array_equal(layer.backward(delta), [[1.0, 2.0, 0.0], [0.0, -2.0, 6.0]])
    np.testing.assert_array_equal(layer.dw, [[1.0, 4.0], [1.0, 0.0], [1.0, -2.0]])
    np.testing.assert_array_equal(layer.db, [1.0, 2.0])


# ---- the activation argument (tanh), checked by name; tanh deltas against autograd's ---------------------------------

@pytest.mark.parametrize("fn,args", [
    (mlp.forward, "XWB"), (mlp.backward, "XTWB"), (mlp.deltas, "XTWB"),
    (mlp.error_torch, "XTWB torch"), (mlp.autograd_gradients, "XTWB")])
def test_an_unknown_activation_is_named(fn, args):
    X, T, W, B = mlp.random_network((3, 4, 2), 5, seed=1)
    if args.endswith("torch"):
        X, T, W, B = torch.tensor(X), torch.tensor(T), [torch.tensor(w) for w in W], [torch.tensor(b) for b in B]
    call = (X, W, B) if args == "XWB" else (X, T, W, B)
    with pytest.raises(ValueError, match=r"^activation must be one of .*relu.*tanh.*; got 'sigmoid'"):
        fn(*call, activation="sigmoid")


@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_deltas_are_autograds_gradients_with_respect_to_z(activation):
    X, T, W, B = mlp.random_network((3, 5, 4, 2), 6, seed=2)
    Z, a = [], torch.tensor(X)
    for l, (w, b) in enumerate(zip(W, B)):
        z = a @ torch.tensor(w, requires_grad=True) + torch.tensor(b, requires_grad=True)
        z.retain_grad()
        Z.append(z)
        a = z if l == len(W) - 1 else (torch.relu(z) if activation == "relu" else torch.tanh(z))
    ((a - torch.tensor(T)) ** 2).mean().backward()
    got = mlp.deltas(X, T, W, B, activation=activation)
    for l, (d, z) in enumerate(zip(got, Z)):
        np.testing.assert_allclose(d, z.grad.numpy(), rtol=1e-12, atol=1e-15, err_msg=f"delta[{l}] ({activation})")


def test_the_unchecked_deltas_default_to_relu():
    X, T, W, B = mlp.random_network((3, 5, 2), 6, seed=3)
    default, _ = mlp.deltas_unchecked(X, T, W, B)
    relu, _ = mlp.deltas_unchecked(X, T, W, B, "relu")
    tanh, _ = mlp.deltas_unchecked(X, T, W, B, "tanh")
    assert all(np.array_equal(a, b) for a, b in zip(default, relu))
    assert not np.allclose(default[0], tanh[0])


def test_autograd_gradients_follow_the_activation():
    X, T, W, B = mlp.random_network((3, 5, 2), 6, seed=4)
    for activation in ("relu", "tanh"):
        DW, DB = mlp.autograd_gradients(X, T, W, B, activation=activation)
        want = mlp.deltas(X, T, W, B, activation=activation)
        np.testing.assert_allclose(DB[0], want[0].sum(axis=0), rtol=1e-10)


# ---- edges: layer inputs, the ReLU's derivative at 0, messages of targets and inner layers ---------------------------

def test_forward_returns_one_input_per_layer():
    X, _, W, B = mlp.random_network((3, 4, 5, 2), 6, seed=7)
    Y, Z, A = mlp.forward(X, W, B)
    assert len(Z) == len(A) == len(W) == 3
    np.testing.assert_array_equal(A[0], X)
    for l in range(1, 3):
        np.testing.assert_array_equal(A[l], np.maximum(Z[l - 1], 0))
    np.testing.assert_array_equal(Y, Z[-1])
    assert (Y < 0).any()  # the last layer is linear: no ReLU on the output


def test_relu_derivative_at_zero_is_zero_as_in_torch():
    """Z = 1 - 1 + 0 = 0 exactly: the unit is off, as torch.relu's gradient says, so W[0] gets no gradient."""
    X, T = np.array([[1.0, -1.0]]), np.array([[2.0]])
    W, B = [np.array([[1.0], [1.0]]), np.array([[3.0]])], [np.array([0.0]), np.array([0.5])]
    assert mlp.forward(X, W, B)[1][0][0, 0] == 0.0
    DW, DB = mlp.backward(X, T, W, B)
    Wt = [torch.tensor(w, requires_grad=True) for w in W]
    Bt = [torch.tensor(b, requires_grad=True) for b in B]
    out = torch.relu(torch.tensor(X) @ Wt[0] + Bt[0]) @ Wt[1] + Bt[1]
    ((out - torch.tensor(T)) ** 2).mean().backward()
    for ours, ref in zip(DW + DB, Wt + Bt):
        np.testing.assert_array_equal(ours, ref.grad.numpy())
    np.testing.assert_array_equal(DW[0], [[0.0], [0.0]])


@pytest.mark.parametrize("T,message", [
    (np.full((4, 1), np.nan), r"^T must be finite"),
    (np.zeros(4), r"^T must have 2 dimension\(s\); got shape \(4,\)"),
    ("targets", r"^T must be a numeric array; got str"),
])
def test_bad_targets_are_named(T, message):
    X, _, W, B = mlp.random_network((3, 2, 1), 4, seed=0)
    with pytest.raises((ValueError, TypeError), match=message):
        mlp.backward(X, T, W, B)


def test_mse_names_one_dimensional_targets():
    with pytest.raises(ValueError, match=r"^T must have 2 dimension\(s\); got shape \(3,\)"):
        mlp.mse(np.zeros((3, 1)), np.zeros(3))


@pytest.mark.parametrize("bad_layer,message", [
    (1, r"^W\[1\] must have shape \(4, fan_out\), since W\[0\] has 4 outputs; got \(5, 5\)"),
    (2, r"^W\[2\] must have shape \(5, fan_out\), since W\[1\] has 5 outputs; got \(6, 1\)"),
])
def test_a_wrong_inner_layer_names_the_layer_before(bad_layer, message):
    X, T, W, B = mlp.random_network((3, 4, 5, 1), 4, seed=0)
    W[bad_layer] = np.zeros((W[bad_layer].shape[0] + 1, W[bad_layer].shape[1]))
    with pytest.raises(ValueError, match=message):
        mlp.forward(X, W, B)


# ---- several outputs: mse's mean over N * d_out entries, backward against finite differences; dtypes -----------------

NETWORKS = [((3, 4, 2), 7), ((2, 5, 5, 3), 4), ((4, 3, 4), 1), ((1, 2), 6)]


@pytest.mark.parametrize("sizes,n", NETWORKS)
def test_mse_is_torch_mean_over_every_entry(sizes, n):
    X, T, W, B = mlp.random_network(sizes, n, seed=n)
    Y = mlp.forward(X, W, B)[0]
    assert Y.shape == (n, sizes[-1])
    expected = torch.nn.functional.mse_loss(torch.tensor(Y, dtype=torch.float64),
                                            torch.tensor(T, dtype=torch.float64), reduction="mean").item()
    assert mlp.mse(Y, T) == pytest.approx(expected, rel=1e-13)
    # The same sum of squares divided by N alone would be d_out times larger.
    assert mlp.mse(Y, T) == pytest.approx(float(((Y - T) ** 2).sum()) / Y.size, rel=1e-13)


@pytest.mark.parametrize("sizes,n", NETWORKS)
def test_backward_is_the_gradient_of_mse_with_several_outputs(sizes, n):
    X, T, W, B = mlp.random_network(sizes, n, seed=10 + n)
    DW, DB = mlp.backward(X, T, W, B)
    depth = len(W)
    fd = gradcheck.numerical_gradient(lambda p: mlp.mse(mlp.forward(X, p[:depth], p[depth:])[0], T), W + B)
    for ours, num in zip(DW + DB, fd):
        assert ours.shape == num.shape
        assert gradcheck.relative_error(ours, num) < 1e-5


def test_error_torch_is_the_mse_of_forward():
    X, T, W, B = mlp.random_network((3, 4, 2), 5, seed=3)
    tensors = [torch.tensor(a, dtype=torch.float64) for a in [X, T]]
    err = mlp.error_torch(*tensors, [torch.tensor(w) for w in W], [torch.tensor(b) for b in B])
    assert err.item() == pytest.approx(mlp.mse(mlp.forward(X, W, B)[0], T), rel=1e-13)


def test_mse_rejects_mismatched_shapes_naming_both():
    with pytest.raises(ValueError, match=r"^T must have the shape of Y, \(3, 2\); got \(3, 1\)"):
        mlp.mse(np.zeros((3, 2)), np.zeros((3, 1)))
    with pytest.raises(ValueError, match=r"^Y must have 2 dimension"):
        mlp.mse(np.zeros(3), np.zeros((3, 1)))


def test_random_network_is_he_initialised_and_seeded():
    X, T, W, B = mlp.random_network((400, 300, 2), 5, seed=1)
    assert X.shape == (5, 400) and T.shape == (5, 2)
    assert [w.shape for w in W] == [(400, 300), (300, 2)] and [b.shape for b in B] == [(300,), (2,)]
    # He: std sqrt(2 / fan_in); biases std 0.1 (300 draws: within 15 %)
    assert W[0].std() == pytest.approx(np.sqrt(2 / 400), rel=0.05)
    assert B[0].std() == pytest.approx(0.1, rel=0.15) and abs(B[0].mean()) < 0.03
    assert X.std() == pytest.approx(1.0, rel=0.05)
    again = mlp.random_network((400, 300, 2), 5, seed=1)
    other = mlp.random_network((400, 300, 2), 5, seed=2)
    for a, b, c in zip([X, T] + W + B, [again[0], again[1]] + again[2] + again[3],
                       [other[0], other[1]] + other[2] + other[3]):
        np.testing.assert_array_equal(a, b)
        assert not np.array_equal(a, c)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_autograd_gradients_come_back_as_float64_numpy(dtype):
    X, T, W, B = mlp.random_network((3, 4, 2), 6, seed=4)
    AW, AB = mlp.autograd_gradients(X, T, W, B, dtype)
    DW, DB = mlp.backward(X, T, W, B)
    for a, d in zip(AW + AB, DW + DB):
        assert isinstance(a, np.ndarray) and a.dtype == np.float64
        np.testing.assert_allclose(a, d, rtol=1e-12 if dtype == "float64" else 1e-4,
                                   atol=0 if dtype == "float64" else 1e-6)


def test_autograd_gradients_name_a_bad_dtype():
    X, T, W, B = mlp.random_network((3, 2), 2, seed=0)
    with pytest.raises(ValueError, match=r"^dtype must be one of \('float64', 'float32'\); got 'float16'"):
        mlp.autograd_gradients(X, T, W, B, "float16")


def test_unchecked_passes_keep_float32():
    X, T, W, B = (a.astype(np.float32) if isinstance(a, np.ndarray) else [x.astype(np.float32) for x in a]
                  for a in mlp.random_network((3, 4, 2), 6, seed=5))
    Y, Z, A = mlp.forward_unchecked(X, W, B)
    DW, DB = mlp.backward_unchecked(X, T, W, B)
    assert Y.dtype == np.float32 and all(d.dtype == np.float32 for d in DW + DB)
    ref = mlp.backward(X, T, W, B)
    for ours, theirs in zip(DW + DB, ref[0] + ref[1]):
        np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-6)  # float32 round-off


def test_autograd_gradients_default_to_float64_and_float32_is_float32_throughout():
    X, T, W, B = mlp.random_network((3, 5, 2), 8, seed=6)
    default, f64, f32 = (mlp.autograd_gradients(X, T, W, B, *d) for d in ((), ("float64",), ("float32",)))
    for a, b, c in zip(default[0] + default[1], f64[0] + f64[1], f32[0] + f32[1]):
        np.testing.assert_array_equal(a, b)
        assert gradcheck.relative_error(c, b) > 1e-9  # float32 round-off, far above float64's
    # Every tensor in float32 (targets too): the same graph built here in float32 gives the same bits.
    Wt = [torch.tensor(w, dtype=torch.float32, requires_grad=True) for w in W]
    Bt = [torch.tensor(b, dtype=torch.float32, requires_grad=True) for b in B]
    A = torch.tensor(X, dtype=torch.float32)
    for l, (w, b) in enumerate(zip(Wt, Bt)):
        A = A @ w + b
        A = torch.relu(A) if l < len(Wt) - 1 else A
    ((A - torch.tensor(T, dtype=torch.float32)) ** 2).mean().backward()
    for ours, ref in zip(f32[0] + f32[1], Wt + Bt):
        np.testing.assert_array_equal(ours, ref.grad.double().numpy())


# ---- messages found by the property-based tests (test_bad_input): missing targets, overflowing squares ---------------

@pytest.mark.filterwarnings("error")  # no RuntimeWarning may reach a student at these edges
def test_backward_without_targets_names_T():
    X, T, W, B = mlp.random_network((2, 3, 1), 4, seed=0)
    with pytest.raises(TypeError, match=r"^T must be the targets.*got None"):
        mlp.backward(X, None, W, B)


@pytest.mark.filterwarnings("error")  # no RuntimeWarning may reach a student at these edges
def test_mse_of_squares_that_overflow_is_the_true_mean_or_names_Y_and_T():
    """Found by test_bad_input: targets of 6e153 made mse inf. The mean of one square of 2.25e308 and one 0 is
    1.125e308, in range; a mean beyond range is an error naming Y and T."""
    assert mlp.mse([[1.5e154], [0.0]], [[0.0], [0.0]]) == pytest.approx(1.125e308, rel=1e-15)
    with pytest.raises(ValueError, match=r"^Y and T are too far apart: .* \(largest \|Y - T\| = 1.5e\+154\)$"):
        mlp.mse([[1.5e154], [1.5e154]], [[0.0], [0.0]])
    with pytest.raises(ValueError, match=r"^Y and T are too far apart: .* \(largest \|Y - T\| = inf\)$"):
        mlp.mse([[1.7e308]], [[-1.7e308]])  # Y - T itself overflows
    assert mlp.mse([[3.0], [1.0]], [[1.0], [1.0]]) == 2.0  # the ordinary path: (4 + 0) / 2
