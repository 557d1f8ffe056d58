"""The untrusted side: a fork server ("zygote") and the sandboxes it forks, one per notebook run.

`python -I -m workbook_grader.sandbox FD STUBROOT` is started by a grading worker. It imports numpy, torch,
matplotlib (Agg), IPython's input transformer and the *stub* copy of `utils` (reference implementations
replaced by stubs, see workbook_grader.stubs) once, then forks a sandbox per request. It never imports the real `utils`,
runs no student code itself, and talks to its worker over the socket FD:
  {"op": "spawn", "workdir", "hidden", "limits"} -> {"pid", "cgroup"}, then the sandbox's socket (SCM_RIGHTS)
  {"op": "finish", "pid"} -> {"status", "maxrss_kb", "peak_kb", "oom_kills"}: ends the sandbox and everything
      it started, reaps it, removes its control groups
A sandbox is two processes: a keeper (root, the fork server's child; as root it is the first process of a PID
namespace of its own, in the sandbox's control groups and IPC namespace) and, forked by the keeper, the sandbox
proper, which isolates itself further (workbook_grader.isolation), says {"hello": missing-isolation}, then answers:
  {"op": "cell", "label", "source", "keep"} -> {"ok": true} or {"error", "message", "memory", "exit"}
  {"op": "collect", "grade_id", "function", "inputs"} -> {"answers"} or {"error", "memory"}
  {"op": "exit"}
The keeper reports the sandbox's exit status and peak memory to the fork server, and on `finish` kills every
process of its namespace: whatever the student started, double-forked or setsid'd, ends with it.
Everything a sandbox sends is untrusted: the worker decodes it with workbook_grader.wire and judges it itself; which
cell was running, and for how long, the worker knows from its own requests and clock.
"""
import builtins
import json
import os
import select
import signal
import socket
import sys
import traceback

from workbook_grader import wire

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


def _run_cell(chan, transformer, request, namespace, kept):
    """Run one cell in `namespace`. After it, the names it must define for an exercise (its `keep`) are kept
    aside: collect uses them, so a later cell that rebinds the name (the instructor's demonstration
    `kappa = ...`, or a student's later redefinition) changes nothing."""
    import matplotlib.pyplot as plt
    keep = request["keep"]
    before = {name: namespace.get(name) for name in keep}
    failed = False
    try:
        code = compile(transformer.transform_cell(request["source"]), f"<cell {request['label']}>", "exec")
        exec(code, namespace)
    except BaseException as exc:  # noqa: BLE001 - SystemExit and KeyboardInterrupt from a cell are its errors too
        failed = True
        wire.send(chan, {"error": True, "message": _describe(exc), "memory": _is_memory(exc),
                         "exit": isinstance(exc, SystemExit)})
    finally:
        for name in keep:  # a cell that failed before binding the name leaves an earlier cell's value (not theirs)
            rebound = name in namespace and namespace[name] is not before[name]
            kept[name] = namespace.get(name) if rebound or not failed else None
        plt.close("all")
    if not failed:
        wire.send(chan, {"ok": True})


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


def _sandbox_main(chan, job, transformer, visible, uid, pid_namespace, missing):
    from workbook_grader.isolation import isolate

    os.setsid()
    signal.signal(signal.SIGUSR1, signal.SIG_DFL)  # the keeper's handler, inherited
    missing = missing + isolate(job["workdir"], visible, job["hidden"], job["limits"], uid, pid_namespace)
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
        if request["op"] == "cell":
            _run_cell(chan, transformer, request, namespace, kept)
        elif request["op"] == "collect":
            _collect(chan, request, namespace, kept)
        else:
            os._exit(0)


