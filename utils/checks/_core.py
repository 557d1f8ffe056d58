"""What every exercise check shares: the Exercise protocol, CheckFailed and the answer validators.

An exercise is checked in three steps, so that a grader can keep the judging away from the
student's code (see `Exercise`). In the notebook, `run(exercise, fn)` does all three in the
student's kernel and prints "✓ ..." or raises CheckFailed (an AssertionError, so nbgrader scores
the cell 0) whose message names the mistake when it recognises one. Malformed answers (None, NaN,
a list, a wrong type, an exception inside the student's function) get a message too, never a
traceback from inside numpy.
"""
from dataclasses import dataclass
from functools import partial
from typing import Any, Callable

import numpy as np

RTOL = 1e-6


class CheckFailed(AssertionError):
    """The answer is not right yet; the message says what is wrong."""


from ._answers import describe, number  # noqa: E402  (they raise CheckFailed through _fail, defined below)


REGISTRY = {}  # grade_id of the nbgrader grade cell -> its Exercise, filled as the checks modules declare them


@dataclass(frozen=True)
class Exercise:
    """One exercise, declared once in its notebook's checks module: `check_x = Exercise("check-x", "x", ...)`.
    Calling it, `check_x(fn)`, is the notebook's check; the grader finds it by grade_id in REGISTRY.

    grade_id  the grade_id of the notebook's grade cell that calls it (nbgrader metadata).
    function  the name the student's solution cell defines (e.g. "backward").
    cases     cases(seed) -> inputs. Plain data only: numbers, strings, numpy arrays, and lists, tuples
              and dicts of them. Made on the trusted side; the notebook uses `seed`, a grader its own.
    collect   collect(fn, inputs) -> answers. Calls the student's function on the inputs and returns
              plain data (as above) and nothing else: no functions, no tensors, no modules. It runs beside
              the student's code, so it may be replaced by them; it may raise CheckFailed for an answer
              it cannot even record (not a function, NotImplementedError, not a tensor, ...).
    judge     judge(inputs, answers) -> the "✓" message, or raises CheckFailed naming the mistake.
              Runs on the trusted side: it verifies `answers` itself (they may be anything).
    While the student's function runs (in `collect`), every name of the package that computes or holds an answer
    raises ReferenceImplementationUsed, in the notebook as in the grader's sandbox (see `_deny`).
    """
    grade_id: str
    function: str
    cases: Callable[[int], Any]
    collect: Callable[[Callable, Any], Any]
    judge: Callable[[Any, Any], str]
    seed: int = 0

    def __post_init__(self):
        for field in ("grade_id", "function"):
            if not isinstance(getattr(self, field), str):
                raise TypeError(f"{field} must be a string; got {type(getattr(self, field)).__name__}")
        known = REGISTRY.get(self.grade_id)
        if known is not None and (known.function, known.module) != (self.function, self.module):
            raise ValueError(f"grade_id {self.grade_id!r} is declared twice: for `{known.function}` in "
                             f"{known.module} and for `{self.function}` in {self.module}")
        REGISTRY[self.grade_id] = self  # a module imported again (importlib.reload) declares it anew

    @property
    def module(self):
        """The checks module that declares the exercise (the module of its judge)."""
        judge = self.judge.func if isinstance(self.judge, partial) else self.judge
        return judge.__module__

    def __call__(self, fn):
        """The in-notebook check of `fn`: prints "✓ ..." or raises CheckFailed."""
        __tracebackhide__ = True
        run(self, fn)


def exercises_of(module):
    """{grade_id: Exercise} of the exercises `module` (a checks module, or its name) declares, in declaration order."""
    name = module if isinstance(module, str) else module.__name__
    return {gid: ex for gid, ex in REGISTRY.items() if ex.module == name}


# Every function on the way from run() to a CheckFailed sets __tracebackhide__: IPython then shows the student the
# message and the one frame that raised it, not the checks' internals. A comprehension has a frame of its own in
# Python 3.11 that cannot be hidden, so loops that call the student's code or validate its answers are for-loops.

def run(exercise, fn):
    """The in-notebook check: cases, collect (the package's answers suspended, as in the grader) and judge in this
    kernel; prints "✓ ..." or raises CheckFailed."""
    __tracebackhide__ = True
    from ._deny import suspended

    inputs = exercise.cases(exercise.seed)
    with suspended():
        answers = exercise.collect(fn, inputs)
    _ok(exercise.judge(inputs, answers))


def _fail(message):
    __tracebackhide__ = True  # IPython hides this frame: the student sees the message, not our internals
    raise CheckFailed(message)


def _ok(message):
    print("✓ " + message)


