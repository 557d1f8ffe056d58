"""Exercise checks with specific feedback: `checks.check_NAME(fn)` in the notebooks.

One module per notebook (gates 01, chainrule 02, hessian 03, backprop 04) on a shared core
(`_core`: the Exercise protocol, CheckFailed, answer validators). Each module's EXERCISES maps an
nbgrader grade_id to its Exercise, so a grader can run `collect` beside the student's code and
`judge` outside it.
"""
from . import backprop, chainrule, gates, hessian
from ._core import CheckFailed, Exercise, run

_MODULES = (gates, chainrule, hessian, backprop)

# Re-export every check_* so notebooks call checks.check_backward(...) as before.
for _module in _MODULES:
    for _name in dir(_module):
        if _name.startswith("check_"):
            globals()[_name] = getattr(_module, _name)

EXERCISES = {gid: ex for m in _MODULES for gid, ex in getattr(m, "EXERCISES", {}).items()}

del _module, _name
