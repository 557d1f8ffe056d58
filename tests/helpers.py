"""Helpers shared by the test modules: a test module imports these, never another test module (pytest's settings,
hooks and fixtures are in conftest.py).

- A missing dependency skips, or fails in CI (`require`); an exact message (`whole`); an error that names the
  argument (`raises_naming`), at the limits of the argument (`check_limits`).
- What a student sees when an exercise check fails: CheckFailed's message, and no frame of the checks' own code.
  IPython (JupyterLab, and nbgrader's kernel) leaves out of a traceback every frame whose local `__tracebackhide__`
  is true, except the last, the one that raised. A frame of utils/checks shown there would bury the message under
  the checks' internals.
- Answers written for the tests, independently of utils (notebooks 02 and 04), right by default with switches that
  plant one mistake each.
- What the grader's deny list lets through (`leaks`), colours and pixels of figures, and the browser harness's
  functions (its fixtures `lab`, `chromium` and `site` are in conftest.py).
"""
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest

from conftest import IN_CI
from utils import checks
from utils.checks import _deny

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))


def require(condition, why):
    """Skip with `why` when `condition` is false; in CI (CI=true) a missing dependency fails instead."""
    if not condition:
        if IN_CI:
            pytest.fail(f"required in CI: {why}")
        pytest.skip(why)


def whole(message):
    """A pattern for pytest's `match=` that matches `message` exactly, the whole of it."""
    return "^" + re.escape(message) + "$"


@contextmanager
def raises_naming(*words, exc=(TypeError, ValueError)):
    """pytest.raises(exc) whose message holds each of `words` as a whole word, case and all: "XXhiddenXX",
    "hidden_units" or "HIDDEN" do not name `hidden` (a student reads the message to find the argument)."""
    with pytest.raises(exc) as info:
        yield info
    message = str(info.value)
    for word in words:
        assert re.search(rf"(?<!\w){re.escape(word)}(?!\w)", message), f"{word!r} not named in: {message!r}"


def check_limits(function, arg, accepted, rejected, **valid):
    """function(**valid, arg=v) runs for every v in `accepted` (the limits themselves) and raises an error
    naming `arg` for every v in `rejected` (just past them)."""
    for value in accepted:
        function(**{**valid, arg: value})
    for value in rejected:
        with raises_naming(arg, exc=ValueError):
            function(**{**valid, arg: value})


def have(executable):
    return shutil.which(executable) is not None


def shown_check_frames(excinfo):
    """The frames of utils/checks that IPython would show in the traceback of `excinfo` (a pytest ExceptionInfo)."""
    return [f"{Path(e.path).name}:{e.lineno + 1} in {e.name}" for e in list(excinfo.traceback)[:-1]
            if Path(e.path).parent.name == "checks" and Path(e.path).parent.parent.name == "utils"
            and not e.frame.f_locals.get("__tracebackhide__")]


def fails_with(check, answer, pattern):
    """check(answer) raises CheckFailed matching `pattern`, with only the message to read."""
    with pytest.raises(checks.CheckFailed, match=pattern) as excinfo:
        check(answer)
    assert not shown_check_frames(excinfo), shown_check_frames(excinfo)
    return excinfo


GRADER_SEED = 20261206  # a grader's seed: other cases than any notebook's


def named_with_a_graders_seed(gid, wrong, pattern):
    """The judge of exercise `gid`, sent what its collect records of the mistaken function `wrong` on the cases of a
    grader's seed (across the grader's wire, as plain data), raises CheckFailed matching `pattern`. Each topic's
    test_<topic>_checks.py calls it for the exercises of its notebook, from a dict named GRADERS_SEED_MISTAKES
    (tests/workbook/test_exercises.py checks that every declared exercise has an entry in one)."""
    from workbook_grader import wire

    exercise = checks.EXERCISES[gid]
    inputs = exercise.cases(GRADER_SEED)
    across = wire.loads(wire.dumps({"inputs": inputs, "answers": exercise.collect(wrong, inputs)}))
    with pytest.raises(checks.CheckFailed, match=pattern):
        exercise.judge(across["inputs"], across["answers"])


def judged(exercise, cases, answers):
    """What a grader's judge says of recorded `answers` (plain data) on `cases`: "✓ …" or CheckFailed's message."""
    try:
        return exercise.judge(cases, answers)
    except checks.CheckFailed as exc:
        return str(exc)


