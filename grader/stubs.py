"""The copy of `utils` a sandbox imports: the package with its reference implementations replaced by stubs."""
import ast
import shutil
from pathlib import Path

import utils

STUB_MODULE = '''"""Written by the grader: the error a stubbed reference implementation raises in a sandbox."""


class ReferenceImplementationUsed(RuntimeError):
    """A solution called one of the package's reference implementations."""
'''


def _stub_functions(path, qualnames):
    """Replace the bodies of the functions `qualnames` (e.g. "backward", "View.render") in the file `path`."""
    lines = path.read_text().splitlines(keepends=True)
    tree = ast.parse("".join(lines))
    found = {}

    def walk(body, prefix):
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                name = prefix + node.name
                if name in qualnames and not isinstance(node, ast.ClassDef):
                    found[name] = node
                walk(node.body, name + ".")

    walk(tree.body, "")
    missing = set(qualnames) - set(found)
    if missing:
        raise LookupError(f"{path.name}: no function {sorted(missing)} to stub (grader/references.py is out of date)")
    for name, node in sorted(found.items(), key=lambda item: -item[1].lineno):
        body = node.body
        keep = body[0] if isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant) \
            and isinstance(body[0].value.value, str) else None  # keep the docstring
        first = (keep.end_lineno if keep else body[0].lineno - 1)
        indent = " " * body[0].col_offset
        dotted = qualnames[name]
        stub = (f"{indent}raise __import__('utils._reference_stub', fromlist=['_']).ReferenceImplementationUsed(\n"
                f"{indent}    'uses the reference implementation `{dotted}`')\n")
        lines[first:node.end_lineno] = [stub]
    path.write_text("".join(lines))


def build(target, references):
    """Copy the installed `utils` (and the course data beside it) into `target`, stubbing `references`
    ("utils.MODULE.FUNCTION", MODULE possibly dotted); returns the folder to put first on the sandbox's sys.path."""
    target = Path(target)
    source = Path(utils.__file__).resolve().parent
    shutil.copytree(source, target / "utils", ignore=shutil.ignore_patterns("__pycache__"))
    data = source.parent / "data"
    if data.is_dir():
        shutil.copytree(data, target / "data")
    (target / "utils" / "_reference_stub.py").write_text(STUB_MODULE)
    by_file = {}
    for dotted in references:
        parts = dotted.split(".")
        # the longest prefix that is a module file: utils.mlp.backward, utils.checks.hessian._kappa_judge
        split = next((i for i in range(len(parts) - 1, 1, -1)
                      if (target / Path(*parts[:i])).with_suffix(".py").is_file()), None)
        if parts[0] != "utils" or split is None:
            raise ValueError(f"reference {dotted!r}: expected utils.MODULE.FUNCTION naming a module of the package")
        by_file.setdefault((target / Path(*parts[:split])).with_suffix(".py"), {})[".".join(parts[split:])] = dotted
    for path, qualnames in by_file.items():
        _stub_functions(path, qualnames)
    return str(target)


def real_package_dir():
    """The folder of the real `utils` package: hidden from the sandbox's file system."""
    return str(Path(utils.__file__).resolve().parent)
