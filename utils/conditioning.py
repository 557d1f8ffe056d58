"""Conditioning of linear regression (notebook 03, theory exercise 3 of the course).

Model f(x) = w.x, targets t = v.x + eps, loss J(w) = E[1/2 (w.x - t)^2] with x ~ N(mu, sigma^2 I).
Gradient E[(w.x - t) x] = H (w - v); Hessian H = E[x x^T] = mu mu^T + sigma^2 I;
eigenvalues sigma^2 (d - 1 times) and |mu|^2 + sigma^2; kappa = 1 + |mu|^2 / sigma^2.
"""
import math

import numpy as np

from ._validate import as_choice, as_float, as_float_array, as_int
from . import style

W_STAR = np.array([1.0, -0.5])   # v, the minimiser, in the 2-D demonstrations
W_START = np.array([-2.0, 1.5])  # the fixed starting point of gradient descent
TOL = 1e-6                       # converged when |w - v| <= TOL |w0 - v|
DIVERGED = 1e6                   # diverged when |w - v| > DIVERGED |w0 - v|
BETA_MAX = 0.99                  # heavy ball needs beta < 1 to converge at all


def _mu_sigma(mu, sigma):
    mu = as_float_array("mu", mu, ndim=1)
    sigma = as_float("sigma", sigma, low=0.0, low_open=True)
    with np.errstate(over="ignore", divide="ignore"):
        scales = np.array([np.float64(sigma) ** 2, mu @ mu, (mu @ mu) / np.float64(sigma) ** 2])
    if not np.all(np.isfinite(scales)):
        raise ValueError(f"mu and sigma are out of float range: with sigma = {sigma:.3g}, "
                         "sigma^2, |mu|^2 or kappa overflows")
    return mu, sigma


def hessian(mu, sigma):
    """H = mu mu^T + sigma^2 I, shape (d, d), for mu of shape (d,) and sigma > 0."""
    mu, sigma = _mu_sigma(mu, sigma)
    return np.outer(mu, mu) + sigma ** 2 * np.eye(mu.size)


def eigenvalues(mu, sigma):
    """Closed-form eigenvalues of H, ascending, shape (d,): sigma^2 (d - 1 times), then |mu|^2 + sigma^2."""
    mu, sigma = _mu_sigma(mu, sigma)
    lam = np.full(mu.size, sigma ** 2)
    lam[-1] += mu @ mu
    return lam


def condition_number(mu, sigma):
    """kappa = lambda_max / lambda_min = 1 + |mu|^2 / sigma^2 for d >= 2; 1 for d = 1 (H is a number)."""
    mu, sigma = _mu_sigma(mu, sigma)
    if mu.size == 1:  # no direction orthogonal to mu: the only eigenvalue is mu^2 + sigma^2
        return 1.0
    return 1.0 + float(mu @ mu) / sigma ** 2


def sample_inputs(mu, sigma, n, rng):
    """n draws of x ~ N(mu, sigma^2 I), shape (n, d), from numpy Generator `rng`."""
    mu, sigma = _mu_sigma(mu, sigma)
    n = as_int("n", n, low=1)
    return mu + sigma * rng.standard_normal((n, mu.size))


def empirical_hessian(X):
    """The Hessian of the empirical loss 1/n sum 1/2 (w.x_i - t_i)^2: X^T X / n, shape (d, d)."""
    X = as_float_array("X", X, ndim=2)
    with np.errstate(over="ignore", invalid="ignore"):
        H = X.T @ X / X.shape[0]
    if not np.all(np.isfinite(H)):
        raise ValueError("X is out of float range: X^T X overflows")
    return H


def _square_matrix(H):
    """H as a float64 array of shape (d, d), or an error naming H and its shape."""
    H = as_float_array("H", H, ndim=2)
    if H.shape[0] != H.shape[1]:
        raise ValueError(f"H must be square; got shape {H.shape}")
    return H


def _eigenvalue_range(lam_min, lam_max):
    """lam_min and lam_max as floats with 0 < lam_min <= lam_max, or an error naming both."""
    lam_min = as_float("lam_min", lam_min, low=0.0, low_open=True)
    lam_max = as_float("lam_max", lam_max, low=0.0, low_open=True)
    if lam_min > lam_max:
        raise ValueError(f"lam_min and lam_max must satisfy lam_min <= lam_max; got lam_min = {lam_min}, "
                         f"lam_max = {lam_max}")
    return lam_min, lam_max


def step_size(rule, lam_min, lam_max):
    """A fixed step for a quadratic with eigenvalues in [lam_min, lam_max].

    "optimal": 2 / (lam_min + lam_max), the fastest fixed step; "lecun": 1 / lam_max;
    "edge": 2 / lam_max, beyond which gradient descent diverges.
    """
    lam_min, lam_max = _eigenvalue_range(lam_min, lam_max)
    rules = {"optimal": 2.0 / (lam_min + lam_max), "lecun": 1.0 / lam_max, "edge": 2.0 / lam_max}
    return rules[as_choice("rule", rule, tuple(rules))]


def predicted_rate(kappa):
    """Per-step contraction of |w - v| with the optimal step: (kappa - 1) / (kappa + 1)."""
    kappa = as_float("kappa", kappa, low=1.0)
    return (kappa - 1.0) / (kappa + 1.0)