def recorded(exercise, answer):
    """The notebook's cases of `exercise` and the records its collect makes of `answer` (the student's function)."""
    cases = exercise.cases(exercise.seed)
    return cases, exercise.collect(answer, cases)


def notebook_solutions(path):
    """{function name: object} that the solution cells of the notebook at `path` define, run after its first code
    cell (the imports) in a fresh namespace: the instructor's right answers, as a student would submit them."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    namespace = {"__name__": "__main__"}
    exec(compile(code[0].source, f"<{Path(path).name} imports>", "exec"), namespace)
    before = set(namespace)
    for cell in code:
        if cell.metadata.get("nbgrader", {}).get("solution"):
            try:
                exec(compile(cell.source, f"<{cell.metadata['nbgrader']['grade_id']}>", "exec"), namespace)
            except NameError:  # a line after the definitions uses the notebook's data (X, W, ...): not needed here
                pass
    return {name: value for name, value in namespace.items() if name not in before}


# ---- notebook 02: the tanh network's gradients, written here ----------------------------------------------------

def fwd(x, w):
    """The forward pass, written here on its own. numpy.tanh also works on the checks' counting numbers."""
    x1, x2 = x
    f = {"x1": x1, "x2": x2, "z3": x1 * w["w13"] + x2 * w["w23"], "z4": x1 * w["w14"] + x2 * w["w24"]}
    f["a3"], f["a4"] = np.tanh(f["z3"]), np.tanh(f["z4"])
    f["z5"] = f["a3"] * w["w35"] + f["a4"] * w["w45"]
    f["z6"] = f["a3"] * w["w36"] + f["a4"] * w["w46"]
    f["a5"], f["a6"] = np.tanh(f["z5"]), np.tanh(f["z6"])
    return f


def sl(f, u, kind="right"):
    """The slope of unit u: right 1 - a², or a mistaken variant."""
    a, z = f["a" + u], f["z" + u]
    return {"right": lambda: 1 - a * a, "none": lambda: 1, "1-a": lambda: 1 - a, "1-z2": lambda: 1 - z * z,
            "1+a2": lambda: 1 + a * a}[kind]()


def dw24(kind="right", paths=2):
    def fn(x, w):
        f = fwd(x, w)
        second = w["w45"] * sl(f, "5", kind) + (w["w46"] * sl(f, "6", kind) if paths == 2 else 0)
        return f["x2"] * sl(f, "4", kind) * second
    return fn


def dw46(x, w):
    return (lambda f: f["a4"] * (1 - f["a6"] ** 2))(fwd(x, w))


def bw(kind="right", one_path=False, transposed=False, swap_inputs=False, swap_units=False, own=False, sign=1,
       at="3456", one_path_at="34", out4=("w45", "w46"), carried="a4"):
    """A backward pass written here, right by default, with one mistake per flag (`kind` of slope at the units
    `at`, one path only in the δ of the units `one_path_at`; out4: the weights δ4 sums over; carried: what w45, w46 carry)."""
    def fn(x, w):
        f = fwd(x, w)
        k = {u: kind if u in at else "right" for u in "3456"}
        d5, d6 = sl(f, "5", k["5"]), sl(f, "6", k["6"])
        to5_from3, to6_from3 = (w["w35"], w["w45"]) if transposed else (w["w35"], w["w36"])
        to5_from4, to6_from4 = (w["w36"], w["w46"]) if transposed else (w[out4[0]], w[out4[1]])
        d3 = sl(f, "3", k["3"]) * (to5_from3 * d5 + (0 if one_path and "3" in one_path_at else to6_from3 * d6))
        d4 = sl(f, "4", k["4"]) * (to5_from4 * d5 + (0 if one_path and "4" in one_path_at else to6_from4 * d6))
        if swap_units:
            d3, d4, d5, d6 = d4, d3, d6, d5
        x1, x2 = (f["x2"], f["x1"]) if swap_inputs else (f["x1"], f["x2"])
        a3, a4 = f["a3"], f[carried]
        g = {"w13": (a3 if own else x1) * d3, "w23": (a3 if own else x2) * d3,
             "w14": (a4 if own else x1) * d4, "w24": (a4 if own else x2) * d4,
             "w35": (f["a5"] if own else a3) * d5, "w45": (f["a5"] if own else a4) * d5,
             "w36": (f["a6"] if own else a3) * d6, "w46": (f["a6"] if own else a4) * d6}
        return {k: sign * v for k, v in g.items()}
    return fn


