"""scripts/mutate.py's list of equivalent mutants (issue 18): the README shows it whole, and every entry is in scope."""
import fnmatch
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import mutate  # noqa: E402


def test_the_readme_lists_every_equivalent_mutant_with_its_reason():
    # make the table with `python scripts/mutate.py --table`
    assert mutate.equivalents_table() in (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_equivalent_mutant_is_one_make_mutate_runs():
    stale = [key for key in mutate.EQUIVALENT if not any(fnmatch.fnmatch(key, g) for g in mutate.DEFAULT)]
    assert not stale, f"equivalent mutants outside make mutate's scope: {stale}"


def test_the_table_has_a_row_for_every_equivalent_mutant():
    rows = mutate.equivalents_table().splitlines()[2:]
    assert sum(row.split("` ", 1)[1].split(" | ")[0].count("#") for row in rows) == len(mutate.EQUIVALENT)
    assert all(row.count(" | ") == 1 for row in rows), "a reason with ' | ' would split its row"
