"""A static scan of solution cells: what a solution needs no reason to touch, flagged for manual review.

Flags do not change a grade (the sandbox decides that); they point the instructor at submissions that
reach for the interpreter's machinery, the file system, processes or the package's reference implementations.
"""
import ast

from IPython.core.inputtransformer2 import TransformerManager

SUSPICIOUS_MODULES = {"importlib", "sys", "os", "ctypes", "signal", "subprocess", "socket", "inspect", "gc",
                      "builtins", "threading", "multiprocessing", "shutil", "marshal", "pickle", "types",
                      "resource", "mmap", "pathlib", "io", "runpy", "pty", "zlib", "urllib", "http", "requests"}
SUSPICIOUS_NAMES = {"exec", "eval", "compile", "__import__", "open", "globals", "locals", "vars", "setattr",
                    "delattr", "breakpoint", "exit", "quit"}
SUSPICIOUS_ATTRIBUTES = {"modules", "meta_path", "path_hooks", "path_importer_cache", "_exit", "kill", "killpg",
                         "__file__", "__builtins__", "__code__", "__globals__", "__closure__", "__dict__",
                         "_getframe", "__subclasses__", "__loader__", "__spec__", "reload", "system", "popen",
                         "settrace", "setprofile", "f_back", "f_globals", "f_locals"}
PROTECTED_ROOTS = {"checks", "utils"}  # the names the grade cells use: a solution has no reason to assign into them


def _dotted(node):
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def scan(source, references=(), protected=PROTECTED_ROOTS):
    """Flags for one solution cell's `source`: a sorted list of "line N: what" strings."""
    try:
        tree = ast.parse(TransformerManager().transform_cell(source))
    except SyntaxError as exc:
        return [f"line {exc.lineno}: does not parse ({exc.msg})"]
    short_refs = {r.split(".", 1)[1]: r for r in references}  # "mlp.backward" -> "utils.mlp.backward"
    flags = set()
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Import):
            flags.update((line, f"imports {a.name}") for a in node.names if a.name.split(".")[0] in SUSPICIOUS_MODULES)
        elif isinstance(node, ast.ImportFrom):
            if (node.module or "").split(".")[0] in SUSPICIOUS_MODULES:
                flags.add((line, f"imports from {node.module}"))
            flags.update((line, f"imports the reference implementation `{node.module}.{a.name}`")
                         for a in node.names if f"{node.module}.{a.name}" in references)
        elif isinstance(node, ast.Name) and node.id in SUSPICIOUS_NAMES:
            flags.add((line, f"uses {node.id}()"))
        elif isinstance(node, ast.Attribute):
            dotted = _dotted(node) or ""
            if node.attr in SUSPICIOUS_ATTRIBUTES:
                flags.add((line, f"uses .{node.attr}"))
            for short, full in short_refs.items():
                if dotted == full or dotted.endswith("." + short) or dotted == short:
                    flags.add((line, f"names the reference implementation `{full}`"))
            if isinstance(node.ctx, (ast.Store, ast.Del)) and dotted.split(".")[0] in protected:
                flags.add((line, f"assigns to {dotted}"))
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name) and target.id in protected:
                    flags.add((line, f"redefines `{target.id}`, which the grade cells use"))
        elif isinstance(node, ast.Global):
            flags.add((line, "declares a global"))
    return [f"line {line}: {what}" for line, what in sorted(flags)]
