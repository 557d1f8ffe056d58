"""Give every cell of a notebook its slide type (cell.metadata.slideshow.slide_type), by one stated rule.

JupyterLab-RISE and `jupyter nbconvert --to slides` read `slide_type`: "slide" starts a new slide, "subslide" a
new slide below the current one, "fragment" appears on the next key press within the current one, "-" continues
it, "skip" is never shown. The rule, applied to the cells in order:

1. A markdown cell starting with `# ` or `## ` (a title or a section) is a "slide"; `### ` and deeper a "subslide".
2. Any other markdown cell (a paragraph) continues the slide ("-") when it follows markdown, and starts a
   "subslide" when it follows a shown code cell: it introduces what comes next, and the result above stays whole.
3. A code cell continues the slide ("-") right after the markdown that introduces it, so the sentence, the code
   and its output are seen together; a code cell right after another shown code cell is a "fragment" (the next
   step of the same idea appears on a key press, e.g. an exercise's check after the exercise).
4. "skip": setup cells (code whose statements are imports and assignments only, with at least one import:
   nothing to see), hidden helper cells (code whose source and outputs are both collapsed), empty cells and raw
   cells. Skipped cells are ignored when rules 2 and 3 look at "the previous cell".
5. A person's choice is kept: the script records the rule's value beside the slide type
   (`{"slide_type": t, "rule": t}`); a slide type without that record, or different from it, was set by hand
   (RISE's toolbar, JupyterLab's property inspector, an editor) and is never overwritten. Delete the cell's
   `slideshow` metadata to hand it back to the rule.

Applying it twice changes nothing (idempotent). Usage:
    python scripts/slides.py notebooks/*.ipynb            # write the metadata in place
    python scripts/slides.py --check notebooks/*.ipynb    # exit 1, naming each cell whose metadata differs
"""
import argparse
import ast
import sys
from pathlib import Path

import nbformat

SLIDE_TYPES = ("slide", "subslide", "fragment", "-", "skip", "notes")


def _code_statements(source):
    """Top-level statements of a code cell, IPython magics and shell lines dropped; None if it does not parse."""
    lines = [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))]
    try:
        return ast.parse("\n".join(lines)).body
    except SyntaxError:
        return None


def is_setup(source):
    """Imports and assignments only, at least one import: the cell shows nothing."""
    body = _code_statements(source)
    if not body:
        return False
    kinds = (ast.Import, ast.ImportFrom, ast.Assign, ast.AnnAssign)
    return all(isinstance(s, kinds) for s in body) and any(isinstance(s, (ast.Import, ast.ImportFrom)) for s in body)


def is_hidden_helper(cell):
    jupyter = cell.get("metadata", {}).get("jupyter", {})
    return bool(jupyter.get("source_hidden")) and (bool(jupyter.get("outputs_hidden")) or not cell.get("outputs"))


def heading_level(source):
    """1 for `# ...`, 2 for `## ...`, ...; 0 when the markdown does not start with a heading."""
    first = source.lstrip().split("\n", 1)[0]
    hashes = len(first) - len(first.lstrip("#"))
    return hashes if 0 < hashes <= 6 and first[hashes:hashes + 1] == " " else 0


def rule(cells):
    """The rule's slide type of every cell of `cells` (nbformat cells), in order."""
    types, previous = [], None  # previous: the cell type of the last cell that is shown
    for cell in cells:
        source = cell.get("source", "")
        if cell.cell_type == "raw" or not source.strip():
            types.append("skip")
            continue
        if cell.cell_type == "markdown":
            level = heading_level(source)
            kind = "slide" if level in (1, 2) else "subslide" if level else "subslide" if previous == "code" else "-"
        elif is_setup(source) or is_hidden_helper(cell):
            types.append("skip")
            continue
        else:
            kind = "fragment" if previous == "code" else "-"
        if previous is None and kind in ("-", "fragment", "subslide"):
            kind = "slide"  # the first shown cell opens the talk
        types.append(kind)
        previous = cell.cell_type
    return types


def hand_set(cell):
    """The slide type a person chose for this cell, or None when the rule decides it."""
    show = cell.get("metadata", {}).get("slideshow", {})
    chosen = show.get("slide_type")
    if chosen is None or show.get("rule") == chosen:
        return None
    return chosen


def wanted(nb):
    """[(cell index, cell, slideshow metadata the cell should carry)]."""
    result = []
    for i, (cell, kind) in enumerate(zip(nb.cells, rule(nb.cells))):
        chosen = hand_set(cell)
        if chosen is not None:
            result.append((i, cell, {**cell.metadata["slideshow"]}))
        else:
            result.append((i, cell, {"slide_type": kind, "rule": kind}))
    return result


def differences(nb):
    """['cell 3 (id abc): has None, the rule gives "slide"', ...] for the cells whose metadata differ."""
    out = []
    for i, cell, want in wanted(nb):
        have = cell.get("metadata", {}).get("slideshow")
        if have != want:
            got = have.get("slide_type") if isinstance(have, dict) else None
            out.append(f"cell {i} (id {cell.get('id', '?')}, {cell.cell_type}): "
                       f"slide_type {got!r}, the rule gives {want['slide_type']!r}")
    return out


def apply(nb):
    """Write the rule's metadata into `nb` in place; returns the number of cells changed."""
    changed = 0
    for _, cell, want in wanted(nb):
        if cell.metadata.get("slideshow") != want:
            cell.metadata["slideshow"] = want
            changed += 1
    return changed


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if any cell differs")
    args = parser.parse_args(argv)
    missing = [str(p) for p in args.notebooks if not p.is_file()]
    if missing:
        parser.error(f"notebooks: expected existing .ipynb files, got missing {', '.join(missing)}")
    status = 0
    for path in args.notebooks:
        nb = nbformat.read(path, as_version=4)
        if args.check:
            diffs = differences(nb)
            for line in diffs:
                print(f"{path}: {line}")
            status |= bool(diffs)
        else:
            changed = apply(nb)
            if changed:
                nbformat.write(nb, path)
            print(f"{path}: {changed} of {len(nb.cells)} cells changed")
    if status:
        print("slide metadata differs from the rule: run python scripts/slides.py on these notebooks", file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main())
