"""Operating-system isolation of one sandbox (Linux), applied after fork and before student code.

As root, a sandbox is one unit: its keeper (workbook_grader.sandbox) is the first process of a PID namespace of its own
(`PidNamespace`), so every process the sandbox starts, double-forked or setsid'd, dies with it and it sees no
other process; it has an IPC namespace of its own (`enter_ipc_namespace`: SysV shared memory and semaphores
die with it and are invisible to other sandboxes); and control groups of its own (`Cgroups`: cgroup v2, or
v1 where v2 has no controllers) bound the memory (`memory.max`), the number of processes (`pids.max`) and the
CPU (one core) of the whole sandbox, not of each process. Then `isolate` gives the sandbox process:
* its own network namespace: no interface but a loopback that is down, so no network at all;
* its own mount namespace whose root is a fresh read-only tmpfs holding only read-only bind mounts of what
  Python needs (the interpreter, the system libraries, site-packages, the stub package), a /proc of its own
  PID namespace, and as its only writable folder a tmpfs of `limits["disk"]` bytes in all (it dies with the
  namespace: nothing written is left behind): the course folder, the instructor's sources, the real `utils`
  package and every other submission are not in its file system at all;
* a user id of its own (200000 + the keeper's pid), so it cannot signal, trace or read another sandbox or the grader,
  and cannot undo the mounts; no_new_privs, so no setuid program gives root back.
Without root (or where unshare or the cgroup file system is refused) what is unavailable is returned, one
sentence each naming the protection that is missing, the grader writes it into the log, and the sandbox still
has its per-process resource limits, its own process group and the stub package (see docs/grading.md).
`remove_tree` removes a folder at any depth (a sandbox may nest folders deeper than Python can recurse).
"""
import ctypes
import ctypes.util
import errno
import os
import resource
import signal
import time
from pathlib import Path

CLONE_NEWNS, CLONE_NEWNET, CLONE_NEWPID, CLONE_NEWIPC = 0x00020000, 0x40000000, 0x20000000, 0x08000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REMOUNT = 1, 2, 4, 8, 32
MS_BIND, MS_REC, MS_PRIVATE = 4096, 16384, 1 << 18
PR_SET_NO_NEW_PRIVS = 38
UID_BASE = 200000  # sandbox user ids: 200000 + pid, unique while the process lives

_libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)


def _check(result, what):
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def _mount(source, target, fstype, flags, data=None):
    _check(_libc.mount(None if source is None else os.fsencode(source), os.fsencode(target),
                       None if fstype is None else os.fsencode(fstype), ctypes.c_ulong(flags),
                       None if data is None else data.encode()), f"mount {target}")


