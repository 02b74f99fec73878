"""`make run` keeps the system up (common/launcher.py), with real processes:

- a service killed with SIGKILL is started again after 1 s, killed again soon after it waits 2 s
  (backoff), each exit and restart is a line naming the process; the other processes keep their
  pids and keep serving (tracking lookups answered 200 all along) while a submission, which needs
  the missing intake, is refused at once (503 with Retry-After);
- gunicorn's master killed with SIGKILL: its workers leave by themselves, the launcher starts a
  new gateway;
- a second `make run` (or `make run-<process>`) on the same DATA_DIR refuses at once, names the
  directory, exits non-zero and leaves the first alone;
- a metrics port already taken stops `make run` with a line naming METRICS_PORT (exit 78 from
  the service, the launcher stops the rest);
- `python -m common.health_check <service>` tells this system's service from another service or
  another system's process on the port.
"""
import socket
import subprocess
import sys
import threading
import time

import pytest
import requests

from tests.e2e.conftest import application_body
from tests.support.broker import temporary_vhost
from tests.support.make_run import MakeRun, alive
from tests.support.processes import ROOT, wait_until

SERVICES = ("intake", "routing", "notification", "tracking")


@pytest.fixture(scope="module")
def system(tmp_path_factory):
    with temporary_vhost() as amqp_uri:
        running = MakeRun(amqp_uri, tmp_path_factory.mktemp("make-run")).start()
        try:
            yield running
        finally:
            running.close()


def _submit(system):
    return requests.post(system.url + "/api/v1/applications", json=application_body(), timeout=15)


def _health(system, service, *arguments, **env):
    return subprocess.run([sys.executable, "-m", "common.health_check", service, *arguments], cwd=ROOT,
                          env=dict(system.env, **env), capture_output=True, text=True, timeout=30)


def test_the_health_check_knows_each_service_of_this_system(system):
    ports = {service: system.metrics_port(service) for service in SERVICES}
    assert all(ports.values()) and len(set(ports.values())) == 4, ports
    for service in SERVICES:
        answer = _health(system, service, "--port", str(ports[service]))
        assert answer.returncode == 0 and answer.stdout.strip() == service + ": healthy", answer.stdout
        assert _health(system, service, "--port", str(ports[service]), "--rpc").returncode == 0
    impostor = _health(system, "intake", "--port", str(ports["routing"]))
    assert impostor.returncode == 1 and "answers for routing of system" in impostor.stdout
    elsewhere = _health(system, "intake", "--port", str(ports["intake"]), DATA_DIR=str(system.data_dir / "other"))
    assert elsewhere.returncode == 1 and "not for intake of system" in elsewhere.stdout


def test_a_second_make_run_on_the_same_data_dir_refuses_and_leaves_the_first_alone(system):
    before = system.pids()
    other_env = dict(system.env, GATEWAY_PORT=str(system.port + 1))
    for target in ("run", "run-tracking"):
        began = time.monotonic()
        second = subprocess.run(["make", target], cwd=ROOT, env=other_env, capture_output=True, text=True,
                                timeout=60)
        elapsed = time.monotonic() - began
        assert second.returncode != 0, second.stdout + second.stderr
        assert "DATA_DIR={} is in use by another `make run`".format(system.data_dir.resolve()) in second.stderr
        assert elapsed < 20, elapsed
        print("\n`make {}` on the same DATA_DIR refused in {:.1f} s".format(target, elapsed))
    assert system.pids() == before and all(alive(pid) for pid in before.values())
    assert not [line for line in system.launcher_lines() if "exited" in line]
    assert _submit(system).status_code == 201


def _restart_lines(system, name):
    return [line for line in system.launcher_lines(name) if "exited" in line or "restarted" in line]


