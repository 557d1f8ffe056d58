"""Deny by default: what a solution may call from the package while its exercise is checked.

Every function, class and module constant of `utils` computes or holds an answer, and a solution that calls it
"uses the reference implementation", except
  - ALLOWED below: the building blocks students are meant to call and the checks' own machinery (the one
    hand-kept list), and
  - whatever those, and every registered exercise's `collect`, need in order to run: found by following the names
    their code uses (`allowed_names`).
The same set is denied on both sides: the grader's sandbox imports a copy of the package in which each denied name
raises ReferenceImplementationUsed (workbook_grader/stubs.py), and the in-notebook check suspends the same names while the
student's function runs (`suspended`). A denied name can still be used outside a check (the notebooks'
demonstrations do).
"""
import ast
import dis
import functools
import importlib
import importlib.util
import inspect
import os
import pkgutil
import types
from contextlib import contextmanager

ALLOWED = (
    # building blocks a solution may call: the course's data, the forward passes it differentiates, the relative
    # error of CS231n's gradient check, the threshold unit and its plots
    "utils.data.getdata", "utils.data.getparams",
    "utils.mlp.forward",
    "utils.tanhnet.forward", "utils.tanhnet.WEIGHTS",
    "utils.gradcheck.relative_error",
    "utils.threshold.step", "utils.threshold.forward", "utils.threshold.predict", "utils.threshold.binary_inputs",
    "utils.threshold.grid", "utils.threshold.plot_region", "utils.threshold.draw_threshold_network",
    # whole modules: figure style and drawing, argument validation, and the checks' machinery
    "utils", "utils.style", "utils.diagrams", "utils._validate", "utils.checks", "utils.checks._core",
    "utils.checks._deny",
)
PACKAGE = "utils"


class ReferenceImplementationUsed(RuntimeError):
    """A solution called a function of the package that computes an answer (or read a constant that holds one)."""


def used(dotted):
    """The exception a denied name raises; its message is what the grader and the notebook report."""
    return ReferenceImplementationUsed(f"uses the reference implementation `{dotted}`")


# ----------------------------------------------------------------------------- the package's names

@functools.cache
def modules():
    """{dotted module name: module} of every module of the package (its command line `__main__` aside)."""
    root = importlib.import_module(PACKAGE)
    found = {PACKAGE: root}
    for info in pkgutil.walk_packages(root.__path__, PACKAGE + "."):
        if not info.name.endswith("__main__"):
            found[info.name] = importlib.import_module(info.name)
    return found


@functools.cache
def _tree(module):
    return ast.parse(inspect.getsource(module))


def definitions(module):
    """{name: "function" | "class" | "constant"} of what `module`'s source defines at top level (not its imports;
    dunder names aside)."""
    out = {}
    for node in _tree(module).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            out[node.name] = "function"
        elif isinstance(node, ast.ClassDef):
            out[node.name] = "class"
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            out.update((name, "constant") for target in targets for name in _bound(target))
    # `make mutate`'s copy of the package also defines mutmut's machinery and each function's mutants
    # (x_name__mutmut_3): the copies of a definition, not definitions of their own
    return {name: kind for name, kind in out.items()
            if not (name.startswith("__") and name.endswith("__")) and "_mutmut" not in name}


def _bound(target):
    """The names an assignment's target binds: `A`, or each of `A, (B, C)` (an attribute or item binds none)."""
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, (ast.Tuple, ast.List)):
        return [name for part in target.elts for name in _bound(part)]
    return []


def _import_time(module):
    """(names the module's top-level code reads as it is imported, names it calls then): the first must exist in
    any copy of the module, the second must also work. Function bodies run later and are not looked into."""
    loaded, called = set(), set()

    def visit(node):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            for part in [*getattr(node, "decorator_list", []), *node.args.defaults, *node.args.kw_defaults]:
                if part is not None:
                    visit(part)
            return
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            called.add(node.func.id)
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            loaded.add(node.id)
        for child in ast.iter_child_nodes(node):
            visit(child)

    for node in _tree(module).body:
        visit(node)
    return loaded, called


# ----------------------------------------------------------------------------- reachability

