"""Notebook 02's multiplication count as a certificate (issue 23, finding 1): the counting numbers record a tape,
the judge replays it from the case's x and w and on networks it draws itself, and counts the replay's
multiplications. The three attacks of the issue and forged tapes fail with their messages; honest solutions
keep their verdicts. Tapes are written here by hand, in the format tanhnet.replay documents."""
import math
from pathlib import Path

import nbformat
import numpy as np
import pytest

from helpers import bw, dw24, dw46, expected_counts, fails_with, judged, partly_shared, recorded, separately, whole
from utils import checks, tanhnet
from utils.checks import tanhnet as tanhnet_checks
from utils.checks.tanhnet import ALLOWED
from utils.checks.tanhnet import check_tanh_backward as BACKWARD

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "02-tanh-chain-rule.ipynb"
W = ("w13", "w14", "w23", "w24", "w35", "w36", "w45", "w46")
INPUTS = ("x1", "x2") + W  # the order a tape opens with
# multiplications: the forward pass (4 units × 2 inputs), plus backprop's or the closed form's, derived by hand
BEST, NAIVE = (4 * 2 + expected_counts(2, 2)[method] for method in ("backprop", "naive"))
ONLY_THERE = ("backward: the operations of the counting run give the answer only on the network they ran on, not "
              "when replayed on others: the answer holds numbers computed outside the counting numbers (a constant, "
              f"or a value taken out with .value): {ALLOWED}")
NOT_REPLAYED = "backward: the record of the counting run does not replay: "


def solution_cells():
    """{grade_id: source} of notebook 02's solution cells, as the instructor wrote them."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    return {c.metadata["nbgrader"]["grade_id"]: c.source for c in nb.cells
            if c.metadata.get("nbgrader", {}).get("solution")}


def defined(source, name):
    """What a solution cell's `source` binds to `name`, run as the notebook runs it."""
    namespace = {"tanhnet": tanhnet, "numpy": np, "checks": checks}
    exec(source, namespace)
    return namespace[name]


# ---- tapes by hand -------------------------------------------------------------------------------------

class Tape:
    """A tape written entry by entry: tape(op, a, b) appends [op, a, b, value] and returns the entry's index.
    Operands are indices of earlier entries (ints) or constants (floats); values are computed here."""

    def __init__(self, case):
        x, w = case
        self.entries = [["input", name, None, float(v)] for name, v in zip(INPUTS, (*x, *(w[k] for k in W)))]

    def __call__(self, op, a, b=None):
        def value(operand):
            return self.entries[operand][3] if type(operand) is int else operand
        u, v = value(a), (b if op == "pow" else value(b))
        result = {"add": lambda: u + v, "sub": lambda: u - v, "mul": lambda: u * v, "div": lambda: u / v,
                  "pow": lambda: u ** v, "neg": lambda: -u, "tanh": lambda: math.tanh(u)}[op]()
        self.entries.append([op, a, b, result])
        return len(self.entries) - 1


def backprop_tape(case):
    """The notebook's backpropagation as a tape: 8 products forward, 18 backward (expected_counts derives 18)."""
    t = Tape(case)
    ref = {name: i for i, name in enumerate(INPUTS)}
    a = {}
    for j in "34":
        a[j] = t("tanh", t("add", t("mul", ref["x1"], ref[f"w1{j}"]), t("mul", ref["x2"], ref[f"w2{j}"])))
    for j in "56":
        a[j] = t("tanh", t("add", t("mul", a["3"], ref[f"w3{j}"]), t("mul", a["4"], ref[f"w4{j}"])))
    d = {j: t("sub", 1.0, t("mul", a[j], a[j])) for j in "56"}
    for j in "34":
        d[j] = t("mul", t("sub", 1.0, t("mul", a[j], a[j])),
                 t("add", t("mul", ref[f"w{j}5"], d["5"]), t("mul", ref[f"w{j}6"], d["6"])))
    source = {"1": ref["x1"], "2": ref["x2"], "3": a["3"], "4": a["4"]}
    return {"tape": t.entries, "returned": {k: t("mul", source[k[1]], d[k[2]]) for k in W}}


@pytest.fixture(scope="module")
def honest():
    """The notebook's cases of `backward` and the records of a right backward pass (bw), counting run included."""
    return recorded(BACKWARD, bw())


