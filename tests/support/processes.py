"""The system as real processes: ``nameko run`` per service, gunicorn for the gateway,
and the loopback fake Verimor. Output goes to files under the run's folder for post-mortems."""
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from tests.support.samples import staff_accounts_file

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SERVICES = {
    "intake": "IntakeService",
    "routing": "RoutingService",
    "notification": "NotificationService",
    "tracking": "TrackingService",
}


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Process:
    def __init__(self, name, command, env, log_dir):
        self.name = name
        self.log_path = Path(log_dir) / "{}.log".format(name)
        self._log = open(self.log_path, "ab")
        self.popen = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def stop(self, sig=signal.SIGTERM, timeout=15):
        if self.popen.poll() is None:
            os.killpg(self.popen.pid, sig)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait(timeout)
        self._log.close()

    def output(self):
        return self.log_path.read_text(errors="replace")


def service_process(service, env, log_dir, label=None):
    command = [str(BIN / "nameko"), "run", "--config", "services/{}/config.yaml".format(service),
               "services.{}.service:{}".format(service, SERVICES[service])]
    return Process(label or service, command, env, log_dir)


def gateway_process(env, log_dir):
    command = [str(BIN / "gunicorn"), "--config", "gateway/gunicorn.conf.py", "gateway.app:create_app()"]
    return Process("gateway", command, env, log_dir)


def fake_verimor_process(port, username, password, env, log_dir):
    command = [sys.executable, "-m", "tests.fakes.verimor_server", "--port", str(port),
               "--username", username, "--password", password]
    return Process("fake-verimor", command, env, log_dir)


def wait_until(predicate, timeout, interval=0.1, what="condition"):
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            raise TimeoutError("{} not met within {}s".format(what, timeout))
        time.sleep(interval)


def http_ok(url):
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False


class RunningSystem:
    """All four services, the gateway and the fake SMS provider, on one vhost and DATA_DIR."""

    def __init__(self, amqp_uri, data_dir):
        self.data_dir = Path(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.sms_port = free_port()
        self.url = "http://127.0.0.1:{}".format(self.port)
        self.sms_url = "http://127.0.0.1:{}".format(self.sms_port)
        self.amqp_uri = amqp_uri
        self.env = dict(
            os.environ,
            AMQP_URI=amqp_uri,
            DATA_DIR=str(self.data_dir),
            GATEWAY_HOST="127.0.0.1",
            GATEWAY_PORT=str(self.port),
            SMS_PROVIDER="verimor",
            VERIMOR_API_URL=self.sms_url,
            VERIMOR_USERNAME="908500000000",
            VERIMOR_PASSWORD="test-secret",
            PYTHONUNBUFFERED="1",
            STAFF_ACCOUNTS_FILE=str(staff_accounts_file(self.data_dir / "staff.json")),
            DEADLINE_CHECK_SECONDS="1",
        )
        self.env.pop("MONGO_URI", None)
        self.processes = {}

    def start(self):
        self.processes["fake-verimor"] = fake_verimor_process(
            self.sms_port, self.env["VERIMOR_USERNAME"], self.env["VERIMOR_PASSWORD"], self.env, self.data_dir)
        for service in SERVICES:
            self.start_service(service)
        self.processes["gateway"] = gateway_process(self.env, self.data_dir)
        self.wait_ready()
        return self

    def start_service(self, service, label=None):
        process = service_process(service, self.env, self.data_dir, label)
        self.processes[label or service] = process
        return process

    def wait_ready(self, timeout=90):
        try:
            wait_until(lambda: http_ok(self.url + "/readyz") and http_ok(self.sms_url + "/_fake/messages"),
                       timeout, interval=0.25, what="system ready")
        except TimeoutError:
            raise TimeoutError("system not ready; logs:\n" + self.logs()) from None

    def stop(self):
        for process in reversed(list(self.processes.values())):
            process.stop()

    def logs(self):
        return "\n".join("--- {}\n{}".format(name, process.output()[-3000:])
                         for name, process in self.processes.items())

    def sms_messages(self):
        return requests.get(self.sms_url + "/_fake/messages", timeout=5).json()

    def sms_for(self, application_no):
        return [message for message in self.sms_messages() if application_no in message["msg"]]
