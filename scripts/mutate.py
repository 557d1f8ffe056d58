"""`make mutate`: mutation testing of utils/ with the unit tests (mutmut 3), then the score.

Runs `mutmut run` afresh (mutants/ is rebuilt) on the functions matched by the globs below (or those given on
the command line, e.g. `python scripts/mutate.py 'utils.threshold.*'`), at low priority on at most 2 workers;
`--resume` finishes an interrupted run instead (the mutants it did not reach, and its survivors).
mutmut runs each mutant only against the tests that called its function during a first, recorded run.
Prints the score, killed / (mutants - excluded - equivalent), and every surviving mutant's diff.
Timeouts count as killed: the mutant made the tests run forever (or made hypothesis shrink a failure),
so the suite does not pass.
"""
import argparse
import ast
import difflib
import fnmatch
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MUTMUT = [str(Path(sys.executable).parent / "mutmut")]

# All of utils/ but its drawing code; one part can be run by naming it: `python scripts/mutate.py 'utils.threshold.*'`.
# Drawing code is left out: diagrams.draw_network, diagrams._circle, mlp.draw, the notebooks' figure and widget-view
# code named below (their mutants change colours, line widths, font sizes, z-orders and where plot elements go:
# pixels that no unit test reads; the data they draw comes from functions that stay in scope, and the notebooks'
# diagram tests check that labels do not overlap, not how they look), and all of style.py (pyproject's do_not_mutate).
# The notebooks' *_figure functions are drawing too (figure sizes, colours, artists) with their description's text
# written beside it; the functions that compute a description from data alone are logic and in scope
# (threshold.describe_network, _region_words, tanhnet.saturation_description, conditioning.describe_state, ...).
DEFAULT = ["utils._validate.*", "utils.gradcheck.*", "utils.data.*", "utils.__main__.*",
           # mlp without draw() and network_figure(), notebook 04's network diagram (drawing, as above)
           *(f"utils.mlp.x_{f}__mutmut_*" for f in ("validate", "validate_network", "forward", "forward_unchecked", "mse",
                                                    "backward", "backward_unchecked", "deltas", "deltas_unchecked",
                                                    "error_torch", "autograd_gradients", "random_network", "_sizes",
                                                    "stored_floats", "minibatch_spread", "layers", "layer_backward")),
           "utils.mlp.xǁLinearǁ*", "utils.mlp.xǁReLUǁ*",
           *(f"utils.diagrams.x_{f}__mutmut_*" for f in ("layout", "mlp_layers", "weight_labels", "nonzero_edges",
                                                         "label_overlaps")),
           # Notebooks 01-04's modules threshold, tanhnet, conditioning, sharpness, without their drawing (as
           # above): threshold without HalfplaneView, draw_threshold_network, plot_region, _draw_regions, *_figure
           *(f"utils.threshold.x_{f}__mutmut_*" for f in ("step", "forward", "predict", "gate", "xor_network",
                                                          "single_units_computing", "binary_inputs", "square_network",
                                                          "open_square", "_convex_polygon", "halfplane_layer",
                                                          "polygon_network", "union_network", "train_smooth", "grid",
                                                          "halfplane", "_halfplane_description", "describe_network",
                                                          "_outline_side", "_region_words", "_regions_intro",
                                                          "square_disagreement")),
           # tanhnet without draw and SaturationView (notebook 02's graph and widget figure)
           "utils.tanhnet.xǁ_Countedǁ*",
           *(f"utils.tanhnet.x_{f}__mutmut_*" for f in ("_check_keys", "validate", "_forward", "forward", "_backward",
                                                        "backward", "_closed_form", "closed_form", "_is_instrumented",
                                                        "_multiplications", "instrumented", "value_of", "tape_ref",
                                                        "_replay_operand", "replay", "count_multiplications",
                                                        "_layered_forward", "_layered_backprop", "_layered_naive",
                                                        "layered_weights", "layered_gradients", "layered_counts",
                                                        "numerical_gradients", "autograd_gradients", "batch_gradients",
                                                        "random_networks", "random_weights", "scaled", "graph_labels",
                                                        "saturation_state", "curve_panel", "_fmt", "w13_curve",
                                                        "saturation_description")),
           # conditioning without draw_state, update_drawing and ConditioningView (notebook 03's widget figure)
           *(f"utils.conditioning.x_{f}__mutmut_*" for f in (
               "_mu_sigma", "hessian", "eigenvalues", "condition_number", "sample_inputs", "empirical_hessian",
               "_eigenvalue_range", "step_size", "predicted_rate", "predicted_steps", "gradient_descent", "heavy_ball",
               "momentum_parameters", "predicted_momentum_rate", "momentum_error_bounds", "predicted_momentum_steps",
               "eigendirection_errors", "measured_rate", "widget_state", "centered_kappa", "centered_kappas",
               "transform_inputs", "bias_hessian", "least_squares", "general_hessian", "matrix_condition_number",
               "_square_matrix", "_path_phrase", "describe_state")),
           # sharpness without training_figure (notebook 04's figure, as the *_figure functions above)
           *(f"utils.sharpness.x_{f}__mutmut_*" for f in ("_one_thread", "_flat_size", "_hvp_function", "sharpness",
                                                          "hessian", "train", "rising_steps", "spikes")),
           # the exercise checks (utils/checks: every module, a new notebook's included); no drawing code in them
           "utils.checks.*"]

