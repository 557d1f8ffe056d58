"""Operating-system isolation of one sandbox process (Linux), applied after fork and before student code.

As root (a grading container, CI), `isolate` gives the process:
* its own network namespace: no interface but a loopback that is down, so no network at all;
* its own mount namespace whose root is a fresh read-only tmpfs holding only read-only bind mounts of what
  Python needs (the interpreter, the system libraries, site-packages, the stub package) and its own writable
  work folder: the course folder, the instructor's sources, the real `utils` package and every other
  submission are not in its file system at all;
* a user id of its own (200000 + pid), so it cannot signal, trace or read another sandbox or the grader,
  and cannot undo the mounts; no_new_privs, so no setuid program gives root back.
Without root (or where unshare is refused) none of this is available; `isolate` then returns what it could
not do, the grader writes it into the log, and the sandbox still has its resource limits, its own process
group and the stub package (see README, "Grading a class").
"""
import ctypes
import ctypes.util
import os
import resource
from pathlib import Path

CLONE_NEWNS, CLONE_NEWNET = 0x00020000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 1, 2, 4, 32, 4096, 16384, 1 << 18
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


def isolate(workdir, visible, hidden, limits):
    """Isolate this (freshly forked) process; returns a list of what could not be done (empty: all of it).

    workdir  the only writable folder (made owned by the sandbox's user id)
    visible  read-only paths that stay visible (see `visible_paths`)
    hidden   paths that must not be readable even when they lie inside a visible path (the real package)
    limits   {"memory": bytes, "cpu": seconds, "file_size": bytes, "processes": n}; the memory limit is what
             the process may map beyond what it has mapped now (numpy, torch and matplotlib: about 0.7 GB)
    """
    missing = []
    try:
        _check(_libc.unshare(CLONE_NEWNS | CLONE_NEWNET), "unshare")
    except OSError as exc:
        missing.append(f"no network or file-system isolation ({exc.strerror}: needs root or CAP_SYS_ADMIN)")
    else:
        try:
            _private_root(workdir, visible, hidden)
        except OSError as exc:  # e.g. a container that allows unshare but not mount: the network stays cut
            missing.append(f"no file-system isolation ({exc})")
    os.chdir(workdir)
    mapped = int(Path("/proc/self/statm").read_text().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    for name, value in (("RLIMIT_AS", mapped + limits["memory"]), ("RLIMIT_CPU", limits["cpu"]),
                        ("RLIMIT_FSIZE", limits["file_size"]), ("RLIMIT_CORE", 0)):
        resource.setrlimit(getattr(resource, name), (value, value))
    if os.getuid() == 0:  # a user id of its own: no signals to, or traces of, other sandboxes or the grader
        uid = sandbox_user(os.getpid())
        os.chown(workdir, uid, uid)
        resource.setrlimit(resource.RLIMIT_NPROC, (limits["processes"], limits["processes"]))  # per user id
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)
    else:
        missing.append("runs as the grader's own user (start the grader as root for a user id per sandbox)")
    _check(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl")
    return missing


def _private_root(workdir, visible, hidden):
    """chroot into a read-only tmpfs holding read-only binds of `visible`, `hidden` covered, `workdir` writable."""
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
    _mount("/proc", newroot + "/proc", None, MS_BIND | MS_REC)
    os.makedirs(newroot + workdir, exist_ok=True)
    _mount(workdir, newroot + workdir, None, MS_BIND)
    _mount(None, newroot, None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)
    os.chroot(newroot)


def sandbox_user(pid):
    """The user id `isolate` gives the sandbox with process id `pid`."""
    return UID_BASE + pid