def predicted_steps(kappa, tol=TOL):
    """Steps the optimal fixed step needs to shrink |w - v| by `tol`: ceil(log tol / log rate)."""
    rate = predicted_rate(kappa)
    tol = as_float("tol", tol, low=0.0, low_open=True, high=1.0)
    if rate == 1.0:
        raise ValueError(f"kappa = {kappa:.3g} is too large: the rate (kappa - 1)/(kappa + 1) rounds to 1")
    return 0 if rate == 0.0 else math.ceil(math.log(tol) / math.log(rate) - 1e-9)


def gradient_descent(H, step, w0=W_START, w_star=W_STAR, tol=TOL, max_steps=20000):
    """Run w <- w - step * H (w - w_star) from w0.

    Returns a dict: path (k + 1, d); errors (k + 1,) = |w_i - w_star|; steps k; status "converged",
    "diverged" (error grew past DIVERGED times the start) or "max_steps"; text, e.g. "diverged after 12 steps".
    """
    return heavy_ball(H, step, 0.0, w0, w_star, tol, max_steps)


def heavy_ball(H, step, beta, w0=W_START, w_star=W_STAR, tol=TOL, max_steps=20000):
    """Polyak's heavy ball: w_{k+1} = w_k - step * H (w_k - w_star) + beta (w_k - w_{k-1}), with w_{-1} = w0.

    beta = 0 is plain gradient descent. Returns the same dict as gradient_descent.
    """
    H = _square_matrix(H)
    w0 = as_float_array("w0", w0, ndim=1)
    w_star = as_float_array("w_star", w_star, ndim=1)
    if w0.shape != (len(H),) or w_star.shape != (len(H),):
        raise ValueError(f"H of shape {H.shape} needs w0 and w_star of shape ({len(H)},); "
                         f"got {w0.shape} and {w_star.shape}")
    step = as_float("step", step, low=0.0, low_open=True)
    beta = as_float("beta", beta, low=0.0, high=BETA_MAX)
    tol = as_float("tol", tol, low=0.0, low_open=True, high=1.0)
    max_steps = as_int("max_steps", max_steps, low=1)
    E = np.empty((max_steps + 1, w0.size))
    with np.errstate(over="ignore"):  # (a sum of squares cannot be nan: no "invalid" to silence)
        E[0] = e = previous = w0 - w_star
        e0_sq = float(e @ e)
    if not np.isfinite(e0_sq):  # else inf <= inf would report "converged after 0 steps"
        raise ValueError("w0 and w_star are out of float range: |w0 - w_star|^2 overflows")
    done, blown = tol ** 2 * e0_sq, DIVERGED ** 2 * max(e0_sq, 1e-300)  # compare squared norms: no sqrt per step
    status, k = "max_steps", 0
    while True:
        with np.errstate(over="ignore"):
            size = float(e @ e)
        if size <= done:
            status = "converged"
            break
        if not size <= blown:  # also catches inf and nan
            status = "diverged"
            break
        if k == max_steps:
            break
        with np.errstate(over="ignore", invalid="ignore"):
            new = e - step * (H @ e)
            if beta:
                new = new + beta * (e - previous)
        previous, e = e, new
        if not np.all(np.isfinite(e)):  # overflowed in this step: diverged, keep the finite path
            status = "diverged"
            break
        k += 1
        E[k] = e
    E = E[:k + 1]
    k = len(E) - 1
    steps = f"{k} step" + ("" if k == 1 else "s")
    text = {"converged": f"converged after {steps}", "diverged": f"diverged after {steps}",
            "max_steps": f"not converged after {steps}"}[status]
    scale = np.maximum(np.abs(E).max(axis=1), 1e-300)  # norms of huge diverging errors without overflow
    errors = scale * np.linalg.norm(E / scale[:, None], axis=1)
    return {"path": E + w_star, "errors": errors, "steps": k, "status": status, "text": text}


def momentum_parameters(lam_min, lam_max):
    """The fastest heavy ball for eigenvalues in [lam_min, lam_max]: (step, beta) with
    step = 4 / (sqrt(lam_max) + sqrt(lam_min))^2 and beta = ((sqrt(kappa) - 1) / (sqrt(kappa) + 1))^2."""
    lam_min, lam_max = _eigenvalue_range(lam_min, lam_max)
    root_min, root_max = math.sqrt(lam_min), math.sqrt(lam_max)
    return 4.0 / (root_max + root_min) ** 2, ((root_max - root_min) / (root_max + root_min)) ** 2


def predicted_momentum_rate(kappa):
    """Asymptotic per-step contraction of the fastest heavy ball: (sqrt(kappa) - 1) / (sqrt(kappa) + 1)."""
    root = math.sqrt(as_float("kappa", kappa, low=1.0))
    return (root - 1.0) / (root + 1.0)


