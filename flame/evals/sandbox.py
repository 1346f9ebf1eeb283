"""Run untrusted Python (model-written code) in a separate, limited, throwaway process.

`run_python(code)` writes the code to a fresh temporary directory, runs it under limits and
returns a `SandboxResult` (passed / failed / timeout / error, exit code, duration, truncated
stdout and stderr, and the isolation that ran); the directory is deleted afterwards and the
whole process group killed. `check_program` builds HumanEval's check program. Safe to call
from threads or processes.

Isolation is chosen by `run_python(isolation=...)`, else by the environment variable
FLAME_SANDBOX, else automatically ("auto"). Only kernel isolation is ever chosen
automatically; each level is probed once per process by a real run:

"namespace" (first choice). The code runs under `unshare` in new mount, network and PID
namespaces (plus a user namespace when the caller is not root). A small init process (this
file run as a script) sets up the mounts and then forks the code:
- network: the new namespace has only a loopback device that is down, so every connection,
  to 127.0.0.1 too, fails with "Network is unreachable";
- files: every mount is remounted read-only; the working directory is a fresh tmpfs of
  `disk_mb` MiB (gone when the namespace ends); the caller's home directory, the flame
  checkout (the folder above the `flame` package) and $FLAME_HOME (flame's caches) are each
  covered by an empty read-only tmpfs; the Python installation is bind-mounted read-only into
  the sandbox directory first, so it stays reachable. Run as root, the code drops to uid/gid
  65534 (nobody), so root-only files (/root, /etc/shadow) are unreadable too; run as another
  user, the code keeps that uid (all capabilities dropped) and can still read the
  world-readable system files (/usr, /etc, ...) that user can read;
- processes: the code is not PID 1 and its parent is the init inside the namespace
  (os.getppid() never names a process outside); when the init exits or is killed, the kernel
  kills every process in the namespace, so nothing outlives a run, even after setsid().
"bwrap" (where namespaces via `unshare` are refused but bubblewrap works, e.g. a kernel or
AppArmor policy that only lets bwrap create namespaces). The code runs under `bwrap` with new
network (its own loopback only: nothing outside is reachable), PID, IPC, UTS and cgroup namespaces (and a user namespace mapping the caller to uid
65534 when not root; as root, the init drops to nobody like above), --die-with-parent and
--new-session. The file tree is built from an allow-list: /usr (and the /bin, /lib* links),
the few /etc files the dynamic loader needs, all read-only; a fresh /proc and minimal /dev;
the Python installation read-only at /sandbox/python; the working directory a tmpfs of
`disk_mb` MiB at /sandbox/box. Nothing else (home, the checkout, $FLAME_HOME, /tmp, /etc's
other files) exists inside.
"unsafe-process" (never chosen automatically; only as an explicit opt-in,
isolation="unsafe-process" or FLAME_SANDBOX=unsafe-process, and a warning is printed on
every run). Same limits, working directory, stripped environment and process-group kill, but
NO kernel isolation: the code runs as the caller's user next to the caller. An audit hook in
the child refuses the usual ways out (sockets, subprocess, os.fork/exec, os.kill, ctypes,
writes outside the working directory), but it is NOT a security boundary: it is known to be
bypassed (e.g. _posixsubprocess.fork_exec raises no audit event, dir_fd= and sqlite3 write
anywhere, pidfds signal the caller, disk_mb is not enforced). Use it only for code you trust.

Where neither "namespace" nor "bwrap" works, `run_python` refuses to run the code
(`SandboxUnavailable`, a FlameError saying how to get isolation) unless that opt-in is given.

All levels: a minimal environment (PATH=/usr/bin:/bin, HOME and TMPDIR = the working
directory, `python -I`, so no user site-packages or PYTHON* variables); rlimits on address space
(`memory_mb`), CPU seconds, processes (`max_procs`, counted per user: as root all concurrent
sandboxes share the nobody user's budget), file size and open files, no core dumps; a
wall-clock `timeout_s` after which the process group is SIGKILLed; stdout and stderr read in
chunks, of which only the first `output_limit` bytes are kept (memory stays bounded however
much the code prints).
"""