def separately(x, w):
    """Every gradient by its own chain-rule product (right values, redundant work)."""
    f = fwd(x, w)
    g = {}
    for i, xi in (("1", f["x1"]), ("2", f["x2"])):
        for j in "34":
            g[f"w{i}{j}"] = xi * sl(f, j) * (w[f"w{j}5"] * sl(f, "5") + w[f"w{j}6"] * sl(f, "6"))
    for i in "34":
        for j in "56":
            g[f"w{i}{j}"] = f["a" + i] * sl(f, j)
    return g


def partly_shared(x, w):
    """Shares δ5 and δ6 but re-derives δ3 and δ4 (4 multiplications each) for both of their weights: 8 more."""
    f = fwd(x, w)
    d5, d6 = sl(f, "5"), sl(f, "6")
    g = {f"w{i}{j}": f["a" + i] * d for i in "34" for j, d in (("5", d5), ("6", d6))}
    for i, xi in (("1", f["x1"]), ("2", f["x2"])):
        for j in "34":
            g[f"w{i}{j}"] = xi * ((1 - f["a" + j] ** 2) * (w[f"w{j}5"] * d5 + w[f"w{j}6"] * d6))
    return g


VALUE_SRC = '''
class Value:
    def __init__(self, data, parents=()):
        self.data, self.grad, self._parents, self._backward = float(data), 0.0, parents, lambda: None

    def _wrap(self, other):
        return other if isinstance(other, Value) else Value(other)

    def __add__(self, other):
        other = self._wrap(other)
        out = Value(self.data + other.data, (self, other))
        def _backward():
            self.grad += out.grad
            other.grad += out.grad
        out._backward = _backward
        return out
    __radd__ = __add__

    def __mul__(self, other):
        other = self._wrap(other)
        out = Value(self.data * other.data, (self, other))
        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
        out._backward = _backward
        return out
    __rmul__ = __mul__

    def tanh(self):
        a = math.tanh(self.data)
        out = Value(a, (self,))
        def _backward():
            self.grad += (1 - a * a) * out.grad
        out._backward = _backward
        return out

    def backward(self):
        order, seen = [], set()
        def visit(v):
            if id(v) not in seen:
                seen.add(id(v))
                for p in v._parents:
                    visit(p)
                order.append(v)
        visit(self)
        self.grad = 1.0
        for v in reversed(order):
            v._backward()
'''


def value_class(*replacements):
    """The Value class above (an independent engine, math.tanh), with (old, new) text replacements."""
    import math

    src = VALUE_SRC
    for old, new in replacements:
        assert old in src
        src = src.replace(old, new)
    namespace = {"math": math}
    exec(src, namespace)
    return namespace["Value"]


def expected_counts(depth, width):
    """Multiplications after the forward pass, derived by hand for `depth` tanh layers of `width` units fed by
    `width` inputs, y = the sum of the last layer.

    Backprop: a last-layer δ = 1 - a² costs 1; an earlier δ = (1 - a²) Σ_k w δ_k costs 1 (square) + width
    (w δ_k) + 1 (times the slope); each of the depth·width² weights costs 1 (a_i δ_j).
    Separately: C(l), the cost of re-deriving one δ of layer l, is 1 at the last layer and
    2 + width (1 + C(l + 1)) below; each weight into layer l costs C(l) + 1.
    """
    backprop = width + (depth - 1) * width * (width + 2) + depth * width ** 2
    C = {depth: 1}
    for l in range(depth - 1, 0, -1):
        C[l] = 2 + width * (1 + C[l + 1])
    naive = sum(width ** 2 * (C[l] + 1) for l in range(1, depth + 1))
    return {"backprop": backprop, "naive": naive}


# ---- notebook 04: backward pass, SGD and nn.Sequential, written here --------------------------------------------

def written_backward(X, T, W, B, deriv=lambda Z, A: Z > 0, act=lambda Z: np.maximum(Z, 0), scale=None,
                     bias_sum=lambda d: d.sum(axis=0), skip_mask_at=None, transpose=True):
    """A backward pass written for the test, with switches that plant one mistake each."""
    Z, A = [], [X]
    for l in range(len(W)):
        Z.append(A[-1] @ W[l] + B[l])
        A.append(act(Z[-1]) if l < len(W) - 1 else Z[-1])
    delta = (scale(len(X)) if scale else 2 / len(X)) * (A[-1] - T)
    DW, DB = [None] * len(W), [None] * len(W)
    for l in reversed(range(len(W))):
        DW[l], DB[l] = A[l].T @ delta, bias_sum(delta)
        if l > 0:
            back = delta @ (W[l].T if transpose or W[l].shape[0] != W[l].shape[1] else W[l])
            delta = back if skip_mask_at == l else back * deriv(Z[l - 1], A[l])
    return DW, DB