def with_counted(answers, counted):
    return {**answers, "counted": counted}


def test_a_tape_written_by_hand_passes_in_its_own_count(honest):
    """A forged tape that passes is an honest computation: here backpropagation, in 8 + 18 multiplications."""
    cases, answers = honest
    assert judged(BACKWARD, cases, with_counted(answers, backprop_tape(cases[0]))) == (
        f"all eight gradients match on 5 random networks, in {BEST} multiplications (forward pass included; each "
        f"gradient on its own takes {NAIVE})")


def test_a_forged_tape_with_the_right_gradients_as_constants_fails(honest):
    """Inputs, 0 = x1 - x1, then each gradient as 0 + its value: right on the case, no multiplication at all."""
    cases, answers = honest
    t = Tape(cases[0])
    zero = t("sub", 0, 0)
    right = bw()(*cases[0])
    forged = {"tape": t.entries, "returned": {k: t("add", zero, float(right[k])) for k in W}}
    assert tanhnet.replay(forged["tape"], *cases[0])[1] == 0
    assert judged(BACKWARD, cases, with_counted(answers, forged)) == ONLY_THERE


def test_a_forged_tape_that_interpolates_the_case_fails(honest):
    """Gradient + (x1 - x1 of the case) · c: still one network's constants, whatever c."""
    cases, answers = honest
    t = Tape(cases[0])
    right = bw()(*cases[0])
    shift = t("sub", 0, float(cases[0][0][0]))  # 0 on the case only
    returned = {k: t("add", t("mul", shift, 3.0), float(right[k])) for k in W}
    assert judged(BACKWARD, cases, with_counted(answers, {"tape": t.entries, "returned": returned})) == ONLY_THERE


# ---- the three attacks of issue 23 (the red-team entries run them through the grader) -------------------

def each_on_its_own(f, w):
    """The eight gradients from the forward values f, each by its own chain-rule product (36 multiplications)."""
    g = {}
    for i in "12":
        for j in "34":
            g[f"w{i}{j}"] = f["x" + i] * (1 - f["a" + j] ** 2) * (w[f"w{j}5"] * (1 - f["a5"] ** 2)
                                                                 + w[f"w{j}6"] * (1 - f["a6"] ** 2))
    for i in "34":
        for j in "56":
            g[f"w{i}{j}"] = f["a" + i] * (1 - f["a" + j] ** 2)
    return g


def tally_written_back(x, w):
    f = tanhnet.forward(x, w)
    saved = x[0].tally[0] if hasattr(x[0], "tally") else None  # after the forward pass: 8
    g = each_on_its_own(f, w)
    if saved is not None:
        x[0].tally[0] = saved
    return g


def plain_floats(x, w):
    """The floats inside the counting numbers (v.value), or x and w themselves."""
    return (tuple(v.value for v in x), {k: v.value for k, v in w.items()}) if hasattr(x[0], "value") else (x, w)


def wrapped_back(x, w):
    px, pw = plain_floats(x, w)
    g = each_on_its_own(tanhnet.forward(px, pw), pw)
    return {k: type(x[0])(v, x[0].tally) for k, v in g.items()} if hasattr(x[0], "value") else g


def added_as_constants(x, w):
    px, pw = plain_floats(x, w)
    g = each_on_its_own(tanhnet.forward(px, pw), pw)
    return {k: x[0] - x[0] + v for k, v in g.items()} if hasattr(x[0], "value") else g


def wrapped_as_an_input(x, w):
    """Made by hand on the run's own tape, claiming to be entry 0 (x1), then added to 0: entry 0 is x1."""
    px, pw = plain_floats(x, w)
    g = each_on_its_own(tanhnet.forward(px, pw), pw)
    if not hasattr(x[0], "value"):
        return g
    return {k: type(x[0])(v, x[0].tally, x[0].tape, 0) + 0.0 for k, v in g.items()}


def used_by_hand(x, w):
    """Made by hand, then in a sum with a counting number of the run."""
    g = wrapped_back(x, w)
    return {k: v + 0.0 * x[0] for k, v in g.items()}


