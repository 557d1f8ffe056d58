"""gradcheck: the relative error around its floor, the verdict's classes and edges, centred differences.

Expected values are worked out by hand in the comments (CS231n's formula and thresholds), not taken from
the module's own constants, so a changed constant fails here.
"""
import numpy as np
import pytest

from utils import gradcheck


@pytest.mark.parametrize("a,b,expected", [
    # below the floor 1e-8: the denominator is the floor, |a - b| / 1e-8
    ([1e-9], [0.0], 1e-9 / 1e-8),               # 0.1 (a raised floor, 1e-3, gives 1e-6)
    ([3e-9], [2e-9], 1e-9 / 1e-8),              # |a| + |b| = 5e-9 < 1e-8
    ([-2e-9], [2e-9], 4e-9 / 1e-8),             # magnitudes, not signed values, in the denominator
    # exactly at the floor: |a| + |b| = 1e-8
    ([6e-9], [4e-9], 2e-9 / 1e-8),
    # just above the floor: the entries' own scale, |a| + |b| = 4e-8
    ([3e-8], [1e-8], 2e-8 / 4e-8),              # 0.5 (floor 1e-3: 2e-5)
    ([1.0], [3.0], 2.0 / 4.0),
    ([-1.0], [1.0], 2.0 / 2.0),                 # opposite signs: the largest possible error, 1
    # the largest entry-wise error, not an average or the error of the norms
    ([1.0, 1e-9, 5.0], [1.0, 0.0, 5.0], 0.1),
    ([[2.0, 0.0], [0.0, 1e-9]], [[1.0, 0.0], [0.0, 1e-9]], 1.0 / 3.0),
    ([0.0, 0.0], [0.0, 0.0], 0.0),              # both zero: 0 / 1e-8, not 0 / 0
])
def test_relative_error_around_and_below_its_floor(a, b, expected):
    assert gradcheck.relative_error(np.array(a), np.array(b)) == pytest.approx(expected, rel=1e-12)
    assert gradcheck.relative_error(np.array(b), np.array(a)) == pytest.approx(expected, rel=1e-12)  # symmetric


def test_relative_error_of_empty_arrays_is_zero_and_returns_a_float():
    assert gradcheck.relative_error(np.zeros((0, 3)), np.zeros((0, 3))) == 0.0
    assert type(gradcheck.relative_error([1.0], [2.0])) is float


@pytest.mark.parametrize("a,b,message", [
    ([1.0, 2.0], [1.0], r"a and b must have the same shape; got \(2,\) and \(1,\)"),
    ("x", [1.0], r"^a must be a numeric array"),
    ([1.0], None, r"^b must be a numeric array"),
    ([np.nan], [1.0], r"^a must be finite"),
    ([1.0], [np.inf], r"^b must be finite"),
])
def test_relative_error_names_the_bad_argument(a, b, message):
    with pytest.raises((ValueError, TypeError), match=message):
        gradcheck.relative_error(a, b)


def below(x):
    return float(np.nextafter(x, 0.0))


# CS231n's classes: < 1e-7 agree; 1e-7 .. 1e-4 noise; 1e-4 .. 1e-2 suspicious; >= 1e-2 wrong.
@pytest.mark.parametrize("error,word", [
    (0.0, "agree"), (1e-12, "agree"), (below(1e-7), "agree"),
    (1e-7, "agree (finite-difference noise)"), (3e-6, "agree (finite-difference noise)"),
    (below(1e-4), "agree (finite-difference noise)"),
    (1e-4, "suspicious"), (1e-3, "suspicious"), (below(1e-2), "suspicious"),
    (1e-2, "WRONG"), (0.5, "WRONG"), (1.0, "WRONG"),
])
def test_verdict_classes_and_their_edges(error, word):
    assert gradcheck.verdict(error) == word


def test_verdict_of_a_real_comparison():
    """A right gradient agrees with its finite differences; a gradient off by a factor 2 is WRONG."""
    A = np.array([[3.0, 1.0], [1.0, 2.0]])
    p = np.array([0.7, -0.4])
    fd = gradcheck.numerical_gradient(lambda q: 0.5 * q[0] @ A @ q[0], [p])[0]
    assert gradcheck.verdict(gradcheck.relative_error(A @ p, fd)) == "agree"
    assert gradcheck.verdict(gradcheck.relative_error(2 * A @ p, fd)) == "WRONG"


def test_numerical_gradient_is_centred():
    """f = sum p^3: a centred difference errs by h^2 (f''' = 6, error h^2 f'''/6); a one-sided one by 3 p h."""
    h = 1e-3
    p = [np.array([[0.5, -1.0, 2.0], [1.5, 0.0, -0.3]]), np.array([0.2])]
    g = gradcheck.numerical_gradient(lambda q: sum(float((x ** 3).sum()) for x in q), p, h=h)
    for x, gx in zip(p, g):
        assert gx.shape == x.shape
        np.testing.assert_allclose(gx, 3 * x ** 2 + h ** 2, rtol=0, atol=1e-9)


def test_numerical_gradient_restores_each_entry_before_the_next():
    """f depends on the product of two entries: an entry left moved would change the other's difference."""
    p = [np.array([2.0, 3.0])]
    g = gradcheck.numerical_gradient(lambda q: float(q[0][0] * q[0][1]), p, h=1e-4)
    np.testing.assert_allclose(g[0], [3.0, 2.0], rtol=1e-9)
    np.testing.assert_array_equal(p[0], [2.0, 3.0])


@pytest.mark.parametrize("f,h,exc,message", [
    ("not callable", 1e-6, TypeError, r"f must be callable; got str"),
    (lambda q: 0.0, 0.0, ValueError, r"^h must be > 0.0; got 0.0"),
    (lambda q: 0.0, -1e-6, ValueError, r"^h must be > 0.0"),
    (lambda q: 0.0, np.nan, ValueError, r"^h must be finite"),
])
def test_numerical_gradient_rejects_bad_arguments(f, h, exc, message):
    with pytest.raises(exc, match=message):
        gradcheck.numerical_gradient(f, [np.ones(2)], h=h)


def test_numerical_gradient_rejects_bad_params():
    with pytest.raises(TypeError, match=r"^params must be a list of arrays"):
        gradcheck.numerical_gradient(lambda q: 0.0, np.ones(2))
