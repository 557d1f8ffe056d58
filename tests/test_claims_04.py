"""Every sentence of notebook 04 about a computed result, recomputed through utils: each test fails when its
claim stops being true. Where the notebook prints a rounded value, the test also checks that round-off
(other BLAS kernels, another CPU) cannot move it across a rounding boundary."""
import re
from pathlib import Path

import matplotlib
import nbformat
import numpy as np
import pytest

import utils
from utils import checks, diagrams, gradcheck, mlp, sharpness

matplotlib.use("Agg")
NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "04-backprop-vs-autograd.ipynb"
X, T = utils.getdata()
W, B = utils.getparams()
ETAS, STEPS, EVERY, ITERS = (0.05, 0.02), 500, 10, 3


def far_from_rounding(value, decimals, margin):
    """True if `value` is more than `margin` away from every boundary where rounding to `decimals` changes."""
    scaled = value * 10 ** decimals
    return abs(scaled - np.floor(scaled) - 0.5) * 10 ** -decimals > margin


@pytest.fixture(scope="module")
def notebook_text():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    return "\n".join(c.source for c in nb.cells), nb


@pytest.fixture(scope="module")
def runs():
    return {eta: sharpness.train(X, T, W, B, eta=eta, steps=STEPS, every=EVERY, iters=ITERS) for eta in ETAS}


def test_the_notebook_trains_with_the_settings_tested_here(notebook_text):
    source, _ = notebook_text
    assert "sharpness.train(X, T, W, B, eta=eta, steps=500, every=10, iters=3) for eta in (0.05, 0.02)" in source
    assert "factor=1.3" in source


# ---------------------------------------------------------------- sections 2-5: data and agreement

def test_printed_error_and_activity_cannot_be_moved_by_round_off():
    """'error E = 1.822775' (6 decimals) and the counts of active ReLU outputs are stable."""
    Y, Z, _ = mlp.forward(X, W, B)
    E = mlp.mse(Y, T)
    assert f"{E:.6f}" == "1.822775" and far_from_rounding(E, 6, 1e-12)
    for z in Z[:3]:  # the counts of active units hold on every kernel: no pre-activation is near 0
        assert np.min(np.abs(z)) > 1e-9
    assert [int((z > 0).sum()) for z in Z[:3]] == [323, 264, 291]  # printed with their shares of 600


def test_printed_value_is_0_3677_and_its_10_decimals_hold_for_numpy_and_autograd():
    """'the number printed below in Exercise 1 is 0.3677…'; 10 decimals are printed because the last digits
    differ between computations: the 10th cannot."""
    DW, _ = mlp.backward(X, T, W, B)
    AW, _ = mlp.autograd_gradients(X, T, W, B, "float64")
    values = [np.linalg.norm(DW[0][0, 0]), np.linalg.norm(AW[0][0, 0])]
    assert all(f"{v:.10f}".startswith("0.3677") for v in values)
    assert len({f"{v:.10f}" for v in values}) == 1
    assert all(far_from_rounding(v, 10, 1e-13) for v in values)


def test_dead_unit_gets_exactly_zero_gradient_by_every_method():
    """'a dead unit's incoming weights get exactly zero gradient, by any method'; 'exactly zero columns of DW[1]: 1'."""
    _, Z, _ = mlp.forward(X, W, B)
    dead = np.flatnonzero((Z[1] > 0).sum(axis=0) == 0)
    assert dead.size == 1
    for dtype in ("float64", "float32"):
        assert np.all(mlp.autograd_gradients(X, T, W, B, dtype)[0][1][:, dead] == 0)
    DW, _ = mlp.backward(X, T, W, B)
    assert int((np.abs(DW[1]).sum(axis=0) == 0).sum()) == 1