def _functions_in(obj, depth=0):
    """The package's Python functions `obj` holds: itself, a partial's function and arguments, a class's methods,
    the values of a container, what a wrapper made elsewhere closes over (a few levels deep)."""
    if isinstance(obj, types.FunctionType):
        if _ours(obj):
            return [obj]
        # a wrapper made elsewhere (functools.wraps, mutmut's trampoline): the package's functions it closes over
        held = [cell.cell_contents for cell in obj.__closure__ or () if _filled(cell)]
        held += [obj.__wrapped__] if hasattr(obj, "__wrapped__") else []
        return [f for value in held for f in _functions_in(value, depth + 1)] if depth < 4 else []
    if isinstance(obj, (staticmethod, classmethod)):
        return _functions_in(obj.__func__, depth)
    if isinstance(obj, property):
        return [f for part in (obj.fget, obj.fset, obj.fdel) for f in _functions_in(part, depth)]
    if isinstance(obj, functools.partial):
        return [f for part in (obj.func, *obj.args, *obj.keywords.values()) for f in _functions_in(part, depth)]
    if isinstance(obj, type):
        return [f for value in vars(obj).values() for f in _functions_in(value, depth)]
    if depth < 4 and isinstance(obj, dict):
        return [f for value in obj.values() for f in _functions_in(value, depth + 1)]
    if depth < 4 and isinstance(obj, (list, tuple)):
        return [f for value in obj for f in _functions_in(value, depth + 1)]
    return []


def _filled(cell):
    try:
        cell.cell_contents
    except ValueError:  # a cell not yet filled
        return False
    return True


def _ours(function):
    """Whether the package's source defines `function` (not typing or collections, whose functions a class of the
    package may hold: a NamedTuple's bases)."""
    root = os.path.dirname(modules()[PACKAGE].__file__)
    return os.path.abspath(function.__code__.co_filename).startswith(root + os.sep)


def _codes(code):
    """`code` and the code objects nested in it (comprehensions, lambdas, inner functions)."""
    yield code
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from _codes(const)


def _dotted(obj):
    """"utils.MODULE.NAME" of a function or class the package defines, else None."""
    module, name = getattr(obj, "__module__", None), getattr(obj, "__qualname__", None)
    if isinstance(module, str) and (module == PACKAGE or module.startswith(PACKAGE + ".")) and isinstance(name, str) \
            and name.isidentifier():  # not a lambda, not a method (its class is the name)
        return f"{module}.{name}"
    return None


def _references(function, defined):
    """Dotted names of the package's top-level definitions that `function`'s code reaches by name: a global of its
    module, or an attribute chain from one (`tanhnet.forward`, `utils.checks.threshold._square_judge`), read from the
    bytecode. A module imported inside the function counts with every attribute the function reads."""
    module = function.__globals__.get("__name__")
    found = set()
    for code in _codes(function.__code__):
        # an EXTENDED_ARG (an argument above 255) is folded into the next instruction: without it, an import's
        # level is always the instruction two before its IMPORT_NAME
        instructions = [ins for ins in dis.get_instructions(code) if ins.opname != "EXTENDED_ARG"]
        for i, ins in enumerate(instructions):
            if ins.opname == "IMPORT_FROM":
                value = _imported(function, instructions, i)
                if isinstance(value, types.ModuleType) and value.__name__ in defined:
                    found.update(f"{value.__name__}.{n}" for n in code.co_names if n in defined[value.__name__])
                elif _dotted(value):
                    found.add(_dotted(value))
                continue
            if ins.opname not in ("LOAD_GLOBAL", "LOAD_NAME"):
                continue
            name = ins.argval
            if name in defined.get(module, ()):
                found.add(f"{module}.{name}")
            value = function.__globals__.get(name, None)
            if _dotted(value):
                found.add(_dotted(value))
            for attr in instructions[i + 1:]:
                if not isinstance(value, types.ModuleType) or attr.opname not in ("LOAD_ATTR", "LOAD_METHOD"):
                    break
                if value.__name__ in defined and attr.argval in defined[value.__name__]:
                    found.add(f"{value.__name__}.{attr.argval}")
                value = getattr(value, attr.argval, None)
    return found


def _imported(function, instructions, i):
    """What the IMPORT_FROM at instructions[i] binds: found from its IMPORT_NAME and the level loaded before that."""
    j = max(k for k in range(i) if instructions[k].opname == "IMPORT_NAME")
    level = instructions[j - 2].argval  # CPython: LOAD_CONST level, LOAD_CONST names, IMPORT_NAME module
    base = importlib.util.resolve_name("." * level + (instructions[j].argval or ""), function.__globals__["__package__"]) \
        if level else instructions[j].argval
    module = modules().get(base)  # only the package's own modules matter (and importing others could be slow)
    return getattr(module, instructions[i].argval, None) if module is not None else None


def _resolve(dotted):
    module_name, _, name = dotted.rpartition(".")
    return getattr(modules()[module_name], name)


