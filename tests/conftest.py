import os
import shutil

import pytest

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require(condition, why):
    """Skip with `why` when `condition` is false; in CI (CI=true) a missing dependency fails instead."""
    if not condition:
        if IN_CI:
            pytest.fail(f"required in CI: {why}")
        pytest.skip(why)


def have(executable):
    return shutil.which(executable) is not None
