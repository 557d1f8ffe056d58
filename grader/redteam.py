"""Submissions made from the source notebooks by replacing solution cells (by grade_id): the red-team set of
hostile submissions the grader is tested against (tests/test_grader.py), typical mistakes, and blank ones
(also the synthetic class of benchmarks/run.py). Built from the current sources, so they follow the notebooks.

Each entry: {notebook stem: {solution grade_id: new source}}, and what grading must say:
{grade_id: (points "0" or "full", a text the message contains)}. Exercises an entry does not name are
graded normally: full points, since their cells keep the instructor's solution.
"""
import re
from pathlib import Path

import nbformat

GATES = "01-logic-gate-network"
CHAIN_RULE = "02-tanh-chain-rule"
HESSIAN = KAPPA = "03-hessian-conditioning"
BACKWARD = "04-backprop-vs-autograd"
WRONG_KAPPA = "def kappa(mu, sigma):\n    return 1.0\n"

# notebook 02's eight gradients from the forward values f, each by its own chain-rule product (right values; 36
# multiplications, 44 with the forward pass)
EACH_ON_ITS_OWN = (
    "def each_on_its_own(f, w):\n    g = {{}}\n"
    "    for i in '12':\n        for j in '34':\n"
    "            g['w' + i + j] = f['x' + i] * (1 - f['a' + j] ** 2) * (w['w' + j + '5'] * (1 - f['a5'] ** 2)\n"
    "                                                          + w['w' + j + '6'] * (1 - f['a6'] ** 2))\n"
    "    for i in '34':\n        for j in '56':\n            g['w' + i + j] = f['a' + i] * (1 - f['a' + j] ** 2)\n"
    "    return g\n\n")

