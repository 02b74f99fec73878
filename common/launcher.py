"""`make run`: the Procfile's processes in the foreground, kept up, and never left behind.

    python -m common.launcher                 # every process of the Procfile
    python -m common.launcher intake gateway  # some of them

- **Kept up.** A process that exits while the launcher runs is started again after a pause that
  doubles with each quick failure (1 s, 2 s, 4 s … at most 30 s; back to 1 s once it has run 30 s);
  each exit and restart is a line naming the process. The others are not touched: the gateway
  answers 503 for the routes that need the missing service meanwhile.
- **Nothing left behind.** Each process runs in its own process group (the terminal's Ctrl-C and
  hang-up reach the launcher only, which stops them in order: SIGTERM to every group, SIGKILL to
  what is left after ``STOP_SECONDS``). If the launcher itself dies, even by SIGKILL, the kernel
  sends each process SIGTERM (``PR_SET_PDEATHSIG``, set between fork and exec); gunicorn's
  workers leave when their master is gone (they watch their parent id). The launcher does the
  same towards whatever started it (``make``), unless started with SIGHUP ignored (``nohup``); a
  signal ignored when it starts (SIGINT in a shell script's background job) stays ignored. One
  signal arriving twice within a second is one request (SIGTERM to make's group comes directly
  and forwarded by make); a later second Ctrl-C kills at once.
- **One system per DATA_DIR.** The launcher holds ``$DATA_DIR/<process>.lock`` (flock) for each
  process it runs, and so does the process (the descriptor is inherited): a second launcher for a
  process of the same DATA_DIR refuses to start, even while the first one's processes are still
  stopping.
- **A configuration error stops everything.** A process whose first start ends with exit code 78
  (``EX_CONFIG``: its metrics port is taken, common/metrics.py) is not retried: the launcher stops
  the others and exits 78, the process's own line says what to set.

Output: every line of every process becomes one JSON line with ``"process": "<name>"`` first (the
processes' own lines are JSON already, masked by common/logs.py; anything else is masked here).

Why not honcho, supervisor or circus: honcho stops everything when one process exits; supervisor
and circus restart, but none sets a parent-death signal (their children outlive a killed
supervisor), none locks a data directory, and supervisor gives up after a few quick failures.
"""
import ctypes
import fcntl
import json
import os
import re
import selectors
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import FrameType
from typing import Any, BinaryIO

from common.config import data_dir
from common.logs import mask_personal_data
from messages import bilingual

ROOT = Path(__file__).resolve().parents[1]
EX_CONFIG = 78  # sysexits.h; common/metrics.py exits with it
LOCKED = 75  # EX_TEMPFAIL: another launcher holds a lock of this DATA_DIR
RESTART_FIRST_SECONDS = 1.0
RESTART_MAX_SECONDS = 30.0
STABLE_SECONDS = 30.0  # a process that ran this long starts its backoff from the beginning again
STOP_SECONDS = 10.0  # SIGTERM, then SIGKILL for what is left
# A signal repeated within this is the same request: SIGTERM to make's group reaches us twice,
# directly and forwarded by make.
HURRY_AFTER_SECONDS = 1.0
LINE_LIMIT = 1 << 20  # a "line" longer than this is written out in pieces
PR_SET_PDEATHSIG = 1

_prctl: Any
try:
    _prctl = ctypes.CDLL(None, use_errno=True).prctl  # loaded here: not after fork
except (OSError, AttributeError):  # not Linux: processes outlive a killed launcher
    _prctl = None


def die_with_parent(parent_pid: int, sig: int = signal.SIGTERM) -> None:
    """Asks the kernel for ``sig`` when our parent dies; exits now if it is already gone (the
    parent may die between fork and this call). Runs in the child between fork and exec (the
    setting survives exec), or in the launcher itself. The kernel sends it when the *thread* that
    forked ends, not the process: the launcher forks from its only thread."""
    if _prctl is None:
        return
    _prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0)
    if os.getppid() != parent_pid:
        os._exit(1)


ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")


