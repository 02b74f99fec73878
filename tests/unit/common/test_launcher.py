"""common/launcher.py, the supervisor of `make run`, on small Procfiles of `python -c` processes
(the whole system under `make run`: tests/e2e/test_make_run_*.py): restarts with doubling pauses,
a configuration error (exit 78) at the first start stops everything, SIGTERM stops everything,
SIGKILL of the launcher leaves no process behind, a DATA_DIR lock refuses a second launcher, and
every output line is a JSON line naming its process."""
import fcntl
import json
import os
import re
import signal
import subprocess
import sys
import time

import pytest

from common import launcher

SLEEPER = "{} -c 'import time; time.sleep(120)'".format(sys.executable)
FAILING = "{} -c 'import sys; print(\"failing at once\"); sys.exit(3)'".format(sys.executable)
MISCONFIGURED = "{} -c 'import sys, time; time.sleep(0.5); sys.exit(78)'".format(sys.executable)
STRAGGLER = "{} -c 'import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(4)'".format(
    sys.executable)
SLOW_TO_STOP = ("{} -c 'import signal, sys, time; signal.signal(signal.SIGTERM, lambda *a: (time.sleep(2), "
                "sys.exit(0))); time.sleep(120)'").format(sys.executable)
PID = re.compile(r"\(pid (\d+)")


def start(tmp_path, procfile, *names):
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / "Procfile"
    path.write_text("".join("{}: {}\n".format(name, command) for name, command in procfile.items()))
    env = dict(os.environ, DATA_DIR=str(tmp_path / "var"))
    return subprocess.Popen([sys.executable, "-m", "common.launcher", "--procfile", str(path), *names],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)


def finish(process, timeout=20):
    out, err = process.communicate(timeout=timeout)
    return [json.loads(line) for line in out.decode().splitlines()], err.decode()


def own(lines, process=None):
    return [line["message"] for line in lines if line.get("logger") == "common.launcher"
            and (process is None or line.get("process") == process)]


def alive(pid):
    try:
        with open("/proc/{}/stat".format(pid)) as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except FileNotFoundError:
        return False


def test_words_before_the_command_set_its_environment(tmp_path):
    printing = "{} -c 'import os; print(os.environ[\"METRICS_PORT\"])'".format(sys.executable)
    process = start(tmp_path, {"second": "METRICS_PORT=9105 " + printing})
    time.sleep(1.5)
    process.send_signal(signal.SIGTERM)
    lines, _ = finish(process)
    assert {"process": "second", "message": "9105"}.items() <= [
        line for line in lines if line.get("message") == "9105"][0].items()
    assert launcher.split_assignments(["A=1", "B=x=y", "cmd", "C=2"]) == ({"A": "1", "B": "x=y"}, ["cmd", "C=2"])


def test_the_pause_before_a_restart_doubles_up_to_thirty_seconds():
    assert [launcher.restart_delay(n) for n in range(1, 8)] == [1, 2, 4, 8, 16, 30, 30]


def test_a_failing_process_is_restarted_with_backoff_the_others_untouched(tmp_path):
    process = start(tmp_path, {"steady": SLEEPER, "flaky": FAILING})
    time.sleep(4.5)  # starts at 0, 1 and 3 s
    process.send_signal(signal.SIGTERM)
    lines, _ = finish(process)

    flaky = own(lines, "flaky")
    assert [re.sub(r"pid \d+", "pid N", re.sub(r"after [\d.]+ s", "after T", line)) for line in flaky[:5]] == [
        "flaky started (pid N)",
        "flaky (pid N) exited with exit code 3 after T; restarting in 1 s",
        "flaky restarted (pid N, restart 1)",
        "flaky (pid N) exited with exit code 3 after T; restarting in 2 s",
        "flaky restarted (pid N, restart 2)",
    ]
    assert [line for line in own(lines, "steady") if "started" in line or "exited" in line][0].startswith(
        "steady started")
    assert sum("restarted" in line for line in own(lines, "steady")) == 0
    assert {"process": "flaky", "message": "failing at once"}.items() <= [
        line for line in lines if line.get("message") == "failing at once"][0].items()
    steady = PID.search(own(lines, "steady")[0]).group(1)
    assert "stopping every process (SIGTERM)" in own(lines)
    assert own(lines, "steady")[-1].startswith("steady (pid {}) exited with signal SIGTERM".format(steady))
    assert own(lines)[-1] == "stopped" and process.returncode == 0


def test_a_configuration_error_at_the_first_start_stops_everything(tmp_path):
    began = time.monotonic()
    process = start(tmp_path, {"steady": SLEEPER, "misconfigured": MISCONFIGURED})
    lines, _ = finish(process)

    assert process.returncode == launcher.EX_CONFIG
    assert time.monotonic() - began < 10
    assert any("exit code 78" in line and "configuration error" in line for line in own(lines, "misconfigured"))
    assert not any("restarted" in line for line in own(lines))
    steady = int(PID.search(own(lines, "steady")[0]).group(1))
    assert not alive(steady)


