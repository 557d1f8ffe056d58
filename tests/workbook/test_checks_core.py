"""The answer validators and the ratio hint shared by every exercise check (utils/checks/_answers.py and _core.py): what a student
is told about a malformed answer names the function, what was expected and what came instead."""
import numpy as np
import pytest
import torch

from utils import checks
from utils.checks._answers import array, number
from utils.checks._core import _call, _close, _judge_numbers, _ratio_hint


def fails(pattern, fn, *args):
    with pytest.raises(checks.CheckFailed, match=pattern):
        fn(*args)


def test_array_takes_tensors_and_numbers_as_float64():
    t = torch.arange(6, dtype=torch.float32, requires_grad=True).reshape(2, 3)
    got = array("H", t, [(2, 3)])
    assert got.dtype == np.float64 and np.array_equal(got, np.arange(6.0).reshape(2, 3))
    assert array("H", np.arange(4).reshape(2, 2), [(2, 2)]).dtype == np.float64


def test_array_names_what_it_got_and_the_shape_it_expected():
    fails(r"^H must be a numeric numpy array of shape \(2, 2\); got str", array, "H", "x", [(2, 2)])
    fails(r"^H must be a numeric numpy array of shape \(2, 2\); got ndarray", array, "H",
          np.array([["a", "b"], ["c", "d"]]), [(2, 2)])
    fails(r"^H is a list; return a numpy array of shape \(2, 2\)", array, "H", [[1.0, 0.0], [0.0, 1.0]], [(2, 2)])
    fails(r"^H is None", array, "H", None, [(2, 2)])


def test_array_takes_only_torch_tensors_for_tensors():
    """An object with .numpy() but no .detach() (a TensorFlow tensor) is not taken for a torch tensor: the student is
    told what was expected and what came, not shown an AttributeError from inside the check."""
    class EagerTensor:
        def numpy(self):
            return np.eye(2)
    assert message(array, "H", EagerTensor(), [(2, 2)]) == (
        "H must be a numeric numpy array of shape (2, 2); got EagerTensor")


def test_array_says_transposed_only_for_a_transposed_matrix():
    fails(r"^DW has shape \(3, 2\), expected \(2, 3\): it is transposed", array, "DW", np.ones((3, 2)), [(2, 3)])
    fails(r"^DW has shape \(4, 3\), expected \(2, 3\)", array, "DW", np.ones((4, 3)), [(2, 3)])
    fails(r"^T has shape \(4, 3, 2\), expected \(2, 3, 4\)", array, "T", np.ones((4, 3, 2)), [(2, 3, 4)])


def test_close_is_relative_to_the_largest_entry():
    assert _close(np.array([0.0, 100.0]), np.array([5e-5, 100.0]), 1e-6)  # 5e-5 is 5e-7 of the largest entry
    assert not _close(np.array([1.0]), np.array([1.0 + 5e-6]), 1e-6)       # 5e-6 relative: more than rtol
    assert not _close(np.array([1e-9]), np.array([0.0]), 1e-6)             # all zero: no scale to hide 1e-9 in
    assert _close(np.array([0.0]), np.array([0.0]), 1e-6)


def test_number_takes_a_tensor_that_requires_grad():
    assert number("kappa", torch.tensor(2.5, requires_grad=True)) == 2.5


@pytest.mark.parametrize("value, pattern", [
    (None, r"^kappa returned None: did you forget `return`\?"),
    ([1.0], r"^kappa must return a number; got a list"),
    (True, r"^kappa must return a single number; got bool \(\)"),
    (np.ones(3), r"^kappa must return a single number; got ndarray \(3,\)"),
    (np.array(np.nan), r"^kappa returned nan: look for a division by zero or an overflow"),
])
def test_number_names_what_it_got(value, pattern):
    fails(pattern, number, "kappa", value)


CASES = [(1.0, 2.0), (3.0, 4.0), (5.0, 6.0)]


