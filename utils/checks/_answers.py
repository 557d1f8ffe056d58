"""A student's answer as plain data, or a message saying what is wrong with it: one module for every exercise.

`plain` is for `collect` (beside the student's code: what may cross to the grader); `number` and `array` are for
`judge` (on the trusted side: whatever arrives is validated again). Every failure is a CheckFailed naming the answer,
what was expected and what came, never a traceback from inside numpy.
"""
import numpy as np

from . import _core  # _core imports this module: its names are read when called


def describe(value):
    """"list of length 3", "dict", "None": what an answer is, for messages."""
    return f"{type(value).__name__} of length {len(value)}" if isinstance(value, (list, tuple)) else type(value).__name__


def plain(name, value):
    """`value` as plain data (float64 arrays, floats, None, and lists of these), for `collect`: tensors become
    arrays, numbers floats, tuples lists; anything else raises CheckFailed."""
    __tracebackhide__ = True
    if value is None:
        return value
    if hasattr(value, "detach") and hasattr(value, "numpy"):  # a torch tensor
        value = value.detach().cpu().numpy()
    if isinstance(value, (list, tuple)):
        items = []
        for i, v in enumerate(value):  # a loop, not a comprehension (see _core: hidden frames)
            items.append(plain(f"{name}[{i}]", v))
        return items
    if isinstance(value, np.ndarray) and (np.issubdtype(value.dtype, np.number) or value.dtype == bool):
        return value.astype(np.float64)
    if isinstance(value, (bool, int, float, np.number)):
        return float(value)
    got = f"an array of {value.dtype}" if isinstance(value, np.ndarray) else type(value).__name__
    _core._fail(f"{name} must be numbers or numpy arrays; got {got}")


def recorded(value):
    """`value` as it came, as plain data, for a judge that names what it got: tensors and arrays as numpy arrays
    (floating tensors as float64, arrays of numbers in their own dtype), numbers as floats, lists and tuples as lists,
    None, booleans and strings as they are; anything else as a string "<TypeName>"."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if hasattr(value, "detach") and hasattr(value, "numpy"):  # a torch tensor
        return value.detach().cpu().double().numpy() if value.is_floating_point() else value.detach().cpu().numpy()
    if isinstance(value, np.ndarray):
        return value.copy() if value.dtype != object else "<array of dtype object>"
    if isinstance(value, (int, float, np.number)):
        return float(value)
    if isinstance(value, (list, tuple)):
        return [recorded(v) for v in value]
    return f"<{type(value).__name__}>"


def number(name, value):
    """`value` as a finite float, or CheckFailed: None, a list, a string, an array of more than one number, NaN."""
    __tracebackhide__ = True
    if value is None:
        _core._fail(f"{name} returned None: did you forget `return`?")
    if hasattr(value, "detach"):  # a torch scalar
        value = value.detach().cpu().numpy()
    if isinstance(value, (list, tuple, dict, str)):
        _core._fail(f"{name} must return a number; got a {type(value).__name__}")
    arr = np.asarray(value)
    if arr.dtype == object or not np.issubdtype(arr.dtype, np.number) or arr.size != 1:
        _core._fail(f"{name} must return a single number; got {type(value).__name__} {arr.shape}")
    out = float(arr.reshape(()))
    if not np.isfinite(out):
        _core._fail(f"{name} returned {out}: look for a division by zero or an overflow")
    return out


def array(name, value, shapes, lists=False):
    """`value` as a finite float64 array of one of `shapes` (tuples; None in a shape matches any length), or
    CheckFailed naming what is wrong (None, not numbers, the shape, a transpose, NaN). With `lists`, a list of
    numbers or a single number is taken as the array it spells; without, a list is refused."""
    __tracebackhide__ = True
    want = " or ".join(_shape_text(s) for s in shapes)
    if value is None:
        _core._fail(f"{name} is None: did you forget `return`?")
    if hasattr(value, "detach") and hasattr(value, "numpy"):
        value = value.detach().cpu().numpy()
    if isinstance(value, (list, tuple)):
        if not lists:
            _core._fail(f"{name} is a {type(value).__name__}; return a numpy array of shape {want}")
        try:
            value = np.array(value, dtype=np.float64)
        except (TypeError, ValueError):
            _core._fail(f"{name} must be an array of numbers of shape {want}; got a {type(value).__name__} "
                  "that is not a table of numbers")
    elif lists and isinstance(value, (int, float, np.number)) and not isinstance(value, bool):
        value = np.array(float(value))
    if not isinstance(value, np.ndarray) or not np.issubdtype(value.dtype, np.number):
        _core._fail(f"{name} must be a numeric numpy array of shape {want}; got {type(value).__name__}")
    if not any(_fits(value.shape, s) for s in shapes):
        if value.ndim == 2 and any(_fits(value.shape[::-1], s) for s in shapes):
            _core._fail(f"{name} has shape {value.shape}, expected {want}: it is transposed")
        _core._fail(f"{name} has shape {value.shape}, expected {want}")
    value = value.astype(np.float64)
    if not np.all(np.isfinite(value)):
        _core._fail(f"{name} contains NaN or inf")
    return value


def _fits(actual, shape):
    return len(actual) == len(shape) and all(s is None or s == a for s, a in zip(shape, actual))


def _shape_text(shape):
    return "(" + ", ".join("k" if s is None else str(s) for s in shape) + (",)" if len(shape) == 1 else ")")
