"""Checks of notebook 02: the right answer (written here, independently of utils.tanhnet's formulas) passes,
each recognised mistake produces its message, malformed answers get a message (the contract of every exercise: tests/workbook/test_exercises.py)."""
import re

import pytest

from helpers import (bw, dw24, dw46, fails_with, fwd, named_with_a_graders_seed, partly_shared, separately, sl,
                     value_class)
from utils import checks, tanhnet
from utils.checks import tanhnet as tanhnet_checks


def passes(check, answer, capsys):
    check(answer)
    assert capsys.readouterr().out.startswith("✓")


# ---- Exercise 1 ----------------------------------------------------------------------------------------


def test_dy_dw24_right_answer_passes(capsys):
    passes(tanhnet_checks.check_dy_dw24, dw24(), capsys)


@pytest.mark.parametrize("answer,pattern", [
    (lambda x, w: (lambda f: f["x2"] * (w["w45"] * sl(f, "5") + w["w46"] * sl(f, "6")))(fwd(x, w)), r"^dy_dw24: the "
                                                                                                    r"factor \(1 - a4²\), the derivative of tanh at unit 4, is missing"),
    (lambda x, w: (lambda f: f["x2"] * sl(f, "4") * (w["w45"] + w["w46"]))(fwd(x, w)), r"^dy_dw24: the factors \(1 - "
                                                                                       r"a5²\) and \(1 - a6²\) of units 5 and 6 are missing"),
    (lambda x, w: (lambda f: f["x1"] * sl(f, "4") * (w["w45"] * sl(f, "5") + w["w46"] * sl(f, "6")))(fwd(x, w)), "^dy_dw24: that is dy/dw14: w24 multiplies x2, not x1"),
    (lambda x, w: (lambda f: f["x2"] * sl(f, "3") * (w["w35"] * sl(f, "5") + w["w36"] * sl(f, "6")))(fwd(x, w)), "^dy_dw24: that is dy/dw23: w24 feeds unit 4, so use a4, w45 and w46"),
    (dw24(paths=1), "^dy_dw24: unit 4 reaches y along two paths, through unit 5 and through unit 6: add both"),
    (dw24("1-a"), r"^dy_dw24: tanh' is 1 - a², not 1 - a: square the activations"),
    (dw24("1-z2"), r"^dy_dw24: tanh' must be taken at the activation a = tanh\(z\): you squared z instead of a"),
    (dw24("1+a2"), r"^dy_dw24: tanh' is 1 - a², not 1 \+ a²"),
    (lambda x, w: -dw24()(x, w), "^dy_dw24: the sign is wrong"),
    # the student trial (issue 26): mistakes the check did not name
    (lambda x, w: (lambda f: f["x2"] * sl(f, "4") * (w["w35"] * sl(f, "5") + w["w36"] * sl(f, "6")))(fwd(x, w)),
     "^dy_dw24: unit 4 reaches units 5 and 6 through the weights leaving it, w45 and w46: w35 and w36 leave unit 3$"),
    (lambda x, w: (lambda f: f["x2"] * sl(f, "4", "1+a2") * (w["w45"] * sl(f, "5") + w["w46"] * sl(f, "6")))(fwd(x, w)),
     r"^dy_dw24: tanh' is 1 - a², not 1 \+ a²$"),
    (lambda x, w: dw24()(tanhnet.EXAMPLE_X, tanhnet.EXAMPLE_W), "^dy_dw24: returns the example network's value on "
                                                                "every network: compute from the x and w"),
])
def test_dy_dw24_mistakes_are_named(answer, pattern):
    fails_with(tanhnet_checks.check_dy_dw24, answer, pattern)


# ---- Exercise 2 ----------------------------------------------------------------------------------------

def test_dy_dw46_right_answer_passes(capsys):
    passes(tanhnet_checks.check_dy_dw46, lambda x, w: (lambda f: f["a4"] * (1 - f["a6"] ** 2))(fwd(x, w)), capsys)