# Mutants that cannot change any observable behaviour, with the reason. Keys are mutmut's names, which stay the
# same while the function's source does; a changed function renumbers its mutants, so check this list then.
EQUIVALENT = {
    "utils.data.x_generate__mutmut_22": "X[:, 3:5] of a 4-column X is X[:, 3:4]",
    "utils.data.x_npz_bytes__mutmut_7": "compression dropped: ZIP_STORED is zipfile's default",
    "utils.data.x_npz_bytes__mutmut_14": "allow_pickle=None: numpy tests `not allow_pickle`, as for False",
    "utils.data.x_npz_bytes__mutmut_24": "date_time dropped: ZipInfo's default is (1980, 1, 1, 0, 0, 0)",
    "utils.data.x_npz_bytes__mutmut_33": "date_time second 1: zip stores seconds in 2-second units, 1 s as 0",
    "utils.data.x_load_arrays__mutmut_26": "np.load(allow_pickle=None): numpy tests `not allow_pickle`",
    "utils.data.x_load_arrays__mutmut_28": "allow_pickle dropped: False is np.load's default",
    "utils.diagrams.x_label_overlaps__mutmut_2": "renderer None: get_window_extent(None) takes the figure's "
                                                "renderer, the one canvas.get_renderer() returns after the draw",
    "utils.diagrams.x_label_overlaps__mutmut_7": "get_window_extent(None): the figure's renderer, as above",
    "utils.diagrams.x_label_overlaps__mutmut_20": "get_window_extent(None): the figure's renderer, as above",
    # threshold, tanhnet, conditioning, sharpness (notebooks 01-04)
    "utils.threshold.x_step__mutmut_1": "astype(None) is astype(float64): numpy's default dtype",
    "utils.threshold.x_open_square__mutmut_11": "astype(None) is astype(float64), as above",
    "utils.threshold.x_binary_inputs__mutmut_31": "astype(None) is astype(float64), as above",
    "utils.threshold.x_halfplane_layer__mutmut_31": "einsum subscripts in capitals name the same axes",
    "utils.threshold.x_single_units_computing__mutmut_37": "meshgrid indexing 'xy' for 'ij': the same k**3 "
                                                           "(w1, w2, b) combinations, in another order",
    "utils.threshold.x_single_units_computing__mutmut_64": "table >= 0.5 for > 0.5: the table holds only 0 and 1",
    **{f"utils.threshold.x_halfplane__mutmut_{n}": "w1 or w2 None in the w = 0 branch: its 'No line' text reads "
       "neither" for n in (75, 76)},
    "utils.threshold.x_halfplane__mutmut_130": "far-line shortcut with `and`: a finite foot beyond 1e6 lim misses "
                                               "the box, so the clipping finds no chord either; a non-finite one "
                                               "gives t_lo > t_hi (same output on 24 000 inputs)",
    "utils.threshold.x_halfplane__mutmut_135": "shortcut at >= 1e6 lim: a line that far misses the box anyway",
    "utils.threshold.x_halfplane__mutmut_137": "shortcut at 1000001 lim for 1e6 lim: both lines miss the box",
    "utils.threshold.x_halfplane__mutmut_171": "t_lo = 2 for 1 on a missed side: any t_lo > t_hi empties the chord",
    **{f"utils.tanhnet.x_layered_gradients__mutmut_{n}": "the other method: backprop and naive compute the same "
       "gradients (tests compare them to 1e-12); only their work differs, which layered_counts measures"
       for n in (51, 52, 53, 54, 55)},
    "utils.tanhnet.x_layered_gradients__mutmut_57": "np.array(list of floats, dtype=None) is float64",
    "utils.tanhnet.x_layered_gradients__mutmut_59": "dtype dropped: a list of floats is float64, as above",
    "utils.conditioning.x_least_squares__mutmut_26": "rcond=None dropped: None is numpy 2's default",
    "utils.tanhnet.xǁ_Countedǁ_record__mutmut_10": "ref '' for None past the tape's bound: tape_ref calls a number "
                                                    "without an int ref foreign either way, and nothing more is recorded",
    "utils.sharpness.x_spikes__mutmut_44": "a spike at step 0 is impossible (above[0] is False), so what precedes "
                                           "it does not matter",
    "utils.threshold.x__convex_polygon__mutmut_22": "edges from roll(V, +1): every edge reversed and shifted by one, "
                                                    "so the same lengths, turns (shifted) and winding",
    "utils.threshold.x__convex_polygon__mutmut_89": "turns >= 0: no turn is 0 here (the collinear check raised)",
    "utils.threshold.x__convex_polygon__mutmut_92": "turns <= 0: no turn is 0 here, as above",
    "utils.threshold.x__convex_polygon__mutmut_115": "angles rolled the other way: the winding changes sign, "
                                                     "and only its absolute value is used",
    "utils.threshold.x__convex_polygon__mutmut_122": "the winding is a multiple of 2 pi up to round-off: "
                                                     ">= or > 1e-6 from 2 pi are the same test",
    "utils.threshold.x__convex_polygon__mutmut_123": "1.000001 for 1e-6: a winding of 4 pi or more is still "
                                                     "2 pi away from 2 pi",
    "utils.threshold.x__convex_polygon__mutmut_129": "turns[1] for turns[0]: all turns have one sign here",
    "utils.threshold.x__convex_polygon__mutmut_130": "turns[0] >= 0: no turn is 0 here",
    # notebook modules, survivors of the run at 605ed95 (conditioning, tanhnet, sharpness, threshold; branch m1)
    **{f"utils.conditioning.x_widget_state__mutmut_{n}": "lam[+1] for lam[-1]: H is 2 x 2, so lam has two entries"
       for n in (97, 104, 189, 191, 204, 212, 220)},
    **{f"utils.conditioning.x_{f}__mutmut_{n}": "lam[+1] for lam[-1]: widget_state's lam has two entries, as above"
       for f, n in (("_path_phrase", 11), ("describe_state", 13), ("describe_state", 30))},
    "utils.conditioning.x__path_phrase__mutmut_33": "|steep| <= 1e-9 for < 1e-9: steep = 1 - fl(step lam) is exact "
                                                    "near 0 (Sterbenz), a multiple of 2^-53, and 1e-9 is none",
    "utils.conditioning.x__path_phrase__mutmut_38": "steep <= 0 for < 0: steep = 0 took the branch before (|steep| "
                                                    "< 1e-9)",
    "utils.conditioning.x_describe_state__mutmut_53": "'PLAIN GRADIENT DESCENT': the text shows method.capitalize(), "
                                                      "which lowercases all but the first letter",
    "utils.conditioning.x_describe_state__mutmut_39": "|fraction - edge| < 1e-9 edge for <=: a tie at the band's own "
                                                      "edge, which no slider position lands on",
    "utils.conditioning.x_describe_state__mutmut_46": "fraction <= edge for <: fraction == edge took the 'at' branch "
                                                      "before",
    "utils.conditioning.x_heavy_ball__mutmut_82": "E gets a spare row: only E[:k + 1] (k <= max_steps) is kept",
    "utils.conditioning.x_sample_inputs__mutmut_16": "another draw: mu - sigma z is N(mu, sigma^2 I) as mu + sigma z "
                                                     "is (z standard normal); shape and generator kept",
    "utils.conditioning.x_centered_kappas__mutmut_28": "another draw: mu - sigma z for mu + sigma z, as above; d = "
                                                       "mu - mu_hat flips (up to round-off), kappa reads |d|^2 only",
    "utils.tanhnet.x_forward__mutmut_12": "tanh dropped: _forward's default np.tanh calls a _Counted's own tanh "
                                          "method, which is _Counted.tanh",
    "utils.tanhnet.x_layered_counts__mutmut_30": "tanh dropped: np.tanh calls _Counted.tanh, as above",
    **{f"utils.tanhnet.x_layered_counts__mutmut_{n}": f"{what}: the counts do not depend on any value (every "
       "operand is a _Counted, counted whatever it holds)"
       for n, what in ((9, "weights from default_rng(None)"), (10, "weights from default_rng(1)"),
                       (36, "input 2.0 for 1.0"))},
    "utils.tanhnet.x_layered_counts__mutmut_17": "tally starts at 1: reset to 0 after the forward pass, before "
                                                 "anything is counted",
    **{f"utils.tanhnet.x_scaled__mutmut_{n}": "validate's x (1, 0) or (0, 1) for (0, 0): scaled validates w only; "
       "x is a placeholder, checked and dropped" for n in (13, 14)},
    "utils.tanhnet.x_graph_labels__mutmut_127": "1 - a**2 <= 0.1 for < 0.1: no float a ties (1 - x is exact for x "
                                                "in [0.5, 1] by Sterbenz, and 1 - 0.1 is no float)",
    "utils.threshold.x_train_smooth__mutmut_91": "torch on 2 threads for 1 (restored after): speed only; ops on "
                                                 "N x 16 tensors do not split their sums (loss bit-identical)",
    "utils.threshold.x_train_smooth__mutmut_171": "a tie: logit >= 0 for > 0 differs only where the logit is exactly "
                                                  "0.0; bisecting 41 boundary crossings to adjacent floats met none",
    # the describing functions of the rewrite (threshold, tanhnet)
    "utils.tanhnet.x_saturation_description__mutmut_15": "1 - a**2 <= 0.1 for < 0.1: no float a ties, as in "
                                                         "graph_labels #127",
    "utils.threshold.x__outline_side__mutmut_17": "edges from roll(+1): the same segments, each walked the other "
                                                  "way; a point's distance to a segment does not depend on its direction",
    **{f"utils.threshold.x__region_words__mutmut_{n}": "outline's dtype None or dropped: an integer outline gives "
       "the same float64 distances (every product with the float points is float64), and the same Path"
       for n in (14, 16)},
    "utils.threshold.x_square_disagreement__mutmut_34": "max |x| <= 1 for < 1: on the boundary, max |x| = 1, both "
                                                        "branches give the distance 0",
    # the exercise checks (utils/checks: _core, threshold, tanhnet, conditioning, mlp)
    "utils.checks._core.x__fail__mutmut_1": "__tracebackhide__ None in _fail: IPython always shows the frame that "
                                            "raised, hidden or not",
    "utils.checks._core.x__fail__mutmut_2": "__tracebackhide__ False in _fail: as above",
    **{f"utils.checks._core.x__argument__mutmut_{n}": "asarray's dtype=float None or dropped: the cases' arrays are "
       "float or int, and '.6g' formats an int as the float it equals" for n in (31, 33)},
    "utils.checks._core.x__judge_numbers__mutmut_23": "return False for True: no caller uses the value (they "
                                                      "return their own message)",
    # the deny list (utils/checks/_deny.py)
    "utils.checks._deny.x__imported__mutmut_27": "getattr(module, ...) also when module is None (another library): "
                                                 "getattr(None, name, None) is None or one of None's 25 dunder "
                                                 "attributes, builtins objects that _references skips as it skips "
                                                 "None (not a module of the package, no __module__ in it)",
    "utils.checks._answers.x_plain__mutmut_32": "astype(None) is astype(float64): numpy's default dtype",
    "utils.checks._answers.x_array__mutmut_71": "astype(None) is astype(float64): numpy's default dtype",
    "utils.checks.conditioning.x__steps_judge__mutmut_30": "dtype=None: predicted_steps gives ints; np.array_equal and "
                                                      "the :.0f of the message treat them as the floats",
    "utils.checks.conditioning.x__steps_judge__mutmut_32": "dtype dropped: as above",
    "utils.checks.conditioning.x__steps_judge__mutmut_188": "dtype=None: the mistakes give ints or floats; np.allclose "
                                                       "compares an int array as the float one",
    "utils.checks.conditioning.x__steps_judge__mutmut_190": "dtype dropped: as above",
    "utils.checks.conditioning.x__steps_judge__mutmut_241": "|got - count| < 1 + 1e-9 for <=: a tie needs a whole "
                                                      "answer exactly 1 + 1e-9 from log tol / log r, which no float "
                                                      "quotient of logarithms meets",
    # issue 18's last step, scope utils.checks.threshold, utils.checks._core, utils.checks.conditioning
    "utils.checks.threshold.x__check_distance__mutmut_17": "distance >= want: the branch runs only when not "
                                                       "isclose(distance, want), so distance != want there",
    "utils.checks.threshold.x__diamond_judge__mutmut_259": "w[1] == 0 for w[0] == 0: with atol=0, isclose(|w[0]|, "
                                                       "|w[1]|) and w[0] == 0 hold only for w = (0, 0)",
    "utils.checks.threshold.x__diamond_judge__mutmut_121": "B0 None for _sign_advice, which does not read B0",
    **{f"utils.checks.threshold.x__diamond_judge__mutmut_{n}": "the unit's name given to _first, which reads only "
       "whether a name is None" for n in (208, 209)},
    "utils.checks.threshold.x__diamond__mutmut_2": "astype(None) is astype(float64): numpy's default dtype",
    "utils.checks.threshold.x__network__mutmut_84": "reshape(None) keeps B[1]'s shape (1,) or (): both broadcast alike "
                                                "in A @ w + b, and B[1] is read nowhere else",
    **{f"utils.checks.threshold.x__{f}__mutmut_{n}": "[+1] for [-1]: _network and the square's AND make exactly two "
       "layers, so index 1 is the last" for f, n in (("diamond_judge", 70), ("diamond_judge", 76),
                                                      ("diamond_judge", 187), ("square_judge", 100),
                                                      ("square_judge", 104), ("xor_judge", 44))},
    **{f"utils.checks.threshold.x__{f}__mutmut_{n}": "astype(None): the normals become tuples of floats ±1.0, which "
       "equal and hash as the int tuples they are looked up with" for f, n in (("diamond_judge", 291),
                                                                               ("square_judge", 169))},
    "utils.checks.threshold.x__square_judge__mutmut_81": "the AND with two output columns: only column 0 is read "
                                                     "([:, 0]), and it is the same",
    "utils.checks.threshold.x__xor_judge__mutmut_30": "X @ [3, 1] ranks 00, 01, 10, 11 as 0, 1, 3, 4, the order of "
                                                  "X @ [2, 1]; _xor_cases makes only these four inputs",
    "utils.checks.threshold.x__xor_judge__mutmut_55": "'units' for h >= 1: the ✓ message is never reached with one "
                                                  "hidden unit (one line cannot separate XOR)",
    "utils.checks.threshold.x__by_roundoff__mutmut_3": "sign >= 0 for > 0: roundoff is set only where the exact z "
                                                   "is not 0, so the sign there is ±1, never 0",
    **{f"utils.checks.threshold.x__by_roundoff__mutmut_{n}": "the names' mask with dtype None or dropped: a list of "
       "Python bools makes a bool array either way (never empty: a layer has at least one unit)" for n in (6, 8)},
    **{f"utils.checks.threshold.x__fail_misclassified__mutmut_{n}": "the branch for no wrong grid point (boundary, "
       "layers[1], the fired points): both judges call _fail_misclassified only when a grid point is wrong (got == "
       "want failed the line before), so wrong.size > 0" for n in (8, 10, 19, 20)},
    "utils.checks.threshold.x__first__mutmut_21": "`or True`: argmax of an all-False mask is 0, so rows[argmax] is "
                                              "rows[0], the else branch",
    **{f"utils.checks.threshold.x__sign_advice__mutmut_{n}": "astype(None): the normals become tuples of floats ±1.0 "
       "and 0.0 (negated: -0.0), which equal and hash as the int tuples" for n in (3, 10)},
    "utils.checks.threshold.x__xor_table__mutmut_11": "[+1] for [-1]: _xor_judge's network has exactly two layers (its "
                                                  "only caller), so index 1 is the last",
    **{f"utils.checks.threshold.x__and4_judge__mutmut_{n}": "the unit's name given to _first, which reads only whether "
       "a name is None" for n in (128, 129)},
    "utils.checks.threshold.x__square_judge__mutmut_129": "B0 None for _sign_advice, which does not read B0",
    **{f"utils.checks.threshold.x__xor_judge__mutmut_{n}": "the default of _XOR_NAMED.get: every table but 0110, "
       "which passes before, has a name (tests check all 15)" for n in (148, 150, 151, 152, 153)},
    **{f"utils.checks.threshold.x__layer__mutmut_{n}": "einsum's subscripts in capitals: numpy takes upper-case "
       "letters as subscripts alike" for n in (9, 20)},
    "utils.checks.threshold.x__layer__mutmut_30": "|z| < bound for <=: a tie needs a float z equal to the float product "
                                              "bound * size, which no weights a student writes meet; the bound is a "
                                              "margin above the float error, so the sign there is right either way",
    **{f"utils.checks.threshold.x__layer__mutmut_{n}": "a wider band summed exactly (3 (n + 2) or 2 (n + 3) units of "
       "round-off for 2 (n + 2)): the same signs and round-off flags (the band already covers the float error); a z "
       "in the extra sliver, |z| about 1.15e-14 of its terms' size, is then quoted correctly rounded, not as the "
       "float sum: more exact, which nothing the judges promise rules out" for n in (35, 38)},
    "utils.checks.threshold.x__layer__mutmut_39": "size >= 0 for > 0: where size is 0 every term is 0, z = 0 exactly, "
                                              "and the exact sum gives 0 again (no round-off flag)",
    "utils.checks.threshold.x__layer__mutmut_59": "|exact| < 1e-14 size for <=: a tie needs the exact z equal to the "
                                              "float product _ROUNDOFF * size; no weights a student writes meet it",
    "utils.checks.threshold.x__layer__mutmut_71": "astype(None) is astype(float64): numpy's default dtype",
    "utils.checks.threshold.x__halves__mutmut_3": "2^27 + 2 for 2^27 + 1 in Veltkamp's split: hi is still x rounded "
                                              "at c's last place; 3.1 million x in [1, 2), its ends included, split "
                                              "into halves of at most 26 bits that sum to x",
    "utils.checks.conditioning.x__steps_cases__mutmut_32": "0.05 <= exact % 1: a continuous draw is never exactly "
                                                      "0.05; either way the case is at least 0.05 from a whole number",
    "utils.checks.conditioning.x__steps_cases__mutmut_35": "exact % 1 <= 0.95: as above, for 0.95",
    "utils.checks.conditioning.x__steps_cases__mutmut_47": "min(fractions) <= 0.45 for <: a tie needs a fraction equal "
                                                      "to the float 0.45, an odd multiple of 2^-54; a fraction is "
                                                      "exact % 1 (computed exactly) of an exact >= 2.86 (log 1e-2 / "
                                                      "log 0.2, kappa >= 1.5, tol <= 1e-2), a multiple of 2^-51, for "
                                                      "every seed",
    "utils.checks.conditioning.x__steps_cases__mutmut_50": "max(fractions) >= 0.55 for >: as above, the float 0.55 is "
                                                      "an odd multiple of 2^-52",
    "utils.checks.conditioning.x__exact__mutmut_16": "range(k + 1) adds j = 0, where ρ^0 = 1 is a float either way",
    "utils.checks.conditioning.x__exact__mutmut_18": "range(2, k + 1) drops j = 1, where ρ, a float made a Fraction, is "
                                                 "its float either way",
    "utils.checks.conditioning.x__general_collect__mutmut_33": "size > 2 for > 1: a 2-number array then meets number() "
                                                         "in collect, not in the judge, which says the same 'must "
                                                         "return a single number; got ndarray (2,)'",
    "utils.checks.conditioning.x__general_collect__mutmut_35": "issubdtype(dtype, None) is issubdtype(dtype, float64): "
                                                         "an int array then meets number() in collect, not in the "
                                                         "judge, with the same message (the formula the judge names "
                                                         "from an array gives floats)",
    **{f"utils.checks.conditioning.x__general_collect__mutmut_{n}": "plain's name appears only in its message for what "
       "is not numbers, and an array goes to plain only when it holds numbers" for n in (41, 45, 46)},
    # checks.mlp and checks.tanhnet (notebooks 04 and 02)
    **{f"utils.checks.mlp.x_{f}__mutmut_{n}": "Z >= 0 for Z > 0 in a ReLU mask: no pre-activation of the "
       "cases is exactly 0 (continuous draws; the notebook's data: test_no_pre_activation_of_the_cases_is_exactly_zero)"
       for f, n in (("_layer_delta", 23), ("_layer_delta", 50), ("_uses_notebook_globals", 50))},
    "utils.checks.mlp.x__output_relu_variants__mutmut_31": "mask z >= 0 for z > 0: differs only where an output's z is "
                                                           "exactly 0, which no case's continuous draws give",
    **{f"utils.checks.mlp.x__sgd_judge__mutmut_{n}": "errstate's over or invalid dropped or None around the judge's "
       "replays: they raise no numpy warning to silence (the first inf comes out of a matrix product, which sets no "
       "flag, and mlp.mse, under its own errstate, raises ValueError on it; run with -W error on the cases)"
       for n in (65, 66, 67, 68, 173, 174, 175, 176)},
    **{f"utils.checks.mlp.x__sgd_judge__mutmut_{n}": "matches() keeps the key 'mistake' in the case it replays (the "
       "condition k != 'XXmistakeXX' or 'MISTAKE'): _sgd_replay reads only the case's W, B, X, T, eta, batch_size and "
       "steps, and takes the mistake from its own argument" for n in (187, 188)},
    "utils.checks.mlp.x__bce_cases__mutmut_7": "astype(None) is astype(float64): numpy's default dtype",
    "utils.checks.mlp.x__wrong_layer__mutmut_109": "wrong.sum(axis=None) for axis=0: the output δ is (N, 1), so "
                                                   "both sum its one column, and allclose broadcasts () as (1,)",
    "utils.checks.tanhnet.x__dw24__mutmut_1": "units default 'XX456XX': only `u in units` for u in '3456' reads it, "
                                              "the same as for '456'",
    "utils.checks.tanhnet.x__dw24_judge__mutmut_146": "units 'XX456XX' in _slope_mistakes: the at 'X' give the right "
                                                      "value, which no wrong answer matches (the judge accepted a right "
                                                      "one first, at the same tolerance); 'XX456XX' is '456' as above",
    "utils.checks.tanhnet.x__slopes__mutmut_1": "units default 'XX3456XX': only `u in units` for u in '3456' reads it, "
                                                "and all four are in it",
    "utils.checks.tanhnet.x__collect_counted__mutmut_3": "x[1].tape for x[0].tape: the counting numbers of one run "
                                                           "share one tape",
    "utils.checks.tanhnet.x__judge_counted__mutmut_90": "check=None for check=False: falsy, as False",
    "utils.checks.tanhnet.x__variant__mutmut_1": "paths default 'XX56XX': only `u in paths` for u in '56' reads it, "
                                                   "and both are in it",
    "utils.checks.tanhnet.x__variant__mutmut_5": "units default 'XX3456XX': only _slopes' `u in units` for u in "
                                                   "'3456' reads it, and all four are in it",
    "utils.checks.tanhnet.x__variant__mutmut_6": "one_path_at default 'XX34XX': only `j not in one_path_at` for j in "
                                                   "'34' reads it, and both are in it",
    "utils.checks.tanhnet.x__variant__mutmut_56": "on's keys 'X', '5', '6' for '5', '6': only on['5'] and on['6'] "
                                                    "are read, with the same values",
    # checks._deny: _references, _functions_in, _ours, _filled
    "utils.checks._deny.x__references__mutmut_47": "__globals__.get(name) without its default None: dict.get's "
                                                   "default is None",
}