def momentum_error_bounds(kappa, k):
    """Bounds on |e_k| / |e_0| for the fastest heavy ball when every eigenvalue is lam_min or lam_max (the
    2-D problems here), as (lower, upper) arrays shaped like k.

    At both ends of the spectrum the iteration has a repeated root +-rho (rho = predicted_momentum_rate), so
    the error along eigenvector i is e_0,i (1 + c_i k) (+-rho)^k with c = 2 / (sqrt(kappa) + 1) at lam_min and
    2 sqrt(kappa) / (sqrt(kappa) + 1) at lam_max: rho^k <= |e_k| / |e_0| <= (1 + c_max k) rho^k.
    """
    rho, root = predicted_momentum_rate(kappa), math.sqrt(kappa)
    k = as_float_array("k", k)
    if np.any(k < 0) or np.any(k != np.round(k)):
        raise ValueError(f"k must hold whole numbers >= 0; got {k.ravel()[:4]}")
    power = rho ** k
    return power, (1.0 + 2.0 * root / (root + 1.0) * k) * power


def predicted_momentum_steps(kappa, tol=TOL):
    """The fastest heavy ball's steps to shrink |w - v| by `tol`, bracketed by momentum_error_bounds:
    (fewest, most) = (first k with rho^k <= tol, first k with (1 + c_max k) rho^k <= tol)."""
    rho = predicted_momentum_rate(kappa)
    tol = as_float("tol", tol, low=0.0, low_open=True, high=1.0)
    if rho == 0.0:
        return 0, 0
    if rho == 1.0:
        raise ValueError(f"kappa = {kappa:.3g} is too large: the rate rounds to 1")
    fewest = math.ceil(math.log(tol) / math.log(rho) - 1e-9)
    most = fewest  # the upper bound first falls below tol on its decreasing branch, at or after `fewest`
    while momentum_error_bounds(kappa, most)[1] > tol:
        most += 1
    return fewest, most


def eigendirection_errors(H, step, path, w_star=W_STAR):
    """The error of a gradient-descent path along each eigenvector of H, measured and predicted.

    path: (k + 1, d) iterates. Returns a dict: lam (d,) ascending; measured (k + 1, d) = |U^T (w_j - w_star)|;
    predicted (k + 1, d) = |1 - step lam_i|^j |U^T (w_0 - w_star)|_i, the contraction of each direction alone.
    """
    H = _square_matrix(H)
    path = as_float_array("path", path, ndim=2, shape=(None, len(H)))
    step = as_float("step", step, low=0.0, low_open=True)
    lam, U = np.linalg.eigh(H)
    measured = np.abs((path - as_float_array("w_star", w_star, shape=(len(H),))) @ U)
    j = np.arange(path.shape[0])[:, None]
    return {"lam": lam, "measured": measured, "predicted": np.abs(1.0 - step * lam) ** j * measured[0]}


def measured_rate(errors):
    """Average per-step contraction (e_k / e_0)^(1/k) of an error sequence (k >= 1)."""
    errors = as_float_array("errors", errors, ndim=1)
    if errors.size < 2 or errors[0] <= 0 or np.any(errors < 0):
        raise ValueError(f"errors must be distances: at least 2 entries, none negative, errors[0] > 0; got {errors[:4]}")
    with np.errstate(over="ignore"):  # (numpy ignores underflow by default)
        ratio = errors[-1] / errors[0]
    if np.isfinite(ratio) and (ratio >= np.finfo(float).tiny or errors[-1] == 0.0):
        return float(ratio ** (1.0 / (errors.size - 1)))
    # the ratio left float range: the same root through logarithms
    log_rate = (math.log(errors[-1]) - math.log(errors[0])) / (errors.size - 1)
    if log_rate > math.log(np.finfo(float).max):
        raise ValueError(f"errors must not grow beyond float range per step; got errors[0] = {errors[0]:.3g}, "
                         f"errors[-1] = {errors[-1]:.3g} after {errors.size - 1} step(s)")
    return math.exp(log_rate)