@pytest.mark.parametrize("answer,pattern", [
    (lambda x, w: fwd(x, w)["a4"], r"^dy_dw46: the factor \(1 - a6²\), the derivative of tanh at unit 6, is missing"),
    (lambda x, w: (lambda f: f["a3"] * sl(f, "6"))(fwd(x, w)), "^dy_dw46: that is dy/dw36: w46 carries a4, not a3"),
    (lambda x, w: (lambda f: f["a4"] * sl(f, "5"))(fwd(x, w)), r"^dy_dw46: that is dy/dw45: w46 feeds unit 6, so the "
                                                               r"factor is \(1 - a6²\)"),
    (lambda x, w: (lambda f: f["a4"] * sl(f, "6", "1-a"))(fwd(x, w)), r"^dy_dw46: tanh' is 1 - a², not 1 - a"),
    (lambda x, w: (lambda f: f["a4"] * sl(f, "4"))(fwd(x, w)), r"^dy_dw46: the factor is \(1 - a6²\) of the unit w46 "
                                                               r"feeds, not \(1 - a4²\)"),
    (lambda x, w: (lambda f: f["a6"] * sl(f, "6"))(fwd(x, w)), "^dy_dw46: w46 multiplies a4 on its way into z6: the "
                                                               "input of the edge is a4, not a6"),
    # issue 26: w46 where a4 belongs got only "expected 0.322, got -0.573"
    (lambda x, w: (lambda f: w["w46"] * sl(f, "6"))(fwd(x, w)), "^dy_dw46: you wrote the weight w46 where a4 belongs: "
                                                                r"∂z6/∂w46 is the number w46 multiplies in z6 = a3 w36 "
                                                                r"\+ a4 w46, that is a4$"),
    (lambda x, w: (lambda f: f["a4"] * w["w46"] * sl(f, "6"))(fwd(x, w)), "^dy_dw46: the weight w46 is not a factor "
                                                                          "of its own gradient"),
    (lambda x, w: (lambda f: f["z4"] * sl(f, "6"))(fwd(x, w)), r"^dy_dw46: w46 multiplies the activation a4 = tanh\(z4\), "
                                                               "not z4"),
    (lambda x, w: (lambda f: sl(f, "6"))(fwd(x, w)), r"^dy_dw46: the factor a4 is missing"),
    # the student trial (issue 26): mistakes the check did not name
    (lambda x, w: (lambda f: f["x2"] * sl(f, "6"))(fwd(x, w)), "^dy_dw46: w46 carries a4, the output of unit 4, into "
                                                               "z6, not the input x2$"),
    (lambda x, w: (lambda f: f["a4"] * sl(f, "6", "1+a2"))(fwd(x, w)), r"^dy_dw46: tanh' is 1 - a², not 1 \+ a²$"),
    (lambda x, w: (lambda f: f["a4"] * sl(f, "6"))(fwd(tanhnet.EXAMPLE_X, tanhnet.EXAMPLE_W)),
     "^dy_dw46: returns the example network's value on every network"),
])
def test_dy_dw46_mistakes_are_named(answer, pattern):
    fails_with(tanhnet_checks.check_dy_dw46, answer, pattern)


# ---- Exercise 3 ----------------------------------------------------------------------------------------


def test_backward_right_answer_passes_in_the_backprop_count(capsys):
    tanhnet_checks.check_tanh_backward(bw())
    # the forward pass (4 units x 2 inputs) plus backprop's 18 (test_tanhnet derives it)
    out = capsys.readouterr().out
    assert out.startswith("✓") and f"in {8 + 18} multiplications" in out


def test_backward_written_with_dy_da_equal_one_passes(capsys):
    def with_one(x, w):
        f = fwd(x, w)
        dy_da5 = dy_da6 = 1
        d5, d6 = dy_da5 * (1 - f["a5"] ** 2), dy_da6 * (1 - f["a6"] ** 2)
        d3 = (1 - f["a3"] ** 2) * (w["w35"] * d5 + w["w36"] * d6)
        d4 = (1 - f["a4"] ** 2) * (w["w45"] * d5 + w["w46"] * d6)
        return {"w13": f["x1"] * d3, "w23": f["x2"] * d3, "w14": f["x1"] * d4, "w24": f["x2"] * d4,
                "w35": f["a3"] * d5, "w45": f["a4"] * d5, "w36": f["a3"] * d6, "w46": f["a4"] * d6}
    passes(tanhnet_checks.check_tanh_backward, with_one, capsys)