RED_TEAM = {
    # the three cheats of issue 17, verbatim
    "cheat-backward": ({BACKWARD: {"ex1-backward": "def backward(X, T, W, B): return mlp.backward(X, T, W, B)"}},
                       {"check-backward": ("0", "uses the reference implementation `utils.mlp.backward`")}),
    "cheat-check-backward": ({BACKWARD: {"ex1-backward": "checks.check_backward = lambda f: None"}},
                             {"check-backward": ("0", "`backward` is not defined")}),
    "cheat-kappa": ({KAPPA: {"ex2-kappa": "kappa = lambda mu, s: conditioning.condition_number(mu, s)"}},
                    {"check-kappa": ("0", "uses the reference implementation `utils.conditioning.condition_number`")}),
    # every other exercise delegated to the package's reference (grader/references.py): the answer is right, the
    # work is not the student's. The counted helpers of notebook 02 would even pass its multiplication count.
    "delegate-gates": ({GATES: {
        "ex-xor": "def xor_network():\n    return threshold.xor_network()\n",
        "ex2-square-layer": "def square_layer():\n    return threshold.SQUARE_W0, threshold.SQUARE_B0\n",
        "ex-diamond": "def diamond_network():\n    return threshold.polygon_network([(1, 0), (0, 1), (-1, 0), (0, -1)])\n"}},
        {"check-xor": ("0", "uses the reference implementation `utils.threshold.xor_network`"),
         "check-square-layer": ("0", "uses the reference implementation `utils.threshold.SQUARE_W0`"),
         "check-diamond": ("0", "uses the reference implementation `utils.threshold.polygon_network`")}),
    "delegate-chain-rule": ({CHAIN_RULE: {
        "ex1-dy-dw24": "def dy_dw24(x, w):\n    return tanhnet._closed_form(tanhnet.forward(x, w), w)['w24']\n",
        "ex2-dy-dw46": "def dy_dw46(x, w):\n    return tanhnet.closed_form(x, w)['w46']\n",
        "ex3-tanh-backward": "def backward(x, w):\n    return tanhnet._backward(tanhnet.forward(x, w), w)[0]\n"}},
        {"check-dy-dw24": ("0", "uses the reference implementation `utils.tanhnet._closed_form`"),
         "check-dy-dw46": ("0", "uses the reference implementation `utils.tanhnet.closed_form`"),
         "check-tanh-backward": ("0", "uses the reference implementation `utils.tanhnet._backward`")}),
    "delegate-checks": ({CHAIN_RULE: {
        "ex1-dy-dw24": "def dy_dw24(x, w):\n    return checks.chainrule._dw24(x, w)\n",
        "ex2-dy-dw46": "def dy_dw46(x, w):\n    return checks.chainrule._dw46(x, w)\n",
        "ex3-tanh-backward": "def backward(x, w):\n    return checks.chainrule._variant(x, w)\n"}},
        {"check-dy-dw24": ("0", "uses the reference implementation `utils.checks.chainrule._dw24`"),
         "check-dy-dw46": ("0", "uses the reference implementation `utils.checks.chainrule._dw46`"),
         "check-tanh-backward": ("0", "uses the reference implementation `utils.checks.chainrule._variant`")}),
    "delegate-hessian": ({HESSIAN: {
        "ex1-hessian": "def hessian(mu, sigma):\n    return conditioning.bias_hessian(mu, sigma, 'raw')[:-1, :-1]\n",
        "ex3-optimal-step": "def optimal_step(lam_min, lam_max):\n    return conditioning.step_size('optimal', lam_min, lam_max)\n",
        "ex4-predict-steps": "def predict_steps(kappa, tol):\n    return conditioning.predicted_steps(kappa, tol)\n",
        "ex5-kappa-general": ("def kappa_general(mu, Sigma):\n    return conditioning.matrix_condition_number("
                              "conditioning.general_hessian(mu, Sigma))\n")}},
        {"check-hessian": ("0", "uses the reference implementation `utils.conditioning.bias_hessian`"),
         "check-optimal-step": ("0", "uses the reference implementation `utils.conditioning.step_size`"),
         "check-predict-steps": ("0", "uses the reference implementation `utils.conditioning.predicted_steps`"),
         "check-kappa-general": ("0", "uses the reference implementation `utils.conditioning.general_hessian`")}),
    "delegate-backprop": ({BACKWARD: {
        "ex2-autograd": "def error_torch(X, T, W, B):\n    return mlp.error_torch(X, T, W, B)\n",
        "ex4-backward-tanh": "def backward_tanh(X, T, W, B):\n    return mlp.backward(X, T, W, B, activation='tanh')\n"}},
        {"check-autograd": ("0", "uses the reference implementation `utils.mlp.error_torch`"),
         "check-backward-tanh": ("0", "uses the reference implementation `utils.mlp.backward`")}),
    # notebook 02's multiplication count, taken from the sandbox (issue 23, finding 1): each gradient on its own (44
    # multiplications) with the tally written back, computed on the floats inside the counting numbers and wrapped
    # back, and a collect replaced by one whose record claims 1 multiplication (answer constants on a forged tape)
    "tanh-count-tally": ({CHAIN_RULE: {"ex3-tanh-backward": EACH_ON_ITS_OWN + (
        "def backward(x, w):\n    f = tanhnet.forward(x, w)\n"
        "    saved = x[0].tally[0] if hasattr(x[0], 'tally') else None  # after the forward pass\n"
        "    g = each_on_its_own(f, w)\n    if saved is not None:\n        x[0].tally[0] = saved\n    return g\n")}},
        {"check-tanh-backward": ("0", "took 44 multiplications where backpropagation takes 26")}),
    "tanh-count-unwrapped": ({CHAIN_RULE: {"ex3-tanh-backward": EACH_ON_ITS_OWN + (
        "def backward(x, w):\n    if not hasattr(x[0], 'value'):\n"
        "        return each_on_its_own(tanhnet.forward(x, w), w)\n"
        "    plain_x, plain_w = tuple(v.value for v in x), {{k: v.value for k, v in w.items()}}\n"
        "    g = each_on_its_own(tanhnet.forward(plain_x, plain_w), plain_w)\n"
        "    return {{k: type(x[0])(v, x[0].tally) for k, v in g.items()}}\n")}},
        {"check-tanh-backward": ("0", "backward's dy/dw13 is a counting number that no operation of the counting "
                                      "run made")}),
    "tanh-count-collect": ({CHAIN_RULE: {"ex3-tanh-backward": EACH_ON_ITS_OWN + (
        "def backward(x, w):\n    return each_on_its_own(tanhnet.forward(x, w), w)\n\n"
        "import dataclasses\nfrom utils import checks as registry\n"
        "real = registry.EXERCISES['check-tanh-backward']\n\n"
        "def collect(fn, cases):\n    answers = real.collect(fn, cases)\n"
        "    tape = answers['counted']['tape'][:10] + [['mul', 0, 0.0, 0.0]]  # 0 = x1 * 0: 1 multiplication\n"
        "    returned = {{}}\n"
        "    for k, g in answers['gradients'][0].items():  # each gradient as 0 + its value\n"
        "        returned[k] = len(tape)\n        tape.append(['add', 10, g, g])\n"
        "    answers['counted'] = {{'tape': tape, 'returned': returned, 'multiplications': 1}}\n    return answers\n\n"
        "registry.EXERCISES['check-tanh-backward'] = dataclasses.replace(real, collect=collect)\n")}},
        {"check-tanh-backward": ("0", "the operations of the counting run give the answer only on the network they "
                                      "ran on")}),
    # the judge as an oracle: it knows the right answer, so in a sandbox it is a stub too
    "judge-oracle": ({KAPPA: {"ex2-kappa": "def kappa(mu, sigma):\n    from utils.checks import hessian\n"
                                          "    return hessian._kappa_judge([(mu, sigma)], [1.0])\n"}},
                     {"check-kappa": ("0", "uses the reference implementation `utils.checks.hessian._kappa_judge`")}),
    # monkeypatching the checks, as a module attribute and through sys.modules
    "patch-check": ({KAPPA: {"ex2-kappa": WRONG_KAPPA + "checks.check_kappa = lambda f: None\n"}},
                    {"check-kappa": ("0", "kappa")}),
    "patch-sys-modules": ({KAPPA: {"ex2-kappa": WRONG_KAPPA + (
        "import sys\n"
        "sys.modules['utils.checks'].check_kappa = lambda f: None\n"
        "sys.modules['utils.checks.hessian']._judge_numbers = lambda *a, **k: True\n"
        "sys.modules['utils.checks._core'].run = lambda exercise, fn: None\n")}},
        {"check-kappa": ("0", "kappa")}),
    # redefining the name the grade cell uses
    "redefine-checks": ({KAPPA: {"ex2-kappa": WRONG_KAPPA + "checks = None\n"}}, {"check-kappa": ("0", "kappa")}),
    # reaching the reference through a reload, or through the real package's source on disk
    "reload-reference": ({HESSIAN: {"ex1-hessian": "import importlib\nimportlib.reload(conditioning)\nhessian = conditioning.hessian\n"}},
                         {"check-hessian": ("0", "uses the reference implementation `utils.conditioning.hessian`")}),
    "read-reference-source": ({KAPPA: {"ex2-kappa": (
        "import sys\nsys.path.insert(0, {course!r})\n"
        "for name in [m for m in sys.modules if m == 'utils' or m.startswith('utils.')]:\n    del sys.modules[name]\n"
        "namespace = {{}}\nexec(open({course!r} + '/utils/conditioning.py').read(), namespace)\n"
        "kappa = lambda mu, s: namespace['condition_number'](mu, s)\n")}},
        {"check-kappa": ("0", "kappa")}),
    # ending the process, from a cell and from the function under test
    "os-exit": ({KAPPA: {"ex2-kappa": "import os\nos._exit(3)\n"}},
                {"check-kappa": ("0", "ended the process (exit code 3) in solution cell `ex2-kappa`")}),
    "sys-exit": ({HESSIAN: {"ex1-hessian": "import sys\nsys.exit(0)\n"}}, {"check-hessian": ("0", "SystemExit")}),
    "kill-9": ({BACKWARD: {"ex1-backward": "def backward(X, T, W, B):\n    import os, signal\n    os.kill(os.getpid(), signal.SIGKILL)\n"}},
               {"check-backward": ("0", "killed by SIGKILL")}),
    # infinite loops: in a cell (spinning), and in the function (sleeping; the exercises after it still get graded)
    "loop-cell": ({KAPPA: {"ex2-kappa": "while True:\n    pass\n"}}, {"check-kappa": ("0", "timed out after")}),
    "loop-function": ({HESSIAN: {"ex1-hessian": "def hessian(mu, sigma):\n    import time\n    while True:\n        time.sleep(0.1)\n"}},
                      {"check-hessian": ("0", "timed out after")}),
    # far more memory than the limit: numpy in a cell, torch in the function
    "memory-cell": ({HESSIAN: {"ex1-hessian": "big = numpy.ones(2 ** 33)\n"}},
                    {"check-hessian": ("0", "memory limit")}),
    "memory-function": ({BACKWARD: {"ex1-backward": "def backward(X, T, W, B):\n    return torch.ones(2 ** 33), None\n"}},
                        {"check-backward": ("0", "memory limit")}),
    # writing into the course folder and into the installed packages
    "write-files": ({KAPPA: {"ex2-kappa": (
        "import pathlib\nimport utils\n"
        "for target in [pathlib.Path({course!r}) / 'utils' / 'conditioning.py', pathlib.Path(numpy.__file__).parent / 'grader_was_here.py',\n"
        "               pathlib.Path(utils.__file__)]:\n"
        "    try:\n        target.write_text('x')\n    except OSError as exc:\n        print(exc)\n"
        "with open(pathlib.Path({course!r}) / 'grader_was_here.txt', 'w') as f:\n    f.write('x')\n"
        + WRONG_KAPPA.replace("1.0", "1 + (mu @ mu) / sigma ** 2"))}},
        {"check-kappa": ("0", "its solution cell raised FileNotFoundError")}),
    # the network (a listener of the test's on 127.0.0.1:{port}; the sandbox has no interface up)
    "network": ({KAPPA: {"ex2-kappa": "import socket\nsocket.create_connection(('127.0.0.1', {port}), timeout=2).sendall(b'x')\n"
                                      + WRONG_KAPPA.replace("1.0", "1 + (mu @ mu) / sigma ** 2")}},
                {"check-kappa": ("0", "Network is unreachable")}),
    # student text in a message must reach the feedback page escaped
    "html-in-message": ({KAPPA: {"ex2-kappa": "def kappa(mu, sigma):\n    raise ValueError(\"<script>alert('x')</script>\")\n"}},
                        {"check-kappa": ("0", "<script>alert('x')</script>")}),
}