def read_procfile(path: str | Path) -> dict[str, list[str]]:
    """{name: argv} in the file's order."""
    processes: dict[str, list[str]] = {}
    for line in Path(path).read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, command = line.split(":", 1)
            processes[name.strip()] = shlex.split(command)
    return processes


def split_assignments(argv: list[str]) -> tuple[dict[str, str], list[str]]:
    """``NAME=value`` words before the command (``notification-2: METRICS_PORT=9105 nameko run …``,
    as a shell would take them; no shell runs here) as ({name: value}, the command)."""
    env: dict[str, str] = {}
    while argv and ASSIGNMENT.match(argv[0]):
        name, value = argv[0].split("=", 1)
        env[name] = value
        argv = argv[1:]
    return env, argv


def now_text() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")


def own_line(level: str, message: str, process: str | None = None) -> str:
    entry = {"process": process} if process else {}
    entry.update({"at": now_text(), "level": level, "logger": "common.launcher", "message": message})
    return json.dumps(entry, ensure_ascii=False)


def tagged(process: str | None, raw: bytes) -> str:
    """One line of a process's output as a JSON line naming the process."""
    text = raw.decode("utf-8", errors="replace").rstrip("\r")
    if text.startswith("{"):
        try:
            entry = json.loads(text)
        except ValueError:
            entry = None
        if isinstance(entry, dict):
            return json.dumps(dict({"process": process}, **entry), ensure_ascii=False)
    return json.dumps({"process": process, "at": now_text(), "message": mask_personal_data(text)},
                      ensure_ascii=False)


def exit_text(returncode: int) -> str:
    if returncode < 0:
        try:
            return "signal " + signal.Signals(-returncode).name
        except ValueError:
            return "signal {}".format(-returncode)
    return "exit code {}".format(returncode)


def restart_delay(quick_failures: int) -> float:
    return float(min(RESTART_FIRST_SECONDS * 2 ** (quick_failures - 1), RESTART_MAX_SECONDS))


class Locked(Exception):
    pass


def take_lock(folder: Path, name: str) -> int:
    """An open descriptor holding ``<folder>/<name>.lock``, our pid written in it; Locked if
    another holds it."""
    path = folder / "{}.lock".format(name)
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.read(descriptor, 32).decode("ascii", errors="replace").strip() or "?"
        os.close(descriptor)
        raise Locked(name, holder) from None
    os.ftruncate(descriptor, 0)
    os.pwrite(descriptor, "{}\n".format(os.getpid()).encode("ascii"), 0)
    return descriptor


class Child:
    def __init__(self, name: str, argv: list[str], lock: int) -> None:
        self.name = name
        self.env, self.argv = split_assignments(argv)
        self.lock = lock
        self.popen: subprocess.Popen[bytes] | None = None
        self.started_at = 0.0
        self.starts = 0
        self.quick_failures = 0
        self.due: float | None = None  # monotonic time of a pending restart
        self.pending = b""


