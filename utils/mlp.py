"""The ReLU network of notebook 04 (4 -> 6 -> 6 -> 6 -> 1 in the course, any sizes here).

Numpy orientation, as in the course: Z[l] = A[l] @ W[l] + B[l], W[l] of shape
(fan_in, fan_out), B[l] of shape (fan_out,); ReLU (or tanh) on every layer but the last,
which is linear; the error is the mean squared error ((Y - T)**2).mean() over all N * d_out
entries. Also the same network as layers with a forward, a backward and a cache (Linear, ReLU),
the memory reverse mode keeps (stored_floats), the noise of mini-batch gradients (minibatch_spread)
and the notebook's network figure.
"""
import numpy as np

from ._validate import as_array_list, as_choice, as_float_array, as_int


def validate(X, T, W, B):
    """Check shapes and values; return float64 copies (X, T, W, B) or raise naming the argument.
    T, the targets, is required: shape (N, d_out)."""
    if T is None:
        raise TypeError("T must be the targets, an array of shape (N, d_out); got None")
    X, W, B = validate_network(X, W, B)
    T = as_float_array("T", T, ndim=2)
    if T.shape != (X.shape[0], W[-1].shape[1]):
        raise ValueError(f"T must have shape {(X.shape[0], W[-1].shape[1])}: one row per row of X and one column per "
                         f"output of W[-1]; got {T.shape}")
    return X, T, W, B


def validate_network(X, W, B):
    """Check X, W and B as validate() does; return float64 copies (X, W, B)."""
    W = as_array_list("W", W)
    B = as_array_list("B", B)
    if len(B) != len(W):
        raise ValueError(f"B must have one entry per layer of W ({len(W)}); got {len(B)}")
    X = as_float_array("X", X, ndim=2)
    fan_in = X.shape[1]
    for l, (w, b) in enumerate(zip(W, B)):
        if w.ndim != 2 or w.shape[0] != fan_in:
            source = f"X has {fan_in} columns" if l == 0 else f"W[{l - 1}] has {fan_in} outputs"
            raise ValueError(f"W[{l}] must have shape ({fan_in}, fan_out), since {source}; got {w.shape}")
        if b.shape != (w.shape[1],):
            raise ValueError(f"B[{l}] must have shape ({w.shape[1]},); got {b.shape}")
        fan_in = w.shape[1]
    return X, W, B


ACTIVATIONS = ("relu", "tanh")


def forward(X, W, B, activation="relu"):
    """Forward pass. X: (N, d0). Returns (Y, Z, A).

    Z[l]: pre-activation of layer l, (N, d_{l+1}); Z[-1] is Y.
    A[l]: input of layer l, (N, d_l); A[0] is X. activation: "relu" or "tanh" (hidden layers).
    """
    as_choice("activation", activation, ACTIVATIONS)
    X, W, B = validate_network(X, W, B)
    return forward_unchecked(X, W, B, activation)


def forward_unchecked(X, W, B, activation="relu"):
    """forward() without argument checks or copies; keeps the arrays' dtype (for benchmarks)."""
    A, Z = [X], []
    for l, (w, b) in enumerate(zip(W, B)):
        z = A[-1] @ w
        z += b  # in place: one (N, fan_out) temporary fewer per layer
        Z.append(z)
        if l < len(W) - 1:
            A.append(np.maximum(z, 0) if activation == "relu" else np.tanh(z))
    return Z[-1], Z, A


def mse(Y, T):
    """Mean squared error ((Y - T)**2).mean() over all N * d_out entries."""
    Y = as_float_array("Y", Y, ndim=2)
    T = as_float_array("T", T, ndim=2)
    if T.shape != Y.shape:
        raise ValueError(f"T must have the shape of Y, {Y.shape}; got {T.shape}")
    with np.errstate(over="ignore", invalid="ignore"):
        D = Y - T
        loss = float((D ** 2).mean())
        if np.isfinite(loss):
            return loss
        # a square overflowed: the same mean scaled by the largest |Y - T|, out of range only if the mean is
        scale = float(np.abs(D).max())
        loss = scale * (scale * float(((D / scale) ** 2).mean()))
    if not np.isfinite(loss):
        raise ValueError(f"Y and T are too far apart: their mean squared error is beyond float range "
                         f"(largest |Y - T| = {scale:.3g})")
    return loss


def backward(X, T, W, B, activation="relu"):
    """Gradient of mse(forward(X, W, B, activation), T) with respect to every W[l] and B[l].

    Returns (DW, DB): lists shaped like W and B. Vectorised over the batch:
    delta = dE/dZ (N, d_out); dW = A_prev.T @ delta; dB = delta.sum(0).
    The 2/(N d_out) of the mean enters once, at the output.
    """
    as_choice("activation", activation, ACTIVATIONS)
    return backward_unchecked(*validate(X, T, W, B), activation)


