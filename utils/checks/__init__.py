"""Exercise checks with specific feedback, one module per notebook, named as its topic module in utils (threshold
01, tanhnet 02, conditioning 03, mlp 04), on a shared core (`_core`: Exercise, CheckFailed, answer validators;
`_deny`: what a solution may not call while it is checked).

Each exercise is declared once in its notebook's module, `check_kappa = Exercise("check-kappa", "kappa", ...)`; a
notebook imports its module as `checks` and its grade cell calls `checks.check_kappa(kappa)`. EXERCISES maps every
grade_id to its Exercise, so a grader can run `collect` beside the student's code and `judge` outside it.
"""
import importlib
import pkgutil

from ._core import REGISTRY as EXERCISES, CheckFailed, Exercise, exercises_of, run  # noqa: F401

# Every checks module of the package declares its exercises on import: a new notebook's module is found here too.
for _info in pkgutil.iter_modules(__path__):
    if not _info.name.startswith("_"):
        importlib.import_module(f"{__name__}.{_info.name}")
del _info