@pytest.mark.parametrize("answer,pattern", [
    (bw("none"), r"^backward: every δ needs the slope tanh' = 1 - a² of its own unit: the factors \(1 - a²\) are "
                 r"missing"),
    (bw("1-a"), r"^backward: tanh' is 1 - a², not 1 - a"),
    (bw("1-z2"), r"^backward: tanh' must be taken at the activation a = tanh\(z\): you squared z"),
    (bw("1+a2"), r"^backward: tanh' is 1 - a², not 1 \+ a²"),
    (bw(one_path=True), r"^backward: a unit that feeds two units collects δ from both: unit 3 and unit 4 feed units 5 "
                        r"and 6, so δ3 and δ4 need a term for each path; you kept only the one through unit 5$"),
    # the trial (issue 26): δ3 alone missing a path, or its slope, printed both δ formulas in full
    (bw(one_path=True, one_path_at="3"), r"^backward: a unit that feeds two units collects δ from both: unit 3 feeds "
                                         r"units 5 and 6, so δ3 needs a term for each path; you kept only the one "
                                         r"through unit 5$"),
    (bw(one_path=True, one_path_at="4"), r"^backward: .* unit 4 feeds units 5 and 6, so δ4 needs"),
    (bw("none", at="3"), r"^backward: δ3 needs the slope tanh' = 1 - a3² of its own unit: it is missing$"),
    (bw("none", at="6"), r"^backward: δ6 needs the slope tanh' = 1 - a6² of its own unit: it is missing$"),
    (bw("1+a2", at="4"), r"^backward: tanh' is 1 - a², not 1 \+ a²$"),
    (bw(transposed=True), r"^backward: the sum in δ3 and δ4 runs over the weights leaving the unit \(to units 5 and "
                          r"6\), not over the weights entering unit 5 or 6 \(the transpose\)$"),
    (bw(out4=("w35", "w36")), r"^backward: δ4 collects through the weights leaving unit 4, w45 and w46: w35 and w36 "
                              r"leave unit 3$"),
    (bw(carried="x2"), r"^backward: w45 and w46 carry a4, the output of unit 4, not the input x2$"),
    (lambda x, w: bw()(tanhnet.EXAMPLE_X, tanhnet.EXAMPLE_W), "^backward: returns the example network's value on "
                                                              "every network"),
    (bw(swap_inputs=True), r"^backward: ∂y/∂w_ij = a_i δ_j with a_i the input of the edge: .*, you swapped x1 and x2"),
    (bw(swap_units=True), r"^backward: a gradient for the wrong unit: .*\(dy/dw13 uses δ3, dy/dw35 uses δ5\), but "
                          r"your dy/dw13 uses δ4, dy/dw14 uses δ3, dy/dw23 uses δ4, dy/dw24 uses δ3, dy/dw35 uses δ6, "
                          r"dy/dw36 uses δ5, dy/dw45 uses δ6, dy/dw46 uses δ5$"),
    # the trial (issue 26): only δ5 and δ6 swapped, in w35 and w36, was blamed on a 3↔4 swap too
    (lambda x, w: {**bw()(x, w), "w35": bw()(x, w)["w36"], "w36": bw()(x, w)["w35"]},
     r"^backward: a gradient for the wrong unit: .*, but your dy/dw35 uses δ6, dy/dw36 uses δ5$"),
    (bw(own=True), r"^backward: ∂y/∂w_ij = a_i δ_j takes the activation a_i the weight carries, not a_j of the unit it "
                   r"feeds"),
    (bw(sign=-1), r"^backward: dy/dw13, dy/dw14, dy/dw23, dy/dw24, dy/dw35, dy/dw36, dy/dw45, dy/dw46 have the wrong "
                  r"sign"),
    (lambda x, w: {**bw()(x, w), "w23": 2 * bw()(x, w)["w23"]}, r"dy/dw23 is wrong \(dy/dw13, .* are right\).*δ3 ="),
    (lambda x, w: {k: (2 * v if k[2] in "56" else v) for k, v in bw()(x, w).items()},
     r"dy/dw35, dy/dw36, dy/dw45, dy/dw46 are wrong.*unit 5, 6"),
    (separately, r"took 44 multiplications where backpropagation takes 26.*each gradient on its own"),
    (partly_shared, r"took 34 multiplications where backpropagation takes 26.*more than once"),
    (lambda x, w: tanhnet.backward(x, w)[0], r"uses the reference implementation `utils.tanhnet.backward`"),
    (lambda x, w: {k: float(v) for k, v in bw()(x, w).items()}, r"float\(\)"),
])
def test_backward_mistakes_are_named(answer, pattern):
    fails_with(tanhnet_checks.check_tanh_backward, answer, pattern)


