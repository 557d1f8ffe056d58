"""A notebook's plan, computed from its cells: the core path's words, the reading time, each exercise's minutes
and points, and the table and time line of its first cell.

The rules (docs/teaching.md#time-and-points states them for lecturers):
- The *core path* is every cell not tagged `optional` (cell.metadata.tags); sections marked "Going further" are
  tagged `optional`, and a student can skip them.
- *Core-path words*: words of two or more letters in the core path's markdown cells, outside model answers
  (nbgrader solution cells), collapsed `<details>` blocks and math. At most WORD_LIMIT a notebook.
- *Reading and running*: core-path words at WORDS_PER_MINUTE, plus MINUTES_PER_CODE_CELL for each core code cell
  (run it, read what it prints or draws), rounded up to a multiple of 5 minutes.
- *Exercises*: every graded cell (nbgrader grade: true) says its minutes in metadata.workbook.minutes, its label
  and title in metadata.workbook.label / .title. Its points are its minutes / MINUTES_PER_POINT, one rule for
  every notebook; no notebook carries more than MAX_SHARE of the course's points.
- The first cell carries, between `<!-- plan -->` and `<!-- /plan -->`, the table of exercises and the time line
  this script writes; tests/workbook/test_plan.py fails when they differ from what the cells give.

- The README carries the course's table (each notebook's time, points and share of the points) between
  `<!-- points -->` and `<!-- /points -->`, written by --write from all the notebooks given.

Usage: python scripts/plan.py notebooks/*.ipynb            # print each notebook's plan
       python scripts/plan.py --write notebooks/*.ipynb    # rewrite the plan blocks, points and the README's table
"""
import argparse
import math
import re
import sys
from pathlib import Path

import nbformat

WORD_LIMIT = 1500
WORDS_PER_MINUTE = 100
MINUTES_PER_CODE_CELL = 2
MINUTES_PER_POINT = 5
MAX_SHARE = 0.35
OPTIONAL = "optional"
BEGIN, END = "<!-- plan -->", "<!-- /plan -->"
COURSE_BEGIN, COURSE_END = "<!-- points -->", "<!-- /points -->"
README = Path(__file__).resolve().parent.parent / "README.md"

# Removed before counting, in this order: collapsed hints, display then inline math, HTML tags (inline code
# stays: it is read).
_NOT_PROSE = [re.compile(p, re.S) for p in (r"<details>.*?</details>", r"\$\$.*?\$\$", r"\\begin\{(\w+\*?)\}.*?\\end\{\1\}",
                                             r"\$[^$]+\$", r"<[^>]+>")]
_WORD = re.compile(r"[^\W\d_]{2,}")


def is_optional(cell):
    return OPTIONAL in cell.get("metadata", {}).get("tags", [])


def is_solution(cell):
    return bool(cell.get("metadata", {}).get("nbgrader", {}).get("solution"))


def is_graded(cell):
    return bool(cell.get("metadata", {}).get("nbgrader", {}).get("grade"))


def prose_words(text):
    """The words (two or more letters) of markdown `text` outside hints, math, inline code and HTML tags."""
    for pattern in _NOT_PROSE:
        text = pattern.sub(" ", text)
    return _WORD.findall(text)


def core_words(nb):
    """Number of words on the core path of notebook `nb` (see the module's rules)."""
    return sum(len(prose_words(c.source)) for c in nb.cells
               if c.cell_type == "markdown" and not is_optional(c) and not is_solution(c))


def core_code_cells(nb):
    return sum(1 for c in nb.cells if c.cell_type == "code" and not is_optional(c) and not is_solution(c)
               and not is_graded(c) and c.source.strip())


def reading_minutes(nb):
    raw = core_words(nb) / WORDS_PER_MINUTE + MINUTES_PER_CODE_CELL * core_code_cells(nb)
    return 5 * math.ceil(raw / 5)


def exercises(nb, name="notebook"):
    """[{label, title, minutes, points, grade_id, optional}] of the graded cells, in order; ValueError naming the
    cell whose metadata.workbook is missing or whose minutes are not a positive multiple of MINUTES_PER_POINT."""
    rows = []
    for i, c in enumerate(nb.cells):
        if not is_graded(c):
            continue
        plan = c.metadata.get("workbook", {})
        gid = c.metadata["nbgrader"].get("grade_id")
        missing = [k for k in ("label", "title", "minutes") if k not in plan]
        if missing:
            raise ValueError(f"{name} cell {i} ({gid}): metadata.workbook lacks {', '.join(missing)}; "
                             f"expected label, title and minutes, got {plan!r}")
        minutes = plan["minutes"]
        if not isinstance(minutes, int) or minutes <= 0 or minutes % MINUTES_PER_POINT:
            raise ValueError(f"{name} cell {i} ({gid}): minutes: expected a positive multiple of "
                             f"{MINUTES_PER_POINT}, got {minutes!r}")
        rows.append({"label": plan["label"], "title": plan["title"], "minutes": minutes,
                     "points": minutes // MINUTES_PER_POINT, "grade_id": gid, "optional": is_optional(c),
                     "autograded": c.cell_type == "code"})
    return rows


