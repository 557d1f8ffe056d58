"""Submissions made from the source notebooks by replacing solution cells (by grade_id): the red-team set of
hostile submissions the grader is tested against (tests/grader/test_grader.py), typical mistakes, and blank ones
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

# Solution cells of notebook 04 that replace an exercise's collect (the sandbox's registry is the student's to change)
# with one returning records made with numpy. Sources go through str.format twice (here, then write_student's
# course and port): no braces in them. `backward` is the cell of Exercise 1 (numpy); Xb, Tb, W, B the batch and the
# parameters of the forged SGD run.
FORGED_SGD = (
    "def sgd(net, X, T, eta, batch_size, steps):  # nothing trained: the records are made with numpy\n"
    "    return None\n\n"
    "def forged_sgd_collect(fn, cases):\n"
    "    records = []\n"
    "    for case in cases:\n"
    "        W, B, X, T, b = list(case['W']), list(case['B']), case['X'], case['T'], case['batch_size']\n"
    "        losses = []\n"
    "        for k in range(case['steps']):\n"
    "            i = (k * b) % len(X)\n"
    "            Xb, Tb = X[i:i + b], T[i:i + b]\n"
    "            losses.append(float(((mlp.forward(Xb, W, B)[0] - Tb) ** 2).mean()))\n"
    "            DW, DB = {grads}\n"
    "            W = [w - case['eta'] * d for w, d in zip(W, DW)]\n"
    "            B = [x - case['eta'] * d for x, d in zip(B, DB)]\n"
    "        records.append(dict(losses=losses, W=W, B=B))\n"
    "    return records\n\n"
    "object.__setattr__(checks.check_sgd, 'collect', forged_sgd_collect)\n")
FORGED_SEQUENTIAL = (
    "def build_sequential(W, B):\n"
    "    return None\n\n"
    "def forged_sequential_collect(fn, cases):\n"
    "    records = []\n"
    "    for W, B, X in cases:\n"
    "        layers, A = [], X\n"
    "        for l, (w, b) in enumerate(zip(W, B)):\n"
    "            layers.append(dict(type='Linear', weight=w.T.copy(), bias=b.copy(), dtype='float64'))\n"
    "            layers += [dict(type='ReLU')] if l < len(W) - 1 else []\n"
    "            A = A @ w + b if l == len(W) - 1 else numpy.maximum(A @ w + b, 0)\n"
    "        records.append(dict(type='Sequential', is_sequential=True, layers=[layers[k] for k in {order}],\n"
    "                            output=A))\n"
    "    return records\n\n"
    "object.__setattr__(checks.check_sequential, 'collect', forged_sequential_collect)\n")
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
    "cheat-backward": ({BACKWARD: {"answer-backward": "def backward(X, T, W, B): return mlp.backward(X, T, W, B)"}},
                       {"check-backward": ("0", "uses the reference implementation `utils.mlp.backward`")}),
    "cheat-check-backward": ({BACKWARD: {"answer-backward": "checks.check_backward = lambda f: None"}},
                             {"check-backward": ("0", "`backward` is not defined")}),
    "cheat-kappa": ({KAPPA: {"answer-kappa": "kappa = lambda mu, s: conditioning.condition_number(mu, s)"}},
                    {"check-kappa": ("0", "uses the reference implementation `utils.conditioning.condition_number`")}),
    # every other exercise delegated to the package's reference (denied by default): the answer is right, the
    # work is not the student's. The counted helpers of notebook 02 would even pass its multiplication count.
    "delegate-gates": ({GATES: {
        "answer-xor": "def xor_network():\n    return threshold.xor_network()\n",
        "answer-square-layer": "def square_layer():\n    return threshold.SQUARE_W0, threshold.SQUARE_B0\n",
        "answer-diamond": "def diamond_network():\n    return threshold.polygon_network([(1, 0), (0, 1), (-1, 0), (0, -1)])\n"}},
        {"check-xor": ("0", "uses the reference implementation `utils.threshold.xor_network`"),
         "check-square-layer": ("0", "uses the reference implementation `utils.threshold.SQUARE_W0`"),
         "check-diamond": ("0", "uses the reference implementation `utils.threshold.polygon_network`")}),
    "delegate-chain-rule": ({CHAIN_RULE: {
        "answer-dy-dw24": "def dy_dw24(x, w):\n    return tanhnet._closed_form(tanhnet.forward(x, w), w)['w24']\n",
        "answer-dy-dw46": "def dy_dw46(x, w):\n    return tanhnet.closed_form(x, w)['w46']\n",
        "answer-tanh-backward": "def backward(x, w):\n    return tanhnet._backward(tanhnet.forward(x, w), w)[0]\n"}},
        {"check-dy-dw24": ("0", "uses the reference implementation `utils.tanhnet._closed_form`"),
         "check-dy-dw46": ("0", "uses the reference implementation `utils.tanhnet.closed_form`"),
         "check-tanh-backward": ("0", "uses the reference implementation `utils.tanhnet._backward`")}),
    "delegate-checks": ({CHAIN_RULE: {
        "answer-dy-dw24": "def dy_dw24(x, w):\n    return checks._dw24(x, w)\n",
        "answer-dy-dw46": "def dy_dw46(x, w):\n    return checks._dw46(x, w)\n",
        "answer-tanh-backward": "def backward(x, w):\n    return checks._variant(x, w)\n"}},
        {"check-dy-dw24": ("0", "uses the reference implementation `utils.checks.tanhnet._dw24`"),
         "check-dy-dw46": ("0", "uses the reference implementation `utils.checks.tanhnet._dw46`"),
         "check-tanh-backward": ("0", "uses the reference implementation `utils.checks.tanhnet._variant`")}),
    "delegate-hessian": ({HESSIAN: {
        "answer-hessian": "def hessian(mu, sigma):\n    return conditioning.bias_hessian(mu, sigma, 'raw')[:-1, :-1]\n",
        "answer-optimal-step": "def optimal_step(lam_min, lam_max):\n    return conditioning.step_size('optimal', lam_min, lam_max)\n",
        "answer-predict-steps": "def predict_steps(kappa, tol):\n    return conditioning.predicted_steps(kappa, tol)\n",
        "answer-kappa-general": ("def kappa_general(mu, Sigma):\n    return conditioning.matrix_condition_number("
                              "conditioning.general_hessian(mu, Sigma))\n")}},
        {"check-hessian": ("0", "uses the reference implementation `utils.conditioning.bias_hessian`"),
         "check-optimal-step": ("0", "uses the reference implementation `utils.conditioning.step_size`"),
         "check-predict-steps": ("0", "uses the reference implementation `utils.conditioning.predicted_steps`"),
         "check-kappa-general": ("0", "uses the reference implementation `utils.conditioning.general_hessian`")}),
    # a helper that no list names (issue 23: it passed while the reference list was kept by hand)
    "delegate-unlisted": ({HESSIAN: {"answer-predict-steps": (
        "def predict_steps(kappa, tol):\n    return conditioning.gradient_descent(numpy.diag([1.0, kappa]), 2 / (1 + kappa), "
        "tol=tol, max_steps=10 ** 6)['steps']\n")}},
        {"check-predict-steps": ("0", "uses the reference implementation `utils.conditioning.gradient_descent`")}),
    "delegate-backprop": ({BACKWARD: {
        "answer-sgd": ("def sgd(net, X, T, eta, batch_size, steps):\n"
                       "    return [mlp.mse(net(X).detach().numpy(), T.numpy())] * steps\n"),
        "answer-bce-delta": "def bce_delta(Z, T):\n    return (checks._sigmoid(Z) - T) / len(Z)\n"}},
        {"check-sgd": ("0", "uses the reference implementation `utils.mlp.mse`"),
         "check-bce-delta": ("0", "uses the reference implementation `utils.checks.mlp._sigmoid`")}),
    # notebook 04's objects reported by a replaced collect (issue 23, finding 2): an sgd that trains nothing and a
    # build_sequential that returns None, with collects that return records made with numpy. The judges grade values
    # only (what autograd or nn.Sequential did is in no record): a run from the package's reference scores 0 (a stub),
    # wrong forged values score 0 with what is wrong, and values the student's own numpy computes get full points
    # (forge-objects-numpy names no exercise: every exercise of the notebook keeps its points; see the README).
    "forge-objects-reference": ({BACKWARD: {"answer-sgd": FORGED_SGD.format(grads="mlp.backward(Xb, Tb, W, B)")}},
                                {"check-sgd": ("0", "uses the reference implementation `utils.mlp.backward`")}),
    "forge-objects-wrong": ({BACKWARD: {
        "answer-sgd": FORGED_SGD.format(grads="[2 * g for g in backward(Xb, Tb, W, B)[0]], backward(Xb, Tb, W, B)[1]"),
        "answer-sequential": FORGED_SEQUENTIAL.format(order="(0, 2, 1) + tuple(range(3, len(layers)))")}},  # Linear, Linear, ReLU, ...
        {"check-sgd": ("0", "the loss of step 1 is"),
         "check-sequential": ("0", "the output recorded on X is not what the recorded layers compute")}),
    "forge-objects-numpy": ({BACKWARD: {"answer-sgd": FORGED_SGD.format(grads="backward(Xb, Tb, W, B)"),
                                        "answer-sequential": FORGED_SEQUENTIAL.format(order="range(len(layers))")}}, {}),
    # notebook 02's multiplication count, taken from the sandbox (issue 23, finding 1): each gradient on its own (44
    # multiplications) with the tally written back, computed on the floats inside the counting numbers and wrapped
    # back, and a collect replaced by one whose record claims 1 multiplication (answer constants on a forged tape)
    "tanh-count-tally": ({CHAIN_RULE: {"answer-tanh-backward": EACH_ON_ITS_OWN + (
        "def backward(x, w):\n    f = tanhnet.forward(x, w)\n"
        "    saved = x[0].tally[0] if hasattr(x[0], 'tally') else None  # after the forward pass\n"
        "    g = each_on_its_own(f, w)\n    if saved is not None:\n        x[0].tally[0] = saved\n    return g\n")}},
        {"check-tanh-backward": ("0", "took 44 multiplications where backpropagation takes 26")}),
    "tanh-count-unwrapped": ({CHAIN_RULE: {"answer-tanh-backward": EACH_ON_ITS_OWN + (
        "def backward(x, w):\n    if not hasattr(x[0], 'value'):\n"
        "        return each_on_its_own(tanhnet.forward(x, w), w)\n"
        "    plain_x, plain_w = tuple(v.value for v in x), {{k: v.value for k, v in w.items()}}\n"
        "    g = each_on_its_own(tanhnet.forward(plain_x, plain_w), plain_w)\n"
        "    return {{k: type(x[0])(v, x[0].tally) for k, v in g.items()}}\n")}},
        {"check-tanh-backward": ("0", "backward's dy/dw13 is a counting number that no operation of the counting "
                                      "run made")}),
    "tanh-count-collect": ({CHAIN_RULE: {"answer-tanh-backward": EACH_ON_ITS_OWN + (
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
    "judge-oracle": ({KAPPA: {"answer-kappa": "def kappa(mu, sigma):\n    from utils.checks import conditioning\n"
                                          "    return conditioning._kappa_judge([(mu, sigma)], [1.0])\n"}},
                     {"check-kappa": ("0", "uses the reference implementation `utils.checks.conditioning._kappa_judge`")}),
    # monkeypatching the checks, as a module attribute and through sys.modules
    "patch-check": ({KAPPA: {"answer-kappa": WRONG_KAPPA + "checks.check_kappa = lambda f: None\n"}},
                    {"check-kappa": ("0", "kappa")}),
    "patch-sys-modules": ({KAPPA: {"answer-kappa": WRONG_KAPPA + (
        "import sys\n"
        "sys.modules['utils.checks'].check_kappa = lambda f: None\n"
        "sys.modules['utils.checks.conditioning']._judge_numbers = lambda *a, **k: True\n"
        "sys.modules['utils.checks._core'].run = lambda exercise, fn: None\n")}},
        {"check-kappa": ("0", "kappa")}),
    # redefining the name the grade cell uses
    "redefine-checks": ({KAPPA: {"answer-kappa": WRONG_KAPPA + "checks = None\n"}}, {"check-kappa": ("0", "kappa")}),
    # reaching the reference through a reload, or through the real package's source on disk
    "reload-reference": ({HESSIAN: {"answer-hessian": "import importlib\nimportlib.reload(conditioning)\nhessian = conditioning.hessian\n"}},
                         {"check-hessian": ("0", "uses the reference implementation `utils.conditioning.hessian`")}),
    "read-reference-source": ({KAPPA: {"answer-kappa": (
        "import sys\nsys.path.insert(0, {course!r})\n"
        "for name in [m for m in sys.modules if m == 'utils' or m.startswith('utils.')]:\n    del sys.modules[name]\n"
        "namespace = {{}}\nexec(open({course!r} + '/utils/conditioning.py').read(), namespace)\n"
        "kappa = lambda mu, s: namespace['condition_number'](mu, s)\n")}},
        {"check-kappa": ("0", "kappa")}),
    # ending the process, from a cell and from the function under test
    "os-exit": ({KAPPA: {"answer-kappa": "import os\nos._exit(3)\n"}},
                {"check-kappa": ("0", "ended the process (exit code 3) in solution cell `answer-kappa`")}),
    "sys-exit": ({HESSIAN: {"answer-hessian": "import sys\nsys.exit(0)\n"}}, {"check-hessian": ("0", "SystemExit")}),
    "kill-9": ({BACKWARD: {"answer-backward": "def backward(X, T, W, B):\n    import os, signal\n    os.kill(os.getpid(), signal.SIGKILL)\n"}},
               {"check-backward": ("0", "killed by SIGKILL")}),
    # infinite loops: in a cell (spinning), and in the function (sleeping; the exercises after it still get graded)
    "loop-cell": ({KAPPA: {"answer-kappa": "while True:\n    pass\n"}}, {"check-kappa": ("0", "timed out after")}),
    # (notebook 04's `backward`: 03's cells after Exercise 1 call the student's `hessian` themselves, so a loop there
    # stops the notebook in that cell, not in the check: see docs/grading.md, Limits)
    "loop-function": ({BACKWARD: {"answer-backward": "def backward(X, T, W, B):\n    import time\n    while True:\n        time.sleep(0.1)\n"}},
                      {"check-backward": ("0", "timed out after")}),
    # far more memory than the limit: numpy in a cell, torch in the function
    "memory-cell": ({HESSIAN: {"answer-hessian": "big = numpy.ones(2 ** 33)\n"}},
                    {"check-hessian": ("0", "memory limit")}),
    "memory-function": ({BACKWARD: {"answer-backward": "def backward(X, T, W, B):\n    return torch.ones(2 ** 33), None\n"}},
                        {"check-backward": ("0", "memory limit")}),
    # writing into the course folder and into the installed packages
    "write-files": ({KAPPA: {"answer-kappa": (
        "import pathlib\nimport utils\n"
        "for target in [pathlib.Path({course!r}) / 'utils' / 'conditioning.py', pathlib.Path(numpy.__file__).parent / 'grader_was_here.py',\n"
        "               pathlib.Path(utils.__file__)]:\n"
        "    try:\n        target.write_text('x')\n    except OSError as exc:\n        print(exc)\n"
        "with open(pathlib.Path({course!r}) / 'grader_was_here.txt', 'w') as f:\n    f.write('x')\n"
        + WRONG_KAPPA.replace("1.0", "1 + (mu @ mu) / sigma ** 2"))}},
        {"check-kappa": ("0", "its solution cell raised FileNotFoundError")}),
    # the network (a listener of the test's on 127.0.0.1:{port}; the sandbox has no interface up)
    "network": ({KAPPA: {"answer-kappa": "import socket\nsocket.create_connection(('127.0.0.1', {port}), timeout=2).sendall(b'x')\n"
                                      + WRONG_KAPPA.replace("1.0", "1 + (mu @ mu) / sigma ** 2")}},
                {"check-kappa": ("0", "Network is unreachable")}),
    # student text in a message must reach the feedback page escaped
    "html-in-message": ({KAPPA: {"answer-kappa": "def kappa(mu, sigma):\n    raise ValueError(\"<script>alert('x')</script>\")\n"}},
                        {"check-kappa": ("0", "<script>alert('x')</script>")}),
    # threshold units decided with a tolerance that the weights scale (issue 23, finding 4): a weight of 1e11 hid
    # z = 0.125 on 0111, 1011 and 1101, and cancelling output weights of ±1e12 hid an OR; both got full points
    "and4-hidden-by-1e11": ({GATES: {"answer-and4": "def and4_unit():\n    return numpy.array([1.0, 1.0, 1.0, 1e11]), "
                                                 "-(1e11 + 1.875)\n"}},
                            {"check-and4": ("0", "with only 3 of the 4 inputs on: the bias is not negative enough")}),
    "xor-or-hidden-by-1e12": ({GATES: {"answer-xor": (
        "def xor_network():\n    W0 = numpy.array([[1.0, 1.0], [1.0, 1.0]])  # OR, AND\n"
        "    W1 = numpy.array([[1e12 + 0.25], [-1e12]])\n"
        "    return [W0, W1], [numpy.array([-0.5, -1.5]), numpy.array([-0.125])]\n")}},
        {"check-xor": ("0", "it computes OR")}),
    # a right diamond padded with 15 000 idle hidden units: the judge made arrays of the test points times the
    # width, 1.9 GB in the worker, and gave 3/3 (issue 24, finding 3)
    "diamond-padded": ({GATES: {"answer-diamond": (
        "def diamond_network():\n"
        "    W0 = numpy.hstack([numpy.array([[-1.0, 1.0, -1.0, 1.0], [-1.0, -1.0, 1.0, 1.0]]), numpy.zeros((2, 15000))])\n"
        "    W1 = numpy.vstack([numpy.ones((4, 1)), numpy.zeros((15000, 1))])\n"
        "    return [W0, W1], [numpy.ones(15004), numpy.array([-3.5])]\n")}},
        {"check-diamond": ("0", "a hidden layer of 15004 units is too large")}),
}

RIGHT_KAPPA = "def kappa(mu, sigma):\n    return 1 + (mu @ mu) / sigma ** 2\n"
_SOCKET = ("import os, socket, stat, struct, time\n"  # the sandbox's own channel to the worker, found among its fds
           "def channel():\n    for fd in range(3, 256):\n        try:\n"
           "            if stat.S_ISSOCK(os.fstat(fd).st_mode):\n                return socket.socket(fileno=fd)\n"
           "        except OSError:\n            pass\nchan = channel()\n")
_LIBC = "import ctypes\nlibc = ctypes.CDLL('libc.so.6', use_errno=True)\nlibc.shmat.restype = ctypes.c_void_p\n"
ORPHAN = "rt-orphan"  # the name (/proc/PID/comm) of a process a sandbox leaves running
SHM_NOTE_KEY, SHM_LEFT_KEY = 0x6A2400, 0x6A2401  # a note the test leaves in the host's SysV IPC; a segment a sandbox makes

# The second red team (issue 24): each finding against the whole sandbox, the channel, the log and the seeds, with
# its expected outcome. Sources are formatted like RED_TEAM's, with {table} too (see tests/grader/test_grader.py).
SANDBOX_RED_TEAM = {
    # 1. a valid 16-byte message dripped one byte a second: one deadline for the whole message, not per read
    "drip": ({KAPPA: {"answer-kappa": _SOCKET + "for byte in struct.pack('>Q', 8) + b'{{\"a\": 1}}':\n"
                                             "    chan.send(bytes([byte]))\n    time.sleep(1)\n"}},
             {"check-kappa": ("0", "timed out after")}),
    # 2. an answer forged for its own cell, then sleep: the worker's clock charges the cell it sent after, and the
    # cell before it that was the student's, never an instructor's cell
    "blame": ({KAPPA: {"answer-kappa": _SOCKET + "reply = b'{{\"__dict__\": [[\"ok\", true]]}}'  # the worker's \"cell done\", as workbook_grader.wire encodes it\n"
                                              "chan.sendall(struct.pack('>Q', len(reply)) + reply)\n"
                                              "time.sleep(3600)\n"}},
              {"check-kappa": ("0", "after solution cell `answer-kappa`")}),
    # 3. a message within the size limit that would decode to ~1 GiB of empty lists: refused before decoding
    "flood": ({KAPPA: {"answer-kappa": _SOCKET + "body = b'[' + b'[],' * (5 * 2 ** 20) + b'[]]'\n"
                                              "chan.sendall(struct.pack('>Q', len(body)) + body)\ntime.sleep(3600)\n"}},
              {"check-kappa": ("0", "JSON values exceeds")}),
    # 4. two children of 300 MiB each (each within its own address-space limit) under a 0.5 GiB limit: the memory
    # limit holds for the whole sandbox (the kernel kills one, after 1-4 s of reclaim here: two, not four)
    "fork-memory": ({KAPPA: {"answer-kappa": (
        "import os, time\nchildren = []\nfor _ in range(2):\n    pid = os.fork()\n    if pid == 0:\n"
        "        block = numpy.ones(300 * 2 ** 20 // 8)\n        time.sleep(0.3)\n        os._exit(0)\n"
        "    children.append(pid)\n"
        "killed = sum(os.WIFSIGNALED(os.waitpid(pid, 0)[1]) for pid in children)\n"
        "raise RuntimeError('%d of 2 children were killed' % killed)\n")}},
        {"check-kappa": ("0", "children were killed")}),
    #    and twelve files of 32 MiB: the disk limit holds for all files together
    "disk-fill": ({KAPPA: {"answer-kappa": (
        "for i in range(12):\n    with open('fill-%d' % i, 'wb') as f:\n        f.write(bytes(32 * 2 ** 20))\n")}},
        {"check-kappa": ("0", "No space left on device")}),
    # 5. SysV shared memory: the note another process left is out of reach, the segment made here dies with it
    "shared-ipc": ({KAPPA: {"answer-kappa": _LIBC + (
        "mine = libc.shmget(%d, 2 ** 20, 0o1600)\n" % SHM_LEFT_KEY
        + "ctypes.memmove(libc.shmat(mine, None, 0), b'left for the next student', 25)\n"
        "found = libc.shmget(%d, 0, 0)\n" % SHM_NOTE_KEY
        + "if found >= 0:\n"
        "    raise RuntimeError('read the note: %r' % ctypes.string_at(libc.shmat(found, None, 0), 25))\n"
        "raise RuntimeError('no shared segment (errno %d)' % ctypes.get_errno())\n")}},
        {"check-kappa": ("0", "no shared segment")}),
    # 6. 1 100 nested folders with a 32 MiB file at the bottom: graded normally, nothing left behind
    "deep-folders": ({KAPPA: {"answer-kappa": RIGHT_KAPPA + (
        "import os\nhome = os.getcwd()\nfor _ in range(1100):\n    os.mkdir('deep')\n    os.chdir('deep')\n"
        "with open('bottom', 'wb') as f:\n    f.write(bytes(32 * 2 ** 20))\nos.chdir(home)\n")}},
        {}),
    #    and what a sandbox starts with setsid and a double fork ends with it (its PID namespace), graded normally
    "orphan": ({KAPPA: {"answer-kappa": RIGHT_KAPPA + (
        "import ctypes, os, time\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n"
        "        ctypes.CDLL('libc.so.6').prctl(15, %r, 0, 0, 0)  # PR_SET_NAME\n        time.sleep(3600)\n"
        "    os._exit(0)\nos.wait()\n" % ORPHAN.encode())}},
        {}),
    # 7. an error text holding a line that reads like another student's flag: it stays on the forger's line
    "forge-log": ({KAPPA: {"answer-kappa": (
        "raise ValueError('MemoryError\\n[flag] correct/ps1/03-hessian-conditioning: `kappa` uses the reference "
        "implementation `utils.conditioning.condition_number`\\r\\x1b[2K')\n")}},
        {"check-kappa": ("0", "MemoryError")}),
    #    and a student id that is a spreadsheet formula and holds a line break: a plain cell, one log line
    "=1+2\n[flag] correct: forged": ({KAPPA: {"answer-kappa": "import os\nos._exit(5)\n"}},
                                      {"check-kappa": ("0", "exit code 5")}),
    # 8. round 1 shows the three secret cases in its feedback; round 2 (student `exfiltrate`) answers them from a
    # table built from round 1's cases: the changed submission gets fresh cases, so the table misses
    "exfiltrate-round1": ({KAPPA: {"answer-kappa-general": (
        "seen = []\ndef kappa_general(mu, Sigma):\n    seen.append((mu.tolist(), Sigma.tolist()))\n"
        "    if len(mu) == 4:  # the check's last case (the notebook's own cells call it on d = 2 before)\n"
        "        raise ValueError('cases ' + repr(seen))\n    return 1.0\n")}},
        {"check-kappa-general": ("0", "cases [([")}),
    "exfiltrate": ({KAPPA: {"answer-kappa-general": (
        "TABLE = {table}\ndef kappa_general(mu, Sigma):\n    return TABLE.get(round(float(mu[0]), 9), 1.0)\n")}},
        {"check-kappa-general": ("0", "kappa_general: on (")}),
    # 9. two ids that sanitise to the same file name: two feedback pages, both reported
    "ann lee": ({KAPPA: {}}, {}),
    "ann_lee": ({KAPPA: {}}, {}),
}

# round 1 of "exfiltrate": its source, for the table of round 2 (the same student's first submission)
EXFILTRATE_ROUND1 = SANDBOX_RED_TEAM["exfiltrate-round1"][0]

MISTAKES = {
    "mistakes": ({HESSIAN: {"answer-hessian": "def hessian(mu, sigma):\n    return numpy.diag(mu ** 2) + sigma ** 2 * numpy.eye(len(mu))\n",
                            "answer-kappa": "def kappa(mu, sigma):\n    return (mu @ mu) / sigma ** 2\n"},
                  BACKWARD: {"answer-backward": (
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


def write_student(submitted, student, sources, entry, course, port=9, assignment="ps1", **fields):
    """submitted/STUDENT/ASSIGNMENT/: the notebooks `entry` touches (entry: {stem: {grade_id: source}}),
    sources formatted with `course` (the course folder a hostile cell aims at), `port` (a TCP port on
    127.0.0.1 it tries to reach) and `fields`. Returns the paths written."""
    paths = []
    for stem, cells in entry.items():
        target = Path(submitted) / student / assignment / f"{stem}.ipynb"
        write_submission(Path(sources) / f"{stem}.ipynb", target,
                         {gid: src.format(course=str(course), port=port, **fields) for gid, src in cells.items()})
        paths.append(target)
    return paths