def where(l):
    """The message part that names the first wrong layer, counted from the output (l as in the notebook's code:
    layer l has W[l], B[l]; layer 3 is the output layer)."""
    tail = ", the output layer" if l == 3 else ""
    return rf"layer {l} \(W\[{l}\], B\[{l}\]{tail}\) is the first layer, counted from the output, whose gradient is wrong"


def sgd(net, X, T, eta, batch_size, steps, zero="before", batch="advance", sign=1, optimizer=False, loss="mean",
        record="before", biases=True, rows=None):
    """Mini-batch SGD written for the test, with switches that plant one mistake each; `rows`: the first row of each
    step's batch, planted."""
    import torch

    opt = torch.optim.SGD(net.parameters(), lr=sign * eta) if optimizer else None
    losses = []
    N, rng = len(X), np.random.default_rng(5)
    for k in range(steps):
        i = {"same": 0, "no mod": k * batch_size, "offset": ((k + 1) * batch_size) % N,
             "batch number": k % (N // batch_size), "random": int(rng.integers(N // batch_size)) * batch_size,
             "short": (k * batch_size + 10) % N, "one-based": (k * batch_size) % N + 1}.get(batch, (k * batch_size) % N)
        i = i if rows is None else rows[k]
        Xb, Tb = (X, T) if batch == "full" else (X[i:i + batch_size], T[i:i + batch_size])
        if zero == "before":
            net.zero_grad()
        error = ((net(Xb) - Tb) ** 2).sum() if loss == "sum" else ((net(Xb) - Tb) ** 2).mean()
        error.backward()
        if record == "before":
            losses.append(error.item())
        elif record == "tensor":
            losses.append(error)
        if zero == "after backward":
            net.zero_grad(set_to_none=False)
        if opt:
            opt.step()
        else:
            with torch.no_grad():
                for p in net.parameters():
                    if biases or p.dim() > 1:
                        p -= sign * eta * p.grad
        if record == "after":
            with torch.no_grad():
                losses.append(((net(Xb) - Tb) ** 2).mean().item())
    return losses


def sequential(W, B, load=lambda w: w.T, relu=True, dtype=None, load_bias=True, relu_last=False):
    """nn.Sequential of the network (W, B) written for the test (dtype None: float64), with switches that plant one
    mistake each."""
    import torch

    dtype = torch.float64 if dtype is None else dtype
    layers = []
    for l, (w, b) in enumerate(zip(W, B)):
        lin = torch.nn.Linear(*w.shape).to(dtype)
        with torch.no_grad():
            if load:
                lin.weight.copy_(torch.tensor(load(w)))
            if load_bias:
                lin.bias.copy_(torch.tensor(b))
        layers.append(lin)
        if (relu and l < len(W) - 1) or (relu_last and l == len(W) - 1):
            layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers)


def with_layer(l, DW=None, DB=None):
    """The right gradient (the test's own backward pass) with layer l's DW and/or DB replaced by f(right)."""
    def answer(*a):
        W_, B_ = written_backward(*a)
        if DW:
            W_[l] = DW(W_[l], a)
        if DB:
            B_[l] = DB(B_[l], a)
        return W_, B_
    return answer


# ---- the deny list (utils.checks._deny) ---------------------------------------------------------------------------

def forget_deny_list():
    """Clear the deny list's caches, so that the next call works it out again from ALLOWED and the modules' source."""
    for cached in (_deny.allowed_names, _deny.denied_names):
        cached.cache_clear()


def leaks(exercises=None, allowed=None):
    """[(exercise grade_id, dotted name)] of every allowed callable of the package that an exercise's judge accepts
    as the student's function: called by the exercise's own collect on its cases (wherever its signature fits),
    with the denied names suspended as in a check."""
    import warnings

    import matplotlib
    import matplotlib.pyplot as plt

    exercises = checks.EXERCISES if exercises is None else exercises
    names = sorted(_deny.allowed_names() if allowed is None else allowed)
    found = []
    for dotted in names:
        if "__mutmut_" in dotted:  # `make mutate`'s copies of an allowed function: the function itself is tried
            continue
        module, _, name = dotted.rpartition(".")
        value = getattr(_deny.modules()[module], name)
        if not callable(value) or isinstance(value, checks.Exercise):
            continue
        for gid, exercise in exercises.items():
            inputs = exercise.cases(exercise.seed)
            # every allowed callable on every exercise's cases: most of these calls make no sense (numpy's
            # "invalid value" warnings among them), and only what a judge accepts matters
            with matplotlib.rc_context(), warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                try:
                    with _deny.suspended():
                        answers = exercise.collect(value, inputs)
                    exercise.judge(inputs, answers)
                except Exception:  # noqa: BLE001 - refused in any way: no leak
                    continue
                finally:
                    plt.close("all")
            found.append((gid, dotted))
    return found