def widget_state(mu1, mu2, sigma, step_fraction=0.5, center=False, beta=0.0, n_grid=60):
    """Everything the interactive figure of notebook 03 shows, for one position of the sliders.

    step_fraction: the step as a fraction of 2 / lambda_max (plain descent diverges above 1, heavy ball
    above 1 + beta). center: inputs x - mu, so H = sigma^2 I. beta: heavy-ball momentum, 0 <= beta <= 0.99.
    Returns a dict with mu (zero when centred), sigma, H, lam (ascending), vecs (columns), kappa, step, beta,
    gd (heavy_ball's dict), plain (gradient_descent's dict with the same step when beta > 0, else None), grid
    axes w1, w2 (n_grid,), centred on W_STAR and reaching 1.3 times the largest coordinate of W_START - W_STAR
    to either side, J (n_grid, n_grid) over them (row i at w2[i], column j at w1[j]; 60 x 60 by default),
    and text (the printed lines).
    """
    # Bounds far beyond the sliders' ranges keep every drawn number finite.
    mu = np.array([as_float("mu1", mu1, low=-1e3, high=1e3), as_float("mu2", mu2, low=-1e3, high=1e3)])
    sigma = as_float("sigma", sigma, low=1e-3, high=1e3)
    step_fraction = as_float("step_fraction", step_fraction, low=0.0, low_open=True, high=100.0)
    beta = as_float("beta", beta)  # its bounds, 0 <= beta <= BETA_MAX: heavy_ball's, with the same message
    n_grid = as_int("n_grid", n_grid, low=2, high=1000)
    mu_eff = np.zeros(2) if center else mu
    H = hessian(mu_eff, sigma)
    lam, vecs = np.linalg.eigh(H)
    kappa = float(lam[-1] / lam[0])
    step = step_fraction * 2.0 / lam[-1]
    gd = heavy_ball(H, step, beta)
    plain = gradient_descent(H, step) if beta else None
    # Frame the start and the minimum; a diverging path leaves the frame, which is the point.
    span = 1.3 * np.abs(W_START - W_STAR).max()
    w1 = np.linspace(W_STAR[0] - span, W_STAR[0] + span, n_grid)
    w2 = np.linspace(W_STAR[1] - span, W_STAR[1] + span, n_grid)
    G1, G2 = np.meshgrid(w1 - W_STAR[0], w2 - W_STAR[1])
    J = 0.5 * (H[0, 0] * G1 ** 2 + 2 * H[0, 1] * G1 * G2 + H[1, 1] * G2 ** 2)
    optimal = step_size("optimal", lam[0], lam[-1]) * lam[-1] / 2
    text = [f"inputs {'centred' if center else 'not centred'}: mu = ({mu_eff[0]:.2f}, {mu_eff[1]:.2f}), sigma = {sigma:.2f}",
            f"lambda_min = {lam[0]:.3f}, lambda_max = {lam[-1]:.3f}, kappa = {kappa:.2f}"]
    if beta:
        best_step, best_beta = momentum_parameters(lam[0], lam[-1])
        text += [f"step = {step_fraction:.2f} x 2/lambda_max, momentum beta = {beta:.2f} (diverges above "
                 f"{1 + beta:.2f}; fastest: {best_step * lam[-1] / 2:.2f} with beta = {best_beta:.2f}); {gd['text']}",
                 f"without momentum: {plain['text']}"]
    else:
        text.append(f"step = {step_fraction:.2f} x 2/lambda_max (optimal: {optimal:.2f}); {gd['text']}")
    return {"mu": mu_eff, "sigma": sigma, "H": H, "lam": lam, "vecs": vecs, "kappa": kappa, "step": step,
            "beta": beta, "gd": gd, "plain": plain, "w1": w1, "w2": w2, "J": J, "text": "\n".join(text)}


def draw_state(ax_contour, ax_error, state, compare=True):
    """Draw a widget_state: contours of J with the GD path and eigenvectors; |w - v| against the step.

    compare: give the dashed curve of the same step without momentum a legend entry (the widget draws that
    curve whenever beta > 0); False for a figure of plain descent alone, whose legend then lists only what it shows.

    Returns the artists that change with the state, for update_drawing. Labels avoid mathtext and the
    titles have a fixed position: both cost more than the data itself on a slow machine.
    """
    from matplotlib.ticker import MaxNLocator

    w1, w2 = state["w1"], state["w2"]
    eig = ax_contour.quiver([W_STAR[0]] * 2, [W_STAR[1]] * 2, [0, 0], [0, 0], color=[style.GREEN, style.VERMILLION],
                            angles="xy", scale_units="xy", scale=1, width=0.012, zorder=3)
    # The two eigenvectors differ in colour and carry their names at their tips (not by colour alone).
    # (black on white: figure text keeps 4.5 : 1, which green and vermillion text would not)
    eig_labels = [ax_contour.text(*W_STAR, which, fontsize=10, ha="center", va="center", zorder=4,
                                  bbox=dict(facecolor="white", edgecolor="none", alpha=0.85, pad=1))
                  for which in ("u(λmin)", "u(λmax)")]
    # Lines that carry meaning keep 3 : 1 against white (WCAG 1.4.11): blue, vermillion, green, black, grey; not
    # Okabe-Ito's orange or sky blue (2.0 and 2.2 : 1).
    path, = ax_contour.plot([], [], "o-", color=style.BLUE, ms=2.5, lw=1, label="descent path")
    ax_contour.plot(*W_STAR, "*", color=style.BLACK, ms=10, label="minimum v")
    ax_contour.set(xlim=(w1[0], w1[-1]), ylim=(w2[0], w2[-1]), aspect="equal", xlabel="w1", ylabel="w2")
    legend = ax_contour.legend(loc="lower left", fontsize=10, framealpha=1)
    error, = ax_error.semilogy([1, 2], [1, 2], color=style.BLUE, label="this run")
    plain, = ax_error.semilogy([], [], color=style.VERMILLION, ls="--", lw=1,
                               label="β = 0, same step" if compare else "_nolegend_")
    tol = ax_error.axhline(1.0, color=style.BLACK, ls=":", lw=1, label="tolerance")
    style.plain_log_ticks(ax_error.yaxis)
    ax_error.xaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))  # steps are whole; few labels draw fast
    ax_error.set(xlabel="step", ylabel="|w - v|")
    ax_error.legend(fontsize=10, loc="upper right", framealpha=1)
    handles = {"ax_contour": ax_contour, "ax_error": ax_error, "contour": None, "eig": eig, "eig_labels": eig_labels,
               "path": path,
               "legend": legend, "error": error, "plain": plain, "tol": tol,
               "title_contour": ax_contour.set_title("", y=1.0), "title_error": ax_error.set_title("", y=1.0)}
    update_drawing(handles, state)
    return handles


