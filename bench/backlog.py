"""What is still waiting in a running system, for ``make bench``: messages in the run's RabbitMQ
vhost (``rabbitmqctl list_queues``), the "received" SMS the fake provider has not got yet, and the
delivery reports the fake has not pushed yet (its ``GET /_fake/auto-report``).

``rabbitmqctl`` starts an Erlang VM of its own (~0.6 s of CPU a call): bench/run.py asks it only
at the end of a phase, never while it measures CPU.
"""
import json
import re
import subprocess
import time
import urllib.parse

import requests

APPLICATION_NO = re.compile(r"\d{4}-\d{6,9}")


def vhost_of(amqp_uri):
    return urllib.parse.unquote(urllib.parse.urlparse(amqp_uri).path.lstrip("/")) or "/"


def queue_depths(vhost):
    """{queue: ready + unacknowledged messages} of every queue in ``vhost`` (None if rabbitmqctl
    could not answer)."""
    try:
        listed = subprocess.run(["rabbitmqctl", "-q", "list_queues", "-p", vhost, "--no-table-headers",
                                 "name", "messages"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None
    if listed.returncode != 0:
        return None
    depths = {}
    for line in listed.stdout.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[1].isdigit():
            depths[parts[0]] = int(parts[1])
    return depths


def reports_state(system):
    """The fake's own report pushes: {"due", "pushed", "refused", "posts", "failed_posts", "rounds"}."""
    return requests.get(system.sms_url + "/_fake/auto-report", timeout=10).json()


class SmsArrivals:
    """The "received" SMS of submitted applications as the fake provider records them, read
    incrementally (``?since=``: the fake keeps every message of the run)."""

    def __init__(self, system):
        self.system = system
        self.read = 0
        self.received_at = {}  # application number -> when the fake received its first SMS

    def poll(self):
        answer = requests.get(self.system.sms_url + "/_fake/messages", params={"since": self.read}, timeout=30)
        answer.raise_for_status()
        messages = answer.json()
        self.read += len(messages)
        for message in messages:
            for number in APPLICATION_NO.findall(message.get("msg") or ""):
                self.received_at.setdefault(number, message["received_at"])

    def wait_for(self, sent, timeout):
        """Waits until every application of ``sent`` ({number: sent at}) has its SMS or ``timeout``
        passed; returns the missing numbers."""
        deadline = time.monotonic() + timeout
        while True:
            self.poll()
            missing = [number for number in sent if number not in self.received_at]
            if not missing or time.monotonic() > deadline:
                return missing
            time.sleep(0.5)


def submitted(path):
    """{application number: sent at (epoch seconds)} of a bench/load.py ``--out`` file."""
    with open(path) as lines:
        return {record["no"]: record["sent"] for record in map(json.loads, filter(str.strip, lines))}


def wait_until_drained(system, vhost, timeout):
    """Waits until the fake has pushed every report (and a round has passed since) and the vhost's
    queues are empty; returns (seconds waited, last queue depths, last report state)."""
    began = time.monotonic()
    deadline = began + timeout
    state = reports_state(system)
    rounds = state["rounds"]
    while state["seconds"] is not None and time.monotonic() < deadline:
        state = reports_state(system)
        if state["due"] == 0 and state["rounds"] > rounds:
            break
        time.sleep(0.2)
    depths = queue_depths(vhost)
    while depths and sum(depths.values()) and time.monotonic() < deadline:
        time.sleep(0.5)
        depths = queue_depths(vhost)
    return time.monotonic() - began, depths, reports_state(system)
