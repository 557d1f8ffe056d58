"""The copy of `utils` a sandbox imports: every name the package denies a solution (utils.checks._deny) raises.

A denied function keeps its signature and docstring, and its body raises ReferenceImplementationUsed; a denied
class keeps its name and every method raises; a denied constant is gone, and reading it from its module raises.
The edit is made to the copy's source, so `importlib.reload` and reading the module's file find the stub too: the
answer is not in the sandbox's process at all. Instructor cells that use a denied name fail in the sandbox; that
is harmless, since grading uses only the functions the solution cells define.
"""
import ast
import shutil
from pathlib import Path

import utils
from utils.checks import _deny


def _raise(indent, dotted):
    return f"{indent}raise __import__('utils.checks._deny', fromlist=['used']).used({dotted!r})\n"


def _body_edit(node, dotted):
    """(first line, last line, new lines) replacing a function's body but its docstring by a raise."""
    body = node.body
    doc = body[0] if isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant) \
        and isinstance(body[0].value.value, str) else None
    first = doc.end_lineno if doc else body[0].lineno - 1
    return first + 1, node.end_lineno, [_raise(" " * body[0].col_offset, dotted)]


def _stub_module(path, names):
    """Stub `names` ({top-level name: (kind, dotted)}) in the module file `path`."""
    lines = path.read_text().splitlines(keepends=True)
    tree = ast.parse("".join(lines))
    edits, constants = [], {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name in names:
            edits.append(_body_edit(node, names[node.name][1]))
        elif isinstance(node, ast.ClassDef) and node.name in names:
            edits.extend(_body_edit(method, f"{names[node.name][1]}.{method.name}") for method in node.body
                         if isinstance(method, (ast.FunctionDef, ast.AsyncFunctionDef)))
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            bound = [name for target in targets for name in _deny._bound(target)]  # A = B = 1, A, B = 1, 2
            hit = [name for name in bound if name in names]
            if hit:
                if len(bound) != 1:
                    raise LookupError(f"{path.name}: constant {hit[0]} is assigned together with others")
                constants[hit[0]] = names[hit[0]][1]
                edits.append((node.lineno, node.end_lineno, []))
    found = {n for n in names if names[n][0] != "constant"} & {n.name for n in tree.body if hasattr(n, "name")}
    missing = set(names) - found - set(constants)
    if missing:
        raise LookupError(f"{path.name}: no definition of {sorted(missing)} to stub")
    if constants and any(isinstance(n, ast.FunctionDef) and n.name == "__getattr__" for n in tree.body):
        raise LookupError(f"{path.name} has its own __getattr__: its constants {sorted(constants)} cannot be stubbed")
    for start, end, new in sorted(edits, key=lambda edit: -edit[0]):
        lines[start - 1:end] = new
    if constants:
        lines.append("\n\ndef __getattr__(name):  # written by the grader: these constants are denied\n"
                     f"    if name in {constants!r}:\n"
                     f"        raise __import__('utils.checks._deny', fromlist=['used']).used({constants!r}[name])\n"
                     "    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')\n")
    path.write_text("".join(lines))


def build(target, denied):
    """Copy the installed `utils` into `target`, stubbing `denied` ({"utils.MODULE.NAME": kind}, as
    utils.checks._deny.denied_names() gives); returns the folder to put first on the sandbox's sys.path."""
    target = Path(target)
    source = Path(utils.__file__).resolve().parent
    shutil.copytree(source, target / "utils", ignore=shutil.ignore_patterns("__pycache__"))
    by_file = {}
    for dotted, kind in denied.items():
        module, _, name = dotted.rpartition(".")
        parts = module.split(".")
        path = target / Path(*parts[:-1]) / f"{parts[-1]}.py"
        if not path.is_file():
            path = target / Path(*parts) / "__init__.py"
        if parts[0] != "utils" or not path.is_file():
            raise ValueError(f"denied name {dotted!r}: expected utils.MODULE.NAME naming a module of the package")
        by_file.setdefault(path, {})[name] = (kind, dotted)
    for path, names in by_file.items():
        _stub_module(path, names)
    return str(target)


def real_package_dir():
    """The folder of the real `utils` package: hidden from the sandbox's file system."""
    return str(Path(utils.__file__).resolve().parent)