MISTAKES = {
    "mistakes": ({HESSIAN: {"ex1-hessian": "def hessian(mu, sigma):\n    return numpy.diag(mu ** 2) + sigma ** 2 * numpy.eye(len(mu))\n",
                            "ex2-kappa": "def kappa(mu, sigma):\n    return (mu @ mu) / sigma ** 2\n"},
                  BACKWARD: {"ex1-backward": (
                      "def backward(X, T, W, B):\n    Z, A = [], [X]\n    for l in range(len(W)):\n"
                      "        Z.append(A[-1].dot(W[l]) + B[l])\n        A.append(numpy.maximum(0, Z[-1]))\n"
                      "    delta = 2 * (Z[-1] - T)  # the 1/N of the mean is missing\n"
                      "    DW, DB = [None] * len(W), [None] * len(W)\n    for l in reversed(range(len(W))):\n"
                      "        DW[l] = A[l].T.dot(delta)\n        DB[l] = delta.sum(axis=0)\n"
                      "        if l:\n            delta = delta.dot(W[l].T) * (Z[l - 1] > 0)\n    return DW, DB\n")}},
                 {"check-hessian": ("0", "not diagonal"), "check-kappa": ("0", "the 1 is missing"),
                  "check-backward": ("0", "1/N")}),
}