def equivalents_table():
    """EQUIVALENT as a markdown table (`--table`), a row per run of entries of one function with one reason."""
    rows = []  # [function, reason, [numbers]]
    for key, reason in EQUIVALENT.items():
        name, _, number = key.rpartition("__mutmut_")
        module, _, function = name.removeprefix("utils.").rpartition(".")
        function = function.removeprefix("x_") if not function.startswith("xǁ") else ".".join(function.split("ǁ")[1:])
        if rows and rows[-1][:2] == [f"{module}.{function}", reason]:
            rows[-1][2].append(f"#{number}")
        else:
            rows.append([f"{module}.{function}", reason, [f"#{number}"]])
    return "\n".join(["| mutant | why it is equivalent |", "|---|---|"]
                     + [f"| `{name}` {', '.join(numbers)} | {reason} |" for name, reason, numbers in rows])


def results():
    """{mutant name: status} from mutmut's result files."""
    from mutmut.stats import status_by_exit_code  # noqa: deferred: the venv's mutmut

    out = {}
    for meta in (ROOT / "mutants" / "utils").rglob("*.meta"):
        for key, code in json.loads(meta.read_text())["exit_code_by_key"].items():
            out[key] = status_by_exit_code[code]
    return out


def mutant_diffs():
    """{mutant name: the lines it changes, as - and + lines}, read from mutants/ (`mutmut show` takes seconds each)."""
    out = {}
    for path in (ROOT / "mutants" / "utils").rglob("*.py"):
        source = path.read_text()
        lines = source.splitlines()
        module = ".".join(path.relative_to(ROOT / "mutants").with_suffix("").parts)
        defs = {node.name: lines[node.lineno - 1:node.end_lineno] for node in ast.walk(ast.parse(source))
                if isinstance(node, ast.FunctionDef) and "__mutmut_" in node.name}
        for name, text in defs.items():
            stem, _, tag = name.rpartition("__mutmut_")
            if tag == "orig" or f"{stem}__mutmut_orig" not in defs:
                continue
            original = defs[f"{stem}__mutmut_orig"]
            mutated = [l.replace(name, f"{stem}__mutmut_orig") for l in text]
            out[f"{module}.{name}"] = "\n".join(
                l for l in difflib.unified_diff(original, mutated, lineterm="", n=0)
                if l.startswith(("-", "+")) and not l.startswith(("---", "+++")))
    return out