@pytest.mark.parametrize("answer,pattern", [
    (tally_written_back, whole(f"backward: the values are right, but they took {NAIVE} multiplications where "
                               f"backpropagation takes {BEST} (forward pass included): as many as computing each "
                               "gradient on its own. Compute each δ once and reuse it")),
    (wrapped_back, whole("backward's dy/dw13 is a counting number that no operation of the counting run made (one "
                         f"made by hand, e.g. from a plain float .value): {ALLOWED}")),
    (added_as_constants, whole(ONLY_THERE)),
    (wrapped_as_an_input, "^" + NOT_REPLAYED + r"entry 10 \(add\) records -?\d.* where the replay gives -?\d"),
    (used_by_hand, whole("backward works on floats but not on the counting numbers the check uses to see how the "
                         "answer is computed (it raised TypeError: a counting number made by hand (e.g. from a "
                         "plain float .value) or by another counting run cannot take part: compute with the "
                         f"numbers you are given): {ALLOWED}")),
])
def test_attacks_on_the_count_fail_with_their_message(answer, pattern):
    fails_with(tanhnet_checks.check_tanh_backward, answer, pattern)


def test_a_collect_that_reports_its_own_count_fails(honest):
    """The issue's third attack, verbatim: collect replaced by one whose record says 1 multiplication."""
    cases, answers = honest
    reported = {"values": answers["gradients"][0], "multiplications": 1}
    assert judged(BACKWARD, cases, with_counted(answers, reported)) == (
        NOT_REPLAYED + "the tape must be a list of entries; got NoneType")


@pytest.mark.parametrize("student", ["tanh-count-tally", "tanh-count-unwrapped", "tanh-count-collect"])
def test_red_team_entries_fail_in_this_kernel_too(student):
    """The red-team cells run here as in the grader's sandbox: the cell, then the registry's collect and judge."""
    import redteam

    entry, expected = redteam.RED_TEAM[student]
    registry = dict(checks.EXERCISES)
    try:
        backward = defined(entry[redteam.CHAIN_RULE]["answer-tanh-backward"].format(course="", port=0), "backward")
        exercise = checks.EXERCISES["check-tanh-backward"]
        cases = exercise.cases(31)
        message = judged(exercise, cases, exercise.collect(backward, cases))
    finally:
        checks.EXERCISES.clear()
        checks.EXERCISES.update(registry)
    assert expected["check-tanh-backward"][1] in message and not message.startswith("all eight")


# ---- honest solutions keep their verdicts ----------------------------------------------------------------

@pytest.mark.parametrize("grade_id,name,check,message", [
    ("answer-dy-dw24", "dy_dw24", tanhnet_checks.check_dy_dw24, "dy/dw24 = x2 (1 - a4²) [w45 (1 - a5²) + w46 (1 - a6²)] "
                                                    "matches on 5 random networks"),
    ("answer-dy-dw46", "dy_dw46", tanhnet_checks.check_dy_dw46, "dy/dw46 = a4 (1 - a6²) matches on 5 random networks"),
    ("answer-tanh-backward", "backward", tanhnet_checks.check_tanh_backward,
     f"all eight gradients match on 5 random networks, in {BEST} multiplications (forward pass included; each "
     f"gradient on its own takes {NAIVE})"),
])
def test_the_notebooks_solutions_pass(grade_id, name, check, message, capsys):
    check(defined(solution_cells()[grade_id], name))
    assert capsys.readouterr().out == f"✓ {message}\n"


@pytest.mark.parametrize("answer,count", [(separately, NAIVE), (partly_shared, BEST + 8)])
def test_redundant_work_is_still_counted(answer, count):
    fails_with(tanhnet_checks.check_tanh_backward, answer, f"they took {count} multiplications where backpropagation takes "
                                                   f"{BEST}")


@pytest.mark.parametrize("check,answer", [(tanhnet_checks.check_dy_dw24, dw24()), (tanhnet_checks.check_dy_dw46, dw46)])
def test_scalar_answers_made_of_constants_fail(check, answer):
    """dy_dw24 and dy_dw46 replay their tapes too: the answer as a constant added to 0 is not computed from x, w."""
    def constant(x, w):
        px, pw = plain_floats(x, w)
        return x[0] - x[0] + float(answer(px, pw)) if hasattr(x[0], "value") else answer(x, w)
    name = check.function
    fails_with(check, constant, whole(ONLY_THERE.replace("backward", name, 1)))


# ---- the replay's count ---------------------------------------------------------------------------------