SOLUTION = re.compile(r"^([ \t]*)### BEGIN SOLUTION.*?### END SOLUTION[^\n]*", re.S | re.M)


def blank(source):
    """A solution cell as nbgrader's ClearSolutions hands it out."""
    return SOLUTION.sub(lambda m: m.group(1) + "raise NotImplementedError()", source)


def write_submission(source_nb, target, replacements=None, blanked=False):
    """Copy the notebook `source_nb` to `target`, with solution cells replaced by grade_id (or all blanked)."""
    nb = nbformat.read(source_nb, as_version=4)
    replacements = dict(replacements or {})
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution"):
            if blanked:
                cell.source = blank(cell.source)
            elif meta.get("grade_id") in replacements:
                cell.source = replacements.pop(meta["grade_id"])
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    if replacements:
        raise LookupError(f"{Path(source_nb).name} has no solution cells {sorted(replacements)}")
    Path(target).parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, target)


def write_student(submitted, student, sources, entry, course, port=9, assignment="ps1"):
    """submitted/STUDENT/ASSIGNMENT/: the notebooks `entry` touches (entry: {stem: {grade_id: source}}),
    sources formatted with `course` (the course folder a hostile cell aims at) and `port` (a TCP port on
    127.0.0.1 it tries to reach). Returns the paths written."""
    paths = []
    for stem, cells in entry.items():
        target = Path(submitted) / student / assignment / f"{stem}.ipynb"
        write_submission(Path(sources) / f"{stem}.ipynb", target,
                         {gid: src.format(course=str(course), port=port) for gid, src in cells.items()})
        paths.append(target)
    return paths