def _bind_readonly(path, newroot):
    target = newroot + path
    if os.path.isdir(path):
        os.makedirs(target, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        open(target, "a").close()
    _mount(path, target, None, MS_BIND | MS_REC)
    _mount(None, target, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID)


def visible_paths(extra=()):
    """What the sandbox's file system shows (read-only): system folders, the interpreter, this process's
    sys.path (called in the fork server, started with `python -I`: the standard library and site-packages,
    never the current folder) and `extra`."""
    import sys
    paths = {"/usr", "/lib", "/lib64", "/bin", "/etc", os.path.realpath(sys.executable), sys.base_prefix, sys.prefix}
    paths.update(p for p in sys.path if p and os.path.isdir(p))
    paths.update(extra)
    paths = sorted({os.path.realpath(p) for p in paths if os.path.exists(p)})
    return [p for p in paths if not any(p != q and p.startswith(q.rstrip("/") + "/") for q in paths)]


def isolate(workdir, visible, hidden, limits, uid=None, pid_namespace=False):
    """Isolate this (freshly forked) process; returns a list of what could not be done (empty: all of it).

    workdir  the only writable folder: a tmpfs of limits["disk"] bytes mounted there, owned by the sandbox's
             user id (without a mount namespace: the grader's folder itself, each file limited only)
    visible  read-only paths that stay visible (see `visible_paths`)
    hidden   paths that must not be readable even when they lie inside a visible path (the real package)
    limits   {"memory": bytes, "cpu": seconds, "file_size": bytes, "disk": bytes, "processes": n}; the memory
             limit is what the process may map beyond what it has mapped now (numpy, torch and matplotlib: about
             0.7 GB), and what the whole sandbox may add to its control group
    uid      the sandbox's user id (default: sandbox_user of this process)
    pid_namespace  whether this process is in a PID namespace of its own (then /proc shows only it)
    """
    missing = []
    uid = sandbox_user(os.getpid()) if uid is None else uid
    try:
        _check(_libc.unshare(CLONE_NEWNS | CLONE_NEWNET), "unshare")
    except OSError as exc:
        missing.append(f"no network or file-system isolation ({exc.strerror}: needs root or CAP_SYS_ADMIN)")
        missing.append(f"no bound on what a sandbox writes in total, only {limits['file_size'] / 2 ** 20:g} MiB "
                       "per file (its tmpfs needs a mount namespace)")
    else:
        try:
            _private_root(workdir, visible, hidden, limits["disk"], uid, pid_namespace)
        except OSError as exc:  # e.g. a container that allows unshare but not mount: the network stays cut
            missing.append(f"no file-system isolation, no bound on what a sandbox writes in total ({exc})")
    os.chdir(workdir)
    mapped = int(Path("/proc/self/statm").read_text().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    for name, value in (("RLIMIT_AS", mapped + limits["memory"]), ("RLIMIT_CPU", limits["cpu"]),
                        ("RLIMIT_FSIZE", limits["file_size"]), ("RLIMIT_CORE", 0)):
        resource.setrlimit(getattr(resource, name), (value, value))
    if os.getuid() == 0:  # a user id of its own: no signals to, or traces of, other sandboxes or the grader
        os.chown(workdir, uid, uid)
        resource.setrlimit(resource.RLIMIT_NPROC, (limits["processes"], limits["processes"]))  # per user id
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)
    else:
        missing.append("runs as the grader's own user (start the grader as root for a user id per sandbox)")
    _check(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl")
    return missing


def _private_root(workdir, visible, hidden, disk, uid, pid_namespace):
    """chroot into a read-only tmpfs holding read-only binds of `visible`, `hidden` covered, a tmpfs of `disk`
    bytes at `workdir`, and /proc (its own if `pid_namespace`)."""
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    newroot = workdir.rstrip("/") + "-root"  # an empty folder beside the work folder, removed with it
    os.makedirs(newroot, exist_ok=True)
    _mount("tmpfs", newroot, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=0755")
    for path in visible:
        _bind_readonly(path, newroot)
    for path in hidden:
        if os.path.exists(newroot + path):
            if os.path.isdir(path):
                _mount("tmpfs", newroot + path, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV, "size=4k,mode=0555")
            else:
                _mount("/dev/null", newroot + path, None, MS_BIND)
    for dev in ("null", "zero", "urandom", "random"):
        _bind_readonly(f"/dev/{dev}", newroot)
    os.makedirs(newroot + "/proc", exist_ok=True)
    if pid_namespace:  # a proc of the sandbox's own PID namespace: no other process is listed
        _mount("proc", newroot + "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    else:
        _mount("/proc", newroot + "/proc", None, MS_BIND | MS_REC)
    os.makedirs(newroot + workdir, exist_ok=True)  # whatever is written lives in this tmpfs and dies with the namespace
    _mount("tmpfs", newroot + workdir, "tmpfs", MS_NOSUID | MS_NODEV,
           f"size={max(int(disk), 4096)},nr_inodes=65536,mode=0700,uid={uid},gid={uid}")
    _mount(None, newroot, None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)
    os.chroot(newroot)


class PidNamespace:
    """The fork server's switch into a fresh PID namespace for its next child (`enter`), and back (`leave`):
    that child is then the first process of its namespace, and everything in it dies when it does."""

    def __init__(self):
        self.missing = []
        self.own = None
        try:
            self.own = os.open("/proc/self/ns/pid", os.O_RDONLY | os.O_CLOEXEC)
            _check(_libc.unshare(CLONE_NEWPID), "unshare")
            self.leave()
        except OSError as exc:
            self.missing.append(f"no PID namespace ({exc.strerror}: needs root or CAP_SYS_ADMIN): a sandbox sees "
                                "every process and its command line, and what it starts with setsid or a double "
                                "fork outlives it" + (" unless killed by its user id" if os.getuid() == 0 else ""))
            if self.own is not None:
                os.close(self.own)
                self.own = None

    def enter(self):
        """Whether the next child of this process is the first of a new PID namespace."""
        if self.own is None:
            return False
        _check(_libc.unshare(CLONE_NEWPID), "unshare")
        return True

    def leave(self):
        if self.own is not None:
            _check(_libc.setns(self.own, CLONE_NEWPID), "setns")


def enter_ipc_namespace():
    """An IPC namespace of this process's own: returns what is missing (for the log) where it is refused."""
    try:
        _check(_libc.unshare(CLONE_NEWIPC), "unshare")
    except OSError as exc:
        return [f"no IPC namespace ({exc.strerror}: needs root or CAP_SYS_ADMIN): SysV shared memory, semaphores "
                "and message queues are shared by every sandbox and outlive it"]
    return []


CGROUP_ROOT = "/sys/fs/cgroup"
_V1_FILES = {"memory": [("memory.limit_in_bytes", "memory"), ("memory.memsw.limit_in_bytes", "memory")],
             "pids": [("pids.max", "processes")],
             "cpu": [("cpu.cfs_period_us", "period"), ("cpu.cfs_quota_us", "period")]}
_V2_FILES = [("memory.max", "memory"), ("memory.swap.max", "zero"), ("pids.max", "processes"), ("cpu.max", "cpu_max")]


class Cgroups:
    """Control groups for the sandboxes of one fork server (root), in a folder of its own, grader-PID, inside
    the groups it was started in: cgroup v2 where the memory and pids controllers can be delegated to it,
    else v1's memory, pids and cpu hierarchies. `missing` says what is unavailable; `create` makes a sandbox's
    groups with its limits, the keeper `join`s them, `release` kills what is left in them and removes them."""

    def __init__(self, root=CGROUP_ROOT):
        self.version, self.folders, self.missing = None, {}, []
        self.v2_refused = "no cgroup v2 hierarchy"
        self.controllers = []
        if os.getuid() != 0:
            self._missing("the grader is not root")
            return
        own = {}
        for line in Path("/proc/self/cgroup").read_text().splitlines():
            number, controllers, path = line.split(":", 2)
            for c in (controllers.split(",") if controllers else ["unified"]):
                own[c] = path
        try:
            self._v2(root, own.get("unified")) or self._v1(root, own)
        except OSError as exc:
            self._cleanup()
            self._missing(f"{exc.strerror}: {exc.filename}")

    def _missing(self, why):
        self.version = None
        self.missing = [f"no control group ({why}): memory, process-count and CPU limits apply per process, not "
                        "to the sandbox as a whole (needs root and cgroup v2 with the memory and pids controllers, "
                        "or cgroup v1's memory and pids hierarchies)"]

    def _v2(self, root, own):
        mount = root if os.path.exists(f"{root}/cgroup.controllers") else f"{root}/unified"
        if own is None or not os.path.exists(f"{mount}/cgroup.controllers"):
            return False
        parent = os.path.normpath(mount + own)
        available = Path(parent, "cgroup.controllers").read_text().split()
        if not {"memory", "pids"} <= set(available):
            self.v2_refused = f"cgroup v2 offers {parent} no memory and pids controllers"
            return False
        wanted = [c for c in ("memory", "pids", "cpu") if c in available]
        enabled = Path(parent, "cgroup.subtree_control").read_text().split()
        try:
            if not set(wanted) <= set(enabled):  # allowed only where the group itself holds no process
                Path(parent, "cgroup.subtree_control").write_text(" ".join(f"+{c}" for c in wanted))
        except OSError as exc:
            self.v2_refused = f"cgroup v2 cannot enable memory and pids below {parent}: {exc.strerror}"
            return False
        folder = os.path.join(parent, f"grader-{os.getpid()}")
        os.mkdir(folder)
        self.folders = {"unified": folder}
        Path(folder, "cgroup.subtree_control").write_text(" ".join(f"+{c}" for c in wanted))
        self.version, self.controllers = 2, wanted
        return True

    def _v1(self, root, own):
        for controller in ("memory", "pids", "cpu"):
            mount = f"{root}/{controller}"
            if controller in own and os.path.exists(f"{mount}/cgroup.procs"):
                folder = os.path.normpath(f"{mount}{own[controller]}/grader-{os.getpid()}")
                os.mkdir(folder)
                self.folders[controller] = folder
        if not {"memory", "pids"} <= set(self.folders):
            raise OSError(errno.ENOENT, f"{self.v2_refused}, and no cgroup v1 memory and pids hierarchies", root)
        self.version, self.controllers = 1, sorted(self.folders)
        return True

    def describe(self):
        """Which control groups bound a sandbox, for the log ("" when none)."""
        if self.version is None:
            return ""
        return f"cgroup v{self.version} ({', '.join(self.controllers)})"

    def create(self, name, limits):
        """{controller: folder} of a new group `name` with `limits` (see isolation.isolate); {} if unavailable."""
        if self.version is None:
            return {}
        values = {"memory": int(limits["memory"]), "processes": int(limits["processes"]) + 2,  # + keeper, sandbox
                  "period": 100000, "zero": 0, "cpu_max": "100000 100000"}  # one core for the whole sandbox
        groups = {}
        for controller, folder in self.folders.items():
            group = os.path.join(folder, name)
            os.mkdir(group)
            groups[controller] = group
            files = _V2_FILES if self.version == 2 else _V1_FILES[controller]
            for filename, key in files:
                if os.path.exists(os.path.join(group, filename)):
                    Path(group, filename).write_text(str(values[key]))
        return groups

    def release(self, groups):
        """Kill whatever is still in `groups`, remove them; returns {"peak_kb", "oom_kills"} of the memory group."""
        info = {}
        memory = groups.get("memory", groups.get("unified"))
        if memory:
            peak = Path(memory, "memory.max_usage_in_bytes" if self.version == 1 else "memory.peak")
            if peak.exists():
                info["peak_kb"] = int(peak.read_text()) // 1024
            events = Path(memory, "memory.oom_control" if self.version == 1 else "memory.events")
            if events.exists():
                counts = dict(line.split()[:2] for line in events.read_text().splitlines())
                info["oom_kills"] = int(counts.get("oom_kill", 0))
        for group in groups.values():
            _empty(group)
        return info

    def _cleanup(self):
        for folder in self.folders.values():
            try:
                os.rmdir(folder)
            except OSError:
                pass
        self.folders = {}

    def close(self):
        self._cleanup()


def join(groups):
    """Move this process into `groups` (the keeper, as root, before it forks the sandbox)."""
    for group in groups.values():
        Path(group, "cgroup.procs").write_text("0")


def _empty(group, attempts=200):
    """Kill every process in `group`, then remove it (it is busy until they have exited)."""
    kill = Path(group, "cgroup.kill")
    for _ in range(attempts):
        pids = Path(group, "cgroup.procs").read_text().split()
        if not pids:
            try:
                os.rmdir(group)
                return
            except OSError as exc:
                if exc.errno != errno.EBUSY:
                    raise
        elif kill.exists():
            kill.write_text("1")
        else:
            for pid in pids:
                try:
                    os.kill(int(pid), signal.SIGKILL)
                except ProcessLookupError:
                    pass
        time.sleep(0.005)
    raise RuntimeError(f"control group {group} still holds processes after they were killed")


def remove_tree(path):
    """Remove the folder `path` and everything in it, at any depth and path length: it descends one level at a
    time through file descriptors (never recursion, never a path longer than a name) and climbs back by `..`.
    Symbolic links are removed, never followed; folders whose mode forbids reading are opened up first.
    Nothing to remove is not an error."""
    flags = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        return
    names = []  # the folders descended into, below `path`
    try:
        while True:
            try:
                os.chmod(fd, 0o700)
            except PermissionError:  # not ours (without root): removal below says so if it matters
                pass
            sub = None
            with os.scandir(fd) as entries:
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False):
                        sub = entry.name
                        break
                    os.unlink(entry.name, dir_fd=fd)
            if sub is not None:
                child = os.open(sub, flags, dir_fd=fd)
                os.close(fd)
                fd = child
                names.append(sub)
                continue
            if not names:
                break
            parent = os.open("..", flags, dir_fd=fd)
            os.close(fd)
            fd = parent
            os.rmdir(names.pop(), dir_fd=fd)
    finally:
        os.close(fd)
    os.rmdir(path)


def sandbox_user(pid):
    """The user id of the sandbox whose keeper (or, called by `isolate` itself without a keeper, the sandbox
    process) has process id `pid` in the grader's PID namespace: unique while that process lives."""
    return UID_BASE + pid