def test_agreement_table_holds_with_room_to_spare():
    """Every array below its column's tolerance (1e-12, 1e-4, 1e-4) by a factor of 10; the finite-difference
    errors reach 1e-7..1e-5 ('agree within finite-difference noise'), and a real bug gives 1e-2 or more."""
    DW, DB = mlp.backward(X, T, W, B)
    A64 = sum(mlp.autograd_gradients(X, T, W, B, "float64"), [])
    A32 = sum(mlp.autograd_gradients(X, T, W, B, "float32"), [])
    numeric = gradcheck.numerical_gradient(lambda p: mlp.mse(mlp.forward(X, p[:4], p[4:])[0], T), W + B)
    ours = DW + DB
    assert max(gradcheck.relative_error(a, b) for a, b in zip(ours, A64)) < 1e-13
    assert max(gradcheck.relative_error(a, b) for a, b in zip(ours, A32)) < 1e-5
    worst_fd = max(gradcheck.relative_error(a, b) for a, b in zip(ours, numeric))
    assert 3e-7 < worst_fd < 3e-5
    assert gradcheck.verdict(worst_fd) == "agree (finite-difference noise)"
    no_mask = [w * 0 for w in W]  # a real bug: the backward pass of a network without ReLU masks
    _, Zs, As = mlp.forward(X, W, B)
    delta = 2 * (Zs[-1] - T) / len(X)
    for l in reversed(range(4)):
        no_mask[l] = As[l].T @ delta
        delta = delta @ W[l].T
    assert max(gradcheck.relative_error(a, b) for a, b in zip(no_mask, numeric[:4])) >= 1e-2


def test_float32_rounding_once_is_within_half_an_ulp_but_the_course_value_is_not_that():
    """'rounding one float64 number to float32 changes it by at most 2^-24 of its value'; the course's
    1.5422821523392451 rounds to float32 as 1.5422821, not the 1.5422822 float32 PyTorch printed."""
    x = np.random.default_rng(0).uniform(-1e3, 1e3, 100_000)
    assert np.max(np.abs(x.astype(np.float32) - x) / np.abs(x)) <= 2.0 ** -24
    assert str(np.float32(1.5422821523392451)) == "1.5422821" != "1.5422822"


def test_the_last_sum_in_float32_lands_two_ulps_from_the_float64_result_rounded_once():
    """'float64 result rounded once to float32: 0.36770484'; 'the same sum computed in float32: 0.36770478
    (2 ulps away)'; float32 autograd within 1e-5 of the float64 value. IEEE float32 arithmetic, so the same
    on every machine; the float64 value is far from a float32 rounding boundary."""
    exact = abs(mlp.backward(X, T, W, B)[0][0][0, 0])
    rounded = np.float32(exact)
    ulp = np.spacing(rounded)
    assert abs(abs(float(rounded) - exact) - ulp / 2) > 1e-3 * ulp  # not a tie: every kernel rounds alike
    delta1 = mlp.deltas(X, T, W, B)[0]
    acc = np.float32(0)
    for x_n, d_n in zip(X[:, 0].astype(np.float32), delta1[:, 0].astype(np.float32)):
        acc = acc + x_n * d_n
    assert str(rounded) == "0.36770484" and str(abs(acc)) == "0.36770478"
    assert round(abs(abs(acc) - rounded) / ulp) == 2
    A32 = mlp.autograd_gradients(X, T, W, B, "float32")[0][0][0, 0]
    assert abs(abs(A32) - exact) / exact < 1e-6  # the printed bound is 1e-5


def test_sequential_gradient_is_dw0_transposed():
    """'relative difference between net[0].weight.grad and DW[0].T below 1e-12: yes' (the reference net of
    the check tests, built from nn.Linear)."""
    import torch

    from test_checks_04 import sequential

    net = sequential(W, B)
    ((net(torch.tensor(X)) - torch.tensor(T)) ** 2).mean().backward()
    g = net[0].weight.grad.numpy()
    assert g.shape == (6, 4)
    assert gradcheck.relative_error(g, mlp.backward(X, T, W, B)[0][0].T) < 1e-13


# ---------------------------------------------------------------- section 8: common mistakes

def earlier_output_layer(X, T, W, B):
    Y, Z, A = mlp.forward(X, W, B)
    delta_4 = 2 * (Y - T)
    return delta_4 * A[3].T, delta_4


