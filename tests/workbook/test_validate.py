"""utils._validate: every bound at and just past its limit, every type rejected with a message naming the
argument, the expected and the actual value, and copies that never share memory with the caller's arrays."""
import numpy as np
import pytest
import torch

from utils import _validate as v


def up(x):
    return float(np.nextafter(x, np.inf))


def down(x):
    return float(np.nextafter(x, -np.inf))


# as_float: inclusive low and high, exclusive low with low_open.
@pytest.mark.parametrize("kwargs,value", [
    (dict(low=1.0), 1.0), (dict(low=1.0), up(1.0)), (dict(high=2.0), 2.0), (dict(high=2.0), down(2.0)),
    (dict(low=0.0, low_open=True), up(0.0)), (dict(low=-1.0, high=1.0), -1.0), (dict(low=-1.0, high=1.0), 1.0),
    (dict(), -1e300), (dict(), 0.0),
])
def test_as_float_accepts_values_within_and_at_its_bounds(kwargs, value):
    got = v.as_float("s", value, **kwargs)
    assert got == value and type(got) is float


@pytest.mark.parametrize("kwargs,value,message", [
    (dict(low=1.0), down(1.0), r"^s must be >= 1.0; got 0.9999"),
    (dict(high=2.0), up(2.0), r"^s must be <= 2.0; got 2.0000"),
    (dict(low=0.0, low_open=True), 0.0, r"^s must be > 0.0; got 0.0$"),
    (dict(low=0.0, low_open=True), -1.0, r"^s must be > 0.0; got -1.0$"),
    (dict(low=-1.0, high=1.0), up(1.0), r"^s must be <= 1.0"),
    (dict(low=-1.0, high=1.0), down(-1.0), r"^s must be >= -1.0"),
    (dict(), np.inf, r"^s must be finite; got inf$"),
    (dict(low=0.0), np.nan, r"^s must be finite; got nan$"),
])
def test_as_float_rejects_values_just_past_its_bounds(kwargs, value, message):
    with pytest.raises(ValueError, match=message):
        v.as_float("s", value, **kwargs)


@pytest.mark.parametrize("value,expected", [
    (np.float32(0.5), 0.5), (np.int64(3), 3.0), (7, 7.0), (np.array(2.5), 2.5), (np.array(4), 4.0),
])
def test_as_float_accepts_real_numbers_and_0d_arrays(value, expected):
    got = v.as_float("s", value)
    assert got == expected and type(got) is float


@pytest.mark.parametrize("value,described", [
    (True, "bool"), ("1.0", "str"), (None, "NoneType"), (1j, "complex"), ([1.0], "list"),
    (np.array([1.0]), r"array of shape \(1,\) and dtype float64"), (np.array("x"), r"array of shape \(\) and dtype <U1"),
])
def test_as_float_rejects_what_is_not_a_real_number(value, described):
    with pytest.raises(TypeError, match=rf"^s must be a real number; got {described}$"):
        v.as_float("s", value)


@pytest.mark.parametrize("kwargs,value", [
    (dict(low=1), 1), (dict(high=5), 5), (dict(low=1, high=5), 3), (dict(), np.int64(-4)), (dict(), 0),
])
def test_as_int_accepts_values_at_its_bounds(kwargs, value):
    got = v.as_int("n", value, **kwargs)
    assert got == value and type(got) is int


@pytest.mark.parametrize("kwargs,value,exc,message", [
    (dict(low=1), 0, ValueError, r"^n must be >= 1; got 0$"),
    (dict(high=5), 6, ValueError, r"^n must be <= 5; got 6$"),
    (dict(), 2.0, TypeError, r"^n must be an integer; got float$"),
    (dict(), True, TypeError, r"^n must be an integer; got bool$"),
    (dict(), "3", TypeError, r"^n must be an integer; got str$"),
])
def test_as_int_rejects_values_past_its_bounds_and_non_integers(kwargs, value, exc, message):
    with pytest.raises(exc, match=message):
        v.as_int("n", value, **kwargs)


def test_as_float_array_returns_a_float64_copy():
    for value in ([1, 2], np.array([1, 2], dtype=np.int32), np.array([True, False]), np.array([1.5, 2.5]),
                  torch.tensor([1.0, 2.0], requires_grad=True)):
        arr = v.as_float_array("x", value)
        assert arr.dtype == np.float64
        np.testing.assert_array_equal(arr, np.asarray(value.detach() if hasattr(value, "detach") else value,
                                                      dtype=np.float64))
    original = np.array([1.0, 2.0])
    copy = v.as_float_array("x", original)
    copy[0] = 99.0
    assert original[0] == 1.0 and not np.shares_memory(copy, original)