@pytest.mark.parametrize("method,count", [("backward", BEST), ("closed form", NAIVE)])
def test_replayed_count_of_the_notebook_example_is_the_derived_one(method, count):
    """On tanhnet's EXAMPLE network: the notebook's backward (its solution cell) and each gradient on its own."""
    fn = defined(solution_cells()["answer-tanh-backward"], "backward") if method == "backward" else separately
    x, w, tally = tanhnet.instrumented(tanhnet.EXAMPLE_X, tanhnet.EXAMPLE_W)
    fn(x, w)
    values, replayed = tanhnet.replay(x[0].tape, tanhnet.EXAMPLE_X, tanhnet.EXAMPLE_W)
    assert replayed == count == tally[0]
    assert tanhnet.count_multiplications(method.replace(" ", "_")) + 4 * 2 == count


def test_the_judge_counts_the_replay_not_the_tally():
    def tally_zeroed(x, w):
        g = bw()(x, w)
        if hasattr(x[0], "tally"):
            x[0].tally[0] = 0
        return g
    cases, answers = recorded(BACKWARD, tally_zeroed)
    assert judged(BACKWARD, cases, answers).endswith(f"in {BEST} multiplications (forward pass included; each "
                                                     f"gradient on its own takes {NAIVE})")


def test_the_unseen_networks_are_drawn_afresh_for_every_judgement(honest, monkeypatch):
    cases, answers = honest
    seen = []
    replay = tanhnet.replay

    def spy(tape, x, w, check=True):
        if not check:
            seen.append((tuple(x), dict(w)))
        return replay(tape, x, w, check)
    monkeypatch.setattr(tanhnet, "replay", spy)
    for _ in range(2):
        assert judged(BACKWARD, cases, answers).startswith("all eight")
    assert len(seen) == 2 * tanhnet_checks.UNSEEN == 4
    assert all(seen[i] != seen[j] for i in range(4) for j in range(i))
    assert not any((x, w) == (tuple(cx), cw) for x, w in seen for cx, cw in cases)


# ---- tapes that do not replay -----------------------------------------------------------------------------

def edited(case, change):
    """backprop_tape(case) with change(entries, returned) applied."""
    counted = backprop_tape(case)
    change(counted["tape"], counted["returned"])
    return counted


@pytest.mark.parametrize("change,message", [
    (lambda t, r: t.__setitem__(12, ["mul", 0, 1]), "entry 12 is not [operation, operand, operand, value]"),
    (lambda t, r: t.__setitem__(12, None), "entry 12 is not [operation, operand, operand, value]"),
    (lambda t, r: t.__setitem__(3, ["input", "w99", None, t[3][3]]),
     "entry 3 must be the input w14: a tape opens with the inputs x1, x2, w13, w14, w23, w24, w35, w36, w45, w46"),
    (lambda t, r: t.__setitem__(3, ["input", "w14", 0, t[3][3]]), "entry 3 must be the input w14: a tape opens"),
    (lambda t, r: t.__setitem__(0, ["mul", "x1", None, t[0][3]]), "entry 0 must be the input x1: a tape opens"),
    (lambda t, r: t.__setitem__(10, ["exp", 0, None, 1.0]),
     "entry 10 has the operation 'exp', not one of add, sub, mul, div, pow, neg, tanh"),
    (lambda t, r: t.__setitem__(10, ["input", "x1", None, t[0][3]]), "entry 10 has the operation 'input', not one"),
    (lambda t, r: t.__setitem__(10, ["mul", 0, 11, 0.0]), "entry 10 refers to entry 11, which is not an earlier entry"),
    (lambda t, r: t.__setitem__(10, ["mul", 10, 0, 0.0]), "entry 10 refers to entry 10, which is not an earlier entry"),
    (lambda t, r: t.__setitem__(10, ["mul", -1, 0, 0.0]), "entry 10 refers to entry -1, which is not an earlier entry"),
    (lambda t, r: t.__setitem__(10, ["tanh", 0.5, None, 0.0]),
     "entry 10 has the operand 0.5 where an earlier entry (an int) belongs"),
    (lambda t, r: t.__setitem__(10, ["pow", 2.0, 2, 4.0]),
     "entry 10 has the operand 2.0 where an earlier entry (an int) belongs"),
    (lambda t, r: t.__setitem__(10, ["add", 1.0, 2.0, 3.0]),
     "entry 10 has the operand 2.0 where an earlier entry (an int) belongs"),
    (lambda t, r: t.__setitem__(10, ["mul", 0, math.inf, 0.0]),
     "entry 10 has the operand inf where an earlier entry (an int) or a finite constant (a float) belongs"),
    (lambda t, r: t.__setitem__(10, ["mul", 0, True, 0.0]),
     "entry 10 has the operand True where an earlier entry (an int) or a finite constant (a float) belongs"),
    (lambda t, r: t.__setitem__(10, ["mul", 0, "w13", 0.0]),
     "entry 10 has the operand 'w13' where an earlier entry (an int) or a finite constant (a float) belongs"),
    (lambda t, r: t.__setitem__(10, ["pow", 0, 0, 1.0]),
     "entry 10 raises to the power 0: the counting numbers take whole powers k >= 1"),
    (lambda t, r: t.__setitem__(10, ["pow", 0, 2.0, 1.0]),
     "entry 10 raises to the power 2.0: the counting numbers take whole powers k >= 1"),
    (lambda t, r: t.__setitem__(10, ["neg", 0, 1, 0.0]), "entry 10 (neg) has a second operand 1"),
    (lambda t, r: t.__setitem__(10, ["tanh", 0, 0.5, 0.0]), "entry 10 (tanh) has a second operand 0.5"),
    (lambda t, r: t.__setitem__(slice(10, 10), [["sub", 0, 0, 0.0], ["div", 0, 10, 0.0]]),
     "entry 11 (div) cannot be computed: float division by zero"),
    (lambda t, r: t.__setitem__(10, t[10][:3] + ["0.5"]), "entry 10 (mul) records '0.5' where the replay gives "),
])
def test_malformed_tapes_are_named(honest, change, message):
    cases, answers = honest
    got = judged(BACKWARD, cases, with_counted(answers, edited(cases[0], change)))
    assert got.startswith(NOT_REPLAYED + message), got