class Launcher:
    def __init__(self, children: list[Child], env: dict[str, str], out: BinaryIO) -> None:
        self.children = children
        self.env = env
        self.out = out
        self.selector = selectors.DefaultSelector()
        self.stop_reason: str | None = None
        self.stop_deadline: float | None = None
        self.stop_began = 0.0
        self.stop_request: int | None = None
        self.exit_code = 0
        self.killed = False
        self.pid = os.getpid()

    # --- output

    def write(self, line: str) -> None:
        try:
            self.out.write(line.encode("utf-8") + b"\n")
            self.out.flush()
        except OSError:  # the terminal is gone (hang-up): keep stopping the processes regardless
            pass

    def say(self, level: str, message: str, process: str | None = None) -> None:
        self.write(own_line(level, message, process))

    def pump(self, child: Child, stream: Any) -> None:
        try:
            chunk = os.read(stream.fileno(), 65536)
        except BlockingIOError:
            return
        except OSError:
            chunk = b""
        if not chunk:
            self.selector.unregister(stream)
            stream.close()
            if child.pending:
                self.write(tagged(child.name, child.pending))
                child.pending = b""
            return
        lines = (child.pending + chunk).split(b"\n")
        child.pending = lines.pop()
        if len(child.pending) > LINE_LIMIT:
            lines.append(child.pending)
            child.pending = b""
        for line in lines:
            if line.strip():
                self.write(tagged(child.name, line))

    # --- processes

    def spawn(self, child: Child) -> None:
        launcher = self.pid
        try:
            child.popen = subprocess.Popen(
                child.argv, cwd=ROOT, env=dict(self.env, **child.env), stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, process_group=0, pass_fds=(child.lock,),
                preexec_fn=lambda: die_with_parent(launcher))
        except OSError as error:
            child.popen = None
            child.starts += 1
            child.started_at = time.monotonic()
            self.say("ERROR", "{} not started: {}".format(child.name, error), child.name)
            self.exited(child, EX_CONFIG if child.starts == 1 else 127)
            return
        child.starts += 1
        child.started_at = time.monotonic()
        output = child.popen.stdout
        assert output is not None  # stdout=PIPE
        os.set_blocking(output.fileno(), False)
        self.selector.register(output, selectors.EVENT_READ, child)
        if child.starts == 1:
            self.say("INFO", "{} started (pid {})".format(child.name, child.popen.pid), child.name)
        else:
            self.say("WARNING", "{} restarted (pid {}, restart {})".format(
                child.name, child.popen.pid, child.starts - 1), child.name)

    def reap(self) -> None:
        for child in self.children:
            if child.popen is not None and child.popen.poll() is not None:
                popen, child.popen = child.popen, None
                self.leftovers(popen.pid, signal.SIGTERM)
                self.exited(child, popen.returncode, popen.pid)

    @staticmethod
    def leftovers(group: int, sig: int) -> None:
        """What remains of a process's group (gunicorn's workers after a killed master)."""
        try:
            os.killpg(group, sig)
        except (ProcessLookupError, PermissionError):
            pass

    def exited(self, child: Child, returncode: int, pid: int | None = None) -> None:
        uptime = time.monotonic() - child.started_at
        how = "{} (pid {}) exited with {} after {:.1f} s".format(child.name, pid, exit_text(returncode), uptime)
        if self.stop_reason is not None:
            self.say("INFO", how, child.name)
            return
        if returncode == EX_CONFIG and child.starts == 1:
            self.say("ERROR", how + ": a configuration error (its line above says what to set); stopping "
                     "everything", child.name)
            self.exit_code = EX_CONFIG
            self.stop("{} could not start".format(child.name))
            return
        child.quick_failures = 1 if uptime >= STABLE_SECONDS else child.quick_failures + 1
        delay = restart_delay(child.quick_failures)
        child.due = time.monotonic() + delay
        self.say("WARNING", "{}; restarting in {:g} s".format(how, delay), child.name)

    def stop(self, reason: str) -> None:
        if self.stop_reason is not None:
            return
        self.stop_reason = reason
        self.stop_began = time.monotonic()
        self.stop_deadline = self.stop_began + STOP_SECONDS
        self.say("INFO", "stopping every process ({})".format(reason))
        for child in self.children:
            child.due = None
            if child.popen is not None:
                self.leftovers(child.popen.pid, signal.SIGTERM)

    def kill_all(self) -> None:
        for child in self.children:
            if child.popen is not None:
                self.say("WARNING", "{} (pid {}) still running: SIGKILL".format(child.name, child.popen.pid),
                         child.name)
                self.leftovers(child.popen.pid, signal.SIGKILL)

    # --- the loop

    def on_signal(self, signum: int, frame: FrameType | None) -> None:
        if self.stop_reason is None:
            self.stop_request = signum
        elif time.monotonic() - self.stop_began > HURRY_AFTER_SECONDS:  # a second Ctrl-C: no more waiting
            self.stop_deadline = 0

    def run(self) -> int:
        wakeup_read, wakeup_write = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
        signal.set_wakeup_fd(wakeup_write, warn_on_full_buffer=False)
        self.selector.register(wakeup_read, selectors.EVENT_READ, None)
        self.stop_request = None
        signal.signal(signal.SIGCHLD, lambda signum, frame: None)  # wakes the loop when one exits
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            if signal.getsignal(signum) != signal.SIG_IGN:  # nohup: SIGHUP stays ignored
                signal.signal(signum, self.on_signal)
        for child in self.children:
            if self.stop_reason is None and self.stop_request is None:
                self.spawn(child)
        while True:
            for key, _ in self.selector.select(self.timeout()):
                if key.data is None:
                    try:
                        while os.read(wakeup_read, 512):
                            pass
                    except BlockingIOError:
                        pass
                else:
                    self.pump(key.data, key.fileobj)
            if self.stop_request is not None and self.stop_reason is None:
                self.stop(signal.Signals(self.stop_request).name)
            self.reap()
            if self.stop_reason is not None:
                if all(child.popen is None for child in self.children):
                    break
                assert self.stop_deadline is not None  # stop() set it with stop_reason
                if time.monotonic() >= self.stop_deadline:
                    if self.killed:
                        self.say("ERROR", "processes did not die after SIGKILL; leaving")
                        break
                    self.kill_all()
                    self.killed = True
                    self.stop_deadline = time.monotonic() + STOP_SECONDS
                continue
            moment = time.monotonic()
            for child in self.children:
                if child.due is not None and child.due <= moment:
                    child.due = None
                    self.spawn(child)
        self.drain()
        self.say("INFO", "stopped")
        return self.exit_code

    def timeout(self) -> float:
        moments = [child.due for child in self.children if child.due is not None]
        if self.stop_deadline is not None:
            moments.append(self.stop_deadline)
        return max(0.0, min([time.monotonic() + 0.5] + moments) - time.monotonic())

    def drain(self) -> None:
        """The last lines still in the pipes (a process's goodbye)."""
        deadline = time.monotonic() + 1.0
        while time.monotonic() < deadline:
            keys = [key for key in self.selector.get_map().values() if key.data is not None]
            if not keys:
                return
            for key, _ in self.selector.select(0.1):
                if key.data is not None:
                    self.pump(key.data, key.fileobj)


