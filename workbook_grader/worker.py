"""The trusted side of grading one notebook; runs in a grading worker (a process-pool or a Dask worker).

`grade_job(job)` takes plain data (the submitted and the source notebook as JSON text, the exercises'
secret seeds, the limits) and returns plain data (each exercise's points and message, what happened), so a
job can travel to any executor. The student's code runs only in sandboxes forked by this worker's fork server
(workbook_grader.sandbox); `cases` and `judge` run here, on answers decoded by workbook_grader.wire.
"""
import ast
import atexit
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass

import nbformat

from workbook_grader import scan, stubs, wire
from workbook_grader.isolation import remove_tree
from workbook_grader.sandbox import is_memory

GIB, MIB = 2 ** 30, 2 ** 20
BUDGET = 3  # time limits a notebook may use in all, over every re-run (a run after each cell or call that timed out)
REFERENCE_USED = re.compile(r"uses the reference implementation `[\w.]+`")


@dataclass(frozen=True)
class Limits:
    """Per notebook: `time` seconds to run its cells, and again for each exercise's call; `memory` bytes the
    sandbox (all its processes) may use beyond the preloaded libraries; `file_size` bytes per file written,
    `disk` bytes written in all; `processes`."""
    time: float = 60.0
    memory: int = 2 * GIB
    file_size: int = 64 * MIB
    disk: int = 256 * MIB
    processes: int = 64

    def describe_memory(self):
        return f"{self.memory / GIB:g} GiB" if self.memory >= GIB else f"{self.memory / MIB:g} MiB"


def _exercises():
    from utils.checks import EXERCISES
    return EXERCISES


def _denied():
    """{dotted name: kind} of every name of the package a solution may not use (deny by default)."""
    from utils.checks._deny import denied_names
    return denied_names()


class SandboxDied(Exception):
    """The sandbox ended before answering; str() says how ("timed out after 60 s", ...)."""


class Zygote:
    """This worker's fork server: one `python -I -m workbook_grader.sandbox` with the stub package preloaded."""

    def __init__(self, base):
        self.base = base
        self.stubroot = stubs.build(os.path.join(base, "lib"), _denied())
        self.hidden = [stubs.real_package_dir()]
        ours, theirs = socket.socketpair()
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
               "OPENBLAS_NUM_THREADS": "1", "MPLBACKEND": "Agg", "MPLCONFIGDIR": base, "HOME": base,
               "PYTHONHASHSEED": "0"}
        self.log = open(os.path.join(base, "zygote.log"), "wb")
        self.proc = subprocess.Popen([sys.executable, "-I", "-m", "workbook_grader.sandbox", str(theirs.fileno()), self.stubroot],
                                     pass_fds=[theirs.fileno()], env=env, cwd=base, stdin=subprocess.DEVNULL,
                                     stdout=self.log, stderr=self.log)
        theirs.close()
        self.ctrl = ours
        self.ctrl.settimeout(300)
        ready = wire.recv(self.ctrl)
        if not ready.get("ready"):
            raise RuntimeError("the grading fork server could not start:\n" + str(ready.get("error")))

    def spawn(self, workdir, limits):
        wire.send(self.ctrl, {"op": "spawn", "workdir": workdir, "hidden": self.hidden,
                              "limits": {"memory": int(limits.memory), "cpu": int(limits.time * 4 + 10),
                                         "file_size": int(limits.file_size), "disk": int(limits.disk),
                                         "processes": int(limits.processes)}})
        reply = wire.recv(self.ctrl)
        pid, self.cgroup = reply["pid"], reply["cgroup"]
        _, fds, _, _ = socket.recv_fds(self.ctrl, 1, 1)
        return pid, socket.socket(fileno=fds[0])

    def finish(self, pid):
        wire.send(self.ctrl, {"op": "finish", "pid": pid})
        return wire.recv(self.ctrl)

    def close(self):
        self.ctrl.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()
        remove_tree(self.base)


_ZYGOTE = None


