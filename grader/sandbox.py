"""The untrusted side: a fork server ("zygote") and the sandbox processes it forks, one per notebook run.

`python -I -m grader.sandbox FD STUBROOT` is started by a grading worker. It imports numpy, torch,
matplotlib (Agg), IPython's input transformer and the *stub* copy of `utils` (reference implementations
replaced by stubs, see grader.stubs) once, then forks a sandbox per request. It never imports the real `utils`,
runs no student code itself, and talks to its worker over the socket FD:
  {"op": "spawn", "workdir", "hidden", "limits"} -> {"pid"}, then the sandbox's socket (SCM_RIGHTS)
  {"op": "finish", "pid"} -> {"status", "maxrss_kb"}: kills whatever the sandbox left, reaps it
A sandbox isolates itself (grader.isolation), says {"hello": missing-isolation}, then answers:
  {"op": "run", "cells": [[label, source], ...]} -> {"start": i} per cell, {"error": i, ...} per failing cell, {"done"}
  {"op": "collect", "grade_id", "function", "inputs"} -> {"answers"} or {"error", "memory"}
  {"op": "exit"}
Everything a sandbox sends is untrusted: the worker decodes it with grader.wire and judges it itself.
"""
import builtins
import os
import signal
import socket
import sys
import traceback

from grader import wire

SANDBOX_ENV = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MPLBACKEND": "Agg",
               "PYTHONHASHSEED": "0", "LANG": "C.UTF-8"}


def _preload(stubroot):
    """Import what every notebook needs, the stub `utils` first on sys.path (checked, not assumed)."""
    sys.path.insert(0, stubroot)
    import importlib
    import pkgutil

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot  # noqa: F401
    import numpy  # noqa: F401
    import torch
    torch.set_num_threads(1)
    import torch.nn  # noqa: F401
    from IPython.core.inputtransformer2 import TransformerManager
    try:
        import ipywidgets  # noqa: F401
    except ImportError:
        pass
    import utils
    if not os.path.realpath(utils.__file__).startswith(os.path.realpath(stubroot) + os.sep):
        raise RuntimeError(f"the sandbox imported utils from {utils.__file__}, not from the stub copy in {stubroot}")
    for info in pkgutil.walk_packages(utils.__path__, "utils."):
        if info.name != "utils.__main__":
            importlib.import_module(info.name)
    return TransformerManager()


class _Shell:
    """Just enough of get_ipython() for transformed magics: line and cell magics do nothing."""

    def run_line_magic(self, *args, **kwargs):
        return None

    run_cell_magic = run_line_magic

    def system(self, *args, **kwargs):
        raise RuntimeError("shell commands (!cmd) do not run while grading")

    getoutput = system


def _describe(exc):
    text = f"{type(exc).__name__}: {exc}"
    return text[:2000]


MEMORY_ERRORS = ("MemoryError", "Unable to allocate", "can't allocate memory", "Cannot allocate memory")


def is_memory(text):
    """Whether an error message says an allocation was refused (numpy, torch, or either as a check reports it)."""
    return any(marker in text for marker in MEMORY_ERRORS)


def _is_memory(exc):
    return isinstance(exc, MemoryError) or is_memory(str(exc))


def _run_cells(chan, transformer, cells, namespace, kept):
    """Run the cells in `namespace`. After a cell, the names it must define for an exercise (its `keep`) are
    kept aside: collect uses them, so a later cell that rebinds the name (the instructor's demonstration
    `kappa = ...`, or a student's later redefinition) changes nothing."""
    import matplotlib.pyplot as plt
    for i, (label, source, keep) in enumerate(cells):
        wire.send(chan, {"start": i})
        before = {name: namespace.get(name) for name in keep}
        failed = False
        try:
            code = compile(transformer.transform_cell(source), f"<cell {label}>", "exec")
            exec(code, namespace)
        except BaseException as exc:  # noqa: BLE001 - SystemExit and KeyboardInterrupt from a cell are its errors too
            failed = True
            wire.send(chan, {"error": i, "message": _describe(exc), "memory": _is_memory(exc),
                             "exit": isinstance(exc, SystemExit)})
        finally:
            for name in keep:  # a cell that failed before binding the name leaves an earlier cell's value (not theirs)
                rebound = name in namespace and namespace[name] is not before[name]
                kept[name] = namespace.get(name) if rebound or not failed else None
            plt.close("all")
    wire.send(chan, {"done": True})