def test_sigkill_of_the_launcher_leaves_no_process_running(tmp_path):
    process = start(tmp_path, {"one": SLEEPER, "two": SLEEPER})
    pids = []
    deadline = time.monotonic() + 10
    while len(pids) < 2 and time.monotonic() < deadline:
        line = json.loads(process.stdout.readline())
        found = PID.search(line["message"])
        if found and "started" in line["message"]:
            pids.append(int(found.group(1)))
    assert len(pids) == 2 and all(alive(pid) for pid in pids)

    process.kill()
    process.wait(5)
    deadline = time.monotonic() + 5
    while any(alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(alive(pid) for pid in pids)


def test_a_second_launcher_on_the_same_data_dir_refuses(tmp_path):
    first = start(tmp_path, {"one": SLEEPER})
    try:
        json.loads(first.stdout.readline())  # started
        second = start(tmp_path, {"one": SLEEPER})
        lines, err = finish(second)
    finally:
        first.send_signal(signal.SIGTERM)
        finish(first)
    assert second.returncode == launcher.LOCKED and lines == []
    data_dir = (tmp_path / "var").resolve()
    turkish, english = err.strip().split(" / ")
    assert turkish.startswith("DATA_DIR={} başka bir `make run`".format(data_dir))
    assert english.startswith("DATA_DIR={} is in use by another `make run` (one, pid {})".format(data_dir, first.pid))
    assert oct((tmp_path / "var" / "one.lock").stat().st_mode & 0o777) == "0o600"


def test_the_lock_is_held_until_the_last_process_of_a_killed_launcher_is_gone(tmp_path):
    first = start(tmp_path, {"one": STRAGGLER})
    json.loads(first.stdout.readline())  # started
    time.sleep(0.5)  # the straggler ignores SIGTERM from here on
    first.kill()
    first.wait(5)
    second = start(tmp_path, {"one": SLEEPER})
    _, err = finish(second)
    assert second.returncode == launcher.LOCKED and "is in use by another `make run`" in err

    descriptor = os.open(tmp_path / "var" / "one.lock", os.O_RDWR)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                assert time.monotonic() < deadline, "the lock outlived the straggler"
                time.sleep(0.1)
    finally:
        os.close(descriptor)


def test_one_signal_twice_at_once_is_one_stop_a_second_ctrl_c_later_hurries_it(tmp_path):
    # SIGTERM to make's group reaches the launcher twice (directly and forwarded by make)
    polite = start(tmp_path / "polite", {"slow": SLOW_TO_STOP})
    json.loads(polite.stdout.readline())
    time.sleep(0.5)
    polite.send_signal(signal.SIGTERM)
    time.sleep(0.3)  # make forwards its copy a moment later
    polite.send_signal(signal.SIGTERM)
    lines, _ = finish(polite)
    assert not [line for line in own(lines) if "SIGKILL" in line]
    assert own(lines, "slow")[-1].startswith("slow (pid ") and "exited with exit code 0" in own(lines, "slow")[-1]

    hurried = start(tmp_path / "hurried", {"straggler": STRAGGLER})
    json.loads(hurried.stdout.readline())
    time.sleep(0.5)
    hurried.send_signal(signal.SIGINT)
    time.sleep(1.5)
    began = time.monotonic()
    hurried.send_signal(signal.SIGINT)
    lines, _ = finish(hurried)
    assert time.monotonic() - began < 1.5  # not the straggler's 4 s
    assert any("still running: SIGKILL" in line for line in own(lines, "straggler"))


def test_an_unknown_process_is_refused(tmp_path):
    process = start(tmp_path, {"one": SLEEPER}, "billing")
    lines, err = finish(process)
    assert process.returncode == 2 and "unknown process billing" in err


def test_every_line_becomes_json_naming_its_process_and_stray_lines_are_masked():
    logged = json.loads(launcher.tagged("intake", b'{"at": "t", "level": "INFO", "message": "hello"}'))
    assert list(logged) == ["process", "at", "level", "message"] and logged["process"] == "intake"
    stray = json.loads(launcher.tagged("routing", "Traceback: 0532 123 45 67 \u00e7\r".encode()))
    assert stray["process"] == "routing" and stray["message"] == "Traceback: <phone> \u00e7"
    assert json.loads(launcher.tagged("x", b"\xff{broken"))["message"] == "\ufffd{broken"


@pytest.mark.parametrize("code, text", [(-9, "signal SIGKILL"), (-15, "signal SIGTERM"), (78, "exit code 78")])
def test_exits_are_named(code, text):
    assert launcher.exit_text(code) == text