@pytest.mark.parametrize("answer,pattern", [
    (None, "^backward must be a function; got NoneType"),
    (lambda x, w: None, "^backward returned None: did you forget `return`"),
    (lambda x, w: [1.0] * 8, r"^backward must return a dict \{'w13': dy/dw13, ...\} of the eight gradients; got list "
                             r"of length 8"),
    (lambda x, w: {k: v for k, v in bw()(x, w).items() if k != "w46"}, "^backward must return exactly the keys w13, "
                                                                       "w14, w23, w24, w35, w36, w45, w46; missing w46"),
    (lambda x, w: {**bw()(x, w), "w12": 0.0}, "^backward must return exactly the keys w13, .*, w46; unexpected w12"),
    (lambda x, w: {**bw()(x, w), "w13": float("nan")}, "^backward's dy/dw13 returned nan"),
    (lambda x, w: {**bw()(x, w), "w13": "0.1"}, "^backward's dy/dw13 must return a number; got a str"),
    (lambda x, w: 1 / 0, "^backward raised ZeroDivisionError: division by zero"),
])
def test_backward_malformed_answers_get_a_message(answer, pattern):
    fails_with(tanhnet_checks.check_tanh_backward, answer, pattern)


@pytest.mark.parametrize("check", [tanhnet_checks.check_dy_dw24, tanhnet_checks.check_dy_dw46])
@pytest.mark.parametrize("answer,pattern", [
    (lambda x, w: None, "forget `return`"), (lambda x, w: [1.0], "number"), (lambda x, w: float("nan"), "nan"),
    (lambda x, w: 0.5, "expected"),
])
def test_scalar_exercises_malformed_answers_get_a_message(check, answer, pattern):
    """The message opens with the name of the student's function."""
    fails_with(check, answer, "^" + check.function + ".*" + pattern)


@pytest.mark.parametrize("check,key", [(tanhnet_checks.check_dy_dw24, "w24"), (tanhnet_checks.check_dy_dw46, "w46")])
def test_scalar_exercises_refuse_the_package_reference(check, key):
    fails_with(check, lambda x, w: tanhnet.closed_form(x, w)[key],
               "uses the reference implementation `utils.tanhnet.closed_form`")


def test_scalar_answer_not_computed_from_its_arguments_is_refused():
    # a plain number from the counting numbers (not computed from x and w), right on floats: judged directly
    cases = tanhnet_checks.check_dy_dw46.cases(0)
    answers = tanhnet_checks.check_dy_dw46.collect(lambda x, w: float(dw46(x, w)) if isinstance(x[0], float) else 0.5, cases)
    assert answers["counted"]["returned"] == "plain"
    with pytest.raises(checks.CheckFailed, match="^dy_dw46 was not computed from the x and w"):
        tanhnet_checks.check_dy_dw46.judge(cases, answers)


# ---- Exercise 4: Value -----------------------------------------------------------------------------------


def test_value_right_class_passes(capsys):
    passes(tanhnet_checks.check_value, value_class(), capsys)