def test_a_changed_recorded_value_is_named_with_both_values(honest):
    cases, answers = honest
    counted = backprop_tape(cases[0])
    value = counted["tape"][10][3]
    counted["tape"][10][3] = value * 2
    assert judged(BACKWARD, cases, with_counted(answers, counted)) == (
        NOT_REPLAYED + f"entry 10 (mul) records {value * 2!r} where the replay gives {value!r}")
    counted["tape"][0][3] += 1.0  # an input the case does not have
    assert judged(BACKWARD, cases, with_counted(answers, counted)).startswith(NOT_REPLAYED + "entry 0 (input) records")


@pytest.mark.parametrize("off,passes", [(0.5e-9, True), (2e-9, False)])
def test_recorded_values_are_compared_within_replay_tol(honest, off, passes):
    """REPLAY_TOL = 1e-9 of max(1, |value|): room for tanh's last bits in another process, no more."""
    cases, answers = honest
    counted = backprop_tape(cases[0])
    entry = counted["returned"]["w13"]
    counted["tape"][entry][3] += off * max(1.0, abs(counted["tape"][entry][3]))
    assert judged(BACKWARD, cases, with_counted(answers, counted)).startswith("all eight") == passes


@pytest.mark.parametrize("returned,message", [
    ("n", NOT_REPLAYED + "backward's dy/dw13 is entry {n}, not one of the tape's {n} entries"),
    (-1, NOT_REPLAYED + "backward's dy/dw13 is entry -1, not one of the tape's {n} entries"),
    ("foreign", "backward's dy/dw13 is a counting number that no operation of the counting run made (one made by "
                f"hand, e.g. from a plain float .value): {ALLOWED}"),
    ("plain", f"backward's dy/dw13 was not computed from the x and w it was given: {ALLOWED}"),
    (0.25, f"backward's dy/dw13 was not computed from the x and w it was given: {ALLOWED}"),
    (None, f"backward's dy/dw13 was not computed from the x and w it was given: {ALLOWED}"),
    (0, f"backward's dy/dw13 changes when the same x and w come as counting numbers: {ALLOWED}"),
])
def test_returned_entries_are_checked(honest, returned, message):
    cases, answers = honest
    counted = backprop_tape(cases[0])
    n = len(counted["tape"])
    counted["returned"]["w13"] = n if returned == "n" else returned
    assert judged(BACKWARD, cases, with_counted(answers, counted)) == message.format(n=n)


