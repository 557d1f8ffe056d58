"""Sharpness and the edge of stability (notebook 04, section 11, going further; the stability limit of notebook 03).

Gradient descent with step eta on a quadratic diverges along every Hessian eigendirection whose
eigenvalue exceeds 2/eta (notebook 03). On a neural network's loss the Hessian changes as the weights
move; its largest eigenvalue, the *sharpness*, typically climbs to 2/eta and hovers at or just above it, while
the loss still falls in the long run with short spikes: the "edge of stability" (Cohen et al., ICLR 2021), an
observation, not a law; Damian, Nichani and Lee (ICLR 2023) explain the return below 2/eta (self-stabilisation).

The sharpness is measured without forming the Hessian: power iteration on Hessian-vector products,
each one a second backward pass of torch's autograd through the gradient (Pearlmutter's trick).
Parameters are flattened in the order W[0], ..., W[-1], B[0], ..., B[-1] (numpy orientation, see `mlp`).
"""
from contextlib import contextmanager

import numpy as np

from . import mlp
from ._validate import as_float, as_float_array, as_int


@contextmanager
def _one_thread():
    """torch on one thread inside: these tensors are tiny (N x 6), and on a busy machine torch's worker
    threads waiting for a core made a 0.9 s training run take 30 s. The caller's setting is restored."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _flat_size(W, B):
    return sum(w.size for w in W) + sum(b.size for b in B)


def _hvp_function(X, T, W, B):
    """v (P,) -> H v as float64 numpy, for the Hessian H of mlp.mse at (W, B); one gradient graph reused.
    Given V (K, P), returns (K, P), row k = H V[k], from one batched backward pass (autograd's is_grads_batched)."""
    import torch

    params = [torch.tensor(p, requires_grad=True) for p in list(W) + list(B)]
    err = mlp.error_torch(torch.tensor(X), torch.tensor(T), params[:len(W)], params[len(W):])
    grads = torch.autograd.grad(err, params, create_graph=True)
    flat_grad = torch.cat([g.reshape(-1) for g in grads])

    def hvp(v):
        v = torch.tensor(v)
        Hv = torch.autograd.grad(flat_grad, params, grad_outputs=v, retain_graph=True, is_grads_batched=v.ndim == 2)
        return torch.cat([h.reshape(*v.shape[:-1], -1) for h in Hv], dim=-1).numpy()

    return hvp


def sharpness(X, T, W, B, iters=20, v0=None, seed=0):
    """Largest Hessian eigenvalue of mlp.mse(forward(X, W, B), T) over all weights and biases.

    Power iteration on Hessian-vector products: v <- H v / |H v|, `iters` times, from v0 (P,) or, if
    v0 is None, from a standard-normal vector drawn with `seed`. P = number of parameters.
    Returns (lam, v): the Rayleigh quotient v.H v (float) of the last unit vector v (P,). Pass v back
    as v0 at the next measurement along a training run: a warm start needs few iterations.
    Power iteration finds the eigenvalue of largest magnitude; for these losses near their
    trajectories it is the largest positive one (tests/mlp/test_sharpness.py compares with the full Hessian).
    X (N, d0), T (N, d_out), W, B as in mlp.backward.
    """
    X, T, W, B = mlp.validate(X, T, W, B)
    iters = as_int("iters", iters, low=1)
    P = _flat_size(W, B)
    if v0 is None:
        v = np.random.default_rng(as_int("seed", seed)).standard_normal(P)
    else:
        v = as_float_array("v0", v0, shape=(P,))
    biggest = np.abs(v).max()
    if biggest == 0:
        raise ValueError("v0 must not be the zero vector")
    v = v / biggest  # entries of size 1 first: the norm of a tiny or huge v0 would underflow or overflow
    v = v / np.linalg.norm(v)
    with _one_thread():
        hvp = _hvp_function(X, T, W, B)
        for _ in range(iters):
            Hv = hvp(v)
            norm = np.linalg.norm(Hv)
            if norm == 0:  # v in the null space: every eigenvalue it touches is 0
                return 0.0, v
            v = Hv / norm
        return float(v @ hvp(v)), v


def hessian(X, T, W, B):
    """The full Hessian (P, P) of mlp.mse: its columns H e_k, the Hessian-vector products of all P unit vectors in
    one batched backward pass (small networks only; nine times faster here than P passes)."""
    X, T, W, B = mlp.validate(X, T, W, B)
    with _one_thread():
        return _hvp_function(X, T, W, B)(np.eye(_flat_size(W, B))).T


def train(X, T, W, B, eta, steps, every=10, iters=5, seed=0):
    """Full-batch gradient descent W <- W - eta dE/dW (mlp.backward), measuring the sharpness on the way.

    Measures at steps 0, every, 2*every, ... (before that step's update), with `iters` power
    iterations warm-started from the previous measurement (the first starts from `seed` and
    gets 4 * iters). The inputs are not modified.
    Returns a dict: losses (steps,) the error before each step; sharp_steps (M,) and sharpness (M,);
    W, B the final parameters.
    """
    X, T, W, B = mlp.validate(X, T, W, B)
    eta = as_float("eta", eta, low=0.0, low_open=True)
    steps = as_int("steps", steps, low=1)
    every = as_int("every", every, low=1)
    iters = as_int("iters", iters, low=1)
    losses, sharp_steps, sharp = np.empty(steps), [], []
    v = None
    for step in range(steps):
        Y, _, _ = mlp.forward_unchecked(X, W, B)
        losses[step] = float(((Y - T) ** 2).mean())
        if step % every == 0:
            lam, v = sharpness(X, T, W, B, iters=iters if v is not None else 4 * iters, v0=v, seed=seed)
            sharp_steps.append(step)
            sharp.append(lam)
        DW, DB = mlp.backward_unchecked(X, T, W, B)
        W = [w - eta * d for w, d in zip(W, DW)]
        B = [b - eta * d for b, d in zip(B, DB)]
    return {"losses": losses, "sharp_steps": np.array(sharp_steps), "sharpness": np.array(sharp), "W": W, "B": B}


def rising_steps(losses):
    """Number of steps on which the loss went up: count of losses[i+1] > losses[i]."""
    losses = as_float_array("losses", losses, ndim=1)
    return int(np.sum(np.diff(losses) > 0))


def spikes(losses, factor=1.5):
    """Steps where the loss jumps: indices i with losses[i] > factor * min(losses[:i]) (the first of each run).

    A spike is a step whose loss exceeds the best loss so far by `factor`; consecutive such steps
    count as one spike, reported at its first step. Returns a list of ints.
    """
    losses = as_float_array("losses", losses, ndim=1)
    factor = as_float("factor", factor, low=1.0, low_open=True)
    best = np.minimum.accumulate(losses)
    above = np.zeros(losses.size, bool)
    above[1:] = losses[1:] > factor * best[:-1]
    return [int(i) for i in np.flatnonzero(above & ~np.concatenate(([False], above[:-1])))]


def training_figure(runs, factor=1.3):
    """Loss (left, log scale) and sharpness against 2/eta (right) of training runs {eta: train(...)'s dict}, the
    spikes (sharpness.spikes with `factor`) of the largest eta dotted: a Figure with its text alternative."""
    from . import style

    fig = style.figure(figsize=(11, 3.8))
    ax_loss, ax_sharp = fig.subplots(1, 2)
    etas = sorted(runs, reverse=True)
    looks = [(style.BLUE, "-", "o"), (style.VERMILLION, "--", "s"), (style.GREEN, ":", "^")]
    for eta, (color, line, marker) in zip(etas, looks):
        run = runs[eta]
        ax_loss.plot(run["losses"], line, color=color, label=f"η = {eta}")
        ax_sharp.plot(run["sharp_steps"], run["sharpness"], marker=marker, ls=line, ms=3, color=color,
                      label=f"sharpness, η = {eta}")
        ax_sharp.axhline(2 / eta, color=color, ls=(0, (6, 2, 1, 2)), lw=1)
        ax_sharp.annotate(f"2/η = {2 / eta:.0f}", (0, 2 / eta), xytext=(2, 3), textcoords="offset points",
                          fontsize=8, color=color)
    top = spikes(runs[etas[0]]["losses"], factor=factor)
    for s in top:
        ax_loss.axvline(s, color=style.BLACK, lw=0.8, ls=":")
    ax_loss.set(xlabel="gradient-descent step", ylabel="mean squared error E", yscale="log",
                title=f"Loss (dotted: spikes at η = {etas[0]})")
    style.plain_log_ticks(ax_loss.yaxis)
    ax_sharp.set(xlabel="gradient-descent step", ylabel="largest Hessian eigenvalue",
                 title="Sharpness against the stability limit 2/η (dash-dot)",
                 ylim=(0, 1.1 * max(2 / min(etas), max(float(np.max(r["sharpness"])) for r in runs.values()))))
    ax_loss.legend()
    ax_sharp.legend(fontsize=8)
    fig.tight_layout()
    parts = []
    for eta in etas:
        run = runs[eta]
        lam, limit = run["sharpness"], 2 / eta
        above = run["sharp_steps"][lam > limit]
        crossed = [int(s) for s in above if s > 0]
        parts.append(f"η = {eta}: the loss falls from {run['losses'][0]:.2f} to {run['losses'][-1]:.3f}, "
                     f"with {len(spikes(run['losses'], factor=factor))} spikes; the sharpness starts at {lam[0]:.0f}, "
                     f"ranges from {lam.min():.0f} to {lam.max():.0f} against 2/η = {limit:.0f}, and "
                     + (f"is first measured above 2/η again at step {crossed[0]}" if crossed else
                        "stays below 2/η after step 0" if lam[0] > limit else "never reaches 2/η"))
    return style.describe(fig, "Two panels over the gradient-descent steps. " + "; ".join(parts) + "." +
                          (f" The spikes start at steps {', '.join(map(str, top))}." if top else ""))