def child_env() -> dict[str, str]:
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    # The Procfile's commands (nameko, gunicorn) come from the virtual environment we run in.
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return env


def refusal(folder: Path, name: str, holder: str) -> str:
    return bilingual("operator.data_dir_in_use", folder=folder, process=name, pid=holder)


def main(argv: list[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    procfile = ROOT / "Procfile"
    if arguments[:1] == ["--procfile"]:
        procfile, arguments = Path(arguments[1]), arguments[2:]
    defined = read_procfile(procfile)
    unknown = [name for name in arguments if name not in defined]
    if unknown:
        print("unknown process {} (the Procfile has {})".format(", ".join(unknown), ", ".join(defined)),
              file=sys.stderr)
        return 2
    names = arguments or list(defined)
    out = sys.stdout.buffer
    if signal.getsignal(signal.SIGHUP) != signal.SIG_IGN:
        die_with_parent(os.getppid())  # `kill -9` of make must not leave us (and so everything) running

    folder = data_dir()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    locks: dict[str, int] = {}
    try:
        for name in names:
            locks[name] = take_lock(folder, name)
    except Locked as locked:
        print(refusal(folder, *locked.args), file=sys.stderr)
        return LOCKED
    children = [Child(name, defined[name], locks[name]) for name in names]
    return Launcher(children, child_env(), out).run()


if __name__ == "__main__":
    sys.exit(main())
