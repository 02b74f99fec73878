"""The system as real processes: ``nameko run`` per service, gunicorn for the gateway,
and a loopback fake SMS provider (Verimor unless told otherwise; Twilio and İleti Merkezi too).
Output goes to files under the run's folder for post-mortems.

Every system gets its own ports: the gateway's, the fake's, and one Prometheus endpoint per
service process, which the process binds itself (``METRICS_PORT=0``) and logs (``metrics_url``):
a port chosen here and bound later could meanwhile be taken by another process, whose endpoint
would then answer for this one (tests/e2e/test_scaling.py once read routing's counts as
notification-2's that way). The fake pushes delivery reports to the
gateway's callback URL (``callback_url``), authenticated by a random ``SMS_CALLBACK_TOKEN``.
"""
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import requests

from tests.support.broker import temporary_vhost
from tests.support.samples import staff_accounts_file

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SERVICES = {
    "intake": "IntakeService",
    "routing": "RoutingService",
    "notification": "NotificationService",
    "tracking": "TrackingService",
}


METRICS_LINE = re.compile(r"^metrics endpoint of \w+ \(pid (?P<pid>\d+)\) on .+:(?P<port>\d+)$")


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
        self._signalled = False

    def stop(self, sig=signal.SIGTERM, timeout=15):
        self.signal(sig)
        self.wait_stopped(timeout)

    def signal(self, sig=signal.SIGTERM):
        """Sends ``sig`` to the process group, if it still runs (once: a second SIGTERM would
        hurry a graceful stop)."""
        if self.popen.poll() is None and not self._signalled:
            self._signalled = True
            os.killpg(self.popen.pid, sig)

    def wait_stopped(self, timeout=15):
        if self.popen.poll() is None:
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait(timeout)
        self._log.close()

    def output(self):
        return self.log_path.read_text(errors="replace")

    def metrics_port(self, timeout=30):
        """The port this very process's metrics endpoint bound (common/metrics.py logs it; the log
        file also holds the lines of earlier processes of the same label)."""
        def logged():
            for line in self.output().splitlines():
                try:
                    message = json.loads(line).get("message", "") if line.startswith("{") else ""
                except ValueError:
                    continue
                found = METRICS_LINE.match(message)
                if found and int(found.group("pid")) == self.popen.pid:
                    return int(found.group("port"))
            return None

        return wait_until(logged, timeout, interval=0.1, what="{}'s metrics port".format(self.name))


def service_process(service, env, log_dir, label=None):
    command = [str(BIN / "nameko"), "run", "--config", "services/{}/config.yaml".format(service),
               "services.{}.service:{}".format(service, SERVICES[service])]
    return Process(label or service, command, env, log_dir)


def gateway_process(env, log_dir):
    command = [str(BIN / "gunicorn"), "--config", "gateway/gunicorn.conf.py", "gateway.app:create_app()"]
    return Process("gateway", command, env, log_dir)


class FakeProvider:
    """How to run one provider's fake and point the services at it."""

    def __init__(self, name, module, credentials, api_path=""):
        self.name = name
        self.module = module
        self.credentials = credentials  # {environment name: (fake's option, value)}
        self.api_path = api_path

    def env(self, sms_url):
        settings = {name: value for name, (_, value) in self.credentials.items()}
        api_url_name = "{}_API_URL".format(self.name.upper())
        settings[api_url_name] = sms_url + self.api_path
        return settings

    def command(self, port, env, callback_url, auto_report_seconds=None):
        command = [sys.executable, "-m", self.module, "--port", str(port), "--callback-url", callback_url]
        if auto_report_seconds is not None:
            command += ["--auto-report", str(auto_report_seconds)]
        for name, (option, _) in self.credentials.items():
            command += [option, env[name]]
        return command


FAKE_PROVIDERS = {
    "verimor": FakeProvider("verimor", "tests.fakes.verimor_server", {
        "VERIMOR_USERNAME": ("--username", "908500000000"),
        "VERIMOR_PASSWORD": ("--password", "test-secret"),
    }),
    "twilio": FakeProvider("twilio", "tests.fakes.twilio_server", {
        "TWILIO_ACCOUNT_SID": ("--account-sid", "AC" + "0123456789abcdef" * 2),
        "TWILIO_AUTH_TOKEN": ("--auth-token", "test-twilio-auth-token"),
    }),
    "iletimerkezi": FakeProvider("iletimerkezi", "tests.fakes.iletimerkezi_server", {
        "ILETIMERKEZI_KEY": ("--key", "test-key"),
        "ILETIMERKEZI_HASH": ("--hash", "test-hash"),
    }, api_path="/v1"),
}


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


@contextmanager
def system_of_its_own(tmp_path_factory, name, **options):
    """A module's own RunningSystem (``options`` as RunningSystem takes them) on a vhost of its own,
    started, and stopped with every process after the module."""
    with temporary_vhost() as amqp_uri:
        running = RunningSystem(amqp_uri, tmp_path_factory.mktemp(name), **options)
        try:
            yield running.start()
        finally:
            running.stop()