from __future__ import annotations

import json
import os
import re
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

NOBODY = 65534
SAFE_PATH = "/usr/bin:/bin"
_EXIT_SETUP = 125  # the init or child could not set up the sandbox
REAL_ISOLATIONS = ("namespace", "bwrap")  # kernel isolation, in the order "auto" tries them
UNSAFE = "unsafe-process"  # the audit-hook mode: an explicit opt-in, not a security boundary
ISOLATIONS = (*REAL_ISOLATIONS, UNSAFE)
BWRAP_ROOT = "/sandbox"  # where the working directory appears inside bwrap
SYSTEM_TREE = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")  # what bwrap shows of the system

try:  # this file also runs as a bare script (the init), where flame is not importable
    from flame.core.errors import FlameError
except ImportError:  # pragma: no cover - only in the init
    FlameError = Exception  # type: ignore[misc,assignment]


class SandboxUnavailable(FlameError):
    """No real isolation works here and the unsafe opt-in was not given."""


@dataclass(frozen=True)
class SandboxResult:
    """The outcome of one sandboxed run.

    status: "passed" (exit 0), "failed" (non-zero exit, e.g. a failed assert or MemoryError),
    "timeout" (wall-clock or CPU limit) or "error" (killed by a signal, or the sandbox itself
    could not run the code). exit_code is the code's exit status, or -N if signal N killed it.
    isolation: the isolation that ran the code ("namespace", "bwrap" or "unsafe-process").
    """

    status: str
    exit_code: int | None
    duration_s: float
    stdout: str
    stderr: str
    stdout_truncated: bool
    stderr_truncated: bool
    isolation: str

    @property
    def passed(self) -> bool:
        return self.status == "passed"


def check_program(prompt: str, completion: str, test: str, entry_point: str) -> str:
    """HumanEval's check program: prompt + completion, the test code, then check(entry_point).

    For flame's stored `program` targets (prompt and completion already joined) pass the
    program as `prompt` and "" as `completion`.
    """
    return f"{prompt}{completion}\n\n{test}\n\ncheck({entry_point})\n"


def run_python(code: str, timeout_s: float = 10.0, memory_mb: int = 512, *, cpu_s: float | None = None,
               max_procs: int = 32, disk_mb: int = 64, output_limit: int = 64 * 1024,
               args: tuple[str, ...] = (), isolation: str = "auto") -> SandboxResult:
    """Run `code` as a Python program in a sandbox and report what happened.

    isolation: "auto" (FLAME_SANDBOX if set, else "namespace" where it works, else "bwrap"
    where it works, else SandboxUnavailable), "namespace", "bwrap" or "unsafe-process" (no
    kernel isolation; an explicit opt-in that prints a warning on every run).
    cpu_s defaults to timeout_s; args become sys.argv[1:] of the program.
    """
    mode = choose_isolation(isolation)
    if mode == UNSAFE:
        print(f"flame sandbox: WARNING: running untrusted code with isolation={UNSAFE!r}: an audit hook "
              "only, NOT a security boundary (the code can reach the network, other processes and "
              "your files)", file=sys.stderr, flush=True)
    return _run(code, mode, timeout_s, memory_mb, cpu_s or timeout_s, max_procs, disk_mb, output_limit, args)


def choose_isolation(isolation: str = "auto") -> str:
    """The isolation `run_python(isolation=...)` would use; raises SandboxUnavailable where
    "auto" finds no real isolation (checking once per process)."""
    if isolation == "auto":
        isolation = os.environ.get("FLAME_SANDBOX", "").strip() or "auto"
        where = f"FLAME_SANDBOX={isolation!r}"
    else:
        where = f"isolation={isolation!r}"
    if isolation not in ("auto", *ISOLATIONS):
        hint = f" (the audit-hook mode is now called {UNSAFE!r})" if isolation == "process" else ""
        raise ValueError(f"{where}: must be auto, {', '.join(ISOLATIONS)}{hint}")
    if isolation != "auto":
        return isolation
    if namespaces_available():
        return "namespace"
    if bwrap_available():
        return "bwrap"
    raise SandboxUnavailable(
        "refusing to run untrusted code: no real isolation works on this machine (namespaces via "
        "`unshare` are not allowed and bubblewrap is not installed or cannot create namespaces). "
        "Install bubblewrap (`apt-get install bubblewrap`) or allow unprivileged user namespaces "
        "(e.g. `sysctl kernel.unprivileged_userns_clone=1`, or run as root). To run the code anyway "
        f"with only an audit hook, which is NOT a security boundary, set FLAME_SANDBOX={UNSAFE} "
        f"(or pass isolation={UNSAFE!r}).")


