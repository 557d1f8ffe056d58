"""What a student sees when an exercise check fails: CheckFailed's message, and no frame of the checks' own code.

IPython (JupyterLab, and nbgrader's kernel) leaves out of a traceback every frame whose local `__tracebackhide__`
is true, except the last, the one that raised. A frame of utils/checks shown there would bury the message under
the checks' internals."""
from pathlib import Path

import pytest

from utils import checks


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