def _call(fn, name, *args, case=None):
    """Call the student's function, turning any exception into a message that says on which case it happened:
    `case` describes it ("the 3-5-4-1 network"), or the arguments are described briefly."""
    __tracebackhide__ = True
    if not callable(fn):
        _fail(f"{name} must be a function; got {type(fn).__name__}")
    try:
        return fn(*args)
    except NotImplementedError:
        _fail(f"{name} is not written yet: replace `raise NotImplementedError()` with your code")
    except Exception as exc:  # the student's code failed: say how, briefly, and on what
        _fail(f"{name} raised {type(exc).__name__}: {exc} (on {case or arguments(args)})")


def arguments(args):
    """A short description of a call's arguments for messages, with the values of small arrays so that a student
    can reproduce the case: "(2.5, [1., -0.5], array of shape (3, 4))"."""
    return "(" + ", ".join(_argument(a) for a in args) + ")"


def _values(nested):
    """[[1, 0.45], [0.45, 0.25]]: a small array's values, 6 significant digits."""
    return "[" + ", ".join(_values(v) if isinstance(v, list) else f"{v:.6g}" for v in nested) + "]"


def _argument(a):
    if isinstance(a, (bool, int, float, np.number)):
        return f"{float(a):.6g}" if not isinstance(a, bool) else str(a)
    if hasattr(a, "shape") and hasattr(a, "dtype"):
        if a.ndim == 0:
            return f"{float(a):.6g}"
        if a.size <= 9 and np.issubdtype(a.dtype, np.number):  # small enough to reproduce the case by hand
            return _values(np.asarray(a, dtype=float).tolist())
        return f"array of shape {tuple(a.shape)}"
    if isinstance(a, dict):
        return "{" + ", ".join(f"{k}: {_argument(v)}" for k, v in list(a.items())[:8]) + (", ...}" if len(a) > 8 else "}")
    if isinstance(a, (list, tuple)):
        if len(a) <= 4 and all(isinstance(v, (int, float, np.number)) for v in a):
            return "(" + ", ".join(_argument(v) for v in a) + ("," if len(a) == 1 else "") + ")"
        return f"{type(a).__name__} of length {len(a)}"
    return type(a).__name__


def _close(a, b, rtol=RTOL):
    return np.allclose(a, b, rtol=rtol, atol=rtol * max(1e-12, float(np.max(np.abs(b)))))


def _ratio_hint(name, got, want, n_samples=None):
    """A message when `got` is a constant multiple of `want` (a missing factor or a sign), else None."""
    mask = np.abs(want) > 1e-12 * max(1e-300, float(np.max(np.abs(want))))
    if not np.any(mask):
        return None
    ratios = got[mask] / want[mask]
    r = float(np.median(ratios))
    if r == 0 or not np.allclose(ratios, r, rtol=1e-6):
        return None
    named = {-1.0: "has the wrong sign: check the order in (Y - T)",
             0.5: "is half the right value: the factor 2 from the derivative of the square is missing",
             2.0: "is twice the right value: the factor 2 is counted twice"}
    if n_samples:
        named.update({float(n_samples): "is N times too large: the 1/N of the mean is missing",
                      n_samples / 2.0: "is N/2 times too large: the 2/N factor (2 from the square, 1/N from the mean) is missing",
                      1.0 / n_samples: "is N times too small: the 1/N is applied twice"})
    for value, text in named.items():
        if abs(r - value) <= 1e-6 * abs(value):
            return f"{name} {text}"
    return f"{name} is {r:.4g} times the right value: a constant factor is off"


def _collect_numbers(name, fn, cases):
    """The student's scalar answers fn(*case) for every case, as a list of floats."""
    __tracebackhide__ = True
    answers = []
    for case in cases:  # a loop, not a comprehension: Python 3.11 would show the comprehension's frame
        answers.append(number(name, _call(fn, name, *case)))
    return answers


def _judge_numbers(name, answers, reference, mistakes, cases):
    """Compare scalar answers with reference(*case) over `cases`; name the first mistake (message, fn) that explains
    every answer, else the first case that fails (not the first case: it may be right)."""
    __tracebackhide__ = True
    if not isinstance(answers, list) or len(answers) != len(cases):
        _fail(f"{name}: expected {len(cases)} answers, got {describe(answers)}")
    got = np.array([number(name, a) for a in answers])
    want = np.array([reference(*case) for case in cases])
    if _close(got, want, 1e-8):
        return True
    for message, wrong in mistakes:
        if _close(got, np.array([wrong(*case) for case in cases]), 1e-8):
            _fail(f"{name}: {message}")
    if _close(got, -want, 1e-8):
        _fail(f"{name}: the sign is wrong")
    first = next(i for i in range(len(cases)) if not _close(got[i:i + 1], want[i:i + 1], 1e-8))
    _fail(f"{name}: on {arguments(cases[first])} expected {want[first]:.10g}, got {got[first]:.10g} "
          f"({len(cases) - sum(_close(got[i:i + 1], want[i:i + 1], 1e-8) for i in range(len(cases)))} of "
          f"{len(cases)} cases wrong)")
