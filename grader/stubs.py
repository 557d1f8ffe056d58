"""The copy of `utils` a sandbox imports: the package with its reference implementations replaced by stubs."""
import ast
import shutil
from pathlib import Path

import utils

STUB_MODULE = '''"""Written by the grader: the error a stubbed reference implementation raises in a sandbox."""


class ReferenceImplementationUsed(RuntimeError):
    """A solution called one of the package's reference implementations."""
'''


def _raise(indent, dotted):
    return (f"{indent}raise __import__('utils._reference_stub', fromlist=['_']).ReferenceImplementationUsed(\n"
            f"{indent}    'uses the reference implementation `{dotted}`')\n")


def _stub_functions(path, qualnames):
    """Replace the bodies of the functions `qualnames` (e.g. "backward", "View.render") in the file `path`; a
    module-level constant in `qualnames` (e.g. "SQUARE_W0") is removed, and a module `__getattr__` raises when
    it is read (`threshold.SQUARE_W0`, `from utils.threshold import SQUARE_W0`)."""
    lines = path.read_text().splitlines(keepends=True)
    tree = ast.parse("".join(lines))
    found, constants = {}, {}

    def walk(body, prefix):
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                name = prefix + node.name
                if name in qualnames and not isinstance(node, ast.ClassDef):
                    found[name] = node
                walk(node.body, name + ".")

    walk(tree.body, "")
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name) \
                and node.targets[0].id in qualnames:
            constants[node.targets[0].id] = node
    missing = set(qualnames) - set(found) - set(constants)
    if missing:
        raise LookupError(f"{path.name}: no function or constant {sorted(missing)} to stub "
                          "(grader/references.py is out of date)")
    if constants and any(isinstance(n, ast.FunctionDef) and n.name == "__getattr__" for n in tree.body):
        raise LookupError(f"{path.name} has its own __getattr__: its constants {sorted(constants)} cannot be stubbed")
    edits = [(node.lineno, node.end_lineno, []) for node in constants.values()]
    for name, node in found.items():
        body = node.body
        keep = body[0] if isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant) \
            and isinstance(body[0].value.value, str) else None  # keep the docstring
        first = (keep.end_lineno if keep else body[0].lineno - 1)
        edits.append((first + 1, node.end_lineno, [_raise(" " * body[0].col_offset, qualnames[name])]))
    for start, end, new in sorted(edits, key=lambda edit: -edit[0]):
        lines[start - 1:end] = new
    if constants:
        names = {name: qualnames[name] for name in constants}
        lines.append("\n\ndef __getattr__(name):  # written by the grader: these constants are answers\n"
                     f"    if name in {names!r}:\n"
                     "        raise __import__('utils._reference_stub', fromlist=['_']).ReferenceImplementationUsed(\n"
                     f"            'uses the reference implementation `' + {names!r}[name] + '`')\n"
                     "    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')\n")
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