# ---- colours and pixels of figures --------------------------------------------------------------------------------

def relative_luminance(hex_colour):
    """WCAG 2.1's relative luminance of #rrggbb."""
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b):
    high, low = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def pixels(png):
    """The RGB pixels of PNG bytes."""
    import io

    from PIL import Image

    assert png[:8] == PNG_MAGIC
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


CSS_PX_PER_PT = 96 / 72


def smallest_text_px(view):
    """The smallest visible tick label, axis label or title of the view's last frame, in pixels of its PNG.
    (Text a view sizes itself, such as its legends, is left to the view: see the report of issue 16.)"""
    fig = view.live.fig
    texts = []
    for ax in fig.axes:
        if ax.axison:
            texts += ax.get_xticklabels() + ax.get_yticklabels() + [ax.xaxis.label, ax.yaxis.label]
        texts += [ax.title, ax._left_title, ax._right_title]
    sizes = [t.get_fontsize() for t in texts if t.get_visible() and t.get_text().strip()]
    return min(sizes) * fig.dpi / 72


# ---- the browser harness (JupyterLab, presentation mode, slides and site in headless Chromium) -------------------

ARTIFACTS = ROOT / "artifacts" / "failures"


def save_failure_artifacts(nodeid, page, lab_log=None, folder=ARTIFACTS):
    """Keep what explains a failed browser test: a screenshot of `page` and the last 50 lines of the
    JupyterLab log `lab_log`, under `folder`. Returns lines naming what was saved (and what could not be)."""
    folder.mkdir(parents=True, exist_ok=True)
    stem = re.sub(r"[^\w.-]+", "_", nodeid.split("::", 1)[-1])
    saved = []
    shot = folder / f"{stem}.png"
    try:
        page.screenshot(path=str(shot), full_page=False)
        saved.append(f"screenshot: {shot}")
    except Exception as exc:  # the page may be gone: say so rather than hide the test's own failure
        saved.append(f"screenshot: could not be taken ({type(exc).__name__}: {exc})")
    if lab_log is not None and Path(lab_log).is_file():
        tail = folder / f"{stem}.lab.log"
        tail.write_text("\n".join(Path(lab_log).read_text(errors="replace").splitlines()[-50:]) + "\n")
        saved.append(f"JupyterLab log (last 50 lines): {tail}")
    dialogs = getattr(page, "dialogs_seen", [])
    if dialogs:
        saved.append("JupyterLab dialogs seen: " + " | ".join(dialogs))
    return saved


SCREENSHOTS = ROOT / "artifacts" / "screenshots"


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def jupyter_env(home):
    """The environment with every Jupyter/IPython/matplotlib config folder under `home` and the venv on PATH."""
    return {**os.environ, "JUPYTER_CONFIG_DIR": str(home / "config"), "JUPYTER_DATA_DIR": str(home / "data"),
            "JUPYTER_RUNTIME_DIR": str(home / "runtime"), "IPYTHONDIR": str(home / "ipython"),
            "MPLCONFIGDIR": str(home / "mpl"), "PATH": str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"]}


def launch_chromium(p):
    """Headless /usr/bin/chromium through Playwright `p`, with nothing reaching for the network on its own."""
    return p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
        "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"])