@pytest.mark.parametrize("replacement,pattern", [
    (("(1 - a * a) * out.grad", "(1 - a) * out.grad"), r"1 - a², not 1 - a"),
    (("(1 - a * a) * out.grad", "out.grad"), "passes the gradient through unchanged"),
    (("a = math.tanh(self.data)", "a = math.tanh(self.data); z = self.data"), None),  # still right
    (("(1 - a * a) * out.grad", "(1 - z * z) * out.grad"), r"not 1 - z²"),
    (("(1 - a * a) * out.grad", "(1 + a * a) * out.grad"), r"not 1 \+ a²"),
    (("self.grad += other.data * out.grad", "self.grad = other.data * out.grad"), r"accumulate with `\+=`"),
    (("self.grad += other.data * out.grad\n            other.grad += self.data * out.grad",
      "self.grad += self.data * out.grad\n            other.grad += other.data * out.grad"), "the \\*other\\* factor"),
    (("self.grad = 1.0", "self.grad = 0.0"), "every gradient is 0, even a5's and a6's"),
    # issue 26: a tanh (or a product) that never attaches its backward is named, not the given backward()
    (("            self.grad += (1 - a * a) * out.grad\n        out._backward = _backward\n",
      "            self.grad += (1 - a * a) * out.grad\n"), r"reaches a5 and a6 .* your `tanh` passes nothing back"),
    (("            other.grad += self.data * out.grad\n        out._backward = _backward\n",
      "            other.grad += self.data * out.grad\n"), r"reaches z5 and z6 .* your `__mul__` passes nothing back"),
    (("self.grad = 1.0", "self.grad = -1.0"), "wrong sign"),
    (("Value(self.data * other.data", "Value(self.data + other.data"), "forward values are wrong"),
    (("a = math.tanh(self.data)", "raise NotImplementedError()"), "not written yet"),
])
def test_value_mistakes_are_named(replacement, pattern, capsys):
    replacements = [replacement]
    if "z * z" in replacement[1]:
        replacements.insert(0, ("a = math.tanh(self.data)", "a = math.tanh(self.data); z = self.data"))
    Value = value_class(*replacements)
    if pattern is None:
        passes(tanhnet_checks.check_value, Value, capsys)
    else:
        fails_with(tanhnet_checks.check_value, Value, pattern)


@pytest.mark.parametrize("answer,pattern", [
    (lambda x: x, "Value must be a class"),
    (type("NoData", (), {"__init__": lambda self, v: None}), "raised|must return|None"),
])
def test_value_malformed_answers_get_a_message(answer, pattern):
    fails_with(tanhnet_checks.check_value, answer, pattern)


# ---- messages of the counting run and of the generic fallbacks -----------------------------------------


@pytest.mark.parametrize("change, pattern", [
    (lambda counted: None, "^dy_dw46: the record of the counting run is missing"),
    (lambda counted: {"error": "TypeError: must be real number"},
     r"^dy_dw46 works on floats but not on the counting numbers the check uses to see how the answer is computed "
     r"\(it raised TypeError: must be real number\): compute with \+, -, \*, \*\* and numpy.tanh"),
    (lambda counted: {**counted, "returned": 0}, "^dy_dw46 changes when the same x and w come as counting numbers: "
                                                 "compute with"),  # entry 0 of a tape is x1
    (lambda counted: {**counted, "returned": "plain"}, "^dy_dw46 was not computed from the x and w it was given"),
    (lambda counted: {**counted, "tape": None}, "^dy_dw46: the record of the counting run does not replay: the tape "
                                                "must be a list of entries; got NoneType$"),
    (lambda counted: {"values": 0.5, "multiplications": 3}, "^dy_dw46: the record of the counting run does not "
                                                            "replay"),  # a count reported, no tape
])
def test_counting_run_problems_are_named(change, pattern):
    cases = tanhnet_checks.check_dy_dw46.cases(0)
    good = tanhnet_checks.check_dy_dw46.collect(dw46, cases)
    with pytest.raises(checks.CheckFailed, match=pattern):
        tanhnet_checks.check_dy_dw46.judge(cases, {**good, "counted": change(good["counted"])})
    assert tanhnet_checks.check_dy_dw46.judge(cases, good)


@pytest.mark.parametrize("exercise", [tanhnet_checks.check_dy_dw46, tanhnet_checks.check_tanh_backward, tanhnet_checks.check_value])
def test_judges_name_what_they_got_instead_of_the_answers(exercise):
    with pytest.raises(checks.CheckFailed, match=f"^{exercise.function}: expected .*, got str"):
        exercise.judge(exercise.cases(0), "answers")