def peak_kb(pid):
    """Peak resident memory of process `pid` ("self": this one) in kB: VmHWM, which, unlike ru_maxrss, does not
    carry over the parent's peak across fork and exec. A sandbox shares most of its fork server's pages."""
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def zygote():
    """This process's fork server, started on first use (a few seconds: imports torch) and reused."""
    global _ZYGOTE
    if _ZYGOTE is None or _ZYGOTE.proc.poll() is not None:
        base = tempfile.mkdtemp(prefix="grader-")
        try:
            _ZYGOTE = Zygote(base)
        except BaseException:  # a stub copy that cannot be built, a fork server that did not start: leave nothing
            remove_tree(base)
            raise
        atexit.register(_ZYGOTE.close)
    return _ZYGOTE


def _signal_name(number):
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


class Sandbox:
    """One sandbox process: runs cells one at a time, then collects answers. Every wait is bounded by one
    deadline for the whole message (a sandbox dripping bytes gains nothing), and where the time went is
    decided here: the cell running is the one this worker sent last."""

    def __init__(self, zyg, limits, budget_end=float("inf")):
        self.zyg, self.limits, self.budget_end = zyg, limits, budget_end
        self.workdir = tempfile.mkdtemp(dir=zyg.base, prefix="run-")
        os.chmod(self.workdir, 0o700)
        self.pid, self.sock = zyg.spawn(self.workdir, limits)
        self.info = None
        hello = self._recv(time.monotonic() + 120, "did not start")
        if not isinstance(hello, dict) or not isinstance(hello.get("hello"), list):
            raise SandboxDied("sent malformed data")
        self.missing = [str(m) for m in hello["hello"]]

    def _deadline(self):
        return min(time.monotonic() + self.limits.time, self.budget_end)

    def _recv(self, deadline, timed_out=None):
        if timed_out is None:
            timed_out = (f"timed out after {self.limits.time:g} s" if deadline < self.budget_end else
                         f"used up the notebook's time budget ({BUDGET} x {self.limits.time:g} s)")
        if deadline - time.monotonic() <= 0:
            raise SandboxDied(timed_out)
        try:
            return wire.recv(self.sock, deadline)
        except (socket.timeout, TimeoutError):
            raise SandboxDied(timed_out) from None
        except (EOFError, ConnectionError):
            raise SandboxDied(self._ended()) from None
        except wire.WireError as exc:
            raise SandboxDied(f"sent malformed data ({exc})") from None

    def _send(self, value, deadline):
        """Send `value` whole by `deadline` (sendall's timeout bounds the whole call), or raise SandboxDied."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise SandboxDied(f"timed out after {self.limits.time:g} s")
        self.sock.settimeout(remaining)
        try:
            wire.send(self.sock, value)
        except (socket.timeout, TimeoutError):
            raise SandboxDied(f"timed out after {self.limits.time:g} s") from None
        except (BrokenPipeError, ConnectionError):
            raise SandboxDied(self._ended()) from None

    def _ended(self):
        self.close()
        status = self.info["status"]
        if status == -signal.SIGKILL and self.info.get("oom_kills"):
            return f"exceeded the {self.limits.describe_memory()} memory limit of the whole sandbox (killed)"
        if status == -signal.SIGXCPU:
            return "exceeded the CPU-time limit"
        if status < 0:
            return f"ended the process (killed by {_signal_name(-status)})"
        return f"ended the process (exit code {status})"

    def execute(self, cells):
        """Run [(label, source, names to keep)] in order, each sent when the one before has answered, all within
        one time limit; returns [(position, message, memory?)] for the cells that raised. Raises
        SandboxDied(reason) with .position, the cell this worker had sent last, when the process ends, times out
        or sends anything but one answer per cell."""
        deadline = self._deadline()
        errors = []
        for position, (label, source, keep) in enumerate(cells):
            try:
                self._send({"op": "cell", "label": label, "source": source, "keep": list(keep)}, deadline)
                message = self._recv(deadline)
                if not isinstance(message, dict) or not (message.get("ok") is True or message.get("error") is True):
                    raise SandboxDied("sent malformed data")
            except SandboxDied as died:
                died.position = position
                raise
            if message.get("error") is True:
                errors.append((position, str(message.get("message"))[:2000], message.get("memory") is True))
        return errors

    def collect(self, grade_id, function, inputs):
        """("answers", data) or ("error", message, memory?); raises SandboxDied."""
        deadline = self._deadline()
        self._send({"op": "collect", "grade_id": grade_id, "function": function, "inputs": inputs}, deadline)
        message = self._recv(deadline)
        if isinstance(message, dict) and "answers" in message:
            return ("answers", message["answers"])
        if isinstance(message, dict) and "error" in message:
            return ("error", str(message["error"])[:2000], bool(message.get("memory")))
        raise SandboxDied("sent malformed data")

    def close(self):
        if self.info is None:
            self.sock.close()
            self.info = self.zyg.finish(self.pid)
            remove_tree(self.workdir)
            remove_tree(self.workdir + "-root")
        return self.info


@dataclass
class Cell:
    label: str          # the solution cell's grade_id, or "cell N" of the source
    source: str
    solution: bool


def _meta(cell):
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def _defines(source, name):
    """Whether `source` binds `name` at top level (def, class, assignment, import)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return False
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name == name:
            return True
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == name for t in targets):
                return True
    return False