def test_the_earlier_solution_is_right_for_one_sample_and_fails_for_a_batch():
    """'N = 1: dw_3 has shape (6, 1) and ... below 1e-12: yes'; 'N = 100: ValueError - operands could not be
    broadcast together with shapes (100,1) (6,100)'."""
    dw3, db3 = earlier_output_layer(X[:1], T[:1], W, B)
    ref_W, ref_B = mlp.backward(X[:1], T[:1], W, B)
    assert dw3.shape == (6, 1) and gradcheck.relative_error(dw3, ref_W[3]) < 1e-13
    assert gradcheck.relative_error(db3.reshape(-1), ref_B[3]) < 1e-13
    with pytest.raises(ValueError, match=r"could not be broadcast together with shapes \(100,1\) \(6,100\)"):
        earlier_output_layer(X, T, W, B)


def test_relu_masks_at_a_and_at_z_are_the_same():
    """'For ReLU, A = max(0, Z) > 0 exactly where Z > 0, so ... A > 0 gives the same numbers.'"""
    _, Z, A = mlp.forward(X, W, B)
    for l in range(3):
        np.testing.assert_array_equal(A[l + 1] > 0, Z[l] > 0)


def test_feedback_printed_in_section_8():
    def backward_without_mean(X, T, W, B):
        DW, DB = mlp.backward(X, T, W, B)
        return [d * len(X) for d in DW], [d * len(X) for d in DB]

    def backward_without_mask_in_layer_2(X, T, W, B):
        Y, Z, A = mlp.forward(X, W, B)
        delta, DW, DB = 2 * (Y - T) / len(X), [None] * 4, [None] * 4
        for l in reversed(range(4)):
            DW[l], DB[l] = A[l].T @ delta, delta.sum(axis=0)
            if l > 0:
                delta = delta @ W[l].T * (1 if l == 2 else Z[l - 1] > 0)
        return DW, DB

    with pytest.raises(checks.CheckFailed, match=r"DW\[3\] is N times too large: the 1/N of the mean is missing"):
        checks.check_backward(backward_without_mean)
    with pytest.raises(checks.CheckFailed, match=r"^layer 2 \(W\[1\], B\[1\]\) is the first layer, counted from "
                                                 r"the output.*ReLU mask is missing.*\(Z2 > 0\)"):
        checks.check_backward(backward_without_mask_in_layer_2)


# ---------------------------------------------------------------- section 9: training and the edge of stability

def test_loss_values_spikes_and_rising_steps_as_printed(runs):
    """'η = 0.05: E 1.823 -> 0.031 ...; rose on 139 of 499 steps; spikes start at steps [187, 235, 288, 344]';
    'η = 0.02: E 1.823 -> 0.056; rose on 0 of 499 steps; spikes []'; the smaller step ends higher."""
    fast, slow = runs[0.05]["losses"], runs[0.02]["losses"]
    assert (f"{fast[0]:.3f}", f"{fast[-1]:.3f}", f"{slow[-1]:.3f}") == ("1.823", "0.031", "0.056")
    assert all(far_from_rounding(v, 3, 1e-8) for v in (fast[0], fast[-1], slow[-1]))
    assert sharpness.rising_steps(fast) == 139 and sharpness.rising_steps(slow) == 0
    assert sharpness.spikes(fast, 1.3) == [187, 235, 288, 344] and sharpness.spikes(slow, 1.3) == []
    assert slow[-1] > fast[-1]


def test_spike_and_rise_counts_cannot_be_moved_by_round_off(runs):
    """The counts hold on every kernel: no step changes the loss by less than 1e-9 of its value (round-off
    in float64 is ~1e-15), and the spike threshold is not met within 1e-6 of 1.3 at any step."""
    for run in runs.values():
        L = run["losses"]
        assert np.min(np.abs(np.diff(L)) / L[1:]) > 1e-9
        assert sharpness.spikes(L, 1.3 * (1 - 1e-6)) == sharpness.spikes(L, 1.3 * (1 + 1e-6))