def test_scalar_fallback_shows_the_case_x_and_w():
    # the trial (issue 26): "on (tuple of length 2, {w13: ...})" hid x
    x, w = tanhnet_checks.check_dy_dw24.cases(tanhnet_checks.check_dy_dw24.seed)[0]
    fails_with(tanhnet_checks.check_dy_dw24, lambda x, w: 2 * dw24()(x, w),
               rf"^dy_dw24: on \(\({x[0]:.6g}, {x[1]:.6g}\), \{{w13: {w['w13']:.6g}, .*\}}\) expected ")


def test_backward_messages_never_state_a_delta_formula():
    """The trial (issue 26): a wrong δ3 printed δ3 = (1 - a3²)(w35 δ5 + w36 δ6), Exercise 3(a)'s answer."""
    def d3_wrong(x, w):
        g, f = bw()(x, w), fwd(x, w)
        return {**g, "w13": 2 * g["w13"], "w23": 2 * g["w23"], "w14": 3 * g["w14"]}
    answers = [bw(one_path=True), bw(transposed=True), bw(one_path=True, one_path_at="3"), bw("none", at="3"),
               d3_wrong, lambda x, w: {k: 2 * v for k, v in bw()(x, w).items()}]
    for answer in answers:
        with pytest.raises(checks.CheckFailed) as failed:
            tanhnet_checks.check_tanh_backward(answer)
        assert not re.search(r"δ[34] = \(1 - a[34]²\)|w[34]5 δ5 \+ w[34]6 δ6|δ[56] = 1 - a", str(failed.value)), failed.value


def test_backward_fallback_gives_the_first_networks_right_and_wrong_value():
    x, w = tanhnet_checks.check_tanh_backward.cases(tanhnet_checks.check_tanh_backward.seed)[0]
    want = bw()(x, w)["w23"]
    fails_with(tanhnet_checks.check_tanh_backward, lambda x, w: {**bw()(x, w), "w23": 2 * bw()(x, w)["w23"]},
               rf"For the first network expected dy/dw23 = {want:.6g}, got {2 * want:.6g}")


def test_value_fallback_gives_the_first_networks_right_and_wrong_w13_grad():
    x, w = tanhnet_checks.check_value.cases(tanhnet_checks.check_value.seed)[0]
    want = bw()(x, w)["w13"]
    fails_with(tanhnet_checks.check_value, value_class(("(1 - a * a) * out.grad", "2 * (1 - a * a) * out.grad")),
               rf"^Value: for the first network expected w13.grad = {want:.6g}, got ")


def test_value_that_is_no_class_or_has_no_grad_is_named():
    fails_with(tanhnet_checks.check_value, lambda v: v, "^Value must be a class; got function")
    fails_with(tanhnet_checks.check_value, value_class(("self.data, self.grad,", "self.data, self.grd,")),
               r"^w13.grad returned None|^Value raised AttributeError")


# A mistake of every exercise of this notebook, judged on a grader's cases: (the student's function, what the message
# must say). tests/workbook/test_exercises.py checks that every declared exercise has an entry in such a dict.
GRADERS_SEED_MISTAKES = {
    "check-dy-dw24": (lambda x, w: (lambda f: f["x2"] * (w["w45"] * sl(f, "5") + w["w46"] * sl(f, "6")))(fwd(x, w)),
                      r"^dy_dw24: the factor \(1 - a4²\), the derivative of tanh at unit 4, is missing"),
    "check-dy-dw46": (lambda x, w: fwd(x, w)["a4"], r"^dy_dw46: the factor \(1 - a6²\), the derivative of tanh at unit "
                                                     "6, is missing"),
    "check-tanh-backward": (bw(sign=-1), r"^backward: dy/dw13, .* have the wrong sign"),
    "check-value": (value_class(("(1 - a * a) * out.grad", "(1 - a) * out.grad")), "1 - a², not 1 - a"),
}


@pytest.mark.parametrize("gid", sorted(GRADERS_SEED_MISTAKES))
def test_a_mistake_is_named_with_a_graders_seed(gid):
    named_with_a_graders_seed(gid, *GRADERS_SEED_MISTAKES[gid])
