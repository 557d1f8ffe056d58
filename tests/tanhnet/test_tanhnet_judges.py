"""Notebook 02's judges on recorded answers, as the grader calls them (judge(cases, answers)), and what collect
records: whole messages for a student or grader to read, each tolerance at the value it states (TOL = 1e-8: an
answer off by 1e-7 is wrong, and is no named mistake), and the records of the counting run."""
import re
import copy

import pytest

from helpers import (bw, dw24, dw46, expected_counts, fails_with, judged, partly_shared, recorded, separately,
                     value_class, whole)
from utils import tanhnet
from utils.checks import tanhnet as tanhnet_checks
from utils.checks.tanhnet import ALLOWED, DELTA_HINT
from utils.checks.tanhnet import check_dy_dw24 as DY_DW24, check_dy_dw46 as DY_DW46, check_tanh_backward as BACKWARD, check_value as VALUE

OFF = 1 + 1e-7  # beyond TOL = 1e-8, within the checks' default tolerance 1e-6
# multiplications: the forward pass (4 units × 2 inputs), plus backprop's or the closed form's, derived by hand
BEST, NAIVE = (4 * 2 + expected_counts(2, 2)[method] for method in ("backprop", "naive"))


@pytest.mark.parametrize("exercise,answer,message", [
    (DY_DW24, dw24(), "dy/dw24 = x2 (1 - a4²) [w45 (1 - a5²) + w46 (1 - a6²)] matches on {n} random networks"),
    (DY_DW46, dw46, "dy/dw46 = a4 (1 - a6²) matches on {n} random networks"),
    (BACKWARD, bw(), "all eight gradients match on {n} random networks, in " + f"{BEST} multiplications (forward pass "
                     f"included; each gradient on its own takes {NAIVE})"),
    (VALUE, value_class(), "y.backward() gives all eight gradients on {n} random networks"),
])
def test_right_records_get_their_messages_with_the_number_of_networks_judged(exercise, answer, message):
    cases, answers = recorded(exercise, answer)
    assert len(cases) == 5  # "n random networks" (tanhnet_checks._tanh_cases), 5 by default
    assert judged(exercise, cases, answers) == message.format(n=len(cases))


@pytest.mark.parametrize("exercise", [DY_DW24, DY_DW46, BACKWARD, VALUE])
def test_cases_are_the_same_for_a_seed_and_differ_between_seeds(exercise):
    assert exercise.cases(7) == exercise.cases(7) != exercise.cases(8)


# ---- backward ------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def backward():
    return recorded(BACKWARD, bw())


def with_gradients(good, change):
    """The record `good` with every network's gradient dict replaced by change(right dict, network index)."""
    answers = copy.deepcopy(good)
    answers["gradients"] = [change(g, i) for i, g in enumerate(answers["gradients"])]
    return answers


def generic(wrong, right, first, want, got):
    units = sorted({k[2] for k in wrong})
    return (f"backward: dy/d{', dy/d'.join(wrong)} {'is' if len(wrong) == 1 else 'are'} wrong"
            + (f" (dy/d{', dy/d'.join(right)} {'is' if len(right) == 1 else 'are'} right)" if right else "")
            + f". They use the δ of unit {', '.join(units)}: {'; '.join(DELTA_HINT[u] for u in units)}"
            + f". For the first network expected dy/d{first} = {want:.6g}, got {got:.6g}")


def test_backward_generic_messages_in_full(backward):
    cases, good = backward
    W = list(tanhnet.WEIGHTS)
    right = good["gradients"][0]
    # every gradient the wrong sign, off by 1e-7: not "the wrong sign" (TOL), all eight listed, no "right" part
    answers = with_gradients(good, lambda g, i: {k: -v * OFF for k, v in g.items()})
    assert judged(BACKWARD, cases, answers) == generic(W, [], "w13", right["w13"], -right["w13"] * OFF)
    assert "(dy/d" not in judged(BACKWARD, cases, answers)
    # one right, seven wrong
    answers = with_gradients(good, lambda g, i: {k: (v if k == "w46" else 2 * v) for k, v in g.items()})
    assert judged(BACKWARD, cases, answers) == generic(W[:-1], ["w46"], "w13", right["w13"], 2 * right["w13"])
    # one gradient off by 1e-7 is wrong
    answers = with_gradients(good, lambda g, i: {**g, "w23": g["w23"] * OFF})
    assert judged(BACKWARD, cases, answers) == generic(["w23"], [k for k in W if k != "w23"], "w23", right["w23"],
                                                       right["w23"] * OFF)


