"""`make run` keeps everything on the embedded store across a stop and a restart:
applications, the number sequence (no reuse), SMS records and tracking timelines."""
import json
import os
import signal
import subprocess

import pytest
import requests

from tests.e2e.conftest import application_body
from tests.support.broker import temporary_vhost
from tests.support.processes import ROOT, free_port, http_ok, wait_until


class MakeRun:
    def __init__(self, amqp_uri, data_dir):
        self.port = free_port()
        self.url = "http://127.0.0.1:{}".format(self.port)
        self.env = dict(os.environ, AMQP_URI=amqp_uri, DATA_DIR=str(data_dir), GATEWAY_PORT=str(self.port),
                        SMS_PROVIDER="log")
        self.env.pop("MONGO_URI", None)
        self.log = open(data_dir / "make-run.log", "ab")

    def start(self):
        self.process = subprocess.Popen(["make", "run"], cwd=ROOT, env=self.env, stdout=self.log,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        wait_until(lambda: http_ok(self.url + "/readyz"), timeout=90, interval=0.5, what="make run ready")

    def stop(self):
        """As Ctrl-C does: SIGINT to the foreground group."""
        os.killpg(self.process.pid, signal.SIGINT)
        self.process.wait(timeout=30)


def _sms_log(data_dir):
    path = data_dir / "sms-log.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


@pytest.fixture
def own_vhost():
    """Not the session's: its running system would consume this system's events."""
    with temporary_vhost() as uri:
        yield uri


def test_stop_and_restart_keeps_everything(own_vhost, tmp_path):
    system = MakeRun(own_vhost, tmp_path)
    system.start()
    try:
        receipts = [requests.post(system.url + "/api/v1/applications", json=application_body(), timeout=15).json()
                    for _ in range(3)]
        wait_until(lambda: len(_sms_log(tmp_path)) == 3, timeout=10, what="three SMS")
    finally:
        system.stop()

    system.start()
    try:
        for receipt in receipts:
            view = requests.get("{}/api/v1/applications/{}".format(system.url, receipt["application_no"]),
                                params={"tracking_code": receipt["tracking_code"]}, timeout=15)
            assert view.status_code == 200
            assert [entry["status"] for entry in view.json()["timeline"]] == ["received"]
        after = requests.post(system.url + "/api/v1/applications", json=application_body(), timeout=15).json()
        wait_until(lambda: len(_sms_log(tmp_path)) == 4, timeout=10, what="the fourth SMS")
    finally:
        system.stop()

    numbers = [receipt["application_no"] for receipt in receipts]
    assert after["application_no"] > max(numbers) and after["application_no"] not in numbers
    sms_numbers = [line["text"] for line in _sms_log(tmp_path)]
    for number in numbers + [after["application_no"]]:
        assert sum(number in text for text in sms_numbers) == 1
