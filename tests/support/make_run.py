"""`make run` as a user runs it, for the e2e tests of common/launcher.py: ``make`` in its own session
(its process group is "the terminal's foreground job"), output to a file, on a throw-away vhost
and DATA_DIR. Every service chooses its metrics port (``METRICS_PORT=0``, logged), so runs never
fight over 9101-9104 with each other or with a developer's own ``make run``.

What the tests look at: the launcher's lines (``"logger": "common.launcher"``, each naming its
process), the process tree under ``make`` (from /proc), and the DATA_DIR locks.
"""
import fcntl
import json
import os
import re
import signal
import subprocess
import time
from pathlib import Path

from tests.support.processes import ROOT, free_port, http_ok, wait_until

STARTED = re.compile(r"^(?P<name>[\w-]+) (?:started|restarted) \(pid (?P<pid>\d+)")
METRICS_LINE = re.compile(r"^metrics endpoint of (?P<service>\w+) \(pid (?P<pid>\d+)\) on [\d.]+:(?P<port>\d+)$")
PROCESSES = ("intake", "routing", "notification", "tracking", "gateway")


def parent_of(pid):
    try:
        stat = Path("/proc/{}/stat".format(pid)).read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return int(stat.rsplit(")", 1)[1].split()[1])


def alive(pid):
    """Running (a zombie waiting for its reaper has stopped running)."""
    try:
        state = Path("/proc/{}/stat".format(pid)).read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")


def descendants(pid):
    """Every process below ``pid`` now."""
    children = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            parent = parent_of(entry.name)
            if parent is not None:
                children.setdefault(parent, []).append(int(entry.name))
    found, frontier = [], [pid]
    while frontier:
        below = children.get(frontier.pop(), [])
        found += below
        frontier += below
    return found


def command_line(pid):
    try:
        return Path("/proc/{}/cmdline".format(pid)).read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except (FileNotFoundError, ProcessLookupError):
        return ""


class MakeRun:
    def __init__(self, amqp_uri, data_dir, **env):
        self.data_dir = Path(data_dir)
        self.port = free_port()
        self.url = "http://127.0.0.1:{}".format(self.port)
        self.env = dict(os.environ, AMQP_URI=amqp_uri, DATA_DIR=str(data_dir), GATEWAY_PORT=str(self.port),
                        SMS_PROVIDER="log", METRICS_PORT="0", RATE_LIMITS_ENABLED="false")
        self.env.pop("MONGO_URI", None)
        self.env.update(env)
        self.log_path = self.data_dir / "make-run.log"
        self.process = None
        self.seen = {}  # {pid: command line} of every process tree() ever showed

    def start(self, *target, wait=True):
        self._log = open(self.log_path, "ab")
        self.process = subprocess.Popen(["make", *(target or ("run",))], cwd=ROOT, env=self.env, stdout=self._log,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        if wait:
            self.wait_ready()
        return self

    def wait_ready(self, timeout=120):
        """/readyz answered, by this run's gateway: GATEWAY_PORT was free when chosen, but another
        process may have bound it since and answer in its place."""
        try:
            wait_until(lambda: http_ok(self.url + "/readyz") and self.gateway_listens(), timeout=timeout,
                       interval=0.5, what="make run ready")
        except TimeoutError:
            raise TimeoutError("make run not ready; output:\n" + self.output()[-5000:]) from None

    def gateway_listens(self):
        """gunicorn's master, the latest gateway the launcher started, says it listens on our port."""
        master = self.pids().get("gateway")
        expected = "Listening at: {} ({})".format(self.url, master)
        return any(entry.get("process") == "gateway" and entry.get("message") == expected for entry in self.entries())

    def stop(self):
        """As Ctrl-C does: SIGINT to the foreground group; the seconds until make returned."""
        self.tree()
        began = time.monotonic()
        self.signal_group(signal.SIGINT)
        self.process.wait(timeout=30)
        self._log.close()
        return time.monotonic() - began

    def left_running(self):
        """The processes this run ever had that still run."""
        return {pid: command for pid, command in self.seen.items() if alive(pid) and command_line(pid) == command}

    def signal_group(self, sig):
        os.killpg(self.process.pid, sig)

    def output(self):
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def entries(self):
        for line in self.output().splitlines():
            if line.startswith("{"):
                try:
                    yield json.loads(line)
                except ValueError:
                    continue

    def launcher_lines(self, process=None):
        return [entry["message"] for entry in self.entries() if entry.get("logger") == "common.launcher"
                and (process is None or entry.get("process") == process)]

    def pids(self):
        """{process: pid} of the latest start of each process, from the launcher's lines."""
        found = {}
        for message in self.launcher_lines():
            started = STARTED.match(message)
            if started:
                found[started.group("name")] = int(started.group("pid"))
        return found

    def launcher_pid(self):
        [launcher] = [pid for pid in descendants(self.process.pid) if "common.launcher" in command_line(pid)]
        return launcher

    def tree(self):
        """{pid: command line} of every process under make (the launcher, the services, gunicorn's
        master and workers)."""
        found = {pid: command_line(pid) for pid in descendants(self.process.pid)}
        self.seen.update(found)
        return found

    def metrics_port(self, service, pid=None):
        """The port ``service`` (the process ``pid``, else its latest) logged it chose."""
        pid = pid or self.pids()[service]
        for entry in self.entries():
            found = METRICS_LINE.match(entry.get("message", ""))
            if found and found.group("service") == service and int(found.group("pid")) == pid:
                return int(found.group("port"))
        return None

    def locks_free(self, names=PROCESSES):
        """True when no process holds any of the DATA_DIR locks (each process inherits its own)."""
        for name in names:
            descriptor = os.open(self.data_dir / "{}.lock".format(name), os.O_RDWR)
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return False
            finally:
                os.close(descriptor)
        return True

    def close(self):
        """Whatever the test did, nothing of this run survives it."""
        if self.process is None:
            return
        self.tree()
        if self.process.poll() is None:
            try:
                self.signal_group(signal.SIGINT)
                self.process.wait(timeout=30)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                pass
        deadline = time.monotonic() + 20
        while any(alive(pid) for pid in self.seen) and time.monotonic() < deadline:
            time.sleep(0.2)
        for pid, command in self.seen.items():
            if alive(pid) and command_line(pid) == command:  # not a recycled pid
                os.kill(pid, signal.SIGKILL)
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=10)
        self._log.close()