_probe_lock = threading.Lock()
_probe: dict[str, bool] = {}


def _probed(mode: str, tool: str) -> bool:
    with _probe_lock:
        if mode not in _probe:
            ok = shutil.which(tool, path=SAFE_PATH) is not None
            if ok:
                r = _run("import sys; print(sys.version)", mode, 20.0, 256, 20.0, 8, 4, 4096, ())
                ok = r.status == "passed" and r.stdout.strip() == sys.version  # the same interpreter
            _probe[mode] = ok
        return _probe[mode]


def namespaces_available() -> bool:
    """Whether "namespace" isolation works here (checked once per process by a real run)."""
    return _probed("namespace", "unshare")


def bwrap_available() -> bool:
    """Whether "bwrap" isolation works here (checked once per process by a real run)."""
    return _probed("bwrap", "bwrap")


def _interpreter() -> tuple[Path, Path]:
    """(installation prefix, interpreter path relative to it) of the running Python."""
    exe = Path(os.path.realpath(sys.executable))
    prefix = Path(os.path.realpath(sys.base_prefix))
    try:
        return prefix, exe.relative_to(prefix)
    except ValueError:  # interpreter outside its prefix: bind its own directory instead
        return exe.parent, Path(exe.name)


def hidden_paths() -> list[str]:
    """Folders the sandboxed code must not see: the caller's home, the flame checkout (the
    folder above the `flame` package) and $FLAME_HOME. Existing folders only, real paths."""
    paths = [Path.home(), Path(__file__).resolve().parents[2]]
    try:
        from flame.core.files import flame_home

        paths.append(flame_home())
    except ImportError:  # pragma: no cover
        pass
    out = []
    for p in paths:
        real = os.path.realpath(p)
        if real != "/" and os.path.isdir(real) and real not in out:
            out.append(real)
    return out