def test_judge_numbers_names_the_count_and_what_it_got():
    add = lambda a, b: a + b  # noqa: E731
    fails(r"^add: expected 3 answers, got list of length 2", _judge_numbers, "add", [3.0, 7.0], add, [], CASES)
    fails(r"^add: expected 3 answers, got str", _judge_numbers, "add", "3, 7, 11", add, [], CASES)
    fails(r"^add returned None", _judge_numbers, "add", [None] * 3, add, [], CASES)
    fails(r"^add: on \(1, 2\) expected 3, got 4 \(1 of 3 cases wrong\)", _judge_numbers, "add", [4.0, 7.0, 11.0],
          add, [], CASES)
    # the first case right, the second wrong: the message quotes the case that fails, not the first one
    fails(r"^add: on \(3, 4\) expected 7, got 8 \(2 of 3 cases wrong\)", _judge_numbers, "add", [3.0, 8.0, 12.0],
          add, [], CASES)
    fails(r"^add: the sign is wrong", _judge_numbers, "add", [-3.0, -7.0, -11.0], add, [], CASES)
    fails(r"^add: that is the product", _judge_numbers, "add", [2.0, 12.0, 30.0], add,
          [("that is the product", lambda a, b: a * b)], CASES)


def test_an_error_in_the_students_code_says_on_which_case():
    def kappa(mu, sigma):
        return [1, 2][len(mu)]

    fails(r"^kappa raised IndexError: list index out of range \(on \(\[0, 0, 0\], 0.5\)\)", _call, kappa,
          "kappa", np.zeros(3), 0.5)
    # small arrays by their values (the student can reproduce the case), large ones by their shape
    fails(r"^kappa raised IndexError: .* \(on \(\[\[1, 0.45\], \[0.45, 0.25\]\], array of shape \(10,\)\)\)", _call,
          lambda m, s: [][0], "kappa", np.array([[1.0, 0.45], [0.45, 0.25]]), np.zeros(10))
    fails(r"^dy_dw24 raised ZeroDivisionError: .* \(on \(\(0.3, -1.2\), \{w13: 0.5\}\)\)", _call, lambda x, w: 1 / 0,
          "dy_dw24", (0.3, -1.2), {"w13": 0.5})
    fails(r"^backward raised ZeroDivisionError: division by zero \(on the 3-5-4-1 network\)",
          lambda: _call(lambda: 1 / 0, "backward", case="the 3-5-4-1 network"))


WANT = np.array([[1.0, -2.0], [0.5, 4.0]])


@pytest.mark.parametrize("factor, n, text", [
    (-1.0, None, "has the wrong sign: check the order in (Y - T)"),
    (0.5, None, "is half the right value: the factor 2 from the derivative of the square is missing"),
    (2.0, None, "is twice the right value: the factor 2 is counted twice"),
    (10.0, 10, "is N times too large: the 1/N of the mean is missing"),
    (10.0 * (1 + 5e-7), 10, "is N times too large: the 1/N of the mean is missing"),
    (5.0, 10, "is N/2 times too large: the 2/N factor (2 from the square, 1/N from the mean) is missing"),
    (0.1, 10, "is N times too small: the 1/N is applied twice"),
    (3.7, 10, "is 3.7 times the right value: a constant factor is off"),
])
def test_ratio_hint_names_the_factor(factor, n, text):
    assert _ratio_hint("DB[0]", factor * WANT, WANT, n_samples=n) == f"DB[0] {text}"


def test_ratio_hint_only_for_a_constant_factor():
    assert _ratio_hint("DW", WANT * [[2.0, 3.0], [2.0, 2.0]], WANT) is None  # not one factor
    assert _ratio_hint("DW", 0 * WANT, WANT) is None                          # all zero: no factor to name
    assert _ratio_hint("DW", 0 * WANT, 0 * WANT) is None                      # nothing to compare
    # entries below 1e-12 of the largest are round-off: left out of the ratio; above it they count
    assert _ratio_hint("DW", np.array([2e3, 5e-12]), np.array([1e3, 1e-12])).startswith("DW is twice")
    assert _ratio_hint("DW", np.array([2e-3, 5e-14]), np.array([1e-3, 1e-14])) is None


def test_number_takes_a_one_by_one_array_without_a_warning():
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # numpy deprecates float() of an array with dimensions
        assert number("kappa", np.array([[2.5]])) == 2.5


def message(fn, *args, **kwargs):
    with pytest.raises(checks.CheckFailed) as excinfo:
        fn(*args, **kwargs)
    return str(excinfo.value)