def update_drawing(handles, state):
    """Change the artists made by draw_state to show `state` (the frame stays: w1, w2 are fixed)."""
    if handles["contour"] is not None:
        handles["contour"].remove()
    levels = np.unique(np.quantile(state["J"], np.linspace(0.02, 0.9, 10) ** 2))
    handles["contour"] = handles["ax_contour"].contour(state["w1"], state["w2"], state["J"], levels=levels,
                                                       colors=style.CONTOUR, linewidths=0.8)
    vecs = 0.9 * state["vecs"]
    handles["eig"].set_UVC(vecs[0], vecs[1])
    for label, tip in zip(handles["eig_labels"], W_STAR + 1.6 * vecs.T):
        label.set_position(tip)
    path = state["gd"]["path"][:400]
    handles["path"].set_data(path[:, 0], path[:, 1])
    errors = np.maximum(state["gd"]["errors"], 1e-300)
    handles["error"].set_data(np.arange(errors.size), errors)
    shown = errors
    if state.get("plain") is not None:  # the same step without momentum, up to the length of this run
        plain = np.maximum(state["plain"]["errors"][:errors.size], 1e-300)
        handles["plain"].set_data(np.arange(plain.size), plain)
        shown = np.concatenate([errors, plain])
    else:
        handles["plain"].set_data([], [])
    handles["tol"].set_ydata([TOL * errors[0]] * 2)
    handles["ax_error"].set_xlim(0, max(errors.size - 1, 1))
    handles["ax_error"].set_ylim(min(shown.min(), TOL * errors[0]) / 3, shown.max() * 3)
    lam = state["lam"]
    handles["title_contour"].set_text(f"contours of J: λ = {lam[0]:.2f}, {lam[-1]:.2f}, κ = {state['kappa']:.1f}")
    handles["title_error"].set_text(state["gd"]["text"])


def _path_phrase(state):
    """How the path of widget_state `state` moves, in words: its status and, for plain descent, the shape that the
    factor 1 - step lambda_max of the steep direction gives it."""
    gd, steep = state["gd"], 1.0 - state["step"] * state["lam"][-1]
    if state["beta"] or state["kappa"] < 1 + 1e-9:
        shape = ""
    elif gd["status"] == "diverged":
        shape = ", zig-zagging ever wider across the valley"
    elif abs(steep) < 1e-9:
        shape = ", reaching the valley floor in one step and then creeping along it"
    elif steep < 0:
        shape = ", zig-zagging across the valley"
    else:
        shape = ", approaching the valley floor from one side"
    return f"{gd['text']}{shape}"


def describe_state(state):
    """The text alternative of a frame drawn from widget_state `state`: the bowl's shape (κ), the run, the step and
    where the edge of divergence lies."""
    kappa, lam, beta = state["kappa"], state["lam"], state["beta"]
    fraction = state["step"] * lam[-1] / 2
    edge = 1.0 + beta
    bowl = ("round contours (κ = 1.00): every direction is equally steep" if kappa < 1 + 1e-9 else
            f"elliptical contours, {math.sqrt(kappa):.1f} times longer along the flat direction than along the steep "
            f"one (κ = {kappa:.2f}; λ = {lam[0]:.2f} and {lam[-1]:.2f})")
    # the slider stops on the edge itself (fraction 1.00, or 1 + β): there descent neither converges nor diverges
    side = "at" if abs(fraction - edge) <= 1e-9 * edge else "below" if fraction < edge else "beyond"
    method = f"heavy ball with β = {beta:.2f}" if beta else "plain gradient descent"
    text = (f"Left: {bowl}, with the minimum v = ({W_STAR[0]:g}, {W_STAR[1]:g}) marked by a star and the "
            f"descent path from w0 = ({W_START[0]:g}, {W_START[1]:g}). Right: the distance |w − v| against the step "
            f"on a log scale, with the tolerance line at 1e-6 of the start. {method.capitalize()} with the step "
            f"{fraction:.2f} × 2/λmax (η = {state['step']:.3f}), {side} the edge of divergence at {edge:.2f} × 2/λmax: "
            f"{_path_phrase(state)}.")
    if state.get("plain") is not None:
        text += f" The dashed curve, the same step without momentum: {state['plain']['text']}."
    return text