def _under(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def _workdir(hide: list[str]) -> Path:
    """A fresh temporary directory outside every hidden folder."""
    for base in (tempfile.gettempdir(), "/tmp", "/dev/shm"):
        real = os.path.realpath(base)
        if os.path.isdir(real) and not any(_under(real, h) for h in hide):
            return Path(tempfile.mkdtemp(prefix="flame-sandbox-", dir=real))
    raise SandboxUnavailable(f"no temporary directory outside {hide} for the sandbox")


def _bwrap_argv(root: bool, workdir: Path, prefix: Path, disk_mb: int, hide: list[str]) -> list[str]:
    """bwrap's options: new namespaces, and a read-only file tree built from an allow-list."""
    bwrap = shutil.which("bwrap", path=SAFE_PATH) or "bwrap"
    # As root, a user namespace would leave the code root-owned files' owner (uid 0 outside):
    # there the init drops to the real nobody instead; otherwise bwrap maps the caller to 65534.
    spaces = (["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try"]
              if root else ["--unshare-all", "--unshare-user", "--uid", str(NOBODY), "--gid", str(NOBODY)])
    argv = [bwrap, *spaces, "--die-with-parent", "--new-session", "--clearenv",
            "--setenv", "PATH", SAFE_PATH, "--setenv", "LANG", "C.UTF-8"]
    for top in SYSTEM_TREE:
        if os.path.islink(top):
            argv += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            argv += ["--ro-bind", top, top]
    argv += ["--perms", "0755", "--dir", "/etc"]
    for name in ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime"):
        if os.path.exists(f"/etc/{name}"):
            argv += ["--ro-bind", f"/etc/{name}", f"/etc/{name}"]
    for h in hide:  # a hidden folder inside /usr (say) is covered too
        if any(_under(h, top) for top in SYSTEM_TREE):
            argv += ["--tmpfs", h, "--remount-ro", h]
    inside = Path(BWRAP_ROOT)
    argv += ["--proc", "/proc", "--dev", "/dev", "--perms", "0711", "--dir", str(inside),
             "--ro-bind", str(prefix), str(inside / "python"),
             "--ro-bind", str(workdir / "boot.py"), str(inside / "boot.py"),
             "--ro-bind", str(workdir / "main.py"), str(inside / "main.py"),
             "--perms", "0700", "--size", str(disk_mb << 20), "--tmpfs", str(inside / "box"),
             "--remount-ro", "/", "--chdir", str(inside / "box")]
    if (prefix / "lib").is_dir():  # before a RUNPATH into the (absent) original prefix
        argv += ["--setenv", "LD_LIBRARY_PATH", str(inside / "python" / "lib")]
    return argv


def _run(code: str, mode: str, timeout_s: float, memory_mb: int, cpu_s: float, max_procs: int,
         disk_mb: int, output_limit: int, args: tuple[str, ...]) -> SandboxResult:
    root = os.geteuid() == 0
    hide = hidden_paths()
    workdir = _workdir(hide)
    status_r, status_w = os.pipe()
    start = time.monotonic()
    proc = None
    try:
        os.chmod(workdir, 0o711)  # the code may run as nobody: it must reach box/ and python/
        (workdir / "main.py").write_text(code, encoding="utf-8")
        shutil.copyfile(__file__, workdir / "boot.py")
        box = workdir / "box"
        box.mkdir()
        (box / "main.py").write_text(code, encoding="utf-8")
        (workdir / "python").mkdir()
        prefix, exe_rel = _interpreter()
        config = {
            "mode": mode, "workdir": str(workdir), "prefix": str(prefix), "exe": str(exe_rel),
            "hide": hide, "drop_to_nobody": root, "memory_mb": memory_mb,
            "cpu_s": max(1, int(cpu_s + 0.999)), "max_procs": max_procs, "disk_mb": disk_mb,
            "status_fd": status_w, "args": list(args),
        }
        python = str(prefix / exe_rel)
        boot = [python, "-I", "-S", str(workdir / "boot.py"), json.dumps(config)]
        if mode == "namespace":
            user = [] if root else ["--user", "--map-root-user"]
            unshare = shutil.which("unshare", path=SAFE_PATH) or "unshare"
            argv = [unshare, *user, "--mount", "--net", "--pid", "--fork", "--kill-child", "--mount-proc", *boot]
        elif mode == "bwrap":
            inside = Path(BWRAP_ROOT)
            config["workdir"] = str(inside)
            argv = [*_bwrap_argv(root, workdir, prefix, disk_mb, hide), str(inside / "python" / exe_rel),
                    "-I", "-S", str(inside / "boot.py"), json.dumps(config)]
        else:
            argv = boot
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                cwd=box, env={"PATH": SAFE_PATH, "LANG": "C.UTF-8"}, start_new_session=True,
                                pass_fds=(status_w,), close_fds=True)
        os.close(status_w)
        status_w = -1
        out, err, report, timed_out = _collect(proc, status_r, start + timeout_s, output_limit)
    finally:
        if proc is not None:
            _kill_group(proc)
        for fd in (status_r, status_w):
            if fd >= 0:
                os.close(fd)
        shutil.rmtree(workdir, ignore_errors=True)
    duration = time.monotonic() - start
    status, exit_code = _verdict(report, timed_out, proc.returncode)
    (o, o_cut), (e, e_cut) = out, err
    if status == "error" and "setup_error" in report:
        e = (e + f"\nsandbox setup failed: {report['setup_error']}").lstrip("\n")
    elif status == "error" and not report and mode == "bwrap" and e.startswith("bwrap:"):
        e = f"sandbox setup failed: {e.strip()}"  # bwrap itself could not build the sandbox
    return SandboxResult(status, exit_code, round(duration, 3), o, e, o_cut, e_cut, mode)