def test_backward_mistake_is_named_only_within_tol(backward):
    """The one-path mistake on dy/dw13 … dy/dw24, and δ5 and δ6 swapped in dy/dw35 and dy/dw36 (a gradient for the
    wrong unit), off by 1e-7: no longer that mistake."""
    cases, good = backward
    one_path = [bw(one_path=True)(x, dict(w)) for x, w in cases]
    answers = with_gradients(good, lambda g, i: {k: (one_path[i][k] * OFF if k[2] in "34" else v)
                                                 for k, v in g.items()})
    assert judged(BACKWARD, cases, answers) == generic(["w13", "w14", "w23", "w24"], ["w35", "w36", "w45", "w46"],
                                                       "w13", good["gradients"][0]["w13"], one_path[0]["w13"] * OFF)
    right = good["gradients"][0]

    def swapped(off):  # dy/dw35 and dy/dw36 with δ5 and δ6 swapped, times off
        return with_gradients(good, lambda g, i: {**g, "w35": g["w36"] * off, "w36": g["w35"] * off})

    assert judged(BACKWARD, cases, swapped(1)) == (
        "backward: a gradient for the wrong unit: dy/dw_ij takes δ_j of the unit j the weight feeds (dy/dw13 uses δ3, "
        "dy/dw35 uses δ5), but your dy/dw35 uses δ6, dy/dw36 uses δ5")
    assert judged(BACKWARD, cases, swapped(OFF)) == generic(["w35", "w36"], ["w13", "w14", "w23", "w24", "w45", "w46"],
                                                            "w35", right["w35"], right["w36"] * OFF)


def test_backward_one_gradient_of_the_wrong_sign_has_it(backward):
    cases, good = backward
    answers = with_gradients(good, lambda g, i: {**g, "w23": -g["w23"]})
    assert judged(BACKWARD, cases, answers) == "backward: dy/dw23 has the wrong sign"


@pytest.mark.parametrize("change,message", [
    (lambda a: a.update(gradients=a["gradients"][:1]), "backward: expected the gradients of 5 networks, got dict"),
    (lambda a: a.update(gradients=[None] * 5), "backward returned None: did you forget `return`?"),
    (lambda a: a.update(counted=None), "backward: the record of the counting run is missing"),
    (lambda a: a["counted"].update(returned=0.5), f"backward's dy/dw13 was not computed from the x and w it was given: "
                                                  f"{ALLOWED}"),
    (lambda a: a.update(counted={"values": a["gradients"][0], "multiplications": BEST}),
     "backward: the record of the counting run does not replay: the tape must be a list of entries; got NoneType"),
])
def test_backward_malformed_records_are_named(backward, change, message):
    cases, good = backward
    answers = copy.deepcopy(good)
    change(answers)
    assert judged(BACKWARD, cases, answers) == message


@pytest.mark.parametrize("answer,count,how", [
    (separately, NAIVE, "as many as computing each gradient on its own"),
    (partly_shared, BEST + 8, "some shared factor (a slope 1 - a², a δ, or a sum over paths) is computed more than "
                                "once"),
])
def test_backward_redundant_work_is_named_in_full(answer, count, how):
    fails_with(tanhnet_checks.check_tanh_backward, answer,
               whole(f"backward: the values are right, but they took {count} multiplications where backpropagation "
                     f"takes {BEST} (forward pass included): {how}. Compute each δ once and reuse it"))


@pytest.mark.parametrize("drop,add,message", [
    (("w45", "w46"), {}, "; missing w45, w46"),
    ((), {"w12": 0.0, "w99": 0.0}, "; unexpected w12, w99"),
    (("w46",), {}, "; missing w46"),
])
def test_backward_keys_are_listed_in_full(drop, add, message):
    def answer(x, w):
        return {**{k: v for k, v in bw()(x, w).items() if k not in drop}, **add}
    fails_with(tanhnet_checks.check_tanh_backward, answer,
               whole("backward must return exactly the keys w13, w14, w23, w24, w35, w36, w45, w46" + message))


# ---- the counting run ----------------------------------------------------------------------------------

def floats_only(fn, on_counting=None):
    """fn on plain floats; on the checks' counting numbers raise ValueError, or return on_counting(x, w)."""
    def answer(x, w):
        if isinstance(x[0], float):
            return fn(x, w)
        if on_counting is None:
            raise ValueError("only floats")
        return on_counting(x, w)
    return answer


def test_counting_run_error_is_named_with_the_exception():
    fails_with(tanhnet_checks.check_dy_dw46, floats_only(dw46),
               whole("dy_dw46 works on floats but not on the counting numbers the check uses to see how the answer is "
                     f"computed (it raised ValueError: only floats): {ALLOWED}"))