def backward_unchecked(X, T, W, B, activation="relu"):
    """backward() without argument checks or copies; keeps the arrays' dtype (for benchmarks)."""
    D, A = deltas_unchecked(X, T, W, B, activation)
    # The batch sum as a matrix-vector product: numpy's delta.sum(axis=0) over a narrow (N, 6) array runs
    # a 6-wide loop N times and is ~6x slower at N = 65536. Same values up to summation order.
    ones = np.ones(len(X), dtype=D[-1].dtype)
    return [a.T @ d for a, d in zip(A, D)], [ones @ d for d in D]


def deltas(X, T, W, B, activation="relu"):
    """delta[l] = dE/dZ[l], shape (N, d_{l+1}), for every layer l (delta[-1] = (2 / (N d_out)) (Y - T))."""
    as_choice("activation", activation, ACTIVATIONS)
    return deltas_unchecked(*validate(X, T, W, B), activation)[0]


def deltas_unchecked(X, T, W, B, activation="relu"):
    """(deltas, A): deltas() and forward()'s layer inputs A, without argument checks."""
    Y, Z, A = forward_unchecked(X, W, B, activation)
    D = [None] * len(W)
    D[-1] = (2.0 / Y.size) * (Y - T)
    for l in reversed(range(len(W) - 1)):
        delta = D[l + 1] @ W[l + 1].T
        # ReLU' as a mask at the pre-activation Z (1 where Z > 0); tanh' = 1 - tanh(Z)^2 from the output A.
        delta *= (Z[l] > 0) if activation == "relu" else 1 - A[l + 1] ** 2
        D[l] = delta
    return D, A


def error_torch(X, T, W, B, activation="relu"):
    """The same error built from torch tensors (any float dtype), differentiable by autograd."""
    import torch

    as_choice("activation", activation, ACTIVATIONS)
    act = torch.relu if activation == "relu" else torch.tanh
    A = X
    for l, (w, b) in enumerate(zip(W, B)):
        Z = A @ w + b
        A = act(Z) if l < len(W) - 1 else Z
    return ((A - T) ** 2).mean()


def autograd_gradients(X, T, W, B, dtype="float64", activation="relu"):
    """(DW, DB) from torch.autograd in `dtype` ("float64" or "float32"), returned as float64 numpy arrays."""
    import torch

    as_choice("dtype", dtype, ("float64", "float32"))
    as_choice("activation", activation, ACTIVATIONS)
    X, T, W, B = validate(X, T, W, B)
    tdtype = getattr(torch, dtype)
    Wt = [torch.nn.Parameter(torch.tensor(w, dtype=tdtype)) for w in W]
    Bt = [torch.nn.Parameter(torch.tensor(b, dtype=tdtype)) for b in B]
    err = error_torch(torch.tensor(X, dtype=tdtype), torch.tensor(T, dtype=tdtype), Wt, Bt, activation)
    err.backward()
    return ([w.grad.double().numpy() for w in Wt], [b.grad.double().numpy() for b in Bt])


# ---------------------------------------------------------------- the layer API: forward and backward with a cache

class Linear:
    """Z = A @ w + b. forward caches its input A (N, fan_in), the one array its backward needs;
    backward(delta) (N, fan_out) sets dw (fan_in, fan_out) and db (fan_out,) and returns dE/dA (N, fan_in)."""

    def __init__(self, w, b):
        self.w, self.b = w, b
        self.cache = None

    def forward(self, A):
        self.cache = A
        return A @ self.w + self.b

    def backward(self, delta):
        self.dw, self.db = self.cache.T @ delta, delta.sum(axis=0)
        return delta @ self.w.T


class ReLU:
    """A = max(0, Z). forward caches the mask Z > 0 (N, d); backward(dA) returns dE/dZ = dA * mask."""

    def __init__(self):
        self.cache = None

    def forward(self, Z):
        self.cache = Z > 0
        return np.maximum(Z, 0)

    def backward(self, dA):
        return dA * self.cache


def layers(W, B):
    """The ReLU network of W, B as a list of layers [Linear, ReLU, ..., Linear] (no ReLU after the last)."""
    W = as_array_list("W", W)
    B = as_array_list("B", B, length=len(W))
    out = []
    for l, (w, b) in enumerate(zip(W, B)):
        out += [Linear(w, b)] + ([ReLU()] if l < len(W) - 1 else [])
    return out


def layer_backward(X, T, W, B):
    """mlp.backward through the layer API: forward through layers(W, B) (each caching what its backward needs),
    then backward in reverse order from dE/dY = 2 (Y - T) / (N d_out). Returns (DW, DB, net), net the layers with
    their caches still filled."""
    X, T, W, B = validate(X, T, W, B)
    net = layers(W, B)
    out = X
    for layer in net:
        out = layer.forward(out)
    grad = 2.0 * (out - T) / out.size
    for layer in reversed(net):
        grad = layer.backward(grad)
    linear = [layer for layer in net if isinstance(layer, Linear)]
    return [layer.dw for layer in linear], [layer.db for layer in linear], net


def _sizes(sizes):
    """`sizes` as a list of positive ints (at least an input and an output size), or an error naming it."""
    if not isinstance(sizes, (list, tuple)) or len(sizes) < 2:
        raise ValueError(f"sizes must list at least an input and an output size, like (4, 6, 1); got {sizes!r}")
    return [as_int(f"sizes[{i}]", s, low=1) for i, s in enumerate(sizes)]