class ConditioningView:
    """The widget's figure, made once and updated in place (style.LiveFigure): a slider move redraws the
    left panel's contours, eigenvectors, path and title, and the whole right panel, whose limits change;
    the left panel's frame, ticks and labels stay drawn, and both legends are pasted over the curves."""

    def __init__(self, figsize=(10, 4.2)):
        self.live = style.LiveFigure(figsize=figsize)
        self.axes = tuple(self.live.fig.subplots(1, 2))
        self.handles = None

    def update(self, state):
        """Show `state` (a widget_state dict); returns self."""
        if self.handles is None:
            self.handles = draw_state(*self.axes, state)
            for name in ("eig", "path", "title_contour", "ax_error"):
                self.live.dynamic(name, self.handles[name])
            for i, label in enumerate(self.handles["eig_labels"]):
                self.live.dynamic(("eig_label", i), label)
            for legend in (self.handles["legend"], self.axes[1].get_legend()):
                self.live.overlay(legend)
        else:
            update_drawing(self.handles, state)
        self.live.dynamic("contour", self.handles["contour"])  # a new contour set every time
        return self

    def render(self, mu1, mu2, sigma, step_fraction, center, beta=0.0):
        """One frame for the sliders' values: (PNG bytes, the printed lines of widget_state, the frame's text
        alternative from describe_state)."""
        state = widget_state(mu1, mu2, sigma, step_fraction, center, beta)
        self.update(state)
        return self.live.png(), state["text"], describe_state(state)


def centered_kappas(mu, sigma, n, reps, rng):
    """kappa after centring with the mean of n samples instead of mu, for `reps` independent estimates: shape (reps,).

    Centred inputs x - mu_hat ~ N(mu - mu_hat, sigma^2 I), so H = d d^T + sigma^2 I with d = mu - mu_hat. Draws the
    same numbers from `rng` as `reps` calls of centered_kappa, in one array.
    """
    mu, sigma = _mu_sigma(mu, sigma)
    n, reps = as_int("n", n, low=1), as_int("reps", reps, low=1)
    d = mu - (mu + sigma * rng.standard_normal((reps, n, mu.size))).mean(axis=1)
    if mu.size == 1:  # as condition_number: H is a number
        return np.ones(reps)
    return 1.0 + np.sum(d * d, axis=1) / sigma ** 2


def centered_kappa(mu, sigma, n, rng):
    """kappa after centring with the mean of n samples instead of mu: one centered_kappas estimate, a float."""
    return float(centered_kappas(mu, sigma, n, 1, rng)[0])


INPUTS = ("raw", "centred", "standardised")


def transform_inputs(X, how, mean=None, scale=None):
    """Inputs as a model with a bias sees them, shape (n, d + 1): [x', 1] with x' = x ("raw"), x - mean
    ("centred") or (x - mean) / scale ("standardised"). mean and scale default to those of X itself."""
    X = as_float_array("X", X, ndim=2)
    how = as_choice("how", how, INPUTS)
    mean = X.mean(axis=0) if mean is None else as_float_array("mean", mean, shape=(X.shape[1],))
    scale = X.std(axis=0) if scale is None else as_float_array("scale", scale, shape=(X.shape[1],))
    if how == "raw":
        Xt = X
    elif how == "centred":
        Xt = X - mean
    else:
        if np.any(scale <= 0):
            raise ValueError(f"scale must be > 0 to standardise; got {scale}")
        Xt = (X - mean) / scale
    return np.hstack([Xt, np.ones((X.shape[0], 1))])


def bias_hessian(mu, sigma, how):
    """Hessian of J(w, b) = E[1/2 (w.x' + b - t)^2] for x ~ N(mu, sigma^2 I), shape (d + 1, d + 1):
    "raw" [[mu mu^T + sigma^2 I, mu], [mu^T, 1]]; "centred" diag(sigma^2 I, 1); "standardised" I."""
    mu, sigma = _mu_sigma(mu, sigma)
    how = as_choice("how", how, INPUTS)
    d = mu.size
    H = np.eye(d + 1)
    if how != "standardised":
        H[:d, :d] *= sigma ** 2
    if how == "raw":
        H[:d, :d] += np.outer(mu, mu)
        H[:d, d] = H[d, :d] = mu
    return H


def least_squares(A, t):
    """The minimiser of 1/2 mean((A w - t)^2) and that minimum: (w of shape (p,), loss), for A of shape (n, p)."""
    A = as_float_array("A", A, ndim=2)
    t = as_float_array("t", t, shape=(A.shape[0],))
    w = np.linalg.lstsq(A, t, rcond=None)[0]
    return w, 0.5 * float(np.mean((A @ w - t) ** 2))


def general_hessian(mu, Sigma):
    """H = E[x x^T] = mu mu^T + Sigma for x ~ N(mu, Sigma), shape (d, d); Sigma symmetric positive definite."""
    mu = as_float_array("mu", mu, ndim=1)
    Sigma = as_float_array("Sigma", Sigma, shape=(mu.size, mu.size))
    if not np.allclose(Sigma, Sigma.T, rtol=1e-12, atol=0) or np.linalg.eigvalsh(Sigma)[0] <= 0:
        raise ValueError("Sigma must be symmetric positive definite (a covariance of full rank)")
    return np.outer(mu, mu) + Sigma


def matrix_condition_number(H):
    """kappa = lambda_max / lambda_min of a symmetric positive definite H of shape (d, d), from eigvalsh."""
    H = _square_matrix(H)
    lam = np.linalg.eigvalsh(H)
    if lam[0] <= 0:
        raise ValueError(f"H must be positive definite; its smallest eigenvalue is {lam[0]:.3g}")
    return float(lam[-1] / lam[0])


# --- notebook 03's figures (the notebook computes, these draw; style.show displays them with their description) ---