def test_counting_run_error_is_cut_at_200_characters():
    cases, good = recorded(DY_DW46, dw46)
    long = "TypeError: " + "x" * 300
    answers = {**good, "counted": {"error": long}}
    assert judged(DY_DW46, cases, answers) == ("dy_dw46 works on floats but not on the counting numbers the check uses "
                                               f"to see how the answer is computed (it raised {long[:200]}): {ALLOWED}")


def test_counting_run_that_returns_no_dict_is_recorded_without_values():
    """collect's record: {"returned": None, ...} when backward returns no dict on counting numbers."""
    cases = BACKWARD.cases(BACKWARD.seed)
    answers = BACKWARD.collect(floats_only(bw(), lambda x, w: list(bw()(x, w).values())), cases)
    assert answers["counted"]["returned"] is None
    assert judged(BACKWARD, cases, answers) == ("backward's dy/dw13 was not computed from the x and w it was given: "
                                                + ALLOWED)


@pytest.mark.parametrize("factor,message", [
    (1 + 1e-9, "dy/dw46 = a4 (1 - a6²) matches on 5 random networks"),
    (OFF, "dy_dw46 changes when the same x and w come as counting numbers: " + ALLOWED),
])
def test_counting_run_value_must_match_to_tol(factor, message):
    """On the counting numbers the answer is off by `factor`: within TOL = 1e-8 it passes, beyond it not."""
    cases = DY_DW46.cases(DY_DW46.seed)
    answers = DY_DW46.collect(floats_only(dw46, lambda x, w: dw46(x, w) * factor), cases)
    assert judged(DY_DW46, cases, answers) == message


# ---- Value ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("replacements,message", [
    ([("def tanh(self):", "def tanh_(self):")], "Value raised AttributeError: 'Value' object has no attribute 'tanh' "
                                                "(on the network x = ({x1}, {x2}), y = a5 + a6)"),
    ([("self.grad = 1.0", "self.grad = 1.0 / 0")], "Value raised ZeroDivisionError: float division by zero (on the "
                                                   "network x = ({x1}, {x2}), y = a5 + a6)"),
    ([(".grad", ".g")], "w13.grad returned None: did you forget `return`?"),
    ([(".data", ".val")], "y.data returned None: did you forget `return`?"),
])
def test_value_class_that_raises_or_lacks_an_attribute_is_named(replacements, message):
    """An error in the student's code (building the network or in backward) says on which network: the first, its
    x to 3 digits."""
    x, _ = VALUE.cases(VALUE.seed)[0]
    message = message.format(x1=f"{x[0]:.3g}", x2=f"{x[1]:.3g}")
    fails_with(tanhnet_checks.check_value, value_class(*replacements), "^" + re.escape(message) + "$")


@pytest.mark.parametrize("forget", ["v.grad = None", "del v.grad"])
def test_value_that_keeps_grad_only_on_the_leaves_passes(forget, capsys):
    """As torch does, a Value may leave no gradient on the inner nodes (grad None, or no grad at all) once backward
    is done: the check reads the eight weights' grad, and the inner nodes' only for a message, never failing on them."""
    Value = value_class(("            v._backward()\n", "            v._backward()\n"
                         f"        for v in order:\n            if v._parents:\n                {forget}\n"))
    y = Value(0.5) * Value(2.0)
    y.backward()
    assert not hasattr(y, "grad") or y.grad is None  # the planted change is in place
    VALUE(Value)
    assert capsys.readouterr().out == "✓ y.backward() gives all eight gradients on 5 random networks\n"


@pytest.fixture(scope="module")
def value():
    return recorded(VALUE, value_class())


def with_grads(good, change):
    answers = copy.deepcopy(good)
    for i, a in enumerate(answers):
        a["grads"] = change(a["grads"], i)
    return answers


def value_generic(want, got):
    return f"Value: for the first network expected w13.grad = {want:.6g}, got {got:.6g}"


def test_value_records_of_the_wrong_kind_are_described(value):
    cases, good = value
    expected = "Value: expected the results of 5 networks, got "
    assert judged(VALUE, cases, tuple(good)) == expected + "tuple of length 5"
    assert judged(VALUE, cases, good[:4]) == expected + "list of length 4"
    assert judged(VALUE, cases, [{"y": a["y"]} for a in good]) == expected + "list of length 5"