class _Capture:
    """The first `limit` bytes of a stream; the rest is read and dropped."""

    def __init__(self, limit: int) -> None:
        self.limit, self.data, self.total = limit, bytearray(), 0

    def add(self, chunk: bytes) -> None:
        self.total += len(chunk)
        room = self.limit - len(self.data)
        if room > 0:
            self.data += chunk[:room]

    def text(self) -> tuple[str, bool]:
        return bytes(self.data).decode("utf-8", "replace"), self.total > self.limit


def _collect(proc: subprocess.Popen, status_fd: int, deadline: float, limit: int):
    """Read stdout, stderr and the init's status report until they close or time runs out."""
    captures = {proc.stdout.fileno(): _Capture(limit), proc.stderr.fileno(): _Capture(limit),
                status_fd: _Capture(1 << 16)}
    timed_out = False
    exited_at = None
    with selectors.DefaultSelector() as sel:
        for fd in captures:
            os.set_blocking(fd, False)
            sel.register(fd, selectors.EVENT_READ)
        while sel.get_map():
            now = time.monotonic()
            if now >= deadline:
                timed_out = True
                break
            if proc.poll() is not None:
                exited_at = exited_at or now
                if now - exited_at > 1.0:  # the pipes outlive the process: stop waiting
                    break
            for key, _ in sel.select(timeout=min(0.05, deadline - now)):
                try:
                    chunk = os.read(key.fd, 1 << 16)
                except BlockingIOError:
                    continue
                if chunk:
                    captures[key.fd].add(chunk)
                else:
                    sel.unregister(key.fd)
    try:
        report = json.loads(bytes(captures[status_fd].data) or b"{}")
    except ValueError:
        report = {}
    return captures[proc.stdout.fileno()].text(), captures[proc.stderr.fileno()].text(), report, timed_out


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait()
    for stream in (proc.stdout, proc.stderr):
        if stream:
            stream.close()


def _verdict(report: dict, timed_out: bool, returncode: int | None) -> tuple[str, int | None]:
    if timed_out:
        return "timeout", report.get("exit", -signal.SIGKILL)
    if "exit" in report:
        code = report["exit"]
        if code == _EXIT_SETUP and "setup_error" in report:
            return "error", code
        return ("passed" if code == 0 else "failed"), code
    if "signal" in report:
        sig = report["signal"]
        return ("timeout" if sig == signal.SIGXCPU else "error"), -sig
    return "error", returncode


# ---------------------------------------------------------------------------------------------
# The init process: this file run as a script (stdlib only), inside the namespaces if any.
# ---------------------------------------------------------------------------------------------

MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_NOATIME, MS_NODIRATIME, MS_BIND, MS_REC = 32, 1024, 2048, 4096, 16384
MS_RELATIME, MS_STRICTATIME = 1 << 21, 1 << 24
_LOCKED_FLAGS = {"nosuid": MS_NOSUID, "nodev": MS_NODEV, "noexec": MS_NOEXEC, "noatime": MS_NOATIME,
                 "nodiratime": MS_NODIRATIME, "relatime": MS_RELATIME, "strictatime": MS_STRICTATIME}
PR_SET_NO_NEW_PRIVS, PR_CAPBSET_DROP, PR_SET_SECUREBITS = 38, 24, 28
SECURE_NOROOT_ALL = 0x3F  # noroot, no_setuid_fixup, keep_caps_locked and their locks