class RunningSystem:
    """All four services, the gateway and the fake SMS provider, on one vhost and DATA_DIR.

    ``provider`` names the fake (and ``SMS_PROVIDER``): ``verimor`` (default), ``twilio`` or
    ``iletimerkezi``; ``extra_env`` is added to every process's environment last (it wins).
    ``sms_auto_report_seconds``: the fake pushes the delivery reports of what it accepted by itself
    every so many seconds (tests/fakes/_base.py; Verimor's fake only); off by default, so a test's
    explicit ``sms_report`` is the only report.
    Two systems must not share a vhost: their services would consume each other's events.
    """

    def __init__(self, amqp_uri, data_dir, provider="verimor", extra_env=None, sms_auto_report_seconds=None):
        self.data_dir = Path(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.provider = FAKE_PROVIDERS[provider]
        self.sms_auto_report_seconds = sms_auto_report_seconds
        self.port = free_port()
        self.sms_port = free_port()
        self.service_labels = []
        self.url = "http://127.0.0.1:{}".format(self.port)
        self.sms_url = "http://127.0.0.1:{}".format(self.sms_port)
        self.callback_token = secrets.token_hex(16)
        self.amqp_uri = amqp_uri
        self.env = dict(
            os.environ,
            AMQP_URI=amqp_uri,
            DATA_DIR=str(self.data_dir),
            GATEWAY_HOST="127.0.0.1",
            GATEWAY_PORT=str(self.port),
            SMS_PROVIDER=provider,
            PYTHONUNBUFFERED="1",
            STAFF_ACCOUNTS_FILE=str(staff_accounts_file(self.data_dir / "staff.json")),
            DEADLINE_CHECK_SECONDS="1",
            SMS_CALLBACK_TOKEN=self.callback_token,
            # What the fake calls is what the gateway reconstructs (Twilio signs the full URL).
            SMS_CALLBACK_BASE_URL=self.url,
            TWILIO_FROM="ACIKKAPI",
            # Tests submit hundreds of applications from 127.0.0.1 with one phone; the tests of the
            # limits turn them on with extra_env.
            RATE_LIMITS_ENABLED="false",
        )
        self.env.update(self.provider.env(self.sms_url))
        self.env.pop("MONGO_URI", None)
        self.env.pop("METRICS_PORT", None)
        self.env.update(extra_env or {})
        self.processes = {}

    @property
    def fake_label(self):
        return "fake-" + self.provider.name

    def callback_url(self, provider=None, token=None):
        """The gateway's delivery-report URL for ``provider`` (this system's) with ``token``."""
        return "{}/api/v1/sms/callbacks/{}/{}".format(
            self.url, provider or self.provider.name, self.callback_token if token is None else token)

    def metrics_url(self, service="notification"):
        return "http://127.0.0.1:{}/metrics".format(self.processes[service].metrics_port())

    @property
    def metrics_ports(self):
        """{label: port} of every service process now running."""
        return {label: self.processes[label].metrics_port() for label in self.service_labels}

    def start(self):
        self.start_fake()
        for service in SERVICES:
            self.start_service(service)
        self.processes["gateway"] = gateway_process(self.env, self.data_dir)
        self.wait_ready()
        return self

    def start_fake(self):
        command = self.provider.command(self.sms_port, self.env, self.callback_url(), self.sms_auto_report_seconds)
        self.processes[self.fake_label] = Process(self.fake_label, command, self.env, self.data_dir)

    def start_service(self, service, label=None, extra_env=None):
        """Starts ``service`` (again, after a kill); with a ``label`` other than the service's
        name, another process of it beside the first, with its own metrics endpoint
        (``metrics_url(label)``)."""
        env = dict(self.env, METRICS_PORT="0", **(extra_env or {}))
        if (label or service) not in self.service_labels:
            self.service_labels.append(label or service)
        process = service_process(service, env, self.data_dir, label)
        self.processes[label or service] = process
        return process

    def wait_ready(self, timeout=90):
        try:
            wait_until(lambda: http_ok(self.url + "/readyz") and http_ok(self.sms_url + "/_fake/messages"),
                       timeout, interval=0.25, what="system ready")
        except TimeoutError:
            raise TimeoutError("system not ready; logs:\n" + self.logs()) from None

    def stop(self):
        """All processes at once (the services' graceful stops take a second or two each)."""
        processes = list(reversed(list(self.processes.values())))
        for process in processes:
            process.signal()
        for process in processes:
            process.wait_stopped()

    def exited(self):
        """{process: exit code} of every process of the system that is no longer running."""
        return {name: process.popen.poll() for name, process in self.processes.items()
                if process.popen.poll() is not None}

    def logs(self):
        return "\n".join("--- {}\n{}".format(name, process.output()[-3000:])
                         for name, process in self.processes.items())

    def sms_messages(self):
        return requests.get(self.sms_url + "/_fake/messages", timeout=5).json()

    def sms_for(self, application_no):
        """The messages the fake accepted whose text names ``application_no`` (each fake names
        the text differently: Verimor ``msg``, Twilio ``body``, İleti Merkezi ``text``)."""
        return [message for message in self.sms_messages() if application_no in sms_text(message)]

    # --- the fake's test controls (tests/fakes/_base.py)

    def sms_behaviour(self, **behaviour):
        """``steps=[500, "hang", ...]``, ``fail_next=N, status=...`` or ``clear=True``."""
        answer = requests.post(self.sms_url + "/_fake/behaviour", json=behaviour, timeout=5)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def sms_fake_state(self):
        """``{"pending": scripted steps left, "hanging": sends held right now}``."""
        return requests.get(self.sms_url + "/_fake/behaviour", timeout=5).json()

    def sms_release(self):
        requests.post(self.sms_url + "/_fake/release", timeout=5).raise_for_status()

    def sms_report(self, **report):
        """Asks the fake to push delivery reports to the gateway; the pushes' outcomes."""
        answer = requests.post(self.sms_url + "/_fake/report", json=report, timeout=30)
        assert answer.status_code == 200, answer.text
        return answer.json()["pushed"]


def sms_text(message):
    return message.get("msg") or message.get("body") or message.get("text") or ""
