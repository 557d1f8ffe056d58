"""scripts/mutate.py's list of equivalent mutants: `--table` prints it whole; every entry is in make mutate's scope.
And `make mutate` runs the unit tests as `make unit` selects them."""
import fnmatch
import re
import shlex
import tomllib
from pathlib import Path

import mutate  # scripts/mutate.py

ROOT = Path(__file__).resolve().parents[2]

# mutmut's mutant names: utils.MODULE.x_FUNCTION__mutmut_N, or utils.MODULE.xǁCLASSǁMETHOD__mutmut_N for a method
KEY = re.compile(r"utils\.(?P<module>[\w.]+?)\.x(?:_(?P<function>\w+?)|ǁ(?P<cls>\w+)ǁ(?P<method>\w+?))"
                 r"__mutmut_(?P<n>\d+)")
# a reason holding " | " would split its row into more columns
ROW = re.compile(r"\| `(?P<name>[\w.]+)` (?P<numbers>#\d+(?:, #\d+)*) \| (?P<reason>(?:(?! \| ).)+) \|")


def printed_entries(capsys):
    """(function, number, reason) of every mutant in the table `mutate.py --table` prints."""
    assert mutate.main(["--table"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[:2] == ["| mutant | why it is equivalent |", "|---|---|"]
    entries = []
    for line in lines[2:]:
        row = ROW.fullmatch(line)
        assert row, f"not a table row of one mutant name, its numbers and one reason: {line!r}"
        entries += [(row["name"], int(n), row["reason"]) for n in re.findall(r"#(\d+)", row["numbers"])]
    return entries


def test_the_table_prints_every_equivalent_mutant_once_with_its_reason(capsys):
    want = []
    for key, reason in mutate.EQUIVALENT.items():
        m = KEY.fullmatch(key)
        assert m, f"not a mutmut mutant name: {key}"
        name = m["function"] if m["function"] else f"{m['cls']}.{m['method']}"
        want.append((f"{m['module']}.{name}", int(m["n"]), reason))
    got = printed_entries(capsys)
    assert len(got) == len(want) == len(set(got))
    assert set(got) == set(want)


def test_every_equivalent_mutant_is_one_make_mutate_runs():
    stale = [key for key in mutate.EQUIVALENT if not any(fnmatch.fnmatch(key, g) for g in mutate.DEFAULT)]
    assert not stale, f"equivalent mutants outside make mutate's scope: {stale}"


def test_make_mutate_runs_the_unit_tests_make_unit_runs():
    """The markers are the one place that says which tests are unit tests: mutmut's pytest arguments select by the
    same marker expression as `make unit`, and name no file."""
    unit_args = shlex.split(re.search(r"^unit:.*\n\t(.*)$", (ROOT / "Makefile").read_text(), re.M).group(1))
    marked = unit_args[unit_args.index("tests") + 1:]  # `$(PY) -m pytest tests -m "..."`: what follows tests/
    mutmut = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mutmut"]
    args = mutmut["pytest_add_cli_args"]
    assert marked[0] == "-m" and args[args.index("-m") + 1] == marked[1] == "not browser and not slow"
    assert not [a for a in args if a.startswith("--ignore") or a.startswith("--deselect") or "tests/" in a], args
    assert mutmut["pytest_add_cli_args_test_selection"] == ["tests/"] and "tests" in unit_args


def test_a_resumed_run_tests_only_the_unreached_and_surviving_mutants_of_its_scope():
    """mutmut tests again every mutant its command line names, killed or not: --resume names only those left."""
    equivalent = next(iter(mutate.EQUIVALENT))
    status = {"utils.data.x_a__mutmut_1": "killed", "utils.data.x_a__mutmut_2": "not checked",
              "utils.data.x_a__mutmut_3": "survived", "utils.data.x_a__mutmut_4": "timeout",
              "utils.style.x_b__mutmut_1": "not checked", equivalent: "survived"}
    assert mutate.unfinished(status, ["utils.data.*", equivalent]) == ["utils.data.x_a__mutmut_2",
                                                                      "utils.data.x_a__mutmut_3"]
    assert mutate.unfinished(status, ["utils.style.*"]) == ["utils.style.x_b__mutmut_1"]
