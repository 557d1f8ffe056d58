"""Notebook 01's judges on data the grader passes them (judge(cases, answer), outside the student's kernel):
a malformed test case or answer record gets a message that names what is wrong, never a crash and never a
pass. These are the paths a tampered or truncated record takes; the student's own calls are validated earlier,
in collect, and tested in test_checks_01.py."""
import numpy as np
import pytest

from feedback import judged
from utils.checks.gates import AND4, DIAMOND, SQUARE_LAYER, XOR


NETWORK = "(W, B) with W = [W0, W1] and B = [B0, B1]"


@pytest.mark.parametrize("exercise,name,pair", [(AND4, "and4_unit", "(w, b)"), (XOR, "xor_network", NETWORK),
                                                (SQUARE_LAYER, "square_layer", "(W0, B0)"),
                                                (DIAMOND, "diamond_network", NETWORK)])
def test_an_answer_that_is_no_pair_names_the_function_and_the_pair(exercise, name, pair):
    cases = exercise.cases(exercise.seed)
    assert judged(exercise, cases, None) == f"{name} returned None: did you forget `return`?"
    assert judged(exercise, cases, (1, 2, 3)) == f"{name} must return a pair {pair}; got a tuple of length 3"
    assert judged(exercise, cases, 7) == f"{name} must return a pair {pair}; got int"


def test_and4_names_a_missing_weight_vector_or_bias():
    cases = AND4.cases(AND4.seed)
    assert judged(AND4, cases, (None, -3.5)) == "w is None: did you forget to return it?"
    assert judged(AND4, cases, (np.ones(4), None)) == "b returned None: did you forget `return`?"
    assert judged(AND4, cases, (np.ones(4), -3.5)) == "fires for 1111 and for none of the other 15 inputs"


@pytest.mark.parametrize("exercise,answer", [(AND4, (np.ones(4), -3.5)), (XOR, None)])
def test_a_truth_table_case_that_is_missing_is_named_inputs(exercise, answer):
    assert judged(exercise, None, answer) == "inputs is None: did you forget to return it?"


@pytest.mark.parametrize("exercise,keys", [(SQUARE_LAYER, ("grid", "edges")), (DIAMOND, ("grid", "boundary"))])
def test_a_grid_case_that_is_missing_is_named(exercise, keys):
    cases = exercise.cases(exercise.seed)
    for key in keys:
        assert judged(exercise, {**cases, key: None}, None) == f"{key} is None: did you forget to return it?"