def plan(source_nb, submitted_nb):
    """What to run and what to grade, from the *source* notebook's cells and metadata (points included);
    only the solution cells' text comes from the submission (matched by grade_id)."""
    exercises_by_id = _exercises()
    submitted = {}
    for cell in submitted_nb.get("cells", []) if submitted_nb else []:
        gid = _meta(cell).get("grade_id")
        if gid is not None and gid not in submitted and cell.get("cell_type") == "code":
            submitted[gid] = cell.get("source", "")
    cells, graded, unregistered, manual, owner = [], [], [], [], {}
    last_solution = None
    for i, cell in enumerate(source_nb.cells):
        m = _meta(cell)
        gid = m.get("grade_id")
        if m.get("grade") and (m.get("solution") or cell.cell_type == "markdown" or m.get("task")):
            manual.append({"grade_id": gid, "points": float(m.get("points", 0))})
        if cell.cell_type != "code":
            continue
        if m.get("solution"):
            cells.append(Cell(gid, submitted.get(gid, ""), True))
            last_solution = gid
        elif m.get("grade"):
            if gid in exercises_by_id:
                graded.append((gid, float(m.get("points", 0)), exercises_by_id[gid]))
                owner[gid] = last_solution
            else:
                unregistered.append({"grade_id": gid, "points": float(m.get("points", 0))})
        else:
            cells.append(Cell(f"cell {i}", cell.source, False))
    return cells, graded, unregistered, manual, owner


def grade_cells(source_nb):
    """The grade_ids of every grade cell of the source notebook (autograded and manually graded), in order:
    the report's columns."""
    return [_meta(c).get("grade_id") for c in source_nb.cells if _meta(c).get("grade")]


def in_cell_order(source_nb, exercises):
    """Sort exercise results (in place) as their grade cells stand in the source notebook."""
    order = [_meta(c).get("grade_id") for c in source_nb.cells]
    exercises.sort(key=lambda e: order.index(e["grade_id"]))
    return exercises


def _outcome(gid, points, earned, status, message):
    return {"grade_id": gid, "points": earned, "max_points": points, "status": status, "message": message}