# In "process" mode the code runs after this preamble (argv: preamble, main.py, args...).
_PREAMBLE = r"""
import os, sys
_BOX = os.path.realpath(os.getcwd())
_DENY = ("socket.", "subprocess.", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork",
         "os.forkpty", "pty.", "ctypes.", "os.kill", "os.killpg", "signal.pthread_kill", "_posixsubprocess.")
_PATHS = ("os.remove", "os.rename", "os.rmdir", "os.mkdir", "os.symlink", "os.link", "os.chmod",
          "os.chown", "os.truncate", "os.utime", "shutil.rmtree", "shutil.copyfile", "shutil.move")
def _inside(p):
    if isinstance(p, int):
        return True
    p = os.path.realpath(os.fsdecode(p))
    return p == _BOX or p.startswith(_BOX + os.sep)
def _hook(event, args):
    if event.startswith(_DENY):
        raise PermissionError(f"sandbox: {event} is not allowed")
    if event == "open" and args[0] is not None and (args[2] & (os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC) or "w" in str(args[1] or "") or "a" in str(args[1] or "") or "+" in str(args[1] or "")):
        if not _inside(args[0]):
            raise PermissionError(f"sandbox: writing outside the working directory: {args[0]!r}")
    elif event in _PATHS and not all(_inside(a) for a in args if isinstance(a, (str, bytes, os.PathLike))):
        raise PermissionError(f"sandbox: {event} outside the working directory is not allowed")
sys.addaudithook(_hook)
del _hook
sys.argv = sys.argv[1:]
import runpy
runpy.run_path(sys.argv[0], run_name="__main__")
"""


def _boot(config: dict) -> None:
    import ctypes  # noqa: F401  (imported now: the mounts below may hide the stdlib's home)
    import resource  # noqa: F401

    status_fd = config["status_fd"]
    os.set_inheritable(status_fd, False)  # the code never sees it

    def report(**values) -> None:
        os.write(status_fd, json.dumps(values).encode())

    workdir = Path(config["workdir"])
    box = workdir / "box"
    boxed = config["mode"] in REAL_ISOLATIONS
    try:
        python = str(Path(config["prefix"]) / config["exe"])
        if boxed:
            python = str(workdir / "python" / config["exe"])
        if config["mode"] == "namespace":
            _setup_mounts(config, workdir, box)
        elif config["mode"] == "bwrap":
            _setup_box(config, workdir, box)
    except Exception as e:  # noqa: BLE001 - any setup failure is reported, never hidden
        report(exit=_EXIT_SETUP, setup_error=f"{type(e).__name__}: {e}")
        sys.exit(_EXIT_SETUP)
    argv = [python, "-I", "main.py", *config["args"]] if boxed else \
        [python, "-I", "-c", _PREAMBLE, "main.py", *config["args"]]
    env = {"PATH": SAFE_PATH, "HOME": str(box), "TMPDIR": str(box), "LANG": "C.UTF-8",
           "PYTHONDONTWRITEBYTECODE": "1"}
    exec_r, exec_w = os.pipe()  # close-on-exec: stays empty unless the exec fails
    if boxed and (workdir / "python" / "lib").is_dir():
        env["LD_LIBRARY_PATH"] = str(workdir / "python" / "lib")  # before a RUNPATH into a hidden folder
    pid = os.fork()
    if pid == 0:
        try:
            os.close(exec_r)
            _limit_and_drop(config, boxed)
            os.chdir(box)
            os.execve(python, argv, env)
        except BaseException as e:  # noqa: BLE001
            os.write(exec_w, f"cannot start the code: {type(e).__name__}: {e}".encode())
        os._exit(_EXIT_SETUP)
    os.close(exec_w)
    with os.fdopen(exec_r, "rb") as f:
        failure = f.read().decode("utf-8", "replace")
    while True:  # as PID 1 of the namespace, also reap orphans until the code itself ends
        wpid, wstatus = os.wait()
        if wpid == pid:
            break
    if failure:
        report(exit=_EXIT_SETUP, setup_error=failure)
    elif os.WIFSIGNALED(wstatus):
        report(signal=os.WTERMSIG(wstatus))
    else:
        report(exit=os.WEXITSTATUS(wstatus))


def _libc():
    import ctypes

    return ctypes, ctypes.CDLL(None, use_errno=True)


def _mount(src: str | None, target: str, fstype: str | None, flags: int, data: str | None) -> None:
    ctypes, libc = _libc()
    enc = (lambda s: s.encode() if s is not None else None)
    if libc.mount(enc(src), enc(target), enc(fstype), ctypes.c_ulong(flags), enc(data)) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"mount {target}: {os.strerror(err)}")