def hessian_convergence_figure(ns, errors):
    """The Monte Carlo Hessian's mean Frobenius error against the sample size n (both shape (m,)), on log axes,
    with the 1/sqrt(n) line through the first point: a Figure."""
    ns, errors = as_float_array("ns", ns, ndim=1), as_float_array("errors", errors, ndim=1)
    fig = style.figure(figsize=(5.5, 3.5))
    ax = fig.subplots()
    ax.loglog(ns, errors, "o-", color=style.BLUE, label="mean |Ĥ − H| (Frobenius), 20 repeats")
    ax.loglog(ns, errors[0] * np.sqrt(ns[0] / ns), "--", color=style.BLACK, label="1/√n")
    ax.set(xlabel="samples n", ylabel="mean ‖Ĥ − H‖ (Frobenius)", title="Monte Carlo Hessian converges to H")
    style.plain_log_ticks(ax.xaxis)
    style.plain_log_ticks(ax.yaxis)
    ax.legend(fontsize=8)
    slope = np.polyfit(np.log(ns), np.log(errors), 1)[0]
    return style.describe(fig, (
        f"Log-log plot of the mean Frobenius distance between the Monte Carlo Hessian and H (circles) "
        f"against the number of samples n, from {ns[0]:.0f} to {ns[-1]:.0f}: the error falls from {errors[0]:.2g} "
        f"to {errors[-1]:.2g} along the dashed 1/√n line (fitted slope {slope:.2f}, theory -0.50)."))


def step_rules_figure(states, titles):
    """One column per widget_state of `states`: draw_state's contours and path (top) and error (bottom), the
    contour panel titled by `titles`: a Figure."""
    fig = style.figure(figsize=(14, 8))
    axes = fig.subplots(2, len(states), squeeze=False)
    for state, title, ax_c, ax_e in zip(states, titles, axes[0], axes[1]):
        draw_state(ax_c, ax_e, state, compare=False)
        ax_c.set_title(title)
    fig.tight_layout()
    kappas = sorted({f"{state['kappa']:.2f}" for state in states})
    runs = "; ".join(f"{title}: {_path_phrase(state)}" for state, title in zip(states, titles))
    return style.describe(fig, (
        f"{len(states)} columns, one gradient-descent run each from w0 = ({W_START[0]:g}, {W_START[1]:g}). Top: the "
        f"path on the elliptical contours of J (κ = {', '.join(kappas)}), the minimum marked by a star; bottom: "
        f"|w − v| against the step on a log scale, with the tolerance line at 1e-6 of the start. {runs}."))


def eigendirection_figure(runs):
    """One panel per run: the error along each eigenvector of H, measured (markers: circles for lambda_min, squares
    for lambda_max) and predicted (solid and dashed lines), against the step.

    runs: [(title, step, eigendirection_errors' dict for that step)], sharing the y axis. Returns a Figure."""
    fig = style.figure(figsize=(11, 3.8))
    axes = fig.subplots(1, len(runs), sharey=True, squeeze=False)[0]
    for ax, (title, step, parts) in zip(axes, runs):
        steps = np.arange(len(parts["measured"]))
        for i, colour, marker, line in ((0, style.GREEN, "o", "-"), (-1, style.VERMILLION, "s", "--")):
            lam = parts["lam"][i]
            ax.semilogy(steps, parts["measured"][:, i], marker, ms=3, color=colour,
                        label=f"along u for λ = {lam:.2f}: measured")
            ax.semilogy(steps, parts["predicted"][:, i], line, color=colour, lw=1,
                        label=f"predicted, rate {abs(1 - step * lam):.3f}")
        ax.set(xlabel="step k", title=title)
        ax.legend(fontsize=7, loc="lower left")
    axes[0].set_ylabel("|error component|")
    style.plain_log_ticks(axes[0].yaxis)
    fig.tight_layout()
    panels = []
    for title, step, parts in runs:
        lam, scale = parts["lam"], max(float(np.abs(parts["measured"][0]).max()), 1e-300)
        gap = float(np.max(np.abs(parts["measured"] - parts["predicted"]))) / scale
        rates = [abs(1 - step * lam[i]) for i in (0, -1)]
        panels.append(f"{title}: along the flat direction (λ = {lam[0]:.2f}, circles) the error shrinks by "
                      f"{rates[0]:.3f} per step, along the steep one (λ = {lam[-1]:.2f}, squares) by {rates[1]:.3f}; "
                      + ("every measured point lies on its predicted line (to 1e-9 of the start)" if gap < 1e-9 else
                         f"the measured points leave their predicted lines by up to {gap:.1e} of the start"))
    return style.describe(fig, (
        f"{len(runs)} panels, log scale: the error's component along each eigenvector of H against the step k, "
        f"measured (markers) and predicted |1 − ηλ|^k (lines). " + "; ".join(panels) + "."))