def test_value_messages_in_full(value):
    cases, good = value
    w13 = good[0]["grads"]["w13"]
    mistake = [bw("1-a")(x, dict(w)) for x, w in cases]  # tanh's backward with 1 - a
    checks_ = [
        ([{**a, "y": None} for a in good], "y.data returned None: did you forget `return`?"),
        ([{**a, "y": a["y"] * OFF} for a in good], "Value: the forward values are wrong: check that + and * compute "
                                                  "self.data + other.data and self.data * other.data, and tanh "
                                                  "numpy.tanh(self.data)"),
        (with_grads(good, lambda g, i: {**g, "w13": None}), "w13.grad returned None: did you forget `return`?"),
        (with_grads(good, lambda g, i: {k: 0.0 for k in g}), "Value: every weight's grad is 0: the gradient reaches "
                                                            "z5 and z6 but no product passes it on, so your `__mul__` "
                                                            "passes nothing back. It must attach a backward function to "
                                                            "the Value it returns (`out._backward = _backward`, as "
                                                            "`__add__` does) that adds other.data · out.grad to "
                                                            "self.grad and self.data · out.grad to other.grad"),
        (with_grads(good, lambda g, i: {k: -v for k, v in g.items()}), "Value: the gradients have the wrong sign"),
        # off by 1e-7: not right, not the sign, not the mistake
        (with_grads(good, lambda g, i: {k: v * OFF for k, v in g.items()}), value_generic(w13, w13 * OFF)),
        (with_grads(good, lambda g, i: {k: -v * OFF for k, v in g.items()}), value_generic(w13, -w13 * OFF)),
        (with_grads(good, lambda g, i: {k: mistake[i][k] * OFF for k in g}),
         value_generic(w13, mistake[0]["w13"] * OFF)),
        # only w13 wrong: the first network's right and wrong w13.grad
        (with_grads(good, lambda g, i: {**g, "w13": 2 * g["w13"]}), value_generic(w13, 2 * w13)),
    ]
    for answers, message in checks_:
        assert judged(VALUE, cases, answers) == message


def test_value_all_zero_gradients_say_where_the_gradient_stopped(value):
    """Issue 26: all-zero gradients blamed the given backward(); the recorded node gradients now say whether tanh or
    the product passed nothing back, and the message never blames code the student did not write. (The record is
    the student's: a forged one changes only which message, never whether the answer passes.)"""
    cases, good = value
    zero = with_grads(good, lambda g, i: {k: 0.0 for k in g})

    def stopped(**reached):  # the zero record, each network's nodes 0.0 but those given
        return [{**a, "nodes": {**{k: 0.0 for k in tanhnet_checks.NODES}, **reached}} for a in zero]

    at_tanh = ("Value: every weight's grad is 0: the gradient reaches a5 and a6 (a5.grad = 1) but not z5 and z6, so "
               "your `tanh` passes nothing back. It must attach a backward function to the Value it returns "
               "(`out._backward = _backward`, as `__add__` does) that adds (1 - a²) · out.grad to self.grad")
    at_mul = ("Value: every weight's grad is 0: the gradient reaches z5 and z6 but no product passes it on, so your "
              "`__mul__` passes nothing back. It must attach a backward function to the Value it returns "
              "(`out._backward = _backward`, as `__add__` does) that adds other.data · out.grad to self.grad and "
              "self.data · out.grad to other.grad")
    nowhere = ("Value: every gradient is 0, even a5's and a6's: `backward` and `__add__` are given as they should be; "
               "check that `__mul__` and `tanh` return the new Value with its parents, (self, other) and (self,)")
    assert judged(VALUE, cases, stopped(a5=1.0, a6=1.0)) == at_tanh
    # a product that passes nothing back leaves z5 and z6 reached; either one is enough to say so
    for reached in (dict(a5=1.0, a6=1.0, z5=0.5, z6=0.25), dict(a5=1.0, a6=1.0, z5=0.5), dict(a5=1.0, a6=1.0, z6=0.25)):
        assert judged(VALUE, cases, stopped(**reached)) == at_mul, reached
    assert judged(VALUE, cases, stopped()) == nowhere
    for forged in ([{**a, "nodes": "junk"} for a in zero], [{k: v for k, v in a.items() if k != "nodes"} for a in zero],
                   [{**a, "nodes": {"a5": "1", "a6": [1]}} for a in zero]):
        assert judged(VALUE, cases, forged) == nowhere
    # where it stopped is read off the first network's nodes
    assert judged(VALUE, cases, stopped(a5=1.0, a6=1.0)[:1] + stopped()[1:]) == at_tanh
    assert judged(VALUE, cases, stopped()[:1] + stopped(a5=1.0, a6=1.0)[1:]) == nowhere
    assert judged(VALUE, cases, stopped(a5=1.0, a6=1.0)[:1] + good[1:]).startswith("Value: for the first network")