@pytest.mark.parametrize("returned", [0, 0.5, "foreign", None])
def test_returned_results_of_backward_must_be_a_dict(honest, returned):
    cases, answers = honest
    counted = {**backprop_tape(cases[0]), "returned": returned}
    assert judged(BACKWARD, cases, with_counted(answers, counted)) == (
        f"backward's dy/dw13 was not computed from the x and w it was given: {ALLOWED}")


def test_a_tape_off_by_1e_7_on_other_networks_fails(honest):
    """Right on the case; elsewhere off by 1e-7 (x1 - its value on the case): beyond TOL = 1e-8."""
    cases, answers = honest
    counted = backprop_tape(cases[0])
    t = Tape(cases[0])
    t.entries = counted["tape"]
    tilt = t("mul", t("sub", 0, float(cases[0][0][0])), 1e-7)
    counted["returned"] = {k: t("add", ref, tilt) for k, ref in counted["returned"].items()}
    assert judged(BACKWARD, cases, with_counted(answers, counted)) == ONLY_THERE


def test_a_tape_that_cannot_be_computed_on_other_networks_fails(honest):
    """(x1 - its value on the case) · 1e300, squared: 0 on the case, an overflow elsewhere."""
    cases, answers = honest
    counted = backprop_tape(cases[0])
    t = Tape(cases[0])
    t.entries = counted["tape"]
    zero = t("pow", t("mul", t("sub", 0, float(cases[0][0][0])), 1e300), 2)
    counted["returned"] = {k: t("add", ref, zero) for k, ref in counted["returned"].items()}
    with pytest.raises(tanhnet.TapeError, match="cannot be computed"):
        tanhnet.replay(counted["tape"], (cases[0][0][0] + 1.0, 0.0), cases[0][1], check=False)
    assert judged(BACKWARD, cases, with_counted(answers, counted)) == ONLY_THERE


# ---- the size bound ---------------------------------------------------------------------------------------

TOO_LONG = ("backward took more than 10000 operations on the counting numbers, more than the check records: compute "
            "the answer in fewer steps")


def test_the_bound_leaves_room_for_any_honest_backward():
    """The notebook's backward records 10 inputs, 17 forward entries (y too) and 24 backward ones; the bound is
    about 200 times that."""
    x, w, _ = tanhnet.instrumented(tanhnet.EXAMPLE_X, tanhnet.EXAMPLE_W)
    defined(solution_cells()["answer-tanh-backward"], "backward")(x, w)
    assert len(x[0].tape) == 10 + 17 + 24
    assert tanhnet.MAX_TAPE >= 100 * len(x[0].tape)


@pytest.mark.parametrize("entries,passes", [(10000, True), (10001, False)])
def test_a_tape_over_the_bound_is_refused(honest, entries, passes):
    """Backpropagation's tape padded with sums (x1 + 0, no multiplication) to `entries` entries."""
    cases, answers = honest
    counted = backprop_tape(cases[0])
    x1 = counted["tape"][0][3]
    counted["tape"] += [["add", 0, 0.0, x1 + 0.0]] * (entries - len(counted["tape"]))
    assert len(counted["tape"]) == entries
    message = judged(BACKWARD, cases, with_counted(answers, counted))
    assert message == (f"all eight gradients match on 5 random networks, in {BEST} multiplications (forward pass "
                       f"included; each gradient on its own takes {NAIVE})" if passes else TOO_LONG)
    if not passes:
        with pytest.raises(tanhnet.TapeError, match=whole("it holds 10001 entries, more than the 10000 a counting run "
                                                          "may record")):
            tanhnet.replay(counted["tape"], *cases[0])


def test_a_long_computation_stops_recording_at_the_bound():
    """The counting numbers keep computing and counting, but record one entry past the bound, no more."""
    def long(x, w):
        s = x[0]
        for _ in range(12000):
            s = s + 0.0
        return bw()(x, w)
    fails_with(tanhnet_checks.check_tanh_backward, long, whole(TOO_LONG))
    x, w, tally = tanhnet.instrumented(tanhnet.EXAMPLE_X, tanhnet.EXAMPLE_W)
    long(x, w)
    assert len(x[0].tape) == 10001 and tally[0] == BEST