def momentum_figure(kappas, plain, ball):
    """Plain descent against the fastest heavy ball over condition numbers `kappas` (m,): steps to tolerance
    (left) and 1 - the contraction per step (right), measured (markers) and predicted (lines; the heavy ball's
    steps as a band), on log axes.

    plain: dict of arrays (m,) steps, predicted_steps, rate, predicted_rate; ball: steps, band (m, 2) (fewest,
    most), rate, predicted_rate. Returns a Figure."""
    fig = style.figure(figsize=(11, 4))
    ax_s, ax_r = fig.subplots(1, 2)
    band = np.asarray(ball["band"], dtype=float)
    ax_s.loglog(kappas, plain["steps"], "o", color=style.BLUE, label="plain: measured")
    ax_s.loglog(kappas, plain["predicted_steps"], "-", color=style.BLUE, lw=1, label="plain: predicted (Exercise 4)")
    ax_s.loglog(kappas, ball["steps"], "s", color=style.VERMILLION, label="heavy ball: measured")
    ax_s.fill_between(kappas, band[:, 0], band[:, 1], color=style.VERMILLION, alpha=0.25, lw=0,
                      label="heavy ball: predicted band")
    ax_s.set(xlabel="condition number κ", ylabel="steps to tolerance 1e-6",
             title="Steps: κ for plain descent, √κ with momentum")
    ax_s.legend(fontsize=8, loc="upper left")
    ax_r.loglog(kappas, 1 - np.asarray(plain["rate"]), "o", color=style.BLUE, label="plain: measured")
    ax_r.loglog(kappas, 1 - np.asarray(plain["predicted_rate"]), "-", color=style.BLUE, lw=1, label="1 − ρ (Exercise 4)")
    ax_r.loglog(kappas, 1 - np.asarray(ball["rate"]), "s", color=style.VERMILLION, label="heavy ball: measured")
    ax_r.loglog(kappas, 1 - np.asarray(ball["predicted_rate"]), "--", color=style.VERMILLION, lw=1,
                label="1 − (√κ−1)/(√κ+1)")
    ax_r.set(xlabel="condition number κ", ylabel="1 − contraction per step", title="Rates: measured against predicted")
    ax_r.legend(fontsize=8, loc="lower left")
    for axis in (ax_s.xaxis, ax_s.yaxis, ax_r.xaxis, ax_r.yaxis):
        style.plain_log_ticks(axis)
    fig.tight_layout()
    kappas = np.asarray(kappas, dtype=float)
    big = kappas >= 10 if np.sum(kappas >= 10) >= 2 else np.ones(kappas.size, bool)
    slope = lambda y: np.polyfit(np.log(kappas[big]), np.log(np.asarray(y, dtype=float)[big]), 1)[0]  # noqa: E731
    inside = int(np.sum((band[:, 0] <= ball["steps"]) & (np.asarray(ball["steps"]) <= band[:, 1])))
    on_line = int(np.sum(np.asarray(plain["steps"]) == np.asarray(plain["predicted_steps"])))
    return style.describe(fig, (
        f"Two log-log panels against the condition number κ from {kappas[0]:.3g} to {kappas[-1]:.4g}. Left, steps to "
        f"a tolerance of 1e-6: plain descent (circles) from {plain['steps'][0]:.0f} to {plain['steps'][-1]:.0f} steps, "
        f"on its predicted line for {on_line} of {kappas.size} κ, slope {slope(plain['steps']):.2f}; heavy ball "
        f"(squares) from {ball['steps'][0]:.0f} to {ball['steps'][-1]:.0f} steps, inside its shaded predicted band for "
        f"{inside} of {kappas.size} κ, slope {slope(ball['steps']):.2f}. Right, 1 − contraction per step: plain "
        f"descent on 1 − ρ of Exercise 4 (solid line), slope {slope(1 - np.asarray(plain['rate'])):.2f}; heavy ball "
        f"near 1 − (√κ−1)/(√κ+1) (dashed line), slope {slope(1 - np.asarray(ball['rate'])):.2f}."))


def centring_figure(n_values, mean_kappa, kappa_raw, d=2):
    """Mean kappa - 1 after centring with the mean of n samples (n_values, mean_kappa: shape (m,)), against the
    expected d/n and the uncentred kappa_raw - 1, on log axes: a Figure."""
    n_values = as_float_array("n_values", n_values, ndim=1)
    fig = style.figure(figsize=(5.5, 3.8))
    ax = fig.subplots()
    ax.loglog(n_values, np.asarray(mean_kappa) - 1, "o", color=style.BLUE, label="measured mean κ − 1 (200 repeats)")
    ax.loglog(n_values, d / n_values, "-", color=style.VERMILLION, label="expected d/n")
    ax.axhline(kappa_raw - 1, color=style.BLACK, ls=":", label="κ − 1 without centring")
    ax.set(xlabel="samples used to estimate μ", ylabel="κ − 1", title="Centring with an estimated mean")
    style.plain_log_ticks(ax.xaxis)
    style.plain_log_ticks(ax.yaxis)
    ax.legend(fontsize=8)
    excess = np.asarray(mean_kappa, dtype=float) - 1
    return style.describe(fig, (
        f"Log-log plot of κ − 1 after centring with the mean of n samples, n from {n_values[0]:.0f} to "
        f"{n_values[-1]:.0f}: the measured means (circles) follow the expected line d/n (d = {d}), falling from "
        f"{excess[0]:.2g} to {excess[-1]:.2g}, all far below κ − 1 = {kappa_raw - 1:.3g} without centring (dotted "
        f"line)."))