def grade_job(job):
    """Grade one submitted notebook. `job`: {"student", "assignment", "notebook", "submission" (JSON text or
    None), "source" (JSON text), "seeds": {grade_id: int}, "limits": Limits fields}. Returns plain data."""
    started = time.perf_counter()
    limits = Limits(**job.get("limits", {}))
    result = {k: job[k] for k in ("student", "assignment", "notebook")}
    result.update(exercises=[], events=[], instructor_errors=[], runs=0, maxrss_kb=0, sandbox_peak_kb=0)
    source_nb = nbformat.reads(job["source"], as_version=4)
    submitted_nb, unreadable = None, ("missing", "no notebook submitted")
    try:
        if job.get("submission"):
            submitted_nb, unreadable = nbformat.reads(job["submission"], as_version=4), None
    except Exception as exc:  # a damaged file from a student: graded as empty, said in the report
        unreadable = ("error", f"the notebook could not be read ({type(exc).__name__}: {exc})")
    cells, graded, unregistered, manual, owner = plan(source_nb, submitted_nb)
    if unreadable:
        result["events"].append({"kind": unreadable[0], "text": unreadable[1]})
        unreadable = unreadable[1]
    for item in unregistered:
        result["exercises"].append(_outcome(item["grade_id"], item["points"], 0.0, "ungradable",
                                            "not gradable safely: no Exercise is registered for this grade cell "
                                            "(grade it with nbgrader autograde or by hand)"))
    result["manual"], result["grade_cells"] = manual, grade_cells(source_nb)
    refs = tuple(_denied())
    for cell in cells:
        if cell.solution:
            result["events"].extend({"kind": "flag", "text": f"solution cell `{cell.label}` {flag}"}
                                    for flag in scan.scan(cell.source, refs))
    outcomes = {}
    if graded and submitted_nb is not None:
        outcomes = _run_and_collect(cells, graded, owner, job["seeds"], limits, result)
    for gid, points, _ in graded:
        outcomes.setdefault(gid, _outcome(gid, points, 0.0, "failed", unreadable or "not graded"))
        result["exercises"].append(outcomes[gid])
    in_cell_order(source_nb, result["exercises"])
    result["seconds"] = time.perf_counter() - started
    result["worker_maxrss_kb"] = peak_kb("self")
    result["zygote_maxrss_kb"] = peak_kb(_ZYGOTE.proc.pid) if _ZYGOTE is not None else 0
    return result


def _run_and_collect(cells, graded, owner, seeds, limits, result):
    zyg = zygote()
    begun = time.monotonic()  # from here: the fork server's start is not the notebook's
    budget_end = begun + BUDGET * limits.time
    skipped = {}           # index into cells -> why it is no longer run
    pending = list(graded)
    outcomes = {}
    events = result["events"]
    while pending:
        if time.monotonic() >= budget_end:
            text = f"not run: the notebook used up its time budget ({BUDGET} x {limits.time:g} s)"
            events.append({"kind": "limit", "text": text})
            for gid, points, _ in pending:
                outcomes[gid] = _outcome(gid, points, 0.0, "limit", f"scored 0: {text}")
            break
        run = Sandbox(zyg, limits, budget_end)
        result["runs"] += 1
        try:
            if result["runs"] == 1:
                events.extend({"kind": "isolation", "text": m} for m in run.missing)
                result["cgroup"] = zyg.cgroup
            order = [i for i in range(len(cells)) if i not in skipped]
            keep = {}  # solution cell label -> the functions its exercises collect, kept as that cell leaves them
            for gid, _, exercise in pending:
                keep.setdefault(owner.get(gid), []).append(exercise.function)
            try:
                errors = run.execute([(cells[i].label, cells[i].source, keep.get(cells[i].label, []) if cells[i].solution
                                       else []) for i in order])
            except SandboxDied as died:
                index, text = _charge(cells, order, died)
                if index is None:  # the instructor's cells alone: a re-run cannot help
                    events.append({"kind": "error", "text": text})
                    result["instructor_errors"].append(text)
                    for gid, points, _ in pending:
                        outcomes[gid] = _outcome(gid, points, 0.0, "error", f"not graded: {text}")
                    break
                skipped[index] = text
                events.append({"kind": "limit", "text": text})
                continue
            cell_errors = {}
            for position, message, memory in errors:
                index = order[position]
                where = f"solution cell `{cells[index].label}`" if cells[index].solution else cells[index].label
                if memory:
                    message = f"exceeded the {limits.describe_memory()} memory limit in {where} ({message})"
                    events.append({"kind": "limit", "text": message})
                if cells[index].solution:
                    cell_errors[cells[index].label] = message
                elif result["runs"] == 1:
                    result["instructor_errors"].append(f"{where}: {message}")
            for gid, points, exercise in list(pending):
                sol = owner.get(gid)
                dead = [why for i, why in skipped.items() if cells[i].solution and
                        (cells[i].label == sol or _defines(cells[i].source, exercise.function))]
                if dead:
                    outcomes[gid] = _outcome(gid, points, 0.0, "limit", f"scored 0: {dead[0]}")
                    pending.remove((gid, points, exercise))
                    continue
                inputs = exercise.cases(seeds[gid])
                pending.remove((gid, points, exercise))
                try:
                    answer = run.collect(gid, exercise.function, inputs)
                except SandboxDied as died:
                    text = f"`{exercise.function}` {died}"
                    events.append({"kind": "limit", "text": text})
                    outcomes[gid] = _outcome(gid, points, 0.0, "limit", f"scored 0: {text}")
                    break  # a new sandbox for the exercises that are left
                outcomes[gid] = _judge(gid, points, exercise, inputs, answer, cell_errors.get(sol), limits, events)
        finally:
            info = run.close()
            result["maxrss_kb"] = max(result["maxrss_kb"], info["maxrss_kb"])
            result["sandbox_peak_kb"] = max(result["sandbox_peak_kb"], info.get("peak_kb", 0))
    result["run_seconds"] = time.monotonic() - begun
    return outcomes