def _keeper(chan, job, transformer, visible, groups, pid_namespace, go, report, missing):
    """The sandbox's parent (root): joins its control groups and a new IPC namespace, forks the sandbox, reaps
    it (and, as the first process of the PID namespace, every orphan in it), then reports its exit status and
    peak memory on `report`. SIGUSR1 from the fork server ends every process of the sandbox."""
    from workbook_grader.isolation import UID_BASE, enter_ipc_namespace, join

    uid = UID_BASE + int(os.read(go, 32))  # the keeper's process id as the fork server sees it: unique while it lives
    os.close(go)
    join(groups)
    missing = missing + enter_ipc_namespace()
    child = None

    def end_all(*_):
        try:
            if os.getpid() == 1:  # the first process of its own PID namespace: kill(-1) reaches that namespace only
                os.kill(-1, signal.SIGKILL)
            elif child is not None:
                os.killpg(child, signal.SIGKILL)
        except ProcessLookupError:  # nothing left to kill
            pass

    signal.signal(signal.SIGUSR1, end_all)
    child = os.fork()
    if child == 0:
        os.close(report)
        try:
            _sandbox_main(chan, job, transformer, visible, uid, pid_namespace, missing)
        finally:
            os._exit(70)
    chan.close()
    while True:
        try:
            pid, status, usage = os.wait4(-1, 0)
        except ChildProcessError:
            os._exit(71)
        if pid == child:
            break
    signal.signal(signal.SIGUSR1, signal.SIG_IGN)
    os.write(report, json.dumps({"status": os.waitstatus_to_exitcode(status), "maxrss_kb": usage.ru_maxrss}).encode())
    os._exit(0)


def _kill_user(uid):
    """Kill every process of user id `uid` (as root): outside a PID namespace, what a sandbox started with
    setsid or a double fork is found by its user id."""
    helper = os.fork()
    if helper == 0:
        try:
            os.setresuid(uid, uid, uid)
            os.kill(-1, signal.SIGKILL)
        finally:
            os._exit(0)
    os.waitpid(helper, 0)


def _finish(pid, report, groups, pid_namespace, cgroups):
    """End the sandbox whose keeper is `pid` and everything it started, reap the keeper, remove its groups."""
    from workbook_grader.isolation import sandbox_user

    try:
        os.kill(pid, signal.SIGUSR1)
    except ProcessLookupError:
        pass
    ready, _, _ = select.select([report], [], [], 10)
    data = os.read(report, 4096) if ready else b""
    os.close(report)
    if not data:  # the keeper did not answer: end it, and (as the first process of its namespace) all of it
        os.kill(pid, signal.SIGKILL)
    _, status, usage = os.wait4(pid, 0)
    if os.getuid() == 0 and not pid_namespace:
        _kill_user(sandbox_user(pid))
    info = json.loads(data) if data else {"status": os.waitstatus_to_exitcode(status), "maxrss_kb": usage.ru_maxrss}
    info.update(cgroups.release(groups))
    return info


def main(fd, stubroot):
    from workbook_grader import isolation

    ctrl = socket.socket(fileno=fd)
    try:
        transformer = _preload(stubroot)
        visible = isolation.visible_paths([stubroot])
        cgroups = isolation.Cgroups()
        pid_namespace = isolation.PidNamespace()
    except BaseException:
        wire.send(ctrl, {"ready": False, "error": traceback.format_exc()[-3000:]})
        raise
    wire.send(ctrl, {"ready": True})
    keepers, count = {}, 0
    try:
        while True:
            try:
                request = wire.recv(ctrl)
            except EOFError:  # the worker is gone
                return
            if request["op"] == "spawn":
                count += 1
                groups = cgroups.create(f"sandbox-{count}", request["limits"])
                missing = cgroups.missing + pid_namespace.missing
                ours, theirs = socket.socketpair()
                report_r, report_w = os.pipe()
                go_r, go_w = os.pipe()
                fresh = pid_namespace.enter()
                pid = os.fork()
                if pid == 0:
                    ctrl.close()
                    ours.close()
                    os.close(report_r)
                    os.close(go_w)
                    try:
                        _keeper(theirs, request, transformer, visible, groups, fresh, go_r, report_w, missing)
                    finally:
                        os._exit(70)
                pid_namespace.leave()
                os.write(go_w, str(pid).encode())
                for fd_ in (go_r, go_w, report_w):
                    os.close(fd_)
                theirs.close()
                keepers[pid] = (report_r, groups, fresh)
                wire.send(ctrl, {"pid": pid, "cgroup": cgroups.describe()})
                socket.send_fds(ctrl, [b"s"], [ours.fileno()])
                ours.close()
            elif request["op"] == "finish":
                report, groups, fresh = keepers.pop(request["pid"])
                wire.send(ctrl, _finish(request["pid"], report, groups, fresh, cgroups))
    finally:
        cgroups.close()


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2])