def _collect(chan, request, namespace, kept):
    import utils.checks
    exercise = utils.checks.EXERCISES.get(request["grade_id"])
    fn = kept[request["function"]] if request["function"] in kept else namespace.get(request["function"])
    try:
        if exercise is None:
            raise LookupError(f"no exercise {request['grade_id']!r} in this copy of utils.checks")
        if fn is None:
            raise NameError(f"`{request['function']}` is not defined: its solution cell did not define it")
        answers = exercise.collect(fn, request["inputs"])
        data = wire.dumps({"answers": answers})
    except BaseException as exc:  # noqa: BLE001 - the student's code may raise anything, SystemExit included
        name = type(exc).__name__
        message = str(exc) if name == "CheckFailed" else _describe(exc)
        wire.send(chan, {"error": message[:2000], "memory": _is_memory(exc)})
        return
    chan.sendall(len(data).to_bytes(8, "big") + data)


def _sandbox_main(chan, job, transformer, visible):
    from grader.isolation import isolate

    os.setsid()
    missing = isolate(job["workdir"], visible, job["hidden"], job["limits"])
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a too-large file is then an OSError, not a dead process
    for fd, name in ((1, "stdout.txt"), (2, "stderr.txt")):
        out = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(out, fd)
        os.close(out)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.environ.clear()
    os.environ.update(SANDBOX_ENV, HOME=job["workdir"], MPLCONFIGDIR=job["workdir"], TMPDIR=job["workdir"])
    wire.send(chan, {"hello": missing})
    from IPython.display import display
    namespace = {"__name__": "__main__", "__builtins__": builtins, "get_ipython": _Shell, "display": display}
    kept = {}
    while True:
        request = wire.recv(chan)
        if request["op"] == "run":
            _run_cells(chan, transformer, request["cells"], namespace, kept)
        elif request["op"] == "collect":
            _collect(chan, request, namespace, kept)
        else:
            os._exit(0)


def _finish(pid):
    """Kill the sandbox `pid` and everything it started (its user id, or its process group), reap it."""
    from grader.isolation import sandbox_user

    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    if os.getuid() == 0:  # a child that left the process group still has the sandbox's user id
        helper = os.fork()
        if helper == 0:
            try:
                uid = sandbox_user(pid)
                os.setresuid(uid, uid, uid)
                os.kill(-1, signal.SIGKILL)
            finally:
                os._exit(0)
        os.waitpid(helper, 0)
    _, status, usage = os.wait4(pid, 0)
    return {"status": os.waitstatus_to_exitcode(status), "maxrss_kb": usage.ru_maxrss}


def main(fd, stubroot):
    ctrl = socket.socket(fileno=fd)
    try:
        transformer = _preload(stubroot)
        from grader.isolation import visible_paths
        visible = visible_paths([stubroot])
    except BaseException:
        wire.send(ctrl, {"ready": False, "error": traceback.format_exc()[-3000:]})
        raise
    wire.send(ctrl, {"ready": True})
    while True:
        try:
            request = wire.recv(ctrl)
        except EOFError:  # the worker is gone
            return
        if request["op"] == "spawn":
            ours, theirs = socket.socketpair()
            pid = os.fork()
            if pid == 0:
                ctrl.close()
                ours.close()
                try:
                    _sandbox_main(theirs, request, transformer, visible)
                finally:
                    os._exit(70)
            theirs.close()
            wire.send(ctrl, {"pid": pid})
            socket.send_fds(ctrl, [b"s"], [ours.fileno()])
            ours.close()
        elif request["op"] == "finish":
            wire.send(ctrl, _finish(request["pid"]))


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2])
