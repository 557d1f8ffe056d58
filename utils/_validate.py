"""Argument checks shared by every public function.

Each error names the argument, what was expected and what was given, so a
student sees "X must have shape (N, 4); got (3, 5)" instead of a broadcasting
error from deep inside numpy.
"""
import numbers

import numpy as np


def _describe(value):
    if isinstance(value, np.ndarray):
        return f"array of shape {value.shape} and dtype {value.dtype}"
    return f"{type(value).__name__}"


def as_float_array(name, value, ndim=None, shape=None, allow_empty=False):
    """Return `value` as a new float64 array, or raise TypeError/ValueError naming `name`.

    ndim: required number of dimensions (None: any).
    shape: tuple with ints or None (None matches any length), e.g. (None, 4).
    The result never shares memory with `value`.
    """
    if value is None or isinstance(value, (str, bytes, dict, set)):
        raise TypeError(f"{name} must be a numeric array; got {_describe(value)}")
    if hasattr(value, "detach") and hasattr(value, "numpy"):  # a torch tensor
        value = value.detach().cpu().numpy()
    try:
        raw = np.asarray(value)
    except (ValueError, TypeError) as exc:  # ragged nested lists
        raise TypeError(f"{name} must be a numeric array; got {_describe(value)} ({exc})") from None
    if raw.dtype == object or not (np.issubdtype(raw.dtype, np.number) or raw.dtype == bool):
        raise TypeError(f"{name} must be a numeric array; got dtype {raw.dtype}")
    if np.issubdtype(raw.dtype, np.complexfloating):
        raise TypeError(f"{name} must be real; got dtype {raw.dtype}")
    arr = np.array(raw, dtype=np.float64)  # always a copy
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimension(s); got shape {arr.shape}")
    if shape is not None:
        want = "(" + ", ".join("N" if s is None else str(s) for s in shape) + (",)" if len(shape) == 1 else ")")
        if arr.ndim != len(shape) or any(s is not None and s != a for s, a in zip(shape, arr.shape)):
            raise ValueError(f"{name} must have shape {want}; got {arr.shape}")
    if arr.size == 0 and not allow_empty:
        raise ValueError(f"{name} must not be empty; got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite; it contains NaN or inf")
    return arr


def as_float(name, value, low=None, high=None, low_open=False):
    """Return `value` as a Python float, checking type, finiteness and range.

    low/high: inclusive bounds (low exclusive when low_open=True).
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        if isinstance(value, np.ndarray) and value.ndim == 0 and np.issubdtype(value.dtype, np.number):
            value = value.item()
        else:
            raise TypeError(f"{name} must be a real number; got {_describe(value)}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite; got {value}")
    if low is not None and (value <= low if low_open else value < low):
        raise ValueError(f"{name} must be {'>' if low_open else '>='} {low}; got {value}")
    if high is not None and value > high:
        raise ValueError(f"{name} must be <= {high}; got {value}")
    return value


def as_int(name, value, low=None, high=None):
    """Return `value` as a Python int within [low, high], or raise naming `name`."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer; got {_describe(value)}")
    value = int(value)
    if low is not None and value < low:
        raise ValueError(f"{name} must be >= {low}; got {value}")
    if high is not None and value > high:
        raise ValueError(f"{name} must be <= {high}; got {value}")
    return value


def as_array_list(name, value, length=None):
    """Return `value` (a list or tuple of arrays) as a list of float64 copies."""
    if not isinstance(value, (list, tuple)):
        raise TypeError(f"{name} must be a list of arrays; got {_describe(value)}")
    if length is not None and len(value) != length:
        raise ValueError(f"{name} must have {length} entries; got {len(value)}")
    if len(value) == 0:
        raise ValueError(f"{name} must not be empty")
    return [as_float_array(f"{name}[{i}]", v) for i, v in enumerate(value)]


def as_choice(name, value, choices):
    """Return `value` if it is one of the strings `choices`, else raise ValueError naming `name`."""
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name} must be one of {tuple(choices)}; got {value!r}")
    return value
