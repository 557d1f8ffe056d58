import os
import shutil

import pytest
from hypothesis import settings

# In CI the property-based tests draw the same inputs every run (reproducible); locally they explore anew.
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
    settings.load_profile("ci")

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require(condition, why):
    """Skip with `why` when `condition` is false; in CI (CI=true) a missing dependency fails instead."""
    if not condition:
        if IN_CI:
            pytest.fail(f"required in CI: {why}")
        pytest.skip(why)


def have(executable):
    return shutil.which(executable) is not None


def pytest_terminal_summary(terminalreporter):
    """Report how many inputs the property-based tests tried."""
    import sys

    module = sys.modules.get("test_bad_input")
    if module is not None and module.TRIED:
        total = sum(module.TRIED.values())
        terminalreporter.write_line(f"hypothesis: {total} inputs tried across {len(module.TRIED)} functions")
