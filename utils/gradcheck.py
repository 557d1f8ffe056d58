"""Gradient checking in the style of CS231n.

Centered differences (f(p + h) - f(p - h)) / 2h, one entry at a time, and the
relative error |a - b| / max(1e-8, |a| + |b|), taken entry-wise, reported as its maximum.

Thresholds (CS231n's, for float64 and h = 1e-6):
  < 1e-7          the gradients agree;
  1e-7 .. 1e-4    agree within finite-difference noise: round-off of f is about
                  1e-16 |f| / h, which is large relative to tiny gradient entries,
                  and a ReLU kink near the point adds more;
  1e-4 .. 1e-2    suspicious;
  >= 1e-2         wrong.
"""
import numpy as np

from ._validate import as_array_list, as_float, as_float_array

AGREE = 1e-7
NOISE = 1e-4
SUSPICIOUS = 1e-2


def relative_error(a, b):
    """Largest entry-wise |a - b| / max(1e-8, |a| + |b|) between two arrays of the same shape."""
    a = as_float_array("a", a, allow_empty=True)
    b = as_float_array("b", b, allow_empty=True)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape; got {a.shape} and {b.shape}")
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))


def numerical_gradient(f, params, h=1e-6):
    """Centered-difference gradient of the scalar function f(list of arrays) at `params`.

    Returns a list of arrays shaped like `params`. `params` is not modified.
    """
    if not callable(f):
        raise TypeError(f"f must be callable; got {type(f).__name__}")
    h = as_float("h", h, low=0.0, low_open=True)
    params = as_array_list("params", params)
    grads = []
    for p in params:
        g = np.zeros_like(p)
        for idx in np.ndindex(p.shape):
            old = p[idx]
            p[idx] = old + h
            f_plus = float(f(params))
            p[idx] = old - h
            f_minus = float(f(params))
            p[idx] = old
            g[idx] = (f_plus - f_minus) / (2 * h)
        grads.append(g)
    return grads


def verdict(error):
    """A word for a relative error, by the thresholds above."""
    if error < AGREE:
        return "agree"
    if error < NOISE:
        return "agree (finite-difference noise)"
    if error < SUSPICIOUS:
        return "suspicious"
    return "WRONG"