def _charge(cells, order, died):
    """(index into cells, text) of the solution cell a dead or timed-out run is charged to: the cell this worker
    sent last if it is a solution cell, else the last solution cell sent before it, whose code (or what it left
    running, or a forged answer) held the sandbox; (None, text) when no solution cell had run."""
    sent = order[:died.position + 1]
    index = sent[-1]
    if cells[index].solution:
        return index, f"{died} in solution cell `{cells[index].label}`"
    before = [i for i in sent if cells[i].solution]
    if before:
        return before[-1], f"{died} after solution cell `{cells[before[-1]].label}` (its code, or what it left running)"
    return None, f"the source notebook's {cells[index].label} {died} before any solution cell ran"


def _judge(gid, points, exercise, inputs, answer, cell_error, limits, events):
    from utils.checks import CheckFailed

    if answer[0] == "error":
        return _failure(gid, points, exercise, answer[1], answer[2], cell_error, limits, events)
    try:
        message = exercise.judge(inputs, answer[1])
    except CheckFailed as exc:
        # a collect may record the student's error as an answer (notebook 04's backward passes do, case by case):
        # a refused allocation or a stubbed reference then reaches us in the judge's message
        return _failure(gid, points, exercise, str(exc), is_memory(str(exc)), cell_error, limits, events)
    except Exception as exc:  # the judge met answers it did not expect: no points, and the instructor is told
        events.append({"kind": "error", "text": f"judge of {gid} raised {type(exc).__name__}: {exc}"})
        return _outcome(gid, points, 0.0, "failed", f"the answers could not be judged ({type(exc).__name__})")
    return _outcome(gid, points, points, "passed", "✓ " + str(message))


def _failure(gid, points, exercise, message, memory, cell_error, limits, events):
    """0 points for `message` (from the sandbox's collect or the judge), named a limit hit, the use of a
    reference implementation or a plain mistake."""
    if memory:
        message = f"`{exercise.function}` exceeded the {limits.describe_memory()} memory limit ({message})"
        events.append({"kind": "limit", "text": message})
        return _outcome(gid, points, 0.0, "limit", message)
    reference = REFERENCE_USED.search(message)
    if reference:
        events.append({"kind": "flag", "text": f"`{exercise.function}` {reference.group(0)}"})
        return _outcome(gid, points, 0.0, "reference", message)
    if cell_error:
        message += f" (its solution cell raised {cell_error})"
    return _outcome(gid, points, 0.0, "failed", message)