def test_sharpness_along_training_as_printed_and_described(runs):
    """'sharpness at steps 0: 47, 40: 16, 100: 27, 150: 39, 160: 41, 190: 47, 200: 37'; it starts above 2/η,
    falls to about 16, climbs, crosses 2/η between steps 150 and 160, before the first spike; 37 after it."""
    run, limit = runs[0.05], 2 / 0.05
    lam = dict(zip(run["sharp_steps"].tolist(), run["sharpness"]))
    printed = {0: 47, 40: 16, 100: 27, 150: 39, 160: 41, 190: 47, 200: 37}
    for step, value in printed.items():
        assert round(lam[step]) == value and far_from_rounding(lam[step], 0, 0.02), (step, lam[step])
    assert lam[0] > limit
    assert min(lam[s] for s in range(0, 60, 10)) == pytest.approx(16, abs=0.5)
    assert all(lam[s] < limit for s in range(10, 160, 10)) and lam[160] > limit
    assert 160 < sharpness.spikes(run["losses"], 1.3)[0]
    assert lam[200] < limit


def test_loss_resumes_its_fall_after_each_spike_and_keeps_falling(runs):
    L = runs[0.05]["losses"]
    for start in sharpness.spikes(L, 1.3):
        peak = start + int(np.argmax(L[start:start + 30]))
        assert L[peak + 20] < L[peak] / 1.3
    assert L[-1] < np.min(L[:250])


def test_sharpness_hovers_within_10_percent_of_2_over_eta_from_step_250(runs):
    """'from step 250 on, all 25 measurements lie within 10% of 2/η = 40: yes'."""
    run = runs[0.05]
    late = run["sharp_steps"] >= 250
    assert late.sum() == 25
    assert np.max(np.abs(run["sharpness"][late] - 40) / 40) < 0.09  # room for round-off below the printed 10%


def test_the_smaller_step_stays_far_below_its_limit(runs):
    """'η = 0.02, largest sharpness measured: below 52, far under 2/η = 100'; 'The sharpness also grows'."""
    lam = runs[0.02]["sharpness"]
    assert np.ceil(lam.max()) == 52 and lam.max() < 51.9
    assert lam[-1] > 2 * lam.min()


def test_measured_sharpness_is_the_exact_top_eigenvalue():
    """The first measurement (12 power iterations) is the Hessian's largest eigenvalue."""
    top = np.linalg.eigvalsh(sharpness.hessian(X, T, W, B))[-1]
    assert sharpness.sharpness(X, T, W, B, iters=4 * ITERS)[0] == pytest.approx(top, rel=1e-8)


# ---------------------------------------------------------------- the notebook as a whole

def test_network_diagram_labels_do_not_overlap_and_name_the_units():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(10, 5.5))  # the notebook's size
    drawn = mlp.draw(ax, (4, 6, 6, 6, 1))
    try:
        assert diagrams.label_overlaps(ax, drawn) == []
        names = {t.get_text() for t in drawn["node_texts"].values()}
        assert names == {"x1", "x2", "x3", "x4", "y"} | {f"h{l}_{j}" for l in (1, 2, 3) for j in range(1, 7)}
        captions = " ".join(t.get_text() for t in ax.texts)
        for shape in ("(N, 4)", "(N, 6)", "(N, 1)"):
            assert shape in captions
    finally:
        plt.close(fig)


def test_stored_outputs_print_decisions_not_booleans_and_no_benchmark_file(notebook_text):
    source, nb = notebook_text
    outputs = "\n".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))
    assert not re.search(r"\b(True|False)\b", outputs)
    assert "results.json" not in source and "__file__" not in source
    assert not re.search(r"\d\.\de-\d\d", outputs)  # no leading digit of round-off noise


def test_the_notebook_opens_with_prerequisites_goals_time_and_exercises(notebook_text):
    _, nb = notebook_text
    first = nb.cells[0].source
    for word in ("Prerequisites", "Learning goals", "Estimated time", "| exercise |"):
        assert word in first
    points = {c.metadata["nbgrader"]["grade_id"]: c.metadata["nbgrader"]["points"] for c in nb.cells
              if c.metadata.get("nbgrader", {}).get("grade")}
    for gid, p in points.items():  # the table's points are the grade cells' points
        assert str(p) in first, gid
    assert sum(points.values()) == 20 + 10 + 5 + 10 + 2 + 2 + 3