def _mountinfo() -> list[tuple[str, set[str]]]:
    """(mount point, per-mount options) of every mount, decoding mountinfo's octal escapes."""
    mounts = []
    with open("/proc/self/mountinfo", encoding="utf-8") as f:
        for line in f:
            fields = line.split()
            point = re.sub(rb"\\([0-7]{3})", lambda m: bytes([int(m.group(1), 8)]), fields[4].encode()).decode()
            mounts.append((point, set(fields[5].split(","))))
    return mounts


def _setup_mounts(config: dict, workdir: Path, box: Path) -> None:
    """Bind Python in read-only, give the code a tmpfs, hide home, the checkout and $FLAME_HOME,
    make everything else read-only."""
    code = (box / "main.py").read_bytes()
    _mount(config["prefix"], str(workdir / "python"), None, MS_BIND | MS_REC, None)
    owner = f",uid={NOBODY},gid={NOBODY}" if config["drop_to_nobody"] else ""
    _mount("tmpfs", str(box), "tmpfs", MS_NOSUID | MS_NODEV, f"size={config['disk_mb']}m,mode=0700{owner}")
    (box / "main.py").write_bytes(code)
    for folder in sorted(config["hide"], key=len):  # a folder inside a covered one is gone already
        if _under(str(workdir), folder):
            raise OSError(f"the sandbox directory {workdir} lies inside {folder}, which must be hidden")
        if os.path.isdir(folder):
            _mount("tmpfs", folder, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=4k,mode=0755")
    for point, options in _mountinfo():
        if point == str(box):
            continue
        flags = MS_REMOUNT | MS_BIND | MS_RDONLY
        for name, flag in _LOCKED_FLAGS.items():  # a remount in a user namespace must keep these
            if name in options:
                flags |= flag
        _mount(None, point, None, flags, None)


def _setup_box(config: dict, workdir: Path, box: Path) -> None:
    """Under bwrap: put the code into the tmpfs bwrap made, owned by the user that runs it."""
    (box / "main.py").write_bytes((workdir / "main.py").read_bytes())
    if config["drop_to_nobody"]:
        for path in (box, box / "main.py"):
            os.chown(path, NOBODY, NOBODY)


def _limit_and_drop(config: dict, boxed: bool) -> None:
    import resource

    memory = config["memory_mb"] << 20
    cpu = config["cpu_s"]
    for limit, value in ((resource.RLIMIT_AS, (memory, memory)), (resource.RLIMIT_CPU, (cpu, cpu + 1)),
                         (resource.RLIMIT_CORE, (0, 0)), (resource.RLIMIT_NOFILE, (256, 256)),
                         (resource.RLIMIT_FSIZE, (config["disk_mb"] << 20,) * 2)):
        resource.setrlimit(limit, value)
    if boxed:
        resource.setrlimit(resource.RLIMIT_NPROC, (config["max_procs"],) * 2)
        if config["drop_to_nobody"]:
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
        elif config["mode"] == "namespace":  # under bwrap the caller is already 65534, without capabilities
            _drop_capabilities()
    _, libc = _libc()
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError("prctl(PR_SET_NO_NEW_PRIVS) failed")


def _drop_capabilities() -> None:
    """Leave the user namespace's root without capabilities, now and after exec."""
    ctypes, libc = _libc()
    if libc.prctl(PR_SET_SECUREBITS, SECURE_NOROOT_ALL, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_SECUREBITS) failed")
    cap = 0
    while libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == 0:
        cap += 1

    class Header(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

    class Data(ctypes.Structure):
        _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                    ("inheritable", ctypes.c_uint32)]

    header, data = Header(0x20080522, 0), (Data * 2)()  # _LINUX_CAPABILITY_VERSION_3: all zero
    if libc.capset(ctypes.byref(header), data) != 0:
        raise OSError(ctypes.get_errno(), "capset failed")


if __name__ == "__main__":
    _boot(json.loads(sys.argv[1]))