@pytest.mark.parametrize("value,kwargs,exc,message", [
    (None, {}, TypeError, r"^x must be a numeric array; got NoneType$"),
    ("12", {}, TypeError, r"^x must be a numeric array; got str$"),
    (b"12", {}, TypeError, r"^x must be a numeric array; got bytes$"),
    ({"a": 1}, {}, TypeError, r"^x must be a numeric array; got dict$"),
    ({1.0}, {}, TypeError, r"^x must be a numeric array; got set$"),
    ([[1.0], [1.0, 2.0]], {}, TypeError, r"^x must be a numeric array; got list \("),
    (np.array([{"a": 1}]), {}, TypeError, r"^x must be a numeric array; got dtype object$"),
    (np.array(["a"]), {}, TypeError, r"^x must be a numeric array; got dtype <U1$"),
    (np.array([1j]), {}, TypeError, r"^x must be real; got dtype complex128$"),
    (np.ones(3), dict(ndim=2), ValueError, r"^x must have 2 dimension\(s\); got shape \(3,\)$"),
    (np.ones((3, 5)), dict(shape=(None, 4)), ValueError, r"^x must have shape \(N, 4\); got \(3, 5\)$"),
    (np.ones(3), dict(shape=(2,)), ValueError, r"^x must have shape \(2,\); got \(3,\)$"),
    (np.ones((2, 2)), dict(shape=(2,)), ValueError, r"^x must have shape \(2,\); got \(2, 2\)$"),
    (np.ones((2, 4, 1)), dict(shape=(None, 4)), ValueError, r"^x must have shape \(N, 4\); got \(2, 4, 1\)$"),
    (np.zeros((0, 2)), {}, ValueError, r"^x must not be empty; got shape \(0, 2\)$"),
    ([1.0, np.nan], {}, ValueError, r"^x must be finite; it contains NaN or inf$"),
    ([-np.inf], {}, ValueError, r"^x must be finite"),
])
def test_as_float_array_rejects_naming_the_argument(value, kwargs, exc, message):
    with pytest.raises(exc, match=message):
        v.as_float_array("x", value, **kwargs)


def test_as_float_array_accepts_matching_shapes_and_empty_when_allowed():
    assert v.as_float_array("x", np.ones((3, 4)), ndim=2, shape=(None, 4)).shape == (3, 4)
    assert v.as_float_array("x", np.ones(2), shape=(2,)).shape == (2,)
    assert v.as_float_array("x", np.zeros((0, 2)), allow_empty=True).shape == (0, 2)
    assert v.as_float_array("x", 3.0).shape == ()


def test_as_array_list():
    out = v.as_array_list("W", (np.ones(2, dtype=np.int64), [[1.0]]), length=2)
    assert isinstance(out, list) and [a.dtype for a in out] == [np.float64, np.float64]
    assert [a.shape for a in out] == [(2,), (1, 1)]
    assert v.as_array_list("W", [np.ones(1)])[0].shape == (1,)
    with pytest.raises(TypeError, match=r"^W must be a list of arrays; got array of shape \(2,\) and dtype float64$"):
        v.as_array_list("W", np.ones(2))
    with pytest.raises(ValueError, match=r"^W must have 3 entries; got 2$"):
        v.as_array_list("W", [np.ones(1), np.ones(1)], length=3)
    with pytest.raises(ValueError, match=r"^W must not be empty$"):
        v.as_array_list("W", [])
    with pytest.raises(ValueError, match=r"^W\[1\] must be finite"):
        v.as_array_list("W", [np.ones(1), np.array([np.nan])])


def test_as_choice():
    assert v.as_choice("rule", "b", ("a", "b")) == "b"
    with pytest.raises(ValueError, match=r"^rule must be one of \('a', 'b'\); got 'c'$"):
        v.as_choice("rule", "c", ("a", "b"))
    with pytest.raises(ValueError, match=r"^rule must be one of \('a', 'b'\); got 1$"):
        v.as_choice("rule", 1, ["a", "b"])


def test_only_tensors_are_converted_through_their_numpy_method():
    """A tensor has both .detach and .numpy; an object with only one of them is no tensor, and is refused
    like any other object, not called."""
    class OnlyNumpy:
        def numpy(self):
            return np.ones(2)

    class OnlyDetach:
        def detach(self):
            return np.ones(2)

    for value in (OnlyNumpy(), OnlyDetach()):
        with pytest.raises(TypeError, match=r"^x must be a numeric array; got dtype object$"):
            v.as_float_array("x", value)