def test_array_a_wrong_shape_that_is_no_transpose_says_only_the_shapes():
    assert message(array, "DW", np.ones((4, 3)), [(2, 3)]) == "DW has shape (4, 3), expected (2, 3)"


def test_ratio_hint_entries_at_exactly_1e_12_of_the_largest_are_round_off():
    assert _ratio_hint("DW", np.array([2.0, 5e-12]), np.array([1.0, 1e-12])) == (
        "DW is twice the right value: the factor 2 is counted twice")


def test_ratio_hint_ratios_must_agree_to_1e_6():
    want = np.array([1.0, 2.0, 3.0])
    assert _ratio_hint("DW", 2 * want * np.array([1.0, 1 + 3e-6, 1 - 3e-6]), want) is None
    assert _ratio_hint("DW", 2 * want * np.array([1.0, 1 + 3e-7, 1 - 3e-7]), want).startswith("DW is twice")


def test_ratio_hint_a_factor_exactly_1e_6_from_a_named_one_is_named():
    n = 15625  # 1e-6 * n = 2**-6 exactly, so the ratio n + 2**-6 lies exactly at the tolerance
    assert _ratio_hint("DW", np.full(3, n + 2.0 ** -6), np.ones(3), n_samples=n) == (
        "DW is N times too large: the 1/N of the mean is missing")
    assert _ratio_hint("DW", np.full(3, n + 2.0 ** -5), np.ones(3), n_samples=n) == (
        "DW is 1.563e+04 times the right value: a constant factor is off")


class _ShapeOnly:
    """Has a shape but no dtype: not an array."""
    shape = (2,)


@pytest.mark.parametrize("args,text", [
    ((True, np.int64(3), 2.5), "(True, 3, 2.5)"),
    ((np.array(1.25),), "(1.25)"),
    ((np.arange(9).reshape(3, 3),), "([[0, 1, 2], [3, 4, 5], [6, 7, 8]])"),  # 9 values: small enough to show
    ((np.arange(10.0),), "(array of shape (10,))"),
    ((np.array(["a", "b"]),), "(array of shape (2,))"),  # not numbers
    (({k: i for i, k in enumerate("abcdefgh")},), "({a: 0, b: 1, c: 2, d: 3, e: 4, f: 5, g: 6, h: 7})"),
    (({k: i for i, k in enumerate("abcdefghi")},), "({a: 0, b: 1, c: 2, d: 3, e: 4, f: 5, g: 6, h: 7, ...})"),
    (([1, 2, 3, 4], [1.5]), "((1, 2, 3, 4), (1.5,))"),
    (([1, 2, 3, 4, 5], ["a", 1]), "(list of length 5, list of length 2)"),
    (("abc", _ShapeOnly()), "(str, _ShapeOnly)"),
])
def test_a_case_is_described_with_the_values_a_student_can_reproduce(args, text):
    """The generic message names the case it failed on: numbers and small arrays by their values (6 digits), dicts by
    their first 8 entries, anything else by its type."""
    from utils.checks._core import arguments
    assert arguments(args) == text


def test_a_declared_exercise_is_what_the_grader_and_the_notebook_look_up():
    """Declaring an Exercise registers it under its grade id (python -m grader and the in-notebook check look it up
    in checks.EXERCISES); exercises_of finds a module's exercises from the module or its name, in declaration
    order; declaring one again (a module reloaded) puts the new one in its place."""
    import sys

    def judge(inputs, answers):  # defined here: the exercises' module is this test module
        return "judged"

    declared = []
    try:
        for gid in ("test-core-b", "test-core-a", "test-core-b"):
            declared.append(checks.Exercise(gid, "f", lambda seed: [seed], lambda fn, inputs: [], judge))
            assert checks.EXERCISES[gid] is declared[-1]
        first, second, again = declared
        assert again is not first and again.module == __name__
        for module in (sys.modules[__name__], __name__):
            assert list(checks.exercises_of(module).items()) == [("test-core-b", again), ("test-core-a", second)]
    finally:
        for gid in ("test-core-a", "test-core-b"):
            checks.EXERCISES.pop(gid, None)
    assert not checks.exercises_of(__name__)