def plan_block(nb, name="notebook"):
    """The first cell's plan block (table and time line), as this script writes it."""
    rows = exercises(nb, name)
    core = [r for r in rows if not r["optional"]]
    reading, work = reading_minutes(nb), sum(r["minutes"] for r in core)
    lines = [BEGIN, "", "| exercise | what | points | minutes |", "|---|---|---|---|"]
    for r in rows:
        what = r["title"] + (" *(going further, optional)*" if r["optional"] else "")
        lines.append(f"| {r['label']} | {what} | {r['points']} | {r['minutes']} |")
    auto = sum(r["points"] for r in core if r["autograded"])
    lines += ["", f"**Time: about {reading + work} minutes** on the core path: {reading} for reading and running "
              f"({core_words(nb)} words at {WORDS_PER_MINUTE} words a minute, plus {MINUTES_PER_CODE_CELL} minutes "
              f"for each of its {core_code_cells(nb)} code cells), {work} for the exercises. "
              f"**{sum(r['points'] for r in core)} points**, {auto} of them checked by code; one point is "
              f"{MINUTES_PER_POINT} minutes of work. Sections marked *Going further* are optional and not counted.",
              "", END]
    return "\n".join(lines)


def _between(text, begin, end):
    start, stop = text.find(begin), text.find(end)
    return None if start < 0 or stop < 0 else text[start:stop + len(end)]


def stated_block(nb):
    """The plan block stored in the first cell, or None."""
    return _between(nb.cells[0].source, BEGIN, END)


def course_block(paths):
    """The README's table: for each notebook (paths, in order) its core-path minutes and points, and its share."""
    rows = []
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        core = [r for r in exercises(nb, path.name) if not r["optional"]]
        auto = sum(r["points"] for r in core if r["autograded"])
        rows.append((path.stem, reading_minutes(nb), sum(r["minutes"] for r in core), auto,
                     sum(r["points"] for r in core) - auto))
    total = sum(a + w for *_, a, w in rows)
    lines = [COURSE_BEGIN, "", "| notebook | reading and running | exercises | points (autograded + written) | share |",
             "|---|---|---|---|---|"]
    for name, reading, work, auto, written in rows:
        lines.append(f"| `{name}` | {reading} min | {work} min | {auto + written} ({auto} + {written}) | "
                     f"{(auto + written) / total:.0%} |")
    lines += [f"| **course** | {sum(r[1] for r in rows)} min | {sum(r[2] for r in rows)} min | **{total}** | |", "",
              f"One rule for every exercise: **one point per {MINUTES_PER_POINT} minutes** of its estimated work. "
              f"Reading and running is the core path's words at {WORDS_PER_MINUTE} words a minute plus "
              f"{MINUTES_PER_CODE_CELL} minutes per code cell, rounded up to 5 minutes; no notebook carries more than "
              f"{MAX_SHARE:.0%} of the points. `scripts/plan.py` computes this table and each notebook's own; "
              "`tests/workbook/test_plan.py` fails when one differs.", "", COURSE_END]
    return "\n".join(lines)


def stated_course_block():
    return _between(README.read_text(), COURSE_BEGIN, COURSE_END)


def write(path):
    """Rewrite `path`'s plan block (appended to the first cell if it has none) and its graded cells' points."""
    nb = nbformat.read(path, as_version=4)
    for c, r in zip([c for c in nb.cells if is_graded(c)], exercises(nb, path.name)):
        c.metadata["nbgrader"]["points"] = r["points"]
    block, stated = plan_block(nb, path.name), stated_block(nb)
    first = nb.cells[0]
    first.source = first.source.replace(stated, block) if stated else first.source.rstrip() + "\n\n" + block
    nbformat.write(nb, path)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--write", action="store_true", help="rewrite each notebook's plan block and points")
    parser.add_argument("notebooks", nargs="+", type=Path)
    args = parser.parse_args(argv)
    for path in args.notebooks:
        if args.write:
            write(path)
        nb = nbformat.read(path, as_version=4)
        print(f"{path.name}: {core_words(nb)} core words, {core_code_cells(nb)} core code cells, "
              f"reading {reading_minutes(nb)} min")
        try:
            for r in exercises(nb, path.name):
                print(f"  {r['label']:>6} {r['minutes']:3d} min {r['points']:2d} pt  {r['title']}")
        except ValueError as error:
            print(f"  {error}")
    if args.write and len(args.notebooks) > 1:  # after the notebooks: their words count
        text, stated = README.read_text(), stated_course_block()
        README.write_text(text.replace(stated, course_block(args.notebooks)) if stated else text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