def _roots():
    """ALLOWED, every declared exercise (its collect is followed; the declaration itself must stay, or the exercise
    would not register) and what the modules call on import."""
    mods = modules()
    roots = set()
    for entry in ALLOWED:
        if entry in mods:
            roots.update(f"{entry}.{name}" for name in definitions(mods[entry]))
        else:
            roots.add(entry)
    for module_name, module in mods.items():
        defined = definitions(module)
        _, called = _import_time(module)
        roots.update(f"{module_name}.{name}" for name in called if name in defined)
        for name in defined:
            if isinstance(getattr(module, name, None), _exercise_type()):
                roots.add(f"{module_name}.{name}")
    return roots


def _exercise_type():
    from ._core import Exercise
    return Exercise


@functools.cache
def allowed_names():
    """Every dotted name a solution may use while it is checked: ALLOWED and all that it, the exercises' collect
    functions and the modules' import-time calls reach."""
    defined = {name: definitions(module) for name, module in modules().items()}
    seen, todo, functions = set(), list(_roots()), []
    while todo or functions:
        if todo:
            dotted = todo.pop()
            if dotted in seen:
                continue
            seen.add(dotted)
            value = _resolve(dotted)
            if isinstance(value, _exercise_type()):
                functions.extend(_functions_in(value.collect))
            else:
                functions.extend(_functions_in(value))
        else:
            function = functions.pop()
            if _dotted(function) and _dotted(function) not in seen:
                todo.append(_dotted(function))
            todo.extend(_references(function, defined) - seen)
    return frozenset(seen)


@functools.cache
def denied_names():
    """{dotted name: "function" | "class" | "constant"} of every definition of the package a solution may not use.
    A constant the module itself reads on import stays (a copy without it could not be imported)."""
    allowed = allowed_names()
    out = {}
    for module_name, module in modules().items():
        loaded, _ = _import_time(module)
        for name, kind in definitions(module).items():
            dotted = f"{module_name}.{name}"
            if dotted in allowed or (kind == "constant" and name in loaded):
                continue
            out[dotted] = kind
    return out


# ----------------------------------------------------------------------------- suspending them in this process

@functools.cache
def _stub_code(dotted, freevars):
    """A code object that raises used(dotted), with the free variables of the function it stands in for."""
    inner = ", ".join(freevars)
    source = ("def outer():\n" + "".join(f"    {v} = None\n" for v in freevars) +
              "    def stub(*args, **kwargs):\n" + (f"        {inner}\n" if freevars else "") +
              f"        raise __import__('utils.checks._deny', fromlist=['used']).used({dotted!r})\n"
              "    return stub\n")
    namespace = {}
    exec(compile(source, f"<denied {dotted}>", "exec"), namespace)
    return namespace["outer"]().__code__


def _missing_constant(module_name, names):
    """A module's __getattr__ while its constants `names` are removed: reading one raises used(...), any other
    missing name the AttributeError Python gives."""
    def __getattr__(name):
        if name in names:
            raise used(f"{module_name}.{name}")
        raise AttributeError(f"module {module_name!r} has no attribute {name!r}")
    return __getattr__


@contextmanager
def suspended(denied=None):
    """While inside, every denied function and method raises ReferenceImplementationUsed (its code is swapped, so
    a name bound earlier, `from utils.mlp import backward`, raises too) and every denied constant is gone from its
    module (reading it raises). Everything is put back on leaving."""
    denied = denied_names() if denied is None else denied
    swapped, removed, hooks = [], {}, {}
    try:
        for dotted, kind in denied.items():
            module_name, _, name = dotted.rpartition(".")
            module = modules()[module_name]
            if kind == "constant":
                if name in vars(module):
                    removed.setdefault(module, {})[name] = vars(module).pop(name)
                continue
            for function in _functions_in(getattr(module, name)):
                swapped.append((function, function.__code__))
                function.__code__ = _stub_code(f"{dotted}" if kind == "function" else
                                               f"{dotted}.{function.__name__}", function.__code__.co_freevars)
        for module, values in removed.items():
            hooks[module] = vars(module).get("__getattr__")
            module.__getattr__ = _missing_constant(module.__name__, set(values))
        yield
    finally:
        for function, code in reversed(swapped):
            function.__code__ = code
        for module, values in removed.items():
            vars(module).update(values)
            if module in hooks:
                if hooks[module] is None:
                    vars(module).pop("__getattr__", None)
                else:
                    module.__getattr__ = hooks[module]