def stored_floats(sizes, n_samples):
    """How many numbers the backward pass keeps from the forward pass of a ReLU network with layer sizes `sizes`
    (e.g. (4, 6, 6, 6, 1)) on a batch of `n_samples`: each Linear layer's input (N x fan_in) and each ReLU's mask
    (N x width), as the layer API caches them. Returns {"linear inputs", "relu masks", "total", "parameters"}."""
    sizes = _sizes(sizes)
    n = as_int("n_samples", n_samples, low=1)
    inputs, masks = n * sum(sizes[:-1]), n * sum(sizes[1:-1])
    params = sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))
    return {"linear inputs": inputs, "relu masks": masks, "total": inputs + masks, "parameters": params}


def minibatch_spread(X, T, W, B, batch_sizes):
    """How far mini-batch gradients stray from the full-batch gradient g: for each batch size b (dividing N), the
    root-mean-square of |g_batch - g| / |g| over the N / b consecutive batches X[i:i+b] (all weights and biases
    flattened). Returns an array (len(batch_sizes),)."""
    X, T, W, B = validate(X, T, W, B)

    def flat(X_, T_):
        DW, DB = backward_unchecked(X_, T_, W, B)
        return np.concatenate([d.ravel() for d in DW + DB])

    if not isinstance(batch_sizes, (list, tuple)) or not batch_sizes:
        raise ValueError(f"batch_sizes must be a non-empty list of batch sizes; got {batch_sizes!r}")
    sizes = [as_int(f"batch_sizes[{i}]", b, low=1, high=len(X)) for i, b in enumerate(batch_sizes)]
    for b in sizes:
        if len(X) % b:
            raise ValueError(f"batch_sizes must divide N = {len(X)}; got {b}")
    # the ratios do not change when every gradient is divided by one number: by |g|'s largest entry, the norms'
    # squares stay in float range for gradients up to ~1e308
    with np.errstate(over="ignore", invalid="ignore"):
        full = flat(X, T)
        scale = np.abs(full).max()
        if scale == 0:
            raise ValueError("X, T, W and B give a zero full-batch gradient (every unit off, or a perfect fit): a "
                             "spread relative to it is undefined")
        out = []
        for b in sizes:
            errs = [np.linalg.norm((flat(X[i:i + b], T[i:i + b]) - full) / scale) for i in range(0, len(X), b)]
            out.append(np.sqrt(np.mean(np.square(errs))) / np.linalg.norm(full / scale))
    if not np.all(np.isfinite(out)):
        raise ValueError(f"X, T, W or B is too large: the gradients are beyond float range (largest |X| = "
                         f"{np.abs(X).max():.3g}, largest |T| = {np.abs(T).max():.3g})")
    return np.array(out)


def random_network(sizes, n_samples, seed):
    """A random (X, T, W, B) for layer sizes like (4, 6, 6, 6, 1); He-initialised, for tests and benchmarks."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_samples, sizes[0]))
    T = rng.standard_normal((n_samples, sizes[-1]))
    W = [rng.standard_normal((a, b)) * np.sqrt(2.0 / a) for a, b in zip(sizes[:-1], sizes[1:])]
    B = [0.1 * rng.standard_normal(b) for b in sizes[1:]]
    return X, T, W, B


def draw(ax, sizes=(4, 6, 6, 6, 1)):
    """Draw the layered network with named units into `ax`; returns diagrams.draw_network's dict."""
    from . import diagrams

    hidden = [f"layer {l}: {n} ReLU\nZ{l}, A{l}: (N, {n})" for l, n in enumerate(sizes[1:-1], start=1)]
    labels = [f"inputs x1…x{sizes[0]}\nX: (N, {sizes[0]})", *hidden,
              f"output y, linear\nY: (N, {sizes[-1]})"]
    return diagrams.draw_network(ax, diagrams.mlp_layers(sizes), radius=0.3, layer_gap=2.4, layer_labels=labels,
                                 title=f"The {'-'.join(map(str, sizes))} network (unit j of hidden layer l: hl_j)")


def network_figure(sizes=(4, 6, 6, 6, 1)):
    """The network of layer `sizes` drawn by `draw`, as a Figure with its text alternative (style.describe)."""
    from . import style

    sizes = _sizes(sizes)
    fig = style.figure(figsize=(10, 5.5))
    draw(fig.subplots(), tuple(sizes))
    n_weights = sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
    hidden = ", ".join(str(s) for s in sizes[1:-1])
    return style.describe(fig, (
        f"A layered network drawn left to right: {sizes[0]} inputs, hidden layers of {hidden} ReLU units, and "
        f"{sizes[-1]} linear output. Every unit is joined to every unit of the next layer: {n_weights} lines, one "
        f"per weight. Under each layer its arrays and their shapes for a batch of N samples, from X: (N, {sizes[0]}) "
        f"to Y: (N, {sizes[-1]})."))