def test_a_killed_service_is_restarted_with_backoff_while_the_others_serve(system):
    receipt = _submit(system).json()
    lookup = "{}/api/v1/applications/{}".format(system.url, receipt["application_no"])
    # tracking has it by event: only once it answers does every lookup have to, intake down or not
    wait_until(lambda: requests.get(lookup, params={"tracking_code": receipt["tracking_code"]}, timeout=15)
               .status_code == 200, timeout=30, interval=0.2, what="tracking has the application")
    before = system.pids()
    lookups, looking = [], threading.Event()

    def look():
        url = "{}/api/v1/applications/{}".format(system.url, receipt["application_no"])
        while not looking.is_set():
            lookups.append(requests.get(url, params={"tracking_code": receipt["tracking_code"]}, timeout=15)
                           .status_code)
            time.sleep(0.1)

    looker = threading.Thread(target=look)
    looker.start()
    try:
        delays, refused = [], None
        for attempt in (1, 2):
            pid = system.pids()["intake"]
            killed = time.monotonic()
            subprocess.run(["kill", "-KILL", str(pid)], check=True)
            if attempt == 2:  # 2 s before the restart, and seconds more before it consumes
                time.sleep(1.2)  # the gateway looks at the queue's consumers at most once a second
                asked = time.monotonic()
                refused = _submit(system)
                refused_in = time.monotonic() - asked
            wait_until(lambda: system.pids()["intake"] != pid, timeout=15, interval=0.05, what="intake restarted")
            delays.append(time.monotonic() - killed)
            wait_until(lambda: _submit(system).status_code == 201, timeout=60, interval=0.5,
                       what="submissions again")
    finally:
        looking.set()
        looker.join(30)

    lines = _restart_lines(system, "intake")
    assert len(lines) == 4, lines
    assert lines[0].startswith("intake (pid {}) exited with signal SIGKILL".format(before["intake"]))
    assert lines[0].endswith("restarting in 1 s") and lines[2].endswith("restarting in 2 s"), lines
    assert lines[1].startswith("intake restarted (pid ") and lines[3].endswith("restart 2)"), lines
    assert 1 <= delays[0] < 5 and 2 <= delays[1] < 6, delays
    after = system.pids()
    assert {name: pid for name, pid in after.items() if name != "intake"} == \
        {name: pid for name, pid in before.items() if name != "intake"}
    assert lookups and set(lookups) == {200}, lookups
    # only what needs intake is refused meanwhile, at once, and it is not done later
    assert refused.status_code == 503 and refused.headers.get("Retry-After"), (refused.status_code, refused.text)
    assert refused_in < 2.5, refused_in
    print("\nintake back after {} s (backoff 1 s, 2 s); {} lookups meanwhile, all 200; a submission "
          "refused (503) in {:.2f} s".format([round(delay, 1) for delay in delays], len(lookups), refused_in))


def test_a_killed_gunicorn_master_takes_its_workers_along(system):
    master = system.pids()["gateway"]
    workers = [pid for pid, command in system.tree().items()
               if "gunicorn" in command and pid != master]
    assert workers
    subprocess.run(["kill", "-KILL", str(master)], check=True)
    killed = time.monotonic()
    wait_until(lambda: not any(alive(pid) for pid in workers), timeout=15, interval=0.1,
               what="the old workers gone")
    gone = time.monotonic() - killed
    wait_until(lambda: system.pids()["gateway"] != master, timeout=15, what="gateway restarted")
    system.wait_ready(timeout=60)
    assert _submit(system).status_code == 201
    print("\ngunicorn's {} workers gone {:.1f} s after their master".format(len(workers), gone))


def test_a_metrics_port_in_use_stops_make_run_naming_the_variable(tmp_path):
    with socket.socket() as taken, temporary_vhost() as amqp_uri:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        system = MakeRun(amqp_uri, tmp_path, METRICS_PORT=str(port)).start(wait=False)
        try:
            returncode = system.process.wait(timeout=90)
            system.tree()
        finally:
            system.close()
    assert returncode != 0
    errors = [entry for entry in system.entries() if entry.get("logger") == "common.metrics"]
    assert errors and "set METRICS_PORT to a free port" in errors[0]["message"]
    assert str(port) in errors[0]["message"]
    assert any("exited with exit code 78" in line and "configuration error" in line
               for line in system.launcher_lines())
    assert system.launcher_lines()[-1] == "stopped"