def unfinished(status, globs):
    """The mutants of `globs` a resumed run must test: those the last run did not reach and those that survived it
    (a test written since may kill them), the equivalent ones aside. Named one by one, because mutmut tests every
    mutant a name or glob on its command line matches again, the killed ones too."""
    return sorted(k for k, v in status.items() if v in ("not checked", "survived") and k not in EQUIVALENT
                  and any(fnmatch.fnmatch(k, g) for g in globs))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("globs", nargs="*", default=DEFAULT, help="mutant-name globs (default: %(default)s)")
    parser.add_argument("--report-only", action="store_true", help="print the score of the last run")
    parser.add_argument("--resume", action="store_true",
                        help="keep mutants/ and test only what the last run did not reach or what survived it; start "
                             "afresh instead if utils/ changed since (its changed functions' mutants would be missed)")
    parser.add_argument("--table", action="store_true", help="print the equivalent mutants and why each is equivalent, as a markdown table")
    args = parser.parse_args(argv)
    if args.table:
        print(equivalents_table())
        return 0
    globs = args.globs
    start = time.monotonic()
    if args.resume and not (ROOT / "mutants").is_dir():
        print("--resume: no earlier run to resume (mutants/ does not exist); run without --resume", file=sys.stderr)
        return 2
    names = unfinished(results(), globs) if args.resume else globs
    if args.resume and not names:
        print("nothing left to test: every mutant of the scope was tested and killed (or is equivalent)")
    elif not args.report_only:
        if not args.resume:
            shutil.rmtree(ROOT / "mutants", ignore_errors=True)
        # mutmut forks each mutant's test run from a process that has already run torch: a forked child that
        # inherits torch's OpenMP thread pool hangs at its first parallel op (a false "timeout"). One thread.
        env = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
        # mutmut's own output (a progress spinner, and why it stopped) goes to a log, whose end is shown on failure
        log = ROOT / "mutants.log"
        with open(log, "w") as out:
            run = subprocess.run(["nice", "-n", "19", *MUTMUT, "run", "--max-children", "2", *names], cwd=ROOT,
                                 stdout=out, stderr=subprocess.STDOUT, env=env)
        if run.returncode not in (0, None):
            tail = log.read_text(errors="replace").replace("\r", "\n").splitlines()[-30:]
            print(f"mutmut run failed with exit code {run.returncode}; the end of {log.name}:", *tail, sep="\n",
                  file=sys.stderr)
            return run.returncode
    status = {k: v for k, v in results().items() if any(fnmatch.fnmatch(k, g) for g in globs)}
    equivalent = {k for k in status if k in EQUIVALENT}
    counted = {k: v for k, v in status.items() if k not in equivalent}
    killed = [k for k, v in counted.items() if v in ("killed", "timeout")]
    timeouts = [k for k, v in counted.items() if v == "timeout"]
    surviving = sorted(k for k, v in counted.items() if v not in ("killed", "timeout"))
    score = 100.0 * len(killed) / max(1, len(counted))
    print(f"mutants: {len(status)}, of which {len(equivalent)} equivalent (listed at the end)")
    print(f"killed: {len(killed)} of {len(counted)} = {score:.1f} % ({len(timeouts)} of them by a timeout)"
          + (f"  (run time {time.monotonic() - start:.0f} s)" if not args.report_only else ""))
    diffs = mutant_diffs()
    for k in surviving:
        print(f"\n{counted[k]}: {k}\n{diffs.get(k, '(source not found)')}")
    for k in sorted(equivalent):
        print(f"equivalent: {k}: {EQUIVALENT[k]}")
    for k in sorted(k for k in equivalent if status[k] in ("killed", "timeout")):
        print(f"listed as equivalent but {status[k]}: {k} (take it out of EQUIVALENT, or renumber it)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