@contextmanager
def jupyter_lab(tmp_path):
    """JupyterLab on 127.0.0.1 (random port and token) over a copy of the notebooks in `tmp_path`, every config
    folder there too; yields {"base", "token", "dir", "log"} and stops it by its own PID."""
    require(have("chromium"), "chromium is not installed: apt-get install chromium")
    try:
        import playwright  # noqa: F401
    except ImportError:
        require(False, "playwright is not installed: pip install -r requirements.txt")
    work = tmp_path / "notebooks"
    shutil.copytree(ROOT / "notebooks", work, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    home = tmp_path / "home"
    env = jupyter_env(home)
    # No news toast, no update checks: they would cover widgets and reach for the network.
    (home / "config" / "labconfig").mkdir(parents=True)
    (home / "config" / "labconfig" / "page_config.json").write_text(json.dumps(
        {"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}}))
    port, token = free_port(), secrets.token_hex(16)
    cmd = [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ip", "127.0.0.1", f"--port={port}",
           f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={work}", "--LabApp.news_url=",
           "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    if os.geteuid() == 0:
        cmd.append("--allow-root")
    log = open(tmp_path / "lab.log", "w")
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=work)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if proc.poll() is not None or time.time() > deadline:
                    raise RuntimeError("JupyterLab did not start: " + (tmp_path / "lab.log").read_text()[-2000:])
                time.sleep(0.3)
        yield {"base": base, "token": token, "dir": work, "log": tmp_path / "lab.log"}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@contextmanager
def headless_chromium():
    """Headless Chromium through Playwright, closed at the end."""
    require(have("chromium"), "chromium is not installed: apt-get install chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require(False, "playwright is not installed: pip install -r requirements.txt")
    with sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            yield browser
        finally:
            browser.close()


def slider(page, description):
    return page.locator(".widget-slider", has=page.locator(f'.widget-label:text-is("{description}")')).first


def readout(page, description):
    # text_content works off-screen too; ipywidgets writes a typographic minus sign
    text = slider(page, description).locator(".widget-readout").text_content()
    return float(text.replace("\u2212", "-"))


def wait_for_change(page, locator, before, timeout=20.0):
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        now = locator.inner_text() if hasattr(locator, "inner_text") else locator()
        if now != before:
            return time.perf_counter() - start
        page.wait_for_timeout(20)
    raise AssertionError(f"output did not change within {timeout} s")


def widget_output(page):
    """The first widget's output area and the locator of its printed text, once rendered."""
    out = page.locator(".widget-output").first
    out.scroll_into_view_if_needed()
    text = out.locator("pre").last
    text.wait_for()
    return out, text


def image_src(output):
    return output.locator("img").first.get_attribute("src")


def press(page, description, key, times=1):
    handle = slider(page, description).locator(".noUi-handle")
    handle.scroll_into_view_if_needed()
    handle.focus()
    for _ in range(times):
        page.keyboard.press(key)


def kappa_printed(text):
    return float(re.search(r"kappa = ([\d.]+)", text).group(1))


def screenshot(page, name, show=None):
    """Save what the student sees, scrolled to `show` (a locator) when given."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    if show is not None:
        show.scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / name), full_page=False)


def need_node_modules():
    require((ROOT / "node_modules" / "mathjax").is_dir(), "node_modules is missing: npm ci --no-audit --no-fund")


def offline_page(browser, allow=("file://", "data:")):
    """A 1280x800 page (a common projector) that may load only URLs starting with `allow`; returns (page, list of
    blocked or failed requests and script errors)."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    bad = []

    def route(r):
        if r.request.url.startswith(allow + ("data:",)):
            r.continue_()
        else:
            bad.append(("blocked", r.request.url))
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.on("requestfailed", lambda r: bad.append(("failed", r.url)))
    page.on("pageerror", lambda e: bad.append(("script error", str(e))))
    return page, bad


def start_present(tmp_path, number):
    """scripts/present.py `number` on a free port, its output in tmp_path/present.log (a pipe nobody reads could
    fill and stall voila); returns (process, url, seconds until it printed its URL)."""
    port = free_port()
    log_path = tmp_path / "present.log"
    start = time.perf_counter()
    with open(log_path, "w") as log:
        proc = subprocess.Popen([sys.executable, str(ROOT / "scripts" / "present.py"), number, "--port", str(port)],
                                env=jupyter_env(tmp_path / "home"), cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    while time.perf_counter() - start < 90 and proc.poll() is None:
        found = re.search(r"^Presenting .* at (http://\S+)", log_path.read_text(), re.M)
        if found:
            assert found.group(1) == f"http://127.0.0.1:{port}/"
            return proc, found.group(1), time.perf_counter() - start
        time.sleep(0.1)
    stop(proc)
    raise AssertionError("present.py did not print its URL:\n" + log_path.read_text()[-3000:])


def stop(proc):
    proc.terminate()  # present.py stops voila on SIGTERM
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


TYPESET = "() => window.MathJax && MathJax.startup && MathJax.startup.promise.then(() => true)"
