"""pytest's settings and hooks for every test: hypothesis profiles, slow tests first, the browser harness's fixtures
and a failed browser test's artifacts, the inputs the property-based tests tried. The functions test modules share
are in helpers.py (a test module imports those, never another test module)."""
import collections
import os

import pytest
from hypothesis import Phase, settings

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

# In CI the property-based tests draw the same inputs every run (reproducible); locally they explore anew.
settings.register_profile("ci", derandomize=True, database=None)
if IN_CI:
    settings.load_profile("ci")
# Under mutation testing (`make mutate`; mutmut sets MUTANT_UNDER_TEST) the same inputs every run, and a failing
# example fails the mutant at once instead of being shrunk for minutes.
if "MUTANT_UNDER_TEST" in os.environ:
    settings.register_profile("mutation", derandomize=True, database=None,
                              phases=[Phase.explicit, Phase.reuse, Phase.generate])
    settings.load_profile("mutation")


def pytest_sessionstart(session):
    """Under mutation testing, a mutant of the deny list's code runs: mutmut forks each mutant's tests from a process
    that has already worked the deny list out (it is cached), so without this they would read the original's."""
    if os.environ.get("MUTANT_UNDER_TEST", "").startswith("utils.checks._deny."):
        from helpers import forget_deny_list

        forget_deny_list()


def pytest_collection_modifyitems(config, items):
    """Slow tests (nbgrader, notebooks executed by nbclient) first, in a stable sort that keeps every
    notebook's cells in order: with `-n 2 --dist loadscope --no-loadscope-reorder` (make test) the slow
    modules start at once, spread over the two workers, and the rest fills in after them. The slow modules go
    in the order of their file names, whatever their folder (the schedule `make test` was measured with)."""
    def key(item):
        slow = item.get_closest_marker("slow") is not None
        return (not slow, item.path.name if slow else "")
    items.sort(key=key)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed browser test's report names its screenshot and JupyterLab log (see save_failure_artifacts)."""
    outcome = yield
    report = outcome.get_result()
    page, lab = item.funcargs.get("page"), item.funcargs.get("lab")
    if report.when != "call" or not report.failed or page is None:
        return
    from helpers import save_failure_artifacts

    saved = save_failure_artifacts(item.nodeid, page, lab.get("log") if isinstance(lab, dict) else None)
    if hasattr(report.longrepr, "addsection"):
        report.longrepr.addsection("artifacts", "\n".join(saved))
    else:
        report.longrepr = f"{report.longrepr}\n\nartifacts:\n" + "\n".join(saved)


# The browser harness's fixtures (helpers.py has its functions), imported when used: most runs have no browser.
@pytest.fixture
def lab(tmp_path):
    """A JupyterLab of its own for the test (helpers.jupyter_lab)."""
    from helpers import jupyter_lab

    with jupyter_lab(tmp_path) as running:
        yield running


@pytest.fixture
def chromium():  # per test: two Playwright sessions cannot be open at once (test_browser's `page` opens one)
    from helpers import headless_chromium

    with headless_chromium() as browser:
        yield browser


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The offline site (scripts/publish.py) of every notebook, built once per module."""
    import publish
    from helpers import NOTEBOOKS, need_node_modules

    need_node_modules()
    out = tmp_path_factory.mktemp("site")
    publish.build_site(NOTEBOOKS, out)
    return out


def _tried_here():
    """{function: inputs} tried by the property-based tests in this process."""
    import sys

    module = sys.modules.get("test_bad_input")
    return dict(module.TRIED) if module is not None else {}


_TRIED_BY_WORKERS = collections.Counter()


def pytest_sessionfinish(session):
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # a pytest-xdist worker: hand the counts to the controller
        workeroutput["hypothesis_tried"] = _tried_here()


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    _TRIED_BY_WORKERS.update(getattr(node, "workeroutput", {}).get("hypothesis_tried", {}))


def pytest_terminal_summary(terminalreporter):
    """Report how many inputs the property-based tests tried (summed over xdist workers)."""
    tried = _TRIED_BY_WORKERS + collections.Counter(_tried_here())
    if tried:
        terminalreporter.write_line(f"hypothesis: {sum(tried.values())} inputs tried across {len(tried)} functions")
