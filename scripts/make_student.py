"""Write the student version of the notebooks: solutions removed, outputs cleared, checks kept.

Uses nbgrader's own preprocessors (ClearSolutions, ClearOutput). A manifest of SHA-256 sums
(.generated.json) records what was written; if any student notebook was edited since, the
script refuses to overwrite it unless --force is given.

Usage: python scripts/make_student.py [--out student] [--force]
"""
import argparse
import hashlib
import json
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = ".generated.json"


def student_version(nb):
    """A student copy of notebook `nb` (nbformat node): solution regions replaced, outputs cleared."""
    from nbgrader.preprocessors import ClearOutput, ClearSolutions

    nb = nbformat.from_dict(json.loads(json.dumps(nb)))  # deep copy: never touch the source
    resources = {}
    nb, resources = ClearSolutions(enforce_metadata=True).preprocess(nb, resources)
    nb, resources = ClearOutput().preprocess(nb, resources)
    return nb


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def edited_files(out):
    """Student notebooks in `out` that differ from what was generated (or that were not generated here)."""
    manifest_path = out / MANIFEST
    recorded = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    return sorted(p.name for p in out.glob("*.ipynb") if recorded.get(p.name) != digest(p))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--source", default=str(ROOT / "notebooks"))
    parser.add_argument("--out", default=str(ROOT / "student"))
    parser.add_argument("--force", action="store_true", help="overwrite student notebooks edited since generation")
    args = parser.parse_args(argv)
    source, out = Path(args.source), Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    edited = edited_files(out)
    if edited and not args.force:
        print(f"refusing to overwrite {out}: edited since it was generated: {', '.join(edited)}.\n"
              "Move your work elsewhere, or run `make student FORCE=1` to replace it.", file=sys.stderr)
        return 1
    manifest = {}
    for path in sorted(source.glob("*.ipynb")):
        target = out / path.name
        nbformat.write(student_version(nbformat.read(path, as_version=4)), target)
        manifest[path.name] = digest(target)
        print(f"wrote {target}")
    (out / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
